/**
 * Size limits of the request head and body (config.limits), over real sockets: the right status
 * (413, 414, 431), a close after it, no waiting for bytes the server will never accept, limits
 * changed at runtime applying to the next request, and the server answering good requests after.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/http/index.js';
import {
  type Harness, Peer, startHarness, stopHarness, expectRejected, expectHealthy, exchange, get, hdr, sleep,
} from '../../support/attack.js';

let h: Harness | null = null;
afterEach(async () => { await stopHarness(h); h = null; });

/** A server whose `/echo` answers with the request's method, body length and header count. */
function start(): Promise<Harness> {
  return startHarness((c) => {
    c.addResource('/echo', (req, _a, ex) => {
      ex.send(200, { 'Content-Type': 'text/plain' }, `${req.method} body=${ex.bodySize ?? 0} headers=${req.attributes.length}`);
    });
  });
}

/** A request line of exactly N bytes (without CRLF): `GET /echo?aaaa… HTTP/1.1`. */
function requestLineOf(n: number): string {
  const fixed = 'GET /echo?x= HTTP/1.1'.length;
  return `GET /echo?x=${'a'.repeat(n - fixed)} HTTP/1.1`;
}

/** A header line of exactly N bytes (without CRLF). */
function headerLineOf(n: number, name = 'X-Pad'): string {
  return `${name}: ${'b'.repeat(n - name.length - 2)}`;
}

