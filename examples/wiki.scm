;;;; wiki.scm -- a small wiki on the http egg, in one file.
;;;;
;;;; Pages live in a SRFI-69 hash table (title -> page record) and are written in a tiny markup
;;;; that the regex unit turns into HTML: **bold**, [[PageName]] for a link, a blank line between
;;;; paragraphs. A page is edited through a form that is POSTed back, urlencoded, to the page's URL.
;;;;
;;;;   scheme-http examples/wiki.scm [PORT]          (default 8080)
;;;;
;;;;   GET  /              the list of pages
;;;;   GET  /wiki/NAME     a page (404, with a link to create it, when there is none)
;;;;   GET  /edit/NAME     the edit form
;;;;   POST /wiki/NAME     stores the form's "text" field (201 for a new page; 400 for a bad form)
;;;;
;;;; Every request is logged as one line on the current error port.

(require-extension http-server regex srfi-13 srfi-69 posix)

(define port
  (let ([args (command-line-arguments)])
    (if (pair? args) (string->number (car args)) 8080)))

;;; ---------------------------------------------------------------------------------------------
;;; The page store

;; A page never changes: saving makes a new record with the next revision number.
(define-record page title text revision time)

(define pages (make-hash-table string=?))

(define (save-page! title text)
  (let* ([old (hash-table-ref/default pages title #f)]
         [new (make-page title text (if old (add1 (page-revision old)) 1) (current-seconds))])
    (hash-table-set! pages title new)
    new))

(save-page! "Home" "Welcome to the **wiki**.\n\nEvery page has an edit link. Try the markup in the [[Sandbox]]: **bold** text, links like [[Home]], and a blank line between paragraphs.")

;;; ---------------------------------------------------------------------------------------------
;;; HTML

(define (html-escape s)
  ;; "&" first, so that the entities made by the other rules are not escaped again.
  (string-substitute* s '(("&" . "&amp;") ("<" . "&lt;") (">" . "&gt;") ("\"" . "&quot;"))))

(define markup-rules
  '(("\r\n" . "\n")                        ; a browser's textarea sends CRLF line ends
    ("\\*\\*([^*\n]+)\\*\\*" . "<b>\\1</b>")
    ("\\[\\[([A-Za-z0-9_-]+)\\]\\]" . "<a href=\"/wiki/\\1\">\\1</a>")
    ("\n\n+" . "</p>\n<p>")))

;; The text is escaped first: the markup's own characters (* [ ]) are not HTML-special.
(define (markup->html text)
  (string-append "<p>" (string-substitute* (html-escape text) markup-rules) "</p>"))

(define (layout title . body)
  (apply string-append
         "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" (html-escape title)
         "</title></head>\n<body>\n"
         (append body '("\n<hr><a href=\"/\">All pages</a>\n</body></html>\n"))))

(define (http-date seconds)
  (time->string (seconds->utc-time seconds) "%a, %d %b %Y %H:%M:%S GMT"))

;;; ---------------------------------------------------------------------------------------------
;;; Responses. Strings are bytes, so string-length is the Content-length of any UTF-8 body.
;;; Page names match [A-Za-z0-9_-]+ (see the dispatch below): they need no HTML escaping.

(define (send status message body #!optional (headers '()))
  (http:write-response-header status message headers)
  (display (string-append "Content-type: text/html; charset=utf-8\r\nContent-length: "
                          (number->string (string-length body)) "\r\n\r\n"))
  (display body))

(define (render-page page #!optional (status 200))
  (let ([title (page-title page)])
    (send status (if (= status 201) "Created" "OK")
          (layout title
                  "<h1>" title "</h1>\n"
                  (markup->html (page-text page))
                  "\n<p>Revision " (number->string (page-revision page))
                  " | <a href=\"/edit/" title "\">Edit</a></p>")
          `(("Last-Modified" . ,(http-date (page-time page)))))))

(define (missing-page name)
  (send 404 "Not Found"
        (layout name "<h1>" name "</h1>\n<p>There is no page called " name
                " yet. <a href=\"/edit/" name "\">Create it</a>.</p>")))

(define (edit-form name)
  (let ([page (hash-table-ref/default pages name #f)])
    (send 200 "OK"
          (layout (string-append "Edit " name)
                  "<h1>Edit " name "</h1>\n<form method=\"post\" action=\"/wiki/" name "\">\n"
                  "<textarea name=\"text\" rows=\"20\" cols=\"80\">"
                  (if page (html-escape (page-text page)) "")
                  "</textarea>\n<input type=\"submit\" value=\"Save\">\n</form>"))))

(define (bad-form name why)
  (send 400 "Bad Request"
        (layout "Bad Request" "<h1>Bad Request</h1>\n<p>" why
                " <a href=\"/edit/" name "\">Back to the form</a>.</p>")))

;; The urlencoded content parser made the body an a-list; any other body is a string.
(define (save-form name request)
  (let* ([form (http:request-body request)]
         [field (and (list? form) (assoc "text" form))]
         [text (and field (string-trim-both (cdr field)))])
    (cond [(not field) (bad-form name "The form has no text field.")]
          [(string-null? text) (bad-form name "The text is empty.")]
          [else (let ([new? (not (hash-table-exists? pages name))])
                  (render-page (save-page! name text) (if new? 201 200)))])))

;;; ---------------------------------------------------------------------------------------------
;;; Dispatch

(define (page-list)
  (map (lambda (p)
         (let ([title (page-title p)])
           (string-append "<li><a href=\"/wiki/" title "\">" title "</a> (revision "
                          (number->string (page-revision p)) ", " (seconds->string (page-time p))
                          ")</li>\n")))
       (sort (hash-table-values pages)
             (lambda (a b) (string<? (page-title a) (page-title b))))))

(http:add-resource '("/" "/index.html")
  (lambda (request args)
    (send 200 "OK" (apply layout "Pages" "<h1>Pages</h1>\n<ul>\n" (append (page-list) '("</ul>"))))))

;; /wiki/NAME and /edit/NAME are not fixed URLs: everything that is no resource comes here.
(http:fallback-handler
  (lambda (request)
    (receive (path args) (http:decode-url (http:request-url request))
      (let ([m (string-match "/(wiki|edit)/([A-Za-z0-9_-]+)" path)]
            [post? (eq? (http:request-method request) 'POST)])
        (cond [(not m) (http:write-error-response 404 "Not Found")]
              [(string=? (cadr m) "edit")
               (if post? (http:write-error-response 405 "Method Not Allowed") (edit-form (caddr m)))]
              [post? (save-form (caddr m) request)]
              [(hash-table-ref/default pages (caddr m) #f) => render-page]
              [else (missing-page (caddr m))])))))

(http:error-response-handler
  (lambda (code message)
    (let ([code (number->string code)])
      (layout (string-append code " " message) "<h1>" code " " (html-escape message) "</h1>"))))

(http:log-hook
  (lambda (request ip)
    (fprintf (current-error-port) "~A ~A ~A~%" ip (http:request-method request) (http:request-url request))))

((http:make-server port))
