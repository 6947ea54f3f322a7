/**
 * Resources (`http:add-resource`, `http:remove-resource`, `http:find-resource`), lookup by the
 * canonicalised path, the argument a-list, `http:url-transformation` and `http:fallback-handler`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Args, ResourceHandler, Server } from '../../../src/http/index.js';
import { startServer, raw, header } from '../../support/net.js';
import { defaultPage, exchange, get, getReq, responsesOf } from '../../support/server-features.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

/** A handler answering NAME, with the request url and the args as JSON. */
function echo(name: string): ResourceHandler {
  return (request, args, ex) => {
    ex.write(`Content-Type: application/json\r\n\r\n${JSON.stringify({ name, url: request.url, args })}`);
  };
}

interface Echo { name: string; url: string; args: Args }
function parse(body: string): Echo {
  return JSON.parse(Buffer.from(body, 'latin1').toString('utf8')) as Echo;
}

describe('add / remove / find', () => {
  it('serves a resource added under one string', async () => {
    server = await startServer((c) => c.addResource('/one', echo('one')));
    const r = await get(server.port, '/one');
    expect(r.status).toBe(200);
    expect(parse(r.body).name).toBe('one');
  });

  it('serves every path of a resource added under a list of strings, with the same handler', async () => {
    const h = echo('both');
    server = await startServer((c) => c.addResource(['/', '/index.html'], h));
    expect(server.findResource('/')).toBe(h);
    expect(server.findResource('/index.html')).toBe(h);
    expect(server.config.findResource('/index.html')).toBe(h);
    const a = await get(server.port, '/');
    const b = await get(server.port, '/index.html');
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(parse(a.body).name).toBe('both');
    expect(parse(b.body).url).toBe('/index.html');
  });

  it('findResource returns undefined for an unknown path and the handler for a known one', async () => {
    const h = echo('x');
    server = await startServer((c) => c.addResource('/x', h));
    expect(server.findResource('/x')).toBe(h);
    expect(server.findResource('/y')).toBeUndefined();
    expect(server.findResource('/x/')).toBeUndefined();
  });

  it('findResource ignores a query and canonicalises its argument', async () => {
    const h = echo('sp');
    server = await startServer((c) => c.addResource('/a b', h));
    expect(server.findResource('/a b?x=1')).toBe(h);
    expect(server.findResource('/a%20b')).toBe(h);
    expect(server.findResource('/a+b')).toBe(h);
  });

  it('a later addResource for the same path replaces the handler', async () => {
    server = await startServer((c) => { c.addResource('/r', echo('first')); c.addResource('/r', echo('second')); });
    expect(parse((await get(server.port, '/r')).body).name).toBe('second');
  });

  it('removeResource with a string removes that path only; the server then answers 404', async () => {
    server = await startServer((c) => c.addResource(['/a', '/b'], echo('ab')));
    expect((await get(server.port, '/a')).status).toBe(200);
    server.removeResource('/a');
    expect(server.findResource('/a')).toBeUndefined();
    expect((await get(server.port, '/a')).status).toBe(404);
    expect((await get(server.port, '/b')).status).toBe(200);
  });

  it('removeResource with a list removes every path of it', async () => {
    server = await startServer((c) => c.addResource(['/', '/index.html', '/keep'], echo('h')));
    server.removeResource(['/', '/index.html']);
    expect(server.findResource('/')).toBeUndefined();
    expect(server.findResource('/index.html')).toBeUndefined();
    expect((await get(server.port, '/')).status).toBe(404);
    expect((await get(server.port, '/index.html')).status).toBe(404);
    expect((await get(server.port, '/keep')).status).toBe(200);
  });

  it('resources added while the server runs are served', async () => {
    server = await startServer();
    expect((await get(server.port, '/late')).status).toBe(404);
    server.addResource('/late', echo('late'));
    const r = await get(server.port, '/late');
    expect(r.status).toBe(200);
    expect(parse(r.body).name).toBe('late');
  });
});

describe('lookup by the canonicalised path', () => {
  it('/a%20b and /a+b match the resource "/a b"', async () => {
    server = await startServer((c) => c.addResource('/a b', echo('space')));
    for (const path of ['/a%20b', '/a+b']) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(200);
      expect(parse(r.body).name).toBe('space');
      // The handler sees the target as received, not canonicalised.
      expect(parse(r.body).url).toBe(path);
    }
  });

  it('percent-escaped UTF-8 matches a resource with the decoded characters', async () => {
    server = await startServer((c) => c.addResource('/café', echo('utf8')));
    const r = await get(server.port, '/caf%C3%A9');
    expect(r.status).toBe(200);
    expect(parse(r.body).name).toBe('utf8');
  });

  it('a resource added as "/a%20b" is found at the request path /a%20b', async () => {
    server = await startServer((c) => c.addResource('/a%20b', echo('esc')));
    expect((await get(server.port, '/a%20b')).status).toBe(200);
  });

  it('the query is ignored for lookup', async () => {
    server = await startServer((c) => c.addResource('/q', echo('q')));
    const r = await get(server.port, '/q?x=1&y');
    expect(r.status).toBe(200);
    expect(parse(r.body).url).toBe('/q?x=1&y');
    expect((await get(server.port, '/q?')).status).toBe(200);
  });

  it('an absolute-form target is looked up by its path', async () => {
    server = await startServer((c) => c.addResource('/abs', echo('abs')));
    const r = await get(server.port, 'http://test/abs?k=v');
    expect(r.status).toBe(200);
    expect(parse(r.body).args).toEqual([['k', 'v']]);
  });
});

