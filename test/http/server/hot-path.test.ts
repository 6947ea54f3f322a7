/**
 * The server's per-request fast path (issue 10) keeps what the slower path did, over real
 * loopback sockets: a handler's text is sent as UTF-8 without the whole write being scanned
 * (non-ASCII header values and status lines still become their UTF-8 bytes), byte strings and
 * text can be mixed in one body, a body cut to its declared length is cut in bytes, a head that
 * arrives whole needs no head deadline but one that arrives in pieces still has it, and the
 * cached preamble follows the second and the server's name.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { Server } from '../../../src/http/index.js';
import { startServer, RawConnection } from '../../support/net.js';
import { getReq, sleep } from '../../support/server-features.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop({ timeout: 1000 });
});

/** Sends REQUEST on a fresh connection and returns the raw bytes received until the server closes. */
function fetchBytes(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no close within 3 s')); }, 3000);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)); });
    sock.on('connect', () => sock.write(request));
  });
}

/** Head lines (as latin1 text of the bytes) and body bytes of one response. */
function split(bytes: Buffer): { lines: string[]; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  return { lines: bytes.subarray(0, end).toString('latin1').split('\r\n'), body: bytes.subarray(end + 4) };
}

const closeReq = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`;
const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

describe('text and bytes in a response', () => {
  it('sends a non-ASCII header value and body of a text write as UTF-8, with the byte length', async () => {
    const s = await startServer((c) => c.addResource('/t', (_r, _a, ex) => {
      ex.write('X-Name: Jürgen\r\nContent-Type: text/plain\r\n\r\ncafé ✓');
    }));
    servers.push(s);
    const { lines, body } = split(await fetchBytes(s.port, closeReq('/t')));
    expect(lines).toContain(`X-Name: ${latin1('Jürgen')}`);
    expect(body.toString('utf8')).toBe('café ✓');
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength('café ✓')}`);
  });

  it('sends a handler\'s status line with a non-ASCII reason phrase as UTF-8', async () => {
    const s = await startServer((c) => c.addResource('/s', (_r, _a, ex) => {
      ex.write('HTTP/1.1 299 Très bien\r\nContent-Length: 2\r\n\r\nok');
    }));
    servers.push(s);
    const { lines, body } = split(await fetchBytes(s.port, closeReq('/s')));
    expect(lines[0]).toBe(`HTTP/1.1 299 ${latin1('Très bien')}`);
    expect(body.toString('latin1')).toBe('ok');
  });

  it('joins a header line written in two pieces, the first ending in a non-ASCII char', async () => {
    const s = await startServer((c) => c.addResource('/p', (_r, _a, ex) => {
      ex.write('X-A: ü');
      ex.write('mlaut\r\n\r\nbody');
    }));
    servers.push(s);
    const { lines, body } = split(await fetchBytes(s.port, closeReq('/p')));
    expect(lines).toContain(`X-A: ${latin1('ümlaut')}`);
    expect(body.toString('latin1')).toBe('body');
  });

  it('mixes byte strings (as Scheme writes them) and text in one body, either one first', async () => {
    const s = await startServer((c) => {
      c.addResource('/bytes-first', (_r, _a, ex) => {
        ex.write('Content-Type: application/octet-stream\r\n\r\n');
        ex.out.writeLatin1('\xe9\x01');
        ex.write('é');
      });
      c.addResource('/text-first', (_r, _a, ex) => {
        ex.write('Content-Type: application/octet-stream\r\n\r\n');
        ex.write('é');
        ex.out.writeLatin1('\xe9\x01');
      });
      c.addResource('/bytes-only', (_r, _a, ex) => {
        ex.out.writeLatin1('Content-Type: application/octet-stream\r\n\r\n\xff\xfe');
        ex.out.writeLatin1('\x80');
      });
    });
    servers.push(s);
    const a = split(await fetchBytes(s.port, closeReq('/bytes-first')));
    expect([...a.body]).toEqual([0xe9, 0x01, 0xc3, 0xa9]);
    expect(a.lines).toContain('Content-Length: 4');
    const b = split(await fetchBytes(s.port, closeReq('/text-first')));
    expect([...b.body]).toEqual([0xc3, 0xa9, 0xe9, 0x01]);
    const c = split(await fetchBytes(s.port, closeReq('/bytes-only')));
    expect([...c.body]).toEqual([0xff, 0xfe, 0x80]);
    expect(c.lines).toContain('Content-Length: 3');
  });

  it('cuts a body longer than its declared Content-Length in bytes, even inside a UTF-8 char', async () => {
    // The cut used to be turned back into text, and half a char went out as the 3 bytes of U+FFFD.
    const faults: unknown[] = [];
    const s = await startServer((c) => {
      c.errorHook = (e) => { faults.push(e); };
      c.addResource('/cut', (_r, _a, ex) => ex.write('Content-Length: 1\r\n\r\né'));
      c.addResource('/cut-apart', (_r, _a, ex) => {
        ex.write('Content-Length: 1\r\n\r\n');
        ex.write('é');
      });
    });
    servers.push(s);
    for (const path of ['/cut', '/cut-apart']) {
      const bytes = await fetchBytes(s.port, `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
      const { lines, body } = split(bytes);
      expect(lines).toContain('Content-Length: 1');
      expect([...body], path).toEqual([0xc3]);
    }
    expect(faults).toHaveLength(2);
  });
});

describe('head deadlines', () => {
  it('answers pipelined heads that arrive whole, in order, and still times out a head that arrives in pieces', async () => {
    const s = await startServer((c) => {
      c.limits.headTimeout = 300;
      c.limits.idleTimeout = 5000;
      c.addResource('/n', (r, _a, ex) => ex.send(200, {}, r.url));
    });
    servers.push(s);
    const conn = await RawConnection.open(s.port);
    try {
      conn.write(getReq('/n?1') + getReq('/n?2') + getReq('/n?3'));
      const rs = await conn.responses(3);
      expect(rs.map((r) => r.body)).toEqual(['/n?1', '/n?2', '/n?3']);
      // Then half a head on the same (kept-alive) connection: the head timeout, not the idle one.
      const t0 = Date.now();
      conn.write('GET /n?4 HTTP/1.1\r\nHo');
      await conn.until((t, closed) => closed || t.includes('408'), 3000);
      expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      conn.destroy();
    }
  });

  it('times out a head that arrives in pieces on a fresh connection', async () => {
    const s = await startServer((c) => {
      c.limits.headTimeout = 300;
      c.addResource('/', (_r, _a, ex) => ex.send(200, {}, 'x'));
    });
    servers.push(s);
    const conn = await RawConnection.open(s.port);
    try {
      conn.write('GET / HTTP/1.1\r\n');
      await sleep(100);
      conn.write('Host: h\r\n');
      await conn.until((t, closed) => closed || t.includes('408'), 3000);
      expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      conn.destroy();
    }
  });
});

describe('the cached preamble', () => {
  it('gives each server its own Server name and a Date that follows the clock', async () => {
    const hello = (name: string): Promise<Server> => startServer((c) => c.addResource('/', (_r, _a, ex) => ex.write('\r\nhi')), { serverName: name });
    const a = await hello('Alpha');
    servers.push(a);
    const b = await hello('Bêta');
    servers.push(b);
    const serverOf = async (s: Server): Promise<{ server: string; date: string }> => {
      const { lines } = split(await fetchBytes(s.port, closeReq('/')));
      return { server: lines.find((l) => l.startsWith('Server: '))!, date: lines.find((l) => l.startsWith('Date: '))! };
    };
    const first = await serverOf(a);
    expect(first.server).toBe('Server: Alpha');
    expect((await serverOf(b)).server).toBe(`Server: ${latin1('Bêta')}`);
    expect((await serverOf(a)).server).toBe('Server: Alpha');
    await sleep(1100);
    const later = await serverOf(a);
    expect(later.date).not.toBe(first.date);
    expect(Date.parse(later.date.slice(6)) - Date.parse(first.date.slice(6))).toBeGreaterThanOrEqual(1000);
  });
});

describe('field names in any case', () => {
  it('reads HOST, CONTENT-LENGTH and CONNECTION written in capitals', async () => {
    const s = await startServer((c) => c.addResource('/e', (r, _a, ex) => ex.send(200, {}, String(r.body))));
    servers.push(s);
    const bytes = await fetchBytes(s.port, 'POST /e HTTP/1.1\r\nHOST: h\r\nCONTENT-LENGTH: 3\r\nCONNECTION: CLOSE\r\n\r\nabc');
    const { lines, body } = split(bytes);
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines).toContain('Connection: close');
    expect(body.toString('latin1')).toBe('abc');
  });
});
