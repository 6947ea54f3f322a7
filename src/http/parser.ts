/**
 * Incremental parser of an HTTP/1.1 request head (RFC 9112 §2–5), reading from Buffers as they
 * arrive and enforcing the line, count and size limits as soon as they are crossed, so a peer
 * can never make us buffer more than the limits allow.
 */
import { HttpProtocolError } from './errors.js';
import { type Headers, parseHeaderRange, isToken } from './headers.js';

export interface HeadLimits {
  readLineLimit: number;
  maxHeaderCount: number;
  maxHeadSize: number;
}

export interface RequestHead {
  method: string;
  target: string;
  /** `HTTP/1.0` or `HTTP/1.1` (a later 1.x minor is served as 1.1). */
  protocol: string;
  headers: Headers;
}

/** Empty lines tolerated before a request line (RFC 9112 §2.2 says ignore at least one). */
const MAX_LEADING_EMPTY_LINES = 8;

/**
 * Scanning is one pass over the bytes in JavaScript (no native call or Buffer view per line),
 * and a head is turned into a string once: the request line and every header are slices of it.
 */
export class RequestHeadParser {
  /** Read on every scan, so a change to the server's limits applies to the next request. */
  private readonly limits: HeadLimits;
  /** Where the head starts in the buffer (after leading empty lines). */
  private headStart = 0;
  /** Start of the line not yet terminated. */
  private scanPos = 0;
  /** Where the next scan goes on in that line: [scanPos, lineScan) holds no LF. */
  private lineScan = 0;
  /** The first bare CR (a CR followed by anything but LF) of that line, or -1. */
  private bareCr = -1;
  private emptyLines = 0;
  /** Pairs of [start, end) offsets of each complete line, CR excluded. */
  private lineOffsets: number[] = [];
  /** The request line, once parsed: at the end of a scan that leaves the head incomplete, or with the head. */
  private requestLine: RequestHead | null = null;
  /** Bytes of the unterminated line seen by the last scan. */
  private pending = 0;

  constructor(limits: HeadLimits) {
    this.limits = limits;
  }

  reset(): void {
    this.headStart = 0;
    this.scanPos = 0;
    this.lineScan = 0;
    this.bareCr = -1;
    this.emptyLines = 0;
    this.pending = 0;
    this.requestLine = null;
    this.lineOffsets = []; // a new array: setting length is a runtime call, and empties the backing store anyway
  }

  /** True once any byte of a request (other than leading empty lines) has been seen. */
  get started(): boolean {
    return this.lineOffsets.length > 0 || this.pending > 0;
  }

  /**
   * Scans BUF (which always starts at the beginning of this request and only grows between
   * calls) for the end of the head. Returns the offset just past the head, or -1 if more bytes
   * are needed. Throws HttpProtocolError for a limit crossed or a malformed line; a malformed
   * request line is refused by the scan that leaves the head incomplete, else by `parse`.
   */
  scan(buf: Buffer): number {
    const { readLineLimit, maxHeaderCount, maxHeadSize } = this.limits;
    const offsets = this.lineOffsets;
    const len = buf.length;
    let pos = this.scanPos;
    let i = this.lineScan;
    let bareCr = this.bareCr;
    for (;;) {
      // One pass to the LF ending the line, noting the first CR not followed by LF.
      while (i < len) {
        const c = buf[i]!;
        if (c === 10) break;
        if (c === 13 && bareCr === -1 && i + 1 < len && buf[i + 1] !== 10) bareCr = i;
        i++;
      }
      if (i === len) {
        // A CR last may be the start of this line's CRLF: it does not count towards the limits.
        const crLast = len > pos && buf[len - 1] === 13;
        const avail = crLast ? len - 1 : len;
        if (pos < avail && (avail - pos > readLineLimit || avail - this.headStart > maxHeadSize || bareCr !== -1 ||
            (offsets.length > 0 && isFoldStart(buf[pos]!)))) {
          throw this.fail(buf, this.firstError(buf, pos, avail, -1, bareCr));
        }
        this.scanPos = pos;
        this.lineScan = crLast ? len - 1 : len; // that CR is looked at again with the next byte
        this.bareCr = bareCr;
        this.pending = len - pos;
        this.parseRequestLineOf(buf); // garbage is refused without waiting for the rest of the head
        return -1;
      }
      const nl = i;
      const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
      i = nl + 1;
      if (end === pos) {
        if (offsets.length === 0) {
          if (++this.emptyLines > MAX_LEADING_EMPTY_LINES) {
            throw new HttpProtocolError(400, 'bad-request-line', 'too many empty lines before the request line');
          }
          pos = this.headStart = i;
          continue;
        }
        this.scanPos = this.lineScan = i;
        this.bareCr = -1;
        this.pending = 0;
        return i;
      }
      // One test for every way a complete line can be refused; which one it is, is worked out only then.
      if (end - pos > readLineLimit || bareCr !== -1 || i - this.headStart > maxHeadSize ||
          (offsets.length > 0 && (isFoldStart(buf[pos]!) || offsets.length / 2 > maxHeaderCount))) {
        throw this.fail(buf, this.firstError(buf, pos, end, nl, bareCr));
      }
      offsets.push(pos, end);
      pos = i;
      bareCr = -1;
    }
  }

