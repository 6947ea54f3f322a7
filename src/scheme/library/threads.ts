/**
 * SRFI-18 threads for the compiled engine, with CHICKEN's behaviour (the procedures and their
 * semantics are those of the LIPS engine's `prelude/threads.ts`).
 *
 * A thread runs its thunk as its own task: `execute(thunk, true, dyn)`, started from a fresh
 * macrotask so `thread-start!` returns at once. The engine preempts a computation that never
 * waits every slice (~50 ms), so threads interleave as CHICKEN's green threads do. A waiting
 * procedure (`thread-join!`, `thread-sleep!`, `thread-yield!`, `mutex-lock!` of a locked mutex,
 * `mutex-unlock!` with a condition variable) returns a Promise, which suspends the calling
 * Scheme code wherever it is (inside `map`, a loop, deep recursion) until it settles.
 *
 * A thread starts with the dynamic state (`parameterize` bindings) and the current ports of the
 * code that made it (CHICKEN threads inherit parameters): `make-thread` captures `S.dyn` and the
 * port store of `context.ts`, so a thread made inside a server handler writes to that handler's
 * connection unless told otherwise.
 *
 * `thread-join!` returns the thunk's value, or raises an `uncaught-exception` condition whose
 * reason is what the thread raised, a `join-timeout-exception`, or a
 * `terminated-thread-exception`. These are `SchemeError`s whose one kind is that name, so
 * `condition-case` matches them by kind.
 *
 * `thread-terminate!` of another thread ends it as far as every other thread can see at once
 * (state, joiners, mutexes it owned become abandoned); the thread's own code stops at its next
 * wait or SRFI-18 call (a Termination, which Scheme handlers cannot catch, unwinds it, running
 * `dynamic-wind` after-thunks). A thread that computes without ever waiting or calling an SRFI-18
 * procedure runs on until it ends, and its result is dropped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Engine } from '../compiler/index.js';
import { execute, Interrupted, S } from '../runtime/control.js';
import { gensym, intern, numberValue } from '../runtime/data.js';
import { Raised, SchemeError, raisedObject, schemeError, typeError } from '../runtime/errors.js';
import { displayString, registerPrinter, writeString } from '../runtime/printer.js';
import { als, type PortStore } from '../context.js';
import { defineProcedures, type Proc } from './define.js';

type Thunk = () => unknown;

/** The kinds of the conditions SRFI-18 procedures raise. */
export type ThreadConditionKind = 'uncaught-exception' | 'join-timeout-exception' | 'terminated-thread-exception' | 'abandoned-mutex-exception';

/** An SRFI-18 condition: a SchemeError whose one kind is KIND (the reason of an uncaught exception in `extra`). */
export function threadCondition(kind: ThreadConditionKind, message: string, location: string | null, reason?: unknown): SchemeError {
  const e = new SchemeError([kind], message, [], location);
  if (kind === 'uncaught-exception') e.extra.set('uncaught-exception.reason', reason);
  return e;
}

function isKind(x: unknown, kind: ThreadConditionKind): x is SchemeError {
  return x instanceof SchemeError && x.hasKind(kind);
}

/**
 * Unwinds a terminated thread from its next wait or SRFI-18 call. An Interrupted, so Scheme
 * handlers (`handle-exceptions`, `condition-case`, `guard`) let it pass; `dynamic-wind`
 * after-thunks still run.
 */
export class Termination extends Interrupted {
  override name = 'Termination';
  constructor() {
    super('thread terminated');
  }
}

type State = 'created' | 'ready' | 'dead' | 'terminated';

export class SchemeThread {
  /** created → ready (started) → dead (returned) or terminated (raised, or thread-terminate!). */
  state: State = 'created';
  specific: unknown = undefined;
  result: unknown = undefined;
  /** What the thunk raised (when `failed`). */
  failure: unknown = undefined;
  failed = false;
  /** Set by thread-terminate!: joiners get a terminated-thread-exception. */
  killed = false;
  /** Mutexes this thread owns (abandoned when it ends). */
  readonly owned = new Set<Mutex>();
  /** Called once when the thread ends (joiners). */
  private readonly onEnd = new Set<() => void>();
  /** Called when the thread is terminated while waiting (its waits reject). */
  private readonly onKill = new Set<() => void>();

