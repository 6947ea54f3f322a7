/**
 * The vector and bytevector procedures (src/scheme/library/vectors.ts) through the engine. Each case is Scheme
 * source and what csi shows for it: the `write` text of the value, or the condition as
 * `ERR (kinds) (location) message (arguments)`. The first table was produced by CHICKEN 5's
 * csi; the second holds procedures csi 5 lacks (R7RS's) and the
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

/** Checked against csi 5 (SRFI-4's u8vectors imported). */
const CSI: Array<[string, string]> = [
  ['(vector? (vector))', '#t'],
  ['(vector? (list))', '#f'],
  ['(make-vector 3 0)', '#(0 0 0)'],
  ['(make-vector 0)', '#()'],
  ['(make-vector 2)', '#(#<unspecified> #<unspecified>)'],
  ['(make-vector -1)', 'ERR (exn) (make-vector) size is negative (-1)'],
  ['(make-vector 1.5)', 'ERR (exn type) (make-vector) bad argument type - not a fixnum (1.5)'],
  ['(vector 1 2)', '#(1 2)'],
  ['(vector)', '#()'],
  ['(vector-length (vector 1 2 3))', '3'],
  ['(vector-length 5)', 'ERR (exn type) (vector-length) bad argument type (5)'],
  ['(vector-ref (vector 1 2) 1)', '2'],
  ['(vector-ref (vector 1 2) 2)', 'ERR (exn bounds) (vector-ref) out of range (#(1 2) 2)'],
  ['(vector-ref 5 0)', 'ERR (exn type) (vector-ref) bad argument type (5)'],
  ['(let ((v (vector 1 2))) (vector-set! v 0 9) v)', '#(9 2)'],
  ['(vector-set! (vector) 0 1)', 'ERR (exn bounds) (vector-set!) out of range (#() 0)'],
  ['(vector->list (vector 1 2 3))', '(1 2 3)'],
  ['(vector->list (vector))', '()'],
  ['(vector->list 5)', 'ERR (exn type) (vector->list) bad argument type - not a vector (5)'],
  ['(list->vector (list 1 2))', '#(1 2)'],
  ['(list->vector (quote ()))', '#()'],
  ['(list->vector (quote (1 . 2)))', 'ERR (exn type) (list->vector) bad argument type - not a proper list ((1 . 2))'],
  ['(list->vector 5)', 'ERR (exn type) (list->vector) bad argument type - not a proper list (5)'],
  ['(let ((v (vector 1 2 3))) (vector-fill! v 0) v)', '#(0 0 0)'],
  ['(vector-fill! 5 0)', 'ERR (exn type) (vector-fill!) bad argument type - not a vector (5)'],
  ['(subvector (vector 1 2 3 4) 1 3)', '#(2 3)'],
  ['(subvector (vector 1 2 3 4) 1)', '#(2 3 4)'],
  ['(subvector (vector 1 2 3 4) 0 0)', '#()'],
  ['(subvector (vector 1 2 3 4) 4)', '#()'],
  ['(vector-resize (vector 1 2) 4)', '#(1 2 #f #f)'],
  ['(vector-resize (vector 1 2) 4 0)', '#(1 2 0 0)'],
  ['(vector-resize (vector 1 2 3) 1)', '#(1)'],
  ['(vector-resize 5 1)', 'ERR (exn type) (vector-resize) bad argument type - not a vector (5)'],
  ['(let ((v (vector 0 0 0))) (vector-copy! (vector 1 2) v) v)', '#(1 2 0)'],
  ['(let ((v (vector 0 0 0))) (vector-copy! (vector 1 2 3) v 1) v)', '#(1 0 0)'],
  ['(vector-copy! (vector 1 2 3) (vector 0))', '#<unspecified>'],
  ['(make-u8vector 3 1)', '#u8(1 1 1)'],
  ['(make-u8vector 0)', '#u8()'],
  ['(make-u8vector 3 256)', 'ERR (exn bounds) (make-u8vector) out of range (256 0 256)'],
  ['(make-u8vector -1)', 'ERR (exn) (make-u8vector) size is negative (-1)'],
  ['(u8vector 1 2 255)', '#u8(1 2 255)'],
  ['(u8vector)', '#u8()'],
  ['(u8vector-ref (u8vector 1 2) 1)', '2'],
  ['(u8vector-ref (u8vector 1 2) 2)', 'ERR (exn bounds) (u8vector-ref) out of range (#u8(1 2) 2)'],
  ['(u8vector-ref 5 0)', 'ERR (exn type) (u8vector-ref) bad argument type (5)'],
  ['(let ((v (u8vector 1 2))) (u8vector-set! v 0 7) v)', '#u8(7 2)'],
  ['(u8vector-set! (u8vector 1 2) 0 1.0)', 'ERR (exn type) (u8vector-set!) bad argument type (1.0)'],
  ['(u8vector->list (u8vector 1 2))', '(1 2)'],
  ['(list->u8vector (list 1 2))', '#u8(1 2)'],
  ['(u8vector-length (u8vector 1 2 3))', '3'],
  ['(u8vector-length 5)', 'ERR (exn type) (u8vector-length) bad argument type (5)'],
  ['(u8vector? (u8vector))', '#t'],
  ['(u8vector? (vector))', '#f'],
  ['(subu8vector (u8vector 1 2 3 4) 1 3)', '#u8(2 3)'],
];

