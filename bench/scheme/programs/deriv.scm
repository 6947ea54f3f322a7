;;; deriv: symbolic derivative with simplification.
;;; Exercises: symbols and `eq?`, quoted data, `cond`, `map` with closures,
;;; list construction, `equal?`, `write` of nested lists.
(define size 10000) ; small: 2

;; The Gabriel benchmark's derivative, without simplification.
(define (deriv a)
  (cond ((not (pair? a)) (if (eq? a 'x) 1 0))
        ((eq? (car a) '+) (cons '+ (map deriv (cdr a))))
        ((eq? (car a) '-) (cons '- (map deriv (cdr a))))
        ((eq? (car a) '*)
         (list '* a (cons '+ (map (lambda (a) (list '/ (deriv a) a)) (cdr a)))))
        ((eq? (car a) '/)
         (list '-
               (list '/ (deriv (cadr a)) (caddr a))
               (list '/ (cadr a) (list '* (caddr a) (caddr a) (deriv (caddr a))))))
        (else (error "no derivation method for" (car a)))))

;; Simplify sums and products: fold constants, drop 0 and 1, flatten.
(define (simplify e)
  (cond ((not (pair? e)) e)
        ((eq? (car e) '+) (simplify-sum (map simplify (cdr e))))
        ((eq? (car e) '*) (simplify-product (map simplify (cdr e))))
        ((eq? (car e) '/)
         (let ((n (simplify (cadr e))) (d (simplify (caddr e))))
           (cond ((eqv? n 0) 0)
                 ((eqv? d 1) n)
                 ((equal? n d) 1)
                 (else (list '/ n d)))))
        ((eq? (car e) '-)
         (let ((args (map simplify (cdr e))))
           (if (and (= (length args) 2) (eqv? (cadr args) 0))
               (car args)
               (cons '- args))))
        (else e)))

(define (simplify-sum args)
  (let loop ((args args) (k 0) (rest '()))
    (cond ((null? args)
           (let ((terms (if (= k 0) (reverse rest) (cons k (reverse rest)))))
             (cond ((null? terms) 0)
                   ((null? (cdr terms)) (car terms))
                   (else (cons '+ terms)))))
          ((number? (car args)) (loop (cdr args) (+ k (car args)) rest))
          ((and (pair? (car args)) (eq? (caar args) '+))
           (loop (append (cdar args) (cdr args)) k rest))
          (else (loop (cdr args) k (cons (car args) rest))))))

(define (simplify-product args)
  (let loop ((args args) (k 1) (rest '()))
    (cond ((null? args)
           (let ((factors (if (= k 1) (reverse rest) (cons k (reverse rest)))))
             (cond ((= k 0) 0)
                   ((null? factors) 1)
                   ((null? (cdr factors)) (car factors))
                   (else (cons '* factors)))))
          ((number? (car args)) (loop (cdr args) (* k (car args)) rest))
          ((and (pair? (car args)) (eq? (caar args) '*))
           (loop (append (cdar args) (cdr args)) k rest))
          (else (loop (cdr args) k (cons (car args) rest))))))

(define (count-nodes e)
  (if (pair? e)
      (+ 1 (count-nodes (car e)) (count-nodes (cdr e)))
      1))

(define expr '(+ (* 3 x x) (* a x x) (* b x) 5 (/ (* x x) (+ x 1))))

(define (run k acc)
  (if (= k 0)
      acc
      (run (- k 1)
           (+ acc (count-nodes (simplify (deriv (list '* k expr))))))))

(display (run size 0))
(display " ")
(write (simplify (deriv expr)))
(newline)
