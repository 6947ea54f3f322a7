/**
 * Control and the procedures the expander's derived forms call: apply, parameters and the
 * dynamic state, promises, case-lambda, records, conditions, errors, eval, time.
 */
import type { Engine } from '../compiler/index.js';
import { S, callScheme } from '../runtime/control.js';
import { Flo, NIL, Pair, listToArray, arrayToList, intern, isSymbol, symbolName, makeValues, valuesList, MString, stringValue } from '../runtime/data.js';
import { SchemeError, Raised, typeError, arityError, schemeError, notProcedure } from '../runtime/errors.js';
import { displayString, writeString, registerPrinter, describeCompiledProcedures } from '../runtime/printer.js';
import { spread, arrayForms } from '../runtime/prims.js';
import { numericArrayForms } from '../runtime/numbers.js';
import { procedureInfo } from '../compiler/codegen.js';
import { defineProcedures } from './define.js';
import { kindsOf as jsErrorKinds, property as jsErrorProperty } from '../prelude/conditions.js';

type Fn = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------------------
// apply
// ---------------------------------------------------------------------------------------------

// The arithmetic procedures take their arguments as an array (see `arrayForms`).
for (const [f, g] of numericArrayForms) arrayForms.set(f, g);

/** Registers G as F's array form: (G ARGS) does what (F ...ARGS) does. */
export function setArrayForm(f: unknown, g: (args: unknown[]) => unknown): void {
  if (typeof f !== 'function') throw new Error('setArrayForm: not a procedure');
  arrayForms.set(f as Fn, g);
}

// ---------------------------------------------------------------------------------------------
// Parameters and the dynamic state
// ---------------------------------------------------------------------------------------------

/**
 * One binding of the dynamic state; S.dyn is a chain of these (the running task's). P is a
 * parameter (a parameterize binding), or one of the keys below.
 */
interface DynBinding {
  p: Fn;
  v: unknown;
  next: DynBinding | null;
}

/**
 * Key of the binding of the current exception handler: V is a HandlerEntry, or null where a
 * raise is to be thrown (at the top, and in the body of a handle-exceptions).
 */
const HANDLER_KEY: Fn = function exceptionHandler() {
  return undefined;
};
/**
 * Key of the binding a thread starts with: V is a Map of the thread's own parameter values
 * (set in the thread while not parameterized); the bindings below it are its creator's.
 */
const THREAD_KEY: Fn = function threadParameters() {
  return undefined;
};

/** A with-exception-handler handler, with the handler that was current when it was installed. */
interface HandlerEntry {
  proc: Fn;
  outer: HandlerEntry | null;
  /** The last object raised out of a run of the handler (not the handler's to handle again). */
  escaped: unknown;
}

/** The current exception handler in dynamic state DYN (null: a raise is thrown). */
function handlerIn(dyn: unknown): HandlerEntry | null {
  for (let d = dyn as DynBinding | null; d !== null; d = d.next) {
    if (d.p === HANDLER_KEY) return d.v as HandlerEntry | null;
    // A thread does not run its creator's handlers.
    if (d.p === THREAD_KEY) return null;
  }
  return null;
}

