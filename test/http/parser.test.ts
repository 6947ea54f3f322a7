/**
 * RequestHeadParser: the incremental request-head parser (RFC 9112 §2–5) and its limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestHeadParser, parseRequestLine, type HeadLimits, type RequestHead } from '../../src/http/parser.js';
import { HttpProtocolError } from '../../src/http/errors.js';
import type { Args, Exchange, HttpRequest, ResourceHandler, Server } from '../../src/http/index.js';
import { RawConnection, parseResponses, raw, startServer } from '../support/net.js';

const LIMITS: HeadLimits = { readLineLimit: 4096, maxHeaderCount: 100, maxHeadSize: 64 * 1024 };

type Outcome =
  | { kind: 'head'; end: number; head: RequestHead }
  | { kind: 'error'; status: number; code: string; at: number }
  | { kind: 'incomplete' };

/** Feeds PIECES as a connection does (one growing buffer from the start of the request). */
function feed(pieces: Array<Buffer | string>, limits: HeadLimits = LIMITS): Outcome {
  const p = new RequestHeadParser({ ...limits });
  let buf = Buffer.alloc(0);
  try {
    for (const piece of pieces) {
      buf = Buffer.concat([buf, typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece]);
      const end = p.scan(buf);
      if (end !== -1) return { kind: 'head', end, head: p.parse(buf) };
    }
  } catch (e) {
    if (e instanceof HttpProtocolError) return { kind: 'error', status: e.status, code: e.code, at: buf.length };
    throw e;
  }
  return { kind: 'incomplete' };
}

const bytesOf = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

/** The outcome without the position of an error, which depends on how the bytes arrive. */
function comparable(o: Outcome): unknown {
  return o.kind === 'error' ? { kind: 'error', status: o.status, code: o.code } : o;
}

/** Every way the bytes may arrive that these tests try: whole, byte by byte, and each 2-way split. */
function* splits(b: Buffer): Generator<{ name: string; pieces: Buffer[] }> {
  yield { name: 'whole', pieces: [b] };
  yield { name: 'byte by byte', pieces: [...b].map((x) => Buffer.from([x])) };
  for (let i = 1; i < b.length; i++) yield { name: `split at ${i}`, pieces: [b.subarray(0, i), b.subarray(i)] };
}

/** Asserts every split gives the outcome of the whole; returns it. */
function sameEverySplit(s: string | Buffer, limits: HeadLimits = LIMITS): Outcome {
  const b = bytesOf(s);
  const whole = feed([b], limits);
  const mismatches: string[] = [];
  for (const { name, pieces } of splits(b)) {
    const o = feed(pieces, limits);
    if (JSON.stringify(comparable(o)) !== JSON.stringify(comparable(whole))) {
      mismatches.push(`${name}: ${JSON.stringify(comparable(o))}`);
    }
  }
  expect(mismatches, `whole gives ${JSON.stringify(comparable(whole))}`).toEqual([]);
  return whole;
}

function head(o: Outcome): RequestHead & { end: number } {
  if (o.kind !== 'head') throw new Error(`expected a head, got ${JSON.stringify(o)}`);
  return { ...o.head, end: o.end };
}

function error(o: Outcome): { status: number; code: string; at: number } {
  if (o.kind !== 'error') throw new Error(`expected an HttpProtocolError, got ${JSON.stringify(o)}`);
  return o;
}

