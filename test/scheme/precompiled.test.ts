/**
 * The Scheme library compiled ahead of time (src/scheme/precompiled.ts, scripts/build-boot.mjs):
 * the library's forms are recorded as the compiler makes them, written as build-boot writes them
 * (scripts and library.json, in a temporary directory), and an engine made from them must be the
 * engine compiled from the sources: the same globals, the same results, the same error reports
 * (the library's file and line in the chain). Also: the constants' encoding, and the V8 code
 * cache written and taken back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEngine, evalSource } from '../../src/scheme/engine.js';
import { recordCompiledForms, type CompiledForm, type Engine } from '../../src/scheme/compiler/index.js';
import { SCHEME_FILES, libraryDir } from '../../src/scheme/library/index.js';
import { decodeConst, encodeConst, precompileFile, usePrecompiledLibrary, MANIFEST_FORMAT, UnencodableConstant, type LibraryManifest } from '../../src/scheme/precompiled.js';
import { compileCached, flushCodeCaches } from '../../src/scheme/code-cache.js';
import { errorReport } from '../../src/scheme/report.js';
import { writeString } from '../../src/scheme/runtime/printer.js';
import { Char, Flo, Keyword, MString, NIL, arrayToList, gensym, intern, textToBytes } from '../../src/scheme/runtime/data.js';
import { removeDir, tempDir } from '../support/client-fixtures.js';

let dir = '';
let compiled: Engine;
let ahead: Engine;
let forms: CompiledForm[] = [];

beforeAll(async () => {
  dir = await tempDir('scheme-http-precompiled-');
  process.env.SCHEME_HTTP_CODE_CACHE = '0';
  recordCompiledForms((f) => forms.push(f));
  compiled = await newEngine();
  recordCompiledForms(null);
  const manifest: LibraryManifest = { format: MANIFEST_FORMAT, files: [] };
  fs.mkdirSync(path.join(dir, 'library'));
  for (const file of SCHEME_FILES) {
    const { script, units } = precompileFile(forms.filter((f) => f.file === path.join(libraryDir(), file)));
    const name = `library/${file}.js`;
    fs.writeFileSync(path.join(dir, name), script);
    manifest.files.push({ file, script: name, sha256: `test-${file}`, units: JSON.parse(JSON.stringify(units)) as LibraryManifest['files'][number]['units'] });
  }
  fs.writeFileSync(path.join(dir, 'library.json'), JSON.stringify(manifest));
  usePrecompiledLibrary(dir);
  // Nothing compiled while the library loads from the scripts: recorded forms here would be a failure.
  const during: CompiledForm[] = [];
  recordCompiledForms((f) => during.push(f));
  ahead = await newEngine();
  recordCompiledForms(null);
  usePrecompiledLibrary(null);
  expect(during.filter((f) => f.file !== null && f.file.startsWith(libraryDir()))).toEqual([]);
});

afterAll(() => {
  usePrecompiledLibrary(null);
  delete process.env.SCHEME_HTTP_CODE_CACHE;
  if (dir !== '') removeDir(dir);
});

async function show(e: Engine, code: string): Promise<string> {
  try {
    return writeString(await evalSource(e, textToBytes(code), 'prog.scm'));
  } catch (err) {
    const r = errorReport(err, 'prog.scm', 1);
    return [r.first, ...r.chain].join('\n');
  }
}

describe('the library compiled ahead of time', () => {
  it('compiled every form of every library file', () => {
    for (const file of SCHEME_FILES) expect(forms.some((f) => f.file === path.join(libraryDir(), file))).toBe(true);
  });

  it('defines the same globals as the library compiled from its sources', () => {
    expect(ahead.names().sort()).toEqual(compiled.names().sort());
  });

  it.each([
    '(fold + 0 (iota 10))',
    '(list (string-pad "a" 3) (string-index "hello" #\\l) (string-tokenize "a b  c"))',
    '(let ((h (make-hash-table))) (hash-table-set! h \'a 1) (hash-table-update!/default h \'a (lambda (x) (+ x 1)) 0) (hash-table->alist h))',
    '(call-with-current-continuation (lambda (k) (dynamic-wind (lambda () #f) (lambda () (k 42)) (lambda () #f))))',
    '(list (delete-duplicates \'(1 2 1 3)) (lset-union eq? \'(a b) \'(b c)) (partition even? \'(1 2 3 4)))',
    '(handle-exceptions e (condition-property-accessor \'exn \'message) (error "boom" 1))',
    '(list fold string-pad)',
    '(fold (lambda (a b) (car a)) 0 (list 1 2))',
    '(define (map f l) (quote mine)) (list (map car \'((1))) (filter odd? \'(1 2 3)))',
  ])('gives what the compiled library gives: %s', async (code) => {
    const want = await show(compiled, code);
    expect(await show(ahead, code)).toBe(want);
  });

  it('reports an error in a library procedure at its file and line', async () => {
    const report = await show(ahead, '(fold (lambda (a b) (car a)) 0 (list 1 2))');
    expect(report).toMatch(/called from fold \(.*scheme\/library\/srfi-1\.scm:\d+\)/);
  });

  it('prints its procedures with their Scheme names, not the renamed JS ones', async () => {
    expect(await show(ahead, 'fold')).toBe(await show(compiled, 'fold'));
    expect(await show(ahead, 'fold')).not.toMatch(/sP\d/);
  });
});

describe('constants', () => {
  it('encode to JSON and decode to equal values', () => {
    const values: unknown[] = [
      42, -7, true, false, 'bytes\xff', undefined, NIL, Char.of(97), Char.of(0x3bb), new Flo(1.5), new Flo(-0), new Flo(Infinity),
      Keyword.of('key'), intern('sym'), arrayToList([1, intern('a'), arrayToList([2])]), [1, 'x'], Uint8Array.from([1, 2]),
      compiled.cell('car'),
    ];
    for (const v of values) {
      const back = decodeConst(JSON.parse(JSON.stringify(encodeConst(v))) as ReturnType<typeof encodeConst>, compiled);
      if (v instanceof Flo) expect(Object.is((back as Flo).v, v.v)).toBe(true);
      else if (v === compiled.cell('car') || typeof v !== 'object' || v === null || v === NIL || v instanceof Char || v instanceof Keyword || v === intern('sym')) expect(back).toBe(v);
      else expect(writeString(back)).toBe(writeString(v));
    }
    const m = decodeConst(encodeConst(new MString('abc')), compiled);
    expect(m).toBeInstanceOf(MString);
    expect((m as { __string__: string }).__string__).toBe('abc');
  });

  it('refuses what it cannot write back', () => {
    expect(() => encodeConst(gensym('g'))).toThrow(UnencodableConstant);
    expect(() => encodeConst(() => 1)).toThrow(UnencodableConstant);
    expect(() => encodeConst(NaN)).toThrow(UnencodableConstant);
  });
});

describe('the code cache', () => {
  it('is written once a script has run, and taken by the next compile of the same key', () => {
    const cache = path.join(dir, 'code');
    const source = '(function () { return 6 * 7; })';
    const first = compileCached(source, 'cached-test.js', 'k'.repeat(64), cache);
    expect((first.runInThisContext() as () => number)()).toBe(42);
    flushCodeCaches();
    const files = fs.readdirSync(cache);
    expect(files).toHaveLength(1);
    expect(files[0]).toContain(process.version);
    const second = compileCached(source, 'cached-test.js', 'k'.repeat(64), cache);
    expect(second.cachedDataRejected).toBe(false);
    expect((second.runInThisContext() as () => number)()).toBe(42);
  });

  it('compiles without a cache when the cache cannot be written', () => {
    const blocked = path.join(dir, 'blocked');
    fs.writeFileSync(blocked, 'a file where the directory would be');
    const s = compileCached('1 + 1', 'x.js', 'b'.repeat(64), path.join(blocked, 'code'));
    expect(s.runInThisContext()).toBe(2);
    expect(() => flushCodeCaches()).not.toThrow();
  });
});
