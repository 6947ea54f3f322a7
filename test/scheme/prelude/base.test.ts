/**
 * The CHICKEN prelude's general procedures and forms, with CHICKEN's semantics: extensions,
 * add1/sub1 (exact, big integers too), define-values and receive, conc and ->string, the string
 * procedures (CHICKEN's string-split and regex string-search), a-lists.
 */
import { describe, expect, it } from 'vitest';
import { checks, run, show, compiled } from '../../support/scheme.js';
import { expectAll } from '../support.js';

describe('require-extension, use, require-library', () => {
  it('accept the extensions an egg program names and refuse an unknown one', async () => {
    const results = await checks(String.raw`
      (require-extension http-client http-server)
      (use http-utils srfi-1 srfi-13 srfi-18 extras)
      (require-library http)
      (check "known names are no-ops" #t #t)
      (check-error "require-extension of an unknown name" (lambda () (require-extension no-such-egg)))
      (check-error "use of an unknown name" (lambda () (use http-server no-such-egg)))
      (check-error "require-library of an unknown name" (lambda () (require-library no-such-egg)))
    `);
    expectAll(results, 4);
  });

  it('names the unknown extension in the error', async () => {
    await expect(run('(use no-such-egg-xyz)')).rejects.toThrow(/no-such-egg-xyz/);
  });

  it.runIf(compiled)('import takes CHICKEN 5 and R7RS module names (everything is global: a no-op), and refuses others', async () => {
    const results = await checks(String.raw`
      (import (chicken string) (only (chicken base) print) (except (chicken sort) sort!) (rename (chicken io) (read-line rl)) (srfi 1) scheme chicken.string)
      (check "imports are no-ops" '("a" "b") (string-split "a b"))
      (check-error "an unknown module" (lambda () (import (foo bar))))
      (check-error "a malformed spec" (lambda () (import (only))))
    `);
    expectAll(results, 3);
    await expect(run('(import (foo bar))')).rejects.toThrow(/\(foo bar\)/);
  });
});

describe('add1 and sub1', () => {
  it('add and subtract one, exactly, also on big integers and rationals', async () => {
    const results = await checks(String.raw`
      (check "add1" 6 (add1 5))
      (check "sub1" -1 (sub1 0))
      (check "add1 stays exact" #t (exact? (add1 41)))
      (check "add1 across 2^53" 9007199254740993 (add1 9007199254740992))
      (check "add1 of a big integer" 100000000000000000000 (add1 99999999999999999999))
      (check "sub1 of a big integer" 99999999999999999999 (sub1 100000000000000000000))
      (check "sub1 of a negative big integer" -100000000000000000001 (sub1 -100000000000000000000))
      (check "add1 of a rational" 3/2 (add1 1/2))
      (check "sub1 of a float" 1.5 (sub1 2.5))
      (check-error "add1 of a string" (lambda () (add1 "1")))
      (check-error "sub1 of a symbol" (lambda () (sub1 'x)))
    `);
    expectAll(results, 11);
  });

  it('print big results in full', async () => {
    // Beyond the fixnums a result is a flonum on the compiled engine (CHICKEN 3); LIPS has bignums.
    expect(await show(await run('(sub1 100000000000000000000)'))).toBe(compiled ? '1e+20' : '99999999999999999999');
  });
});

describe('define-values and receive', () => {
  it('bind multiple values', async () => {
    const results = await checks(String.raw`
      (define-values (q r) (values 7 2))
      (check "define-values" '(7 2) (list q r))
      (check "receive fixed" '(1 2) (receive (a b) (values 1 2) (list a b)))
      (check "receive rest" '(1 (2 3)) (receive (a . rest) (values 1 2 3) (list a rest)))
      (check "receive all" '(1 2 3) (receive all (values 1 2 3) all))
      (check "receive of one value" 5 (receive (x) 5 x))
      (check "receive body sequence" 3 (receive (a b) (values 1 2) (set! a 1) (+ a b)))
      (check "receive from a TS procedure's values" '("/p" (("a" . "1"))) (receive (path args) (http:decode-url "/p?a=1") (list path args)))
    `);
    expectAll(results, 7);
  });
});

describe('conc and ->string', () => {
  it('display their arguments into one string', async () => {
    const results = await checks(String.raw`
      (check "conc" "a1b2.5(1 2)" (conc "a" 1 'b 2.5 '(1 2)))
      (check "conc nothing" "" (conc))
      (check "conc a char" "x!" (conc #\x "!"))
      (check "->string number" "42" (->string 42))
      (check "->string symbol" "sym" (->string 'sym))
      (check "->string string" "s" (->string "s"))
      (check "->string char" "c" (->string #\c))
      (check "->string list displays" "(a b)" (->string (list 'a "b")))
      (check "string? of conc" #t (string? (conc 1)))
    `);
    expectAll(results, 9);
  });
});

