/**
 * CHICKEN 3's tcp unit: listeners (`tcp-listen`, `tcp-accept`, `tcp-close` …), client
 * connections (`tcp-connect`), and the two ports of a connection, which read and write bytes.
 *
 * Waiting never blocks: `tcp-listen`, `tcp-accept`, `tcp-connect` and a read with nothing
 * buffered return Promises, so the calling Scheme code suspends and other connections go on.
 * A connection's input port reads its socket only once something is read from it, so ports can
 * be made for a socket the HTTP server reads itself (http-server.ts gives them to the
 * program's `http:get-addresses-procedure` and `http:hard-close-procedure`).
 *
 * The engine's read procedures (io.ts) know string, file and handler ports; this module wraps
 * `read-char`, `peek-char`, `read-line`, `read-string` and `char-ready?` so that they read a
 * TCP port's bytes here and pass every other port on to io.ts's procedure. Writes need nothing:
 * io.ts writes bytes to any OutPort.
 *
 * Not done: `tcp-read-timeout`, `tcp-write-timeout`, `tcp-accept-timeout`,
 * `tcp-connect-timeout` and `tcp-buffer-size` (reads wait as long as it takes; output is
 * unbuffered), and `tcp-listener-fileno` (Node gives no descriptor).
 */
import net from 'node:net';
import type { Engine } from '../compiler/index.js';
import { Char, EOF, intern, makeValues, stringValue } from '../runtime/data.js';
import { SchemeError, typeError } from '../runtime/errors.js';
import { registerPrinter } from '../runtime/printer.js';
import { InPort, OutPort } from '../ports.js';
import { parameterValue, makeParameter } from './control.js';
import { currentInputPort } from './io.js';
import { defineProcedures, procedure } from './define.js';

type Fn = (...args: unknown[]) => unknown;

/** Past this many unread bytes the socket is paused until the program reads. */
const HIGH_WATER = 1024 * 1024;

/** `(exn i/o net)` with the system's message. */
function netError(what: string, e: unknown, args: unknown[], who: string): SchemeError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const text: Record<string, string> = {
    EADDRINUSE: 'Address already in use', ECONNREFUSED: 'Connection refused', ECONNRESET: 'Connection reset by peer',
    EPIPE: 'Broken pipe', EACCES: 'Permission denied', EADDRNOTAVAIL: 'Cannot assign requested address',
    ETIMEDOUT: 'Connection timed out', EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network is unreachable',
  };
  const msg = code !== undefined && text[code] !== undefined ? text[code] : String((e as { message?: unknown } | null)?.message ?? e);
  return new SchemeError(['exn', 'i/o', 'net'], `${what} - ${msg}`, args, who);
}

