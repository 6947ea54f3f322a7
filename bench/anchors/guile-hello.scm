;;; Benchmark anchor: Guile's (web server) answering the hello page, run by bench/all.mjs as
;;; `guile bench/anchors/guile-hello.scm` with PORT in the environment. Every request gets 200,
;;; Content-Type: text/html and the 23-byte body "<h1>Hello, world!</h1>\n" (Guile adds the
;;; Content-Length for a bytevector body and keeps HTTP/1.1 connections alive). Loopback only.
(use-modules (web server) (web response) (rnrs bytevectors))

(define port (string->number (or (getenv "PORT") "8080")))
(define body (string->utf8 "<h1>Hello, world!</h1>\n"))

(define (hello request request-body)
  (values (build-response #:code 200 #:headers '((content-type . (text/html))))
          body))

(run-server hello 'http `(#:addr ,INADDR_LOOPBACK #:port ,port))
