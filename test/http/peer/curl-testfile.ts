/**
 * Reads curl's test-case files (tests/data/testNNNN, vendored in test/fixtures/curl/data/): the
 * XML-like sections, with curl's macros expanded the way its test runner does it (line by line:
 * %includetext, then the variables, then %hex/%repeat/%b64, then the CRLF rules of
 * `crlf="yes"`/`crlf="headers"` data sections), and `nonewline="yes"` applied. Text is handled as
 * latin1, one character per byte, so expanded binary data survives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CURL_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/curl/data');

export interface CurlTestCase {
  number: number;
  name: string;
  /** The command line's arguments (quotes removed). */
  args: string[];
  /** What the test server sends. */
  reply: Buffer;
  /** What curl must output (heads and body), or null when the test checks nothing. */
  expected: Buffer | null;
  /** curl's exit code (0 when the test gives none). */
  errorcode: number;
  /** The request curl must send (CRLF line ends), or null. */
  protocol: string | null;
}

export interface CurlVariables {
  hostIp: string;
  httpPort: number;
}

/** One section's lines as they stand after preprocessing, with its opening tag's attributes. */
interface Part {
  attrs: string;
  text: string;
}

/** Loads test NUMBER with the given address and port substituted. */
export function loadCurlTest(number: number, vars: CurlVariables): CurlTestCase {
  const raw = fs.readFileSync(path.join(CURL_DATA_DIR, `test${number}`), 'latin1');
  const lines = preprocess(raw.split(/(?<=\n)/), number, vars);
  const parts = sections(lines);
  const data = parts.get('reply/data');
  if (data === undefined) throw new Error(`test${number}: no <reply><data> section`);
  const check = parts.get('reply/datacheck');
  const nocheck = /nocheck="yes"/.test(data.attrs);
  const expected = check !== undefined ? check.text : nocheck ? null : data.text;
  const errorText = parts.get('verify/errorcode')?.text.trim();
  return {
    number,
    name: (parts.get('client/name')?.text ?? '').trim(),
    args: splitCommand(parts.get('client/command')?.text ?? ''),
    reply: Buffer.from(data.text, 'latin1'),
    expected: expected === null ? null : Buffer.from(expected, 'latin1'),
    errorcode: errorText === undefined || errorText === '' ? 0 : Number(errorText),
    protocol: parts.get('verify/protocol')?.text ?? null,
  };
}

/**
 * curl's `prepro`: per source line, expands the macros and, inside `<data…>` sections with a
 * `crlf` attribute, fixes the line ends. `prevUpdate` carries over lines as in curl (a blank line
 * after a header line is the end of a head).
 */
function preprocess(lines: string[], number: number, vars: CurlVariables): string[] {
  const out: string[] = [];
  let crlf: 0 | 1 | 2 = 0;
  const state = { prevUpdate: false };
  for (const src of lines) {
    const open = /^ *<data(.*)>/.exec(src);
    if (open) {
      crlf = /crlf="yes"/.test(open[1]!) ? 1 : /crlf="headers"/.test(open[1]!) ? 2 : 0;
      out.push(src);
      continue;
    }
    if (/^ *<\/data/.test(src)) crlf = 0;
    let s = includeText(src);
    s = substituteVariables(s, number, vars);
    s = expandMacros(s);
    if (crlf === 1) s = s.replace(/\r*\n/, '\r\n');
    else if (crlf === 2) s = headerNewlines(s, state);
    out.push(s);
  }
  return out;
}

/**
 * `%includetext %SRCDIR/data/FILE%` and the line end after it: the file's text (whose own
 * macros, such as %CR, are expanded with the line's).
 */
function includeText(s: string): string {
  return s.replace(/%includetext %SRCDIR\/data\/([^%/]*)%[\r\n]+/g, (_m, name: string) =>
    fs.readFileSync(path.join(CURL_DATA_DIR, name), 'latin1'));
}

function substituteVariables(s: string, number: number, vars: CurlVariables): string {
  return s
    .replace(/%TESTNUMBER/g, String(number))
    .replace(/%HOSTIP/g, vars.hostIp)
    .replace(/%HTTPPORT/g, String(vars.httpPort))
    .replace(/%VERSION/g, 'VERSION')
    .replace(/%CR/g, '\r')
    .replace(/%SP/g, ' ')
    .replace(/%TAB/g, '\t');
}

