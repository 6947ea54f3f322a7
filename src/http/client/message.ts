/**
 * The client's view of HTTP/1.1 messages: writing a request, reading a response head and
 * reading a response body by its framing (Content-Length, chunked, or to the end).
 */
import { HttpClientError, HttpProtocolError } from '../errors.js';
import { ChunkedDecoder } from '../body.js';
import { assertHeader, headerValue, parseHeaderRange, isToken, type Headers } from '../headers.js';
import type { SocketReader } from './reader.js';

export interface ClientLimits {
  readLineLimit: number;
  maxHeaderCount: number;
  maxHeadSize: number;
  maxBodySize: number;
}

export const DEFAULT_CLIENT_LIMITS: Readonly<ClientLimits> = Object.freeze({
  readLineLimit: 16 * 1024,
  maxHeaderCount: 256,
  maxHeadSize: 128 * 1024,
  maxBodySize: 64 * 1024 * 1024,
});

export interface ResponseHead {
  /** The status line without its line end, e.g. `HTTP/1.1 200 OK`. */
  statusLine: string;
  status: number;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  protocol: string;
  /** Lowercased names, trimmed values, in order, duplicates kept. */
  headers: Headers;
}

/** Empty lines tolerated before a status line. */
const MAX_EMPTY_LINES = 8;

/** Serialises a request head: METHOD target PROTOCOL, then each header line, then a blank line. Write it as latin1. */
export function requestHeadText(method: string, target: string, protocol: string, headers: Headers): string {
  if (!isToken(method)) throw new TypeError(`invalid method ${JSON.stringify(method)}`);
  if (target === '' || /[\s\x00-\x1f\x7f]/.test(target)) throw new TypeError(`invalid request target ${JSON.stringify(target)}`);
  if (!/^HTTP\/\d\.\d$/.test(protocol)) throw new TypeError(`invalid protocol ${JSON.stringify(protocol)}`);
  let s = `${method} ${target} ${protocol}\r\n`;
  for (const [name, value] of headers) {
    assertHeader(name, value);
    // The head goes out as latin1 (one byte per character), as servers read it; a character
    // beyond U+00FF has no byte to be, and was sent as UTF-8 bytes read back as something else.
    if (/[^\x00-\xff]/.test(value)) throw new TypeError(`invalid value for header ${name}: characters beyond U+00FF cannot be sent (encode the value first)`);
    s += `${name}: ${value}\r\n`;
  }
  return s + '\r\n';
}

/**
 * Reads a status line and header lines. Throws HttpClientError naming URL for a malformed head.
 * A head that arrived whole in one chunk (the usual case) is parsed from one string at once; any
 * other goes line by line. Both paths judge the lines with the same functions.
 */
export async function readResponseHead(reader: SocketReader, url: string, limits: ClientLimits): Promise<ResponseHead> {
  if (reader.available === 0) await reader.more();
  const text = reader.headText();
  if (text !== null) return parseHeadText(text, reader, url, limits);
  return readHeadByLines(reader, url, limits);
}

function lineTooLong(url: string, limits: ClientLimits): HttpClientError {
  return new HttpClientError('head-too-large', url, `response line longer than ${limits.readLineLimit} bytes`);
}

/**
 * The head in TEXT (from `SocketReader.headText`: it starts with a status line and ends with
 * CRLF CRLF), up to its first empty line; those bytes are then dropped from READER.
 */