describe('RequestHeadParser: a well-formed head', () => {
  it('gives method, target, protocol, headers and the offset past the head', () => {
    const text = 'GET /index.html?x=1 HTTP/1.1\r\nHost: example.org\r\nAccept:  */* \r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n';
    const h = head(feed([text + 'BODY']));
    expect(h.method).toBe('GET');
    expect(h.target).toBe('/index.html?x=1');
    expect(h.protocol).toBe('HTTP/1.1');
    expect(h.headers).toEqual([['host', 'example.org'], ['accept', '*/*'], ['x-dup', '1'], ['x-dup', '2']]);
    expect(h.end).toBe(text.length);
  });

  it('needs more bytes until the blank line', () => {
    expect(feed(['GET / HTTP/1.1\r\nHost: h\r\n'])).toEqual({ kind: 'incomplete' });
    expect(feed(['GET / HTTP/1.1\r\nHost: h\r\n\r'])).toEqual({ kind: 'incomplete' });
  });

  it('accepts a head without headers, and LF-only line endings', () => {
    expect(head(feed(['GET / HTTP/1.0\r\n\r\n'])).headers).toEqual([]);
    const h = head(feed(['POST /p HTTP/1.1\nHost: h\nContent-Length: 0\n\nxyz']));
    expect(h.headers).toEqual([['host', 'h'], ['content-length', '0']]);
    expect(h.end).toBe('POST /p HTTP/1.1\nHost: h\nContent-Length: 0\n\n'.length);
  });

  it('keeps obs-text bytes of a value (as Latin-1)', () => {
    const b = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nX-Name: caf'), Buffer.from([0xe9]), Buffer.from('\r\n\r\n')]);
    expect(head(feed([b])).headers).toEqual([['x-name', 'caf\u00e9']]);
  });
});

describe('RequestHeadParser: every split of the input gives the same result', () => {
  const heads = [
    'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
    'POST /submit?a=1 HTTP/1.1\r\nHost: example.org\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    'GET /lf HTTP/1.0\nA: 1\nB:  2 \n\n',
    '\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\n',
    '\nGET / HTTP/1.1\r\nMixed: endings\n\r\n',
  ];
  for (const h of heads) {
    it(`${JSON.stringify(h.slice(0, 40))}…`, () => {
      expect(sameEverySplit(h).kind).toBe('head');
    });
  }

  it('also for malformed heads (the same error)', () => {
    expect(error(sameEverySplit('GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n')).status).toBe(400);
    expect(error(sameEverySplit('GET / HTTP/2.0\r\nHost: h\r\n\r\n')).status).toBe(505);
    expect(error(sameEverySplit('GET / HTTP/1.1\r\nNoColon\r\n\r\n')).status).toBe(400);
  });

  it('in every 3-way split of a short head', () => {
    const b = bytesOf('GET /a HTTP/1.1\r\nA: 1\r\n\r\n');
    const whole = JSON.stringify(comparable(feed([b])));
    for (let i = 1; i < b.length; i++) {
      for (let j = i + 1; j < b.length; j++) {
        expect(JSON.stringify(comparable(feed([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]))), `${i},${j}`).toBe(whole);
      }
    }
  });
});

