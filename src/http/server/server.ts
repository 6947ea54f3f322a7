/**
 * `http:make-server` in TypeScript: a listening socket, its connections, and the sweep that
 * enforces their deadlines. What requests do is in the ServerConfig; how one connection is
 * served is in Connection.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HttpUsageError } from '../errors.js';
import { ServerConfig } from './config.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { ServerIdentity } from './exchange.js';
import { bufferedStderrLog } from './debug-log.js';
import type { MaybePromise, ResourceHandler } from './types.js';

export interface ServerOptions {
  /** Port to listen on; 0 (the default) picks a free one, see `server.port`. */
  port?: number;
  /** `Server:` header and error-page signature. Default `(Silly)`. */
  serverName?: string;
  /** Shown on error pages. Default `localhost`. */
  location?: string;
  /** Accepted for the egg's signature; ignored (responses use the request's protocol). */
  protocol?: string | null;
  /** Listen backlog. Default 40. */
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
}

export class Server implements ServerIdentity {
  readonly config: ServerConfig;
  readonly serverName: string;
  readonly location: string;
  private readonly options: ServerOptions;
  private listener: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly waiting: net.Socket[] = [];
  /** Every accepted TCP socket, before any TLS handshake. */
  private readonly rawSockets = new Set<net.Socket>();
  private ready = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopPromise: Promise<void> | null = null;
  private resolveClosed!: () => void;
  private readonly host: ConnectionHost;
  private isStopping = false;
  /** Resolves once the server has stopped and every connection is closed. */
  readonly closed: Promise<void>;

  constructor(options: ServerOptions = {}) {
    this.options = options;
    this.config = options.config ?? new ServerConfig();
    this.serverName = options.serverName ?? '(Silly)';
    this.location = options.location ?? 'localhost';
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });
    const debug = options.debug === true ? bufferedStderrLog() : typeof options.debug === 'function' ? options.debug : null;
    const self = this;
    this.host = {
      config: this.config,
      identity: this,
      debug,
      get stopping() { return self.isStopping; },
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
    const listenOptions: net.ListenOptions = { port: this.options.port ?? 0, backlog: this.options.backlog ?? 40 };
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
    listener.on('connection', (raw: net.Socket) => {
      this.rawSockets.add(raw);
      raw.once('close', () => this.rawSockets.delete(raw));
    });
    if (!listener.listening) {
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error): void => reject(new HttpUsageError(`cannot listen on ${listenOptions.host ?? '*'}:${listenOptions.port}: ${e.message}`, { cause: e }));
        listener.once('error', onError);
        listener.listen(listenOptions, () => { listener.off('error', onError); resolve(); });
      });
    }
    listener.on('error', (e) => this.reportError(e));
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
    const listener = this.listener;
    this.stopPromise = (async () => {
      const listenerClosed = listener === null ? Promise.resolve()
        : new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const s of this.waiting.splice(0)) s.destroy();
      for (const conn of this.connections) conn.shutdown();
      let force: NodeJS.Timeout | null = null;
      if (options.timeout !== undefined) {
        force = setTimeout(() => { for (const c of this.connections) c.destroy(); }, options.timeout);
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
    this.connections.add(conn);
  }

  private onConnectionClosed(conn: Connection): void {
    this.connections.delete(conn);
    if (this.connections.size === 0 && this.drainWaiter !== null) {
      const w = this.drainWaiter;
      this.drainWaiter = null;
      w();
    }
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
      for (const conn of this.connections) {
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
  return new Server(options);
}
