/**
 * One client connection as a small state machine: waiting (idle) → reading a head → reading a
 * body → running the handler (busy) → idle again, or closed. Requests are taken one at a time,
 * so pipelined requests are answered in order. Every waiting state has a deadline, checked by
 * the server's sweep, so a slow or silent peer is closed.
 */
import type net from 'node:net';
import { HttpProtocolError, HttpTimeoutError, HandlerTimeLimitError } from '../errors.js';
import { RequestHeadParser, type RequestHead } from '../parser.js';
import { requestFraming, ChunkedDecoder, type Framing } from '../body.js';
import { headerValue } from '../headers.js';
import { HttpRequest } from '../request.js';
import { reasonPhrase } from '../status.js';
import { defaultErrorPage } from './error-page.js';
import type { ServerConfig } from './config.js';
import { Exchange, writeErrorResponse, errorResponseText, type ServerIdentity } from './exchange.js';
import { ResponseWriter } from './response.js';
import { isPromiseLike } from './maybe.js';
import type { HandlerOutputError } from '../errors.js';
import { recordResponse } from './access-log.js';
import { clientAddress } from './forwarded.js';

/** What a connection needs from the server that accepted it. */
export interface ConnectionHost {
  readonly config: ServerConfig;
  readonly identity: ServerIdentity;
  /** Receives one line per answered request when debugging is on. */
  readonly debug: ((line: string) => void) | null;
  /** True once the server is stopping: connections close after their current response. */
  readonly stopping: boolean;
  connectionClosed(conn: Connection): void;
}

const enum State { Idle, Head, Body, Busy, Draining, Closed }

/** After a response that ends the connection, how long the peer gets to close its side. */
const LINGER_MS = 2000;
/** Buffered unread bytes beyond which reading pauses while a handler runs. */
const PAUSE_BYTES = 256 * 1024;
/** The global `performance` is an accessor (~40 ns a read): read once. */
const perf = performance;

export class Connection {
  readonly socket: net.Socket;
  readonly ip: string;
  /** When the current wait runs out (ms since the epoch); 0 = no deadline. */
  deadline: number;
  private readonly host: ConnectionHost;
  private state = State.Idle;
  private fresh = true;
  private buf: Buffer | null = null;
  private readonly parser: RequestHeadParser;
  private peerEnded = false;
  // The request being read.
  private head: RequestHead | null = null;
  private framing: Framing | null = null;
  private bodyParts: Buffer[] = [];
  private bodyReceived = 0;
  private chunked: ChunkedDecoder | null = null;
  /** The request's first `Connection` value, and whether it had an `Expect` field (from `summarize`). */
  private connectionValue: string | undefined = undefined;
  private hasExpect = false;
  /** In a head whose deadline is not set yet (it is set only if the head does not arrive whole). */
  private headUntimed = false;
  private started = 0;
  /** The request being answered, for the error hook. */
  private current: HttpRequest | null = null;

