/**
 * The compiled Scheme engine, ready to run programs: LIPS booted (for its data classes), the
 * data model bound, a global environment with the whole library.
 */
import { lipsCore } from './boot.js';
import { bindData } from './runtime/data.js';
import { Engine } from './compiler/index.js';
import { readAll, sourceLine } from './compiler/reader.js';
import { installLibrary } from './library/index.js';

let engine: Promise<Engine> | null = null;

/** The process's engine (made once). */
export function schemeEngine(): Promise<Engine> {
  engine ??= (async () => {
    bindData(await lipsCore());
    const e = new Engine();
    installLibrary(e);
    return e;
  })();
  return engine;
}

/** A fresh engine with the library (tests that need a clean global environment). */
export async function newEngine(): Promise<Engine> {
  bindData(await lipsCore());
  const e = new Engine();
  installLibrary(e);
  return e;
}

/** Evaluates every form of SOURCE (bytes, one character each) in order; the value of the last. */
export async function evalSource(e: Engine, source: string, file: string | null = null): Promise<unknown> {
  let v: unknown;
  for (const d of readAll(source)) {
    v = e.evaluate(d.value, { file, lineOf: sourceLine });
    if (v instanceof Promise) v = await v;
  }
  return v;
}
