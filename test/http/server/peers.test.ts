/**
 * Real peers against the server: curl, Node's fetch and node:http with a keep-alive Agent;
 * binding (no host, IPv4, IPv6, localhost) and stopping.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Args, ResourceHandler, Server } from '../../../src/http/index.js';
import { startServer, RawConnection } from '../../support/net.js';
import {
  awaitResponses, closedWithin, connectRefused, countConnections, gate, get, getReq, ipv6LoopbackAvailable,
  portIsFree, rawAt, responsesOf, run, sleep, waitFor,
} from '../../support/server-features.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

const CURL = '/usr/bin/curl';
const HELLO = '<h1>Hello, world!</h1>\n';

/** The seed's hello-world handler. */
const hello: ResourceHandler = (_r, _a, ex) => {
  const msg = '<h1>Hello, world!</h1>';
  ex.write(`Content-type: text/html\r\nContent-length: ${msg.length + 1}\r\n\r\n${msg}\n`);
};

/** Echoes the method, url and args as JSON. */
const echo: ResourceHandler = (request, args: Args, ex) => {
  ex.write(`Content-Type: application/json\r\n\r\n${JSON.stringify({ method: request.method, url: request.url, args })}`);
};

let hasIpv6 = false;
beforeAll(async () => { hasIpv6 = await ipv6LoopbackAvailable(); });

