/**
 * The Scheme data model compiled code works on directly (SEMANTICS.md, "Scheme data").
 *
 * - fixnum: a JS number that is an integer (a safe integer); flonum: a `Flo` (so 1.0 and 1 stay
 *   apart); no raw non-integer JS number is ever produced by the runtime.
 * - string: a JS string whose code units are bytes (0–255), immutable; `make-string`,
 *   `string-copy` … give a mutable `MString` (LIPS's LString, so LIPS code accepts it).
 * - character: a `Char`, interned per code, so `eq?` works on characters.
 * - pair / empty list / symbol / eof: LIPS's Pair, nil, LSymbol (interned) and eof, so the
 *   TypeScript procedures written against LIPS and LIPS itself see the same objects.
 * - vector: a JS Array; bytevector: Uint8Array; boolean: true/false; unspecified: undefined.
 *
 * LIPS is loaded asynchronously, so its classes are bound once at start (`bindData`).
 */
import type * as LipsModule from 'lips';

type Lips = typeof LipsModule;

export interface PairT {
  car: unknown;
  cdr: unknown;
}
export type PairCtor = new (car: unknown, cdr: unknown) => PairT;

/** LIPS's classes and constants, bound by `bindData`. */
export let Pair: PairCtor;
export let NIL: object;
export let EOF: object;
export let SymbolClass: new (name: string) => { __name__: unknown };
export let MString: new (s: string) => { __string__: string };
let ValuesCtor: (items: unknown[]) => unknown;
let ValuesClass: { prototype: object };
let lipsRef: Lips;

/**
 * A constructor of LIPS's mutable strings without LIPS's checks (whether it was called with
 * `new`, whether it got an array): LIPS code and `instanceof` see the same class, since the
 * prototype is LString's, and V8 inlines it where it did not inline LIPS's.
 */
function fastStringClass(lstring: { prototype: object }): new (s: string) => { __string__: string } {
  function MutableString(this: { __string__: string }, s: string): void {
    this.__string__ = s;
  }
  MutableString.prototype = lstring.prototype;
  return MutableString as unknown as new (s: string) => { __string__: string };
}

export function bindData(L: Lips): void {
  lipsRef = L;
  Pair = L.Pair as unknown as PairCtor;
  NIL = L.nil as unknown as object;
  EOF = L.eof as unknown as object;
  SymbolClass = L.LSymbol as unknown as new (name: string) => { __name__: unknown };
  MString = fastStringClass(L.LString as unknown as { prototype: object });
  ValuesCtor = L.Values as unknown as (items: unknown[]) => unknown;
  // LIPS's Values returns undefined for none and the value itself for one; the class is what
  // a Values object is an instance of.
  ValuesClass = (ValuesCtor([1, 2]) as { constructor: { prototype: object } }).constructor;
  Object.setPrototypeOf(Char.prototype, (L.LCharacter as unknown as { prototype: object }).prototype);
}

export function lipsModule(): Lips {
  return lipsRef;
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/** A flonum. Immutable; a fresh object per result (V8 allocates these cheaply). */
export class Flo {
  constructor(readonly v: number) {}
  valueOf(): number {
    return this.v;
  }
}

export const MAX_FIX = Number.MAX_SAFE_INTEGER;
export const MIN_FIX = Number.MIN_SAFE_INTEGER;

export function isFixnum(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

export function isNumber(x: unknown): boolean {
  return typeof x === 'number' || x instanceof Flo;
}

/** The JS number of a Scheme number, or null. */
export function numberValue(x: unknown): number | null {
  if (typeof x === 'number') return x;
  if (x instanceof Flo) return x.v;
  return null;
}

/** A JS number as a Scheme number: an integer in the safe range is a fixnum, anything else a flonum. */
export function fromJsNumber(n: number): number | Flo {
  return Number.isSafeInteger(n) ? n : new Flo(n);
}

/** A JS number as a flonum (exact->inexact). */
export function flo(n: number): Flo {
  return new Flo(n);
}

// ---------------------------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------------------------

/** Named characters as CHICKEN reads and writes them (code → name for `write`). */
export const CHAR_NAMES: ReadonlyMap<string, number> = new Map([
  ['space', 32], ['newline', 10], ['linefeed', 10], ['nl', 10], ['tab', 9], ['return', 13], ['null', 0], ['nul', 0],
  ['alarm', 7], ['backspace', 8], ['delete', 127], ['escape', 27], ['altmode', 27], ['page', 12], ['rubout', 127],
]);
const WRITE_NAMES: ReadonlyMap<number, string> = new Map([
  [32, 'space'], [10, 'newline'], [9, 'tab'], [13, 'return'], [0, 'nul'], [7, 'alarm'], [8, 'backspace'],
  [127, 'delete'], [27, 'escape'], [12, 'page'],
]);

/** A character. Interned: `charOf(c) === charOf(c)`. */
export class Char {
  /** LIPS's LCharacter reads these two fields. */
  readonly __char__: string;
  readonly __name__: string | undefined;
  private constructor(readonly code: number) {
    this.__char__ = String.fromCodePoint(code);
    this.__name__ = WRITE_NAMES.get(code);
  }
  private static readonly table: Char[] = [];
  private static readonly wide = new Map<number, Char>();
  static of(code: number): Char {
    if (code < 256) {
      const c = Char.table[code];
      if (c !== undefined) return c;
      return (Char.table[code] = new Char(code));
    }
    let c = Char.wide.get(code);
    if (c === undefined) Char.wide.set(code, (c = new Char(code)));
    return c;
  }
  /** CHICKEN's `write` name, e.g. `space`, or null for a character written as itself. */
  writeName(): string | null {
    return WRITE_NAMES.get(this.code) ?? null;
  }
  valueOf(): string {
    return this.__char__;
  }
  toString(): string {
    return this.__char__;
  }
}

export function charOf(code: number): Char {
  return Char.of(code);
}

// ---------------------------------------------------------------------------------------------
// Strings (byte strings)
// ---------------------------------------------------------------------------------------------

export function isString(x: unknown): boolean {
  return typeof x === 'string' || x instanceof MString;
}

/** The JS string (bytes) of a Scheme string, or null. */
export function stringValue(x: unknown): string | null {
  if (typeof x === 'string') return x;
  if (x instanceof MString) return x.__string__;
  return null;
}

/** A mutable Scheme string. */
export function mutableString(s: string): { __string__: string } {
  return new MString(s);
}

/** Text (UTF-16, as TypeScript has it) as a byte string: its UTF-8 bytes, one character each. */
export function textToBytes(s: string): string {
  // ASCII is the same either way; most strings are ASCII.
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'utf8').toString('latin1');
  }
  return s;
}

