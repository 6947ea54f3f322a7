/**
 * http-server: `http:make-server`, resources, method handlers, content parsers, responses, and the
 * egg's parameters. One ServerConfig holds what the egg kept globally; its handlers and hooks
 * are read from the Scheme parameters on each use, so `(http:fallback-handler proc)` or a
 * redefined resource takes effect on the next request of a running server. A server procedure
 * called inside `parameterize` serves with the values bound there (through a view of the config).
 */
import net from 'node:net';
import type { Environment, Parameter } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { ServerConfig } from '../../http/server/config.js';
import { TrustedProxies } from '../../http/server/forwarded.js';
import { createServer, plainAddress, type Server } from '../../http/server/server.js';
import { listeningLine } from '../../http/server/debug-log.js';
import { responseHeaderText, writeErrorResponse, errorResponseText, type Exchange, type ServerIdentity } from '../../http/server/exchange.js';
import { defaultErrorPage } from '../../http/server/error-page.js';
import { notFound, defaultContentParser, urlencodedParser } from '../../http/server/handlers.js';
import { reasonPhrase } from '../../http/status.js';
import type {
  ContentParser, ErrorHook, ErrorResponseHandler, FallbackHandler, LogHook, MethodHandler, ResourceHandler, UrlTransformation,
} from '../../http/server/types.js';
import type { Transport } from '../../http/server/config.js';
import type { HttpRequest } from '../../http/request.js';
import type { Args } from '../../http/url.js';
import type { Limits } from '../../http/limits.js';
import {
  toStr, toNum, toArray, alistToHeaders, headersToAlist, lips, SchemeArgumentError, describe, isPair, values, truthy, displayString,
} from '../values.js';
import { als } from '../context.js';
import { raisedObject } from '../runtime/errors.js';
import { handlerErrorText } from '../report.js';
import { inExchange, currentExchange, valuesOf, markBuiltin, builtinOf, cached, invoke, invokeHandler, compiledBindings } from '../handlers.js';
import { ResponsePort, BodyPort, OutPort } from '../ports.js';
import { currentOut } from '../prelude/current-ports.js';
import { BufferInput } from '../../http/input.js';
import { bodyToScheme } from './http-utils.js';
import { compileProcedure } from '../compile.js';
import { TcpListener, connectionOf, listenerOf, tcpConnectionOfPort } from '../library/tcp.js';

type SchemeProc = (...args: unknown[]) => unknown;

const DEFAULT_IDENTITY: ServerIdentity = { serverName: '(Silly)', location: 'localhost' };
/** No parameter value is this: a memo that has read nothing yet. */
const UNREAD = Symbol('unread');

function proc(x: unknown, who: string, what = 'PROC'): SchemeProc {
  if (typeof x !== 'function') throw new SchemeArgumentError(`${who}: ${what} must be a procedure, got ${describe(x)}`);
  return x as SchemeProc;
}

/** A resource URL: a string, a symbol, or a list of them. */
function urls(x: unknown, who: string): string[] {
  if (isPair(x) || x === lips().nil) return toArray(x, who, 'URL').map((u) => toStr(u, who, 'URL'));
  return [toStr(x, who, 'URL')];
}

function sync<T>(x: unknown, who: string): T {
  if (x instanceof Promise) throw new SchemeArgumentError(`${who} must return a value without suspending (it returned a promise)`);
  return x as T;
}

/** Which parameter objects a server reads: the global ones, or those `parameterize` bound around it. */
interface Bindings {
  param(p: Parameter): Parameter;
  /** `http:read-line-limit` (defined by http-utils, after this module). */
  readLineLimit?: Parameter | undefined;
}

/** Runs F with EX's ports current, unless they already are (a resource called by the POST handler). */
function inRequest<T>(ex: Exchange, f: () => T): T {
  return als.getStore()?.ex === ex ? f() : inExchange(ex, f);
}

const defaultErrorResponse: ErrorResponseHandler = (code, msg, id) => defaultErrorPage(code, msg, id.serverName, id.location);

/** A Scheme `http:error-response-handler` as the core calls it. */
function errorPageOf(f: SchemeProc): ErrorResponseHandler {
  return (code: number, msg: string) =>
    toStr(sync(invoke(f, code, msg), 'http:error-response-handler'), 'http:error-response-handler', 'its result');
}

