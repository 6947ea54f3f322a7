/**
 * `http:add-proxy` / `http:remove-all-proxies!`: which proxy a request's host goes through.
 * The most recently added matching entry wins.
 */
import type { Endpoint } from './connection.js';

/** A host name (exact, case-insensitive), a regex matched against the host, true for all, or a test. */
export type ProxyPattern = string | RegExp | true | ((host: string) => boolean);

interface ProxyEntry {
  pattern: ProxyPattern;
  endpoint: Endpoint;
}

export class ProxyTable {
  private entries: ProxyEntry[] = [];

  add(pattern: ProxyPattern, host: string, port = 80): void {
    if (typeof host !== 'string' || host === '') throw new TypeError('add-proxy: the proxy host must be a non-empty string');
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`add-proxy: invalid proxy port ${port}`);
    this.entries.push({ pattern, endpoint: { scheme: 'http', host, port } });
  }

  removeAll(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  /** The proxy for requests to HOST, or null to go direct. */
  find(host: string): Endpoint | null {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const { pattern, endpoint } = this.entries[i]!;
      if (matches(pattern, host)) return endpoint;
    }
    return null;
  }
}

function matches(pattern: ProxyPattern, host: string): boolean {
  if (pattern === true) return true;
  if (typeof pattern === 'string') return pattern.toLowerCase() === host.toLowerCase();
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0;
    return pattern.test(host);
  }
  return pattern(host);
}
