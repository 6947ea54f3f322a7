#!/usr/bin/env node
/**
 * Builds dist/boot/, what the command starts from (issue 10: start-up; `npm run build` runs this
 * after tsc):
 *
 * 1. The Scheme library compiled ahead of time: the runtime is made once here with a recorder on
 *    the compiler (dist/scheme/compiler/index.js), and each form of scheme/library/*.scm it
 *    compiles is kept: its JS goes into library/FILE.js (one script per file, its procedures'
 *    JS names given a `P` so that they never meet names compiled at run time), its constants,
 *    procedure descriptions and redefined primitive into library.json
 *    (src/scheme/precompiled.ts reads them back).
 * 2. The bundle: dist/cli/bundle-entry.js and everything it imports, LIPS included, in one
 *    CommonJS script (scheme-http.cjs), wrapped as a function of (require, module, exports,
 *    __filename, __dirname) that bin/scheme-http.js compiles with the V8 code cache. LIPS's
 *    dynamic imports of builtins become `require` (a script has no module loader), node:tls
 *    and friends are loaded on first use, and `import.meta.url` becomes the original file's URL,
 *    found from the bundle's place at run time.
 * 3. manifest.json, written last: the bundle's SHA-256 (the code cache's key) and the size of
 *    each of our files it was made from; bin/scheme-http.js boots without the bundle when one
 *    has another size or is newer than the manifest (a checkout where `tsc` ran again, but not
 *    this). An installed package's files all have the tarball's time.
 *
 * esbuild is a devDependency: the tarball ships dist/boot/ built (prepack runs the build).
 * Usage: node scripts/build-boot.mjs [--quiet]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const quiet = process.argv.includes('--quiet');
const outDir = path.join(root, 'dist', 'boot');
/** Bumped when the manifest changes shape (bin/scheme-http.js checks it). */
const BOOT_FORMAT = 1;
/** Builtins whose loading is left to their first use (they load much of node's network stack). */
const DEFERRED_BUILTINS = ['tls', 'http', 'https', 'http2'];

