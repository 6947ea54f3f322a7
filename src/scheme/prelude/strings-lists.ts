/**
 * String comparisons, `make-string`, `random` and list procedures CHICKEN programs use, in
 * TypeScript: LIPS's are Scheme code (`string=?` ~4 ms a call, `make-string` recursive and
 * overflowing the stack) or missing (`remove`, `list-head`), and its `random` returns a float.
 */
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { toStr, toNum, toArray, list, lips, SchemeArgumentError, describe } from '../values.js';

function strings(args: unknown[], who: string): string[] {
  if (args.length === 0) throw new SchemeArgumentError(`${who}: expected at least one string`);
  return args.map((a) => toStr(a, who));
}

/** True when CMP holds between each neighbouring pair. */
function chain(args: unknown[], who: string, fold: boolean, cmp: (a: string, b: string) => boolean): boolean {
  const s = strings(args, who).map((x) => (fold ? x.toLowerCase() : x));
  for (let i = 0; i + 1 < s.length; i++) if (!cmp(s[i]!, s[i + 1]!)) return false;
  return true;
}

function charOf(c: unknown, who: string): string {
  const L = lips();
  if (c === undefined) return ' ';
  if (c instanceof L.LCharacter) return c.valueOf();
  throw new SchemeArgumentError(`${who}: expected a character, got ${describe(c)}`);
}

export function installStringsLists(global: Environment): void {
  const procs: Record<string, (...args: never[]) => unknown> = {};
  const comparisons: Array<[string, (a: string, b: string) => boolean]> = [
    ['=', (a, b) => a === b], ['<', (a, b) => a < b], ['>', (a, b) => a > b], ['<=', (a, b) => a <= b], ['>=', (a, b) => a >= b],
  ];
  for (const [op, cmp] of comparisons) {
    procs[`string${op}?`] = (...args: unknown[]) => chain(args, `string${op}?`, false, cmp);
    procs[`string-ci${op}?`] = (...args: unknown[]) => chain(args, `string-ci${op}?`, true, cmp);
  }
  defineAll(global, {
    ...procs,
    'make-string'(k: unknown, c?: unknown): string {
      const n = toNum(k, 'make-string', 'K');
      if (!Number.isInteger(n) || n < 0) throw new SchemeArgumentError(`make-string: K must be a non-negative integer, got ${describe(k)}`);
      return charOf(c, 'make-string').repeat(n);
    },
    /** CHICKEN: (random N) → an exact integer in [0, N); a real N gives a real; (random) a real in [0, 1). */
    random(n?: unknown): number {
      if (n === undefined) return Math.random();
      const x = toNum(n, 'random', 'N');
      if (x <= 0) throw new SchemeArgumentError(`random: N must be positive, got ${describe(n)}`);
      return Number.isInteger(x) && !(n instanceof lips().LNumber && (n as unknown as { __type__: string }).__type__ === 'float')
        ? Math.floor(Math.random() * x) : Math.random() * x;
    },
    /** SRFI-1: the elements for which PRED is false. */
    async remove(pred: unknown, lst: unknown): Promise<unknown> {
      if (typeof pred !== 'function') throw new SchemeArgumentError(`remove: PRED must be a procedure, got ${describe(pred)}`);
      const out: unknown[] = [];
      for (const x of toArray(lst, 'remove', 'LIST')) if ((await (pred as (x: unknown) => unknown)(x)) === false) out.push(x);
      return list(out);
    },
    'list-head'(lst: unknown, k: unknown): unknown {
      const items = toArray(lst, 'list-head', 'LIST');
      const n = toNum(k, 'list-head', 'K');
      if (n > items.length) throw new SchemeArgumentError(`list-head: the list has fewer than ${n} elements`);
      return list(items.slice(0, n));
    },
  } as never);
}
