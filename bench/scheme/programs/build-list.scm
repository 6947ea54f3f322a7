;;; build-list: a list of 1,000,000 elements built by non-tail recursion,
;;; then mapped and appended by non-tail recursion too (own map and append).
;;; Exercises: deep recursion (a million frames), `cons`, allocation and GC.
(define size 1000000) ; small: 1000

(define (build n)
  (if (= n 0)
      '()
      (cons n (build (- n 1)))))

(define (my-map f l)
  (if (null? l)
      '()
      (cons (f (car l)) (my-map f (cdr l)))))

(define (my-append a b)
  (if (null? a)
      b
      (cons (car a) (my-append (cdr a) b))))

(define (sum l acc)
  (if (null? l)
      acc
      (sum (cdr l) (+ acc (car l)))))

(define (run k acc)
  (if (= k 0)
      acc
      (let* ((l (build size))
             (m (my-map (lambda (x) (modulo (* x (+ k 6)) 1000)) l)))
        (run (- k 1) (+ acc (sum m 0) (length (my-append m l)))))))

(display (run 1 0))
(newline)
