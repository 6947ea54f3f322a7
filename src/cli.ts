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
import { pathToFileURL } from 'node:url';
import { schemeRuntime, type SchemeRuntime } from './scheme/interpreter.js';
import { compiledRuntime } from './scheme/compiled-runtime.js';
import { Reader, sourceLine } from './scheme/compiler/reader.js';
import { EOF, textToBytes } from './scheme/runtime/data.js';
import { errorReport } from './scheme/report.js';
import { parseOptions, UsageError, type CliPlan } from './cli/options.js';
import { HELP, USAGE, versionText } from './cli/help.js';
import { drainServersOnRequest, runPrimary } from './cli/workers.js';
import { isClusterWorker, workerDrained } from './http/server/workers.js';
import { workerSlot } from './http/server/debug-log.js';
import { scanForms } from './cli/forms.js';
import { errorLine, errorText, printValues, trackStdout, writeEngineText } from './cli/output.js';
import { repl } from './cli/repl.js';

// Kept here for the modules that take them from the command (test/docs/samples.test.ts).
export { scanForms, type Form, type Scan, type ScanProblem } from './cli/forms.js';
export { errorText } from './cli/output.js';

/** Exit status of a program that raised (EX_SOFTWARE, as CHICKEN's). */
const EXIT_ERROR = 70;
/** Exit status of a bad command line or an unreadable program file. */
const EXIT_USAGE = 2;

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
      // The message is the engine's bytes (a Scheme string's): written as bytes, not re-encoded.
      writeEngineText(`${[r.first, ...r.chain].join('\n')}\n`, process.stderr);
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

/** Runs FILE; with PRINT (the REPL's `,ln`), the value of each form is printed. */
async function runFile(rt: SchemeRuntime, file: string, print = false): Promise<number> {
  let source: string;
  try {
    // The compiled engine reads bytes (strings are bytes); LIPS reads text.
    source = fs.readFileSync(file, rt.compiled ? 'latin1' : 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    process.stderr.write(`scheme-http: cannot read ${file}: ${why}\n`);
    return EXIT_USAGE;
  }
  return rt.compiled ? runCompiled(rt, source, file, print) : runSource(rt, source, file, print);
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
  const worker = isClusterWorker();
  if (plan.workers > 1 && !worker) return runPrimary(plan, argv);
  if (!worker) exitOnSignals();
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
  const loaded = rt;
  return plan.repl && status !== EXIT_USAGE ? repl(loaded, { loadFile: (file, print) => runFile(loaded, file, print) }) : status;
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