  /**
   * The error for the line starting at POS, which is refused: of everything wrong with it, what
   * a peer sending it byte by byte would be refused for first, so the outcome is the same however
   * the bytes arrive (and a line nothing can mend is refused at once). Each fault is placed at the
   * number of the line's bytes that reveals it; at the same byte, syntax comes before size:
   * obs-fold (a header line's first byte is SP/HTAB; RFC 9112 §5.2), a bare CR (§2.2, revealed by
   * the byte after it), the line limit, the header count (at the LF), the head size.
   * END is where the line's text ends (CR of its CRLF excluded); NL its LF, or -1 while it is
   * incomplete (END is then the bytes seen, a CR last excluded: it may start the CRLF).
   */
  private firstError(buf: Buffer, pos: number, end: number, nl: number, bareCr: number): HttpProtocolError {
    const { readLineLimit, maxHeaderCount, maxHeadSize } = this.limits;
    const isRequestLine = this.lineOffsets.length === 0;
    if (!isRequestLine && isFoldStart(buf[pos]!)) {
      return new HttpProtocolError(400, 'obs-fold', 'header line folding (a line starting with whitespace) is not allowed');
    }
    let at = Infinity;
    let error: HttpProtocolError | null = null;
    if (bareCr !== -1) {
      at = bareCr - pos + 2;
      error = isRequestLine
        ? new HttpProtocolError(400, 'bad-request-line', 'bare CR (not followed by LF) in the request line')
        : new HttpProtocolError(400, 'bad-header', 'bare CR (not followed by LF) in a header line');
    }
    if (end - pos > readLineLimit && revealedAt(buf, pos, readLineLimit) < at) {
      at = revealedAt(buf, pos, readLineLimit);
      error = lineTooLong(isRequestLine, readLineLimit, buf, pos, end);
    }
    if (nl !== -1 && !isRequestLine && this.lineOffsets.length / 2 > maxHeaderCount && nl - pos + 1 < at) {
      at = nl - pos + 1;
      error = new HttpProtocolError(431, 'too-many-headers', `more than ${maxHeaderCount} header fields in the request`);
    }
    // The head's size counts a complete line's CRLF; a partial line's bytes, a CR last excluded.
    const budget = maxHeadSize - (pos - this.headStart);
    if ((nl === -1 ? end : nl + 1) - pos > budget && revealedAt(buf, pos, budget) < at) {
      error = headTooLarge(maxHeadSize);
    }
    return error ?? new HttpProtocolError(400, 'bad-request-line', 'malformed request head'); // unreachable: the caller saw a fault
  }

  /** ERROR, unless the request line (complete, not parsed yet) is malformed: its error comes first. */
  private fail(buf: Buffer, error: HttpProtocolError): HttpProtocolError {
    this.parseRequestLineOf(buf);
    return error;
  }

  /** Parses the request line if it is complete and not parsed yet. */
  private parseRequestLineOf(buf: Buffer): void {
    const offsets = this.lineOffsets;
    if (this.requestLine === null && offsets.length >= 2) {
      this.requestLine = parseRequestLine(buf.toString('latin1', offsets[0], offsets[1]));
    }
  }