  constructor(
    readonly thunk: Thunk | null,
    readonly name: unknown,
    /** The dynamic state (parameterize bindings) of the code that made it. */
    readonly dyn: unknown,
    /** The current ports of the code that made it (a handler's), if any. */
    readonly ports: PortStore | undefined,
  ) {}

  get ended(): boolean {
    return this.state === 'dead' || this.state === 'terminated';
  }

  /** Calls FN when the thread ends; returns what cancels that. */
  whenEnded(fn: () => void): () => void {
    this.onEnd.add(fn);
    return () => this.onEnd.delete(fn);
  }

  /** Calls FN if the thread is terminated; returns what cancels that. */
  whenKilled(fn: () => void): () => void {
    this.onKill.add(fn);
    return () => this.onKill.delete(fn);
  }

  end(state: 'dead' | 'terminated'): void {
    if (this.ended) return;
    this.state = state;
    for (const m of [...this.owned]) m.abandon(this);
    const fns = [...this.onEnd];
    this.onEnd.clear();
    for (const fn of fns) fn();
  }

  kill(): void {
    if (this.ended) return;
    this.killed = true;
    this.end('terminated');
    const fns = [...this.onKill];
    this.onKill.clear();
    for (const fn of fns) fn();
  }

  succeed(v: unknown): void {
    if (this.ended) return;
    this.result = v;
    this.end('dead');
  }

  fail(e: unknown): void {
    if (this.ended || this.killed || e instanceof Termination) {
      this.kill();
      return;
    }
    this.failed = true;
    this.failure = raisedObject(e);
    this.end('terminated');
    // CHICKEN warns about an exception that ends a thread; thread-join! raises it again.
    process.stderr.write(`Warning (${threadText(this)}): in thread: ${errorText(e)}\n`);
  }
}

function threadText(t: SchemeThread): string {
  return `#<thread: ${displayString(t.name)}>`;
}

/** A raised object as CHICKEN's print-error-message shows it: `(LOCATION) MESSAGE: ARG …`. */
function errorText(e: unknown): string {
  if (e instanceof SchemeError) {
    const loc = e.location === null ? '' : `(${e.location}) `;
    const args = e.args.length === 0 ? '' : `: ${e.args.map((a) => writeString(a)).join(' ')}`;
    return `${loc}${e.message}${args}`;
  }
  if (e instanceof Raised) return `uncaught exception: ${writeString(e.payload)}`;
  if (e instanceof Error) return e.message;
  return writeString(e);
}

/** The thread the program's own code runs in (the main forms, and handlers not in a thread). */
let primordial: SchemeThread | null = null;
const currentThread = new AsyncLocalStorage<SchemeThread>();

/** The running thread. */
export function currentSchemeThread(): SchemeThread {
  const t = currentThread.getStore();
  if (t !== undefined) return t;
  // Made on first use: symbols exist once the engine has bound its data model.
  if (primordial === null) {
    primordial = new SchemeThread(null, intern('primordial'), null, undefined);
    primordial.state = 'ready';
  }
  return primordial;
}

/** The running thread; a thread terminated from outside stops here. */
function live(): SchemeThread {
  const me = currentSchemeThread();
  if (me.killed) throw new Termination();
  return me;
}

function thread(x: unknown, who: string): SchemeThread {
  if (x instanceof SchemeThread) return x;
  throw typeError(who, x, 'thread');
}

/** A timeout argument: milliseconds from now (it is in seconds); #f or absent means none. */
function timeoutMs(x: unknown, who: string): number | null {
  if (x === undefined || x === false) return null;
  const n = numberValue(x);
  if (n === null) throw typeError(who, x, 'number');
  return Math.max(0, n * 1000);
}

/**
 * Blocks thread ME until ARM's wake-up is called (its value), or MS pass (TIMEOUT), or ME is
 * terminated (rejects with a Termination). ARM returns what cancels the wake-up; whichever comes
 * first wins and the others are cancelled, so no timer or registration outlives the wait.
 */
function block<T>(me: SchemeThread, ms: number | null, arm: (wake: (v: T) => void) => () => void, timeout: T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let disarm: () => void = () => {};
    let unwatch: () => void = () => {};
    const settle = (f: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      disarm();
      unwatch();
      f();
    };
    unwatch = me.whenKilled(() => settle(() => reject(new Termination())));
    disarm = arm((v) => settle(() => resolve(v)));
    if (ms !== null && !done) timer = setTimeout(() => settle(() => resolve(timeout)), ms);
  });
}

