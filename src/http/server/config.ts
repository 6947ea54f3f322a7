/**
 * What the egg kept in global parameters: resources, method handlers, content parsers, the
 * fallback and error-page handlers, hooks and limits. A ServerConfig can be shared by several
 * servers (the Scheme front keeps one default); a TS server gets its own unless given one.
 */
import type net from 'node:net';
import { HttpUsageError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { canonicalizeString } from '../url.js';
import { URLENCODED, mediaType } from '../media-type.js';
import { defaultErrorPage } from './error-page.js';
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

/** Resources are keyed by their canonicalised path, as requests are looked up. */
function resourceKey(url: string): string {
  const q = url.indexOf('?');
  return canonicalizeString(q === -1 ? url : url.slice(0, q));
}

function defaultErrorHook(error: unknown): void {
  const msg = error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`scheme-http: unhandled error in a handler: ${msg}\n`);
}
