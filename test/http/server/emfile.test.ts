/**
 * Out of descriptors (issue 9): a server in a child process under `ulimit -n 64`, driven over
 * real loopback sockets until it has no descriptor left.
 * - Idle keep-alive connections cannot lock new clients out: near the limit each new connection
 *   closes the oldest idle one, so every new client is answered.
 * - Busy connections (heads still arriving) that use up every descriptor: new connections are
 *   closed without an answer (libuv's EMFILE handling), the process neither crashes nor spins,
 *   and it answers again as soon as descriptors are free.
 * - The soft limit, lowered from outside, is raised back to the hard one when the server starts.
 * The child is killed by its PID after each test; every socket is destroyed.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const LIMIT = 64;
const HAS_PRLIMIT = spawnSync('prlimit', ['--version']).status === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The child: our server, its debug lines on stderr, its port and limits on stdout. */
const CHILD = `
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from ${JSON.stringify(path.join(ROOT, 'src/http/index.ts'))};
const limits = () => /^Max open files\\s+(\\S+)\\s+(\\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1')).slice(1, 3).map(Number);
// Lowered from outside, as an embedder or an operator might leave it: start() must raise it again.
if (process.env.LOWER_SOFT) spawnSync('prlimit', ['--pid', String(process.pid), '--nofile=' + process.env.LOWER_SOFT + ':${LIMIT}']);
const before = limits();
const server = createServer({ host: '127.0.0.1', port: 0, debug: (line) => process.stderr.write(line + '\\n') });
server.config.limits.idleTimeout = 60_000;
server.config.limits.headTimeout = 60_000;
server.config.errorHook = (e) => { process.stderr.write('error-hook: ' + String(e) + '\\n'); };
server.addResource('/', (_request, _args, ex) => { ex.write('Content-type: text/plain\\r\\nContent-length: 3\\r\\n\\r\\nok\\n'); });
await server.start();
process.stdout.write(JSON.stringify({ port: server.port, before, after: limits(), open: fs.readdirSync('/proc/self/fd').length - 1 }) + '\\n');
`;

interface Started { port: number; before: number[]; after: number[]; open: number }

let dir = '';
let child: ChildProcess | null = null;
let stderr = '';
const sockets = new Set<net.Socket>();

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emfile-'));
  fs.writeFileSync(path.join(dir, 'server.mts'), CHILD);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  if (child !== null && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
  child = null;
});

/** Starts the child under `ulimit -n LIMIT` (exec: the shell's PID becomes node's). */
async function startChild(env: Record<string, string> = {}): Promise<Started> {
  stderr = '';
  const c = spawn('sh', ['-c', `ulimit -n ${LIMIT} && exec node --import tsx "$0"`, path.join(dir, 'server.mts')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  child = c;
  c.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the child did not start within 15 s: ${stderr}`)), 15_000);
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) { clearTimeout(timer); resolve(JSON.parse(out.slice(0, nl)) as Started); }
    });
    c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the child exited (${code}): ${stderr}`)); });
  });
}

type Outcome = 'answered' | 'closed' | 'timeout';

/** A connection that asks GET / once; on 'answered' it stays open (idle keep-alive). */
function ask(port: number, ms = 3000): Promise<{ outcome: Outcome; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.add(socket);
    let data = '';
    const done = (outcome: Outcome): void => { clearTimeout(timer); resolve({ outcome, socket }); };
    const timer = setTimeout(() => done('timeout'), ms);
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      if (/^HTTP\/1\.1 200 [^]*\r\n\r\nok\n$/.test(data)) done('answered');
    });
    socket.on('error', () => undefined); // a reset shows as 'close' below
    socket.on('close', () => done('closed'));
  });
}

/** CPU time the child used, in clock ticks (utime + stime, /proc/PID/stat). */
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe.skipIf(process.platform !== 'linux')('out of descriptors', () => {
  it('idle keep-alive connections cannot lock new clients out: the oldest idle ones are closed', async () => {
    const started = await startChild();
    expect(started.after).toEqual([LIMIT, LIMIT]);
    const total = LIMIT + 20; // more connections than the process could ever hold at once
    const held: net.Socket[] = [];
    const closedAt: number[] = [];
    for (let i = 0; i < total; i++) {
      const { outcome, socket } = await ask(started.port);
      expect(outcome, `connection ${i}`).toBe('answered');
      socket.on('close', () => closedAt.push(i));
      held.push(socket);
    }
    await sleep(200);
    // At most LIMIT descriptors: at least total - LIMIT of the held ones were closed by the server…
    expect(closedAt.length).toBeGreaterThanOrEqual(total - LIMIT);
    // … and those were the oldest.
    expect([...closedAt].sort((a, b) => a - b)).toEqual(Array.from({ length: closedAt.length }, (_, i) => i));
    expect(stderr.match(/closed idle connection/g)?.length).toBe(closedAt.length);
    // The newest held connection is still usable.
    const last = held[held.length - 1]!;
    const again = new Promise<string>((resolve) => {
      let data = '';
      last.removeAllListeners('data');
      last.on('data', (d: Buffer) => { data += d.toString('latin1'); if (data.endsWith('ok\n')) resolve(data); });
    });
    last.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await again).toMatch(/^HTTP\/1\.1 200 /);
    expect(child!.exitCode).toBeNull();
    expect(stderr).not.toMatch(/error-hook|Error:/);
  });

  it('with every descriptor held by busy connections: new ones are closed, no crash, no spinning, served again once freed', async () => {
    const started = await startChild();
    const pid = child!.pid!;
    // Heads that never end: busy connections, which the server must not close to make room.
    const busy = await Promise.all(Array.from({ length: LIMIT + 10 }, () => new Promise<{ socket: net.Socket; closed: () => boolean }>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: started.port });
      sockets.add(socket);
      let closed = false;
      socket.on('error', () => undefined);
      socket.on('close', () => { closed = true; });
      socket.on('connect', () => { socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); resolve({ socket, closed: () => closed }); });
    })));
    await sleep(500);
    const refused = busy.filter((b) => b.closed()).length;
    // Those past the limit were accepted and closed at once (libuv's EMFILE handling) …
    expect(refused).toBeGreaterThanOrEqual(10);
    // … and so is a new client, promptly, rather than left hanging.
    for (let i = 0; i < 3; i++) expect((await ask(started.port)).outcome).toBe('closed');
    // Exhausted, the process is idle: no accept loop spinning on EMFILE.
    const t0 = cpuTicks(pid);
    await sleep(1000);
    const ticks = cpuTicks(pid) - t0;
    expect(ticks, `${ticks} clock ticks of CPU in 1 s while out of descriptors`).toBeLessThan(30);
    expect(child!.exitCode).toBeNull();
    // Descriptors free again: the same listener answers.
    for (const b of busy) b.socket.destroy();
    let outcome: Outcome = 'closed';
    for (let i = 0; i < 50 && outcome !== 'answered'; i++) {
      outcome = (await ask(started.port, 1000)).outcome;
      if (outcome !== 'answered') await sleep(100);
    }
    expect(outcome).toBe('answered');
    expect(child!.exitCode).toBeNull();
    expect(stderr).not.toMatch(/Error:/);
  });

  it.skipIf(!HAS_PRLIMIT)('start() raises a lowered soft open-file limit back to the hard one', async () => {
    const started = await startChild({ LOWER_SOFT: '40' });
    expect(started.before).toEqual([40, LIMIT]);
    expect(started.after).toEqual([LIMIT, LIMIT]);
    expect((await ask(started.port)).outcome).toBe('answered');
  });
});
