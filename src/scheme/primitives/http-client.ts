/**
 * http-client: `http:send-request`, `http:GET`, `http:POST`, `http:read-body`,
 * `http:close-all-connections!`, `http:add-proxy`, `http:remove-all-proxies!`.
 */
import { invoke } from '../handlers.js';
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { HttpRequest } from '../../http/request.js';
import {
  sendRequest, get, post, readBodyWith, closeAllConnections, defaultProxies, type PostArgument,
} from '../../http/client/client.js';
import { formEncode } from '../../http/url.js';
import { URLENCODED, mediaType } from '../../http/media-type.js';
import {
  toStr, toNum, toArray, alistToHeaders, headersToAlist, values, isPair, SchemeArgumentError, describe, displayString, box,
} from '../values.js';
import { SocketInPort, SocketOutPort, connectionPorts } from '../ports.js';
import { Regexp, matchesWhole } from '../library/regex.js';

function request(x: unknown, who: string): HttpRequest | string {
  if (x instanceof HttpRequest) return x;
  return toStr(x, who, 'REQUEST (a URL string or a request object)');
}

/** Whether http:POST sends REQUEST's arguments urlencoded (as post() decides). */
function urlencoded(r: HttpRequest | string): boolean {
  if (typeof r === 'string') return true;
  const ct = r.attributes.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  return ct === undefined || mediaType(ct) === URLENCODED;
}

function postArguments(x: unknown, who: string): PostArgument[] {
  return toArray(x, who, 'ARGUMENTS').map((a) => {
    if (isPair(a)) {
      const v = isPair(a.cdr) ? a.cdr.car : a.cdr;
      return [toStr(a.car, who, 'an argument name'), displayString(v)] as const;
    }
    return toStr(a, who, 'an argument ("name=value" or a pair)');
  });
}

export function installHttpClient(global: Environment): void {
  defineAll(global, {
    async 'http:send-request'(req: unknown, inPort?: unknown, outPort?: unknown): Promise<unknown> {
      const who = 'http:send-request';
      const target = request(req, who);
      const given = (x: unknown): boolean => x !== undefined && x !== false;
      if (!given(inPort) && !given(outPort)) {
        const res = await sendRequest(target, null);
        const [i, o] = connectionPorts(res.connection);
        return values([res.statusLine, headersToAlist(res.headers), i, o]);
      }
      // The ports of an earlier http:send-request, both of them: a lone INPUT-PORT got a second
      // pair of ports over its connection (whose garbage collection closed it under the first
      // pair), and ports of two different connections were silently taken for the first one.
      if (!(inPort instanceof SocketInPort)) throw new SchemeArgumentError(`${who}: INPUT-PORT must be a port returned by http:send-request, got ${describe(inPort)}`);
      if (!(outPort instanceof SocketOutPort)) throw new SchemeArgumentError(`${who}: OUTPUT-PORT must be the output port returned with INPUT-PORT by http:send-request, got ${describe(outPort)}`);
      if (inPort.pair !== outPort.pair) throw new SchemeArgumentError(`${who}: INPUT-PORT and OUTPUT-PORT belong to different connections`);
      if (!inPort.is_open() || !outPort.is_open()) {
        throw new SchemeArgumentError(`${who}: the ${inPort.is_open() ? 'OUTPUT-PORT' : 'INPUT-PORT'} passed in is closed`);
      }
      const res = await sendRequest(target, inPort.connection);
      return values([res.statusLine, headersToAlist(res.headers), inPort, outPort]);
    },
    'http:GET'(req: unknown): Promise<string> {
      return get(request(req, 'http:GET'));
    },
    async 'http:POST'(req: unknown, args: unknown, delim1?: unknown, delim2?: unknown, encoder?: unknown): Promise<string> {
      const who = 'http:POST';
      const target = request(req, who);
      const items = postArguments(args, who);
      const d1 = delim1 === undefined || delim1 === false ? undefined : toStr(delim1, who, 'DELIM1');
      const d2 = delim2 === undefined || delim2 === false ? undefined : toStr(delim2, who, 'DELIM2');
      if (encoder === undefined || encoder === false) return post(target, items, d1, d2, formEncode);
      if (typeof encoder !== 'function') throw new SchemeArgumentError(`${who}: ENCODER must be a procedure, got ${describe(encoder)}`);
      // ENCODER is a Scheme procedure: it gets Scheme strings (LIPS's own string procedures fail
      // on bare JS strings: `string-upcase` raised "#void is not callable"), and it may suspend
      // (a Scheme procedure called from TS returns a Promise whenever it awaited anything), which
      // was an error. Each value is encoded here, before the body is built.
      const encoded = new Map<string, string>();
      // An urlencoded body does not use ENCODER (see postBody): it is not called then.
      if (!urlencoded(target)) for (const a of items) {
        if (typeof a === 'string' || encoded.has(a[1])) continue;
        const r: unknown = await invoke(encoder as (s: unknown) => unknown, box(a[1]));
        encoded.set(a[1], toStr(r, who, 'the result of ENCODER'));
      }
      return post(target, items, d1, d2, (v: string) => encoded.get(v) ?? formEncode(v));
    },
    async 'http:read-body'(args: unknown, port: unknown): Promise<string> {
      const who = 'http:read-body';
      if (!(port instanceof SocketInPort)) throw new SchemeArgumentError(`${who}: PORT must be an input port returned by http:send-request, got ${describe(port)}`);
      const body = await readBodyWith(alistToHeaders(args, who, 'ARGUMENTS').map(([n, v]) => [n.toLowerCase(), v]), port.connection);
      return body.toString('utf8');
    },
    'http:close-all-connections!'(): void {
      closeAllConnections();
    },
    'http:add-proxy'(pattern: unknown, host: unknown, port?: unknown): void {
      const who = 'http:add-proxy';
      const p = pattern === true ? true
        : pattern instanceof RegExp ? pattern
          // A regexp object of the regex unit matches the whole host name, as string-match does.
          : pattern instanceof Regexp ? (h: string) => matchesWhole(pattern, h)
          : typeof pattern === 'function' ? (h: string) => invoke(pattern as (h: string) => unknown, h) !== false
            : toStr(pattern, who, 'PATTERN');
      defaultProxies.add(p, toStr(host, who, 'HOST'), port === undefined ? 80 : toNum(port, who, 'PORT'));
    },
    'http:remove-all-proxies!'(): void {
      defaultProxies.removeAll();
    },
  });
}
