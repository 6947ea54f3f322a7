/**
 * The package as a user gets it: `npm pack` of this checkout (without running its build: dist/
 * and vendor/lips/ must be built already, by `npm ci` or `npm run build`), installed with
 * `npm install ./scheme-http-*.tgz` into an empty project, offline and with an empty npm cache
 * of its own, so the install cannot fetch anything: what it needs must be in the tarball.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Output of a finished child process. */
export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  input?: string;
  /** Killed (SIGKILL) after this long, ms. */
  timeout?: number;
}

/**
 * Process groups (their leaders' PIDs) of the children started here that have not exited yet:
 * afterAll kills them. Each child leads its own group, so that what it starts in turn (npx starts
 * sh, which execs node) goes with it.
 */
export const running = new Set<number>();

/** Runs CMD ARGS to its end (bounded by opts.timeout), collecting its output. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) running.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => killGroup(child.pid), opts.timeout ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) running.delete(child.pid);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Kills (SIGKILL) the process group PID leads. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills (SIGKILL) every child still running, with what it started. */
export function killRunning(): void {
  for (const pid of running) killGroup(pid);
  running.clear();
}

/**
 * The environment for npm and the installed package's commands: this one without what an
 * enclosing `npm test` passes down (npm_* settings, NODE_OPTIONS), with npm offline, its cache
 * and the snapshot's cache in TMP, and never asking to install what `npx` does not find.
 */
export function userEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && !/^(NODE_OPTIONS|SCHEME_HTTP_\w+|XDG_CACHE_HOME|INIT_CWD)$/.test(k)) env[k] = v;
  }
  return {
    ...env,
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_yes: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
  };
}

/** Why this checkout cannot be packed as it is (dist/ or vendor/lips/ not built …), or null. */
export function unpackable(): string | null {
  for (const f of ['dist/http/index.js', 'dist/http/index.d.ts', 'dist/cli.js', 'vendor/lips/src/lips.js', 'vendor/lips/dist/std.xcb']) {
    if (!fs.existsSync(path.join(ROOT, f))) return `${f} is missing: run npm run build`;
  }
  const lips = path.join(ROOT, 'node_modules', 'lips');
  if (!fs.existsSync(lips) || fs.realpathSync(lips) !== fs.realpathSync(path.join(ROOT, 'vendor', 'lips'))) {
    return 'node_modules/lips is not the link to vendor/lips that package-lock.json installs: run npm ci';
  }
  return null;
}

/** `npm pack` of the checkout into DIR (its "prepack" build not run): the tarball's path. */
export async function pack(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const r = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`npm pack failed (${r.status ?? r.signal}): ${r.stderr}`);
  const [entry] = JSON.parse(r.stdout) as Array<{ filename: string }>;
  if (entry === undefined) throw new Error(`npm pack listed no tarball: ${r.stdout}`);
  return path.join(dir, entry.filename);
}

/**
 * An empty project in APP (an ES module project, "type": "module", as the examples expect) with
 * TGZ copied in and installed as `npm install ./NAME.tgz` does.
 */
export async function install(tgz: string, app: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n');
  const local = path.join(app, path.basename(tgz));
  fs.copyFileSync(tgz, local);
  return run('npm', ['install', `./${path.basename(tgz)}`], { cwd: app, env, timeout: 90_000 });
}
