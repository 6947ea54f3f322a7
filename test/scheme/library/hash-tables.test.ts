/**
 * SRFI-69 hash tables (src/scheme/library/hash-tables.ts and scheme/library/hash-tables.scm)
 * through the engine. Each case is Scheme source and what CHICKEN shows for it: the `write` text
 * of the value, or the condition as `ERR (kinds) (location) message (arguments)`.
 *
 * csi 5 cannot serve as the reference here: SRFI-69 left CHICKEN's core in version 5 (it is an
 * egg, not installed, and `(import srfi-69)` fails), so there is no differential program either.
 * The expected values come from the CHICKEN 3 manual's "Unit srfi-69", from CHICKEN 3's own
 * srfi-69.scm (for what the manual leaves open: results of `hash-table-update!` and
 * `hash-table-delete!`, which entry wins in `hash-table-merge!` and `alist->hash-table`, the
 * condition kinds and messages, the hash values of atoms) and from the SRFI-69 document. The
 * messages of the argument checks CHICKEN 3 makes (`##sys#check-structure`,
 * `##sys#check-closure`, `##sys#check-exact` …) were taken from csi 5, which has the same checks.
 * Iteration order is unspecified, so results listing entries are sorted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newEngine } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { showResult, engineWithWait } from './support.js';

let engine: Engine;

beforeAll(async () => {
  engine = await engineWithWait();
}, 30_000);

const show = (src: string): Promise<string> => showResult(engine, src);

/** Sorts the keys (symbols, numbers or strings) of an alist or a list, for order-free results. */
const SORTED = `(define (key<? a b)
  (let ((a (if (pair? a) (car a) a)) (b (if (pair? b) (car b) b)))
    (cond ((and (number? a) (number? b)) (< a b))
          ((and (symbol? a) (symbol? b)) (string<? (symbol->string a) (symbol->string b)))
          ((and (string? a) (string? b)) (string<? a b))
          (else (number? a)))))
(define (sorted l) (sort l key<?))`;

function table(name: string, cases: Array<[string, string]>): void {
  describe(name, () => {
    beforeAll(async () => {
      await show(SORTED);
    });
    it.each(cases)('%s', async (src, expected) => {
      expect(await show(src)).toBe(expected);
    });
  });
}

/** A table T with a, b and c (symbols) bound to 1, 2 and 3, made afresh by each case. */
const abc = (body: string): string =>
  `(let ((t (make-hash-table))) (hash-table-set! t 'a 1) (hash-table-set! t 'b 2) (hash-table-set! t 'c 3) ${body})`;

