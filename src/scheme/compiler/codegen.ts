/**
 * Code generation: each Scheme lambda becomes a JS function whose body is a state machine
 * (`switch ($pc)`), so that it can be entered again at any call site:
 *
 *   $r = f(a, b);                                   // an ordinary JS call
 *   if ($r === SUSP) return S.save(new Frame(F$r, 7, live locals…));   // the stack is moving out
 *   case 7: S.depth = $d; t3 = $r;                  // the resume function enters here
 *
 * The fast function starts at case 0 and falls through the labels; control flow that has calls
 * inside becomes jumps (`$pc = L; continue;`), other control flow stays structured JS. A second
 * function, F$r, restores the locals from a saved frame and runs the same body from its label.
 * A frame holds only the locals that code reachable from its label reads (`liveAt`).
 * Loops (named let / do whose name is only tail-called) are jumps too; their back edges count
 * fuel, so a long loop can be preempted. Closures capture by value (a factory per lambda);
 * variables both captured and assigned live in a box `{ v }`.
 */
import type { Fn, Node, Var } from './ast.js';
import { paramVars } from './analyze.js';
import { PRIMS } from './primitives.js';
import { NIL, Char } from '../runtime/data.js';

/** What a generated unit needs at run time (passed to the unit's factory). */
export interface UnitImports {
  consts: unknown[];
}

/**
 * A protected body (handle-exceptions, a cleanup). The local `$h` holds the id of the region
 * the code being run is in, so the catch clause knows where an exception goes.
 */
interface Region {
  id: number;
  parent: number;
  kind: 'catch' | 'finally' | 'escape';
  /** Label of the handler / cleanup. */
  handler: number;
  /** catch: JS name of the variable receiving the raised object; finally: the exception slot. */
  target: string;
  /** finally: the flag slot (1 when leaving by a raise). */
  flag: string;
}

type Dest = { k: 'ret' } | { k: 'set'; v: string | null; exit: number | null };

const RET: Dest = { k: 'ret' };
const DISCARD: Dest = { k: 'set', v: null, exit: null };

let jsNameCount = 0;

/** A JS identifier for Scheme name NAME. */
function ident(name: string, prefix: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24);
  return `${prefix}${++jsNameCount}_${clean}`;
}

/** A JS string literal. */
function lit(s: string): string {
  return JSON.stringify(s);
}

/**
 * The Scheme line of each line of a unit's JS (index: JS line, 1-based after the `new Function`
 * header, which V8 counts as two lines), from the `/*@N*\/` markers calls carry.
 */
export function lineMap(source: string): number[] {
  const out: number[] = [0, 0, 0];
  let last = 0;
  for (const l of source.split('\n')) {
    const m = /\/\*@(\d+)\*\//.exec(l);
    if (m !== null) last = Number(m[1]);
    out.push(last);
  }
  return out;
}

/** Procedure names and parameter lists, for the printer: JS function name → description. */
export const procedureInfo = new Map<string, { name: string; params: string; min: number; max: number }>();

/** The generated JS of one top-level form: all its functions, and the constants they use. */
export class Unit {
  readonly consts: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();
  readonly functions: string[] = [];

  constant(v: unknown): string {
    let i = this.constIndex.get(v);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(v);
      this.constIndex.set(v, i);
    }
    return `k${i}`;
  }

  private static count = 0;
  /** Names the unit's code in JS stack traces (`scheme-unit-N`), see `unitLines`. */
  readonly id = ++Unit.count;

  /** JS for the whole unit: a function of (R, K) returning the top-level procedure. */
  source(top: string): string {
    return [
      "'use strict';",
      'const { S, SUSP, Frame, Pair, NIL, P, MAXF, MINF, U, CH, Char, MS } = R;',
      ...this.consts.map((_, i) => `const k${i} = K[${i}];`),
      ...this.functions,
      `return ${top};`,
      `//# sourceURL=scheme-unit-${this.id}`,
    ].join('\n');
  }
}

/** Generates the functions of FN (and of the lambdas inside it) into UNIT; the JS expression making FN's procedure. */
export function generate(fn: Fn, unit: Unit): string {
  return new FnGen(fn, unit).run();
}