  constructor(socket: net.Socket, host: ConnectionHost, ip: string) {
    this.socket = socket;
    this.host = host;
    this.ip = ip;
    this.parser = new RequestHeadParser(host.config.limits);
    // A fresh connection that sends nothing gets as long as a slow head would.
    this.deadline = Date.now() + host.config.limits.headTimeout;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.onClose());
  }

  get idle(): boolean {
    return this.state === State.Idle && (this.buf === null || this.buf.length === 0);
  }

  private onData(chunk: Buffer): void {
    if (this.state === State.Closed) return; // lingering: what the peer still sends is discarded
    this.buf = this.buf === null || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.state === State.Busy || this.state === State.Draining) {
      if (this.buf.length > PAUSE_BYTES) this.socket.pause();
      return;
    }
    this.process();
  }

  private onEnd(): void {
    this.peerEnded = true;
    if (this.state === State.Closed) this.destroy();
    else if (this.state !== State.Busy && this.state !== State.Draining) this.process();
  }

  private onClose(): void {
    if (this.state !== State.Closed) this.state = State.Closed;
    this.deadline = 0;
    this.host.connectionClosed(this);
  }

  /** Reads and answers every complete request in the buffer, until one needs to wait. */
  private process(): void {
    for (;;) {
      const state = this.state;
      if (state === State.Idle || state === State.Head) {
        const buf = this.buf;
        if (buf === null || buf.length === 0) {
          if (this.peerEnded || this.host.stopping) this.endConnection();
          return;
        }
        if (state === State.Idle) {
          this.state = State.Head;
          // A fresh connection's head deadline runs from its accept.
          this.headUntimed = !this.fresh;
        }
        let end: number;
        try {
          end = this.parser.scan(buf);
          if (end === -1) {
            if (this.peerEnded) this.endConnection(); // an incomplete head, then EOF: a clean close
            else if (this.headUntimed) {
              this.headUntimed = false;
              this.deadline = Date.now() + this.host.config.limits.headTimeout;
            }
            return;
          }
          this.head = this.parser.parse(buf);
          this.readHead(this.head);
        } catch (e) {
          this.reject(e);
          return;
        }
        this.buf = end === buf.length ? null : buf.subarray(end);
        this.parser.reset();
        this.fresh = false;
        if (!this.beginBody()) return;
      } else if (state === State.Body) {
        let complete: boolean;
        try {
          complete = this.readBody();
        } catch (e) {
          this.reject(e);
          return;
        }
        if (!complete) {
          if (this.peerEnded) this.endConnection(); // the body never came: nothing to answer
          else this.deadline = Date.now() + this.host.config.limits.bodyTimeout;
          return;
        }
        if (!this.dispatch()) return;
      } else {
        return;
      }
    }
  }

  /**
   * What the server needs from a head's fields, in one pass over them: its framing, its Host
   * (checked as `checkHost` does), `Connection` and whether it has `Expect`. Throws as
   * `requestFraming` and `checkHost` do, in that order.
   */
  private readHead(head: RequestHead): void {
    const headers = head.headers;
    let framed = false;
    let hosts = 0;
    let badHost: string | undefined;
    let connection: string | undefined;
    let expect = false;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      const name = h[0];
      if (name === 'host') {
        hosts++;
        if (badHost === undefined && !isHostText(h[1])) badHost = h[1];
      } else if (name === 'connection') {
        if (connection === undefined) connection = h[1];
      } else if (name === 'content-length' || name === 'transfer-encoding') {
        framed = true;
      } else if (name === 'expect') {
        expect = true;
      }
    }
    this.framing = framed ? requestFraming(headers, this.host.config.limits.maxBodySize) : NO_BODY;
    if (badHost !== undefined) throw new HttpProtocolError(400, 'bad-host', `invalid Host ${JSON.stringify(badHost)}`);
    if (hosts > 1) throw new HttpProtocolError(400, 'bad-host', 'more than one Host header');
    if (hosts === 0 && head.protocol === 'HTTP/1.1') throw new HttpProtocolError(400, 'missing-host', 'an HTTP/1.1 request must carry a Host header');
    this.connectionValue = connection;
    this.hasExpect = expect;
  }

  /** After a head: answer at once, or start reading its body. False when the loop must stop. */
  private beginBody(): boolean {
    const head = this.head!;
    const framing = this.framing!;
    this.started = this.host.debug !== null ? perf.now() : 0;
    let expect: string | undefined;
    if (this.hasExpect) for (const [name, value] of head.headers) {
      if (name !== 'expect') continue;
      for (const part of value.split(',')) {
        const e = part.trim().toLowerCase();
        if (e === '') continue;
        if (e !== '100-continue') {
          this.reject(new HttpProtocolError(417, 'expectation-failed', `unsupported expectation ${JSON.stringify(value)}`));
          return false;
        }
        expect = e;
      }
    }
    if (framing.kind === 'none') return this.dispatch();
    this.state = State.Body;
    this.bodyParts = [];
    this.bodyReceived = 0;
    this.chunked = framing.kind === 'chunked' ? new ChunkedDecoder(this.host.config.limits) : null;
    this.deadline = Date.now() + this.host.config.limits.bodyTimeout;
    if (expect !== undefined && head.protocol === 'HTTP/1.1' && (this.buf === null || this.buf.length === 0)) {
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    }
    return true;
  }

  /** Moves body bytes from the buffer; true once the whole body is in. */
  private readBody(): boolean {
    const buf = this.buf;
    if (buf === null || buf.length === 0) return this.chunked === null ? false : this.chunked.done;
    if (this.chunked !== null) {
      const pos = this.chunked.push(buf, 0);
      this.buf = pos === buf.length ? null : buf.subarray(pos);
      return this.chunked.done;
    }
    const framing = this.framing as { kind: 'length'; length: number };
    const take = Math.min(framing.length - this.bodyReceived, buf.length);
    this.bodyParts.push(take === buf.length ? buf : buf.subarray(0, take));
    this.bodyReceived += take;
    this.buf = take === buf.length ? null : buf.subarray(take);
    return this.bodyReceived === framing.length;
  }

  /** Runs the method handler. True when it finished synchronously and the loop may go on. */
  private dispatch(): boolean {
    const head = this.head!;
    const config = this.host.config;
    const framing = this.framing!;
    this.head = null;
    let body: Buffer | null = null;
    let bodySize: number | null = null;
    // Behind a trusted reverse proxy, the client's address from its X-Forwarded-For (forwarded.ts).
    const request = new HttpRequest(head.method, head.target, head.headers, null, head.protocol, clientAddress(this.ip, head.headers, config.trustedProxies));
    if (framing.kind !== 'none') {
      const parts = this.chunked !== null ? this.chunked.parts : this.bodyParts;
      body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      bodySize = body.length;
      if (this.chunked !== null) request.trailers = this.chunked.trailers;
      this.bodyParts = [];
      this.chunked = null;
    }
    const out = new ResponseWriter(this.socket, this, head.protocol, head.method === 'HEAD',
      // An HTTP/1.0 message with Transfer-Encoding has faulty framing: close after it (RFC 9112 §6.1).
      !this.host.stopping && keepAliveOf(head.protocol, this.connectionValue) && !(head.protocol === 'HTTP/1.0' && framing.kind === 'chunked'),
      this.host.identity.serverName, head.target);
    const ex = new Exchange(request, out, body, config, this.host.identity, bodySize);
    this.current = request;
    this.state = State.Busy;
    this.deadline = 0;
    if (config.activeRequests >= config.requestCountLimit) {
      writeErrorResponse(out, config, this.host.identity, 503, 'Service Unavailable');
      out.keepAlive = false;
      return this.complete(ex);
    }
    config.activeRequests++;
    let result: unknown;
    try {
      if (config.urlTransformation !== null) request.url = String(config.urlTransformation(request.url));
      const handler = config.methodHandlers.get(request.method);
      if (handler === undefined) {
        writeErrorResponse(out, config, this.host.identity, 501, 'Not Implemented');
        result = undefined;
      } else {
        result = handler(request, ex);
      }
    } catch (e) {
      config.activeRequests--;
      this.failed(ex, e);
      return false;
    }
    if (isPromiseLike(result)) {
      result.then(
        () => { config.activeRequests--; if (this.complete(ex)) this.process(); },
        (e: unknown) => { config.activeRequests--; this.failed(ex, e); },
      );
      return false;
    }
    config.activeRequests--;
    return this.complete(ex);
  }

  /** The handler returned: finish the response, log it, and get ready for the next request. */
  private complete(ex: Exchange): boolean {
    const out = ex.out;
    try {
      out.end();
    } catch (e) {
      this.callErrorHook(e, ex.request);
      out.keepAlive = false;
    }
    this.finished(ex);
    if (!out.keepAlive || this.host.stopping || this.state === State.Closed) {
      this.endConnection();
      return false;
    }
    this.state = State.Idle;
    this.deadline = Date.now() + this.host.config.limits.idleTimeout;
    if (this.socket.isPaused()) this.socket.resume();
    if (this.socket.writableNeedDrain) {
      // A peer that does not read its responses gets no more of them until it does.
      this.state = State.Draining;
      this.deadline = Date.now() + this.host.config.limits.writeTimeout;
      this.socket.once('drain', () => {
        if (this.state !== State.Draining) return;
        this.state = State.Idle;
        this.deadline = Date.now() + this.host.config.limits.idleTimeout;
        this.process();
      });
      return false;
    }
    return true;
  }

  /** The handler raised: tell the error hook, answer 500 (503 for a time limit) if nothing was sent, close. */
  private failed(ex: Exchange, error: unknown): void {
    this.callErrorHook(error, ex.request);
    const out = ex.out;
    const [status, reason] = error instanceof HandlerTimeLimitError ? [503, 'Service Unavailable'] : [500, 'Internal Server Error'];
    if (!out.ended && out.discard()) {
      try {
        writeErrorResponse(out, this.host.config, this.host.identity, status, reason);
      } catch (e) {
        this.callErrorHook(e, ex.request);
        out.discard();
        out.write(fallbackErrorText(status, this.host.identity));
      }
      out.keepAlive = false;
      out.end();
      this.finished(ex);
      this.endConnection();
    } else if (out.ended) {
      // The response was whole before the handler raised: close gently.
      this.finished(ex);
      this.endConnection();
    } else {
      // Part of a response is out: the peer must see it cut short.
      this.finished(ex);
      this.hardClose();
    }
  }

  private finished(ex: Exchange): void {
    const config = this.host.config;
    config.requestCount++;
    if (config.logHook !== null) {
      recordResponse(ex.request, ex.out); // the status and size the access log reports
      try {
        const r = config.logHook(ex.request, this.ip);
        if (isPromiseLike(r)) Promise.resolve(r).catch((e: unknown) => this.callErrorHook(e, ex.request));
      } catch (e) {
        this.callErrorHook(e, ex.request);
      }
    }
    const debug = this.host.debug;
    if (debug !== null) {
      const ms = (perf.now() - this.started).toFixed(1);
      debug(`${this.ip} ${ex.request.method} ${ex.request.url} ${ex.request.protocol} -> ${ex.out.status} in ${ms} ms`);
    }
  }

  get closing(): boolean {
    return this.host.stopping;
  }

  get writeTimeout(): number {
    return this.host.config.limits.writeTimeout;
  }

  /** A handler broke its own framing (from the ResponseWriter). */
  outputFault(error: HandlerOutputError): void {
    this.callErrorHook(error, this.current);
  }

  private callErrorHook(error: unknown, request: HttpRequest | null): void {
    try {
      const r = this.host.config.errorHook(error, request);
      if (isPromiseLike(r)) Promise.resolve(r).catch(() => undefined);
    } catch {
      // An error hook that fails has nobody left to tell.
    }
  }

  /** A request we cannot serve: answer with its status (when nothing is in flight) and close. */
  private reject(error: unknown): void {
    const status = error instanceof HttpProtocolError ? error.status : error instanceof HttpTimeoutError ? 408 : 400;
    if (!(error instanceof HttpProtocolError) && !(error instanceof HttpTimeoutError)) this.callErrorHook(error, null);
    if (this.state !== State.Busy && this.state !== State.Closed && this.state !== State.Draining) {
      let html: string;
      try {
        html = this.host.config.errorResponseHandler(status, reasonPhrase(status), this.host.identity);
      } catch {
        html = defaultErrorPage(status, reasonPhrase(status), this.host.identity.serverName, this.host.identity.location);
      }
      this.socket.write(errorResponseText(status, reasonPhrase(status), html, 'HTTP/1.1', this.host.identity.serverName, [['Connection', 'close']]));
      const debug = this.host.debug;
      if (debug !== null) debug(`${this.ip} - - - -> ${status} (${error instanceof Error ? error.message : String(error)})`);
    }
    this.endConnection();
  }

  /** Sends what is queued, then closes our side; the peer gets a moment to close its own. */
  private endConnection(): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    this.buf = null;
    this.deadline = Date.now() + LINGER_MS;
    if (this.socket.isPaused()) this.socket.resume();
    this.socket.end();
    if (this.peerEnded) this.socket.destroySoon();
  }

  private hardClose(): void {
    this.state = State.Closed;
    this.deadline = 0;
    const hard = this.host.config.transport.hardClose;
    if (hard !== undefined) hard(this.socket);
    else this.socket.destroy();
  }

  destroy(): void {
    this.state = State.Closed;
    this.deadline = 0;
    this.socket.destroy();
  }

  /** Called by the server's sweep with the current time. */
  checkDeadline(now: number): void {
    if (this.deadline === 0 || now < this.deadline) return;
    switch (this.state) {
      case State.Idle:
        this.destroy();
        break;
      case State.Head:
        if (this.fresh && (this.buf === null || this.buf.length === 0)) this.destroy();
        else this.reject(new HttpTimeoutError('head', this.host.config.limits.headTimeout));
        break;
      case State.Body:
        this.reject(new HttpTimeoutError('body', this.host.config.limits.bodyTimeout));
        break;
      default:
        this.destroy();
    }
  }

  /** The server is stopping: an idle connection closes now, a busy one after its response. */
  shutdown(): void {
    if (this.state === State.Idle && (this.buf === null || this.buf.length === 0)) this.endConnection();
    else if (this.state === State.Head && this.fresh && (this.buf === null || this.buf.length === 0)) this.endConnection();
  }
}

