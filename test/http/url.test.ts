/**
 * http-utils URL helpers: `http:canonicalize-string` (canonicalizeString) and `http:decode-url`
 * (decodeUrl), plus the query splitter they share with the urlencoded content parser.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalizeString, decodeQuery, decodeUrl, type Args } from '../../src/http/url.js';
import type { HttpRequest, Server } from '../../src/http/index.js';
import { header, parseResponses, raw, startServer } from '../support/net.js';

describe('canonicalizeString', () => {
  it('leaves plain text alone', () => {
    expect(canonicalizeString('')).toBe('');
    expect(canonicalizeString('abc/def.html')).toBe('abc/def.html');
  });

  it('turns + into a space', () => {
    expect(canonicalizeString('+')).toBe(' ');
    expect(canonicalizeString('a+b++c')).toBe('a b  c');
    // Also when escapes are present (the code takes a different path then).
    expect(canonicalizeString('a+%41+b')).toBe('a A b');
  });

  it('decodes %XX to the byte XX', () => {
    expect(canonicalizeString('%41')).toBe('A');
    expect(canonicalizeString('x%41y')).toBe('xAy');
    expect(canonicalizeString('%20')).toBe(' ');
    expect(canonicalizeString('%00')).toBe('\u0000');
  });

  it('accepts lower, upper and mixed case hex digits', () => {
    expect(canonicalizeString('%4a%4A')).toBe('JJ');
    expect(canonicalizeString('%e2%82%ac')).toBe('€');
    expect(canonicalizeString('%E2%82%AC')).toBe('€');
    expect(canonicalizeString('%e2%82%AC')).toBe('€');
  });

  it('decodes the escaped bytes as UTF-8', () => {
    expect(canonicalizeString('%e2%82%ac')).toBe('€');
    expect(canonicalizeString('caf%c3%a9')).toBe('café');
    expect(canonicalizeString('%f0%9f%98%80')).toBe('😀');
    expect(canonicalizeString('price+%e2%82%ac5')).toBe('price €5');
  });

  it('gives an escaped + or % back literally and decodes only once', () => {
    expect(canonicalizeString('%2B')).toBe('+');
    expect(canonicalizeString('a%2bb')).toBe('a+b');
    expect(canonicalizeString('%25')).toBe('%');
    expect(canonicalizeString('%2541')).toBe('%41');
  });

  it('leaves malformed escapes as they are', () => {
    for (const s of ['%', '%4', '%zz', '100%', '%g1', '%1g', 'a%4', '%%', '%-1', '% 1']) {
      expect(canonicalizeString(s), s).toBe(s);
    }
    // A malformed escape next to a good one: only the good one is decoded.
    expect(canonicalizeString('%%41')).toBe('%A');
    expect(canonicalizeString('%41%')).toBe('A%');
    expect(canonicalizeString('%4%41')).toBe('%4A');
    // + is still a space next to a malformed escape.
    expect(canonicalizeString('50%+off')).toBe('50% off');
  });

  it('keeps bytes that are not valid UTF-8 (read as Latin-1) instead of losing them', () => {
    expect(canonicalizeString('%ff')).toBe('\u00ff');
    expect(canonicalizeString('%ff%fe')).toBe('\u00ff\u00fe');
    expect(canonicalizeString('a%e9b')).toBe('a\u00e9b');
    // A truncated sequence and an overlong encoding are not valid UTF-8 either.
    expect(canonicalizeString('%c3')).toBe('\u00c3');
    expect(canonicalizeString('%c0%80')).toBe('\u00c0\u0080');
    // No byte is lost: the result read back as Latin-1 gives the bytes.
    const bytes = [0x00, 0x7f, 0x80, 0xc3, 0x28, 0xff];
    const s = bytes.map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
    expect([...Buffer.from(canonicalizeString(s), 'latin1')]).toEqual(bytes);
  });

  it('keeps literal non-ASCII characters', () => {
    expect(canonicalizeString('café')).toBe('café');
    expect(canonicalizeString('café+au+lait')).toBe('café au lait');
    expect(canonicalizeString('café%20x')).toBe('café x');
    expect(canonicalizeString('€%41')).toBe('€A');
    expect(canonicalizeString('😀%20')).toBe('😀 ');
    expect(canonicalizeString('é%c3%a9')).toBe('éé');
  });

  it('keeps literal non-ASCII characters next to an escape that is not valid UTF-8', () => {
    // The literal é must survive; only the invalid byte %ff falls back to Latin-1.
    expect(canonicalizeString('é%ff')).toBe('é\u00ff');
    expect(canonicalizeString('€%ff')).toBe('€\u00ff');
  });

  it('decodes a valid UTF-8 sequence as UTF-8 even when another escaped byte is invalid', () => {
    // "bytes are decoded as UTF-8" (SEMANTICS.md); only the invalid byte is read as Latin-1.
    expect(canonicalizeString('%e2%82%ac%ff')).toBe('€\u00ff');
  });
});

describe('decodeUrl', () => {
  it('returns [path, args]', () => {
    expect(decodeUrl('/')).toEqual(['/', []]);
    expect(decodeUrl('/a/b.html')).toEqual(['/a/b.html', []]);
    expect(decodeUrl('/p?a=1&b=2')).toEqual(['/p', [['a', '1'], ['b', '2']]]);
  });

  it('canonicalises the path', () => {
    expect(decodeUrl('/a%20b/c+d')).toEqual(['/a b/c d', []]);
    expect(decodeUrl('/caf%c3%a9')).toEqual(['/café', []]);
    expect(decodeUrl('/100%')).toEqual(['/100%', []]);
  });

  it('splits the query on & and the first =', () => {
    expect(decodeUrl('/p?a=1=2&b==')).toEqual(['/p', [['a', '1=2'], ['b', '=']]]);
  });

  it('canonicalises names and values, after splitting', () => {
    expect(decodeUrl('/p?n%61me=v%61l+ue&x=%26%3D&%3D=%26')).toEqual(['/p', [['name', 'val ue'], ['x', '&='], ['=', '&']]]);
    expect(decodeUrl('/p?q=%e2%82%ac+1')).toEqual(['/p', [['q', '€ 1']]]);
  });

  it('maps a name without = to ""', () => {
    expect(decodeUrl('/p?a')).toEqual(['/p', [['a', '']]]);
    expect(decodeUrl('/p?a&b=&c=3')).toEqual(['/p', [['a', ''], ['b', ''], ['c', '3']]]);
  });

  it('skips empty pieces', () => {
    expect(decodeUrl('/p?&&a=1&&b=2&')).toEqual(['/p', [['a', '1'], ['b', '2']]]);
    expect(decodeUrl('/p?&')).toEqual(['/p', []]);
  });

  it('handles ? alone', () => {
    expect(decodeUrl('/p?')).toEqual(['/p', []]);
    expect(decodeUrl('?')).toEqual(['', []]);
    expect(decodeUrl('/?')).toEqual(['/', []]);
  });

  it('keeps duplicate names in order', () => {
    expect(decodeUrl('/p?a=1&b=2&a=3&a&b=4')).toEqual(['/p', [['a', '1'], ['b', '2'], ['a', '3'], ['a', ''], ['b', '4']]]);
  });

  it('gives the path of an absolute URL', () => {
    expect(decodeUrl('http://h:1/p?q=1')).toEqual(['/p', [['q', '1']]]);
    expect(decodeUrl('http://example.org/a%20b/c')).toEqual(['/a b/c', []]);
    expect(decodeUrl('HTTPS://Example.ORG:8443/x?y')).toEqual(['/x', [['y', '']]]);
    expect(decodeUrl('http://h:1')).toEqual(['/', []]);
    expect(decodeUrl('http://h?x=1')).toEqual(['/', [['x', '1']]]);
  });

  it('leaves a fragment out of the path and the arguments', () => {
    expect(decodeUrl('/p?x=1#frag')).toEqual(['/p', [['x', '1']]]);
    expect(decodeUrl('/p#frag')).toEqual(['/p', []]);
    // RFC 3986 §3.5: a ? after the # belongs to the fragment, not to a query.
    expect(decodeUrl('/p#frag?x=1')).toEqual(['/p', []]);
  });

  it('returns a fresh argument list each time', () => {
    const [, a1] = decodeUrl('/p?a=1');
    a1.push(['z', 'z']);
    expect(decodeUrl('/p?a=1')[1]).toEqual([['a', '1']]);
  });
});

describe('decodeQuery', () => {
  it('appends to the list it is given', () => {
    const into: Args = [['q', '0']];
    expect(decodeQuery('a=1&b', into)).toBe(into);
    expect(into).toEqual([['q', '0'], ['a', '1'], ['b', '']]);
  });

  it('takes time linear in the size of the query (an 8 MB urlencoded body goes through it)', () => {
    // Many names without "=": each must not rescan the rest of the query looking for one.
    // Judged by how the time grows (4× the input: about 4× the time, where a rescan would take
    // 16×), not by a wall-clock bound that a loaded machine breaks; the best of 3 runs each.
    const best = (n: number): number => {
      const query = 'a&'.repeat(n);
      let fastest = Infinity;
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        const args = decodeQuery(query);
        fastest = Math.min(fastest, performance.now() - t0);
        expect(args).toHaveLength(n);
      }
      return fastest;
    };
    const small = best(150_000);
    const large = best(600_000);
    expect(large / small).toBeLessThan(10);
  });
});

describe('decodeUrl end to end: the args a handler receives', () => {
  let server: Server | null = null;
  afterEach(async () => { await server?.stop({ timeout: 1000 }); server = null; });

  it('passes the decoded query as ARGS and looks the resource up by the canonicalised path', async () => {
    const calls: Array<[HttpRequest, Args]> = [];
    server = await startServer((c) => c.addResource('/a b', (request, args, ex) => {
      calls.push([request, args]);
      ex.send(200, { 'Content-Type': 'text/plain' }, 'ok');
    }));
    const target = '/a%20b?x=1&y&x=%e2%82%ac+2&&z=a%3Db';
    const res = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    const [r] = parseResponses(res.text);
    expect(r!.status).toBe(200);
    expect(r!.body).toBe('ok');
    expect(calls).toHaveLength(1);
    const [request, args] = calls[0]!;
    expect(args).toEqual([['x', '1'], ['y', ''], ['x', '€ 2'], ['z', 'a=b']]);
    expect(request.url).toBe(target);
  });

  it('puts urlencoded POST arguments after the query arguments', async () => {
    const calls: Args[] = [];
    server = await startServer((c) => c.addResource('/form', (_r, a, ex) => {
      calls.push(a);
      ex.send(200, {}, 'ok');
    }));
    const body = 'b=%e2%82%ac&c+d=e+f&&g';
    const res = await raw(server.port,
      'POST /form?a=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n'
      + `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(parseResponses(res.text)[0]!.status).toBe(200);
    expect(calls).toEqual([[['a', '1'], ['b', '€'], ['c d', 'e f'], ['g', '']]]);
  });

  it('answers 404 when the canonicalised path has no resource', async () => {
    server = await startServer((c) => c.addResource('/a b', (_r, _a, ex) => ex.send(200, {}, 'ok')));
    const res = await raw(server.port, 'GET /a%2Fb HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    const [r] = parseResponses(res.text);
    expect(r!.status).toBe(404);
    expect(header(r!, 'content-type')).toBe('text/html');
  });
});
