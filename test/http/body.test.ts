/**
 * Request body framing (RFC 9112 §6–7): requestFraming and the incremental ChunkedDecoder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkedDecoder, requestFraming, type ChunkedLimits, type Framing } from '../../src/http/body.js';
import { HttpProtocolError } from '../../src/http/errors.js';
import type { Args, Headers, HttpRequest, Server } from '../../src/http/index.js';
import { RawConnection, parseResponses, raw, startServer } from '../support/net.js';

function protocolError(fn: () => unknown): HttpProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpProtocolError) return e;
    throw e;
  }
  throw new Error('expected an HttpProtocolError; nothing was thrown');
}

const MAX = 1024;
const framing = (headers: Headers, max = MAX): Framing => requestFraming(headers, max);
const framingError = (headers: Headers, max = MAX): { status: number; code: string } => {
  const e = protocolError(() => requestFraming(headers, max));
  return { status: e.status, code: e.code };
};

describe('requestFraming', () => {
  it('has no body without Content-Length or Transfer-Encoding', () => {
    expect(framing([])).toEqual({ kind: 'none' });
    expect(framing([['host', 'h'], ['content-type', 'text/plain']])).toEqual({ kind: 'none' });
  });

  it('frames by Content-Length', () => {
    expect(framing([['content-length', '5']])).toEqual({ kind: 'length', length: 5 });
    expect(framing([['content-length', '0']])).toEqual({ kind: 'none' });
    expect(framing([['content-length', '000']])).toEqual({ kind: 'none' });
    expect(framing([['content-length', '007']])).toEqual({ kind: 'length', length: 7 });
  });

  it('accepts identical duplicate Content-Length values, as fields or as a list', () => {
    expect(framing([['content-length', '5'], ['content-length', '5']])).toEqual({ kind: 'length', length: 5 });
    expect(framing([['content-length', '5, 5']])).toEqual({ kind: 'length', length: 5 });
    expect(framing([['content-length', '5,5,5'], ['content-length', '5']])).toEqual({ kind: 'length', length: 5 });
  });

  it('rejects differing Content-Length values with 400', () => {
    expect(framingError([['content-length', '5'], ['content-length', '6']])).toEqual({ status: 400, code: 'conflicting-content-length' });
    expect(framingError([['content-length', '5, 6']])).toEqual({ status: 400, code: 'conflicting-content-length' });
    expect(framingError([['content-length', '0'], ['content-length', '10']]).status).toBe(400);
  });

  it('rejects a malformed Content-Length with 400', () => {
    for (const v of ['', 'abc', '-1', '+5', '5.0', '0x10', '5,', ',5', '5 5', '1e3', ' ']) {
      expect(framingError([['content-length', v]]), JSON.stringify(v)).toEqual({ status: 400, code: 'bad-content-length' });
    }
  });

  it('rejects Transfer-Encoding together with Content-Length with 400, in either order', () => {
    expect(framingError([['transfer-encoding', 'chunked'], ['content-length', '5']])).toEqual({ status: 400, code: 'te-and-cl' });
    expect(framingError([['content-length', '5'], ['transfer-encoding', 'chunked']])).toEqual({ status: 400, code: 'te-and-cl' });
    expect(framingError([['content-length', '0'], ['transfer-encoding', 'chunked']]).status).toBe(400);
  });

  it('frames by chunked when Transfer-Encoding is chunked (any case, any whitespace)', () => {
    expect(framing([['transfer-encoding', 'chunked']])).toEqual({ kind: 'chunked' });
    expect(framing([['transfer-encoding', 'Chunked']])).toEqual({ kind: 'chunked' });
    expect(framing([['transfer-encoding', ' CHUNKED ']])).toEqual({ kind: 'chunked' });
    // Empty list elements are allowed by the list syntax (RFC 9110 §5.6.1).
    expect(framing([['transfer-encoding', ', chunked']])).toEqual({ kind: 'chunked' });
  });

  it('answers 501 for a transfer coding before chunked that the server does not implement', () => {
    expect(framingError([['transfer-encoding', 'gzip, chunked']])).toEqual({ status: 501, code: 'unsupported-transfer-coding' });
    expect(framingError([['transfer-encoding', 'gzip'], ['transfer-encoding', 'chunked']]).status).toBe(501);
  });

  it('rejects a Transfer-Encoding list that does not end in a single chunked with 400', () => {
    for (const te of [['chunked, gzip'], ['gzip'], ['identity'], [''], ['chunked, chunked'], ['chunked', 'chunked'], ['chunked', 'gzip']]) {
      expect(framingError(te.map((v): [string, string] => ['transfer-encoding', v])).status, JSON.stringify(te)).toBe(400);
    }
  });

  it('answers 413 for a Content-Length over the limit, and accepts one at the limit', () => {
    expect(framing([['content-length', String(MAX)]])).toEqual({ kind: 'length', length: MAX });
    expect(framingError([['content-length', String(MAX + 1)]])).toEqual({ status: 413, code: 'body-too-large' });
    expect(framingError([['content-length', '9'.repeat(30)]])).toEqual({ status: 413, code: 'body-too-large' });
  });

  it('reads leading zeros as the decimal value they are, however many there are', () => {
    expect(framing([['content-length', '0000000000000005']])).toEqual({ kind: 'length', length: 5 });
    expect(framing([['content-length', '0'.repeat(40) + '12']])).toEqual({ kind: 'length', length: 12 });
  });
});

// ---------------------------------------------------------------------------------------------

const CLIMITS: ChunkedLimits = { readLineLimit: 64, maxBodySize: 1024, maxHeaderCount: 4 };

type Decoded =
  | { kind: 'done'; body: string; trailers: Headers; consumed: number; size: number }
  | { kind: 'incomplete'; body: string }
  | { kind: 'error'; status: number; code: string };

/** Pushes each piece in turn; CONSUMED is the offset in the concatenated input where decoding stopped. */
function decode(pieces: Buffer[], limits: ChunkedLimits = CLIMITS): Decoded {
  const d = new ChunkedDecoder({ ...limits });
  let offset = 0;
  try {
    for (const piece of pieces) {
      const wasDone = d.done;
      const pos = d.push(piece, 0);
      if (!wasDone) offset += pos;
      if (!wasDone && !d.done) expect(pos).toBe(piece.length);
    }
  } catch (e) {
    if (e instanceof HttpProtocolError) return { kind: 'error', status: e.status, code: e.code };
    throw e;
  }
  const body = Buffer.concat(d.parts).toString('latin1');
  return d.done ? { kind: 'done', body, trailers: d.trailers, consumed: offset, size: d.size } : { kind: 'incomplete', body };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function* splits(buf: Buffer): Generator<{ name: string; pieces: Buffer[] }> {
  yield { name: 'whole', pieces: [buf] };
  yield { name: 'byte by byte', pieces: [...buf].map((x) => Buffer.from([x])) };
  for (let i = 1; i < buf.length; i++) yield { name: `split at ${i}`, pieces: [buf.subarray(0, i), buf.subarray(i)] };
}

function sameEverySplit(s: string, limits: ChunkedLimits = CLIMITS): Decoded {
  const buf = b(s);
  const whole = decode([buf], limits);
  const mismatches: string[] = [];
  for (const { name, pieces } of splits(buf)) {
    const o = decode(pieces, limits);
    if (JSON.stringify(o) !== JSON.stringify(whole)) mismatches.push(`${name}: ${JSON.stringify(o)}`);
  }
  expect(mismatches, `whole gives ${JSON.stringify(whole)}`).toEqual([]);
  return whole;
}

function done(o: Decoded): { body: string; trailers: Headers; consumed: number; size: number } {
  if (o.kind !== 'done') throw new Error(`expected a complete chunked body, got ${JSON.stringify(o)}`);
  return { body: o.body, trailers: o.trailers, consumed: o.consumed, size: o.size };
}

function failed(o: Decoded): { status: number; code: string } {
  if (o.kind !== 'error') throw new Error(`expected an HttpProtocolError, got ${JSON.stringify(o)}`);
  return { status: o.status, code: o.code };
}

describe('ChunkedDecoder', () => {
  it('decodes chunks up to the terminal chunk and the end of the trailer section', () => {
    const text = '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    expect(done(decode([b(text)]))).toEqual({ body: 'hello world', trailers: [], consumed: text.length, size: 11 });
  });

  it('decodes the same in every split position', () => {
    const texts = [
      '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
      'a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n',
      '1;ext=val\r\nx\r\n2 ; a = "q;u\\"o=te" ; b\r\nyz\r\n0;last\r\nX-Sum: 3\r\nX-Other:  v \r\n\r\n',
      '0005\r\nhello\r\n000\r\n\r\nGET /next HTTP/1.1\r\n\r\n',
    ];
    for (const t of texts) expect(sameEverySplit(t).kind, JSON.stringify(t)).toBe('done');
  });

  it('gives the same error in every split position', () => {
    expect(failed(sameEverySplit('5\nhello\r\n0\r\n\r\n')).status).toBe(400);
    expect(failed(sameEverySplit('5\r\nhelloX\r\n0\r\n\r\n')).status).toBe(400);
    expect(failed(sameEverySplit('0\r\nbad trailer\r\n\r\n')).status).toBe(400);
  });

  it('accepts upper and lower case hex sizes and leading zeros', () => {
    expect(done(decode([b('A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n')])).body).toBe('0123456789abcdefghij');
    expect(done(decode([b('00000000000000000001\r\nx\r\n0\r\n\r\n')])).body).toBe('x');
  });

  it('accepts chunk extensions, with token or quoted-string values and optional whitespace', () => {
    const exts = [';name', ';name=value', ' ;name=value', '; a = b ; c', ';a="q;u=o\\"te\\\\"', ';a=""', ';a="tab\there"', ';a=b;c=d;e'];
    for (const ext of exts) {
      expect(done(decode([b(`3${ext}\r\nabc\r\n0${ext}\r\n\r\n`)])).body, JSON.stringify(ext)).toBe('abc');
    }
  });

  it('rejects malformed chunk extensions with 400', () => {
    const exts = [';', ';=v', ';a=', ';a=b c', ';a="unterminated', ';a="x"y', ';a="ctl\u0001"', ';a=b,c', ';a="x\\\u0001"'];
    for (const ext of exts) {
      expect(failed(decode([b(`3${ext}\r\nabc\r\n0\r\n\r\n`)])), JSON.stringify(ext)).toMatchObject({ status: 400, code: 'bad-chunk' });
    }
  });

  it('rejects a malformed chunk size with 400', () => {
    for (const size of ['', 'x', '-5', '0x5', '+5', ' 5', '5.0', 'g', '5 ', '5\t']) {
      expect(failed(decode([b(`${size}\r\nhello\r\n0\r\n\r\n`)])), JSON.stringify(size)).toMatchObject({ status: 400, code: 'bad-chunk' });
    }
  });

  it('keeps trailer fields (lowercased, trimmed, in order) apart from the body', () => {
    const r = done(decode([b('3\r\nabc\r\n0\r\nX-Sum:  abc \r\nx-dup: 1\r\nX-DUP: 2\r\n\r\n')]));
    expect(r.body).toBe('abc');
    expect(r.trailers).toEqual([['x-sum', 'abc'], ['x-dup', '1'], ['x-dup', '2']]);
  });

  it('rejects malformed trailers with 400 and too many or too long ones with 431', () => {
    expect(failed(decode([b('0\r\nno colon\r\n\r\n')]))).toEqual({ status: 400, code: 'bad-trailer' });
    expect(failed(decode([b('0\r\nA: 1\r\n folded\r\n\r\n')])).status).toBe(400);
    expect(failed(decode([b('0\r\nA : 1\r\n\r\n')])).status).toBe(400);
    expect(done(decode([b('0\r\n' + 'A: 1\r\n'.repeat(4) + '\r\n')])).trailers).toHaveLength(4);
    expect(failed(decode([b('0\r\n' + 'A: 1\r\n'.repeat(5) + '\r\n')]))).toEqual({ status: 431, code: 'too-many-headers' });
    expect(failed(decode([b('0\r\nA: ' + 'v'.repeat(100) + '\r\n\r\n')]))).toEqual({ status: 431, code: 'header-line-too-long' });
  });

  it('rejects bare LF (and bare CR) in the framing with 400', () => {
    for (const t of [
      '5\nhello\r\n0\r\n\r\n', // size line
      '5\r\nhello\n0\r\n\r\n', // after data
      '5\r\nhello\r\n0\n\r\n', // terminal chunk
      '5\r\nhello\r\n0\r\n\n', // end of trailers
      '0\r\nA: 1\n\r\n', // trailer line
      '5\r\nhello\r0\r\n\r\n', // bare CR after data
      '5\r\r\nhello\r\n0\r\n\r\n', // CR CR LF
    ]) {
      expect(failed(decode([b(t)])).status, JSON.stringify(t)).toBe(400);
    }
  });

  it('rejects chunk data longer than its size with 400', () => {
    expect(failed(decode([b('3\r\nabcd\r\n0\r\n\r\n')]))).toMatchObject({ status: 400, code: 'bad-chunk' });
  });

  it('answers 413 for a chunk size that overflows, without waiting for its data', () => {
    const big: ChunkedLimits = { ...CLIMITS, maxBodySize: Number.MAX_SAFE_INTEGER };
    expect(failed(decode([b('ffffffffffffffffffff\r\n')], big))).toEqual({ status: 413, code: 'body-too-large' });
    expect(failed(decode([b('1' + '0'.repeat(13) + '\r\n')], big)).status).toBe(413);
    expect(failed(decode([b('fffffffffffffffff0000000000\r\n')], big)).status).toBe(413);
  });

  it('answers 413 when the chunks add up to more than maxBodySize, at the size line that crosses it', () => {
    const lim: ChunkedLimits = { ...CLIMITS, maxBodySize: 8 };
    expect(done(decode([b('4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n')], lim)).body).toBe('abcdefgh');
    expect(failed(decode([b('4\r\nabcd\r\n5\r\n')], lim))).toEqual({ status: 413, code: 'body-too-large' });
    expect(failed(decode([b('9\r\n')], lim)).status).toBe(413);
  });

  it('answers 400 for a chunk size line over the line limit, before its end arrives', () => {
    expect(failed(decode([b('5;' + 'a'.repeat(100))]))).toMatchObject({ status: 400, code: 'bad-chunk' });
  });

  it('leaves the data after the terminal chunk unconsumed: push returns its offset', () => {
    const body = '5\r\nhello\r\n0\r\n\r\n';
    const buf = b(body + 'GET /next HTTP/1.1\r\n\r\n');
    const d = new ChunkedDecoder({ ...CLIMITS });
    expect(d.push(buf, 0)).toBe(body.length);
    expect(d.done).toBe(true);
    // Once done, nothing more is taken.
    expect(d.push(buf, body.length)).toBe(body.length);
    expect(d.push(b('more'), 0)).toBe(0);
    expect(Buffer.concat(d.parts).toString()).toBe('hello');
  });

  it('starts at the given offset and reports offsets in the same buffer', () => {
    const pre = 'HEAD';
    const body = '3\r\nabc\r\n0\r\nT: 1\r\n\r\n';
    const buf = b(pre + body + 'rest');
    const d = new ChunkedDecoder({ ...CLIMITS });
    expect(d.push(buf, pre.length)).toBe(pre.length + body.length);
    expect(Buffer.concat(d.parts).toString()).toBe('abc');
    expect(d.trailers).toEqual([['t', '1']]);
  });

  it('returns the end of the input while more is needed', () => {
    const d = new ChunkedDecoder({ ...CLIMITS });
    expect(d.push(b('5\r\nhel'), 0)).toBe(6);
    expect(d.done).toBe(false);
    expect(d.push(b('lo\r\n0\r\n'), 0)).toBe(7);
    expect(d.done).toBe(false);
    expect(d.push(b('\r\nX'), 0)).toBe(2);
    expect(d.done).toBe(true);
  });

  it('reads from a view into a larger buffer (non-zero byteOffset)', () => {
    const big = b('xxxxxxxx3\r\nabc\r\n0\r\n\r\nyyyy');
    const view = new Uint8Array(big.buffer, big.byteOffset + 8, big.length - 12);
    const d = new ChunkedDecoder({ ...CLIMITS });
    expect(d.push(view, 0)).toBe(view.length);
    expect(d.done).toBe(true);
    expect(Buffer.concat(d.parts).toString()).toBe('abc');
  });

  it('only counts the data when told not to keep it', () => {
    const d = new ChunkedDecoder({ ...CLIMITS }, false);
    d.push(b('5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n'), 0);
    expect(d.done).toBe(true);
    expect(d.parts).toEqual([]);
    expect(d.size).toBe(8);
  });
});

describe('body framing end to end', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  it('gives a handler the decoded chunked body, its trailers apart, and the request fields', async () => {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource('/up', (request, args, ex) => { calls.push([request, args]); ex.send(200, {}, 'ok'); }));
    const res = await raw(server.port, [
      'POST /up?q=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n',
      '5;ext="a;b"\r\nhel', 'lo\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n',
    ], { pauseMs: 20 });
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls).toHaveLength(1);
    const [request, args] = calls[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/up?q=1');
    expect(request.protocol).toBe('HTTP/1.1');
    expect(request.ip).toBe('127.0.0.1');
    expect(request.body).toBe('hello world');
    expect(request.trailers).toEqual([['x-checksum', '42']]);
    expect(request.attributes).toEqual([['host', 'h'], ['transfer-encoding', 'chunked'], ['content-type', 'text/plain'], ['connection', 'close']]);
    expect(args).toEqual([['q', '1']]);
  });

  it('decodes a chunked urlencoded body into ARGS after the query arguments', async () => {
    const calls: Args[] = [];
    server = await startServer((c) => c.addResource('/f', (_r, args, ex) => { calls.push(args); ex.send(200, {}, 'ok'); }));
    const res = await raw(server.port,
      'POST /f?a=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n'
      + '4\r\nb=%4\r\n5\r\n1&c=d\r\n0\r\n\r\n');
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls).toEqual([[['a', '1'], ['b', 'A'], ['c', 'd']]]);
  });

  it('serves the request pipelined after a chunked body (bytes after the terminal chunk are the next request)', async () => {
    const urls: string[] = [];
    server = await startServer((c) => {
      c.addResource('/a', (r, _a, ex) => { urls.push(`${r.method} ${r.url} ${String(r.body)}`); ex.send(200, {}, 'a'); });
      c.addResource('/b', (r, _a, ex) => { urls.push(`${r.method} ${r.url} ${String(r.body)}`); ex.send(200, {}, 'b'); });
    });
    const conn = await RawConnection.open(server.port);
    try {
      conn.write('POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n');
      const rs = await conn.responses(2);
      expect(rs.map((r) => r.body)).toEqual(['a', 'b']);
      expect(urls).toEqual(['POST /a xyz', 'GET /b null']);
    } finally {
      conn.destroy();
    }
  });

  it('answers framing errors with their status and closes', async () => {
    const calls: HttpRequest[] = [];
    server = await startServer((c) => {
      c.limits.maxBodySize = 10;
      c.addResource('/', (r, _a, ex) => { calls.push(r); ex.send(200, {}, 'ok'); });
    });
    const cases: Array<[string, number]> = [
      ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', 400],
      ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400],
      ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890', 413],
      ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 501],
      ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n', 400],
      ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n', 413],
      ['POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n', 400],
    ];
    for (const [req, status] of cases) {
      const res = await raw(server.port, req);
      const rs = parseResponses(res.text);
      expect(rs.map((r) => r.status), JSON.stringify(req)).toEqual([status]);
      expect(res.closed).toBe(true);
    }
    expect(calls).toEqual([]);
  });

  it('accepts an identical duplicate Content-Length', async () => {
    const bodies: unknown[] = [];
    server = await startServer((c) => c.addResource('/', (r, _a, ex) => { bodies.push(r.body); ex.send(200, {}, 'ok'); }));
    const res = await raw(server.port, 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(bodies).toEqual(['abc']);
  });
});
