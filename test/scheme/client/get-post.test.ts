/**
 * http-client from Scheme: `http:GET` (URL string, request object, the cookie hack) and
 * `http:POST` (a list of "name=value" strings, an a-list, a request object whose Content-Type is
 * not urlencoded with DELIM1 DELIM2 ENCODER): the exact requests a raw TCP server received, and
 * the round trip through a running Scheme server.
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, stopRunningServers } from '../../support/scheme.js';
import { expectAll, keepAlive, requestHeader, scriptedServers, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    ;; No Content-Length: the server frames the body (its length in bytes, not characters).
    (define (answer text)
      (display "Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n")
      (display text))
    (http:add-resource "/args" (lambda (r a) (answer (call-with-output-string (lambda (p) (write a p))))))
    (http:add-resource "/body" (lambda (r a) (answer (call-with-output-string (lambda (p) (write (http:request-body r) p))))))
    (http:add-resource "/login"
      (lambda (r a)
        (display "Set-Cookie: session=s3cr3t; Path=/; HttpOnly\\r\\n")
        (answer "welcome")))
    (http:add-resource "/whoami"
      (lambda (r a) (answer (or (alist-ref "cookie" (http:request-attributes r) string=?) "nobody"))))
  `);
});

const serve = scriptedServers('(http:close-all-connections!)');

afterAll(stopRunningServers);

describe('http:GET', () => {
  it('with a URL string returns the body as a string', async () => {
    const s = await serve((c) => c.write(keepAlive('caf\u00e9 body\r\nsecond line', 'Content-Type: text/plain; charset=utf-8\r\n')));
    expectAll(await checks(`
      (define body (http:GET "127.0.0.1:${s.port}/page?x=1"))
      (check "the body" "caf\u00e9 body\\r\\nsecond line" body)
      (check "a string" #t (string? body))
      (check "http:// URL" "caf\u00e9 body\\r\\nsecond line" (http:GET "http://127.0.0.1:${s.port}/other"))
    `), 3);
    expect(s.requests.map((r) => r.requestLine)).toEqual(['GET /page?x=1 HTTP/1.1', 'GET /other HTTP/1.1']);
    expect(s.requests.map((r) => requestHeader(r, 'host'))).toEqual([`127.0.0.1:${s.port}`, `127.0.0.1:${s.port}`]);
  });

  it('with a request object sends its method, protocol and attributes', async () => {
    const s = await serve((c) => c.write(keepAlive('fine')));
    expectAll(await checks(`
      (define r (http:make-request 'GET "http://127.0.0.1:${s.port}/obj" '(("Accept" . "text/plain") ("X-Client" . "scheme")) #f 'HTTP/1.0))
      (check "body" "fine" (http:GET r))
    `), 1);
    expect(s.requests[0]!.head).toBe(`GET /obj HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nAccept: text/plain\r\nX-Client: scheme\r\n\r\n`);
  });

  it('reads chunked and read-to-end bodies whole', async () => {
    const s = await serve((c, req) => {
      if (req.requestLine.includes('/chunked')) c.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n');
      else c.end('HTTP/1.0 200 OK\r\n\r\nuntil the end');
    });
    expectAll(await checks(`
      (check "chunked" "hello, world" (http:GET "127.0.0.1:${s.port}/chunked"))
      (check "to the end" "until the end" (http:GET "127.0.0.1:${s.port}/eof"))
    `), 2);
  });

  it('from a running Scheme server', async () => {
    expectAll(await checks(`
      (check "handler arguments" "((\\"a\\" . \\"1\\") (\\"b\\" . \\"x y\\"))" (http:GET "127.0.0.1:${PORT}/args?a=1&b=x+y"))
    `), 1);
  });
});

describe('the cookie hack', () => {
  it('a Set-Cookie lands in the request object\'s Cookie attribute and goes out with the next http:GET', async () => {
    const s = await serve((c) => {
      const i = s.requests.length;
      if (i === 1) c.write(keepAlive('first', 'Set-Cookie: sid=abc123; Path=/; HttpOnly\r\nSet-Cookie: lang=en\r\n'));
      else if (i === 2) c.write(keepAlive('second', 'Set-Cookie: sid=new456; Expires=Wed, 21 Oct 2037 07:28:00 GMT\r\n'));
      else c.write(keepAlive('third'));
    });
    expectAll(await checks(`
      (define r (http:make-request 'GET "http://127.0.0.1:${s.port}/app" '(("Accept" . "*/*")) #f 'HTTP/1.1))
      (check "first body" "first" (http:GET r))
      (check "the cookies are kept in the request" '(("Accept" . "*/*") ("Cookie" . "sid=abc123; lang=en")) (http:request-attributes r))
      (check "second body" "second" (http:GET r))
      (check "a new value replaces the old one" "sid=new456; lang=en" (alist-ref "Cookie" (http:request-attributes r) string=?))
      (check "third body" "third" (http:GET r))
    `), 5);
    expect(s.requests.map((r) => requestHeader(r, 'cookie'))).toEqual([undefined, 'sid=abc123; lang=en', 'sid=new456; lang=en']);
  });

  it('works against a running Scheme server, and a URL string keeps nothing', async () => {
    expectAll(await checks(`
      (define r (http:make-request 'GET "http://127.0.0.1:${PORT}/login" '() #f 'HTTP/1.1))
      (check "login" "welcome" (http:GET r))
      (http:request-url-set! r "http://127.0.0.1:${PORT}/whoami")
      (check "the server sees the cookie" "session=s3cr3t" (http:GET r))
      (check "a URL string has no request to keep it" "welcome" (http:GET "127.0.0.1:${PORT}/login"))
      (check "so the next URL string sends none" "nobody" (http:GET "127.0.0.1:${PORT}/whoami"))
    `), 4);
  });

  it('http:POST keeps cookies the same way', async () => {
    const s = await serve((c) => c.write(keepAlive('posted', 'Set-Cookie: csrf=tok; Path=/\r\n')));
    expectAll(await checks(`
      (define r (http:make-request 'POST "http://127.0.0.1:${s.port}/form" '() #f 'HTTP/1.1))
      (check "body" "posted" (http:POST r '("a=1")))
      (check "cookie kept" "csrf=tok" (alist-ref "Cookie" (http:request-attributes r) string=?))
      (check "sent with the next POST" "posted" (http:POST r '("a=2")))
    `), 3);
    expect(s.requests.map((r) => requestHeader(r, 'cookie'))).toEqual([undefined, 'csrf=tok']);
  });
});

describe('http:POST', () => {
  it('with a URL string and a list of "name=value" strings: an urlencoded body joined by &', async () => {
    const s = await serve((c) => c.write(keepAlive('thanks')));
    expectAll(await checks(`
      (check "response body" "thanks" (http:POST "127.0.0.1:${s.port}/submit" '("name=value" "other=2")))
    `), 1);
    const req = s.requests[0]!;
    expect(req.requestLine).toBe('POST /submit HTTP/1.1');
    expect(requestHeader(req, 'content-type')).toBe('application/x-www-form-urlencoded');
    expect(requestHeader(req, 'content-length')).toBe('18');
    expect(req.body.toString()).toBe('name=value&other=2');
  });

  it('with an a-list: names and values form-urlencoded', async () => {
    const s = await serve((c) => c.write(keepAlive('ok')));
    expectAll(await checks(`
      (check "pairs" "ok" (http:POST "127.0.0.1:${s.port}/p" '(("name" . "J\u00fcrgen Smith") ("q" . "a&b=c") ("n" . 42))))
      (check "two-element lists" "ok" (http:POST "127.0.0.1:${s.port}/p" '(("x" "1") ("y" "2 3"))))
    `), 2);
    expect(s.requests.map((r) => r.body.toString())).toEqual(['name=J%C3%BCrgen+Smith&q=a%26b%3Dc&n=42', 'x=1&y=2+3']);
  });

  it('with a request object whose Content-Type is not urlencoded: DELIM1, DELIM2 and ENCODER', async () => {
    const s = await serve((c) => c.write(keepAlive('ok')));
    expectAll(await checks(`
      (define (req) (http:make-request 'POST "http://127.0.0.1:${s.port}/raw" '(("Content-Type" . "text/plain")) #f 'HTTP/1.1))
      (check "a lambda encoder" "ok" (http:POST (req) '(("a" . "1") ("b" . "x y")) ";" ":" (lambda (v) (string-append "<" v ">"))))
      (check "string-upcase as the encoder" "ok" (http:POST (req) '(("a" . "one") ("b" . "two")) "\\n" " = " string-upcase))
      (check "an encoder that suspends" "ok"
        (http:POST (req) '(("k" . "v")) "&" "=" (lambda (v) (thread-sleep! 0.01) (string-append v v))))
      (check "strings are sent as they are" "ok" (http:POST (req) '("a=1" "b=x y") "|" ":" string-upcase))
      (check "default delimiters and encoder" "ok" (http:POST (req) '(("a" . "1") ("b" . "x y&z"))))
    `), 5);
    expect(s.requests.map((r) => r.body.toString())).toEqual([
      'a:<1>;b:<x y>',
      'a = ONE\nb = TWO',
      'k=vv',
      'a=1|b=x y',
      'a=1&b=x+y%26z',
    ]);
    expect(s.requests.map((r) => requestHeader(r, 'content-type'))).toEqual(Array(5).fill('text/plain'));
    expect(s.requests.map((r) => r.requestLine)).toEqual(Array(5).fill('POST /raw HTTP/1.1'));
  });

  it('with a request object whose Content-Type is urlencoded (with parameters): & and =, ENCODER not called', async () => {
    const s = await serve((c) => c.write(keepAlive('ok')));
    expectAll(await checks(`
      (define calls 0)
      (define r (http:make-request 'POST "http://127.0.0.1:${s.port}/u" '(("Content-Type" . "application/x-www-form-urlencoded; charset=UTF-8")) #f 'HTTP/1.1))
      (check "response" "ok" (http:POST r '(("a" . "x y") ("b" . "2")) ";" ":" (lambda (v) (set! calls (+ calls 1)) "ENC")))
      (check "the encoder was not called" 0 calls)
      (define plain (http:make-request 'POST "http://127.0.0.1:${s.port}/v"))
      (check "no Content-Type: urlencoded" "ok" (http:POST plain '(("c" . "3"))))
      (check "the Content-Type is added to the request" "application/x-www-form-urlencoded"
        (alist-ref "Content-Type" (http:request-attributes plain) string=?))
    `), 4);
    expect(s.requests.map((r) => r.body.toString())).toEqual(['a=x+y&b=2', 'c=3']);
    expect(s.requests[1]!.requestLine).toBe('POST /v HTTP/1.0');
  });

  it('round trip through a running Scheme server: the handler gets the arguments', async () => {
    expectAll(await checks(`
      (check "strings" "((\\"q\\" . \\"1\\") (\\"a\\" . \\"1\\") (\\"b\\" . \\"2\\"))" (http:POST "127.0.0.1:${PORT}/args?q=1" '("a=1" "b=2")))
      (check "pairs" "((\\"name\\" . \\"J\u00fcrgen & co\\"))" (http:POST "127.0.0.1:${PORT}/args" '(("name" . "J\u00fcrgen & co"))))
      (check "text body through the default parser" "\\"a:1;b:2\\""
        (http:POST (http:make-request 'POST "http://127.0.0.1:${PORT}/body" '(("Content-Type" . "text/plain")) #f 'HTTP/1.1)
                   '(("a" . "1") ("b" . "2")) ";" ":" (lambda (v) v)))
    `), 3);
  });

  it('rejects bad arguments', async () => {
    const s = await serve((c) => c.write(keepAlive('ok')));
    expectAll(await checks(`
      (define (req) (http:make-request 'POST "http://127.0.0.1:${s.port}/raw" '(("Content-Type" . "text/plain")) #f 'HTTP/1.1))
      (check-error "ARGUMENTS not a list" (lambda () (http:POST "127.0.0.1:${s.port}/" 5)))
      (check-error "an argument that is neither" (lambda () (http:POST "127.0.0.1:${s.port}/" '(5))))
      (check-error "ENCODER not a procedure" (lambda () (http:POST (req) '(("a" . "1")) "&" "=" "nope")))
      (check-error "ENCODER returns a number" (lambda () (http:POST (req) '(("a" . "1")) "&" "=" (lambda (v) 5))))
      (check-error "ENCODER raises" (lambda () (http:POST (req) '(("a" . "1")) "&" "=" (lambda (v) (error "no")))))
    `), 5);
    expect(s.requests).toHaveLength(0);
  });
});
