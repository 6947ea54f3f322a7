/**
 * CHICKEN 3's tcp unit (src/scheme/library/tcp.ts) through the engine, over 127.0.0.1 only:
 * listeners, accepting, connecting, the bytes a connection's ports read and write, addresses,
 * closing, the conditions raised; that accepting and reading suspend the Scheme caller without
 * blocking; and the http: transport parameters (src/scheme/primitives/http-server.ts) called
 * with CHICKEN's arguments. Every socket and listener opened is closed; every wait is bounded.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEngine, evalSource } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { showResult } from './support.js';
import { schemeChecks, expectAllPassed, stopServers, freePort, startServer } from '../server/helpers.js';

let engine: Engine;

beforeAll(async () => {
  engine = await newEngine();
}, 30_000);

afterAll(async () => {
  await evalSource(engine, '(for-each (lambda (l) (if (tcp-listener? l) (tcp-close l))) (list lst lst2))').catch(() => undefined);
  await stopServers();
});

const show = (src: string): Promise<string> => showResult(engine, src);

async function runTable(cases: Array<[string, string]>): Promise<void> {
  for (const [src, expected] of cases) expect(await show(src), src).toBe(expected);
}

/** Resolves to V, or rejects after MS: no test waits forever. */
function within<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([p, new Promise<T>((_r, reject) => setTimeout(() => reject(new Error(`no result in ${ms} ms`)), ms))]);
}

/** A Node client on 127.0.0.1:PORT: everything it receives until the server closes. */
function client(port: number, send: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.end(send));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

describe('as csi 5', () => {
  // Produced by CHICKEN 5's csi with (chicken tcp) and (chicken io), in this order (LPORT is the
  // listener's port; csi's cannot-bind condition has (FD HOST PORT) for arguments, we give (PORT)).
  it('a connection over 127.0.0.1: its ports, addresses, bytes, closing', async () => {
    await runTable([
      ['(define lst (tcp-listen 0 10 "127.0.0.1"))', '#<unspecified>'],
      ['(list (tcp-listener? lst) (tcp-listener? 5) (> (tcp-listener-port lst) 0) (tcp-accept-ready? lst))', '(#t #f #t #f)'],
      ['lst', '#<tcp-listener>'],
      ['(define-values (ci co) (tcp-connect "127.0.0.1" (tcp-listener-port lst)))', '#<unspecified>'],
      ['(define-values (si so) (tcp-accept lst))', '#<unspecified>'],
      ['(list ci co si so)', '(#<input port "(tcp)"> #<output port "(tcp)"> #<input port "(tcp)"> #<output port "(tcp)">)'],
      ['(call-with-values (lambda () (tcp-addresses ci)) list)', '("127.0.0.1" "127.0.0.1")'],
      ['(call-with-values (lambda () (tcp-port-numbers si)) (lambda (l r) (= l (tcp-listener-port lst))))', '#t'],
      ['(call-with-values (lambda () (tcp-port-numbers ci)) (lambda (l r) (= r (tcp-listener-port lst))))', '#t'],
      ['(begin (display "hello\\r\\nwor\\xe9ld\\nlast" co) (close-output-port co))', '#<unspecified>'],
      ['(list (read-line si) (read-char si) (peek-char si) (read-string 3 si) (read-line si) (read-line si) (read-line si))', '("hello" #\\w #\\o "or\xe9" "ld" "last" #!eof)'],
      ['(tcp-abandon-port so)', '#<unspecified>'],
      ['(begin (close-output-port so) (close-input-port si) (read-line ci))', '#!eof'],
      ['(close-input-port ci)', '#<unspecified>'],
      ['(read-line ci)', 'ERR (exn i/o file) (read-line) port already closed (#<input port "(tcp)">)'],
      ['(tcp-close lst)', '#<unspecified>'],
      ['(tcp-listener-port lst)', 'ERR (exn i/o net) (tcp-listener-port) cannot obtain listener port - Bad file descriptor (#<tcp-listener>)'],
      ['(tcp-accept lst)', 'ERR (exn i/o net) (tcp-accept) could not accept from listener - Bad file descriptor (#<tcp-listener>)'],
      ['(tcp-listener? lst)', '#t'],
    ]);
  });

  it('the conditions of bad arguments and failed calls', async () => {
    const taken = await within(evalSource(engine, '(define lst2 (tcp-listen 0 10 "127.0.0.1")) (tcp-listener-port lst2)')) as number;
    await runTable([
      [`(tcp-listen ${taken} 10 "127.0.0.1")`, `ERR (exn i/o net) (tcp-listen) cannot bind to socket - Address already in use (${taken})`],
      ['(tcp-listen 999999)', 'ERR (exn domain) (tcp-listen) invalid port number (999999)'],
      ['(tcp-listen -1)', 'ERR (exn domain) (tcp-listen) invalid port number (-1)'],
      ["(tcp-listen 0 'a)", 'ERR (exn type) (#f) bad argument type - not a fixnum (a)'],
      ['(tcp-listen 0 10 5)', 'ERR (exn type) (#f) bad argument type - not a string (5)'],
      ['(tcp-connect "nonexistent.invalid" 80)', 'ERR (exn i/o net) (tcp-connect) cannot find host address ("nonexistent.invalid")'],
      ['(tcp-connect "127.0.0.1")', 'ERR (exn i/o net) (tcp-connect) no port specified ("127.0.0.1")'],
      ['(tcp-connect 5 1)', 'ERR (exn type) (#f) bad argument type - not a string (5)'],
      ["(tcp-connect \"127.0.0.1\" 'a)", 'ERR (exn type) (#f) bad argument type - not a fixnum (a)'],
      ['(tcp-listener-port 5)', 'ERR (exn type) (tcp-listener-port) bad argument type - not a structure of the required type (5 tcp-listener)'],
      ['(tcp-close 5)', 'ERR (exn type) (#f) bad argument type - not a structure of the required type (5 tcp-listener)'],
      ['(tcp-accept 5)', 'ERR (exn type) (#f) bad argument type - not a structure of the required type (5 tcp-listener)'],
      ['(tcp-accept-ready? 5)', 'ERR (exn type) (tcp-accept-ready?) bad argument type - not a structure of the required type (5 tcp-listener)'],
      ['(tcp-port-numbers 5)', 'ERR (exn type) (tcp-port-numbers) bad argument type - not a port (5)'],
      ['(tcp-abandon-port 5)', 'ERR (exn type) (tcp-abandon-port) bad argument type - not a port (5)'],
      ['(tcp-addresses 5)', 'ERR (exn type) (tcp-addresses) bad argument type - not a port (5)'],
      ['(tcp-close lst2)', '#<unspecified>'],
    ]);
    // Nothing listens on the port now: a connection is refused.
    expect(await show(`(tcp-connect "127.0.0.1" ${taken})`)).toBe('ERR (exn i/o net) (tcp-connect) cannot create socket - Connection refused ()');
  });
});

