/**
 * The package as a user installs it (issue 11): this checkout packed with `npm pack`, installed
 * with `npm install ./scheme-http-*.tgz` into an empty project, offline and with an empty npm
 * cache (so everything it needs is in the tarball), then used from there: the command, its REPL,
 * the TypeScript API from an ES module and from CommonJS (each serving on port 0 and fetching
 * from itself), the types under `import` and `require`, and the shipped example copied as it is.
 * The install must print no warning, run no install script and bring no cbor-extract (LIPS is
 * bundled: vendor/lips/, scripts/bundle-lips.mjs). The start-up snapshot of an installed package
 * is test/cli/startup.test.ts's subject: here it is off (SCHEME_HTTP_SNAPSHOT=0), so no
 * background build outlives the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitUntil } from '../support/client-fixtures.js';
import { ROOT, install, killRunning, pack, run, running, unpackable, userEnv, type RunResult } from '../support/package.js';

let tmp: string | null = null;
let app = '';
let env: NodeJS.ProcessEnv = {};
let tgz = '';
let installed: RunResult;

/** The command line as a user types it in the project, with the snapshot off (see the header). */
function npx(args: string[], input?: string): Promise<RunResult> {
  return run('npx', ['scheme-http', ...args], { cwd: app, env: { ...env, SCHEME_HTTP_SNAPSHOT: '0' }, input: input ?? '', timeout: 30_000 });
}

