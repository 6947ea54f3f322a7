/**
 * SRFI-69 hash tables with CHICKEN 3's names, arguments and results (the "Unit srfi-69" of the
 * CHICKEN 3 manual), and SRFI-69's hash functions.
 *
 * A table whose test is one of CHICKEN's own (`eq?`, `eqv?`, `equal?`, `string=?`,
 * `string-ci=?`, `=`) keeps its entries in a JS Map keyed by a primitive derived from the key
 * (the key itself, a string's bytes, a flonum's value …), so fixnum, symbol and string keys
 * cost one Map operation. Keys a primitive cannot stand for (pairs, vectors, bytevectors under
 * `equal?`) go to buckets keyed by a structural hash and compared with `equal?` here. A table
 * with a test of the program's own keeps every entry in buckets keyed by the hash the
 * program's (or the default) hash function gives; the calls of that test and hash function
 * are made by scheme/library/hash-tables.scm, which the `%ht-…` procedures here serve: those
 * answer CUSTOM for such a table, and the Scheme side takes over.
 *
 * An entry is a pair (KEY . VALUE), so Scheme code updates a value with `set-cdr!`. Iteration
 * goes over a snapshot of the entries: a walker may add or delete entries as it goes.
 */
import type { Engine } from '../compiler/index.js';
import { charge } from '../runtime/control.js';
import { Pair, NIL, EOF, Flo, Char, Keyword, MString, isSymbol, symbolName, isValues, intern, listToArray, type PairT } from '../runtime/data.js';
import { isEqual } from '../runtime/prims.js';
import { SchemeError, schemeError, typeError, boundsError } from '../runtime/errors.js';
import { registerPrinter } from '../runtime/printer.js';
import { defineProcedures, procedure } from './define.js';

/** How a table compares keys: CHICKEN's tests, or the program's own (`custom`). */
type Kind = 'eq' | 'eqv' | 'equal' | 'string' | 'string-ci' | 'number' | 'custom';

type Fn = (...args: unknown[]) => unknown;

/** CHICKEN 3's default bound of the hash functions (`hash-default-bound`). */
const HASH_BOUND = 536870912;
/** Hash values are kept below 2^48: exact in doubles, and CHICKEN's own below the default bound. */
const HASH_MOD = 2 ** 48;
/** CHICKEN 3's fixed hash values of some objects. */
const OTHER_HASH = 99;
const TRUE_HASH = 256;
const FALSE_HASH = 257;
const NULL_HASH = 258;
const EOF_HASH = 259;
const UNKNOWN_HASH = 262;
const FLONUM_MAGIC = 331804471;
/** How deep and how wide the structural hash looks into pairs and vectors. */
const MAX_DEPTH = 4;
const MAX_WIDTH = 16;

/** What a `%ht-…` procedure answers for a table whose test is the program's own. */
const CUSTOM = Object.freeze({ toString: () => '#<custom-hash-table>' });
/** The primitive of a key that has no primitive: it lives in a bucket. */
const STRUCT = Symbol('structural key');
const NO_ENTRIES: readonly PairT[] = Object.freeze([]);

export class HashTable {
  /** Entries by the primitive of their key. */
  readonly map = new Map<unknown, PairT>();
  /** Entries by hash value: keys without a primitive, and every key of a custom table. */
  readonly buckets = new Map<number, PairT[]>();
  count = 0;
  constructor(
    readonly kind: Kind,
    readonly test: unknown,
    readonly hash: unknown,
    readonly minLoad: number,
    readonly maxLoad: number,
    readonly weakKeys: boolean,
    readonly weakValues: boolean,
    /** A thunk giving the default value of `hash-table-update!`, or false. */
    readonly initial: unknown,
  ) {}

