/**
 * http-utils from Scheme: the request record. `http:make-request` and its defaults,
 * `http:request?`, the seven accessors and seven setters, and the record a running Scheme server
 * hands its handlers (exact requests sent from a raw TCP client).
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, stopRunningServers } from '../../support/scheme.js';
import { exchangeOne, expectAll, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    (define seen #f)
    (define (record! r a)
      (set! seen (list (http:request? r) (http:request-url r) (http:request-method r) (http:request-protocol r)
                       (http:request-attributes r) (http:request-ip r) (http:request-body r) (http:request-sslctx r) a)))
    (define (answer text)
      (display (string-append "Content-Type: text/plain\\r\\nContent-Length: " (number->string (string-length text)) "\\r\\n\\r\\n" text)))
    (http:add-resource "/info" (lambda (r a) (record! r a) (answer "ok")))
    (http:content-parser 'text/x-upcase
      (lambda (size headers port) (let ((s (read-string size port))) (values (string-upcase s) s))))
    (http:request-method-handler 'PUT
      (lambda (r) (record! r '()) (display "HTTP/1.1 204 No Content\\r\\n\\r\\n")))
    (http:add-resource "/mutate"
      (lambda (r a)
        (http:request-url-set! r "/changed?x=1")
        (http:request-method-set! r 'PATCH)
        (http:request-protocol-set! r 'HTTP/1.0)
        (http:request-attributes-set! r '(("x-set" . "yes")))
        (http:request-body-set! r "new body")
        (http:request-ip-set! r "10.0.0.1")
        (record! r a)
        (answer "mutated")))
  `);
});

afterAll(stopRunningServers);

/** Sends REQUEST (exact bytes) and returns the one response. */
async function exchange(request: string): Promise<{ status: number; body: string }> {
  const res = await exchangeOne(PORT, request);
  return { status: res.status, body: res.body };
}

describe('http:make-request', () => {
  it('defaults ATTRIBUTES to (), BODY to #f, PROTOCOL to HTTP/1.0 and IP to #f', async () => {
    expectAll(await checks(`
      (define r (http:make-request 'GET "/x"))
      (check "request?" #t (http:request? r))
      (check "url" "/x" (http:request-url r))
      (check "method is the symbol" 'GET (http:request-method r))
      (check "method is a symbol" #t (symbol? (http:request-method r)))
      (check "attributes" '() (http:request-attributes r))
      (check "body" #f (http:request-body r))
      (check "protocol" 'HTTP/1.0 (http:request-protocol r))
      (check "protocol is a symbol" #t (symbol? (http:request-protocol r)))
      (check "ip" #f (http:request-ip r))
      (check "sslctx" #f (http:request-sslctx r))
    `), 10);
  });

  it('keeps every argument given', async () => {
    expectAll(await checks(`
      (define r (http:make-request 'POST "http://127.0.0.1:8080/form?a=1"
                  '(("Content-Type" . "text/plain") ("X-Two" . "2")) "the body" 'HTTP/1.1 "192.168.1.9"))
      (check "method" 'POST (http:request-method r))
      (check "url" "http://127.0.0.1:8080/form?a=1" (http:request-url r))
      (check "attributes as given" '(("Content-Type" . "text/plain") ("X-Two" . "2")) (http:request-attributes r))
      (check "body" "the body" (http:request-body r))
      (check "protocol" 'HTTP/1.1 (http:request-protocol r))
      (check "ip" "192.168.1.9" (http:request-ip r))
      (check "strings for method and protocol read back as symbols"
        '(PUT HTTP/1.1) (let ((q (http:make-request "PUT" "/" '() #f "HTTP/1.1"))) (list (http:request-method q) (http:request-protocol q))))
      (check "#f for protocol and ip means the defaults"
        '(HTTP/1.0 #f) (let ((q (http:make-request 'GET "/" '() #f #f #f))) (list (http:request-protocol q) (http:request-ip q))))
    `), 8);
  });

  it('http:request? is #f for anything else', async () => {
    expectAll(await checks(`
      (check "string" #f (http:request? "/x"))
      (check "list" #f (http:request? '(GET "/x")))
      (check "number" #f (http:request? 1))
      (check "#f" #f (http:request? #f))
      (check "procedure" #f (http:request? http:make-request))
    `), 5);
  });

  it('rejects bad arguments with catchable conditions that name the procedure', async () => {
    expectAll(await checks(`
      (define (message thunk) (guard (e (#t (error-object-message e))) (thunk) "no error"))
      (check-error "attributes not a list" (lambda () (http:make-request 'GET "/" 5)))
      (check-error "attribute not a pair" (lambda () (http:make-request 'GET "/" '("x"))))
      (check-error "url not a string" (lambda () (http:make-request 'GET 42)))
      (check "accessor on a non-request" #t
        (and (string-search "http:request-url" (message (lambda () (http:request-url "/x")))) #t))
      (check "setter on a non-request" #t
        (and (string-search "http:request-body-set!" (message (lambda () (http:request-body-set! '() "b")))) #t))
    `), 5);
  });
});

