/**
 * The CHICKEN procedures egg programs use most, in TypeScript: each call of a procedure LIPS
 * defines in Scheme costs ~25 µs, a TypeScript one well under 1 µs.
 */
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { toStr, toNum, list, toArray, displayString, lips, isPair, SchemeArgumentError, describe, truthy } from '../values.js';

/** Length in characters (code points), as LIPS counts them. */
function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { n--; i++; }
  }
  return n;
}

function num(x: unknown, who: string): number | bigint {
  if (typeof x === 'number') return x;
  const L = lips();
  if (x instanceof L.LNumber) {
    const v = (x as unknown as { valueOf(): number | bigint }).valueOf();
    return v;
  }
  throw new SchemeArgumentError(`${who}: expected a number, got ${describe(x)}`);
}

function add(x: unknown, d: number, who: string): unknown {
  const v = num(x, who);
  return typeof v === 'bigint' ? new (lips().LNumber as unknown as new (n: bigint) => unknown)(v + BigInt(d)) : v + d;
}

export function installBase(global: Environment): void {
  defineAll(global, {
    add1(x: unknown): unknown { return add(x, 1, 'add1'); },
    sub1(x: unknown): unknown { return add(x, -1, 'sub1'); },
    'string-length'(s: unknown): number { return charLength(toStr(s, 'string-length')); },
    conc(...args: unknown[]): string {
      let s = '';
      for (let i = 0; i < args.length; i++) s += displayString(args[i]);
      return s;
    },
    '->string'(x: unknown): string { return displayString(x); },
    'string-intersperse'(strings: unknown, delim?: unknown): string {
      return toArray(strings, 'string-intersperse').map((s) => toStr(s, 'string-intersperse')).join(delim === undefined ? ' ' : toStr(delim, 'string-intersperse'));
    },
    /** CHICKEN: (string-split STRING [DELIMITER-CHARS [KEEPEMPTY]]). */
    'string-split'(s: unknown, delims?: unknown, keepEmpty?: unknown): unknown {
      const text = toStr(s, 'string-split');
      const set = new Set([...(delims === undefined ? ' \t\n' : toStr(delims, 'string-split'))]);
      const out: string[] = [];
      let cur = '';
      for (const ch of text) {
        if (set.has(ch)) {
          if (cur !== '' || truthy(keepEmpty ?? false)) out.push(cur);
          cur = '';
        } else cur += ch;
      }
      if (cur !== '' || (truthy(keepEmpty ?? false) && text !== '')) out.push(cur);
      return list(out);
    },
    /** SRFI-13 order: (string-join LIST [DELIM]). */
    'string-join'(strings: unknown, delim?: unknown): string {
      return toArray(strings, 'string-join').map((s) => toStr(s, 'string-join')).join(delim === undefined ? ' ' : toStr(delim, 'string-join'));
    },
    'string-prefix?'(prefix: unknown, s: unknown): boolean { return toStr(s, 'string-prefix?').startsWith(toStr(prefix, 'string-prefix?')); },
    'string-suffix?'(suffix: unknown, s: unknown): boolean { return toStr(s, 'string-suffix?').endsWith(toStr(suffix, 'string-suffix?')); },
    /** (string-index S CHAR-OR-PRED [START [END]]) → index or #f. */
    'string-index'(s: unknown, what: unknown, start?: unknown, end?: unknown): unknown {
      const chars = [...toStr(s, 'string-index')];
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
    /** (string-search PATTERN STRING [START]) → index of the first match or #f. */
    'string-search'(pattern: unknown, s: unknown, start?: unknown): unknown {
      const text = toStr(s, 'string-search');
      const from = start === undefined ? 0 : toNum(start);
      if (pattern instanceof RegExp) {
        const re = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
        re.lastIndex = from;
        const m = re.exec(text);
        return m === null ? false : m.index;
      }
      const i = text.indexOf(toStr(pattern, 'string-search'), from);
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

/** eqv? for a-list keys: symbols by name, strings and numbers by value. */
function schemeEqv(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const L = lips();
  if (a instanceof L.LSymbol && b instanceof L.LSymbol) return a.__name__ === b.__name__;
  if ((typeof a === 'string' || a instanceof L.LString) && (typeof b === 'string' || b instanceof L.LString)) return String(a) === String(b);
  if ((typeof a === 'number' || a instanceof L.LNumber) && (typeof b === 'number' || b instanceof L.LNumber)) return Number(a) === Number(b);
  return false;
}
