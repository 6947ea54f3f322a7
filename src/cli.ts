/**
 * The `scheme-http` command: `scheme-http FILE.scm [ARGS…]` runs a program, `scheme-http -e EXPR`
 * evaluates and prints, and `scheme-http` alone starts a REPL with every primitive loaded, in
 * which a server started in a thread keeps serving while resources are redefined.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { schemeRuntime, type SchemeRuntime } from './scheme/interpreter.js';

const USAGE = `usage: scheme-http FILE.scm [ARGS...]   run a program
       scheme-http -e EXPR             evaluate EXPR and print its value
       scheme-http                     start a REPL
`;

/** Top-level pieces of SOURCE, each a run of whole lines holding balanced forms, with its first line. */
export function* topLevelChunks(source: string, balanced: (code: string) => boolean): Generator<{ code: string; line: number }> {
  const lines = source.split('\n');
  let chunk: string[] = [];
  let start = 1;
  for (let i = 0; i < lines.length; i++) {
    if (chunk.length === 0) start = i + 1;
    chunk.push(lines[i]!);
    const code = chunk.join('\n');
    let ok: boolean;
    try {
      ok = balanced(code);
    } catch {
      ok = true; // an unmatched closing bracket: let the evaluator report it
    }
    if (ok) {
      if (code.trim() !== '') yield { code, line: start };
      chunk = [];
    }
  }
  if (chunk.length > 0 && chunk.join('\n').trim() !== '') yield { code: chunk.join('\n'), line: start };
}

function message(e: unknown): string {
  if (e instanceof Error) {
    const args = (e as Error & { args?: unknown[] }).args;
    return Array.isArray(args) && args.length > 0 ? `${e.message} ${args.map((a) => String(a)).join(' ')}` : e.message;
  }
  return String(e);
}

async function runFile(rt: SchemeRuntime, file: string): Promise<number> {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`scheme-http: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  if (source.startsWith('#!')) source = '; ' + source; // a #! line, as csi -script allows
  for (const { code, line } of topLevelChunks(source, rt.lips.balanced_parenthesis)) {
    try {
      await rt.evaluate(code);
    } catch (e) {
      process.stderr.write(`${file}:${line}: Error: ${message(e)}\n`);
      return 70;
    }
  }
  return 0;
}

async function evalExpr(rt: SchemeRuntime, expr: string): Promise<number> {
  try {
    const v = await rt.evaluate(expr);
    if (v !== undefined) process.stdout.write(rt.show(v) + '\n');
    return 0;
  } catch (e) {
    process.stderr.write(`-e:1: Error: ${message(e)}\n`);
    return 70;
  }
}

async function repl(rt: SchemeRuntime): Promise<void> {
  const interactive = process.stdin.isTTY === true;
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '#;> ', terminal: interactive });
  let buffer = '';
  if (interactive) process.stdout.write('scheme-http REPL (LIPS); the http: procedures are loaded. Ctrl-D to leave.\n');
  rl.prompt();
  const queue: string[] = [];
  let busy = false;
  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (queue.length > 0) {
      const line = queue.shift()!;
      buffer = buffer === '' ? line : buffer + '\n' + line;
      let complete: boolean;
      try {
        complete = rt.lips.balanced_parenthesis(buffer);
      } catch {
        complete = true;
      }
      if (!complete) continue;
      const code = buffer;
      buffer = '';
      if (code.trim() === '') { rl.prompt(); continue; }
      try {
        const v = await rt.evaluate(code);
        if (v !== undefined) process.stdout.write(rt.show(v) + '\n');
      } catch (e) {
        process.stdout.write(`Error: ${message(e)}\n`);
      }
      rl.prompt();
    }
    busy = false;
    if (closed) finish();
  };
  let closed = false;
  const finish = (): void => {
    if (interactive) process.stdout.write('\n');
    process.exit(0);
  };
  rl.on('line', (line) => { queue.push(line); void pump(); });
  rl.on('close', () => { closed = true; if (!busy && queue.length === 0) finish(); });
}

export async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '-h' || first === '--help') {
    process.stdout.write(USAGE);
    return;
  }
  if (first === '-e') {
    if (rest.length === 0) {
      process.stderr.write(USAGE);
      process.exitCode = 2;
      return;
    }
    const rt = await schemeRuntime(rest.slice(1));
    process.exitCode = await evalExpr(rt, rest[0]!);
    return;
  }
  if (first === undefined || first === 'repl') {
    const rt = await schemeRuntime([]);
    await repl(rt);
    return;
  }
  const rt = await schemeRuntime(rest);
  const code = await runFile(rt, first);
  if (code !== 0) process.exit(code);
}

// Leave through process.exit, so exit handlers (and --cpu-prof) run.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

await main(process.argv.slice(2));
