/**
 * llhttp's parser suite (Node's HTTP parser, test/fixtures/llhttp/, MIT) run against our parsers.
 *
 * Every case is fed whole, split in two at every byte, and one byte at a time; all three must give
 * the same outcome, and the whole-input outcome must match llhttp's (messages with method, target,
 * version, status, header fields, body and trailers; then clean / incomplete / closed / upgrade /
 * error) unless the case is in DIFFERENCES with our outcome and the reason.
 *
 * How our parsers are driven (see llhttp-drivers.ts):
 * - requests: in-process through RequestHeadParser + requestFraming + ChunkedDecoder, in the
 *   server connection's order (its class needs a socket, so the split runs cannot go through it);
 *   the whole input also goes through a real server over loopback, whose handler records what it
 *   got, and that must equal what the in-process run read, less what the server refuses after
 *   parsing (no Host in HTTP/1.1: 400; an unknown Expect: 417);
 * - responses: the client's SocketReader + readResponseHead/responseFraming/readBody, fed from a
 *   stream for the splits (each piece one 'data' event) and from a real loopback socket for the
 *   whole input; both end after the bytes, as a server's close;
 * - url.md: a target is accepted when our request-line parser accepts `GET <url> HTTP/1.1`; then
 *   decodeUrl's path and arguments must be those of llhttp's path and query spans.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../../src/http/index.js';
import type { HttpRequest } from '../../../src/http/request.js';
import type { Exchange } from '../../../src/http/server/exchange.js';
import { parseRequestLine } from '../../../src/http/parser.js';
import { HttpProtocolError } from '../../../src/http/errors.js';
import { canonicalizeString, decodeQuery, decodeUrl } from '../../../src/http/url.js';
import { raw, startServer } from '../../support/net.js';
import { readCases, type LlhttpCase } from './llhttp-markdown.js';
import { compareOutcomes, expectedOutcome, summarize, type Message, type Outcome } from './llhttp-outcome.js';
import {
  ResponseFeeder, responseStatuses, runRequestsInProcess, runResponses, serverExpectation, splits, streamOf,
} from './llhttp-drivers.js';
import { DIFFERENCES, REASONS } from './llhttp-differences.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/llhttp');
const FILES = [
  'request/sample.md', 'request/method.md', 'request/uri.md', 'request/connection.md', 'request/content-length.md',
  'request/transfer-encoding.md', 'request/invalid.md', 'request/finish.md', 'request/lenient-headers.md',
  'request/lenient-header-value-relaxed.md', 'request/lenient-version.md', 'request/pausing.md', 'request/pipelining.md',
  'response/sample.md', 'response/connection.md', 'response/content-length.md', 'response/transfer-encoding.md',
  'response/invalid.md', 'response/finish.md', 'response/lenient-version.md', 'response/pausing.md',
  'response/pipelining.md', 'url.md',
];

/** Cases by file, each named by its heading path (made unique within the file). */
const CASES = new Map<string, LlhttpCase[]>(FILES.map((f) => {
  const cases = readCases(path.join(FIXTURES, f), f);
  const seen = new Map<string, number>();
  for (const c of cases) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    if (n > 1) c.name = `${c.name} (${n})`;
  }
  return [f, cases];
}));

const keyOf = (c: LlhttpCase): string => `${c.file} > ${c.name}`;
const typeOf = (c: LlhttpCase): string => c.meta.type ?? (c.kind === 'url' ? 'url' : c.file.startsWith('request') ? 'request' : 'response');
const isRequest = (c: LlhttpCase): boolean => typeOf(c).startsWith('request');

/** Our outcome of a case fed as PIECES. */
async function ours(c: LlhttpCase, pieces: Buffer[]): Promise<Outcome> {
  if (c.kind === 'url') return urlOutcome(Buffer.concat(pieces).toString('latin1'));
  if (isRequest(c)) return runRequestsInProcess(pieces);
  return runResponses(streamOf(pieces), c.meta.skipBody === true ? 'HEAD' : 'GET');
}

/** A url.md case: accepted as a request target, then split by decodeUrl into path and arguments. */
function urlOutcome(url: string): Outcome {
  try {
    parseRequestLine(`GET ${url} HTTP/1.1`);
  } catch (e) {
    if (e instanceof HttpProtocolError) return { messages: [], end: 'error', detail: `${e.code} (${e.status})` };
    throw e;
  }
  const [p, args] = decodeUrl(url);
  return { messages: [{ target: p, version: '', headers: args, body: '', trailers: [] }], end: 'clean' };
}

