/**
 * The client of http-client: `http:send-request` (one request on a given or new connection, the
 * body left unread), `http:GET` / `http:POST` (whole bodies over pooled keep-alive connections),
 * `http:read-body`, and the TS extras (timeouts, abort signals, redirects, decompression).
 */
import type tls from 'node:tls';
import { HttpClientError } from '../errors.js';
import { headerValue, headerValues, type Headers } from '../headers.js';
import { HttpRequest } from '../request.js';
import { formEncode } from '../url.js';
import { URLENCODED, mediaType } from '../media-type.js';
import { type ClientConnection, connect, type Endpoint } from './connection.js';
import { Agent } from './pool.js';
import { ProxyTable } from './proxies.js';
import { storeCookies } from './cookies.js';
import { BodyDecoder, readDecodedBody } from './decode.js';
import { parseTarget, absoluteUrl, originKey, type Target } from './target.js';
import {
  requestHeadText, readResponseHead, responseFraming, readBody, readBufferedBody, responseKeepsAlive,
  DEFAULT_CLIENT_LIMITS, type ClientLimits, type ResponseHead,
} from './message.js';

/** The process-wide pool and proxy table the egg's procedures use. */
export const defaultAgent = new Agent();
export const defaultProxies = new ProxyTable();

export interface ClientOptions {
  /** Bound on the whole exchange, in ms (connect, head and body). Default 60 s; 0 = none. */
  timeout?: number;
  signal?: AbortSignal;
  /** Connection pool for get/post/request. Default: the process-wide one. */
  agent?: Agent;
  /** Proxy table. Default: the process-wide one (`http:add-proxy`). */
  proxies?: ProxyTable;
  /** TLS options for https (ca, rejectUnauthorized …). */
  tls?: tls.ConnectionOptions;
  limits?: Partial<ClientLimits>;
  /** Follow up to this many redirects (get/post/request only). Default 0, as the egg. */
  followRedirects?: number;
  /** Ask for gzip/deflate and decode the body. Default false. */
  decompress?: boolean;
}

/** What `sendRequest` returns: the response head and the connection, its body unread. */
export interface SentResponse extends ResponseHead {
  connection: ClientConnection;
  /** The method sent, which decides whether the response has a body. */
  method: string;
  /** The URL the request went to. */
  url: string;
  /** The protocol and header lines sent: whether the connection persists depends on them too. */
  requestProtocol: string;
  requestHeaders: Headers;
}

export interface FullResponse extends ResponseHead {
  body: Buffer;
  trailers: Headers;
  /** The URL of the last request (after redirects). */
  url: string;
}

/** A request ready for the wire. */
interface Prepared {
  url: string;
  method: string;
  protocol: string;
  target: Target;
  /** Where to connect: the origin or its proxy. */
  endpoint: Endpoint;
  /** The pool key of ENDPOINT. */
  key: string;
  head: string;
  /** The header lines of HEAD, as sent. */
  headers: Headers;
  body: Buffer | null;
}

const DEFAULT_TIMEOUT = 60_000;
const NO_HEADERS: Headers = Object.freeze([]) as unknown as Headers;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
const REDIRECTS = [301, 302, 303, 307, 308];

function limitsOf(opts: ClientOptions): ClientLimits {
  return opts.limits ? { ...DEFAULT_CLIENT_LIMITS, ...opts.limits } : DEFAULT_CLIENT_LIMITS;
}

function deadlineOf(opts: ClientOptions): number {
  const t = opts.timeout ?? DEFAULT_TIMEOUT;
  return t > 0 ? Date.now() + t : 0;
}

/** How the egg sends a URL string: `GET /path HTTP/1.0`, Host, `Connection: close`. */
function urlRequest(url: string): HttpRequest {
  return new HttpRequest('GET', url, [['Connection', 'close']], null, 'HTTP/1.0');
}

/** A parsed URL and its origin's pool key, shared by every request to that URL string. */
interface KnownTarget {
  target: Readonly<Target>;
  key: string;
  /** The last bare request's head (see `prepare`), for requests to this URL. */
  bare: BareHead | null;
}

/** The head of a request without attributes, extra fields or body, sent direct (no proxy). */
interface BareHead {
  method: string;
  protocol: string;
  head: string;
  headers: Headers;
}

