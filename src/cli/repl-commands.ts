/**
 * The REPL's toplevel commands, as csi has them: a line starting with `,` (`,?` lists them).
 * csi's that need what this REPL has not (its editor, frames and modules, the `#N` history of
 * results, the raw dump of an object's memory) are left out; `,help` is there too.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { schemeFrames } from '../scheme/compiler/index.js';
import { textToBytes } from '../scheme/runtime/data.js';
import { VERSION } from './help.js';
import { describe, type DescribeEnv } from './describe.js';
import { scanForms } from './forms.js';
import { errorText, writeString } from './output.js';

/** What a command needs of the REPL. */
export interface CommandContext {
  compiled: boolean;
  env: DescribeEnv;
  /** Evaluates every form of CODE (Ctrl-C stops it): the value of the last; raises what it raises. */
  evaluate(code: string): Promise<unknown>;
  printValues(v: unknown): void;
  /** Reports error E as the REPL does (`Error: …`) and keeps it for `,exn` and `,c`. */
  printError(e: unknown): void;
  /** The last error reported, or undefined. */
  lastError(): unknown;
  /** Runs FILE as `scheme-http FILE` would (errors reported); PRINT: each form's value printed. */
  loadFile(file: string, print: boolean): Promise<number>;
  /** Prints TEXT of the engine (bytes on the compiled engine) and a newline, on a line of its own. */
  say(text: string): void;
  /** The REPL's history file, or null when it keeps none. */
  historyFile: string | null;
  quit(): void;
}

interface Command {
  names: string[];
  /** How the help shows its argument. */
  args: string;
  help: string;
  /** True when its argument is an expression, which may go on over lines. */
  expression?: boolean;
  run(arg: string, ctx: CommandContext): Promise<void> | void;
}

/** Evaluates EXPR; on an error reports it and returns NONE. */
async function valueOf(expr: string, ctx: CommandContext): Promise<unknown> {
  try {
    return await ctx.evaluate(expr);
  } catch (e) {
    ctx.printError(e);
    return NONE;
  }
}
const NONE = Symbol('no value');

/** `,l a.scm "b c.scm"`: the file names, as symbols or strings. */
export function fileNames(arg: string): string[] {
  const names: string[] = [];
  for (const m of arg.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) names.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return names;
}

function needsArgument(name: string, arg: string, what: string, ctx: CommandContext): boolean {
  if (arg.trim() !== '') return false;
  ctx.say(`Error: ,${name} needs ${what}`);
  return true;
}

const COMMANDS: Command[] = [
  { names: ['?', 'help'], args: '', help: 'Show this text', run: (_a, ctx) => ctx.say(helpText()) },
  {
    names: ['p'], args: 'EXP', help: 'Pretty print evaluated expression EXP', expression: true,
    run: async (arg, ctx) => {
      if (needsArgument('p', arg, 'an expression', ctx)) return;
      const v = await valueOf(arg, ctx);
      if (v === NONE) return;
      const pp = ctx.env.lookup('pretty-print');
      if (typeof pp === 'function') await (pp as (x: unknown) => unknown)(v);
      else ctx.say(writeString(v));
    },
  },
  {
    names: ['d'], args: 'EXP', help: 'Describe result of evaluated expression EXP', expression: true,
    run: async (arg, ctx) => {
      if (needsArgument('d', arg, 'an expression', ctx)) return;
      const v = await valueOf(arg, ctx);
      // The description knows the compiled engine's data; LIPS's values are shown as written.
      if (v !== NONE) ctx.say(ctx.compiled ? describe(v, ctx.env) : writeString(v));
    },
  },
  { names: ['q'], args: '', help: 'Quit the REPL', run: (_a, ctx) => ctx.quit() },
  {
    names: ['l'], args: 'FILENAME ...', help: 'Load one or more files',
    run: async (arg, ctx) => {
      if (needsArgument('l', arg, 'a file name', ctx)) return;
      for (const f of fileNames(arg)) if ((await ctx.loadFile(f, false)) !== 0) return;
    },
  },
  {
    names: ['ln'], args: 'FILENAME ...', help: 'Load one or more files and print result of each top-level expression',
    run: async (arg, ctx) => {
      if (needsArgument('ln', arg, 'a file name', ctx)) return;
      for (const f of fileNames(arg)) if ((await ctx.loadFile(f, true)) !== 0) return;
    },
  },
  { names: ['r'], args: '', help: 'Show system information', run: (_a, ctx) => ctx.say(systemText(ctx)) },
  { names: ['s'], args: 'TEXT ...', help: 'Execute shell-command', run: (arg, ctx) => shell(arg, ctx) },
  {
    names: ['exn'], args: '', help: 'Describe last exception',
    run: (_a, ctx) => {
      const e = ctx.lastError();
      ctx.say(e === undefined ? 'no error so far' : ctx.compiled ? describe(e, ctx.env) : errorText(e));
    },
  },
  {
    names: ['c'], args: '', help: 'Show call-chain of most recent error',
    run: (_a, ctx) => {
      const e = ctx.lastError();
      const frames = e === undefined ? [] : schemeFrames(e);
      ctx.say(frames.length === 0 ? 'no call chain (no error so far, or it came from no Scheme procedure)' : frames.map((f) => `  ${f.name} (${f.file ?? 'repl'}:${f.line})`).join('\n'));
    },
  },
  {
    names: ['t'], args: 'EXP', help: 'Evaluate form and print elapsed time', expression: true,
    run: async (arg, ctx) => {
      if (needsArgument('t', arg, 'an expression', ctx)) return;
      const cpu = process.cpuUsage();
      const start = performance.now();
      const v = await valueOf(arg, ctx);
      const used = process.cpuUsage(cpu);
      // On stderr, as csi's `time` (and `,t`) report.
      process.stderr.write(`${((used.user + used.system) / 1e6).toFixed(3)}s CPU time, ${((performance.now() - start) / 1000).toFixed(3)}s elapsed\n`);
      if (v !== NONE) ctx.printValues(v);
    },
  },
];

