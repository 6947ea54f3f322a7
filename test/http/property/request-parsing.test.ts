/**
 * Property tests of the server's request reading (issue 9, property 1): RequestHeadParser,
 * requestFraming and ChunkedDecoder, driven the way src/http/server/connection.ts drives them
 * (one growing buffer from the start of each request; the body read from what follows the head;
 * pipelined requests one after another). Random bytes, HTTP-looking junk and mutated valid
 * requests never throw anything but HttpProtocolError; valid requests parse to what was
 * generated; and how the bytes are cut into pieces never changes the outcome. (The Host and
 * Expect checks live in connection.ts: server-mutations.test.ts reaches them over a socket.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestHeadParser, type HeadLimits } from '../../../src/http/parser.js';
import { ChunkedDecoder, requestFraming, type Framing } from '../../../src/http/body.js';
import { HttpProtocolError } from '../../../src/http/errors.js';
import {
  SEED, runs, request, requestBytes, expectedRequest, mutations, mutate, httpishBytes, cuts, splitAt, type ParsedRequest,
} from './arbitraries.js';

interface Limits extends HeadLimits {
  maxBodySize: number;
}

const DEFAULTS: Limits = { readLineLimit: 8192, maxHeaderCount: 100, maxHeadSize: 64 * 1024, maxBodySize: 1024 * 1024 };
/** Small limits, so random input crosses them too. readLineLimit stays below maxHeadSize, as in every configuration the server offers by default. */
const SMALL: Limits = { readLineLimit: 64, maxHeaderCount: 4, maxHeadSize: 256, maxBodySize: 200 };

type End =
  | { kind: 'idle' }
  | { kind: 'incomplete' }
  | { kind: 'error'; status: number; code: string };

interface StreamOutcome {
  requests: ParsedRequest[];
  end: End;
}

/**
 * Reads every request in PIECES as Connection.process does: scan the head in the growing buffer,
 * parse it, decide its framing, then take the body (Content-Length bytes, or chunked through the
 * decoder), and start again on what is left. Only HttpProtocolError is caught: anything else
 * thrown fails the property.
 */
function readStream(pieces: readonly Buffer[], limits: Limits): StreamOutcome {
  const parser = new RequestHeadParser(limits);
  const requests: ParsedRequest[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let state: 'head' | 'body' = 'head';
  let current: Omit<ParsedRequest, 'body' | 'trailers'> | null = null;
  let framing: Framing = { kind: 'none' };
  let decoder: ChunkedDecoder | null = null;
  let parts: Buffer[] = [];
  let received = 0;
  const finish = (body: Buffer, trailers: Array<[string, string]>): void => {
    requests.push({ ...current!, body: body.toString('hex'), trailers });
    current = null;
    state = 'head';
  };
  try {
    for (const piece of pieces) {
      buf = buf.length === 0 ? piece : Buffer.concat([buf, piece]);
      for (;;) {
        if (state === 'head') {
          if (buf.length === 0) break;
          const end = parser.scan(buf);
          if (end === -1) break;
          const head = parser.parse(buf);
          framing = requestFraming(head.headers, limits.maxBodySize);
          current = { method: head.method, target: head.target, protocol: head.protocol, headers: head.headers };
          buf = buf.subarray(end);
          parser.reset();
          if (framing.kind === 'none') {
            finish(Buffer.alloc(0), []);
            continue;
          }
          state = 'body';
          decoder = framing.kind === 'chunked' ? new ChunkedDecoder(limits) : null;
          parts = [];
          received = 0;
        } else {
          if (buf.length === 0) break;
          if (decoder !== null) {
            const pos = decoder.push(buf, 0);
            buf = buf.subarray(pos);
            if (!decoder.done) break;
            finish(Buffer.concat(decoder.parts), decoder.trailers);
          } else {
            const length = (framing as { length: number }).length;
            const take = Math.min(length - received, buf.length);
            parts.push(buf.subarray(0, take));
            received += take;
            buf = buf.subarray(take);
            if (received < length) break;
            finish(Buffer.concat(parts), []);
          }
        }
      }
    }
  } catch (e) {
    if (e instanceof HttpProtocolError) return { requests, end: { kind: 'error', status: e.status, code: e.code } };
    throw e;
  }
  return { requests, end: state === 'head' && buf.length === 0 ? { kind: 'idle' } : { kind: 'incomplete' } };
}

const whole = (b: Buffer): Buffer[] => [b];
const byteByByte = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]));

