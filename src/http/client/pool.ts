/**
 * Keep-alive connections pooled per origin (the layer above one connection, after undici's
 * Pool/Agent). Idle connections do not keep the process alive and are closed after a while.
 */
import { connect, type ClientConnection, type ConnectOptions, type Endpoint } from './connection.js';
import { originKey } from './target.js';

export interface AgentOptions {
  /**
   * Idle connections kept per origin. Default 256, as node:http's Agent (`maxFreeSockets`): a
   * program that sends a burst of N requests at once opens N connections (there is no cap on
   * connections per origin, as in undici and node:http), and every one of them should be there
   * for the next burst. (It was 16: after a burst of 50, 34 connections were closed and the next
   * burst opened 34 new ones.)
   */
  maxIdlePerOrigin?: number;
  /** An idle connection is closed after this many ms (at most an eighth more). Default 30 s. */
  idleTimeout?: number;
}

export class Agent {
  private readonly idle = new Map<string, ClientConnection[]>();
  /**
   * One timer for the whole pool, armed while connections are idle, that closes those idle for
   * longer than the idle timeout. It was a timer per connection, set on every release and
   * cleared on every acquire: one timer made and cancelled per request.
   */
  private sweeper: NodeJS.Timeout | null = null;
  private readonly maxIdle: number;
  private readonly idleTimeout: number;
  /** Connections this agent opened, for tests and statistics. */
  connectionsOpened = 0;

  constructor(options: AgentOptions = {}) {
    this.maxIdle = options.maxIdlePerOrigin ?? 256;
    this.idleTimeout = options.idleTimeout ?? 30_000;
  }

  /** An idle pooled connection to ENDPOINT, or a new one. */
  async acquire(endpoint: Endpoint, url: string, opts: ConnectOptions, fresh = false): Promise<{ conn: ClientConnection; reused: boolean }> {
    const conn = fresh ? null : this.takeIdle(originKey(endpoint), url);
    if (conn !== null) return { conn, reused: true };
    return { conn: await this.open(endpoint, url, opts), reused: false };
  }

  /** An idle connection to the origin KEY (`originKey`), taken out of the pool, or null. */
  takeIdle(key: string, url: string): ClientConnection | null {
    const list = this.idle.get(key);
    while (list !== undefined && list.length > 0) {
      // The most recently used first: the likeliest to be still open at the other end.
      const conn = list.pop()!;
      conn.socket.ref();
      if (!conn.closed && conn.reusable && !conn.reader.peerClosed && conn.reader.available === 0) {
        conn.reader.url = url;
        return conn;
      }
      conn.destroy();
    }
    return null;
  }

  /** A new connection to ENDPOINT, counted in `connectionsOpened`. */
  async open(endpoint: Endpoint, url: string, opts: ConnectOptions): Promise<ClientConnection> {
    const conn = await connect(endpoint, url, opts);
    this.connectionsOpened++;
    return conn;
  }

  /** Takes a connection back after a whole response was read; closes it if it cannot be reused. */
  release(conn: ClientConnection): void {
    if (conn.closed || !conn.reusable || conn.reader.available > 0 || conn.reader.peerClosed) {
      conn.destroy();
      return;
    }
    let list = this.idle.get(conn.key);
    if (list === undefined) this.idle.set(conn.key, (list = []));
    if (list.length >= this.maxIdle) {
      conn.end();
      return;
    }
    list.push(conn);
    conn.socket.unref();
    conn.idleSince = Date.now();
    if (this.sweeper === null) this.armSweeper(this.idleTimeout);
    // Once per connection: adding a listener on every release piled one up per request on a
    // reused socket (MaxListenersExceededWarning after 10 requests, and a slow leak).
    if (conn.watchedBy !== this) {
      conn.watchedBy = this;
      conn.socket.once('close', () => this.drop(conn));
    }
  }

  private armSweeper(ms: number): void {
    this.sweeper = setTimeout(this.sweep, ms);
    this.sweeper.unref();
  }

  /** Closes the connections idle for the idle timeout, and comes back for the others. */
  private readonly sweep = (): void => {
    this.sweeper = null;
    const now = Date.now();
    let next = Infinity;
    for (const list of this.idle.values()) {
      for (let i = list.length - 1; i >= 0; i--) {
        const conn = list[i]!;
        const due = conn.idleSince + this.idleTimeout;
        if (due <= now) {
          list.splice(i, 1);
          conn.destroy();
        } else if (due < next) {
          next = due;
        }
      }
    }
    // Not sooner than an eighth of the timeout: connections going idle at many different times
    // are closed in a few sweeps, not one each.
    if (next !== Infinity) this.armSweeper(Math.max(next - now, this.idleTimeout / 8));
  };

  private drop(conn: ClientConnection): void {
    const list = this.idle.get(conn.key);
    const i = list?.indexOf(conn) ?? -1;
    if (i >= 0) {
      list!.splice(i, 1);
      conn.destroy();
    }
  }

  /** Idle connections now in the pool. */
  get idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  /** `http:close-all-connections!`. */
  closeAll(): void {
    for (const list of this.idle.values()) {
      for (const conn of list.splice(0)) conn.destroy();
    }
    this.idle.clear();
    if (this.sweeper !== null) {
      clearTimeout(this.sweeper);
      this.sweeper = null;
    }
  }
}