  /** The primitive standing for KEY under this table's test (STRUCT: none). */
  prim(key: unknown): unknown {
    switch (this.kind) {
      case 'eq':
        return key;
      case 'eqv':
        return key instanceof Flo ? floPrim(key) : key;
      case 'equal':
        return equalPrim(key);
      case 'string':
        return stringKey(key, 'string-hash');
      case 'string-ci':
        return asciiDown(stringKey(key, 'string-ci-hash'));
      case 'number':
        return numberPrim(key);
      default:
        return STRUCT;
    }
  }

  /** The entry of KEY (not for a custom table), or undefined. */
  entry(key: unknown): PairT | undefined {
    const p = this.prim(key);
    if (p !== STRUCT) return this.map.get(p);
    const bucket = this.buckets.get(structuralHash(key));
    if (bucket === undefined) return undefined;
    for (const e of bucket) if (isEqual(key, e.car)) return e;
    return undefined;
  }

  /** Sets KEY's value (not for a custom table). */
  put(key: unknown, value: unknown): void {
    const p = this.prim(key);
    if (p !== STRUCT) {
      const e = this.map.get(p);
      if (e !== undefined) e.cdr = value;
      else {
        this.map.set(p, new Pair(key, value));
        this.count++;
      }
      return;
    }
    const e = this.entry(key);
    if (e !== undefined) e.cdr = value;
    else this.addToBucket(structuralHash(key), key, value);
  }

  /** Deletes KEY's entry (not for a custom table); whether there was one. */
  remove(key: unknown): boolean {
    const p = this.prim(key);
    if (p !== STRUCT) {
      if (!this.map.delete(p)) return false;
      this.count--;
      return true;
    }
    const e = this.entry(key);
    return e !== undefined && this.removeFromBucket(structuralHash(key), e);
  }

  addToBucket(h: number, key: unknown, value: unknown): void {
    const bucket = this.buckets.get(h);
    const e = new Pair(key, value);
    if (bucket === undefined) this.buckets.set(h, [e]);
    else bucket.push(e);
    this.count++;
  }

  removeFromBucket(h: number, e: PairT): boolean {
    const bucket = this.buckets.get(h);
    const i = bucket === undefined ? -1 : bucket.indexOf(e);
    if (i < 0) return false;
    // A new array: a snapshot or a Scheme loop over the old one is not disturbed.
    const rest = bucket!.filter((_, j) => j !== i);
    if (rest.length === 0) this.buckets.delete(h);
    else this.buckets.set(h, rest);
    this.count--;
    return true;
  }

  /** The entries, as an array (a snapshot). */
  entries(): PairT[] {
    const out: PairT[] = [...this.map.values()];
    for (const bucket of this.buckets.values()) for (const e of bucket) out.push(e);
    charge(out.length >> 8);
    return out;
  }

  clear(): void {
    this.map.clear();
    this.buckets.clear();
    this.count = 0;
  }

  /** A table like this one with copies of its entries. */
  copy(): HashTable {
    const t = new HashTable(this.kind, this.test, this.hash, this.minLoad, this.maxLoad, this.weakKeys, this.weakValues, this.initial);
    for (const [p, e] of this.map) t.map.set(p, new Pair(e.car, e.cdr));
    for (const [h, bucket] of this.buckets) t.buckets.set(h, bucket.map((e) => new Pair(e.car, e.cdr)));
    t.count = this.count;
    charge(this.count >> 8);
    return t;
  }
}

registerPrinter(HashTable, () => '#<hash-table>');

// ---------------------------------------------------------------------------------------------
// Primitives of keys
// ---------------------------------------------------------------------------------------------

// Tags above 255 cannot begin a byte string, so these primitives never equal a string key's.
function floPrim(x: Flo): unknown {
  // NaN is not eqv? to itself (but a key is found by itself): the object stands for it.
  if (Number.isNaN(x.v)) return x;
  return Object.is(x.v, -0) ? '\u0100-0' : `\u0100${x.v}`;
}

