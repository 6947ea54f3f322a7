/**
 * Attack helpers for the server suites: raw peers that send exact bytes and record exactly what
 * comes back (and when), an incremental response splitter that never throws on a partial stream,
 * and a harness that records which requests reached a handler, so a test can prove that bytes it
 * smuggled were never served. Every wait is bounded; every peer opened here is destroyed by
 * `destroyPeers()` (call it in afterEach).
 */
import net from 'node:net';
import { expect } from 'vitest';
import type { Server, ServerConfig, ServerOptions } from '../../src/http/index.js';
import { startServer } from './net.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Harness

export interface Harness {
  server: Server;
  port: number;
  config: ServerConfig;
  /** `METHOD URL` of every request the server answered through its handlers (the log hook), health checks aside. */
  handled: string[];
  /** What the error hook heard. */
  errors: unknown[];
}

/** Body of `GET /__health`. */
export const HEALTH_BODY = 'healthy';

/**
 * Starts a server on 127.0.0.1 with a `/__health` resource, a log hook recording every answered
 * request and an error hook recording every error. CONFIGURE runs after those are installed.
 */
export async function startHarness(configure?: (config: ServerConfig) => void, options: ServerOptions = {}): Promise<Harness> {
  const handled: string[] = [];
  const errors: unknown[] = [];
  let cfg: ServerConfig | null = null;
  const server = await startServer((config) => {
    cfg = config;
    config.errorHook = (e) => { errors.push(e); };
    config.logHook = (req) => { if (req.url !== '/__health') handled.push(`${req.method} ${req.url}`); };
    config.addResource('/__health', (_r, _a, ex) => { ex.send(200, { 'Content-Type': 'text/plain' }, HEALTH_BODY); });
    configure?.(config);
  }, options);
  return { server, port: server.port, config: cfg!, handled, errors };
}

/** Stops the harness's server (bounded), after destroying every peer still open. */
export async function stopHarness(h: Harness | null): Promise<void> {
  destroyPeers();
  if (h !== null) await h.server.stop({ timeout: 1000 });
}

/** The server still answers a good request, on a new connection. */
export async function expectHealthy(h: Harness): Promise<void> {
  const peer = await Peer.connect(h.port);
  try {
    peer.write('GET /__health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [r] = await peer.waitResponses(1, 3000);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe(HEALTH_BODY);
  } finally {
    peer.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Response splitting

export interface Resp {
  statusLine: string;
  status: number;
  /** Lowercased names, trimmed values, in order. */
  headers: Array<[string, string]>;
  /** latin1 text of the body. */
  body: string;
  /** Trailer lines of a chunked body (raw). */
  trailers: string[];
}

export function hdr(r: Resp, name: string): string | undefined {
  return r.headers.find(([k]) => k === name)?.[1];
}

export interface SplitOptions {
  /** Whether the Nth final response (not counting 1xx) answers a HEAD request. */
  headOnly?: (index: number) => boolean;
  /** The server closed: a response without framing ends at the end of the text. */
  closed?: boolean;
  /** Stop after this many final responses. */
  limit?: number;
}

export interface Split {
  /** Complete responses in order, 1xx included. */
  responses: Resp[];
  /** Text after the last complete response. */
  rest: string;
  /** A framing error in what the server sent (the rest is unparsed). */
  error: string | null;
}

/**
 * Splits a server's byte stream (latin1) into complete responses; stops at the first incomplete
 * one. Strict about framing: a response the client could not delimit is reported as an error.
 */
export function splitResponses(text: string, opts: SplitOptions = {}): Split {
  const responses: Resp[] = [];
  let pos = 0;
  let finals = 0;
  const fail = (error: string): Split => ({ responses, rest: text.slice(pos), error });
  while (pos < text.length && (opts.limit === undefined || finals < opts.limit)) {
    const end = text.indexOf('\r\n\r\n', pos);
    if (end === -1) break;
    const lines = text.slice(pos, end).split('\r\n');
    const statusLine = lines[0]!;
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m) return fail(`bad status line ${JSON.stringify(statusLine.slice(0, 100))}`);
    const status = Number(m[1]);
    const headers: Array<[string, string]> = [];
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0) return fail(`bad header line ${JSON.stringify(l.slice(0, 100))}`);
      headers.push([l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()]);
    }
    let p = end + 4;
    const r: Resp = { statusLine, status, headers, body: '', trailers: [] };
    const informational = status >= 100 && status < 200;
    const headOnly = !informational && (opts.headOnly?.(finals) ?? false);
    const te = hdr(r, 'transfer-encoding');
    const cl = hdr(r, 'content-length');
    if (informational || headOnly || status === 204 || status === 304) {
      // no body
    } else if (te !== undefined) {
      if (!/(^|,)\s*chunked\s*$/i.test(te)) return fail(`unsupported Transfer-Encoding ${te}`);
      let body = '';
      let complete = false;
      for (;;) {
        const le = text.indexOf('\r\n', p);
        if (le === -1) break;
        const sizeText = text.slice(p, le).split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) return fail(`bad chunk size ${JSON.stringify(sizeText)}`);
        const size = parseInt(sizeText, 16);
        p = le + 2;
        if (size === 0) {
          // trailers up to an empty line
          let ok = false;
          for (;;) {
            const tl = text.indexOf('\r\n', p);
            if (tl === -1) break;
            const line = text.slice(p, tl);
            p = tl + 2;
            if (line === '') { ok = true; break; }
            r.trailers.push(line);
          }
          complete = ok;
          break;
        }
        if (text.length < p + size + 2) break;
        body += text.slice(p, p + size);
        if (text.slice(p + size, p + size + 2) !== '\r\n') return fail('chunk data not followed by CRLF');
        p += size + 2;
      }
      if (!complete) break;
      r.body = body;
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) return fail(`bad Content-Length ${cl}`);
      const n = Number(cl);
      if (text.length < p + n) break;
      r.body = text.slice(p, p + n);
      p += n;
    } else {
      if (!opts.closed) break;
      r.body = text.slice(p);
      p = text.length;
    }
    responses.push(r);
    if (!informational) finals++;
    pos = p;
  }
  return { responses, rest: text.slice(pos), error: null };
}

