/**
 * http-utils: `http:decode-url`, `http:canonicalize-string`, the request record and its accessors,
 * `http:read-line-limit`, `http:read-request-attributes`.
 */
import type { Environment, Parameter } from 'lips';
import { compiledBindings } from '../handlers.js';
import { compiledValues } from '../values.js';
import { defineAll, type CallContext } from '../define.js';
import { HttpRequest } from '../../http/request.js';
import { decodeUrl, canonicalizeBytes, canonicalizeString } from '../../http/url.js';
import { readRequestAttributes } from '../../http/attributes.js';
import {
  toStr, toNum, sym, values, headersToAlist, alistToHeaders, lips, SchemeArgumentError, describe, list, cons, toBytes, fromBytes,
} from '../values.js';
import { InPort } from '../ports.js';
import { currentIn } from '../prelude/current-ports.js';
import type { ServerConfig } from '../../http/server/config.js';

function req(x: unknown, who: string): HttpRequest {
  if (x instanceof HttpRequest) return x;
  throw new SchemeArgumentError(`${who}: expected an HTTP request object, got ${describe(x)}`);
}

/** `%XX` decoding as the engine's strings hold text: bytes (compiled), or characters (LIPS). */
function canonicalizer(): (s: string) => string {
  return compiledValues() ? canonicalizeBytes : canonicalizeString;
}

/** Method and protocol are symbols in Scheme, strings in the core. */
function symbolName(x: unknown, who: string, what: string): string {
  return toStr(x, who, what);
}

/** A request body as Scheme sees it: #f, a string, an a-list of arguments, or what a parser made. */
export function bodyToScheme(x: unknown): unknown {
  if (x === null || x === undefined) return false;
  if (Array.isArray(x) && x.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
    return headersToAlist(x as Array<[string, string]>);
  }
  // The compiled engine's strings are bytes: a body's bytes are given one character each (as a
  // Scheme string object, which the text-to-bytes conversion of results leaves alone).
  if (Buffer.isBuffer(x)) return compiledValues() ? new (lips().LString)(x.toString('latin1')) : x.toString('utf8');
  return x;
}

function bodyFromScheme(x: unknown): unknown {
  if (x === false || x === undefined) return null;
  const L = lips();
  const s = x instanceof L.LString ? x.valueOf() : x;
  // Bytes from the compiled engine go out exactly as they are.
  if (typeof s === 'string' && compiledValues()) return Buffer.from(s, 'latin1');
  return s;
}

/** `http:read-line-limit` as the calling code sees it: its `parameterize` binding, else the global value. */
function lineLimit(ctx: CallContext, global: Parameter, who: string): number {
  const L = lips();
  const live = compiledBindings();
  let value: unknown;
  if (live !== null) {
    const b = live.lookup(global, live.current());
    value = b.found ? b.value : global.__value__;
  } else {
    const dyn = ctx._raw_dyn;
    const bound = dyn === undefined || dyn === null ? undefined : dyn.get('http:read-line-limit', { throwError: false });
    value = bound instanceof L.Parameter ? bound.invoke() : global.__value__;
  }
  const n = toNum(value, who, 'the value of http:read-line-limit');
  if (!Number.isInteger(n) || n <= 0) throw new SchemeArgumentError(`${who}: http:read-line-limit must be a positive integer, got ${describe(value)}`);
  return n;
}

