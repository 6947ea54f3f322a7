/**
 * http-client: `http:send-request`, `http:GET`, `http:POST`, `http:read-body`,
 * `http:close-all-connections!`, `http:add-proxy`, `http:remove-all-proxies!`.
 */
import type { Environment } from 'lips';
import { defineAll } from '../define.js';
import { HttpRequest } from '../../http/request.js';
import {
  sendRequest, get, post, readBodyWith, closeAllConnections, defaultProxies, type PostArgument,
} from '../../http/client/client.js';
import { formEncode } from '../../http/url.js';
import {
  toStr, toNum, toArray, alistToHeaders, headersToAlist, values, isPair, SchemeArgumentError, describe, displayString,
} from '../values.js';
import { SocketInPort, SocketOutPort, connectionPorts } from '../ports.js';

function request(x: unknown, who: string): HttpRequest | string {
  if (x instanceof HttpRequest) return x;
  return toStr(x, who, 'REQUEST (a URL string or a request object)');
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
      let conn = null;
      if (inPort !== undefined && inPort !== false) {
        if (!(inPort instanceof SocketInPort)) throw new SchemeArgumentError(`${who}: INPUT-PORT must be a port returned by http:send-request, got ${describe(inPort)}`);
        if (outPort !== undefined && outPort !== false && !(outPort instanceof SocketOutPort)) {
          throw new SchemeArgumentError(`${who}: OUTPUT-PORT must be a port returned by http:send-request, got ${describe(outPort)}`);
        }
        conn = inPort.connection;
      }
      const res = await sendRequest(request(req, who), conn);
      const ports = inPort instanceof SocketInPort && outPort instanceof SocketOutPort && inPort.connection === res.connection
        ? [inPort, outPort] : connectionPorts(res.connection);
      return values([res.statusLine, headersToAlist(res.headers), ports[0], ports[1]]);
    },
    'http:GET'(req: unknown): Promise<string> {
      return get(request(req, 'http:GET'));
    },
    'http:POST'(req: unknown, args: unknown, delim1?: unknown, delim2?: unknown, encoder?: unknown): Promise<string> {
      const who = 'http:POST';
      const enc = encoder === undefined || encoder === false ? formEncode
        : (s: string): string => {
          if (typeof encoder !== 'function') throw new SchemeArgumentError(`${who}: ENCODER must be a procedure, got ${describe(encoder)}`);
          const r = (encoder as (s: string) => unknown)(s);
          if (r instanceof Promise) throw new SchemeArgumentError(`${who}: ENCODER must return a string without suspending`);
          return toStr(r, who, 'the result of ENCODER');
        };
      return post(request(req, who), postArguments(args, who),
        delim1 === undefined || delim1 === false ? undefined : toStr(delim1, who, 'DELIM1'),
        delim2 === undefined || delim2 === false ? undefined : toStr(delim2, who, 'DELIM2'), enc);
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
          : typeof pattern === 'function' ? (h: string) => (pattern as (h: string) => unknown)(h) !== false
            : toStr(pattern, who, 'PATTERN');
      defaultProxies.add(p, toStr(host, who, 'HOST'), port === undefined ? 80 : toNum(port, who, 'PORT'));
    },
    'http:remove-all-proxies!'(): void {
      defaultProxies.removeAll();
    },
  });
}
