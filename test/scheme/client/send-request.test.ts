/**
 * http-client from Scheme: `http:send-request` with a URL string and with a request object (the
 * exact bytes a raw TCP server received), its four values (status line, header a-list, input and
 * output ports with the body unread), persistent connections through the ports passed back in
 * (against a raw server and a running Scheme server, counting connections), reading the body with
 * read-line / read-lines / read-string / read-char, writing on the output port, and closing.
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, stopRunningServers, compiled } from '../../support/scheme.js';
import { waitUntil } from '../../support/client-fixtures.js';
import { expectAll, keepAlive, scriptedServers, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    (define accepted 0)
    (http:accept-procedure (lambda (socket) (set! accepted (+ accepted 1)) socket))
    (http:add-resource "/count"
      (lambda (r a)
        (let ((text (string-append (symbol->string (http:request-method r)) " " (http:request-url r))))
          (display (string-append "Content-Length: " (number->string (string-length text)) "\\r\\n\\r\\n" text)))))
  `);
});

const serve = scriptedServers();

afterAll(stopRunningServers);

describe('http:send-request with a URL string', () => {
  it('sends GET path HTTP/1.0 with Host and Connection: close, and returns the head with the body unread', async () => {
    const s = await serve((c) => c.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Multi: a\r\nx-multi:   b  \r\nContent-Length: 20\r\n\r\nline one\r\nline two\r\n'));
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request "127.0.0.1:${s.port}/path/file.txt?q=1&r=a%20b"))
      (check "status line, without CRLF" "HTTP/1.0 200 OK" h)
      (check "headers: lowercased names, trimmed values, in order, duplicates kept"
        '(("content-type" . "text/plain") ("x-multi" . "a") ("x-multi" . "b") ("content-length" . "20")) a)
      (check "an input port" #t (input-port? i))
      (check "an output port" #t (output-port? o))
      (check "the body is left on the input port" '("line one" "line two") (read-lines i))
      (check "then end of file" #t (eof-object? (read-char i)))
      (close-input-port i)
      (close-output-port o)
    `), 6);
    expect(s.requests.map((r) => r.head)).toEqual([
      `GET /path/file.txt?q=1&r=a%20b HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
    ]);
  });

  it('takes http:// URLs and URLs without a path', async () => {
    const s = await serve((c) => c.end('HTTP/1.0 204 No Content\r\n\r\n'));
    expectAll(await checks(`
      (define-values (h1 a1 i1 o1) (http:send-request "http://127.0.0.1:${s.port}/abs"))
      (check "status" "HTTP/1.0 204 No Content" h1)
      (check "no headers" '() a1)
      (close-input-port i1) (close-output-port o1)
      (define-values (h2 a2 i2 o2) (http:send-request "127.0.0.1:${s.port}"))
      (check "status again" "HTTP/1.0 204 No Content" h2)
      (close-input-port i2) (close-output-port o2)
    `), 3);
    expect(s.requests.map((r) => r.head)).toEqual([
      `GET /abs HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
      `GET / HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
    ]);
    expect(s.connections).toHaveLength(2);
  });

  it('reads the seed example: a running Scheme server, read-lines on the input port', async () => {
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request "127.0.0.1:${PORT}/count?x=1"))
      (check "status" "HTTP/1.0 200 OK" h)
      (check "server header" "(Silly)" (alist-ref "server" a string=?))
      (check "body" '("GET /count?x=1") (read-lines i))
      (close-input-port i)
      (close-output-port o)
    `), 3);
  });
});

describe('http:send-request with a request object', () => {
  it('sends METHOD target PROTOCOL, Host first, then the attributes in order', async () => {
    const s = await serve((c) => c.end(keepAlive('done')));
    expectAll(await checks(`
      (define r (http:make-request 'GET "http://127.0.0.1:${s.port}/obj?k=v" '(("Accept" . "text/plain") ("X-Trace" . "t1")) #f 'HTTP/1.1))
      (define-values (h a i o) (http:send-request r))
      (check "status" "HTTP/1.1 200 OK" h)
      (check "body" "done" (read-string 4 i))
      (close-input-port i)
      (close-output-port o)
    `), 2);
    expect(s.requests[0]!.head).toBe(`GET /obj?k=v HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nAccept: text/plain\r\nX-Trace: t1\r\n\r\n`);
  });

  it('a path alone goes to the Host attribute, which is not repeated; a body gets its Content-Length', async () => {
    const s = await serve((c) => c.end(keepAlive('')));
    expectAll(await checks(`
      (define-values (h a i o)
        (http:send-request (http:make-request 'HEAD "/only-path" '(("Host" . "127.0.0.1:${s.port}") ("Connection" . "close")))))
      (check "head status" "HTTP/1.1 200 OK" h)
      (close-input-port i) (close-output-port o)
      (define-values (h2 a2 i2 o2)
        (http:send-request (http:make-request 'POST "http://127.0.0.1:${s.port}/submit" '(("Content-Type" . "text/plain; charset=utf-8")) "h\u00e9llo w\u00f6rld" 'HTTP/1.1)))
      (check "post status" "HTTP/1.1 200 OK" h2)
      (close-input-port i2) (close-output-port o2)
    `), 2);
    expect(s.requests[0]!.head).toBe(`HEAD /only-path HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`);
    expect(s.requests[1]!.head).toBe(`POST /submit HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\n`);
    expect(s.requests[1]!.body.toString('utf8')).toBe('héllo wörld');
  });

  it('refuses a request object whose attributes would inject header lines', async () => {
    const s = await serve((c) => c.end(keepAlive('')));
    expectAll(await checks(`
      (check-error "CR LF in a value"
        (lambda () (http:send-request (http:make-request 'GET "http://127.0.0.1:${s.port}/" '(("X-A" . "1\\r\\nX-Injected: 2")) #f 'HTTP/1.1))))
      (check-error "a space in a name"
        (lambda () (http:send-request (http:make-request 'GET "http://127.0.0.1:${s.port}/" '(("Bad Name" . "1")) #f 'HTTP/1.1))))
    `), 2);
    expect(s.connections).toHaveLength(0);
  });
});

describe('a persistent connection: the ports passed back in', () => {
  it('carries three requests on one connection of a raw server', async () => {
    const s = await serve((c, req) => c.write(keepAlive(`you asked for ${req.requestLine.split(' ')[1]}`)));
    expectAll(await checks(`
      (define (req path) (http:make-request 'GET (string-append "http://127.0.0.1:${s.port}" path) '() #f 'HTTP/1.1))
      (define-values (h1 a1 i o) (http:send-request (req "/one")))
      (check "first body" "you asked for /one" (http:read-body a1 i))
      (define-values (h2 a2 i2 o2) (http:send-request (req "/two") i o))
      (check "second status" "HTTP/1.1 200 OK" h2)
      (check "second body" "you asked for /two" (http:read-body a2 i2))
      (define-values (h3 a3 i3 o3) (http:send-request (req "/three") i2 o2))
      (check "third body, read with read-string"
        "you asked for /three" (read-string (string->number (alist-ref "content-length" a3 string=?)) i3))
      (check "the same ports come back" '(#t #t) (list (and (eq? i i2) (eq? i2 i3)) (and (eq? o o2) (eq? o2 o3))))
      (close-input-port i3)
      (close-output-port o3)
    `), 5);
    expect(s.connections).toHaveLength(1);
    expect(s.connections[0]!.requests.map((r) => r.requestLine)).toEqual(['GET /one HTTP/1.1', 'GET /two HTTP/1.1', 'GET /three HTTP/1.1']);
    await waitUntil(() => s.openCount === 0, 3000, 'the closed ports to close the connection');
  });

  it('carries three requests on one connection of a running Scheme server', async () => {
    expectAll(await checks(`
      (set! accepted 0)
      (define (req method path) (http:make-request method (string-append "http://127.0.0.1:${PORT}" path) '() #f 'HTTP/1.1))
      (define-values (h1 a1 i o) (http:send-request (req 'GET "/count?n=1")))
      (check "first" "GET /count?n=1" (http:read-body a1 i))
      (define-values (h2 a2 i2 o2) (http:send-request (req 'POST "/count?n=2") i o))
      (check "second" "POST /count?n=2" (http:read-body a2 i2))
      (define-values (h3 a3 i3 o3) (http:send-request (req 'GET "/count?n=3") i2 o2))
      (check "third" "GET /count?n=3" (http:read-body a3 i3))
      (check "one connection accepted" 1 accepted)
      (close-input-port i3)
      (close-output-port o3)
      (define-values (h4 a4 i4 o4) (http:send-request (req 'GET "/count?n=4")))
      (check "without the ports: a new connection" '("GET /count?n=4" 2) (list (http:read-body a4 i4) accepted))
      (close-input-port i4)
      (close-output-port o4)
    `), 5);
  });

  it('refuses ports that are closed, unpaired or of two connections', async () => {
    const s = await serve((c) => c.write(keepAlive('x')));
    expectAll(await checks(`
      (define (req) (http:make-request 'GET "http://127.0.0.1:${s.port}/" '() #f 'HTTP/1.1))
      (define-values (h1 a1 i1 o1) (http:send-request (req)))
      (define-values (h2 a2 i2 o2) (http:send-request (req)))
      (http:read-body a1 i1)
      (http:read-body a2 i2)
      (define (message thunk) (guard (e (#t (error-object-message e))) (thunk) "no error"))
      (check "ports of two connections" #t
        (and (string-search "different connections" (message (lambda () (http:send-request (req) i1 o2)))) #t))
      (check "an input port alone" #t
        (and (string-search "OUTPUT-PORT" (message (lambda () (http:send-request (req) i1)))) #t))
      (check-error "a string port" (lambda () (http:send-request (req) (open-input-string "") o1)))
      (close-input-port i1)
      (check "a closed input port" #t
        (and (string-search "INPUT-PORT passed in is closed" (message (lambda () (http:send-request (req) i1 o1)))) #t))
      (close-output-port o1)
      (close-output-port o2)
      (check "a closed output port" #t
        (and (string-search "OUTPUT-PORT passed in is closed" (message (lambda () (http:send-request (req) i2 o2)))) #t))
      (close-input-port i2)
    `), 5);
    expect(s.requests).toHaveLength(2);
    await waitUntil(() => s.openCount === 0, 3000, 'both connections closed');
  });

  it('a connection the server closed (Connection: close) cannot carry another request', async () => {
    const s = await serve((c) => c.end('HTTP/1.0 200 OK\r\n\r\nbye'));
    const url = `127.0.0.1:${s.port}/first`;
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request "${url}"))
      (check "body to the end" "bye" (read-string #f i))
      (check "the error names the URL" #t
        (guard (e (#t (and (string-search "127.0.0.1:${s.port}/second" (error-object-message e)) #t)))
          (http:send-request "127.0.0.1:${s.port}/second" i o)
          #f))
      (close-input-port i)
      (close-output-port o)
    `), 2);
    expect(s.requests.map((r) => r.requestLine)).toEqual(['GET /first HTTP/1.0']);
  });
});

describe('the input and output ports', () => {
  it('read-char, peek-char, read-string, read-line and read-lines read the body as UTF-8 text', async () => {
    const body = 'h\u00e9llo \u20ac!\nline two\r\nline three\nline four\nrest';
    const s = await serve((c) => c.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${Buffer.from(body).toString('latin1')}`));
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request "127.0.0.1:${s.port}/text"))
      (check "read-char" #\\h (read-char i))
      ${compiled
        // Strings are bytes: é is two characters, € three.
        ? `(check "peek-char of a two-byte character" (integer->char 195) (peek-char i))
           (check "read-char of it" (integer->char 195) (read-char i))
           (check "read-string counts bytes" "\\xA9llo " (read-string 5 i))
           (check "read-line: the rest of the line" "\u20ac!" (read-line i))`
        : `(check "peek-char of a two-byte character" #\\\u00e9 (peek-char i))
           (check "read-char of it" #\\\u00e9 (read-char i))
           (check "read-string counts characters" "llo \u20ac" (read-string 5 i))
           (check "read-line: the rest of the line" "!" (read-line i))`}
      (check "read-line strips CR LF" "line two" (read-line i))
      (check "read-lines with a maximum" '("line three") (read-lines i 1))
      (check "read-lines" '("line four" "rest") (read-lines i))
      (check "end of file" #t (eof-object? (read-line i)))
      (check "read-string at the end" #t (eof-object? (read-string 3 i)))
      (close-input-port i)
      (close-output-port o)
      (check-error "reading a closed port" (lambda () (read-line i)))
    `), 11);
  });

  it('read-string #f reads the rest, the output port writes on the connection', async () => {
    const s = await serve((c, req) => c.write(keepAlive(`answer to ${req.requestLine}`)));
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request (http:make-request 'GET "http://127.0.0.1:${s.port}/a" '() #f 'HTTP/1.1)))
      (check "first answer" "answer to GET /a HTTP/1.1" (http:read-body a i))
      (display "GET /by-hand HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Written: by display\\r\\n\\r\\n" o)
      (check "the status line the server sent" "HTTP/1.1 200 OK" (read-line i))
      (check "its header" "Content-Length: 31" (read-line i))
      (check "the blank line" "" (read-line i))
      (check "its body" "answer to GET /by-hand HTTP/1.1" (read-string 31 i))
      (close-output-port o)
      (check "after our side closed: nothing more" "" (read-string #f i))
      (close-input-port i)
    `), 6);
    expect(s.connections).toHaveLength(1);
    expect(s.requests[1]!.head).toBe('GET /by-hand HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Written: by display\r\n\r\n');
  });

  it('close-input-port and close-output-port close the connection', async () => {
    const s = await serve((c) => c.write(keepAlive('kept open')));
    expectAll(await checks(`
      (define-values (h a i o) (http:send-request (http:make-request 'GET "http://127.0.0.1:${s.port}/" '() #f 'HTTP/1.1)))
      (check "body" "kept open" (http:read-body a i))
      (close-input-port i)
      (check "the output port is still open" #t (output-port-open? o))
      (close-output-port o)
      (check "both closed" '(#f #f) (list (input-port-open? i) (output-port-open? o)))
      (check-error "writing to a closed port" (lambda () (display "x" o)))
    `), 4);
    await waitUntil(() => s.openCount === 0, 3000, 'the server to see the connection closed');
  });
});
