/** The numeric procedures (runtime/numbers.ts, which check their own arguments) as globals. */
import type { Engine } from '../compiler/index.js';
import { numericPrimitives } from '../runtime/numbers.js';

export function installNumbers(engine: Engine): void {
  for (const [name, fn] of Object.entries(numericPrimitives)) engine.define(name, fn);
}