function expectedUrlOutcome(log: readonly string[]): Outcome {
  if (log.some((l) => / error code=/.test(l))) return { messages: [], end: 'error' };
  const span = (k: string): string => {
    const m = log.map((l) => new RegExp(`span\\[url\\.${k}\\]="(.*)"$`).exec(l)).find((x) => x !== null);
    return m?.[1] ?? '';
  };
  const query = span('query');
  return { messages: [{ target: canonicalizeString(span('path') || '/'), version: '', headers: query === '' ? [] : decodeQuery(query), body: '', trailers: [] }], end: 'clean' };
}

function expected(c: LlhttpCase): Outcome {
  return c.kind === 'url' ? expectedUrlOutcome(c.log) : expectedOutcome(c.log, !isRequest(c));
}

// The real server every request case goes through once, whole, and what its handlers recorded.
let server: Server | null = null;
let recorded: Message[] = [];
const feeder = new ResponseFeeder();

function record(request: HttpRequest, ex: Exchange): void {
  recorded.push({
    method: request.method, target: request.url, version: request.protocol, headers: request.attributes.map(([n, v]) => [n, v]),
    body: (ex.body ?? Buffer.alloc(0)).toString('latin1'), trailers: request.trailers.map(([n, v]) => [n, v]),
  });
  // No body, so each status line follows a CRLF (responseStatuses finds them) even after a HEAD.
  ex.send(200, { 'Content-Type': 'text/plain' }, '');
}

beforeAll(async () => {
  const methods = new Set<string>(['GET', 'HEAD', 'POST', 'OPTIONS']);
  for (const cases of CASES.values()) {
    for (const c of cases) if (c.kind === 'http' && isRequest(c)) for (const m of runRequestsInProcess([c.input]).messages) methods.add(m.method!);
  }
  server = await startServer((config) => { for (const m of methods) config.methodHandler(m, record); });
  await feeder.start();
});

afterAll(async () => {
  await server?.stop();
  await feeder.stop();
});

/** The whole input through real sockets: a server for requests, a socket to our client for responses. */
async function overLoopback(c: LlhttpCase, inProcess: Outcome): Promise<void> {
  if (isRequest(c)) {
    recorded = [];
    const res = await raw(server!.port, c.input, { end: true, waitMs: 5000 });
    expect(res.closed, 'the server closed the connection').toBe(true);
    const want = serverExpectation(inProcess);
    expect(recorded, 'what the server handed to its handler').toEqual(want.handled);
    expect(responseStatuses(res.text), 'the server answered').toEqual(want.statuses);
  } else {
    const viaSocket = await feeder.run(c.input, c.meta.skipBody === true ? 'HEAD' : 'GET');
    expect(summarize(viaSocket)).toBe(summarize(inProcess));
    expect(compareOutcomes(inProcess, viaSocket)).toBeNull();
  }
}

for (const [file, cases] of CASES) {
  describe(file, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const whole = await ours(c, [c.input]);
        // Split anywhere, the bytes must read the same.
        for (const pieces of splits(c.input)) {
          const o = await ours(c, pieces);
          expect(summarize(o), `split as ${pieces.map((p) => p.length).join('+')}`).toBe(summarize(whole));
          expect(compareOutcomes(whole, o)).toBeNull();
        }
        if (c.kind === 'http') await overLoopback(c, whole);
        const diff = DIFFERENCES[keyOf(c)];
        const mismatch = compareOutcomes(expected(c), whole);
        if (diff === undefined) {
          expect(mismatch, `ours: ${summarize(whole)}`).toBeNull();
        } else {
          expect(summarize(whole), 'our outcome, as listed in DIFFERENCES').toBe(diff.ours);
          expect(mismatch, 'listed in DIFFERENCES but no longer different').not.toBeNull();
        }
      });
    }
  });
}

describe('the list of deliberate differences', () => {
  it('names only cases that exist, and is written out in test/fixtures/README.md', () => {
    const names = new Set([...CASES.values()].flat().map(keyOf));
    const readme = fs.readFileSync(path.resolve(FIXTURES, '../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## llhttp'));
    for (const [key, d] of Object.entries(DIFFERENCES)) {
      expect(names.has(key), key).toBe(true);
      const reasonKey = Object.entries(REASONS).find(([, text]) => text === d.reason)?.[0];
      expect(section.includes(`| ${key} | ${d.ours} | ${reasonKey} |`), `README row for ${key}`).toBe(true);
      expect(section.includes(`- **${reasonKey}**: ${d.reason}`), `README reason ${reasonKey}`).toBe(true);
    }
  });
});
