/**
 * http:make-server from Scheme, over real sockets: SERVERNAME and LOCATION (Server header, error
 * pages), BACKLOG and RESTRICTHOST (as passed to the listener), INIT (after listening, before
 * the first request), the debug flag (one line per request on stderr), and the server procedure
 * running until its server stops.
 */
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runtime, schemeChecks, expectAllPassed, stopServers, freePort, startServer } from './helpers.js';

let named: number;
let plain: number;
let restricted: number;
let withInit: number;
let debugged: number;

beforeAll(async () => {
  const rt = await runtime();
  [named, plain, restricted, withInit, debugged] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  await rt.evaluate(`
    (http:add-resource "/hello" (lambda (r a) (print "Content-Type: text/plain\\r\\n\\r\\nhello")))
  `);
});

afterAll(stopServers);

/** The server of this file listening on PORT. */
async function serverOn(port: number): Promise<{ address(): net.AddressInfo | null; stop(o?: { timeout?: number }): Promise<void> }> {
  const rt = await runtime();
  const s = [...rt.servers.running].find((x) => x.port === port);
  if (s === undefined) throw new Error(`no Scheme server on port ${port}`);
  return s;
}

describe('http:make-server', () => {
  it('SERVERNAME goes in the Server header and, with LOCATION, in error pages', async () => {
    const results = await schemeChecks(`
      ${startServer(named, '"Test-Server/1.0" "test.example" #f #f "127.0.0.1"')}
      (define-values (h a i o) (http:send-request "127.0.0.1:${named}/hello"))
      (check "status" "HTTP/1.0 200 OK" h)
      (check "Server header" "Test-Server/1.0" (alist-ref "server" a string=?))
      (check "body" '("hello") (read-lines i))
      (close-input-port i) (close-output-port o)
      (define-values (h2 a2 i2 o2) (http:send-request "127.0.0.1:${named}/missing"))
      (check "404 status" "HTTP/1.0 404 Not Found" h2)
      (check "404 Server header" "Test-Server/1.0" (alist-ref "server" a2 string=?))
      (check "404 page" '("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><address>Test-Server/1.0 at test.example</address></body></html>")
             (read-lines i2))
      (close-input-port i2) (close-output-port o2)
    `);
    expectAllPassed(results, 6);
  });

  it('defaults: SERVERNAME "(Silly)", LOCATION "localhost", every interface', async () => {
    const results = await schemeChecks(`
      (thread-start! (make-thread (lambda () ((http:make-server ${plain})))))
      (await-port ${plain})
      (define-values (h a i o) (http:send-request "127.0.0.1:${plain}/missing"))
      (check "Server header" "(Silly)" (alist-ref "server" a string=?))
      (check "page" '("<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><address>(Silly) at localhost</address></body></html>")
             (read-lines i))
      (close-input-port i) (close-output-port o)
    `);
    expectAllPassed(results, 2);
    const addr = (await serverOn(plain)).address();
    expect(['::', '0.0.0.0']).toContain(addr?.address);
  });

  it('RESTRICTHOST binds that address only, and it and BACKLOG go to the listen procedure', async () => {
    const results = await schemeChecks(`
      (define default-listen (http:listen-procedure))
      (define listen-args #f)
      (http:listen-procedure (lambda (port backlog host) (set! listen-args (list port backlog host)) (default-listen port backlog host)))
      ${startServer(restricted, '"R" #f #f 7 "127.0.0.1"')}
      (http:listen-procedure default-listen)
      (check "listen got PORT, BACKLOG, RESTRICTHOST" (list ${restricted} 7 "127.0.0.1") listen-args)
      (check "serves on it" "hello\\n" (http:GET "127.0.0.1:${restricted}/hello"))
    `);
    expectAllPassed(results, 2);
    expect((await serverOn(restricted)).address()?.address).toBe('127.0.0.1');
  });

  it('BACKLOG defaults to 511 (SEMANTICS.md; the egg\'s 40 overflows under a few dozen connects); INIT is called once, after listening, before the startup hook and the first request', async () => {
    const results = await schemeChecks(`
      (define default-listen (http:listen-procedure))
      (define backlog #f)
      (define events '())
      (define (note! e) (set! events (cons e events)))
      (http:listen-procedure (lambda (port backlog* host) (set! backlog backlog*) (note! 'listen) (default-listen port backlog* host)))
      (http:startup-hook (lambda () (note! 'startup)))
      (http:add-resource "/first" (lambda (r a) (note! 'request) (print "\\r\\nfirst")))
      (thread-start! (make-thread (lambda ()
        ((http:make-server ${withInit} #f #f #f #f "127.0.0.1"
           (lambda () (note! (if (port-open? ${withInit}) 'init-listening 'init-not-listening)))))))) 
      (await-port ${withInit})
      (http:listen-procedure default-listen)
      (http:startup-hook (lambda () #t))
      (check "first request" "first\\n" (http:GET "127.0.0.1:${withInit}/first"))
      (check "backlog" 511 backlog)
      (check "order" '(listen init-listening startup request) (reverse events))
    `);
    expectAllPassed(results, 3);
  });

  it('the server procedure called with #t writes one line per request on stderr', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      return true;
    });
    try {
      const results = await schemeChecks(`
        ${startServer(debugged, '#f #f #f #f "127.0.0.1"', true)}
        (check "hello" "hello\\n" (http:GET "127.0.0.1:${debugged}/hello"))
        (define-values (h a i o) (http:send-request "127.0.0.1:${debugged}/missing?x=1"))
        (check "404" "HTTP/1.0 404 Not Found" h)
        (close-input-port i) (close-output-port o)
        (check "other servers stay quiet" "hello\\n" (http:GET "127.0.0.1:${named}/hello"))
        (thread-sleep! 0.05)
      `);
      expectAllPassed(results, 3);
    } finally {
      spy.mockRestore();
    }
    const requestLines = lines.filter((l) => / -> \d{3} in /.test(l));
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatch(/^127\.0\.0\.1 GET \/hello HTTP\/1\.1 -> 200 in \d+(\.\d+)? ms$/);
    expect(requestLines[1]).toMatch(/^127\.0\.0\.1 GET \/missing\?x=1 HTTP\/1\.0 -> 404 in \d+(\.\d+)? ms$/);
  });

  it('the server procedure returns once its server stops; the others keep serving', async () => {
    const rt = await runtime();
    const port = await freePort();
    await rt.evaluate(`
      (define stoppable (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")) 'returned)))
      (thread-start! stoppable)
      (await-port ${port})
    `);
    const before = await schemeChecks(`(check "still running" 'running (thread-join! stoppable 0.2 'running))`);
    expectAllPassed(before, 1);
    await (await serverOn(port)).stop({ timeout: 500 });
    const after = await schemeChecks(`
      (check "returned" 'returned (thread-join! stoppable 2 'timeout))
      (check-error "nothing listens any more" (lambda () (http:GET "127.0.0.1:${port}/hello")))
      (check "the named server still serves" "hello\\n" (http:GET "127.0.0.1:${named}/hello"))
    `);
    expectAllPassed(after, 3);
  });
});
