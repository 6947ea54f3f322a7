/** Size limits and timeouts of the server, with their defaults. All sizes in bytes, times in ms. */
export interface Limits {
  /** Longest request line or header line (`http:read-line-limit`): 414 / 431 beyond it. */
  readLineLimit: number;
  /** Most header fields in one request head: 431 beyond it. */
  maxHeaderCount: number;
  /** Largest request head (request line and all header lines): 431 beyond it. */
  maxHeadSize: number;
  /** Largest request body, declared or chunked: 413 beyond it. */
  maxBodySize: number;
  /** Time allowed for a whole request head to arrive, from its first byte (or from accept). */
  headTimeout: number;
  /** Longest pause while a request body is arriving. */
  bodyTimeout: number;
  /** An idle persistent connection is closed after this long. */
  idleTimeout: number;
  /** Longest wait for a slow reader to take response bytes before the connection is dropped. */
  writeTimeout: number;
  /**
   * Longest a handler may keep the process computing without waiting for I/O (null: no limit).
   * Past it a Scheme handler is stopped: 503 if nothing was written, else the connection is
   * closed, and the error hook hears of it. (A TypeScript handler cannot be stopped mid-way: it
   * is the Scheme front that enforces this.)
   */
  handlerTimeLimit: number | null;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  readLineLimit: 8192,
  maxHeaderCount: 100,
  maxHeadSize: 64 * 1024,
  maxBodySize: 8 * 1024 * 1024,
  headTimeout: 30_000,
  bodyTimeout: 30_000,
  idleTimeout: 60_000,
  writeTimeout: 60_000,
  handlerTimeLimit: 10_000,
});
