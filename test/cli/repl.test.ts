/**
 * The REPL (src/cli/repl.ts).
 *
 * Through a piped stdin: define a resource, start a server in a thread on a free 127.0.0.1 port,
 * query it with http:GET, redefine the resource and see the new answer; multi-line input; an
 * error does not end the REPL; EOF ends it with status 0; csi's `,` commands; values with
 * non-ASCII bytes printed as those bytes (and by -e); no prompt and no history file.
 *
 * On a pseudo-terminal (test/cli/terminal.py), as typed at, with what is shown checked on a
 * model of the screen (TerminalScreen below: the cursor moves and erasures readline sends):
 * output without a final newline kept above the prompt, the continuation prompt, Tab completion
 * of bound names in the middle of a line, the commands, a server's debug line written while the
 * prompt waits put above the prompt with the half-typed line drawn again, Ctrl-C and Ctrl-D,
 * and the history kept in $HOME/.scheme_http_history (a temporary HOME) across two sessions.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, Repl, runCli } from './child.js';
import { COMPILED } from '../../src/scheme/interpreter.js';
import { freePort, removeDir, tempDir } from '../support/client-fixtures.js';

/** The first answer comes after start-up, slow on a loaded machine (~10 s at a load of 6 per core), ms. */
const START_MS = 30_000;
/** A test over a pipe (one start-up), ms. */
const PIPE_TIMEOUT = 60_000;

let repl: Repl | null = null;
afterEach(() => {
  repl?.kill();
  repl = null;
});

describe('the REPL over a pipe', () => {
  it('serves from a thread while resources are redefined', async () => {
    const port = await freePort();
    const r = (repl = new Repl());
    r.send('(use http-server http-client)');
    r.send(String.raw`(http:add-resource "/r" (lambda (req args) (display "Content-type: text/plain\r\n\r\nfirst answer")))`);
    r.send(`(define server (thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1"))))))`);
    // Bounded wait for the server inside Scheme: retry the connection for at most 2 s.
    r.send(`(define (fetch) (let loop ((i 0)) (condition-case (http:GET "127.0.0.1:${port}/r") (e (exn) (if (< i 100) (begin (thread-sleep! 0.02) (loop (+ i 1))) (raise e))))))`);
    r.send('(print "got: " (fetch))');
    await r.waitFor('got: first answer\n', 0, START_MS);
    let mark = r.stdout.length;
    // The new handler, over several lines.
    r.send('(http:add-resource "/r"');
    r.send('  (lambda (req args)');
    r.send(String.raw`    (display "Content-type: text/plain\r\n\r\nsecond answer")))`);
    r.send('(print "got: " (fetch))');
    expect(await r.waitFor('got: second answer\n', mark)).toBe('got: second answer\n');
    mark = r.stdout.length;
    r.send('(thread-state server)');
    expect(await r.waitFor('\n', mark)).toBe('ready\n');
    expect(await r.end()).toBe(0);
    expect(r.stdout).toBe('got: first answer\ngot: second answer\nready\n');
    expect(r.stderr).toBe('');
  }, PIPE_TIMEOUT);

  it('prints values, reads multi-line input, survives errors, and exits 0 at EOF', async () => {
    const r = (repl = new Repl());
    r.send('(define x 10)');
    r.send('(+ x');
    r.send('   5)');
    await r.waitFor('15\n', 0, START_MS);
    r.send('(car (quote ()))');
    await r.waitFor(/Error: [^\n]+\n/);
    r.send("(error 'here \"went wrong\" 1 \"s\")");
    await r.waitFor('Error: (here) went wrong: 1 "s"\n');
    r.send(')');
    await r.waitFor('Error: syntax error: unexpected )\n');
    r.send('(display "still alive") (newline)');
    await r.waitFor('still alive\n');
    r.send('"a string" (values 1 2) (if #f #f)');
    r.send('(define (f n)');
    r.send('  #| a comment');
    r.send('     over lines ) |#');
    r.send('  (* n 2))');
    r.send('(f 21)');
    r.send('(display "no newline")');
    r.send('x');
    await r.waitFor('no newline\n10\n');
    expect(await r.end()).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '15',
      expect.stringMatching(/^Error: /),
      'Error: (here) went wrong: 1 "s"',
      'Error: syntax error: unexpected )',
      'still alive',
      '"a string"',
      '1',
      '2',
      '42',
      'no newline',
      '10',
      '',
    ]);
  }, PIPE_TIMEOUT);

  it('prints no prompt when stdin is not a terminal, and reports input left open at EOF', async () => {
    const r = (repl = new Repl());
    r.send('(display "a")');
    r.send('(display (+ 1');
    await r.waitFor('a', 0, START_MS);
    expect(await r.end()).toBe(0);
    expect(r.stdout).toBe('a\nError: syntax error: unterminated list: the ( on line 1 is not closed\n');
  }, PIPE_TIMEOUT);
});

