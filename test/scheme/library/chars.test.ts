/**
 * The character procedures (src/scheme/library/chars.ts) through the engine. Each case is Scheme
 * source and what csi shows for it: the `write` text of the value, or the condition as
 * `ERR (kinds) (location) message (arguments)`. The first table was produced by CHICKEN 5's
 * csi; the second holds procedures csi 5 lacks (R7RS's n-ary comparisons, digit-value, char->digit) and the
 * cases where we deliberately differ, each with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newEngine } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import type { SchemeError } from '../../../src/scheme/runtime/errors.js';
import { showResult, raisedBy } from './support.js';

let engine: Engine;

beforeAll(async () => {
  engine = await newEngine();
}, 30_000);

const show = (src: string): Promise<string> => showResult(engine, src);
const failure = (src: string): Promise<SchemeError> => raisedBy(engine, src);

/** Checked against csi 5. Case and class are ASCII only, as csi has them (é is no letter). */
const CSI: Array<[string, string]> = [
  ['(char? #\\a)', '#t'],
  ['(char? "a")', '#f'],
  ['(char->integer #\\A)', '65'],
  ['(integer->char 97)', '#\\a'],
  ['(integer->char 955)', '#\\x3bb'],
  ['(char=? #\\a #\\a)', '#t'],
  ['(char=? #\\a #\\b)', '#f'],
  ['(char<? #\\a #\\b)', '#t'],
  ['(char<? #\\b #\\a)', '#f'],
  ['(char>? #\\b #\\a)', '#t'],
  ['(char<=? #\\a #\\a)', '#t'],
  ['(char>=? #\\a #\\b)', '#f'],
  ['(char<? #\\a 1)', 'ERR (exn type) (char<?) bad argument type - not a character (1)'],
  ['(char=? 1 #\\a)', 'ERR (exn type) (char=?) bad argument type - not a character (1)'],
  ['(char-ci=? #\\a #\\A)', '#t'],
  ['(char-ci<? #\\a #\\B)', '#t'],
  ['(char-ci>? #\\a #\\B)', '#f'],
  ['(char-ci<=? #\\Z #\\z)', '#t'],
  ['(char-ci>=? #\\a #\\Z)', '#f'],
  ['(char-upcase #\\a)', '#\\A'],
  ['(char-upcase #\\A)', '#\\A'],
  ['(char-upcase #\\1)', '#\\1'],
  ['(char-downcase #\\A)', '#\\a'],
  ['(char-upcase 1)', 'ERR (exn type) (char-upcase) bad argument type - not a character (1)'],
  ['(char->integer (char-upcase (integer->char 233)))', '233'],
  ['(char->integer (char-downcase (integer->char 201)))', '201'],
  ['(char-alphabetic? #\\a)', '#t'],
  ['(char-alphabetic? #\\Z)', '#t'],
  ['(char-alphabetic? #\\1)', '#f'],
  ['(char-alphabetic? (integer->char 233))', '#f'],
  ['(char-alphabetic? 1)', 'ERR (exn type) (char-alphabetic?) bad argument type - not a character (1)'],
  ['(char-numeric? #\\5)', '#t'],
  ['(char-numeric? #\\a)', '#f'],
  ['(char-numeric? (integer->char 178))', '#f'],
  ['(char-whitespace? #\\space)', '#t'],
  ['(char-whitespace? #\\tab)', '#t'],
  ['(char-whitespace? #\\newline)', '#t'],
  ['(char-whitespace? (integer->char 11))', '#t'],
  ['(char-whitespace? (integer->char 12))', '#t'],
  ['(char-whitespace? (integer->char 13))', '#t'],
  ['(char-whitespace? (integer->char 160))', '#f'],
  ['(char-whitespace? #\\a)', '#f'],
  ['(char-upper-case? #\\A)', '#t'],
  ['(char-upper-case? #\\a)', '#f'],
  ['(char-upper-case? (integer->char 201))', '#f'],
  ['(char-lower-case? #\\a)', '#t'],
  ['(char-lower-case? #\\A)', '#f'],
  ['(char-lower-case? (integer->char 233))', '#f'],
  ['(char-lower-case? 5)', 'ERR (exn type) (char-lower-case?) bad argument type - not a character (5)'],
  ['(apply char->integer (list 1))', 'ERR (exn type) (char->integer) bad argument type - not a character (1)'],
  ['(apply integer->char (list 1.5))', 'ERR (exn type) (integer->char) bad argument type - not a fixnum (1.5)'],
];

