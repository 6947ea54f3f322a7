/**
 * Request bodies over real sockets: Content-Length bodies split across writes, chunked bodies with
 * extensions and trailers (kept apart from the attributes), `Expect: 100-continue` (and 417 for any
 * other expectation), binary bodies, and curl uploading 2 MB with `--data-binary @file`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Harness, Peer, startHarness, stopHarness, expectHealthy, exchange, get, post, sleep,
} from '../../support/attack.js';

let h: Harness | null = null;
const children = new Set<ChildProcess>();
const tmpDirs: string[] = [];
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  await stopHarness(h);
  h = null;
  for (const d of tmpDirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

function start(): Promise<Harness> {
  return startHarness((c) => {
    // The body as the handler's input port holds it (latin1, so every byte shows).
    c.addResource('/echo', (req, _a, ex) => {
      ex.send(200, { 'Content-Type': 'text/plain' }, `${req.method} size=${ex.bodySize ?? 'none'} body=${ex.input.bytes.toString('latin1')}`);
    });
    c.addResource('/hash', (_r, _a, ex) => {
      ex.send(200, {}, `${ex.input.bytes.length} ${sha256(ex.input.bytes)}`);
    });
    c.addResource('/meta', (req, _a, ex) => {
      ex.send(200, { 'Content-Type': 'application/json' }, JSON.stringify({
        body: ex.input.bytes.toString('latin1'),
        attributes: req.attributes.map(([n]) => n),
        trailers: req.trailers,
      }));
    });
  });
}

describe('Content-Length bodies', () => {
  it('a body split across many writes (and the head split from it) is read whole', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    const body = 'The quick brown fox jumps over the lazy dog';
    const bytes = post('/echo', body);
    const pieces = [bytes.slice(0, 20), bytes.slice(20, bytes.length - body.length - 1), bytes.slice(bytes.length - body.length - 1, bytes.length - 30)];
    for (let i = bytes.length - 30; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    await peer.writeSlowly(pieces, 15);
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe(`POST size=${body.length} body=${body}`);
    // A second request on the same connection: nothing of the first body is left over.
    peer.write(post('/echo', 'two'));
    const [r2] = await peer.waitResponses(1);
    expect(r2!.body).toBe('POST size=3 body=two');
  });

  it('a 1 MB body in 64 KB writes arrives intact (binary, every byte value)', async () => {
    h = await start();
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 8)) & 0xff;
    const peer = await Peer.connect(h.port);
    peer.write(`POST /hash HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let i = 0; i < body.length; i += 65536) { peer.write(body.subarray(i, i + 65536)); await sleep(1); }
    const [r] = await peer.waitResponses(1, 5000);
    expect(r!.body).toBe(`${body.length} ${sha256(body)}`);
  });

  it('a body that comes with its head and the next request in one write is cut at its length', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write(post('/echo', 'first') + post('/echo', 'second') + get('/echo'));
    const rs = await peer.waitResponses(3);
    expect(rs.map((r) => r.body)).toEqual(['POST size=5 body=first', 'POST size=6 body=second', 'GET size=none body=']);
  });

  it('Content-Length: 0 is an empty body', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toMatch(/^POST size=(none|0) body=$/);
  });

  it('a Content-Length with leading zeros is read as its value', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 00000000000000000005\r\n\r\nhello');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('POST size=5 body=hello');
    await expectHealthy(h);
  });
});

describe('chunked bodies', () => {
  it('chunk extensions (token and quoted values) are accepted and not part of the body', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /meta HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '5;name=val\r\nhello\r\n'
      + '1;q="quoted; value with \\"escapes\\""\r\n \r\n'
      + '5 ; a ; b = c ;flag\r\nworld\r\n'
      + '0;last=yes\r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    const meta = JSON.parse(r!.body) as { body: string; trailers: Array<[string, string]> };
    expect(meta.body).toBe('hello world');
    expect(meta.trailers).toEqual([]);
  });

  it('trailers are kept in request.trailers and not merged into the attributes', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /meta HTTP/1.1\r\nHost: x\r\nTrailer: X-Checksum, X-Count\r\nTransfer-Encoding: chunked\r\n\r\n'
      + '3\r\nabc\r\n0\r\nX-Checksum: deadbeef\r\nX-Count:  3 \r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    const meta = JSON.parse(r!.body) as { body: string; attributes: string[]; trailers: Array<[string, string]> };
    expect(meta.body).toBe('abc');
    expect(meta.trailers).toEqual([['x-checksum', 'deadbeef'], ['x-count', '3']]);
    expect(meta.attributes).toEqual(['host', 'trailer', 'transfer-encoding']);
    // The connection is in sync after the trailers.
    peer.write(get('/echo'));
    const [r2] = await peer.waitResponses(1);
    expect(r2!.body).toBe('GET size=none body=');
  });

  it('a chunked body dribbled one byte at a time is decoded', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /meta HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const rest = 'a;x="y"\r\n0123456789\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n';
    for (const ch of rest) { peer.write(ch); await sleep(1); }
    const [r] = await peer.waitResponses(1);
    const meta = JSON.parse(r!.body) as { body: string; trailers: Array<[string, string]> };
    expect(meta.body).toBe('0123456789abc');
    expect(meta.trailers).toEqual([['t', 'v']]);
  });

  it('uppercase hex chunk sizes and many small chunks', async () => {
    h = await start();
    let body = '';
    let wire = '';
    for (let i = 0; i < 300; i++) {
      const piece = String.fromCharCode(65 + (i % 26)).repeat((i % 17) + 1);
      body += piece;
      wire += `${piece.length.toString(16).toUpperCase()}\r\n${piece}\r\n`;
    }
    const out = await exchange(h.port, `POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${wire}0\r\n\r\n`);
    expect(out.responses.map((r) => r.body)).toEqual([`POST size=${body.length} body=${body}`]);
  });
});

describe('Expect: 100-continue', () => {
  it('the server sends HTTP/1.1 100 Continue before the body is sent, then the final response', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n');
    expect(await peer.until(() => peer.text.length >= 25, 2000), 'a 100 Continue arrives before any body byte').toBe(true);
    expect(peer.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(await peer.quietFor(100)).toBe(true);
    peer.write('hello world');
    const [r] = await peer.waitResponses(1);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('POST size=11 body=hello world');
    expect(peer.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    // The connection goes on.
    peer.write(get('/echo'));
    expect((await peer.waitResponses(1))[0]!.status).toBe(200);
  });

  it('100 Continue also precedes a chunked body', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(await peer.until(() => peer.text.includes('\r\n\r\n'), 2000)).toBe(true);
    expect(peer.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    peer.write('4\r\nbody\r\n0\r\n\r\n');
    const [r] = await peer.waitResponses(1);
    expect(r!.body).toBe('POST size=4 body=body');
  });

  it('a client that sends the body without waiting still gets one final response', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc');
    const [r] = await peer.waitResponses(1);
    expect(r!.body).toBe('POST size=3 body=abc');
    expect(await peer.quietFor(100)).toBe(true);
  });

  it('an HTTP/1.0 request with Expect: 100-continue gets no 100 (RFC 9110 §10.1.1)', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n');
    expect(await peer.quietFor(200)).toBe(true);
    peer.write('abc');
    const [r] = await peer.waitResponses(1);
    expect(r!.statusLine).toBe('HTTP/1.0 200 OK');
    expect(r!.body).toBe('POST size=3 body=abc');
    expect(peer.text.startsWith('HTTP/1.0 200')).toBe(true);
  });

  it('Expect: something-else → 417, and the server goes on', async () => {
    h = await start();
    const peer = await Peer.connect(h.port);
    peer.write('POST /echo HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 3\r\n\r\n');
    const [r] = await peer.waitResponses(1, 2000);
    expect(r!.status).toBe(417);
    expect(h.handled).toEqual([]);
    peer.destroy();
    await expectHealthy(h);
  });

  it('Expect: something-else on a GET → 417', async () => {
    h = await start();
    const out = await exchange(h.port, get('/echo', 'Expect: 200-ok\r\n'));
    expect(out.responses.map((r) => r.status)).toEqual([417]);
    expect(h.handled).toEqual([]);
    await expectHealthy(h);
  });
});

describe('curl', () => {
  it('curl --data-binary @file with a 2 MB body (Expect: 100-continue) is received intact', async () => {
    h = await start();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scheme-http-bodies-'));
    tmpDirs.push(dir);
    const data = crypto.randomBytes(2 * 1024 * 1024);
    const file = path.join(dir, 'upload.bin');
    await fs.writeFile(file, data);
    const child = spawn('curl', ['-sS', '-v', '--max-time', '10', '-H', 'Content-Type: application/octet-stream',
      '--data-binary', `@${file}`, `http://127.0.0.1:${h.port}/hash`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 12_000);
      child.on('close', (c) => { clearTimeout(t); resolve(c); });
    });
    children.delete(child);
    expect(code, stderr).toBe(0);
    expect(stdout).toBe(`${data.length} ${sha256(data)}`);
    expect(stderr).toMatch(/> Expect: 100-continue/i);
    expect(stderr).toMatch(/< HTTP\/1\.1 100 Continue/);
    // curl waits a whole second for the 100 when none comes; it did not have to.
    expect(Date.now() - started).toBeLessThan(1000);
  }, 15_000);
});
