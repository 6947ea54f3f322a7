/**
 * The CHICKEN procedures egg programs use most, in TypeScript: each call of a procedure LIPS
 * defines in Scheme costs ~25 µs, a TypeScript one well under 1 µs.
 */
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { toStr, toNum, list, toArray, displayString, lips, isPair, isStringLike, SchemeArgumentError, describe, truthy } from '../values.js';

/** Length in characters (code points), as LIPS counts them. */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { n--; i++; }
  }
  return n;
}

/** A string argument: CHICKEN's string procedures take strings only (not symbols or characters). */
function str(x: unknown, who: string): string {
  if (!isStringLike(x)) throw new SchemeArgumentError(`${who}: expected a string, got ${describe(x)}`);
  return toStr(x, who);
}

/** LIPS's arithmetic on its number objects (exact integers of any size, rationals, floats). */
interface Arith {
  add(n: unknown): unknown;
}

/** X + D with LIPS's own arithmetic, so big integers and rationals stay exact. */
function add(x: unknown, d: number, who: string): unknown {
  const L = lips();
  if (typeof x === 'number') return x + d;
  if (x instanceof L.LNumber) return (x as unknown as Arith).add(new (L.LNumber as unknown as new (n: number) => unknown)(d));
  throw new SchemeArgumentError(`${who}: expected a number, got ${describe(x)}`);
}

/** A regular expression from a RegExp (LIPS's #/…/) or a string pattern. */
function regexOf(pattern: unknown, who: string, anchored = false): RegExp {
  const source = pattern instanceof RegExp ? pattern.source : str(pattern, who);
  const flags = pattern instanceof RegExp ? pattern.flags.replace(/[gy]/g, '') : '';
  return new RegExp(anchored ? `^(?:${source})$` : source, flags.replace('d', '') + 'dg');
}

/** The first match of PATTERN in S at or after START (and starting before START + RANGE). */
function search(pattern: unknown, s: unknown, start: unknown, range: unknown, who: string): RegExpExecArray | null {
  const text = str(s, who);
  const from = start === undefined || start === false ? 0 : toNum(start, who);
  const re = regexOf(pattern, who);
  re.lastIndex = from;
  const m = re.exec(text);
  if (m === null) return null;
  if (range !== undefined && range !== false && m.index > from + toNum(range, who)) return null;
  return m;
}

/** A match as CHICKEN's regex unit returns it: the whole match, then each submatch or #f. */
function matchList(m: RegExpExecArray | null): unknown {
  return m === null ? false : list([...m].map((x) => x ?? false));
}

/** Each submatch's (START END), or #f for one that did not take part. */
function positionList(m: RegExpExecArray | null): unknown {
  if (m === null) return false;
  const spans = m.indices ?? [];
  return list([...m].map((_, i) => {
    const span = spans[i];
    return span === undefined ? false : list([span[0], span[1]]);
  }));
}

/** LIPS's `eq?`: identity, numbers of one exactness by value, characters by value. */
function eqv(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // A JS number a TypeScript procedure put in a structure compares as the number LIPS reads.
  const L = lips();
  const box = (x: unknown): unknown => (typeof x === 'number' ? new (L.LNumber as unknown as new (n: number) => unknown)(x) : x);
  return (L.env.get('eq?') as (a: unknown, b: unknown) => unknown)(box(a), box(b)) === true;
}

/** `equal?`: pairs and vectors by their elements, strings by content, regexes by source, else eqv?. */
function equal(a: unknown, b: unknown): boolean {
  const L = lips();
  for (;;) {
    if (a === b) return true;
    if (isPair(a)) {
      if (!isPair(b) || !equal(a.car, b.car)) return false;
      a = a.cdr;
      b = b.cdr;
      continue;
    }
    if (isStringLike(a)) return isStringLike(b) && String(a) === String(b);
    if (Array.isArray(a)) {
      const v: unknown = b;
      return Array.isArray(v) && a.length === v.length && a.every((x, i) => equal(x, v[i]));
    }
    if (a instanceof Uint8Array) {
      const v: unknown = b;
      return v instanceof Uint8Array && a.length === v.length && a.every((x, i) => x === v[i]);
    }
    if (a instanceof RegExp) return b instanceof RegExp && a.source === b.source && a.flags === b.flags;
    if (a === L.nil) return b === L.nil;
    return eqv(a, b);
  }
}

