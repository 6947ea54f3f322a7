#!/usr/bin/env node
// `npm run bench`: every performance figure of issue 10 in one command, ours beside the anchors
// in the same run, in interleaved rounds, with medians, spreads (min–max), ratios, the targets
// and whether they are met. Writes the table into bench/README.md (between the `table` markers),
// and the raw results into bench/results/. See bench/README.md, "One command for every figure".
//
//   npm run bench                             # all parts, 3 rounds, 5 s per wrk run (~15 min)
//   npm run bench -- --only client            # one part (server, close, client, idle, startup)
//   ROUNDS=1 DURATION=2 npm run bench -- --only server,close --no-write
//
// Parts: server  keep-alive hello, wrk: our TS and Scheme servers, node:http, raw net, nginx, Guile
//        close   `Connection: close` p99 latency, wrk --latency: TS, Scheme, node:http (and nginx)
//        client  20,000 GETs from our client, undici.request, node:http agent, fetch; 1 and 50 in flight
//        idle    RSS per idle keep-alive connection at 10,000 (bench/idle-connections.mjs)
//        startup `scheme-http -e '(display 1)'` against `node -e 0` (scripts/startup-time.mjs)
//
// What is measured is the shipped code: dist/ when it is at least as new as src/, else a private
// copy of the checkout built with tsc at the start (--tree to choose). Every process it starts
// runs in its own process group and is killed by that group's id at the end, on an error and on
// Ctrl-C. Servers listen on 127.0.0.1 only.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const BODY = '<h1>Hello, world!</h1>\n';
const SCM_PORT = 4242; // the seed's program names its own port
const PARTS = ['server', 'close', 'client', 'idle', 'startup'];
const CLIENT_NAMES = { 'scheme-http': 'scheme-http `request`', undici: 'undici.request', 'node:http': 'node:http agent', fetch: 'fetch' };

// --- options ---------------------------------------------------------------------------------

function envInt(name, dflt) {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) die(`${name} must be a positive integer, got '${v}'`);
  return Number(v);
}

function parseOptions(argv) {
  const o = {
    only: [...PARTS], rounds: envInt('ROUNDS', 3), duration: envInt('DURATION', 5), threads: envInt('THREADS', 1),
    connections: envInt('CONNECTIONS', 64), basePort: envInt('BASE_PORT', 19131), requests: envInt('REQUESTS', 20_000),
    clientSeconds: envInt('CLIENT_SECONDS', 8), inflight: 50, idleConnections: 10_000, startupRuns: 10,
    tree: 'auto', write: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i] ?? die(`${a} needs a value`);
    const int = () => {
      const v = val();
      if (!/^\d+$/.test(v) || Number(v) < 1) die(`${a} needs a positive integer, got '${v}'`);
      return Number(v);
    };
    if (a === '--only') {
      o.only = val().split(',').map((s) => (s === 'keepalive' ? 'server' : s));
      for (const p of o.only) if (!PARTS.includes(p)) die(`--only: unknown part '${p}' (parts: ${PARTS.join(', ')})`);
    } else if (a === '--rounds') o.rounds = int();
    else if (a === '--duration') o.duration = int();
    else if (a === '--threads') o.threads = int();
    else if (a === '--connections') o.connections = int();
    else if (a === '--base-port') o.basePort = int();
    else if (a === '--requests') o.requests = int();
    else if (a === '--client-seconds') o.clientSeconds = int();
    else if (a === '--inflight') o.inflight = int();
    else if (a === '--idle-connections') o.idleConnections = int();
    else if (a === '--startup-runs') o.startupRuns = int();
    else if (a === '--tree') {
      o.tree = val();
      if (!['auto', 'checkout', 'copy'].includes(o.tree)) die(`--tree is auto, checkout or copy, got '${o.tree}'`);
    } else if (a === '--write') o.write = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0].replace(/^#!.*\n/, '').replace(/^\/\/ ?/gm, ''));
      process.exit(0);
    } else die(`unknown option ${a} (see npm run bench -- --help)`);
  }
  // A partial run would replace the whole table with a part of it: written only when asked.
  o.write ??= o.only.length === PARTS.length;
  return o;
}

// --- processes: each in its own group, killed by the group's id ------------------------------

const live = new Set();
let workDir = null;
let treeDir = null;

function killGroup(child, sig) {
  try { process.kill(-child.pid, sig); } catch { /* gone already */ }
}

/** Starts CMD ARGS detached (own process group), output to LOG (or discarded). */
function startProcess(cmd, args, { cwd, env = {}, log = null, stderr = 'log' }) {
  const out = log === null ? 'ignore' : fs.openSync(log, 'a');
  const err = stderr === 'ignore' ? 'ignore' : out;
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, err], detached: true });
  if (typeof out === 'number') fs.closeSync(out);
  live.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => { live.delete(child); resolve(code ?? signal); }));
  child.once('error', () => live.delete(child));
  return child;
}

