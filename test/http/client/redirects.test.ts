/**
 * Redirects (a TS extra; the egg never followed them): off by default, followRedirects: N follows
 * up to N, 303 (and 301/302 after POST) becomes a GET without a body, 307/308 keep method and
 * body, and a loop ends in too-many-redirects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Agent, HttpClientError, get, makeRequest, post, request, type Server,
} from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';

let servers: Server[] = [];
const agent = new Agent();

afterEach(async () => {
  agent.closeAll();
  for (const s of servers) await s.stop({ timeout: 1000 });
  servers = [];
});

interface Hit { method: string; url: string; body: string; auth: string | undefined; cookie: string | undefined }

async function redirector(): Promise<{ base: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = await startServer((c) => {
    c.defaultContentParser = (_size, _headers, input) => { const t = input.readAll(); return [t, t]; };
    c.contentParsers.clear();
    const record = (req: Parameters<Parameters<typeof c.addResource>[1]>[0]): void => {
      hits.push({
        method: req.method, url: req.url, body: typeof req.body === 'string' ? req.body : '',
        auth: req.attributes.find(([n]) => n === 'authorization')?.[1],
        cookie: req.attributes.find(([n]) => n === 'cookie')?.[1],
      });
    };
    for (const code of [301, 302, 303, 307, 308]) {
      c.addResource(`/r${code}`, (req, _a, ex) => { record(req); ex.send(code, { Location: '/final' }, `moved ${code}`); });
    }
    c.addResource('/chain', (req, args, ex) => {
      record(req);
      const n = Number(args.find(([k]) => k === 'n')?.[1] ?? '0');
      ex.send(302, { Location: n > 0 ? `/chain?n=${n - 1}` : '/final' }, `hop ${n}`);
    });
    c.addResource('/loop', (req, _a, ex) => { record(req); ex.send(302, { Location: '/loop' }, 'again'); });
    c.addResource('/final', (req, _a, ex) => {
      record(req);
      ex.send(200, { 'Content-Type': 'text/plain' }, `final ${req.method}${typeof req.body === 'string' && req.body !== '' ? ` ${req.body}` : ''}`);
    });
  });
  servers.push(server);
  return { base: `http://127.0.0.1:${server.port}`, hits };
}

describe('redirects', () => {
  it('are not followed by default: the 3xx body comes back', async () => {
    const { base, hits } = await redirector();
    expect(await get(`${base}/r302`, { agent })).toBe('moved 302');
    const res = await request(`${base}/r301`, { agent });
    expect(res.status).toBe(301);
    expect(res.headers).toContainEqual(['location', '/final']);
    expect(hits.map((h) => h.url)).toEqual(['/r302', '/r301']);
  });

  it('followRedirects: 3 follows 301, 302, 307, 308 and a chain of three', async () => {
    const { base, hits } = await redirector();
    for (const code of [301, 302, 307, 308]) {
      expect(await get(`${base}/r${code}`, { agent, followRedirects: 3 })).toBe('final GET');
    }
    const res = await request(`${base}/chain?n=2`, { agent, followRedirects: 3 });
    expect([res.status, res.body.toString(), res.url]).toEqual([200, 'final GET', `${base}/final`]);
    expect(hits.slice(-4).map((h) => h.url)).toEqual(['/chain?n=2', '/chain?n=1', '/chain?n=0', '/final']);
  });

  it('303 after POST becomes a GET without a body; 307/308 keep POST and its body', async () => {
    const { base, hits } = await redirector();
    const o = { agent, followRedirects: 3 };
    expect(await post(`${base}/r303`, ['a=1'], undefined, undefined, undefined, o)).toBe('final GET');
    expect(hits.slice(-2).map((h) => [h.method, h.url, h.body])).toEqual([['POST', '/r303', 'a=1'], ['GET', '/final', '']]);
    expect(await post(`${base}/r302`, ['a=1'], undefined, undefined, undefined, o)).toBe('final GET');
    expect(await post(`${base}/r307`, ['a=2'], undefined, undefined, undefined, o)).toBe('final POST a=2');
    expect(await post(`${base}/r308`, ['a=3'], undefined, undefined, undefined, o)).toBe('final POST a=3');
  });

  it('more than N redirects → too-many-redirects naming the URL', async () => {
    const { base, hits } = await redirector();
    const url = `${base}/loop`;
    const err = await get(url, { agent, followRedirects: 3 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HttpClientError);
    expect((err as HttpClientError).code).toBe('too-many-redirects');
    expect((err as HttpClientError).message).toContain(url);
    expect(hits).toHaveLength(4);
    // A chain of four is one too many for 3, and fine for 4.
    await expect(get(`${base}/chain?n=3`, { agent, followRedirects: 3 })).rejects.toMatchObject({ code: 'too-many-redirects' });
    expect(await get(`${base}/chain?n=3`, { agent, followRedirects: 4 })).toBe('final GET');
  });

  it('a HEAD stays a HEAD after a 303', async () => {
    const { base, hits } = await redirector();
    const res = await request(makeRequest('HEAD', `${base}/r303`, [], null, 'HTTP/1.1'), { agent, followRedirects: 1 });
    expect(res.status).toBe(200);
    expect(hits.map((h) => h.method)).toEqual(['HEAD', 'HEAD']);
  });

  it('a path-only request (Host attribute) follows a relative Location to the same host', async () => {
    const { base, hits } = await redirector();
    const host = base.slice('http://'.length);
    const res = await request(makeRequest('GET', '/r302', [['Host', host]], null, 'HTTP/1.1'), { agent, followRedirects: 1 });
    expect(res.body.toString()).toBe('final GET');
    expect(hits.map((h) => h.url)).toEqual(['/r302', '/final']);
  });

  it('credentials are not sent on to another origin', async () => {
    const target = await redirector();
    const { hits } = target;
    const origin = await startServer((c) => {
      c.addResource('/away', (_r, _a, ex) => { ex.send(302, { Location: `${target.base}/final` }, 'away'); });
      c.addResource('/near', (_r, _a, ex) => { ex.send(302, { Location: '/there' }, 'near'); });
      c.addResource('/there', (req, _a, ex) => {
        ex.send(200, {}, `auth=${req.attributes.find(([n]) => n === 'authorization')?.[1] ?? '-'}`);
      });
    });
    servers.push(origin);
    const base = `http://127.0.0.1:${origin.port}`;
    const attrs = (): Array<[string, string]> => [['Authorization', 'Bearer secret'], ['Cookie', 'sid=1'], ['Accept', 'text/plain']];
    expect((await request(makeRequest('GET', `${base}/away`, attrs(), null, 'HTTP/1.1'), { agent, followRedirects: 2 })).body.toString()).toBe('final GET');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.auth).toBeUndefined();
    expect(hits[0]!.cookie).toBeUndefined();
    // The same origin keeps them.
    expect((await request(makeRequest('GET', `${base}/near`, attrs(), null, 'HTTP/1.1'), { agent, followRedirects: 2 })).body.toString())
      .toBe('auth=Bearer secret');
  });
});