class FnGen {
  private readonly lines: string[] = [];
  private labels = 0;
  private hasJumps = false;
  private readonly regions: Region[] = [];
  private readonly temps: string[] = [];
  private readonly loops = new Map<number, number>();
  readonly name: string;

  constructor(private readonly fn: Fn, private readonly unit: Unit) {
    this.name = ident(fn.name === '' ? 'lambda' : fn.name, 's');
    for (const v of fn.locals) v.js = ident(v.name, 'v');
    const p = fn.params;
    procedureInfo.set(this.name, {
      name: fn.name === '' || fn.name === 'toplevel' ? '?' : fn.name,
      params: paramText(fn),
      min: p.required.length,
      max: p.rest !== null || p.keys.length > 0 ? Infinity : p.required.length + p.optional.length,
    });
  }

  private label(): number {
    return ++this.labels;
  }

  private temp(): string {
    const t = `t${this.temps.length + 1}`;
    this.temps.push(t);
    return t;
  }

  private emit(s: string): void {
    this.lines.push(s);
  }

  private caseLabel(n: number): void {
    this.lines.push(`case ${n}:`);
  }

  private jump(n: number): void {
    this.hasJumps = true;
    this.emit(`$pc = ${n}; continue;`);
  }

  /** The frame values: every local and free variable and temporary, in one fixed order. */
  private frameVars(): string[] {
    return [...this.fn.free.map((v) => v.js), ...this.fn.locals.map((v) => v.js), ...this.temps, ...(this.regions.length > 0 ? ['$h'] : [])];
  }

  /** The region the code being generated is in (0: none). */
  private region = 0;

  // -------------------------------------------------------------------------------------------
  // The function
  // -------------------------------------------------------------------------------------------