describe('RequestHeadParser: a line with several faults is refused for the one its bytes reveal first', () => {
  // Issue 9: these gave one error whole and another cut (a line's length was checked before its
  // bare CR or fold when it arrived complete, after them when it arrived in pieces).
  const SMALL: HeadLimits = { readLineLimit: 64, maxHeaderCount: 4, maxHeadSize: 256 };

  it('a bare CR before the line limit is crossed: bare CR, however the bytes arrive', () => {
    const e = error(sameEverySplit('Content-Length: 5\rContent-Type: application/x-www-form-urlencoded\r\n', SMALL));
    expect(e).toMatchObject({ status: 400, code: 'bad-request-line' });
  });

  it('a folded line with a bare CR: obs-fold (its first byte), however the bytes arrive', () => {
    expect(error(sameEverySplit('POST /p HTTP/1.1\r\nHost: a\r\n folded\r\r\n\r\n'))).toMatchObject({ status: 400, code: 'obs-fold' });
  });

  it('a folded line over the line limit: obs-fold, however the bytes arrive', () => {
    const text = 'POST /x HTTP/1.0\r\n\tTransfer-Encoding: chunkedContent-Length: 99999999999999999 \0\0\0\0\r\n';
    expect(error(sameEverySplit(text, SMALL))).toMatchObject({ status: 400, code: 'obs-fold' });
  });

  it('a line limit crossed before a bare CR: the limit, however the bytes arrive', () => {
    const e = error(sameEverySplit(`GET /${'a'.repeat(70)}\rX HTTP/1.1\r\n\r\n`, SMALL));
    expect(e).toMatchObject({ status: 414, code: 'request-line-too-long' });
  });

  it('a bare CR revealed by the same byte that crosses the line limit: the bare CR', () => {
    const limits: HeadLimits = { readLineLimit: 8, maxHeaderCount: 4, maxHeadSize: 256 };
    // The CR is the 8th byte and the 9th crosses the limit; then the CR is the 9th byte (the
    // limit is crossed only by the 10th: a CR might have been the start of the CRLF).
    expect(error(sameEverySplit('GET /ab\rXY HTTP/1.1\r\n\r\n', limits))).toMatchObject({ code: 'bad-request-line' });
    expect(error(sameEverySplit('GET /abc\rXY HTTP/1.1\r\n\r\n', limits))).toMatchObject({ code: 'bad-request-line' });
    expect(error(sameEverySplit('GET /abcd\rXY HTTP/1.1\r\n\r\n', limits))).toMatchObject({ status: 414, code: 'request-line-too-long' });
  });

  it('the head size crossed inside a line that later crosses the line limit: the head size', () => {
    const limits: HeadLimits = { readLineLimit: 20, maxHeaderCount: 4, maxHeadSize: 30 };
    const e = error(sameEverySplit(`GET / HTTP/1.1\r\nX: ${'v'.repeat(30)}\r\n\r\n`, limits));
    expect(e).toMatchObject({ status: 431, code: 'head-too-large' });
  });

  it('one header too many whose CRLF crosses the head size: too many headers; crossed before its CRLF: the head size', () => {
    const text = 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n'; // the second header line ends at byte 28
    const limits = (maxHeadSize: number): HeadLimits => ({ readLineLimit: 64, maxHeaderCount: 1, maxHeadSize });
    expect(error(sameEverySplit(text, limits(27)))).toMatchObject({ code: 'too-many-headers' });
    expect(error(sameEverySplit(text, limits(26)))).toMatchObject({ code: 'too-many-headers' });
    expect(error(sameEverySplit(text, limits(25)))).toMatchObject({ code: 'head-too-large' });
  });

  it('a folded line starting just past the head size: obs-fold', () => {
    const limits: HeadLimits = { readLineLimit: 64, maxHeaderCount: 4, maxHeadSize: 22 };
    expect(error(sameEverySplit('GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n', limits))).toMatchObject({ code: 'obs-fold' });
  });

  it('a malformed request line comes before any fault of a later line', () => {
    expect(error(sameEverySplit('GET / HTTP/2.0\r\n folded\r\n\r\n'))).toMatchObject({ status: 505 });
    expect(error(sameEverySplit(`G(T / HTTP/1.1\r\nX: ${'v'.repeat(70)}\r\n\r\n`, SMALL))).toMatchObject({ code: 'bad-method' });
  });
});

describe('RequestHeadParser: leading empty lines', () => {
  it('ignores empty lines (CRLF or LF) before the request line', () => {
    const text = '\r\n\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n';
    const h = head(feed([text]));
    expect(h.target).toBe('/x');
    expect(h.end).toBe(text.length);
  });

  it('does not count them against the head size or line limits', () => {
    const limits: HeadLimits = { readLineLimit: 32, maxHeaderCount: 5, maxHeadSize: 40 };
    const text = '\r\n\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n';
    expect(head(sameEverySplit(text, limits)).target).toBe('/x');
  });

  it('reports "started" only once a byte of a request line has been seen', () => {
    const p = new RequestHeadParser({ ...LIMITS });
    expect(p.started).toBe(false);
    expect(p.scan(Buffer.from('\r\n'))).toBe(-1);
    expect(p.started).toBe(false);
    expect(p.scan(Buffer.from('\r\nGE'))).toBe(-1);
    expect(p.started).toBe(true);
  });
});

