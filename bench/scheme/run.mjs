#!/usr/bin/env node
// Benchmark of ordinary Scheme programs: scheme-http against CHICKEN 5 (csi and csc -O3) and
// Guile 3, in the same run, on the same inputs. See bench/scheme/README.md.
//
//   node bench/scheme/run.mjs [--rounds N] [--timeout S] [--only a,b] [--impl a,b] [--write]
//                             [--small] [--strict] [--no-install] [--keep-tmp] [--update-expected]
//
// Plain Node ESM, no build step. Every child process runs in its own process group with a
// timeout, and is killed by that group's id when it runs over.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PROGRAMS_DIR = path.join(HERE, 'programs');
const PRELUDE_DIR = path.join(HERE, 'prelude');
const EXPECTED_FILE = path.join(HERE, 'expected.json');
const README = path.join(ROOT, 'bench', 'README.md');
const START_MARK = '<!-- scheme-bench:start -->';
const END_MARK = '<!-- scheme-bench:end -->';
const STARTUP = '(start-up)';
const STARTUP_RUNS = 3;

// The order of the table; any other program in programs/ follows, alphabetically.
const ORDER = [
  'fib', 'tak', 'loop', 'build-list', 'nqueens', 'deriv', 'string-ports', 'strings', 'assoc',
  'vector', 'hashtable-portable', 'mergesort', 'sort', 'mandelbrot', 'records', 'closures',
];

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: node bench/scheme/run.mjs [options]
  --rounds N          interleaved rounds (default 5)
  --timeout S         seconds per run before it is killed and reported as a timeout (default 60)
  --only a,b          programs to run (default: all of bench/scheme/programs/)
  --impl a,b          implementations: scheme-http, csi, csc, guile, guile-interp
                      (default: scheme-http,csi,csc,guile)
  --write             put the results between the scheme-bench markers in bench/README.md
  --small             run every program at its small size (the "; small: N" of its size line)
  --strict            exit non-zero on any error or timeout too, not only on wrong results
  --no-install        do not apt-get install missing implementations
  --keep-tmp          keep the temporary directory (sources, binaries) and print its path
  --update-expected   record the reference results in bench/scheme/expected.json`;

function parseArgs(argv) {
  const o = {
    rounds: 5, timeout: 60, only: null, impl: ['scheme-http', 'csi', 'csc', 'guile'],
    write: false, small: false, strict: false, install: true, keepTmp: false, updateExpected: false,
  };
  const list = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) die(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--rounds': o.rounds = positiveInt(value(), flag); break;
      case '--timeout': o.timeout = positiveNumber(value(), flag); break;
      case '--only': o.only = list(value()); break;
      case '--impl': o.impl = list(value()).map((n) => (n === 'csc-O3' || n === 'csc -O3' ? 'csc' : n)); break;
      case '--write': o.write = true; break;
      case '--small': o.small = true; break;
      case '--strict': o.strict = true; break;
      case '--no-install': o.install = false; break;
      case '--keep-tmp': o.keepTmp = true; break;
      case '--update-expected': o.updateExpected = true; break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: die(`unknown option ${a}\n${USAGE}`);
    }
  }
  for (const n of o.impl) if (!IMPLS[n]) die(`unknown implementation ${n} (known: ${Object.keys(IMPLS).join(', ')})`);
  return o;
}

function positiveInt(v, flag) {
  if (!/^[1-9][0-9]*$/.test(v)) die(`${flag} wants a positive integer, got '${v}'`);
  return Number(v);
}
function positiveNumber(v, flag) {
  const n = Number(v);
  if (!(n > 0)) die(`${flag} wants a positive number, got '${v}'`);
  return n;
}
function die(msg) {
  process.stderr.write(`[scheme-bench] error: ${msg}\n`);
  process.exit(2);
}
function log(msg) {
  process.stderr.write(`[scheme-bench] ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// Implementations. `compile(src, out)` (optional) gives the command that turns a source file into
// `out`; `run(file)` gives the command that runs the source (or what compile made).

