/**
 * The http-server parameters behave as CHICKEN parameters: `(p)` reads, `(p v)` sets,
 * `parameterize` rebinds and restores (and `(p v)` inside it sets the inner binding only); and a
 * server run inside `parameterize` serves with the values bound there while a server outside
 * keeps the global ones.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runtime, schemeChecks, expectAllPassed, stopServers, freePort, startServer } from './helpers.js';

const PARAMETERS: Array<[name: string, replacement: string]> = [
  ['http:fallback-handler', '(lambda (r) #t)'],
  ['http:error-response-handler', '(lambda (code msg) "page")'],
  ['http:request-count-limit', '7'],
  ['http:startup-hook', '(lambda () #t)'],
  ['http:error-hook', '(lambda (e) #t)'],
  ['http:log-hook', '(lambda (r ip) #t)'],
  ['http:url-transformation', '(lambda (u) u)'],
  ['http:listen-procedure', '(lambda (port backlog host) #f)'],
  ['http:accept-procedure', '(lambda (c) c)'],
  ['http:get-addresses-procedure', '(lambda (c) (values "a" "b"))'],
  ['http:hard-close-procedure', '(lambda (c) #t)'],
];

let outside: number;
let inside: number;

beforeAll(async () => {
  const rt = await runtime();
  [outside, inside] = [await freePort(), await freePort()];
  await rt.evaluate(`
    (define (request-on port path)
      (car (parse-responses (raw-exchange port (string-append "GET " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n")))))
    (define (status r) (car r))
    (define (body r) (caddr r))
    (http:add-resource "/ip" (lambda (r a) (display (string-append "\\r\\n" (http:request-ip r) " " (http:request-url r)))))
    (http:add-resource "/fail" (lambda (r a) (error "failed here")))
    (http:add-resource "/slow" (lambda (r a) (thread-sleep! 0.3) (display "\\r\\nslow")))
  `);
});

afterAll(stopServers);

describe('(p), (p v), parameterize', () => {
  for (const [name, replacement] of PARAMETERS) {
    it(name, async () => {
      const results = await schemeChecks(`
        (define original (${name}))
        (define replacement ${replacement})
        (check "reads a value" #t (or (procedure? original) (number? original)))
        (check "reads the same value twice" #t (eqv? original (${name})))
        (parameterize ((${name} replacement))
          (check "parameterize binds" #t (eqv? replacement (${name})))
          (${name} 'inner)
          (check "(p v) inside sets the inner binding" 'inner (${name})))
        (check "parameterize restores" #t (eqv? original (${name})))
        (${name} replacement)
        (check "(p v) sets" #t (eqv? replacement (${name})))
        (${name} original)
        (check "set back" #t (eqv? original (${name})))
      `);
      expectAllPassed(results, 7);
    });
  }
});

describe('a server run inside parameterize', () => {
  it('serves with the values bound there; a server outside keeps the global ones', async () => {
    const results = await schemeChecks(`
      (define inside-log '())
      (define inside-errors '())
      (define outside-log '())
      (define startups '())
      (http:log-hook (lambda (r ip) (set! outside-log (cons (http:request-url r) outside-log))))
      (http:error-hook (lambda (e) #t))
      (http:startup-hook (lambda () (set! startups (cons 'outside startups))))
      ${startServer(outside, '"Outside" #f #f #f "127.0.0.1"')}
      (thread-start! (make-thread (lambda ()
        (parameterize ((http:error-response-handler (lambda (code msg) (string-append "inside page " (number->string code))))
                       (http:log-hook (lambda (r ip) (set! inside-log (cons (list (http:request-url r) ip) inside-log))))
                       (http:error-hook (lambda (e) (set! inside-errors (cons (error-object-message e) inside-errors))))
                       (http:url-transformation (lambda (u) (if (string=? u "/alias") "/ip" u)))
                       (http:get-addresses-procedure (lambda (c) (values "10.1.1.1" "10.2.2.2")))
                       (http:startup-hook (lambda () (set! startups (cons 'inside startups))))
                       (http:request-count-limit 1))
          ((http:make-server ${inside} "Inside" #f #f #f "127.0.0.1"))))))
      (await-port ${inside})
      (check "startup hooks" '(inside outside) startups)
      (check "inside: error page" "inside page 404" (body (request-on ${inside} "/missing")))
      (check "outside: default page" #t (contains? (body (request-on ${outside} "/missing")) "<address>Outside at localhost</address>"))
      (check "inside: url transformation and addresses" "10.2.2.2 /ip" (body (request-on ${inside} "/alias")))
      (check "outside: neither" "127.0.0.1 /ip" (body (request-on ${outside} "/ip")))
      (check "outside: no transformation" "HTTP/1.1 404 Not Found" (status (request-on ${outside} "/alias")))
      (check "inside: error hook and page" "inside page 500" (body (request-on ${inside} "/fail")))
      (check "inside error hook heard it" '("failed here") inside-errors)
      (define slow (make-thread (lambda () (request-on ${inside} "/slow"))))
      (thread-start! slow)
      (thread-sleep! 0.1)
      (check "inside: request count limit 1" "HTTP/1.1 503 Service Unavailable" (status (request-on ${inside} "/ip")))
      (check "the slow one" "slow" (body (thread-join! slow 5)))
      (wait-until (lambda () (>= (length inside-log) 5)))
      (check "inside log hook" '(("/missing" "10.2.2.2") ("/ip" "10.2.2.2") ("/fail" "10.2.2.2") ("/ip" "10.2.2.2") ("/slow" "10.2.2.2")) (reverse inside-log))
      (check "outside log hook" '("/missing" "/ip" "/alias") (reverse outside-log))
      (check "global values untouched" 1024 (http:request-count-limit))
      (check "both count towards http:current-request-count" #t (>= (http:current-request-count) 8))
      (http:log-hook (lambda (r ip) #t))
      (http:startup-hook (lambda () #t))
    `);
    expectAllPassed(results, 14);
  });

  it('a global (p v) reaches both servers, except where parameterize rebound p', async () => {
    const results = await schemeChecks(`
      (http:fallback-handler (lambda (r) (display "\\r\\nglobal fallback")))
      (check "outside" "global fallback" (body (request-on ${outside} "/nowhere")))
      (check "inside (fallback not rebound there)" "global fallback" (body (request-on ${inside} "/nowhere")))
      (http:error-response-handler (lambda (code msg) "global page"))
      (http:fallback-handler (lambda (r) (http:write-error-response 404 "Not Found")))
      (check "outside: the global page" "global page" (body (request-on ${outside} "/nowhere")))
      (check "inside: its own page still" "inside page 404" (body (request-on ${inside} "/nowhere")))
    `);
    expectAllPassed(results, 4);
  });
});
