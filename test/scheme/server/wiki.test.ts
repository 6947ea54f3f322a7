/**
 * examples/wiki.scm as a separate process on a free port, driven over real sockets with fetch:
 * pages created and edited through the urlencoded form (UTF-8 text), the markup rendered and the
 * text HTML-escaped, Content-Length equal to the body's byte length, the 404 page with its create
 * link, 400 for bad forms, and the log hook's one stderr line per request. The process is killed
 * by PID in afterAll; every request and wait is bounded.
 */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitUntil } from '../../support/client-fixtures.js';
import { waitForPort } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TIMEOUT = 30_000;
/** Starting the program from source (tsx, the library compiled at start-up) is slow on a busy machine. */
const STARTUP = 40_000;

let port = 0;
let server: ChildProcess | null = null;
let serverStderr = '';
/** Every request this suite sent, as the log hook should write it: "METHOD URL". */
const sent: string[] = [];

interface Reply {
  status: number;
  headers: Headers;
  /** The body's bytes, as received. */
  bytes: Buffer;
  /** The body decoded as UTF-8. */
  text: string;
}

/** One request with a 5 s bound; a POST with FORM sends it urlencoded (UTF-8), as a browser does. */
async function request(method: 'GET' | 'POST', url: string, form?: URLSearchParams | string, contentType?: string): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  sent.push(`${method} ${url}`);
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { method, body: form, headers, signal: AbortSignal.timeout(5000) });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

/** The framing a client relies on: Content-Length is the byte length of the body (not its UTF-16 length). */
function expectFramed(r: Reply): void {
  expect(r.headers.get('content-length')).toBe(String(r.bytes.length));
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
}

beforeAll(async () => {
  port = await freePort();
  // The example needs the compiled engine's library (define-record, SRFI-69, the regex unit):
  // the uncompiled run of this suite still starts it compiled.
  server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'examples/wiki.scm', String(port)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEME_HTTP_COMPILE: '1' } });
  server.stderr!.setEncoding('utf8').on('data', (d: string) => { serverStderr += d; });
  server.stdout!.resume();
  await waitForPort(port, STARTUP - 5000);
}, STARTUP);

