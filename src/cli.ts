/**
 * The `scheme-http` command: `scheme-http FILE.scm [ARGS…]` runs a program, `scheme-http -e EXPR`
 * (several) evaluates and prints, `-i` starts a REPL after them, and `scheme-http` alone starts
 * a REPL with every primitive loaded, in which a server started in a thread keeps serving while
 * resources are redefined. `--workers N` runs the program in N processes (src/cli/workers.ts);
 * the options are read in src/cli/options.ts, the help is src/cli/help.ts.
 *
 * As with CHICKEN, a program ends when its last top-level form has been evaluated, even if
 * threads (a server started in one, say) are still running; an error ends it with
 * `FILE:LINE: Error: …` on stderr and exit status 70.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { schemeRuntime, type SchemeRuntime } from './scheme/interpreter.js';
import { valuesOf } from './scheme/handlers.js';
import { writeString as lipsWriteString } from './scheme/prelude/output.js';
import { compiledRuntime } from './scheme/compiled-runtime.js';
import { Reader, sourceLine } from './scheme/compiler/reader.js';
import { EOF, textToBytes } from './scheme/runtime/data.js';
import { writeString as compiledWriteString } from './scheme/runtime/printer.js';
import { errorReport, conditionText } from './scheme/report.js';
import { Task, Interrupted } from './scheme/runtime/control.js';
import { COMPILED } from './scheme/interpreter.js';
import { parseOptions, UsageError, type CliPlan } from './cli/options.js';
import { HELP, USAGE, versionText } from './cli/help.js';
import { drainServersOnRequest, runPrimary } from './cli/workers.js';
import { clusterModule, workerDrained } from './http/server/workers.js';
import { workerSlot } from './http/server/debug-log.js';

/** `write` form of a value, as the engine in use prints it. */
function writeString(x: unknown): string {
  return COMPILED ? compiledWriteString(x) : lipsWriteString(x);
}

/** Exit status of a program that raised (EX_SOFTWARE, as CHICKEN's). */
const EXIT_ERROR = 70;
/** Exit status of a bad command line or an unreadable program file. */
const EXIT_USAGE = 2;

// ---------------------------------------------------------------------------------------------
// Reading top-level forms. LIPS parses each form; this scanner only finds where each top-level
// form begins and ends, so each is evaluated on its own (forms before an error run, an error
// names the line of its form), a REPL knows when input is complete, and block comments (which
// LIPS cannot nest) are blanked out before LIPS sees them.
// ---------------------------------------------------------------------------------------------

export interface Form {
  code: string;
  /** 1-based line of the form's first character. */
  line: number;
}

export interface ScanProblem {
  /** True when more input could complete the source (REPL: wait for the next line). */
  incomplete: boolean;
  line: number;
  message: string;
  /** Where the form that could not be read begins. */
  offset: number;
}

export interface Scan {
  forms: Form[];
  problem: ScanProblem | null;
}

class Incomplete {
  constructor(readonly message: string, readonly at: number) {}
}
class Unexpected {
  constructor(readonly message: string, readonly at: number) {}
}

