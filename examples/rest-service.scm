;;; rest-service.scm -- a small JSON REST service on the http egg.
;;;
;;; A collection of items, kept in an SRFI-69 hash table:
;;;
;;;   GET    /items        the list of items (a JSON array, ordered by id)
;;;   POST   /items        create an item from a JSON object: 201, Location: /items/ID
;;;   GET    /items/ID     one item                     (404 if there is none)
;;;   PUT    /items/ID     replace an item              (404 if there is none)
;;;   DELETE /items/ID     delete an item: 204          (404 if there is none)
;;;
;;; Any other method on these resources answers 405 with an Allow header; a body that is not
;;; JSON (or not an object) answers 400, a body that is not application/json answers 415.
;;; There is no JSON egg here, so the program carries its own small reader and writer:
;;;
;;;   JSON object        <-> vector of (KEY . VALUE) pairs, keys strings, in order
;;;   JSON array         <-> list
;;;   string, number     <-> string (UTF-8 bytes), number
;;;   true, false, null  <-> #t, #f, the symbol null
;;;
;;; The reader is the content parser of application/json: a handler finds the parsed value in
;;; (http:request-body r). A parse error is a condition of kind (exn json).
;;;
;;;   csi -s rest-service.scm [PORT [N]]     PORT defaults to 8080; N sample items are created
;;;                                          at start-up (default 0)
;;;   curl -i -H 'Content-Type: application/json' -d '{"name": "tea"}' localhost:8080/items

(require-extension http-server srfi-1 srfi-13 srfi-14 srfi-69)

(define port
  (let ([args (command-line-arguments)])
    (if (pair? args) (string->number (car args)) 8080)))

(define sample-count
  (let ([args (command-line-arguments)])
    (if (and (pair? args) (pair? (cdr args))) (string->number (cadr args)) 0)))

;;; ------------------------------------------------------------------------------------------
;;; JSON errors: (exn json) conditions, with the byte position where reading stopped

