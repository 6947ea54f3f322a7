/**
 * The predefined method handlers (GET, HEAD, POST, OPTIONS), content parsers (urlencoded, default text)
 * and the default fallback (404).
 */
import { decodeUrl, decodeQuery, type Args } from '../url.js';
import { headerValue } from '../headers.js';
import type { HttpRequest } from '../request.js';
import type { Exchange } from './exchange.js';
import type { ContentParser, MaybePromise } from './types.js';
import { andThen } from './maybe.js';
import { URLENCODED, mediaType } from '../media-type.js';

/** Default content parser: the body as a string (both values). */
export const defaultContentParser: ContentParser = (_size, _headers, input) => {
  const text = input.readAll();
  return [text, text];
};

/** `application/x-www-form-urlencoded`: the body as an argument a-list, and the raw string. */
export const urlencodedParser: ContentParser = (_size, _headers, input) => {
  const text = input.readAll();
  return [decodeQuery(text.trim()), text];
};

/** GET and HEAD: look the path up and call its resource handler with the query arguments. */
export function getHandler(request: HttpRequest, ex: Exchange): MaybePromise<unknown> {
  const [path, args] = decodeUrl(request.url);
  return callResource(path, args, request, ex);
}

/** POST: parse the body with its content parser; urlencoded arguments follow the query ones. */
export function postHandler(request: HttpRequest, ex: Exchange): MaybePromise<unknown> {
  const [path, args] = decodeUrl(request.url);
  return andThen(parseBody(request, ex), (parsed) => {
    if (Array.isArray(parsed) && isUrlencoded(request)) for (const pair of parsed as Args) args.push(pair);
    return callResource(path, args, request, ex);
  });
}

/**
 * OPTIONS (beyond the egg, SEMANTICS.md): `OPTIONS *` and `OPTIONS /path` get 200 with `Allow`
 * listing the methods that have handlers now, and no body.
 */
export function optionsHandler(_request: HttpRequest, ex: Exchange): MaybePromise<unknown> {
  ex.send(200, { Allow: [...ex.config.methodHandlers.keys()].join(', ') });
  return undefined;
}

/** Runs the request's content parser over its body, storing the parsed value in `request.body`. */
export function parseBody(request: HttpRequest, ex: Exchange): MaybePromise<unknown> {
  const parser = ex.config.parserFor(headerValue(request.attributes, 'content-type'));
  return andThen(parser(ex.bodySize, request.attributes, ex.input), (result) => {
    const parsed = Array.isArray(result) ? result[0] : result;
    request.body = parsed;
    return parsed;
  });
}

function isUrlencoded(request: HttpRequest): boolean {
  const ct = headerValue(request.attributes, 'content-type');
  return ct !== undefined && mediaType(ct) === URLENCODED;
}

function callResource(path: string, args: Args, request: HttpRequest, ex: Exchange): MaybePromise<unknown> {
  const handler = ex.config.resources.get(path);
  if (handler !== undefined) return handler(request, args, ex);
  return ex.config.fallbackHandler(request, ex);
}

/** The default `http:fallback-handler`: 404 through `http:write-error-response`. */
export function notFound(_request: HttpRequest, ex: Exchange): void {
  ex.writeErrorResponse(404, 'Not Found');
}
