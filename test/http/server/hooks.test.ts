/**
 * Hooks and counters: `http:startup-hook`, INIT, `http:error-hook`, `http:log-hook`,
 * `http:current-request-count`, `http:request-count-limit` and the debug flag.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ServerConfig, createServer, type HttpRequest, type Server } from '../../../src/http/index.js';
import { startServer, raw, header, RawConnection } from '../../support/net.js';
import {
  awaitResponses, closedWithin, defaultPage, exchange, gate, get, getReq, portIsFree, request1, responsesOf, sleep, splitHead, waitFor,
} from '../../support/server-features.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

describe('startup hook and init', () => {
  it('init, then the startup hook, each once, before the first request; the socket already listens', async () => {
    const events: string[] = [];
    let portAtInit = -1;
    const config = new ServerConfig();
    config.errorHook = () => undefined;
    config.startupHook = () => { events.push('startup'); };
    config.addResource('/', (_r, _a, ex) => { events.push('request'); ex.write('\r\nok'); });
    const s = createServer({
      host: '127.0.0.1', port: 0, config,
      init: () => { events.push('init'); portAtInit = s.port; },
    });
    server = s;
    await s.start();
    expect(events).toEqual(['init', 'startup']);
    expect(portAtInit).toBe(s.port);
    expect(portAtInit).toBeGreaterThan(0);
    await get(s.port, '/');
    await get(s.port, '/');
    expect(events).toEqual(['init', 'startup', 'request', 'request']);
  });

  it('an async startup hook finishes before a connection made meanwhile is served', async () => {
    const events: string[] = [];
    let early: Promise<{ text: string; closed: boolean }> | null = null;
    const config = new ServerConfig();
    config.errorHook = () => undefined;
    config.addResource('/', (_r, _a, ex) => { events.push('request'); ex.write('\r\nok'); });
    const s = createServer({ host: '127.0.0.1', port: 0, config });
    config.startupHook = async () => {
      events.push('startup-begin');
      // The socket listens: a client can connect now, but must not be served yet.
      early = raw(s.port, getReq('/', 'Connection: close'), { waitMs: 3000 });
      await sleep(150);
      events.push('startup-end');
    };
    server = s;
    await s.start();
    expect(early).not.toBeNull();
    const res = await early!;
    expect(responsesOf(res.text)[0]!.body).toBe('ok');
    expect(events).toEqual(['startup-begin', 'startup-end', 'request']);
  });

  it('a startup hook that throws makes start() reject and frees the port', async () => {
    const config = new ServerConfig();
    config.errorHook = () => undefined;
    config.startupHook = () => { throw new Error('no startup today'); };
    let port = 0;
    const s = createServer({ host: '127.0.0.1', port: 0, config, init: () => { port = s.port; } });
    server = s;
    await expect(s.start()).rejects.toThrow('no startup today');
    expect(port).toBeGreaterThan(0);
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('error hook', () => {
  it('a handler that throws: the hook gets the error and the request, a 500 page is sent, the connection closes, the server goes on', async () => {
    const boom = new Error('boom');
    const heard: Array<{ error: unknown; url: string | undefined }> = [];
    server = await startServer((c) => {
      c.errorHook = (error, request) => { heard.push({ error, url: request?.url }); };
      c.addResource('/boom', () => { throw boom; });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nstill here'); });
    });
    // A second request pipelined behind the failing one is not answered: the connection closes.
    const res = await raw(server.port, getReq('/boom') + getReq('/ok'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    const rs = responsesOf(res.text);
    expect(rs).toHaveLength(1);
    expect(rs[0]!.statusLine).toBe('HTTP/1.1 500 Internal Server Error');
    expect(header(rs[0]!, 'content-type')).toBe('text/html');
    expect(rs[0]!.body).toBe(defaultPage(500, 'Internal Server Error'));
    expect(header(rs[0]!, 'content-length')).toBe(String(rs[0]!.body.length));
    expect(header(rs[0]!, 'connection')?.toLowerCase()).toBe('close');
    expect(heard).toHaveLength(1);
    expect(heard[0]!.error).toBe(boom);
    expect(heard[0]!.url).toBe('/boom');
    const next = await get(server.port, '/ok');
    expect(next.body).toBe('still here');
  });

  it('buffered output written before the throw is replaced by the 500 page', async () => {
    server = await startServer((c) => c.addResource('/half', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\nX-Half: 1\r\n\r\nhalf a bo');
      throw new Error('midway');
    }));
    const res = await raw(server.port, getReq('/half'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    const [r] = responsesOf(res.text);
    expect(r!.status).toBe(500);
    expect(header(r!, 'x-half')).toBeUndefined();
    expect(r!.body).toBe(defaultPage(500, 'Internal Server Error'));
  });

  it('an async handler that rejects is treated the same way', async () => {
    const heard: unknown[] = [];
    server = await startServer((c) => {
      c.errorHook = (e) => { heard.push(e); };
      c.addResource('/later', async () => { await sleep(20); throw new TypeError('async failure'); });
    });
    const res = await raw(server.port, getReq('/later'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    expect(responsesOf(res.text)[0]!.status).toBe(500);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeInstanceOf(TypeError);
    expect((heard[0] as Error).message).toBe('async failure');
  });

  it('the 500 page comes from the errorResponseHandler', async () => {
    server = await startServer((c) => {
      c.errorResponseHandler = (code, message) => `<b>${code} ${message}</b>`;
      c.addResource('/boom', () => { throw new Error('x'); });
    });
    const res = await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    expect(responsesOf(res.text)[0]!.body).toBe('<b>500 Internal Server Error</b>');
  });

  it('a handler that throws after streaming more than 64 KiB: the connection is cut and the server goes on', async () => {
    const heard: unknown[] = [];
    const big = 'x'.repeat(100 * 1024);
    server = await startServer((c) => {
      c.errorHook = (e) => { heard.push(e); };
      c.addResource('/cut', (_r, _a, ex) => {
        ex.write('Content-Type: text/plain\r\n\r\n');
        ex.write(big);
        throw new Error('after streaming');
      });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
    });
    const res = await raw(server.port, getReq('/cut'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    const { head, rest } = splitHead(res.text);
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    // No last chunk: the client can tell the body was cut short.
    expect(rest.endsWith('0\r\n\r\n')).toBe(false);
    expect(responsesOf(res.text)).toHaveLength(0);
    expect(res.text).not.toContain('500 Internal Server Error');
    expect(heard).toHaveLength(1);
    expect((heard[0] as Error).message).toBe('after streaming');
    expect((await get(server.port, '/ok')).body).toBe('ok');
  });

  it('an error hook that itself throws does not stop the server', async () => {
    server = await startServer((c) => {
      c.errorHook = () => { throw new Error('hook failed too'); };
      c.addResource('/boom', () => { throw new Error('x'); });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
    });
    const res = await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    expect(responsesOf(res.text)[0]!.status).toBe(500);
    expect((await get(server.port, '/ok')).body).toBe('ok');
  });
});

describe('log hook and request count', () => {
  it('the log hook gets (request, ip) after every request: 200, 404, 500 and 501 included', async () => {
    const log: Array<{ method: string; url: string; ip: string }> = [];
    server = await startServer((c) => {
      c.logHook = (request: HttpRequest, ip: string) => { log.push({ method: request.method, url: request.url, ip }); };
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
      c.addResource('/boom', () => { throw new Error('boom'); });
    });
    const { responses, conn } = await exchange(server.port, getReq('/ok?a=1') + getReq('/missing'), 2);
    conn.destroy();
    expect(responses.map((r) => r.status)).toEqual([200, 404]);
    await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    const patch = await request1(server.port, 'PATCH /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    expect(patch.status).toBe(501);
    await waitFor(() => log.length >= 4, 2000, 'four log entries');
    expect(log).toEqual([
      { method: 'GET', url: '/ok?a=1', ip: '127.0.0.1' },
      { method: 'GET', url: '/missing', ip: '127.0.0.1' },
      { method: 'GET', url: '/boom', ip: '127.0.0.1' },
      { method: 'PATCH', url: '/ok', ip: '127.0.0.1' },
    ]);
  });

  it('the log hook runs after the handler has finished', async () => {
    const events: string[] = [];
    server = await startServer((c) => {
      c.logHook = () => { events.push('log'); };
      c.addResource('/slow', async (_r, _a, ex) => { events.push('start'); await sleep(30); ex.write('\r\ndone'); events.push('end'); });
    });
    await get(server.port, '/slow');
    await waitFor(() => events.length >= 3, 2000, 'the log hook');
    expect(events).toEqual(['start', 'end', 'log']);
  });

  it('requestCount counts the requests handled since start, errors included', async () => {
    server = await startServer((c) => {
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
      c.addResource('/boom', () => { throw new Error('boom'); });
    });
    expect(server.requestCount).toBe(0);
    await get(server.port, '/ok');
    expect(server.requestCount).toBe(1);
    const { conn } = await exchange(server.port, getReq('/ok') + getReq('/nope') + getReq('/ok'), 3);
    conn.destroy();
    expect(server.requestCount).toBe(4);
    await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    await waitFor(() => server!.requestCount === 5, 2000, 'requestCount 5');
    expect(server.config.requestCount).toBe(5);
  });
});

describe('request count limit', () => {
  it('with a limit of 1, a second concurrent request gets 503 while the first is held; then requests are served again', async () => {
    const hold = gate(5000);
    let entered = false;
    server = await startServer((c) => {
      c.requestCountLimit = 1;
      c.addResource('/slow', async (_r, _a, ex) => { entered = true; await hold.promise; ex.write('\r\nslow done'); });
      c.addResource('/fast', (_r, _a, ex) => { ex.write('\r\nfast'); });
    });
    const slow = await RawConnection.open(server.port);
    try {
      slow.write(getReq('/slow'));
      await waitFor(() => entered, 2000, 'the slow handler');
      const res = await raw(server.port, getReq('/fast'), { waitMs: 3000 });
      const [busy] = responsesOf(res.text);
      expect(busy!.statusLine).toBe('HTTP/1.1 503 Service Unavailable');
      expect(busy!.body).toBe(defaultPage(503, 'Service Unavailable'));
      expect(res.closed).toBe(true);
      hold.release();
      const [done] = await awaitResponses(slow, 1);
      expect(done!.status).toBe(200);
      expect(done!.body).toBe('slow done');
    } finally {
      hold.release();
      slow.destroy();
    }
    const again = await get(server.port, '/fast');
    expect(again.status).toBe(200);
    expect(again.body).toBe('fast');
    expect(server.config.activeRequests).toBe(0);
  });

  it('with the default limit, concurrent requests are all served', async () => {
    const hold = gate(5000);
    let entered = 0;
    server = await startServer((c) => {
      c.addResource('/slow', async (_r, _a, ex) => { entered++; await hold.promise; ex.write('\r\nok'); });
    });
    expect(server.config.requestCountLimit).toBe(1024);
    const all = Array.from({ length: 5 }, () => request1(server!.port, getReq('/slow')));
    await waitFor(() => entered === 5, 2000, 'five handlers running at once');
    hold.release();
    const rs = await Promise.all(all);
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('debug output', () => {
  it('createServer({debug: fn}) gets one line per request: IP METHOD URL PROTOCOL -> STATUS in MS ms', async () => {
    const lines: string[] = [];
    server = await startServer((c) => {
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
      c.addResource('/boom', () => { throw new Error('boom'); });
    }, { debug: (line: string) => { lines.push(line); } });
    await get(server.port, '/ok?x=1');
    await raw(server.port, 'GET /missing HTTP/1.0\r\n\r\n', { waitMs: 3000 });
    await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    await request1(server.port, 'HEAD /ok HTTP/1.1\r\nHost: t\r\n\r\n', { headOnly: true });
    await waitFor(() => lines.length >= 4, 2000, 'four debug lines');
    await sleep(20);
    expect(lines).toHaveLength(4);
    const ms = '\\d+(\\.\\d+)? ms';
    expect(lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1 GET /ok\\?x=1 HTTP/1\\.1 -> 200 in ${ms}$`));
    expect(lines[1]).toMatch(new RegExp(`^127\\.0\\.0\\.1 GET /missing HTTP/1\\.0 -> 404 in ${ms}$`));
    expect(lines[2]).toMatch(new RegExp(`^127\\.0\\.0\\.1 GET /boom HTTP/1\\.1 -> 500 in ${ms}$`));
    expect(lines[3]).toMatch(new RegExp(`^127\\.0\\.0\\.1 HEAD /ok HTTP/1\\.1 -> 200 in ${ms}$`));
  });

  it('the time in a debug line covers the handler\'s run', async () => {
    const lines: string[] = [];
    server = await startServer((c) => {
      c.addResource('/slow', async (_r, _a, ex) => { await sleep(60); ex.write('\r\nok'); });
    }, { debug: (line: string) => { lines.push(line); } });
    await get(server.port, '/slow');
    await waitFor(() => lines.length >= 1, 2000, 'a debug line');
    const m = / in (\d+(?:\.\d+)?) ms$/.exec(lines[0]!);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(50);
  });

  it('a handler-written status is what the debug line reports', async () => {
    const lines: string[] = [];
    server = await startServer((c) => {
      c.addResource('/made', (_r, _a, ex) => { ex.writeResponseHeader(201, 'Created'); ex.write('\r\n'); });
    }, { debug: (line: string) => { lines.push(line); } });
    await get(server.port, '/made');
    await waitFor(() => lines.length >= 1, 2000, 'a debug line');
    expect(lines[0]).toMatch(/ -> 201 in /);
  });
});

describe('the server keeps serving', () => {
  it('after a mix of failures, a persistent connection still serves many requests', async () => {
    server = await startServer((c) => {
      c.addResource('/boom', () => { throw new Error('boom'); });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
    });
    for (let i = 0; i < 3; i++) await raw(server.port, getReq('/boom'), { waitMs: 3000 });
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(getReq('/ok').repeat(10));
      const rs = await awaitResponses(conn, 10);
      expect(rs.map((r) => r.body)).toEqual(Array(10).fill('ok'));
      expect(await closedWithin(conn, 100)).toBe(false);
    } finally {
      conn.destroy();
    }
  });
});
