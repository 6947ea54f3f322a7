/**
 * Interrupts, proved with real processes, real signals and a real terminal:
 *  - SIGINT and SIGTERM end a running script within 1 s, status 130 / 143, its server closed;
 *  - Ctrl-C in a terminal (a SIGINT to the whole foreground process group) ends a script alike;
 *  - Ctrl-C at the REPL stops the evaluation and gives the prompt back within 1 s, definitions
 *    and a running server kept; at the prompt it cancels the line, and a second Ctrl-C on an
 *    empty line, or Ctrl-D, leaves;
 *  - the node the launcher starts from the snapshot is gone within 1 s of the launcher's death.
 * The computations: a tight named-let loop, deep non-tail recursion, a string-append loop on a
 * long string, (thread-sleep! 1000), and a server in a thread (which must answer while the
 * program computes, and after a REPL interrupt). Each through the node entry from the start-up
 * snapshot (bin/scheme-http.js and the node it starts) and without it (SCHEME_HTTP_SNAPSHOT=0:
 * one process); the scripts also through bin/scheme-http, the package's command, which execs
 * node with the snapshot (one process, the command's own PID: nothing can outlive it).
 *
 * The terminal is a pseudo-terminal that test/cli/terminal.py (python3) makes and relays. Runs
 * the built command: needs `npm run build` (dist/); the snapshot in dist/snapshot/ is used when
 * it is up to date, else one is built into a temporary directory. Linux only (/proc).
 *
 * Times run from the signal (or the byte written to the terminal) to the exit (or to the next
 * prompt); they are asserted below BOUND_MS (the issue's bound is 1 s, with room for a loaded
 * machine) and printed at the end. Every process started here is killed by its PID after each
 * test (tracked, with a marker of its command line against PID reuse) and bounded by LIFETIME_MS.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, sleep, tempDir } from '../support/client-fixtures.js';
import { checkSnapshot, snapshotFiles } from '../../src/snapshot/stamp.js';
import { ROOT } from './child.js';

const BIN = path.join(ROOT, 'bin', 'scheme-http.js');
const TERMINAL = path.join(ROOT, 'test', 'cli', 'terminal.py');

/** The issue's bound, ms. */
const ISSUE_MS = 1000;
/** The bound asserted, ms: the issue's, with room for a loaded machine. */
const BOUND_MS = 1500;
/** How long to wait for an exit or a prompt before calling it missing, ms. */
const MISSING_MS = BOUND_MS + 500;
/** How long a computation runs before it is interrupted, ms. */
const RUN_MS = 300;
/** How long to wait for what must not take long (start-up, a prompt, an answer), ms. */
const WAIT_MS = 20_000;
/** No process started here lives longer, ms. */
const LIFETIME_MS = 90_000;
const TIMEOUT = 60_000;

const linux = process.platform === 'linux';

// ---------------------------------------------------------------------------------------------
// The computations
// ---------------------------------------------------------------------------------------------

interface Computation {
  name: string;
  /** Forms evaluated first (definitions, a server on PORT). */
  setup(port: number): string[];
  /** One form that prints "running" and then computes without end. */
  run: string;
  /** Whether setup starts a server on PORT. */
  server?: boolean;
}

const running = (form: string): string => `(begin (display "running") (newline) ${form})`;

const LOOP: Computation = { name: 'a tight named-let loop', setup: () => [], run: running('(let loop ((i 0)) (loop (+ i 1)))') };
const DEEP: Computation = {
  name: 'deep non-tail recursion',
  setup: () => ['(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))'],
  // A million frames deep (~1 s), again and again.
  run: running('(let loop () (deep 1000000) (loop))'),
};
const STRING: Computation = {
  name: 'a string-append loop on a 1 MB string',
  setup: () => [],
  run: running('(let loop ((s (make-string 1000000 #\\x))) (loop (string-append s "x")))'),
};
const SLEEP: Computation = { name: '(thread-sleep! 1000)', setup: () => [], run: running('(thread-sleep! 1000)') };