/** Not in csi 5's core, or deliberately different from csi 5. */
const OURS: Array<[string, string]> = [
  // The compiler's inline vector-ref (runtime/prims.ts) says what it wanted; csi says `bad argument type`.
  ['(vector-ref (vector 1) 0.0)', 'ERR (exn type) (vector-ref) bad argument type - not a fixnum (0.0)'],
  // csi blames u8vector (`not a list`) and u8vector-set! for a bad element.
  ['(list->u8vector 5)', 'ERR (exn type) (list->u8vector) bad argument type - not a proper list (5)'],
  // csi: `(make-vector) size is negative: -2` and `(subvector) out of range: 9 0 5`.
  ['(subvector (vector 1 2 3 4) 3 1)', 'ERR (exn bounds) (subvector) out of range (3 1)'],
  ['(subvector (vector 1 2 3 4) 1 9)', 'ERR (exn bounds) (subvector) out of range (1 9)'],
  // csi panics (out of memory) on a huge size; V8 would crawl, then abort the process.
  ['(make-vector 100000000)', 'ERR (exn bounds) (make-vector) size exceeds maximum (100000000)'],
  // R7RS's optional ranges and vector-copy.
  ['(vector->list (vector 1 2 3) 1)', '(2 3)'],
  ['(vector->list (vector 1 2 3) 1 2)', '(2)'],
  ['(vector->list (vector 1 2 3) 2 1)', 'ERR (exn bounds) (vector->list) out of range (2 1)'],
  ['(vector->list (vector 1 2 3) 4)', 'ERR (exn bounds) (vector->list) out of range (4 3)'],
  ['(vector-copy (vector 1 2 3))', '#(1 2 3)'],
  ['(vector-copy (vector 1 2 3) 1)', '#(2 3)'],
  ['(vector-copy (vector 1 2 3) 1 2)', '#(2)'],
  ['(let* ((v (vector 1 2)) (w (vector-copy v))) (vector-set! w 0 9) (list v w))', '(#(1 2) #(9 2))'],
  ['(let ((v (vector 1 2 3))) (vector-fill! v 0 1) v)', '#(1 0 0)'],
  ['(let ((v (vector 1 2 3))) (vector-fill! v 0 1 2) v)', '#(1 0 3)'],
  ['(vector-resize (vector 1 2) -1)', 'ERR (exn) (vector-resize) size is negative (-1)'],
  // csi leaves the bytes of (make-u8vector 2) uninitialised and crashes on a byte out of range.
  ['(make-u8vector 2)', '#u8(0 0)'],
  ['(make-u8vector 2 1.5)', 'ERR (exn type) (make-u8vector) bad argument type (1.5)'],
  ['(u8vector 1 2 300)', 'ERR (exn bounds) (u8vector) out of range (300 0 256)'],
  ['(u8vector 1 -1)', 'ERR (exn bounds) (u8vector) out of range (-1 0 256)'],
  ['(u8vector-set! (u8vector 1 2) 0 256)', 'ERR (exn bounds) (u8vector-set!) out of range (256 0 256)'],
  ['(u8vector-set! (u8vector 1 2) 0 -1)', 'ERR (exn bounds) (u8vector-set!) out of range (-1 0 256)'],
  ['(u8vector-set! (u8vector 1 2) 2 0)', 'ERR (exn bounds) (u8vector-set!) out of range (#u8(1 2) 2)'],
  ['(u8vector->list (u8vector 1 2 3) 1 2)', '(2)'],
  ['(list->u8vector (list 1 (quote a)))', 'ERR (exn type) (list->u8vector) bad argument type (a)'],
  ['(list->u8vector (list 1 256))', 'ERR (exn bounds) (list->u8vector) out of range (256 0 256)'],
  // R7RS's names for the same objects.
  ['(bytevector 1 2 3)', '#u8(1 2 3)'],
  ['(bytevector)', '#u8()'],
  ['(bytevector? (bytevector))', '#t'],
  ['(bytevector? (vector))', '#f'],
  ['(make-bytevector 2 7)', '#u8(7 7)'],
  ['(make-bytevector -1)', 'ERR (exn) (make-bytevector) size is negative (-1)'],
  ['(bytevector-u8-ref (bytevector 1 2) 1)', '2'],
  ['(bytevector-u8-ref (bytevector 1 2) 2)', 'ERR (exn bounds) (bytevector-u8-ref) out of range (#u8(1 2) 2)'],
  ['(bytevector-u8-ref (vector 1 2) 0)', 'ERR (exn type) (bytevector-u8-ref) bad argument type (#(1 2))'],
  ['(let ((b (bytevector 1 2))) (bytevector-u8-set! b 1 255) b)', '#u8(1 255)'],
  ['(bytevector-u8-set! (bytevector 1 2) 1 256)', 'ERR (exn bounds) (bytevector-u8-set!) out of range (256 0 256)'],
  ['(bytevector-length (bytevector 1 2))', '2'],
  ['(bytevector-length "ab")', 'ERR (exn type) (bytevector-length) bad argument type ("ab")'],
  ['(bytevector-copy (bytevector 1 2 3))', '#u8(1 2 3)'],
  ['(bytevector-copy (bytevector 1 2 3) 1)', '#u8(2 3)'],
  ['(bytevector-copy (bytevector 1 2 3) 1 2)', '#u8(2)'],
  ['(bytevector 1 (quote a))', 'ERR (exn type) (bytevector) bad argument type (a)'],
  ['(equal? (bytevector 1 2) (u8vector 1 2))', '#t'],
];