/** SIGTERM to the group, SIGKILL after 3 s if it is still there. */
async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) { killGroup(child, 'SIGKILL'); return; }
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
  await child.exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL'); // whatever it left behind in its group
}

/** Runs CMD ARGS to the end (killed after TIMEOUT ms); its stdout and stderr, and how it ended. */
function runProcess(cmd, args, { cwd = treeDir ?? CHECKOUT, env = {}, timeoutMs, echoStderr = false }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; if (echoStderr) process.stderr.write(d); });
    const timer = setTimeout(() => { timedOut = true; killGroup(child, 'SIGKILL'); }, timeoutMs);
    const done = (code) => { clearTimeout(timer); live.delete(child); killGroup(child, 'SIGKILL'); resolve({ code, stdout, stderr, timedOut }); };
    child.once('error', (e) => { stderr += String(e); done(-1); });
    child.once('close', (code, signal) => done(code ?? signal));
  });
}

function cleanupSync() {
  for (const c of live) killGroup(c, 'SIGKILL');
  live.clear();
  for (const d of [workDir, treeDir !== CHECKOUT ? treeDir : null]) {
    if (d !== null) fs.rmSync(d, { recursive: true, force: true });
  }
}
process.on('exit', cleanupSync);
process.on('SIGINT', () => { log('interrupted: stopping every process started'); process.exit(130); });
process.on('SIGTERM', () => process.exit(143));

// --- small helpers ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function log(msg) { process.stderr.write(`[bench] ${msg}\n`); }
function die(msg) { process.stderr.write(`[bench] error: ${msg}\n`); process.exit(2); }

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const fix = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

/** One GET on a fresh connection: status, headers and body (latin1), or an error. */
function httpGet(port, headers = {}) {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/', agent: false, headers, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (e) => resolve({ error: e.message }));
  });
}

/** Whether the server closes the connection after answering a `Connection: close` request. */
function closesAfterAnswer(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, HOST);
    let data = '';
    const timer = setTimeout(() => { s.destroy(); resolve(false); }, 3000);
    s.on('connect', () => s.write(`GET / HTTP/1.1\r\nHost: ${HOST}:${port}\r\nConnection: close\r\n\r\n`));
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(timer); resolve(data.startsWith('HTTP/1.1 200') && data.endsWith(BODY)); });
  });
}

/** The next port from --base-port on that nothing listens on (other people run benchmarks too). */
let portCursor = 0;
async function freePort(opts) {
  for (let i = 0; i < 200; i++) {
    const port = opts.basePort + portCursor++;
    if (await portFree(port)) return port;
  }
  return die(`no free port in ${opts.basePort}…${opts.basePort + portCursor}`);
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, HOST);
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

function toolVersion(cmd, args, re = /.*/) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('error', () => resolve(null));
    c.on('close', () => resolve(re.exec(out)?.[0]?.trim() ?? null));
  });
}

// --- the tree measured -----------------------------------------------------------------------

/** Why dist/ is older than src/ (a .ts without its .js, or a .js older than its .ts), or null. */
function distStale(root) {
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  for (const src of walk(path.join(root, 'src'))) {
    if (!src.endsWith('.ts') || src.endsWith('.d.ts')) continue;
    const out = path.join(root, 'dist', path.relative(path.join(root, 'src'), src)).replace(/\.ts$/, '.js');
    if (!fs.existsSync(out)) return `${path.relative(root, out)} is missing`;
    if (fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) return `${path.relative(root, out)} is older than ${path.relative(root, src)}`;
  }
  return null;
}

