/**
 * SRFI-12 conditions as CHICKEN has them (src/scheme/library/control.ts, scheme/library/conditions.scm):
 * making and inspecting conditions, condition-case, handle-exceptions, with-exception-handler
 * with continuable `signal`, print-error-message, parameters with guards. Each case is Scheme
 * source and what csi shows for it: the `write` text of the value, the condition as
 * `ERR (kinds) (location) message (arguments)`, or `RAISED X` for a non-condition not caught.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evalSource } from '../../../src/scheme/engine.js';
import type { Engine } from '../../../src/scheme/compiler/index.js';
import { Raised } from '../../../src/scheme/runtime/errors.js';
import { writeString } from '../../../src/scheme/runtime/printer.js';
import { showResult, raisedBy, engineWithWait } from './support.js';

let engine: Engine;

beforeAll(async () => {
  engine = await engineWithWait();
}, 30_000);

/** As support.ts's showResult, and `RAISED X` for a non-condition X raised and not caught. */
async function show(src: string): Promise<string> {
  try {
    return await showResult(engine, src);
  } catch (e) {
    if (e instanceof Raised) return `RAISED ${writeString(e.payload)}`;
    throw e;
  }
}

/** Produced by CHICKEN 5's csi (test cases run through a with-exception-handler that formats as above). */
const CSI: Array<[string, string]> = [
  ["(define c (make-composite-condition (make-property-condition 'exn 'message \"not found\" 'arguments '(\"/x\") 'location 'fetch) (make-property-condition 'http 'code 404))) (list (condition? c) ((condition-predicate 'http) c) ((condition-predicate 'exn) c) ((condition-predicate 'other) c))", "(#t #t #t #f)"],
  ["(define c (make-composite-condition (make-property-condition 'exn 'message \"not found\" 'arguments '(\"/x\") 'location 'fetch) (make-property-condition 'http 'code 404))) (condition-case (signal c) (e (exn http) (list 'caught ((condition-property-accessor 'http 'code) e) ((condition-property-accessor 'exn 'message) e))))", "(caught 404 \"not found\")"],
  ["(define c (make-composite-condition (make-property-condition 'exn 'message \"not found\" 'arguments '(\"/x\") 'location 'fetch) (make-property-condition 'http 'code 404))) (abort c)", "ERR (exn http) (fetch) not found (\"/x\")"],
  ["(define c (make-composite-condition (make-property-condition 'exn 'message \"not found\" 'arguments '(\"/x\") 'location 'fetch) (make-property-condition 'http 'code 404))) (condition->list c)", "((exn message \"not found\" arguments (\"/x\") location fetch) (http code 404))"],
  ["(condition-case (abort (make-property-condition 'http 'code 500)) ((exn) 'exn) ((http) 'http))", "http"],
  ["(condition-case (error 'proc \"msg\" 1 2) (e (exn) (list ((condition-property-accessor 'exn 'location) e) ((condition-property-accessor 'exn 'message) e) ((condition-property-accessor 'exn 'arguments) e))))", "(proc \"msg\" (1 2))"],
  ["(condition-case (error \"msg\" 'a) (e () (list (get-condition-property e 'exn 'location) (get-condition-property e 'exn 'arguments))))", "(#f (a))"],
  ["(error 'proc \"msg\" 1 2)", "ERR (exn) (proc) msg (1 2)"],
  ["(error \"plain\")", "ERR (exn) (#f) plain ()"],
  ["(condition-case (car 1) (e (exn type) 'type))", "type"],
  ["(condition-case ((lambda (x) x)) (e (exn arity) 'arity))", "arity"],
  ["(condition-case (vector-ref (vector) 1) (e (exn bounds) 'bounds))", "bounds"],
  ["(condition-case (/ 1 0) (e (exn arithmetic) 'arithmetic))", "arithmetic"],
  ["(condition-case (an-unbound-variable) (e (exn runtime) 'runtime))", "runtime"],
  ["(condition-case (abort 'sym) (e () (list 'any e)))", "(any sym)"],
  ["(condition-case (abort 'sym) ((exn) 'exn))", "RAISED sym"],
  ["((condition-property-accessor 'http 'code) (make-property-condition 'http 'code 1))", "1"],
  ["((condition-property-accessor 'http 'nope 'dflt) (make-property-condition 'http 'code 1))", "dflt"],
  ["((condition-property-accessor 'http 'nope) (make-property-condition 'http 'code 1))", "ERR (exn type) (condition-property-accessor) condition has no such property (nope)"],
  ["((condition-property-accessor 'other 'code) (make-property-condition 'http 'code 1))", "#f"],
  ["((condition-property-accessor 'http 'code) 5)", "ERR (exn type) (#f) bad argument type - not a structure of the required type (5 condition)"],
  ["(list ((condition-predicate 'http) 5) (condition? 5) (condition? 'exn))", "(#f #f #f)"],
  ["(get-condition-property (make-property-condition 'http 'code 1) 'http 'code)", "1"],
  ["(get-condition-property (make-property-condition 'http 'code 1) 'http 'zz 'd)", "d"],
  ["(get-condition-property (make-property-condition 'http 'code 1) 'http 'zz)", "ERR (exn type) (condition-property-accessor) condition has no such property (zz)"],
  ["(make-property-condition 'a 'b)", "ERR (exn type) (make-property-condition) argument is not an even property list ((b))"],
  ["(make-composite-condition 5)", "ERR (exn type) (make-composite-condition) bad argument type - not a structure of the required type (5 condition)"],
  ["((condition-property-accessor 'a 'x) (make-composite-condition (make-property-condition 'a 'x 1) (make-property-condition 'a 'x 2)))", "1"],
  ["(make-property-condition 'exn 'message \"m\")", "#<condition: (exn)>"],
  ["(with-exception-handler (lambda (e) 10) (lambda () (+ 1 (signal 'continuable))))", "11"],
  ["(with-exception-handler (lambda (e) (* e 2)) (lambda () (list 'got (signal 21))))", "(got 42)"],
  ["(call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k (list 'escaped e))) (lambda () (+ 1 (abort 'x))))))", "(escaped x)"],
  ["(call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k (list 'escaped (condition? e) ((condition-property-accessor 'exn 'message) e)))) (lambda () (error \"boom\")))))", "(escaped #t \"boom\")"],
  ["(call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k ((condition-property-accessor 'exn 'location) e))) (lambda () (car 5)))))", "car"],
  ["(with-exception-handler (lambda (e) 'outer) (lambda () (handle-exceptions x (list 'inner x) (signal 5))))", "(inner 5)"],
  ["(with-exception-handler (lambda (e) 'outer) (lambda () (condition-case (signal 5) (x () (list 'inner x)))))", "(inner 5)"],
  ["(handle-exceptions x (list 'outer x) (with-exception-handler (lambda (e) (* e 3)) (lambda () (+ 1 (signal 2)))))", "7"],
  ["(let ((log '())) (list (with-exception-handler (lambda (e) (set! log (cons e log)) 0) (lambda () (+ (signal 1) (signal 2) (signal 3)))) log))", "(0 (3 2 1))"],
  ["(define p (make-parameter 'outside)) (call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k (p))) (lambda () (parameterize ((p 'inside)) (signal 'x))))))", "inside"],
  ["(procedure? (current-exception-handler))", "#t"],
  ["(handle-exceptions e (list 'outer e) (let ((orig (current-exception-handler))) (with-exception-handler (lambda (e) (orig (list 'wrapped e))) (lambda () (abort 'x)))))", "(outer (wrapped x))"],
  ["(with-output-to-string (lambda () (print-error-message (make-composite-condition (make-property-condition 'exn 'message \"m\" 'arguments '(1 \"two\") 'location 'x) (make-property-condition 'http 'code 404)) (current-output-port))))", "\"\\nError: (x) m\\n1\\n\\\"two\\\"\\n\""],
  ["(with-output-to-string (lambda () (print-error-message (make-property-condition 'exn 'message \"one\" 'arguments '(\"s\")) (current-output-port) \"Warning\")))", "\"\\nWarning: one: \\\"s\\\"\\n\""],
  ["(with-output-to-string (lambda () (print-error-message (make-property-condition 'exn 'message \"no args\") (current-output-port))))", "\"\\nError: no args\""],
  ["(with-output-to-string (lambda () (print-error-message (make-property-condition 'foo 'a 1) (current-output-port))))", "\"\\nError: <condition> (foo)\""],
  ["(with-output-to-string (lambda () (print-error-message 'sym (current-output-port))))", "\"\\nError: uncaught exception: sym\\n\""],
  ["(with-output-to-string (lambda () (print-error-message \"a string\")))", "\"\\nError: a string\\n\""],
  ["(with-output-to-string (lambda () (print-error-message (condition-case (car 1) (e () e)))))", "\"\\nError: (car) bad argument type: 1\\n\""],
  ["(with-output-to-string (lambda () (print-error-message (condition-case (error 'loc \"msg\") (e () e)))))", "\"\\nError: (loc) msg\\n\""],
  ["(with-output-to-string (lambda () (print-error-message (condition-case (error 42 \"x\") (e () e)))))", "\"\\nError: 42: \\\"x\\\"\\n\""],
  ["(define mp (make-parameter 5 (lambda (x) (* x 2)))) (list (mp) (begin (mp 7) (mp)) (parameterize ((mp 1)) (mp)) (mp))", "(10 14 2 14)"],
  ["(define mp2 (make-parameter 1 (lambda (x) (if (number? x) x (error 'mp2 \"not a number\" x))))) (mp2 'a)", "ERR (exn) (mp2) not a number (a)"],
  ["(parameterize ((5 1)) 1)", "ERR (exn type) (#f) call of non-procedure (5)"],
  ["(define pe (make-parameter 1)) (handle-exceptions e (pe) (parameterize ((pe 2)) (error \"x\")))", "1"],
];

