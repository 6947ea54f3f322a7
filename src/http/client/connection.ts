/**
 * One client connection: a socket (plain or TLS), its reader, and whether it may be reused.
 */
import net from 'node:net';
import tls from 'node:tls';
import { HttpClientError } from '../errors.js';
import { SocketReader } from './reader.js';
import { originKey } from './target.js';

export interface ConnectOptions {
  /** Absolute deadline (ms since the epoch) for connecting; 0 = none. */
  deadline?: number;
  signal?: AbortSignal | null;
  /** Extra TLS options (ca, rejectUnauthorized …) for https. */
  tls?: tls.ConnectionOptions | null;
}

export interface Endpoint {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

export class ClientConnection {
  readonly socket: net.Socket;
  readonly reader: SocketReader;
  /** The origin this connection is to (the proxy's, when it goes through one). */
  readonly key: string;
  /** False once the connection must not carry another request. */
  reusable = true;
  /** Requests sent on this connection so far. */
  requests = 0;
  /** When it last went idle in a pool (ms since the epoch): the pool's idle timeout counts from here. */
  idleSince = 0;
  /** The pool that listens for this connection's 'close' (one listener, added once). */
  watchedBy: object | null = null;
  private closedFlag = false;

  constructor(socket: net.Socket, key: string, url: string) {
    this.socket = socket;
    this.key = key;
    this.reader = new SocketReader(socket, url);
    socket.on('close', () => { this.closedFlag = true; this.reusable = false; });
    socket.on('error', () => { this.reusable = false; });
  }

  get closed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Closes our side gently (pending writes go out first). */
  end(): void {
    this.reusable = false;
    this.socket.end();
  }

  destroy(): void {
    this.reusable = false;
    this.closedFlag = true;
    this.socket.destroy();
  }
}

/** Opens a connection to ENDPOINT; errors name URL and say what failed. */
export function connect(endpoint: Endpoint, url: string, opts: ConnectOptions = {}): Promise<ClientConnection> {
  return new Promise((resolve, reject) => {
    const signal = opts.signal ?? null;
    if (signal?.aborted) { reject(new HttpClientError('aborted', url, 'the request was aborted')); return; }
    let socket: net.Socket;
    const onConnect = (): void => {
      cleanup();
      socket.setNoDelay(true);
      resolve(new ClientConnection(socket, originKey(endpoint), url));
    };
    if (endpoint.scheme === 'https') {
      socket = tls.connect({
        host: endpoint.host, port: endpoint.port,
        servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
        ALPNProtocols: ['http/1.1'],
        ...opts.tls,
      }, onConnect);
    } else {
      socket = net.connect({ host: endpoint.host, port: endpoint.port }, onConnect);
    }
    let timer: NodeJS.Timeout | null = null;
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (e: NodeJS.ErrnoException): void => fail(connectError(e, endpoint, url));
    const onAbort = (): void => fail(new HttpClientError('aborted', url, 'the request was aborted'));
    const cleanup = (): void => {
      if (timer !== null) clearTimeout(timer);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    socket.on('error', onError);
    signal?.addEventListener('abort', onAbort);
    if (opts.deadline) {
      const ms = opts.deadline - Date.now();
      timer = setTimeout(() => fail(new HttpClientError('timeout', url, `timed out connecting to ${endpoint.host}:${endpoint.port}`)), Math.max(0, ms));
    }
  });
}

function connectError(e: NodeJS.ErrnoException, ep: Endpoint, url: string): HttpClientError {
  const where = `${ep.host}:${ep.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new HttpClientError('connection-refused', url, `connection refused by ${where}`, { cause: e });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new HttpClientError('unknown-host', url, `unknown host ${ep.host}`, { cause: e });
    default:
      if (isTlsError(e)) return new HttpClientError('tls', url, `TLS handshake with ${where} failed: ${e.message}`, { cause: e });
      return new HttpClientError('connection-failed', url, `cannot connect to ${where}: ${e.message}`, { cause: e });
  }
}

export function isTlsError(e: NodeJS.ErrnoException): boolean {
  const c = e.code ?? '';
  return c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL') || c.includes('CERT') || c === 'DEPTH_ZERO_SELF_SIGNED_CERT'
    || c === 'SELF_SIGNED_CERT_IN_CHAIN' || c === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || c === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
    || /SSL|TLS|certificate/i.test(e.message);
}
