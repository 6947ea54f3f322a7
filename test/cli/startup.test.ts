/**
 * The built command (bin/scheme-http, a sh script, and bin/scheme-http.js, over dist/ from
 * `npm run build`): its start from the bundle (dist/boot/start.cjs, the default) in one process;
 * the start-up snapshot, now its fallback (SCHEME_HTTP_BUNDLE=0, or no dist/boot/), also in one
 * process; the fallbacks when either is stale or damaged; and the first runs of a packed and
 * installed package. The snapshot is built into a temporary directory (SCHEME_HTTP_SNAPSHOT_DIR
 * points the launchers there) and the caches are a temporary XDG_CACHE_HOME, so dist/snapshot/
 * and ~/.cache are neither needed nor touched. Timing is not asserted here: `npm run
 * startup-time` measures it.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, tempDir, waitUntil } from '../support/client-fixtures.js';
import { fingerprint, shStampText, snapshotFiles, type Stamp } from '../../src/snapshot/stamp.js';
import { SCHEME_FILES } from '../../src/scheme/library/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The command: the package's "bin". */
const SH = path.join(ROOT, 'bin', 'scheme-http');
/** The node entry (`node bin/scheme-http.js`). */
const NODE_ENTRY = path.join(ROOT, 'bin', 'scheme-http.js');

interface Result {
  pid: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let snapDir: string;
const children: number[] = [];

/** This process's environment without what makes the launchers skip the snapshot, and a cache of our own. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(snapDir, 'cache') };
  for (const k of ['SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_COMPILE', 'NODE_OPTIONS', 'SCHEME_HTTP_LAUNCHER']) delete env[k];
  return env;
}

interface CliOptions {
  /** The snapshot's directory (null: none there). */
  dir?: string | null;
  env?: Record<string, string>;
  input?: string;
  /** Run `node bin/scheme-http.js` instead of bin/scheme-http. */
  nodeEntry?: boolean;
  cwd?: string;
  command?: string;
}

/** Runs the command with ARGS, from the snapshot in DIR, saying which boot it took. */
function cli(args: string[], opts: CliOptions = {}): Promise<Result> {
  const dir = opts.dir === undefined ? snapDir : opts.dir;
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), SCHEME_HTTP_SNAPSHOT: 'debug', SCHEME_HTTP_SNAPSHOT_DIR: dir ?? path.join(snapDir, 'nowhere'), ...opts.env };
  const [cmd, argv] = opts.nodeEntry === true ? [process.execPath, [NODE_ENTRY, ...args]] : [opts.command ?? SH, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ pid: child.pid!, status, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

const FROM_BUNDLE = /booting from the bundle in dist\/boot\//;
const FROM_SNAPSHOT = /starting from the snapshot/;
const IN_A_CHILD = /in a child process/;
const NOT_USED = /start-up snapshot not used: (.*)/;

function readStamp(dir: string): Stamp {
  return JSON.parse(fs.readFileSync(snapshotFiles(ROOT, dir).stamp, 'utf8')) as Stamp;
}

/** Writes both stamps (JSON and sh) of STAMP into DIR. */
function writeStamps(dir: string, stamp: Stamp): void {
  const to = snapshotFiles(ROOT, dir);
  fs.writeFileSync(to.stamp, JSON.stringify(stamp));
  fs.writeFileSync(to.shStamp, shStampText(stamp));
}

/** A copy of the snapshot in DIR NAME, its stamps made for the copy, then changed by EDIT. */
function copySnapshot(name: string, edit: (stamp: Stamp, dir: string) => void): string {
  const dir = path.join(snapDir, name);
  fs.mkdirSync(dir);
  const to = snapshotFiles(ROOT, dir);
  fs.copyFileSync(snapshotFiles(ROOT, snapDir).blob, to.blob);
  const stamp = readStamp(snapDir);
  stamp.files[1] = to.blob;
  stamp.fingerprint = fingerprint(stamp.files);
  edit(stamp, dir);
  writeStamps(dir, stamp);
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

/** The command line of PID (Linux), or ''. */
function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
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
    timeout: 150_000,
    killSignal: 'SIGKILL',
  });
  if (built.status !== 0) throw new Error(`build-snapshot failed: ${built.stderr}`);
  if (!fs.existsSync(snapshotFiles(ROOT, snapDir).shStamp)) throw new Error('build-snapshot wrote no sh stamp (is stat GNU coreutils?)');
}, 180_000);

afterAll(async () => {
  for (const pid of children) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  await removeDir(snapDir ?? null);
});

