;;; records: an unbalanced binary search tree of define-record-type nodes.
;;; Exercises: record construction, field access and mutation, predicates,
;;; recursion down the tree.
(define size 50000) ; small: 100

(define-record-type node
  (make-node key count left right)
  node?
  (key node-key)
  (count node-count set-node-count!)
  (left node-left set-node-left!)
  (right node-right set-node-right!))

(define seed 99)
(define (random-next!)
  (set! seed (modulo (* seed 16807) 2147483647))
  seed)

;; Insert key (or bump its count); returns the (possibly new) root.
(define (insert! tree key)
  (if (not (node? tree))
      (make-node key 1 #f #f)
      (let loop ((n tree))
        (cond ((= key (node-key n))
               (set-node-count! n (+ (node-count n) 1))
               tree)
              ((< key (node-key n))
               (if (node? (node-left n))
                   (loop (node-left n))
                   (begin (set-node-left! n (make-node key 1 #f #f)) tree)))
              (else
               (if (node? (node-right n))
                   (loop (node-right n))
                   (begin (set-node-right! n (make-node key 1 #f #f)) tree)))))))

(define (lookup tree key)
  (cond ((not (node? tree)) 0)
        ((= key (node-key tree)) (node-count tree))
        ((< key (node-key tree)) (lookup (node-left tree) key))
        (else (lookup (node-right tree) key))))

(define (height tree)
  (if (node? tree)
      (+ 1 (max (height (node-left tree)) (height (node-right tree))))
      0))

(define (size-of tree)
  (if (node? tree)
      (+ 1 (size-of (node-left tree)) (size-of (node-right tree)))
      0))

(define (run n)
  (let loop ((i 0) (tree #f))
    (if (< i n)
        (loop (+ i 1) (insert! tree (modulo (random-next!) (* 2 n))))
        (let count ((k 0) (found 0))
          (if (= k (* 2 n))
              (list (size-of tree) (height tree) found)
              (count (+ k 1) (+ found (lookup tree k))))))))

(display (run size))
(newline)
