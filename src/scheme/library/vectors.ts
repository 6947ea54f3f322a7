/**
 * Vectors (JS arrays) and bytevectors (Uint8Array), under their R7RS names and CHICKEN 3's
 * SRFI-4 names (`u8vector-ref` …), plus CHICKEN's `subvector`, `vector-resize` and
 * `vector-copy!` (CHICKEN's argument order: source first).
 */
import type { Engine } from '../compiler/index.js';
import { NIL, Pair } from '../runtime/data.js';
import { typeError, boundsError, SchemeError } from '../runtime/errors.js';
import * as P from '../runtime/prims.js';
import { defineProcedures } from './define.js';
import { setArrayForm } from './control.js';
import { listItems, fixnumArg } from './lists.js';
import { range } from './strings.js';

/**
 * The largest sizes made. CHICKEN panics (out of memory) on a huge size; V8 would throw a
 * RangeError, or for an array near its limit (2^27) slow to a crawl in dictionary mode and
 * then abort the process, so a larger size is an (exn bounds) error instead.
 */
const MAX_VECTOR = 2 ** 26;
const MAX_BYTES = 2 ** 31;

function vectorArg(v: unknown, who: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw typeError(who, v, 'vector');
}

/** A size argument: a fixnum, not negative (CHICKEN: `(make-vector) size is negative`, kind exn), up to MAX. */
function sizeArg(k: unknown, who: string, max: number): number {
  const n = fixnumArg(k, who);
  if (n < 0) throw new SchemeError(['exn'], 'size is negative', [k], who);
  if (n > max) throw new SchemeError(['exn', 'bounds'], 'size exceeds maximum', [k], who);
  return n;
}

