/**
 * V8's code cache for the scripts a start runs (issue 10: start-up): the command's bundle and
 * the precompiled library (dist/boot/). A script is compiled with the bytecode a previous run
 * left in the user's cache directory, so V8 neither parses nor compiles it again; a run that
 * found none (or one V8 rejects: another node) writes it when it ends, with the functions that
 * run compiled, for the next.
 *
 * Files: ${XDG_CACHE_HOME:-~/.cache}/scheme-http/code/KEY-NODEVERSION-ARCH-2.v8, KEY being the
 * script's SHA-256 from its build (V8 itself checks only the source's length): a changed script
 * never meets an old cache. Each file is the SHA-1 of V8's data, then the data: V8 checks its
 * header, not its payload, and a damaged payload crashed node (SIGSEGV, at every start until the
 * file was removed); one that does not match its digest is compiled without, and written again.
 * SCHEME_HTTP_CODE_CACHE=0 turns it off; with no writable cache directory the scripts are
 * compiled as usual.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** Caches not used for this long are removed when a new one is written (ms). */
const PRUNE_AFTER_MS = 14 * 24 * 3600_000;
/** A long run (a server) writes its caches this soon, not only at its exit (ms). */
const WRITE_AFTER_MS = 2000;

/** The cache directory, or null when there is none. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.SCHEME_HTTP_CODE_CACHE === '0') return null;
  const base = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(base, 'scheme-http', 'code');
}

/** Scripts compiled without a usable cache: written once the run has used them. */
const pending: Array<{ script: vm.Script; file: string }> = [];
let hooked = false;

/** The file format's number, in the name: files of another format are never read (and are pruned when old). */
const FORMAT = 2;
/** The digest that starts a file (SHA-1: ~1 ms for the bundle's 0.8 MB, node:crypto included). */
const DIGEST = 'sha1';
const DIGEST_BYTES = 20;

function cacheFile(dir: string, key: string): string {
  return path.join(dir, `${key.slice(0, 32)}-${process.version}-${process.arch}-${FORMAT}.v8`);
}

function digest(data: Uint8Array): Buffer {
  return createHash(DIGEST).update(data).digest();
}

/** V8's data in FILE when its digest holds, else undefined (none, or damaged). */
function readCache(file: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const data = bytes.subarray(DIGEST_BYTES);
  return bytes.length > DIGEST_BYTES && digest(data).equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

/**
 * SOURCE compiled as a script named FILENAME (its name in stack traces), from the code cache
 * under KEY (the source's hash) when there is one.
 */
export function compileCached(source: string, filename: string, key: string, dir: string | null = codeCacheDir()): vm.Script {
  if (dir === null) return new vm.Script(source, { filename });
  const file = cacheFile(dir, key);
  const cachedData = readCache(file);
  const script = new vm.Script(source, { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    pending.push({ script, file });
    if (!hooked) {
      hooked = true;
      process.once('exit', flushCodeCaches);
      setTimeout(flushCodeCaches, WRITE_AFTER_MS).unref();
    }
  }
  return script;
}

/** Writes the caches of the scripts compiled without one (best effort: a cache is an optimisation). */
export function flushCodeCaches(): void {
  for (const { script, file } of pending.splice(0)) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      const data = script.createCachedData();
      fs.writeFileSync(tmp, Buffer.concat([digest(data), data]));
      fs.renameSync(tmp, file);
      prune(path.dirname(file), file);
    } catch {
      // read-only or full: the next run compiles again
    }
  }
}

/** Removes the caches in DIR (but KEEP) that no run has written for PRUNE_AFTER_MS. */
function prune(dir: string, keep: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const f = path.join(dir, name);
    if (f === keep || !name.endsWith('.v8')) continue;
    try {
      if (now - fs.statSync(f).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(f, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}
