;; SRFI-13 and SRFI-14 procedures that call a procedure argument (a predicate criterion, a
;; mapper, a fold's kons, string-compare's continuations …), written in Scheme so that the
;; procedure they call may wait for I/O or be preempted. A character or char-set criterion goes
;; to the `%` procedures of src/scheme/library/strings.ts, which also check the arguments and
;; ranges (`%string-end` answers the checked end of S[START, END); an absent START is #f).

;; Searching with a criterion: the first index from START (forward) or from END - 1 (backward)
;; whose character passes PRED (WANT #t) or fails it (WANT #f).
(define (%scan-forward s pred start end want)
  (let loop ((i start))
    (cond ((>= i end) #f)
          ((eq? (if (pred (string-ref s i)) #t #f) want) i)
          (else (loop (+ i 1))))))

(define (%scan-backward s pred start end want)
  (let loop ((i (- end 1)))
    (cond ((< i start) #f)
          ((eq? (if (pred (string-ref s i)) #t #f) want) i)
          (else (loop (- i 1))))))

;; string-index, -index-right, -skip and -skip-right are in strings.ts: they call the loops
;; above for a predicate criterion.

(define (string-count s criterion #!optional start end)
  (if (procedure? criterion)
      (let ((end (%string-end s start end 'string-count)))
        (let loop ((i (or start 0)) (n 0))
          (if (>= i end)
              n
              (loop (+ i 1) (if (criterion (string-ref s i)) (+ n 1) n)))))
      (%string-count s criterion start end)))

;; string-every answers the predicate's last value, string-any its first true one (SRFI-13).
(define (string-every criterion s #!optional start end)
  (if (procedure? criterion)
      (let ((end (%string-end s start end 'string-every)))
        (let loop ((i (or start 0)) (last #t))
          (if (>= i end)
              last
              (let ((v (criterion (string-ref s i))))
                (and v (loop (+ i 1) v))))))
      (%string-every criterion s start end)))

(define (string-any criterion s #!optional start end)
  (if (procedure? criterion)
      (let ((end (%string-end s start end 'string-any)))
        (let loop ((i (or start 0)))
          (and (< i end)
               (or (criterion (string-ref s i)) (loop (+ i 1))))))
      (%string-any criterion s start end)))

;; Trimming: the default criterion is char-set:whitespace.
(define (string-trim s #!optional criterion start end)
  (if (procedure? criterion)
      (let* ((end (%string-end s start end 'string-trim))
             (i (%scan-forward s criterion (or start 0) end #f)))
        (if i (substring s i end) (make-string 0)))
      (%string-trim s criterion start end)))

(define (string-trim-right s #!optional criterion start end)
  (if (procedure? criterion)
      (let* ((start (or start 0))
             (j (%scan-backward s criterion start (%string-end s start end 'string-trim-right) #f)))
        (if j (substring s start (+ j 1)) (make-string 0)))
      (%string-trim-right s criterion start end)))

(define (string-trim-both s #!optional criterion start end)
  (if (procedure? criterion)
      (let* ((end (%string-end s start end 'string-trim-both))
             (i (%scan-forward s criterion (or start 0) end #f)))
        (if i
            (substring s i (+ (%scan-backward s criterion i end #f) 1))
            (make-string 0)))
      (%string-trim-both s criterion start end)))

;; SRFI-13's document has (string-filter S CRITERION …), its reference implementation (and so
;; CHICKEN 3) (string-filter CRITERION S …): both orders are accepted, a criterion is no string.
(define (%filter-string who keep? a b start end)
  (let-values (((s criterion) (if (string? a) (values a b) (values b a))))
    (if (procedure? criterion)
        (let ((end (%string-end s start end who)))
          (let loop ((i (or start 0)) (acc '()))
            (if (>= i end)
                (%reverse-chars->string acc who)
                (let ((c (string-ref s i)))
                  (loop (+ i 1) (if (eq? (if (criterion c) #t #f) keep?) (cons c acc) acc))))))
        (if keep?
            (%string-filter s criterion start end)
            (%string-delete s criterion start end)))))

(define (string-filter a b #!optional start end) (%filter-string 'string-filter #t a b start end))
(define (string-delete a b #!optional start end) (%filter-string 'string-delete #f a b start end))

;; The maximal runs of characters in TOKEN-SET (default char-set:graphic; a predicate works too).
(define (string-tokenize s #!optional token-set start end)
  (if (procedure? token-set)
      (let ((end (%string-end s start end 'string-tokenize)))
        (let loop ((i (or start 0)) (acc '()))
          (let ((b (%scan-forward s token-set i end #t)))
            (if b
                (let ((e (or (%scan-forward s token-set b end #f) end)))
                  (loop e (cons (substring s b e) acc)))
                (reverse! acc)))))
      (%string-tokenize s token-set start end)))

;; Constructors, maps and folds

(define (string-tabulate proc len)
  (%check-length len 'string-tabulate)
  (let loop ((i 0) (acc '()))
    (if (= i len)
        (%reverse-chars->string acc 'string-tabulate)
        (loop (+ i 1) (cons (proc i) acc)))))

;; S[START, END) mapped through PROC, as a list of the results in reverse order.
(define (%map-range proc s start end)
  (let loop ((i start) (acc '()))
    (if (>= i end) acc (loop (+ i 1) (cons (proc (string-ref s i)) acc)))))

;; (string-map PROC S [START END]) (SRFI-13), or R7RS's (string-map PROC S1 S2 …).
(define (string-map proc s . rest)
  (if (and (pair? rest) (string? (car rest)))
      (let ((strings (cons s rest)))
        (let ((n (apply min (map string-length strings))))
          (let loop ((i 0) (acc '()))
            (if (= i n)
                (%reverse-chars->string acc 'string-map)
                (loop (+ i 1) (cons (apply proc (map (lambda (x) (string-ref x i)) strings)) acc))))))
      (let* ((start (if (pair? rest) (car rest) #f))
             (end (%string-end s start (if (and (pair? rest) (pair? (cdr rest))) (cadr rest) #f) 'string-map)))
        (%reverse-chars->string (%map-range proc s (or start 0) end) 'string-map))))

(define (string-map! proc s #!optional start end)
  (%check-mutable s 'string-map!)
  (let* ((end (%string-end s start end 'string-map!))
         (start (or start 0)))
    (string-copy! s start (%reverse-chars->string (%map-range proc s start end) 'string-map!))))

(define (string-fold kons knil s #!optional start end)
  (let ((end (%string-end s start end 'string-fold)))
    (let loop ((i (or start 0)) (acc knil))
      (if (>= i end) acc (loop (+ i 1) (kons (string-ref s i) acc))))))

(define (string-fold-right kons knil s #!optional start end)
  (let ((start (or start 0)))
    (let loop ((i (- (%string-end s start end 'string-fold-right) 1)) (acc knil))
      (if (< i start) acc (loop (- i 1) (kons (string-ref s i) acc))))))

(define (%no-final x) "")

;; (string-unfold P F G SEED [BASE MAKE-FINAL]): BASE, then (F SEED) (F (G SEED)) … until
;; (P seed), then (MAKE-FINAL seed).
(define (string-unfold p f g seed #!optional (base "") (make-final %no-final))
  (let loop ((seed seed) (acc '()))
    (if (p seed)
        (string-append base (%reverse-chars->string acc 'string-unfold) (make-final seed))
        (loop (g seed) (cons (f seed) acc)))))

;; The same built right to left: (MAKE-FINAL seed), then the characters last to first, then BASE.
(define (string-unfold-right p f g seed #!optional (base "") (make-final %no-final))
  (let loop ((seed seed) (acc '()))
    (if (p seed)
        (string-append (make-final seed) (%reverse-chars->string (reverse acc) 'string-unfold-right) base)
        (loop (g seed) (cons (f seed) acc)))))

;; (string-for-each PROC S [START END]) (SRFI-13), or R7RS's (string-for-each PROC S1 S2 …).
(define (string-for-each proc s . rest)
  (if (and (pair? rest) (string? (car rest)))
      (let* ((strings (cons s rest))
             (n (apply min (map string-length strings))))
        (do ((i 0 (+ i 1))) ((= i n)) (apply proc (map (lambda (x) (string-ref x i)) strings))))
      (let* ((start (if (pair? rest) (car rest) #f))
             (end (%string-end s start (if (and (pair? rest) (pair? (cdr rest))) (cadr rest) #f) 'string-for-each)))
        (do ((i (or start 0) (+ i 1))) ((>= i end)) (proc (string-ref s i))))))

(define (string-for-each-index proc s #!optional start end)
  (let ((end (%string-end s start end 'string-for-each-index)))
    (do ((i (or start 0) (+ i 1))) ((>= i end)) (proc i))))

;; (string-compare S1 S2 PROC< PROC= PROC> [START1 END1 START2 END2]): the continuation for the
;; order, applied to the mismatch index into S1.
(define (string-compare s1 s2 proc< proc= proc> #!optional start1 end1 start2 end2)
  (let ((r (%string-compare s1 s2 #f start1 end1 start2 end2)))
    ((case (car r) ((-1) proc<) ((0) proc=) (else proc>)) (cdr r))))

(define (string-compare-ci s1 s2 proc< proc= proc> #!optional start1 end1 start2 end2)
  (let ((r (%string-compare s1 s2 #t start1 end1 start2 end2)))
    ((case (car r) ((-1) proc<) ((0) proc=) (else proc>)) (cdr r))))

;; SRFI-14: the procedures that call a procedure, over char-set->list.

(define (char-set-for-each proc cs)
  (for-each proc (char-set->list cs)))

(define (char-set-map proc cs)
  (list->char-set (map proc (char-set->list cs))))

(define (char-set-fold kons knil cs)
  (fold kons knil (char-set->list cs)))

(define (char-set-count pred cs)
  (let loop ((l (char-set->list cs)) (n 0))
    (if (null? l) n (loop (cdr l) (if (pred (car l)) (+ n 1) n)))))

(define (char-set-every pred cs)
  (let loop ((l (char-set->list cs)) (last #t))
    (if (null? l) last (let ((v (pred (car l)))) (and v (loop (cdr l) v))))))

(define (char-set-any pred cs)
  (let loop ((l (char-set->list cs)))
    (and (pair? l) (or (pred (car l)) (loop (cdr l))))))

(define (char-set-filter pred cs #!optional base)
  (let ((chars (filter pred (char-set->list cs))))
    (if base (list->char-set chars base) (list->char-set chars))))

(define (char-set-filter! pred cs base)
  (list->char-set! (filter pred (char-set->list cs)) base))

(define (%char-set-unfold-list p f g seed)
  (let loop ((seed seed) (acc '()))
    (if (p seed) acc (loop (g seed) (cons (f seed) acc)))))

(define (char-set-unfold p f g seed #!optional base)
  (let ((chars (%char-set-unfold-list p f g seed)))
    (if base (list->char-set chars base) (list->char-set chars))))

(define (char-set-unfold! p f g seed base)
  (list->char-set! (%char-set-unfold-list p f g seed) base))