/** Asserts that B cut at every single byte boundary reads as B whole does. */
function sameAtEveryBoundary(b: Buffer, limits: Limits, expected: StreamOutcome): void {
  for (let i = 1; i < b.length; i++) {
    const o = readStream([b.subarray(0, i), b.subarray(i)], limits);
    if (JSON.stringify(o) !== JSON.stringify(expected)) {
      expect({ splitAt: i, outcome: o }).toEqual({ splitAt: i, outcome: expected });
    }
  }
}

const limitsArb = fc.constantFrom(DEFAULTS, SMALL);

/** Asserts B reads as O when cut into PIECES. */
function sameCut(pieces: Buffer[], limits: Limits, o: StreamOutcome): void {
  expect(readStream(pieces, limits)).toEqual(o);
}

describe('request parsing: properties', () => {
  it('a valid request parses to the method, target, protocol, headers, body and trailers generated', () => {
    fc.assert(fc.property(request, (r) => {
      const o = readStream(whole(requestBytes(r)), DEFAULTS);
      expect(o).toEqual({ requests: [expectedRequest(r)], end: { kind: 'idle' } });
    }), { seed: SEED, numRuns: runs(400) });
  });

  it('pipelined valid requests parse one after another, nothing of one leaking into the next', () => {
    fc.assert(fc.property(fc.array(request, { minLength: 2, maxLength: 4 }), (rs) => {
      const o = readStream(whole(Buffer.concat(rs.map(requestBytes))), DEFAULTS);
      expect(o).toEqual({ requests: rs.map(expectedRequest), end: { kind: 'idle' } });
    }), { seed: SEED, numRuns: runs(150) });
  });

  it('a valid request split at any byte boundary parses the same as whole (and byte by byte)', () => {
    fc.assert(fc.property(request, (r) => {
      const b = requestBytes(r);
      const expected = readStream(whole(b), DEFAULTS);
      expect(expected.requests).toEqual([expectedRequest(r)]);
      sameAtEveryBoundary(b, DEFAULTS, expected);
      expect(readStream(byteByByte(b), DEFAULTS)).toEqual(expected);
    }), { seed: SEED, numRuns: runs(60) });
  });

  it('valid requests cut into several random pieces parse the same as whole', () => {
    fc.assert(fc.property(fc.array(request, { minLength: 1, maxLength: 3 }), cuts, (rs, at) => {
      const b = Buffer.concat(rs.map(requestBytes));
      expect(readStream(splitAt(b, at), DEFAULTS)).toEqual({ requests: rs.map(expectedRequest), end: { kind: 'idle' } });
    }), { seed: SEED, numRuns: runs(300) });
  });

  it('random bytes never throw anything but HttpProtocolError, and read the same however cut', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), cuts, limitsArb, (bytes, at, limits) => {
      const b = Buffer.from(bytes);
      const o = readStream(whole(b), limits);
      sameCut(splitAt(b, at), limits, o);
    }), { seed: SEED, numRuns: runs(500) });
  });

  it('HTTP-looking junk never throws anything but HttpProtocolError, and reads the same however cut', () => {
    fc.assert(fc.property(httpishBytes, cuts, limitsArb, (b, at, limits) => {
      const o = readStream(whole(b), limits);
      sameCut(splitAt(b, at), limits, o);
      sameCut(byteByByte(b), limits, o);
    }), { seed: SEED, numRuns: runs(500) });
  });

  it('mutated valid requests never throw anything but HttpProtocolError, and read the same however cut', () => {
    fc.assert(fc.property(fc.array(request, { minLength: 1, maxLength: 2 }), mutations, cuts, limitsArb, (rs, ms, at, limits) => {
      const b = mutate(Buffer.concat(rs.map(requestBytes)), ms);
      const o = readStream(whole(b), limits);
      sameCut(splitAt(b, at), limits, o);
      // An error is a 4xx, or one of the 5xx the RFC names for what we do not implement.
      if (o.end.kind === 'error') expect([400, 413, 414, 431, 501, 505]).toContain(o.end.status);
    }), { seed: SEED, numRuns: runs(600) });
  });

  it('mutated requests split at every byte boundary, or byte by byte, read the same as whole', () => {
    fc.assert(fc.property(request, mutations, limitsArb, (r, ms, limits) => {
      const b = mutate(requestBytes(r), ms);
      const o = readStream(whole(b), limits);
      sameAtEveryBoundary(b, limits, o);
      expect(readStream(byteByByte(b), limits)).toEqual(o);
    }), { seed: SEED, numRuns: runs(40) });
  });
});
