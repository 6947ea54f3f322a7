/**
 * Method handlers (`http:request-method-handler`) and content parsers (`http:content-parser`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BufferInput, type Args, type Headers, type HttpRequest, type Server } from '../../../src/http/index.js';
import { startServer, raw, header, RawConnection } from '../../support/net.js';
import { bodyReq, defaultPage, exchange, get, getReq, request1, responsesOf, splitHead } from '../../support/server-features.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

interface Seen { method: string; url: string; body: unknown; args: Args }

/** A resource that records what its handler saw and answers with it as JSON. */
function recorder(seen: Seen[]) {
  return (request: HttpRequest, args: Args, ex: { write(s: string): boolean }): void => {
    const s: Seen = { method: request.method, url: request.url, body: request.body, args };
    seen.push(s);
    ex.write(`Content-Type: application/json\r\n\r\n${JSON.stringify(s)}`);
  };
}

describe('predefined method handlers', () => {
  it('GET, HEAD and POST are predefined; other methods are not', async () => {
    server = await startServer();
    const c = server.config;
    expect(c.methodHandler('GET')).toBeTypeOf('function');
    expect(c.methodHandler('HEAD')).toBeTypeOf('function');
    expect(c.methodHandler('POST')).toBeTypeOf('function');
    expect(c.methodHandler('PUT')).toBeUndefined();
    expect(c.methodHandler('DELETE')).toBeUndefined();
  });

  it('GET calls the resource handler with the request and the query args', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/r', recorder(seen)));
    const r = await get(server.port, '/r?x=1');
    expect(r.status).toBe(200);
    expect(seen).toEqual([{ method: 'GET', url: '/r?x=1', body: null, args: [['x', '1']] }]);
  });

  it('HEAD gets the headers GET would get, with its Content-Length, and no body', async () => {
    const body = 'hello, head request';
    server = await startServer((c) => c.addResource('/h', (_r, _a, ex) => {
      ex.write(`Content-Type: text/plain\r\nX-Marker: m\r\n\r\n${body}`);
    }));
    const conn = await RawConnection.open(server.port);
    try {
      // HEAD then GET pipelined: the GET's status line must follow the HEAD's blank line at once.
      conn.write(`HEAD /h HTTP/1.1\r\nHost: test\r\n\r\n${getReq('/h')}`);
      const text = await conn.until((t) => t.endsWith(body));
      const { head, rest } = splitHead(text);
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      expect(rest.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      const headLines = head.toLowerCase().split('\r\n');
      expect(headLines).toContain(`content-length: ${body.length}`);
      expect(headLines).toContain('content-type: text/plain');
      expect(headLines).toContain('x-marker: m');
      const getHead = splitHead(rest);
      expect(getHead.rest).toBe(body);
      expect(getHead.head.toLowerCase()).toContain(`content-length: ${body.length}`);
    } finally {
      conn.destroy();
    }
  });

  it('HEAD keeps a Content-Length the handler declared and sends none of its body', async () => {
    server = await startServer((c) => c.addResource('/h', (_r, _a, ex) => {
      ex.write('Content-type: text/html\r\nContent-length: 23\r\n\r\n<h1>Hello, world!</h1>\n');
    }));
    const { responses, conn } = await exchange(server.port, `HEAD /h HTTP/1.1\r\nHost: t\r\n\r\nHEAD /h HTTP/1.1\r\nHost: t\r\n\r\n`, 2, { headOnly: true });
    await new Promise((r) => setTimeout(r, 50));
    const text = conn.received;
    conn.destroy();
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(header(r, 'content-length')).toBe('23');
      expect(r.body).toBe('');
    }
    // Two heads and nothing else.
    expect(text.split('\r\n\r\n')).toHaveLength(3);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text).not.toContain('Hello');
  });

  it('HEAD of a missing resource gets the 404 headers and no page', async () => {
    server = await startServer();
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(`HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n${getReq('/nope')}`);
      const page = defaultPage(404, 'Not Found');
      const text = await conn.until((t) => t.endsWith(page));
      const { head, rest } = splitHead(text);
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
      expect(head.toLowerCase()).toContain(`content-length: ${page.length}`);
      expect(rest.startsWith('HTTP/1.1 404 Not Found\r\n')).toBe(true);
    } finally {
      conn.destroy();
    }
  });

  for (const method of ['PATCH', 'DELETE', 'BREW']) {
    it(`an unknown method (${method}) gets 501 Not Implemented with the error page`, async () => {
      let called = false;
      server = await startServer((c) => c.addResource('/r', () => { called = true; }));
      const r = await request1(server.port, `${method} /r HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n`);
      expect(r.statusLine).toBe('HTTP/1.1 501 Not Implemented');
      expect(r.body).toBe(defaultPage(501, 'Not Implemented'));
      expect(header(r, 'content-type')).toBe('text/html');
      expect(called).toBe(false);
    });
  }

  it('a custom method handler set with methodHandler("PUT", fn) answers PUT', async () => {
    const calls: Array<{ method: string; url: string; body: string; size: number | null }> = [];
    server = await startServer((c) => {
      c.methodHandler('PUT', (request, ex) => {
        const body = ex.input.readAll();
        calls.push({ method: request.method, url: request.url, body, size: ex.bodySize });
        ex.send(201, { 'Content-Type': 'text/plain' }, `stored ${body.length} chars at ${request.url}`);
      });
    });
    expect(server.config.methodHandler('PUT')).toBeTypeOf('function');
    const r = await request1(server.port, bodyReq('PUT', '/doc/1', 'text/plain', 'the document'));
    expect(r.status).toBe(201);
    expect(r.body).toBe('stored 12 chars at /doc/1');
    expect(calls).toEqual([{ method: 'PUT', url: '/doc/1', body: 'the document', size: 12 }]);
  });

  it('method names are case-insensitive when set, and a handler can be removed with null', async () => {
    server = await startServer((c) => {
      c.methodHandler('delete', (_request, ex) => { ex.send(204); });
    });
    const del = `DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n`;
    expect((await request1(server.port, del)).status).toBe(204);
    server.config.methodHandler('DELETE', null);
    expect(server.config.methodHandler('DELETE')).toBeUndefined();
    expect((await request1(server.port, del)).status).toBe(501);
  });

  it('OPTIONS * and OPTIONS /path get 200 with Allow listing the methods that have handlers, and no body', async () => {
    server = await startServer((c) => {
      c.methodHandler('DELETE', (_request, ex) => { ex.send(204); });
    });
    for (const target of ['*', '/any/path']) {
      const r = await request1(server.port, `OPTIONS ${target} HTTP/1.1\r\nHost: t\r\n\r\n`);
      expect(r.status).toBe(200);
      expect(header(r, 'allow')).toBe('GET, HEAD, POST, OPTIONS, DELETE');
      expect(header(r, 'content-length')).toBe('0');
      expect(r.body).toBe('');
    }
  });

  it('a custom method handler may write raw output and gets the lazy preamble and framing', async () => {
    server = await startServer((c) => {
      c.methodHandler('OPTIONS', (request, ex) => { ex.write(`Allow: GET, HEAD, POST, OPTIONS\r\n\r\n${request.url}`); });
    });
    const r = await request1(server.port, `OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n`);
    expect(r.statusLine).toBe('HTTP/1.1 200 OK');
    expect(header(r, 'allow')).toBe('GET, HEAD, POST, OPTIONS');
    expect(header(r, 'content-length')).toBe('1');
    expect(r.body).toBe('*');
  });

  it('replacing the GET handler takes effect for GET only', async () => {
    server = await startServer((c) => {
      c.methodHandler('GET', (_request, ex) => { ex.write('\r\nreplaced'); });
      c.addResource('/r', (_rq, _a, ex) => { ex.write('\r\nresource'); });
    });
    expect((await get(server.port, '/r')).body).toBe('replaced');
    expect((await request1(server.port, bodyReq('POST', '/r', 'text/plain', 'x'))).body).toBe('resource');
  });
});

