;;; mandelbrot: count the points of a grid that stay in the Mandelbrot set.
;;; Exercises: floating-point arithmetic (exact->inexact, *, +, -, >), named let.
;;; The printed result is an exact integer.
(define size 300) ; small: 6

(define max-iter 50)

(define (in-set? cr ci)
  (let loop ((zr 0.0) (zi 0.0) (i 0))
    (cond ((= i max-iter) #t)
          ((> (+ (* zr zr) (* zi zi)) 4.0) #f)
          (else (loop (+ (- (* zr zr) (* zi zi)) cr)
                      (+ (* 2.0 zr zi) ci)
                      (+ i 1))))))

(define (count n)
  (let ((step (/ 3.0 (exact->inexact n))))
    (let rows ((y 0) (total 0))
      (if (= y n)
          total
          (let ((ci (- (* step (exact->inexact y)) 1.5)))
            (let cols ((x 0) (total total))
              (if (= x n)
                  (rows (+ y 1) total)
                  (cols (+ x 1)
                        (if (in-set? (- (* step (exact->inexact x)) 2.0) ci)
                            (+ total 1)
                            total)))))))))

(display (count size))
(newline)
