/**
 * Strings are bytes on the compiled engine (SEMANTICS.md "Scheme data"): a handler that writes
 * `Content-length: (string-length body)` for a UTF-8 body is right, and the body arrives whole
 * and unchanged at a real client; http:GET gives the bytes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemeChecks, expectAllPassed, stopServers, serveOnFreePort } from './helpers.js';
import { compiled } from '../../support/scheme.js';

const TEXT = 'Grüße, Jürgen — ✓ 漢字 😀';
let port: number;

beforeAll(async () => {
  if (!compiled) return;
  port = await serveOnFreePort(() => `
    (http:add-resource "/text" (lambda (r a)
      (let ((msg "${TEXT}"))
        (display (string-append "Content-type: text/plain; charset=utf-8\\r\\nContent-length: "
                                (number->string (string-length msg)) "\\r\\n\\r\\n" msg)))))
    (http:add-resource "/pieces" (lambda (r a)
      (display "Content-type: text/plain; charset=utf-8\r\nX-Name: Jürgen\r\nContent-len")
      (display (string-append "gth: " (number->string (* 2 (string-length "${TEXT}"))) "\r\n\r"))
      (display "\n${TEXT}")
      (flush-output)
      (display "${TEXT}")))
    (http:add-resource "/echo" (lambda (r a)
      (let ((body (http:request-body r)))
        (display (string-append "Content-length: " (number->string (string-length body)) "\\r\\n\\r\\n" body)))))
  `);
});

afterAll(stopServers);

describe.runIf(compiled)('byte strings over real sockets', () => {
  it('a non-ASCII body with (string-length body) as its Content-length arrives whole', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/text`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(TEXT)));
    expect(bytes.equals(Buffer.from(TEXT, 'utf8'))).toBe(true);
  });

  it('header lines and body in pieces split anywhere, a non-ASCII header value, a flush mid-body: all bytes exact', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/pieces`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Buffer.from(res.headers.get('x-name') ?? '', 'latin1').toString('utf8')).toBe('Jürgen');
    expect(res.headers.get('content-length')).toBe(String(2 * Buffer.byteLength(TEXT)));
    expect(bytes.toString('hex')).toBe(Buffer.from(TEXT + TEXT, 'utf8').toString('hex'));
    const head = await fetch(`http://127.0.0.1:${port}/text`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(TEXT)));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('a non-ASCII request body is the bytes sent, and goes back unchanged', async () => {
    const sent = Buffer.from(TEXT, 'utf8');
    const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: sent, headers: { 'content-type': 'application/octet-stream' } });
    const back = Buffer.from(await res.arrayBuffer());
    expect(back.toString('hex')).toBe(sent.toString('hex'));
    expect(res.headers.get('content-length')).toBe(String(sent.length));
  });

  it('http:GET gives the body as bytes: string-length counts them', async () => {
    expectAllPassed(await schemeChecks(`
      (define got (http:GET "127.0.0.1:${port}/text"))
      (check "the same bytes as the literal" "${TEXT}" got)
      (check "string-length is the byte count" ${Buffer.byteLength(TEXT)} (string-length got))
    `), 2);
  });
});