describe('RequestHeadParser: limits', () => {
  // A request line of exactly 32 bytes: "GET /aaaaaaaaaaaaaaaaaa HTTP/1.1".
  const LINE32 = 'GET /' + 'a'.repeat(18) + ' HTTP/1.1';
  const small: HeadLimits = { readLineLimit: 32, maxHeaderCount: 3, maxHeadSize: 1000 };

  it('accepts a request line exactly at the line limit, however the bytes arrive', () => {
    expect(LINE32.length).toBe(32);
    expect(head(sameEverySplit(`${LINE32}\r\nHost: h\r\n\r\n`, small)).target).toBe('/' + 'a'.repeat(18));
  });

  it('answers 414 for a request line one byte over the limit, however the bytes arrive', () => {
    const e = error(sameEverySplit(`GET /${'a'.repeat(19)} HTTP/1.1\r\nHost: h\r\n\r\n`, small));
    expect(e.status).toBe(414);
    expect(e.code).toBe('request-line-too-long');
  });

  it('answers 414 as soon as the request line crosses the limit, before any newline', () => {
    const pieces = [...Buffer.from('GET /' + 'a'.repeat(100))].map((x) => Buffer.from([x]));
    const e = error(feed(pieces, small));
    expect(e.status).toBe(414);
    expect(e.at).toBe(33);
    expect(feed(['GET /' + 'a'.repeat(27)], small)).toEqual({ kind: 'incomplete' });
  });

  it('accepts a header line exactly at the line limit, however the bytes arrive', () => {
    const h32 = 'X: ' + 'v'.repeat(29);
    expect(h32.length).toBe(32);
    expect(head(sameEverySplit(`GET / HTTP/1.1\r\n${h32}\r\n\r\n`, small)).headers).toEqual([['x', 'v'.repeat(29)]]);
  });

  it('answers 431 for a header line over the limit, as soon as it is crossed', () => {
    const e1 = error(sameEverySplit(`GET / HTTP/1.1\r\nX: ${'v'.repeat(30)}\r\n\r\n`, small));
    expect(e1).toMatchObject({ status: 431, code: 'header-line-too-long' });
    const prefix = 'GET / HTTP/1.1\r\nA: 1\r\n';
    const pieces = [...Buffer.from(prefix + 'X: ' + 'v'.repeat(100))].map((x) => Buffer.from([x]));
    const e2 = error(feed(pieces, small));
    expect(e2.status).toBe(431);
    expect(e2.at).toBe(prefix.length + 33);
  });

  it('accepts maxHeaderCount headers and answers 431 for one more, without waiting for the blank line', () => {
    expect(head(sameEverySplit('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', small)).headers).toHaveLength(3);
    const text = 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n';
    const e = error(feed([text], small));
    expect(e).toMatchObject({ status: 431, code: 'too-many-headers' });
    expect(error(sameEverySplit(text + 'E: 5\r\n\r\n', small)).status).toBe(431);
    // Byte by byte, it is thrown at the LF ending the fourth header line.
    expect(error(feed([...Buffer.from(text + 'E: 5')].map((x) => Buffer.from([x])), small)).at).toBe(text.length);
  });

  it('accepts a head exactly at maxHeadSize (request line and header lines), however the bytes arrive', () => {
    const lines = 'GET / HTTP/1.1\r\nHost: h\r\n';
    const limits: HeadLimits = { readLineLimit: 100, maxHeaderCount: 10, maxHeadSize: lines.length };
    expect(feed([lines + '\r\n'], limits).kind).toBe('head');
    expect(head(sameEverySplit(lines + '\r\n', limits)).headers).toEqual([['host', 'h']]);
  });

  it('answers 431 for a head over maxHeadSize, as soon as it is crossed, even inside a line', () => {
    const limits: HeadLimits = { readLineLimit: 1000, maxHeaderCount: 100, maxHeadSize: 100 };
    // Many short lines.
    const many = 'GET / HTTP/1.1\r\n' + 'A: 1\r\n'.repeat(30) + '\r\n';
    expect(error(sameEverySplit(many, limits))).toMatchObject({ status: 431, code: 'head-too-large' });
    // One long line that never ends.
    const e = error(feed([...Buffer.from('GET / HTTP/1.1\r\nX: ' + 'v'.repeat(500))].map((x) => Buffer.from([x])), limits));
    expect(e).toMatchObject({ status: 431, code: 'head-too-large' });
    expect(e.at).toBe(101);
  });

  it('reads its limits on every scan, so a change applies to the next request', () => {
    const limits: HeadLimits = { ...LIMITS };
    const p = new RequestHeadParser(limits);
    limits.readLineLimit = 10;
    expect(() => p.scan(Buffer.from('GET /abcdefghij HTTP/1.1\r\n'))).toThrow(HttpProtocolError);
  });

  it('can be reset and used for the next request of a pipelined buffer', () => {
    const first = 'GET /1 HTTP/1.1\r\nHost: h\r\n\r\n';
    const buf = Buffer.from(first + 'GET /2 HTTP/1.1\r\nHost: h\r\n\r\n');
    const p = new RequestHeadParser({ ...LIMITS });
    const end1 = p.scan(buf);
    expect(end1).toBe(first.length);
    expect(p.parse(buf).target).toBe('/1');
    p.reset();
    const rest = buf.subarray(end1);
    expect(p.scan(rest)).toBe(rest.length);
    expect(p.parse(rest).target).toBe('/2');
  });
});