/** A turn of the event loop for ME (rejects when ME was terminated meanwhile). */
function yieldTurn(me: SchemeThread): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    setImmediate(() => (me.killed ? reject(new Termination()) : resolve()));
  });
}

// ---------------------------------------------------------------------------------------------
// Mutexes and condition variables
// ---------------------------------------------------------------------------------------------

/** Got: locked for the caller; abandoned: locked for the caller, but its previous owner had ended. */
type Take = 'got' | 'abandoned';

interface LockWaiter {
  owner: SchemeThread | null;
  wake: (r: Take) => void;
}

export class Mutex {
  locked = false;
  /** The owning thread; null when unlocked or locked by no thread (`(mutex-lock! m #f #f)`). */
  owner: SchemeThread | null = null;
  specific: unknown = undefined;
  private readonly waiters: LockWaiter[] = [];
  constructor(readonly name: unknown) {}

  get abandoned(): boolean {
    return this.locked && this.owner !== null && this.owner.ended;
  }

  private take(owner: SchemeThread | null): void {
    this.locked = true;
    this.owner = owner;
    // A thread that already ended cannot own it: it is abandoned at once (as SRFI-18 says).
    if (owner !== null && !owner.ended) owner.owned.add(this);
  }

  /** Takes the mutex now if it can be: unlocked, or abandoned. Null when it must wait. */
  tryTake(owner: SchemeThread | null): Take | null {
    if (!this.locked) {
      this.take(owner);
      return 'got';
    }
    if (this.abandoned) {
      this.take(owner);
      return 'abandoned';
    }
    return null;
  }

  /** Waits (as thread ME) for the mutex for OWNER: the take, or null when MS pass first. */
  wait(me: SchemeThread, owner: SchemeThread | null, ms: number | null): Promise<Take | null> {
    return block<Take | null>(me, ms, (wake) => {
      const w: LockWaiter = { owner, wake };
      this.waiters.push(w);
      return () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
      };
    }, null);
  }

  /** Unlocks: the first waiter (if any) gets the mutex at once (first come, first served). */
  unlock(): void {
    this.owner?.owned.delete(this);
    this.locked = false;
    this.owner = null;
    this.handOff('got');
  }

  /** OWNER ended while owning it: the first waiter gets it abandoned (else it stays so). */
  abandon(owner: SchemeThread): void {
    owner.owned.delete(this);
    if (this.owner === owner) this.handOff('abandoned');
  }

  private handOff(how: Take): void {
    const w = this.waiters.shift();
    if (w === undefined) return;
    this.take(w.owner);
    w.wake(how);
  }
}

export class ConditionVariable {
  specific: unknown = undefined;
  private readonly waiters: Array<(v: boolean) => void> = [];
  constructor(readonly name: unknown) {}

  /** Waits (as thread ME) for a signal: true, or false when MS pass first. */
  wait(me: SchemeThread, ms: number | null, then: () => void): Promise<boolean> {
    return block<boolean>(me, ms, (wake) => {
      this.waiters.push(wake);
      then();
      return () => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
      };
    }, false);
  }

  signal(): void {
    this.waiters.shift()?.(true);
  }

  broadcast(): void {
    for (const w of this.waiters.splice(0)) w(true);
  }
}

registerPrinter(SchemeThread, (t) => threadText(t as SchemeThread));
registerPrinter(Mutex, (m) => `#<mutex: ${displayString((m as Mutex).name)}>`);
registerPrinter(ConditionVariable, (c) => `#<condition-variable: ${displayString((c as ConditionVariable).name)}>`);

function mutex(x: unknown, who: string): Mutex {
  if (x instanceof Mutex) return x;
  throw typeError(who, x, 'mutex');
}

function condvar(x: unknown, who: string): ConditionVariable {
  if (x instanceof ConditionVariable) return x;
  throw typeError(who, x, 'condition-variable');
}