/** An address as CHICKEN shows it: an IPv4-mapped IPv6 address as plain IPv4. */
function plain(a: string | undefined): string {
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

// ---- connections and their ports ------------------------------------------------------------

/** One socket and what both of its ports share: the unread bytes, and which port is closed. */
// ---- timeouts --------------------------------------------------------------------------------

/** A timeout parameter's value: milliseconds, or #f for none (CHICKEN 3's tcp unit). */
function timeoutGuard(who: string): (v: unknown) => unknown {
  return (v: unknown) => {
    if (v === false || (typeof v === 'number' && v >= 0)) return v;
    throw typeError(who, v, 'fixnum');
  };
}

/** CHICKEN 3's defaults: a read or a write waits a minute; accepting and connecting, forever. */
export const tcpReadTimeout = makeParameter(60_000, timeoutGuard('tcp-read-timeout'), 'tcp-read-timeout');
export const tcpWriteTimeout = makeParameter(60_000, timeoutGuard('tcp-write-timeout'), 'tcp-write-timeout');
export const tcpAcceptTimeout = makeParameter(false, timeoutGuard('tcp-accept-timeout'), 'tcp-accept-timeout');
export const tcpConnectTimeout = makeParameter(false, timeoutGuard('tcp-connect-timeout'), 'tcp-connect-timeout');

/** The value of timeout parameter P where the Scheme caller is (null: none). */
function timeoutOf(p: (...args: unknown[]) => unknown): number | null {
  const v = parameterValue(p);
  return typeof v === 'number' ? v : null;
}

/**
 * CHICKEN's condition for an operation that timed out: (exn i/o net timeout), with the timeout
 * for argument (csi adds the file descriptor), located at the procedure (csi: none for a read).
 */
function timedOut(operation: string, ms: number, who: string | null): SchemeError {
  return new SchemeError(['exn', 'i/o', 'net', 'timeout'], `${operation} operation timed out`, [ms], who);
}

export class TcpConnection {
  /** Received bytes not read yet (one character per byte) from `pos` on. */
  private buf = '';
  private pos = 0;
  private ended = false;
  private failure: unknown = null;
  private listening = false;
  private waiters: Array<() => void> = [];
  inClosed = false;
  outClosed = false;
  /** `tcp-abandon-port`: closing does not shut the connection down (no FIN). */
  abandoned = false;
  readonly input: TcpInPort;
  readonly output: TcpOutPort;

  constructor(readonly socket: net.Socket) {
    // A failed socket must not crash the process: the failure is raised by the next read or write.
    socket.on('error', (e) => {
      this.failure = e;
      this.wake();
    });
    this.input = new TcpInPort(this);
    this.output = new TcpOutPort(this);
  }

  /** Starts taking the socket's data (on the first read only: the HTTP server may own the socket). */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.socket.on('data', (chunk: Buffer) => {
      this.buf = (this.pos === 0 ? this.buf : this.buf.slice(this.pos)) + chunk.toString('latin1');
      this.pos = 0;
      if (this.buf.length > HIGH_WATER) this.socket.pause();
      this.wake();
    });
    this.socket.on('end', () => { this.ended = true; this.wake(); });
    this.socket.on('close', () => { this.ended = true; this.wake(); });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits for more bytes, the end, or a failure: at most MS (null: no limit), then raises a timeout. */
  private more(ms: number | null): Promise<void> {
    this.listen();
    if (this.socket.isPaused()) this.socket.resume();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      const timer = ms === null ? null : setTimeout(() => {
        const i = this.waiters.indexOf(done);
        if (i !== -1) this.waiters.splice(i, 1);
        reject(timedOut('read', ms, null));
      }, ms);
      this.waiters.push(done);
    });
  }

  private get available(): number {
    return this.buf.length - this.pos;
  }

  /**
   * GET's value once READY (or at the end), now if it already is, else a Promise. Each wait for
   * more bytes lasts at most `tcp-read-timeout` (read where the Scheme caller is, once).
   */
  private when<T>(who: string, ready: () => boolean, get: () => T, ms: number | null = timeoutOf(tcpReadTimeout)): T | Promise<T> {
    this.check(who);
    this.listen();
    if (ready() || this.ended) return get();
    if (this.failure !== null) throw netError('cannot read from socket', this.failure, [this.input], who);
    return this.more(ms).then(() => this.when(who, ready, get, ms));
  }

  private check(who: string): void {
    if (this.inClosed) throw new SchemeError(['exn', 'i/o', 'file'], 'port already closed', [this.input], who);
  }

  readChar(who: string, consume: boolean): unknown {
    return this.when(who, () => this.available > 0, () => {
      if (this.available === 0) return EOF;
      const c = Char.of(this.buf.charCodeAt(this.pos));
      if (consume) this.pos++;
      return c;
    });
  }

  /** Index of the end of the next line (its \n, \r or \r\n), -1 when not all here yet. */
  private lineEnd(): number {
    for (let i = this.pos; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c === 10) return i;
      // A \r at the end of what came may be followed by \n: wait and see (unless at the end).
      if (c === 13) return i + 1 < this.buf.length || this.ended ? i : -1;
    }
    return -1;
  }

  readLine(who: string): unknown {
    return this.when(who, () => this.lineEnd() !== -1, () => {
      const end = this.lineEnd();
      if (end === -1) {
        if (this.available === 0) return EOF;
        const rest = this.buf.slice(this.pos);
        this.pos = this.buf.length;
        return rest;
      }
      const line = this.buf.slice(this.pos, end);
      const crlf = this.buf.charCodeAt(end) === 13 && this.buf.charCodeAt(end + 1) === 10;
      this.pos = end + (crlf ? 2 : 1);
      return line;
    });
  }

  /** N bytes (fewer at the end; EOF when none), or everything to the end for null. */
  readString(who: string, n: number | null): unknown {
    return this.when(who, () => n !== null && this.available >= n, () => {
      if (this.available === 0 && n !== 0) return EOF;
      const end = n === null ? this.buf.length : Math.min(this.buf.length, this.pos + n);
      const s = this.buf.slice(this.pos, end);
      this.pos = end;
      return s;
    });
  }

  charReady(who: string): boolean {
    this.check(who);
    this.listen();
    return this.available > 0 || this.ended;
  }

  write(data: string | Uint8Array, who: string): void {
    if (this.outClosed) throw new SchemeError(['exn', 'i/o', 'file'], 'port already closed', [this.output], who);
    if (this.failure !== null) throw netError('cannot write to socket', this.failure, [this.output], who);
    this.socket.write(data);
  }

  /**
   * Waits until what was written has gone to the system (when Node buffers it), at most
   * `tcp-write-timeout`: writes themselves never block here, so a peer that does not read is
   * noticed when the program flushes.
   */
  flush(): unknown {
    if (!this.socket.writableNeedDrain || this.socket.destroyed) return undefined;
    const ms = timeoutOf(tcpWriteTimeout);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
      const timer = ms === null ? null : setTimeout(() => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        reject(timedOut('write', ms, null));
      }, ms);
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  closeInput(): void {
    if (this.inClosed) return;
    this.inClosed = true;
    this.release();
  }

  closeOutput(): void {
    if (this.outClosed) return;
    this.outClosed = true;
    // CHICKEN shuts the sending side down, unless the port was abandoned.
    if (!this.abandoned) this.socket.end();
    this.release();
  }

  /** The socket goes once both ports are closed (after what was written is sent). */
  private release(): void {
    if (!this.inClosed || !this.outClosed) return;
    if (this.abandoned || this.socket.writableFinished || this.socket.destroyed) this.socket.destroy();
    else this.socket.once('finish', () => this.socket.destroy());
  }
}

