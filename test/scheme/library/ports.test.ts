/**
 * CHICKEN's ports unit and extras' input/output through the engine (src/scheme/library/io.ts,
 * the port sections of scheme/library/base.scm and data-structures.scm): ports made from
 * procedures and from other ports, read from every kind of port, read-string!, the format
 * directives, and the file forms of read-all, read-file and read-lines. Each case is Scheme
 * source and the `write` text of its value, or its condition as `ERR (kinds) (location) message
 * (arguments)`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { showResult, engineWithWait } from './support.js';

let engine: Engine;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ports-test-'));
const file = path.join(dir, 'data.txt');

beforeAll(async () => {
  engine = await engineWithWait();
  fs.writeFileSync(file, '(a 1) "two"\nsecond line\nthird');
  // An input port over a string's characters, made with make-input-port; `wait-port` waits before each.
  await showResult(engine, `(define (chars-port text #!optional slow)
    (let ((chars (string->list text)))
      (make-input-port (lambda () (if (null? chars) #!eof (let ((c (car chars))) (set! chars (cdr chars)) (if slow (wait c) c))))
                       (lambda () (pair? chars))
                       (lambda () (set! chars '())))))`);
}, 30_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const show = (src: string): Promise<string> => showResult(engine, src);
const F = JSON.stringify(file);

/** Produced by CHICKEN 5's csi (chicken.port, chicken.io and chicken.format have these). */
const CSI: Array<[string, string]> = [
  ['(let ((p (chars-port "ab c\\nline two\\r\\nlast"))) (list (read-char p) (peek-char p) (read-char p) (read-line p) (read-line p) (read-string 2 p) (read-line p) (read-line p)))', '(#\\a #\\b #\\b " c" "line two" "la" "st" #!eof)'],
  ['(let ((p (chars-port "(a \\"b)\\" #\\\\) . c) 42 #(1 2) \'q sym ; comment\\n #| block |# #;(skipped) end"))) (port-map identity (lambda () (read p))))', '((a "b)" #\\) . c) 42 #(1 2) (quote q) sym end)'],
  ['(read (chars-port "  "))', '#!eof'],
  ['(let ((out (open-output-string))) (let ((p (make-output-port (lambda (s) (write s out)) (lambda () (display "|closed" out))))) (display "hi" p) (write \'sym p) (close-output-port p) (get-output-string out)))', '"\\"hi\\"\\"sym\\"|closed"'],
  ['(make-output-port (lambda (s) s) void)', '#<output port "(custom)">'],
  ['(let ((p (make-concatenated-port (open-input-string "ab") (open-input-string "") (open-input-string "c\\nd e")))) (list (read-line p) (read p) (read p) (read p)))', '("abc" d e #!eof)'],
  ['(let* ((a (open-output-string)) (b (open-output-string)) (p (make-broadcast-port a b))) (display "both " p) (write \'x p) (list (get-output-string a) (get-output-string b)))', '("both x" "both x")'],
  ['(let ((p (open-input-string "one\\ntwo"))) (port-fold cons \'() (lambda () (read-line p))))', '("two" "one")'],
  ['(with-output-to-string (lambda () (port-for-each write (let ((p (open-input-string "xy"))) (lambda () (read-char p))))))', '"#\\\\x#\\\\y"'],
  ['(call-with-output-string (lambda (port) (copy-port (open-input-string "copied") port)))', '"copied"'],
  ['(call-with-output-string (lambda (port) (copy-port (open-input-string "(a) b") port read (lambda (x p) (write (list x) p)))))', '"((a))(b)"'],
  ['(let ((s (make-string 6 #\\-))) (list (read-string! 3 s (open-input-string "abcdef") 1) s))', '(3 "-abc--")'],
  ['(let ((s (make-string 6 #\\-))) (list (read-string! #f s (open-input-string "xy")) (read-string! 9 s (open-input-string "12345678") 4) s))', '(2 2 "xy--12")'],
  ['(read-string! 2 (make-string 2) 5)', 'ERR (exn type) (read-string!) bad argument type - not a port (5)'],
  ['(let ((e (open-output-string))) (with-error-output-to-port e (lambda () (display "oops" (current-error-port)))) (get-output-string e))', '"oops"'],
  ['(with-output-to-port 5 (lambda () 1))', 'ERR (exn type) (with-output-to-port) bad argument type - not a port (5)'],
  ['(with-error-output-to-port \'x (lambda () 1))', 'ERR (exn type) (with-error-output-to-port) bad argument type - not a port (x)'],
  ['(display 1 (open-input-string ""))', 'ERR (exn type) (display) bad argument type - not an output-port (#<input port "(string)">)'],
  ['(sprintf "~a|~s|~A|~S|~b|~o|~x|~X|~~|~%|~N|" "s" "s" \'x "y" 5 8 255 255)', '"s|\\"s\\"|x|\\"y\\"|101|10|ff|ff|~|\\n|\\n|"'],
  ['(sprintf "a~?b" "<~a ~a>" \'(1 2))', '"a<1 2>b"'],
  ['(sprintf "x~   \\n   y ~a" 1)', '"xy 1"'],
  ['(sprintf "~!ok~")', '"ok~"'],
  ['(sprintf "~a" 1 2)', '"1"'],
  ['(sprintf "~a ~a" 1)', 'ERR (exn) (sprintf) too few arguments to formatted output procedure ()'],
  ['(sprintf "~q" 1)', 'ERR (exn) (sprintf) illegal format-string character (#\\q)'],
  ['(sprintf "~b" \'a)', 'ERR (exn type) (number->string) bad argument type - not a number (a)'],
  ['(format #f "~a-~s" 1 "q")', '"1-\\"q\\""'],
  ['(with-output-to-string (lambda () (format #t "t~a" 1) (printf "p~a" 2) (fprintf (current-output-port) "f~a" 3)))', '"t1p2f3"'],
];

