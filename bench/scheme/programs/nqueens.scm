;;; nqueens: count the solutions of the n-queens problem (the Gabriel version).
;;; Exercises: list recursion, `append`, `cons`, boolean `and`/`not`.
(define size 10) ; small: 6

(define (iota1 n)
  (let loop ((i n) (l '()))
    (if (= i 0) l (loop (- i 1) (cons i l)))))

(define (ok? row dist placed)
  (if (null? placed)
      #t
      (and (not (= (car placed) (+ row dist)))
           (not (= (car placed) (- row dist)))
           (ok? row (+ dist 1) (cdr placed)))))

(define (try-it x y z)
  (if (null? x)
      (if (null? y) 1 0)
      (+ (if (ok? (car x) 1 z)
             (try-it (append (cdr x) y) '() (cons (car x) z))
             0)
         (try-it (cdr x) (cons (car x) y) z))))

(define (queens n)
  (try-it (iota1 n) '() '()))

(define (run k acc)
  (if (= k 0) acc (run (- k 1) (+ acc (queens size)))))

(display (run 4 0))
(newline)
