/**
 * Input procedures with CHICKEN's behaviour: `read-line` strips CR LF, `read-lines` (also from a
 * file name), `read-string`, `read-char`, `peek-char`, `char-ready?`, closing ports.
 */
import fs from 'node:fs';
import type { Environment } from 'lips';
import { defineAll, type CallContext } from '../define.js';
import { toNum, list, lips, describe, SchemeArgumentError, isStringLike, toStr } from '../values.js';
import { InPort, OutPort } from '../ports.js';
import { currentIn } from './current-ports.js';
import { andThen } from '../../http/server/maybe.js';

function inPort(ctx: CallContext, port: unknown, who: string): InPort {
  if (port === undefined || port === null) return currentIn(ctx);
  if (port instanceof InPort) return port;
  if (port !== null && typeof port === 'object' && typeof (port as { read_line?: unknown }).read_line === 'function') return port as InPort;
  throw new SchemeArgumentError(`${who}: expected an input port, got ${describe(port)}`);
}

function isEof(x: unknown): boolean {
  return x === lips().eof;
}

function stripCr(line: unknown): unknown {
  if (typeof line === 'string' && line.endsWith('\r')) return line.slice(0, -1);
  return line;
}

async function readLines(port: InPort, max: number): Promise<unknown> {
  const out: unknown[] = [];
  while (out.length < max) {
    const line = await port.read_line();
    if (isEof(line)) break;
    out.push(stripCr(line));
  }
  return list(out);
}

export function installInput(global: Environment): void {
  defineAll(global, {
    'read-line'(this: CallContext, port?: unknown, limit?: unknown): unknown {
      const p = inPort(this, port, 'read-line');
      return andThen(p.read_line(), (line) => {
        const l = stripCr(line);
        if (limit !== undefined && limit !== false && typeof l === 'string') return [...l].slice(0, toNum(limit)).join('');
        return l;
      });
    },
    'read-lines'(this: CallContext, port?: unknown, max?: unknown): unknown {
      const limit = max === undefined || max === false ? Infinity : toNum(max, 'read-lines');
      if (isStringLike(port)) {
        const text = fs.readFileSync(toStr(port), 'utf8');
        const lines = text.split(/\r\n|\n|\r/);
        if (lines[lines.length - 1] === '') lines.pop();
        return list(lines.slice(0, limit === Infinity ? undefined : limit));
      }
      return readLines(inPort(this, port, 'read-lines'), limit);
    },
    /** CHICKEN: (read-string [N [PORT]]), N #f = everything; R7RS: (read-string K [PORT]). */
    'read-string'(this: CallContext, n?: unknown, port?: unknown): unknown {
      const p = inPort(this, port, 'read-string');
      if (n === undefined || n === false) {
        const all = (p as InPort & { readAll?: () => unknown }).readAll;
        if (typeof all === 'function') return all.call(p);
        return p.read_string(Number.MAX_SAFE_INTEGER);
      }
      return p.read_string(toNum(n, 'read-string'));
    },
    'read-char'(this: CallContext, port?: unknown): unknown {
      return inPort(this, port, 'read-char').read_char();
    },
    'peek-char'(this: CallContext, port?: unknown): unknown {
      return inPort(this, port, 'peek-char').peek_char();
    },
    'char-ready?'(this: CallContext, port?: unknown): boolean {
      return inPort(this, port, 'char-ready?').char_ready();
    },
    'close-input-port'(port: unknown): void {
      if (!(port instanceof InPort) && !(port instanceof lips().InputPort)) throw new SchemeArgumentError(`close-input-port: expected an input port, got ${describe(port)}`);
      (port as InPort).close();
    },
    'close-output-port'(port: unknown): void {
      if (!(port instanceof OutPort) && !(port instanceof lips().OutputPort)) throw new SchemeArgumentError(`close-output-port: expected an output port, got ${describe(port)}`);
      (port as OutPort).close();
    },
    'close-port'(port: unknown): void {
      (port as { close(): void }).close();
    },
  });
}
