/**
 * The output side of one exchange: what a handler writes goes here, raw, as the egg's handlers
 * wrote to their connection. The writer reads the header block the handler writes, adds the
 * status line and the server's headers when the handler did not write a status line itself
 * (the lazy preamble), and supplies the framing the handler left out, so no handler can
 * desynchronise a persistent connection (SEMANTICS.md, "Framing").
 */
import type { Duplex } from 'node:stream';
import { HandlerOutputError } from '../errors.js';
import { ChunkedDecoder } from '../body.js';
import { isTokenRange, lowerName, trimOws } from '../headers.js';
import { statusHasNoBody } from '../status.js';
import { httpDate, okPreamble } from './date.js';

const enum Phase { Head, Body, Stream, Done }

/** Body bytes kept before the head is sent and the rest streamed. */
export const STREAM_THRESHOLD = 64 * 1024;
/** A head line this long with no line end is taken as body text. */
const MAX_HEAD_LINE = 64 * 1024;

/** Hears of a handler that broke its own framing (the connection, which tells the error hook). */
export interface FaultSink {
  outputFault(error: HandlerOutputError): void;
  /** How long a peer may leave written bytes unread before the connection is dropped. */
  readonly writeTimeout: number;
  /** True once the server is stopping: the response says the connection closes. */
  readonly closing: boolean;
}

const STATUS_LINE = /^HTTP\/(\d\.\d) ([1-9]\d\d)(?: .*)?$/;

export class ResponseWriter {
  private readonly socket: Duplex;
  private readonly sink: FaultSink;
  /** The request's protocol, used for the status line: `HTTP/1.0` or `HTTP/1.1`. */
  readonly protocol: string;
  /** HEAD: headers only. */
  private readonly headOnly: boolean;
  readonly serverName: string;
  /** The request target, for messages. */
  private readonly url: string;
  private phase = Phase.Head;
  /**
   * Head text not yet split into lines. All head text is kept as a byte string (one char per
   * byte, as latin1): ASCII strings as they are, anything else as its UTF-8 bytes.
   */
  private pending = '';
  /** Whether `pending` holds bytes over 0x7f. */
  private pendingHigh = false;
  /** Whether any head text had bytes over 0x7f (else the head is ASCII and goes out with the body as one string). */
  private headHigh = false;
  private sawFirstLine = false;
  private statusLine: string | null = null;
  private readonly lines: string[] = [];
  private declaredLength = -1;
  private handlerChunked = false;
  private handlerConnection: string | null = null;
  private hasServer = false;
  private hasDate = false;
  /** The body so far: strings and Uint8Arrays (bytes); see `latin1Strings` for what a string is. */
  private body: Array<string | Uint8Array> = [];
  private bodyBytes = 0;
  /** Every piece of `body` is a string. */
  private bodyIsString = true;
  /**
   * The strings of `body` are byte strings (one char per byte, from `writeLatin1`: what Scheme
   * writes), not text (sent as UTF-8). One kind only: a piece of the other kind becomes bytes.
   */
  private latin1Strings = false;
  private hasStrings = false;
  private noBody = false;
  private streamedBytes = 0;
  private chunkedByUs = false;
  private chunkCheck: ChunkedDecoder | null = null;
  private faulted = false;
  /** Status of the response, as the handler wrote it (200 when it wrote none). */
  status = 200;
  /** False once the connection must close after this response. */
  keepAlive: boolean;
  /** True once any byte of this response has gone to the socket. */
  headersSent = false;

  /** KEEPALIVE: whether the connection may stay open after this response, as the request asked. */
  constructor(socket: Duplex, sink: FaultSink, protocol: string, headOnly: boolean, keepAlive: boolean, serverName: string, url: string) {
    this.socket = socket;
    this.sink = sink;
    this.protocol = protocol;
    this.headOnly = headOnly;
    this.keepAlive = keepAlive;
    this.serverName = serverName;
    this.url = url;
  }

