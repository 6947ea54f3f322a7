/**
 * The client's per-request fast paths (issue 10) keep the behaviour of the slow ones:
 * - a response head that came in one chunk is parsed from one string; the same bytes fed a byte
 *   per chunk go line by line; both give the same head (or the same error) and leave the same
 *   bytes unread (a data-driven test of the reader and head parser, fed through a PassThrough);
 * - a pooled connection is reused by later requests without new connects, also after a burst of
 *   50 at once (the pool used to keep 16 and close the rest);
 * - the per-connection deadline timer (re-armed lazily, not one per wait) still times out
 *   every request on time, whether its timeout is shorter or longer than the previous one's;
 * - the cached target, head and pool key of a URL do not leak between URLs, methods or proxies.
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, HttpClientError, HttpRequest, ProxyTable, request } from '../../../src/http/index.js';
import { SocketReader } from '../../../src/http/client/reader.js';
import { DEFAULT_CLIENT_LIMITS, readResponseHead, type ClientLimits } from '../../../src/http/client/message.js';
import { ScriptedServer, rawResponse } from '../../support/client-fixtures.js';

type Outcome =
  | { ok: true; statusLine: string; status: number; protocol: string; headers: Array<[string, string]>; rest: string }
  | { ok: false; code: string; message: string };

const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Reads one head from BYTES, given whole or a byte per 'data' event, and what is left unread after it. */
async function readHead(bytes: Buffer, bytewise: boolean, limits: ClientLimits): Promise<Outcome> {
  const stream = new PassThrough();
  const reader = new SocketReader(stream, 'http://test/');
  reader.deadline = Date.now() + 5000;
  if (!bytewise) {
    stream.write(bytes);
    await nextTick();
  }
  const head = readResponseHead(reader, 'http://test/', limits);
  if (bytewise) {
    // Catch now: the head may fail before every byte is written.
    head.catch(() => undefined);
    for (const b of bytes) {
      stream.write(Buffer.from([b]));
      await nextTick();
    }
  }
  stream.end();
  try {
    const h = await head;
    const rest = reader.available > 0 ? (await reader.readExactly(reader.available)).toString('latin1') : '';
    return { ok: true, statusLine: h.statusLine, status: h.status, protocol: h.protocol, headers: h.headers, rest };
  } catch (e) {
    if (!(e instanceof HttpClientError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  } finally {
    stream.destroy();
  }
}

const SMALL: ClientLimits = { ...DEFAULT_CLIENT_LIMITS, readLineLimit: 40, maxHeaderCount: 3, maxHeadSize: 120 };

/** [name, bytes, limits, what the whole-chunk read must give (a code, or status and headers)]. */
const CASES: Array<[string, string, ClientLimits, string | { status: number; headers: Array<[string, string]>; rest: string }]> = [
  ['plain', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A:  b \r\n\r\nabc', DEFAULT_CLIENT_LIMITS,
    { status: 200, headers: [['content-length', '3'], ['x-a', 'b']], rest: 'abc' }],
  ['no reason phrase', 'HTTP/1.1 204\r\n\r\n', DEFAULT_CLIENT_LIMITS, { status: 204, headers: [], rest: '' }],
  ['empty reason phrase', 'HTTP/1.1 204 \r\n\r\n', DEFAULT_CLIENT_LIMITS, { status: 204, headers: [], rest: '' }],
  ['obs-text in the reason', 'HTTP/1.0 404 Introuv\xe9\r\nA: 1\r\n\r\n', DEFAULT_CLIENT_LIMITS, { status: 404, headers: [['a', '1']], rest: '' }],
  ['LF line ends', 'HTTP/1.1 200 OK\nA: b\n\nxyz', DEFAULT_CLIENT_LIMITS, { status: 200, headers: [['a', 'b']], rest: 'xyz' }],
  ['an LF LF end before a CRLF CRLF', 'HTTP/1.1 200 OK\r\nA: b\n\nB: c\r\n\r\n', DEFAULT_CLIENT_LIMITS,
    { status: 200, headers: [['a', 'b']], rest: 'B: c\r\n\r\n' }],
  ['obs-fold', 'HTTP/1.1 200 OK\r\nA: b\r\n  c \r\nD: e\r\n\r\n', DEFAULT_CLIENT_LIMITS,
    { status: 200, headers: [['a', 'b c'], ['d', 'e']], rest: '' }],
  ['empty lines before the status line', '\r\n\r\nHTTP/1.1 200 OK\r\n\r\n', DEFAULT_CLIENT_LIMITS, { status: 200, headers: [], rest: '' }],
  ['a tab in the reason', 'HTTP/1.1 200\tOK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['NUL in the reason', 'HTTP/1.1 200 OK\0\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['DEL in the reason', 'HTTP/1.1 200 O\x7fK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['a four-digit status', 'HTTP/1.1 2000 OK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['HTTP/2.0', 'HTTP/2.0 200 OK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['lowercase http', 'http/1.1 200 OK\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-status-line'],
  ['NUL in a value', 'HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-header'],
  ['a bare CR in a value', 'HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-header'],
  ['a CR CR LF line end', 'HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-header'],
  ['space before the colon', 'HTTP/1.1 200 OK\r\nA : b\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-header'],
  ['no colon', 'HTTP/1.1 200 OK\r\nAb\r\n\r\n', DEFAULT_CLIENT_LIMITS, 'bad-header'],
  ['a line at the limit', `HTTP/1.1 200 OK\r\nA: ${'x'.repeat(SMALL.readLineLimit - 3)}\r\n\r\n`, SMALL,
    { status: 200, headers: [['a', 'x'.repeat(SMALL.readLineLimit - 3)]], rest: '' }],
  ['a line one byte over the limit', `HTTP/1.1 200 OK\r\nA: ${'x'.repeat(SMALL.readLineLimit - 2)}\r\n\r\n`, SMALL, 'head-too-large'],
  ['a status line over the limit', `HTTP/1.1 200 ${'x'.repeat(SMALL.readLineLimit)}\r\n\r\n`, SMALL, 'head-too-large'],
  ['more header fields than allowed', 'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n', SMALL, 'head-too-large'],
  ['a head larger than allowed', `HTTP/1.1 200 OK\r\nA: ${'x'.repeat(33)}\r\nB: ${'x'.repeat(33)}\r\nC: ${'x'.repeat(33)}\r\n\r\n`, SMALL, 'head-too-large'],
  ['closed before any byte', '', DEFAULT_CLIENT_LIMITS, 'closed'],
  ['closed inside the head', 'HTTP/1.1 200 OK\r\nA: b\r\n', DEFAULT_CLIENT_LIMITS, 'truncated'],
];

describe('a head read whole and a head read a byte at a time', () => {
  for (const [name, text, limits, expected] of CASES) {
    it(name, async () => {
      const bytes = Buffer.from(text, 'latin1');
      const whole = await readHead(bytes, false, limits);
      const bytewise = await readHead(bytes, true, limits);
      expect(bytewise).toEqual(whole);
      if (typeof expected === 'string') {
        expect(whole).toMatchObject({ ok: false, code: expected });
      } else {
        expect(whole).toMatchObject({ ok: true, ...expected });
      }
    });
  }
});

describe('pooled connections over loopback', () => {
  let server: ScriptedServer;
  /** Requests on which the scripted server says nothing (by request line). */
  const silent = new Set<string>();

  beforeAll(async () => {
    server = await ScriptedServer.start((conn, req) => {
      if (silent.has(req.requestLine)) return;
      const body = `${req.requestLine.split(' ')[0]} ${req.requestLine.split(' ')[1]}`;
      conn.write(rawResponse('200 OK', [['X-Host', req.headers.find(([n]) => n === 'Host')?.[1] ?? '']], body));
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const url = (p: string): string => `http://127.0.0.1:${server.port}${p}`;

  it('two bursts of 50 requests at once use the same 50 connections', async () => {
    const agent = new Agent();
    const before = server.connections.length;
    try {
      for (let burst = 0; burst < 2; burst++) {
        const bodies = await Promise.all(Array.from({ length: 50 }, (_, i) => request(url(`/burst?${burst}-${i}`), { agent })));
        expect(bodies.map((r) => r.body.toString())).toEqual(Array.from({ length: 50 }, (_, i) => `GET /burst?${burst}-${i}`));
      }
      expect(agent.connectionsOpened).toBe(50);
      expect(server.connections.length - before).toBe(50);
      expect(agent.idleCount).toBe(50);
    } finally {
      agent.closeAll();
    }
  });

  it('a shorter timeout after a longer one on the same connection fires on time', async () => {
    const agent = new Agent();
    try {
      expect((await request(url('/long'), { agent, timeout: 10_000 })).body.toString()).toBe('GET /long');
      silent.add('GET /short-silent HTTP/1.1');
      const t0 = Date.now();
      const err = await request(url('/short-silent'), { agent, timeout: 200 }).catch((e: unknown) => e);
      const took = Date.now() - t0;
      expect(err).toBeInstanceOf(HttpClientError);
      expect((err as HttpClientError).code).toBe('timeout');
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(2000);
      expect(agent.connectionsOpened).toBe(1);
    } finally {
      agent.closeAll();
    }
  });

  it('a longer timeout after a shorter one is not cut short by the earlier deadline', async () => {
    const agent = new Agent();
    try {
      expect((await request(url('/quick'), { agent, timeout: 100 })).body.toString()).toBe('GET /quick');
      // The first request's deadline passes while the connection is idle.
      await new Promise((r) => setTimeout(r, 150));
      silent.add('GET /longer-silent HTTP/1.1');
      const t0 = Date.now();
      const err = await request(url('/longer-silent'), { agent, timeout: 600 }).catch((e: unknown) => e);
      const took = Date.now() - t0;
      expect((err as HttpClientError).code).toBe('timeout');
      expect(took).toBeGreaterThanOrEqual(550);
      expect(took).toBeLessThan(3000);
      expect(agent.connectionsOpened).toBe(1);
    } finally {
      agent.closeAll();
    }
  });

  it('the cached head of a URL is not reused for another method, protocol, URL or a proxied request', async () => {
    const agent = new Agent();
    const before = server.requests.length;
    try {
      await request(url('/same'), { agent });
      await request(url('/same'), { agent });
      await request(new HttpRequest('HEAD', url('/same'), [], null, 'HTTP/1.1'), { agent });
      await request(new HttpRequest('GET', url('/same'), [], null, 'HTTP/1.0'), { agent });
      await request(url('/other'), { agent });
      await request(new HttpRequest('GET', url('/same'), [['X-Extra', '1']], null, 'HTTP/1.1'), { agent });
      // Through a "proxy" (the same server): the absolute URL goes on the request line.
      const proxies = new ProxyTable();
      proxies.add(true, '127.0.0.1', server.port);
      await request(url('/same'), { agent, proxies });
      const lines = server.requests.slice(before).map((r) => r.requestLine);
      expect(lines).toEqual([
        'GET /same HTTP/1.1', 'GET /same HTTP/1.1', 'HEAD /same HTTP/1.1', 'GET /same HTTP/1.0',
        'GET /other HTTP/1.1', 'GET /same HTTP/1.1', `GET ${url('/same')} HTTP/1.1`,
      ]);
      const extra = server.requests[before + 5]!.headers;
      expect(extra).toEqual([['Host', `127.0.0.1:${server.port}`], ['X-Extra', '1']]);
    } finally {
      agent.closeAll();
    }
  });

  it('an idle connection the server closed is not handed out again', async () => {
    const agent = new Agent();
    try {
      await request(url('/before-close'), { agent });
      const conn = server.connections[server.connections.length - 1]!;
      conn.destroy();
      await new Promise<void>((resolve) => {
        const check = (): void => { if (agent.idleCount === 0) resolve(); else setTimeout(check, 5); };
        check();
      });
      expect((await request(url('/after-close'), { agent })).body.toString()).toBe('GET /after-close');
      expect(agent.connectionsOpened).toBe(2);
    } finally {
      agent.closeAll();
    }
  });
});

// A server that holds a connection open without answering must not be reached by a request
// with an unrelated URL that shares nothing: guards against the target cache keying by origin.
describe('target cache', () => {
  it('two URLs on different ports go to their own servers', async () => {
    const servers = await Promise.all([0, 1].map((i) => new Promise<net.Server>((resolve) => {
      const s = net.createServer((sock) => {
        sock.on('error', () => undefined);
        sock.on('data', () => sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${i}`));
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    })));
    const agent = new Agent();
    try {
      const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 2; i++) {
          expect((await request(`http://127.0.0.1:${ports[i]}/`, { agent })).body.toString()).toBe(String(i));
        }
      }
      expect(agent.connectionsOpened).toBe(2);
    } finally {
      agent.closeAll();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
