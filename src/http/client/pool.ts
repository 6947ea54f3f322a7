/**
 * Keep-alive connections pooled per origin (the layer above one connection, after undici's
 * Pool/Agent). Idle connections do not keep the process alive and are closed after a while.
 */
import { connect, type ClientConnection, type ConnectOptions, type Endpoint } from './connection.js';
import { originKey } from './target.js';

export interface AgentOptions {
  /** Idle connections kept per origin. Default 16. */
  maxIdlePerOrigin?: number;
  /** An idle connection is closed after this many ms. Default 30 s. */
  idleTimeout?: number;
}

export class Agent {
  private readonly idle = new Map<string, ClientConnection[]>();
  private readonly timers = new WeakMap<ClientConnection, NodeJS.Timeout>();
  /** Connections whose 'close' we already listen to. */
  private readonly watched = new WeakSet<ClientConnection>();
  private readonly maxIdle: number;
  private readonly idleTimeout: number;
  /** Connections this agent opened, for tests and statistics. */
  connectionsOpened = 0;

  constructor(options: AgentOptions = {}) {
    this.maxIdle = options.maxIdlePerOrigin ?? 16;
    this.idleTimeout = options.idleTimeout ?? 30_000;
  }

  /** An idle pooled connection to ENDPOINT, or a new one. */
  async acquire(endpoint: Endpoint, url: string, opts: ConnectOptions, fresh = false): Promise<{ conn: ClientConnection; reused: boolean }> {
    const list = this.idle.get(originKey(endpoint));
    while (!fresh && list !== undefined && list.length > 0) {
      const conn = list.pop()!;
      this.unpark(conn);
      if (!conn.closed && conn.reusable && !conn.reader.peerClosed && conn.reader.available === 0) {
        conn.reader.url = url;
        return { conn, reused: true };
      }
      conn.destroy();
    }
    const conn = await connect(endpoint, url, opts);
    this.connectionsOpened++;
    return { conn, reused: false };
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
    const timer = setTimeout(() => this.drop(conn), this.idleTimeout);
    timer.unref();
    this.timers.set(conn, timer);
    // Once per connection: adding a listener on every release piled one up per request on a
    // reused socket (MaxListenersExceededWarning after 10 requests, and a slow leak).
    if (!this.watched.has(conn)) {
      this.watched.add(conn);
      conn.socket.once('close', () => this.drop(conn));
    }
  }

  private unpark(conn: ClientConnection): void {
    const t = this.timers.get(conn);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(conn);
    conn.socket.ref();
  }

  private drop(conn: ClientConnection): void {
    const list = this.idle.get(conn.key);
    const i = list?.indexOf(conn) ?? -1;
    if (i >= 0) {
      list!.splice(i, 1);
      this.unpark(conn);
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
      for (const conn of list.splice(0)) {
        this.unpark(conn);
        conn.destroy();
      }
    }
    this.idle.clear();
  }
}
