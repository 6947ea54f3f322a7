/**
 * http:content-parser from Scheme: the predefined urlencoded parser (read and called), a custom
 * parser for a symbol type receiving (size headers port) and returning two values, the request
 * body a handler sees (the first value), the default parser, and parsers reading
 * (current-input-port) as the egg's general description has it.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort } from './helpers.js';

let port: number;

beforeAll(async () => {
  port = await serveOnFreePort((port) => `
    (define (echo r a) (write (list (http:request-body r) a)))
    (http:add-resource "/echo" echo)
    (define (post-raw path content-type body)
      (raw-exchange ${port}
        (string-append "POST " path " HTTP/1.0\\r\\n"
                       (if content-type (string-append "Content-Type: " content-type "\\r\\n") "")
                       "Content-Length: " (number->string (string-length body)) "\\r\\n\\r\\n" body)))
  `);
});

afterAll(stopServers);

describe('http:content-parser', () => {
  it('reads the predefined application/x-www-form-urlencoded parser: (size headers port) → a-list and raw body', async () => {
    const results = await schemeChecks(`
      (define p (http:content-parser 'application/x-www-form-urlencoded))
      (check "a procedure" #t (procedure? p))
      (check "the same each time" #t (eq? p (http:content-parser 'application/x-www-form-urlencoded)))
      (call-with-values
        (lambda () (p 23 '(("content-type" . "application/x-www-form-urlencoded")) (open-input-string "a=1&b=x+y&c=%41%42&flag")))
        (lambda (parsed raw)
          (check "parsed" '(("a" . "1") ("b" . "x y") ("c" . "AB") ("flag" . "")) parsed)
          (check "raw" "a=1&b=x+y&c=%41%42&flag" raw)))
    `);
    expectAllPassed(results, 4);
  });

  it('an urlencoded POST body is the request body and follows the query arguments', async () => {
    const results = await schemeChecks(`
      (check "via http:POST" "(((\\"a\\" . \\"1\\") (\\"b\\" . \\"x y\\")) ((\\"q\\" . \\"0\\") (\\"a\\" . \\"1\\") (\\"b\\" . \\"x y\\")))"
             (http:POST "127.0.0.1:${port}/echo?q=0" '(("a" . "1") ("b" . "x y"))))
      (check "content type with parameters" "(((\\"k\\" . \\"v w\\")) ((\\"k\\" . \\"v w\\")))"
             (response-body (post-raw "/echo" "application/x-www-form-urlencoded; charset=utf-8" "k=v+w")))
    `);
    expectAllPassed(results, 2);
  });

  it('sets a parser for a symbol type: it gets (size headers port), its first value is the request body', async () => {
    const results = await schemeChecks(`
      (define seen #f)
      (define (json-parser size headers port)
        (let ((text (read-string size port)))
          (set! seen (list size (alist-ref "content-type" headers string=?) (eof-object? (read-char port))))
          (values (list 'json text) (string-append "raw:" text))))
      (http:content-parser 'application/json json-parser)
      (check "read back" #t (eq? json-parser (http:content-parser 'application/json)))
      (check "body is the first value" "((json \\"{\\\\\\"n\\\\\\": 1}\\") ())"
             (response-body (post-raw "/echo" "application/json; charset=utf-8" "{\\"n\\": 1}")))
      (check "size, headers, port at the end of the body" '(8 "application/json; charset=utf-8" #t) seen)
      (check "other types are not parsed by it" "(\\"plain text\\" ())" (response-body (post-raw "/echo" "text/plain" "plain text")))
    `);
    expectAllPassed(results, 4);
  });

  it('a parser returning one value gives it as the body; a parser may read (current-input-port)', async () => {
    const results = await schemeChecks(`
      (http:content-parser 'text/x-lines (lambda (size headers port) (read-lines)))
      (check "lines from current-input-port" "((\\"ab\\" \\"cd\\") ())" (response-body (post-raw "/echo" "text/x-lines" "ab\\r\\ncd\\r\\n")))
      (http:content-parser 'text/x-upcase (lambda (size headers port) (string-upcase (read-string size (current-input-port)))))
      (check "one value" "(\\"SHOUT\\" ())" (response-body (post-raw "/echo" "text/x-upcase" "shout")))
    `);
    expectAllPassed(results, 2);
  });

  it('the default parser gives the body as a string; a chunked body arrives whole, with its decoded size', async () => {
    const results = await schemeChecks(`
      (check "no content type" "(\\"just text\\" ())" (response-body (post-raw "/echo" #f "just text")))
      (define sizes '())
      (http:content-parser 'application/x-sized (lambda (size headers port) (set! sizes (cons size sizes)) (read-string size port)))
      (define chunked (raw-exchange ${port} "POST /echo HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\nContent-Type: application/x-sized\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n4\\r\\ndefg\\r\\n0\\r\\n\\r\\n"))
      (check "chunked body" "(\\"abcdefg\\" ())" (response-body chunked))
      (check "decoded size" '(7) sizes)
      (check "default parser of an unknown type is a procedure" #t (procedure? (http:content-parser 'application/x-unknown)))
    `);
    expectAllPassed(results, 4);
  });

  it('a parser that raises makes a 500; the server goes on', async () => {
    const results = await schemeChecks(`
      (define hooked #f)
      (http:error-hook (lambda (e) (set! hooked (error-object-message e))))
      (http:content-parser 'application/x-broken (lambda (size headers port) (error "cannot parse")))
      (check "500" #t (contains? (post-raw "/echo" "application/x-broken" "x") "HTTP/1.0 500 Internal Server Error\\r\\n"))
      (check "hook" "cannot parse" hooked)
      (check "still serving" "(\\"ok\\" ())" (response-body (post-raw "/echo" "text/plain" "ok")))
    `);
    expectAllPassed(results, 3);
  });
});
