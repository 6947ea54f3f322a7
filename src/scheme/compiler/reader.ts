/**
 * The reader: Scheme source text → Scheme data (runtime/data.ts), with CHICKEN's syntax.
 *
 * The text's code units are bytes (files and ports are decoded as latin1), so string literals
 * keep the UTF-8 bytes of the source as they are.
 *
 * One pass over the text with an explicit stack of open forms instead of recursion, so that
 * arbitrarily deep nesting cannot overflow the JS stack and the time stays linear.
 */
import {
  CHAR_NAMES,
  Char,
  DEFAULT_OBJECT,
  EOF,
  Flo,
  Keyword,
  Marker,
  NIL,
  Pair,
  intern,
  type PairT,
} from '../runtime/data.js';

/** A syntax error in the text. INCOMPLETE: more input could make it readable (for a REPL). */
export class ReadError extends Error {
  override name = 'ReadError';
  constructor(
    message: string,
    readonly line: number,
    readonly incomplete: boolean,
  ) {
    super(`${message} (line ${line})`);
  }
}

/** A top-level datum, its line and its offsets [start, end) in the text. */
export interface Datum {
  value: unknown;
  line: number;
  start: number;
  end: number;
}

/**
 * The line of the opening paren of each list the reader made (and of each `'x` it expanded),
 * kept on the first pair under a symbol key. Not a WeakMap: with millions of entries (a big data
 * file) V8's ephemeron tables made reading many times slower, seconds to a minute for 10 MB.
 * LIPS keeps its own marks on pairs the same way; symbol keys are invisible to Object.keys,
 * for-in and JSON.
 */
const LINE = Symbol('scheme.sourceLine');

type Marked = { [LINE]?: number };

/** The 1-based source line of a list made by the reader, or null. */
export function sourceLine(x: unknown): number | null {
  return typeof x === 'object' && x !== null ? ((x as Marked)[LINE] ?? null) : null;
}

/** Gives X (a pair) the source line LINE, e.g. for a form a macro made from a read one. */
export function setSourceLine(x: object, line: number): void {
  (x as Marked)[LINE] = line;
}

/** Every top-level datum of TEXT. Stops at a top-level `#!eof`, as CHICKEN's `load` does. */
export function readAll(text: string): Datum[] {
  const reader = new Reader(text);
  const out: Datum[] = [];
  for (;;) {
    const d = reader.next();
    if (d === null || d.value === EOF) return out;
    out.push(d);
  }
}

// ---------------------------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------------------------

const C_QUOTE = 39; // '
const C_DQUOTE = 34; // "
const C_HASH = 35; // #
const C_BAR = 124; // |
const C_BACKSLASH = 92;
const C_SEMI = 59; // ;
const C_COLON = 58;

/** 1: whitespace; 2: ends a token ( ( ) [ ] { } " ; ' ` , ). */
const CLASS = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32]) CLASS[c] = 1;
for (const c of '()[]{}";\'`,') CLASS[c.charCodeAt(0)] = 2;

