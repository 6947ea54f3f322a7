/**
 * What a handler writes and what goes on the wire: the lazy preamble, handler-written status
 * lines, error responses, the framing the server supplies or corrects (SEMANTICS.md "Preamble",
 * "Framing"), async handlers and `ex.send`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerOutputError, type Server } from '../../../src/http/index.js';
import { startServer, raw, header, RawConnection } from '../../support/net.js';
import {
  IMF_FIXDATE, countHeader, defaultPage, exchange, get, getReq, request1, responsesOf, sleep, splitHead, waitFor,
} from '../../support/server-features.js';

let server: Server | null = null;
afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

const req10 = (path: string, ...extra: string[]): string => `GET ${path} HTTP/1.0\r\n${extra.map((l) => l + '\r\n').join('')}\r\n`;

/** A body of N bytes whose content shows where each byte came from. */
function pattern(n: number, seed = 0): string {
  let s = '';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; s.length < n; i++) s += alphabet[(i + seed) % alphabet.length]!.repeat(1 + (i % 7));
  return s.slice(0, n);
}

describe('lazy preamble', () => {
  it('HTTP/1.1 request: status line, Server and Date come before the handler\'s own header lines', async () => {
    server = await startServer((c) => c.addResource('/p', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\n');
      ex.write('X-Order: after\r\n\r\nhi');
    }));
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(getReq('/p'));
      const text = await conn.until((t) => t.endsWith('\r\n\r\nhi'));
      const lines = splitHead(text).head.split('\r\n');
      expect(lines[0]).toBe('HTTP/1.1 200 OK');
      expect(lines[1]).toBe('Server: (Silly)');
      expect(lines[2]).toMatch(/^Date: /);
      expect(lines[2]!.slice(6)).toMatch(IMF_FIXDATE);
      expect(Math.abs(Date.parse(lines[2]!.slice(6)) - Date.now())).toBeLessThan(5000);
      expect(lines.indexOf('Content-Type: text/plain')).toBeGreaterThan(2);
      expect(lines.indexOf('X-Order: after')).toBeGreaterThan(lines.indexOf('Content-Type: text/plain'));
      expect(lines).toContain('Content-Length: 2');
    } finally {
      conn.destroy();
    }
  });

  it('HTTP/1.0 request: HTTP/1.0 200 OK, and the connection is closed after it', async () => {
    server = await startServer((c) => c.addResource('/p', (_r, _a, ex) => { ex.write('Content-Type: text/plain\r\n\r\nold'); }));
    const res = await raw(server.port, req10('/p'), { waitMs: 2000 });
    expect(res.closed).toBe(true);
    const [r] = responsesOf(res.text);
    expect(r!.statusLine).toBe('HTTP/1.0 200 OK');
    expect(header(r!, 'server')).toBe('(Silly)');
    expect(header(r!, 'date')).toMatch(IMF_FIXDATE);
    expect(r!.body).toBe('old');
  });

  it('HTTP/1.0 with Connection: keep-alive is answered with Connection: keep-alive and stays open', async () => {
    server = await startServer((c) => c.addResource('/p', (_r, _a, ex) => { ex.write('\r\nka'); }));
    const req = req10('/p', 'Connection: keep-alive');
    const { responses, conn } = await exchange(server.port, req + req, 2);
    expect(conn.closed).toBe(false);
    conn.destroy();
    for (const r of responses) {
      expect(r.statusLine).toBe('HTTP/1.0 200 OK');
      expect(header(r, 'connection')?.toLowerCase()).toBe('keep-alive');
      expect(r.body).toBe('ka');
    }
  });

  it('the Server header carries the serverName given to createServer', async () => {
    server = await startServer((c) => c.addResource('/p', (_r, _a, ex) => { ex.write('\r\n'); }), { serverName: 'Unit/2' });
    expect(header(await get(server.port, '/p'), 'server')).toBe('Unit/2');
  });

  it('a handler that writes nothing gets 200 with Content-Length: 0, and the connection goes on', async () => {
    server = await startServer((c) => {
      c.addResource('/nothing', () => undefined);
      c.addResource('/next', (_r, _a, ex) => { ex.write('\r\nnext'); });
    });
    const { responses, conn } = await exchange(server.port, getReq('/nothing') + getReq('/next'), 2);
    conn.destroy();
    expect(responses[0]!.statusLine).toBe('HTTP/1.1 200 OK');
    expect(header(responses[0]!, 'content-length')).toBe('0');
    expect(responses[0]!.body).toBe('');
    expect(responses[1]!.body).toBe('next');
  });

  it('header lines written with bare LF go out with CRLF', async () => {
    server = await startServer((c) => c.addResource('/lf', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\nX-One: 1\nX-Two: 2\n\nbody\nwith LF');
    }));
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(getReq('/lf'));
      const text = await conn.until((t) => t.endsWith('with LF'));
      const { head, rest } = splitHead(text);
      expect(/(^|[^\r])\n/.test(head + '\r\n\r\n')).toBe(false);
      expect(head.split('\r\n')).toEqual(expect.arrayContaining(['Content-Type: text/plain', 'X-One: 1', 'X-Two: 2']));
      // The body is the handler's bytes, untouched.
      expect(rest).toBe('body\nwith LF');
      expect(head).toContain('Content-Length: 12');
    } finally {
      conn.destroy();
    }
  });

  it('a handler that writes no Content-Length gets one supplied, counting bytes, not characters', async () => {
    server = await startServer((c) => c.addResource('/u', (_r, _a, ex) => { ex.write('Content-Type: text/plain; charset=utf-8\r\n\r\n'); ex.write('héllo €'); }));
    const r = await get(server.port, '/u');
    expect(header(r, 'content-length')).toBe(String(Buffer.byteLength('héllo €')));
    expect(Buffer.from(r.body, 'latin1').toString('utf8')).toBe('héllo €');
  });

  it('a handler writing Uint8Array pieces gets them byte-exact', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10, 65]);
    server = await startServer((c) => c.addResource('/bin', (_r, _a, ex) => {
      ex.write('Content-Type: application/octet-stream\r\n\r\n');
      ex.write(new Uint8Array(bytes.subarray(0, 4)));
      ex.write(new Uint8Array(bytes.subarray(4)));
    }));
    const r = await get(server.port, '/bin');
    expect(header(r, 'content-length')).toBe('10');
    expect(Buffer.from(r.body, 'latin1')).toEqual(bytes);
  });
  it('header lines split across writes at any point are put back together', async () => {
    server = await startServer((c) => c.addResource('/split', (_r, _a, ex) => {
      for (const piece of ['Content-Ty', 'pe: text/pl', 'ain\r', '\nX-Sp', 'lit: yes\r\n', '\r', '\nbo', 'dy']) ex.write(piece);
    }));
    const r = await get(server.port, '/split');
    expect(header(r, 'content-type')).toBe('text/plain');
    expect(header(r, 'x-split')).toBe('yes');
    expect(header(r, 'content-length')).toBe('4');
    expect(r.body).toBe('body');
  });

  it('a handler that writes body text without header lines still gives a well-formed response; the connection goes on', async () => {
    server = await startServer((c) => {
      c.addResource('/bare', (_r, _a, ex) => { ex.write('<h1>no headers here</h1>\n'); });
      c.addResource('/next', (_r, _a, ex) => { ex.write('\r\nnext'); });
    });
    const { responses, conn } = await exchange(server.port, getReq('/bare') + getReq('/next'), 2);
    conn.destroy();
    expect(responses[0]!.statusLine).toBe('HTTP/1.1 200 OK');
    expect(responses[0]!.body).toContain('<h1>no headers here</h1>');
    expect(responses[1]!.body).toBe('next');
  });

  it('a handler writing its header lines and a binary body in one Uint8Array gets the body bytes exact', async () => {
    const binary = Buffer.from([0xc3, 0xa9, 0x00, 0xff, 0x80, 0x41, 0xe2, 0x82]);
    server = await startServer((c) => c.addResource('/bin1', (_r, _a, ex) => {
      ex.write(new Uint8Array(Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\n\r\n', 'latin1'), binary])));
    }));
    const r = await get(server.port, '/bin1');
    expect(header(r, 'content-length')).toBe(String(binary.length));
    expect(Buffer.from(r.body, 'latin1')).toEqual(binary);
  });

  it('a non-ASCII header value written as bytes goes on the wire as those bytes', async () => {
    server = await startServer((c) => c.addResource('/hb', (_r, _a, ex) => {
      ex.write(new Uint8Array(Buffer.from('Content-Type: text/plain\r\nX-Name: José\r\n\r\nok', 'utf8')));
    }));
    const r = await get(server.port, '/hb');
    expect(r.body).toBe('ok');
    expect(Buffer.from(header(r, 'x-name') ?? '', 'latin1').toString('utf8')).toBe('José');
  });

  it('body text split between a string write and a bytes write keeps its UTF-8', async () => {
    server = await startServer((c) => c.addResource('/mixed', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain; charset=utf-8\r\n\r\n');
      ex.write('naïve ');
      ex.write(new Uint8Array(Buffer.from('☃ end', 'utf8')));
    }));
    const r = await get(server.port, '/mixed');
    expect(header(r, 'content-length')).toBe(String(Buffer.byteLength('naïve ☃ end')));
    expect(Buffer.from(r.body, 'latin1').toString('utf8')).toBe('naïve ☃ end');
  });

  it('an unterminated line written as a string, then the rest as bytes, keeps both encodings', async () => {
    server = await startServer((c) => c.addResource('/mixed2', (_r, _a, ex) => {
      // No header lines: the text is the body. The first piece has no line end yet.
      ex.write('naïve ');
      ex.write(new Uint8Array(Buffer.from('☃\n', 'utf8')));
    }));
    const r = await get(server.port, '/mixed2');
    expect(Buffer.from(r.body, 'latin1').toString('utf8')).toContain('naïve ☃');
  });

  it('a UTF-8 body written as a string in the same write as the header lines is sent as UTF-8', async () => {
    server = await startServer((c) => c.addResource('/u1', (_r, _a, ex) => { ex.write('Content-Type: text/plain; charset=utf-8\r\n\r\nnaïve ☃'); }));
    const r = await get(server.port, '/u1');
    expect(header(r, 'content-length')).toBe(String(Buffer.byteLength('naïve ☃')));
    expect(Buffer.from(r.body, 'latin1').toString('utf8')).toBe('naïve ☃');
  });
});

