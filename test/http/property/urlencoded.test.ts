/**
 * Property tests of form urlencoding (issue 9, property 5): the client's encoder (`postBody` /
 * `formEncode`, src/http/client/client.ts and src/http/url.ts) and the server's decoder
 * (`decodeQuery` / `canonicalizeString` in src/http/url.ts, used by the urlencoded content parser
 * and by `decodeUrl`) round-trip any form, in process and through a real server over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalizeString, decodeQuery, decodeUrl, formEncode } from '../../../src/http/url.js';
import { Agent, post, postBody, request, type Server } from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';
import { SEED, runs, form, formText } from './arbitraries.js';

/** Text as UTF-8 can carry it: each lone surrogate becomes U+FFFD (what formEncode sends). */
const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
const wellFormedForm = (f: Array<[string, string]>): Array<[string, string]> => f.map(([n, v]) => [wellFormed(n), wellFormed(v)]);

/** Every byte as %XX: how a peer may escape bytes that are not UTF-8 text at all. */
const percentBytes = (b: Uint8Array): string => [...b].map((x) => '%' + x.toString(16).padStart(2, '0')).join('');

describe('urlencoded: properties', () => {
  it('decodeQuery(postBody(form)) gives the form back', () => {
    fc.assert(fc.property(form, (f) => {
      expect(decodeQuery(postBody(f, true))).toEqual(wellFormedForm(f));
    }), { seed: SEED, numRuns: runs(1000) });
  });

  it('canonicalizeString(formEncode(s)) gives s back, and the encoding is ASCII without & = or space', () => {
    fc.assert(fc.property(formText, (s) => {
      const e = formEncode(s);
      expect(e).toMatch(/^[A-Za-z0-9%._~+-]*$/);
      expect(canonicalizeString(e)).toBe(wellFormed(s));
    }), { seed: SEED, numRuns: runs(1000) });
  });

  it('any UTF-8 text escaped byte by byte decodes to the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
      expect(canonicalizeString(percentBytes(Buffer.from(s, 'utf8')))).toBe(s);
    }), { seed: SEED, numRuns: runs(500) });
  });

  it('a byte that is not UTF-8, escaped among UTF-8 text, decodes to its Latin-1 character and loses nothing else', () => {
    // Continuation bytes alone and F8-FF can never start a UTF-8 sequence.
    const badByte = fc.oneof(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xf8, max: 0xff }));
    const piece = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((t) => ({ t })), badByte.map((b) => ({ b })));
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), (ps) => {
      const bytes = Buffer.concat(ps.map((p) => ('t' in p ? Buffer.from(p.t, 'utf8') : Buffer.from([p.b]))));
      const want = ps.map((p) => ('t' in p ? p.t : String.fromCharCode(p.b))).join('');
      expect(canonicalizeString(percentBytes(bytes))).toBe(want);
    }), { seed: SEED, numRuns: runs(500) });
  });

  it('decoding any string at all never throws', () => {
    const junk = fc.string({ unit: fc.oneof(fc.constantFrom('%', '+', '&', '=', '?', '#', '%f', '%C3', '%ff', '%e2%82'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 });
    fc.assert(fc.property(junk, (s) => {
      expect(typeof canonicalizeString(s)).toBe('string');
      for (const [n, v] of decodeQuery(s)) expect(typeof n + typeof v).toBe('stringstring');
      const [path, args] = decodeUrl('/' + s);
      expect(typeof path).toBe('string');
      expect(Array.isArray(args)).toBe(true);
    }), { seed: SEED, numRuns: runs(1000) });
  });
});

describe('urlencoded through a real server: properties', () => {
  let server: Server;
  const agent = new Agent();

  beforeAll(async () => {
    server = await startServer((config) => {
      // The arguments the server decoded (query, then urlencoded body), sent back as JSON.
      config.addResource('/echo', (_request, args, ex) => {
        ex.send(200, { 'Content-Type': 'application/json' }, JSON.stringify(args));
      });
    });
  });
  afterAll(async () => {
    agent.closeAll();
    await server.stop();
  });

  it('a form POSTed by the client reaches the handler as the same arguments', async () => {
    await fc.assert(fc.asyncProperty(form, async (f) => {
      const body = await post(`http://127.0.0.1:${server.port}/echo`, f, undefined, undefined, undefined, { agent, timeout: 5000 });
      expect(JSON.parse(body)).toEqual(wellFormedForm(f));
    }), { seed: SEED, numRuns: runs(150) });
  }, runs(20_000));

  it('a form sent as the query of a GET reaches the handler as the same arguments', async () => {
    await fc.assert(fc.asyncProperty(form, async (f) => {
      const res = await request(`http://127.0.0.1:${server.port}/echo?${postBody(f, true)}`, { agent, timeout: 5000 });
      expect(JSON.parse(res.body.toString('utf8'))).toEqual(wellFormedForm(f));
    }), { seed: SEED, numRuns: runs(150) });
  }, runs(20_000));
});
