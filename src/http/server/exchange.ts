/**
 * One request and its response, as a handler sees them: the request record, the connection's
 * output (`current-output-port`) and the body as an input port (`current-input-port`).
 */
import type { HttpRequest } from '../request.js';
import { BufferInput } from '../input.js';
import { assertHeader, type Headers } from '../headers.js';
import { reasonPhrase, statusHasNoBody } from '../status.js';
import type { ServerConfig } from './config.js';
import type { ResponseWriter } from './response.js';
import { httpDate } from './date.js';

/** Who answers: the server name and location of `http:make-server`. */
export interface ServerIdentity {
  serverName: string;
  location: string;
}

const NO_BODY = Buffer.alloc(0);

export class Exchange {
  private inputPort: BufferInput | null = null;

  constructor(
    readonly request: HttpRequest,
    readonly out: ResponseWriter,
    /** The request body as received (de-chunked), or null when the request had none. */
    readonly body: Buffer | null,
    readonly config: ServerConfig,
    readonly server: ServerIdentity,
    /** Body size in bytes, or null when the request had no body. */
    readonly bodySize: number | null,
  ) {}

  /** The body as an input port (`current-input-port`), made on first use. */
  get input(): BufferInput {
    if (this.inputPort === null) this.inputPort = new BufferInput(this.body ?? NO_BODY);
    return this.inputPort;
  }

  /** Writes raw bytes to the client, as an egg handler writes to `current-output-port`. */
  write(data: string | Uint8Array): boolean {
    return this.out.write(data);
  }

  /** `http:write-response-header`: status line, Server, Date and HEADERS, leaving the header block open. */
  writeResponseHeader(code = 200, message = reasonPhrase(code), headers: Headers = [], protocol = this.out.protocol): void {
    this.out.write(responseHeaderText(code, message, headers, protocol, this.server.serverName));
  }

  /** `http:write-error-response`: a whole error response whose page comes from the error-response handler. */
  writeErrorResponse(code: number, message = reasonPhrase(code)): void {
    writeErrorResponse(this.out, this.config, this.server, code, message);
  }

  /** Convenience for TS handlers: a complete response with its framing. */
  send(status: number, headers: Headers | Record<string, string> = [], body: string | Uint8Array = ''): void {
    const list: Headers = Array.isArray(headers) ? headers : Object.entries(headers);
    this.out.write(responseHeaderText(status, reasonPhrase(status), list, this.out.protocol, this.server.serverName));
    if (statusHasNoBody(status)) {
      this.out.write('\r\n'); // 1xx, 204 and 304 carry neither a body nor its length
    } else {
      this.out.write(`Content-Length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength}\r\n\r\n`);
      this.out.write(body);
    }
    this.out.end();
  }
}

export function responseHeaderText(code: number, message: string, headers: Headers, protocol: string, serverName: string): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new TypeError(`invalid status code ${code}`);
  if (/[\r\n]/.test(message)) throw new TypeError('a status message must not contain CR or LF');
  if (protocol !== 'HTTP/1.0' && protocol !== 'HTTP/1.1') throw new TypeError(`protocol must be HTTP/1.0 or HTTP/1.1, not ${protocol}`);
  let s = `${protocol} ${code} ${message}\r\nServer: ${serverName}\r\nDate: ${httpDate()}\r\n`;
  for (const [name, value] of headers) {
    assertHeader(name, value);
    s += `${name}: ${value}\r\n`;
  }
  return s;
}

/** Replaces whatever the response holds that was not sent yet with an error page. */
export function writeErrorResponse(out: ResponseWriter, config: ServerConfig, server: ServerIdentity, code: number, message: string): void {
  const html = config.errorResponseHandler(code, message, server);
  out.discard();
  out.write(errorResponseText(code, message, html, out.protocol, server.serverName));
}

/** A whole error response: status line, Server, Date, EXTRA headers, and HTML as text/html with its length. */
export function errorResponseText(code: number, message: string, html: string, protocol: string, serverName: string, extra: Headers = []): string {
  return responseHeaderText(code, message.replace(/[\r\n]+/g, ' '), [['Content-Type', 'text/html'], ...extra], protocol, serverName)
    + `Content-Length: ${Buffer.byteLength(html)}\r\n\r\n${html}`;
}
