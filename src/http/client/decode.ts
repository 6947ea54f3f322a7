/**
 * Content-coding decoders for response bodies (gzip, deflate, br), fed while the body arrives.
 *
 * The body used to be decoded only once all of it was read, so a corrupt body that was also
 * shorter than its Content-Length, from a server that kept the connection open, waited for bytes
 * that never came until the timeout. Fed as it arrives, a decoder reports bad bytes at once (and
 * wakes the read through `onError`). The decoded size is bounded by the body limit, so a small
 * gzip bomb cannot inflate to whatever it holds.
 */
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { HttpClientError, HttpProtocolError } from '../errors.js';
import { ChunkedDecoder } from '../body.js';
import type { Headers } from '../headers.js';
import type { ClientLimits, ResponseFraming } from './message.js';
import type { SocketReader } from './reader.js';

/** One decoding step: takes encoded bytes, hands decoded bytes on. */
interface Stage {
  write(bytes: Buffer): void;
  end(): void;
  destroy(): void;
}

type Sink = { data(bytes: Buffer): void; end(): void; fail(e: Error): void };

/** A zlib stream as a stage; its output goes to SINK. */
function zlibStage(stream: Transform, sink: Sink): Stage {
  stream.on('data', (b: Buffer) => sink.data(b));
  stream.on('end', () => sink.end());
  stream.on('error', (e: Error) => sink.fail(e));
  return {
    write: (b) => { stream.write(b); },
    end: () => { stream.end(); },
    destroy: () => { stream.destroy(); },
  };
}

/**
 * `deflate` is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but servers send raw deflate too:
 * the first two bytes tell which (a zlib header is CM 8 with a check value divisible by 31).
 */
function deflateStage(sink: Sink): Stage {
  let inner: Stage | null = null;
  let head = Buffer.alloc(0);
  const start = (): Stage => {
    const zlibWrapped = head.length >= 2 && (head[0]! & 0x0f) === 8 && ((head[0]! << 8) | head[1]!) % 31 === 0;
    const s = zlibStage(zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw(), sink);
    if (head.length > 0) s.write(head);
    return s;
  };
  return {
    write: (b) => {
      if (inner !== null) { inner.write(b); return; }
      head = Buffer.concat([head, b]);
      if (head.length >= 2) inner = start();
    },
    end: () => { (inner ??= start()).end(); },
    destroy: () => { inner?.destroy(); },
  };
}

const KNOWN_CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

function stageFor(coding: string, sink: Sink): Stage {
  switch (coding) {
    case 'gzip': case 'x-gzip': return zlibStage(zlib.createGunzip(), sink);
    case 'deflate': return deflateStage(sink);
    default: return zlibStage(zlib.createBrotliDecompress(), sink);
  }
}

export class BodyDecoder {
  /** Called once when decoding fails (bad bytes, or the decoded body past the limit). */
  onError: ((e: HttpClientError) => void) | null = null;
  private readonly first: Stage;
  private readonly stages: Stage[] = [];
  private readonly out: Buffer[] = [];
  private size = 0;
  /** Encoded bytes pushed: an empty body is empty, whatever its coding says. */
  private pushed = 0;
  private failure: HttpClientError | null = null;
  private finished = false;
  private settle: (() => void) | null = null;

  /**
   * A decoder for the codings of a Content-Encoding value, or null when there is nothing to undo
   * (no value, or identity only). An unknown coding fails at once, before the body is read.
   */
  static forEncoding(encoding: string | undefined, url: string, max: number): BodyDecoder | null {
    if (encoding === undefined) return null;
    const codings = encoding.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
    if (codings.length === 0) return null;
    for (const c of codings) {
      if (!KNOWN_CODINGS.has(c)) {
        throw new HttpClientError('bad-encoding', url, `cannot decode the ${encoding} body: unknown content coding ${c}`);
      }
    }
    return new BodyDecoder(codings, encoding, url, max);
  }

  private constructor(codings: string[], private readonly encoding: string, private readonly url: string, private readonly max: number) {
    // The last coding applied is undone first; each stage feeds the one before it in the list.
    let sink: Sink = {
      data: (b) => this.collect(b),
      end: () => { this.finished = true; this.wake(); },
      fail: (e) => this.fail(e),
    };
    for (const c of codings) {
      const stage = stageFor(c, sink);
      this.stages.push(stage);
      sink = { data: (b) => stage.write(b), end: () => stage.end(), fail: (e) => this.fail(e) };
    }
    this.first = this.stages[this.stages.length - 1]!;
  }

