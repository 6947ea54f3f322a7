/**
 * SRFI-14 character sets, as CHICKEN 3's srfi-14 unit had them: the universe is Latin-1 (codes
 * 0–255, "this library provides only the Latin-1 character set"), so a set is 256 flags, and
 * the standard sets are the reference implementation's Latin-1 definitions (char-set:letter
 * holds à–ÿ, char-set:whitespace holds NBSP 160 …). Strings here are bytes, so every character
 * of a string is in that universe; a character above 255 is in no set, and adding one is an
 * (exn type) error.
 *
 * The procedures that call a procedure (char-set-for-each, -map, -fold, -filter, -every …) are
 * in scheme/library/srfi-13.scm, on top of `char-set->list` and these constructors.
 * The `!` forms update their first argument in place (SRFI-14 allows either), except that the
 * standard sets are frozen: a `!` form given one returns a fresh set instead.
 */
import type { Engine } from '../compiler/index.js';
import { Char, MString, arrayToList, makeValues } from '../runtime/data.js';
import { SchemeError, typeError, schemeError } from '../runtime/errors.js';
import { registerPrinter } from '../runtime/printer.js';
import { defineProcedures } from './define.js';
import { listItems, fixnumArg } from './lists.js';

export class CharSet {
  constructor(
    /** 1 where the code is in the set. */
    readonly bits: Uint8Array = new Uint8Array(256),
    /** A standard set: never updated in place. */
    public frozen = false,
  ) {}

  has(code: number): boolean {
    return code < 256 && this.bits[code] === 1;
  }

  copy(): CharSet {
    return new CharSet(this.bits.slice());
  }
}

registerPrinter(CharSet, () => '#<char-set>');

export function isCharSet(x: unknown): x is CharSet {
  return x instanceof CharSet;
}

/** X as a char-set, or `(WHO) bad argument type - not a char-set`. */
export function charSetArg(x: unknown, who: string): CharSet {
  if (x instanceof CharSet) return x;
  throw typeError(who, x, 'char-set');
}

/** The set a `!` form may update: CS itself, or a copy of a frozen standard set. */
function target(cs: unknown, who: string): CharSet {
  const set = charSetArg(cs, who);
  return set.frozen ? set.copy() : set;
}

/** The Latin-1 code of character C for adding to a set. */
function latin1(c: unknown, who: string): number {
  if (!(c instanceof Char)) throw typeError(who, c, 'character');
  if (c.code > 255) throw typeError(who, c, 'Latin-1 character');
  return c.code;
}

function stringBytes(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s, 'string');
}

/** The optional base set of a constructor: a fresh copy of it, or a new empty set. */
function base(b: unknown, who: string): CharSet {
  return b === undefined ? new CharSet() : charSetArg(b, who).copy();
}

function addChars(set: CharSet, chars: readonly unknown[], who: string): CharSet {
  for (const c of chars) set.bits[latin1(c, who)] = 1;
  return set;
}

function addString(set: CharSet, s: unknown, who: string): CharSet {
  const t = stringBytes(s, who);
  for (let i = 0; i < t.length; i++) set.bits[t.charCodeAt(i)] = 1;
  return set;
}

/** Codes LOWER (inclusive) to UPPER (exclusive), clipped to Latin-1 unless ERROR? (CHICKEN 3). */
function addRange(set: CharSet, lower: unknown, upper: unknown, error: unknown, who: string): CharSet {
  const lo = fixnumArg(lower, who);
  const hi = fixnumArg(upper, who);
  if (lo < 0 || hi < lo) throw new SchemeError(['exn', 'bounds'], 'out of range', [lo, hi], who);
  if (error !== undefined && error !== false && hi > 256 && lo < hi) {
    throw schemeError('Requested UCS range contains unavailable characters -- this implementation only supports Latin-1', [lo, hi], who);
  }
  for (let i = lo; i < Math.min(hi, 256); i++) set.bits[i] = 1;
  return set;
}

/** The codes in SET, ascending. */
export function codesOf(set: CharSet): number[] {
  const out: number[] = [];
  for (let i = 0; i < 256; i++) if (set.bits[i] === 1) out.push(i);
  return out;
}

