/**
 * Micro-benchmark of the server's per-request JavaScript path (parse, dispatch, handler, write)
 * without the kernel: a fake socket takes the writes. Run: node --import tsx bench/micro/dispatch.ts
 * Prints µs per request; use with --cpu-prof to see where the JS time goes.
 *
 * FROM=dist runs the compiled modules of dist/ (after `npm run build`) instead of src/ through
 * tsx: tsx's output costs more per call than tsc's (export getters, a `__name` call for every
 * closure made), which shows in a profile of src/ but not in the server the command runs.
 * DEBUG=1 turns the debug flag on, as the seed's program has it (one line per request, to
 * stderr: send it to /dev/null).
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { Connection as ConnectionType, ConnectionHost } from '../../src/http/server/connection.js';
import type { ServerConfig } from '../../src/http/server/config.js';

const ROOT = process.env.FROM === 'dist' ? '../../dist/' : '../../src/';
const { Connection } = await import(`${ROOT}http/server/connection.js`) as { Connection: typeof ConnectionType };
const configModule = await import(`${ROOT}http/server/config.js`) as { ServerConfig: typeof ServerConfig };

class FakeSocket extends EventEmitter {
  written = 0;
  writableNeedDrain = false;
  setNoDelay(): this { return this; }
  isPaused(): boolean { return false; }
  write(data: string | Uint8Array): boolean { this.written += typeof data === 'string' ? data.length : data.byteLength; return true; }
  cork(): void {}
  uncork(): void {}
  end(): void {}
  destroy(): void {}
  resume(): void {}
  pause(): void {}
}

// MODE=scheme serves the seed's Scheme handler through the Scheme front instead; MODE=table the
// handler of bench/scheme-handlers/table-server.scm (at /table); MODE=wiki examples/wiki.scm's
// page view (at /wiki/Home); MODE=rest examples/rest-service.scm's GET /items (20 items).
let config: ServerConfig;
let path = '/';

/** The server config of the Scheme program FILE (a URL beside this file) run up to, not including, its last form, which starts the server; then EXTRA. */
async function schemeProgram(file: string, extra = ''): Promise<ServerConfig> {
  const { schemeRuntime } = await import(`${ROOT}scheme/interpreter.js`);
  const fs = await import('node:fs');
  const rt = await schemeRuntime();
  const source = fs.readFileSync(new URL(file, import.meta.url), 'latin1');
  await rt.evaluate(`${source.slice(0, source.lastIndexOf('((http:make-server'))}\n${extra}`);
  return rt.servers.config;
}

if (process.env.MODE === 'table') {
  config = await schemeProgram('../scheme-handlers/table-server.scm');
  path = '/table';
} else if (process.env.MODE === 'wiki') {
  // examples/wiki.scm's GET /wiki/Home; its log hook writes a line per request to stderr
  // (send it to /dev/null).
  config = await schemeProgram('../../examples/wiki.scm');
  path = '/wiki/Home';
} else if (process.env.MODE === 'rest') {
  // GET /items of examples/rest-service.scm holding its 20 sample items.
  config = await schemeProgram('../../examples/rest-service.scm', '(add-sample-items! 20)');
  path = '/items';
} else if (process.env.MODE === 'scheme') {
  const { schemeRuntime } = await import(`${ROOT}scheme/interpreter.js`);
  const rt = await schemeRuntime();
  await rt.evaluate(`(http:add-resource '("/" "/index.html")
    (lambda (r a)
      (let ([msg "<h1>Hello, world!</h1>"])
        (print "Content-type: text/html\\r\\nContent-length: " (add1 (string-length msg)) "\\r\\n\\r\\n" msg))))`);
  config = rt.servers.config;
} else {
  config = new configModule.ServerConfig();
  config.addResource(['/', '/index.html'], (_r, _a, ex) => {
    const msg = '<h1>Hello, world!</h1>';
    ex.write(`Content-type: text/html\r\nContent-length: ${msg.length + 1}\r\n\r\n${msg}\n`);
  });
}
const debugLog = process.env.DEBUG === '1'
  ? (await import(`${ROOT}http/server/debug-log.js`) as { bufferedStderrLog: () => (line: string) => void }).bufferedStderrLog()
  : null;
const host: ConnectionHost = {
  config, identity: { serverName: '(Silly)', location: 'localhost' }, debug: debugLog, stopping: false,
  connectionClosed: () => undefined,
};
const sock = new FakeSocket();
new Connection(sock as unknown as net.Socket, host, '127.0.0.1');
const req = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:18501\r\n\r\n`);
const N = Number(process.env.N ?? (process.env.MODE === 'scheme' ? 200_000 : process.env.MODE === 'table' || process.env.MODE === 'wiki' || process.env.MODE === 'rest' ? 20_000 : 1_000_000));
for (let round = 0; round < 3; round++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sock.emit('data', Buffer.from(req));
  const t1 = process.hrtime.bigint();
  // CPU time too: on a shared machine it varies less than the wall clock.
  const cpu = process.cpuUsage(c0);
  console.log(`${(Number(t1 - t0) / 1000 / N).toFixed(3)} µs/request, ${((cpu.user + cpu.system) / N).toFixed(3)} µs CPU (${sock.written} bytes written)`);
}
