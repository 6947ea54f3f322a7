/**
 * The client against another implementation: `python3 -m http.server` (HTTP/1.0, one request per
 * connection), run on 127.0.0.1 in a temp dir holding a file.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, get, readResponseBody, request, sendRequest } from '../../../src/http/index.js';
import { removeDir, startPythonServer, tempDir, waitUntil, type ChildServer } from '../../support/client-fixtures.js';

const HELLO = 'Hello from python\nsecond line ✓\n';
const BIG = Buffer.alloc(300_000, 'abcdefghij');

let dir: string | null = null;
let py: ChildServer | null = null;
const agent = new Agent();

beforeAll(async () => {
  dir = await tempDir('python');
  await fsp.writeFile(path.join(dir, 'hello.txt'), HELLO);
  await fsp.writeFile(path.join(dir, 'big.bin'), BIG);
  py = await startPythonServer(dir);
}, 15_000);

afterAll(async () => {
  agent.closeAll();
  await py?.stop();
  await removeDir(dir);
});

describe('python3 -m http.server', () => {
  it('get returns the file (HTTP/1.0: not pooled)', async () => {
    expect(await get(`http://127.0.0.1:${py!.port}/hello.txt`, { agent })).toBe(HELLO);
    expect(await get(`127.0.0.1:${py!.port}/hello.txt`, { agent })).toBe(HELLO);
    expect(agent.idleCount).toBe(0);
    expect(agent.connectionsOpened).toBe(2);
    const big = await request(`http://127.0.0.1:${py!.port}/big.bin`, { agent });
    expect(big.body.equals(BIG)).toBe(true);
  });

  it('sendRequest and readResponseBody', async () => {
    const res = await sendRequest(`127.0.0.1:${py!.port}/hello.txt`);
    expect(res.statusLine).toBe('HTTP/1.0 200 OK');
    expect(res.headers.map(([n]) => n)).toEqual(expect.arrayContaining(['server', 'date', 'content-type', 'content-length']));
    expect(res.headers.find(([n]) => n === 'content-length')?.[1]).toBe(String(Buffer.byteLength(HELLO)));
    expect(res.headers.every(([n, v]) => n === n.toLowerCase() && v === v.trim())).toBe(true);
    expect((await readResponseBody(res)).body.toString()).toBe(HELLO);
    expect(res.connection.reusable).toBe(false);
    await waitUntil(() => res.connection.closed, 3000, 'python to close the connection');
  });

  it('a 404', async () => {
    const res = await sendRequest(`127.0.0.1:${py!.port}/missing.txt`);
    expect(res.status).toBe(404);
    expect(res.statusLine).toMatch(/^HTTP\/1\.0 404 /);
    const page = (await readResponseBody(res)).body.toString();
    expect(page).toContain('404');
    res.connection.destroy();
    // get returns the error page as the body; request() shows the status.
    expect(await get(`http://127.0.0.1:${py!.port}/missing.txt`, { agent })).toContain('File not found');
    expect((await request(`http://127.0.0.1:${py!.port}/missing.txt`, { agent })).status).toBe(404);
  });
});
