/**
 * `http:read-request-attributes` (readRequestAttributes over a LineSource) and its in-memory
 * twin parseAttributes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAttributes, readRequestAttributes } from '../../src/http/attributes.js';
import { BufferInput, type LineSource } from '../../src/http/input.js';
import { HttpProtocolError } from '../../src/http/errors.js';
import type { Headers, HttpRequest, Server } from '../../src/http/index.js';
import { parseResponses, raw, startServer } from '../support/net.js';

const input = (s: string): BufferInput => new BufferInput(Buffer.from(s, 'utf8'));

/** A port whose lines arrive asynchronously, one per turn of the event loop. */
class AsyncLines implements LineSource {
  private i = 0;
  reads = 0;
  constructor(private readonly lines: string[]) {}
  async readLine(): Promise<string | null> {
    this.reads++;
    await new Promise<void>((r) => setImmediate(r));
    return this.i < this.lines.length ? this.lines[this.i++]! : null;
  }
}

function protocolError(fn: () => unknown): HttpProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpProtocolError) return e;
    throw e;
  }
  throw new Error('expected an HttpProtocolError; nothing was thrown');
}

async function asyncProtocolError(p: Promise<unknown>): Promise<HttpProtocolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpProtocolError) return e;
    throw e;
  }
  throw new Error('expected an HttpProtocolError; nothing was thrown');
}

const HEAD = 'Host: example.org\r\nContent-Type:  text/plain \t\r\nX-Dup: 1\r\nACCEPT: */*\r\nx-dup: 2\r\n\r\n';
const HEAD_PARSED: Headers = [['host', 'example.org'], ['content-type', 'text/plain'], ['x-dup', '1'], ['accept', '*/*'], ['x-dup', '2']];

describe('readRequestAttributes over a BufferInput', () => {
  it('lowercases names, trims values and keeps duplicates in order', async () => {
    expect(await readRequestAttributes(input(HEAD))).toEqual(HEAD_PARSED);
  });

  it('stops at the blank line and leaves what follows unread', async () => {
    const port = input(HEAD + 'Not: a header of this block\r\nbody');
    expect(await readRequestAttributes(port)).toEqual(HEAD_PARSED);
    expect(port.readAll()).toBe('Not: a header of this block\r\nbody');
  });

  it('stops at the end of input (no blank line needed)', async () => {
    expect(await readRequestAttributes(input('A: 1\r\nB: 2'))).toEqual([['a', '1'], ['b', '2']]);
    expect(await readRequestAttributes(input('A: 1\r\n'))).toEqual([['a', '1']]);
    expect(await readRequestAttributes(input(''))).toEqual([]);
  });

  it('stops at the first line that is not a header', async () => {
    expect(await readRequestAttributes(input('A: 1\r\nnot a header\r\nB: 2\r\n\r\n'))).toEqual([['a', '1']]);
    // A continuation line (obs-fold), whitespace before the colon, an empty name.
    expect(await readRequestAttributes(input('A: 1\r\n  folded\r\nB: 2\r\n'))).toEqual([['a', '1']]);
    expect(await readRequestAttributes(input('A: 1\r\nB : 2\r\nC: 3\r\n'))).toEqual([['a', '1']]);
    expect(await readRequestAttributes(input('A: 1\r\n: 2\r\nC: 3\r\n'))).toEqual([['a', '1']]);
    // The first line already is not a header.
    expect(await readRequestAttributes(input('GET / HTTP/1.1\r\nA: 1\r\n'))).toEqual([]);
  });

  it('accepts LF, CRLF and CR line endings', async () => {
    expect(await readRequestAttributes(input('A: 1\nB: 2\n\nC: 3'))).toEqual([['a', '1'], ['b', '2']]);
    expect(await readRequestAttributes(input('A: 1\rB: 2\r\rC: 3'))).toEqual([['a', '1'], ['b', '2']]);
  });

  it('keeps empty values, colons inside values and inner whitespace', async () => {
    expect(await readRequestAttributes(input('Empty:\r\nBlank:   \r\nTime: 12:30:00\r\nX:  a \t b  \r\n'))).toEqual([
      ['empty', ''], ['blank', ''], ['time', '12:30:00'], ['x', 'a \t b'],
    ]);
  });

  it('lowercases only the name', async () => {
    expect(await readRequestAttributes(input('X-MiXeD: VaLuE\r\n'))).toEqual([['x-mixed', 'VaLuE']]);
  });

  it('keeps non-ASCII text in values', async () => {
    expect(await readRequestAttributes(input('X-Name: Zoë €\r\n'))).toEqual([['x-name', 'Zoë €']]);
  });

  it('accepts a line as long as the limit and rejects a longer one with 431', async () => {
    const at = 'X: ' + 'v'.repeat(4096 - 3);
    expect(await readRequestAttributes(input(`${at}\r\n\r\n`))).toEqual([['x', 'v'.repeat(4093)]]);
    const err = await asyncProtocolError(readRequestAttributes(input(`A: 1\r\n${at}v\r\n\r\n`)));
    expect(err.status).toBe(431);
    expect(err.code).toBe('header-line-too-long');
  });

  it('takes the limit as an argument (http:read-line-limit)', async () => {
    expect(await readRequestAttributes(input('A: 123456\r\n'), 9)).toEqual([['a', '123456']]);
    const err = await asyncProtocolError(readRequestAttributes(input('A: 1234567\r\n'), 9));
    expect(err.status).toBe(431);
  });

  it('applies the limit to a line that is not a header, too', async () => {
    const err = await asyncProtocolError(readRequestAttributes(input('A: 1\r\n' + 'x'.repeat(20) + '\r\n'), 10));
    expect(err.status).toBe(431);
  });
});