/**
 * Parsed targets by URL string, the oldest dropped beyond TARGET_CACHE_SIZE: a program asks for
 * the same few URLs over and over, and parsing one (half a dozen regular expressions, slices,
 * the pool key) was done for every request.
 */
const targetCache = new Map<string, KnownTarget>();
const TARGET_CACHE_SIZE = 512;

function targetOf(url: string): KnownTarget {
  let known = targetCache.get(url);
  if (known === undefined) {
    const target = Object.freeze(parseTarget(url));
    known = { target, key: originKey(target), bare: null };
    if (targetCache.size >= TARGET_CACHE_SIZE) targetCache.delete(targetCache.keys().next().value!);
    targetCache.set(url, known);
  }
  return known;
}

/**
 * The request ready for the wire. SHARED: the caller only reads the result's headers (and does
 * not hand them out), so the head and header list of a bare request (`get(url)`) may be the ones
 * made for the previous request to the same URL.
 */
function prepare(request: HttpRequest, opts: ClientOptions, extra: Headers = NO_HEADERS, shared = false): Prepared {
  const url = request.url;
  let known: KnownTarget;
  if (url.startsWith('/')) {
    // A path alone: the host comes from the request's Host attribute.
    const host = request.attributes.find(([n]) => n.toLowerCase() === 'host')?.[1];
    if (host === undefined) throw new HttpClientError('bad-url', url, 'a request URL without a host needs a Host attribute');
    known = targetOf(`http://${host}${url}`);
  } else {
    known = targetOf(url);
  }
  const target = known.target;
  const method = String(request.method).toUpperCase();
  const protocol = String(request.protocol);
  const proxy = (opts.proxies ?? defaultProxies).find(target.host);
  if (proxy !== null && target.scheme === 'https') {
    throw new HttpClientError('bad-request', url, 'https through a proxy (CONNECT) is not supported');
  }
  const bare = shared && proxy === null && request.attributes.length === 0 && extra.length === 0
    && (request.body === null || request.body === undefined || request.body === false);
  const last = known.bare;
  if (bare && last !== null && last.method === method && last.protocol === protocol) {
    return { url, method, protocol, target, endpoint: target, key: known.key, head: last.head, headers: last.headers, body: null };
  }
  const headers: Headers = [];
  let hasHost = false;
  let hasLength = false;
  for (const [n, v] of request.attributes) {
    const lower = n.toLowerCase();
    if (lower === 'host') hasHost = true;
    if (lower === 'content-length' || lower === 'transfer-encoding') hasLength = true;
    headers.push([n, String(v)]);
  }
  if (!hasHost) headers.unshift(['Host', target.hostHeader]);
  if (target.userinfo !== null && !headers.some(([n]) => n.toLowerCase() === 'authorization')) {
    headers.push(['Authorization', 'Basic ' + Buffer.from(target.userinfo).toString('base64')]);
  }
  for (const h of extra) if (!headers.some(([n]) => n.toLowerCase() === h[0].toLowerCase())) headers.push(h);
  let body: Buffer | null = null;
  if (request.body !== null && request.body !== undefined && request.body !== false) {
    body = typeof request.body === 'string' ? Buffer.from(request.body)
      : request.body instanceof Uint8Array ? Buffer.from(request.body) : Buffer.from(String(request.body));
    if (!hasLength) headers.push(['Content-Length', String(body.length)]);
  }
  let head: string;
  try {
    head = requestHeadText(method, proxy !== null ? absoluteUrl(target) : target.path, protocol, headers);
  } catch (e) {
    throw new HttpClientError('bad-request', url, (e as Error).message, { cause: e });
  }
  if (bare) known.bare = { method, protocol, head, headers };
  return { url, method, protocol, target, endpoint: proxy ?? target, key: proxy === null ? known.key : originKey(proxy), head, headers, body };
}

function writeRequest(conn: ClientConnection, p: Prepared): void {
  conn.requests++;
  // latin1: one byte per character of the head (it was written as UTF-8, see requestHeadText).
  // The string goes to the socket as it is: Node encodes it straight into the write request,
  // without a Buffer made for it here first.
  const socket = conn.socket;
  if (p.body !== null && p.body.length > 0) {
    socket.cork();
    socket.write(p.head, 'latin1');
    socket.write(p.body);
    socket.uncork();
  } else {
    socket.write(p.head, 'latin1');
  }
}

