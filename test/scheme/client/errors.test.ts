/**
 * http-client from Scheme: failures raise Scheme conditions whose message names the URL, caught
 * with guard, handle-exceptions and condition-case: a refused connection, an unknown host (the
 * name lookup is answered here, so nothing leaves 127.0.0.1), and malformed responses from raw
 * TCP servers. An error status is not an error: it is a response.
 */
import dns from 'node:dns';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, run, stopRunningServers } from '../../support/scheme.js';
import { waitUntil } from '../../support/client-fixtures.js';
import { expectAll, freePort, scriptedServers, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;
const UNKNOWN = 'nosuchhost.invalid';

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: string, family?: number) => void;
type Lookup = (host: string, options: unknown, callback?: LookupCallback) => void;
const realLookup = dns.lookup;
const lookups: string[] = [];

beforeAll(async () => {
  PORT = await freePort();
  // Name lookups fail here, as a resolver would answer for the unknown host, so a test never
  // sends a query off this machine. IP literals (listening on 127.0.0.1) are resolved as ever.
  (dns as unknown as { lookup: Lookup }).lookup = (host, options, callback) => {
    if (net.isIP(host) !== 0) {
      (realLookup as unknown as Lookup)(host, options, callback);
      return;
    }
    lookups.push(host);
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const err: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
    process.nextTick(() => cb(err));
  };
  await startSchemeServer(PORT, `
    (define handler-errors '())
    (http:error-hook (lambda (e) (set! handler-errors (cons e handler-errors))))
    (http:add-resource "/fails" (lambda (r a) (error "the handler failed")))
    (http:add-resource "/missing-here" (lambda (r a) (http:write-error-response 404 "Not Found")))
  `);
});

const serve = scriptedServers('(http:close-all-connections!)');

afterAll(async () => {
  (dns as unknown as { lookup: typeof realLookup }).lookup = realLookup;
  await stopRunningServers();
});

/** Scheme helpers: the message of what THUNK raises, and whether it names TEXT. */
const helpers = `
  (define (message thunk) (guard (e (#t (if (error-object? e) (error-object-message e) e))) (thunk) "no error"))
  (define (names? text thunk) (and (string-search text (message thunk)) #t))
`;

describe('a refused connection', () => {
  it('raises a condition naming the URL from http:send-request, http:GET and http:POST', async () => {
    const port = await freePort();
    expectAll(await checks(`
      ${helpers}
      (check "send-request" "127.0.0.1:${port}/a: connection refused by 127.0.0.1:${port}"
        (message (lambda () (http:send-request "127.0.0.1:${port}/a"))))
      (check "GET" "127.0.0.1:${port}/b: connection refused by 127.0.0.1:${port}"
        (message (lambda () (http:GET "127.0.0.1:${port}/b"))))
      (check "POST" "http://127.0.0.1:${port}/c: connection refused by 127.0.0.1:${port}"
        (message (lambda () (http:POST "http://127.0.0.1:${port}/c" '("a=1")))))
      (check "a request object" #t
        (names? "http://127.0.0.1:${port}/d" (lambda () (http:GET (http:make-request 'GET "http://127.0.0.1:${port}/d")))))
    `), 4);
  });

  it('is caught by guard, handle-exceptions and condition-case', async () => {
    const port = await freePort();
    const url = `127.0.0.1:${port}/x`;
    expectAll(await checks(`
      (check "guard: an error object, a condition" '(#t #t)
        (guard (e ((error-object? e) (list (error-object? e) (condition? e)))) (http:GET "${url}")))
      (check "guard with => " "${url}: connection refused by 127.0.0.1:${port}"
        (guard (e ((and (error-object? e) (error-object-message e)) => (lambda (m) m))) (http:GET "${url}")))
      (check "handle-exceptions" '(caught "${url}: connection refused by 127.0.0.1:${port}")
        (handle-exceptions exn (list 'caught (error-object-message exn)) (http:GET "${url}")))
      (check "handle-exceptions: the body's value when nothing is raised" 'fine
        (handle-exceptions exn 'raised 'fine))
      (check "condition-case (exn http)" 'http (condition-case (http:GET "${url}") ((exn http) 'http)))
      (check "condition-case (exn i/o net)" 'net (condition-case (http:send-request "${url}") ((exn i/o net) 'net)))
      (check "condition-case: the first matching clause" 'second
        (condition-case (http:GET "${url}") ((exn timeout) 'first) ((exn http) 'second) ((exn) 'third)))
      (check "condition-case with a variable and get-condition-property" "${url}: connection refused by 127.0.0.1:${port}"
        (condition-case (http:GET "${url}") (e (exn) (get-condition-property e 'exn 'message))))
      (check "condition-case with a catch-all variable" #t
        (condition-case (http:GET "${url}") (e () (condition? e))))
      (check "no matching clause: the condition goes on to an outer handler" "${url}: connection refused by 127.0.0.1:${port}"
        (guard (outer (#t (error-object-message outer)))
          (condition-case (http:GET "${url}") ((exn timeout) 'not-this))))
      (check "with-exception-handler and an escape" 'escaped
        (call/cc (lambda (k) (with-exception-handler (lambda (e) (k 'escaped)) (lambda () (http:GET "${url}"))))))
    `), 11);
  });
});

