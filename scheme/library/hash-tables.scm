;; SRFI-69 hash tables as CHICKEN 3 has them (the tables themselves are in
;; src/scheme/library/hash-tables.ts): the procedures that call procedures given to them (walk,
;; fold, update! …), and every operation on a table whose test is the program's own, which
;; calls that test and the table's hash function. The %ht-… procedures of the TypeScript side
;; answer %ht-custom for such a table; the code here then does the work itself.

;; A custom table's entries live in buckets (vectors of (KEY . VALUE) pairs) by hash value.
(define (%ht-hash-of ht key) ((%ht-hash ht) key %ht-bound))

(define (%ht-find ht key h)
  (let ((bucket (%ht-bucket ht h))
        (test (%ht-test ht)))
    (let loop ((i 0))
      (cond ((>= i (vector-length bucket)) #f)
            ((test key (car (vector-ref bucket i))) (vector-ref bucket i))
            (else (loop (+ i 1)))))))

(define (%ht-custom-set! ht key value)
  (let* ((h (%ht-hash-of ht key))
         (e (%ht-find ht key h)))
    (if e (set-cdr! e value) (%ht-bucket-add! ht h key value))))

;; The entry (KEY . VALUE) of KEY in any table, or #f.
(define (%ht-lookup ht key who)
  (let ((e (%ht-entry ht key who)))
    (if (eq? e %ht-custom)
        (%ht-find ht key (%ht-hash-of ht key))
        e)))

(define (hash-table-ref/default ht key default)
  (let ((v (%ht-ref ht key default)))
    (if (eq? v %ht-custom)
        (let ((e (%ht-find ht key (%ht-hash-of ht key))))
          (if e (cdr e) default))
        v)))

(define (hash-table-set! ht key value)
  (if (eq? (%ht-set! ht key value) %ht-custom)
      (%ht-custom-set! ht key value)))

;; Without FAILURE a missing key is an (exn access) error, as CHICKEN 3 signals it.
(define (hash-table-ref ht key #!optional failure)
  (%ht-check ht 'hash-table-ref)
  (if failure (%ht-check-procedure failure 'hash-table-ref))
  (let ((e (%ht-lookup ht key 'hash-table-ref)))
    (cond (e (cdr e))
          (failure (failure))
          (else (%ht-missing 'hash-table-ref key ht)))))

(define (hash-table-exists? ht key)
  (if (%ht-lookup ht key 'hash-table-exists?) #t #f))

;; #t when there was an entry to delete (CHICKEN 3).
(define (hash-table-delete! ht key)
  (let ((r (%ht-delete! ht key)))
    (if (eq? r %ht-custom)
        (let* ((h (%ht-hash-of ht key))
               (e (%ht-find ht key h)))
          (if e (%ht-bucket-remove! ht h e) #f))
        r)))

;; CHICKEN 3: FUNC defaults to identity; a missing key takes THUNK's value, else the table's
;; #:initial value, else is an (exn access) error. The new value is the result.
(define (hash-table-update! ht key #!optional (func identity) thunk)
  (%ht-check ht 'hash-table-update!)
  (%ht-check-procedure func 'hash-table-update!)
  (if thunk (%ht-check-procedure thunk 'hash-table-update!))
  (let ((e (%ht-lookup ht key 'hash-table-update!)))
    (if e
        (let ((v (func (cdr e))))
          (set-cdr! e v)
          v)
        (let* ((initial (%ht-initial ht))
               (v (func (cond (thunk (thunk))
                              (initial (initial))
                              (else (%ht-missing 'hash-table-update! key ht))))))
          (hash-table-set! ht key v)
          v))))

(define (hash-table-update!/default ht key func default)
  (let ((e (%ht-lookup ht key 'hash-table-update!/default)))
    (%ht-check-procedure func 'hash-table-update!/default)
    (if e
        (let ((v (func (cdr e))))
          (set-cdr! e v)
          v)
        (let ((v (func default)))
          (hash-table-set! ht key v)
          v))))

(define (hash-table-initial ht)
  (%ht-check ht 'hash-table-initial)
  (let ((thunk (%ht-initial ht)))
    (and thunk (thunk))))

;; Walks go over a snapshot of the entries, so PROC may add and delete entries; an entry it
;; deletes before its turn is still visited, with its last value.
(define (%ht-walk ht proc who)
  (let ((entries (%ht-entries ht who)))
    (%ht-check-procedure proc who)
    (let loop ((l entries))
      (if (pair? l)
          (begin (proc (caar l) (cdar l)) (loop (cdr l)))))))

(define (hash-table-walk ht proc) (%ht-walk ht proc 'hash-table-walk))
(define (hash-table-for-each ht proc) (%ht-walk ht proc 'hash-table-for-each))

(define (%ht-fold ht f init who)
  (let ((entries (%ht-entries ht who)))
    (%ht-check-procedure f who)
    (let loop ((l entries) (acc init))
      (if (pair? l)
          (loop (cdr l) (f (caar l) (cdar l) acc))
          acc))))

(define (hash-table-fold ht f init) (%ht-fold ht f init 'hash-table-fold))

(define (hash-table-map ht f)
  (%ht-fold ht (lambda (k v acc) (cons (f k v) acc)) '() 'hash-table-map))

;; Deletes the entries for which (F KEY VALUE) is true.
(define (hash-table-remove! ht f)
  (let ((entries (%ht-entries ht 'hash-table-remove!)))
    (%ht-check-procedure f 'hash-table-remove!)
    (let loop ((l entries))
      (if (pair? l)
          (begin
            (if (f (caar l) (cdar l)) (hash-table-delete! ht (caar l)))
            (loop (cdr l)))))))

;; Adds KEY's entry unless the table has one: what alist->hash-table and the merges do
;; (CHICKEN 3 updates with identity, so an entry already in the table wins).
(define (%ht-add-new! ht key value who)
  (if (not (%ht-lookup ht key who))
      (hash-table-set! ht key value)))

;; CHICKEN 3: HT1's entries win over HT2's; the result is HT1.
(define (hash-table-merge! ht1 ht2)
  (%ht-check ht1 'hash-table-merge!)
  (let loop ((l (%ht-entries ht2 'hash-table-merge!)))
    (if (pair? l)
        (begin (%ht-add-new! ht1 (caar l) (cdar l) 'hash-table-merge!) (loop (cdr l)))
        ht1)))

(define (hash-table-merge ht1 ht2)
  (%ht-check ht1 'hash-table-merge)
  (%ht-check ht2 'hash-table-merge)
  (hash-table-merge! (hash-table-copy ht1) ht2))

;; REST as make-hash-table takes it; the first entry of a key wins.
(define (alist->hash-table alist . rest)
  (%ht-alist alist)
  (let ((ht (apply make-hash-table rest)))
    (let loop ((l alist))
      (if (pair? l)
          (begin (%ht-add-new! ht (caar l) (cdar l) 'alist->hash-table) (loop (cdr l)))
          ht))))

;; The library's tests are all defined by now: tables made with them take the fast path.
(%ht-learn-tests!)
