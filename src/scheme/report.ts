/**
 * Uncaught errors of the compiled engine as CHICKEN prints them, with the line of the failing
 * expression (from the JS stack of the compiled code) and the chain of calls that led there:
 *
 *   prog.scm:3: Error: (vector-ref) out of range: #(1) 5
 *       called from f (prog.scm:7)
 */
import { SchemeError, Raised } from './runtime/errors.js';
import { writeString } from './runtime/printer.js';
import { schemeFrames, Escape } from './compiler/index.js';
import { ReadError } from './compiler/reader.js';
import { Interrupted } from './runtime/control.js';

/** The error's text as CHICKEN's `Error:` line has it: `(LOCATION) MESSAGE: ARG …`. */
export function conditionText(e: unknown): string {
  if (e instanceof Raised) return `uncaught exception: ${writeString(e.payload)}`;
  if (e instanceof SchemeError) {
    let text = e.location === null ? e.message : `(${e.location}) ${e.message}`;
    if (e.args.length > 0) text += `: ${e.args.map((a) => writeString(a)).join(' ')}`;
    return text;
  }
  if (e instanceof Escape || e instanceof Interrupted) return e.message;
  if (e instanceof RangeError && /call stack/.test(e.message)) return 'stack overflow (a TypeScript procedure recursed too deeply)';
  if (e instanceof Error) return e.message;
  return `uncaught exception: ${writeString(e)}`;
}

export interface Report {
  /** `FILE:LINE: Error: …`, and, as csi prints them, each argument on a line of its own when there are several. */
  first: string;
  /** The calls that led there, one line each. */
  chain: string[];
}

/** Error E of a handler as one text: the condition, then the Scheme calls it happened in. */
export function handlerErrorText(e: unknown): string {
  // A JS TypeError or ReferenceError is a fault of ours, not of the program: keep its JS stack.
  if ((e instanceof TypeError || e instanceof ReferenceError) && !(e instanceof SchemeError)) return e.stack ?? e.message;
  const frames = schemeFrames(e).map((f) => `    ${f.name} (${f.file ?? '?'}:${f.line})`);
  return [conditionText(e), ...(frames.length > 0 ? ['  in', ...frames] : [])].join('\n');
}

/** The report of error E raised by a top-level form of FILE read at LINE. */
export function errorReport(e: unknown, file: string, line: number): Report {
  const text = conditionText(e);
  if (e instanceof ReadError) return { first: `${file}:${e.line}: Error: syntax error: ${e.message.replace(/ \(line \d+\)$/, '')}`, chain: [] };
  const frames = schemeFrames(e);
  // The innermost frame of this file's code: the failing expression (library code is skipped).
  const at = frames.find((f) => f.file === null || f.file === file)?.line ?? (e instanceof SchemeError && e.schemeLine !== null ? e.schemeLine : line);
  const chain = frames.slice(1).map((f) => `    called from ${f.name} (${f.file ?? file}:${f.line})`);
  // csi: one argument stays on the Error: line; several go one a line below it.
  if (e instanceof SchemeError && e.args.length > 1) {
    const head = e.location === null ? e.message : `(${e.location}) ${e.message}`;
    return { first: [`${file}:${at}: Error: ${head}`, ...e.args.map((a) => writeString(a))].join('\n'), chain };
  }
  return { first: `${file}:${at}: Error: ${text}`, chain };
}
