/**
 * SRFI-18 threads over async tasks, with CHICKEN's behaviour: a thread runs its thunk as its own
 * task, so a program can run a server in a thread and a client beside it, as with CHICKEN's green
 * threads. A thread starts with the current ports of the code that made it (CHICKEN threads
 * inherit them). `thread-join!` returns the thunk's value, or raises an `uncaught-exception`
 * condition whose reason is what the thread raised, or a `join-timeout-exception`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { als, type PortStore } from '../context.js';
import { toNum, displayString, describe, sym, SchemeArgumentError } from '../values.js';
import { inheritedPorts } from './current-ports.js';

type Thunk = () => unknown;

/** The conditions SRFI-18 procedures raise; `condition-case` sees KIND as their one kind. */
export class ThreadCondition extends Error {
  constructor(
    readonly kind: 'uncaught-exception' | 'join-timeout-exception' | 'terminated-thread-exception' | 'abandoned-mutex-exception',
    message: string,
    readonly reason: unknown = undefined,
  ) {
    super(message);
  }
}

/** Raised inside a thread by `(thread-terminate! (current-thread))` to end it. */
class Termination {
  toString(): string {
    return '#<thread termination>';
  }
}

export class SchemeThread {
  /** created → ready (started) → dead (returned) or terminated (raised, or thread-terminate!). */
  state: 'created' | 'ready' | 'dead' | 'terminated' = 'created';
  specific: unknown = undefined;
  failure: unknown = undefined;
  failed = false;
  /** Set by thread-terminate!: joiners get a terminated-thread-exception. */
  killed = false;
  result: unknown = undefined;
  /** Resolves once the thread has ended, however it ended. */
  readonly finished: Promise<void>;
  private finish!: () => void;
  constructor(readonly thunk: Thunk | null, readonly name: unknown, readonly ports: PortStore | undefined) {
    this.finished = new Promise<void>((r) => { this.finish = r; });
  }
  end(state: 'dead' | 'terminated'): void {
    if (this.state !== 'dead' && this.state !== 'terminated') this.state = state;
    this.finish();
  }
  kill(): void {
    if (this.state === 'dead' || this.state === 'terminated') return;
    this.killed = true;
    this.end('terminated');
  }
  toString(): string {
    return `#<thread: ${displayString(this.name)}>`;
  }
}

const primordial = new SchemeThread(null, 'primordial', undefined);
primordial.state = 'ready';
const currentThread = new AsyncLocalStorage<SchemeThread>();
let counter = 0;

function self(): SchemeThread {
  return currentThread.getStore() ?? primordial;
}

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

/** Resolves true when P settles first, false when MS pass first; the timer never outlives the race. */
async function within(p: Promise<unknown>, ms: number | null): Promise<boolean> {
  if (ms === null) {
    await p;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then(() => true), new Promise<boolean>((r) => { timer = setTimeout(() => r(false), Math.max(0, ms)); })]);
  } finally {
    clearTimeout(timer);
  }
}

