/**
 * The client's address behind trusted proxies (src/http/server/forwarded.ts): the trusted list
 * (addresses, CIDR blocks, bad entries refused with a typed error), the rightmost-untrusted rule
 * over X-Forwarded-For and Forwarded (RFC 7239) with spoofing attempts and garbage entries, and
 * the same over real loopback sockets: a TS server, where a connection from 127.0.0.1 is a
 * trusted proxy and one from 127.0.0.2 is not, and the Scheme parameter `http:trusted-proxies`.
 */
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ServerConfig, HttpServerError, validateServerOptions, type Server } from '../../../src/http/index.js';
import { TrustedProxies, clientAddress, nodeAddress } from '../../../src/http/server/forwarded.js';
import { HttpUsageError } from '../../../src/http/errors.js';
import type { Headers } from '../../../src/http/headers.js';
import { startServer, parseResponses } from '../../support/net.js';
import { freePort, waitUntil } from '../../support/client-fixtures.js';
import { checks, run, scheme, stopRunningServers } from '../../support/scheme.js';

const LOCAL = new TrustedProxies(['127.0.0.1', '::1']);
const xff = (...values: string[]): Headers => values.map((v) => ['x-forwarded-for', v]);
const fwd = (...values: string[]): Headers => values.map((v) => ['forwarded', v]);

describe('the trusted list', () => {
  it('matches addresses and CIDR blocks, IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const t = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '192.168.1.0/24']);
    expect(['127.0.0.1', '10.1.2.3', '10.255.255.255', '::1', 'fd12::5', '192.168.1.77', '::ffff:10.0.0.1', '0:0:0:0:0:0:0:1']
      .filter((a) => !t.includes(a))).toEqual([]);
    expect(['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', '192.168.2.1', 'unknown', '', '10.0.0.1:80']
      .filter((a) => t.includes(a))).toEqual([]);
  });

  it('refuses a bad entry with a typed error naming it', () => {
    for (const bad of [['localhost'], ['10.0.0.0/33'], ['::1/129'], ['1.2.3.4/'], ['1.2.3.4/x'], ['fe80::1%eth0'], [''], [42]]) {
      const problem = TrustedProxies.problem(bad);
      expect(problem, JSON.stringify(bad)).not.toBeNull();
      expect(() => new TrustedProxies(bad as string[])).toThrow(HttpUsageError);
      const config = new ServerConfig();
      let error: unknown = null;
      try {
        config.trustedProxies = bad as string[];
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpServerError);
      expect((error as HttpServerError).code).toBe('bad-option');
      expect((error as HttpServerError).option).toBe('trustedProxies');
      expect((error as Error).message).toMatch(/^trustedProxies (has|must)/);
      // Nothing half-set: the config still trusts nobody.
      expect(config.trustedProxies.empty).toBe(true);
    }
    expect(TrustedProxies.problem('127.0.0.1')).toMatch(/must be a list/);
    expect(TrustedProxies.problem([], 'x-real-ip')).toMatch(/x-forwarded-for/);
    expect(() => validateServerOptions({ trustedProxies: ['nope'] })).toThrow(/createServer: trustedProxies has "nope"/);
    expect(() => validateServerOptions({ trustedProxies: ['127.0.0.1'] })).not.toThrow();
  });
});

