/**
 * `write` and `display` against what CHICKEN 5's csi prints (the expected texts were taken from
 * csi), and the printer's limits: long, deep and circular structure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bootLips } from '../../../src/scheme/boot.js';
import {
  bindData, arrayToList, charOf, cons, intern, gensym, makeValues, mutableString, Flo, Keyword, Marker,
  DEFAULT_OBJECT, NIL, EOF, type PairT,
} from '../../../src/scheme/runtime/data.js';
import { typeError, divisionByZero } from '../../../src/scheme/runtime/errors.js';
import { displayString, registerPrinter, writeString, MAX_DEPTH, MAX_LIST_ELEMENTS } from '../../../src/scheme/runtime/printer.js';

beforeAll(async () => {
  bindData(await bootLips());
}, 20_000);

const list = (...items: unknown[]): unknown => arrayToList(items);
const sym = (name: string): unknown => intern(name);

/** [value, what write prints, what display prints] */
type Case = [unknown, string, string];

function both(cases: () => Case[]): void {
  it('writes and displays as csi does', () => {
    for (const [value, written, displayed] of cases()) {
      expect(writeString(value), `write of ${written}`).toBe(written);
      expect(displayString(value), `display of ${written}`).toBe(displayed);
    }
  });
}

describe('atoms', () => {
  both(() => [
    [42, '42', '42'],
    [-7, '-7', '-7'],
    [new Flo(1.5), '1.5', '1.5'],
    [new Flo(1), '1.0', '1.0'],
    [new Flo(1 / 3), '0.333333333333333', '0.333333333333333'],
    [new Flo(-0), '-0.0', '-0.0'],
    [new Flo(NaN), '+nan.0', '+nan.0'],
    [true, '#t', '#t'],
    [false, '#f', '#f'],
    [NIL, '()', '()'],
    [undefined, '#<unspecified>', '#<unspecified>'],
    [EOF, '#!eof', '#!eof'],
    [DEFAULT_OBJECT, '#!default', '#!default'],
    [Marker.optional, '#!optional', '#!optional'],
    [Marker.rest, '#!rest', '#!rest'],
    [Marker.key, '#!key', '#!key'],
    [new Uint8Array([1, 2]), '#u8(1 2)', '#u8(1 2)'],
    [new Uint8Array(0), '#u8()', '#u8()'],
    [[], '#()', '#()'],
    [typeError('car', 1), '#<condition: (exn type)>', '#<condition: (exn type)>'],
    [divisionByZero('/'), '#<condition: (exn arithmetic)>', '#<condition: (exn arithmetic)>'],
  ]);
});

describe('strings', () => {
  both(() => [
    ['abc', '"abc"', 'abc'],
    ['', '""', ''],
    ['a"b\\c\n', '"a\\"b\\\\c\\n"', 'a"b\\c\n'],
    ['\t\r\x07\x08\x0b\x0c', '"\\t\\r\\a\\b\\v\\f"', '\t\r\x07\x08\x0b\x0c'],
    ['\x00\x01\x1f\x7f', '"\\x00\\x01\\x1f\\x7f"', '\x00\x01\x1f\x7f'],
    ['J\xc3\xbcrgen', '"J\xc3\xbcrgen"', 'J\xc3\xbcrgen'],
    [mutableString('aa'), '"aa"', 'aa'],
  ]);

  it('writes every byte as csi does', () => {
    // csi: (write (list->string (map integer->char (iota 256))))
    const controls = '\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\a\\b\\t\\n\\v\\f\\r\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14\\x15'
      + '\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f';
    const printable = ' !\\"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
    let high = '';
    for (let c = 128; c < 256; c++) high += String.fromCharCode(c);
    let all = '';
    for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
    expect(writeString(all)).toBe(`"${controls}${printable}\\x7f${high}"`);
  });
});

