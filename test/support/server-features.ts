/**
 * Test support for the server feature suites: one-request clients over raw sockets, a counter of
 * accepted connections, bounded waits, an external-process runner and address probes.
 * Every wait here is bounded.
 */
import net from 'node:net';
import { execFile } from 'node:child_process';
import type { ServerConfig } from '../../src/http/index.js';
import { RawConnection, type ParsedResponse } from './net.js';

/** The default error page of SEMANTICS.md, for a server with the default name and location. */
export function defaultPage(code: number, message: string, serverName = '(Silly)', location = 'localhost'): string {
  return `<html><head><title>${code} ${message}</title></head><body><h1>${code} ${message}</h1>`
    + `<address>${serverName} at ${location}</address></body></html>`;
}

/** An IMF-fixdate (RFC 9110 §5.6.7). */
export const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `GET PATH HTTP/1.1` with a Host header and any EXTRA header lines (each without its CRLF). */
export function getReq(path: string, ...extra: string[]): string {
  return `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra.map((l) => l + '\r\n').join('')}\r\n`;
}

/** A request with a body: Content-Length framing and the given Content-Type (none when null). */
export function bodyReq(method: string, path: string, contentType: string | null, body: string | Buffer): string | Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = `${method} ${path} HTTP/1.1\r\nHost: test\r\n`
    + (contentType === null ? '' : `Content-Type: ${contentType}\r\n`)
    + `Content-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

/**
 * The complete responses at the start of TEXT (latin1), ignoring 100 Continue. Unlike
 * `parseResponses` of net.ts, a response whose body has not fully arrived is not returned, so
 * this is safe to call on a partial stream. A response without Content-Length or chunked framing
 * is complete only when CLOSED. HEADONLY: the I-th response (0-based) answers a HEAD request.
 */
export function completeResponses(text: string, closed = false, headOnly: (i: number) => boolean = () => false): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = text.indexOf('\r\n\r\n', pos);
    if (end === -1) break;
    const lines = text.slice(pos, end).split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.split(' ')[1]);
    const headers = lines.slice(1).map((l): [string, string] => {
      const c = l.indexOf(':');
      return [l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()];
    });
    const get = (n: string): string | undefined => headers.find(([k]) => k === n)?.[1];
    let p = end + 4;
    let body = '';
    if (status === 100) { pos = p; continue; }
    if (status < 200 || status === 204 || status === 304 || headOnly(out.length)) {
      // no body
    } else if (get('transfer-encoding')?.toLowerCase().includes('chunked')) {
      let done = false;
      for (;;) {
        const le = text.indexOf('\r\n', p);
        if (le === -1) break;
        const size = parseInt(text.slice(p, le), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size line ${JSON.stringify(text.slice(p, le))}`);
        if (size === 0) {
          // The last chunk's CRLF, any trailer lines, then the blank line.
          const te = text.indexOf('\r\n\r\n', le);
          if (te === -1) break;
          p = te + 4;
          done = true;
          break;
        }
        if (le + 2 + size + 2 > text.length) break;
        body += text.slice(le + 2, le + 2 + size);
        p = le + 2 + size + 2;
      }
      if (!done) break;
    } else if (get('content-length') !== undefined) {
      const n = Number(get('content-length'));
      if (p + n > text.length) break;
      body = text.slice(p, p + n);
      p += n;
    } else {
      if (!closed) break;
      body = text.slice(p);
      p = text.length;
    }
    out.push({ statusLine, status, headers, body });
    pos = p;
  }
  return out;
}

/** Waits (bounded) for N complete responses on CONN; the received text is left in place. */
export async function awaitResponses(conn: RawConnection, n: number, ms = 3000, headOnly: (i: number) => boolean = () => false): Promise<ParsedResponse[]> {
  let got: ParsedResponse[] = [];
  await conn.until((t, closed) => {
    got = completeResponses(t, closed, headOnly);
    return got.length >= n || closed;
  }, ms);
  if (got.length < n) throw new Error(`connection closed after ${got.length} of ${n} responses; received ${JSON.stringify(conn.received.slice(0, 500))}`);
  return got;
}

/**
 * Opens a connection, sends DATA, waits (bounded) for N whole responses and returns them with the
 * connection, still open, so a test can go on using it or check that it closes.
 */
