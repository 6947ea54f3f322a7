/**
 * CHICKEN 3's regex unit over JS regular expressions: `regexp`, `regexp?`, `string-match`,
 * `string-match-positions`, `string-search`, `string-search-positions`, `string-split-fields`,
 * `string-substitute`, `string-substitute*`, `grep`, `regexp-escape`, `glob->regexp`, `glob?`.
 *
 * Patterns are CHICKEN 3's (PCRE) syntax. They are not handed to JS as they are: a translator
 * reads them and writes a JS RegExp with the same meaning over BYTE strings (a JS string of
 * chars 0–255, matched without the `u` flag, so `.` is one byte as in CHICKEN 3 without the
 * utf8 flag):
 * - character classes are computed as sets of the 256 bytes (POSIX `[:digit:]` and friends,
 *   `[:^digit:]`, escapes inside sets, negation) and written out byte by byte, so nothing
 *   depends on JS's Unicode notions (JS's `\s` would match byte 0xA0, its `.` would not match
 *   `\r`);
 * - case-insensitivity ((regexp P #t), `(?i)`, `(?i:…)`, `(?-i)`) folds ASCII letters only, as
 *   PCRE's C-locale tables do, by writing each letter as `[aA]` (JS's `i` would also fold the
 *   Latin-1 bytes 0xC0–0xFE). A backreference under `(?i)` needs JS's `i`: that is used when
 *   the whole pattern is caseless and has no byte JS would fold differently, else an error;
 * - `(?s)` `(?m)` `(?x)` are applied while translating (`.` `^` `$` and whitespace/comments);
 *   `^` `$` `\A` `\z` `\Z` get PCRE's meaning (`$` also before a final newline);
 * - `(?>…)` and possessive quantifiers become `(?=(…))\N` with a hidden group; submatch
 *   numbers are mapped back so results list only the pattern's own groups;
 * - named groups `(?<n>…)` `(?P<n>…)` `(?'n'…)` and their references `\k<n>` `(?P=n)`, `\g{N}`;
 * - where JS would answer differently it is an error rather than another answer: a
 *   backreference to a group that may not have matched (JS matches it as empty, PCRE fails) or
 *   is not closed yet; a group that may not match inside a repeated group (JS forgets its
 *   earlier submatch at each iteration, PCRE keeps it). So are constructs JS lacks (recursion,
 *   conditionals, `\G`, `\K`, `\p{…}`, branch reset, verbs, `\L` `\U`…): `(exn)` naming them.
 * With the utf8 flag `.`, sets and literal characters match whole UTF-8 sequences (case folding
 * stays ASCII). `string-match` anchors both ends for compiled regexps too; with a START
 * (`string-match`, `string-search`) `^` and `\A` still mean the start of the string, and a
 * search RANGE ends the subject, as PCRE's start offset and length did.
 *
 * A pattern may also be a JS RegExp (`#/…/` literals): it is used as JS syntax. SRE
 * s-expressions (CHICKEN 3.4's irregex) are not accepted: (exn type) "not a string or regexp".
 * Compiled patterns are cached (LRU of the last 256) so `(string-match "…" path)` per request
 * does not recompile.
 */
import type { Engine } from '../compiler/index.js';
import { Keyword, MString, arrayToList, isPair } from '../runtime/data.js';
import { boundsError, schemeError, typeError, type SchemeError } from '../runtime/errors.js';
import { defineProcedures } from './define.js';
import { listItems } from './lists.js';

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

/** The bytes of string S, or `(WHO) bad argument type - not a string`. */
function text(s: unknown, who: string): string {
  if (typeof s === 'string') return s;
  if (s instanceof MString) return s.__string__;
  throw typeError(who, s, 'string');
}

/** A new (mutable) string, as CHICKEN's substring makes. */
function fresh(s: string): unknown {
  return new MString(s);
}

/** An optional index argument in [0, max] (absent: DFLT). */
function indexArg(x: unknown, dflt: number, max: number, who: string): number {
  if (x === undefined) return dflt;
  if (typeof x !== 'number') throw typeError(who, x, 'fixnum');
  if (x < 0 || x > max) throw boundsError(who, x);
  return x;
}

/** Scheme truth of an optional flag argument. */
const truthy = (x: unknown): boolean => x !== undefined && x !== false;

// ---------------------------------------------------------------------------------------------
// Byte sets
// ---------------------------------------------------------------------------------------------

/** A set of bytes; `above` (utf8 mode only) says it also holds every character above 255. */
class ByteSet {
  readonly has = new Uint8Array(256);
  above = false;
  add(lo: number, hi = lo): this {
    for (let b = lo; b <= hi; b++) this.has[b] = 1;
    return this;
  }
  addSet(o: ByteSet): this {
    for (let b = 0; b < 256; b++) if (o.has[b]) this.has[b] = 1;
    this.above ||= o.above;
    return this;
  }
  complement(): ByteSet {
    const r = new ByteSet();
    for (let b = 0; b < 256; b++) r.has[b] = this.has[b] ? 0 : 1;
    r.above = !this.above;
    return r;
  }
  /** With the other case of every ASCII letter (PCRE's C-locale folding). */
  folded(): ByteSet {
    const r = new ByteSet().addSet(this);
    for (let b = 65; b <= 90; b++) if (this.has[b] || this.has[b + 32]) r.has[b] = r.has[b + 32] = 1;
    return r;
  }
  equals(o: ByteSet): boolean {
    for (let b = 0; b < 256; b++) if (this.has[b] !== o.has[b]) return false;
    return true;
  }
  /** Whether JS's `i` (which also folds Latin-1 letters) would see the same set. */
  latinClosed(): boolean {
    for (let b = 0xc0; b <= 0xde; b++) if (b !== 0xd7 && this.has[b] !== this.has[b + 32]) return false;
    return true;
  }
}

