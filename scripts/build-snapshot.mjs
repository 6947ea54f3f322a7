#!/usr/bin/env node
/**
 * Builds the start-up snapshot that bin/scheme-http execs node with (`npm run build` runs this
 * after tsc; `npm run build:snapshot` alone redoes it; bin/scheme-http.js runs it with
 * --first-run, in the background, when an installed package has none).
 *
 * 1. The bundle: one CommonJS file holding dist/snapshot/entry.js, LIPS's source and everything
 *    they import (a snapshot entry cannot load other files). esbuild makes it: LIPS's dynamic
 *    `import('module'|'fs'|'path')` become `require`, LIPS gets a hook to swap its private
 *    `require`, node:tls and friends (whose native state a snapshot cannot hold) become stand-ins
 *    that load them on first use, and `import.meta.url` becomes the file's URL computed from its
 *    package's directory at snapshot-build time, so that the bundle made by `npm pack` (it ships
 *    in dist/snapshot/, with scheme-http.bundle.json listing its inputs and their hashes) works
 *    wherever the package is installed. It is kept ASCII and without comments: V8 holds a
 *    script's source in the heap, two bytes a character when one is not Latin-1, and every
 *    byte of the heap is read and deserialised at each start.
 *    With --first-run the shipped bundle is used when the files it lists still hash the same
 *    (esbuild is a devDependency: an installed package has none), else esbuild if there is one.
 * 2. `node --snapshot-blob BLOB --build-snapshot BUNDLE` runs it: LIPS, its standard library and
 *    our runtime load, and V8 writes the heap out.
 * 3. The blob is tried (`-e '(display (+ 1 2))'` must print 3), then renamed into place, and the
 *    stamps written (JSON for bin/scheme-http.js, sh for bin/scheme-http): the fingerprint of
 *    the node binary, the blob and every input (src/snapshot/stamp.ts). Each file is written
 *    under a temporary name and renamed, so a command starting meanwhile sees the old snapshot,
 *    none, or the new one, and never uses a blob with a stamp that is not its own.
 *
 * Usage: node scripts/build-snapshot.mjs [--dir DIR] [--strict] [--quiet] [--first-run] [--bundle-only]
 *   --dir DIR      write the blob and stamps to DIR (default dist/snapshot)
 *   --strict       exit 1 when the snapshot cannot be built (default: warn, exit 0; the command
 *                  then boots normally, only more slowly)
 *   --first-run    as the command's first run does: take DIR/build.lock (exit quietly if another
 *                  build holds it), prefer the shipped bundle, and on failure write
 *                  DIR/scheme-http.failed.json so that the next commands do not try again at once
 *   --bundle-only  write the bundle and its list of inputs to dist/snapshot (or DIR), no blob
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const argv = process.argv.slice(2);
const strict = argv.includes('--strict');
const quiet = argv.includes('--quiet');
const firstRun = argv.includes('--first-run');
const bundleOnly = argv.includes('--bundle-only');
const dirArg = argv.indexOf('--dir');
const outDir = dirArg >= 0 ? path.resolve(argv[dirArg + 1] ?? '') : undefined;

/** Builtins our code imports whose native state a snapshot cannot hold: loaded on first use. */
const DEFERRED_BUILTINS = ['tls', 'http', 'https', 'http2'];
/** Bumped when the bundle's list of inputs changes shape. */
const MANIFEST_FORMAT = 1;
/** Packages whose files must be as the bundle has them: ours, and LIPS (its std.xcb is read at build). */
const VERIFIED = ['scheme-http', 'lips'];

function log(msg) {
  if (!quiet) process.stderr.write(`build-snapshot: ${msg}\n`);
}

/** Set once --first-run holds the lock: what giveUp must undo and record. */
let held = null;

function giveUp(msg) {
  process.stderr.write(`build-snapshot: ${strict ? 'error' : 'warning'}: ${msg}\n`);
  if (!strict) process.stderr.write('build-snapshot: scheme-http will boot without the start-up snapshot (slower start).\n');
  if (held !== null) {
    writeAtomically(held.files.failed, JSON.stringify({ at: Date.now(), key: held.stamp.retryKey(root), reason: msg }) + '\n');
    releaseLock();
  }
  process.exit(strict ? 1 : 0);
}

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

if (typeof v8.startupSnapshot?.setDeserializeMainFunction !== 'function') giveUp(`node ${process.version} has no user-land startup snapshots`);