/** Forms that start a server on 127.0.0.1:PORT in a thread, answering "pong" at /ping. */
function serverForms(port: number): string[] {
  return [
    String.raw`(http:add-resource "/ping" (lambda (req args) (display "Content-type: text/plain\r\n\r\npong")))`,
    `(thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1")))))`,
  ];
}

const SERVER: Computation = { name: 'a tight loop beside a server in a thread', setup: serverForms, run: LOOP.run, server: true };

const COMPUTATIONS = [LOOP, DEEP, STRING, SLEEP, SERVER];

/** STRING once the event loop has turned (a wait first): the launcher's death is then seen by the watchdog thread. */
const STRING_AFTER_A_WAIT: Computation = { name: `${STRING.name}, after a wait`, setup: () => ['(thread-sleep! 0.05)'], run: STRING.run };

// ---------------------------------------------------------------------------------------------
// What does not hold yet
// ---------------------------------------------------------------------------------------------

/**
 * snapshot: `node bin/scheme-http.js`, which runs the snapshot in a child node; in-process: the
 * normal boot, one process; exec: bin/scheme-http, the package's command, which execs node with
 * the snapshot (one process: the command is the node running Scheme).
 */
type Mode = 'snapshot' | 'in-process' | 'exec';
const MODES: Mode[] = ['snapshot', 'in-process'];
const SH = path.join(ROOT, 'bin', 'scheme-http');

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** Processes to kill after each test: PID and a piece of its command line (against PID reuse). */
const tracked: Array<{ pid: number; marker: string }> = [];