describe('characters', () => {
  both(() => [
    [charOf(97), '#\\a', 'a'],
    [charOf(65), '#\\A', 'A'],
    [charOf(0), '#\\null', '\x00'],
    [charOf(1), '#\\x1', '\x01'],
    [charOf(6), '#\\x6', '\x06'],
    [charOf(7), '#\\alarm', '\x07'],
    [charOf(8), '#\\backspace', '\x08'],
    [charOf(9), '#\\tab', '\t'],
    [charOf(10), '#\\newline', '\n'],
    [charOf(11), '#\\vtab', '\x0b'],
    [charOf(12), '#\\page', '\x0c'],
    [charOf(13), '#\\return', '\r'],
    [charOf(14), '#\\xe', '\x0e'],
    [charOf(26), '#\\x1a', '\x1a'],
    [charOf(27), '#\\escape', '\x1b'],
    [charOf(31), '#\\x1f', '\x1f'],
    [charOf(32), '#\\space', ' '],
    [charOf(34), '#\\"', '"'],
    [charOf(92), '#\\\\', '\\'],
    [charOf(40), '#\\(', '('],
    [charOf(126), '#\\~', '~'],
    [charOf(127), '#\\delete', '\x7f'],
    [charOf(128), '#\\\x80', '\x80'],
    [charOf(233), '#\\\xe9', '\xe9'],
    [charOf(255), '#\\\xff', '\xff'],
    // Above 255: csi writes the code; display sends the UTF-8 bytes (csi sends the low byte).
    [charOf(955), '#\\x3bb', '\xce\xbb'],
    [charOf(0x1f600), '#\\x1f600', '\xf0\x9f\x98\x80'],
  ]);
});

describe('symbols and keywords', () => {
  // Each name and how csi writes (string->symbol NAME); display gives the name itself.
  const symbols: [string, string][] = [
    ['foo', 'foo'],
    ['Abc', 'Abc'],
    ['a b', '|a b|'],
    ['', '||'],
    ['1', '|1|'],
    ['+', '+'],
    ['-', '-'],
    ['...', '...'],
    ['.', '|.|'],
    ['+a', '+a'],
    ['-a', '-a'],
    ['1a', '1a'],
    ['+1', '|+1|'],
    ['-1.5', '|-1.5|'],
    ['1e3', '|1e3|'],
    ['+.5', '|+.5|'],
    ['1#', '|1#|'],
    ['1/2', '|1/2|'],
    ['+inf.0', '|+inf.0|'],
    ['+Inf.0', '|+Inf.0|'],
    ['+nan.0', '|+nan.0|'],
    ['-nan.0', '|-nan.0|'],
    ['-i', '|-i|'],
    ['+i', '|+i|'],
    ['1+2i', '|1+2i|'],
    ['+inf.0i', '|+inf.0i|'],
    ['1@2', '|1@2|'],
    ['1+', '1+'],
    ['-1a', '-1a'],
    ['+1a', '+1a'],
    ['1e', '1e'],
    ['1.5.5', '1.5.5'],
    ['-.', '-.'],
    ['+.', '+.'],
    ['a.b', 'a.b'],
    ['.a', '.a'],
    ['..a', '..a'],
    ['a|b', '|a\\|b|'],
    ['a b|c', '|a b\\|c|'],
    ['|', '|\\||'],
    ['a\\b', '|a\\\\b|'],
    ['a\\', '|a\\\\|'],
    ['\\', '|\\\\|'],
    ['#foo', '|#foo|'],
    ['#', '|#|'],
    ['#t', '|#t|'],
    ['#e1', '|#e1|'],
    ['#x10', '|#x10|'],
    ['#!foo', '|#!foo|'],
    ['#!eof', '|#!eof|'],
    ['#!default', '|#!default|'],
    ['#!optional', '#!optional'],
    ['#!rest', '#!rest'],
    ['#!key', '#!key'],
    ['a#b', 'a#b'],
    ['a(b', '|a(b|'],
    ['(', '|(|'],
    ["a'b", "|a'b|"],
    ["'", "|'|"],
    ['a"b', '|a"b|'],
    ['a;b', '|a;b|'],
    ['a,b', '|a,b|'],
    ['a`b', '|a`b|'],
    ['a{b', '|a{b|'],
    ['a[b', '|a[b|'],
    ['a]b', '|a]b|'],
    ['a}b', '|a}b|'],
    ['a\nb', '|a\\x0ab|'],
    ['a\tb', '|a\\x09b|'],
    ['a\x01b', '|a\\x01b|'],
    ['a \x1fb', '|a \\x1fb|'],
    ['a\x7fb', 'a\x7fb'],
    ['a\xe9b', 'a\xe9b'],
    ['a\xff', 'a\xff'],
    ['\xc3\xa9', '\xc3\xa9'],
    ['a \xe9', '|a \\xe9|'],
    ['a \x7f', '|a \\x7f|'],
    ['\x7f;', '|\\x7f;|'],
    ['foo:', '|foo:|'],
    [':foo', '|:foo|'],
    ['a:', '|a:|'],
    ['a::', '|a::|'],
    ['::', '|::|'],
    [':', ':'],
    ['a:b', 'a:b'],
    ['@', '@'],
    ['a@', 'a@'],
    ['@a', '@a'],
  ];
  it.each(symbols)('writes the symbol %j as %s', (name, written) => {
    expect(writeString(sym(name))).toBe(written);
    expect(displayString(sym(name))).toBe(name);
  });

  both(() => [
    [Keyword.of('foo'), '#:foo', 'foo:'],
    [Keyword.of('A'), '#:A', 'A:'],
    [Keyword.of('a b'), '#:|a b|', 'a b:'],
    [Keyword.of(''), '#:||', ':'],
    [Keyword.of('1'), '#:|1|', '1:'],
    [Keyword.of('a:'), '#:|a:|', 'a::'],
    [Keyword.of('#!rest'), '#:#!rest', '#!rest:'],
  ]);

  it('writes an uninterned symbol by its name', () => {
    const g = gensym('g');
    expect(writeString(g)).toMatch(/^g\d+$/);
    expect(displayString(g)).toBe(writeString(g));
  });
});

