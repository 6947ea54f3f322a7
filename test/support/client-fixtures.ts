/**
 * Test support for the client suites: a scripted raw-TCP server (it reads requests and answers
 * whatever bytes a test wants, well-formed or not), child-process servers (python3 -m http.server,
 * nginx) on 127.0.0.1 with a free port, and a throw-away self-signed certificate. Every wait is
 * bounded; every server and child process started here has a stop function that kills it by PID.
 */
import net from 'node:net';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile, type ChildProcess } from 'node:child_process';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls PRED every 20 ms until it holds; throws after MS. */
export async function waitUntil(pred: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function tempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), `scheme-http-${prefix}-`));
}

export async function removeDir(dir: string | null): Promise<void> {
  if (dir !== null) await fsp.rm(dir, { recursive: true, force: true });
}

/** A port that was free a moment ago on 127.0.0.1 (for child servers that need a port number up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Scripted raw-TCP server

/** One request as a scripted server received it. */
export interface RawRequest {
  /** The head as received, CRLFs included, up to and including the blank line. */
  head: string;
  requestLine: string;
  /** Header lines as [name, value], names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export class ScriptedConnection {
  readonly socket: net.Socket;
  /** Index of this connection on its server (0 for the first accepted). */
  readonly index: number;
  readonly requests: RawRequest[] = [];
  /** Every byte received, as latin1. */
  received = '';
  closed = false;
  private pending = Buffer.alloc(0);

  constructor(socket: net.Socket, index: number) {
    this.socket = socket;
    this.index = index;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  end(data?: string | Buffer): void {
    if (this.socket.destroyed) return;
    if (data !== undefined) this.write(data);
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Feeds bytes; returns the requests completed by them. */
  feed(chunk: Buffer): RawRequest[] {
    this.received += chunk.toString('latin1');
    this.pending = Buffer.concat([this.pending, chunk]);
    const out: RawRequest[] = [];
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end === -1) break;
      const head = this.pending.subarray(0, end + 4).toString('latin1');
      const lines = head.slice(0, -4).split('\r\n');
      const headers = lines.slice(1).map((l): [string, string] => {
        const c = l.indexOf(':');
        return [l.slice(0, c), l.slice(c + 1).trim()];
      });
      const cl = headers.find(([n]) => n.toLowerCase() === 'content-length');
      const len = cl === undefined ? 0 : Number(cl[1]);
      if (this.pending.length < end + 4 + len) break;
      const body = Buffer.from(this.pending.subarray(end + 4, end + 4 + len));
      this.pending = this.pending.subarray(end + 4 + len);
      const req: RawRequest = { head, requestLine: lines[0]!, headers, body };
      this.requests.push(req);
      out.push(req);
    }
    return out;
  }
}

/** Called for each complete request; N is its index on its connection (0 for the first). */
export type ScriptHandler = (conn: ScriptedConnection, req: RawRequest, n: number) => void | Promise<void>;

/**
 * A raw TCP server on 127.0.0.1 that parses request heads (and Content-Length bodies) and lets
 * the test answer with any bytes at all.
 */
export class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  private readonly server: net.Server;

  private constructor(server: net.Server) {
    this.server = server;
  }

  static start(handler: ScriptHandler, onConnection?: (conn: ScriptedConnection) => void): Promise<ScriptedServer> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ allowHalfOpen: false });
      const self = new ScriptedServer(server);
      server.on('connection', (socket) => {
        const conn = new ScriptedConnection(socket, self.connections.length);
        self.connections.push(conn);
        socket.on('error', () => undefined);
        socket.on('close', () => { conn.closed = true; });
        socket.on('data', (chunk: Buffer) => {
          for (const req of conn.feed(chunk)) {
            void Promise.resolve(handler(conn, req, conn.requests.length - 1)).catch(() => conn.destroy());
          }
        });
        onConnection?.(conn);
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(self));
    });
  }

  get port(): number {
    const addr = this.server.address();
    return addr !== null && typeof addr === 'object' ? addr.port : 0;
  }

  /** Every request received, over all connections, in arrival order per connection. */
  get requests(): RawRequest[] {
    return this.connections.flatMap((c) => c.requests);
  }

  /** Connections not closed yet. */
  get openCount(): number {
    return this.connections.filter((c) => !c.closed).length;
  }

  /** Destroys every connection and stops listening. */
  close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A whole response with a Content-Length, as raw text. */
