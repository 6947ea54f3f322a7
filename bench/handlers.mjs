#!/usr/bin/env node
// Handler benchmark: a realistic Scheme handler (a 50-row HTML table, rendered on every request)
// and the seed's hello-world program, each against a node:http server doing the same in JS, with
// wrk over keep-alive connections, in interleaved rounds. See bench/README.md ("Handler
// benchmark").
//
//   node bench/handlers.mjs                         # 3 rounds, 10 s per wrk run, both engines
//   node bench/handlers.mjs --rounds 5 --write      # ... and put the table in bench/README.md
//   node bench/handlers.mjs --engines compiled --only table --duration 3 --rounds 1
//
// Every server is started for one measurement and stopped after it (so the seed's hello program,
// which listens on 4242 itself, can run on both engines). Before each measurement the server's
// answer is fetched with curl and compared byte for byte with node:http's answer; then a warm-up
// wrk run (discarded), then the measured wrk run. Every process runs under `timeout` in its own
// process group and is killed by that group's id.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

// --- options -------------------------------------------------------------------------------
const opts = {
  duration: 10, rounds: 3, warmup: 3, threads: 1, connections: 64, basePort: 18531,
  only: ['table', 'hello', 'wiki', 'rest'], engines: ['compiled', 'lips'], write: false,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => {
    if (i + 1 >= argv.length) die(`${a} needs a value`);
    return argv[++i];
  };
  const int = (min) => {
    const s = val();
    if (!/^\d+$/.test(s) || Number(s) < min) die(`${a} needs an integer >= ${min}, got '${s}'`);
    return Number(s);
  };
  switch (a) {
    case '--duration': opts.duration = int(1); break;
    case '--rounds': opts.rounds = int(1); break;
    case '--warmup': opts.warmup = int(0); break;
    case '--threads': opts.threads = int(1); break;
    case '--connections': opts.connections = int(1); break;
    case '--base-port': opts.basePort = int(1024); break;
    case '--only': opts.only = val().split(','); break;
    case '--engines': opts.engines = val().split(','); break;
    case '--write': opts.write = true; break;
    case '-h': case '--help':
      console.log('usage: node bench/handlers.mjs [--duration S] [--rounds N] [--warmup S] [--threads N]\n' +
        '  [--connections N] [--base-port P] [--only table,hello,wiki,rest] [--engines compiled,lips] [--write]');
      process.exit(0);
      break;
    default: die(`unknown option ${a}`);
  }
}
for (const g of opts.only) if (!['table', 'hello', 'wiki', 'rest'].includes(g)) die(`--only: unknown group ${g}`);
for (const e of opts.engines) if (!['compiled', 'lips'].includes(e)) die(`--engines: unknown engine ${e}`);

function die(msg) {
  console.error(`[handlers] error: ${msg}`);
  process.exit(2);
}
const log = (msg) => console.error(`[handlers] ${msg}`);

