/**
 * SRFI-18 threads with CHICKEN's behaviour: make-thread, thread-start!, thread-join! (its result;
 * a timeout with and without a default; a thread that raised makes join raise an
 * uncaught-exception condition), thread-sleep!, thread-yield!, current-thread, thread states,
 * thread-terminate!, mutexes and condition variables; and a server in a thread with a client in
 * the main thread of one program.
 */
import { afterAll, describe, it } from 'vitest';
import { checks, stopRunningServers } from '../../support/scheme.js';
import { expectAll, freePort } from '../support.js';

afterAll(stopRunningServers);

describe('threads', () => {
  it('make-thread, thread-start!, thread-join! return the thunk\'s value; threads run concurrently', async () => {
    const results = await checks(String.raw`
      (define t (make-thread (lambda () (thread-sleep! 0.02) 42)))
      (check "not started" 'created (thread-state t))
      (check "thread-start! returns the thread" #t (eq? t (thread-start! t)))
      (check "join" 42 (thread-join! t))
      (check "dead after returning" 'dead (thread-state t))
      (check "join again" 42 (thread-join! t))
      (check-error "start twice" (lambda () (thread-start! t)))
      (define started (current-milliseconds))
      (define ts (map (lambda (i) (thread-start! (make-thread (lambda () (thread-sleep! 0.2) i)))) '(1 2 3 4 5)))
      (check "five joins" '(1 2 3 4 5) (map thread-join! ts))
      (check "five 0.2 s sleeps overlap" #t (< (- (current-milliseconds) started) 900))
      (check "multiple values" '(1 2) (call-with-values (lambda () (thread-join! (thread-start! (make-thread (lambda () (values 1 2)))))) list))
      (check-error "make-thread of a non-procedure" (lambda () (make-thread 5)))
    `);
    expectAll(results, 10);
  });

  it('thread-join! with a timeout: the default value, or a join-timeout-exception', async () => {
    const results = await checks(String.raw`
      (define slow (thread-start! (make-thread (lambda () (thread-sleep! 0.5) 'late))))
      (define before (current-milliseconds))
      (check "timeout with a default" 'default (thread-join! slow 0.05 'default))
      (check "the timeout was honoured" #t (< (- (current-milliseconds) before) 400))
      (check "timeout without a default raises join-timeout-exception" #t
        (handle-exceptions e (join-timeout-exception? e) (thread-join! slow 0.01)))
      (check "condition-case sees the kind" 'timeout
        (condition-case (thread-join! slow 0.01) ((join-timeout-exception) 'timeout)))
      (check "a generous timeout returns the value" 'late (thread-join! slow 5))
      (check "a timeout of #f waits" 'quick (thread-join! (thread-start! (make-thread (lambda () 'quick))) #f))
    `);
    expectAll(results, 6);
  });

  it('a thread that raises: join raises an uncaught-exception condition whose reason is the raise', async () => {
    const results = await checks(String.raw`
      (define bad (thread-start! (make-thread (lambda () (thread-sleep! 0.01) (error "thread boom" 7)) 'bad)))
      (define c (handle-exceptions e e (thread-join! bad)))
      (check "uncaught-exception?" #t (uncaught-exception? c))
      (check "the reason is the error" "thread boom" (get-condition-property (uncaught-exception-reason c) 'exn 'message))
      (check "its arguments" '(7) (get-condition-property (uncaught-exception-reason c) 'exn 'arguments))
      (check "condition-case on the kind" 'uncaught
        (condition-case (thread-join! bad) ((uncaught-exception) 'uncaught) ((exn) 'exn)))
      (check "terminated state" 'terminated (thread-state bad))
      (check "a raised non-condition is the reason" 'sym
        (uncaught-exception-reason (handle-exceptions e e (thread-join! (thread-start! (make-thread (lambda () (raise 'sym))))))))
      (check-error "join raises" (lambda () (thread-join! bad)))
    `);
    expectAll(results, 7);
  });

  it('thread-sleep!, thread-yield!, current-thread, names and specifics', async () => {
    const results = await checks(String.raw`
      (define t0 (current-milliseconds))
      (thread-sleep! 0.1)
      (check "thread-sleep! sleeps" #t (>= (- (current-milliseconds) t0) 90))
      (define order '())
      (define a (make-thread (lambda () (set! order (cons 'thread order)))))
      (thread-start! a)
      (set! order (cons 'main order))
      (thread-yield!)
      (check "thread-start! returns before the thread runs; thread-yield! lets it run" '(thread main) order)
      (check "current-thread is a thread" #t (thread? (current-thread)))
      (check "the main thread is running" 'running (thread-state (current-thread)))
      (check "a thread's own current-thread" 'named
        (thread-join! (thread-start! (make-thread (lambda () (thread-name (current-thread))) 'named))))
      (check "current-thread differs inside a thread" #f
        (let ((main (current-thread))) (thread-join! (thread-start! (make-thread (lambda () (eq? main (current-thread))))))))
      (check "default names are symbols" #t (symbol? (thread-name (make-thread (lambda () 1)))))
      (define s (make-thread (lambda () 1)))
      (thread-specific-set! s 'data)
      (check "thread-specific" 'data (thread-specific s))
      (check "thread? of a non-thread" #f (thread? 5))
    `);
    expectAll(results, 9);
  });

  it('thread-terminate!: joiners get a terminated-thread-exception', async () => {
    const results = await checks(String.raw`
      (define long (thread-start! (make-thread (lambda () (thread-sleep! 5) 'never))))
      (thread-terminate! long)
      (check "state" 'terminated (thread-state long))
      (check "join raises terminated-thread-exception" #t (handle-exceptions e (terminated-thread-exception? e) (thread-join! long)))
      (define self-ending (thread-start! (make-thread (lambda () (thread-terminate! (current-thread)) 'not-reached))))
      (check "a thread can end itself" #t (handle-exceptions e (terminated-thread-exception? e) (thread-join! self-ending 2)))
    `);
    expectAll(results, 3);
  });

  it('inherits the current output port of the code that made it', async () => {
    const results = await checks(String.raw`
      (define p (open-output-string))
      (define t (parameterize ((current-output-port p)) (make-thread (lambda () (display "from the thread")))))
      (display "")
      (thread-join! (thread-start! t))
      (check "written to the port current at make-thread" "from the thread" (get-output-string p))
    `);
    expectAll(results, 1);
  });
});

