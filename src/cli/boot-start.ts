/**
 * The start of the command from its bundle (issue 10: start-up). scripts/build-boot.mjs makes
 * this module, with the V8 code cache's reader, into dist/boot/start.cjs: a small CommonJS
 * script that bin/scheme-http execs node on, so that no ES module loader is set up (it cost
 * ~25 ms of a start, and its facades of node:fs and the like load streams nobody uses).
 *
 * `startFromBundle` checks that dist/boot/ is as new as the files it was made from, compiles
 * the bundle (dist/boot/scheme-http.cjs) through the code cache and runs the command from it;
 * when the bundle is out of date or missing it hands over to bin/scheme-http.js (the start-up
 * snapshot, else the normal boot). bin/scheme-http.js takes `freshBundle` and `runBundle` from
 * here too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileCached } from '../scheme/code-cache.js';

/** The format of dist/boot/manifest.json (scripts/build-boot.mjs writes it). */
export const BOOT_FORMAT = 1;

/** The bundle to start from: its directory, script and code-cache key. */
export interface Bundle {
  dir: string;
  file: string;
  key: string;
}

interface Manifest {
  format: number;
  bundle: { path: string; sha256: string };
  inputs: Array<{ path: string; size: number }>;
}

/** Says MSG on stderr when SCHEME_HTTP_SNAPSHOT=debug (the launchers' switch for saying which boot they take). */
export function debug(msg: string): void {
  if (process.env.SCHEME_HTTP_SNAPSHOT === 'debug') process.stderr.write(`scheme-http: ${msg}\n`);
}

/**
 * The bundle of the package at ROOT (dist/boot/) when every file it was made from is there with
 * its size and, in a checkout, no newer than its manifest (else `tsc` ran since: stale); else
 * null, having said why (debug). SCHEME_HTTP_BUNDLE=0 turns it off.
 */
export function freshBundle(root: string): Bundle | null {
  if (process.env.SCHEME_HTTP_BUNDLE === '0') return null;
  const dir = `${root}/dist/boot`;
  let manifest: Manifest;
  let made: number;
  try {
    const file = `${dir}/manifest.json`;
    made = fs.statSync(file).mtimeMs;
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch {
    debug('no bundle in dist/boot/ (scripts/build-boot.mjs makes it)');
    return null;
  }
  if (manifest.format !== BOOT_FORMAT) {
    debug(`the bundle in dist/boot/ has format ${manifest.format}, not ${BOOT_FORMAT}`);
    return null;
  }
  // npm gives an installed package's files the time of their extraction, in any order: there,
  // sizes alone are checked (its files come from one build); in a checkout a rebuilt file is newer.
  const installed = /[\\/]node_modules[\\/]/.test(root);
  for (const input of manifest.inputs) {
    // One stat per file (~120): paths joined by hand, as path.join normalises each.
    const st = fs.statSync(`${root}/${input.path}`, { throwIfNoEntry: false });
    if (st === undefined || st.size !== input.size || (!installed && st.mtimeMs > made)) {
      debug(`the bundle in dist/boot/ is out of date (${input.path} ${st === undefined ? 'is gone' : 'changed'})`);
      return null;
    }
  }
  return { dir, file: `${root}/${manifest.bundle.path}`, key: manifest.bundle.sha256 };
}

/** The bundle's exports (src/cli/bundle-entry.ts). */
interface BundleExports {
  start(bootDir: string, argv: string[]): Promise<never>;
}

/**
 * Runs the command with ARGS from BUNDLE: its script compiled through the V8 code cache, then
 * called as a CommonJS module of dist/boot/ whose `require` is REQ (a require of that directory:
 * start.cjs's own, so that node:module, which loads node's ES module loader, is not needed).
 */
export function runBundle(bundle: Bundle, args: string[], req: NodeJS.Require): Promise<never> {
  const wrapper = compileCached(fs.readFileSync(bundle.file, 'latin1'), bundle.file, bundle.key).runInThisContext() as (
    require: NodeJS.Require,
    module: { exports: unknown },
    exports: unknown,
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} as unknown };
  wrapper(req, module, module.exports, bundle.file, bundle.dir);
  return (module.exports as BundleExports).start(bundle.dir, args);
}

/**
 * dist/boot/start.cjs's main: BOOT_DIR is its directory, REQ its require. Runs the command from
 * the bundle when it is fresh, else hands over to bin/scheme-http.js (which reads the same
 * arguments).
 */
export async function startFromBundle(bootDir: string, req: NodeJS.Require): Promise<void> {
  const root = path.resolve(bootDir, '..', '..');
  const bundle = freshBundle(root);
  if (bundle !== null) {
    debug('booting from the bundle in dist/boot/');
    await runBundle(bundle, process.argv.slice(2), req);
    return;
  }
  // It checks the bundle again (cheap) and finds it stale too, so it does not come back here.
  await import(pathToFileURL(`${root}/bin/scheme-http.js`).href);
}
