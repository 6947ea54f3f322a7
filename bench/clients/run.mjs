#!/usr/bin/env node
// One measurement of the client benchmark, in a process of its own (so no client inherits
// another's JIT state, heap or sockets): a warm-up, then REQUESTS GETs of URL with INFLIGHT of
// them in flight at any time (1 = sequential), timed; prints one JSON line on stdout:
//   {"client", "inflight", "requests", "ms", "rps", "cpuMs", "errors", "firstError"}
// With --max-seconds S no request is started after S seconds of the timed part, so that a slow
// client (fetch, on a loaded machine) keeps the run bounded; "requests" says how many were done.
// bench/all.mjs runs it in interleaved rounds; by hand:
//   node bench/clients/run.mjs --client undici --url http://127.0.0.1:PORT/ --requests 20000 --inflight 50
// Every response must be 200 with BODY-LENGTH bytes; anything else counts as an error, and the
// run stops after 100 of them (a client that fails fast must not look fast).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeClient } from './clients.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_ERRORS = 100;

function parseArgs(argv) {
  const opts = { client: '', url: '', requests: 20_000, inflight: 1, warmup: 1000, dist: path.join(ROOT, 'dist'), bodyLength: -1, maxSeconds: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const v = val();
      if (!/^\d+$/.test(v)) fail(`${a} needs a non-negative integer, got ${v}`);
      return Number(v);
    };
    if (a === '--client') opts.client = val();
    else if (a === '--url') opts.url = val();
    else if (a === '--requests') opts.requests = int();
    else if (a === '--inflight') opts.inflight = Math.max(1, int());
    else if (a === '--warmup') opts.warmup = int();
    else if (a === '--dist') opts.dist = path.resolve(val());
    else if (a === '--body-length') opts.bodyLength = int();
    else if (a === '--max-seconds') opts.maxSeconds = int();
    else fail(`unknown option ${a} (see the header of bench/clients/run.mjs)`);
  }
  if (opts.client === '' || opts.url === '') fail('--client and --url are required');
  return opts;
}

/**
 * N requests, INFLIGHT at a time: INFLIGHT loops share one counter; none is started after
 * DEADLINE (ms since the epoch, 0: none). Returns the requests done and the errors seen.
 */
async function drive(client, n, inflight, bodyLength, deadline = 0) {
  let next = 0;
  const state = { done: 0, errors: 0, firstError: null };
  const loop = async () => {
    while (next < n && state.errors < MAX_ERRORS && (deadline === 0 || Date.now() < deadline)) {
      next++;
      try {
        const len = await client.fetchOne();
        state.done++;
        if (bodyLength >= 0 && len !== bodyLength) throw new Error(`body of ${len} bytes, expected ${bodyLength}`);
      } catch (e) {
        state.errors++;
        state.firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inflight, Math.max(1, n)) }, loop));
  return state;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const client = await makeClient(opts.client, opts.url, opts.inflight, opts.dist);
  try {
    const warm = await drive(client, opts.warmup, opts.inflight, opts.bodyLength);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const run = await drive(client, opts.requests, opts.inflight, opts.bodyLength, opts.maxSeconds > 0 ? Date.now() + opts.maxSeconds * 1000 : 0);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const errors = warm.errors + run.errors;
    console.log(JSON.stringify({
      client: opts.client, inflight: opts.inflight, requests: run.done, ms,
      rps: errors >= MAX_ERRORS ? 0 : run.done / (ms / 1000),
      cpuMs: (cpu.user + cpu.system) / 1000, errors, firstError: warm.firstError ?? run.firstError,
    }));
  } finally {
    await client.close();
  }
}

function fail(msg) {
  console.error(`[clients] error: ${msg}`);
  process.exit(2);
}

await main();