/** The elements [FROM, TO) of ITEMS as a list. */
function sliceToList(items: ArrayLike<unknown>, from: number, to: number): unknown {
  let out: unknown = NIL;
  for (let i = to - 1; i >= from; i--) out = new Pair(items[i], out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------------

function makeVector(k: unknown, fill?: unknown): unknown[] {
  return new Array<unknown>(sizeArg(k, 'make-vector', MAX_VECTOR)).fill(fill);
}

function vectorToList(v: unknown, start?: unknown, end?: unknown): unknown {
  const items = vectorArg(v, 'vector->list');
  const [from, to] = range(items.length, start, end, 'vector->list');
  return sliceToList(items, from, to);
}

function vectorFill(v: unknown, x: unknown, start?: unknown, end?: unknown): void {
  const items = vectorArg(v, 'vector-fill!');
  const [from, to] = range(items.length, start, end, 'vector-fill!');
  items.fill(x, from, to);
}

function vectorCopy(v: unknown, start?: unknown, end?: unknown): unknown[] {
  const items = vectorArg(v, 'vector-copy');
  const [from, to] = range(items.length, start, end, 'vector-copy');
  return items.slice(from, to);
}

/**
 * CHICKEN: (vector-copy! SOURCE DEST [COUNT]) copies COUNT elements (by default as many as
 * both have) from SOURCE's start to DEST's start.
 */
function vectorCopyBang(source: unknown, dest: unknown, count?: unknown): void {
  const from = vectorArg(source, 'vector-copy!');
  const to = vectorArg(dest, 'vector-copy!');
  const n = count === undefined ? Math.min(from.length, to.length) : fixnumArg(count, 'vector-copy!');
  if (n < 0 || n > from.length || n > to.length) {
    throw new SchemeError(['exn', 'bounds'], 'cannot copy vector - count exceeds length', [source, dest, count], 'vector-copy!');
  }
  for (let i = 0; i < n; i++) to[i] = from[i];
}

/** CHICKEN: (subvector V FROM [TO]). */
function subvector(v: unknown, start: unknown, end?: unknown): unknown[] {
  const items = vectorArg(v, 'subvector');
  const from = fixnumArg(start, 'subvector');
  const [, to] = range(items.length, from, end, 'subvector');
  return items.slice(from, to);
}

/** CHICKEN: (vector-resize V N [FILL]): a new vector of N elements, V's first, then FILL (#f). */
function vectorResize(v: unknown, k: unknown, ...fill: unknown[]): unknown[] {
  const items = vectorArg(v, 'vector-resize');
  const n = sizeArg(k, 'vector-resize', MAX_VECTOR);
  const out = items.slice(0, n);
  if (n > items.length) {
    out.length = n;
    out.fill(fill.length > 0 ? fill[0] : false, items.length);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bytevectors (u8vectors)
// ---------------------------------------------------------------------------------------------

function bytesArg(v: unknown, who: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  throw typeError(who, v);
}

/** A byte value: a fixnum 0–255 (a fixnum outside is `out of range`, as CHICKEN's make-u8vector says). */
function byteArg(x: unknown, who: string): number {
  if (typeof x !== 'number') throw typeError(who, x);
  if (x < 0 || x > 255) throw boundsError(who, x, 0, 256);
  return x;
}

function bytesIndex(v: Uint8Array, k: unknown, who: string): number {
  if (typeof k !== 'number') throw typeError(who, k);
  if (k < 0 || k >= v.length) throw boundsError(who, v, k);
  return k;
}

function makeBytes(who: string) {
  return (k: unknown, fill?: unknown): Uint8Array => {
    const bytes = new Uint8Array(sizeArg(k, who, MAX_BYTES));
    if (fill !== undefined) bytes.fill(byteArg(fill, who));
    return bytes;
  };
}

function bytes(who: string) {
  return (...xs: unknown[]): Uint8Array => Uint8Array.from(xs, (x) => byteArg(x, who));
}

function bytesRef(who: string) {
  return (v: unknown, k: unknown): number => {
    const b = bytesArg(v, who);
    return b[bytesIndex(b, k, who)] as number;
  };
}

function bytesSet(who: string) {
  return (v: unknown, k: unknown, x: unknown): void => {
    const b = bytesArg(v, who);
    b[bytesIndex(b, k, who)] = byteArg(x, who);
  };
}

function bytesToList(who: string) {
  return (v: unknown, start?: unknown, end?: unknown): unknown => {
    const b = bytesArg(v, who);
    const [from, to] = range(b.length, start, end, who);
    return sliceToList(b, from, to);
  };
}

function listToBytes(who: string) {
  return (l: unknown): Uint8Array => Uint8Array.from(listItems(l, who), (x) => byteArg(x, who));
}

function bytesCopy(who: string) {
  return (v: unknown, start?: unknown, end?: unknown): Uint8Array => {
    const b = bytesArg(v, who);
    const [from, to] = range(b.length, start, end, who);
    return b.slice(from, to);
  };
}

const isBytes = (x: unknown): boolean => x instanceof Uint8Array;

export function installVectors(engine: Engine): void {
  defineProcedures(engine, {
    'vector?': [P.isVector, 1, 1],
    'make-vector': [makeVector, 1, 2],
    vector: [(...xs: unknown[]) => xs, 0, Infinity],
    'vector-length': [P.vectorLength, 1, 1],
    'vector-ref': [P.vectorRef, 2, 2],
    'vector-set!': [P.vectorSet, 3, 3],
    'vector->list': [vectorToList, 1, 3],
    'list->vector': [(l: unknown) => listItems(l, 'list->vector'), 1, 1],
    'vector-fill!': [vectorFill, 2, 4],
    'vector-copy': [vectorCopy, 1, 3],
    'vector-copy!': [vectorCopyBang, 2, 3],
    subvector: [subvector, 2, 3],
    'vector-resize': [vectorResize, 2, 3],

    'bytevector?': [isBytes, 1, 1],
    'make-bytevector': [makeBytes('make-bytevector'), 1, 2],
    bytevector: [bytes('bytevector'), 0, Infinity],
    'bytevector-length': [(v: unknown) => bytesArg(v, 'bytevector-length').length, 1, 1],
    'bytevector-u8-ref': [bytesRef('bytevector-u8-ref'), 2, 2],
    'bytevector-u8-set!': [bytesSet('bytevector-u8-set!'), 3, 3],
    'bytevector-copy': [bytesCopy('bytevector-copy'), 1, 3],

    'u8vector?': [isBytes, 1, 1],
    'make-u8vector': [makeBytes('make-u8vector'), 1, 2],
    u8vector: [bytes('u8vector'), 0, Infinity],
    'u8vector-length': [(v: unknown) => bytesArg(v, 'u8vector-length').length, 1, 1],
    'u8vector-ref': [bytesRef('u8vector-ref'), 2, 2],
    'u8vector-set!': [bytesSet('u8vector-set!'), 3, 3],
    'u8vector->list': [bytesToList('u8vector->list'), 1, 3],
    'list->u8vector': [listToBytes('list->u8vector'), 1, 1],
    'subu8vector': [(v: unknown, start: unknown, end: unknown) => bytesCopy('subu8vector')(v, fixnumArg(start, 'subu8vector'), fixnumArg(end, 'subu8vector')), 3, 3],
  });
  setArrayForm(engine.lookup('vector'), (xs) => xs);
}
