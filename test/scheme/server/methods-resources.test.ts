/**
 * http:request-method-handler, http:add-resource, http:remove-resource and http:find-resource
 * from Scheme, over sockets: the predefined GET/HEAD/POST handlers, handlers set for PUT and
 * DELETE, 501 for unknown methods, resources under strings, symbols and lists, their argument
 * a-lists (query and urlencoded body), removal and lookup.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort, responseAccessors } from './helpers.js';

let port: number;

beforeAll(async () => {
  port = await serveOnFreePort((port) => `
    (define (request method path . body)
      (car (parse-responses (string=? method "HEAD")
             (raw-exchange ${port}
               (string-append method " " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n"
                 (if (null? body) "\\r\\n"
                     (string-append "Content-Type: " (cadr body) "\\r\\nContent-Length: " (number->string (string-length (car body)))
                                    "\\r\\n\\r\\n" (car body))))))))
    ${responseAccessors}
    (define (GET path) (request "GET" path))
    (http:add-resource "/hello" (lambda (r a) (display "\\r\\nhello")))
  `, '"M" "m.example" #f #f "127.0.0.1"');
});

afterAll(stopServers);

describe('http:request-method-handler', () => {
  it('reads the predefined GET, HEAD and POST handlers; none for PUT', async () => {
    const results = await schemeChecks(`
      (check "GET" #t (procedure? (http:request-method-handler 'GET)))
      (check "HEAD" #t (procedure? (http:request-method-handler 'HEAD)))
      (check "POST" #t (procedure? (http:request-method-handler 'POST)))
      (check "same GET each time" #t (eq? (http:request-method-handler 'GET) (http:request-method-handler 'GET)))
      (check "no PUT" #f (http:request-method-handler 'PUT))
      (define h (request "HEAD" "/hello"))
      (check "HEAD answered" "HTTP/1.1 200 OK" (status h))
      (check "HEAD length of the GET body" "5" (header h "content-length"))
    `);
    expectAllPassed(results, 7);
  });

  it('sets handlers for PUT and DELETE: they get the request, with the body on current-input-port', async () => {
    const results = await schemeChecks(`
      (define store '())
      (define (put r)
        (let ((text (read-string 100 (current-input-port))))
          (set! store (cons (cons (http:request-url r) text) store))
          (http:write-response-header 201 "Created")
          (print "Content-Type: text/plain\\r\\n\\r\\n" (http:request-method r) " " (http:request-url r) " " text)))
      (define (delete r)
        (set! store (filter (lambda (p) (not (equal? (car p) (http:request-url r)))) store))
        (display "\\r\\ndeleted"))
      (http:request-method-handler 'PUT put)
      (http:request-method-handler 'DELETE delete)
      (check "PUT read back" #t (eq? put (http:request-method-handler 'PUT)))
      (define p (request "PUT" "/things/1" "first thing" "text/plain"))
      (check "PUT status" "HTTP/1.1 201 Created" (status p))
      (check "PUT body" "PUT /things/1 first thing\\n" (body p))
      (check "stored" '(("/things/1" . "first thing")) store)
      (define d (request "DELETE" "/things/1"))
      (check "DELETE status" "HTTP/1.1 200 OK" (status d))
      (check "DELETE body" "deleted" (body d))
      (check "removed" '() store)
    `);
    expectAllPassed(results, 7);
  });

  it('answers an unknown method with 501', async () => {
    const results = await schemeChecks(`
      (define r (request "PATCH" "/hello"))
      (check "status" "HTTP/1.1 501 Not Implemented" (status r))
      (check "page" "<html><head><title>501 Not Implemented</title></head><body><h1>501 Not Implemented</h1><address>M at m.example</address></body></html>" (body r))
      (check "still no PATCH handler" #f (http:request-method-handler 'PATCH))
    `);
    expectAllPassed(results, 3);
  });

  it('a method can take over the GET handler', async () => {
    const results = await schemeChecks(`
      (http:request-method-handler 'OPTIONS (http:request-method-handler 'GET))
      (check "OPTIONS served like GET" "hello" (body (request "OPTIONS" "/hello")))
      (http:request-method-handler 'REPORT (lambda (r) ((http:request-method-handler 'GET) r)))
      (check "GET's handler called from a handler" "hello" (body (request "REPORT" "/hello")))
    `);
    expectAllPassed(results, 2);
  });
});

describe('http:add-resource, http:remove-resource, http:find-resource', () => {
  it('defines resources under a string, a symbol and a list of both', async () => {
    const results = await schemeChecks(`
      (define (named name) (lambda (r a) (display (string-append "\\r\\n" name " " (http:request-url r)))))
      (http:add-resource "/by-string" (named "string"))
      (http:add-resource '/by-symbol (named "symbol"))
      (http:add-resource '("/list-a" /list-b) (named "list"))
      (check "string" "string /by-string" (body (GET "/by-string")))
      (check "symbol" "symbol /by-symbol" (body (GET "/by-symbol")))
      (check "list, string" "list /list-a" (body (GET "/list-a")))
      (check "list, symbol" "list /list-b" (body (GET "/list-b")))
      (check "canonicalised path" "string /by-%73tring" (body (GET "/by-%73tring")))
      (check "query is not part of the path" "symbol /by-symbol?x=1" (body (GET "/by-symbol?x=1")))
      (http:add-resource "/by-string" (named "replaced"))
      (check "redefined" "replaced /by-string" (body (GET "/by-string")))
    `);
    expectAllPassed(results, 7);
  });

  it('handlers get the request and an a-list of the query and urlencoded body arguments', async () => {
    const results = await schemeChecks(`
      (define seen #f)
      (http:add-resource "/args" (lambda (r a)
        (set! seen (list (http:request? r) (http:request-method r) (http:request-url r) a))
        (write a)))
      (check "query" "((\\"x\\" . \\"1\\") (\\"y\\" . \\"a b\\") (\\"z\\" . \\"\\"))" (body (GET "/args?x=1&y=a+b&z")))
      (check "request" '(#t GET "/args?x=1&y=a+b&z" (("x" . "1") ("y" . "a b") ("z" . ""))) seen)
      (check "no arguments" "()" (body (GET "/args")))
      (check "query then body" "((\\"q\\" . \\"1\\") (\\"b\\" . \\"2\\") (\\"c\\" . \\"x&y\\"))"
             (body (request "POST" "/args?q=1" "b=2&c=x%26y" "application/x-www-form-urlencoded")))
      (check "a text body adds no arguments" "((\\"q\\" . \\"1\\"))" (body (request "POST" "/args?q=1" "b=2" "text/plain")))
      (check "from http:POST" "((\\"k\\" . \\"v\\"))" (http:POST "127.0.0.1:${port}/args" '(("k" . "v"))))
    `);
    expectAllPassed(results, 6);
  });

  it('finds the same procedure, or #f', async () => {
    const results = await schemeChecks(`
      (define (h r a) (display "\\r\\nfound"))
      (http:add-resource '("/find-me" /find-me-too) h)
      (check "string" #t (eq? h (http:find-resource "/find-me")))
      (check "symbol" #t (eq? h (http:find-resource '/find-me-too)))
      (check "with a query" #t (eq? h (http:find-resource "/find-me?a=b")))
      (check "unknown" #f (http:find-resource "/not-here"))
      (check "call it" "\\r\\nfound" (with-output-to-string (lambda () (h #f '()))))
    `);
    expectAllPassed(results, 5);
  });

  it('removes resources under a string, a symbol or a list: they answer 404', async () => {
    const results = await schemeChecks(`
      (http:add-resource '("/gone-1" "/gone-2" /gone-3 "/kept") (lambda (r a) (display "\\r\\nhere")))
      (check "before" "here" (body (GET "/gone-1")))
      (http:remove-resource "/gone-1")
      (http:remove-resource '("/gone-2" /gone-3))
      (check "string removed" "HTTP/1.1 404 Not Found" (status (GET "/gone-1")))
      (check "list removed" "HTTP/1.1 404 Not Found" (status (GET "/gone-2")))
      (check "symbol in list removed" "HTTP/1.1 404 Not Found" (status (GET "/gone-3")))
      (check "not found any more" #f (http:find-resource "/gone-1"))
      (check "the others stay" "here" (body (GET "/kept")))
      (http:remove-resource "/never-defined")
      (check "removing an unknown one is harmless" "here" (body (GET "/kept")))
    `);
    expectAllPassed(results, 7);
  });
});