// CHICKEN 3 manual (Unit srfi-69) and srfi-69.scm: making tables and their properties.
table('make-hash-table and properties (CHICKEN 3 manual, srfi-69.scm)', [
  ['(make-hash-table)', '#<hash-table>'],
  ['(list (make-hash-table) 1)', '(#<hash-table> 1)'],
  ['(hash-table? (make-hash-table))', '#t'],
  ['(hash-table? (list 1))', '#f'],
  ['(hash-table-size (make-hash-table))', '0'],
  ['(eq? (hash-table-equivalence-function (make-hash-table)) equal?)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table)) equal?-hash)', '#t'],
  ['(eq? (hash-table-equivalence-function (make-hash-table eq?)) eq?)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table eq?)) eq?-hash)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table eqv?)) eqv?-hash)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table string=?)) string-hash)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table string-ci=?)) string-ci-hash)', '#t'],
  ['(eq? (hash-table-hash-function (make-hash-table =)) number-hash)', '#t'],
  // A test of the program's own without a hash: equal?-hash (CHICKEN 3 also warns).
  ['(eq? (hash-table-hash-function (make-hash-table (lambda (a b) (eq? a b)))) equal?-hash)', '#t'],
  ['(let ((h (lambda (k b) 0))) (eq? (hash-table-hash-function (make-hash-table eq? h)) h))', '#t'],
  ['(hash-table-size (make-hash-table eq? eq?-hash 100))', '0'],
  ['(eq? (hash-table-equivalence-function (make-hash-table #:test eq?)) eq?)', '#t'],
  ['(eq? (hash-table-equivalence-function (make-hash-table test: string=?)) string=?)', '#t'],
  // A keyword wins over the positional argument.
  ['(eq? (hash-table-equivalence-function (make-hash-table eq? #:test eqv?)) eqv?)', '#t'],
  ['(list (hash-table-min-load (make-hash-table)) (hash-table-max-load (make-hash-table)))', '(0.5 0.8)'],
  ['(let ((t (make-hash-table #:min-load 0.25 #:max-load 0.75 #:size 10))) (list (hash-table-min-load t) (hash-table-max-load t)))', '(0.25 0.75)'],
  ['(list (hash-table-weak-keys (make-hash-table)) (hash-table-weak-values (make-hash-table)))', '(#f #f)'],
  ['(list (hash-table-weak-keys (make-hash-table #:weak-keys #t)) (hash-table-weak-values (make-hash-table #:weak-values 1)))', '(#t #t)'],
  ['(list (hash-table-has-initial? (make-hash-table)) (hash-table-initial (make-hash-table)))', '(#f #f)'],
  ['(let ((t (make-hash-table #:initial 0))) (list (hash-table-has-initial? t) (hash-table-initial t)))', '(#t 0)'],
  ['(make-hash-table 5)', 'ERR (exn type) (make-hash-table) bad argument type - not a procedure (5)'],
  ['(make-hash-table eq? 5)', 'ERR (exn type) (make-hash-table) bad argument type - not a procedure (5)'],
  ['(make-hash-table eq? eq?-hash 0)', 'ERR (exn) (make-hash-table) invalid size (0)'],
  ['(make-hash-table eq? eq?-hash 1.5)', 'ERR (exn type) (make-hash-table) bad argument type - not an exact number (1.5)'],
  ['(make-hash-table #:test 5)', 'ERR (exn type) (make-hash-table) bad argument type - not a procedure (5)'],
  ['(make-hash-table #:foo 1)', 'ERR (exn) (make-hash-table) unknown keyword (#:foo (#:foo 1))'],
  ['(make-hash-table #:size)', 'ERR (exn) (make-hash-table) missing keyword value (#:size (#:size))'],
  ['(make-hash-table #:size 1 2)', 'ERR (exn) (make-hash-table) missing keyword (2 (#:size 1 2))'],
  ['(make-hash-table #:min-load 1)', 'ERR (exn type) (make-hash-table) bad argument type - not an inexact number (1)'],
  ['(make-hash-table #:max-load 1.5)', 'ERR (exn) (make-hash-table) invalid max-load (1.5)'],
  ['(make-hash-table #:min-load 0.9 #:max-load 0.6)', 'ERR (exn) (make-hash-table) min-load greater than max-load (0.9 0.6)'],
  ['(hash-table-size 5)', 'ERR (exn type) (hash-table-size) bad argument type - not a structure of the required type (5 hash-table)'],
  ['(hash-table-equivalence-function 5)', 'ERR (exn type) (hash-table-equivalence-function) bad argument type - not a structure of the required type (5 hash-table)'],
]);

