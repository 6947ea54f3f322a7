/**
 * The REPL's `,d EXPR`: what a value is, in the words of csi's `describe` ("exact immediate
 * integer 42", "string of length 3" with its elements, "unbound symbol with name …"). Written
 * for the compiled engine's data model (src/scheme/runtime/data.ts); a value it does not know
 * (LIPS's own objects, when SCHEME_HTTP_COMPILE=0) is shown by its `write` form.
 */
import { Pair, NIL, EOF, Flo, Char, Keyword, MString, charOf, isPair, isSymbol, isValues, symbolName, valuesList, listToArray, type PairT } from '../scheme/runtime/data.js';
import { SchemeError } from '../scheme/runtime/errors.js';
import { HashTable } from '../scheme/library/hash-tables.js';
import { writeString } from './output.js';

/** What describe needs of the engine: whether a name is bound, and a global's value. */
export interface DescribeEnv {
  isBound(name: string): boolean;
  lookup(name: string): unknown;
}

/** Elements listed of a string, list, vector or table before ` ...` (csi lists all; a screenful is enough). */
const MAX_ELEMENTS = 40;

/** The description of X, lines joined with newlines (no final newline). */
export function describe(x: unknown, env: DescribeEnv): string {
  if (isValues(x)) return valuesList(x).map((v) => describe(v, env)).join('\n');
  if (x === undefined) return 'unspecified object';
  if (x === true || x === false) return `boolean ${x ? 'true' : 'false'}`;
  if (x === NIL) return 'empty list';
  if (x === EOF) return 'end-of-file object';
  if (typeof x === 'number') return describeFixnum(x);
  if (x instanceof Flo) return `inexact ${Number.isInteger(x.v) ? 'integer' : Number.isFinite(x.v) ? 'rational number' : 'number'} ${writeString(x)}`;
  if (x instanceof Char) return `character ${writeString(x)}, code: ${x.code}, #x${x.code.toString(16)}, #o${x.code.toString(8)}`;
  if (typeof x === 'string' || x instanceof MString) {
    const s = typeof x === 'string' ? x : x.__string__;
    // A byte above 127 is shown by its code: written as itself it would be half a UTF-8 character.
    const chars = Array.from(s, (c) => c.codePointAt(0)!).map((code) => (code > 127 ? new ByteName(code) : charOf(code)));
    return [`string of length ${s.length}`, ...elements(chars)].join('\n');
  }
  if (x instanceof Keyword) return `keyword with name ${writeString(x.name)}`;
  if (isSymbol(x)) {
    const name = symbolName(x);
    return `${env.isBound(name) ? '' : 'unbound '}symbol with name ${writeString(name)}`;
  }
  if (isPair(x)) return describePair(x);
  if (Array.isArray(x)) return [`vector of length ${x.length}`, ...elements(x)].join('\n');
  if (x instanceof Uint8Array) return [`u8vector of length ${x.length}`, ...elements(Array.from(x))].join('\n');
  if (typeof x === 'function') return `procedure ${writeString(x).replace(/^#<procedure ?(.*)>$/, '$1') || '(anonymous)'}`;
  if (x instanceof SchemeError) return describeCondition(x, env);
  if (x instanceof HashTable) return describeTable(x);
  const record = asRecord(x);
  if (record !== null) {
    return [`record of type ${record.type.name}:`, ...record.type.fields.map((f, i) => ` ${f}: ${writeString(record.values[i])}`)].join('\n');
  }
  return `object ${writeString(x)}`;
}

/** A character shown as `#\xe9` in a string's elements. */
class ByteName {
  constructor(readonly code: number) {}
}

function describeFixnum(n: number): string {
  if (!Number.isInteger(n)) return `number ${writeString(n)}`;
  const abs = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  const char = n > 32 && n < 127 ? `, character ${writeString(charOf(n))}` : '';
  return [`exact integer ${n}`, `  #x${sign}${abs.toString(16)}`, `  #o${sign}${abs.toString(8)}`, `  #b${sign}${abs.toString(2)}${char}`].join('\n');
}

function describePair(p: PairT): string {
  const items = listToArray(p);
  if (items !== null) return [`list of length ${items.length}`, ...elements(items)].join('\n');
  return `pair with car ${writeString(p.car)}\nand cdr ${writeString(p.cdr)}`;
}

/**
 * ` I: ELEMENT` lines, a run of equal elements shown once with how many follow (as csi
 * does), and ` ...` after MAX_ELEMENTS.
 */
function elements(items: readonly unknown[]): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < items.length) {
    if (lines.length >= MAX_ELEMENTS) {
      lines.push(` ... (${items.length - i} more)`);
      break;
    }
    const text = elementText(items[i]);
    let same = 0;
    while (i + same + 1 < items.length && elementText(items[i + same + 1]) === text) same++;
    lines.push(same === 0 ? ` ${i}: ${text}` : ` ${i}: ${text}\t(followed by ${same} identical instance${same === 1 ? '' : 's'})`);
    i += same + 1;
  }
  return lines;
}

function elementText(x: unknown): string {
  return x instanceof ByteName ? `#\\x${x.code.toString(16)}` : writeString(x);
}

/** As csi's `,exn`: the condition's kinds, then each kind's properties. */
function describeCondition(e: SchemeError, env: DescribeEnv): string {
  const lines = [`condition: (${e.kinds.join(' ')})`];
  const toList = env.lookup('condition->list');
  const props = typeof toList === 'function' ? listToArray((toList as (c: unknown) => unknown)(e)) : null;
  if (props === null) {
    lines.push(` message: ${writeString(e.message)}`, ` arguments: ${writeString(e.args)}`);
    return lines.join('\n');
  }
  for (const kind of props) {
    const entry = listToArray(kind) ?? [];
    lines.push(` ${writeString(entry[0])}`);
    for (let k = 1; k + 1 < entry.length; k += 2) lines.push(`\t${writeString(entry[k])}: ${writeString(entry[k + 1])}`);
  }
  return lines.join('\n');
}

function describeTable(t: HashTable): string {
  const entries: PairT[] = [...t.map.values()];
  for (const bucket of t.buckets.values()) entries.push(...bucket);
  const lines = [`hash table with ${t.count} element${t.count === 1 ? '' : 's'}`];
  for (const e of entries.slice(0, MAX_ELEMENTS)) lines.push(` ${writeString(e.car)}\t-> ${writeString(e.cdr)}`);
  if (entries.length > MAX_ELEMENTS) lines.push(` ... (${entries.length - MAX_ELEMENTS} more)`);
  return lines.join('\n');
}

interface RecordLike {
  type: { name: string; fields: string[] };
  values: unknown[];
}

/** A record of define-record-type (src/scheme/library/control.ts keeps its class to itself). */
function asRecord(x: unknown): RecordLike | null {
  if (typeof x !== 'object' || x === null || x instanceof Pair) return null;
  const r = x as Partial<RecordLike>;
  const t = r.type;
  return t !== undefined && typeof t.name === 'string' && Array.isArray(t.fields) && Array.isArray(r.values) ? (r as RecordLike) : null;
}