function isDelimiter(c: number): boolean {
  return c < 256 && CLASS[c] !== 0;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

const DIGITS: Record<number, RegExp> = {
  2: /^[+-]?[01]+$/,
  8: /^[+-]?[0-7]+$/,
  10: /^[+-]?[0-9]+$/,
  16: /^[+-]?[0-9a-f]+$/i,
};
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i;
const SPECIAL: Record<string, number> = { '+inf.0': Infinity, '-inf.0': -Infinity, '+nan.0': NaN, '-nan.0': NaN };

/** An integer in RADIX (sign allowed), exactly rounded when beyond the safe range. */
function parseInteger(s: string, radix: number): number {
  const n = parseInt(s, radix);
  if (Number.isSafeInteger(n)) return n + 0; // + 0 turns -0 into 0
  // parseInt may round badly past 2^53 in radixes other than 10; BigInt rounds once, correctly.
  const neg = s.charCodeAt(0) === 45;
  const digits = s.charCodeAt(0) === 43 || neg ? s.slice(1) : s;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const big = Number(BigInt(prefix + digits));
  return neg ? -big : big;
}

/** A fixnum when N is an integer in the safe range and EXACT, else a flonum. */
function toScheme(n: number, exact: boolean): number | Flo {
  return exact && Number.isSafeInteger(n) ? n + 0 : new Flo(n);
}

/**
 * The number S denotes in RADIX, or null when S is not a number. EXACTNESS is 'e', 'i' or ''.
 * There are no rationals or bignums: an inexact result of those is a flonum.
 */
function parseNumber(s: string, radix: number, exactness: string): number | Flo | null {
  const slash = s.indexOf('/');
  if (slash > 0) {
    const a = s.slice(0, slash);
    const b = s.slice(slash + 1);
    if (!DIGITS[radix]!.test(a) || !DIGITS[radix]!.test(b) || b.charCodeAt(0) === 43 || b.charCodeAt(0) === 45) return null;
    const p = parseInteger(a, radix);
    const q = parseInteger(b, radix);
    if (q === 0) return null; // CHICKEN reads 1/0 as a symbol
    const exactQuotient = Number.isSafeInteger(p) && p % q === 0;
    return exactQuotient && exactness !== 'i' ? toScheme(p / q, true) : new Flo(p / q);
  }
  if (DIGITS[radix]!.test(s)) {
    const n = parseInteger(s, radix);
    return exactness === 'i' ? new Flo(n) : toScheme(n, true);
  }
  const special = SPECIAL[s];
  if (special !== undefined) return exactness === 'e' ? null : new Flo(special);
  if (radix !== 10 || !DECIMAL.test(s)) return null;
  const n = Number(s);
  // #e1.5 stays 1.5 (no rationals), #e2.0 is the fixnum 2.
  return exactness === 'e' ? toScheme(n, true) : new Flo(n);
}

/** A decimal integer of up to 15 digits (the commonest number by far), or null: the fast path. */
function smallInteger(s: string): number | null {
  const c0 = s.charCodeAt(0);
  let i = c0 === 45 || c0 === 43 ? 1 : 0;
  if (i === s.length || s.length - i > 15) return null;
  let n = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return c0 === 45 ? 0 - n : n; // 0 - 0 is 0, not -0
}

/** Could a token starting with C be a number? (Cheap test so most symbols skip the parse.) */
function mayBeNumber(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

/** The UTF-8 bytes of code point CODE, one character each. */
function utf8(code: number): string {
  if (code < 0x80) return String.fromCharCode(code);
  if (code < 0x800) return String.fromCharCode(0xc0 | (code >> 6), 0x80 | (code & 63));
  if (code < 0x10000) return String.fromCharCode(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  return String.fromCharCode(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
}

/** The code point of the UTF-8 sequence S (bytes as characters), or null when S is not one. */
function decodeUtf8(s: string): number | null {
  const b = s.charCodeAt(0);
  const n = b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
  if (n === 0 || b >= 0xf8 || s.length !== n) return null;
  let code = b & (0x7f >> n);
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c & 0xc0) !== 0x80) return null;
    code = (code << 6) | (c & 63);
  }
  return code;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', '0': '\0', v: '\v', f: '\f',
};

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

const enum Kind {
  List,
  Vector,
  Bytevector,
  /** `'x` and friends: wraps the next datum in (SYM datum). */
  Quote,
  /** `#;`: drops the next datum. */
  Skip,
}

/** An open form on the reader's stack. Frames are reused (deep input would make millions). */
class Frame {
  kind = Kind.List;
  /** What opened it, for messages: `(`, `#(`, `'`, `#;` … */
  open = '';
  /** The char code that closes a list or vector. */
  close = 0;
  /** The symbol a Quote frame wraps its datum with. */
  sym: unknown = null;
  line = 0;
  head: PairT | null = null;
  last: PairT | null = null;
  /** Elements of a vector or bytevector. */
  items: unknown[] | null = null;
  /** 0: no dot yet; 1: after `.`, waiting for the tail; 2: tail read, only `)` may follow. */
  dot = 0;
}

/** The closing bracket of each opening one. */
const CLOSER: Record<number, number> = { 40: 41, 91: 93, 123: 125 };

/** What `.` reads as: only meaningful inside a list. */
const DOT = Symbol('dot');
/** Datum read and discarded (a `#;` comment): nothing to deliver. */
const NOTHING = Symbol('nothing');

const SHARP_BANG: Record<string, unknown> = {
  optional: Marker.optional,
  rest: Marker.rest,
  key: Marker.key,
  default: DEFAULT_OBJECT,
  void: undefined,
  unspecified: undefined,
};

export class Reader {
  private pos = 0;
  private readonly len: number;
  private lastEnd = 0;
  /** Where the datum readDatum returned starts. */
  private datumStart = 0;
  private datumLine = 0;
  /** Lazy line counting: LINE is the line of offset LINE_POS; NEXT_NL the next newline at or after it. */
  private line = 1;
  private linePos = 0;
  private nextNl: number;
  /** The open forms: frames[0 … depth-1], innermost last. */
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** Set by scanToken: the token had a |…| or \ part; its last character was quoted. */
  private tokQuoted = false;
  private tokLastQuoted = false;

  constructor(private readonly text: string) {
    this.len = text.length;
    this.nextNl = this.findNl(0);
    // A script's `#!/usr/bin/env csi` or `#! csi` line.
    if (text.startsWith('#!') && (text.charCodeAt(2) === 47 || text.charCodeAt(2) === 32)) {
      this.pos = this.findNl(0);
    }
  }

  /** The next datum, or EOF (the object from data.ts) at the end. Throws ReadError. */
  read(): unknown {
    const value = this.readDatum();
    return value === NOTHING ? EOF : value;
  }

  /** Offset just after the last datum read. */
  get offset(): number {
    return this.lastEnd;
  }

  /** The next top-level datum with its position, or null at the end of the text (readAll's step). */
  next(): Datum | null {
    const value = this.readDatum();
    if (value === NOTHING) return null;
    return { value, line: this.datumLine, start: this.datumStart, end: this.lastEnd };
  }

  /** The next top-level datum, or NOTHING at the end of the text. */
  private readDatum(): unknown {
    const text = this.text;
    this.depth = 0;
    for (;;) {
      this.skipAtmosphere();
      const pos = this.pos;
      if (this.depth === 0) {
        // (Re)set at every top-level token: a `#;` comment before a datum is not part of it.
        this.datumStart = pos;
        this.datumLine = this.lineAt(pos);
      }
      if (pos >= this.len) {
        if (this.depth === 0) {
          this.lastEnd = this.len;
          return NOTHING;
        }
        throw this.unterminated(this.frames[0]!);
      }
      const c = text.charCodeAt(pos);
      let value: unknown;
      switch (c) {
        case 40: // (
        case 91: // [
        case 123: // {
          this.push(Kind.List, text[pos]!, CLOSER[c]!, null);
          this.pos++;
          continue;
        case 41: // )
        case 93: // ]
        case 125: // }
          value = this.close(c);
          break;
        case C_QUOTE:
          this.pushQuote("'", 'quote', 1);
          continue;
        case 96: // `
          this.pushQuote('`', 'quasiquote', 1);
          continue;
        case 44: // ,
          if (text.charCodeAt(pos + 1) === 64) this.pushQuote(',@', 'unquote-splicing', 2);
          else this.pushQuote(',', 'unquote', 1);
          continue;
        case C_DQUOTE:
          value = this.readString();
          break;
        case C_HASH:
          value = this.readSharp();
          if (value === NOTHING) continue; // opened a form or a #; comment
          break;
        default:
          value = this.readAtom();
          if (value === DOT) {
            this.dot();
            continue;
          }
      }
      const done = this.deliver(value);
      if (done !== NOTHING) {
        this.lastEnd = this.pos;
        return done;
      }
    }
  }

  /** Opens a form at the current position. */
  private push(kind: Kind, open: string, close: number, sym: unknown): void {
    let f = this.frames[this.depth];
    if (f === undefined) this.frames.push((f = new Frame()));
    this.depth++;
    f.kind = kind;
    f.open = open;
    f.close = close;
    f.sym = sym;
    f.line = this.lineAt(this.pos);
    f.head = f.last = null;
    f.items = kind === Kind.Vector || kind === Kind.Bytevector ? [] : null;
    f.dot = 0;
  }

  /** The innermost open form, or undefined at the top level. */
  private top(): Frame | undefined {
    return this.depth === 0 ? undefined : this.frames[this.depth - 1];
  }

  /** Closes the innermost form, dropping what it held so the pool does not keep it alive. */
  private pop(): void {
    const f = this.frames[--this.depth]!;
    f.head = f.last = null;
    f.items = null;
    f.sym = null;
  }

  /**
   * Hands a finished datum to the innermost open form, first wrapping it for pending quotes.
   * Returns it (wrapped) when it completes a top-level datum, else NOTHING.
   */
  private deliver(value: unknown): unknown {
    let v = value;
    for (;;) {
      const f = this.top();
      if (f === undefined) return v;
      switch (f.kind) {
        case Kind.Quote: {
          const form = new Pair(f.sym, new Pair(v, NIL));
          (form as Marked)[LINE] = f.line;
          this.pop();
          v = form;
          continue;
        }
        case Kind.Skip:
          this.pop();
          return NOTHING;
        case Kind.List:
          this.addToList(f, v);
          return NOTHING;
        case Kind.Bytevector:
          if (typeof v !== 'number' || v < 0 || v > 255) {
            throw this.error(`a bytevector holds bytes (0-255), not ${describe(v)}`, false);
          }
          f.items!.push(v);
          return NOTHING;
        case Kind.Vector:
          f.items!.push(v);
          return NOTHING;
      }
    }
  }

  private addToList(f: Frame, v: unknown): void {
    if (f.dot === 0) {
      const p = new Pair(v, NIL);
      if (f.last === null) {
        f.head = p;
        (p as Marked)[LINE] = f.line;
      } else {
        f.last.cdr = p;
      }
      f.last = p;
    } else if (f.dot === 1) {
      f.last!.cdr = v;
      f.dot = 2;
    } else {
      throw this.error(`more than one datum after . in the list opened on line ${f.line}`, false);
    }
  }

  /** A `.` token: marks the tail of the innermost list. */
  private dot(): void {
    const f = this.top();
    if (f === undefined || f.kind !== Kind.List) throw this.error('unexpected . outside a list', false);
    if (f.head === null) throw this.error(`nothing before . in the list opened on line ${f.line}`, false);
    if (f.dot !== 0) throw this.error(`second . in the list opened on line ${f.line}`, false);
    f.dot = 1;
  }

  private pushQuote(open: string, name: string, width: number): void {
    this.push(Kind.Quote, open, 0, intern(name));
    this.pos += width;
  }

  /** A closing bracket C: finishes the innermost form and returns it. */
  private close(c: number): unknown {
    const f = this.top();
    const ch = String.fromCharCode(c);
    if (f === undefined) throw this.error(`unexpected ${ch}: no list is open`, false);
    if (f.kind === Kind.Quote || f.kind === Kind.Skip) {
      throw this.error(`${f.open} on line ${f.line} is followed by ${ch} instead of a datum`, false);
    }
    if (f.close !== c) {
      throw this.error(`mismatched ${ch}: the ${f.open} on line ${f.line} must be closed by ${String.fromCharCode(f.close)}`, false);
    }
    if (f.dot === 1) throw this.error(`nothing after . in the list opened on line ${f.line}`, false);
    const value = f.kind === Kind.Vector ? f.items : f.kind === Kind.Bytevector ? Uint8Array.from(f.items as number[]) : (f.head ?? NIL);
    this.pop();
    this.pos++;
    return value;
  }

  private unterminated(f: Frame): ReadError {
    switch (f.kind) {
      case Kind.List:
        return this.errorAt(`unterminated list: the ${f.open} on line ${f.line} is not closed`, f.line, true);
      case Kind.Vector:
      case Kind.Bytevector:
        return this.errorAt(`unterminated vector: the ${f.open} on line ${f.line} is not closed`, f.line, true);
      default:
        return this.errorAt(`end of input after the ${f.open} on line ${f.line}`, f.line, true);
    }
  }

  // -- atmosphere ------------------------------------------------------------------------------

  /** Skips whitespace, `;` comments and `#| … |#` comments. */
  private skipAtmosphere(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c < 256 && CLASS[c] === 1) {
        pos++;
      } else if (c === C_SEMI) {
        pos = this.findNl(pos);
      } else if (c === C_HASH && text.charCodeAt(pos + 1) === C_BAR) {
        pos = this.skipBlockComment(pos);
      } else {
        this.pos = pos;
        return;
      }
    }
  }

  /** The end of the (nested) `#| … |#` comment starting at START. */
  private skipBlockComment(start: number): number {
    const text = this.text;
    let depth = 1;
    let pos = start + 2;
    while (pos < this.len) {
      const c = text.charCodeAt(pos);
      if (c === C_BAR && text.charCodeAt(pos + 1) === C_HASH) {
        pos += 2;
        if (--depth === 0) return pos;
      } else if (c === C_HASH && text.charCodeAt(pos + 1) === C_BAR) {
        pos += 2;
        depth++;
      } else {
        pos++;
      }
    }
    const line = this.lineAt(start);
    throw this.errorAt(`unterminated block comment: the #| on line ${line} is not closed`, line, true);
  }

  // -- atoms -----------------------------------------------------------------------------------

  /** A symbol, keyword, number or `.`, at the current position. */
  private readAtom(): unknown {
    const tok = this.scanToken();
    if (this.tokQuoted) {
      // `|foo|:` is a keyword; `|foo:|` is not.
      if (!this.tokLastQuoted && tok.charCodeAt(tok.length - 1) === C_COLON) return Keyword.of(tok.slice(0, -1));
      return intern(tok);
    }
    if (tok === '.') return DOT;
    if (mayBeNumber(tok.charCodeAt(0))) {
      const n = smallInteger(tok) ?? parseNumber(tok, 10, '');
      if (n !== null) return n;
    }
    if (tok.length > 1 && tok.charCodeAt(tok.length - 1) === C_COLON) return Keyword.of(tok.slice(0, -1));
    return intern(tok);
  }

  /**
   * The token at the current position, up to a delimiter: `|…|` parts and `\c` are taken
   * literally (and set tokQuoted).
   */
  private scanToken(): string {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (pos >= this.len || isDelimiter(c)) break;
      if (c === C_BAR || c === C_BACKSLASH) return this.scanQuotedToken(start);
      pos++;
    }
    this.pos = pos;
    this.tokQuoted = false;
    return text.slice(start, pos);
  }

  /** The slow path of scanToken, for tokens with `|…|` or `\`. */
  private scanQuotedToken(start: number): string {
    const text = this.text;
    let out = '';
    let pos = start;
    let lastQuoted = false;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (pos >= this.len || isDelimiter(c)) break;
      if (c === C_BAR) {
        this.pos = pos + 1;
        out += this.readUntil(C_BAR, start, 'symbol: the |');
        pos = this.pos;
        lastQuoted = true;
      } else if (c === C_BACKSLASH) {
        if (pos + 1 >= this.len) throw this.errorAt('end of input after \\ in a symbol', this.lineAt(pos), true);
        out += text[pos + 1];
        pos += 2;
        lastQuoted = true;
      } else {
        out += text[pos];
        pos++;
        lastQuoted = false;
      }
    }
    this.pos = pos;
    this.tokQuoted = true;
    this.tokLastQuoted = lastQuoted;
    return out;
  }

  /** A string literal at the current position (the opening `"`). */
  private readString(): string {
    const start = this.pos;
    this.pos++;
    return this.readUntil(C_DQUOTE, start, 'string: the "');
  }

  /**
   * The characters up to the closing QUOTE (a `"` or `|`), escapes decoded; leaves pos after
   * it. START and WHAT describe the literal for the error when it is not closed.
   */
  private readUntil(quote: number, start: number, what: string): string {
    const text = this.text;
    let out = '';
    let pos = this.pos;
    let chunk = pos;
    for (;;) {
      if (pos >= this.len) {
        const line = this.lineAt(start);
        throw this.errorAt(`unterminated ${what} on line ${line} is not closed`, line, true);
      }
      const c = text.charCodeAt(pos);
      if (c === quote) {
        this.pos = pos + 1;
        return out + text.slice(chunk, pos);
      }
      if (c !== C_BACKSLASH) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      pos = this.escape(pos + 1, start, what);
      out += this.escaped;
      chunk = pos;
    }
  }

  /** Set by `escape`: what the escape sequence stands for. */
  private escaped = '';

  /** Decodes the escape after a backslash at POS into `escaped`; returns the position after it. */
  private escape(pos: number, start: number, what: string): number {
    const text = this.text;
    if (pos >= this.len) {
      const line = this.lineAt(start);
      throw this.errorAt(`unterminated ${what} on line ${line} is not closed`, line, true);
    }
    const e = text[pos]!;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      this.escaped = simple;
      return pos + 1;
    }
    switch (e) {
      case 'x':
      case 'X': {
        // R7RS `\x41;` (any number of digits) or CHICKEN's `\x41` (two digits).
        let end = pos + 1;
        while (end < this.len && isHexDigit(text.charCodeAt(end))) end++;
        if (text.charCodeAt(end) === C_SEMI && end > pos + 1) {
          // Up to #xFF a byte, as \xHH is; beyond, the UTF-8 bytes of that code point.
          const code = parseInt(text.slice(pos + 1, end), 16);
          this.escaped = code < 256 ? String.fromCharCode(code) : this.codeToBytes(code);
          return end + 1;
        }
        if (end - pos - 1 < 2) this.badEscape(text.slice(pos - 1, pos + 3), start);
        this.escaped = String.fromCharCode(parseInt(text.slice(pos + 1, pos + 3), 16));
        return pos + 3;
      }
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const hex = text.slice(pos + 1, pos + 1 + n);
        if (hex.length !== n || !/^[0-9a-f]+$/i.test(hex)) this.badEscape(text.slice(pos - 1, pos + 1 + n), start);
        let code = parseInt(hex, 16);
        let end = pos + 1 + n;
        // A UTF-16 surrogate pair written as two \u escapes is one code point.
        const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(text.slice(end, end + 6));
        if (code >= 0xd800 && code < 0xdc00 && low !== null) {
          code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
          end += 6;
        }
        this.escaped = this.codeToBytes(code);
        return end;
      }
      case '\n':
      case '\r':
      case ' ':
      case '\t': {
        // `\` + optional blanks + newline + leading blanks of the next line: a line continuation.
        let p = pos;
        while (text[p] === ' ' || text[p] === '\t') p++;
        if (text[p] === '\r') p++;
        if (text[p] !== '\n') {
          this.escaped = e; // `\ ` not before a newline: just the blank
          return pos + 1;
        }
        p++;
        while (text[p] === ' ' || text[p] === '\t') p++;
        this.escaped = '';
        return p;
      }
      default:
        // `\\ \" \' \|` and, as in CHICKEN, any other character stands for itself.
        this.escaped = e;
        return pos + 1;
    }
  }

  private codeToBytes(code: number): string {
    if (code > 0x10ffff) throw this.error(`character code #x${code.toString(16)} is beyond Unicode`, false);
    return utf8(code);
  }

  private badEscape(seq: string, start: number): never {
    const line = this.lineAt(start);
    throw this.errorAt(`invalid escape sequence ${JSON.stringify(seq)} in the literal on line ${line}`, line, false);
  }

  // -- # syntax --------------------------------------------------------------------------------

  /** `#/SOURCE/FLAGS`: a JS RegExp; `\/` stands for `/` inside. */
  private readRegex(): RegExp {
    const text = this.text;
    const start = this.pos;
    let i = start + 2;
    let source = '';
    while (i < this.len && text[i] !== '/') {
      if (text[i] === '\\' && i + 1 < this.len) {
        source += text[i + 1] === '/' ? '/' : text.slice(i, i + 2);
        i += 2;
      } else source += text[i++];
    }
    if (i >= this.len) throw this.error('unterminated regular expression #/…/', true);
    i++;
    let flags = '';
    while (i < this.len && /[gimsuy]/.test(text[i]!)) flags += text[i++];
    this.pos = i;
    try {
      return new RegExp(source, flags);
    } catch (e) {
      throw this.error(`invalid regular expression #/${source}/: ${(e as Error).message}`, false);
    }
  }

  /** Syntax starting with `#`: a value, or NOTHING when it opened a form or a `#;` comment. */
  private readSharp(): unknown {
    const text = this.text;
    const pos = this.pos;
    if (pos + 1 >= this.len) throw this.error('end of input after #', true);
    const c = text.charCodeAt(pos + 1);
    switch (c) {
      case 40: // #(
        this.push(Kind.Vector, '#(', 41, null);
        this.pos += 2;
        return NOTHING;
      case C_SEMI:
        this.push(Kind.Skip, '#;', 0, null);
        this.pos += 2;
        return NOTHING;
      case C_BACKSLASH:
        return this.readChar();
      case 33: // #!
        return this.readSharpBang();
      case C_COLON: {
        this.pos += 2;
        const name = this.scanToken();
        if (name === '' && !this.tokQuoted) throw this.error('empty keyword #:', false);
        return Keyword.of(name);
      }
      case 60: // #<
        return this.readHereString();
      case 117: // #u8(
      case 85:
        if (text.startsWith('8(', pos + 2)) {
          this.push(Kind.Bytevector, '#u8(', 41, null);
          this.pos += 4;
          return NOTHING;
        }
        break;
      case C_HASH: // ##sys#foo: CHICKEN's internal names are ordinary symbols
        return intern(this.scanToken());
      case 47: // #/regex/flags: a literal regular expression (as LIPS reads it; programs written for it use it)
        return this.readRegex();
    }
    const tok = this.scanToken().toLowerCase();
    if (tok === '#t' || tok === '#true') return true;
    if (tok === '#f' || tok === '#false') return false;
    if (/^#[xbodei]/.test(tok)) return this.readPrefixedNumber(tok);
    this.pos = pos;
    throw this.error(`invalid # syntax: ${text.slice(pos, pos + 2)}`, false);
  }

  /** `#x1F`, `#e1.5`, `#x#e10` …: at most one radix and one exactness prefix. */
  private readPrefixedNumber(tok: string): number | Flo {
    let radix = 0;
    let exactness = '';
    let i = 0;
    while (tok.charCodeAt(i) === C_HASH) {
      const p = tok[i + 1];
      const r = p === 'x' ? 16 : p === 'b' ? 2 : p === 'o' ? 8 : p === 'd' ? 10 : 0;
      if (r !== 0 && radix === 0) radix = r;
      else if ((p === 'e' || p === 'i') && exactness === '') exactness = p;
      else throw this.error(`illegal number syntax: ${tok}`, false);
      i += 2;
    }
    const n = parseNumber(tok.slice(i), radix || 10, exactness);
    if (n === null) throw this.error(`illegal number syntax: ${tok}`, false);
    return n;
  }

  /** `#\a`, `#\space`, `#\x41`, `#\u0041`, `#\λ` (UTF-8 bytes). */
  private readChar(): Char {
    const text = this.text;
    const start = this.pos;
    const first = start + 2;
    if (first >= this.len) throw this.error('end of input after #\\', true);
    // The first character is taken whatever it is (`#\(`, `#\ `); a name goes on to a delimiter.
    let end = first + 1;
    if (!isDelimiter(text.charCodeAt(first))) {
      while (end < this.len && !isDelimiter(text.charCodeAt(end))) end++;
    }
    this.pos = end;
    const tok = text.slice(first, end);
    if (tok.length === 1) return Char.of(tok.charCodeAt(0));
    const named = CHAR_NAMES.get(tok.toLowerCase());
    if (named !== undefined) return Char.of(named);
    let code: number | null = null;
    if (/^[xu][0-9a-f]+$/i.test(tok)) code = parseInt(tok.slice(1), 16);
    else code = decodeUtf8(tok);
    if (code === null) throw this.error(`unknown character name: #\\${tok}`, false);
    if (code > 0x10ffff) throw this.error(`character code #x${code.toString(16)} is beyond Unicode`, false);
    return Char.of(code);
  }

  /** `#!optional`, `#!eof` … */
  private readSharpBang(): unknown {
    const start = this.pos;
    this.pos += 2;
    const name = this.scanToken();
    if (name === 'eof') return EOF;
    if (this.tokQuoted || !Object.hasOwn(SHARP_BANG, name)) {
      this.pos = start;
      throw this.error(`unknown #! token: #!${name}`, false);
    }
    return SHARP_BANG[name];
  }

  /** `#<<TAG` … a line holding just TAG: the lines between, without the last newline. */
  private readHereString(): string {
    const text = this.text;
    const start = this.pos;
    if (text.startsWith('#<#', start)) {
      throw this.error('#<# here-strings (with embedded expressions) are not supported; use #<<', false);
    }
    if (!text.startsWith('#<<', start)) throw this.error('invalid # syntax: #<', false);
    const tagEnd = this.findNl(start);
    const tag = text.slice(start + 3, tagEnd).replace(/\r$/, '');
    const line = this.lineAt(start);
    if (tag === '') throw this.error('#<< needs a tag on the same line', false);
    if (tagEnd >= this.len) throw this.errorAt(`unterminated here-string: no text after #<<${tag}`, line, true);
    const body = tagEnd + 1;
    let pos = body;
    while (pos <= this.len) {
      const end = this.findNl(pos);
      if (text.slice(pos, end).replace(/\r$/, '') === tag) {
        this.pos = end;
        // Without the newline (and CR) before the tag line.
        let stop = Math.max(body, pos - 1);
        if (stop > body && text.charCodeAt(stop - 1) === 13) stop--;
        return text.slice(body, stop);
      }
      if (end >= this.len) break;
      pos = end + 1;
    }
    throw this.errorAt(`unterminated here-string: the #<<${tag} on line ${line} has no closing ${tag} line`, line, true);
  }

  // -- positions and errors --------------------------------------------------------------------

  /** The offset of the next newline at or after POS, or the end of the text. */
  private findNl(pos: number): number {
    const i = this.text.indexOf('\n', pos);
    return i < 0 ? this.len : i;
  }

  /** The 1-based line of offset POS. Amortised linear when offsets increase (they nearly always do). */
  private lineAt(pos: number): number {
    if (pos < this.linePos) {
      this.line = 1;
      this.nextNl = this.findNl(0);
    }
    while (this.nextNl < pos) {
      this.line++;
      this.nextNl = this.findNl(this.nextNl + 1);
    }
    this.linePos = pos;
    return this.line;
  }

  private error(message: string, incomplete: boolean): ReadError {
    return new ReadError(message, this.lineAt(this.pos), incomplete);
  }

  private errorAt(message: string, line: number, incomplete: boolean): ReadError {
    return new ReadError(message, line, incomplete);
  }
}

/** A short description of a datum for error messages. */
function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Flo) return String(v.v);
  return 'a non-number';
}
