#!/usr/bin/env node
/**
 * Builds the start-up snapshot that bin/scheme-http.js launches through (`npm run build` runs this
 * after tsc; `npm run build:snapshot` alone redoes it). Needs dist/ (tsc) and esbuild.
 *
 * 1. esbuild bundles dist/snapshot/entry.js, LIPS's source and everything they import into one
 *    CommonJS file (a snapshot entry cannot load other files): LIPS's dynamic
 *    `import('module'|'fs'|'path')` become `require`, `import.meta.url` becomes each file's own
 *    URL, LIPS gets a hook to swap its private `require`, and node:tls (whose native state a
 *    snapshot cannot hold) becomes a stand-in that loads it on first use.
 * 2. `node --snapshot-blob BLOB --build-snapshot BUNDLE` runs it: LIPS, its standard library and
 *    our runtime load, and V8 writes the heap out.
 * 3. The blob is tried (`-e '(display (+ 1 2))'` must print 3), then moved in place, and the stamp
 *    written: this node binary and a hash of every input (src/snapshot/stamp.ts).
 *
 * Usage: node scripts/build-snapshot.mjs [--dir DIR] [--strict] [--quiet]
 *   --dir DIR  write the blob and stamp to DIR (default dist/snapshot)
 *   --strict   exit 1 when the snapshot cannot be built (default: warn, exit 0; the command
 *              then boots normally, only more slowly)
 */
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const strict = argv.includes('--strict');
const quiet = argv.includes('--quiet');
const dirArg = argv.indexOf('--dir');
const outDir = dirArg >= 0 ? path.resolve(argv[dirArg + 1] ?? '') : undefined;

/** Builtins our code imports whose native state a snapshot cannot hold: loaded on first use. */
const DEFERRED_BUILTINS = ['tls', 'http', 'https', 'http2'];

function log(msg) {
  if (!quiet) process.stderr.write(`build-snapshot: ${msg}\n`);
}

function giveUp(msg) {
  process.stderr.write(`build-snapshot: ${strict ? 'error' : 'warning'}: ${msg}\n`);
  if (!strict) process.stderr.write('build-snapshot: scheme-http will boot without the start-up snapshot (slower start).\n');
  process.exit(strict ? 1 : 0);
}

if (typeof v8.startupSnapshot?.setDeserializeMainFunction !== 'function') giveUp(`node ${process.version} has no user-land startup snapshots`);

const entry = path.join(root, 'dist', 'snapshot', 'entry.js');
if (!fs.existsSync(entry)) giveUp(`${path.relative(root, entry)} is missing: run tsc (npm run build) first`);

const { snapshotFiles, hashInputs, runtimeIdentity, STAMP_FORMAT, FROZEN_ENV } = await import(
  pathToFileURL(path.join(root, 'dist', 'snapshot', 'stamp.js')).href
);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  giveUp('esbuild is not installed (it is a devDependency)');
}

const started = Date.now();
const files = snapshotFiles(root, outDir);
fs.mkdirSync(files.dir, { recursive: true });
// No stamp while the blob is being replaced: the launcher boots normally meanwhile.
fs.rmSync(files.stamp, { force: true });

const require = createRequire(path.join(root, 'package.json'));
const lipsRoot = path.resolve(path.dirname(require.resolve('lips')), '..');
const lipsSource = path.join(lipsRoot, 'src', 'lips.js');

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

const snapshotPlugin = {
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
      if (text.includes('import.meta.url')) text = text.split('import.meta.url').join(JSON.stringify(pathToFileURL(a.path).href));
      return { contents: text, loader: 'js' };
    });
  },
};

let metafile;
try {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: files.bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    logLevel: 'error',
    legalComments: 'none',
    define: {
      SCHEME_HTTP_LIPS_ROOT: JSON.stringify(lipsRoot),
      SCHEME_HTTP_LIPS_URL: JSON.stringify(pathToFileURL(lipsSource).href),
    },
    plugins: [snapshotPlugin],
  });
  metafile = result.metafile;
} catch (e) {
  giveUp(`bundling failed: ${e.message}`);
}

// Every file the blob holds: the bundled ones, and what the entry reads while the snapshot is built.
const inputs = [
  ...Object.keys(metafile.inputs)
    .filter((k) => !k.includes(':'))
    .map((k) => path.resolve(root, k)),
  path.join(lipsRoot, 'dist', 'std.xcb'),
  path.join(root, 'scheme', 'prelude.scm'),
].filter((f, i, all) => all.indexOf(f) === i && fs.existsSync(f));
inputs.sort();

const env = { ...process.env };
for (const k of FROZEN_ENV) delete env[k];
// A blob loads only under the V8 options it was built with: none (the launcher skips it when NODE_OPTIONS is set).
delete env.NODE_OPTIONS;
const tmpBlob = `${files.blob}.${process.pid}.tmp`;
const built = spawnSync(process.execPath, ['--snapshot-blob', tmpBlob, '--build-snapshot', files.bundle], {
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
const stamp = {
  format: STAMP_FORMAT,
  ...runtimeIdentity(),
  inputs,
  hash: hashInputs(inputs),
  blobSize: fs.statSync(files.blob).size,
};
const tmpStamp = `${files.stamp}.${process.pid}.tmp`;
fs.writeFileSync(tmpStamp, JSON.stringify(stamp, null, 2) + '\n');
fs.renameSync(tmpStamp, files.stamp);
log(
  `${path.relative(root, files.blob) || files.blob}: ${(stamp.blobSize / 1048576).toFixed(1)} MB from ${inputs.length} files, ` +
    `node ${process.version}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
