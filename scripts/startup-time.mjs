#!/usr/bin/env node
/**
 * Start-up time of `scheme-http -e '(display 1)'` against `node -e 0`, in a checkout and installed
 * from a packed tarball: wall-time median (and quartiles) of N runs each, interleaved so that load
 * on the machine hits every way alike, and the CPU time (user + system) per run, which load
 * disturbs less. Also exports packAndInstall, which test/cli/startup.test.ts uses.
 *
 * Usage: node scripts/startup-time.mjs [RUNS] [--checkout-only | --installed-only]   (default 10)
 *
 * The checkout: dist/ must be built (npm run build); the snapshot in dist/snapshot/ is used when
 * it is up to date, else one is built into a temporary directory.
 * Installed: the package is packed as `npm pack` does (prepack's bundle step, then the "files"),
 * without touching dist/, and installed with `npm install --offline` into an empty temporary
 * project, with a temporary XDG_CACHE_HOME: the first run (which writes the code cache) and the
 * runs after it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const EXPR = '(display 1)';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r;
}

/** The packages lips needs, found from ROOT's node_modules (links, such as our stand-ins, left out). */
function lipsClosure() {
  const seen = new Set();
  const todo = ['lips'];
  while (todo.length > 0) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    const dir = path.join(root, 'node_modules', name);
    if (!fs.existsSync(dir) || fs.lstatSync(dir).isSymbolicLink()) continue;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    todo.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return [...seen];
}

/**
 * Packs the package into TMP as `npm pack` would (its "files"; the bundle prepack would build is
 * built from dist/ as it is) and installs the tarball into TMP/app with npm, offline. The npm
 * cache holds lips's tarballs but not the registry's metadata, so lips and what it needs are put
 * into TMP/app/node_modules first (copied from this checkout): npm then resolves offline.
 * Returns the app's directory and its node_modules/.bin/scheme-http.
 */
export function packAndInstall(tmp) {
  const pack = path.join(tmp, 'pack');
  fs.mkdirSync(pack, { recursive: true });
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', pack], { cwd: root });
  const tgz = path.join(pack, JSON.parse(packed.stdout)[0].filename);
  const staging = path.join(tmp, 'staging');
  fs.mkdirSync(staging);
  run('tar', ['xzf', tgz, '-C', staging]);
  const pkg = path.join(staging, 'package');
  // prepack's bundle step, in the staged copy: esbuild from this checkout, lips from the tarball
  // (bundled into its node_modules/: package.json "bundleDependencies").
  const staged = path.join(pkg, 'node_modules');
  fs.mkdirSync(staged, { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules', 'esbuild'), path.join(staged, 'esbuild'));
  fs.rmSync(path.join(pkg, 'dist', 'snapshot', 'scheme-http.bundle.cjs'), { force: true });
  run(process.execPath, [path.join(pkg, 'scripts', 'build-snapshot.mjs'), '--bundle-only', '--strict', '--quiet'], { cwd: pkg });
  fs.rmSync(path.join(staged, 'esbuild'));
  const final = path.join(tmp, 'scheme-http.tgz');
  run('tar', ['czf', final, '-C', staging, 'package']);
  const app = path.join(tmp, 'app');
  fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  for (const name of lipsClosure()) fs.cpSync(path.join(root, 'node_modules', name), path.join(app, 'node_modules', name), { recursive: true, dereference: true });
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', final], { cwd: app });
  const bin = path.join(app, 'node_modules', '.bin', 'scheme-http');
  if (!fs.existsSync(bin)) throw new Error(`npm installed no ${bin}`);
  return { app, bin, tgz: final };
}

/** CPU time (user + system, ms) of this process's waited-for children so far (Linux; else 0). */
function childrenCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of the line (cutime, cstime), in clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};

/** Throws unless WAY's command starts from the snapshot (as SCHEME_HTTP_SNAPSHOT=debug says). */
function checkUsesSnapshot([name, cmd, args, env, cwd]) {
  const r = spawnSync(cmd, args, { cwd: cwd ?? root, env: { ...process.env, ...env, SCHEME_HTTP_SNAPSHOT: 'debug' }, encoding: 'utf8' });
  if (!/starting from the snapshot/.test(r.stderr)) throw new Error(`${name} does not start from the snapshot (were files rebuilt meanwhile?):\n${r.stderr}`);
}

/**
 * Times WAYS ([name, cmd, args, env, cwd, fromSnapshot]) RUNS times each, interleaved; prints one
 * line each. The ways marked fromSnapshot are checked to take it before and after.
 */
function timeWays(ways, runs) {
  const check = () => ways.filter((w) => w[5] === true).forEach(checkUsesSnapshot);
  check();
  const wall = ways.map(() => []);
  const cpu = ways.map(() => 0);
  for (let i = 0; i < runs; i++) {
    ways.forEach(([name, cmd, args, env, cwd], w) => {
      const c = childrenCpuMs();
      const t = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: cwd ?? root, env: { ...process.env, ...env }, encoding: 'utf8' });
      wall[w].push(Number(process.hrtime.bigint() - t) / 1e6);
      cpu[w] += childrenCpuMs() - c;
      const expected = args.includes(EXPR) ? '1' : '';
      if (r.status !== 0 || r.stdout !== expected) throw new Error(`${name}: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`);
    });
  }
  check();
  const base = q(wall[ways.length - 1], 0.5);
  const baseCpu = cpu[ways.length - 1] / runs;
  for (const [w, [name]] of ways.entries()) {
    const m = q(wall[w], 0.5);
    console.log(
      `${m.toFixed(0).padStart(5)} ms median  (${q(wall[w], 0.25).toFixed(0)}–${q(wall[w], 0.75).toFixed(0)} IQR)  ${(m / base).toFixed(2)}×  ` +
        `cpu ${(cpu[w] / runs).toFixed(0).padStart(4)} ms  ${(cpu[w] / runs / baseCpu).toFixed(2)}×   ${name}`,
    );
  }
}

