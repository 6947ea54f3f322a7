/**
 * fast-check generators for the property tests: valid HTTP/1.1 requests and responses (as
 * records, with their wire bytes and what a parser must make of them), chunked bodies with
 * extensions and trailers, urlencoded forms, and mutators that damage valid messages the way a
 * broken or hostile peer does (byte flips, stray CR/LF/NUL/SP/colon, deletions, duplications,
 * truncation). Also how to cut a message into the pieces it may arrive in.
 */
import fc from 'fast-check';

// ---- characters of the grammar (RFC 9110 §5.6.2, RFC 9112) ----

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".split('');
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
/** VCHAR except `\`: what a request target may hold (the parser refuses `\`, see parser.ts). */
const TARGET_CHARS = range(33, 126).filter((c) => c !== '\\');
const VCHARS = range(33, 126);
const OBS_TEXT = range(0x80, 0xff);

/**
 * Fixed seed for every property, so CI runs are reproducible; fast-check prints it on failure.
 * FC_SEED overrides it and FC_RUNS multiplies every numRuns, to hunt for defects locally.
 */
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 0x5eed_4711;
const RUNS_FACTOR = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : 1;

/** The run count of a property: N, times FC_RUNS. */
export const runs = (n: number): number => Math.max(1, Math.round(n * RUNS_FACTOR));

export const token = (maxLength = 12): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength });

/** Optional whitespace (OWS): what may stand around a field value and be trimmed. */
export const ows: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });

/** A field value's core (a latin1 string: one char per byte): VCHAR, obs-text, inner SP/HTAB. */
export const fieldValue: fc.Arbitrary<string> = fc
  .string({ unit: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...VCHARS) }, fc.constantFrom(...OBS_TEXT), fc.constantFrom(' ', '\t')), maxLength: 40 })
  .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));

/** Names whose fields change how a message is framed or routed: generated apart, never at random. */
const FRAMING_NAMES = new Set(['content-length', 'transfer-encoding', 'host', 'expect', 'connection', 'trailer', 'te', 'upgrade']);

/** A field as sent: `name:` BEFORE value AFTER. */
export interface GenField {
  name: string;
  value: string;
  before: string;
  after: string;
}

export const field: fc.Arbitrary<GenField> = fc
  .record({ name: token(16), value: fieldValue, before: ows, after: ows })
  .filter((f) => !FRAMING_NAMES.has(f.name.toLowerCase()));

const fieldLine = (f: GenField): string => `${f.name}:${f.before}${f.value}${f.after}`;
/** The [lowercased name, trimmed value] a parser makes of a field. */
const parsedField = (f: GenField): [string, string] => [f.name.toLowerCase(), f.value];

// ---- chunked bodies (RFC 9112 §7.1) ----

/** A quoted-string of a chunk extension: qdtext and quoted-pairs. */
const quotedString: fc.Arbitrary<string> = fc
  .array(fc.oneof(
    fc.constantFrom(...range(0x21, 0x7e).filter((c) => c !== '"' && c !== '\\'), ' ', '\t', ...OBS_TEXT),
    fc.constantFrom(...VCHARS, ' ', '\t').map((c) => '\\' + c),
  ), { maxLength: 10 })
  .map((parts) => `"${parts.join('')}"`);

/** `;name[=value]` repeated, with the bad whitespace (BWS) the grammar allows around `;` and `=`. */
export const chunkExtensions: fc.Arbitrary<string> = fc
  .array(fc.tuple(ows, ows, token(8), fc.option(fc.tuple(ows, ows, fc.oneof(token(8), quotedString)), { nil: undefined })), { maxLength: 3 })
  .chain((exts) => (exts.length === 0 ? fc.constant('') : ows.map((tail) =>
    exts.map(([b1, b2, name, v]) => `${b1};${b2}${name}${v === undefined ? '' : `${v[0]}=${v[1]}${v[2]}`}`).join('') + tail)));

export interface GenChunk {
  data: Uint8Array;
  /** Zeros put before the hex size, and whether its letters are upper case. */
  zeros: number;
  upper: boolean;
  ext: string;
}

export interface GenChunked {
  chunks: GenChunk[];
  lastZeros: number;
  lastExt: string;
  trailers: GenField[];
}

const chunk: fc.Arbitrary<GenChunk> = fc.record({
  data: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  zeros: fc.nat(3),
  upper: fc.boolean(),
  ext: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, chunkExtensions),
});

