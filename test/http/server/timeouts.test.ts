/**
 * Timeouts over real sockets, with config.limits.headTimeout / bodyTimeout / idleTimeout set to a
 * few hundred ms: a slow head or body gets 408 and a close within the bound, an idle keep-alive
 * connection is closed without a response, a slowloris is cut off at headTimeout however steadily
 * it dribbles, and a connection that keeps within the timeouts is never closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Harness, Peer, startHarness, stopHarness, expectHealthy, get, post, hdr, sleep,
} from '../../support/attack.js';

const HEAD_MS = 300;
const BODY_MS = 300;
const IDLE_MS = 400;
/** Slack for the server's sweep (a quarter of the shortest timeout) and a loaded machine. */
const SLACK = 500;

let h: Harness | null = null;
afterEach(async () => { await stopHarness(h); h = null; });

function start(): Promise<Harness> {
  return startHarness((c) => {
    c.limits.headTimeout = HEAD_MS;
    c.limits.bodyTimeout = BODY_MS;
    c.limits.idleTimeout = IDLE_MS;
    c.addResource('/echo', (req, _a, ex) => {
      ex.send(200, {}, `${req.method} body=${ex.input.bytes.toString('latin1')}`);
    });
    c.addResource('/sleep', async (_r, args, ex) => {
      await sleep(Number(args.find(([k]) => k === 'ms')?.[1] ?? '0'));
      ex.send(200, {}, 'slept');
    });
  });
}

/** Asserts one 408 with Connection: close, then the close, SINCE ms ago within [min, max]. */
async function expect408(peer: Peer, since: number, min: number, max: number): Promise<void> {
  expect(await peer.waitEnded(max + 1000), 'the server closes the connection').toBe(true);
  const [r] = await peer.waitResponses(1, 100);
  expect(r!.status).toBe(408);
  expect(hdr(r!, 'connection')).toBe('close');
  const took = peer.endedAt - since;
  expect(took).toBeGreaterThanOrEqual(min);
  expect(took).toBeLessThanOrEqual(max);
}

describe('head timeout', () => {
  it('a partial head then silence → 408 and close within headTimeout', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('GET /echo HTTP/1.1\r\nHost: x\r\n');
    await expect408(peer, peer.openedAt, HEAD_MS - 50, HEAD_MS + SLACK);
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });

  it('a slowloris (a header byte every 100 ms) is cut at headTimeout from its first byte, not a sweep later', async () => {
    // The other timeouts long, so the sweep's interval is a quarter of headTimeout (300 ms).
    h = await startHarness((c) => {
      c.limits.headTimeout = 1200;
      c.limits.bodyTimeout = 60_000;
      c.limits.idleTimeout = 60_000;
      c.limits.writeTimeout = 60_000;
      c.addResource('/echo', (_r, _a, ex) => { ex.send(200, {}, 'ok'); });
    });
    // Five peers opened 60 ms apart: whatever the phase of the sweep, each is cut on time.
    const pieces = ['GET /echo HTTP/1.1\r\n', ...'X-Slow: abcdefghijklmnopqrstuvwxyz'.split('')];
    const peers: Peer[] = [];
    for (let i = 0; i < 5; i++) {
      const peer = await Peer.connect(h.port);
      void peer.writeSlowly(pieces, 100, () => peer.ended);
      peers.push(peer);
      await sleep(60);
    }
    for (const peer of peers) await expect408(peer, peer.openedAt, 1200 - 50, 1200 + 100);
  });

  it('a partial request line then silence → 408', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('GET /ec');
    await expect408(peer, peer.openedAt, HEAD_MS - 50, HEAD_MS + SLACK);
    await expectHealthy(h);
  });

  it('a partial second head on a keep-alive connection → 408, timed from its first byte', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/echo'));
    expect((await peer.waitResponses(1))[0]!.status).toBe(200);
    await sleep(IDLE_MS / 2);
    const sent = Date.now();
    peer.write('GET /echo HTTP/1.1\r\nHo');
    await expect408(peer, sent, HEAD_MS - 50, HEAD_MS + SLACK);
    await expectHealthy(h);
  });

  it('a connection that sends nothing is closed without a response after about headTimeout', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    expect(await peer.waitEnded(HEAD_MS + SLACK + 1000)).toBe(true);
    expect(peer.text).toBe('');
    expect(peer.endedAt - peer.openedAt).toBeGreaterThanOrEqual(HEAD_MS - 50);
    expect(peer.endedAt - peer.openedAt).toBeLessThanOrEqual(HEAD_MS + SLACK);
    await expectHealthy(h);
  });

  it('a slowloris sending one header byte every 50 ms is cut off at headTimeout', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const head = `GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: ${'s'.repeat(200)}\r\n\r\n`;
    const writing = peer.writeSlowly([...head], 50);
    await expect408(peer, peer.openedAt, HEAD_MS - 50, HEAD_MS + SLACK);
    const written = await writing;
    expect(written).toBeLessThan(head.length); // it never got to finish its head
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });

  it('a slowloris on the second request of a keep-alive connection is cut off too', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/echo'));
    expect((await peer.waitResponses(1))[0]!.status).toBe(200);
    const sent = Date.now();
    const writing = peer.writeSlowly([...get('/echo', `X-Slow: ${'s'.repeat(100)}\r\n`)], 50);
    await expect408(peer, sent, HEAD_MS - 50, HEAD_MS + SLACK);
    await writing;
    await expectHealthy(h);
  });

  it('a head that arrives in pieces within headTimeout is served', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    await peer.writeSlowly(['GET /ec', 'ho HTTP/1.1\r\n', 'Host: x\r\n', '\r\n'], HEAD_MS / 6);
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(peer.ended).toBe(false);
  });
});