  run(): string {
    const fn = this.fn;
    const p = fn.params;
    const params = paramVars(fn);
    // Body first: it decides the temporaries, labels and regions.
    // Defaults of #!optional, then of #!key parameters, left to right (each may use the ones before).
    for (const o of [...p.optional, ...p.keys]) {
      if (o.dflt === null) continue;
      if (this.isSimple(o.dflt)) {
        this.emit(`if (${o.v.js} === R.DEFAULT) ${o.v.js} = ${this.value(o.dflt)};`);
        continue;
      }
      // A default with calls in it: its labels must sit at the top of the switch.
      const skip = this.label();
      this.hasJumps = true;
      this.emit(`if (${o.v.js} !== R.DEFAULT) { $pc = ${skip}; continue; }`);
      const t = this.value(o.dflt);
      this.emit(`${o.v.js} = ${t};`);
      this.caseLabel(skip);
    }
    for (const v of params) if (v.boxed) this.emit(`${v.js} = { v: ${v.js} };`);
    this.gen(fn.body, RET);
    const frameVars = this.frameVars();
    const live = liveAt(this.lines, frameVars, this.regions.length > 0);
    const body = this.lines.join('\n').replace(/\$FRAME:(\d+)\$/g, (_, l: string) => frameExpr(Number(l), live.get(Number(l))!));
    const localDecl = [...fn.locals.filter((v) => !params.includes(v)).map((v) => v.js), ...this.temps];
    const name = this.name;
    const required = p.required.length;
    const optional = p.optional.length;
    const variadic = p.rest !== null || p.keys.length > 0;
    const jsParams = [...p.required, ...p.optional.map((o) => o.v)].map((v) => v.js);
    if (variadic) jsParams.push('...$rest');

    const arity = variadic
      ? required > 0
        ? `if (arguments.length < ${required}) return R.tooFew(${name}, arguments.length, ${required});`
        : ''
      : optional > 0
        ? `if (arguments.length < ${required}) return R.tooFew(${name}, arguments.length, ${required}); if (arguments.length > ${required + optional}) return R.arity(${name}, arguments.length, ${lit(String(required + optional))});`
        : `if (arguments.length !== ${required}) return R.arity(${name}, arguments.length, ${lit(String(required))});`;
    const defaults = p.optional.map((o, i) => `if (arguments.length < ${required + i + 1}) ${o.v.js} = ${o.dflt === null ? 'false' : 'R.DEFAULT'};`).join(' ');
    const rest = p.keys.length > 0
      ? `const $kw = R.keywords($rest, ${lit(JSON.stringify(p.keys.map((k) => k.key)))});` + p.keys.map((k, i) => ` let ${k.v.js} = $kw[${i}] === R.DEFAULT ? ${k.dflt === null ? 'false' : 'R.DEFAULT'} : $kw[${i}];`).join('') + (p.rest !== null ? ` let ${p.rest.js} = R.list($rest);` : '')
      : p.rest !== null ? `let ${p.rest.js} = R.list($rest);` : '';
    const decl = localDecl.filter((v) => !p.keys.some((k) => k.v.js === v) && v !== p.rest?.js);
    if (this.regions.length > 0) decl.push('$h = 0');
    const declText = decl.length > 0 ? `let ${decl.join(', ')};` : '';
    const restParams = jsParams.filter((x) => x !== '...$rest');
    const redoArgs = variadic ? `[${[...restParams, '...$rest'].join(', ')}]` : `[${restParams.join(', ')}]`;

    const loopBody = (pre: string): string => {
      const sw = `switch ($pc) {\ncase 0:\n${body}\n}`;
      const handled = this.regions.length > 0 ? `try { ${pre}\n${sw} } catch ($e) {\n${this.dispatch('$e')}\n}` : `${pre}\n${sw}`;
      return this.hasJumps || this.regions.length > 0 ? `$L: for (;;) { ${handled} }` : handled;
    };

    const free = fn.free.map((v) => v.js);
    const fast = [
      `function ${name}(${jsParams.join(', ')}) {${mark(fn.line)}`,
      arity,
      // Missing #!optional arguments first: a redone call (below) passes every parameter.
      defaults,
      `const $d = ++S.depth;`,
      `if ($d > S.limit || --S.fuel < 0) { if (S.check($d)) return S.redo(${name}, ${redoArgs}); }`,
      rest,
      `let $pc = 0, $r; ${declText}`,
      loopBody(''),
      '}',
    ].join('\n');
    // Each label's frame holds its own live locals: restored by label.
    const restore = live.size === 0 ? '' : `switch ($fr.pc) {\n${[...live].map(([l, vs]) => `case ${l}: { ${restoreText(vs)} break; }`).join('\n')}\n}`;
    const resume = [
      `function ${name}$r($fr, $v, $th) {`,
      frameVars.length > 0 ? `let ${frameVars.join(', ')};` : '',
      restore,
      `let $pc = $fr.pc, $r = $v;`,
      `const $d = ++S.depth;`,
      loopBody(this.regions.length > 0 ? 'if ($th) { $th = false; throw $v; }' : 'if ($th) throw $v;'),
      '}',
    ].join('\n');
    if (free.length === 0) {
      this.unit.functions.push(fast.replace(/\$SELF\$R/g, `${name}$r`), resume.replace(/\$SELF\$R/g, `${name}$r`));
      return name;
    }
    // A closure: a factory binds the free variables (by value; assigned ones are boxes).
    this.unit.functions.push(`function mk_${name}(${free.join(', ')}) {\nreturn ${fast.replace(/\$SELF\$R/g, `${name}$r`)};\n}`, resume.replace(/\$SELF\$R/g, `${name}$r`));
    return `mk_${name}(${free.join(', ')})`;
  }

  /** The catch clause of the state machine: the innermost region around the code raising gets E. */
  private dispatch(e: string): string {
    const cases = this.regions.map((r) => {
      const take = `S.depth = $d; ${r.target} = ${r.kind === 'catch' ? `R.raisedObject(${e})` : e};${r.kind === 'finally' ? ` ${r.flag} = 1;` : ''} $h = ${r.parent}; $pc = ${r.handler}; continue $L;`;
      if (r.kind === 'catch') return `case ${r.id}: if (R.catchable(${e})) { ${take} } $x = ${r.parent}; break;`;
      if (r.kind === 'escape') return `case ${r.id}: if (R.escapes(${e}, ${r.flag})) { S.depth = $d; ${r.target} = ${e}.value; $h = ${r.parent}; $pc = ${r.handler}; continue $L; } $x = ${r.parent}; break;`;
      return `case ${r.id}: { ${take} }`;
    });
    return `let $x = $h;\nwhile ($x !== 0) switch ($x) {\n${cases.join('\n')}\ndefault: $x = 0;\n}\nthrow ${e};`;
  }

