/**
 * Where each top-level form of a source text begins and ends. LIPS parses each form; this
 * scanner only finds the forms' bounds, so each is evaluated on its own (forms before an error
 * run, an error names the line of its form), the REPL (src/cli/repl.ts) knows when input is
 * complete, and block comments (which LIPS cannot nest) are blanked out before LIPS sees them.
 */

export interface Form {
  code: string;
  /** 1-based line of the form's first character. */
  line: number;
}

export interface ScanProblem {
  /** True when more input could complete the source (REPL: wait for the next line). */
  incomplete: boolean;
  line: number;
  message: string;
  /** Where the form that could not be read begins. */
  offset: number;
}

export interface Scan {
  forms: Form[];
  problem: ScanProblem | null;
}

class Incomplete {
  constructor(readonly message: string, readonly at: number) {}
}
class Unexpected {
  constructor(readonly message: string, readonly at: number) {}
}

const DELIMITER = /[\s()[\]";]/;

/** Splits SOURCE into its top-level forms. */
export function scanForms(source: string): Scan {
  const lineStarts = [0];
  for (let k = 0; k < source.length; k++) if (source[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (at: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  /** Block comments, to blank out of the forms that contain them. */
  const comments: Array<[number, number]> = [];
  const n = source.length;
  let i = 0;

  const lineComment = (): void => {
    while (i < n && source[i] !== '\n') i++;
  };
  const blockComment = (): void => {
    const start = i;
    let depth = 0;
    while (i < n) {
      if (source.startsWith('#|', i)) { depth++; i += 2; }
      else if (source.startsWith('|#', i)) {
        depth--;
        i += 2;
        if (depth === 0) { comments.push([start, i]); return; }
      } else i++;
    }
    throw new Incomplete('unterminated block comment #|', start);
  };
  /** Whitespace and comments; `#;` comments out the datum after it. */
  const atmosphere = (): void => {
    while (i < n) {
      const c = source[i]!;
      if (c === ';') lineComment();
      else if (/\s/.test(c)) i++;
      else if (c === '#' && source[i + 1] === '|') blockComment();
      else if (c === '#' && source[i + 1] === '!' && (i === 0 || /[\s/]/.test(source[i + 2] ?? ' '))) lineComment();
      else if (c === '#' && source[i + 1] === ';') {
        i += 2;
        datum();
      } else return;
    }
  };
  const delimited = (): void => {
    while (i < n && !DELIMITER.test(source[i]!)) i++;
  };
  const list = (open: number): void => {
    for (;;) {
      atmosphere();
      if (i >= n) throw new Incomplete(`unterminated list: the ${source[open]} on line ${lineOf(open)} is not closed`, open);
      const c = source[i]!;
      if (c === ')' || c === ']') { i++; return; }
      datum();
    }
  };
  const delimitedBy = (close: string, what: string): void => {
    const start = i;
    i++;
    while (i < n && source[i] !== close) i += source[i] === '\\' ? 2 : 1;
    if (i >= n) throw new Incomplete(`unterminated ${what} starting on line ${lineOf(start)}`, start);
    i++;
  };
  function datum(): void {
    atmosphere();
    if (i >= n) throw new Incomplete('unexpected end of input: a datum was expected', i);
    const c = source[i]!;
    const start = i;
    switch (c) {
      case '(': case '[':
        i++;
        list(start);
        return;
      case ')': case ']':
        throw new Unexpected(`unexpected ${c}`, i);
      case '"':
        delimitedBy('"', 'string');
        return;
      case '|':
        delimitedBy('|', 'symbol |…|');
        return;
      case "'": case '`':
        i++;
        datum();
        return;
      case ',':
        i += source[i + 1] === '@' ? 2 : 1;
        datum();
        return;
      case '#': {
        const d = source[i + 1];
        if (d === '(') { i += 2; list(start); return; }
        if (source.startsWith('u8(', i + 1)) { i += 4; list(start); return; }
        if (d === '\\') {
          i += 2;
          if (i >= n) throw new Incomplete('unterminated character #\\', start);
          const cp = source.codePointAt(i)!;
          i += cp > 0xffff ? 2 : 1;
          if (/[A-Za-z0-9]/.test(String.fromCodePoint(cp))) delimited();
          return;
        }
        if (d === '/') {
          // LIPS's regular expression literal #/…/flags
          i++;
          delimitedBy('/', 'regular expression #/…/');
          while (i < n && /[a-z]/.test(source[i]!)) i++;
          return;
        }
        i++;
        delimited();
        return;
      }
      default:
        delimited();
    }
  }

  const forms: Form[] = [];
  for (;;) {
    const before = i;
    try {
      atmosphere();
    } catch (e) {
      if (e instanceof Incomplete) return { forms, problem: { incomplete: true, line: lineOf(e.at), message: e.message, offset: before } };
      throw e;
    }
    if (i >= n) return { forms, problem: null };
    const start = i;
    try {
      datum();
    } catch (e) {
      if (e instanceof Incomplete || e instanceof Unexpected) {
        return { forms, problem: { incomplete: e instanceof Incomplete, line: lineOf(e instanceof Unexpected ? e.at : start), message: e.message, offset: start } };
      }
      throw e;
    }
    forms.push({ code: blankComments(source, start, i, comments), line: lineOf(start) });
  }
}

/** SOURCE[START, END) with the block comments in it turned into spaces (newlines kept). */
function blankComments(source: string, start: number, end: number, comments: Array<[number, number]>): string {
  let code = '';
  let at = start;
  for (const [from, to] of comments) {
    if (to <= start || from >= end) continue;
    code += source.slice(at, from) + source.slice(from, to).replace(/[^\n]/g, ' ');
    at = to;
  }
  return code + source.slice(at, end);
}