const entry = path.join(root, 'dist', 'snapshot', 'entry.js');
if (!fs.existsSync(entry)) giveUp(`${path.relative(root, entry)} is missing: run tsc (npm run build) first`);

const stamp = await import(pathToFileURL(path.join(root, 'dist', 'snapshot', 'stamp.js')).href);
const files = stamp.snapshotFiles(root, outDir);
const shipped = stamp.snapshotFiles(root);
fs.mkdirSync(files.dir, { recursive: true });

// ---------------------------------------------------------------------------------------------
// The lock (--first-run)
// ---------------------------------------------------------------------------------------------

/** A lock older than this was left by a build that died (a build takes seconds), ms. */
const STALE_LOCK_MS = 10 * 60_000;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Takes DIR/build.lock (a directory: mkdir is atomic); false when a live build holds it. */
function takeLock() {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(files.lock);
      fs.writeFileSync(path.join(files.lock, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    let age = 0;
    try {
      pid = Number(fs.readFileSync(path.join(files.lock, 'pid'), 'utf8'));
      age = Date.now() - fs.statSync(files.lock).mtimeMs;
    } catch {
      // being taken or released right now: leave it to that build
      return false;
    }
    if (Number.isInteger(pid) && alive(pid) && age < STALE_LOCK_MS) return false;
    fs.rmSync(files.lock, { recursive: true, force: true });
  }
  return false;
}

function releaseLock() {
  fs.rmSync(files.lock, { recursive: true, force: true });
}

if (firstRun) {
  if (!takeLock()) {
    log(`another build holds ${files.lock}`);
    process.exit(0);
  }
  held = { files, stamp };
  process.on('exit', releaseLock);
}

// ---------------------------------------------------------------------------------------------
// The bundle
// ---------------------------------------------------------------------------------------------

const packages = new Map();

/** The package FILE belongs to: the nearest directory above it with a named package.json. */
function packageOf(file) {
  let dir = path.dirname(file);
  const seen = [];
  for (;;) {
    const known = packages.get(dir);
    if (known !== undefined) break;
    seen.push(dir);
    let name;
    try {
      name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
    } catch {
      // none here
    }
    if (typeof name === 'string') {
      packages.set(dir, { name, dir });
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${file} belongs to no package`);
    dir = up;
  }
  const found = packages.get(dir);
  for (const d of seen) packages.set(d, found);
  return found;
}

/** The directory of package NAME as node resolves it from ROOT (ours is ROOT), or null. */
function packageDir(name) {
  if (name === 'scheme-http') return root;
  for (let dir = root; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.dirname(dir) === dir) return null;
  }
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The manifest's inputs whose package cannot be found or whose contents changed, as text (empty: none). */
function staleInputs(manifest) {
  const stale = [];
  for (const input of manifest.inputs) {
    if (!VERIFIED.includes(input.base)) continue;
    const dir = packageDir(input.base);
    const file = dir === null ? null : path.join(dir, input.path);
    if (file === null || !fs.existsSync(file)) stale.push(`${input.base}/${input.path} is missing`);
    else if (sha256(file) !== input.sha256) stale.push(`${input.base}/${input.path} changed`);
  }
  return stale.join(', ');
}

function manifestPath(bundle) {
  return bundle.replace(/\.cjs$/, '.json');
}

/** The shipped bundle (dist/snapshot/) when the files it was made from are as they were, or null. */
function shippedBundle() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath(shipped.bundle), 'utf8'));
  } catch {
    log('no shipped bundle');
    return null;
  }
  if (manifest.format !== MANIFEST_FORMAT || !fs.existsSync(shipped.bundle)) return null;
  const stale = staleInputs(manifest);
  if (stale !== '') {
    log(`the shipped bundle is out of date: ${stale}`);
    return null;
  }
  return { bundle: shipped.bundle, manifest };
}

/** Text replacements in LIPS's source; each must be found, or LIPS changed and this needs a look. */
const LIPS_PATCHES = [
  ["await import('mod' + 'ule')", "require('module')"],
  ["await import('fs')", "require('fs')"],
  ["await import('path')", "require('path')"],
  // Not changed, but the hook below assumes it: LIPS's private require is the module variable `node_require`.
  ['node_require = createRequire(import.meta.url);', 'node_require = createRequire(import.meta.url);'],
];
const LIPS_HOOK = `
// Added by scheme-http's scripts/build-snapshot.mjs: swaps LIPS's private require.
export function __snapshotNodeRequire(r) { const old = node_require; if (r) node_require = r; return old; }
`;

/**
 * Runs first in the bundle, while the snapshot is built: the directory of each package that
 * has files using import.meta.url, from the environment build-snapshot.mjs gives it. The heap
 * keeps them, so a command started from the blob has the paths of where it was built. It
 * begins with the "use strict" esbuild would have put first: LIPS's code needs strict mode.
 */
const BANNER = `"use strict";
var __shRoots = JSON.parse(process.env.SCHEME_HTTP_SNAPSHOT_ROOTS || "{}");
function __shUrl(name, rel) {
  var dir = __shRoots[name];
  if (typeof dir !== "string") throw new Error("scheme-http snapshot: no directory for the package " + name);
  return require("node:url").pathToFileURL(require("node:path").join(dir, rel)).href;
}
var __shLipsRoot = __shRoots.lips;
var __shLipsUrl = __shUrl("lips", "src/lips.js");`;

async function makeBundle(outFile) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    giveUp('esbuild is not installed (a devDependency) and there is no up-to-date bundle in dist/snapshot/');
  }
  const lipsRoot = packageDir('lips');
  if (lipsRoot === null) giveUp('the lips package is not installed');
  const lipsSource = path.join(lipsRoot, 'src', 'lips.js');
  const bases = new Set(['lips']);
  const plugin = {
    name: 'scheme-http-snapshot',
    setup(b) {
      b.onResolve({ filter: /^lips$/ }, () => ({ path: lipsSource }));
      const deferred = new RegExp(`^(node:)?(${DEFERRED_BUILTINS.join('|')})$`);
      b.onResolve({ filter: deferred }, (a) =>
        a.namespace === 'deferred-builtin'
          ? { path: a.path, external: true }
          : { path: a.path.replace(/^node:/, ''), namespace: 'deferred-builtin' },
      );
      b.onLoad({ filter: /.*/, namespace: 'deferred-builtin' }, (a) => ({
        loader: 'js',
        contents: `
          let real;
          const load = () => (real ??= require('node:${a.path}'));
          export default new Proxy({}, {
            get: (_t, k) => load()[k],
            has: (_t, k) => k in load(),
          });`,
      }));
      b.onLoad({ filter: /\.m?js$/ }, (a) => {
        let text = fs.readFileSync(a.path, 'utf8');
        if (a.path === lipsSource) {
          for (const [from, to] of LIPS_PATCHES) {
            if (!text.includes(from)) throw new Error(`LIPS's source no longer contains ${JSON.stringify(from)}`);
            text = text.split(from).join(to);
          }
          text += LIPS_HOOK;
        }
        if (text.includes('import.meta.url')) {
          const pkg = packageOf(a.path);
          bases.add(pkg.name);
          const rel = path.relative(pkg.dir, a.path).split(path.sep).join('/');
          text = text.split('import.meta.url').join(`__shUrl(${JSON.stringify(pkg.name)}, ${JSON.stringify(rel)})`);
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: outFile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      metafile: true,
      logLevel: 'error',
      legalComments: 'none',
      // No comments (the ones kept are not ASCII): see the header.
      minifyWhitespace: true,
      charset: 'ascii',
      banner: { js: BANNER },
      define: { SCHEME_HTTP_LIPS_ROOT: '__shLipsRoot', SCHEME_HTTP_LIPS_URL: '__shLipsUrl' },
      plugins: [plugin],
    });
  } catch (e) {
    giveUp(`bundling failed: ${e.message}`);
  }
  const text = fs.readFileSync(outFile, 'latin1');
  if (/[^\x00-\x7f]/.test(text)) giveUp(`the bundle ${outFile} is not ASCII: V8 would hold its source at two bytes a character`);
  const inputs = Object.keys(result.metafile.inputs)
    .filter((k) => !k.includes(':'))
    .map((k) => path.resolve(root, k))
    .sort()
    .map((file) => {
      const pkg = packageOf(file);
      return { base: pkg.name, path: path.relative(pkg.dir, file).split(path.sep).join('/'), sha256: sha256(file) };
    });
  const manifest = {
    format: MANIFEST_FORMAT,
    bases: [...bases].sort(),
    inputs,
    // Read while the snapshot is built, not bundled.
    reads: [
      { base: 'lips', path: 'dist/std.xcb' },
      { base: 'scheme-http', path: 'scheme/prelude.scm' },
    ],
  };
  writeAtomically(manifestPath(outFile), JSON.stringify(manifest, null, 1) + '\n');
  return { bundle: outFile, manifest };
}

