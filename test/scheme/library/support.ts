/**
 * Shared by the library suites: a case's result as csi shows it, and the condition a case raises.
 */
import { evalSource, newEngine } from '../../../src/scheme/engine.js';
import { procedure } from '../../../src/scheme/library/define.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { writeString } from '../../../src/scheme/runtime/printer.js';
import { SchemeError } from '../../../src/scheme/runtime/errors.js';

/** The written value of SRC, or its condition as csi shows it (arguments cut at 200 characters). */
export async function showResult(engine: Engine, src: string): Promise<string> {
  try {
    return writeString(await evalSource(engine, src));
  } catch (e) {
    if (!(e instanceof SchemeError)) throw e;
    const args = e.args.map((a) => writeString(a)).join(' ').slice(0, 200);
    return `ERR (${e.kinds.join(' ')}) (${e.location ?? '#f'}) ${e.message} (${args})`;
  }
}

/** The condition SRC raises. */
export async function raisedBy(engine: Engine, src: string): Promise<SchemeError> {
  try {
    await evalSource(engine, src);
  } catch (e) {
    if (e instanceof SchemeError) return e;
    throw e;
  }
  throw new Error(`${src} raised nothing`);
}

/**
 * A fresh engine with `(wait X)`: X, answered after a timer, as a procedure doing I/O answers
 * (the library's procedures must let the code they call wait).
 */
export async function engineWithWait(): Promise<Engine> {
  const engine = await newEngine();
  engine.define('wait', procedure('wait', (x: unknown) => new Promise((resolve) => setTimeout(() => resolve(x), 1)), [1, 1]));
  return engine;
}