function withHandler(dyn: unknown, h: HandlerEntry | null): DynBinding {
  return { p: HANDLER_KEY, v: h, next: dyn as DynBinding | null };
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

/** P's binding in dynamic state DYN (or its thread's own value), if it has one there. */
export function bindingIn(dyn: unknown, p: Fn): { found: boolean; value: unknown } {
  for (let d = dyn as DynBinding | null; d !== null; d = d.next) {
    if (d.p === p) return { found: true, value: d.v };
    if (d.p === THREAD_KEY && (d.v as Map<Fn, unknown>).has(p)) return { found: true, value: (d.v as Map<Fn, unknown>).get(p) };
  }
  return { found: false, value: undefined };
}

/** A parameter's value in the running task. */
export function parameterValue(p: Fn): unknown {
  for (let d = S.dyn as DynBinding | null; d !== null; d = d.next) {
    if (d.p === p) return d.v;
    if (d.p === THREAD_KEY) {
      const own = d.v as Map<Fn, unknown>;
      if (own.has(p)) return own.get(p);
    }
  }
  const info = params.get(p)!;
  return info.dflt !== null ? info.dflt() : info.value;
}

/** V through parameter guard GUARD (a Scheme procedure, run to its end here). */
function guarded(guard: Fn | null, v: unknown): unknown {
  if (guard === null) return v;
  const r = callScheme(guard, v);
  if (r instanceof Promise) throw schemeError('a parameter\'s guard cannot wait for I/O', [guard], 'make-parameter');
  return r;
}

/** (make-parameter VALUE [GUARD]): a procedure; with no argument its value, with one it sets it. */
export function makeParameter(value: unknown, guard: Fn | null = null, name = 'parameter', dflt: (() => unknown) | null = null): Fn {
  const info: ParamInfo = { value: guarded(guard, value), guard, dflt, store: null };
  const p = function parameter(...args: unknown[]): unknown {
    if (args.length === 0) return parameterValue(p);
    const v = guarded(info.guard, args[0]);
    // Setting a parameterized parameter changes the innermost binding (as CHICKEN does); in a
    // thread, an unbound one changes the thread's own value (CHICKEN: threads' parameters are theirs).
    for (let d = S.dyn as DynBinding | null; d !== null; d = d.next) {
      if (d.p === p) {
        d.v = v;
        return undefined;
      }
      if (d.p === THREAD_KEY) {
        (d.v as Map<Fn, unknown>).set(p, v);
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

/**
 * define-record-printer's printers by record type name (CHICKEN keys them by the type's tag):
 * each gives the text, or null when the Scheme printer could not run to its end here.
 */
const recordPrinters = new Map<string, (r: unknown) => string | null>();

/** A printer that runs Scheme procedure F (RECORD PORT) on a string port of ENGINE. */
function schemeRecordPrinter(engine: Engine, f: Fn): (r: unknown) => string | null {
  return (r) => {
    const open = engine.lookup('open-output-string');
    const get = engine.lookup('get-output-string');
    if (typeof open !== 'function' || typeof get !== 'function') return null;
    const port = (open as Fn)();
    // A printer waiting for I/O cannot be waited for inside display: the plain form is printed.
    if (callScheme(f, r, port) instanceof Promise) return null;
    return stringValue((get as Fn)(port));
  };
}

class RecordType {
  constructor(readonly name: string, readonly fields: string[]) {}
}
class Record {
  constructor(readonly type: RecordType, readonly values: unknown[]) {}
}
registerPrinter(RecordType, (t) => `#<record-type ${(t as RecordType).name}>`);
registerPrinter(Record, (r) => {
  const rec = r as Record;
  const custom = recordPrinters.get(rec.type.name);
  return (custom === undefined ? null : custom(rec)) ?? `#<${rec.type.name}>`;
});

/** csi's error for a record procedure given something else: the object and the type's name. */
function notRecordOf(type: RecordType, x: unknown, who: string | null): SchemeError {
  return new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [x, intern(type.name)], who);
}

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
  // Errors of the protocol core and of Node (a refused connection …): kinds as the egg's.
  if (e instanceof Error) return jsErrorKinds(e);
  return [];
}

/**
 * Property PROP of kind KIND of condition E: for one made by make-property-condition (or a
 * composite of such) only those given, the first of its KIND; otherwise as conditionProperty.
 */
function findProperty(e: unknown, kind: string, prop: string): { found: boolean; value: unknown } {
  const explicit = e instanceof SchemeError ? explicitProperties.get(e) : undefined;
  if (explicit !== undefined) {
    const hit = explicit.get(kind)?.find(([p]) => p === prop);
    return hit === undefined ? { found: false, value: undefined } : { found: true, value: hit[1] };
  }
  const v = conditionProperty(e, kind, prop);
  return { found: v !== undefined, value: v };
}

/**
 * csi's condition-property-accessor and get-condition-property: #f for a condition without the
 * kind; DFLT (or an error) for one with the kind but not the property.
 */
function accessProperty(e: unknown, kind: unknown, prop: unknown, dflt: unknown): unknown {
  if (!isCondition(e)) throw new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [e, intern('condition')]);
  const k = displayString(kind);
  if (!conditionKinds(e).includes(k)) return false;
  const { found, value } = findProperty(e, k, displayString(prop));
  if (found) return value;
  if (dflt !== undefined) return dflt;
  throw new SchemeError(['exn', 'type'], 'condition has no such property', [prop], 'condition-property-accessor');
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
  if (e instanceof Error) {
    const v = jsErrorProperty(e, kind, prop, undefined);
    if (v !== undefined) return v;
    if (kind === 'exn' && prop === 'arguments') return NIL;
  }
  return undefined;
}

/**
 * CHICKEN's (error [LOCATION] MESSAGE ARG …): a symbol (or #f) followed by more arguments is the
 * location; a symbol alone is the message, as a string. A message that is not a string is kept
 * as it is (`(error 42)` has message 42) and displayed in the error text.
 */
function errorCondition(args: unknown[]): SchemeError {
  let msg: unknown = args.length === 0 ? false : args.shift();
  if (isSymbol(msg) && args.length === 0) msg = new MString(symbolName(msg));
  let location: string | null = null;
  if ((msg === false || isSymbol(msg)) && args.length > 0) {
    location = msg === false ? null : symbolName(msg as { __name__: unknown });
    msg = args.shift();
  }
  const text = stringValue(msg);
  const e = new SchemeError(['exn'], text ?? displayString(msg), args, location);
  if (text === null) e.extra.set('exn.message', msg);
  return e;
}

/** What a raise outside of any with-exception-handler throws: a condition itself, anything else wrapped. */
function thrown(x: unknown, continuable: boolean): Error {
  return x instanceof Error ? x : new Raised(x, continuable);
}

/**
 * The handler of a raise with no with-exception-handler around it: it throws, to the innermost
 * handle-exceptions (or condition-case, guard), or out of the program as an error.
 */
function defaultHandler(x: unknown): never {
  throw thrown(x, false);
}

/**
 * Raising in ENGINE: X goes to the current with-exception-handler handler, run in the dynamic
 * context of the raise by %invoke-handler (scheme/library/conditions.scm: the TS procedure ends
 * in that call, so the handler may suspend; for a CONTINUABLE raise its value is the raise's),
 * or, with none, is thrown.
 */
function raiser(engine: Engine): (x: unknown, continuable: boolean) => unknown {
  return (x, continuable) => {
    const h = handlerIn(S.dyn);
    const invoke = h === null ? undefined : engine.lookup('%invoke-handler');
    if (typeof invoke !== 'function') throw thrown(x, continuable);
    return (invoke as Fn)(h, x, continuable);
  };
}

/**
 * The properties, kind by kind, of a condition made by make-property-condition or
 * make-composite-condition: condition->list shows exactly these (csi: `((exn message "m"))`),
 * where a condition the system raised has message, arguments and location.
 */
const explicitProperties = new WeakMap<SchemeError, Map<string, Array<[string, unknown]>>>();

/** The properties of condition E by kind, as condition->list lists them. */
function propertiesOf(e: unknown): Map<string, Array<[string, unknown]>> {
  const explicit = e instanceof SchemeError ? explicitProperties.get(e) : undefined;
  if (explicit !== undefined) return explicit;
  const out = new Map<string, Array<[string, unknown]>>();
  for (const k of conditionKinds(e)) {
    const names = k === 'exn' ? ['message', 'arguments', 'location'] : [];
    if (e instanceof SchemeError) {
      for (const key of e.extra.keys()) {
        const p = key.slice(k.length + 1);
        if (key.startsWith(`${k}.`) && !names.includes(p)) names.push(p);
      }
    }
    out.set(k, names.map((p) => [p, conditionProperty(e, k, p) ?? false]));
  }
  return out;
}

/**
 * csi 5's print-error-message text: a newline, HEADER, then for a condition with a message
 * `: (LOCATION) MESSAGE` and its arguments (one: `: ARG`; more: each on a line), for one without
 * `: <condition> (KINDS)`, for a string `: STRING`, for anything else `: uncaught exception: X`.
 */
function errorMessageText(ex: unknown, header: string): string {
  const out = ['\n', header];
  if (isCondition(ex)) {
    const kinds = conditionKinds(ex);
    const msg = kinds.includes('exn') ? findProperty(ex, 'exn', 'message') : { found: false, value: undefined };
    if (!msg.found || msg.value === false) {
      out.push(`: <condition> ${displayString(arrayToList(kinds.map((k) => intern(k))))}`);
      return out.join('');
    }
    const loc = findProperty(ex, 'exn', 'location').value;
    out.push(': ', isSymbol(loc) ? `(${symbolName(loc)}) ` : '', displayString(msg.value));
    const args = findProperty(ex, 'exn', 'arguments');
    const items = args.found ? listToArray(args.value) : null;
    if (items === null) return out.join('');
    if (items.length === 1) out.push(': ', writeString(items[0]));
    else for (const a of items) out.push('\n', writeString(a));
    out.push('\n');
    return out.join('');
  }
  const s = stringValue(ex);
  out.push(s !== null ? `: ${s}\n` : `: uncaught exception: ${writeString(ex)}\n`);
  return out.join('');
}

function isCondition(x: unknown): boolean {
  return x instanceof SchemeError || (x instanceof Error && !(x instanceof Raised));
}

// ---------------------------------------------------------------------------------------------

/** CPU time of this process (user and system), in milliseconds. */
function cpuMilliseconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function installControl(engine: Engine): void {
  const raise = raiser(engine);
  const setRecordPrinter = (name: unknown, f: unknown): undefined => {
    if (typeof f !== 'function') throw typeError('define-record-printer', f, 'procedure');
    recordPrinters.set(displayString(name), schemeRecordPrinter(engine, f as Fn));
    return undefined;
  };
  describeCompiledProcedures((f) => {
    const info = procedureInfo.get(f.name);
    if (info === undefined) return undefined;
    // A rest list alone (`(lambda args …)`, `(define (g . r) …)`) is written as `(g . r)`.
    const restOnly = info.min === 0 && info.max === Infinity && info.params !== '' && !info.params.includes(' ');
    return { name: info.name, params: restOnly ? `. ${info.params}` : info.params };
  });
  defineProcedures(engine, {
    // A TS procedure that ends in a call of a Scheme procedure returns what that returns (the
    // suspension sentinel included), so apply needs no frame of its own.
    apply: [(f: unknown, ...args: unknown[]) => {
      if (typeof f !== 'function') throw typeError('apply', f);
      const all = spread(args);
      const g = arrayForms.get(f as Fn);
      if (g !== undefined) return g(all);
      return (f as Fn)(...all);
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
        if (typeof p !== 'function') throw notProcedure(p);
        if (info === undefined) throw typeError('parameterize', p);
        out = { p: p as Fn, v: guarded(info.guard, va[i]), next: out };
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
    // NAME, when the expander passes it, is the binding's name: csi prints the constructor as
    // `#<procedure (make-point x y)>` and names the accessor in its errors.
    '%record-constructor': [(t: unknown, fields: unknown, name?: unknown) => {
      const type = t as RecordType;
      const names = listToArray(fields) ?? [];
      const idx = names.map((f) => fieldIndex(type, f, 'record constructor'));
      const n = idx.length;
      const ctor = function (...args: unknown[]): Record {
        if (args.length !== n) throw arityError(ctor, args.length, String(n));
        const values = new Array<unknown>(type.fields.length).fill(false);
        for (let i = 0; i < n; i++) values[idx[i]!] = args[i];
        return new Record(type, values);
      };
      if (name !== undefined) {
        Object.defineProperty(ctor, 'name', { value: displayString(name) });
        Object.defineProperty(ctor, 'schemeParams', { value: `(${names.map((f) => displayString(f)).join(' ')})` });
      }
      return ctor;
    }, 2, 3],
    '%record-predicate': [(t: unknown) => (x: unknown) => x instanceof Record && x.type === t, 1, 1],
    '%record-accessor': [(t: unknown, field: unknown, name?: unknown) => {
      const type = t as RecordType;
      const i = fieldIndex(type, field, 'record accessor');
      const who = name === undefined ? `${type.name.replace(/^<(.*)>$/, '$1')}-${type.fields[i]}` : name === false ? null : displayString(name);
      return (r: unknown) => {
        if (r instanceof Record && r.type === type) return r.values[i];
        throw notRecordOf(type, r, who);
      };
    }, 2, 3],
    '%record-modifier': [(t: unknown, field: unknown) => {
      const type = t as RecordType;
      const i = fieldIndex(type, field, 'record modifier');
      return (r: unknown, v: unknown) => {
        if (r instanceof Record && r.type === type) {
          r.values[i] = v;
          return undefined;
        }
        // csi's modifiers name no location.
        throw notRecordOf(type, r, null);
      };
    }, 2, 3],
    error: [(...args: unknown[]) => raise(errorCondition(args), false), 0, Infinity],
    // signal: continuable (the handler's value is signal's); abort and raise: not.
    signal: [(x: unknown) => raise(x, true), 1, 1],
    'raise-continuable': [(x: unknown) => raise(x, true), 1, 1],
    abort: [(x: unknown) => raise(x, false), 1, 1],
    raise: [(x: unknown) => raise(x, false), 1, 1],
    '%reraise': [(x: unknown) => raise(x, false), 1, 1],
    'current-exception-handler': [() => handlerIn(S.dyn)?.proc ?? defaultHandler, 0, 0],
    '%dyn-catching': [(d: unknown) => (handlerIn(d) === null ? d : withHandler(d, null)), 1, 1],
    '%dyn-thread': [(d: unknown) => ({ p: THREAD_KEY, v: new Map<Fn, unknown>(), next: d as DynBinding | null }), 1, 1],
    '%make-handler': [(proc: unknown, d: unknown): HandlerEntry => {
      if (typeof proc !== 'function') throw typeError('with-exception-handler', proc, 'procedure');
      return { proc: proc as Fn, outer: handlerIn(d), escaped: undefined };
    }, 2, 2],
    '%dyn-with-handler': [(d: unknown, h: unknown) => withHandler(d, h as HandlerEntry), 2, 2],
    '%dyn-handler-outer': [(d: unknown, h: unknown) => withHandler(d, (h as HandlerEntry).outer), 2, 2],
    '%handler-proc': [(h: unknown) => (h as HandlerEntry).proc, 1, 1],
    // An object raised out of a run of H: recorded, so that H's with-exception-handler lets it pass.
    '%handler-escaped': [(h: unknown, x: unknown) => {
      (h as HandlerEntry).escaped = x;
      throw x instanceof Error ? x : new Raised(x);
    }, 2, 2],
    '%handler-escaped?': [(h: unknown, x: unknown) => (h as HandlerEntry).escaped === x, 2, 2],
    '%rethrow': [(x: unknown) => {
      throw x instanceof Error ? x : new Raised(x);
    }, 1, 1],
    // A handler returned from a non-continuable raise: that is an error (SRFI-12's abort).
    'print-error-message': [(ex: unknown, port?: unknown, header?: unknown) => {
      const display = engine.lookup('display') as Fn;
      const text = errorMessageText(ex, header === undefined ? 'Error' : displayString(header));
      return port === undefined ? display(text) : display(text, port);
    }, 1, 3],
    '%set-record-printer!': [setRecordPrinter, 2, 2],
    'set-record-printer!': [setRecordPrinter, 2, 2],
    '%handler-returned': [() => raise(new SchemeError(['exn'], 'exception handler returned', [], null), false), 0, 1],
    '%condition-matches?': [(e: unknown, kinds: unknown) => {
      const want = (listToArray(kinds) ?? []).map((k) => displayString(k));
      if (want.length === 0) return true;
      const have = conditionKinds(e);
      return want.every((k) => have.includes(k));
    }, 2, 2],
    'condition?': [isCondition, 1, 1],
    'get-condition-property': [(e: unknown, kind: unknown, prop: unknown, dflt?: unknown) => accessProperty(e, kind, prop, dflt), 3, 4],
    'condition-property-accessor': [(kind: unknown, prop: unknown, dflt?: unknown) => (e: unknown) => accessProperty(e, kind, prop, dflt), 2, 3],
    'condition-predicate': [(kind: unknown) => {
      const k = displayString(kind);
      return (e: unknown) => conditionKinds(e).includes(k);
    }, 1, 1],
    'make-property-condition': [(kind: unknown, ...props: unknown[]) => {
      if (props.length % 2 !== 0) throw new SchemeError(['exn', 'type'], 'argument is not an even property list', [arrayToList(props)], 'make-property-condition');
      const k = displayString(kind);
      // An exn condition's message, arguments and location are what its error text shows.
      const exn = k === 'exn';
      const location = exn ? propValue(props, 'location') : undefined;
      const e = new SchemeError([k], exn ? displayString(propValue(props, 'message') ?? '') : k,
        exn ? listToArray(propValue(props, 'arguments')) ?? [] : [],
        location === undefined || location === false ? null : displayString(location));
      const pairs: Array<[string, unknown]> = [];
      for (let i = 0; i + 1 < props.length; i += 2) {
        const p = displayString(props[i]);
        e.extra.set(`${k}.${p}`, props[i + 1]);
        pairs.push([p, props[i + 1]]);
      }
      explicitProperties.set(e, new Map([[k, pairs]]));
      return e;
    }, 1, Infinity],
    'make-composite-condition': [(...cs: unknown[]) => {
      const bad = cs.find((c) => !isCondition(c));
      if (bad !== undefined) throw new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [bad, intern('condition')], 'make-composite-condition');
      const kinds = cs.flatMap((c) => conditionKinds(c));
      const first = cs.find((c) => c instanceof SchemeError) as SchemeError | undefined;
      const e = new SchemeError(kinds, first?.message ?? 'composite condition', first?.args ?? [], first?.location ?? null);
      // The first condition of a kind gives its properties (csi's accessors find that one).
      for (const c of cs) if (c instanceof SchemeError) for (const [k, v] of c.extra) if (!e.extra.has(k)) e.extra.set(k, v);
      const props = new Map<string, Array<[string, unknown]>>();
      for (const c of cs) for (const [k, ps] of propertiesOf(c)) if (!props.has(k)) props.set(k, ps);
      explicitProperties.set(e, props);
      return e;
    }, 1, Infinity],
    'condition->list': [(e: unknown) => {
      if (!isCondition(e)) throw new SchemeError(['exn', 'type'], 'argument is not a condition object', [e], 'condition->list');
      return arrayToList([...propertiesOf(e)].map(([k, ps]) => new Pair(intern(k), arrayToList(ps.flatMap(([p, v]) => [intern(p), v])))));
    }, 1, 1],
    'error-object?': [(x: unknown) => x instanceof Error, 1, 1],
    'error-object-message': [(e: unknown) => (e instanceof Error ? e.message : ''), 1, 1],
    'error-object-irritants': [(e: unknown) => (e instanceof SchemeError ? arrayToList([...e.args]) : NIL), 1, 1],
    '%clock': [() => cpuMilliseconds(), 0, 0],
    // (time EXPR) reports as csi does: seconds of CPU time (user and system) on stderr.
    '%report-time': [(t0: unknown) => {
      process.stderr.write(`${((cpuMilliseconds() - Number(t0)) / 1000).toFixed(3)}s CPU time\n`);
    }, 1, 1],
    // CHICKEN's CPU clocks, in whole milliseconds: cpu-time gives user and system time apart.
    'cpu-time': [() => {
      const u = process.cpuUsage();
      return makeValues([Math.round(u.user / 1000), Math.round(u.system / 1000)]);
    }, 0, 0],
    'current-process-milliseconds': [() => Math.round(cpuMilliseconds()), 0, 0],
    'procedure-information': [(f: unknown) => {
      if (typeof f !== 'function') throw typeError('procedure-information', f);
      const info = procedureInfo.get(f.name);
      return info === undefined ? intern(f.name || '?') : intern(info.name);
    }, 1, 1],
    'current-milliseconds': [() => Date.now(), 0, 0],
    'current-second': [() => new Flo(Date.now() / 1000), 0, 0],
    'current-jiffy': [() => Math.round(performance.now() * 1000), 0, 0],
    'jiffies-per-second': [() => 1_000_000, 0, 0],
    'current-process-id': [() => process.pid, 0, 0],
    // random and randomize: data-structures.ts (a generator that can be seeded).
    'current-seconds': [() => Math.floor(Date.now() / 1000), 0, 0],
    eval: [(x: unknown) => engine.evaluate(x), 1, 2],
    '%string': [(s: string) => new MString(s), 1, 1],
  });
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
