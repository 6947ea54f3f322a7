/**
 * The command line, run as a child process: `FILE.scm ARGS` (command-line-arguments), `-e EXPR`,
 * errors as `FILE:LINE: Error: …` on stderr with a non-zero status, syntax errors, a missing
 * file, a #! first line, comments, stdout and stdin, exit, and a program that runs a server in
 * a thread and a client in its main thread and ends when its last form is done.
 */
import { COMPILED } from '../../src/scheme/interpreter.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli, spawnCli, ROOT } from './child.js';
import { freePort } from '../support/client-fixtures.js';

// Each test starts two or three node processes (about 10 s each on a loaded 2-core machine).
vi.setConfig({ testTimeout: 60_000 });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes SOURCE to a new .scm file; returns its path. */
function program(source: string): string {
  const file = path.join(dir, `p${++n}.scm`);
  fs.writeFileSync(file, source);
  return file;
}

describe('running a file', () => {
  // LIPS never gives the event loop a turn in a loop that only prints: the compiled engine does.
  it.runIf(COMPILED)('ends quietly with status 141 when the reader of its output goes away (a closed pipe)', async () => {
    const file = program('(let loop ((i 0)) (print "line " i) (loop (+ i 1)))\n');
    const child = spawnCli([file], ROOT);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    // Read one chunk, then close our end of the pipe, as `| head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await closed;
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code).toBe(141);
  }, 60_000);

  it('passes the arguments after the file name to command-line-arguments', async () => {
    const file = program('(write (command-line-arguments))\n(newline)\n');
    const r = await runCli([file, 'a1', 'b 2', '-e', '']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('("a1" "b 2" "-e" "")\n');
    expect(r.code).toBe(0);
  });

  it('writes display, print and friends to stdout with no added newline', async () => {
    const file = program(String.raw`(display "a") (print "b" 1 'c) (write "w") (newline) (printf "~a=~s~%" 'k "v") (pp '(1 2)) (print* "end")`);
    const r = await runCli([file]);
    expect(r.stdout).toBe('ab1c\n"w"\nk="v"\n(1 2)\nend');
    expect(r.code).toBe(0);
  });

  it('reads stdin with read-line (CR LF stripped) and read-lines', async () => {
    const file = program('(write (read-line)) (newline) (write (read-lines)) (newline) (write (eof-object? (read-line)))');
    const r = await runCli([file], { input: 'first\r\nsecond\nthird\n' });
    expect(r.stdout).toBe('"first"\n("second" "third")\n#t');
    expect(r.code).toBe(0);
  });

  it('reports an error as FILE:LINE: Error: … on stderr and exits non-zero, after running the forms before it', async () => {
    const file = program('(display "before")\n(newline)\n\n(car (quote ()))\n(display "not reached")\n');
    const r = await runCli([file]);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: Error: .+\n$`));
    expect(r.code).toBe(70);
  });

  it('reports (error …) as CHICKEN does: location, message, written arguments', async () => {
    const file = program('(define (f x)\n  (error \'f "bad value" x "s"))\n(f 42)\n');
    const r = await runCli([file]);
    // The compiled engine names the line of the failing expression, and the calls that led there.
    // csi puts the arguments one a line when there are several.
    expect(r.stderr).toBe(COMPILED ? `${file}:2: Error: (f) bad value\n42\n"s"\n    called from toplevel (${file}:3)\n` : `${file}:3: Error: (f) bad value: 42 "s"\n`);
    expect(r.code).toBe(70);
  });

  it('reports a raised non-condition', async () => {
    const r = await runCli([program("(raise 'oops)\n")]);
    expect(r.stderr).toMatch(/:1: Error: uncaught exception: oops\n$/);
    expect(r.code).toBe(70);
  });

  it('reports a list that is never closed, with the line it opens on', async () => {
    const file = program('(display "ok")\n(newline)\n(display (+ 1 2)\n(display "x")\n');
    const r = await runCli([file]);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toBe(`${file}:3: Error: syntax error: unterminated list: the ( on line 3 is not closed\n`);
    expect(r.code).toBe(70);
  });

  it('reports an unexpected closing parenthesis and an unterminated string', async () => {
    const stray = program('(display 1)\n(display 2))\n(display 3)\n');
    const r1 = await runCli([stray]);
    expect(r1.stdout).toBe('12');
    expect(r1.stderr).toMatch(new RegExp(`^${stray.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: Error: syntax error: unexpected \\)(: no list is open)?\n$`));
    expect(r1.code).toBe(70);
    const str = program('(display 1)\n(display "abc)\n');
    const r2 = await runCli([str]);
    expect(r2.stderr).toBe(`${str}:2: Error: syntax error: ${COMPILED ? 'unterminated string: the " on line 2 is not closed' : 'unterminated string starting on line 2'}\n`);
    expect(r2.code).toBe(70);
  });

  it('reports a missing file', async () => {
    const missing = path.join(dir, 'no-such-file.scm');
    const r = await runCli([missing]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`scheme-http: cannot read ${missing}: no such file\n`);
    expect(r.code).not.toBe(0);
  });

  it('accepts a #! first line, and line, block (nested) and datum comments', async () => {
    const file = program([
      '#!/usr/bin/env scheme-http',
      '; a comment with a ( paren',
      '#| a block comment ( with',
      '   #| a nested one ) |# still a comment |#',
      '(display "one") #;(display "skipped")',
      '(display #\\() (display "a string ( with a paren',
      'and a newline")',
      '(newline)',
      '(car 5)',
    ].join('\n'));
    const r = await runCli([file]);
    expect(r.stdout).toBe('one(a string ( with a paren\nand a newline\n');
    expect(r.stderr).toMatch(/:9: Error: /);
    expect(r.code).toBe(70);
  });

  it('exit ends the program with its status', async () => {
    const r = await runCli([program('(display "x")\n(exit 3)\n(display "not reached")\n')]);
    expect(r.stdout).toBe('x');
    expect(r.code).toBe(3);
  });

  it.runIf(COMPILED)('an error in a handler is told as a Scheme error, with the Scheme calls, not a JS stack', async () => {
    const port = await freePort();
    const file = program([
      '(define (helper x) (car x))',
      '(http:add-resource "/bad" (lambda (r a) (helper 5)))',
      `(thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")))))`,
      '(thread-sleep! 0.3)',
      `(display (car (string-split (http:GET "127.0.0.1:${port}/bad") "\n")))`,
      '',
    ].join('\n'));
    const r = await runCli([file]);
    expect(r.stderr).toContain('scheme-http: error in a handler (GET /bad): (car) bad argument type: 5');
    expect(r.stderr).toContain(`helper (${file}:1)`);
    expect(r.stderr).toContain(`lambda (${file}:2)`);
    expect(r.stderr).not.toMatch(/\.(c?js|ts):\d+/);
  });

  it('a thread that raises prints a warning and the program goes on', async () => {
    const file = program('(define t (thread-start! (make-thread (lambda () (error "in the thread")))))\n(thread-sleep! 0.05)\n(display "still running")\n');
    const r = await runCli([file]);
    expect(r.stdout).toBe('still running');
    expect(r.stderr).toMatch(/Warning \(#<thread: thread\d+>\): in thread: in the thread/);
    expect(r.code).toBe(0);
  });

  it('runs a server in a thread and a client in the main thread, then ends with the last form', async () => {
    const port = await freePort();
    const file = program(String.raw`
(require-extension http-server http-client)
(http:add-resource "/hi"
  (lambda (r a)
    (print "Content-type: text/plain\r\n\r\nhello " (alist-ref "name" a string=? "nobody"))))
(define server (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")))))
(thread-start! server)
(define (fetch url)
  (let loop ((tries 0))
    (condition-case (http:GET url)
      (e (exn) (if (< tries 100) (begin (thread-sleep! 0.02) (loop (+ tries 1))) (raise e))))))
(display (fetch "127.0.0.1:${port}/hi?name=bob"))
(define-values (status headers in out) (http:send-request "127.0.0.1:${port}/hi"))
(print status)
(print (read-lines in))
(close-input-port in)
(close-output-port out)
(print "done")
`);
    const started = Date.now();
    const r = await runCli([file], { timeoutMs: 15_000 });
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hello bob\nHTTP/1.0 200 OK\n(hello nobody)\ndone\n');
    expect(r.code).toBe(0);
    // It did not wait for the server thread (as in CHICKEN, the program ends with its main thread).
    expect(Date.now() - started).toBeLessThan(12_000);
  });
});

describe('-e', () => {
  it("-e '(display 1)' prints 1", async () => {
    const r = await runCli(['-e', '(display 1)']);
    expect(r.stdout).toBe('1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it("-e '(+ 1 2)' prints 3", async () => {
    const r = await runCli(['-e', '(+ 1 2)']);
    expect(r.stdout).toBe('3\n');
    expect(r.code).toBe(0);
  });

  it('prints each value in write form, each on its own line, and nothing for no value', async () => {
    const r = await runCli(['-e', String.raw`(display "x") "str" (values 1 2) (if #f #f) (define y 1) (list y #\a) "l1\nl2"`]);
    expect(r.stdout).toBe(String.raw`x
"str"
1
2
(1 #\a)
"l1\nl2"
`);
    expect(r.code).toBe(0);
  });

  it('reports an error on stderr and exits non-zero', async () => {
    const r = await runCli(['-e', '(car 1)']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^-e:1: Error: /);
    expect(r.code).toBe(70);
  });

  it('reports a syntax error', async () => {
    const r = await runCli(['-e', '(display (+ 1 2)']);
    expect(r.stderr).toBe('-e:1: Error: syntax error: unterminated list: the ( on line 1 is not closed\n');
    expect(r.code).toBe(70);
  });

  it('passes the arguments after EXPR to command-line-arguments', async () => {
    const r = await runCli(['-e', '(command-line-arguments)', 'x', 'y']);
    expect(r.stdout).toBe('("x" "y")\n');
  });
});

describe('options (issue 11)', () => {
  it('--version and -v print the version, not read as file names', async () => {
    for (const v of ['--version', '-v']) {
      const r = await runCli([v]);
      expect(r.stdout).toMatch(/^scheme-http \d+\.\d+\.\d+ \(node v[\d.]+\)\n$/);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('--help lists the options, the environment variables and the exit statuses', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const part of ['Options:', '--workers N', '-i, --interactive', 'Environment:', 'Exit status:', '  143 ']) expect(r.stdout).toContain(part);
  });

  it('evaluates every -e, in order, in one environment', async () => {
    const r = await runCli(['-e', '(define x 20)', '-e', '(display "a")', '-e', '(+ x 1)', 'arg']);
    expect(r.stdout).toBe('a\n21\n');
    expect(r.code).toBe(0);
    const failed = await runCli(['-e', '(display 1)', '-e', '(car 1)', '-e', '(display "not reached")']);
    expect(failed.stdout).toBe('1');
    expect(failed.stderr).toMatch(/^-e:1: Error: /);
    expect(failed.code).toBe(70);
  });

  it('refuses an unknown option with status 2, pointing to --help', async () => {
    const r = await runCli(['--frobnicate', 'x.scm']);
    expect(r.stderr).toBe("scheme-http: unknown option --frobnicate\nusage: scheme-http [OPTION...] [FILE.scm [ARG...]]\nTry 'scheme-http --help' for more.\n");
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('-i runs the file, then the REPL with its definitions', async () => {
    const file = program('(define (twice n) (* 2 n))\n(display "loaded")\n(newline)\n');
    const r = await runCli(['-i', file, 'a1'], { input: '(twice 21)\n(command-line-arguments)\n' });
    expect(r.stdout).toBe('loaded\n42\n("a1")\n');
    expect(r.code).toBe(0);
  });

  it('a server with the debug flag on says where it listens on stderr', async () => {
    const file = program([
      '(thread-start! (make-thread (lambda () ((http:make-server 0 #f #f #f #f "127.0.0.1") #t))))',
      '(thread-sleep! 0.5)',
      '',
    ].join('\n'));
    const r = await runCli([file]);
    expect(r.stderr).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\/\n$/);
    expect(r.code).toBe(0);
  });
});
