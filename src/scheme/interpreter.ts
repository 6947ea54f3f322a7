/**
 * A Scheme runtime with the http egg loaded: LIPS booted, the CHICKEN prelude (TypeScript
 * procedures and scheme/prelude.scm) and every `http:` primitive in its global environment.
 * One per process: LIPS keeps its environments in module state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Environment } from 'lips';
import { bootLips, type Lips } from './boot.js';
import { bindLips, list, toStr, SchemeArgumentError } from './values.js';
import { bindPorts } from './ports.js';
import { defineAll } from './define.js';
import { installCurrentPorts } from './prelude/current-ports.js';
import { installOutput } from './prelude/output.js';
import { installInput } from './prelude/input.js';
import { installBase } from './prelude/base.js';
import { installStringsLists } from './prelude/strings-lists.js';
import { installThreads } from './prelude/threads.js';
import { installConditions } from './prelude/conditions.js';
import { installHttpUtils } from './primitives/http-utils.js';
import { installHttpServer, type SchemeServers } from './primitives/http-server.js';
import { installHttpClient } from './primitives/http-client.js';

/** Extensions a program may require: all built in. */
const KNOWN_EXTENSIONS = new Set([
  'http', 'http-client', 'http-server', 'http-utils', 'url', 'regex-case', 'regex', 'tcp', 'extras', 'utils', 'posix',
  'srfi-1', 'srfi-13', 'srfi-18', 'srfi-69', 'data-structures', 'ports', 'chicken', 'scheme', 'library', 'lolevel', 'files',
]);

export interface SchemeRuntime {
  lips: Lips;
  /** The environment programs run in. */
  env: Environment;
  servers: SchemeServers;
  /** Evaluates every form of CODE; resolves to the value of the last one. */
  evaluate(code: string): Promise<unknown>;
  /** `write` representation of a value, as the REPL prints it. */
  show(value: unknown): string;
}

let runtime: Promise<SchemeRuntime> | null = null;
/** What `command-line-arguments` returns: the arguments of the first call of `schemeRuntime`. */
let commandLine: string[] | null = null;

export function schemeRuntime(args: string[] = []): Promise<SchemeRuntime> {
  commandLine ??= args;
  runtime ??= create();
  return runtime;
}

/** For a runtime made ahead of time (the start-up snapshot): the next call's arguments become the command line. */
export function resetCommandLine(): void {
  commandLine = null;
}

function preludePath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/scheme or dist/scheme: the Scheme sources are in scheme/ at the package root.
  return path.resolve(here, '..', '..', 'scheme', 'prelude.scm');
}

async function create(): Promise<SchemeRuntime> {
  const lips = await bootLips();
  bindLips(lips);
  bindPorts(lips);
  const global = lips.env.__parent__;
  installCurrentPorts(global);
  installOutput(global);
  installInput(global);
  installBase(global);
  installStringsLists(global);
  installThreads(global);
  installConditions(global);
  const servers = installHttpServer(global);
  installHttpUtils(global, servers.config);
  installHttpClient(global);
  defineAll(global, {
    '%require-extensions'(names: unknown): void {
      for (const n of (names as { to_array(): unknown[] }).to_array?.() ?? []) {
        const name = toStr(n, 'require-extension');
        if (!KNOWN_EXTENSIONS.has(name)) {
          throw new SchemeArgumentError(`require-extension: unknown extension ${name} (scheme-http provides ${[...KNOWN_EXTENSIONS].slice(0, 4).join(', ')} …)`);
        }
      }
    },
    'command-line-arguments'(): unknown {
      return list(commandLine ?? []);
    },
  });
  await lips.exec(fs.readFileSync(preludePath(), 'utf8'), { env: global });
  const repr = global.get('repr') as (v: unknown, q: boolean) => string;
  return {
    lips,
    env: lips.env,
    servers,
    async evaluate(code: string): Promise<unknown> {
      const results = await lips.exec(code, { env: lips.env });
      return results.length === 0 ? undefined : results[results.length - 1];
    },
    show: (v: unknown) => repr(v, true),
  };
}
