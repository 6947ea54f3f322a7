/**
 * Output procedures in TypeScript with CHICKEN's behaviour: `print` (all arguments, then one
 * newline), `display`, `write`, `newline`, `write-string`, `write-char`, `write-line`,
 * `pretty-print`/`pp`, `print*`, `printf`/`fprintf`/`sprintf`/`format`, `flush-output`, and string
 * ports. LIPS's own versions put a newline after each argument of `print` and cost 0.5–7 ms a call.
 */
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { displayString, writeString, toStr, toNum, lips, isPair, SchemeArgumentError, describe } from '../values.js';
import { OutPort, StringPort, StringInPort } from '../ports.js';
import { BufferInput } from '../../http/input.js';
import { currentOut } from './current-ports.js';

function outPort(ctx: CallContext, port: unknown, who: string): OutPort {
  if (port === undefined || port === null) return currentOut(ctx);
  if (port instanceof OutPort) return port;
  if (port !== null && typeof port === 'object' && typeof (port as { write?: unknown }).write === 'function') return port as OutPort;
  throw new SchemeArgumentError(`${who}: expected an output port, got ${describe(port)}`);
}

/** A character argument as its text. */
function charText(c: unknown, who: string): string {
  const L = lips();
  if (c instanceof L.LCharacter) return c.valueOf();
  if (typeof c === 'string' && [...c].length === 1) return c;
  throw new SchemeArgumentError(`${who}: expected a character, got ${describe(c)}`);
}

/** `format` directives: ~a ~s ~% ~n ~~ ~b ~o ~x ~c (upper or lower case). */
export function formatString(fmt: string, args: unknown[], who = 'format'): string {
  let out = '';
  let k = 0;
  const next = (d: string): unknown => {
    if (k >= args.length) throw new SchemeArgumentError(`${who}: too few arguments for ~${d} in ${JSON.stringify(fmt)}`);
    return args[k++];
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '~') { out += c; continue; }
    const d = fmt[++i];
    switch (d?.toLowerCase()) {
      case 'a': out += displayString(next(d!)); break;
      case 's': out += writeString(next(d!)); break;
      case '%': case 'n': out += '\n'; break;
      case '~': out += '~'; break;
      case 'b': out += Math.trunc(toNum(next(d!), who)).toString(2); break;
      case 'o': out += Math.trunc(toNum(next(d!), who)).toString(8); break;
      case 'x': out += Math.trunc(toNum(next(d!), who)).toString(16); break;
      case 'c': out += charText(next(d!), who); break;
      default: throw new SchemeArgumentError(`${who}: unknown directive ~${d ?? ''} in ${JSON.stringify(fmt)}`);
    }
  }
  return out;
}

/** `write` form of X, broken over lines when longer than WIDTH (CHICKEN's pp uses 79). */
export function prettyString(x: unknown, width = 79, indent = 0): string {
  const flat = writeString(x);
  if (flat.length + indent <= width || !isPair(x)) return flat;
  const items: string[] = [];
  let p: unknown = x;
  const L = lips();
  while (isPair(p)) {
    items.push(prettyString(p.car, width, indent + 1));
    p = p.cdr;
  }
  const tail = p === L.nil ? '' : ` . ${writeString(p)}`;
  const pad = '\n' + ' '.repeat(indent + 1);
  return '(' + items.join(pad) + tail + ')';
}

export function installOutput(global: Environment): void {
  defineAll(global, {
    print(this: CallContext, ...args: unknown[]): void {
      let s = '';
      for (let i = 0; i < args.length; i++) s += displayString(args[i]);
      currentOut(this).write(s + '\n');
    },
    'print*'(this: CallContext, ...args: unknown[]): unknown {
      let s = '';
      for (let i = 0; i < args.length; i++) s += displayString(args[i]);
      const port = currentOut(this);
      port.write(s);
      return port.flush();
    },
    display(this: CallContext, x: unknown, port?: unknown): void {
      outPort(this, port, 'display').write(displayString(x));
    },
    write(this: CallContext, x: unknown, port?: unknown): void {
      outPort(this, port, 'write').write(writeString(x));
    },
    newline(this: CallContext, port?: unknown): void {
      outPort(this, port, 'newline').write('\n');
    },
    'write-char'(this: CallContext, c: unknown, port?: unknown): void {
      outPort(this, port, 'write-char').write(charText(c, 'write-char'));
    },
    /** CHICKEN: (write-string S [N [PORT]]); R7RS: (write-string S [PORT [START [END]]]). */
    'write-string'(this: CallContext, s: unknown, a?: unknown, b?: unknown, c?: unknown): void {
      let text = toStr(s, 'write-string');
      let port: unknown;
      if (a === undefined || a === false || typeof a === 'number' || a instanceof lips().LNumber) {
        if (a !== undefined && a !== false) text = [...text].slice(0, toNum(a)).join('');
        port = b;
      } else {
        port = a;
        if (b !== undefined) text = [...text].slice(toNum(b), c === undefined ? undefined : toNum(c)).join('');
      }
      outPort(this, port, 'write-string').write(text);
    },
    'write-line'(this: CallContext, x: unknown, port?: unknown): void {
      outPort(this, port, 'write-line').write(displayString(x) + '\n');
    },
    'pretty-print'(this: CallContext, x: unknown, port?: unknown): void {
      outPort(this, port, 'pretty-print').write(prettyString(x) + '\n');
    },
    pp(this: CallContext, x: unknown, port?: unknown): void {
      outPort(this, port, 'pp').write(prettyString(x) + '\n');
    },
    printf(this: CallContext, fmt: unknown, ...args: unknown[]): void {
      currentOut(this).write(formatString(toStr(fmt, 'printf'), args, 'printf'));
    },
    fprintf(this: CallContext, port: unknown, fmt: unknown, ...args: unknown[]): void {
      outPort(this, port, 'fprintf').write(formatString(toStr(fmt, 'fprintf'), args, 'fprintf'));
    },
    sprintf(fmt: unknown, ...args: unknown[]): string {
      return formatString(toStr(fmt, 'sprintf'), args, 'sprintf');
    },
    /** (format #f FMT ARGS…) → string; #t → current output; a port → that port; (format FMT ARGS…) → string. */
    format(this: CallContext, dest: unknown, ...rest: unknown[]): unknown {
      if (dest === false) return formatString(toStr(rest[0], 'format'), rest.slice(1));
      if (dest === true) { currentOut(this).write(formatString(toStr(rest[0], 'format'), rest.slice(1))); return undefined; }
      if (dest instanceof OutPort) { dest.write(formatString(toStr(rest[0], 'format'), rest.slice(1))); return undefined; }
      return formatString(toStr(dest, 'format'), rest);
    },
    'flush-output'(this: CallContext, port?: unknown): unknown {
      return outPort(this, port, 'flush-output').flush();
    },
    'open-output-string'(): StringPort {
      return new StringPort();
    },
    'get-output-string'(port: unknown): string {
      if (!(port instanceof StringPort)) throw new SchemeArgumentError(`get-output-string: expected a string output port, got ${describe(port)}`);
      return port.getString();
    },
    'open-input-string'(s: unknown): StringInPort {
      return new StringInPort(new BufferInput(Buffer.from(toStr(s, 'open-input-string'))));
    },
  });
}
