/**
 * Typed errors of the protocol core. Each carries the HTTP status a server answers with
 * (where one applies) and a message a user can act on.
 */

/** A request or response the peer sent that breaks HTTP/1.1 framing or a configured limit. */
export class HttpProtocolError extends Error {
  override name = 'HttpProtocolError';
  /** Status a server sends for this fault (400, 413, 414, 431, 501, 505 …). */
  readonly status: number;
  /** Short machine-readable code, e.g. `'request-line-too-long'`. */
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A wait that ran past its bound (slow head, slow body, idle connection). */
export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
  readonly phase: 'head' | 'body' | 'idle' | 'write';
  constructor(phase: 'head' | 'body' | 'idle' | 'write', ms: number) {
    super(`timed out after ${ms} ms waiting for the request ${phase}`);
    this.phase = phase;
  }
}

/** A handler broke the response it promised (e.g. wrote more or fewer bytes than its Content-Length). */
export class HandlerOutputError extends Error {
  override name = 'HandlerOutputError';
  readonly url: string;
  constructor(url: string, message: string) {
    super(`${message} (while answering ${url})`);
    this.url = url;
  }
}

/** A handler computed past `limits.handlerTimeLimit` without waiting for I/O, and was stopped: 503. */
export class HandlerTimeLimitError extends Error {
  override name = 'HandlerTimeLimitError';
  readonly status = 503;
  constructor(readonly url: string, readonly limit: number) {
    super(`the handler of ${url} computed for more than ${limit} ms without waiting for I/O, and was stopped`);
  }
}

/** Misuse of the API by the program (bad argument, server already running …). */
export class HttpUsageError extends Error {
  override name = 'HttpUsageError';
}

/** What went wrong on the client side, by kind. */
export type ClientErrorCode =
  | 'bad-url' | 'connection-refused' | 'unknown-host' | 'connection-failed' | 'tls'
  | 'bad-status-line' | 'bad-header' | 'head-too-large' | 'truncated' | 'bad-chunk'
  | 'body-too-large' | 'timeout' | 'aborted' | 'closed' | 'too-many-redirects' | 'bad-encoding' | 'bad-request';

/** A client request that failed; the message names the URL and the fault. */
export class HttpClientError extends Error {
  override name = 'HttpClientError';
  readonly code: ClientErrorCode;
  readonly url: string;
  constructor(code: ClientErrorCode, url: string, detail: string, options?: { cause?: unknown }) {
    // An empty URL would make the message start with ": ".
    super(url.trim() === '' ? detail : `${url}: ${detail}`, options);
    this.code = code;
    this.url = url;
  }
}
