/**
 * The primitives compiled code calls inline (see compiler/primitives.ts): small functions with
 * the fixnum / pair / vector fast path first, which V8 inlines at hot call sites, and CHICKEN's
 * checks and errors on the slow path.
 */
import { Pair, NIL, Flo, Char, MString, MAX_FIX, MIN_FIX, isValues, valuesList, makeValues, listToArray, arrayToList, type PairT } from './data.js';
import { typeError, boundsError, SchemeError } from './errors.js';
import * as N from './numbers.js';
import { charge } from './control.js';

// ---------------------------------------------------------------------------------------------
// Pairs and lists
// ---------------------------------------------------------------------------------------------

export function car(x: unknown): unknown {
  if (x instanceof Pair) return x.car;
  throw typeError('car', x);
}
export function cdr(x: unknown): unknown {
  if (x instanceof Pair) return x.cdr;
  throw typeError('cdr', x);
}
export function cons(a: unknown, b: unknown): PairT {
  return new Pair(a, b);
}
export function setCar(x: unknown, v: unknown): void {
  if (x instanceof Pair) x.car = v;
  else throw typeError('set-car!', x);
}
export function setCdr(x: unknown, v: unknown): void {
  if (x instanceof Pair) x.cdr = v;
  else throw typeError('set-cdr!', x);
}
/** c[ad]{2,4}r: the path read right to left, as the name is. */
export function cxr(x: unknown, path: string, who: string): unknown {
  let v = x;
  for (let i = path.length - 1; i >= 0; i--) {
    // As csi: the part that was not a pair is named, not the whole argument.
    if (!(v instanceof Pair)) throw typeError(who, v);
    v = path[i] === 'a' ? v.car : v.cdr;
  }
  return v;
}
export function isPair(x: unknown): boolean {
  return x instanceof Pair;
}
export function isNull(x: unknown): boolean {
  return x === NIL;
}
/** A proper list: ends in (), not circular (Floyd's two pointers; nothing allocated). */
export function isList(x: unknown): boolean {
  let fast = x;
  let slow = x;
  for (;;) {
    if (!(fast instanceof Pair)) return fast === NIL;
    fast = fast.cdr;
    if (!(fast instanceof Pair)) return fast === NIL;
    fast = fast.cdr;
    slow = (slow as PairT).cdr;
    if (fast === slow) return false;
  }
}
export function isNumber(x: unknown): boolean {
  return typeof x === 'number' || x instanceof Flo;
}

// ---------------------------------------------------------------------------------------------
// Numbers: fixnum fast paths, numbers.ts for everything else
// ---------------------------------------------------------------------------------------------

export function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_FIX && r >= MIN_FIX) return r;
  }
  if (a instanceof Flo && b instanceof Flo) return new Flo(a.v + b.v);
  return N.add(a, b);
}
export function sub(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= MAX_FIX && r >= MIN_FIX) return r;
  }
  if (a instanceof Flo && b instanceof Flo) return new Flo(a.v - b.v);
  return N.sub(a, b);
}
export function mul(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (r <= MAX_FIX && r >= MIN_FIX) return r === 0 ? 0 : r;
  }
  if (a instanceof Flo && b instanceof Flo) return new Flo(a.v * b.v);
  return N.mul(a, b);
}
// Fixnum operands, then CHICKEN's checks and flonums in numbers.ts. `% ` and a difference of
// multiples are exact on safe integers; `+ 0` turns -0 into 0.
export function quotient(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) return (a - (a % b)) / b + 0;
  return N.quotient(a, b);
}
export function remainder(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) return (a % b) + 0;
  return N.remainder(a, b);
}
export function modulo(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r + 0;
  }
  return N.modulo(a, b);
}
export function neg(a: unknown): unknown {
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  return N.neg(a);
}
export function add1(a: unknown): unknown {
  if (typeof a === 'number' && a < MAX_FIX) return a + 1;
  return N.add(a, 1);
}
export function sub1(a: unknown): unknown {
  if (typeof a === 'number' && a > MIN_FIX) return a - 1;
  return N.sub(a, 1);
}
export function numEq(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return N.numEq(a, b);
}
export function lt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (a instanceof Flo && b instanceof Flo) return a.v < b.v;
  return N.lt(a, b);
}
export function gt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  if (a instanceof Flo && b instanceof Flo) return a.v > b.v;
  return N.gt(a, b);
}
export function le(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  if (a instanceof Flo && b instanceof Flo) return a.v <= b.v;
  return N.le(a, b);
}
export function ge(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  if (a instanceof Flo && b instanceof Flo) return a.v >= b.v;
  return N.ge(a, b);
}
export function isZero(a: unknown): boolean {
  if (typeof a === 'number') return a === 0;
  if (a instanceof Flo) return a.v === 0;
  throw typeError('zero?', a, 'number');
}

