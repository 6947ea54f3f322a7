/**
 * Our side of the llhttp cases: runs a case's bytes through our parsers and reports the outcome.
 * - Requests in-process: RequestHeadParser, requestFraming and ChunkedDecoder in the order and
 *   with the limits src/http/server/connection.ts uses (that class needs a socket, so its loop is
 *   followed here; the whole-input run through a real server checks that this stays true).
 * - Requests through a real server over loopback, with a handler that records what it got.
 * - Responses through the client's own SocketReader + readResponseHead/responseFraming/readBody,
 *   fed from a stream (the pieces arrive exactly as split) or from a real loopback socket.
 */
import net from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { RequestHeadParser, type RequestHead } from '../../../src/http/parser.js';
import { requestFraming, ChunkedDecoder, type Framing } from '../../../src/http/body.js';
import { HttpClientError, HttpProtocolError } from '../../../src/http/errors.js';
import { DEFAULT_LIMITS } from '../../../src/http/limits.js';
import { wantsKeepAlive, checkHost } from '../../../src/http/server/connection.js';
import { SocketReader } from '../../../src/http/client/reader.js';
import {
  DEFAULT_CLIENT_LIMITS, readResponseHead, responseFraming, readBody, responseKeepsAlive,
} from '../../../src/http/client/message.js';
import type { Message, Outcome } from './llhttp-outcome.js';

const CASE_URL = 'http://127.0.0.1/llhttp-case';

/** Whole, split in two at every byte, and one byte at a time: the ways a case is fed. */
export function splits(input: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 1; i < input.length; i++) out.push([input.subarray(0, i), input.subarray(i)]);
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  if (input.length > 1) out.push(bytes);
  return out;
}

function errorDetail(e: HttpProtocolError | HttpClientError): string {
  return e instanceof HttpProtocolError ? `${e.code} (${e.status})` : e.code;
}

function requestMessage(head: RequestHead, body: Buffer, trailers: Array<[string, string]>): Message {
  return {
    method: head.method, target: head.target, version: head.protocol,
    headers: head.headers.map(([n, v]) => [n, v]), body: body.toString('latin1'), trailers: trailers.map(([n, v]) => [n, v]),
  };
}

/** Requests, in-process, the way the server's connection reads them (no EOF after the pieces). */
export function runRequestsInProcess(pieces: readonly Buffer[]): Outcome {
  const limits = { ...DEFAULT_LIMITS };
  const parser = new RequestHeadParser(limits);
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const messages: Message[] = [];
  let consumed = 0;
  let buf: Buffer = Buffer.alloc(0);
  let head: RequestHead | null = null;
  let framing: Framing | null = null;
  let chunked: ChunkedDecoder | null = null;
  let bodyParts: Buffer[] = [];
  let received = 0;
  try {
    for (const piece of pieces) {
      buf = buf.length === 0 ? piece : Buffer.concat([buf, piece]);
      for (;;) {
        if (head === null) {
          if (buf.length === 0) break;
          const end = parser.scan(buf);
          if (end === -1) break;
          head = parser.parse(buf);
          framing = requestFraming(head.headers, limits.maxBodySize);
          buf = buf.subarray(end);
          consumed += end;
          parser.reset();
          bodyParts = [];
          received = 0;
          chunked = framing.kind === 'chunked' ? new ChunkedDecoder(limits) : null;
        }
        let complete: boolean;
        if (framing!.kind === 'none') complete = true;
        else if (chunked !== null) {
          const pos = chunked.push(buf, 0);
          buf = buf.subarray(pos);
          consumed += pos;
          complete = chunked.done;
        } else {
          const want = (framing as { length: number }).length;
          const take = Math.min(want - received, buf.length);
          bodyParts.push(buf.subarray(0, take));
          received += take;
          buf = buf.subarray(take);
          consumed += take;
          complete = received === want;
        }
        if (!complete) break;
        const body = chunked !== null ? Buffer.concat(chunked.parts) : Buffer.concat(bodyParts);
        messages.push(requestMessage(head, body, chunked?.trailers ?? []));
        // As the server: a request that ends the connection is the last one read.
        const keep = wantsKeepAlive(head) && !(head.protocol === 'HTTP/1.0' && framing!.kind === 'chunked');
        head = null;
        if (!keep) return { messages, end: consumed < total ? 'closed' : 'clean' };
      }
    }
  } catch (e) {
    if (e instanceof HttpProtocolError) return { messages, end: 'error', detail: errorDetail(e) };
    throw e;
  }
  if (head !== null) return { messages, end: 'incomplete', pending: requestMessage(head, Buffer.alloc(0), []) };
  return { messages, end: parser.started ? 'incomplete' : 'clean' };
}