function track(pid: number, marker: string): void {
  tracked.push({ pid, marker });
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * True while a thread of PID runs. A zombie, waiting to be reaped, has ended; but the main
 * thread shows as one as soon as it has exited, while the others may still be exiting (and hold
 * the process's files, its sockets among them): every thread is looked at.
 */
function alive(pid: number): boolean {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  return tids.some((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  });
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time PID has used, ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15 of stat, 12 and 13 after the state.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

afterEach(() => {
  for (const { pid, marker } of tracked.splice(0)) {
    if (alive(pid) && cmdline(pid).includes(marker)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when it was seen. */
  at: number;
}

/** Terminal control sequences out, and CR LF as LF: what a terminal would show, line by line. */
function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\r+\n/g, '\n').replace(/\r/g, '');
}

/** A child process with its output kept, tracked, killed after LIFETIME_MS at the latest. */
class Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  private out = '';
  private err = '';
  private exit: Exit | null = null;
  private readonly exited: Promise<Exit>;
  private waiters: Array<() => void> = [];

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv, marker: string) {
    this.child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`could not start ${command}`);
    this.pid = this.child.pid;
    track(this.pid, marker);
    const lifetime = setTimeout(() => this.child.kill('SIGKILL'), LIFETIME_MS).unref();
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => { this.out += d; this.wake(); });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.err += d; this.wake(); });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        clearTimeout(lifetime);
        this.exit = { code, signal, at: performance.now() };
        this.wake();
        resolve(this.exit);
      });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** What it wrote to stdout from offset FROM, as a terminal shows it. */
  text(from = 0): string {
    return plain(this.out.slice(from));
  }

  /** Offset of the end of stdout now. */
  mark(): number {
    return this.out.length;
  }

  get stderr(): string {
    return this.err;
  }

  write(s: string): void {
    this.child.stdin!.write(s);
  }

  /** Waits until TEST holds of stdout from FROM (as text()) or of stderr, at most MS. */
  async waitFor(test: RegExp | string, opts: { from?: number; ms?: number; stream?: 'stdout' | 'stderr' } = {}): Promise<string> {
    const { from = 0, ms = WAIT_MS, stream = 'stdout' } = opts;
    const deadline = performance.now() + ms;
    for (;;) {
      const s = stream === 'stdout' ? this.text(from) : this.err;
      if (typeof test === 'string' ? s.includes(test) : test.test(s)) return s;
      const left = deadline - performance.now();
      if (left <= 0 || this.exit !== null) {
        const why = this.exit !== null ? `it exited (${this.exit.code ?? this.exit.signal})` : `${ms} ms passed`;
        throw new Error(`waiting for ${String(test)} on ${stream}, ${why}; stdout: ${JSON.stringify(this.text(from))}; stderr: ${JSON.stringify(this.err)}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** Its exit, or null when it has not exited within MS. */
  async exitWithin(ms: number): Promise<Exit | null> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([this.exited, new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms); })]);
    clearTimeout(timer);
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// The command, its snapshot, its output
// ---------------------------------------------------------------------------------------------

let tmp: string | null = null;
/** Where the snapshot is, when not in dist/snapshot/ (built here because that one is stale). */
let snapDir: string | null = null;
let files = 0;

beforeAll(async () => {
  for (const f of ['dist/cli.js', 'dist/snapshot/entry.js', 'dist/snapshot/stamp.js']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  tmp = await tempDir('interrupts');
  if (!checkSnapshot(snapshotFiles(ROOT)).ok) {
    snapDir = path.join(tmp, 'snapshot');
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-snapshot.mjs'), '--dir', snapDir, '--strict', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 150_000,
      killSignal: 'SIGKILL',
    });
    if (built.status !== 0) throw new Error(`build-snapshot failed: ${built.stderr}`);
  }
}, 180_000);

/** The measured times: what, mode, ms (null: not within the wait). */
const times: Array<[string, string, number | null]> = [];

function record(what: string, mode: string, ms: number | null): void {
  times.push([what, mode, ms]);
}

afterAll(async () => {
  await removeDir(tmp);
  if (times.length === 0) return;
  const width = Math.max(...times.map(([w]) => w.length));
  const lines = times.map(([what, mode, ms]) => `${what.padEnd(width)}  ${mode.padEnd(10)}  ${ms === null ? 'NOT within the wait' : `${ms.toFixed(0).padStart(5)} ms${ms >= ISSUE_MS ? '  (over 1 s)' : ''}`}`);
  console.log(`Interrupts: measured times (asserted below ${BOUND_MS} ms; the issue's bound is ${ISSUE_MS} ms)\n${lines.join('\n')}`);
});

/** This environment for MODE: the snapshot's node under the launcher, or one process without it. */
function envFor(mode: Mode): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TERM: 'xterm' };
  for (const k of ['NODE_OPTIONS', 'SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_COMPILE', 'SCHEME_HTTP_LAUNCHER', 'SCHEME_HTTP_SNAPSHOT', 'SCHEME_HTTP_SNAPSHOT_DIR']) delete env[k];
  if (mode === 'in-process') env.SCHEME_HTTP_SNAPSHOT = '0';
  else if (snapDir !== null) env.SCHEME_HTTP_SNAPSHOT_DIR = snapDir;
  return env;
}

/**
 * The process that runs Scheme for the command whose PID is COMMAND: itself without the
 * snapshot; with it, the node the launcher started from the snapshot (which must be there).
 */
async function schemeNode(command: number, mode: Mode): Promise<number> {
  if (mode === 'exec') {
    // bin/scheme-http execs node on the boot bundle (dist/boot/start.cjs), or on the snapshot
    // when there is no usable bundle: either way the command's own process runs Scheme.
    expect(cmdline(command)).toMatch(/--snapshot-blob|dist\/boot\/start\.cjs/);
    return command;
  }
  if (mode === 'in-process') {
    expect(childrenOf(command).filter((p) => cmdline(p).includes('--snapshot-blob'))).toEqual([]);
    return command;
  }
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const node = childrenOf(command).find((p) => cmdline(p).includes('--snapshot-blob'));
    if (node !== undefined) {
      track(node, '--snapshot-blob');
      return node;
    }
    if (performance.now() > deadline) throw new Error(`the launcher ${command} started no node from the snapshot`);
    await sleep(10);
  }
}

function writeProgram(c: Computation, port: number): string {
  const file = path.join(tmp!, `program-${++files}.scm`);
  fs.writeFileSync(file, [...c.setup(port), c.run, ''].join('\n'));
  return file;
}

