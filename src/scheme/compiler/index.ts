/**
 * The compiler's front door: a datum → expanded → analysed → JavaScript → a procedure of no
 * arguments, in a global environment of cells that the compiled code reads directly.
 */
import { Expander, SPECIAL_FORMS, type ExpandEnv } from './expand.js';
import { analyze } from './analyze.js';
import { generate, Unit, procedureInfo, lineMap } from './codegen.js';
import { PRIMS } from './primitives.js';
import { Fn, type Cell, type Node } from './ast.js';
import type { Binding } from './syntax.js';
import { S, SUSP, Frame, execute, Interrupted, type Task } from '../runtime/control.js';
import { Pair, NIL, MAX_FIX, MIN_FIX, DEFAULT_OBJECT, arrayToList, intern, Keyword, makeValues, Char, MString } from '../runtime/data.js';
import * as P from '../runtime/prims.js';
import { arityError, tooFewArguments, notProcedure, unbound, SchemeError, Raised, raisedObject } from '../runtime/errors.js';

/**
 * A continuation invoked: travels as a JS exception to the `%call/cc` that made K. Invoked after
 * that has returned, it reaches the top (re-entering a continuation is not supported).
 */
export class Escape extends Error {
  override name = 'Escape';
  constructor(readonly k: unknown, readonly value: unknown) {
    super('continuation invoked outside of its extent (re-entering a continuation is not supported)');
  }
}

/** The value of an unbound global's cell. */
export const UNBOUND: unique symbol = Symbol('unbound');

/** A global cell; `v` is UNBOUND until defined. */
class GlobalCell implements Cell {
  v: unknown = UNBOUND;
  constructor(readonly name: string) {}
}

/** Everything generated code reaches through `R`. */
export interface Runtime {
  S: typeof S;
  SUSP: typeof SUSP;
  Frame: typeof Frame;
  Pair: typeof Pair;
  NIL: object;
  P: typeof P;
  MAXF: number;
  MINF: number;
  U: typeof UNBOUND;
  /** The characters 0-255, by code: what `string-ref` of a byte string gives. */
  CH: readonly Char[];
  Char: typeof Char;
  /** The class of mutable strings (the bytes in `.__string__`). */
  MS: { prototype: object };
  DEFAULT: object;
  arity(fn: unknown, received: number, expected: string): never;
  tooFew(fn: unknown, received: number, min: number): never;
  badCall(cell: Cell, f: unknown): never;
  notProc(f: unknown): never;
  unboundRef(cell: Cell): never;
  list(items: unknown[]): unknown;
  keywords(args: unknown[], names: string): unknown[];
  catchable(e: unknown): boolean;
  makeEscape(): unknown;
  escapes(e: unknown, k: unknown): boolean;
  raisedObject(e: unknown): unknown;
}

const runtime: Runtime = {
  S,
  SUSP,
  Frame,
  get Pair() {
    return Pair;
  },
  get NIL() {
    return NIL;
  },
  P,
  MAXF: MAX_FIX,
  MINF: MIN_FIX,
  U: UNBOUND,
  CH: P.BYTE_CHARS,
  Char,
  get MS() {
    return MString;
  },
  DEFAULT: DEFAULT_OBJECT,
  arity(fn, received, expected) {
    throw arityError(fn, received, expected);
  },
  tooFew(fn, received, min) {
    throw tooFewArguments(fn, received, min);
  },
  badCall(cell, f) {
    if (f === UNBOUND) throw unbound(intern(cell.name));
    throw notProcedure(f);
  },
  notProc(f) {
    throw notProcedure(f);
  },
  unboundRef(cell) {
    throw unbound(intern(cell.name));
  },
  list: (items) => arrayToList(items),
  keywords(args, names) {
    const keys = JSON.parse(names) as string[];
    const out = keys.map((): unknown => DEFAULT_OBJECT);
    for (let i = 0; i + 1 < args.length; i += 2) {
      const k = args[i];
      const at = k instanceof Keyword ? keys.indexOf(k.name) : -1;
      if (at !== -1) out[at] = args[i + 1];
    }
    return out;
  },
  catchable(e) {
    return !(e instanceof Interrupted) && !(e instanceof Escape);
  },
  makeEscape() {
    const k = function continuation(...values: unknown[]): never {
      throw new Escape(k, makeValues(values));
    } as ((...values: unknown[]) => never) & { done?: boolean; schemeParams?: string };
    // Written as csi writes one: #<procedure (continuation . results)>.
    k.schemeParams = 'results';
    return k;
  },
  escapes(e, k) {
    return e instanceof Escape && e.k === k;
  },
  raisedObject,
};