// ---------------------------------------------------------------------------------------------
// Equivalence
// ---------------------------------------------------------------------------------------------

export function isEqv(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Flonums by value, +0.0 and -0.0 apart; +nan.0 is never eqv? (as csi).
  return a instanceof Flo && b instanceof Flo && a.v === b.v && (a.v !== 0 || Object.is(a.v, b.v));
}

export function isEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Atoms and strings without the work stack: most comparisons (assoc, member) are these.
  if (typeof a === 'string' || a instanceof MString) {
    return (typeof b === 'string' || b instanceof MString) && (typeof a === 'string' ? a : a.__string__) === (typeof b === 'string' ? b : b.__string__);
  }
  if (typeof a !== 'object' || a === null || a instanceof Flo || a instanceof Char) return isEqv(a, b);
  // Iterative over cdrs and over an explicit stack for cars: deep and long structures are fine.
  const stack: unknown[] = [a, b];
  while (stack.length > 0) {
    let y = stack.pop();
    let x = stack.pop();
    for (;;) {
      if (x === y || isEqv(x, y)) break;
      if (x instanceof Pair) {
        if (!(y instanceof Pair)) return false;
        stack.push(x.car, y.car);
        x = x.cdr;
        y = y.cdr;
        continue;
      }
      if (typeof x === 'string' || x instanceof MString) {
        if (!(typeof y === 'string' || y instanceof MString)) return false;
        if ((typeof x === 'string' ? x : x.__string__) !== (typeof y === 'string' ? y : y.__string__)) return false;
        break;
      }
      if (Array.isArray(x)) {
        if (!Array.isArray(y) || x.length !== y.length) return false;
        for (let i = 0; i < x.length; i++) stack.push(x[i], y[i]);
        break;
      }
      if (x instanceof Uint8Array) {
        if (!(y instanceof Uint8Array) || x.length !== y.length) return false;
        for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
        break;
      }
      if (isValues(x) && isValues(y)) {
        stack.push(arrayToList(valuesList(x)), arrayToList(valuesList(y)));
        break;
      }
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Vectors, strings, characters
// ---------------------------------------------------------------------------------------------

function index(i: unknown, who: string): number {
  if (typeof i === 'number') return i;
  throw typeError(who, i, 'fixnum');
}

export function vectorRef(v: unknown, i: unknown): unknown {
  if (Array.isArray(v)) {
    if (typeof i === 'number' && i >= 0 && i < v.length) return v[i];
    const k = index(i, 'vector-ref');
    throw boundsError('vector-ref', v, k);
  }
  throw typeError('vector-ref', v);
}
export function vectorSet(v: unknown, i: unknown, x: unknown): void {
  if (Array.isArray(v)) {
    if (typeof i === 'number' && i >= 0 && i < v.length) {
      v[i] = x;
      return;
    }
    const k = index(i, 'vector-set!');
    throw boundsError('vector-set!', v, k);
  }
  throw typeError('vector-set!', v);
}
export function vectorLength(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  throw typeError('vector-length', v);
}

/** The bytes of a Scheme string, for reading. */
export function str(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s);
}

/** The characters of the 256 bytes, by code (what string-ref of a byte string gives). */
export const BYTE_CHARS: readonly Char[] = Array.from({ length: 256 }, (_, i) => Char.of(i));

/** Compiled code takes literals inline: this is mostly the mutable strings' path. */
export function stringRef(s: unknown, i: unknown): Char {
  const text = typeof s === 'string' ? s : s instanceof MString ? s.__string__ : str(s, 'string-ref');
  if (typeof i === 'number' && i >= 0 && i < text.length) {
    const code = text.charCodeAt(i);
    return code < 256 ? BYTE_CHARS[code]! : Char.of(code);
  }
  throw boundsError('string-ref', s, index(i, 'string-ref'));
}
/** The bytes of string argument S of string-append (its error is the library procedure's). */
function appendArg(s: unknown): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError('string-append', s, 'string');
}

