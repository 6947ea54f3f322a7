/**
 * Strings: R5RS, CHICKEN's data-structures unit (string-split, string-intersperse, conc …) and
 * the SRFI-13 procedures CHICKEN 3 programs use (string-index, string-prefix?, string-join …).
 *
 * Strings are BYTE strings (SEMANTICS.md, "Scheme data"): a JS string whose code units are
 * 0–255, so `(string-length "Jürgen")` in a UTF-8 source is 7. A literal is an immutable JS
 * string; a string a procedure makes afresh (make-string, string-copy, string-append,
 * substring, list->string …) is a mutable `MString`, as every new string is mutable in CHICKEN.
 *
 * A character above 255 cannot be one byte. Where a string is built from a sequence of
 * characters (`string`, `list->string`) it goes in as its UTF-8 bytes, as a port writes it;
 * where it must take exactly one position (`make-string`, `string-set!`, `string-fill!`) it is
 * an (exn type) error. (CHICKEN keeps the low byte, which silently corrupts the text.)
 *
 * Long strings are built with array joins, so everything is linear in the lengths involved.
 */
import { charge } from '../runtime/control.js';
import type { Engine } from '../compiler/index.js';
import { Char, MString, NIL, Pair, arrayToList, textToBytes } from '../runtime/data.js';
import { typeError, boundsError, schemeError, SchemeError } from '../runtime/errors.js';
import { callScheme } from '../runtime/control.js';
import { displayString } from '../runtime/printer.js';
import * as P from '../runtime/prims.js';
import { defineProcedures } from './define.js';
import { setArrayForm } from './control.js';
import { listItems, fixnumArg } from './lists.js';
import { charCode, isWhitespaceCode } from './chars.js';

type MStringT = { __string__: string };

// ---------------------------------------------------------------------------------------------
// Arguments and results
// ---------------------------------------------------------------------------------------------

/** The bytes of string S, or `(WHO) bad argument type - not a string`. */
function text(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s, 'string');
}

/** A new mutable string. */
function fresh(s: string): MStringT {
  return new MString(s);
}

/** An optional fixnum argument (absent: DEFAULT). */
function optIndex(x: unknown, dflt: number, who: string): number {
  return x === undefined ? dflt : fixnumArg(x, who);
}

/** [start, end) of a string or vector of length LEN from optional START/END arguments, checked. */
export function range(len: number, start: unknown, end: unknown, who: string): [number, number] {
  const s = optIndex(start, 0, who);
  const e = optIndex(end, len, who);
  if (s < 0 || e > len || s > e) throw boundsError(who, s, e);
  return [s, e];
}

/** The byte of character C for a string position (a character above 255 cannot be one). */
function byteOf(c: unknown, who: string): string {
  const code = charCode(c, who);
  if (code > 255) throw typeError(who, c, 'character of one byte (0-255)');
  return String.fromCharCode(code);
}

/** The bytes of character C in a string built from characters: itself, or its UTF-8 bytes. */
function charBytes(c: unknown, who: string): string {
  const code = charCode(c, who);
  return code < 256 ? String.fromCharCode(code) : textToBytes(String.fromCodePoint(code));
}