type Test = (a: unknown, b: unknown) => unknown;

/**
 * The first pair of LIST whose element (its car, or for an a-list its car's car) satisfies
 * (TEST OBJ ELEMENT), or #f. A Scheme TEST that suspends returns a Promise: the walk goes on
 * asynchronously from there.
 */
function memSearch(obj: unknown, list: unknown, test: Test, alist: boolean, who: string): unknown {
  const L = lips();
  let p = list;
  while (isPair(p)) {
    const here = p;
    let key: unknown = here.car;
    if (alist) {
      if (!isPair(key)) throw new SchemeArgumentError(`${who}: expected an a-list, got an element ${describe(key)}`);
      key = key.car;
    }
    const r = test(obj, key);
    if (r instanceof Promise) return r.then((v) => (v !== false ? here : memSearch(obj, here.cdr, test, alist, who)));
    if (r !== false) return here;
    p = here.cdr;
  }
  if (p !== L.nil) throw new SchemeArgumentError(`${who}: expected a proper list, got ${describe(list)}`);
  return false;
}

function testOf(proc: unknown, dflt: Test, who: string): Test {
  if (proc === undefined) return dflt;
  if (typeof proc !== 'function') throw new SchemeArgumentError(`${who}: expected a procedure, got ${describe(proc)}`);
  return proc as Test;
}

function assSearch(obj: unknown, alist: unknown, test: Test, who: string): unknown {
  const then = (hit: unknown): unknown => (isPair(hit) ? hit.car : false);
  const r = memSearch(obj, alist, test, true, who);
  return r instanceof Promise ? r.then(then) : then(r);
}