export class TcpInPort extends InPort {
  constructor(readonly conn: TcpConnection) {
    super();
  }
  read_line(): unknown { return this.conn.readLine('read-line'); }
  read_char(): unknown { return this.conn.readChar('read-char', true); }
  peek_char(): unknown { return this.conn.readChar('peek-char', false); }
  read_string(k: unknown): unknown { return this.conn.readString('read-string', Number(k)); }
  override char_ready(): boolean { return this.conn.charReady('char-ready?'); }
  override is_open(): boolean { return !this.conn.inClosed; }
  override close(): void { this.conn.closeInput(); }
}

export class TcpOutPort extends OutPort {
  constructor(readonly conn: TcpConnection) {
    super();
  }
  protected put(s: string | Uint8Array): unknown {
    this.conn.write(s, 'write');
    return undefined;
  }
  protected override putBytes(s: string): unknown {
    this.conn.write(Buffer.from(s, 'latin1'), 'write');
    return undefined;
  }
  override writeBytes(s: string): unknown {
    return this.putBytes(s);
  }
  override flush(): unknown { return this.conn.flush(); }
  override is_open(): boolean { return !this.conn.outClosed; }
  override close(): void { this.conn.closeOutput(); }
}

/** The connection of each socket that has ports, so a socket gets one pair. */
const connections = new WeakMap<net.Socket, TcpConnection>();

/** SOCKET's connection (its two ports), made on first use. */
export function connectionOf(socket: net.Socket): TcpConnection {
  let c = connections.get(socket);
  if (c === undefined) connections.set(socket, (c = new TcpConnection(socket)));
  return c;
}

/** The connection of a TCP port, or null for another object. */
export function tcpConnectionOfPort(x: unknown): TcpConnection | null {
  return x instanceof TcpInPort || x instanceof TcpOutPort ? x.conn : null;
}

function portsOf(socket: net.Socket): unknown {
  const c = connectionOf(socket);
  return makeValues([c.input, c.output]);
}

function tcpPort(x: unknown, who: string): TcpConnection {
  const c = tcpConnectionOfPort(x);
  if (c === null) throw typeError(who, x, 'port');
  return c;
}

// ---- listeners ------------------------------------------------------------------------------

/** A listening socket and the connections it received that nobody accepted yet. */
export class TcpListener {
  private readonly queue: net.Socket[] = [];
  private waiters: Array<{ resolve: (s: net.Socket) => void; reject: (e: unknown) => void }> = [];
  closed = false;
  /** Set when the HTTP server takes the listener's connections itself. */
  private adopted = false;

  constructor(readonly server: net.Server) {
    server.on('connection', (s: net.Socket) => {
      if (!this.adopted) this.push(s);
    });
    server.on('close', () => this.shut());
  }

  /** The HTTP server serves this listener's connections: they are not queued for tcp-accept. */
  adopt(): void {
    this.adopted = true;
  }

  /** A connection for tcp-accept: to a caller waiting, or queued. */
  push(s: net.Socket): void {
    connectionOf(s); // its error handler, before any error can happen
    const w = this.waiters.shift();
    if (w !== undefined) w.resolve(s);
    else this.queue.push(s);
  }