// --- targets -------------------------------------------------------------------------------
// group: targets of a group are compared with the group's anchor (node:http) and must answer
// the same body on `path`.
const ENGINE = {
  compiled: { label: 'compiled', env: { SCHEME_HTTP_COMPILE: '1' } },
  lips: { label: 'LIPS', env: { SCHEME_HTTP_COMPILE: '0' } },
};
const TARGETS = [];
let nextPort = opts.basePort;
if (opts.only.includes('table')) {
  const p0 = nextPort++;
  TARGETS.push({ group: 'table', anchor: true, name: 'node:http', path: '/table', port: p0,
    cmd: ['node', '--import', 'tsx', 'bench/anchors/node-http-table.ts'], env: { PORT: String(p0) }, stderr: 'log' });
  for (const e of opts.engines) {
    const p = nextPort++;
    TARGETS.push({ group: 'table', name: `scheme-http (${ENGINE[e].label})`, path: '/table', port: p,
      cmd: ['node', 'bin/scheme-http.js', 'bench/scheme-handlers/table-server.scm', String(p)],
      env: ENGINE[e].env, stderr: 'log' });
  }
}
if (opts.only.includes('wiki')) {
  // examples/wiki.scm, unchanged: GET of the Home page it creates at start-up, rendered from its
  // markup on every request. Its log hook writes one stderr line per request; the anchor does too.
  // Compiled engine only: the old LIPS library has no define-record (nor much else it uses).
  const p0 = nextPort++;
  TARGETS.push({ group: 'wiki', anchor: true, name: 'node:http', path: '/wiki/Home', port: p0,
    cmd: ['node', '--import', 'tsx', 'bench/anchors/node-http-wiki.ts'], env: { PORT: String(p0) }, stderr: 'log' });
  for (const e of opts.engines.filter((x) => x === 'compiled')) {
    const p = nextPort++;
    TARGETS.push({ group: 'wiki', name: `scheme-http (${ENGINE[e].label})`, path: '/wiki/Home', port: p,
      cmd: ['node', 'bin/scheme-http.js', 'examples/wiki.scm', String(p)], env: ENGINE[e].env, stderr: 'log' });
  }
}
if (opts.only.includes('rest')) {
  // examples/rest-service.scm with 20 sample items created at start-up (its second argument):
  // GET /items serialises all of them to JSON on every request.
  const p0 = nextPort++;
  TARGETS.push({ group: 'rest', anchor: true, name: 'node:http', path: '/items', port: p0,
    cmd: ['node', '--import', 'tsx', 'bench/anchors/node-http-rest.ts'], env: { PORT: String(p0) }, stderr: 'log' });
  // Compiled engine only: the old LIPS prelude has no SRFI-69 hash tables.
  for (const e of opts.engines.filter((x) => x === 'compiled')) {
    const p = nextPort++;
    TARGETS.push({ group: 'rest', name: `scheme-http (${ENGINE[e].label})`, path: '/items', port: p,
      cmd: ['node', 'bin/scheme-http.js', 'examples/rest-service.scm', String(p), '20'], env: ENGINE[e].env, stderr: 'log' });
  }
}
if (opts.only.includes('hello')) {
  const p0 = nextPort++;
  TARGETS.push({ group: 'hello', anchor: true, name: 'node:http', path: '/', port: p0,
    cmd: ['node', '--import', 'tsx', 'bench/anchors/node-http-hello.ts'], env: { PORT: String(p0) }, stderr: 'log' });
  for (const e of opts.engines) {
    // The seed's program, unchanged: port 4242, debug flag on (one stderr line per request,
    // which goes to /dev/null here).
    TARGETS.push({ group: 'hello', name: `scheme-http (${ENGINE[e].label})`, path: '/', port: 4242,
      cmd: ['node', 'bin/scheme-http.js', 'examples/hello-server.scm'], env: ENGINE[e].env, stderr: 'ignore' });
  }
}
for (const t of TARGETS) {
  const file = t.cmd.find((x) => /\.(ts|scm)$/.test(x));
  if (!fs.existsSync(file)) die(`${file} is missing`);
}
if (!fs.existsSync('dist/cli.js')) die('dist/cli.js is missing: run `npm run build` first');
for (const tool of ['wrk', 'curl', 'timeout']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) die(`${tool} is required`);
}

// --- processes -----------------------------------------------------------------------------
const live = new Set(); // child processes (process-group leaders) still running
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-handlers-'));

function killGroup(child, sig) {
  try { process.kill(-child.pid, sig); } catch { /* already gone */ }
}
function cleanup() {
  for (const c of live) killGroup(c, 'SIGKILL');
  live.clear();
  try { fs.rmSync(TMP, { recursive: true, force: true }); } catch { /* ignore */ }
}
process.on('exit', cleanup);
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Starts a server under `timeout BOUND`, in its own process group. */
function startServer(t, boundSeconds, logFile) {
  const out = t.stderr === 'log' ? fs.openSync(logFile, 'w') : 'ignore';
  const child = spawn('timeout', ['-k', '5', String(boundSeconds), ...t.cmd], {
    detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...t.env },
  });
  if (typeof out === 'number') fs.closeSync(out);
  child.exited = new Promise((resolve) => child.once('exit', (code, sig) => { live.delete(child); resolve({ code, sig }); }));
  live.add(child);
  return child;
}

async function stopServer(child) {
  if (!live.has(child)) return;
  killGroup(child, 'SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    log(`server pid ${child.pid} ignored SIGTERM; sending SIGKILL to its group`);
    killGroup(child, 'SIGKILL');
    await child.exited;
  }
}

/** Runs a command to completion (bounded by `timeout`), returning stdout/stderr/status. */
function run(cmd, args, boundSeconds) {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['-k', '5', String(boundSeconds), cmd, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.once('close', (status) => { live.delete(child); resolve({ status, stdout, stderr }); });
  });
}

/** curl the target: status code, headers text, body bytes. */
async function fetchOnce(t, tag) {
  const hdr = path.join(TMP, `${tag}.hdr`);
  const body = path.join(TMP, `${tag}.body`);
  const r = await run('curl', ['-s', '--max-time', '5', '-D', hdr, '-o', body, '-w', '%{http_code}', `http://127.0.0.1:${t.port}${t.path}`], 10);
  if (r.status !== 0) return null;
  return { code: r.stdout.trim(), headers: fs.readFileSync(hdr, 'latin1'), body: fs.readFileSync(body) };
}