afterAll(async () => {
  const child = server;
  if (child === null || child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => { if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 3000);
  await exited;
  clearTimeout(timer);
}, TIMEOUT);

describe('examples/wiki.scm as a process', () => {
  it('serves the Home page it creates at start-up, markup rendered', async () => {
    const r = await request('GET', '/wiki/Home');
    expect(r.status).toBe(200);
    expectFramed(r);
    expect(r.text).toContain('<title>Home</title>');
    expect(r.text).toContain('<p>Welcome to the <b>wiki</b>.</p>\n<p>Every page has an edit link.');
    expect(r.text).toContain('<a href="/wiki/Sandbox">Sandbox</a>');
    expect(r.text).toContain('<p>Revision 1 | <a href="/edit/Home">Edit</a></p>');
    expect(new Date(r.headers.get('last-modified')!).getTime()).toBeGreaterThan(Date.now() - 3_600_000);
  }, TIMEOUT);

  it('answers a missing page with 404 and a link that creates it', async () => {
    const r = await request('GET', '/wiki/Gruesse');
    expect(r.status).toBe(404);
    expectFramed(r);
    expect(r.text).toContain('There is no page called Gruesse yet. <a href="/edit/Gruesse">Create it</a>.');
    const form = await request('GET', '/edit/Gruesse');
    expect(form.status).toBe(200);
    expectFramed(form);
    expect(form.text).toContain('<form method="post" action="/wiki/Gruesse">');
    expect(form.text).toContain('<textarea name="text" rows="20" cols="80"></textarea>');
  }, TIMEOUT);

  it('creates a page from the POSTed form: UTF-8 text trimmed, escaped, rendered (201)', async () => {
    const text = '  Grüße aus **Köln** <script>alert("x")</script> & [[Home]]\r\n\r\nZweiter Absatz: ½ €  \r\n';
    const r = await request('POST', '/wiki/Gruesse', new URLSearchParams({ text }));
    expect(r.status).toBe(201);
    expectFramed(r);
    // Content-Length counts bytes: the text has more bytes than characters.
    expect(r.bytes.length).toBeGreaterThan(r.text.length);
    expect(r.text).toContain('<p>Grüße aus <b>Köln</b> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ' +
      '<a href="/wiki/Home">Home</a></p>\n<p>Zweiter Absatz: ½ €</p>');
    expect(r.text).toContain('Revision 1 |');
    expect(r.text).not.toContain('<script>');
  }, TIMEOUT);

  it('reads the page back, and the edit form holds its escaped source', async () => {
    const r = await request('GET', '/wiki/Gruesse?t=read');
    expect(r.status).toBe(200);
    expectFramed(r);
    expect(r.text).toContain('<p>Grüße aus <b>Köln</b> &lt;script&gt;');
    expect(r.text).toContain('<p>Revision 1 | <a href="/edit/Gruesse">Edit</a></p>');
    const form = await request('GET', '/edit/Gruesse');
    expectFramed(form);
    expect(form.text).toContain('<textarea name="text" rows="20" cols="80">Grüße aus **Köln** &lt;script&gt;alert(&quot;x&quot;)' +
      '&lt;/script&gt; &amp; [[Home]]\r\n\r\nZweiter Absatz: ½ €</textarea>');
  }, TIMEOUT);

  it('an edit makes the next revision (200), twice', async () => {
    const first = await request('POST', '/wiki/Gruesse', new URLSearchParams({ text: 'Neu: **fett**' }));
    expect(first.status).toBe(200);
    expectFramed(first);
    expect(first.text).toContain('<p>Neu: <b>fett</b></p>');
    expect(first.text).toContain('Revision 2 |');
    // A form as a plain string, with a second field the wiki ignores.
    const second = await request('POST', '/wiki/Gruesse', 'summary=typo&text=Neu%3A+%2A%2Afetter%2A%2A+%C3%9F', 'application/x-www-form-urlencoded');
    expect(second.status).toBe(200);
    expect(second.text).toContain('<p>Neu: <b>fetter</b> ß</p>');
    const r = await request('GET', '/wiki/Gruesse?t=after-edits');
    expect(r.text).toContain('<p>Neu: <b>fetter</b> ß</p>');
    expect(r.text).toContain('Revision 3 |');
    expectFramed(r);
  }, TIMEOUT);

  it('a bad form gets 400 and changes nothing', async () => {
    const cases: Array<[URLSearchParams | string, string | undefined, string]> = [
      [new URLSearchParams({ txt: 'no text field' }), undefined, 'The form has no text field.'],
      ['', 'application/x-www-form-urlencoded', 'The form has no text field.'],
      ['text=not urlencoded', 'text/plain', 'The form has no text field.'],
      [new URLSearchParams({ text: ' \r\n\t ' }), undefined, 'The text is empty.'],
    ];
    for (const [body, type, why] of cases) {
      const r = await request('POST', '/wiki/Unmade', body, type);
      expect(r.status).toBe(400);
      expectFramed(r);
      expect(r.text).toContain(`<p>${why} <a href="/edit/Unmade">Back to the form</a>.</p>`);
    }
    const r = await request('GET', '/wiki/Unmade');
    expect(r.status).toBe(404);
  }, TIMEOUT);

  it('other URLs: the page list, 404 and 405 error pages in the wiki layout', async () => {
    const list = await request('GET', '/');
    expect(list.status).toBe(200);
    expectFramed(list);
    expect(list.text).toMatch(/<li><a href="\/wiki\/Gruesse">Gruesse<\/a> \(revision 3, [^)]+\)<\/li>\n<li><a href="\/wiki\/Home">Home<\/a> \(revision 1, /);
    const nowhere = await request('GET', '/wiki/bad%20name');
    expect(nowhere.status).toBe(404);
    expectFramed(nowhere);
    expect(nowhere.text).toContain('<h1>404 Not Found</h1>\n<hr><a href="/">All pages</a>');
    const post = await request('POST', '/edit/Home', new URLSearchParams({ text: 'x' }));
    expect(post.status).toBe(405);
    expect(post.text).toContain('<h1>405 Method Not Allowed</h1>');
  }, TIMEOUT);

  it('the log hook wrote one line per request to stderr', async () => {
    // Lines of the form "IP METHOD URL"; anything else on stderr (a Node warning) is not ours.
    const lines = (): string[] => serverStderr.split('\n').filter((l) => /^\S+ [A-Z]+ \//.test(l));
    await waitUntil(() => lines().length >= sent.length, 3000, 'the log lines');
    expect(lines()).toEqual(sent.map((s) => `127.0.0.1 ${s}`));
    expect(server?.exitCode).toBeNull();
  }, TIMEOUT);
});