const hex2 = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** A JS class for the bytes of SET (only bytes lo..hi considered). */
function jsClass(set: ByteSet, lo = 0, hi = 255): string {
  let out = '';
  let n = 0;
  for (let b = lo; b <= hi; b++) {
    if (!set.has[b]) continue;
    let e = b;
    while (e < hi && set.has[e + 1]) e++;
    out += e === b ? hex2(b) : e === b + 1 ? hex2(b) + hex2(e) : `${hex2(b)}-${hex2(e)}`;
    n += e - b + 1;
    b = e;
  }
  if (n === 0) return '';
  if (lo === 0 && hi === 255 && n === 256) return '[\\s\\S]';
  return `[${out}]`;
}

const range = (lo: number, hi: number): ByteSet => new ByteSet().add(lo, hi);
const chars = (s: string): ByteSet => {
  const r = new ByteSet();
  for (let i = 0; i < s.length; i++) r.add(s.charCodeAt(i));
  return r;
};
const union = (...sets: ByteSet[]): ByteSet => sets.reduce((a, s) => a.addSet(s), new ByteSet());

const DIGIT = range(48, 57);
const UPPER = range(65, 90);
const LOWER = range(97, 122);
const ALPHA = union(UPPER, LOWER);
const ALNUM = union(ALPHA, DIGIT);
const WORD = union(ALNUM, chars('_'));
/** PCRE 7's `\s`: no vertical tab (POSIX `[:space:]` has it). */
const PCRE_SPACE = chars('\t\n\f\r ');
const HSPACE = chars('\t \xa0');
const VSPACE = chars('\n\x0b\f\r\x85');

/** POSIX classes as PCRE has them in the C locale. */
const POSIX: ReadonlyMap<string, ByteSet> = new Map([
  ['alpha', ALPHA],
  ['digit', DIGIT],
  ['alnum', ALNUM],
  ['space', chars('\t\n\x0b\f\r ')],
  ['upper', UPPER],
  ['lower', LOWER],
  ['punct', union(range(33, 47), range(58, 64), range(91, 96), range(123, 126))],
  ['xdigit', union(DIGIT, range(65, 70), range(97, 102))],
  ['word', WORD],
  ['blank', chars(' \t')],
  ['cntrl', union(range(0, 31), range(127, 127))],
  ['print', range(32, 126)],
  ['graph', range(33, 126)],
  ['ascii', range(0, 127)],
]);

/** The set of a class escape letter (`\d` …), or null. */
function escapeSet(c: string): ByteSet | null {
  const base: Record<string, ByteSet> = { d: DIGIT, w: WORD, s: PCRE_SPACE, h: HSPACE, v: VSPACE };
  const lower = c.toLowerCase();
  const set = base[lower];
  if (set === undefined) return null;
  return c === lower ? union(set) : set.complement();
}

// ---------------------------------------------------------------------------------------------
// Translation of PCRE syntax
// ---------------------------------------------------------------------------------------------

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
}

/** What the translator makes: JS source with the map from the pattern's groups to JS's. */
export interface Translation {
  source: string;
  jsFlags: string;
  /** groups[k]: the JS group number of the pattern's group k (k ≥ 1; [0] is 0). */
  groups: number[];
}

// Markers in the output for capture groups and backreferences, numbered at the end (a hidden
// group can be opened before groups already written). Output text is otherwise ASCII.
const OPEN = '\u0100';
const REF = '\u0101';
const idChar = (id: number): string => String.fromCharCode(0x200 + id);

interface GroupInfo {
  open: number;
  close: number | null;
  regions: Set<number>;
}
interface RefInfo {
  id: number;
  at: number;
  regions: Set<number>;
}

/** Thrown inside the translator; becomes the (exn) of the procedure that compiled. */
class PatternError extends Error {}

const unsupported = (what: string): never => {
  throw new PatternError(`${what} is not supported`);
};

class Translator {
  private i = 0;
  private flags: Flags;
  private groupCount = 0;
  private hiddenCount = 0;
  private readonly names = new Map<string, number>();
  private seq = 0;
  private regionCount = 0;
  private readonly groupInfo = new Map<number, GroupInfo>();
  private readonly refs: RefInfo[] = [];
  /** A backreference under (?i); a letter/set used case-sensitively; a byte JS's `i` folds. */
  caselessRef = false;
  caseSensitive = false;
  latinHazard = false;

  constructor(private readonly p: string, flags: Flags, private readonly utf8: boolean, private readonly nativeI: boolean) {
    this.flags = { ...flags };
  }

  translate(): Translation {
    const body = this.alternation();
    if (this.i < this.p.length) throw new PatternError('unmatched )');
    this.checkRefs();
    return this.number(body);
  }

  // Output numbering ------------------------------------------------------------------------

  private number(body: string): Translation {
    const jsOf = new Map<number, number>();
    let js = 0;
    let out = '';
    for (let k = 0; k < body.length; k++) {
      const c = body[k]!;
      if (c === OPEN) {
        jsOf.set(body.charCodeAt(++k) - 0x200, ++js);
        out += '(';
      } else if (c === REF) {
        out += `(?:\\${jsOf.get(body.charCodeAt(++k) - 0x200)!})`;
      } else out += c;
    }
    const groups = [0];
    for (let g = 1; g <= this.groupCount; g++) groups.push(jsOf.get(g)!);
    return { source: out, jsFlags: this.nativeI ? 'i' : '', groups };
  }

  /** Ids above every real group's: hidden groups for atomic emulation. */
  private hiddenId(): number {
    return 0x4000 + this.hiddenCount++;
  }

  private atomic(inner: string): string {
    const h = this.hiddenId();
    return `(?=${OPEN}${idChar(h)}${inner}))${REF}${idChar(h)}`;
  }

  // Backreference validity ---------------------------------------------------------------------