/** The checkout when its dist/ is fresh (or --tree checkout), else a private copy built with tsc. */
async function prepareTree(opts) {
  const stale = distStale(CHECKOUT);
  if (opts.tree === 'checkout' || (opts.tree === 'auto' && stale === null)) {
    if (stale !== null) log(`warning: measuring the checkout's dist/ although ${stale}`);
    return { dir: CHECKOUT, note: stale === null ? "the checkout (its dist/ is up to date)" : `the checkout, dist/ stale (${stale})` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-bench-tree-'));
  treeDir = dir;
  log(`building a private copy in ${dir} (${stale ?? '--tree copy'})`);
  const t0 = Date.now();
  const copy = await runProcess('bash', ['-c', 'tar -C "$1" --exclude=./node_modules --exclude=./.git --exclude=./bench/results -cf - . | tar -C "$2" -xf -', '_', CHECKOUT, dir],
    { cwd: CHECKOUT, timeoutMs: 120_000 });
  if (copy.code !== 0) die(`copying the checkout failed: ${copy.stderr}`);
  fs.symlinkSync(path.join(CHECKOUT, 'node_modules'), path.join(dir, 'node_modules'));
  const tsc = await runProcess(path.join(CHECKOUT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir, timeoutMs: 300_000 });
  const rebuilt = distStale(dir);
  if (rebuilt !== null) die(`tsc -p tsconfig.build.json in the copy did not build dist/ (${rebuilt}):\n${tsc.stdout}${tsc.stderr}`);
  let note = `a private copy of the checkout, built with \`tsc -p tsconfig.build.json\` in ${((Date.now() - t0) / 1000).toFixed(0)} s (${stale ?? 'asked for'})`;
  if (tsc.code !== 0) {
    note += '; tsc reported type errors (output emitted anyway)';
    log(`warning: tsc reported errors in the copy (dist/ emitted anyway):\n${(tsc.stdout + tsc.stderr).split('\n').slice(0, 10).join('\n')}`);
  }
  return { dir, note };
}

// --- wrk -------------------------------------------------------------------------------------

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const toMs = (s) => { const m = /^([\d.]+)(us|ms|s|m)$/.exec(s); return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN; };

/** wrk's Requests/sec, errors (socket errors and non-2xx/3xx) and latency percentiles (ms). */
function parseWrk(out) {
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? NaN);
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) errors += sock.slice(1).reduce((s, x) => s + Number(x), 0);
  errors += Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const pct = (p) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const requests = Number(/^\s+(\d+) requests in/m.exec(out)?.[1] ?? NaN);
  return { rps, errors, requests, p50: pct(50), p90: pct(90), p99: pct(99), maxMs: toMs(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(out)?.[1] ?? '') };
}

async function wrk(opts, port, seconds, close) {
  const args = [`-t${opts.threads}`, `-c${opts.connections}`, `-d${seconds}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), `http://${HOST}:${port}/`];
  const r = await runProcess('wrk', args, { timeoutMs: (seconds + 30) * 1000 });
  const parsed = parseWrk(r.stdout);
  if (r.code !== 0 || !Number.isFinite(parsed.rps)) return { ...parsed, failed: `wrk ${r.timedOut ? 'timed out' : `exit ${r.code}`}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' / ')}` };
  return parsed;
}

// --- the hello servers (parts server and close) ----------------------------------------------

/** The hello servers: ours and the anchors. `close` marks those measured with Connection: close. */
function serverTargets(opts, tools) {
  const tsx = (file) => ({ cmd: process.execPath, args: ['--import', 'tsx', file] });
  const t = [
    { id: 'node', name: 'node:http', ...tsx('bench/anchors/node-http-hello.ts'), close: true },
    { id: 'raw', name: 'raw `net` canned response', ...tsx('bench/anchors/raw-net.ts'), close: false },
    { id: 'ts', name: 'scheme-http TS server (examples/hello-server.ts)', ...tsx('examples/hello-server.ts'), close: true, ours: true },
    // The seed's program, unchanged; its debug flag is on, its log line per request discarded.
    { id: 'scm', name: 'seed Scheme server (examples/hello-server.scm)', cmd: process.execPath, args: ['bin/scheme-http.js', 'examples/hello-server.scm'],
      port: SCM_PORT, env: { SCHEME_HTTP_SNAPSHOT: '0' }, stderr: 'ignore', close: true, ours: true },
  ];
  if (tools.nginx) t.push({ id: 'nginx', name: 'nginx (2 workers)', nginx: 'bench/anchors/nginx-hello.conf', workers: 2, close: true });
  if (tools.guile) t.push({ id: 'guile', name: "Guile `(web server)`", cmd: 'guile', args: ['bench/anchors/guile-hello.scm'], close: false });
  for (const x of t) x.runs = {};
  return t;
}

/** Starts nginx from TEMPLATE (a conf in bench/anchors/) with a fresh prefix in the work dir. */
function startNginx(template, port, workers, name) {
  const prefix = fs.mkdtempSync(path.join(workDir, `nginx-${name}-`));
  fs.chmodSync(prefix, 0o755); // nginx's workers run as nobody when we are root
  fs.mkdirSync(path.join(prefix, 'www'));
  fs.writeFileSync(path.join(prefix, 'www', 'index.html'), BODY);
  fs.chmodSync(path.join(prefix, 'www', 'index.html'), 0o644);
  const conf = fs.readFileSync(path.join(treeDir, template), 'utf8')
    .replaceAll('@PREFIX@', prefix).replaceAll('@PORT@', String(port)).replaceAll('@WORKERS@', String(workers));
  fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
  return startProcess('nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'],
    { cwd: prefix, log: path.join(prefix, 'stdout.log') });
}

