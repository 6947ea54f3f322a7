;;; tak: Takeuchi's function, the Gabriel benchmark, run `size` times.
;;; Exercises: deeply nested non-tail calls with three arguments, `<`, `-`.
(define size 40) ; small: 1

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

;; Vary the arguments a little so that no call can be hoisted out of the loop.
(define (run n acc)
  (if (= n 0)
      acc
      (run (- n 1) (+ acc (tak 18 12 (- 6 (modulo n 2)))))))

(display (run size 0))
(newline)