describe('vectors: against csi', () => {
  it.each(CSI)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('vectors: R7RS and our differences', () => {
  it.each(OURS)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('vectors: conditions', () => {
  it('raises (exn bounds) for an index out of range', async () => {
    const e = await failure('(u8vector-ref (u8vector 1 2) 2)');
    expect(e.kinds).toEqual(['exn', 'bounds']);
    expect(e.location).toBe('u8vector-ref');
    expect(e.message).toBe('out of range');
  });

  it('raises (exn type) for a list that is not proper', async () => {
    const e = await failure("(list->vector '(1 2 . 3))");
    expect(e.kinds).toEqual(['exn', 'type']);
    expect(e.location).toBe('list->vector');
    expect(e.message).toBe('bad argument type - not a proper list');
  });
});

describe('vectors: a million elements', () => {
  const N = 1_000_000;

  it('converts between lists and vectors in loops', async () => {
    expect(await show(`(vector-length (list->vector (iota ${N})))`)).toBe(String(N));
    expect(await show(`(length (vector->list (make-vector ${N} 0)))`)).toBe(String(N));
    expect(await show(`(vector-ref (list->vector (vector->list (list->vector (iota ${N})))) ${N - 1})`)).toBe(String(N - 1));
    expect(await show(`(u8vector-length (list->u8vector (make-list ${N} 7)))`)).toBe(String(N));
    expect(await show(`(length (u8vector->list (make-u8vector ${N} 7)))`)).toBe(String(N));
    expect(await show(`(vector-length (vector-resize (make-vector ${N} 0) ${2 * N}))`)).toBe(String(2 * N));
  });
});