describe('handler arguments', () => {
  it('args is the query a-list, canonicalised, in order, duplicates kept, a bare name mapping to ""', async () => {
    server = await startServer((c) => c.addResource('/args', echo('args')));
    const r = await get(server.port, '/args?a=1&b=hello+world&c=%26x%3D&flag&a=2&caf%C3%A9=%C3%A9t%C3%A9&e=');
    expect(r.status).toBe(200);
    expect(parse(r.body).args).toEqual([
      ['a', '1'], ['b', 'hello world'], ['c', '&x='], ['flag', ''], ['a', '2'], ['café', 'été'], ['e', ''],
    ]);
  });

  it('no query gives an empty a-list', async () => {
    server = await startServer((c) => c.addResource('/none', echo('none')));
    expect(parse((await get(server.port, '/none')).body).args).toEqual([]);
  });

  it('the handler receives the request record with method, url, protocol, attributes and ip', async () => {
    let seen: { method: string; url: string; protocol: string; host: string | undefined; ip: string | null } | null = null;
    server = await startServer((c) => c.addResource('/rec', (request, _args, ex) => {
      seen = {
        method: request.method, url: request.url, protocol: request.protocol,
        host: request.attributes.find(([n]) => n === 'host')?.[1], ip: request.ip,
      };
      ex.write('\r\nok');
    }));
    const r = await get(server.port, '/rec?z=1', 'X-Custom: v');
    expect(r.body).toBe('ok');
    expect(seen).toEqual({ method: 'GET', url: '/rec?z=1', protocol: 'HTTP/1.1', host: 'test', ip: '127.0.0.1' });
  });
});

describe('url transformation', () => {
  it('the handler sees the transformed url and lookup uses it', async () => {
    const seenBy: string[] = [];
    server = await startServer((c) => {
      c.urlTransformation = (u) => { seenBy.push(u); return u.replace(/^\/old\//, '/new/'); };
      c.addResource('/new/x', echo('new'));
      c.addResource('/old/x', echo('old'));
    });
    const r = await get(server.port, '/old/x?q=1');
    expect(r.status).toBe(200);
    const e = parse(r.body);
    expect(e.name).toBe('new');
    expect(e.url).toBe('/new/x?q=1');
    expect(e.args).toEqual([['q', '1']]);
    expect(seenBy).toEqual(['/old/x?q=1']);
  });

  it('a transformation may add query arguments, which reach the handler', async () => {
    server = await startServer((c) => {
      c.urlTransformation = (u) => (u.includes('?') ? u + '&added=yes' : u + '?added=yes');
      c.addResource('/t', echo('t'));
    });
    expect(parse((await get(server.port, '/t?a=1')).body).args).toEqual([['a', '1'], ['added', 'yes']]);
  });

  it('a transformation to a path with no resource gives the fallback', async () => {
    server = await startServer((c) => {
      c.urlTransformation = () => '/nowhere';
      c.addResource('/here', echo('here'));
    });
    expect((await get(server.port, '/here')).status).toBe(404);
  });
  it('a transformation that throws gives a 500 and the error hook hears of it', async () => {
    const heard: unknown[] = [];
    server = await startServer((c) => {
      c.errorHook = (e) => { heard.push(e); };
      c.urlTransformation = (u) => { if (u.startsWith('/bad')) throw new RangeError('cannot transform'); return u; };
      c.addResource('/good', echo('good'));
    });
    const res = await raw(server.port, getReq('/bad'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    expect(responsesOf(res.text)[0]!.status).toBe(500);
    expect(heard[0]).toBeInstanceOf(RangeError);
    expect((await get(server.port, '/good')).status).toBe(200);
  });
});

describe('fallback handler', () => {
  it('default: 404 with the exact default error page, as text/html with its length', async () => {
    server = await startServer();
    const r = await get(server.port, '/missing');
    expect(r.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(header(r, 'content-type')).toBe('text/html');
    const page = defaultPage(404, 'Not Found');
    expect(r.body).toBe(page);
    expect(header(r, 'content-length')).toBe(String(Buffer.byteLength(page)));
    expect(header(r, 'server')).toBe('(Silly)');
  });

  it('default page names the server name and location given to createServer', async () => {
    server = await startServer(undefined, { serverName: 'Acme/1.0', location: 'example.org' });
    const r = await get(server.port, '/missing');
    expect(r.body).toBe(defaultPage(404, 'Not Found', 'Acme/1.0', 'example.org'));
    expect(header(r, 'server')).toBe('Acme/1.0');
  });

  it('a 404 keeps a persistent connection usable', async () => {
    server = await startServer((c) => c.addResource('/ok', echo('ok')));
    const { responses, conn } = await exchange(server.port, getReq('/missing') + getReq('/ok'), 2);
    conn.destroy();
    expect(responses.map((r) => r.status)).toEqual([404, 200]);
  });

  it('a custom fallback handler is called with the original request', async () => {
    const urls: string[] = [];
    server = await startServer((c) => {
      c.fallbackHandler = (request, ex) => {
        urls.push(request.url);
        ex.send(404, { 'Content-Type': 'text/plain' }, `no such thing: ${request.method} ${request.url}`);
      };
      c.addResource('/exists', echo('e'));
    });
    const r = await get(server.port, '/nope?x=1');
    expect(r.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(header(r, 'content-type')).toBe('text/plain');
    expect(r.body).toBe('no such thing: GET /nope?x=1');
    expect(urls).toEqual(['/nope?x=1']);
    expect((await get(server.port, '/exists')).status).toBe(200);
    expect(urls).toHaveLength(1);
  });

  it('a custom fallback may write raw output with the lazy preamble', async () => {
    server = await startServer((c) => {
      c.fallbackHandler = (_request, ex) => { ex.write('Content-Type: text/plain\r\n\r\nsoft miss'); };
    });
    const r = await get(server.port, '/whatever');
    expect(r.status).toBe(200);
    expect(r.body).toBe('soft miss');
  });
});