/** Set algebra: each code of the result from the flags of the first set and of each other. */
function algebra(who: string, op: (a: number, b: number) => number, inPlace: boolean) {
  return (first: unknown, ...rest: unknown[]): CharSet => {
    const out = inPlace ? target(first, who) : charSetArg(first, who).copy();
    for (const x of rest) {
      const other = charSetArg(x, who);
      for (let i = 0; i < 256; i++) out.bits[i] = op(out.bits[i] as number, other.bits[i] as number);
    }
    return out;
  };
}

function complement(cs: unknown, who: string, inPlace: boolean): CharSet {
  const out = inPlace ? target(cs, who) : charSetArg(cs, who).copy();
  for (let i = 0; i < 256; i++) out.bits[i] = 1 - (out.bits[i] as number);
  return out;
}

/** (char-set-diff+intersection CS1 CS …): CS1 minus the others, and CS1 within any of them. */
function diffIntersection(who: string) {
  return (cs1: unknown, ...rest: unknown[]): unknown => {
    const a = charSetArg(cs1, who);
    const diff = a.copy();
    const inter = new CharSet();
    for (const x of rest) {
      const other = charSetArg(x, who);
      for (let i = 0; i < 256; i++) {
        if (a.bits[i] === 1 && other.bits[i] === 1) {
          diff.bits[i] = 0;
          inter.bits[i] = 1;
        }
      }
    }
    return makeValues([diff, inter]);
  };
}

/** The reference implementation's hash: (c + 37 c + 37² c …) under a mask, modulo BOUND. */
function charSetHash(cs: unknown, bound?: unknown): number {
  const set = charSetArg(cs, 'char-set-hash');
  let b = bound === undefined ? 4194304 : fixnumArg(bound, 'char-set-hash');
  if (b === 0) b = 4194304;
  if (b < 0) throw typeError('char-set-hash', bound);
  let mask = 0x10000;
  while (mask < b) mask += mask;
  mask -= 1;
  let ans = 0;
  for (let i = 255; i >= 0; i--) if (set.bits[i] === 1) ans = (37 * ans + i) & mask;
  return ans % b;
}

function sameBits(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < 256; i++) if (a.bits[i] !== b.bits[i]) return false;
  return true;
}

function subset(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < 256; i++) if (a.bits[i] === 1 && b.bits[i] !== 1) return false;
  return true;
}

/** An n-ary relation between neighbouring sets (every argument checked). */
function relation(who: string, ok: (a: CharSet, b: CharSet) => boolean) {
  return (...sets: unknown[]): boolean => {
    const all = sets.map((s) => charSetArg(s, who));
    for (let i = 1; i < all.length; i++) if (!ok(all[i - 1] as CharSet, all[i] as CharSet)) return false;
    return true;
  };
}

/** (->char-set X): a char-set, a string's characters or one character as a set. */
export function toCharSet(x: unknown, who = '->char-set'): CharSet {
  if (x instanceof CharSet) return x;
  if (x instanceof Char) return addChars(new CharSet(), [x], who);
  if (typeof x === 'string' || x instanceof MString) return addString(new CharSet(), x, who);
  throw typeError(who, x, 'char-set, string or character');
}

// Cursors are codes: the next member at or above, 256 at the end.
function nextMember(set: CharSet, from: number): number {
  let i = from;
  while (i < 256 && set.bits[i] !== 1) i++;
  return i;
}

// ---------------------------------------------------------------------------------------------
// The standard sets (CHICKEN 3's Latin-1 definitions)
// ---------------------------------------------------------------------------------------------

function ranges(...spans: ReadonlyArray<readonly [number, number]>): CharSet {
  const set = new CharSet();
  for (const [lo, hi] of spans) for (let i = lo; i <= hi; i++) set.bits[i] = 1;
  return set;
}

function codes(...cs: number[]): CharSet {
  const set = new CharSet();
  for (const c of cs) set.bits[c] = 1;
  return set;
}

function union(...sets: CharSet[]): CharSet {
  const out = new CharSet();
  for (const s of sets) for (let i = 0; i < 256; i++) if (s.bits[i] === 1) out.bits[i] = 1;
  return out;
}