function log(msg) {
  if (!quiet) process.stderr.write(`build-boot: ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`build-boot: error: ${msg}\n`);
  process.exit(1);
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

const dist = (rel) => pathToFileURL(path.join(root, 'dist', rel)).href;
for (const rel of ['cli/bundle-entry.js', 'scheme/precompiled.js', 'scheme/compiler/index.js']) {
  if (!fs.existsSync(path.join(root, 'dist', rel))) fail(`dist/${rel} is missing: run tsc -p tsconfig.build.json first`);
}
fs.mkdirSync(path.join(outDir, 'library'), { recursive: true });

// ---------------------------------------------------------------------------------------------
// 1. The library, compiled ahead of time
// ---------------------------------------------------------------------------------------------

const { recordCompiledForms } = await import(dist('scheme/compiler/index.js'));
const { precompileFile, MANIFEST_FORMAT } = await import(dist('scheme/precompiled.js'));
const { SCHEME_FILES, libraryDir } = await import(dist('scheme/library/index.js'));
const forms = [];
recordCompiledForms((f) => forms.push(f));
const { compiledRuntime } = await import(dist('scheme/compiled-runtime.js'));
await compiledRuntime(() => []);
recordCompiledForms(null);

const library = { format: MANIFEST_FORMAT, files: [] };
const schemeInputs = [];
for (const file of SCHEME_FILES) {
  const full = path.join(libraryDir(), file);
  schemeInputs.push(full);
  const mine = forms.filter((f) => f.file === full);
  if (mine.length === 0) fail(`no form of ${file} was compiled`);
  let made;
  try {
    made = precompileFile(mine);
  } catch (e) {
    fail(`${file}: ${e.message}`);
  }
  const { script, units } = made;
  const scriptName = `library/${file.replace(/\.scm$/, '.js')}`;
  writeAtomically(path.join(outDir, scriptName), script);
  library.files.push({ file, script: scriptName, sha256: sha256(script), units });
}
writeAtomically(path.join(outDir, 'library.json'), JSON.stringify(library));
log(`library: ${forms.length} forms of ${SCHEME_FILES.length} files compiled ahead of time`);

// ---------------------------------------------------------------------------------------------
// 2. The bundle
// ---------------------------------------------------------------------------------------------

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  fail('esbuild is not installed (a devDependency)');
}

/** Text replacements in LIPS's source; each must be found, or LIPS changed and this needs a look. */
const LIPS_PATCHES = [
  ["await import('mod' + 'ule')", "require('module')"],
  ["await import('fs')", "require('fs')"],
  ["await import('path')", "require('path')"],
  // `_parse(…)` is an async generator, so `[0]` of it is undefined: the tokenizing (~10% of a
  // start) is skipped, the value is the same.
  ['const native_lambda = _parse(tokenize(', 'const native_lambda = undefined && _parse(tokenize('],
];

/**
 * First in the bundle: where a package's files are, for `import.meta.url`. Ours is two levels
 * above the bundle (dist/boot/); LIPS is where node resolves it from there.
 */
const BANNER = `"use strict";
var __bootRoots = {};
function __bootUrl(name, rel) {
  var p = require("node:path");
  var dir = __bootRoots[name];
  if (dir === undefined) {
    dir = name === "scheme-http" ? p.resolve(__dirname, "..", "..") : p.resolve(p.dirname(require.resolve(name)), "..");
    __bootRoots[name] = dir;
  }
  return require("node:url").pathToFileURL(p.join(dir, rel)).href;
}`;

const packages = new Map();
/** The package FILE belongs to: the nearest directory above it with a named package.json. */
function packageOf(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (packages.has(dir)) return packages.get(dir);
    try {
      const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
      if (typeof name === 'string') {
        packages.set(dir, { name, dir });
        return packages.get(dir);
      }
    } catch {
      // none here
    }
    if (path.dirname(dir) === dir) throw new Error(`${file} belongs to no package`);
  }
}

const plugin = {
  name: 'scheme-http-boot',
  setup(b) {
    const deferred = new RegExp(`^(node:)?(${DEFERRED_BUILTINS.join('|')})$`);
    b.onResolve({ filter: deferred }, (a) =>
      a.namespace === 'deferred-builtin' ? { path: a.path, external: true } : { path: a.path.replace(/^node:/, ''), namespace: 'deferred-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'deferred-builtin' }, (a) => ({
      loader: 'js',
      contents: `
        let real;
        const load = () => (real ??= require('node:${a.path}'));
        export default new Proxy({}, { get: (_t, k) => load()[k], has: (_t, k) => k in load() });`,
    }));
    b.onLoad({ filter: /\.m?js$/ }, (a) => {
      let text = fs.readFileSync(a.path, 'utf8');
      const pkg = packageOf(a.path);
      if (pkg.name === 'lips' && /[\\/]src[\\/]lips\.js$/.test(a.path)) {
        for (const [from, to] of LIPS_PATCHES) {
          if (!text.includes(from)) throw new Error(`LIPS's source no longer contains ${JSON.stringify(from)}`);
          text = text.split(from).join(to);
        }
      }
      if (text.includes('import.meta.url')) {
        const rel = path.relative(pkg.dir, a.path).split(path.sep).join('/');
        text = text.split('import.meta.url').join(`__bootUrl(${JSON.stringify(pkg.name)}, ${JSON.stringify(rel)})`);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

const bundleFile = path.join(outDir, 'scheme-http.cjs');
const tmpBundle = `${bundleFile}.${process.pid}.tmp.cjs`;
let result;
try {
  result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, 'dist', 'cli', 'bundle-entry.js')],
    outfile: tmpBundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    logLevel: 'error',
    legalComments: 'none',
    // No comments, one byte a character: V8 keeps a script's source in the heap.
    minifyWhitespace: true,
    charset: 'ascii',
    banner: { js: BANNER },
    plugins: [plugin],
  });
} catch (e) {
  fs.rmSync(tmpBundle, { force: true });
  fail(`bundling failed: ${e.message}`);
}
// As node wraps a CommonJS module: bin/scheme-http.js calls it with what a module gets.
const bundle = `(function (require, module, exports, __filename, __dirname) {\n${fs.readFileSync(tmpBundle, 'latin1')}\n})\n`;
fs.rmSync(tmpBundle, { force: true });
if (/[^\x00-\x7f]/.test(bundle)) fail('the bundle is not ASCII: V8 would hold its source at two bytes a character');
writeAtomically(bundleFile, bundle);

// ---------------------------------------------------------------------------------------------
// 3. The manifest
// ---------------------------------------------------------------------------------------------

const inputs = [
  ...Object.keys(result.metafile.inputs).filter((k) => !k.includes(':')).map((k) => path.resolve(root, k)),
  ...schemeInputs,
  bundleFile,
  path.join(outDir, 'library.json'),
  ...library.files.map((f) => path.join(outDir, f.script)),
]
  .filter((f, i, all) => all.indexOf(f) === i)
  .map((file) => ({ file, rel: path.relative(root, file).split(path.sep).join('/') }))
  // Ours, as the tarball ships them (LIPS, vendor/lips in a checkout, is in the bundle itself).
  .filter(({ rel }) => rel.startsWith('dist/') || rel.startsWith('scheme/'))
  .map(({ file, rel }) => ({ path: rel, size: fs.statSync(file).size }));
const manifest = { format: BOOT_FORMAT, node: process.version, bundle: { path: 'dist/boot/scheme-http.cjs', sha256: sha256(bundle) }, inputs };
writeAtomically(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
log(`dist/boot/scheme-http.cjs: ${(bundle.length / 1048576).toFixed(2)} MB from ${inputs.length} files`);