function equalPrim(key: unknown): unknown {
  if (typeof key === 'number' || typeof key === 'string') return key;
  if (key instanceof MString) return key.__string__;
  if (key instanceof Flo) return floPrim(key);
  if (key instanceof Pair || Array.isArray(key) || key instanceof Uint8Array || isValues(key)) return STRUCT;
  return key;
}

function stringKey(key: unknown, who: string): string {
  if (typeof key === 'string') return key;
  if (key instanceof MString) return key.__string__;
  throw typeError(who, key, 'string');
}

function numberPrim(key: unknown): number {
  if (typeof key === 'number') return key;
  if (key instanceof Flo) return key.v;
  throw new SchemeError(['exn', 'type'], 'invalid number', [key], 'number-hash');
}

/** ASCII case folding, as CHICKEN's string-ci=? (bytes ≥ 128 are no letters). */
function asciiDown(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

// ---------------------------------------------------------------------------------------------
// Hash values
// ---------------------------------------------------------------------------------------------

/** CHICKEN 3's C_hash_string (key = key << 4 + byte), kept to 48 bits. */
function stringHash(s: string, ci = false): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    let b = s.charCodeAt(i);
    if (ci && b >= 65 && b <= 90) b += 32;
    h = (h * 16 + b) % HASH_MOD;
  }
  return h;
}

/** CHICKEN 3's flonum hash: the bytes weighted by position, times a magic number. */
function flonumHash(v: number): number {
  const bytes = new Uint8Array(new Float64Array([v]).buffer);
  let h = bytes[0]!;
  for (let i = 1; i < 8; i++) h = bytes[i]! + h * 2;
  return (h * FLONUM_MAGIC) % HASH_MOD;
}

/** Identity hashes of objects with no structure to hash (records, procedures, ports …). */
const ids = new WeakMap<object, number>();
let nextId = 1;
function identityHash(x: object): number {
  let id = ids.get(x);
  if (id === undefined) ids.set(x, (id = nextId++ * 2654435761 % HASH_MOD));
  return id;
}

function mix(h: number, x: number): number {
  return (h * 31 + x) % HASH_MOD;
}

/** The hash of an atom (anything that is no pair or vector), as `eqv?-hash` gives it. */
function atomHash(x: unknown): number {
  if (typeof x === 'number') return Math.abs(x) % HASH_MOD;
  if (typeof x === 'string') return stringHash(x);
  if (x instanceof MString) return stringHash(x.__string__);
  if (x instanceof Char) return x.code;
  if (x === true) return TRUE_HASH;
  if (x === false) return FALSE_HASH;
  if (x === NIL) return NULL_HASH;
  if (x === EOF) return EOF_HASH;
  if (x instanceof Flo) return flonumHash(x.v);
  if (isSymbol(x)) return stringHash(symbolName(x));
  if (x instanceof Keyword) return stringHash(x.name);
  if (x instanceof Uint8Array) {
    let h = 0;
    for (let i = 0; i < x.length; i++) h = (h * 16 + x[i]!) % HASH_MOD;
    return h;
  }
  if (x !== null && (typeof x === 'object' || typeof x === 'function')) return identityHash(x);
  return UNKNOWN_HASH;
}

/**
 * The hash `equal?` agrees with: atoms as `atomHash`, pairs and vectors by their first
 * elements up to MAX_DEPTH levels (as CHICKEN 3, which stops at 4; deeper parts count as 99).
 */
export function structuralHash(x: unknown, depth = 0): number {
  if (!(x instanceof Pair) && !Array.isArray(x)) return isValues(x) ? OTHER_HASH : atomHash(x);
  if (depth >= MAX_DEPTH) return OTHER_HASH;
  if (Array.isArray(x)) {
    let h = x.length + 1;
    const n = Math.min(x.length, MAX_WIDTH);
    for (let i = 0; i < n; i++) h = mix(h, structuralHash(x[i], depth + 1));
    return h;
  }
  let h = 7;
  let p: unknown = x;
  for (let i = 0; i < MAX_WIDTH && p instanceof Pair; i++, p = p.cdr) h = mix(h, structuralHash(p.car, depth + 1));
  return mix(h, p instanceof Pair ? OTHER_HASH : structuralHash(p, depth + 1));
}

