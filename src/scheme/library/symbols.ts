/**
 * Symbols and keywords, equivalence, booleans and the other small predicates. A symbol's name
 * is bytes like any string (`(string->symbol "Jürgen")` has a 7-byte name).
 */
import type { Engine } from '../compiler/index.js';
import { Keyword, MString, SymbolClass, NIL, intern, isPair, isSymbol, symbolName, gensym } from '../runtime/data.js';
import { typeError, SchemeError } from '../runtime/errors.js';
import * as P from '../runtime/prims.js';
import { defineProcedures } from './define.js';

type Sym = { __name__: unknown };

function stringArg(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s, 'string');
}

function symbolArg(s: unknown, who: string): string {
  if (isSymbol(s)) return symbolName(s);
  throw typeError(who, s, 'symbol');
}

/** A symbol named NAME that is `eq?` to no other (not even one read as NAME). */
function uninterned(name: string): Sym {
  // What data.ts's gensym makes, without the counter suffix: an LSymbol that is not in the table.
  const s = Object.create(SymbolClass.prototype as object) as Sym;
  s.__name__ = name;
  return s;
}

/** CHICKEN: (gensym [PREFIX]), PREFIX a string or a symbol (default `g`). */
function makeGensym(prefix?: unknown): Sym {
  if (prefix === undefined) return gensym();
  if (typeof prefix === 'string' || prefix instanceof MString) return gensym(stringArg(prefix, 'gensym'));
  if (isSymbol(prefix)) return gensym(symbolName(prefix));
  throw new SchemeError(['exn', 'type'], 'argument is not a string or symbol', [prefix], 'gensym');
}

/**
 * CHICKEN's (get-keyword KEYWORD ARGS [THUNK]): the value after KEYWORD in the property list
 * ARGS; absent, THUNK's value (the TS procedure ends in that call, so it may suspend) or #f.
 */
function getKeyword(key: unknown, args: unknown, thunk?: unknown): unknown {
  if (!(key instanceof Keyword)) throw typeError('get-keyword', key, 'keyword');
  if (args !== NIL && !isPair(args)) throw typeError('get-keyword', args, 'list');
  for (let p: unknown = args; isPair(p); ) {
    const rest: unknown = p.cdr;
    if (!isPair(rest)) break;
    if (p.car === key) return rest.car;
    p = rest.cdr;
  }
  if (thunk === undefined) return false;
  if (typeof thunk !== 'function') throw typeError('get-keyword', thunk, 'procedure');
  return (thunk as () => unknown)();
}

function symbolAppend(...syms: unknown[]): Sym {
  return intern(syms.map((s) => symbolArg(s, 'symbol-append')).join(''));
}

export function installSymbols(engine: Engine): void {
  defineProcedures(engine, {
    'symbol?': [(x: unknown) => isSymbol(x), 1, 1],
    // A fresh mutable copy of the name, as CHICKEN's (R7RS would allow the name itself).
    'symbol->string': [(s: unknown) => new MString(symbolArg(s, 'symbol->string')), 1, 1],
    'string->symbol': [(s: unknown) => intern(stringArg(s, 'string->symbol')), 1, 1],
    'string->uninterned-symbol': [(s: unknown) => uninterned(stringArg(s, 'string->uninterned-symbol')), 1, 1],
    gensym: [makeGensym, 0, 1],
    'symbol-append': [symbolAppend, 0, Infinity],

    'keyword?': [(x: unknown) => x instanceof Keyword, 1, 1],
    'keyword->string': [(k: unknown) => {
      if (k instanceof Keyword) return k.name;
      throw typeError('keyword->string', k, 'keyword');
    }, 1, 1],
    'string->keyword': [(s: unknown) => Keyword.of(stringArg(s, 'string->keyword')), 1, 1],
    'get-keyword': [getKeyword, 2, 3],

    'eq?': [(a: unknown, b: unknown) => a === b, 2, 2],
    'eqv?': [P.isEqv, 2, 2],
    'equal?': [P.isEqual, 2, 2],
    not: [P.not, 1, 1],
    'boolean?': [P.isBoolean, 1, 1],
    'procedure?': [P.isProcedure, 1, 1],
    // Any arguments, no value (the unspecified value, undefined).
    void: [() => undefined, 0, Infinity],
  });
}
