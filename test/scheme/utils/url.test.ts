/**
 * http-utils from Scheme: `http:decode-url` (two values: the canonicalised path and the argument
 * a-list) and `http:canonicalize-string` (`+` and `%XX`).
 */
import { describe, it } from 'vitest';
import { checks, compiled } from '../../support/scheme.js';
import { expectAll } from '../support.js';

describe('http:decode-url', () => {
  it('returns two values: the canonicalised path and the a-list of canonicalised arguments', async () => {
    expectAll(await checks(`
      (define-values (path args) (http:decode-url "/a%20b/c+d?x=1&y=%41+b&z"))
      (check "path" "/a b/c d" path)
      (check "args" '(("x" . "1") ("y" . "A b") ("z" . "")) args)
      (check "path is a string" #t (string? path))
      (check "names and values are strings" '(#t #t) (list (string? (caar args)) (string? (cdar args))))
      (check "assoc finds an argument" '("y" . "A b") (assoc "y" args))
      (check "call-with-values" '("/p" ()) (call-with-values (lambda () (http:decode-url "/p")) list))
      (check "receive" '("/q" (("k" . "v"))) (receive (p a) (http:decode-url "/q?k=v") (list p a)))
      (check "let-values" 2 (let-values (((p a) (http:decode-url "/r?a=1&b=2"))) (length a)))
    `), 8);
  });

  it('splits the query as the server does for handler arguments', async () => {
    expectAll(await checks(`
      (define (decode url) (call-with-values (lambda () (http:decode-url url)) list))
      (check "no query" '("/index.html" ()) (decode "/index.html"))
      (check "empty query" '("/path" ()) (decode "/path?"))
      (check "duplicates kept in order" '("/" (("a" . "1") ("a" . "2"))) (decode "/?a=1&a=2"))
      (check "= inside a value" '("/" (("eq" . "a=b"))) (decode "/?eq=a=b"))
      (check "escaped names and values" '("/" (("my name" . "x&y"))) (decode "/?my+name=x%26y"))
      (check "empty pieces skipped" '("/" (("a" . "1") ("b" . "2"))) (decode "/?a=1&&b=2&"))
      (check "UTF-8 escapes" '("/caf\u00e9" (("p" . "\u20ac"))) (decode "/caf%C3%A9?p=%E2%82%AC"))
      (check "escaped ? and & in the path stay in the path" '("/a?b&c" (("d" . "e"))) (decode "/a%3Fb%26c?d=e"))
      (check "a fragment is ignored" '("/doc" (("q" . "1"))) (decode "/doc?q=1#section"))
      (check "an absolute URL gives its path" '("/x/y" (("q" . "1"))) (decode "http://example.org:8080/x/y?q=1"))
      (check "an absolute URL without a path" '("/" ()) (decode "http://example.org"))
      (check "a name without =" '("/" (("flag" . "") ("n" . "1"))) (decode "/?flag&n=1"))
    `), 12);
  });

  it('raises a catchable condition for a non-string URL', async () => {
    expectAll(await checks(`
      (check-error "a number" (lambda () (http:decode-url 42)))
      (check "the message names the procedure" #t
        (guard (e (#t (and (string-search "http:decode-url" (error-object-message e)) #t))) (http:decode-url '(1)) #f))
    `), 2);
  });
});

describe('http:canonicalize-string', () => {
  it('substitutes + and %XX sequences', async () => {
    expectAll(await checks(`
      (check "plus" "a b c" (http:canonicalize-string "a+b+c"))
      (check "hex escapes" "AB" (http:canonicalize-string "%41%42"))
      (check "lowercase hex" "a/b" (http:canonicalize-string "a%2fb"))
      (check "escaped plus is a plus" "1+1=2" (http:canonicalize-string "1%2B1%3D2"))
      (check "escaped percent is not decoded twice" "%41" (http:canonicalize-string "%2541"))
      (check "UTF-8 bytes make one character" "\u20ac" (http:canonicalize-string "%E2%82%AC"))
      (check "one character long (three bytes on the compiled engine)" ${compiled ? 3 : 1} (string-length (http:canonicalize-string "%E2%82%AC")))
      (check "mixed" "caf\u00e9 au lait" (http:canonicalize-string "caf%C3%A9+au+lait"))
      (check "nothing to do" "plain-text_1.2~" (http:canonicalize-string "plain-text_1.2~"))
      (check "empty" "" (http:canonicalize-string ""))
      (check "result is a string" #t (string? (http:canonicalize-string "a+b")))
    `), 11);
  });

  it('leaves malformed escapes as they are; %XX is the byte XX, UTF-8 or not (SEMANTICS.md)', async () => {
    expectAll(await checks(`
      (check "trailing percent" "100%" (http:canonicalize-string "100%"))
      (check "one hex digit" "%4" (http:canonicalize-string "%4"))
      (check "not hex" "%zz!" (http:canonicalize-string "%zz%21"))
      (check "percent space" "% x" (http:canonicalize-string "%+x"))
      (check "invalid UTF-8 byte" (string (integer->char 255)) (http:canonicalize-string "%FF"))
      (check "one byte" 1 (string-length (http:canonicalize-string "%FF")))
      (check "valid sequence next to an invalid byte" (string-append "\u00e9" (string (integer->char 255))) (http:canonicalize-string "%C3%A9%FF"))
      (check "decode-url too" (list (string #\\/ (integer->char 254)) (list (cons "k" (string (integer->char 255)))))
             (receive (p a) (http:decode-url "/%FE?k=%FF") (list p a)))
    `), 8);
  });

  it('raises a catchable condition for a non-string', async () => {
    expectAll(await checks(`
      (check-error "number" (lambda () (http:canonicalize-string 12)))
      (check-error "list" (lambda () (http:canonicalize-string '("a"))))
    `), 2);
  });
});
