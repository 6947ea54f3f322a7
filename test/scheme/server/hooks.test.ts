/**
 * The server's parameters for handlers and hooks, from Scheme over sockets:
 * http:fallback-handler, http:error-response-handler, http:current-request-count,
 * http:request-count-limit, http:startup-hook, http:error-hook, http:log-hook and
 * http:url-transformation.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, freePort, startServer, serveOnFreePort, responseAccessors } from './helpers.js';

let port: number;

beforeAll(async () => {
  port = await serveOnFreePort((port) => `
    (define (request-on port method path)
      (car (parse-responses
             (raw-exchange port (string-append method " " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")))))
    (define (GET path) (request-on ${port} "GET" path))
    ${responseAccessors}
    (define default-fallback (http:fallback-handler))
    (define default-error-page (http:error-response-handler))
    (define default-error-hook (http:error-hook))
    (http:add-resource "/ok" (lambda (r a) (display "\\r\\nok")))
  `, '"H" "h.example" #f #f "127.0.0.1"');
});

afterAll(stopServers);

describe('http:fallback-handler', () => {
  it('defaults to a 404 page', async () => {
    const results = await schemeChecks(`
      (check "a procedure" #t (procedure? (http:fallback-handler)))
      (define r (GET "/nothing/here"))
      (check "status" "HTTP/1.1 404 Not Found" (status r))
      (check "page" "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><address>H at h.example</address></body></html>" (body r))
      (check "content type" "text/html" (header r "content-type"))
    `);
    expectAllPassed(results, 4);
  });

  it('a custom one gets the request; it may pass some on to the default', async () => {
    const results = await schemeChecks(`
      (define seen '())
      (http:fallback-handler (lambda (r)
        (set! seen (cons (list (http:request? r) (http:request-url r)) seen))
        (if (string-prefix? "/soft/" (http:request-url r))
            (print "Content-Type: text/plain\\r\\n\\r\\nsoft miss: " (http:request-url r))
            (default-fallback r))))
      (define soft (GET "/soft/x?y=1"))
      (check "custom status" "HTTP/1.1 200 OK" (status soft))
      (check "custom body" "soft miss: /soft/x?y=1\\n" (body soft))
      (check "passed on" "HTTP/1.1 404 Not Found" (status (GET "/hard")))
      (check "requests it got" '((#t "/hard") (#t "/soft/x?y=1")) seen)
      (check "resources still win" "ok" (body (GET "/ok")))
      (http:fallback-handler default-fallback)
      (check "default again" "HTTP/1.1 404 Not Found" (status (GET "/soft/x")))
    `);
    expectAllPassed(results, 6);
  });

  it('parameterize: inside it, and for a server run inside it', async () => {
    const second = await freePort();
    const results = await schemeChecks(`
      (define (gentle r) (display "\\r\\ngentle miss"))
      (check "inside" #t (parameterize ((http:fallback-handler gentle)) (eq? gentle (http:fallback-handler))))
      (check "after" #t (eq? default-fallback (http:fallback-handler)))
      (thread-start! (make-thread (lambda ()
        (parameterize ((http:fallback-handler gentle))
          ((http:make-server ${second} "H2" #f #f #f "127.0.0.1"))))))
      (await-port ${second})
      (check "the server run inside parameterize uses it" "gentle miss" (body (request-on ${second} "GET" "/missing")))
      (check "the other server does not" "HTTP/1.1 404 Not Found" (status (GET "/missing")))
      (check "the global value is unchanged" #t (eq? default-fallback (http:fallback-handler)))
      (check "both serve the same resources" "ok" (body (request-on ${second} "GET" "/ok")))
    `);
    expectAllPassed(results, 6);
  });
});

describe('http:error-response-handler', () => {
  it('the default makes the standard page; a custom one makes every error page', async () => {
    const results = await schemeChecks(`
      (check "default page" "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><address>(Silly) at localhost</address></body></html>"
             (default-error-page 404 "Not Found"))
      (define calls '())
      (http:error-response-handler (lambda (code msg)
        (set! calls (cons code calls))
        (string-append "<html><body class=\\"custom\\">" (number->string code) " / " msg "</body></html>")))
      (define nf (GET "/nope"))
      (check "404 page" "<html><body class=\\"custom\\">404 / Not Found</body></html>" (body nf))
      (check "its length" (number->string (string-length (body nf))) (header nf "content-length"))
      (check "501 page" "<html><body class=\\"custom\\">501 / Not Implemented</body></html>" (body (request-on ${port} "BREW" "/ok")))
      (http:add-resource "/fails" (lambda (r a) (error "handler failed")))
      (http:error-hook (lambda (e) #t))
      (check "500 page" "<html><body class=\\"custom\\">500 / Internal Server Error</body></html>" (body (GET "/fails")))
      (check "called with the codes" '(500 501 404) calls)
      (http:error-response-handler default-error-page)
      (http:error-hook default-error-hook)
      (check "default again" #t (contains? (body (GET "/nope")) "<address>H at h.example</address>"))
    `);
    expectAllPassed(results, 7);
  });
});

describe('http:current-request-count and http:request-count-limit', () => {
  it('counts every request handled, errors included', async () => {
    const results = await schemeChecks(`
      (define before (http:current-request-count))
      (check "a number" #t (integer? before))
      (GET "/ok")
      (GET "/missing")
      (request-on ${port} "BREW" "/ok")
      (check "three more" (+ before 3) (http:current-request-count))
    `);
    expectAllPassed(results, 2);
  });

  it('beyond the limit of concurrent requests, 503; below it again, served', async () => {
    const results = await schemeChecks(`
      (check "default limit" 1024 (http:request-count-limit))
      (define slow-started #f)
      (http:add-resource "/slow" (lambda (r a)
        (set! slow-started #t)
        (thread-sleep! 0.4)
        (display "\\r\\nslow done")))
      (http:request-count-limit 1)
      (check "set" 1 (http:request-count-limit))
      (define slow (make-thread (lambda () (GET "/slow"))))
      (thread-start! slow)
      (wait-until (lambda () slow-started))
      (define busy (GET "/ok"))
      (check "503 while one is handled" "HTTP/1.1 503 Service Unavailable" (status busy))
      (check "503 page" "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1><address>H at h.example</address></body></html>" (body busy))
      (check "the slow one completes" "slow done" (body (thread-join! slow 5)))
      (check "served again" "ok" (body (GET "/ok")))
      (http:request-count-limit 1024)
    `);
    expectAllPassed(results, 6);
  });
});

describe('http:startup-hook', () => {
  it('is called once per server start, after it listens, before its first request', async () => {
    const third = await freePort();
    const results = await schemeChecks(`
      (check "default is a procedure" #t (procedure? (http:startup-hook)))
      (define events '())
      (http:startup-hook (lambda () (set! events (cons (if (port-open? ${third}) 'startup-listening 'startup-not-listening) events))))
      (http:add-resource "/count-me" (lambda (r a) (set! events (cons 'request events)) (display "\\r\\ncounted")))
      ${startServer(third)}
      (check "served" "counted" (body (request-on ${third} "GET" "/count-me")))
      (check "served again" "counted" (body (request-on ${third} "GET" "/count-me")))
      (check "events" '(startup-listening request request) (reverse events))
      (http:startup-hook (lambda () #t))
    `);
    expectAllPassed(results, 4);
  });
});

describe('http:error-hook', () => {
  it('gets the condition a handler raised; a 500 goes out and the server keeps serving', async () => {
    const results = await schemeChecks(`
      (define caught '())
      (http:error-hook (lambda (e) (set! caught (cons e caught))))
      (http:add-resource "/boom" (lambda (r a) (display "Content-Type: text/plain\\r\\n\\r\\npartial") (error "boom" 1 2)))
      (http:add-resource "/raise" (lambda (r a) (raise 'a-symbol)))
      (define boom (GET "/boom"))
      (check "500" "HTTP/1.1 500 Internal Server Error" (status boom))
      (check "nothing of the partial output" #f (contains? (body boom) "partial"))
      (check "connection closed after it" "close" (header boom "connection"))
      (check "one condition" 1 (length caught))
      (define e (car caught))
      (check "a condition" #t (condition? e))
      (check "its message" "boom" (error-object-message e))
      (check "its irritants" '(1 2) (error-object-irritants e))
      (check "exn message property" "boom" ((condition-property-accessor 'exn 'message) e))
      (check "a raised non-condition" "HTTP/1.1 500 Internal Server Error" (status (GET "/raise")))
      (check "is passed as it is" 'a-symbol (car caught))
      (check "keeps serving" "ok" (body (GET "/ok")))
      (http:error-hook default-error-hook)
    `);
    expectAllPassed(results, 11);
  });
});

describe('http:log-hook', () => {
  it('is called with the request and the client address after every request, 404s and errors too', async () => {
    const results = await schemeChecks(`
      (define log '())
      (http:error-hook (lambda (e) #t))
      (http:log-hook (lambda (r ip) (set! log (cons (list (http:request? r) (http:request-method r) (http:request-url r) ip) log))))
      (GET "/ok")
      (GET "/missing?q=1")
      (GET "/boom")
      (request-on ${port} "BREW" "/ok")
      (wait-until (lambda () (= (length log) 4)))
      (check "entries" '((#t GET "/ok" "127.0.0.1") (#t GET "/missing?q=1" "127.0.0.1") (#t GET "/boom" "127.0.0.1") (#t BREW "/ok" "127.0.0.1"))
             (reverse log))
      (http:log-hook (lambda (r ip) #t))
      (GET "/ok")
      (check "not called once replaced" 4 (length log))
      (http:error-hook default-error-hook)
    `);
    expectAllPassed(results, 2);
  });
});

describe('http:url-transformation', () => {
  it('rewrites each request URL before lookup; handlers see the result', async () => {
    const results = await schemeChecks(`
      (check "default returns its argument" "/a?b=c" ((http:url-transformation) "/a?b=c"))
      (define default-transformation (http:url-transformation))
      (define seen '())
      (http:url-transformation (lambda (url)
        (set! seen (cons url seen))
        (if (string-prefix? "/old/" url) (string-append "/new/" (substring url 5 (string-length url))) url)))
      (http:add-resource "/new/page" (lambda (r a) (write (list (http:request-url r) a))))
      (check "rewritten" "(\\"/new/page?x=1\\" ((\\"x\\" . \\"1\\")))" (body (GET "/old/page?x=1")))
      (check "the new URL directly" "(\\"/new/page\\" ())" (body (GET "/new/page")))
      (check "called with the URLs as received" '("/new/page" "/old/page?x=1") seen)
      (http:url-transformation (lambda (url) (error "no transformation today")))
      (http:error-hook (lambda (e) #t))
      (check "a transformation that raises: 500" "HTTP/1.1 500 Internal Server Error" (status (GET "/ok")))
      (http:url-transformation default-transformation)
      (http:error-hook default-error-hook)
      (check "back to identity" "HTTP/1.1 404 Not Found" (status (GET "/old/page")))
    `);
    expectAllPassed(results, 6);
  });
});
