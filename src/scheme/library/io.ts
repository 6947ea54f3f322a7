/**
 * Ports and the input/output procedures of the compiled engine. Scheme strings are bytes, so
 * what a port writes is exactly the bytes of the strings (a non-ASCII string goes out as a
 * Buffer of them), and what it reads comes back one character per byte. The current ports are
 * parameters whose default is the port of the handler running now (AsyncLocalStorage), else
 * stdio, so concurrent handlers never share an output.
 */
import fs from 'node:fs';
import type { Engine } from '../compiler/index.js';
import { EOF, Char, MString, NIL, arrayToList, stringValue, textToBytes, bytesToText, mutableString } from '../runtime/data.js';
import { typeError, schemeError, SchemeError } from '../runtime/errors.js';
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
  private parts: string[] = [];
  protected put(s: string | Uint8Array): unknown {
    this.parts.push(typeof s === 'string' ? s : Buffer.from(s).toString('latin1'));
    return undefined;
  }
  protected override putBytes(s: string): unknown {
    return this.put(s);
  }
  text(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
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
    if (isBytePort(port) && port.is_open()) {
      const c = (port as BodyPort).input.peekChar();
      return c === null ? EOF : Char.of(c.charCodeAt(0));
    }
    const rest = pending.get(port);
    if (rest !== undefined && rest !== '') return Char.of(rest.charCodeAt(0));
    return then(port.peek_char(), (c) => (c === EOF ? EOF : Char.of(textToBytes(String.fromCodePoint(codeOf(c))).charCodeAt(0))));
  },
  readLine(port: InPort): unknown {
    if (isBytePort(port)) return port.read_line();
    const rest = pending.get(port) ?? '';
    pending.delete(port);
    return then(port.read_line(), (l) => (l === EOF ? (rest === '' ? EOF : rest) : rest + textToBytes(String(l))));
  },
  readString(port: InPort, n: number | null): unknown {
    if (isBytePort(port)) return n === null ? (port as BodyPort).readAll() : port.read_string(n);
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

/** CHICKEN's format directives: ~a ~s ~% ~n ~~ ~b ~o ~x ~c. */
export function format(fmt: string, args: unknown[], who: string): string {
  let out = '';
  let k = 0;
  const next = (): unknown => {
    if (k >= args.length) throw schemeError('too few arguments to formatted output procedure', [fmt], who);
    return args[k++];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '~') {
      out += c;
      continue;
    }
    const d = (fmt[++i] ?? '').toLowerCase();
    switch (d) {
      case 'a': out += displayString(next()); break;
      case 's': out += writeString(next()); break;
      case '%': case 'n': out += '\n'; break;
      case '~': out += '~'; break;
      case 'b': out += Number(next()).toString(2); break;
      case 'o': out += Number(next()).toString(8); break;
      case 'x': out += Number(next()).toString(16); break;
      case 'c': out += displayString(next()); break;
      default: throw schemeError(`illegal format-string character ~${d}`, [fmt], who);
    }
  }
  return out;
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
      emit(outPort(p, 'display'), displayString(x));
    }, 1, 2],
    write: [(x: unknown, p?: unknown) => {
      emit(outPort(p, 'write'), writeString(x));
    }, 1, 2],
    newline: [(p?: unknown) => {
      // CHICKEN's newline is write-char's, and its errors say so.
      emit(outPort(p, 'write-char'), '\n');
    }, 0, 1],
    'write-char': [(c: unknown, p?: unknown) => {
      if (!(c instanceof Char)) throw typeError('write-char', c, 'character');
      emit(outPort(p, 'write-char'), displayString(c));
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
      emit(outPort(port, 'write-string'), text);
    }, 1, 4],
    'pretty-print': [(x: unknown, p?: unknown) => {
      emit(outPort(p, 'pretty-print'), textToBytes(prettyString(x)) + '\n');
    }, 1, 2],
    pp: [(x: unknown, p?: unknown) => {
      emit(outPort(p, 'pp'), textToBytes(prettyString(x)) + '\n');
    }, 1, 2],
    'write-line': [(x: unknown, p?: unknown) => {
      emit(outPort(p, 'write-line'), displayString(x) + '\n');
    }, 1, 2],
    print: [(...xs: unknown[]) => {
      let s = '';
      for (const x of xs) s += displayString(x);
      emit(outPort(undefined, 'print'), s + '\n');
    }, 0, Infinity],
    'print*': [(...xs: unknown[]) => {
      let s = '';
      for (const x of xs) s += displayString(x);
      const port = outPort(undefined, 'print*');
      emit(port, s);
      return port.flush();
    }, 0, Infinity],
    printf: [(fmt: unknown, ...args: unknown[]) => {
      emit(outPort(undefined, 'printf'), format(str(fmt, 'printf'), args, 'printf'));
    }, 1, Infinity],
    fprintf: [(p: unknown, fmt: unknown, ...args: unknown[]) => {
      emit(outPort(p, 'fprintf'), format(str(fmt, 'fprintf'), args, 'fprintf'));
    }, 2, Infinity],
    sprintf: [(fmt: unknown, ...args: unknown[]) => format(str(fmt, 'sprintf'), args, 'sprintf'), 1, Infinity],
    format: [(dest: unknown, ...rest: unknown[]) => {
      if (dest === false) return format(str(rest[0], 'format'), rest.slice(1), 'format');
      if (stringValue(dest) !== null) return format(str(dest, 'format'), rest, 'format');
      emit(dest === true ? outPort(undefined, 'format') : outPort(dest, 'format'), format(str(rest[0], 'format'), rest.slice(1), 'format'));
      return undefined;
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
    read: [(p?: unknown) => {
      const port = inPort(p, 'read');
      if (port instanceof BodyPort && port.input.encoding === 'latin1') {
        // One datum: read from what is left, then skip just what it took.
        const reader = new Reader(port.input.peekAll());
        const v = reader.read();
        port.input.skip(reader.offset);
        return v;
      }
      throw schemeError('read: only string ports can be read from yet', [port], 'read');
    }, 0, 1],
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
    '%string->mutable': [(s: unknown) => mutableString(str(s, 'string-copy')), 1, 1],
  });
  void MString;
  void NIL;
  void arrayToList;
}
