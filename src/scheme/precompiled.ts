/**
 * The Scheme library compiled ahead of time (issue 10: start-up). scripts/build-boot.mjs
 * compiles scheme/library/*.scm with the engine's own compiler at build time and writes, per
 * file, one script holding each top-level form's JS (`dist/boot/library/FILE.js`) and, in
 * `dist/boot/library.json`, each form's constants (encoded here), procedure descriptions and
 * the primitive it redefines. A start then runs those forms instead of reading, expanding and
 * generating them again (about 0.25 s of CPU); the scripts go through the V8 code cache
 * (src/scheme/code-cache.ts), so they are not even parsed again.
 *
 * Only the command's bundle (dist/boot/) turns this on (`usePrecompiledLibrary`); everything
 * else (the tests from src/, `node dist/cli.js`) compiles the library as before, which is also
 * what test/scheme/precompiled.test.ts compares this with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { registerPrecompiledScript, type CompiledForm, type Engine, type PrecompiledUnit, type Runtime } from './compiler/index.js';
import { Char, DEFAULT_OBJECT, EOF, Flo, Keyword, MString, NIL, Pair, intern, isSymbol, symbolName, type PairT } from './runtime/data.js';
import { compileCached } from './code-cache.js';

/** A constant as JSON: a fixnum or boolean as itself, anything else tagged. */
export type EncodedConst =
  | number
  | boolean
  | { t: 'cell' | 'sym' | 'kw'; n: string }
  | { t: 'str' | 'mstr'; s: string }
  | { t: 'char'; c: number }
  | { t: 'flo'; v: string }
  | { t: 'pair'; a: EncodedConst; d: EncodedConst }
  | { t: 'vec'; items: EncodedConst[] }
  | { t: 'bytes'; b: number[] }
  | { t: 'nil' | 'eof' | 'default' | 'undefined' };

/** The constants the compiler puts into a unit that this module can write; others make the build fail. */
export class UnencodableConstant extends Error {
  override name = 'UnencodableConstant';
}

/** Is X one of the engine's global cells (what `Engine.cell` makes)? */
function isCell(x: unknown): x is { name: string; v: unknown } {
  return typeof x === 'object' && x !== null && x.constructor?.name === 'GlobalCell' && typeof (x as { name?: unknown }).name === 'string';
}

/** Constant X as JSON (build time). Symbols must be interned: an uninterned one has no name to find it by. */
export function encodeConst(x: unknown): EncodedConst {
  if (typeof x === 'number') {
    if (!Number.isFinite(x) || Object.is(x, -0)) throw new UnencodableConstant(`the JS number ${x} (JSON cannot hold it)`);
    return x;
  }
  if (typeof x === 'boolean') return x;
  if (typeof x === 'string') return { t: 'str', s: x };
  if (x === undefined) return { t: 'undefined' };
  if (x === NIL) return { t: 'nil' };
  if (x === EOF) return { t: 'eof' };
  if (x === DEFAULT_OBJECT) return { t: 'default' };
  if (isCell(x)) return { t: 'cell', n: x.name };
  if (x instanceof Char) return { t: 'char', c: x.code };
  if (x instanceof Flo) return { t: 'flo', v: Object.is(x.v, -0) ? '-0' : String(x.v) };
  if (x instanceof Keyword) return { t: 'kw', n: x.name };
  if (x instanceof MString) return { t: 'mstr', s: x.__string__ };
  if (Array.isArray(x)) return { t: 'vec', items: x.map(encodeConst) };
  if (x instanceof Uint8Array) return { t: 'bytes', b: [...x] };
  if (x instanceof Pair) {
    const p = x as PairT;
    return { t: 'pair', a: encodeConst(p.car), d: encodeConst(p.cdr) };
  }
  if (isSymbol(x)) {
    const name = symbolName(x);
    if (intern(name) !== x) throw new UnencodableConstant(`the uninterned symbol ${name}`);
    return { t: 'sym', n: name };
  }
  throw new UnencodableConstant(`a constant of type ${typeof x === 'object' && x !== null ? x.constructor?.name ?? 'Object' : typeof x}`);
}

