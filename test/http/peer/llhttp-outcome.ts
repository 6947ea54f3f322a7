/**
 * The outcome of parsing one llhttp case, as both sides are compared: the complete messages
 * (method, target, version, status, header fields, body, trailers) and how the input ended.
 * Builds llhttp's expected outcome from its event log, compares two outcomes, and prints ours in
 * one line for the table of deliberate differences. Offsets, reason strings, chunk sizes and
 * chunk extensions are not compared (we do not expose extensions or chunk boundaries).
 */

export interface Message {
  method?: string;
  target?: string;
  /** `HTTP/1.1`, `RTSP/1.0` … as sent; a later HTTP/1.x minor is compared as HTTP/1.1. */
  version: string;
  status?: number;
  /** Lowercased names, values without surrounding whitespace, in order. */
  headers: Array<[string, string]>;
  /** Body bytes as latin1 text. */
  body: string;
  trailers: Array<[string, string]>;
}

/**
 * How the input ended after the last complete message:
 * - clean: nothing left over;
 * - incomplete: a message was begun and more bytes are needed (or the stream ended in it);
 * - closed: a message ended the connection (`Connection: close`, HTTP/1.0) and bytes followed,
 *   unread (llhttp's strict error 5 "Data after Connection: close");
 * - upgrade: the rest of the bytes belong to another protocol (llhttp's pause 22/23);
 * - error: the input was refused.
 */
export type EndKind = 'clean' | 'incomplete' | 'closed' | 'upgrade' | 'error';

export interface Outcome {
  messages: Message[];
  end: EndKind;
  /** Our error's code (and status), or llhttp's reason; not compared. */
  detail?: string;
  /** Requests: the head of a message whose body had not all arrived (the server judges it already). */
  pending?: Message;
}

const F_CHUNKED = 0x08;
const F_CONTENT_LENGTH = 0x20;

interface Building extends Message {
  headersDone: boolean;
  flags: number;
  lastSpan: string;
}

/**
 * llhttp's expected outcome from its log. ATEOF: the input is followed by the end of the stream
 * (as for our client, which reads a response to the close): a response whose body runs to the
 * close then completes, as `llhttp_finish` completes it.
 */
export function expectedOutcome(log: readonly string[], atEof: boolean): Outcome {
  const messages: Message[] = [];
  let cur: Building | null = null;
  let protocol = '';
  const finishMessage = (): void => {
    if (cur === null) return;
    const { headersDone: _h, flags: _f, lastSpan: _l, ...m } = cur;
    if (protocol !== '') m.version = `${protocol}/${m.version}`;
    m.headers = m.headers.map(([n, v]) => [n.toLowerCase(), v.trim()]);
    m.trailers = m.trailers.map(([n, v]) => [n.toLowerCase(), v.trim()]);
    messages.push(m);
    cur = null;
    protocol = '';
  };
  for (const line of log) {
    const ev = line.replace(/^off=\S+ /, '');
    if (ev === 'message begin') {
      cur = { version: '', headers: [], body: '', trailers: [], headersDone: false, flags: 0, lastSpan: '' };
      continue;
    }
    // A one-byte span of CR or LF is logged bare: `span[body]=lf`.
    const span = /^len=\d+ span\[([a-z_]+)\]=(?:"(.*)"|(cr|lf))$/.exec(ev);
    if (span && cur !== null) {
      const text = span[3] === 'cr' ? '\r' : span[3] === 'lf' ? '\n' : unescapeSpan(span[2]!);
      addSpan(cur, span[1]!, text, (p) => { protocol += p; });
      continue;
    }
    const hc = /^headers complete .*flags=([0-9a-f]+)/.exec(ev);
    if (hc && cur !== null) {
      cur.headersDone = true;
      cur.flags = parseInt(hc[1]!, 16);
      cur.lastSpan = '';
      const st = /status=(\d+)/.exec(ev);
      if (st) cur.status = Number(st[1]);
      continue;
    }
    if (ev === 'message complete') { finishMessage(); continue; }
    const err = /^error code=(\d+) reason="(.*)"$/.exec(ev);
    if (err) {
      const code = Number(err[1]);
      if (code === 22 || code === 23) return { messages, end: 'upgrade', detail: err[2] };
      if (code === 5) return { messages, end: 'closed', detail: err[2] };
      return { messages, end: 'error', detail: err[2] };
    }
    const fin = /^finish=(\d+)$/.exec(ev);
    if (fin) {
      // 0: nothing pending; 1: the message ran to the end of the stream, complete; 2: cut short.
      if (fin[1] === '1') finishMessage();
      return { messages, end: fin[1] === '2' ? 'incomplete' : 'clean' };
    }
  }
  if (cur === null) return { messages, end: 'clean' };
  const c: Building = cur;
  if (atEof && c.headersDone && (c.flags & (F_CHUNKED | F_CONTENT_LENGTH)) === 0 && c.status !== undefined) {
    finishMessage();
    return { messages, end: 'clean' };
  }
  return { messages, end: 'incomplete' };
}

