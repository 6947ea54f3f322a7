/**
 * Control and the procedures the expander's derived forms call: apply, parameters and the
 * dynamic state, promises, case-lambda, records, conditions, errors, eval, time.
 */
import type { Engine } from '../compiler/index.js';
import { S } from '../runtime/control.js';
import { NIL, Pair, isPair, listToArray, arrayToList, intern, isSymbol, symbolName, makeValues, valuesList, MString, stringValue } from '../runtime/data.js';
import { SchemeError, Raised, typeError, arityError, schemeError } from '../runtime/errors.js';
import { displayString, writeString, registerPrinter } from '../runtime/printer.js';
import { spread } from '../runtime/prims.js';
import { procedureInfo } from '../compiler/codegen.js';
import { defineProcedures } from './define.js';

type Fn = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------------
// Parameters and the dynamic state
// ---------------------------------------------------------------------------------------------

/** One parameterize binding; S.dyn is a chain of these (the running task's). */
interface DynBinding {
  p: Fn;
  v: unknown;
  next: DynBinding | null;
}

interface ParamInfo {
  value: unknown;
  guard: Fn | null;
  /** The value while never set: computed at each read (the current ports: the handler's own). */
  dflt: (() => unknown) | null;
  /** Where a set value goes instead of `value` (a parameter standing for another one). */
  store: ((v: unknown) => void) | null;
}

const params = new WeakMap<Fn, ParamInfo>();

/** A parameter's value in the running task. */
export function parameterValue(p: Fn): unknown {
  for (let d = S.dyn as DynBinding | null; d !== null; d = d.next) if (d.p === p) return d.v;
  const info = params.get(p)!;
  return info.dflt !== null ? info.dflt() : info.value;
}

/** (make-parameter VALUE [GUARD]): a procedure; with no argument its value, with one it sets it. */
export function makeParameter(value: unknown, guard: Fn | null = null, name = 'parameter', dflt: (() => unknown) | null = null): Fn {
  const info: ParamInfo = { value: guard === null ? value : guard(value), guard, dflt, store: null };
  const p = function parameter(...args: unknown[]): unknown {
    if (args.length === 0) return parameterValue(p);
    const v = info.guard === null ? args[0] : info.guard(args[0]);
    // Setting a parameterized parameter changes the innermost binding (as CHICKEN does).
    for (let d = S.dyn as DynBinding | null; d !== null; d = d.next) {
      if (d.p === p) {
        d.v = v;
        return undefined;
      }
    }
    if (info.store !== null) {
      info.store(v);
      return undefined;
    }
    info.value = v;
    info.dflt = null;
    return undefined;
  };
  Object.defineProperty(p, 'name', { value: name });
  params.set(p, info);
  return p;
}

/** A parameter whose global value lives elsewhere: read with GET, set with SET. */
export function proxyParameter(name: string, get: () => unknown, set: (v: unknown) => void): Fn {
  const p = makeParameter(undefined, null, name, get);
  params.get(p)!.store = set;
  return p;
}

export function isParameter(x: unknown): boolean {
  return typeof x === 'function' && params.has(x as Fn);
}

// ---------------------------------------------------------------------------------------------
// Promises (delay / force)
// ---------------------------------------------------------------------------------------------

class SchemePromise {
  constructor(
    public thunk: Fn | null,
    public value: unknown,
    /** delay-force: the thunk gives a promise to chain to. */
    readonly chained: boolean,
  ) {}
}
registerPrinter(SchemePromise, () => '#<promise>');

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

class RecordType {
  constructor(readonly name: string, readonly fields: string[]) {}
}
class Record {
  constructor(readonly type: RecordType, readonly values: unknown[]) {}
}
registerPrinter(RecordType, (t) => `#<record-type ${(t as RecordType).name}>`);
registerPrinter(Record, (r) => `#<${(r as Record).type.name}>`);

