/**
 * The debug flag's output on stderr: where the server listens, once it does, then one line per
 * request, gathered and written every few milliseconds (a synchronous write per request would
 * cost more than serving it).
 */
import type net from 'node:net';

/** The environment variable naming a cluster worker's slot (1…N), set by the Supervisor (workers.ts). */
export const WORKER_ENV = 'SCHEME_HTTP_WORKER';

/** This process's worker slot when it is a worker forked by a Supervisor, else null. */
export function workerSlot(): number | null {
  const n = Number(process.env[WORKER_ENV]);
  if (!Number.isInteger(n) || n <= 0) return null;
  const cluster = process.getBuiltinModule('node:cluster') as unknown as { isWorker: boolean };
  return cluster.isWorker ? n : null;
}

/**
 * `listening on http://localhost:4242/`: a server bound to every interface is shown as
 * localhost (where a user on this machine finds it), one bound to an address by that address.
 * A worker adds which one it is.
 */
export function listeningLine(address: net.AddressInfo | null, secure = false): string {
  if (address === null) return 'listening (on a listener of the program\'s own)\n';
  const a = address.address;
  const host = a === '::' || a === '0.0.0.0' || a === '' ? 'localhost' : address.family === 'IPv6' ? `[${a}]` : a;
  const slot = workerSlot();
  const who = slot === null ? '' : ` (worker ${slot}, pid ${process.pid})`;
  return `listening on ${secure ? 'https' : 'http'}://${host}:${address.port}/${who}\n`;
}

/** How long a debug line may wait in the buffer before it is written, ms. */
const FLUSH_MS = 10;
/** Buffered text beyond which it is written at once. */
const FLUSH_BYTES = 32 * 1024;

let buffered = '';
let flushTimer: NodeJS.Timeout | null = null;
let exitHooked = false;

function flushDebugLines(): void {
  if (flushTimer !== null) clearTimeout(flushTimer);
  flushTimer = null;
  if (buffered === '') return;
  const text = buffered;
  buffered = '';
  process.stderr.write(text);
}

function debugLine(line: string): void {
  if (buffered === '' && flushTimer === null) {
    flushTimer = setTimeout(flushDebugLines, FLUSH_MS);
    if (!exitHooked) {
      // Lines still buffered when the process exits are written then (stderr writes are synchronous).
      exitHooked = true;
      process.once('exit', flushDebugLines);
    }
  }
  buffered += line + '\n';
  if (buffered.length >= FLUSH_BYTES) flushDebugLines();
}

/**
 * The debug flag's sink: lines gathered (from every server of the process, in order) and written
 * to stderr every FLUSH_MS, or once FLUSH_BYTES wait, and on exit. Writing once per event-loop
 * turn cost a syscall and an Immediate for every one or two requests under load.
 */
export function bufferedStderrLog(): (line: string) => void {
  return debugLine;
}