/** Where the code of each compiled unit came from: unit id → file and JS line → Scheme line. */
const units = new Map<number, { file: string | null; readonly lines: number[] }>();

/**
 * A top-level form compiled ahead of time (src/scheme/precompiled.ts): its JS factory (a
 * function of (R, K), the body `Unit.source` gives), its constants, and what compiling it
 * recorded in the compiler's tables.
 */
export interface PrecompiledUnit {
  factory: (r: Runtime, k: unknown[]) => () => unknown;
  consts: unknown[];
  /** Its procedures' descriptions (`procedureInfo`), by JS function name. */
  info: Array<[string, { name: string; params: string; min: number; max: number }]>;
  /** The primitive it defines, which later code must no longer compile inline (or null). */
  redefines: string | null;
}

/** What a recorder (scripts/build-boot.mjs) is told of each form compiled. */
export interface CompiledForm {
  file: string | null;
  source: string;
  consts: unknown[];
  info: PrecompiledUnit['info'];
  redefines: string | null;
}

let recorder: ((form: CompiledForm) => void) | null = null;

/** Tells F of every top-level form compiled from now on (null: no more). */
export function recordCompiledForms(f: ((form: CompiledForm) => void) | null): void {
  recorder = f;
}

/** Units loaded ahead of time get ids from here up, which compiled units never reach. */
const PRECOMPILED_IDS = 1_000_000_000;
let precompiledCount = 0;

/**
 * Registers a script of precompiled units (one per library file): its JS lines map to the
 * Scheme lines of FILE; returns the name to give the script (`scheme-unit-N`), which error
 * reports recognise in stack traces (`schemeFrames`).
 */
export function registerPrecompiledScript(file: string, source: string): string {
  const id = PRECOMPILED_IDS + ++precompiledCount;
  let lines: number[] | null = null;
  // Mapped when an error report needs it (a start does not). A script named through vm.Script
  // has no `new Function` header: its line 1 is the first.
  units.set(id, { file, get lines() { return (lines ??= lineMap(source).slice(2)); } });
  return `scheme-unit-${id}`;
}

/** A place in a Scheme program, from a JS stack frame of compiled code. */
export interface SchemeFrame {
  /** The procedure's name ('toplevel' for a top-level form). */
  name: string;
  file: string | null;
  line: number;
}

/**
 * The Scheme frames of error E's JS stack, innermost first: the first is where the error was
 * raised, the rest the calls that led there (those still on the JS stack).
 */
export function schemeFrames(e: unknown): SchemeFrame[] {
  const stack = e instanceof Error ? e.stack ?? '' : '';
  const out: SchemeFrame[] = [];
  const re = /at (?:(\S+) \()?scheme-unit-(\d+):(\d+):\d+\)?/g;
  for (let m = re.exec(stack); m !== null; m = re.exec(stack)) {
    const unit = units.get(Number(m[2]));
    if (unit === undefined) continue;
    const line = unit.lines[Number(m[3])] ?? 0;
    if (line === 0) continue;
    const js = (m[1] ?? '').replace(/^Object\./, '').replace(/\$r$/, '');
    const info = procedureInfo.get(js);
    out.push({ name: info === undefined ? js || '?' : info.name === '?' ? (js.includes('toplevel') ? 'toplevel' : 'lambda') : info.name, file: unit.file, line });
  }
  return out;
}

export interface CompileOptions {
  file?: string | null;
  /** The line a datum was read on (from the reader). */
  lineOf?: (x: unknown) => number | null;
}

/** A global environment with its compiler. */
export class Engine implements ExpandEnv {
  private readonly cells = new Map<string, GlobalCell>();
  readonly syntax = new Map<string, Binding>();
  /** Globals that must not be compiled inline any more (the program defined its own). */
  private readonly redefined = new Set<string>();
  readonly features = new Set(['chicken', 'scheme-http', 'srfi-0', 'srfi-1', 'srfi-2', 'srfi-6', 'srfi-8', 'srfi-9', 'srfi-13', 'srfi-18', 'srfi-23', 'srfi-28', 'srfi-30', 'srfi-39', 'srfi-62', 'srfi-69']);
  private lineFn: (x: unknown) => number | null = () => null;
  /** The generated JS of the last form compiled (SCHEME_HTTP_TRACE_JS). */
  lastSource = '';

