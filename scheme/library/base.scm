;; The part of the library written in Scheme: procedures that call procedures given to them
;; (compiled, so a call inside them may suspend for I/O and be resumed), and control built on
;; the core forms (%call/cc, %finally, handle-exceptions).

(define (call-with-current-continuation proc) (%call/cc proc))
(define call/cc call-with-current-continuation)

(define (dynamic-wind before thunk after)
  (before)
  (%finally (thunk) (after)))

(define (call-with-values producer consumer)
  (apply consumer (%values->list (producer))))

(define (with-exception-handler handler thunk)
  (handle-exceptions e (handler e) (thunk)))

(define (force p)
  (if (promise? p)
      (let loop ()
        (if (%promise-state p)
            (%promise-value p)
            (let ((v ((%promise-thunk p))))
              (%promise-resolve! p v)
              (loop))))
      p))

(define (%time thunk)
  (let* ((t0 (%clock))
         (v (thunk)))
    (%report-time t0)
    v))

;; Lists

(define (map f l . ls)
  (if (null? ls)
      (%check-list l 'map)
      (%check-lists (cons l ls) 'map))
  (cond ((null? ls)
         (let loop ((l l) (acc '()))
           (if (pair? l)
               (loop (cdr l) (cons (f (car l)) acc))
               (reverse! acc))))
        ;; Two and three lists without consing the cars and cdrs at every step.
        ((null? (cdr ls))
         (let loop ((a l) (b (car ls)) (acc '()))
           (if (and (pair? a) (pair? b))
               (loop (cdr a) (cdr b) (cons (f (car a) (car b)) acc))
               (reverse! acc))))
        ((null? (cddr ls))
         (let loop ((a l) (b (car ls)) (c (cadr ls)) (acc '()))
           (if (and (pair? a) (pair? b) (pair? c))
               (loop (cdr a) (cdr b) (cdr c) (cons (f (car a) (car b) (car c)) acc))
               (reverse! acc))))
        (else
         (let loop ((ls (cons l ls)) (acc '()))
           (if (%all-pairs? ls)
               (loop (%cdrs ls) (cons (apply f (%cars ls)) acc))
               (reverse! acc))))))

(define (for-each f l . ls)
  (if (null? ls)
      (%check-list l 'for-each)
      (%check-lists (cons l ls) 'for-each))
  (cond ((null? ls)
         (let loop ((l l))
           (if (pair? l)
               (begin (f (car l)) (loop (cdr l))))))
        ((null? (cdr ls))
         (let loop ((a l) (b (car ls)))
           (if (and (pair? a) (pair? b))
               (begin (f (car a) (car b)) (loop (cdr a) (cdr b))))))
        ((null? (cddr ls))
         (let loop ((a l) (b (car ls)) (c (cadr ls)))
           (if (and (pair? a) (pair? b) (pair? c))
               (begin (f (car a) (car b) (car c)) (loop (cdr a) (cdr b) (cdr c))))))
        (else
         (let loop ((ls (cons l ls)))
           (if (%all-pairs? ls)
               (begin (apply f (%cars ls)) (loop (%cdrs ls))))))))

(define (%all-pairs? ls)
  (or (null? ls) (and (pair? (car ls)) (%all-pairs? (cdr ls)))))
(define (%cars ls) (if (null? ls) '() (cons (caar ls) (%cars (cdr ls)))))
(define (%cdrs ls) (if (null? ls) '() (cons (cdar ls) (%cdrs (cdr ls)))))

;; SRFI-1's member and assoc: TEST is called as (test x element) / (test x key).
(define (member x l #!optional test)
  (if test
      (let loop ((l l))
        (cond ((not (pair? l)) (%check-end l 'member) #f)
              ((test x (car l)) l)
              (else (loop (cdr l)))))
      (%member2 x l)))

(define (assoc x l #!optional test)
  (if test
      (let loop ((l l))
        (cond ((not (pair? l)) (%check-end l 'assoc) #f)
              ((test x (caar l)) (car l))
              (else (loop (cdr l)))))
      (%assoc2 x l)))

;; filter, remove, fold, fold-right, reduce and the rest of SRFI-1: scheme/library/srfi-1.scm.

;; CHICKEN's foldl and foldr: one list; the accumulator is foldl's first argument.
(define (foldl f init lst)
  (%check-list lst 'foldl)
  (let loop ((acc init) (l lst))
    (if (pair? l) (loop (f acc (car l)) (cdr l)) acc)))

(define (foldr f init lst)
  (%check-list lst 'foldr)
  (let loop ((l lst) (rev '()))
    (if (pair? l)
        (loop (cdr l) (cons (car l) rev))
        (let fold ((rev rev) (acc init))
          (if (null? rev) acc (fold (cdr rev) (f (car rev) acc)))))))

(define (vector-map f v)
  (list->vector (map f (vector->list v))))
(define (vector-for-each f v)
  (let ((n (vector-length v)))
    (do ((i 0 (+ i 1))) ((= i n)) (f (vector-ref v i)))))
(define (string-for-each f s)
  (let ((n (string-length s)))
    (do ((i 0 (+ i 1))) ((= i n)) (f (string-ref s i)))))

;; CHICKEN's alist-update: a new a-list with KEY's value V (the entry added at the end if absent).
(define (alist-update key v alist #!optional (test eqv?))
  (let loop ((l alist))
    (cond ((null? l) (list (cons key v)))
          ((and (pair? l) (pair? (car l)))
           (if (test key (caar l))
               (cons (cons key v) (cdr l))
               (cons (cons (caar l) (cdar l)) (loop (cdr l)))))
          (else (error 'alist-update "bad argument type" (if (pair? l) (car l) l))))))

;; CHICKEN's combinators and list predicates (data-structures in CHICKEN 3, chicken.base in 5).
(define (identity x) x)
(define (constantly . xs)
  (if (and (pair? xs) (null? (cdr xs)))
      (let ((x (car xs))) (lambda args x))
      (lambda args (apply values xs))))
(define (complement p) (lambda args (not (apply p args))))
(define (compose . fs)
  (define (rec f0 . fs)
    (if (null? fs)
        f0
        (lambda args
          (call-with-values (lambda () (apply (apply rec fs) args)) f0))))
  (if (null? fs) values (apply rec fs)))
(define (o . fs)
  (if (null? fs)
      identity
      (let loop ((fs fs))
        (let ((h (car fs)) (t (cdr fs)))
          (if (null? t) h (lambda (x) (h ((loop t) x))))))))
(define (each . procs)
  (cond ((null? procs) (lambda args (void)))
        ((null? (cdr procs)) (car procs))
        (else (lambda args
                (let loop ((procs procs))
                  (if (null? (cdr procs))
                      (apply (car procs) args)
                      (begin (apply (car procs) args) (loop (cdr procs)))))))))
(define (flip proc) (lambda (x y) (proc y x)))
(define (conjoin . preds)
  (lambda (x) (let loop ((ps preds)) (or (null? ps) (and ((car ps) x) (loop (cdr ps)))))))
(define (disjoin . preds)
  (lambda (x) (let loop ((ps preds)) (and (pair? ps) (or ((car ps) x) (loop (cdr ps)))))))
(define (list-of? pred)
  (lambda (lst)
    (let loop ((l lst))
      (cond ((null? l) #t)
            ((not (pair? l)) #f)
            ((pred (car l)) (loop (cdr l)))
            (else #f)))))
(define (atom? x) (not (pair? x)))
(define (tail? x lst)
  (%check-list lst 'tail?)
  (let loop ((l lst))
    (cond ((eq? x l) #t)
          ((pair? l) (loop (cdr l)))
          (else #f))))
(define (join lsts #!optional (between '()))
  (%check-list between 'join)
  (let loop ((ls lsts))
    (cond ((null? ls) '())
          ((null? (cdr ls)) (car ls))
          (else (append (car ls) between (loop (cdr ls)))))))

;; CHICKEN's rassoc: the first pair of the a-list whose cdr is X.
(define (rassoc x alist #!optional (test eqv?))
  (%check-list alist 'rassoc)
  (let loop ((l alist))
    (cond ((null? l) #f)
          ((and (pair? l) (pair? (car l)))
           (if (test x (cdar l)) (car l) (loop (cdr l))))
          (else (error 'rassoc "bad argument type" (if (pair? l) (car l) l))))))

;; Sorting (CHICKEN's sort: lists or vectors, stable merge sort). The elements go into a vector
;; and are merge-sorted there by %sort-vector! (src/scheme/library/sort.ts).

(define (%merge-lists a b less?)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append-reverse! acc b))
          ((null? b) (append-reverse! acc a))
          ((less? (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))

(define (sort seq less?)
  (if (vector? seq)
      (%sort-vector! (vector-copy seq) less?)
      (vector->list (%sort-vector! (%sort-list->vector seq) less?))))

(define (sort! seq less?)
  (if (vector? seq)
      (%sort-vector! seq less?)
      (vector->list (%sort-vector! (%sort-list->vector seq) less?))))

;; CHICKEN sorts a copy of a list made with append, and so a non-list is append's error.
(define (%sort-list->vector seq)
  (if (list? seq) (list->vector seq) (append seq '())))

(define (merge a b less?) (%merge-lists a b less?))
(define (merge! a b less?) (%merge-lists a b less?))

(define (sorted? seq less?)
  (let loop ((l (if (vector? seq) (vector->list seq) seq)))
    (or (null? l) (null? (cdr l))
        (and (not (less? (cadr l) (car l))) (loop (cdr l))))))

(define (append-reverse! rev tail)
  (if (null? rev) tail
      (let ((next (cdr rev)))
        (set-cdr! rev tail)
        (append-reverse! next rev))))

;; Ports

(define (with-output-to-string thunk)
  (let ((port (open-output-string)))
    (parameterize ((current-output-port port)) (thunk))
    (get-output-string port)))

(define (call-with-output-string proc)
  (let ((port (open-output-string)))
    (proc port)
    (get-output-string port)))

(define (with-output-to-port port thunk)
  (%check-output-port port 'with-output-to-port)
  (parameterize ((current-output-port port)) (thunk)))

(define (with-input-from-string string thunk)
  (parameterize ((current-input-port (open-input-string string))) (thunk)))

(define (call-with-input-string string proc)
  (proc (open-input-string string)))

(define (with-input-from-port port thunk)
  (%check-input-port port 'with-input-from-port)
  (parameterize ((current-input-port port)) (thunk)))

(define (read-lines #!optional (port (current-input-port)) max)
  (%with-port-or-file port
    (lambda (port)
      (let loop ((acc '()) (n 0))
        (if (and max (>= n max))
            (reverse! acc)
            (let ((line (read-line port)))
              (if (eof-object? line)
                  (reverse! acc)
                  (loop (cons line acc) (+ n 1)))))))))

(define (call-with-input-file file proc)
  (let ((port (open-input-file file)))
    (%finally (proc port) (close-input-port port))))

(define (call-with-output-file file proc)
  (let ((port (open-output-file file)))
    (%finally (proc port) (close-output-port port))))

(define (with-input-from-file file thunk)
  (let ((port (open-input-file file)))
    (%finally (parameterize ((current-input-port port)) (thunk)) (close-input-port port))))

(define (with-output-to-file file thunk)
  (let ((port (open-output-file file)))
    (%finally (parameterize ((current-output-port port)) (thunk)) (close-output-port port))))

;; CHICKEN's read-lines, read-file and read-all take a port or a file name (opened and closed here).
(define (%with-port-or-file x proc)
  (if (string? x)
      (call-with-input-file x proc)
      (proc x)))

(define (read-all #!optional (port (current-input-port)))
  (if (string? port) (%file-text port) (read-string #f port)))

(define (read-file #!optional (port (current-input-port)) (reader read) max)
  (%with-port-or-file port
    (lambda (port)
      (let loop ((acc '()) (n 0))
        (if (and max (>= n max))
            (reverse! acc)
            (let ((x (reader port)))
              (if (eof-object? x) (reverse! acc) (loop (cons x acc) (+ n 1)))))))))

;; The SRFI-1 procedures programs use most (the whole of SRFI-1 comes with the CHICKEN library).
(define (every pred l . ls)
  (if (null? ls)
      (let loop ((l l) (last #t))
        (if (null? l) last (let ((v (pred (car l)))) (and v (loop (cdr l) v)))))
      (let loop ((ls (cons l ls)) (last #t))
        (if (%all-pairs? ls) (let ((v (apply pred (%cars ls)))) (and v (loop (%cdrs ls) v))) last))))

(define (any pred l . ls)
  (if (null? ls)
      (let loop ((l l))
        (and (pair? l) (or (pred (car l)) (loop (cdr l)))))
      (let loop ((ls (cons l ls)))
        (and (%all-pairs? ls) (or (apply pred (%cars ls)) (loop (%cdrs ls)))))))
