;;; loop: named-let loops, one nested in another.
;;; Exercises: tail calls of a named let, fixnum arithmetic, `quotient`, `modulo`.
;;; All intermediate values stay below 2^53.
(define size 3000) ; small: 2

(define (inner i)
  (let loop ((j 0) (acc 0))
    (if (= j 1000)
        acc
        (loop (+ j 1) (+ acc (quotient (* i j) 7) (modulo j 3))))))

(display
 (let outer ((i 0) (acc 0))
   (if (= i size)
       acc
       (outer (+ i 1) (modulo (+ acc (inner i)) 1000000007)))))
(newline)
