/**
 * Shared by the library suites: a case's result as csi shows it, and the condition a case raises.
 */
import { evalSource } from '../../../src/scheme/engine.js';
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
