/**
 * Loads LIPS once per process: its unbundled source (about twice as fast per call as the Babel
 * build), with the side effects of its import undone (an unhandled-rejection listener that
 * silences crashes, a patched console.log). `bootLips` also loads its standard library (std.xcb,
 * ~0.8 s of CPU) into the global environment, which only LIPS evaluating programs needs
 * (SCHEME_HTTP_COMPILE=0); the compiled engine takes its data classes alone (`lipsCore`).
 *
 * LIPS is imported statically, so that the bundles (the snapshot's, src/snapshot/; the command's,
 * scripts/build-boot.mjs) hold it; the snapshot boots it through `bootLipsFrom`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
// First: what LIPS's import changes is captured before it runs (ES modules run in import order).
import { beforeLips, type PreImportState } from './lips-before.js';
import * as lipsModule from 'lips';
import type * as LipsModule from 'lips';

export type Lips = typeof LipsModule;

export type { PreImportState } from './lips-before.js';

let booting: Promise<Lips> | null = null;
/** LIPS imported and its Node set-up done, without its standard library. */
let core: Promise<Lips> | null = null;

/** The directory of the installed `lips` package. */
export function lipsRoot(): string {
  const require = createRequire(import.meta.url);
  // `exports` hides deep paths; the CJS entry sits in dist/, the package root above it.
  return path.resolve(path.dirname(require.resolve('lips')), '..');
}

export { preImportState } from './lips-before.js';

/** LIPS with its standard library: what LIPS needs to evaluate programs. */
export function bootLips(): Promise<Lips> {
  booting ??= (async () => {
    const lips = await lipsCore();
    await loadStd(lips, lipsRoot());
    return lips;
  })();
  return booting;
}

/**
 * LIPS's classes and primitives (the compiled engine's data model is LIPS's Pair, LString …),
 * without its standard library; `bootLips` adds it later if LIPS comes to evaluate.
 */
export function lipsCore(): Promise<Lips> {
  core ??= (async () => {
    // Imported statically (so that bundles hold it): `lips` is its unbundled src/lips.js.
    const lips = lipsModule as unknown as Lips;
    await nodeSetUp(lips, beforeLips);
    return lips;
  })();
  return core;
}

/**
 * Boots an already loaded LIPS module; BEFORE is the state captured before it was imported.
 * BEFORE_STD runs once LIPS's Node set-up is done, before the standard library is evaluated.
 */
export function bootLipsFrom(lips: Lips, root: string, before: PreImportState, beforeStd?: () => void): Promise<Lips> {
  core ??= nodeSetUp(lips, before).then(() => lips);
  booting ??= core.then(async () => {
    beforeStd?.();
    await loadStd(lips, root);
    return lips;
  });
  return booting;
}

/** Waits for LIPS's asynchronous Node set-up, then undoes the side effects of its import. */
async function nodeSetUp(lips: Lips, before: PreImportState): Promise<void> {
  const global = lips.env.__parent__;
  // LIPS finishes its Node set-up (require, fs, self …) asynchronously after import.
  while (!('self' in global.__env__) || !('require' in global.__env__)) {
    await new Promise((r) => setImmediate(r));
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.rejectionListeners.has(l)) process.off('unhandledRejection', l);
  }
  console.log = before.log;
}

async function loadStd(lips: Lips, root: string): Promise<void> {
  const std = fs.readFileSync(path.join(root, 'dist', 'std.xcb'));
  await lips.exec(lips.unserialize_bin(std), { env: lips.env.__parent__ });
}