export function installHttpUtils(global: Environment, config: ServerConfig): void {
  const L = lips();
  const readLineLimit = new L.Parameter(8192, null, 'http:read-line-limit');
  // The core reads the limit on every request: let it read the parameter.
  Object.defineProperty(config.limits, 'readLineLimit', {
    get: () => toNum((readLineLimit as Parameter).__value__, 'http:read-line-limit'),
    set: (v: number) => { (readLineLimit as Parameter).__value__ = v; },
    enumerable: true,
  });
  global.set('http:read-line-limit', readLineLimit);

  defineAll(global, {
    // On bytes (SEMANTICS.md: `%XX` is the byte XX, UTF-8 or not), as Scheme strings are.
    'http:decode-url'(url: unknown): unknown {
      const [path, args] = decodeUrl(toBytes(url, 'http:decode-url', 'URL'), canonicalizer());
      return values([fromBytes(path), list(args.map(([n, v]) => cons(fromBytes(n), fromBytes(v))))]);
    },
    'http:canonicalize-string'(s: unknown): unknown {
      return fromBytes(canonicalizer()(toBytes(s, 'http:canonicalize-string')));
    },
    'http:make-request'(method: unknown, url: unknown, attributes?: unknown, body?: unknown, protocol?: unknown, ip?: unknown): HttpRequest {
      const who = 'http:make-request';
      return new HttpRequest(
        symbolName(method, who, 'METHOD'),
        toStr(url, who, 'URL'),
        attributes === undefined ? [] : alistToHeaders(attributes, who, 'ATTRIBUTES'),
        body === undefined ? null : bodyFromScheme(body),
        protocol === undefined || protocol === false ? 'HTTP/1.0' : symbolName(protocol, who, 'PROTOCOL'),
        ip === undefined || ip === false ? null : toStr(ip, who, 'IP'),
      );
    },
    'http:request?'(x: unknown): boolean { return x instanceof HttpRequest; },
    'http:request-url'(r: unknown): string { return req(r, 'http:request-url').url; },
    'http:request-protocol'(r: unknown): unknown { return sym(req(r, 'http:request-protocol').protocol); },
    'http:request-attributes'(r: unknown): unknown { return headersToAlist(req(r, 'http:request-attributes').attributes); },
    'http:request-body'(r: unknown): unknown { return bodyToScheme(req(r, 'http:request-body').body); },
    'http:request-method'(r: unknown): unknown { return sym(req(r, 'http:request-method').method); },
    'http:request-ip'(r: unknown): unknown { return req(r, 'http:request-ip').ip ?? false; },
    'http:request-sslctx'(r: unknown): unknown { return req(r, 'http:request-sslctx').sslctx ?? false; },
    'http:request-url-set!'(r: unknown, v: unknown): void { req(r, 'http:request-url-set!').url = toStr(v, 'http:request-url-set!', 'URL'); },
    'http:request-protocol-set!'(r: unknown, v: unknown): void { req(r, 'http:request-protocol-set!').protocol = symbolName(v, 'http:request-protocol-set!', 'PROTOCOL'); },
    'http:request-attributes-set!'(r: unknown, v: unknown): void { req(r, 'http:request-attributes-set!').attributes = alistToHeaders(v, 'http:request-attributes-set!'); },
    'http:request-body-set!'(r: unknown, v: unknown): void { req(r, 'http:request-body-set!').body = bodyFromScheme(v); },
    'http:request-method-set!'(r: unknown, v: unknown): void { req(r, 'http:request-method-set!').method = symbolName(v, 'http:request-method-set!', 'METHOD'); },
    'http:request-ip-set!'(r: unknown, v: unknown): void { req(r, 'http:request-ip-set!').ip = v === false ? null : toStr(v, 'http:request-ip-set!', 'IP'); },
    'http:request-sslctx-set!'(r: unknown, v: unknown): void { req(r, 'http:request-sslctx-set!').sslctx = v === false ? null : v; },
    'http:read-request-attributes'(this: CallContext, port?: unknown): unknown {
      const who = 'http:read-request-attributes';
      // The limit as the call sees it: `(parameterize ((http:read-line-limit N)) …)` included
      // (it read the global value, so a parameterized limit was ignored).
      const limit = lineLimit(this, readLineLimit as Parameter, who);
      // PORT defaults to (current-input-port), as CHICKEN's optional port arguments do.
      const p = port === undefined ? currentIn(this) : port;
      if (!(p instanceof InPort)) throw new SchemeArgumentError(`${who}: expected an input port, got ${describe(p)}`);
      const eof = L.eof;
      const conv = (x: unknown): string | null => (x === eof ? null : String(x).replace(/\r$/, ''));
      const source = {
        readLine: (): string | null | Promise<string | null> => {
          const v = p.read_line();
          return v instanceof Promise ? v.then(conv) : conv(v);
        },
      };
      return readRequestAttributes(source, limit).then((h) => list(h.map(([n, v]) => cons(n, v))));
    },
  });
}