export const chunkedBody: fc.Arbitrary<GenChunked> = fc.record({
  chunks: fc.array(chunk, { maxLength: 6 }),
  lastZeros: fc.nat(2),
  lastExt: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, chunkExtensions),
  trailers: fc.array(field, { maxLength: 3 }),
});

/** The wire bytes of a chunked body. */
export function encodeChunked(c: GenChunked): Buffer {
  const parts: Buffer[] = [];
  for (const ch of c.chunks) {
    const hex = ch.data.length.toString(16);
    parts.push(Buffer.from(`${'0'.repeat(ch.zeros)}${ch.upper ? hex.toUpperCase() : hex}${ch.ext}\r\n`, 'latin1'), Buffer.from(ch.data), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`${'0'.repeat(c.lastZeros + 1)}${c.lastExt}\r\n`, 'latin1'));
  for (const t of c.trailers) parts.push(Buffer.from(fieldLine(t) + '\r\n', 'latin1'));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

export const chunkedData = (c: GenChunked): Buffer => Buffer.concat(c.chunks.map((ch) => ch.data));
export const chunkedTrailers = (c: GenChunked): Array<[string, string]> => c.trailers.map(parsedField);

// ---- requests ----

export type GenFraming =
  | { kind: 'none' }
  | { kind: 'length'; body: Uint8Array; zeros: number }
  | { kind: 'chunked'; body: GenChunked; coding: string };

export interface GenRequest {
  method: string;
  target: string;
  version: string;
  /** What the parser reports for VERSION. */
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
  host: GenField;
  fields: GenField[];
  /** Where among FIELDS the Host field goes. */
  hostAt: number;
  framing: GenFraming;
  /** Empty lines before the request line (RFC 9112 §2.2). */
  leadingEmpty: string[];
  /** Line end of each head line: CRLF, or the bare LF a recipient may accept (RFC 9112 §2.2). */
  lineEnd: '\r\n' | '\n';
}

const method = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') },
  token(10),
);

const hostName = fc.oneof(
  fc.constantFrom('localhost', '127.0.0.1', 'example.com', '[::1]'),
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,5})?$/),
);
const hostValue = fc.tuple(hostName, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([h, p]) => (p === undefined ? h : `${h}:${p}`));

const path = fc.string({ unit: fc.constantFrom(...TARGET_CHARS), maxLength: 60 }).map((s) => '/' + s);

export const target: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: path },
  fc.tuple(fc.constantFrom('http', 'https'), hostValue, path).map(([s, h, p]) => `${s}://${h}${p}`),
  fc.constant('*'),
);

const version = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') },
  fc.integer({ min: 2, max: 9 }).map((n) => `HTTP/1.${n}`),
);

const framing: fc.Arbitrary<GenFraming> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<GenFraming>({ kind: 'none' }) },
  fc.record({ kind: fc.constant('length' as const), body: fc.uint8Array({ minLength: 0, maxLength: 400 }), zeros: fc.nat(2) }),
  fc.record({ kind: fc.constant('chunked' as const), body: chunkedBody, coding: fc.mixedCase(fc.constant('chunked')) }),
);

export const request: fc.Arbitrary<GenRequest> = fc
  .record({
    method,
    target,
    version,
    hostName: fc.mixedCase(fc.constant('Host')),
    hostValue,
    hostBefore: ows,
    hostAfter: ows,
    fields: fc.array(field, { maxLength: 8 }),
    hostAt: fc.nat(8),
    framing,
    leadingEmpty: fc.array(fc.constantFrom('\r\n', '\n'), { maxLength: 2 }),
    lineEnd: fc.oneof({ weight: 5, arbitrary: fc.constant('\r\n' as const) }, fc.constant('\n' as const)),
  })
  .map((r) => ({
    method: r.method,
    target: r.target,
    version: r.version,
    protocol: r.version === 'HTTP/1.0' ? 'HTTP/1.0' as const : 'HTTP/1.1' as const,
    host: { name: r.hostName, value: r.hostValue, before: r.hostBefore, after: r.hostAfter },
    fields: r.fields,
    hostAt: Math.min(r.hostAt, r.fields.length),
    framing: r.framing,
    leadingEmpty: r.leadingEmpty,
    lineEnd: r.lineEnd,
  }));

