/**
 * A real browser against the server (issue 11): a Scheme program, run as users run it
 * (`node --import tsx src/cli.ts site.scm PORT DIR LOG`), serves a directory with
 * `(http:fallback-handler (http:static-files DIR))`, answers `/api/time` with JSON, and logs with
 * `(http:make-combined-log-hook …)` to a file. Headless Chromium loads its page; the page's script
 * fetches the JSON, a static file (then again, so the browser revalidates it: 304), the file with
 * its ETag (304 seen by the script) and a byte range of it (206), and writes what it got into the
 * DOM, which Chromium prints. The access log must show the browser's requests and User-Agent.
 * Everything is on 127.0.0.1; the server and the browser are killed by PID / process group.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDom, findChromium, killBrowsers, MISSING_CHROMIUM, NO_BROWSER, type DumpResult } from '../support/browser.js';
import { freePort, waitForPort } from '../scheme/server/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The server program: the site a user would write with the egg and our static-file handler. */
const SITE_SCM = `;;; site.scm PORT DIR LOG -- static files from DIR, /api/time as JSON, an access log in LOG.
(require-extension http-server srfi-1)

(define args (command-line-arguments))
(define port (string->number (car args)))
(define root (cadr args))
(define log-file (caddr args))

(define time-requests 0)

;; A JSON string: the text between quotes, with " and \\ escaped (a User-Agent has no control bytes).
(define (json-string s)
  (list->string
   (append (list #\\")
           (append-map (lambda (c) (if (memv c '(#\\" #\\\\)) (list #\\\\ c) (list c))) (string->list s))
           (list #\\"))))

(http:add-resource "/api/time"
  (lambda (request args)
    (set! time-requests (+ time-requests 1))
    (let ((agent (or (alist-ref "user-agent" (http:request-attributes request) string=?) "")))
      (display (string-append
                "Content-type: application/json\\r\\nCache-Control: no-store\\r\\n\\r\\n"
                "{\\"now\\":" (number->string (current-seconds))
                ",\\"count\\":" (number->string time-requests)
                ",\\"agent\\":" (json-string agent) "}")))))

(http:fallback-handler (http:static-files root))
(http:log-hook (http:make-combined-log-hook (open-output-file log-file #:append)))
((http:make-server port #f #f #f #f "127.0.0.1"))
`;

/** The static file the page fetches, and the byte range it asks for (inclusive, as in Range). */
const DATA = 'Hello from data.txt: 0123456789 ABCDEFGHIJ\n';
const RANGE: [number, number] = [21, 30];

/**
 * The page: its script fetches the JSON, data.txt (again with cache: 'no-cache', so the browser
 * revalidates what it cached), data.txt with its ETag in If-None-Match (an author's conditional
 * request bypasses the cache, so the script sees the 304) and a byte range, then writes a JSON
 * report into #result, or the error into #error. The range request is made with cache: 'no-store':
 * otherwise Chromium answers it from the copy it cached (its own 206), and the server never sees it.
 */