/** Starts one target and waits until it answers the hello page; null when it did not. */
async function startServer(t) {
  // A fixed port (the seed's 4242) may be held for a while by someone else's test or benchmark.
  for (let waited = 0; !(await portFree(t.port)); waited++) {
    if (waited === 0) log(`  port ${t.port} is in use; waiting up to 90 s for it`);
    if (waited >= 90) { t.failed = `port ${t.port} was in use throughout 90 s`; return null; }
    await sleep(1000);
  }
  const logFile = path.join(workDir, `${t.id}.log`);
  const child = t.nginx ? startNginx(t.nginx, t.port, t.workers, t.id)
    : startProcess(t.cmd, t.args, { cwd: treeDir, env: { PORT: String(t.port), HOST, XDG_CACHE_HOME: path.join(workDir, 'cache'), ...t.env }, log: logFile, stderr: t.stderr });
  const deadline = Date.now() + 60_000; // Guile compiles the anchor on its first start
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const r = await httpGet(t.port);
    if (r.status !== undefined) {
      if (r.status === 200 && r.body === BODY) return child;
      t.failed = `answered ${r.status} with ${JSON.stringify(r.body.slice(0, 60))}, not the hello page`;
      await stopProcess(child);
      return null;
    }
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  let out = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim() : '';
  await stopProcess(child);
  if (t.stderr === 'ignore' && child.exitCode !== null) {
    // Its stderr was discarded (a log line per request): once more, briefly, to say why it failed.
    const again = await runProcess(t.cmd, t.args, { env: { PORT: String(t.port), ...t.env }, timeoutMs: 20_000 });
    out += again.stderr.trim();
  }
  out = out.split('\n').slice(-4).join(' / ');
  t.failed = `did not answer within 60 s${child.exitCode !== null ? ` (exit ${child.exitCode})` : ''}${out ? `: ${out}` : ''}`;
  return null;
}

/** Parts server and close: the servers stay up throughout; ROUNDS interleaved rounds of wrk. */
async function serverParts(opts, tools, results) {
  const targets = serverTargets(opts, tools);
  const children = new Map();
  try {
    for (const t of targets) {
      t.port ??= await freePort(opts);
      log(`starting ${t.name} on ${HOST}:${t.port}`);
      const child = await startServer(t);
      if (child === null) log(`  ${t.name}: ${t.failed}`);
      else children.set(t, child);
    }
    const up = targets.filter((t) => children.has(t));
    for (const t of up) {
      await wrk(opts, t.port, 2, false); // warm-up (JIT, connection set-up), discarded
      if (t.close) t.closes = await closesAfterAnswer(t.port);
    }
    const modes = [];
    if (opts.only.includes('server')) modes.push({ key: 'keepalive', close: false, list: up });
    if (opts.only.includes('close')) modes.push({ key: 'close', close: true, list: up.filter((t) => t.close) });
    for (const mode of modes) {
      for (const t of mode.list) t.runs[mode.key] = [];
      for (let round = 1; round <= opts.rounds; round++) {
        for (const t of mode.list) {
          const child = children.get(t);
          if (child.exitCode !== null || child.signalCode !== null) { t.failed ??= `exited during the run (${child.exitCode ?? child.signalCode})`; continue; }
          log(`${mode.key} round ${round}/${opts.rounds}: ${t.name} (${opts.duration} s)`);
          const r = await wrk(opts, t.port, opts.duration, mode.close);
          r.round = round;
          log(r.failed ? `  ${r.failed}` : `  ${int(r.rps)} req/s, p99 ${fix(r.p99)} ms${r.errors ? `, ${r.errors} errors` : ''}`);
          t.runs[mode.key].push(r);
        }
      }
    }
    // The answers once more, after the load: a server that broke under it must not pass.
    for (const t of up) {
      const r = await httpGet(t.port);
      if (r.status !== 200 || r.body !== BODY) t.failed ??= `after the run it answered ${r.status ?? r.error}`;
    }
  } finally {
    for (const child of children.values()) await stopProcess(child);
  }
  results.servers = targets.map(({ id, name, port, ours, close, closes, failed, runs }) => ({ id, name, port, ours, close, closes, failed, runs }));
}

// --- the clients (part client) ---------------------------------------------------------------

