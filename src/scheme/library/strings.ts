/**
 * Strings: R5RS, CHICKEN's data-structures unit (string-split, string-intersperse, conc …) and
 * SRFI-13 (CHICKEN 3's srfi-13 unit), whose procedures taking a procedure argument are in
 * scheme/library/srfi-13.scm over the `%` procedures here. SRFI-13's case mapping is ASCII, as
 * CHICKEN's; its comparisons (string= string< …) answer booleans, as the SRFI documents them.
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
import { Char, MString, NIL, Pair, arrayToList, isSymbol, symbolName, textToBytes } from '../runtime/data.js';
import { typeError, boundsError, schemeError, SchemeError } from '../runtime/errors.js';
import { displayString } from '../runtime/printer.js';
import * as P from '../runtime/prims.js';
import { defineProcedures } from './define.js';
import { setArrayForm } from './control.js';
import { listItems, fixnumArg } from './lists.js';
import { charCode, downcaseCode } from './chars.js';
import { CharSet, STANDARD } from './char-sets.js';

type MStringT = { __string__: string };

// ---------------------------------------------------------------------------------------------
// Arguments and results
// ---------------------------------------------------------------------------------------------

/** The bytes of string S, or `(WHO) bad argument type - not a string`. */
export function text(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s, 'string');
}