describe('timeouts, as csi 5', () => {
  // csi 5 (chicken tcp): the same defaults, kinds and messages; its arguments add the file
  // descriptor after the timeout, and a read's condition names no location.
  it('tcp-read-timeout, tcp-accept-timeout and tcp-write-timeout stop a wait with (exn i/o net timeout)', async () => {
    await runTable([
      ['(list (tcp-read-timeout) (tcp-write-timeout) (tcp-accept-timeout) (tcp-connect-timeout))', '(60000 60000 #f #f)'],
      ["(tcp-read-timeout 'x)", 'ERR (exn type) (tcp-read-timeout) bad argument type - not a fixnum (x)'],
      ['(define tl (tcp-listen 0 10 "127.0.0.1"))', '#<unspecified>'],
      ['(define-values (tci tco) (tcp-connect "127.0.0.1" (tcp-listener-port tl)))', '#<unspecified>'],
      ['(define-values (tsi tso) (tcp-accept tl))', '#<unspecified>'],
      ['(parameterize ((tcp-read-timeout 100)) (read-line tsi))', 'ERR (exn i/o net timeout) (#f) read operation timed out (100)'],
      ['(parameterize ((tcp-accept-timeout 100)) (tcp-accept tl))', 'ERR (exn i/o net timeout) (tcp-accept) accept operation timed out (100)'],
      // The peer never reads: 64 MB cannot all leave, so the flush waits until the timeout.
      ['(parameterize ((tcp-write-timeout 200)) (display (make-string 67108864 #\\a) tso) (flush-output tso))', 'ERR (exn i/o net timeout) (#f) write operation timed out (200)'],
      // A read after a timeout still gets the bytes that come later.
      ['(begin (display "late\n" tco) (flush-output tco) (read-line tsi))', '"late"'],
      ['(begin (tcp-abandon-port tso) (close-output-port tso) (close-input-port tsi) (close-input-port tci) (close-output-port tco) (tcp-close tl))', '#<unspecified>'],
    ]);
  }, 30_000);
});

describe('as the CHICKEN 3 manual documents', () => {
  // CHICKEN 3 manual, tcp unit: "If the TCPPORT is omitted, the port is parsed from the
  // HOSTNAME string. The format expected is HOSTNAME:PORT." (csi 5 fails on a numeric port there).
  it('tcp-connect takes "host:port"', async () => {
    await runTable([
      ['(define l3 (tcp-listen 0 4 "127.0.0.1"))', '#<unspecified>'],
      ['(define-values (c3i c3o) (tcp-connect (string-append "127.0.0.1:" (number->string (tcp-listener-port l3)))))', '#<unspecified>'],
      ['(define-values (s3i s3o) (tcp-accept l3))', '#<unspecified>'],
      ['(begin (write-string "ping\\n" #f c3o) (flush-output c3o) (read-line s3i))', '"ping"'],
      ['(begin (write-line "pong" s3o) (read-line c3i))', '"pong"'],
      ['(begin (close-input-port c3i) (close-output-port c3o) (close-input-port s3i) (close-output-port s3o) (tcp-close l3))', '#<unspecified>'],
    ]);
  });
});