/**
 * What the real server should do with the messages our parser read from a whole input: each is
 * handled unless it breaks the server's own rules applied after parsing (Host, RFC 9112 §3.2;
 * an Expect other than 100-continue, 417); then the parser's ending. Returns the handled
 * messages and the statuses of the final responses in order.
 */
export function serverExpectation(parsed: Outcome): { handled: Message[]; statuses: number[] } {
  const handled: Message[] = [];
  const statuses: number[] = [];
  // A head whose body is still coming is judged (Host, Expect) before the body is read.
  const heads = parsed.pending === undefined ? parsed.messages : [...parsed.messages, parsed.pending];
  for (const m of heads) {
    const head: RequestHead = { method: m.method!, target: m.target!, protocol: m.version, headers: m.headers };
    try {
      checkHost(head);
    } catch (e) {
      statuses.push((e as HttpProtocolError).status);
      return { handled, statuses };
    }
    const expect = m.headers.filter(([n]) => n === 'expect').flatMap(([, v]) => v.split(',')).map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    if (expect.some((x) => x !== '100-continue')) {
      statuses.push(417);
      return { handled, statuses };
    }
    if (m === parsed.pending) break;
    handled.push(m);
    statuses.push(200);
  }
  if (parsed.end === 'error') statuses.push(Number(/\((\d{3})\)/.exec(parsed.detail ?? '')?.[1] ?? 0));
  return { handled, statuses };
}

/** Final (non-1xx) status codes of the responses in TEXT, in order. */
export function responseStatuses(text: string): number[] {
  const out: number[] = [];
  const re = /(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (m[1]![0] !== '1') out.push(Number(m[1]));
  return out;
}

/** Writes PIECES to a stream, each its own 'data' event, then ends it. */
export function streamOf(pieces: readonly Buffer[]): Duplex {
  const s = new PassThrough();
  void (async () => {
    for (const p of pieces) {
      s.write(p);
      await new Promise<void>((r) => setImmediate(r));
    }
    s.end();
  })();
  return s;
}

/**
 * Responses as the client reads them from SOURCE (which ends after the case's bytes): interim
 * 1xx heads are messages of their own (the client skips them), each final response's body is
 * read by its framing, and reading stops after a response that ends the connection.
 */
export async function runResponses(source: Duplex, method: string): Promise<Outcome> {
  const reader = new SocketReader(source, CASE_URL);
  reader.deadline = Date.now() + 10_000;
  const limits = DEFAULT_CLIENT_LIMITS;
  const messages: Message[] = [];
  try {
    for (;;) {
      let head;
      try {
        head = await readResponseHead(reader, CASE_URL, limits);
      } catch (e) {
        if (e instanceof HttpClientError && e.code === 'closed' && reader.atEnd) return { messages, end: 'clean' };
        throw e;
      }
      const version = head.statusLine.slice(0, head.statusLine.indexOf(' '));
      const framing = responseFraming(head.headers, head.status, method, CASE_URL);
      const { body, trailers } = await readBody(reader, framing, CASE_URL, limits);
      messages.push({ version, status: head.status, headers: head.headers, body: body.toString('latin1'), trailers });
      // sendRequest hands a 101's connection to its caller: what follows is not HTTP.
      if (head.status === 101) return { messages, end: 'upgrade' };
      if (head.status >= 100 && head.status < 200) continue;
      if (!responseKeepsAlive(head, framing, 'HTTP/1.1', [])) {
        // The client closes such a connection: whatever follows is never read as HTTP.
        const rest = await reader.readToEnd(limits.maxBodySize);
        return { messages, end: rest.length > 0 ? 'closed' : 'clean' };
      }
    }
  } catch (e) {
    if (e instanceof HttpClientError) {
      const cut = e.code === 'truncated';
      return { messages, end: cut ? 'incomplete' : 'error', detail: errorDetail(e) };
    }
    throw e;
  } finally {
    source.destroy();
  }
}

/** A loopback server that answers each connection with the case its client names on its first line. */
export class ResponseFeeder {
  private server: net.Server | null = null;
  private readonly inputs: Buffer[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server = net.createServer((sock) => {
      let line = '';
      sock.on('error', () => undefined);
      sock.on('data', (c: Buffer) => {
        line += c.toString('latin1');
        const nl = line.indexOf('\n');
        if (nl === -1) return;
        const input = this.inputs[Number(line.slice(0, nl))];
        sock.end(input ?? Buffer.alloc(0));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Reads INPUT as a response over a real socket. */
  async run(input: Buffer, method: string): Promise<Outcome> {
    const id = this.inputs.push(input) - 1;
    const sock = net.connect(this.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    sock.write(`${id}\n`);
    return runResponses(sock, method);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
