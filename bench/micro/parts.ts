/**
 * Micro-benchmark of the parts of the server's per-request path, each alone, in CPU µs per
 * request: the head parser (scan + parse), the response writer (the hello handler's one write,
 * then end), and URL decoding. Run: node --import tsx bench/micro/parts.ts
 * Shows which part of `dispatch.ts`'s total to work on; the machine is shared, so compare CPU
 * times of runs made one after the other and repeat. FROM=dist measures dist/ (tsc's output, what
 * the servers run) instead of src/ through tsx.
 */
import type { RequestHeadParser as Parser } from '../../src/http/parser.js';
import type { ResponseWriter as Writer, FaultSink } from '../../src/http/server/response.js';
import type { decodeUrl as DecodeUrl } from '../../src/http/url.js';
import type { Duplex } from 'node:stream';

const ROOT = process.env.FROM === 'dist' ? '../../dist/' : '../../src/';
const { RequestHeadParser } = await import(`${ROOT}http/parser.js`) as { RequestHeadParser: typeof Parser };
const { ResponseWriter } = await import(`${ROOT}http/server/response.js`) as { ResponseWriter: typeof Writer };
const { decodeUrl } = await import(`${ROOT}http/url.js`) as { decodeUrl: typeof DecodeUrl };

const N = Number(process.env.N ?? 1_000_000);
const req = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:18501\r\n\r\n');
const wrk = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:18431\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n');
const limits = { readLineLimit: 8192, maxHeaderCount: 100, maxHeadSize: 64 * 1024 };

let sink = 0;
const socket = { write(d: string | Uint8Array): boolean { sink += d.length; return true; }, cork(): void {}, uncork(): void {} } as unknown as Duplex;
const faults: FaultSink = { outputFault: () => undefined, writeTimeout: 1000, closing: false };
const msg = '<h1>Hello, world!</h1>';

function time(name: string, f: () => void): void {
  for (let round = 0; round < 3; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) f();
    const cpu = process.cpuUsage(c0);
    if (round === 2) console.log(`${name.padEnd(28)} ${((cpu.user + cpu.system) / N).toFixed(3)} µs CPU`);
  }
}

const parser = new RequestHeadParser(limits);
time('parse (2 lines)', () => { parser.scan(req); sink += parser.parse(req).headers.length; parser.reset(); });
time('parse (6 lines, browser-like)', () => { parser.scan(wrk); sink += parser.parse(wrk).headers.length; parser.reset(); });
time('response (hello)', () => {
  const out = new ResponseWriter(socket, faults, 'HTTP/1.1', false, true, '(Silly)', '/');
  out.write(`Content-type: text/html\r\nContent-length: ${msg.length + 1}\r\n\r\n${msg}\n`);
  out.end();
});
// What the seed's handler does through `print`: each argument, then the newline, as byte strings.
time('response (Scheme print)', () => {
  const out = new ResponseWriter(socket, faults, 'HTTP/1.1', false, true, '(Silly)', '/');
  out.writeLatin1('Content-type: text/html\r\nContent-length: ');
  out.writeLatin1(String(msg.length + 1));
  out.writeLatin1('\r\n\r\n');
  out.writeLatin1(msg);
  out.writeLatin1('\n');
  out.end();
});
time('decodeUrl', () => { sink += decodeUrl('/').length; });
console.log(sink > 0 ? '' : 'nothing measured');
