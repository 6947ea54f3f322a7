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
 *    __filename, __dirname) that start.cjs compiles with the V8 code cache. LIPS's source is
 *    patched (LIPS_PATCHES: work a start does not need moved out of its way), node:net, tls,
 *    child_process and friends are loaded on first use, esbuild's namespaces of builtins are
 *    made without a getter per export, and `import.meta.url` becomes the original file's URL,
 *    found from the bundle's place at run time.
 *    The start script, start.cjs (src/cli/boot-start.ts): what bin/scheme-http execs node on.
 * 3. manifest.json, written last: the bundle's SHA-256 (the code cache's key) and the size of
 *    each of our files it was made from; start.cjs boots without the bundle when one has
 *    another size or is newer than the manifest (a checkout where `tsc` ran again, but not
 *    this). An installed package's files all have the tarball's time.
 *
 * esbuild is a devDependency: the tarball ships dist/boot/ built (prepack runs the build).
 * Usage: node scripts/build-boot.mjs [--quiet]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const quiet = process.argv.includes('--quiet');
const outDir = path.join(root, 'dist', 'boot');
/** Bumped when the manifest changes shape (bin/scheme-http.js checks it). */
const BOOT_FORMAT = 1;
/**
 * Builtins whose loading is left to their first use: the network stack, and what only some
 * programs use (a REPL's readline, a gzip body's zlib, a process's child_process). A start of
 * `-e '(display 1)'` loaded ~70 builtins besides node's own; each costs its compile.
 */
const DEFERRED_BUILTINS = ['tls', 'http', 'https', 'http2', 'net', 'os', 'zlib', 'readline', 'child_process'];

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

/**
 * Text replacements in LIPS's source (vendor/lips/src/lips.js), each applied exactly once: a
 * LIPS upgrade that changes one makes the build fail (fix or drop the patch then). They leave
 * what LIPS does unchanged, for the compiled engine and for LIPS evaluating programs
 * (SCHEME_HTTP_COMPILE=0) alike; they only move work a start does not need out of its way.
 */
