/**
 * CHICKEN 3's data-structures, extras and utils units through the engine
 * (src/scheme/library/data-structures.ts and scheme/library/data-structures.scm, with the
 * helpers of strings.ts, lists.ts and base.scm they complete). Each case is Scheme source and
 * the `write` text of its value, or its condition as `ERR (kinds) (location) message (arguments)`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { showResult, engineWithWait } from './support.js';

let engine: Engine;

beforeAll(async () => {
  engine = await engineWithWait();
}, 30_000);

const show = (src: string): Promise<string> => showResult(engine, src);

/** Produced by CHICKEN 5's csi (chicken.base, chicken.string and chicken.sort have these). */
const CSI: Array<[string, string]> = [
  ["(alist-ref 'b '((a . 1) (b . 2)))", '2'],
  ["(alist-ref 'z '((a . 1)))", '#f'],
  ["(alist-ref 'z '((a . 1)) eq? 'none)", 'none'],
  ['(alist-ref "c" (list (cons "c" 3)) equal?)', '3'],
  ["(alist-ref 2 '((1 . one) (2 . two)) (lambda (k x) (= k x)))", 'two'],
  ["(let* ((al (list (cons 'a 1) (cons 'b 2))) (new (alist-update! 'b 20 al))) (list new (eq? al new)))", '(((a . 1) (b . 20)) #t)'],
  ["(alist-update! 'c 3 (list (cons 'a 1)))", '((c . 3) (a . 1))'],
  ['(alist-update! "k" \'v (list (cons "k" 0)) equal?)', '(("k" . v))'],
  ["(alist-update 'c 5 '((a . 1)))", '((a . 1) (c . 5))'],
  ["((list-of? symbol?) '(a b))", '#t'],
  ["((list-of? symbol?) '(a 1))", '#f'],
  ["(sort '(3 1 2) <)", '(1 2 3)'],
  ["(sort '#(3 1 2) <)", '#(1 2 3)'],
  ["(sort '((1 . a) (0 . b) (1 . c) (0 . d)) (lambda (x y) (< (car x) (car y))))", '((0 . b) (0 . d) (1 . a) (1 . c))'],
  ['(let ((v (vector 5 3 9 1))) (sort! v <) v)', '#(1 3 5 9)'],
  ["(list (sorted? '(1 2 2 3) <) (sorted? '#(2 1) <) (sorted? '() <))", '(#t #f #t)'],
  ["(merge '(1 3 5) '(2 4 6) <)", '(1 2 3 4 5 6)'],
  ['(merge! (list 1 4) (list 2 3 5) <)', '(1 2 3 4 5)'],
  ['(sort 5 <)', 'ERR (exn type) (append) bad argument type - not a proper list (5)'],
  ["(chop '(1 2 3 4 5) 2)", '((1 2) (3 4) (5))'],
  ["(chop '(1 2) 0)", 'ERR (exn) (chop) invalid numeric argument (0)'],
  ["(butlast '())", 'ERR (exn type) (butlast) bad argument type - not a pair (())'],
  ["(flatten '(1 (2 (3 4)) () 5))", '(1 2 3 4 5)'],
  ["(compress '(#f 1 #f 2) '(a b c d))", '(b d)'],
  ['(string-split "a,b,,c" "," #t)', '("a" "b" "" "c")'],
  ['(conc "a" 1 #\\b \'sym 2.5)', '"a1bsym2.5"'],
];

/**
 * csi 5 lacks these (noop, project, shuffle, queues, binary-search, list-of moved to eggs or
 * went): the expected values are the CHICKEN 3 manual's (Unit data-structures) and its source.
 */