describe('lists and vectors', () => {
  both(() => [
    [list(sym('quote'), sym('x')), '(quote x)', '(quote x)'],
    [list(sym('quasiquote'), sym('x')), '(quasiquote x)', '(quasiquote x)'],
    [list(sym('unquote'), sym('x')), '(unquote x)', '(unquote x)'],
    [list(sym('unquote-splicing'), sym('x')), '(unquote-splicing x)', '(unquote-splicing x)'],
    [cons(sym('quote'), sym('x')), '(quote . x)', '(quote . x)'],
    [list(sym('a'), list(sym('quote'), sym('x'))), '(a (quote x))', '(a (quote x))'],
    [cons(1, 2), '(1 . 2)', '(1 . 2)'],
    [arrayToList([1, 2], 3), '(1 2 . 3)', '(1 2 . 3)'],
    [[1, 'a', charOf(98)], '#(1 "a" #\\b)', '#(1 a b)'],
    [['a', charOf(98), cons(1, 'c')], '#("a" #\\b (1 . "c"))', '#(a b (1 . c))'],
    [list(1, list(2, list(3, list(4))), [5]), '(1 (2 (3 (4))) #(5))', '(1 (2 (3 (4))) #(5))'],
    [arrayToList([1, list(2, list(3, list(4)))], [5]), '(1 (2 (3 (4))) . #(5))', '(1 (2 (3 (4))) . #(5))'],
    [list(NIL), '(())', '(())'],
    [cons(1, []), '(1 . #())', '(1 . #())'],
    [list('a\nb', charOf(97), charOf(32), sym('x y'), new Flo(1.5), Keyword.of('k')),
      '("a\\nb" #\\a #\\space |x y| 1.5 #:k)', '(a\nb a   x y 1.5 k:)'],
    [[[[]]], '#(#(#()))', '#(#(#()))'],
    [[new Uint8Array([7]), list()], '#(#u8(7) ())', '#(#u8(7) ())'],
  ]);
});

