#!/usr/bin/env node
/**
 * Wall time of `scheme-http -e '(display 1)'` started in several ways, interleaved so that load
 * on the machine hits them alike: median (and quartiles) of N runs each.
 *
 * Usage: node scripts/startup-time.mjs [RUNS]   (default 10)
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const expr = '(display 1)';
const blob = path.join(root, 'dist', 'snapshot', 'scheme-http.blob');

const ways = [
  ['node bin/scheme-http.js -e EXPR (snapshot)', ['bin/scheme-http.js', '-e', expr], {}],
  ['node bin/scheme-http.js -e EXPR (SCHEME_HTTP_SNAPSHOT=0)', ['bin/scheme-http.js', '-e', expr], { SCHEME_HTTP_SNAPSHOT: '0' }],
  ['node --snapshot-blob BLOB -- -e EXPR (no launcher)', ['--snapshot-blob', blob, '--', '-e', expr], {}],
  ['node -e 0 (bare node)', ['-e', '0'], {}],
];

const times = ways.map(() => []);
for (let i = 0; i < runs; i++) {
  ways.forEach(([name, args, env], w) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 || (w < 3 && r.stdout !== '1')) {
      throw new Error(`${name}: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr}`);
    }
    times[w].push(ms);
  });
}

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * p;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
for (const [w, [name]] of ways.entries()) {
  const t = times[w];
  console.log(`${q(t, 0.5).toFixed(0).padStart(5)} ms median  (${q(t, 0.25).toFixed(0)}–${q(t, 0.75).toFixed(0)} IQR, ${runs} runs)  ${name}`);
}
