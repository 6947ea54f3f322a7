/**
 * The core language the expander produces and the code generator consumes: every derived form
 * (let, do, case, named let, quasiquote …) is gone, variables are resolved to their binding.
 */

/** A local variable. */
export class Var {
  /** Assigned by set! somewhere. */
  assigned = false;
  /** Referenced from a lambda other than the one that binds it. */
  captured = false;
  /** The function whose JS frame holds it. */
  owner: Fn | null = null;
  /** JS name, set by the code generator. */
  js = '';
  /** Bound to a procedure that is only called (never used as a value): a known function. */
  constructor(readonly name: string, readonly id: number) {}
  /** Captured and assigned: lives in a box shared by the closures. */
  get boxed(): boolean {
    return this.assigned && this.captured;
  }
}

/** A global variable's cell. */
export interface Cell {
  v: unknown;
  readonly name: string;
}

export interface Params {
  required: Var[];
  /** #!optional parameters with their default expressions (null: #f). */
  optional: Array<{ v: Var; dflt: Node | null }>;
  rest: Var | null;
  /** #!key parameters. */
  keys: Array<{ v: Var; key: string; dflt: Node | null }>;
}

/** A lambda: one JS function. */
export class Fn {
  readonly id: number;
  /** Locals whose home is this function's JS frame (params included). */
  readonly locals: Var[] = [];
  /** Variables of enclosing functions it uses (its closure). */
  readonly free: Var[] = [];
  parent: Fn | null;
  constructor(
    id: number,
    readonly name: string,
    readonly params: Params,
    public body: Node,
    parent: Fn | null,
    readonly line: number | null,
  ) {
    this.id = id;
    this.parent = parent;
  }
}

export type Node =
  | { t: 'const'; v: unknown }
  | { t: 'lref'; v: Var }
  | { t: 'gref'; cell: Cell }
  | { t: 'lset'; v: Var; e: Node }
  | { t: 'gset'; cell: Cell; e: Node; define: boolean }
  | { t: 'if'; c: Node; a: Node; b: Node }
  | { t: 'seq'; es: Node[] }
  | { t: 'lambda'; fn: Fn }
  | { t: 'call'; f: Node; args: Node[]; line: number | null; tail: boolean }
  | { t: 'prim'; name: string; args: Node[]; line: number | null }
  /** Binds VARS (locals of the enclosing function) to INITS evaluated in order, then BODY. */
  | { t: 'let'; vars: Var[]; inits: Node[]; body: Node }
  /** A loop: VARS start as INITS; a `continue` in BODY rebinds them and goes round again. */
  | { t: 'loop'; id: number; vars: Var[]; inits: Node[]; body: Node }
  | { t: 'continue'; loop: number; vars: Var[]; args: Node[] }
  /** BODY; if it raises, HANDLER with V bound to what was raised (not to control transfers). */
  | { t: 'catch'; body: Node; v: Var; handler: Node }
  /** BODY; then CLEANUP however BODY is left (value, raise, escape), BODY's outcome kept. */
  | { t: 'finally'; body: Node; cleanup: Node }
  /** (%call/cc F): F called with an escape procedure that returns from here (while this runs). */
  | { t: 'callcc'; f: Node; line: number | null }
  /** (apply F ARGS… LIST) */
  | { t: 'apply'; f: Node; args: Node[]; line: number | null; tail: boolean };

export const UNSPECIFIED: Node = { t: 'const', v: undefined };