/** GET http://127.0.0.1:PORT/PATH: the body, or an error within 3 s. */
function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from port ${port} within 3 s`)));
    req.on('error', reject);
  });
}

/** The body of GET /PATH once the server on PORT answers (connections refused meanwhile: retried). */
async function getOnceUp(port: number, urlPath: string, ms = WAIT_MS): Promise<string> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      return await get(port, urlPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || performance.now() > deadline) throw e;
      await sleep(20);
    }
  }
}

/** True when nothing listens on 127.0.0.1:PORT. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

/** Runs C as a program: once it is running, its command, the node running Scheme, and its port. */
async function startProgram(c: Computation, mode: Mode, inTerminal: boolean): Promise<{ proc: Proc; command: number; node: number; port: number }> {
  const port = c.server === true ? await freePort() : 0;
  const file = writeProgram(c, port);
  const env = envFor(mode);
  const argv = mode === 'exec' ? [SH, file] : [process.execPath, BIN, file];
  const proc = inTerminal ? new Proc('python3', [TERMINAL, ...argv], env, 'terminal.py') : new Proc(argv[0]!, argv.slice(1), env, 'scheme-http');
  const command = inTerminal ? await terminalCommand(proc) : proc.pid;
  await proc.waitFor('running\n');
  const node = await schemeNode(command, mode);
  // Served while the program computes (the engine yields to the event loop).
  if (c.server === true) expect(await getOnceUp(port, '/ping')).toBe('pong');
  return { proc, command, node, port };
}

/** The PID of the command terminal.py runs (the first line of its stderr), tracked. */
async function terminalCommand(term: Proc): Promise<number> {
  const m = /^pid (\d+)\n/.exec(await term.waitFor(/^pid \d+\n/, { stream: 'stderr' }));
  const pid = Number(m![1]);
  track(pid, 'scheme-http');
  return pid;
}

// ---------------------------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------------------------

describe.runIf(linux).each([...MODES, 'exec'] as Mode[])('a script (%s)', (mode) => {
  for (const c of COMPUTATIONS) {
    for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      it(`ends within 1 s of ${signal} with status ${status} during ${c.name}`, async () => {
        const { proc, node, port } = await startProgram(c, mode, false);
        await sleep(RUN_MS);
        const sent = performance.now();
        process.kill(proc.pid, signal);
        const exit = await proc.exitWithin(MISSING_MS);
        record(`script, ${signal}, ${c.name}`, mode, exit === null ? null : exit.at - sent);
        expect(exit, `no exit within ${MISSING_MS} ms of ${signal}`).not.toBeNull();
        expect([exit!.code, exit!.signal]).toEqual([status, null]);
        expect(exit!.at - sent).toBeLessThan(BOUND_MS);
        expect(alive(node)).toBe(false);
        if (c.server === true) expect(await refused(port)).toBe(true);
      }, TIMEOUT);
    }
  }
});

describe.runIf(linux).each([...MODES, 'exec'] as Mode[])('a script in a terminal (%s)', (mode) => {
  for (const c of [LOOP, STRING]) {
    it(`ends within 1 s of Ctrl-C with status 130 during ${c.name}`, async () => {
      const { proc, node } = await startProgram(c, mode, true);
      await sleep(RUN_MS);
      const sent = performance.now();
      proc.write('\x03');
      const exit = await proc.exitWithin(MISSING_MS);
      record(`script in a terminal, Ctrl-C, ${c.name}`, mode, exit === null ? null : exit.at - sent);
      expect(exit, `no exit within ${MISSING_MS} ms of Ctrl-C`).not.toBeNull();
      // terminal.py exits with the command's status (128 + N when killed by signal N).
      expect(exit!.code).toBe(130);
      expect(exit!.at - sent).toBeLessThan(BOUND_MS);
      expect(alive(node)).toBe(false);
    }, TIMEOUT);
  }
});

// ---------------------------------------------------------------------------------------------
// The REPL on a terminal
// ---------------------------------------------------------------------------------------------

const PROMPT = /#;> $/;

/** A REPL on a pseudo-terminal, as typed at. */
class TerminalRepl {
  private constructor(readonly term: Proc, readonly command: number, readonly node: number) {}

  static async start(mode: Mode): Promise<TerminalRepl> {
    const term = new Proc('python3', [TERMINAL, process.execPath, BIN], envFor(mode), 'terminal.py');
    const command = await terminalCommand(term);
    await term.waitFor(PROMPT);
    return new TerminalRepl(term, command, await schemeNode(command, mode));
  }

  /** Types FORM and Enter; resolves to what was shown up to the next prompt. */
  async enter(form: string): Promise<string> {
    const from = this.term.mark();
    this.term.write(`${form}\r`);
    return this.term.waitFor(new RegExp(`\\n[^]*${PROMPT.source}`), { from });
  }

  /** Types FORM and Enter, and waits until it prints "running". */
  async start(form: string): Promise<void> {
    const from = this.term.mark();
    this.term.write(`${form}\r`);
    await this.term.waitFor('running\n', { from });
  }

  /** Presses Ctrl-C; resolves to the ms until TEST holds of what is shown after (null: not within MS). */
  async ctrlC(test: RegExp, ms = MISSING_MS): Promise<number | null> {
    const from = this.term.mark();
    const sent = performance.now();
    this.term.write('\x03');
    try {
      await this.term.waitFor(test, { from, ms });
    } catch {
      return null;
    }
    return performance.now() - sent;
  }
}

const INTERRUPTED = /^\*\*\* user interrupt \*\*\*\n#;> $/;

describe.runIf(linux).each(MODES)('the REPL on a terminal (%s)', (mode) => {
  it('Ctrl-C stops each computation within 1 s and gives the prompt back, keeping definitions and a running server', async () => {
    const repl = await TerminalRepl.start(mode);
    const port = await freePort();
    expect(await repl.enter('(define x 42)')).toMatch(PROMPT);
    for (const form of [...serverForms(port), ...DEEP.setup(port)]) await repl.enter(form);
    expect(await getOnceUp(port, '/ping')).toBe('pong');
    for (const c of [LOOP, DEEP, SLEEP]) {
      await repl.start(c.run);
      await sleep(RUN_MS);
      // The server is served while the REPL computes.
      expect(await get(port, '/ping')).toBe('pong');
      const ms = await repl.ctrlC(INTERRUPTED);
      record(`REPL, Ctrl-C to the prompt, ${c.name}`, mode, ms);
      expect(ms, `no prompt within ${MISSING_MS} ms of Ctrl-C`).not.toBeNull();
      expect(ms!).toBeLessThan(BOUND_MS);
      // Stopped, not left running: the process is idle.
      await sleep(300);
      const cpu = cpuMs(repl.node);
      await sleep(1000);
      const used = cpuMs(repl.node) - cpu;
      record(`REPL, CPU time used in the 2nd second after the interrupt, ${c.name}`, mode, used);
      expect(used, 'CPU ms used in the second after the interrupt').toBeLessThan(150);
      expect(await repl.enter('x')).toBe('x\n42\n#;> ');
      expect(await get(port, '/ping')).toBe('pong');
    }
  }, TIMEOUT * 2);

  it(`Ctrl-C stops ${STRING.name} within 1 s and gives the prompt back`, async () => {
    const repl = await TerminalRepl.start(mode);
    expect(await repl.enter('(define x 42)')).toMatch(PROMPT);
    await repl.start(STRING.run);
    await sleep(RUN_MS);
    const ms = await repl.ctrlC(INTERRUPTED);
    record(`REPL, Ctrl-C to the prompt, ${STRING.name}`, mode, ms);
    expect(ms, `no prompt within ${MISSING_MS} ms of Ctrl-C`).not.toBeNull();
    expect(ms!).toBeLessThan(BOUND_MS);
    expect(await repl.enter('x')).toBe('x\n42\n#;> ');
  }, TIMEOUT);

  it('Ctrl-C cancels a half-typed line or form; on an empty line it says how to leave, and a second Ctrl-C leaves', async () => {
    const repl = await TerminalRepl.start(mode);
    let from = repl.term.mark();
    repl.term.write('(+ 1');
    await repl.term.waitFor('(+ 1', { from });
    expect(await repl.ctrlC(/^\^C\n#;> $/)).not.toBeNull();
    expect(await repl.enter('(+ 2 3)')).toBe('(+ 2 3)\n5\n#;> ');
    // An unfinished form over lines: a continuation prompt until it is complete (it may come
    // before or after the mark); Ctrl-C drops all of it.
    from = repl.term.mark();
    repl.term.write('(list 1\r');
    await repl.term.waitFor('(list 1\n', { from });
    expect(await repl.ctrlC(/^(\.\.\. )?\^C\n#;> $/)).not.toBeNull();
    expect(await repl.enter('(+ 2 3)')).toBe('(+ 2 3)\n5\n#;> ');
    expect(await repl.ctrlC(/^\n\(To leave, press Ctrl-C again or Ctrl-D\)\n#;> $/)).not.toBeNull();
    const sent = performance.now();
    repl.term.write('\x03');
    const exit = await repl.term.exitWithin(MISSING_MS);
    record('REPL, second Ctrl-C on an empty line, to the exit', mode, exit === null ? null : exit.at - sent);
    expect(exit?.code).toBe(0);
    expect(alive(repl.node)).toBe(false);
  }, TIMEOUT);

  it('a Ctrl-C that cancels a line does not count towards leaving; Ctrl-D on an empty line leaves', async () => {
    const repl = await TerminalRepl.start(mode);
    const from = repl.term.mark();
    repl.term.write('(car');
    await repl.term.waitFor('(car', { from });
    expect(await repl.ctrlC(/^\^C\n#;> $/)).not.toBeNull();
    // The first Ctrl-C on the empty line only says how to leave.
    expect(await repl.ctrlC(/^\n\(To leave, press Ctrl-C again or Ctrl-D\)\n#;> $/)).not.toBeNull();
    expect(await repl.enter('(* 6 7)')).toBe('(* 6 7)\n42\n#;> ');
    const sent = performance.now();
    repl.term.write('\x04');
    const exit = await repl.term.exitWithin(MISSING_MS);
    record('REPL, Ctrl-D on an empty line, to the exit', mode, exit === null ? null : exit.at - sent);
    expect(exit?.code).toBe(0);
    expect(alive(repl.node)).toBe(false);
  }, TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// The launcher's death
// ---------------------------------------------------------------------------------------------

/** Kills the launcher COMMAND with SIGKILL; resolves to the ms until NODE is gone (null: not within MS). */
async function killLauncher(command: number, node: number, ms = MISSING_MS): Promise<number | null> {
  const sent = performance.now();
  process.kill(command, 'SIGKILL');
  while (alive(node)) {
    if (performance.now() - sent > ms) return null;
    await sleep(5);
  }
  return performance.now() - sent;
}

describe.runIf(linux)("the node started by the launcher, at the launcher's death", () => {
  for (const c of [...COMPUTATIONS, STRING_AFTER_A_WAIT]) {
    it(`is gone within 1 s during ${c.name}`, async () => {
      const { command, node, port } = await startProgram(c, 'snapshot', false);
      await sleep(RUN_MS);
      const ms = await killLauncher(command, node);
      record(`launcher SIGKILLed, its node gone, ${c.name}`, 'snapshot', ms);
      expect(ms, `the node still runs ${MISSING_MS} ms after`).not.toBeNull();
      expect(ms!).toBeLessThan(BOUND_MS);
      if (c.server === true) expect(await refused(port)).toBe(true);
    }, TIMEOUT);
  }

  it('is gone within 1 s while its REPL computes', async () => {
    const repl = await TerminalRepl.start('snapshot');
    await repl.start(LOOP.run);
    await sleep(RUN_MS);
    const ms = await killLauncher(repl.command, repl.node);
    record(`launcher SIGKILLed, its node gone, REPL: ${LOOP.name}`, 'snapshot', ms);
    expect(ms, `the node still runs ${MISSING_MS} ms after`).not.toBeNull();
    expect(ms!).toBeLessThan(BOUND_MS);
  }, TIMEOUT);
});
