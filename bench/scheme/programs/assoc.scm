;;; assoc: association-list loops.
;;; Exercises: assq on symbols, assv on integers, assoc on strings (equal?),
;;; set-cdr! on found entries, list walking.
(define size 6000) ; small: 10

(define (make-keys n)
  (let loop ((i (- n 1)) (l '()))
    (if (< i 0) l (loop (- i 1) (cons i l)))))

(define ints (make-keys 100))
(define syms (map (lambda (i) (string->symbol (string-append "key-" (number->string i)))) ints))
(define strs (map (lambda (i) (string-append "str-" (number->string i))) ints))

(define (fresh-alist keys)
  (map (lambda (k) (cons k 0)) keys))

(define (run rounds)
  (let ((a-int (fresh-alist ints))
        (a-sym (fresh-alist syms))
        (a-str (fresh-alist strs)))
    (do ((r 0 (+ r 1))) ((= r rounds))
      (for-each
       (lambda (i s t)
         (let ((e1 (assv (modulo (* i r) 100) a-int))
               (e2 (assq s a-sym))
               (e3 (assoc t a-str)))
           (set-cdr! e1 (+ (cdr e1) 1))
           (set-cdr! e2 (+ (cdr e2) (cdr e1)))
           (set-cdr! e3 (modulo (+ (cdr e3) (cdr e2)) 1000003))))
       ints syms strs))
    (let loop ((l a-str) (acc 0))
      (if (null? l)
          (list acc (cdr (assq 'key-7 a-sym)) (cdr (assv 0 a-int)))
          (loop (cdr l) (modulo (+ (* acc 7) (cdar l)) 1000000007))))))

(display (run size))
(newline)
