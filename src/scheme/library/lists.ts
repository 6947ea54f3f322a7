/**
 * Pairs and lists: R5RS, CHICKEN's core and data-structures unit, and the first-order half of
 * SRFI-1 (constructors, predicates, selectors, take/drop, zip/unzip, append-reverse, … and the
 * equal? case of delete-duplicates); the half that takes procedures is scheme/library/srfi-1.scm.
 *
 * Every procedure is a loop: none recurses on the JS stack over a list's length, and each one
 * is linear, so lists of millions of elements are fine. A loop that follows cdrs also watches
 * for a cycle (Floyd: a second pointer at half speed), because a TypeScript loop cannot be
 * preempted: a circular list must raise an error, never hang the process.
 *
 * The higher-order procedures (map, for-each, member/assoc with a predicate in base.scm; fold,
 * filter, delete, the lset procedures … in srfi-1.scm) are written in Scheme so that the
 * procedures they call may suspend; `member` and `assoc` with two arguments come here as
 * `%member2` and `%assoc2`, and the `%` helpers near the end serve srfi-1.scm's loops.
 */
import type { Engine } from '../compiler/index.js';
import { Pair, NIL, arrayToList, makeValues, isSymbol, MString, Char, type PairT } from '../runtime/data.js';
import { typeError, boundsError, schemeError } from '../runtime/errors.js';
import * as P from '../runtime/prims.js';
import * as N from '../runtime/numbers.js';
import { defineProcedures } from './define.js';
import { setArrayForm } from './control.js';
import { charge } from '../runtime/control.js';

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

/** `list?`, without building anything. */
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

function appendArgs(args: unknown[], who = 'append'): unknown {
  if (args.length === 0) return NIL;
  // The last argument is shared, not copied (and may be any object).
  let result = args[args.length - 1];
  for (let i = args.length - 2; i >= 0; i--) {
    const l = args[i];
    result = copyPrefix(l, properLength(l, who), result);
  }
  return result;
}

function reverse(l: unknown, who = 'reverse'): unknown {
  properLength(l, who);
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
  return reverseOnto(l, NIL, 'reverse!');
}

