/**
 * SRFI-18 threads over async tasks: a thread runs its thunk as its own task, so a program can run
 * a server in a thread and a client beside it, as with CHICKEN's green threads. A thread sees
 * the ports current where it was made (its task inherits the AsyncLocalStorage context).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { toNum, toStr, displayString, describe, SchemeArgumentError } from '../values.js';

type Thunk = () => unknown;

export class SchemeThread {
  state: 'created' | 'runnable' | 'terminated' = 'created';
  specific: unknown = undefined;
  promise: Promise<unknown> | null = null;
  failure: unknown = undefined;
  failed = false;
  result: unknown = undefined;
  constructor(readonly thunk: Thunk | null, readonly name: unknown) {}
  toString(): string {
    return `#<thread: ${displayString(this.name)}>`;
  }
}

const primordial = new SchemeThread(null, 'primordial');
primordial.state = 'runnable';
const currentThread = new AsyncLocalStorage<SchemeThread>();
let counter = 0;

function thread(x: unknown, who: string): SchemeThread {
  if (x instanceof SchemeThread) return x;
  throw new SchemeArgumentError(`${who}: expected a thread, got ${describe(x)}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** A timeout argument: seconds from now (a number); #f or absent means none. */
function timeoutMs(x: unknown, who: string): number | null {
  if (x === undefined || x === false) return null;
  return toNum(x, who, 'TIMEOUT') * 1000;
}

class Mutex {
  locked = false;
  owner: SchemeThread | null = null;
  private waiters: Array<() => void> = [];
  constructor(readonly name: unknown) {}
  async lock(): Promise<void> {
    while (this.locked) await new Promise<void>((r) => this.waiters.push(r));
    this.locked = true;
    this.owner = currentThread.getStore() ?? primordial;
  }
  unlock(): void {
    this.locked = false;
    this.owner = null;
    this.waiters.shift()?.();
  }
  toString(): string {
    return `#<mutex: ${displayString(this.name)}>`;
  }
}

export function installThreads(global: Environment): void {
  defineAll(global, {
    'make-thread'(thunk: unknown, name?: unknown): SchemeThread {
      if (typeof thunk !== 'function') throw new SchemeArgumentError(`make-thread: expected a procedure of no arguments, got ${describe(thunk)}`);
      return new SchemeThread(thunk as Thunk, name ?? `thread${++counter}`);
    },
    'thread-start!'(t: unknown): SchemeThread {
      const th = thread(t, 'thread-start!');
      if (th.state !== 'created') throw new SchemeArgumentError(`thread-start!: ${th} was already started`);
      th.state = 'runnable';
      th.promise = currentThread.run(th, async () => {
        await new Promise<void>((r) => setImmediate(r));
        try {
          th.result = await th.thunk!();
          return th.result;
        } catch (e) {
          th.failed = true;
          th.failure = e;
          // CHICKEN warns about an exception that ends a thread; join raises it.
          process.stderr.write(`Warning (${th}): in thread: ${e instanceof Error ? e.message : displayString(e)}\n`);
          return undefined;
        } finally {
          th.state = 'terminated';
        }
      });
      return th;
    },
    async 'thread-join!'(t: unknown, timeout?: unknown, timeoutValue?: unknown): Promise<unknown> {
      const th = thread(t, 'thread-join!');
      if (th.promise === null) throw new SchemeArgumentError(`thread-join!: ${th} was not started`);
      const ms = timeoutMs(timeout, 'thread-join!');
      if (ms === null) await th.promise;
      else {
        const done = await Promise.race([th.promise.then(() => true), sleep(ms).then(() => false)]);
        if (!done) {
          if (timeoutValue !== undefined) return timeoutValue;
          throw new Error(`thread-join!: timed out waiting for ${th}`);
        }
      }
      if (th.failed) throw th.failure;
      return th.result;
    },
    'thread-sleep!'(seconds: unknown): Promise<void> {
      return sleep(toNum(seconds, 'thread-sleep!', 'TIMEOUT') * 1000);
    },
    'thread-yield!'(): Promise<void> {
      return new Promise((r) => setImmediate(r));
    },
    'current-thread'(): SchemeThread {
      return currentThread.getStore() ?? primordial;
    },
    'thread?'(x: unknown): boolean { return x instanceof SchemeThread; },
    'thread-name'(t: unknown): unknown { return thread(t, 'thread-name').name; },
    'thread-state'(t: unknown): string { return thread(t, 'thread-state').state; },
    'thread-specific'(t: unknown): unknown { return thread(t, 'thread-specific').specific; },
    'thread-specific-set!'(t: unknown, v: unknown): void { thread(t, 'thread-specific-set!').specific = v; },
    'thread-terminate!'(t: unknown): void {
      // A task cannot be stopped from outside; the thread is marked and its result dropped.
      const th = thread(t, 'thread-terminate!');
      th.state = 'terminated';
    },
    'make-mutex'(name?: unknown): Mutex { return new Mutex(name ?? false); },
    'mutex?'(x: unknown): boolean { return x instanceof Mutex; },
    'mutex-lock!'(m: unknown): Promise<void> {
      if (!(m instanceof Mutex)) throw new SchemeArgumentError(`mutex-lock!: expected a mutex, got ${describe(m)}`);
      return m.lock();
    },
    'mutex-unlock!'(m: unknown): void {
      if (!(m instanceof Mutex)) throw new SchemeArgumentError(`mutex-unlock!: expected a mutex, got ${describe(m)}`);
      m.unlock();
    },
    'mutex-name'(m: unknown): unknown { return (m as Mutex).name; },
  });
  void toStr;
}