/**
 * Where csi 5 cannot serve: in CHICKEN a handler runs with itself as the current handler, so a
 * handler that raises again, or returns from `abort`/`error`, loops for ever (csi hangs on each
 * of these). We follow SRFI-18/R7RS there: the handler runs with the handler that was current
 * when it was installed, and returning from a non-continuable raise is an error
 * ("exception handler returned", as CHICKEN's abort raises it), given to that outer handler.
 */
const OURS: Array<[string, string]> = [
  ['(with-exception-handler (lambda (e) 1) (lambda () (with-exception-handler (lambda (e) (signal (+ e 1))) (lambda () (signal 5)))))', '1'],
  ['(with-exception-handler (lambda (e) (* e 10)) (lambda () (with-exception-handler (lambda (e) (+ 1 ((current-exception-handler) e))) (lambda () (signal 5)))))', '51'],
  ['(handle-exceptions e (list \'outer (condition? e) ((condition-property-accessor \'exn \'message) e)) (with-exception-handler (lambda (e) \'returned) (lambda () (abort \'x))))', '(outer #t "exception handler returned")'],
  ['(handle-exceptions e ((condition-property-accessor \'exn \'message) e) (with-exception-handler (lambda (e) \'returned) (lambda () (error "err"))))', '"exception handler returned"'],
  ['(handle-exceptions e ((condition-property-accessor \'exn \'message) e) (with-exception-handler (lambda (e) \'returned) (lambda () (car 1))))', '"exception handler returned"'],
  ['(handle-exceptions x (list \'hx x) (with-exception-handler (lambda (e) (abort (list \'wrapped e))) (lambda () (signal 5))))', '(hx (wrapped 5))'],
  // A TypeScript procedure's error reaches the handler once, and an error in the handler goes out.
  ['(let ((n 0)) (handle-exceptions e (list n (get-condition-property e \'exn \'location)) (with-exception-handler (lambda (e) (set! n (+ n 1)) (cdr 1)) (lambda () (car 1)))))', '(1 cdr)'],
  ['(let ((n 0)) (handle-exceptions e (list n e) (with-exception-handler (lambda (e) (set! n (+ n 1)) (abort \'again)) (lambda () (abort \'first)))))', '(1 again)'],
  // raise-continuable (R7RS) is signal; raise is abort.
  ['(with-exception-handler (lambda (e) (+ e 1)) (lambda () (* 2 (raise-continuable 20))))', '42'],
  ['(call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k (list \'raised e))) (lambda () (raise 1)))))', '(raised 1)'],
  // A handler may wait for I/O where the signal was raised.
  ['(with-exception-handler (lambda (e) (wait (* e 2))) (lambda () (+ 1 (signal 20))))', '41'],
  ['(with-exception-handler 5 (lambda () 1))', 'ERR (exn type) (with-exception-handler) bad argument type - not a procedure (5)'],
  // csi 5 lacks raise without (scheme base); csi keeps two "a" kinds in condition->list.
  ['(condition->list (make-composite-condition (make-property-condition \'a \'x 1) (make-property-condition \'b)))', '((a x 1) (b))'],
  ['(make-composite-condition)', 'ERR (exn arity) (#f) bad argument count - received 0 but expected at least 1 (#<procedure (make-composite-condition)>)'],
];

