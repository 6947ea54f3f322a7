;;; closures: higher-order procedures.
;;; Exercises: lambda and closure creation, captured variables, set! on a
;;; captured variable, map / for-each with several lists, apply, own fold (my-fold) and
;;; compose-all, procedures stored in vectors.
(define size 500) ; small: 1

(define (my-fold f init l)
  (if (null? l) init (my-fold f (f init (car l)) (cdr l))))

(define (compose-all . fs)
  (if (null? fs)
      (lambda (x) x)
      (let ((f (car fs)) (g (apply compose-all (cdr fs))))
        (lambda (x) (f (g x))))))

(define (make-counter)
  (let ((n 0))
    (lambda () (set! n (+ n 1)) n)))

(define (make-adder k) (lambda (x) (+ x k)))

(define (range n)
  (let loop ((i (- n 1)) (l '()))
    (if (< i 0) l (loop (- i 1) (cons i l)))))

(define numbers (range 1000))

(define ops
  (vector (make-adder 1)
          (lambda (x) (* x 3))
          (compose-all (make-adder 7) (lambda (x) (quotient x 2)))
          (lambda (x) (modulo x 1009))))

(define (run k)
  (let ((counter (make-counter)))
    (let loop ((r 0) (acc 0))
      (if (= r k)
          (list acc (counter))
          (let* ((f (vector-ref ops (modulo r 4)))
                 (g (compose-all f (make-adder r) (vector-ref ops (modulo (+ r 1) 4))))
                 (l (map g numbers))
                 (pairs (map (lambda (a b) (+ a (* 2 b))) l numbers))
                 (s (my-fold (lambda (acc x) (counter) (modulo (+ acc x) 1000000007)) 0 pairs)))
            (for-each (lambda (x) (if (= 0 (modulo x 97)) (counter))) l)
            (loop (+ r 1) (modulo (+ acc s (apply max l)) 1000000007)))))))

(display (run size))
(newline)
