/** Sequencing of values that may or may not be Promises, so synchronous handlers stay synchronous. */
import type { MaybePromise } from './types.js';

export function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

/** F(value) now if VALUE is plain, after it resolves otherwise. */
export function andThen<T, R>(value: MaybePromise<T>, f: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(f) : f(value as T);
}