describe('waiting without blocking', () => {
  it('tcp-accept and reads suspend the Scheme caller until a connection and its bytes arrive', async () => {
    const port = await within(evalSource(engine, '(define l4 (tcp-listen 0 4 "127.0.0.1")) (tcp-listener-port l4)')) as number;
    const accepted = evalSource(engine, '(define-values (a4i a4o) (tcp-accept l4)) (let ((line (read-line a4i))) (write-string (string-append "got " line "\\n") #f a4o) (close-output-port a4o) (close-input-port a4i) line)');
    expect(accepted).toBeInstanceOf(Promise);
    let settled = false;
    void (accepted as Promise<unknown>).then(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    // The client sends its line in two pieces, some time apart: read-line waits for the rest.
    const reply = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = net.connect(port, '127.0.0.1', () => {
        s.write('hel');
        setTimeout(() => s.write('lo\xff\r\n', 'latin1'), 50);
      });
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('error', reject);
      s.on('end', () => { s.end(); resolve(Buffer.concat(chunks).toString('latin1')); });
    });
    expect(await within(accepted as Promise<unknown>)).toBe('hello\xff');
    expect(await within(reply)).toBe('got hello\xff\n');
    await evalSource(engine, '(tcp-close l4)');
  });

  it('reads a large body in full (the socket is paused and resumed)', async () => {
    const port = await within(evalSource(engine, '(define l5 (tcp-listen 0 4 "127.0.0.1")) (tcp-listener-port l5)')) as number;
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
    const done = client(port, big);
    const n = await within(evalSource(engine, '(define-values (a5i a5o) (tcp-accept l5)) (let ((s (read-string #f a5i))) (close-input-port a5i) (display (string-length s) a5o) (close-output-port a5o) (tcp-close l5) (string-length s))') as Promise<unknown>, 10_000);
    expect(n).toBe(big.length);
    expect((await within(done)).toString()).toBe(String(big.length));
  });
});

describe('the http: transport parameters with CHICKEN\'s arguments', () => {
  it('an accept procedure wrapping tcp-accept, logging and refusing by address, runs unchanged', async () => {
    const port = await freePort();
    const results = await schemeChecks(`
      (define default-accept (http:accept-procedure))
      (define default-addresses (http:get-addresses-procedure))
      (check "the defaults are the tcp unit's" #t (and (eq? tcp-accept default-accept) (eq? tcp-addresses default-addresses) (eq? tcp-listen (http:listen-procedure)) (eq? tcp-abandon-port (http:hard-close-procedure))))
      (define accepted '())
      (define refuse #f)
      (define listened #f)
      (http:listen-procedure (lambda (port backlog host) (let ((l (tcp-listen port backlog host))) (set! listened (tcp-listener? l)) l)))
      (http:accept-procedure
        (lambda (listener)
          (call-with-values (lambda () (tcp-accept listener))
            (lambda (in out)
              (call-with-values (lambda () (tcp-addresses in))
                (lambda (local remote)
                  (set! accepted (cons remote accepted))
                  (if (and refuse (string=? remote "127.0.0.1"))
                      (begin (close-input-port in) (close-output-port out) #f)
                      (values in out))))))))
      (define seen-port #f)
      (http:get-addresses-procedure (lambda (in) (set! seen-port (input-port? in)) (tcp-addresses in)))
      (http:add-resource "/who" (lambda (r a) (display "\\r\\n") (display (http:request-ip r))))
      ${startServer(port)}
      (define (get-who) (raw-exchange ${port} "GET /who HTTP/1.0\\r\\n\\r\\n"))
      (check "served through the procedures" #t (contains? (get-who) "127.0.0.1"))
      (check "its listener came from tcp-listen" #t listened)
      (check "the accept procedure saw the peer" #t (and (member "127.0.0.1" accepted) #t))
      (check "the addresses procedure got an input port" #t seen-port)
      (set! refuse #t)
      (check "refused: closed without a byte" '("" #t) (raw-exchange/closed ${port} "GET /who HTTP/1.0\\r\\n\\r\\n"))
      (set! refuse #f)
      (check "served again" #t (contains? (get-who) "127.0.0.1"))
      (http:listen-procedure tcp-listen)
      (http:accept-procedure default-accept)
      (http:get-addresses-procedure default-addresses)
    `);
    expectAllPassed(results, 7);
  });
});
