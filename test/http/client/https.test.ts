/**
 * HTTPS: our server with a self-signed certificate made by openssl at test time; the client trusts
 * it only when given the certificate as its CA.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent, HttpClientError, get, makeRequest, post, readResponseBody, request, sendRequest, type Server,
} from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';
import { makeSelfSignedCert, removeDir, sleep, tempDir } from '../../support/client-fixtures.js';

let dir: string | null = null;
let cert = '';
let server: Server | null = null;
const agent = new Agent();
let keyPair: { key: string; cert: string } = { key: '', cert: '' };
/** Servers a test starts for itself; stopped (bounded) after each test. */
let extra: Server[] = [];

beforeAll(async () => {
  dir = await tempDir('tls');
  const pair = await makeSelfSignedCert(dir);
  keyPair = pair;
  cert = pair.cert;
  server = await startServer((c) => {
    c.addResource('/', (req, args, ex) => {
      ex.send(200, { 'Content-Type': 'text/plain' }, `secure ${req.method} ${args.map(([k, v]) => `${k}=${v}`).join('&')}`);
    });
  }, { tls: { key: pair.key, cert: pair.cert } });
});

afterEach(async () => {
  // Bounded: a server that cannot stop (see below) must not hang the suite.
  for (const s of extra.splice(0)) await Promise.race([s.stop({ timeout: 200 }), sleep(600)]);
});

afterAll(async () => {
  agent.closeAll();
  await server?.stop({ timeout: 1000 });
  await removeDir(dir);
});

describe('https', () => {
  it('get over TLS with the certificate as CA, pooled', async () => {
    const url = `https://127.0.0.1:${server!.port}/?a=1`;
    expect(await get(url, { agent, tls: { ca: cert } })).toBe('secure GET a=1');
    expect(await get(url, { agent, tls: { ca: cert } })).toBe('secure GET a=1');
    expect(await post(`https://127.0.0.1:${server!.port}/`, ['b=2'], undefined, undefined, undefined, { agent, tls: { ca: cert } }))
      .toBe('secure POST b=2');
    expect(agent.connectionsOpened).toBe(1);
  });

  it('sendRequest over TLS (http:send-request with an https URL)', async () => {
    const res = await sendRequest(`https://127.0.0.1:${server!.port}/?q=x`, null, { tls: { ca: cert } });
    expect(res.statusLine).toBe('HTTP/1.0 200 OK');
    expect((await readResponseBody(res)).body.toString()).toBe('secure GET q=x');
    res.connection.destroy();
  });

  it('without the CA: HttpClientError code tls, naming the URL and the reason', async () => {
    // On a server of its own: see the next describe for what a refused handshake does to it.
    const other = await startServer((c) => { c.addResource('/', (_r, _a, ex) => { ex.send(200, {}, 'x'); }); }, { tls: keyPair });
    extra.push(other);
    const url = `https://127.0.0.1:${other.port}/`;
    const err = await get(url, { agent: new Agent(), timeout: 3000 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpClientError);
    const e = err as HttpClientError;
    expect(e.code).toBe('tls');
    expect(e.url).toBe(url);
    expect(e.message).toMatch(new RegExp(`^${url.replace(/[.]/g, '\\.')}: TLS handshake with 127\\.0\\.0\\.1:${other.port} failed: .*self[- ]signed`));
    // The same for http:send-request.
    await expect(sendRequest(url, null, { timeout: 3000 })).rejects.toMatchObject({ code: 'tls', url });
  });

  it('a certificate for another name is refused', async () => {
    // The certificate names localhost and 127.0.0.1; checking it against another name fails.
    const other = await startServer((c) => { c.addResource('/', (_r, _a, ex) => { ex.send(200, {}, 'x'); }); }, { tls: keyPair });
    extra.push(other);
    const url = `https://127.0.0.1:${other.port}/`;
    await expect(request(makeRequest('GET', url, [], null, 'HTTP/1.1'), {
      agent: new Agent(), timeout: 3000, tls: { ca: cert, servername: 'example.com', checkServerIdentity: (host, c) => {
        // Node's own check, for the name we claim to want.
        return c.subjectaltname?.includes(`DNS:${host}`) ? undefined : new Error(`certificate is not for ${host}`);
      } },
    })).rejects.toMatchObject({ code: 'tls' });
  });

  it('plain http to the TLS port fails cleanly, not with a hang', async () => {
    const url = `http://127.0.0.1:${server!.port}/`;
    const err = await get(url, { agent: new Agent(), timeout: 2000 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpClientError);
    expect(['bad-status-line', 'closed', 'timeout']).toContain((err as HttpClientError).code);
  });
});

describe('a refused TLS handshake, on the server side', () => {
  // Server bug (reported, src/http/server is not ours to change): the TLS listener is made with
  // allowHalfOpen: true, so when a client refuses the certificate (alert, then FIN) mid-handshake
  // the server's socket stays half-open for ever: no tlsClientError, no close. stop() then waits
  // on the listener's close for that socket, and its `timeout` only destroys accepted connections.
  it('the server still stops within its timeout after a client refused its certificate', async () => {
    const other = await startServer((c) => { c.addResource('/', (_r, _a, ex) => { ex.send(200, {}, 'x'); }); }, { tls: keyPair });
    extra.push(other);
    await expect(get(`https://127.0.0.1:${other.port}/`, { agent: new Agent(), timeout: 3000 })).rejects.toMatchObject({ code: 'tls' });
    const stopped = await Promise.race([other.stop({ timeout: 300 }).then(() => true), sleep(1500).then(() => false)]);
    expect(stopped).toBe(true);
  });
});