/**
 * csi 5 lacks these or differs from CHICKEN 3 (read-file, read-all and for-each-line are
 * CHICKEN 3's extras and utils; its write-line displays any object, csi 5's takes only strings):
 * the expected values are the CHICKEN 3 manual's.
 */
const CHICKEN3: Array<[string, string]> = [
  [`(read-file ${F})`, '((a 1) "two" second line third)'],
  [`(read-file ${F} read-line)`, '("(a 1) \\"two\\"" "second line" "third")'],
  [`(read-file ${F} read 2)`, '((a 1) "two")'],
  [`(read-lines ${F})`, '("(a 1) \\"two\\"" "second line" "third")'],
  [`(read-lines ${F} 1)`, '("(a 1) \\"two\\"")'],
  [`(read-all ${F})`, '"(a 1) \\"two\\"\\nsecond line\\nthird"'],
  ['(read-all (open-input-string "rest of it"))', '"rest of it"'],
  ['(let ((p (open-input-string "x"))) (read-char p) (read-all p))', '""'],
  [`(with-input-from-file ${F} (lambda () (let ((acc '())) (for-each-line (lambda (l) (set! acc (cons l acc)))) acc)))`, '("third" "second line" "(a 1) \\"two\\"")'],
  ['(let ((n 0)) (for-each-line (lambda (l) (set! n (+ n (string-length l)))) (open-input-string "ab\\ncd")) n)', '4'],
  ["(with-output-to-string (lambda () (write-line 'sym) (write-line \"s\")))", '"sym\\ns\\n"'],
  ['(read-file "/nonexistent/file")', 'ERR (exn i/o file) (open-input-file) cannot open file - No such file or directory ("/nonexistent/file")'],
];

/** The procedures behind a port may wait for I/O: reading through them waits too. */
const WAITING: Array<[string, string]> = [
  ['(let ((p (chars-port "ab\\ncd" #t))) (list (read-char p) (read-line p) (read-string 5 p)))', '(#\\a "b" "cd")'],
  ['(read (chars-port "(x \\"y\\" 3)" #t))', '(x "y" 3)'],
  ['(let ((out (open-output-string))) (let ((p (make-output-port (lambda (s) (wait (display s out))) void))) (display "a" p) (display "b" p) (get-output-string out)))', '"ab"'],
  ['(call-with-output-string (lambda (o) (copy-port (chars-port "slow" #t) o)))', '"slow"'],
];

describe('ports: against csi', () => {
  it.each(CSI)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('ports: CHICKEN 3 only (its manual)', () => {
  it.each(CHICKEN3)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('ports: procedures that wait', () => {
  it.each(WAITING)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('ports: read from a text (UTF-8) port', () => {
  it('reads data one at a time from a request-body port and leaves the rest', async () => {
    const { BodyPort } = await import('../../../src/scheme/ports.js');
    const { BufferInput } = await import('../../../src/http/input.js');
    engine.define('body', new BodyPort(new BufferInput(Buffer.from('("Jürgen" 1) x rest'), 'utf8')));
    expect(await show('(list (read body) (read body) (read-line body))')).toBe('(("J\xc3\xbcrgen" 1) x " rest")');
  });
});
