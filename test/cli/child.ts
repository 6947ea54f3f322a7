/**
 * Test support for the command line: runs `node --import tsx src/cli.ts ARGS` as a child process
 * in the repository, bounded by a timeout after which the child is killed by its PID, and a
 * driver for the REPL that writes to its stdin and waits (bounded) for its stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'src', 'cli.ts');

export interface CliResult {
  stdout: string;
  stderr: string;
  /** Exit status, or null when the child was killed. */
  code: number | null;
  /** True when the timeout ran out and the child was killed. */
  timedOut: boolean;
}

export function spawnCli(args: string[], cwd: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
}

function kill(child: ChildProcessWithoutNullStreams): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs the CLI with ARGS (and INPUT on stdin, then EOF); resolves when it exits or is killed. */
export function runCli(args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  const child = spawnCli(args, opts.cwd ?? ROOT);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; kill(child); }, opts.timeoutMs ?? 40_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ stdout, stderr, code, timedOut }); });
  });
}

/** A REPL child driven through its stdin (a pipe, not a TTY). */
export class Repl {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(args: string[] = []) {
    this.child = spawnCli(args, ROOT);
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; this.wake(); });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; this.wake(); });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => { this.wake(); resolve(code); }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(text: string): void {
    this.child.stdin.write(text.endsWith('\n') ? text : text + '\n');
  }

  /** Waits until stdout (from offset FROM) satisfies TEST, at most MS; returns that part of stdout. */
  async waitFor(test: string | RegExp, from = 0, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    const ok = (): boolean => {
      const s = this.stdout.slice(from);
      return typeof test === 'string' ? s.includes(test) : test.test(s);
    };
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) {
        throw new Error(`REPL: waited ${ms} ms for ${String(test)}; stdout: ${JSON.stringify(this.stdout.slice(from))}; stderr: ${JSON.stringify(this.stderr)}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return this.stdout.slice(from);
  }

  /** Closes stdin (EOF) and waits at most MS for the exit status. */
  async end(ms = 40_000): Promise<number | null> {
    this.child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
    const r = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.kill();
      throw new Error(`REPL did not exit within ${ms} ms after EOF`);
    }
    return r;
  }

  kill(): void {
    kill(this.child);
  }
}