function addSpan(m: Building, kind: string, text: string, protocol: (p: string) => void): void {
  const list = m.headersDone ? m.trailers : m.headers;
  switch (kind) {
    case 'method': m.method = (m.method ?? '') + text; break;
    case 'url': m.target = (m.target ?? '') + text; break;
    case 'protocol': protocol(text); break;
    case 'version': m.version += text; break;
    case 'body': m.body += text; break;
    case 'header_field':
      if (m.lastSpan !== 'header_field') list.push(['', '']);
      list[list.length - 1]![0] += text;
      break;
    case 'header_value':
      if (list.length === 0) list.push(['', '']);
      list[list.length - 1]![1] += text;
      break;
    default: // status text, chunk extensions: not compared
  }
  m.lastSpan = kind;
}

/** Span text in the log escapes CR, LF, TAB, FF and other bytes as \\xHH; `"` and `\\` are as they are. */
function unescapeSpan(s: string): string {
  return s.replace(/\\(r|n|t|f|x[0-9a-fA-F]{2})/g, (_m, e: string) => {
    switch (e[0]) {
      case 'r': return '\r';
      case 'n': return '\n';
      case 't': return '\t';
      case 'f': return '\f';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

/** HTTP/1.2 and later minors are HTTP/1.1 to a 1.1 recipient (RFC 9110 §2.5): both sides compared so. */
function normVersion(v: string): string {
  const m = /^HTTP\/1\.(\d+)$/.exec(v);
  return m && Number(m[1]) > 1 ? 'HTTP/1.1' : v;
}

/** Null when OURS matches EXPECTED, else what differs first. */
export function compareOutcomes(expected: Outcome, ours: Outcome): string | null {
  const n = Math.min(expected.messages.length, ours.messages.length);
  for (let i = 0; i < n; i++) {
    const e = expected.messages[i]!;
    const o = ours.messages[i]!;
    const fields: Array<[string, unknown, unknown]> = [
      ['method', e.method, o.method], ['target', e.target, o.target], ['version', normVersion(e.version), normVersion(o.version)],
      ['status', e.status, o.status], ['headers', e.headers, o.headers], ['body', e.body, o.body], ['trailers', e.trailers, o.trailers],
    ];
    for (const [name, a, b] of fields) {
      if (JSON.stringify(a) !== JSON.stringify(b)) return `message ${i + 1}: ${name} ${JSON.stringify(b)}, llhttp ${JSON.stringify(a)}`;
    }
  }
  if (expected.messages.length !== ours.messages.length || expected.end !== ours.end) {
    return `ours: ${summarize(ours)}; llhttp: ${summarize(expected)}`;
  }
  return null;
}

/** One line: the messages (`GET /x` or `200`), then how the input ended, e.g. `GET / + error bad-chunk (400)`. */
export function summarize(o: Outcome): string {
  const msgs = o.messages.map((m) => (m.status !== undefined ? String(m.status) : m.method === undefined ? `${m.target ?? '?'}` : `${m.method} ${m.target ?? '?'}`));
  const end = o.end === 'error' ? `error ${o.detail ?? ''}`.trim() : o.end;
  return [...msgs, end].join(' + ');
}