describe('handler-written status lines', () => {
  it('writeResponseHeader(code, msg, headers): no preamble, one Server and Date, the handler\'s headers and body', async () => {
    server = await startServer((c) => c.addResource('/made', (_r, _a, ex) => {
      ex.writeResponseHeader(201, 'Created', [['X-A', '1'], ['Location', '/made/1']]);
      ex.write('Content-Type: text/plain\r\n\r\nmade');
    }));
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(getReq('/made'));
      const text = await conn.until((t) => t.endsWith('made') && t.includes('\r\n\r\n'));
      const { head, rest } = splitHead(text);
      const lines = head.split('\r\n');
      expect(lines[0]).toBe('HTTP/1.1 201 Created');
      expect(text.split('HTTP/1.').length - 1).toBe(1);
      expect(countHeader(head, 'server')).toBe(1);
      expect(countHeader(head, 'date')).toBe(1);
      expect(lines).toEqual(expect.arrayContaining(['X-A: 1', 'Location: /made/1', 'Content-Type: text/plain', 'Content-Length: 4']));
      expect(rest).toBe('made');
    } finally {
      conn.destroy();
    }
  });

  it('writeResponseHeader defaults: 200 OK in the request\'s protocol', async () => {
    server = await startServer((c) => c.addResource('/d', (_r, _a, ex) => { ex.writeResponseHeader(); ex.write('\r\ndefault'); }));
    const r11 = await get(server.port, '/d');
    expect(r11.statusLine).toBe('HTTP/1.1 200 OK');
    expect(r11.body).toBe('default');
    const res = await raw(server.port, req10('/d'), { waitMs: 2000 });
    const [r10] = responsesOf(res.text);
    expect(r10!.statusLine).toBe('HTTP/1.0 200 OK');
    expect(r10!.body).toBe('default');
  });

  it('a raw status line written by the handler is used as is', async () => {
    server = await startServer((c) => c.addResource('/raw', (_r, _a, ex) => {
      ex.write('HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\n\r\nqueued');
    }));
    const r = await get(server.port, '/raw');
    expect(r.statusLine).toBe('HTTP/1.1 202 Accepted');
    expect(r.body).toBe('queued');
    expect(header(r, 'content-length')).toBe('6');
  });

  it('writeErrorResponse(code, message): the error page with its type and length; the connection goes on', async () => {
    server = await startServer((c) => {
      c.addResource('/forbidden', (_r, _a, ex) => { ex.writeErrorResponse(403, 'Forbidden'); });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nok'); });
    });
    const { responses, conn } = await exchange(server.port, getReq('/forbidden') + getReq('/ok'), 2);
    conn.destroy();
    const [r, next] = responses;
    expect(r!.statusLine).toBe('HTTP/1.1 403 Forbidden');
    expect(header(r!, 'content-type')).toBe('text/html');
    expect(r!.body).toBe(defaultPage(403, 'Forbidden'));
    expect(header(r!, 'content-length')).toBe(String(r!.body.length));
    expect(next!.body).toBe('ok');
  });

  it('writeErrorResponse HTML-escapes the message in the default page', async () => {
    server = await startServer((c) => c.addResource('/e', (_r, _a, ex) => { ex.writeErrorResponse(400, 'a<b> & "c"'); }));
    const r = await get(server.port, '/e');
    expect(r.status).toBe(400);
    expect(r.body).toBe(defaultPage(400, 'a&lt;b&gt; &amp; &quot;c&quot;'));
  });

  it('writeErrorResponse uses a custom errorResponseHandler', async () => {
    const calls: Array<[number, string]> = [];
    server = await startServer((c) => {
      c.errorResponseHandler = (code, message) => { calls.push([code, message]); return `<p>${code}: ${message}</p>`; };
      c.addResource('/e', (_r, _a, ex) => { ex.writeErrorResponse(409, 'Conflict'); });
    });
    const r = await get(server.port, '/e');
    expect(r.statusLine).toBe('HTTP/1.1 409 Conflict');
    expect(r.body).toBe('<p>409: Conflict</p>');
    expect(header(r, 'content-length')).toBe(String('<p>409: Conflict</p>'.length));
    expect(calls).toEqual([[409, 'Conflict']]);
    // The same handler serves the 404 page.
    expect((await get(server.port, '/missing')).body).toBe('<p>404: Not Found</p>');
  });

  it('writeErrorResponse after some buffered output replaces it', async () => {
    server = await startServer((c) => c.addResource('/e', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\n\r\npartial body');
      ex.writeErrorResponse(500, 'Internal Server Error');
    }));
    const r = await get(server.port, '/e');
    expect(r.status).toBe(500);
    expect(r.body).toBe(defaultPage(500, 'Internal Server Error'));
  });
});

