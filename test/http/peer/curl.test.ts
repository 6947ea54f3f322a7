/**
 * curl's own HTTP client cases (test/fixtures/curl/data/, from curl/curl 5c61e168, curl license)
 * replayed against our client.
 *
 * Each case's reply is sent by a replay server that behaves as curl's test server (curl-replay.ts:
 * 20-byte writes; the connection is closed after the reply only for `swsclose` or an empty reply).
 * Our client is driven through its public API (`request`) with the options curl's command line
 * asks for (-I → HEAD, -0 → HTTP/1.0, --compressed → decompress). Then:
 * - curl exits 0 → we deliver exactly the body curl outputs, with its final status line and
 *   header fields;
 * - curl fails → we fail with the HttpClientError code in ERROR_CODES, well before the client's
 *   timeout (a hang is a failure, never a `timeout` error);
 * - a case in DIFFERENCES gives our outcome there, which must differ from curl's;
 * and the request line, Host and Authorization we sent must be the ones curl sends.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Agent, HttpClientError, makeRequest, request, type ClientOptions, type FullResponse } from '../../../src/http/index.js';
import { CurlReplayServer } from './curl-replay.js';
import { CURL_DATA_DIR, loadCurlTest, splitResponse, type CurlTestCase } from './curl-testfile.js';
import { DIFFERENCES, ERROR_CODES, type OurOutcome } from './curl-differences.js';

const HOST_IP = '127.0.0.1';
/** Far above what any case takes (a few ms); a case that waits this long has hung. */
const CLIENT_TIMEOUT = 3000;

const NUMBERS = fs.readdirSync(CURL_DATA_DIR)
  .map((f) => /^test(\d+)$/.exec(f)?.[1])
  .filter((n): n is string => n !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

interface Invocation {
  url: string;
  method: 'GET' | 'HEAD';
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
  decompress: boolean;
}

/**
 * curl's command line as our client's request and options. Options that change nothing for us
 * are accepted: -i/--include (we always have the head), --http1.1 (our default), --raw on a
 * Content-Length body, --tr-encoding where the case expects a refusal anyway.
 */
function invocation(args: readonly string[], number: number): Invocation {
  const inv: Invocation = { url: '', method: 'GET', protocol: 'HTTP/1.1', decompress: false };
  for (const a of args) {
    if (a === '-I' || a === '--head') inv.method = 'HEAD';
    else if (a === '-0') inv.protocol = 'HTTP/1.0';
    else if (a === '--compressed') inv.decompress = true;
    else if (a === '-i' || a === '--include' || a === '--http1.1' || a === '--raw' || a === '--tr-encoding') continue;
    else if (a.startsWith('-')) throw new Error(`test${number}: command-line option ${a} has no mapping`);
    else inv.url = a;
  }
  return inv;
}

type Result = { ok: true; res: FullResponse } | { ok: false; error: unknown };

async function run(c: CurlTestCase, agent: Agent): Promise<{ result: Result; ms: number }> {
  const inv = invocation(c.args, c.number);
  const opts: ClientOptions = { agent, timeout: CLIENT_TIMEOUT, decompress: inv.decompress };
  const start = Date.now();
  try {
    const res = await request(makeRequest(inv.method, inv.url, [], null, inv.protocol), opts);
    return { result: { ok: true, res }, ms: Date.now() - start };
  } catch (error) {
    return { result: { ok: false, error }, ms: Date.now() - start };
  }
}

/** Our outcome in the terms of DIFFERENCES, for the failure message and the comparison. */
function outcomeOf(r: Result): OurOutcome | { ok: false; code: string } {
  if (r.ok) return { ok: true, body: r.res.body.toString('latin1') };
  return { ok: false, code: r.error instanceof HttpClientError ? r.error.code : `not an HttpClientError: ${String(r.error)}` };
}

function expectCurlSuccess(c: CurlTestCase, r: Result, head: boolean): void {
  expect(outcomeOf(r).ok, JSON.stringify(outcomeOf(r))).toBe(true);
  if (!r.ok || c.expected === null) return;
  const want = splitResponse(c.expected);
  expect(r.res.statusLine).toBe(want.statusLine);
  expect(r.res.headers).toEqual(want.headers);
  expect(r.res.body.toString('latin1')).toBe(head ? '' : want.body.toString('latin1'));
}

function expectCurlFailure(c: CurlTestCase, r: Result, ms: number): void {
  const code = ERROR_CODES[c.number];
  if (code === undefined) throw new Error(`test${c.number}: curl exits ${c.errorcode}; ERROR_CODES must say which error we give`);
  expect(outcomeOf(r)).toEqual({ ok: false, code });
  if (!r.ok) expect((r.error as Error).message).toMatch(/^http:\/\/|^htfp:\/\//);
  expect(ms).toBeLessThan(CLIENT_TIMEOUT / 2);
}

/** The request line, Host and Authorization we sent are curl's. */
function expectRequestLikeCurl(c: CurlTestCase, received: readonly string[]): void {
  if (c.protocol === null) return;
  const want = c.protocol.split(/\r?\n/);
  expect(received.length, 'requests the replay server received').toBe(1);
  const got = received[0]!.split('\r\n');
  expect(got[0]).toBe(want[0]);
  for (const name of ['Host', 'Authorization']) {
    const line = want.find((l) => l.startsWith(`${name}: `));
    const ours = got.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `));
    expect(ours && `${name}: ${ours.slice(name.length + 2)}`).toBe(line);
  }
}

describe("curl's client cases", () => {
  it('the fixtures are there, and the tables name only cases where curl fails / differs', () => {
    expect(NUMBERS.length).toBe(75);
    for (const n of Object.keys(ERROR_CODES).map(Number)) {
      expect(loadCurlTest(n, { hostIp: HOST_IP, httpPort: 0 }).errorcode, `test${n}`).not.toBe(0);
    }
    for (const n of Object.keys(DIFFERENCES).map(Number)) expect(NUMBERS).toContain(n);
  });

  for (const number of NUMBERS) {
    const name = loadCurlTest(number, { hostIp: HOST_IP, httpPort: 0 }).name;
    it(`test${number}: ${name}`, async () => {
      const reply = loadCurlTest(number, { hostIp: HOST_IP, httpPort: 0 }).reply;
      const server = await CurlReplayServer.start(reply);
      const agent = new Agent();
      try {
        const c = loadCurlTest(number, { hostIp: HOST_IP, httpPort: server.port });
        const { result, ms } = await run(c, agent);
        const diff = DIFFERENCES[number];
        if (diff !== undefined) {
          expect(outcomeOf(result)).toEqual(diff.ours);
          // Still a difference: curl's outcome is the other kind (success against failure).
          expect(diff.ours.ok).toBe(c.errorcode !== 0);
          expect(ms).toBeLessThan(CLIENT_TIMEOUT / 2);
        } else if (c.errorcode === 0) {
          expectCurlSuccess(c, result, invocation(c.args, number).method === 'HEAD');
        } else {
          expectCurlFailure(c, result, ms);
        }
        if (!(diff?.ours.ok === false && diff.ours.code === 'bad-url') && ERROR_CODES[number] !== 'bad-url') {
          expectRequestLikeCurl(c, server.requests);
        }
      } finally {
        agent.closeAll();
        await server.close();
      }
    });
  }
});
