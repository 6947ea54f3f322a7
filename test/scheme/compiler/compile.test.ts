/**
 * The compiler and its runtime on ordinary programs: results, proper tail calls, deep recursion
 * and long lists, special forms, closures, control (call/cc, dynamic-wind, exceptions), and
 * suspension (a procedure returning a Promise, preemption by the event loop). Bounds on size are
 * what CHICKEN handles; there are no timing assertions (those are in bench/).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newEngine, evalSource } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { writeString } from '../../../src/scheme/runtime/printer.js';
import { SchemeError } from '../../../src/scheme/runtime/errors.js';
import { procedure } from '../../../src/scheme/library/define.js';

let e: Engine;
beforeAll(async () => {
  e = await newEngine();
}, 30_000);

/** The value of the last form of SRC, as `write` prints it. */
async function run(src: string): Promise<string> {
  return writeString(await evalSource(e, src));
}

/** The condition SRC raises. */
async function raises(src: string): Promise<SchemeError> {
  try {
    await evalSource(e, src);
  } catch (err) {
    if (err instanceof SchemeError) return err;
    throw err;
  }
  throw new Error(`no error from ${src}`);
}

describe('results', () => {
  it('runs fib, tak and a named-let loop', async () => {
    expect(await run('(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 22)')).toBe('17711');
    expect(await run('(define (tak x y z) (if (not (< y x)) z (tak (tak (- x 1) y z) (tak (- y 1) z x) (tak (- z 1) x y)))) (tak 18 12 6)')).toBe('7');
    expect(await run('(let loop ((i 0) (s 0)) (if (= i 300000) s (loop (+ i 1) (+ s i))))')).toBe('44999850000');
  });

  it('evaluates only the branch taken of a conditional in argument position', async () => {
    // Each untaken branch would raise: (car 5), (vector-ref v 9), (quotient 1 0).
    expect(await run('(define (f x) (list (if (pair? x) (+ (car x) 1) 0) (and (pair? x) (> (car x) 0)) (or (not (pair? x)) (= (car x) 4)))) (list (f 5) (f (list 4)))')).toBe('((0 #f #t) (5 #t #t))');
    expect(await run('(let ((v (vector 1 2)) (i 9)) (list (if (< i 2) (* (vector-ref v i) 2) -1) (if (= i 0) (quotient 1 i) (modulo i 4))))')).toBe('(-1 1)');
  });

  it('inlines string access on literal and mutable strings alike, with string-ref\'s errors', async () => {
    // (char->integer (string-ref s i)) is fused into one step: same results, same errors.
    const scan = '(define (codes s) (let loop ((i (- (string-length s) 1)) (acc (quote ()))) (if (< i 0) acc (loop (- i 1) (cons (char->integer (string-ref s i)) acc)))))';
    expect(await run(`${scan} (list (codes "Az\\xff;") (codes (string-append "A" "z")) (codes (string-copy "")) (string-ref (string-copy "ab") 1))`)).toBe('((65 122 255) (65 122) () #\\b)');
    for (const src of ['(char->integer (string-ref "abc" 3))', '(char->integer (string-ref (string-copy "abc") -1))', '(string-ref (string-copy "abc") 3)']) {
      const err = await raises(src);
      expect({ kinds: err.kinds, location: err.location }, src).toEqual({ kinds: ['exn', 'bounds'], location: 'string-ref' });
    }
    expect((await raises("(char->integer (string-ref 'abc 0))")).kinds).toEqual(['exn', 'type']);
    expect((await raises('(string-length 5)')).kinds).toEqual(['exn', 'type']);
    // A program's own string-ref is called, not the fused primitive.
    expect(await run('(let ((string-ref (lambda (s i) #\\x))) (char->integer (string-ref "abc" 0)))')).toBe('120');
  });

  it('calls string-append of 2 to 4 strings directly, with the library procedure\'s results and errors', async () => {
    expect(await run('(let ((m (string-copy "b"))) (list (string-append "a" m) (string-append "a" m "c") (string-append "a" m "c" "d") (string-append "a" m "c" "d" "e") (string-append) (string-append m)))')).toBe('("ab" "abc" "abcd" "abcde" "" "b")');
    // A fresh mutable string each time, as CHICKEN's.
    expect(await run('(let ((s (string-append "a" "b"))) (string-set! s 0 #\\z) (list s (string-append "a" "b")))')).toBe('("zb" "ab")');
    for (const src of ['(string-append "a" 5)', "(string-append 'a \"b\" \"c\")", '(string-append "a" "b" "c" #\\d)']) {
      const err = await raises(src);
      expect({ kinds: err.kinds, location: err.location, message: err.message }, src).toEqual({ kinds: ['exn', 'type'], location: 'string-append', message: 'bad argument type - not a string' });
    }
  });

  it('builds list and cons* in place, each argument evaluated once, and calls a program\'s own list', async () => {
    expect(await run("(let ((n 0)) (define (next!) (set! n (+ n 1)) n) (list (list) (list (next!)) (list (next!) (next!) 'x) (cons* 1) (cons* 1 2) (cons* (next!) (next!) '(z)) n))")).toBe('(() (1) (2 3 x) 1 (1 . 2) (4 5 z) 5)');
    expect(await run('(list 1 2 3 4 5 6 7 8 9 10)')).toBe('(1 2 3 4 5 6 7 8 9 10)');
    expect(await run('(let ((list vector)) (list 1 2))')).toBe('#(1 2)');
    expect((await raises('(cons*)')).kinds).toEqual(['exn', 'arity']);
  });

  it('applies list, vector, string-append and append to a list\'s elements, as fresh objects', async () => {
    expect(await run("(let* ((l (list 1 2)) (c (apply list l))) (list c (eq? c l) (apply vector l) (apply string-append '(\"a\" \"b\")) (apply append '((1) (2) (3 . 4))) (apply list 0 l) (apply + 1 2 '(3))))")).toBe('((1 2) #f #(1 2) "ab" (1 2 3 . 4) (0 1 2) 6)');
    expect(await run("(let ((s (apply string-append (list \"x\")))) (string-set! s 0 #\\y) s)")).toBe('"y"');
    expect((await raises("(apply string-append '(\"a\" 5))")).kinds).toEqual(['exn', 'type']);
    expect((await raises("(apply list 1)")).kinds).toEqual(['exn', 'type']);
  });

  it('inlines number? and list? (a circular list is no list)', async () => {
    expect(await run("(list (number? 1) (number? 1.5) (number? 'a) (list? '()) (list? '(1 2 3)) (list? '(1 . 2)) (list? 5) (let ((c (list 1 2 3))) (set-cdr! (cddr c) c) (list? c)))")).toBe('(#t #t #f #t #t #f #f #f)');
  });

  it('evaluates `do` with several exit expressions, in order, returning the last', async () => {
    expect(await run("(define x 0) (list (do ((i 0 (+ i 1))) ((= i 3) 'first (set! x 1) 'third)) x)")).toBe('(third 1)');
    expect(await run('(do ((i 0 (+ i 1)) (acc (quote ()) (cons i acc))) ((= i 4) acc))')).toBe('(3 2 1 0)');
  });

  it('gives each loop iteration its own binding for closures', async () => {
    expect(await run('(map (lambda (f) (f)) (let loop ((i 0) (acc (quote ()))) (if (= i 3) acc (loop (+ i 1) (cons (lambda () i) acc)))))')).toBe('(2 1 0)');
  });

  it('shares assigned captured variables between closures', async () => {
    expect(await run('(define (counter) (let ((n 0)) (cons (lambda () (set! n (+ n 1)) n) (lambda () n)))) (define c (counter)) ((car c)) ((car c)) ((cdr c))')).toBe('2');
  });

  it('expands quasiquote, case, cond =>, and/or, when/unless', async () => {
    expect(await run('`(1 ,(+ 1 1) ,@(list 3 4) #(5 ,(* 2 3)))')).toBe('(1 2 3 4 #(5 6))');
    expect(await run("(list (case 3 ((1 2) 'low) ((3 4) 'mid) (else 'high)) (case 9 ((1) 'a) (else => (lambda (x) (* x 2)))))")).toBe('(mid 18)');
    expect(await run("(cond ((assv 2 '((1 . a) (2 . b))) => cdr) (else 'no))")).toBe('b');
    expect(await run('(list (and 1 2) (and) (or #f 3) (or) (when #f 1) (unless #f 2))')).toBe('(2 #t 3 #f #<unspecified> 2)');
  });

  it('supports internal defines, letrec, let*-values, receive, define-values', async () => {
    expect(await run('(define (f x) (define a (* x 2)) (define (g y) (+ a y)) (g 1)) (f 5)')).toBe('11');
    expect(await run('(letrec ((ev? (lambda (n) (if (= n 0) #t (od? (- n 1))))) (od? (lambda (n) (if (= n 0) #f (ev? (- n 1)))))) (ev? 100))')).toBe('#t');
    expect(await run('(let*-values (((a b) (values 1 2)) ((c) (values (+ a b)))) (list a b c))')).toBe('(1 2 3)');
    expect(await run('(receive (q . r) (values 1 2 3) (list q r))')).toBe('(1 (2 3))');
    expect(await run('(define-values (dv1 dv2) (values 10 20)) (+ dv1 dv2)')).toBe('30');
  });

  it('runs syntax-rules macros hygienically', async () => {
    expect(await run('(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp))))) (define tmp 1) (define y 2) (swap! tmp y) (list tmp y)')).toBe('(2 1)');
    expect(await run('(define-syntax my-or (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...)))))) (let ((t 5)) (my-or #f t))')).toBe('5');
    expect(await run('(define-syntax my-let* (syntax-rules () ((_ () body ...) (let () body ...)) ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...))))) (my-let* ((a 1) (b (+ a 1))) (* a b))')).toBe('2');
  });

  it('runs define-macro (CHICKEN 3)', async () => {
    expect(await run("(define-macro (unless2 c . body) `(if ,c #f (begin ,@body))) (unless2 #f 'ran)")).toBe('ran');
  });

  it('supports #!optional and rest parameters', async () => {
    expect(await run('(define (opt a #!optional (b 10) c) (list a b c)) (list (opt 1) (opt 1 2) (opt 1 2 3))')).toBe('((1 10 #f) (1 2 #f) (1 2 3))');
    expect(await run('(define (r a . more) (list a more)) (r 1 2 3)')).toBe('(1 (2 3))');
  });

  it('supports records and parameters', async () => {
    expect(await run('(define-record-type point (make-point x y) point? (x point-x set-point-x!) (y point-y)) (define p (make-point 1 2)) (set-point-x! p 5) (list (point? p) (point-x p) (point-y p) (point? 5))')).toBe('(#t 5 2 #f)');
    expect(await run('(define prm (make-parameter 1)) (list (prm) (parameterize ((prm 2)) (prm)) (prm))')).toBe('(1 2 1)');
  });
});

