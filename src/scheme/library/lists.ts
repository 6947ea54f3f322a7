/**
 * Pairs and lists: R5RS, CHICKEN's core and data-structures unit, and the SRFI-1 procedures
 * CHICKEN 3 programs use (`iota`, `last`, `make-list`, `cons*`, `append!`, `reverse!` …).
 *
 * Every procedure is a loop: none recurses on the JS stack over a list's length, and each one
 * is linear, so lists of millions of elements are fine. A loop that follows cdrs also watches
 * for a cycle (Floyd: a second pointer at half speed), because a TypeScript loop cannot be
 * preempted: a circular list must raise an error, never hang the process.
 *
 * The higher-order procedures (map, for-each, member/assoc with a predicate, filter …) are
 * written in Scheme (scheme/library/base.scm) so that the procedures they call may suspend;
 * `member` and `assoc` with two arguments come here as `%member2` and `%assoc2`.
 */
import type { Engine } from '../compiler/index.js';
import { Pair, NIL, arrayToList, type PairT } from '../runtime/data.js';
import { typeError, boundsError, schemeError } from '../runtime/errors.js';
import * as P from '../runtime/prims.js';
import * as N from '../runtime/numbers.js';
import { defineProcedures } from './define.js';
import { setArrayForm } from './control.js';

// ---------------------------------------------------------------------------------------------
// Helpers shared with the other library modules
// ---------------------------------------------------------------------------------------------

const IMPROPER = -1;
const CIRCULAR = -2;

/** The length of X if it is a proper list, else IMPROPER or CIRCULAR. */
function measure(x: unknown): number {
  let n = 0;
  let p = x;
  let slow = x;
  while (p instanceof Pair) {
    p = p.cdr;
    n++;
    if ((n & 1) === 0) {
      slow = (slow as PairT).cdr;
      if (slow === p) return CIRCULAR;
    }
  }
  return p === NIL ? n : IMPROPER;
}

/**
 * The length of proper list X; otherwise an (exn type) error located at WHO, worded as
 * CHICKEN words it: `not a proper list`, or `not a non-cyclic list` for a circular one.
 */
export function properLength(x: unknown, who: string): number {
  const n = measure(x);
  if (n >= 0) return n;
  throw typeError(who, x, n === CIRCULAR ? 'non-cyclic list' : 'proper list');
}

/** `list?`, without building anything (prims' isList makes an array of the elements). */
export function isProperList(x: unknown): boolean {
  return measure(x) >= 0;
}

/** The elements of proper list X as an array (errors as `properLength`). */
export function listItems(x: unknown, who: string): unknown[] {
  const out = new Array<unknown>(properLength(x, who));
  let p = x;
  for (let i = 0; i < out.length; i++) {
    const pair = p as PairT;
    out[i] = pair.car;
    p = pair.cdr;
  }
  return out;
}

/** X as a fixnum, or an (exn type) error `bad argument type - not a fixnum`. */
export function fixnumArg(x: unknown, who: string): number {
  if (typeof x === 'number') return x;
  throw typeError(who, x, 'fixnum');
}

/**
 * Follows the cdrs of X, calling VISIT on each pair until it returns true; returns that pair,
 * or the non-pair that ends the list. A circular list raises at WHO.
 */
function walk(x: unknown, who: string, visit: (pair: PairT) => boolean): unknown {
  let p = x;
  let slow = x;
  let n = 0;
  while (p instanceof Pair) {
    if (visit(p)) return p;
    p = p.cdr;
    if ((++n & 1) === 0) {
      slow = (slow as PairT).cdr;
      if (slow === p) throw typeError(who, x, 'non-cyclic list');
    }
  }
  return p;
}

/** The last pair of X (a pair), raising at WHO on a circular list. */
function lastPairOf(x: PairT, who: string): PairT {
  let last = x;
  walk(x, who, (pair) => {
    last = pair;
    return false;
  });
  return last;
}

/**
 * A fresh copy of the first N pairs of X (which has at least N), ending in TAIL.
 * Built front to back by setting each new pair's cdr: no recursion, no reversing.
 */
function copyPrefix(x: unknown, n: number, tail: unknown): unknown {
  if (n === 0) return tail;
  let p = x as PairT;
  const head = new Pair(p.car, tail);
  let last = head;
  for (let i = 1; i < n; i++) {
    p = p.cdr as PairT;
    const next = new Pair(p.car, tail);
    last.cdr = next;
    last = next;
  }
  return head;
}

