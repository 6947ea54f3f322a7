/**
 * The client against our own server (and a scripted raw server where exact bytes matter), over
 * real sockets: http:send-request with URL strings and request records, persistent connections
 * passed back in, http:GET / http:POST, the cookie hack, the keep-alive pool,
 * http:close-all-connections!, http:read-body, and proxies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type net from 'node:net';
import {
  Agent, ProxyTable, closeAllConnections, defaultAgent, defaultProxies, get, makeRequest, post, readBodyWith,
  readResponseBody, request, sendRequest, type Args, type Server, type ServerConfig,
} from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';
import { ScriptedServer, rawResponse, waitUntil } from '../../support/client-fixtures.js';

let server: Server | null = null;
let scripted: ScriptedServer[] = [];
let agent = new Agent();

afterEach(async () => {
  agent.closeAll();
  agent = new Agent();
  closeAllConnections();
  defaultProxies.removeAll();
  for (const s of scripted) await s.close();
  scripted = [];
  await server?.stop({ timeout: 1000 });
  server = null;
});

async function scriptedServer(handler: Parameters<typeof ScriptedServer.start>[0]): Promise<ScriptedServer> {
  const s = await ScriptedServer.start(handler);
  scripted.push(s);
  return s;
}

interface Seen {
  method: string;
  url: string;
  protocol: string;
  attributes: Array<[string, string]>;
  body: unknown;
  args: Args;
}

/** Our server with an echo resource recording every request, and a count of accepted sockets. */
async function ownServer(extra?: (c: ServerConfig) => void): Promise<{ server: Server; seen: Seen[]; sockets: Set<net.Socket> }> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  server = await startServer((c) => {
    c.transport.accept = (s) => { sockets.add(s); return s; };
    const echo = (req: Parameters<Parameters<ServerConfig['addResource']>[1]>[0], args: Args, ex: Parameters<Parameters<ServerConfig['addResource']>[1]>[2]): void => {
      seen.push({ method: req.method, url: req.url, protocol: req.protocol, attributes: req.attributes.map(([n, v]) => [n, v]), body: req.body, args });
      ex.send(200, { 'Content-Type': 'text/plain' }, `${req.method} ${req.url} ${args.map(([k, v]) => `${k}=${v}`).join('&')}`);
    };
    c.addResource(['/echo', '/a', '/b', '/c'], echo);
    c.addResource('/body', (req, _a, ex) => {
      ex.send(200, { 'Content-Type': 'text/plain' }, `body=${typeof req.body === 'string' ? req.body : JSON.stringify(req.body)}`);
    });
    extra?.(c);
  });
  return { server, seen, sockets };
}