function fieldIndex(t: RecordType, field: unknown, who: string): number {
  const name = isSymbol(field) ? symbolName(field) : String(field);
  const i = t.fields.indexOf(name);
  if (i === -1) throw schemeError(`${who}: record type ${t.name} has no field ${name}`);
  return i;
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

/** The kinds of a raised object, as condition-case matches them. */
export function conditionKinds(e: unknown): string[] {
  if (e instanceof SchemeError) return [...e.kinds];
  if (e instanceof Raised) return conditionKinds(e.payload);
  if (e instanceof Error) {
    const kinds = ['exn'];
    const extra = (e as { kinds?: unknown }).kinds;
    if (Array.isArray(extra)) return extra.map(String);
    if (e instanceof RangeError) kinds.push('runtime');
    return kinds;
  }
  return [];
}

function conditionProperty(e: unknown, kind: string, prop: string): unknown {
  if (!conditionKinds(e).includes(kind)) return undefined;
  if (e instanceof SchemeError) {
    const extra = e.extra.get(`${kind}.${prop}`);
    if (extra !== undefined) return extra;
    if (kind === 'exn') {
      if (prop === 'message') return e.message;
      if (prop === 'arguments') return arrayToList([...e.args]);
      if (prop === 'location') return e.location === null ? false : intern(e.location);
    }
    return undefined;
  }
  if (e instanceof Error && kind === 'exn') {
    if (prop === 'message') return e.message;
    if (prop === 'arguments') return NIL;
    if (prop === 'location') return false;
  }
  return undefined;
}

/** CHICKEN's (error [LOCATION] MESSAGE ARG …). */
function error(...args: unknown[]): never {
  let location: string | null = null;
  if (args.length > 1 && isSymbol(args[0]) && stringValue(args[1]) !== null) location = symbolName(args.shift() as { __name__: unknown });
  const msg = args.shift();
  const text = stringValue(msg) ?? displayString(msg);
  throw new SchemeError(['exn'], text, args, location);
}

// ---------------------------------------------------------------------------------------------

export function installControl(engine: Engine): void {
  defineProcedures(engine, {
    // A TS procedure that ends in a call of a Scheme procedure returns what that returns (the
    // suspension sentinel included), so apply needs no frame of its own.
    apply: [(f: unknown, ...args: unknown[]) => {
      if (typeof f !== 'function') throw typeError('apply', f);
      return (f as Fn)(...spread(args));
    }, 2, Infinity],
    values: [(...xs: unknown[]) => makeValues(xs), 0, Infinity],
    '%values->list': [(x: unknown) => arrayToList(valuesList(x)), 1, 1],
    '%append2': [(a: unknown, b: unknown) => {
      const items = listToArray(a);
      if (items === null) throw typeError('append', a);
      return arrayToList(items, b);
    }, 2, 2],
    'make-parameter': [(v: unknown, guard?: unknown) => makeParameter(v, typeof guard === 'function' ? (guard as Fn) : null), 1, 2],
    '%dyn': [() => S.dyn, 0, 0],
    '%dyn-set!': [(d: unknown) => {
      S.dyn = d;
    }, 1, 1],
    '%dyn-bind': [(d: unknown, ps: unknown, vs: unknown) => {
      const pa = listToArray(ps) ?? [];
      const va = listToArray(vs) ?? [];
      let out = d as DynBinding | null;
      pa.forEach((p, i) => {
        const info = typeof p === 'function' ? params.get(p as Fn) : undefined;
        if (info === undefined) throw typeError('parameterize', p);
        out = { p: p as Fn, v: info.guard === null ? va[i] : info.guard(va[i]), next: out };
      });
      return out;
    }, 3, 3],
    '%make-promise': [(thunk: unknown, chained: unknown) => new SchemePromise(thunk as Fn, undefined, chained === true), 2, 2],
    'make-promise': [(v: unknown) => (v instanceof SchemePromise ? v : new SchemePromise(null, v, false)), 1, 1],
    'promise?': [(x: unknown) => x instanceof SchemePromise, 1, 1],
    '%promise-state': [(p: unknown) => {
      if (!(p instanceof SchemePromise)) return false;
      return p.thunk === null;
    }, 1, 1],
    '%promise-thunk': [(p: unknown) => (p as SchemePromise).thunk, 1, 1],
    '%promise-chained?': [(p: unknown) => (p as SchemePromise).chained, 1, 1],
    '%promise-value': [(p: unknown) => (p as SchemePromise).value, 1, 1],
    '%promise-resolve!': [(p: unknown, v: unknown) => {
      const pr = p as SchemePromise;
      if (pr.thunk === null) return undefined; // forced meanwhile (reentrant force)
      if (v instanceof SchemePromise && pr.chained) {
        pr.thunk = v.thunk;
        pr.value = v.value;
        return undefined;
      }
      pr.thunk = null;
      pr.value = v;
      return undefined;
    }, 2, 2],
    '%case-lambda': [(...procs: unknown[]) => {
      const fns = procs as Fn[];
      const ranges = fns.map((f) => arityOf(f));
      const dispatch = function caseLambda(...args: unknown[]): unknown {
        for (let i = 0; i < fns.length; i++) {
          const [min, max] = ranges[i]!;
          if (args.length >= min && args.length <= max) return fns[i]!(...args);
        }
        throw arityError(dispatch, args.length, ranges.map(([a, b]) => (a === b ? String(a) : b === Infinity ? `${a}+` : `${a}-${b}`)).join(' or '));
      };
      return dispatch;
    }, 0, Infinity],
    '%make-record-type': [(name: unknown, fields: unknown) => new RecordType(displayString(name), (listToArray(fields) ?? []).map((f) => displayString(f))), 2, 2],
    '%record-constructor': [(t: unknown, fields: unknown) => {
      const type = t as RecordType;
      const idx = (listToArray(fields) ?? []).map((f) => fieldIndex(type, f, 'record constructor'));
      const n = idx.length;
      const ctor = function (...args: unknown[]): Record {
        if (args.length !== n) throw arityError(ctor, args.length, String(n));
        const values = new Array<unknown>(type.fields.length).fill(false);
        for (let i = 0; i < n; i++) values[idx[i]!] = args[i];
        return new Record(type, values);
      };
      return ctor;
    }, 2, 2],
    '%record-predicate': [(t: unknown) => (x: unknown) => x instanceof Record && x.type === t, 1, 1],
    '%record-accessor': [(t: unknown, field: unknown) => {
      const type = t as RecordType;
      const i = fieldIndex(type, field, 'record accessor');
      const who = `${type.name}-${type.fields[i]}`;
      return (r: unknown) => {
        if (r instanceof Record && r.type === type) return r.values[i];
        throw typeError(who, r);
      };
    }, 2, 2],
    '%record-modifier': [(t: unknown, field: unknown) => {
      const type = t as RecordType;
      const i = fieldIndex(type, field, 'record modifier');
      const who = `${type.name}-${type.fields[i]}-set!`;
      return (r: unknown, v: unknown) => {
        if (r instanceof Record && r.type === type) {
          r.values[i] = v;
          return undefined;
        }
        throw typeError(who, r);
      };
    }, 2, 2],
    error: [error, 0, Infinity],
    // raise / signal: any object; a condition travels as itself, anything else wrapped.
    raise: [(x: unknown) => {
      throw x instanceof Error ? x : new Raised(x);
    }, 1, 1],
    signal: [(x: unknown) => {
      throw x instanceof Error ? x : new Raised(x);
    }, 1, 1],
    abort: [(x: unknown) => {
      throw x instanceof Error ? x : new Raised(x);
    }, 1, 1],
    '%reraise': [(x: unknown) => {
      throw x instanceof Error ? x : new Raised(x);
    }, 1, 1],
    '%condition-matches?': [(e: unknown, kinds: unknown) => {
      const want = (listToArray(kinds) ?? []).map((k) => displayString(k));
      if (want.length === 0) return true;
      const have = conditionKinds(e);
      return want.every((k) => have.includes(k));
    }, 2, 2],
    'condition?': [(x: unknown) => x instanceof SchemeError || (x instanceof Error && !(x instanceof Raised)), 1, 1],
    'get-condition-property': [(e: unknown, kind: unknown, prop: unknown, dflt?: unknown) => {
      const v = conditionProperty(e, displayString(kind), displayString(prop));
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      throw schemeError(`(get-condition-property) condition has no such property`, [e, kind, prop]);
    }, 3, 4],
    'condition-property-accessor': [(kind: unknown, prop: unknown, dflt?: unknown) => {
      const k = displayString(kind);
      const p = displayString(prop);
      return (e: unknown) => conditionProperty(e, k, p) ?? (dflt === undefined ? false : dflt);
    }, 2, 3],
    'condition-predicate': [(kind: unknown) => {
      const k = displayString(kind);
      return (e: unknown) => conditionKinds(e).includes(k);
    }, 1, 1],
    'make-property-condition': [(kind: unknown, ...props: unknown[]) => {
      const k = displayString(kind);
      const e = new SchemeError([k], k === 'exn' ? displayString(propValue(props, 'message') ?? '') : k);
      for (let i = 0; i + 1 < props.length; i += 2) e.extra.set(`${k}.${displayString(props[i])}`, props[i + 1]);
      return e;
    }, 1, Infinity],
    'make-composite-condition': [(...cs: unknown[]) => {
      const kinds = cs.flatMap((c) => conditionKinds(c));
      const first = cs.find((c) => c instanceof SchemeError) as SchemeError | undefined;
      const e = new SchemeError(kinds, first?.message ?? 'composite condition', first?.args ?? [], first?.location ?? null);
      for (const c of cs) if (c instanceof SchemeError) for (const [k, v] of c.extra) e.extra.set(k, v);
      return e;
    }, 0, Infinity],
    'condition->list': [(e: unknown) => arrayToList(conditionKinds(e).map((k) => {
      const props = k === 'exn' ? ['message', 'arguments', 'location'] : [];
      const extra = e instanceof SchemeError ? [...e.extra.keys()].filter((key) => key.startsWith(`${k}.`)).map((key) => key.slice(k.length + 1)) : [];
      return new Pair(intern(k), arrayToList([...props, ...extra].flatMap((p) => [intern(p), conditionProperty(e, k, p) ?? false])));
    })), 1, 1],
    'error-object?': [(x: unknown) => x instanceof Error, 1, 1],
    'error-object-message': [(e: unknown) => (e instanceof Error ? e.message : ''), 1, 1],
    'error-object-irritants': [(e: unknown) => (e instanceof SchemeError ? arrayToList([...e.args]) : NIL), 1, 1],
    '%clock': [() => performance.now(), 0, 0],
    // (time EXPR) reports as csi does: seconds of CPU time (wall time here) on stderr.
    '%report-time': [(t0: unknown) => {
      process.stderr.write(`${((performance.now() - Number(t0)) / 1000).toFixed(3)}s CPU time\n`);
    }, 1, 1],
    'procedure-information': [(f: unknown) => {
      if (typeof f !== 'function') throw typeError('procedure-information', f);
      const info = procedureInfo.get(f.name);
      return info === undefined ? intern(f.name || '?') : intern(info.name);
    }, 1, 1],
    'current-milliseconds': [() => Date.now(), 0, 0],
    'current-seconds': [() => Math.floor(Date.now() / 1000), 0, 0],
    eval: [(x: unknown) => engine.evaluate(x), 1, 2],
    '%string': [(s: string) => new MString(s), 1, 1],
  });
  // The builtin parameter objects are procedures: make their printing name right.
  void writeString;
  void isPair;
}

function propValue(props: unknown[], name: string): unknown {
  for (let i = 0; i + 1 < props.length; i += 2) if (displayString(props[i]) === name) return props[i + 1];
  return undefined;
}

/** [min, max] arguments of a compiled procedure, for case-lambda. */
function arityOf(f: Fn): [number, number] {
  const info = procedureInfo.get(f.name);
  return info === undefined ? [f.length, Infinity] : [info.min, info.max];
}
