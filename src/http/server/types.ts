/** The handler signatures of the server, shared by its modules, and the workers option. */
import type { Args } from '../url.js';
import type { Headers } from '../headers.js';
import type { HttpRequest } from '../request.js';
import type { BufferInput } from '../input.js';
import type { Exchange, ServerIdentity } from './exchange.js';

export type MaybePromise<T> = T | Promise<T>;

/** `(handler request args)`: writes the response to `ex.out`. */
export type ResourceHandler = (request: HttpRequest, args: Args, ex: Exchange) => MaybePromise<unknown>;
/** `http:request-method-handler` PROC: answers every request of one method. */
export type MethodHandler = (request: HttpRequest, ex: Exchange) => MaybePromise<unknown>;
/** `http:fallback-handler`: answers a request for a resource that does not exist. */
export type FallbackHandler = (request: HttpRequest, ex: Exchange) => MaybePromise<unknown>;
/** `(parser size headers port)` → [parsed, raw]. SIZE is null when the request had no body. */
export type ContentParser = (size: number | null, headers: Headers, input: BufferInput) => MaybePromise<[unknown, unknown]>;
/** `http:error-response-handler`: the HTML of an error page. */
export type ErrorResponseHandler = (code: number, message: string, server: ServerIdentity) => string;
/** `http:error-hook`: hears of every unhandled failure. */
export type ErrorHook = (error: unknown, request: HttpRequest | null) => unknown;
/** `http:log-hook`: called once each request is answered. */
export type LogHook = (request: HttpRequest, ip: string) => unknown;
/** `http:url-transformation`. */
export type UrlTransformation = (url: string) => string;

/**
 * Serving one port from several processes (node:cluster), on top of the server's own options:
 * `createServer({ port, workers: 4 })` in a program that runs the same code in each worker.
 */
export interface WorkerOptions {
  /**
   * Processes serving the port, each running this same program (default 1: this process
   * serves). The primary forks them, restarts one that crashes, and on stop() or SIGTERM/SIGINT
   * has each finish its requests in flight and exit.
   */
  workers?: number;
  /** How long stop(), SIGTERM or SIGINT lets requests in flight finish before cutting them, ms. Default 5000. */
  drainTimeout?: number;
}