/** A new mutable string. */
export function fresh(s: string): MStringT {
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
//
// Procedures that call a procedure argument are in scheme/library/srfi-13.scm: there a predicate
// criterion, a mapper or a fold's kons may wait for I/O or be preempted. The Scheme definitions
// call the `%` procedures here for a character or char-set criterion, and `%string-end` to check
// a range. The `%` procedures take #f for an absent optional argument (Scheme's #!optional
// default), so a wrapper can pass its parameters on as they are.

/** An optional argument as passed on by a Scheme wrapper: #f is absent too. */
function opt(x: unknown): unknown {
  return x === false ? undefined : x;
}

/** A character test from SRFI-13's criterion when it is a character or a char-set. */
type CodeTest = (code: number) => boolean;

function codeTest(x: unknown, who: string): CodeTest {
  if (x instanceof Char) {
    const k = x.code;
    return (c) => c === k;
  }
  if (x instanceof CharSet) {
    const bits = x.bits;
    return (c) => bits[c] === 1;
  }
  throw typeError(who, x);
}

/** A criterion, char-set:whitespace when absent (string-trim's default). */
function trimTest(x: unknown, who: string): CodeTest {
  return codeTest(opt(x) ?? STANDARD['char-set:whitespace'], who);
}

/** The first index from FROM towards TO (exclusive; STEP ±1) whose byte passes TEST = WANT; -1 if none. */
function find(t: string, from: number, to: number, step: 1 | -1, test: CodeTest, want: boolean): number {
  for (let i = from; i !== to; i += step) if (test(t.charCodeAt(i)) === want) return i;
  return -1;
}

/** The string, test and range of a criterion procedure's arguments (S CRITERION [START END]). */
function criterionArgs(s: unknown, crit: unknown, start: unknown, end: unknown, who: string): [string, CodeTest, number, number] {
  const t = text(s, who);
  const test = codeTest(crit, who);
  const [from, to] = range(t.length, opt(start), opt(end), who);
  return [t, test, from, to];
}

/** The first index from FROM towards TO (as `find`) whose byte's membership in BITS is WANT. */
function findInSet(t: string, from: number, to: number, step: 1 | -1, bits: Uint8Array, want: boolean): number {
  const hit = want ? 1 : 0;
  for (let i = from; i !== to; i += step) if ((bits[t.charCodeAt(i)] === 1 ? 1 : 0) === hit) return i;
  return -1;
}

/**
 * string-index, -index-right, -skip, -skip-right for a character or char-set. A char-set is
 * scanned by its table directly: a test closure per byte, called from one loop shared by every
 * kind of criterion, cost most of the scan.
 */
function searcher(who: string, backwards: boolean, want: boolean) {
  return (s: unknown, crit: unknown, start?: unknown, end?: unknown): number | false => {
    const t = text(s, who);
    const test = crit instanceof CharSet ? null : codeTest(crit, who);
    // The whole string (no START/END, the common call) without building a range.
    const whole = opt(start) === undefined && opt(end) === undefined;
    const [from, to] = whole ? [0, t.length] : range(t.length, opt(start), opt(end), who);
    let i: number;
    if (test === null) {
      const bits = (crit as CharSet).bits;
      i = backwards ? findInSet(t, to - 1, from - 1, -1, bits, want) : findInSet(t, from, to, 1, bits, want);
    } else {
      i = backwards ? find(t, to - 1, from - 1, -1, test, want) : find(t, from, to, 1, test, want);
    }
    return i < 0 ? false : i;
  };
}

const indexGeneral = searcher('string-index', false, true);

/**
 * `string-index` by a char-set from START (or 0) to the end, the call a writer of JSON or HTML
 * makes for every string, as one loop; anything else as `searcher`. (The general path's range
 * checks and dispatch cost more than scanning a short string.)
 */
function stringIndex(s: unknown, crit: unknown, start?: unknown, end?: unknown): number | false {
  const t = typeof s === 'string' ? s : s instanceof MString ? s.__string__ : null;
  if (t !== null && crit instanceof CharSet && (end === false || end === undefined)) {
    const from = start === false || start === undefined ? 0 : start;
    if (typeof from === 'number' && from >= 0 && from <= t.length) {
      const bits = crit.bits;
      for (let i = from; i < t.length; i++) if (bits[t.charCodeAt(i)] === 1) return i;
      return false;
    }
  }
  return indexGeneral(s, crit, start, end);
}

type Search = (s: unknown, crit: unknown, start?: unknown, end?: unknown) => unknown;

/**
 * string-index, -index-right, -skip, -skip-right: SEARCH for a character or char-set; a
 * predicate goes to the Scheme loop in CELL (`%scan-forward` or `%scan-backward`, of
 * scheme/library/srfi-13.scm), so that the predicate may wait or be preempted, and what that
 * returns is returned (the suspension sentinel included). A Scheme wrapper over both cost a
 * second call per search.
 */
function criterionSearch(who: string, search: Search, cell: { v: unknown }, want: boolean): Search {
  return (s, crit, start, end) => {
    if (typeof crit !== 'function') return search(s, crit, start, end);
    const to = stringEnd(s, start, end, who);
    const from = start === undefined || start === false ? 0 : start;
    return (cell.v as (...args: unknown[]) => unknown)(s, crit, from, to, want);
  };
}

function stringCount(s: unknown, crit: unknown, start?: unknown, end?: unknown): number {
  const [t, test, from, to] = criterionArgs(s, crit, start, end, 'string-count');
  let n = 0;
  for (let i = from; i < to; i++) if (test(t.charCodeAt(i))) n++;
  return n;
}

/** string-every (ANY false: no byte fails the test) and string-any (ANY true: some byte passes). */
function everyAny(who: string, any: boolean) {
  return (crit: unknown, s: unknown, start?: unknown, end?: unknown): boolean => {
    const [t, test, from, to] = criterionArgs(s, crit, start, end, who);
    const hit = find(t, from, to, 1, test, any) >= 0;
    return any ? hit : !hit;
  };
}

/** string-trim / -right / -both: LEFT and RIGHT say which ends lose the bytes passing the test. */
function trimmer(who: string, left: boolean, right: boolean) {
  return (s: unknown, crit?: unknown, start?: unknown, end?: unknown): MStringT => {
    const t = text(s, who);
    const test = trimTest(crit, who);
    const [from, to] = range(t.length, opt(start), opt(end), who);
    const i = left ? find(t, from, to, 1, test, false) : from;
    const begin = i < 0 ? to : i;
    const j = right ? find(t, to - 1, begin - 1, -1, test, false) : to - 1;
    return fresh(t.slice(begin, j < begin ? begin : j + 1));
  };
}

/** string-filter (KEEP true) and string-delete (KEEP false) for a character or char-set. */
function filterer(who: string, keep: boolean) {
  return (s: unknown, crit: unknown, start?: unknown, end?: unknown): MStringT => {
    const [t, test, from, to] = criterionArgs(s, crit, start, end, who);
    const out: string[] = [];
    for (let i = from; i < to; i++) if (test(t.charCodeAt(i)) === keep) out.push(t[i] as string);
    return fresh(out.join(''));
  };
}

/** (string-tokenize S [TOKEN-SET START END]): the maximal runs of bytes in TOKEN-SET (default char-set:graphic). */
function stringTokenize(s: unknown, tokens?: unknown, start?: unknown, end?: unknown): unknown {
  const who = 'string-tokenize';
  const t = text(s, who);
  const test = codeTest(opt(tokens) ?? STANDARD['char-set:graphic'], who);
  const [from, to] = range(t.length, opt(start), opt(end), who);
  const out: unknown[] = [];
  let i = from;
  while (i < to) {
    const b = find(t, i, to, 1, test, true);
    if (b < 0) break;
    const e = find(t, b, to, 1, test, false);
    out.push(fresh(t.slice(b, e < 0 ? to : e)));
    i = e < 0 ? to : e;
  }
  return arrayToList(out);
}

/** The end of a range of S from the optional START/END, checked (for the Scheme definitions). */
function stringEnd(s: unknown, start: unknown, end: unknown, who: unknown): number {
  const name = whoName(who);
  return range(text(s, name).length, opt(start), opt(end), name)[1];
}

function whoName(who: unknown): string {
  return isSymbol(who) ? symbolName(who) : typeof who === 'string' ? who : String(who);
}

/** A length argument: a fixnum ≥ 0. */
function checkLength(n: unknown, who: unknown): void {
  const name = whoName(who);
  if (fixnumArg(n, name) < 0) throw boundsError(name, n);
}

/** The string of a list of characters in reverse order (the Scheme loops' accumulators). */
function reverseCharsToString(l: unknown, who: unknown): MStringT {
  const name = whoName(who);
  const chars = listItems(l, name).reverse();
  for (const c of chars) byteOf(c, name);
  return fresh(charsToBytes(chars, name));
}

// ---------------------------------------------------------------------------------------------
// Selection, padding, copying

/** (substring/shared S START [END]): shares S itself when the range is all of it. */
function substringShared(s: unknown, start: unknown, end?: unknown): unknown {
  const t = text(s, 'substring/shared');
  const [from, to] = range(t.length, fixnumArg(start, 'substring/shared'), end, 'substring/shared');
  return from === 0 && to === t.length ? s : fresh(t.slice(from, to));
}

/** string-take / -drop / -take-right / -drop-right: N bytes, 0 ≤ N ≤ length. */
function cutter(who: string, slice: (t: string, n: number) => string) {
  return (s: unknown, n: unknown): MStringT => {
    const t = text(s, who);
    const k = fixnumArg(n, who);
    if (k < 0 || k > t.length) throw boundsError(who, k, t.length);
    return fresh(slice(t, k));
  };
}

/** string-pad (LEFT: keeps the right end) and string-pad-right: S[START, END) made N long. */
function padder(who: string, left: boolean) {
  return (s: unknown, n: unknown, c?: unknown, start?: unknown, end?: unknown): MStringT => {
    const t = text(s, who);
    const k = fixnumArg(n, who);
    if (k < 0) throw boundsError(who, k);
    const fill = c === undefined ? ' ' : byteOf(c, who);
    const [from, to] = range(t.length, start, end, who);
    const part = t.slice(from, to);
    if (part.length >= k) return fresh(left ? part.slice(part.length - k) : part.slice(0, k));
    const pad = fill.repeat(k - part.length);
    return fresh(left ? pad + part : part + pad);
  };
}

/** Replaces bytes [AT, AT + PART.length) of the mutable string M with PART. */
function overwrite(m: MStringT, at: number, part: string): void {
  const old = m.__string__;
  m.__string__ = old.slice(0, at) + part + old.slice(at + part.length);
  charge(old.length >> 8);
}

/** (string-copy! TO TSTART FROM [FSTART FEND]) */
function stringCopyInto(to: unknown, tstart: unknown, from: unknown, fstart?: unknown, fend?: unknown): void {
  const who = 'string-copy!';
  const m = mutable(to, who, 'string');
  const src = text(from, who);
  const at = fixnumArg(tstart, who);
  const [a, b] = range(src.length, fstart, fend, who);
  if (at < 0 || at + (b - a) > m.__string__.length) throw boundsError(who, at, at + (b - a));
  overwrite(m, at, src.slice(a, b));
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** Two strings and their ranges: (S1 S2 [START1 END1 START2 END2]). */
function twoRanges(s1: unknown, s2: unknown, r: readonly unknown[], who: string): [string, string] {
  const a = text(s1, who);
  const b = text(s2, who);
  const [i, j] = range(a.length, opt(r[0]), opt(r[1]), who);
  const [k, l] = range(b.length, opt(r[2]), opt(r[3]), who);
  return [a.slice(i, j), b.slice(k, l)];
}

/** The length of the common prefix of A and B (case-folded when FOLD). */
function prefixLength(a: string, b: string, fold: boolean): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  if (fold) while (i < n && downcaseCode(a.charCodeAt(i)) === downcaseCode(b.charCodeAt(i))) i++;
  else while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function suffixLength(a: string, b: string, fold: boolean): number {
  const n = Math.min(a.length, b.length);
  const key = fold ? downcaseCode : (c: number) => c;
  let i = 0;
  while (i < n && key(a.charCodeAt(a.length - 1 - i)) === key(b.charCodeAt(b.length - 1 - i))) i++;
  return i;
}

/** -1, 0 or 1 as A sorts before, with or after B, and the mismatch index into A. */
function compareAt(a: string, b: string, fold: boolean): [number, number] {
  const m = prefixLength(a, b, fold);
  if (m === a.length) return [m === b.length ? 0 : -1, m];
  if (m === b.length) return [1, m];
  const key = fold ? downcaseCode : (c: number) => c;
  return [key(a.charCodeAt(m)) < key(b.charCodeAt(m)) ? -1 : 1, m];
}

const SRFI_ORDERS: ReadonlyArray<readonly [string, (sign: number) => boolean]> = [
  ['=', (x) => x === 0],
  ['<>', (x) => x !== 0],
  ['<', (x) => x < 0],
  ['>', (x) => x > 0],
  ['<=', (x) => x <= 0],
  ['>=', (x) => x >= 0],
];

/** SRFI-13's string= string< … with ranges: booleans, as the SRFI documents them. */
function srfiComparison(who: string, fold: boolean, ok: (sign: number) => boolean) {
  return (s1: unknown, s2: unknown, ...r: unknown[]): boolean => {
    const [a, b] = twoRanges(s1, s2, r, who);
    return ok(compareAt(a, b, fold)[0]);
  };
}

/** (%string-compare S1 S2 FOLD START1 END1 START2 END2): (SIGN . MISMATCH-INDEX-INTO-S1). */
function stringCompareAt(s1: unknown, s2: unknown, fold: unknown, ...r: unknown[]): unknown {
  const who = fold === false ? 'string-compare' : 'string-compare-ci';
  const a = text(s1, who);
  const [i] = range(a.length, opt(r[0]), opt(r[1]), who);
  const [x, y] = twoRanges(s1, s2, r, who);
  const [sign, m] = compareAt(x, y, fold !== false);
  return new Pair(sign, i + m);
}

/** string-prefix-length / string-suffix-length and their -ci forms. */
function affixLength(who: string, suffix: boolean, fold: boolean) {
  return (s1: unknown, s2: unknown, ...r: unknown[]): number => {
    const [a, b] = twoRanges(s1, s2, r, who);
    return suffix ? suffixLength(a, b, fold) : prefixLength(a, b, fold);
  };
}

/** string-prefix? / string-suffix? and their -ci forms: (P S [START1 END1 START2 END2]). */
function affix(who: string, suffix: boolean, fold: boolean) {
  return (p: unknown, s: unknown, ...r: unknown[]): boolean => {
    const [a, b] = twoRanges(p, s, r, who);
    if (a.length > b.length) return false;
    return (suffix ? suffixLength(a, b, fold) : prefixLength(a, b, fold)) === a.length;
  };
}

/** string-contains / -ci: the index in S1 where S2[START2, END2) first occurs within S1[START1, END1). */
function contains(who: string, fold: boolean) {
  return (s1: unknown, s2: unknown, ...r: unknown[]): number | false => {
    const a = text(s1, who);
    const [from, to] = range(a.length, opt(r[0]), opt(r[1]), who);
    const [, pattern] = twoRanges(s1, s2, r, who);
    const hay = a.slice(0, to);
    const i = fold ? asciiDown(hay).indexOf(asciiDown(pattern), from) : hay.indexOf(pattern, from);
    return i < 0 ? false : i;
  };
}

// ---------------------------------------------------------------------------------------------
// Case, reverse, concatenation

/** ASCII titlecase: each run of letters gets its first letter up, the rest down. */
function titlecase(s: string): string {
  return s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

function caseMap(s: unknown, start: unknown, end: unknown, who: string, f: (s: string) => string): MStringT {
  const t = text(s, who);
  const [from, to] = range(t.length, start, end, who);
  return fresh(f(t.slice(from, to)));
}

/** The `!` form of a range mapping: S[START, END) replaced by F of it, in place. */
function caseMapInPlace(who: string, f: (s: string) => string) {
  return (s: unknown, start?: unknown, end?: unknown): void => {
    const m = mutable(s, who, 'string');
    const t = m.__string__;
    const [from, to] = range(t.length, start, end, who);
    overwrite(m, from, f(t.slice(from, to)));
  };
}

function reverseBytes(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

function stringsOf(l: unknown, who: string): string[] {
  return listItems(l, who).map((x) => text(x, who));
}

function concatenate(who: string) {
  return (l: unknown): MStringT => {
    const s = stringsOf(l, who).join('');
    charge(s.length >> 8);
    return fresh(s);
  };
}

/** (string-concatenate-reverse LIST [FINAL END]): the strings reversed, then FINAL[0, END). */
function concatenateReverse(who: string) {
  return (l: unknown, final?: unknown, end?: unknown): MStringT => {
    const parts = stringsOf(l, who).reverse();
    const f = final === undefined ? '' : text(final, who);
    const [, to] = range(f.length, 0, end, who);
    return fresh(parts.join('') + f.slice(0, to));
  };
}

// ---------------------------------------------------------------------------------------------
// Replicate, replace, join

/** The bytes FROM to TO of S[START, END) repeated in both directions (xsubstring's index space). */
function replicate(t: string, from: number, to: number, who: string, args: unknown[]): string {
  if (to === from) return '';
  if (t.length === 0) throw schemeError('cannot replicate empty (sub)string', args, who);
  const n = t.length;
  const out = new Array<string>(to - from);
  for (let i = from; i < to; i++) out[i - from] = t[((i % n) + n) % n] as string;
  charge((to - from) >> 8);
  return out.join('');
}

/** The replicated range of (S FROM [TO START END]) (xsubstring's arguments after S). */
function replicated(s: unknown, from: unknown, rest: readonly unknown[], who: string): string {
  const t = text(s, who);
  const f = fixnumArg(from, who);
  const [a, b] = range(t.length, rest[1], rest[2], who);
  const to = rest[0] === undefined ? f + (b - a) : fixnumArg(rest[0], who);
  if (to < f) throw boundsError(who, f, to);
  return replicate(t.slice(a, b), f, to, who, [s, f, to]);
}

function xsubstring(s: unknown, from: unknown, ...rest: unknown[]): MStringT {
  return fresh(replicated(s, from, rest, 'xsubstring'));
}

/** (string-xcopy! TARGET TSTART S SFROM [STO START END]) */
function stringXcopy(target: unknown, tstart: unknown, s: unknown, sfrom: unknown, ...rest: unknown[]): void {
  const who = 'string-xcopy!';
  const m = mutable(target, who, 'string');
  const at = fixnumArg(tstart, who);
  const part = replicated(s, sfrom, rest, who);
  if (at < 0 || at + part.length > m.__string__.length) throw boundsError(who, at, at + part.length);
  overwrite(m, at, part);
}

/** (string-replace S1 S2 START1 END1 [START2 END2]): S1 with [START1, END1) replaced by S2's range. */
function stringReplace(s1: unknown, s2: unknown, start1: unknown, end1: unknown, start2?: unknown, end2?: unknown): MStringT {
  const who = 'string-replace';
  const a = text(s1, who);
  const b = text(s2, who);
  const [i, j] = range(a.length, fixnumArg(start1, who), fixnumArg(end1, who), who);
  const [k, l] = range(b.length, start2, end2, who);
  return fresh(a.slice(0, i) + b.slice(k, l) + a.slice(j));
}

/** SRFI-13 string-join: GRAMMAR infix (default), strict-infix (error on no strings), prefix or suffix. */
function stringJoin(l: unknown, delim?: unknown, grammar?: unknown): MStringT {
  const parts = stringsOf(l, 'string-join');
  const d = delim === undefined ? ' ' : text(delim, 'string-join');
  const g = grammar === undefined ? 'infix' : isSymbol(grammar) ? symbolName(grammar) : '';
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
  if (pairs.every(([k]) => k.length === 1)) return fresh(translateBytes(t, pairs));
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

/**
 * string-translate* when every key is one byte (escaping quotes, control characters …): one
 * pass with a table by byte, the first key given for a byte winning as in the general case.
 */
function translateBytes(t: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  const table = new Array<string | undefined>(256);
  for (const [k, v] of pairs) {
    const c = k.charCodeAt(0);
    if (c < 256 && table[c] === undefined) table[c] = v;
  }
  let out = '';
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const rep = table[t.charCodeAt(i)];
    if (rep === undefined) continue;
    out += t.slice(from, i) + rep;
    from = i + 1;
  }
  return from === 0 ? t : out + t.slice(from);
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
  for (const [op, ok] of SRFI_ORDERS) {
    comparisons[`string${op}`] = [srfiComparison(`string${op}`, false, ok), 2, 6];
    comparisons[`string-ci${op}`] = [srfiComparison(`string-ci${op}`, true, ok), 2, 6];
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
    'string-copy!': [stringCopyInto, 3, 5],
    'substring/shared': [substringShared, 2, 3],
    ...comparisons,
    ...srfi13(engine),
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


type Table = Record<string, readonly [(...args: never[]) => unknown, number, number]>;

/**
 * SRFI-13's procedures without procedure arguments, the searches (their predicate case calls
 * srfi-13.scm's loops, defined after these), and the `%` helpers of srfi-13.scm.
 */
function srfi13(engine: Engine): Table {
  const forward = engine.cell('%scan-forward');
  const backward = engine.cell('%scan-backward');
  const up = asciiUp;
  const down = asciiDown;
  return {
    'string-null?': [(s: unknown) => text(s, 'string-null?').length === 0, 1, 1],
    'string-take': [cutter('string-take', (t, n) => t.slice(0, n)), 2, 2],
    'string-drop': [cutter('string-drop', (t, n) => t.slice(n)), 2, 2],
    'string-take-right': [cutter('string-take-right', (t, n) => t.slice(t.length - n)), 2, 2],
    'string-drop-right': [cutter('string-drop-right', (t, n) => t.slice(0, t.length - n)), 2, 2],
    'string-pad': [padder('string-pad', true), 2, 5],
    'string-pad-right': [padder('string-pad-right', false), 2, 5],
    'string-prefix-length': [affixLength('string-prefix-length', false, false), 2, 6],
    'string-suffix-length': [affixLength('string-suffix-length', true, false), 2, 6],
    'string-prefix-length-ci': [affixLength('string-prefix-length-ci', false, true), 2, 6],
    'string-suffix-length-ci': [affixLength('string-suffix-length-ci', true, true), 2, 6],
    'string-prefix?': [affix('string-prefix?', false, false), 2, 6],
    'string-suffix?': [affix('string-suffix?', true, false), 2, 6],
    'string-prefix-ci?': [affix('string-prefix-ci?', false, true), 2, 6],
    'string-suffix-ci?': [affix('string-suffix-ci?', true, true), 2, 6],
    'string-contains': [contains('string-contains', false), 2, 6],
    'string-contains-ci': [contains('string-contains-ci', true), 2, 6],
    'string-upcase': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-upcase', up), 1, 3],
    'string-downcase': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-downcase', down), 1, 3],
    'string-titlecase': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-titlecase', titlecase), 1, 3],
    'string-upcase!': [caseMapInPlace('string-upcase!', up), 1, 3],
    'string-downcase!': [caseMapInPlace('string-downcase!', down), 1, 3],
    'string-titlecase!': [caseMapInPlace('string-titlecase!', titlecase), 1, 3],
    'string-reverse': [(s: unknown, start?: unknown, end?: unknown) => caseMap(s, start, end, 'string-reverse', reverseBytes), 1, 3],
    'string-reverse!': [caseMapInPlace('string-reverse!', reverseBytes), 1, 3],
    'string-concatenate': [concatenate('string-concatenate'), 1, 1],
    'string-concatenate/shared': [concatenate('string-concatenate/shared'), 1, 1],
    'string-append/shared': [(...ss: unknown[]) => fresh(ss.map((s) => text(s, 'string-append/shared')).join('')), 0, Infinity],
    'string-concatenate-reverse': [concatenateReverse('string-concatenate-reverse'), 1, 3],
    'string-concatenate-reverse/shared': [concatenateReverse('string-concatenate-reverse/shared'), 1, 3],
    xsubstring: [xsubstring, 2, 5],
    'string-xcopy!': [stringXcopy, 4, 7],
    'string-replace': [stringReplace, 4, 6],
    'string-join': [stringJoin, 1, 3],
    // For srfi-13.scm: the character / char-set cases of the procedures defined there.
    '%string-end': [stringEnd, 4, 4],
    '%reverse-chars->string': [reverseCharsToString, 2, 2],
    '%string-compare': [stringCompareAt, 3, 7],
    '%check-length': [checkLength, 2, 2],
    '%check-mutable': [(s: unknown, who: unknown) => void mutable(s, whoName(who), 'string'), 2, 2],
    'string-index': [criterionSearch('string-index', stringIndex, forward, true), 2, 4],
    'string-index-right': [criterionSearch('string-index-right', searcher('string-index-right', true, true), backward, true), 2, 4],
    'string-skip': [criterionSearch('string-skip', searcher('string-skip', false, false), forward, false), 2, 4],
    'string-skip-right': [criterionSearch('string-skip-right', searcher('string-skip-right', true, false), backward, false), 2, 4],
    '%string-count': [stringCount, 2, 4],
    '%string-every': [everyAny('string-every', false), 2, 4],
    '%string-any': [everyAny('string-any', true), 2, 4],
    '%string-filter': [filterer('string-filter', true), 2, 4],
    '%string-delete': [filterer('string-delete', false), 2, 4],
    '%string-tokenize': [stringTokenize, 1, 4],
    '%string-trim': [trimmer('string-trim', true, false), 1, 4],
    '%string-trim-right': [trimmer('string-trim-right', false, true), 1, 4],
    '%string-trim-both': [trimmer('string-trim-both', true, true), 1, 4],
  };
}
