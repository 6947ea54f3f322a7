/**
 * The debug flag's output on stderr: where the server listens, once it does, then one line per
 * request, gathered and written once per turn of the event loop (a synchronous write per
 * request would cost more than serving it).
 */
import type net from 'node:net';

/** The environment variable naming a cluster worker's slot (1…N), set by the Supervisor (workers.ts). */
export const WORKER_ENV = 'SCHEME_HTTP_WORKER';

/** This process's worker slot when it is a worker forked by a Supervisor, else null. */
export function workerSlot(): number | null {
  const cluster = process.getBuiltinModule('node:cluster') as unknown as { isWorker: boolean };
  const n = Number(process.env[WORKER_ENV]);
  return cluster.isWorker && Number.isInteger(n) && n > 0 ? n : null;
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

export function bufferedStderrLog(): (line: string) => void {
  let lines: string[] = [];
  const flush = (): void => {
    const text = lines.join('\n') + '\n';
    lines = [];
    process.stderr.write(text);
  };
  return (line: string) => {
    if (lines.length === 0) setImmediate(flush);
    lines.push(line);
  };
}
