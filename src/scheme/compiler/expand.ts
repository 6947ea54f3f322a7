/**
 * The expander: a datum (as read) → the core language of ast.ts. It knows the special forms,
 * runs macros (`syntax-rules`, `define-macro`, CHICKEN's derived forms written here in
 * TypeScript), resolves every identifier, turns bodies with internal definitions into
 * `letrec*`, and a named `let` or `do` whose name is only tail-called into a loop.
 */
import { Fn, Var, UNSPECIFIED, type Cell, type Node, type Params } from './ast.js';
import { Alias, Scope, identifierName, isIdentifier, stripSyntax, hasAlias, type Binding, type Transformer } from './syntax.js';
import { syntaxRules } from './syntax-rules.js';
import fs from 'node:fs';
import path from 'node:path';
import { Pair, NIL, isPair, listToArray, intern, gensym, Keyword, Marker, isSymbol, stringValue, type PairT } from '../runtime/data.js';
import { syntaxError, SchemeError } from '../runtime/errors.js';
import { readAll } from './reader.js';

/** What the expander needs from the runtime. */
export interface ExpandEnv {
  /** The cell of global NAME (made unbound if new). */
  cell(name: string): Cell;
  /** Global special forms and macros by name. */
  readonly syntax: Map<string, Binding>;
  /** Whether a call of global NAME may be compiled inline (a primitive of that arity not redefined). */
  inline(name: string, argc: number): boolean;
  /** Compiles and runs NODE now (for define-macro transformers); its value. */
  run(node: Node, line: number | null): unknown;
  /** The line a datum was read on. */
  lineOf(x: unknown): number | null;
  /** Features for cond-expand. */
  readonly features: ReadonlySet<string>;
}

/**
 * cond-expand features beside the engine's own (compiler/index.ts): SRFIs the library provides
 * and CHICKEN 3's units, which are all loaded here.
 */
const FEATURES: ReadonlySet<string> = new Set([
  'srfi-4', 'srfi-11', 'srfi-12', 'srfi-14', 'srfi-16', 'srfi-34', 'srfi-46', 'srfi-55', 'srfi-87', 'srfi-88',
  'library', 'eval', 'extras', 'data-structures', 'ports', 'utils', 'posix', 'regex', 'tcp', 'irregex', 'srfi-1', 'srfi-13', 'srfi-18', 'srfi-69',
]);

/**
 * An identifier the derived forms introduce: an alias of the global NAME, so a user's local
 * variable called `list` or `if` does not capture it.
 */
const sym = (name: string): unknown => new Alias(intern(name), null);

function list(...items: unknown[]): unknown {
  let out: unknown = NIL;
  for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
  return out;
}

function listStar(items: unknown[], tail: unknown): unknown {
  let out = tail;
  for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
  return out;
}

/** The elements of proper list X, or a syntax error naming WHAT. */
function items(x: unknown, what: string, form: unknown): unknown[] {
  const a = listToArray(x);
  if (a === null) throw syntaxError(`${what}: not a proper list`, form);
  return a;
}

const seq = (es: Node[]): Node => (es.length === 0 ? UNSPECIFIED : es.length === 1 ? es[0]! : { t: 'seq', es });
const konst = (v: unknown): Node => ({ t: 'const', v });

export class Expander {
  private varCount = 0;
  private fnCount = 0;
  private loopCount = 0;
  /** The function being expanded (locals made now belong to it until analysis says otherwise). */
  private fn: Fn | null = null;
  /** The line of the innermost form being expanded, for messages. */
  private line: number | null = null;

  constructor(private readonly env: ExpandEnv) {}

  /** A top-level form as a procedure of no arguments. */
  toplevel(x: unknown): Fn {
    const fn = new Fn(++this.fnCount, 'toplevel', { required: [], optional: [], rest: null, keys: [] }, UNSPECIFIED, null, this.env.lineOf(x));
    const outer = this.fn;
    this.fn = fn;
    try {
      fn.body = this.top(x);
    } finally {
      this.fn = outer;
    }
    return fn;
  }

  /** A form at top level: definitions there are global; `begin` splices. */
  private top(x: unknown): Node {
    const line = this.env.lineOf(x);
    if (line !== null) this.line = line;
    if (isPair(x) && isIdentifier(x.car)) {
      const b = this.resolve(x.car, null);
      if (b !== null && b.k === 'special') {
        switch (b.name) {
          case 'begin':
            return seq(items(x.cdr, 'begin', x).map((f) => this.top(f)));
          case 'define':
          case 'define-constant':
          case 'define-inline':
            return this.globalDefine(x);
          case 'include':
            return this.top(this.include(x));
          case 'define-syntax':
            this.defineSyntax(x, null);
            return UNSPECIFIED;
          case 'define-macro':
            this.defineMacro(x, null);
            return UNSPECIFIED;
          case 'define-values':
            return this.top(this.defineValues(x));
          case 'define-record-type':
            return this.top(this.defineRecordType(x));
          case 'define-record':
            return this.top(this.defineRecord(x));
          case 'define-record-printer':
            return this.top(this.defineRecordPrinter(x));
        }
      }
      if (b !== null && b.k === 'macro') return this.top(b.transform(x, null));
    }
    return this.expr(x, null);
  }

  private globalDefine(x: unknown): Node {
    const [target, value] = this.definition(x);
    const name = identifierName(target);
    // A global defined by the program is no longer the macro or primitive of that name.
    this.env.syntax.delete(name);
    return { t: 'gset', cell: this.env.cell(name), e: value === null ? UNSPECIFIED : this.expr(value, null, name), define: true };
  }

  /** (define NAME [VALUE]) or (define (NAME . FORMALS) BODY…), curried forms too → [NAME, VALUE datum]. */
  private definition(x: unknown): [unknown, unknown] {
    const parts = items(x, 'define', x);
    let target = parts[1];
    if (parts.length < 2) throw syntaxError('define: expected (define NAME VALUE) or (define (NAME ARG …) BODY …)', x);
    let value: unknown = parts.length > 2 ? parts[2] : null;
    if (isPair(target)) {
      // (define ((f a) b) …) is (define (f a) (lambda (b) …)).
      let body = listStar([], x instanceof Pair && isPair(x.cdr) ? x.cdr.cdr : NIL);
      while (isPair(target)) {
        value = new Pair(sym('lambda'), new Pair(target.cdr, body));
        body = list(value);
        target = target.car;
      }
      value = (body as PairT).car;
    } else if (parts.length > 3) {
      throw syntaxError(`define: too many forms after ${identifierName(target)}`, x);
    }
    if (!isIdentifier(target)) throw syntaxError('define: the name must be an identifier', x);
    return [target, value];
  }

  // -------------------------------------------------------------------------------------------
  // Identifiers
  // -------------------------------------------------------------------------------------------

  /** What identifier ID means in SCOPE: a local binding, a special form or macro, or null (a global variable). */
  private resolve(id: unknown, scope: Scope | null): Binding | null {
    for (let s = scope; s !== null; s = s.parent) {
      const b = s.map.get(id);
      if (b !== undefined) return b;
    }
    if (id instanceof Alias) return this.resolve(id.sym, id.scope);
    return this.env.syntax.get(identifierName(id)) ?? null;
  }