describe('request line length (readLineLimit, default 8192: RFC 9112 §3 asks for at least 8,000)', () => {
  it('a request line one byte over the limit gets 414 and a close', async () => {
    h = await start();
    const line = requestLineOf(DEFAULT_LIMITS.readLineLimit + 1);
    expect(line.length).toBe(8193);
    await expectRejected(h, `${line}\r\nHost: x\r\n\r\n`, 414);
  });

  it('a method longer than the limit gets 501 (a method is not a URI), whole or still arriving', async () => {
    h = await start();
    await expectRejected(h, `${'G'.repeat(DEFAULT_LIMITS.readLineLimit + 10)} / HTTP/1.1\r\nHost: x\r\n\r\n`, 501);
    await expectRejected(h, 'X'.repeat(DEFAULT_LIMITS.readLineLimit + 10), 501);
  });

  it('a very long request line (100 KB) in one write gets 414', async () => {
    h = await start();
    await expectRejected(h, `GET /${'z'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414);
  });

  it('a request line of exactly the limit is served, on a connection that stays open', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(`${requestLineOf(DEFAULT_LIMITS.readLineLimit)}\r\nHost: x\r\n\r\n`);
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('GET body=0 headers=1');
    expect(peer.ended).toBe(false);
  });

  it('a request line of exactly the limit is served when its CR and LF arrive in different writes', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(`${requestLineOf(DEFAULT_LIMITS.readLineLimit)}\r`);
    await sleep(50);
    peer.write('\nHost: x\r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    await expectHealthy(h);
  });

  it('a request line sent slowly in pieces is rejected as soon as it crosses the limit', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const piece = 256;
    // 64 KB in total if the server waited for the whole line: about 2.5 s of writing.
    const pieces = ['GET /', ...Array.from({ length: 256 }, () => 'a'.repeat(piece))];
    const started = Date.now();
    await peer.writeSlowly(pieces, 10, () => peer.bytesReceived > 0);
    const [r] = await peer.waitResponses(1, 2000);
    expect(r!.status).toBe(414);
    // The answer came once the line crossed the limit, not after the whole line.
    expect(peer.writtenAtFirstByte).toBeGreaterThan(DEFAULT_LIMITS.readLineLimit);
    expect(peer.writtenAtFirstByte).toBeLessThanOrEqual(DEFAULT_LIMITS.readLineLimit + 8 * piece);
    expect(peer.firstByteAt - started).toBeLessThan(1500);
    expect(await peer.waitEnded(2000)).toBe(true);
    await expectHealthy(h);
  });
});

describe('header lines and head size', () => {
  it('a header line one byte over the limit gets 431', async () => {
    h = await start();
    await expectRejected(h, `GET /echo HTTP/1.1\r\nHost: x\r\n${headerLineOf(DEFAULT_LIMITS.readLineLimit + 1)}\r\n\r\n`, 431);
  });

  it('a header line of exactly the limit is accepted', async () => {
    h = await start();
    const out = await exchange(h.port, `GET /echo HTTP/1.1\r\nHost: x\r\n${headerLineOf(DEFAULT_LIMITS.readLineLimit)}\r\nConnection: close\r\n\r\n`);
    expect(out.responses.map((r) => r.status)).toEqual([200]);
    expect(out.responses[0]!.body).toBe('GET body=0 headers=3');
  });

  it('a header line of exactly the limit is accepted when its CR and LF arrive in different writes', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(`GET /echo HTTP/1.1\r\nHost: x\r\n${headerLineOf(DEFAULT_LIMITS.readLineLimit)}\r`);
    await sleep(50);
    peer.write('\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    await expectHealthy(h);
  });

  it('a header line sent slowly is rejected with 431 once it crosses the limit', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const pieces = ['GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ', ...Array.from({ length: 200 }, () => 'c'.repeat(256))];
    await peer.writeSlowly(pieces, 10, () => peer.bytesReceived > 0);
    const [r] = await peer.waitResponses(1, 2000);
    expect(r!.status).toBe(431);
    expect(peer.writtenAtFirstByte).toBeLessThanOrEqual(DEFAULT_LIMITS.readLineLimit + 40 + 8 * 256);
    expect(await peer.waitEnded(2000)).toBe(true);
    await expectHealthy(h);
  });

  it('a head larger than maxHeadSize (64 KB) made of lines within the limit gets 431', async () => {
    h = await start();
    const lines = Array.from({ length: 20 }, (_, i) => headerLineOf(4000, `X-H${i}`)).join('\r\n');
    await expectRejected(h, `GET /echo HTTP/1.1\r\nHost: x\r\n${lines}\r\n\r\n`, 431);
  });

  it('a head growing past maxHeadSize slowly, line by line, is cut off once it crosses the limit', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const pieces = ['GET /echo HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: 60 }, (_, i) => headerLineOf(3000, `X-L${i}`) + '\r\n')];
    await peer.writeSlowly(pieces, 5, () => peer.bytesReceived > 0);
    const [r] = await peer.waitResponses(1, 2000);
    expect(r!.status).toBe(431);
    expect(peer.writtenAtFirstByte).toBeLessThanOrEqual(DEFAULT_LIMITS.maxHeadSize + 4 * 3002);
    await expectHealthy(h);
  });

  it('exactly maxHeaderCount (100) header fields are accepted', async () => {
    h = await start();
    const lines = Array.from({ length: 99 }, (_, i) => `X-N${i}: v`).join('\r\n');
    const out = await exchange(h.port, `GET /echo HTTP/1.1\r\nHost: x\r\n${lines}\r\n\r\n`, { waitMs: 300 });
    expect(out.responses.map((r) => r.status)).toEqual([200]);
    expect(out.responses[0]!.body).toBe('GET body=0 headers=100');
    expect(out.closed).toBe(false);
  });

  it('more than maxHeaderCount header fields get 431', async () => {
    h = await start();
    const lines = Array.from({ length: 100 }, (_, i) => `X-N${i}: v`).join('\r\n');
    await expectRejected(h, `GET /echo HTTP/1.1\r\nHost: x\r\n${lines}\r\n\r\n`, 431);
  });

  it('thousands of tiny header fields get 431 (not a crash or a hang)', async () => {
    h = await start();
    const lines = 'a:b\r\n'.repeat(10_000);
    await expectRejected(h, `GET /echo HTTP/1.1\r\nHost: x\r\n${lines}\r\n`, 431);
  });
});

describe('body size (maxBodySize, default 8 MB)', () => {
  it('a Content-Length over maxBodySize gets 413 at once, without the server waiting for the body', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const sent = Date.now();
    peer.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${DEFAULT_LIMITS.maxBodySize + 1}\r\n\r\n`);
    const [r] = await peer.waitResponses(1, 1500);
    expect(r!.status).toBe(413);
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(hdr(r!, 'connection')).toBe('close');
    expect(await peer.waitEnded(2000)).toBe(true);
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });

  it('an absurd Content-Length (30 digits) gets 413 (or 400), never a crash', async () => {
    h = await start();
    const out = await exchange(h.port, `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${'9'.repeat(30)}\r\n\r\n`);
    expect(out.responses).toHaveLength(1);
    expect([400, 413]).toContain(out.responses[0]!.status);
    expect(out.closed).toBe(true);
    await expectHealthy(h);
  });

  it('with Expect: 100-continue, an oversized Content-Length gets 413 and no 100 Continue', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(`POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${DEFAULT_LIMITS.maxBodySize + 1}\r\n\r\n`);
    const [r] = await peer.waitResponses(1, 1500);
    expect(r!.status).toBe(413);
    expect(peer.text.startsWith('HTTP/1.1 413')).toBe(true);
    expect(await peer.waitEnded(2000)).toBe(true);
    await expectHealthy(h);
  });

  it('a chunked body whose chunks add up to more than maxBodySize gets 413', async () => {
    h = await start();
    h.config.limits.maxBodySize = 1000;
    const chunk = `190\r\n${'d'.repeat(400)}\r\n`; // 0x190 = 400
    await expectRejected(h, `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}${chunk}0\r\n\r\n`, 413);
  });

  it('a chunk size announcing more than maxBodySize gets 413 before any chunk data is sent', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(DEFAULT_LIMITS.maxBodySize + 1).toString(16)}\r\n`);
    const [r] = await peer.waitResponses(1, 1500);
    expect(r!.status).toBe(413);
    expect(await peer.waitEnded(2000)).toBe(true);
    await expectHealthy(h);
  });

  it('a chunked body streamed past the limit is cut off with 413 while it is still being sent', async () => {
    h = await start();
    h.config.limits.maxBodySize = 64 * 1024;
    const peer = await Peer.connect(h.port);
    const chunk = `1000\r\n${'e'.repeat(4096)}\r\n`;
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    await peer.writeSlowly([head, ...Array.from({ length: 100 }, () => chunk)], 5, () => peer.bytesReceived > 0);
    const [r] = await peer.waitResponses(1, 2000);
    expect(r!.status).toBe(413);
    expect(peer.writtenAtFirstByte).toBeLessThan(head.length + 64 * 1024 + 8 * chunk.length);
    await expectHealthy(h);
  });

  it('an endless chunk extension is cut off at the line limit (400), not buffered', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const pieces = ['POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5', ...Array.from({ length: 100 }, () => ';a=b'.repeat(256))];
    await peer.writeSlowly(pieces, 5, () => peer.bytesReceived > 0);
    const [r] = await peer.waitResponses(1, 2000);
    expect([400, 431]).toContain(r!.status);
    expect(peer.writtenAtFirstByte).toBeLessThan(80 + DEFAULT_LIMITS.readLineLimit + 8 * 1024);
    expect(await peer.waitEnded(2000)).toBe(true);
    await expectHealthy(h);
  });

  it('more trailer fields than maxHeaderCount get 431', async () => {
    h = await start();
    const trailers = Array.from({ length: DEFAULT_LIMITS.maxHeaderCount + 1 }, (_, i) => `T${i}: v\r\n`).join('');
    await expectRejected(h, `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n${trailers}\r\n`, 431);
  });

  it('a trailer line longer than the line limit gets 431', async () => {
    h = await start();
    await expectRejected(h, `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n${headerLineOf(DEFAULT_LIMITS.readLineLimit + 1000, 'T')}\r\n\r\n`, 431);
  });

  it('a body of exactly maxBodySize is accepted, declared or chunked', async () => {
    h = await start();
    h.config.limits.maxBodySize = 1000;
    const peer = await Peer.connect(h.port);
    peer.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${'f'.repeat(1000)}`);
    peer.write(`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n${'f'.repeat(1000)}\r\n0\r\n\r\n`);
    const rs = await peer.waitResponses(2);
    expect(rs.map((r) => [r.status, r.body])).toEqual([[200, 'POST body=1000 headers=2'], [200, 'POST body=1000 headers=2']]);
  });
});

