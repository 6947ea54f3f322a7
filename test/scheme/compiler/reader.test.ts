/**
 * The reader (src/scheme/compiler/reader.ts): CHICKEN's read syntax into the data model of
 * runtime/data.ts, positions, errors, and input too big or too deep for a recursive reader.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bootLips } from '../../../src/scheme/boot.js';
import {
  Char,
  DEFAULT_OBJECT,
  EOF,
  Flo,
  Keyword,
  Marker,
  NIL,
  Pair,
  bindData,
  isSymbol,
  symbolName,
  type PairT,
} from '../../../src/scheme/runtime/data.js';
import { ReadError, Reader, readAll, setSourceLine, sourceLine } from '../../../src/scheme/compiler/reader.js';

beforeAll(async () => {
  bindData(await bootLips());
}, 20_000);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Scheme data as plain JS for `toEqual`: a symbol is its name, a proper list an array, and
 * everything that could be confused with those is tagged ({ str }, { flo }, { char } …).
 */
function toJs(x: unknown): unknown {
  if (x === NIL) return [];
  if (x instanceof Pair) {
    const items: unknown[] = [];
    let p: unknown = x;
    while (p instanceof Pair) {
      items.push(toJs((p as PairT).car));
      p = (p as PairT).cdr;
    }
    return p === NIL ? items : { list: items, tail: toJs(p) };
  }
  if (isSymbol(x)) return symbolName(x);
  if (typeof x === 'string') return { str: x };
  if (x instanceof Flo) return { flo: x.v };
  if (x instanceof Char) return { char: x.code };
  if (x instanceof Keyword) return { kw: x.name };
  if (x instanceof Marker) return { special: x.name };
  if (x === EOF) return { special: 'eof' };
  if (x === DEFAULT_OBJECT) return { special: 'default' };
  if (Array.isArray(x)) return { vec: x.map(toJs) };
  if (x instanceof Uint8Array) return { bytes: [...x] };
  return x; // fixnums, booleans, undefined
}

/** The values of every top-level datum of TEXT, as plain JS. */
function read(text: string): unknown[] {
  return readAll(text).map((d) => toJs(d.value));
}

/** The one datum of TEXT, as plain JS. */
function read1(text: string): unknown {
  const all = readAll(text);
  expect(all).toHaveLength(1);
  return toJs(all[0]!.value);
}

/** The ReadError reading TEXT throws. */
function readError(text: string): ReadError {
  try {
    readAll(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ReadError);
    return e as ReadError;
  }
  throw new Error(`no error reading ${JSON.stringify(text)}`);
}

/** CHICKEN's names for `write` (CHICKEN 5 writes code 0 as #\null). */
const CHAR_WRITE_NAMES = new Map([
  [0, 'null'], [7, 'alarm'], [8, 'backspace'], [9, 'tab'], [10, 'newline'], [13, 'return'],
  [27, 'escape'], [32, 'space'], [127, 'delete'],
]);

