;; The regex unit's procedures that call a procedure argument, in Scheme so that it may wait for
;; I/O or be preempted; the matching itself is src/scheme/library/regex.ts.

;; (grep REGEX LIST [ACCESSOR]): the elements of LIST (or their ACCESSOR values) REGEX finds a
;; match in, in order.
(define (grep rx lst . accessor)
  (let ((acc (if (pair? accessor) (car accessor) #f))
        (rx (regexp rx)))
    (let loop ((l lst))
      (cond ((null? l) '())
            ((not (pair? l)) (##regex#not-a-list lst))
            ((string-search rx (if acc (acc (car l)) (car l))) (cons (car l) (loop (cdr l))))
            (else (loop (cdr l)))))))