/** Final (non-1xx) responses of TEXT; throws if the server's framing is broken. */
export function finals(text: string, opts: SplitOptions = {}): Resp[] {
  const s = splitResponses(text, opts);
  if (s.error !== null) throw new Error(`malformed response stream: ${s.error}; text: ${JSON.stringify(text.slice(0, 300))}`);
  return s.responses.filter((r) => r.status >= 200);
}

// ---------------------------------------------------------------------------------------------
// Raw peers

const openPeers = new Set<Peer>();

/** Destroys every peer still open (afterEach). */
export function destroyPeers(): void {
  for (const p of openPeers) p.destroy();
  openPeers.clear();
}

/** A raw TCP client on 127.0.0.1 that records every byte received and when the server closed. */
export class Peer {
  private readonly sock: net.Socket;
  private str = '';
  private received = 0;
  private waiters: Array<() => void> = [];
  /** Offset (in text) of the first response not yet taken. */
  private mark = 0;
  /** Bytes written by us so far. */
  bytesWritten = 0;
  /** Bytes we had written when the first byte from the server arrived (-1: none yet). */
  writtenAtFirstByte = -1;
  /** When the connection opened (ms since the epoch). */
  readonly openedAt: number;
  /** When the first byte from the server arrived, or 0. */
  firstByteAt = 0;
  /** When the server's FIN (or a reset) was seen, or 0. */
  endedAt = 0;
  /** True once the server ended its side (FIN or reset). */
  ended = false;
  /** True once the socket fully closed. */
  closed = false;
  /** True if the server reset the connection. */
  reset = false;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    this.openedAt = Date.now();
    openPeers.add(this);
    sock.on('data', (c: Buffer) => {
      if (this.firstByteAt === 0) { this.firstByteAt = Date.now(); this.writtenAtFirstByte = this.bytesWritten; }
      this.str += c.toString('latin1');
      this.received += c.length;
      this.wake();
    });
    sock.on('end', () => { this.markEnded(); });
    sock.on('close', () => { this.markEnded(); this.closed = true; openPeers.delete(this); this.wake(); });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') this.reset = true;
      this.markEnded();
      this.wake();
    });
  }

  private markEnded(): void {
    if (!this.ended) { this.ended = true; this.endedAt = Date.now(); }
    this.wake();
  }

  static connect(port: number, ms = 3000): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
      const timer = setTimeout(() => { s.destroy(); reject(new Error(`connect to 127.0.0.1:${port} timed out`)); }, ms);
      s.once('connect', () => { clearTimeout(timer); s.removeListener('error', onError); resolve(new Peer(s)); });
      const onError = (e: Error): void => { clearTimeout(timer); reject(e); };
      s.once('error', onError);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Everything received, as latin1. */
  get text(): string {
    return this.str;
  }

  get bytesReceived(): number {
    return this.received;
  }

  /** Writes bytes (ignored once the socket is gone). Returns false if it could not be written. */
  write(bytes: string | Buffer): boolean {
    if (this.sock.destroyed || !this.sock.writable) return false;
    const n = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'latin1') : bytes.length;
    this.bytesWritten += n;
    this.sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    return true;
  }

  /** Writes each piece with PAUSE ms between them; stops early once the server ends or STOP holds. */
  async writeSlowly(pieces: Array<string | Buffer>, pauseMs: number, stop?: () => boolean): Promise<number> {
    let n = 0;
    for (const p of pieces) {
      if (this.ended || (stop?.() ?? false)) break;
      if (!this.write(p)) break;
      n++;
      await sleep(pauseMs);
    }
    return n;
  }

  /** Stops reading (the server's writes back up). */
  pause(): void {
    this.sock.pause();
  }

  resume(): void {
    this.sock.resume();
  }

  /** Half-closes our side (FIN). */
  end(): void {
    if (!this.sock.destroyed) this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
    openPeers.delete(this);
  }

  /** Waits until PRED holds, at most MS; false when it did not. */
  async until(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 50));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return true;
  }

  /** Waits for the server to end the connection; false when it stayed open for MS. */
  waitEnded(ms: number): Promise<boolean> {
    return this.until(() => this.ended, ms);
  }

  /** Text received after the responses already taken by `waitResponses`. */
  get unread(): string {
    return this.text.slice(this.mark);
  }

  /**
   * Waits for N final responses after those already taken, and takes them (with any 1xx before
   * them); throws (with what arrived) when they do not come within MS.
   */
  async waitResponses(n: number, ms = 3000, opts: SplitOptions = {}): Promise<Resp[]> {
    let split: Split = { responses: [], rest: '', error: null };
    const count = (): number => split.responses.filter((r) => r.status >= 200).length;
    const ok = await this.until(() => {
      split = splitResponses(this.unread, { ...opts, closed: this.ended });
      return split.error !== null || count() >= n || this.ended;
    }, ms);
    split = splitResponses(this.unread, { ...opts, closed: this.ended });
    if (split.error !== null) throw new Error(`malformed response stream: ${split.error}; received: ${JSON.stringify(this.unread.slice(0, 600))}`);
    if (!ok || count() < n) {
      throw new Error(`expected ${n} responses within ${ms} ms, got ${count()}${this.ended ? ' (server closed)' : ''}; received: ${JSON.stringify(this.unread.slice(0, 600))}`);
    }
    // Take exactly N final responses.
    const out: Resp[] = [];
    let taken = 0;
    const unread = this.unread;
    for (const r of split.responses) {
      if (taken === n) break;
      if (r.status >= 200) { out.push(r); taken++; }
    }
    // Advance the mark past what was taken: re-split to find the offset.
    const consumed = unread.length - splitResponses(unread, { ...opts, closed: this.ended, limit: n }).rest.length;
    this.mark += consumed;
    return out;
  }

  /** Waits MS; true when no byte arrived meanwhile. */
  async quietFor(ms: number): Promise<boolean> {
    const before = this.received;
    return !(await this.until(() => this.received > before, ms));
  }
}

