;; CHICKEN compatibility forms that are syntax, not procedures (the procedures are TypeScript:
;; src/scheme/prelude/). Kept short: every form here is evaluated at start-up.

;; (require-extension NAME ...), (use NAME ...), (require-library NAME ...): the extensions a
;; program for the http egg names are all built in; an unknown one is an error.
(define-macro (require-extension . names) `(%require-extensions (quote ,names)))
(define-macro (use . names) `(%require-extensions (quote ,names)))
(define-macro (require-library . names) `(%require-extensions (quote ,names)))

;; SRFI-8
(define-syntax receive
  (syntax-rules ()
    ((_ formals expr body ...)
     (call-with-values (lambda () expr) (lambda formals body ...)))))

;; (handle-exceptions VAR HANDLER-EXPR BODY ...): the value of BODY, or of HANDLER-EXPR with VAR
;; bound to what BODY raised. %handle-exceptions is TypeScript (src/scheme/prelude/conditions.ts).
(define-macro (handle-exceptions var handler . body)
  `(%handle-exceptions (lambda () ,@body) (lambda (,var) ,handler)))

(define (with-output-to-string thunk)
  (let ((port (open-output-string)))
    (parameterize ((current-output-port port)) (thunk))
    (get-output-string port)))

(define (call-with-output-string proc)
  (let ((port (open-output-string)))
    (proc port)
    (get-output-string port)))

(define (with-output-to-port port thunk)
  (parameterize ((current-output-port port)) (thunk)))

(define (with-input-from-string string thunk)
  (parameterize ((current-input-port (open-input-string string))) (thunk)))

(define (with-input-from-port port thunk)
  (parameterize ((current-input-port port)) (thunk)))

;; (condition-case EXPR CLAUSE ...), CLAUSE = ((KIND ...) BODY ...) or (VAR (KIND ...) BODY ...);
;; no matching clause raises the condition again, unchanged.
(define-macro (condition-case expr . clauses)
  (let ((e (gensym "e")))
    `(%handle-exceptions
      (lambda () ,expr)
      (lambda (,e)
        (cond ,@(map (lambda (clause)
                       (if (symbol? (car clause))
                           `((%condition-matches? ,e ',(cadr clause))
                             (let ((,(car clause) ,e)) ,@(cddr clause)))
                           `((%condition-matches? ,e ',(car clause)) ,@(cdr clause))))
                     clauses)
              (else (raise ,e)))))))
