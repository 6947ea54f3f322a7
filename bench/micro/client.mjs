/**
 * Micro-benchmark of HTTP clients (issue 10): our client's `request()` against undici.request,
 * node:http with a keep-alive Agent, and fetch, each doing N GETs over keep-alive connections,
 * sequentially (1 in flight) and with 50 in flight, against
 *   - `raw`: a node:net server in its own process that answers every request head it sees with
 *     the same canned keep-alive response (no HTTP parsing, so no server cost differences), and
 *   - `nginx` (when installed): a static `return 200` from one nginx process in a temp dir.
 *
 * Every measurement runs in a fresh child process (clean JIT and heap, and process.cpuUsage()
 * counts the client alone): warm-up requests first, then N measured ones. Implementations are
 * interleaved round by round, and medians are quoted, both of wall time and of the client
 * process's CPU time (the machine is shared: CPU time is the steadier figure).
 *
 * Our client is bundled from src/ with esbuild into a temp dir first (close to tsc's output;
 * tsx's loader adds a cost per call), or taken from dist/ with FROM=dist.
 *
 * Run:  node bench/micro/client.mjs [--requests N] [--rounds N] [--targets raw,nginx]
 *                                   [--impls ours,undici,http,fetch] [--modes seq,50]
 *       node bench/micro/client.mjs --mixed [--batch 1000] ...
 *           all clients in one process, taking turns batch by batch, medians over the batches:
 *           steadier than separate runs on a loaded machine (a burst of load hits every client)
 *       node bench/micro/client.mjs --baseline DIR ...
 *           adds "scheme-http (baseline)": the client of DIR/src (another copy of the project,
 *           e.g. `git archive HEAD src | tar -x -C DIR`), to measure a change against it
 *       node bench/micro/client.mjs --profile [--modes seq] [--targets raw]
 *           runs our client under `node --cpu-prof` and prints the functions with the most
 *           self time (the .cpuprofile files stay in the temp dir it names).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BODY = '<h1>Hello, world!</h1>\n';
const IMPL_NAMES = { ours: 'scheme-http request()', baseline: 'scheme-http request() (baseline)', undici: 'undici.request', http: 'node:http Agent', fetch: 'fetch' };

// ---------------------------------------------------------------------------------------------
// Child: one client, one target, one mode; prints {wall, cpu} as JSON on stdout.

/** COUNT GETs of URL by ONCE, CONCURRENCY at a time: wall and CPU ms, and the body bytes read. */
async function measure(once, url, count, concurrency) {
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      // Not `bytes += await …`: that reads `bytes` before the await and loses the other workers' counts.
      const n = await once(url);
      bytes += n;
    }
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, bytes };
}

/** A client that fails fast or reads nothing must not look quick. */
function checkBytes(impl, r, count) {
  if (r.bytes !== count * BODY.length) throw new Error(`${impl}: read ${r.bytes} body bytes, expected ${count * BODY.length}`);
}

async function child(impl, url, total, warmup, concurrency) {
  const once = await clientFor(impl);
  await measure(once, url, warmup, concurrency);
  const r = await measure(once, url, total, concurrency);
  checkBytes(impl, r, total);
  process.stdout.write(JSON.stringify({ wall: r.wall, cpu: r.cpu }) + '\n');
  await closeClient();
}

/**
 * --mixed: every client in one process, taking turns batch by batch (the order rotated each
 * time), so a burst of load from elsewhere on the machine falls on all of them alike.
 */
async function mixedChild(impls, url, batches, batchSize, warmup, concurrency) {
  const clients = [];
  for (const impl of impls) clients.push([impl, await clientFor(impl)]);
  for (const [, once] of clients) await measure(once, url, warmup, concurrency);
  const out = Object.fromEntries(impls.map((i) => [i, []]));
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < clients.length; k++) {
      const [impl, once] = clients[(b + k) % clients.length];
      const r = await measure(once, url, batchSize, concurrency);
      checkBytes(impl, r, batchSize);
      out[impl].push({ wall: r.wall, cpu: r.cpu });
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  await closeClient();
}

let closers = [];
async function closeClient() {
  for (const f of closers) await f();
}