describe('bin/scheme-http started from the bundle (dist/boot/)', () => {
  it('runs the program in one process: the PID it reports is the command\'s', async () => {
    const r = await cli(['-e', '(display (current-process-id))']);
    expect(r.stderr).toMatch(FROM_BUNDLE);
    expect(r.stderr).not.toMatch(FROM_SNAPSHOT);
    expect([r.stdout, r.status]).toEqual([String(r.pid), 0]);
  });

  it('is found through a symbolic link, as npm links it into node_modules/.bin', async () => {
    const link = path.join(snapDir, 'bin-link');
    fs.symlinkSync(SH, link);
    const r = await cli(['-e', '(display (current-process-id))'], { command: link, cwd: snapDir });
    expect(r.stderr).toMatch(FROM_BUNDLE);
    expect([r.stdout, r.status]).toEqual([String(r.pid), 0]);
  });

  it('passes the arguments, the exit status and errors through', async () => {
    const args = await cli(['-e', '(command-line-arguments)', 'a', 'b c', '', '$HOME', '*']);
    expect(args.stderr).toMatch(FROM_BUNDLE);
    expect(args.stdout).toBe('("a" "b c" "" "$HOME" "*")\n');
    const file = writeProgram('exit.scm', '(display (command-line-arguments))\n(exit 3)\n');
    const exit = await cli([file, 'x']);
    expect([exit.stdout, exit.status]).toEqual(['(x)', 3]);
    const error = await cli(['-e', '(car 1)']);
    expect(error.status).toBe(70);
    expect(error.stderr).toMatch(/-e:1: Error: /);
  });

  it('reads a REPL from piped stdin', async () => {
    const r = await cli([], { input: '(define x 41)\n(+ x 1)\n(display "hi")\n(newline)\n' });
    expect(r.stderr).toMatch(FROM_BUNDLE);
    expect(r.stdout).toBe('42\nhi\n');
    expect(r.status).toBe(0);
  });

  it('has a clock and a random seed of its own start, not of the build', async () => {
    const code = '(list (current-second) (random))';
    // From the bundle and from the snapshot (which was made by running the boot ahead of time).
    const [a, b, c] = await Promise.all([cli(['-e', code]), cli(['-e', code]), cli(['-e', code], { env: { SCHEME_HTTP_BUNDLE: '0' } })]);
    for (const r of [a, b]) expect(r.stderr).toMatch(FROM_BUNDLE);
    expect(c.stderr).toMatch(FROM_SNAPSHOT);
    const [secA, randA] = a.stdout.slice(1, -2).split(' ').map(Number);
    const [, randB] = b.stdout.slice(1, -2).split(' ').map(Number);
    const [secC, randC] = c.stdout.slice(1, -2).split(' ').map(Number);
    for (const sec of [secA, secC]) expect(Math.abs(sec! - Date.now() / 1000)).toBeLessThan(60);
    expect(new Set([randA, randB, randC]).size).toBe(3);
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
    expect(r.stderr).toMatch(FROM_BUNDLE);
    expect(r.stdout.trim().split('\n').map((l) => l.replace(/^.*\?id=/, ''))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(r.status).toBe(0);
  });

  it('is the process signals reach: SIGINT, SIGTERM and SIGHUP end it as they end the program, SIGKILL leaves nothing behind', async () => {
    const expected: Record<string, [number | null, string | null]> = {
      SIGINT: [130, null],
      SIGTERM: [143, null],
      SIGHUP: [null, 'SIGHUP'],
      SIGKILL: [null, 'SIGKILL'],
    };
    await Promise.all(
      Object.entries(expected).map(async ([signal, outcome]) => {
        const port = await freePort();
        const file = writeProgram(`server-${signal}.scm`, `(display (current-process-id)) (newline)\n((http:make-server ${port} #f #f #f #f "127.0.0.1") #t)\n`);
        const env = { ...cleanEnv(), SCHEME_HTTP_SNAPSHOT_DIR: snapDir };
        const command = spawn(SH, [file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
        children.push(command.pid!);
        let out = '';
        command.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
        const exited = new Promise<[number | null, string | null]>((r) => command.on('exit', (code, sig) => r([code, sig])));
        await waitUntil(() => out.includes('\n'), 20_000, 'the server to print its pid');
        // The program is the command's process: node, exec'd on the bundle's start script.
        expect(Number(out.trim())).toBe(command.pid);
        if (process.platform === 'linux') expect(cmdline(command.pid!)).toMatch(/dist\/boot\/start\.cjs/);
        await waitForPort(port, 20_000);
        command.kill(signal as NodeJS.Signals);
        expect(await exited).toEqual(outcome);
        expect(alive(command.pid!)).toBe(false);
        expect(await portOpen(port)).toBe(false);
      }),
    );
  }, 60_000);
});

describe('the snapshot, when the bundle is not used (SCHEME_HTTP_BUNDLE=0)', () => {
  it('bin/scheme-http execs node from it: one process, the PID it reports is the command\'s', async () => {
    const r = await cli(['-e', '(display (current-process-id))'], { env: { SCHEME_HTTP_BUNDLE: '0' } });
    expect(r.stderr).toMatch(FROM_SNAPSHOT);
    expect(r.stderr).not.toMatch(IN_A_CHILD);
    expect([r.stdout, r.status]).toEqual([String(r.pid), 0]);
    const error = await cli(['-e', '(car 1)'], { env: { SCHEME_HTTP_BUNDLE: '0' } });
    expect(error.stderr).toMatch(FROM_SNAPSHOT);
    expect([error.status, error.stderr]).toEqual([70, expect.stringMatching(/-e:1: Error: /)]);
  });

  it('node bin/scheme-http.js runs it in a child, and passes SIGTERM on; that child goes when it is killed', async () => {
    const r = await cli(['-e', '(display (current-process-id))'], { nodeEntry: true, env: { SCHEME_HTTP_BUNDLE: '0' } });
    expect(r.stderr).toMatch(IN_A_CHILD);
    expect(r.stdout).not.toBe(String(r.pid));
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const port = await freePort();
      const file = writeProgram(`entry-server-${signal}.scm`, `(display (current-process-id)) (newline)\n((http:make-server ${port} #f #f #f #f "127.0.0.1") #t)\n`);
      const env = { ...cleanEnv(), SCHEME_HTTP_SNAPSHOT_DIR: snapDir, SCHEME_HTTP_BUNDLE: '0' };
      const launcher = spawn(process.execPath, [NODE_ENTRY, file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(launcher.pid!);
      let out = '';
      launcher.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      const exited = new Promise<[number | null, string | null]>((r) => launcher.on('exit', (code, sig) => r([code, sig])));
      await waitUntil(() => out.includes('\n'), 20_000, 'the server to print its pid');
      const pid = Number(out.trim());
      children.push(pid);
      expect(pid).not.toBe(launcher.pid);
      await waitForPort(port, 20_000);
      launcher.kill(signal);
      const [code, sig] = await exited;
      if (signal === 'SIGTERM') expect(code).toBe(143);
      else expect(sig).toBe('SIGKILL');
      await waitUntil(() => !alive(pid), 5000, `the snapshot's node to exit after ${signal}`);
    }
  }, 60_000);
});

describe('without a usable snapshot (and the bundle off)', () => {
  const OFF = { SCHEME_HTTP_BUNDLE: '0' };

  it('boots normally when there is none', async () => {
    const r = await cli(['-e', '(display 1)'], { dir: null, env: OFF });
    expect(r.stderr).toMatch(/not used: no snapshot stamp/);
    expect(r.stdout).toBe('1');
    expect(r.status).toBe(0);
  });

  it('boots normally when the blob is stale or damaged', async () => {
    const changing = writeProgram('input.txt', 'before');
    const cases: Array<[string, (s: Stamp, dir: string) => void, RegExp]> = [
      // Built by another node binary: its version, and the fingerprint of its binary.
      ['other-node', (s) => { s.node = 'v0.0.1'; s.fingerprint = s.fingerprint.replace(/^[^\n]*/, '1 2 3 4.000000000'); }, /built by node v0\.0\.1/],
      ['inputs-changed', (s) => { s.files = [...s.files, changing]; s.fingerprint = fingerprint(s.files); }, /input\.txt changed since it was built/],
      ['input-gone', (s) => { s.files = [...s.files, path.join(snapDir, 'gone.js')]; s.fingerprint += '\n1 2 3 4.000000000'; }, /a file it was built from is gone/],
      ['truncated', () => undefined, /scheme-http\.blob changed since it was built/],
    ];
    const dirs = cases.map(([name, edit]) => copySnapshot(name, edit));
    fs.writeFileSync(changing, 'after');
    fs.truncateSync(snapshotFiles(ROOT, dirs[3]!).blob, 1000);
    // bin/scheme-http finds each out of date, and bin/scheme-http.js, which it then runs, says why.
    const results = await Promise.all(dirs.map((dir) => cli(['-e', '(display 1)'], { dir, env: OFF })));
    results.forEach((r, i) => {
      const [name, , reason] = cases[i]!;
      expect(r.stderr, name).toMatch(/scheme-http: the snapshot in .* is out of date/);
      expect(r.stderr, name).toMatch(NOT_USED);
      expect(r.stderr, name).toMatch(reason);
      expect([r.stdout, r.status], name).toEqual(['1', 0]);
    });
  }, 60_000);

  it('boots normally when told to, when a variable read at load time is set, or under NODE_OPTIONS', async () => {
    const [off, traced, options] = await Promise.all([
      cli(['-e', '(display 1)'], { env: { ...OFF, SCHEME_HTTP_SNAPSHOT: '0' } }),
      cli(['-e', '(display 1)'], { env: { ...OFF, SCHEME_HTTP_TRACE_COMPILE: '1' } }),
      // A V8 option: node would refuse the blob (built without it).
      cli(['-e', '(display 1)'], { env: { ...OFF, NODE_OPTIONS: '--max-old-space-size=200' } }),
    ]);
    expect(off.stderr).not.toMatch(FROM_SNAPSHOT);
    expect(traced.stderr).toMatch(/SCHEME_HTTP_TRACE_COMPILE must be read at start-up/);
    expect(options.stderr).toMatch(/NODE_OPTIONS is set/);
    for (const r of [off, traced, options]) expect([r.stdout, r.status]).toEqual(['1', 0]);
  });
});

describe('the bundle out of date or damaged', () => {
  /**
   * A copy of the package (its dist/ and bin/ hard-linked, so no file of the checkout is
   * written; the rest linked) in which EDIT then replaces files by new ones.
   */
  function copyPackage(name: string, edit: (pkg: string) => void): string {
    const pkg = path.join(snapDir, name);
    fs.mkdirSync(pkg);
    for (const d of ['dist', 'bin']) {
      const cp = spawnSync('cp', ['-al', path.join(ROOT, d), path.join(pkg, d)]);
      if (cp.status !== 0) throw new Error(`cp -al ${d}: ${cp.stderr}`);
    }
    for (const l of ['scheme', 'node_modules', 'package.json']) fs.symlinkSync(path.join(ROOT, l), path.join(pkg, l));
    edit(pkg);
    return pkg;
  }

  /** Replaces FILE by a new file holding TEXT (the hard link to the checkout's is broken first). */
  function replace(file: string, text: string | Buffer): void {
    fs.rmSync(file);
    fs.writeFileSync(file, text);
  }

  it('hands over to the normal boot in the same process when a file it was made from changed, is newer or is gone, or it was cut short', async () => {
    const later = new Date(Date.now() + 60_000);
    const cases: Array<[string, (pkg: string) => void, RegExp]> = [
      ['resized', (pkg) => replace(path.join(pkg, 'dist', 'cli.js'), fs.readFileSync(path.join(ROOT, 'dist', 'cli.js'), 'utf8') + '\n'), /dist\/cli\.js changed/],
      ['rebuilt', (pkg) => {
        const f = path.join(pkg, 'dist', 'scheme', 'compile.js');
        replace(f, fs.readFileSync(path.join(ROOT, 'dist', 'scheme', 'compile.js')));
        fs.utimesSync(f, later, later);
      }, /dist\/scheme\/compile\.js changed/],
      ['gone', (pkg) => fs.rmSync(path.join(pkg, 'dist', 'boot', 'library', 'srfi-1.js')), /dist\/boot\/library\/srfi-1\.js is gone/],
      ['truncated', (pkg) => replace(path.join(pkg, 'dist', 'boot', 'scheme-http.cjs'), '(function () {})\n'), /dist\/boot\/scheme-http\.cjs changed/],
    ];
    const pkgs = cases.map(([name, edit]) => copyPackage(`bundle-${name}`, edit));
    const results = await Promise.all(pkgs.map((pkg) => cli(['-e', '(display (current-process-id))'], { command: path.join(pkg, 'bin', 'scheme-http'), dir: null })));
    results.forEach((r, i) => {
      const [name, , reason] = cases[i]!;
      expect(r.stderr, name).toMatch(reason);
      expect(r.stderr, name).not.toMatch(FROM_BUNDLE);
      // bin/scheme-http.js, in the same process: no snapshot there, so the normal boot.
      expect(r.stderr, name).toMatch(/not used: no snapshot stamp/);
      expect([r.stdout, r.status], name).toEqual([String(r.pid), 0]);
    });
  }, 60_000);

  // A damaged payload behind a good header crashed node (SIGSEGV) at every start until the file
  // was removed: V8 checks only the header. Each file now starts with the digest of its data.
  it('compiles the bundle again when its code cache is damaged, and writes a good one', async () => {
    const env = { XDG_CACHE_HOME: path.join(snapDir, 'damaged-cache') };
    const first = await cli(['-e', '(display 1)'], { env, dir: null });
    expect([first.stdout, first.status]).toEqual(['1', 0]);
    const codeDir = path.join(env.XDG_CACHE_HOME, 'scheme-http', 'code');
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'boot', 'manifest.json'), 'utf8')) as { bundle: { sha256: string } };
    const cacheFile = path.join(codeDir, fs.readdirSync(codeDir).find((f) => f.startsWith(manifest.bundle.sha256.slice(0, 32)))!);
    const good = fs.readFileSync(cacheFile);
    // The digest (20 bytes) and V8's header (64) kept, the rest overwritten.
    fs.writeFileSync(cacheFile, Buffer.concat([good.subarray(0, 84), Buffer.alloc(good.length - 84, 0x5a)]));
    const damaged = await cli(['-e', '(display (+ 1 2))'], { env, dir: null });
    expect(damaged.stderr).toMatch(FROM_BUNDLE);
    expect([damaged.stdout, damaged.status]).toEqual(['3', 0]);
    // V8 rejected it; the run wrote a new one, which V8 takes.
    expect(fs.readFileSync(cacheFile).equals(good)).toBe(false);
    expect(fs.readFileSync(cacheFile).subarray(84).every((b) => b === 0x5a)).toBe(false);
    const again = await cli(['-e', '(display 4)'], { env, dir: null });
    expect([again.stdout, again.status]).toEqual(['4', 0]);
  });
});

describe('installed from a packed tarball', () => {
  let install: { app: string; bin: string } | null = null;
  let skipped = '';

  beforeAll(async () => {
    // A script (not TypeScript): imported by its URL, typed here.
    const script = pathToFileURL(path.join(ROOT, 'scripts', 'startup-time.mjs')).href;
    const { packAndInstall } = (await import(script)) as { packAndInstall(tmp: string): { app: string; bin: string } };
    const tmp = path.join(snapDir, 'packed');
    fs.mkdirSync(tmp);
    try {
      install = packAndInstall(tmp);
    } catch (e) {
      const msg = (e as Error).message;
      // Only a registry that cannot be reached offline is a reason to skip; anything else fails.
      if (!/ENOTCACHED|ENOTFOUND|EAI_AGAIN|only-if-cached/.test(msg)) throw e;
      skipped = `npm could not install the tarball offline: ${msg.split('\n').slice(0, 3).join(' ')}`;
    }
  }, 90_000);

  it('starts from the bundle in one process from its first run, with the code cache in the user\'s cache after it', async (ctx) => {
    if (install === null) {
      console.warn(`skipped: ${skipped}`);
      ctx.skip();
      return;
    }
    const pkg = fs.realpathSync(path.join(install.app, 'node_modules', 'scheme-http'));
    // The tarball has the bundle (and the snapshot's bundle, for a fallback), not a blob.
    expect(fs.existsSync(path.join(pkg, 'dist', 'boot', 'start.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'dist', 'snapshot', 'scheme-http.bundle.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(pkg, 'dist', 'snapshot', 'scheme-http.blob'))).toBe(false);
    const cache = path.join(snapDir, 'packed', 'xdg');
    const env = { XDG_CACHE_HOME: cache, SCHEME_HTTP_SNAPSHOT_DIR: '' };
    const first = await cli(['-e', '(display (current-process-id))'], { command: install.bin, cwd: install.app, env, dir: null });
    expect(first.stderr).toMatch(FROM_BUNDLE);
    expect([first.stdout, first.status]).toEqual([String(first.pid), 0]);
    // No snapshot is built: the bundle is the faster start.
    expect(first.stderr).not.toMatch(/building the start-up snapshot/);
    expect(fs.existsSync(path.join(cache, 'scheme-http', 'v2'))).toBe(false);
    // The first run left the code cache of the bundle and of the library's scripts; the next reads it.
    const codeDir = path.join(cache, 'scheme-http', 'code');
    const written = fs.readdirSync(codeDir).filter((f) => f.endsWith('.v8'));
    // The bundle's and one per library file.
    expect(written.length).toBe(1 + SCHEME_FILES.length);
    const stamps = written.map((f) => fs.statSync(path.join(codeDir, f)).mtimeMs);
    const later = await cli(['-e', '(display (current-process-id))'], { command: install.bin, cwd: install.app, env, dir: null });
    expect(later.stderr).toMatch(FROM_BUNDLE);
    expect([later.stdout, later.status]).toEqual([String(later.pid), 0]);
    // Taken as it was, not written again.
    expect(written.map((f) => fs.statSync(path.join(codeDir, f)).mtimeMs)).toEqual(stamps);
  }, 90_000);
});