/** CHICKEN's bound argument: an exact positive number (536870912 when missing). */
function boundArg(bound: unknown, who: string): number {
  if (bound === undefined) return HASH_BOUND;
  if (typeof bound !== 'number') throw new SchemeError(['exn', 'type'], 'bad argument type - not an exact number', [bound], who);
  if (bound <= 0) throw boundsError(who, bound);
  return bound;
}

/** A hash function of CHICKEN's: HASH's value of OBJ below BOUND. */
function hasher(who: string, hash: (x: unknown) => number, boundWho = who) {
  return (obj: unknown, bound?: unknown): number => hash(obj) % boundArg(bound, boundWho);
}

/** string-hash / string-ci-hash: (S [BOUND START END]). */
function stringHasher(who: string, ci: boolean) {
  return (s: unknown, bound?: unknown, start?: unknown, end?: unknown): number => {
    let text = stringKey(s, who);
    const b = boundArg(bound, who);
    if (start !== undefined) {
      const from = checkIndex(start, text.length, who);
      const to = end === undefined ? text.length : checkIndex(end, text.length, who);
      text = text.slice(from, to);
    }
    return stringHash(text, ci) % b;
  };
}

function checkIndex(i: unknown, len: number, who: string): number {
  if (typeof i !== 'number') throw typeError(who, i, 'fixnum');
  if (i < 0 || i > len) throw boundsError(who, i, 0, len);
  return i;
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

/** CHICKEN's error for an argument that is not a hash table. */
function notTable(who: string, x: unknown): SchemeError {
  return new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [x, intern('hash-table')], who);
}

function table(x: unknown, who: string): HashTable {
  if (x instanceof HashTable) return x;
  throw notTable(who, x);
}

function procArg(x: unknown, who: string): Fn {
  if (typeof x === 'function') return x as Fn;
  throw typeError(who, x, 'procedure');
}

/** A load factor: a flonum strictly between 0 and 1. */
function loadArg(x: unknown, what: string): number {
  if (!(x instanceof Flo)) throw new SchemeError(['exn', 'type'], 'bad argument type - not an inexact number', [x], 'make-hash-table');
  if (!(x.v > 0 && x.v < 1)) throw schemeError(`invalid ${what}`, [x], 'make-hash-table');
  return x.v;
}

function sizeArg(x: unknown): void {
  if (typeof x !== 'number') throw new SchemeError(['exn', 'type'], 'bad argument type - not an exact number', [x], 'make-hash-table');
  if (x <= 0) throw schemeError('invalid size', [x], 'make-hash-table');
}

interface TableOptions {
  test: unknown;
  hash: unknown;
  initial: unknown;
  minLoad: number;
  maxLoad: number;
  weakKeys: boolean;
  weakValues: boolean;
}

/**
 * make-hash-table's arguments as CHICKEN 3 takes them: up to three positional ones (TEST HASH
 * SIZE) up to the first keyword, then keywords (#:test #:hash #:size #:initial #:min-load
 * #:max-load #:weak-keys #:weak-values), which win.
 */
