/**
 * Compiles the Scheme procedures the server calls on every request (resource, method and fallback
 * handlers) into JavaScript closures. LIPS evaluates each form through continuation and state
 * objects (~30 µs a request); the closures do the same work in ~1 µs. The compiler takes only the
 * forms whose meaning it knows — literals, quote, variables, if, begin, let, let*, lambda, and, or,
 * when, unless, cond, set! of a local, and calls — and leaves any procedure holding another form
 * (a macro, named let, define, parameterize …) to LIPS, so both always give the same results.
 * Global names are looked up on every use, so a redefinition at the REPL takes effect.
 */
import type { Environment } from 'lips';
import { lips } from './values.js';
import { TS_PROCEDURE } from './define.js';

type Node = (frame: Frame) => unknown;

interface Frame {
  vals: unknown[];
  parent: Frame | null;
  /**
   * `this` for the procedures called: the LIPS context the closure was called with (so a
   * `parameterize` around the call, e.g. by `with-output-to-string`, is seen), or a default one
   * when the server calls it.
   */
  ctx: object;
}

/** Where a local lives: how many frames up, which slot. */
interface Scope {
  names: string[];
  parent: Scope | null;
}

class Unsupported extends Error {}

const SPECIAL = new Set(['quote', 'if', 'begin', 'let', 'let*', 'lambda', 'and', 'or', 'when', 'unless', 'cond', 'set!']);