  /** Every group and reference created since seq START is inside a new region. */
  private region(start: number): void {
    const r = ++this.regionCount;
    for (const g of this.groupInfo.values()) if (g.open >= start) g.regions.add(r);
    for (const ref of this.refs) if (ref.at >= start) ref.regions.add(r);
  }

  private checkRefs(): void {
    for (const ref of this.refs) {
      const g = this.groupInfo.get(ref.id);
      if (g === undefined) throw new PatternError(`reference to non-existent subpattern ${ref.id}`);
      if (g.close === null || g.close > ref.at) throw new PatternError(`backreference \\${ref.id} before its group is closed is not supported`);
      for (const r of g.regions) {
        if (!ref.regions.has(r)) throw new PatternError(`backreference \\${ref.id} to a group that may not have matched is not supported`);
      }
    }
  }

  private backref(id: number): string {
    if (this.flags.i) this.caselessRef = true;
    this.refs.push({ id, at: this.seq++, regions: new Set() });
    return `${REF}${idChar(id)}`;
  }

  // Reading ----------------------------------------------------------------------------------

  private peek(k = 0): string | undefined {
    return this.p[this.i + k];
  }

  private skipExtended(): void {
    if (!this.flags.x) return;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\x0b') this.i++;
      else if (c === '#') {
        while (this.i < this.p.length && this.p[this.i] !== '\n') this.i++;
      } else return;
    }
  }

  private alternation(): string {
    const branches: string[] = [];
    const starts: number[] = [];
    for (;;) {
      starts.push(this.seq);
      branches.push(this.sequence());
      if (this.peek() !== '|') break;
      this.i++;
    }
    if (branches.length > 1) {
      // Each branch is its own region: a group in one may be unset when another matched.
      const ends = [...starts.slice(1), this.seq];
      for (let k = 0; k < starts.length; k++) this.regionBetween(starts[k]!, ends[k]!);
    }
    return branches.join('|');
  }

  private regionBetween(start: number, end: number): void {
    const r = ++this.regionCount;
    for (const g of this.groupInfo.values()) if (g.open >= start && g.open < end) g.regions.add(r);
    for (const ref of this.refs) if (ref.at >= start && ref.at < end) ref.regions.add(r);
  }

  private sequence(): string {
    let out = '';
    for (;;) {
      this.skipExtended();
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') return out;
      const start = this.seq;
      const regions = this.regionCount;
      const atom = this.atom();
      if (atom === null) continue;
      out += this.quantified(atom, start, regions);
    }
  }

  /** ATOM with the quantifier that follows it, if any (ATOM began at seq START, region REGIONS). */
  private quantified(atom: string, start: number, regions: number): string {
    this.skipExtended();
    const q = this.quantifier();
    if (q === null) return atom;
    if (q.repeats) this.checkRepeated(start, regions);
    if (q.min === 0) this.region(start);
    const lazy = this.peek() === '?';
    const possessive = !lazy && this.peek() === '+';
    if (lazy || possessive) this.i++;
    const js = atom + q.text + (lazy ? '?' : '');
    if (this.quantifierFollows()) throw new PatternError('nothing to repeat');
    return possessive ? this.atomic(js) : js;
  }

  private quantifierFollows(): boolean {
    this.skipExtended();
    const c = this.peek();
    return c === '*' || c === '+' || c === '?' || (c === '{' && this.braces() !== null);
  }

  /** A `{n}` `{n,}` `{n,m}` quantifier at the current position (not consumed), or null. */
  private braces(): { min: number; max: number | null; len: number } | null {
    const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.p.slice(this.i, this.i + 20));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? null : Number(m[3]);
    if (min > 65535 || (max !== null && max > 65535)) throw new PatternError('number too big in {} quantifier');
    if (max !== null && max < min) throw new PatternError('numbers out of order in {} quantifier');
    return { min, max, len: m[0].length };
  }

  private quantifier(): { min: number; repeats: boolean; text: string } | null {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      return { min: c === '+' ? 1 : 0, repeats: c !== '?', text: c };
    }
    if (c !== '{') return null;
    const b = this.braces();
    if (b === null) return null;
    this.i += b.len;
    return { min: b.min, repeats: b.max === null || b.max > 1, text: `{${b.min}${b.max === b.min ? '' : `,${b.max ?? ''}`}}` };
  }

  /**
   * A repeated atom must not hold a group that may not match in an iteration: JS forgets such a
   * submatch at each iteration where PCRE keeps the last one, so results would differ.
   */
  private checkRepeated(start: number, regions: number): void {
    for (const [id, g] of this.groupInfo) {
      if (g.open < start) continue;
      for (const r of g.regions) {
        if (r > regions) throw new PatternError(`group ${id} that may not match inside a repeated group (JS would forget its earlier submatch) is not supported`);
      }
    }
  }

  /** One atom's JS text, or null for something that matches nothing (a comment, `(?i)`). */
  private atom(): string | null {
    const c = this.p[this.i++]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.classAtom();
      case '.':
        return this.dot();
      case '^':
        return this.flags.m ? '(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))' : '(?<![\\s\\S])';
      case '$':
        return this.flags.m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw new PatternError('nothing to repeat');
      case '{':
        this.i--;
        if (this.braces() !== null) throw new PatternError('nothing to repeat');
        this.i++;
        return this.literal(123);
      default:
        return this.literalAt(c.charCodeAt(0));
    }
  }

  private dot(): string {
    const any = this.flags.s ? '[\\s\\S]' : '[^\\n]';
    if (!this.utf8) return any;
    this.latinHazard = true;
    return `(?:[\\xc0-\\xff][\\x80-\\xbf]*|${any})`;
  }

  /** A literal byte B read from the pattern (with the utf8 flag, a whole UTF-8 character). */
  private literalAt(b: number): string {
    if (!this.utf8 || b < 0xc0) return this.literal(b);
    let out = this.literal(b);
    while (this.i < this.p.length && (this.p.charCodeAt(this.i) & 0xc0) === 0x80) out += this.literal(this.p.charCodeAt(this.i++));
    return `(?:${out})`;
  }

  private literal(b: number): string {
    const isLetter = (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
    if (b >= 0xc0 && b !== 0xd7 && b !== 0xf7) this.latinHazard = true;
    if (isLetter && !this.flags.i) this.caseSensitive = true;
    if (isLetter && this.flags.i && !this.nativeI) return `[${String.fromCharCode(b & ~32)}${String.fromCharCode(b | 32)}]`;
    return isLetter || (b >= 48 && b <= 57) ? String.fromCharCode(b) : hex2(b);
  }

  // Sets -------------------------------------------------------------------------------------

  private setAtom(set0: ByteSet): string {
    let set = set0;
    if (this.flags.i) set = set.folded();
    else if (!set.equals(set.folded())) this.caseSensitive = true;
    if (!set.latinClosed()) this.latinHazard = true;
    if (!this.utf8) return jsClass(set) || '[]';
    return this.utf8Set(set);
  }

  /** SET over code points (≤ 255, plus everything above when `above`) as UTF-8 sequences. */
  private utf8Set(set: ByteSet): string {
    const alts = [jsClass(set, 0, 127), this.utf8Lead(set, 0xc2, 0x80), this.utf8Lead(set, 0xc3, 0xc0)];
    if (set.above) alts.push('[\\xc4-\\xff][\\x80-\\xbf]*');
    const parts = alts.filter((a) => a !== '');
    this.latinHazard = true;
    return parts.length === 0 ? '[]' : `(?:${parts.join('|')})`;
  }

  private utf8Lead(set: ByteSet, lead: number, first: number): string {
    const conts = new ByteSet();
    for (let k = 0; k < 64; k++) if (set.has[first + k]) conts.add(0x80 + k);
    const cls = jsClass(conts);
    return cls === '' ? '' : hex2(lead) + cls;
  }

  private classAtom(): string {
    const negate = this.peek() === '^';
    if (negate) this.i++;
    const set = new ByteSet();
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new PatternError('missing terminating ] for character class');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && /^\[[:.=]/.test(this.p.slice(this.i, this.i + 2)) && this.posixClass(set)) continue;
      const lo = this.classItem();
      if (lo instanceof ByteSet) {
        set.addSet(lo);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const hi = this.classItem();
        if (hi instanceof ByteSet) {
          set.add(lo).add(45).addSet(hi);
          continue;
        }
        if (hi < lo) throw new PatternError('range out of order in character class');
        set.add(lo, hi);
      } else set.add(lo);
    }
    // PCRE folds the members first, then negates: (?i)[^a] matches neither a nor A.
    const members = this.flags.i ? set.folded() : set;
    return this.setAtom(negate ? members.complement() : members);
  }

  /** `[:name:]` / `[:^name:]` at the current position: added to SET. False when it is not one. */
  private posixClass(set: ByteSet): boolean {
    const m = /^\[([:.=])(\^?)([a-z]*)\1\]/.exec(this.p.slice(this.i, this.i + 16));
    if (m === null) return false;
    if (m[1] !== ':') throw new PatternError(`POSIX collating elements ([${m[1]}…${m[1]}]) are not supported`);
    const cls = POSIX.get(m[3]!);
    if (cls === undefined) throw new PatternError(`unknown POSIX class name [:${m[3]}:]`);
    set.addSet(m[2] === '^' ? cls.complement() : cls);
    this.i += m[0].length;
    return true;
  }

  /** One member of a class: a byte (code point with utf8) or a set (`\d` …). */
  private classItem(): number | ByteSet {
    const c = this.p.charCodeAt(this.i++);
    if (c === 92) return this.classEscape();
    if (this.utf8 && c >= 0x80) return this.utf8Char(c);
    return c;
  }

  /** The code point of the UTF-8 sequence starting with byte B (≤ 255 only). */
  private utf8Char(b: number): number {
    if (b === 0xc2 || b === 0xc3) {
      const c2 = this.p.charCodeAt(this.i);
      if ((c2 & 0xc0) === 0x80) {
        this.i++;
        return ((b & 0x1f) << 6) | (c2 & 0x3f);
      }
    }
    throw new PatternError('characters above U+00FF (or invalid UTF-8) inside [...] with the utf8 flag are not supported');
  }

  private classEscape(): number | ByteSet {
    const c = this.p[this.i++];
    if (c === undefined) throw new PatternError('\\ at end of pattern');
    const set = escapeSet(c);
    if (set !== null) return set;
    if (c === 'b') return 8;
    if (c === 'Q') return this.quotedInClass();
    if (c === 'E') return new ByteSet();
    if (c >= '0' && c <= '7') return this.octal(c);
    return this.charEscape(c);
  }

  private quotedInClass(): ByteSet {
    const end = this.p.indexOf('\\E', this.i);
    const stop = end < 0 ? this.p.length : end;
    const s = chars(this.p.slice(this.i, stop));
    this.i = end < 0 ? stop : stop + 2;
    return s;
  }

  /** Up to three octal digits, the first (C) already read. */
  private octal(c: string): number {
    let v = Number(c);
    for (let k = 0; k < 2 && /[0-7]/.test(this.peek() ?? ''); k++) v = v * 8 + Number(this.p[this.i++]);
    if (v > 255) throw new PatternError('octal value greater than \\377');
    return v;
  }

  /** A single-character escape (after `\`) that means one byte, shared by sets and atoms. */
  private charEscape(c: string): number {
    switch (c) {
      case 'a':
        return 7;
      case 'e':
        return 27;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'x':
        return this.hexEscape();
      case 'c': {
        const x = this.p[this.i++];
        if (x === undefined) throw new PatternError('\\c at end of pattern');
        return x.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case 'L':
      case 'l':
      case 'N':
      case 'U':
      case 'u':
        return unsupported(`\\${c}`);
      case 'p':
      case 'P':
      case 'X':
        return unsupported(`\\${c} (Unicode properties)`);
      default:
        // PCRE (without PCRE_EXTRA): any other escaped character stands for itself.
        return c.charCodeAt(0);
    }
  }

  private hexEscape(): number {
    if (this.peek() === '{') {
      const end = this.p.indexOf('}', this.i);
      const digits = end < 0 ? '' : this.p.slice(this.i + 1, end);
      if (!/^[0-9a-fA-F]+$/.test(digits)) throw new PatternError('malformed \\x{...}');
      const v = parseInt(digits, 16);
      if (v > 255) throw new PatternError(`\\x{${digits}} is above 255: strings are bytes`);
      this.i = end + 1;
      return v;
    }
    const m = /^[0-9a-fA-F]{0,2}/.exec(this.p.slice(this.i, this.i + 2))![0];
    this.i += m.length;
    return m === '' ? 0 : parseInt(m, 16);
  }

  // Escapes outside sets -----------------------------------------------------------------------

  private escape(): string | null {
    const c = this.p[this.i++];
    if (c === undefined) throw new PatternError('\\ at end of pattern');
    const set = escapeSet(c);
    if (set !== null) return this.setAtom(set);
    switch (c) {
      case 'b':
        return '\\b';
      case 'B':
        return '\\B';
      case 'A':
        return '(?<![\\s\\S])';
      case 'z':
        return '(?![\\s\\S])';
      case 'Z':
        return '(?=\\n?(?![\\s\\S]))';
      case 'R':
        return '(?:\\r\\n|[\\n\\x0b\\f\\r\\x85])';
      case 'C':
        return '[\\s\\S]';
      case 'Q':
        return this.quoted();
      case 'E':
        return null;
      case 'G':
        return unsupported('\\G');
      case 'K':
        return unsupported('\\K');
      case 'k':
        return this.namedRef();
      case 'g':
        return this.gRef();
      case '0':
        return this.literal(this.octal('0'));
      default:
        if (c >= '1' && c <= '9') return this.numericEscape(c);
        return this.literal(this.charEscape(c));
    }
  }

  private quoted(): string | null {
    const end = this.p.indexOf('\\E', this.i);
    const stop = end < 0 ? this.p.length : end;
    let out = '';
    for (let k = this.i; k < stop; k++) out += this.literal(this.p.charCodeAt(k));
    this.i = end < 0 ? stop : stop + 2;
    // Not grouped: a quantifier after \E applies to the last character, as in PCRE.
    return out === '' ? null : out;
  }

  /** `\N`: a backreference when N < 10 or N groups were opened before, else an octal byte. */
  private numericEscape(c: string): string {
    const digits = c + /^\d*/.exec(this.p.slice(this.i))![0];
    const n = Number(digits);
    if (n < 10 || n <= this.groupCount) {
      this.i += digits.length - 1;
      return this.backref(n);
    }
    if (c >= '8') return this.literal(c.charCodeAt(0));
    return this.literal(this.octal(c));
  }

  private namedRef(): string {
    const m = /^(?:<(\w+)>|'(\w+)'|\{(\w+)\})/.exec(this.p.slice(this.i));
    if (m === null) throw new PatternError('\\k is not followed by <name>, \'name\' or {name}');
    this.i += m[0].length;
    return this.refByName(m[1] ?? m[2] ?? m[3]!);
  }

  private refByName(name: string): string {
    const n = this.names.get(name);
    if (n === undefined) throw new PatternError(`reference to non-existent subpattern ${name}`);
    return this.backref(n);
  }

  private gRef(): string {
    const m = /^(?:\{(-?\d+)\}|(-?\d+)|\{(\w+)\})/.exec(this.p.slice(this.i));
    if (m === null) throw new PatternError('a numbered reference must not be zero');
    this.i += m[0].length;
    if (m[3] !== undefined) return this.refByName(m[3]);
    const n = Number(m[1] ?? m[2]);
    const abs = n < 0 ? this.groupCount + 1 + n : n;
    if (abs <= 0) throw new PatternError('a numbered reference must not be zero');
    return this.backref(abs);
  }

  // Groups -----------------------------------------------------------------------------------

  private group(): string | null {
    if (this.peek() === '*') return unsupported('(*VERB)');
    if (this.peek() !== '?') return this.capture();
    this.i++;
    const c = this.p[this.i++];
    switch (c) {
      case ':':
        return `(?:${this.inner()})`;
      case '>':
        return this.atomic(this.inner());
      case '=':
        return `(?=${this.inner()})`;
      case '!':
        return this.negative('(?!');
      case '#':
        return this.comment();
      case '|':
        return unsupported('branch reset (?|');
      case '(':
        return unsupported('conditional subpattern (?(');
      case 'C':
        return unsupported('callout (?C');
      case 'R':
      case '&':
      case '+':
        return unsupported(`recursion (?${c}`);
      case 'P':
        return this.pythonGroup();
      case '<':
        return this.lookbehindOrName();
      case "'":
        return this.named("'");
      default:
        this.i--;
        if (/[0-9-]/.test(c ?? '') && /^-?\d/.test(this.p.slice(this.i))) return unsupported('recursion (?N)');
        return this.flagGroup();
    }
  }

  private lookbehindOrName(): string {
    const c = this.peek();
    if (c !== '=' && c !== '!') return this.named('>');
    this.i++;
    return c === '=' ? `(?<=${this.inner()})` : this.negative('(?<!');
  }

  /** The group's content up to and including its `)`; flags changed inside end with it. */
  private inner(): string {
    const saved = { ...this.flags };
    const body = this.alternation();
    if (this.p[this.i++] !== ')') throw new PatternError('missing )');
    this.flags = saved;
    return body;
  }

  private negative(open: string): string {
    const start = this.seq;
    const body = this.inner();
    this.region(start); // groups inside a negative assertion are never set after it
    return `${open}${body})`;
  }

  private comment(): null {
    const end = this.p.indexOf(')', this.i);
    if (end < 0) throw new PatternError('missing ) after comment');
    this.i = end + 1;
    return null;
  }

  private capture(): string {
    const id = ++this.groupCount;
    const info: GroupInfo = { open: this.seq++, close: null, regions: new Set() };
    this.groupInfo.set(id, info);
    const body = this.inner();
    info.close = this.seq++;
    return `${OPEN}${idChar(id)}${body})`;
  }

  private named(end: string): string {
    const m = new RegExp(`^(\\w+)${end}`).exec(this.p.slice(this.i));
    if (m === null) throw new PatternError('syntax error in subpattern name');
    if (this.names.has(m[1]!)) throw new PatternError(`two named subpatterns have the same name (${m[1]})`);
    this.i += m[0].length;
    this.names.set(m[1]!, this.groupCount + 1);
    return this.capture();
  }

  private pythonGroup(): string {
    const c = this.p[this.i++];
    if (c === '<') return this.named('>');
    if (c === '>') return unsupported('recursion (?P>');
    if (c !== '=') throw new PatternError('unrecognized character after (?P');
    const m = /^(\w+)\)/.exec(this.p.slice(this.i));
    if (m === null) throw new PatternError('syntax error in subpattern name');
    this.i += m[0].length;
    return this.refByName(m[1]!);
  }

  /** `(?imsx-imsx)` (for the rest of the enclosing group) or `(?imsx-imsx:…)`. */
  private flagGroup(): string | null {
    const m = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(this.p.slice(this.i));
    if (m === null) throw new PatternError(`unrecognized character after (? (${this.p.slice(this.i - 2, this.i + 1)})`);
    const next = { ...this.flags };
    for (const [letters, on] of [[m[1]!, true], [m[2] ?? '', false]] as const) {
      for (const f of letters) {
        if (f !== 'i' && f !== 'm' && f !== 's' && f !== 'x') unsupported(`inline option (?${f})`);
        next[f as keyof Flags] = on;
      }
    }
    this.i += m[0].length;
    if (m[3] === ')') {
      this.flags = next;
      return null;
    }
    const saved = this.flags;
    this.flags = next;
    const body = this.alternation();
    if (this.p[this.i++] !== ')') throw new PatternError('missing )');
    this.flags = saved;
    return `(?:${body})`;
  }
}

