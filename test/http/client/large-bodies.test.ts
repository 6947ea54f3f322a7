/**
 * Bodies big and small, as they come off a real socket: large bodies by each framing read in
 * linear time, an unread body held back by backpressure (not buffered whole), and a response
 * dribbled out a few bytes at a time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, getBytes, readResponseBody, sendRequest } from '../../../src/http/index.js';
import { ScriptedServer, sleep } from '../../support/client-fixtures.js';

let servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

const MB = 1024 * 1024;

describe('large bodies', () => {
  it('32 MB by Content-Length, to the end of the stream, and chunked, each in well under a few seconds', async () => {
    const N = 32 * MB;
    const body = Buffer.alloc(N);
    for (let i = 0; i < N; i += 4096) body.write(`${i} `, i, 'latin1');
    const s = await ScriptedServer.start((c, req) => {
      if (req.requestLine.includes('/len')) {
        c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${N}\r\n\r\n`);
        c.write(body);
      } else if (req.requestLine.includes('/close')) {
        c.write('HTTP/1.0 200 OK\r\n\r\n');
        c.end(body);
      } else {
        c.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        for (let i = 0; i < N; i += MB) c.write(Buffer.concat([Buffer.from('100000\r\n'), body.subarray(i, i + MB), Buffer.from('\r\n')]));
        c.write('0\r\n\r\n');
      }
    });
    servers.push(s);
    for (const p of ['len', 'close', 'chunked']) {
      const t0 = Date.now();
      const got = await getBytes(`http://127.0.0.1:${s.port}/${p}`, { agent: new Agent(), timeout: 10_000 });
      const took = Date.now() - t0;
      expect(got.length).toBe(N);
      expect(got.equals(body)).toBe(true);
      // Joining the buffer on every packet made this quadratic: 32 MB by length took ~9 s.
      expect(took).toBeLessThan(3000);
    }
  });

  it('an unread body is held back by backpressure, then read whole', async () => {
    const N = 16 * MB;
    const s = await ScriptedServer.start((c) => {
      c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${N}\r\n\r\n`);
      c.write(Buffer.alloc(N, 'q'));
    });
    servers.push(s);
    const res = await sendRequest(`127.0.0.1:${s.port}/`);
    await sleep(200);
    expect(res.connection.reader.available).toBeLessThan(4 * MB);
    const { body } = await readResponseBody(res);
    expect(body.length).toBe(N);
    res.connection.destroy();
  });

  it('a response dribbled out a few bytes at a time', async () => {
    const pieces = ['HTT', 'P/1.1 2', '00 OK\r', '\nX-A: ', '1\r\nContent-Le', 'ngth: 11\r\n', '\r', '\nhel', 'lo wor', 'ld'];
    const s = await ScriptedServer.start(async (c) => {
      for (const p of pieces) {
        c.write(p);
        await sleep(5);
      }
    });
    servers.push(s);
    const res = await sendRequest(`127.0.0.1:${s.port}/`);
    expect(res.statusLine).toBe('HTTP/1.1 200 OK');
    expect(res.headers).toEqual([['x-a', '1'], ['content-length', '11']]);
    expect((await readResponseBody(res)).body.toString()).toBe('hello world');
    res.connection.destroy();
  });
});
