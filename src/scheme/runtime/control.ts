/**
 * How compiled Scheme runs on the JS stack and leaves it.
 *
 * Compiled procedures are ordinary JS functions that call each other directly (a tail call is a
 * JS call too). Three things make a Scheme program leave the JS stack, all the same way: the
 * callee returns the sentinel `SUSP`, and every caller on the way out records its own frame
 * (resume function, position, locals) and returns `SUSP` too, so the stack is moved to the heap
 * in one pass of plain returns (no exceptions):
 *  - depth: past `limit` nested calls, so non-tail recursion is as deep as memory allows and a
 *    loop of tail calls collapses to nothing every `limit` calls (its callers save no frames);
 *  - I/O: a procedure returned a Promise (a socket read, `thread-sleep!` …);
 *  - time: a computation has run for a whole slice, so the event loop (signals, other
 *    connections, timers) gets a turn.
 * A driver (`execute`) then resumes the saved frames, innermost first, each from where it was.
 */


/** What a compiled procedure returns when its stack is being saved. */
export const SUSP: unique symbol = Symbol('suspended');

/** Resumes one saved activation: VALUE is the result of the call it was waiting on (or a raised error when THROWN). */
export type ResumeFn = (frame: Frame, value: unknown, thrown: boolean) => unknown;

/**
 * One saved activation. Its live locals are held in the frame itself (a, b, c, d; with more than
 * four, d is an array of the fourth and the rest), so a frame is one small object: a deep
 * recursion saves a million of them.
 */
export class Frame {
  constructor(
    readonly fn: ResumeFn,
    /** Where the activation resumes (a label of its state machine). */
    readonly pc: number,
    readonly a?: unknown,
    readonly b?: unknown,
    readonly c?: unknown,
    readonly d?: unknown,
  ) {}
}

/** Saved frames: a stack of segments, each a list of frames innermost first. */
interface Segment {
  frames: Frame[];
  i: number;
  next: Segment | null;
}

/** Nested calls before the stack moves to the heap: well inside Node's default JS stack. */
export const DEPTH_LIMIT = 2500;
/** The global `performance` is an accessor (~40 ns a read): read once. */
const perf = performance;

/** Calls and loop iterations between two looks at the clock. */
const FUEL = 20_000;

/** Why the stack is being saved. */
const enum Reason {
  Depth,
  Await,
  Yield,
}

/**
 * The state compiled code reads and writes on every call: one object, so the generated code
 * reaches it through one context slot.
 */
export class State {
  depth = 0;
  limit = DEPTH_LIMIT;
  fuel = FUEL;
  /** Frames saved so far by the suspension in progress, innermost first. */
  frames: Frame[] = [];
  reason: Reason = Reason.Depth;
  pending: PromiseLike<unknown> | null = null;
  /** The dynamic state (parameter bindings, handlers) of the running task. */
  dyn: unknown = null;
  /** Yields to the event loop allowed (not inside a TS procedure calling Scheme). */
  preemptible = false;
  /** When the running slice began (ms, performance.now()). */
  sliceStart = 0;
  /** Length of a time slice, ms. */
  slice = 50;

  /** Records FRAME of a caller on the way out; returns SUSP for the caller to return. */
  save(frame: Frame): typeof SUSP {
    this.frames.push(frame);
    return SUSP;
  }

  /**
   * Called when depth passed the limit or the fuel ran out at a procedure's entry (D is its
   * depth). True: the procedure must return `redo(...)` (the stack moves to the heap).
   */
  check(d: number): boolean {
    if (d > this.limit) {
      this.depth = d - 1;
      this.reason = Reason.Depth;
      return true;
    }
    return this.tick(d);
  }

  /** Fuel ran out: true when the slice is over and the computation must yield. */
  tick(d: number): boolean {
    this.fuel = FUEL;
    if (!this.preemptible) return false;
    const now = perf.now();
    if (now - this.sliceStart < this.slice) return false;
    this.depth = d - 1;
    this.reason = Reason.Yield;
    return true;
  }

  /** The stack moves to the heap from a procedure's entry: the call itself is redone on resume. */
  redo(fn: (...args: unknown[]) => unknown, args: unknown[]): typeof SUSP {
    this.frames = [new Frame(() => fn(...args), 0)];
    return SUSP;
  }

  /** A procedure's result is a Promise: the computation waits for it. */
  await(p: PromiseLike<unknown>): typeof SUSP {
    this.frames = [];
    this.pending = p;
    this.reason = Reason.Await;
    return SUSP;
  }
}

export const S = new State();

/**
 * Counts work a primitive did in proportion to its input (N units of ~256 bytes or elements
 * copied): the clock is looked at by fuel, and one call that copies a megabyte takes as long
 * as thousands of small ones.
 */
export function charge(n: number): void {
  S.fuel -= n;
}

/** Raised into a computation stopped from outside (Ctrl-C, a signal, a time limit). */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** A handle on one run of `execute`, to stop it from outside. */
export class Task {
  /** Set to stop the run at its next resumption (after a yield or a wait). */
  stop: Error | null = null;
  /** Since when the run has computed without waiting for I/O (ms, performance.now()). */
  busySince = perf.now();
  constructor(
    /** Longest the run may compute without waiting for I/O, ms (null: no limit). */
    readonly limit: number | null = null,
    /** The error a run over its limit is stopped with. */
    readonly overLimit: (ms: number) => Error = (ms) => new Interrupted(`computed for more than ${ms} ms without waiting for I/O`),
  ) {}
}