/** PATTERN (CHICKEN 3 syntax) as a JS RegExp source with its group map. */
export function translatePattern(pattern: string, caseless = false, extended = false, utf8 = false): Translation {
  const flags: Flags = { i: caseless, m: false, s: false, x: extended };
  const t = new Translator(pattern, flags, utf8, false);
  const result = t.translate();
  if (!t.caselessRef) return result;
  // A caseless backreference needs JS's own `i`, which is right only when it folds exactly as
  // PCRE would here: every part caseless and no Latin-1 letter byte involved.
  if (t.caseSensitive || t.latinHazard) return unsupported('a case-insensitive backreference in a pattern with case-sensitive parts or non-ASCII letters');
  return new Translator(pattern, flags, utf8, true).translate();
}

// ---------------------------------------------------------------------------------------------
// Compiled patterns and the cache
// ---------------------------------------------------------------------------------------------

type Kind = 'search' | 'searchD' | 'whole' | 'wholeD';

/** A translated pattern with its JS RegExps, made on first use. */
class Compiled {
  private readonly made = new Map<Kind, RegExp>();
  constructor(readonly t: Translation) {}
  rx(kind: Kind): RegExp {
    let r = this.made.get(kind);
    if (r === undefined) {
      const whole = kind === 'whole' || kind === 'wholeD';
      const src = whole ? `(?:${this.t.source})(?![\\s\\S])` : this.t.source;
      const flags = this.t.jsFlags + (whole ? 'y' : 'g') + (kind.endsWith('D') ? 'd' : '');
      r = new RegExp(src, flags);
      this.made.set(kind, r);
    }
    return r;
  }
}

