;;; strings: string procedures without ports.
;;; Exercises: make-string, string-set!, string-append, substring, string->list,
;;; list->string, string->symbol, symbol->string, string->number, number->string,
;;; string=?, string<?, char procedures.
(define size 30000) ; small: 100

(define seed 42)
(define (random-next!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

;; A word of 3 to 10 lower-case letters.
(define (random-word)
  (let* ((n (+ 3 (modulo (random-next!) 8)))
         (s (make-string n #\a)))
    (do ((i 0 (+ i 1))) ((= i n) s)
      (string-set! s i (integer->char (+ 97 (modulo (random-next!) 26)))))))

(define (reverse-string s)
  (list->string (reverse (string->list s))))

(define (capitalize s)
  (string-append (string (char-upcase (string-ref s 0)))
                 (substring s 1 (string-length s))))

(define (checksum s acc)
  (let loop ((i 0) (acc acc))
    (if (= i (string-length s))
        acc
        (loop (+ i 1) (modulo (+ (* acc 33) (char->integer (string-ref s i))) 1000000007)))))

(define (run n)
  (let loop ((i 0) (acc 0) (less 0) (pal 0) (longest ""))
    (if (= i n)
        (list acc less pal (string-length longest))
        (let* ((w (random-word))
               (r (reverse-string w))
               (c (capitalize w))
               (sym (string->symbol (string-append "w-" w)))
               (back (symbol->string sym))
               (num (string->number (number->string (* i 13))))
               (joined (string-append c "/" r "/" back "/" (number->string num))))
          (loop (+ i 1)
                (checksum joined acc)
                (if (string<? w r) (+ less 1) less)
                (if (string=? w r) (+ pal 1) pal)
                (if (> (string-length joined) (string-length longest)) joined longest))))))

(display (run size))
(newline)