  /**
   * Body bytes the handler sent, for the access log: 0 for HEAD, 1xx, 204 and 304, at most its
   * declared Content-Length (a handler-chunked body counts its chunk framing).
   */
  get bodyBytesSent(): number {
    if (this.noBody) return 0;
    return this.declaredLength >= 0 ? Math.min(this.bodyBytes, this.declaredLength) : this.bodyBytes;
  }

  get ended(): boolean {
    return this.phase === Phase.Done;
  }

  /** Writes raw response bytes. Returns false when the socket wants the writer to wait (`drain`). */
  write(data: string | Uint8Array): boolean {
    switch (this.phase) {
      case Phase.Head:
        if (typeof data !== 'string') {
          // Bytes are read as latin1 (one char per byte), and the body part turned back into bytes.
          this.writeHead(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'), true);
        } else {
          this.writeHead(data, false);
        }
        return true;
      case Phase.Body:
        this.bufferBody(data, false);
        return true;
      case Phase.Stream:
        this.bodyBytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        return this.streamBody(data);
      case Phase.Done:
        throw new Error(`write after the response to ${this.url} was finished (its output port is closed)`);
    }
  }

  /**
   * Writes a byte string: one character per byte (0-255), as a Buffer read as latin1 would be.
   * The same as `write(Buffer.from(s, 'latin1'))` without the round trip through a Buffer.
   */
  writeLatin1(s: string): boolean {
    switch (this.phase) {
      case Phase.Head:
        this.writeHead(s, true);
        return true;
      case Phase.Body:
        this.bufferBody(s, true);
        return true;
      case Phase.Stream:
        this.bodyBytes += s.length;
        return this.streamBody(Buffer.from(s, 'latin1'));
      case Phase.Done:
        throw new Error(`write after the response to ${this.url} was finished (its output port is closed)`);
    }
  }

  /** Sends what is buffered now, switching to a streamed body (chunked on HTTP/1.1). */
  flush(): void {
    if (this.phase === Phase.Body && !this.noBody) this.startStream();
  }

  /** Resolves when the socket can take more bytes. */
  drain(): Promise<void> {
    const s = this.socket as Duplex & { writableNeedDrain?: boolean };
    if (!s.writableNeedDrain || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      // A peer that does not read within the write timeout is dropped, which releases the handler.
      const timer = setTimeout(() => s.destroy(), this.sink.writeTimeout);
      const done = (): void => { clearTimeout(timer); s.off('drain', done); s.off('close', done); resolve(); };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /**
   * Drops everything not yet sent, so an error response can take its place.
   * Returns false when bytes already went out (then only closing the connection is left).
   */
  discard(): boolean {
    if (this.headersSent) return false;
    this.phase = Phase.Head;
    this.pending = '';
    this.pendingHigh = false;
    this.headHigh = false;
    this.sawFirstLine = false;
    this.statusLine = null;
    this.lines.length = 0;
    this.declaredLength = -1;
    this.handlerChunked = false;
    this.handlerConnection = null;
    this.hasServer = this.hasDate = false;
    this.body = [];
    this.bodyBytes = 0;
    this.bodyIsString = true;
    this.latin1Strings = this.hasStrings = false;
    this.noBody = false;
    this.chunkCheck = null;
    this.status = 200;
    return true;
  }

  /** Finishes the response: sends the buffered head and body, or ends the streamed body. */
  end(): void {
    if (this.phase === Phase.Done) return;
    if (this.phase === Phase.Head) {
      // A last line without its line end: a status line, a header line, or body text.
      let rest = this.pending;
      this.pending = '';
      if (rest.endsWith('\r')) rest = rest.slice(0, -1);
      const first = !this.sawFirstLine;
      this.sawFirstLine = true;
      if (rest === '' || (first && rest.startsWith('HTTP/') && this.takeStatusLine(rest, false)) || this.headerLine(rest, 0, rest.length, false)) {
        this.endHead();
      } else {
        this.endHead();
        this.bufferBody(rest, true);
      }
      this.pendingHigh = false;
    }
    if (this.phase === Phase.Body) this.sendBuffered();
    else if (this.phase === Phase.Stream) this.finishStream();
    this.phase = Phase.Done;
  }

  // ---- head: reading the handler's status line and header lines ----

  /**
   * Head text is kept as a byte string (one char per byte). A handler's text (not FROMBYTES) is
   * read as it is: a status line or header value holding a char over 0x7f is turned into its
   * UTF-8 bytes as it is taken, and the body part of a write that holds head and body is never
   * scanned here (it goes out as UTF-8 text). Only a partial last line is kept as bytes.
   */
  private writeHead(s: string, fromBytes: boolean): void {
    let text: string;
    let high: boolean;
    /** TEXT is the handler's text, not yet checked for chars over 0x7f. */
    let raw: boolean;
    if (this.pending === '') {
      text = s;
      high = fromBytes;
      raw = !fromBytes;
    } else {
      if (!fromBytes && NON_ASCII.test(s)) {
        s = utf8Bytes(s);
        fromBytes = true;
      }
      text = this.pending + s;
      high = fromBytes || this.pendingHigh;
      raw = false;
    }
    this.pendingHigh = false;
    if (high) this.headHigh = true;
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (!this.sawFirstLine) {
        this.sawFirstLine = true;
        if (text.startsWith('HTTP/', pos) && this.takeStatusLine(text.slice(pos, end), raw)) {
          pos = nl + 1;
          continue;
        }
      }
      if (end === pos) {
        this.pending = '';
        this.endHead();
        if (nl + 1 < text.length) this.bufferBody(text.slice(nl + 1), !raw);
        return;
      }
      if (!this.headerLine(text, pos, end, raw)) {
        // Not a header line: the handler wrote no (more) headers; its text is the body.
        this.pending = '';
        this.endHead();
        this.bufferBody(text.slice(pos), !raw);
        return;
      }
      pos = nl + 1;
    }
    let rest = pos === 0 ? text : text.slice(pos);
    if (raw && NON_ASCII.test(rest)) {
      rest = utf8Bytes(rest); // what is kept is bytes
      high = this.headHigh = true;
    }
    this.pending = rest;
    this.pendingHigh = high && NON_ASCII.test(rest);
    if (rest.length > MAX_HEAD_LINE) {
      this.pending = '';
      this.endHead();
      this.bufferBody(rest, true);
    }
  }

  /** Takes LINE as the status line if it is one; RAW: it is text, not bytes. */
  private takeStatusLine(line: string, raw: boolean): boolean {
    const m = STATUS_LINE.exec(line);
    if (!m) return false;
    if (raw && NON_ASCII.test(line)) {
      line = utf8Bytes(line);
      this.headHigh = true;
    }
    this.statusLine = line;
    this.status = Number(m[2]);
    return true;
  }

  /**
   * Records one header line of the handler's; false if TEXT[start, end) is not a header line.
   * RAW: TEXT is text, not bytes (a name is ASCII, being a token; a value may need its bytes).
   */
  private headerLine(text: string, start: number, end: number, raw: boolean): boolean {
    const colon = text.indexOf(':', start);
    if (colon <= start || colon >= end) return false;
    if (!isTokenRange(text, start, colon)) return false;
    let value = trimOws(text, colon + 1, end);
    const kind = valueKind(value);
    if (kind < 0) return true; // a value with control characters is dropped, never sent
    // Only five names matter to framing; compare by length first to skip lowercasing the rest.
    const n = colon - start;
    if (n === 14 || n === 17 || n === 10 || n === 6 || n === 4) {
      const lower = lowerName(text, start, colon);
      if (lower === 'content-length') {
        if (!isDigits(value) || this.declaredLength >= 0) return true; // malformed or repeated: dropped
        this.declaredLength = Number(value);
      } else if (lower === 'transfer-encoding') {
        if (value.toLowerCase().includes('chunked')) this.handlerChunked = true;
      } else if (lower === 'connection') {
        this.handlerConnection = value.toLowerCase();
      } else if (lower === 'server') {
        this.hasServer = true;
      } else if (lower === 'date') {
        this.hasDate = true;
      }
    }
    if (kind > 0 && raw) {
      value = utf8Bytes(value);
      this.headHigh = true;
      this.lines.push(text.slice(start, colon + 1) + ' ' + value);
      return true;
    }
    // Sent as written when already in `Name: value` form; rebuilt otherwise.
    this.lines.push(value.length === end - colon - 2 && text.charCodeAt(colon + 1) === 32
      ? text.slice(start, end) : text.slice(start, colon + 1) + ' ' + value);
    return true;
  }

  private endHead(): void {
    this.phase = Phase.Body;
    this.noBody = this.headOnly || statusHasNoBody(this.status);
    if (this.handlerChunked && this.declaredLength >= 0) {
      // Both framings: Transfer-Encoding wins (RFC 9112 §6.3); the length line is not sent.
      this.removeHeader('content-length');
      this.declaredLength = -1;
    }
    if (this.handlerChunked && !this.noBody) {
      this.chunkCheck = new ChunkedDecoder({ readLineLimit: MAX_HEAD_LINE, maxBodySize: Number.MAX_SAFE_INTEGER, maxHeaderCount: 1000 }, false);
    }
    if (this.handlerConnection !== null && /(^|,)\s*close\s*(,|$)/.test(this.handlerConnection)) this.keepAlive = false;
  }

  private removeHeader(lowerName: string): void {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i]!;
      if (line.slice(0, line.indexOf(':')).toLowerCase() === lowerName) this.lines.splice(i, 1);
    }
  }