/** The pairs of list REV reversed in place onto TAIL (WHO raises for an improper list). */
function reverseOnto(rev: unknown, tail: unknown, who: string): unknown {
  properLength(rev, who);
  let out = tail;
  let p = rev;
  while (p instanceof Pair) {
    const next = p.cdr;
    p.cdr = out;
    out = p;
    p = next;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SRFI-1: the first-order procedures (the ones taking procedures are in scheme/library/srfi-1.scm)
// ---------------------------------------------------------------------------------------------

/** A count argument: a fixnum (CHICKEN's check-exact), not negative. */
function countArg(k: unknown, x: unknown, who: string): number {
  if (typeof k !== 'number') throw typeError(who, k, 'fixnum');
  if (k < 0) throw boundsError(who, x, k);
  return k;
}

/**
 * The value K cdrs down X (any list: proper, dotted or circular). A list too short is
 * `(exn bounds)`; X itself not a list (with K > 0) is `(exn type)`. (The reference
 * implementation would fail in car or cdr, naming neither the procedure nor the count.)
 */
function tailAfter(x: unknown, k: number, who: string): unknown {
  let p = x;
  if (k > LONG_WALK) k = shortenOnCycle(x, k);
  for (let i = 0; i < k; i++) {
    if (!(p instanceof Pair)) throw (i === 0 && p !== NIL ? typeError(who, x, 'list') : boundsError(who, x, k));
    p = p.cdr;
  }
  return p;
}

/** Counts beyond this are checked for a circular list before walking (a TS loop cannot be preempted). */
const LONG_WALK = 1 << 20;

/** K, or for a circular X the smallest count reaching the same pair (K past the cycle's start, modulo its length). */
function shortenOnCycle(x: unknown, k: number): number {
  if (measure(x) !== CIRCULAR) return k;
  const seen = new Map<unknown, number>();
  let p = x;
  for (let i = 0; ; i++) {
    const start = seen.get(p);
    if (start !== undefined) return k < start ? k : start + ((k - start) % (i - start));
    seen.set(p, i);
    p = (p as PairT).cdr;
  }
}

/** The number of pairs of finite list X (a dotted end is fine); a circular X raises at WHO. */
function pairCount(x: unknown, who: string): number {
  let n = 0;
  walk(x, who, () => {
    n++;
    return false;
  });
  return n;
}

const xcons = (d: unknown, a: unknown): unknown => new Pair(a, d);

function circularList(first: unknown, ...rest: unknown[]): unknown {
  const head = new Pair(first, NIL);
  let last = head;
  for (const x of rest) {
    const next = new Pair(x, NIL);
    last.cdr = next;
    last = next;
  }
  last.cdr = head;
  return head;
}

/** CHICKEN's C_i_null_list_p: () is #t, a pair #f, anything else an error. */
function isNullList(x: unknown): boolean {
  if (x === NIL) return true;
  if (x instanceof Pair) return false;
  throw typeError('null-list?', x, 'list');
}

/** The reference implementation's length+: #f for a circular list; a dotted one counts its pairs. */
function lengthPlus(x: unknown): number | false {
  const n = measure(x);
  if (n !== IMPROPER) return n === CIRCULAR ? false : n;
  let count = 0;
  for (let p = x; p instanceof Pair; p = p.cdr) count++;
  return count;
}

/** first … tenth: element I of X (I counted from 0). */
function nth(x: unknown, i: number, who: string): unknown {
  if (!(x instanceof Pair)) throw typeError(who, x, 'pair');
  let p: unknown = x;
  for (let j = 0; j < i && p instanceof Pair; j++) p = p.cdr;
  if (p instanceof Pair) return p.car;
  throw boundsError(who, x, i + 1); // the position, as the name says it (tenth: 10)
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

function carCdr(x: unknown): unknown {
  if (!(x instanceof Pair)) throw typeError('car+cdr', x, 'pair');
  return makeValues([x.car, x.cdr]);
}

function take(x: unknown, k: unknown): unknown {
  const n = countArg(k, x, 'take');
  tailAfter(x, n, 'take');
  return copyPrefix(x, n, NIL);
}

function drop(x: unknown, k: unknown): unknown {
  return tailAfter(x, countArg(k, x, 'drop'), 'drop');
}

/** The pair before the first K elements' end, with the checks of `take` (K > 0). */
function pairBefore(x: unknown, k: number, who: string): PairT {
  tailAfter(x, k, who);
  return tailAfter(x, k - 1, who) as PairT;
}

function takeBang(x: unknown, k: unknown): unknown {
  const n = countArg(k, x, 'take!');
  if (n === 0) return NIL;
  pairBefore(x, n, 'take!').cdr = NIL;
  return x;
}

/** take-right and drop-right need a finite list: K counts from its end. */
function fromRight(x: unknown, k: unknown, who: string): number {
  const n = countArg(k, x, who);
  const len = pairCount(x, who);
  if (n > len) throw (x instanceof Pair || x === NIL ? boundsError(who, x, k) : typeError(who, x, 'list'));
  return len - n;
}

function takeRight(x: unknown, k: unknown): unknown {
  return tailAfter(x, fromRight(x, k, 'take-right'), 'take-right');
}

function dropRight(x: unknown, k: unknown): unknown {
  return copyPrefix(x, fromRight(x, k, 'drop-right'), NIL);
}

function dropRightBang(x: unknown, k: unknown): unknown {
  const keep = fromRight(x, k, 'drop-right!');
  if (keep === 0) return NIL;
  (tailAfter(x, keep - 1, 'drop-right!') as PairT).cdr = NIL;
  return x;
}

function splitAt(x: unknown, k: unknown): unknown {
  const n = countArg(k, x, 'split-at');
  const suffix = tailAfter(x, n, 'split-at');
  return makeValues([copyPrefix(x, n, NIL), suffix]);
}

function splitAtBang(x: unknown, k: unknown): unknown {
  const n = countArg(k, x, 'split-at!');
  if (n === 0) return makeValues([NIL, x]);
  const prev = pairBefore(x, n, 'split-at!');
  const suffix = prev.cdr;
  prev.cdr = NIL;
  return makeValues([x, suffix]);
}

/** SRFI-1: LISTS appended; the last one is shared, as by `append`. */
function concatenate(lists: unknown): unknown {
  return appendArgs(listItems(lists, 'concatenate'), 'concatenate');
}

function concatenateBang(lists: unknown): unknown {
  return appendBang(...listItems(lists, 'concatenate!'));
}

/** (append (reverse REV) TAIL), without the intermediate list. */
function appendReverse(rev: unknown, tail: unknown): unknown {
  properLength(rev, 'append-reverse');
  let out = tail;
  for (let p = rev; p instanceof Pair; p = p.cdr) out = new Pair(p.car, out);
  return out;
}

function appendReverseBang(rev: unknown, tail: unknown): unknown {
  return reverseOnto(rev, tail, 'append-reverse!');
}

/**
 * How many elements the lists LS have in common, for the procedures that walk several lists
 * in step and stop at the shortest (zip, and SRFI-1's "clist" arguments: circular lists are
 * fine as long as one is finite). A list that decides the length must end in ().
 */
function commonLength(ls: unknown[], who: string): number {
  let shortest = Infinity;
  let decider: unknown = NIL;
  for (const l of ls) {
    if (!(l instanceof Pair) && l !== NIL) throw typeError(who, l, 'list');
    const n = measure(l);
    const len = n === CIRCULAR ? Infinity : n === IMPROPER ? lengthPlus(l) as number : n;
    if (len < shortest) {
      shortest = len;
      decider = n === IMPROPER ? l : NIL;
    }
  }
  if (shortest === Infinity) throw typeError(who, ls[0], 'non-cyclic list');
  if (decider !== NIL) throw typeError(who, decider, 'proper list');
  return shortest;
}

function zip(...ls: unknown[]): unknown {
  const n = commonLength(ls, 'zip');
  const cursors = ls.slice();
  const rows = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<unknown>(cursors.length);
    for (let j = 0; j < cursors.length; j++) {
      const p = cursors[j] as PairT;
      row[j] = p.car;
      cursors[j] = p.cdr;
    }
    rows[i] = arrayToList(row);
  }
  charge(n >> 8);
  return arrayToList(rows);
}

/** unzip1 … unzip5: the first N elements of each element of L, as N lists (N values). */
function unzip(l: unknown, n: number, who: string): unknown {
  const items = listItems(l, who);
  const columns = Array.from({ length: n }, () => new Array<unknown>(items.length));
  items.forEach((item, i) => {
    let p = item;
    for (let j = 0; j < n; j++) {
      // Too short an element: out of range, as `list-ref` says it (the reference fails in cadr …).
      if (!(p instanceof Pair)) throw j === 0 && item !== NIL ? typeError(who, item, 'pair') : boundsError(who, item, j);
      columns[j]![i] = p.car;
      p = p.cdr;
    }
  });
  charge(items.length >> 8);
  return makeValues(columns.map((c) => arrayToList(c)));
}

function alistCons(key: unknown, datum: unknown, alist: unknown): unknown {
  return new Pair(new Pair(key, datum), alist);
}

/** A fresh spine and fresh entry pairs; keys and data are shared. */
function alistCopy(alist: unknown): unknown {
  return arrayToList(
    listItems(alist, 'alist-copy').map((entry) => {
      if (!(entry instanceof Pair)) throw typeError('alist-copy', entry, 'pair');
      return new Pair(entry.car, entry.cdr);
    }),
  );
}

/**
 * A Map key that is the same for two atoms exactly when they are `equal?` (fixnums, strings,
 * symbols, characters, booleans, ()), or null for the rest (pairs, vectors, flonums …), which
 * are compared one by one. No key can be equal? to a value without one, so both ways agree.
 */
function equalKey(x: unknown): unknown {
  if (typeof x === 'number' || typeof x === 'boolean' || x === NIL || x instanceof Char || isSymbol(x)) return x;
  if (typeof x === 'string') return `s${x}`;
  if (x instanceof MString) return `s${x.__string__}`;
  return null;
}

/**
 * delete-duplicates with equal?: the first of each run of equal elements, in order. Atoms
 * are looked up in a Map, so the common case is linear (the general case is quadratic in
 * the number of distinct non-atoms, as SRFI-1 says it may be).
 */
function keepFirsts(l: unknown, who: string): boolean[] {
  const items = listItems(l, who);
  const seen = new Set<unknown>();
  const others: unknown[] = [];
  const keep = items.map((x) => {
    const key = equalKey(x);
    if (key !== null) {
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }
    if (others.some((y) => P.isEqual(y, x))) return false;
    others.push(x);
    charge(others.length >> 8);
    return true;
  });
  charge(items.length >> 8);
  return keep;
}

function deleteDuplicates(l: unknown): unknown {
  const keep = keepFirsts(l, 'delete-duplicates');
  const out: unknown[] = [];
  let i = 0;
  for (let p = l; p instanceof Pair; p = p.cdr) if (keep[i++]) out.push(p.car);
  return arrayToList(out);
}

/** The kept pairs relinked in place. */
function deleteDuplicatesBang(l: unknown): unknown {
  const keep = keepFirsts(l, 'delete-duplicates!');
  let head: unknown = NIL;
  let last: PairT | null = null;
  let i = 0;
  for (let p = l; p instanceof Pair; p = p.cdr) {
    if (!keep[i++]) continue;
    if (last === null) head = p;
    else last.cdr = p;
    last = p;
  }
  if (last !== null) last.cdr = NIL;
  return head;
}

// Helpers for the n-ary cases of srfi-1.scm: LS is the list of the lists walked in step.

/** The end of a list a Scheme loop reached: () is fine, anything else an (exn type) at WHO. */
function checkEnd(x: unknown, who: unknown): undefined {
  if (x !== NIL) throw typeError(String(who), x, 'list');
  return undefined;
}

/** True when every list of LS is a pair; a list that ended must end in (). */
function everyPair(ls: unknown, who: unknown): boolean {
  let all = true;
  for (let l = ls; l instanceof Pair; l = l.cdr) {
    if (!(l.car instanceof Pair)) {
      checkEnd(l.car, who);
      all = false;
    }
  }
  return all;
}

/** The cars of the lists of LS followed by EXTRA (when given), or #f if one of them ended. */
function heads(ls: unknown, who: unknown, ...extra: unknown[]): unknown {
  if (!everyPair(ls, who)) return false;
  const out: unknown[] = [];
  for (let l = ls; l instanceof Pair; l = l.cdr) out.push((l.car as PairT).car);
  return arrayToList(out.concat(extra));
}

/** The cdrs of the lists of LS (all pairs: `heads` said so). */
function tails(ls: unknown): unknown {
  const out: unknown[] = [];
  for (let l = ls; l instanceof Pair; l = l.cdr) out.push((l.car as PairT).cdr);
  return arrayToList(out);
}

/** Appends the lists of REVERSED (a list of lists, last first): append-map's results. */
function appendReversed(reversed: unknown, who: unknown): unknown {
  const lists = listItems(reversed, String(who)).reverse();
  return who === 'append-map!' ? appendBang(...lists) : appendArgs(lists, String(who));
}

// ---------------------------------------------------------------------------------------------

const CXRS = ['caar', 'cadr', 'cdar', 'cddr', 'caaar', 'caadr', 'cadar', 'caddr', 'cdaar', 'cdadr', 'cddar', 'cdddr', 'cadddr', 'cddddr'];

export function installLists(engine: Engine): void {
  // The compiler inlines the commonest of these; the procedures are for other calls
  // (`(map car l)`, `(apply cons args)`).
  const cxrs: Record<string, readonly [(x: unknown) => unknown, number, number]> = {};
  for (const name of CXRS) cxrs[name] = [(x: unknown) => P.cxr(x, name.slice(1, -1), name), 1, 1];
  const ordinals: Record<string, readonly [(x: unknown) => unknown, number, number]> = {};
  ORDINALS.forEach((name, i) => {
    ordinals[name] = [(x: unknown) => nth(x, i, name), 1, 1];
  });
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
    reverse: [(l: unknown) => reverse(l), 1, 1],
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
    // SRFI-1
    xcons: [xcons, 2, 2],
    'circular-list': [circularList, 1, Infinity],
    'proper-list?': [isProperList, 1, 1],
    'circular-list?': [(x: unknown) => measure(x) === CIRCULAR, 1, 1],
    'dotted-list?': [(x: unknown) => measure(x) === IMPROPER, 1, 1],
    'not-pair?': [(x: unknown) => !(x instanceof Pair), 1, 1],
    'null-list?': [isNullList, 1, 1],
    ...ordinals,
    'car+cdr': [carCdr, 1, 1],
    take: [take, 2, 2],
    drop: [drop, 2, 2],
    'take-right': [takeRight, 2, 2],
    'drop-right': [dropRight, 2, 2],
    'take!': [takeBang, 2, 2],
    'drop-right!': [dropRightBang, 2, 2],
    'split-at': [splitAt, 2, 2],
    'split-at!': [splitAtBang, 2, 2],
    'length+': [lengthPlus, 1, 1],
    concatenate: [concatenate, 1, 1],
    'concatenate!': [concatenateBang, 1, 1],
    'append-reverse': [appendReverse, 2, 2],
    'append-reverse!': [appendReverseBang, 2, 2],
    zip: [zip, 1, Infinity],
    unzip1: [(l: unknown) => unzip(l, 1, 'unzip1'), 1, 1],
    unzip2: [(l: unknown) => unzip(l, 2, 'unzip2'), 1, 1],
    unzip3: [(l: unknown) => unzip(l, 3, 'unzip3'), 1, 1],
    unzip4: [(l: unknown) => unzip(l, 4, 'unzip4'), 1, 1],
    unzip5: [(l: unknown) => unzip(l, 5, 'unzip5'), 1, 1],
    'alist-cons': [alistCons, 3, 3],
    'alist-copy': [alistCopy, 1, 1],
    '%delete-duplicates': [deleteDuplicates, 1, 1],
    '%delete-duplicates!': [deleteDuplicatesBang, 1, 1],
    // What the loops of srfi-1.scm call once per list or once per step of several lists.
    '%check-end': [checkEnd, 2, 2],
    '%check-fixnum': [(x: unknown, who: unknown) => fixnumArg(x, String(who)), 2, 2],
    '%every-pair?': [everyPair, 2, 2],
    '%heads': [heads, 2, 2],
    '%heads+': [heads, 3, 3],
    '%tails': [tails, 1, 1],
    '%reverse': [(l: unknown, who: unknown) => reverse(l, String(who)), 2, 2],
    '%append-reversed': [appendReversed, 2, 2],
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
  setArrayForm(engine.lookup('append'), (xs) => appendArgs(xs));
  // base.scm defines an append-reverse! of its own (for merge); srfi-1.scm puts this one back.
  engine.define('%append-reverse!', engine.lookup('append-reverse!'));
}