// SRFI-69 and srfi-69.scm: each test's notion of the same key.
table('keys under each test (SRFI-69, srfi-69.scm)', [
  ['(let ((t (make-hash-table))) (hash-table-set! t "abc" 1) (hash-table-ref/default t (string-copy "abc") (quote none)))', '1'],
  ['(let ((t (make-hash-table)) (k (string-copy "key"))) (hash-table-set! t k 1) (list (hash-table-ref/default t "key" 0) (eq? k (car (hash-table-keys t)))))', '(1 #t)'],
  ['(let ((t (make-hash-table))) (hash-table-set! t (list 1 "a" (vector 2 3.5)) 1) (hash-table-ref/default t (list 1 (string-copy "a") (vector 2 3.5)) (quote none)))', '1'],
  ['(let ((t (make-hash-table))) (hash-table-set! t (vector) 1) (hash-table-set! t (list) 2) (hash-table-set! t (vector 1) 3) (list (hash-table-ref t (vector)) (hash-table-ref t (quote ())) (hash-table-size t)))', '(1 2 3)'],
  ['(let ((t (make-hash-table))) (hash-table-set! t 1 (quote a)) (hash-table-ref/default t 1.0 (quote none)))', 'none'],
  ['(let ((t (make-hash-table))) (hash-table-set! t 1.5 (quote a)) (hash-table-ref/default t (/ 3.0 2) (quote none)))', 'a'],
  ['(let ((t (make-hash-table))) (hash-table-set! t #\\a 1) (hash-table-set! t "a" 2) (hash-table-set! t (quote a) 3) (list (hash-table-ref t #\\a) (hash-table-ref t "a") (hash-table-ref t (quote a)) (hash-table-size t)))', '(1 2 3 3)'],
  ['(let ((t (make-hash-table eq?))) (hash-table-set! t (string-copy "abc") 1) (hash-table-ref/default t (string-copy "abc") (quote none)))', 'none'],
  ['(let ((t (make-hash-table eq?)) (k (list 1))) (hash-table-set! t k 1) (list (hash-table-ref/default t k 0) (hash-table-ref/default t (list 1) 0)))', '(1 0)'],
  ['(let ((t (make-hash-table eq?))) (hash-table-set! t (quote sym) 1) (hash-table-set! t 42 2) (list (hash-table-ref t (quote sym)) (hash-table-ref t 42)))', '(1 2)'],
  ['(let ((t (make-hash-table eqv?))) (hash-table-set! t 1.5 (quote x)) (hash-table-ref/default t (+ 1.0 0.5) (quote none)))', 'x'],
  ['(let ((t (make-hash-table eqv?))) (hash-table-set! t 0.0 (quote pos)) (hash-table-ref/default t -0.0 (quote none)))', 'none'],
  ['(let ((t (make-hash-table eqv?))) (hash-table-set! t (list 1) 1) (hash-table-ref/default t (list 1) (quote none)))', 'none'],
  ['(let ((t (make-hash-table =))) (hash-table-set! t 1 (quote a)) (list (hash-table-ref/default t 1.0 (quote none)) (hash-table-size t)))', '(a 1)'],
  ['(let ((t (make-hash-table =))) (hash-table-set! t (quote a) 1))', 'ERR (exn type) (number-hash) invalid number (a)'],
  ['(let ((t (make-hash-table string=?))) (hash-table-set! t "abc" 1) (list (hash-table-ref/default t (string-copy "abc") 0) (hash-table-ref/default t "ABC" 0)))', '(1 0)'],
  ['(let ((t (make-hash-table string=?))) (hash-table-set! t 5 1))', 'ERR (exn type) (string-hash) bad argument type - not a string (5)'],
  // The entry keeps the key it was made with; a set! of an equal key changes only the value.
  ['(let ((t (make-hash-table string-ci=?))) (hash-table-set! t "ABC" 1) (hash-table-set! t "abc" 2) (list (hash-table-ref t "aBc") (hash-table-keys t)))', '(2 ("ABC"))'],
  ['(let ((t (make-hash-table string-ci=?))) (hash-table-ref t (quote a)))', 'ERR (exn type) (string-ci-hash) bad argument type - not a string (a)'],
  // A string key mutated after it went in: which entry it finds is undefined; nothing breaks.
  ['(let ((t (make-hash-table)) (k (string-copy "ab"))) (hash-table-set! t k 1) (string-set! k 0 #\\x) (hash-table-set! t "zz" 2) (list (hash-table-size t) (sorted (hash-table-keys t))))', '(2 ("xb" "zz"))'],
]);