  /** Saving this activation at label L (the caller of a suspended call). */
  private save(l: number): string {
    // What the frame holds is only known once the whole body is generated: filled in by run().
    return `return S.save($FRAME:${l}$);`;
  }

  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  /** Emits NODE, delivering its value to DEST. */
  private gen(node: Node, dest: Dest): void {
    switch (node.t) {
      case 'if':
        return this.genIf(node, dest);
      case 'seq':
        for (let i = 0; i < node.es.length - 1; i++) this.gen(node.es[i]!, DISCARD);
        return this.gen(node.es[node.es.length - 1]!, dest);
      case 'let': {
        for (let i = 0; i < node.vars.length; i++) {
          const v = node.vars[i]!;
          const x = this.value(node.inits[i]!);
          this.emit(v.boxed ? `${v.js} = { v: ${x} };` : `${v.js} = ${x};`);
        }
        return this.gen(node.body, dest);
      }
      case 'loop':
        return this.genLoop(node, dest);
      case 'continue':
        return this.genContinue(node);
      case 'call':
      case 'apply':
        if (dest.k === 'ret' && !this.inRegion) {
          // A tail call: whatever it returns (SUSP included) is ours to return.
          this.emit(`return ${this.callExpr(node)};${mark(node.line)}`);
          return;
        }
        return this.deliver(this.call(node), dest);
      case 'catch':
        return this.genCatch(node, dest);
      case 'finally':
        return this.genFinally(node, dest);
      case 'callcc':
        return this.genCallcc(node, dest);
      case 'lset': {
        const x = this.value(node.e);
        this.emit(node.v.boxed ? `${node.v.js}.v = ${x};` : `${node.v.js} = ${x};`);
        return this.deliver('undefined', dest);
      }
      case 'gset': {
        const x = this.value(node.e);
        this.emit(`${this.unit.constant(node.cell)}.v = ${x};`);
        return this.deliver('undefined', dest);
      }
      default:
        return this.deliver(this.value(node), dest);
    }
  }

  /** Puts the value X (a JS expression) where DEST wants it. */
  private deliver(x: string, dest: Dest): void {
    if (dest.k === 'ret') {
      this.emit(`return ${x};`);
      return;
    }
    if (dest.v !== null) this.emit(`${dest.v} = ${x};`);
    else if (!/^[\w$.]+$|^undefined$|^(true|false)$/.test(x)) this.emit(`${x};`);
    if (dest.exit !== null) this.jump(dest.exit);
  }

  /** Depth of try regions around the code being generated (a call inside one is not a tail call). */
  private inRegion = 0;

  /** Inside a branch of a conditional expression: no statement may be emitted for it. */
  private noHoist = 0;

