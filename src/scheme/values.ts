/**
 * Conversion between Scheme values (as LIPS represents them) and the plain TypeScript values
 * of the protocol core: strings, numbers, symbols, lists, a-lists and multiple values.
 */
import type { Lips } from './boot.js';
import type { Headers } from '../http/headers.js';
import { Flo, Char, bytesToText, textToBytes } from './runtime/data.js';
import { displayString as compiledDisplay, writeString as compiledWrite } from './runtime/printer.js';

/** Set on the compiled engine: strings are bytes there, and printing is the engine's. */
let compiled = false;

export function useCompiledValues(): void {
  compiled = true;
}

/** Whether values are the compiled engine's (strings are bytes). */
export function compiledValues(): boolean {
  return compiled;
}

let L: Lips;

/** Called once at boot with the loaded LIPS module. */
export function bindLips(lips: Lips): void {
  L = lips;
}

export function lips(): Lips {
  return L;
}

/** Thrown for a wrong argument; the message names the procedure. */
export class SchemeArgumentError extends TypeError {
  override name = 'SchemeArgumentError';
}

/** A Scheme string, symbol or character as a JS string. */
export function toStr(x: unknown, who = 'procedure', what = 'argument'): string {
  // The compiled engine's strings are bytes: TypeScript gets them as text (UTF-8 decoded).
  if (typeof x === 'string') return compiled ? bytesToText(x) : x;
  if (x instanceof L.LString) return compiled ? bytesToText(x.valueOf()) : x.valueOf();
  if (x instanceof Char) return String.fromCodePoint(x.code);
  if (x instanceof L.LSymbol) return x.__name__;
  if (x instanceof L.LCharacter) return x.valueOf();
  throw new SchemeArgumentError(`${who}: ${what} must be a string, got ${describe(x)}`);
}

/**
 * A string argument as its bytes, one per character, where the engine's strings are bytes (the
 * compiled engine); as text otherwise (LIPS). For procedures that work on bytes, like
 * `http:canonicalize-string`, whose result goes back through `fromBytes`.
 */
export function toBytes(x: unknown, who = 'procedure', what = 'argument'): string {
  if (!compiled) return toStr(x, who, what);
  if (typeof x === 'string') return x;
  if (x instanceof L.LString) return x.valueOf();
  return textToBytes(toStr(x, who, what));
}

/** Bytes (or LIPS's text) as a Scheme string that the conversion of results leaves as it is. */
export function fromBytes(s: string): unknown {
  return compiled ? new L.LString(s) : s;
}

export function isStringLike(x: unknown): boolean {
  return typeof x === 'string' || x instanceof L.LString;
}

export function toNum(x: unknown, who = 'procedure', what = 'argument'): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x instanceof Flo) return x.v;
  if (x instanceof L.LNumber) return Number(x.valueOf());
  throw new SchemeArgumentError(`${who}: ${what} must be a number, got ${describe(x)}`);
}

export function sym(name: string): unknown {
  return new L.LSymbol(name);
}

/**
 * A value put inside a Scheme structure: JS strings become Scheme strings (LIPS boxes only the
 * values a procedure returns, and `write` would show a bare JS string unquoted).
 */
export function box(x: unknown): unknown {
  if (typeof x !== 'string') return x;
  return compiled ? textToBytes(x) : new L.LString(x);
}

/** JS array → proper Scheme list. */
export function list(items: readonly unknown[]): unknown {
  let out: unknown = L.nil;
  for (let i = items.length - 1; i >= 0; i--) out = new L.Pair(box(items[i]), out);
  return out;
}

export function cons(a: unknown, b: unknown): unknown {
  return new L.Pair(box(a), box(b));
}

export function isPair(x: unknown): x is { car: unknown; cdr: unknown } {
  return x instanceof L.Pair;
}

/** Proper Scheme list → JS array (a non-list is an error). */
export function toArray(x: unknown, who = 'procedure', what = 'argument'): unknown[] {
  if (x === L.nil || x === undefined || x === null) return [];
  if (Array.isArray(x)) return x;
  if (!(x instanceof L.Pair)) throw new SchemeArgumentError(`${who}: ${what} must be a list, got ${describe(x)}`);
  const out: unknown[] = [];
  let p: unknown = x;
  while (p instanceof L.Pair) {
    out.push(p.car);
    p = p.cdr;
  }
  if (p !== L.nil) throw new SchemeArgumentError(`${who}: ${what} must be a proper list`);
  return out;
}

/** An a-list of (name . value) strings → header list (names as given). */
export function alistToHeaders(x: unknown, who: string, what = 'attributes'): Headers {
  return toArray(x, who, what).map((p) => {
    if (!(p instanceof L.Pair)) throw new SchemeArgumentError(`${who}: each of the ${what} must be a pair (name . value), got ${describe(p)}`);
    const value = p.cdr instanceof L.Pair ? (p.cdr as { car: unknown }).car : p.cdr;
    return [toStr(p.car, who, 'a header name'), displayString(value)];
  });
}

/** Header or argument pairs → a-list of (name . value). */
export function headersToAlist(h: ReadonlyArray<readonly [string, string]>): unknown {
  return list(h.map(([n, v]) => cons(n, v)));
}

/** Multiple values for `define-values` / `receive`. */
export function values(items: unknown[]): unknown {
  return L.Values(items.map(box));
}

/** Scheme truth: everything but #f. */
export function truthy(x: unknown): boolean {
  return x !== false;
}

/** Text of a value as `display` shows it. */
export function displayString(x: unknown): string {
  if (compiled) return bytesToText(compiledDisplay(x));
  if (typeof x === 'string') return x;
  if (x instanceof L.LString) return x.valueOf();
  if (typeof x === 'number') return String(x);
  // Exact integers are the common case (lengths, counts): skip LIPS's printer.
  if (x instanceof L.LNumber && (x as unknown as { __type__: string }).__type__ === 'bigint') {
    return String((x as unknown as { __value__: bigint }).__value__);
  }
  return String((L.env.get('repr') as (v: unknown, q: boolean) => string)(x, false));
}

/** Text of a value as `write` shows it. */
export function writeString(x: unknown): string {
  if (compiled) return bytesToText(compiledWrite(x));
  return String((L.env.get('repr') as (v: unknown, q: boolean) => string)(typeof x === 'string' ? new L.LString(x) : x, true));
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  try {
    const s = writeString(x);
    return s.length > 60 ? s.slice(0, 60) + '…' : s;
  } catch {
    return typeof x;
  }
}
