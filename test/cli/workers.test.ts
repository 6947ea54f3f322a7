/**
 * `scheme-http --workers N`, with real processes and real sockets on 127.0.0.1: requests are
 * spread over the workers (each answers with its process id), SIGTERM lets a slow request in
 * flight finish before every process exits, no worker outlives the primary (checked by PID in
 * /proc), a worker that crashes is started again, and a primary killed outright still leaves no
 * worker behind. Giving up on workers that fail at start-up is proved on the Supervisor with
 * tiny worker scripts (test/http/server/workers.test.ts): here each start loads the engine.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT } from './child.js';
import { sleep, waitUntil } from '../support/client-fixtures.js';
import { alive } from '../support/processes.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-workers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Start-up of a worker through tsx on a loaded 2-core machine can take seconds. */
const START_MS = 30_000;
const TIMEOUT = 90_000;

/** Each worker answers / with its process id, /slow after a second, /crash by exiting with 3. */
const PROGRAM = String.raw`
(http:add-resource "/" (lambda (r a) (print "Content-type: text/plain\r\n\r\n" (current-process-id))))
(http:add-resource "/slow" (lambda (r a) (thread-sleep! 1) (print "Content-type: text/plain\r\n\r\nslow " (current-process-id))))
(http:add-resource "/crash" (lambda (r a) (exit 3)))
((http:make-server 0 #f #f #f #f "127.0.0.1") #t)
`;

let n = 0;
function program(source: string): string {
  const file = path.join(dir, `w${++n}.scm`);
  fs.writeFileSync(file, source);
  return file;
}

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)\/ \(worker (\d+), pid (\d+)\)$/gm;

/** A `scheme-http --workers N FILE` primary, with what it wrote to stderr. */
class Primary {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.child.stdout.resume();
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    started.push(this);
  }

  /** slot → pid, from the workers' listening lines (a restarted slot: its latest pid). */
  workers(): Map<number, number> {
    const m = new Map<number, number>();
    for (const x of this.stderr.matchAll(LISTENING)) m.set(Number(x[2]), Number(x[3]));
    return m;
  }

  get port(): number {
    return Number([...this.stderr.matchAll(LISTENING)][0]?.[1] ?? 0);
  }

  /** Waits until COUNT distinct workers have said they listen. */
  async listening(count: number): Promise<void> {
    await waitUntil(() => this.workers().size >= count || this.child.exitCode !== null, START_MS, `${count} workers listening; stderr: ${this.stderr}`);
    expect(this.workers().size, this.stderr).toBe(count);
  }

  /** Every pid this primary's workers have had. */
  allPids(): number[] {
    return [...this.stderr.matchAll(LISTENING)].map((x) => Number(x[3]));
  }

  kill(): void {
    for (const pid of [this.child.pid, ...this.allPids()]) {
      if (pid !== undefined && alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

const started: Primary[] = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill();
});

/** GET PATH on a new connection; resolves to [status, body]. */
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

describe('scheme-http --workers', () => {
  // One primary for spreading, restarting and draining: every worker start costs seconds here.
  it('spreads requests over both workers, starts a crashed one again, and on SIGTERM lets a request in flight finish before all exit', async () => {
    const p = new Primary(['--workers', '2', program(PROGRAM)]);
    await p.listening(2);
    const pids = [...p.workers().values()];
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(p.child.pid);

    const answered: number[] = [];
    for (let i = 0; i < 8; i++) {
      const [status, body] = await get(p.port, '/');
      expect(status).toBe(200);
      answered.push(Number(body.trim()));
    }
    // Round-robin in the primary: each worker gets its share.
    for (const pid of pids) expect(answered.filter((x) => x === pid).length).toBeGreaterThanOrEqual(2);
    expect(answered.every((x) => pids.includes(x))).toBe(true);

    // A crash: the worker is started again in its slot, and both serve.
    await expect(get(p.port, '/crash')).rejects.toThrow();
    await waitUntil(() => p.allPids().length >= 3, START_MS, `a worker started again; stderr: ${p.stderr}`);
    expect(p.stderr).toMatch(/scheme-http: worker \d \(pid \d+\) exited with status 3; starting it again in \d+ ms/);
    const after = [...p.workers().values()];
    expect(after.filter((pid) => !pids.includes(pid))).toHaveLength(1);
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) seen.add(Number((await get(p.port, '/'))[1].trim()));
    expect([...seen].sort()).toEqual([...after].sort());

    // SIGTERM: the slow request in flight is answered, then every process exits.
    const slow = get(p.port, '/slow');
    await sleep(300);
    p.child.kill('SIGTERM');
    const [status, body] = await slow;
    expect(status).toBe(200);
    expect(body).toMatch(/^slow \d+\n$/);
    const exit = await p.exited;
    expect(exit.code).toBe(143);
    // No worker outlives the primary.
    for (const pid of p.allPids()) expect(alive(pid), `worker ${pid}`).toBe(false);
    await expect(get(p.port, '/', 2000)).rejects.toThrow();
  }, TIMEOUT);

  it('leaves no worker behind when the primary is killed outright (they finish in flight, then exit)', async () => {
    const p = new Primary(['--workers', '2', program(PROGRAM)]);
    await p.listening(2);
    const pids = [...p.workers().values()];
    const slow = get(p.port, '/slow');
    await sleep(300);
    p.child.kill('SIGKILL');
    await p.exited;
    // The request in flight still gets its answer from its worker.
    expect((await slow)[0]).toBe(200);
    await waitUntil(() => pids.every((pid) => !alive(pid)), 10_000, 'the workers to exit');
  }, TIMEOUT);

  it('says once that a program file cannot be read, with status 2', async () => {
    const missing = path.join(dir, 'missing.scm');
    const p = new Primary(['--workers', '2', missing]);
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.stderr).toBe(`scheme-http: cannot read ${missing}: no such file\n`);
  }, TIMEOUT);
});