/** Constant E as a value of ENGINE (its cells are ENGINE's). */
export function decodeConst(e: EncodedConst, engine: Engine): unknown {
  if (typeof e === 'number' || typeof e === 'boolean') return e;
  switch (e.t) {
    case 'cell': return engine.cell(e.n);
    case 'sym': return intern(e.n);
    case 'kw': return Keyword.of(e.n);
    case 'str': return e.s;
    case 'mstr': return new MString(e.s);
    case 'char': return Char.of(e.c);
    case 'flo': return new Flo(Number(e.v));
    case 'pair': return new Pair(decodeConst(e.a, engine), decodeConst(e.d, engine));
    case 'vec': return e.items.map((i) => decodeConst(i, engine));
    case 'bytes': return Uint8Array.from(e.b);
    case 'nil': return NIL;
    case 'eof': return EOF;
    case 'default': return DEFAULT_OBJECT;
    case 'undefined': return undefined;
  }
}

/** One form of a library file, as library.json holds it. */
export interface EncodedUnit {
  consts: EncodedConst[];
  info: PrecompiledUnit['info'];
  redefines: string | null;
}

/** dist/boot/library.json. */
export interface LibraryManifest {
  format: typeof MANIFEST_FORMAT;
  files: Array<{ file: string; script: string; sha256: string; units: EncodedUnit[] }>;
}

export const MANIFEST_FORMAT = 1;

/**
 * The script of a library file's units: an array expression of one factory per form, each the
 * body `Unit.source` generated. A `/*@0*\/` marker starts each, so that a line of one form's
 * prologue is not taken for the previous form's last Scheme line.
 */
export function libraryScript(sources: string[]): string {
  const body = sources.map((s) => `function (R, K) {/*@0*/\n${s.replace(/\n\/\/# sourceURL=[^\n]*$/, '')}\n}`);
  return `[\n${body.join(',\n')}\n]\n`;
}

/** JS names of compiled procedures (s12_foo, v13_x, mk_s14_loop) get a P: `sP12_foo` never comes out of the compiler at run time. */
const JS_NAME = /(?<![\w$])(mk_)?([sv])(\d+)_/g;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g;

export function renameJs(text: string): string {
  return text.replace(JS_NAME, '$1$2P$3_');
}

/**
 * One library file's forms, as recorded when they were compiled (`recordCompiledForms`), made
 * ready to be written: the script's text and the entry of library.json (without `script` and
 * `sha256`, which the writer adds). Throws UnencodableConstant for a constant it cannot write.
 */
export function precompileFile(forms: CompiledForm[]): { script: string; units: EncodedUnit[] } {
  const sources = forms.map((f) => {
    const renamed = renameJs(f.source);
    // The renaming is for names only: a string literal it changed would change what the code does.
    if ((f.source.match(STRING_LITERAL) ?? []).join('\0') !== (renamed.match(STRING_LITERAL) ?? []).join('\0')) {
      throw new UnencodableConstant('renaming the JS names would change a string literal');
    }
    return renamed;
  });
  const units = forms.map((f) => ({ consts: f.consts.map(encodeConst), info: f.info.map(([name, info]): PrecompiledUnit['info'][number] => [renameJs(name), info]), redefines: f.redefines }));
  return { script: libraryScript(sources), units };
}

type Provider = (engine: Engine, file: string, full: string) => PrecompiledUnit[] | null;

let provider: Provider | null = null;

/** What `installLibrary` takes the library from, when set (the command's bundle sets it). */
export function precompiledLibrary(): Provider | null {
  return provider;
}

/**
 * Makes `installLibrary` run the library compiled ahead of time in DIR (dist/boot/), where its
 * manifest says so; a file it does not list (or a script that does not load) is compiled as
 * usual. NULL: compile it all again.
 */
export function usePrecompiledLibrary(dir: string | null): void {
  if (dir === null) {
    provider = null;
    return;
  }
  let manifest: LibraryManifest | null = null;
  provider = (engine, file, full) => {
    manifest ??= JSON.parse(fs.readFileSync(path.join(dir, 'library.json'), 'utf8')) as LibraryManifest;
    if (manifest.format !== MANIFEST_FORMAT) return null;
    const entry = manifest.files.find((f) => f.file === file);
    if (entry === undefined) return null;
    const source = fs.readFileSync(path.join(dir, entry.script), 'latin1');
    const name = registerPrecompiledScript(full, source);
    const factories = compileCached(source, name, entry.sha256).runInThisContext() as Array<(r: Runtime, k: unknown[]) => () => unknown>;
    if (factories.length !== entry.units.length) return null;
    return entry.units.map((u, i) => ({
      factory: factories[i]!,
      consts: u.consts.map((c) => decodeConst(c, engine)),
      info: u.info,
      redefines: u.redefines,
    }));
  };
}