// Tests and hashes of the program's own: the calls are made by the Scheme part.
table('tables with a test of the program\'s own (SRFI-69, srfi-69.scm)', [
  ['(define mod10 (make-hash-table (lambda (a b) (= (modulo a 10) (modulo b 10))) (lambda (k bound) (modulo k 10))))', '#<unspecified>'],
  ['(begin (hash-table-set! mod10 1 (quote one)) (hash-table-set! mod10 11 (quote eleven)) (hash-table-set! mod10 2 (quote two)) (hash-table-size mod10))', '2'],
  ['(list (hash-table-ref mod10 21) (hash-table-ref/default mod10 3 (quote none)) (hash-table-exists? mod10 32) (hash-table-exists? mod10 33))', '(eleven none #t #f)'],
  ['(sorted (hash-table->alist mod10))', '((1 . eleven) (2 . two))'],
  ['(hash-table-update!/default mod10 5 (lambda (x) (+ x 1)) 0)', '1'],
  ['(hash-table-update! mod10 15 (lambda (x) (* x 10)))', '10'],
  ['(list (hash-table-delete! mod10 31) (hash-table-delete! mod10 31) (hash-table-size mod10))', '(#t #f 2)'],
  ['(hash-table-ref mod10 7)', 'ERR (exn access) (hash-table-ref) hash-table does not contain key (7 #<hash-table>)'],
  ['(let ((c (hash-table-copy mod10))) (hash-table-set! c 9 (quote nine)) (list (hash-table-size c) (hash-table-size mod10) (hash-table-ref c 2)))', '(3 2 two)'],
  ['(begin (hash-table-remove! mod10 (lambda (k v) (eq? v (quote two)))) (sorted (hash-table-keys mod10)))', '(5)'],
  ['(begin (hash-table-clear! mod10) (list (hash-table-size mod10) (hash-table-keys mod10)))', '(0 ())'],
  // No hash given: equal?-hash, so a test that agrees with equal? works on structured keys.
  ['(let ((t (make-hash-table (lambda (a b) (equal? a b))))) (hash-table-set! t (list 1 2) (quote x)) (hash-table-set! t (list 1 2) (quote y)) (list (hash-table-ref t (list 1 2)) (hash-table-size t)))', '(y 1)'],
  ['(let ((t (make-hash-table (lambda (a b) (wait (= a b))) (lambda (k b) (wait (modulo k b)))))) (hash-table-set! t 1 (quote a)) (hash-table-set! t 1 (quote b)) (list (hash-table-ref t 1) (hash-table-size t)))', '(b 1)'],
  ['(let ((t (make-hash-table (lambda (a b) #t) (lambda (k b) 1.5)))) (hash-table-set! t 1 (quote a)) (hash-table-ref t 2))', 'a'],
  ['(let ((t (make-hash-table (lambda (a b) #t) (lambda (k b) (quote x))))) (hash-table-set! t 1 (quote a)))', 'ERR (exn type) (hash-table-hash-function) bad argument type - not a fixnum (x)'],
  ['(let ((t (make-hash-table (lambda (a b) (= a b)) (lambda (k b) 0) #:initial 7))) (hash-table-update! t 1 (lambda (x) (+ x 1))))', '8'],
  ['(let ((t (make-hash-table (lambda (a b) (= a b)) (lambda (k b) 0)))) (hash-table-set! t 1 (quote first)) (hash-table-merge! t (alist->hash-table (quote ((1 . a) (2 . b))))) (sorted (hash-table->alist t)))', '((1 . first) (2 . b))'],
]);