/** A byte string as text: its bytes decoded as UTF-8. */
export function bytesToText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'latin1').toString('utf8');
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Symbols and keywords
// ---------------------------------------------------------------------------------------------

const symbols = new Map<string, { __name__: unknown }>();

/** The interned symbol NAME (LIPS's LSymbol, which LIPS interns too). */
export function intern(name: string): { __name__: unknown } {
  let s = symbols.get(name);
  if (s === undefined) {
    s = new SymbolClass(name);
    symbols.set(name, s);
  }
  return s;
}

export function isSymbol(x: unknown): x is { __name__: unknown } {
  return x instanceof SymbolClass;
}

/** A symbol's name; gensyms (whose LIPS name is a JS symbol) get their description. */
export function symbolName(x: { __name__: unknown }): string {
  const n = x.__name__;
  return typeof n === 'string' ? n : String((n as symbol).description ?? 'g');
}

let gensymCount = 0;
/** A fresh uninterned symbol, written as PREFIX followed by a number (CHICKEN's `gensym`). */
export function gensym(prefix = 'g'): { __name__: unknown } {
  return new Uninterned(`${prefix}${++gensymCount}`);
}

/** An uninterned symbol: never `eq?` to a symbol read or made by `string->symbol`. */
class Uninterned {
  constructor(readonly __name__: string) {
    Object.setPrototypeOf(this, SymbolClass.prototype);
  }
}

/** A CHICKEN keyword (`#:foo`, `foo:`): self-evaluating, interned. */
export class Keyword {
  private static readonly table = new Map<string, Keyword>();
  private constructor(readonly name: string) {}
  static of(name: string): Keyword {
    let k = Keyword.table.get(name);
    if (k === undefined) Keyword.table.set(name, (k = new Keyword(name)));
    return k;
  }
  toString(): string {
    return `#:${this.name}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Special objects
// ---------------------------------------------------------------------------------------------

/** CHICKEN's `#!default`: the value of a missing #!optional argument before defaulting. */
export const DEFAULT_OBJECT = Object.freeze({ toString: () => '#!default' });

/** The lambda-list markers `#!optional`, `#!rest` and `#!key` as the reader gives them. */
export class Marker {
  private constructor(readonly name: string) {}
  static readonly optional = new Marker('optional');
  static readonly rest = new Marker('rest');
  static readonly key = new Marker('key');
  toString(): string {
    return `#!${this.name}`;
  }
}

/** Multiple values (none, or two and more; one value is just the value). */
export function makeValues(items: unknown[]): unknown {
  if (items.length === 1) return items[0];
  if (items.length === 0) {
    // LIPS's Values gives undefined for none; zero values must stay distinct from (void).
    const none = Object.create(ValuesClass.prototype) as { __values__: unknown[] };
    none.__values__ = [];
    return none;
  }
  return ValuesCtor(items);
}

export function isValues(x: unknown): x is { __values__: unknown[] } {
  return x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === ValuesClass.prototype;
}

/** The values X stands for, as an array. */
export function valuesList(x: unknown): unknown[] {
  if (isValues(x)) return x.__values__ ?? [];
  return [x];
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

export function isPair(x: unknown): x is PairT {
  return x instanceof Pair;
}

export function cons(a: unknown, b: unknown): PairT {
  return new Pair(a, b);
}

/** JS array → proper list. */
export function arrayToList(items: readonly unknown[], tail: unknown = NIL): unknown {
  let out = tail;
  for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
  return out;
}

/** Proper list → JS array; null when X is not a proper list (cycles included). */
export function listToArray(x: unknown): unknown[] | null {
  const out: unknown[] = [];
  let slow = x;
  while (x instanceof Pair) {
    out.push(x.car);
    x = x.cdr;
    if (!(x instanceof Pair)) break;
    out.push(x.car);
    x = x.cdr;
    slow = (slow as PairT).cdr;
    if (x === slow) return null;
  }
  return x === NIL ? out : null;
}
