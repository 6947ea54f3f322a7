;;; mergesort: sort a list of 100,000 pseudo-random numbers with a merge sort
;;; written here (so every implementation runs the same code), once.
;;; Exercises: list splitting and merging, `<`, cons/reverse, GC of short-lived lists.
(define size 100000) ; small: 100

(define seed 4711)
(define (random-next!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

(define (random-list n)
  (let loop ((i 0) (l '()))
    (if (= i n) l (loop (+ i 1) (cons (modulo (random-next!) 1000000) l)))))

;; Tail-recursive merge into an accumulator.
(define (merge-lists a b less?)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append-reverse acc b))
          ((null? b) (append-reverse acc a))
          ((less? (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))

(define (append-reverse rev tail)
  (if (null? rev) tail (append-reverse (cdr rev) (cons (car rev) tail))))

(define (split l n)   ; the first n elements, and the rest
  (let loop ((l l) (n n) (acc '()))
    (if (= n 0)
        (cons (reverse acc) l)
        (loop (cdr l) (- n 1) (cons (car l) acc)))))

(define (merge-sort l less?)
  (let ((n (length l)))
    (if (< n 2)
        l
        (let ((halves (split l (quotient n 2))))
          (merge-lists (merge-sort (car halves) less?)
                       (merge-sort (cdr halves) less?)
                       less?)))))

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
      (run (- k 1) (checksum (merge-sort (random-list size) <)))))

(display (run 1 #f))
(newline)
