/**
 * CHICKEN's condition system over LIPS's raise: handle-exceptions, condition-case (kinds, a
 * clause with a variable, no match re-raises), error with and without a location,
 * get-condition-property, condition-property-accessor, condition-predicate, condition->list,
 * signal and abort.
 */
import { describe, expect, it } from 'vitest';
import { checks, run } from '../../support/scheme.js';
import { expectAll } from '../support.js';

describe('handle-exceptions', () => {
  it('evaluates the handler with the condition bound, or the body\'s value', async () => {
    const results = await checks(String.raw`
      (check "body value when nothing is raised" 3 (handle-exceptions e 'handler (+ 1 2)))
      (check "handler value" '(caught "boom") (handle-exceptions e (list 'caught (get-condition-property e 'exn 'message)) (error "boom" 1 2)))
      (check "a raised non-condition" 'sym (handle-exceptions e e (raise 'sym)))
      (check "a LIPS runtime error" #t (handle-exceptions e (condition? e) (car '())))
      (check "a TypeScript procedure's error" #t (handle-exceptions e (condition? e) (add1 "x")))
      (check "body sequence" 2 (handle-exceptions e 'no (define x 1) (+ x 1)))
      (check "nested: the inner handler" 'inner (handle-exceptions e 'outer (handle-exceptions e 'inner (error "x"))))
      (check "re-raise from the handler reaches the outer one" 'outer (handle-exceptions e 'outer (handle-exceptions e (raise e) (error "x"))))
      (check "an error after a suspension" "late" (handle-exceptions e (get-condition-property e 'exn 'message) (thread-sleep! 0.01) (error "late")))
    `);
    expectAll(results, 9);
  });
});

describe('condition-case', () => {
  it('matches kinds, binds a variable, and re-raises when no clause matches', async () => {
    const results = await checks(String.raw`
      (check "exn kind" 'exn (condition-case (error "msg") ((exn) 'exn)))
      (check "clause with a variable, on (error \"msg\" 1 2)"
        '("msg" (1 2) "msg" (1 2))
        (condition-case (error "msg" 1 2)
          (e (exn) (list (get-condition-property e 'exn 'message)
                         (get-condition-property e 'exn 'arguments)
                         ((condition-property-accessor 'exn 'message) e)
                         ((condition-property-accessor 'exn 'arguments) e)))))
      (check "value of the expression when nothing is raised" 42 (condition-case 42 ((exn) 'no)))
      (check "a runtime error is exn" 'car (condition-case (car 1) ((exn) 'car)))
      (check "a type error is (exn type)" 'type (condition-case (add1 'x) ((exn type) 'type) ((exn) 'exn)))
      (check "the first matching clause wins" 'first (condition-case (error "x") ((exn) 'first) ((exn) 'second)))
      (check "(var () …) catches everything" '(any sym) (condition-case (raise 'sym) ((exn) 'no) (e () (list 'any e))))
      (check "a non-condition is not exn" 'other (condition-case (raise 42) ((exn) 'exn) (() 'other)))
      (check "no matching clause re-raises"
        '(reraised "inner")
        (handle-exceptions e (list 'reraised (get-condition-property e 'exn 'message))
          (condition-case (error "inner") ((http) 'no))))
      (check "a kind list needs every kind" 'exn-only (condition-case (error "x") ((exn http) 'both) ((exn) 'exn-only)))
      (check "an http client error is (exn http)" 'http
        (condition-case (http:GET "127.0.0.1:1/") ((exn http) 'http) ((exn) 'exn)))
      (check "body of several forms" 3 (condition-case (error "x") ((exn) 1 2 3)))
    `);
    expectAll(results, 12);
  });

  it('an uncaught raise from condition-case reaches the caller', async () => {
    await expect(run('(condition-case (error "escapes" 7) ((http) (quote no)))')).rejects.toThrow('escapes');
  });
});

describe('error and condition properties', () => {
  it('error with a location; properties, accessors, predicates, condition->list', async () => {
    const results = await checks(String.raw`
      (define e1 (condition-case (error 'my-proc "went wrong" 1 "two") (e () e)))
      (check "location" 'my-proc (get-condition-property e1 'exn 'location))
      (check "message after a location" "went wrong" (get-condition-property e1 'exn 'message))
      (check "arguments" '(1 "two") (get-condition-property e1 'exn 'arguments))
      (define e2 (condition-case (error "plain") (e () e)))
      (check "no location" #f (get-condition-property e2 'exn 'location))
      (check "no arguments" '() (get-condition-property e2 'exn 'arguments))
      (check "R7RS error-object-message" "plain" (error-object-message e2))
      (check "R7RS error-object-irritants" '(1 "two") (error-object-irritants e1))
      (check "error-object?" #t (error-object? e1))
      (check "condition?" #t (condition? e1))
      (check "condition? of a symbol" #f (condition? 'x))
      (check "condition-predicate exn" #t ((condition-predicate 'exn) e1))
      (check "condition-predicate http" #f ((condition-predicate 'http) e1))
      (check "a kind the condition lacks: #f, default or not (as csi)" #f (get-condition-property e1 'http 'status 'dflt))
      (check "the same through an accessor" #f ((condition-property-accessor 'http 'status 'd) e1))
      (check "a missing property of its kind: the default" 'dflt (get-condition-property e1 'exn 'status 'dflt))
      (check-error "a missing property of its kind without default" (lambda () (get-condition-property e1 'exn 'status)))
      (check "condition->list" '((exn message "went wrong" arguments (1 "two") location my-proc)) (condition->list e1))
      (check "a symbol alone is the message" "oops" (condition-case (error 'oops) (e () (get-condition-property e 'exn 'message))))
    `);
    expectAll(results, 18);
  });

  it('signal and abort raise their argument as it is', async () => {
    const results = await checks(String.raw`
      (check "signal" 'sig (handle-exceptions e e (signal 'sig)))
      (check "abort" '(a b) (handle-exceptions e e (abort '(a b))))
      (check "signal a condition" "m" (condition-case (signal (condition-case (error "m") (e () e))) (e (exn) (get-condition-property e 'exn 'message))))
    `);
    expectAll(results, 3);
  });
});