// ---------------------------------------------------------------------------------------------
// R5RS
// ---------------------------------------------------------------------------------------------

function append(...args: unknown[]): unknown {
  return appendArgs(args);
}

function appendArgs(args: unknown[]): unknown {
  if (args.length === 0) return NIL;
  // The last argument is shared, not copied (and may be any object).
  let result = args[args.length - 1];
  for (let i = args.length - 2; i >= 0; i--) {
    const l = args[i];
    result = copyPrefix(l, properLength(l, 'append'), result);
  }
  return result;
}

function reverse(l: unknown): unknown {
  properLength(l, 'reverse');
  let out: unknown = NIL;
  for (let p = l; p instanceof Pair; p = p.cdr) out = new Pair(p.car, out);
  return out;
}

/** The pair K cdrs down L (CHICKEN's checks: K a fixnum, L a list, K in range). */
function tailAt(l: unknown, k: unknown, who: string): unknown {
  if (typeof k !== 'number') throw typeError(who, k);
  if (!(l instanceof Pair) && l !== NIL) throw typeError(who, l);
  if (k < 0) throw boundsError(who, l, k);
  let p: unknown = l;
  for (let i = 0; i < k; i++) {
    if (!(p instanceof Pair)) throw boundsError(who, l, k);
    p = p.cdr;
  }
  return p;
}

function listTail(l: unknown, k: unknown): unknown {
  return tailAt(l, k, 'list-tail');
}

/** CHICKEN reports a short list as `(car) bad argument type: ()`; an index error reads better. */
function listRef(l: unknown, k: unknown): unknown {
  const p = tailAt(l, k, 'list-ref');
  if (p instanceof Pair) return p.car;
  throw boundsError('list-ref', l, k);
}

/**
 * memq / memv / member: the first pair whose car is SAME as X, or #f. Written out, not through
 * `walk` with a closure: these run once per element of every lookup.
 */
function mem(x: unknown, l: unknown, who: string, same: (a: unknown, b: unknown) => boolean): unknown {
  let p = l;
  let slow = l;
  let n = 0;
  while (p instanceof Pair) {
    if (same(x, p.car)) return p;
    p = p.cdr;
    if ((++n & 1) === 0) {
      slow = (slow as PairT).cdr;
      if (slow === p) throw typeError(who, l, 'non-cyclic list');
    }
  }
  if (p !== NIL) throw typeError(who, p);
  return false;
}

/** assq / assv / assoc: the first element whose car is SAME as X, or #f (written out as `mem`). */
function ass(x: unknown, l: unknown, who: string, same: (a: unknown, b: unknown) => boolean): unknown {
  let p = l;
  let slow = l;
  let n = 0;
  while (p instanceof Pair) {
    const entry = p.car;
    if (!(entry instanceof Pair)) throw typeError(who, entry);
    if (same(x, entry.car)) return entry;
    p = p.cdr;
    if ((++n & 1) === 0) {
      slow = (slow as PairT).cdr;
      if (slow === p) throw typeError(who, l, 'non-cyclic list');
    }
  }
  if (p !== NIL) throw typeError(who, p);
  return false;
}

const eq = (a: unknown, b: unknown): boolean => a === b;

// ---------------------------------------------------------------------------------------------
// CHICKEN (core and data-structures) and SRFI-1
// ---------------------------------------------------------------------------------------------

/** SRFI-1: the spine is copied, an improper tail kept; a non-pair is returned as it is. */
function listCopy(x: unknown): unknown {
  if (!(x instanceof Pair)) return x;
  let n = 0;
  const end = walk(x, 'list-copy', () => {
    n++;
    return false;
  });
  return copyPrefix(x, n, end);
}

function lastPair(x: unknown): unknown {
  if (!(x instanceof Pair)) throw typeError('last-pair', x, 'pair');
  return lastPairOf(x, 'last-pair');
}

function last(x: unknown): unknown {
  if (!(x instanceof Pair)) throw typeError('last', x, 'pair');
  return lastPairOf(x, 'last').car;
}

/** data-structures: all but the last pair's element (an improper tail is dropped too). */
function butlast(x: unknown): unknown {
  if (!(x instanceof Pair)) throw typeError('butlast', x, 'pair');
  let n = 0;
  walk(x, 'butlast', () => {
    n++;
    return false;
  });
  return copyPrefix(x, n - 1, NIL);
}