  /** Removes S from the queue (false: it was taken). */
  withdraw(s: net.Socket): boolean {
    const i = this.queue.indexOf(s);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    return true;
  }

  get ready(): boolean {
    return this.queue.length > 0;
  }

  /** The next connection, waiting for one at most MS (null: no limit). */
  take(ms: number | null = null): net.Socket | Promise<net.Socket> {
    if (this.closed) throw netError('could not accept from listener', { code: 'EBADF', message: 'Bad file descriptor' }, [this], 'tcp-accept');
    const s = this.queue.shift();
    if (s !== undefined) return s;
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (x: net.Socket): void => {
          if (timer !== null) clearTimeout(timer);
          resolve(x);
        },
        reject,
      };
      const timer = ms === null ? null : setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
        reject(timedOut('accept', ms, 'tcp-accept'));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  get port(): number {
    const a = this.server.address();
    if (this.closed || a === null || typeof a === 'string') throw netError('cannot obtain listener port', { message: 'Bad file descriptor' }, [this], 'tcp-listener-port');
    return a.port;
  }

  close(): void {
    if (this.closed) return;
    this.server.close();
    this.shut();
  }

  private shut(): void {
    if (this.closed && this.queue.length === 0 && this.waiters.length === 0) return;
    this.closed = true;
    for (const s of this.queue.splice(0)) s.destroy();
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w.reject(netError('could not accept from listener', { message: 'Bad file descriptor' }, [this], 'tcp-accept'));
  }
}

registerPrinter(TcpListener, () => '#<tcp-listener>');

/** The listener of each net.Server a TcpListener was made for. */
const listeners = new WeakMap<net.Server, TcpListener>();

/** SERVER's TcpListener, made (adopted by the HTTP server) for a server the HTTP server listens on itself. */
export function listenerOf(server: net.Server): TcpListener {
  let l = listeners.get(server);
  if (l === undefined) {
    l = new TcpListener(server);
    l.adopt();
    listeners.set(server, l);
  }
  return l;
}

/** csi's complaint about something that is not a listener (no location, as csi gives for most). */
function listener(x: unknown, who: string | null): TcpListener {
  if (x instanceof TcpListener) return x;
  throw new SchemeError(['exn', 'type'], 'bad argument type - not a structure of the required type', [x, intern('tcp-listener')], who);
}

function fixnum(x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new SchemeError(['exn', 'type'], 'bad argument type - not a fixnum', [x]);
  return x;
}

function string(x: unknown): string {
  const s = stringValue(x);
  if (s === null) throw new SchemeError(['exn', 'type'], 'bad argument type - not a string', [x]);
  return s;
}

function portNumber(x: unknown, who: string): number {
  const n = fixnum(x);
  if (n < 0 || n > 65535) throw new SchemeError(['exn', 'domain'], 'invalid port number', [x], who);
  return n;
}

/** `tcp-listen PORT [BACKLOG [HOST]]`: a listener, once it listens. */
export function tcpListen(port: unknown, backlog?: unknown, host?: unknown): Promise<TcpListener> {
  const p = portNumber(port, 'tcp-listen');
  const b = backlog === undefined || backlog === false ? 100 : fixnum(backlog);
  const h = host === undefined || host === false ? undefined : string(host);
  const server = net.createServer({ allowHalfOpen: true, noDelay: true });
  const l = new TcpListener(server);
  listeners.set(server, l);
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(netError('cannot bind to socket', e, [p], 'tcp-listen')));
    server.listen({ port: p, backlog: b, ...(h === undefined ? {} : { host: h }) }, () => resolve(l));
  });
}

/** Port numbers of the services a "host:service" may name (getservbyname's common ones). */
const SERVICES: Readonly<Record<string, number>> = { http: 80, https: 443, ftp: 21, ssh: 22, telnet: 23, smtp: 25, pop3: 110, imap: 143 };

