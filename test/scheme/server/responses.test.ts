/**
 * http:write-response-header and http:write-error-response from Scheme handlers, over sockets:
 * the defaults (200 OK, the request's protocol), ALIST headers, the open header block the
 * handler goes on with, PROTOCOL, an explicit PORT, and error responses made with
 * http:error-response-handler.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort, responseAccessors } from './helpers.js';

beforeAll(async () => {
  await serveOnFreePort((port) => `
    (define (GET path . protocol)
      (car (parse-responses
             (raw-exchange ${port} (string-append "GET " path " " (if (null? protocol) "HTTP/1.1" (car protocol))
                                                  "\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")))))
    ${responseAccessors}
    (define (header-names r) (map car (headers r)))
  `, '"Resp-Server" "resp.example" #f #f "127.0.0.1"');
});

afterAll(stopServers);

describe('http:write-response-header', () => {
  it('defaults to 200 OK in the request protocol, with Server and Date, and leaves the header block open', async () => {
    const results = await schemeChecks(`
      (http:add-resource "/plain" (lambda (r a)
        (http:write-response-header)
        (print "Content-Type: text/plain\\r\\nX-Added: by the handler\\r\\n\\r\\nbody text")))
      (define r (GET "/plain"))
      (check "status line" "HTTP/1.1 200 OK" (status r))
      (check "Server" "Resp-Server" (header r "server"))
      (check "Date" #t (string? (header r "date")))
      (check "handler's lines are headers" "by the handler" (header r "x-added"))
      (check "Content-Type" "text/plain" (header r "content-type"))
      (check "body" "body text\\n" (body r))
      (check "header order" '("server" "date" "content-type" "x-added" "content-length" "connection") (header-names r))
      (check "HTTP/1.0 request, HTTP/1.0 status line" "HTTP/1.0 200 OK" (status (GET "/plain" "HTTP/1.0")))
    `);
    expectAllPassed(results, 8);
  });

  it('writes CODE, MSG and the ALIST headers, in order', async () => {
    const results = await schemeChecks(`
      (http:add-resource "/made" (lambda (r a)
        (http:write-response-header 201 "Made It" '(("Location" . "/things/1") ("X-Count" . 3)))
        (display "\\r\\ncreated")))
      (define r (GET "/made"))
      (check "status line" "HTTP/1.1 201 Made It" (status r))
      (check "Location" "/things/1" (header r "location"))
      (check "a number value" "3" (header r "x-count"))
      (check "order" '("server" "date" "location" "x-count" "content-length" "connection") (header-names r))
      (check "body" "created" (body r))
    `);
    expectAllPassed(results, 5);
  });

  it('PROTOCOL sets the status line protocol', async () => {
    const results = await schemeChecks(`
      (http:add-resource "/old" (lambda (r a)
        (http:write-response-header 200 "Fine" '() (current-output-port) 'HTTP/1.0)
        (display "\\r\\nold")))
      (define r (GET "/old"))
      (check "status line" "HTTP/1.0 200 Fine" (status r))
      (check "body" "old" (body r))
    `);
    expectAllPassed(results, 2);
  });

  it('writes to PORT: the header block without its blank line', async () => {
    const results = await schemeChecks(`
      (define text (call-with-output-string (lambda (p) (http:write-response-header 202 "Accepted" '(("X-A" . "1")) p 'HTTP/1.1))))
      (define lines (string-split text "\\n"))
      (check "status line" "HTTP/1.1 202 Accepted\\r" (car lines))
      (check "Server line" "Server: (Silly)\\r" (cadr lines))
      (check "ALIST line last" "X-A: 1\\r" (cadddr lines))
      (check "no blank line" 4 (length lines))
      (http:add-resource "/to-port" (lambda (r a)
        (let ((port (current-output-port)))
          (with-output-to-string (lambda () (http:write-response-header 203 "Elsewhere" '() port)))
          (display "\\r\\nvia port" port))))
      (define r (GET "/to-port"))
      (check "explicit port inside a handler" "HTTP/1.1 203 Elsewhere" (status r))
      (check "body" "via port" (body r))
    `);
    expectAllPassed(results, 6);
  });
});

describe('http:write-error-response', () => {
  it('writes a whole error response to the current output port, with the default page', async () => {
    const results = await schemeChecks(`
      (http:add-resource "/forbidden" (lambda (r a) (http:write-error-response 403 "Forbidden")))
      (define r (GET "/forbidden"))
      (define page "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1><address>Resp-Server at resp.example</address></body></html>")
      (check "status line" "HTTP/1.1 403 Forbidden" (status r))
      (check "Content-Type" "text/html" (header r "content-type"))
      (check "Content-Length" (number->string (string-length page)) (header r "content-length"))
      (check "page" page (body r))
      (check "message escaped" #t (contains? (body (begin
        (http:add-resource "/odd" (lambda (r a) (http:write-error-response 400 "Bad <thing>")))
        (GET "/odd"))) "<h1>400 Bad &lt;thing&gt;</h1>"))
    `);
    expectAllPassed(results, 5);
  });

  it('uses http:error-response-handler, also when parameterized in the handler', async () => {
    const results = await schemeChecks(`
      (define (page code msg) (string-append "<p>" (number->string code) ": " msg "</p>"))
      (http:error-response-handler page)
      (http:add-resource "/teapot" (lambda (r a) (http:write-error-response 418 "I'm a teapot")))
      (define r (GET "/teapot"))
      (check "custom page" "<p>418: I'm a teapot</p>" (body r))
      (check "its length" "24" (header r "content-length"))
      (http:error-response-handler (http:error-response-handler))
      (http:add-resource "/inner" (lambda (r a)
        (parameterize ((http:error-response-handler (lambda (code msg) "<p>inner</p>")))
          (http:write-error-response 409 "Conflict"))))
      (check "parameterized in the handler" "<p>inner</p>" (body (GET "/inner")))
      (check "global one again elsewhere" "<p>418: I'm a teapot</p>" (body (GET "/teapot")))
      (check "and the 404 page" "<p>404: Not Found</p>" (body (GET "/nowhere")))
    `);
    expectAllPassed(results, 5);
  });

  it('writes to PORT when given', async () => {
    const results = await schemeChecks(`
      (http:error-response-handler (lambda (code msg) "<b>gone</b>"))
      (define text (call-with-output-string (lambda (p) (http:write-error-response 410 "Gone" p))))
      (check "status line" #t (string-prefix? "HTTP/1.0 410 Gone\\r\\nServer: (Silly)\\r\\n" text))
      (check "length and page" #t (string-suffix? "Content-Type: text/html\\r\\nContent-Length: 11\\r\\n\\r\\n<b>gone</b>" text))
    `);
    expectAllPassed(results, 2);
  });
});