/** A compiled regular expression object (`regexp`): written `#<regexp>`. */
export class Regexp {
  constructor(readonly pattern: string, readonly compiled: Compiled) {}
}

const CACHE_SIZE = 256;
const cache = new Map<string, Compiled>();
const plainCache = new Map<string, Compiled>();
/** How many patterns were translated and compiled (the cache's misses): for tests. */
export const regexStats = { compiled: 0 };

function compileCached(pattern: string, caseless: boolean, extended: boolean, utf8: boolean, who: string): Compiled {
  // Patterns without flags (nearly all) are looked up by the pattern itself: no key is built.
  const flagged = caseless || extended || utf8;
  const table = flagged ? cache : plainCache;
  const key = flagged ? `${caseless ? 'i' : '-'}${extended ? 'x' : '-'}${utf8 ? 'u' : '-'}${pattern}` : pattern;
  const hit = table.get(key);
  if (hit !== undefined) return hit;
  const c = new Compiled(translated(pattern, caseless, extended, utf8, who));
  regexStats.compiled++;
  // Oldest first out: a hit costs one lookup, and a handler's few patterns stay.
  if (table.size >= CACHE_SIZE) table.delete(table.keys().next().value!);
  table.set(key, c);
  return c;
}

function translated(pattern: string, caseless: boolean, extended: boolean, utf8: boolean, who: string): Translation {
  try {
    const t = translatePattern(pattern, caseless, extended, utf8);
    new RegExp(t.source, t.jsFlags); // what JS itself rejects (e.g. a quantified lookbehind)
    return t;
  } catch (e) {
    if (e instanceof PatternError || e instanceof SyntaxError) throw compileError(pattern, e.message, who);
    throw e;
  }
}