describe('conditions, as csi 5', () => {
  for (const [src, expected] of CSI) it(src, async () => expect(await show(src)).toBe(expected));
});

describe('exception handlers where csi 5 loops (SRFI-18/R7RS semantics)', () => {
  for (const [src, expected] of OURS) it(src, async () => expect(await show(src)).toBe(expected));
});

describe('the dynamic state of handlers', () => {
  it('is restored after with-exception-handler, normally and by an escape', async () => {
    expect(await show('(list (with-exception-handler (lambda (e) 1) (lambda () 2)) (condition-case (signal \'x) (e () (list \'caught e))))')).toBe('(2 (caught x))');
    expect(await show('(call-with-current-continuation (lambda (k) (with-exception-handler (lambda (e) (k 1)) (lambda () (signal 0))))) (condition-case (signal \'y) (e () e))')).toBe('y');
  });

  it('keeps a handler across a suspension (a wait inside the thunk)', async () => {
    expect(await show('(with-exception-handler (lambda (e) (* e 3)) (lambda () (wait 1) (+ 1 (signal (wait 2)))))')).toBe('7');
  });

  it('gives a thread none of its creator\'s handlers, and its own parameter values', async () => {
    const src = `(define tp (make-parameter 1))
      (define th (with-exception-handler (lambda (e) 'creator) (lambda () (make-thread (lambda () (tp 2) (list (tp) (condition-case (signal 'x) (e () (list 'thread-caught e)))))))))
      (thread-start! th)
      (list (thread-join! th) (tp))`;
    expect(await show(src)).toBe('((2 (thread-caught x)) 1)');
    const inherited = `(define tq (make-parameter 'global))
      (define th2 (parameterize ((tq 'creator)) (make-thread (lambda () (let ((a (tq))) (tq 'thread) (list a (tq)))))))
      (thread-start! th2)
      (list (thread-join! th2) (tq))`;
    expect(await show(inherited)).toBe('((creator thread) global)');
  });

  it('print-error-message writes to the current output port by default', async () => {
    await evalSource(engine, '(define pem-out (open-output-string))');
    expect(await show('(with-output-to-port pem-out (lambda () (print-error-message (make-property-condition \'exn \'message "m" \'arguments \'()))))  (get-output-string pem-out)')).toBe('"\\nError: m\\n"');
  });

  it('error conditions carry CHICKEN 3\'s location argument', async () => {
    const e = await raisedBy(engine, '(error \'my-proc "failed" 1)');
    expect([e.kinds, e.location, e.message, e.args]).toEqual([['exn'], 'my-proc', 'failed', [1]]);
  });
});
