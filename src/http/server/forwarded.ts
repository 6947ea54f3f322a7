/**
 * The client's address behind reverse proxies: which peers are trusted proxies (addresses and
 * CIDR blocks), and the address a request came from, read from `X-Forwarded-For` or `Forwarded`
 * (RFC 7239) when, and only when, the connection's peer is one of them.
 *
 * The rule is "rightmost untrusted": each proxy appends the address it received the request from,
 * so the chain is read from the right, skipping trusted proxies; the first address that is not
 * one is the client. Everything left of it was written by the client (or by proxies nobody
 * vouches for) and is ignored, so a forged header cannot choose the address. An entry that is
 * not an address (`unknown`, an obfuscated `_id`, garbage) stops the walk: the address is then
 * the trusted hop that wrote it, never anything further left.
 *
 * Only one header is read, chosen by the operator: a proxy that sets one header usually passes
 * the other through from the client untouched, so reading both would let a client forge one.
 */
import net from 'node:net';
import { HttpUsageError } from '../errors.js';
import type { Headers } from '../headers.js';

/** Which header carries the chain: the de-facto `X-Forwarded-For`, or RFC 7239's `Forwarded`. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/** The proxies whose forwarding headers are believed, and which header they set. */
export class TrustedProxies {
  /** Trusts nobody: `http:request-ip` is the peer's address. */
  static readonly NONE = new TrustedProxies([], 'x-forwarded-for');

  /** The entries as given (addresses and CIDR blocks). */
  readonly entries: readonly string[];
  readonly header: ForwardedHeader;
  /**
   * Made on first use, not at construction: NONE is made when this module loads, and a BlockList
   * (a native object) in the heap makes the start-up snapshot fail (V8 aborts building the blob).
   */
  private list: net.BlockList | null = null;

  /**
   * ENTRIES are addresses (`127.0.0.1`, `::1`) and CIDR blocks (`10.0.0.0/8`, `fd00::/8`). An
   * entry that is neither throws an HttpUsageError saying which (see `TrustedProxies.problem`).
   */
  constructor(entries: readonly string[], header: ForwardedHeader = 'x-forwarded-for') {
    const problem = TrustedProxies.problem(entries, header);
    if (problem !== null) throw new HttpUsageError(`trustedProxies ${problem}`);
    this.entries = [...entries];
    this.header = header;
  }

  /** What is wrong with ENTRIES and HEADER as a trusted-proxy setting, or null when nothing is. */
  static problem(entries: unknown, header: unknown = 'x-forwarded-for'): string | null {
    if (header !== 'x-forwarded-for' && header !== 'forwarded') {
      return `is read from a header that must be "x-forwarded-for" or "forwarded", got ${JSON.stringify(header) ?? typeof header}`;
    }
    if (!Array.isArray(entries)) return `must be a list of addresses and CIDR blocks (e.g. ["127.0.0.1", "10.0.0.0/8"]), got ${typeof entries}`;
    for (const e of entries as unknown[]) {
      const p = entryProblem(e);
      if (p !== null) return p;
    }
    return null;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** Whether ADDRESS (IPv4, IPv6, IPv4-mapped IPv6) is a trusted proxy. */
  includes(address: string): boolean {
    const family = net.isIP(address);
    if (family === 0) return false;
    if (this.list === null) {
      this.list = new net.BlockList();
      for (const e of this.entries) addEntry(this.list, e);
    }
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** A trusted entry's address, family and prefix length; or a string saying what is wrong with it. */
function parseEntry(entry: unknown): { address: string; type: 'ipv4' | 'ipv6'; bits: number | null } | string {
  if (typeof entry !== 'string') return `must hold strings (addresses or CIDR blocks), got a ${typeof entry}`;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = net.isIP(address);
  // A zone (fe80::1%eth0) names an interface, not a peer a socket reports: refused rather than never matched.
  if (family === 0 || address.includes('%')) {
    return `has ${JSON.stringify(entry)}, which is not an IPv4 or IPv6 address or a CIDR block such as 10.0.0.0/8`;
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) return { address, type, bits: null };
  const max = family === 4 ? 32 : 128;
  const bitsText = entry.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= max)) return `has ${JSON.stringify(entry)}, whose prefix length is not 0 to ${max}`;
  return { address, type, bits };
}

function entryProblem(entry: unknown): string | null {
  const e = parseEntry(entry);
  return typeof e === 'string' ? e : null;
}

/** Adds one (checked) trusted entry to LIST. */
function addEntry(list: net.BlockList, entry: string): void {
  const e = parseEntry(entry);
  if (typeof e === 'string') return;
  if (e.bits === null) list.addAddress(e.address, e.type);
  else list.addSubnet(e.address, e.bits, e.type);
}

/**
 * The client's address for a request from PEER with HEADERS: PEER itself unless it is a trusted
 * proxy, else the rightmost untrusted address of the chain (see the header of this file).
 */
export function clientAddress(peer: string, headers: Headers, trusted: TrustedProxies): string {
  if (trusted.empty || !trusted.includes(peer)) return peer;
  const chain = trusted.header === 'forwarded' ? forwardedChain(headers) : xForwardedForChain(headers);
  let address = peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i]!;
    if (hop === null) return address; // not an address: the trusted hop that wrote it stands
    address = hop;
    if (!trusted.includes(hop)) return hop;
  }
  // Every hop was a trusted proxy: the leftmost is where the request came from.
  return address;
}

