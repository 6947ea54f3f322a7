/**
 * Serving one port from several processes with node:cluster: the primary's Supervisor (forks N
 * workers running the same program, restarts one that crashes, drains them all on request), the
 * worker's side (drains its servers when the primary asks, on SIGTERM/SIGINT, or when the primary
 * is gone), and `createServer` with the `workers` option for the TypeScript API. The Scheme
 * command line (src/cli/workers.ts) uses the same Supervisor.
 *
 * node:cluster is loaded when first needed, never at import: the start-up snapshot bundles this
 * module, and node:cluster decides at load time whether the process is a primary or a worker.
 */
import type { Cluster, Worker } from 'node:cluster';
import type net from 'node:net';
import { Server, type ServerOptions as BaseServerOptions } from './server.js';
import { HttpServerError, listenError, validateServerOptions } from './config.js';
import { HttpUsageError } from '../errors.js';
import type { WorkerOptions } from './types.js';
import { WORKER_ENV, workerSlot } from './debug-log.js';

/** createServer's options: the server's own, and how many processes serve the port. */
export type ServerOptions = BaseServerOptions & WorkerOptions;

export const DEFAULT_DRAIN_TIMEOUT_MS = 5000;
/** A worker that exits non-zero before it listened, or sooner than this after it was forked, failed "at start-up". */
export const QUICK_EXIT_MS = 5000;
/** After this many start-up failures in a row of one worker, the primary gives up. */
export const MAX_QUICK_EXITS = 3;
/** The first restart waits this long; each further start-up failure doubles it. */
const RESTART_DELAY_MS = 100;
/** Past the drain timeout, how long the primary waits for a worker before killing it. */
const KILL_MARGIN_MS = 1000;
/**
 * How the primary shares the port (bench/README.md, "Workers", measured both): 'rr' accepts in
 * the primary and hands connections round-robin to the workers, 'none' lets every worker accept
 * on the shared socket (the kernel picks, unevenly). NODE_CLUSTER_SCHED_POLICY overrides it.
 */
export const DEFAULT_SCHEDULING: 'rr' | 'none' = 'rr';

/** The IPC message the primary sends a worker to make it drain. */
const DRAIN = 'scheme-http:drain';
/** Environment of a worker: its drain timeout (and, WORKER_ENV, its slot 1…N, kept across restarts). */
const DRAIN_ENV = 'SCHEME_HTTP_DRAIN_TIMEOUT';
export { WORKER_ENV, workerSlot };

/** node:cluster, loaded now (see the header). */
export function clusterModule(): Cluster {
  return process.getBuiltinModule('node:cluster') as unknown as Cluster;
}

/**
 * Whether this process is a cluster worker. A worker has an IPC channel to its primary; a
 * process without one is not, and is told so without loading node:cluster (~5 ms of a command's
 * start). (Node removes NODE_UNIQUE_ID from a worker's environment before user code runs.)
 */
export function isClusterWorker(): boolean {
  return process.send !== undefined && clusterModule().isWorker;
}

// ---------------------------------------------------------------------------------------------
// The primary
// ---------------------------------------------------------------------------------------------

export interface SupervisorOptions {
  /** Workers to keep running. */
  count: number;
  /** How long a draining worker lets requests in flight finish, ms. */
  drainTimeout?: number;
  /** What each worker runs: script, its arguments, node's options (default: this process's). */
  exec?: string;
  args?: readonly string[];
  execArgv?: readonly string[];
  /** Where the primary tells of crashes, restarts and giving up (default: stderr). */
  log?: (line: string) => void;
  scheduling?: 'rr' | 'none';
}

/** How a Supervisor ended. */
export type SupervisorEnd =
  | { kind: 'drained' }
  /** Every worker's program ended by itself, with status 0. */
  | { kind: 'finished' }
  /** A worker kept failing at start-up; STATUS is its last exit status (70 if it was killed). */
  | { kind: 'gave-up'; status: number; message: string };

