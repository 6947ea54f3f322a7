;;; string-ports: build text with string output ports and read it back
;;; through a string input port.
;;; Exercises: open-output-string / get-output-string, with-output-to-string,
;;; display / write / write-char of strings, symbols and numbers, number->string,
;;; open-input-string / read-char / peek-char.
(define size 60000) ; small: 20

(define (make-line i)
  (let ((p (open-output-string)))
    (display "item " p)
    (display i p)
    (write-char #\: p)
    (write (number->string (* i 7) 16) p)
    (write-char #\space p)
    (display 'sym p)
    (write (list i "s" #\c) p)
    (newline p)
    (get-output-string p)))

(define (build-text n)
  (let ((out (open-output-string)))
    (do ((i 0 (+ i 1))) ((= i n))
      (display (make-line i) out))
    (get-output-string out)))

;; The same lines again through with-output-to-string.
(define (build-text-2 n)
  (with-output-to-string
    (lambda ()
      (do ((i 0 (+ i 1))) ((= i n))
        (display "item ")
        (display i)
        (newline)))))

;; Read the text back char by char: count lines, digits, and a checksum.
(define (scan text)
  (let ((in (open-input-string text)))
    (let loop ((lines 0) (digits 0) (sum 0))
      (let ((c (read-char in)))
        (cond ((eof-object? c) (list lines digits sum))
              ((char=? c #\newline) (loop (+ lines 1) digits sum))
              ((char-numeric? c)
               (if (char-numeric? (peek-char in))
                   (loop lines (+ digits 1) sum)
                   (loop lines (+ digits 1)
                         (modulo (+ (* sum 31) (char->integer c)) 1000000007))))
              (else (loop lines digits (modulo (+ sum (char->integer c)) 1000000007))))))))

(let* ((a (build-text size))
       (b (build-text-2 size)))
  (display (string-length a))
  (display " ")
  (display (string-length b))
  (display " ")
  (display (scan a))
  (display " ")
  (display (scan b))
  (newline))