/** Reads the head of the final response, skipping interim 1xx ones (but not 101). */
async function readFinalHead(conn: ClientConnection, url: string, limits: ClientLimits): Promise<ResponseHead> {
  for (;;) {
    const head = await readResponseHead(conn.reader, url, limits);
    if (head.status >= 200 || head.status === 101) return head;
  }
}

/**
 * `http:send-request`: sends REQUEST (a URL string or a request record) on CONNECTION, or on a new
 * one, and returns the response head and the connection with the body unread. When it fails
 * (timeout, abort, malformed head …) the connection is closed, the one passed in included.
 */
export async function sendRequest(request: HttpRequest | string, connection: ClientConnection | null = null, opts: ClientOptions = {}): Promise<SentResponse> {
  const req = typeof request === 'string' ? urlRequest(request) : request;
  const p = prepare(req, opts);
  const deadline = deadlineOf(opts);
  let conn = connection;
  if (conn === null || conn.closed) {
    if (conn !== null && conn.closed && connection !== null) {
      throw new HttpClientError('closed', p.url, 'the connection passed in is closed');
    }
    conn = await connect(p.endpoint, p.url, { deadline, signal: opts.signal ?? null, tls: opts.tls ?? null });
  }
  conn.reader.url = p.url;
  conn.reader.deadline = deadline;
  conn.reader.signal = opts.signal ?? null;
  try {
    writeRequest(conn, p);
    const head = await readFinalHead(conn, p.url, limitsOf(opts));
    return { ...head, connection: conn, method: p.method, url: p.url, requestProtocol: p.protocol, requestHeaders: p.headers };
  } catch (e) {
    // The caller never gets the connection when this fails, so nobody else can close it: a
    // timeout or an abort left the socket open (and the process alive) until the server gave up.
    // A connection passed in is in an unknown state mid-exchange, so it goes too.
    conn.destroy();
    throw e;
  }
}

/** Reads the body of a response from `sendRequest`; the connection stays open (see `reusable`). */
export async function readResponseBody(res: SentResponse, opts: ClientOptions = {}): Promise<{ body: Buffer; trailers: Headers }> {
  const conn = res.connection;
  if (opts.timeout !== undefined) conn.reader.deadline = deadlineOf(opts);
  if (opts.signal !== undefined) conn.reader.signal = opts.signal;
  let result: { body: Buffer; trailers: Headers };
  try {
    const framing = responseFraming(res.headers, res.status, res.method, res.url);
    result = await readBody(conn.reader, framing, res.url, limitsOf(opts));
    // Judged by the request sent as well as the response (it was judged by the response's
    // protocol alone, so an HTTP/1.0 request answered `HTTP/1.1` looked reusable).
    if (!responseKeepsAlive(res, framing, res.requestProtocol, res.requestHeaders)) conn.reusable = false;
  } catch (e) {
    // A body read half-way leaves the connection out of step with the server.
    conn.destroy();
    throw e;
  }
  return result;
}

/** `http:read-body`: a body read from CONNECTION by the framing in HEADERS (a GET's 200 assumed). */
export async function readBodyWith(headers: Headers, connection: ClientConnection, opts: ClientOptions = {}): Promise<Buffer> {
  const url = connection.reader.url;
  if (opts.timeout !== undefined) connection.reader.deadline = deadlineOf(opts);
  if (opts.signal !== undefined) connection.reader.signal = opts.signal;
  try {
    const framing = responseFraming(headers, 200, 'GET', url);
    return (await readBody(connection.reader, framing, url, limitsOf(opts))).body;
  } catch (e) {
    // As readResponseBody: a half-read body leaves the connection out of step.
    connection.destroy();
    throw e;
  }
}

/**
 * One whole exchange over a pooled connection: the response head and body, the body decoded by
 * its Content-Encoding as it arrives when DECODE says so for this head. A pooled connection
 * that turns out stale (closed by the server while idle) is retried once on a fresh one, for
 * idempotent methods.
 */
