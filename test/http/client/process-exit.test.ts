/**
 * The client never keeps a program alive by itself: an idle pooled connection is unref'd, and a
 * failed http:send-request closes the connection it opened. Each case runs in a child Node
 * process (via tsx) that must exit on its own, promptly, while the server keeps its side open.
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../../src/http/index.js';
import { startServer } from '../../support/net.js';
import { ScriptedServer, removeDir, stopChild, tempDir } from '../../support/client-fixtures.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');
const INDEX = pathToFileURL(path.join(ROOT, 'src/http/index.ts')).href;

let dir: string | null = null;
let script = '';
let server: Server | null = null;
let silent: ScriptedServer | null = null;

beforeAll(async () => {
  dir = await tempDir('exit');
  script = path.join(dir, 'probe.mts');
  await fsp.writeFile(script, `
import { get, sendRequest, HttpClientError } from ${JSON.stringify(INDEX)};
const [mode, url] = process.argv.slice(2);
if (mode === 'pooled') {
  console.log(await get(url));
} else {
  try {
    await sendRequest(url, null, { timeout: 200 });
    console.log('answered?');
  } catch (e) {
    console.log(e instanceof HttpClientError ? e.code : String(e));
  }
}
`);
  server = await startServer((c) => { c.addResource('/', (_r, _a, ex) => { ex.send(200, {}, 'pooled body'); }); });
  silent = await ScriptedServer.start(() => undefined);
});

afterAll(async () => {
  await silent?.close();
  await server?.stop({ timeout: 1000 });
  await removeDir(dir);
});

let children: Array<ReturnType<typeof spawn>> = [];
afterEach(async () => {
  for (const c of children) await stopChild(c);
  children = [];
});

/** Runs the probe; resolves with its stdout and how long it took to exit, or 'hung' after MS. */
function runProbe(mode: string, url: string, ms = 6000): Promise<{ out: string; exited: boolean; took: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ out: out + err, exited: false, took: Date.now() - t0 }), ms);
    child.once('exit', () => { clearTimeout(timer); resolve({ out: out + err, exited: true, took: Date.now() - t0 }); });
  });
}

describe('the client does not hold the process open', () => {
  it('after get() leaves a keep-alive connection in the pool', async () => {
    const r = await runProbe('pooled', `http://127.0.0.1:${server!.port}/`);
    expect(r.out.trim()).toBe('pooled body');
    expect(r.exited).toBe(true);
    // The server's idle timeout is 60 s: exiting at all means the pooled socket did not hold it.
    expect(r.took).toBeLessThan(6000);
  });

  it('after sendRequest timed out on a server that never answers', async () => {
    const r = await runProbe('silent', `http://127.0.0.1:${silent!.port}/`);
    expect(r.out.trim()).toBe('timeout');
    expect(r.exited).toBe(true);
  });
});