/** A symbol or keyword name as CHICKEN's `write` prints it: in bars when it would not read back. */
function writeName(name: string): string {
  let plain = name !== '' && !/[\s()[\]{}"';`,|\\]/.test(name);
  if (plain) {
    const v = readAll(name)[0]?.value;
    plain = isSymbol(v) && symbolName(v) === name;
  }
  return plain ? name : `|${name.replace(/[|\\]/g, (c) => `\\${c}`)}|`;
}

/** Scheme data written as CHICKEN's `write` does, to compare with what csi printed. */
function write(x: unknown): string {
  if (x === NIL) return '()';
  if (x instanceof Pair) {
    const parts: string[] = [];
    let p: unknown = x;
    while (p instanceof Pair) {
      parts.push(write((p as PairT).car));
      p = (p as PairT).cdr;
    }
    return `(${parts.join(' ')}${p === NIL ? '' : ` . ${write(p)}`})`;
  }
  if (isSymbol(x)) return writeName(symbolName(x));
  if (x instanceof Keyword) return `#:${writeName(x.name)}`;
  if (typeof x === 'number') return String(x);
  if (x instanceof Flo) {
    if (Number.isNaN(x.v)) return '+nan.0';
    if (!Number.isFinite(x.v)) return x.v > 0 ? '+inf.0' : '-inf.0';
    if (Number.isInteger(x.v)) return `${Object.is(x.v, -0) ? '-0' : x.v}.0`;
    return String(x.v);
  }
  if (typeof x === 'string') {
    const esc: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\\': '\\\\', '"': '\\"' };
    return `"${x.replace(/[\n\t\r\\"]/g, (c) => esc[c]!)}"`;
  }
  if (x instanceof Char) {
    const name = CHAR_WRITE_NAMES.get(x.code);
    if (name !== undefined) return `#\\${name}`;
    return x.code < 32 || x.code > 255 ? `#\\x${x.code.toString(16)}` : `#\\${String.fromCharCode(x.code)}`;
  }
  if (Array.isArray(x)) return `#(${x.map(write).join(' ')})`;
  if (x === true) return '#t';
  if (x === false) return '#f';
  if (x === EOF) return '#!eof';
  if (x instanceof Marker) return String(x);
  throw new Error(`cannot write ${String(x)}`);
}

// ---------------------------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------------------------

describe('lists and pairs', () => {
  it('reads lists, nested lists, the empty list and dotted pairs', () => {
    expect(read1('(a (b c) () d)')).toEqual(['a', ['b', 'c'], [], 'd']);
    expect(read1('()')).toEqual([]);
    expect(read1('(a . b)')).toEqual({ list: ['a'], tail: 'b' });
    expect(read1('(a b . (c d))')).toEqual(['a', 'b', 'c', 'd']);
    expect(read1('(a . ())')).toEqual(['a']);
    expect(read1('((a . 1) (b . 2))')).toEqual([{ list: ['a'], tail: 1 }, { list: ['b'], tail: 2 }]);
  });

  it('makes LIPS pairs ending in nil', () => {
    const v = readAll('(x)')[0]!.value as PairT;
    expect(v).toBeInstanceOf(Pair);
    expect(v.cdr).toBe(NIL);
  });

  it('takes [ ] and { } as parentheses of their own kind', () => {
    expect(read1('[a (b) c]')).toEqual(['a', ['b'], 'c']);
    expect(read1('(let ([x 1] [y 2]) {z})')).toEqual(['let', [['x', 1], ['y', 2]], ['z']]);
    expect(read1('[a . b]')).toEqual({ list: ['a'], tail: 'b' });
  });

  it('reads a token starting with . as a symbol or number, and . alone as the dot', () => {
    expect(read1('(a .b)')).toEqual(['a', '.b']);
    expect(read1('(1 .5)')).toEqual([1, { flo: 0.5 }]);
    expect(read1('(1 .(2))')).toEqual([1, 2]);
    expect(read1('(a ... b)')).toEqual(['a', '...', 'b']);
  });

  it('reads the quote abbreviations', () => {
    expect(read1("'x")).toEqual(['quote', 'x']);
    expect(read1('`(a ,b ,@c)')).toEqual(['quasiquote', ['a', ['unquote', 'b'], ['unquote-splicing', 'c']]]);
    expect(read1("(a'b)")).toEqual(['a', ['quote', 'b']]);
    expect(read1("''x")).toEqual(['quote', ['quote', 'x']]);
    expect(read1("'()")).toEqual(['quote', []]);
    expect(read1("(a . 'b)")).toEqual(['a', 'quote', 'b']); // (a . (quote b))
  });
});

describe('symbols and keywords', () => {
  it('interns case-sensitive symbols', () => {
    const [a, b, c] = readAll('foo foo Foo').map((d) => d.value);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(read('ABC abc a.b ##sys#foo abc# a#b -> <=? set-car! http:GET : 1/0')).toEqual(
      ['ABC', 'abc', 'a.b', '##sys#foo', 'abc#', 'a#b', '->', '<=?', 'set-car!', 'http:GET', ':', '1/0'],
    );
  });

  it('reads what looks numeric but is not a number as a symbol, as CHICKEN does', () => {
    expect(read('1+ ... - + 1a 1e e1 -. +. .e1 1e1. 1.5.2 0x10 +-1 1/2e2 1/-2 1.5/2 +inf.0x')).toEqual(
      ['1+', '...', '-', '+', '1a', '1e', 'e1', '-.', '+.', '.e1', '1e1.', '1.5.2', '0x10', '+-1', '1/2e2', '1/-2', '1.5/2', '+inf.0x'],
    );
  });

  it('reads |…| and \\ quoted symbols', () => {
    expect(read1('|foo bar|')).toEqual('foo bar');
    expect(read1('|a\\|b|')).toEqual('a|b');
    expect(read1('a\\ b')).toEqual('a b');
    expect(read1('a|b c|d')).toEqual('ab cd');
    expect(read1('|a\\nb|')).toEqual('a\nb');
    expect(read1('||')).toEqual('');
    expect(read1('|(|')).toEqual('(');
    // Quoted, so never a number, a dot or a keyword.
    expect(read('|1| |.| |foo:|')).toEqual(['1', '.', 'foo:']);
  });

  it('reads #:foo and foo: as keywords', () => {
    const k = readAll('foo:')[0]!.value;
    expect(k).toBe(Keyword.of('foo'));
    expect(read('#:foo foo: a:b: 1: :: |a b|: #:|a b| #:foo:')).toEqual([
      { kw: 'foo' }, { kw: 'foo' }, { kw: 'a:b' }, { kw: '1' }, { kw: ':' }, { kw: 'a b' }, { kw: 'a b' }, { kw: 'foo:' },
    ]);
  });
});

describe('numbers', () => {
  it('reads fixnums as JS integers and the rest as flonums', () => {
    expect(read('0 42 -5 +5 007 -0')).toEqual([0, 42, -5, 5, 7, 0]);
    expect(Object.is(readAll('-0')[0]!.value, 0)).toBe(true);
    expect(read('1.5 1. .5 -.5e2 +.5 1e3 1E2 1e+2 1.5e-3 1e400 1e-400')).toEqual([
      { flo: 1.5 }, { flo: 1 }, { flo: 0.5 }, { flo: -50 }, { flo: 0.5 }, { flo: 1000 }, { flo: 100 }, { flo: 100 },
      { flo: 0.0015 }, { flo: Infinity }, { flo: 0 },
    ]);
    expect(Object.is((readAll('-0.0')[0]!.value as Flo).v, -0)).toBe(true);
  });

  it('reads integers beyond the safe range as flonums', () => {
    expect(read1('9007199254740991')).toBe(9007199254740991);
    expect(read1('9007199254740993')).toEqual({ flo: 9007199254740992 });
    expect(read1('-12345678901234567890')).toEqual({ flo: -12345678901234567890 });
    expect(read1('#xffffffffffffffffff')).toEqual({ flo: 4722366482869645213695 });
  });

  it('reads +inf.0, -inf.0 and +nan.0', () => {
    expect(read('+inf.0 -inf.0 +nan.0 -nan.0')).toEqual([{ flo: Infinity }, { flo: -Infinity }, { flo: NaN }, { flo: NaN }]);
  });

  it('reads a/b as an exact integer when it divides, else as a flonum', () => {
    expect(read('4/2 -6/3 +8/4 1/2 -1/4 0/5')).toEqual([2, -2, 2, { flo: 0.5 }, { flo: -0.25 }, 0]);
  });

  it('reads radix and exactness prefixes', () => {
    expect(read('#x-ff #xFF #XAbC #b101 #o17 #o+7 #d10 #d-1.5 #x1e #x1/2')).toEqual(
      [-255, 255, 2748, 5, 15, 7, 10, { flo: -1.5 }, 30, { flo: 0.5 }],
    );
    expect(read('#e2.0 #e1e2 #e-0.0 #e1.5 #e.5 #e1/2 #e4/2 #e#x10 #x#e10 #E#B101')).toEqual(
      [2, 100, 0, { flo: 1.5 }, { flo: 0.5 }, { flo: 0.5 }, 2, 16, 16, 5],
    );
    expect(read('#i3 #i1e2 #i#x10 #i1/2 #i4/2 #i+inf.0')).toEqual(
      [{ flo: 3 }, { flo: 100 }, { flo: 16 }, { flo: 0.5 }, { flo: 2 }, { flo: Infinity }],
    );
  });

  it('rejects bad numbers after a prefix, which cannot be symbols', () => {
    for (const bad of ['#x1.5', '#b102', '#e+inf.0', '#d#x10', '#e#i1', '#xg', '#x']) {
      const e = readError(bad);
      expect(e.message).toContain('illegal number syntax');
      expect(e.incomplete).toBe(false);
    }
  });
});

describe('characters', () => {
  it('reads single, named and hex characters', () => {
    expect(read('#\\a #\\A #\\x #\\( #\\) #\\; #\\" #\\1 #\\  #\\#')).toEqual(
      [97, 65, 120, 40, 41, 59, 34, 49, 32, 35].map((c) => ({ char: c })),
    );
    expect(read('#\\space #\\Space #\\NEWLINE #\\tab #\\nul #\\null #\\alarm #\\backspace #\\delete #\\escape #\\return #\\linefeed #\\altmode #\\rubout')).toEqual(
      [32, 32, 10, 9, 0, 0, 7, 8, 127, 27, 13, 10, 27, 127].map((c) => ({ char: c })),
    );
    expect(read('#\\x41 #\\xa #\\x0 #\\x3bb #\\X41 #\\u0041 #\\u41 #\\U00000041 #\\u03bb')).toEqual(
      [65, 10, 0, 0x3bb, 65, 65, 65, 65, 0x3bb].map((c) => ({ char: c })),
    );
  });

  it('reads a UTF-8 sequence after #\\ as one character', () => {
    // The source arrives as bytes: é is C3 A9, λ is CE BB, 😀 is F0 9F 98 80.
    expect(read('#\\\xc3\xa9 #\\\xce\xbb #\\\xf0\x9f\x98\x80')).toEqual([{ char: 0xe9 }, { char: 0x3bb }, { char: 0x1f600 }]);
  });

  it('gives interned Char objects', () => {
    const [a, b] = readAll('#\\a #\\x61').map((d) => d.value);
    expect(a).toBe(Char.of(97));
    expect(b).toBe(a);
  });

  it('stops a character at a delimiter', () => {
    expect(read1('(#\\a #\\()')).toEqual([{ char: 97 }, { char: 40 }]);
    expect(read1('(#\\x)')).toEqual([{ char: 120 }]);
  });

  it('rejects unknown names', () => {
    for (const bad of ['#\\xyz', '#\\ab', '#\\spacey', '#\\x110000']) {
      expect(readError(bad).incomplete).toBe(false);
    }
    expect(readError('#\\xyz').message).toContain('unknown character name: #\\xyz');
  });
});

describe('strings', () => {
  it('reads escapes', () => {
    expect(read1('"a\\nb\\tc\\rd\\\\e\\"f\\\'g"')).toEqual({ str: 'a\nb\tc\rd\\e"f\'g' });
    expect(read1('"\\a\\b\\0\\v\\f"')).toEqual({ str: '\x07\b\0\v\f' });
    expect(read1('"\\q"')).toEqual({ str: 'q' });
  });

  it('reads \\x escapes with and without the semicolon', () => {
    expect(read1('"a\\x41b\\x42"')).toEqual({ str: 'aAbB' });
    expect(read1('"a\\x41;b\\x4;"')).toEqual({ str: 'aAb\x04' });
    expect(read1('"caf\\xe9"')).toEqual({ str: 'caf\xe9' });
    // Past #xFF, a code point: its UTF-8 bytes.
    expect(read1('"\\x3bb;"')).toEqual({ str: '\xce\xbb' });
    expect(readError('"\\x4"').message).toContain('invalid escape sequence');
    expect(readError('"\\xg1"').incomplete).toBe(false);
  });

  it('reads \\u escapes as UTF-8 bytes', () => {
    expect(read1('"\\u00e9 \\u03bb \\u0041"')).toEqual({ str: '\xc3\xa9 \xce\xbb A' });
    expect(read1('"\\U0001F600 \\ud83d\\ude00"')).toEqual({ str: '\xf0\x9f\x98\x80 \xf0\x9f\x98\x80' });
    expect(readError('"\\u41"').message).toContain('invalid escape sequence');
  });

  it('keeps the bytes of the source, raw newlines included', () => {
    expect(read1('"gr\xc3\xbc\xc3\x9f"')).toEqual({ str: 'gr\xc3\xbc\xc3\x9f' });
    expect(read1('"line1\nline2\r\nline3"')).toEqual({ str: 'line1\nline2\r\nline3' });
  });

  it("joins lines ending in a backslash, dropping the next line's leading blanks", () => {
    expect(read1('"a\\\n     b"')).toEqual({ str: 'ab' });
    expect(read1('"a\\   \n \t  b"')).toEqual({ str: 'ab' });
    expect(read1('"a\\\r\n  b"')).toEqual({ str: 'ab' });
    expect(read1('"a\\ b"')).toEqual({ str: 'a b' });
  });

  it('gives plain JS strings', () => {
    expect(typeof readAll('"x"')[0]!.value).toBe('string');
  });

  it('reads here-strings', () => {
    expect(read1('#<<EOF\nhello\n  world\nEOF\n')).toEqual({ str: 'hello\n  world' });
    expect(read('#<<END\nEND\n(x)')).toEqual([{ str: '' }, ['x']]);
    expect(read('(a #<<X\n"quoted" (not a list)\n  X\nX\n b)')).toEqual([['a', { str: '"quoted" (not a list)\n  X' }, 'b']]);
    expect(read1('#<<EOF\r\nwindows\r\nEOF\r\n')).toEqual({ str: 'windows' });
    expect(read1('#<<EOF\nlast line\nEOF')).toEqual({ str: 'last line' });
  });
});

describe('# syntax', () => {
  it('reads booleans', () => {
    expect(read('#t #f #true #false #T #F')).toEqual([true, false, true, false, true, false]);
  });

  it('reads vectors as arrays and bytevectors as Uint8Array', () => {
    expect(read1('#(1 #(2) "x" #\\y (z))')).toEqual({ vec: [1, { vec: [2] }, { str: 'x' }, { char: 121 }, ['z']] });
    expect(read1('#()')).toEqual({ vec: [] });
    const bytes = readAll('#u8(0 1 255)')[0]!.value;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...(bytes as Uint8Array)]).toEqual([0, 1, 255]);
    expect(read1('#u8()')).toEqual({ bytes: [] });
    expect(readError('#u8(1 256)').message).toContain('bytevector');
    expect(readError('#u8(a)').incomplete).toBe(false);
  });

  it('reads #! objects', () => {
    expect(read('#!optional #!rest #!key #!default')).toEqual([
      { special: 'optional' }, { special: 'rest' }, { special: 'key' }, { special: 'default' },
    ]);
    const [opt, void1, void2] = readAll('#!optional #!void #!unspecified').map((d) => d.value);
    expect(opt).toBe(Marker.optional);
    expect(void1).toBeUndefined();
    expect(void2).toBeUndefined();
    expect(read1('(a #!eof)')).toEqual(['a', { special: 'eof' }]);
    expect(readError('#!foo').message).toContain('#!foo');
  });

  it('rejects unknown # syntax', () => {
    for (const bad of ["#'x", '#%foo', '#,a', '#<#EOF\nx\nEOF', '#<foo>', '# x']) {
      expect(readError(bad).incomplete).toBe(false);
    }
  });
});

