(require-extension http-client)

(define-values (h a i o) (http:send-request "localhost:4242/"))

(pretty-print (read-lines i))
(close-input-port i)
(close-output-port o)
