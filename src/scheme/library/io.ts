/**
 * Ports and the input/output procedures of the compiled engine. Scheme strings are bytes, so
 * what a port writes is exactly the bytes of the strings (a non-ASCII string goes out as a
 * Buffer of them), and what it reads comes back one character per byte. The current ports are
 * parameters whose default is the port of the handler running now (AsyncLocalStorage), else
 * stdio, so concurrent handlers never share an output.
 */
import type { Engine } from '../compiler/index.js';
import { EOF, Char, MString, NIL, arrayToList, stringValue, textToBytes, mutableString } from '../runtime/data.js';
import { typeError, schemeError } from '../runtime/errors.js';
import { displayString, writeString } from '../runtime/printer.js';
import { Reader } from '../compiler/reader.js';
import { OutPort, InPort } from '../ports.js';
import { als } from '../context.js';
import { stdoutPort, stderrPort, stdinPort } from '../prelude/current-ports.js';
import { makeParameter, parameterValue } from './control.js';
import { defineProcedures } from './define.js';

type Fn = (...args: unknown[]) => unknown;

/** True when every character of S is ASCII (written as it is, no Buffer needed). */
function ascii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Writes byte string S to PORT. */
export function emit(port: OutPort, s: string): unknown {
  return port.write(ascii(s) ? s : Buffer.from(s, 'latin1'));
}

/** `open-output-string`: collects bytes. */
export class ByteStringPort extends OutPort {
  private parts: string[] = [];
  protected put(s: string | Uint8Array): unknown {
    this.parts.push(typeof s === 'string' ? s : Buffer.from(s).toString('latin1'));
    return undefined;
  }
  text(): string {
    const s = this.parts.join('');
    this.parts = [s];
    return s;
  }
}

/** `open-input-string`: reads the bytes of a string. */
export class ByteStringInPort extends InPort {
  private at = 0;
  constructor(private readonly s: string) {
    super();
  }
  read_line(): unknown {
    this.check();
    if (this.at >= this.s.length) return EOF;
    let nl = this.s.indexOf('\n', this.at);
    const end = nl === -1 ? this.s.length : nl;
    let line = this.s.slice(this.at, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (nl === -1) nl = this.s.length - 1;
    this.at = nl + 1;
    return line;
  }
  read_char(): unknown {
    this.check();
    return this.at < this.s.length ? Char.of(this.s.charCodeAt(this.at++)) : EOF;
  }
  peek_char(): unknown {
    this.check();
    return this.at < this.s.length ? Char.of(this.s.charCodeAt(this.at)) : EOF;
  }
  read_string(k: unknown): unknown {
    this.check();
    if (this.at >= this.s.length) return EOF;
    const n = typeof k === 'number' ? k : this.s.length;
    const out = this.s.slice(this.at, this.at + n);
    this.at += out.length;
    return out;
  }
  /** The rest, for `read` and `read-all`. */
  rest(): string {
    const r = this.s.slice(this.at);
    this.at = this.s.length;
    return r;
  }
  /** `read`: the next datum from here. */
  readDatum(): unknown {
    const reader = new Reader(this.s.slice(this.at));
    const v = reader.read();
    this.at += reader.offset;
    return v;
  }
}

/** A value an input port's method returned: strings from text ports become bytes. */
function fromPort(v: unknown): unknown {
  if (typeof v === 'string') return textToBytes(v);
  if (v instanceof Promise) return v.then(fromPort);
  if (v !== null && typeof v === 'object' && '__char__' in v && !(v instanceof Char)) {
    const c = String((v as { __char__: string }).__char__);
    return Char.of(c.codePointAt(0) ?? 0);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------

export let currentOutputPort: Fn;
export let currentInputPort: Fn;
export let currentErrorPort: Fn;

function outPort(p: unknown, who: string): OutPort {
  if (p === undefined) return parameterValue(currentOutputPort) as OutPort;
  if (p instanceof OutPort) return p;
  throw typeError(who, p, 'output-port');
}

function inPort(p: unknown, who: string): InPort {
  if (p === undefined) return parameterValue(currentInputPort) as InPort;
  if (p instanceof InPort) return p;
  throw typeError(who, p, 'input-port');
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
      emit(outPort(p, 'newline'), '\n');
    }, 0, 1],
    'write-char': [(c: unknown, p?: unknown) => {
      if (!(c instanceof Char)) throw typeError('write-char', c, 'character');
      emit(outPort(p, 'write-char'), displayString(c));
    }, 1, 2],
    'write-string': [(s: unknown, a?: unknown, b?: unknown) => {
      // CHICKEN: (write-string S [N [PORT]]); R7RS: (write-string S [PORT [START [END]]]).
      let text = str(s, 'write-string');
      let port: unknown;
      if (a === undefined || a === false || typeof a === 'number') {
        if (typeof a === 'number') text = text.slice(0, a);
        port = b;
      } else port = a;
      emit(outPort(port, 'write-string'), text);
    }, 1, 4],
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
      if (!(p instanceof ByteStringPort)) throw typeError('get-output-string', p, 'string output port');
      return p.text();
    }, 1, 1],
    'open-input-string': [(s: unknown) => new ByteStringInPort(str(s, 'open-input-string')), 1, 1],
    'read-line': [(p?: unknown, limit?: unknown) => {
      const v = fromPort(inPort(p, 'read-line').read_line());
      if (typeof limit === 'number' && typeof v === 'string') return v.slice(0, limit);
      return v;
    }, 0, 2],
    'read-char': [(p?: unknown) => fromPort(inPort(p, 'read-char').read_char()), 0, 1],
    'peek-char': [(p?: unknown) => fromPort(inPort(p, 'peek-char').peek_char()), 0, 1],
    'read-string': [(a?: unknown, b?: unknown) => {
      // CHICKEN: (read-string [N [PORT]]); R7RS: (read-string K [PORT]).
      const port = inPort(b, 'read-string');
      if (a === undefined || a === false) {
        const all = (port as unknown as { readAll?: () => unknown; rest?: () => string }).rest?.() ?? (port as unknown as { readAll: () => unknown }).readAll();
        return fromPort(all);
      }
      return fromPort(port.read_string(a));
    }, 0, 2],
    'char-ready?': [(p?: unknown) => inPort(p, 'char-ready?').char_ready(), 0, 1],
    read: [(p?: unknown) => {
      const port = inPort(p, 'read');
      if (port instanceof ByteStringInPort) return port.readDatum();
      throw schemeError('read: only string ports and files can be read from yet', [port], 'read');
    }, 0, 1],
    'eof-object': [() => EOF, 0, 0],
    'eof-object?': [(x: unknown) => x === EOF, 1, 1],
    'input-port?': [(x: unknown) => x instanceof InPort, 1, 1],
    'output-port?': [(x: unknown) => x instanceof OutPort, 1, 1],
    'port?': [(x: unknown) => x instanceof InPort || x instanceof OutPort, 1, 1],
    'close-input-port': [(p: unknown) => inPort(p, 'close-input-port').close(), 1, 1],
    'close-output-port': [(p: unknown) => outPort(p, 'close-output-port').close(), 1, 1],
    '%string->mutable': [(s: unknown) => mutableString(str(s, 'string-copy')), 1, 1],
  });
  void MString;
  void NIL;
  void arrayToList;
}