/** ASCII case mapping of a byte string (bytes ≥ 128 are no letters, as in CHICKEN). */
function asciiDown(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function asciiUp(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

/** A sync-or-async result: F of R, waiting for R first when a Scheme procedure suspended. */
function then<T, U>(r: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return r instanceof Promise ? r.then(f) : f(r);
}

// ---------------------------------------------------------------------------------------------
// Mutation
// ---------------------------------------------------------------------------------------------

/**
 * The MString of S for a mutation at WHO. A JS string cannot change in place, and literals
 * are JS strings (shared by every evaluation of the code), so mutating one is an error: csi
 * allows it, we say the string is a constant. Strings other modules return as JS strings
 * (`read-line`, `number->string` …) are constants too.
 */
function mutable(s: unknown, who: string, what?: string): MStringT {
  if (s instanceof MString) return s;
  if (typeof s === 'string') throw new SchemeError(['exn', 'type'], 'bad argument type - string is a constant (use string-copy to get a mutable one)', [s], who);
  throw typeError(who, s, what);
}

/**
 * A long string that is being written one byte at a time keeps its bytes in a buffer, so that
 * each `string-set!` is O(1) instead of copying the whole string: its `__string__` becomes an
 * accessor that rebuilds the JS string when read after a write. Readers (prims' `str`, LIPS)
 * see an ordinary `__string__`; assigning one drops the buffer.
 */
interface ByteBuffer {
  bytes: Uint8Array;
  /** The JS string of BYTES, or null after a write. */
  text: string | null;
}
const buffers = new WeakMap<object, ByteBuffer>();
/** Below this length copying the string on each write is cheaper than the buffer. */
const BUFFER_MIN = 256;

function bufferOf(m: MStringT): ByteBuffer {
  const known = buffers.get(m);
  if (known !== undefined) return known;
  const s = m.__string__;
  const buffer: ByteBuffer = { bytes: Uint8Array.from(Buffer.from(s, 'latin1')), text: s };
  buffers.set(m, buffer);
  Object.defineProperty(m, '__string__', {
    configurable: true,
    enumerable: true,
    get(): string {
      if (buffer.text === null) buffer.text = Buffer.from(buffer.bytes.buffer, buffer.bytes.byteOffset, buffer.bytes.length).toString('latin1');
      return buffer.text;
    },
    set(v: string): void {
      buffers.delete(m);
      Object.defineProperty(m, '__string__', { value: v, writable: true, configurable: true, enumerable: true });
    },
  });
  return buffer;
}

function stringSet(s: unknown, k: unknown, c: unknown): void {
  const m = mutable(s, 'string-set!');
  const buffered = buffers.get(m);
  const len = buffered !== undefined ? buffered.bytes.length : m.__string__.length;
  if (typeof k !== 'number') throw typeError('string-set!', k);
  if (k < 0 || k >= len) throw boundsError('string-set!', s, k);
  if (!(c instanceof Char)) throw typeError('string-set!', c);
  const byte = byteOf(c, 'string-set!').charCodeAt(0);
  if (buffered === undefined && len < BUFFER_MIN) {
    const old = m.__string__;
    m.__string__ = old.slice(0, k) + String.fromCharCode(byte) + old.slice(k + 1);
    return;
  }
  const buffer = buffered ?? bufferOf(m);
  buffer.bytes[k] = byte;
  buffer.text = null;
}

function stringFill(s: unknown, c: unknown, start?: unknown, end?: unknown): void {
  const m = mutable(s, 'string-fill!', 'string');
  const old = m.__string__;
  const byte = byteOf(c, 'string-fill!');
  const [from, to] = range(old.length, start, end, 'string-fill!');
  m.__string__ = old.slice(0, from) + byte.repeat(to - from) + old.slice(to);
}

// ---------------------------------------------------------------------------------------------
// R5RS
// ---------------------------------------------------------------------------------------------

/** V8's longest string (a longer one is a RangeError in JS; CHICKEN panics out of memory). */
const MAX_STRING = 0x1fffffe8;

function makeString(k: unknown, c?: unknown): MStringT {
  const n = fixnumArg(k, 'make-string');
  if (n < 0) throw new SchemeError(['exn', 'bounds'], 'size is negative', [k], 'make-string');
  if (n > MAX_STRING) throw new SchemeError(['exn', 'bounds'], 'size exceeds maximum', [k], 'make-string');
  return fresh((c === undefined ? ' ' : byteOf(c, 'make-string')).repeat(n));
}

/** The bytes of a list's characters, joined once (linear in the list's length). */
function charsToBytes(chars: readonly unknown[], who: string): string {
  const parts = new Array<string>(chars.length);
  for (let i = 0; i < chars.length; i++) parts[i] = charBytes(chars[i], who);
  return parts.join('');
}

function substring(s: unknown, start: unknown, end?: unknown): MStringT {
  const t = text(s, 'substring');
  const from = fixnumArg(start, 'substring');
  const to = optIndex(end, t.length, 'substring');
  if (from < 0 || to > t.length || from > to) throw boundsError('substring', from, to);
  return fresh(t.slice(from, to));
}

function stringAppend(...ss: unknown[]): MStringT {
  return stringAppendArgs(ss);
}

function stringAppendArgs(ss: unknown[]): MStringT {
  // `+`, not join: V8 concatenates lazily, so a result that is only displayed or appended again
  // is not copied here.
  let s = '';
  for (let i = 0; i < ss.length; i++) s += text(ss[i], 'string-append');
  charge(s.length >> 8);
  return fresh(s);
}

function stringToList(s: unknown, start?: unknown, end?: unknown): unknown {
  const t = text(s, 'string->list');
  const [from, to] = range(t.length, start, end, 'string->list');
  let out: unknown = NIL;
  for (let i = to - 1; i >= from; i--) out = new Pair(Char.of(t.charCodeAt(i)), out);
  return out;
}

/** An n-ary comparison of strings (mapped by KEY), true when OK holds for each neighbour pair. */
function comparison(who: string, key: (s: string) => string, ok: (a: string, b: string) => boolean, check: (s: unknown, who: string) => string) {
  return (...ss: unknown[]): boolean => {
    let result = true;
    let prev = key(check(ss[0], who));
    for (let i = 1; i < ss.length; i++) {
      const next = key(check(ss[i], who));
      if (result && !ok(prev, next)) result = false;
      prev = next;
    }
    return result;
  };
}

const ORDERS: ReadonlyArray<readonly [string, (a: string, b: string) => boolean]> = [
  // JS compares code units, which are the bytes: the same order as CHICKEN's memcmp.
  ['=', (a, b) => a === b],
  ['<', (a, b) => a < b],
  ['>', (a, b) => a > b],
  ['<=', (a, b) => a <= b],
  ['>=', (a, b) => a >= b],
];

// ---------------------------------------------------------------------------------------------
// SRFI-13
// ---------------------------------------------------------------------------------------------

/** A character test from SRFI-13's criterion: a character or a predicate (a Scheme procedure). */
type Test = (c: Char) => unknown;

function criterion(x: unknown, who: string): Test {
  if (x instanceof Char) return (c) => c === x;
  if (typeof x === 'function') {
    const f = x as (...args: unknown[]) => unknown;
    // The predicate may wait for I/O: callScheme then gives a Promise, and the search goes on
    // when it settles (the procedure calling us waits for the Promise in turn).
    return (c) => callScheme(f, c);
  }
  throw typeError(who, x);
}

const WHITESPACE: Test = (c) => isWhitespaceCode(c.code);

/**
 * The first index from FROM towards TO (exclusive; STEP 1 or -1) whose character passes TEST
 * (WANT true) or fails it (WANT false); -1 if none.
 */
function scan(t: string, from: number, to: number, step: 1 | -1, test: Test, want: boolean): number | Promise<number> {
  for (let i = from; i !== to; i += step) {
    const r = test(Char.of(t.charCodeAt(i)));
    if (r instanceof Promise) {
      return (r as Promise<unknown>).then((v: unknown) => ((v !== false) === want ? i : scan(t, i + step, to, step, test, want)));
    }
    if ((r !== false) === want) return i;
  }
  return -1;
}

function indexResult(i: number): number | false {
  return i < 0 ? false : i;
}

function stringIndex(s: unknown, crit: unknown, start?: unknown, end?: unknown): unknown {
  const t = text(s, 'string-index');
  const test = criterion(crit, 'string-index');
  const [from, to] = range(t.length, start, end, 'string-index');
  return then(scan(t, from, to, 1, test, true), indexResult);
}

function stringIndexRight(s: unknown, crit: unknown, start?: unknown, end?: unknown): unknown {
  const t = text(s, 'string-index-right');
  const test = criterion(crit, 'string-index-right');
  const [from, to] = range(t.length, start, end, 'string-index-right');
  return then(scan(t, to - 1, from - 1, -1, test, true), indexResult);
}

function stringSkip(s: unknown, crit: unknown, start?: unknown, end?: unknown): unknown {
  const t = text(s, 'string-skip');
  const test = criterion(crit, 'string-skip');
  const [from, to] = range(t.length, start, end, 'string-skip');
  return then(scan(t, from, to, 1, test, false), indexResult);
}

/** string-trim / -right / -both: LEFT and RIGHT say which ends lose the characters passing the test. */
function trimmer(who: string, left: boolean, right: boolean) {
  return (s: unknown, crit?: unknown, start?: unknown, end?: unknown): unknown => {
    const t = text(s, who);
    const test = crit === undefined ? WHITESPACE : criterion(crit, who);
    const [from, to] = range(t.length, start, end, who);
    const first = left ? scan(t, from, to, 1, test, false) : from;
    return then(first, (i) => {
      const begin = i < 0 ? to : i;
      const last = right ? scan(t, to - 1, begin - 1, -1, test, false) : to - 1;
      return then(last, (j) => fresh(t.slice(begin, j < begin ? begin : j + 1)));
    });
  };
}

/** string-prefix? / string-suffix? and their -ci forms: (P S [START1 END1 START2 END2]). */
function affix(who: string, suffix: boolean, fold: boolean) {
  return (p: unknown, s: unknown, s1?: unknown, e1?: unknown, s2?: unknown, e2?: unknown): boolean => {
    const pt = text(p, who);
    const st = text(s, who);
    const [a, b] = range(pt.length, s1, e1, who);
    const [c, d] = range(st.length, s2, e2, who);
    const n = b - a;
    if (n > d - c) return false;
    const key = fold ? asciiDown : (x: string) => x;
    const part = suffix ? st.slice(d - n, d) : st.slice(c, c + n);
    return key(pt.slice(a, b)) === key(part);
  };
}

/** SRFI-13 string-join: GRAMMAR infix (default), strict-infix (error on no strings), prefix or suffix. */
function stringJoin(l: unknown, delim?: unknown, grammar?: unknown): MStringT {
  const parts = listItems(l, 'string-join').map((x) => text(x, 'string-join'));
  const d = delim === undefined ? ' ' : text(delim, 'string-join');
  const g = grammar === undefined ? 'infix' : P.isSymbolP(grammar) ? String((grammar as { __name__: unknown }).__name__) : '';
  switch (g) {
    case 'infix':
      return fresh(parts.join(d));
    case 'strict-infix':
      if (parts.length === 0) throw schemeError('empty list cannot be joined with strict-infix grammar', [l], 'string-join');
      return fresh(parts.join(d));
    case 'prefix':
      return fresh(parts.length === 0 ? '' : d + parts.join(d));
    case 'suffix':
      return fresh(parts.length === 0 ? '' : parts.join(d) + d);
    default:
      throw typeError('string-join', grammar);
  }
}

function stringContains(s: unknown, pattern: unknown, start?: unknown, end?: unknown): number | false {
  const t = text(s, 'string-contains');
  const p = text(pattern, 'string-contains');
  const [from, to] = range(t.length, start, end, 'string-contains');
  const i = t.slice(0, to).indexOf(p, from);
  return i < 0 ? false : i;
}

// ---------------------------------------------------------------------------------------------
// CHICKEN's data-structures unit
// ---------------------------------------------------------------------------------------------

/** (string-split STR [DELIMS " \t\n" [KEEPEMPTY #f]]): the pieces between delimiter characters. */
function stringSplit(s: unknown, ...opt: unknown[]): unknown {
  const t = text(s, 'string-split');
  const delims = opt.length > 0 ? text(opt[0], 'string-split') : ' \t\n';
  const keep = opt.length > 1 && opt[1] !== false;
  const isDelim = new Uint8Array(256);
  for (let i = 0; i < delims.length; i++) isDelim[delims.charCodeAt(i)] = 1;
  const out: unknown[] = [];
  let start = 0;
  for (let i = 0; i <= t.length; i++) {
    if (i < t.length && isDelim[t.charCodeAt(i)] === 0) continue;
    if (keep || i > start) out.push(fresh(t.slice(start, i)));
    start = i + 1;
  }
  return arrayToList(out);
}

function stringIntersperse(l: unknown, delim?: unknown): MStringT {
  if (!(l instanceof Pair) && l !== NIL) throw typeError('string-intersperse', l, 'list');
  const d = delim === undefined ? ' ' : text(delim, 'string-intersperse');
  const parts = listItems(l, 'string-intersperse');
  for (let i = 0; i < parts.length; i++) parts[i] = text(parts[i], 'string-intersperse');
  return fresh(parts.join(d));
}

/** STR in pieces of LENGTH (the last one shorter). */
function stringChop(s: unknown, length: unknown): unknown {
  const t = text(s, 'string-chop');
  const n = fixnumArg(length, 'string-chop');
  // CHICKEN loops forever on a length ≤ 0.
  if (n <= 0) throw schemeError('invalid numeric argument', [length], 'string-chop');
  const out: unknown[] = [];
  for (let i = 0; i < t.length; i += n) out.push(fresh(t.slice(i, i + n)));
  return arrayToList(out);
}

/**
 * (string-translate STR FROM [TO]): each character of STR found in FROM (a character, a list
 * of characters or a string) becomes the character at the same index in TO (a character or a
 * string), or is dropped when there is no TO.
 */
function stringTranslate(s: unknown, from: unknown, ...opt: unknown[]): MStringT {
  const who = 'string-translate';
  const fromChars = from instanceof Char ? (from.code < 256 ? String.fromCharCode(from.code) : '')
    : from instanceof Pair ? charsToBytes(listItems(from, who), who) : text(from, who);
  const dest = opt.length === 0 ? false : opt[0];
  const to = dest === false ? null
    : dest instanceof Char ? byteOf(dest, who)
    : dest instanceof Pair ? charsToBytes(listItems(dest, who), who) : text(dest, who);
  const single = dest instanceof Char;
  const t = text(s, who);
  const map = new Int16Array(256).fill(-1);
  for (let i = fromChars.length - 1; i >= 0; i--) map[fromChars.charCodeAt(i)] = i;
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const found = map[t.charCodeAt(i)] as number;
    if (found < 0) out.push(t[i] as string);
    else if (to === null) continue;
    else if (single) out.push(to);
    else if (found >= to.length) throw schemeError('invalid translation destination', [i, dest], who);
    else out.push(to[found] as string);
  }
  return fresh(out.join(''));
}

function stringChomp(s: unknown, suffix?: unknown): MStringT {
  const t = text(s, 'string-chomp');
  const end = suffix === undefined ? '\n' : text(suffix, 'string-chomp');
  return fresh(end !== '' && t.endsWith(end) ? t.slice(0, t.length - end.length) : t);
}

/** (substring-index WHICH WHERE [START]): where WHICH first occurs in WHERE from START, or #f. */
function substringIndex(who: string, fold: boolean) {
  return (which: unknown, where: unknown, start?: unknown): number | false => {
    const w = text(which, who);
    const t = text(where, who);
    const from = optIndex(start, 0, who);
    if (from < 0 || from > t.length) throw boundsError(who, from, t.length);
    const i = fold ? asciiDown(t).indexOf(asciiDown(w), from) : t.indexOf(w, from);
    return i < 0 ? false : i;
  };
}

/** (substring=? S1 S2 [START1 START2 LENGTH]): whether the LENGTH bytes at START1 and START2 agree. */
function substringEqual(who: string, fold: boolean) {
  return (s1: unknown, s2: unknown, start1?: unknown, start2?: unknown, length?: unknown): boolean => {
    const a = text(s1, who);
    const b = text(s2, who);
    const i = optIndex(start1, 0, who);
    const j = optIndex(start2, 0, who);
    if (i < 0 || i > a.length) throw boundsError(who, i, a.length);
    if (j < 0 || j > b.length) throw boundsError(who, j, b.length);
    const n = length === undefined ? Math.min(a.length - i, b.length - j) : fixnumArg(length, who);
    if (n < 0 || i + n > a.length || j + n > b.length) return false;
    const x = a.slice(i, i + n);
    const y = b.slice(j, j + n);
    return fold ? asciiDown(x) === asciiDown(y) : x === y;
  };
}

/** (string-compare3 S1 S2): negative, zero or positive as S1 sorts before, with or after S2 (bytes). */
function stringCompare3(who: string, fold: boolean) {
  return (s1: unknown, s2: unknown): number => {
    let a = text(s1, who);
    let b = text(s2, who);
    if (fold) {
      a = asciiDown(a);
      b = asciiDown(b);
    }
    // CHICKEN: the first differing byte's difference, else the difference of the lengths.
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = a.charCodeAt(i) - b.charCodeAt(i);
      if (d !== 0) return d;
    }
    return a.length - b.length;
  };
}