function parseHeadText(text: string, reader: SocketReader, url: string, limits: ClientLimits): ResponseHead {
  let nl = text.indexOf('\n');
  // As readLine: a line longer than the limit (its LF at more than limit + 1) is refused.
  if (nl > limits.readLineLimit + 1) throw lineTooLong(url, limits);
  const statusLine = text.slice(0, text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
  const head = startHead(statusLine, url);
  let size = statusLine.length;
  for (;;) {
    const start = nl + 1;
    nl = text.indexOf('\n', start);
    if (nl - start > limits.readLineLimit + 1) throw lineTooLong(url, limits);
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (end === start) break;
    size += end - start + 2;
    if (size > limits.maxHeadSize) throw headTooLarge(url, limits);
    addHeaderLine(head.headers, text, start, end, url, limits);
  }
  reader.skip(nl + 1);
  return head;
}

async function readHeadByLines(reader: SocketReader, url: string, limits: ClientLimits): Promise<ResponseHead> {
  const tooLong = (): Error => lineTooLong(url, limits);
  let statusLine = await reader.readLine(limits.readLineLimit, tooLong);
  // Empty lines before a status line are skipped, as a server skips them before a request line
  // (RFC 9112 §2.2): some servers (aiohttp) send a stray CRLF after a response, e.g. after 100 Continue.
  for (let skipped = 0; statusLine === '' && skipped < MAX_EMPTY_LINES; skipped++) {
    statusLine = await reader.readLine(limits.readLineLimit, tooLong);
  }
  if (statusLine === null) throw new HttpClientError('closed', url, 'the server closed the connection without answering');
  const head = startHead(statusLine, url);
  let size = statusLine.length;
  for (;;) {
    const line = await reader.readLine(limits.readLineLimit, tooLong);
    if (line === null) throw new HttpClientError('truncated', url, 'connection closed in the middle of the response head');
    if (line === '') break;
    size += line.length + 2;
    if (size > limits.maxHeadSize) throw headTooLarge(url, limits);
    addHeaderLine(head.headers, line, 0, line.length, url, limits);
  }
  return head;
}

function headTooLarge(url: string, limits: ClientLimits): HttpClientError {
  return new HttpClientError('head-too-large', url, `response head larger than ${limits.maxHeadSize} bytes`);
}

/** A head with no headers yet, from its status line; a malformed one throws. */
function startHead(statusLine: string, url: string): ResponseHead {
  if (!isStatusLine(statusLine)) throw new HttpClientError('bad-status-line', url, `malformed status line ${JSON.stringify(statusLine.slice(0, 100))}`);
  if (statusLine.charCodeAt(5) !== 49) throw new HttpClientError('bad-status-line', url, `unsupported protocol in status line ${JSON.stringify(statusLine.slice(0, 100))}`);
  const status = (statusLine.charCodeAt(9) - 48) * 100 + (statusLine.charCodeAt(10) - 48) * 10 + (statusLine.charCodeAt(11) - 48);
  return { statusLine, status, protocol: statusLine.charCodeAt(7) === 48 ? 'HTTP/1.0' : 'HTTP/1.1', headers: [] };
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * `HTTP/d.d ddd`, then nothing or a space and a reason phrase: reason-phrase = *( HTAB / SP /
 * VCHAR / obs-text ) (RFC 9112 §4), so no control characters. (Checked by hand: it was a regex
 * whose match array and groups were made for every response.)
 */
function isStatusLine(line: string): boolean {
  if (line.length < 12 || !line.startsWith('HTTP/') || !isDigitAt(line, 5) || line.charCodeAt(6) !== 46
    || !isDigitAt(line, 7) || line.charCodeAt(8) !== 32 || !isDigitAt(line, 9) || !isDigitAt(line, 10) || !isDigitAt(line, 11)) {
    return false;
  }
  if (line.length === 12) return true;
  if (line.charCodeAt(12) !== 32) return false;
  for (let i = 13; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

/** Adds the header line TEXT[start, end) (not the empty line) to HEADERS; obs-fold joins the previous value. */
function addHeaderLine(headers: Headers, text: string, start: number, end: number, url: string, limits: ClientLimits): void {
  const c = text.charCodeAt(start);
  if ((c === 32 || c === 9) && headers.length > 0) {
    // obs-fold: a user agent replaces it with a space (RFC 9112 §5.2).
    const last = headers[headers.length - 1]!;
    last[1] = (last[1] + ' ' + text.slice(start, end).trim()).trim();
    return;
  }
  const h = parseHeaderRange(text, start, end);
  if (h === null) throw new HttpClientError('bad-header', url, `malformed header line ${JSON.stringify(text.slice(start, Math.min(end, start + 100)))}`);
  if (headers.length >= limits.maxHeaderCount) throw new HttpClientError('head-too-large', url, `more than ${limits.maxHeaderCount} header fields`);
  headers.push(h);
}

/** How a response body is delimited (RFC 9112 §6.3). */
export type ResponseFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

// Shared: a framing is only read, and these three carry nothing per response.
const NO_BODY: ResponseFraming = Object.freeze({ kind: 'none' });
const CHUNKED: ResponseFraming = Object.freeze({ kind: 'chunked' });
const TO_CLOSE: ResponseFraming = Object.freeze({ kind: 'close' });

export function responseFraming(headers: Headers, status: number, method: string, url: string): ResponseFraming {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return NO_BODY;
  // Every Transfer-Encoding field counts: `chunked` then `identity` in a second field is `chunked, identity`.
  let te: string | null = null;
  let hasLength = false;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (name === 'transfer-encoding') te = te === null ? value : `${te}, ${value}`;
    else if (name === 'content-length') hasLength = true;
  }
  if (te !== null) {
    if (te === 'chunked') return CHUNKED;
    // Only `chunked` alone frames a body we can read and hand over decoded. Anything else
    // (`gzip`, `chunked, gzip`, `gzip, chunked`, `chunked, chunked`) would be read to a close
    // that may never come, or handed over still encoded: refused at once.
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    if (codings.length === 1 && codings[0] === 'chunked') return CHUNKED;
    throw new HttpClientError('bad-header', url, `unsupported Transfer-Encoding ${JSON.stringify(te)} (only chunked alone can be read)`);
  }
  if (!hasLength) return TO_CLOSE;
  let length: number | null = null;
  for (const [name, value] of headers) {
    if (name !== 'content-length') continue;
    if (value.indexOf(',') === -1) {
      length = contentLength(value, value, length, url);
      continue;
    }
    for (const part of value.split(',')) length = contentLength(part, value, length, url);
  }
  return length === null || length === 0 ? NO_BODY : { kind: 'length', length };
}

/** One Content-Length value PART (of the field VALUE), checked against the one seen before (SEEN). */
function contentLength(part: string, value: string, seen: number | null, url: string): number {
  const p = part.trim();
  if (/^[0-9]{16,}$/.test(p)) throw new HttpClientError('body-too-large', url, `Content-Length ${p.slice(0, 40)} is too large`);
  if (!/^[0-9]{1,15}$/.test(p)) throw new HttpClientError('bad-header', url, `malformed Content-Length ${JSON.stringify(value)}`);
  const n = Number(p);
  if (seen !== null && seen !== n) throw new HttpClientError('bad-header', url, 'differing Content-Length values');
  return n;
}

/**
 * The body by FRAMING when it needs no waiting: none, or a Content-Length whose bytes are all
 * buffered (the usual small response, which came with its head). Else null: use `readBody`.
 */
export function readBufferedBody(reader: SocketReader, framing: ResponseFraming, url: string, limits: ClientLimits): { body: Buffer; trailers: Headers } | null {
  if (framing.kind === 'none') return { body: EMPTY, trailers: [] };
  if (framing.kind !== 'length') return null;
  if (framing.length > limits.maxBodySize) throw bodyTooLarge(framing.length, url, limits);
  const body = reader.takeBuffered(framing.length);
  return body === null ? null : { body, trailers: [] };
}

const EMPTY = Buffer.alloc(0);

function bodyTooLarge(length: number, url: string, limits: ClientLimits): HttpClientError {
  return new HttpClientError('body-too-large', url, `response body of ${length} bytes exceeds the limit of ${limits.maxBodySize}`);
}

/** Reads a whole body by FRAMING; trailers of a chunked body are returned apart. */
export async function readBody(reader: SocketReader, framing: ResponseFraming, url: string, limits: ClientLimits): Promise<{ body: Buffer; trailers: Headers }> {
  switch (framing.kind) {
    case 'none':
      return { body: EMPTY, trailers: [] };
    case 'length':
      if (framing.length > limits.maxBodySize) throw bodyTooLarge(framing.length, url, limits);
      return { body: await reader.readExactly(framing.length), trailers: [] };
    case 'close':
      return { body: await reader.readToEnd(limits.maxBodySize), trailers: [] };
    case 'chunked': {
      const decoder = new ChunkedDecoder({ readLineLimit: limits.readLineLimit, maxBodySize: limits.maxBodySize, maxHeaderCount: limits.maxHeaderCount });
      while (!decoder.done) {
        const bytes = await reader.readSome(64 * 1024);
        if (bytes === null) throw new HttpClientError('truncated', url, 'connection closed in the middle of a chunked body');
        let stop: number;
        try {
          stop = decoder.push(bytes, 0);
        } catch (e) {
          if (e instanceof HttpProtocolError) {
            throw new HttpClientError(e.status === 413 ? 'body-too-large' : 'bad-chunk', url, e.message, { cause: e });
          }
          throw e;
        }
        if (stop < bytes.length) reader.unshift(bytes.subarray(stop));
      }
      const parts = decoder.parts;
      return { body: parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts), trailers: decoder.trailers };
    }
  }
}

/**
 * Whether the connection can carry another request after this response. The request counts as
 * well as the response: a request that said `Connection: close` (or an HTTP/1.0 request without
 * `keep-alive`) has told the server to close, whatever the response says, so the connection must
 * not be pooled (it used to be, when the server did not echo `Connection: close`, and the next
 * request on it failed).
 */
export function responseKeepsAlive(head: ResponseHead, framing: ResponseFraming, requestProtocol: string, requestHeaders: Headers = []): boolean {
  if (framing.kind === 'close') return false;
  // After 101 the connection speaks another protocol: it never goes back to the pool.
  if (head.status === 101) return false;
  // Both Transfer-Encoding and Content-Length: a smuggling or splitting attempt, or a broken
  // server; the framing used may not be the one it meant, so do not send it anything else
  // (RFC 9112 §6.3).
  if (headerValue(head.headers, 'transfer-encoding') !== undefined && headerValue(head.headers, 'content-length') !== undefined) return false;
  const asked = connectionTokens(requestHeaders);
  if ((asked & CLOSE) !== 0) return false;
  if (requestProtocol === 'HTTP/1.0' && (asked & KEEP_ALIVE) === 0) return false;
  const tokens = connectionTokens(head.headers);
  if ((tokens & CLOSE) !== 0) return false;
  if (head.protocol === 'HTTP/1.0' || requestProtocol === 'HTTP/1.0') return (tokens & KEEP_ALIVE) !== 0;
  return true;
}

const CLOSE = 1;
const KEEP_ALIVE = 2;

/**
 * Whether the Connection fields of HEADERS (names in any case) hold `close` (CLOSE) and
 * `keep-alive` (KEEP_ALIVE), as bits: this runs twice for every response, and made two arrays
 * of tokens (and a lowercased copy of every name) each time.
 */
function connectionTokens(headers: Headers): number {
  let bits = 0;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    if (value.indexOf(',') === -1) {
      bits |= tokenBit(value);
      continue;
    }
    for (const t of value.split(',')) bits |= tokenBit(t);
  }
  return bits;
}

function tokenBit(token: string): number {
  const t = token.trim().toLowerCase();
  return t === 'close' ? CLOSE : t === 'keep-alive' ? KEEP_ALIVE : 0;
}
