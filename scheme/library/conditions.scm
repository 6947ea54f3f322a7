;; SRFI-12 exception handlers as CHICKEN has them, on the dynamic state of library/control.ts:
;; the current handler is a binding there (so a thread and each suspended task keep their own),
;; `signal`, `abort`, `error` (TypeScript) call it in the dynamic context of the raise through
;; %invoke-handler, and handle-exceptions (the expander) marks its body so that a raise inside
;; it is thrown to it instead. A handler runs with the handler that was current when it was
;; installed (SRFI-18/R7RS; CHICKEN keeps the handler itself installed, so a handler that raises
;; again loops there), and returning from a non-continuable raise is an error.

;; Runs handler ENTRY on X where X was raised. Whatever is raised out of the handler is marked
;; so that ENTRY's with-exception-handler does not give it to the same handler again.
(define (%invoke-handler entry x continuable)
  (let ((d (%dyn)))
    (%dyn-set! (%dyn-handler-outer d entry))
    (%finally
     (%catch e (%handler-escaped entry e)
       (let ((v ((%handler-proc entry) x)))
         (if continuable v (%handler-returned x))))
     (%dyn-set! d))))

;; An error a TypeScript procedure threw inside THUNK (it could not call the handler where it
;; was raised) reaches the handler here, after THUNK was left.
(define (with-exception-handler handler thunk)
  (let* ((d (%dyn))
         (entry (%make-handler handler d)))
    (%catch e
      (if (%handler-escaped? entry e)
          (%rethrow e)
          (begin (handler e) (%handler-returned e)))
      (begin
        (%dyn-set! (%dyn-with-handler d entry))
        (%finally (thunk) (%dyn-set! d))))))

;; CHICKEN: a thread's parameter values are its own (inherited from its creator, then set in the
;; thread alone), and it does not run its creator's exception handlers.
(define make-thread
  (let ((make make-thread))
    (lambda (thunk . name)
      (let ((d (%dyn)))
        (%dyn-set! (%dyn-thread d))
        (%finally (apply make thunk name) (%dyn-set! d))))))