describe('tail calls, deep recursion and long lists', () => {
  it('runs 10,000,000 iterations of self, mutual and CPS tail calls in constant stack', async () => {
    expect(await run('(define (count n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i))) (count 10000000)')).toBe('10000000');
    expect(await run('(define (ev? n) (if (= n 0) #t (od? (- n 1)))) (define (od? n) (if (= n 0) #f (ev? (- n 1)))) (ev? 10000000)')).toBe('#t');
    expect(await run('(define (cps n k) (if (= n 0) (k 0) (cps (- n 1) (lambda (v) (k (+ v 1)))))) (cps 1000000 (lambda (v) v))')).toBe('1000000');
    expect(await run('(define (down n) (if (> n 0) (down (- n 1)) (quote done))) (down 10000000)')).toBe('done');
  });

  it('recurses 1,000,000 deep and builds a 1,000,000-element list by non-tail recursion', async () => {
    expect(await run('(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1))))) (deep 1000000)')).toBe('1000000');
    expect(await run("(define (build n) (if (= n 0) '() (cons n (build (- n 1))))) (length (build 1000000))")).toBe('1000000');
  });

  it('handles long lists in the library', async () => {
    expect(await run('(length (vector->list (make-vector 1000000 0)))')).toBe('1000000');
    expect(await run('(string-length (list->string (string->list (make-string 50000 #\\a))))')).toBe('50000');
    expect(await run('(let loop ((i 0) (l (quote ()))) (if (= i 100000) (length l) (loop (+ i 1) (cons i l))))')).toBe('100000');
    expect(await run('(define n 0) (for-each (lambda (x) (set! n (+ n x))) (iota 100000)) n')).toBe('4999950000');
    expect(await run('(length (map (lambda (x) (* x x)) (iota 1000000)))')).toBe('1000000');
    expect(await run('(car (reverse (sort (map (lambda (i) (modulo (* i 7919) 100003)) (iota 100000)) <)))')).toBe('100002');
  });
});

