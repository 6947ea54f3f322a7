/**
 * The REPL's terminal: readline writes the prompt and the line being typed straight to the
 * terminal, and everything else written to stdout or stderr while the prompt waits (a server's
 * debug lines, a thread's output) is put above the prompt, which is then drawn again with the
 * line being typed and the cursor where it was, as a shell does with a background job's output.
 * It also knows whether the terminal is at the start of a line, so the prompt never erases the
 * end of output that had no final newline (`(display "hello")`).
 */
import readline from 'node:readline';

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

function endsLine(chunk: unknown): boolean | null {
  if (typeof chunk === 'string') return chunk.length === 0 ? null : chunk.endsWith('\n');
  if (chunk instanceof Uint8Array) return chunk.length === 0 ? null : chunk[chunk.length - 1] === 0x0a;
  return null;
}

export class PromptOutput {
  /** True while the prompt is on the screen waiting for input. */
  private shown = false;
  /** True while a write is being put above the prompt (readline's redraw must pass straight). */
  private redrawing = false;
  /** Whether the terminal's cursor is at the start of a line. */
  private lineStart = true;
  private readonly stdoutWrite: Write;
  private readonly stderrWrite: Write;
  private rl: readline.Interface | null = null;
  /** What readline writes to: the terminal itself (stdout), past the interception. */
  readonly output: NodeJS.WriteStream;

  constructor() {
    this.stdoutWrite = process.stdout.write as unknown as Write;
    this.stderrWrite = process.stderr.write as unknown as Write;
    const raw = (chunk: unknown, ...rest: unknown[]): boolean => this.pass(this.stdoutWrite, process.stdout, chunk, rest);
    // stdout with its own write: its size, its 'resize' events and the rest are stdout's.
    this.output = new Proxy(process.stdout, {
      get: (target, prop) => {
        if (prop === 'write') return raw;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => this.intercept(this.stdoutWrite, process.stdout, chunk, rest)) as typeof process.stdout.write;
    // stderr is put above the prompt only when it goes to the terminal too.
    if (process.stderr.isTTY === true) {
      process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => this.intercept(this.stderrWrite, process.stderr, chunk, rest)) as typeof process.stderr.write;
    }
  }

  /** The readline interface whose prompt this keeps on the screen. */
  attach(rl: readline.Interface): void {
    this.rl = rl;
  }

  /** Shows the prompt on a line of its own (after output that did not end its line). */
  prompt(): void {
    if (this.rl === null) return;
    if (!this.lineStart) this.write('\n');
    this.shown = true;
    this.rl.prompt();
  }

  /** The prompt is gone (a line was entered): output goes through as it is. */
  hide(): void {
    this.shown = false;
  }

  /** Writes TEXT of the REPL's own to the terminal, past the interception. */
  write(text: string): void {
    this.pass(this.stdoutWrite, process.stdout, text, []);
  }

  /** Puts the writes back as they were. */
  restore(): void {
    process.stdout.write = this.stdoutWrite as typeof process.stdout.write;
    process.stderr.write = this.stderrWrite as typeof process.stderr.write;
    this.shown = false;
  }

  private pass(write: Write, stream: NodeJS.WriteStream, chunk: unknown, rest: unknown[]): boolean {
    const ends = endsLine(chunk);
    if (ends !== null) this.lineStart = ends;
    return write.call(stream, chunk, ...rest);
  }

  private intercept(write: Write, stream: NodeJS.WriteStream, chunk: unknown, rest: unknown[]): boolean {
    const rl = this.rl;
    if (!this.shown || this.redrawing || rl === null || endsLine(chunk) === null) return this.pass(write, stream, chunk, rest);
    this.redrawing = true;
    try {
      // Up to the prompt's first row, and clear from there down.
      const rows = rl.getCursorPos().rows;
      if (rows > 0) readline.moveCursor(this.output, 0, -rows);
      readline.cursorTo(this.output, 0);
      readline.clearScreenDown(this.output);
      this.lineStart = true;
      const r = this.pass(write, stream, chunk, rest);
      if (!this.lineStart) this.write('\n');
      // readline would first move up to where the prompt was (its row count): it is now here.
      (rl as unknown as { prevRows: number }).prevRows = 0;
      rl.prompt(true);
      return r;
    } finally {
      this.redrawing = false;
    }
  }
}
