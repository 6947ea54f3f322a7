/**
 * http-client from Scheme: `http:add-proxy` (a string pattern, a regex #/…/ pattern, #t; the most
 * recently added match wins; the proxy gets the absolute URL), `http:remove-all-proxies!`, and
 * `http:close-all-connections!` (the pool of http:GET / http:POST). The proxies are raw TCP
 * servers and a running Scheme server on 127.0.0.1; the proxied host names are never resolved.
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, run, stopRunningServers } from '../../support/scheme.js';
import { COMPILED } from '../../../src/scheme/interpreter.js';
import { waitUntil, type ScriptedServer } from '../../support/client-fixtures.js';
import { expectAll, keepAlive, requestHeader, scriptedServers, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

/** A server that answers every request with its NAME and the request target, keep-alive. */
function named(name: string): Promise<ScriptedServer> {
  return serve((c, req) => c.write(keepAlive(`${name} ${req.requestLine.split(' ')[1]}`)));
}

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    (http:add-resource "/via"
      (lambda (r a)
        (display "Content-Type: text/plain\\r\\n\\r\\n")
        (display (string-append "scheme proxy got " (http:request-url r) " for host "
                                (alist-ref "host" (http:request-attributes r) string=?)))))
  `);
});

const serve = scriptedServers('(http:remove-all-proxies!) (http:close-all-connections!)');

afterAll(stopRunningServers);

describe('http:add-proxy', () => {
  it('a string pattern: requests to that host go to the proxy with the absolute URL', async () => {
    const proxy = await named('proxy');
    const origin = await named('origin');
    expectAll(await checks(`
      (http:add-proxy "origin.test" "127.0.0.1" ${proxy.port})
      (check "http:GET" "proxy http://origin.test/a?b=1" (http:GET "http://origin.test/a?b=1"))
      (check "the host is matched without regard to case" "proxy http://Origin.TEST/c" (http:GET "http://Origin.TEST/c"))
      (check "http:POST" "proxy http://origin.test:8080/form" (http:POST "http://origin.test:8080/form" '("x=1")))
      (define-values (h a i o) (http:send-request "origin.test/raw"))
      (check "http:send-request" "proxy http://origin.test/raw" (http:read-body a i))
      (close-input-port i) (close-output-port o)
      (check "another host goes direct" "origin /direct" (http:GET "127.0.0.1:${origin.port}/direct"))
    `), 5);
    expect(proxy.requests.map((r) => r.requestLine)).toEqual([
      'GET http://origin.test/a?b=1 HTTP/1.1',
      'GET http://Origin.TEST/c HTTP/1.1',
      'POST http://origin.test:8080/form HTTP/1.1',
      'GET http://origin.test/raw HTTP/1.0',
    ]);
    expect(proxy.requests.map((r) => requestHeader(r, 'host'))).toEqual(['origin.test', 'Origin.TEST', 'origin.test:8080', 'origin.test']);
    expect(proxy.requests[2]!.body.toString()).toBe('x=1');
    expect(requestHeader(proxy.requests[3]!, 'connection')).toBe('close');
    expect(origin.requests.map((r) => r.requestLine)).toEqual(['GET /direct HTTP/1.1']);
  });

  it('a regex pattern is matched against the host', async () => {
    const proxy = await named('regex-proxy');
    const origin = await named('origin');
    expectAll(await checks(`
      (http:add-proxy #/\\.example$/ "127.0.0.1" ${proxy.port})
      (check "matches" "regex-proxy http://www.shop.example/p" (http:GET "http://www.shop.example/p"))
      (check "matches too" "regex-proxy http://a.example:81/" (http:GET "a.example:81/"))
      (check "no match: direct" "origin /q" (http:GET "127.0.0.1:${origin.port}/q"))
    `), 3);
    expect(proxy.requests).toHaveLength(2);
    expect(origin.requests).toHaveLength(1);
  });

  // The regex unit is the compiled engine's (LIPS has only #/…/ literals).
  it.runIf(COMPILED)('a regexp object of the regex unit is matched against the host (string-match: all of it)', async () => {
    const proxy = await named('regexp-proxy');
    const origin = await named('origin');
    expectAll(await checks(`
      (http:add-proxy (regexp "[a-z]+\\\\.internal") "127.0.0.1" ${proxy.port})
      (check "matches" "regexp-proxy http://db.internal/x" (http:GET "http://db.internal/x"))
      (check "no match: direct" "origin /y" (http:GET "127.0.0.1:${origin.port}/y"))
    `), 2);
    expect(proxy.requests.map((r) => r.requestLine)).toEqual(['GET http://db.internal/x HTTP/1.1']);
    expect(origin.requests).toHaveLength(1);
  });

  it('#t sends every request to the proxy, 127.0.0.1 included', async () => {
    const proxy = await named('catch-all');
    const origin = await named('origin');
    expectAll(await checks(`
      (http:add-proxy #t "127.0.0.1" ${proxy.port})
      (check "an IP address" "catch-all http://127.0.0.1:${origin.port}/z" (http:GET "127.0.0.1:${origin.port}/z"))
      (check "a name" "catch-all http://anything.test/" (http:GET "http://anything.test"))
    `), 2);
    expect(origin.requests).toHaveLength(0);
  });

  it('the most recently added matching proxy wins', async () => {
    const a = await named('A');
    const b = await named('B');
    expectAll(await checks(`
      (http:add-proxy #t "127.0.0.1" ${a.port})
      (http:add-proxy "special.test" "127.0.0.1" ${b.port})
      (check "the later string pattern" "B http://special.test/1" (http:GET "http://special.test/1"))
      (check "the earlier #t for the rest" "A http://plain.test/2" (http:GET "http://plain.test/2"))
      (http:add-proxy #/special/ "127.0.0.1" ${a.port})
      (check "a still later regex" "A http://special.test/3" (http:GET "http://special.test/3"))
      (http:add-proxy #t "127.0.0.1" ${b.port})
      (check "a still later #t takes everything" '("B http://special.test/4" "B http://plain.test/5")
        (list (http:GET "http://special.test/4") (http:GET "http://plain.test/5")))
    `), 4);
  });

  it('a running Scheme server as the proxy receives the absolute URL', async () => {
    expectAll(await checks(`
      (http:add-proxy "upstream.test" "127.0.0.1" ${PORT})
      (check "what the handler saw" "scheme proxy got http://upstream.test/via?x=1 for host upstream.test"
        (http:GET "http://upstream.test/via?x=1"))
    `), 1);
  });

  it('https through a proxy is refused (no CONNECT), before any connection', async () => {
    const proxy = await named('proxy');
    expectAll(await checks(`
      (http:add-proxy #t "127.0.0.1" ${proxy.port})
      (check "the message" #t
        (guard (e (#t (and (string-search "https://secure.test/" (error-object-message e))
                           (string-search "CONNECT" (error-object-message e)) #t)))
          (http:GET "https://secure.test/")
          #f))
    `), 1);
    expect(proxy.connections).toHaveLength(0);
  });

  it('rejects bad arguments', async () => {
    expectAll(await checks(`
      (check-error "pattern" (lambda () (http:add-proxy 5 "127.0.0.1" 8080)))
      (check-error "host" (lambda () (http:add-proxy #t 5 8080)))
      (check-error "empty host" (lambda () (http:add-proxy #t "" 8080)))
      (check-error "port 0" (lambda () (http:add-proxy #t "127.0.0.1" 0)))
      (check-error "port too large" (lambda () (http:add-proxy #t "127.0.0.1" 70000)))
    `), 5);
  });
});

describe('http:remove-all-proxies!', () => {
  it('sends requests direct again', async () => {
    const proxy = await named('proxy');
    const origin = await named('origin');
    expectAll(await checks(`
      (http:add-proxy #t "127.0.0.1" ${proxy.port})
      (http:add-proxy "127.0.0.1" "127.0.0.1" ${proxy.port})
      (check "through the proxy" "proxy http://127.0.0.1:${origin.port}/1" (http:GET "127.0.0.1:${origin.port}/1"))
      (http:remove-all-proxies!)
      (check "direct" "origin /2" (http:GET "127.0.0.1:${origin.port}/2"))
      (define-values (h a i o) (http:send-request "127.0.0.1:${origin.port}/3"))
      (check "send-request direct" "origin /3" (http:read-body a i))
      (close-input-port i) (close-output-port o)
      (http:remove-all-proxies!)
      (check "removing none is fine" "origin /4" (http:GET "127.0.0.1:${origin.port}/4"))
    `), 4);
    expect(proxy.requests).toHaveLength(1);
    // Listed connection by connection: /2 and /4 share the pooled one.
    expect(origin.requests.map((r) => r.requestLine).sort()).toEqual(['GET /2 HTTP/1.1', 'GET /3 HTTP/1.0', 'GET /4 HTTP/1.1']);
  });
});

describe('http:close-all-connections!', () => {
  it('closes the connections http:GET and http:POST keep; the next request opens a new one', async () => {
    const s = await named('pooled');
    expectAll(await checks(`
      (check "first" "pooled /1" (http:GET "127.0.0.1:${s.port}/1"))
      (check "second" "pooled /2" (http:GET "127.0.0.1:${s.port}/2"))
      (check "a POST" "pooled /3" (http:POST "127.0.0.1:${s.port}/3" '("a=1")))
    `), 3);
    expect(s.connections).toHaveLength(1);
    expect(s.openCount).toBe(1);
    await run('(http:close-all-connections!)');
    await waitUntil(() => s.openCount === 0, 3000, 'the pooled connection to close');
    expectAll(await checks(`
      (check "after closing" "pooled /4" (http:GET "127.0.0.1:${s.port}/4"))
    `), 1);
    expect(s.connections).toHaveLength(2);
    expect(s.connections[1]!.requests.map((r) => r.requestLine)).toEqual(['GET /4 HTTP/1.1']);
  });

  it('closes pooled connections to every origin, proxies included', async () => {
    const a = await named('a');
    const b = await named('b');
    const proxy = await named('p');
    expectAll(await checks(`
      (http:GET "127.0.0.1:${a.port}/")
      (http:GET "127.0.0.1:${b.port}/")
      (http:add-proxy "far.test" "127.0.0.1" ${proxy.port})
      (check "via the proxy" "p http://far.test/" (http:GET "http://far.test/"))
      (http:close-all-connections!)
    `), 1);
    await waitUntil(() => a.openCount + b.openCount + proxy.openCount === 0, 3000, 'every pooled connection to close');
  });

  it('leaves the ports of http:send-request alone', async () => {
    const s = await named('mine');
    expectAll(await checks(`
      (define (req path) (http:make-request 'GET (string-append "http://127.0.0.1:${s.port}" path) '() #f 'HTTP/1.1))
      (define-values (h a i o) (http:send-request (req "/1")))
      (check "first" "mine /1" (http:read-body a i))
      (http:close-all-connections!)
      (define-values (h2 a2 i2 o2) (http:send-request (req "/2") i o))
      (check "the same connection still works" "mine /2" (http:read-body a2 i2))
      (close-input-port i2) (close-output-port o2)
    `), 2);
    expect(s.connections).toHaveLength(1);
  });
});
