/**
 * The library of the compiled engine: every module's procedures, then the part written in
 * Scheme (scheme/library/*.scm: the higher-order procedures, so that a procedure they call may
 * suspend, and control forms built on the core ones).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../compiler/index.js';
import { readAll, sourceLine } from '../compiler/reader.js';
import { execute } from '../runtime/control.js';
import { setApplyLong } from '../runtime/prims.js';
import { arrayToList } from '../runtime/data.js';
import { installControl } from './control.js';
import { installNumbers } from './numbers.js';
import { installLists } from './lists.js';
import { installChars } from './chars.js';
import { installStrings } from './strings.js';
import { installVectors } from './vectors.js';
import { installSymbols } from './symbols.js';
import { installIo } from './io.js';
import { installThreads } from './threads.js';
import { installHashTables } from './hash-tables.js';
import { installCharSets } from './char-sets.js';
import { installDataStructures } from './data-structures.js';
import { installRegex } from './regex.js';
import { installPosix } from './posix.js';
import { installTcp } from './tcp.js';
import { installSort } from './sort.js';
import { precompiledLibrary } from '../precompiled.js';

/** Scheme sources of the library, loaded in this order (scripts/build-boot.mjs compiles them ahead of time). */
export const SCHEME_FILES = ['base.scm', 'srfi-1.scm', 'srfi-13.scm', 'hash-tables.scm', 'data-structures.scm', 'conditions.scm', 'regex.scm'];

export function libraryDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/scheme/library or dist/scheme/library: the Scheme sources are in scheme/library/ at the package root.
  return path.resolve(here, '..', '..', '..', 'scheme', 'library');
}

export function installLibrary(engine: Engine): void {
  installControl(engine);
  // An inline (apply f … list) of a long list goes through the library's apply, which passes it
  // as an array to the procedures that take one (+, list, append, string-append …).
  const apply = engine.lookup('apply') as (...args: unknown[]) => unknown;
  setApplyLong((f, all) => apply(f, arrayToList(all)));
  installNumbers(engine);
  installLists(engine);
  installChars(engine);
  installStrings(engine);
  installVectors(engine);
  installSymbols(engine);
  installIo(engine);
  installThreads(engine);
  installHashTables(engine);
  installCharSets(engine);
  installDataStructures(engine);
  installRegex(engine);
  installPosix(engine);
  installTcp(engine);
  installSort(engine);
  const ahead = precompiledLibrary();
  for (const file of SCHEME_FILES) {
    const full = path.join(libraryDir(), file);
    // Compiled at build time (the command's bundle, dist/boot/): its forms are only run here.
    const units = ahead?.(engine, file, full) ?? null;
    if (units !== null) {
      for (const u of units) {
        if (engine.runPrecompiled(u) instanceof Promise) throw new Error(`${file}: the library cannot wait for I/O while loading`);
      }
      continue;
    }
    const text = fs.readFileSync(full, 'latin1');
    for (const d of readAll(text)) {
      const v = execute(engine.compile(d.value, { file: full, lineOf: sourceLine }), false);
      if (v instanceof Promise) throw new Error(`${file}:${d.line}: the library cannot wait for I/O while loading`);
    }
  }
}