/** The field lines of a request in the order sent: its fields, Host among them, framing last. */
function requestFields(r: GenRequest): GenField[] {
  const out = [...r.fields];
  out.splice(r.hostAt, 0, r.host);
  const f = r.framing;
  if (f.kind === 'length') out.push({ name: 'Content-Length', value: '0'.repeat(f.zeros) + String(f.body.length), before: ' ', after: '' });
  if (f.kind === 'chunked') out.push({ name: 'Transfer-Encoding', value: f.coding, before: ' ', after: '' });
  return out;
}

export function requestBytes(r: GenRequest): Buffer {
  const e = r.lineEnd;
  let head = r.leadingEmpty.join('') + `${r.method} ${r.target} ${r.version}${e}`;
  for (const f of requestFields(r)) head += fieldLine(f) + e;
  head += e;
  const f = r.framing;
  const body = f.kind === 'length' ? Buffer.from(f.body) : f.kind === 'chunked' ? encodeChunked(f.body) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** What a server's parser must make of a request: its head as parsed, and its decoded body. */
export interface ParsedRequest {
  method: string;
  target: string;
  protocol: string;
  headers: Array<[string, string]>;
  /** Body bytes as hex (comparable with toEqual, readable in a failure). */
  body: string;
  trailers: Array<[string, string]>;
}

export function expectedRequest(r: GenRequest): ParsedRequest {
  const f = r.framing;
  return {
    method: r.method,
    target: r.target,
    protocol: r.protocol,
    headers: requestFields(r).map(parsedField),
    body: f.kind === 'length' ? Buffer.from(f.body).toString('hex') : f.kind === 'chunked' ? chunkedData(f.body).toString('hex') : '',
    trailers: f.kind === 'chunked' ? chunkedTrailers(f.body) : [],
  };
}

// ---- responses ----

export type GenResponseFraming =
  | { kind: 'length'; body: Uint8Array }
  | { kind: 'chunked'; body: GenChunked }
  | { kind: 'close'; body: Uint8Array };

export interface GenResponse {
  version: 'HTTP/1.0' | 'HTTP/1.1';
  status: number;
  reason: string;
  /** Interim 1xx responses sent before this one (100, 102, 103). */
  interim: Array<{ status: number; fields: GenField[] }>;
  fields: GenField[];
  framing: GenResponseFraming;
}

const reason: fc.Arbitrary<string> = fc.string({ unit: fc.constantFrom(...VCHARS, ' ', '\t', ...OBS_TEXT), maxLength: 20 });

export const response: fc.Arbitrary<GenResponse> = fc.record({
  version: fc.constantFrom('HTTP/1.0' as const, 'HTTP/1.1' as const),
  // Statuses that carry a body (not 1xx, 204, 304): the body is what the property checks.
  status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
  reason,
  interim: fc.array(fc.record({ status: fc.constantFrom(100, 102, 103), fields: fc.array(field, { maxLength: 2 }) }), { maxLength: 2 }),
  fields: fc.array(field, { maxLength: 6 }),
  framing: fc.oneof(
    fc.record({ kind: fc.constant('length' as const), body: fc.uint8Array({ maxLength: 400 }) }),
    fc.record({ kind: fc.constant('chunked' as const), body: chunkedBody }),
    fc.record({ kind: fc.constant('close' as const), body: fc.uint8Array({ maxLength: 400 }) }),
  ),
});

/** The field lines of R as sent: its fields, its framing, and `Connection: close` unless KEEPALIVE. */
function responseFields(r: GenResponse, keepAlive: boolean): GenField[] {
  const out = [...r.fields];
  const f = r.framing;
  if (f.kind === 'length') out.push({ name: 'Content-Length', value: String(f.body.length), before: ' ', after: '' });
  if (f.kind === 'chunked') out.push({ name: 'Transfer-Encoding', value: 'chunked', before: ' ', after: '' });
  if (!keepAlive) out.push({ name: 'Connection', value: 'close', before: ' ', after: '' });
  return out;
}

/** A response that leaves its connection open for the next one: HTTP/1.1, framed by length or chunks. */
export const keepAliveResponse: fc.Arbitrary<GenResponse> = response
  .filter((r) => r.framing.kind !== 'close')
  .map((r) => ({ ...r, version: 'HTTP/1.1' as const }));

export function responseBytes(r: GenResponse, keepAlive = false): Buffer {
  let head = '';
  for (const i of r.interim) {
    head += `${r.version} ${i.status} Interim\r\n`;
    for (const f of i.fields) head += fieldLine(f) + '\r\n';
    head += '\r\n';
  }
  head += `${r.version} ${r.status}${r.reason === '' ? '' : ' ' + r.reason}\r\n`;
  for (const f of responseFields(r, keepAlive)) head += fieldLine(f) + '\r\n';
  head += '\r\n';
  const f = r.framing;
  const body = f.kind === 'chunked' ? encodeChunked(f.body) : Buffer.from(f.body);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export interface ParsedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
  trailers: Array<[string, string]>;
}

export function expectedResponse(r: GenResponse, keepAlive = false): ParsedResponse {
  const f = r.framing;
  return {
    status: r.status,
    headers: responseFields(r, keepAlive).map(parsedField),
    body: (f.kind === 'chunked' ? chunkedData(f.body) : Buffer.from(f.body)).toString('hex'),
    trailers: f.kind === 'chunked' ? chunkedTrailers(f.body) : [],
  };
}

// ---- urlencoded forms ----

/**
 * Form names and values: any text, weighted towards the characters form encoding must escape
 * (`& = + %` space, controls), non-ASCII (2-, 3- and 4-byte UTF-8), a BOM and lone surrogates.
 */
export const formText: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('&', '=', '+', '%', ' ', '?', '#', ';', '/', '\r', '\n', '\0', '\t', '*', "'", '(', ')', '!', '~') },
    { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom('é', 'ÿ', '€', 'λ', '中', '😀', '\u00a0', '\ufeff', '\ud800', '\udfff', '%2', '%zz', '%25') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 16,
});