/** The defaults of the four transport parameters, and whether they are the tcp unit's (library/tcp.ts). */
interface TcpDefaults {
  tcpListen: SchemeProc;
  tcpAccept: SchemeProc;
  tcpAddresses: SchemeProc;
  tcpAbandon: SchemeProc;
  compiled: boolean;
}

/**
 * On the compiled engine: the tcp unit's procedures (tcp-listen, tcp-accept, tcp-addresses,
 * tcp-abandon-port), defined again through GLOBAL so that the global and the parameter's value
 * are the same Scheme procedure (`eq?`), and marked so the server knows them as its defaults.
 * Under LIPS (no tcp unit): stand-ins over node:net's sockets, as before.
 */
function tcpDefaults(global: Environment): TcpDefaults {
  const names = ['tcp-listen', 'tcp-accept', 'tcp-addresses', 'tcp-abandon-port'] as const;
  const lib = names.map((n) => global.get(n, { throwError: false }));
  if (lib.every((p) => typeof p === 'function')) {
    const procs = lib as SchemeProc[];
    names.forEach((n, i) => {
      global.set(n, procs[i]);
      markBuiltin(procs[i]!, 'default');
      markBuiltin(global.get(n) as SchemeProc, 'default');
    });
    return { tcpListen: procs[0]!, tcpAccept: procs[1]!, tcpAddresses: procs[2]!, tcpAbandon: procs[3]!, compiled: true };
  }
  const tcpListen = markBuiltin(function tcpListen(port: unknown, backlog?: unknown, host?: unknown): Promise<net.Server> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // CHICKEN's tcp-listen default, as the tcp unit's (library/tcp.ts).
      const opts: net.ListenOptions = { port: toNum(port, 'tcp-listen'), backlog: backlog === undefined || backlog === false ? 100 : toNum(backlog, 'tcp-listen') };
      if (host !== undefined && host !== false) opts.host = toStr(host, 'tcp-listen');
      server.listen(opts, () => { server.off('error', reject); resolve(server); });
    });
  }, 'default');
  const tcpAccept = markBuiltin(function tcpAccept(socket: unknown): unknown { return socket; }, 'default');
  const tcpAddresses = markBuiltin(function tcpAddresses(socket: unknown): unknown {
    const s = socket as net.Socket;
    return values([plainAddress(s.localAddress), plainAddress(s.remoteAddress)]);
  }, 'default');
  const tcpAbandon = markBuiltin(function tcpAbandonPort(socket: unknown): void { (socket as net.Socket).destroy(); }, 'default');
  defineAll(global, { 'tcp-listen': tcpListen, 'tcp-addresses': tcpAddresses, 'tcp-abandon-port': tcpAbandon } as never);
  return { tcpListen, tcpAccept, tcpAddresses, tcpAbandon, compiled: false };
}

/** A program's `http:listen-procedure` (PORT BACKLOG HOST → a listener, as tcp-listen gives). */
function customListen(f: SchemeProc): (o: net.ListenOptions) => Promise<net.Server> {
  return async (o: net.ListenOptions) => {
    const listener = await invoke(f, o.port, o.backlog, o.host ?? false);
    if (listener instanceof TcpListener) {
      // The server takes its connections (through http:accept-procedure when there is one).
      listener.adopt();
      return listener.server;
    }
    if (listener instanceof net.Server) return listener;
    throw new SchemeArgumentError(`http:listen-procedure: the procedure must return a listener, as tcp-listen does, got ${describe(listener)}`);
  };
}

/**
 * A program's `http:accept-procedure`, called as CHICKEN's server called it: with the listener,
 * returning the two ports of a connection (tcp-accept's values). The connection that just arrived
 * is queued on the listener first, so the procedure's tcp-accept takes it at once; the server
 * then serves the socket of the ports returned. Beyond CHICKEN: #f refuses the connection, and a
 * procedure returning its argument (this project's former convention) accepts it.
 */
function customAccept(f: SchemeProc): (socket: net.Socket) => net.Socket | null {
  return (socket: net.Socket) => {
    const server = (socket as net.Socket & { server?: net.Server }).server;
    if (server === undefined) throw new SchemeArgumentError('http:accept-procedure: a connection without its listener');
    const listener = listenerOf(server);
    listener.push(socket);
    let r: unknown;
    let untaken: boolean;
    try {
      r = sync<unknown>(invoke(f, listener), 'http:accept-procedure');
    } finally {
      untaken = listener.withdraw(socket);
    }
    if (r === false) return null;
    if (r === listener && untaken) return socket;
    const conn = tcpConnectionOfPort(valuesOf(r)[0]);
    if (conn !== null) return conn.socket;
    throw new SchemeArgumentError(`http:accept-procedure: the procedure must return the two ports of a connection, as tcp-accept does, or #f to refuse it, got ${describe(r)}`);
  };
}