describe('multiple values', () => {
  // csi's write of (values 1 2) prints 1, and of (values) #<unspecified>.
  both(() => [
    [makeValues([1, 2]), '1', '1'],
    [makeValues([]), '#<unspecified>', '#<unspecified>'],
    [list(makeValues([list(1, 2), 3])), '((1 2))', '((1 2))'],
  ]);
});

describe('procedures and other objects', () => {
  function withParams<T extends (...args: never[]) => unknown>(f: T, params: string): T {
    return Object.assign(f, { schemeParams: params });
  }

  both(() => {
    const foo = withParams(function foo(): void {}, '(x y)');
    const bar = withParams(function bar(): void {}, 'r');
    const baz = withParams(function baz(): void {}, '(a #!optional b)');
    const qux = withParams(function qux(): void {}, '()');
    const rest = withParams(function rest(): void {}, '(a . more)');
    const anonymous = withParams((() => () => undefined)(), '(x)');
    return [
      [foo, '#<procedure (foo x y)>', '#<procedure (foo x y)>'],
      [bar, '#<procedure (bar . r)>', '#<procedure (bar . r)>'],
      [baz, '#<procedure (baz a #!optional b)>', '#<procedure (baz a #!optional b)>'],
      [qux, '#<procedure (qux)>', '#<procedure (qux)>'],
      [rest, '#<procedure (rest a . more)>', '#<procedure (rest a . more)>'],
      [anonymous, '#<procedure (? x)>', '#<procedure (? x)>'],
      [(() => () => undefined)(), '#<procedure>', '#<procedure>'],
      [function car(): void {}, '#<procedure (car)>', '#<procedure (car)>'],
    ];
  });

  it('prints other objects by their class, and registered classes with their printer', () => {
    class Widget {}
    class Gadget {}
    class SmallGadget extends Gadget {}
    registerPrinter(Gadget, (x, write) => `#<gadget ${write ? 'written' : 'displayed'} ${x instanceof SmallGadget ? 'small' : 'plain'}>`);
    expect(writeString(new Widget())).toBe('#<widget>');
    expect(writeString(Object.create(null))).toBe('#<object>');
    expect(writeString(new Gadget())).toBe('#<gadget written plain>');
    expect(displayString(list(new SmallGadget()))).toBe('(#<gadget displayed small>)');
  });
});

describe('limits', () => {
  it('prints a list of a million elements', () => {
    const items = Array.from({ length: 1_000_000 }, (_, i) => i % 10);
    const text = writeString(arrayToList(items));
    expect(text.length).toBe(2_000_001);
    expect(text.startsWith('(0 1 2 3')).toBe(true);
    expect(text.endsWith('8 9)')).toBe(true);
  });

  it('prints 100,000 levels of nesting through cars and through vectors', () => {
    const depth = 100_000;
    let nested: unknown = NIL;
    for (let i = 0; i < depth; i++) nested = cons(nested, NIL);
    expect(writeString(nested)).toBe(`${'('.repeat(depth)}()${')'.repeat(depth)}`);

    let vectors: unknown = 1;
    for (let i = 0; i < depth; i++) vectors = [vectors];
    expect(displayString(vectors)).toBe(`${'#('.repeat(depth)}1${')'.repeat(depth)}`);

    let tails: unknown = NIL;
    for (let i = 0; i < depth; i++) tails = cons(1, [tails]);
    expect(writeString(tails)).toBe(`${'(1 . #('.repeat(depth)}()${'))'.repeat(depth)}`);
  });

  it('gives up on a circular list after a million elements', () => {
    const cycle = list(1, 2, 3) as PairT;
    ((cycle.cdr as PairT).cdr as PairT).cdr = cycle;
    const text = writeString(cycle);
    expect(text.startsWith('(1 2 3 1 2 3 ')).toBe(true);
    expect(text.endsWith(' ...)')).toBe(true);
    expect(text.split(' ').length).toBe(MAX_LIST_ELEMENTS + 1);
  });

  it('gives up on a cycle through cars', () => {
    const p = cons(NIL, NIL);
    p.car = p;
    expect(writeString(p)).toBe(`${'('.repeat(MAX_DEPTH)}...${')'.repeat(MAX_DEPTH)}`);
  });
});