describe('RequestHeadParser: malformed heads', () => {
  const bad = (text: string): { status: number; code: string } => {
    const e = error(feed([text]));
    return { status: e.status, code: e.code };
  };

  it('rejects obs-fold (a line starting with whitespace) with 400', () => {
    expect(bad('GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n')).toEqual({ status: 400, code: 'obs-fold' });
    expect(bad('GET / HTTP/1.1\r\nHost: h\r\n\tb\r\n\r\n')).toEqual({ status: 400, code: 'obs-fold' });
  });

  it('rejects whitespace before the colon with 400', () => {
    expect(bad('GET / HTTP/1.1\r\nHost : h\r\n\r\n')).toEqual({ status: 400, code: 'bad-header' });
    expect(bad('GET / HTTP/1.1\r\nHost\t: h\r\n\r\n').status).toBe(400);
  });

  it('rejects a header line without a colon, or with an empty name, with 400', () => {
    expect(bad('GET / HTTP/1.1\r\nHost h\r\n\r\n')).toEqual({ status: 400, code: 'bad-header' });
    expect(bad('GET / HTTP/1.1\r\n: h\r\n\r\n').status).toBe(400);
  });

  it('rejects control characters (bare CR, NUL) in a value with 400', () => {
    expect(bad('GET / HTTP/1.1\r\nX: a\rb\r\n\r\n').status).toBe(400);
    expect(bad('GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n').status).toBe(400);
  });

  // llhttp's suite ("Missing CRLF-CRLF before body", "Headers separated by dummy characters",
  // "Invalid space after start line"): these used to wait for the end of a head that could never
  // be valid. A bare CR or a folded line is refused as soon as it is seen.
  it('refuses a bare CR or a line starting with whitespace before the head (or the line) ends', () => {
    const at = (s: string): Outcome => feed([s]);
    expect(at('PUT /url HTTP/1.1\r\nContent-Length: 3\r\n\rabc')).toMatchObject({ kind: 'error', status: 400, code: 'bad-header' });
    expect(at('GET / HTTP/1.1\r\nHost: a\r\n\rZGET /evil: HTTP/1.1\r\nHost: a\r\n')).toMatchObject({ kind: 'error', status: 400, code: 'bad-header' });
    expect(at('GET / HTTP/1.1\rHost')).toMatchObject({ kind: 'error', status: 400, code: 'bad-request-line' });
    expect(at('GET / HTTP/1.1\r\n Host: foo')).toMatchObject({ kind: 'error', status: 400, code: 'obs-fold' });
    // A CR last in the buffer may be the start of a CRLF: more bytes are needed.
    expect(at('GET / HTTP/1.1\r\nHost: a\r')).toEqual({ kind: 'incomplete' });
    expect(at('GET / HTTP/1.1\r\nHost: a\r\n\r')).toEqual({ kind: 'incomplete' });
  });

  it('rejects malformed request lines with 400', () => {
    for (const line of ['GET  / HTTP/1.1', 'GET /', 'GET / HTTP/1.1 x', ' GET / HTTP/1.1', 'GET / HTTP/1.1 ', '/ HTTP/1.1', 'GET\t/\tHTTP/1.1']) {
      expect(bad(`${line}\r\nHost: h\r\n\r\n`).status, JSON.stringify(line)).toBe(400);
    }
  });

  it('rejects a malformed method, target or version with 400', () => {
    expect(bad('G(T / HTTP/1.1\r\n\r\n')).toEqual({ status: 400, code: 'bad-method' });
    expect(bad('GET foo HTTP/1.1\r\n\r\n')).toEqual({ status: 400, code: 'bad-target' });
    expect(bad('GET /caf\u00e9 HTTP/1.1\r\n\r\n')).toEqual({ status: 400, code: 'bad-target' });
    expect(bad('GET / http/1.1\r\n\r\n')).toEqual({ status: 400, code: 'bad-version' });
    expect(bad('GET / HTTP/1.10\r\n\r\n').status).toBe(400);
    expect(bad('GET / HTTP/1\r\n\r\n').status).toBe(400);
  });

  it('answers 505 for a major version other than 1', () => {
    expect(bad('GET / HTTP/2.0\r\nHost: h\r\n\r\n')).toEqual({ status: 505, code: 'unsupported-version' });
    expect(bad('GET / HTTP/3.0\r\nHost: h\r\n\r\n').status).toBe(505);
  });
});