// CHICKEN 3 manual and srfi-69.scm: looking up, setting, updating and deleting.
table('ref, set!, update!, delete! (CHICKEN 3 manual, srfi-69.scm)', [
  ['(let ((t (make-hash-table))) (hash-table-set! t (quote a) 1))', '#<unspecified>'],
  [abc('(list (hash-table-ref t (quote a)) (hash-table-ref t (quote c)) (hash-table-size t))'), '(1 3 3)'],
  [abc("(begin (hash-table-set! t 'a 10) (list (hash-table-ref t 'a) (hash-table-size t)))"), '(10 3)'],
  [abc("(hash-table-ref t 'zz)"), 'ERR (exn access) (hash-table-ref) hash-table does not contain key (zz #<hash-table>)'],
  [abc("(hash-table-ref t 'zz (lambda () 'missing))"), 'missing'],
  [abc("(hash-table-ref t 'a (lambda () 'missing))"), '1'],
  [abc("(hash-table-ref t 'a 5)"), 'ERR (exn type) (hash-table-ref) bad argument type - not a procedure (5)'],
  ["(hash-table-ref 5 'a)", 'ERR (exn type) (hash-table-ref) bad argument type - not a structure of the required type (5 hash-table)'],
  ["(let ((t (make-hash-table))) (hash-table-set! t 'f #f) (list (hash-table-ref t 'f) (hash-table-ref/default t 'f 1) (hash-table-exists? t 'f)))", '(#f #f #t)'],
  [abc("(list (hash-table-ref/default t 'b 0) (hash-table-ref/default t 'zz 0))"), '(2 0)'],
  ["(hash-table-ref/default 5 'a 0)", 'ERR (exn type) (hash-table-ref/default) bad argument type - not a structure of the required type (5 hash-table)'],
  ["(hash-table-set! (list) 'a 0)", 'ERR (exn type) (hash-table-set!) bad argument type - not a structure of the required type (() hash-table)'],
  [abc("(list (hash-table-exists? t 'a) (hash-table-exists? t 'zz))"), '(#t #f)'],
  ["(hash-table-exists? 5 'a)", 'ERR (exn type) (hash-table-exists?) bad argument type - not a structure of the required type (5 hash-table)'],
  [abc("(list (hash-table-delete! t 'a) (hash-table-delete! t 'a) (hash-table-exists? t 'a) (hash-table-size t))"), '(#t #f #f 2)'],
  ["(hash-table-delete! 5 'a)", 'ERR (exn type) (hash-table-delete!) bad argument type - not a structure of the required type (5 hash-table)'],
  [abc("(list (hash-table-update! t 'a (lambda (x) (+ x 100))) (hash-table-ref t 'a))"), '(101 101)'],
  [abc("(hash-table-update! t 'a)"), '1'],
  [abc("(list (hash-table-update! t 'n (lambda (x) (+ x 1)) (lambda () 10)) (hash-table-ref t 'n))"), '(11 11)'],
  [abc("(hash-table-update! t 'n (lambda (x) (+ x 1)))"), 'ERR (exn access) (hash-table-update!) hash-table does not contain key (n #<hash-table>)'],
  ["(let ((t (make-hash-table #:initial 0))) (hash-table-update! t 'a (lambda (x) (+ x 1))) (hash-table-update! t 'a (lambda (x) (+ x 1))) (hash-table-ref t 'a))", '2'],
  [abc("(hash-table-update! t 'a 5)"), 'ERR (exn type) (hash-table-update!) bad argument type - not a procedure (5)'],
  [abc("(hash-table-update! t 'a (lambda (x) x) 5)"), 'ERR (exn type) (hash-table-update!) bad argument type - not a procedure (5)'],
  ["(hash-table-update! 5 'a (lambda (x) x))", 'ERR (exn type) (hash-table-update!) bad argument type - not a structure of the required type (5 hash-table)'],
  [abc("(list (hash-table-update!/default t 'a (lambda (x) (* x 2)) 0) (hash-table-update!/default t 'z (lambda (x) (- x 1)) 0))"), '(2 -1)'],
  ["(let ((t (make-hash-table))) (for-each (lambda (w) (hash-table-update!/default t w (lambda (c) (+ c 1)) 0)) '(a b a c a b)) (sorted (hash-table->alist t)))", '((a . 3) (b . 2) (c . 1))'],
  [abc("(hash-table-update!/default t 'a 5 0)"), 'ERR (exn type) (hash-table-update!/default) bad argument type - not a procedure (5)'],
  // A func that deletes the entry it updates: nothing breaks.
  [abc("(begin (hash-table-update! t 'a (lambda (x) (hash-table-delete! t 'a) (+ x 1))) (hash-table-size t))"), '2'],
  // A func that adds the key it is computing: one entry, with the update's value.
  ["(let ((t (make-hash-table))) (hash-table-update!/default t 'k (lambda (x) (hash-table-set! t 'k 'inner) 'outer) 0) (list (hash-table-ref t 'k) (hash-table-size t)))", '(outer 1)'],
]);