  // ---- body ----

  /** Keeps DATA for the body; a string is a byte string when BYTES, else text. */
  private bufferBody(data: string | Uint8Array, bytes: boolean): void {
    const len = typeof data !== 'string' ? data.byteLength : bytes ? data.length : utf8Length(data);
    this.bodyBytes += len;
    if (this.noBody) return; // counted, for the Content-Length of a HEAD response
    if (len === 0) return;
    if (typeof data !== 'string') {
      this.bodyIsString = false;
    } else if (!this.hasStrings) {
      this.hasStrings = true;
      this.latin1Strings = bytes;
    } else if (bytes !== this.latin1Strings) {
      data = Buffer.from(data, bytes ? 'latin1' : 'utf8');
      this.bodyIsString = false;
    }
    this.body.push(data);
    if (this.bodyBytes > STREAM_THRESHOLD) this.startStream();
  }

  /** A piece of `body` as bytes. */
  private pieceBytes(piece: string | Uint8Array): Uint8Array {
    return typeof piece !== 'string' ? piece : Buffer.from(piece, this.latin1Strings ? 'latin1' : 'utf8');
  }

  /** The body as one Buffer. */
  private concatBody(body: Array<string | Uint8Array>): Buffer {
    return Buffer.concat(body.map((p) => this.pieceBytes(p)));
  }