describe('the rightmost untrusted address', () => {
  it('is the peer when the peer is not a trusted proxy, whatever the headers say', () => {
    expect(clientAddress('203.0.113.5', xff('1.1.1.1'), LOCAL)).toBe('203.0.113.5');
    expect(clientAddress('203.0.113.5', fwd('for=1.1.1.1'), new TrustedProxies(['127.0.0.1'], 'forwarded'))).toBe('203.0.113.5');
    // Trusting nobody (the default) reads no header at all.
    expect(clientAddress('127.0.0.1', xff('1.1.1.1'), TrustedProxies.NONE)).toBe('127.0.0.1');
  });

  it('is the peer when a trusted proxy sends no header, or an empty one', () => {
    expect(clientAddress('127.0.0.1', [], LOCAL)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', xff(''), LOCAL)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', xff(' , ,'), LOCAL)).toBe('127.0.0.1');
  });

  it('skips trusted hops from the right and ignores a forged left part', () => {
    // The client forged "6.6.6.6, 127.0.0.1"; nginx appended the real client 198.51.100.7.
    expect(clientAddress('127.0.0.1', xff('6.6.6.6, 127.0.0.1, 198.51.100.7'), LOCAL)).toBe('198.51.100.7');
    // Two trusted proxies in a row.
    const two = new TrustedProxies(['127.0.0.1', '10.0.0.0/8']);
    expect(clientAddress('127.0.0.1', xff('6.6.6.6', '198.51.100.7, 10.0.0.3'), two)).toBe('198.51.100.7');
    // A client that pretends to be a trusted proxy gets the next address left of it: still not its choice
    // beyond the trusted range, and never something left of the first untrusted one.
    expect(clientAddress('127.0.0.1', xff('1.1.1.1, 2.2.2.2, 10.9.9.9, 10.0.0.3'), two)).toBe('2.2.2.2');
  });

  it('is the leftmost hop when every hop is trusted', () => {
    expect(clientAddress('127.0.0.1', xff('::1, 127.0.0.1'), LOCAL)).toBe('::1');
  });

  it('stops at an entry that is not an address: the trusted hop that wrote it stands', () => {
    const two = new TrustedProxies(['127.0.0.1', '10.0.0.0/8']);
    for (const junk of ['unknown', '_hidden', 'example.org', '999.1.1.1', '1.2.3.4:99999', '[::1', '<script>', '1.2.3.4 5.6.7.8']) {
      expect(clientAddress('127.0.0.1', xff(`6.6.6.6, ${junk}`), LOCAL), junk).toBe('127.0.0.1');
      expect(clientAddress('127.0.0.1', xff(`6.6.6.6, ${junk}, 10.0.0.4`), two), junk).toBe('10.0.0.4');
    }
  });

  it('reads ports and brackets, and gives IPv6 in the canonical form', () => {
    expect(nodeAddress('192.0.2.1:8080')).toBe('192.0.2.1');
    expect(nodeAddress('[2001:DB8:0:0::1]:4711')).toBe('2001:db8::1');
    expect(nodeAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(nodeAddress('2001:db8::1')).toBe('2001:db8::1');
    expect(nodeAddress('::ffff:192.0.2.9')).toBe('192.0.2.9');
    expect(nodeAddress('[::1]x')).toBeNull();
    expect(nodeAddress('unknown')).toBeNull();
    expect(clientAddress('::1', xff('[2001:DB8::17]:4711'), LOCAL)).toBe('2001:db8::17');
  });

  it('reads Forwarded (RFC 7239) only when configured, with quoted values and several parameters', () => {
    const t = new TrustedProxies(['127.0.0.1'], 'forwarded');
    expect(clientAddress('127.0.0.1', fwd('for=192.0.2.60;proto=http;by=203.0.113.43'), t)).toBe('192.0.2.60');
    expect(clientAddress('127.0.0.1', fwd('for=6.6.6.6, For="[2001:db8:cafe::17]:4711"'), t)).toBe('2001:db8:cafe::17');
    expect(clientAddress('127.0.0.1', fwd('for=6.6.6.6', 'for=198.51.100.2;proto=https, for=127.0.0.1'), t)).toBe('198.51.100.2');
    // A quoted comma does not split an element; an obfuscated or unknown node stops the walk.
    expect(clientAddress('127.0.0.1', fwd('for=6.6.6.6, for="_a,b";by=x'), t)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', fwd('for=6.6.6.6, for=unknown'), t)).toBe('127.0.0.1');
    // Malformed elements (no for=, a repeated parameter, an unclosed quote) count as unknown hops.
    for (const bad of ['proto=http', 'for=1.1.1.1;for=2.2.2.2', 'for="1.1.1.1', 'for', '=1.1.1.1', 'for=1.1.1.1 x']) {
      expect(clientAddress('127.0.0.1', fwd(`for=6.6.6.6, ${bad}`), t), bad).toBe('127.0.0.1');
    }
    // With Forwarded configured, X-Forwarded-For is a client's header like any other; and the reverse.
    expect(clientAddress('127.0.0.1', xff('6.6.6.6'), t)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', fwd('for=6.6.6.6'), LOCAL)).toBe('127.0.0.1');
  });

  it('survives hostile headers quickly', () => {
    const long = Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8 & 255}.${i & 255}`).join(', ');
    const t0 = performance.now();
    expect(clientAddress('127.0.0.1', xff(`${long}, 198.51.100.1`), LOCAL)).toBe('198.51.100.1');
    expect(clientAddress('127.0.0.1', fwd('"'.repeat(10_000), ';'.repeat(10_000), ','.repeat(10_000), '=\\'.repeat(5000)), new TrustedProxies(['127.0.0.1'], 'forwarded'))).toBe('127.0.0.1');
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

// ---------------------------------------------------------------------------------------------
// Over sockets
// ---------------------------------------------------------------------------------------------

/** Sends one GET with EXTRA header lines from LOCAL_ADDRESS, resolves to the body. */
function getFrom(port: number, localAddress: string, extra: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer within 5 s')); }, 5000);
    sock.on('connect', () => sock.write(`GET /ip HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => {
      clearTimeout(timer);
      const [r] = parseResponses(Buffer.concat(chunks).toString('latin1'));
      if (r === undefined) reject(new Error('no response')); else resolve(r.body);
    });
  });
}

describe('over sockets, a TS server trusting 127.0.0.1', () => {
  let server: Server | null = null;
  afterAll(async () => { await server?.stop({ timeout: 500 }); });

  it('gives a trusted peer\'s client address and an untrusted peer its own', async () => {
    server = await startServer((config) => {
      config.trustedProxies = ['127.0.0.1'];
      config.addResource('/ip', (request, _args, ex) => { ex.out.write(`Content-Type: text/plain\r\n\r\n${request.ip}`); });
    });
    const port = server.port;
    // From the proxy: the address it appended.
    expect(await getFrom(port, '127.0.0.1', 'X-Forwarded-For: 198.51.100.7\r\n')).toBe('198.51.100.7');
    // From the proxy, with a client's forged left part.
    expect(await getFrom(port, '127.0.0.1', 'X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 127.0.0.1, 198.51.100.7\r\n')).toBe('198.51.100.7');
    // Straight from a client that is not a trusted proxy: its own address, whatever it claims.
    expect(await getFrom(port, '127.0.0.2', 'X-Forwarded-For: 6.6.6.6\r\n')).toBe('127.0.0.2');
    expect(await getFrom(port, '127.0.0.2', 'Forwarded: for=6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n')).toBe('127.0.0.2');
    // Garbage from the proxy: the proxy's address.
    expect(await getFrom(port, '127.0.0.1', 'X-Forwarded-For: 6.6.6.6, unknown\r\n')).toBe('127.0.0.1');
  });
});

describe('the Scheme parameter http:trusted-proxies', () => {
  afterEach(async () => {
    await stopRunningServers();
    await run(`(http:trusted-proxies '()) (http:forwarded-header "x-forwarded-for")`);
  });

  it('defaults to none and serves http:request-ip from the trusted proxies\' header', async () => {
    const rt = await scheme();
    const port = await freePort();
    const defaults = await checks(`(check "default" '() (http:trusted-proxies)) (check "header" "x-forwarded-for" (http:forwarded-header))`);
    expect(defaults.filter((r) => !r.ok)).toEqual([]);
    await run(String.raw`
      (http:trusted-proxies '("127.0.0.1" "10.0.0.0/8"))
      (http:add-resource "/ip" (lambda (r a) (display "Content-type: text/plain\r\n\r\n") (display (http:request-ip r))))
      (thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")))))`);
    await waitUntil(() => [...rt.servers.running].some((s) => s.address()?.port === port), 15_000, 'the Scheme server to listen');
    expect(await getFrom(port, '127.0.0.1', 'X-Forwarded-For: 6.6.6.6, 198.51.100.7, 10.1.1.1\r\n')).toBe('198.51.100.7');
    expect(await getFrom(port, '127.0.0.2', 'X-Forwarded-For: 6.6.6.6\r\n')).toBe('127.0.0.2');
    // Changed while serving: read on the next request.
    await run(`(http:forwarded-header 'forwarded)`);
    expect(await getFrom(port, '127.0.0.1', 'X-Forwarded-For: 6.6.6.6\r\nForwarded: for="[2001:db8::9]:1"\r\n')).toBe('2001:db8::9');
    await run(`(http:trusted-proxies '())`);
    expect(await getFrom(port, '127.0.0.1', 'Forwarded: for=6.6.6.6\r\n')).toBe('127.0.0.1');
  });

  it('refuses a bad value when the server starts, with a message naming it', async () => {
    const results = await checks(String.raw`
      (http:trusted-proxies '("127.0.0.1" "not-an-address"))
      (check-error "bad entry" (lambda () ((http:make-server 0 #f #f #f #f "127.0.0.1"))))
      (http:trusted-proxies "127.0.0.1")
      (check-error "not a list" (lambda () ((http:make-server 0 #f #f #f #f "127.0.0.1"))))
      (http:trusted-proxies '())
      (http:forwarded-header "x-real-ip")
      (check-error "bad header" (lambda () ((http:make-server 0 #f #f #f #f "127.0.0.1"))))`);
    expect(results.map((r) => [r.name, r.ok])).toEqual([['bad entry', true], ['not a list', true], ['bad header', true]]);
    expect(results[0]!.detail).toMatch(/http:trusted-proxies has "not-an-address"/);
    expect(results[2]!.detail).toMatch(/http:forwarded-header must be/);
  });
});