const started = Date.now();
const made = (firstRun ? shippedBundle() : null) ?? (await makeBundle(files.bundle));
if (bundleOnly) {
  log(`${path.relative(root, made.bundle)}: ${(fs.statSync(made.bundle).size / 1048576).toFixed(1)} MB from ${made.manifest.inputs.length} files`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The blob and its stamps
// ---------------------------------------------------------------------------------------------

const roots = {};
for (const name of made.manifest.bases) roots[name] = packageDir(name) ?? root;
/** Every file the blob holds or read: the bundle, its list, our and LIPS's inputs, and what the entry reads. */
const inputs = [
  made.bundle,
  manifestPath(made.bundle),
  ...[...made.manifest.inputs, ...made.manifest.reads].filter((i) => VERIFIED.includes(i.base)).map((i) => path.join(packageDir(i.base) ?? root, i.path)),
].filter((f, i, all) => all.indexOf(f) === i);
for (const f of inputs) if (!fs.existsSync(f)) giveUp(`${f} is missing`);

const env = { ...process.env, SCHEME_HTTP_SNAPSHOT_ROOTS: JSON.stringify(roots) };
for (const k of stamp.FROZEN_ENV) delete env[k];
// A blob loads only under the V8 options it was built with: none (the launchers skip it when NODE_OPTIONS is set).
delete env.NODE_OPTIONS;
const tmpBlob = `${files.blob}.${process.pid}.tmp`;
const built = spawnSync(process.execPath, ['--snapshot-blob', tmpBlob, '--build-snapshot', made.bundle], {
  cwd: root,
  env,
  encoding: 'utf8',
});
// Node warns about each builtin it has not verified in snapshots; the ones we load are checked by the tests.
const noise = /^\(node:\d+\) Warning: It's not yet fully verified|^It may still work in some cases|^To request support for the module|^\(Use `node --trace-warnings/;
const output = `${built.stdout ?? ''}${built.stderr ?? ''}`.split('\n').filter((l) => l !== '' && !noise.test(l)).join('\n');
if (built.status !== 0 || !fs.existsSync(tmpBlob)) {
  fs.rmSync(tmpBlob, { force: true });
  giveUp(`node --build-snapshot failed (${built.signal ?? `exit ${built.status}`})${output ? `:\n${output}` : ''}`);
}
if (output) log(output);

delete env.SCHEME_HTTP_SNAPSHOT_ROOTS;
const tried = spawnSync(process.execPath, ['--snapshot-blob', tmpBlob, '--', '-e', '(display (+ 1 2))'], {
  cwd: root,
  env,
  encoding: 'utf8',
  timeout: 30_000,
});
if (tried.status !== 0 || tried.stdout !== '3') {
  fs.rmSync(tmpBlob, { force: true });
  giveUp(`the snapshot does not work: exit ${tried.status ?? tried.signal}, stdout ${JSON.stringify(tried.stdout)}, stderr ${JSON.stringify(tried.stderr)}`);
}

fs.renameSync(tmpBlob, files.blob);
const stampFiles = [process.execPath, files.blob, ...inputs];
const record = { format: stamp.STAMP_FORMAT, ...stamp.runtimeIdentity(), files: stampFiles, fingerprint: stamp.fingerprint(stampFiles) };
writeAtomically(files.stamp, JSON.stringify(record, null, 2) + '\n');

// The sh stamp only where `stat` takes the same fingerprint (GNU coreutils); elsewhere the sh
// launcher leaves it to bin/scheme-http.js.
const shFingerprint = spawnSync('stat', ['-L', '-c', '%d %i %s %.9Z', '--', ...stampFiles], { encoding: 'utf8' });
if (shFingerprint.status === 0 && shFingerprint.stdout.replace(/\n$/, '') === record.fingerprint) {
  writeAtomically(files.shStamp, stamp.shStampText(record));
} else {
  fs.rmSync(files.shStamp, { force: true });
  log('no GNU stat here: bin/scheme-http will start the snapshot through bin/scheme-http.js');
}
fs.rmSync(files.failed, { force: true });
log(
  `${path.relative(root, files.blob) || files.blob}: ${(fs.statSync(files.blob).size / 1048576).toFixed(1)} MB from ${inputs.length} files, ` +
    `node ${process.version}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
