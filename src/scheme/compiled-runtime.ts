/**
 * The Scheme runtime on the compiled engine: programs are read as bytes, compiled form by form
 * and run by the engine; the http: primitives and the CHICKEN library are its globals.
 */
import type { Environment } from 'lips';
import { lipsCore } from './boot.js';
import { bindLips, useCompiledValues, lips } from './values.js';
import { proxyParameter, bindingIn, parameterValue } from './library/control.js';
import { currentOutputPort, currentInputPort } from './library/io.js';
import { useCompiledPorts } from './prelude/current-ports.js';
import type { OutPort, InPort } from './ports.js';
import { S } from './runtime/control.js';
import { bindPorts } from './ports.js';
import { Engine } from './compiler/index.js';
import { bindData } from './runtime/data.js';
import { installLibrary } from './library/index.js';
import { installBase } from './prelude/base.js';
import { installStringsLists } from './prelude/strings-lists.js';
import { installOutput } from './prelude/output.js';
import { readAll, sourceLine } from './compiler/reader.js';
import { textToBytes, listToArray, arrayToList, Pair } from './runtime/data.js';
import { writeString } from './runtime/printer.js';
import { procedure } from './library/define.js';
import { procedureInfo } from './compiler/codegen.js';
import { useCompiledProcedures } from './handlers.js';
import { installHttpUtils } from './primitives/http-utils.js';
import { installHttpServer, type SchemeServers } from './primitives/http-server.js';
import { installHttpClient } from './primitives/http-client.js';
import { installHttpStatic } from './primitives/http-static.js';
import { stringValue, symbolName, isSymbol } from './runtime/data.js';
import { schemeError } from './runtime/errors.js';
import type { Task } from './runtime/control.js';

/** Extensions a program may require: all built in. */
export const KNOWN_EXTENSIONS = new Set([
  'http', 'http-client', 'http-server', 'http-utils', 'url', 'regex-case', 'regex', 'tcp', 'extras', 'utils', 'posix',
  'srfi-1', 'srfi-13', 'srfi-14', 'srfi-18', 'srfi-69', 'data-structures', 'ports', 'chicken', 'scheme', 'library', 'lolevel', 'files',
  'srfi-4', 'srfi-8', 'srfi-9', 'srfi-23', 'srfi-28', 'srfi-39', 'format', 'lolevel', 'r5rs', 'r7rs',
]);

/**
 * The module a CHICKEN 5 / R7RS import spec names ((chicken string), (srfi 69), (only SPEC …)),
 * or null for one we do not know. Every procedure is global here, so importing one is a no-op:
 * a program written for CHICKEN 5 runs unchanged.
 */
function moduleName(spec: unknown): string | null {
  const parts = listToArray(spec);
  if (parts === null || parts.length === 0) return null;
  const head = isSymbol(parts[0]) ? symbolName(parts[0]) : null;
  if ((head === 'only' || head === 'except' || head === 'rename') && parts.length >= 2) return moduleName(parts[1]);
  if (head === 'chicken' || head === 'scheme') return parts.length >= 2 ? parts.map((p) => (isSymbol(p) ? symbolName(p) : String(p))).join('.') : null;
  if (head === 'srfi' && parts.length === 2 && typeof parts[1] === 'number') return `srfi-${parts[1]}`;
  return null;
}

export interface CompiledRuntime {
  engine: Engine;
  servers: SchemeServers;
  /** Evaluates every form of CODE (text: converted to bytes as UTF-8); the value of the last. */
  evaluate(code: string, file?: string | null, task?: Task | null): Promise<unknown>;
  show(value: unknown): string;
}

type Fn = (...args: unknown[]) => unknown;

function lipsParameter(): new (...a: never[]) => unknown {
  return lips().Parameter as unknown as new (...a: never[]) => unknown;
}

/** The Scheme procedure made for each TypeScript function of the http: modules (one each: `eq?` holds). */
const adapted = new WeakMap<Fn, Fn>();
/** Each such procedure's TypeScript function (set back into a parameter, it must be recognised). */
const originals = new WeakMap<Fn, Fn>();

/**
 * TypeScript function F as a Scheme procedure: a text result (TypeScript's strings) given to
 * Scheme as bytes, a Promise waited for, and a function it returns (the server procedure of
 * http:make-server) made a procedure the same way. Compiled Scheme procedures pass as they are.
 */