describe('comments', () => {
  it('skips line, block and datum comments', () => {
    expect(read('a ; comment ( "\nb')).toEqual(['a', 'b']);
    expect(read1('(a #| x #| nested |# y |# b)')).toEqual(['a', 'b']);
    expect(read1('(a #;(b c) d)')).toEqual(['a', 'd']);
    expect(read1('(a #; #;b c d)')).toEqual(['a', 'd']);
    expect(read1('(a . #;b c)')).toEqual({ list: ['a'], tail: 'c' });
    expect(read('#;x y #;(z)')).toEqual(['y']);
    expect(read("'#;a b")).toEqual([['quote', 'b']]);
    expect(read('#|a|##|b|#c')).toEqual(['c']);
    expect(read('')).toEqual([]);
    expect(read(' ; only a comment')).toEqual([]);
  });

  it('skips a #! line at the very start', () => {
    expect(read('#!/usr/bin/env csi -s\n(display 1)')).toEqual([['display', 1]]);
    expect(read('#! /usr/local/bin/csi\nx')).toEqual(['x']);
    expect(read('#!optional')).toEqual([{ special: 'optional' }]);
    expect(readError('x\n#!/bin/sh').incomplete).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

describe('positions', () => {
  it('gives each top-level datum its line and offsets', () => {
    const text = '  foo\n(bar\n baz) ; c\n  #;x 42 "s"';
    const all = readAll(text);
    expect(all.map((d) => [d.line, d.start, d.end])).toEqual([
      [1, 2, 5],
      [2, 6, 16],
      [4, 27, 29],
      [4, 30, 33],
    ]);
    expect(all.map((d) => text.slice(d.start, d.end))).toEqual(['foo', '(bar\n baz)', '42', '"s"']);
  });

  it('records the line of the opening paren of every list', () => {
    const [form] = readAll("\n(define (f x)\n  (let ((y 1))\n    (g y\n  'z)))").map((d) => d.value);
    const nth = (l: unknown, n: number): unknown => {
      let p = l as PairT;
      for (let i = 0; i < n; i++) p = p.cdr as PairT;
      return p.car;
    };
    const let_ = nth(form, 2);
    const bindings = nth(let_, 1);
    const call = nth(let_, 2);
    expect(sourceLine(form)).toBe(2);
    expect(sourceLine(nth(form, 1))).toBe(2);
    expect(sourceLine(let_)).toBe(3);
    expect(sourceLine(bindings)).toBe(3);
    expect(sourceLine(nth(bindings, 0))).toBe(3);
    expect(sourceLine(call)).toBe(4);
    expect(sourceLine(nth(call, 2))).toBe(5); // 'z, where the quote is
    expect(sourceLine(nth(form, 0))).toBeNull();
    expect(sourceLine(NIL)).toBeNull();
    expect(sourceLine(42)).toBeNull();
    expect(sourceLine(new Pair(1, NIL))).toBeNull();
  });

  it('counts lines in strings, comments and here-strings', () => {
    const text = '"a\nb"\n#| c\n d |#\n; e\n#<<X\nf\nX\n(g)';
    const all = readAll(text);
    expect(all.map((d) => d.line)).toEqual([1, 6, 9]);
    expect(sourceLine(all[2]!.value)).toBe(9);
  });

  it('lets a later pass give a line to a pair it made', () => {
    const p = new Pair(1, NIL);
    setSourceLine(p, 7);
    expect(sourceLine(p)).toBe(7);
  });
});

// ---------------------------------------------------------------------------------------------
// The incremental reader
// ---------------------------------------------------------------------------------------------

describe('Reader', () => {
  it('reads one datum at a time, then EOF', () => {
    const r = new Reader('a (b c)  "d" ; end\n');
    expect(toJs(r.read())).toBe('a');
    expect(r.offset).toBe(1);
    expect(toJs(r.read())).toEqual(['b', 'c']);
    expect(r.offset).toBe(7);
    expect(toJs(r.read())).toEqual({ str: 'd' });
    expect(r.offset).toBe(12);
    expect(r.read()).toBe(EOF);
    expect(r.read()).toBe(EOF);
  });

  it('returns EOF for #!eof, which readAll stops at', () => {
    const r = new Reader('1 #!eof 2');
    expect(r.read()).toBe(1);
    expect(r.read()).toBe(EOF);
    expect(r.read()).toBe(2);
    expect(read('1 #!eof 2')).toEqual([1]);
  });

  it('reads what is complete before failing on an incomplete datum', () => {
    const r = new Reader('x (y');
    expect(toJs(r.read())).toBe('x');
    let error: unknown;
    try {
      r.read();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReadError);
    expect((error as ReadError).incomplete).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  it('marks input that more text could complete as incomplete, with the line of the opening', () => {
    const cases: [string, number, string][] = [
      ['(a b', 1, 'unterminated list: the ( on line 1 is not closed'],
      ['\n\n(foo\n (bar)', 3, 'unterminated list: the ( on line 3 is not closed'],
      ['(a [b', 1, 'unterminated list'],
      ['#(1 2', 1, 'unterminated vector: the #( on line 1 is not closed'],
      ['x\n"abc', 2, 'unterminated string: the " on line 2 is not closed'],
      ['"abc\\', 1, 'unterminated string'],
      ['\n#| a #| b |#', 2, 'unterminated block comment: the #| on line 2 is not closed'],
      ["'", 1, "end of input after the ' on line 1"],
      ['(a\n `', 1, 'unterminated list'],
      ['#;', 1, 'end of input after the #;'],
      ['|abc', 1, 'unterminated symbol'],
      ['#<<EOF\nabc\n', 1, 'unterminated here-string'],
      ['#<<EOF', 1, 'unterminated here-string'],
      ['#\\', 1, 'end of input after #\\'],
      ['#', 1, 'end of input after #'],
      ['abc\\', 1, 'end of input after \\'],
    ];
    for (const [text, line, message] of cases) {
      const e = readError(text);
      expect([text, e.incomplete, e.line]).toEqual([text, true, line]);
      expect(e.message).toContain(message);
    }
  });

  it('marks input no more text can fix as complete, with the line of the problem', () => {
    const cases: [string, number, string][] = [
      [')', 1, 'unexpected ): no list is open'],
      ['(a)\n\n  )', 3, 'unexpected )'],
      ['(a\n b]', 2, 'mismatched ]: the ( on line 1 must be closed by )'],
      ['[a)', 1, 'mismatched )'],
      ['#(a]', 1, 'mismatched ]'],
      ['(. a)', 1, 'nothing before .'],
      ['(a . b c)', 1, 'more than one datum after .'],
      ['(a . b . c)', 1, 'second .'],
      ['(a .)', 1, 'nothing after .'],
      ['.', 1, 'unexpected .'],
      ['#(a . b)', 1, 'unexpected .'],
      ["(a ')", 1, "' on line 1 is followed by )"],
      ['(a #;)', 1, '#; on line 1 is followed by )'],
      ['#: x', 1, 'empty keyword'],
    ];
    for (const [text, line, message] of cases) {
      const e = readError(text);
      expect([text, e.incomplete, e.line]).toEqual([text, false, line]);
      expect(e.message).toContain(message);
    }
  });

  it('is an Error with the line in its message', () => {
    const e = readError('\n(a]');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ReadError');
    expect(e.message).toMatch(/\(line 2\)$/);
  });
});

// ---------------------------------------------------------------------------------------------
// Size and depth
// ---------------------------------------------------------------------------------------------

describe('big input', () => {
  it('reads 100,000 nested lists without recursion', () => {
    const n = 100_000;
    const [d] = readAll(`${'('.repeat(n)}x${')'.repeat(n)}`);
    let x = d!.value;
    let depth = 0;
    while (x instanceof Pair) {
      expect((x as PairT).cdr).toBe(NIL);
      x = (x as PairT).car;
      depth++;
    }
    expect(depth).toBe(n);
    expect(toJs(x)).toBe('x');
  });

  it('reads deep quotes, vectors and dotted tails', () => {
    const n = 100_000;
    let x = readAll(`${"'".repeat(n)}x`)[0]!.value;
    for (let i = 0; i < n; i++) x = ((x as PairT).cdr as PairT).car;
    expect(toJs(x)).toBe('x');
    let v = readAll(`${'#('.repeat(n)}${')'.repeat(n)}`)[0]!.value;
    let depth = 0;
    while (Array.isArray(v) && v.length === 1) {
      v = v[0];
      depth++;
    }
    expect(depth).toBe(n - 1);
    let t = readAll(`${'(a . '.repeat(n)}b${')'.repeat(n)}`)[0]!.value;
    for (let i = 0; i < n; i++) t = (t as PairT).cdr;
    expect(toJs(t)).toBe('b');
  });

  it('reports an unclosed paren of deep input', () => {
    const e = readError(`\n${'('.repeat(100_000)}`);
    expect(e.incomplete).toBe(true);
    expect(e.line).toBe(2);
  });

  it('reads a list of 1,000,000 elements', () => {
    const n = 1_000_000;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(String(i));
    const [d] = readAll(`(${parts.join(' ')})`);
    let p = d!.value;
    let count = 0;
    let sum = 0;
    while (p instanceof Pair) {
      sum += (p as PairT).car as number;
      count++;
      p = (p as PairT).cdr;
    }
    expect(p).toBe(NIL);
    expect(count).toBe(n);
    expect(sum).toBe((n * (n - 1)) / 2);
  });

  it('reads 1 MB of mixed data', () => {
    const unit = '(define (f x) (let ([y "a string\\n"] (z 1.5)) (list \'a #\\b 12345 foo: #(1 2) x y z))) ; c\n';
    const copies = Math.ceil(1_000_000 / unit.length);
    const all = readAll(unit.repeat(copies));
    expect(all).toHaveLength(copies);
    expect(all[copies - 1]!.line).toBe(copies);
    expect(write(all[copies - 1]!.value)).toBe(
      '(define (f x) (let ((y "a string\\n") (z 1.5)) (list (quote a) #\\b 12345 #:foo #(1 2) x y z)))',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Against CHICKEN
// ---------------------------------------------------------------------------------------------

describe('as CHICKEN reads it', () => {
  /**
   * [datum, what CHICKEN 5's csi printed for (write (quote DATUM))], recorded with csi 5.
   * Strings are bytes (csi's output read as latin1).
   */
  const CSI: [string, string][] = [
    ["(a b . c)", "(a b . c)"],
    ["(a . (b))", "(a b)"],
    ["(a . ())", "(a)"],
    ["[a (b) c]", "(a (b) c)"],
    ["(a'b)", "(a (quote b))"],
    ["(a,b)", "(a (unquote b))"],
    ["(a,@b)", "(a (unquote-splicing b))"],
    ["`(a ,b ,@c)", "(quasiquote (a (unquote b) (unquote-splicing c)))"],
    ["(a #;(b c) d)", "(a d)"],
    ["(a #| x #| y |# z |# b)", "(a b)"],
    ["(a . #;b c)", "(a . c)"],
    ["(1+ ... - + 1a 1e e1 a.b .5. -. +. .e1 1e1. 1.5.2 1.. 0x10 +-1 1_000 1/2e2 1e2.5 +inf.0x)", "(1+ ... - + 1a 1e e1 a.b .5. -. +. .e1 1e1. 1.5.2 1.. 0x10 +-1 1_000 1/2e2 1e2.5 +inf.0x)"],
    ["(1 -5 +5 007 -0 1.5 1. .5 -.5e2 +.5 1e3 1E2 1e+2 1.5e-3 .1e1 1.e1 -0.0)", "(1 -5 5 7 0 1.5 1.0 0.5 -50.0 0.5 1000.0 100.0 100.0 0.0015 1.0 10.0 -0.0)"],
    ["(4/2 -6/3 +8/4 1/0 0/0 1/-2 1.5/2)", "(2 -2 2 1/0 0/0 1/-2 1.5/2)"],
    ["(#x-ff #xFF #XAbC #b101 #o17 #o+7 #d10 #d-1.5 #x1e #e2.0 #e1e2 #e-0.0 #e#x10 #x#e10 #e#b101)", "(-255 255 2748 5 15 7 10 -1.5 30 2 100 0 16 16 5)"],
    ["(+inf.0 -inf.0 +nan.0 -nan.0 #i+inf.0)", "(+inf.0 -inf.0 +nan.0 +nan.0 +inf.0)"],
    ["(#i3 #i1e2 #i#x10 1e400 1e-400)", "(3.0 100.0 16.0 +inf.0 0.0)"],
    ["(foo: #:foo : http:GET |foo bar|: #:|a b| a:b: 1: |1|:)", "(#:foo #:foo : http:GET #:|foo bar| #:|a b| #:a:b #:|1| #:|1|)"],
    ["(|foo bar| |a\\|b| a\\ b a|b c|d)", "(|foo bar| |a\\|b| |a b| |ab cd|)"],
    ["(#!optional #!rest #!key #!eof)", "(#!optional #!rest #!key #!eof)"],
    ["(#\\a #\\A #\\x #\\x41 #\\xa #\\x0 #\\u0041 #\\u41 #\\U00000041 #\\space #\\newline #\\tab #\\nul #\\null #\\alarm #\\backspace #\\delete #\\escape #\\return #\\linefeed #\\( #\\) #\\; #\\\" #\\1)", "(#\\a #\\A #\\x #\\A #\\newline #\\null #\\A #\\A #\\A #\\space #\\newline #\\tab #\\null #\\null #\\alarm #\\backspace #\\delete #\\escape #\\return #\\newline #\\( #\\) #\\; #\\\" #\\1)"],
    ["(#t #f #T #F)", "(#t #f #t #f)"],
    ["#(1 #(2) \"x\" #\\y)", "#(1 #(2) \"x\" #\\y)"],
    ["#()", "#()"],
    ["\"a\\nb\\tc\\rd\\\\e\\\"f\\'g\"", "\"a\\nb\\tc\\rd\\\\e\\\"f'g\""],
    ["\"a\\x41b\\x42\"", "\"aAbB\""],
    ["\"\\u00e9 \\u03bb\"", "\"\xc3\xa9 \xce\xbb\""],
    ["\"caf\\xe9\"", "\"caf\xe9\""],
    ["\"a\\\n     b\"", "\"ab\""],
    ["\"a\\   \n   b\"", "\"ab\""],
    ["\"line1\nline2\"", "\"line1\\nline2\""],
    ["\"\\q\"", "\"q\""],
    ["(##sys#foo abc# a#b)", "(##sys#foo abc# a#b)"],
    ["(ABC abc Abc)", "(ABC abc Abc)"],
    ["#<<EOF\nhello\n  world\nEOF", "\"hello\\n  world\""],
    ["(1 .5)", "(1 0.5)"],
    ["(1 .(2))", "(1 2)"],
    ["(a .b)", "(a .b)"],
  ];

  it.each(CSI)('%s', (datum, expected) => {
    const all = readAll(datum);
    expect(all).toHaveLength(1);
    expect(write(all[0]!.value)).toBe(expected);
  });

  it('differs from CHICKEN 5 only where intended', () => {
    // CHICKEN 5 has bignums and rationals; here they are flonums.
    expect(read('12345678901234567890 #e1.5 1/2')).toEqual([{ flo: 12345678901234567890 }, { flo: 1.5 }, { flo: 0.5 }]);
    // CHICKEN 5 reads "\x41;" as "A;" (R7RS and this reader: "A").
    expect(read1('"\\x41;"')).toEqual({ str: 'A' });
    // Not in CHICKEN 5's reader: #true/#false, #u8(…), #!default, #!void, \0, any-case char names.
    expect(read('#true #false #!default #\\SPACE')).toEqual([true, false, { special: 'default' }, { char: 32 }]);
  });
});
