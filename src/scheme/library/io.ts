/**
 * Ports and the input/output procedures of the compiled engine. Scheme strings are bytes, so
 * what a port writes is exactly the bytes of the strings (a non-ASCII string goes out as a
 * Buffer of them), and what it reads comes back one character per byte. The current ports are
 * parameters whose default is the port of the handler running now (AsyncLocalStorage), else
 * stdio, so concurrent handlers never share an output.
 */
import fs from 'node:fs';
import type { Engine } from '../compiler/index.js';
import { EOF, Char, Flo, MString, listToArray, stringValue, textToBytes, bytesToText, mutableString } from '../runtime/data.js';
import { typeError, boundsError, schemeError, SchemeError } from '../runtime/errors.js';
import { callScheme } from '../runtime/control.js';
import { displayString, writeString, registerPrinter } from '../runtime/printer.js';
import { Reader } from '../compiler/reader.js';
import { OutPort, InPort, BodyPort, StringInPort, StringPort } from '../ports.js';
import { BufferInput } from '../../http/input.js';
import { prettyString } from '../prelude/output.js';
import { als } from '../context.js';
import { stdoutPort, stderrPort, stdinPort } from '../prelude/current-ports.js';
import { makeParameter, parameterValue } from './control.js';
import { defineProcedures } from './define.js';

type Fn = (...args: unknown[]) => unknown;

/**
 * The name csi shows for a port (`#<output port "(stdout)">`, `#<input port "(string)">`, a
 * file's name): set where the port is made, else found from what it is.
 */
const portNames = new WeakMap<object, string>();

/** Gives PORT the NAME it is written with. */
export function namePort<P extends object>(port: P, name: string): P {
  portNames.set(port, name);
  return port;
}

function portName(port: object): string {
  const known = portNames.get(port);
  if (known !== undefined) return known;
  if (port === stdoutPort) return '(stdout)';
  if (port === stderrPort) return '(stderr)';
  if (port === stdinPort) return '(stdin)';
  if (port instanceof ByteStringPort || port instanceof StringPort || port instanceof StringInPort) return '(string)';
  // A connection's ports (a handler's, a client's), as CHICKEN's tcp unit names them.
  return '(tcp)';
}

registerPrinter(OutPort, (p) => `#<output port "${portName(p as object)}">`);
registerPrinter(InPort, (p) => `#<input port "${portName(p as object)}">`);

/** Writes byte string S to PORT. */
export function emit(port: OutPort, s: string): unknown {
  return port.writeBytes(s);
}

