/**
 * examples/rest-service.scm as a separate process (with its optional second argument: two sample
 * items created at start-up), driven over real sockets with fetch and raw connections: the CRUD
 * cycle on /items and /items/ID, its own JSON reader and writer (nested values, escapes, UTF-8
 * text), every error status with its headers (400, 404, 405 + Allow, 415, 501), HEAD, concurrent
 * and pipelined requests. The process is killed by PID in afterAll; every wait is bounded.
 */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, stopChild, waitForPort } from '../../support/client-fixtures.js';
import { raw, parseResponses, header } from '../../support/net.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const T = 30_000;

let server: ChildProcess | null = null;
let stderr = '';
let port = 0;

beforeAll(async () => {
  port = await freePort();
  // The example needs the compiled engine's library (SRFI-69, SRFI-1, conditions): the old LIPS
  // prelude has no hash tables, so the uncompiled run of this suite still starts it compiled.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'examples/rest-service.scm', String(port), '2'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SCHEME_HTTP_COMPILE: '1' } });
  server = child;
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  await waitForPort(port, child, () => stderr, 20_000);
}, T);

afterAll(async () => {
  if (server !== null) await stopChild(server);
}, T);

interface Answer {
  status: number;
  headers: Headers;
  /** The body's bytes as latin1 text (one char per byte). */
  bytes: string;
  /** The body decoded as UTF-8. */
  text: string;
}

/** One request with fetch (5 s bound); a string BODY goes as UTF-8. */
async function call(method: string, p: string, body?: string, contentType?: string): Promise<Answer> {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'Content-Type': contentType };
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers, body, signal: AbortSignal.timeout(5000) });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes: buf.toString('latin1'), text: buf.toString('utf8') };
}

const json = 'application/json';
const post = (body: string, type = json): Promise<Answer> => call('POST', '/items', body, type);

/** The id in a 201's Location header. */
function createdId(a: Answer): number {
  expect(a.status).toBe(201);
  const m = /^\/items\/(\d+)$/.exec(a.headers.get('location') ?? '');
  expect(m, `Location: ${a.headers.get('location')}`).not.toBeNull();
  return Number(m![1]);
}

/** A JSON answer: Content-Type and a Content-Length that counts the body's bytes. */
function expectJson(a: Answer, status: number): void {
  expect(a.status).toBe(status);
  expect(a.headers.get('content-type')).toBe(json);
  expect(a.headers.get('content-length')).toBe(String(a.bytes.length));
}

const SAMPLE_NOTE = 'Grüße, "quoted"\nsecond line';
const sample = (i: number): unknown => ({
  id: i, name: `item ${i}`, price: i * 125, tags: ['sample', i % 2 === 0 ? 'even' : 'odd'], inStock: i % 2 === 1, note: SAMPLE_NOTE,
});

