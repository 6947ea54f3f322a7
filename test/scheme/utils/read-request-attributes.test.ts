/**
 * http-utils from Scheme: `http:read-request-attributes` over a string port (open-input-string)
 * and over a request body read from a running Scheme server's `current-input-port`: lowercased
 * names, trimmed values, stopping at the blank line, a line that is not a header, or the end.
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
    (define (answer text)
      (display (string-append "Content-Length: " (number->string (string-length text)) "\\r\\n\\r\\n" text)))
    ;; A method handler of the program: the body is left on current-input-port.
    (http:request-method-handler 'PUT
      (lambda (r)
        (let* ((attrs (http:read-request-attributes (current-input-port)))
               (rest (read-string #f (current-input-port))))
          (set! seen (list attrs rest))
          (display "HTTP/1.1 200 OK\\r\\n")
          (answer "put"))))
    ;; A content parser that reads the attributes off its PORT.
    (http:content-parser 'message/x-headers
      (lambda (size headers port)
        (let ((attrs (http:read-request-attributes port)))
          (values attrs (read-line port)))))
    ;; A content parser that reads nothing: the handler reads the body itself.
    (http:content-parser 'message/x-raw (lambda (size headers port) (values #f #f)))
    (http:add-resource "/parsed" (lambda (r a) (set! seen (http:request-body r)) (answer "parsed")))
    (http:add-resource "/raw"
      (lambda (r a)
        (let* ((attrs (http:read-request-attributes))
               (line (read-line)))
          (set! seen (list (http:request-body r) attrs line))
          (answer "raw"))))
  `);
});

afterAll(stopRunningServers);

async function send(method: string, path: string, contentType: string, body: string): Promise<{ status: number; body: string }> {
  const res = await exchangeOne(PORT, `${method} ${path} HTTP/1.1\r\nHost: h\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  return { status: res.status, body: res.body };
}

describe('http:read-request-attributes on a string port', () => {
  it('lowercases names and trims values, in order, up to the blank line', async () => {
    expectAll(await checks(`
      (define p (open-input-string "Content-Type:  text/html; charset=utf-8  \\r\\nX-Forwarded-FOR:\\t10.0.0.1\\t\\r\\nHost: example.org:8080\\r\\nX-Empty:\\r\\nx-dup: 1\\r\\nX-Dup: 2\\r\\n\\r\\nthe body\\r\\nline two"))
      (define attrs (http:read-request-attributes p))
      (check "a-list" '(("content-type" . "text/html; charset=utf-8") ("x-forwarded-for" . "10.0.0.1")
                        ("host" . "example.org:8080") ("x-empty" . "") ("x-dup" . "1") ("x-dup" . "2")) attrs)
      (check "names and values are strings" #t (every (lambda (p) (and (string? (car p)) (string? (cdr p)))) attrs))
      (check "assoc by lowercased name" "example.org:8080" (cdr (assoc "host" attrs)))
      (check "the blank line is consumed, the body is left" "the body" (read-line p))
      (check "the rest" "line two" (read-line p))
    `), 5);
  });

  it('takes LF line ends too, and stops at the end of input without a blank line', async () => {
    expectAll(await checks(`
      (check "LF" '(("a" . "1") ("b" . "2")) (http:read-request-attributes (open-input-string "A: 1\\nB: 2\\n")))
      (check "no final line end" '(("a" . "1")) (http:read-request-attributes (open-input-string "A: 1")))
      (check "empty port" '() (http:read-request-attributes (open-input-string "")))
      (check "blank line first" '() (http:read-request-attributes (open-input-string "\\r\\nA: 1\\r\\n")))
    `), 4);
  });

  it('stops at the first line that is not a header; that line is read, the rest is left', async () => {
    expectAll(await checks(`
      (define p (open-input-string "A: 1\\nB: 2\\nnot a header\\nC: 3\\n"))
      (check "before the line" '(("a" . "1") ("b" . "2")) (http:read-request-attributes p))
      (check "what is left" "C: 3" (read-line p))
      (check "space before the colon is not a header" '(("a" . "1"))
        (http:read-request-attributes (open-input-string "A: 1\\nBad : 2\\nC: 3\\n")))
      (check "a folded continuation line is not a header" '(("a" . "1"))
        (http:read-request-attributes (open-input-string "A: 1\\n  folded\\nC: 3\\n")))
      (check "a status line is not a header" '()
        (http:read-request-attributes (open-input-string "HTTP/1.1 200 OK\\r\\nA: 1\\r\\n")))
    `), 5);
  });

  it('reads (current-input-port) when no port is given', async () => {
    expectAll(await checks(`
      (check "with-input-from-string" '(("x" . "y"))
        (with-input-from-string "X: y\\r\\n\\r\\n" (lambda () (http:read-request-attributes))))
      (check "parameterize" '(("k" . "v"))
        (parameterize ((current-input-port (open-input-string "K: v\\n"))) (http:read-request-attributes)))
    `), 2);
  });

  it('rejects what is not an input port', async () => {
    expectAll(await checks(`
      (check-error "a string" (lambda () (http:read-request-attributes "A: 1\\r\\n")))
      (check-error "an output port" (lambda () (http:read-request-attributes (open-output-string))))
    `), 2);
  });
});

describe('http:read-request-attributes on a request body, inside a running Scheme server', () => {
  const body = 'Name-One:  v1  \r\nTWO:v2\r\n\r\nrest line\r\nlast';

  it("from a method handler's current-input-port", async () => {
    expect(await send('PUT', '/anything', 'text/plain', body)).toEqual({ status: 200, body: 'put' });
    expectAll(await checks(`
      (check "attributes, then the rest of the body" '((("name-one" . "v1") ("two" . "v2")) "rest line\\r\\nlast") seen)
    `), 1);
  });

  it("from a resource handler's current-input-port (the default port) when the content parser left the body", async () => {
    expect(await send('POST', '/raw', 'message/x-raw', body)).toEqual({ status: 200, body: 'raw' });
    expectAll(await checks(`
      (check "body #f, attributes, next line" '(#f (("name-one" . "v1") ("two" . "v2")) "rest line") seen)
    `), 1);
  });

  it("from a content parser's PORT: the parsed value becomes the request body", async () => {
    expect(await send('POST', '/parsed', 'message/x-headers', body)).toEqual({ status: 200, body: 'parsed' });
    expectAll(await checks(`
      (check "request body" '(("name-one" . "v1") ("two" . "v2")) seen)
    `), 1);
  });

  it('stops at the end of the body, never reading into anything after it', async () => {
    expect(await send('PUT', '/anything', 'text/plain', 'A: 1\r\nB: 2')).toEqual({ status: 200, body: 'put' });
    expectAll(await checks(`
      (check "all of the body, nothing left" '((("a" . "1") ("b" . "2")) "") seen)
    `), 1);
  });
});
