/**
 * Calling Scheme procedures from the TypeScript core: every call runs inside the exchange's port
 * store (AsyncLocalStorage), so `current-output-port` is that request's connection, and Scheme's
 * multiple values come back as arrays.
 */
import { als, type PortStore } from './context.js';
import { ResponsePort, BodyPort, type InPort, type OutPort } from './ports.js';
import type { Exchange } from '../http/server/exchange.js';
import { lips } from './values.js';
import { S, execute, Task } from './runtime/control.js';
import { HandlerTimeLimitError } from '../http/errors.js';

/** Set on the compiled engine: Scheme procedures are compiled JS that may suspend. */
let compiledEngine = false;

/**
 * On the compiled engine, a `parameterize` binding of one of the http: modules' parameters
 * (LIPS Parameter objects) lives in the engine's dynamic state: how to find it.
 */
export interface DynamicBindings {
  /** The dynamic state of the Scheme code running now. */
  current(): unknown;
  /** P's binding in DYN, if P is bound there. */
  lookup(p: object, dyn: unknown): { found: boolean; value: unknown };
}

let dynamicBindings: DynamicBindings | null = null;

export function useCompiledProcedures(bindings: DynamicBindings): void {
  compiledEngine = true;
  dynamicBindings = bindings;
}

/**
 * Calls handler F with REQUEST (and ARGS, the resource handlers' argument a-list, when given) for
 * the request of URL: as `invoke`, and on the compiled engine stopped with a HandlerTimeLimitError
 * (503) once it has computed LIMIT ms without waiting for I/O. Fixed arguments rather than a
 * rest array and a spread call: this runs for every request.
 */
export function invokeHandler(limit: number | null, url: string, f: (...args: never[]) => unknown, request: unknown, args?: unknown): unknown {
  const g = f as (...a: unknown[]) => unknown;
  const call = args === undefined ? () => g(request) : () => g(request, args);
  if (!compiledEngine) return call();
  if (limit === null) return execute(call, true);
  // The Task is made only if the handler suspends; its busy time counts from the run's start.
  return execute(call, true, S.dyn, (start) => {
    const task = new Task(limit, (over) => new HandlerTimeLimitError(url, over));
    task.busySince = start;
    return task;
  });
}

/** The compiled engine's dynamic bindings, or null under LIPS. */
export function compiledBindings(): DynamicBindings | null {
  return dynamicBindings;
}

/**
 * Calls Scheme procedure F from TypeScript: its value, or a Promise when it waits for I/O. On the
 * compiled engine the call runs as a task of its own (it may suspend and be preempted).
 */
export function invoke(f: (...args: never[]) => unknown, ...args: unknown[]): unknown {
  const g = f as (...a: unknown[]) => unknown;
  return compiledEngine ? execute(() => g(...args), true) : g(...args);
}

/** The ports of one exchange; the body port is made only if the handler reads. */
class ExchangeStore implements PortStore {
  readonly out: OutPort;
  private inPort: InPort | null = null;
  constructor(readonly ex: Exchange) {
    this.out = new ResponsePort(ex.out);
  }
  get in(): InPort {
    if (this.inPort === null) this.inPort = new BodyPort(this.ex.input);
    return this.inPort;
  }
}

/** Runs F with the exchange's ports current. */
export function inExchange<T>(ex: Exchange, f: () => T): T {
  return als.run(new ExchangeStore(ex), f);
}

/** The exchange of the handler running now, if any. */
export function currentExchange(): Exchange | null {
  return als.getStore()?.ex ?? null;
}

/** A procedure's multiple values as an array (one value → one element). */
export function valuesOf(x: unknown): unknown[] {
  const L = lips();
  if (x instanceof (L.Values as unknown as new (...a: unknown[]) => unknown)) return (x as { __values__: unknown[] }).__values__;
  return [x];
}

/** Marks procedures of ours that stand for a TypeScript default, so the core can call the default directly. */
const builtins = new WeakMap<object, unknown>();

export function markBuiltin<F extends object>(schemeProc: F, tsValue: unknown): F {
  builtins.set(schemeProc, tsValue);
  return schemeProc;
}

/** The TypeScript value a builtin procedure stands for, or undefined for a user's procedure. */
export function builtinOf(proc: unknown): unknown {
  return proc !== null && (typeof proc === 'object' || typeof proc === 'function') ? builtins.get(proc as object) : undefined;
}

/** Caches one wrapper per user procedure. */
export function cached<P extends object, W>(cache: WeakMap<P, W>, proc: P, make: (p: P) => W): W {
  let w = cache.get(proc);
  if (w === undefined) {
    w = make(proc);
    cache.set(proc, w);
  }
  return w;
}