  private genIf(node: Extract<Node, { t: 'if' }>, dest: Dest): void {
    const c = this.value(node.c);
    // Try each branch structured: fine unless it holds a label.
    const a = this.capture(() => this.gen(node.a, dest === RET || dest.k === 'ret' ? dest : { ...dest, exit: null }));
    const b = this.capture(() => this.gen(node.b, dest === RET || dest.k === 'ret' ? dest : { ...dest, exit: null }));
    const labelled = (ls: string[]): boolean => ls.some((l) => l.startsWith('case '));
    const exitJump = dest.k === 'set' && dest.exit !== null ? [`$pc = ${dest.exit}; continue;`] : [];
    if (!labelled(a.lines) && !labelled(b.lines)) {
      this.emit(`if (${c} !== false) {`);
      this.lines.push(...a.lines);
      this.emit('} else {');
      this.lines.push(...b.lines);
      this.emit('}');
      if (exitJump.length > 0 && dest.k === 'set') this.jump(dest.exit!);
        return;
    }
    // A branch with labels must sit at the top of the switch: the other branch goes first,
    // inside an if, and leaves (returns, or jumps past).
    if (dest.k === 'ret') {
      if (!labelled(a.lines)) {
        this.emit(`if (${c} !== false) {`);
        this.lines.push(...a.lines);
        this.emit('}');
        this.lines.push(...b.lines);
      } else if (!labelled(b.lines)) {
        this.emit(`if (${c} === false) {`);
        this.lines.push(...b.lines);
        this.emit('}');
        this.lines.push(...a.lines);
      } else {
        const elseL = this.label();
        this.emit(`if (${c} === false) { $pc = ${elseL}; continue; }`);
        this.hasJumps = true;
        this.lines.push(...a.lines);
        this.caseLabel(elseL);
        this.lines.push(...b.lines);
      }
      return;
    }
    const end = dest.exit ?? this.label();
    const elseL = this.label();
    this.hasJumps = true;
    this.emit(`if (${c} === false) { $pc = ${elseL}; continue; }`);
    this.lines.push(...a.lines);
    this.jump(end);
    this.caseLabel(elseL);
    this.lines.push(...b.lines);
    if (dest.exit !== null) this.jump(dest.exit);
    else this.caseLabel(end);
  }

  /** Runs F with a fresh line buffer; the lines it produced. */
  private capture(f: () => void): { lines: string[]; labels: number } {
    const saved = this.lines.splice(0, this.lines.length);
    f();
    const lines = this.lines.splice(0, this.lines.length);
    this.lines.push(...saved);
    return { lines, labels: this.labels };
  }

  private genLoop(node: Extract<Node, { t: 'loop' }>, dest: Dest): void {
    const inits = node.inits.map((e) => this.value(e));
    node.vars.forEach((v, i) => this.emit(v.boxed ? `${v.js} = { v: ${inits[i]} };` : `${v.js} = ${inits[i]};`));
    const head = this.label();
    this.loops.set(node.id, head);
    this.hasJumps = true;
    this.jump(head);
    this.caseLabel(head);
    if (dest.k === 'ret') {
      this.gen(node.body, RET);
      return;
    }
    const end = dest.exit ?? this.label();
    this.gen(node.body, { k: 'set', v: dest.v, exit: end });
    if (dest.exit === null) this.caseLabel(end);
  }

  private genContinue(node: Extract<Node, { t: 'continue' }>): void {
    const head = this.loops.get(node.loop);
    if (head === undefined) throw new Error('internal: continue outside its loop');
    const xs = node.args.map((a) => this.value(a));
    // Parallel assignment: every new value is computed before any variable changes.
    const tmps = xs.map((x) => {
      if (xs.length === 1 || /^(-?\d+|true|false|undefined)$/.test(x)) return x;
      const t = this.temp();
      this.emit(`${t} = ${x};`);
      return t;
    });
    node.vars.forEach((v, i) => this.emit(v.boxed ? `${v.js} = { v: ${tmps[i]} };` : `${v.js} = ${tmps[i]};`));
    this.emit(`if (--S.fuel < 0 && S.tick($d)) ${this.save(head)}`);
    this.jump(head);
  }

  private genCatch(node: Extract<Node, { t: 'catch' }>, dest: Dest): void {
    const result = dest.k === 'set' && dest.v !== null ? dest.v : this.temp();
    const r: Region = { id: this.regions.length + 1, parent: this.region, kind: 'catch', handler: 0, target: node.v.js, flag: '' };
    this.regions.push(r);
    const after = this.protect(r, () => this.gen(node.body, { k: 'set', v: result, exit: null }));
    this.caseLabel(r.handler);
    if (node.v.boxed) this.emit(`${node.v.js} = { v: ${node.v.js} };`);
    this.gen(node.handler, { k: 'set', v: result, exit: null });
    this.caseLabel(after);
    this.deliver(result, dest);
  }

