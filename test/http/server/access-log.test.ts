/**
 * The Combined Log Format hook (src/http/server/access-log.ts): a real server with the hook
 * answers requests over loopback (odd user agents with quotes, backslashes, control and
 * non-ASCII bytes; HEAD, 304, 404, POST), the log goes to a file, and `awk` parses that file as
 * log tools do (splitting on `"` and spaces): every field comes out as sent. `goaccess
 * --log-format=COMBINED` also parses it when it is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  combinedLogHook, combinedLogLine, escapeLogField, logTime, responseOf, staticFiles, type Server,
} from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';
import { request1, waitFor } from '../../support/server-features.js';

let tmp: string;
let logFile: string;
let server: Server;
let lines: string[] = [];
/** Whether the server recorded each response for the log (connection.ts calls recordResponse). */
let recorded = true;
let fields: string[][] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'access-log-test-'));
  fs.writeFileSync(path.join(tmp, 'file.txt'), 'twelve bytes');
  logFile = path.join(tmp, 'access.log');
  const stream = fs.createWriteStream(logFile, { flags: 'a' });
  const toFile = combinedLogHook(stream);
  server = await startServer((config) => {
    config.addResource('/x', (_r, _a, ex) => { ex.send(200, { 'Content-Type': 'text/plain' }, 'x'.repeat(2326)); });
    config.addResource('/stream', async (_r, _a, ex) => {
      // 100 KiB written in pieces: past the writer's buffer, so it goes out chunked.
      ex.write('Content-Type: application/octet-stream\r\n\r\n');
      for (let i = 0; i < 10; i++) ex.write(Buffer.alloc(10 * 1024, 97));
    });
    config.fallbackHandler = staticFiles(tmp);
    config.logHook = (request, ip) => {
      toFile(request, ip);
      if (responseOf(request) === undefined) recorded = false;
      lines.push(''); // counts calls, so the test knows when the log has every line
    };
  });
});

