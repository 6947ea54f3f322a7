/**
 * Test support: servers on 127.0.0.1 with an ephemeral port, and raw TCP clients that send
 * exact bytes and read exact bytes back. Every wait is bounded.
 */
import net from 'node:net';
import { createServer, ServerConfig, type Server, type ServerOptions } from '../../src/http/index.js';

/** Starts a server on 127.0.0.1 with a free port; `configure` adds resources before it starts. */
export async function startServer(configure?: (config: ServerConfig) => void, options: ServerOptions = {}): Promise<Server> {
  const config = options.config ?? new ServerConfig();
  // Tests see errors through hooks they install; the default hook's stderr noise is not wanted.
  config.errorHook = () => undefined;
  configure?.(config);
  const server = createServer({ host: '127.0.0.1', port: 0, ...options, config });
  await server.start();
  return server;
}

export interface RawResult {
  /** Everything received, as latin1 text. */
  text: string;
  /** True when the server closed the connection (within the wait). */
  closed: boolean;
}

/**
 * Opens a connection, writes each piece of DATA (with PAUSE ms between pieces), and collects what
 * comes back until the server closes or `waitMs` passes with the connection still open.
 */
export function raw(port: number, data: string | Buffer | Array<string | Buffer>, opts: { waitMs?: number; pauseMs?: number; end?: boolean } = {}): Promise<RawResult> {
  const pieces = Array.isArray(data) ? data : [data];
  const waitMs = opts.waitMs ?? 1500;
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => { sock.destroy(); done(); }, waitMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') { closed = true; return; }
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => { closed = true; done(); });
    sock.on('connect', async () => {
      for (let i = 0; i < pieces.length; i++) {
        if (i > 0 && opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
        if (sock.destroyed) return;
        sock.write(pieces[i]!);
      }
      if (opts.end) sock.end();
    });
  });
}

export interface ParsedResponse {
  statusLine: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Splits a byte stream holding several Content-Length or chunked responses (latin1 text) into responses. */
export function parseResponses(text: string, headOnly = false): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = text.indexOf('\r\n\r\n', pos);
    if (end === -1) throw new Error(`incomplete head in ${JSON.stringify(text.slice(pos, pos + 200))}`);
    const lines = text.slice(pos, end).split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.split(' ')[1]);
    const headers = lines.slice(1).map((l): [string, string] => {
      const c = l.indexOf(':');
      return [l.slice(0, c).toLowerCase(), l.slice(c + 1).trim()];
    });
    pos = end + 4;
    const get = (n: string): string | undefined => headers.find(([k]) => k === n)?.[1];
    let body = '';
    if (status < 200 || status === 204 || status === 304 || headOnly) {
      body = '';
    } else if (get('transfer-encoding')?.toLowerCase().includes('chunked')) {
      for (;;) {
        const le = text.indexOf('\r\n', pos);
        if (le === -1) throw new Error('incomplete chunked body');
        const size = parseInt(text.slice(pos, le), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size in ${JSON.stringify(text.slice(pos, pos + 20))}`);
        pos = le + 2;
        if (size === 0) {
          const te = text.indexOf('\r\n\r\n', pos - 2);
          if (te === -1) throw new Error('incomplete chunked trailer');
          pos = te + 4;
          break;
        }
        if (pos + size + 2 > text.length) throw new Error('incomplete chunk');
        body += text.slice(pos, pos + size);
        pos += size + 2;
      }
    } else if (get('content-length') !== undefined) {
      const n = Number(get('content-length'));
      if (pos + n > text.length) throw new Error('incomplete body');
      body = text.slice(pos, pos + n);
      pos += n;
    } else {
      body = text.slice(pos);
      pos = text.length;
    }
    out.push({ statusLine, status, headers, body });
    if (status === 100) continue;
  }
  return out;
}

/** A header's value in a parsed response (lowercase name). */
export function header(r: ParsedResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k === name)?.[1];
}

/** A persistent raw connection: send bytes, then wait for N complete responses. */
export class RawConnection {
  private readonly sock: net.Socket;
  private data = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on('data', (c) => { this.data += c.toString('latin1'); this.wake(); });
    sock.on('close', () => { this.closed = true; this.wake(); });
    sock.on('error', () => { this.closed = true; this.wake(); });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(bytes: string | Buffer): void {
    this.sock.write(bytes);
  }

  /** Waits (bounded) until PRED holds over the received text. */
  async until(pred: (text: string, closed: boolean) => boolean, ms = 3000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pred(this.data, this.closed)) {
      if (Date.now() > deadline) throw new Error(`timed out; received so far: ${JSON.stringify(this.data.slice(0, 500))}`);
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 50); });
    }
    return this.data;
  }

  /** Waits for N whole responses and returns them (and clears the received text). */
  async responses(n: number, ms = 3000, headOnly = false): Promise<ParsedResponse[]> {
    let parsed: ParsedResponse[] = [];
    await this.until((t) => {
      try {
        parsed = parseResponses(t, headOnly).filter((r) => r.status !== 100);
        return parsed.length >= n;
      } catch {
        return false;
      }
    }, ms);
    this.data = '';
    return parsed;
  }

  get received(): string {
    return this.data;
  }

  end(): void {
    this.sock.end();
  }

  destroy(): void {
    this.sock.destroy();
  }
}
