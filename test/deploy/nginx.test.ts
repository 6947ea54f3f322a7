/**
 * Behind nginx (issue 11), with real processes: nginx from the Debian package, run as an
 * ordinary process in a temporary prefix, in front of two scheme-http backends (a Scheme program
 * run by the command, `--workers 2` each, as docs/deployment.md advises for graceful restarts)
 * and a third one that trusts no proxy. It shows that
 *  1. requests alternate over both backends (each answers its name and worker PID);
 *  2. nginx keeps its connections to the backends alive: the backends accept far fewer
 *     connections (counted by their `http:accept-procedure`) than they answer requests;
 *  3. `http:request-ip` is the client's address only because 127.0.0.1 (nginx) is in
 *     `http:trusted-proxies`, and a client's forged X-Forwarded-For does not become it;
 *  4. one backend stopped with SIGTERM while clients send a steady stream of requests, some slow,
 *     loses none: no error, no 502, its slow requests in flight complete.
 * The client connects from 127.0.0.2, so that its address differs from the proxy's. Every
 * process is killed by its PID in afterAll; the file is bounded well under 90 s.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../cli/child.js';
import { findNginx, freePort, removeDir, sleep, stopChild, tempDir, waitForPort } from '../support/client-fixtures.js';

const NGINX = findNginx();
const CLIENT_ADDRESS = '127.0.0.2';
const SLOW_MS = 300;

/** The backend: its name, port and whether it trusts 127.0.0.1 come from the command line. */
const PROGRAM = String.raw`
(require-extension http-server)
(define args (command-line-arguments))
(define name (car args))
(define port (string->number (cadr args)))
(if (string=? (caddr args) "trust") (http:trusted-proxies '("127.0.0.1")))
;; Counts the connections this process accepts.
(define connections 0)
(define default-accept (http:accept-procedure))
(http:accept-procedure (lambda (l) (set! connections (+ connections 1)) (default-accept l)))
(define (answer r)
  (display "Content-type: text/plain\r\nCache-control: no-store\r\n\r\n")
  (display (conc name " " (current-process-id) " " connections " " (http:request-ip r) " "
                 (or (alist-ref "x-forwarded-for" (http:request-attributes r) equal?) "-"))))
(http:add-resource "/" (lambda (r a) (answer r)))
(http:add-resource "/slow" (lambda (r a) (thread-sleep! ${SLOW_MS / 1000}) (answer r)))
((http:make-server port "app" #f #f 511 "127.0.0.1"))
`;

function nginxConf(dir: string, port: number, a: number, b: number, c: number): string {
  const proxy = `
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            proxy_read_timeout 10s;`;
  return `
worker_processes 1;
events { worker_connections 256; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    upstream scheme_http {
        server 127.0.0.1:${a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:${b} max_fails=1 fail_timeout=10s;
        keepalive 16;
        keepalive_timeout 50s;
    }
    upstream untrusting {
        server 127.0.0.1:${c};
        keepalive 4;
    }
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://scheme_http;${proxy}
        }
        location /untrusting/ {
            proxy_pass http://untrusting/;${proxy}
        }
    }
}
`;
}

/** A started process: its PID is what the afterAll kills. */
interface Proc {
  child: ChildProcess;
  stderr: () => string;
}

function start(cmd: string, args: string[], cwd: string): Proc {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { if (err.length < 100_000) err += d.toString(); });
  child.on('error', (e) => { err += `\nspawn failed: ${e.message}`; });
  return { child, stderr: () => err };
}

/** One answer of a backend: `NAME PID CONNECTIONS IP XFF`. */
interface Answer {
  name: string;
  pid: number;
  connections: number;
  ip: string;
  xff: string;
}

function parseAnswer(body: string): Answer {
  const m = /^(\w+) (\d+) (\d+) (\S+) (.*)$/.exec(body);
  if (m === null) throw new Error(`not a backend's answer: ${JSON.stringify(body.slice(0, 300))}`);
  return { name: m[1]!, pid: Number(m[2]), connections: Number(m[3]), ip: m[4]!, xff: m[5]! };
}

