/**
 * The access log in the Combined Log Format, as nginx's `combined` and Apache's `combined` write
 * it: `IP - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 2326 "referer" "user-agent"`.
 * A line builder, and a ready `http:log-hook` for the TS API (the Scheme one is built on it).
 * The status and size of a response come from the record the connection leaves for its request
 * (`recordResponse`), since the egg's log hook gets only the request and the peer's address.
 */
import type { Writable } from 'node:stream';
import { headerValue } from '../headers.js';
import type { HttpRequest } from '../request.js';
import type { LogHook } from './types.js';

/** What the access log needs of a response (a ResponseWriter is one). */
export interface ResponseSummary {
  /** The status sent. */
  readonly status: number;
  /** Body bytes sent (none for HEAD, 204, 304); undefined when the server does not count them. */
  readonly bodyBytesSent?: number;
}

const responses = new WeakMap<HttpRequest, ResponseSummary>();

/** Called by the server once REQUEST is answered, before the log hook: what the log reports. */
export function recordResponse(request: HttpRequest, response: ResponseSummary): void {
  responses.set(request, response);
}

/** The response recorded for REQUEST, if the server recorded one. */
export function responseOf(request: HttpRequest): ResponseSummary | undefined {
  return responses.get(request);
}

/** The fields of one access-log line. */
export interface LogEntry {
  ip: string;
  time: Date;
  method: string;
  url: string;
  protocol: string;
  /** Null when unknown (written `-`). */
  status: number | null;
  /** Body bytes sent; 0 or null is written `-` (as Apache's `%b` and the NCSA format have it). */
  bytes: number | null;
  referer?: string | undefined;
  userAgent?: string | undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `10/Oct/2000:13:55:36 -0700`: nginx's `$time_local`, in this process's time zone. */
export function logTime(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${pad(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/**
 * A field as nginx escapes logged variables: `"`, `\`, control bytes and bytes over 0x7e become
 * `\xHH` (uppercase hex), so a user agent cannot end its quoted field or forge a second line.
 * Strings are bytes one char each, as the parser gives header values; a char over 0xff (text
 * from a TS caller) is taken as its UTF-8 bytes.
 */
export function escapeLogField(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += hexByte(b);
    } else if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      out += hexByte(c);
    } else {
      out += s[i];
    }
  }
  return out;
}

function hexByte(b: number): string {
  return '\\x' + b.toString(16).toUpperCase().padStart(2, '0');
}

/** A quoted field: `-` when absent or empty, as nginx writes an empty variable. */
function quoted(s: string | undefined): string {
  return s === undefined || s === '' ? '"-"' : `"${escapeLogField(s)}"`;
}

/** One line of the Combined Log Format, without its newline. */
export function combinedLogLine(e: LogEntry): string {
  const ip = e.ip === '' ? '-' : escapeLogField(e.ip);
  const request = escapeLogField(`${e.method} ${e.url} ${e.protocol}`);
  const status = e.status === null ? '-' : String(e.status);
  const bytes = e.bytes === null || e.bytes === 0 ? '-' : String(e.bytes);
  return `${ip} - - [${logTime(e.time)}] "${request}" ${status} ${bytes} ${quoted(e.referer)} ${quoted(e.userAgent)}`;
}

/** The log entry of REQUEST from IP, answered now. */
export function logEntry(request: HttpRequest, ip: string, time = new Date()): LogEntry {
  const r = responseOf(request);
  return {
    ip, time,
    method: request.method, url: request.url, protocol: request.protocol,
    status: r === undefined ? null : r.status,
    bytes: r?.bodyBytesSent ?? null,
    referer: headerValue(request.attributes, 'referer'),
    userAgent: headerValue(request.attributes, 'user-agent'),
  };
}

/** Where lines go: a function of one line (without newline), or a stream (each line with its newline). */
export type LogSink = ((line: string) => unknown) | Writable;

/**
 * A log hook writing one Combined Log Format line per request to SINK (default: standard
 * output): `config.logHook = combinedLogHook(fs.createWriteStream('access.log', { flags: 'a' }))`.
 */
export function combinedLogHook(sink: LogSink = process.stdout): LogHook {
  const put = typeof sink === 'function' ? sink : (line: string): unknown => sink.write(line + '\n');
  return (request: HttpRequest, ip: string) => {
    put(combinedLogLine(logEntry(request, ip)));
  };
}