function schemeProcedure(f: Fn): Fn {
  if (originals.has(f) || procedureInfo.has(f.name)) return f;
  let g = adapted.get(f);
  if (g !== undefined) return g;
  const conv = (r: unknown): unknown => (typeof r === 'string' ? textToBytes(r) : typeof r === 'function' ? schemeProcedure(r as Fn) : r);
  const h = function (this: unknown, ...args: unknown[]): unknown {
    const r = f.apply(this, args);
    return r instanceof Promise ? r.then(conv) : conv(r);
  };
  Object.defineProperty(h, 'name', { value: f.name });
  g = procedure(f.name, h, [0, Infinity]);
  adapted.set(f, g);
  originals.set(g, f);
  return g;
}

/**
 * An Environment-shaped front to the engine's globals, so the http: modules (written against
 * LIPS's environment) register their procedures in the engine.
 */
function globalsOf(engine: Engine): Environment {
  const env = {
    set(name: string, value: unknown): void {
      const n = String(name);
      if (value instanceof lipsParameter()) {
        // The http: modules keep their parameters as LIPS Parameters: Scheme gets one of ours over it.
        const lp = value as { __value__: unknown };
        const proxy = proxyParameter(n, () => (typeof lp.__value__ === 'function' ? schemeProcedure(lp.__value__ as Fn) : lp.__value__), (v) => { lp.__value__ = typeof v === 'function' ? originals.get(v as Fn) ?? v : v; });
        proxies.set(lp, proxy);
        engine.define(n, proxy);
        return;
      }
      engine.define(n, typeof value === 'function' ? schemeProcedure(value as Fn) : value);
    },
    get(name: string, options?: { throwError?: boolean }): unknown {
      const v = engine.lookup(String(name));
      if (v === undefined && options?.throwError !== false) throw new Error(`unbound variable ${name}`);
      return v;
    },
    has(name: string): boolean {
      return engine.isBound(String(name));
    },
  } as unknown as Environment;
  (env as unknown as { __parent__: Environment }).__parent__ = env;
  return env;
}

/** The engine's parameter standing for each LIPS Parameter of the http: modules. */
const proxies = new Map<object, Fn>();

let runtime: Promise<CompiledRuntime> | null = null;

export function compiledRuntime(commandLine: () => string[]): Promise<CompiledRuntime> {
  runtime ??= create(commandLine);
  return runtime;
}

async function create(commandLine: () => string[]): Promise<CompiledRuntime> {
  const lips = await lipsCore();
  bindLips(lips);
  useCompiledValues();
  useCompiledPorts({ out: () => parameterValue(currentOutputPort) as OutPort, in: () => parameterValue(currentInputPort) as InPort });
  useCompiledProcedures({
    current: () => S.dyn,
    lookup: (p, dyn) => {
      const proxy = proxies.get(p);
      return proxy === undefined ? { found: false, value: undefined } : bindingIn(dyn, proxy);
    },
  });
  bindPorts(lips);
  bindData(lips);
  const engine = new Engine();
  const global = globalsOf(engine);
  // The TypeScript prelude written for LIPS gives what the engine's library does not have yet
  // (alist-ref, string-search, pretty-print …); the library, installed after, replaces the rest.
  installBase(global);
  installStringsLists(global);
  installOutput(global);
  installLibrary(engine);
  const servers = installHttpServer(global);
  installHttpUtils(global, servers.config);
  installHttpClient(global);
  installHttpStatic(global);
  engine.define('%require-extensions', procedure('%require-extensions', (names: unknown) => {
    for (const n of listToArray(names) ?? []) {
      // CHICKEN 5 / R7RS module names, as `import` takes them: (chicken string), (srfi 1), (only (chicken base) …).
      if (n instanceof Pair) {
        const module = moduleName(n);
        if (module === null) throw schemeError(`cannot import ${writeString(n)}: scheme-http knows the modules (chicken …), (scheme …) and (srfi N), and only, except and rename of them`, [n], 'import');
        continue;
      }
      const name = isSymbol(n) ? symbolName(n) : stringValue(n) ?? String(n);
      if (!KNOWN_EXTENSIONS.has(name) && !/^(chicken|scheme)\.[a-z]/.test(name)) throw schemeError(`cannot load extension: ${name} (scheme-http provides ${[...KNOWN_EXTENSIONS].slice(0, 4).join(', ')} …)`, [n], 'require-extension');
    }
  }, [1, 2]));
  engine.define('command-line-arguments', procedure('command-line-arguments', () => arrayToList(commandLine().map(textToBytes)), [0, 1]));
  return {
    engine,
    servers,
    async evaluate(code: string, file: string | null = null, task: Task | null = null): Promise<unknown> {
      let v: unknown;
      for (const d of readAll(textToBytes(code))) {
        v = engine.evaluate(d.value, { file, lineOf: sourceLine }, task);
        if (v instanceof Promise) v = await v;
      }
      return v;
    },
    show: (v: unknown) => writeString(v),
  };
}