const schemeLiteral = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const IMPLS = {
  'scheme-http': {
    label: 'scheme-http', prelude: 'scheme-http.scm', reference: false,
    run: (f) => [process.execPath, [path.join(ROOT, 'bin', 'scheme-http.js'), f]],
  },
  csi: {
    label: 'csi', prelude: 'chicken.scm', reference: true,
    run: (f) => ['csi', ['-s', f]], // -s: -script, which implies -batch -quiet -no-init
  },
  csc: {
    label: 'csc -O3', prelude: 'chicken.scm', reference: true, ext: '.bin',
    compile: (src, out) => ['csc', ['-O3', src, '-o', out]],
    run: (exe) => [exe, []],
  },
  guile: {
    // Guile's normal mode compiles: a script is auto-compiled on first use and the .go loaded
    // afterwards. We compile ahead (same compiler, same default optimization level as
    // auto-compilation) so that no run pays for compiling and nothing is written to ~/.cache.
    label: 'guile', prelude: 'guile.scm', reference: true, ext: '.go',
    compile: (src, out) => ['guile', ['--no-auto-compile', '-c',
      `(use-modules (system base compile)) (compile-file ${schemeLiteral(src)} #:output-file ${schemeLiteral(out)})`]],
    run: (go) => ['guile', ['--no-auto-compile', '-c', `(load-compiled ${schemeLiteral(go)})`]],
  },
  'guile-interp': {
    // Guile's evaluator (no compilation), for comparison with an interpreter; not run by default.
    label: 'guile (interp)', prelude: 'guile.scm', reference: true,
    run: (f) => ['guile', ['--no-auto-compile', '-s', f]],
  },
};
const REFERENCE_ORDER = ['csc', 'csi', 'guile', 'guile-interp'];

// ---------------------------------------------------------------------------------------------
// Child processes

let current = null; // the child group running now, killed if we are interrupted

/** Runs cmd with args; resolves to { status: 'ok'|'error'|'timeout', seconds, code, signal, stdout, stderr }. */
function runChild(cmd, args, { cwd = ROOT, env = process.env, timeoutMs }) {
  return new Promise((resolve) => {
    const cap = 1 << 20;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let t0;
    let child;
    try {
      t0 = process.hrtime.bigint();
      child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ status: 'error', seconds: 0, code: null, signal: null, stdout: '', stderr: String(e.message) });
      return;
    }
    current = child;
    const killGroup = () => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => { timedOut = true; killGroup(); }, timeoutMs);
    child.stdout.on('data', (d) => { if (stdout.length < cap) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < cap) stderr += d; });
    let seconds = 0;
    child.on('exit', () => { seconds = Number(process.hrtime.bigint() - t0) / 1e9; });
    child.on('error', (e) => { stderr += String(e.message); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!seconds) seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      current = null;
      const status = timedOut ? 'timeout' : code === 0 ? 'ok' : 'error';
      resolve({ status, seconds, code, signal, stdout, stderr });
    });
  });
}

function sh(command, timeoutMs = 10_000) {
  return runChild('sh', ['-c', command], { timeoutMs });
}

async function have(cmd) {
  return (await sh(`command -v ${cmd}`)).status === 'ok';
}

// ---------------------------------------------------------------------------------------------
// Tools: install what is missing (as root, with apt-get), build scheme-http if needed.

