/**
 * A Scheme runtime with the http egg loaded: LIPS booted, the CHICKEN prelude (TypeScript
 * procedures and scheme/prelude.scm) and every `http:` primitive in its global environment.
 * One per process: LIPS keeps its environments in module state.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootLips, lipsCore, type Lips } from './boot.js';
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
import { installHttpStatic } from './primitives/http-static.js';
import { compiledRuntime } from './compiled-runtime.js';
import { awaitingThenables, foreignProcedure } from './library/define.js';
import type { Task } from './runtime/control.js';

/** Extensions a program may require: all built in. */
const KNOWN_EXTENSIONS = new Set([
  'http', 'http-client', 'http-server', 'http-utils', 'url', 'regex-case', 'regex', 'tcp', 'extras', 'utils', 'posix',
  'srfi-1', 'srfi-13', 'srfi-18', 'srfi-69', 'data-structures', 'ports', 'chicken', 'scheme', 'library', 'lolevel', 'files',
]);

export interface SchemeRuntime {
  lips: Lips;
  /** True on the compiled engine; false when LIPS evaluates (SCHEME_HTTP_COMPILE=0). */
  compiled: boolean;
  servers: SchemeServers;
  /** Evaluates every form of CODE; resolves to the value of the last one. FILE names it in errors. */
  evaluate(code: string, file?: string | null, task?: Task | null): Promise<unknown>;
  /** `write` representation of a value, as the REPL prints it. */
  show(value: unknown): string;
  /** Defines global NAME (a TypeScript procedure or a value) for the programs. */
  define(name: string, value: unknown): void;
}

/** Whether programs run on the compiled engine (the default) or in LIPS (SCHEME_HTTP_COMPILE=0). */
export const COMPILED = process.env.SCHEME_HTTP_COMPILE !== '0';

let runtime: Promise<SchemeRuntime> | null = null;
/** What `command-line-arguments` returns: the arguments of the first call of `schemeRuntime`. */
let commandLine: string[] | null = null;

export function schemeRuntime(args: string[] = []): Promise<SchemeRuntime> {
  commandLine ??= args;
  runtime ??= COMPILED ? createCompiled() : create();
  return runtime;
}

async function createCompiled(): Promise<SchemeRuntime> {
  const rt = await compiledRuntime(() => commandLine ?? []);
  return {
    lips: await lipsCore(),
    compiled: true,
    servers: rt.servers,
    evaluate: (code, file, task) => rt.evaluate(code, file ?? null, task ?? null),
    show: rt.show,
    define: (name, value) => rt.engine.define(name, typeof value === 'function' ? foreignProcedure(name, value as (...a: unknown[]) => unknown) : value),
  };
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
  installHttpStatic(global);
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
    compiled: false,
    servers,
    define: (name, value) => global.set(name, typeof value === 'function' ? awaitingThenables(value as (...a: unknown[]) => unknown) : value),
    async evaluate(code: string): Promise<unknown> {
      const results = await lips.exec(code, { env: lips.env });
      return results.length === 0 ? undefined : results[results.length - 1];
    },
    show: (v: unknown) => repr(v, true),
  };
}
