/**
 * Scheme ports over this project's byte streams: a handler's connection (its response writer and
 * its request body), a client connection (socket reader and socket), strings, and stdio. They
 * extend LIPS's port classes so `input-port?`, `output-port?` and LIPS's own procedures accept them.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ResponseWriter } from '../http/server/response.js';
import type { BufferInput } from '../http/input.js';
import type { ClientConnection } from '../http/client/connection.js';
import { HttpClientError } from '../http/errors.js';
import type { Lips } from './boot.js';

const TEXT_PORT = Symbol.for('text');
const LINE_LIMIT = 1024 * 1024;
const NON_ASCII = /[^\x00-\x7f]/;

/** What every output port of ours does. */
export abstract class OutPort {
  get __type__(): symbol {
    return TEXT_PORT;
  }
  protected closed = false;
  /** Writes text S (or bytes). Our own callers use this; LIPS uses `write`. */
  writeText(s: string | Uint8Array): unknown {
    if (this.closed) throw new Error('write to a closed output port');
    return this.put(s);
  }
  /**
   * `writeText` bound, because LIPS calls `port.write.call(ctx, text)` with another `this`; made
   * on first use (only LIPS uses it), not with every port (a response port is made per request).
   */
  get write(): (s: string | Uint8Array) => unknown {
    const bound = (s: string | Uint8Array): unknown => this.writeText(s);
    Object.defineProperty(this, 'write', { value: bound });
    return bound;
  }
  protected abstract put(s: string | Uint8Array): unknown;
  /** Writes byte string S (one character per byte, as the compiled engine's strings are). */
  writeBytes(s: string): unknown {
    if (this.closed) throw new Error('write to a closed output port');
    return this.putBytes(s);
  }
  /** As bytes: a string with a character above 127 goes as a Buffer, or it would be UTF-8 encoded. */
  protected putBytes(s: string): unknown {
    return this.put(NON_ASCII.test(s) ? Buffer.from(s, 'latin1') : s);
  }
  is_open(): boolean {
    return !this.closed;
  }
  close(): void {
    this.closed = true;
  }
  flush(): unknown {
    return undefined;
  }
  toString(): string {
    return '#<output-port>';
  }
}

/** `current-output-port` inside a handler: the response of its connection. */
export class ResponsePort extends OutPort {
  constructor(readonly out: ResponseWriter) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    this.out.write(s);
    return undefined;
  }
  protected override putBytes(s: string): unknown {
    this.out.writeLatin1(s);
    return undefined;
  }
  override flush(): unknown {
    this.out.flush();
    return this.out.drain();
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.end();
  }
}

/** stdout / stderr. */
export class StreamPort extends OutPort {
  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    this.stream.write(s);
    return undefined;
  }
  override close(): void {
    // stdio stays open for the process.
  }
}

/** `open-output-string`. */
export class StringPort extends OutPort {
  private parts: string[] = [];
  protected put(s: string | Uint8Array): unknown {
    this.parts.push(typeof s === 'string' ? s : Buffer.from(s).toString('utf8'));
    return undefined;
  }
  getString(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
  }
  override valueOf(): string {
    return this.getString();
  }
}

/** Both halves of a client connection: the socket is released once both ports are closed. */
class PortPair {
  inClosed = false;
  outClosed = false;
  collected = 0;
  constructor(readonly conn: ClientConnection) {}
  closeIn(): void {
    this.inClosed = true;
    if (this.outClosed) this.conn.destroy();
  }
  closeOut(): void {
    this.outClosed = true;
    if (this.inClosed) this.conn.destroy();
    else this.conn.socket.end();
  }
}

/** The output port of `http:send-request`: writes go to the socket. */
export class SocketOutPort extends OutPort {
  constructor(readonly pair: PortPair) {
    super();
  }
  get connection(): ClientConnection {
    return this.pair.conn;
  }
  protected put(s: string | Uint8Array): unknown {
    this.pair.conn.write(typeof s === 'string' ? s : Buffer.from(s));
    return undefined;
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pair.closeOut();
  }
}

/** What every input port of ours does; reads may return Promises (LIPS awaits them). */
export abstract class InPort {
  get __type__(): symbol {
    return TEXT_PORT;
  }
  protected closed = false;
  abstract read_line(): unknown;
  abstract read_char(): unknown;
  abstract peek_char(): unknown;
  abstract read_string(k: unknown): unknown;
  char_ready(): boolean {
    return !this.closed;
  }
  is_open(): boolean {
    return !this.closed;
  }
  close(): void {
    this.closed = true;
  }
  protected check(): void {
    if (this.closed) throw new Error('read from a closed input port');
  }
  toString(): string {
    return '#<input-port>';
  }
}

let EOF: unknown;
let LChar: (c: string) => unknown;

/** `current-input-port` inside a handler: the request body. */
export class BodyPort extends InPort {
  constructor(readonly input: BufferInput) {
    super();
  }
  read_line(): unknown {
    this.check();
    return this.input.readLine() ?? EOF;
  }
  read_char(): unknown {
    this.check();
    const c = this.input.readChar();
    return c === null ? EOF : LChar(c);
  }
  peek_char(): unknown {
    this.check();
    const c = this.input.peekChar();
    return c === null ? EOF : LChar(c);
  }
  read_string(k: unknown): unknown {
    this.check();
    return this.input.readString(Number(k)) ?? EOF;
  }
  readAll(): string {
    this.check();
    return this.input.readAll();
  }
}