/**
 * Runs THUNK (compiled code, or a call of a compiled procedure) to its end: the value, or a
 * Promise of it when the computation waits for I/O or yields to the event loop.
 * PREEMPT: whether it may yield (the outermost runs: a program's forms, handlers, threads).
 * DYN: the dynamic state (parameter bindings) it starts with: the caller's unless given (a
 * thread starts with its creator's).
 * TASK: the run's Task, or a function making it from the run's start time (ms), called only if
 * the run suspends: most handler runs finish on the stack and need none.
 */
export function execute(thunk: () => unknown, preempt = true, dyn0: unknown = S.dyn, task: Task | ((start: number) => Task) | null = null): unknown {
  const base = S.depth;
  const dyn = S.dyn;
  S.dyn = dyn0;
  const outer = S.preemptible;
  S.preemptible = preempt;
  const start = preempt || typeof task === 'function' ? perf.now() : 0;
  if (preempt) S.sliceStart = start;
  try {
    const v = thunk();
    if (v !== SUSP) return v;
    return drive(take(null), undefined, false, base, preempt, typeof task === 'function' ? task(start) : task);
  } finally {
    S.depth = base;
    S.preemptible = outer;
    S.dyn = dyn;
  }
}

/** The frames saved by the suspension that just happened, on top of K. */
function take(k: Segment | null): Segment | null {
  const frames = S.frames;
  S.frames = [];
  return frames.length === 0 ? k : { frames, i: 0, next: k };
}

/**
 * Resumes the saved frames of K with VALUE (or THROWN), until they are all done (the value or
 * a throw) or they suspend again for I/O or a yield (a Promise of the rest).
 */
function drive(k: Segment | null, value: unknown, thrown: boolean, base: number, preempt: boolean, task: Task | null): unknown {
  for (;;) {
    if (S.reason === Reason.Await && S.pending !== null) {
      const p = S.pending;
      S.pending = null;
      S.reason = Reason.Depth;
      return later(k, base, preempt, p, task);
    }
    if (S.reason === Reason.Yield) {
      S.reason = Reason.Depth;
      // Over its time limit: stopped here, its frames dropped (the caller is told by the throw).
      if (task !== null && task.limit !== null && perf.now() - task.busySince > task.limit) throw task.overLimit(task.limit);
      if (preempt) return later(k, base, preempt, new Promise((r) => setImmediate(r)), task, true);
    }
    S.depth = base;
    let v: unknown;
    if (k === null) {
      if (thrown) throw value;
      return value;
    }
    const seg = k;
    const frame = seg.frames[seg.i++]!;
    if (seg.i >= seg.frames.length) k = seg.next;
    try {
      v = frame.fn(frame, value, thrown);
    } catch (e) {
      value = e;
      thrown = true;
      continue;
    }
    thrown = false;
    if (v === SUSP) {
      k = take(k);
      value = undefined;
      continue;
    }
    value = v;
  }
}

/**
 * Finishes, without yielding, a call that returned SUSP to a TypeScript caller at depth BASE
 * (its frames are saved): the call's value, or a Promise of it when it waits for I/O.
 */
export function completeSuspended(base: number): unknown {
  return drive(take(null), undefined, false, base, false, null);
}

/** Waits for P, then drives K on with its value (or its rejection thrown into K). */
function later(k: Segment | null, base: number, preempt: boolean, p: PromiseLike<unknown>, task: Task | null, yielded = false): Promise<unknown> {
  // The dynamic state at the suspension: the task's own (parameterize inside it included).
  const dyn = S.dyn;
  const resume = (value: unknown, thrown: boolean): unknown => {
    const outer = S.preemptible;
    const outerDyn = S.dyn;
    S.dyn = dyn;
    S.preemptible = preempt;
    if (preempt) S.sliceStart = perf.now();
    try {
      const stop = task?.stop ?? null;
      if (stop !== null) {
        // Stopped from outside: the saved frames are dropped (handlers in them do not run).
        throw stop;
      }
      return drive(k, value, thrown, base, preempt, task);
    } finally {
      S.depth = base;
      S.preemptible = outer;
      S.dyn = outerDyn;
    }
  };
  // Waiting for I/O (not for a yield) restarts the clock of a time limit.
  const waited = (): void => {
    if (task !== null && !yielded) task.busySince = perf.now();
  };
  return Promise.resolve(p).then(
    (v) => (waited(), resume(v, false)),
    (e: unknown) => (waited(), resume(e, true)),
  );
}

/**
 * Calls a Scheme procedure from TypeScript and waits for it: its value, or a Promise when it
 * waits for I/O. Never yields to the event loop on its own (the TS caller's frame cannot be
 * saved), so long computations inside it are not preempted.
 */
export function callScheme(f: (...args: unknown[]) => unknown, ...args: unknown[]): unknown {
  return execute(() => f(...args), false);
}