async function exchange(request: HttpRequest, opts: ClientOptions, extra: Headers,
  decode: ((head: ResponseHead) => boolean) | null = null): Promise<FullResponse> {
  const p = prepare(request, opts, extra, true);
  const agent = opts.agent ?? defaultAgent;
  const limits = limitsOf(opts);
  const deadline = deadlineOf(opts);
  const signal = opts.signal ?? null;
  for (let attempt = 0; ; attempt++) {
    // An idle connection is taken without an await; a retry after a stale one opens a new one.
    let conn = attempt === 0 ? agent.takeIdle(p.key, p.url) : null;
    const reused = conn !== null;
    conn ??= await agent.open(p.endpoint, p.url, { deadline, signal, tls: opts.tls ?? null });
    conn.reader.deadline = deadline;
    conn.reader.signal = signal;
    try {
      writeRequest(conn, p);
      // readFinalHead, inline: one async layer less for every response.
      let head = await readResponseHead(conn.reader, p.url, limits);
      while (head.status < 200 && head.status !== 101) head = await readResponseHead(conn.reader, p.url, limits);
      const framing = responseFraming(head.headers, head.status, p.method, p.url);
      const decoder = framing.kind !== 'none' && decode !== null && decode(head)
        ? BodyDecoder.forEncoding(headerValue(head.headers, 'content-encoding'), p.url, limits.maxBodySize) : null;
      // A small body usually came with its head: taken at once, without another await.
      const { body, trailers } = decoder !== null ? await readDecodedBody(conn.reader, framing, p.url, limits, decoder)
        : readBufferedBody(conn.reader, framing, p.url, limits) ?? await readBody(conn.reader, framing, p.url, limits);
      if (!responseKeepsAlive(head, framing, p.protocol, p.headers)) conn.reusable = false;
      agent.release(conn);
      return { ...head, body, trailers, url: p.url };
    } catch (e) {
      conn.destroy();
      const stale = reused && e instanceof HttpClientError && e.code === 'closed' && IDEMPOTENT.has(p.method);
      if (!stale || attempt > 0) throw e;
    }
  }
}

/** Any request, whole, with the TS extras (redirects, decompression). Pooled. */
export function request(req: HttpRequest | string, opts: ClientOptions = {}): Promise<FullResponse> {
  const first = typeof req === 'string' ? new HttpRequest('GET', req, [], null, 'HTTP/1.1') : req;
  // The common case (no redirects followed, no decompression) is the exchange's own promise: an
  // async function returning it added a promise and the ticks to adopt it, for every request.
  if ((opts.followRedirects ?? 0) <= 0 && opts.decompress !== true) return exchange(first, opts, NO_HEADERS, null);
  return requestWithExtras(first, opts);
}

async function requestWithExtras(first: HttpRequest, opts: ClientOptions): Promise<FullResponse> {
  let current = first;
  const maxRedirects = opts.followRedirects ?? 0;
  const extra: Headers = opts.decompress ? [['Accept-Encoding', 'gzip, deflate']] : NO_HEADERS;
  const follows = (head: ResponseHead): boolean => maxRedirects > 0 && REDIRECTS.includes(head.status)
    && headerValue(head.headers, 'location') !== undefined;
  // The body of a redirect that will be followed is dropped, so it is not decoded.
  const decode = (head: ResponseHead): boolean => opts.decompress === true && !follows(head);
  for (let hops = 0; ; hops++) {
    const res = await exchange(current, opts, extra, decode);
    const location = headerValue(res.headers, 'location');
    if (location !== undefined && follows(res)) {
      if (hops >= maxRedirects) throw new HttpClientError('too-many-redirects', res.url, `more than ${maxRedirects} redirects`);
      // Which one the server meant cannot be known (a proxy's and the origin's, or a splitting
      // attempt): not followed.
      if (new Set(headerValues(res.headers, 'location')).size > 1) {
        throw new HttpClientError('bad-header', res.url, `${res.status} response with differing Location values: not followed`);
      }
      current = redirected(current, res.status, location);
      continue;
    }
    return res;
  }
}

/**
 * The request a redirect asks for: 303 (and 301/302 after POST) become a GET without a body (a
 * HEAD stays a HEAD: it was turned into a GET, which fetched a body nobody asked for).
 * Credentials (Authorization, Cookie) are dropped when the redirect leaves the origin: they were
 * handed to whatever host a Location named.
 */
