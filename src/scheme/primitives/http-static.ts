/**
 * Static files and the access log from Scheme: `(http:static-files ROOT [INDEX …])` gives a
 * handler for `http:fallback-handler` or `http:add-resource`, and `http:combined-log-hook` /
 * `(http:make-combined-log-hook [PORT])` a `http:log-hook` writing the Combined Log Format.
 * The work is done by the TS core (src/http/server/static.ts, access-log.ts).
 */
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { staticFiles } from '../../http/server/static.js';
import { combinedLogLine, logEntry } from '../../http/server/access-log.js';
import { HttpRequest } from '../../http/request.js';
import { currentExchange } from '../handlers.js';
import { OutPort } from '../ports.js';
import { currentOut } from '../prelude/current-ports.js';
import { toStr, describe, SchemeArgumentError } from '../values.js';

/** REQUEST as the hooks get it, or a Scheme error naming WHO. */
function requestOf(x: unknown, who: string): HttpRequest {
  if (!(x instanceof HttpRequest)) throw new SchemeArgumentError(`${who}: REQUEST must be a request, got ${describe(x)}`);
  return x;
}

/**
 * A log hook `(request ip)` writing one line to PORT, or to `(current-output-port)` when PORT is
 * null (as bound where the hook is called: CTX tells LIPS's dynamic bindings).
 */
function logHookTo(port: OutPort | null): (this: CallContext | undefined, request: unknown, ip: unknown) => void {
  return function combinedLogHook(this: CallContext | undefined, request: unknown, ip: unknown): void {
    const who = 'http:combined-log-hook';
    const line = combinedLogLine(logEntry(requestOf(request, who), ip === false || ip === undefined ? '' : toStr(ip, who, 'IP')));
    // The line is ASCII (the log escapes every other byte): bytes and text are the same.
    (port ?? currentOut(this)).writeBytes(line + '\n');
  };
}

export function installHttpStatic(global: Environment): void {
  defineAll(global, {
    /**
     * `(http:static-files ROOT [INDEX …])`: a handler serving the files under ROOT, called as a
     * fallback `(handler request)` or a resource `(handler request args)`. INDEX names the files
     * tried for a directory (default "index.html"); a single #f means none.
     */
    'http:static-files'(root: unknown, ...index: unknown[]): unknown {
      const who = 'http:static-files';
      const dir = toStr(root, who, 'ROOT');
      const names = index.length === 1 && index[0] === false ? [] : index.map((n) => toStr(n, who, 'INDEX'));
      const serve = staticFiles(dir, names.length === 0 && index.length === 0 ? {} : { index: names });
      return function staticFilesHandler(request: unknown): Promise<void> {
        const ex = currentExchange();
        if (ex === null) throw new SchemeArgumentError(`${who}: the handler answers only inside a request`);
        return serve(requestOf(request, who), ex);
      };
    },
    /** `(http:log-hook http:combined-log-hook)`: one Combined Log Format line per request on `(current-output-port)`. */
    'http:combined-log-hook'(this: CallContext, request: unknown, ip: unknown): void {
      logHookTo(null).call(this, request, ip);
    },
    /** `(http:make-combined-log-hook [PORT])`: the same hook, writing to PORT (e.g. `(open-output-file "access.log" #:append)`). */
    'http:make-combined-log-hook'(port?: unknown): unknown {
      if (port === undefined || port === false) return logHookTo(null);
      if (!(port instanceof OutPort)) throw new SchemeArgumentError(`http:make-combined-log-hook: PORT must be an output port, got ${describe(port)}`);
      return logHookTo(port);
    },
  });
}
