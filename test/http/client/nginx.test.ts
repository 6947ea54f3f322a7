/**
 * The client against a real nginx, run as a child process on 127.0.0.1 from the template
 * nginx.conf beside this file (pid, logs and temp files in a temp dir). Proves keep-alive reuse
 * from nginx's own access log, chunked bodies (SSI, gzip), gzip decoding, HEAD, 404 and a
 * close-delimited HTTP/1.0 answer.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent, get, makeRequest, readResponseBody, request, sendRequest,
} from '../../../src/http/index.js';
import { findNginx, removeDir, startNginx, tempDir, waitUntil, type NginxServer } from '../../support/client-fixtures.js';

const TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nginx.conf');
const NGINX = findNginx();
if (NGINX === null) {
  process.stderr.write('nginx suite SKIPPED: no nginx binary found (install it: apt-get install -y nginx; .ci/run does)\n');
}

const INDEX = '<h1>nginx index</h1>\n';
const BIG_TEXT = Array.from({ length: 4000 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog\n`).join('');
const FILLER = 'ssi filler text. '.repeat(6000);
const SSI_PAGE = `<p>before</p><!--# echo var="uri" --><p>after</p>${FILLER}`;
const SSI_OUT = `<p>before</p>/ssi/page.html<p>after</p>${FILLER}`;

let dir: string | null = null;
let nginx: NginxServer | null = null;

describe.skipIf(NGINX === null)(`nginx${NGINX === null ? ' (SKIPPED: nginx not installed)' : ''}`, () => {
  beforeAll(async () => {
    dir = await tempDir('nginx');
    nginx = await startNginx(NGINX!, TEMPLATE, dir, {
      'index.html': INDEX,
      'gz/big.txt': BIG_TEXT,
      'ssi/page.html': SSI_PAGE,
    });
  }, 15_000);

  afterAll(async () => {
    await nginx?.stop();
    await removeDir(dir);
  });

  const url = (p: string): string => `http://127.0.0.1:${nginx!.port}${p}`;

  /** Access-log lines of requests whose line contains MARK: [connection serial, request number on it]. */
  async function logged(mark: string, n: number): Promise<Array<[number, number]>> {
    let lines: string[] = [];
    const deadline = Date.now() + 3000;
    for (;;) {
      lines = (await nginx!.accessLog()).split('\n').filter((l) => l.includes(mark));
      if (lines.length >= n || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return lines.map((l) => { const [c, r] = l.split(' '); return [Number(c), Number(r)]; });
  }

  it('several get()s reuse one keep-alive connection (nginx logs one connection, requests 1..5)', async () => {
    const agent = new Agent();
    for (let i = 0; i < 5; i++) expect(await get(url(`/index.html?ka=${i}`), { agent })).toBe(INDEX);
    expect(agent.connectionsOpened).toBe(1);
    const log = await logged('?ka=', 5);
    expect(log).toHaveLength(5);
    expect(new Set(log.map(([c]) => c)).size).toBe(1);
    expect(log.map(([, r]) => r)).toEqual([1, 2, 3, 4, 5]);
    agent.closeAll();
  });

  it('a chunked response (SSI) is decoded; the connection goes on', async () => {
    const res = await sendRequest(makeRequest('GET', url('/ssi/page.html'), [], null, 'HTTP/1.1'));
    expect(res.statusLine).toBe('HTTP/1.1 200 OK');
    expect(res.headers.find(([n]) => n === 'transfer-encoding')?.[1]).toBe('chunked');
    expect(res.headers.some(([n]) => n === 'content-length')).toBe(false);
    const { body } = await readResponseBody(res);
    expect(body.toString()).toBe(SSI_OUT);
    expect(res.connection.reusable).toBe(true);
    const again = await sendRequest(makeRequest('GET', url('/index.html?again'), [], null, 'HTTP/1.1'), res.connection);
    expect((await readResponseBody(again)).body.toString()).toBe(INDEX);
    res.connection.destroy();
    const log = await logged('?again', 1);
    const ssi = await logged('/ssi/page.html', 1);
    expect(log[0]![0]).toBe(ssi[0]![0]);
    expect(await get(url('/ssi/page.html'), { agent: new Agent() })).toBe(SSI_OUT);
  });

  it('an HTTP/1.0 URL-string request gets a close-delimited body (no length, no chunks)', async () => {
    const res = await sendRequest(`127.0.0.1:${nginx!.port}/ssi/page.html`);
    expect(res.statusLine).toBe('HTTP/1.1 200 OK');
    expect(res.headers.find(([n]) => n === 'connection')?.[1]).toBe('close');
    expect(res.headers.some(([n]) => n === 'content-length' || n === 'transfer-encoding')).toBe(false);
    expect((await readResponseBody(res)).body.toString()).toBe(SSI_OUT);
    expect(res.connection.reusable).toBe(false);
    res.connection.destroy();
  });

  it('gzip: decoded with {decompress: true}; raw it is chunked gzip', async () => {
    const agent = new Agent();
    expect(await get(url('/gz/big.txt'), { agent, decompress: true })).toBe(BIG_TEXT);
    const res = await request(makeRequest('GET', url('/gz/big.txt'), [['Accept-Encoding', 'gzip']], null, 'HTTP/1.1'), { agent });
    expect(res.headers.find(([n]) => n === 'content-encoding')?.[1]).toBe('gzip');
    expect(res.headers.find(([n]) => n === 'transfer-encoding')?.[1]).toBe('chunked');
    expect([res.body[0], res.body[1]]).toEqual([0x1f, 0x8b]);
    expect(res.body.length).toBeLessThan(BIG_TEXT.length / 4);
    expect(zlib.gunzipSync(res.body).toString()).toBe(BIG_TEXT);
    // Without Accept-Encoding nginx sends it plain, with its length.
    const plain = await request(url('/gz/big.txt'), { agent });
    expect(plain.headers.find(([n]) => n === 'content-length')?.[1]).toBe(String(BIG_TEXT.length));
    expect(plain.body.toString()).toBe(BIG_TEXT);
    expect(agent.connectionsOpened).toBe(1);
    agent.closeAll();
  });

  it('HEAD: headers with the length, no body, and the connection is reused after it', async () => {
    const agent = new Agent();
    const res = await request(makeRequest('HEAD', url('/index.html'), [], null, 'HTTP/1.1'), { agent });
    expect(res.status).toBe(200);
    expect(res.headers.find(([n]) => n === 'content-length')?.[1]).toBe(String(INDEX.length));
    expect(res.body.length).toBe(0);
    expect(await get(url('/index.html'), { agent })).toBe(INDEX);
    expect(agent.connectionsOpened).toBe(1);
    agent.closeAll();
  });

  it('a 404: status and page, and the connection stays usable', async () => {
    const agent = new Agent();
    const res = await request(url('/no/such/file'), { agent });
    expect(res.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(res.body.toString()).toContain('404 Not Found');
    expect(await get(url('/no/such/file'), { agent })).toContain('<title>404 Not Found</title>');
    expect(await get(url('/index.html'), { agent })).toBe(INDEX);
    expect(agent.connectionsOpened).toBe(1);
    const sent = await sendRequest(`127.0.0.1:${nginx!.port}/missing`);
    expect(sent.status).toBe(404);
    await readResponseBody(sent);
    sent.connection.destroy();
    agent.closeAll();
  });

  it('a redirect: returned as is by default, followed on request', async () => {
    const agent = new Agent();
    const res = await request(url('/moved'), { agent });
    expect(res.status).toBe(302);
    expect(res.headers.find(([n]) => n === 'location')?.[1]).toBe(url('/index.html'));
    expect(await get(url('/moved'), { agent, followRedirects: 1 })).toBe(INDEX);
    await waitUntil(() => agent.idleCount === 1, 1000, 'one idle connection');
    agent.closeAll();
  });
});