async function waitReady(t, child, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (!live.has(child)) return false;
    if (await portInUse(t.port)) return true;
    await sleep(100);
  }
  return false;
}

function parseWrk(text) {
  const m = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!m) return null;
  let errors = 0;
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (se) errors += Number(se[1]) + Number(se[2]) + Number(se[3]) + Number(se[4]);
  const nx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (nx) errors += Number(nx[1]);
  const req = /(\d+) requests in/.exec(text);
  return { rps: Number(m[1]), errors, requests: req ? Number(req[1]) : null };
}

async function wrk(t, seconds) {
  const args = [`-t${opts.threads}`, `-c${opts.connections}`, `-d${seconds}s`, `http://127.0.0.1:${t.port}${t.path}`];
  const r = await run('wrk', args, seconds + 30);
  return { ...r, parsed: r.status === 0 ? parseWrk(r.stdout) : null };
}

// --- one measurement -----------------------------------------------------------------------
const reference = new Map(); // group -> { body: Buffer, headers: string }
const headerNotes = new Map(); // target key -> header difference note (once)
const key = (t) => `${t.group}/${t.name}`;

function headerSet(text) {
  // Header lines other than the status line and Date, which differs from second to second.
  return text.split('\r\n').slice(1).filter((l) => l !== '' && !/^date:/i.test(l));
}

async function measure(t, round) {
  const tag = `${t.group}-${t.name.replace(/\W+/g, '_')}-${round}`;
  if (await portInUse(t.port)) return { fail: `port ${t.port} is already in use` };
  const bound = opts.warmup + opts.duration + 120;
  const logFile = path.join(TMP, `${tag}.log`);
  const child = startServer(t, bound, logFile);
  try {
    if (!(await waitReady(t, child, 30))) {
      const out = t.stderr === 'log' && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return { fail: `server did not start within 30 s${out ? `: ${out.trim().split('\n').slice(-3).join(' | ')}` : ''}` };
    }
    const got = await fetchOnce(t, tag);
    if (got === null) return { fail: 'curl failed' };
    if (got.code !== '200') return { fail: `status ${got.code}` };
    const ref = reference.get(t.group);
    if (ref === undefined) {
      if (!t.anchor) return { fail: 'no reference answer' };
      reference.set(t.group, { body: got.body, headers: got.headers });
    } else if (!got.body.equals(ref.body)) {
      fs.writeFileSync(path.join(ROOT, 'bench', 'results', `${tag}.body`), got.body);
      return { fail: `body differs from node:http's (${got.body.length} vs ${ref.body.length} bytes)` };
    }
    if (!headerNotes.has(key(t)) && ref !== undefined) {
      const a = headerSet(ref.headers);
      const b = headerSet(got.headers);
      const onlyNode = a.filter((l) => !b.includes(l));
      const onlyHere = b.filter((l) => !a.includes(l));
      headerNotes.set(key(t), onlyNode.length + onlyHere.length === 0 ? 'same headers (Date aside)'
        : `headers (Date aside): node:http only [${onlyNode.join('; ')}], here only [${onlyHere.join('; ')}]`);
    }
    if (opts.warmup > 0) {
      const w = await wrk(t, opts.warmup);
      if (w.parsed === null) return { fail: `warm-up wrk failed: ${(w.stderr || w.stdout).trim()}` };
    }
    const w = await wrk(t, opts.duration);
    if (w.parsed === null) return { fail: `wrk failed: ${(w.stderr || w.stdout).trim()}` };
    if (!live.has(child)) return { fail: 'server exited during the run' };
    return { ...w.parsed, bytes: got.body.length };
  } finally {
    await stopServer(child);
    for (let i = 0; i < 50 && (await portInUse(t.port)); i++) await sleep(100);
  }
}

// --- main ----------------------------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim();

fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
const started = new Date();
const loadBefore = loadavg();
const samples = new Map(TARGETS.map((t) => [key(t), []])); // per round: { rps, errors } | { fail }

