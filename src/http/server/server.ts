/**
 * `http:make-server` in TypeScript: a listening socket, its connections, the sweep that
 * enforces their deadlines, and the guard that keeps descriptors free for new connections.
 * What requests do is in the ServerConfig; how one connection is served is in Connection.
 *
 * Out of descriptors (EMFILE): libuv never busy-loops on it. When accept() fails with EMFILE it
 * closes a descriptor it keeps in reserve, accepts every pending connection and closes it at
 * once, then takes its reserve back (uv__emfile_trick in src/unix/stream.c), so those clients
 * see their connection closed without an answer and the listener stays up; Node emits 'error'
 * only if that trick fails, and we handle it without closing. Measured with a server under
 * `ulimit -n 64` (test/http/server/emfile.test.ts). Node offers no way to pause accepting, so
 * the server keeps a few descriptors free instead: near the limit each new connection closes the
 * oldest idle keep-alive connection (RFC 9112 §9.5 lets a server close an idle connection at any
 * time; clients retry), so an idle crowd cannot lock new clients out.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HttpUsageError } from '../errors.js';
import { ServerConfig, listenError, validateServerOptions } from './config.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { ServerIdentity } from './exchange.js';
import { bufferedStderrLog } from './debug-log.js';
import { countOpenDescriptors, raiseDescriptorLimit } from './fd-limit.js';
import type { TrustedProxies } from './forwarded.js';
import type { MaybePromise, ResourceHandler } from './types.js';

/** How long a new connection that has sent nothing yet is safe from being closed to free its descriptor. */
const SILENT_GRACE_MS = 1000;

export interface ServerOptions {
  /** Port to listen on; 0 (the default) picks a free one, see `server.port`. */
  port?: number;
  /** `Server:` header and error-page signature. Default `(Silly)`. */
  serverName?: string;
  /** Shown on error pages. Default `localhost`. */
  location?: string;
  /** Accepted for the egg's signature; ignored (responses use the request's protocol). */
  protocol?: string | null;
  /**
   * Listen backlog. Default 511, as node:http's (../shared/SEMANTICS.md): with 40 the kernel drops
   * SYNs under a few dozen concurrent connects and clients wait a second to retry.
   */
  backlog?: number;
  /** Address to bind (the egg's RESTRICTHOST). Default: every interface, IPv6 and IPv4. */
  host?: string | null;
  /** Called after the socket listens, before the startup hook and the first request. */
  init?: (() => MaybePromise<unknown>) | null;
  /** Resources, handlers, hooks and limits; a fresh one by default. */
  config?: ServerConfig;
  /** One line per request on stderr (true), or to this function. */
  debug?: boolean | ((line: string) => void);
  /** Serve HTTPS with these TLS options (key, cert …). */
  tls?: tls.TlsOptions | null;
  /**
   * Descriptors kept free below the open-file limit: once open descriptors reach the limit less
   * this many, each new connection closes the oldest idle keep-alive connection. Default 1/32 of
   * the limit, at least 8 and at most 256.
   */
  descriptorReserve?: number;
  /**
   * Proxies whose X-Forwarded-For (or Forwarded) names the client: addresses and CIDR blocks, or
   * a TrustedProxies. `request.ip` is then the rightmost address no trusted proxy wrote. Default: none.
   */
  trustedProxies?: readonly string[] | TrustedProxies;
}

