/**
 * The request record of http-utils: `http:make-request`, `http:request?` and the accessors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpRequest, isRequest, makeRequest } from '../../src/http/request.js';
import type { Args, Headers, Server } from '../../src/http/index.js';
import { parseResponses, raw, startServer } from '../support/net.js';

describe('makeRequest', () => {
  it('has the documented defaults: attributes (), body #f, protocol HTTP/1.0, ip #f, sslctx #f', () => {
    const r = makeRequest('GET', '/index.html');
    expect(r.method).toBe('GET');
    expect(r.url).toBe('/index.html');
    expect(r.attributes).toEqual([]);
    expect(r.body).toBeNull();
    expect(r.protocol).toBe('HTTP/1.0');
    expect(r.ip).toBeNull();
    expect(r.sslctx).toBeNull();
  });

  it('takes every optional argument in order: attributes, body, protocol, ip', () => {
    const attrs: Headers = [['host', 'example.org'], ['x-a', '1']];
    const r = makeRequest('POST', '/form', attrs, 'a=1', 'HTTP/1.1', '10.0.0.1');
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/form');
    expect(r.attributes).toBe(attrs);
    expect(r.body).toBe('a=1');
    expect(r.protocol).toBe('HTTP/1.1');
    expect(r.ip).toBe('10.0.0.1');
    expect(r.sslctx).toBeNull();
  });

  it('lets a later argument be given while an earlier one keeps its default', () => {
    const r = makeRequest('GET', '/', undefined, undefined, 'HTTP/1.1');
    expect(r.attributes).toEqual([]);
    expect(r.body).toBeNull();
    expect(r.protocol).toBe('HTTP/1.1');
  });

  it('gives each request its own default attribute list', () => {
    const a = makeRequest('GET', '/a');
    const b = makeRequest('GET', '/b');
    a.attributes.push(['x', '1']);
    expect(b.attributes).toEqual([]);
    expect(makeRequest('GET', '/c').attributes).toEqual([]);
  });

  it('keeps any value as the body', () => {
    const body = { parsed: [['a', '1']] };
    expect(makeRequest('POST', '/', [], body).body).toBe(body);
    expect(makeRequest('POST', '/', [], '').body).toBe('');
  });

  it('is the same record as new HttpRequest', () => {
    const r = new HttpRequest('HEAD', '/x');
    expect(r).toEqual(makeRequest('HEAD', '/x'));
    expect(r.trailers).toEqual([]);
  });
});

describe('request accessors', () => {
  it('reads and sets every field', () => {
    const r = makeRequest('GET', '/');
    r.method = 'POST';
    r.url = '/other?x=1';
    r.protocol = 'HTTP/1.1';
    const attrs: Headers = [['content-type', 'text/plain']];
    r.attributes = attrs;
    r.body = 'hello';
    r.ip = '192.0.2.7';
    const ctx = { fake: 'ssl context' };
    r.sslctx = ctx;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/other?x=1');
    expect(r.protocol).toBe('HTTP/1.1');
    expect(r.attributes).toBe(attrs);
    expect(r.body).toBe('hello');
    expect(r.ip).toBe('192.0.2.7');
    expect(r.sslctx).toBe(ctx);
    // And back to "false".
    r.body = null;
    r.ip = null;
    r.sslctx = null;
    expect(r.body).toBeNull();
    expect(r.ip).toBeNull();
    expect(r.sslctx).toBeNull();
  });

  it('changes one field without touching the others', () => {
    const r = makeRequest('GET', '/a', [['a', '1']], 'b', 'HTTP/1.1', '::1');
    r.url = '/b';
    expect(r).toMatchObject({ method: 'GET', url: '/b', attributes: [['a', '1']], body: 'b', protocol: 'HTTP/1.1', ip: '::1', sslctx: null });
  });
});

describe('isRequest', () => {
  it('is true for request records', () => {
    expect(isRequest(makeRequest('GET', '/'))).toBe(true);
    expect(isRequest(new HttpRequest('POST', '/x', [], 'b', 'HTTP/1.1', '127.0.0.1'))).toBe(true);
  });

  it('is false for anything else, including a look-alike object', () => {
    const lookAlike = { method: 'GET', url: '/', protocol: 'HTTP/1.0', attributes: [], body: null, ip: null, sslctx: null, trailers: [] };
    for (const x of [lookAlike, null, undefined, 0, '', 'GET / HTTP/1.0', [], {}, () => undefined]) {
      expect(isRequest(x)).toBe(false);
    }
  });
});

describe('the request record a handler receives over a socket', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  async function capture(bytes: string, path = '/r'): Promise<{ request: HttpRequest; args: Args; status: number }> {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource(path, (request, args, ex) => {
      calls.push([request, args]);
      ex.send(200, {}, 'ok');
    }));
    const res = await raw(server.port, bytes);
    const rs = parseResponses(res.text, bytes.startsWith('HEAD '));
    expect(calls).toHaveLength(1);
    return { request: calls[0]![0], args: calls[0]![1], status: rs[0]!.status };
  }

  it('has the method, url, protocol, attributes and peer ip of an HTTP/1.1 GET', async () => {
    const { request, args, status } = await capture(
      'GET /r?x=1&y HTTP/1.1\r\nHost: example.org\r\nX-Thing:  some value \r\nConnection: close\r\n\r\n');
    expect(status).toBe(200);
    expect(isRequest(request)).toBe(true);
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/r?x=1&y');
    expect(request.protocol).toBe('HTTP/1.1');
    expect(request.attributes).toEqual([['host', 'example.org'], ['x-thing', 'some value'], ['connection', 'close']]);
    expect(request.ip).toBe('127.0.0.1');
    expect(request.body).toBeNull();
    expect(request.sslctx).toBeNull();
    expect(args).toEqual([['x', '1'], ['y', '']]);
  });

  it('has protocol HTTP/1.0 for an HTTP/1.0 request without headers', async () => {
    const { request, status } = await capture('GET /r HTTP/1.0\r\n\r\n');
    expect(status).toBe(200);
    expect(request.protocol).toBe('HTTP/1.0');
    expect(request.attributes).toEqual([]);
    expect(request.url).toBe('/r');
    expect(request.ip).toBe('127.0.0.1');
  });

  it('has the parsed body of a POST (the default parser gives the text)', async () => {
    const { request } = await capture(
      'POST /r HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(request.method).toBe('POST');
    expect(request.body).toBe('hello');
    expect(request.attributes).toEqual([['host', 'h'], ['content-type', 'text/plain'], ['content-length', '5'], ['connection', 'close']]);
  });

  it('has method HEAD for a HEAD request', async () => {
    const { request } = await capture('HEAD /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(request.method).toBe('HEAD');
  });

  it('has the url after http:url-transformation', async () => {
    const calls: HttpRequest[] = [];
    server = await startServer((c) => {
      c.urlTransformation = (url) => url.replace(/^\/old/, '/new');
      c.addResource('/new', (request, _args, ex) => { calls.push(request); ex.send(200, {}, 'ok'); });
    });
    const res = await raw(server.port, 'GET /old?a=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls.map((r) => r.url)).toEqual(['/new?a=1']);
  });
});
