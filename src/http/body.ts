/**
 * Message body framing (RFC 9112 §6–7): deciding how a request body is delimited, and an
 * incremental decoder for the chunked transfer coding with extensions and trailers.
 */
import { HttpProtocolError } from './errors.js';
import { type Headers, parseHeaderLine } from './headers.js';

export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' };

const NO_BODY: Framing = Object.freeze({ kind: 'none' });

/**
 * How a request's body is framed. Rejects what could smuggle a request: Transfer-Encoding
 * together with Content-Length, differing or malformed Content-Length values, and any
 * transfer coding list that does not end in a single `chunked`.
 */
export function requestFraming(headers: Headers, maxBodySize: number): Framing {
  let te: string | undefined;
  let cl: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    if (name === 'content-length') {
      const v = headers[i]![1];
      for (const part of v.split(',')) {
        const p = part.trim();
        if (!/^[0-9]+$/.test(p)) throw new HttpProtocolError(400, 'bad-content-length', `malformed Content-Length ${JSON.stringify(v)}`);
        if (cl !== undefined && stripZeros(cl) !== stripZeros(p)) {
          throw new HttpProtocolError(400, 'conflicting-content-length', 'differing Content-Length values in one request');
        }
        cl = p;
      }
    } else if (name === 'transfer-encoding') {
      te = te === undefined ? headers[i]![1] : te + ',' + headers[i]![1];
    }
  }
  if (te !== undefined) {
    if (cl !== undefined) {
      throw new HttpProtocolError(400, 'te-and-cl', 'a request must not carry both Transfer-Encoding and Content-Length');
    }
    const codings = te.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
    if (codings.length === 0 || codings[codings.length - 1] !== 'chunked') {
      throw new HttpProtocolError(400, 'bad-transfer-encoding', `Transfer-Encoding ${JSON.stringify(te)} does not end in chunked`);
    }
    if (codings.length > 1) {
      if (codings.indexOf('chunked') !== codings.length - 1) {
        throw new HttpProtocolError(400, 'bad-transfer-encoding', 'chunked applied more than once');
      }
      throw new HttpProtocolError(501, 'unsupported-transfer-coding', `transfer coding ${codings[0]} is not supported`);
    }
    return { kind: 'chunked' };
  }
  if (cl === undefined) return NO_BODY;
  const n = stripZeros(cl).length > 15 ? Infinity : Number(cl);
  if (n > maxBodySize) {
    throw new HttpProtocolError(413, 'body-too-large', `request body of ${cl} bytes exceeds the limit of ${maxBodySize} bytes`);
  }
  return n === 0 ? NO_BODY : { kind: 'length', length: n };
}

function stripZeros(s: string): string {
  const t = s.replace(/^0+/, '');
  return t === '' ? '0' : t;
}

const MAX_EXTENSION_BYTES = 16 * 1024;

const enum ChunkState { Size, Data, DataCr, DataLf, Trailer, Done }

export interface ChunkedLimits {
  /** Longest chunk-size line or trailer line. */
  readLineLimit: number;
  /** Most decoded body bytes. */
  maxBodySize: number;
  /** Most trailer fields. */
  maxHeaderCount: number;
}

/**
 * Decodes `chunked` incrementally. Line endings in the framing must be CRLF: accepting a bare LF
 * there is what lets a request be read two ways by two servers.
 */
export class ChunkedDecoder {
  private state = ChunkState.Size;
  private line = '';
  private remaining = 0;
  /** Decoded body bytes so far. */
  size = 0;
  private extensionBytes = 0;
  readonly parts: Buffer[] = [];
  readonly trailers: Headers = [];
  private readonly limits: ChunkedLimits;
  /** When false, decoded data is only counted (used to validate a handler's own chunked output). */
  private readonly keep: boolean;

  constructor(limits: ChunkedLimits, keep = true) {
    this.limits = limits;
    this.keep = keep;
  }

  get done(): boolean {
    return this.state === ChunkState.Done;
  }

