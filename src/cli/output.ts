/**
 * What the command and its REPL print: values in `write` form, error texts as CHICKEN prints
 * them, and whether stdout is at the start of a line (a printed value starts on its own line,
 * and so does the REPL's prompt).
 *
 * The compiled engine's strings are bytes, one character each (../shared/SEMANTICS.md, "Scheme
 * data"), so its `write` text goes out as those bytes; written as a JS string it would be
 * UTF-8-encoded a second time (`"café"` came out as `"cafÃ©"`). LIPS's strings are text.
 */
import { valuesOf } from '../scheme/handlers.js';
import { writeString as lipsWriteString } from '../scheme/prelude/output.js';
import { writeString as compiledWriteString } from '../scheme/runtime/printer.js';
import { conditionText } from '../scheme/report.js';
import { COMPILED } from '../scheme/interpreter.js';
import type { Form } from './forms.js';

/** `write` form of a value, as the engine in use prints it (bytes on the compiled engine). */
export function writeString(x: unknown): string {
  return COMPILED ? compiledWriteString(x) : lipsWriteString(x);
}

/** The bytes to send for TEXT printed by the engine: one byte per character for byte strings. */
export function engineBytes(text: string): string | Buffer {
  if (!COMPILED || !/[^\x00-\x7f]/.test(text)) return text;
  // A character above 255 (none should reach here, but a JS message may have one) as its UTF-8.
  if (!/[^\x00-\xff]/.test(text)) return Buffer.from(text, 'latin1');
  return Buffer.concat(text.split(/([^\x00-\xff]+)/).map((part, i) => Buffer.from(part, i % 2 === 1 ? 'utf8' : 'latin1')));
}

/** Writes TEXT printed by the engine (a value, an error message) to STREAM as bytes. */
export function writeEngineText(text: string, stream: NodeJS.WriteStream = process.stdout): void {
  stream.write(engineBytes(text));
}

/** Whether stdout is at the start of a line. */
let atLineStart = true;

export function stdoutAtLineStart(): boolean {
  return atLineStart;
}

/** Keeps `atLineStart` up to date with everything written to stdout. */
export function trackStdout(): void {
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  process.stdout.write = function (chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && chunk.length > 0) atLineStart = chunk.endsWith('\n');
    else if (chunk instanceof Uint8Array && chunk.length > 0) atLineStart = chunk[chunk.length - 1] === 0x0a;
    return write(chunk, ...rest);
  } as typeof process.stdout.write;
}

/** Ends the line stdout is in the middle of, if it is. */
export function freshLine(): void {
  if (!atLineStart) process.stdout.write('\n');
}

/** Prints each of V's values (none for #<void> and zero values), as csi does. */
export function printValues(v: unknown): void {
  if (v === undefined) return;
  for (const x of valuesOf(v)) {
    if (x === undefined) continue;
    freshLine();
    writeEngineText(writeString(x) + '\n');
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
export function errorLine(e: unknown, form: Form): number {
  const m = e instanceof Error ? LIPS_POSITION.exec(e.message) : null;
  return m === null ? form.line : form.line + Number(m[1]) - 1;
}
