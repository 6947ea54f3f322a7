/**
 * Property tests of the client's response reading (issue 9, property 3): a loopback server sends
 * generated responses (valid, mutated, HTTP-looking junk, random bytes), in random pieces, and
 * the client (src/http/client/, through `request`) either delivers what was sent or fails with
 * one of our typed errors; never anything else, and never a hang (every run is bounded).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Agent, request, HttpClientError, HttpProtocolError, HttpTimeoutError, type FullResponse } from '../../../src/http/index.js';
import {
  SEED, runs, response, keepAliveResponse, responseBytes, expectedResponse, mutations, mutate, httpishBytes, cuts, splitAt, type ParsedResponse,
} from './arbitraries.js';

/** What the server sends in the current run: for each request on a connection, these pieces. */
let answers: Buffer[][] = [];
/** Whether the server leaves the connection open after its last answer (else it ends it). */
let keepOpen = false;
let server: net.Server;
let port = 0;
const sockets = new Set<net.Socket>();

/**
 * Answers the Nth request head on each connection with answers[N], in its pieces (1 ms apart),
 * and ends the connection after the last answer (unless keepOpen).
 */
function serve(sock: net.Socket): void {
  sockets.add(sock);
  sock.on('close', () => sockets.delete(sock));
  sock.on('error', () => undefined);
  const queue = answers;
  const end = !keepOpen;
  let got = '';
  let next = 0;
  let sending: Promise<void> = Promise.resolve();
  const send = async (pieces: Buffer[], last: boolean): Promise<void> => {
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 1));
      if (sock.destroyed) return;
      sock.write(pieces[i]!);
    }
    if (last && end && !sock.destroyed) sock.end();
  };
  sock.on('data', (c: Buffer) => {
    got += c.toString('latin1');
    for (let at = got.indexOf('\r\n\r\n'); at !== -1 && next < queue.length; at = got.indexOf('\r\n\r\n')) {
      got = got.slice(at + 4);
      const pieces = queue[next]!;
      const last = ++next === queue.length;
      sending = sending.then(() => send(pieces, last));
    }
  });
}

beforeAll(async () => {
  server = net.createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

type Outcome = { ok: ParsedResponse } | { error: string };

/** One GET through AGENT (a fresh pool by default: no connection carries over between runs), bounded by TIMEOUT ms. */
async function fetchOnce(timeout = 3000, agent = new Agent()): Promise<Outcome> {
  try {
    const res: FullResponse = await request(`http://127.0.0.1:${port}/`, { agent, timeout });
    return { ok: { status: res.status, headers: res.headers, body: res.body.toString('hex'), trailers: res.trailers } };
  } catch (e) {
    if (e instanceof HttpClientError) return { error: `HttpClientError ${e.code}` };
    if (e instanceof HttpProtocolError || e instanceof HttpTimeoutError) return { error: e.name };
    throw e;
  }
}

/** fetchOnce through a pool of its own, closed afterwards. */
async function fetchFresh(timeout = 3000): Promise<Outcome> {
  const agent = new Agent();
  try {
    return await fetchOnce(timeout, agent);
  } finally {
    agent.closeAll();
  }
}

describe('client response reading: properties', () => {
  it('a valid response, in random pieces, delivers the generated status, headers, body and trailers', async () => {
    await fc.assert(fc.asyncProperty(response, cuts, async (r, at) => {
      answers = [splitAt(responseBytes(r), at)];
      expect(await fetchFresh()).toEqual({ ok: expectedResponse(r) });
    }), { seed: SEED, numRuns: runs(150) });
  }, runs(20_000));

  it('valid responses one after another on a kept-alive connection each deliver their own body', async () => {
    await fc.assert(fc.asyncProperty(fc.array(keepAliveResponse, { minLength: 1, maxLength: 3 }), response, cuts, async (first, last, at) => {
      answers = [...first.map((r) => splitAt(responseBytes(r, true), at)), [responseBytes(last)]];
      const agent = new Agent();
      try {
        for (const r of first) expect(await fetchOnce(3000, agent)).toEqual({ ok: expectedResponse(r, true) });
        expect(await fetchOnce(3000, agent)).toEqual({ ok: expectedResponse(last) });
        // The connection was reused throughout: the next answer was found where the last one ended.
        expect(agent.connectionsOpened).toBe(1);
      } finally {
        agent.closeAll();
      }
    }), { seed: SEED, numRuns: runs(80) });
  }, runs(20_000));

  it('a mutated response gives a response or a typed error, never anything else', async () => {
    await fc.assert(fc.asyncProperty(response, mutations, cuts, async (r, ms, at) => {
      answers = [splitAt(mutate(responseBytes(r), ms), at)];
      const o = await fetchFresh();
      // A timeout would mean a hang bounded only by our option: the server always ends.
      expect(o).not.toEqual({ error: 'HttpClientError timeout' });
    }), { seed: SEED, numRuns: runs(200) });
  }, runs(20_000));

  it('random bytes and HTTP-looking junk give a response or a typed error, never anything else', async () => {
    const junk = fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), httpishBytes);
    await fc.assert(fc.asyncProperty(junk, cuts, async (b, at) => {
      answers = [splitAt(b, at)];
      const o = await fetchFresh();
      expect(o).not.toEqual({ error: 'HttpClientError timeout' });
    }), { seed: SEED, numRuns: runs(150) });
  }, runs(20_000));

  it('a mutated response on a connection the server keeps open ends in a response or a typed error within the timeout', async () => {
    keepOpen = true;
    try {
      await fc.assert(fc.asyncProperty(response, mutations, async (r, ms) => {
        answers = [[mutate(responseBytes(r), ms)]];
        const started = Date.now();
        await fetchFresh(150);
        expect(Date.now() - started).toBeLessThan(1500);
      }), { seed: SEED, numRuns: runs(30) });
    } finally {
      keepOpen = false;
    }
  }, runs(20_000));
});
