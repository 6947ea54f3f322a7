;; data-structures, extras, utils and ports: the procedures that call procedures given to them
;; (a-list tests, combinators, binary search, port walks), in Scheme so that a procedure they
;; call may suspend. The first-order ones (queues, random) are in data-structures.ts.

;; A-lists (CHICKEN 3: alist-ref and alist-update! take the test before the default).

(define (%alist-find key alist test who)
  (cond ((eq? test eqv?) (assv key alist))
        ((eq? test eq?) (assq key alist))
        ((eq? test equal?) (assoc key alist))
        (else
         (let loop ((l alist))
           (and (pair? l)
                (let ((a (car l)))
                  (if (and (pair? a) (test key (car a)))
                      a
                      (loop (cdr l)))))))))

(define (alist-ref key alist #!optional (test eqv?) (default #f))
  (let ((a (%alist-find key alist test 'alist-ref)))
    (if a (cdr a) default)))

;; The pair of KEY gets VALUE in place; a missing KEY is consed on the front.
(define (alist-update! key value alist #!optional (test eqv?))
  (let ((a (%alist-find key alist test 'alist-update!)))
    (if a
        (begin (set-cdr! a value) alist)
        (cons (cons key value) alist))))

;; Combinators CHICKEN 3 has besides base.scm's (list-of is CHICKEN 3's name of list-of?).

(define (list-of pred) (list-of? pred))
(define (noop . _) (void))
(define (project n) (lambda args (list-ref args n)))

;; (shuffle LIST RANDOM): LIST in the order of keys drawn with (RANDOM (length LIST)), as CHICKEN 3.
(define (shuffle l random)
  (let ((len (length l)))
    (map cdr
         (sort! (map (lambda (x) (cons (random len) x)) l)
                (lambda (x y) (< (car x) (car y)))))))

;; (binary-search SEQ PROC): the index of an element of the sorted vector (or list) SEQ for which
;; PROC answers 0 (negative: look before it, positive: after it), or #f.
(define (binary-search seq proc)
  (let ((vec (if (pair? seq) (list->vector seq) (%check-vector seq 'binary-search))))
    (let loop ((start 0) (end (vector-length vec)))
      (and (< start end)
           (let* ((mid (quotient (+ start end) 2))
                  (r (proc (vector-ref vec mid))))
             (cond ((not (number? r)) (error 'binary-search "bad argument type - not a number" r))
                   ((= r 0) mid)
                   ((< r 0) (loop start mid))
                   (else (loop (+ mid 1) end))))))))

;; Walking a port through a reading thunk (CHICKEN's ports unit): until the thunk gives #!eof.

(define (port-for-each fn thunk)
  (let loop ()
    (let ((x (thunk)))
      (unless (eof-object? x)
        (fn x)
        (loop)))))

(define (port-map fn thunk)
  (let loop ((acc '()))
    (let ((x (thunk)))
      (if (eof-object? x)
          (reverse! acc)
          (loop (cons (fn x) acc))))))

(define (port-fold fn acc thunk)
  (let loop ((acc acc))
    (let ((x (thunk)))
      (if (eof-object? x)
          acc
          (loop (fn x acc))))))

;; (copy-port FROM TO [READ [WRITE]]): everything left in FROM, item by item through READ and
;; WRITE (read-char and write-char); without them, in blocks.
(define (copy-port from to #!optional read write)
  (if (or read write)
      (let ((read (or read read-char))
            (write (or write write-char)))
        (let loop ()
          (let ((x (read from)))
            (unless (eof-object? x)
              (write x to)
              (loop)))))
      (let loop ()
        (let ((s (read-string 4096 from)))
          (unless (or (eof-object? s) (equal? s ""))
            (write-string s #f to)
            (loop))))))

(define (with-error-output-to-port port thunk)
  (%check-output-port port 'with-error-output-to-port)
  (parameterize ((current-error-port port)) (thunk)))

;; utils' (for-each-line PROC [PORT]): PROC on each line of PORT (the current input port).
(define (for-each-line proc #!optional (port (current-input-port)))
  (let loop ()
    (let ((line (read-line port)))
      (unless (eof-object? line)
        (proc line)
        (loop)))))