async function clientPart(opts, tools, results) {
  const port = await freePort(opts);
  const peer = tools.nginx ? { name: 'nginx (1 worker, static file)', child: startNginx('bench/anchors/nginx-static.conf', port, 1, 'static') }
    : { name: 'raw `net` canned response (nginx not installed)', child: startProcess(process.execPath, ['--import', 'tsx', 'bench/anchors/raw-net.ts'], { cwd: treeDir, env: { PORT: String(port) }, log: path.join(workDir, 'peer.log') }) };
  const url = `http://${HOST}:${port}/`;
  results.client = { peer: peer.name, requests: opts.requests, seconds: opts.clientSeconds, inflight: opts.inflight, rows: [] };
  try {
    for (let i = 0; ; i++) {
      const r = await httpGet(port);
      if (r.status === 200 && r.body === BODY) break;
      if (i > 100) die(`the client benchmark's peer (${peer.name}) does not answer the hello page: ${r.status ?? r.error}`);
      await sleep(100);
    }
    const rows = [];
    for (const inflight of [1, opts.inflight]) for (const client of Object.keys(CLIENT_NAMES)) rows.push({ client, inflight, samples: [] });
    for (let round = 1; round <= opts.rounds; round++) {
      for (const row of rows) {
        log(`client round ${round}/${opts.rounds}: ${row.client}, ${opts.requests} GETs or ${opts.clientSeconds} s, ${row.inflight} in flight`);
        const r = await runProcess(process.execPath, ['bench/clients/run.mjs', '--client', row.client, '--url', url, '--requests', String(opts.requests), '--max-seconds', String(opts.clientSeconds),
          '--inflight', String(row.inflight), '--warmup', '1000', '--body-length', String(BODY.length), '--dist', path.join(treeDir, 'dist')], { timeoutMs: 300_000 });
        let sample;
        try {
          sample = JSON.parse(r.stdout.trim().split('\n').pop());
        } catch {
          sample = { failed: `exit ${r.timedOut ? 'timeout' : r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}` };
        }
        sample.round = round;
        log(sample.failed ? `  ${sample.failed}` : `  ${int(sample.rps)} req/s (${int(sample.requests)} GETs)${sample.errors ? `, ${sample.errors} errors (${sample.firstError})` : ''}`);
        row.samples.push(sample);
      }
    }
    results.client.rows = rows;
  } finally {
    await stopProcess(peer.child);
  }
}

// --- idle connections and start-up (their own scripts, called) -------------------------------

async function idlePart(opts, results) {
  const args = ['bench/idle-connections.mjs', '--connections', String(opts.idleConnections), '--rounds', String(opts.rounds), '--duration', String(opts.duration)];
  log(`idle: node ${args.join(' ')}`);
  const r = await runProcess(process.execPath, args, { timeoutMs: 20 * 60_000, echoStderr: true });
  results.idle = { command: `node ${args.join(' ')}`, output: r.stdout, rows: {} };
  // Its table's rows: | server | held | **median** (s1, s2, s3) | heap | **rps** (…) | before → after | errors |
  for (const line of r.stdout.split('\n')) {
    const m = /^\| (scheme-http \(ts\)|node:http) \| ([\d,]+) \| \*\*([\d.]+) KB\*\* \(([^)]*)\) \| ([\d.]+) KB \| \*\*([\d,]+)\*\*[^|]*\|[^|]*\| (.*) \|$/.exec(line);
    if (!m) continue;
    const samples = m[4].split(',').map((s) => Number.parseFloat(s));
    results.idle.rows[m[1] === 'node:http' ? 'node' : 'ours'] = {
      held: Number(m[2].replaceAll(',', '')), kb: Number(m[3]), samples, heapKb: Number(m[5]), rps: Number(m[6].replaceAll(',', '')), errors: m[7],
    };
  }
  if (r.code !== 0 || !results.idle.rows.ours || !results.idle.rows.node) {
    results.idle.failed = `exit ${r.timedOut ? 'timeout' : r.code}${results.idle.rows.ours ? '' : ', no result parsed'}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`;
  }
}

async function startupPart(opts, results) {
  const args = ['scripts/startup-time.mjs', String(opts.startupRuns)];
  log(`startup: node ${args.join(' ')}`);
  const r = await runProcess(process.execPath, args, { timeoutMs: 15 * 60_000 });
  process.stderr.write(r.stdout.replace(/^/gm, '  '));
  results.startup = { command: `node ${args.join(' ')}`, output: r.stdout, sections: [] };
  // Its lines: "  123 ms median  (110–130 IQR)  2.70×  cpu ...   NAME", grouped under "Checkout" and "Installed".
  let section = null;
  for (const line of r.stdout.split('\n')) {
    if (/^Checkout\b/.test(line)) results.startup.sections.push((section = { name: 'checkout', ways: [] }));
    else if (/^Installed\b/.test(line)) results.startup.sections.push((section = { name: 'installed', ways: [] }));
    const m = /^\s*([\d.]+) ms median\s+\(([\d.]+)[–-]([\d.]+) IQR\)(.*)$/.exec(line);
    if (!m || !section) continue;
    const cpu = /cpu\s+([\d.]+) ms/.exec(m[4]);
    // The way's name follows the last "N.NN×" of the line.
    section.ways.push({ ms: Number(m[1]), q1: Number(m[2]), q3: Number(m[3]), cpuMs: cpu ? Number(cpu[1]) : NaN, name: m[4].replace(/^.*×\s+/, '').trim() });
  }
  if (r.code !== 0 || results.startup.sections.length === 0) {
    results.startup.failed = `exit ${r.timedOut ? 'timeout' : r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-4).join(' / ')}`;
  }
}

// --- the report ------------------------------------------------------------------------------

const spread = (s, f = int) => `${f(s.min)}–${f(s.max)}`;
const verdict = (ok) => (ok === null ? 'n/a' : ok ? '**met**' : '**not met**');

