/**
 * CHICKEN conditions as the runtime raises them: kinds (`exn` plus `type`, `bounds`, `arity`,
 * `arithmetic`, `syntax`, `runtime` …) and the `exn` properties `message`, `arguments` and
 * `location`, with CHICKEN's message texts (`(vector-ref) out of range`). A condition is a JS
 * Error, so the JS stack at the raise is kept (the CLI maps it back to Scheme lines).
 */

export class SchemeError extends Error {
  override name = 'SchemeError';
  /** Scheme line of the failing expression, when known (filled by the runtime on the way out). */
  schemeLine: number | null = null;
  schemeFile: string | null = null;
  /** Other properties by "kind.property", for conditions made by `make-property-condition`. */
  readonly extra = new Map<string, unknown>();
  constructor(
    readonly kinds: readonly string[],
    message: string,
    /** The irritants (`arguments` property). */
    readonly args: readonly unknown[] = [],
    /** The procedure that raised (`location` property), or null. */
    readonly location: string | null = null,
  ) {
    super(message);
  }
  hasKind(kind: string): boolean {
    return this.kinds.includes(kind);
  }
}

/** `(exn type)`: `(car) bad argument type: 5`. */
export function typeError(location: string, arg: unknown, what?: string): SchemeError {
  return new SchemeError(['exn', 'type'], what === undefined ? 'bad argument type' : `bad argument type - not a ${what}`, [arg], location);
}

/** `(exn bounds)`: `(vector-ref) out of range`. */
export function boundsError(location: string, ...args: unknown[]): SchemeError {
  return new SchemeError(['exn', 'bounds'], 'out of range', args, location);
}

/** `(exn arity)`: `bad argument count - received 0 but expected 1`. */
export function arityError(proc: unknown, received: number, expected: string): SchemeError {
  return new SchemeError(['exn', 'arity'], `bad argument count - received ${received} but expected ${expected}`, [proc]);
}

/** `(exn arithmetic)`: `(/) division by zero`. */
export function divisionByZero(location: string, ...args: unknown[]): SchemeError {
  return new SchemeError(['exn', 'arithmetic'], 'division by zero', args, location);
}

/** `(exn type)` for a call of something that is not a procedure (csi's kinds). */
export function notProcedure(x: unknown): SchemeError {
  return new SchemeError(['exn', 'type'], 'call of non-procedure', [x]);
}

/** `(exn runtime)`: `unbound variable: foo` (csi's kinds and properties). */
export function unbound(symbol: unknown): SchemeError {
  return new SchemeError(['exn', 'runtime'], 'unbound variable', [symbol]);
}

/** `(exn arity)` for too few arguments to a procedure with optional or rest parameters (csi's text). */
export function tooFewArguments(proc: unknown, received: number, min: number): SchemeError {
  return new SchemeError(['exn', 'arity'], `too few arguments - received ${received} but expected ${min}`, [proc]);
}

/** `(exn syntax)`: a form that cannot be compiled. */
export function syntaxError(message: string, form?: unknown, line?: number | null): SchemeError {
  const e = new SchemeError(['exn', 'syntax'], message, form === undefined ? [] : [form]);
  if (line !== undefined) e.schemeLine = line;
  return e;
}

/** A plain `(exn)` condition, as `(error LOCATION MESSAGE ARG …)` makes. */
export function schemeError(message: string, args: readonly unknown[] = [], location: string | null = null): SchemeError {
  return new SchemeError(['exn'], message, args, location);
}

/**
 * An object raised with `raise`/`signal` that is not a condition travels as this JS exception,
 * so JS `catch` and stack traces still work; `handle-exceptions` gives the object itself.
 */
export class Raised extends Error {
  override name = 'Raised';
  constructor(readonly payload: unknown, readonly continuable = false) {
    super('uncaught exception');
  }
}

/** What Scheme handlers see for a caught JS exception. */
export function raisedObject(e: unknown): unknown {
  return e instanceof Raised ? e.payload : e;
}
