/**
 * `display` and `write` as CHICKEN 5's csi prints (the texts were checked against csi):
 *
 *   write                                   display
 *   "a\"b\\c\n" (\a \b \t \n \v \f \r,      the bytes
 *     other control bytes and 127 as \xHH,
 *     bytes ≥ 0x80 as they are)
 *   #\a #\space #\null #\x1 #\x3bb          the character (above 255: its UTF-8 bytes)
 *   foo |a b| || |1| |\x01|                 the name
 *   #:foo #:|a b|                           foo: a b:
 *   (1 2 . 3) (quote x) #(1 2) #u8(1 2) () #t #f #<unspecified> #!eof #!default #!optional
 *   #<procedure (foo x . rest)>, #<procedure>, #<condition: (exn type)>, #<NAME>
 *
 * Multiple values print as their first value (#<unspecified> for none), as csi's `write` does.
 *
 * Printing is iterative: lists over their cdrs, nesting over an explicit stack, the text built
 * as an array of parts joined once, so a million-element list or a hundred-thousand-deep nest
 * prints in linear time without touching the JS stack. Circular structure cannot hang it: a
 * list is cut after MAX_LIST_ELEMENTS elements with ` ...)`, and nesting deeper than MAX_DEPTH
 * prints `...` in place of the deeper value.
 */
import { Pair, NIL, EOF, Flo, Char, Keyword, Marker, DEFAULT_OBJECT, MString, SymbolClass, isValues, valuesList, symbolName, textToBytes } from './data.js';
import { SchemeError } from './errors.js';
import { numberToString, stringToNumber } from './numbers.js';

/** Elements printed of one list before giving up with ` ...)` (a circular list would never end). */
export const MAX_LIST_ELEMENTS = 1_000_000;
/** Nesting printed before a deeper value becomes `...` (a car cycle would never end). */
export const MAX_DEPTH = 1_000_000;

export function displayString(x: unknown): string {
  // What handlers display most, without the walk.
  if (typeof x === 'string') return x;
  if (x instanceof MString) return x.__string__;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return String(x);
  if (x instanceof Char && x.code < 256) return String.fromCharCode(x.code);
  return print(x, false);
}

export function writeString(x: unknown): string {
  return print(x, true);
}

// ---------------------------------------------------------------------------------------------
// Printers of other modules
// ---------------------------------------------------------------------------------------------

type Printer = (x: unknown, write: boolean) => string;

/** Keyed by prototype, so lookup is a walk up the prototype chain (a step or two), not a scan. */
const printers = new Map<object, Printer>();

/**
 * Prints instances of CLS (and of its subclasses) with FN, before any built-in rule but those
 * of pairs, vectors, strings, numbers and other primitives.
 */
export function registerPrinter(cls: Function, fn: Printer): void {
  printers.set(cls.prototype as object, fn);
}