describe('limits changed on config.limits at runtime', () => {
  it('apply to the next request, also on a connection opened before the change', async () => {
    h = await start();
    const limits = h.config.limits;
    const early = await Peer.connect(h.port);
    early.write(get('/echo'));
    expect((await early.waitResponses(1))[0]!.status).toBe(200);

    limits.readLineLimit = 200;
    await expectRejected(h, `${requestLineOf(201)}\r\nHost: x\r\n\r\n`, 414);
    await expectRejected(h, `GET /echo HTTP/1.1\r\nHost: x\r\n${headerLineOf(201)}\r\n\r\n`, 431);
    // The connection that was open before the change sees the new limit too.
    early.write(`${requestLineOf(300)}\r\nHost: x\r\n\r\n`);
    const [r] = await early.waitResponses(1);
    expect(r!.status).toBe(414);
    expect(await early.waitEnded(2000)).toBe(true);
    limits.readLineLimit = DEFAULT_LIMITS.readLineLimit;

    limits.maxHeaderCount = 2;
    await expectRejected(h, get('/echo', 'A: 1\r\nB: 2\r\n'), 431);
    let out = await exchange(h.port, get('/echo', 'Connection: close\r\n'));
    expect(out.responses.map((x) => x.status)).toEqual([200]);
    limits.maxHeaderCount = DEFAULT_LIMITS.maxHeaderCount;

    limits.maxHeadSize = 300;
    await expectRejected(h, get('/echo', `${headerLineOf(150, 'A')}\r\n${headerLineOf(150, 'B')}\r\n`), 431);
    limits.maxHeadSize = DEFAULT_LIMITS.maxHeadSize;

    limits.maxBodySize = 10;
    await expectRejected(h, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n', 413);
    await expectRejected(h, 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n', 413);
    out = await exchange(h.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n0123456789');
    expect(out.responses.map((x) => [x.status, x.body])).toEqual([[200, 'POST body=10 headers=3']]);
    limits.maxBodySize = DEFAULT_LIMITS.maxBodySize;

    // Back at the defaults, what was rejected is served.
    out = await exchange(h.port, `${requestLineOf(300)}\r\nHost: x\r\nA: 1\r\nB: 2\r\nConnection: close\r\n\r\n`);
    expect(out.responses.map((x) => x.status)).toEqual([200]);
  });
});
