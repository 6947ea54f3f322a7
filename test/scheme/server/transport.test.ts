/**
 * The transport parameters from Scheme, over sockets: http:listen-procedure,
 * http:accept-procedure, http:get-addresses-procedure and http:hard-close-procedure — their
 * defaults, custom procedures, and custom procedures that misbehave.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, freePort, startServer, serveOnFreePort, responseAccessors } from './helpers.js';

let port: number;

beforeAll(async () => {
  port = await serveOnFreePort((port) => `
    (define (GET-text path) (raw-exchange ${port} (string-append "GET " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")))
    (define (GET path) (car (parse-responses (GET-text path))))
    ${responseAccessors}
    (define default-listen (http:listen-procedure))
    (define default-accept (http:accept-procedure))
    (define default-addresses (http:get-addresses-procedure))
    (define default-hard-close (http:hard-close-procedure))
    (define default-error-hook (http:error-hook))
    (define (restore!)
      (http:listen-procedure default-listen)
      (http:accept-procedure default-accept)
      (http:get-addresses-procedure default-addresses)
      (http:hard-close-procedure default-hard-close)
      (http:error-hook default-error-hook)
      (http:log-hook (lambda (r ip) #t)))
    (http:add-resource "/ip" (lambda (r a) (display (string-append "\\r\\n" (http:request-ip r)))))
    (define big (let loop ((s "0123456789abcdef") (n 0)) (if (< n 13) (loop (string-append s s) (+ n 1)) s)))
    (http:add-resource "/big-then-fail" (lambda (r a)
      (display "Content-Type: text/plain\\r\\n\\r\\n")
      (display big)
      (display big)
      (thread-sleep! 0.05)
      (error "failed half way")))
  `, '"T" #f #f #f "127.0.0.1"');
});

afterAll(stopServers);

describe('defaults', () => {
  it('are procedures: tcp-listen, an accept procedure, tcp-addresses, tcp-abandon-port', async () => {
    const results = await schemeChecks(`
      (check "listen" #t (eq? tcp-listen (http:listen-procedure)))
      (check "accept" #t (procedure? (http:accept-procedure)))
      (check "addresses" #t (eq? tcp-addresses (http:get-addresses-procedure)))
      (check "hard close" #t (eq? tcp-abandon-port (http:hard-close-procedure)))
    `);
    expectAllPassed(results, 4);
  });
});

describe('http:listen-procedure', () => {
  it('makes the listener of the next server started; one that returns no listener fails that start', async () => {
    const [second, third] = [await freePort(), await freePort()];
    const results = await schemeChecks(`
      (define calls '())
      (http:listen-procedure (lambda (port backlog host) (set! calls (cons (list port backlog host) calls)) (default-listen port backlog host)))
      ${startServer(second, '#f #f #f 12 "127.0.0.1"')}
      (check "called once with PORT BACKLOG RESTRICTHOST" (list (list ${second} 12 "127.0.0.1")) calls)
      (check "its listener serves" "127.0.0.1" (body (car (parse-responses (raw-exchange ${second} "GET /ip HTTP/1.0\\r\\n\\r\\n")))))
      (http:listen-procedure (lambda (port backlog host) 'not-a-listener))
      (define failing (make-thread (lambda () ((http:make-server ${third} #f #f #f #f "127.0.0.1")))))
      (thread-start! failing)
      (check-error "the server procedure raises" (lambda () (thread-join! failing 5)))
      (check "nothing listens" #f (port-open? ${third}))
      (restore!)
    `);
    expectAllPassed(results, 4);
  });
});

describe('http:accept-procedure', () => {
  it('is called with each connection: #f refuses it, the connection serves it', async () => {
    const results = await schemeChecks(`
      (define accepted 0)
      (define refusing #t)
      (http:accept-procedure (lambda (conn) (set! accepted (+ accepted 1)) (if refusing #f (default-accept conn))))
      (define refused (raw-exchange/closed ${port} "GET /ip HTTP/1.0\\r\\n\\r\\n"))
      (check "refused: closed without a byte" '("" #t) refused)
      (set! refusing #f)
      (check "served when it returns the connection" "127.0.0.1" (body (GET "/ip")))
      (check "called for each" 2 accepted)
      (restore!)
    `);
    expectAllPassed(results, 3);
  });

  it('returning anything else refuses the connection and tells the error hook; the server goes on', async () => {
    const results = await schemeChecks(`
      (define hooked #f)
      (http:error-hook (lambda (e) (set! hooked (error-object-message e))))
      (http:accept-procedure (lambda (conn) #t))
      (check "closed without a byte" '("" #t) (raw-exchange/closed ${port} "GET /ip HTTP/1.0\\r\\n\\r\\n"))
      (check "the hook heard" #t (and (string? hooked) (contains? hooked "http:accept-procedure")))
      (http:accept-procedure (lambda (conn) (error "accept failed")))
      (check "a raising one: closed" '("" #t) (raw-exchange/closed ${port} "GET /ip HTTP/1.0\\r\\n\\r\\n"))
      (check "the hook heard that too" "accept failed" hooked)
      (restore!)
      (check "serving again" "127.0.0.1" (body (GET "/ip")))
    `);
    expectAllPassed(results, 5);
  });
});

describe('http:get-addresses-procedure', () => {
  it('gives the client address that http:request-ip and the log hook see', async () => {
    const results = await schemeChecks(`
      (define defaults-gave #f)
      (define logged '())
      (http:log-hook (lambda (r ip) (set! logged (cons ip logged))))
      (http:get-addresses-procedure (lambda (conn)
        (call-with-values (lambda () (default-addresses conn)) (lambda (local remote) (set! defaults-gave (list local remote))))
        (values "1.2.3.4" "5.6.7.8")))
      (check "request-ip" "5.6.7.8" (body (GET "/ip")))
      (wait-until (lambda () (pair? logged)))
      (check "log hook" '("5.6.7.8") logged)
      (check "the default gives local and peer addresses" '("127.0.0.1" "127.0.0.1") defaults-gave)
      (http:get-addresses-procedure (lambda (conn) (values "10.0.0.1" 'not-a-string)))
      (check "values are shown as strings" "not-a-string" (body (GET "/ip")))
      (restore!)
      (check "default again" "127.0.0.1" (body (GET "/ip")))
    `);
    expectAllPassed(results, 5);
  });
});

describe('http:hard-close-procedure', () => {
  it('closes a connection whose handler raised after part of its response went out', async () => {
    const results = await schemeChecks(`
      (define closed-with '())
      (define hooked '())
      (http:error-hook (lambda (e) (set! hooked (cons (error-object-message e) hooked))))
      (http:hard-close-procedure (lambda (conn) (set! closed-with (cons conn closed-with)) (default-hard-close conn)))
      (define got (raw-exchange/closed ${port} "GET /big-then-fail HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n" 3000))
      (define text (car got))
      (check "closed by the server" #t (cadr got))
      (check "the response had started" #t (string-prefix? "HTTP/1.1 200 OK\\r\\n" text))
      (check "chunked" #t (contains? text "Transfer-Encoding: chunked\\r\\n"))
      (check "cut short: no last chunk" #f (contains? text "\\r\\n0\\r\\n\\r\\n"))
      (check "some body went out" #t (> (string-length text) 65536))
      (check "hard close called once" 1 (length closed-with))
      (check "error hook heard the handler" '("failed half way") hooked)
      (check "serving" "127.0.0.1" (body (GET "/ip")))
      (restore!)
    `);
    expectAllPassed(results, 8);
  });

  it('the connection is closed even by a procedure that does not close it, or raises', async () => {
    const results = await schemeChecks(`
      (define calls 0)
      (define hooked '())
      (http:error-hook (lambda (e) (set! hooked (cons (error-object-message e) hooked))))
      (http:hard-close-procedure (lambda (conn) (set! calls (+ calls 1))))
      (define got (raw-exchange/closed ${port} "GET /big-then-fail HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n" 3000))
      (check "closed anyway" #t (cadr got))
      (check "called" 1 calls)
      (http:hard-close-procedure (lambda (conn) (set! calls (+ calls 1)) (error "cannot close")))
      (define got2 (raw-exchange/closed ${port} "GET /big-then-fail HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n" 3000))
      (check "closed anyway, again" #t (cadr got2))
      (check "called again" 2 calls)
      (check "the hook heard both" '("cannot close" "failed half way" "failed half way") hooked)
      (restore!)
      (check "still serving" "127.0.0.1" (body (GET "/ip")))
    `);
    expectAllPassed(results, 6);
  });
});