class Mutex {
  locked = false;
  owner: SchemeThread | null = null;
  specific: unknown = undefined;
  private waiters: Array<() => void> = [];
  constructor(readonly name: unknown) {}
  /** Takes the mutex for OWNER (null: locked but not owned); false when MS pass first. */
  async lock(ms: number | null, owner: SchemeThread | null): Promise<boolean> {
    const deadline = ms === null ? null : Date.now() + ms;
    while (this.locked) {
      let wake!: () => void;
      const turn = new Promise<void>((r) => { wake = r; this.waiters.push(r); });
      const got = await within(turn, deadline === null ? null : deadline - Date.now());
      if (!got) {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        return false;
      }
    }
    this.locked = true;
    this.owner = owner;
    return true;
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

class ConditionVariable {
  specific: unknown = undefined;
  private waiters: Array<() => void> = [];
  constructor(readonly name: unknown) {}
  wait(): { signalled: Promise<void>; cancel(): void } {
    let wake!: () => void;
    const signalled = new Promise<void>((r) => { wake = r; });
    this.waiters.push(wake);
    return { signalled, cancel: () => { const i = this.waiters.indexOf(wake); if (i >= 0) this.waiters.splice(i, 1); } };
  }
  signal(): void {
    this.waiters.shift()?.();
  }
  broadcast(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  toString(): string {
    return `#<condition-variable: ${displayString(this.name)}>`;
  }
}

function mutex(x: unknown, who: string): Mutex {
  if (x instanceof Mutex) return x;
  throw new SchemeArgumentError(`${who}: expected a mutex, got ${describe(x)}`);
}

function condvar(x: unknown, who: string): ConditionVariable {
  if (x instanceof ConditionVariable) return x;
  throw new SchemeArgumentError(`${who}: expected a condition variable, got ${describe(x)}`);
}

function isKind(x: unknown, kind: ThreadCondition['kind']): boolean {
  return x instanceof ThreadCondition && x.kind === kind;
}

export function installThreads(global: Environment): void {
  defineAll(global, {
    'make-thread'(this: CallContext, thunk: unknown, name?: unknown): SchemeThread {
      if (typeof thunk !== 'function') throw new SchemeArgumentError(`make-thread: expected a procedure of no arguments, got ${describe(thunk)}`);
      return new SchemeThread(thunk as Thunk, name ?? sym(`thread${++counter}`), inheritedPorts(this));
    },
    'thread-start!'(t: unknown): SchemeThread {
      const th = thread(t, 'thread-start!');
      if (th.state !== 'created') throw new SchemeArgumentError(`thread-start!: ${th} was already started`);
      th.state = 'ready';
      const body = async (): Promise<void> => {
        // The caller goes on first, as after CHICKEN's thread-start!.
        await new Promise<void>((r) => setImmediate(r));
        if (th.killed) return;
        try {
          th.result = await th.thunk!();
          th.end('dead');
        } catch (e) {
          if (th.killed || e instanceof Termination) {
            th.kill();
            return;
          }
          th.failed = true;
          th.failure = e;
          th.end('terminated');
          // CHICKEN warns about an exception that ends a thread; thread-join! raises it again.
          process.stderr.write(`Warning (${th}): in thread: ${e instanceof Error ? e.message : displayString(e)}\n`);
        }
      };
      void currentThread.run(th, () => (th.ports === undefined ? body() : als.run(th.ports, body)));
      return th;
    },
    async 'thread-join!'(t: unknown, timeout?: unknown, timeoutValue?: unknown): Promise<unknown> {
      const th = thread(t, 'thread-join!');
      if (th === self()) throw new SchemeArgumentError(`thread-join!: ${th} cannot join itself`);
      const ms = timeoutMs(timeout, 'thread-join!');
      const done = await within(th.finished, ms);
      if (!done) {
        if (timeoutValue !== undefined) return timeoutValue;
        throw new ThreadCondition('join-timeout-exception', `thread-join!: timed out waiting for ${th}`);
      }
      if (th.killed) throw new ThreadCondition('terminated-thread-exception', `thread-join!: ${th} was terminated`);
      if (th.failed) {
        const reason = th.failure;
        throw new ThreadCondition('uncaught-exception', `uncaught exception in ${th}: ${reason instanceof Error ? reason.message : displayString(reason)}`, reason);
      }
      return th.result;
    },
    'thread-sleep!'(seconds: unknown): Promise<void> {
      return sleep(toNum(seconds, 'thread-sleep!', 'TIMEOUT') * 1000);
    },
    'thread-yield!'(): Promise<void> {
      return new Promise((r) => setImmediate(r));
    },
    'current-thread'(): SchemeThread {
      return self();
    },
    'thread?'(x: unknown): boolean { return x instanceof SchemeThread; },
    'thread-name'(t: unknown): unknown { return thread(t, 'thread-name').name; },
    'thread-state'(t: unknown): unknown {
      const th = thread(t, 'thread-state');
      return sym(th === self() && th.state === 'ready' ? 'running' : th.state);
    },
    'thread-specific'(t: unknown): unknown { return thread(t, 'thread-specific').specific; },
    'thread-specific-set!'(t: unknown, v: unknown): void { thread(t, 'thread-specific-set!').specific = v; },
    /**
     * A task cannot be stopped from outside: the thread is marked terminated, its joiners get a
     * terminated-thread-exception and its result is dropped. A thread terminating itself stops.
     */
    'thread-terminate!'(t: unknown): void {
      const th = thread(t, 'thread-terminate!');
      if (th === primordial) process.exit(0);
      th.kill();
      if (th === self()) throw new Termination();
    },
    'uncaught-exception?'(x: unknown): boolean { return isKind(x, 'uncaught-exception'); },
    'uncaught-exception-reason'(x: unknown): unknown {
      if (!isKind(x, 'uncaught-exception')) throw new SchemeArgumentError(`uncaught-exception-reason: expected an uncaught-exception condition, got ${describe(x)}`);
      return (x as ThreadCondition).reason;
    },
    'join-timeout-exception?'(x: unknown): boolean { return isKind(x, 'join-timeout-exception'); },
    'terminated-thread-exception?'(x: unknown): boolean { return isKind(x, 'terminated-thread-exception'); },
    'abandoned-mutex-exception?'(x: unknown): boolean { return isKind(x, 'abandoned-mutex-exception'); },

    'make-mutex'(name?: unknown): Mutex { return new Mutex(name ?? sym(`mutex${++counter}`)); },
    'mutex?'(x: unknown): boolean { return x instanceof Mutex; },
    'mutex-name'(m: unknown): unknown { return mutex(m, 'mutex-name').name; },
    'mutex-specific'(m: unknown): unknown { return mutex(m, 'mutex-specific').specific; },
    'mutex-specific-set!'(m: unknown, v: unknown): void { mutex(m, 'mutex-specific-set!').specific = v; },
    /** The owning thread, not-owned (locked by no thread), abandoned (owner ended) or not-abandoned (unlocked). */
    'mutex-state'(m: unknown): unknown {
      const mx = mutex(m, 'mutex-state');
      if (!mx.locked) return sym('not-abandoned');
      if (mx.owner === null) return sym('not-owned');
      if (mx.owner.state === 'dead' || mx.owner.state === 'terminated') return sym('abandoned');
      return mx.owner;
    },
    /** (mutex-lock! M [TIMEOUT [THREAD]]) → #t, or #f when TIMEOUT passes first. */
    async 'mutex-lock!'(m: unknown, timeout?: unknown, owner?: unknown): Promise<boolean> {
      const mx = mutex(m, 'mutex-lock!');
      const who = owner === undefined ? self() : owner === false ? null : thread(owner, 'mutex-lock!');
      return mx.lock(timeoutMs(timeout, 'mutex-lock!'), who);
    },
    /** (mutex-unlock! M [CONDVAR [TIMEOUT]]): with CONDVAR, waits for a signal; #f when TIMEOUT passes first. */
    async 'mutex-unlock!'(m: unknown, cv?: unknown, timeout?: unknown): Promise<boolean> {
      const mx = mutex(m, 'mutex-unlock!');
      if (cv === undefined || cv === false) {
        mx.unlock();
        return true;
      }
      const waiting = condvar(cv, 'mutex-unlock!').wait();
      mx.unlock();
      const signalled = await within(waiting.signalled, timeoutMs(timeout, 'mutex-unlock!'));
      if (!signalled) waiting.cancel();
      return signalled;
    },
    'make-condition-variable'(name?: unknown): ConditionVariable { return new ConditionVariable(name ?? sym(`condition-variable${++counter}`)); },
    'condition-variable?'(x: unknown): boolean { return x instanceof ConditionVariable; },
    'condition-variable-name'(c: unknown): unknown { return condvar(c, 'condition-variable-name').name; },
    'condition-variable-specific'(c: unknown): unknown { return condvar(c, 'condition-variable-specific').specific; },
    'condition-variable-specific-set!'(c: unknown, v: unknown): void { condvar(c, 'condition-variable-specific-set!').specific = v; },
    'condition-variable-signal!'(c: unknown): void { condvar(c, 'condition-variable-signal!').signal(); },
    'condition-variable-broadcast!'(c: unknown): void { condvar(c, 'condition-variable-broadcast!').broadcast(); },
  });
}
