/**
 * Serving a directory: `staticFiles(root, options)` gives a handler (usable as the fallback
 * handler, or as a resource handler for one path) that answers GET and HEAD from the files under
 * ROOT, with content types, validators (ETag, Last-Modified), conditional requests (304, 412),
 * byte ranges (206, 416), index files and directory redirects (RFC 9110 §8.8, §13, §14).
 * No request reads outside ROOT: the path is decoded segment by segment and refused when a
 * segment could climb (`..`, `%2e%2e`), carries a separator (`%2f`, `\`) or a NUL, and the file
 * opened is checked to lie under ROOT's real path after every symlink is resolved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { headerValue, type Headers } from '../headers.js';
import type { HttpRequest } from '../request.js';
import { HttpUsageError } from '../errors.js';
import { reasonPhrase } from '../status.js';
import { errorResponseText, type Exchange } from './exchange.js';
import type { Args } from '../url.js';

/** The options of `staticFiles`. */
export interface StaticOptions {
  /** Files tried, in order, for a request of a directory (`/dir/`). Default `['index.html']`; `[]` for none. */
  index?: readonly string[];
  /** URL path the directory is served at (default `/`): `/static` serves ROOT/x at `/static/x`. */
  prefix?: string;
  /** Extra or replacement content types by extension (`{ '.md': 'text/markdown; charset=utf-8' }`). */
  contentTypes?: Readonly<Record<string, string>>;
  /** Type of a file whose extension is not known. Default `application/octet-stream`. */
  defaultContentType?: string;
  /** `Cache-Control` value sent with every file (and 304), e.g. `public, max-age=3600`. Default none. */
  cacheControl?: string | null;
  /** ETag kind: `strong` (default; byte ranges with If-Range need it), `weak`, or `false` for none. */
  etag?: 'strong' | 'weak' | false;
  /** Send `Last-Modified` and honour If-Modified-Since / If-Unmodified-Since. Default true. */
  lastModified?: boolean;
  /** Names starting with `.` (any segment): `ignore` (default: 404, as if absent) or `allow`. */
  dotfiles?: 'ignore' | 'allow';
  /**
   * Symlinks whose target lies under ROOT are followed (default true); false refuses every path
   * that goes through a symlink. A symlink leading out of ROOT is refused either way.
   */
  followSymlinks?: boolean;
  /**
   * What answers a request outside PREFIX, or for a file that is not there (default: a 404
   * through the error-response handler). Lets a static directory sit in front of another fallback.
   */
  notFound?: (request: HttpRequest, ex: Exchange) => unknown;
}

/** A static-files handler: a fallback `(request, ex)`, also usable as a resource `(request, args, ex)`. */
export type StaticHandler = {
  (request: HttpRequest, ex: Exchange): Promise<void>;
  (request: HttpRequest, args: Args, ex: Exchange): Promise<void>;
};

/** The built-in content types, by lowercased extension. Text types say their charset. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.scm': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.avif': 'image/avif', '.ico': 'image/x-icon', '.bmp': 'image/bmp',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.otf': 'font/otf',
  '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.wav': 'audio/wav', '.mp4': 'video/mp4', '.webm': 'video/webm',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.gz': 'application/gzip', '.tar': 'application/x-tar',
  '.wasm': 'application/wasm', '.webmanifest': 'application/manifest+json',
};

/** Bytes read from the file per write to the connection. */
const CHUNK = 64 * 1024;

/** Makes the handler serving the files under ROOT. Throws an HttpUsageError when ROOT is not a string. */
export function staticFiles(root: string, options: StaticOptions = {}): StaticHandler {
  if (typeof root !== 'string' || root === '') throw new HttpUsageError('staticFiles: ROOT must be the path of a directory');
  const o = resolveOptions(options);
  const absRoot = path.resolve(root);
  const handler = async (request: HttpRequest, a: Args | Exchange, b?: Exchange): Promise<void> => {
    const ex = b ?? (a as Exchange);
    await serve(absRoot, o, request, ex);
  };
  return handler as StaticHandler;
}

