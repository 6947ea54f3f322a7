/**
 * staticFiles (src/http/server/static.ts) over real loopback sockets: content types, validators
 * and conditional requests (304, 412), byte ranges (206, 416, If-Range), HEAD, 405, index files
 * and directory redirects, large files streamed; and the attacks a static server meets (dot
 * segments plain and encoded, encoded slashes, backslashes, NUL, overlong UTF-8, absolute paths,
 * long paths, symlinks out of the root, a file swapped for a symlink, a FIFO), none of which may
 * read a byte outside the root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { staticFiles, parseRange, matchesList, pathSegments, type Server } from '../../../src/http/index.js';
import { startServer, header, type ParsedResponse } from '../../support/net.js';
import { exchange, get, getReq, request1 } from '../../support/server-features.js';

const SECRET = 'TOP SECRET outside the root';
const HELLO = 'Hello, world!\n';
let tmp: string;
let root: string;
let big: Buffer;
let server: Server;
let port: number;
let prefixed: Server;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'static-test-'));
  root = path.join(tmp, 'www');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), SECRET);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(root, 'empty'));
  fs.writeFileSync(path.join(root, 'index.html'), '<h1>root</h1>');
  fs.writeFileSync(path.join(root, 'sub', 'index.html'), '<h1>sub</h1>');
  fs.writeFileSync(path.join(root, 'hello.txt'), HELLO);
  fs.writeFileSync(path.join(root, 'data.json'), '{"a":1}');
  fs.writeFileSync(path.join(root, 'blob.xyz'), 'xyz');
  fs.writeFileSync(path.join(root, 'notes.md'), '# notes');
  fs.writeFileSync(path.join(root, 'with space.txt'), 'spaced');
  fs.writeFileSync(path.join(root, 'ü.txt'), 'umlaut');
  fs.writeFileSync(path.join(root, '.secret'), 'dotfile');
  fs.writeFileSync(path.join(root, 'empty.txt'), '');
  big = crypto.randomBytes(1024 * 1024 + 123);
  fs.writeFileSync(path.join(root, 'big.bin'), big);
  fs.symlinkSync('hello.txt', path.join(root, 'link-inside'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-out'));
  fs.symlinkSync('../outside', path.join(root, 'dir-link-out'));
  fs.symlinkSync('/etc', path.join(root, 'etc-link'));
  spawnSync('mkfifo', [path.join(root, 'fifo')]);
  fs.writeFileSync(path.join(outside, 'favicon.ico'), 'icon');
  server = await startServer((config) => {
    config.fallbackHandler = staticFiles(root);
    config.addResource('/favicon.ico', staticFiles(outside)); // as a resource: one path
  });
  port = server.port;
  prefixed = await startServer((config) => {
    config.fallbackHandler = staticFiles(root, { prefix: '/static', contentTypes: { xyz: 'application/x-xyz' }, cacheControl: 'public, max-age=60', etag: 'weak' });
  });
});

afterAll(async () => {
  await server?.stop({ timeout: 1000 });
  await prefixed?.stop({ timeout: 1000 });
  fs.rmSync(tmp, { recursive: true, force: true });
});

const head = (p: string, ...extra: string[]): Promise<ParsedResponse> =>
  request1(port, `HEAD ${p} HTTP/1.1\r\nHost: test\r\n${extra.map((l) => l + '\r\n').join('')}\r\n`, { headOnly: true });

describe('serving files', () => {
  it('GET: body, type, length, validators, Accept-Ranges', async () => {
    const r = await get(port, '/hello.txt');
    expect(r.status).toBe(200);
    expect(r.body).toBe(HELLO);
    expect(header(r, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(header(r, 'content-length')).toBe(String(HELLO.length));
    expect(header(r, 'accept-ranges')).toBe('bytes');
    expect(header(r, 'etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    const mtime = fs.statSync(path.join(root, 'hello.txt')).mtime;
    expect(header(r, 'last-modified')).toBe(new Date(Math.floor(mtime.getTime() / 1000) * 1000).toUTCString());
  });

  it('content types from the table, the default, and added ones', async () => {
    expect(header(await get(port, '/data.json'), 'content-type')).toBe('application/json');
    expect(header(await get(port, '/notes.md'), 'content-type')).toBe('text/markdown; charset=utf-8');
    expect(header(await get(port, '/index.html'), 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(await get(port, '/blob.xyz'), 'content-type')).toBe('application/octet-stream');
    const custom = await get(prefixed.port, '/static/blob.xyz');
    expect(header(custom, 'content-type')).toBe('application/x-xyz');
    expect(header(custom, 'cache-control')).toBe('public, max-age=60');
    expect(header(custom, 'etag')).toMatch(/^W\/"/);
  });

  it('as a resource handler: its path names the file under its own root', async () => {
    const r = await get(port, '/favicon.ico');
    expect(r.body).toBe('icon');
    expect(header(r, 'content-type')).toBe('image/x-icon');
  });

  it('prefix: files are served under it only', async () => {
    expect((await get(prefixed.port, '/static/hello.txt')).body).toBe(HELLO);
    expect((await get(prefixed.port, '/hello.txt')).status).toBe(404);
    expect((await get(prefixed.port, '/staticky/hello.txt')).status).toBe(404);
  });

  it('HEAD: the headers of GET, no body', async () => {
    const r = await head('/hello.txt');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(header(r, 'content-length')).toBe(String(HELLO.length));
    expect(header(r, 'etag')).toBe(header(await get(port, '/hello.txt'), 'etag'));
  });

  it('other methods: 405 with Allow', async () => {
    const r = await request1(port, 'POST /hello.txt HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc');
    expect(r.status).toBe(405);
    expect(header(r, 'allow')).toBe('GET, HEAD');
  });

  it('names with spaces and non-ASCII letters, percent-encoded', async () => {
    expect((await get(port, '/with%20space.txt')).body).toBe('spaced');
    expect((await get(port, '/%C3%BC.txt')).body).toBe('umlaut');
    // `+` is a plus in a path, not a space.
    expect((await get(port, '/with+space.txt')).status).toBe(404);
  });

  it('an empty file', async () => {
    const r = await get(port, '/empty.txt');
    expect(r.status).toBe(200);
    expect(header(r, 'content-length')).toBe('0');
  });

  it('a large file is sent whole and exact (streamed in chunks)', async () => {
    const r = await request1(port, getReq('/big.bin'), { ms: 10_000 });
    expect(r.status).toBe(200);
    expect(header(r, 'content-length')).toBe(String(big.length));
    const got = Buffer.from(r.body, 'latin1');
    expect(got.length).toBe(big.length);
    expect(got.equals(big)).toBe(true);
  });

  it('responses keep a persistent connection in step (304, 206, 404, 200 pipelined)', async () => {
    const etag = header(await get(port, '/hello.txt'), 'etag')!;
    const { responses, conn } = await exchange(port,
      getReq('/hello.txt', `If-None-Match: ${etag}`) + getReq('/hello.txt', 'Range: bytes=0-4') + getReq('/nothing') + getReq('/data.json'), 4);
    conn.destroy();
    expect(responses.map((r) => r.status)).toEqual([304, 206, 404, 200]);
    expect(responses.map((r) => r.body)).toEqual(['', 'Hello', expect.stringContaining('404'), '{"a":1}']);
  });
});

describe('directories', () => {
  it('the index file for a path with a trailing slash', async () => {
    expect((await get(port, '/')).body).toBe('<h1>root</h1>');
    expect((await get(port, '/sub/')).body).toBe('<h1>sub</h1>');
  });

  it('without the slash: 301 to the slash form, query kept', async () => {
    const r = await get(port, '/sub');
    expect(r.status).toBe(301);
    expect(header(r, 'location')).toBe('/sub/');
    expect(header(await get(port, '/sub?x=1&y=2'), 'location')).toBe('/sub/?x=1&y=2');
    // Leading slashes are not kept: `//sub` must not become a redirect to the host `sub`.
    expect(header(await get(port, '//sub'), 'location')).toBe('/sub/');
    expect(header(await get(prefixed.port, '/static/sub'), 'location')).toBe('/static/sub/');
  });

  it('no index file: 404, never a listing', async () => {
    const r = await get(port, '/empty/');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('index');
  });

  it('a file asked for as a directory: 404', async () => {
    expect((await get(port, '/hello.txt/')).status).toBe(404);
  });
});

describe('conditional requests', () => {
  let etag: string;
  let lastModified: string;
  beforeAll(async () => {
    const r = await get(port, '/hello.txt');
    etag = header(r, 'etag')!;
    lastModified = header(r, 'last-modified')!;
  });

  it('If-None-Match: the tag, in a list, weakly compared, or `*` → 304 without body', async () => {
    for (const v of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const r = await get(port, '/hello.txt', `If-None-Match: ${v}`);
      expect(r.status, v).toBe(304);
      expect(r.body).toBe('');
      expect(header(r, 'etag')).toBe(etag);
      expect(header(r, 'content-length')).toBeUndefined();
    }
    expect((await get(port, '/hello.txt', 'If-None-Match: "other"')).status).toBe(200);
  });

  it('If-Modified-Since: 304 when not modified since, 200 when modified', async () => {
    expect((await get(port, '/hello.txt', `If-Modified-Since: ${lastModified}`)).status).toBe(304);
    const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
    expect((await get(port, '/hello.txt', `If-Modified-Since: ${later}`)).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
    expect((await get(port, '/hello.txt', `If-Modified-Since: ${earlier}`)).status).toBe(200);
    expect((await get(port, '/hello.txt', 'If-Modified-Since: not a date')).status).toBe(200);
  });

  it('If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2)', async () => {
    const r = await get(port, '/hello.txt', 'If-None-Match: "other"', `If-Modified-Since: ${lastModified}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(HELLO);
  });

  it('HEAD answers conditionals as GET does', async () => {
    expect((await head('/hello.txt', `If-None-Match: ${etag}`)).status).toBe(304);
  });

  it('If-Match and If-Unmodified-Since: 412 when they fail', async () => {
    expect((await get(port, '/hello.txt', 'If-Match: "other"')).status).toBe(412);
    expect((await get(port, '/hello.txt', `If-Match: W/${etag}`)).status).toBe(412); // strong comparison
    expect((await get(port, '/hello.txt', `If-Match: ${etag}`)).status).toBe(200);
    const earlier = new Date(Date.parse(lastModified) - 3600_000).toUTCString();
    expect((await get(port, '/hello.txt', `If-Unmodified-Since: ${earlier}`)).status).toBe(412);
    expect((await get(port, '/hello.txt', `If-Unmodified-Since: ${lastModified}`)).status).toBe(200);
  });

  it('a changed file gets a new ETag, and the old one no longer matches', async () => {
    const p = path.join(root, 'changing.txt');
    fs.writeFileSync(p, 'one');
    const old = header(await get(port, '/changing.txt'), 'etag')!;
    fs.writeFileSync(p, 'two!');
    const r = await get(port, '/changing.txt', `If-None-Match: ${old}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe('two!');
    expect(header(r, 'etag')).not.toBe(old);
  });
});

describe('ranges', () => {
  it('one range: 206 with Content-Range (first-last, open-ended, suffix)', async () => {
    const cases: Array<[string, string, string]> = [
      ['bytes=0-4', 'Hello', 'bytes 0-4/14'],
      ['bytes=7-', 'world!\n', 'bytes 7-13/14'],
      ['bytes=-6', 'orld!\n', 'bytes 8-13/14'],
      ['bytes=7-100', 'world!\n', 'bytes 7-13/14'],
      ['bytes=-100', HELLO, 'bytes 0-13/14'],
    ];
    for (const [range, body, contentRange] of cases) {
      const r = await get(port, '/hello.txt', `Range: ${range}`);
      expect(r.status, range).toBe(206);
      expect(r.body, range).toBe(body);
      expect(header(r, 'content-range'), range).toBe(contentRange);
      expect(header(r, 'content-length'), range).toBe(String(body.length));
    }
  });

  it('a range inside a large file, across read chunks', async () => {
    const start = 65_000;
    const end = 900_000;
    const r = await get(port, '/big.bin', `Range: bytes=${start}-${end}`);
    expect(r.status).toBe(206);
    expect(Buffer.from(r.body, 'latin1').equals(big.subarray(start, end + 1))).toBe(true);
  });

  it('unsatisfiable: 416 with Content-Range bytes */SIZE', async () => {
    for (const range of ['bytes=14-', 'bytes=100-200', 'bytes=-0']) {
      const r = await get(port, '/hello.txt', `Range: ${range}`);
      expect(r.status, range).toBe(416);
      expect(header(r, 'content-range')).toBe('bytes */14');
    }
    expect(header(await get(port, '/empty.txt', 'Range: bytes=0-'), 'content-range')).toBe('bytes */0');
  });

  it('several ranges, bad syntax or another unit: the whole file (200)', async () => {
    for (const range of ['bytes=0-1,3-4', 'bytes=5-2', 'bytes=a-b', 'items=0-1', 'bytes=']) {
      const r = await get(port, '/hello.txt', `Range: ${range}`);
      expect(r.status, range).toBe(200);
      expect(r.body).toBe(HELLO);
    }
  });

  it('HEAD ignores Range', async () => {
    expect((await head('/hello.txt', 'Range: bytes=0-4')).status).toBe(200);
  });

  it('If-Range: the current ETag or date applies the range; a stale one sends the whole file', async () => {
    const r0 = await get(port, '/hello.txt');
    const etag = header(r0, 'etag')!;
    const lm = header(r0, 'last-modified')!;
    expect((await get(port, '/hello.txt', 'Range: bytes=0-4', `If-Range: ${etag}`)).status).toBe(206);
    expect((await get(port, '/hello.txt', 'Range: bytes=0-4', `If-Range: ${lm}`)).status).toBe(206);
    const stale = await get(port, '/hello.txt', 'Range: bytes=0-4', 'If-Range: "stale"');
    expect(stale.status).toBe(200);
    expect(stale.body).toBe(HELLO);
    expect((await get(port, '/hello.txt', 'Range: bytes=0-4', `If-Range: W/${etag}`)).status).toBe(200);
    expect((await get(port, '/hello.txt', 'Range: bytes=0-4', 'If-Range: Thu, 01 Jan 1970 00:00:00 GMT')).status).toBe(200);
  });
});

