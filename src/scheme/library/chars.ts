/**
 * Characters. A character is a `Char` (interned per code). Case and class are ASCII only, as
 * in CHICKEN without the utf8 egg (csi: `(char-alphabetic? (integer->char 233))` is #f and
 * `char-upcase` leaves é alone), so a string's bytes ≥ 128 are never letters, digits or space.
 */
import type { Engine } from '../compiler/index.js';
import { Char } from '../runtime/data.js';
import { typeError } from '../runtime/errors.js';
import * as P from '../runtime/prims.js';
import { defineProcedures } from './define.js';

/** The code of character C, or `(WHO) bad argument type - not a character`. */
export function charCode(c: unknown, who: string): number {
  if (c instanceof Char) return c.code;
  throw typeError(who, c, 'character');
}

export function upcaseCode(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

export function downcaseCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export function isWhitespaceCode(c: number): boolean {
  // Tab, newline, vertical tab, page, return and space (not 160: CHICKEN's class is ASCII).
  return (c >= 9 && c <= 13) || c === 32;
}

function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** An n-ary comparison of characters (codes mapped by KEY), true when OK holds for each neighbour pair. */
function comparison(who: string, key: (c: number) => number, ok: (a: number, b: number) => boolean): (...cs: unknown[]) => boolean {
  return (...cs: unknown[]): boolean => {
    // Every argument is checked, even after the answer is known, as CHICKEN checks both of two.
    let result = true;
    let prev = key(charCode(cs[0], who));
    for (let i = 1; i < cs.length; i++) {
      const next = key(charCode(cs[i], who));
      if (!ok(prev, next)) result = false;
      prev = next;
    }
    return result;
  };
}

const same = (c: number): number => c;
const ORDERS: ReadonlyArray<readonly [string, (a: number, b: number) => boolean]> = [
  ['=', (a, b) => a === b],
  ['<', (a, b) => a < b],
  ['>', (a, b) => a > b],
  ['<=', (a, b) => a <= b],
  ['>=', (a, b) => a >= b],
];

/** The digit value of code C in RADIX (2–36), or -1. */
function digitOf(c: number, radix: number): number {
  let d = -1;
  if (isDigitCode(c)) d = c - 48;
  else if (c >= 97 && c <= 122) d = c - 87;
  else if (c >= 65 && c <= 90) d = c - 55;
  return d >= 0 && d < radix ? d : -1;
}

function radixArg(r: unknown, who: string): number {
  if (r === undefined) return 10;
  if (typeof r === 'number' && r >= 2 && r <= 36) return r;
  throw typeError(who, r);
}

export function installChars(engine: Engine): void {
  const comparisons: Record<string, readonly [(...cs: unknown[]) => boolean, number, number]> = {};
  for (const [op, ok] of ORDERS) {
    // R7RS's n-ary forms; CHICKEN 3 took exactly two, which these accept too.
    comparisons[`char${op}?`] = [comparison(`char${op}?`, same, ok), 2, Infinity];
    comparisons[`char-ci${op}?`] = [comparison(`char-ci${op}?`, downcaseCode, ok), 2, Infinity];
  }
  const predicate = (who: string, test: (c: number) => boolean) =>
    [(c: unknown) => test(charCode(c, who)), 1, 1] as const;
  defineProcedures(engine, {
    'char?': [P.isChar, 1, 1],
    'char->integer': [(c: unknown) => charCode(c, 'char->integer'), 1, 1],
    'integer->char': [integerToChar, 1, 1],
    ...comparisons,
    'char-upcase': [(c: unknown) => Char.of(upcaseCode(charCode(c, 'char-upcase'))), 1, 1],
    'char-downcase': [(c: unknown) => Char.of(downcaseCode(charCode(c, 'char-downcase'))), 1, 1],
    'char-alphabetic?': predicate('char-alphabetic?', isAlphaCode),
    'char-numeric?': predicate('char-numeric?', isDigitCode),
    'char-whitespace?': predicate('char-whitespace?', isWhitespaceCode),
    'char-upper-case?': predicate('char-upper-case?', (c) => c >= 65 && c <= 90),
    'char-lower-case?': predicate('char-lower-case?', (c) => c >= 97 && c <= 122),
    // R7RS: the value of a decimal digit, else #f.
    'digit-value': [(c: unknown) => {
      const code = charCode(c, 'digit-value');
      return isDigitCode(code) ? code - 48 : false;
    }, 1, 1],
    // MIT Scheme's: (char->digit #\a 16) is 10; #f when C is no digit in RADIX (default 10).
    'char->digit': [(c: unknown, radix?: unknown) => {
      const d = digitOf(charCode(c, 'char->digit'), radixArg(radix, 'char->digit'));
      return d < 0 ? false : d;
    }, 1, 2],
    // (digit->char 11 16) is #\b; #f when D is no digit in RADIX (default 10).
    'digit->char': [(d: unknown, radix?: unknown) => {
      const r = radixArg(radix, 'digit->char');
      if (typeof d !== 'number') throw typeError('digit->char', d, 'fixnum');
      if (d < 0 || d >= r) return false;
      return Char.of(d < 10 ? 48 + d : 87 + d);
    }, 1, 2],
  });
}

/** CHICKEN: `(integer->char 1.5)` is `bad argument type - not a fixnum`. */
function integerToChar(n: unknown): Char {
  if (typeof n !== 'number') throw typeError('integer->char', n, 'fixnum');
  return P.integerToChar(n);
}