export async function exchange(port: number, data: string | Buffer, n = 1, opts: { ms?: number; headOnly?: boolean } = {}): Promise<{ responses: ParsedResponse[]; conn: RawConnection }> {
  const conn = await RawConnection.open(port);
  try {
    conn.write(data);
    const headOnly = opts.headOnly ?? false;
    const responses = await awaitResponses(conn, n, opts.ms ?? 3000, () => headOnly);
    return { responses, conn };
  } catch (e) {
    conn.destroy();
    throw e;
  }
}

/** One request on a fresh connection; the connection is destroyed afterwards. */
export async function request1(port: number, data: string | Buffer, opts: { ms?: number; headOnly?: boolean } = {}): Promise<ParsedResponse> {
  const { responses, conn } = await exchange(port, data, 1, opts);
  conn.destroy();
  return responses[0]!;
}

/** `GET PATH` on a fresh connection. */
export function get(port: number, path: string, ...extra: string[]): Promise<ParsedResponse> {
  return request1(port, getReq(path, ...extra));
}

/** Waits until the connection is closed by the server (bounded); true if it was. */
export async function closedWithin(conn: RawConnection, ms = 2000): Promise<boolean> {
  try {
    await conn.until((_t, closed) => closed, ms);
    return true;
  } catch {
    return false;
  }
}

/** Polls PRED every 10 ms until it holds; throws after MS. */
export async function waitFor(pred: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A promise a test resolves by hand, with a bound so a forgotten release cannot hang a handler. */
export function gate(boundMs = 5000): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, boundMs).unref();
  });
  return { promise, release };
}

/** Counts the connections the server accepts, through the pluggable accept procedure. */
export function countConnections(config: ServerConfig): { readonly count: number; readonly sockets: net.Socket[] } {
  const sockets: net.Socket[] = [];
  config.transport.accept = (s) => { sockets.push(s); return s; };
  return { get count() { return sockets.length; }, sockets };
}

/** Raw request to HOST:PORT (any address family); collects until close or WAITMS. */
export function rawAt(host: string, port: number, data: string, waitMs = 2000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); finish(); }, waitMs);
    const finish = (): void => { clearTimeout(timer); resolve({ text: Buffer.concat(chunks).toString('latin1'), closed }); };
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') { closed = true; return; }
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('connect', () => sock.write(data));
  });
}

/** Whether this machine can listen on and connect to the IPv6 loopback. */
export function ipv6LoopbackAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer((s) => s.destroy());
    const timer = setTimeout(() => { srv.close(); resolve(false); }, 1000);
    srv.once('error', () => { clearTimeout(timer); resolve(false); });
    srv.listen(0, '::1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      const c = net.connect(port, '::1');
      const done = (ok: boolean): void => { clearTimeout(timer); c.destroy(); srv.close(); resolve(ok); };
      c.once('connect', () => done(true));
      c.once('error', () => done(false));
    });
  });
}

/** Whether PORT on 127.0.0.1 can be bound now (and releases it again). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Whether a TCP connect to 127.0.0.1:PORT is refused. */
export function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => { c.destroy(); resolve(false); }, 1000);
    c.once('connect', () => { clearTimeout(timer); c.destroy(); resolve(false); });
    c.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(e.code === 'ECONNREFUSED'); });
  });
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs FILE with ARGS (no shell), killed after TIMEOUTMS; never rejects on a non-zero exit. */
export function run(file: string, args: string[], timeoutMs = 5000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err !== null && typeof (err as NodeJS.ErrnoException).code === 'string') { reject(err); return; }
        resolve({ code: child.exitCode, stdout, stderr });
      });
  });
}

/** The complete responses in TEXT (latin1) received up to a close, ignoring 100 Continue. */
export function responsesOf(text: string, headOnly = false): ParsedResponse[] {
  return completeResponses(text, true, () => headOnly);
}

/** The head (up to and without the blank line) and the rest of one response text. */
export function splitHead(text: string): { head: string; rest: string } {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete head in ${JSON.stringify(text.slice(0, 300))}`);
  return { head: text.slice(0, end), rest: text.slice(end + 4) };
}

/** Counts header fields named NAME (case-insensitive) in a head. */
export function countHeader(head: string, name: string): number {
  return head.split('\r\n').slice(1).filter((l) => l.slice(0, l.indexOf(':')).toLowerCase() === name.toLowerCase()).length;
}
