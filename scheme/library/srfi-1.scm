;; SRFI-1: the list procedures that call procedures given to them (first-order ones are in src/scheme/library/lists.ts).
;;
;; Written as loops that accumulate and reverse, never recursing over a list's length. A list
;; that ends in something other than () raises (exn type) naming the procedure (%check-end),
;; as CHICKEN's null-list? does for the reference implementation. The n-ary cases walk the
;; lists in step with %heads / %tails (lists.ts) and stop at the shortest, so circular lists
;; are fine where SRFI-1 allows them. Where SRFI-1 leaves an optional = out, equal? is used;
;; = is called with its arguments in the order SRFI-1 gives (an element of an earlier list, or
;; the key, first).

;; The TypeScript append-reverse! (base.scm's merge code defines a Scheme one after lists.ts).
(define append-reverse! %append-reverse!)

;;; Constructors and predicates

(define (list-tabulate n proc)
  (%check-fixnum n 'list-tabulate)
  (let loop ((i (- n 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (proc i) acc)))))

(define (list= same? . lists)
  (or (null? lists)
      (let next ((a (car lists)) (others (cdr lists)))
        (or (null? others)
            (let ((b (car others)))
              (if (eq? a b)
                  (next b (cdr others))
                  (let loop ((la a) (lb b))
                    (cond ((pair? la)
                           (if (pair? lb)
                               (and (same? (car la) (car lb)) (loop (cdr la) (cdr lb)))
                               (begin (%check-end lb 'list=) #f)))
                          (else
                           (%check-end la 'list=)
                           (if (pair? lb)
                               #f
                               (begin (%check-end lb 'list=) (next b (cdr others)))))))))))))

;;; Counting, folding, unfolding

(define (count pred l . ls)
  (if (null? ls)
      (let loop ((p l) (n 0))
        (if (pair? p)
            (loop (cdr p) (if (pred (car p)) (+ n 1) n))
            (begin (%check-end p 'count) n)))
      (let loop ((ls (cons l ls)) (n 0))
        (let ((args (%heads ls 'count)))
          (if args
              (loop (%tails ls) (if (apply pred args) (+ n 1) n))
              n)))))

(define (fold kons knil l . ls)
  (if (null? ls)
      (let loop ((p l) (acc knil))
        (if (pair? p)
            (loop (cdr p) (kons (car p) acc))
            (begin (%check-end p 'fold) acc)))
      (let loop ((ls (cons l ls)) (acc knil))
        (let ((args (%heads+ ls 'fold acc)))
          (if args (loop (%tails ls) (apply kons args)) acc)))))

;; The rows of arguments of the n-ary right folds, last row first.
(define (%rows ls who)
  (let loop ((ls ls) (rows '()))
    (let ((args (%heads ls who)))
      (if args (loop (%tails ls) (cons args rows)) rows))))

(define (fold-right kons knil l . ls)
  (if (null? ls)
      (let loop ((r (%reverse l 'fold-right)) (acc knil))
        (if (pair? r) (loop (cdr r) (kons (car r) acc)) acc))
      (let loop ((rows (%rows (cons l ls) 'fold-right)) (acc knil))
        (if (pair? rows)
            (loop (cdr rows) (apply kons (append! (car rows) (list acc))))
            acc))))

(define (pair-fold f zero l . ls)
  (if (null? ls)
      (let loop ((p l) (acc zero))
        (if (pair? p)
            (let ((tail (cdr p)))       ; taken first: F may set-cdr! P
              (loop tail (f p acc)))
            (begin (%check-end p 'pair-fold) acc)))
      (let loop ((ls (cons l ls)) (acc zero))
        (if (%every-pair? ls 'pair-fold)
            (let ((tails (%tails ls)))
              (loop tails (apply f (append ls (list acc)))))
            acc))))

(define (pair-fold-right f zero l . ls)
  (if (null? ls)
      (let collect ((p l) (pairs '()))
        (if (pair? p)
            (collect (cdr p) (cons p pairs))
            (begin
              (%check-end p 'pair-fold-right)
              (let loop ((pairs pairs) (acc zero))
                (if (pair? pairs) (loop (cdr pairs) (f (car pairs) acc)) acc)))))
      (let collect ((ls (cons l ls)) (rows '()))
        (if (%every-pair? ls 'pair-fold-right)
            (collect (%tails ls) (cons ls rows))
            (let loop ((rows rows) (acc zero))
              (if (pair? rows)
                  (loop (cdr rows) (apply f (append (car rows) (list acc))))
                  acc))))))

(define (reduce f ridentity l)
  (if (pair? l)
      (let loop ((p (cdr l)) (acc (car l)))
        (if (pair? p)
            (loop (cdr p) (f (car p) acc))
            (begin (%check-end p 'reduce) acc)))
      (begin (%check-end l 'reduce) ridentity)))

;; (f e1 (f e2 … (f en-1 en))): a left fold over the reversed list.
(define (reduce-right f ridentity l)
  (if (pair? l)
      (let ((r (%reverse l 'reduce-right)))
        (let loop ((p (cdr r)) (acc (car r)))
          (if (pair? p) (loop (cdr p) (f (car p) acc)) acc)))
      (begin (%check-end l 'reduce-right) ridentity)))

(define (unfold stop? mapper successor seed #!optional tail-gen)
  (let loop ((seed seed) (acc '()))
    (if (stop? seed)
        (append-reverse! acc (if tail-gen (tail-gen seed) '()))
        (loop (successor seed) (cons (mapper seed) acc)))))

(define (unfold-right stop? mapper successor seed #!optional (tail '()))
  (let loop ((seed seed) (acc tail))
    (if (stop? seed) acc (loop (successor seed) (cons (mapper seed) acc)))))

;;; Mapping

(define (append-map f l . ls)
  (%append-map f (cons l ls) 'append-map))

(define (append-map! f l . ls)
  (%append-map f (cons l ls) 'append-map!))

;; The results of F, collected last first, appended at the end (each but the last copied by
;; append-map, spliced by append-map!).
(define (%append-map f ls who)
  (if (null? (cdr ls))
      (let loop ((p (car ls)) (acc '()))
        (if (pair? p)
            (loop (cdr p) (cons (f (car p)) acc))
            (begin (%check-end p who) (%append-reversed acc who))))
      (let loop ((ls ls) (acc '()))
        (let ((args (%heads ls who)))
          (if args
              (loop (%tails ls) (cons (apply f args) acc))
              (%append-reversed acc who))))))

;; F's results replace the elements of L, which is returned; L decides the length.
(define (map! f l . ls)
  (if (null? ls)
      (let loop ((p l))
        (if (pair? p)
            (begin (set-car! p (f (car p))) (loop (cdr p)))
            (%check-end p 'map!)))
      (let loop ((p l) (ls ls))
        (if (pair? p)
            (let ((args (%heads ls 'map!)))
              (if args
                  (begin (set-car! p (apply f (car p) args)) (loop (cdr p) (%tails ls)))))
            (%check-end p 'map!))))
  l)

;; base.scm's map already calls F on the elements from left to right.
(define (map-in-order f l . ls) (apply map f l ls))

(define (pair-for-each proc l . ls)
  (if (null? ls)
      (let loop ((p l))
        (if (pair? p)
            (let ((tail (cdr p)))       ; taken first: PROC may set-cdr! P
              (proc p)
              (loop tail))
            (%check-end p 'pair-for-each)))
      (let loop ((ls (cons l ls)))
        (if (%every-pair? ls 'pair-for-each)
            (let ((tails (%tails ls)))
              (apply proc ls)
              (loop tails))))))

(define (filter-map f l . ls)
  (if (null? ls)
      (let loop ((p l) (acc '()))
        (if (pair? p)
            (loop (cdr p) (let ((v (f (car p)))) (if v (cons v acc) acc)))
            (begin (%check-end p 'filter-map) (reverse! acc))))
      (let loop ((ls (cons l ls)) (acc '()))
        (let ((args (%heads ls 'filter-map)))
          (if args
              (loop (%tails ls) (let ((v (apply f args))) (if v (cons v acc) acc)))
              (reverse! acc))))))

;;; Filtering and partitioning

(define (%filter keep? l who)
  (let loop ((p l) (acc '()))
    (if (pair? p)
        (loop (cdr p) (if (keep? (car p)) (cons (car p) acc) acc))
        (begin (%check-end p who) (reverse! acc)))))

;; In place: the kept pairs are relinked (a cdr is written only where a run of kept pairs ends).
(define (%filter! keep? l who)
  (let loop ((p l) (head '()) (last #f))
    (if (pair? p)
        (let ((next (cdr p)))
          (if (keep? (car p))
              (begin
                (if (and last (not (eq? (cdr last) p))) (set-cdr! last p))
                (loop next (if last head p) p))
              (loop next head last)))
        (begin
          (%check-end p who)
          (if (and last (not (null? (cdr last)))) (set-cdr! last '()))
          head))))

(define (filter pred l) (%filter pred l 'filter))
(define (remove pred l) (%filter (lambda (x) (not (pred x))) l 'remove))
(define (filter! pred l) (%filter! pred l 'filter!))
(define (remove! pred l) (%filter! (lambda (x) (not (pred x))) l 'remove!))

(define (partition pred l)
  (let loop ((p l) (in '()) (out '()))
    (if (pair? p)
        (let ((x (car p)))
          (if (pred x)
              (loop (cdr p) (cons x in) out)
              (loop (cdr p) in (cons x out))))
        (begin (%check-end p 'partition) (values (reverse! in) (reverse! out))))))

(define (partition! pred l)
  (let loop ((p l) (in '()) (in-last #f) (out '()) (out-last #f))
    (if (pair? p)
        (let ((next (cdr p)))
          (if (pred (car p))
              (begin
                (if in-last (set-cdr! in-last p))
                (loop next (if in-last in p) p out out-last))
              (begin
                (if out-last (set-cdr! out-last p))
                (loop next in in-last (if out-last out p) p))))
        (begin
          (%check-end p 'partition!)
          (if in-last (set-cdr! in-last '()))
          (if out-last (set-cdr! out-last '()))
          (values in out)))))

;;; Searching

(define (find pred l)
  (let loop ((p l))
    (if (pair? p)
        (let ((x (car p))) (if (pred x) x (loop (cdr p))))
        (begin (%check-end p 'find) #f))))

(define (find-tail pred l)
  (let loop ((p l))
    (if (pair? p)
        (if (pred (car p)) p (loop (cdr p)))
        (begin (%check-end p 'find-tail) #f))))

(define (any pred l . ls)
  (if (null? ls)
      (let loop ((p l))
        (if (pair? p)
            (or (pred (car p)) (loop (cdr p)))
            (begin (%check-end p 'any) #f)))
      (let loop ((ls (cons l ls)))
        (let ((args (%heads ls 'any)))
          (and args (or (apply pred args) (loop (%tails ls))))))))

;; The last value of PRED, or #t for no elements.
(define (every pred l . ls)
  (if (null? ls)
      (let loop ((p l) (last #t))
        (if (pair? p)
            (let ((v (pred (car p)))) (and v (loop (cdr p) v)))
            (begin (%check-end p 'every) last)))
      (let loop ((ls (cons l ls)) (last #t))
        (let ((args (%heads ls 'every)))
          (if args
              (let ((v (apply pred args))) (and v (loop (%tails ls) v)))
              last)))))

(define (list-index pred l . ls)
  (if (null? ls)
      (let loop ((p l) (i 0))
        (if (pair? p)
            (if (pred (car p)) i (loop (cdr p) (+ i 1)))
            (begin (%check-end p 'list-index) #f)))
      (let loop ((ls (cons l ls)) (i 0))
        (let ((args (%heads ls 'list-index)))
          (and args (if (apply pred args) i (loop (%tails ls) (+ i 1))))))))

(define (take-while pred l)
  (let loop ((p l) (acc '()))
    (if (pair? p)
        (if (pred (car p)) (loop (cdr p) (cons (car p) acc)) (reverse! acc))
        (begin (%check-end p 'take-while) (reverse! acc)))))

(define (drop-while pred l)
  (let loop ((p l))
    (if (pair? p)
        (if (pred (car p)) (loop (cdr p)) p)
        (begin (%check-end p 'drop-while) '()))))

(define (take-while! pred l)
  (let loop ((p l) (last #f))
    (if (and (pair? p) (pred (car p)))
        (loop (cdr p) p)
        (begin
          (if (not (pair? p)) (%check-end p 'take-while!))
          (if last (begin (set-cdr! last '()) l) '())))))

;; The longest prefix whose elements satisfy KEEP?, and the rest.
(define (%span keep? l who)
  (let loop ((p l) (acc '()))
    (if (pair? p)
        (if (keep? (car p)) (loop (cdr p) (cons (car p) acc)) (values (reverse! acc) p))
        (begin (%check-end p who) (values (reverse! acc) '())))))

(define (%span! keep? l who)
  (let loop ((p l) (last #f))
    (if (pair? p)
        (if (keep? (car p))
            (loop (cdr p) p)
            (if last (begin (set-cdr! last '()) (values l p)) (values '() l)))
        (begin (%check-end p who) (values (if last l '()) '())))))

(define (span pred l) (%span pred l 'span))
(define (break pred l) (%span (lambda (x) (not (pred x))) l 'break))
(define (span! pred l) (%span! pred l 'span!))
(define (break! pred l) (%span! (lambda (x) (not (pred x))) l 'break!))

;;; Deleting (= called as (= x element); delete-duplicates: (= earlier later))

(define (delete x l #!optional same?)
  (let ((same? (or same? equal?)))
    (%filter (lambda (y) (not (same? x y))) l 'delete)))

(define (delete! x l #!optional same?)
  (let ((same? (or same? equal?)))
    (%filter! (lambda (y) (not (same? x y))) l 'delete!)))

;; A predicate for %filter: true for an element no earlier kept one is SAME? to.
(define (%first-occurrence same?)
  (let ((kept '()))
    (lambda (x)
      (let seen ((k kept))
        (cond ((null? k) (set! kept (cons x kept)) #t)
              ((same? (car k) x) #f)
              (else (seen (cdr k))))))))

(define (delete-duplicates l #!optional same?)
  (if same?
      (%filter (%first-occurrence same?) l 'delete-duplicates)
      (%delete-duplicates l)))

(define (delete-duplicates! l #!optional same?)
  (if same?
      (%filter! (%first-occurrence same?) l 'delete-duplicates!)
      (%delete-duplicates! l)))

;;; Association lists (alist-cons and alist-copy are in lists.ts)

(define (alist-delete key alist #!optional same?)
  (let ((same? (or same? equal?)))
    (%filter (lambda (entry) (not (same? key (car entry)))) alist 'alist-delete)))

(define (alist-delete! key alist #!optional same?)
  (let ((same? (or same? equal?)))
    (%filter! (lambda (entry) (not (same? key (car entry)))) alist 'alist-delete!)))

;;; Lists as sets. As the reference implementation: results share structure with the
;;; arguments where they can, and the element order is the reference's.

;; Whether some element Y of L has (same? Y X).
(define (%lset-has? same? l x)
  (let loop ((p l))
    (and (pair? p) (or (same? (car p) x) (loop (cdr p))))))

;; Whether each element X of A has some Y in B with (same? X Y).
(define (%lset-sub? same? a b)
  (every (lambda (x) (member x b same?)) a))

(define (lset<= same? . lists)
  (or (null? lists)
      (let loop ((a (car lists)) (rest (cdr lists)))
        (or (null? rest)
            (let ((b (car rest)))
              (and (or (eq? a b) (%lset-sub? same? a b))
                   (loop b (cdr rest))))))))

(define (lset= same? . lists)
  (or (null? lists)
      (let loop ((a (car lists)) (rest (cdr lists)))
        (or (null? rest)
            (let ((b (car rest)))
              (and (or (eq? a b)
                       (and (%lset-sub? same? a b)
                            (every (lambda (y) (%lset-has? same? a y)) b)))
                   (loop b (cdr rest))))))))

(define (lset-adjoin same? l . elts)
  (let loop ((elts elts) (ans l))
    (if (pair? elts)
        (let ((x (car elts)))
          (loop (cdr elts) (if (%lset-has? same? ans x) ans (cons x ans))))
        ans)))

;; The union of the LISTS: each new element of a later list is added at the front, by ADD
;; (cons for lset-union, reuse of the pair for lset-union!).
(define (%lset-union same? lists linear?)
  (if (null? lists)
      '()
      (let loop ((ans (car lists)) (rest (cdr lists)))
        (if (null? rest)
            ans
            (let ((l (car rest)))
              (loop (cond ((null? l) ans)
                          ((null? ans) l)
                          ((eq? l ans) ans)
                          (linear?
                           (pair-fold (lambda (pair ans)
                                        (if (%lset-has? same? ans (car pair))
                                            ans
                                            (begin (set-cdr! pair ans) pair)))
                                      ans l))
                          (else
                           (fold (lambda (x ans) (if (%lset-has? same? ans x) ans (cons x ans)))
                                 ans l)))
                    (cdr rest)))))))

(define (lset-union same? . lists) (%lset-union same? lists #f))
(define (lset-union! same? . lists) (%lset-union same? lists #t))

(define (%lset-intersection same? l lists filterer)
  (let ((lists (delete l lists eq?)))
    (cond ((any null? lists) '())
          ((null? lists) l)
          (else (filterer (lambda (x) (every (lambda (m) (member x m same?)) lists)) l)))))

(define (lset-intersection same? l . lists) (%lset-intersection same? l lists filter))
(define (lset-intersection! same? l . lists) (%lset-intersection same? l lists filter!))

(define (%lset-difference same? l lists filterer)
  (let ((lists (filter pair? lists)))
    (cond ((null? lists) l)
          ((memq l lists) '())
          (else (filterer (lambda (x) (not (any (lambda (m) (member x m same?)) lists))) l)))))

(define (lset-difference same? l . lists) (%lset-difference same? l lists filter))
(define (lset-difference! same? l . lists) (%lset-difference same? l lists filter!))

(define (%lset-diff+intersection same? l lists partitioner)
  (cond ((every null? lists) (values l '()))
        ((memq l lists) (values '() l))
        (else (partitioner (lambda (x) (not (any (lambda (m) (member x m same?)) lists))) l))))

(define (lset-diff+intersection same? l . lists)
  (%lset-diff+intersection same? l lists partition))
(define (lset-diff+intersection! same? l . lists)
  (%lset-diff+intersection same? l lists partition!))

;; A xor B for each next list B: (A - B) with the elements of B not in A in front.
(define (%lset-xor same? lists linear?)
  (reduce (lambda (b a)
            (receive (a-b a-and-b)
                (%lset-diff+intersection same? a (list b) (if linear? partition! partition))
              (cond ((null? a-b) (%lset-difference (lambda (y x) (same? x y)) b (list a) (if linear? filter! filter)))
                    ((null? a-and-b) (if linear? (append! b a) (append b a)))
                    (linear?
                     (pair-fold (lambda (pair ans)
                                  (if (%lset-has? same? a-and-b (car pair))
                                      ans
                                      (begin (set-cdr! pair ans) pair)))
                                a-b b))
                    (else
                     (fold (lambda (y ans) (if (%lset-has? same? a-and-b y) ans (cons y ans)))
                           a-b b)))))
          '() lists))

(define (lset-xor same? . lists) (%lset-xor same? lists #f))
(define (lset-xor! same? . lists) (%lset-xor same? lists #t))