  /** Consumes bytes of BUF from START; returns the offset where it stopped (the end, or past the last CRLF). */
  push(buf: Uint8Array, start: number): number {
    let pos = start;
    const len = buf.length;
    while (pos < len) {
      switch (this.state) {
        case ChunkState.Size:
        case ChunkState.Trailer: {
          const nl = buf.indexOf(10, pos);
          const stop = nl === -1 ? len : nl;
          const piece = Buffer.from(buf.buffer, buf.byteOffset + pos, stop - pos).toString('latin1');
          if (this.line.length + piece.length > this.limits.readLineLimit + 1) {
            throw this.state === ChunkState.Size
              ? new HttpProtocolError(400, 'bad-chunk', `chunk size line longer than ${this.limits.readLineLimit} bytes`)
              : new HttpProtocolError(431, 'header-line-too-long', `trailer line longer than ${this.limits.readLineLimit} bytes`);
          }
          this.line += piece;
          if (nl === -1) return len;
          pos = nl + 1;
          const line = this.line;
          this.line = '';
          if (line.charCodeAt(line.length - 1) !== 13) {
            throw new HttpProtocolError(400, 'bad-chunk', 'chunked framing line not ended by CRLF');
          }
          if (this.state === ChunkState.Size) this.sizeLine(line.slice(0, -1));
          else this.trailerLine(line.slice(0, -1));
          break;
        }
        case ChunkState.Data: {
          const n = Math.min(this.remaining, len - pos);
          if (this.keep) this.parts.push(Buffer.from(buf.buffer, buf.byteOffset + pos, n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = ChunkState.DataCr;
          break;
        }
        case ChunkState.DataCr:
          if (buf[pos] !== 13) throw new HttpProtocolError(400, 'bad-chunk', 'chunk data not followed by CRLF');
          pos++;
          this.state = ChunkState.DataLf;
          break;
        case ChunkState.DataLf:
          if (buf[pos] !== 10) throw new HttpProtocolError(400, 'bad-chunk', 'chunk data not followed by CRLF');
          pos++;
          this.state = ChunkState.Size;
          break;
        case ChunkState.Done:
          return pos;
      }
    }
    return pos;
  }

  private sizeLine(line: string): void {
    // RFC 9112 §7.1: whitespace (BWS) only before an extension's `;`, never alone at the end.
    const m = /^([0-9a-fA-F]+)(?:[ \t]*(;.*))?$/.exec(line);
    if (!m) throw new HttpProtocolError(400, 'bad-chunk', `malformed chunk size line ${JSON.stringify(line.slice(0, 40))}`);
    if (m[2] !== undefined) {
      if (!validExtensions(m[2])) {
        throw new HttpProtocolError(400, 'bad-chunk', `malformed chunk extension ${JSON.stringify(m[2].slice(0, 40))}`);
      }
      // Extensions are ignored, so a peer may not make us read many of them (as Node: 16 KiB a body).
      this.extensionBytes += m[2].length;
      if (this.extensionBytes > MAX_EXTENSION_BYTES) {
        throw new HttpProtocolError(413, 'chunk-extensions-too-large', `chunk extensions larger than ${MAX_EXTENSION_BYTES} bytes in one body`);
      }
    }
    const digits = m[1]!.replace(/^0+/, '');
    if (digits.length > 12) throw new HttpProtocolError(413, 'body-too-large', 'chunk size too large');
    const size = digits === '' ? 0 : parseInt(digits, 16);
    if (this.size + size > this.limits.maxBodySize) {
      throw new HttpProtocolError(413, 'body-too-large', `chunked request body exceeds the limit of ${this.limits.maxBodySize} bytes`);
    }
    this.size += size;
    if (size === 0) this.state = ChunkState.Trailer;
    else {
      this.remaining = size;
      this.state = ChunkState.Data;
    }
  }

  private trailerLine(line: string): void {
    if (line === '') {
      this.state = ChunkState.Done;
      return;
    }
    const h = parseHeaderLine(line);
    if (h === null) throw new HttpProtocolError(400, 'bad-trailer', `malformed trailer line ${JSON.stringify(line.slice(0, 40))}`);
    if (this.trailers.length >= this.limits.maxHeaderCount) {
      throw new HttpProtocolError(431, 'too-many-headers', `more than ${this.limits.maxHeaderCount} trailer fields`);
    }
    this.trailers.push(h);
  }
}

/** `;name[=value]` repeated, value a token or a quoted string (RFC 9112 §7.1.1); no controls. */
function validExtensions(s: string): boolean {
  return /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\t \x21-\x7e\x80-\xff])*"))?)*[ \t]*$/.test(s);
}
