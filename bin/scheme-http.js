#!/usr/bin/env node
/**
 * The node entry of the scheme-http command. The command itself is bin/scheme-http (sh), which
 * execs node on the bundle's start script (dist/boot/start.cjs) when there is one, and that
 * hands over to this script when the bundle is out of date; `node bin/scheme-http.js ARGS`
 * works as well.
 *
 * It boots, in this order: from the start-up snapshot when there is a usable one
 * (src/snapshot/stamp.ts says where one is looked for): node cannot load one into a running
 * process, so this one runs `node --snapshot-blob BLOB -- ARGS` as its child and passes signals
 * and the exit status through (slower than the bundle in this process, but the path
 * test/cli/interrupts.test.ts checks through this script); else from the bundle (dist/boot/,
 * scripts/build-boot.mjs: the whole command in one script run through the V8 code cache, the
 * Scheme library compiled ahead of time) when that is as new as the files it was made from
 * (src/cli/boot-start.ts); else from dist/cli.js (which compiles the library at every start:
 * ~1 s), and then, when no snapshot exists, it starts building one in the background, into the
 * user's cache, for the next commands
 * (scripts/build-snapshot.mjs --first-run; not when SCHEME_HTTP_SNAPSHOT_DIR names where the
 * snapshot is). Node options of its own (--inspect, --cpu-prof …, or NODE_OPTIONS) mean no
 * snapshot.
 *
 * SCHEME_HTTP_SNAPSHOT=0      never use the snapshot (nor build one)
 * SCHEME_HTTP_SNAPSHOT=debug  say on stderr whether it is used, and why not
 * SCHEME_HTTP_SNAPSHOT_DIR    where to look for it instead (no first-run build)
 * SCHEME_HTTP_BUNDLE=0        never boot from dist/boot/ (the snapshot, else dist/cli.js)
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const mode = process.env.SCHEME_HTTP_SNAPSHOT ?? '';

function debug(msg) {
  if (mode === 'debug') process.stderr.write(`scheme-http: ${msg}\n`);
}

/** The blob to start from, or null; on the way, when BUILD, starts a first-run build if there is none. */
async function usableSnapshot(build) {
  if (mode === '0' || mode === 'off') return null;
  if (process.execArgv.length > 0) {
    debug(`start-up snapshot not used: node options ${process.execArgv.join(' ')} apply to this process`);
    return null;
  }
  // V8 options there (--max-old-space-size …) make node refuse a blob built without them.
  if (process.env.NODE_OPTIONS?.trim()) {
    debug('start-up snapshot not used: NODE_OPTIONS is set');
    return null;
  }
  let stamp;
  try {
    stamp = await import('../dist/snapshot/stamp.js');
  } catch (e) {
    debug(`start-up snapshot not used: ${e.message}`);
    return null;
  }
  const frozen = stamp.FROZEN_ENV.filter((k) => process.env[k]);
  if (frozen.length > 0) {
    debug(`start-up snapshot not used: ${frozen.join(', ')} must be read at start-up`);
    return null;
  }
  const reasons = [];
  for (const dir of stamp.snapshotDirs(root)) {
    const check = stamp.checkSnapshot(stamp.snapshotFiles(root, dir));
    if (check.ok) {
      debug(`starting from the snapshot ${check.blob} (in a child process: node cannot load one into a running process)`);
      return check.blob;
    }
    reasons.push(check.reason);
  }
  debug(`start-up snapshot not used: ${reasons.join('; ')}`);
  if (build && !process.env.SCHEME_HTTP_SNAPSHOT_DIR) firstRunBuild(stamp);
  return null;
}

/** A lock younger than this is a build still running (a build takes seconds), ms. */
const LOCK_MS = 10 * 60_000;
/** After a failed first-run build, the next is tried only once this has passed, or a file changed, ms. */
const RETRY_MS = 24 * 3600_000;

/**
 * Starts building the snapshot into the user's cache, detached, so that this command boots
 * normally at once and the next ones start from the snapshot. Not when a build is running, nor
 * again soon after one failed for the same node and package files.
 */