export class Server implements ServerIdentity {
  readonly config: ServerConfig;
  readonly serverName: string;
  readonly location: string;
  private readonly options: ServerOptions;
  private listener: net.Server | null = null;
  /**
   * Open connections, in accept order, with when each was accepted: whole ms of
   * performance.now(), a small integer V8 stores inline (Date.now() would be a 16-byte heap number
   * per connection).
   */
  private readonly connections = new Map<Connection, number>();
  private readonly waiting: net.Socket[] = [];
  /** Every accepted TCP socket, before any TLS handshake. */
  private readonly rawSockets = new Set<net.Socket>();
  private ready = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopPromise: Promise<void> | null = null;
  private resolveClosed!: () => void;
  private readonly host: ConnectionHost & { stopping: boolean };
  private isStopping = false;
  /** The soft open-file limit (Infinity where unknown) and how many descriptors to keep free. */
  private descriptorLimit = Infinity;
  private descriptorReserve = 0;
  /** Descriptors open besides our accepted sockets, as last counted, and when that was. */
  private otherDescriptors = 0;
  private descriptorsCountedAt = 0;
  /** Connections closed to free a descriptor, until their close is seen (their fd is gone already). */
  private readonly shed = new Set<Connection>();
  /** Resolves once the server has stopped and every connection is closed. */
  readonly closed: Promise<void>;

  constructor(options: ServerOptions = {}) {
    this.options = options;
    this.config = options.config ?? new ServerConfig();
    if (options.trustedProxies !== undefined) this.config.trustedProxies = options.trustedProxies;
    this.serverName = options.serverName ?? '(Silly)';
    this.location = options.location ?? 'localhost';
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    const debug = options.debug === true ? bufferedStderrLog() : typeof options.debug === 'function' ? options.debug : null;
    // `stopping` is a plain field (set by stop()), not a getter: it is read on every request.
    this.host = {
      config: this.config,
      identity: this,
      debug,
      stopping: false,
      connectionClosed: (conn) => this.onConnectionClosed(conn),
    };
  }

  /** The bound port (after `start`). */
  get port(): number {
    const addr = this.listener?.address();
    return addr !== null && typeof addr === 'object' ? addr.port : this.options.port ?? 0;
  }

  address(): net.AddressInfo | null {
    const addr = this.listener?.address();
    return addr !== null && typeof addr === 'object' ? addr : null;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Listens, calls INIT and the startup hook, then accepts. Resolves once requests are served.
   * Rejects with the listen error (e.g. EADDRINUSE) or what INIT or the hook raised.
   */
  async start(): Promise<this> {
    if (this.listener !== null) throw new HttpUsageError('this server is already started');
    const onConnection = (socket: net.Socket): void => this.onConnection(socket);
    const listenOptions: net.ListenOptions = { port: this.options.port ?? 0, backlog: this.options.backlog ?? 511 };
    if (this.options.host != null) listenOptions.host = this.options.host;
    const listen = this.config.transport.listen;
    let listener: net.Server;
    if (listen !== undefined) {
      // A listener made by the program (`http:listen-procedure`): we take its connections.
      listener = await listen(listenOptions);
      listener.on(listener instanceof tls.Server ? 'secureConnection' : 'connection', onConnection);
    } else {
      listener = this.options.tls
        ? tls.createServer({ handshakeTimeout: this.config.limits.headTimeout, ...this.options.tls, allowHalfOpen: true }, onConnection)
        : net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    }
    this.listener = listener;
    // Runs after onConnection, so the newest Connection exists already (and is never the one shed).
    // One 'close' listener shared by every socket (it gets the socket as `this`): a closure and a
    // once() wrapper per connection cost ~200 bytes each of 10,000 idle connections.
    const rawSockets = this.rawSockets;
    function onRawClose(this: net.Socket): void { rawSockets.delete(this); }
    listener.on('connection', (raw: net.Socket) => {
      rawSockets.add(raw);
      raw.on('close', onRawClose);
      this.guardDescriptors(raw);
    });
    if (!listener.listening) {
      await new Promise<void>((resolve, reject) => {
        // A typed error with a code (address-in-use, permission-denied …) and what to do about it.
        const onError = (e: Error): void => reject(listenError(e, listenOptions.host, listenOptions.port));
        listener.once('error', onError);
        listener.listen(listenOptions, () => { listener.off('error', onError); resolve(); });
      });
    }
    // An accept error (EMFILE when libuv's reserve trick fails) is reported; the listener stays open.
    listener.on('error', (e) => this.onListenerError(e));
    this.initDescriptorGuard();
    try {
      if (this.options.init) await this.options.init();
      if (this.config.startupHook !== null) await this.config.startupHook();
    } catch (e) {
      await this.stop();
      throw e;
    }
    this.ready = true;
    this.scheduleSweep();
    for (const socket of this.waiting.splice(0)) this.accept(socket);
    return this;
  }

  /** Stops accepting; idle connections close now, busy ones after their response. */
  stop(options: { timeout?: number } = {}): Promise<void> {
    if (this.stopPromise !== null) return this.stopPromise;
    this.isStopping = true;
    this.host.stopping = true;
    const listener = this.listener;
    this.stopPromise = (async () => {
      const listenerClosed = listener === null ? Promise.resolve()
        : new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const s of this.waiting.splice(0)) s.destroy();
      for (const conn of this.connections.keys()) conn.shutdown();
      let force: NodeJS.Timeout | null = null;
      if (options.timeout !== undefined) {
        force = setTimeout(() => { for (const c of this.connections.keys()) c.destroy(); }, options.timeout);
      }
      while (this.connections.size > 0) await new Promise<void>((resolve) => { this.drainWaiter = resolve; });
      if (force !== null) clearTimeout(force);
      // What is left was never a connection of ours (e.g. a TLS handshake that never finished).
      for (const raw of this.rawSockets) raw.destroy();
      await listenerClosed;
      if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
      this.resolveClosed();
    })();
    return this.stopPromise;
  }