  /** The head as it goes on the wire, with the framing headers given in EXTRA. */
  private headText(extra: string): string {
    let head: string;
    if (this.statusLine !== null) {
      head = this.statusLine + '\r\n';
    } else if (!this.hasServer && !this.hasDate) {
      head = okPreamble(this.protocol, byteString(this.serverName));
    } else {
      head = this.protocol + ' 200 OK\r\n';
      if (!this.hasServer) head += 'Server: ' + byteString(this.serverName) + '\r\n';
      if (!this.hasDate) head += 'Date: ' + httpDate() + '\r\n';
    }
    const lines = this.lines;
    for (let i = 0; i < lines.length; i++) head += lines[i] + '\r\n';
    return head + extra + this.connectionHeader() + '\r\n';
  }

  private connectionHeader(): string {
    if (this.sink.closing) this.keepAlive = false;
    if (this.handlerConnection !== null) return '';
    if (this.protocol === 'HTTP/1.0') return this.keepAlive ? 'Connection: keep-alive\r\n' : '';
    return this.keepAlive ? '' : 'Connection: close\r\n';
  }

  private fault(message: string): void {
    this.keepAlive = false;
    if (this.faulted) return;
    this.faulted = true;
    this.sink.outputFault(new HandlerOutputError(this.url, message));
  }

