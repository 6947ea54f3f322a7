/**
 * Load over real sockets: 200 concurrent keep-alive connections × 20 sequential requests each,
 * raw clients, every one of the 4000 responses checked (status and body), bounded in time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Args } from '../../../src/http/index.js';
import { type Harness, Peer, startHarness, stopHarness, expectHealthy, sleep } from '../../support/attack.js';

let h: Harness | null = null;
afterEach(async () => { await stopHarness(h); h = null; });

const CONNECTIONS = 200;
const REQUESTS = 20;
const BOUND_MS = 20_000;

const arg = (args: Args, name: string): string => args.find(([k]) => k === name)?.[1] ?? '';

describe('load', () => {
  it(`${CONNECTIONS} concurrent keep-alive connections × ${REQUESTS} requests: all ${CONNECTIONS * REQUESTS} responses correct`, async () => {
    h = await startHarness((c) => {
      c.addResource('/load', (req, args, ex) => {
        ex.send(200, { 'Content-Type': 'text/plain' }, `${req.method} c=${arg(args, 'c')} r=${arg(args, 'r')} body=${ex.input.bytes.toString('latin1')}`);
      });
      c.addResource('/load-async', async (_req, args, ex) => {
        await sleep(Math.floor(Math.random() * 3));
        ex.send(200, {}, `async c=${arg(args, 'c')} r=${arg(args, 'r')}`);
      });
    });
    const port = h.port;
    const started = Date.now();
    const failures: string[] = [];
    let ok = 0;
    const peers = await Promise.all(Array.from({ length: CONNECTIONS }, () => Peer.connect(port, 10_000)));
    await Promise.all(peers.map(async (peer, c) => {
      for (let r = 0; r < REQUESTS; r++) {
        let expected: string;
        switch (r % 4) {
          case 0:
            peer.write(`GET /load?c=${c}&r=${r} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
            expected = `GET c=${c} r=${r} body=`;
            break;
          case 1: {
            const body = `payload-${c}-${r}`;
            peer.write(`POST /load?c=${c}&r=${r} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
            expected = `POST c=${c} r=${r} body=${body}`;
            break;
          }
          case 2:
            peer.write(`GET /load-async?c=${c}&r=${r} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
            expected = `async c=${c} r=${r}`;
            break;
          default:
            peer.write(`POST /load?c=${c}&r=${r} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
            expected = `POST c=${c} r=${r} body=abc`;
        }
        try {
          const [res] = await peer.waitResponses(1, BOUND_MS);
          if (res!.status !== 200 || res!.body !== expected) {
            failures.push(`c=${c} r=${r}: ${res!.status} ${JSON.stringify(res!.body)} (expected ${JSON.stringify(expected)})`);
          } else {
            ok++;
          }
        } catch (e) {
          failures.push(`c=${c} r=${r}: ${(e as Error).message.slice(0, 200)}`);
          return;
        }
      }
      expect(peer.ended, `connection ${c} stayed open`).toBe(false);
    }));
    const took = Date.now() - started;
    expect(failures.slice(0, 10)).toEqual([]);
    expect(ok).toBe(CONNECTIONS * REQUESTS);
    expect(h.handled).toHaveLength(CONNECTIONS * REQUESTS);
    expect(h.errors).toEqual([]);
    expect(h.server.connectionCount).toBe(CONNECTIONS);
    expect(took).toBeLessThan(BOUND_MS);
    for (const p of peers) p.destroy();
    await expectHealthy(h);
  }, BOUND_MS + 5000);
});
