;;; sort: sort a list of 100,000 pseudo-random numbers with the implementation's
;;; own `sort` -- (sort list less?), in CHICKEN 5's (chicken sort) (imported by
;;; the prelude), in Guile's core, and in CHICKEN 3 -- once.
;;; Exercises: the native sort and the calls it makes to a Scheme `less?`.
(define size 100000) ; small: 100

(define seed 4711)
(define (random-next!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

(define (random-list n)
  (let loop ((i 0) (l '()))
    (if (= i n) l (loop (+ i 1) (cons (modulo (random-next!) 1000000) l)))))

(define (checksum l)
  (let loop ((l l) (i 1) (acc 0) (sorted #t) (prev -1))
    (if (null? l)
        (list acc sorted)
        (loop (cdr l) (+ i 1)
              (modulo (+ acc (* i (car l))) 1000000007)
              (and sorted (<= prev (car l)))
              (car l)))))

(define (run k acc)
  (if (= k 0)
      acc
      (run (- k 1) (checksum (sort (random-list size) (lambda (a b) (< a b)))))))

(display (run 1 #f))
(newline)
