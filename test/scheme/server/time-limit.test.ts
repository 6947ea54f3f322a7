/**
 * The handler time limit (SEMANTICS.md "Scheme data", beyond the egg): a handler that keeps the
 * process computing without waiting for I/O past `http:handler-time-limit` is stopped — 503 if
 * it wrote nothing, the connection closed if it did — the error hook hears of it, and the
 * server goes on serving, also while the runaway handler computes. Only the compiled engine can
 * stop a computation (LIPS cannot be preempted), so these run there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort, responseAccessors } from './helpers.js';
import { raw } from '../../support/net.js';
import { compiled } from '../../support/scheme.js';

let port: number;

beforeAll(async () => {
  if (!compiled) return;
  port = await serveOnFreePort((port) => `
    (define (GET path) (car (parse-responses (raw-exchange ${port} (string-append "GET " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n") 5000))))
    ${responseAccessors}
    (define heard '())
    (http:error-hook (lambda (e) (set! heard (cons (condition->list e) heard))))
    (http:add-resource "/spin" (lambda (r a) (let loop ((i 0)) (loop (+ i 1)))))
    (http:add-resource "/spin-after-output" (lambda (r a)
      (display "Content-type: text/plain\\r\\n\\r\\npartial")
      (flush-output)
      (let loop ((i 0)) (loop (+ i 1)))))
    (http:add-resource "/ok" (lambda (r a) (display "\\r\\nok")))
  `);
});

afterAll(stopServers);

describe.runIf(compiled)('http:handler-time-limit', () => {
  it('defaults to 10 seconds; #f or a number of seconds', async () => {
    expectAllPassed(await schemeChecks(`
      (check "default" 10 (http:handler-time-limit))
      (http:handler-time-limit 0.3)
      (check "set" 0.3 (http:handler-time-limit))
    `), 2);
  });

  it('stops a handler computing past it with a 503, tells the error hook, and keeps serving', async () => {
    const t0 = Date.now();
    const spin = raw(port, 'GET /spin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { waitMs: 5000 });
    // While the runaway handler computes, the server still answers others (it is preempted).
    const ok = await raw(port, 'GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { waitMs: 3000 });
    expect(ok.text).toMatch(/^HTTP\/1\.1 200 OK/);
    const r = await spin;
    expect(r.text).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    expect(Date.now() - t0).toBeLessThan(3000);
    // heard: each a (condition->list e): ((exn message "…" …) …)
    expectAllPassed(await schemeChecks(`
      (check "the hook heard of it" #t (and (pair? heard) (string? (cadr (memq 'message (cdar (car heard)))))))
    `), 1);
  });

  it('closes the connection when the handler had written part of its response', async () => {
    const r = await raw(port, 'GET /spin-after-output HTTP/1.1\r\nHost: t\r\n\r\n', { waitMs: 5000 });
    expect(r.closed).toBe(true);
    expect(r.text).not.toMatch(/503/);
    const after = await raw(port, 'GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { waitMs: 3000 });
    expect(after.text).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('#f turns it off', async () => {
    expectAllPassed(await schemeChecks(`
      (http:handler-time-limit #f)
      (check "off" #f (http:handler-time-limit))
      (http:handler-time-limit 10)
    `), 1);
  });
});
