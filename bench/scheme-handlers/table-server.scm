;; Handler benchmark: a resource that renders a 50-row HTML table on every request.
;; The body is built with a named let over the rows, each row with string-append and
;; number->string, all inside with-output-to-string; then the handler prints the headers with
;; Content-length from string-length, and the body, the way examples/hello-server.scm does.
;; bench/anchors/node-http-table.ts answers the same bytes from node:http.
;;
;;   node bin/scheme-http.js bench/scheme-handlers/table-server.scm [PORT]   (default 4343)
;;   curl http://127.0.0.1:4343/table

(require-extension http-server)

(define port
  (let ([args (command-line-arguments)])
    (if (pair? args) (string->number (car args)) 4343)))

(http:add-resource "/table"
  (lambda (r a)
    (let ([body
           (with-output-to-string
             (lambda ()
               (display "<!DOCTYPE html>\n<html><head><title>Table</title></head><body>\n<table>\n")
               (display "<tr><th>n</th><th>n*n</th><th>hex</th><th>label</th></tr>\n")
               (let loop ([i 1])
                 (when (<= i 50)
                   (display
                    (string-append "<tr class=\"" (if (even? i) "even" "odd") "\"><td>"
                                   (number->string i) "</td><td>"
                                   (number->string (* i i)) "</td><td>"
                                   (number->string (* i 4099) 16) "</td><td>row-"
                                   (number->string i) "</td></tr>\n"))
                   (loop (+ i 1))))
               (display "</table>\n</body></html>")))])
      (print "Content-type: text/html\r\nContent-length: " (add1 (string-length body)) "\r\n\r\n" body) ) ) )

((http:make-server port))
