/**
 * http-utils from Scheme: the parameter `http:read-line-limit`, read, set and parameterized, and
 * what it does: a running Scheme server answers a longer request line with 414 and a longer
 * header line with 431; `http:read-request-attributes` refuses a longer line.
 */
import { freePort } from '../../support/client-fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks, run, stopRunningServers } from '../../support/scheme.js';
import { exchangeOne, expectAll, startSchemeServer } from '../support.js';

/** Chosen free at start: a fixed port in the ephemeral range can be taken by any client socket. */
let PORT = 0;

beforeAll(async () => {
  PORT = await freePort();
  await startSchemeServer(PORT, `
    (http:add-resource "/ok" (lambda (r a) (display "Content-Length: 2\\r\\n\\r\\nok")))
  `);
});

afterAll(async () => {
  await run('(http:read-line-limit 4096)');
  await stopRunningServers();
});

/** Sends REQUEST (exact bytes) and returns the one response. */
const status = (request: string): Promise<{ status: number; body: string; closed: boolean }> => exchangeOne(PORT, request);

/** A request line of exactly N bytes (without CRLF): `GET /ok?xxx… HTTP/1.1`. */
function requestLine(n: number): string {
  const fixed = 'GET /ok? HTTP/1.1'.length;
  return `GET /ok?${'x'.repeat(n - fixed)} HTTP/1.1`;
}

describe('http:read-line-limit as a parameter', () => {
  it('reads 8192 by default, is set by calling it with a value, and is rebound by parameterize', async () => {
    expectAll(await checks(`
      (check "default" 8192 (http:read-line-limit))
      (http:read-line-limit 100)
      (check "set" 100 (http:read-line-limit))
      (check "parameterize" 10 (parameterize ((http:read-line-limit 10)) (http:read-line-limit)))
      (check "nested parameterize" '(10 20 10)
        (parameterize ((http:read-line-limit 10))
          (list (http:read-line-limit)
                (parameterize ((http:read-line-limit 20)) (http:read-line-limit))
                (http:read-line-limit))))
      (check "restored after parameterize" 100 (http:read-line-limit))
      (check "restored after an escape from parameterize" 100
        (begin (guard (e (#t #f)) (parameterize ((http:read-line-limit 7)) (raise 'out))) (http:read-line-limit)))
      (http:read-line-limit 4096)
      (check "set back" 4096 (http:read-line-limit))
    `), 7);
  });
});

describe('a running Scheme server under http:read-line-limit', () => {
  it('answers a request line longer than the limit with 414, and one at the limit normally', async () => {
    await run('(http:read-line-limit 64)');
    expect(requestLine(64)).toHaveLength(64);
    expect(await status(`${requestLine(64)}\r\nHost: h\r\nConnection: close\r\n\r\n`)).toMatchObject({ status: 200, body: 'ok' });
    const over = await status(`${requestLine(65)}\r\nHost: h\r\n\r\n`);
    expect(over.status).toBe(414);
    expect(over.closed).toBe(true);
    expect(await status(`${requestLine(500)}\r\nHost: h\r\n\r\n`)).toMatchObject({ status: 414 });
  });

  it('answers a header line longer than the limit with 431', async () => {
    await run('(http:read-line-limit 64)');
    const header = (n: number): string => `X-Long: ${'v'.repeat(n - 'X-Long: '.length)}`;
    expect(await status(`GET /ok HTTP/1.1\r\nHost: h\r\n${header(64)}\r\nConnection: close\r\n\r\n`)).toMatchObject({ status: 200, body: 'ok' });
    const over = await status(`GET /ok HTTP/1.1\r\nHost: h\r\n${header(65)}\r\n\r\n`);
    expect(over.status).toBe(431);
    expect(over.closed).toBe(true);
  });

  it('reads the parameter on each request: raising it again lets the same requests through', async () => {
    await run('(http:read-line-limit 64)');
    const longLine = `${requestLine(200)}\r\nHost: h\r\nX-Long: ${'v'.repeat(200)}\r\nConnection: close\r\n\r\n`;
    expect((await status(longLine)).status).toBe(414);
    await run('(http:read-line-limit 4096)');
    expect(await status(longLine)).toMatchObject({ status: 200, body: 'ok' });
    expectAll(await checks('(check "back to the default" 4096 (http:read-line-limit))'), 1);
  });
});

describe('http:read-request-attributes under http:read-line-limit', () => {
  it('refuses a header line longer than the limit, set or parameterized', async () => {
    expectAll(await checks(`
      (define text "Short: 1\\r\\nLong-Header: 0123456789\\r\\n\\r\\n")
      (define (attrs) (http:read-request-attributes (open-input-string text)))
      (define (message thunk) (guard (e (#t (error-object-message e))) (thunk) "no error"))
      (check "under the default limit" '(("short" . "1") ("long-header" . "0123456789")) (attrs))
      (check "a line of exactly the limit" '(("short" . "1") ("long-header" . "0123456789"))
        (parameterize ((http:read-line-limit 23)) (attrs)))
      (check-error "parameterized below the line" (lambda () (parameterize ((http:read-line-limit 22)) (attrs))))
      (check "the message says why" "header line longer than 10 bytes"
        (message (lambda () (parameterize ((http:read-line-limit 10)) (attrs)))))
      (http:read-line-limit 12)
      (check-error "set below the line" attrs)
      (check "a parameterize above the global value wins" 2
        (length (parameterize ((http:read-line-limit 100)) (attrs))))
      (http:read-line-limit 4096)
      (check "the default again" 2 (length (attrs)))
    `), 7);
  });
});