function asciiCodes(s: string): number[] {
  return Array.from(s, (ch) => ch.charCodeAt(0));
}

function standardSets(): Record<string, CharSet> {
  const lower = union(ranges([0x61, 0x7a], [0xdf, 0xf6], [0xf8, 0xff]), codes(0xb5));
  const upper = ranges([0x41, 0x5a], [0xc0, 0xd6], [0xd8, 0xde]);
  const letter = union(lower, upper, codes(0xaa, 0xba));
  const digit = ranges([0x30, 0x39]);
  const punctuation = codes(...asciiCodes('!"#%&\'()*,-./:;?@[\\]_{}'), 0xa1, 0xab, 0xad, 0xb7, 0xbb, 0xbf);
  const symbol = codes(...asciiCodes('$+<=>^`|~'), 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xac, 0xae, 0xaf, 0xb0, 0xb1, 0xb4, 0xb6, 0xb8, 0xd7, 0xf7);
  const graphic = union(letter, digit, punctuation, symbol);
  const whitespace = codes(9, 10, 11, 12, 13, 32, 0xa0);
  const sets: Record<string, CharSet> = {
    'char-set:lower-case': lower,
    'char-set:upper-case': upper,
    'char-set:title-case': new CharSet(),
    'char-set:letter': letter,
    'char-set:digit': digit,
    'char-set:letter+digit': union(letter, digit),
    'char-set:punctuation': punctuation,
    'char-set:symbol': symbol,
    'char-set:graphic': graphic,
    'char-set:whitespace': whitespace,
    'char-set:printing': union(whitespace, graphic),
    'char-set:blank': codes(9, 32, 0xa0),
    'char-set:iso-control': ranges([0, 31], [0x7f, 0x9f]),
    'char-set:hex-digit': codes(...asciiCodes('0123456789abcdefABCDEF')),
    'char-set:ascii': ranges([0, 127]),
    'char-set:empty': new CharSet(),
    'char-set:full': ranges([0, 255]),
  };
  for (const s of Object.values(sets)) s.frozen = true;
  return sets;
}

/** The standard sets, shared with strings.ts (string-trim's default, string-tokenize's). */
export const STANDARD = standardSets();

// ---------------------------------------------------------------------------------------------

