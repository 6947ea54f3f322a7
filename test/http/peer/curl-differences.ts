/**
 * What our client does with each of curl's cases where curl fails (the error code we give), and
 * the cases where we deliberately differ from curl, with the reason (also listed in
 * test/fixtures/README.md, section "curl").
 */
import type { ClientErrorCode } from '../../../src/http/index.js';

/** curl fails (exit code ≠ 0): the HttpClientError code our client gives instead. */
export const ERROR_CODES: Readonly<Record<number, ClientErrorCode>> = {
  23: 'bad-url', // htfp:// scheme
  30: 'closed', 37: 'closed', // nothing at all, then a close (curl 52)
  36: 'bad-chunk', // "ILLEGAL" as a chunk size
  178: 'bad-header', 394: 'bad-header', 415: 'bad-header', 768: 'bad-header', // negative / rubbish Content-Length
  207: 'truncated', 1665: 'truncated', // closed inside a chunked body / inside the head
  221: 'bad-encoding', 223: 'bad-encoding', 315: 'bad-encoding', // corrupt gzip, deflate, br bodies
  262: 'bad-status-line', // NUL in the reason phrase (and in a field value: the status line is read first)
  2105: 'bad-header', 398: 'bad-header', // CR in a field value, a line without a colon
  497: 'head-too-large', 747: 'head-too-large', 1154: 'head-too-large', // 300 KB of fields, 5001 fields, a 100 KB line
  771: 'bad-header', // two differing Content-Lengths
  1174: 'bad-status-line', 1430: 'bad-status-line', 1431: 'bad-status-line', // HTTP/0.9, status -12, status 2
  1432: 'bad-status-line', 1433: 'bad-status-line', // a 100-digit status, HTTP/1.<100 digits>
  1416: 'body-too-large', // a 17-digit chunk size
  1480: 'bad-status-line', // 100 Continue, then no final response ("Data")
  1546: 'bad-header', 1722: 'bad-header', 1723: 'bad-header', // Transfer-Encoding other than chunked alone
  2106: 'bad-chunk', // NUL in a trailer field
};

export type OurOutcome = { ok: true; body: string } | { ok: false; code: ClientErrorCode };

export interface Difference {
  ours: OurOutcome;
  reason: string;
}

/**
 * Cases whose outcome is our policy and not curl's. The test checks OURS exactly, and that it is
 * not curl's outcome: a listed difference that stops differing fails.
 */
export const DIFFERENCES: Readonly<Record<number, Difference>> = {
  129: {
    ours: { ok: true, body: '-foo-\n' },
    reason: 'HTTP/1.2: RFC 9110 §2.5 says a recipient treats a higher minor version as the highest it implements (1.1); curl rejects it',
  },
  328: {
    ours: { ok: false, code: 'bad-encoding' },
    reason: '`Content-Encoding: none` is no registered coding (RFC 9110 §8.4.1); asked to decode, we say we cannot rather than guess it means identity as curl does',
  },
  395: {
    ours: { ok: false, code: 'body-too-large' },
    reason: 'a Content-Length of 36893488147419103232 is more than we can count or hold; RFC 9110 §8.6 asks to guard against the overflow, and we fail rather than read to the close as curl does',
  },
  772: {
    ours: { ok: true, body: '' },
    reason: 'two different Location fields on a 200: we do not use Location unless following a 3xx (where differing values are refused, bad-header), so the 200 is delivered; curl rejects any such response',
  },
  1143: {
    ours: { ok: false, code: 'bad-url' },
    reason: '`http:/host:port/path` has no authority, so an empty host, which RFC 9110 §4.2.1 says to reject; curl repairs the URL',
  },
  1205: {
    ours: { ok: false, code: 'head-too-large' },
    reason: 'an 18 KB header line is over our per-line limit (limits.readLineLimit, 16 KiB by default, configurable; Node\'s own client takes 16 KiB for the whole head); curl allows 100 KB',
  },
  1473: {
    ours: { ok: false, code: 'bad-header' },
    reason: 'whitespace before the first field line: RFC 9112 §2.2 lets a recipient reject the message or drop the line; we reject, curl accepts',
  },
};