export function rawResponse(status: string, headers: Array<[string, string]>, body = ''): string {
  let s = `HTTP/1.1 ${status}\r\n`;
  for (const [n, v] of headers) s += `${n}: ${v}\r\n`;
  return `${s}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface ChildServer {
  port: number;
  child: ChildProcess;
  /** What the child wrote on stderr so far. */
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Kills CHILD by its PID (SIGTERM, then SIGKILL after MS) and waits for it to exit. */
export async function stopChild(child: ChildProcess, ms = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const timer = sleep(ms).then(() => 'late' as const);
  if (await Promise.race([exited.then(() => 'done' as const), timer]) === 'late') {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([exited, sleep(1000)]);
  }
}

/** Resolves once 127.0.0.1:PORT accepts a connection; throws if CHILD exits first or MS pass. */
export async function waitForPort(port: number, child: ChildProcess, stderr: () => string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server process exited (${child.exitCode ?? child.signalCode}) before listening: ${stderr().slice(0, 2000)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      const t = setTimeout(() => { s.destroy(); resolve(false); }, 500);
      s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
      s.once('error', () => { clearTimeout(t); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms: ${stderr().slice(0, 2000)}`);
    await sleep(50);
  }
}

function spawnServer(cmd: string, args: string[], port: number, cwd?: string): Promise<ChildServer> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => { if (err.length < 100_000) err += c.toString(); });
  child.on('error', (e) => { err += `\nspawn failed: ${e.message}`; });
  const stderr = (): string => err;
  const server: ChildServer = { port, child, stderr, stop: () => stopChild(child) };
  return waitForPort(port, child, stderr).then(() => server, async (e: unknown) => {
    await stopChild(child);
    throw e;
  });
}

/** `python3 -m http.server PORT --bind 127.0.0.1 --directory DIR` (HTTP/1.0). */
export async function startPythonServer(dir: string): Promise<ChildServer> {
  const port = await freePort();
  return spawnServer('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], port);
}

/** The nginx binary, or null when none is installed. */
export function findNginx(): string | null {
  const candidates = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/usr/local/nginx/sbin/nginx'];
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (dir !== '') candidates.push(path.join(dir, 'nginx'));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  return null;
}

export interface NginxServer extends ChildServer {
  /** The temp dir nginx runs in (its prefix); documents are under `www/`. */
  dir: string;
  /** The access log so far. */
  accessLog: () => Promise<string>;
}

/**
 * Runs nginx on 127.0.0.1 from the config TEMPLATE (`__PORT__` and `__DIR__` filled in), its pid
 * file, logs and temp paths in DIR, serving DIR/www (FILES are written there first).
 */
export async function startNginx(binary: string, template: string, dir: string, files: Record<string, string | Buffer>): Promise<NginxServer> {
  const port = await freePort();
  // nginx started as root hands requests to an unprivileged worker user: let it read the docs.
  await fsp.chmod(dir, 0o755);
  await fsp.mkdir(path.join(dir, 'www'), { recursive: true, mode: 0o755 });
  await fsp.mkdir(path.join(dir, 'tmp'), { recursive: true, mode: 0o755 });
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, 'www', name);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await fsp.writeFile(file, content, { mode: 0o644 });
  }
  const conf = (await fsp.readFile(template, 'utf8')).replaceAll('__PORT__', String(port)).replaceAll('__DIR__', dir);
  const confPath = path.join(dir, 'nginx.conf');
  await fsp.writeFile(confPath, conf);
  const server = await spawnServer(binary, ['-p', dir + '/', '-c', confPath, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], port, dir);
  return {
    ...server,
    dir,
    accessLog: async () => {
      try { return await fsp.readFile(path.join(dir, 'access.log'), 'utf8'); } catch { return ''; }
    },
  };
}

/** A self-signed certificate for localhost and 127.0.0.1, valid one day, made with openssl in DIR. */
export function makeSelfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  return new Promise((resolve, reject) => {
    execFile('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1',
      '-keyout', keyPath, '-out', certPath,
    ], { timeout: 15_000 }, (err, _stdout, stderr) => {
      if (err) { reject(new Error(`openssl failed: ${err.message} ${stderr}`)); return; }
      resolve({ key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8') });
    });
  });
}