  private sendBuffered(): void {
    let extra = '';
    let body = this.body;
    /** Every piece of BODY is a string (not once it is replaced by bytes below). */
    let strings = this.bodyIsString;
    if (this.noBody) {
      body = [];
      if (this.headOnly && this.declaredLength < 0 && !this.handlerChunked && !statusHasNoBody(this.status)) {
        extra = 'Content-Length: ' + this.bodyBytes + '\r\n';
      }
    } else if (this.handlerChunked) {
      body = this.checkHandlerChunks(body);
      strings = false;
    } else if (this.declaredLength >= 0) {
      if (this.bodyBytes > this.declaredLength) {
        this.fault(`handler wrote ${this.bodyBytes} body bytes but declared Content-Length ${this.declaredLength}; the extra bytes were dropped`);
        body = [this.concatBody(body).subarray(0, this.declaredLength)];
        strings = false;
      } else if (this.bodyBytes < this.declaredLength) {
        this.fault(`handler wrote ${this.bodyBytes} body bytes but declared Content-Length ${this.declaredLength}; the length was corrected`);
        this.removeHeader('content-length');
        extra = 'Content-Length: ' + this.bodyBytes + '\r\n';
      }
    } else {
      extra = 'Content-Length: ' + this.bodyBytes + '\r\n';
    }
    const head = this.headText(extra);
    this.headersSent = true;
    const socket = this.socket;
    // One write per response. A small string is written as it is: node encodes it straight into
    // the socket from a stack buffer (up to 16 KB), which costs less than making a Buffer of it
    // first (measured); a larger one goes as a Buffer, as a string would be copied anyway.
    const asciiHead = !this.headHigh && !(this.statusLine === null && !this.hasServer && byteString(this.serverName) !== this.serverName);
    if (body.length === 0) {
      writeString(socket, head, 'latin1');
    } else if (strings && (this.latin1Strings || asciiHead)) {
      writeString(socket, body.length === 1 ? head + (body[0] as string) : head + body.join(''), this.latin1Strings ? 'latin1' : 'utf8');
    } else {
      // The head is bytes (one char each); string pieces of the body are text or bytes.
      const out = Buffer.allocUnsafe(head.length + this.bodyBytes);
      let at = out.write(head, 0, 'latin1');
      const encoding = this.latin1Strings ? 'latin1' : 'utf8';
      for (const piece of body) {
        if (typeof piece === 'string') at += out.write(piece, at, encoding);
        else {
          out.set(piece, at);
          at += piece.byteLength;
        }
      }
      socket.write(at === out.length ? out : out.subarray(0, at));
    }
  }

  /** Validates a handler's own chunked body; bytes after its last chunk are dropped. */
  private checkHandlerChunks(body: Array<string | Uint8Array>): Array<string | Uint8Array> {
    const check = this.chunkCheck!;
    const bytes = this.concatBody(body);
    let stop = bytes.length;
    try {
      stop = check.push(bytes, 0);
    } catch (e) {
      this.fault(`handler wrote a malformed chunked body: ${(e as Error).message}`);
      return [bytes];
    }
    if (!check.done) this.fault('handler\'s chunked body ended before its last chunk');
    else if (stop < bytes.length) {
      this.fault('handler wrote bytes after the last chunk of its chunked body; they were dropped');
      return [bytes.subarray(0, stop)];
    }
    return [bytes];
  }

