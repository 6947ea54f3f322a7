/**
 * Property tests of the chunked transfer coding (issue 9, property 4): any body encoded in random
 * chunk sizes, with extensions and trailers, decodes back with ChunkedDecoder however the bytes
 * arrive; and the server's own chunked writer (src/http/server/response.ts, reached through a
 * real server over loopback) produces bytes that decode back to what the handler wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkedDecoder, type ChunkedLimits } from '../../../src/http/body.js';
import { HttpProtocolError } from '../../../src/http/errors.js';
import type { Server } from '../../../src/http/index.js';
import { raw, startServer } from '../../support/net.js';
import { SEED, runs, chunkedBody, encodeChunked, chunkedData, chunkedTrailers, cuts, splitAt, mutations, mutate } from './arbitraries.js';

const LIMITS: ChunkedLimits = { readLineLimit: 8192, maxBodySize: 1024 * 1024, maxHeaderCount: 100 };

interface Decoded {
  done: boolean;
  /** Where the decoder stopped in the whole input (just past the body when done). */
  consumed: number;
  body: string;
  trailers: Array<[string, string]>;
}

/** Feeds PIECES to one decoder as a connection does; only HttpProtocolError is caught. */
function decode(pieces: readonly Buffer[]): Decoded | { error: string; status: number } {
  const d = new ChunkedDecoder(LIMITS);
  let consumed = 0;
  try {
    for (const p of pieces) {
      const stop = d.push(p, 0);
      consumed += stop;
      if (d.done) break;
    }
  } catch (e) {
    if (e instanceof HttpProtocolError) return { error: e.code, status: e.status };
    throw e;
  }
  return { done: d.done, consumed, body: Buffer.concat(d.parts).toString('hex'), trailers: d.trailers };
}

describe('chunked coding: properties', () => {
  it('any body in random chunk sizes, with extensions and trailers, decodes back however it is cut', () => {
    fc.assert(fc.property(chunkedBody, cuts, fc.uint8Array({ maxLength: 20 }), (c, at, after) => {
      const wire = encodeChunked(c);
      // Bytes after the last chunk (the next pipelined message) are left where they are.
      const input = Buffer.concat([wire, after]);
      const expected = { done: true, consumed: wire.length, body: chunkedData(c).toString('hex'), trailers: chunkedTrailers(c) };
      expect(decode([input])).toEqual(expected);
      expect(decode(splitAt(input, at))).toEqual(expected);
    }), { seed: SEED, numRuns: runs(500) });
  });

  it('a chunked body split at every byte boundary decodes the same', () => {
    fc.assert(fc.property(chunkedBody, (c) => {
      const wire = encodeChunked(c);
      const expected = decode([wire]);
      for (let i = 1; i < wire.length; i++) {
        const o = decode([wire.subarray(0, i), wire.subarray(i)]);
        if (JSON.stringify(o) !== JSON.stringify(expected)) expect({ at: i, o }).toEqual({ at: i, o: expected });
      }
    }), { seed: SEED, numRuns: runs(60) });
  });

  it('a mutated chunked body never throws anything but HttpProtocolError, and decodes the same however cut', () => {
    fc.assert(fc.property(chunkedBody, mutations, cuts, (c, ms, at) => {
      const input = mutate(encodeChunked(c), ms);
      const o = decode([input]);
      expect(decode(splitAt(input, at))).toEqual(o);
      if ('error' in o) expect([400, 413, 431]).toContain(o.status);
    }), { seed: SEED, numRuns: runs(800) });
  });
});

describe('the server\'s chunked writer: properties', () => {
  let server: Server;

  /** What the handler of the current run writes: pieces of body, some flushed (streamed) at once. */
  let pieces: Array<{ data: string | Uint8Array; flush: boolean }> = [];

  beforeAll(async () => {
    server = await startServer((config) => {
      config.addResource('/', (_request, _args, ex) => {
        ex.write('Content-Type: application/octet-stream\r\n\r\n');
        for (const p of pieces) {
          ex.write(p.data);
          if (p.flush) ex.out.flush();
        }
      });
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  const piece = fc.record({
    data: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      // Past the server's 64 KiB threshold a body is streamed without any flush.
      fc.constant(new Uint8Array(70 * 1024).fill(0x61)),
    ),
    flush: fc.boolean(),
  });

  it('what a handler writes, streamed by the server as chunks, decodes back to the same bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 8 }), async (ps) => {
      pieces = ps;
      const res = await raw(server.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', { waitMs: 5000 });
      expect(res.closed).toBe(true);
      const bytes = Buffer.from(res.text, 'latin1');
      const headEnd = bytes.indexOf('\r\n\r\n');
      expect(headEnd).toBeGreaterThan(0);
      const head = bytes.toString('latin1', 0, headEnd).toLowerCase();
      const body = bytes.subarray(headEnd + 4);
      const want = Buffer.concat(ps.map((p) => (typeof p.data === 'string' ? Buffer.from(p.data) : p.data)));
      // A flush, or more than the 64 KiB the server buffers, streams the body as chunks.
      const streamed = ps.some((p) => p.flush) || want.length > 64 * 1024;
      expect(head.includes('transfer-encoding: chunked')).toBe(streamed);
      if (streamed) {
        const d = decode([body]);
        expect(d).toEqual({ done: true, consumed: body.length, body: want.toString('hex'), trailers: [] });
      } else {
        // Not streamed: the whole body went out with its Content-Length.
        expect(head).toContain(`content-length: ${want.length}`);
        expect(body.toString('hex')).toBe(want.toString('hex'));
      }
    }), { seed: SEED, numRuns: runs(120) });
  }, runs(20_000));
});