  /** Bytes of the encoded body, in order. Throws the decoding error if one was found. */
  push(bytes: Buffer): void {
    this.check();
    if (bytes.length === 0) return;
    this.pushed += bytes.length;
    this.first.write(bytes);
  }

  /** Throws the decoding error if one was found so far. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** The end of the encoded body: the decoded body, or the error (a stream cut short included). */
  async finish(): Promise<Buffer> {
    this.check();
    if (this.pushed === 0) {
      this.destroy();
      return Buffer.alloc(0);
    }
    this.first.end();
    while (!this.finished && this.failure === null) {
      await new Promise<void>((resolve) => { this.settle = resolve; });
    }
    this.check();
    return Buffer.concat(this.out, this.size);
  }

  /** Frees the zlib streams (after an error elsewhere, e.g. the connection failed). */
  destroy(): void {
    for (const s of this.stages) s.destroy();
  }

  private collect(b: Buffer): void {
    if (this.failure !== null) return;
    this.size += b.length;
    if (this.size > this.max) {
      this.fail(new HttpClientError('body-too-large', this.url, `the decoded ${this.encoding} body exceeds the limit of ${this.max} bytes`));
      return;
    }
    this.out.push(b);
  }

  private fail(e: Error): void {
    if (this.failure !== null) return;
    this.failure = e instanceof HttpClientError ? e
      : new HttpClientError('bad-encoding', this.url, `cannot decode the ${this.encoding} body: ${e.message}`, { cause: e });
    this.destroy();
    this.wake();
    this.onError?.(this.failure);
  }

  private wake(): void {
    const s = this.settle;
    this.settle = null;
    s?.();
  }
}

/**
 * Reads a body by FRAMING and decodes it as it comes (see BodyDecoder): the same reads and errors
 * as `readBody`, but a decoding error ends the read at once.
 */
export async function readDecodedBody(reader: SocketReader, framing: ResponseFraming, url: string, limits: ClientLimits,
  decoder: BodyDecoder): Promise<{ body: Buffer; trailers: Headers }> {
  decoder.onError = (e) => reader.fail(e);
  try {
    let trailers: Headers = [];
    if (framing.kind === 'length') await pushLength(reader, framing.length, url, limits, decoder);
    else if (framing.kind === 'close') await pushToEnd(reader, url, limits, decoder);
    else if (framing.kind === 'chunked') trailers = await pushChunked(reader, url, limits, decoder);
    return { body: await decoder.finish(), trailers };
  } catch (e) {
    decoder.destroy();
    throw e;
  }
}

async function pushLength(reader: SocketReader, length: number, url: string, limits: ClientLimits, decoder: BodyDecoder): Promise<void> {
  if (length > limits.maxBodySize) {
    throw new HttpClientError('body-too-large', url, `response body of ${length} bytes exceeds the limit of ${limits.maxBodySize}`);
  }
  for (let left = length; left > 0;) {
    const bytes = await reader.readSome(left);
    if (bytes === null) throw new HttpClientError('truncated', url, `connection closed after ${length - left} of ${length} expected bytes`);
    left -= bytes.length;
    decoder.push(bytes);
  }
}

async function pushToEnd(reader: SocketReader, url: string, limits: ClientLimits, decoder: BodyDecoder): Promise<void> {
  for (let size = 0; ;) {
    const bytes = await reader.readSome(64 * 1024);
    if (bytes === null) return;
    size += bytes.length;
    if (size > limits.maxBodySize) throw new HttpClientError('body-too-large', url, `response body larger than ${limits.maxBodySize} bytes`);
    decoder.push(bytes);
  }
}

async function pushChunked(reader: SocketReader, url: string, limits: ClientLimits, decoder: BodyDecoder): Promise<Headers> {
  const chunked = new ChunkedDecoder({ readLineLimit: limits.readLineLimit, maxBodySize: limits.maxBodySize, maxHeaderCount: limits.maxHeaderCount });
  while (!chunked.done) {
    const bytes = await reader.readSome(64 * 1024);
    if (bytes === null) throw new HttpClientError('truncated', url, 'connection closed in the middle of a chunked body');
    let stop: number;
    try {
      stop = chunked.push(bytes, 0);
    } catch (e) {
      if (e instanceof HttpProtocolError) throw new HttpClientError(e.status === 413 ? 'body-too-large' : 'bad-chunk', url, e.message, { cause: e });
      throw e;
    }
    if (stop < bytes.length) reader.unshift(bytes.subarray(stop));
    // The decoded chunks go on to the content decoder and are not kept twice.
    for (const part of chunked.parts.splice(0)) decoder.push(part);
  }
  return chunked.trailers;
}