describe('sendRequest with a URL string', () => {
  it('sends exactly GET /path HTTP/1.0, Host and Connection: close', async () => {
    const s = await scriptedServer((conn) => conn.end(rawResponse('200 OK', [['Content-Type', 'text/plain']], 'hi')));
    for (const url of [`127.0.0.1:${s.port}/some/path?x=1`, `http://127.0.0.1:${s.port}/some/path?x=1`]) {
      const res = await sendRequest(url);
      expect(res.statusLine).toBe('HTTP/1.1 200 OK');
      expect((await readResponseBody(res)).body.toString()).toBe('hi');
      res.connection.destroy();
    }
    expect(s.requests.map((r) => r.head)).toEqual([
      `GET /some/path?x=1 HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
      `GET /some/path?x=1 HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`,
    ]);
  });

  it('our server sees GET, the path, HTTP/1.0, Host and Connection: close', async () => {
    const { seen } = await ownServer();
    const res = await sendRequest(`127.0.0.1:${server!.port}/echo?q=a+b`);
    expect(res.status).toBe(200);
    expect((await readResponseBody(res)).body.toString()).toBe('GET /echo?q=a+b q=a b');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.protocol).toBe('HTTP/1.0');
    expect(seen[0]!.attributes).toEqual([['host', `127.0.0.1:${server!.port}`], ['connection', 'close']]);
    expect(res.connection.reusable).toBe(false);
    // The server closes an HTTP/1.0 connection without keep-alive.
    await waitUntil(() => res.connection.closed, 2000, 'the server to close');
  });

  it('returns the status line without CRLF, lowercased trimmed headers in order with duplicates, and the body unread', async () => {
    const s = await scriptedServer((conn) => conn.write(
      'HTTP/1.1 200 Fine Thanks\r\nX-Alpha:   one  \r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\ncontent-LENGTH: 10\r\nX-Empty:\r\n\r\n0123456789'));
    const res = await sendRequest(`http://127.0.0.1:${s.port}/`);
    expect(res.statusLine).toBe('HTTP/1.1 200 Fine Thanks');
    expect(res.status).toBe(200);
    expect(res.protocol).toBe('HTTP/1.1');
    expect(res.headers).toEqual([
      ['x-alpha', 'one'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-length', '10'], ['x-empty', ''],
    ]);
    // The body is still on the connection's reader, byte for byte.
    const body = await res.connection.reader.readExactly(10);
    expect(body.toString()).toBe('0123456789');
    res.connection.destroy();
  });
});

describe('sendRequest with a request record', () => {
  it('sends METHOD target PROTOCOL, its attributes in order, Host added, Content-Length added for a body', async () => {
    const s = await scriptedServer((conn) => conn.end(rawResponse('201 Created', [], 'made')));
    const req = makeRequest('PUT', `http://127.0.0.1:${s.port}/things/1?v=2`,
      [['X-First', '1'], ['Content-Type', 'text/plain'], ['X-Last', 'z']], 'héllo', 'HTTP/1.1');
    const res = await sendRequest(req);
    expect(res.statusLine).toBe('HTTP/1.1 201 Created');
    expect((await readResponseBody(res)).body.toString()).toBe('made');
    res.connection.destroy();
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.head).toBe(
      `PUT /things/1?v=2 HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-First: 1\r\nContent-Type: text/plain\r\nX-Last: z\r\nContent-Length: 6\r\n\r\n`);
    expect(s.requests[0]!.body.toString()).toBe('héllo');
  });

  it('keeps a Host attribute the request has, and a path-only URL goes to that host', async () => {
    const s = await scriptedServer((conn) => conn.end(rawResponse('200 OK', [], 'ok')));
    const req = makeRequest('GET', '/only/path', [['Host', `127.0.0.1:${s.port}`], ['Accept', '*/*']]);
    const res = await sendRequest(req);
    await readResponseBody(res);
    res.connection.destroy();
    expect(s.requests[0]!.head).toBe(`GET /only/path HTTP/1.0\r\nHost: 127.0.0.1:${s.port}\r\nAccept: */*\r\n\r\n`);
  });

  it('reuses the connection passed back in: several HTTP/1.1 requests, one socket on the server', async () => {
    const { seen, sockets } = await ownServer();
    const url = (p: string): string => `http://127.0.0.1:${server!.port}${p}`;
    let res = await sendRequest(makeRequest('GET', url('/a?n=0'), [], null, 'HTTP/1.1'));
    const conn = res.connection;
    const bodies: string[] = [(await readResponseBody(res)).body.toString()];
    for (let i = 1; i < 4; i++) {
      expect(conn.reusable).toBe(true);
      res = await sendRequest(makeRequest(i % 2 ? 'POST' : 'GET', url(`/b?n=${i}`), [['Content-Type', 'application/x-www-form-urlencoded']], i % 2 ? `k=${i}` : null, 'HTTP/1.1'), conn);
      expect(res.connection).toBe(conn);
      bodies.push((await readResponseBody(res)).body.toString());
    }
    expect(bodies).toEqual(['GET /a?n=0 n=0', 'POST /b?n=1 n=1&k=1', 'GET /b?n=2 n=2', 'POST /b?n=3 n=3&k=3']);
    expect(sockets.size).toBe(1);
    expect(seen.map((s) => s.protocol)).toEqual(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1']);
    expect(conn.requests).toBe(4);
    conn.destroy();
  });

  it('refuses a closed connection passed back in', async () => {
    const { server: srv } = await ownServer();
    const res = await sendRequest(`127.0.0.1:${srv.port}/a`);
    await readResponseBody(res);
    res.connection.destroy();
    await expect(sendRequest(`127.0.0.1:${srv.port}/a`, res.connection)).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('get and post', () => {
  it('get returns the body; post sends "name=value" strings and pairs urlencoded', async () => {
    const { seen } = await ownServer();
    const base = `http://127.0.0.1:${server!.port}`;
    expect(await get(`${base}/echo?a=1`, { agent })).toBe('GET /echo?a=1 a=1');
    expect(await get(`127.0.0.1:${server!.port}/echo`, { agent })).toBe('GET /echo ');
    expect(await post(`${base}/echo`, ['x=1', 'y=two'], undefined, undefined, undefined, { agent })).toBe('POST /echo x=1&y=two');
    expect(await post(`${base}/echo`, [['name', 'a b&c=d'], ['ü', '✓']], undefined, undefined, undefined, { agent }))
      .toBe('POST /echo name=a b&c=d&ü=✓');
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(2);
    for (const p of posts) {
      expect(p.attributes.find(([n]) => n === 'content-type')?.[1]).toBe('application/x-www-form-urlencoded');
    }
    expect(posts[1]!.attributes.find(([n]) => n === 'content-length')?.[1]).toBe(String('name=a+b%26c%3Dd&%C3%BC=%E2%9C%93'.length));
  });

  it('post with a non-urlencoded request record joins pairs with DELIM1/DELIM2 and ENCODER', async () => {
    await ownServer();
    const url = `http://127.0.0.1:${server!.port}/body`;
    const req = makeRequest('POST', url, [['Content-Type', 'text/plain']], null, 'HTTP/1.1');
    const out = await post(req, [['a', 'one'], ['b', 'two'], 'c:raw'], ';', ':', (s) => s.toUpperCase(), { agent });
    expect(out).toBe('body=a:ONE;b:TWO;c:raw');
    // Defaults: "&", "=" and form-urlencoding, still not parsed as a form by the server.
    const req2 = makeRequest('POST', url, [['Content-Type', 'text/plain; charset=utf-8']], null, 'HTTP/1.1');
    expect(await post(req2, [['k', 'v w'], ['x', 'y']], undefined, undefined, undefined, { agent })).toBe('body=k=v+w&x=y');
  });

  it('post with an urlencoded request record (parameters ignored) urlencodes', async () => {
    await ownServer();
    const req = makeRequest('POST', `http://127.0.0.1:${server!.port}/echo`,
      [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']], null, 'HTTP/1.1');
    expect(await post(req, [['a', '1 2']], ';', ':', (s) => s, { agent })).toBe('POST /echo a=1 2');
  });

  it('the cookie hack: Set-Cookie is stored in the request record and sent back next time', async () => {
    const cookies: Array<string | undefined> = [];
    await ownServer((c) => {
      c.addResource('/cookie', (req, _a, ex) => {
        cookies.push(req.attributes.find(([n]) => n === 'cookie')?.[1]);
        ex.send(200, [['Set-Cookie', 'sid=abc; Path=/; HttpOnly'], ['Set-Cookie', `n=${cookies.length}`]], 'ok');
      });
    });
    const req = makeRequest('GET', `http://127.0.0.1:${server!.port}/cookie`, [['Accept', 'text/plain']], null, 'HTTP/1.1');
    expect(await get(req, { agent })).toBe('ok');
    expect(req.attributes).toEqual([['Accept', 'text/plain'], ['Cookie', 'sid=abc; n=1']]);
    expect(await get(req, { agent })).toBe('ok');
    expect(req.attributes).toEqual([['Accept', 'text/plain'], ['Cookie', 'sid=abc; n=2']]);
    const preq = makeRequest('POST', `http://127.0.0.1:${server!.port}/cookie`, [], null, 'HTTP/1.1');
    await post(preq, ['a=1'], undefined, undefined, undefined, { agent });
    expect(preq.attributes.find(([n]) => n === 'Cookie')?.[1]).toBe('sid=abc; n=3');
    await post(preq, ['a=2'], undefined, undefined, undefined, { agent });
    expect(cookies).toEqual([undefined, 'sid=abc; n=1', undefined, 'sid=abc; n=3']);
  });
});

describe('the keep-alive pool', () => {
  it('N sequential get()s use one socket, without piling up listeners on it', async () => {
    const { sockets } = await ownServer();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      const N = 25;
      for (let i = 0; i < N; i++) {
        expect(await get(`http://127.0.0.1:${server!.port}/echo?i=${i}`, { agent })).toBe(`GET /echo?i=${i} i=${i}`);
      }
      await new Promise((r) => setImmediate(r));
      expect(agent.connectionsOpened).toBe(1);
      expect(sockets.size).toBe(1);
      expect(agent.idleCount).toBe(1);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a request that asks for Connection: close does not go back to the pool', async () => {
    // A server that does not echo Connection: close and closes a little later.
    const s = await scriptedServer((conn) => {
      conn.write(rawResponse('200 OK', [], `r${conn.index}`));
      setTimeout(() => conn.end(), 100);
    });
    const url = `http://127.0.0.1:${s.port}/`;
    const mk = (): ReturnType<typeof makeRequest> => makeRequest('POST', url, [['Connection', 'close'], ['Content-Type', 'text/plain']], null, 'HTTP/1.1');
    expect(await post(mk(), ['a=1'], undefined, undefined, undefined, { agent })).toBe('r0');
    expect(agent.idleCount).toBe(0);
    // A POST is not retried: reusing the closing connection would fail it.
    expect(await post(mk(), ['a=2'], undefined, undefined, undefined, { agent })).toBe('r1');
    expect(s.connections).toHaveLength(2);
  });

  it('closeAllConnections closes idle pooled connections (the server sees them close)', async () => {
    await ownServer();
    const url = `http://127.0.0.1:${server!.port}/echo`;
    await get(url, { agent });
    await get(url);
    expect(agent.idleCount).toBe(1);
    expect(defaultAgent.idleCount).toBe(1);
    await waitUntil(() => server!.connectionCount === 2, 2000, 'two server connections');
    closeAllConnections(agent);
    expect(agent.idleCount).toBe(0);
    await waitUntil(() => server!.connectionCount === 1, 2000, 'the server to see one close');
    closeAllConnections();
    expect(defaultAgent.idleCount).toBe(0);
    await waitUntil(() => server!.connectionCount === 0, 2000, 'the server to see both closed');
    // The pool opens a fresh connection afterwards.
    expect(await get(url, { agent })).toBe('GET /echo ');
    expect(agent.connectionsOpened).toBe(2);
  });

  it('keeps pools apart per origin', async () => {
    await ownServer();
    const other = await scriptedServer((conn) => conn.write(rawResponse('200 OK', [], 'other')));
    expect(await get(`http://127.0.0.1:${server!.port}/a`, { agent })).toBe('GET /a ');
    expect(await get(`http://127.0.0.1:${other.port}/`, { agent })).toBe('other');
    expect(await get(`http://127.0.0.1:${server!.port}/a`, { agent })).toBe('GET /a ');
    expect(await get(`http://127.0.0.1:${other.port}/`, { agent })).toBe('other');
    expect(agent.connectionsOpened).toBe(2);
    expect(agent.idleCount).toBe(2);
  });
});

describe('the pool under concurrency and its limits', () => {
  it('concurrent get()s open one connection each; the next round reuses them', async () => {
    const { sockets } = await ownServer((c) => {
      c.addResource('/slow', async (_r, args, ex) => {
        await new Promise((r) => setTimeout(r, 30));
        ex.send(200, {}, `slow ${args[0]?.[1] ?? ''}`);
      });
    });
    const url = (i: number): string => `http://127.0.0.1:${server!.port}/slow?i=${i}`;
    const round = (): Promise<string[]> => Promise.all([0, 1, 2, 3, 4].map((i) => get(url(i), { agent })));
    expect(await round()).toEqual(['slow 0', 'slow 1', 'slow 2', 'slow 3', 'slow 4']);
    expect(agent.connectionsOpened).toBe(5);
    expect(agent.idleCount).toBe(5);
    expect(await round()).toEqual(['slow 0', 'slow 1', 'slow 2', 'slow 3', 'slow 4']);
    expect(agent.connectionsOpened).toBe(5);
    expect(sockets.size).toBe(5);
  });

  it('keeps at most maxIdlePerOrigin idle connections and closes them after idleTimeout', async () => {
    await ownServer((c) => {
      c.addResource('/slow', async (_r, _a, ex) => {
        await new Promise((r) => setTimeout(r, 30));
        ex.send(200, {}, 'slow');
      });
    });
    const small = new Agent({ maxIdlePerOrigin: 2, idleTimeout: 150 });
    try {
      const url = `http://127.0.0.1:${server!.port}/slow`;
      await Promise.all([1, 2, 3, 4].map(() => get(url, { agent: small })));
      expect(small.connectionsOpened).toBe(4);
      expect(small.idleCount).toBe(2);
      await waitUntil(() => server!.connectionCount === 2, 2000, 'the two extra connections to close');
      await waitUntil(() => small.idleCount === 0, 2000, 'the idle timeout');
      await waitUntil(() => server!.connectionCount === 0, 2000, 'the server to see them closed');
    } finally {
      small.closeAll();
    }
  });
});

describe('characters beyond ASCII', () => {
  it('a non-ASCII path is sent percent-encoded as UTF-8 and finds its resource', async () => {
    const { seen } = await ownServer((c) => {
      c.addResource('/café', (req, args, ex) => { ex.send(200, {}, `café ${req.url} ${args.map(([k, v]) => `${k}=${v}`).join('&')}`); });
    });
    const body = await get(`http://127.0.0.1:${server!.port}/café?q=ü ✓`.replace(' ', '+'), { agent });
    expect(body).toBe('café /caf%C3%A9?q=%C3%BC+%E2%9C%93 q=ü ✓');
    expect(seen).toHaveLength(0);
  });

  it('a latin1 header value arrives as sent; one beyond U+00FF is refused before sending', async () => {
    const { seen } = await ownServer();
    const url = `http://127.0.0.1:${server!.port}/echo`;
    await get(makeRequest('GET', url, [['X-Name', 'José Ñ']], null, 'HTTP/1.1'), { agent });
    expect(seen[0]!.attributes).toContainEqual(['x-name', 'José Ñ']);
    await expect(get(makeRequest('GET', url, [['X-Mark', '✓']], null, 'HTTP/1.1'), { agent }))
      .rejects.toMatchObject({ code: 'bad-request', url, message: expect.stringContaining('U+00FF') });
    await expect(get(makeRequest('GET', url, [['X-Bad', 'a\r\nInjected: 1']], null, 'HTTP/1.1'), { agent }))
      .rejects.toMatchObject({ code: 'bad-request' });
    expect(seen).toHaveLength(1);
  });
});

describe('readBodyWith (http:read-body)', () => {
  it('reads a Content-Length body, a chunked body and a body to the end of the stream', async () => {
    const big = 'x'.repeat(70_000);
    await ownServer((c) => {
      c.addResource('/len', (_r, _a, ex) => { ex.send(200, {}, 'by length'); });
      c.addResource('/chunked', async (_r, _a, ex) => {
        ex.write('Content-Type: text/plain\r\n\r\n');
        ex.write('first;');
        ex.out.flush();
        await new Promise((r) => setTimeout(r, 10));
        ex.write(big);
        ex.write(';last');
      });
    });
    const base = `http://127.0.0.1:${server!.port}`;
    let res = await sendRequest(makeRequest('GET', `${base}/len`, [], null, 'HTTP/1.1'));
    expect(res.headers.find(([n]) => n === 'content-length')?.[1]).toBe('9');
    expect((await readBodyWith(res.headers, res.connection)).toString()).toBe('by length');
    res = await sendRequest(makeRequest('GET', `${base}/chunked`, [], null, 'HTTP/1.1'), res.connection);
    expect(res.headers.find(([n]) => n === 'transfer-encoding')?.[1]).toBe('chunked');
    expect((await readBodyWith(res.headers, res.connection)).toString()).toBe(`first;${big};last`);
    res.connection.destroy();

    const s = await scriptedServer((conn) => conn.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\r\nof the stream'));
    res = await sendRequest(`127.0.0.1:${s.port}/`);
    expect((await readBodyWith(res.headers, res.connection)).toString()).toBe('until the end\r\nof the stream');
    res.connection.destroy();
  });
});

describe('proxies', () => {
  /** A raw proxy that answers with its name and the request line it received. */
  async function proxy(name: string): Promise<ScriptedServer> {
    return scriptedServer((conn, req) => conn.write(rawResponse('200 OK', [], `${name} ${req.requestLine}`)));
  }

  it('a string host, a regex and true; the most recent match wins; the absolute URL is sent', async () => {
    const [a, b, c] = [await proxy('A'), await proxy('B'), await proxy('C')];
    const table = new ProxyTable();
    const opts = { agent, proxies: table };
    table.add('Example.TEST', '127.0.0.1', a.port);
    expect(await get('http://example.test:8080/p?q=1', opts)).toBe('A GET http://example.test:8080/p?q=1 HTTP/1.1');
    expect(a.requests[0]!.headers).toContainEqual(['Host', 'example.test:8080']);
    table.add(/\.test$/, '127.0.0.1', b.port);
    expect(await get('http://example.test:8080/p?q=1', opts)).toBe('B GET http://example.test:8080/p?q=1 HTTP/1.1');
    expect(await get('other.test/x', opts)).toBe('B GET http://other.test/x HTTP/1.1');
    table.add(true, '127.0.0.1', c.port);
    expect(await get('http://example.test/z', opts)).toBe('C GET http://example.test/z HTTP/1.1');
    expect(await post('http://anything.example/f', ['a=1'], undefined, undefined, undefined, opts)).toBe('C POST http://anything.example/f HTTP/1.1');
    // http:send-request goes through the proxy as well.
    const res = await sendRequest('some.host:81/page', null, { proxies: table });
    expect((await readResponseBody(res)).body.toString()).toBe('C GET http://some.host:81/page HTTP/1.0');
    res.connection.destroy();
    expect(c.requests.at(-1)!.headers).toEqual([['Host', 'some.host:81'], ['Connection', 'close']]);
    expect(a.requests).toHaveLength(1);
    expect(b.requests).toHaveLength(2);
  });

  it('the process-wide table (http:add-proxy) and removeAll (http:remove-all-proxies!)', async () => {
    await ownServer();
    const p = await proxy('P');
    const direct = `http://127.0.0.1:${server!.port}/a`;
    defaultProxies.add('127.0.0.1', '127.0.0.1', p.port);
    expect(await get(direct, { agent })).toBe(`P GET ${direct} HTTP/1.1`);
    expect(defaultProxies.size).toBe(1);
    defaultProxies.removeAll();
    expect(defaultProxies.size).toBe(0);
    expect(await get(direct, { agent })).toBe('GET /a ');
    // A host no pattern matches goes direct.
    const table = new ProxyTable();
    table.add('elsewhere', '127.0.0.1', p.port);
    table.add(/^10\./, '127.0.0.1', p.port);
    expect(await get(direct, { agent, proxies: table })).toBe('GET /a ');
    expect(p.requests).toHaveLength(1);
  });

  it('request() through a proxy keeps the method and body', async () => {
    const p = await scriptedServer((conn, req) => conn.write(rawResponse('200 OK', [], `${req.requestLine} ${req.body.toString()}`)));
    const table = new ProxyTable();
    table.add(true, '127.0.0.1', p.port);
    const res = await request(makeRequest('PUT', 'http://api.example/v1', [], 'data', 'HTTP/1.1'), { agent, proxies: table });
    expect(res.body.toString()).toBe('PUT http://api.example/v1 HTTP/1.1 data');
  });
});
