/**
 * The prelude's input procedures with CHICKEN's behaviour over string ports and files:
 * read-line (CR LF, LF and a lone CR all end a line; the EOF object at the end), read-lines
 * (from a port and from a file name), read-string, read-char, peek-char, with-input-from-string.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { checks, compiled } from '../../support/scheme.js';
import { expectAll } from '../support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('read-line', () => {
  it('strips CR LF, LF and a lone CR, and returns the EOF object at the end', async () => {
    const results = await checks(String.raw`
      (define p (open-input-string "crlf\r\nlf\nlone\rlast"))
      (check "CR LF" "crlf" (read-line p))
      (check "LF" "lf" (read-line p))
      (check "lone CR" "lone" (read-line p))
      (check "last line without a terminator" "last" (read-line p))
      (check "then EOF" #t (eof-object? (read-line p)))
      (check "EOF again" #t (eof-object? (read-line p)))
      (check "an empty port" #t (eof-object? (read-line (open-input-string ""))))
      (check "an empty line" "" (read-line (open-input-string "\n")))
      (check "an empty line with CR LF" "" (read-line (open-input-string "\r\nx")))
      (check "UTF-8" "héllo ☃" (read-line (open-input-string "héllo ☃\nnext")))
      (check "with a limit" "ab" (read-line (open-input-string "abcdef\n") 2))
    `);
    expectAll(results, 11);
  });

  it('reads the current input port without a port argument', async () => {
    const results = await checks(String.raw`
      (check "with-input-from-string" '("line1" "line2" "l3" "l4" #t)
        (with-input-from-string "line1\r\nline2\nl3\rl4"
          (lambda () (list (read-line) (read-line) (read-line) (read-line) (eof-object? (read-line))))))
      (check "parameterize current-input-port" "x"
        (parameterize ((current-input-port (open-input-string "x\ny"))) (read-line)))
      (check "with-input-from-port" "p"
        (with-input-from-port (open-input-string "p") read-line))
    `);
    expectAll(results, 3);
  });
});

describe('read-lines', () => {
  it('reads every line of a port, or at most MAX', async () => {
    const results = await checks(String.raw`
      (check "all" '("a" "b" "c") (read-lines (open-input-string "a\nb\r\nc")))
      (check "trailing newline adds no empty line" '("a" "b") (read-lines (open-input-string "a\nb\n")))
      (check "empty port" '() (read-lines (open-input-string "")))
      (check "an empty line in the middle" '("a" "" "b") (read-lines (open-input-string "a\n\nb")))
      (check "MAX" '("a" "b") (read-lines (open-input-string "a\nb\nc") 2))
      (define p (open-input-string "a\nb\nc"))
      (read-line p)
      (check "the rest of a port" '("b" "c") (read-lines p))
      (check "current input" '("x" "y") (with-input-from-string "x\ny" read-lines))
    `);
    expectAll(results, 7);
  });

  it('reads a file by name', async () => {
    const file = path.join(dir, 'lines.txt');
    fs.writeFileSync(file, 'first\r\nsecond\nthird\rfourth\n');
    const results = await checks(String.raw`
      (check "file" '("first" "second" "third" "fourth") (read-lines ${JSON.stringify(file)}))
      (check "file, MAX" '("first") (read-lines ${JSON.stringify(file)} 1))
      (check-error "a missing file" (lambda () (read-lines ${JSON.stringify(path.join(dir, 'missing.txt'))})))
    `);
    expectAll(results, 3);
  });
});

describe('read-string, read-char, peek-char', () => {
  it('read characters and strings', async () => {
    const results = await checks(String.raw`
      (define p (open-input-string "abcdef"))
      (check "peek-char" #\a (peek-char p))
      (check "peek-char does not consume" #\a (peek-char p))
      (check "read-char" #\a (read-char p))
      (check "read-string N" "bcd" (read-string 3 p))
      (check "read-string past the end" "ef" (read-string 10 p))
      (check "read-char at the end" #t (eof-object? (read-char p)))
      (check "peek-char at the end" #t (eof-object? (peek-char p)))
      (check "read-string #f reads everything" "all of it" (read-string #f (open-input-string "all of it")))
      (check "read-string without N reads everything" "rest\nof it" (with-input-from-string "rest\nof it" read-string))
      (check "read-char of UTF-8" ${compiled ? '(integer->char 195)' : '#\\é'} (read-char (open-input-string "é")))
      (check "current input" '(#\x #\y "z") (with-input-from-string "xyz" (lambda () (list (peek-char) (begin (read-char) (read-char)) (read-string 1)))))
      (check "char-ready? on a string port" #t (char-ready? (open-input-string "x")))
    `);
    expectAll(results, 12);
  });

  it('close-input-port makes further reads fail', async () => {
    const results = await checks(String.raw`
      (define p (open-input-string "abc"))
      (close-input-port p)
      (check-error "read after close" (lambda () (read-char p)))
      (check-error "close-input-port of a non-port" (lambda () (close-input-port 5)))
    `);
    expectAll(results, 2);
  });
});
