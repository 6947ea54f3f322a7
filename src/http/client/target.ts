/**
 * Where a client request goes: the egg's URL strings (`host[:port]/path`) and full `http://` /
 * `https://` URLs, split into the origin to connect to and the path to ask for.
 */
import { HttpClientError } from '../errors.js';

export interface Target {
  scheme: 'http' | 'https';
  /** Host name or address, without brackets. */
  host: string;
  port: number;
  /** Path and query, starting with `/`. */
  path: string;
  /** The Host header: host, and `:port` when not the scheme's default. */
  hostHeader: string;
  /** `user:password` from the URL, if any. */
  userinfo: string | null;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

export function parseTarget(url: string): Target {
  let rest = url.trim();
  if (rest === '') throw new HttpClientError('bad-url', url, 'the URL is empty: give one like "http://host:port/path" or "host/path"');
  let scheme: 'http' | 'https' = 'http';
  const m = SCHEME.exec(rest);
  if (m) {
    const s = m[1]!.toLowerCase();
    if (s !== 'http' && s !== 'https') throw new HttpClientError('bad-url', url, `unsupported scheme ${s}: (http and https only)`);
    scheme = s;
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith('//')) {
    rest = rest.slice(2);
  } else if (/^https?:(?!\d+(?:[/?#]|$))/i.test(rest)) {
    // `http:/host/path`, `http:host`: a scheme without its `//`, not a host named "http"
    // (which `http:8080/path` still is).
    throw new HttpClientError('bad-url', url, 'malformed URL: the scheme must be followed by "//"');
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  let slash = rest.search(/[/?]/);
  if (slash === -1) slash = rest.length;
  let authority = rest.slice(0, slash);
  let path = rest.slice(slash);
  if (path === '' || path.startsWith('?')) path = '/' + path;
  let userinfo: string | null = null;
  const at = authority.lastIndexOf('@');
  if (at !== -1) {
    userinfo = decodeURIComponent(authority.slice(0, at));
    authority = authority.slice(at + 1);
  }
  let host: string;
  let portText = '';
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) throw new HttpClientError('bad-url', url, 'unterminated IPv6 address');
    host = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw new HttpClientError('bad-url', url, 'junk after the IPv6 address');
      portText = after.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon === -1 ? authority : authority.slice(0, colon);
    portText = colon === -1 ? '' : authority.slice(colon + 1);
  }
  if (host === '') throw new HttpClientError('bad-url', url, 'no host in the URL');
  if (/[\s/\\?#@]/.test(host)) throw new HttpClientError('bad-url', url, `invalid host ${JSON.stringify(host)}`);
  const defaultPort = scheme === 'https' ? 443 : 80;
  let port = defaultPort;
  if (portText !== '') {
    if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535 || Number(portText) === 0) {
      throw new HttpClientError('bad-url', url, `invalid port ${JSON.stringify(portText)}`);
    }
    port = Number(portText);
  }
  if (/[\s\x00-\x1f\x7f]/.test(path)) throw new HttpClientError('bad-url', url, 'the path holds spaces or control characters');
  // Non-ASCII characters go percent-encoded as UTF-8, as a browser sends them: written raw they
  // reached the wire as UTF-8 bytes the server reads as latin1, so `/café` found no resource.
  if (/[^\x00-\x7f]/.test(path)) {
    try {
      path = path.replace(/[^\x00-\x7f]+/g, (m) => encodeURIComponent(m));
    } catch {
      throw new HttpClientError('bad-url', url, 'the path holds a malformed (unpaired surrogate) character');
    }
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { scheme, host, port, path, hostHeader: port === defaultPort ? hostPart : `${hostPart}:${port}`, userinfo };
}

/** The pool key of a target's origin. */
export function originKey(t: { scheme: string; host: string; port: number }): string {
  return `${t.scheme}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** The absolute URL of a target, as sent to a proxy. */
export function absoluteUrl(t: Target): string {
  return `${t.scheme}://${t.hostHeader}${t.path}`;
}