  private genFinally(node: Extract<Node, { t: 'finally' }>, dest: Dest): void {
    const result = this.temp();
    const r: Region = { id: this.regions.length + 1, parent: this.region, kind: 'finally', handler: 0, target: this.temp(), flag: this.temp() };
    this.regions.push(r);
    this.emit(`${r.flag} = 0;`);
    const after = this.protect(r, () => this.gen(node.body, { k: 'set', v: result, exit: null }));
    this.caseLabel(r.handler);
    this.caseLabel(after);
    this.gen(node.cleanup, DISCARD);
    this.emit(`if (${r.flag} === 1) throw ${r.target};`);
    this.deliver(result, dest);
  }

  private genCallcc(node: Extract<Node, { t: 'callcc' }>, dest: Dest): void {
    const result = this.temp();
    const k = this.temp();
    const f = this.materialize(this.value(node.f));
    this.emit(`${k} = R.makeEscape();`);
    const r: Region = { id: this.regions.length + 1, parent: this.region, kind: 'escape', handler: 0, target: result, flag: k };
    this.regions.push(r);
    const after = this.protect(r, () => {
      const l = this.label();
      this.emit(`$r = (typeof ${f} === 'function' ? ${f}(${k}) : R.notProc(${f}));`);
      this.emit(`if ($r === SUSP) ${this.save(l)}`);
      this.caseLabel(l);
      this.emit(`S.depth = $d; ${result} = $r;`);
    });
    this.caseLabel(r.handler);
    this.caseLabel(after);
    // Leaving the extent: the escape procedure no longer returns here.
    this.emit(`${k}.done = true;`);
    this.deliver(result, dest);
  }

  /**
   * Emits BODY inside region R: `$h` is R while it runs and R's parent after; R's handler label
   * is set. Returns the label reached when BODY completes normally.
   */
  private protect(r: Region, body: () => void): number {
    this.emit(`$h = ${r.id};`);
    const outer = this.region;
    this.region = r.id;
    this.inRegion++;
    body();
    this.inRegion--;
    this.region = outer;
    this.emit(`$h = ${r.parent};`);
    const after = this.label();
    r.handler = this.label();
    this.jump(after);
    return after;
  }

  // -------------------------------------------------------------------------------------------
  // Calls
  // -------------------------------------------------------------------------------------------

  /** The JS call expression of a call node (arguments evaluated first, in order). */
  private callExpr(node: Extract<Node, { t: 'call' | 'apply' }>): string {
    const argNodes = node.args;
    const laterCall = (i: number): boolean => argNodes.slice(i + 1).some((a) => !this.isSimple(a)) || !this.isSimple(node.f);
    const args = argNodes.map((a, i) => {
      const x = this.value(a);
      return laterCall(i) && !this.isStable(a) ? this.materialize(x) : x;
    });
    let f: string;
    if (node.f.t === 'gref') {
      const c = this.unit.constant(node.f.cell);
      f = this.materialize(`${c}.v`);
      if (node.t === 'apply') return `(typeof ${f} === 'function' ? P.applyTo(${f}, [${args.join(', ')}]) : R.badCall(${c}, ${f}))`;
      return `(typeof ${f} === 'function' ? ${f}(${args.join(', ')}) : R.badCall(${c}, ${f}))`;
    }
    f = this.value(node.f);
    if (!/^[\w$]+$/.test(f)) f = this.materialize(f);
    if (node.t === 'apply') return `(typeof ${f} === 'function' ? P.applyTo(${f}, [${args.join(', ')}]) : R.notProc(${f}))`;
    return `(typeof ${f} === 'function' ? ${f}(${args.join(', ')}) : R.notProc(${f}))`;
  }

  /** A non-tail call: its value in a temporary, with the suspension check and resume label. */
  private call(node: Extract<Node, { t: 'call' | 'apply' }>): string {
    const js = this.callExpr(node);
    const l = this.label();
    this.emit(`$r = ${js};${mark(node.line)}`);
    this.emit(`if ($r === SUSP) ${this.save(l)}`);
    this.caseLabel(l);
    this.emit('S.depth = $d;');
    const t = this.temp();
    this.emit(`${t} = $r;`);
    return t;
  }