describe('curl', () => {
  it('curl -sv gets the hello page with correct framing', async () => {
    server = await startServer((c) => c.addResource(['/', '/index.html'], hello));
    const r = await run(CURL, ['-sv', '--max-time', '5', `http://127.0.0.1:${server.port}/`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(HELLO);
    expect(r.stderr).toContain('< HTTP/1.1 200 OK');
    expect(r.stderr).toContain('< Server: (Silly)');
    expect(r.stderr).toMatch(/< Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/);
    expect(r.stderr).toMatch(/< Content-length: 23\r?\n/i);
    expect(r.stderr).toContain('{ [23 bytes data]');
    expect(r.stderr).toContain('left intact');
    expect(r.stderr).not.toMatch(/transfer closed|Excess found|Illegal|malformed/i);
  });

  it('two URLs in one curl command reuse one connection', async () => {
    let conns: { readonly count: number } = { count: 0 };
    server = await startServer((c) => { conns = countConnections(c); c.addResource(['/', '/index.html'], hello); });
    const base = `http://127.0.0.1:${server.port}`;
    const r = await run(CURL, ['-sv', '--max-time', '5', `${base}/`, `${base}/index.html`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(HELLO + HELLO);
    expect(r.stderr).toMatch(/Re-using existing connection/);
    expect(r.stderr.match(/\* Connected to /g)).toHaveLength(1);
    expect(conns.count).toBe(1);
  });

  it('curl sees a chunked body of more than 64 KiB intact', async () => {
    const body = 'chunk-me '.repeat(20_000);
    server = await startServer((c) => c.addResource('/big', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\n\r\n');
      for (let i = 0; i < body.length; i += 16_384) ex.write(body.slice(i, i + 16_384));
    }));
    const r = await run(CURL, ['-sv', '--max-time', '5', `http://127.0.0.1:${server.port}/big`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/< Transfer-Encoding: chunked/i);
    expect(r.stdout.length).toBe(body.length);
    expect(r.stdout === body).toBe(true);
  });

  it('curl HEAD (-I) gets the headers without a body and exits cleanly', async () => {
    server = await startServer((c) => c.addResource('/', hello));
    const r = await run(CURL, ['-sI', '--max-time', '5', `http://127.0.0.1:${server.port}/`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toMatch(/Content-length: 23\r\n/i);
    expect(r.stdout.endsWith('\r\n\r\n')).toBe(true);
    expect(r.stdout).not.toContain('Hello');
  });

  it('curl --data posts an urlencoded body that reaches the args', async () => {
    server = await startServer((c) => c.addResource('/form', echo));
    const r = await run(CURL, ['-s', '--max-time', '5', '--data', 'name=J%C3%B6rg&x=a+b', `http://127.0.0.1:${server.port}/form?q=1`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ method: 'POST', url: '/form?q=1', args: [['q', '1'], ['name', 'Jörg'], ['x', 'a b']] });
  });
});

describe('Node clients', () => {
  it('global fetch gets the body and the status', async () => {
    server = await startServer((c) => c.addResource('/', hello));
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { signal: AbortSignal.timeout(3000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('server')).toBe('(Silly)');
    expect(await res.text()).toBe(HELLO);
    const missing = await fetch(`http://127.0.0.1:${server.port}/missing`, { signal: AbortSignal.timeout(3000) });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<h1>404 Not Found</h1>');
  });

  it('fetch POST with an urlencoded body reaches the args', async () => {
    server = await startServer((c) => c.addResource('/form', echo));
    const res = await fetch(`http://127.0.0.1:${server.port}/form?q=1&flag`, {
      method: 'POST', body: new URLSearchParams([['a', '1'], ['b', 'x y'], ['c', 'é&=']]), signal: AbortSignal.timeout(3000),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'POST', url: '/form?q=1&flag', args: [['q', '1'], ['flag', ''], ['a', '1'], ['b', 'x y'], ['c', 'é&=']],
    });
  });

  it('fetch gets a chunked body of more than 64 KiB intact', async () => {
    const body = 'fetch-chunk '.repeat(10_000);
    server = await startServer((c) => c.addResource('/big', (_r, _a, ex) => { ex.write('\r\n'); ex.write(body); }));
    const res = await fetch(`http://127.0.0.1:${server.port}/big`, { signal: AbortSignal.timeout(3000) });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe(body);
  });

  it('node:http with a keepAlive Agent makes two requests over one socket', async () => {
    let conns: { readonly count: number; readonly sockets: net.Socket[] } = { count: 0, sockets: [] };
    const served: number[] = [];
    server = await startServer((c) => {
      conns = countConnections(c);
      c.addResource('/n', (_r, args, ex) => { served.push(Number(args[0]![1])); ex.write(`\r\nreply ${args[0]![1]}`); });
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const port = server.port;
    const one = (n: number): Promise<{ status: number; body: string; localPort: number }> => new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/n?i=${n}`, agent, timeout: 3000 }, (res) => {
        let body = '';
        // Read now: at 'end' the socket has gone back to the agent.
        const localPort = res.socket.localPort ?? -1;
        res.setEncoding('latin1');
        res.on('data', (c: string) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, localPort }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
    });
    try {
      const a = await one(1);
      const b = await one(2);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect([a.body, b.body]).toEqual(['reply 1', 'reply 2']);
      expect(a.localPort).toBe(b.localPort);
      expect(conns.count).toBe(1);
      expect(conns.sockets[0]!.remotePort).toBe(a.localPort);
      expect(served).toEqual([1, 2]);
    } finally {
      agent.destroy();
    }
  });
});

describe('binding', () => {
  it('a server started without a host is reachable at 127.0.0.1, at [::1] and at localhost', async () => {
    server = await startServer((c) => c.addResource('/', hello), { host: undefined });
    const port = server.port;
    const v4 = await rawAt('127.0.0.1', port, getReq('/', 'Connection: close'));
    expect(responsesOf(v4.text)[0]!.body).toBe(HELLO);
    if (hasIpv6) {
      const v6 = await rawAt('::1', port, getReq('/', 'Connection: close'));
      expect(responsesOf(v6.text)[0]!.body).toBe(HELLO);
      const curl6 = await run(CURL, ['-sg', '--max-time', '5', `http://[::1]:${port}/`]);
      expect(curl6.stdout).toBe(HELLO);
    }
    const res = await fetch(`http://localhost:${port}/`, { signal: AbortSignal.timeout(3000) });
    expect(await res.text()).toBe(HELLO);
    const curlLocal = await run(CURL, ['-s', '--max-time', '5', `http://localhost:${port}/`]);
    expect(curlLocal.stdout).toBe(HELLO);
  });

  it('host null behaves as no host', async () => {
    server = await startServer((c) => c.addResource('/', hello), { host: null });
    const v4 = await rawAt('127.0.0.1', server.port, getReq('/', 'Connection: close'));
    expect(responsesOf(v4.text)[0]!.body).toBe(HELLO);
    if (hasIpv6) {
      const v6 = await rawAt('::1', server.port, getReq('/', 'Connection: close'));
      expect(responsesOf(v6.text)[0]!.body).toBe(HELLO);
    }
  });

  it('the log hook and request.ip give the peer address of each family', async () => {
    const ips: string[] = [];
    server = await startServer((c) => {
      c.logHook = (_request, ip) => { ips.push(ip); };
      c.addResource('/', (request, _a, ex) => { ex.write(`\r\n${request.ip ?? 'none'}`); });
    }, { host: undefined });
    const v4 = await rawAt('127.0.0.1', server.port, getReq('/', 'Connection: close'));
    expect(responsesOf(v4.text)[0]!.body).toBe('127.0.0.1');
    const expected = ['127.0.0.1'];
    if (hasIpv6) {
      const v6 = await rawAt('::1', server.port, getReq('/', 'Connection: close'));
      expect(responsesOf(v6.text)[0]!.body).toBe('::1');
      expected.push('::1');
    }
    await waitFor(() => ips.length === expected.length, 2000, 'log entries');
    expect(ips).toEqual(expected);
  });

  it('a server bound to 127.0.0.1 is not reachable at [::1]', async (ctx) => {
    if (!hasIpv6) ctx.skip();
    server = await startServer((c) => c.addResource('/', hello));
    await expect(rawAt('::1', server.port, getReq('/'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('stop', () => {
  it('stop() resolves only after every connection is closed; busy responses finish; the port is free afterwards', async () => {
    const hold = gate(5000);
    let entered = false;
    server = await startServer((c) => {
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
      c.addResource('/slow', async (_r, _a, ex) => { entered = true; await hold.promise; ex.write('\r\nslow done'); });
    });
    const port = server.port;
    const idle = await RawConnection.open(port);
    const busy = await RawConnection.open(port);
    try {
      idle.write(getReq('/ok'));
      expect((await awaitResponses(idle, 1))[0]!.body).toBe('ok');
      busy.write(getReq('/slow'));
      await waitFor(() => entered, 2000, 'the slow handler');
      expect(server.connectionCount).toBe(2);

      let resolved = false;
      const stopping = server.stop({ timeout: 3000 }).then(() => { resolved = true; });
      // The idle connection is closed at once; new connections are refused.
      expect(await closedWithin(idle, 1000)).toBe(true);
      expect(await connectRefused(port)).toBe(true);
      await sleep(100);
      expect(resolved).toBe(false);
      expect(server.connectionCount).toBe(1);

      hold.release();
      await stopping;
      expect(server.connectionCount).toBe(0);
      const rs = await awaitResponses(busy, 1);
      expect(rs[0]!.body).toBe('slow done');
      expect(await closedWithin(busy, 1000)).toBe(true);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      hold.release();
      idle.destroy();
      busy.destroy();
    }
  });

  it('stop() with no connections resolves promptly and frees the port', async () => {
    server = await startServer((c) => c.addResource('/', hello));
    const port = server.port;
    expect((await get(port, '/')).body).toBe(HELLO);
    const t0 = Date.now();
    await server.stop({ timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(server.connectionCount).toBe(0);
    expect(await portIsFree(port)).toBe(true);
    expect(await connectRefused(port)).toBe(true);
  });

  it('stop({timeout}) closes a connection stuck in the middle of a request head', async () => {
    server = await startServer((c) => c.addResource('/', hello));
    const port = server.port;
    const stuck = await RawConnection.open(port);
    try {
      stuck.write('GET / HTTP/1.1\r\nHost: t\r\nX-Partial: ');
      await waitFor(() => server!.connectionCount === 1, 1000, 'the connection to be accepted');
      await sleep(30);
      const t0 = Date.now();
      await server.stop({ timeout: 300 });
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2000);
      expect(server.connectionCount).toBe(0);
      expect(await closedWithin(stuck, 1000)).toBe(true);
      expect(await portIsFree(port)).toBe(true);
    } finally {
      stuck.destroy();
    }
  });

  it('the closed promise resolves with stop()', async () => {
    server = await startServer((c) => c.addResource('/', hello));
    let closed = false;
    void server.closed.then(() => { closed = true; });
    await sleep(20);
    expect(closed).toBe(false);
    await server.stop({ timeout: 1000 });
    await sleep(0);
    expect(closed).toBe(true);
  });
});