export function helpText(): string {
  const rows = COMMANDS.map((c) => [`,${c.names[0]!}${c.args === '' ? '' : ` ${c.args}`}`, c.names.length > 1 ? `${c.help} (also ,${c.names.slice(1).join(', ,')})` : c.help] as const);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return ['Toplevel commands:', '', ...rows.map(([l, h]) => ` ${l.padEnd(width)}${h}`)].join('\n');
}

function systemText(ctx: CommandContext): string {
  // say() prints bytes on the compiled engine: the paths (text) as their UTF-8 bytes.
  const text = (s: string): string => (ctx.compiled ? textToBytes(s) : s);
  return [
    `scheme-http ${VERSION}, ${ctx.compiled ? 'compiled engine' : 'LIPS engine (SCHEME_HTTP_COMPILE=0)'}`,
    `Node.js ${process.version} on ${os.platform()} ${os.arch()}, pid ${process.pid}`,
    `working directory: ${text(process.cwd())}`,
    `history: ${ctx.historyFile === null ? 'not kept (input is not a terminal)' : text(ctx.historyFile)}`,
  ].join('\n');
}

/** `,s TEXT`: TEXT run by /bin/sh, on the REPL's terminal; the REPL waits for it. */
function shell(text: string, ctx: CommandContext): Promise<void> {
  if (needsArgument('s', text, 'a shell command', ctx)) return Promise.resolve();
  const tty = process.stdin.isTTY === true;
  // A terminal is handed over in its ordinary mode; piped input stays the REPL's.
  if (tty) process.stdin.setRawMode(false);
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', text], { stdio: [tty ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => process.stdout.write(d));
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('error', (e) => ctx.say(`Error: ,s: ${e.message}`));
    child.on('close', (code, signal) => {
      if (tty) process.stdin.setRawMode(true);
      if (code !== 0) ctx.say(`(exit status ${code ?? `signal ${signal}`})`);
      resolve();
    });
  });
}

/** The command of a line starting with `,`: its name and the rest of the text. */
function split(text: string): { name: string; arg: string } {
  const m = /^\s*,(\S*)\s*([^]*)$/.exec(text)!;
  return { name: m[1]!, arg: m[2]!.trim() };
}

/**
 * Whether TEXT (a command, perhaps over several lines) is complete: a command whose argument is
 * an expression waits for the rest of it, as csi reads it with `read`.
 */
export function commandComplete(text: string): boolean {
  const { name, arg } = split(text);
  const c = COMMANDS.find((k) => k.names.includes(name));
  if (c?.expression !== true || arg === '') return true;
  const problem = scanForms(arg).problem;
  return problem === null || !problem.incomplete;
}

/** Runs the command TEXT (`,d (car x)`); an unknown one is said to be unknown. */
export async function runCommand(text: string, ctx: CommandContext): Promise<void> {
  const { name, arg } = split(text);
  const c = COMMANDS.find((k) => k.names.includes(name));
  if (c === undefined) {
    ctx.say(name === '' ? 'Error: a command name is missing after , (enter ,? for the list)' : `Error: unknown command ,${name} (enter ,? for the list)`);
    return;
  }
  await c.run(arg, ctx);
}
