#!/usr/bin/env node
/**
 * The scheme-http command.
 *
 * It starts from the start-up snapshot (dist/snapshot/, built by `npm run build`) when there is
 * one that this node binary built from the files installed now: LIPS with its standard library
 * and our runtime already loaded, ~0.1 s instead of ~1 s. Node cannot load a snapshot into a
 * running process, so this one runs `node --snapshot-blob BLOB -- ARGS` and passes signals and the
 * exit status through. Otherwise it boots LIPS itself (the compiled CLI in dist/, from `npm run
 * build`), as it also does when node runs with options of its own (--inspect, --cpu-prof …, or
 * NODE_OPTIONS).
 *
 * SCHEME_HTTP_SNAPSHOT=0      never use the snapshot
 * SCHEME_HTTP_SNAPSHOT=debug  say on stderr whether it is used, and why not
 * SCHEME_HTTP_SNAPSHOT_DIR    where to look for it instead of dist/snapshot/
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const mode = process.env.SCHEME_HTTP_SNAPSHOT ?? '';

function debug(msg) {
  if (mode === 'debug') process.stderr.write(`scheme-http: ${msg}\n`);
}

/** The blob to start from, or null. */
async function usableSnapshot() {
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
  const dir = process.env.SCHEME_HTTP_SNAPSHOT_DIR;
  const check = stamp.checkSnapshot(stamp.snapshotFiles(root, dir ? path.resolve(dir) : undefined));
  debug(check.ok ? `starting from the snapshot ${check.blob}` : `start-up snapshot not used: ${check.reason}`);
  return check.ok ? check.blob : null;
}

/**
 * How long a command sent a signal may take to leave by itself (it does at its next turn of the
 * event loop, which the engine gives every 50 ms of computation) before it is killed: a long call
 * of a primitive gives none. The bound is 1 s from the signal to the exit.
 */
const GRACE_MS = 400;

/** Runs the command in a node started from BLOB; resolves to false if that node could not be started. */
async function launch(blob) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--snapshot-blob', blob, '--', ...args], {
    // The IPC channel tells the child when this process is gone, even by SIGKILL (src/snapshot/entry.ts).
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SCHEME_HTTP_LAUNCHER: String(process.pid) },
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  /** The signals passed on, with their numbers (the same on every platform node runs on). */
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  const signals = Object.keys(numbers);
  /** The signal the child was killed for, when it did not leave within GRACE_MS. */
  let killedFor = null;
  let deadline = null;
  const forward = (signal) => {
    if (!running()) return;
    child.kill(signal);
    deadline ??= setTimeout(() => {
      if (!running()) return;
      killedFor = signal;
      child.kill('SIGKILL');
    }, GRACE_MS);
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

const blob = await usableSnapshot();
if (blob === null || !(await launch(blob))) {
  const { run } = await import('../dist/cli.js');
  await run(args);
}
