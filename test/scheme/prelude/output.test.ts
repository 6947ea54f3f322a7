/**
 * The prelude's output procedures with CHICKEN's behaviour, captured through string ports:
 * print, print*, display/write/newline with and without a port, write-string, write-char,
 * write-line, pretty-print/pp (CHICKEN's layout, width 79), printf/fprintf/sprintf/format,
 * with-output-to-string (nested, inside parameterize, across a suspension and a thread),
 * call-with-output-string, and current-output-port as a parameter.
 */
import { describe, expect, it } from 'vitest';
import { checks, run } from '../../support/scheme.js';
import { expectAll } from '../support.js';

/** What THUNK-BODY writes to the current output port. */
async function output(body: string): Promise<string> {
  return String(await run(`(with-output-to-string (lambda () ${body}))`));
}

describe('print and print*', () => {
  it('print displays every argument, then one newline', async () => {
    expect(await output('(print "a" 1 \'b "c" #\\d 2.5 \'(1 "x"))')).toBe('a1bcd2.5(1 x)\n');
    expect(await output('(print)')).toBe('\n');
    expect(await output('(print "x") (print "y")')).toBe('x\ny\n');
  });

  it('print* displays every argument with no newline', async () => {
    expect(await output('(print* "a" 1 \'b) (print* "c")')).toBe('a1bc');
  });

  it('the seed handler line: numbers and CR LF as written', async () => {
    expect(await output(String.raw`(print "Content-length: " (add1 (string-length "abc")) "\r\n\r\n" "abc")`)).toBe('Content-length: 4\r\n\r\nabc\n');
  });
});

describe('display, write, newline, write-string, write-char, write-line', () => {
  it('write to the current output port without a port argument', async () => {
    expect(await output(String.raw`(display "d") (write "w") (newline) (write 'sym) (display #\c) (write #\c) (write-string "ws") (write-char #\x) (write-line "wl") (display '(1 "two" #\3))`))
      .toBe('d"w"\nsym' + 'c#\\cwsxwl\n(1 two 3)');
  });

  it('write to the port given', async () => {
    const results = await checks(String.raw`
      (define p (open-output-string))
      (display "d" p) (write "w" p) (newline p) (write-string "ws" p) (write-char #\x p) (write-line "wl" p)
      (check "every procedure to port P" "d\"w\"\nwsxwl\n" (get-output-string p))
      (check "nothing went to the current output" "" (with-output-to-string (lambda () (display "d" p) (write-line "l" p))))
      (define q (open-output-string))
      (write-string "abcdef" 3 q)
      (check "CHICKEN (write-string S N PORT)" "abc" (get-output-string q))
      (define r (open-output-string))
      (write-string "abcdef" r 2 4)
      (check "R7RS (write-string S PORT START END)" "cd" (get-output-string r))
      (check-error "write-char of a string" (lambda () (write-char "ab" p)))
      (check-error "display to a non-port" (lambda () (display "x" 42)))
    `);
    expectAll(results, 6);
  });

  it('write escapes a newline inside a string, as CHICKEN does', async () => {
    expect(await output(String.raw`(write "a\nb\t\"q\"\\")`)).toBe(String.raw`"a\nb\t\"q\"\\"`);
    expect(await output(String.raw`(write '("x\ny" #\newline))`)).toBe(String.raw`("x\ny" #\newline)`);
    expect(await output(String.raw`(printf "~s" "l1\nl2")`)).toBe(String.raw`"l1\nl2"`);
    expect(await output(String.raw`(display "a\nb")`)).toBe('a\nb');
  });

  it('current-error-port is a port', async () => {
    const results = await checks('(check "output-port?" #t (output-port? (current-error-port)))');
    expectAll(results, 1);
  });
});

describe('pretty-print and pp', () => {
  it('write the form, then a newline', async () => {
    expect(await output('(pp \'(a "b" #\\c 1.5))')).toBe('(a "b" #\\c 1.5)\n');
    expect(await output('(pretty-print "str")')).toBe('"str"\n');
    expect(await output("(pp ''x)")).toBe("'x\n");
    expect(await output("(pp '(a . b))")).toBe('(a . b)\n');
  });

  it('keep a form of 79 characters on one line and break one of 80', async () => {
    const fits = `(${'x'.repeat(77)})`;
    expect(fits).toHaveLength(79);
    expect(await output(`(pp '${fits})`)).toBe(fits + '\n');
    const list80 = `("${'a'.repeat(36)}" "${'b'.repeat(37)}")`;
    expect(list80).toHaveLength(80);
    expect(await output(`(pp '${list80})`)).toBe(`("${'a'.repeat(36)}"\n "${'b'.repeat(37)}")\n`);
  });

  it('put the elements of a long data list one per line', async () => {
    const text = await output("(pp (let loop ((i 39) (acc '())) (if (< i 0) acc (loop (- i 1) (cons i acc)))))");
    const lines = text.split('\n');
    expect(lines[0]).toBe('(0');
    expect(lines[1]).toBe(' 1');
    expect(lines[39]).toBe(' 39)');
    expect(lines).toHaveLength(41);
  });

  it('align a call\'s arguments under the first, and indent define bodies by 2', async () => {
    expect(await output(`(pp '(foo "${'a'.repeat(40)}" "${'b'.repeat(40)}" 'x))`)).toBe(`(foo "${'a'.repeat(40)}"\n     "${'b'.repeat(40)}"\n     'x)\n`);
    expect(await output(`(pp '(define (f x) (display "${'a'.repeat(40)}") (display "${'b'.repeat(40)}")))`))
      .toBe(`(define (f x)\n  (display "${'a'.repeat(40)}")\n  (display "${'b'.repeat(40)}"))\n`);
  });

  it('write to the port given', async () => {
    const results = await checks(String.raw`
      (define p (open-output-string))
      (pp '(1 2) p)
      (pretty-print 'x p)
      (check "pp to a port" "(1 2)\nx\n" (get-output-string p))
    `);
    expectAll(results, 1);
  });
});