/** JS strings and numbers as Scheme values (LString, LNumber); anything else as it is. */
function box(x: unknown): unknown {
  const t = typeof x;
  return t === 'string' || t === 'number' || t === 'bigint' ? lips().box(x) : x;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

interface LipsLambda {
  _env?: Environment;
  _code?: unknown;
  __compiled__?: unknown;
}

const FN = Symbol.for('__fn__');

/** SCHEME_HTTP_TRACE_COMPILE=1 tells on stderr which procedures were compiled. */
const TRACE = process.env.SCHEME_HTTP_TRACE_COMPILE === '1';

const compiledCache = new WeakMap<object, ((...args: unknown[]) => unknown) | null>();

/**
 * A JS closure doing what the LIPS procedure FN does, or FN itself when it holds a form the
 * compiler does not take (or is not a LIPS lambda).
 */
export function compileProcedure<F extends (...args: unknown[]) => unknown>(fn: F): F {
  const known = compiledCache.get(fn);
  if (known !== undefined) return (known ?? fn) as F;
  // LIPS hands a lambda to a JS procedure wrapped (to unbox its results); the lambda is inside.
  let inner: unknown = fn;
  while (typeof inner === 'function' && (inner as unknown as Record<symbol, unknown>)[FN] !== undefined) {
    inner = (inner as unknown as Record<symbol, unknown>)[FN];
  }
  const lam = inner as LipsLambda;
  let out: ((...args: unknown[]) => unknown) | null = null;
  if (lam._env !== undefined && lam._code !== undefined) {
    try {
      const c = new Compiler(lam._env);
      out = c.lambda(lam._code as Pair, null)({ vals: [], parent: null, ctx: c.ctx }) as (...args: unknown[]) => unknown;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      if (TRACE) process.stderr.write(`scheme-http: ${fn.name || 'a procedure'} runs in LIPS (not compiled: ${e.message})\n`);
      out = null;
    }
    if (TRACE && out !== null) process.stderr.write(`scheme-http: ${fn.name || 'a procedure'} compiled\n`);
  }
  compiledCache.set(fn, out);
  return (out ?? fn) as F;
}

interface Pair {
  car: unknown;
  cdr: unknown;
}

class Compiler {
  private readonly L = lips();
  /** `this` of the procedures called: what LIPS's own primitives expect to find. */
  readonly ctx: object;
  constructor(private readonly env: Environment) {
    this.ctx = { env, dynamic_env: this.L.env, _raw_env: env, _raw_dyn: this.L.env, use_dynamic: false };
  }

  private isPair(x: unknown): x is Pair {
    return x instanceof this.L.Pair;
  }

  private list(x: unknown): unknown[] {
    const out: unknown[] = [];
    while (this.isPair(x)) {
      out.push(x.car);
      x = x.cdr;
    }
    if (x !== this.L.nil) throw new Unsupported('dotted form');
    return out;
  }

  private symbolName(x: unknown): string | null {
    return x instanceof this.L.LSymbol ? x.__name__ : null;
  }

  private lookup(name: string, scope: Scope | null): [number, number] | null {
    let depth = 0;
    for (let s = scope; s !== null; s = s.parent, depth++) {
      const i = s.names.lastIndexOf(name);
      if (i !== -1) return [depth, i];
    }
    return null;
  }

  /** The special form NAME stands for here, if it is one we take (and not shadowed). */
  private special(name: string, scope: Scope | null): string | null {
    if (this.lookup(name, scope) !== null) return null;
    const v = this.env.get(name, { throwError: false });
    if (v instanceof this.L.Macro) {
      if (SPECIAL.has(name) && this.L.env.__parent__.get(name, { throwError: false }) === v) return name;
      throw new Unsupported(`macro ${name}`);
    }
    return null;
  }

  compile(x: unknown, scope: Scope | null): Node {
    const name = this.symbolName(x);
    if (name !== null) return this.variable(name, scope);
    if (!this.isPair(x)) return () => x; // literals evaluate to themselves
    const head = this.symbolName(x.car);
    if (head !== null) {
      const sp = this.special(head, scope);
      if (sp !== null) return this.form(sp, this.list(x.cdr), scope);
    }
    return this.call(x, scope);
  }

  private variable(name: string, scope: Scope | null): Node {
    if (name.includes('.') && name !== '...') throw new Unsupported('JS property access');
    const at = this.lookup(name, scope);
    if (at !== null) {
      const [depth, i] = at;
      if (depth === 0) return (f) => f.vals[i];
      if (depth === 1) return (f) => f.parent!.vals[i];
      return (f) => {
        for (let d = 0; d < depth; d++) f = f.parent!;
        return f.vals[i];
      };
    }
    const v = this.env.get(name, { throwError: false });
    if (v instanceof this.L.Macro) throw new Unsupported(`macro ${name} as a value`);
    const env = this.env;
    return () => env.get(name);
  }

  private body(forms: unknown[], scope: Scope | null): Node {
    if (forms.length === 0) return () => undefined;
    const nodes = forms.map((f) => this.compile(f, scope));
    if (nodes.length === 1) return nodes[0]!;
    return (f) => {
      for (let i = 0; i < nodes.length - 1; i++) {
        const v = nodes[i]!(f);
        if (isThenable(v)) return (async () => {
          await v;
          for (let j = i + 1; j < nodes.length - 1; j++) await nodes[j]!(f);
          return nodes[nodes.length - 1]!(f);
        })();
      }
      return nodes[nodes.length - 1]!(f);
    };
  }

  private form(name: string, args: unknown[], scope: Scope | null): Node {
    switch (name) {
      case 'quote': {
        if (args.length !== 1) throw new Unsupported('quote');
        const v = args[0];
        return () => v;
      }
      case 'if': {
        if (args.length < 2 || args.length > 3) throw new Unsupported('if');
        const c = this.compile(args[0], scope);
        const t = this.compile(args[1], scope);
        const e = args.length === 3 ? this.compile(args[2], scope) : () => undefined;
        return (f) => {
          const v = c(f);
          if (isThenable(v)) return Promise.resolve(v).then((x) => (x !== false ? t(f) : e(f)));
          return v !== false ? t(f) : e(f);
        };
      }
      case 'when':
      case 'unless': {
        const c = this.compile(args[0], scope);
        const b = this.body(args.slice(1), scope);
        const want = name === 'when';
        return (f) => {
          const v = c(f);
          if (isThenable(v)) return Promise.resolve(v).then((x) => ((x !== false) === want ? b(f) : undefined));
          return (v !== false) === want ? b(f) : undefined;
        };
      }
      case 'begin':
        return this.body(args, scope);
      case 'and':
      case 'or':
        return this.logical(name === 'and', args.map((a) => this.compile(a, scope)));
      case 'cond':
        return this.cond(args, scope);
      case 'let':
        if (this.symbolName(args[0]) !== null) throw new Unsupported('named let');
        return this.let(args, scope, false);
      case 'let*':
        return this.let(args, scope, true);
      case 'lambda':
        return this.lambda({ car: args[0], cdr: this.L.Pair.from_array(args.slice(1), false) }, scope);
      case 'set!': {
        const n = this.symbolName(args[0]);
        const at = n === null ? null : this.lookup(n, scope);
        if (at === null || args.length !== 2) throw new Unsupported('set! of a global');
        const [depth, i] = at;
        const v = this.compile(args[1], scope);
        return (f) => {
          let fr = f;
          for (let d = 0; d < depth; d++) fr = fr.parent!;
          const x = v(f);
          if (isThenable(x)) return Promise.resolve(x).then((y) => { fr.vals[i] = y; return undefined; });
          fr.vals[i] = x;
          return undefined;
        };
      }
    }
    throw new Unsupported(name);
  }

  private logical(isAnd: boolean, nodes: Node[]): Node {
    if (nodes.length === 0) return () => isAnd;
    const step = (f: Frame, i: number): unknown => {
      for (; i < nodes.length; i++) {
        const v = nodes[i]!(f);
        if (isThenable(v)) {
          const k = i;
          return Promise.resolve(v).then((x) => (k === nodes.length - 1 || (isAnd ? x === false : x !== false) ? x : step(f, k + 1)));
        }
        if (i === nodes.length - 1 || (isAnd ? v === false : v !== false)) return v;
      }
      return isAnd;
    };
    return (f) => step(f, 0);
  }

  private cond(clauses: unknown[], scope: Scope | null): Node {
    const compiled = clauses.map((cl) => {
      const parts = this.list(cl);
      if (parts.length === 0) throw new Unsupported('cond');
      if (parts.length > 1 && this.symbolName(parts[1]) === '=>') throw new Unsupported('cond =>');
      const isElse = this.symbolName(parts[0]) === 'else' && this.lookup('else', scope) === null;
      return { test: isElse ? null : this.compile(parts[0], scope), body: parts.length === 1 ? null : this.body(parts.slice(1), scope) };
    });
    const step = (f: Frame, i: number): unknown => {
      for (; i < compiled.length; i++) {
        const { test, body } = compiled[i]!;
        if (test === null) return body === null ? undefined : body(f);
        const v = test(f);
        if (isThenable(v)) {
          const k = i;
          return Promise.resolve(v).then((x) => (x !== false ? (body === null ? x : body(f)) : step(f, k + 1)));
        }
        if (v !== false) return body === null ? v : body(f);
      }
      return undefined;
    };
    return (f) => step(f, 0);
  }

  private let(args: unknown[], scope: Scope | null, sequential: boolean): Node {
    const bindings = this.list(args[0]).map((b) => {
      const parts = this.list(b);
      const n = this.symbolName(parts[0]);
      if (n === null || parts.length > 2) throw new Unsupported('let binding');
      return { name: n, init: parts[1] };
    });
    const inner: Scope = { names: [], parent: scope };
    const inits: Node[] = [];
    for (const b of bindings) {
      inits.push(this.compile(b.init, sequential ? inner : scope));
      if (sequential) inner.names.push(b.name);
    }
    if (!sequential) for (const b of bindings) inner.names.push(b.name);
    const body = this.body(args.slice(1), inner);
    const n = inits.length;
    return (f) => {
      const frame: Frame = { vals: new Array(n), parent: f, ctx: f.ctx };
      for (let i = 0; i < n; i++) {
        const v = inits[i]!(sequential ? frame : f);
        if (isThenable(v)) return (async () => {
          frame.vals[i] = await v;
          for (let j = i + 1; j < n; j++) frame.vals[j] = await inits[j]!(sequential ? frame : f);
          return body(frame);
        })();
        frame.vals[i] = v;
      }
      return body(frame);
    };
  }

  /** (params . body) → a node making the closure. */
  lambda(code: Pair, scope: Scope | null): Node {
    const names: string[] = [];
    let p = code.car;
    let rest: string | null = null;
    while (this.isPair(p)) {
      const n = this.symbolName(p.car);
      if (n === null) throw new Unsupported('lambda parameter');
      names.push(n);
      p = p.cdr;
    }
    if (p !== this.L.nil) {
      rest = this.symbolName(p);
      if (rest === null) throw new Unsupported('lambda parameters');
    }
    let bodyForms = this.list(code.cdr);
    // A doc string before a body is not evaluated.
    if (bodyForms.length > 1 && bodyForms[0] instanceof this.L.LString) bodyForms = bodyForms.slice(1);
    const inner: Scope = { names: rest === null ? names : [...names, rest], parent: scope };
    const body = this.body(bodyForms, inner);
    const arity = names.length;
    const L = this.L;
    return (f) => function compiled(this: unknown, ...args: unknown[]): unknown {
      const vals = args.length === arity && rest === null ? args : args.slice(0, arity);
      while (vals.length < arity) vals.push(undefined);
      if (rest !== null) vals.push(L.Pair.from_array(args.slice(arity), false));
      // Called by LIPS, `this` carries the caller's dynamic environment; keep it for our calls.
      const ctx = this !== null && typeof this === 'object' && (this as { _raw_dyn?: unknown })._raw_dyn !== undefined ? this : f.ctx;
      // What leaves the closure is a Scheme value: LIPS code may receive it.
      const r = body({ vals, parent: f, ctx });
      return isThenable(r) ? Promise.resolve(r).then(box) : box(r);
    };
  }

  private call(x: Pair, scope: Scope | null): Node {
    const op = this.compile(x.car, scope);
    const args = this.list(x.cdr).map((a) => this.compile(a, scope));
    const L = this.L;
    const apply = (fn: unknown, vals: unknown[], ctx: object): unknown => {
      if (typeof fn === 'function') {
        // Our TypeScript procedures take and give plain JS strings and numbers; LIPS's own
        // procedures (and user lambdas) get Scheme values, as LIPS would pass them.
        if ((fn as unknown as Record<symbol, unknown>)[TS_PROCEDURE] === true) return (fn as (...a: unknown[]) => unknown).apply(ctx, vals);
        for (let i = 0; i < vals.length; i++) vals[i] = box(vals[i]);
        return box((fn as (...a: unknown[]) => unknown).apply(ctx, vals));
      }
      if (fn instanceof L.Parameter) {
        if (vals.length === 0) return fn.invoke();
        fn.__value__ = vals[0];
        return undefined;
      }
      throw new Error(`call of a non-procedure: ${String(fn)}`);
    };
    const n = args.length;
    return (f) => {
      const fn = op(f);
      if (isThenable(fn)) throw new Error('procedure position evaluated to a promise');
      const vals = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const v = args[i]!(f);
        if (isThenable(v)) return (async () => {
          vals[i] = await v;
          for (let j = i + 1; j < n; j++) vals[j] = await args[j]!(f);
          return apply(fn, vals, f.ctx);
        })();
        vals[i] = v;
      }
      return apply(fn, vals, f.ctx);
    };
  }
}
