/**
 * Buffered, bounded reads from a client socket: lines, exact byte counts, and everything to the
 * end. Each wait ends by the request's deadline or abort signal, so nothing hangs. Reading pauses
 * the socket when too much is buffered, so a fast server cannot fill our memory.
 */
import type { Duplex } from 'node:stream';
import { HttpClientError } from '../errors.js';

const HIGH_WATER = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

export class SocketReader {
  /**
   * Received bytes not read yet, as the chunks they came in. They used to be kept in one Buffer,
   * concatenated on every 'data' event, which made a large Content-Length or close-delimited body
   * quadratic (a 40 MB body took 14 s, against 0.1 s chunked); chunks are joined once, when read.
   */
  private chunks: Buffer[] = [];
  /**
   * Bytes of chunks[0] already read: a read that takes part of a chunk moves this offset rather
   * than cutting the chunk (one subarray per read instead of two, on the per-request path).
   */
  private pos = 0;
  /** Bytes buffered and not read yet. */
  private length = 0;
  private ended = false;
  private failure: Error | null = null;
  /** The pending wait's settle functions (one wait at a time), and the signal it listens to. */
  private resolveWait: (() => void) | null = null;
  private rejectWait: ((e: Error) => void) | null = null;
  private waitSignal: AbortSignal | null = null;
  /**
   * One deadline timer per connection, re-armed lazily: a wait with a deadline at or after the
   * armed time keeps it, and when it fires before the current deadline it is armed again for the
   * rest. A timer per wait was created and cancelled for every response. Unref'd: while a request
   * waits its socket is ref'd and keeps the process alive; an idle pooled socket must not be.
   */
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
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
      if (chunk.length === 0) return;
      this.chunks.push(chunk);
      this.length += chunk.length;
      if (this.length > HIGH_WATER) socket.pause();
      this.settle(null);
    });
    socket.on('end', () => { this.ended = true; this.settle(null); });
    socket.on('close', () => {
      this.ended = true;
      if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
      this.settle(null);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.failure = e instanceof HttpClientError ? e
        : new HttpClientError('closed', this.url, `connection failed: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' '), { cause: e });
      this.settle(null);
    });
  }

  /** Bytes buffered and not read yet. */
  get available(): number {
    return this.length;
  }

  /** True when the peer closed and every byte was read. */
  get atEnd(): boolean {
    return this.ended && this.length === 0;
  }

  /** True when the peer has closed its side (bytes may still be buffered). */
  get peerClosed(): boolean {
    return this.ended || this.failure !== null;
  }

  /** Ends the pending wait, if any: with ERR, or successfully (the caller looks at the state again). */
  private settle(err: Error | null): void {
    const resolve = this.resolveWait;
    if (resolve === null) return;
    const reject = this.rejectWait!;
    this.resolveWait = null;
    this.rejectWait = null;
    if (this.waitSignal !== null) {
      this.waitSignal.removeEventListener('abort', this.onAbort);
      this.waitSignal = null;
    }
    if (err !== null) reject(err);
    else resolve();
  }

  private readonly onAbort = (): void => {
    this.settle(new HttpClientError('aborted', this.url, 'the request was aborted'));
  };

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.resolveWait === null || this.deadline === 0) return;
    const left = this.deadline - Date.now();
    if (left <= 0) this.settle(timeoutError(this.url));
    else this.arm(left);
  };

  private arm(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = Date.now() + ms;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  /**
   * Fails the wait in progress and every later one with ERR: a body decoder that found the bytes
   * corrupt ends the read at once, rather than when the rest of the body came or the deadline passed.
   */
  fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    this.settle(null);
  }

  /** Waits for more bytes; false at the end of the stream. Fails by the deadline, signal or socket error. */
  async more(): Promise<boolean> {
    if (this.failure !== null) throw this.failure;
    if (this.ended) return false;
    if (this.socket.isPaused()) this.socket.resume();
    const before = this.length;
    while (this.length === before && !this.ended && this.failure === null) {
      await this.wait();
    }
    if (this.length > before) return true;
    if (this.failure !== null) throw this.failure;
    return false;
  }

  private wait(): Promise<void> {
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(new HttpClientError('aborted', this.url, 'the request was aborted'));
    if (this.deadline > 0) {
      const now = Date.now();
      if (this.deadline <= now) return Promise.reject(timeoutError(this.url));
      if (this.timer === null || this.timerAt > this.deadline) this.arm(this.deadline - now);
    }
    return new Promise<void>((resolve, reject) => {
      this.resolveWait = resolve;
      this.rejectWait = reject;
      if (signal !== null) {
        this.waitSignal = signal;
        signal.addEventListener('abort', this.onAbort);
      }
    });
  }

  /** Drops the first N buffered bytes (N <= length). */
  skip(n: number): void {
    while (n > 0) {
      const first = this.chunks[0]!;
      const here = first.length - this.pos;
      if (here > n) {
        this.pos += n;
        this.length -= n;
        break;
      }
      this.chunks.shift();
      this.pos = 0;
      this.length -= here;
      n -= here;
    }
    if (this.length < HIGH_WATER && this.socket.isPaused()) this.socket.resume();
  }

  /** The first N buffered bytes (N <= length), removed from the buffer; joins chunks only as needed. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0 || first === undefined) return EMPTY;
    let out: Buffer;
    const here = first.length - this.pos;
    if (here >= n) {
      // A whole chunk is handed over as it is.
      out = this.pos === 0 && n === first.length ? first : first.subarray(this.pos, this.pos + n);
      if (here === n) {
        this.chunks.shift();
        this.pos = 0;
      } else {
        this.pos += n;
      }
    } else {
      const parts: Buffer[] = [this.pos === 0 ? first : first.subarray(this.pos)];
      this.chunks.shift();
      this.pos = 0;
      let need = n - here;
      while (need > 0) {
        const c = this.chunks[0]!;
        if (c.length <= need) {
          parts.push(c);
          this.chunks.shift();
          need -= c.length;
        } else {
          parts.push(c.subarray(0, need));
          this.pos = need;
          need = 0;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.length -= n;
    if (this.length < HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return out;
  }

  /** Offset of the first LF at or after FROM in the buffered bytes, or -1. */
  private indexOfLf(from: number): number {
    let base = 0;
    for (let k = 0; k < this.chunks.length; k++) {
      const c = this.chunks[k]!;
      const start = k === 0 ? this.pos : 0;
      const len = c.length - start;
      if (from < base + len) {
        const i = c.indexOf(10, start + Math.max(0, from - base));
        if (i !== -1) return base + i - start;
      }
      base += len;
    }
    return -1;
  }

  /**
   * The buffered bytes up to and including the first CR LF CR LF, as latin1 text, when the first
   * chunk holds all of them (a response head usually comes in one piece) and does not start with
   * a line end; else null. Nothing is removed (see `skip`). Lets a whole head be parsed from one
   * string, without a Buffer, a string and an await per line.
   */
  headText(): string | null {
    const first = this.chunks[0];
    if (first === undefined) return null;
    const c = first[this.pos];
    if (c === 13 || c === 10) return null;
    const end = first.indexOf(CRLFCRLF, this.pos);
    return end === -1 ? null : first.toString('latin1', this.pos, end + 4);
  }

  /**
   * The next line as latin1 text without its line end (LF or CRLF), or null at the end of the
   * stream. A line longer than LIMIT raises ON_LONG. A last line without its end is returned.
   */
  async readLine(limit: number, onLong: () => Error): Promise<string | null> {
    let from = 0;
    for (;;) {
      const nl = this.indexOfLf(from);
      if (nl !== -1) {
        if (nl > limit + 1) throw onLong();
        const line = this.take(nl + 1);
        const end = nl > 0 && line[nl - 1] === 13 ? nl - 1 : nl;
        return line.toString('latin1', 0, end);
      }
      if (this.length > limit + 1) throw onLong();
      from = this.length;
      if (!(await this.more())) {
        if (this.length === 0) return null;
        return this.take(this.length).toString('latin1');
      }
    }
  }

  /** Exactly N bytes, at once when they are buffered; fewer at the end of the stream raise 'truncated'. */
  readExactly(n: number): Promise<Buffer> {
    return this.length >= n ? Promise.resolve(this.take(n)) : this.readExactlySlow(n);
  }

  /** N bytes when all of them are buffered (removed from the buffer), else null. */
  takeBuffered(n: number): Buffer | null {
    return this.length >= n ? this.take(n) : null;
  }

  private async readExactlySlow(n: number): Promise<Buffer> {
    while (this.length < n) {
      if (!(await this.more())) {
        throw new HttpClientError('truncated', this.url, `connection closed after ${this.length} of ${n} expected bytes`);
      }
    }
    return this.take(n);
  }

  /** Up to N bytes, at least one, or null at the end of the stream. */
  async readSome(n: number): Promise<Buffer | null> {
    if (this.length === 0 && !(await this.more())) return null;
    return this.take(Math.min(n, this.chunks[0]!.length - this.pos));
  }

  /** Everything until the peer closes; more than MAX bytes raise 'body-too-large'. */
  async readToEnd(max: number): Promise<Buffer> {
    while (await this.more()) {
      if (this.length > max) {
        throw new HttpClientError('body-too-large', this.url, `response body larger than ${max} bytes`);
      }
    }
    return this.take(this.length);
  }

  /** Pushes bytes back to be read again (used when a decoder stops mid-buffer). */
  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.pos > 0) {
      this.chunks[0] = this.chunks[0]!.subarray(this.pos);
      this.pos = 0;
    }
    this.chunks.unshift(bytes);
    this.length += bytes.length;
  }
}

function timeoutError(url: string): HttpClientError {
  return new HttpClientError('timeout', url, 'timed out waiting for the server');
}
