/**
 * `createServer({ workers: 2 })` over real processes and sockets on 127.0.0.1: the primary forks
 * two workers running the same TypeScript program, requests are spread over them (each answers
 * its process id), and SIGTERM lets a slow request in flight finish before the workers and then
 * the primary exit (no worker left, checked by PID). The Supervisor under it, with tiny worker
 * scripts: it gives up on workers that keep failing at start-up, backing off between tries,
 * and ends quietly when every worker's program ends by itself.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../../support/client-fixtures.js';
import { alive } from '../../support/processes.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const INDEX = pathToFileURL(path.join(ROOT, 'src', 'http', 'index.ts')).href;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-ts-workers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const TIMEOUT = 90_000;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const children: Array<{ child: ChildProcessWithoutNullStreams; pids: () => number[] }> = [];
afterEach(() => {
  for (const { child, pids } of children.splice(0)) {
    for (const pid of [child.pid, ...pids()]) if (pid !== undefined && alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

/** Runs `node --import tsx FILE`; collects stdout and stderr. */
function run(file: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out.stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out.stderr += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let pids: number[] = [];
  children.push({ child, pids: () => pids });
  return { child, out, exited, setPids: (p: number[]) => { pids = p; } };
}

function get(port: number, urlPath: string, ms = 10_000): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve([res.statusCode ?? 0, body]));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath}: no answer in ${ms} ms`)));
    req.on('error', reject);
  });
}

const APP = `
import { createServer, PrimaryServer } from ${JSON.stringify(INDEX)};
const server = createServer({ port: 0, host: '127.0.0.1', workers: 2, drainTimeout: 3000 });
server.addResource('/', (_r, _a, ex) => { ex.write('Content-type: text/plain\\r\\n\\r\\n' + process.pid); });
server.addResource('/slow', async (_r, _a, ex) => {
  await new Promise((r) => setTimeout(r, 1000));
  ex.write('Content-type: text/plain\\r\\n\\r\\nslow ' + process.pid);
});
await server.start();
if (server instanceof PrimaryServer) process.stdout.write(JSON.stringify({ port: server.port, pids: server.workerPids }) + '\\n');
`;

describe('createServer({ workers })', () => {
  it('serves from two worker processes, and SIGTERM drains them before all exit', async () => {
    const app = run(write('app.mts', APP));
    await waitUntil(() => app.out.stdout.includes('\n') || app.child.exitCode !== null, 60_000, `the primary to start; stderr: ${app.out.stderr}`);
    const { port, pids } = JSON.parse(app.out.stdout) as { port: number; pids: number[] };
    app.setPids(pids);
    expect(pids).toHaveLength(2);
    const answered: number[] = [];
    for (let i = 0; i < 8; i++) answered.push(Number((await get(port, '/'))[1]));
    expect(new Set(answered)).toEqual(new Set(pids));

    const slow = get(port, '/slow');
    await sleep(300);
    app.child.kill('SIGTERM');
    const [status, body] = await slow;
    expect(status).toBe(200);
    expect(body).toMatch(/^slow \d+$/);
    const exit = await app.exited;
    // The primary drained, then died of the signal as it would have without workers.
    expect(exit.signal).toBe('SIGTERM');
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(app.out.stderr).toBe('');
  }, TIMEOUT);
});

describe('Supervisor', () => {
  const supervise = (status: number) => write(`primary-${status}.mts`, `
import { Supervisor } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src', 'http', 'server', 'workers.ts')).href)};
const s = new Supervisor({ count: 2, exec: ${JSON.stringify(write(`worker-${status}.mjs`, `process.exit(${status});\n`))}, args: [], execArgv: [] }).start();
const started = Date.now();
const end = await s.ended;
process.stdout.write(JSON.stringify({ ...end, ms: Date.now() - started }));
`);

  it('gives up on workers that keep failing at start-up, after backing off, with their status', async () => {
    const p = run(supervise(70));
    expect((await p.exited).code).toBe(0);
    const end = JSON.parse(p.out.stdout) as { kind: string; status: number; message: string; ms: number };
    expect(end.kind).toBe('gave-up');
    expect(end.status).toBe(70);
    expect(end.message).toMatch(/^scheme-http: worker [12] \(pid \d+\) exited with status 70: it failed 3 times in a row at start-up; giving up/);
    // Each slot was started again twice, after 100 then 200 ms, and not more.
    for (const slot of [1, 2]) {
      expect(p.out.stderr).toMatch(new RegExp(`worker ${slot} \\(pid \\d+\\) exited with status 70; starting it again in 100 ms`));
      expect(p.out.stderr).toMatch(new RegExp(`worker ${slot} \\(pid \\d+\\) exited with status 70; starting it again in 200 ms`));
    }
    expect(p.out.stderr.match(/starting it again/g)?.length).toBeLessThanOrEqual(4);
    expect(end.ms).toBeGreaterThanOrEqual(300);
  }, TIMEOUT);

  it('ends, starting nothing again, when every worker\'s program ends by itself', async () => {
    const p = run(supervise(0));
    expect((await p.exited).code).toBe(0);
    expect(JSON.parse(p.out.stdout)).toMatchObject({ kind: 'finished' });
    expect(p.out.stderr).toBe('');
  }, TIMEOUT);
});