describe('printf, fprintf, sprintf, format', () => {
  it('~a ~s ~% ~A ~S ~~ and friends', async () => {
    const results = await checks(String.raw`
      (check "sprintf ~a ~s" "x \"y\" z" (sprintf "~a ~s ~a" "x" "y" 'z))
      (check "upper case directives" "x \"y\"\n" (sprintf "~A ~S~%" "x" "y"))
      (check "~~" "~" (sprintf "~~"))
      (check "numbers" "1 2.5 255 ff 11 101" (sprintf "~a ~a ~a ~x ~o ~b" 1 2.5 255 255 9 5))
      (check "a list with ~s" "(\"a\" b)" (sprintf "~s" '("a" b)))
      (check "printf to the current output" "n=1\n" (with-output-to-string (lambda () (printf "n=~a~%" 1))))
      (define p (open-output-string))
      (fprintf p "~a-~s" 1 "2")
      (check "fprintf to a port" "1-\"2\"" (get-output-string p))
      (check "format #f returns a string" "1-\"2\"" (format #f "~a-~s" 1 "2"))
      (check "format with a string first returns a string" "v=3" (format "v=~a" 3))
      (check "format #t writes to the current output" "hi 3\n" (with-output-to-string (lambda () (format #t "hi ~a~%" 3))))
      (define q (open-output-string))
      (format q "to ~a" 'port)
      (check "format to a port" "to port" (get-output-string q))
      (check-error "too few arguments" (lambda () (sprintf "~a ~a" 1)))
      (check-error "unknown directive" (lambda () (sprintf "~q" 1)))
    `);
    expectAll(results, 13);
  });
});

describe('with-output-to-string, call-with-output-string, current-output-port', () => {
  it('capture output, nested, inside parameterize, through procedures and callbacks', async () => {
    const results = await checks(String.raw`
      (check "simple" "hi" (with-output-to-string (lambda () (display "hi"))))
      (check "nested: the inner capture does not leak out"
        "<in><inner>"
        (with-output-to-string (lambda () (display "<in") (let ((s (with-output-to-string (lambda () (display "inner"))))) (display "><") (display s) (display ">")))))
      (define q (open-output-string))
      (define got (parameterize ((current-output-port q))
                    (display "before ")
                    (let ((s (with-output-to-string (lambda () (display "captured")))))
                      (display "after")
                      s)))
      (check "inside parameterize: the capture" "captured" got)
      (check "inside parameterize: the parameterized port" "before after" (get-output-string q))
      (define (speak) (display "from a procedure defined elsewhere"))
      (check "a procedure defined outside" "from a procedure defined elsewhere" (with-output-to-string speak))
      (check "for-each and map callbacks" "123\n4\n" (with-output-to-string (lambda () (for-each display '(1 2 3)) (newline) (map print '(4)))))
      (check "apply" "applied" (with-output-to-string (lambda () (apply display '("applied")))))
      (check "across a suspension" "before-after" (with-output-to-string (lambda () (display "before-") (thread-sleep! 0.01) (display "after"))))
      (check "a thread made inside writes to the capture" "thr" (with-output-to-string (lambda () (thread-join! (thread-start! (make-thread (lambda () (display "thr"))))))))
      (check "call-with-output-string" "x\n" (call-with-output-string (lambda (port) (write 'x port) (newline port))))
      (check "call-with-output-string leaves the current output alone" "" (with-output-to-string (lambda () (call-with-output-string (lambda (port) (display "p" port))))))
    `);
    expectAll(results, 11);
  });

  it('current-output-port is a parameter: read, parameterize, with-output-to-port', async () => {
    const results = await checks(String.raw`
      (check "an output port" #t (output-port? (current-output-port)))
      (check "the same port twice" #t (eq? (current-output-port) (current-output-port)))
      (define p (open-output-string))
      (parameterize ((current-output-port p))
        (check "parameterized" #t (eq? p (current-output-port)))
        (display "a")
        (print "b")
        (write-string "c")
        (printf "~a" "d")
        (pp '(e))
        (display "f" (current-output-port)))
      (check "everything went to P" "ab\nc" (substring (get-output-string p) 0 4))
      (check "all of it" "ab\ncd(e)\nf" (get-output-string p))
      (check "restored after parameterize" #f (eq? p (current-output-port)))
      (define w (open-output-string))
      (with-output-to-port w (lambda () (display "wop")))
      (check "with-output-to-port" "wop" (get-output-string w))
    `);
    expectAll(results, 7);
  });

  it('string ports: open-output-string, get-output-string, open-input-string', async () => {
    const results = await checks(String.raw`
      (define p (open-output-string))
      (display "ab" p)
      (check "get-output-string" "ab" (get-output-string p))
      (display "c" p)
      (check "get-output-string again accumulates" "abc" (get-output-string p))
      (check-error "get-output-string of a non-string port" (lambda () (get-output-string (current-output-port))))
    `);
    expectAll(results, 3);
  });
});
