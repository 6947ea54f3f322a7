/**
 * The command line's options, read into a plan: what to evaluate (-e, several), which file to
 * run, the program's own arguments, whether a REPL follows (-i), how many worker processes
 * (--workers). Options come before the program: the first argument that is not an option (or
 * the one after `--`) is the file, and everything after it belongs to the program.
 */
import os from 'node:os';

export interface CliPlan {
  action: 'run' | 'help' | 'version';
  /** The -e expressions, in order. */
  exprs: string[];
  /** The program file, or null (-e only, or the REPL). */
  file: string | null;
  /** `(command-line-arguments)`. */
  args: string[];
  /** The REPL after the program (-i), or alone (no program). */
  repl: boolean;
  /** Processes running the program (--workers). */
  workers: number;
}

/** A command line that cannot be obeyed; the CLI prints it with a pointer to --help (status 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The value of --workers: a count, or `auto` for one a core. */
function workerCount(text: string | undefined): number {
  if (text === 'auto') return os.availableParallelism();
  if (text === undefined || !/^[1-9][0-9]{0,3}$/.test(text)) {
    throw new UsageError(`--workers needs a number of processes (1 or more) or auto, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Reads ARGV (the arguments after the command's name). */
export function parseOptions(argv: readonly string[]): CliPlan {
  const plan: CliPlan = { action: 'run', exprs: [], file: null, args: [], repl: false, workers: 1 };
  let interactive = false;
  let i = 0;
  /** The value of option NAME: the next argument (or what follows `=` in NAME=VALUE). */
  const value = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { i++; break; }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    switch (name) {
      case '-h': case '--help':
        return { ...plan, action: 'help' };
      case '-v': case '-V': case '--version':
        return { ...plan, action: 'version' };
      case '-e': case '--eval':
        plan.exprs.push(value(name, inline));
        break;
      case '-i': case '--interactive':
        interactive = true;
        break;
      case '--workers':
        plan.workers = workerCount(value(name, inline));
        break;
      default:
        throw new UsageError(`unknown option ${name}`);
    }
    if (inline !== undefined && name !== '--eval' && name !== '--workers') throw new UsageError(`${name} takes no value`);
  }
  const rest = argv.slice(i);
  // With -e the arguments are all the program's; otherwise the first names the file (`repl`
  // alone, as before, asks for the REPL).
  if (plan.exprs.length > 0) plan.args = rest;
  else if (rest.length > 0 && !(rest[0] === 'repl' && rest.length === 1 && argv[i - 1] !== '--')) {
    plan.file = rest[0]!;
    plan.args = rest.slice(1);
  }
  plan.repl = interactive || (plan.file === null && plan.exprs.length === 0);
  if (plan.workers > 1 && plan.repl) {
    throw new UsageError('--workers runs the program in each worker process: give a program (FILE or -e), without -i');
  }
  return plan;
}