afterAll(async () => {
  await server?.stop({ timeout: 1000 });
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** One request with the given extra header lines; returns once the log hook ran for it. */
async function send(requestLine: string, extra: string[] = [], body = ''): Promise<void> {
  const before = lines.length;
  const head = `${requestLine}\r\nHost: test\r\n${extra.map((l) => l + '\r\n').join('')}`
    + (body === '' ? '' : `Content-Length: ${body.length}\r\n`) + '\r\n';
  await request1(server.port, Buffer.from(head + body, 'latin1'), { headOnly: requestLine.startsWith('HEAD') });
  await waitFor(() => lines.length > before, 2000, 'the log hook');
}

/** Fields of each log line as awk splits them: by `"` first, then by spaces. */
function awkFields(file: string): string[][] {
  const program = String.raw`BEGIN { FS = "\"" }
{
  split($1, a, " "); split($3, b, " ");
  ip = a[1]; t = a[4] " " a[5]; gsub(/^\[|\]$/, "", t);
  split($2, r, " ");
  print ip "\t" t "\t" r[1] "\t" r[2] "\t" r[3] "\t" b[1] "\t" b[2] "\t" $4 "\t" $6 "\t" NF
}`;
  const out = spawnSync('awk', [program, file], { encoding: 'utf8', timeout: 5000 });
  if (out.status !== 0) throw new Error(`awk failed: ${out.stderr}`);
  return out.stdout.trim().split('\n').map((l) => l.split('\t'));
}

describe('the Combined Log Format over a real server', () => {
  it('awk parses every field of every line', async () => {
    await send('GET /x?a=1&b=two HTTP/1.1', ['Referer: http://example.com/page', 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0']);
    await send('GET /file.txt HTTP/1.1', ['User-Agent: evil "quoted" agent\\with backslash']);
    await send('HEAD /file.txt HTTP/1.1');
    await send('GET /nothing HTTP/1.0', ['User-Agent: tab\tinside \xff', 'Referer: caf\xe9']);
    await send('POST /x HTTP/1.1', ['User-Agent: "'], 'a=1');
    await send('GET /stream HTTP/1.1');
    await send('GET /file.txt HTTP/1.1', ['Range: bytes=0-3']);
    // Let the write stream reach the file.
    await waitFor(() => fs.readFileSync(logFile, 'latin1').split('\n').length > 7, 2000, 'the log file');
    const text = fs.readFileSync(logFile, 'latin1');
    const raw = text.trimEnd().split('\n');
    expect(raw).toHaveLength(7);
    const f = awkFields(logFile);
    fields = f;
    // Each line: 6 quote-separated parts, so no field broke its quotes.
    for (const row of f) expect(row[9]).toBe('7');
    for (const row of f) {
      expect(row[0]).toBe('127.0.0.1');
      expect(row[1]).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}$/);
    }
    expect(f.map((r) => [r[2], r[3], r[4]])).toEqual([
      ['GET', '/x?a=1&b=two', 'HTTP/1.1'],
      ['GET', '/file.txt', 'HTTP/1.1'],
      ['HEAD', '/file.txt', 'HTTP/1.1'],
      ['GET', '/nothing', 'HTTP/1.0'],
      ['POST', '/x', 'HTTP/1.1'],
      ['GET', '/stream', 'HTTP/1.1'],
      ['GET', '/file.txt', 'HTTP/1.1'],
    ]);
    expect(f.map((r) => [r[7], r[8]])).toEqual([
      ['http://example.com/page', 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0'],
      ['-', 'evil \\x22quoted\\x22 agent\\x5Cwith backslash'],
      ['-', '-'],
      ['caf\\xE9', 'tab\\x09inside \\xFF'],
      ['-', '\\x22'],
      ['-', '-'],
      ['-', '-'],
    ]);
    // The time is now, in local time.
    const logged = parseLogTime(f[0]![1]!);
    expect(Math.abs(logged - Date.now())).toBeLessThan(60_000);
  });

  it('status and body bytes sent come out right', () => {
    // The egg's log hook gets (request ip) only: the status and size come from the record the
    // connection leaves (recordResponse) for every response.
    expect(recorded).toBe(true);
    const f = fields;
    expect(f).toHaveLength(7);
    // Status and body bytes sent ('-' for none, as %b writes it).
    expect(f.map((r) => [r[5], r[6]])).toEqual([
      ['200', '2326'], ['200', '12'], ['200', '-'], ['404', String(notFoundPageLength())], ['200', '2326'], ['200', String(100 * 1024)], ['206', '4'],
    ]);
  });

  it('goaccess parses the log as COMBINED (when installed)', (ctx) => {
    const which = spawnSync('sh', ['-c', 'command -v goaccess'], { encoding: 'utf8' });
    // Not installed by default (awk above is the required check).
    if (which.status !== 0) ctx.skip();
    const out = spawnSync('goaccess', [logFile, '--log-format=COMBINED', '-o', 'json', '--no-global-config'], { encoding: 'utf8', timeout: 10_000 });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as { general: { total_requests: number; failed_requests: number } };
    expect(report.general.failed_requests).toBe(0);
    expect(report.general.total_requests).toBe(7);
  });
});

describe('the line builder', () => {
  it('writes the example line of the Apache documentation', () => {
    const time = new Date(2000, 9, 10, 13, 55, 36);
    const line = combinedLogLine({
      ip: '127.0.0.1', time, method: 'GET', url: '/apache_pb.gif', protocol: 'HTTP/1.0', status: 200, bytes: 2326,
      referer: 'http://www.example.com/start.html', userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
    expect(line).toBe(`127.0.0.1 - - [${logTime(time)}] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`);
    expect(logTime(time)).toMatch(/^10\/Oct\/2000:13:55:36 [+-]\d{4}$/);
  });

  it('escapes as nginx does: quotes, backslashes, control and high bytes as \\xHH', () => {
    expect(escapeLogField('a"b\\c\nd\x7f\xff')).toBe('a\\x22b\\x5Cc\\x0Ad\\x7F\\xFF');
    expect(escapeLogField('λ')).toBe('\\xCE\\xBB'); // text: its UTF-8 bytes
  });

  it('missing fields are -', () => {
    const line = combinedLogLine({ ip: '', time: new Date(), method: 'GET', url: '/', protocol: 'HTTP/1.1', status: null, bytes: null });
    expect(line).toMatch(/^- - - \[[^\]]+\] "GET \/ HTTP\/1.1" - - "-" "-"$/);
  });
});

/** Bytes of the default 404 page of a server named "(Silly)" at "localhost". */
function notFoundPageLength(): number {
  return Buffer.byteLength('<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><address>(Silly) at localhost</address></body></html>');
}

/** `10/Oct/2000:13:55:36 -0700` → ms since the epoch. */
function parseLogTime(s: string): number {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(s);
  if (m === null) throw new Error(`not a log time: ${s}`);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[2]!);
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return utc - offset * 60_000;
}
