;;; fib: doubly recursive Fibonacci.
;;; Exercises: non-tail procedure calls, small-integer arithmetic, `if`.
(define size 32) ; small: 18

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(display (fib size))
(newline)
