/**
 * Test support for the Scheme front: one runtime per test file (LIPS is one per process; vitest
 * runs each file in its own process), `run` to evaluate code, and Scheme-level checks:
 * `(check NAME EXPECTED ACTUAL)` compares with `equal?`, `(check-error NAME THUNK)` expects a raise.
 */
import { schemeRuntime, COMPILED, type SchemeRuntime } from '../../src/scheme/interpreter.js';

/**
 * Whether the suite runs on the compiled engine (SCHEME_HTTP_COMPILE=1): there strings are bytes
 * and numbers CHICKEN 3's (SEMANTICS.md "Scheme data"), in LIPS text and a full numeric tower.
 */
export const compiled = COMPILED;

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

let results: CheckResult[] = [];
let installed = false;

export async function scheme(): Promise<SchemeRuntime> {
  const rt = await schemeRuntime([]);
  if (!installed) {
    installed = true;
    if (rt.compiled) {
      // Compiled procedures are called from Scheme (a thunk may suspend): the checks are Scheme.
      rt.define('%check', (name: unknown, ok: unknown, expected: unknown, actual: unknown) => {
        results.push({ name: String(name), ok: ok !== false, detail: ok !== false ? '' : `expected ${rt.show(expected)}, got ${rt.show(actual)}` });
      });
      rt.define('%check-error', (name: unknown, raised: unknown, e: unknown) => {
        results.push({ name: String(name), ok: raised !== false, detail: raised !== false ? (e instanceof Error ? e.message : rt.show(e)) : 'expected an error, none was raised' });
      });
      await rt.evaluate(`(define (check name expected actual) (%check name (equal? expected actual) expected actual))
        (define (check-error name thunk) (handle-exceptions e (%check-error name #t e) (thunk) (%check-error name #f #f)))`);
      return rt;
    }
    const global = rt.lips.env.__parent__;
    const equal = global.get('equal?') as (a: unknown, b: unknown) => boolean;
    global.set('check', (name: unknown, expected: unknown, actual: unknown) => {
      const ok = equal(expected, actual) === true;
      results.push({ name: String(name), ok, detail: ok ? '' : `expected ${rt.show(expected)}, got ${rt.show(actual)}` });
    });
    global.set('check-error', async (name: unknown, thunk: () => unknown) => {
      try {
        await thunk();
        results.push({ name: String(name), ok: false, detail: 'expected an error, none was raised' });
      } catch (e) {
        results.push({ name: String(name), ok: true, detail: e instanceof Error ? e.message : String(e) });
      }
    });
  }
  return rt;
}

/** Evaluates CODE in the runtime; resolves to the last value. */
export async function run(code: string): Promise<unknown> {
  return (await scheme()).evaluate(code);
}

/** Evaluates CODE and returns the checks it made. */
export async function checks(code: string): Promise<CheckResult[]> {
  results = [];
  await run(code);
  const out = results;
  results = [];
  return out;
}

/** The value as `write` shows it. */
export async function show(v: unknown): Promise<string> {
  return (await scheme()).show(v);
}

/** Stops every server the Scheme programs of this file started (each given 500 ms to finish). */
export async function stopRunningServers(): Promise<void> {
  const rt = await scheme();
  await Promise.all([...rt.servers.running].map((s) => s.stop({ timeout: 500 })));
}