/** Under LIPS: the procedure is called with the connection's socket and returns it, another socket, or #f. */
function legacyAccept(f: SchemeProc): (socket: net.Socket) => net.Socket | null {
  return (socket: net.Socket) => {
    // Anything but a socket would fail later, outside any handler: it is refused here.
    const r = sync<unknown>(invoke(f, socket), 'http:accept-procedure');
    if (r === false) return null;
    if (r instanceof net.Socket) return r;
    throw new SchemeArgumentError(`http:accept-procedure: the procedure must return the connection (or another socket), or #f to refuse it, got ${describe(r)}`);
  };
}

/**
 * `http:trusted-proxies` (a list of address and CIDR strings) and `http:forwarded-header`
 * (`"x-forwarded-for"` or `"forwarded"`, a string or symbol) as a TrustedProxies.
 */
function trustedProxiesOf(list: unknown, header: unknown): TrustedProxies {
  const h = toStr(header, 'http:forwarded-header', 'its value').toLowerCase();
  if (h !== 'x-forwarded-for' && h !== 'forwarded') {
    throw new SchemeArgumentError(`http:forwarded-header must be "x-forwarded-for" or "forwarded", got ${describe(header)}`);
  }
  const who = 'http:trusted-proxies';
  const entries = toArray(list, who, 'its value').map((x) => toStr(x, who, 'each address'));
  const problem = TrustedProxies.problem(entries, h);
  if (problem !== null) throw new SchemeArgumentError(`${who} ${problem}`);
  return new TrustedProxies(entries, h);
}

/** The ServerConfig properties that Scheme parameters stand for (defineParameterGetters makes them accessors). */
const PARAMETER_PROPERTIES: ReadonlySet<string> = new Set([
  'fallbackHandler', 'errorResponseHandler', 'errorHook', 'logHook', 'startupHook', 'urlTransformation',
  'requestCountLimit', 'trustedProxies', 'transport',
]);
/** The limits Scheme parameters stand for: http:handler-time-limit (here), http:read-line-limit (http-utils). */
const PARAMETER_LIMITS: ReadonlySet<string> = new Set(['handlerTimeLimit', 'readLineLimit']);

/**
 * BASE's state in a ServerConfig that does not have the parameters' properties yet, nor its
 * limits object the parameters' limits, so that the accessors standing for them are added as new
 * properties. Redefining a data property as an accessor turns a V8 object into a dictionary, and
 * then every read of the config and its limits on a request's path (the parser's limits, the
 * idle timeout, the counters …) is a slow lookup: ~1 µs a request, measured with perf.
 * readLineLimit's default sits on the limits' prototype, for http-utils to add its accessor over.
 */
function parameterConfig(base: ServerConfig): ServerConfig {
  const config = Object.create(ServerConfig.prototype) as ServerConfig;
  const own = Object.getOwnPropertyDescriptors(base) as Record<string, PropertyDescriptor>;
  for (const k of Object.keys(own)) {
    if (k !== 'limits' && !PARAMETER_PROPERTIES.has(k)) Object.defineProperty(config, k, own[k]!);
  }
  const limits = Object.create({ readLineLimit: base.limits.readLineLimit }) as Record<string, unknown>;
  for (const [k, v] of Object.entries(base.limits)) if (!PARAMETER_LIMITS.has(k)) limits[k] = v;
  Object.defineProperty(config, 'limits', { value: limits, writable: true, enumerable: true, configurable: true });
  return config;
}

export interface SchemeServers {
  config: ServerConfig;
  /** Servers started by `http:make-server` procedures, so a host can stop them. */
  running: Set<Server>;
}

