/**
 * From Scheme, over sockets: `(http:static-files ROOT [INDEX …])` as the fallback handler and as
 * a resource, and the Combined Log Format hooks `http:combined-log-hook` and
 * `(http:make-combined-log-hook PORT)`. The details of serving files are proven by
 * test/http/server/static.test.ts; here, that the Scheme front reaches them whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort, responseAccessors } from './helpers.js';
import { run } from '../../support/scheme.js';

let tmp: string;
let root: string;
let other: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-static-'));
  root = path.join(tmp, 'www');
  other = path.join(tmp, 'other');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(root, 'hello.txt'), 'Hello, world!\n');
  fs.writeFileSync(path.join(root, 'sub', 'home.html'), '<p>home</p>');
  fs.writeFileSync(path.join(other, 'logo.svg'), '<svg/>');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'TOP SECRET');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'link-out'));
  await serveOnFreePort((port) => `
    (define (request-on port text) (car (parse-responses (raw-exchange port text))))
    (define (GET path . extra)
      (request-on ${port} (string-append "GET " path " HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n"
                                        (apply string-append (map (lambda (h) (string-append h "\\r\\n")) extra))
                                        "\\r\\n")))
    ${responseAccessors}
    (define access-log (open-output-string))
    (http:fallback-handler (http:static-files ${JSON.stringify(root)} "home.html"))
    (http:add-resource "/logo.svg" (http:static-files ${JSON.stringify(other)}))
    (http:log-hook (http:make-combined-log-hook access-log))
  `);
});

afterAll(async () => {
  await stopServers();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('http:static-files', () => {
  it('serves files, index files, redirects, ranges and 304 as the fallback handler', async () => {
    const results = await schemeChecks(`
      (define r (GET "/hello.txt"))
      (check "status" "HTTP/1.1 200 OK" (status r))
      (check "body" "Hello, world!\\n" (body r))
      (check "type" "text/plain; charset=utf-8" (header r "content-type"))
      (define etag (header r "etag"))
      (check "304" "HTTP/1.1 304 Not Modified" (status (GET "/hello.txt" (string-append "If-None-Match: " etag))))
      (define part (GET "/hello.txt" "Range: bytes=0-4"))
      (check "206" "HTTP/1.1 206 Partial Content" (status part))
      (check "206 body" "Hello" (body part))
      (check "content-range" "bytes 0-4/14" (header part "content-range"))
      (check "416" "bytes */14" (header (GET "/hello.txt" "Range: bytes=99-") "content-range"))
      (check "redirect" "/sub/" (header (GET "/sub") "location"))
      (check "index file given" "<p>home</p>" (body (GET "/sub/")))
      (check "missing" "HTTP/1.1 404 Not Found" (status (GET "/nothing")))
    `);
    expectAllPassed(results, 11);
  });

  it('as a resource handler: the resource path names the file under its root', async () => {
    const results = await schemeChecks(`
      (define r (GET "/logo.svg"))
      (check "status" "HTTP/1.1 200 OK" (status r))
      (check "type" "image/svg+xml" (header r "content-type"))
      (check "body" "<svg/>" (body r))
    `);
    expectAllPassed(results, 3);
  });

  it('refuses to leave its root', async () => {
    const results = await schemeChecks(`
      (check "dot segments" "HTTP/1.1 400 Bad Request" (status (GET "/%2e%2e/secret.txt")))
      (check "encoded slash" "HTTP/1.1 400 Bad Request" (status (GET "/..%2fsecret.txt")))
      (check "symlink out" "HTTP/1.1 404 Not Found" (status (GET "/link-out")))
      (check "no secret" #f (contains? (body (GET "/link-out")) "SECRET"))
    `);
    expectAllPassed(results, 4);
  });

  it('bad arguments are Scheme errors', async () => {
    const results = await schemeChecks(`
      (check-error "root not a string" (lambda () (http:static-files 42)))
      (check-error "port not a port" (lambda () (http:make-combined-log-hook "file.log")))
      (check-error "outside a request" (lambda () ((http:static-files "/tmp") (http:make-request 'GET "/"))))
    `);
    expectAllPassed(results, 3);
  });
});

describe('the Combined Log Format hooks', () => {
  it('(http:make-combined-log-hook PORT) writes a line per request', async () => {
    const count = (log: string): number => log.split('\n').filter((l) => l !== '').length;
    const before = count(String(await run('(get-output-string access-log)')));
    await run(`(GET "/hello.txt" "User-Agent: agent \\"007\\"" "Referer: http://r.example/")`);
    // The hook runs before the server closes the connection, so the line is there now.
    const log = String(await run('(get-output-string access-log)'));
    expect(count(log)).toBe(before + 1);
    const lines = log.trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    expect(last).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/hello\.txt HTTP\/1\.1" \S+ \S+ "http:\/\/r\.example\/" "agent \\x22007\\x22"$/);
  });

  it('http:combined-log-hook writes to (current-output-port)', async () => {
    const line = String(await run(`
      (with-output-to-string
        (lambda ()
          (http:combined-log-hook
            (http:make-request 'GET "/p?q=1" '(("user-agent" . "a\\\\b")) #f 'HTTP/1.1)
            "10.0.0.1")))`));
    expect(line).toMatch(/^10\.0\.0\.1 - - \[[^\]]+\] "GET \/p\?q=1 HTTP\/1\.1" - - "-" "a\\x5Cb"\n$/);
  });
});
