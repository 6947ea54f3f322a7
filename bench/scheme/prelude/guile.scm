;;; Prepended to every program for Guile 3.
;;; Guile has `sort` and `with-output-to-string` in its core; define-record-type
;;; is SRFI 9, which a script has to ask for.
(use-modules (srfi srfi-9))