function registeredPrinter(x: object): Printer | undefined {
  if (printers.size === 0) return undefined;
  for (let p = Object.getPrototypeOf(x) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const fn = printers.get(p);
    if (fn !== undefined) return fn;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

/** A list being printed: REST is what follows the elements printed so far. */
class ListFrame {
  count = 0;
  constructor(public rest: unknown) {}
}

/** A vector being printed. */
class VectorFrame {
  index = 0;
  constructor(readonly items: readonly unknown[]) {}
}

/** Text to emit once the value before it is printed (the `)` after a dotted tail). */
class CloseFrame {
  constructor(readonly text: string) {}
}

type Frame = ListFrame | VectorFrame | CloseFrame;

const CLOSE_PAREN = new CloseFrame(')');

function print(root: unknown, write: boolean): string {
  const out: string[] = [];
  const stack: Frame[] = [];

  /** Emits an atom, or opens a compound value (its frame then prints the rest). */
  const visit = (x: unknown): void => {
    if (isValues(x)) x = valuesList(x)[0];
    if (x instanceof Pair || Array.isArray(x)) {
      if (stack.length >= MAX_DEPTH) {
        out.push('...');
      } else if (x instanceof Pair) {
        out.push('(');
        stack.push(new ListFrame(x));
      } else {
        out.push('#(');
        stack.push(new VectorFrame(x as unknown[]));
      }
      return;
    }
    out.push(atomString(x, write));
  };

  visit(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame instanceof ListFrame) {
      const rest = frame.rest;
      if (rest instanceof Pair) {
        if (frame.count === MAX_LIST_ELEMENTS) {
          out.push(' ...)');
          stack.pop();
          continue;
        }
        if (frame.count++ > 0) out.push(' ');
        frame.rest = rest.cdr;
        visit(rest.car);
      } else {
        stack.pop();
        if (rest === NIL) {
          out.push(')');
        } else {
          out.push(' . ');
          stack.push(CLOSE_PAREN);
          visit(rest);
        }
      }
    } else if (frame instanceof VectorFrame) {
      if (frame.index < frame.items.length) {
        if (frame.index > 0) out.push(' ');
        visit(frame.items[frame.index++]);
      } else {
        out.push(')');
        stack.pop();
      }
    } else {
      out.push(frame.text);
      stack.pop();
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Atoms
// ---------------------------------------------------------------------------------------------

function atomString(x: unknown, write: boolean): string {
  switch (typeof x) {
    case 'number':
      return Number.isSafeInteger(x) ? String(x) : numberToString(x);
    case 'string':
      return write ? stringLiteral(x) : x;
    case 'boolean':
      return x ? '#t' : '#f';
    case 'undefined':
      return '#<unspecified>';
    case 'bigint':
      return x.toString();
    case 'symbol':
      return '#<symbol>';
    case 'function':
      return registeredPrinter(x)?.(x, write) ?? procedureString(x as (...args: unknown[]) => unknown);
    default:
      return x === null ? '#<null>' : objectString(x as object, write);
  }
}

function objectString(x: object, write: boolean): string {
  const custom = registeredPrinter(x);
  if (custom !== undefined) return custom(x, write);
  if (x instanceof Flo) return numberToString(x);
  if (x instanceof Char) return write ? charLiteral(x.code) : charBytes(x.code);
  if (x instanceof MString) return write ? stringLiteral(x.__string__) : x.__string__;
  if (x instanceof SymbolClass) {
    const name = symbolName(x);
    return write ? symbolLiteral(name) : name;
  }
  if (x instanceof Keyword) return write ? `#:${symbolLiteral(x.name)}` : `${x.name}:`;
  if (x === NIL) return '()';
  if (x === EOF) return '#!eof';
  if (x === DEFAULT_OBJECT) return '#!default';
  if (x instanceof Marker) return `#!${x.name}`;
  if (x instanceof Uint8Array) return x.length === 0 ? '#u8()' : `#u8(${x.join(' ')})`;
  if (x instanceof SchemeError) return `#<condition: (${x.kinds.join(' ')})>`;
  if (x instanceof Error) return '#<condition: (exn)>'; // a JS exception caught by Scheme code
  const ctor = (x as { constructor?: { name?: unknown } }).constructor;
  const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name.toLowerCase() : 'object';
  return `#<${name}>`;
}

// Strings -------------------------------------------------------------------------------------

const STRING_ESCAPES: ReadonlyMap<number, string> = new Map([
  [34, '\\"'], [92, '\\\\'], [7, '\\a'], [8, '\\b'], [9, '\\t'], [10, '\\n'], [11, '\\v'], [12, '\\f'], [13, '\\r'],
]);
const NEEDS_ESCAPE = /[\x00-\x1f"\\\x7f]/;

function hex2(code: number): string {
  return code < 16 ? `0${code.toString(16)}` : code.toString(16);
}

/**
 * `write` of a string; bytes ≥ 0x80 go out as they are, as csi writes them. `\xHH` has no `;`:
 * CHICKEN's reader takes exactly two hex digits after `\x` (and would keep a `;` as a character).
 */
function stringLiteral(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  const parts: string[] = ['"'];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const escape = STRING_ESCAPES.get(c) ?? (c < 32 || c === 127 ? `\\x${hex2(c)}` : null);
    if (escape === null) continue;
    parts.push(s.slice(start, i), escape);
    start = i + 1;
  }
  parts.push(s.slice(start), '"');
  return parts.join('');
}

// Characters ----------------------------------------------------------------------------------

/** csi's names (data.ts's CHAR_NAMES are what the reader accepts; csi writes 0 as #\null). */
const CHAR_WRITE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'null'], [7, 'alarm'], [8, 'backspace'], [9, 'tab'], [10, 'newline'], [11, 'vtab'], [12, 'page'],
  [13, 'return'], [27, 'escape'], [32, 'space'], [127, 'delete'],
]);

function charLiteral(code: number): string {
  const name = CHAR_WRITE_NAMES.get(code);
  if (name !== undefined) return `#\\${name}`;
  if (code < 32 || code > 255) return `#\\x${code.toString(16)}`;
  return `#\\${String.fromCharCode(code)}`;
}

/** What `display` sends for a character: the byte, or the UTF-8 bytes above 255 (output is bytes). */
function charBytes(code: number): string {
  return code < 256 ? String.fromCharCode(code) : textToBytes(String.fromCodePoint(code));
}

// Symbols -------------------------------------------------------------------------------------

/** Characters that end a symbol in the reader, so a name holding one is written in bars. */
const DELIMITERS = new Set('()[]{}";\'`,|\\');

/** `write` of a symbol name: in bars when reading the plain name would not give the symbol back. */
function symbolLiteral(name: string): string {
  return needsBars(name) ? barred(name) : name;
}

function needsBars(name: string): boolean {
  if (name === '' || name === '.') return true;
  // The lambda-list markers read as these symbols in CHICKEN, so csi writes them plainly.
  if (name === '#!optional' || name === '#!rest' || name === '#!key') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 32 || DELIMITERS.has(name[i] as string)) return true;
  }
  const first = name[0] as string;
  if (first === '#') return true;
  // Keyword syntax: `foo:` and `:foo` (but not a lone `:`).
  if (name.length > 1 && (first === ':' || name.endsWith(':'))) return true;
  if ((first >= '0' && first <= '9') || first === '+' || first === '-' || first === '.') return readsAsNumber(name);
  return false;
}