/** Median, spread and per-round ratios of TARGET's FIELD against BASE's, round by round. */
function compare(target, base, field) {
  const ok = (xs) => (xs ?? []).filter((x) => !x.failed && Number.isFinite(x[field]));
  const t = ok(target?.samples);
  const b = ok(base?.samples);
  if (t.length === 0) return null;
  const st = stats(t.map((x) => x[field]));
  const sb = b.length ? stats(b.map((x) => x[field])) : null;
  const perRound = t.map((x) => { const y = b.find((z) => z.round === x.round); return y ? x[field] / y[field] : NaN; }).filter(Number.isFinite);
  return { st, sb, ratio: sb ? st.median / sb.median : NaN, rounds: perRound, errors: t.reduce((s, x) => s + (x.errors ?? 0), 0) };
}

function serverRows(results, key, field) {
  const servers = results.servers ?? [];
  const base = servers.find((s) => s.id === 'node');
  return servers.filter((s) => s.runs[key] !== undefined || (s.failed && (key === 'keepalive' || s.close)))
    .map((s) => ({ s, c: compare({ samples: s.runs[key] }, { samples: base?.runs[key] }, field) }));
}

function render(opts, results, machine) {
  const L = [];
  const summary = [];
  const by = (rows, id) => rows.find((r) => r.s.id === id);
  const anchorText = (rows, ids, f) => ids.map((id) => by(rows, id)).filter((r) => r?.c).map(f).join('; ');
  if (results.servers && opts.only.includes('server')) {
    const rows = serverRows(results, 'keepalive', 'rps');
    const nodeRps = by(rows, 'node')?.c;
    const line = (id, what) => {
      const r = by(rows, id);
      const ok = r?.c ? r.c.ratio >= 1.5 : null;
      const anchors = id === 'ts'
        ? anchorText(rows, ['raw', 'nginx'], (a) => `${a.s.name} ${ratio(a.c.ratio)}`)
        : anchorText(rows, ['guile'], (a) => `${a.s.name} ${ratio(a.c.ratio)}`);
      summary.push(`| ${what} | ${r?.c ? `**${ratio(r.c.ratio)}** node:http (${int(r.c.st.median)} req/s, ${spread(r.c.st)})` : `failed: ${r?.s.failed ?? 'not run'}`} | ` +
        `node:http ${nodeRps ? `${int(nodeRps.st.median)} req/s (${spread(nodeRps.st)})` : '–'}; ${anchors || '–'} | ≥ 1.5× | ${verdict(ok)} |`);
    };
    line('ts', 'TS server, keep-alive hello');
    line('scm', 'seed Scheme server, unchanged, keep-alive');
  }
  if (results.servers && opts.only.includes('close')) {
    const rows = serverRows(results, 'close', 'p99');
    const base = by(rows, 'node')?.c;
    for (const [id, what] of [['ts', '`Connection: close`, p99 latency, TS'], ['scm', '`Connection: close`, p99 latency, Scheme']]) {
      const r = by(rows, id);
      const ok = r?.c && base ? r.c.st.median <= 2 * base.st.median : null;
      summary.push(`| ${what} | ${r?.c ? `**${fix(r.c.st.median, 1)} ms** (${spread(r.c.st, (x) => fix(x, 1))}), ${ratio(r.c.ratio)} node:http's` : `failed: ${r?.s.failed ?? 'not run'}`} | ` +
        `node:http ${base ? `${fix(base.st.median, 1)} ms (${spread(base.st, (x) => fix(x, 1))})` : '–'}${by(rows, 'nginx')?.c ? `; nginx ${fix(by(rows, 'nginx').c.st.median, 1)} ms` : ''} | ≤ 2× node:http's p99 | ${verdict(ok)} |`);
    }
  }
  if (results.client) {
    const cl = results.client;
    const get = (client, inflight) => cl.rows.find((r) => r.client === client && r.inflight === inflight);
    for (const [inflight, target, what] of [[1, 1.5, 'client, sequential'], [cl.inflight, 1.0, `client, ${cl.inflight} in flight`]]) {
      const base = get('undici', inflight);
      const c = compare(get('scheme-http', inflight), base, 'rps');
      const anchors = ['node:http', 'fetch'].map((n) => { const a = compare(get(n, inflight), base, 'rps'); return a ? `${CLIENT_NAMES[n]} ${ratio(a.ratio)}` : null; }).filter(Boolean).join('; ');
      const b = compare(base, base, 'rps');
      summary.push(`| ${what} | ${c ? `**${ratio(c.ratio)}** undici.request (${int(c.st.median)} req/s, ${spread(c.st)})` : 'failed'} | ` +
        `undici.request ${b ? `${int(b.st.median)} req/s (${spread(b.st)})` : '–'}; ${anchors || '–'} | ≥ ${target.toFixed(1)}× | ${verdict(c ? c.ratio >= target : null)} |`);
    }
  }
  if (results.idle) {
    const { ours, node } = results.idle.rows;
    const st = ours ? stats(ours.samples) : null;
    summary.push(`| RSS per idle keep-alive connection (${int(ours?.held ?? opts.idleConnections)}) | ${ours ? `**${fix(ours.kb)} KB** (${spread(st, fix)})` : `failed: ${results.idle.failed}`} | ` +
      `node:http ${node ? `${fix(node.kb)} KB (${spread(stats(node.samples), fix)})` : '–'} | ≤ 6 KB, 10,000 connections | ${verdict(ours ? ours.kb <= 6 && ours.held >= 10_000 : null)} |`);
  }
  if (results.startup) {
    for (const [name, what] of [['checkout', "`scheme-http -e '(display 1)'`, checkout"], ['installed', 'same, installed from a packed tarball']]) {
      const sec = results.startup.sections.find((s) => s.name === name);
      const ours = sec?.ways[0];
      const base = sec?.ways.find((w) => /node -e 0/.test(w.name));
      const r = ours && base ? ours.ms / base.ms : NaN;
      // CPU time (user + system) is beside the wall time: load on the machine disturbs it less.
      const cpu = ours && base ? `; CPU ${int(ours.cpuMs)} ms, ${ratio(ours.cpuMs / base.cpuMs)}` : '';
      summary.push(`| ${what} | ${ours ? `**${ratio(r)}** \`node -e 0\` (${int(ours.ms)} ms, IQR ${int(ours.q1)}–${int(ours.q3)}${cpu})` : `failed: ${results.startup.failed ?? 'no result'}`} | ` +
        `\`node -e 0\` ${base ? `${int(base.ms)} ms (IQR ${int(base.q1)}–${int(base.q3)}; CPU ${int(base.cpuMs)} ms)` : '–'} | ≤ 1.5× \`node -e 0\` | ${verdict(ours && base ? r <= 1.5 : null)} |`);
    }
  }

  L.push(`Run ${machine.date} by \`${machine.command}\` (${machine.minutes} min): ${opts.rounds} interleaved round${opts.rounds > 1 ? 's' : ''}; medians, spread min–max over the rounds` +
    `${results.startup ? ` (start-up: median and interquartile range of ${opts.startupRuns} interleaved runs)` : ''}.`, '');
  L.push(`Machine: ${machine.cpu} (${machine.cores} cores), \`${machine.os}\`, Node ${process.version}, ${machine.tools}; **load average ${machine.loadBefore} before, ${machine.loadAfter} after** (1, 5, 15 min).`, '');
  L.push(`Code: commit ${machine.commit}; measured: ${machine.tree}. wrk \`-t${opts.threads} -c${opts.connections} -d${opts.duration}s\` on 127.0.0.1; raw results in \`bench/results/${machine.rawFile}\`.`, '');
  L.push('| figure | scheme-http | anchors, same run | target | |', '| --- | --- | --- | --- | --- |', ...summary, '');

  if (results.servers) {
    for (const [key, field, title] of [['keepalive', 'rps', 'Keep-alive hello, req/s (wrk)'], ['close', 'p99', '`Connection: close`: p99 latency, ms (wrk --latency)']]) {
      if (!opts.only.includes(key === 'keepalive' ? 'server' : 'close')) continue;
      L.push(`**${title}**`, '');
      L.push(key === 'keepalive' ? '| server | median req/s | min–max | vs node:http | per round | p99 ms | errors |' : '| server | median p99 ms | min–max | vs node:http | per round | req/s | errors |');
      L.push('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
      for (const { s, c } of serverRows(results, key, field)) {
        if (!c) { L.push(`| ${s.name} | ${s.failed ? `failed: ${s.failed}` : 'no samples'} | | | | | |`); continue; }
        const other = stats(s.runs[key].filter((x) => !x.failed).map((x) => (key === 'keepalive' ? x.p99 : x.rps)));
        const f = key === 'keepalive' ? int : (x) => fix(x, 1);
        L.push(`| ${s.name}${s.failed ? ` (${s.failed})` : ''} | ${f(c.st.median)} | ${spread(c.st, f)} | ${ratio(c.ratio)} | ${c.rounds.map((x) => fix(x)).join(' ')} | ` +
          `${key === 'keepalive' ? fix(other.median, 1) : int(other.median)} | ${c.errors} |`);
      }
      if (key === 'close') {
        const notClosing = (results.servers ?? []).filter((s) => s.close && s.closes === false).map((s) => s.name);
        if (notClosing.length) L.push('', `- did not close the connection after answering a \`Connection: close\` request: ${notClosing.join(', ')}`);
      }
      L.push('');
    }
  }
  if (results.client) {
    const cl = results.client;
    L.push(`**Client: ${int(cl.requests)} GETs of the 23-byte page from ${cl.peer}, or as many as ${cl.seconds} s allow; 1,000 GETs before, discarded; one process per measurement**`, '');
    L.push('| client | in flight | median req/s | min–max | vs undici.request | per round | GETs timed | errors |', '| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |');
    for (const row of cl.rows) {
      const c = compare(row, cl.rows.find((r) => r.client === 'undici' && r.inflight === row.inflight), 'rps');
      const failed = row.samples.find((x) => x.failed)?.failed;
      const done = row.samples.filter((x) => !x.failed).map((x) => int(x.requests)).join(' ');
      L.push(c ? `| ${CLIENT_NAMES[row.client]} | ${row.inflight} | ${int(c.st.median)} | ${spread(c.st)} | ${ratio(c.ratio)} | ${c.rounds.map((x) => fix(x)).join(' ')} | ${done} | ${c.errors}${failed ? ` (${failed})` : ''} |`
        : `| ${CLIENT_NAMES[row.client]} | ${row.inflight} | failed: ${failed ?? '?'} | | | | | |`);
    }
    L.push('');
  }
  if (results.idle) {
    const lines = results.idle.output.trim().split('\n');
    L.push(`**Idle connections** (\`${results.idle.command}\`; its table, as printed):`, '', ...lines.filter((l) => l.startsWith('|')), '');
    const notes = lines.filter((l) => l.startsWith('- '));
    if (notes.length) L.push(...notes, '');
  }
  if (results.startup) L.push(`**Start-up** (\`${results.startup.command}\`; as printed):`, '', '```text', results.startup.output.trim(), '```', '');
  return L.join('\n').trimEnd();
}