/** The X-Forwarded-For entries of every such field, in order; null for one that is not an address. */
function xForwardedForChain(headers: Headers): Array<string | null> {
  const out: Array<string | null> = [];
  for (const [name, value] of headers) {
    if (name !== 'x-forwarded-for') continue;
    for (const part of value.split(',')) {
      const entry = part.trim();
      if (entry !== '') out.push(nodeAddress(entry));
    }
  }
  return out;
}

/**
 * The `for=` of each element of every Forwarded field (RFC 7239 §4), in order; null for an
 * element without one or whose node is `unknown`, obfuscated or malformed.
 */
function forwardedChain(headers: Headers): Array<string | null> {
  const out: Array<string | null> = [];
  for (const [name, value] of headers) {
    if (name !== 'forwarded') continue;
    for (const element of forwardedElements(value)) {
      const node = element.get('for');
      out.push(node === undefined ? null : nodeAddress(node));
    }
  }
  return out;
}

/**
 * Splits a Forwarded value into its elements (`,`), each a map of its pairs (`;`), names
 * lowercased, quoted-string values unquoted. A malformed pair makes its element empty, so it
 * counts as a hop whose address is unknown.
 */
function forwardedElements(value: string): Array<Map<string, string>> {
  const elements: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  let bad = false;
  let i = 0;
  const n = value.length;
  const skipOws = (): void => { while (i < n && (value[i] === ' ' || value[i] === '\t')) i++; };
  for (;;) {
    skipOws();
    const nameStart = i;
    while (i < n && value[i] !== '=' && value[i] !== ';' && value[i] !== ',') i++;
    const pairName = value.slice(nameStart, i).trim().toLowerCase();
    let pairValue: string | null = null;
    if (i < n && value[i] === '=') {
      i++;
      if (value[i] === '"') {
        // quoted-string: backslash escapes the next character.
        let s = '';
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          s += value[i];
          i++;
        }
        if (i >= n) bad = true; else i++;
        pairValue = s;
      } else {
        const start = i;
        while (i < n && value[i] !== ';' && value[i] !== ',') i++;
        pairValue = value.slice(start, i).trim();
      }
      skipOws();
    }
    if (pairName !== '' || pairValue !== null) {
      if (pairName === '' || pairValue === null || current.has(pairName)) bad = true; // RFC 7239 §4: each parameter once
      else current.set(pairName, pairValue);
    }
    if (i < n && value[i] === ';') { i++; continue; }
    if (i < n && value[i] !== ',') { bad = true; while (i < n && value[i] !== ',') i++; }
    // End of an element.
    if (current.size > 0 || bad) elements.push(bad ? new Map() : current);
    current = new Map();
    bad = false;
    if (i >= n) break;
    i++;
  }
  return elements;
}

/**
 * The address in a node as proxies write it: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:8080`; IPv4-mapped IPv6 shown as IPv4, IPv6 in its
 * canonical form. Null for anything else (`unknown`, `_hidden`, a name, garbage).
 */
export function nodeAddress(node: string): string | null {
  let a = node;
  if (a.startsWith('[')) {
    const close = a.indexOf(']');
    if (close === -1) return null;
    const rest = a.slice(close + 1);
    if (rest !== '' && !(rest.startsWith(':') && isPort(rest.slice(1)))) return null;
    a = a.slice(1, close);
    return net.isIPv6(a) && !a.includes('%') ? canonicalV6(a) : null;
  }
  if (net.isIPv4(a)) return a;
  const colon = a.lastIndexOf(':');
  if (colon !== -1 && a.indexOf(':') === colon && isPort(a.slice(colon + 1)) && net.isIPv4(a.slice(0, colon))) {
    return a.slice(0, colon);
  }
  return net.isIPv6(a) && !a.includes('%') ? canonicalV6(a) : null;
}

function isPort(s: string): boolean {
  return /^\d{1,5}$/.test(s) && Number(s) <= 65535;
}

/** ADDRESS (a valid IPv6 address) as Node shows a peer's: compressed, lowercase; mapped IPv4 as IPv4. */
function canonicalV6(address: string): string {
  const shown = new net.SocketAddress({ address, family: 'ipv6' }).address;
  return shown.startsWith('::ffff:') && shown.includes('.') ? shown.slice(7) : shown;
}
