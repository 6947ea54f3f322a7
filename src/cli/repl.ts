/**
 * The REPL of `scheme-http` (no program, or -i). On a terminal: the prompt `#;> ` on a line of
 * its own (output without a final newline is kept), `... ` while a form is incomplete, Tab
 * completion of every bound name, history across sessions (src/cli/history.ts), csi's `,`
 * commands (src/cli/repl-commands.ts), output written while the prompt waits put above it
 * (src/cli/prompt-output.ts); Ctrl-C stops an evaluation, or drops the line being typed, and a
 * second one on an empty line, or Ctrl-D, leaves. On piped input: no prompt, no colours, no
 * history; each value is printed.
 */
import readline from 'node:readline';
import type { SchemeRuntime } from '../scheme/interpreter.js';
import { compiledRuntime } from '../scheme/compiled-runtime.js';
import { Task, Interrupted } from '../scheme/runtime/control.js';
import { scanForms } from './forms.js';
import { errorText, freshLine, printValues, writeEngineText } from './output.js';
import { completer } from './completion.js';
import { HISTORY_SIZE, historyPath, loadHistory, saveHistory } from './history.js';
import { PromptOutput } from './prompt-output.js';
import { commandComplete, runCommand, type CommandContext } from './repl-commands.js';
import type { DescribeEnv } from './describe.js';

export const PROMPT = '#;> ';
/** While a form goes on over lines (csi shows nothing; Node's REPL shows `...`). */
export const CONTINUATION_PROMPT = '... ';

/** What the REPL needs of the command that starts it. */
export interface ReplHost {
  /** Runs FILE as `scheme-http FILE` does (`,l`); PRINT: each form's value is printed (`,ln`). */
  loadFile(file: string, print: boolean): Promise<number>;
}

/** The engine's global names (completion) and values (`,d`). */
interface Names extends DescribeEnv {
  names(): string[];
}

async function engineNames(rt: SchemeRuntime): Promise<Names> {
  if (rt.compiled) {
    const engine = (await compiledRuntime(() => [])).engine;
    return {
      names: () => [...engine.names(), ...engine.syntax.keys()],
      isBound: (n) => engine.isBound(n) || engine.syntax.has(n),
      lookup: (n) => engine.lookup(n),
    };
  }
  // LIPS: the environments from the REPL's up to the global one.
  type Env = { __env__?: Record<string, unknown>; __parent__?: Env | null };
  const chain = (): Env[] => {
    const envs: Env[] = [];
    for (let e: Env | null | undefined = rt.lips.env as unknown as Env; e != null; e = e.__parent__) envs.push(e);
    return envs;
  };
  const find = (n: string): Env | undefined => chain().find((e) => e.__env__ !== undefined && Object.hasOwn(e.__env__, n));
  return {
    names: () => chain().flatMap((e) => Object.keys(e.__env__ ?? {})),
    isBound: (n) => find(n) !== undefined,
    lookup: (n) => find(n)?.__env__?.[n],
  };
}

export async function repl(rt: SchemeRuntime, host: ReplHost): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  const env = await engineNames(rt);
  const term = interactive ? new PromptOutput() : null;
  const historyFile = interactive ? historyPath() : null;
  // Piped input gets no prompts and no echo: only what the program and its values print.
  const rl = term !== null && historyFile !== null
    ? readline.createInterface({
      input: process.stdin,
      output: term.output,
      prompt: PROMPT,
      terminal: true,
      completer: completer(() => env.names()),
      history: loadHistory(historyFile),
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
    })
    : readline.createInterface({ input: process.stdin, terminal: false });
  term?.attach(rl);
  let historyProblem: string | null = null;
  const keepHistory = (): void => {
    if (historyFile === null || historyProblem !== null) return;
    historyProblem = saveHistory(historyFile, (rl as unknown as { history: string[] }).history);
    if (historyProblem !== null) process.stderr.write(`scheme-http: ${historyProblem}\n`);
  };
  /** What is typed out of the REPL's own (prompts, ^C): past the interception of output. */
  const say = (text: string): void => {
    if (term !== null) term.write(text);
    else process.stdout.write(text);
  };
  const prompt = (): void => {
    if (term === null) return;
    rl.setPrompt(buffer.trim() === '' ? PROMPT : CONTINUATION_PROMPT);
    term.prompt();
  };
  if (interactive) say(`scheme-http REPL (${rt.compiled ? 'compiled' : 'LIPS'}); the http: procedures are loaded. ,? lists the commands; Ctrl-C interrupts, Ctrl-D leaves.\n`);
  let buffer = '';
  prompt();
  const lines: string[] = [];
  let busy = false;
  let closed = false;
  let quitting = false;
  let lastError: unknown;
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

  const printError = (e: unknown): void => {
    freshLine();
    if (e instanceof Interrupted) {
      process.stdout.write(`${e.message}\n`);
      return;
    }
    lastError = e;
    writeEngineText(`Error: ${errorText(e)}\n`);
  };

  const commands: CommandContext = {
    compiled: rt.compiled,
    env,
    evaluate: interruptible,
    printValues,
    printError,
    lastError: () => lastError,
    loadFile: (file, print) => host.loadFile(file, print),
    say: (text) => {
      freshLine();
      writeEngineText(`${text}\n`);
    },
    historyFile,
    quit: () => {
      quitting = true;
      lines.length = 0;
      rl.close();
    },
  };

  const evaluate = async (): Promise<void> => {
    if (buffer.trimStart().startsWith(',')) {
      // A toplevel command: run once its expression (if it takes one) is complete.
      if (!commandComplete(buffer)) return;
      const text = buffer;
      buffer = '';
      try {
        await runCommand(text, commands);
      } catch (e) {
        printError(e);
      }
      return;
    }
    const { forms, problem } = scanForms(buffer);
    buffer = problem !== null && problem.incomplete ? buffer.slice(problem.offset) : '';
    for (const form of forms) {
      try {
        printValues(await interruptible(form.code));
      } catch (e) {
        printError(e);
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
    while (lines.length > 0 && !quitting) {
      buffer += lines.shift()! + '\n';
      await evaluate();
      if (buffer.trim() === '') buffer = '';
      // A prompt after the last line typed (lines typed ahead are read without one).
      if (lines.length === 0 && !quitting && !closed) prompt();
    }
    busy = false;
    if (closed) {
      if (buffer.trim() !== '' && !quitting) {
        const problem = scanForms(buffer).problem;
        freshLine();
        process.stdout.write(`Error: syntax error: ${problem?.message ?? 'incomplete input'}\n`);
      }
      if (interactive) {
        // Leaving by Ctrl-D or Ctrl-C leaves the cursor after the prompt: the shell's prompt goes
        // on a line of its own. After `,q` and Enter the terminal is on a fresh line already.
        if (!quitting) say('\n');
        term?.restore();
      }
      finished(0);
    }
  };
  rl.on('line', (line) => {
    term?.hide();
    lastInterrupt = 0;
    lines.push(line);
    keepHistory();
    void pump();
  });
  rl.on('close', () => {
    term?.hide();
    closed = true;
    void pump();
  });
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
    term?.hide();
    say(empty ? '\n(To leave, press Ctrl-C again or Ctrl-D)\n' : '^C\n');
    const edit = rl as unknown as { line: string; cursor: number };
    edit.line = '';
    edit.cursor = 0;
    prompt();
  });
  return done;
}