describe('control', () => {
  it('escapes with call/cc, through dynamic-wind', async () => {
    expect(await run('(+ 1 (call/cc (lambda (k) (+ 10 (k 5)))))')).toBe('6');
    expect(await run("(define trail '()) (call/cc (lambda (k) (dynamic-wind (lambda () (set! trail (cons 'in trail))) (lambda () (k 'x)) (lambda () (set! trail (cons 'out trail)))))) (reverse trail)")).toBe('(in out)');
  });

  it('catches errors with handle-exceptions and condition-case, by kind', async () => {
    expect(await run("(handle-exceptions e (list 'caught (condition->list e)) (car 5))")).toBe("(caught ((exn message \"bad argument type\" arguments (5) location car) (type)))");
    expect(await run("(condition-case (vector-ref (vector 1) 5) (e (exn bounds) 'bounds) (e (exn) 'other))")).toBe('bounds');
    expect(await run("(condition-case (/ 1 0) ((exn arithmetic) 'arith))")).toBe('arith');
    expect(await run("(condition-case ((lambda (x) x)) ((exn arity) 'arity))")).toBe('arity');
    expect(await run("(condition-case (error 'me \"went wrong\" 1 2) (e () (list (get-condition-property e 'exn 'message) (get-condition-property e 'exn 'arguments) (get-condition-property e 'exn 'location))))")).toBe('("went wrong" (1 2) me)');
    expect(await run("(guard (e ((symbol? e) (list 'sym e)) ((string? e) 'str)) (raise 'boom))")).toBe('(sym boom)');
  });

  it('raises CHICKEN conditions for runtime errors', async () => {
    const bounds = await raises('(vector-ref (vector 1) 5)');
    expect(bounds.kinds).toEqual(['exn', 'bounds']);
    expect(bounds.location).toBe('vector-ref');
    expect(bounds.message).toBe('out of range');
    const arity = await raises('((lambda (x) x))');
    expect(arity.kinds).toEqual(['exn', 'arity']);
    expect(arity.message).toBe('bad argument count - received 0 but expected 1');
    expect((await raises('((lambda (x) x) 1 2)')).message).toBe('bad argument count - received 2 but expected 1');
    expect((await raises('(car 5)')).kinds).toEqual(['exn', 'type']);
    expect((await raises('(undefined-thing 1)')).kinds).toEqual(['exn', 'runtime']);
    expect((await raises('(5 3)')).message).toBe('call of non-procedure');
  });
});