function write(name: string, text: string): string {
  const file = path.join(app, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Every directory under DIR named NAME (node_modules trees). */
function findNamed(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const p = path.join(dir, entry.name);
    if (entry.name === name) found.push(p);
    found.push(...findNamed(p, name));
  }
  return found;
}

beforeAll(async () => {
  const why = unpackable();
  if (why !== null) throw new Error(`cannot pack this checkout: ${why}`);
  tmp = await tempDir('package');
  env = userEnv(tmp);
  tgz = await pack(path.join(tmp, 'pack'), env);
  app = path.join(tmp, 'app');
  installed = await install(tgz, app, env);
}, 110_000);

afterAll(async () => {
  killRunning();
  await removeDir(tmp);
});

describe('npm install ./scheme-http-*.tgz', () => {
  it('installs from the tarball alone, printing no warning and running no install script', () => {
    const log = installed.stdout + installed.stderr;
    expect(installed.status, log).toBe(0);
    expect(log).toMatch(/added 1 package/);
    expect(log).not.toMatch(/install-scripts/);
    expect(log).not.toMatch(/npm warn/i);
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'scheme-http', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const lifecycle = Object.keys(pkg.scripts ?? {}).filter((s) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(s));
    expect(lifecycle).toEqual([]);
  });

  it('brings LIPS bundled, with its licenses, and no cbor-extract', async () => {
    const ls = await run('npm', ['ls', '--all'], { cwd: app, env, timeout: 30_000 });
    expect(ls.status, ls.stdout + ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/scheme-http@0\.1\.0/);
    expect(ls.stdout).toMatch(/lips@1\.0\.0-beta\.23\.1/);
    expect(ls.stdout).not.toMatch(/cbor|UNMET|invalid/);
    const modules = path.join(app, 'node_modules');
    expect(findNamed(modules, 'cbor-extract')).toEqual([]);
    expect(findNamed(modules, 'cbor-x')).toEqual([]);
    const lips = path.join(modules, 'scheme-http', 'node_modules', 'lips');
    for (const f of ['LICENSE', 'THIRD-PARTY-LICENSES', 'src/lips.js', 'src/deps.js', 'dist/std.xcb']) expect(fs.existsSync(path.join(lips, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(lips, 'THIRD-PARTY-LICENSES'), 'utf8')).toMatch(/cbor-x@[\d.]+[\s\S]*lzjb-pack@[\d.]+[\s\S]*unfetch@[\d.]+/);
    expect(fs.existsSync(path.join(modules, 'scheme-http', 'LICENSE'))).toBe(true);
    // The checkout's stand-in for cbor-extract is not shipped.
    expect(fs.existsSync(path.join(modules, 'scheme-http', 'vendor'))).toBe(false);
  });
});

// Independent children: run side by side.
describe.concurrent('the installed command', () => {
  it("npx scheme-http -e '(display (+ 1 2))' prints 3", async () => {
    const r = await npx(['-e', '(display (+ 1 2))']);
    expect([r.stdout, r.status], r.stderr).toEqual(['3', 0]);
  });

  it('answers a form piped to its REPL', async () => {
    const r = await npx([], '(define x 41)\n(+ x 1)\n');
    expect([r.stdout, r.status], r.stderr).toEqual(['42\n', 0]);
  });
});

describe('the installed TypeScript API', () => {
  /** A script (ESM or CommonJS) that serves on port 0 with the API, fetches from itself and stops. */
  const serveAndFetch = (load: string, resolve: string, body: string, outer: (code: string) => string): string => `${load}
${outer(`
  const server = createServer({ port: 0, host: '127.0.0.1' });
  server.addResource('/hello', (_request, _args, ex) => {
    ex.write('Content-type: text/plain\\r\\n\\r\\n${body}');
  });
  await server.start();
  try {
    const got = await get('http://127.0.0.1:' + server.port + '/hello');
    console.log(JSON.stringify({ got, from: ${resolve} }));
  } finally {
    await server.stop();
  }
`)}
`;

  async function runScript(name: string, text: string): Promise<{ got: string; from: string }> {
    const file = write(name, text);
    const r = await run(process.execPath, [file], { cwd: app, env, timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { got: string; from: string };
  }

  const entry = (): string => fs.realpathSync(path.join(app, 'node_modules', 'scheme-http', 'dist', 'http', 'index.js'));

  it('serves and fetches from an ES module (import)', async () => {
    const out = await runScript('esm.mjs', serveAndFetch(
      "import { createServer, get } from 'scheme-http';", "import.meta.resolve('scheme-http')", 'hello from esm', (c) => c,
    ));
    expect(out.got).toBe('hello from esm');
    expect(out.from).toBe(pathToFileURL(entry()).href);
  });

  it('serves and fetches from CommonJS (require)', async () => {
    const out = await runScript('cjs.cjs', serveAndFetch(
      "const { createServer, get } = require('scheme-http');", "require.resolve('scheme-http')", 'hello from cjs',
      (c) => `(async () => {${c}})().catch((e) => { console.error(e); process.exit(1); });`,
    ));
    expect(out.got).toBe('hello from cjs');
    expect(out.from).toBe(entry());
  });

  it('has types for import and for require, complete without skipLibCheck', async () => {
    write('typed-esm.mts', `import { createServer, get, HttpClientError, type ServerOptions } from 'scheme-http';
const options: ServerOptions = { port: 0, host: '127.0.0.1' };
const port: number = createServer(options).port;
const body: Promise<string> = get('http://127.0.0.1/');
export { port, body, HttpClientError };
`);
    write('typed-cjs.cts', `import scheme = require('scheme-http');
const server: scheme.Server = scheme.createServer({ port: 0, host: '127.0.0.1' });
export const port: number = server.port;
`);
    // The check is real: a wrong use is reported, with the API's own types.
    write('wrong.mts', `import { createServer } from 'scheme-http';
export const port: string = createServer({ port: 0 }).port;
`);
    fs.copyFileSync(path.join(app, 'node_modules', 'scheme-http', 'examples', 'hello-server.ts'), path.join(app, 'hello-server.ts'));
    write('tsconfig.json', JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
        // Node's types from this checkout (the app installs nothing else).
        typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'],
      },
      files: ['typed-esm.mts', 'typed-cjs.cts', 'wrong.mts', 'hello-server.ts'],
    }));
    const r = await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, env, timeout: 60_000 });
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors, r.stdout + r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong\.mts\(2,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
  }, 60_000);

  it('runs the shipped example copied into the project as it is', async () => {
    const example = path.join(app, 'node_modules', 'scheme-http', 'examples', 'hello-server.ts');
    expect(fs.readFileSync(example, 'utf8')).toMatch(/from 'scheme-http'/);
    const copy = path.join(app, 'example.ts');
    fs.copyFileSync(example, copy);
    // node itself with tsx's loader (this checkout's): the server is this child, not a grandchild.
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', tsx, copy], {
      cwd: app, env: { ...env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    running.add(child.pid!);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { running.delete(child.pid!); resolve(code); }));
    await waitUntil(() => /listening on port \d+/.test(stderr), 20_000, `the example to listen (stderr: ${stderr})`);
    const port = Number(/listening on port (\d+)/.exec(stderr)![1]);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1>Hello, world!</h1>\n');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);
});