function firstRunBuild(stamp) {
  const dir = stamp.cacheDir(root);
  if (dir === null) return;
  const files = stamp.snapshotFiles(root, dir);
  try {
    if (Date.now() - fs.statSync(files.lock).mtimeMs < LOCK_MS) {
      debug(`a start-up snapshot is being built in ${dir}`);
      return;
    }
  } catch {
    // no build running
  }
  try {
    const failed = JSON.parse(fs.readFileSync(files.failed, 'utf8'));
    if (Date.now() - failed.at < RETRY_MS && failed.key === stamp.retryKey(root)) {
      debug(`building the start-up snapshot failed (${failed.reason}); see ${files.log}`);
      return;
    }
  } catch {
    // never failed
  }
  const builder = path.join(root, 'scripts', 'build-snapshot.mjs');
  try {
    fs.mkdirSync(dir, { recursive: true });
    const log = fs.openSync(files.log, 'w');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // Its own session: a Ctrl-C meant for this command does not stop it, nor does it hold the terminal.
    const child = spawn(process.execPath, [builder, '--dir', dir, '--first-run', '--quiet'], { detached: true, stdio: ['ignore', log, log], env });
    child.unref();
    fs.closeSync(log);
    debug(`building the start-up snapshot in the background (pid ${child.pid}) into ${dir}`);
  } catch (e) {
    debug(`could not start building the start-up snapshot: ${e.message}`);
  }
}

/**
 * How long a command sent a signal may take to leave by itself (it does at its next turn of the
 * event loop, which the engine gives every 50 ms of computation) before it is killed: a long call
 * of a primitive gives none. The bound is 1 s from the signal to the exit.
 */
const GRACE_MS = 400;
/**
 * With --workers the primary drains its workers on SIGTERM/SIGINT (their requests in flight, 5 s
 * at most, then 1 s to be killed: src/http/server/workers.ts): it gets that long.
 */
const WORKERS_GRACE_MS = 7_000;
const grace = args.some((a) => a === '--workers' || a.startsWith('--workers=')) ? WORKERS_GRACE_MS : GRACE_MS;

/** Runs the command in a node started from BLOB; resolves to false if that node could not be started. */
async function launch(blob) {
  const child = spawn(process.execPath, ['--snapshot-blob', blob, '--', ...args], {
    // The IPC channel tells the child when this process is gone, even by SIGKILL (src/snapshot/entry.ts).
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SCHEME_HTTP_LAUNCHER: String(process.pid) },
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  /** The signals passed on, with their numbers (the same on every platform node runs on). */
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const signals = Object.keys(numbers);
  /** The signal the child was killed for, when it did not leave within its grace. */
  let killedFor = null;
  let deadline = null;
  const forward = (signal) => {
    if (!running()) return;
    child.kill(signal);
    deadline ??= setTimeout(() => {
      if (!running()) return;
      killedFor = signal;
      child.kill('SIGKILL');
    }, grace);
  };
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      for (const s of signals) process.off(s, forward);
      debug(`could not start node from the snapshot (${e.message}); booting without it`);
      resolve(false);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (deadline !== null) clearTimeout(deadline);
      // Killed after a signal: the status the command gives for it (128 + its number, 130 for SIGINT).
      if (killedFor !== null) process.exit(128 + numbers[killedFor]);
      if (signal !== null) {
        // Die of the same signal, as the command would have without the snapshot.
        process.kill(process.pid, signal);
        return;
      }
      process.exit(code ?? 1);
    });
  });
}

/**
 * The bundle's start (dist/boot/start.cjs: `freshBundle`, `runBundle`; src/cli/boot-start.ts),
 * or null when dist/boot/ has none.
 */
function bundleStart() {
  try {
    return createRequire(import.meta.url)('../dist/boot/start.cjs');
  } catch {
    return null;
  }
}

// The snapshot in a child when there is a usable one (test/cli/interrupts.test.ts runs that path
// this way; from the command, bin/scheme-http, the bundle comes first); else the bundle, in this
// process; else the normal boot (which starts a snapshot's build only when there is no bundle).
const boot = process.env.SCHEME_HTTP_BUNDLE === '0' ? null : bundleStart();
const bundle = boot === null ? null : boot.freshBundle(root);
const blob = await usableSnapshot(bundle === null);
if (blob === null || !(await launch(blob))) {
  if (bundle !== null) {
    debug('booting from the bundle in dist/boot/');
    await boot.runBundle(bundle, args, createRequire(bundle.file));
  } else {
    const { run } = await import('../dist/cli.js');
    await run(args);
  }
}
