/** The public TypeScript API of scheme-http's protocol core. */
export { Server } from './server/server.js';
export { TrustedProxies, clientAddress, type ForwardedHeader } from './server/forwarded.js';
// createServer checks its options and takes `workers` (several processes on one port).
export { createServer, PrimaryServer, Supervisor, type ServerOptions, type SupervisorOptions, type SupervisorEnd } from './server/workers.js';
export { ServerConfig, HttpServerError, validateServerOptions, type Transport, type ServerErrorCode } from './server/config.js';
export { Exchange, responseHeaderText, type ServerIdentity } from './server/exchange.js';
export { ResponseWriter } from './server/response.js';
export { defaultContentParser, urlencodedParser, parseBody, notFound } from './server/handlers.js';
export { defaultErrorPage, escapeHtml } from './server/error-page.js';
export {
  staticFiles, pathSegments, parseRange, matchesList, CONTENT_TYPES, type StaticOptions, type StaticHandler,
} from './server/static.js';
export {
  combinedLogHook, combinedLogLine, logEntry, logTime, escapeLogField, recordResponse, responseOf,
  type LogEntry, type LogSink, type ResponseSummary,
} from './server/access-log.js';
export type {
  ResourceHandler, MethodHandler, FallbackHandler, ContentParser, ErrorResponseHandler,
  ErrorHook, LogHook, UrlTransformation, MaybePromise, WorkerOptions,
} from './server/types.js';
export { HttpRequest, makeRequest, isRequest } from './request.js';
export { canonicalizeString, decodeUrl, decodeQuery, formEncode, type Args } from './url.js';
export { readRequestAttributes, parseAttributes } from './attributes.js';
export { BufferInput, type LineSource } from './input.js';
export { headerValue, headerValues, type Header, type Headers } from './headers.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { HttpProtocolError, HttpTimeoutError, HandlerOutputError, HttpUsageError } from './errors.js';
export { reasonPhrase } from './status.js';
export { URLENCODED, mediaType } from './media-type.js';
export {
  sendRequest, readResponseBody, readBodyWith, request, get, getBytes, post, postBody, closeAllConnections,
  defaultAgent, defaultProxies, type ClientOptions, type SentResponse, type FullResponse, type PostArgument,
} from './client/client.js';
export { Agent, type AgentOptions } from './client/pool.js';
export { ProxyTable, type ProxyPattern } from './client/proxies.js';
export { ClientConnection, connect } from './client/connection.js';
export { parseTarget, type Target } from './client/target.js';
export { DEFAULT_CLIENT_LIMITS, type ClientLimits, type ResponseHead } from './client/message.js';
export { HttpClientError, type ClientErrorCode } from './errors.js';
