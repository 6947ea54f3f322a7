#!/usr/bin/env node
// Idle-connection benchmark (issues 9 and 10): how much memory a server spends per idle
// keep-alive connection, and how many answers per second a second client still gets while
// 10,000 of them are held. Our TS server and node:http run the same hello handler, each in its
// own child process, in interleaved rounds (ours, node:http, ours, ...). See bench/README.md
// ("Idle connections").
//
//   node bench/idle-connections.mjs                       # 10,000 connections, 3 rounds
//   node bench/idle-connections.mjs --connections 2000 --rounds 1 --duration 3
//   node bench/idle-connections.mjs --write               # ... and put the table in bench/README.md
//
// One round for one server:
//   1. start the server (node --import tsx --expose-gc, this file in the `server` role), answer a
//      few requests to warm it up, force a GC, read its VmRSS from /proc/PID/status: "before";
//   2. holder processes (this file in the `holder` role) open the idle connections, 200 connects
//      in flight at a time; each connection sends one GET, reads the whole answer and stays open;
//   3. force a GC in the server, read VmRSS again: "after"; (after - before) / N is the cost of
//      one idle connection (the heap's share is reported beside it);
//   4. with the connections still held, `wrk -t1 -c4` measures answers per second;
//   5. check that every idle connection is still open on both ends, then stop everything.
// Every child is killed by its PID at the end of its round, and on exit.
import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const BODY = '<h1>Hello, world!</h1>\n';
const HOST = '127.0.0.1';


// --- the servers -----------------------------------------------------------------------------

/** Runs one server (ours or node:http) on a free port; answers the parent's IPC commands. */
async function serverRole(which) {
  const LONG = 600_000; // idle connections must outlive the round: no idle timeout closes them
  let count;
  let port;
  if (which === 'ours') {
    const { createServer } = await import('../src/http/index.js');
    const server = createServer({ host: HOST, port: 0, backlog: 511 });
    server.config.limits.idleTimeout = LONG;
    server.config.limits.headTimeout = LONG;
    server.addResource('/', (_request, _args, ex) => {
      ex.write(`Content-type: text/html\r\nContent-length: ${BODY.length}\r\n\r\n${BODY}`);
    });
    await server.start();
    port = server.port;
    count = async () => server.connectionCount;
  } else {
    const http = await import('node:http');
    const server = http.createServer({ keepAliveTimeout: LONG, headersTimeout: LONG, requestTimeout: 0 }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': String(BODY.length) });
      res.end(BODY);
    });
    server.keepAliveTimeout = LONG;
    await new Promise((resolve) => server.listen({ host: HOST, port: 0, backlog: 511 }, resolve));
    port = server.address().port;
    count = () => new Promise((resolve) => server.getConnections((_e, n) => resolve(n)));
  }
  process.on('message', async (msg) => {
    if (msg.cmd === 'gc') {
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const m = process.memoryUsage();
      process.send({ heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, connections: await count() });
    }
  });
  process.send({ port });
}

// --- the idle clients ------------------------------------------------------------------------

/** Opens N connections to PORT; each asks once, reads the answer and stays open. */
async function holderRole(n, port) {
  const sockets = [];
  let closed = 0;
  let failed = 0;
  const one = () => new Promise((resolve) => {
    const s = net.connect({ host: HOST, port });
    let data = '';
    let answered = false;
    const fail = () => { if (!answered) { answered = true; failed++; resolve(); } };
    s.setTimeout(30_000, () => { fail(); s.destroy(); });
    s.on('error', fail);
    s.on('close', () => { if (answered) closed++; fail(); });
    s.on('connect', () => s.write(`GET / HTTP/1.1\r\nHost: ${HOST}:${port}\r\n\r\n`));
    s.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (answered || end === -1 || data.length < end + 4 + BODY.length) return;
      answered = true;
      if (!/^HTTP\/1\.1 200 /.test(data) || !data.endsWith(BODY)) failed++;
      s.setTimeout(0);
      data = '';
      sockets.push(s);
      resolve();
    });
  });
  // A bounded number of connects in flight, so the listen backlog does not overflow.
  let next = 0;
  const worker = async () => { while (next < n) { next++; await one(); } };
  await Promise.all(Array.from({ length: Math.min(200, n) }, worker));
  process.send({ ready: sockets.length, failed });
  process.on('message', (msg) => {
    if (msg.cmd === 'count') process.send({ open: sockets.length - closed });
  });
}

// --- the orchestrator ------------------------------------------------------------------------