function tableOptions(args: unknown[], equal: unknown): TableOptions {
  const o: TableOptions = { test: equal, hash: false, initial: false, minLoad: 0.5, maxLoad: 0.8, weakKeys: false, weakValues: false };
  let i = 0;
  if (i < args.length && !(args[i] instanceof Keyword)) o.test = procArg(args[i++], 'make-hash-table');
  if (i < args.length && !(args[i] instanceof Keyword)) o.hash = procArg(args[i++], 'make-hash-table');
  if (i < args.length && !(args[i] instanceof Keyword)) sizeArg(args[i++]);
  for (; i < args.length; i += 2) {
    const k = args[i];
    if (!(k instanceof Keyword)) throw schemeError('missing keyword', [k, arrayList(args)], 'make-hash-table');
    if (i + 1 >= args.length) throw schemeError('missing keyword value', [k, arrayList(args)], 'make-hash-table');
    keywordOption(o, k, args[i + 1], args);
  }
  if (o.maxLoad < o.minLoad) throw schemeError('min-load greater than max-load', [new Flo(o.minLoad), new Flo(o.maxLoad)], 'make-hash-table');
  return o;
}

function keywordOption(o: TableOptions, k: Keyword, v: unknown, args: unknown[]): void {
  switch (k.name) {
    case 'test':
      o.test = procArg(v, 'make-hash-table');
      break;
    case 'hash':
      o.hash = procArg(v, 'make-hash-table');
      break;
    case 'size':
      sizeArg(v);
      break;
    case 'initial':
      o.initial = procedure('initial', () => v, [0, 0]);
      break;
    case 'min-load':
      o.minLoad = loadArg(v, 'min-load');
      break;
    case 'max-load':
      o.maxLoad = loadArg(v, 'max-load');
      break;
    case 'weak-keys':
      o.weakKeys = v !== false;
      break;
    case 'weak-values':
      o.weakValues = v !== false;
      break;
    default:
      throw schemeError('unknown keyword', [k, arrayList(args)], 'make-hash-table');
  }
}

function arrayList(items: readonly unknown[]): unknown {
  let out: unknown = NIL;
  for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
  return out;
}

