/**
 * The symbol, keyword and equivalence procedures (src/scheme/library/symbols.ts) through the engine. Each case is Scheme
 * source and what csi shows for it: the `write` text of the value, or the condition as
 * `ERR (kinds) (location) message (arguments)`. The first table was produced by CHICKEN 5's
 * csi; the second holds procedures whose results vary (gensym's counter) and the
 * cases where we deliberately differ, each with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newEngine } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import type { SchemeError } from '../../../src/scheme/runtime/errors.js';
import { showResult, raisedBy } from './support.js';

let engine: Engine;

beforeAll(async () => {
  engine = await newEngine();
}, 30_000);

const show = (src: string): Promise<string> => showResult(engine, src);
const failure = (src: string): Promise<SchemeError> => raisedBy(engine, src);

/** Checked against csi 5. */
const CSI: Array<[string, string]> = [
  ['(symbol? (quote a))', '#t'],
  ['(symbol? "a")', '#f'],
  ['(symbol? foo:)', '#f'],
  ['(symbol->string (quote abc))', '"abc"'],
  ['(symbol->string 5)', 'ERR (exn type) (symbol->string) bad argument type - not a symbol (5)'],
  ['(symbol->string foo:)', 'ERR (exn type) (symbol->string) bad argument type - not a symbol (#:foo)'],
  ['(string->symbol "abc")', 'abc'],
  ['(eq? (string->symbol "a") (quote a))', '#t'],
  ['(string->symbol 5)', 'ERR (exn type) (string->symbol) bad argument type - not a string (5)'],
  ['(string->symbol "a b")', '|a b|'],
  ['(string->uninterned-symbol "foo")', 'foo'],
  ['(eq? (string->uninterned-symbol "a") (quote a))', '#f'],
  ['(symbol? (string->uninterned-symbol "a"))', '#t'],
  ['(symbol->string (string->uninterned-symbol "foo"))', '"foo"'],
  ['(gensym 5)', 'ERR (exn type) (gensym) argument is not a string or symbol (5)'],
  ['(symbol? (gensym))', '#t'],
  ['(eq? (gensym) (gensym))', '#f'],
  ['(symbol-append (quote foo) (quote bar) (quote baz))', 'foobarbaz'],
  ['(symbol-append)', '||'],
  ['(symbol-append (quote a) "b")', 'ERR (exn type) (symbol-append) bad argument type - not a symbol ("b")'],
  ['(keyword? foo:)', '#t'],
  ['(keyword? (quote foo))', '#f'],
  ['(keyword->string foo:)', '"foo"'],
  ['(string->keyword "foo")', '#:foo'],
  ['(keyword->string 5)', 'ERR (exn type) (keyword->string) bad argument type - not a keyword (5)'],
  ['(string->keyword 5)', 'ERR (exn type) (string->keyword) bad argument type - not a string (5)'],
  ['(eq? (string->keyword "foo") foo:)', '#t'],
  ['(void)', '#<unspecified>'],
  ['(void 1 2 3)', '#<unspecified>'],
  ['(eq? (quote a) (quote a))', '#t'],
  ['(eq? (list 1) (list 1))', '#f'],
  ['(eq? #\\a #\\a)', '#t'],
  ['(eq? 100 100)', '#t'],
  ['(eq? 1.5 1.5)', '#f'],
  ['(eqv? 1.5 1.5)', '#t'],
  ['(eqv? 1 1.0)', '#f'],
  ['(eqv? 0.0 -0.0)', '#f'],
  ['(equal? (list 1 (vector 2 "x")) (list 1 (vector 2 "x")))', '#t'],
  ['(equal? "abc" "abc")', '#t'],
  ['(equal? (list 1 2) (list 1 3))', '#f'],
  ['(not #f)', '#t'],
  ['(not 0)', '#f'],
  ['(not (quote ()))', '#f'],
  ['(boolean? #f)', '#t'],
  ['(boolean? (quote ()))', '#f'],
  ['(procedure? car)', '#t'],
  ['(procedure? (lambda (x) x))', '#t'],
  ['(procedure? (quote car))', '#f'],
  ['(map eq? (list 1 (quote a)) (list 1 (quote b)))', '(#t #f)'],
  ['(apply equal? (list "a" "a"))', '#t'],
];

/** Deliberately different from csi 5, or not comparable as text. */
const OURS: Array<[string, string]> = [
  // Strings that are literals are JS strings, compared by value: two equal literals are one
  // object (csi: #f). Fresh strings are distinct objects.
  ['(eqv? "a" "a")', '#t'],
  ['(let ((s (string-copy "a"))) (eqv? s (string-copy s)))', '#f'],
  // A symbol's name is bytes (this source's "ü" is two); symbol->string gives a mutable copy.
  ['(string-length (symbol->string (string->symbol "J\xc3\xbcrgen")))', '7'],
  ['(let ((s (symbol->string (quote abc)))) (string-set! s 0 #\\x) (list s (quote abc)))', '("xbc" abc)'],
  ['(string->symbol (string #\\a #\\b))', 'ab'],
  ['(keyword? (string->keyword "a"))', '#t'],
];

describe('symbols: against csi', () => {
  it.each(CSI)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('symbols: our differences', () => {
  it.each(OURS)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('symbols: gensym and uninterned symbols', () => {
  it('names gensyms PREFIX followed by a number, like csi', async () => {
    expect(await show('(gensym)')).toMatch(/^g\d+$/);
    expect(await show('(gensym "foo")')).toMatch(/^foo\d+$/);
    expect(await show("(gensym 'bar)")).toMatch(/^bar\d+$/);
  });

  it('makes symbols that are eq? to no other', async () => {
    expect(await show("(let ((g (gensym))) (list (eq? g g) (eq? g (string->symbol (symbol->string g)))))")).toBe('(#t #f)');
    expect(await show("(let ((u (string->uninterned-symbol \"a\"))) (list (symbol? u) (eq? u 'a) (symbol->string u)))")).toBe('(#t #f "a")');
  });
});

describe('symbols: conditions', () => {
  it('raises (exn type) with csi\'s message', async () => {
    const e = await failure('(symbol->string "a")');
    expect(e.kinds).toEqual(['exn', 'type']);
    expect(e.location).toBe('symbol->string');
    expect(e.message).toBe('bad argument type - not a symbol');
  });

  it('lets void take any number of arguments and eq? exactly two', async () => {
    expect(await show('(apply void (iota 100))')).toBe('#<unspecified>');
    const e = await failure("(apply eq? '(1 2 3))");
    expect(e.kinds).toEqual(['exn', 'arity']);
    expect(e.message).toBe('bad argument count - received 3 but expected 2');
  });
});