export interface Outcome {
  /** Everything received (latin1). */
  text: string;
  /** Final responses parsed from it. */
  responses: Resp[];
  /** The server ended the connection within the wait. */
  closed: boolean;
  /** ms from connect to the server's close (or -1). */
  closedAfter: number;
  reset: boolean;
}

/**
 * Connects, writes DATA (pieces with PAUSE ms between them, then FIN when END), and waits until
 * the server closes or WAIT ms pass.
 */
export async function exchange(port: number, data: string | Buffer | Array<string | Buffer>,
  opts: { waitMs?: number; pauseMs?: number; end?: boolean } = {}): Promise<Outcome> {
  const peer = await Peer.connect(port);
  try {
    const pieces = Array.isArray(data) ? data : [data];
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && opts.pauseMs) await sleep(opts.pauseMs);
      if (!peer.write(pieces[i]!)) break;
    }
    if (opts.end) peer.end();
    await peer.waitEnded(opts.waitMs ?? 2000);
    const text = peer.text;
    return {
      text,
      responses: finals(text, { closed: peer.ended }),
      closed: peer.ended,
      closedAfter: peer.ended ? peer.endedAt - peer.openedAt : -1,
      reset: peer.reset,
    };
  } finally {
    peer.destroy();
  }
}

/**
 * Sends DATA on a new connection and asserts: exactly one response, with STATUS and
 * `Connection: close`, then the server closes the connection; nothing a handler could see was
 * served; and the server then answers a good request on a new connection.
 */
export async function expectRejected(h: Harness, data: string | Buffer | Array<string | Buffer>, status: number,
  opts: { pauseMs?: number } = {}): Promise<Outcome> {
  const before = h.handled.length;
  const out = await exchange(h.port, data, { waitMs: 3000, ...opts });
  expect(out.responses.map((r) => r.status), `responses to ${JSON.stringify(String(data).slice(0, 120))}: ${JSON.stringify(out.text.slice(0, 300))}`).toEqual([status]);
  expect(hdr(out.responses[0]!, 'connection')?.toLowerCase()).toBe('close');
  expect(out.closed, 'server closes the connection after the error response').toBe(true);
  expect(h.handled.slice(before), 'no request reached a handler').toEqual([]);
  await expectHealthy(h);
  return out;
}

/** `GET PATH HTTP/1.1` with a Host header and EXTRA header lines. */
export function get(path: string, extra = '', method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
}

/** `POST PATH HTTP/1.1` with a Content-Length body. */
export function post(path: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${extra}\r\n${body}`;
}

/** Splits S into pieces at the given (sorted) offsets. */
export function splitAt(s: string, offsets: number[]): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const o of offsets) { if (o > prev && o < s.length) { out.push(s.slice(prev, o)); prev = o; } }
  out.push(s.slice(prev));
  return out;
}