describe('the setters', () => {
  it('each changes what its accessor returns', async () => {
    expectAll(await checks(`
      (define r (http:make-request 'GET "/x"))
      (http:request-url-set! r "/y?z=1")
      (check "url" "/y?z=1" (http:request-url r))
      (http:request-method-set! r 'DELETE)
      (check "method" 'DELETE (http:request-method r))
      (http:request-method-set! r "OPTIONS")
      (check "method from a string" 'OPTIONS (http:request-method r))
      (http:request-protocol-set! r 'HTTP/1.1)
      (check "protocol" 'HTTP/1.1 (http:request-protocol r))
      (http:request-attributes-set! r '(("Accept" . "text/html") ("X-A" . "b")))
      (check "attributes" '(("Accept" . "text/html") ("X-A" . "b")) (http:request-attributes r))
      (http:request-body-set! r "payload")
      (check "body" "payload" (http:request-body r))
      (http:request-body-set! r #f)
      (check "body back to #f" #f (http:request-body r))
      (http:request-ip-set! r "127.0.0.2")
      (check "ip" "127.0.0.2" (http:request-ip r))
      (http:request-ip-set! r #f)
      (check "ip back to #f" #f (http:request-ip r))
      (define ctx (list 'context))
      (http:request-sslctx-set! r ctx)
      (check "sslctx is the same object" #t (eq? ctx (http:request-sslctx r)))
      (http:request-sslctx-set! r #f)
      (check "sslctx back to #f" #f (http:request-sslctx r))
      (check "still a request" #t (http:request? r))
    `), 12);
  });

  it('reject values of the wrong type', async () => {
    expectAll(await checks(`
      (define r (http:make-request 'GET "/x"))
      (check-error "url" (lambda () (http:request-url-set! r 12)))
      (check-error "attributes" (lambda () (http:request-attributes-set! r 12)))
      (check-error "ip" (lambda () (http:request-ip-set! r 12)))
      (check "unchanged" '("/x" ()) (list (http:request-url r) (http:request-attributes r)))
    `), 4);
  });
});

describe('the request a running Scheme server hands its handler', () => {
  it('a GET: url as received, symbols for method and protocol, lowercased trimmed attributes, ip, body #f', async () => {
    const res = await exchange('GET /info?q=a%20b&flag HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mixed-CASE:   spaced value  \r\nConnection: close\r\n\r\n');
    expect(res).toEqual({ status: 200, body: 'ok' });
    expectAll(await checks(`
      (define-values (is-request url method protocol attributes ip body sslctx args) (apply values seen))
      (check "a request object" #t is-request)
      (check "url as received" "/info?q=a%20b&flag" url)
      (check "method" 'GET method)
      (check "method is a symbol" #t (symbol? method))
      (check "protocol" 'HTTP/1.1 protocol)
      (check "protocol is a symbol" #t (symbol? protocol))
      (check "attributes: lowercased names, trimmed values, in order"
        '(("host" . "127.0.0.1") ("x-mixed-case" . "spaced value") ("connection" . "close")) attributes)
      (check "ip" "127.0.0.1" ip)
      (check "body" #f body)
      (check "sslctx" #f sslctx)
      (check "handler arguments" '(("q" . "a b") ("flag" . "")) args)
    `), 11);
  });

  it('an HTTP/1.0 GET has the protocol HTTP/1.0', async () => {
    const res = await exchange('GET /info HTTP/1.0\r\n\r\n');
    expect(res.status).toBe(200);
    expectAll(await checks(`
      (check "protocol" 'HTTP/1.0 (list-ref seen 3))
      (check "no attributes" '() (list-ref seen 4))
    `), 2);
  });

  it("a POST: the body is the content parser's value", async () => {
    let res = await exchange('POST /info HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nplain\r\nxy');
    expect(res).toEqual({ status: 200, body: 'ok' });
    expectAll(await checks(`
      (check "method" 'POST (list-ref seen 2))
      (check "default parser: the body as a string" "plain\\r\\nxy" (list-ref seen 6))
    `), 2);
    res = await exchange('POST /info?from=query HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\nConnection: close\r\n\r\nname=J+Doe&n=');
    expect(res.status).toBe(200);
    expectAll(await checks(`
      (check "urlencoded: the argument a-list" '(("name" . "J Doe") ("n" . "")) (list-ref seen 6))
      (check "handler arguments: query, then body" '(("from" . "query") ("name" . "J Doe") ("n" . "")) (list-ref seen 8))
    `), 2);
    res = await exchange('POST /info HTTP/1.1\r\nHost: h\r\nContent-Type: text/x-upcase\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(res.status).toBe(200);
    expectAll(await checks(`
      (check "a program's parser" "HELLO" (list-ref seen 6))
    `), 1);
  });

  it('a method handler of the program gets the request too', async () => {
    const res = await exchange('PUT /anything HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(204);
    expectAll(await checks(`
      (check "method" 'PUT (list-ref seen 2))
      (check "url" "/anything" (list-ref seen 1))
      (check "no body read" #f (list-ref seen 6))
    `), 3);
  });

  it('the setters work on the server\'s request object', async () => {
    const res = await exchange('GET /mutate HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(res).toEqual({ status: 200, body: 'mutated' });
    expectAll(await checks(`
      (check "after the setters" '(#t "/changed?x=1" PATCH HTTP/1.0 (("x-set" . "yes")) "10.0.0.1" "new body" #f ())
        seen)
    `), 1);
  });
});
