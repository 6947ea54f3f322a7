/**
 * The egg's cookie hack: every Set-Cookie of a response is stored in the request's own Cookie
 * attribute, whatever its domain, path or expiry, so reusing the request sends it back.
 */
import type { Headers } from '../headers.js';
import type { HttpRequest } from '../request.js';

export function storeCookies(request: HttpRequest, responseHeaders: Headers): void {
  const set: Array<[string, string]> = [];
  for (const [name, value] of responseHeaders) {
    if (name !== 'set-cookie') continue;
    const pair = value.split(';')[0]!.trim();
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    set.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }
  if (set.length === 0) return;
  const attrs = request.attributes;
  const idx = attrs.findIndex(([n]) => n.toLowerCase() === 'cookie');
  const jar = new Map<string, string>();
  if (idx !== -1) {
    for (const part of attrs[idx]![1].split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  for (const [n, v] of set) jar.set(n, v);
  const value = [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
  if (idx !== -1) attrs[idx] = [attrs[idx]![0], value];
  else attrs.push(['Cookie', value]);
}