/** Not in csi 5: R7RS's n-ary comparisons (csi's take two), digit-value, MIT's char->digit / digit->char. */
const OURS: Array<[string, string]> = [
  ['(char=? #\\a #\\a #\\a)', '#t'],
  ['(char=? #\\a #\\a #\\b)', '#f'],
  ['(char<? #\\a #\\b #\\c)', '#t'],
  ['(char<? #\\a #\\c #\\b)', '#f'],
  ['(char-ci=? #\\a #\\A #\\a)', '#t'],
  ['(char>=? #\\c #\\b #\\b)', '#t'],
  ['(apply char=? (list #\\a))', 'ERR (exn arity) (#f) bad argument count - received 1 but expected at least 2 (#<procedure (char=?)>)'],
  ['(char<? #\\a #\\b 5)', 'ERR (exn type) (char<?) bad argument type - not a character (5)'],
  ['(digit-value #\\7)', '7'],
  ['(digit-value #\\a)', '#f'],
  ['(digit-value 5)', 'ERR (exn type) (digit-value) bad argument type - not a character (5)'],
  ['(char->digit #\\7)', '7'],
  ['(char->digit #\\a 16)', '10'],
  ['(char->digit #\\F 16)', '15'],
  ['(char->digit #\\z 10)', '#f'],
  ['(char->digit #\\Z 36)', '35'],
  ['(char->digit #\\7 1)', 'ERR (exn type) (char->digit) bad argument type (1)'],
  ['(digit->char 7)', '#\\7'],
  ['(digit->char 11 16)', '#\\b'],
  ['(digit->char 35 36)', '#\\z'],
  ['(digit->char 11 10)', '#f'],
  ['(digit->char -1)', '#f'],
  ['(digit->char (quote a))', 'ERR (exn type) (digit->char) bad argument type - not a fixnum (a)'],
  ['(apply integer->char (list 955))', '#\\x3bb'],
  ['(char-upcase (integer->char 955))', '#\\x3bb'],
];

describe('chars: against csi', () => {
  it.each(CSI)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('chars: R7RS and CHICKEN 3 additions', () => {
  it.each(OURS)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('chars: conditions', () => {
  it('raises (exn type) naming the procedure and saying what was expected', async () => {
    const e = await failure('(char-upcase "a")');
    expect(e.kinds).toEqual(['exn', 'type']);
    expect(e.location).toBe('char-upcase');
    expect(e.message).toBe('bad argument type - not a character');
  });

  it('checks every argument of a comparison, even once the answer is known', async () => {
    const e = await failure('(char<? #\\b #\\a 1)');
    expect(e.location).toBe('char<?');
  });
});

describe('chars: every byte', () => {
  it('classifies all 256 characters as csi does (ASCII letters, digits and space only)', async () => {
    const classes = await show(`(let loop ((i 255) (acc '()))
      (if (< i 0) acc
          (let ((c (integer->char i)))
            (loop (- i 1) (cons (list (char-alphabetic? c) (char-numeric? c) (char-whitespace? c)
                                      (char-upper-case? c) (char-lower-case? c)
                                      (char->integer (char-upcase c)) (char->integer (char-downcase c)))
                                acc)))))`);
    const expected: string[] = [];
    for (let i = 0; i < 256; i++) {
      const upper = i >= 65 && i <= 90;
      const lower = i >= 97 && i <= 122;
      const flags = [upper || lower, i >= 48 && i <= 57, (i >= 9 && i <= 13) || i === 32, upper, lower].map((b) => (b ? '#t' : '#f'));
      expected.push(`(${flags.join(' ')} ${lower ? i - 32 : i} ${upper ? i + 32 : i})`);
    }
    expect(classes).toBe(`(${expected.join(' ')})`);
  });
});