function compileError(pattern: string, what: string, who: string): SchemeError {
  return schemeError(`cannot compile regular expression - ${what}`, [pattern], who);
}

/** A JS RegExp (a `#/…/` literal) as a compiled pattern: JS syntax, its own flags. */
const fromJs = new WeakMap<RegExp, Compiled>();
function jsCompiled(re: RegExp): Compiled {
  let c = fromJs.get(re);
  if (c === undefined) {
    const groups = new RegExp(`${re.source}|`).exec('')!.length - 1;
    const map = Array.from({ length: groups + 1 }, (_, k) => k);
    c = new Compiled({ source: re.source, jsFlags: re.flags.replace(/[gyd]/g, ''), groups: map });
    fromJs.set(re, c);
  }
  return c;
}

/** The compiled form of pattern argument X (a string, a regexp, a JS RegExp). */
function compiledOf(x: unknown, who: string): Compiled {
  if (x instanceof Regexp) return x.compiled;
  if (typeof x === 'string') return compileCached(x, false, false, false, who);
  if (x instanceof MString) return compileCached(x.__string__, false, false, false, who);
  if (x instanceof RegExp) return jsCompiled(x);
  throw typeError(who, x, 'string or regexp');
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

/** The match of C in S[..end) from START: searching, or the whole rest (WHOLE). */
function run(c: Compiled, s: string, start: number, end: number, whole: boolean, indices: boolean): RegExpExecArray | null {
  const re = c.rx(whole ? (indices ? 'wholeD' : 'whole') : indices ? 'searchD' : 'search');
  re.lastIndex = start;
  return re.exec(end === s.length ? s : s.slice(0, end));
}

/** Whether RX matches all of S, as `string-match` judges (for procedures outside this unit). */
export function matchesWhole(rx: Regexp, s: string): boolean {
  return run(rx.compiled, s, 0, s.length, true, false) !== null;
}

/** (MATCH SUBMATCH …) with #f for a group that did not match. */
function strings(c: Compiled, m: RegExpExecArray | null): unknown {
  if (m === null) return false;
  return arrayToList(c.t.groups.map((js) => (m[js] === undefined ? false : fresh(m[js]!))));
}

/** ((START END) …) with #f for a group that did not match. */
function positions(c: Compiled, m: RegExpExecArray | null): unknown {
  if (m === null) return false;
  const ix = m.indices!;
  return arrayToList(c.t.groups.map((js) => (ix[js] === undefined ? false : arrayToList([ix[js]![0], ix[js]![1]]))));
}

function matchArgs(rx: unknown, str: unknown, start: unknown, who: string): [Compiled, string, number] {
  const c = compiledOf(rx, who);
  const s = text(str, who);
  return [c, s, indexArg(start, 0, s.length, who)];
}

/** [compiled, string, start, end] of a search from START over RANGE bytes. */
function searchArgs(rx: unknown, str: unknown, start: unknown, range: unknown, who: string): [Compiled, string, number, number] {
  const [c, s, from] = matchArgs(rx, str, start, who);
  if (range !== undefined && typeof range !== 'number') throw typeError(who, range, 'fixnum');
  if (typeof range === 'number' && range < 0) throw boundsError(who, range);
  return [c, s, from, range === undefined ? s.length : Math.min(s.length, from + range)];
}

function stringMatch(rx: unknown, str: unknown, start?: unknown): unknown {
  const [c, s, from] = matchArgs(rx, str, start, 'string-match');
  return strings(c, run(c, s, from, s.length, true, false));
}

function stringMatchPositions(rx: unknown, str: unknown, start?: unknown): unknown {
  const [c, s, from] = matchArgs(rx, str, start, 'string-match-positions');
  return positions(c, run(c, s, from, s.length, true, true));
}

function stringSearch(rx: unknown, str: unknown, start?: unknown, range?: unknown): unknown {
  const [c, s, from, end] = searchArgs(rx, str, start, range, 'string-search');
  return strings(c, run(c, s, from, end, false, false));
}

function stringSearchPositions(rx: unknown, str: unknown, start?: unknown, range?: unknown): unknown {
  const [c, s, from, end] = searchArgs(rx, str, start, range, 'string-search-positions');
  return positions(c, run(c, s, from, end, false, true));
}

// ---------------------------------------------------------------------------------------------
// Splitting and substituting (CHICKEN 3's regex-common.scm, step for step)
// ---------------------------------------------------------------------------------------------

type SplitMode = 'field' | 'infix' | 'suffix';

function splitMode(mode: unknown): SplitMode {
  if (mode instanceof Keyword && (mode.name === 'infix' || mode.name === 'suffix')) return mode.name;
  return 'field'; // #t, and anything else, as CHICKEN's `case … else`
}

/** A substring as CHICKEN's `substring` takes it (bounds checked: an empty match at the end can overrun). */
function sub(s: string, from: number, to: number, who: string): unknown {
  if (from < 0 || to > s.length || from > to) throw boundsError(who, from, to);
  return fresh(s.slice(from, to));
}

function stringSplitFields(rx: unknown, str: unknown, mode?: unknown, start?: unknown): unknown {
  const who = 'string-split-fields';
  const s = text(str, who);
  const c = compiledOf(rx, who);
  const how = splitMode(mode === undefined ? true : mode);
  const len = s.length;
  const out: unknown[] = [];
  const fetch = (from0: number, from: number, to: number): unknown => (how === 'field' ? sub(s, from, to, who) : sub(s, from0, from, who));
  let pos = indexArg(start, 0, len, who);
  for (;;) {
    const m = run(c, s, pos, len, false, true);
    if (m === null) break;
    const [from, to] = m.indices![0]!;
    if (from === to) {
      if (to === len) break;
      // An empty match takes one more character (CHICKEN's own arithmetic).
      out.push(fetch(pos, from + 1, to + 2));
      pos = to + 1;
    } else {
      out.push(fetch(pos, from, to));
      pos = to;
    }
  }
  if (how === 'suffix' && pos < len) throw schemeError('record does not end with suffix', [str, rx], who);
  if (how === 'infix') out.push(fresh(pos >= len ? '' : s.slice(pos)));
  return arrayToList(out);
}

/** SUBST with `\N` replaced by submatch N of M in S (`\\` is left as it is, as in CHICKEN). */
function substitution(subst: string, c: Compiled, m: RegExpExecArray, s: string, who: string): string {
  let out = '';
  let k = 0;
  while (k < subst.length) {
    const ch = subst[k]!;
    const next = subst[k + 1];
    if (ch === '\\' && next !== undefined && next >= '0' && next <= '9') {
      const g = Number(next);
      if (g >= c.t.groups.length) throw boundsError(who, subst, g);
      const span = m.indices![c.t.groups[g]!];
      out += span === undefined ? '' : s.slice(span[0], span[1]);
      k += 2;
    } else if (ch === '\\' && next !== undefined) {
      out += ch + next;
      k += 2;
    } else {
      out += ch;
      k++;
    }
  }
  return out;
}

function stringSubstitute(rx: unknown, subst: unknown, str: unknown, mode?: unknown): unknown {
  const who = 'string-substitute';
  const c = compiledOf(rx, who);
  const rep = text(subst, who);
  const s = text(str, who);
  // A fixnum substitutes that match only; any other mode, every match.
  const which = mode === undefined ? 1 : typeof mode === 'number' ? mode : null;
  const parts: string[] = [];
  let index = 0;
  let count = 1;
  while (index < s.length) {
    const m = run(c, s, index, s.length, false, true);
    if (m === null) break;
    const [from, to] = m.indices![0]!;
    if (from === to) throw schemeError('empty substitution match', [rx], who);
    if (which === null || count === which) {
      parts.push(s.slice(index, from), substitution(rep, c, m, s, who));
    } else parts.push(s.slice(index, to));
    count++;
    index = to;
  }
  parts.push(s.slice(index));
  return fresh(parts.join(''));
}

function stringSubstituteAll(str: unknown, smap: unknown, mode?: unknown): unknown {
  const who = 'string-substitute*';
  let s: unknown = fresh(text(str, who));
  const all = mode === undefined ? false : mode;
  for (const entry of listItems(smap, who)) {
    if (!isPair(entry)) throw typeError(who, entry, 'pair');
    s = stringSubstitute(entry.car, entry.cdr, s, all);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Utilities
// ---------------------------------------------------------------------------------------------

function makeRegexp(pattern: unknown, caseless?: unknown, extended?: unknown, utf8?: unknown): unknown {
  if (pattern instanceof Regexp) return pattern;
  if (pattern instanceof RegExp) return new Regexp(pattern.source, jsCompiled(pattern));
  const p = text(pattern, 'regexp');
  return new Regexp(p, compileCached(p, truthy(caseless), truthy(extended), truthy(utf8), 'regexp'));
}

const SPECIAL = new Set('.\\?*+^$()[]|{}');

function regexpEscape(str: unknown): unknown {
  let out = '';
  for (const ch of text(str, 'regexp-escape')) out += SPECIAL.has(ch) ? `\\${ch}` : ch;
  return fresh(out);
}

const isAlnum = (ch: string): boolean => /[A-Za-z0-9]/.test(ch);

/**
 * The pattern (a string, as the CHICKEN 3 manual shows: "foo.*" → "foo\\..*") of a glob:
 * `*` any bytes, `?` one, `[C…]` `[C1-C2]` a set, `[-C…]` (and `[!C…]`) its complement;
 * letters and digits stand for themselves, every other byte is escaped.
 */
function globToRegexp(pattern: unknown): unknown {
  const s = text(pattern, 'glob->regexp');
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const ch = s[k]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[' && s.indexOf(']', k + 2) > 0) k = globSet(s, k, (set) => (out += set));
    else out += isAlnum(ch) ? ch : `\\${ch}`;
  }
  return fresh(out);
}

/** The set `[…]` of a glob at K: written by EMIT; the index of its `]`. */
function globSet(s: string, k: number, emit: (set: string) => void): number {
  let j = k + 1;
  const negate = s[j] === '-' || s[j] === '!';
  if (negate) j++;
  const end = s.indexOf(']', j + 1);
  const body = s.slice(j, end).replace(/[\\\]^[]/g, (x) => `\\${x}`);
  emit(`[${negate ? '^' : ''}${body}]`);
  return end;
}

function isGlob(str: unknown): boolean {
  return /[*?[]/.test(text(str, 'glob?'));
}

/** The regex unit's procedures (`grep`, which calls the accessor it is given, is in scheme/library/regex.scm). */
export function installRegex(engine: Engine): void {
  defineProcedures(engine, {
    regexp: [makeRegexp, 1, 4],
    'regexp?': [(x: unknown): boolean => x instanceof Regexp, 1, 1],
    'string-match': [stringMatch, 2, 3],
    'string-match-positions': [stringMatchPositions, 2, 3],
    'string-search': [stringSearch, 2, 4],
    'string-search-positions': [stringSearchPositions, 2, 4],
    'string-split-fields': [stringSplitFields, 2, 4],
    'string-substitute': [stringSubstitute, 3, 4],
    'string-substitute*': [stringSubstituteAll, 2, 3],
    'regexp-escape': [regexpEscape, 1, 1],
    'glob->regexp': [globToRegexp, 1, 1],
    'glob?': [isGlob, 1, 1],
    '##regex#not-a-list': [(x: unknown): never => { throw typeError('grep', x, 'list'); }, 1, 1],
  });
}
