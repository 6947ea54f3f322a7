/**
 * Shared by the Scheme-front suites (client, utils, server, prelude): the assertion over a batch
 * of checks, a Scheme server started in a thread, scripted raw-TCP servers closed after each
 * test, keep-alive responses, and one request/response exchange over a raw connection.
 * Every wait here is bounded.
 */
import { afterEach, expect } from 'vitest';
import { run, scheme, type CheckResult } from '../support/scheme.js';
import { ScriptedServer, freePort, waitUntil, type RawRequest, type ScriptHandler } from '../support/client-fixtures.js';
import { raw, parseResponses } from '../support/net.js';

export { freePort };

/** Every check passed, and there were exactly COUNT of them (none skipped by an early raise). */
export function expectAll(results: CheckResult[], count: number): void {
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results.map((r) => r.name)).toHaveLength(count);
}

/**
 * Scheme that starts `(http:make-server PORT ARGS…)` in a thread. ARGS are the optional arguments
 * after PORT, as Scheme text (RESTRICTHOST is the 5th); DEBUG passes #t to the server procedure.
 */
export function serverThread(port: number, args = '#f #f #f #f "127.0.0.1"', debug = false): string {
  return `(thread-start! (make-thread (lambda () ((http:make-server ${port} ${args})${debug ? ' #t' : ''}))))`;
}

/**
 * Evaluates SETUP (resources, handlers…), then starts a Scheme server on 127.0.0.1:PORT in a
 * thread and waits (≤ 15 s, for loaded machines) until the runtime lists it as listening.
 */
export async function startSchemeServer(port: number, setup = ''): Promise<void> {
  const rt = await scheme();
  await run(`${setup}\n${serverThread(port)}`);
  await waitUntil(() => [...rt.servers.running].some((s) => s.address()?.port === port), 15_000, 'the Scheme server to listen');
}

/**
 * Scripted raw-TCP servers for the tests of a file: `serve(handler)` starts one; after each test
 * THEN-FIRST (Scheme, e.g. `(http:close-all-connections!)`) is evaluated, if given, and every
 * server started is closed.
 */
export function scriptedServers(thenFirst?: string): (handler: ScriptHandler) => Promise<ScriptedServer> {
  let servers: ScriptedServer[] = [];
  afterEach(async () => {
    if (thenFirst !== undefined) await run(thenFirst);
    for (const s of servers) await s.close();
    servers = [];
  });
  return async (handler) => {
    const s = await ScriptedServer.start(handler);
    servers.push(s);
    return s;
  };
}

/** A keep-alive HTTP/1.1 200 response, its body UTF-8, EXTRA header lines (CRLF-ended) before Content-Length. */
export function keepAlive(body: string, extra = ''): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The value of header NAME (any case) of a request a scripted server received. */
export function requestHeader(req: RawRequest, name: string): string | undefined {
  return req.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Sends REQUEST (exact bytes) to 127.0.0.1:PORT and returns the one response, and whether the server closed. */
export async function exchangeOne(port: number, request: string): Promise<{ status: number; body: string; closed: boolean }> {
  const r = await raw(port, request, { waitMs: 3000 });
  const [res] = parseResponses(r.text);
  if (res === undefined) throw new Error(`no response to ${JSON.stringify(request)}: ${JSON.stringify(r.text)}`);
  return { status: res.status, body: res.body, closed: r.closed };
}