  private startStream(): void {
    let extra = '';
    if (this.handlerChunked || this.declaredLength >= 0) {
      // The handler framed the body itself.
    } else if (this.protocol === 'HTTP/1.1' && (this.statusLine === null || this.statusLine.startsWith('HTTP/1.1'))) {
      this.chunkedByUs = true;
      extra = 'Transfer-Encoding: chunked\r\n';
    } else {
      this.keepAlive = false; // close-delimited body
    }
    const body = this.body;
    this.body = [];
    this.phase = Phase.Stream;
    this.headersSent = true;
    this.socket.cork();
    this.socket.write(Buffer.from(this.headText(extra), 'latin1'));
    for (const piece of body) this.streamBody(this.latin1Strings ? this.pieceBytes(piece) : piece);
    this.socket.uncork();
  }

  private streamBody(data: string | Uint8Array): boolean {
    const socket = this.socket;
    if (this.chunkedByUs) {
      const len = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (len === 0) return true;
      socket.cork();
      socket.write(len.toString(16) + '\r\n');
      socket.write(data);
      const ok = socket.write('\r\n');
      socket.uncork();
      return ok;
    }
    if (this.declaredLength >= 0) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      const room = this.declaredLength - this.streamedBytes;
      if (bytes.byteLength > room) {
        this.fault(`handler wrote more body bytes than its Content-Length ${this.declaredLength}; the extra bytes were dropped`);
        if (room <= 0) return true;
        this.streamedBytes += room;
        return socket.write(bytes.subarray(0, room));
      }
      this.streamedBytes += bytes.byteLength;
      return socket.write(bytes);
    }
    if (this.chunkCheck !== null) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (this.chunkCheck.done) {
        this.fault('handler wrote bytes after the last chunk of its chunked body; they were dropped');
        return true;
      }
      try {
        const stop = this.chunkCheck.push(bytes, 0);
        if (stop < bytes.byteLength) {
          this.fault('handler wrote bytes after the last chunk of its chunked body; they were dropped');
          return socket.write(bytes.subarray(0, stop));
        }
      } catch (e) {
        this.fault(`handler wrote a malformed chunked body: ${(e as Error).message}`);
      }
      return socket.write(bytes);
    }
    return socket.write(data);
  }

  private finishStream(): void {
    if (this.chunkedByUs) this.socket.write('0\r\n\r\n');
    else if (this.declaredLength >= 0 && this.streamedBytes < this.declaredLength) {
      this.fault(`handler wrote ${this.streamedBytes} body bytes but declared Content-Length ${this.declaredLength}; the connection was closed`);
    } else if (this.chunkCheck !== null && !this.chunkCheck.done) {
      this.fault('handler\'s chunked body ended before its last chunk; the connection was closed');
    }
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** S as a byte string: its UTF-8 bytes, one char each. */
function utf8Bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * Buffer.byteLength(S) (UTF-8): a short ASCII string is counted here, without the call into C++
 * that costs more than the loop.
 */
function utf8Length(s: string): number {
  if (s.length > 256) return Buffer.byteLength(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return Buffer.byteLength(s);
  return s.length;
}

/** Strings up to this length are written to the socket as strings (node's stack buffer for them is 16 KB). */
const SMALL_WRITE = 16 * 1024;

/** Writes S in ENCODING: small as a string, else as a Buffer. */
function writeString(socket: Duplex, s: string, encoding: 'latin1' | 'utf8'): void {
  if (s.length <= (encoding === 'latin1' ? SMALL_WRITE : SMALL_WRITE / 3)) socket.write(s, encoding);
  else socket.write(Buffer.from(s, encoding));
}

/** The last server name asked for and its bytes: a server's name is the same on every response. */
let lastName = '';
let lastNameBytes = '';

/** `utf8Bytes` of a server name, or the name itself when it is ASCII. */
function byteString(s: string): string {
  if (s !== lastName) {
    lastNameBytes = NON_ASCII.test(s) ? utf8Bytes(s) : s;
    lastName = s;
  }
  return lastNameBytes;
}

/**
 * A field value: -1 if it holds a control char (CR, LF, NUL … but HTAB, as `isFieldValue`), else
 * 1 if it holds a char over 0x7f, else 0.
 */
function valueKind(s: string): number {
  let kind = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return -1;
    if (c > 127) kind = 1;
  }
  return kind;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}


