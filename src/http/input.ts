/**
 * A readable character port over bytes already received (a request body): what a handler's
 * `current-input-port` and a content parser read from. Reads are synchronous; the server has
 * the whole body before the handler runs, so a handler can never read into the next request.
 */

/** What line-oriented readers (e.g. `readRequestAttributes`) need from a port. */
export interface LineSource {
  /** The next line without its line ending (LF, CRLF or lone CR), or null at end. */
  readLine(): string | null | Promise<string | null>;
}

export class BufferInput implements LineSource {
  readonly bytes: Buffer;
  private text: string | null = null;
  private pos = 0;
  private closed = false;

  constructor(
    bytes: Buffer,
    /** How the bytes are read as characters: UTF-8, or one character per byte (Scheme's byte strings). */
    readonly encoding: 'utf8' | 'latin1' = 'utf8',
  ) {
    this.bytes = bytes;
  }

  /** Body size in bytes. */
  get size(): number {
    return this.bytes.length;
  }

  private str(): string {
    if (this.closed) throw new Error('read from a closed input port');
    if (this.text === null) this.text = this.bytes.toString(this.encoding);
    return this.text;
  }

  readLine(): string | null {
    const s = this.str();
    if (this.pos >= s.length) return null;
    let i = this.pos;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 10 || c === 13) break;
      i++;
    }
    const line = s.slice(this.pos, i);
    if (i < s.length && s.charCodeAt(i) === 13 && s.charCodeAt(i + 1) === 10) i += 2;
    else if (i < s.length) i += 1;
    this.pos = i;
    return line;
  }

  /** Up to N characters (all that remain when N is omitted), or null at end. */
  readString(n?: number): string | null {
    const s = this.str();
    if (this.pos >= s.length) return n === 0 ? '' : null;
    let end = s.length;
    if (n !== undefined) {
      // N characters are N code points: a surrogate pair is never split.
      end = this.pos;
      for (let k = 0; k < n && end < s.length; k++) {
        const c = s.charCodeAt(end);
        end += c >= 0xd800 && c <= 0xdbff && end + 1 < s.length ? 2 : 1;
      }
    }
    const out = s.slice(this.pos, end);
    this.pos = end;
    return out;
  }

  readChar(): string | null {
    const s = this.str();
    if (this.pos >= s.length) return null;
    const cp = s.codePointAt(this.pos)!;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    return ch;
  }

  peekChar(): string | null {
    const s = this.str();
    if (this.pos >= s.length) return null;
    return String.fromCodePoint(s.codePointAt(this.pos)!);
  }

  /** Everything not read yet. */
  readAll(): string {
    return this.readString() ?? '';
  }

  /** What is not read yet, without reading it. */
  peekAll(): string {
    return this.str().slice(this.pos);
  }

  /** Reads N characters without returning them. */
  skip(n: number): void {
    this.pos = Math.min(this.str().length, this.pos + n);
  }

  charReady(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
  }

  get isOpen(): boolean {
    return !this.closed;
  }
}

const EMPTY = Buffer.alloc(0);
export function emptyInput(): BufferInput {
  return new BufferInput(EMPTY);
}
