/**
 * http-client from Scheme: `http:read-body` on the input port of `http:send-request`, framed by
 * the header a-list: Content-Length (exactly that many bytes, so the connection can carry the
 * next request), chunked (extensions and trailers consumed), and read to the end of the stream;
 * against raw TCP servers (exact bytes) and a running Scheme server.
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, stopRunningServers } from '../../support/scheme.js';
import { expectAll, scriptedServers, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    ;; 200 lines of 999 characters and a newline.
    (define line (string-append (make-string 999 #\\x) "\\n"))
    ;; No Content-Length: an HTTP/1.1 response this long goes out chunked.
    (http:add-resource "/big"
      (lambda (r a)
        (display "Content-Type: text/plain\\r\\n\\r\\n")
        (do ((k 0 (+ k 1))) ((= k 200)) (display line))))
    (http:add-resource "/small" (lambda (r a) (display "Content-Length: 5\\r\\n\\r\\nsmall")))
  `);
});

const serve = scriptedServers();

afterAll(stopRunningServers);

/** Scheme that sends a keep-alive GET for PATH on a new connection (or on ports I and O). */
const get = (port: number, path: string, ports = ''): string =>
  `(http:send-request (http:make-request 'GET "http://127.0.0.1:${port}${path}" '() #f 'HTTP/1.1) ${ports})`;

describe('http:read-body with Content-Length', () => {
  it('reads exactly that many bytes (UTF-8 decoded); the connection carries the next request', async () => {
    const bodies = ['caf\u00e9 \u20ac', 'second'];
    const s = await serve((c, _req, n) => {
      const body = Buffer.from(bodies[n] ?? 'none');
      c.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    expectAll(await checks(`
      (define-values (h a i o) ${get(s.port, '/one')})
      (check "content-length counts bytes" "9" (alist-ref "content-length" a string=?))
      (check "the body" "caf\u00e9 \u20ac" (http:read-body a i))
      (define-values (h2 a2 i2 o2) ${get(s.port, '/two', 'i o')})
      (check "the next response on the same connection" '("HTTP/1.1 200 OK" "second") (list h2 (http:read-body a2 i2)))
      (close-input-port i2)
      (close-output-port o2)
    `), 3);
    expect(s.connections).toHaveLength(1);
  });

  it('Content-Length 0 is the empty string; a header a-list written by hand works', async () => {
    const s = await serve((c, _req, n) => c.write(n === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef'));
    expectAll(await checks(`
      (define-values (h a i o) ${get(s.port, '/empty')})
      (check "empty" "" (http:read-body a i))
      (define-values (h2 a2 i2 o2) ${get(s.port, '/abc', 'i o')})
      (check "three of the six bytes, by an a-list of our own" "abc" (http:read-body '(("Content-Length" . "3")) i2))
      (check "the rest is still on the port" "def" (read-string 3 i2))
      (close-input-port i2)
      (close-output-port o2)
    `), 3);
  });
});

describe('http:read-body with Transfer-Encoding: chunked', () => {
  it('joins the chunks, skips extensions, consumes the trailers; the connection carries the next request', async () => {
    const s = await serve((c, _req, n) => {
      if (n === 0) {
        c.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        c.write('6\r\nhello \r\n');
        c.write(Buffer.from('7;name=value\r\nw\u00f6rld!\r\n'));
        c.write('A\r\n0123456789\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n');
      } else c.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
    });
    expectAll(await checks(`
      (define-values (h a i o) ${get(s.port, '/chunked')})
      (check "header" "chunked" (alist-ref "transfer-encoding" a string=?))
      (check "the body" "hello w\u00f6rld!0123456789" (http:read-body a i))
      (define-values (h2 a2 i2 o2) ${get(s.port, '/after', 'i o')})
      (check "the next response" '("HTTP/1.1 200 OK" "next") (list h2 (http:read-body a2 i2)))
      (close-input-port i2)
      (close-output-port o2)
    `), 3);
    expect(s.connections).toHaveLength(1);
  });

  it('reads the chunked body of a long response from a running Scheme server', async () => {
    expectAll(await checks(`
      (define-values (h a i o) ${get(PORT, '/big')})
      (check "chunked" "chunked" (alist-ref "transfer-encoding" a string=?))
      (check "no content-length" #f (alist-ref "content-length" a string=?))
      (define body (http:read-body a i))
      (check "all of it" 200000 (string-length body))
      (check "what it holds" #t
        (let loop ((k 0) (acc "")) (if (= k 200) (string=? body acc) (loop (+ k 1) (string-append acc line)))))
      (define-values (h2 a2 i2 o2) ${get(PORT, '/small', 'i o')})
      (check "then another request on the connection" "small" (http:read-body a2 i2))
      (close-input-port i2)
      (close-output-port o2)
    `), 5);
  });
});

describe('http:read-body without a length', () => {
  it('reads to the end of the stream', async () => {
    const s = await serve((c) => c.end(Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two \u00e9\r\n')));
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request "127.0.0.1:${s.port}/eof"))
      (check "status" "HTTP/1.0 200 OK" h)
      (check "everything until the server closed" "line one\\r\\nline two \u00e9\\r\\n" (http:read-body a i))
      (check "then nothing" #t (eof-object? (read-char i)))
      (close-input-port i)
      (close-output-port o)
    `), 3);
  });
});

describe('http:read-body errors', () => {
  it('a body shorter than its Content-Length, or a bad chunk, raises a condition naming the URL', async () => {
    const s = await serve((c, req) => {
      if (req.requestLine.includes('/short')) c.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
      else c.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n');
    });
    expectAll(await checks(`
      (define (message thunk) (guard (e (#t (error-object-message e))) (thunk) "no error"))
      (define-values (h a i o) ${get(s.port, '/short')})
      (define m1 (message (lambda () (http:read-body a i))))
      (check "short: names the URL" #t (and (string-search "http://127.0.0.1:${s.port}/short" m1) #t))
      (check "short: says what" #t (and (string-search "9 of 100" m1) #t))
      (define-values (h2 a2 i2 o2) ${get(s.port, '/chunk')})
      (define m2 (message (lambda () (http:read-body a2 i2))))
      (check "bad chunk: names the URL" #t (and (string-search "http://127.0.0.1:${s.port}/chunk" m2) #t))
      (check "condition-case (exn http)" 'caught
        (condition-case (http:read-body '(("content-length" . "5")) i2) ((exn http) 'caught)))
      (close-input-port i) (close-output-port o) (close-input-port i2) (close-output-port o2)
    `), 4);
  });

  it('rejects a port that is not from http:send-request and headers that are not an a-list', async () => {
    expectAll(await checks(`
      (check-error "a string port" (lambda () (http:read-body '(("content-length" . "1")) (open-input-string "x"))))
      (check-error "not an a-list" (lambda () (http:read-body 5 (open-input-string "x"))))
    `), 2);
  });
});
