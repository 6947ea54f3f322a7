import { afterAll, describe, expect, it } from 'vitest';
import { checks, scheme, stopRunningServers } from '../support/scheme.js';
import { freePort, startSchemeServer } from './support.js';

afterAll(stopRunningServers);

describe('the Scheme front', () => {
  it('serves the seed hello handler from a thread and reads it back with http:send-request', async () => {
    const port = await freePort();
    await startSchemeServer(port, `
      (http:add-resource '("/" "/index.html")
        (lambda (r a)
          (let ([msg "<h1>Hello, world!</h1>"])
            (print "Content-type: text/html\\r\\nContent-length: " (add1 (string-length msg)) "\\r\\n\\r\\n" msg))))`);
    const results = await checks(`
      (define-values (h a i o) (http:send-request "127.0.0.1:${port}/"))
      (check "status line" "HTTP/1.0 200 OK" h)
      (check "content-length" "23" (alist-ref "content-length" a string=?))
      (check "body" '("<h1>Hello, world!</h1>") (read-lines i))
      (close-input-port i)
      (close-output-port o)
      (check "GET" "<h1>Hello, world!</h1>\\n" (http:GET "127.0.0.1:${port}/index.html"))
    `);
    for (const r of results) expect(r, r.detail).toMatchObject({ ok: true });
    expect(results).toHaveLength(4);
  });

  it('waits for what a JS procedure defined through the runtime returns: a Promise or any thenable', async () => {
    const rt = await scheme();
    rt.define('later', (x: unknown) => new Promise((resolve) => setTimeout(() => resolve((x as number) * 2), 1)));
    // Not a native Promise: a thenable of another library.
    rt.define('later-thenable', (x: unknown) => ({ then: (resolve: (v: unknown) => void) => setTimeout(() => resolve((x as number) * 3), 1) }));
    expect(await rt.evaluate('(list (+ 1 (later 20)) (+ 1 (later-thenable 10)))')).toSatisfy((v: unknown) => rt.show(v) === '(41 31)');
  });
});