/** A function doing one GET of URL and returning the body's length. */
async function clientFor(impl) {
  switch (impl) {
    case 'ours':
    case 'baseline': {
      const mod = await import(pathToFileURL(impl === 'ours' ? process.env.OURS_MODULE : process.env.BASELINE_MODULE).href);
      closers.push(() => mod.closeAllConnections());
      return async (url) => (await mod.request(url)).body.length;
    }
    case 'undici': {
      const undici = await import('undici');
      const agent = new undici.Agent();
      closers.push(() => agent.close());
      return async (url) => {
        const res = await undici.request(url, { dispatcher: agent });
        return (await res.body.arrayBuffer()).byteLength;
      };
    }
    case 'http': {
      const http = await import('node:http');
      const agent = new http.Agent({ keepAlive: true });
      closers.push(() => agent.destroy());
      return (url) => new Promise((resolve, reject) => {
        http.get(url, { agent }, (res) => {
          let n = 0;
          res.on('data', (b) => { n += b.length; });
          res.on('end', () => resolve(n));
          res.on('error', reject);
        }).on('error', reject);
      });
    }
    case 'fetch':
      return async (url) => (await (await fetch(url)).arrayBuffer()).byteLength;
    default:
      throw new Error(`unknown client ${impl}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw server (its own process): a canned keep-alive answer for every "\r\n\r\n" seen.

function rawServer() {
  const response = Buffer.from('HTTP/1.1 200 OK\r\nServer: raw\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\n'
    + `Content-Type: text/html\r\nContent-Length: ${BODY.length}\r\nConnection: keep-alive\r\n\r\n${BODY}`);
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let state = 0; // how much of CR LF CR LF has been matched, across chunks
    socket.on('data', (chunk) => {
      let answers = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === (state % 2 === 0 ? 13 : 10)) state++;
        else state = c === 13 ? 1 : 0;
        if (state === 4) { answers++; state = 0; }
      }
      if (answers === 1) socket.write(response);
      else if (answers > 1) socket.write(Buffer.concat(Array(answers).fill(response)));
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
  process.on('SIGTERM', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// Parent: servers, bundling, interleaved rounds, the table.

function parseArgs(argv) {
  const o = { mixed: false, batch: 1000, requests: 20000, warmup: 2000, rounds: 3, targets: ['raw', 'nginx'], impls: ['ours', 'undici', 'http', 'fetch'], modes: ['seq', '50'], profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--requests') o.requests = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--targets') o.targets = v().split(',');
    else if (a === '--impls') { o.impls = v().split(','); o.implsGiven = true; }
    else if (a === '--modes') o.modes = v().split(',');
    else if (a === '--profile') o.profile = true;
    else if (a === '--baseline') o.baseline = v();
    else if (a === '--mixed') o.mixed = true;
    else if (a === '--batch') o.batch = Number(v());
    else throw new Error(`unknown option ${a}`);
  }
  // A profile is of our client unless --impls says otherwise.
  if (o.profile && !o.implsGiven) o.impls = ['ours'];
  return o;
}

/** Runs a node child and resolves with its stdout; rejects on a non-zero exit. */
function runNode(args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`child ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

/** Starts a long-running child and resolves when its first stdout line (the port) comes. */
function startRaw(children) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--raw-server'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(p);
    let out = '';
    p.stdout.on('data', (b) => {
      out += b;
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(Number(out.slice(0, nl)));
    });
    p.on('exit', (code) => reject(new Error(`raw server exited ${code}`)));
  });
}

function findNginx() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startNginx(bin, dir, children) {
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  // One process, no master (killing its PID stops it), 127.0.0.1 only, everything in DIR;
  // keepalive_requests high so that connections are not closed every 1000 requests mid-run.
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    default_type text/html;
    location / { return 200 "${BODY.slice(0, -1)}\\n"; }
  }
}
`);
  const p = spawn(bin, ['-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`, '-g', 'daemon off;'], { stdio: 'ignore' });
  children.push(p);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return port;
    if (Date.now() > deadline || p.exitCode !== null) throw new Error(`nginx did not start (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Our client as one ES module: dist/ (FROM=dist) or src/ bundled with esbuild; with FROM, the
 * src/ of another copy of the project (the baseline).
 */
async function ourModule(tmp, from = ROOT, name = 'ours') {
  if (process.env.FROM === 'dist' && from === ROOT) return path.join(ROOT, 'dist/http/client/client.js');
  const esbuild = await import('esbuild');
  const out = path.join(tmp, `${name}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(from, 'src/http/client/client.ts')], bundle: true, platform: 'node',
    format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
  });
  return out;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function profile(o, targets, tmp, env) {
  for (const [target, url] of targets) {
    for (const mode of o.modes) {
      for (const impl of o.impls) {
        const dir = path.join(tmp, `prof-${impl}-${target}-${mode}`);
        await runNode(['--cpu-prof', '--cpu-prof-dir', dir, fileURLToPath(import.meta.url), '--child', impl, url,
          String(o.requests), String(o.warmup), mode === 'seq' ? '1' : mode], env);
        const file = path.join(dir, fs.readdirSync(dir)[0]);
        console.log(`\n## ${IMPL_NAMES[impl]}, ${target}, ${mode === 'seq' ? 'sequential' : `${mode} in flight`}: ${file}`);
        printProfile(JSON.parse(fs.readFileSync(file, 'utf8')), o.requests + o.warmup);
      }
    }
  }
}