interface Slot {
  /** 1-based, kept across restarts. */
  readonly index: number;
  worker: Worker | null;
  startedAt: number;
  quickExits: number;
  restart: NodeJS.Timeout | null;
  listened: boolean;
}

export class Supervisor {
  private readonly cluster = clusterModule();
  private readonly slots: Slot[] = [];
  private readonly drainTimeout: number;
  private readonly log: (line: string) => void;
  private stopping = false;
  private end: SupervisorEnd | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private resolveEnded!: (end: SupervisorEnd) => void;
  private listenWaiters: Array<{ resolve: (a: net.AddressInfo) => void; reject: (e: Error) => void }> = [];
  private address: net.AddressInfo | null = null;
  /** Resolves once no worker runs and none will be restarted. */
  readonly ended: Promise<SupervisorEnd>;

  constructor(private readonly options: SupervisorOptions) {
    if (!this.cluster.isPrimary) throw new HttpUsageError('a Supervisor runs in the primary process, not in a cluster worker');
    this.drainTimeout = options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.ended = new Promise((resolve) => { this.resolveEnded = resolve; });
    for (let i = 1; i <= options.count; i++) this.slots.push({ index: i, worker: null, startedAt: 0, quickExits: 0, restart: null, listened: false });
  }

  /** Forks the workers. */
  start(): this {
    const c = this.cluster;
    if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
      c.schedulingPolicy = (this.options.scheduling ?? DEFAULT_SCHEDULING) === 'rr' ? c.SCHED_RR : c.SCHED_NONE;
    }
    const settings: Parameters<Cluster['setupPrimary']>[0] = {};
    if (this.options.exec !== undefined) settings.exec = this.options.exec;
    if (this.options.args !== undefined) settings.args = [...this.options.args];
    if (this.options.execArgv !== undefined) settings.execArgv = [...this.options.execArgv];
    c.setupPrimary(settings);
    for (const slot of this.slots) this.fork(slot);
    return this;
  }

  /** The process ids of the workers running now. */
  get pids(): number[] {
    return this.slots.flatMap((s) => (s.worker?.process.pid !== undefined ? [s.worker.process.pid] : []));
  }

  /** Resolves with the address once every worker has listened; rejects if they give up first. */
  listening(): Promise<net.AddressInfo> {
    if (this.address !== null && this.slots.every((s) => s.listened)) return Promise.resolve(this.address);
    if (this.end !== null) return Promise.reject(this.notListening());
    return new Promise((resolve, reject) => this.listenWaiters.push({ resolve, reject }));
  }

  /**
   * Has every worker stop accepting, finish its requests in flight (for at most TIMEOUT ms) and
   * exit; one still there KILL_MARGIN_MS later is killed. Resolves when all are gone.
   */
  drain(timeout = this.drainTimeout): Promise<SupervisorEnd> {
    if (!this.stopping) {
      this.stopping = true;
      for (const slot of this.slots) {
        if (slot.restart !== null) clearTimeout(slot.restart);
        slot.restart = null;
        const w = slot.worker;
        if (w === null) continue;
        try {
          w.send({ [DRAIN]: timeout });
        } catch {
          w.process.kill('SIGKILL');
        }
      }
      this.killTimer = setTimeout(() => this.kill(), timeout + KILL_MARGIN_MS);
      this.checkEnded();
    }
    return this.ended;
  }

  /** Kills every worker now (SIGKILL). */
  kill(): void {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restart !== null) clearTimeout(slot.restart);
      slot.restart = null;
      slot.worker?.process.kill('SIGKILL');
    }
  }

  private fork(slot: Slot): void {
    slot.restart = null;
    slot.listened = false;
    slot.startedAt = Date.now();
    const w = this.cluster.fork({ [WORKER_ENV]: String(slot.index), [DRAIN_ENV]: String(this.drainTimeout) });
    slot.worker = w;
    w.on('listening', (address: net.AddressInfo) => this.onListening(slot, address));
    w.on('exit', (code: number | null, signal: string | null) => this.onExit(slot, w, code, signal));
    // An IPC error (the worker died mid-send) is seen as its exit.
    w.on('error', () => undefined);
  }

  private onListening(slot: Slot, address: net.AddressInfo): void {
    slot.listened = true;
    this.address ??= address;
    if (this.slots.every((s) => s.listened)) for (const w of this.listenWaiters.splice(0)) w.resolve(address);
  }

  private onExit(slot: Slot, w: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== w) return;
    slot.worker = null;
    if (this.stopping || code === 0) {
      this.checkEnded();
      return;
    }
    const how = code !== null ? `exited with status ${code}` : `was killed by ${signal ?? 'a signal'}`;
    const who = `scheme-http: worker ${slot.index} (pid ${w.process.pid ?? '?'})`;
    // A start-up failure: before it listened (however long loading took on a busy machine), or soon after.
    const atStartUp = !slot.listened || Date.now() - slot.startedAt < QUICK_EXIT_MS;
    slot.quickExits = atStartUp ? slot.quickExits + 1 : 0;
    if (slot.quickExits >= MAX_QUICK_EXITS) {
      const message = `${who} ${how}: it failed ${MAX_QUICK_EXITS} times in a row at start-up; giving up (its errors are above)`;
      this.log(message);
      this.end = { kind: 'gave-up', status: code ?? 70, message };
      void this.drain();
      return;
    }
    const delay = RESTART_DELAY_MS * 2 ** Math.max(0, slot.quickExits - 1);
    this.log(`${who} ${how}; starting it again in ${delay} ms`);
    slot.restart = setTimeout(() => this.fork(slot), delay);
  }

  private notListening(): Error {
    const why = this.end?.kind === 'gave-up' ? this.end.message : 'the workers ended before all of them listened';
    return new HttpServerError('workers-failed', why);
  }

  private checkEnded(): void {
    if (this.slots.some((s) => s.worker !== null || s.restart !== null)) return;
    if (this.killTimer !== null) clearTimeout(this.killTimer);
    this.killTimer = null;
    const end = this.end ?? (this.stopping ? { kind: 'drained' } : { kind: 'finished' });
    this.end = end;
    for (const w of this.listenWaiters.splice(0)) w.reject(this.notListening());
    this.resolveEnded(end);
  }
}