export const form: fc.Arbitrary<Array<[string, string]>> = fc.array(fc.tuple(formText, formText), { maxLength: 6 });

// ---- mutations ----

export type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: string }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate'; at: number; count: number }
  | { op: 'truncate'; at: number };

/** Bytes a hostile peer puts where they do harm: line ends, NUL, whitespace, colons, signs. */
const STRAY = ['\r', '\n', '\r\n', '\0', ' ', '\t', ':', ';', '-', '0', 'f', '\x7f', '\xff', '"', '\\', '\r\n\r\n', 'chunked', ',', '+'];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.constantFrom(...STRAY) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);

export function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = bytes;
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.op) {
      case 'flip':
        if (b.length === 0) break;
        b = Buffer.from(b);
        b[at % b.length] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes, 'latin1'), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      case 'duplicate':
        b = Buffer.concat([b.subarray(0, at + m.count), b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 4 });

/**
 * Junk that looks like HTTP: request lines, header lines and framing fields in random order and
 * with random damage, so the parsers get past their first line more often than random bytes do.
 */
export const httpishBytes: fc.Arbitrary<Buffer> = fc
  .array(fc.oneof(
    fc.constantFrom('GET / HTTP/1.1', 'POST /x HTTP/1.0', 'HTTP/1.1 200 OK', 'Host: a', 'Content-Length: 5', 'Content-Length: 99999999999999999',
      'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', '5', '0', 'ffffffffffffff', '3;x="a', 'Expect: 100-continue',
      'Content-Type: application/x-www-form-urlencoded', 'a=1&b=%zz', ' folded', ':', '', 'HTTP/2.0', 'X: \x00'),
    token(8),
    fc.string({ unit: 'binary-ascii', maxLength: 10 }),
  ).chain((s) => fc.constantFrom('\r\n', '\n', '\r', ' ', '').map((e) => s + e)), { maxLength: 12 })
  .chain((parts) => fc.tuple(fc.constantFrom('', 'GET / HTTP/1.1\r\nHost: a\r\n', 'POST /p HTTP/1.1\r\nHost: a\r\n'), fc.constantFrom('', '\r\n', '\r\n\r\n'))
    .map(([start, end]) => Buffer.from(start + parts.join('') + end, 'latin1')));

// ---- splitting ----

/** Cut points (fractions of the length) that split a message into the pieces it arrives in. */
export const cuts: fc.Arbitrary<number[]> = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

export function splitAt(b: Buffer, fractions: readonly number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * b.length)))].filter((p) => p > 0 && p < b.length).sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(b.subarray(prev, p));
    prev = p;
  }
  out.push(b.subarray(prev));
  return out;
}