function listOf(items: readonly unknown[], f: (e: PairT) => unknown): unknown {
  let out: unknown = NIL;
  for (let i = items.length - 1; i >= 0; i--) out = new Pair(f(items[i] as PairT), out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The procedures
// ---------------------------------------------------------------------------------------------

/** The names of CHICKEN's tests, with the kind of table each makes and the hash it goes with. */
const TESTS: ReadonlyArray<readonly [string, Kind, string]> = [
  ['eq?', 'eq', 'eq?-hash'],
  ['eqv?', 'eqv', 'eqv?-hash'],
  ['equal?', 'equal', 'equal?-hash'],
  ['string=?', 'string', 'string-hash'],
  ['string-ci=?', 'string-ci', 'string-ci-hash'],
  ['=', 'number', 'number-hash'],
];

/**
 * Recognises CHICKEN's tests among procedures: the procedures bound to their names when the
 * module is installed, and again when scheme/library/hash-tables.scm has loaded (the Scheme
 * part of the library loaded before it may define some anew). A program's own `equal?` is not
 * one of them: its tables call it.
 */
class TestKinds {
  private readonly kinds = new Map<unknown, readonly [Kind, string]>();
  constructor(private readonly engine: Engine) {
    this.learn();
  }
  learn(): void {
    for (const [name, kind, hash] of TESTS) {
      const f = this.engine.lookup(name);
      if (typeof f === 'function' && !this.kinds.has(f)) this.kinds.set(f, [kind, hash]);
    }
  }
  of(test: unknown): readonly [Kind, string] | undefined {
    return this.kinds.get(test);
  }
}

function tableProcedures(engine: Engine, kinds: TestKinds) {
  const makeTable = (...args: unknown[]): HashTable => {
    const equal = engine.lookup('equal?');
    const o = tableOptions(args, equal);
    const known = kinds.of(o.test);
    const kind: Kind = known === undefined ? 'custom' : known[0];
    // No hash given: the one that goes with the test (equal?-hash for a test of the program's own, as CHICKEN).
    const hash = o.hash !== false ? o.hash : engine.lookup(known === undefined ? 'equal?-hash' : known[1]);
    return new HashTable(kind, o.test, hash, o.minLoad, o.maxLoad, o.weakKeys, o.weakValues, o.initial);
  };
  return {
    'make-hash-table': [makeTable, 0, Infinity],
    'hash-table?': [(x: unknown) => x instanceof HashTable, 1, 1],
    'hash-table-size': [(t: unknown) => table(t, 'hash-table-size').count, 1, 1],
    // Not in CHICKEN 3's srfi-69: the number of entries, as other systems name it.
    'hash-table-count': [(t: unknown) => table(t, 'hash-table-count').count, 1, 1],
    'hash-table-equivalence-function': [(t: unknown) => table(t, 'hash-table-equivalence-function').test, 1, 1],
    'hash-table-hash-function': [(t: unknown) => table(t, 'hash-table-hash-function').hash, 1, 1],
    'hash-table-min-load': [(t: unknown) => new Flo(table(t, 'hash-table-min-load').minLoad), 1, 1],
    'hash-table-max-load': [(t: unknown) => new Flo(table(t, 'hash-table-max-load').maxLoad), 1, 1],
    'hash-table-weak-keys': [(t: unknown) => table(t, 'hash-table-weak-keys').weakKeys, 1, 1],
    'hash-table-weak-values': [(t: unknown) => table(t, 'hash-table-weak-values').weakValues, 1, 1],
    'hash-table-has-initial?': [(t: unknown) => table(t, 'hash-table-has-initial?').initial !== false, 1, 1],
    'hash-table-keys': [(t: unknown) => listOf(table(t, 'hash-table-keys').entries(), (e) => e.car), 1, 1],
    'hash-table-values': [(t: unknown) => listOf(table(t, 'hash-table-values').entries(), (e) => e.cdr), 1, 1],
    'hash-table->alist': [(t: unknown) => listOf(table(t, 'hash-table->alist').entries(), (e) => new Pair(e.car, e.cdr)), 1, 1],
    // SRFI-69's optional MUTABLE? is accepted; every table is mutable.
    'hash-table-copy': [(t: unknown, mutable?: unknown) => (void mutable, table(t, 'hash-table-copy').copy()), 1, 2],
    'hash-table-clear!': [(t: unknown) => table(t, 'hash-table-clear!').clear(), 1, 1],
  } as const;
}

/**
 * The procedures the Scheme part calls. Each answers CUSTOM for a table with a test of the
 * program's own; WHO names the public procedure in errors.
 */
const INTERNALS = {
  '%ht-ref': [(t: unknown, key: unknown, dflt: unknown) => {
    const ht = table(t, 'hash-table-ref/default');
    if (ht.kind === 'custom') return CUSTOM;
    const e = ht.entry(key);
    return e === undefined ? dflt : e.cdr;
  }, 3, 3],
  '%ht-set!': [(t: unknown, key: unknown, value: unknown) => {
    const ht = table(t, 'hash-table-set!');
    if (ht.kind === 'custom') return CUSTOM;
    ht.put(key, value);
    return undefined;
  }, 3, 3],
  '%ht-entry': [(t: unknown, key: unknown, who: unknown) => {
    const ht = table(t, whoName(who));
    if (ht.kind === 'custom') return CUSTOM;
    return ht.entry(key) ?? false;
  }, 3, 3],
  '%ht-delete!': [(t: unknown, key: unknown) => {
    const ht = table(t, 'hash-table-delete!');
    return ht.kind === 'custom' ? CUSTOM : ht.remove(key);
  }, 2, 2],
  // A custom table's parts.
  '%ht-test': [(t: unknown) => (t as HashTable).test, 1, 1],
  '%ht-hash': [(t: unknown) => (t as HashTable).hash, 1, 1],
  '%ht-initial': [(t: unknown) => (t as HashTable).initial, 1, 1],
  '%ht-bucket': [(t: unknown, h: unknown) => (t as HashTable).buckets.get(hashValue(h)) ?? NO_ENTRIES, 2, 2],
  '%ht-bucket-add!': [(t: unknown, h: unknown, key: unknown, value: unknown) => (t as HashTable).addToBucket(hashValue(h), key, value), 4, 4],
  '%ht-bucket-remove!': [(t: unknown, h: unknown, e: unknown) => (t as HashTable).removeFromBucket(hashValue(h), e as PairT), 3, 3],
  /** A snapshot of the entries (the table's own pairs: not for the program's hands). */
  '%ht-entries': [(t: unknown, who: unknown) => arrayList(table(t, whoName(who)).entries()), 2, 2],
  '%ht-missing': [(who: unknown, key: unknown, t: unknown) => {
    throw new SchemeError(['exn', 'access'], 'hash-table does not contain key', [key, t], whoName(who));
  }, 3, 3],
  '%ht-check': [(t: unknown, who: unknown) => (table(t, whoName(who)), undefined), 2, 2],
  '%ht-check-procedure': [(f: unknown, who: unknown) => (procArg(f, whoName(who)), undefined), 2, 2],
  '%ht-alist': [(x: unknown) => {
    const items = listToArray(x);
    if (items === null) throw typeError('alist->hash-table', x, 'list');
    for (const e of items) if (!(e instanceof Pair)) throw typeError('alist->hash-table', e, 'pair');
    return undefined;
  }, 1, 1],
  '%ht-custom': CUSTOM,
  '%ht-bound': HASH_BOUND,
} as const;

function whoName(who: unknown): string {
  return isSymbol(who) ? symbolName(who) : String(who);
}

/** A custom hash function's value as a bucket key. */
function hashValue(h: unknown): number {
  if (typeof h === 'number') return h;
  if (h instanceof Flo) return h.v;
  throw typeError('hash-table-hash-function', h, 'fixnum');
}

const HASHES = {
  hash: [hasher('hash', structuralHash), 1, 2],
  'equal?-hash': [hasher('equal?-hash', structuralHash, 'hash'), 1, 2],
  // As CHICKEN 3: an object that is no atom is hashed by its contents by these too (objects
  // eq? or eqv? to each other are equal?, so they agree).
  'eqv?-hash': [hasher('eqv?-hash', structuralHash), 1, 2],
  'eq?-hash': [hasher('eq?-hash', structuralHash), 1, 2],
  'hash-by-identity': [hasher('eq?-hash', structuralHash), 1, 2],
  'object-uid-hash': [hasher('object-uid-hash', structuralHash), 1, 2],
  'number-hash': [hasher('number-hash', (x) => {
    const v = numberPrim(x);
    return x instanceof Flo ? flonumHash(v) : Math.abs(v) % HASH_MOD;
  }), 1, 2],
  'symbol-hash': [hasher('symbol-hash', (x) => {
    if (!isSymbol(x)) throw typeError('symbol-hash', x, 'symbol');
    return stringHash(symbolName(x));
  }), 1, 2],
  'keyword-hash': [hasher('keyword-hash', (x) => {
    if (!(x instanceof Keyword)) throw typeError('keyword-hash', x, 'keyword');
    return stringHash(x.name);
  }), 1, 2],
  'string-hash': [stringHasher('string-hash', false), 1, 4],
  'string-ci-hash': [stringHasher('string-ci-hash', true), 1, 4],
  'string-hash-ci': [stringHasher('string-ci-hash', true), 1, 4],
} as const;

export function installHashTables(engine: Engine): void {
  const kinds = new TestKinds(engine);
  defineProcedures(engine, HASHES);
  defineProcedures(engine, tableProcedures(engine, kinds));
  defineProcedures(engine, { '%ht-learn-tests!': [() => kinds.learn(), 0, 0] });
  for (const [name, spec] of Object.entries(INTERNALS)) {
    if (Array.isArray(spec)) defineProcedures(engine, { [name]: spec as unknown as readonly [Fn, number, number] });
    else engine.define(name, spec);
  }
}