describe('attacks: nothing outside the root is read', () => {
  /** Every way of reaching ../outside/secret.txt or ../secret.txt we know of. */
  const traversals = [
    '/../secret.txt', '/../outside/secret.txt', '/sub/../../secret.txt',
    '/%2e%2e/secret.txt', '/%2E%2E/outside/secret.txt', '/%2e%2e%2fsecret.txt', '/%2e%2e%2Foutside%2Fsecret.txt',
    '/..%2fsecret.txt', '/sub/..%2f..%2fsecret.txt', '/.%2e/secret.txt', '/%2e./secret.txt',
    '/..\\secret.txt', '/sub\\..\\..\\secret.txt', '/%5c..%5csecret.txt', '/..%5c..%5csecret.txt',
    '/%c0%ae%c0%ae/secret.txt', '/%c0%af..%c0%afsecret.txt', '/%e0%80%ae%e0%80%ae/secret.txt',
    '/%252e%252e/secret.txt', '/sub/%2e/../../secret.txt', '/./../secret.txt',
    'http://test/../secret.txt', 'http://test/%2e%2e/secret.txt',
    '/link-out', '/dir-link-out/secret.txt', '/etc-link/passwd', '/etc-link/hostname',
    '//etc/passwd', '/etc/passwd', `/${tmpName()}/secret.txt`,
  ];

  it.each(traversals)('%s', async (target) => {
    const r = await get(port, target);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain('TOP SECRET');
    expect(r.body).not.toContain('root:');
  });

  it('NUL and control bytes, plain or encoded: 400', async () => {
    for (const target of ['/hello.txt%00', '/hello.txt%00.png', '/%00', '/hello%0a.txt', '/hello%0d%0a.txt']) {
      const r = await get(port, target);
      expect(r.status, target).toBe(400);
    }
  });

  it('a target that is not a path: refused', async () => {
    for (const target of ['secret.txt', '../secret.txt']) {
      const r = await get(port, target);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain('TOP SECRET');
    }
  });

  it('very long paths: 404 (or 414 from the server), no crash', async () => {
    const longSegment = await get(port, '/' + 'a'.repeat(5000));
    expect(longSegment.status).toBe(404);
    const deep = await get(port, '/' + 'a/'.repeat(3500));
    expect(deep.status).toBe(404);
    const tooLong = await get(port, '/' + 'a'.repeat(20_000));
    expect(tooLong.status).toBe(414);
    expect((await get(port, '/hello.txt')).status).toBe(200);
  });

  it('dotfiles are hidden: 404', async () => {
    expect((await get(port, '/.secret')).status).toBe(404);
    expect((await get(port, '/%2esecret')).status).toBe(404);
  });

  it('a symlink inside the root is followed', async () => {
    expect((await get(port, '/link-inside')).body).toBe(HELLO);
  });

  it('with followSymlinks false, even one inside the root is refused', async () => {
    const s = await startServer((config) => { config.fallbackHandler = staticFiles(root, { followSymlinks: false }); });
    try {
      expect((await get(s.port, '/link-inside')).status).toBe(404);
      expect((await get(s.port, '/hello.txt')).status).toBe(200);
    } finally {
      await s.stop({ timeout: 1000 });
    }
  });

  it('a file replaced by a symlink out of the root is no longer served', async () => {
    const p = path.join(root, 'swap.txt');
    fs.writeFileSync(p, 'innocent');
    expect((await get(port, '/swap.txt')).body).toBe('innocent');
    fs.unlinkSync(p);
    fs.symlinkSync(path.join(tmp, 'secret.txt'), p);
    const r = await get(port, '/swap.txt');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('TOP SECRET');
  });

  it('a directory replaced by a symlink out of the root is no longer served', async () => {
    const d = path.join(root, 'swapdir');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'secret.txt'), 'inside');
    expect((await get(port, '/swapdir/secret.txt')).body).toBe('inside');
    fs.rmSync(d, { recursive: true });
    fs.symlinkSync(tmp, d);
    const r = await get(port, '/swapdir/secret.txt');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('TOP SECRET');
  });

  it('a FIFO is refused at once (not waited on)', async () => {
    if (!fs.existsSync(path.join(root, 'fifo'))) throw new Error('mkfifo failed: the test cannot run');
    const t0 = Date.now();
    const r = await get(port, '/fifo');
    expect(r.status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('the parts, directly', () => {
  it('pathSegments splits before decoding', () => {
    expect(pathSegments('/a/b%2Fc')).toBe(400);
    expect(pathSegments('/a%20b/c/?q=1')).toEqual({ segments: ['a b', 'c'], slash: true });
    expect(pathSegments('http://h:1/x')).toEqual({ segments: ['x'], slash: false });
    expect(pathSegments('/%zz')).toBe(400);
  });

  it('parseRange', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual([0, 1]);
    expect(parseRange('bytes = 2-', 10)).toEqual([2, 10]);
    expect(parseRange('bytes=0-1, 20-30', 10)).toEqual([0, 2]); // one satisfiable range left
    expect(parseRange('bytes=20-30', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,2-3', 10)).toBeNull();
  });

  it('matchesList: weak and strong comparison', () => {
    expect(matchesList('W/"a"', '"a"', false)).toBe(true);
    expect(matchesList('W/"a"', '"a"', true)).toBe(false);
    expect(matchesList('"a"', 'W/"a"', true)).toBe(false);
    expect(matchesList('"b" , "a"', '"a"', true)).toBe(true);
  });
});

/** The name of the temp dir's parent chain seen from the root: `../<tmp name>`. */
function tmpName(): string {
  return '..%2f..%2f' + encodeURIComponent(path.basename(os.tmpdir()));
}
