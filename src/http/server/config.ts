/**
 * What the egg kept in global parameters: resources, method handlers, content parsers, the
 * fallback and error-page handlers, hooks and limits. A ServerConfig can be shared by several
 * servers (the Scheme front keeps one default); a TS server gets its own unless given one.
 * Also the checks of createServer's options and the typed errors of setting a server up.
 */
import type net from 'node:net';
import { HttpUsageError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { canonicalizeString } from '../url.js';
import { URLENCODED, mediaType } from '../media-type.js';
import { defaultErrorPage } from './error-page.js';
import { TrustedProxies } from './forwarded.js';
import { defaultContentParser, urlencodedParser, getHandler, postHandler, optionsHandler, notFound } from './handlers.js';
import type {
  ContentParser, ErrorHook, ErrorResponseHandler, FallbackHandler, LogHook, MethodHandler,
  ResourceHandler, UrlTransformation, MaybePromise,
} from './types.js';

/** The transport, pluggable as in the egg (`http:listen-procedure` …). */
export interface Transport {
  /**
   * Creates the listener (`http:listen-procedure`), listening already or not (then the server
   * listens with OPTIONS). Its connections (secure ones for a TLS server) are served.
   */
  listen: (options: net.ListenOptions) => net.Server | Promise<net.Server>;
  /** Vets or wraps an accepted socket (`http:accept-procedure`); null refuses it. */
  accept: (socket: net.Socket) => net.Socket | null;
  /** [local address, peer address] (`http:get-addresses-procedure`). */
  addresses: (socket: net.Socket) => [string, string];
  /** Closes a connection at once (`http:hard-close-procedure`). */
  hardClose: (socket: net.Socket) => void;
}

export class ServerConfig {
  readonly resources = new Map<string, ResourceHandler>();
  readonly methodHandlers = new Map<string, MethodHandler>();
  readonly contentParsers = new Map<string, ContentParser>();
  defaultContentParser: ContentParser = defaultContentParser;
  fallbackHandler: FallbackHandler = notFound;
  errorResponseHandler: ErrorResponseHandler = (code, message, server) =>
    defaultErrorPage(code, message, server.serverName, server.location);
  errorHook: ErrorHook = defaultErrorHook;
  logHook: LogHook | null = null;
  startupHook: (() => MaybePromise<unknown>) | null = null;
  urlTransformation: UrlTransformation | null = null;
  /** Most requests handled at once, over every server of this config: 503 beyond it. */
  requestCountLimit = 1024;
  readonly limits: Limits = { ...DEFAULT_LIMITS };
  /** Overrides of the transport; unset parts use node:net. */
  transport: Partial<Transport> = {};
  /** Requests handled since start (`http:current-request-count`). */
  requestCount = 0;
  /** Requests being handled now. */
  activeRequests = 0;
  private proxies = TrustedProxies.NONE;

  /**
   * The reverse proxies whose `X-Forwarded-For` (or `Forwarded`) header names the client
   * (src/http/server/forwarded.ts): a request from one of them gets the client's address as its
   * `ip`. Set a list of addresses and CIDR blocks (`['127.0.0.1', '10.0.0.0/8']`), or a
   * TrustedProxies to read `Forwarded` instead. Default: none, `ip` is the peer's address.
   * A bad entry throws an HttpServerError (`bad-option`).
   */
  get trustedProxies(): TrustedProxies {
    return this.proxies;
  }

  set trustedProxies(value: readonly string[] | TrustedProxies) {
    this.proxies = trustedProxiesOf(value);
  }

  constructor() {
    this.methodHandlers.set('GET', getHandler);
    this.methodHandlers.set('HEAD', getHandler);
    this.methodHandlers.set('POST', postHandler);
    this.methodHandlers.set('OPTIONS', optionsHandler);
    this.contentParsers.set(URLENCODED, urlencodedParser);
  }

  /** `http:add-resource`: URL is one path or several. */
  addResource(url: string | readonly string[], handler: ResourceHandler): void {
    if (typeof handler !== 'function') throw new HttpUsageError('addResource: the handler must be a procedure of (request args)');
    for (const u of typeof url === 'string' ? [url] : url) this.resources.set(resourceKey(u), handler);
  }

  /** `http:remove-resource`. */
  removeResource(url: string | readonly string[]): void {
    for (const u of typeof url === 'string' ? [url] : url) this.resources.delete(resourceKey(u));
  }

  /** `http:find-resource`: the handler for URL's path, or undefined. */
  findResource(url: string): ResourceHandler | undefined {
    return this.resources.get(resourceKey(url));
  }

  /** `http:request-method-handler`: reads, or sets when PROC is given (null removes it). */
  methodHandler(method: string, proc?: MethodHandler | null): MethodHandler | undefined {
    const m = method.toUpperCase();
    if (proc === null) this.methodHandlers.delete(m);
    else if (proc !== undefined) this.methodHandlers.set(m, proc);
    return this.methodHandlers.get(m);
  }

  /** `http:content-parser`: reads, or sets when PROC is given; the type is matched without parameters. */
  contentParser(contentType: string, proc?: ContentParser | null): ContentParser | undefined {
    const t = mediaType(contentType);
    if (proc === null) this.contentParsers.delete(t);
    else if (proc !== undefined) this.contentParsers.set(t, proc);
    return this.contentParsers.get(t);
  }

  /** The parser for a request's Content-Type value (the default parser when none is set). */
  parserFor(contentType: string | undefined): ContentParser {
    if (contentType === undefined) return this.defaultContentParser;
    return this.contentParsers.get(mediaType(contentType)) ?? this.defaultContentParser;
  }
}

/** VALUE as a TrustedProxies, or an HttpServerError (`bad-option`) saying what is wrong with it. */
export function trustedProxiesOf(value: readonly string[] | TrustedProxies): TrustedProxies {
  if (value instanceof TrustedProxies) return value;
  const problem = TrustedProxies.problem(value);
  if (problem !== null) throw new HttpServerError('bad-option', `trustedProxies ${problem}`, { option: 'trustedProxies' });
  return new TrustedProxies(value);
}

/** Resources are keyed by their canonicalised path, as requests are looked up. */
function resourceKey(url: string): string {
  const q = url.indexOf('?');
  return canonicalizeString(q === -1 ? url : url.slice(0, q));
}

function defaultErrorHook(error: unknown): void {
  const msg = error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`scheme-http: unhandled error in a handler: ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// Option checks: a bad option fails at createServer with a typed error naming it, not later at
// start() with Node's own RangeError; a listen failure carries a code a program can test.
// ---------------------------------------------------------------------------------------------

/** What went wrong setting up a server, by kind. */
export type ServerErrorCode =
  | 'bad-option' | 'address-in-use' | 'permission-denied' | 'address-not-available' | 'listen-failed'
  /** The workers of `createServer({ workers })` kept failing before they all listened. */
  | 'workers-failed';

/** A server that cannot be made or cannot listen; the message says what to change. */
export class HttpServerError extends HttpUsageError {
  override name = 'HttpServerError';
  readonly code: ServerErrorCode;
  /** The option at fault, for `bad-option`. */
  readonly option: string | undefined;
  constructor(code: ServerErrorCode, message: string, options?: { option?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.option = options?.option;
  }
}

/** The options validateServerOptions looks at (ServerOptions and WorkerOptions, structurally). */
export interface CheckedOptions {
  port?: unknown;
  serverName?: unknown;
  location?: unknown;
  backlog?: unknown;
  host?: unknown;
  init?: unknown;
  config?: unknown;
  debug?: unknown;
  tls?: unknown;
  descriptorReserve?: unknown;
  workers?: unknown;
  drainTimeout?: unknown;
  trustedProxies?: unknown;
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** Describes X for a message: `-1`, `"abc"`, `an object`. */
function shown(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean' || x === null || x === undefined) return String(x);
  if (typeof x === 'object') return Array.isArray(x) ? 'an array' : 'an object';
  if (typeof x === 'function') return 'a function';
  return `a ${typeof x}`;
}

/** The problem with one option's value, or null when it is fine (undefined is always fine). */
const OPTION_CHECKS: Record<keyof CheckedOptions, (x: unknown) => string | null> = {
  port: (x) => isInt(x) && x >= 0 && x <= 65535 ? null : 'must be an integer from 0 to 65535 (0 picks a free port)',
  // They go into the Server: header and the error page: a CR or LF would split the header.
  serverName: (x) => typeof x === 'string' && !/[\0-\x1f\x7f]/.test(x) ? null : 'must be a string without control characters (it is sent in the Server: header)',
  location: (x) => typeof x === 'string' ? null : 'must be a string',
  backlog: (x) => isInt(x) && x >= 0 ? null : 'must be a non-negative integer',
  host: (x) => x === null || (typeof x === 'string' && x !== '') ? null : 'must be an address or host name to bind, or null for every interface',
  init: (x) => x === null || typeof x === 'function' ? null : 'must be a function or null',
  config: (x) => x instanceof ServerConfig ? null : 'must be a ServerConfig',
  debug: (x) => typeof x === 'boolean' || typeof x === 'function' ? null : 'must be true, false or a function of one line',
  tls: (x) => x === null || typeof x === 'object' ? null : 'must be TLS options (key, cert …) or null',
  descriptorReserve: (x) => isInt(x) && x >= 0 ? null : 'must be a non-negative integer',
  workers: (x) => isInt(x) && x >= 1 ? null : 'must be an integer of at least 1',
  drainTimeout: (x) => typeof x === 'number' && x >= 0 && Number.isFinite(x) ? null : 'must be a finite number of milliseconds, 0 or more',
  trustedProxies: (x) => x instanceof TrustedProxies ? null : TrustedProxies.problem(x),
};

/** Throws an HttpServerError (`bad-option`) naming the first bad option of OPTIONS. */
export function validateServerOptions(options: CheckedOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new HttpServerError('bad-option', `createServer: the options must be an object, got ${shown(options)}`);
  }
  for (const [name, check] of Object.entries(OPTION_CHECKS) as Array<[keyof CheckedOptions, (x: unknown) => string | null]>) {
    const value = options[name];
    if (value === undefined) continue;
    const problem = check(value);
    if (problem !== null) throw new HttpServerError('bad-option', `createServer: ${name} ${problem}, got ${shown(value)}`, { option: name });
  }
}

/** What each listen failure means to the user, by Node's error code. */
const LISTEN_FAULTS: Record<string, [ServerErrorCode, string]> = {
  EADDRINUSE: ['address-in-use', 'the address is in use: another server listens there; stop it, or pick another port (0 picks a free one)'],
  EACCES: ['permission-denied', 'permission denied: ports below 1024 need privileges; pick a port of 1024 or more'],
  EPERM: ['permission-denied', 'permission denied'],
  EADDRNOTAVAIL: ['address-not-available', 'the address is not one of this machine\'s; bind an address it has, or omit host for every interface'],
  ENOTFOUND: ['address-not-available', 'the host name does not resolve to an address of this machine'],
  EAI_AGAIN: ['address-not-available', 'the host name could not be resolved'],
};

/** The typed error for a failed listen (E) on HOST:PORT. */
export function listenError(e: unknown, host: string | null | undefined, port: number | undefined): HttpServerError {
  if (e instanceof HttpServerError) return e;
  const cause = e instanceof HttpUsageError && e.cause !== undefined ? e.cause : e;
  const sys = (cause as NodeJS.ErrnoException | null)?.code;
  const [code, why] = (sys !== undefined ? LISTEN_FAULTS[sys] : undefined) ?? ['listen-failed', cause instanceof Error ? cause.message : String(cause)];
  const where = `${host ?? '*'}:${port ?? 0}`;
  return new HttpServerError(code, `cannot listen on ${where}: ${why}${sys !== undefined ? ` (${sys})` : ''}`, { cause });
}