describe('parseRequestLine: versions and targets', () => {
  it('serves HTTP/1.x minors above 1 as HTTP/1.1', () => {
    expect(parseRequestLine('GET / HTTP/1.0').protocol).toBe('HTTP/1.0');
    expect(parseRequestLine('GET / HTTP/1.1').protocol).toBe('HTTP/1.1');
    expect(parseRequestLine('GET / HTTP/1.2').protocol).toBe('HTTP/1.1');
    expect(parseRequestLine('GET / HTTP/1.9').protocol).toBe('HTTP/1.1');
  });

  it('accepts absolute-form, asterisk-form and (for CONNECT) authority-form targets', () => {
    expect(parseRequestLine('GET http://example.com:8080/p?q=1 HTTP/1.1')).toMatchObject({ method: 'GET', target: 'http://example.com:8080/p?q=1' });
    expect(parseRequestLine('OPTIONS * HTTP/1.1')).toMatchObject({ method: 'OPTIONS', target: '*' });
    expect(parseRequestLine('CONNECT example.com:443 HTTP/1.1')).toMatchObject({ method: 'CONNECT', target: 'example.com:443' });
  });

  it('accepts any token as a method', () => {
    expect(parseRequestLine('PROPFIND /x HTTP/1.1').method).toBe('PROPFIND');
    expect(parseRequestLine('M-SEARCH * HTTP/1.1').method).toBe('M-SEARCH');
  });
});

