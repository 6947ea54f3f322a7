/**
 * Loads LIPS once per process, ready to evaluate: its unbundled source (about twice as fast per
 * call as the Babel build), its standard library loaded into the global environment after its
 * own asynchronous start-up, and the side effects of its import undone (an unhandled-rejection
 * listener that silences crashes, a patched console.log).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as LipsModule from 'lips';

export type Lips = typeof LipsModule;

let booting: Promise<Lips> | null = null;

/** The directory of the installed `lips` package. */
function lipsRoot(): string {
  const require = createRequire(import.meta.url);
  // `exports` hides deep paths; the CJS entry sits in dist/, the package root above it.
  return path.resolve(path.dirname(require.resolve('lips')), '..');
}

export function bootLips(): Promise<Lips> {
  booting ??= load();
  return booting;
}

async function load(): Promise<Lips> {
  const root = lipsRoot();
  const before = new Set(process.listeners('unhandledRejection'));
  const originalLog = console.log;
  const lips = (await import(pathToFileURL(path.join(root, 'src', 'lips.js')).href)) as Lips;
  const global = lips.env.__parent__;
  // LIPS finishes its Node set-up (require, fs, self …) asynchronously after import.
  while (!('self' in global.__env__) || !('require' in global.__env__)) {
    await new Promise((r) => setImmediate(r));
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.has(l)) process.off('unhandledRejection', l);
  }
  console.log = originalLog;
  const std = fs.readFileSync(path.join(root, 'dist', 'std.xcb'));
  await lips.exec(lips.unserialize_bin(std), { env: global });
  return lips;
}