async function main(argv) {
  const opts = { connections: 10_000, rounds: 3, duration: 5, holders: 2, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = () => {
      const s = argv[++i];
      if (!/^\d+$/.test(s ?? '') || Number(s) < 1) die(`${a} needs a positive integer`);
      return Number(s);
    };
    if (a === '--connections') opts.connections = int();
    else if (a === '--rounds') opts.rounds = int();
    else if (a === '--duration') opts.duration = int();
    else if (a === '--holders') opts.holders = int();
    else if (a === '--write') opts.write = true;
    else die(`unknown option ${a} (see the header of bench/idle-connections.mjs)`);
  }
  if (spawnSync('wrk', ['--version']).error) die('wrk is needed (apt-get install wrk)');
  const perHolder = Math.ceil(opts.connections / opts.holders);
  const limit = openFileLimit();
  // Node raises its soft limit to the hard one at start, so the hard limit is what counts.
  if (limit.hard < opts.connections + 200) die(`the open-file hard limit is ${limit.hard}: the server needs ${opts.connections + 200} (raise it with ulimit -Hn as root)`);
  if (limit.hard < perHolder + 200) die(`the open-file hard limit is ${limit.hard}: use more --holders`);

  const children = new Set();
  const killAll = () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); };
  process.on('exit', killAll);
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));

  const loadBefore = os.loadavg()[0];
  const samples = { ours: [], 'node:http': [] };
  for (let round = 1; round <= opts.rounds; round++) {
    for (const [name, which] of [['ours', 'ours'], ['node:http', 'node']]) {
      log(`round ${round}/${opts.rounds}: ${name}, ${opts.connections} idle connections`);
      const sample = await oneRound(which, opts, perHolder, children);
      log(`  ${fmtBytes(sample.rssPerConn)} RSS / idle connection (heap ${fmtBytes(sample.heapPerConn)}), ` +
        `${Math.round(sample.rps)} answers/s meanwhile, ${sample.problems.length ? sample.problems.join('; ') : 'no errors'}`);
      samples[name].push(sample);
    }
  }
  const report = renderReport(opts, samples, loadBefore, os.loadavg()[0]);
  console.log(report);
  if (opts.write) writeReadme(report);
}

/** One server, one round: the figures and whatever went wrong. */
async function oneRound(which, opts, perHolder, children) {
  const problems = [];
  const server = fork(SELF, ['server', which], {
    cwd: ROOT, execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(server);
  const holders = [];
  try {
    const { port } = await message(server, (m) => m.port !== undefined, 20_000, 'server start');
    const warm = wrk(port, 1, 4);
    if (warm.errors > 0) problems.push(`warm-up: ${warm.errors} errors`);
    const before = await memory(server);
    const started = Date.now();
    let left = opts.connections;
    for (let i = 0; i < opts.holders && left > 0; i++) {
      const n = Math.min(perHolder, left);
      left -= n;
      const h = fork(SELF, ['holder', String(n), String(port)], { cwd: ROOT, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.add(h);
      holders.push(h);
    }
    const ready = await Promise.all(holders.map((h) => message(h, (m) => m.ready !== undefined, 120_000, 'idle connections')));
    const held = ready.reduce((s, r) => s + r.ready, 0);
    const failed = ready.reduce((s, r) => s + r.failed, 0);
    const connectMs = Date.now() - started;
    if (failed > 0) problems.push(`${failed} idle connections failed`);
    const after = await memory(server);
    const load = wrk(port, opts.duration, 4);
    if (load.errors > 0) problems.push(`wrk: ${load.errors} errors`);
    const open = (await Promise.all(holders.map((h) => { h.send({ cmd: 'count' }); return message(h, (m) => m.open !== undefined, 10_000, 'count'); })))
      .reduce((s, r) => s + r.open, 0);
    if (open !== held) problems.push(`${held - open} idle connections closed during the round`);
    if (after.connections < held) problems.push(`server holds ${after.connections} of ${held}`);
    return {
      held, connectMs, rps: load.rps, problems,
      rssBefore: before.rss, rssAfter: after.rss,
      rssPerConn: (after.rss - before.rss) / held,
      heapPerConn: (after.heapUsed + after.external - before.heapUsed - before.external) / held,
    };
  } finally {
    for (const c of [...holders, server]) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((resolve) => c.once('exit', resolve));
      }
      children.delete(c);
    }
  }
}

/** Forces a GC in the server, then reads its VmRSS from /proc (not from the server itself). */
async function memory(server) {
  server.send({ cmd: 'gc' });
  const m = await message(server, (x) => x.heapUsed !== undefined, 30_000, 'gc');
  const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return { ...m, rss: kb * 1024 };
}

/** The next IPC message from CHILD that satisfies PRED, within MS. */
function message(child, pred, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`${what}: no answer within ${ms} ms`)); }, ms);
    const onMessage = (m) => { if (pred(m)) { cleanup(); resolve(m); } };
    const onExit = (code, signal) => { cleanup(); reject(new Error(`${what}: child exited (${code ?? signal})`)); };
    const cleanup = () => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit); };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** wrk -t1 -cC -dSs: answers per second and errors (socket errors plus non-2xx answers). */
