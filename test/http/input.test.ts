/**
 * BufferInput: the character port a handler's `current-input-port` and a content parser read from.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BufferInput, emptyInput } from '../../src/http/input.js';
import type { HttpRequest, Server } from '../../src/http/index.js';
import { parseResponses, raw, startServer } from '../support/net.js';

const input = (s: string | Buffer): BufferInput => new BufferInput(typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

function lines(inp: BufferInput): string[] {
  const out: string[] = [];
  for (let l = inp.readLine(); l !== null; l = inp.readLine()) out.push(l);
  return out;
}

describe('BufferInput.readLine', () => {
  it('splits on LF', () => {
    expect(lines(input('a\nb\nc'))).toEqual(['a', 'b', 'c']);
  });

  it('splits on CRLF, which is one line ending', () => {
    expect(lines(input('a\r\nb\r\nc'))).toEqual(['a', 'b', 'c']);
  });

  it('splits on a lone CR', () => {
    expect(lines(input('a\rb\rc'))).toEqual(['a', 'b', 'c']);
  });

  it('mixes the three endings', () => {
    expect(lines(input('one\r\ntwo\nthree\rfour'))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('gives empty lines for consecutive endings', () => {
    expect(lines(input('a\n\nb'))).toEqual(['a', '', 'b']);
    expect(lines(input('\n\n'))).toEqual(['', '']);
    expect(lines(input('\r\n'))).toEqual(['']);
    // A lone CR then a CRLF: two line endings.
    expect(lines(input('\r\r\n'))).toEqual(['', '']);
    // LF then CR: two line endings as well.
    expect(lines(input('a\n\rb'))).toEqual(['a', '', 'b']);
  });

  it('does not give an extra empty line after a final line ending', () => {
    expect(lines(input('a\n'))).toEqual(['a']);
    expect(lines(input('a\r\n'))).toEqual(['a']);
    expect(lines(input('a\r'))).toEqual(['a']);
  });

  it('returns null at the end, and again after it', () => {
    const inp = input('x');
    expect(inp.readLine()).toBe('x');
    expect(inp.readLine()).toBeNull();
    expect(inp.readLine()).toBeNull();
    expect(emptyInput().readLine()).toBeNull();
  });

  it('keeps multi-byte UTF-8 in lines', () => {
    expect(lines(input('café\r\n€ 5\n😀'))).toEqual(['café', '€ 5', '😀']);
  });
});

describe('BufferInput.readString', () => {
  it('reads up to N characters', () => {
    const inp = input('hello world');
    expect(inp.readString(5)).toBe('hello');
    expect(inp.readString(1)).toBe(' ');
    expect(inp.readString(100)).toBe('world');
    expect(inp.readString(1)).toBeNull();
  });

  it('reads everything that remains without N', () => {
    const inp = input('abc\ndef');
    expect(inp.readString(2)).toBe('ab');
    expect(inp.readString()).toBe('c\ndef');
    expect(inp.readString()).toBeNull();
  });

  it('reads zero characters as an empty string, also at the end', () => {
    const inp = input('ab');
    expect(inp.readString(0)).toBe('');
    expect(inp.readString()).toBe('ab');
    expect(inp.readString(0)).toBe('');
  });

  it('counts characters, not bytes', () => {
    const inp = input('é€x');
    expect(inp.readString(2)).toBe('é€');
    expect(inp.readString(1)).toBe('x');
  });

  it('never splits a character outside the BMP', () => {
    const inp = input('a😀b');
    const pieces: string[] = [];
    for (let s = inp.readString(1); s !== null; s = inp.readString(1)) pieces.push(s);
    expect(pieces).toEqual(['a', '😀', 'b']);
  });
});

describe('BufferInput.readChar and peekChar', () => {
  it('read one character at a time, multi-byte ones whole', () => {
    const inp = input('aé€😀');
    expect(inp.readChar()).toBe('a');
    expect(inp.readChar()).toBe('é');
    expect(inp.readChar()).toBe('€');
    expect(inp.readChar()).toBe('😀');
    expect(inp.readChar()).toBeNull();
  });

  it('peekChar does not advance', () => {
    const inp = input('😀x');
    expect(inp.peekChar()).toBe('😀');
    expect(inp.peekChar()).toBe('😀');
    expect(inp.readChar()).toBe('😀');
    expect(inp.peekChar()).toBe('x');
    expect(inp.readChar()).toBe('x');
    expect(inp.peekChar()).toBeNull();
    expect(inp.readChar()).toBeNull();
  });

  it('mixes with readLine and readString', () => {
    const inp = input('€ab\r\ncd\nef');
    expect(inp.readChar()).toBe('€');
    expect(inp.readLine()).toBe('ab');
    expect(inp.peekChar()).toBe('c');
    expect(inp.readString(3)).toBe('cd\n');
    expect(inp.readLine()).toBe('ef');
    expect(inp.readLine()).toBeNull();
  });

  it('reads the line ending characters themselves', () => {
    const inp = input('a\r\n');
    expect([inp.readChar(), inp.readChar(), inp.readChar(), inp.readChar()]).toEqual(['a', '\r', '\n', null]);
  });
});

describe('BufferInput.readAll, size and close', () => {
  it('readAll gives what is not read yet, then ""', () => {
    const inp = input('line1\nline2');
    expect(inp.readLine()).toBe('line1');
    expect(inp.readAll()).toBe('line2');
    expect(inp.readAll()).toBe('');
    expect(inp.readChar()).toBeNull();
    expect(inp.readLine()).toBeNull();
    expect(emptyInput().readAll()).toBe('');
  });

  it('size is the body size in bytes', () => {
    expect(input('é€').size).toBe(5);
    expect(emptyInput().size).toBe(0);
    expect(input('abc').bytes).toEqual(Buffer.from('abc'));
  });

  it('close makes further reads fail', () => {
    const inp = input('abc');
    expect(inp.isOpen).toBe(true);
    expect(inp.charReady()).toBe(true);
    inp.close();
    expect(inp.isOpen).toBe(false);
    expect(inp.charReady()).toBe(false);
    expect(() => inp.readLine()).toThrow(/closed/);
    expect(() => inp.readChar()).toThrow(/closed/);
    expect(() => inp.peekChar()).toThrow(/closed/);
    expect(() => inp.readString(1)).toThrow(/closed/);
    expect(() => inp.readAll()).toThrow(/closed/);
    // Closing twice is harmless.
    inp.close();
    expect(inp.isOpen).toBe(false);
  });
});

describe('BufferInput end to end: a content parser reading the body port', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  it('reads the lines of a request body with LF, CRLF and lone CR endings', async () => {
    const calls: HttpRequest[] = [];
    const sizes: Array<number | null> = [];
    server = await startServer((c) => {
      c.contentParser('text/x-lines', (size, _headers, port) => {
        sizes.push(size);
        const out: string[] = [];
        for (let l = port.readLine(); l !== null; l = port.readLine()) out.push(l);
        return [out, null];
      });
      c.addResource('/lines', (request, _args, ex) => { calls.push(request); ex.send(200, {}, 'ok'); });
    });
    const body = 'one\r\ntwo\nthr€e\rfour';
    const len = Buffer.byteLength(body);
    const res = await raw(server.port,
      `POST /lines HTTP/1.1\r\nHost: h\r\nContent-Type: text/x-lines; charset=utf-8\r\nContent-Length: ${len}\r\nConnection: close\r\n\r\n${body}`);
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual(['one', 'two', 'thr€e', 'four']);
    expect(sizes).toEqual([len]);
  });

  it('gives the default parser the whole body as UTF-8 text', async () => {
    const calls: HttpRequest[] = [];
    server = await startServer((c) => c.addResource('/t', (request, _args, ex) => { calls.push(request); ex.send(200, {}, 'ok'); }));
    const body = 'héllo €\r\n😀';
    const res = await raw(server.port,
      `POST /t HTTP/1.1\r\nHost: h\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls.map((r) => r.body)).toEqual([body]);
  });
});