describe('content parsers', () => {
  it('urlencoded POST: request.body is the body a-list, args are the query args then the body args', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/form', recorder(seen)));
    const r = await request1(server.port, bodyReq('POST', '/form?q=1&z', 'application/x-www-form-urlencoded', 'a=1&b=x+y&c=%41%26&d'));
    expect(r.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toEqual([['a', '1'], ['b', 'x y'], ['c', 'A&'], ['d', '']]);
    expect(seen[0]!.args).toEqual([['q', '1'], ['z', ''], ['a', '1'], ['b', 'x y'], ['c', 'A&'], ['d', '']]);
    expect(seen[0]!.url).toBe('/form?q=1&z');
  });

  it('urlencoded is matched without parameters and case-insensitively', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/form', recorder(seen)));
    await request1(server.port, bodyReq('POST', '/form', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', 'k=v%C3%A9'));
    expect(seen[0]!.body).toEqual([['k', 'vé']]);
    expect(seen[0]!.args).toEqual([['k', 'vé']]);
  });

  it('a chunked urlencoded body is parsed the same way', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/form', recorder(seen)));
    const req = 'POST /form?q=0 HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n'
      + 'Transfer-Encoding: chunked\r\n\r\n4\r\na=1&\r\n3\r\nb=2\r\n0\r\n\r\n';
    expect((await request1(server.port, req)).status).toBe(200);
    expect(seen[0]!.args).toEqual([['q', '0'], ['a', '1'], ['b', '2']]);
  });

  it('default parser: the body as a string; args are the query args only', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/text', recorder(seen)));
    const body = 'hello\r\nwörld a=1&b=2';
    await request1(server.port, bodyReq('POST', '/text?q=1', 'text/plain', body));
    await request1(server.port, bodyReq('POST', '/text', null, 'no type'));
    expect(seen[0]!.body).toBe(body);
    expect(seen[0]!.args).toEqual([['q', '1']]);
    expect(seen[1]!.body).toBe('no type');
    expect(seen[1]!.args).toEqual([]);
  });

  it('a POST without a body gives the default parser an empty string', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/empty', recorder(seen)));
    await request1(server.port, 'POST /empty HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n');
    expect(seen[0]!.body).toBe('');
  });

  it('a custom parser for application/json, matched without parameters, gets (size, headers, input); its first value is request.body', async () => {
    const calls: Array<{ size: number | null; headers: Headers; isInput: boolean }> = [];
    const seen: Seen[] = [];
    server = await startServer((c) => {
      c.contentParser('application/json', (size, headers, input) => {
        calls.push({ size, headers: [...headers], isInput: input instanceof BufferInput });
        const raw = input.readAll();
        return [JSON.parse(raw) as unknown, raw];
      });
      c.addResource('/json', recorder(seen));
    });
    expect(server.config.contentParser('application/json')).toBeTypeOf('function');
    const body = '{"x":[1,2],"s":"é"}';
    const r = await request1(server.port, bodyReq('POST', '/json?q=1', 'application/json; charset=utf-8', body));
    expect(r.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.size).toBe(Buffer.byteLength(body));
    expect(calls[0]!.isInput).toBe(true);
    expect(calls[0]!.headers).toContainEqual(['content-type', 'application/json; charset=utf-8']);
    expect(calls[0]!.headers).toContainEqual(['content-length', String(Buffer.byteLength(body))]);
    expect(seen[0]!.body).toEqual({ x: [1, 2], s: 'é' });
    // Only urlencoded bodies add to the args.
    expect(seen[0]!.args).toEqual([['q', '1']]);
  });

  it('a content parser may be async', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => {
      c.contentParser('text/csv', async (_size, _headers, input) => {
        await new Promise((r) => setTimeout(r, 20));
        const raw = input.readAll();
        return [raw.split(','), raw];
      });
      c.addResource('/csv', recorder(seen));
    });
    const r = await request1(server.port, bodyReq('POST', '/csv', 'text/csv', 'a,b,c'));
    expect(r.status).toBe(200);
    expect(seen[0]!.body).toEqual(['a', 'b', 'c']);
  });

  it('a POST with no body framing gives the content parser a null size and an empty port', async () => {
    const calls: Array<{ size: number | null; text: string }> = [];
    server = await startServer((c) => {
      c.defaultContentParser = (size, _headers, input) => { const text = input.readAll(); calls.push({ size, text }); return [text, text]; };
      c.addResource('/p', (_r, _a, ex) => { ex.write('\r\nok'); });
    });
    const r = await request1(server.port, 'POST /p HTTP/1.1\r\nHost: t\r\n\r\n');
    expect(r.status).toBe(200);
    expect(calls).toEqual([{ size: null, text: '' }]);
  });

  it('a content parser that throws gives a 500, the error hook, and a closed connection', async () => {
    const heard: unknown[] = [];
    let handlerCalled = false;
    server = await startServer((c) => {
      c.errorHook = (e) => { heard.push(e); };
      c.contentParser('application/json', (_size, _headers, input) => [JSON.parse(input.readAll()) as unknown, '']);
      c.addResource('/json', (_r, _a, ex) => { handlerCalled = true; ex.write('\r\nok'); });
    });
    const res = await raw(server.port, bodyReq('POST', '/json', 'application/json', '{not json'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    expect(responsesOf(res.text)[0]!.status).toBe(500);
    expect(handlerCalled).toBe(false);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeInstanceOf(SyntaxError);
  });

  it('a request with another content type still uses the default parser when a custom one is set', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => {
      c.contentParser('application/json', () => [{ wrong: true }, '']);
      c.addResource('/p', recorder(seen));
    });
    await request1(server.port, bodyReq('POST', '/p', 'application/jsonx', '{"a":1}'));
    expect(seen[0]!.body).toBe('{"a":1}');
  });

  it('the handler still reads nothing past the body: a pipelined request after a POST is answered', async () => {
    const seen: Seen[] = [];
    server = await startServer((c) => c.addResource('/p', recorder(seen)));
    const post = bodyReq('POST', '/p', 'text/plain', 'body-one') as Buffer;
    const { responses, conn } = await exchange(server.port, Buffer.concat([post, Buffer.from(getReq('/p?after=1'))]), 2);
    conn.destroy();
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(seen.map((s) => s.body)).toEqual(['body-one', null]);
    expect(seen[1]!.args).toEqual([['after', '1']]);
  });
});
