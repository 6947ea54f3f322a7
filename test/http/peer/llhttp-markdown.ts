/**
 * Reader of llhttp's markdown test cases (test/fixtures/llhttp/): each case's heading path, its
 * meta (type, noScan …), its input bytes decoded as llhttp's own runner decodes them, and its
 * expected event log. The format is described in test/fixtures/README.md.
 */
import fs from 'node:fs';

export interface CaseMeta {
  type?: string;
  noScan?: boolean;
  pause?: string;
  skipBody?: boolean;
}

export interface LlhttpCase {
  /** The file, relative to the fixtures folder, e.g. `request/sample.md`. */
  file: string;
  /** The headings above the case, outermost first, joined with ` > `. */
  name: string;
  meta: CaseMeta;
  /** `http` or `url`. */
  kind: 'http' | 'url';
  input: Buffer;
  log: string[];
}

/**
 * Decodes a fence's text as llhttp's runner does: one trailing newline dropped, backslash-newline
 * deleted, every other newline a CRLF, then the escapes \r \n \t \f \xHH and \NNN (octal).
 */
export function decodeInput(fence: string, kind: 'http' | 'url'): Buffer {
  let s = fence.replace(/\n$/, '').replace(/\\\n/g, '');
  if (kind === 'http') s = s.replace(/\n/g, '\r\n');
  s = s.replace(/\\(r|n|t|f|x[0-9a-fA-F]{2}|[0-7]{1,3})/g, (_m, e: string) => {
    switch (e[0]) {
      case 'r': return '\r';
      case 'n': return '\n';
      case 't': return '\t';
      case 'f': return '\f';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return String.fromCharCode(parseInt(e, 8));
    }
  });
  return Buffer.from(s, 'latin1');
}

/** Every case of one markdown file. */
export function readCases(path: string, file: string): LlhttpCase[] {
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  const headings: string[] = [];
  const cases: LlhttpCase[] = [];
  let meta: CaseMeta = {};
  let pending: { kind: 'http' | 'url'; input: Buffer; meta: CaseMeta } | null = null;
  const setHeading = (level: number, text: string): void => {
    headings.length = level - 1;
    headings[level - 1] = text.trim();
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const atx = /^(#{1,6})\s+(.*)$/.exec(line);
    if (atx) { setHeading(atx[1]!.length, atx[2]!); continue; }
    // Setext headings: a title line underlined with === (level 1) or --- (level 2).
    const next = lines[i + 1];
    if (next !== undefined && line.trim() !== '' && /^(=+|-+)\s*$/.test(next)) {
      setHeading(next[0] === '=' ? 1 : 2, line);
      i++;
      continue;
    }
    const m = /^<!--\s*meta=(\{.*\})\s*-->/.exec(line);
    if (m) { meta = JSON.parse(m[1]!) as CaseMeta; continue; }
    const fence = /^```(\w+)\s*$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const text = body.join('\n') + '\n';
    const lang = fence[1]!;
    if (lang === 'http' || lang === 'url') {
      pending = { kind: lang, input: decodeInput(text, lang), meta };
      meta = {};
    } else if (lang === 'log' && pending !== null) {
      cases.push({
        file, name: headings.filter((h) => h !== '').join(' > '), meta: pending.meta, kind: pending.kind,
        input: pending.input, log: body.filter((l) => l.trim() !== ''),
      });
      pending = null;
    }
  }
  return cases;
}