function redirected(req: HttpRequest, status: number, location: string): HttpRequest {
  const base = requestBase(req);
  const next = new URL(location, base).toString();
  const toGet = req.method.toUpperCase() !== 'HEAD' && (status === 303 || ((status === 301 || status === 302) && req.method.toUpperCase() === 'POST'));
  const sameOrigin = originOf(base) === originOf(next);
  const attrs = req.attributes.filter(([n]) => {
    const l = n.toLowerCase();
    if (l === 'host') return false;
    if (!sameOrigin && (l === 'authorization' || l === 'cookie' || l === 'proxy-authorization')) return false;
    return !(toGet && (l === 'content-length' || l === 'content-type' || l === 'transfer-encoding'));
  });
  return new HttpRequest(toGet ? 'GET' : req.method, next, attrs, toGet ? null : req.body, req.protocol, req.ip);
}

/**
 * The absolute URL a request went to, to resolve a Location against. A path-only URL takes its
 * host from the Host attribute (it used to be read as `http:///path`, so a relative Location
 * went to a host named after the path's first segment).
 */
function requestBase(req: HttpRequest): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url)) return req.url;
  if (req.url.startsWith('/')) {
    const host = req.attributes.find(([n]) => n.toLowerCase() === 'host')?.[1];
    if (host !== undefined) return `http://${host}${req.url}`;
  }
  return `http://${req.url}`;
}

function originOf(url: string): string {
  try {
    return originKey(parseTarget(url));
  } catch {
    return url;
  }
}

/** `http:GET`: the body of the response as bytes. A request record keeps its cookies (the egg's hack). */
export async function getBytes(req: HttpRequest | string, opts: ClientOptions = {}): Promise<Buffer> {
  const r = typeof req === 'string' ? new HttpRequest('GET', req, [], null, 'HTTP/1.1') : req;
  const res = await request(r, opts);
  storeCookies(r, res.headers);
  return res.body;
}

/** `http:GET`: the body of the response as a string. */
export async function get(req: HttpRequest | string, opts: ClientOptions = {}): Promise<string> {
  return (await getBytes(req, opts)).toString('utf8');
}

/** A POST argument: `"name=value"` or a name/value pair. */
export type PostArgument = string | readonly [string, string];

/**
 * The body of `http:POST`: urlencoded (`n1=v1&n2=v2`) for a URL string or an urlencoded request;
 * otherwise pairs joined by DELIM2 and DELIM1 with values through ENCODER.
 */
export function postBody(args: readonly PostArgument[], urlencoded: boolean, delim1 = '&', delim2 = '=', encoder: (s: string) => string = formEncode): string {
  const parts = args.map((a) => {
    if (typeof a === 'string') return a;
    return urlencoded ? `${formEncode(a[0])}=${formEncode(a[1])}` : `${a[0]}${delim2}${encoder(a[1])}`;
  });
  return parts.join(urlencoded ? '&' : delim1);
}

/** `http:POST`: sends ARGS as the body and returns the response body as a string. */
export async function post(req: HttpRequest | string, args: readonly PostArgument[], delim1?: string, delim2?: string,
  encoder?: (s: string) => string, opts: ClientOptions = {}): Promise<string> {
  let r: HttpRequest;
  let urlencoded = true;
  if (typeof req === 'string') {
    r = new HttpRequest('POST', req, [['Content-Type', URLENCODED]], null, 'HTTP/1.1');
  } else {
    r = req;
    const ct = headerValue(r.attributes.map(([n, v]) => [n.toLowerCase(), v]), 'content-type');
    urlencoded = ct === undefined || mediaType(ct) === URLENCODED;
    if (ct === undefined) r.attributes.push(['Content-Type', URLENCODED]);
  }
  const body = postBody(args, urlencoded, delim1, delim2, encoder);
  const sent = new HttpRequest('POST', r.url, r.attributes.filter(([n]) => n.toLowerCase() !== 'content-length'), body, r.protocol, r.ip);
  const res = await request(sent, opts);
  storeCookies(r, res.headers);
  return res.body.toString('utf8');
}

/** `http:close-all-connections!`. */
export function closeAllConnections(agent: Agent = defaultAgent): void {
  agent.closeAll();
}