const percentBytes = (s: string): string => s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

function expandMacros(s: string): string {
  return s
    .replace(/%b64\[(.*?)\]b64%/g, (_m, t: string) => Buffer.from(percentBytes(t), 'latin1').toString('base64'))
    .replace(/%hex\[(.*?)\]hex%/g, (_m, t: string) => percentBytes(t))
    .replace(/%repeat\[(\d+) x (.*?)\]%/g, (_m, n: string, t: string) => percentBytes(t).repeat(Number(n)));
}

/**
 * curl's `subnewlines` for `crlf="headers"`: a status line, a request line or a `name: value`
 * line without a CR gets its first LF turned into CRLF, and so does a blank line right after one.
 */
function headerNewlines(s: string, state: { prevUpdate: boolean }): string {
  const headerish = /^HTTP\/(1.1|1.0|2|3) [1-5][^\r]*$/.test(s) || /^(GET|POST|PUT|DELETE) \S+ HTTP\/\d+(\.\d+)?/.test(s)
    || (/^[a-z0-9_-]+: [^\r]*$/i.test(s) && !/^curl: \(\d+\) /.test(s));
  if (headerish) {
    state.prevUpdate = true;
    return s.replace(/\r*\n/, '\r\n');
  }
  const blank = s === '\n' && state.prevUpdate;
  state.prevUpdate = false;
  return blank ? '\r\n' : s;
}

/**
 * The sections, keyed `outer/inner` (`reply/data`, `client/command`, `verify/errorcode` …): the
 * text between the opening and closing tag lines, with `nonewline="yes"` dropping the final LF.
 */
function sections(lines: string[]): Map<string, Part> {
  const parts = new Map<string, Part>();
  let outer: string | null = null;
  let inner: { name: string; attrs: string; text: string } | null = null;
  for (const line of lines) {
    if (inner !== null) {
      if (new RegExp(`^ *</${inner.name}>`).test(line)) {
        let text = inner.text;
        if (/nonewline="yes"/.test(inner.attrs) && text.endsWith('\n')) text = text.slice(0, -1);
        if (!parts.has(`${outer}/${inner.name}`)) parts.set(`${outer}/${inner.name}`, { attrs: inner.attrs, text });
        inner = null;
      } else {
        inner.text += line;
      }
      continue;
    }
    const tag = /^ *<(\/?)([a-z0-9]+)([^>]*)>\s*$/i.exec(line);
    if (tag === null) continue;
    const [, close, name, attrs] = tag;
    if (outer === null) {
      if (close === '' && name !== 'testcase') outer = name!;
    } else if (close === '/' && name === outer) {
      outer = null;
    } else if (close === '') {
      inner = { name: name!, attrs: attrs!, text: '' };
    }
  }
  return parts;
}

/** Splits a command line into arguments, honouring double quotes. */
function splitCommand(text: string): string[] {
  const args: string[] = [];
  for (const m of text.trim().matchAll(/"([^"]*)"|(\S+)/g)) args.push(m[1] ?? m[2]!);
  return args;
}

/** A response as curl prints it with --include: its heads (1xx ones too), then the body. */
export interface SplitResponse {
  /** The final head's status line, without its line end. */
  statusLine: string;
  /** The final head's fields as [lowercased name, trimmed value]. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Splits curl's expected output into the final head and the body (heads with 1xx codes skipped). */
export function splitResponse(output: Buffer): SplitResponse {
  let pos = 0;
  for (;;) {
    const lines: string[] = [];
    for (;;) {
      const nl = output.indexOf(10, pos);
      const end = nl === -1 ? output.length : nl;
      const line = output.toString('latin1', pos, end).replace(/\r$/, '');
      pos = nl === -1 ? output.length : nl + 1;
      if (line === '' || nl === -1) {
        if (line !== '') lines.push(line);
        break;
      }
      lines.push(line);
    }
    const statusLine = lines[0] ?? '';
    const code = /^HTTP\/\S+ (\d{3})/.exec(statusLine)?.[1];
    if (code !== undefined && code.startsWith('1') && pos < output.length) continue;
    const headers = lines.slice(1).map((l): [string, string] => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
    });
    return { statusLine, headers, body: output.subarray(pos) };
  }
}