describe('examples/rest-service.scm: the collection', () => {
  it('starts with the two sample items; the writer escapes " and newline, and passes UTF-8 through', async () => {
    const a = await call('GET', '/items');
    expectJson(a, 200);
    expect(JSON.parse(a.text)).toEqual([sample(1), sample(2)]);
    // Byte for byte what JSON.stringify writes (the benchmark's anchor relies on this).
    expect(a.text).toBe(JSON.stringify([sample(1), sample(2)]));
    expect(a.bytes).toContain('Gr\xc3\xbc\xc3\x9fe, \\"quoted\\"\\nsecond line');
  }, T);

  it('HEAD /items: the headers of the GET, no body', async () => {
    const get = await call('GET', '/items');
    const head = await call('HEAD', '/items');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(head.headers.get('content-type')).toBe(json);
    expect(head.bytes).toBe('');
  }, T);

  it('the whole CRUD cycle: POST 201 + Location, GET, PUT, DELETE 204, then 404', async () => {
    const created = await post('{"name": "tea", "price": 350, "id": 999}');
    const id = createdId(created);
    expect(id).toBeGreaterThan(2);
    expectJson(created, 201);
    // The server's id comes first; the client's "id" is dropped.
    expect(created.text).toBe(`{"id":${id},"name":"tea","price":350}`);

    const one = await call('GET', `/items/${id}`);
    expectJson(one, 200);
    expect(one.text).toBe(created.text);
    const list = JSON.parse((await call('GET', '/items')).text) as Array<{ id: number }>;
    expect(list.map((x) => x.id)).toContain(id);
    expect(list.map((x) => x.id)).toEqual([...list.map((x) => x.id)].sort((x, y) => x - y));

    const put = await call('PUT', `/items/${id}`, '{"name": "green tea", "sizes": [1, 2]}', json);
    expectJson(put, 200);
    expect(put.text).toBe(`{"id":${id},"name":"green tea","sizes":[1,2]}`);
    expect((await call('GET', `/items/${id}`)).text).toBe(put.text);

    const del = await call('DELETE', `/items/${id}`);
    expect(del.status).toBe(204);
    expect(del.bytes).toBe('');
    expect(del.headers.get('content-type')).toBeNull();

    for (const [method, body] of [['GET', undefined], ['DELETE', undefined], ['PUT', '{}']] as const) {
      const gone = await call(method, `/items/${id}`, body, body === undefined ? undefined : json);
      expectJson(gone, 404);
      expect(JSON.parse(gone.text)).toEqual({ error: 'Not Found', detail: 'no such item' });
    }
    const ids = (JSON.parse((await call('GET', '/items')).text) as Array<{ id: number }>).map((x) => x.id);
    expect(ids).not.toContain(id);
  }, T);
});

describe('examples/rest-service.scm: its JSON reader and writer', () => {
  it('nested objects and arrays, numbers, true/false/null round-trip', async () => {
    const value = { a: { b: [1, -2, 3.5, -0.25, 1e-7, [], {}, [[null]]], c: { d: { e: 'deep' } } }, t: true, f: false, n: null };
    const a = await post(` ${JSON.stringify(value, null, 2).replace(/\n/g, '\r\n\t')} `);
    expect(JSON.parse(a.text)).toEqual({ id: createdId(a), ...value });
    expect(a.text).toContain('"b":[1,-2,3.5,-0.25,1e-07,[],{},[[null]]]');
  }, T);

  it('reads escapes: \\u00e9 and a surrogate pair become UTF-8 bytes; \\" \\\\ \\/ \\b \\f \\n \\r \\t', async () => {
    const a = await post('{"s": "caf\\u00e9 \\u00C9t\\u00e9 \\ud83d\\ude00 \\u20ac", "e": "q\\" b\\\\ s\\/ \\b\\f\\n\\r\\t"}');
    const id = createdId(a);
    expect(a.text).toBe(`{"id":${id},"s":"café Été 😀 €","e":"q\\" b\\\\ s/ \\b\\f\\n\\r\\t"}`);
    expect(a.bytes).toContain('caf\xc3\xa9 \xc3\x89t\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac');
    expect(JSON.parse(a.text)).toEqual({ id, s: 'café Été 😀 €', e: 'q" b\\ s/ \b\f\n\r\t' });
  }, T);

  it('escapes keys as it escapes values: a quote, a backslash, a control character', async () => {
    const value = { 'say "hi"': 1, 'back\\slash': 'x\u0001y', 'tab\there': ['a"b'] };
    const a = await post(JSON.stringify(value));
    expect(a.text).toBe(JSON.stringify({ id: createdId(a), ...value }));
    expect(JSON.parse(a.text)).toEqual({ id: createdId(a), ...value });
  }, T);

  it('passes raw UTF-8 text through; Content-Length counts bytes', async () => {
    const a = await post('{"greeting": "Grüße aus Köln", "ja": "日本語"}');
    const id = createdId(a);
    expect(a.text).toBe(`{"id":${id},"greeting":"Grüße aus Köln","ja":"日本語"}`);
    expect(Number(a.headers.get('content-length'))).toBe(Buffer.byteLength(a.text, 'utf8'));
    expect((await call('GET', `/items/${id}`)).text).toBe(a.text);
  }, T);

  it('a large body: 2,000 escaped lines of UTF-8 text round-trip', async () => {
    const long = Array.from({ length: 2000 }, (_, i) => `line ${i}: "Grüße" \\ \t é`).join('\n');
    const a = await post(JSON.stringify({ long, list: Array.from({ length: 500 }, (_, i) => ({ i, even: i % 2 === 0 })) }));
    const id = createdId(a);
    expect(a.text).toBe(JSON.stringify({ id, long, list: Array.from({ length: 500 }, (_, i) => ({ i, even: i % 2 === 0 })) }));
  }, T);

  it('writes other control characters as \\u00XX', async () => {
    const a = await post('{"c": "\\u0001\\u001f\\u007f"}');
    expect(a.bytes).toBe(`{"id":${createdId(a)},"c":"\\u0001\\u001f\x7f"}`);
  }, T);

  it('an application/json body with a charset parameter, and a chunked one', async () => {
    const a = await post('{"k": "charset"}', 'application/json; charset=utf-8');
    expect(JSON.parse(a.text)).toEqual({ id: createdId(a), k: 'charset' });
    const r = await raw(port, 'POST /items HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n5\r\n{"k":\r\n9\r\n"chunked"\r\n1\r\n}\r\n0\r\n\r\n', { waitMs: 5000 });
    const [res] = parseResponses(r.text);
    expect(res!.status).toBe(201);
    expect(res!.body).toMatch(/^\{"id":\d+,"k":"chunked"\}$/);
  }, T);
});