/** The environment without what makes the launchers boot normally. */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of ['NODE_OPTIONS', 'SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_COMPILE', 'SCHEME_HTTP_SNAPSHOT', 'SCHEME_HTTP_SNAPSHOT_DIR', 'SCHEME_HTTP_BUNDLE']) delete env[k];
  return env;
}

async function checkout(runs, tmp) {
  const { checkSnapshot, snapshotFiles } = await import(pathToFileURL(path.join(root, 'dist', 'snapshot', 'stamp.js')).href);
  let dir = path.join(root, 'dist', 'snapshot');
  if (!checkSnapshot(snapshotFiles(root)).ok) {
    dir = path.join(tmp, 'snapshot');
    console.log(`(dist/snapshot/ is out of date: building one into ${dir})`);
    run(process.execPath, [path.join(root, 'scripts', 'build-snapshot.mjs'), '--dir', dir, '--strict', '--quiet'], { cwd: root });
  }
  const blob = snapshotFiles(root, dir).blob;
  const env = { SCHEME_HTTP_SNAPSHOT_DIR: dir };
  console.log(`Checkout (${root}), ${runs} runs each:`);
  // One run first, so that the bundle's code cache is in the user's cache.
  run(path.join(root, 'bin', 'scheme-http'), ['-e', EXPR], { cwd: root });
  timeWays(
    [
      ['bin/scheme-http -e EXPR (sh, execs node on dist/boot/start.cjs: the bundle)', path.join(root, 'bin', 'scheme-http'), ['-e', EXPR], env, root],
      ['node dist/boot/start.cjs -e EXPR (the bundle, no launcher)', process.execPath, [path.join(root, 'dist', 'boot', 'start.cjs'), '-e', EXPR], env, root],
      ['node bin/scheme-http.js -e EXPR (the node entry: the snapshot in a child, as there is one)', process.execPath, [path.join(root, 'bin', 'scheme-http.js'), '-e', EXPR], env, root],
      ['bin/scheme-http -e EXPR, SCHEME_HTTP_BUNDLE=0 (sh, execs node from the snapshot)', path.join(root, 'bin', 'scheme-http'), ['-e', EXPR], { ...env, SCHEME_HTTP_BUNDLE: '0' }, root, true],
      ['node --snapshot-blob BLOB -- -e EXPR (no launcher)', process.execPath, ['--snapshot-blob', blob, '--', '-e', EXPR], {}],
      ['node -e 0 (bare node)', process.execPath, ['-e', '0'], {}],
    ],
    runs,
  );
}

function installed(runs, tmp) {
  const t0 = Date.now();
  const { app, bin } = packAndInstall(tmp);
  console.log(`\nInstalled from a packed tarball (${app}; packed and installed in ${((Date.now() - t0) / 1000).toFixed(1)} s):`);
  const cache = path.join(tmp, 'cache');
  const env = { ...cleanEnv(), XDG_CACHE_HOME: cache };
  const first = process.hrtime.bigint();
  const r = spawnSync(bin, ['-e', EXPR], { cwd: app, env, encoding: 'utf8' });
  const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
  if (r.stdout !== '1') throw new Error(`first run: ${r.status} ${r.stdout} ${r.stderr}`);
  console.log(`first run (the bundle, compiled without a code cache, which it then writes): ${firstMs.toFixed(0)} ms`);
  timeWays(
    [
      ['node_modules/.bin/scheme-http -e EXPR (later runs: the bundle, from the code cache)', bin, ['-e', EXPR], { XDG_CACHE_HOME: cache }, app],
      ['node_modules/.bin/scheme-http -e EXPR, SCHEME_HTTP_BUNDLE=0 SCHEME_HTTP_SNAPSHOT=0 (normal boot)', bin, ['-e', EXPR], { XDG_CACHE_HOME: cache, SCHEME_HTTP_BUNDLE: '0', SCHEME_HTTP_SNAPSHOT: '0' }, app],
      ['node -e 0 (bare node)', process.execPath, ['-e', '0'], {}, app],
    ],
    runs,
  );
}

async function main() {
  const argv = process.argv.slice(2);
  const runs = Number(argv.find((a) => /^\d+$/.test(a)) ?? 10);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-startup-'));
  try {
    console.log(`${new Date().toISOString()}  node ${process.version}  ${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}  load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}` +
      `${process.env.NODE_EXTRA_CA_CERTS ? '  (NODE_EXTRA_CA_CERTS is set: every node start reads it)' : ''}`);
    if (!argv.includes('--installed-only')) await checkout(runs, tmp);
    if (!argv.includes('--checkout-only')) installed(runs, tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && pathToFileURL(fs.realpathSync(process.argv[1])).href === import.meta.url) await main();
