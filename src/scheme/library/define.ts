/**
 * Registering TypeScript procedures in the compiled engine's global environment, with CHICKEN's
 * argument-count check, and with a Promise result turned into a suspension of the calling
 * Scheme code (so `(http:GET …)` simply waits, wherever it is called).
 */
import type { Engine } from '../compiler/index.js';
import { S } from '../runtime/control.js';
import { arityError } from '../runtime/errors.js';

export type Proc = (...args: never[]) => unknown;

/** How many arguments a procedure takes: [min, max] (max Infinity for a rest list). */
export type Arity = readonly [number, number];

export interface ProcSpec {
  fn: Proc;
  arity?: Arity;
}

/** Whether a TS procedure's result is a Promise (or like one): its caller must wait for it. */
export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * A Promise result: the calling Scheme code suspends until it settles. Only native Promises
 * count (every waiting TS procedure is async or returns one): a `.then` probe of every result
 * was a megamorphic property load per library call, on strings, pairs and records alike.
 */
function settle(r: unknown): unknown {
  return r instanceof Promise ? S.await(r) : r;
}

/**
 * The JS of a wrapper taking MIN to MAX arguments (MAX Infinity: a rest list); SLOTS: it passes
 * them as that many named parameters (no rest array).
 */
function wrapperSource(min: number, max: number, slots: number | null): string {
  if (slots === null && max <= 4) {
    // Optional arguments FN may count (a rest parameter, `arguments`): a call with exactly as
    // many as were given, still without a rest array.
    const names = ['a', 'b', 'c', 'd'];
    const cases = Array.from({ length: max - min + 1 }, (_, k) => {
      const n = min + k;
      return `case ${n}: return settle(f.call(this${names.slice(0, n).map((x) => `, ${x}`).join('')}));`;
    });
    return `return function procedure(${names.slice(0, max).join(', ')}) { switch (arguments.length) { ${cases.join(' ')} default: return fail(arguments.length); } };`;
  }
  if (slots === null) {
    return `return function procedure(...args) { return args.length < ${min} || args.length > ${max} ? fail(args.length) : settle(f.apply(this, args)); };`;
  }
  const params = ['a', 'b', 'c', 'd'].slice(0, slots).join(', ');
  const check = min === max ? `arguments.length !== ${min}` : `arguments.length < ${min} || arguments.length > ${max}`;
  return `return function procedure(${params}) { return ${check} ? fail(arguments.length) : settle(f.call(this${params === '' ? '' : `, ${params}`})); };`;
}

/**
 * FN as a Scheme procedure named NAME taking ARITY arguments. When no arity is given it is
 * FN.length (the parameters before any default or rest) up to Infinity.
 *
 * Each wrapper is compiled on its own (`new Function`), not made from one shared closure: its
 * call of FN then has one target, which V8 inlines, where a shared wrapper's call of hundreds of
 * different procedures could not be. Up to four arguments are passed without a rest array:
 * as named parameters when FN declares them all (a missing one is undefined either way), else
 * by a switch on how many were given.
 */
export function procedure(name: string, fn: Proc, arity?: Arity): (...args: unknown[]) => unknown {
  const [min, max] = arity ?? [fn.length, Infinity];
  const f = fn as (...args: unknown[]) => unknown;
  const expected = max === Infinity ? `at least ${min}` : min === max ? String(min) : `${min} to ${max}`;
  const fail = (n: number): never => {
    throw arityError(wrapped, n, expected);
  };
  const slots = max <= 4 && (min === max || fn.length === max) ? max : null;
  const make = new Function('f', 'fail', 'settle', wrapperSource(min, max, slots)) as (
    f: (...args: unknown[]) => unknown,
    fail: (n: number) => never,
    settle: (r: unknown) => unknown,
  ) => (...args: unknown[]) => unknown;
  const wrapped = make(f, fail, settle);
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

/** FN with any thenable it returns turned into a Promise (which is what the engines wait for). */
export function awaitingThenables(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]): unknown {
    const r = fn.apply(this, args);
    return isThenable(r) && !(r instanceof Promise) ? Promise.resolve(r) : r;
  };
}

/**
 * A JS function from outside the library (the TS API's `define`) as a Scheme procedure: any
 * thenable it returns is waited for (the library's own procedures return native Promises,
 * which is all `settle` checks for).
 */
export function foreignProcedure(name: string, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return procedure(name, awaitingThenables(fn), [0, Infinity]);
}

/** Defines each of PROCS (a function, or [function, min, max]) in ENGINE. */
export function defineProcedures(engine: Engine, procs: Record<string, Proc | readonly [Proc, number, number]>): void {
  for (const [name, spec] of Object.entries(procs)) {
    if (typeof spec === 'function') engine.define(name, procedure(name, spec));
    else engine.define(name, procedure(name, spec[0], [spec[1], spec[2]]));
  }
}
