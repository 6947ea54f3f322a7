;;; vector: vector loops.
;;; Exercises: make-vector, vector-ref, vector-set!, vector-length, `do` loops,
;;; vector->list / list->vector, vector-fill!.
(define size 600000) ; small: 1000

;; Sieve of Eratosthenes: the number of primes below n.
(define (sieve n)
  (let ((v (make-vector n #t)))
    (vector-set! v 0 #f)
    (vector-set! v 1 #f)
    (do ((i 2 (+ i 1))) ((> (* i i) n))
      (if (vector-ref v i)
          (do ((j (* i i) (+ j i))) ((>= j n))
            (vector-set! v j #f))))
    (let loop ((i 0) (count 0))
      (if (= i n)
          count
          (loop (+ i 1) (if (vector-ref v i) (+ count 1) count))))))

;; Prefix sums, in place, then a reversal, then a checksum.
(define (prefix-sums n)
  (let ((v (make-vector n 0)))
    (do ((i 0 (+ i 1))) ((= i n))
      (vector-set! v i (modulo (* i 7919) 10007)))
    (do ((i 1 (+ i 1))) ((= i n))
      (vector-set! v i (modulo (+ (vector-ref v i) (vector-ref v (- i 1))) 1000000007)))
    (do ((i 0 (+ i 1)) (j (- n 1) (- j 1))) ((>= i j))
      (let ((t (vector-ref v i)))
        (vector-set! v i (vector-ref v j))
        (vector-set! v j t)))
    (let loop ((i 0) (acc 0))
      (if (= i n)
          acc
          (loop (+ i 1) (modulo (+ (* acc 3) (vector-ref v i)) 1000000007))))))

;; A small matrix product with vectors of vectors.
(define (matrix n)
  (let ((a (make-vector n #f)) (b (make-vector n #f)) (c (make-vector n #f)))
    (do ((i 0 (+ i 1))) ((= i n))
      (vector-set! a i (make-vector n 0))
      (vector-set! b i (make-vector n 0))
      (vector-set! c i (make-vector n 0))
      (do ((j 0 (+ j 1))) ((= j n))
        (vector-set! (vector-ref a i) j (modulo (+ i j) 10))
        (vector-set! (vector-ref b i) j (modulo (* i j) 10))))
    (do ((i 0 (+ i 1))) ((= i n))
      (let ((ai (vector-ref a i)) (ci (vector-ref c i)))
        (do ((j 0 (+ j 1))) ((= j n))
          (let loop ((k 0) (s 0))
            (if (= k n)
                (vector-set! ci j s)
                (loop (+ k 1) (+ s (* (vector-ref ai k) (vector-ref (vector-ref b k) j)))))))))
    (let ((l (vector->list (vector-ref c (- n 1)))))
      (vector-fill! (vector-ref c 0) 1)
      (+ (apply + l) (vector-length (list->vector l)) (vector-ref (vector-ref c 0) 0)))))

(display (list (sieve size) (prefix-sums size) (matrix (+ 2 (quotient size 10000)))))
(newline)