  private materialize(x: string): string {
    if (/^[\w$]+$/.test(x) || /^-?\d+$/.test(x)) return x;
    const t = this.temp();
    this.emit(`${t} = ${x};`);
    return t;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  /** Whether NODE is evaluated without calls (and so needs no statements). */
  private isSimple(node: Node): boolean {
    switch (node.t) {
      case 'const':
      case 'lref':
      case 'gref':
      case 'lambda':
        return true;
      case 'prim':
        return node.args.every((a) => this.isSimple(a));
      case 'if':
        return this.isSimple(node.c) && this.isSimple(node.a) && this.isSimple(node.b);
      default:
        return false;
    }
  }

  /** Whether NODE's value cannot change if evaluated later (so it need not be saved first). */
  private isStable(node: Node): boolean {
    return node.t === 'const' || (node.t === 'lref' && !node.v.assigned) || node.t === 'lambda';
  }

  /** NODE's value as a JS expression (statements for any calls in it are emitted first). */
  private value(node: Node): string {
    switch (node.t) {
      case 'const':
        return this.constant(node.v);
      case 'lref':
        return node.v.boxed ? `${node.v.js}.v` : node.v.js;
      case 'gref': {
        const c = this.unit.constant(node.cell);
        return `(${c}.v !== U ? ${c}.v : R.unboundRef(${c}))`;
      }
      case 'lambda': {
        const make = generate(node.fn, this.unit);
        return make;
      }
      case 'prim': {
        const prim = PRIMS.get(node.name)!;
        const simple = node.args.every((a) => this.isSimple(a));
        // In a branch of a conditional expression, arguments go in variables inside the
        // expression itself (`(t = …, fast JS of t)`), evaluated only when the branch is.
        const inline: string[] = [];
        const args = node.args.map((a, i) => {
          const x = this.value(a);
          if (prim.atomic === true && this.noHoist > 0) {
            if (isAtomic(x)) return x;
            const t = this.temp();
            inline.push(`${t} = ${x}`);
            return t;
          }
          return prim.atomic === true || (!simple && node.args.slice(i + 1).some((b) => !this.isSimple(b)) && !this.isStable(a)) ? this.materialize(x) : x;
        });
        const atomic = args.map(isAtomic);
        const temps = Array.from({ length: prim.temps ?? 0 }, () => this.temp());
        if (node.line !== null) this.emit(mark(node.line));
        return inline.length === 0 ? prim.js(args, atomic, temps) : `(${inline.join(', ')}, ${prim.js(args, atomic, temps)})`;
      }
      case 'if':
        if (this.isSimple(node)) {
          const c = this.value(node.c);
          // The branches are JS expressions evaluated only when taken: nothing of theirs may be
          // put in a variable ahead of the test (that would evaluate, and maybe raise, it anyway).
          this.noHoist++;
          try {
            return `(${c} !== false ? ${this.value(node.a)} : ${this.value(node.b)})`;
          } finally {
            this.noHoist--;
          }
        }
        break;
      case 'call':
      case 'apply':
        return this.call(node);
      default:
        break;
    }
    const t = this.temp();
    this.gen(node, { k: 'set', v: t, exit: null });
    return t;
  }

  private constant(v: unknown): string {
    if (v === undefined) return 'undefined';
    if (v === true || v === false) return String(v);
    if (v === NIL) return 'NIL';
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'string' && v.length < 200) return lit(v);
    if (v instanceof Char) return this.unit.constant(v);
    return this.unit.constant(v);
  }
}

/**
 * For each label a frame is saved at (`$FRAME:L$` in LINES), the variables of VARS that code run
 * from that label may read. Control only moves forward through the text, except by jumps back
 * (`$pc = N; continue;` to a `case N:` above): so the code reachable from a label is the text
 * from it to the end, widened to the start of every loop whose back edge that text contains.
 * Temporaries (`tN`) are narrower still: each holds part of one expression's evaluation, so it
 * is live only if it is also written above the label.
 * With exception regions (whose handlers the catch clause jumps to) every variable is kept.
 */
