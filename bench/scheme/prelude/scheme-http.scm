;;; Prepended to every program for scheme-http (a CHICKEN-3-style Scheme):
;;; `sort`, `with-output-to-string` and define-record-type are built in, so
;;; nothing is needed yet.