/** The first K elements of L, fresh. */
function listHead(l: unknown, k: unknown): unknown {
  if (typeof k !== 'number') throw typeError('list-head', k);
  if (k < 0) throw boundsError('list-head', l, k);
  let p = l;
  for (let i = 0; i < k; i++) {
    if (!(p instanceof Pair)) throw (p === NIL || i > 0 ? boundsError('list-head', l, k) : typeError('list-head', l));
    p = p.cdr;
  }
  return copyPrefix(l, k, NIL);
}

/**
 * data-structures: the elements of the arguments, proper sublists spliced in at any depth.
 * Improper lists are elements, as in CHICKEN (`(flatten '(1 (2 . 3)))` is `(1 (2 . 3))`).
 * Nesting goes on an explicit stack of the lists being walked.
 */
function flatten(...args: unknown[]): unknown {
  const out: unknown[] = [];
  const stack: unknown[] = [arrayToList(args)];
  while (stack.length > 0) {
    const p = stack.pop();
    if (!(p instanceof Pair)) continue;
    stack.push(p.cdr);
    const head = p.car;
    if (head === NIL || (head instanceof Pair && isProperList(head))) stack.push(head);
    else out.push(head);
  }
  return arrayToList(out);
}

/** data-structures: L cut into lists of N elements (the last one shorter, and shared). */
function chop(l: unknown, n: unknown): unknown {
  const size = fixnumArg(n, 'chop');
  if (size <= 0) throw schemeError('invalid numeric argument', [n], 'chop');
  let left = properLength(l, 'length'); // CHICKEN's chop blames length
  const chunks: unknown[] = [];
  let p = l;
  while (left >= size) {
    chunks.push(copyPrefix(p, size, NIL));
    for (let i = 0; i < size; i++) p = (p as PairT).cdr;
    left -= size;
  }
  if (left > 0) chunks.push(p);
  return arrayToList(chunks);
}

/** data-structures: X between the elements of L (the last pair of L is shared, as in CHICKEN). */
function intersperse(l: unknown, x: unknown): unknown {
  const n = properLength(l, 'intersperse');
  if (n < 2) return l;
  let p = l as PairT;
  const head = new Pair(p.car, NIL);
  let last: PairT = head;
  for (let i = 1; i < n - 1; i++) {
    p = p.cdr as PairT;
    const sep = new Pair(x, new Pair(p.car, NIL));
    last.cdr = sep;
    last = sep.cdr as PairT;
  }
  last.cdr = new Pair(x, p.cdr);
  return head;
}

/** data-structures: the elements of L whose flag in BL is true. */
function compress(bl: unknown, l: unknown): unknown {
  if (!(l instanceof Pair) && l !== NIL) throw typeError('compress', l, 'list');
  const out: unknown[] = [];
  let b = bl;
  let p: unknown = l;
  properLength(bl, 'compress');
  for (; b instanceof Pair; b = b.cdr) {
    if (!(p instanceof Pair)) throw typeError('compress', p, 'proper list');
    if (b.car !== false) out.push(p.car);
    p = p.cdr;
  }
  return arrayToList(out);
}

/**
 * SRFI-1: COUNT numbers from START by STEP, each START + i·STEP as CHICKEN's srfi-1 egg
 * computes them (the reference implementation's repeated subtraction makes
 * `(iota 10 0 0.1)` start at 1.4e-16).
 */
function iota(count: unknown, start: unknown = 0, step: unknown = 1): unknown {
  if (typeof count !== 'number') throw typeError('iota', count, 'fixnum');
  if (count < 0) throw schemeError('Negative step count', [count], 'iota');
  if (!N.isNumber(start)) throw typeError('iota', start, 'number');
  if (!N.isNumber(step)) throw typeError('iota', step, 'number');
  let out: unknown = NIL;
  for (let i = count - 1; i >= 0; i--) out = new Pair(N.add(start, N.mul(i, step)), out);
  return out;
}

/** SRFI-1 (CHICKEN's srfi-1 unit): FILL defaults to #f; a negative length gives (). */
function makeList(n: unknown, ...fill: unknown[]): unknown {
  if (typeof n !== 'number') throw typeError('make-list', n, 'fixnum');
  const x = fill.length > 0 ? fill[0] : false;
  let out: unknown = NIL;
  for (let i = 0; i < n; i++) out = new Pair(x, out);
  return out;
}

/** SRFI-1: (cons* 1 2 '(3)) is (1 2 3); the last argument is the tail. */
function consStar(first: unknown, ...rest: unknown[]): unknown {
  if (rest.length === 0) return first;
  return arrayToList([first, ...rest.slice(0, -1)], rest[rest.length - 1]);
}