/** Self time per function of a .cpuprofile, the top 25: share of the busy time, and µs per request of REQUESTS. */
function printProfile(prof, requests) {
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  for (const node of prof.nodes) {
    const t = dt.get(node.id) ?? 0;
    if (t === 0) continue;
    const f = node.callFrame;
    const file = f.url ? path.basename(f.url) : '';
    const key = `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const busy = total - (byFn.get('(idle) ') ?? 0);
  byFn.delete('(idle) ');
  console.log(`busy ${(busy / requests).toFixed(1)} µs per request (the whole process, start-up and warm-up included)`);
  const rows = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [k, t] of rows) console.log(`${(100 * t / busy).toFixed(1).padStart(5)} %  ${(t / requests).toFixed(2).padStart(6)} µs  ${k}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'client-bench-'));
  const children = [];
  const stop = () => { for (const p of children) if (p.exitCode === null) p.kill('SIGTERM'); };
  process.on('exit', stop);
  process.on('SIGINT', () => { stop(); process.exit(130); });
  try {
    const targets = [];
    if (o.targets.includes('raw')) targets.push(['raw', `http://127.0.0.1:${await startRaw(children)}/`]);
    if (o.targets.includes('nginx')) {
      const bin = findNginx();
      if (bin === null) console.error('nginx not found: its rows are skipped');
      else targets.push(['nginx', `http://127.0.0.1:${await startNginx(bin, tmp, children)}/`]);
    }
    const ours = await ourModule(tmp);
    const env = { OURS_MODULE: ours };
    if (o.baseline) {
      env.BASELINE_MODULE = await ourModule(tmp, path.resolve(o.baseline), 'baseline');
      if (!o.impls.includes('baseline')) o.impls.splice(1, 0, 'baseline');
    }
    if (o.profile) { await profile(o, targets, tmp, env); return; }
    const results = new Map();
    // Requests per measurement: a whole run, or one batch with --mixed.
    const perRun = o.mixed ? o.batch : o.requests;
    if (o.mixed) {
      for (const [target, url] of targets) {
        for (const mode of o.modes) {
          const batches = Math.max(1, Math.round(o.requests / o.batch));
          const out = JSON.parse((await runNode([fileURLToPath(import.meta.url), '--mixed-child', o.impls.join(','), url,
            String(batches), String(o.batch), String(o.warmup), mode === 'seq' ? '1' : mode], env)).trim().split('\n').pop());
          for (const impl of o.impls) results.set(`${target}|${mode}|${impl}`, out[impl]);
          console.error(`${target} ${mode}: done`);
        }
      }
    }
    for (let round = 0; !o.mixed && round < o.rounds; round++) {
      for (const [target, url] of targets) {
        for (const mode of o.modes) {
          for (const impl of o.impls) {
            const out = await runNode([fileURLToPath(import.meta.url), '--child', impl, url, String(o.requests), String(o.warmup), mode === 'seq' ? '1' : mode], env);
            const r = JSON.parse(out.trim().split('\n').pop());
            const key = `${target}|${mode}|${impl}`;
            if (!results.has(key)) results.set(key, []);
            results.get(key).push(r);
            console.error(`round ${round + 1} ${target} ${mode} ${impl}: ${fmt(o.requests / r.wall * 1000)} req/s wall, ${fmt(o.requests / r.cpu * 1000)} req/CPU-s`);
          }
        }
      }
    }
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
    const how = o.mixed ? `all clients in one process taking turns, ${Math.max(1, Math.round(o.requests / o.batch))} batches of ${o.batch} GETs each after ${o.warmup} warm-up; medians over the batches`
      : `${o.requests} GETs per run after ${o.warmup} warm-up, ${o.rounds} interleaved rounds (a process per run); medians`;
    console.log(`\n${how}; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${load}\n`);
    console.log('| target | in flight | client | req/s (wall) | × undici | req per CPU-s | × undici (CPU) | µs CPU per request |');
    console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [target] of targets) {
      for (const mode of o.modes) {
        const base = results.get(`${target}|${mode}|undici`);
        const baseWall = base ? perRun / median(base.map((r) => r.wall)) * 1000 : NaN;
        const baseCpu = base ? perRun / median(base.map((r) => r.cpu)) * 1000 : NaN;
        for (const impl of o.impls) {
          const rs = results.get(`${target}|${mode}|${impl}`);
          const wall = perRun / median(rs.map((r) => r.wall)) * 1000;
          const cpu = perRun / median(rs.map((r) => r.cpu)) * 1000;
          console.log(`| ${target} | ${mode === 'seq' ? 1 : mode} | ${IMPL_NAMES[impl]} | ${fmt(wall)} | ${(wall / baseWall).toFixed(2)} | ${fmt(cpu)} | ${(cpu / baseCpu).toFixed(2)} | ${(1e6 / cpu).toFixed(1)} |`);
        }
      }
    }
  } finally {
    stop();
    // A profile run keeps its .cpuprofile files (their paths are printed).
    if (!o.profile) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--mixed-child') {
  await mixedChild(argv[1].split(','), argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5]), Number(argv[6]));
} else if (argv[0] === '--child') {
  await child(argv[1], argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5]));
} else if (argv[0] === '--raw-server') {
  rawServer();
} else {
  await main();
}