// CHICKEN 3 manual and srfi-69.scm: the whole table.
table('whole tables (CHICKEN 3 manual, srfi-69.scm)', [
  [abc('(sorted (hash-table-keys t))'), '(a b c)'],
  [abc('(sorted (hash-table-values t))'), '(1 2 3)'],
  [abc('(sorted (hash-table->alist t))'), '((a . 1) (b . 2) (c . 3))'],
  ['(hash-table-keys 5)', 'ERR (exn type) (hash-table-keys) bad argument type - not a structure of the required type (5 hash-table)'],
  // The alist is fresh: changing it leaves the table alone.
  [abc("(let ((al (hash-table->alist t))) (for-each (lambda (p) (set-cdr! p 0)) al) (hash-table-ref t 'b))"), '2'],
  [abc('(list (hash-table-size t) (hash-table-count t))'), '(3 3)'],
  [abc('(let ((s 0)) (hash-table-walk t (lambda (k v) (set! s (+ s v)))) s)'), '6'],
  [abc('(let ((ks (quote ()))) (hash-table-for-each t (lambda (k v) (set! ks (cons k ks)))) (sorted ks))'), '(a b c)'],
  [abc('(hash-table-walk t 5)'), 'ERR (exn type) (hash-table-walk) bad argument type - not a procedure (5)'],
  ['(hash-table-walk 5 (lambda (k v) k))', 'ERR (exn type) (hash-table-walk) bad argument type - not a structure of the required type (5 hash-table)'],
  ['(hash-table-for-each 5 (lambda (k v) k))', 'ERR (exn type) (hash-table-for-each) bad argument type - not a structure of the required type (5 hash-table)'],
  // Deleting and adding while walking: each entry there when the walk began is visited once.
  ["(let ((t (alist->hash-table '((1 . a) (2 . b) (3 . c)))) (seen '())) (hash-table-walk t (lambda (k v) (set! seen (cons k seen)) (hash-table-delete! t k) (hash-table-set! t (+ k 10) v))) (list (sorted seen) (sorted (hash-table->alist t))))", '((1 2 3) ((11 . a) (12 . b) (13 . c)))'],
  ["(let ((t (alist->hash-table '((1 . a) (2 . b) (3 . c))))) (hash-table-walk t (lambda (k v) (hash-table-clear! t))) (hash-table-size t))", '0'],
  [abc('(let ((n 0)) (hash-table-walk t (lambda (k v) (set! n (+ n (wait v))))) n)'), '6'],
  [abc('(hash-table-fold t (lambda (k v acc) (+ v acc)) 100)'), '106'],
  [abc('(sorted (hash-table-fold t (lambda (k v acc) (cons k acc)) (quote ())))'), '(a b c)'],
  [abc('(hash-table-fold t 5 0)'), 'ERR (exn type) (hash-table-fold) bad argument type - not a procedure (5)'],
  [abc('(sorted (hash-table-map t (lambda (k v) (* v 10))))'), '(10 20 30)'],
  [abc('(begin (hash-table-remove! t (lambda (k v) (odd? v))) (sorted (hash-table->alist t)))'), '((b . 2))'],
  [abc('(begin (hash-table-clear! t) (list (hash-table-size t) (hash-table->alist t)))'), '(0 ())'],
  [abc("(let ((c (hash-table-copy t))) (hash-table-set! c 'd 4) (hash-table-set! c 'a 0) (list (hash-table-size t) (hash-table-ref t 'a) (sorted (hash-table->alist c))))"), '(3 1 ((a . 0) (b . 2) (c . 3) (d . 4)))'],
  [abc('(eq? (hash-table-equivalence-function (hash-table-copy t)) equal?)'), '#t'],
  [abc('(hash-table-size (hash-table-copy t #t))'), '3'],
  // merge!: the entries of the first table win (CHICKEN 3 updates it with identity); the result is the first table.
  [abc("(let ((u (alist->hash-table '((a . 100) (d . 4))))) (list (eq? t (hash-table-merge! t u)) (sorted (hash-table->alist t)) (hash-table-size u)))"), '(#t ((a . 1) (b . 2) (c . 3) (d . 4)) 2)'],
  [abc("(let* ((u (alist->hash-table '((d . 4)))) (m (hash-table-merge t u))) (list (eq? m t) (hash-table-size t) (sorted (hash-table-keys m))))"), '(#f 3 (a b c d))'],
  ['(hash-table-merge! (make-hash-table) 5)', 'ERR (exn type) (hash-table-merge!) bad argument type - not a structure of the required type (5 hash-table)'],
  // alist->hash-table: the first entry of a key wins; the rest are make-hash-table's arguments.
  ["(let ((t (alist->hash-table '((a . 1) (b . 2) (a . 3))))) (list (hash-table-ref t 'a) (hash-table-size t)))", '(1 2)'],
  ["(hash-table-ref (alist->hash-table '((\"ab\" . 1)) string-ci=?) \"AB\")", '1'],
  ["(eq? (hash-table-equivalence-function (alist->hash-table '() #:test eq?)) eq?)", '#t'],
  ['(alist->hash-table 5)', 'ERR (exn type) (alist->hash-table) bad argument type - not a list (5)'],
  ["(alist->hash-table '((a . 1) 5))", 'ERR (exn type) (alist->hash-table) bad argument type - not a pair (5)'],
  ["(alist->hash-table '() 5)", 'ERR (exn type) (make-hash-table) bad argument type - not a procedure (5)'],
]);