describe('framing the server supplies', () => {
  const BIG = 200 * 1024;

  it('a body over 64 KiB without Content-Length is sent chunked on HTTP/1.1, decoded intact, connection kept', async () => {
    const body = pattern(BIG);
    server = await startServer((c) => {
      c.addResource('/big', (_r, _a, ex) => {
        ex.write('Content-Type: text/plain\r\n\r\n');
        for (let i = 0; i < body.length; i += 10_000) ex.write(body.slice(i, i + 10_000));
      });
      c.addResource('/after', (_r, _a, ex) => { ex.write('\r\nafter'); });
    });
    const { responses, conn } = await exchange(server.port, getReq('/big') + getReq('/after'), 2, { ms: 5000 });
    conn.destroy();
    const [r, after] = responses;
    expect(r!.status).toBe(200);
    expect(header(r!, 'transfer-encoding')).toBe('chunked');
    expect(header(r!, 'content-length')).toBeUndefined();
    expect(r!.body.length).toBe(BIG);
    expect(r!.body === body).toBe(true);
    expect(after!.body).toBe('after');
  });

  it('the same body on HTTP/1.0 is close-delimited: no length, no chunking, then close', async () => {
    const body = pattern(BIG, 3);
    server = await startServer((c) => c.addResource('/big', (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\n\r\n');
      for (let i = 0; i < body.length; i += 10_000) ex.write(body.slice(i, i + 10_000));
    }));
    const res = await raw(server.port, req10('/big', 'Connection: keep-alive'), { waitMs: 4000 });
    expect(res.closed).toBe(true);
    const { head, rest } = splitHead(res.text);
    expect(head.split('\r\n')[0]).toBe('HTTP/1.0 200 OK');
    expect(countHeader(head, 'content-length')).toBe(0);
    expect(countHeader(head, 'transfer-encoding')).toBe(0);
    expect(head.toLowerCase()).not.toContain('connection: keep-alive');
    expect(rest.length).toBe(BIG);
    expect(rest === body).toBe(true);
  });

  it('a large body with its own Content-Length is streamed as declared', async () => {
    const body = pattern(BIG, 5);
    server = await startServer((c) => c.addResource('/big', (_r, _a, ex) => {
      ex.write(`Content-Length: ${BIG}\r\n\r\n`);
      for (let i = 0; i < body.length; i += 30_000) ex.write(body.slice(i, i + 30_000));
    }));
    const r = (await exchange(server.port, getReq('/big'), 1, { ms: 5000 }));
    r.conn.destroy();
    expect(header(r.responses[0]!, 'content-length')).toBe(String(BIG));
    expect(header(r.responses[0]!, 'transfer-encoding')).toBeUndefined();
    expect(r.responses[0]!.body === body).toBe(true);
  });

  it('declared Content-Length 5, 10 bytes written: exactly 5 body bytes, then close; the error hook hears a HandlerOutputError; a new connection is served', async () => {
    const errors: unknown[] = [];
    const requestUrls: Array<string | undefined> = [];
    server = await startServer((c) => {
      c.errorHook = (e, request) => { errors.push(e); requestUrls.push(request?.url); };
      c.addResource('/over', (_r, _a, ex) => { ex.write('Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n0123456789'); });
      c.addResource('/ok', (_r, _a, ex) => { ex.write('\r\nfine'); });
    });
    // A second request pipelined behind it must not be answered: the connection closes.
    const res = await raw(server.port, getReq('/over') + getReq('/ok'), { waitMs: 3000 });
    expect(res.closed).toBe(true);
    const { head, rest } = splitHead(res.text);
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(countHeader(head, 'content-length')).toBe(1);
    expect(head).toContain('Content-Length: 5');
    expect(rest).toBe('01234');
    await waitFor(() => errors.length > 0, 2000, 'the error hook');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HandlerOutputError);
    expect((errors[0] as HandlerOutputError).url).toBe('/over');
    expect(requestUrls).toEqual(['/over']);
    const again = await get(server.port, '/ok');
    expect(again.status).toBe(200);
    expect(again.body).toBe('fine');
  });

  it('declared Content-Length smaller than a streamed (>64 KiB) body: exactly the declared bytes, then close, and the hook hears of it', async () => {
    const body = pattern(150_000, 7);
    const errors: unknown[] = [];
    server = await startServer((c) => {
      c.errorHook = (e) => { errors.push(e); };
      c.addResource('/over', (_r, _a, ex) => {
        ex.write('Content-Length: 70000\r\n\r\n');
        for (let i = 0; i < body.length; i += 25_000) ex.write(body.slice(i, i + 25_000));
      });
    });
    const res = await raw(server.port, getReq('/over') + getReq('/over'), { waitMs: 4000 });
    expect(res.closed).toBe(true);
    const { rest } = splitHead(res.text);
    expect(rest.length).toBe(70_000);
    expect(rest === body.slice(0, 70_000)).toBe(true);
    await waitFor(() => errors.length > 0, 2000, 'the error hook');
    expect(errors[0]).toBeInstanceOf(HandlerOutputError);
  });

  it('declared Content-Length 10, 5 bytes written: a well-formed message with the length corrected; the hook hears of it', async () => {
    const errors: unknown[] = [];
    server = await startServer((c) => {
      c.errorHook = (e) => { errors.push(e); };
      c.addResource('/under', (_r, _a, ex) => { ex.write('Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n01234'); });
    });
    const res = await raw(server.port, getReq('/under'), { waitMs: 2000 });
    const { head, rest } = splitHead(res.text);
    expect(countHeader(head, 'content-length')).toBe(1);
    expect(head).toContain('Content-Length: 5');
    expect(rest).toBe('01234');
    await waitFor(() => errors.length > 0, 2000, 'the error hook');
    expect(errors[0]).toBeInstanceOf(HandlerOutputError);
    expect((await get(server.port, '/under')).body).toBe('01234');
  });
});