/** A new mutable string of S; long ones count as work (time limits, Ctrl-C). */
function appended(s: string): unknown {
  charge(s.length >> 8);
  return new MString(s);
}

/**
 * `string-append` of two to four strings, called directly by compiled code (the library's
 * procedure takes any number, through a rest array).
 */
export function stringAppend2(a: unknown, b: unknown): unknown {
  return appended(appendArg(a) + appendArg(b));
}
export function stringAppend3(a: unknown, b: unknown, c: unknown): unknown {
  return appended(appendArg(a) + appendArg(b) + appendArg(c));
}
export function stringAppend4(a: unknown, b: unknown, c: unknown, d: unknown): unknown {
  return appended(appendArg(a) + appendArg(b) + appendArg(c) + appendArg(d));
}

/** `(char->integer (string-ref s i))`, which compiled code does in one step: its errors are string-ref's. */
export function stringByte(s: unknown, i: unknown): number {
  return stringRef(s, i).code;
}
export function stringLength(s: unknown): number {
  return str(s, 'string-length').length;
}
export function charToInteger(c: unknown): number {
  if (c instanceof Char) return c.code;
  throw typeError('char->integer', c, 'character');
}
export function integerToChar(n: unknown): Char {
  if (typeof n === 'number' && n >= 0 && n <= 0x10ffff) return Char.of(n);
  throw typeError('integer->char', n, 'fixnum');
}
export function isChar(x: unknown): boolean {
  return x instanceof Char;
}
export function isString(x: unknown): boolean {
  return typeof x === 'string' || x instanceof MString;
}
export function isSymbolP(x: unknown): boolean {
  return x !== null && typeof x === 'object' && 'v' in x === false && (x as { __name__?: unknown }).__name__ !== undefined && !(x instanceof Char);
}
export function isVector(x: unknown): boolean {
  return Array.isArray(x);
}
export function isProcedure(x: unknown): boolean {
  return typeof x === 'function';
}
export function isBoolean(x: unknown): boolean {
  return x === true || x === false;
}
export function not(x: unknown): boolean {
  return x === false;
}

// ---------------------------------------------------------------------------------------------
// Multiple values, apply
// ---------------------------------------------------------------------------------------------

export function values(...xs: unknown[]): unknown {
  return makeValues(xs);
}

/** (apply F A … LIST): the arguments as an array. */
/** Arguments beyond this many are not spread into a JS call (the JS stack holds about 100,000). */
const SPREAD_MAX = 2048;

/** How a call with more than SPREAD_MAX arguments is made: set by the library to its `apply`. */
let applyLong: (f: (...args: unknown[]) => unknown, args: unknown[]) => unknown = (f, args) => f(...args);

export function setApplyLong(g: typeof applyLong): void {
  applyLong = g;
}

/**
 * Procedures that can take their arguments as one array (registered by the library). `apply`
 * calls these with the array: spreading it into the procedure's rest parameter only to gather
 * it again cost several times the work of `(apply string-append parts)` itself, and a long
 * list would overflow the stack (`(apply + (iota 100000))` is ordinary Scheme; csi takes it).
 */
export const arrayForms = new WeakMap<(...args: never[]) => unknown, (args: unknown[]) => unknown>();

/** `(apply F A … LIST)` compiled inline: F is a procedure; ARGS ends with the list. */
export function applyTo(f: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  const all = spread(args);
  const g = arrayForms.get(f);
  if (g !== undefined) return g(all);
  return all.length > SPREAD_MAX ? applyLong(f, all) : f(...all);
}

export function spread(args: unknown[]): unknown[] {
  const last = args[args.length - 1];
  const tail = listToArray(last);
  if (tail === null) throw typeError('apply', last);
  return args.length === 1 ? tail : [...args.slice(0, -1), ...tail];
}

export function valuesToList(x: unknown): unknown {
  return arrayToList(valuesList(x));
}

export { SchemeError };
