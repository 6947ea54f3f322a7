/**
 * http-client from Scheme: "the ports are closed automatically, if no longer referenced" — the
 * connection of an `http:send-request` whose two ports became garbage is closed.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { checks } from '../../support/scheme.js';
import { sleep } from '../../support/client-fixtures.js';
import { expectAll, scriptedServers } from '../support.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const serve = scriptedServers();

/** Collects garbage until PRED holds (bounded). */
async function collectUntil(pred: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    gc();
    await sleep(50);
  }
  return true;
}

describe('ports no longer referenced', () => {
  it('close their connection; ports still referenced keep theirs open', async () => {
    const s = await serve((c) => c.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody'));
    const url = `http://127.0.0.1:${s.port}/`;
    expectAll(await checks(`
      (define (status-only)
        (call-with-values
          (lambda () (http:send-request (http:make-request 'GET "${url}dropped" '() #f 'HTTP/1.1)))
          (lambda (h a i o) h)))
      (check "dropped ports" "HTTP/1.1 200 OK" (status-only))
      (define-values (h a kept-in kept-out) (http:send-request (http:make-request 'GET "${url}kept" '() #f 'HTTP/1.1)))
      (check "kept ports" "HTTP/1.1 200 OK" h)
    `), 2);
    expect(s.connections).toHaveLength(2);
    const dropped = s.connections.find((c) => c.requests[0]?.requestLine === 'GET /dropped HTTP/1.1')!;
    const kept = s.connections.find((c) => c.requests[0]?.requestLine === 'GET /kept HTTP/1.1')!;
    expect(await collectUntil(() => dropped.closed)).toBe(true);
    expect(kept.closed).toBe(false);
    expectAll(await checks(`
      (check "the kept ports still work" "body" (http:read-body a kept-in))
      (close-input-port kept-in)
      (close-output-port kept-out)
    `), 1);
  });
});