describe('mutexes and condition variables', () => {
  it('mutex-lock! / mutex-unlock! exclude; states; a lock timeout', async () => {
    const results = await checks(String.raw`
      (define m (make-mutex 'm))
      (check "mutex?" #t (mutex? m))
      (check "name" 'm (mutex-name m))
      (check "unlocked state" 'not-abandoned (mutex-state m))
      (define log '())
      (define (worker n)
        (lambda ()
          (mutex-lock! m)
          (set! log (cons (list 'in n) log))
          (thread-sleep! 0.01)
          (set! log (cons (list 'out n) log))
          (mutex-unlock! m)))
      (for-each thread-join! (map (lambda (n) (thread-start! (make-thread (worker n)))) '(1 2 3)))
      (check "critical sections do not interleave" '((in 1) (out 1) (in 2) (out 2) (in 3) (out 3)) (reverse log))
      (check "mutex-lock! returns #t" #t (mutex-lock! m))
      (check "owned by the locking thread" #t (eq? (mutex-state m) (current-thread)))
      (check "a lock timeout gives #f" #f (mutex-lock! m 0.02))
      (mutex-unlock! m)
      (check "locked with no owner" 'not-owned (begin (mutex-lock! m #f #f) (mutex-state m)))
      (mutex-unlock! m)
      (define held (make-mutex))
      (thread-join! (thread-start! (make-thread (lambda () (mutex-lock! held)))))
      (check "abandoned when the owner ended" 'abandoned (mutex-state held))
      (mutex-specific-set! m 'spec)
      (check "mutex-specific" 'spec (mutex-specific m))
    `);
    expectAll(results, 10);
  });

  it('mutex-unlock! with a condition variable waits for a signal or a timeout', async () => {
    const results = await checks(String.raw`
      (define m (make-mutex))
      (define cv (make-condition-variable 'cv))
      (define got 'none)
      (define waiter (thread-start! (make-thread (lambda () (mutex-lock! m) (set! got (mutex-unlock! m cv 2))))))
      (thread-sleep! 0.05)
      (condition-variable-signal! cv)
      (thread-join! waiter)
      (check "signalled" #t got)
      (mutex-lock! m)
      (check "timed out" #f (mutex-unlock! m cv 0.02))
      (define woken 0)
      (define ws (map (lambda (i) (thread-start! (make-thread (lambda () (mutex-lock! m) (if (mutex-unlock! m cv 2) (set! woken (+ woken 1))))))) '(1 2 3)))
      (thread-sleep! 0.05)
      (condition-variable-broadcast! cv)
      (for-each thread-join! ws)
      (check "broadcast wakes every waiter" 3 woken)
      (check "condition-variable?" #t (condition-variable? cv))
      (check "name" 'cv (condition-variable-name cv))
    `);
    expectAll(results, 5);
  });
});

describe('a server in a thread and a client in the main thread of one program', () => {
  it('serves and fetches, twice, with a redefined resource', async () => {
    const port = await freePort();
    const results = await checks(String.raw`
      (use http-server http-client)
      (http:add-resource "/hello"
        (lambda (r a)
          (let ((msg (conc "hello " (alist-ref "name" a string=? "nobody"))))
            (display (conc "Content-type: text/plain\r\nContent-length: " (string-length msg) "\r\n\r\n" msg)))))
      (define server (make-thread (lambda () ((http:make-server ${port} #f #f #f #f "127.0.0.1"))) 'server))
      (thread-start! server)
      (define (fetch path)
        (let loop ((tries 0))
          (condition-case (http:GET (conc "127.0.0.1:" ${port} path))
            (e (exn) (if (< tries 100) (begin (thread-sleep! 0.02) (loop (+ tries 1))) (raise e))))))
      (check "first answer" "hello bob" (fetch "/hello?name=bob"))
      (check "default argument" "hello nobody" (fetch "/hello"))
      (http:add-resource "/hello" (lambda (r a) (print "Content-type: text/plain\r\n\r\nredefined")))
      (check "the redefined handler answers" "redefined\n" (fetch "/hello"))
      (check "the server thread is still running" 'ready (thread-state server))
      (check "its join times out" 'running (thread-join! server 0.05 'running))
    `);
    expectAll(results, 5);
  });
});