describe('examples/rest-service.scm: errors', () => {
  // Bodies the reader rejects, with the byte position and message the 400 names.
  const malformed: Array<[string, string]> = [
    ['', 'malformed JSON at byte 0: unexpected end of input'],
    ['{"name": "x"', 'malformed JSON at byte 12: expected , or }'],
    ['{"name": x}', 'malformed JSON at byte 9: unexpected character x'],
    ["{'name': 1}", 'malformed JSON at byte 1: expected a string key'],
    ['{"a" 1}', 'malformed JSON at byte 5: expected :'],
    ['{"a": 01}', 'malformed JSON at byte 7: expected , or }'],
    ['{"a": 1.}', 'malformed JSON at byte 8: expected a digit'],
    ['{"a": -}', 'malformed JSON at byte 7: expected a digit'],
    ['{"a": tru}', 'malformed JSON at byte 6: unknown literal'],
    ['{"a": "\\q"}', 'malformed JSON at byte 8: bad escape'],
    ['{"a": "\\u12g4"}', 'malformed JSON at byte 11: bad \\u escape'],
    ['{"a": "\\ud800x"}', 'malformed JSON at byte 13: lone surrogate'],
    ['{"a": "\\udc00"}', 'malformed JSON at byte 13: lone surrogate'],
    ['{"a": "open', 'malformed JSON at byte 7: unterminated string'],
    ['{"a": "tab\there"}', 'malformed JSON at byte 10: control character in a string'],
    ['{"a": 1} {}', 'malformed JSON at byte 9: text after the value'],
    ['[1, 2,]', 'malformed JSON at byte 6: unexpected character ]'],
  ];
  it.each(malformed)('400 for %j', async (body, detail) => {
    const a = await post(body);
    expectJson(a, 400);
    expect(JSON.parse(a.text)).toEqual({ error: 'Bad Request', detail });
  }, T);

  it('400 for JSON that is not an object, on POST and PUT', async () => {
    for (const body of ['[1, 2]', '"text"', '42', 'null']) {
      const a = await post(body);
      expectJson(a, 400);
      expect(JSON.parse(a.text)).toEqual({ error: 'Bad Request', detail: 'an item must be a JSON object' });
    }
    const p = await call('PUT', '/items/1', '[]', json);
    expectJson(p, 400);
    expect((await call('GET', '/items/1')).text).toBe(JSON.stringify(sample(1)));
  }, T);

  it('415 for a body that is not application/json, or has no Content-Type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      const a = await post('{"name": "x"}', type);
      expectJson(a, 415);
      expect(JSON.parse(a.text)).toEqual({ error: 'Unsupported Media Type', detail: 'send application/json' });
    }
    // No Content-Type at all (fetch would add one): a raw request.
    const body = '{"name": "x"}';
    const r = await raw(port, `POST /items HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`, { waitMs: 5000 });
    const [none] = parseResponses(r.text);
    expect(none!.status).toBe(415);
    expect(header(none!, 'content-type')).toBe(json);
    const put = await call('PUT', '/items/2', '{"name": "x"}', 'text/plain');
    expectJson(put, 415);
  }, T);

  it('405 with Allow for a method a resource does not take', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/items', 'GET, HEAD, POST'], ['DELETE', '/items', 'GET, HEAD, POST'], ['PATCH', '/items', 'GET, HEAD, POST'],
      ['POST', '/items/1', 'GET, HEAD, PUT, DELETE'], ['PATCH', '/items/1', 'GET, HEAD, PUT, DELETE'],
    ];
    for (const [method, p, allow] of cases) {
      const a = await call(method, p, method === 'DELETE' ? undefined : '{}', method === 'DELETE' ? undefined : json);
      expectJson(a, 405);
      expect(a.headers.get('allow'), `${method} ${p}`).toBe(allow);
      expect(JSON.parse(a.text).error).toBe('Method Not Allowed');
    }
    // Nothing was created or changed by them.
    expect((await call('GET', '/items/1')).text).toBe(JSON.stringify(sample(1)));
  }, T);

  it('404: an id that is not a number (JSON); a path outside /items (the default HTML page)', async () => {
    for (const p of ['/items/abc', '/items/', '/items/12x']) expectJson(await call('GET', p), 404);
    const other = await call('GET', '/nothing/here');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('text/html');
    expect(other.text).toContain('<h1>404 Not Found</h1>');
  }, T);

  it('501 for a method with no handler at all', async () => {
    const a = await call('BREW', '/items');
    expect(a.status).toBe(501);
  }, T);
});