(define (json-error message position)
  (abort
   (make-composite-condition
    (make-property-condition 'exn 'message message 'arguments (list position) 'location 'json-read)
    (make-property-condition 'json 'position position))))

(define exn-message (condition-property-accessor 'exn 'message))
(define json-error-position (condition-property-accessor 'json 'position))

;;; ------------------------------------------------------------------------------------------
;;; JSON reader: the text in a string, read with an index

(define (json-read-string s)
  (let ([n (string-length s)]
        [i 0])
    (define (fail message) (json-error message i))
    (define (peek) (and (< i n) (string-ref s i)))
    (define (advance!) (set! i (+ i 1)))
    (define (skip-space!)
      (when (and (< i n) (memv (string-ref s i) '(#\space #\tab #\newline #\return)))
        (advance!)
        (skip-space!)))
    (define (expect! c what)
      (skip-space!)
      (if (eqv? (peek) c) (advance!) (fail (string-append "expected " what))))
    (define (read-value)
      (skip-space!)
      (let ([c (peek)])
        (cond [(not c) (fail "unexpected end of input")]
              [(char=? c #\{) (advance!) (read-object)]
              [(char=? c #\[) (advance!) (read-array)]
              [(char=? c #\") (advance!) (read-string-body)]
              [(char=? c #\t) (read-word "true" #t)]
              [(char=? c #\f) (read-word "false" #f)]
              [(char=? c #\n) (read-word "null" 'null)]
              [(or (char=? c #\-) (char-numeric? c)) (read-number)]
              [else (fail (string-append "unexpected character " (string c)))])))
    (define (read-word word value)
      (let ([end (+ i (string-length word))])
        (if (and (<= end n) (string=? word (substring s i end)))
            (begin (set! i end) value)
            (fail "unknown literal"))))
    ;; Comma-separated ITEMs up to CLOSE (the opening bracket is read), in order.
    (define (read-sequence close read-item)
      (skip-space!)
      (if (eqv? (peek) close)
          (begin (advance!) '())
          (let loop ([acc (list (read-item))])
            (skip-space!)
            (let ([c (peek)])
              (cond [(eqv? c #\,) (advance!) (loop (cons (read-item) acc))]
                    [(eqv? c close) (advance!) (reverse acc)]
                    [else (fail (string-append "expected , or " (string close)))])))))
    (define (read-member)
      (expect! #\" "a string key")
      (let ([key (read-string-body)])
        (expect! #\: ":")
        (cons key (read-value))))
    (define (read-object) (list->vector (read-sequence #\} read-member)))
    (define (read-array) (read-sequence #\] read-value))
    (define (digits!)
      (let ([start i])
        (let loop () (when (and (< i n) (char-numeric? (string-ref s i))) (advance!) (loop)))
        (when (= i start) (fail "expected a digit"))))
    ;; JSON's number syntax, checked here: string->number accepts more ("1.", "#x10", "+1").
    (define (read-number)
      (let ([start i])
        (when (eqv? (peek) #\-) (advance!))
        (if (eqv? (peek) #\0) (advance!) (digits!))
        (when (eqv? (peek) #\.) (advance!) (digits!))
        (when (memv (peek) '(#\e #\E))
          (advance!)
          (when (memv (peek) '(#\+ #\-)) (advance!))
          (digits!))
        (string->number (substring s start i))))
    (define (hex4)
      (let loop ([k 0] [v 0])
        (if (= k 4)
            v
            (let ([d (and (< i n) (string-index "0123456789abcdef" (char-downcase (string-ref s i))))])
              (unless d (fail "bad \\u escape"))
              (advance!)
              (loop (+ k 1) (+ (* v 16) d))))))
    ;; \uXXXX, with a surrogate pair for code points over #xFFFF; a lone surrogate has no
    ;; UTF-8 form.
    (define (read-unicode-escape)
      (let ([hi (hex4)])
        (cond [(<= #xDC00 hi #xDFFF) (fail "lone surrogate")]
              [(not (<= #xD800 hi #xDBFF)) hi]
              [(and (< (+ i 1) n) (char=? (string-ref s i) #\\) (char=? (string-ref s (+ i 1)) #\u))
               (set! i (+ i 2))
               (let ([lo (hex4)])
                 (unless (<= #xDC00 lo #xDFFF) (fail "lone surrogate"))
                 (+ #x10000 (* (- hi #xD800) #x400) (- lo #xDC00)))]
              [else (fail "lone surrogate")])))
    ;; The string after its opening quote. Runs of plain bytes are copied as substrings: a
    ;; string without escapes is one substring; OUT collects the pieces once there is an escape.
    (define (read-string-body)
      (let ([out #f])
        (let scan ([j i])
          (if (>= j n)
              (fail "unterminated string")
              (let ([c (string-ref s j)])
                (cond [(char=? c #\")
                       (let ([run (substring s i j)])
                         (set! i (+ j 1))
                         (if out (begin (display run out) (get-output-string out)) run))]
                      [(char=? c #\\)
                       (unless out (set! out (open-output-string)))
                       (display (substring s i j) out)
                       (set! i (+ j 1))
                       (read-escape out)
                       (scan i)]
                      [(< (char->integer c) 32) (set! i j) (fail "control character in a string")]
                      [else (scan (+ j 1))]))))))
    ;; The escape after a backslash, to OUT.
    (define (read-escape out)
      (let ([e (peek)])
        (advance!)
        (case e
          [(#\" #\\ #\/) (write-char e out)]
          [(#\n) (write-char #\newline out)]
          [(#\t) (write-char #\tab out)]
          [(#\r) (write-char #\return out)]
          [(#\b) (write-char (integer->char 8) out)]
          [(#\f) (write-char (integer->char 12) out)]
          [(#\u) (write-utf8 (read-unicode-escape) out)]
          [else (set! i (- i 1)) (fail "bad escape")])))
    (let ([value (read-value)])
      (skip-space!)
      (if (< i n) (fail "text after the value") value))))

;;; Strings are bytes: a code point from a \u escape goes in as its UTF-8 bytes.
(define (write-utf8 code out)
  (define (byte b) (write-char (integer->char b) out))
  (define (tail shift) (byte (+ #x80 (bitwise-and (arithmetic-shift code (- shift)) #x3F))))
  (cond [(< code #x80) (byte code)]
        [(< code #x800) (byte (+ #xC0 (arithmetic-shift code -6))) (tail 0)]
        [(< code #x10000) (byte (+ #xE0 (arithmetic-shift code -12))) (tail 6) (tail 0)]
        [else (byte (+ #xF0 (arithmetic-shift code -18))) (tail 12) (tail 6) (tail 0)]))

;;; ------------------------------------------------------------------------------------------
;;; JSON writer: to (current-output-port)

(define (json-write v)
  (cond [(eq? v #t) (display "true")]
        [(eq? v #f) (display "false")]
        [(eq? v 'null) (display "null")]
        [(string? v) (json-write-string v)]
        [(number? v) (display (json-number->string v))]
        [(vector? v) (json-write-object v)]
        [(list? v) (json-write-array v)]
        [else (error 'json-write "cannot be written as JSON" v)]))

(define (json->string v) (with-output-to-string (lambda () (json-write v))))

;;; Few, larger writes: an opening bracket or comma goes out with what follows it.
(define (json-write-array items)
  (if (null? items)
      (display "[]")
      (begin
        (display "[")
        (json-write (car items))
        (for-each (lambda (x) (display ",") (json-write x)) (cdr items))
        (display "]"))))

(define (json-write-object members)
  (let ([n (vector-length members)])
    (if (zero? n)
        (display "{}")
        (begin
          (do ([k 0 (+ k 1)]) ((= k n))
            (let ([m (vector-ref members k)])
              (display (string-append (if (zero? k) "{" ",") (json-quote (car m)) ":"))
              (json-write (cdr m))))
          (display "}")))))

(define (json-number->string x)
  (cond [(exact? x) (number->string x)]
        [(or (not (= x x)) (= x (+ x 1))) (error 'json-write "not a finite number" x)]
        [else
         ;; CHICKEN writes 2.0 as "2." and .5 as ".5": JSON wants digits on both sides.
         (let* ([s (number->string x)]
                [s (if (char=? (string-ref s (- (string-length s) 1)) #\.) (string-append s "0") s)])
           (if (char=? (string-ref s 0) #\.) (string-append "0" s) s))]))

;;; The bytes that cannot stand in a JSON string as they are: control characters, " and \.
(define json-special
  (char-set-union (ucs-range->char-set 0 32) (char-set #\" #\\)))

;;; S as a JSON string literal. Most strings need no escape: they are only quoted.
(define (json-quote s)
  (let ([i (string-index s json-special)])
    (if i
        (with-output-to-string (lambda () (json-write-escaped s i)))
        (string-append "\"" s "\""))))

;;; S as a JSON string literal, to (current-output-port).
(define (json-write-string s)
  (let ([i (string-index s json-special)])
    (if i
        (json-write-escaped s i)
        (display (string-append "\"" s "\"")))))

;;; The same, when the byte at I is the first to escape: the runs of plain bytes between
;;; escapes go out as they are, each escape after its run.
(define (json-write-escaped s i)
  (display "\"")
  (let loop ([start 0] [i i])
    (if i
        (begin
          (display (substring s start i))
          (display (json-escape (string-ref s i)))
          (loop (+ i 1) (string-index s json-special (+ i 1))))
        (begin
          (display (substring s start (string-length s)))
          (display "\"")))))

(define hex-digits "0123456789abcdef")

;;; The escape for a byte that needs one, or #f (most bytes: they go out as they are).
(define (json-escape c)
  (let ([k (char->integer c)])
    (cond [(not (char-set-contains? json-special c)) #f]
          [(= k 34) "\\\""]
          [(= k 92) "\\\\"]
          [(= k 10) "\\n"]
          [(= k 13) "\\r"]
          [(= k 9) "\\t"]
          [(= k 8) "\\b"]
          [(= k 12) "\\f"]
          [else (string #\\ #\u #\0 #\0 (string-ref hex-digits (quotient k 16)) (string-ref hex-digits (remainder k 16)))])))

;;; ------------------------------------------------------------------------------------------
;;; The content parser of application/json

;;; What the parser gives a handler for a body that is not JSON.
(define-record-type bad-json
  (make-bad-json message position)
  bad-json?
  (message bad-json-message)
  (position bad-json-position))

(define (json-content-parser size headers in)
  (let ([text (read-string size in)])
    (values (condition-case (json-read-string text)
              [e (json) (make-bad-json (exn-message e) (json-error-position e))])
            text)))

(http:content-parser 'application/json json-content-parser)

;;; ------------------------------------------------------------------------------------------
;;; The store

(define items (make-hash-table eqv?))
(define next-id 1)

(define (json-ref object key)
  (let ([m (find (lambda (m) (string=? (car m) key)) (vector->list object))])
    (and m (cdr m))))

;;; OBJECT's members under ID: "id" first, any "id" the client sent dropped.
(define (with-id id object)
  (list->vector
   (cons (cons "id" id)
         (remove (lambda (m) (string=? (car m) "id")) (vector->list object)))))

(define (add-item! object)
  (let* ([id next-id]
         [item (with-id id object)])
    (set! next-id (+ next-id 1))
    (hash-table-set! items id item)
    item))

(define (all-items)
  (map (lambda (id) (hash-table-ref items id))
       (sort (hash-table-keys items) <)))

;;; ------------------------------------------------------------------------------------------
;;; Responses

(define (respond code message headers body)
  (http:write-response-header
   code message
   (if body
       (cons* '("Content-Type" . "application/json")
              (cons "Content-Length" (number->string (string-length body)))
              headers)
       headers))
  (display "\r\n")
  (when body (display body)))

(define (respond-json code message value . headers)
  (respond code message headers (json->string value)))

(define (respond-error code message detail . headers)
  (respond code message headers
           (json->string (vector (cons "error" message) (cons "detail" detail)))))

(define (method-not-allowed allowed)
  (respond-error 405 "Method Not Allowed" "the resource does not take this method"
                 (cons "Allow" allowed)))

(define (media-type r)
  (let ([ct (alist-ref "content-type" (http:request-attributes r) string=?)])
    (and ct (string-downcase (string-trim-both (car (string-split ct ";" #t)))))))

;;; Calls (K OBJECT) with the JSON object of R's body, or answers 415 or 400.
(define (with-json-object r k)
  (let ([body (http:request-body r)])
    (cond [(not (equal? (media-type r) "application/json"))
           (respond-error 415 "Unsupported Media Type" "send application/json")]
          [(bad-json? body)
           (respond-error 400 "Bad Request"
                          (string-append "malformed JSON at byte " (number->string (bad-json-position body))
                                         ": " (bad-json-message body)))]
          [(not (vector? body)) (respond-error 400 "Bad Request" "an item must be a JSON object")]
          [else (k body)])))

;;; ------------------------------------------------------------------------------------------
;;; Resources

(define (collection r a)
  (case (http:request-method r)
    [(GET HEAD) (respond-json 200 "OK" (all-items))]
    [(POST)
     (with-json-object r
       (lambda (object)
         (let ([item (add-item! object)])
           (respond-json 201 "Created" item
                         (cons "Location" (string-append "/items/" (number->string (json-ref item "id"))))))))]
    [else (method-not-allowed "GET, HEAD, POST")]))

(define (item-resource r id)
  (let ([item (and id (hash-table-ref/default items id #f))]
        [method (http:request-method r)])
    (cond [(not (memq method '(GET HEAD PUT DELETE))) (method-not-allowed "GET, HEAD, PUT, DELETE")]
          [(not item) (respond-error 404 "Not Found" "no such item")]
          [(eq? method 'PUT)
           (with-json-object r
             (lambda (object)
               (let ([new (with-id id object)])
                 (hash-table-set! items id new)
                 (respond-json 200 "OK" new))))]
          [(eq? method 'DELETE)
           (hash-table-delete! items id)
           (respond 204 "No Content" '() #f)]
          [else (respond-json 200 "OK" item)])))

(http:add-resource "/items" collection)

;;; /items/ID are not registered one by one: the fallback handler takes them, and hands
;;; anything else to the default (404) fallback.
(define default-fallback (http:fallback-handler))

(define (item-id path)
  (and (string-prefix? "/items/" path)
       (let ([digits (substring path 7 (string-length path))])
         (and (positive? (string-length digits))
              (every char-numeric? (string->list digits))
              (string->number digits)))))

(http:fallback-handler
 (lambda (r)
   (receive (path args) (http:decode-url (http:request-url r))
     (if (string-prefix? "/items/" path)
         (item-resource r (item-id path))
         (default-fallback r)))))

;;; The egg predefines GET, HEAD and POST. PUT (and PATCH, so that it answers 405 rather than
;;; 501) read their body like POST; DELETE has none and is dispatched like GET.
(http:request-method-handler 'PUT (http:request-method-handler 'POST))
(http:request-method-handler 'PATCH (http:request-method-handler 'POST))
(http:request-method-handler 'DELETE (http:request-method-handler 'GET))

(http:error-hook
 (lambda (e)
   (with-output-to-port (current-error-port)
     (lambda ()
       (print "rest-service: " (if (condition? e) (exn-message e "(no message)") e))))))

;;; Sample items for trying the service out (and for bench/handlers.mjs).
(define (add-sample-items! count)
  (do ([i 1 (+ i 1)]) ((> i count))
    (add-item! (vector (cons "name" (string-append "item " (number->string i)))
                       (cons "price" (* i 125))
                       (cons "tags" (list "sample" (if (even? i) "even" "odd")))
                       (cons "inStock" (odd? i))
                       (cons "note" "Grüße, \"quoted\"\nsecond line")))))

(add-sample-items! sample-count)

((http:make-server port))