const DELIMITER = /[\s()[\]";]/;

/** Splits SOURCE into its top-level forms. */
export function scanForms(source: string): Scan {
  const lineStarts = [0];
  for (let k = 0; k < source.length; k++) if (source[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (at: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  /** Block comments, to blank out of the forms that contain them. */
  const comments: Array<[number, number]> = [];
  const n = source.length;
  let i = 0;

  const lineComment = (): void => {
    while (i < n && source[i] !== '\n') i++;
  };
  const blockComment = (): void => {
    const start = i;
    let depth = 0;
    while (i < n) {
      if (source.startsWith('#|', i)) { depth++; i += 2; }
      else if (source.startsWith('|#', i)) {
        depth--;
        i += 2;
        if (depth === 0) { comments.push([start, i]); return; }
      } else i++;
    }
    throw new Incomplete('unterminated block comment #|', start);
  };
  /** Whitespace and comments; `#;` comments out the datum after it. */
  const atmosphere = (): void => {
    while (i < n) {
      const c = source[i]!;
      if (c === ';') lineComment();
      else if (/\s/.test(c)) i++;
      else if (c === '#' && source[i + 1] === '|') blockComment();
      else if (c === '#' && source[i + 1] === '!' && (i === 0 || /[\s/]/.test(source[i + 2] ?? ' '))) lineComment();
      else if (c === '#' && source[i + 1] === ';') {
        i += 2;
        datum();
      } else return;
    }
  };
  const delimited = (): void => {
    while (i < n && !DELIMITER.test(source[i]!)) i++;
  };
  const list = (open: number): void => {
    for (;;) {
      atmosphere();
      if (i >= n) throw new Incomplete(`unterminated list: the ${source[open]} on line ${lineOf(open)} is not closed`, open);
      const c = source[i]!;
      if (c === ')' || c === ']') { i++; return; }
      datum();
    }
  };
  const delimitedBy = (close: string, what: string): void => {
    const start = i;
    i++;
    while (i < n && source[i] !== close) i += source[i] === '\\' ? 2 : 1;
    if (i >= n) throw new Incomplete(`unterminated ${what} starting on line ${lineOf(start)}`, start);
    i++;
  };
  function datum(): void {
    atmosphere();
    if (i >= n) throw new Incomplete('unexpected end of input: a datum was expected', i);
    const c = source[i]!;
    const start = i;
    switch (c) {
      case '(': case '[':
        i++;
        list(start);
        return;
      case ')': case ']':
        throw new Unexpected(`unexpected ${c}`, i);
      case '"':
        delimitedBy('"', 'string');
        return;
      case '|':
        delimitedBy('|', 'symbol |…|');
        return;
      case "'": case '`':
        i++;
        datum();
        return;
      case ',':
        i += source[i + 1] === '@' ? 2 : 1;
        datum();
        return;
      case '#': {
        const d = source[i + 1];
        if (d === '(') { i += 2; list(start); return; }
        if (source.startsWith('u8(', i + 1)) { i += 4; list(start); return; }
        if (d === '\\') {
          i += 2;
          if (i >= n) throw new Incomplete('unterminated character #\\', start);
          const cp = source.codePointAt(i)!;
          i += cp > 0xffff ? 2 : 1;
          if (/[A-Za-z0-9]/.test(String.fromCodePoint(cp))) delimited();
          return;
        }
        if (d === '/') {
          // LIPS's regular expression literal #/…/flags
          i++;
          delimitedBy('/', 'regular expression #/…/');
          while (i < n && /[a-z]/.test(source[i]!)) i++;
          return;
        }
        i++;
        delimited();
        return;
      }
      default:
        delimited();
    }
  }

  const forms: Form[] = [];
  for (;;) {
    const before = i;
    try {
      atmosphere();
    } catch (e) {
      if (e instanceof Incomplete) return { forms, problem: { incomplete: true, line: lineOf(e.at), message: e.message, offset: before } };
      throw e;
    }
    if (i >= n) return { forms, problem: null };
    const start = i;
    try {
      datum();
    } catch (e) {
      if (e instanceof Incomplete || e instanceof Unexpected) {
        return { forms, problem: { incomplete: e instanceof Incomplete, line: lineOf(e instanceof Unexpected ? e.at : start), message: e.message, offset: start } };
      }
      throw e;
    }
    forms.push({ code: blankComments(source, start, i, comments), line: lineOf(start) });
  }
}

/** SOURCE[START, END) with the block comments in it turned into spaces (newlines kept). */
function blankComments(source: string, start: number, end: number, comments: Array<[number, number]>): string {
  let code = '';
  let at = start;
  for (const [from, to] of comments) {
    if (to <= start || from >= end) continue;
    code += source.slice(at, from) + source.slice(from, to).replace(/[^\n]/g, ' ');
    at = to;
  }
  return code + source.slice(at, end);
}

// ---------------------------------------------------------------------------------------------
// Output and error messages
// ---------------------------------------------------------------------------------------------

/** Whether stdout is at the start of a line, so a printed value starts on its own line. */
let atLineStart = true;

/** Keeps `atLineStart` up to date with everything written to stdout. */
function trackStdout(): void {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && chunk.length > 0) atLineStart = chunk.endsWith('\n');
    else if (chunk instanceof Uint8Array && chunk.length > 0) atLineStart = chunk[chunk.length - 1] === 0x0a;
    return write(chunk, ...rest);
  } as typeof process.stdout.write;
}

function freshLine(): void {
  if (!atLineStart) process.stdout.write('\n');
}

/** Prints each of V's values (none for #<void> and zero values), as csi does. */
function printValues(v: unknown): void {
  if (v === undefined) return;
  for (const x of valuesOf(v)) {
    if (x === undefined) continue;
    freshLine();
    process.stdout.write(writeString(x) + '\n');
  }
}

/** LIPS's " at line L and column C" of a syntax error, relative to the form it read. */
const LIPS_POSITION = / at line (\d+) and column (\d+)$/;

/**
 * A raised object as CHICKEN prints it: `(LOCATION) MESSAGE: ARGUMENT …` with the arguments in
 * `write` form, or `uncaught exception: OBJ` for a raised non-condition.
 */
export function errorText(e: unknown): string {
  if (COMPILED) return conditionText(e);
  // A condition re-raised by `guard` arrives wrapped: LIPS raises it again as continuable.
  const inner = (e as { __object__?: unknown } | null)?.__object__;
  if (inner !== undefined && inner !== e) return errorText(inner);
  if (!(e instanceof Error)) return `uncaught exception: ${writeString(e)}`;
  const { args, location } = e as Error & { args?: unknown; location?: unknown };
  let text = e.message.replace(LIPS_POSITION, '');
  if (location !== undefined && location !== false && location !== null) text = `(${writeString(location)}) ${text}`;
  if (Array.isArray(args) && args.length > 0) text += `: ${args.map((a) => writeString(a)).join(' ')}`;
  return text;
}

/** The line an error belongs to: its form's, or for LIPS's syntax errors the line inside the form. */
function errorLine(e: unknown, form: Form): number {
  const m = e instanceof Error ? LIPS_POSITION.exec(e.message) : null;
  return m === null ? form.line : form.line + Number(m[1]) - 1;
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/**
 * Evaluates SOURCE (bytes, one character each) form by form on the compiled engine; the first
 * error is reported with the line of the failing expression and the calls that led there.
 */
async function runCompiled(rt: SchemeRuntime, source: string, name: string, print: boolean): Promise<number> {
  const engine = (await compiledRuntime(() => [])).engine;
  const reader = new Reader(source);
  for (;;) {
    let datum: unknown;
    const line = lineAt(source, reader.offset);
    try {
      datum = reader.read();
      if (datum === EOF) return 0;
      let v = engine.evaluate(datum, { file: name, lineOf: sourceLine });
      if (v instanceof Promise) v = await v;
      if (print) printValues(v);
    } catch (e) {
      const r = errorReport(e, name, sourceLine(datum) ?? line);
      process.stderr.write(`${[r.first, ...r.chain].join('\n')}\n`);
      return EXIT_ERROR;
    }
  }
}

/** The 1-based line of offset AT in TEXT (skipping the blank space before the next form). */
function lineAt(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  let n = 1;
  for (let k = 0; k < i && k < text.length; k++) if (text.charCodeAt(k) === 10) n++;
  return n;
}

/** Evaluates SOURCE form by form; the first error is reported as `NAME:LINE: Error: …`. */
async function runSource(rt: SchemeRuntime, source: string, name: string, print: boolean): Promise<number> {
  if (rt.compiled) return runCompiled(rt, textToBytes(source), name, print);
  const { forms, problem } = scanForms(source);
  for (const form of forms) {
    try {
      const v = await rt.evaluate(form.code);
      if (print) printValues(v);
    } catch (e) {
      process.stderr.write(`${name}:${errorLine(e, form)}: Error: ${errorText(e)}\n`);
      return EXIT_ERROR;
    }
  }
  if (problem !== null) {
    process.stderr.write(`${name}:${problem.line}: Error: syntax error: ${problem.message}\n`);
    return EXIT_ERROR;
  }
  return 0;
}

async function runFile(rt: SchemeRuntime, file: string): Promise<number> {
  let source: string;
  try {
    // The compiled engine reads bytes (strings are bytes); LIPS reads text.
    source = fs.readFileSync(file, rt.compiled ? 'latin1' : 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    process.stderr.write(`scheme-http: cannot read ${file}: ${why}\n`);
    return EXIT_USAGE;
  }
  return rt.compiled ? runCompiled(rt, source, file, false) : runSource(rt, source, file, false);
}

async function repl(rt: SchemeRuntime): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  // Piped input gets no prompts and no echo: only what the program and its values print.
  const rl = readline.createInterface(interactive ? { input: process.stdin, output: process.stdout, prompt: '#;> ', terminal: true } : { input: process.stdin, terminal: false });
  const prompt = (): void => { if (interactive) rl.prompt(); };
  if (interactive) process.stdout.write(`scheme-http REPL (${rt.compiled ? 'compiled' : 'LIPS'}); the http: procedures are loaded. Ctrl-C interrupts, Ctrl-D leaves.\n`);
  prompt();
  let buffer = '';
  const lines: string[] = [];
  let busy = false;
  let closed = false;
  let finished!: (code: number) => void;
  const done = new Promise<number>((r) => { finished = r; });
  /** The evaluation running now, and how to give up waiting for it (Ctrl-C). */
  let running: { task: Task; interrupt: () => void } | null = null;
  let lastInterrupt = 0;

  /** Evaluates CODE; on Ctrl-C the run is stopped (at its next yield or wait) and this returns at once. */
  const interruptible = async (code: string): Promise<unknown> => {
    const task = new Task();
    let interrupt!: () => void;
    const stopped = new Promise<never>((_, reject) => {
      interrupt = () => {
        task.stop = new Interrupted('*** user interrupt ***');
        reject(task.stop);
      };
    });
    running = { task, interrupt };
    try {
      const run = rt.evaluate(code, null, task);
      run.catch(() => undefined); // an interrupted run may still end later: nobody waits for it
      return await Promise.race([run, stopped]);
    } finally {
      running = null;
    }
  };

  const evaluate = async (): Promise<void> => {
    const { forms, problem } = scanForms(buffer);
    buffer = problem !== null && problem.incomplete ? buffer.slice(problem.offset) : '';
    for (const form of forms) {
      try {
        printValues(await interruptible(form.code));
      } catch (e) {
        freshLine();
        process.stdout.write(e instanceof Interrupted ? `${e.message}\n` : `Error: ${errorText(e)}\n`);
        if (e instanceof Interrupted) break;
      }
    }
    if (problem !== null && !problem.incomplete) {
      freshLine();
      process.stdout.write(`Error: syntax error: ${problem.message}\n`);
    }
  };
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (lines.length > 0) {
      buffer += lines.shift()! + '\n';
      await evaluate();
      if (buffer.trim() === '') {
        buffer = '';
        prompt();
      }
    }
    busy = false;
    if (closed) {
      if (buffer.trim() !== '') {
        const problem = scanForms(buffer).problem;
        freshLine();
        process.stdout.write(`Error: syntax error: ${problem?.message ?? 'incomplete input'}\n`);
      }
      if (interactive) process.stdout.write('\n');
      finished(0);
    }
  };
  rl.on('line', (line) => {
    lastInterrupt = 0;
    lines.push(line);
    void pump();
  });
  rl.on('close', () => { closed = true; void pump(); });
  // Ctrl-C: stops the evaluation running; at the prompt it drops the line typed (and what was
  // typed of an unfinished form); on an empty line it says how to leave, and a second time in a
  // row (within 2 s), it leaves.
  rl.on('SIGINT', () => {
    if (running !== null) {
      lines.length = 0;
      lastInterrupt = 0;
      running.interrupt();
      return;
    }
    const empty = rl.line === '' && buffer.trim() === '';
    const now = Date.now();
    if (empty && now - lastInterrupt < 2000) {
      rl.close();
      return;
    }
    lastInterrupt = empty ? now : 0;
    buffer = '';
    process.stdout.write(empty ? '\n(To leave, press Ctrl-C again or Ctrl-D)\n' : '^C\n');
    const edit = rl as unknown as { line: string; cursor: number };
    edit.line = '';
    edit.cursor = 0;
    prompt();
  });
  return done;
}

/** Runs the command; resolves to its exit status. */
export async function main(argv: string[]): Promise<number> {
  let plan: CliPlan;
  try {
    plan = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`scheme-http: ${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (plan.action === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (plan.action === 'version') {
    process.stdout.write(versionText());
    return 0;
  }
  const cluster = clusterModule();
  if (plan.workers > 1 && cluster.isPrimary) return runPrimary(plan, argv);
  if (!cluster.isWorker) exitOnSignals();
  let rt: SchemeRuntime | null = null;
  // Before the engine loads: a worker told to drain while it starts leaves at once.
  if (workerSlot() !== null) drainServersOnRequest(() => rt);
  rt = await schemeRuntime(plan.args);
  let status = 0;
  for (const expr of plan.exprs) {
    status = await runSource(rt, expr, '-e', true);
    if (status !== 0) break;
  }
  if (status === 0 && plan.file !== null) status = await runFile(rt, plan.file);
  // -i: the REPL follows even a program that failed (its definitions are there to look at),
  // but not a file that could not be read.
  return plan.repl && status !== EXIT_USAGE ? repl(rt) : status;
}

/** Without workers, a signal ends the command at once (128 + its number, as a shell reports it). */
function exitOnSignals(): void {
  // Leave through process.exit, so exit handlers (and --cpu-prof) run.
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
}

/**
 * Runs the command (bin/scheme-http.js, the start-up snapshot, or this file run directly): ARGV
 * is the arguments after the script. The process ends when the command does, threads or not.
 */
export async function run(argv: string[]): Promise<never> {
  // A reader that went away (`scheme-http prog.scm | head -1`): end quietly, as a program killed
  // by SIGPIPE does (status 141 = 128 + SIGPIPE), instead of dying on an unhandled EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
  trackStdout();
  let code: number;
  try {
    code = await main(argv);
  } catch (e) {
    process.stderr.write(`scheme-http: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    code = EXIT_ERROR;
  }
  // A worker told to drain leaves once its servers have stopped, with the drain's status.
  code = (await workerDrained()) ?? code;
  process.exit(code);
}

/** True when this module is the script node was started with (`node --import tsx src/cli.ts`, `node dist/cli.js`). */
function isMain(): boolean {
  const script = process.argv[1];
  // import.meta.url is undefined when bundled as CommonJS (the snapshot), which calls run itself.
  const url: string | undefined = import.meta.url;
  return script !== undefined && url !== undefined && url === pathToFileURL(path.resolve(script)).href;
}

if (isMain()) void run(process.argv.slice(2));
