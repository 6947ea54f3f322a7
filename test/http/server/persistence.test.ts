/**
 * Persistent connections and pipelining over real sockets: HTTP/1.1 keep-alive by default,
 * `Connection: close`, HTTP/1.0 close by default and keep-alive on request, pipelined requests
 * (mixed methods, async handlers, a 404) answered in order, and requests split at any byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Args } from '../../../src/http/index.js';
import {
  type Harness, type Resp, Peer, startHarness, stopHarness, expectHealthy, exchange, get, post, hdr, sleep, splitAt, finals,
} from '../../support/attack.js';

let h: Harness | null = null;
afterEach(async () => { await stopHarness(h); h = null; });

const argText = (args: Args): string => args.map(([k, v]) => `${k}=${v}`).join('&');

function start(): Promise<Harness> {
  return startHarness((c) => {
    c.addResource('/a', (_r, _a, ex) => { ex.send(200, { 'Content-Type': 'text/plain' }, 'alpha'); });
    c.addResource('/slow', async (req, args, ex) => {
      const max = Number(args.find(([k]) => k === 'max')?.[1] ?? '30');
      await sleep(Math.floor(Math.random() * max));
      const body = ex.input.bytes.toString('latin1');
      ex.send(200, { 'Content-Type': 'text/plain' }, `slow ${req.method} ${argText(args)}${body ? ` body=${body}` : ''}`);
    });
    c.addResource('/form', (req, args, ex) => { ex.send(200, {}, `${req.method} ${argText(args)}`); });
    // An egg-style handler: raw header lines, the server supplies status line and framing.
    c.addResource('/raw', (_r, _a, ex) => { ex.write('Content-type: text/plain\r\n\r\nraw body'); });
    // An egg-style handler writing more than the server buffers: streamed, chunked by the server.
    c.addResource('/rawbig', (_r, _a, ex) => {
      ex.write('Content-type: text/plain\r\n\r\n');
      for (let i = 0; i < 100; i++) ex.write(`${String(i).padStart(4, '0')}${'r'.repeat(1020)}`);
    });
    c.addResource('/big', (_r, args, ex) => {
      const n = Number(args.find(([k]) => k === 'n')?.[1] ?? '0');
      ex.send(200, {}, `${n}:`.padEnd(32 * 1024, String.fromCharCode(97 + (n % 26))));
    });
  });
}

describe('keep-alive', () => {
  it('HTTP/1.1 is persistent by default: several requests, one socket, no Connection: close', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    for (let i = 0; i < 5; i++) {
      peer.write(get(`/form?i=${i}`));
      const [r] = await peer.waitResponses(1);
      expect(r!.statusLine).toBe('HTTP/1.1 200 OK');
      expect(r!.body).toBe(`GET i=${i}`);
      expect(hdr(r!, 'connection')).toBeUndefined();
    }
    expect(await peer.quietFor(150)).toBe(true);
    expect(peer.ended).toBe(false);
    expect(h.handled).toHaveLength(5);
  });

  it('Connection: close → the response carries Connection: close, then the server closes', async () => {
    h = await start();
    const out = await exchange(h.port, get('/a', 'Connection: close\r\n'));
    expect(out.responses.map((r) => [r.status, r.body])).toEqual([[200, 'alpha']]);
    expect(hdr(out.responses[0]!, 'connection')).toBe('close');
    expect(out.closed).toBe(true);
  });

  it('Connection: close is recognised case-insensitively and inside a token list', async () => {
    h = await start();
    for (const value of ['Close', 'keep-alive, close', 'TE,  CLOSE ']) {
      const out = await exchange(h.port, get('/a', `Connection: ${value}\r\n`));
      expect(out.responses.map((r) => r.status), value).toEqual([200]);
      expect(hdr(out.responses[0]!, 'connection')?.toLowerCase(), value).toBe('close');
      expect(out.closed, value).toBe(true);
    }
  });

  it('requests pipelined after a Connection: close request are not answered', async () => {
    h = await start();
    const out = await exchange(h.port, get('/form?n=1', 'Connection: close\r\n') + get('/form?n=2') + get('/form?n=3'));
    expect(out.responses.map((r) => r.body)).toEqual(['GET n=1']);
    expect(out.closed).toBe(true);
    expect(h.handled).toEqual(['GET /form?n=1']);
  });

  it('HTTP/1.0 closes by default, with a 1.0 status line and no keep-alive header', async () => {
    h = await start();
    const out = await exchange(h.port, 'GET /a HTTP/1.0\r\n\r\nGET /form?late=1 HTTP/1.0\r\n\r\n');
    expect(out.responses).toHaveLength(1);
    const r = out.responses[0]!;
    expect(r.statusLine).toBe('HTTP/1.0 200 OK');
    expect(r.body).toBe('alpha');
    expect(hdr(r, 'connection')?.toLowerCase()).not.toBe('keep-alive');
    expect(out.closed).toBe(true);
    expect(h.handled).toEqual(['GET /a']);
  });

  it('HTTP/1.0 with Connection: keep-alive stays open and answers with Connection: keep-alive', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    for (let i = 0; i < 3; i++) {
      peer.write(`GET /form?i=${i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`);
      const [r] = await peer.waitResponses(1);
      expect(r!.statusLine).toBe('HTTP/1.0 200 OK');
      expect(r!.body).toBe(`GET i=${i}`);
      expect(hdr(r!, 'connection')?.toLowerCase()).toBe('keep-alive');
      expect(hdr(r!, 'content-length')).toBe(String(`GET i=${i}`.length));
    }
    expect(await peer.quietFor(150)).toBe(true);
    expect(peer.ended).toBe(false);
    // A last HTTP/1.0 request without keep-alive ends it.
    peer.write('GET /a HTTP/1.0\r\n\r\n');
    const [last] = await peer.waitResponses(1);
    expect(last!.body).toBe('alpha');
    expect(await peer.waitEnded(2000)).toBe(true);
  });

  it('HTTP/1.0 keep-alive with an egg-style handler (server-supplied framing) also stays open', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('GET /raw HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.body).toBe('raw body');
    expect(hdr(r!, 'connection')?.toLowerCase()).toBe('keep-alive');
    peer.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [r2] = await peer.waitResponses(1);
    expect(r2!.body).toBe('alpha');
  });

  it('HEAD to an egg-style handler: the GET body\'s Content-Length, no body, the connection stays in sync', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(get('/raw', '', 'HEAD') + get('/raw'));
    const rs = await peer.waitResponses(2, 3000, { headOnly: (i) => i === 0 });
    expect(hdr(rs[0]!, 'content-length')).toBe('8');
    expect(rs[0]!.body).toBe('');
    expect(rs[1]!.body).toBe('raw body');
    expect(await peer.quietFor(100)).toBe(true);
    expect(peer.unread).toBe('');
  });

  it('HTTP/1.0 keep-alive with a long unframed reply: close-delimited, so no keep-alive promised, then close', async () => {
    h = await start();
    const out = await exchange(h.port, 'GET /rawbig HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', { waitMs: 3000 });
    expect(out.closed).toBe(true);
    expect(out.responses).toHaveLength(1);
    const r = out.responses[0]!;
    expect(r.statusLine).toBe('HTTP/1.0 200 OK');
    expect(hdr(r, 'transfer-encoding')).toBeUndefined();
    expect(hdr(r, 'connection')?.toLowerCase()).not.toBe('keep-alive');
    expect(r.body.length).toBe(100 * 1024);
    expect(r.body.startsWith('0000rrr')).toBe(true);
    expect(r.body.slice(99 * 1024, 99 * 1024 + 4)).toBe('0099');
  });

  it('a request followed by the client\'s FIN (half-close) still gets its whole response', async () => {
    h = await start();
    const out = await exchange(h.port, get('/slow?id=fin'), { end: true });
    expect(out.responses.map((r) => [r.status, r.body])).toEqual([[200, 'slow GET id=fin']]);
    expect(out.closed).toBe(true);
  });
});

/** The 10-request pipeline: bytes, which answers are to HEAD, and the expected [status, body] pairs. */
function mixedPipeline(): { bytes: string; head: Set<number>; expected: Array<[number, string]>; lengths: Map<number, number> } {
  const reqs: string[] = [];
  const head = new Set<number>();
  const expected: Array<[number, string]> = [];
  const lengths = new Map<number, number>();
  const add = (bytes: string, status: number, body: string, isHead = false, fullLength = body.length): void => {
    if (isHead) { head.add(reqs.length); lengths.set(reqs.length, fullLength); }
    reqs.push(bytes);
    expected.push([status, isHead ? '' : body]);
  };
  add(get('/a'), 200, 'alpha');
  add(get('/a', '', 'HEAD'), 200, '', true, 'alpha'.length);
  add(post('/form?x=1', 'y=2&z=3', 'Content-Type: application/x-www-form-urlencoded\r\n'), 200, 'POST x=1&y=2&z=3');
  add(get('/slow?id=1'), 200, 'slow GET id=1');
  add(get('/nope'), 404, '');
  add('POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nq=\r\n1;ext=1\r\n9\r\n0\r\nX-T: 1\r\n\r\n', 200, 'POST q=9');
  add(get('/slow?id=3', '', 'HEAD'), 200, '', true, 'slow HEAD id=3'.length);
  add(get('/raw'), 200, 'raw body');
  add(get('/rawbig'), 200, Array.from({ length: 100 }, (_, i) => `${String(i).padStart(4, '0')}${'r'.repeat(1020)}`).join(''));
  add(post('/slow?id=4', 'payload'), 200, 'slow POST id=4 body=payload');
  return { bytes: reqs.join(''), head, expected, lengths };
}

