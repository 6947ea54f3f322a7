/**
 * Output procedures in TypeScript with CHICKEN's behaviour: `print` (all arguments, then one
 * newline), `display`, `write`, `newline`, `write-string`, `write-char`, `write-line`,
 * `pretty-print`/`pp`, `print*`, `printf`/`fprintf`/`sprintf`/`format`, `flush-output`, and string
 * ports. LIPS's own versions put a newline after each argument of `print` and cost 0.5–7 ms a call.
 */
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { displayString, writeString as lipsWriteString, toStr, toNum, lips, isPair, isStringLike, SchemeArgumentError, describe } from '../values.js';
import { OutPort, StringPort, StringInPort } from '../ports.js';
import { BufferInput } from '../../http/input.js';
import { currentOut } from './current-ports.js';

function outPort(ctx: CallContext, port: unknown, who: string): OutPort {
  if (port === undefined || port === null) return currentOut(ctx);
  if (port instanceof OutPort) return port;
  if (port !== null && typeof port === 'object' && typeof (port as { write?: unknown }).write === 'function') return port as OutPort;
  throw new SchemeArgumentError(`${who}: expected an output port, got ${describe(port)}`);
}

/**
 * `write` form of X. LIPS's printer leaves a newline inside a string as it is; CHICKEN writes
 * "\n" (so a written string reads back, and a value prints on one line). A raw newline can only
 * come from inside a string or a |symbol|, where \n is the escape.
 */