function wrk(port, seconds, connections) {
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, `http://${HOST}:${port}/`], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  const out = r.stdout ?? '';
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? NaN);
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) errors += sock.slice(1).reduce((s, x) => s + Number(x), 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) errors += Number(non2xx[1]);
  if (Number.isNaN(rps)) errors++;
  return { rps, errors };
}

function openFileLimit() {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').split(/\s+/).slice(3, 5).map((x) => (x === 'unlimited' ? Infinity : Number(x)));
  return { soft, hard };
}

// --- the report ------------------------------------------------------------------------------

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const fmtBytes = (b) => `${(b / 1024).toFixed(2)} KB`;
const fmtInt = (x) => Math.round(x).toLocaleString('en-US');

function renderReport(opts, samples, loadBefore, loadAfter) {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'none';
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ? ' (uncommitted changes)' : '';
  const lines = [
    `Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`node bench/idle-connections.mjs --connections ${opts.connections} --rounds ${opts.rounds} --duration ${opts.duration}\`: ` +
      `${opts.rounds} interleaved rounds, median quoted.`,
    '',
    `Machine: \`${os.type()} ${os.release()} ${os.arch()}\`, ${cpu} (${os.availableParallelism()} cores), Node ${process.version}, ` +
      `load average ${loadBefore.toFixed(1)} before the run and ${loadAfter.toFixed(1)} after it; commit ${commit}${dirty}.`,
    '',
    `| server | idle connections held | RSS per idle connection | heap + external per idle connection | answers/s meanwhile (wrk -t1 -c4 -d${opts.duration}s) | RSS before → after | errors |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const [name, xs] of Object.entries(samples)) {
    const problems = xs.flatMap((x) => x.problems);
    lines.push(`| ${name === 'ours' ? 'scheme-http (ts)' : name} | ${fmtInt(median(xs.map((x) => x.held)))} | ` +
      `**${fmtBytes(median(xs.map((x) => x.rssPerConn)))}** (${xs.map((x) => fmtBytes(x.rssPerConn)).join(', ')}) | ` +
      `${fmtBytes(median(xs.map((x) => x.heapPerConn)))} | ` +
      `**${fmtInt(median(xs.map((x) => x.rps)))}** (${xs.map((x) => fmtInt(x.rps)).join(', ')}) | ` +
      `${(median(xs.map((x) => x.rssBefore)) / 1048576).toFixed(0)} → ${(median(xs.map((x) => x.rssAfter)) / 1048576).toFixed(0)} MB | ` +
      `${problems.length === 0 ? 'none' : problems.join('; ')} |`);
  }
  const ours = median(samples.ours.map((x) => x.rssPerConn));
  lines.push('', `- issue 10's target, at most 6 KB of RSS per idle connection: **${ours <= 6 * 1024 ? 'met' : 'not met'}** (${fmtBytes(ours)}).`);
  return lines.join('\n');
}

function writeReadme(report) {
  const file = path.join(ROOT, 'bench/README.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = '<!-- idle-bench-results:start -->';
  const end = '<!-- idle-bench-results:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i === -1 || j < i) die(`bench/README.md has no ${start} … ${end} section to replace`);
  fs.writeFileSync(file, `${text.slice(0, i + start.length)}\n${report}\n${text.slice(j)}`);
  log('written to bench/README.md');
}

function log(msg) { console.error(`[idle] ${msg}`); }
function die(msg) { console.error(`[idle] error: ${msg}`); process.exit(2); }

// The role is chosen last, once every constant above is initialised.
const role = process.argv[2];
if (role === 'server') await serverRole(process.argv[3]);
else if (role === 'holder') await holderRole(Number(process.argv[3]), Number(process.argv[4]));
else await main(process.argv.slice(2));
