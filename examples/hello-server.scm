(require-extension http-server)

(http:add-resource '("/" "/index.html")
  (lambda (r a)
    (let ([msg "<h1>Hello, world!</h1>"])
      (print "Content-type: text/html\r\nContent-length: " (add1 (string-length msg)) "\r\n\r\n" msg) ) ) )

((http:make-server 4242) #t)