async function aptInstall(pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing ${pkg} with apt-get`);
  let r = await runChild('apt-get', ['install', '-y', pkg], { env, timeoutMs: 900_000 });
  if (r.status !== 'ok') {
    log(`apt-get install ${pkg} failed; running apt-get update and trying again`);
    await runChild('apt-get', ['update'], { env, timeoutMs: 600_000 });
    r = await runChild('apt-get', ['install', '-y', pkg], { env, timeoutMs: 900_000 });
  }
  if (r.status !== 'ok') log(`apt-get install ${pkg} failed:\n${tail(r.stderr || r.stdout, 5)}`);
  return r.status === 'ok';
}

/** Returns { available: Set of implementation names, notes: [string] }. */
async function prepareTools(opts) {
  const wanted = new Set(opts.impl);
  const notes = [];
  const available = new Set();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const need = [
    { impls: ['csi', 'csc'], cmds: ['csi', 'csc'], pkg: 'chicken-bin' },
    { impls: ['guile', 'guile-interp'], cmds: ['guile'], pkg: 'guile-3.0' },
  ];
  for (const { impls, cmds, pkg } of need) {
    if (!impls.some((i) => wanted.has(i))) continue;
    let ok = true;
    for (const c of cmds) ok = ok && (await have(c));
    if (!ok) {
      if (!opts.install) notes.push(`${cmds.join('/')} missing and --no-install given: ${impls.join(', ')} skipped`);
      else if (!isRoot) notes.push(`${cmds.join('/')} missing and not root (apt-get install ${pkg} needs root): ${impls.join(', ')} skipped`);
      else {
        await aptInstall(pkg);
        ok = true;
        for (const c of cmds) ok = ok && (await have(c));
        if (!ok) notes.push(`${cmds.join('/')} still missing after apt-get install ${pkg}: ${impls.join(', ')} skipped`);
      }
    }
    if (ok) for (const i of impls) if (wanted.has(i)) available.add(i);
  }
  if (wanted.has('scheme-http')) {
    let ok = fs.existsSync(path.join(ROOT, 'dist', 'cli.js'));
    if (!ok) {
      log('dist/cli.js is missing: running npm run build');
      const r = await runChild('npm', ['run', 'build'], { timeoutMs: 900_000 });
      ok = r.status === 'ok' && fs.existsSync(path.join(ROOT, 'dist', 'cli.js'));
      if (!ok) notes.push(`npm run build failed, scheme-http skipped: ${tail(r.stderr || r.stdout, 3)}`);
    }
    if (ok) available.add('scheme-http');
  }
  return { available, notes };
}

async function versions(available) {
  const first = async (cmd) => {
    const r = await sh(cmd);
    return (r.stdout + r.stderr).split('\n').map((l) => l.trim()).find((l) => l) ?? '?';
  };
  const v = {};
  v.uname = await first('uname -srm');
  v.node = process.version;
  v.cpu = (() => {
    try {
      const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m);
      return m ? m[1].trim() : os.cpus()[0]?.model ?? '?';
    } catch { return os.cpus()[0]?.model ?? '?'; }
  })();
  v.cores = os.cpus().length;
  if (available.has('csi') || available.has('csc')) v.chicken = await first("csi -version 2>&1 | grep -i 'version'");
  if (available.has('guile') || available.has('guile-interp')) v.guile = await first('guile --version');
  if (available.has('scheme-http')) {
    try { v.schemeHttp = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version; } catch { v.schemeHttp = '?'; }
    v.schemeHttpCommit = await first(`git -C ${JSON.stringify(ROOT)} rev-parse --short HEAD 2>/dev/null || echo '?'`);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Programs

function listPrograms(only) {
  const files = fs.readdirSync(PROGRAMS_DIR).filter((f) => f.endsWith('.scm')).map((f) => f.slice(0, -4));
  const names = [...ORDER.filter((n) => files.includes(n)), ...files.filter((n) => !ORDER.includes(n)).sort()];
  if (!only) return names;
  for (const n of only) if (!names.includes(n)) die(`no program ${n} (known: ${names.join(', ')})`);
  return names.filter((n) => only.includes(n));
}

const SIZE_LINE = /^\(define size (\d+)\)\s*;\s*small:\s*(\d+)\s*$/m;

/** The program's text, at its small size if asked. */
function programText(name, small) {
  const text = fs.readFileSync(path.join(PROGRAMS_DIR, `${name}.scm`), 'utf8');
  if (!small) return text;
  const m = text.match(SIZE_LINE);
  if (!m) return text;
  return text.replace(SIZE_LINE, `(define size ${m[2]}) ; small size (--small)`);
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const fmtS = (x) => {
  const t = Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 10 ? x.toFixed(2) : x.toFixed(3);
  return t.replace(/^-/, '−'); // a minus sign, not a hyphen, so that "min–max" stays readable
};
const fmtR = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const tail = (s, n) => String(s).trim().split('\n').slice(-n).join(' | ');
const firstLine = (s) => String(s).trim().split('\n').find((l) => l.trim()) ?? '';
const shorten = (s, n = 80) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const MIN_NET = 0.001; // a net time below 1 ms is taken as 1 ms in ratios

function mdTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const programs = listPrograms(opts.only);
  const { available, notes } = await prepareTools(opts);
  const impls = opts.impl.filter((i) => available.has(i));
  for (const n of notes) log(`note: ${n}`);
  if (impls.length === 0) die('no implementation to run');

  const loadBefore = os.loadavg()[0];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-bench-'));
  const cleanup = () => {
    if (current?.pid) { try { process.kill(-current.pid, 'SIGKILL'); } catch { /* gone */ } }
    if (!opts.keepTmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { log(`${sig}: stopping`); cleanup(); process.exit(130); });
  }
  // Guile must not auto-compile into ~/.cache; everything it writes goes to the temp dir.
  const env = { ...process.env, GUILE_AUTO_COMPILE: '0', XDG_CACHE_HOME: path.join(tmp, 'cache') };
  const timeoutMs = opts.timeout * 1000;

  // Cells: cell[program][impl] = { runnable: [cmd, args] | null, samples: [s], outputs: [string], failure: string|null }
  const names = [STARTUP, ...programs];
  const cell = {};
  log(`programs: ${programs.join(', ')}${opts.small ? ' (small sizes)' : ''}`);
  log(`implementations: ${impls.map((i) => IMPLS[i].label).join(', ')}; ${opts.rounds} rounds, timeout ${opts.timeout} s; temp dir ${tmp}`);
  for (const name of names) {
    cell[name] = {};
    const body = name === STARTUP ? ';; empty program: the prelude only, to time start-up\n' : programText(name, opts.small);
    for (const impl of impls) {
      const spec = IMPLS[impl];
      const dir = path.join(tmp, impl);
      fs.mkdirSync(dir, { recursive: true });
      const base = name === STARTUP ? '_startup' : name;
      const src = path.join(dir, `${base}.scm`);
      const prelude = fs.readFileSync(path.join(PRELUDE_DIR, spec.prelude), 'utf8');
      fs.writeFileSync(src, `${prelude}\n${body}`);
      const c = { runnable: null, samples: [], outputs: [], failure: null };
      cell[name][impl] = c;
      let target = src;
      if (spec.compile) {
        const out = path.join(dir, `${base}${spec.ext}`);
        const [cmd, args] = spec.compile(src, out);
        log(`compiling ${name} for ${spec.label}`);
        const r = await runChild(cmd, args, { env, timeoutMs: Math.max(300_000, timeoutMs) });
        if (r.status !== 'ok' || !fs.existsSync(out)) {
          c.failure = `compile ${r.status === 'timeout' ? 'timeout' : 'error'}: ${shorten(firstLine(r.stderr || r.stdout))}`;
          log(`  ${c.failure}`);
          continue;
        }
        target = out;
      }
      c.runnable = spec.run(target);
    }
  }

  // Interleaved rounds: every program on every implementation, then again.
  const runCell = async (round, name, impl) => {
    const c = cell[name][impl];
    if (!c.runnable || c.failure) return; // a timeout or error is not run again
    const [cmd, args] = c.runnable;
    const r = await runChild(cmd, args, { env, timeoutMs });
    const out = r.stdout.replace(/\s+$/, '');
    const where = `round ${round}/${opts.rounds}  ${name.padEnd(18)} ${IMPLS[impl].label.padEnd(14)}`;
    if (r.status === 'ok') {
      c.samples.push(r.seconds);
      c.outputs.push(out);
      log(`${where} ${fmtS(r.seconds).padStart(8)} s  ${shorten(out, 60)}`);
    } else if (r.status === 'timeout') {
      c.failure = `timeout (> ${opts.timeout} s)`;
      c.timeout = true;
      log(`${where}  TIMEOUT after ${opts.timeout} s`);
    } else {
      const why = firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.code ?? r.signal}`;
      c.failure = `error: ${shorten(why)}`;
      log(`${where}  ERROR (exit ${r.code ?? r.signal}): ${tail(r.stderr || r.stdout, 3)}`);
    }
  };
  for (let round = 1; round <= opts.rounds; round++) {
    for (const name of names) {
      for (const impl of impls) {
        // The empty program's median is subtracted from every other time, so it is timed
        // STARTUP_RUNS times a round rather than resting on one sample.
        const times = name === STARTUP ? STARTUP_RUNS : 1;
        for (let i = 0; i < times; i++) await runCell(round, name, impl);
      }
    }
  }

  // ---- results
  const startup = {};
  for (const impl of impls) {
    const s = cell[STARTUP][impl].samples;
    startup[impl] = s.length ? median(s) : 0;
  }
  const expected = fs.existsSync(EXPECTED_FILE) ? JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf8')) : {};
  const mode = opts.small ? 'small' : 'full';
  const problems = [];
  const reference = {};
  for (const name of programs) {
    const refImpl = REFERENCE_ORDER.find((i) => impls.includes(i) && cell[name][i].outputs.length > 0);
    const want = expected[name]?.[mode];
    reference[name] = refImpl ? { impl: refImpl, output: cell[name][refImpl].outputs[0] } : want !== undefined ? { impl: 'expected.json', output: want } : null;
    if (refImpl && want !== undefined && !opts.updateExpected && reference[name].output !== want) {
      problems.push(`MISMATCH ${name}: ${IMPLS[refImpl].label} printed ${JSON.stringify(shorten(reference[name].output, 200))}, expected.json has ${JSON.stringify(shorten(want, 200))}`);
    }
    for (const impl of impls) {
      const c = cell[name][impl];
      c.net = c.samples.map((s) => s - startup[impl]);
      const ref = reference[name];
      if (!ref) continue;
      const bad = c.outputs.find((o) => o !== ref.output);
      if (bad !== undefined) {
        c.mismatch = true;
        problems.push(`MISMATCH ${name}: ${IMPLS[impl].label} printed ${JSON.stringify(shorten(bad, 200))}, ${ref.impl === 'expected.json' ? 'expected.json has' : `${IMPLS[ref.impl].label} printed`} ${JSON.stringify(shorten(ref.output, 200))}`);
      }
      if (c.failure && (IMPLS[impl].reference || opts.strict)) problems.push(`${IMPLS[impl].label} on ${name}: ${c.failure}`);
    }
  }
  for (const impl of impls) {
    const c = cell[STARTUP][impl];
    if (c.failure && (IMPLS[impl].reference || opts.strict)) problems.push(`${IMPLS[impl].label} cannot run the empty program (${c.failure}); its times are not start-up corrected`);
    else if (c.failure) notes.push(`${IMPLS[impl].label} cannot run the empty program (${c.failure}); its times are not start-up corrected`);
  }

  const showCell = (c) => {
    if (c.mismatch) return 'WRONG RESULT';
    if (c.net.length === 0) return c.failure ?? 'not run';
    const med = median(c.net);
    const spread = c.net.length > 1 ? ` (${fmtS(Math.min(...c.net))}–${fmtS(Math.max(...c.net))})` : '';
    return `${fmtS(med)}${spread}${c.failure ? `, then ${c.failure}` : ''}`;
  };
  const timesTable = mdTable(
    ['program', ...impls.map((i) => IMPLS[i].label)],
    [
      ...programs.map((name) => [name, ...impls.map((i) => showCell(cell[name][i]))]),
      ['*start-up (subtracted)*', ...impls.map((i) => {
        const c = cell[STARTUP][i];
        return c.samples.length ? `*${fmtS(startup[i])}*` : `*${c.failure ?? 'not run'}*`;
      })],
    ],
  );

  // Ratios: a ÷ b per program; a timeout of a gives a lower bound.
  const netMedian = (name, impl) => {
    const c = cell[name][impl];
    if (c.mismatch || c.net.length === 0) return null;
    return Math.max(median(c.net), MIN_NET);
  };
  const ratio = (name, a, b) => {
    const y = netMedian(name, b);
    if (y === null) return { text: 'n/a' };
    const x = netMedian(name, a);
    if (x !== null) return { value: x / y, text: fmtR(x / y) };
    const ca = cell[name][a];
    if (ca.mismatch) return { text: 'wrong result' };
    if (ca.timeout) return { lower: true, text: `> ${fmtR(Math.max(opts.timeout - startup[a], MIN_NET) / y)}` };
    return { text: ca.failure?.startsWith('error') ? 'error' : 'n/a' };
  };
  const pairs = [];
  if (impls.includes('scheme-http')) {
    if (impls.includes('csi')) pairs.push(['scheme-http', 'csi']);
    if (impls.includes('csc')) pairs.push(['scheme-http', 'csc']);
    if (impls.includes('guile')) pairs.push(['scheme-http', 'guile']);
  }
  for (const other of ['csi', 'guile', 'guile-interp']) if (impls.includes(other) && impls.includes('csc')) pairs.push([other, 'csc']);
  let ratioTable = '';
  const geo = {};
  if (pairs.length) {
    const rows = programs.map((name) => [name, ...pairs.map(([a, b]) => ratio(name, a, b).text)]);
    const geoRow = ['**geometric mean**'];
    for (const [a, b] of pairs) {
      const vals = programs.map((n) => ratio(n, a, b)).filter((r) => r.value !== undefined).map((r) => r.value);
      const g = vals.length ? geomean(vals) : null;
      geo[`${a}/${b}`] = { value: g, n: vals.length };
      geoRow.push(g === null ? 'n/a' : `**${fmtR(g)}**${vals.length < programs.length ? ` (${vals.length} of ${programs.length} programs)` : ''}`);
    }
    rows.push(geoRow);
    ratioTable = mdTable(['program', ...pairs.map(([a, b]) => `${IMPLS[a].label} ÷ ${IMPLS[b].label}`)], rows);
  }

  // The targets of the compiler work.
  const verdict = [];
  if (impls.includes('scheme-http') && impls.includes('csi')) {
    const rs = programs.map((n) => ratio(n, 'scheme-http', 'csi'));
    const ok = rs.filter((r) => r.value !== undefined && r.value <= 1).length;
    verdict.push(`scheme-http at least as fast as csi on every program: ${ok === programs.length ? '**met**' : `**not met** (${ok} of ${programs.length} programs)`}`);
  }
  if (impls.includes('scheme-http') && impls.includes('csc')) {
    const g = geo['scheme-http/csc'];
    const complete = g && g.value !== null && g.n === programs.length;
    verdict.push(`geometric mean of scheme-http ÷ csc -O3 within 3: ${complete && g.value <= 3 ? '**met**' : '**not met**'} (${g && g.value !== null ? `${fmtR(g.value)} over ${g.n} of ${programs.length} programs` : 'no program finished'})`);
  }

  const v = await versions(new Set(impls));
  const cmdLine = ['node', 'bench/scheme/run.mjs', ...process.argv.slice(2)].join(' ');
  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const envLines = [
    `Run ${when} with \`${cmdLine}\`: ${opts.rounds} interleaved round${opts.rounds > 1 ? 's' : ''}, timeout ${opts.timeout} s` +
      `${opts.small ? '; small sizes, which check results and plumbing: their times mean little' : ''}.`,
    `Machine: \`${v.uname}\`, ${v.cpu} (${v.cores} cores), load average ${loadBefore.toFixed(1)} before the run and ` +
      `${os.loadavg()[0].toFixed(1)} after it. Node ${v.node}` +
      (v.chicken ? `; CHICKEN ${v.chicken.replace(/^Version\s*/i, '')}` : '') +
      (v.guile ? `; ${v.guile}` : '') +
      (v.schemeHttp ? `; scheme-http ${v.schemeHttp} at ${v.schemeHttpCommit}` : '') + '.',
  ];
  const report = [
    ...envLines.flatMap((l) => [l, '']),
    'Seconds per run, start-up subtracted: median over the rounds (min–max). A run that timed out or failed is not run again in later rounds.',
    '',
    timesTable,
    '',
    ...(ratioTable ? ['Ratios of the medians (below 1: the first one is faster; "> N": it timed out, so N is a lower bound).', '', ratioTable, ''] : []),
    ...verdict.map((l) => `- ${l}`),
    ...(verdict.length ? [''] : []),
    ...notes.map((n) => `- note: ${n}`),
    ...problems.map((p) => `- **${p}**`),
  ].join('\n').replace(/\n+$/, '');

  console.log(report);

  if (problems.length) {
    process.stderr.write(`\n[scheme-bench] ${problems.length} problem(s):\n${problems.map((p) => `  !! ${p}`).join('\n')}\n`);
  }

  if (opts.updateExpected) {
    const next = { ...expected };
    let changed = 0;
    for (const name of programs) {
      const outs = impls.filter((i) => IMPLS[i].reference).flatMap((i) => cell[name][i].outputs);
      const ref = reference[name];
      if (!ref || ref.impl === 'expected.json' || outs.length === 0 || outs.some((o) => o !== outs[0])) {
        log(`expected.json: ${name} not recorded (no agreeing reference result)`);
        continue;
      }
      next[name] = { ...(next[name] ?? {}), [mode]: outs[0] };
      changed++;
    }
    const sorted = Object.fromEntries(Object.keys(next).sort().map((k) => [k, next[k]]));
    fs.writeFileSync(EXPECTED_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
    log(`expected.json: ${changed} result(s) recorded (${mode})`);
  }

  if (opts.write) {
    const section = `${START_MARK}\n${report}\n${END_MARK}`;
    let text = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : '';
    const a = text.indexOf(START_MARK);
    const b = text.indexOf(END_MARK);
    if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + END_MARK.length);
    else text = `${text.replace(/\n*$/, '\n\n')}## Scheme programs: scheme-http, CHICKEN 5 and Guile 3\n\nSee \`bench/scheme/README.md\`.\n\n${section}\n`;
    fs.writeFileSync(README, text);
    log(`results written to ${path.relative(process.cwd(), README) || README}`);
  }

  cleanup();
  if (opts.keepTmp) log(`kept ${tmp}`);
  // Wrong results always fail the run, and so do errors and timeouts of CHICKEN and Guile (the
  // programs must run there); those of scheme-http only with --strict.
  process.exit(problems.length > 0 ? 1 : 0);
}

await main();
