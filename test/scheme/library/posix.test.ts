/**
 * CHICKEN 3's posix unit (src/scheme/library/posix.ts) through the engine: the environment,
 * `system` and `sleep`, files and directories (in a temporary directory made here), the current
 * directory, and time vectors. Each case is Scheme source and what csi shows for it: the `write`
 * text of the value, or the condition as `ERR (kinds) (location) message (arguments)`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEngine, evalSource } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { showResult } from './support.js';

let engine: Engine;
/** The temporary directory the cases work in (an ASCII name, so it reads the same as bytes). */
let D: string;

beforeAll(async () => {
  engine = await newEngine();
  D = fs.mkdtempSync(path.join(os.tmpdir(), 'posix-test-'));
}, 30_000);

afterAll(() => {
  fs.rmSync(D, { recursive: true, force: true });
});

const show = (src: string): Promise<string> => showResult(engine, src);

/** Runs CASES in order (later ones see what earlier ones did to the directory). */
async function runTable(cases: Array<[string, string]>): Promise<void> {
  for (const [src, expected] of cases) expect(await show(src), src).toBe(expected);
}

describe('as csi 5', () => {
  // Produced by CHICKEN 5's csi (with the (chicken file), (chicken file posix),
  // (chicken process-context), (chicken process) and (chicken time posix) modules), with D
  // standing for the temporary directory.
  const table = (): Array<[string, string]> => [
    [`(create-directory "${D}/d")`, `"${D}/d"`],
    [`(directory? "${D}/d")`, '#t'],
    [`(file-exists? "${D}/d")`, `"${D}/d"`],
    [`(file-exists? "${D}/none")`, '#f'],
    [`(regular-file? "${D}/d")`, '#f'],
    [`(directory "${D}")`, '("d")'],
    [`(delete-directory "${D}/d")`, '#<unspecified>'],
    [`(delete-directory "${D}/d")`, `ERR (exn i/o file) (delete-directory) cannot delete directory - No such file or directory ("${D}/d")`],
    [`(delete-file "${D}/none")`, `ERR (exn i/o file) (delete-file) cannot delete file - No such file or directory ("${D}/none")`],
    [`(rename-file "${D}/none" "${D}/other")`, `ERR (exn i/o file) (rename-file) cannot rename file - No such file or directory ("${D}/none" "${D}/other")`],
    [`(file-size "${D}/none")`, `ERR (exn i/o file) (file-size) cannot access file - No such file or directory ("${D}/none")`],
    [`(file-access-time "${D}/none")`, `ERR (exn i/o file) (file-access-time) cannot access file - No such file or directory ("${D}/none")`],
    ["(file-size 'x)", 'ERR (exn type) (file-size) bad argument type - not a fixnum, port or string (x)'],
    [`(directory "${D}/none")`, `ERR (exn i/o file) (directory) cannot open directory - No such file or directory ("${D}/none")`],
    [`(create-directory "${D}/a/b")`, `ERR (exn i/o file) (create-directory) cannot create directory - No such file or directory ("${D}/a/b")`],
    [`(change-directory "${D}/none")`, `ERR (exn i/o file) (change-directory) cannot change current directory - No such file or directory ("${D}/none")`],
    ['(get-environment-variable "POSIX_T_UNSET")', '#f'],
    ['(get-environment-variable 5)', 'ERR (exn type) (#f) bad argument type - not a string (5)'],
    ['(set-environment-variable! "POSIX_T" 5)', 'ERR (exn type) (set-environment-variable!) bad argument type - not a string (5)'],
    ['(system "exit 2")', '512'],
    ['(system "true")', '0'],
    ["(system 'x)", 'ERR (exn type) (system) bad argument type - not a string (x)'],
    ["(sleep 'x)", 'ERR (exn type) (sleep) bad argument type - not a fixnum (x)'],
    ['(sleep 1.5)', 'ERR (exn type) (sleep) bad argument type - not a fixnum (1.5)'],
    ['(seconds->utc-time 86399)', '#(59 59 23 1 0 70 4 0 #f 0)'],
    ['(seconds->utc-time 0)', '#(0 0 0 1 0 70 4 0 #f 0)'],
    ['(seconds->utc-time 1700000000)', '#(20 13 22 14 10 123 2 317 #f 0)'],
    ["(seconds->utc-time 'x)", 'ERR (exn type) (seconds->utc-time) bad argument type - not an integer (x)'],
    ['(utc-time->seconds (vector 0 0 0 1 0 100 6 0 #f 0))', '946684800'],
    ['(local-time->seconds (seconds->local-time 1700000000))', '1700000000'],
    ['(time->string (seconds->utc-time 0))', '"Thu Jan  1 00:00:00 1970"'],
    ['(time->string (vector 5 4 3 2 1 99 2 31 #f 0) "%d/%m/%Y %T %D %R %C %k %l %H")', '"02/02/1999 03:04:05 02/02/99 03:04 19  3  3 03"'],
    ['(time->string (seconds->utc-time 1700000000) "%A %B %d %e %I %p %y %w %u %j %%")', '"Tuesday November 14 14 10 PM 23 2 2 318 %"'],
    ["(time->string 'x)", 'ERR (exn type) (time->string) bad argument type - not a vector (x)'],
    ["(utc-time->seconds 'x)", 'ERR (exn type) (utc-time->seconds) bad argument type - not a vector (x)'],
    ['(create-directory 5)', 'ERR (exn type) (create-directory) bad argument type - not a string (5)'],
    ['(delete-file 5)', 'ERR (exn type) (delete-file) bad argument type - not a string (5)'],
    ['(directory 5)', 'ERR (exn type) (directory) bad argument type - not a string (5)'],
    ['(string=? (seconds->string 1700000000) (time->string (seconds->local-time 1700000000)))', '#t'],
  ];

  it('files, directories, the environment, system, sleep and time vectors', async () => {
    await runTable(table());
  });
});