  private drainWaiter: (() => void) | null = null;

  private onConnection(socket: net.Socket): void {
    if (this.isStopping) { socket.destroy(); return; }
    if (!this.ready) { this.waiting.push(socket); return; }
    this.accept(socket);
  }

  private accept(raw: net.Socket): void {
    const transport = this.config.transport;
    let socket: net.Socket | null = raw;
    let ip: string;
    try {
      if (transport.accept !== undefined) socket = transport.accept(raw);
      if (socket === null) { raw.destroy(); return; }
      ip = transport.addresses !== undefined ? transport.addresses(socket)[1] : peerAddress(socket);
    } catch (e) {
      this.reportError(e);
      raw.destroy();
      return;
    }
    const conn = new Connection(socket, this.host, ip);
    this.connections.set(conn, Math.trunc(performance.now()));
  }

  private onConnectionClosed(conn: Connection): void {
    this.connections.delete(conn);
    this.shed.delete(conn);
    if (this.connections.size === 0 && this.drainWaiter !== null) {
      const w = this.drainWaiter;
      this.drainWaiter = null;
      w();
    }
  }

  /** Raises the soft open-file limit where the hard one allows, and counts what is open already. */
  private initDescriptorGuard(): void {
    const limit = raiseDescriptorLimit();
    if (limit === null || !Number.isFinite(limit.soft)) return;
    this.descriptorLimit = limit.soft;
    this.descriptorReserve = this.options.descriptorReserve ?? Math.min(256, Math.max(8, Math.floor(limit.soft / 32)));
    this.countDescriptors(Date.now());
  }

  /** Our accepted sockets whose descriptor is still open. */
  private get socketDescriptors(): number {
    return this.rawSockets.size - this.shed.size;
  }

  private countDescriptors(now: number): void {
    this.descriptorsCountedAt = now;
    const open = countOpenDescriptors();
    if (open !== null) this.otherDescriptors = Math.max(0, open - this.socketDescriptors);
  }

  /**
   * After each accept: near the open-file limit, close the oldest idle connections until
   * RESERVE descriptors are free again. The rest of the process opens descriptors too, so past
   * half the limit the estimate is recounted, at most once a second (a listing of /proc/self/fd).
   */
  private guardDescriptors(newest: net.Socket): void {
    const threshold = this.descriptorLimit - this.descriptorReserve;
    let open = this.otherDescriptors + this.socketDescriptors;
    if (open < this.descriptorLimit / 2) return;
    const now = Date.now();
    if (now - this.descriptorsCountedAt >= 1000) {
      this.countDescriptors(now);
      open = this.otherDescriptors + this.socketDescriptors;
    }
    if (open > threshold) this.closeIdle(open - threshold, newest);
  }