describe('RequestHeadParser end to end: what a handler receives', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  const capture = (calls: Array<[HttpRequest, Args]>): ResourceHandler => (request: HttpRequest, args: Args, ex: Exchange): void => {
    calls.push([request, args]);
    ex.send(200, {}, 'ok');
  };

  it('serves an absolute-form HTTP/1.2 request as HTTP/1.1, with the path and args of the URL', async () => {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource('/p q', capture(calls)));
    const res = await raw(server.port, 'GET http://h/p%20q?x=1 HTTP/1.2\r\nHost: h\r\nConnection: close\r\n\r\n');
    const [r] = parseResponses(res.text);
    expect(r!.statusLine).toBe('HTTP/1.1 200 OK');
    expect(calls).toHaveLength(1);
    const [request, args] = calls[0]!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('http://h/p%20q?x=1');
    expect(request.protocol).toBe('HTTP/1.1');
    expect(request.attributes).toEqual([['host', 'h'], ['connection', 'close']]);
    expect(request.ip).toBe('127.0.0.1');
    expect(args).toEqual([['x', '1']]);
  });

  it('ignores empty lines before a request, also between pipelined requests', async () => {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource('/x', capture(calls)));
    const res = await raw(server.port, '\r\nGET /x?n=1 HTTP/1.1\r\nHost: h\r\n\r\n\r\n\r\nGET /x?n=2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(parseResponses(res.text).map((r) => r.status)).toEqual([200, 200]);
    expect(calls.map(([, a]) => a)).toEqual([[['n', '1']], [['n', '2']]]);
  });

  it('answers the parser errors with their status and closes', async () => {
    server = await startServer((c) => c.addResource('/', (_r, _a, ex) => ex.send(200, {}, 'ok')));
    const cases: Array<[string, number]> = [
      [`GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: h\r\n\r\n`, 414],
      [`GET / HTTP/1.1\r\nHost: h\r\nX: ${'v'.repeat(9000)}\r\n\r\n`, 431],
      ['GET / HTTP/2.0\r\nHost: h\r\n\r\n', 505],
      ['GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n', 400],
      ['GET / HTTP/1.1\r\nHost : h\r\n\r\n', 400],
    ];
    for (const [req, status] of cases) {
      const res = await raw(server.port, req);
      const [r] = parseResponses(res.text);
      expect(r!.status, JSON.stringify(req.slice(0, 40))).toBe(status);
      expect(res.closed).toBe(true);
    }
  });

  it('serves a request line exactly at http:read-line-limit even when its CR and LF arrive apart', async () => {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource('/' + 'a'.repeat(8178), capture(calls)));
    const line = 'GET /' + 'a'.repeat(8178) + ' HTTP/1.1';
    expect(line.length).toBe(8192);
    const res = await raw(server.port, [line + '\r', '\nHost: h\r\nConnection: close\r\n\r\n'], { pauseMs: 50 });
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('answers 414 while the over-long request line is still arriving (no newline sent)', async () => {
    server = await startServer((c) => c.addResource('/', (_r, _a, ex) => ex.send(200, {}, 'ok')));
    const conn = await RawConnection.open(server.port);
    try {
      conn.write('GET /' + 'a'.repeat(9000));
      const text = await conn.until((t) => t.includes('\r\n\r\n'), 3000);
      expect(text.startsWith('HTTP/1.1 414 ')).toBe(true);
    } finally {
      conn.destroy();
    }
  });

  it('answers 431 for one header more than the limit without waiting for the end of the head', async () => {
    server = await startServer((c) => {
      c.limits.maxHeaderCount = 5;
      c.addResource('/', (_r, _a, ex) => ex.send(200, {}, 'ok'));
    });
    const conn = await RawConnection.open(server.port);
    try {
      conn.write('GET / HTTP/1.1\r\nHost: h\r\n' + 'X: 1\r\n'.repeat(5));
      const text = await conn.until((t) => t.includes('\r\n\r\n'), 3000);
      expect(text.startsWith('HTTP/1.1 431 ')).toBe(true);
    } finally {
      conn.destroy();
    }
  });
});