describe('the REPL over a pipe: commands, bytes, no history', () => {
  let dir: string | null = null;
  let home: string | undefined;
  beforeAll(async () => {
    dir = await tempDir('repl-pipe');
    home = process.env.HOME;
    // The REPL child inherits this HOME: nothing may be written there.
    process.env.HOME = dir;
  }, PIPE_TIMEOUT);
  afterAll(async () => {
    process.env.HOME = home;
    await removeDir(dir);
  }, PIPE_TIMEOUT);

  // Under SCHEME_HTTP_COMPILE=0 `,d` shows LIPS's value as written, and errors are LIPS's: the
  // next test checks that; this one checks the compiled engine's descriptions and messages.
  it.runIf(COMPILED)("runs csi's toplevel commands, prints non-ASCII bytes as they are, and writes no history file", async () => {
    const lib = path.join(dir!, 'lib.scm');
    fs.writeFileSync(lib, '(define loaded-value 7)\n(display "loaded")\n(newline)\n');
    const shown = path.join(dir!, 'shown.scm');
    fs.writeFileSync(shown, '(+ 1 2)\n(list "a")\n');
    const r = (repl = new Repl());
    for (const line of [
      ',?', ',help',
      ',d (list 1 "b")', ',d (quote nope)', ',d (string #\\a #\\a #\\a #\\b)', ',d 42', ',d (cons 1 2)',
      ',t (+ 1 2)', ',foo', ',',
      ',d (vector 1', '  2)',
      '(car 1)', ',exn',
      `,l ${lib}`, 'loaded-value', `,ln "${shown}"`,
      '(http:canonicalize-string "caf%C3%A9")', '"λ"',
      ',q', '(display "after quit")',
    ]) r.send(line);
    expect(await r.end()).toBe(0);
    const help = [
      'Toplevel commands:',
      '',
      expect.stringMatching(/^ ,\? +Show this text \(also ,help\)$/),
      expect.stringMatching(/^ ,p EXP +Pretty print/),
      expect.stringMatching(/^ ,d EXP +Describe result of evaluated expression EXP$/),
      expect.stringMatching(/^ ,q +Quit/),
      expect.stringMatching(/^ ,l FILENAME \.\.\. +Load one or more files$/),
      expect.stringMatching(/^ ,ln FILENAME \.\.\. +Load one or more files and print/),
      expect.stringMatching(/^ ,r +Show system information$/),
      expect.stringMatching(/^ ,s TEXT \.\.\. +Execute shell-command$/),
      expect.stringMatching(/^ ,exn +Describe last exception$/),
      expect.stringMatching(/^ ,c +Show call-chain/),
      expect.stringMatching(/^ ,t EXP +Evaluate form and print elapsed time$/),
    ];
    expect(r.stdout.split('\n')).toEqual([
      ...help,
      ...help,
      'list of length 2', ' 0: 1', ' 1: "b"',
      'unbound symbol with name "nope"',
      'string of length 4', ' 0: #\\a\t(followed by 2 identical instances)', ' 3: #\\b',
      'exact integer 42', '  #x2a', '  #o52', '  #b101010, character #\\*',
      'pair with car 1', 'and cdr 2',
      '3',
      'Error: unknown command ,foo (enter ,? for the list)',
      'Error: a command name is missing after , (enter ,? for the list)',
      'vector of length 2', ' 0: 1', ' 1: 2',
      'Error: (car) bad argument type: 1',
      'condition: (exn type)', ' exn', '\tmessage: "bad argument type"', '\targuments: (1)', '\tlocation: car', ' type',
      'loaded',
      '7',
      '3', '("a")',
      '"café"',
      '"λ"',
      '',
    ]);
    // ,t reports on stderr, as csi's time does.
    expect(r.stderr).toMatch(/^\d+\.\d{3}s CPU time, \d+\.\d{3}s elapsed\n$/);
    expect(fs.existsSync(path.join(dir!, '.scheme_http_history'))).toBe(false);
  }, PIPE_TIMEOUT);


  it.runIf(!COMPILED)(',d and ,exn on the LIPS engine show the value and the error as written', async () => {
    const r = (repl = new Repl());
    for (const line of [',d (list 1 "b")', ',d 42', ',exn', '(car 1)', ',q']) r.send(line);
    expect(await r.end()).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['(1 "b")', '42', 'no error so far']);
    expect(lines[3]).toMatch(/^Error: /);
  }, PIPE_TIMEOUT);
  it('-e prints a value with non-ASCII bytes as those bytes (not encoded twice)', async () => {
    const r = await runCli(['-e', '(http:canonicalize-string "caf%C3%A9")', '-e', '(list "Jürgen" #\\a)']);
    expect(r.stdout).toBe('"café"\n("Jürgen" #\\a)\n');
    expect(r.code).toBe(0);
  }, PIPE_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// On a pseudo-terminal
// ---------------------------------------------------------------------------------------------

const TERMINAL = path.join(ROOT, 'test', 'cli', 'terminal.py');
/** How long to wait for start-up, a prompt, an answer, ms (a loaded 2-core machine). */
const WAIT_MS = 25_000;
const TIMEOUT = 90_000;

/**
 * What a terminal shows: text written at the cursor, CR, LF, and the CSI sequences readline
 * sends (cursor to a column, up, down, left, right; erase to the end of the line or the screen).
 * 200 columns, as terminal.py sets: nothing wraps.
 */
class TerminalScreen {
  private rows: string[][] = [[]];
  private r = 0;
  private c = 0;

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\x1b' && text[i + 1] === '[') {
        const m = /^\x1b\[([0-9;?]*)([@-~])/.exec(text.slice(i));
        if (m === null) continue;
        i += m[0].length - 1;
        this.csi(m[2]!, m[1]!);
      } else if (ch === '\r') this.c = 0;
      else if (ch === '\n') { this.r++; this.c = 0; }
      else if (ch === '\x07') continue;
      else {
        const row = this.row();
        while (row.length < this.c) row.push(' ');
        row[this.c++] = ch;
      }
    }
  }

  private row(): string[] {
    while (this.rows.length <= this.r) this.rows.push([]);
    return this.rows[this.r]!;
  }

  private csi(final: string, params: string): void {
    const n = params === '' ? 1 : Number(params.split(';')[0]);
    switch (final) {
      case 'G': this.c = Math.max(0, n - 1); break;
      case 'A': this.r = Math.max(0, this.r - n); break;
      case 'B': this.r += n; break;
      case 'C': this.c += n; break;
      case 'D': this.c = Math.max(0, this.c - n); break;
      case 'K': this.row().length = Math.min(this.row().length, this.c); break;
      case 'J':
        this.row().length = Math.min(this.row().length, this.c);
        this.rows.length = Math.min(this.rows.length, this.r + 1);
        break;
      default: break;
    }
  }

  /** The screen's lines to the cursor's line, trailing spaces dropped (a prompt line `#;> ` is `#;>`). */
  lines(): string[] {
    this.row();
    return this.rows.slice(0, this.r + 1).map((r) => r.join('').trimEnd());
  }

  /** The cursor's line up to the cursor. */
  cursorLine(): string {
    return this.row().slice(0, this.c).join('');
  }
}

/** A REPL on terminal.py's pseudo-terminal, with HOME set to a directory of the test's. */
class TerminalRepl {
  readonly screen = new TerminalScreen();
  raw = '';
  private err = '';
  private waiters: Array<() => void> = [];
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<number | null>;
  readonly child: ChildProcess;
  /** The REPL's own PID (terminal.py's first stderr line), to kill it by. */
  command: number | null = null;

  constructor(home: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, NO_COLOR: '1', TERM: 'xterm' };
    for (const k of ['NODE_OPTIONS', 'SCHEME_HTTP_COMPILE', 'SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_SNAPSHOT']) delete env[k];
    this.child = spawn('python3', [TERMINAL, process.execPath, '--import', 'tsx', CLI], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.raw += d;
      this.screen.feed(d);
      this.wake();
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
      const m = /^pid (\d+)\n/.exec(this.err);
      if (m !== null) this.command = Number(m[1]);
    });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      this.exitCode = code;
      this.wake();
      resolve(code);
    }));
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  type(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Waits until TEST holds, at most MS. */
  async until(test: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.exitCode !== undefined) {
        throw new Error(`terminal: waited for ${what}; screen:\n${this.screen.lines().join('\n')}\nraw: ${JSON.stringify(this.raw.slice(-400))}\nstderr: ${this.err}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  /** Waits for the prompt PROMPT (text before it on its line: none) with TYPED after it, the cursor at the end. */
  async prompt(prompt = '#;> ', typed = ''): Promise<void> {
    await this.until(() => this.screen.cursorLine() === prompt + typed, `the prompt ${JSON.stringify(prompt + typed)}`);
  }

  /** Types LINE and Enter; resolves to the screen lines after the line entered, up to the next prompt. */
  async enter(line: string, prompt = '#;> '): Promise<string[]> {
    const before = this.screen.lines().length - 1;
    this.type(`${line}\r`);
    await this.until(() => this.screen.lines().length - 1 > before && this.screen.cursorLine() === prompt, `the prompt after ${JSON.stringify(line)}`);
    return this.screen.lines().slice(before);
  }

  async exit(ms = WAIT_MS): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([this.exited, new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), ms); })]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error('the REPL did not exit');
    return r;
  }

  kill(): void {
    for (const pid of [this.command, this.child.pid]) {
      if (pid === null || pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/** GET http://127.0.0.1:PORT/PATH: the body, or an error within 5 s. */
function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from port ${port} within 5 s`)));
    req.on('error', reject);
  });
}

