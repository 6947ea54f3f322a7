/**
 * The concurrency guarantee from Scheme: 200 requests at once to one Scheme handler that writes
 * part of its response, suspends (thread-sleep!) for a time that differs per request, and writes
 * the rest through several output procedures. Every response must hold its own bytes and only
 * them, and the handlers must really have run interleaved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, parseResponses, header } from '../../support/net.js';
import { runtime, schemeChecks, expectAllPassed, stopServers, freePort, startServer } from './helpers.js';

const N = 200;
let port: number;

/** The body the handler writes for request ID. */
function expectedBody(id: number): string {
  const tag = `<${id}>`;
  return `begin ${id} ${tag.repeat(20)}\n` + `middle ${id} (${id} ${id})\n` + `end ${id} ${tag.repeat(20)}`;
}

beforeAll(async () => {
  const rt = await runtime();
  port = await freePort();
  await rt.evaluate(`
    (define active 0)
    (define most-active 0)
    (define handled 0)
    (define (repeat s n) (let loop ((i 0) (acc "")) (if (= i n) acc (loop (+ i 1) (string-append acc s)))))
    (http:add-resource "/echo" (lambda (r a)
      (let* ((id (cdr (car a)))
             (n (string->number id))
             (tag (string-append "<" id ">")))
        (set! active (+ active 1))
        (if (> active most-active) (set! most-active active))
        (display "Content-Type: text/plain\\r\\n")
        (display (string-append "X-Request: " id "\\r\\n\\r\\n"))
        (display (string-append "begin " id " " (repeat tag 20) "\\n"))
        (thread-sleep! (/ (+ 20 (modulo (* n 37) 50)) 1000))
        (print "middle " id " " (list n n))
        (thread-sleep! (/ (modulo (* n 11) 7) 1000))
        (write-string (string-append "end " id " " (repeat tag 20)))
        (set! active (- active 1))
        (set! handled (+ handled 1)))))
    ${startServer(port, '#f #f #f 512 "127.0.0.1"') /* BACKLOG 512: 200 connections at once overflow the default 40 (SYNs retried after 1 s) */}
  `);
}, 30_000);

afterAll(stopServers);

describe(`${N} concurrent requests to a handler that suspends between writes`, () => {
  it('over raw sockets, one connection each: every response holds its own bytes only', async () => {
    await schemeChecks('(set! most-active 0) (set! handled 0)');
    const ids = Array.from({ length: N }, (_, i) => i + 1);
    const replies = await Promise.all(ids.map((id) =>
      raw(port, `GET /echo?id=${id} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`, { waitMs: 15_000 })));
    const mismatches: string[] = [];
    replies.forEach((reply, i) => {
      const id = ids[i]!;
      const responses = parseResponses(reply.text);
      const r = responses[0];
      const body = expectedBody(id);
      if (!reply.closed) mismatches.push(`${id}: connection not closed`);
      if (responses.length !== 1 || r === undefined) mismatches.push(`${id}: ${responses.length} responses`);
      else if (r.status !== 200 || header(r, 'x-request') !== String(id) || r.body !== body
        || header(r, 'content-length') !== String(Buffer.byteLength(body))) {
        mismatches.push(`${id}: ${JSON.stringify(reply.text.slice(0, 300))}`);
      }
    });
    expect(mismatches).toEqual([]);
    const results = await schemeChecks(`
      (check "all handled" ${N} handled)
      (check "none left active" 0 active)
      (check "handlers ran interleaved" #t (> most-active 10))
    `);
    expectAllPassed(results, 3);
  }, 60_000);

  it('over fetch (pooled keep-alive connections): every response holds its own bytes only', async () => {
    await schemeChecks('(set! most-active 0) (set! handled 0)');
    const ids = Array.from({ length: N }, (_, i) => 1000 + i);
    const bodies = await Promise.all(ids.map(async (id) => {
      const res = await fetch(`http://127.0.0.1:${port}/echo?id=${id}`, { signal: AbortSignal.timeout(15_000) });
      return { status: res.status, request: res.headers.get('x-request'), body: await res.text() };
    }));
    const mismatches = bodies.flatMap((b, i) => {
      const id = ids[i]!;
      return b.status === 200 && b.request === String(id) && b.body === expectedBody(id) ? [] : [`${id}: ${b.status} ${b.request} ${JSON.stringify(b.body.slice(0, 200))}`];
    });
    expect(mismatches).toEqual([]);
    const results = await schemeChecks(`
      (check "all handled" ${N} handled)
      (check "handlers ran interleaved" #t (> most-active 10))
    `);
    expectAllPassed(results, 2);
  }, 60_000);

  it('from Scheme threads with http:GET: every thread gets its own body', async () => {
    const results = await schemeChecks(`
      (define ids (let loop ((i 0) (acc '())) (if (= i 50) acc (loop (+ i 1) (cons (+ 2000 i) acc)))))
      (define threads
        (map (lambda (id)
               (let ((t (make-thread (lambda () (http:GET (string-append "127.0.0.1:${port}/echo?id=" (number->string id)))))))
                 (thread-start! t)
                 t))
             ids))
      (define bodies (map (lambda (t) (thread-join! t 15)) threads))
      (define (expected id)
        (let* ((s (number->string id)) (tag (string-append "<" s ">")))
          (string-append "begin " s " " (repeat tag 20) "\\n" "middle " s " (" s " " s ")\\n" "end " s " " (repeat tag 20))))
      (check "every body is its own" #t (equal? (map expected ids) bodies))
      (http:close-all-connections!)
    `);
    expectAllPassed(results, 1);
  }, 60_000);
});