describe('a condition nobody catches', () => {
  it('reaches the program\'s caller as the client error, also out of a condition-case with no matching clause', async () => {
    const port = await freePort();
    const url = `127.0.0.1:${port}/uncaught`;
    await expect(run(`(http:GET "${url}")`)).rejects.toThrow(`${url}: connection refused by 127.0.0.1:${port}`);
    // It reached the top level as "Continuable" (LIPS's wrapper of a re-raised condition).
    await expect(run(`(condition-case (http:GET "${url}") ((exn timeout) 'not-this))`)).rejects.toThrow(`${url}: connection refused`);
  });
});

describe('an unknown host', () => {
  it('raises a condition naming the URL and the host', async () => {
    lookups.length = 0;
    expectAll(await checks(`
      ${helpers}
      (check "GET" "http://${UNKNOWN}/page: unknown host ${UNKNOWN}" (message (lambda () (http:GET "http://${UNKNOWN}/page"))))
      (check "send-request" "${UNKNOWN}:8080/p: unknown host ${UNKNOWN}" (message (lambda () (http:send-request "${UNKNOWN}:8080/p"))))
      (check "POST" #t (names? "${UNKNOWN}/form" (lambda () (http:POST "${UNKNOWN}/form" '(("a" . "1"))))))
      (check "condition-case" 'net (condition-case (http:GET "http://${UNKNOWN}/") ((exn i/o net) 'net)))
    `), 4);
    expect(lookups.length).toBeGreaterThanOrEqual(4);
    expect(new Set(lookups)).toEqual(new Set([UNKNOWN]));
  });
});

describe('a malformed response', () => {
  it('a status line that is not HTTP, a bad header line, an unsupported version, no answer at all', async () => {
    const s = await serve((c, req) => {
      const path = req.requestLine.split(' ')[1] ?? '';
      if (path.startsWith('/garbage')) c.end('HELLO THERE\r\n\r\n');
      else if (path.startsWith('/header')) c.end('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n');
      else if (path.startsWith('/version')) c.end('HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
      else c.destroy();
    });
    const base = `127.0.0.1:${s.port}`;
    expectAll(await checks(`
      ${helpers}
      (check "send-request, status line" "${base}/garbage: malformed status line \\"HELLO THERE\\""
        (message (lambda () (http:send-request "${base}/garbage"))))
      (check "GET, status line" #t (names? "${base}/garbage2" (lambda () (http:GET "${base}/garbage2"))))
      (check "header line" "${base}/header: malformed header line \\"no colon here\\""
        (message (lambda () (http:send-request "${base}/header"))))
      (check "GET, header line" #t (names? "malformed header line" (lambda () (http:GET "${base}/header2"))))
      (check "version" #t (names? "${base}/version: unsupported protocol" (lambda () (http:GET "${base}/version"))))
      (check "no answer" "${base}/silent: the server closed the connection without answering"
        (message (lambda () (http:send-request "${base}/silent"))))
      (check "condition-case (exn http)" 'malformed (condition-case (http:GET "${base}/garbage3") ((exn http) 'malformed)))
      (check "handle-exceptions" #t
        (handle-exceptions e (and (string-search "${base}/garbage4" (error-object-message e)) #t) (http:POST "${base}/garbage4" '("a=1"))))
    `), 8);
    await waitUntil(() => s.openCount === 0, 3000, 'every connection closed');
  });

  it('a truncated body and a bad chunk in http:GET', async () => {
    const s = await serve((c, req) => {
      if (req.requestLine.includes('/short')) c.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
      else c.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nXYZ\r\n');
    });
    const base = `http://127.0.0.1:${s.port}`;
    expectAll(await checks(`
      ${helpers}
      (check "truncated" "${base}/short: connection closed after 9 of 100 expected bytes"
        (message (lambda () (http:GET "${base}/short"))))
      (check "bad chunk" #t (names? "${base}/chunked" (lambda () (http:GET "${base}/chunked"))))
      (check "condition-case" 'http (condition-case (http:GET "${base}/short") ((exn http) 'http)))
    `), 3);
    await waitUntil(() => s.openCount === 0, 3000, 'every connection closed');
  });

  it('the client goes on working after an error', async () => {
    let n = 0;
    const s = await serve((c) => {
      n++;
      if (n === 1) c.end('NONSENSE\r\n\r\n');
      else c.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhealed');
    });
    expectAll(await checks(`
      ${helpers}
      (check "first fails" #t (names? "malformed status line" (lambda () (http:GET "127.0.0.1:${s.port}/"))))
      (check "then a good answer" "healed" (http:GET "127.0.0.1:${s.port}/"))
    `), 2);
  });
});

describe('an error status is a response, not an error', () => {
  it('http:GET returns the body of a 404 and a 500; http:send-request returns their status lines', async () => {
    expectAll(await checks(`
      (check "404 body" #t (and (string-search "404 Not Found" (http:GET "127.0.0.1:${PORT}/nowhere")) #t))
      (check "500 body" #t (and (string-search "500" (http:GET "127.0.0.1:${PORT}/fails")) #t))
      (define-values (h a i o) (http:send-request "127.0.0.1:${PORT}/missing-here"))
      (check "status line" "HTTP/1.0 404 Not Found" h)
      (check "content type" "text/html" (alist-ref "content-type" a string=?))
      (close-input-port i) (close-output-port o)
    `), 4);
  });
});
