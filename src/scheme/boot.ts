/**
 * Loads LIPS once per process, ready to evaluate: its unbundled source (about twice as fast per
 * call as the Babel build), its standard library loaded into the global environment after its
 * own asynchronous start-up, and the side effects of its import undone (an unhandled-rejection
 * listener that silences crashes, a patched console.log).
 *
 * The start-up snapshot (src/snapshot/) bundles LIPS instead of importing it, and boots it
 * through `bootLipsFrom` while the snapshot is built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as LipsModule from 'lips';

export type Lips = typeof LipsModule;

/** What the side effects of importing LIPS are undone against: the state before the import. */
export interface PreImportState {
  rejectionListeners: Set<NodeJS.UnhandledRejectionListener>;
  log: typeof console.log;
}

let booting: Promise<Lips> | null = null;

/** The directory of the installed `lips` package. */
export function lipsRoot(): string {
  const require = createRequire(import.meta.url);
  // `exports` hides deep paths; the CJS entry sits in dist/, the package root above it.
  return path.resolve(path.dirname(require.resolve('lips')), '..');
}

export function preImportState(): PreImportState {
  return { rejectionListeners: new Set(process.listeners('unhandledRejection')), log: console.log };
}

export function bootLips(): Promise<Lips> {
  booting ??= load();
  return booting;
}

/**
 * Boots an already loaded LIPS module; BEFORE is the state captured before it was imported.
 * BEFORE_STD runs once LIPS's Node set-up is done, before the standard library is evaluated.
 */
export function bootLipsFrom(lips: Lips, root: string, before: PreImportState, beforeStd?: () => void): Promise<Lips> {
  booting ??= setUp(lips, root, before, beforeStd);
  return booting;
}

async function load(): Promise<Lips> {
  const root = lipsRoot();
  const before = preImportState();
  const lips = (await import(pathToFileURL(path.join(root, 'src', 'lips.js')).href)) as Lips;
  return setUp(lips, root, before);
}

async function setUp(lips: Lips, root: string, before: PreImportState, beforeStd?: () => void): Promise<Lips> {
  const global = lips.env.__parent__;
  // LIPS finishes its Node set-up (require, fs, self …) asynchronously after import.
  while (!('self' in global.__env__) || !('require' in global.__env__)) {
    await new Promise((r) => setImmediate(r));
  }
  for (const l of process.listeners('unhandledRejection')) {
    if (!before.rejectionListeners.has(l)) process.off('unhandledRejection', l);
  }
  console.log = before.log;
  beforeStd?.();
  const std = fs.readFileSync(path.join(root, 'dist', 'std.xcb'));
  await lips.exec(lips.unserialize_bin(std), { env: global });
  return lips;
}