  /** Builds the head from the lines found by the last successful `scan` of BUF. */
  parse(buf: Buffer): RequestHead {
    const offsets = this.lineOffsets;
    const n = offsets.length;
    const base = offsets[0]!;
    // One string for the whole head; the request line and the fields are slices of it.
    const text = buf.toString('latin1', base, offsets[n - 1]);
    let head = this.requestLine;
    this.requestLine = null;
    if (head === null) head = parseRequestLine(n === 2 ? text : text.slice(0, offsets[1]! - base));
    const headers: Headers = head.headers;
    for (let i = 2; i < n; i += 2) {
      const start = offsets[i]! - base;
      const end = offsets[i + 1]! - base;
      const h = parseHeaderRange(text, start, end);
      if (h === null) {
        throw new HttpProtocolError(400, 'bad-header', `malformed header line ${JSON.stringify(clip(text.slice(start, end)))}`);
      }
      headers.push(h);
    }
    return head;
  }
}

/**
 * The error for a line of BUF from POS to END longer than LIMIT: 431 for a header line; for the
 * request line 414 (its target is too long), or 501 when no space ends a method within the
 * limit (a method is not a URI: no server has a method that long).
 */
function lineTooLong(isRequestLine: boolean, limit: number, buf: Buffer, pos: number, end: number): HttpProtocolError {
  if (!isRequestLine) return new HttpProtocolError(431, 'header-line-too-long', `header line longer than ${limit} bytes`);
  const sp = buf.indexOf(32, pos);
  if (sp === -1 || sp >= end || sp - pos > limit) return new HttpProtocolError(501, 'method-too-long', `request method longer than ${limit} bytes`);
  return new HttpProtocolError(414, 'request-line-too-long', `request line longer than ${limit} bytes`);
}

/**
 * How many bytes of the line starting at POS reveal that it holds more than BUDGET (at least
 * BUDGET + 1 of them are there): one more byte, or two when that byte is a CR, which could
 * still have been the start of a CRLF.
 */
function revealedAt(buf: Buffer, pos: number, budget: number): number {
  return buf[pos + budget] === 13 ? budget + 2 : budget + 1;
}

/** SP or HTAB: a header line starting with one is obs-fold. */
function isFoldStart(c: number): boolean {
  return c === 32 || c === 9;
}

function headTooLarge(limit: number): HttpProtocolError {
  return new HttpProtocolError(431, 'head-too-large', `request head larger than ${limit} bytes`);
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

/** `METHOD SP request-target SP HTTP/x.y`, strictly (single spaces, RFC 9112 §3). */
export function parseRequestLine(line: string): RequestHead {
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || line.indexOf(' ', sp2 + 1) !== -1) {
    throw new HttpProtocolError(400, 'bad-request-line', `malformed request line ${JSON.stringify(clip(line))}`);
  }
  const method = line.slice(0, sp1);
  if (!isKnownMethod(method) && !isToken(method)) {
    throw new HttpProtocolError(400, 'bad-method', `malformed method ${JSON.stringify(clip(method))}`);
  }
  const target = line.slice(sp1 + 1, sp2);
  if (target.length === 0 || !isTargetText(target)) {
    throw new HttpProtocolError(400, 'bad-target', `malformed request target ${JSON.stringify(clip(target))}`);
  }
  const version = line.slice(sp2 + 1);
  let protocol: string;
  if (version === 'HTTP/1.1') protocol = 'HTTP/1.1';
  else if (version === 'HTTP/1.0') protocol = 'HTTP/1.0';
  else {
    const m = /^HTTP\/(\d)\.(\d)$/.exec(version);
    if (!m) throw new HttpProtocolError(400, 'bad-version', `malformed HTTP version ${JSON.stringify(clip(version))}`);
    if (m[1] !== '1') throw new HttpProtocolError(505, 'unsupported-version', `HTTP version ${version} is not supported (HTTP/1.x only)`);
    protocol = 'HTTP/1.1';
  }
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*' && !/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target) && method !== 'CONNECT') {
    throw new HttpProtocolError(400, 'bad-target', `request target ${JSON.stringify(clip(target))} is neither a path nor an absolute URL`);
  }
  return { method, target, protocol, headers: [] };
}

function isKnownMethod(m: string): boolean {
  return m === 'GET' || m === 'POST' || m === 'HEAD';
}

/**
 * Visible ASCII only: no spaces, controls or raw non-ASCII bytes in a target, and no `\` (not a
 * URI character (RFC 3986); some servers read it as `/`, so it could reach another path).
 */
function isTargetText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 92) return false;
  }
  return true;
}