log(`${TARGETS.length} targets, ${opts.rounds} rounds, wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s (+${opts.warmup}s warm-up); load ${loadBefore}`);
for (let round = 1; round <= opts.rounds; round++) {
  for (const t of TARGETS) {
    if (!t.anchor && !reference.has(t.group)) {
      samples.get(key(t)).push({ fail: 'node:http anchor of the group has no answer yet' });
      continue;
    }
    log(`round ${round}/${opts.rounds}: ${t.group} ${t.name}`);
    const r = await measure(t, round);
    samples.get(key(t)).push(r);
    if (r.fail) log(`  FAILED: ${r.fail}`);
    else log(`  ${r.rps.toFixed(0)} req/s${r.errors ? `, ${r.errors} errors` : ''}; load ${loadavg()}`);
  }
}
const loadAfter = loadavg();

// --- report --------------------------------------------------------------------------------
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const commit = (() => {
  const c = sh('git rev-parse --short HEAD 2>/dev/null') || 'none';
  return sh('git status --porcelain 2>/dev/null') ? `${c} (with uncommitted changes)` : c;
})();
const cpu = (sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2") || os.cpus()[0]?.model || '?').trim();
const lines = [];
lines.push(`Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}: commit ${commit}, node ${process.version}, ${sh('wrk --version 2>&1 | head -n1').split(' ').slice(0, 2).join(' ')}, ` +
  `${sh('uname -sr')}, ${os.cpus().length} × ${cpu}; load average ${loadBefore} before, ${loadAfter} after.`);
lines.push('');
const cmdline = ['node', 'bench/handlers.mjs', ...process.argv.slice(2)].join(' ');
const warm = opts.warmup > 0 ? `\`wrk -t${opts.threads} -c${opts.connections} -d${opts.warmup}s URL\` (warm-up, discarded), then ` : '';
lines.push(`Command: \`${cmdline}\`. Each measurement: ${warm}\`wrk -t${opts.threads} -c${opts.connections} -d${opts.duration}s URL\`; ` +
  `${opts.rounds} interleaved round${opts.rounds === 1 ? '' : 's'}; medians.`);
lines.push('');
lines.push('| benchmark | server | median req/s | vs node:http | per-round ratio | errors | samples (req/s) |');
lines.push('| --- | --- | ---: | ---: | --- | ---: | --- |');
const notes = [];
for (const group of opts.only) {
  const ts = TARGETS.filter((t) => t.group === group);
  const anchor = ts.find((t) => t.anchor);
  const anchorSamples = samples.get(key(anchor));
  const anchorOk = anchorSamples.filter((s) => !s.fail).map((s) => s.rps);
  const anchorMed = median(anchorOk);
  for (const t of ts) {
    const ss = samples.get(key(t));
    const ok = ss.filter((s) => !s.fail);
    const fails = ss.filter((s) => s.fail);
    for (const f of fails) notes.push(`${group} / ${t.name}: ${f.fail}`);
    if (ok.length === 0) {
      lines.push(`| ${group} | ${t.name} | FAILED | | | | |`);
      continue;
    }
    const med = median(ok.map((s) => s.rps));
    const perRound = ss.map((s, i) => (s.fail || anchorSamples[i]?.fail || anchorSamples[i] === undefined ? '–' : (s.rps / anchorSamples[i].rps).toFixed(2)));
    const errors = ok.reduce((a, s) => a + s.errors, 0);
    lines.push(`| ${group} | ${t.name} | ${fmt(med)} | ${(med / anchorMed).toFixed(2)} | ${t.anchor ? '' : perRound.join(' ')} | ${errors} | ` +
      `${ss.map((s) => (s.fail ? 'FAIL' : fmt(s.rps))).join(' ')} |`);
  }
}
for (const [k, v] of headerNotes) if (!k.endsWith('/node:http')) notes.push(`${k}: body identical to node:http's before every run; ${v}`);
if (notes.length) {
  lines.push('');
  for (const n of notes) lines.push(`- ${n}`);
}
const report = lines.join('\n');
console.log(report);
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'handlers-latest.txt'), `${report}\n`);
log('written to bench/results/handlers-latest.txt');

if (opts.write) {
  const readme = path.join(ROOT, 'bench', 'README.md');
  const START = '<!-- handler-bench-results:start -->';
  const END = '<!-- handler-bench-results:end -->';
  let text = fs.readFileSync(readme, 'utf8');
  const block = `${START}\n${report}\n${END}`;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a >= 0 && b > a) text = text.slice(0, a) + block + text.slice(b + END.length);
  else text = `${text.trimEnd()}\n\n## Handler benchmark: results\n\n${block}\n`;
  fs.writeFileSync(readme, text);
  log('results written to bench/README.md');
}
process.exitCode = [...samples.values()].some((ss) => ss.some((s) => s.fail)) ? 1 : 0;
