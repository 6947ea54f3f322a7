#!/usr/bin/env node
/**
 * Builds vendor/lips/: the LIPS interpreter as scheme-http ships it, a package with no
 * dependencies (`npm run build` runs this first; the package bundles it, see package.json
 * "bundleDependencies").
 *
 * Why: the `lips` package on the registry depends on cbor-extract, a native module with an
 * install script, and on Babel's runtime and core-js (a postinstall script) for its browser
 * builds. A user of scheme-http would get a native build step and install-script warnings,
 * and our root "overrides" (which stand cbor-extract in for the checkout) do not reach them.
 * What we run of LIPS is its unbundled source (src/lips.js) and its compiled standard library
 * (dist/std.xcb): src/lips.js imports only cbor-x, lzjb-pack and unfetch, which this script
 * bundles with esbuild into src/deps.js (cbor-x's plain JavaScript entry: no cbor-extract).
 *
 * src/lips.js is LIPS's file with only its three import lines pointed at ./deps.js (same line
 * numbers, and the text scripts/build-snapshot.mjs patches is untouched). The upstream package
 * comes from the devDependency "lips-upstream" (an npm alias of the same version).
 * node_modules/lips is a link to vendor/lips/ (the dependency "file:vendor/lips"), so the
 * checkout, its tests and the start-up snapshot run the same files a user installs.
 *
 * Files whose contents did not change are left alone (the snapshot's stamp holds their inodes).
 * Usage: node scripts/bundle-lips.mjs [--quiet]
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fs.realpathSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const out = path.join(root, 'vendor', 'lips');
const quiet = process.argv.includes('--quiet');

/** The three imports of LIPS's src/lips.js, and what they become. */
const IMPORTS = [
  ["import { addExtension, Encoder } from 'cbor-x';", "import { addExtension, Encoder } from './deps.js';"],
  ["import { pack, unpack } from 'lzjb-pack';", "import { pack, unpack } from './deps.js';"],
  ["import unfetch from 'unfetch/dist/unfetch.mjs';", "import { unfetch } from './deps.js';"],
];
/** The module bundled into src/deps.js: exactly what those imports take. */
const DEPS_ENTRY = `export { addExtension, Encoder } from 'cbor-x';
export { pack, unpack } from 'lzjb-pack';
export { default as unfetch } from 'unfetch/dist/unfetch.mjs';
`;
/** The packages bundled into src/deps.js; their license texts go into THIRD-PARTY-LICENSES. */
const BUNDLED = ['cbor-x', 'lzjb-pack', 'unfetch'];

class BundleError extends Error {}

function fail(msg) {
  throw new BundleError(msg);
}

/** Writes TEXT to FILE unless it already holds it, under a temporary name then renamed. */
function writeIfChanged(file, text) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  try {
    if (fs.readFileSync(file).equals(bytes)) return false;
  } catch {
    // not there yet
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return true;
}

/** The directory of package NAME as node resolves it from DIR. */
function packageRoot(name, dir) {
  const require = createRequire(path.join(dir, 'noop.js'));
  let found;
  try {
    found = require.resolve(`${name}/package.json`);
  } catch {
    // Some packages do not export their package.json: walk up from the entry instead.
    let d = path.dirname(require.resolve(name));
    while (!fs.existsSync(path.join(d, 'package.json')) || JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).name !== name) {
      const up = path.dirname(d);
      if (up === d) fail(`cannot find the directory of ${name}`);
      d = up;
    }
    return fs.realpathSync(d);
  }
  return fs.realpathSync(path.dirname(found));
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The license file of the package in DIR (LICENSE, LICENSE.md …). */
function licenseText(dir) {
  const name = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (name === undefined) fail(`${dir} has no LICENSE file`);
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

async function main() {
  const upstreamDir = path.join(root, 'node_modules', 'lips-upstream');
  if (!fs.existsSync(path.join(upstreamDir, 'package.json'))) {
    fail('node_modules/lips-upstream is missing: run `npm ci` (it is a devDependency, the LIPS package from the registry)');
  }
  const upstream = readJson(path.join(upstreamDir, 'package.json'));
  const ours = readJson(path.join(out, 'package.json'));
  if (upstream.name !== 'lips' || upstream.version !== ours.version) {
    fail(`lips-upstream is ${upstream.name}@${upstream.version} but vendor/lips/package.json says ${ours.version}: make them agree (and package.json's "acceptDependencies")`);
  }

  let source = fs.readFileSync(path.join(upstreamDir, 'src', 'lips.js'), 'utf8');
  for (const [from, to] of IMPORTS) {
    if (source.split(from).length !== 2) fail(`LIPS's src/lips.js no longer has the line ${JSON.stringify(from)} exactly once: its imports changed`);
    source = source.replace(from, to);
  }
  const remaining = source.match(/^import .* from '[^.][^']*';$/gm);
  if (remaining !== null) fail(`LIPS's src/lips.js imports more than this script bundles: ${remaining.join(' ')}`);

  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    fail('esbuild is not installed (a devDependency): run `npm ci`');
  }
  // cbor-x's "node" entry would load the native cbor-extract when it is there; its plain entry never does.
  const cborPlain = path.join(packageRoot('cbor-x', upstreamDir), 'index.js');
  const result = await esbuild.build({
    stdin: { contents: DEPS_ENTRY, resolveDir: upstreamDir, sourcefile: 'lips-deps.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // lzjb-pack's ESM entry (its "module"), not its CommonJS one: no interop wrapper.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    charset: 'ascii',
    logLevel: 'error',
    metafile: true,
    plugins: [{ name: 'cbor-x-plain', setup: (b) => b.onResolve({ filter: /^cbor-x$/ }, () => ({ path: cborPlain })) }],
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => /cbor-extract/.test(f));
  if (inputs.length > 0) fail(`the bundle would include cbor-extract: ${inputs.join(', ')}`);
  const versions = BUNDLED.map((n) => `${n}@${readJson(path.join(packageRoot(n, upstreamDir), 'package.json')).version}`);
  const deps = `// cbor-x, lzjb-pack and unfetch (${versions.join(', ')}) for LIPS, bundled by scheme-http's\n` +
    `// scripts/bundle-lips.mjs; their licenses are in ../THIRD-PARTY-LICENSES.\n${result.outputFiles[0].text}`;

  const licenses = BUNDLED.map((n, i) => `${versions[i]} (bundled into src/deps.js)\n\n${licenseText(packageRoot(n, upstreamDir)).trim()}\n`);
  const changed = [
    writeIfChanged(path.join(out, 'src', 'lips.js'), source),
    writeIfChanged(path.join(out, 'src', 'deps.js'), deps),
    writeIfChanged(path.join(out, 'dist', 'std.xcb'), fs.readFileSync(path.join(upstreamDir, 'dist', 'std.xcb'))),
    writeIfChanged(path.join(out, 'LICENSE'), licenseText(upstreamDir)),
    writeIfChanged(path.join(out, 'THIRD-PARTY-LICENSES'), licenses.join('\n' + '-'.repeat(72) + '\n\n')),
  ].filter(Boolean).length;
  if (!quiet) process.stderr.write(`bundle-lips: vendor/lips/ from lips@${upstream.version} and ${versions.join(', ')}: ${changed === 0 ? 'up to date' : `${changed} files written`}\n`);
}

try {
  await main();
} catch (e) {
  if (!(e instanceof BundleError)) throw e;
  process.stderr.write(`bundle-lips: error: ${e.message}\n`);
  process.exit(1);
}
