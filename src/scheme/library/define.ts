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

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/**
 * FN as a Scheme procedure named NAME taking ARITY arguments. When no arity is given it is
 * FN.length (the parameters before any default or rest) up to Infinity.
 */
export function procedure(name: string, fn: Proc, arity?: Arity): (...args: unknown[]) => unknown {
  const [min, max] = arity ?? [fn.length, Infinity];
  const f = fn as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    if (args.length < min || args.length > max) {
      throw arityError(wrapped, args.length, max === Infinity ? `at least ${min}` : min === max ? String(min) : `${min} to ${max}`);
    }
    const r = f.apply(this, args);
    return isThenable(r) ? S.await(r) : r;
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

/** Defines each of PROCS (a function, or [function, min, max]) in ENGINE. */
export function defineProcedures(engine: Engine, procs: Record<string, Proc | readonly [Proc, number, number]>): void {
  for (const [name, spec] of Object.entries(procs)) {
    if (typeof spec === 'function') engine.define(name, procedure(name, spec));
    else engine.define(name, procedure(name, spec[0], [spec[1], spec[2]]));
  }
}