export function writeString(x: unknown): string {
  const s = lipsWriteString(x);
  return s.includes('\n') ? s.replace(/\n/g, '\\n') : s;
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

/** Length in characters (code points). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const READ_MACROS: Record<string, string> = { quote: "'", quasiquote: '`', unquote: ',', 'unquote-splicing': ',@' };

/** The head's name when X is (quote D), (quasiquote D), (unquote D) or (unquote-splicing D). */
function readMacro(x: { car: unknown; cdr: unknown }): string | null {
  const L = lips();
  if (!(x.car instanceof L.LSymbol)) return null;
  const prefix = READ_MACROS[x.car.__name__];
  return prefix !== undefined && isPair(x.cdr) && x.cdr.cdr === L.nil ? prefix : null;
}

/** `write` form on one line, with 'x for (quote x) as CHICKEN writes it. */
function flat(x: unknown): string {
  if (Array.isArray(x)) return '#(' + x.map(flat).join(' ') + ')';
  if (!isPair(x)) return writeString(x);
  const prefix = readMacro(x);
  if (prefix !== null) return prefix + flat((x.cdr as { car: unknown }).car);
  const items: string[] = [];
  let p: unknown = x;
  while (isPair(p)) {
    items.push(flat(p.car));
    p = p.cdr;
  }
  return '(' + items.join(' ') + (p === lips().nil ? '' : ' . ' + flat(p)) + ')';
}

type PpItem = (x: unknown, col: number, extra: number) => number;

/**
 * `write` form of X as CHICKEN's `pretty-print` lays it out (Marc Feeley's pretty printer, as in
 * CHICKEN's extras): a form that fits in WIDTH columns (or in 50, deep inside) stays on one line;
 * a longer list puts its elements one per line, calls align their arguments under the first,
 * and `define`, `lambda`, `let`, `if`, `cond`, `case`, `begin`, `do` get their usual indentation.
 */
export function prettyString(x: unknown, lineWidth = 79): string {
  const L = lips();
  const parts: string[] = [];
  const out = (s: string, col: number): number => { parts.push(s); return col + width(s); };
  const spaces = (n: number, col: number): number => (n > 0 ? out(' '.repeat(n), col) : col);
  const indent = (to: number, col: number): number => {
    if (to >= col) return spaces(to - col, col);
    out('\n', col);
    return spaces(to, 0);
  };
  const maxExprWidth = 50;
  const indentGeneral = 2;
  const maxCallHeadWidth = 5;

  const pr = (obj: unknown, col: number, extra: number, ppPair: PpItem): number => {
    if (!isPair(obj) && !Array.isArray(obj)) return out(flat(obj), col);
    const left = Math.max(lineWidth - col - extra + 1, maxExprWidth);
    const text = flat(obj);
    if (width(text) < left) return out(text, col);
    return isPair(obj) ? ppPair(obj, col, extra) : ppList(L.Pair.from_array(obj as unknown[], false), out('#', col), extra, ppExpr);
  };
  const ppExpr: PpItem = (expr, col, extra) => {
    const e = expr as { car: unknown; cdr: unknown };
    const prefix = readMacro(e);
    if (prefix !== null) return pr((e.cdr as { car: unknown }).car, out(prefix, col), extra, ppExpr);
    if (e.car instanceof L.LSymbol) {
      const style = styleOf(e.car.__name__);
      if (style !== null) return style(expr, col, extra);
      if (width(e.car.__name__) > maxCallHeadWidth) return ppGeneral(expr, col, extra, false, null, null, ppExpr);
      return ppCall(expr, col, extra, ppExpr);
    }
    return ppList(expr, col, extra, ppExpr);
  };
  // (head item1
  //       item2)
  const ppCall = (expr: unknown, col: number, extra: number, ppItem: PpItem): number => {
    const e = expr as { car: unknown; cdr: unknown };
    const colStar = out(flat(e.car), out('(', col));
    return ppDown(e.cdr, colStar, colStar + 1, extra, ppItem);
  };
  // (item1
  //  item2)
  const ppList = (l: unknown, col: number, extra: number, ppItem: PpItem): number => {
    const c = out('(', col);
    return ppDown(l, c, c, extra, ppItem);
  };
  const ppDown = (l: unknown, col1: number, col2: number, extra: number, ppItem: PpItem): number => {
    let col = col1;
    for (;;) {
      if (isPair(l)) {
        const rest = l.cdr;
        col = pr(l.car, indent(col2, col), rest === L.nil ? extra + 1 : 0, ppItem);
        l = rest;
      } else if (l === L.nil) {
        return out(')', col);
      } else {
        return out(')', pr(l, indent(col2, out('.', indent(col2, col))), extra + 1, ppItem));
      }
    }
  };
  const ppGeneral = (expr: unknown, col: number, extra: number, named: boolean, pp1: PpItem | null, pp2: PpItem | null, pp3: PpItem): number => {
    const e = expr as { car: unknown; cdr: unknown };
    let rest = e.cdr;
    let col2 = out(flat(e.car), out('(', col));
    if (named && isPair(rest)) {
      col2 = out(flat(rest.car), out(' ', col2));
      rest = rest.cdr;
    }
    const col1 = col + indentGeneral;
    const col3 = col2 + 1;
    if (pp1 !== null && isPair(rest)) {
      const val = rest.car;
      rest = rest.cdr;
      col2 = pr(val, indent(col3, col2), rest === L.nil ? extra + 1 : 0, pp1);
    }
    if (pp2 !== null && isPair(rest)) {
      const val = rest.car;
      rest = rest.cdr;
      col2 = pr(val, indent(col3, col2), rest === L.nil ? extra + 1 : 0, pp2);
    }
    return ppDown(rest, col2, col1, extra, pp3);
  };
  const ppExprList: PpItem = (l, col, extra) => ppList(l, col, extra, ppExpr);
  const styleOf = (head: string): PpItem | null => {
    switch (head) {
      case 'lambda': case 'let*': case 'letrec': case 'define':
        return (x, c, e) => ppGeneral(x, c, e, false, ppExprList, null, ppExpr);
      case 'if': case 'set!':
        return (x, c, e) => ppGeneral(x, c, e, false, ppExpr, null, ppExpr);
      case 'cond':
        return (x, c, e) => ppCall(x, c, e, ppExprList);
      case 'case':
        return (x, c, e) => ppGeneral(x, c, e, false, ppExpr, null, ppExprList);
      case 'and': case 'or':
        return (x, c, e) => ppCall(x, c, e, ppExpr);
      case 'let':
        return (x, c, e) => {
          const rest = (x as { cdr: unknown }).cdr;
          const named = isPair(rest) && rest.car instanceof L.LSymbol;
          return ppGeneral(x, c, e, named, ppExprList, null, ppExpr);
        };
      case 'begin':
        return (x, c, e) => ppGeneral(x, c, e, false, null, null, ppExpr);
      case 'do':
        return (x, c, e) => ppGeneral(x, c, e, false, ppExprList, ppExprList, ppExpr);
      default:
        return null;
    }
  };
  pr(x, 0, 0, ppExpr);
  return parts.join('');
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
      if (isStringLike(dest)) return formatString(toStr(dest, 'format'), rest);
      outPort(this, dest, 'format').write(formatString(toStr(rest[0], 'format'), rest.slice(1)));
      return undefined;
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