  constructor() {
    for (const name of SPECIAL_FORMS) this.syntax.set(name, { k: 'special', name });
    // Error reports show the chain of Scheme calls from the JS stack: keep more of it.
    if (Error.stackTraceLimit < 40) Error.stackTraceLimit = 40;
  }

  cell(name: string): GlobalCell {
    let c = this.cells.get(name);
    if (c === undefined) {
      c = new GlobalCell(name);
      this.cells.set(name, c);
    }
    return c;
  }

  /** Defines global NAME as VALUE (a builtin, when INLINE is left true, may be compiled inline). */
  define(name: string, value: unknown): void {
    this.cell(name).v = value;
  }

  lookup(name: string): unknown {
    const c = this.cells.get(name);
    return c === undefined || c.v === UNBOUND ? undefined : c.v;
  }

  isBound(name: string): boolean {
    const c = this.cells.get(name);
    return c !== undefined && c.v !== UNBOUND;
  }

  names(): string[] {
    return [...this.cells.values()].filter((c) => c.v !== UNBOUND).map((c) => c.name);
  }

  inline(name: string, argc: number): boolean {
    if (this.redefined.has(name)) return false;
    if (name === 'apply') return true;
    const p = PRIMS.get(name);
    return p !== undefined && p.argc.includes(argc);
  }

  lineOf(x: unknown): number | null {
    return this.lineFn(x);
  }

  run(node: Node, line: number | null): unknown {
    void line;
    const thunk = this.compileNode(node);
    const v = execute(thunk, false);
    if (v instanceof Promise) throw new SchemeError(['exn', 'syntax'], 'a macro transformer cannot wait for I/O');
    return v;
  }

  /** Compiles top-level form X into a procedure of no arguments. */
  compile(x: unknown, options: CompileOptions = {}): () => unknown {
    if (options.lineOf !== undefined) this.lineFn = options.lineOf;
    const expander = new Expander(this);
    const fn = expander.toplevel(x);
    // A top-level (define NAME …) of a primitive's name: later code calls the program's NAME.
    const redefines = fn.body.t === 'gset' && fn.body.define && PRIMS.has(fn.body.cell.name) ? fn.body.cell.name : null;
    if (redefines !== null) this.redefined.add(redefines);
    analyze(fn);
    const unit = new Unit();
    const infoBefore = recorder === null ? 0 : procedureInfo.size;
    const top = generate(fn, unit);
    const src = unit.source(top);
    // procedureInfo's keys are unique names, added in order: the unit's are the last ones.
    if (recorder !== null) recorder({ file: options.file ?? null, source: src, consts: unit.consts, info: [...procedureInfo].slice(infoBefore), redefines });
    units.set(unit.id, { file: options.file ?? null, lines: lineMap(src) });
    this.lastSource = src;
    if (process.env.SCHEME_HTTP_TRACE_JS === '1') process.stderr.write(`${src}\n`);
    const factory = new Function('R', 'K', src) as (r: Runtime, k: unknown[]) => () => unknown;
    return factory(runtime, unit.consts);
  }

  /** Runs precompiled top-level form U as `execute(this.compile(form), false)` would. */
  runPrecompiled(u: PrecompiledUnit): unknown {
    for (const [name, info] of u.info) procedureInfo.set(name, info);
    if (u.redefines !== null) this.redefined.add(u.redefines);
    return execute(u.factory(runtime, u.consts), false);
  }

  /** Compiles an expression node (macro transformers) into a thunk. */
  private compileNode(node: Node): () => unknown {
    const fn = new Fn(0, 'transformer', { required: [], optional: [], rest: null, keys: [] }, node, null, null);
    analyze(fn);
    const unit = new Unit();
    const top = generate(fn, unit);
    const factory = new Function('R', 'K', unit.source(top)) as (r: Runtime, k: unknown[]) => () => unknown;
    return factory(runtime, unit.consts);
  }

  /** Compiles and runs X: its value, or a Promise of it. TASK lets the caller stop the run. */
  evaluate(x: unknown, options: CompileOptions = {}, task: Task | null = null): unknown {
    const thunk = this.compile(x, options);
    return execute(thunk, true, S.dyn, task);
  }
}

export { procedureInfo, Pair, Raised };
