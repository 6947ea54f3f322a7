/** Registering TypeScript procedures in LIPS's global environment. */
import type { Environment } from 'lips';

/** `this` of a procedure called by LIPS: the call's environments (read only when needed). */
export interface CallContext {
  _raw_dyn?: Environment;
}

export type Procedure = (this: CallContext, ...args: never[]) => unknown;

/** Marks our TypeScript procedures: they take JS strings and numbers as they are (see compile.ts). */
export const TS_PROCEDURE = Symbol('scheme-http procedure');

export function defineAll(env: Environment, procs: Record<string, Procedure>): void {
  for (const [name, fn] of Object.entries(procs)) {
    Object.defineProperty(fn, 'name', { value: name });
    Object.defineProperty(fn, TS_PROCEDURE, { value: true });
    env.set(name, fn);
  }
}
