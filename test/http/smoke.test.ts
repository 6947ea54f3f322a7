import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from '../../src/http/index.js';
import { startServer, raw, parseResponses, header } from '../support/net.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

describe('smoke', () => {
  it('serves the hello page with its framing, twice over one keep-alive connection', async () => {
    server = await startServer((c) => c.addResource(['/', '/index.html'], (_r, _a, ex) => {
      ex.write('Content-type: text/html\r\nContent-length: 23\r\n\r\n<h1>Hello, world!</h1>\n');
    }));
    const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const res = await raw(server.port, [req, req], { waitMs: 300 });
    const rs = parseResponses(res.text);
    expect(rs).toHaveLength(2);
    for (const r of rs) {
      expect(r.statusLine).toBe('HTTP/1.1 200 OK');
      expect(header(r, 'server')).toBe('(Silly)');
      expect(r.body).toBe('<h1>Hello, world!</h1>\n');
    }
    expect(res.closed).toBe(false);
  });
});