// ---------------------------------------------------------------------------------------------
// A worker
// ---------------------------------------------------------------------------------------------

/** What stops this worker's servers, each given the drain timeout. */
const drainers = new Set<(timeout: number) => Promise<unknown>>();
let workerHooked = false;
/** Once this worker drains: resolves to its exit status when its servers have stopped. */
let drained: Promise<number> | null = null;

/** Null unless this worker was told to drain; else its exit status, once its servers have stopped. */
export function workerDrained(): Promise<number> | null {
  return drained;
}

/**
 * In a cluster worker: STOP (which stops a server, letting requests in flight finish within its
 * timeout) is called when the primary asks this worker to drain, on SIGTERM or SIGINT, or when
 * the primary is gone; the worker then exits (0, or 128 + the signal's number so that a
 * primary that is not stopping starts it again). A second signal exits at once.
 */
export function onWorkerDrain(stop: (timeout: number) => Promise<unknown>): void {
  drainers.add(stop);
  if (workerHooked) return;
  workerHooked = true;
  const cluster = clusterModule();
  const worker = cluster.worker;
  if (worker === undefined) return;
  const envTimeout = Number(process.env[DRAIN_ENV]);
  const ownTimeout = Number.isFinite(envTimeout) && envTimeout >= 0 ? envTimeout : DEFAULT_DRAIN_TIMEOUT_MS;
  const drain = (timeout: number, status: number): void => {
    if (drained !== null) return;
    drained = Promise.allSettled([...drainers].map((d) => d(timeout))).then(() => status);
    void drained.then((s) => process.exit(s));
  };
  process.on('message', (m: unknown) => {
    const t = (m as Record<string, unknown> | null)?.[DRAIN];
    if (typeof t === 'number') drain(t, 0);
  });
  for (const [signal, status] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.on(signal, () => {
      if (drained !== null) process.exit(status);
      drain(ownTimeout, status);
    });
  }
  // node:cluster exits a worker at once when the primary goes; marking the disconnect as
  // expected keeps it alive to finish its requests (it can accept no new ones: the primary held
  // the listening socket).
  worker.on('disconnect', () => {
    worker.exitedAfterDisconnect = true;
    drain(ownTimeout, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// The TypeScript API
// ---------------------------------------------------------------------------------------------

/** A Server whose listen failure is an HttpServerError with a code (address-in-use …). */
class CheckedServer extends Server {
  constructor(options: ServerOptions) {
    super(options);
    this.bindHost = options.host;
    this.givenPort = options.port;
  }

  private readonly bindHost: string | null | undefined;
  private readonly givenPort: number | undefined;

  override async start(): Promise<this> {
    try {
      return await super.start();
    } catch (e) {
      // The listen failure (a system error as its cause); not what init or the startup hook raised.
      const cause = e instanceof HttpUsageError && !(e instanceof HttpServerError) ? e.cause as NodeJS.ErrnoException | undefined : undefined;
      if (typeof cause?.code === 'string') throw listenError(e, this.bindHost, this.givenPort);
      throw e;
    }
  }
}

/**
 * The primary of `createServer({ workers: N })`: start() forks N workers running this program
 * (each makes its own server and serves the shared port) and resolves once all listen; stop()
 * drains them. Requests are served, and counted, in the workers.
 */
export class PrimaryServer extends Server {
  override readonly closed: Promise<void>;
  private supervisor: Supervisor | null = null;
  private listened: net.AddressInfo | null = null;
  private readonly workerOptions: ServerOptions;
  private readonly signalHandlers = new Map<NodeJS.Signals, () => void>();

  constructor(options: ServerOptions) {
    super(options);
    this.workerOptions = options;
    this.closed = new Promise((resolve) => { this.resolveDone = resolve; });
  }

  private resolveDone!: () => void;

  /** The workers' process ids. */
  get workerPids(): number[] {
    return this.supervisor?.pids ?? [];
  }

  override get port(): number {
    return this.listened?.port ?? this.workerOptions.port ?? 0;
  }

  override address(): net.AddressInfo | null {
    return this.listened;
  }

  override async start(): Promise<this> {
    if (this.supervisor !== null) throw new HttpUsageError('this server is already started');
    const supervisor = new Supervisor({ count: this.workerOptions.workers ?? 1, drainTimeout: this.workerOptions.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS });
    this.supervisor = supervisor;
    supervisor.start();
    void supervisor.ended.then(() => {
      for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
      this.resolveDone();
    });
    // SIGTERM and SIGINT drain the workers, then the signal does what it would have done.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handler = (): void => {
        process.off(signal, handler);
        void this.stop().then(() => { if (process.listenerCount(signal) === 0) process.kill(process.pid, signal); });
      };
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
    this.listened = await supervisor.listening();
    return this;
  }

  override async stop(options: { timeout?: number } = {}): Promise<void> {
    if (this.supervisor === null) return;
    await this.supervisor.drain(options.timeout);
    await this.closed;
  }
}

/**
 * `http:make-server` with the options checked (a bad one throws an HttpServerError naming it)
 * and, with `workers` above 1, served by that many processes: in the primary this returns a
 * PrimaryServer, in each worker a server of its own that drains when told to.
 */
export function createServer(options: ServerOptions = {}): Server {
  validateServerOptions(options);
  const workers = options.workers ?? 1;
  if (workers > 1 && clusterModule().isPrimary) return new PrimaryServer(options);
  const server = new CheckedServer(options);
  if (workers > 1) onWorkerDrain((timeout) => server.stop({ timeout }));
  return server;
}
