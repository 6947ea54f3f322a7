;;; hashtable-portable: a hash table written in portable Scheme -- a vector of
;;; association-list buckets that doubles when it gets full -- with integer and
;;; string keys.  CHICKEN 5's core has no hash tables (SRFI 69 is an egg), so
;;; every implementation runs this same code rather than its native tables.
;;; Exercises: vectors, assv/assoc, set-cdr!, modulo, string hashing.
(define size 200000) ; small: 200

(define (make-table) (cons 0 (make-vector 16 '())))   ; (count . buckets)

(define (hash-string s)
  (let loop ((i 0) (h 0))
    (if (= i (string-length s))
        h
        (loop (+ i 1) (modulo (+ (* h 31) (char->integer (string-ref s i))) 16777213)))))

(define (key-hash key)
  (if (string? key) (hash-string key) key))

(define (bucket-index key buckets)
  (modulo (key-hash key) (vector-length buckets)))

(define (bucket-find key bucket)
  (if (string? key) (assoc key bucket) (assv key bucket)))

(define (table-ref table key default)
  (let* ((buckets (cdr table))
         (e (bucket-find key (vector-ref buckets (bucket-index key buckets)))))
    (if e (cdr e) default)))

(define (grow! table)
  (let* ((old (cdr table))
         (new (make-vector (* 2 (vector-length old)) '())))
    (do ((i 0 (+ i 1))) ((= i (vector-length old)))
      (for-each (lambda (e)
                  (let ((j (bucket-index (car e) new)))
                    (vector-set! new j (cons e (vector-ref new j)))))
                (vector-ref old i)))
    (set-cdr! table new)))

(define (table-set! table key value)
  (let* ((buckets (cdr table))
         (i (bucket-index key buckets))
         (e (bucket-find key (vector-ref buckets i))))
    (if e
        (set-cdr! e value)
        (begin
          (vector-set! buckets i (cons (cons key value) (vector-ref buckets i)))
          (set-car! table (+ (car table) 1))
          (if (> (car table) (* 2 (vector-length buckets)))
              (grow! table))))))

(define (table-update! table key f default)
  (table-set! table key (f (table-ref table key default))))

(define seed 12345)
(define (random-next!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

(define (run n)
  (let ((ints (make-table)) (strs (make-table)))
    ;; Count how often each key comes up.
    (do ((i 0 (+ i 1))) ((= i n))
      (let ((k (modulo (random-next!) (quotient n 4))))
        (table-update! ints k (lambda (c) (+ c 1)) 0)
        (if (= (modulo i 4) 0)
            (table-update! strs (number->string k 16) (lambda (c) (+ c k)) 0))))
    ;; Look every possible key up.
    (let loop ((k 0) (hits 0) (sum 0))
      (if (= k (quotient n 4))
          (list (car ints) (car strs) hits sum)
          (loop (+ k 1)
                (if (table-ref ints k #f) (+ hits 1) hits)
                (modulo (+ sum (table-ref ints k 0) (table-ref strs (number->string k 16) 0))
                        1000000007))))))

(display (run size))
(newline)
