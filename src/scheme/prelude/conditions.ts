/**
 * CHICKEN's condition procedures over JS errors: kinds (`exn`, `http`, `i/o` …), properties
 * (`message`, `arguments`, `location`), used by `condition-case` (scheme/prelude.scm).
 */
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { toStr, list, toArray, sym, lips, displayString, isStringLike } from '../values.js';
import { ThreadCondition } from './threads.js';
import { HttpClientError, HttpProtocolError, HttpTimeoutError, HandlerOutputError } from '../../http/errors.js';

/** The kinds a raised object belongs to, as CHICKEN condition kinds. */
export function kindsOf(e: unknown): string[] {
  if (e instanceof ThreadCondition) return [e.kind];
  if (!(e instanceof Error)) return [];
  const kinds = ['exn'];
  if (e instanceof HttpClientError) {
    kinds.push('http', 'client', 'i/o', 'net');
    if (e.code === 'timeout') kinds.push('timeout');
  } else if (e instanceof HttpProtocolError || e instanceof HandlerOutputError) kinds.push('http');
  else if (e instanceof HttpTimeoutError) kinds.push('http', 'timeout');
  else if (e instanceof TypeError || e.name === 'SchemeArgumentError') kinds.push('type');
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('E')) kinds.push('i/o', 'net');
  return kinds;
}

export function property(e: unknown, kind: string, prop: string, dflt: unknown): unknown {
  if (!kindsOf(e).includes(kind)) return dflt;
  if (e instanceof ThreadCondition) return prop === 'reason' ? e.reason : dflt;
  const err = e as Error & { args?: unknown[]; code?: string; url?: string; status?: number; location?: unknown };
  switch (prop) {
    case 'message': return err.message;
    case 'arguments': return list(Array.isArray(err.args) ? err.args : []);
    case 'location': return err.location ?? false;
    case 'code': return err.code ?? dflt;
    case 'url': return err.url ?? dflt;
    case 'status': return err.status ?? dflt;
    default: return dflt;
  }
}

type Thunk = () => unknown;
type Handler = (e: unknown) => unknown;

/**
 * LIPS's own control transfers that travel as JS exceptions (a continuation's State, its
 * IgnoreException): not raised objects, so a handler must let them through.
 */
function isControlTransfer(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const name = (e as { constructor?: { name?: string } }).constructor?.name;
  return name === 'State' || name === 'IgnoreException';
}

export function installConditions(global: Environment): void {
  defineAll(global, {
    /**
     * (%handle-exceptions THUNK HANDLER): THUNK's value, or (HANDLER CONDITION) when THUNK raises,
     * called after THUNK's extent is left (as `guard` does, without its call/cc: ~2 ms a use in
     * LIPS). A raise from HANDLER goes to the enclosing handler unchanged.
     */
    '%handle-exceptions'(this: CallContext, thunk: unknown, handler: unknown): unknown {
      const h = (e: unknown): unknown => {
        if (isControlTransfer(e)) throw e;
        return (handler as Handler).call(this, e);
      };
      let r: unknown;
      try {
        r = (thunk as Thunk).call(this);
      } catch (e) {
        return h(e);
      }
      return r instanceof Promise ? r.then(undefined, h) : r;
    },
    '%condition-matches?'(e: unknown, kinds: unknown): boolean {
      const wanted = toArray(kinds).map((k) => toStr(k));
      if (wanted.length === 0) return true;
      const have = kindsOf(e);
      return wanted.every((k) => have.includes(k));
    },
    'condition?'(x: unknown): boolean { return x instanceof Error; },
    'condition-predicate'(kind: unknown): (x: unknown) => boolean {
      const k = toStr(kind);
      return (x: unknown) => kindsOf(x).includes(k);
    },
    'get-condition-property'(e: unknown, kind: unknown, prop: unknown, dflt?: unknown): unknown {
      // As CHICKEN (3 and 5): #f when the condition is not of KIND at all.
      if (!kindsOf(e).includes(toStr(kind))) return false;
      const v = property(e, toStr(kind), toStr(prop), dflt === undefined ? undefined : dflt);
      if (v === undefined) throw new Error(`get-condition-property: ${displayString(e)} has no property ${toStr(prop)} of kind ${toStr(kind)}`);
      return v;
    },
    'condition-property-accessor'(kind: unknown, prop: unknown, dflt?: unknown): (e: unknown) => unknown {
      const k = toStr(kind);
      const p = toStr(prop);
      return (e: unknown) => (kindsOf(e).includes(k) ? property(e, k, p, dflt === undefined ? false : dflt) : false);
    },
    'condition->list'(e: unknown): unknown {
      const L = lips();
      return list(kindsOf(e).map((k) => {
        const props = k === 'exn' ? ['message', 'arguments', 'location'] : e instanceof ThreadCondition ? ['reason'] : ['message'];
        return new L.Pair(sym(k), list(props.flatMap((p) => [sym(p), property(e, k, p, false)])));
      }));
    },
    /**
     * CHICKEN's (error [LOCATION] MESSAGE ARGUMENT …): a condition of kind exn whose message,
     * arguments and location `get-condition-property` reads (LIPS's takes no location).
     */
    error(message: unknown, ...args: unknown[]): never {
      const L = lips();
      let location: unknown = false;
      let text: string;
      if (message instanceof L.LSymbol && args.length > 0 && isStringLike(args[0])) {
        location = message;
        text = toStr(args.shift());
      } else {
        text = displayString(message);
      }
      const e = new L.Error(text) as Error & { args: unknown[]; location: unknown };
      e.args = args;
      e.location = location;
      throw e;
    },
    /** CHICKEN's signal and abort: raise X as it is. */
    signal(x: unknown): never {
      throw x;
    },
    abort(x: unknown): never {
      throw x;
    },
  });
}
