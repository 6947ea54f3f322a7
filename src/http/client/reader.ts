/**
 * Buffered, bounded reads from a client socket: lines, exact byte counts, and everything to the
 * end. Each wait ends by the request's deadline or abort signal, so nothing hangs. Reading pauses
 * the socket when too much is buffered, so a fast server cannot fill our memory.
 */
import type { Duplex } from 'node:stream';
import { HttpClientError } from '../errors.js';

const HIGH_WATER = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class SocketReader {
  private buf: Buffer = EMPTY;
  private ended = false;
  private failure: Error | null = null;
  private waiter: (() => void) | null = null;
  private readonly socket: Duplex;
  /** Shown in error messages. */
  url: string;
  /** Absolute time (ms) after which a wait fails; 0 = none. */
  deadline = 0;
  signal: AbortSignal | null = null;

  constructor(socket: Duplex, url: string) {
    this.socket = socket;
    this.url = url;
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      if (this.buf.length > HIGH_WATER) socket.pause();
      this.wake();
    });
    socket.on('end', () => { this.ended = true; this.wake(); });
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.failure = e instanceof HttpClientError ? e
        : new HttpClientError('closed', this.url, `connection failed: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), { cause: e });
      this.wake();
    });
  }

  /** Bytes buffered and not read yet. */
  get available(): number {
    return this.buf.length;
  }

  /** True when the peer closed and every byte was read. */
  get atEnd(): boolean {
    return this.ended && this.buf.length === 0;
  }

  /** True when the peer has closed its side (bytes may still be buffered). */
  get peerClosed(): boolean {
    return this.ended || this.failure !== null;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Waits for more bytes; false at the end of the stream. */
  private async more(): Promise<boolean> {
    if (this.failure !== null) throw this.failure;
    if (this.ended) return false;
    if (this.socket.isPaused()) this.socket.resume();
    const before = this.buf.length;
    while (this.buf.length === before && !this.ended && this.failure === null) {
      await this.wait();
    }
    if (this.buf.length > before) return true;
    if (this.failure !== null) throw this.failure;
    return false;
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const signal = this.signal;
      const onAbort = (): void => finish(new HttpClientError('aborted', this.url, 'the request was aborted'));
      const finish = (err?: Error): void => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
        if (err) reject(err);
        else resolve();
      };
      if (signal?.aborted) { onAbort(); return; }
      signal?.addEventListener('abort', onAbort);
      if (this.deadline > 0) {
        const ms = this.deadline - Date.now();
        if (ms <= 0) { finish(timeoutError(this.url)); return; }
        timer = setTimeout(() => finish(timeoutError(this.url)), ms);
      }
      this.waiter = () => finish();
    });
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = n === this.buf.length ? EMPTY : this.buf.subarray(n);
    if (this.buf.length < HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return out;
  }

  /**
   * The next line as latin1 text without its line end (LF or CRLF), or null at the end of the
   * stream. A line longer than LIMIT raises ON_LONG. A last line without its end is returned.
   */
  async readLine(limit: number, onLong: () => Error): Promise<string | null> {
    let from = 0;
    for (;;) {
      const nl = this.buf.indexOf(10, from);
      if (nl !== -1) {
        if (nl > limit + 1) throw onLong();
        const line = this.take(nl + 1);
        const end = nl > 0 && line[nl - 1] === 13 ? nl - 1 : nl;
        return line.toString('latin1', 0, end);
      }
      if (this.buf.length > limit + 1) throw onLong();
      from = this.buf.length;
      if (!(await this.more())) {
        if (this.buf.length === 0) return null;
        return this.take(this.buf.length).toString('latin1');
      }
    }
  }

  /** Exactly N bytes; fewer at the end of the stream raise 'truncated'. */
  async readExactly(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (!(await this.more())) {
        throw new HttpClientError('truncated', this.url, `connection closed after ${this.buf.length} of ${n} expected bytes`);
      }
    }
    return this.take(n);
  }

  /** Up to N bytes, at least one, or null at the end of the stream. */
  async readSome(n: number): Promise<Buffer | null> {
    if (this.buf.length === 0 && !(await this.more())) return null;
    return this.take(Math.min(n, this.buf.length));
  }

  /** Everything until the peer closes; more than MAX bytes raise 'body-too-large'. */
  async readToEnd(max: number): Promise<Buffer> {
    while (await this.more()) {
      if (this.buf.length > max) {
        throw new HttpClientError('body-too-large', this.url, `response body larger than ${max} bytes`);
      }
    }
    return this.take(this.buf.length);
  }

  /** Pushes bytes back to be read again (used when a decoder stops mid-buffer). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.buf = this.buf.length === 0 ? bytes : Buffer.concat([bytes, this.buf]);
  }
}

function timeoutError(url: string): HttpClientError {
  return new HttpClientError('timeout', url, 'timed out waiting for the server');
}