/** HTTP/1.1: persistent unless `Connection: close`; HTTP/1.0: only with `Connection: keep-alive`. */
export function wantsKeepAlive(head: RequestHead): boolean {
  return keepAliveOf(head.protocol, headerValue(head.headers, 'connection'));
}

/** `wantsKeepAlive` from the protocol and the first `Connection` value. */
function keepAliveOf(protocol: string, conn: string | undefined): boolean {
  if (protocol === 'HTTP/1.1') return conn === undefined || !hasToken(conn, 'close');
  return conn !== undefined && hasToken(conn, 'keep-alive');
}

/** The framing of a request without Content-Length or Transfer-Encoding (as `requestFraming` gives it). */
const NO_BODY: Framing = Object.freeze({ kind: 'none' });

function hasToken(value: string, token: string): boolean {
  const v = value.toLowerCase();
  if (v === token) return true;
  for (const part of v.split(',')) if (part.trim() === token) return true;
  return false;
}

/** RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; no request has two. */
export function checkHost(head: RequestHead): void {
  let count = 0;
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    if (headers[i]![0] !== 'host') continue;
    count++;
    if (!isHostText(headers[i]![1])) throw new HttpProtocolError(400, 'bad-host', `invalid Host ${JSON.stringify(headers[i]![1])}`);
  }
  if (count > 1) throw new HttpProtocolError(400, 'bad-host', 'more than one Host header');
  if (count === 0 && head.protocol === 'HTTP/1.1') throw new HttpProtocolError(400, 'missing-host', 'an HTTP/1.1 request must carry a Host header');
}

/**
 * A Host value is not empty and has no whitespace, `/`, `?`, `#` or `@` (RFC 9110 §7.2:
 * uri-host [":" port]; an empty one names no host, and a server answers it 400).
 */
function isHostText(v: string): boolean {
  if (v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c <= 32 || c === 47 || c === 63 || c === 35 || c === 64 || c >= 127) return false;
  }
  return true;
}

function fallbackErrorText(status: number, id: ServerIdentity): string {
  const html = defaultErrorPage(status, reasonPhrase(status), id.serverName, id.location);
  return errorResponseText(status, reasonPhrase(status), html, 'HTTP/1.1', id.serverName);
}
