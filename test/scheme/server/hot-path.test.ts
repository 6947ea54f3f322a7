/**
 * What the server's per-request shortcuts (issue 10) must not change, over sockets: the
 * parameters the server reads on each request (remembered per value now) take effect on the very
 * next request, also when set back to an earlier value or to the default; the handler time limit
 * (whose Task is made only when a handler suspends) still stops a handler that waited first and
 * computed after; the server's config and limits stay fast V8 objects; and the debug flag's
 * lines, written every few milliseconds now, reach stderr without more requests and on exit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort, responseAccessors, freePort } from './helpers.js';
import { compiled } from '../../support/scheme.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

beforeAll(async () => {
  await serveOnFreePort((port) => `
    (define (GET path)
      (car (parse-responses
             (raw-exchange port-of-test (string-append "GET " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")))))
    (define port-of-test ${port})
    ${responseAccessors}
    (http:add-resource "/echo" (lambda (r a) (display (string-append "\\r\\n" (http:request-url r)))))
    (http:add-resource "/wait-then-compute"
      (lambda (r a)
        (thread-sleep! 0.05)
        (let loop ((i 0)) (loop (+ i 1)))))
  `);
});

afterAll(stopServers);

describe('parameters read on each request', () => {
  it('http:log-hook: A, B, A again, then the default, each from the next request on', async () => {
    const results = await schemeChecks(`
      (define default-log (http:log-hook))
      (define seen '())
      (define (hook name) (lambda (r ip) (set! seen (cons (list name (http:request-url r)) seen))))
      (define a (hook 'a))
      (define b (hook 'b))
      (http:log-hook a)
      (GET "/echo?1")
      (http:log-hook b)
      (GET "/echo?2")
      (http:log-hook a)
      (GET "/echo?3")
      (http:log-hook default-log)
      (GET "/echo?4")
      (wait-until (lambda () (= (length seen) 3)) 2)
      (check "each request heard by the hook set before it" '((a "/echo?3") (b "/echo?2") (a "/echo?1")) seen)
    `);
    expectAllPassed(results, 1);
  });

  it('http:url-transformation: A, B, A again, then the default', async () => {
    const results = await schemeChecks(`
      (define default-transform (http:url-transformation))
      (define (upcase-query u) (string-append u "&a"))
      (define (other u) (string-append u "&b"))
      (http:url-transformation upcase-query)
      (check "A" "/echo?x&a" (body (GET "/echo?x")))
      (http:url-transformation other)
      (check "B" "/echo?x&b" (body (GET "/echo?x")))
      (http:url-transformation upcase-query)
      (check "A again" "/echo?x&a" (body (GET "/echo?x")))
      (http:url-transformation default-transform)
      (check "the default" "/echo?x" (body (GET "/echo?x")))
    `);
    expectAllPassed(results, 4);
  });

  it('http:read-line-limit and http:request-count-limit', async () => {
    const results = await schemeChecks(`
      (define default-limit (http:read-line-limit))
      (define long-path (string-append "/echo?" (make-string 200 #\\x)))
      (check "served under the default limit" "HTTP/1.1 200 OK" (status (GET long-path)))
      (http:read-line-limit 100)
      (check "414 past a lowered limit" "HTTP/1.1 414 URI Too Long" (status (GET long-path)))
      (http:read-line-limit default-limit)
      (check "served again" "HTTP/1.1 200 OK" (status (GET long-path)))
      (http:request-count-limit 0)
      (check "503 with no request allowed" "HTTP/1.1 503 Service Unavailable" (status (GET "/echo")))
      (http:request-count-limit 1024)
      (check "served again after" "HTTP/1.1 200 OK" (status (GET "/echo")))
    `);
    expectAllPassed(results, 5);
  });

  // Only the compiled engine stops a computing handler (time-limit.test.ts): under LIPS the
  // runaway loop would never end.
  it.runIf(compiled)('http:handler-time-limit stops a handler that waited first, then computed past it', async () => {
    const results = await schemeChecks(`
      (define default-time-limit (http:handler-time-limit))
      (define default-error-hook (http:error-hook))
      (define heard 0)
      (http:error-hook (lambda (e) (set! heard (+ heard 1))))
      (http:handler-time-limit 0.2)
      (check "503" "HTTP/1.1 503 Service Unavailable" (status (GET "/wait-then-compute")))
      (http:handler-time-limit default-time-limit)
      (http:error-hook default-error-hook)
      (check "the error hook heard of it" 1 heard)
      (check "the server goes on" "/echo" (body (GET "/echo")))
    `);
    expectAllPassed(results, 3);
  });
});

/** Runs node with ARGS in the checkout; its stdout, stderr and exit code (killed after 20 s). */
function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ out, err, code }); });
  });
}

describe('in a process of its own', () => {
  it('the Scheme server\'s config and its limits are fast V8 objects (not dictionaries)', async () => {
    // A data property redefined as an accessor turns an object into a dictionary, and every read
    // of it on a request's path into a slow lookup (src/scheme/primitives/http-server.ts).
    const script = `
      const { schemeRuntime } = await import('./src/scheme/interpreter.ts');
      const rt = await schemeRuntime();
      const c = rt.servers.config;
      c.requestCount++;
      console.log(JSON.stringify([%HasFastProperties(c), %HasFastProperties(c.limits), c.limits.readLineLimit, c.limits.handlerTimeLimit]));
      process.exit(0);`;
    const r = await runNode(['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script]);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out.trim().split('\n').pop()!)).toEqual([true, true, 8192, 10_000]);
  }, 30_000);

  it('debug lines reach stderr with no request after them, and a process that exits still writes its last ones', async () => {
    const p = await freePort();
    // The handler of /last answers, then the process exits a moment later (its line still buffered).
    const program = `
      (http:add-resource "/" (lambda (r a) (display "\\r\\nhi")))
      (http:add-resource "/last" (lambda (r a) (display "\\r\\nbye") (thread-start! (make-thread (lambda () (thread-sleep! 0.001) (exit 0))))))
      (thread-start! (make-thread (lambda () ((http:make-server ${p} #f #f #f #f "127.0.0.1") #t))))
      (let loop ((i 0)) (if (< i 500) (begin (thread-sleep! 0.01) (loop (+ i 1)))))`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '-e', program], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const deadline = Date.now() + 15_000;
      while (!err.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(err).toContain('listening on');
      const first = await fetch(`http://127.0.0.1:${p}/one`);
      expect(first.status).toBe(404);
      await first.text();
      // No further request: the line comes with the flush timer.
      const lineDeadline = Date.now() + 2000;
      while (!/ GET \/one HTTP\/1\.1 -> 404 in [\d.]+ ms\n/.test(err) && Date.now() < lineDeadline) await new Promise((r) => setTimeout(r, 5));
      expect(err).toMatch(/127\.0\.0\.1 GET \/one HTTP\/1\.1 -> 404 in [\d.]+ ms\n/);
      const last = await fetch(`http://127.0.0.1:${p}/last`);
      expect(await last.text()).toBe('bye');
      expect(await exited).toBe(0);
      expect(err).toMatch(/127\.0\.0\.1 GET \/last HTTP\/1\.1 -> 200 in [\d.]+ ms\n/);
    } finally {
      clearTimeout(kill);
      child.kill('SIGKILL');
    }
  }, 30_000);
});