describe('readRequestAttributes over an asynchronous LineSource', () => {
  it('waits for each line', async () => {
    const port = new AsyncLines(['Host: h', 'X-A:  1 ', 'x-a: 2', '', 'ignored: yes']);
    expect(await readRequestAttributes(port)).toEqual([['host', 'h'], ['x-a', '1'], ['x-a', '2']]);
    expect(port.reads).toBe(4);
  });

  it('stops at the end and at a non-header line', async () => {
    expect(await readRequestAttributes(new AsyncLines(['A: 1']))).toEqual([['a', '1']]);
    expect(await readRequestAttributes(new AsyncLines(['A: 1', 'junk', 'B: 2']))).toEqual([['a', '1']]);
    expect(await readRequestAttributes(new AsyncLines([]))).toEqual([]);
  });

  it('rejects a line over the limit with 431', async () => {
    const err = await asyncProtocolError(readRequestAttributes(new AsyncLines(['A: 1', 'B: ' + 'x'.repeat(50)]), 20));
    expect(err).toBeInstanceOf(HttpProtocolError);
    expect(err.status).toBe(431);
  });

  it('works with a plain object whose readLine is synchronous', async () => {
    const ls = ['A: 1', 'B: 2'];
    const port: LineSource = { readLine: () => ls.shift() ?? null };
    expect(await readRequestAttributes(port)).toEqual([['a', '1'], ['b', '2']]);
  });
});

describe('parseAttributes', () => {
  it('parses text in memory like readRequestAttributes', () => {
    expect(parseAttributes(HEAD)).toEqual(HEAD_PARSED);
    expect(parseAttributes(HEAD + 'X: after blank\r\n')).toEqual(HEAD_PARSED);
    expect(parseAttributes('A: 1\nB: 2')).toEqual([['a', '1'], ['b', '2']]);
    expect(parseAttributes('A: 1\r\nnot a header\r\nB: 2')).toEqual([['a', '1']]);
    expect(parseAttributes('')).toEqual([]);
  });

  it('rejects a line over the limit with 431', () => {
    const err = protocolError(() => parseAttributes('A: 1\r\nB: ' + 'x'.repeat(20) + '\r\n', 10));
    expect(err.status).toBe(431);
    expect(err.code).toBe('header-line-too-long');
    expect(parseAttributes('B: ' + 'x'.repeat(7), 10)).toEqual([['b', 'xxxxxxx']]);
  });

  it('gives the same result as readRequestAttributes over the same text', async () => {
    const texts = [
      HEAD,
      'A: 1\nB: 2\n\nC: 3',
      'A: 1\r\nB: 2',
      'A: 1\r\n  folded\r\nB: 2\r\n',
      'A:\r\nB:   x  \r\n',
      '\r\nA: 1',
    ];
    for (const t of texts) {
      expect(parseAttributes(t), JSON.stringify(t)).toEqual(await readRequestAttributes(input(t)));
    }
  });

  it('treats a lone CR as a line ending, as readRequestAttributes (and LineSource.readLine) does', async () => {
    const t = 'A: 1\rB: 2\r\n';
    expect(await readRequestAttributes(input(t))).toEqual([['a', '1'], ['b', '2']]);
    expect(parseAttributes(t)).toEqual([['a', '1'], ['b', '2']]);
  });
});

describe('attributes end to end', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  it('gives a handler the request headers lowercased, trimmed, in order, duplicates kept', async () => {
    const calls: HttpRequest[] = [];
    server = await startServer((c) => c.addResource('/', (request, _a, ex) => { calls.push(request); ex.send(200, {}, 'ok'); }));
    const res = await raw(server.port,
      'GET / HTTP/1.1\r\nHOST: h\r\nX-Trim: \t v  \t\r\nX-Dup: 1\r\nx-DUP: 2\r\nEmpty:\r\nConnection: close\r\n\r\n');
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls.map((r) => r.attributes)).toEqual([[
      ['host', 'h'], ['x-trim', 'v'], ['x-dup', '1'], ['x-dup', '2'], ['empty', ''], ['connection', 'close'],
    ]]);
  });

  it('lets a content parser read MIME headers from the body port with readRequestAttributes', async () => {
    const calls: HttpRequest[] = [];
    const rest: unknown[] = [];
    server = await startServer((c) => {
      c.contentParser('message/x-headers', async (_size, _headers, port) => {
        const attrs = await readRequestAttributes(port);
        const remaining = port.readAll();
        rest.push(remaining);
        return [attrs, remaining];
      });
      c.addResource('/mime', (request, _a, ex) => { calls.push(request); ex.send(200, {}, 'ok'); });
    });
    const body = 'Subject:  Hello \r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nthe rest';
    const res = await raw(server.port,
      `POST /mime HTTP/1.1\r\nHost: h\r\nContent-Type: message/x-headers\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls.map((r) => r.body)).toEqual([[['subject', 'Hello'], ['x-dup', '1'], ['x-dup', '2']]]);
    expect(rest).toEqual(['the rest']);
  });
});