describe('async handlers and ex.send', () => {
  it('an async handler that awaits a timer between writes is answered in full', async () => {
    server = await startServer((c) => c.addResource('/slow', async (_r, _a, ex) => {
      ex.write('Content-Type: text/plain\r\n');
      await sleep(30);
      ex.write('\r\npart1');
      await sleep(30);
      ex.write('-part2');
    }));
    const { responses, conn } = await exchange(server.port, getReq('/slow') + getReq('/slow'), 2);
    conn.destroy();
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(header(r, 'content-length')).toBe('11');
      expect(r.body).toBe('part1-part2');
    }
  });

  it('concurrent async handlers each write to their own connection', async () => {
    const order: string[] = [];
    server = await startServer((c) => c.addResource('/w', async (_r, args, ex) => {
      const name = args[0]![1];
      const ms = Number(args[1]![1]);
      ex.write(`X-Name: ${name}\r\n\r\n${name}:`);
      await sleep(ms);
      ex.write(`${name}-done`);
      order.push(name);
    }));
    const [a, b] = await Promise.all([
      request1(server.port, getReq('/w?n=A&ms=150')),
      request1(server.port, getReq('/w?n=B&ms=10')),
    ]);
    expect(a.body).toBe('A:A-done');
    expect(header(a, 'x-name')).toBe('A');
    expect(b.body).toBe('B:B-done');
    expect(header(b, 'x-name')).toBe('B');
    expect(order).toEqual(['B', 'A']);
  });

  it('ex.send(status, headers-object, body) writes a whole response with its framing', async () => {
    server = await startServer((c) => c.addResource('/s', (_r, _a, ex) => {
      ex.send(201, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Y': 'z' }, 'créé');
    }));
    const { responses, conn } = await exchange(server.port, getReq('/s') + getReq('/s'), 2);
    conn.destroy();
    for (const r of responses) {
      expect(r.statusLine).toBe('HTTP/1.1 201 Created');
      expect(header(r, 'server')).toBe('(Silly)');
      expect(header(r, 'date')).toMatch(IMF_FIXDATE);
      expect(header(r, 'x-y')).toBe('z');
      expect(header(r, 'content-length')).toBe(String(Buffer.byteLength('créé')));
      expect(Buffer.from(r.body, 'latin1').toString('utf8')).toBe('créé');
    }
  });

  it('ex.send with a header list and a Uint8Array body', async () => {
    const bytes = new Uint8Array([1, 2, 3, 0, 255]);
    server = await startServer((c) => c.addResource('/s', (_r, _a, ex) => {
      ex.send(200, [['Content-Type', 'application/octet-stream'], ['X-Dup', 'a'], ['X-Dup', 'b']], bytes);
    }));
    const r = await get(server.port, '/s');
    expect(header(r, 'content-length')).toBe('5');
    expect(r.headers.filter(([n]) => n === 'x-dup').map(([, v]) => v)).toEqual(['a', 'b']);
    expect([...Buffer.from(r.body, 'latin1')]).toEqual([...bytes]);
  });

  it('ex.send on a HEAD request sends the headers with the length and no body', async () => {
    server = await startServer((c) => c.addResource('/s', (_r, _a, ex) => { ex.send(200, { 'Content-Type': 'text/plain' }, 'twelve bytes'); }));
    const conn = await RawConnection.open(server.port);
    try {
      conn.write(`HEAD /s HTTP/1.1\r\nHost: t\r\n\r\n${getReq('/s')}`);
      const text = await conn.until((t) => t.endsWith('twelve bytes'));
      const { head, rest } = splitHead(text);
      expect(head).toContain('Content-Length: 12');
      expect(rest.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    } finally {
      conn.destroy();
    }
  });

  it('ex.send(204) sends no Content-Length and no body (RFC 9110 §8.6)', async () => {
    server = await startServer((c) => c.addResource('/nc', (_r, _a, ex) => { ex.send(204); }));
    const { responses, conn } = await exchange(server.port, getReq('/nc') + getReq('/nc'), 2);
    conn.destroy();
    for (const r of responses) {
      expect(r.statusLine).toBe('HTTP/1.1 204 No Content');
      expect(header(r, 'content-length')).toBeUndefined();
      expect(header(r, 'transfer-encoding')).toBeUndefined();
    }
  });

  it('writing after ex.send fails in the handler and does not corrupt the response', async () => {
    const errors: unknown[] = [];
    server = await startServer((c) => {
      c.errorHook = (e) => { errors.push(e); };
      c.addResource('/twice', (_r, _a, ex) => {
        ex.send(200, {}, 'first');
        ex.write('more');
      });
    });
    const res = await raw(server.port, getReq('/twice'), { waitMs: 2000 });
    const [r] = responsesOf(res.text);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('first');
    expect(res.text.endsWith('first')).toBe(true);
    await waitFor(() => errors.length > 0, 2000, 'the error hook');
  });
});
