/**
 * URL helpers of http-utils: `http:canonicalize-string` and `http:decode-url`.
 */

/** An argument a-list: names to values, in order, duplicates kept. */
export type Args = Array<[string, string]>;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * `+` becomes a space and `%XX` the byte XX; the bytes are read as UTF-8 (as Latin-1 when they
 * are not valid UTF-8, so no byte is lost). A malformed escape is left as it is.
 */
export function canonicalizeString(s: string): string {
  if (s.indexOf('%') === -1) return s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  const bytes: number[] = [];
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < s.length) {
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const b = h * 16 + l;
        if (b > 127) ascii = false;
        bytes.push(b);
        i += 2;
        continue;
      }
    }
    if (c === 43 /* + */) { bytes.push(32); continue; }
    if (c < 128) { bytes.push(c); continue; }
    // A literal non-ASCII character: keep it, as UTF-8 bytes.
    ascii = false;
    const end = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? i + 2 : i + 1;
    for (const b of Buffer.from(s.slice(i, end), 'utf8')) bytes.push(b);
    i = end - 1;
  }
  const buf = Buffer.from(bytes);
  if (ascii) return buf.toString('latin1');
  try {
    return utf8Fatal.decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

/** Splits `a=1&b=2` into canonicalised pairs; a name without `=` maps to `""`. */
export function decodeQuery(query: string, into: Args = []): Args {
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      if (eq === -1 || eq > end) {
        into.push([canonicalizeString(query.slice(start, end)), '']);
      } else {
        into.push([canonicalizeString(query.slice(start, eq)), canonicalizeString(query.slice(eq + 1, end))]);
      }
    }
    start = end + 1;
  }
  return into;
}

/**
 * `http:decode-url`: the canonicalised path and the argument a-list of the query.
 * An absolute URL (`http://host/path?q`) gives its path.
 */
export function decodeUrl(url: string): [path: string, args: Args] {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const hash = path.indexOf('#');
  if (hash !== -1) path = path.slice(0, hash);
  path = stripOrigin(path);
  let query = q === -1 ? '' : url.slice(q + 1);
  const qh = query.indexOf('#');
  if (qh !== -1) query = query.slice(0, qh);
  return [canonicalizeString(path), query === '' ? [] : decodeQuery(query)];
}

/** `http://host:port/p` → `/p`; anything else is returned unchanged. */
export function stripOrigin(target: string): string {
  if (target.charCodeAt(0) === 47 /* / */) return target;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(target);
  if (!m) return target;
  const rest = target.slice(m[0].length);
  return rest === '' ? '/' : rest;
}

/** Form-urlencoding of one name or value (`application/x-www-form-urlencoded`). */
export function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