/** `tcp-connect HOST [PORT]`, HOST "host:port" when PORT is not given: its two ports. */
function tcpConnect(host: unknown, port?: unknown): Promise<unknown> {
  let h = string(host);
  let p: number;
  if (port === undefined) {
    const colon = h.lastIndexOf(':');
    const service = colon === -1 ? '' : h.slice(colon + 1);
    const n = /^\d+$/.test(service) ? Number(service) : SERVICES[service];
    if (n === undefined) throw new SchemeError(['exn', 'i/o', 'net'], colon === -1 ? 'no port specified' : 'cannot compute port from service', [host], 'tcp-connect');
    h = h.slice(0, colon);
    p = n;
  } else {
    p = portNumber(port, 'tcp-connect');
  }
  const ms = timeoutOf(tcpConnectTimeout);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: h, port: p, allowHalfOpen: true, noDelay: true });
    const timer = ms === null ? null : setTimeout(() => {
      socket.off('error', fail);
      socket.destroy();
      reject(timedOut('connect', ms, 'tcp-connect'));
    }, ms);
    const fail = (e: NodeJS.ErrnoException): void => {
      if (timer !== null) clearTimeout(timer);
      socket.destroy();
      if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(new SchemeError(['exn', 'i/o', 'net'], 'cannot find host address', [host], 'tcp-connect'));
      else reject(netError('cannot create socket', e, [], 'tcp-connect'));
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      if (timer !== null) clearTimeout(timer);
      socket.off('error', fail);
      resolve(portsOf(socket));
    });
  });
}

// ---- the read procedures, for TCP ports too ---------------------------------------------------

/** The port a read procedure reads: its argument, or the current input port. */
function readPort(p: unknown): TcpConnection | null {
  return tcpConnectionOfPort(p === undefined ? parameterValue(currentInputPort) : p);
}

/** Wraps io.ts's NAME: a TCP port is read by READ, any other port by io.ts's procedure. */
function wrapRead(engine: Engine, name: string, min: number, max: number, read: (c: TcpConnection, args: unknown[]) => unknown, portIndex: number): void {
  const previous = engine.lookup(name);
  if (typeof previous !== 'function') return;
  const io = previous as Fn;
  engine.define(name, procedure(name, (...args: unknown[]) => {
    const c = readPort(args[portIndex]);
    return c === null ? io(...args) : read(c, args);
  }, [min, max]));
}

function installReads(engine: Engine): void {
  wrapRead(engine, 'read-char', 0, 1, (c) => c.readChar('read-char', true), 0);
  wrapRead(engine, 'peek-char', 0, 1, (c) => c.readChar('peek-char', false), 0);
  wrapRead(engine, 'char-ready?', 0, 1, (c) => c.charReady('char-ready?'), 0);
  wrapRead(engine, 'read-line', 0, 2, (c, [, limit]) => {
    const v = c.readLine('read-line');
    const cut = (l: unknown): unknown => (typeof l === 'string' && typeof limit === 'number' ? l.slice(0, limit) : l);
    return v instanceof Promise ? v.then(cut) : cut(v);
  }, 0);
  wrapRead(engine, 'read-string', 0, 2, (c, [n]) => {
    if (n !== undefined && n !== false && typeof n !== 'number') throw typeError('read-string', n, 'fixnum');
    return c.readString('read-string', typeof n === 'number' ? n : null);
  }, 1);
}

// ---------------------------------------------------------------------------------------------

export function installTcp(engine: Engine): void {
  defineProcedures(engine, {
    'tcp-listen': [tcpListen, 1, 3],
    'tcp-listener?': [(x: unknown) => x instanceof TcpListener, 1, 1],
    'tcp-accept': [(l: unknown) => {
      const s = listener(l, null).take(timeoutOf(tcpAcceptTimeout));
      return s instanceof Promise ? s.then(portsOf) : portsOf(s);
    }, 1, 1],
    'tcp-accept-ready?': [(l: unknown) => listener(l, 'tcp-accept-ready?').ready, 1, 1],
    'tcp-close': [(l: unknown) => { listener(l, null).close(); }, 1, 1],
    'tcp-listener-port': [(l: unknown) => listener(l, 'tcp-listener-port').port, 1, 1],
    'tcp-connect': [tcpConnect, 1, 2],
    'tcp-addresses': [(p: unknown) => {
      const s = tcpPort(p, 'tcp-addresses').socket;
      return makeValues([plain(s.localAddress), plain(s.remoteAddress)]);
    }, 1, 1],
    'tcp-port-numbers': [(p: unknown) => {
      const s = tcpPort(p, 'tcp-port-numbers').socket;
      return makeValues([s.localPort ?? 0, s.remotePort ?? 0]);
    }, 1, 1],
    'tcp-abandon-port': [(p: unknown) => { tcpPort(p, 'tcp-abandon-port').abandoned = true; }, 1, 1],
  });
  engine.define('tcp-read-timeout', tcpReadTimeout);
  engine.define('tcp-write-timeout', tcpWriteTimeout);
  engine.define('tcp-accept-timeout', tcpAcceptTimeout);
  engine.define('tcp-connect-timeout', tcpConnectTimeout);
  installReads(engine);
}
