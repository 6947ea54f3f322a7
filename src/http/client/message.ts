/**
 * The client's view of HTTP/1.1 messages: writing a request, reading a response head and
 * reading a response body by its framing (Content-Length, chunked, or to the end).
 */
import { HttpClientError, HttpProtocolError } from '../errors.js';
import { ChunkedDecoder } from '../body.js';
import { assertHeader, headerValue, headerValues, parseHeaderLine, isToken, type Headers } from '../headers.js';
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

// reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4): no control characters.
const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

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

/** Reads a status line and header lines. Throws HttpClientError naming URL for a malformed head. */
export async function readResponseHead(reader: SocketReader, url: string, limits: ClientLimits): Promise<ResponseHead> {
  const tooLong = (): Error => new HttpClientError('head-too-large', url, `response line longer than ${limits.readLineLimit} bytes`);
  let statusLine = await reader.readLine(limits.readLineLimit, tooLong);
  // Empty lines before a status line are skipped, as a server skips them before a request line
  // (RFC 9112 §2.2): some servers (aiohttp) send a stray CRLF after a response, e.g. after 100 Continue.
  for (let skipped = 0; statusLine === '' && skipped < MAX_EMPTY_LINES; skipped++) {
    statusLine = await reader.readLine(limits.readLineLimit, tooLong);
  }
  if (statusLine === null) throw new HttpClientError('closed', url, 'the server closed the connection without answering');
  const m = STATUS_LINE.exec(statusLine);
  if (!m) throw new HttpClientError('bad-status-line', url, `malformed status line ${JSON.stringify(statusLine.slice(0, 100))}`);
  if (m[1] !== '1') throw new HttpClientError('bad-status-line', url, `unsupported protocol in status line ${JSON.stringify(statusLine.slice(0, 100))}`);
  const headers: Headers = [];
  let size = statusLine.length;
  for (;;) {
    const line = await reader.readLine(limits.readLineLimit, tooLong);
    if (line === null) throw new HttpClientError('truncated', url, 'connection closed in the middle of the response head');
    if (line === '') break;
    size += line.length + 2;
    if (size > limits.maxHeadSize) throw new HttpClientError('head-too-large', url, `response head larger than ${limits.maxHeadSize} bytes`);
    const c = line.charCodeAt(0);
    if ((c === 32 || c === 9) && headers.length > 0) {
      // obs-fold: a user agent replaces it with a space (RFC 9112 §5.2).
      const last = headers[headers.length - 1]!;
      last[1] = (last[1] + ' ' + line.trim()).trim();
      continue;
    }
    const h = parseHeaderLine(line);
    if (h === null) throw new HttpClientError('bad-header', url, `malformed header line ${JSON.stringify(line.slice(0, 100))}`);
    if (headers.length >= limits.maxHeaderCount) throw new HttpClientError('head-too-large', url, `more than ${limits.maxHeaderCount} header fields`);
    headers.push(h);
  }
  return { statusLine, status: Number(m[3]), protocol: m[2] === '0' ? 'HTTP/1.0' : 'HTTP/1.1', headers };
}

/** How a response body is delimited (RFC 9112 §6.3). */
export type ResponseFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

export function responseFraming(headers: Headers, status: number, method: string, url: string): ResponseFraming {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  // Every Transfer-Encoding field counts: `chunked` then `identity` in a second field is `chunked, identity`.
  const tes = headerValues(headers, 'transfer-encoding');
  if (tes.length > 0) {
    const te = tes.join(', ');
    // Only `chunked` alone frames a body we can read and hand over decoded. Anything else
    // (`gzip`, `chunked, gzip`, `gzip, chunked`, `chunked, chunked`) would be read to a close
    // that may never come, or handed over still encoded: refused at once.
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    if (codings.length === 1 && codings[0] === 'chunked') return { kind: 'chunked' };
    throw new HttpClientError('bad-header', url, `unsupported Transfer-Encoding ${JSON.stringify(te)} (only chunked alone can be read)`);
  }
  let length: number | null = null;
  for (const [name, value] of headers) {
    if (name !== 'content-length') continue;
    for (const part of value.split(',')) {
      const p = part.trim();
      if (/^[0-9]{16,}$/.test(p)) throw new HttpClientError('body-too-large', url, `Content-Length ${p.slice(0, 40)} is too large`);
      if (!/^[0-9]{1,15}$/.test(p)) throw new HttpClientError('bad-header', url, `malformed Content-Length ${JSON.stringify(value)}`);
      if (length !== null && length !== Number(p)) throw new HttpClientError('bad-header', url, 'differing Content-Length values');
      length = Number(p);
    }
  }
  if (length !== null) return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  return { kind: 'close' };
}

/** Reads a whole body by FRAMING; trailers of a chunked body are returned apart. */
export async function readBody(reader: SocketReader, framing: ResponseFraming, url: string, limits: ClientLimits): Promise<{ body: Buffer; trailers: Headers }> {
  switch (framing.kind) {
    case 'none':
      return { body: Buffer.alloc(0), trailers: [] };
    case 'length':
      if (framing.length > limits.maxBodySize) {
        throw new HttpClientError('body-too-large', url, `response body of ${framing.length} bytes exceeds the limit of ${limits.maxBodySize}`);
      }
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
  if (asked.includes('close')) return false;
  if (requestProtocol === 'HTTP/1.0' && !asked.includes('keep-alive')) return false;
  const tokens = connectionTokens(head.headers);
  if (tokens.includes('close')) return false;
  if (head.protocol === 'HTTP/1.0' || requestProtocol === 'HTTP/1.0') return tokens.includes('keep-alive');
  return true;
}

/** The lowercased tokens of every Connection field in HEADERS (names in any case). */
function connectionTokens(headers: Headers): string[] {
  const out: string[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const t of value.split(',')) out.push(t.trim().toLowerCase());
  }
  return out;
}