/** The result of taking a mutex: #t, or an abandoned-mutex-exception (the caller has it now). */
function taken(t: Take, mx: Mutex): true {
  if (t === 'abandoned') throw threadCondition('abandoned-mutex-exception', `mutex-lock!: ${displayString(mx.name)} was abandoned by its owner`, 'mutex-lock!');
  return true;
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

function makeThread(thunk: unknown, name: unknown): SchemeThread {
  if (typeof thunk !== 'function') throw typeError('make-thread', thunk, 'procedure');
  return new SchemeThread(thunk as Thunk, name === undefined ? gensym('thread') : name, S.dyn, als.getStore());
}

function startThread(th: SchemeThread): SchemeThread {
  if (th.state !== 'created') throw schemeError('thread already started', [th], 'thread-start!');
  th.state = 'ready';
  const run = (): void => {
    // The caller goes on first, as after CHICKEN's thread-start!.
    setImmediate(() => {
      if (th.killed) return;
      let r: unknown;
      try {
        r = execute(th.thunk!, true, th.dyn);
      } catch (e) {
        th.fail(e);
        return;
      }
      if (r instanceof Promise) r.then((v: unknown) => th.succeed(v), (e: unknown) => th.fail(e));
      else th.succeed(r);
    });
  };
  currentThread.run(th, () => (th.ports === undefined ? run() : als.run(th.ports, run)));
  return th;
}

/** Marks a value of thread-join!'s timeout (distinct from any Scheme value). */
const TIMED_OUT: unique symbol = Symbol('timed out');

function joined(th: SchemeThread): unknown {
  if (th.killed) throw threadCondition('terminated-thread-exception', `thread-join!: ${threadText(th)} was terminated`, 'thread-join!');
  if (th.failed) {
    const reason = th.failure;
    throw threadCondition('uncaught-exception', `uncaught exception in ${threadText(th)}: ${errorText(reason instanceof Error ? reason : new Raised(reason))}`, 'thread-join!', reason);
  }
  return th.result;
}

function join(t: unknown, timeout?: unknown, timeoutValue?: unknown): unknown {
  const me = live();
  const th = thread(t, 'thread-join!');
  if (th === me) throw schemeError('a thread cannot join itself', [th], 'thread-join!');
  if (th.ended) return joined(th);
  const ms = timeoutMs(timeout, 'thread-join!');
  const timedOut = (): unknown => {
    if (timeoutValue !== undefined) return timeoutValue;
    throw threadCondition('join-timeout-exception', `thread-join!: timed out waiting for ${threadText(th)}`, 'thread-join!');
  };
  if (ms === 0) return timedOut();
  return block<typeof TIMED_OUT | null>(me, ms, (wake) => th.whenEnded(() => wake(null)), TIMED_OUT).then((r) => (r === TIMED_OUT ? timedOut() : joined(th)));
}

// ---------------------------------------------------------------------------------------------

export function installThreads(engine: Engine): void {
  const procs: Record<string, readonly [Proc, number, number]> = {
    'make-thread': [(thunk: unknown, name?: unknown) => {
      live();
      return makeThread(thunk, name);
    }, 1, 2],
    // CHICKEN: a procedure is made into a thread first.
    'thread-start!': [(t: unknown) => {
      live();
      return startThread(typeof t === 'function' ? makeThread(t, undefined) : thread(t, 'thread-start!'));
    }, 1, 1],
    'thread-join!': [join, 1, 3],
    'thread-sleep!': [(seconds: unknown) => {
      const me = live();
      const ms = timeoutMs(seconds, 'thread-sleep!') ?? 0;
      return block<undefined>(me, ms, () => () => {}, undefined);
    }, 1, 1],
    'thread-yield!': [() => yieldTurn(live()), 0, 0],
    'current-thread': [() => live(), 0, 0],
    'thread?': [(x: unknown) => x instanceof SchemeThread, 1, 1],
    'thread-name': [(t: unknown) => thread(t, 'thread-name').name, 1, 1],
    'thread-state': [(t: unknown) => {
      const th = thread(t, 'thread-state');
      return intern(th === currentSchemeThread() && th.state === 'ready' ? 'running' : th.state);
    }, 1, 1],
    'thread-specific': [(t: unknown) => thread(t, 'thread-specific').specific, 1, 1],
    'thread-specific-set!': [(t: unknown, v: unknown) => {
      thread(t, 'thread-specific-set!').specific = v;
    }, 2, 2],
    'thread-terminate!': [(t: unknown) => {
      const th = thread(t, 'thread-terminate!');
      if (th.thunk === null) process.exit(0); // the primordial thread: the program ends
      th.kill();
      if (th === currentSchemeThread()) throw new Termination();
      return undefined;
    }, 1, 1],
    'uncaught-exception?': [(x: unknown) => isKind(x, 'uncaught-exception'), 1, 1],
    'uncaught-exception-reason': [(x: unknown) => {
      if (!isKind(x, 'uncaught-exception')) throw typeError('uncaught-exception-reason', x, 'uncaught-exception condition');
      return x.extra.get('uncaught-exception.reason');
    }, 1, 1],
    'join-timeout-exception?': [(x: unknown) => isKind(x, 'join-timeout-exception'), 1, 1],
    'terminated-thread-exception?': [(x: unknown) => isKind(x, 'terminated-thread-exception'), 1, 1],
    'abandoned-mutex-exception?': [(x: unknown) => isKind(x, 'abandoned-mutex-exception'), 1, 1],

    'make-mutex': [(name?: unknown) => new Mutex(name === undefined ? gensym('mutex') : name), 0, 1],
    'mutex?': [(x: unknown) => x instanceof Mutex, 1, 1],
    'mutex-name': [(m: unknown) => mutex(m, 'mutex-name').name, 1, 1],
    'mutex-specific': [(m: unknown) => mutex(m, 'mutex-specific').specific, 1, 1],
    'mutex-specific-set!': [(m: unknown, v: unknown) => {
      mutex(m, 'mutex-specific-set!').specific = v;
    }, 2, 2],
    /** The owning thread, not-owned (locked by no thread), abandoned (owner ended) or not-abandoned (unlocked). */
    'mutex-state': [(m: unknown) => {
      const mx = mutex(m, 'mutex-state');
      if (!mx.locked) return intern('not-abandoned');
      if (mx.owner === null) return intern('not-owned');
      if (mx.owner.ended) return intern('abandoned');
      return mx.owner;
    }, 1, 1],
    /**
     * (mutex-lock! M [TIMEOUT [THREAD]]) → #t, or #f when TIMEOUT passes first; THREAD #f locks
     * it owned by no thread. A mutex whose owner ended is taken, then abandoned-mutex-exception.
     */
    'mutex-lock!': [(m: unknown, timeout?: unknown, owner?: unknown) => {
      const me = live();
      const mx = mutex(m, 'mutex-lock!');
      const ms = timeoutMs(timeout, 'mutex-lock!');
      const who = owner === undefined ? me : owner === false ? null : thread(owner, 'mutex-lock!');
      const now = mx.tryTake(who);
      if (now !== null) return taken(now, mx);
      if (ms === 0) return false;
      return mx.wait(me, who, ms).then((r) => (r === null ? false : taken(r, mx)));
    }, 1, 3],
    /** (mutex-unlock! M [CONDVAR [TIMEOUT]]): with CONDVAR, unlocks and waits for a signal: #t, or #f when TIMEOUT passes first. */
    'mutex-unlock!': [(m: unknown, cv?: unknown, timeout?: unknown) => {
      const mx = mutex(m, 'mutex-unlock!');
      if (cv === undefined || cv === false) {
        mx.unlock();
        return true;
      }
      const me = live();
      const c = condvar(cv, 'mutex-unlock!');
      const ms = timeoutMs(timeout, 'mutex-unlock!');
      // Waiting on C before M is unlocked: a signal right after the unlock is not lost.
      return c.wait(me, ms, () => mx.unlock());
    }, 1, 3],
    'make-condition-variable': [(name?: unknown) => new ConditionVariable(name === undefined ? gensym('condition-variable') : name), 0, 1],
    'condition-variable?': [(x: unknown) => x instanceof ConditionVariable, 1, 1],
    'condition-variable-name': [(c: unknown) => condvar(c, 'condition-variable-name').name, 1, 1],
    'condition-variable-specific': [(c: unknown) => condvar(c, 'condition-variable-specific').specific, 1, 1],
    'condition-variable-specific-set!': [(c: unknown, v: unknown) => {
      condvar(c, 'condition-variable-specific-set!').specific = v;
    }, 2, 2],
    'condition-variable-signal!': [(c: unknown) => {
      condvar(c, 'condition-variable-signal!').signal();
    }, 1, 1],
    'condition-variable-broadcast!': [(c: unknown) => {
      condvar(c, 'condition-variable-broadcast!').broadcast();
    }, 1, 1],
  };
  defineProcedures(engine, procs);
}