function checkMixed(rs: Resp[], p: ReturnType<typeof mixedPipeline>): void {
  expect(rs).toHaveLength(10);
  rs.forEach((r, i) => {
    const [status, body] = p.expected[i]!;
    expect(r.status, `response ${i}`).toBe(status);
    if (status === 404) expect(r.body, `response ${i}`).toContain('404 Not Found');
    else if (body.length > 1000) expect(r.body === body, `response ${i}: ${r.body.length} bytes, expected ${body.length}`).toBe(true);
    else expect(r.body, `response ${i}`).toBe(body);
    if (p.head.has(i)) expect(hdr(r, 'content-length'), `HEAD response ${i}`).toBe(String(p.lengths.get(i)));
  });
}

describe('pipelining', () => {
  it('10 mixed requests in one write (GET, HEAD, POST, chunked, 404, async handlers, a streamed reply) → 10 responses in order', async () => {
    h = await start();
    const p = mixedPipeline();
    const peer = await Peer.connect(h.port);
    peer.write(p.bytes);
    const rs = await peer.waitResponses(10, 5000, { headOnly: (i) => p.head.has(i) });
    checkMixed(rs, p);
    expect(await peer.quietFor(150)).toBe(true);
    expect(peer.unread).toBe('');
    expect(peer.ended).toBe(false);
  });

  it('the same pipeline followed by the client\'s FIN: all 10 responses, then the server closes', async () => {
    h = await start();
    const p = mixedPipeline();
    const peer = await Peer.connect(h.port);
    peer.write(p.bytes);
    peer.end();
    const rs = await peer.waitResponses(10, 5000, { headOnly: (i) => p.head.has(i) });
    checkMixed(rs, p);
    expect(await peer.waitEnded(2000)).toBe(true);
    expect(peer.unread).toBe('');
  });

  it('the same pipeline, split at random byte boundaries, still parses (several random splits)', async () => {
    h = await start();
    const p = mixedPipeline();
    for (let round = 0; round < 6; round++) {
      const n = 5 + Math.floor(Math.random() * 20);
      const offsets = Array.from({ length: n }, () => 1 + Math.floor(Math.random() * (p.bytes.length - 1))).sort((a, b) => a - b);
      const peer = await Peer.connect(h.port);
      for (const piece of splitAt(p.bytes, offsets)) { peer.write(piece); await sleep(2); }
      const rs = await peer.waitResponses(10, 5000, { headOnly: (i) => p.head.has(i) });
      checkMixed(rs, p);
      peer.destroy();
    }
  });

  it('the same pipeline written one byte at a time still parses', async () => {
    h = await start();
    const p = mixedPipeline();
    const peer = await Peer.connect(h.port);
    for (let i = 0; i < p.bytes.length; i++) {
      peer.write(p.bytes[i]!);
      if (i % 2 === 0) await sleep(1);
    }
    const rs = await peer.waitResponses(10, 5000, { headOnly: (i) => p.head.has(i) });
    checkMixed(rs, p);
  });

  it('every split point of a pipelined pair (each as its own two writes) gives the same two responses', async () => {
    h = await start();
    const bytes = post('/form?a=1', 'b=2', 'Content-Type: application/x-www-form-urlencoded\r\n') + get('/form?c=3');
    const peer = await Peer.connect(h.port);
    for (let cut = 1; cut < bytes.length; cut++) {
      peer.write(bytes.slice(0, cut));
      await sleep(1);
      peer.write(bytes.slice(cut));
      const rs = await peer.waitResponses(2, 3000);
      expect(rs.map((r) => r.body), `cut at ${cut}`).toEqual(['POST a=1&b=2', 'GET c=3']);
    }
    expect(peer.ended).toBe(false);
  });

  it('200 pipelined requests to an async handler come back in order', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    let bytes = '';
    for (let i = 0; i < 200; i++) bytes += get(`/slow?id=${i}&max=5`);
    peer.write(bytes);
    const rs = await peer.waitResponses(200, 10_000);
    expect(rs.map((r) => r.body)).toEqual(Array.from({ length: 200 }, (_, i) => `slow GET id=${i}&max=5`));
  });

  it('a pipelining client that reads nothing for a while is throttled, then gets every response intact', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const n = 200; // 200 × 32 KB = 6.4 MB of responses
    let bytes = '';
    for (let i = 0; i < n; i++) bytes += get(`/big?n=${i}`);
    peer.pause();
    peer.write(bytes);
    await sleep(300);
    peer.resume();
    const rs = await peer.waitResponses(n, 10_000);
    rs.forEach((r, i) => {
      expect(r.body.length).toBe(32 * 1024);
      expect(r.body.startsWith(`${i}:`)).toBe(true);
    });
    expect(h.handled).toHaveLength(n);
  });

  it('a bad request in the middle of a pipeline: the ones before it are answered, then 400 and close', async () => {
    h = await start();
    const out = await exchange(h.port, get('/form?n=1') + get('/slow?id=2') + 'BROKEN\r\n\r\n' + get('/form?n=4'));
    const statuses = finals(out.text, { closed: true }).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 400]);
    expect(out.responses.map((r) => r.body).slice(0, 2)).toEqual(['GET n=1', 'slow GET id=2']);
    expect(out.closed).toBe(true);
    expect(h.handled).toEqual(['GET /form?n=1', 'GET /slow?id=2']);
    await expectHealthy(h);
  });
});