interface Resolved {
  index: readonly string[];
  prefix: string[];
  types: Readonly<Record<string, string>>;
  defaultType: string;
  cacheControl: string | null;
  etag: 'strong' | 'weak' | false;
  lastModified: boolean;
  dotfiles: 'ignore' | 'allow';
  followSymlinks: boolean;
  notFound: ((request: HttpRequest, ex: Exchange) => unknown) | null;
}

function resolveOptions(o: StaticOptions): Resolved {
  const index = o.index ?? ['index.html'];
  for (const name of index) {
    if (typeof name !== 'string' || name === '' || /[/\\\0]/.test(name) || name === '.' || name === '..') {
      throw new HttpUsageError(`staticFiles: an index name must be a plain file name, got ${JSON.stringify(name)}`);
    }
  }
  const prefix = (o.prefix ?? '/').split('/').filter((s) => s !== '');
  const types: Record<string, string> = { ...CONTENT_TYPES };
  for (const [ext, type] of Object.entries(o.contentTypes ?? {})) types[(ext.startsWith('.') ? ext : '.' + ext).toLowerCase()] = type;
  return {
    index, prefix, types,
    defaultType: o.defaultContentType ?? 'application/octet-stream',
    cacheControl: o.cacheControl ?? null,
    etag: o.etag ?? 'strong',
    lastModified: o.lastModified ?? true,
    dotfiles: o.dotfiles ?? 'ignore',
    followSymlinks: o.followSymlinks ?? true,
    notFound: o.notFound ?? null,
  };
}

// ---- the request's path ----

/**
 * The request path's segments, percent-decoded as UTF-8, or a refusal. The raw target is split
 * at `/` before decoding, so `%2f` can never make a separator; a segment that decodes to `.`,
 * `..`, or holds `/`, `\` or a control character is refused outright (no client sends one; an
 * attacker does). Empty segments (`//`) are dropped; a trailing `/` is reported apart.
 */
export function pathSegments(target: string): { segments: string[]; slash: boolean } | 400 {
  let p = target;
  const cut = p.search(/[?#]/);
  if (cut !== -1) p = p.slice(0, cut);
  const origin = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(p);
  if (origin !== null) p = p.slice(origin[0].length) || '/';
  if (!p.startsWith('/')) return 400;
  const segments: string[] = [];
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) {
    const raw = parts[i]!;
    if (raw === '') continue;
    const seg = decodeSegment(raw);
    if (seg === null || seg === '.' || seg === '..' || /[/\\\0-\x1f\x7f]/.test(seg)) return 400;
    segments.push(seg);
  }
  return { segments, slash: p.endsWith('/') };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** `%XX` escapes decoded as UTF-8; null for a malformed escape or bytes that are not UTF-8. */
function decodeSegment(raw: string): string | null {
  if (!raw.includes('%')) return /[^\x21-\x7e]/.test(raw) ? decodeBytes(Buffer.from(raw, 'latin1')) : raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 37) { bytes.push(c & 0xff); continue; }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return decodeBytes(Buffer.from(bytes));
}

function decodeBytes(b: Buffer): string | null {
  try {
    return UTF8.decode(b);
  } catch {
    return null;
  }
}

/** SEGMENTS as a URL path, each one percent-encoded (for Location: never `//host`, never raw bytes). */
function encodePath(segments: readonly string[]): string {
  return '/' + segments.map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())).join('/');
}

// ---- the file ----

/** ROOT's real path: symlinks in ROOT itself are the operator's, resolved once they resolve. */
const realRoots = new Map<string, string>();

