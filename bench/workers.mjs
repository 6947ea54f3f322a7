#!/usr/bin/env node
/**
 * Workers benchmark: requests/s of the seed's hello server (examples/hello-server.scm through
 * `scheme-http --workers N`) and of the TypeScript hello server (createServer({ workers: N })),
 * with 1 and 2 workers, and with 2 workers under both node:cluster scheduling policies (rr: the
 * primary accepts and hands connections round-robin; none: the workers accept on the shared
 * socket). wrk -t1 -c64 against 127.0.0.1, ROUNDS interleaved rounds, the median printed.
 * Every server is stopped by its PID (SIGTERM, then SIGKILL). See bench/README.md, "Workers".
 *
 *   node bench/workers.mjs              # DURATION=5 ROUNDS=3
 *   DURATION=3 ROUNDS=1 node bench/workers.mjs
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURATION ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TS_PORT = Number(process.env.BASE_PORT ?? 18531);
const SCM_PORT = 4242; // the seed's program names its port

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-bench-workers-'));
const tsApp = path.join(dir, 'hello.mts');
fs.writeFileSync(tsApp, `
import { createServer } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/http/index.ts')).href)};
const server = createServer({ port: ${TS_PORT}, host: '127.0.0.1', workers: Number(process.env.WORKERS) });
server.addResource(['/', '/index.html'], (_r, _a, ex) => {
  const msg = '<h1>Hello, world!</h1>';
  ex.write('Content-type: text/html\\r\\nContent-length: ' + (msg.length + 1) + '\\r\\n\\r\\n' + msg + '\\n');
});
await server.start();
`);

const targets = [];
for (const [lang, port] of [['scm', SCM_PORT], ['ts', TS_PORT]]) {
  for (const [workers, policy] of [[1, 'rr'], [2, 'rr'], [2, 'none']]) {
    const args = lang === 'scm'
      ? ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...(workers > 1 ? ['--workers', String(workers)] : []), path.join(ROOT, 'examples/hello-server.scm')]
      : ['--import', 'tsx', tsApp];
    targets.push({ name: `${lang} workers=${workers}${workers > 1 ? ` ${policy}` : ''}`, port, args, env: { WORKERS: String(workers), NODE_CLUSTER_SCHED_POLICY: policy }, results: [] });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const answers = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

async function start(t) {
  // Detached: its own process group, so the workers are stopped with it whatever happens.
  const child = spawn(process.execPath, t.args, { cwd: ROOT, stdio: 'ignore', detached: true, env: { ...process.env, ...t.env } });
  const deadline = Date.now() + 60_000;
  while (!(await answers(t.port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${t.name} did not listen`);
    await sleep(200);
  }
  await sleep(t.env.WORKERS === '1' ? 200 : 3000); // every worker up, not only the first
  return child;
}

async function stop(child) {
  const gone = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 8000);
  await gone;
  await sleep(500);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* all gone */ }
  clearTimeout(t);
}

function wrk(port) {
  const out = execFileSync('wrk', ['-t1', '-c64', `-d${DURATION}s`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const errors = /Socket errors|Non-2xx/.test(out);
  return { rps, errors };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const child = await start(t);
      try {
        const r = wrk(t.port);
        t.results.push(r.rps);
        process.stderr.write(`round ${round}: ${t.name}: ${r.rps.toFixed(0)} req/s${r.errors ? ' (errors!)' : ''}\n`);
      } finally {
        await stop(child);
      }
    }
  }
  console.log(`cores: ${os.availableParallelism()}, wrk -t1 -c64 -d${DURATION}s, median of ${ROUNDS}`);
  for (const t of targets) console.log(`${t.name.padEnd(22)} ${median(t.results).toFixed(0).padStart(8)} req/s   (${t.results.map((x) => x.toFixed(0)).join(', ')})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