/** GET PATH from nginx, from CLIENT_ADDRESS, over AGENT; rejects on any error or a non-200. */
function get(port: number, agent: http.Agent, urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent, localAddress: CLIENT_ADDRESS, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${urlPath}: status ${res.statusCode}: ${body.slice(0, 300)}`));
        else {
          try { resolve(parseAnswer(body)); } catch (e) { reject(e); }
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${urlPath}: no answer within 10 s`)));
    req.on('error', reject);
  });
}

/** The parent PID of PID, from /proc (a worker's parent is its backend's primary). */
function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function killPid(pid: number): void {
  try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
}

const nginxRuns = NGINX !== null && spawnSync(NGINX, ['-v']).status === 0;

describe.skipIf(!nginxRuns)('scheme-http behind nginx', () => {
  let dir: string | null = null;
  let nginx: Proc | null = null;
  let port = 0;
  const backends = new Map<string, Proc & { port: number }>();
  /** Every worker PID seen in an answer, killed too at the end. */
  const workerPids = new Set<number>();
  let agent: http.Agent;

  beforeAll(async () => {
    dir = await tempDir('nginx-deploy');
    await fsp.chmod(dir, 0o755);
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await fsp.mkdir(path.join(dir, 'tmp', t), { recursive: true, mode: 0o777 });
    const prog = path.join(dir, 'backend.scm');
    await fsp.writeFile(prog, PROGRAM);
    // As a user runs it: the command, here from the sources (node --import tsx src/cli.ts).
    const plan: Array<[string, string, string[]]> = [['A', 'trust', ['--workers', '2']], ['B', 'trust', ['--workers', '2']], ['C', 'none', []]];
    for (const [name, trust, options] of plan) {
      const p = await freePort();
      backends.set(name, { ...start(process.execPath, ['--import', 'tsx', CLI, ...options, prog, name, String(p), trust], ROOT), port: p });
    }
    // One deadline for all three: seven node processes start at once (18 s for one on a loaded 2-core machine).
    const deadline = Date.now() + 60_000;
    for (const b of backends.values()) await waitForPort(b.port, b.child, b.stderr, Math.max(1000, deadline - Date.now()));
    port = await freePort();
    const conf = path.join(dir, 'nginx.conf');
    await fsp.writeFile(conf, nginxConf(dir, port, backends.get('A')!.port, backends.get('B')!.port, backends.get('C')!.port));
    nginx = start(NGINX!, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'), '-g', `daemon off; pid ${dir}/nginx.pid;`], dir);
    await waitForPort(port, nginx.child, nginx.stderr, 10_000);
    agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }, 75_000);

  afterAll(async () => {
    agent?.destroy();
    if (nginx !== null) await stopChild(nginx.child, 2000);
    await Promise.all([...backends.values()].map((b) => stopChild(b.child, 2000)));
    for (const pid of workerPids) killPid(pid);
    await removeDir(dir);
  }, 20_000);

  const seen = (a: Answer): Answer => { workerPids.add(a.pid); return a; };

  it('spreads requests over both backends, and reuses its connections to them', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 40; i++) answers.push(seen(await get(port, agent, `/?n=${i}`)));
    // Round robin: A, B, A, B … (which comes first depends on what came before).
    const names = answers.map((a) => a.name);
    for (let i = 1; i < names.length; i++) expect(names[i], names.join(' ')).not.toBe(names[i - 1]);
    expect(new Set(names)).toEqual(new Set(['A', 'B']));
    // Each answer comes from a worker of its own backend.
    for (const a of answers) expect(parentOf(a.pid), `${a.name} ${a.pid}`).toBe(backends.get(a.name)!.child.pid);
    // Upstream keep-alive: connections accepted, summed over every worker, against 40 requests.
    const perWorker = new Map<number, number>();
    for (const a of answers) perWorker.set(a.pid, Math.max(perWorker.get(a.pid) ?? 0, a.connections));
    const connections = [...perWorker.values()].reduce((x, y) => x + y, 0);
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(connections, `connections per worker: ${JSON.stringify([...perWorker])}`).toBeLessThanOrEqual(6);
  }, 30_000);

  it('gives the handler the client\'s address through the trusted proxy, never a forged one', async () => {
    const plain = seen(await get(port, agent, '/'));
    expect(plain.ip).toBe(CLIENT_ADDRESS);
    expect(plain.xff).toBe(CLIENT_ADDRESS);
    // nginx appends the client's address to what the client sent; the rightmost untrusted one wins.
    for (const forged of ['6.6.6.6', '127.0.0.1', '6.6.6.6, 127.0.0.1', 'unknown', '[::1]:80']) {
      const a = seen(await get(port, agent, '/', { 'X-Forwarded-For': forged }));
      expect(a.xff, forged).toBe(`${forged}, ${CLIENT_ADDRESS}`);
      expect(a.ip, forged).toBe(CLIENT_ADDRESS);
    }
    // The backend that trusts no proxy sees nginx's address, whatever the header says.
    const c = await get(port, agent, '/untrusting/', { 'X-Forwarded-For': '6.6.6.6' });
    expect(c.name).toBe('C');
    expect(c.xff).toBe(`6.6.6.6, ${CLIENT_ADDRESS}`);
    expect(c.ip).toBe('127.0.0.1');
  }, 30_000);

  it('loses no request while one backend is stopped with SIGTERM', async () => {
    const a = backends.get('A')!;
    const aExit = new Promise<{ code: number | null; at: number }>((resolve) => a.child.once('exit', (code) => resolve({ code, at: Date.now() })));
    const results: Array<{ path: string; start: number; end: number; answer: Answer }> = [];
    const errors: string[] = [];
    let sigtermAt = Infinity;
    const t0 = Date.now();
    const RUN_MS = 3500;
    // Six clients, each alternating slow and quick requests, without pause.
    const client = async (k: number): Promise<void> => {
      for (let i = 0; Date.now() - t0 < RUN_MS; i++) {
        const p = (i + k) % 2 === 0 ? '/slow' : '/';
        const start = Date.now();
        try {
          results.push({ path: p, start, end: Date.now(), answer: seen(await get(port, agent, `${p}?k=${k}&i=${i}`)) });
          results[results.length - 1]!.end = Date.now();
        } catch (e) {
          errors.push(`${p} started at +${start - t0} ms: ${(e as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: 6 }, (_, k) => client(k));
    await sleep(1000);
    sigtermAt = Date.now();
    process.kill(a.child.pid!, 'SIGTERM');
    await Promise.all(clients);
    const exit = await Promise.race([aExit, sleep(8000).then(() => null)]);

    expect(errors).toEqual([]);
    expect(results.length).toBeGreaterThan(20);
    // A drained and exited as a SIGTERM'd command does (128 + 15), within its drain time.
    expect(exit, a.stderr()).not.toBeNull();
    expect(exit!.code).toBe(143);
    // Its slow requests in flight at the signal were answered by it.
    const inFlight = results.filter((r) => r.answer.name === 'A' && r.path === '/slow' && r.start < sigtermAt && r.end > sigtermAt);
    expect(inFlight.length, 'slow requests on A in flight at SIGTERM').toBeGreaterThan(0);
    // After A was gone, B answered everything; and B answered before too.
    const late = results.filter((r) => r.start > exit!.at);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((r) => r.answer.name !== 'B')).toEqual([]);
    expect(results.some((r) => r.answer.name === 'B' && r.start < sigtermAt)).toBe(true);
    // nginx itself saw no 502 to hand out: every answer above was a 200 from a backend.
    const log = await fsp.readFile(path.join(dir!, 'access.log'), 'utf8');
    expect(log).not.toMatch(/" 50[234] /);
  }, 40_000);
});