export function installBase(global: Environment): void {
  defineAll(global, {
    // LIPS defines these in Scheme, at ~15-40 ms a call; egg programs use them on every request.
    'eqv?'(a: unknown, b: unknown): boolean { return eqv(a, b); },
    'equal?'(a: unknown, b: unknown): boolean { return equal(a, b); },
    memq(obj: unknown, list: unknown): unknown { return memSearch(obj, list, (a, b) => a === b || eqv(a, b), false, 'memq'); },
    memv(obj: unknown, list: unknown): unknown { return memSearch(obj, list, eqv, false, 'memv'); },
    member(obj: unknown, list: unknown, test?: unknown): unknown { return memSearch(obj, list, testOf(test, equal, 'member'), false, 'member'); },
    assq(obj: unknown, alist: unknown): unknown { return assSearch(obj, alist, eqv, 'assq'); },
    assv(obj: unknown, alist: unknown): unknown { return assSearch(obj, alist, eqv, 'assv'); },
    assoc(obj: unknown, alist: unknown, test?: unknown): unknown { return assSearch(obj, alist, testOf(test, equal, 'assoc'), 'assoc'); },
    add1(x: unknown): unknown { return add(x, 1, 'add1'); },
    sub1(x: unknown): unknown { return add(x, -1, 'sub1'); },
    'string-length'(s: unknown): number { return charLength(str(s, 'string-length')); },
    conc(...args: unknown[]): string {
      let s = '';
      for (let i = 0; i < args.length; i++) s += displayString(args[i]);
      return s;
    },
    '->string'(x: unknown): string { return displayString(x); },
    'string-intersperse'(strings: unknown, delim?: unknown): string {
      return toArray(strings, 'string-intersperse').map((s) => str(s, 'string-intersperse')).join(delim === undefined ? ' ' : str(delim, 'string-intersperse'));
    },
    /** CHICKEN: (string-split STRING [DELIMITER-CHARS [KEEPEMPTY]]). */
    'string-split'(s: unknown, delims?: unknown, keepEmpty?: unknown): unknown {
      const text = str(s, 'string-split');
      const set = new Set([...(delims === undefined ? ' \t\n' : str(delims, 'string-split'))]);
      const out: string[] = [];
      let cur = '';
      for (const ch of text) {
        if (set.has(ch)) {
          if (cur !== '' || truthy(keepEmpty ?? false)) out.push(cur);
          cur = '';
        } else cur += ch;
      }
      if (cur !== '' || truthy(keepEmpty ?? false)) out.push(cur);
      return list(out);
    },
    /** SRFI-13 order: (string-join LIST [DELIM]). */
    'string-join'(strings: unknown, delim?: unknown): string {
      return toArray(strings, 'string-join').map((s) => str(s, 'string-join')).join(delim === undefined ? ' ' : str(delim, 'string-join'));
    },
    'string-prefix?'(prefix: unknown, s: unknown): boolean { return str(s, 'string-prefix?').startsWith(str(prefix, 'string-prefix?')); },
    'string-suffix?'(suffix: unknown, s: unknown): boolean { return str(s, 'string-suffix?').endsWith(str(suffix, 'string-suffix?')); },
    /** (string-index S CHAR-OR-PRED [START [END]]) → index or #f. */
    'string-index'(s: unknown, what: unknown, start?: unknown, end?: unknown): unknown {
      const chars = [...str(s, 'string-index')];
      const from = start === undefined ? 0 : toNum(start);
      const to = end === undefined ? chars.length : toNum(end);
      const L = lips();
      for (let i = from; i < to; i++) {
        const c = chars[i]!;
        const hit = typeof what === 'function' ? (what as (c: unknown) => unknown)(new L.LCharacter(c)) !== false
          : what instanceof L.LCharacter ? what.valueOf() === c : toStr(what).includes(c);
        if (hit) return i;
      }
      return false;
    },
    /** CHICKEN's regex unit: (string-search PATTERN STRING [START [RANGE]]) → (MATCH SUBMATCH …) or #f. */
    'string-search'(pattern: unknown, s: unknown, start?: unknown, range?: unknown): unknown {
      return matchList(search(pattern, s, start, range, 'string-search'));
    },
    /** (string-search-positions PATTERN STRING [START [RANGE]]) → ((START END) …) or #f. */
    'string-search-positions'(pattern: unknown, s: unknown, start?: unknown, range?: unknown): unknown {
      return positionList(search(pattern, s, start, range, 'string-search-positions'));
    },
    /** (string-match PATTERN STRING) → (MATCH SUBMATCH …) when PATTERN matches all of STRING, else #f. */
    'string-match'(pattern: unknown, s: unknown): unknown {
      const re = regexOf(pattern, 'string-match', true);
      return matchList(re.exec(str(s, 'string-match')));
    },
    /** SRFI-13: (string-contains S1 S2 [START1]) → index of S2 in S1 or #f. */
    'string-contains'(s1: unknown, s2: unknown, start?: unknown): unknown {
      const text = str(s1, 'string-contains');
      const i = text.indexOf(str(s2, 'string-contains'), start === undefined ? 0 : toNum(start, 'string-contains'));
      return i === -1 ? false : i;
    },
    /** (alist-ref KEY ALIST [TEST [DEFAULT]]). */
    'alist-ref'(key: unknown, alist: unknown, test?: unknown, dflt?: unknown): unknown {
      const eq = typeof test === 'function' ? (a: unknown, b: unknown) => (test as (a: unknown, b: unknown) => unknown)(a, b) !== false : schemeEqv;
      for (const p of toArray(alist, 'alist-ref')) {
        if (isPair(p) && eq(key, p.car)) return p.cdr;
      }
      return dflt === undefined ? false : dflt;
    },
    /** (alist-update! KEY VALUE ALIST [TEST]) → the a-list with KEY's value set. */
    'alist-update!'(key: unknown, value: unknown, alist: unknown, test?: unknown): unknown {
      const eq = typeof test === 'function' ? (a: unknown, b: unknown) => (test as (a: unknown, b: unknown) => unknown)(a, b) !== false : schemeEqv;
      const items = toArray(alist, 'alist-update!');
      for (const p of items) {
        if (isPair(p) && eq(key, p.car)) { p.cdr = value; return alist; }
      }
      return new (lips().Pair)(new (lips().Pair)(key, value), alist);
    },
    void(): undefined { return undefined; },
    'current-milliseconds'(): number { return Date.now(); },
    'current-seconds'(): number { return Math.floor(Date.now() / 1000); },
    exit(code?: unknown): never {
      process.exitCode = code === undefined || code === true ? 0 : code === false ? 1 : toNum(code, 'exit');
      process.exit();
    },
  });
}

/**
 * eqv? for a-list keys, with strings compared by content (beyond: under CHICKEN's eqv? two equal
 * strings that are distinct objects differ, which no program relies on).
 */
function schemeEqv(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const L = lips();
  if ((typeof a === 'string' || a instanceof L.LString) && (typeof b === 'string' || b instanceof L.LString)) return String(a) === String(b);
  return eqv(a, b);
}
