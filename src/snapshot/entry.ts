/**
 * The start-up snapshot's entry point. scripts/build-snapshot.mjs bundles it (with LIPS's source)
 * into one CommonJS file and runs it under `node --build-snapshot`: LIPS boots, its standard
 * library and our prelude load, and V8 serialises the heap. `node --snapshot-blob BLOB -- ARGS`
 * (bin/scheme-http execs it) then starts from that heap and runs `startUp`, which redoes what
 * cannot be kept in a snapshot.
 */
import v8 from 'node:v8';
import { createRequire } from 'node:module';
import { beforeLips } from './pre-import.js';
import * as lipsModule from 'lips';
import { bootLipsFrom, type Lips } from '../scheme/boot.js';
import { resetCommandLine, schemeRuntime } from '../scheme/interpreter.js';
import { run } from '../cli.js';
import { stderrPort, stdoutPort } from '../scheme/prelude/current-ports.js';

/**
 * Set by the bundler: the `lips` package directory and the URL of the source file bundled, as
 * they are where the snapshot is built (scripts/build-snapshot.mjs).
 */
declare const SCHEME_HTTP_LIPS_ROOT: string;
declare const SCHEME_HTTP_LIPS_URL: string;

/** The hook the bundler adds to LIPS's source: replaces its private `require`, returns the previous one. */
interface LipsHooks {
  __snapshotNodeRequire(r?: NodeJS.Require): NodeJS.Require;
}

const lips = lipsModule as unknown as Lips;
const hooks = lipsModule as unknown as LipsHooks;

/**
 * Builtins std.scm requires while it loads whose handles a snapshot cannot hold: stand-ins that
 * load the real module on first call (std.scm only takes their `get`).
 */
const DEFERRED = new Set(['http', 'https', 'node:http', 'node:https']);

function deferringRequire(real: NodeJS.Require): NodeJS.Require {
  const cache = new Map<string, object>();
  const r = ((id: string) => {
    if (!DEFERRED.has(id)) return real(id);
    let stub = cache.get(id);
    if (stub === undefined) {
      const load = () => real(id) as Record<string, (...a: unknown[]) => unknown>;
      stub = {
        get: (...a: unknown[]) => load().get!(...a),
        request: (...a: unknown[]) => load().request!(...a),
      };
      cache.set(id, stub);
    }
    return stub;
  }) as NodeJS.Require;
  r.resolve = real.resolve;
  return r;
}

interface LFloatClass {
  new (n: number): unknown;
}

/**
 * What start-up redoes for the clock: the start time std.scm recorded (`%%start-jiffy`).
 * (`random` is ours, over Math.random, which V8 seeds afresh in a deserialised process.)
 */
function resetClocks(): void {
  const global = lips.env.__parent__;
  const LFloat = (lips as unknown as { LFloat: LFloatClass }).LFloat;
  // As std.scm computes it: (truncate (* 1000 performance.timeOrigin)), an inexact number.
  global.set('%%start-jiffy', new LFloat(Math.trunc(1000 * performance.timeOrigin)));
}

/**
 * The stdio ports hold the process's streams, and a deserialised process has new ones (the
 * snapshot's are closed). StreamPort keeps its stream in the field `stream`.
 */
const STDIO: Array<[object, () => NodeJS.WritableStream]> = [
  [stdoutPort, () => process.stdout],
  [stderrPort, () => process.stderr],
];

function rebindStdio(check: boolean): void {
  for (const [port, stream] of STDIO) {
    const p = port as { stream?: unknown };
    if (check && p.stream !== stream()) throw new Error('the stdio ports no longer keep their stream in `stream`: update src/snapshot/entry.ts');
    p.stream = stream();
  }
}

/** How often the watchdog looks whether the launcher is still there (ms). */
const WATCH_EVERY_MS = 100;
/** How long, once the launcher is gone, this process has to leave by itself before it is killed (ms). */
const WATCH_GRACE_MS = 300;

/**
 * The watchdog, a thread of its own: when this process's parent is no longer the launcher (it
 * was gone, and this process reparented) and the process is still there WATCH_GRACE_MS later,
 * it kills it. The main thread leaves by itself on 'disconnect', at its next turn of the event
 * loop; a computation that gives none (a long call of a primitive) does not stop this thread.
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { launcher, every, grace } = workerData;
const timer = setInterval(() => {
  if (process.ppid === launcher) return;
  clearInterval(timer);
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), grace);
}, every);
`;

function startWatchdog(launcher: number): void {
  try {
    const threads = createRequire(SCHEME_HTTP_LIPS_URL)('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new threads.Worker(WATCHDOG, { eval: true, workerData: { launcher, every: WATCH_EVERY_MS, grace: WATCH_GRACE_MS }, stdin: false });
    worker.on('error', () => undefined); // without it, this process still leaves on 'disconnect'
    worker.unref();
  } catch {
    // no threads: the same
  }
}

/**
 * Launched by bin/scheme-http.js as its child (when bin/scheme-http could not exec the snapshot
 * itself), which waits for this process: its IPC channel closes when the
 * launcher is gone, however it ended (even SIGKILL), and this process goes with it, at once or,
 * computing without a turn of the event loop, killed by the watchdog.
 */
function watchLauncher(): void {
  const launcher = Number(process.env.SCHEME_HTTP_LAUNCHER);
  if (process.env.SCHEME_HTTP_LAUNCHER === undefined) return;
  delete process.env.SCHEME_HTTP_LAUNCHER;
  const channel = process.channel;
  if (channel === undefined) return;
  process.on('disconnect', () => process.exit(129));
  channel.unref();
  // Started at the first turn of the event loop: a command done before then does not pay for it.
  if (process.ppid === launcher) setImmediate(() => startWatchdog(launcher)).unref();
}

async function startUp(): Promise<void> {
  watchLauncher();
  rebindStdio(false);
  hooks.__snapshotNodeRequire(createRequire(SCHEME_HTTP_LIPS_URL));
  resetClocks();
  // process.argv is [node, ARGS…]: the blob stands in for the script.
  await run(process.argv.slice(1));
}

async function build(): Promise<void> {
  await bootLipsFrom(lips, SCHEME_HTTP_LIPS_ROOT, beforeLips, () => {
    hooks.__snapshotNodeRequire(deferringRequire(hooks.__snapshotNodeRequire()));
  });
  await schemeRuntime([]);
  const global = lips.env.__parent__;
  const original = global.get('random') as { __doc__?: unknown };
  (global.get('random') as { __doc__?: unknown }).__doc__ = original.__doc__;
  if (!(global.get('%%start-jiffy') instanceof (lips as unknown as { LFloat: LFloatClass }).LFloat)) {
    throw new Error('std.scm no longer keeps %%start-jiffy as an inexact number: update resetClocks in src/snapshot/entry.ts');
  }
  resetCommandLine();
  rebindStdio(true);
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    startUp().catch((e: unknown) => {
      process.stderr.write(`scheme-http: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    });
  });
}

if (!v8.startupSnapshot.isBuildingSnapshot()) {
  throw new Error('src/snapshot/entry.ts runs under node --build-snapshot (see scripts/build-snapshot.mjs)');
}
build().catch((e: unknown) => {
  process.stderr.write(`scheme-http: building the start-up snapshot failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1); // before node writes a blob
});
