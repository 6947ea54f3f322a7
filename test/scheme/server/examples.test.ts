/**
 * The seed's examples as separate processes, unchanged: examples/hello-server.scm (which listens
 * on 4242 with the debug flag) answers examples/hello-client.scm, curl and fetch, with correct
 * framing, several times, and keeps serving. Processes started here are killed by PID.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForPort } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The seed's port; another one when 4242 is taken (by `npm start`, say): see beforeAll. */
const SEED_PORT = 4242;
let PORT = SEED_PORT;
/** The example files run: the seed's own, or copies differing only in the port. */
let serverFile = 'examples/hello-server.scm';
let clientFile = 'examples/hello-client.scm';
let copiesDir: string | null = null;
const BODY = '<h1>Hello, world!</h1>\n';

let server: ChildProcess | null = null;
let serverStderr = '';

/** Whether a listener can be bound on PORT (every interface, as the example binds) now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

interface Run { code: number | null; stdout: string; stderr: string }

function run(file: string, args: string[], timeout = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

const runClient = (): Promise<Run> => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', clientFile]);

/** A free port chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * When 4242 stays taken (a developer's `npm start`, a bench), the examples run as copies that
 * differ only in the port, so the suite does not fail because of what else runs on the machine.
 */
async function portedCopies(): Promise<void> {
  PORT = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-examples-'));
  copiesDir = dir;
  for (const name of ['hello-server.scm', 'hello-client.scm']) {
    const text = fs.readFileSync(path.join(ROOT, 'examples', name), 'utf8');
    if (!text.includes(String(SEED_PORT))) throw new Error(`examples/${name} no longer names port ${SEED_PORT}`);
    fs.writeFileSync(path.join(dir, name), text.replaceAll(String(SEED_PORT), String(PORT)));
  }
  serverFile = path.join(dir, 'hello-server.scm');
  clientFile = path.join(dir, 'hello-client.scm');
}

beforeAll(async () => {
  // Another run of the example may hold the port for a moment; one that keeps it is worked around.
  const deadline = Date.now() + 3_000;
  while (!(await portFree(SEED_PORT))) {
    if (Date.now() > deadline) {
      await portedCopies();
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', serverFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr!.setEncoding('utf8').on('data', (d: string) => { serverStderr += d; });
  server.stdout!.resume();
  await waitForPort(PORT, 15_000);
}, 30_000);

afterAll(async () => {
  if (copiesDir !== null) fs.rmSync(copiesDir, { recursive: true, force: true });
  const child = server;
  if (child === null || child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => { if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 3000);
  await exited;
  clearTimeout(timer);
});

describe('the seed examples as processes', () => {
  it('hello-client.scm prints exactly ("<h1>Hello, world!</h1>")', async () => {
    const r = await runClient();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('("<h1>Hello, world!</h1>")\n');
  }, 30_000);

  it('curl gets the page with Content-length 23, twice, also on one persistent connection', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run('curl', ['-sS', '-i', '--max-time', '5', `http://127.0.0.1:${PORT}/?t=curl${i}`]);
      expect(r.code).toBe(0);
      const [head, body] = r.stdout.split('\r\n\r\n');
      expect(body).toBe(BODY);
      const lines = head!.split('\r\n');
      expect(lines[0]).toBe('HTTP/1.1 200 OK');
      expect(lines).toContain('Content-type: text/html');
      expect(lines).toContain('Content-length: 23');
      expect(lines.filter((l) => /^content-length:/i.test(l))).toHaveLength(1);
      expect(lines).toContain('Server: (Silly)');
    }
    // Two URLs in one curl run share a connection: the framing must hold between them.
    const both = await run('curl', ['-sS', '--max-time', '5', '-w', '[%{http_code} %{num_connects}]',
      `http://127.0.0.1:${PORT}/?t=curl-a`, `http://127.0.0.1:${PORT}/index.html?t=curl-b`]);
    expect(both.code).toBe(0);
    expect(both.stdout).toBe(`${BODY}[200 1]${BODY}[200 0]`);
  }, 30_000);

  it('fetch gets the page, twice', async () => {
    for (const p of ['/?t=fetch0', '/index.html?t=fetch1']) {
      const res = await fetch(`http://127.0.0.1:${PORT}${p}`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(res.headers.get('content-length')).toBe('23');
      expect(await res.text()).toBe(BODY);
    }
    const missing = await fetch(`http://127.0.0.1:${PORT}/elsewhere?t=fetch404`, { signal: AbortSignal.timeout(5000) });
    expect(missing.status).toBe(404);
    await missing.text();
  }, 30_000);

  it('keeps serving: the client example again, and the server process is still up', async () => {
    const r = await runClient();
    expect(r.stdout).toBe('("<h1>Hello, world!</h1>")\n');
    expect(server?.exitCode).toBeNull();
    const res = await fetch(`http://127.0.0.1:${PORT}/?t=fetch2`, { signal: AbortSignal.timeout(5000) });
    expect(await res.text()).toBe(BODY);
  }, 30_000);

  it('the debug flag (#t) wrote one line per request on the server\'s stderr', async () => {
    // Each request of ours carries its own query (the client example's cannot: it asks for "/").
    const ours = [
      'GET /?t=curl0 HTTP/1.1 -> 200', 'GET /?t=curl1 HTTP/1.1 -> 200', 'GET /?t=curl-a HTTP/1.1 -> 200',
      'GET /index.html?t=curl-b HTTP/1.1 -> 200', 'GET /?t=fetch0 HTTP/1.1 -> 200', 'GET /index.html?t=fetch1 HTTP/1.1 -> 200',
      'GET /elsewhere?t=fetch404 HTTP/1.1 -> 404', 'GET /?t=fetch2 HTTP/1.1 -> 200',
    ];
    const lines = (): string[] => serverStderr.split('\n').filter((l) => / -> \d{3} in [\d.]+ ms$/.test(l));
    const found = (): string[][] => ours.map((o) => lines().filter((l) => l.startsWith(`127.0.0.1 ${o} in `)));
    // Lines are written once per turn of the server's event loop: give the last ones a moment.
    const deadline = Date.now() + 2000;
    while (found().some((f) => f.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(found().map((f) => f.length), serverStderr).toEqual(ours.map(() => 1));
    // The two runs of the client example: HTTP/1.0 requests for "/".
    expect(lines().filter((l) => / GET \/ HTTP\/1\.0 -> 200 in /.test(l)).length).toBeGreaterThanOrEqual(2);
  });
});