describe.runIf(process.platform === 'linux')('the REPL on a terminal', () => {
  let home: string | null = null;
  let term: TerminalRepl | null = null;
  beforeAll(async () => {
    home = await tempDir('repl-home');
  });
  afterEach(() => {
    term?.kill();
    term = null;
  });
  afterAll(async () => {
    await removeDir(home);
  });

  it('keeps output without a newline, shows a continuation prompt, completes names, runs commands, puts a server\'s output above the prompt', async () => {
    const port = await freePort();
    const t = (term = new TerminalRepl(home!));
    await t.prompt();
    // Output without a final newline stays; the prompt goes on the next line (csi puts it right after).
    expect(await t.enter('(display "hello")')).toEqual(['#;> (display "hello")', 'hello', '#;>']);
    expect(await t.enter('(display "héllo wörld")')).toEqual(['#;> (display "héllo wörld")', 'héllo wörld', '#;>']);
    // An incomplete form: the continuation prompt until it is complete.
    expect(await t.enter('(list 1', '... ')).toEqual(['#;> (list 1', '...']);
    expect(await t.enter('  "b")')).toEqual(['...   "b")', '(1 "b")', '#;>']);
    // Tab completes the name before the cursor: http: procedures, the library, the program's own names.
    t.type('(http:canonicalize-str\t');
    await t.prompt('#;> ', '(http:canonicalize-string');
    expect(await t.enter(' "a%20b")')).toEqual(['#;> (http:canonicalize-string "a%20b")', '"a b"', '#;>']);
    t.type('(list 1 (string-upc\t');
    await t.prompt('#;> ', '(list 1 (string-upcase');
    expect(await t.enter(' "x"))')).toEqual(['#;> (list 1 (string-upcase "x"))', '(1 "X")', '#;>']);
    await t.enter('(define my-very-own-name 5)');
    // In the middle of a line: the cursor moved back before the ')'.
    t.type('(+ 1 my-very-)\x1b[D\t');
    await t.prompt('#;> ', '(+ 1 my-very-own-name');
    expect(await t.enter('')).toEqual(['#;> (+ 1 my-very-own-name)', '6', '#;>']);
    // Two Tabs on an ambiguous start list the candidates. (Readline completes on a Tab only
    // when it ends what arrives at once: a Tab inside a paste is a Tab.)
    t.type('(http:request-');
    await t.prompt('#;> ', '(http:request-');
    t.type('\t');
    // The first Tab shows nothing (no longer common prefix); readline is paused while it
    // completes, so the second one waits a moment.
    await new Promise((r) => setTimeout(r, 500));
    t.type('\t');
    const listed = (name: string): boolean => t.screen.lines().some((l) => !l.startsWith('#;>') && l.split(/\s+/).includes(name));
    await t.until(() => listed('http:request-method') && listed('http:request-url'), 'the candidates of http:request-');
    await t.prompt('#;> ', '(http:request-');
    t.type('\x03');
    await t.prompt();
    // Commands.
    expect(await t.enter(',d (list 1 2)')).toEqual(['#;> ,d (list 1 2)', 'list of length 2', ' 0: 1', ' 1: 2', '#;>']);
    const timed = await t.enter(',t (let loop ((i 0)) (if (< i 100000) (loop (+ i 1)) i))');
    expect(timed.slice(1)).toEqual([expect.stringMatching(/^\d+\.\d{3}s CPU time, \d+\.\d{3}s elapsed$/), '100000', '#;>']);
    expect((await t.enter(',help'))[1]).toBe('Toplevel commands:');
    expect(await t.enter(',zz')).toEqual(['#;> ,zz', 'Error: unknown command ,zz (enter ,? for the list)', '#;>']);
    // A server with the debug flag in a thread: its line for a request made while the prompt
    // waits with a half-typed line goes above the prompt, and the line is drawn again.
    await t.enter(String.raw`(http:add-resource "/x" (lambda (req args) (display "Content-type: text/plain\r\n\r\nok")))`);
    const listening = await t.enter(`(thread-start! (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1") #t))))`);
    expect(listening[listening.length - 1]).toBe('#;>');
    await t.until(() => t.screen.lines().includes(`listening on http://127.0.0.1:${port}/`), 'the listening line');
    t.type('(+ 1 2');
    await t.prompt('#;> ', '(+ 1 2');
    const before = t.screen.lines().length - 1;
    expect(await get(port, '/x')).toBe('ok');
    await t.until(() => t.screen.lines().length - 1 > before, 'the debug line');
    await t.prompt('#;> ', '(+ 1 2');
    expect(t.screen.lines().slice(before)).toEqual([expect.stringMatching(/^127\.0\.0\.1 GET \/x HTTP\/1\.1 -> 200 in [\d.]+ ms$/), '#;> (+ 1 2']);
    expect(await t.enter(' 3)')).toEqual(['#;> (+ 1 2 3)', '6', '#;>']);
    // Ctrl-C at the prompt drops the line; Ctrl-D on an empty line leaves.
    t.type('(car');
    await t.prompt('#;> ', '(car');
    t.type('\x03');
    await t.prompt();
    expect(await t.enter('(* 6 7)')).toEqual(['#;> (* 6 7)', '42', '#;>']);
    t.type('\x04');
    expect(await t.exit()).toBe(0);
  }, TIMEOUT);

  it('keeps the history across sessions in $HOME/.scheme_http_history, at most 1000 entries', async () => {
    const file = path.join(home!, '.scheme_http_history');
    // The first test's session left its lines there, oldest first.
    const kept = fs.readFileSync(file, 'utf8').split('\n');
    expect(kept.slice(0, 3)).toEqual(['(display "hello")', '(display "héllo wörld")', '(list 1']);
    expect(kept).toContain('(* 6 7)');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    // 1500 older entries: 1000 are read, and 1000 written back.
    fs.writeFileSync(file, `${Array.from({ length: 1500 }, (_, i) => `(+ ${i} 0)`).join('\n')}\n(* 6 7)\n`);
    const t = (term = new TerminalRepl(home!));
    await t.prompt();
    // Up: the last line of the last session, evaluated again.
    t.type('\x1b[A');
    await t.prompt('#;> ', '(* 6 7)');
    t.type('\x1b[A');
    await t.prompt('#;> ', '(+ 1499 0)');
    expect(await t.enter('')).toEqual(['#;> (+ 1499 0)', '1499', '#;>']);
    expect(await t.enter(',q', '')).toEqual(['#;> ,q', '']);
    expect(await t.exit()).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(1000);
    expect(lines.slice(-3)).toEqual(['(* 6 7)', '(+ 1499 0)', ',q']);
  }, TIMEOUT);
});