  private newVar(id: unknown): Var {
    return new Var(identifierName(id), ++this.varCount);
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  /** NAME: the name a lambda here gets (for `define`d procedures). */
  expr(x: unknown, scope: Scope | null, name?: string): Node {
    if (isIdentifier(x)) return this.reference(x, scope);
    if (!isPair(x)) {
      if (x === NIL) throw syntaxError('illegal empty application ()', x, this.line);
      if (isSymbol(x)) return this.reference(x, scope);
      return konst(x);
    }
    const line = this.env.lineOf(x);
    const outerLine = this.line;
    if (line !== null) this.line = line;
    try {
      if (isIdentifier(x.car)) {
        const b = this.resolve(x.car, scope);
        if (b !== null) {
          if (b.k === 'special') return this.special(b.name, x, scope, name);
          if (b.k === 'macro') return this.expr(b.transform(x, scope), scope, name);
        }
      }
      return this.call(x, scope);
    } finally {
      this.line = outerLine;
    }
  }

  private reference(id: unknown, scope: Scope | null): Node {
    const b = this.resolve(id, scope);
    if (b === null) return { t: 'gref', cell: this.env.cell(identifierName(id)) };
    if (b.k === 'local') return { t: 'lref', v: b.v };
    throw syntaxError(`syntax used as a variable: ${identifierName(id)}`, stripSyntax(id), this.line);
  }

  private call(x: PairT, scope: Scope | null): Node {
    const args = items(x.cdr, 'call', x).map((a) => this.expr(a, scope));
    if (isIdentifier(x.car) && this.resolve(x.car, scope) === null) {
      const name = identifierName(x.car);
      if (name === 'apply' && args.length >= 2 && this.env.inline('apply', args.length)) {
        return { t: 'apply', f: args[0]!, args: args.slice(1), line: this.line, tail: false };
      }
      if (this.env.inline(name, args.length)) {
        const a = args[0];
        if (name === 'char->integer' && a?.t === 'prim' && a.name === 'string-ref') return { t: 'prim', name: '%string-byte', args: a.args, line: this.line };
        return { t: 'prim', name, args, line: this.line };
      }
    }
    return { t: 'call', f: this.expr(x.car, scope), args, line: this.line, tail: false };
  }

  /** Expands the special form NAME. */
  private special(name: string, x: PairT, scope: Scope | null, defName?: string): Node {
    const parts = items(x, name, x);
    const arg = (i: number): unknown => {
      if (i >= parts.length) throw syntaxError(`${name}: missing parts in the form`, stripSyntax(x), this.line);
      return parts[i];
    };
    switch (name) {
      case 'quote':
        if (parts.length !== 2) throw syntaxError('quote: expected (quote DATUM)', stripSyntax(x), this.line);
        return konst(hasAlias(parts[1]) ? stripSyntax(parts[1]) : parts[1]);
      case 'quasiquote':
        return this.expr(this.quasi(arg(1), 1), scope);
      case 'if':
        if (parts.length < 3 || parts.length > 4) throw syntaxError('if: expected (if TEST THEN [ELSE])', stripSyntax(x), this.line);
        return { t: 'if', c: this.expr(parts[1], scope), a: this.expr(parts[2], scope), b: parts.length === 4 ? this.expr(parts[3], scope) : UNSPECIFIED };
      case 'begin':
        return seq(parts.slice(1).map((f) => this.expr(f, scope)));
      case 'lambda':
        return this.lambda(arg(1), x.cdr instanceof Pair ? (x.cdr as PairT).cdr : NIL, scope, defName ?? '', x);
      case 'named-lambda': {
        const head = arg(1);
        if (!isPair(head)) throw syntaxError('named-lambda: expected (named-lambda (NAME . FORMALS) BODY …)', stripSyntax(x), this.line);
        return this.lambda(head.cdr, (x.cdr as PairT).cdr, scope, identifierName(head.car), x);
      }
      case 'define':
        throw syntaxError('define: not allowed here (only at top level or at the start of a body)', stripSyntax(x), this.line);
      case 'set!': {
        if (parts.length !== 3 || !isIdentifier(parts[1])) throw syntaxError('set!: expected (set! NAME VALUE)', stripSyntax(x), this.line);
        const b = this.resolve(parts[1], scope);
        const e = this.expr(parts[2], scope);
        if (b === null) return { t: 'gset', cell: this.env.cell(identifierName(parts[1])), e, define: false };
        if (b.k === 'local') {
          b.v.assigned = true;
          return { t: 'lset', v: b.v, e };
        }
        throw syntaxError(`set!: ${identifierName(parts[1])} is syntax, not a variable`, stripSyntax(x), this.line);
      }
      case 'let':
        return this.let(x, parts, scope);
      case 'let*':
        return this.letStar(parts, scope, x);
      case 'letrec':
      case 'letrec*':
        return this.letrec(parts, scope, x);
      case 'and': {
        if (parts.length === 1) return konst(true);
        const es = parts.slice(1).map((p) => this.expr(p, scope));
        let out = es[es.length - 1]!;
        for (let i = es.length - 2; i >= 0; i--) out = { t: 'if', c: es[i]!, a: out, b: konst(false) };
        return out;
      }
      case 'or': {
        if (parts.length === 1) return konst(false);
        const es = parts.slice(1).map((p) => this.expr(p, scope));
        let out = es[es.length - 1]!;
        for (let i = es.length - 2; i >= 0; i--) {
          const t = new Var('or', ++this.varCount);
          out = { t: 'let', vars: [t], inits: [es[i]!], body: { t: 'if', c: { t: 'lref', v: t }, a: { t: 'lref', v: t }, b: out } };
        }
        return out;
      }
      case 'when':
      case 'unless': {
        const c = this.expr(arg(1), scope);
        const body = seq(parts.slice(2).map((p) => this.expr(p, scope)));
        return name === 'when' ? { t: 'if', c, a: body, b: UNSPECIFIED } : { t: 'if', c, a: UNSPECIFIED, b: body };
      }
      case 'cond':
        return this.expr(this.cond(parts.slice(1), x), scope);
      case 'case':
        return this.expr(this.caseForm(parts, x), scope);
      case 'do':
        return this.expr(this.doForm(parts, x), scope);
      case 'delay':
        return this.expr(list(sym('%make-promise'), list(sym('lambda'), NIL, arg(1)), false), scope);
      case 'delay-force':
        return this.expr(list(sym('%make-promise'), list(sym('lambda'), NIL, arg(1)), true), scope);
      case 'make-promise':
        return this.call(x, scope);
      case 'define-syntax':
      case 'define-macro':
      case 'define-values':
      case 'define-record-type':
      case 'define-record':
        throw syntaxError(`${name}: not allowed here (only at top level or at the start of a body)`, stripSyntax(x), this.line);
      case 'let-syntax':
      case 'letrec-syntax': {
        const inner = new Scope(scope);
        for (const b of items(arg(1), name, x)) {
          const [id, spec] = items(b, name, x);
          inner.bind(id, { k: 'macro', name: identifierName(id), transform: this.transformer(spec, identifierName(id), name === 'letrec-syntax' ? inner : scope) });
        }
        return this.body(parts.slice(2), inner, x);
      }
      case 'handle-exceptions': {
        // (handle-exceptions VAR HANDLER BODY …): while BODY runs, a raise is caught here, not
        // by a with-exception-handler handler outside (the dynamic state says so: %dyn-catching).
        const saved = gensym('dyn');
        const body = list(
          sym('let'),
          list(list(saved, list(sym('%dyn')))),
          list(sym('%dyn-set!'), list(sym('%dyn-catching'), saved)),
          list(sym('%finally'), listStar([sym('let'), NIL], listStar(parts.slice(3), NIL)), list(sym('%dyn-set!'), saved)),
        );
        return this.rawCatch(arg(1), arg(2), body, scope);
      }
      case '%catch':
        // (%catch VAR HANDLER BODY): the bare catch, for the library's with-exception-handler.
        return this.rawCatch(arg(1), arg(2), arg(3), scope);
      case 'condition-case':
        return this.conditionCase(parts, scope, x);
      case 'guard':
        return this.guard(parts, scope, x);
      case 'dynamic-wind-body':
        throw syntaxError('internal form', stripSyntax(x), this.line);
      case '%finally':
        return { t: 'finally', body: this.expr(arg(1), scope), cleanup: this.expr(arg(2), scope) };
      case '%call/cc':
        return { t: 'callcc', f: this.expr(arg(1), scope), line: this.line };
      case 'parameterize':
        return this.parameterize(parts, scope, x);
      case 'fluid-let':
        return this.fluidLet(parts, scope, x);
      case 'receive': {
        // (receive EXPR): its values as a list (CHICKEN).
        if (parts.length === 2) return this.expr(list(sym('%values->list'), arg(1)), scope);
        // (receive FORMALS EXPR BODY …)
        const lam = new Pair(sym('lambda'), new Pair(arg(1), listStar(parts.slice(3), NIL)));
        return { t: 'apply', f: this.expr(lam, scope), args: [this.expr(list(sym('%values->list'), arg(2)), scope)], line: this.line, tail: false };
      }
      case 'let-values':
      case 'let*-values':
        return this.letValues(parts, scope, x, name === 'let*-values');
      case 'case-lambda': {
        const clauses = parts.slice(1).map((c) => {
          const cl = items(c, 'case-lambda', x);
          return new Pair(sym('lambda'), new Pair(cl[0], listStar(cl.slice(1), NIL)));
        });
        return this.expr(listStar([sym('%case-lambda')], list(...clauses)), scope);
      }
      case 'assert': {
        // As csi: `assertion failed: (= 1 2)`, or the message and arguments given.
        const expr = arg(1);
        const raise = parts.length > 2 ? listStar([sym('error')], list(...parts.slice(2))) : list(sym('error'), 'assertion failed', list(sym('quote'), stripSyntax(expr)));
        // Its value is the expression's, as csi's.
        const t = gensym('assert');
        return this.expr(list(sym('let'), list(list(t, expr)), list(sym('if'), t, t, raise)), scope);
      }
      case 'cond-expand':
        return this.expr(this.condExpand(parts, x), scope);
      case 'require-extension':
      case 'use':
      case 'require-library':
      case 'import':
        return this.expr(list(sym('%require-extensions'), list(sym('quote'), stripSyntax(x.cdr)), name === 'import'), scope);
      case 'declare':
      case 'module-declare':
        return UNSPECIFIED;
      case 'the':
        return this.expr(arg(2), scope);
      case 'define-constant':
      case 'define-inline':
        throw syntaxError(`${name}: not allowed here`, stripSyntax(x), this.line);
      case 'define-record-printer':
        return this.expr(this.defineRecordPrinter(x), scope);
      case 'let-optionals':
      case 'let-optionals*':
        return this.expr(this.letOptionals(parts, x), scope);
      case 'optional':
      case ':optional': {
        const rest = arg(1);
        const dflt = parts.length > 2 ? parts[2] : false;
        const t = gensym('opt');
        return this.expr(list(sym('let'), list(list(t, rest)), list(sym('if'), list(sym('null?'), t), dflt, list(sym('car'), t))), scope);
      }
      case 'time':
        return this.expr(list(sym('%time'), listStar([sym('lambda'), NIL], listStar(parts.slice(1), NIL))), scope);
      case 'unquote':
      case 'unquote-splicing':
        throw syntaxError(`${name} outside of quasiquote`, stripSyntax(x), this.line);
      case 'else':
      case '=>':
      case '...':
      case '_':
        throw syntaxError(`${name} used outside of its form`, stripSyntax(x), this.line);
      case 'syntax-rules':
        throw syntaxError('syntax-rules outside of define-syntax', stripSyntax(x), this.line);
      case 'include':
        return this.expr(this.include(x), scope);
    }
    throw syntaxError(`unknown special form ${name}`, stripSyntax(x), this.line);
  }

  // -------------------------------------------------------------------------------------------
  // Lambda, bodies, definitions
  // -------------------------------------------------------------------------------------------

  private lambda(formals: unknown, body: unknown, scope: Scope | null, name: string, form: unknown): Node {
    const inner = new Scope(scope);
    const params: Params = { required: [], optional: [], rest: null, keys: [] };
    let mode: 'req' | 'opt' | 'rest' | 'key' = 'req';
    let p = formals;
    const bindParam = (id: unknown): Var => {
      if (!isIdentifier(id)) throw syntaxError('lambda: a parameter must be an identifier', stripSyntax(form), this.line);
      const v = this.newVar(id);
      inner.bind(id, { k: 'local', v });
      return v;
    };
    const pendingDefaults: Array<{ slot: { dflt: Node | null }; expr: unknown }> = [];
    while (isPair(p)) {
      const x = p.car;
      if (x === Marker.optional) mode = 'opt';
      else if (x === Marker.rest) mode = 'rest';
      else if (x === Marker.key) mode = 'key';
      else if (mode === 'req') params.required.push(bindParam(x));
      else if (mode === 'rest') {
        if (params.rest !== null) throw syntaxError('lambda: more than one #!rest parameter', stripSyntax(form), this.line);
        params.rest = bindParam(x);
      } else {
        // #!optional / #!key: NAME or (NAME DEFAULT)
        const [id, dflt] = isPair(x) ? items(x, 'lambda', form) : [x, undefined];
        const slot = mode === 'opt' ? { v: bindParam(id), dflt: null as Node | null } : { v: bindParam(id), key: identifierName(id), dflt: null as Node | null };
        if (dflt !== undefined) pendingDefaults.push({ slot, expr: dflt });
        if (mode === 'opt') params.optional.push(slot);
        else params.keys.push(slot as { v: Var; key: string; dflt: Node | null });
      }
      p = p.cdr;
    }
    if (p !== NIL) params.rest = bindParam(p);
    const fn = new Fn(++this.fnCount, name, params, UNSPECIFIED, this.fn, this.env.lineOf(form) ?? this.line);
    const outer = this.fn;
    this.fn = fn;
    try {
      // Defaults see the parameters before them (CHICKEN's #!optional).
      for (const d of pendingDefaults) d.slot.dflt = this.expr(d.expr, inner);
      fn.body = this.body(items(body, 'lambda body', form), inner, form);
    } finally {
      this.fn = outer;
    }
    return { t: 'lambda', fn };
  }

  /**
   * A body: internal definitions (also from macros and `begin`) first, then expressions; the
   * definitions are a letrec* over the whole body.
   */
  private body(forms: unknown[], scope: Scope | null, form: unknown): Node {
    if (forms.length === 0) throw syntaxError('empty body', stripSyntax(form), this.line);
    const inner = new Scope(scope);
    const vars: Var[] = [];
    type Item = { def: Var; value: unknown; name: string } | { expr: unknown };
    const out: Item[] = [];
    const queue = [...forms];
    while (queue.length > 0) {
      let x = queue.shift();
      // Expand macros at the head until the form is a definition, a begin, or an expression.
      for (;;) {
        if (!isPair(x) || !isIdentifier(x.car)) break;
        const b = this.resolve(x.car, inner);
        if (b === null || b.k === 'local') break;
        if (b.k === 'macro') {
          x = b.transform(x, inner);
          continue;
        }
        break;
      }
      const head = isPair(x) && isIdentifier(x.car) ? this.resolve(x.car, inner) : null;
      const special = head !== null && head.k === 'special' ? head.name : null;
      if (special === 'begin') {
        queue.unshift(...items((x as PairT).cdr, 'begin', x));
        continue;
      }
      if (special === 'define' || special === 'define-constant' || special === 'define-inline') {
        const [target, value] = this.definition(x);
        const v = this.newVar(target);
        // Set after closures may have captured it (letrec*): it lives in a box when captured.
        v.assigned = true;
        inner.bind(target, { k: 'local', v });
        vars.push(v);
        out.push({ def: v, value, name: identifierName(target) });
        continue;
      }
      if (special === 'define-values') {
        queue.unshift(this.defineValues(x));
        continue;
      }
      if (special === 'define-record-type') {
        queue.unshift(this.defineRecordType(x));
        continue;
      }
      if (special === 'define-record') {
        queue.unshift(this.defineRecord(x));
        continue;
      }
      if (special === 'include') {
        queue.unshift(this.include(x));
        continue;
      }
      if (special === 'define-syntax') {
        this.defineSyntax(x, inner);
        continue;
      }
      if (special === 'define-macro') {
        this.defineMacro(x, inner);
        continue;
      }
      out.push({ expr: x });
    }
    const nodes = out.map((it) => ('def' in it ? ({ t: 'lset', v: it.def, e: it.value === null ? UNSPECIFIED : this.expr(it.value, inner, it.name) } as Node) : this.expr(it.expr, inner)));
    if (vars.length === 0) return seq(nodes);
    if (out.every((it) => 'def' in it)) nodes.push(UNSPECIFIED);
    return { t: 'let', vars, inits: vars.map(() => UNSPECIFIED), body: seq(nodes) };
  }

  private let(x: PairT, parts: unknown[], scope: Scope | null): Node {
    if (parts.length < 3 && !(parts.length >= 2 && isIdentifier(parts[1]))) throw syntaxError('let: expected (let ((NAME VALUE) …) BODY …)', stripSyntax(x), this.line);
    if (isIdentifier(parts[1])) return this.namedLet(parts, scope, x);
    const bindings = items(parts[1], 'let bindings', x).map((b) => this.binding(b, x));
    const inits = bindings.map(([, init]) => this.expr(init, scope));
    const inner = new Scope(scope);
    const vars = bindings.map(([id]) => {
      const v = this.newVar(id);
      inner.bind(id, { k: 'local', v });
      return v;
    });
    const body = this.body(parts.slice(2), inner, x);
    return vars.length === 0 ? body : { t: 'let', vars, inits, body };
  }

  /** (NAME VALUE) or (NAME) or NAME in a binding list. */
  private binding(b: unknown, form: unknown): [unknown, unknown] {
    if (isIdentifier(b)) return [b, undefined];
    const parts = items(b, 'binding', form);
    if (parts.length < 1 || parts.length > 2 || !isIdentifier(parts[0])) throw syntaxError('bad binding: expected (NAME VALUE)', stripSyntax(form), this.line);
    return [parts[0], parts.length === 2 ? parts[1] : undefined];
  }

  private letStar(parts: unknown[], scope: Scope | null, x: unknown): Node {
    const bindings = items(parts[1], 'let* bindings', x);
    if (bindings.length <= 1) return this.let(new Pair(sym('let'), (x as PairT).cdr), [sym('let'), ...parts.slice(1)], scope);
    const inner = list(sym('let*'), listStar(bindings.slice(1), NIL), ...parts.slice(2));
    return this.expr(list(sym('let'), list(bindings[0]), inner), scope);
  }

  private letrec(parts: unknown[], scope: Scope | null, x: unknown): Node {
    const bindings = items(parts[1], 'letrec bindings', x).map((b) => this.binding(b, x));
    const inner = new Scope(scope);
    const vars = bindings.map(([id]) => {
      const v = this.newVar(id);
      inner.bind(id, { k: 'local', v });
      return v;
    });
    const sets: Node[] = bindings.map(([id, init], i) => ({ t: 'lset', v: vars[i]!, e: init === undefined ? UNSPECIFIED : this.expr(init, inner, identifierName(id)) }));
    const body = this.body(parts.slice(2), inner, x);
    // (letrec ((f (lambda …))) (f …)) with f only tail-called is a loop.
    if (vars.length === 1) {
      const loop = this.asLoop(vars[0]!, sets[0]!, body);
      if (loop !== null) return loop;
    }
    // Set after closures may have captured them: they live in boxes when captured.
    for (const v of vars) v.assigned = true;
    return { t: 'let', vars, inits: vars.map(() => UNSPECIFIED), body: seq([...sets, body]) };
  }

  /** (let NAME ((VAR INIT) …) BODY …) */
  private namedLet(parts: unknown[], scope: Scope | null, x: unknown): Node {
    const name = parts[1];
    const bindings = items(parts[2], 'named let bindings', x).map((b) => this.binding(b, x));
    const inits = bindings.map(([, init]) => (init === undefined ? UNSPECIFIED : this.expr(init, scope)));
    const lam = list(sym('lambda'), list(...bindings.map(([id]) => id)), ...parts.slice(3));
    const inner = new Scope(scope);
    const v = this.newVar(name);
    inner.bind(name, { k: 'local', v });
    const set: Node = { t: 'lset', v, e: this.expr(lam, inner, identifierName(name)) };
    const call: Node = { t: 'call', f: { t: 'lref', v }, args: inits, line: this.line, tail: false };
    const loop = this.asLoop(v, set, call);
    if (loop !== null) return loop;
    v.assigned = true;
    return { t: 'let', vars: [v], inits: [UNSPECIFIED], body: { t: 'seq', es: [set, call] } };
  }

  /**
   * SET binds V to a lambda and BODY is a call of V: when V is used nowhere but in calls in
   * tail position of that lambda's own body (and in BODY), the whole is a loop in the
   * enclosing function, without closure or call.
   */
  private asLoop(v: Var, set: Node, body: Node): Node | null {
    if (set.t !== 'lset' || set.e.t !== 'lambda' || v.assigned) return null;
    const fn = set.e.fn;
    const p = fn.params;
    if (p.optional.length > 0 || p.rest !== null || p.keys.length > 0) return null;
    if (body.t !== 'call' || body.f.t !== 'lref' || body.f.v !== v || body.args.length !== p.required.length) return null;
    if (body.args.some((a) => uses(a, v))) return null;
    if (!onlyTailCalls(fn.body, v, p.required.length, true)) return null;
    const id = ++this.loopCount;
    const vars = p.required;
    const loopBody = toContinues(fn.body, v, id, vars);
    // The lambda's nested functions now hang directly off the enclosing function.
    reparent(loopBody, fn, fn.parent);
    return { t: 'loop', id, vars, inits: body.args, body: loopBody };
  }

  // -------------------------------------------------------------------------------------------
  // Macros
  // -------------------------------------------------------------------------------------------

  private transformer(spec: unknown, name: string, scope: Scope | null): Transformer {
    if (isPair(spec) && isIdentifier(spec.car)) {
      const head = identifierName(spec.car);
      if (head === 'syntax-rules') return syntaxRules(spec, name, scope);
      if (head === 'er-macro-transformer' || head === 'ir-macro-transformer' || head === 'rsc-macro-transformer' || head === 'sc-macro-transformer') {
        const proc = this.env.run(this.expr(stripSyntax((spec.cdr as PairT).car), null), this.line) as (...a: unknown[]) => unknown;
        const rename = (s: unknown): unknown => new Alias(s, scope);
        const compare = (a: unknown, b: unknown): boolean => isIdentifier(a) && isIdentifier(b) && identifierName(a) === identifierName(b);
        if (head === 'er-macro-transformer') return (form) => proc(form, rename, compare);
        if (head === 'rsc-macro-transformer' || head === 'sc-macro-transformer') return (form) => proc(stripSyntax(form), null);
        // ir: the form's own identifiers are injected back; everything else in the result is renamed.
        return (form) => proc(stripSyntax(form), (s: unknown) => s, compare);
      }
    }
    // (define-syntax NAME (lambda (form) …)): a plain procedure transformer, CHICKEN 3 style.
    const proc = this.env.run(this.expr(stripSyntax(spec), null), this.line);
    if (typeof proc !== 'function') throw syntaxError(`define-syntax ${name}: the transformer is not syntax-rules or a procedure`, stripSyntax(spec), this.line);
    return (form) => (proc as (f: unknown) => unknown)(stripSyntax(form));
  }

  private defineSyntax(x: unknown, scope: Scope | null): void {
    const parts = items(x, 'define-syntax', x);
    let [, id, spec] = parts;
    if (isPair(id)) {
      // (define-syntax (NAME FORM) BODY…): CHICKEN's shorthand for a procedure transformer.
      spec = new Pair(sym('lambda'), new Pair(list(id.cdr instanceof Pair ? id.cdr.car : sym('form')), listStar(parts.slice(2), NIL)));
      id = id.car;
    }
    if (!isIdentifier(id) || parts.length < 3) throw syntaxError('define-syntax: expected (define-syntax NAME (syntax-rules …))', stripSyntax(x), this.line);
    const name = identifierName(id);
    const b: Binding = { k: 'macro', name, transform: this.transformer(spec, name, scope) };
    if (scope === null) this.env.syntax.set(name, b);
    else scope.bind(id, b);
  }

  /** CHICKEN's (define-macro (NAME . ARGS) BODY …) / (define-macro NAME TRANSFORMER). */
  private defineMacro(x: unknown, scope: Scope | null): void {
    const parts = items(x, 'define-macro', x);
    let id = parts[1];
    let proc: unknown;
    if (isPair(id)) {
      proc = this.env.run(this.expr(stripSyntax(new Pair(sym('lambda'), new Pair(id.cdr, listStar(parts.slice(2), NIL)))), null), this.line);
      id = id.car;
    } else {
      proc = this.env.run(this.expr(stripSyntax(parts[2]), null), this.line);
    }
    if (!isIdentifier(id) || typeof proc !== 'function') throw syntaxError('define-macro: expected (define-macro (NAME . ARGS) BODY …)', stripSyntax(x), this.line);
    const name = identifierName(id);
    const f = proc as (...a: unknown[]) => unknown;
    const b: Binding = {
      k: 'macro',
      name,
      transform: (form) => {
        const args = listToArray((stripSyntax(form) as PairT).cdr);
        if (args === null) throw syntaxError(`${name}: the macro's form is not a proper list`, stripSyntax(form), this.line);
        return f(...args);
      },
    };
    if (scope === null) this.env.syntax.set(name, b);
    else scope.bind(id, b);
  }

  // -------------------------------------------------------------------------------------------
  // Derived forms (as data, expanded again)
  // -------------------------------------------------------------------------------------------

  private quasi(x: unknown, depth: number): unknown {
    if (isPair(x)) {
      const head = isIdentifier(x.car) ? identifierName(x.car) : null;
      if (head === 'unquote') {
        const arg = (x.cdr as PairT).car;
        if (depth === 1) return arg;
        return list(sym('list'), list(sym('quote'), sym('unquote')), this.quasi(arg, depth - 1));
      }
      if (head === 'quasiquote') {
        return list(sym('list'), list(sym('quote'), sym('quasiquote')), this.quasi((x.cdr as PairT).car, depth + 1));
      }
      if (isPair(x.car) && isIdentifier(x.car.car) && identifierName(x.car.car) === 'unquote-splicing') {
        const arg = (x.car.cdr as PairT).car;
        const rest = this.quasi(x.cdr, depth);
        if (depth === 1) return x.cdr === NIL ? arg : list(sym('%append2'), arg, rest);
        return list(sym('cons'), list(sym('list'), list(sym('quote'), sym('unquote-splicing')), this.quasi(arg, depth - 1)), rest);
      }
      return list(sym('cons'), this.quasi(x.car, depth), this.quasi(x.cdr, depth));
    }
    if (Array.isArray(x)) return list(sym('list->vector'), this.quasi(listStar(x, NIL), depth));
    if (isIdentifier(x) || x === NIL) return list(sym('quote'), x);
    return x;
  }

  private cond(clauses: unknown[], form: unknown): unknown {
    if (clauses.length === 0) return list(sym('void'));
    const [first, ...rest] = clauses;
    const cl = items(first, 'cond clause', form);
    if (cl.length === 0) throw syntaxError('cond: empty clause', stripSyntax(form), this.line);
    if (isIdentifier(cl[0]) && identifierName(cl[0]) === 'else' && this.resolve(cl[0], null)?.k !== 'local') {
      if (cl.length >= 3 && isIdentifier(cl[1]) && identifierName(cl[1]) === '=>') {
        return list(cl[2], true);
      }
      return listStar([sym('begin')], listStar(cl.slice(1), NIL));
    }
    const more = this.cond(rest, form);
    if (cl.length === 1) {
      const t = gensym('c');
      return list(sym('let'), list(list(t, cl[0])), list(sym('if'), t, t, more));
    }
    if (isIdentifier(cl[1]) && identifierName(cl[1]) === '=>') {
      const t = gensym('c');
      return list(sym('let'), list(list(t, cl[0])), list(sym('if'), t, list(cl[2], t), more));
    }
    return list(sym('if'), cl[0], listStar([sym('begin')], listStar(cl.slice(1), NIL)), more);
  }

  private caseForm(parts: unknown[], form: unknown): unknown {
    const key = gensym('key');
    const clauses = parts.slice(2).map((c) => {
      const cl = items(c, 'case clause', form);
      const body = cl.length >= 3 && isIdentifier(cl[1]) && identifierName(cl[1]) === '=>' ? list(list(cl[2], key)) : listStar(cl.slice(1), NIL);
      if (isIdentifier(cl[0]) && identifierName(cl[0]) === 'else') return new Pair(sym('else'), body);
      const data = items(cl[0], 'case data', form);
      const test = data.length === 1 ? list(sym('eqv?'), key, list(sym('quote'), data[0])) : listStar([sym('or')], list(...data.map((d) => list(sym('eqv?'), key, list(sym('quote'), d)))));
      return new Pair(test, body);
    });
    return list(sym('let'), list(list(key, parts[1])), listStar([sym('cond')], list(...clauses)));
  }

  private doForm(parts: unknown[], form: unknown): unknown {
    // (do ((VAR INIT [STEP]) …) (TEST EXPR …) BODY …)
    const specs = items(parts[1], 'do bindings', form).map((b) => items(b, 'do binding', form));
    const exit = items(parts[2], 'do exit clause', form);
    const loop = gensym('do-loop');
    const step = list(loop, ...specs.map((s) => (s.length > 2 ? s[2] : s[0])));
    const result = exit.length > 1 ? listStar([sym('begin')], listStar(exit.slice(1), NIL)) : list(sym('void'));
    return list(sym('let'), loop, list(...specs.map((s) => list(s[0], s[1]))), list(sym('if'), exit[0], result, listStar([sym('begin')], listStar(parts.slice(3), list(step)))));
  }

  private letValues(parts: unknown[], scope: Scope | null, x: unknown, sequential: boolean): Node {
    const bindings = items(parts[1], 'let-values bindings', x);
    const body = parts.slice(2);
    if (bindings.length === 0) return this.expr(listStar([sym('let'), NIL], listStar(body, NIL)), scope);
    if (sequential || bindings.length === 1) {
      const [formals, init] = items(bindings[0], 'let-values binding', x);
      const rest = bindings.length === 1 ? listStar([sym('let'), NIL], listStar(body, NIL)) : listStar([sym(sequential ? 'let*-values' : 'let-values'), listStar(bindings.slice(1), NIL)], listStar(body, NIL));
      return this.expr(list(sym('receive'), formals, init, rest), scope);
    }
    // let-values: every init sees the outer scope; bind temporaries first, then the names.
    const temps: Array<[unknown, unknown]> = [];
    const renamed = bindings.map((b) => {
      const [formals, init] = items(b, 'let-values binding', x);
      const rename = (f: unknown): unknown => {
        if (isPair(f)) return new Pair(rename(f.car), rename(f.cdr));
        if (isIdentifier(f)) {
          const t = gensym('lv');
          temps.push([f, t]);
          return t;
        }
        return f;
      };
      return list(rename(formals), init);
    });
    const inner = listStar([sym('let'), list(...temps.map(([f, t]) => list(f, t)))], listStar(body, NIL));
    return this.expr(list(sym('let*-values'), list(...renamed), inner), scope);
  }

  private defineValues(x: unknown): unknown {
    const [, formals, expr] = items(x, 'define-values', x);
    const names: unknown[] = [];
    const temps: unknown[] = [];
    const rename = (f: unknown): unknown => {
      if (isPair(f)) return new Pair(rename(f.car), rename(f.cdr));
      if (isIdentifier(f)) {
        const t = gensym('dv');
        names.push(f);
        temps.push(t);
        return t;
      }
      return f;
    };
    const tformals = rename(formals);
    return listStar(
      [sym('begin')],
      listStar(
        names.map((n) => list(sym('define'), n, false)),
        list(list(sym('receive'), tformals, expr, ...names.map((n, i) => list(sym('set!'), n, temps[i])), list(sym('void')))),
      ),
    );
  }

  /** SRFI-9 (define-record-type NAME (CTOR FIELD …) PRED (FIELD ACCESSOR [MODIFIER]) …). */
  private defineRecordType(x: unknown): unknown {
    const parts = items(x, 'define-record-type', x);
    const [, typeName, ctor, pred, ...fieldSpecs] = parts;
    const tname = isPair(typeName) ? typeName.car : typeName;
    const fields = fieldSpecs.map((f) => items(f, 'record field', x));
    const fieldNames = fields.map((f) => f[0]);
    const q = (d: unknown): unknown => list(sym('quote'), stripSyntax(d));
    const defs: unknown[] = [list(sym('define'), tname, list(sym('%make-record-type'), q(tname), q(list(...fieldNames))))];
    if (isPair(ctor)) {
      const cparts = items(ctor, 'record constructor', x);
      defs.push(list(sym('define'), cparts[0], list(sym('%record-constructor'), tname, q(list(...cparts.slice(1))), q(cparts[0]))));
    } else if (isIdentifier(ctor)) {
      defs.push(list(sym('define'), ctor, list(sym('%record-constructor'), tname, q(list(...fieldNames)), q(ctor))));
    }
    defs.push(list(sym('define'), pred, list(sym('%record-predicate'), tname)));
    for (const f of fields) {
      if (f.length > 1) defs.push(list(sym('define'), f[1], list(sym('%record-accessor'), tname, q(f[0]))));
      if (f.length > 2) defs.push(list(sym('define'), f[2], list(sym('%record-modifier'), tname, q(f[0]))));
    }
    return listStar([sym('begin')], list(...defs));
  }

  /** CHICKEN's (define-record NAME FIELD …): make-NAME, NAME?, NAME-FIELD, NAME-FIELD-set!. */
  private defineRecord(x: unknown): unknown {
    const parts = items(x, 'define-record', x);
    const name = identifierName(parts[1]);
    const fields = parts.slice(2).map((f) => identifierName(isPair(f) ? f.car : f));
    const s = (n: string): unknown => intern(n);
    const q = (d: unknown): unknown => list(sym('quote'), d);
    const t = s(`%record-type:${name}`);
    const defs: unknown[] = [
      list(sym('define'), t, list(sym('%make-record-type'), q(s(name)), q(list(...fields.map(s))))),
      list(sym('define'), s(`make-${name}`), list(sym('%record-constructor'), t, q(list(...fields.map(s))), q(s(`make-${name}`)))),
      list(sym('define'), s(`${name}?`), list(sym('%record-predicate'), t)),
    ];
    for (const f of fields) {
      // csi's define-record accessors name no location in their errors (#f).
      defs.push(list(sym('define'), s(`${name}-${f}`), list(sym('%record-accessor'), t, q(s(f)), false)));
      defs.push(list(sym('define'), s(`${name}-${f}-set!`), list(sym('%record-modifier'), t, q(s(f)))));
    }
    return listStar([sym('begin')], list(...defs));
  }

  /** CHICKEN's (define-record-printer (NAME RECORD PORT) BODY …) or (define-record-printer NAME PROCEDURE). */
  private defineRecordPrinter(x: unknown): unknown {
    const parts = items(x, 'define-record-printer', x);
    const head = parts[1];
    const q = (d: unknown): unknown => list(sym('quote'), stripSyntax(d));
    if (isPair(head)) {
      const [name, ...formals] = items(head, 'define-record-printer', x);
      if (formals.length !== 2 || parts.length < 3) throw syntaxError('define-record-printer: expected (define-record-printer (NAME RECORD PORT) BODY …)', stripSyntax(x), this.line);
      return list(sym('%set-record-printer!'), q(name), listStar([sym('lambda'), list(...formals)], listStar(parts.slice(2), NIL)));
    }
    if (parts.length !== 3 || !isIdentifier(head)) throw syntaxError('define-record-printer: expected (define-record-printer NAME PROCEDURE)', stripSyntax(x), this.line);
    return list(sym('%set-record-printer!'), q(head), parts[2]);
  }

  /**
   * (include "FILE"): the file's forms, as a `begin`. FILE is looked for as given and with ".scm"
   * added, relative to the current directory (CHICKEN 3); an include inside an included file is
   * relative to that file first (CHICKEN 5).
   */
  private include(x: unknown): unknown {
    const parts = items(x, 'include', x);
    const name = parts.length === 2 ? stringValue(parts[1]) : null;
    if (name === null) throw syntaxError('include: expected (include "FILE")', stripSyntax(x), this.line);
    const file = findInclude(name, process.cwd());
    if (file === null) throw new SchemeError(['exn', 'i/o', 'file'], 'cannot open file', [name], 'include');
    const forms = readAll(fs.readFileSync(file, 'latin1')).map((d) => d.value);
    for (const f of forms) anchorIncludes(f, path.dirname(file));
    return listStar([sym('begin')], listStar(forms, NIL));
  }

  /** A catch node: BODY; if it raises, HANDLER with ID bound to what was raised. */
  private rawCatch(id: unknown, handler: unknown, body: unknown, scope: Scope | null): Node {
    if (!isIdentifier(id)) throw syntaxError('handle-exceptions: the variable must be an identifier', stripSyntax(id), this.line);
    const v = this.newVar(id);
    const inner = new Scope(scope);
    inner.bind(id, { k: 'local', v });
    return { t: 'catch', body: this.expr(body, scope), v, handler: this.expr(handler, inner) };
  }

  private conditionCase(parts: unknown[], scope: Scope | null, x: unknown): Node {
    // (condition-case EXPR CLAUSE …), CLAUSE = ((KIND …) BODY …) | (VAR (KIND …) BODY …)
    const e = gensym('exn');
    const clauses = parts.slice(2).map((c) => {
      const cl = items(c, 'condition-case clause', x);
      if (isIdentifier(cl[0])) {
        return list(list(sym('%condition-matches?'), e, list(sym('quote'), stripSyntax(cl[1]))), listStar([sym('let'), list(list(cl[0], e))], listStar(cl.slice(2), NIL)));
      }
      return listStar([list(sym('%condition-matches?'), e, list(sym('quote'), stripSyntax(cl[0])))], listStar(cl.length > 1 ? cl.slice(1) : [list(sym('void'))], NIL));
    });
    const handler = listStar([sym('cond')], listStar(clauses, list(list(sym('else'), list(sym('%reraise'), e)))));
    return this.expr(list(sym('handle-exceptions'), e, handler, parts[1]), scope);
  }

  private guard(parts: unknown[], scope: Scope | null, x: unknown): Node {
    // (guard (VAR CLAUSE …) BODY …): cond clauses; none matching raises again.
    const spec = items(parts[1], 'guard', x);
    const e = spec[0];
    const clauses = spec.slice(1);
    const hasElse = clauses.some((c) => isPair(c) && isIdentifier(c.car) && identifierName(c.car) === 'else');
    const all = hasElse ? clauses : [...clauses, list(sym('else'), list(sym('%reraise'), e))];
    return this.expr(listStar([sym('handle-exceptions'), e, listStar([sym('cond')], list(...all))], listStar(parts.slice(2), NIL)), scope);
  }

  private parameterize(parts: unknown[], scope: Scope | null, x: unknown): Node {
    const bindings = items(parts[1], 'parameterize bindings', x).map((b) => items(b, 'parameterize binding', x));
    const saved = gensym('dyn');
    const form = list(
      sym('let'),
      list(list(saved, list(sym('%dyn')))),
      list(sym('%dyn-set!'), list(sym('%dyn-bind'), saved, listStar([sym('list')], list(...bindings.map((b) => b[0]))), listStar([sym('list')], list(...bindings.map((b) => b[1]))))),
      list(sym('%finally'), listStar([sym('let'), NIL], listStar(parts.slice(2), NIL)), list(sym('%dyn-set!'), saved)),
    );
    return this.expr(form, scope);
  }

  private fluidLet(parts: unknown[], scope: Scope | null, x: unknown): Node {
    const bindings = items(parts[1], 'fluid-let bindings', x).map((b) => items(b, 'fluid-let binding', x));
    const temps = bindings.map(() => gensym('fl'));
    const swap = listStar([sym('begin')], list(...bindings.map((b, i) => {
      const t = gensym('sw');
      return list(sym('let'), list(list(t, b[0])), list(sym('set!'), b[0], temps[i]), list(sym('set!'), temps[i], t));
    })));
    const form = list(sym('let'), list(...bindings.map((b, i) => list(temps[i], b[1]))), swap, list(sym('%finally'), listStar([sym('let'), NIL], listStar(parts.slice(2), NIL)), swap));
    return this.expr(form, scope);
  }

  private letOptionals(parts: unknown[], form: unknown): unknown {
    // (let-optionals REST ((VAR DEFAULT) …) BODY …)
    const r = gensym('rest');
    const specs = items(parts[2], 'let-optionals bindings', form);
    const bindings: unknown[] = [list(r, parts[1])];
    for (const s of specs) {
      const [v, d] = isPair(s) ? items(s, 'let-optionals binding', form) : [s, false];
      if (isPair(s) && listToArray(s)!.length === 1) {
        bindings.push(list(v, r));
        continue;
      }
      bindings.push(list(v, list(sym('if'), list(sym('null?'), r), d, list(sym('car'), r))));
      bindings.push(list(r, list(sym('if'), list(sym('null?'), r), r, list(sym('cdr'), r))));
    }
    return listStar([sym('let*'), list(...bindings)], listStar(parts.slice(3), NIL));
  }

  private condExpand(parts: unknown[], form: unknown): unknown {
    const holds = (req: unknown): boolean => {
      if (isIdentifier(req)) {
        const f = identifierName(req);
        return f === 'else' || this.env.features.has(f) || FEATURES.has(f);
      }
      const r = items(req, 'cond-expand requirement', form);
      const op = identifierName(r[0]);
      if (op === 'and') return r.slice(1).every(holds);
      if (op === 'or') return r.slice(1).some(holds);
      if (op === 'not') return !holds(r[1]);
      if (op === 'library') return true;
      throw syntaxError(`cond-expand: unknown requirement ${op}`, stripSyntax(form), this.line);
    };
    for (const c of parts.slice(1)) {
      const cl = items(c, 'cond-expand clause', form);
      if (holds(cl[0])) return listStar([sym('begin')], listStar(cl.slice(1), NIL));
    }
    return list(sym('void'));
  }
}

// ---------------------------------------------------------------------------------------------
// include
// ---------------------------------------------------------------------------------------------

/** The file NAME (or NAME.scm) relative to DIR, or null. */
function findInclude(name: string, dir: string): string | null {
  for (const f of [path.resolve(dir, name), path.resolve(dir, `${name}.scm`)]) {
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
  }
  return null;
}

/** Makes each (include "NAME") inside X name its file absolutely when NAME is found relative to DIR. */
function anchorIncludes(x: unknown, dir: string): void {
  const stack = [x];
  while (stack.length > 0) {
    let p = stack.pop();
    if (!isPair(p)) continue;
    if (isSymbol(p.car) && identifierName(p.car) === 'include' && isPair(p.cdr)) {
      const name = stringValue(p.cdr.car);
      const file = name === null ? null : findInclude(name, dir);
      if (file !== null) p.cdr.car = file;
    }
    for (; isPair(p); p = p.cdr) stack.push(p.car);
  }
}

// ---------------------------------------------------------------------------------------------
// Loop conversion helpers
// ---------------------------------------------------------------------------------------------

/** Whether NODE mentions V at all. */
function uses(node: Node, v: Var): boolean {
  let found = false;
  walk(node, (n) => {
    if ((n.t === 'lref' || n.t === 'lset') && n.v === v) found = true;
  });
  return found;
}

/** Every use of V in NODE is a call with ARGC arguments in tail position (TAIL: NODE is). */
function onlyTailCalls(node: Node, v: Var, argc: number, tail: boolean): boolean {
  switch (node.t) {
    case 'const':
    case 'gref':
      return true;
    case 'lref':
      return node.v !== v;
    case 'lset':
    case 'gset':
      return (node.t !== 'lset' || node.v !== v) && onlyTailCalls(node.e, v, argc, false);
    case 'if':
      return onlyTailCalls(node.c, v, argc, false) && onlyTailCalls(node.a, v, argc, tail) && onlyTailCalls(node.b, v, argc, tail);
    case 'seq':
      return node.es.every((e, i) => onlyTailCalls(e, v, argc, tail && i === node.es.length - 1));
    case 'lambda':
      return !uses(node.fn.body, v) && node.fn.params.optional.every((o) => o.dflt === null || !uses(o.dflt, v));
    case 'call':
      if (node.f.t === 'lref' && node.f.v === v) return tail && node.args.length === argc && node.args.every((a) => onlyTailCalls(a, v, argc, false));
      return onlyTailCalls(node.f, v, argc, false) && node.args.every((a) => onlyTailCalls(a, v, argc, false));
    case 'prim':
      return node.args.every((a) => onlyTailCalls(a, v, argc, false));
    case 'apply':
      return onlyTailCalls(node.f, v, argc, false) && node.args.every((a) => onlyTailCalls(a, v, argc, false));
    case 'let':
      return node.inits.every((e) => onlyTailCalls(e, v, argc, false)) && onlyTailCalls(node.body, v, argc, tail);
    case 'loop':
      // A tail call from inside an inner loop's body still leaves the inner loop: fine.
      return node.inits.every((e) => onlyTailCalls(e, v, argc, false)) && onlyTailCalls(node.body, v, argc, tail);
    case 'continue':
      return node.args.every((a) => onlyTailCalls(a, v, argc, false));
    case 'catch':
      return onlyTailCalls(node.body, v, argc, false) && onlyTailCalls(node.handler, v, argc, tail);
    case 'finally':
      return onlyTailCalls(node.body, v, argc, false) && onlyTailCalls(node.cleanup, v, argc, false);
    case 'callcc':
      return onlyTailCalls(node.f, v, argc, false);
  }
}

/** NODE with the tail calls of V turned into `continue`s of loop ID. */
function toContinues(node: Node, v: Var, id: number, vars: Var[]): Node {
  const r = (n: Node): Node => toContinues(n, v, id, vars);
  switch (node.t) {
    case 'call':
      if (node.f.t === 'lref' && node.f.v === v) return { t: 'continue', loop: id, vars, args: node.args };
      return node;
    case 'if':
      return { ...node, a: r(node.a), b: r(node.b) };
    case 'seq':
      return { t: 'seq', es: node.es.map((e, i) => (i === node.es.length - 1 ? r(e) : e)) };
    case 'let':
    case 'loop':
      return { ...node, body: r(node.body) };
    case 'catch':
      return { ...node, handler: r(node.handler) };
    default:
      return node;
  }
}

/** Functions directly inside FROM (in NODE) get TO as their parent. */
function reparent(node: Node, from: Fn, to: Fn | null): void {
  walk(node, (n) => {
    if (n.t === 'lambda' && n.fn.parent === from) n.fn.parent = to;
  });
}

/** Calls F on NODE and every node inside it, not entering lambdas' bodies unless DEEP. */
export function walk(node: Node, f: (n: Node) => void, deep = true): void {
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    f(n);
    switch (n.t) {
      case 'lset':
      case 'gset':
        stack.push(n.e);
        break;
      case 'if':
        stack.push(n.c, n.a, n.b);
        break;
      case 'seq':
        stack.push(...n.es);
        break;
      case 'lambda':
        if (deep) {
          stack.push(n.fn.body);
          for (const o of n.fn.params.optional) if (o.dflt !== null) stack.push(o.dflt);
          for (const o of n.fn.params.keys) if (o.dflt !== null) stack.push(o.dflt);
        }
        break;
      case 'call':
      case 'apply':
        stack.push(n.f, ...n.args);
        break;
      case 'prim':
      case 'continue':
        stack.push(...n.args);
        break;
      case 'let':
      case 'loop':
        stack.push(...n.inits, n.body);
        break;
      case 'catch':
        stack.push(n.body, n.handler);
        break;
      case 'finally':
        stack.push(n.body, n.cleanup);
        break;
      case 'callcc':
        stack.push(n.f);
        break;
    }
  }
}

/** The special forms the expander knows, for the global syntax table. */
export const SPECIAL_FORMS = [
  'quote', 'quasiquote', 'if', 'begin', 'lambda', 'named-lambda', 'define', 'set!', 'let', 'let*', 'letrec', 'letrec*',
  'and', 'or', 'when', 'unless', 'cond', 'case', 'do', 'delay', 'delay-force', 'define-syntax', 'define-macro',
  'define-values', 'define-record-type', 'define-record', 'let-syntax', 'letrec-syntax', 'handle-exceptions',
  'condition-case', 'guard', '%finally', '%call/cc', 'parameterize', 'fluid-let', 'receive', 'let-values', 'let*-values',
  'case-lambda', 'assert', 'cond-expand', 'include', 'define-record-printer', '%catch', 'require-extension', 'use', 'require-library', 'import', 'declare',
  'the', 'define-constant', 'define-inline', 'let-optionals', 'let-optionals*', 'optional', ':optional', 'time',
  'unquote', 'unquote-splicing',
] as const;

export { Keyword };