/** Whether CHICKEN 5 would read NAME as a number, complex numbers included (`+i`, `1@2`). */
function readsAsNumber(name: string): boolean {
  return isReal(name) || isComplex(name);
}

function isReal(text: string): boolean {
  return stringToNumber(text) !== false;
}

function isComplex(text: string): boolean {
  const at = text.indexOf('@');
  if (at > 0) return isReal(text.slice(0, at)) && isReal(text.slice(at + 1));
  if (!/[iI]$/.test(text)) return false;
  const body = text.slice(0, -1);
  // The imaginary part starts at the last sign that is not an exponent's.
  for (let k = body.length - 1; k >= 0; k--) {
    const c = body[k];
    if (c !== '+' && c !== '-') continue;
    if (k >= 2 && /[esfdl]/i.test(body[k - 1] as string) && /[\d#.]/.test(body[k - 2] as string)) continue;
    const real = body.slice(0, k);
    const imaginary = body.slice(k);
    return (real === '' || isReal(real)) && (imaginary.length === 1 || isReal(imaginary));
  }
  return false;
}

/** `|...|` with `|` and `\` escaped and bytes outside 32–126 as \xHH, as csi writes them. */
function barred(name: string): string {
  const parts: string[] = ['|'];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 124 || c === 92) parts.push('\\', name[i] as string);
    else if (c < 32 || c > 126) parts.push(`\\x${hex2(c)}`);
    else parts.push(name[i] as string);
  }
  parts.push('|');
  return parts.join('');
}

// Procedures ----------------------------------------------------------------------------------

/**
 * The name and lambda list (`x y`, `a #!optional b`, `x . rest`) of a procedure the compiler
 * made, whose JS function name is generated (`s373_f`): the library sets this from the
 * compiler's table, so that this module need not import the compiler.
 */
let describeCompiled: ((f: (...args: unknown[]) => unknown) => { name: string; params: string } | undefined) | null = null;

export function describeCompiledProcedures(describe: (f: (...args: unknown[]) => unknown) => { name: string; params: string } | undefined): void {
  describeCompiled = describe;
}

/**
 * `#<procedure (NAME PARAMS…)>` as csi prints a procedure with its lambda list. NAME is the
 * function's `name` (`?` if it has none); PARAMS come from its `schemeParams` property, the
 * lambda list as written: `"(x y)"`, `"(a #!optional b)"`, `"(x . rest)"`, `"args"`, `"()"`.
 * A function with neither prints as `#<procedure>`.
 */
function procedureString(f: (...args: unknown[]) => unknown): string {
  const compiled = describeCompiled?.(f);
  if (compiled !== undefined) return `#<procedure (${compiled.name}${compiled.params === '' ? '' : ` ${compiled.params}`})>`;
  const params = (f as { schemeParams?: unknown }).schemeParams;
  const name = f.name;
  if (name === '' && typeof params !== 'string') return '#<procedure>';
  return `#<procedure (${name === '' ? '?' : name}${typeof params === 'string' ? lambdaListTail(params) : ''})>`;
}

function lambdaListTail(params: string): string {
  const p = params.trim();
  if (p.startsWith('(') && p.endsWith(')')) {
    const inner = p.slice(1, -1).trim();
    return inner === '' ? '' : ` ${inner}`;
  }
  return p === '' ? '' : ` . ${p}`;
}
