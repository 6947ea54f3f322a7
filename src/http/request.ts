/**
 * The request record of http-utils (`http:make-request` and its accessors).
 */
import type { Headers } from './headers.js';

export class HttpRequest {
  /** Method, e.g. `GET` (a symbol on the Scheme side). */
  method: string;
  /** Request target as received (path and query), after the server's url transformation. */
  url: string;
  /** `HTTP/1.0` or `HTTP/1.1` (a symbol on the Scheme side). */
  protocol: string;
  /** Header a-list: lowercased names, trimmed values, in order. */
  attributes: Headers;
  /** Parsed body (the content parser's first value), or null. Client requests: the body to send. */
  body: unknown;
  /** Peer address, or null. */
  ip: string | null;
  /** TLS context of a client request (`http:request-sslctx`), or null. */
  sslctx: unknown;
  /** Trailer fields of a chunked request body (kept apart from the attributes, RFC 9112 §7.1.2). */
  trailers: Headers;

  constructor(method: string, url: string, attributes: Headers = [], body: unknown = null,
    protocol = 'HTTP/1.0', ip: string | null = null) {
    this.method = method;
    this.url = url;
    this.protocol = protocol;
    this.attributes = attributes;
    this.body = body;
    this.ip = ip;
    this.sslctx = null;
    this.trailers = [];
  }
}

/** `http:make-request`: defaults ATTRIBUTES `()`, BODY #f, PROTOCOL HTTP/1.0, IP #f. */
export function makeRequest(method: string, url: string, attributes: Headers = [], body: unknown = null,
  protocol = 'HTTP/1.0', ip: string | null = null): HttpRequest {
  return new HttpRequest(method, url, attributes, body, protocol, ip);
}

export function isRequest(x: unknown): x is HttpRequest {
  return x instanceof HttpRequest;
}