/** `open-output-file`: bytes written straight to the file (synchronously: ports are flushed). */
export class FilePort extends OutPort {
  constructor(private readonly fd: number) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    fs.writeSync(this.fd, typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
    return undefined;
  }
  protected override putBytes(s: string): unknown {
    return this.put(s);
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Opens FILE (bytes of a name) for ports, raising CHICKEN's (exn i/o file) on failure. */
function openFile(file: unknown, flags: string, who: string): number {
  const name = bytesToText(str(file, who));
  try {
    return fs.openSync(name, flags);
  } catch (e) {
    const err = new SchemeError(['exn', 'i/o', 'file'], `cannot open file - ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`, [file], who);
    throw err;
  }
}

function fileInPort(file: unknown, who: string): StringInPort {
  const fd = openFile(file, 'r', who);
  try {
    return namePort(new StringInPort(new BufferInput(fs.readFileSync(fd), 'latin1')), str(file, who));
  } finally {
    fs.closeSync(fd);
  }
}

/** `open-output-string`: collects bytes. */
export class ByteStringPort extends OutPort {
  /**
   * Joined with `+=`: V8 keeps the pieces as a rope and copies them once, when the text is
   * first read byte by byte or written out; an array join copied them on every
   * `get-output-string` (most of the cost of `with-output-to-string` over many small writes).
   */
  private acc = '';
  protected put(s: string | Uint8Array): unknown {
    this.acc += typeof s === 'string' ? s : Buffer.from(s).toString('latin1');
    return undefined;
  }
  protected override putBytes(s: string): unknown {
    this.acc += s;
    return undefined;
  }
  text(): string {
    return this.acc;
  }
}

/** `open-input-string`: the bytes of a string, one character each. */
function stringInPort(s: string): StringInPort {
  return new StringInPort(new BufferInput(Buffer.from(s, 'latin1'), 'latin1'));
}

/** Whether PORT gives bytes (a string or file port); other ports give UTF-8-decoded text. */
function isBytePort(port: InPort): boolean {
  return port instanceof BodyPort && port.input.encoding === 'latin1';
}

/**
 * Bytes of a text port read but not yet given to Scheme: the rest of a character that was more
 * than one byte, or of a read-string that returned more bytes than asked.
 */
const pending = new WeakMap<InPort, string>();

function then<T>(v: unknown, f: (x: unknown) => T): T | Promise<T> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/** A character a port gave (LIPS's character class or ours) as its code point. */
function codeOf(x: unknown): number {
  return x instanceof Char ? x.code : String((x as { __char__: string }).__char__).codePointAt(0) ?? 0;
}

/**
 * The input procedures over a port, in bytes: a byte port is read as it is; a text port's
 * characters are turned back into their UTF-8 bytes, given one at a time.
 */
const bytes = {
  readChar(port: InPort): unknown {
    if (port instanceof CharInPort) return port.read_char();
    // A string or file port: its characters are bytes, read straight from its buffer (a
    // closed port raises through its own read).
    if (isBytePort(port) && port.is_open()) {
      const c = (port as BodyPort).input.readChar();
      return c === null ? EOF : Char.of(c.charCodeAt(0));
    }
    const rest = pending.get(port);
    if (rest !== undefined && rest !== '') {
      pending.set(port, rest.slice(1));
      return Char.of(rest.charCodeAt(0));
    }
    return then(port.read_char(), (c) => {
      if (c === EOF) return EOF;
      const b = textToBytes(String.fromCodePoint(codeOf(c)));
      if (b.length > 1) pending.set(port, b.slice(1));
      return Char.of(b.charCodeAt(0));
    });
  },
  peekChar(port: InPort): unknown {
    if (port instanceof CharInPort) return port.peek_char();
    if (isBytePort(port) && port.is_open()) {
      const c = (port as BodyPort).input.peekChar();
      return c === null ? EOF : Char.of(c.charCodeAt(0));
    }
    const rest = pending.get(port);
    if (rest !== undefined && rest !== '') return Char.of(rest.charCodeAt(0));
    return then(port.peek_char(), (c) => (c === EOF ? EOF : Char.of(textToBytes(String.fromCodePoint(codeOf(c))).charCodeAt(0))));
  },
  readLine(port: InPort): unknown {
    // A string or file port: from its buffer (its own read_line's EOF is LIPS's, bound late).
    if (isBytePort(port) && port.is_open()) return (port as BodyPort).input.readLine() ?? EOF;
    if (isBytePort(port) || port instanceof CharInPort) return port.read_line();
    const rest = pending.get(port) ?? '';
    pending.delete(port);
    return then(port.read_line(), (l) => (l === EOF ? (rest === '' ? EOF : rest) : rest + textToBytes(String(l))));
  },
  readString(port: InPort, n: number | null): unknown {
    if (isBytePort(port) && port.is_open()) return n === null ? (port as BodyPort).readAll() : (port as BodyPort).input.readString(n) ?? EOF;
    if (isBytePort(port)) return n === null ? (port as BodyPort).readAll() : port.read_string(n);
    if (port instanceof CharInPort) return n === null ? port.readAll() : port.read_string(n);
    let rest = pending.get(port) ?? '';
    pending.delete(port);
    if (n !== null && rest.length >= n) {
      pending.set(port, rest.slice(n));
      return rest.slice(0, n);
    }
    const all = n === null ? (port as unknown as { readAll(): unknown }).readAll() : port.read_string(n - rest.length);
    return then(all, (t) => {
      if (t === EOF) return rest === '' ? EOF : rest;
      rest += textToBytes(String(t));
      if (n !== null && rest.length > n) {
        pending.set(port, rest.slice(n));
        return rest.slice(0, n);
      }
      return rest;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Ports made from procedures and from other ports (CHICKEN's ports unit)
// ---------------------------------------------------------------------------------------------

/**
 * An input port whose characters are bytes, given one at a time by `next` (a Char, EOF, or a
 * Promise of one when the Scheme procedure behind it waits): line, string and whole-port reads
 * are built on it.
 */
export abstract class CharInPort extends InPort {
  /** The next character, consumed unless PEEK. */
  abstract next(peek: boolean): unknown;
  read_char(): unknown {
    this.check();
    return this.next(false);
  }
  peek_char(): unknown {
    this.check();
    return this.next(true);
  }
  /** CHICKEN's read-line: up to a newline, a return, or a return and newline (not kept). */
  read_line(): unknown {
    this.check();
    let line = '';
    let any = false;
    const step = (): unknown => {
      for (;;) {
        const c = this.next(false);
        if (c instanceof Promise) return c.then((v) => (take(v) ? finish() : step()));
        if (take(c)) return finish();
      }
    };
    let sawReturn = false;
    // True when the line is complete.
    const take = (c: unknown): boolean => {
      if (c === EOF) return true;
      any = true;
      const code = (c as Char).code;
      if (code === 10) return true;
      if (code === 13) {
        sawReturn = true;
        return true;
      }
      line += String.fromCharCode(code);
      return false;
    };
    const finish = (): unknown => {
      if (!any) return EOF;
      if (!sawReturn) return line;
      // A return: a newline right after it belongs to the same line ending.
      return then(this.next(true), (c) => (c instanceof Char && c.code === 10 ? then(this.next(false), () => line) : line));
    };
    return step();
  }
  /** Up to K characters (all of them when K is null); EOF when there were none. */
  read_string(k: unknown): unknown {
    this.check();
    const n = typeof k === 'number' ? k : Infinity;
    let out = '';
    let count = 0;
    let ended = false;
    const step = (): unknown => {
      while (count < n) {
        const c = this.next(false);
        if (c instanceof Promise) return c.then((v) => (take(v), ended ? done() : step()));
        take(c);
        if (ended) break;
      }
      return done();
    };
    const take = (c: unknown): void => {
      if (c === EOF) ended = true;
      else {
        out += String.fromCharCode((c as Char).code);
        count++;
      }
    };
    const done = (): unknown => (out === '' && ended && n > 0 ? EOF : out);
    return step();
  }
  readAll(): unknown {
    return then(this.read_string(null), (v) => (v === EOF ? '' : v));
  }
}

/** A character a procedure gave, checked: a character, or the end of file. */
function givenChar(v: unknown, who: string): unknown {
  if (v === EOF || v instanceof Char) return v;
  throw typeError(who, v, 'character');
}

/**
 * `make-input-port`: READ-CHAR, CHAR-READY? and CLOSE (and optionally PEEK-CHAR) are Scheme
 * procedures of no arguments. Without PEEK-CHAR a peeked character is kept for the next read.
 */
class ProcInPort extends CharInPort {
  private peeked: unknown = null;
  constructor(private readonly readFn: Fn, private readonly readyFn: Fn, private readonly closeFn: Fn, private readonly peekFn: Fn | null) {
    super();
  }
  next(peek: boolean): unknown {
    if (this.peeked !== null) {
      const c = this.peeked;
      if (!peek) this.peeked = null;
      return c;
    }
    if (peek && this.peekFn !== null) return then(callScheme(this.peekFn), (v) => givenChar(v, 'peek-char'));
    return then(callScheme(this.readFn), (v) => {
      const c = givenChar(v, 'read-char');
      if (peek) this.peeked = c;
      return c;
    });
  }
  override char_ready(): boolean {
    return this.is_open() && (this.peeked !== null || callScheme(this.readyFn) !== false);
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    callScheme(this.closeFn);
  }
}

/** `make-concatenated-port`: reads each port in turn until it ends. */
class ConcatenatedPort extends CharInPort {
  constructor(private ports: InPort[]) {
    super();
  }
  next(peek: boolean): unknown {
    const port = this.ports[0];
    if (port === undefined) return EOF;
    return then(peek ? bytes.peekChar(port) : bytes.readChar(port), (c) => {
      if (c !== EOF) return c;
      this.ports = this.ports.slice(1);
      return this.next(peek);
    });
  }
}

/** `make-output-port`: WRITE takes each string written; CLOSE and FLUSH take nothing. */
class ProcOutPort extends OutPort {
  constructor(private readonly writeFn: Fn, private readonly closeFn: Fn, private readonly flushFn: Fn | null) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    return this.putBytes(typeof s === 'string' ? textToBytes(s) : Buffer.from(s).toString('latin1'));
  }
  protected override putBytes(s: string): unknown {
    // The string is the procedure's to keep: a fresh (mutable) one, as CHICKEN gives.
    return then(callScheme(this.writeFn, mutableString(s)), () => undefined);
  }
  override flush(): unknown {
    return this.flushFn === null ? undefined : then(callScheme(this.flushFn), () => undefined);
  }
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    callScheme(this.closeFn);
  }
}

/** Runs F on each of ITEMS in turn, waiting for each that returns a Promise. */
function eachInTurn<T>(items: readonly T[], f: (x: T) => unknown, i = 0): unknown {
  for (; i < items.length; i++) {
    const r = f(items[i]!);
    if (r instanceof Promise) {
      const from = i + 1;
      return r.then(() => eachInTurn(items, f, from));
    }
  }
  return undefined;
}

/** `make-broadcast-port`: what is written goes to every one of its ports. */
class BroadcastPort extends OutPort {
  constructor(private readonly ports: OutPort[]) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    return this.putBytes(typeof s === 'string' ? textToBytes(s) : Buffer.from(s).toString('latin1'));
  }
  protected override putBytes(s: string): unknown {
    return eachInTurn(this.ports, (p) => p.writeBytes(s));
  }
  override flush(): unknown {
    return eachInTurn(this.ports, (p) => p.flush());
  }
}

function procArg(x: unknown, who: string): Fn {
  if (typeof x === 'function') return x as Fn;
  throw typeError(who, x, 'procedure');
}

// ---------------------------------------------------------------------------------------------
// read from any port
// ---------------------------------------------------------------------------------------------

/** Where a token ends (the character is not part of it). */
function isDelimiter(code: number): boolean {
  return code <= 32 || code === 40 || code === 41 || code === 91 || code === 93 || code === 34 || code === 59 || code === 39 || code === 96 || code === 44;
}

/**
 * The text of the next datum of a port that cannot be looked ahead in (stdin, a connection, a
 * procedure port), read character by character just to its end, as CHICKEN's reader consumes
 * it; EOF when only whitespace and comments are left. The reader then parses the text.
 */
async function datumText(port: InPort): Promise<unknown> {
  const read = async (): Promise<number> => {
    const c = await bytes.readChar(port);
    return c === EOF ? -1 : (c as Char).code;
  };
  const peek = async (): Promise<number> => {
    const c = await bytes.peekChar(port);
    return c === EOF ? -1 : (c as Char).code;
  };
  const ch = String.fromCharCode;
  /** Skips whitespace and comments; the code of the character after them (not consumed). */
  const skip = async (): Promise<number> => {
    for (;;) {
      const c = await peek();
      if (c === 59) {
        for (let d = await read(); d !== -1 && d !== 10; d = await read());
      } else if (c >= 0 && c <= 32) {
        await read();
      } else {
        return c;
      }
    }
  };
  /** A token's characters up to a delimiter. */
  const token = async (): Promise<string> => {
    let t = '';
    for (let c = await peek(); c !== -1 && !isDelimiter(c); c = await peek()) t += ch(await read());
    return t;
  };
  /** Until the closing QUOTE (" or |), backslash escapes kept. */
  const quoted = async (q: number): Promise<string> => {
    let t = ch(await read());
    for (;;) {
      const c = await read();
      if (c === -1) return t;
      t += ch(c);
      if (c === 92) {
        const e = await read();
        if (e !== -1) t += ch(e);
      } else if (c === q) {
        return t;
      }
    }
  };
  const blockComment = async (): Promise<void> => {
    let depth = 1;
    let prev = -1;
    while (depth > 0) {
      const c = await read();
      if (c === -1) return;
      if (prev === 124 && c === 35) (depth--, (prev = -1));
      else if (prev === 35 && c === 124) (depth++, (prev = -1));
      else prev = c;
    }
  };
  const list = async (open: string): Promise<string> => {
    let t = open;
    for (;;) {
      const c = await skip();
      if (c === -1) return t;
      if (c === 41 || c === 93) return t + ch(await read());
      const d = await datum();
      if (d === null) return t;
      t += ' ' + d;
    }
  };
  /** One datum's text, or null at the end. */
  const datum = async (): Promise<string | null> => {
    for (;;) {
      const c = await skip();
      if (c === -1) return null;
      if (c === 40 || c === 91) return list(ch(await read()));
      if (c === 34 || c === 124) return quoted(c);
      if (c === 39 || c === 96) {
        await read();
        const d = await datum();
        return ch(c) + (d ?? '');
      }
      if (c === 44) {
        await read();
        const at = (await peek()) === 64 ? ch(await read()) : '';
        const d = await datum();
        return ',' + at + (d ?? '');
      }
      if (c === 35) {
        await read();
        const n = await peek();
        if (n === 124) {
          await read();
          await blockComment();
          continue;
        }
        if (n === 59) {
          await read();
          await datum();
          continue;
        }
        if (n === 92) {
          // A character: its first one may be a delimiter.
          await read();
          const first = await read();
          return '#\\' + (first === -1 ? '' : ch(first)) + (await token());
        }
        if (n === 39 || n === 96 || n === 44) {
          const d = await datum();
          return '#' + (d ?? '');
        }
        const t = '#' + (await token());
        return (await peek()) === 40 ? t + (await list(ch(await read()))) : t;
      }
      return token();
    }
  };
  const text = await datum();
  return text === null ? EOF : new Reader(text).read();
}

/** The next datum of a port whose unread text is all there (a string, a file, a request body). */
function readBuffered(port: BodyPort): unknown {
  const rest = port.input.peekAll();
  if (port.input.encoding === 'latin1') {
    const reader = new Reader(rest);
    const v = reader.read();
    port.input.skip(reader.offset);
    return v;
  }
  // UTF-8 text: read as its bytes, then skip the characters those bytes were.
  const b = textToBytes(rest);
  const reader = new Reader(b);
  const v = reader.read();
  port.input.skip(b === rest ? reader.offset : bytesToText(b.slice(0, reader.offset)).length);
  return v;
}

function readDatum(port: InPort): unknown {
  if (port instanceof BodyPort && port.is_open() && (pending.get(port) ?? '') === '') return readBuffered(port);
  return datumText(port);
}

// ---------------------------------------------------------------------------------------------

export let currentOutputPort: Fn;
export let currentInputPort: Fn;
export let currentErrorPort: Fn;

/** csi's complaint about P where a port of a direction is wanted: not a port at all, or the other direction. */
function portError(p: unknown, who: string, direction: 'input' | 'output'): SchemeError {
  const isPort = p instanceof OutPort || p instanceof InPort;
  return new SchemeError(['exn', 'type'], isPort ? `bad argument type - not an ${direction}-port` : 'bad argument type - not a port', [p], who);
}

function outPort(p: unknown, who: string): OutPort {
  if (p === undefined) return parameterValue(currentOutputPort) as OutPort;
  if (p instanceof OutPort) return p;
  throw portError(p, who, 'output');
}

function inPort(p: unknown, who: string): InPort {
  if (p === undefined) return parameterValue(currentInputPort) as InPort;
  if (p instanceof InPort) return p;
  throw portError(p, who, 'input');
}

function str(x: unknown, who: string): string {
  const s = stringValue(x);
  if (s === null) throw typeError(who, x, 'string');
  return s;
}

/** A radix directive's argument as `number->string` gives it (which raises for a non-number). */
function radix(x: unknown, base: number): string {
  if (typeof x === 'number') return x.toString(base);
  if (x instanceof Flo) return displayString(x);
  throw typeError('number->string', x, 'number');
}

/**
 * CHICKEN's format directives (extras' fprintf0): ~a ~s ~c ~b ~o ~x ~% ~n ~~ ~! (flush: our
 * ports need none), ~? (a format string and a list of its arguments), and ~ before whitespace,
 * which skips it. Surplus arguments are ignored, as csi does.
 */
export function format(fmt: string, args: unknown[], who: string): string {
  let out = '';
  let k = 0;
  const next = (): unknown => {
    if (k >= args.length) throw schemeError('too few arguments to formatted output procedure', [], who);
    return args[k++];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '~' || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const d = fmt[++i]!;
    switch (d.toLowerCase()) {
      case 'a': out += displayString(next()); break;
      case 's': out += writeString(next()); break;
      case 'c': out += displayString(next()); break;
      case 'b': out += radix(next(), 2); break;
      case 'o': out += radix(next(), 8); break;
      case 'x': out += radix(next(), 16); break;
      case '%': case 'n': out += '\n'; break;
      case '~': out += '~'; break;
      case '!': break;
      case '?': {
        const sub = str(next(), who);
        const list = next();
        const items = listToArray(list);
        if (items === null) throw typeError(who, list, 'list');
        out += format(sub, items, who);
        break;
      }
      default:
        if (/\s/.test(d)) {
          while (i + 1 < fmt.length && /\s/.test(fmt[i + 1]!)) i++;
          break;
        }
        throw schemeError('illegal format-string character', [Char.of(d.charCodeAt(0))], who);
    }
  }
  return out;
}

/**
 * (read-string! N STRING [PORT [START]]): reads up to N bytes (N #f: to the end of STRING) into
 * STRING from START; the number read (N is cut to what fits, as csi does).
 */
function readStringInto(n: unknown, dest: unknown, p?: unknown, start?: unknown): unknown {
  const who = 'read-string!';
  if (!(dest instanceof MString)) throw typeError(who, dest, stringValue(dest) === null ? 'string' : undefined);
  const from = start === undefined ? 0 : start;
  if (typeof from !== 'number') throw typeError(who, from, 'fixnum');
  const len = dest.__string__.length;
  if (n !== false && typeof n !== 'number') throw typeError(who, n, 'fixnum');
  if (from < 0 || from > len) throw boundsError(who, dest, from);
  // More than fits is what fits, as csi does.
  const count = n === false ? len - from : Math.max(0, Math.min(n, len - from));
  const port = inPort(p, who);
  if (count === 0) return 0;
  return then(bytes.readString(port, count), (got) => {
    if (got === EOF) return 0;
    const t = String(got);
    const old = dest.__string__;
    dest.__string__ = old.slice(0, from) + t + old.slice(from + t.length);
    return t.length;
  });
}

export function installIo(engine: Engine): void {
  currentOutputPort = makeParameter(undefined, null, 'current-output-port', () => als.getStore()?.out ?? stdoutPort);
  currentInputPort = makeParameter(undefined, null, 'current-input-port', () => als.getStore()?.in ?? stdinPort);
  currentErrorPort = makeParameter(stderrPort, null, 'current-error-port');
  engine.define('current-output-port', currentOutputPort);
  engine.define('current-input-port', currentInputPort);
  engine.define('current-error-port', currentErrorPort);
  defineProcedures(engine, {
    display: [(x: unknown, p?: unknown) => {
      return emit(outPort(p, 'display'), displayString(x));
    }, 1, 2],
    write: [(x: unknown, p?: unknown) => {
      return emit(outPort(p, 'write'), writeString(x));
    }, 1, 2],
    newline: [(p?: unknown) => {
      // CHICKEN's newline is write-char's, and its errors say so.
      return emit(outPort(p, 'write-char'), '\n');
    }, 0, 1],
    'write-char': [(c: unknown, p?: unknown) => {
      if (!(c instanceof Char)) throw typeError('write-char', c, 'character');
      return emit(outPort(p, 'write-char'), displayString(c));
    }, 1, 2],
    'write-string': [(s: unknown, a?: unknown, b?: unknown, c?: unknown) => {
      // CHICKEN: (write-string S [N [PORT]]); R7RS: (write-string S [PORT [START [END]]]).
      let text = str(s, 'write-string');
      let port: unknown;
      if (a === undefined || a === false || typeof a === 'number') {
        if (typeof a === 'number') text = text.slice(0, a);
        port = b;
      } else {
        port = a;
        if (typeof b === 'number') text = text.slice(b, typeof c === 'number' ? c : undefined);
      }
      return emit(outPort(port, 'write-string'), text);
    }, 1, 4],
    'pretty-print': [(x: unknown, p?: unknown) => {
      return emit(outPort(p, 'pretty-print'), textToBytes(prettyString(x)) + '\n');
    }, 1, 2],
    pp: [(x: unknown, p?: unknown) => {
      return emit(outPort(p, 'pp'), textToBytes(prettyString(x)) + '\n');
    }, 1, 2],
    'write-line': [(x: unknown, p?: unknown) => {
      return emit(outPort(p, 'write-line'), displayString(x) + '\n');
    }, 1, 2],
    print: [(...xs: unknown[]) => {
      let s = '';
      for (const x of xs) s += displayString(x);
      return emit(outPort(undefined, 'print'), s + '\n');
    }, 0, Infinity],
    'print*': [(...xs: unknown[]) => {
      let s = '';
      for (const x of xs) s += displayString(x);
      const port = outPort(undefined, 'print*');
      return then(emit(port, s), () => port.flush());
    }, 0, Infinity],
    printf: [(fmt: unknown, ...args: unknown[]) => {
      return emit(outPort(undefined, 'printf'), format(str(fmt, 'printf'), args, 'printf'));
    }, 1, Infinity],
    fprintf: [(p: unknown, fmt: unknown, ...args: unknown[]) => {
      return emit(outPort(p, 'fprintf'), format(str(fmt, 'fprintf'), args, 'fprintf'));
    }, 2, Infinity],
    sprintf: [(fmt: unknown, ...args: unknown[]) => format(str(fmt, 'sprintf'), args, 'sprintf'), 1, Infinity],
    format: [(dest: unknown, ...rest: unknown[]) => {
      if (dest === false) return format(str(rest[0], 'format'), rest.slice(1), 'format');
      if (stringValue(dest) !== null) return format(str(dest, 'format'), rest, 'format');
      return emit(dest === true ? outPort(undefined, 'format') : outPort(dest, 'format'), format(str(rest[0], 'format'), rest.slice(1), 'format'));
    }, 1, Infinity],
    'flush-output': [(p?: unknown) => outPort(p, 'flush-output').flush(), 0, 1],
    'open-output-string': [() => new ByteStringPort(), 0, 0],
    'get-output-string': [(p: unknown) => {
      if (!(p instanceof ByteStringPort)) throw portError(p, 'get-output-string', 'output');
      return p.text();
    }, 1, 1],
    'open-input-string': [(s: unknown) => stringInPort(str(s, 'open-input-string')), 1, 1],
    'read-line': [(p?: unknown, limit?: unknown) => {
      const v = bytes.readLine(inPort(p, 'read-line'));
      return typeof limit === 'number' ? then(v, (l) => (typeof l === 'string' ? l.slice(0, limit) : l)) : v;
    }, 0, 2],
    'read-char': [(p?: unknown) => bytes.readChar(inPort(p, 'read-char')), 0, 1],
    'peek-char': [(p?: unknown) => bytes.peekChar(inPort(p, 'peek-char')), 0, 1],
    'read-string': [(a?: unknown, b?: unknown) => {
      // CHICKEN: (read-string [N [PORT]]); R7RS: (read-string K [PORT]).
      const port = inPort(b, 'read-string');
      if (a !== undefined && a !== false && typeof a !== 'number') throw typeError('read-string', a, 'fixnum');
      return bytes.readString(port, typeof a === 'number' ? a : null);
    }, 0, 2],
    'char-ready?': [(p?: unknown) => inPort(p, 'char-ready?').char_ready(), 0, 1],
    read: [(p?: unknown) => readDatum(inPort(p, 'read')), 0, 1],
    'eof-object': [() => EOF, 0, 0],
    'eof-object?': [(x: unknown) => x === EOF, 1, 1],
    'input-port?': [(x: unknown) => x instanceof InPort, 1, 1],
    'output-port?': [(x: unknown) => x instanceof OutPort, 1, 1],
    'port?': [(x: unknown) => x instanceof InPort || x instanceof OutPort, 1, 1],
    'close-input-port': [(p: unknown) => inPort(p, 'close-input-port').close(), 1, 1],
    'input-port-open?': [(p: unknown) => inPort(p, 'input-port-open?').is_open(), 1, 1],
    'output-port-open?': [(p: unknown) => outPort(p, 'output-port-open?').is_open(), 1, 1],
    'open-input-file': [(f: unknown) => fileInPort(f, 'open-input-file'), 1, 2],
    'open-output-file': [(f: unknown, mode?: unknown) => namePort(new FilePort(openFile(f, mode !== undefined && displayString(mode).includes('append') ? 'a' : 'w', 'open-output-file')), str(f, 'open-output-file')), 1, 2],
    'file-exists?': [(f: unknown) => fs.existsSync(bytesToText(str(f, 'file-exists?'))) ? f : false, 1, 1],
    'delete-file': [(f: unknown) => {
      try {
        fs.unlinkSync(bytesToText(str(f, 'delete-file')));
      } catch (e) {
        throw new SchemeError(['exn', 'i/o', 'file'], `cannot delete file - ${(e as Error).message}`, [f], 'delete-file');
      }
    }, 1, 1],
    '%file-text': [(f: unknown) => {
      const fd = openFile(f, 'r', 'read-file');
      try {
        return fs.readFileSync(fd).toString('latin1');
      } finally {
        fs.closeSync(fd);
      }
    }, 1, 1],
    'close-output-port': [(p: unknown) => outPort(p, 'close-output-port').close(), 1, 1],
    'make-input-port': [(read: unknown, ready: unknown, close: unknown, peek?: unknown) => {
      const who = 'make-input-port';
      return namePort(new ProcInPort(procArg(read, who), procArg(ready, who), procArg(close, who), peek === undefined || peek === false ? null : procArg(peek, who)), '(custom)');
    }, 3, 6],
    'make-output-port': [(write: unknown, close: unknown, flush?: unknown) => {
      const who = 'make-output-port';
      return namePort(new ProcOutPort(procArg(write, who), procArg(close, who), flush === undefined || flush === false ? null : procArg(flush, who)), '(custom)');
    }, 2, 3],
    'make-broadcast-port': [(...ports: unknown[]) => namePort(new BroadcastPort(ports.map((p) => outPort(p, 'make-broadcast-port'))), '(custom)'), 0, Infinity],
    'make-concatenated-port': [(...ports: unknown[]) => namePort(new ConcatenatedPort(ports.map((p) => inPort(p, 'make-concatenated-port'))), '(custom)'), 1, Infinity],
    'read-string!': [readStringInto, 2, 4],
    '%check-output-port': [(p: unknown, who: unknown) => void outPort(p ?? false, String(who)), 2, 2],
    '%check-input-port': [(p: unknown, who: unknown) => void inPort(p ?? false, String(who)), 2, 2],
    '%string->mutable': [(s: unknown) => mutableString(str(s, 'string-copy')), 1, 1],
  });
}