describe('as the CHICKEN 3 manual documents (csi 5 differs or lacks them)', () => {
  // From the CHICKEN 3 manual (posix unit): getenv/setenv/unsetenv, sleep's result (the seconds
  // left: 0), current-directory with an argument changes directory, create-directory's PARENTS?,
  // delete-file (csi 5 and we return the name), get-host-name and the ids.
  it('getenv, setenv, unsetenv', async () => {
    await runTable([
      ['(setenv "POSIX_TEST_VAR" "v\xc3\xa9")', '#<unspecified>'],
      ['(getenv "POSIX_TEST_VAR")', '"v\xc3\xa9"'],
      ['(string-length (getenv "POSIX_TEST_VAR"))', '3'],
      ['(cdr (assoc "POSIX_TEST_VAR" (get-environment-variables)))', '"v\xc3\xa9"'],
      ['(unsetenv "POSIX_TEST_VAR")', '#<unspecified>'],
      ['(getenv "POSIX_TEST_VAR")', '#f'],
      ['(setenv "A")', 'ERR (exn arity) (#f) bad argument count - received 1 but expected 2 (#<procedure (setenv)>)'],
    ]);
    expect(process.env.POSIX_TEST_VAR).toBeUndefined();
  });

  it('files named in bytes (UTF-8), create-directory with parents, recursive delete', async () => {
    await runTable([
      [`(create-directory "${D}/p/q/r" #t)`, `"${D}/p/q/r"`],
      [`(with-output-to-file "${D}/p/J\xc3\xbcrgen" (lambda () (display "abc")))`, '#<unspecified>'],
      [`(map string-length (sort (directory "${D}/p") string<?))`, '(7 1)'],
      [`(file-size "${D}/p/J\xc3\xbcrgen")`, '3'],
      [`(rename-file "${D}/p/J\xc3\xbcrgen" "${D}/p/.x")`, `"${D}/p/.x"`],
      [`(directory "${D}/p")`, '("q")'],
      [`(sort (directory "${D}/p" #t) string<?)`, '(".x" "q")'],
      [`(regular-file? "${D}/p/.x")`, '#t'],
      [`(delete-file "${D}/p/.x")`, `"${D}/p/.x"`],
      [`(delete-directory "${D}/p")`, `ERR (exn i/o file) (delete-directory) cannot delete directory - Directory not empty ("${D}/p")`],
      [`(delete-directory "${D}/p" #t)`, '#<unspecified>'],
      [`(file-exists? "${D}/p")`, '#f'],
    ]);
    expect(fs.existsSync(path.join(D, 'p'))).toBe(false);
  });

  it('current-directory reads, and with an argument changes, the directory', async () => {
    const before = process.cwd();
    try {
      await runTable([
        [`(current-directory "${D}")`, `"${D}"`],
        ['(current-directory)', `"${fs.realpathSync(D)}"`],
        ['(change-directory "/")', '"/"'],
        ['(current-directory)', '"/"'],
      ]);
    } finally {
      process.chdir(before);
    }
  });

  it('the process: ids, host name, times', async () => {
    await runTable([
      ['(current-process-id)', String(process.pid)],
      ['(current-user-id)', String(process.getuid?.() ?? 0)],
      ['(get-host-name)', JSON.stringify(os.hostname())],
      ['(sleep 0)', '0'],
      ['(integer? (current-seconds))', '#t'],
      ['(let ((s (utc-time->seconds (seconds->utc-time)))) (<= (- (current-seconds) 2) s (+ (current-seconds) 2)))', '#t'],
      ['(vector-length (seconds->local-time))', '10'],
      ['(string-length (seconds->string))', '24'],
      ['(integer? (current-milliseconds))', '#t'],
      // CPU clocks (csi 5 prints the same for these): whole milliseconds, growing with work.
      ['(call-with-values cpu-time (lambda (u s) (list (exact? u) (>= u 0) (exact? s) (>= s 0))))', '(#t #t #t #t)'],
      ['(let ((t0 (current-process-milliseconds))) (let loop ((i 0)) (if (< i 3000000) (loop (+ i 1)))) (list (exact? t0) (> (current-process-milliseconds) t0)))', '(#t #t)'],
    ]);
  });
});

describe('waiting without blocking', () => {
  it('sleep suspends the caller; timers (other connections) run meanwhile', async () => {
    const order: string[] = [];
    const started = Date.now();
    const slept = evalSource(engine, '(sleep 1)');
    expect(slept).toBeInstanceOf(Promise);
    setTimeout(() => order.push('timer'), 20);
    expect(await slept).toBe(0);
    order.push('slept');
    expect(order).toEqual(['timer', 'slept']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('system waits for the command without blocking the event loop', async () => {
    const order: string[] = [];
    const ran = evalSource(engine, '(system "sleep 0.3; exit 7")');
    setTimeout(() => order.push('timer'), 20);
    expect(await ran).toBe(7 * 256);
    order.push('done');
    expect(order).toEqual(['timer', 'done']);
  });
});