describe('suspension', () => {
  it('waits for a procedure returning a Promise anywhere in a computation, keeping the stack', async () => {
    e.define('slow-id', procedure('slow-id', (x: unknown) => new Promise((r) => setTimeout(() => r(x), 1))));
    expect(await run('(define (sum-slow l) (if (null? l) 0 (+ (slow-id (car l)) (sum-slow (cdr l))))) (sum-slow (iota 20))')).toBe('190');
    expect(await run('(map (lambda (x) (slow-id (* x x))) (list 1 2 3))')).toBe('(1 4 9)');
    expect(await run("(handle-exceptions e 'caught (slow-id 1) (car 1))")).toBe('caught');
    expect(await run('(let loop ((i 0) (acc 0)) (if (= i 50) acc (loop (+ i 1) (+ acc (slow-id i)))))')).toBe('1225');
  });

  it('passes a library procedure exactly the optional arguments given, and waits for its Promise', async () => {
    // FN counts its arguments (a rest parameter): the wrapper must not pad them with undefined.
    e.define('count-args', procedure('count-args', (...xs: unknown[]) => (xs.length === 3 ? new Promise((r) => setTimeout(() => r(xs.length), 1)) : xs.length), [1, 3]));
    expect(await run('(list (count-args 1) (count-args 1 2) (count-args 1 2 3) (make-list 2) (make-list 2 0))')).toBe('(1 2 3 (#f #f) (0 0))');
    expect((await raises('(count-args)')).message).toBe('bad argument count - received 0 but expected 1 to 3');
    expect((await raises('(count-args 1 2 3 4)')).message).toBe('bad argument count - received 4 but expected 1 to 3');
  });

  it('lets timers run during a long computation (preemption)', async () => {
    let fired = false;
    const t = setTimeout(() => { fired = true; }, 5);
    e.define('fired?', () => fired);
    // Spins until the timer has fired: only possible if the loop yields to the event loop.
    expect(await run('(let loop ((i 0)) (if (fired?) (quote yielded) (loop (+ i 1))))')).toBe('yielded');
    clearTimeout(t);
  });
});

describe('#!optional across a move of the stack to the heap', () => {
  it('keeps the defaults of a call redone after the depth limit or a yield', async () => {
    expect(await run('(define (opt-count n #!optional (step 1)) (if (= n 0) 0 (+ step (opt-count (- n 1))))) (opt-count 100000)')).toBe('100000');
    expect(await run('(define (acc-opt i #!optional flag) (if flag 1 0)) (let loop ((i 0) (s 0)) (if (= i 1000000) s (loop (+ i 1) (+ s (acc-opt i)))))')).toBe('0');
  });
});
