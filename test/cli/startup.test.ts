/**
 * The built command (bin/scheme-http.js over dist/, from `npm run build`) started through the
 * start-up snapshot, and its fallback to the normal boot. The snapshot is built into a temporary
 * directory (SCHEME_HTTP_SNAPSHOT_DIR points the launcher there), so the one in dist/snapshot/ is
 * neither needed nor touched. Timing is not asserted here: `npm run startup-time` measures it.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, tempDir, waitUntil } from '../support/client-fixtures.js';
import { hashInputs, snapshotFiles, type Stamp } from '../../src/snapshot/stamp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'scheme-http.js');

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let snapDir: string;
const children: number[] = [];

/** This process's environment without what makes the launcher skip the snapshot. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SCHEME_HTTP_TRACE_COMPILE;
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs `node bin/scheme-http.js ARGS`, from the snapshot in DIR (null: none), saying which boot it took. */
function cli(args: string[], opts: { dir?: string | null; env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  const dir = opts.dir === undefined ? snapDir : opts.dir;
  const base = cleanEnv();
  const env: NodeJS.ProcessEnv = { ...base, SCHEME_HTTP_SNAPSHOT: 'debug', SCHEME_HTTP_SNAPSHOT_DIR: dir ?? path.join(snapDir, 'nowhere'), ...opts.env };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

const FROM_SNAPSHOT = /starting from the snapshot/;
const NOT_USED = /start-up snapshot not used: (.*)/;

async function copySnapshot(name: string, edit: (stamp: Stamp, dir: string) => void): Promise<string> {
  const dir = path.join(snapDir, name);
  fs.mkdirSync(dir);
  const from = snapshotFiles(ROOT, snapDir);
  const to = snapshotFiles(ROOT, dir);
  fs.copyFileSync(from.blob, to.blob);
  const stamp = JSON.parse(fs.readFileSync(from.stamp, 'utf8')) as Stamp;
  edit(stamp, dir);
  fs.writeFileSync(to.stamp, JSON.stringify(stamp));
  return dir;
}

function writeProgram(name: string, code: string): string {
  const file = path.join(snapDir, name);
  fs.writeFileSync(file, code);
  return file;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  for (const f of ['dist/cli.js', 'dist/snapshot/entry.js', 'dist/snapshot/stamp.js']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  snapDir = await tempDir('snapshot');
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-snapshot.mjs'), '--dir', snapDir, '--strict', '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build-snapshot failed: ${built.stderr}`);
}, 120_000);

afterAll(async () => {
  for (const pid of children) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  await removeDir(snapDir ?? null);
});

describe('scheme-http started from the snapshot', () => {
  it("prints 1 for -e '(display 1)'", async () => {
    const r = await cli(['-e', '(display 1)']);
    expect(r.stderr).toMatch(FROM_SNAPSHOT);
    expect(r.stdout).toBe('1');
    expect(r.status).toBe(0);
  });

  it('passes the arguments, the exit status and errors through', async () => {
    const args = await cli(['-e', '(command-line-arguments)', 'a', 'b c']);
    expect(args.stderr).toMatch(FROM_SNAPSHOT);
    expect(args.stdout).toBe('("a" "b c")\n');
    const file = writeProgram('exit.scm', '(display (command-line-arguments))\n(exit 3)\n');
    const exit = await cli([file, 'x']);
    expect([exit.stdout, exit.status]).toEqual(['(x)', 3]);
    const error = await cli(['-e', '(car 1)']);
    expect(error.status).toBe(70);
    expect(error.stderr).toMatch(/-e:1: Error: /);
  });

  it('reads a REPL from piped stdin', async () => {
    const r = await cli([], { input: '(define x 41)\n(+ x 1)\n(display "hi")\n(newline)\n' });
    expect(r.stderr).toMatch(FROM_SNAPSHOT);
    expect(r.stdout).toBe('42\nhi\n');
    expect(r.status).toBe(0);
  });

  it('has a clock and a random seed of its own start, not of the build', async () => {
    const code = '(list (current-second) (random))';
    const [a, b] = await Promise.all([cli(['-e', code]), cli(['-e', code])]);
    for (const r of [a, b]) expect(r.stderr).toMatch(FROM_SNAPSHOT);
    const [secA, randA] = a.stdout.slice(1, -2).split(' ').map(Number);
    const [, randB] = b.stdout.slice(1, -2).split(' ').map(Number);
    expect(Math.abs(secA! - Date.now() / 1000)).toBeLessThan(60);
    expect(randA).not.toBe(randB);
  });

  it('serves and fetches, with each handler writing to its own connection', async () => {
    const port = await freePort();
    const file = writeProgram('serve-and-fetch.scm', `
(http:add-resource "/x"
  (lambda (r a)
    (display "Content-type: text/plain\\r\\n\\r\\n")
    (thread-sleep! 0.02)
    (display (http:request-url r))))
(thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")))))
(thread-sleep! 0.3)
(define results
  (map thread-join!
       (map (lambda (i)
              (let ((t (make-thread (lambda () (http:GET (string-append "127.0.0.1:${port}/x?id=" (number->string i)))))))
                (thread-start! t)
                t))
            '(1 2 3 4 5 6 7 8))))
(for-each (lambda (r) (display r) (newline)) results)
(exit 0)
`);
    const r = await cli([file]);
    expect(r.stderr).toMatch(FROM_SNAPSHOT);
    expect(r.stdout.trim().split('\n').map((l) => l.replace(/^.*\?id=/, ''))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(r.status).toBe(0);
  });

  it('forwards SIGTERM, and its node goes when the launcher is killed', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const port = await freePort();
      const file = writeProgram(`server-${signal}.scm`, `(display (current-process-id)) (newline)\n((http:make-server ${port} #f #f #f #f "127.0.0.1") #t)\n`);
      const env = { ...cleanEnv(), SCHEME_HTTP_SNAPSHOT_DIR: snapDir, SCHEME_HTTP_SNAPSHOT: '' };
      const launcher = spawn(process.execPath, [BIN, file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(launcher.pid!);
      let out = '';
      launcher.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      const exited = new Promise<[number | null, string | null]>((r) => launcher.on('exit', (code, sig) => r([code, sig])));
      await waitUntil(() => out.includes('\n'), 10_000, 'the server to print its pid');
      const pid = Number(out.trim());
      children.push(pid);
      expect(pid).not.toBe(launcher.pid); // it runs in the node started from the snapshot
      await waitForPort(port, 10_000);
      launcher.kill(signal);
      const [code, sig] = await exited;
      if (signal === 'SIGTERM') expect(code).toBe(143);
      else expect(sig).toBe('SIGKILL');
      await waitUntil(() => !alive(pid), 5000, `the snapshot's node to exit after ${signal}`);
    }
  });
});

describe('scheme-http without a usable snapshot', () => {
  it('boots normally when there is none', async () => {
    const r = await cli(['-e', '(display 1)'], { dir: null });
    expect(r.stderr).toMatch(/not used: no snapshot stamp/);
    expect(r.stdout).toBe('1');
    expect(r.status).toBe(0);
  });

  it('boots normally when the blob is stale or damaged', async () => {
    const changing = writeProgram('input.txt', 'before');
    const cases: Array<[string, (s: Stamp, dir: string) => void, RegExp]> = [
      ['other-node', (s) => { s.node = 'v0.0.1'; }, /built by node v0\.0\.1/],
      ['inputs-changed', (s) => { s.inputs = [...s.inputs, changing]; s.hash = hashInputs(s.inputs); }, /inputs changed/],
      ['input-gone', (s) => { s.inputs = [...s.inputs, path.join(snapDir, 'gone.js')]; }, /an input is gone/],
      ['truncated', (_s, dir) => { fs.truncateSync(snapshotFiles(ROOT, dir).blob, 1000); }, /blob is 1000 bytes/],
    ];
    const dirs: string[] = [];
    for (const [name, edit] of cases) dirs.push(await copySnapshot(name, edit));
    fs.writeFileSync(changing, 'after');
    const results = await Promise.all(dirs.map((dir) => cli(['-e', '(display 1)'], { dir })));
    results.forEach((r, i) => {
      expect(r.stderr).toMatch(NOT_USED);
      expect(r.stderr).toMatch(cases[i]![2]);
      expect(r.stdout).toBe('1');
      expect(r.status).toBe(0);
    });
  });

  it('boots normally when told to, when a variable read at load time is set, or under NODE_OPTIONS', async () => {
    const [off, traced, options] = await Promise.all([
      cli(['-e', '(display 1)'], { env: { SCHEME_HTTP_SNAPSHOT: '0' } }),
      cli(['-e', '(display 1)'], { env: { SCHEME_HTTP_TRACE_COMPILE: '1' } }),
      // A V8 option: node would refuse the blob (built without it).
      cli(['-e', '(display 1)'], { env: { NODE_OPTIONS: '--max-old-space-size=200' } }),
    ]);
    expect(off.stderr).not.toMatch(FROM_SNAPSHOT);
    expect(traced.stderr).toMatch(/SCHEME_HTTP_TRACE_COMPILE must be read at start-up/);
    expect(options.stderr).toMatch(/NODE_OPTIONS is set/);
    for (const r of [off, traced, options]) expect([r.stdout, r.status]).toEqual(['1', 0]);
  });
});