  /**
   * Closes up to COUNT idle connections, oldest first. One that has not sent a byte yet is
   * spared for its first second: in a burst of connects it was accepted a moment ago and its
   * request is on its way (NEWEST, just accepted, is always spared).
   */
  private closeIdle(count: number, newest: net.Socket | null): void {
    const now = performance.now();
    // Map order is accept order: the first idle ones are the oldest.
    for (const [conn, acceptedAt] of this.connections) {
      if (count <= 0) break;
      if (!conn.idle || conn.socket === newest || this.shed.has(conn)) continue;
      if (conn.socket.bytesRead === 0 && now - acceptedAt < SILENT_GRACE_MS) continue;
      this.host.debug?.(`${conn.ip} - - - -> closed idle connection (${this.otherDescriptors + this.socketDescriptors} of ${this.descriptorLimit} descriptors open)`);
      this.shed.add(conn);
      conn.destroy(); // closes the descriptor now; 'close' follows on a later tick
      count--;
    }
  }

  /**
   * The listener failed. For EMFILE/ENFILE this means libuv's reserve descriptor was gone, and
   * libuv retries accept() straight away: free descriptors now so that retry can succeed.
   */
  private onListenerError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') {
      this.closeIdle(Math.max(1, this.descriptorReserve), null);
      this.countDescriptors(Date.now()); // the estimate was wrong; with descriptors freed, the listing works
    }
    this.reportError(e);
  }

  /**
   * Deadlines are checked by one timer for all connections, at a fraction of the shortest
   * timeout, and also when the earliest deadline falls due: a slow peer is cut at its timeout,
   * not up to a sweep later (a slowloris at 30 s, not 31).
   */
  private scheduleSweep(delay?: number): void {
    const l = this.config.limits;
    const shortest = Math.min(l.headTimeout, l.bodyTimeout, l.idleTimeout, l.writeTimeout);
    const interval = Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
    this.sweepTimer = setTimeout(() => {
      const now = Date.now();
      let earliest = Infinity;
      for (const conn of this.connections.keys()) {
        conn.checkDeadline(now);
        if (conn.deadline > now && conn.deadline < earliest) earliest = conn.deadline;
      }
      // A deadline set after this sweep is at least a timeout away: later than the interval.
      if (!this.isStopping || this.connections.size > 0) this.scheduleSweep(Math.max(10, Math.min(interval, earliest - Date.now())));
    }, delay ?? interval);
    this.sweepTimer.unref();
  }

  private reportError(e: unknown): void {
    try {
      this.config.errorHook(e, null);
    } catch {
      // nothing more to do
    }
  }

  // The egg's resource procedures, for convenience on a server object.
  addResource(url: string | readonly string[], handler: ResourceHandler): this {
    this.config.addResource(url, handler);
    return this;
  }

  removeResource(url: string | readonly string[]): this {
    this.config.removeResource(url);
    return this;
  }

  findResource(url: string): ResourceHandler | undefined {
    return this.config.findResource(url);
  }

  /** Requests handled since start (`http:current-request-count`). */
  get requestCount(): number {
    return this.config.requestCount;
  }
}

/** The peer's address, an IPv4-mapped IPv6 address shown as plain IPv4. */
function peerAddress(socket: net.Socket): string {
  return plainAddress(socket.remoteAddress);
}

/** An address as the egg showed it: an IPv4-mapped IPv6 address as plain IPv4. */
export function plainAddress(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** `http:make-server`: a server not yet listening; call `start()`. */
export function createServer(options: ServerOptions = {}): Server {
  validateServerOptions(options);
  return new Server(options);
}
