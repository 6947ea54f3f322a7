/**
 * `scheme-http --workers N`: the primary process forks N workers that each run the program
 * with an engine of their own (node:cluster shares the server's port between them), starts
 * again one that crashes, and on SIGTERM/SIGINT has them all drain before it exits. The
 * primary loads no Scheme. The Supervisor doing the work is src/http/server/workers.ts.
 */
import fs from 'node:fs';
import type { SchemeRuntime } from '../scheme/interpreter.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, Supervisor, onWorkerDrain } from '../http/server/workers.js';
import type { CliPlan } from './options.js';

/** The exit status for each signal the primary drains on. */
const SIGNALS = [['SIGINT', 130], ['SIGTERM', 143]] as const;

/**
 * How a worker is started: as this process was. From the start-up snapshot
 * (`node --snapshot-blob BLOB -- ARGS`) there is no script: `--` stands in its place.
 */
function forkTarget(argv: readonly string[]): { exec: string; args: readonly string[]; execArgv: readonly string[] } {
  const fromSnapshot = process.execArgv.some((a) => a === '--snapshot-blob' || a.startsWith('--snapshot-blob='));
  const script = process.argv[1];
  if (!fromSnapshot && script === undefined) throw new Error('--workers: cannot tell which script to start the workers with');
  return { exec: fromSnapshot ? '--' : script!, args: argv, execArgv: process.execArgv };
}

/** Runs PLAN in PLAN.workers worker processes, each given ARGV; resolves to the exit status. */
export async function runPrimary(plan: CliPlan, argv: readonly string[]): Promise<number> {
  if (plan.file !== null) {
    // Said once here, rather than by every worker in turn until the primary gives up.
    try {
      fs.accessSync(plan.file, fs.constants.R_OK);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      process.stderr.write(`scheme-http: cannot read ${plan.file}: ${why}\n`);
      return 2;
    }
  }
  const supervisor = new Supervisor({ count: plan.workers, drainTimeout: DEFAULT_DRAIN_TIMEOUT_MS, ...forkTarget(argv) }).start();
  let signalled: number | null = null;
  for (const [signal, status] of SIGNALS) {
    process.on(signal, () => {
      if (signalled !== null) {
        // A second signal: no more waiting.
        supervisor.kill();
        process.exit(status);
      }
      signalled = status;
      void supervisor.drain();
    });
  }
  const end = await supervisor.ended;
  if (end.kind === 'gave-up') return end.status;
  return signalled ?? 0;
}

/**
 * In a worker: the program's servers drain when the primary, a signal or the primary's end says
 * so. RUNTIME is null until the engine has loaded (then there is nothing to drain).
 */
export function drainServersOnRequest(runtime: () => SchemeRuntime | null): void {
  onWorkerDrain((timeout) => Promise.all([...(runtime()?.servers.running ?? [])].map((s) => s.stop({ timeout }))));
}