// srfi-69.scm: CHICKEN 3's hash values of atoms (C_hash_string: key = key * 16 + byte, so
// "abc" is 26499), bounded by 536870912 unless a bound is given; structured values hash alike
// when equal?. The bound checks are CHICKEN's; a bound of 0 or less is refused (CHICKEN 3 left
// it to fxmod).
table('hash functions (srfi-69.scm, SRFI-69)', [
  ['(list (hash 42) (hash -42) (hash 42 10) (hash 0))', '(42 42 2 0)'],
  ['(list (hash #\\a) (hash #t) (hash #f) (hash (quote ())))', '(97 256 257 258)'],
  ['(list (string-hash "abc") (string-hash "abc" 100) (string-ci-hash "ABC") (string-hash-ci "aBc") (symbol-hash (quote abc)))', '(26499 99 26499 26499 26499)'],
  ['(list (string-hash "") (string-hash "abcdef" 1000 1 3) (string-hash "abcdef" 1000 4))', '(0 667 718)'],
  ['(list (hash "abc") (equal?-hash "abc") (eqv?-hash "abc") (eq?-hash (quote abc)) (hash-by-identity 7) (object-uid-hash 7))', '(26499 26499 26499 26499 7 7)'],
  ['(< -1 (string-hash (make-string 100 #\\z)) 536870912)', '#t'],
  ['(< -1 (hash (expt 2 50)) 536870912)', '#t'],
  ['(= (hash (list 1 "a" (vector 2.5 #\\b))) (hash (list 1 (string-copy "a") (vector 2.5 #\\b))))', '#t'],
  ['(= (hash 1.5) (hash (+ 1.0 0.5)) (number-hash 1.5) (eqv?-hash 1.5))', '#t'],
  ['(list (number-hash 12) (number-hash -12 5))', '(12 2)'],
  ['(< -1 (hash (list 1 2) 7) 7)', '#t'],
  ['(let ((f (lambda (x) x))) (= (hash f) (hash f)))', '#t'],
  ['(keyword-hash #:abc)', '26499'],
  ['(hash 1 1.5)', 'ERR (exn type) (hash) bad argument type - not an exact number (1.5)'],
  ['(equal?-hash 1 (quote a))', 'ERR (exn type) (hash) bad argument type - not an exact number (a)'],
  ['(string-hash "a" 1.5)', 'ERR (exn type) (string-hash) bad argument type - not an exact number (1.5)'],
  ['(hash 1 0)', 'ERR (exn bounds) (hash) out of range (0)'],
  ['(string-hash 5)', 'ERR (exn type) (string-hash) bad argument type - not a string (5)'],
  ['(string-hash "abc" 10 1 9)', 'ERR (exn bounds) (string-hash) out of range (9 0 3)'],
  ['(symbol-hash "a")', 'ERR (exn type) (symbol-hash) bad argument type - not a symbol ("a")'],
  ['(keyword-hash (quote a))', 'ERR (exn type) (keyword-hash) bad argument type - not a keyword (a)'],
  ['(number-hash (quote a))', 'ERR (exn type) (number-hash) invalid number (a)'],
]);

describe('many entries', () => {
  it('keeps 10,000 entries of each key type and deletes them again', async () => {
    const src = `(let ((t (make-hash-table)) (n 10000))
      (do ((i 0 (+ i 1))) ((= i n))
        (hash-table-set! t i i)
        (hash-table-set! t (number->string i) i)
        (hash-table-set! t (list i) i)
        (hash-table-set! t (string->symbol (string-append "s" (number->string i))) i))
      (let ((size (hash-table-size t))
            (sum (hash-table-fold t (lambda (k v acc) (+ v acc)) 0))
            (found (let loop ((i 0) (c 0)) (if (= i n) c (loop (+ i 1) (if (and (= i (hash-table-ref t (list i))) (= i (hash-table-ref t (number->string i)))) (+ c 1) c))))))
        (do ((i 0 (+ i 1))) ((= i n)) (hash-table-delete! t i) (hash-table-delete! t (list i)))
        (list size sum found (hash-table-size t))))`;
    expect(await show(src)).toBe(`(40000 ${4 * ((10000 * 9999) / 2)} 10000 20000)`);
  });
});

describe("a program's own equal?", () => {
  it('is the default test, and its tables call it (CHICKEN 3 takes the current binding)', async () => {
    const own = await newEngine();
    const src = `(define calls 0)
      (define (equal? a b) (set! calls (+ calls 1)) (eqv? a b))
      (define t (make-hash-table))
      (hash-table-set! t (list 1) 'a)
      (list (hash-table-ref/default t (list 1) 'none) (> calls 0) (eq? (hash-table-equivalence-function t) equal?))`;
    expect(await showResult(own, src)).toBe('(none #t #t)');
  });
});