function liveAt(lines: string[], vars: string[], keepAll: boolean): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const saves: number[] = [];
  const labelLine = new Map<number, number>();
  const jumps: Array<[number, number]> = [];
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\$FRAME:(\d+)\$/g)) saves.push(Number(m[1]));
    const c = /^case (\d+):$/.exec(line);
    if (c !== null) labelLine.set(Number(c[1]), i);
    for (const m of line.matchAll(/\$pc = (\d+); continue;/g)) jumps.push([i, Number(m[1])]);
  });
  if (keepAll) {
    for (const l of saves) out.set(l, vars);
    return out;
  }
  const wanted = new Set(vars);
  for (const l of saves) {
    const at = labelLine.get(l);
    if (at === undefined) throw new Error(`internal: frame label ${l} has no case`);
    let start = at;
    for (let moved = true; moved; ) {
      moved = false;
      for (const [from, to] of jumps) {
        const target = labelLine.get(to)!;
        if (from >= start && target < start) {
          start = target;
          moved = true;
        }
      }
    }
    const used = new Set<string>();
    for (let i = start; i < lines.length; i++) for (const m of lines[i]!.matchAll(/[A-Za-z_$][\w$]*/g)) if (wanted.has(m[0])) used.add(m[0]);
    // The temporary the call's result arrives in (`tN = $r;` right after the label) is fresh
    // for that call and read only after it: never live in its own frame.
    const result = /^(?:S\.depth = \$d;\s*)?(t\d+) = \$r;$/.exec(lines[at + 1] === 'S.depth = $d;' ? lines[at + 2] ?? '' : lines[at + 1] ?? '');
    if (result !== null) used.delete(result[1]!);
    // Any other temporary holds part of one expression's evaluation, written before it is read
    // (and never carried from one loop iteration to the next): live only if written before.
    const before = new Set<string>();
    for (let i = 0; i < at; i++) for (const m of lines[i]!.matchAll(/\bt\d+\b/g)) before.add(m[0]);
    out.set(l, vars.filter((v) => used.has(v) && (!/^t\d+$/.test(v) || before.has(v))));
  }
  return out;
}

/** The frame saved at label L holding VALS (see `Frame`: four inline, the rest in an array). */
function frameExpr(l: number, vals: string[]): string {
  const inline = vals.length <= 4 ? vals : [...vals.slice(0, 3), `[${vals.slice(3).join(', ')}]`];
  return `new Frame($SELF$R, ${[l, ...inline].join(', ')})`;
}

/** Restoring VALS from `$fr` (the layout of `frameExpr`). */
function restoreText(vals: string[]): string {
  const fields = ['a', 'b', 'c', 'd'];
  if (vals.length <= 4) return vals.map((v, i) => `${v} = $fr.${fields[i]};`).join(' ');
  return [...vals.slice(0, 3).map((v, i) => `${v} = $fr.${fields[i]};`), `const $m = $fr.d;`, ...vals.slice(3).map((v, i) => `${v} = $m[${i}];`)].join(' ');
}

/** Whether JS expression X may be repeated (a variable or an integer literal). */
function isAtomic(x: string): boolean {
  return /^[\w$]+$/.test(x) || /^-?\d+$/.test(x);
}

/** The marker of Scheme line LINE on a JS line (see `lineMap`). */
function mark(line: number | null): string {
  return line === null ? '' : ` /*@${line}*/`;
}

/** The parameter list as CHICKEN prints it in `#<procedure (name a b . rest)>`. */
function paramText(fn: Fn): string {
  const p = fn.params;
  const parts = p.required.map((v) => v.name);
  if (p.optional.length > 0) parts.push('#!optional', ...p.optional.map((o) => o.v.name));
  if (p.keys.length > 0) parts.push('#!key', ...p.keys.map((k) => k.v.name));
  if (p.rest !== null) return parts.length === 0 ? p.rest.name : `${parts.join(' ')} . ${p.rest.name}`;
  return parts.join(' ');
}

export type { Var };