/** SRFI-1: the lists linked together in place (the last argument is the tail, not copied). */
function appendBang(...args: unknown[]): unknown {
  let result: unknown = NIL;
  let lastPair: PairT | null = null;
  for (let i = 0; i < args.length; i++) {
    const l = args[i];
    if (i === args.length - 1) {
      if (lastPair === null) result = l;
      else lastPair.cdr = l;
    } else if (l instanceof Pair) {
      if (lastPair === null) result = l;
      else lastPair.cdr = l;
      lastPair = lastPairOf(l, 'append!');
    } else if (l !== NIL) {
      throw typeError('append!', l, 'proper list');
    }
  }
  return result;
}

/** SRFI-1: reverses L in place (its pairs are reused). */
function reverseBang(l: unknown): unknown {
  properLength(l, 'reverse!');
  let out: unknown = NIL;
  let p = l;
  while (p instanceof Pair) {
    const next = p.cdr;
    p.cdr = out;
    out = p;
    p = next;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const CXRS = ['caar', 'cadr', 'cdar', 'cddr', 'caaar', 'caadr', 'cadar', 'caddr', 'cdaar', 'cdadr', 'cddar', 'cdddr', 'cadddr', 'cddddr'];

export function installLists(engine: Engine): void {
  // The compiler inlines the commonest of these; the procedures are for other calls
  // (`(map car l)`, `(apply cons args)`).
  const cxrs: Record<string, readonly [(x: unknown) => unknown, number, number]> = {};
  for (const name of CXRS) cxrs[name] = [(x: unknown) => P.cxr(x, name.slice(1, -1), name), 1, 1];
  defineProcedures(engine, {
    car: [P.car, 1, 1],
    cdr: [P.cdr, 1, 1],
    cons: [P.cons, 2, 2],
    'set-car!': [P.setCar, 2, 2],
    'set-cdr!': [P.setCdr, 2, 2],
    ...cxrs,
    'pair?': [P.isPair, 1, 1],
    'null?': [P.isNull, 1, 1],
    'list?': [isProperList, 1, 1],
    list: [(...xs: unknown[]) => arrayToList(xs), 0, Infinity],
    length: [(l: unknown) => properLength(l, 'length'), 1, 1],
    append: [append, 0, Infinity],
    reverse: [reverse, 1, 1],
    'list-tail': [listTail, 2, 2],
    'list-ref': [listRef, 2, 2],
    memq: [(x: unknown, l: unknown) => mem(x, l, 'memq', eq), 2, 2],
    memv: [(x: unknown, l: unknown) => mem(x, l, 'memv', P.isEqv), 2, 2],
    '%member2': [(x: unknown, l: unknown) => mem(x, l, 'member', P.isEqual), 2, 2],
    assq: [(x: unknown, l: unknown) => ass(x, l, 'assq', eq), 2, 2],
    assv: [(x: unknown, l: unknown) => ass(x, l, 'assv', P.isEqv), 2, 2],
    '%assoc2': [(x: unknown, l: unknown) => ass(x, l, 'assoc', P.isEqual), 2, 2],
    'list-copy': [listCopy, 1, 1],
    'last-pair': [lastPair, 1, 1],
    last: [last, 1, 1],
    butlast: [butlast, 1, 1],
    'list-head': [listHead, 2, 2],
    flatten: [flatten, 0, Infinity],
    chop: [chop, 2, 2],
    intersperse: [intersperse, 2, 2],
    compress: [compress, 2, 2],
    iota: [iota, 1, 3],
    'make-list': [makeList, 1, 2],
    'cons*': [consStar, 1, Infinity],
    'append!': [appendBang, 0, Infinity],
    'reverse!': [reverseBang, 1, 1],
    // foldl, foldr, map, for-each … (scheme/library/base.scm) check their lists as CHICKEN's do.
    '%check-list': [(l: unknown, who: unknown, what?: unknown) => {
      if (!(l instanceof Pair) && l !== NIL) throw typeError(String(who), l, what === undefined ? 'list' : String(what));
    }, 2, 3],
    // map and for-each over several lists check each as csi does.
    '%check-lists': [(ls: unknown, who: unknown) => {
      for (let l = ls; l instanceof Pair; l = l.cdr) {
        if (!(l.car instanceof Pair) && l.car !== NIL) throw typeError(String(who), l.car, 'proper list');
      }
    }, 2, 2],
  });
  setArrayForm(engine.lookup('list'), (xs) => arrayToList(xs));
  setArrayForm(engine.lookup('append'), appendArgs);
}