export function installCharSets(engine: Engine): void {
  for (const [name, set] of Object.entries(STANDARD)) engine.define(name, set);
  const or = (a: number, b: number): number => a | b;
  const and = (a: number, b: number): number => a & b;
  const minus = (a: number, b: number): number => a & (1 - b);
  const xor = (a: number, b: number): number => a ^ b;
  const nary = (who: string, op: (a: number, b: number) => number, empty: () => CharSet) =>
    [(...sets: unknown[]) => (sets.length === 0 ? empty() : algebra(who, op, false)(sets[0], ...sets.slice(1))), 0, Infinity] as const;
  defineProcedures(engine, {
    'char-set?': [isCharSet, 1, 1],
    'char-set': [(...cs: unknown[]) => addChars(new CharSet(), cs, 'char-set'), 0, Infinity],
    'list->char-set': [(l: unknown, b?: unknown) => addChars(base(b, 'list->char-set'), listItems(l, 'list->char-set'), 'list->char-set'), 1, 2],
    'list->char-set!': [(l: unknown, b: unknown) => addChars(target(b, 'list->char-set!'), listItems(l, 'list->char-set!'), 'list->char-set!'), 2, 2],
    'string->char-set': [(s: unknown, b?: unknown) => addString(base(b, 'string->char-set'), s, 'string->char-set'), 1, 2],
    'string->char-set!': [(s: unknown, b: unknown) => addString(target(b, 'string->char-set!'), s, 'string->char-set!'), 2, 2],
    'ucs-range->char-set': [(lo: unknown, hi: unknown, err?: unknown, b?: unknown) =>
      addRange(base(b, 'ucs-range->char-set'), lo, hi, err, 'ucs-range->char-set'), 2, 4],
    'ucs-range->char-set!': [(lo: unknown, hi: unknown, err: unknown, b: unknown) =>
      addRange(target(b, 'ucs-range->char-set!'), lo, hi, err, 'ucs-range->char-set!'), 4, 4],
    '->char-set': [(x: unknown) => toCharSet(x), 1, 1],
    'char-set-copy': [(cs: unknown) => charSetArg(cs, 'char-set-copy').copy(), 1, 1],
    'char-set=': [relation('char-set=', sameBits), 0, Infinity],
    'char-set<=': [relation('char-set<=', subset), 0, Infinity],
    'char-set-hash': [charSetHash, 1, 2],
    'char-set-contains?': [(cs: unknown, c: unknown) => {
      const set = charSetArg(cs, 'char-set-contains?');
      if (!(c instanceof Char)) throw typeError('char-set-contains?', c, 'character');
      return set.has(c.code);
    }, 2, 2],
    'char-set-size': [(cs: unknown) => codesOf(charSetArg(cs, 'char-set-size')).length, 1, 1],
    'char-set->list': [(cs: unknown) => arrayToList(codesOf(charSetArg(cs, 'char-set->list')).map((c) => Char.of(c))), 1, 1],
    'char-set->string': [(cs: unknown) => new MString(String.fromCharCode(...codesOf(charSetArg(cs, 'char-set->string')))), 1, 1],
    'char-set-adjoin': [(cs: unknown, ...chars: unknown[]) => addChars(charSetArg(cs, 'char-set-adjoin').copy(), chars, 'char-set-adjoin'), 1, Infinity],
    'char-set-adjoin!': [(cs: unknown, ...chars: unknown[]) => addChars(target(cs, 'char-set-adjoin!'), chars, 'char-set-adjoin!'), 1, Infinity],
    'char-set-delete': [(cs: unknown, ...chars: unknown[]) => deleteChars(charSetArg(cs, 'char-set-delete').copy(), chars, 'char-set-delete'), 1, Infinity],
    'char-set-delete!': [(cs: unknown, ...chars: unknown[]) => deleteChars(target(cs, 'char-set-delete!'), chars, 'char-set-delete!'), 1, Infinity],
    'char-set-complement': [(cs: unknown) => complement(cs, 'char-set-complement', false), 1, 1],
    'char-set-complement!': [(cs: unknown) => complement(cs, 'char-set-complement!', true), 1, 1],
    'char-set-union': nary('char-set-union', or, () => new CharSet()),
    'char-set-union!': [algebra('char-set-union!', or, true), 1, Infinity],
    'char-set-intersection': nary('char-set-intersection', and, () => ranges([0, 255])),
    'char-set-intersection!': [algebra('char-set-intersection!', and, true), 1, Infinity],
    'char-set-difference': [algebra('char-set-difference', minus, false), 1, Infinity],
    'char-set-difference!': [algebra('char-set-difference!', minus, true), 1, Infinity],
    'char-set-xor': nary('char-set-xor', xor, () => new CharSet()),
    'char-set-xor!': [algebra('char-set-xor!', xor, true), 1, Infinity],
    'char-set-diff+intersection': [diffIntersection('char-set-diff+intersection'), 1, Infinity],
    'char-set-cursor': [(cs: unknown) => nextMember(charSetArg(cs, 'char-set-cursor'), 0), 1, 1],
    'char-set-ref': [(cs: unknown, cursor: unknown) => {
      const set = charSetArg(cs, 'char-set-ref');
      const i = fixnumArg(cursor, 'char-set-ref');
      if (!set.has(i)) throw new SchemeError(['exn', 'bounds'], 'out of range', [i], 'char-set-ref');
      return Char.of(i);
    }, 2, 2],
    'char-set-cursor-next': [(cs: unknown, cursor: unknown) =>
      nextMember(charSetArg(cs, 'char-set-cursor-next'), fixnumArg(cursor, 'char-set-cursor-next') + 1), 2, 2],
    'end-of-char-set?': [(cursor: unknown) => fixnumArg(cursor, 'end-of-char-set?') >= 256, 1, 1],
  });
}

function deleteChars(set: CharSet, chars: readonly unknown[], who: string): CharSet {
  for (const c of chars) {
    if (!(c instanceof Char)) throw typeError(who, c, 'character');
    if (c.code < 256) set.bits[c.code] = 0;
  }
  return set;
}
