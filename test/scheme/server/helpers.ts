/**
 * Support for the Scheme http-server suites: the runtime with a few test procedures, free ports,
 * starting a Scheme server in a thread and waiting (bounded) until it accepts, and assertions
 * over the checks a piece of Scheme made. Every wait here is bounded.
 */
import net from 'node:net';
import { expect } from 'vitest';
import { checks, scheme, stopRunningServers, type CheckResult } from '../../support/scheme.js';
import { freePort, serverThread } from '../support.js';
import { raw, parseResponses } from '../../support/net.js';
import { list, cons } from '../../../src/scheme/values.js';
import type { SchemeRuntime } from '../../../src/scheme/interpreter.js';
import { execute } from '../../../src/scheme/runtime/control.js';

export { freePort };

/** Resolves once something accepts TCP connections on 127.0.0.1:PORT; rejects after MS. */
export async function waitForPort(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let helpersInstalled = false;

/**
 * The runtime, with test procedures in Scheme:
 * - `(await-port PORT)`: waits (≤ 5 s) until PORT accepts connections;
 * - `(raw-exchange PORT TEXT [WAIT-MS])`: sends TEXT on a fresh connection, returns all it got back
 *   (latin1) once the server closes or WAIT-MS (default 1500) passes;
 * - `(raw-exchange/closed PORT TEXT [WAIT-MS])`: the same, as `(TEXT CLOSED?)`: CLOSED? tells whether the
 *   server closed the connection within WAIT-MS;
 * - `(port-open? PORT)`: whether a connection to PORT succeeds now (≤ 1 s);
 * - `(contains? STRING PART)`: whether PART occurs in STRING;
 * - `(response-body TEXT)`: what follows the first blank line of a response's TEXT (in TypeScript:
 *   LIPS's own string=? costs milliseconds a call);
 * - `(parse-responses [HEAD-ONLY] TEXT)`: the responses in TEXT, each `(STATUS-LINE HEADERS BODY)` with
 *   HEADERS an a-list of lowercased names to values, in order (HEAD-ONLY #t: answers to HEAD, no bodies);
 * - `(wait-until THUNK [SECONDS])`: polls THUNK every 10 ms until it returns true (≤ 5 s), returns its last value.
 */
export async function runtime(): Promise<SchemeRuntime> {
  const rt = await scheme();
  if (!helpersInstalled) {
    helpersInstalled = true;
    const g = { set: (name: string, value: unknown) => rt.define(name, value) };
    g.set('await-port', (port: unknown) => waitForPort(Number(port)));
    g.set('raw-exchange', async (port: unknown, text: unknown, waitMs?: unknown) =>
      (await raw(Number(port), String(text), { waitMs: waitMs === undefined ? 1500 : Number(waitMs) })).text);
    g.set('raw-exchange/closed', async (port: unknown, text: unknown, waitMs?: unknown) => {
      const r = await raw(Number(port), String(text), { waitMs: waitMs === undefined ? 1500 : Number(waitMs) });
      return list([r.text, r.closed]);
    });
    g.set('port-open?', (port: unknown) => new Promise<boolean>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1');
      const timer = setTimeout(() => { s.destroy(); resolve(false); }, 1000);
      s.once('connect', () => { clearTimeout(timer); s.destroy(); resolve(true); });
      s.once('error', () => { clearTimeout(timer); resolve(false); });
    }));
    g.set('contains?', (s: unknown, part: unknown) => String(s).includes(String(part)));
    g.set('response-body', (text: unknown) => {
      const t = String(text);
      const i = t.indexOf('\r\n\r\n');
      if (i === -1) throw new Error(`response-body: no blank line in ${JSON.stringify(t.slice(0, 200))}`);
      return t.slice(i + 4);
    });
    g.set('parse-responses', (a: unknown, b?: unknown) =>
      list(parseResponses(String(b === undefined ? a : b), b !== undefined && a !== false).map((r) => list([r.statusLine, list(r.headers.map(([n, v]) => cons(n, v))), r.body]))));
    g.set('wait-until', async (thunk: () => unknown, seconds?: unknown) => {
      const deadline = Date.now() + (seconds === undefined ? 5000 : Number(seconds) * 1000);
      for (;;) {
        const v = await (rt.compiled ? execute(thunk) : thunk());
        if (v !== false || Date.now() > deadline) return v;
        await new Promise((r) => setTimeout(r, 10));
      }
    });
  }
  return rt;
}

/** Evaluates CODE (after the helpers are installed) and returns its checks. */
export async function schemeChecks(code: string): Promise<CheckResult[]> {
  await runtime();
  return checks(code);
}

/** Every check passed, and there were exactly COUNT of them (so none was skipped). */
export function expectAllPassed(results: CheckResult[], count: number): void {
  for (const r of results) expect(r, `${r.name}: ${r.detail}`).toMatchObject({ ok: true });
  expect(results.map((r) => r.name)).toHaveLength(count);
}

/** Stops every server the Scheme programs of this file started. */
export async function stopServers(): Promise<void> {
  const rt = await scheme();
  await rt.evaluate('(http:close-all-connections!)');
  await stopRunningServers();
}

/**
 * Scheme that starts `(http:make-server PORT ARGS…)` in a thread on 127.0.0.1 and waits until it
 * accepts. ARGS are the optional arguments after PORT, as Scheme text (RESTRICTHOST is the 5th).
 */
export function startServer(port: number, args = '#f #f #f #f "127.0.0.1"', debug = false): string {
  return `${serverThread(port, args, debug)}
          (await-port ${port})`;
}

/** Scheme accessors of a response as `parse-responses` gives it: its status line, header a-list, body, and one header. */
export const responseAccessors = `
    (define (status r) (car r))
    (define (headers r) (cadr r))
    (define (body r) (caddr r))
    (define (header r name) (alist-ref name (cadr r) equal?))`;

/**
 * Takes a free port, evaluates the Scheme SETUP gives for it (after the helpers are installed), then
 * starts a server there as `startServer(PORT, ARGS)` does and waits until it accepts; returns the port.
 */
export async function serveOnFreePort(setup: (port: number) => string, args?: string): Promise<number> {
  const rt = await runtime();
  const port = await freePort();
  await rt.evaluate(`${setup(port)}
    ${startServer(port, args)}`);
  return port;
}