/**
 * (string-translate* STR SMAP): STR with every occurrence of each key of the a-list SMAP
 * ((FROM . TO) …) replaced, trying the keys in order at each position, left to right.
 */
function stringTranslateStar(s: unknown, smap: unknown): MStringT {
  const who = 'string-translate*';
  const t = text(s, who);
  const pairs = listItems(smap, who).map((p) => {
    if (!(p instanceof Pair)) throw typeError(who, p, 'pair');
    return [text(p.car, who), text(p.cdr, who)] as const;
  });
  const out: string[] = [];
  let i = 0;
  let from = 0;
  while (i < t.length) {
    const hit = pairs.find(([k]) => k !== '' && t.startsWith(k, i));
    if (hit === undefined) {
      i++;
      continue;
    }
    out.push(t.slice(from, i), hit[1]);
    i += hit[0].length;
    from = i;
  }
  out.push(t.slice(from));
  return fresh(out.join(''));
}

/** `display` text of X (a string's bytes, a symbol's name …), as `->string` and `conc` use it. */
function toBytes(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof MString) return x.__string__;
  return displayString(x);
}

// ---------------------------------------------------------------------------------------------

export function installStrings(engine: Engine): void {
  const comparisons: Record<string, readonly [(...ss: unknown[]) => boolean, number, number]> = {};
  for (const [op, ok] of ORDERS) {
    // CHICKEN words a non-string for string=? and string-ci=? without "- not a string".
    const check = op === '=' ? P.str : text;
    // R7RS's n-ary forms; CHICKEN 3 took exactly two, which these accept too.
    comparisons[`string${op}?`] = [comparison(`string${op}?`, (s) => s, ok, check), 2, Infinity];
    comparisons[`string-ci${op}?`] = [comparison(`string-ci${op}?`, asciiDown, ok, check), 2, Infinity];
  }
  defineProcedures(engine, {
    'string?': [P.isString, 1, 1],
    'make-string': [makeString, 1, 2],
    // CHICKEN's `string` is list->string of its arguments, and blames list->string.
    string: [(...cs: unknown[]) => fresh(charsToBytes(cs, 'list->string')), 0, Infinity],
    'string-length': [P.stringLength, 1, 1],
    'string-ref': [P.stringRef, 2, 2],
    'string-set!': [stringSet, 3, 3],
    substring: [substring, 2, 3],
    'string-append': [stringAppend, 0, Infinity],
    'string-copy': [(s: unknown, start?: unknown, end?: unknown) => {
      const t = text(s, 'string-copy');
      const [from, to] = range(t.length, start, end, 'string-copy');
      return fresh(t.slice(from, to));
    }, 1, 3],
    'string->list': [stringToList, 1, 3],
    'list->string': [(l: unknown) => fresh(charsToBytes(listItems(l, 'list->string'), 'list->string')), 1, 1],
    'reverse-list->string': [(l: unknown) => fresh(charsToBytes(listItems(l, 'reverse-list->string').reverse(), 'reverse-list->string')), 1, 1],
    'string-fill!': [stringFill, 2, 4],
    ...comparisons,
    'string-upcase': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-upcase', asciiUp), 1, 3],
    'string-downcase': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-downcase', asciiDown), 1, 3],
    'string-null?': [(s: unknown) => text(s, 'string-null?').length === 0, 1, 1],
    'string-index': [stringIndex, 2, 4],
    'string-index-right': [stringIndexRight, 2, 4],
    'string-skip': [stringSkip, 2, 4],
    'string-trim': [trimmer('string-trim', true, false), 1, 4],
    'string-trim-right': [trimmer('string-trim-right', false, true), 1, 4],
    'string-trim-both': [trimmer('string-trim-both', true, true), 1, 4],
    'string-prefix?': [affix('string-prefix?', false, false), 2, 6],
    'string-suffix?': [affix('string-suffix?', true, false), 2, 6],
    'string-prefix-ci?': [affix('string-prefix-ci?', false, true), 2, 6],
    'string-suffix-ci?': [affix('string-suffix-ci?', true, true), 2, 6],
    'string-join': [stringJoin, 1, 3],
    'string-contains': [stringContains, 2, 4],
    'string-split': [stringSplit, 1, 3],
    'string-intersperse': [stringIntersperse, 1, 2],
    'string-chop': [stringChop, 2, 2],
    'string-translate': [stringTranslate, 2, 3],
    'string-translate*': [stringTranslateStar, 2, 2],
    'string-compare3': [stringCompare3('string-compare3', false), 2, 2],
    'string-compare3-ci': [stringCompare3('string-compare3-ci', true), 2, 2],
    'string-chomp': [stringChomp, 1, 2],
    'substring-index': [substringIndex('substring-index', false), 2, 3],
    'substring-index-ci': [substringIndex('substring-index-ci', true), 2, 3],
    'substring=?': [substringEqual('substring=?', false), 2, 5],
    'substring-ci=?': [substringEqual('substring-ci=?', true), 2, 5],
    conc: [(...xs: unknown[]) => fresh(xs.map(toBytes).join('')), 0, Infinity],
    '->string': [(x: unknown) => fresh(toBytes(x)), 1, 1],
  });
  setArrayForm(engine.lookup('string-append'), stringAppendArgs);
  setArrayForm(engine.lookup('string'), (cs) => fresh(charsToBytes(cs, 'list->string')));
}

function caseMap(s: unknown, start: unknown, end: unknown, who: string, f: (s: string) => string): MStringT {
  const t = text(s, who);
  const [from, to] = range(t.length, start, end, who);
  return fresh(f(t.slice(from, to)));
}
