/**
 * Header lists as the egg keeps them: an a-list of (lowercased name . trimmed value), in the
 * order received, duplicates kept. Also the RFC 9110 character rules used to validate them.
 */

export type Header = [name: string, value: string];
export type Headers = Header[];

/** tchar of RFC 9110 §5.6.2, indexed by char code. */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

export function isToken(s: string): boolean {
  return s.length > 0 && isTokenRange(s, 0, s.length);
}

/** Whether S[start, end) is all tchar. */
export function isTokenRange(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** A field value may hold VCHAR, obs-text, SP and HTAB; never CR, LF, NUL or other controls. */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return false;
  }
  return true;
}

/** Trims optional whitespace (SP, HTAB) from both ends. */
export function trimOws(s: string, start = 0, end = s.length): string {
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** The first value of NAME (lowercase), or undefined. */
export function headerValue(headers: Headers, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) if (headers[i]![0] === name) return headers[i]![1];
  return undefined;
}

/** All values of NAME (lowercase), in order. */
export function headerValues(headers: Headers, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n === name) out.push(v);
  return out;
}

/**
 * Parses one header line (without its line ending) into [lowercased name, trimmed value], or
 * returns null when it is not a valid field line: no colon, a name that is not a token (which
 * includes whitespace before the colon and obs-fold), or a control character in the value.
 */
export function parseHeaderLine(line: string): Header | null {
  return parseHeaderRange(line, 0, line.length);
}

/** `parseHeaderLine` of TEXT[start, end), without slicing the line out first. */
export function parseHeaderRange(text: string, start: number, end: number): Header | null {
  const colon = text.indexOf(':', start);
  if (colon <= start || colon >= end || !isTokenRange(text, start, colon)) return null;
  const value = trimOws(text, colon + 1, end);
  if (!isFieldValue(value)) return null;
  return [lowerName(text, start, colon), value];
}

/**
 * Common field names, lowercase: a name read from the wire that is one of them (in any case)
 * becomes this very string, so nothing is allocated for it and later comparisons with the
 * literal are quick.
 */
const COMMON_NAMES = [
  'host', 'connection', 'content-length', 'content-type', 'transfer-encoding', 'expect', 'user-agent',
  'accept', 'accept-encoding', 'accept-language', 'cookie', 'keep-alive', 'upgrade', 'te', 'trailer',
  'authorization', 'referer', 'origin', 'cache-control', 'pragma', 'range', 'if-none-match',
  'if-modified-since', 'date', 'server', 'location', 'etag', 'last-modified', 'set-cookie',
];
const NAMES_BY_LENGTH: string[][] = [];
for (const n of COMMON_NAMES) (NAMES_BY_LENGTH[n.length] ??= []).push(n);

/** TEXT[start, end), a token, lowercased. */
export function lowerName(text: string, start: number, end: number): string {
  const names = NAMES_BY_LENGTH[end - start];
  if (names !== undefined) {
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      let i = 0;
      // A token's chars OR 0x20 equal a lowercase letter or '-' only when they are that letter (in
      // either case) or that '-' (the other char it would match, CR, is no token char).
      while (i < name.length && (text.charCodeAt(start + i) | 0x20) === name.charCodeAt(i)) i++;
      if (i === name.length) return name;
    }
  }
  return text.slice(start, end).toLowerCase();
}

/** Rejects names and values that would let a caller inject header lines (CR/LF, NUL …). */
export function assertHeader(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}: must be an RFC 9110 token`);
  if (!isFieldValue(value)) throw new TypeError(`invalid value for header ${name}: control characters (CR, LF, NUL …) are not allowed`);
}