const CHICKEN3: Array<[string, string]> = [
  ["((list-of number?) '(1 2))", '#t'],
  ["((list-of number?) '(1 . 2))", '#f'],
  ['(noop 1 2 3)', '#<unspecified>'],
  ['((project 1) \'a \'b \'c)', 'b'],
  ['((project 0))', 'ERR (exn bounds) (list-ref) out of range (() 0)'],
  ["(sort (shuffle '(1 2 3 4 5) random) <)", '(1 2 3 4 5)'],
  ["(shuffle '(a b c) (lambda (n) 0))", '(a b c)'],
  ["(binary-search '#(1 3 5 7) (lambda (x) (- 5 x)))", '2'],
  ["(binary-search '(1 3 5 7) (lambda (x) (- 1 x)))", '0'],
  ["(binary-search '#(1 3 5 7) (lambda (x) (- 4 x)))", '#f'],
  ["(binary-search '#() (lambda (x) 0))", '#f'],
  ['(binary-search 5 (lambda (x) 0))', 'ERR (exn type) (binary-search) bad argument type - not a vector (5)'],
  // Queues: first in, first out; push-back puts items in front.
  ['(let ((q (make-queue))) (list (queue? q) (queue-empty? q) (queue-length q) (queue? 5)))', '(#t #t 0 #f)'],
  ["(let ((q (make-queue))) (queue-add! q 'a) (queue-add! q 'b) (list (queue-first q) (queue-last q) (queue-length q) (queue->list q)))", '(a b 2 (a b))'],
  ["(let ((q (list->queue (list 1 2 3)))) (list (queue-remove! q) (queue-remove! q) (queue->list q) (queue-last q)))", '(1 2 (3) 3)'],
  ["(let ((q (list->queue (list 1)))) (queue-remove! q) (queue-add! q 9) (list (queue-first q) (queue-last q) (queue-empty? q)))", '(9 9 #f)'],
  ["(let ((q (make-queue))) (queue-push-back! q 'x) (queue-push-back-list! q '(a b)) (queue-add! q 'z) (list (queue->list q) (queue-length q) (queue-last q)))", '((a b x z) 4 z)'],
  ["(let ((q (make-queue))) (queue-push-back-list! q '(1 2)) (list (queue-last q) (queue-remove! q)))", '(2 1)'],
  ["(let* ((q (list->queue (list 1 2))) (l (queue->list q))) (queue-add! q 3) l)", '(1 2)'],
  ['(make-queue)', '#<queue>'],
  ['(queue-first (make-queue))', 'ERR (exn) (queue-first) queue is empty (#<queue>)'],
  ['(queue-last (make-queue))', 'ERR (exn) (queue-last) queue is empty (#<queue>)'],
  ['(queue-remove! (make-queue))', 'ERR (exn) (queue-remove!) queue is empty (#<queue>)'],
  ["(queue-add! '(1) 2)", 'ERR (exn type) (queue-add!) bad argument type - not a structure of the required type ((1) queue)'],
  ['(list->queue 5)', 'ERR (exn type) (list->queue) bad argument type - not a proper list (5)'],
  // random: a fixnum below N; randomize with a seed makes the sequence repeat.
  ['(let loop ((i 0)) (or (= i 1000) (let ((r (random 10))) (and (>= r 0) (< r 10) (exact? r) (loop (+ i 1))))))', '#t'],
  ['(random 0)', '0'],
  ['(let ((a (begin (randomize 42) (list (random 1000) (random 1000)))) (b (begin (randomize 42) (list (random 1000) (random 1000))))) (equal? a b))', '#t'],
  ['(flonum? (random 1.0))', '#t'],
  ["(random 'x)", 'ERR (exn type) (random) bad argument type - not a number (x)'],
  ["(randomize 'x)", 'ERR (exn type) (randomize) bad argument type - not a fixnum (x)'],
];

/** Procedures given to these may wait for I/O (they are compiled Scheme): the result is the same. */
const WAITING: Array<[string, string]> = [
  ["(alist-ref 2 '((1 . one) (2 . two)) (lambda (k x) (wait (= k x))))", 'two'],
  ["(binary-search '#(1 3 5 7 9) (lambda (x) (wait (- 7 x))))", '3'],
  ["(sort '(3 1 2) (lambda (a b) (wait (< a b))))", '(1 2 3)'],
  ["(shuffle '(a) (lambda (n) (wait 0)))", '(a)'],
];

describe('data-structures: against csi', () => {
  it.each(CSI)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('data-structures: CHICKEN 3 only (its manual)', () => {
  it.each(CHICKEN3)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});

describe('data-structures: procedures that wait', () => {
  it.each(WAITING)('%s → %s', async (src, expected) => {
    expect(await show(src)).toBe(expected);
  });
});
