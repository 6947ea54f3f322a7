/**
 * CHICKEN 3's data-structures and extras units, their first-order part: queues, and `random`
 * with `randomize` over a generator that can be seeded. The procedures that call procedures
 * given to them (a-list tests, combinators, binary search, port walks) are in
 * scheme/library/data-structures.scm; the string and list helpers in strings.ts and lists.ts.
 */
import type { Engine } from '../compiler/index.js';
import { Flo, NIL, Pair, arrayToList, intern, type PairT } from '../runtime/data.js';
import { typeError, schemeError, SchemeError } from '../runtime/errors.js';
import { registerPrinter } from '../runtime/printer.js';
import { defineProcedures } from './define.js';
import { listItems } from './lists.js';

// ---------------------------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------------------------

/** CHICKEN's queue: its items as a list, with the last pair kept so adding is O(1). */
class Queue {
  constructor(
    public first: unknown,
    public last: PairT | null,
    public length: number,
  ) {}
}

registerPrinter(Queue, () => '#<queue>');

/** Q as a queue, or CHICKEN's complaint about a structure of the wrong type. */
function queueArg(q: unknown, who: string): Queue {
  if (q instanceof Queue) return q;
  throw new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [q, intern('queue')], who);
}

/** The first pair of a queue that must not be empty. */
function firstPair(q: Queue, who: string): PairT {
  if (q.first instanceof Pair) return q.first;
  throw schemeError('queue is empty', [q], who);
}

function queueAdd(q: unknown, x: unknown): void {
  const queue = queueArg(q, 'queue-add!');
  const pair = new Pair(x, NIL);
  if (queue.last === null) queue.first = pair;
  else queue.last.cdr = pair;
  queue.last = pair;
  queue.length++;
}

function queueRemove(q: unknown): unknown {
  const queue = queueArg(q, 'queue-remove!');
  const pair = firstPair(queue, 'queue-remove!');
  queue.first = pair.cdr;
  if (queue.first === NIL) queue.last = null;
  queue.length--;
  return pair.car;
}

/** LIST as a queue; it shares the list's pairs, as CHICKEN's does. */
function listToQueue(l: unknown): Queue {
  const n = listItems(l, 'list->queue').length;
  let last: PairT | null = null;
  for (let p = l; p instanceof Pair; p = p.cdr) last = p;
  return new Queue(l, last, n);
}

/** Puts ITEMS (an array) in front of the queue's items, the first of them first. */
function pushBack(queue: Queue, items: unknown[]): void {
  if (items.length === 0) return;
  const front = arrayToList(items, queue.first) as PairT;
  if (queue.last === null) {
    let p = front;
    while (p.cdr instanceof Pair) p = p.cdr;
    queue.last = p;
  }
  queue.first = front;
  queue.length += items.length;
}

// ---------------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------------

/**
 * A small seedable generator (mulberry32): `(randomize N)` must make the numbers that follow
 * the same on every run, which Math.random cannot.
 */
let state: number | null = null;

/** A seed of this process's own: taken at the first use, not at load (the start-up snapshot is loaded once for every run). */
function freshSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) >>> 0;
}

function next32(): number {
  state = ((state ?? freshSeed()) + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A float in [0, 1) with 53 random bits. */
function nextUnit(): number {
  return (next32() * 0x200000 + (next32() >>> 11)) / 0x20000000000000;
}

/** CHICKEN's (random N): a fixnum in [0, N) (a flonum for a flonum N); no N: a flonum in [0, 1). */
function random(n?: unknown): unknown {
  if (n === undefined) return new Flo(nextUnit());
  if (n instanceof Flo) return new Flo(nextUnit() * n.v);
  if (typeof n !== 'number' || n < 0) throw typeError('random', n, 'number');
  return n === 0 ? 0 : Math.floor(nextUnit() * n);
}

/** (randomize [SEED]): seeds the generator (with the time when no seed is given). */
function randomize(seed?: unknown): void {
  if (seed === undefined) {
    state = Date.now() >>> 0;
    return;
  }
  if (typeof seed !== 'number') throw typeError('randomize', seed, 'fixnum');
  state = seed >>> 0;
}

export function installDataStructures(engine: Engine): void {
  defineProcedures(engine, {
    'make-queue': [() => new Queue(NIL, null, 0), 0, 0],
    'queue?': [(x: unknown) => x instanceof Queue, 1, 1],
    'queue-empty?': [(q: unknown) => queueArg(q, 'queue-empty?').first === NIL, 1, 1],
    'queue-length': [(q: unknown) => queueArg(q, 'queue-length').length, 1, 1],
    'queue-first': [(q: unknown) => firstPair(queueArg(q, 'queue-first'), 'queue-first').car, 1, 1],
    'queue-last': [(q: unknown) => {
      const queue = queueArg(q, 'queue-last');
      firstPair(queue, 'queue-last');
      return (queue.last as PairT).car;
    }, 1, 1],
    'queue-add!': [queueAdd, 2, 2],
    'queue-remove!': [queueRemove, 1, 1],
    // A fresh list: changing the queue later does not change it.
    'queue->list': [(q: unknown) => arrayToList(listItems(queueArg(q, 'queue->list').first, 'queue->list')), 1, 1],
    'list->queue': [listToQueue, 1, 1],
    'queue-push-back!': [(q: unknown, x: unknown) => pushBack(queueArg(q, 'queue-push-back!'), [x]), 2, 2],
    'queue-push-back-list!': [(q: unknown, l: unknown) => pushBack(queueArg(q, 'queue-push-back-list!'), listItems(l, 'queue-push-back-list!')), 2, 2],
    random: [random, 0, 1],
    randomize: [randomize, 0, 1],
    '%check-vector': [(v: unknown, who: unknown) => {
      if (Array.isArray(v)) return v;
      throw typeError(String(who), v, 'vector');
    }, 2, 2],
  });
}