const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>scheme-http browser test</title></head>
<body><h1>scheme-http</h1><pre id="result">pending</pre><pre id="error"></pre>
<script>
async function run() {
  const out = {};
  const t = await fetch('/api/time');
  out.time = { status: t.status, type: t.headers.get('content-type'), json: await t.json() };
  const d1 = await fetch('/data.txt');
  out.data1 = { status: d1.status, text: await d1.text(), etag: d1.headers.get('etag'),
                lastModified: d1.headers.get('last-modified'), type: d1.headers.get('content-type') };
  const d2 = await fetch('/data.txt', { cache: 'no-cache' });
  out.data2 = { status: d2.status, text: await d2.text() };
  const c = await fetch('/data.txt', { headers: { 'If-None-Match': out.data1.etag } });
  out.conditional = { status: c.status, text: await c.text() };
  const r = await fetch('/data.txt', { cache: 'no-store', headers: { Range: 'bytes=${RANGE[0]}-${RANGE[1]}' } });
  out.range = { status: r.status, contentRange: r.headers.get('content-range'), text: await r.text() };
  document.getElementById('result').textContent = JSON.stringify(out);
}
run().catch((e) => { document.getElementById('error').textContent = String(e && e.stack || e); });
</script></body></html>
`;

interface Report {
  time: { status: number; type: string | null; json: { now: number; count: number; agent: string } };
  data1: { status: number; text: string; etag: string | null; lastModified: string | null; type: string | null };
  data2: { status: number; text: string };
  conditional: { status: number; text: string };
  range: { status: number; contentRange: string | null; text: string };
}

/** The text of the <pre id=ID> element in a serialised DOM, with the serialiser's escapes undone. */
function preText(dom: string, id: string): string | null {
  const m = new RegExp(`<pre id="${id}">([\\s\\S]*?)</pre>`).exec(dom);
  if (m === null) return null;
  return m[1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&nbsp;', '\u00a0').replaceAll('&amp;', '&');
}

const chromium = findChromium();

let tmp = '';
let port = 0;
let logFile = '';
let server: ChildProcess | null = null;
let serverOutput = '';
let page: DumpResult | null = null;
let startedAt = 0;
let finishedAt = 0;

/** Ends the server process by its PID: SIGTERM, SIGKILL if it lingers. */
async function stopServer(): Promise<void> {
  const child = server;
  if (child === null || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => { if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 3000);
  await exited;
  clearTimeout(timer);
}

describe.skipIf(NO_BROWSER)('a real browser (headless Chromium) against a Scheme static-file server', () => {
  beforeAll(async () => {
    if (chromium === null) throw new Error(MISSING_CHROMIUM);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-browser-'));
    const www = path.join(tmp, 'www');
    fs.mkdirSync(www);
    fs.writeFileSync(path.join(www, 'index.html'), INDEX_HTML);
    fs.writeFileSync(path.join(www, 'data.txt'), DATA);
    fs.writeFileSync(path.join(tmp, 'site.scm'), SITE_SCM);
    logFile = path.join(tmp, 'access.log');
    port = await freePort();
    server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', path.join(tmp, 'site.scm'), String(port), www, logFile],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.setEncoding('utf8').on('data', (d: string) => { serverOutput += d; });
    server.stderr!.setEncoding('utf8').on('data', (d: string) => { serverOutput += d; });
    try {
      await waitForPort(port, 20_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the server printed:\n${serverOutput}`);
    }
    startedAt = Math.floor(Date.now() / 1000);
    page = await dumpDom(chromium, `http://127.0.0.1:${port}/`, { budgetMs: 5000, timeoutMs: 30_000 });
    finishedAt = Math.ceil(Date.now() / 1000);
  }, 55_000);

  afterAll(async () => {
    killBrowsers();
    await stopServer();
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** The page's report, or a failure that shows what the browser printed. */
  function report(): Report {
    const dom = page?.dom ?? '';
    const context = `chromium exited ${page?.code}; DOM:\n${dom}\nstderr:\n${page?.stderr}\nserver:\n${serverOutput}`;
    expect(preText(dom, 'error'), context).toBe('');
    const text = preText(dom, 'result');
    expect(text, context).not.toBeNull();
    expect(text, context).not.toBe('pending');
    return JSON.parse(text!) as Report;
  }

  it('the page loaded and its script ran to the end (Chromium exited 0)', () => {
    expect(page?.code, page?.stderr).toBe(0);
    expect(page!.dom).toContain('<title>scheme-http browser test</title>');
    report();
  });

  it('/api/time: the JSON the Scheme handler wrote, with the browser\'s User-Agent it saw', () => {
    const { time } = report();
    expect(time.status).toBe(200);
    expect(time.type).toBe('application/json');
    expect(time.json.count).toBe(1);
    expect(time.json.now).toBeGreaterThanOrEqual(startedAt);
    expect(time.json.now).toBeLessThanOrEqual(finishedAt);
    expect(time.json.agent).toMatch(/^Mozilla\/5\.0 .*HeadlessChrome\/\d+/);
  });

  it('data.txt: its content and validators, then the browser revalidates (200 from its cache after a 304)', () => {
    const { data1, data2 } = report();
    expect(data1).toMatchObject({ status: 200, text: DATA, type: 'text/plain; charset=utf-8' });
    expect(data1.etag).toMatch(/^"[^"]+"$/);
    expect(data1.lastModified).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    // fetch shows a revalidated cached response as 200 with the cached body; the log shows the 304.
    expect(data2).toEqual({ status: 200, text: DATA });
  });

  it('If-None-Match with the ETag: 304 with no body, as the script sees it', () => {
    expect(report().conditional).toEqual({ status: 304, text: '' });
  });

  it('Range: 206 with exactly the bytes asked for and their Content-Range', () => {
    const { range } = report();
    expect(range).toEqual({
      status: 206,
      contentRange: `bytes ${RANGE[0]}-${RANGE[1]}/${Buffer.byteLength(DATA)}`,
      text: Buffer.from(DATA).subarray(RANGE[0], RANGE[1] + 1).toString('latin1'),
    });
    expect(range.text).toBe('0123456789');
  });

  it('the access log holds the browser\'s requests, each with its status and User-Agent', async () => {
    // The hook writes after each response is sent; give the last line a moment (bounded).
    const read = (): string[] => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'latin1') : '').split('\n').filter((l) => l !== '');
    const deadline = Date.now() + 3000;
    while (!read().some((l) => l.includes('" 206 ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = read();
    // 127.0.0.1 - - [time] "REQUEST" STATUS BYTES "REFERER" "USER-AGENT"
    const entries = lines.map((l) => {
      const m = /^127\.0\.0\.1 - - \[[^\]]+\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$/.exec(l);
      expect(m, `not a Combined Log Format line from 127.0.0.1: ${l}`).not.toBeNull();
      return { request: m![1]!, status: Number(m![2]), bytes: m![3]!, referer: m![4]!, agent: m![5]! };
    });
    const seen = entries.map((e) => `${e.request} ${e.status}`);
    const pageUrl = `http://127.0.0.1:${port}/`;
    const expected = [
      { request: 'GET / HTTP/1.1', status: 200, bytes: String(Buffer.byteLength(INDEX_HTML)), referer: '-' },
      { request: 'GET /api/time HTTP/1.1', status: 200, referer: pageUrl },
      { request: 'GET /data.txt HTTP/1.1', status: 200, bytes: String(Buffer.byteLength(DATA)), referer: pageUrl },
      { request: 'GET /data.txt HTTP/1.1', status: 304, bytes: '-', referer: pageUrl },
      { request: 'GET /data.txt HTTP/1.1', status: 206, bytes: String(RANGE[1] - RANGE[0] + 1), referer: pageUrl },
    ];
    for (const want of expected) {
      expect(entries.some((e) => Object.entries(want).every(([k, v]) => e[k as keyof typeof e] === v)), `${JSON.stringify(want)} in\n${lines.join('\n')}`).toBe(true);
    }
    // Both 304s: the browser's revalidation and the script's own If-None-Match.
    expect(seen.filter((s) => s === 'GET /data.txt HTTP/1.1 304'), lines.join('\n')).toHaveLength(2);
    // In order, as the script made them (a favicon request, if any, may come anywhere).
    expect(seen.filter((s) => !s.startsWith('GET /favicon.ico '))).toEqual([
      'GET / HTTP/1.1 200', 'GET /api/time HTTP/1.1 200', 'GET /data.txt HTTP/1.1 200',
      'GET /data.txt HTTP/1.1 304', 'GET /data.txt HTTP/1.1 304', 'GET /data.txt HTTP/1.1 206',
    ]);
    for (const e of entries) expect(e.agent, e.request).toMatch(/^Mozilla\/5\.0 .*HeadlessChrome\/\d+/);
  });
});
