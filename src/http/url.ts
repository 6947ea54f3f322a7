/**
 * URL helpers of http-utils: `http:canonicalize-string` and `http:decode-url`.
 */

/** An argument a-list: names to values, in order, duplicates kept. */
export type Args = Array<[string, string]>;

// ignoreBOM: an escaped U+FEFF is text like any other (by default TextDecoder drops one at the
// start of its input, so `%EF%BB%BF` decoded to "" and a form value lost its first character).
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * `+` becomes a space and `%XX` the byte XX; each run of escaped bytes is read as UTF-8 (as
 * Latin-1 when it is not valid UTF-8, so no byte is lost). Other characters are kept as they
 * are, and a malformed escape is left as it is.
 */
export function canonicalizeString(s: string): string {
  return canonicalizeWith(s, decodeBytes);
}

/**
 * The same on bytes: S holds one byte per character (Latin-1), and so does the result, each
 * `%XX` the byte XX whether or not the bytes are UTF-8 (the Scheme front, where strings are bytes).
 */
export function canonicalizeBytes(s: string): string {
  return canonicalizeWith(s, (bytes) => Buffer.from(bytes).toString('latin1'));
}

/** `+` as a space, and each run of `%XX` escapes as DECODE makes its bytes. */
function canonicalizeWith(s: string, decode: (bytes: number[]) => string): string {
  if (s.indexOf('%') === -1) return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      const bytes: number[] = [];
      while (i + 2 < s.length && s.charCodeAt(i) === 37) {
        const h = hexValue(s.charCodeAt(i + 1));
        const l = hexValue(s.charCodeAt(i + 2));
        if (h < 0 || l < 0) break;
        bytes.push(h * 16 + l);
        i += 3;
      }
      if (bytes.length === 0) {
        out += '%';
        i++;
      } else {
        out += decode(bytes);
      }
    } else {
      out += c === 43 /* + */ ? ' ' : s[i];
      i++;
    }
  }
  return out;
}

/** UTF-8 where the bytes are valid UTF-8; each invalid byte as its Latin-1 character. */
function decodeBytes(bytes: number[]): string {
  const buf = Buffer.from(bytes);
  try {
    return utf8Fatal.decode(buf);
  } catch {
    let out = '';
    let i = 0;
    while (i < buf.length) {
      const len = utf8SequenceLength(buf, i);
      out += len > 0 ? buf.toString('utf8', i, i + len) : String.fromCharCode(buf[i]!);
      i += len > 0 ? len : 1;
    }
    return out;
  }
}

/** Length of the valid UTF-8 sequence starting at I, or 0. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n <= 1 || i + n > b.length) return n === 1 ? 1 : 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  try {
    utf8Fatal.decode(b.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/** Splits `a=1&b=2` into canonicalised pairs; a name without `=` maps to `""`. Linear time. */
export function decodeQuery(query: string, into: Args = [], canonicalize: (s: string) => string = canonicalizeString): Args {
  let start = 0;
  let eq = query.indexOf('=');
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (eq !== -1 && eq < start) eq = query.indexOf('=', start);
    if (end > start) {
      if (eq === -1 || eq > end) {
        into.push([canonicalize(query.slice(start, end)), '']);
      } else {
        into.push([canonicalize(query.slice(start, eq)), canonicalize(query.slice(eq + 1, end))]);
      }
    }
    start = end + 1;
  }
  return into;
}

/**
 * `http:decode-url`: the canonicalised path and the argument a-list of the query.
 * An absolute URL (`http://host/path?q`) gives its path; a fragment is ignored.
 */
export function decodeUrl(url: string, canonicalize: (s: string) => string = canonicalizeString): [path: string, args: Args] {
  const hash = url.indexOf('#');
  if (hash !== -1) url = url.slice(0, hash);
  const q = url.indexOf('?');
  const path = stripOrigin(q === -1 ? url : url.slice(0, q));
  return [canonicalize(path), q === -1 || q === url.length - 1 ? [] : decodeQuery(url.slice(q + 1), [], canonicalize)];
}

/** `http://host:port/p` → `/p`; anything else is returned unchanged. */
export function stripOrigin(target: string): string {
  if (target.charCodeAt(0) === 47 /* / */) return target;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(target);
  if (!m) return target;
  const rest = target.slice(m[0].length);
  return rest === '' ? '/' : rest;
}

/** A surrogate half without its other half: text no UTF-8 can hold. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Form-urlencoding of one name or value (`application/x-www-form-urlencoded`). A lone surrogate
 * is sent as U+FFFD, as the URL Standard's urlencoded serializer does (encodeURIComponent threw a
 * URIError for it, out of `http:POST`/`post`).
 */
export function formEncode(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE, '\uFFFD')).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