function writeReadme(table) {
  const file = path.join(CHECKOUT, 'bench', 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = '<!-- table:start -->';
  const end = '<!-- table:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j < i) die(`bench/README.md has no ${start} … ${end} section to replace`);
  fs.writeFileSync(file, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
  log('table written to bench/README.md');
}

// --- main ------------------------------------------------------------------------------------

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const loadBefore = load();
  const started = Date.now();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-bench-'));
  fs.chmodSync(workDir, 0o755); // nginx's workers (nobody, when we are root) read a file below it
  const tools = {
    wrk: await toolVersion('wrk', ['--version'], /wrk \S+/), nginx: await toolVersion('nginx', ['-v'], /nginx\/\S+/),
    guile: await toolVersion('guile', ['--version'], /Guile\) \S+/),
  };
  if (!tools.wrk && opts.only.some((p) => ['server', 'close', 'idle'].includes(p))) die('wrk is needed (bash bench/run.sh installs it, or apt-get install wrk)');
  if (!tools.nginx) log('nginx is not installed: its anchors are left out, and the clients run against the raw net anchor');
  if (!tools.guile) log('guile is not installed: the Guile anchor is left out');
  const tree = await prepareTree(opts);
  treeDir = tree.dir;
  log(`measuring ${tree.note}; parts: ${opts.only.join(', ')}; ${opts.rounds} rounds; load average ${loadBefore}`);

  const results = {};
  if (opts.only.includes('server') || opts.only.includes('close')) await serverParts(opts, tools, results);
  if (opts.only.includes('client')) await clientPart(opts, tools, results);
  if (opts.only.includes('idle')) await idlePart(opts, results);
  if (opts.only.includes('startup')) await startupPart(opts, results);

  const git = async (...args) => (await runProcess('git', args, { cwd: CHECKOUT, timeoutMs: 30_000 })).stdout.trim();
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const rawFile = `bench-${stamp.replace(/[-:]/g, '')}.json`;
  const argv = process.argv.slice(2);
  const machine = {
    date: stamp, command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU', cores: os.availableParallelism(), os: `${os.type()} ${os.release()} ${os.arch()}`,
    tools: [tools.wrk, tools.nginx, tools.guile && `Guile ${tools.guile.split(' ').pop()}`].filter(Boolean).join(', '),
    loadBefore, loadAfter: load(), minutes: ((Date.now() - started) / 60_000).toFixed(1),
    commit: `${(await git('rev-parse', '--short', 'HEAD')) || 'none'}${(await git('status', '--porcelain')) ? ' (uncommitted changes)' : ''}`,
    tree: tree.note, rawFile,
  };
  if ((process.env.DURATION || process.env.ROUNDS) && !argv.length) machine.command = `${['DURATION', 'ROUNDS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`).join(' ')} ${machine.command}`;
  const table = render(opts, results, machine);
  const resultsDir = path.join(CHECKOUT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, rawFile), JSON.stringify({ machine, options: opts, results }, null, 1));
  fs.writeFileSync(path.join(resultsDir, 'bench-latest.md'), `${table}\n`);
  console.log(`\n${table}\n`);
  log(`done in ${machine.minutes} min; raw results in bench/results/${rawFile}, the table in bench/results/bench-latest.md`);
  if (opts.write) writeReadme(table);
}

await main();