async function realRoot(root: string): Promise<string | null> {
  const known = realRoots.get(root);
  if (known !== undefined) return known;
  try {
    const real = await fs.promises.realpath(root);
    realRoots.set(root, real);
    return real;
  } catch {
    return null;
  }
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** A file opened for reading, checked to be under the root, with its stat. */
interface OpenFile {
  fh: fs.promises.FileHandle;
  stat: fs.BigIntStats;
  /** The real path opened (for its extension). */
  real: string;
}

type Lookup = OpenFile | { dir: true } | { status: 403 | 404 };

/**
 * Opens ROOT/SEGMENTS if it is a regular file under the real ROOT. The path is resolved first
 * (realpath) and checked; the file is then opened without following a last symlink and without
 * blocking (a FIFO must not hang the handler), and checked again by what the descriptor really
 * is (/proc/self/fd on Linux, else device and inode), so a path swapped for a symlink between
 * the check and the open is refused, not served.
 */
async function lookup(root: string, segments: readonly string[], o: Resolved): Promise<Lookup> {
  const base = await realRoot(root);
  if (base === null) return { status: 404 };
  const lexical = path.join(base, ...segments);
  let real: string;
  try {
    real = await fs.promises.realpath(lexical);
  } catch (e) {
    return { status: errnoStatus(e) };
  }
  if (!inside(base, real)) return { status: 404 };
  if (!o.followSymlinks && real !== lexical) return { status: 404 };
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    return { status: errnoStatus(e) };
  }
  try {
    const stat = await fh.stat({ bigint: true });
    if (!(await sameFile(fh, real, stat, base))) {
      await fh.close();
      return { status: 404 };
    }
    if (stat.isDirectory()) {
      await fh.close();
      return { dir: true };
    }
    if (!stat.isFile()) {
      await fh.close();
      return { status: 404 }; // devices, FIFOs, sockets: never served
    }
    return { fh, stat, real };
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

/** Whether the descriptor FH is the file at REAL, under BASE (see `lookup`). */
async function sameFile(fh: fs.promises.FileHandle, real: string, stat: fs.BigIntStats, base: string): Promise<boolean> {
  try {
    const opened = await fs.promises.readlink(`/proc/self/fd/${fh.fd}`);
    return opened === real && inside(base, opened);
  } catch {
    // No /proc: the path must still name the very file that was opened.
    try {
      const now = await fs.promises.lstat(real, { bigint: true });
      return now.ino === stat.ino && now.dev === stat.dev;
    } catch {
      return false;
    }
  }
}

function errnoStatus(e: unknown): 403 | 404 {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM' ? 403 : 404;
}

// ---- answering ----

async function serve(root: string, o: Resolved, request: HttpRequest, ex: Exchange): Promise<void> {
  const parsed = pathSegments(request.url);
  if (parsed === 400) return errorPage(ex, 400);
  let { segments } = parsed;
  if (!startsWith(segments, o.prefix)) return missing(o, request, ex);
  segments = segments.slice(o.prefix.length);
  if (o.dotfiles === 'ignore' && segments.some((s) => s.startsWith('.'))) return missing(o, request, ex);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return errorPage(ex, 405, [['Allow', 'GET, HEAD']]);
  }
  let found = await lookup(root, segments, o);
  if ('dir' in found) {
    if (!parsed.slash) {
      // `/dir` → `/dir/`, so the index's relative links resolve inside it (as nginx and Apache do).
      const q = request.url.indexOf('?');
      const location = encodePath([...o.prefix, ...segments]) + '/' + (q === -1 ? '' : request.url.slice(q));
      return errorPage(ex, 301, [['Location', location]]);
    }
    found = { status: 404 };
    for (const name of o.index) {
      const f = await lookup(root, [...segments, name], o);
      if ('fh' in f) { found = f; break; }
    }
  } else if ('fh' in found && parsed.slash) {
    await found.fh.close();
    found = { status: 404 }; // `/file.txt/` names a directory that is not there
  }
  if ('status' in found) return found.status === 404 ? missing(o, request, ex) : errorPage(ex, found.status);
  if ('dir' in found) return missing(o, request, ex);
  try {
    await sendFile(found, o, request, ex);
  } finally {
    await found.fh.close().catch(() => undefined);
  }
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((p, i) => segments[i] === p);
}

async function missing(o: Resolved, request: HttpRequest, ex: Exchange): Promise<void> {
  if (o.notFound !== null) await o.notFound(request, ex);
  else errorPage(ex, 404);
}

/** An error response (page from the error-response handler) with EXTRA headers. */
function errorPage(ex: Exchange, code: number, extra: Headers = []): void {
  const message = reasonPhrase(code);
  const html = ex.config.errorResponseHandler(code, message, ex.server);
  ex.out.discard();
  ex.write(errorResponseText(code, message, html, ex.out.protocol, ex.server.serverName, extra));
  ex.out.end();
}

/** The validators of one file: ETag (or null) and its modification time in whole seconds (ms). */
interface Validators {
  etag: string | null;
  mtime: number;
}

function validators(stat: fs.BigIntStats, o: Resolved): Validators {
  // Size, modification time to the nanosecond and inode: a new version gets a new tag.
  const tag = `"${stat.size.toString(16)}-${stat.mtimeNs.toString(16)}-${stat.ino.toString(16)}"`;
  return {
    etag: o.etag === false ? null : o.etag === 'weak' ? 'W/' + tag : tag,
    mtime: Math.floor(Number(stat.mtimeMs) / 1000) * 1000,
  };
}

async function sendFile(file: OpenFile, o: Resolved, request: HttpRequest, ex: Exchange): Promise<void> {
  const size = Number(file.stat.size);
  const v = validators(file.stat, o);
  const h = request.attributes;
  const meta: Headers = [];
  if (v.etag !== null) meta.push(['ETag', v.etag]);
  if (o.lastModified) meta.push(['Last-Modified', new Date(v.mtime).toUTCString()]);
  if (o.cacheControl !== null) meta.push(['Cache-Control', o.cacheControl]);

  const pre = preconditions(h, v, o);
  if (pre === 412) return errorPage(ex, 412);
  if (pre === 304) {
    // RFC 9110 §15.4.5: the validators and caching fields; Last-Modified only without an ETag.
    ex.send(304, v.etag !== null ? meta.filter(([n]) => n !== 'Last-Modified') : meta);
    return;
  }
  const type = o.types[path.extname(file.real).toLowerCase()] ?? o.defaultType;
  const headers: Headers = [['Content-Type', type], ['Accept-Ranges', 'bytes'], ...meta];
  // Range is defined for GET only (RFC 9110 §14.2); If-Range decides whether it applies.
  const rangeHeader = request.method === 'GET' ? headerValue(h, 'range') : undefined;
  const range = rangeHeader !== undefined && ifRangeHolds(h, v) ? parseRange(rangeHeader, size) : null;
  if (range === 'unsatisfiable') return errorPage(ex, 416, [['Content-Range', `bytes */${size}`]]);
  let start = 0;
  let end = size; // exclusive
  if (range !== null) {
    [start, end] = range;
    headers.push(['Content-Range', `bytes ${start}-${end - 1}/${size}`]);
  }
  ex.writeResponseHeader(range !== null ? 206 : 200, undefined, headers);
  ex.write(`Content-Length: ${end - start}\r\n\r\n`);
  if (request.method === 'HEAD') {
    ex.out.end();
    return;
  }
  await streamRange(file.fh, start, end, ex);
  ex.out.end();
}

/**
 * RFC 9110 §13.2.2, in its order: If-Match (else If-Unmodified-Since) → 412; If-None-Match
 * (else If-Modified-Since) → 304 for GET and HEAD. Null when the request goes on.
 */
function preconditions(h: Headers, v: Validators, o: Resolved): 304 | 412 | null {
  const ifMatch = headerValue(h, 'if-match');
  if (ifMatch !== undefined) {
    if (!matchesList(ifMatch, v.etag, true)) return 412;
  } else if (o.lastModified) {
    const ius = parseDate(headerValue(h, 'if-unmodified-since'));
    if (ius !== null && v.mtime > ius) return 412;
  }
  const ifNoneMatch = headerValue(h, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    // Only GET and HEAD reach here, where a match means 304.
    return matchesList(ifNoneMatch, v.etag, false) ? 304 : null;
  }
  if (o.lastModified) {
    const ims = parseDate(headerValue(h, 'if-modified-since'));
    if (ims !== null && v.mtime <= ims) return 304;
  }
  return null;
}

/**
 * Whether the entity-tag list LIST (`*` or `"a", W/"b"`) matches ETAG: strong comparison (both
 * strong and equal) when STRONG, else weak comparison (equal opaque tags).
 */
export function matchesList(list: string, etag: string | null, strong: boolean): boolean {
  if (list.trim() === '*') return true; // `*`: any current representation, and the file exists
  if (etag === null) return false;
  const mine = opaque(etag);
  if (strong && mine.weak) return false;
  for (const m of list.matchAll(/\s*(W\/)?("[^"]*")\s*(?:,|$)/g)) {
    if (strong && m[1] !== undefined) continue;
    if (m[2] === mine.tag) return true;
  }
  return false;
}

function opaque(etag: string): { weak: boolean; tag: string } {
  return etag.startsWith('W/') ? { weak: true, tag: etag.slice(2) } : { weak: false, tag: etag };
}

/** An HTTP-date as ms, or null when absent or malformed (then the condition is ignored, RFC 9110 §13.1.3). */
function parseDate(s: string | undefined): number | null {
  if (s === undefined || !/^[A-Za-z]{3},? /.test(s.trim())) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies when the field is absent, names the current
 * strong ETag, or is the exact Last-Modified date.
 */
function ifRangeHolds(h: Headers, v: Validators): boolean {
  const ifRange = headerValue(h, 'if-range');
  if (ifRange === undefined) return true;
  const t = ifRange.trim();
  if (t.startsWith('"') || t.startsWith('W/')) {
    return v.etag !== null && !v.etag.startsWith('W/') && t === v.etag;
  }
  const date = parseDate(t);
  return date !== null && date === v.mtime;
}

/**
 * A `Range` value for a representation of SIZE bytes: one satisfiable range as [start, end)
 * (end exclusive), `unsatisfiable` (416), or null to send the whole representation: a value we
 * cannot parse, another unit, or several ranges (RFC 9110 §14.2 lets a server ignore Range; a
 * multipart/byteranges answer is not made).
 */
export function parseRange(value: string, size: number): [number, number] | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(value);
  if (m === null) return null;
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) return null;
  const ranges: Array<[number, number]> = [];
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return null;
    if (r[1] === '') {
      const n = Number(r[2]);
      if (n > 0 && size > 0) ranges.push([Math.max(0, size - n), size]);
      continue;
    }
    const first = Number(r[1]);
    const last = r[2] === '' ? Infinity : Number(r[2]);
    if (last < first) return null; // invalid range-spec: the whole field is ignored
    if (first < size) ranges.push([first, Math.min(last + 1, size)]);
  }
  if (ranges.length === 0) return 'unsatisfiable';
  return ranges.length === 1 ? ranges[0]! : null;
}

/** Writes bytes [START, END) of FH in chunks, waiting for the socket when it is full. */
async function streamRange(fh: fs.promises.FileHandle, start: number, end: number, ex: Exchange): Promise<void> {
  let pos = start;
  while (pos < end) {
    // A fresh buffer each time: the writer may keep a chunk until it has enough to send.
    const want = Math.min(CHUNK, end - pos);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, pos);
    if (bytesRead === 0) throw new Error(`static file shrank while being sent: ${end - pos} bytes missing`);
    pos += bytesRead;
    if (!ex.write(bytesRead === want ? buf : buf.subarray(0, bytesRead))) await ex.out.drain();
  }
}
