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

/** A Promise-like result: the calling Scheme code suspends until it settles. */
function settle(r: unknown): unknown {
  return r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function' ? S.await(r as PromiseLike<unknown>) : r;
}

/**
 * FN as a Scheme procedure named NAME taking ARITY arguments. When no arity is given it is
 * FN.length (the parameters before any default or rest) up to Infinity.
 */
export function procedure(name: string, fn: Proc, arity?: Arity): (...args: unknown[]) => unknown {
  const [min, max] = arity ?? [fn.length, Infinity];
  const f = fn as (...args: unknown[]) => unknown;
  const expected = max === Infinity ? `at least ${min}` : min === max ? String(min) : `${min} to ${max}`;
  const fail = (n: number): never => {
    throw arityError(wrapped, n, expected);
  };
  // Fixed arities get a wrapper without a rest array: these are the library's hot calls. So do
  // optional arguments up to three, when FN declares them all (a missing one is undefined either way).
  const wrapped =
    max <= 3 && min < max && fn.length === max
      ? function (this: unknown, a: unknown, b: unknown, c: unknown): unknown {
          const n = arguments.length;
          return n < min || n > max ? fail(n) : settle(f.call(this, a, b, c));
        }
      : min === max && min <= 3
      ? [
          function (this: unknown): unknown {
            return arguments.length !== 0 ? fail(arguments.length) : settle(f.call(this));
          },
          function (this: unknown, a: unknown): unknown {
            return arguments.length !== 1 ? fail(arguments.length) : settle(f.call(this, a));
          },
          function (this: unknown, a: unknown, b: unknown): unknown {
            return arguments.length !== 2 ? fail(arguments.length) : settle(f.call(this, a, b));
          },
          function (this: unknown, a: unknown, b: unknown, c: unknown): unknown {
            return arguments.length !== 3 ? fail(arguments.length) : settle(f.call(this, a, b, c));
          },
        ][min]!
      : function (this: unknown, ...args: unknown[]): unknown {
          return args.length < min || args.length > max ? fail(args.length) : settle(f.apply(this, args));
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