const LIPS_PATCHES = [
  // A script has no module loader: LIPS's dynamic imports of builtins become `require`.
  // LIPS's own require (for its `require` procedure) is made on first use: node:module loads
  // node's ES module loader with it (~3 ms); util, a builtin, any require gives.
  [
    "const { createRequire } = await import('mod' + 'ule');\n    node_require = createRequire(import.meta.url);",
    'node_require = __lazyRequire(() => require("module").createRequire(__bootUrl("lips", "src/lips.js")));',
  ],
  ["inspect = node_require('util').inspect;", "inspect = require('util').inspect;"],
  ["await import('fs')", "require('fs')"],
  ["await import('path')", "require('path')"],
  // `_parse(…)` is an async generator, so `[0]` of it is undefined: the tokenizing (~10% of a
  // start) is skipped, the value is the same.
  ['const native_lambda = _parse(tokenize(', 'const native_lambda = undefined && _parse(tokenize('],
  // The Unicode case-folding table (1,400 entries, ~3 ms to build at every start) is made on
  // the first string-foldcase/char-foldcase instead: its one reader below asks for it.
  ['const fold_case_mapping = {', 'let fold_case_mapping_v; const fold_case_mapping_f = () => ({'],
  ['"125216": 125250, "125217": 125251\n};', '"125216": 125250, "125217": 125251\n});'],
  ['const output = fold_case_mapping[ord];', 'const output = (fold_case_mapping_v ??= fold_case_mapping_f())[ord];'],
  // The CBOR codec of LIPS's binary serialisation (std.xcb, serialize_bin), with its extension
  // types registered, is set up on first use: the compiled engine never uses it.
  ['const cbor = (function() {', 'let cbor_v; const cbor_f = (function() {'],
  ['    return encoder;\n})();', '    return encoder;\n});'],
  ['cbor.encode(obj)', '(cbor_v ??= cbor_f()).encode(obj)'],
  ['cbor.decode(arr)', '(cbor_v ??= cbor_f()).decode(arr)'],
  // Where LIPS is, for its createRequire and __dirname: the bundle says (__bootUrl), cheaply.
  ['import.meta.url', '__bootUrl("lips", "src/lips.js")'],
];
/** What must be gone from LIPS's source once patched (a use the patches above did not catch). */
const LIPS_GONE = [/\bfold_case_mapping\s*[[.=(]/, /\bcbor\./, /import\.meta/];

/** SOURCE with PATCHES applied, each exactly as many times as it says (once by default). */
function patchText(source, patches, gone, what) {
  let text = source;
  for (const [from, to, times = 1] of patches) {
    const found = text.split(from).length - 1;
    if (found !== times) throw new Error(`${what} contains ${JSON.stringify(from)} ${found} times, not ${times}: its patch needs a look`);
    text = text.split(from).join(to);
  }
  for (const re of gone) if (re.test(text)) throw new Error(`${what} still matches ${re} once patched: a patch above needs a look`);
  return text;
}

const NODE_MODULE = `function __nodeModule(m) {
  return Object.create(m, { default: { value: m, enumerable: true } });
}`;

/**
 * First in the bundle. `__bootUrl` says where a package's files are, for `import.meta.url`:
 * ours is two levels above the bundle (dist/boot/); another (LIPS) is in our node_modules/ (a
 * bundled dependency) or else where node resolves it from there (require.resolve reads its
 * package.json "exports": ~5 ms). `__nodeModule` stands for esbuild's `__toESM` on node's
 * builtins: the module as the prototype of its namespace, instead of a getter defined per
 * export at every import (~8 ms a start; node:fs alone has ~100 exports, imported 14 times).
 */
const BANNER = `"use strict";
var __bootRoots = {};
function __bootUrl(name, rel) {
  var p = require("node:path");
  var dir = __bootRoots[name];
  if (dir === undefined) {
    var ours = p.resolve(__dirname, "..", "..");
    if (name === "scheme-http") dir = ours;
    else {
      var fs = require("node:fs");
      var nested = ours + "/node_modules/" + name;
      dir = fs.existsSync(nested + "/package.json") ? fs.realpathSync.native(nested) : p.resolve(p.dirname(require.resolve(name)), "..");
    }
    __bootRoots[name] = dir;
  }
  return require("node:url").pathToFileURL(p.join(dir, rel)).href;
}
function __lazyRequire(make) {
  var real;
  var get = function () { return real || (real = make()); };
  var r = function (id) { return get()(id); };
  r.resolve = function (id, options) { return get().resolve(id, options); };
  return r;
}
${NODE_MODULE}`;

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

const buildRequire = createRequire(import.meta.url);
/** The plain functions builtin NAME exports (not classes, which `new` and `instanceof` need as they are). */
function deferredFunctions(name) {
  const m = buildRequire(`node:${name}`);
  return Object.keys(m).filter((k) => /^[a-z][A-Za-z0-9]*$/.test(k) && typeof m[k] === 'function' && !/^class\b/.test(Function.prototype.toString.call(m[k])));
}

/** TEXT (esbuild's output) with its namespaces of node's builtins made by __nodeModule (see BANNER). */
function lightBuiltins(text, what) {
  const esmOfBuiltin = /__toESM\(require\("node:[a-z_/]+"\), ?1\)/g;
  if (!esmOfBuiltin.test(text)) fail(`no __toESM(require("node:…"),1) in ${what}: esbuild changed its output, see BANNER`);
  return text.replace(esmOfBuiltin, (m) => m.replace('__toESM(', '__nodeModule(').replace(/, ?1\)$/, ')'));
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
      // The default export (`import net from 'node:net'`) reads through to the module; a named
      // one can only be a function (`import { spawn } …`), which calls through. Importing a
      // named class or value from a deferred builtin fails the build (esbuild: no such export).
      contents: `
        let real;
        const load = () => (real ??= require('node:${a.path}'));
        export default new Proxy({}, { get: (_t, k) => load()[k], has: (_t, k) => k in load() });
        ${deferredFunctions(a.path).map((f) => `export function ${f}(...args) { return load().${f}.apply(this, args); }`).join('\n')}`,
    }));
    b.onLoad({ filter: /\.m?js$/ }, (a) => {
      let text = fs.readFileSync(a.path, 'utf8');
      const pkg = packageOf(a.path);
      if (pkg.name === 'lips' && /[\\/]src[\\/]lips\.js$/.test(a.path)) text = patchText(text, LIPS_PATCHES, LIPS_GONE, "LIPS's src/lips.js");
      if (text.includes('import.meta.url')) {
        const rel = path.relative(pkg.dir, a.path).split(path.sep).join('/');
        text = text.split('import.meta.url').join(`__bootUrl(${JSON.stringify(pkg.name)}, ${JSON.stringify(rel)})`);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/** What both bundles are: one CommonJS script for this node, ASCII, without comments. */
const NODE_CJS = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  metafile: true,
  logLevel: 'error',
  legalComments: 'none',
  charset: 'ascii',
};

const bundleFile = path.join(outDir, 'scheme-http.cjs');
const tmpBundle = `${bundleFile}.${process.pid}.tmp.cjs`;
let result;
try {
  result = await esbuild.build({
    ...NODE_CJS,
    entryPoints: [path.join(root, 'dist', 'cli', 'bundle-entry.js')],
    outfile: tmpBundle,
    // No comments, one byte a character: V8 keeps a script's source in the heap.
    minifyWhitespace: true,
    banner: { js: BANNER },
    plugins: [plugin],
  });
} catch (e) {
  fs.rmSync(tmpBundle, { force: true });
  fail(`bundling failed: ${e.message}`);
}
// esbuild's __toESM(require("node:fs"), 1) defines a getter per export at each import: the
// banner's __nodeModule makes the namespace from the module itself (see BANNER).
const bundled = lightBuiltins(fs.readFileSync(tmpBundle, 'latin1'), 'the bundle');
// As node wraps a CommonJS module: dist/boot/start.cjs calls it with what a module gets.
const bundle = `(function (require, module, exports, __filename, __dirname) {\n${bundled}\n})\n`;
fs.rmSync(tmpBundle, { force: true });
if (/[^\x00-\x7f]/.test(bundle)) fail('the bundle is not ASCII: V8 would hold its source at two bytes a character');
writeAtomically(bundleFile, bundle);

// The start script (src/cli/boot-start.ts and the code cache's reader): what bin/scheme-http
// execs node on. CommonJS, so that node sets up no ES module loader for it.
const startFile = path.join(outDir, 'start.cjs');
let startResult;
try {
  startResult = await esbuild.build({
    ...NODE_CJS,
    stdin: {
      // Run by node, it starts the command; required (bin/scheme-http.js), it gives the API.
      contents: `import { startFromBundle } from './dist/cli/boot-start.js';\nexport { freshBundle, runBundle } from './dist/cli/boot-start.js';\nif (require.main === module) startFromBundle(__dirname, require);\n`,
      resolveDir: root,
      sourcefile: 'start-entry.js',
      loader: 'js',
    },
    outfile: `${startFile}.${process.pid}.tmp.cjs`,
    banner: { js: `// The start of the scheme-http command from dist/boot/ (scripts/build-boot.mjs made this from src/cli/boot-start.ts).\n${NODE_MODULE}` },
  });
} catch (e) {
  fail(`bundling the start script failed: ${e.message}`);
}
writeAtomically(startFile, lightBuiltins(fs.readFileSync(`${startFile}.${process.pid}.tmp.cjs`, 'latin1'), 'the start script'));
fs.rmSync(`${startFile}.${process.pid}.tmp.cjs`, { force: true });

// ---------------------------------------------------------------------------------------------
// 3. The manifest
// ---------------------------------------------------------------------------------------------

const inputs = [
  ...[...Object.keys(result.metafile.inputs), ...Object.keys(startResult.metafile.inputs)].filter((k) => !k.includes(':') && k !== 'start-entry.js').map((k) => path.resolve(root, k)),
  ...schemeInputs,
  bundleFile,
  startFile,
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