describe('string procedures', () => {
  it('string-intersperse and string-join', async () => {
    const results = await checks(String.raw`
      (check "intersperse default space" "a b c" (string-intersperse '("a" "b" "c")))
      (check "intersperse delimiter" "a, b" (string-intersperse '("a" "b") ", "))
      (check "intersperse empty list" "" (string-intersperse '()))
      (check "intersperse one" "a" (string-intersperse '("a") "-"))
      (check "join (SRFI-13 order)" "a-b" (string-join '("a" "b") "-"))
      (check "join default space" "a b" (string-join '("a" "b")))
    `);
    expectAll(results, 6);
  });

  it('string-split: (string-split STRING [DELIMITER-CHARS [KEEPEMPTY]])', async () => {
    const results = await checks(String.raw`
      (check "whitespace by default" '("a" "b" "c") (string-split "  a \t b\nc  "))
      (check "delimiter" '("a" "b" "c") (string-split "a,b,c" ","))
      (check "empty fields dropped" '("a" "b" "c") (string-split "a,b,,c," ","))
      (check "a set of delimiter characters" '("a" "b" "c" "d") (string-split "a,b;c d" ",; "))
      (check "keepempty" '("a" "b" "" "c") (string-split "a,b,,c" "," #t))
      (check "keepempty, trailing" '("a" "") (string-split "a," "," #t))
      (check "keepempty, leading" '("" "a") (string-split ",a" "," #t))
      (check "keepempty of the empty string" '("") (string-split "" "," #t))
      (check "the empty string" '() (string-split ""))
      (check "only delimiters" '() (string-split ",,," ","))
      (check "a header line" '("Content-Type" " text/html") (string-split "Content-Type: text/html" ":"))
      (check-error "not a string" (lambda () (string-split 'abc)))
    `);
    expectAll(results, 12);
  });

  it('string-index, string-search (regex, CHICKEN), string-contains, prefix and suffix', async () => {
    const results = await checks(String.raw`
      (check "index of a char" 2 (string-index "hello" #\l))
      (check "index with a predicate" 1 (string-index "a1b" char-numeric?))
      (check "index missing" #f (string-index "hello" #\z))
      (check "index from start" 3 (string-index "hello" #\l 3))
      (check "search returns the match" '("ll") (string-search "ll" "hello"))
      (check "search with submatches" '("k=v" "k" "v") (string-search "([a-z]+)=([a-z]+)" "x k=v y"))
      (check "search: unmatched submatch is #f" '("ab" "a" #f) (string-search "(a)(x)?b" "zab"))
      (check "search fails" #f (string-search "zz" "hello"))
      (check "search from START" '("l") (string-search "l" "hello" 3))
      (check "search a LIPS regex" '("L") (string-search #/l/i "heLlo"))
      (check "search positions" '((2 4) (3 4)) (string-search-positions "l(l)" "hello"))
      (check "string-match anchors both ends" #f (string-match "ell" "hello"))
      (check "string-match" '("hello" "ell") (string-match "h(.*)o" "hello"))
      (check "string-contains gives the index" 2 (string-contains "hello" "ll"))
      (check "string-contains fails" #f (string-contains "hello" "x"))
      (check "prefix" #t (string-prefix? "he" "hello"))
      (check "not prefix" #f (string-prefix? "lo" "hello"))
      (check "suffix" #t (string-suffix? "lo" "hello"))
      (check "not suffix" #f (string-suffix? "he" "hello"))
      (check "empty prefix" #t (string-prefix? "" "x"))
    `);
    expectAll(results, 20);
  });

  it('string-length counts characters (bytes on the compiled engine), not UTF-16 units', async () => {
    const results = await checks(String.raw`
      (check "astral" ${compiled ? 5 : 2} (string-length "a😀"))
      (check "ascii" 5 (string-length "hello"))
    `);
    expectAll(results, 2);
  });
});

describe('a-lists', () => {
  it('alist-ref with and without TEST and DEFAULT', async () => {
    const results = await checks(String.raw`
      (define al '((a . 1) (b . 2) (3 . three) (#\c . char)))
      (check "symbol key (eqv?)" 2 (alist-ref 'b al))
      (check "number key" 'three (alist-ref 3 al))
      (check "char key" 'char (alist-ref #\c al))
      (check "missing: #f" #f (alist-ref 'z al))
      (check "missing with default" 'none (alist-ref 'z al eqv? 'none))
      (check "TEST string=?" "v" (alist-ref "k" '(("j" . "u") ("k" . "v")) string=?))
      (check "TEST equal? on lists" 'found (alist-ref '(1 2) '(((1 2) . found)) equal?))
      (check "string keys without TEST" "v" (alist-ref "k" '(("k" . "v"))))
      (check "the first match wins" 1 (alist-ref 'a '((a . 1) (a . 2))))
      (check "a header a-list from http" "23" (alist-ref "content-length" (list (cons "content-length" "23")) string=?))
    `);
    expectAll(results, 10);
  });

  it('alist-update! sets an existing entry or adds one in front', async () => {
    const results = await checks(String.raw`
      (define al (list (cons 'a 1) (cons 'b 2)))
      (define same (alist-update! 'b 20 al))
      (check "updated in place" '((a . 1) (b . 20)) al)
      (check "returns the a-list" #t (eq? same al))
      (define more (alist-update! 'c 3 al))
      (check "added in front" '((c . 3) (a . 1) (b . 20)) more)
      (check "with TEST" '(("k" . "new")) (alist-update! "k" "new" (list (cons "k" "old")) string=?))
      (check "to the empty list" '((x . 1)) (alist-update! 'x 1 '()))
    `);
    expectAll(results, 5);
  });
});

describe('misc', () => {
  it('current-milliseconds and current-seconds read the clock', async () => {
    const before = Date.now();
    const results = await checks(String.raw`
      (define ms (current-milliseconds))
      (check "current-milliseconds agrees with current-seconds" #t (< (abs (- ms (* 1000 (current-seconds)))) 2000))
      (check "current-seconds is an integer" #t (integer? (current-seconds)))
      (check "ms" #t (number? ms))
    `);
    expectAll(results, 3);
    const ms = Number(await run('(current-milliseconds)'));
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThan(before + 10_000);
  });
});