/** A string as an input port (`open-input-string`). */
export class StringInPort extends BodyPort {}

/** stdin, read line by line as it arrives. */
export class StdinPort extends InPort {
  private text = '';
  private ended = false;
  private waiters: Array<() => void> = [];
  private started = false;
  private start(): void {
    if (this.started) return;
    this.started = true;
    const decoder = new StringDecoder('utf8');
    process.stdin.on('data', (d: Buffer) => { this.text += decoder.write(d); this.wake(); });
    process.stdin.on('end', () => { this.text += decoder.end(); this.ended = true; this.wake(); });
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  private async need(pred: () => boolean): Promise<void> {
    this.start();
    while (!pred() && !this.ended) await new Promise<void>((r) => this.waiters.push(r));
  }
  async read_line(): Promise<unknown> {
    this.check();
    await this.need(() => this.text.includes('\n'));
    if (this.text === '' && this.ended) return EOF;
    const nl = this.text.indexOf('\n');
    const end = nl === -1 ? this.text.length : nl;
    let line = this.text.slice(0, end);
    this.text = this.text.slice(nl === -1 ? end : end + 1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  }
  async read_char(): Promise<unknown> {
    this.check();
    await this.need(() => this.text.length > 0);
    if (this.text === '') return EOF;
    const ch = String.fromCodePoint(this.text.codePointAt(0)!);
    this.text = this.text.slice(ch.length);
    return LChar(ch);
  }
  async peek_char(): Promise<unknown> {
    this.check();
    await this.need(() => this.text.length > 0);
    if (this.text === '') return EOF;
    return LChar(String.fromCodePoint(this.text.codePointAt(0)!));
  }
  async read_string(k: unknown): Promise<unknown> {
    this.check();
    const n = Number(k);
    await this.need(() => [...this.text.slice(0, n * 2)].length >= n);
    if (this.text === '') return EOF;
    const chars = [...this.text].slice(0, n).join('');
    this.text = this.text.slice(chars.length);
    return chars;
  }
  async readAll(): Promise<string> {
    await this.need(() => false);
    const t = this.text;
    this.text = '';
    return t;
  }
}

/**
 * The input port of `http:send-request`: reads the response body (and, when passed back in, the
 * next response) straight from the connection's reader, decoding UTF-8 one character at a time,
 * so nothing is read past what is asked.
 */
export class SocketInPort extends InPort {
  constructor(readonly pair: PortPair) {
    super();
  }
  get connection(): ClientConnection {
    return this.pair.conn;
  }
  async read_line(): Promise<unknown> {
    this.check();
    const reader = this.pair.conn.reader;
    const line = await reader.readLine(LINE_LIMIT, () => new HttpClientError('head-too-large', reader.url, `line longer than ${LINE_LIMIT} bytes`));
    return line === null ? EOF : Buffer.from(line, 'latin1').toString('utf8');
  }
  private async char(consume: boolean): Promise<string | null> {
    this.check();
    const reader = this.pair.conn.reader;
    const first = await reader.readSome(1);
    if (first === null) return null;
    const b = first[0]!;
    const n = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    let bytes = first;
    if (n > 0) {
      const rest: Buffer[] = [first];
      for (let i = 0; i < n; i++) {
        const more = await reader.readSome(1);
        if (more === null) break;
        rest.push(more);
      }
      bytes = Buffer.concat(rest);
    }
    if (!consume) reader.unshift(Buffer.from(bytes));
    return bytes.toString('utf8');
  }
  async read_char(): Promise<unknown> {
    const c = await this.char(true);
    return c === null ? EOF : LChar(c);
  }
  async peek_char(): Promise<unknown> {
    const c = await this.char(false);
    return c === null ? EOF : LChar(c);
  }
  async read_string(k: unknown): Promise<unknown> {
    const n = Number(k);
    let out = '';
    for (let i = 0; i < n; i++) {
      const c = await this.char(true);
      if (c === null) break;
      out += c;
    }
    return out === '' && n > 0 ? EOF : out;
  }
  async readAll(): Promise<string> {
    this.check();
    const body = await this.pair.conn.reader.readToEnd(Number.MAX_SAFE_INTEGER);
    return body.toString('utf8');
  }
  override char_ready(): boolean {
    return !this.closed && this.pair.conn.reader.available > 0;
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pair.closeIn();
  }
}

/** Ports that become garbage close their connection, as the egg's did: once both are gone. */
const finalizer = new FinalizationRegistry<PortPair>((pair) => {
  pair.collected++;
  if (pair.collected === 2 && !pair.conn.closed) pair.conn.destroy();
});

/** The two ports `http:send-request` returns for a new connection. */
export function connectionPorts(conn: ClientConnection): [SocketInPort, SocketOutPort] {
  const pair = new PortPair(conn);
  const ports: [SocketInPort, SocketOutPort] = [new SocketInPort(pair), new SocketOutPort(pair)];
  finalizer.register(ports[0], pair);
  finalizer.register(ports[1], pair);
  return ports;
}

/** Links our port classes under LIPS's, once LIPS is loaded. */
export function bindPorts(lips: Lips): void {
  Object.setPrototypeOf(OutPort.prototype, lips.OutputPort.prototype);
  Object.setPrototypeOf(InPort.prototype, lips.InputPort.prototype);
  EOF = lips.eof;
  LChar = (c: string) => new lips.LCharacter(c);
}