describe('body timeout', () => {
  it('a Content-Length body that stops halfway → 408 and close', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    const sent = Date.now();
    await expect408(peer, sent, BODY_MS - 50, BODY_MS + SLACK);
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });

  it('a chunked body that stops halfway → 408 and close', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3\r\nab');
    const sent = Date.now();
    await expect408(peer, sent, BODY_MS - 50, BODY_MS + SLACK);
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });

  it('after 100 Continue, a body that never comes → 408', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
    const sent = Date.now();
    expect(await peer.waitEnded(BODY_MS + SLACK + 1000)).toBe(true);
    expect(peer.text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')).toBe(true);
    const [r] = await peer.waitResponses(1, 100);
    expect(r!.status).toBe(408);
    expect(peer.endedAt - sent).toBeLessThanOrEqual(BODY_MS + SLACK);
    await expectHealthy(h);
  });

  it('a body sent in pieces, each pause shorter than bodyTimeout, is served even when the whole takes longer', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n');
    const started = Date.now();
    await peer.writeSlowly(['a', 'b', 'c', 'd', 'e', 'f'], BODY_MS / 3);
    expect(Date.now() - started).toBeGreaterThan(BODY_MS);
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('POST body=abcdef');
    expect(peer.ended).toBe(false);
  });
});

describe('idle timeout', () => {
  it('an idle keep-alive connection is closed after idleTimeout, without a response', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/echo'));
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    const answered = Date.now();
    const receivedBefore = peer.bytesReceived;
    expect(await peer.waitEnded(IDLE_MS + SLACK + 1000)).toBe(true);
    expect(peer.bytesReceived).toBe(receivedBefore);
    expect(peer.unread).toBe('');
    expect(peer.endedAt - answered).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(peer.endedAt - answered).toBeLessThanOrEqual(IDLE_MS + SLACK);
    await expectHealthy(h);
  });

  it('an HTTP/1.0 keep-alive connection left idle is closed too', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect((await peer.waitResponses(1))[0]!.status).toBe(200);
    expect(await peer.waitEnded(IDLE_MS + SLACK + 1000)).toBe(true);
    expect(peer.unread).toBe('');
  });
});

describe('write timeout', () => {
  it('a peer that pipelines requests but never reads its responses is dropped after writeTimeout', async () => {
    h = await startHarness((c) => {
      c.limits.writeTimeout = 300;
      c.addResource('/big', (_r, _a, ex) => { ex.send(200, {}, 'x'.repeat(256 * 1024)); });
    });
    const peer = await Peer.connect(h.port);
    peer.pause();
    let bytes = '';
    for (let i = 0; i < 100; i++) bytes += get('/big');
    peer.write(bytes);
    const server = h.server;
    expect(await peer.until(() => server.connectionCount === 0, 300 + SLACK + 2000), 'the server drops the connection').toBe(true);
    peer.destroy();
    // It answered some, but not all 100 (25 MB) into a peer that reads nothing.
    expect(h.handled.length).toBeLessThan(100);
    await expectHealthy(h);
  });
});

describe('write timeout while a handler streams', () => {
  it('a peer that never reads a streamed response is dropped after writeTimeout, even while the handler waits for drain', async () => {
    let handlerDone = false;
    h = await startHarness((c) => {
      c.limits.writeTimeout = 300;
      c.addResource('/stream', async (_r, _a, ex) => {
        ex.write('Content-Type: application/octet-stream\r\n\r\n');
        const chunk = Buffer.alloc(64 * 1024, 0x78);
        // A well-behaved streaming handler: 25 MB, waiting for drain whenever the socket asks.
        for (let i = 0; i < 400; i++) if (!ex.write(chunk)) await ex.out.drain();
        handlerDone = true;
      });
    });
    const peer = await Peer.connect(h.port);
    peer.pause();
    peer.write(get('/stream'));
    const server = h.server;
    const dropped = await peer.until(() => server.connectionCount === 0, 300 + SLACK + 1500);
    expect(dropped, 'the slow reader is dropped after writeTimeout').toBe(true);
    expect(await peer.until(() => handlerDone, 2000), 'the handler is released').toBe(true);
    peer.destroy();
    await expectHealthy(h);
  });
});

describe('active connections are not closed', () => {
  it('requests every 150 ms for 1.2 s (3 × idleTimeout) on one connection are all answered and it stays open', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 3 * IDLE_MS) {
      peer.write(post('/echo', `n${n}`));
      const [r] = await peer.waitResponses(1);
      expect(r!.body).toBe(`POST body=n${n}`);
      n++;
      await sleep(150);
    }
    expect(n).toBeGreaterThanOrEqual(5);
    expect(peer.ended).toBe(false);
  });

  it('a handler slower than every timeout still gets its response out', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/sleep?ms=900'));
    const [r] = await peer.waitResponses(1, 3000);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('slept');
    expect(peer.ended).toBe(false);
    // And the idle clock starts only after the response.
    peer.write(get('/echo'));
    expect((await peer.waitResponses(1))[0]!.status).toBe(200);
  });

  it('a pipelined request behind a slow handler is not timed out while it waits its turn', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/sleep?ms=800') + 'GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    const rs = await peer.waitResponses(2, 3000);
    expect(rs.map((r) => r.status)).toEqual([200, 200]);
    expect(rs[1]!.body).toBe('GET body=');
  });
});