export function installHttpServer(global: Environment): SchemeServers {
  const L = lips();
  const base = new ServerConfig();
  const config = parameterConfig(base);
  const running = new Set<Server>();
  const param = (name: string, value: unknown): Parameter => {
    const p = new L.Parameter(value, null, name);
    global.set(name, p);
    return p;
  };

  // ---- the egg's defaults, as Scheme procedures that stand for the TypeScript ones ----
  const schemeNotFound = markBuiltin(function fallback(request: unknown): unknown {
    const ex = currentExchange();
    if (ex === null) throw new Error('http:fallback-handler: the default handler answers only inside a request');
    return notFound(request as HttpRequest, ex);
  }, notFound);
  const schemeErrorPage = markBuiltin(function errorPage(code: unknown, message: unknown): string {
    const id = currentExchange()?.server ?? DEFAULT_IDENTITY;
    return defaultErrorPage(toNum(code), toStr(message), id.serverName, id.location);
  }, 'default');
  // On the compiled engine a Scheme error is told as CHICKEN tells it (condition and Scheme
  // calls), not as a JavaScript stack through the bundle.
  const coreErrorHook = base.errorHook;
  const defaultErrorHook: ErrorHook = (e, request) => {
    if (compiledBindings() === null) return coreErrorHook(e, request);
    const where = request === null ? '' : ` (${request.method} ${request.url})`;
    process.stderr.write(`scheme-http: error in a handler${where}: ${handlerErrorText(e)}\n`);
    return undefined;
  };
  const schemeErrorHook = markBuiltin(function errorHook(e: unknown): void { defaultErrorHook(e, null); }, 'default');
  const noop = markBuiltin(function noop(): void { /* the egg's default hook does nothing */ }, 'noop');
  const identity = markBuiltin(function identity(url: unknown): unknown { return url; }, 'identity');
  const transportDefaults = tcpDefaults(global);
  const { tcpListen, tcpAccept, tcpAddresses, tcpAbandon } = transportDefaults;

  const fallbackP = param('http:fallback-handler', schemeNotFound);
  const errorPageP = param('http:error-response-handler', schemeErrorPage);
  const errorHookP = param('http:error-hook', schemeErrorHook);
  const logHookP = param('http:log-hook', noop);
  const startupHookP = param('http:startup-hook', noop);
  const urlTransformP = param('http:url-transformation', identity);
  const countLimitP = param('http:request-count-limit', 1024);
  const listenP = param('http:listen-procedure', tcpListen);
  const acceptP = param('http:accept-procedure', tcpAccept);
  const addressesP = param('http:get-addresses-procedure', tcpAddresses);
  const hardCloseP = param('http:hard-close-procedure', tcpAbandon);
  // Beyond the egg: seconds a handler may compute without waiting for I/O (#f: no limit).
  const timeLimitP = param('http:handler-time-limit', 10);
  // Beyond the egg: the reverse proxies whose X-Forwarded-For (or Forwarded) names the client.
  const trustedP = param('http:trusted-proxies', L.nil);
  const forwardedHeaderP = param('http:forwarded-header', 'x-forwarded-for');
  Object.defineProperty(config.limits, 'handlerTimeLimit', {
    get: () => {
      const v = timeLimitP.__value__;
      if (v === false) return null;
      const s = toNum(v, 'http:handler-time-limit');
      if (!(s > 0)) throw new SchemeArgumentError(`http:handler-time-limit must be a positive number of seconds or #f, got ${describe(v)}`);
      return s * 1000;
    },
    set: (ms: number | null) => { timeLimitP.__value__ = ms === null ? false : ms / 1000; },
    enumerable: true,
  });

  // ---- the config reads the parameters; user procedures are wrapped once each ----
  const httpParams = [fallbackP, errorPageP, errorHookP, logHookP, startupHookP, urlTransformP, countLimitP, listenP, acceptP, addressesP, hardCloseP, trustedP, forwardedHeaderP];
  /** Global values: what a server sees unless it runs inside `parameterize`. */
  // On the compiled engine a parameter is read where the server code runs: a `parameterize`
  // around a handler's call of http:write-error-response (say) is seen.
  const live = compiledBindings();
  const globalBindings: Bindings = live === null ? { param: (p) => p } : {
    param: (p) => {
      const dyn = live.current();
      if (dyn === null) return p; // nothing is rebound (the server's own reads, outside any handler)
      const b = live.lookup(p, dyn);
      return b.found ? ({ __value__: b.value } as Parameter) : p;
    },
  };
  defineParameterGetters(config, globalBindings);

  /**
   * The parameter bindings in effect where a server procedure was called: a server run inside
   * `(parameterize ((http:fallback-handler f)) (server))` serves with F, as the egg's server
   * loop served with the parameters of its thread. Null when nothing of ours is rebound.
   */
  function serverBindings(caller: CallContext | undefined): Bindings | null {
    const live = compiledBindings();
    if (live !== null) {
      // Compiled: the dynamic state where the server procedure was called.
      const dyn = live.current();
      const limit = global.get('http:read-line-limit', { throwError: false }) as Parameter | undefined;
      const all = limit === undefined ? httpParams : [...httpParams, limit];
      if (!all.some((p) => live.lookup(p, dyn).found)) return null;
      return {
        param: (p) => {
          const b = live.lookup(p, dyn);
          return b.found ? ({ __value__: b.value } as Parameter) : p;
        },
        readLineLimit: limit,
      };
    }
    const dyn = caller?._raw_dyn;
    if (dyn === undefined || dyn === null) return null;
    const limitP = global.get('http:read-line-limit', { throwError: false });
    const shadows = new Map<Parameter, Parameter>();
    for (const p of limitP instanceof L.Parameter ? [...httpParams, limitP] : httpParams) {
      const c = dyn.get(p.__name__, { throwError: false });
      if (c instanceof L.Parameter && c !== p) shadows.set(p, c);
    }
    if (shadows.size === 0) return null;
    return { param: (p) => shadows.get(p) ?? p, readLineLimit: limitP instanceof L.Parameter ? limitP : undefined };
  }

  /** A config for one server: the shared resources, handlers and counters; its own parameter bindings. */
  function serverConfig(b: Bindings): ServerConfig {
    const view = Object.create(config) as ServerConfig;
    for (const k of ['requestCount', 'activeRequests'] as const) {
      Object.defineProperty(view, k, { get: () => config[k], set: (v: number) => { config[k] = v; }, enumerable: true });
    }
    const limitP = b.readLineLimit;
    if (limitP !== undefined && b.param(limitP) !== limitP) {
      const limits = Object.create(config.limits) as Limits;
      Object.defineProperty(limits, 'readLineLimit', { get: () => toNum(b.param(limitP).__value__, 'http:read-line-limit'), enumerable: true });
      Object.defineProperty(view, 'limits', { value: limits, enumerable: true });
    }
    defineParameterGetters(view, b);
    return view;
  }

  /** TARGET's handlers and hooks come from the parameters (as B binds them), read on each use. */
  function defineParameterGetters(target: ServerConfig, b: Bindings): void {
    const fallbacks = new WeakMap<SchemeProc, FallbackHandler>();
    const errorPages = new WeakMap<SchemeProc, ErrorResponseHandler>();
    const errorHooks = new WeakMap<SchemeProc, ErrorHook>();
    const logHooks = new WeakMap<SchemeProc, LogHook>();
    const transforms = new WeakMap<SchemeProc, UrlTransformation>();
    const value = (p: Parameter): unknown => b.param(p).__value__;
    /**
     * A getter of MAKE(READ()) that makes it again only when READ's value changes: the hooks read
     * on every request are a WeakMap lookup or two each otherwise.
     */
    const lastOf = <T>(read: () => unknown, make: (v: unknown) => T): (() => T) => {
      let last: unknown = UNREAD;
      let made: T;
      return () => {
        const v = read();
        if (v !== last) {
          made = make(v);
          last = v;
        }
        return made;
      };
    };
    const getter = (name: string, get: () => unknown): void => {
      Object.defineProperty(target, name, { get, set: () => { throw new Error(`set ${name} through its Scheme parameter`); }, enumerable: true });
    };
    /** A procedure of the program's failed outside any handler: the error hook hears of it. */
    const report = (e: unknown): void => {
      try {
        const r = target.errorHook(e, null);
        if (r instanceof Promise) r.catch(() => undefined);
      } catch {
        // nobody left to tell
      }
    };
    getter('fallbackHandler', () => {
      const p = value(fallbackP);
      if (builtinOf(p) !== undefined) return notFound;
      return cached(fallbacks, proc(p, 'http:fallback-handler'), (f) => {
        const run = compileProcedure(f);
        return (request: HttpRequest, ex: Exchange) => inRequest(ex, () => invokeHandler(target.limits.handlerTimeLimit, request.url, run, request));
      });
    });
    getter('errorResponseHandler', () => {
      const p = value(errorPageP);
      if (builtinOf(p) !== undefined) return defaultErrorResponse;
      return cached(errorPages, proc(p, 'http:error-response-handler'), errorPageOf);
    });
    getter('errorHook', () => {
      const p = value(errorHookP);
      if (builtinOf(p) !== undefined) return defaultErrorHook;
      return cached(errorHooks, proc(p, 'http:error-hook'), (f) => (e: unknown) => invoke(f, raisedObject(e)));
    });
    getter('logHook', lastOf(() => value(logHookP), (p) => {
      if (builtinOf(p) !== undefined) return null;
      return cached(logHooks, proc(p, 'http:log-hook'), (f) => (request: HttpRequest, ip: string) => invoke(f, request, ip));
    }));
    getter('startupHook', () => {
      const p = value(startupHookP);
      if (builtinOf(p) !== undefined) return null;
      const f = proc(p, 'http:startup-hook');
      return () => invoke(f);
    });
    getter('urlTransformation', lastOf(() => value(urlTransformP), (p) => {
      if (builtinOf(p) !== undefined) return null;
      return cached(transforms, proc(p, 'http:url-transformation'), (f) => (url: string) =>
        toStr(sync(invoke(f, url), 'http:url-transformation'), 'http:url-transformation', 'its result'));
    }));
    getter('requestCountLimit', () => toNum(value(countLimitP), 'http:request-count-limit'));
    // Read on every request: converted once per value. A bad value (set after the server started;
    // http:make-server checks it at start) trusts no proxy, and the error hook hears of it once.
    let trust: { list: unknown; header: unknown; proxies: TrustedProxies } | null = null;
    getter('trustedProxies', (): TrustedProxies => {
      const list = value(trustedP);
      const header = value(forwardedHeaderP);
      if (trust === null || trust.list !== list || trust.header !== header) {
        let proxies = TrustedProxies.NONE;
        try {
          proxies = trustedProxiesOf(list, header);
        } catch (e) {
          report(e);
        }
        trust = { list, header, proxies };
      }
      return trust.proxies;
    });
    getter('transport', (): Partial<Transport> => {
      const t: Partial<Transport> = {};
      const listen = value(listenP);
      if (builtinOf(listen) === undefined) t.listen = customListen(proc(listen, 'http:listen-procedure'));
      const accept = value(acceptP);
      if (builtinOf(accept) === undefined) {
        const f = proc(accept, 'http:accept-procedure');
        t.accept = transportDefaults.compiled ? customAccept(f) : legacyAccept(f);
      }
      const addresses = value(addressesP);
      if (builtinOf(addresses) === undefined) {
        const f = proc(addresses, 'http:get-addresses-procedure');
        t.addresses = (socket: net.Socket) => {
          // CHICKEN's procedure takes the connection's input port (tcp-addresses does).
          const arg = transportDefaults.compiled ? connectionOf(socket).input : socket;
          const v = valuesOf(sync(invoke(f, arg), 'http:get-addresses-procedure'));
          return [displayString(v[0] ?? ''), displayString(v[1] ?? v[0] ?? '')];
        };
      }
      const hard = value(hardCloseP);
      if (builtinOf(hard) === undefined) {
        const f = proc(hard, 'http:hard-close-procedure');
        t.hardClose = (socket: net.Socket) => {
          // Called on the connection's error path, where a raise would crash the process: what
          // the procedure raises goes to the error hook, and the connection is closed even if
          // the procedure left it open (nothing else would ever close it). CHICKEN's procedure
          // (tcp-abandon-port) takes a port: the connection's output port.
          try {
            const r = invoke(f, transportDefaults.compiled ? connectionOf(socket).output : socket);
            if (r instanceof Promise) r.catch(report);
          } catch (e) {
            report(e);
          } finally {
            if (!socket.destroyed && !socket.writableEnded) socket.destroy();
          }
        };
      }
      return t;
    });
  }

  // ---- method handlers and content parsers: Scheme procedures both ways ----
  const schemeOfMethod = new WeakMap<MethodHandler, SchemeProc>();
  const methodOfScheme = new WeakMap<SchemeProc, MethodHandler>();
  /** The user's Scheme procedure behind a handler or parser made from it. */
  const originalMethod = new WeakMap<MethodHandler, SchemeProc>();
  const originalParser = new WeakMap<ContentParser, SchemeProc>();
  const schemeMethod = (h: MethodHandler): SchemeProc => cached(schemeOfMethod, h, (m) => markBuiltin(function methodHandler(request: unknown): unknown {
    const ex = currentExchange();
    if (ex === null) throw new Error('a method handler can be called only inside a request');
    return m(request as HttpRequest, ex);
  }, m));
  const schemeOfParser = new WeakMap<ContentParser, SchemeProc>();
  const parserOfScheme = new WeakMap<SchemeProc, ContentParser>();
  const schemeParser = (p: ContentParser): SchemeProc => cached(schemeOfParser, p, (cp) => markBuiltin(function contentParser(size: unknown, headers: unknown, port: unknown): unknown {
    const input = port instanceof BodyPort ? port.input : new BufferInput(Buffer.alloc(0));
    const r = cp(size === false ? null : toNum(size), alistToHeaders(headers, 'content-parser'), input);
    const conv = (pair: [unknown, unknown]): unknown => values([bodyToScheme(pair[0]), bodyToScheme(pair[1])]);
    return r instanceof Promise ? r.then(conv) : conv(r);
  }, cp));
  const tsParser = (f: SchemeProc): ContentParser => {
    const b = builtinOf(f);
    if (typeof b === 'function') return b as ContentParser;
    return cached(parserOfScheme, f, (sp) => {
      const cp: ContentParser = (size, headers, input) => {
        const store = als.getStore();
        const port = store !== undefined && store.ex !== null && store.ex.input === input ? store.in : new BodyPort(input);
        const r = invoke(sp, size ?? false, headersToAlist(headers), port);
        const conv = (v: unknown): [unknown, unknown] => {
          const vs = valuesOf(v);
          return [vs[0], vs.length > 1 ? vs[1] : vs[0]];
        };
        return r instanceof Promise ? r.then(conv) : conv(r);
      };
      originalParser.set(cp, sp);
      return cp;
    });
  };
  // Scheme sees the built-in parsers as Scheme procedures too.
  schemeParser(defaultContentParser);
  schemeParser(urlencodedParser);
  // The content parser runs inside the POST handler: with the request's ports current, a parser
  // that reads `(current-input-port)` (as the egg's general description has it) reads the body.
  const postHandler = config.methodHandler('POST')!;
  config.methodHandler('POST', function post(request: HttpRequest, ex: Exchange): unknown {
    return inExchange(ex, () => postHandler(request, ex));
  });

  const makeServer = function makeServer(port: unknown, serverName?: unknown, location?: unknown, _protocol?: unknown,
    backlog?: unknown, restrictHost?: unknown, init?: unknown): SchemeProc {
    const who = 'http:make-server';
    const given = (x: unknown): boolean => x !== undefined && x !== false;
    const portNumber = toNum(port, who, 'PORTNUMBER');
    const name = given(serverName) ? toStr(serverName, who, 'SERVERNAME') : '(Silly)';
    const loc = given(location) ? toStr(location, who, 'LOCATION') : 'localhost';
    // 511, not the egg's 40 (SEMANTICS.md): 40 overflows under a few dozen concurrent connects.
    const bl = given(backlog) ? toNum(backlog, who, 'BACKLOG') : 511;
    const host = given(restrictHost) ? toStr(restrictHost, who, 'RESTRICTHOST') : null;
    const initProc = given(init) ? proc(init, who, 'INIT') : null;
    return async function runServer(this: CallContext | undefined, debug?: unknown): Promise<void> {
      const bindings = serverBindings(this);
      // A bad http:trusted-proxies is an error of the program, said at start.
      const b = bindings ?? globalBindings;
      trustedProxiesOf(b.param(trustedP).__value__, b.param(forwardedHeaderP).__value__);
      const server = createServer({
        port: portNumber, serverName: name, location: loc, backlog: bl, host, config: bindings === null ? config : serverConfig(bindings),
        init: initProc === null ? null : () => invoke(initProc),
        debug: debug !== undefined && truthy(debug),
      });
      running.add(server);
      try {
        await server.start();
        if (debug !== undefined && truthy(debug)) process.stderr.write(listeningLine(server.address()));
        await server.closed;
      } finally {
        running.delete(server);
      }
    };
  };

  const resourceOriginals = new WeakMap<ResourceHandler, SchemeProc>();

  defineAll(global, {
    'http:make-server': makeServer as never,
    'http:current-request-count'(): number { return config.requestCount; },
    'http:add-resource'(url: unknown, handler: unknown): void {
      const who = 'http:add-resource';
      const f = proc(handler, who, 'HANDLER');
      const run = compileProcedure(f); // a JS closure doing what f does, when the compiler takes it
      const wrapped: ResourceHandler = (request: HttpRequest, args: Args, ex: Exchange) =>
        inRequest(ex, () => invokeHandler(config.limits.handlerTimeLimit, request.url, run, request, headersToAlist(args)));
      resourceOriginals.set(wrapped, f);
      config.addResource(urls(url, who), wrapped);
    },
    'http:remove-resource'(url: unknown): void {
      config.removeResource(urls(url, 'http:remove-resource'));
    },
    'http:find-resource'(url: unknown): unknown {
      const h = config.findResource(toStr(url, 'http:find-resource', 'URL'));
      return h === undefined ? false : resourceOriginals.get(h) ?? h;
    },
    'http:request-method-handler'(method: unknown, handler?: unknown): unknown {
      const who = 'http:request-method-handler';
      const m = toStr(method, who, 'METHOD');
      if (handler !== undefined) {
        if (handler === false) config.methodHandler(m, null);
        else {
          const f = proc(handler, who);
          const b = builtinOf(f);
          config.methodHandler(m, typeof b === 'function' ? (b as MethodHandler)
            : cached(methodOfScheme, f, (sp) => {
              const run = compileProcedure(sp);
              const mh: MethodHandler = (request: HttpRequest, ex: Exchange) => inExchange(ex, () => invokeHandler(config.limits.handlerTimeLimit, request.url, run, request));
              originalMethod.set(mh, sp);
              return mh;
            }));
        }
      }
      const h = config.methodHandler(m);
      if (h === undefined) return false;
      return originalMethod.get(h) ?? schemeMethod(h);
    },
    'http:content-parser'(type: unknown, parser?: unknown): unknown {
      const who = 'http:content-parser';
      const t = toStr(type, who, 'CONTENTTYPE');
      if (parser !== undefined) {
        if (parser === false) config.contentParser(t, null);
        else config.contentParser(t, tsParser(proc(parser, who)));
      }
      const p = config.contentParser(t);
      if (p === undefined) return schemeParser(config.defaultContentParser);
      return originalParser.get(p) ?? schemeParser(p);
    },
    'http:write-response-header'(this: CallContext, code?: unknown, message?: unknown, alist?: unknown, port?: unknown, protocol?: unknown): void {
      const who = 'http:write-response-header';
      const status = code === undefined ? 200 : toNum(code, who, 'CODE');
      const msg = message === undefined ? (code === undefined ? 'OK' : reasonPhrase(status)) : toStr(message, who, 'MSG');
      const headers = alist === undefined || alist === false ? [] : alistToHeaders(alist, who, 'ALIST');
      const out = port === undefined || port === false ? currentOut(this) : port;
      if (!(out instanceof OutPort)) throw new SchemeArgumentError(`${who}: PORT must be an output port, got ${describe(out)}`);
      const ex = currentExchange();
      const proto = protocol !== undefined && protocol !== false ? toStr(protocol, who, 'PROTOCOL')
        : out instanceof ResponsePort ? out.out.protocol : ex?.out.protocol ?? 'HTTP/1.0';
      out.writeText(responseHeaderText(status, msg, headers, proto, ex?.server.serverName ?? DEFAULT_IDENTITY.serverName));
    },
    'http:write-error-response'(this: CallContext, code: unknown, message: unknown, port?: unknown): void {
      const who = 'http:write-error-response';
      const status = toNum(code, who, 'CODE');
      const msg = toStr(message, who, 'MESSAGE');
      const out = port === undefined || port === false ? currentOut(this) : port;
      const ex = currentExchange();
      const id = ex?.server ?? DEFAULT_IDENTITY;
      // The error page of the server answering (its own if it runs inside parameterize), unless
      // the caller rebound http:error-response-handler itself.
      let cfg = ex?.config ?? config;
      const own = this?._raw_dyn?.get(errorPageP.__name__, { throwError: false });
      if (own instanceof L.Parameter && own !== errorPageP) {
        const page = own.__value__;
        cfg = Object.create(cfg, {
          errorResponseHandler: { value: builtinOf(page) !== undefined ? defaultErrorResponse : errorPageOf(proc(page, 'http:error-response-handler')) },
        }) as ServerConfig;
      }
      if (out instanceof ResponsePort) {
        writeErrorResponse(out.out, cfg, id, status, msg);
        return;
      }
      if (!(out instanceof OutPort)) throw new SchemeArgumentError(`${who}: PORT must be an output port, got ${describe(out)}`);
      const html = cfg.errorResponseHandler(status, msg, id);
      out.writeText(errorResponseText(status, msg, html, ex?.out.protocol ?? 'HTTP/1.0', id.serverName));
    },
  });

  return { config, running };
}