describe('examples/rest-service.scm: several requests at once', () => {
  it('20 concurrent POSTs get 20 distinct ids, all listed afterwards', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`{"n": ${i}, "name": "concurrent ${i}"}`)));
    const ids = answers.map(createdId);
    expect(new Set(ids).size).toBe(20);
    answers.forEach((a, i) => expect(JSON.parse(a.text)).toEqual({ id: ids[i], n: i, name: `concurrent ${i}` }));
    const listed = (JSON.parse((await call('GET', '/items')).text) as Array<{ id: number }>).map((x) => x.id);
    for (const id of ids) expect(listed).toContain(id);
  }, T);

  it('pipelined requests on one connection are answered in order', async () => {
    const body = '{"name": "piped"}';
    const r = await raw(port,
      `POST /items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
      'GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n' +
      'DELETE /items HTTP/1.1\r\nHost: t\r\n\r\n' +
      'GET /items/999999 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n', { waitMs: 5000 });
    expect(r.closed).toBe(true);
    const rs = parseResponses(r.text);
    expect(rs.map((x) => x.status)).toEqual([201, 200, 405, 404]);
    expect(rs[0]!.body).toMatch(/^\{"id":\d+,"name":"piped"\}$/);
    expect(header(rs[0]!, 'location')).toMatch(/^\/items\/\d+$/);
    expect(Buffer.from(rs[1]!.body, 'latin1').toString('utf8')).toBe(JSON.stringify(sample(1)));
    expect(header(rs[2]!, 'allow')).toBe('GET, HEAD, POST');
  }, T);

  it('the process is still up and its error hook reported nothing', () => {
    expect(server?.exitCode).toBeNull();
    expect(stderr).toBe('');
  });
});
