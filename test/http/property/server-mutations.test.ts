/**
 * Property tests of the server over real loopback sockets (issue 9, property 2): mutated valid
 * requests, HTTP-looking junk and random bytes never crash it, never get a 500/503 (a 5xx is only
 * 501 for what we do not implement or 505 for another major version), never reach the error hook,
 * always end in a closed connection, and a valid request on a fresh connection afterwards is
 * answered normally (nothing leaks into another request: no request stays counted as active).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeUrl, type Args, type Exchange, type HttpRequest, type Server } from '../../../src/http/index.js';
import { raw, startServer } from '../../support/net.js';
import { SEED, runs, request, requestBytes, expectedRequest, mutations, mutate, httpishBytes, cuts, splitAt } from './arbitraries.js';

let server: Server;
/** Everything the error hook heard: a malformed request must never get there. */
const hookErrors: unknown[] = [];

/** Answers any request with what the server made of it, as JSON (no CR/LF in it). */
function echo(request: HttpRequest, args: Args, ex: Exchange): void {
  const body = JSON.stringify({ method: request.method, url: request.url, args, body: ex.body?.toString('hex') ?? null });
  ex.send(200, { 'Content-Type': 'application/json' }, body);
}

beforeAll(async () => {
  server = await startServer((config) => {
    config.addResource('/', echo);
    config.fallbackHandler = (request, ex) => echo(request, decodeUrl(request.url)[1], ex);
    config.errorHook = (e) => { hookErrors.push(e); };
    // Short waits: a request cut short must not hold a run for the default 30 s.
    config.limits.headTimeout = 1000;
    config.limits.bodyTimeout = 1000;
  });
});

afterAll(async () => {
  await server.stop();
});

/** Status codes of every response in TEXT (the echo's JSON and the error pages hold no CRLF). */
function statuses(text: string): number[] {
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** The statuses the server may answer a damaged request with. */
const ALLOWED = new Set([200, 400, 404, 408, 413, 414, 417, 431, 501, 505]);

/** Statuses answered across a property's runs, to show the damage reached more than one path. */
const seen = new Map<number, number>();

/** Sends BYTES in PIECES and half-closes, then checks the answer and that the server is well. */
async function sendAndCheck(bytes: Buffer, at: number[]): Promise<void> {
  const res = await raw(server.port, splitAt(bytes, at), { end: true, waitMs: 4000 });
  for (const s of statuses(res.text)) seen.set(s, (seen.get(s) ?? 0) + 1);
  // Every connection ends: after its responses, or at once for what cannot be answered.
  expect(res.closed).toBe(true);
  for (const s of statuses(res.text)) expect(ALLOWED, `status ${s} in ${JSON.stringify(res.text.slice(0, 300))}`).toContain(s);
  expect(hookErrors).toEqual([]);
  // A fresh connection is served as if nothing had happened.
  const next = await raw(server.port, 'GET /after?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', { waitMs: 4000 });
  expect(next.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(next.text).toContain('{"method":"GET","url":"/after?x=1","args":[["x","1"]],"body":null}');
  expect(server.config.activeRequests).toBe(0);
}

describe('the server under damaged requests: properties', () => {
  it('valid requests are answered 200 with what was sent', async () => {
    await fc.assert(fc.asyncProperty(request, cuts, async (r, at) => {
      // Only the methods that have handlers: any other gets 501, as it should.
      if (!['GET', 'POST', 'HEAD'].includes(r.method)) r = { ...r, method: 'GET' };
      const res = await raw(server.port, splitAt(requestBytes(r), at), { end: true, waitMs: 4000 });
      expect(res.closed).toBe(true);
      expect(statuses(res.text)).toEqual([200]);
      if (r.method === 'HEAD') return;
      const sent = JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4)) as { method: string; url: string; body: string | null };
      const want = expectedRequest(r);
      // No body at all (null) without framing or with Content-Length 0; a chunked body may be empty.
      const none = r.framing.kind === 'none' || (r.framing.kind === 'length' && r.framing.body.length === 0);
      expect(sent).toMatchObject({ method: want.method, url: want.target, body: none ? null : want.body });
    }), { seed: SEED, numRuns: runs(60) });
  }, runs(20_000));

  it('mutated requests never crash it, never get a 500, and leak nothing into the next request', async () => {
    await fc.assert(fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 2 }), mutations, cuts, async (rs, ms, at) => {
      await sendAndCheck(mutate(Buffer.concat(rs.map(requestBytes)), ms), at);
    }), { seed: SEED, numRuns: runs(200) });
    // Some damaged requests were still served, and others refused.
    expect(seen.get(200)).toBeGreaterThan(10);
    expect(seen.get(400)).toBeGreaterThan(10);
  }, runs(20_000));

  it('random bytes and HTTP-looking junk never crash it or get a 500', async () => {
    const junk = fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), httpishBytes);
    await fc.assert(fc.asyncProperty(junk, cuts, async (b, at) => {
      await sendAndCheck(b, at);
    }), { seed: SEED, numRuns: runs(100) });
  }, runs(20_000));
});
