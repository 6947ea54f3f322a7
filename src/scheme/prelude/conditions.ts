/**
 * CHICKEN's condition procedures over JS errors: kinds (`exn`, `http`, `i/o` …), properties
 * (`message`, `arguments`, `location`), used by `condition-case` (scheme/prelude.scm).
 */
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { toStr, list, toArray, sym, lips, displayString } from '../values.js';
import { HttpClientError, HttpProtocolError, HttpTimeoutError, HandlerOutputError } from '../../http/errors.js';

/** The kinds a raised object belongs to, as CHICKEN condition kinds. */
function kindsOf(e: unknown): string[] {
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

function property(e: unknown, kind: string, prop: string, dflt: unknown): unknown {
  if (!kindsOf(e).includes(kind)) return dflt;
  const err = e as Error & { args?: unknown[]; code?: string; url?: string; status?: number };
  switch (prop) {
    case 'message': return err.message;
    case 'arguments': return list(Array.isArray(err.args) ? err.args : []);
    case 'location': return false;
    case 'code': return err.code ?? dflt;
    case 'url': return err.url ?? dflt;
    case 'status': return err.status ?? dflt;
    default: return dflt;
  }
}

export function installConditions(global: Environment): void {
  defineAll(global, {
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
      const v = property(e, toStr(kind), toStr(prop), dflt === undefined ? undefined : dflt);
      if (v === undefined) throw new Error(`get-condition-property: ${displayString(e)} has no property ${toStr(prop)} of kind ${toStr(kind)}`);
      return v;
    },
    'condition-property-accessor'(kind: unknown, prop: unknown, dflt?: unknown): (e: unknown) => unknown {
      const k = toStr(kind);
      const p = toStr(prop);
      return (e: unknown) => property(e, k, p, dflt === undefined ? false : dflt);
    },
    'condition->list'(e: unknown): unknown {
      const L = lips();
      return list(kindsOf(e).map((k) => new L.Pair(sym(k), list([sym('message'), property(e, k, 'message', false)]))));
    },
  });
}
