/**
 * Where the start-up snapshot lives and whether it may be used. A blob runs only with the node
 * binary that built it and holds the code and Scheme sources it was built from, so its stamp
 * records a fingerprint of them all (device, inode, size and change time of the node binary, the
 * blob and every input): the launchers (bin/scheme-http, a sh script, and bin/scheme-http.js)
 * use the blob only when the fingerprint is still the same, and boot normally otherwise. Taking
 * it costs one stat per file (~1 ms for the ~100 files), where hashing them cost tens of ms.
 *
 * A blob is looked for in the package's dist/snapshot/ (`npm run build` puts it there), then in
 * the user's cache, where the command builds one on its first run when there is none
 * (bin/scheme-http.js, scripts/build-snapshot.mjs): `$XDG_CACHE_HOME/scheme-http/v2/PACKAGE-PATH/`
 * or `~/.cache/scheme-http/v2/PACKAGE-PATH/`, PACKAGE-PATH being the package's absolute real path,
 * so that a sh script finds it without hashing anything.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Bumped when the stamp's shape or what the blob expects of the launcher changes. */
export const STAMP_FORMAT = 2;

/**
 * Environment variables our modules read once, as they load: in a snapshot they keep the value
 * they had at build time, so the launchers boot normally when one is set.
 */
export const FROZEN_ENV = ['SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_COMPILE'];

/** Set to 0 to never use the snapshot (the launcher boots normally); `debug` says which path is taken. */
export const SNAPSHOT_ENV = 'SCHEME_HTTP_SNAPSHOT';

export interface SnapshotFiles {
  dir: string;
  blob: string;
  /** The stamp the node launcher reads (JSON). */
  stamp: string;
  /** The same stamp for the sh launcher: sh it sources (absent when `stat -c` cannot take the fingerprint). */
  shStamp: string;
  /** The bundled entry the blob was built from (kept for inspection; not read at start-up). */
  bundle: string;
  /** Held (a directory) while a build runs in DIR. */
  lock: string;
  /** Written when a first-run build failed, so that the next commands do not try again at once. */
  failed: string;
  /** What a first-run build wrote on stdout and stderr. */
  log: string;
}

/** The snapshot's files for the package at ROOT, or in DIR when given. */
export function snapshotFiles(root: string, dir = path.join(root, 'dist', 'snapshot')): SnapshotFiles {
  return {
    dir,
    blob: path.join(dir, 'scheme-http.blob'),
    stamp: path.join(dir, 'scheme-http.stamp.json'),
    shStamp: path.join(dir, 'scheme-http.stamp.sh'),
    bundle: path.join(dir, 'scheme-http.bundle.cjs'),
    lock: path.join(dir, 'build.lock'),
    failed: path.join(dir, 'scheme-http.failed.json'),
    log: path.join(dir, 'build.log'),
  };
}

/**
 * The user's cache directory for the snapshot of the package at ROOT (a real path), or null
 * without HOME. bin/scheme-http computes the same path: keep the two in step.
 */
export function cacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is to be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : env.HOME ? path.join(env.HOME, '.cache') : null;
  return base === null ? null : path.join(base, 'scheme-http', 'v2', root);
}

/** Where the launchers look for a blob, in order: SCHEME_HTTP_SNAPSHOT_DIR alone when set. */
export function snapshotDirs(root: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.SCHEME_HTTP_SNAPSHOT_DIR) return [path.resolve(env.SCHEME_HTTP_SNAPSHOT_DIR)];
  const cache = cacheDir(root, env);
  return [path.join(root, 'dist', 'snapshot'), ...(cache === null ? [] : [cache])];
}

export interface RuntimeIdentity {
  node: string;
  v8: string;
  arch: string;
  platform: string;
  execPath: string;
}

export interface Stamp extends RuntimeIdentity {
  format: number;
  /** Absolute paths of the files fingerprinted: the node binary, the blob, then every input. */
  files: string[];
  /** `fingerprint(files)` once the blob was in place. */
  fingerprint: string;
}

/** The node running now, as far as a blob cares. */
export function runtimeIdentity(): RuntimeIdentity {
  return {
    node: process.version,
    v8: process.versions.v8,
    arch: process.arch,
    platform: process.platform,
    execPath: process.execPath,
  };
}

/**
 * One line per file: device, inode, size and change time (s.ns), as GNU `stat -L -c '%d %i %s
 * %.9Z'` prints them. The change time moves whenever a file is written or replaced, and no tool
 * sets it back (npm gives every installed file the same modification time, so that would not do).
 * Throws if a file cannot be stat'ed.
 */
export function fingerprint(files: readonly string[]): string {
  return files
    .map((f) => {
      const s = fs.statSync(f, { bigint: true });
      const ns = s.ctimeNs % 1_000_000_000n;
      return `${s.dev} ${s.ino} ${s.size} ${s.ctimeNs / 1_000_000_000n}.${ns.toString().padStart(9, '0')}`;
    })
    .join('\n');
}

export type SnapshotCheck = { ok: true; blob: string } | { ok: false; reason: string };

/** Whether the blob in FILES may be used by the node running now. */
export function checkSnapshot(files: SnapshotFiles): SnapshotCheck {
  let stamp: Stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(files.stamp, 'utf8')) as Stamp;
  } catch {
    return { ok: false, reason: `no snapshot stamp at ${files.stamp}` };
  }
  if (stamp.format !== STAMP_FORMAT) return { ok: false, reason: `stamp format ${stamp.format}, expected ${STAMP_FORMAT}` };
  const now = runtimeIdentity();
  for (const k of Object.keys(now) as Array<keyof RuntimeIdentity>) {
    if (stamp[k] !== now[k]) return { ok: false, reason: `built by ${k} ${stamp[k]}, running ${now[k]}` };
  }
  if (stamp.files[1] !== files.blob) return { ok: false, reason: `the stamp is for the blob ${stamp.files[1]}` };
  let now2: string;
  try {
    now2 = fingerprint(stamp.files);
  } catch (e) {
    return { ok: false, reason: `a file it was built from is gone: ${(e as Error).message}` };
  }
  if (now2 !== stamp.fingerprint) {
    const was = stamp.fingerprint.split('\n');
    const changed = now2.split('\n').findIndex((line, i) => line !== was[i]);
    return { ok: false, reason: `${stamp.files[changed] ?? 'a file'} changed since it was built` };
  }
  return { ok: true, blob: files.blob };
}

/** Single-quoted for sh. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The stamp as sh that bin/scheme-http sources: the fingerprint expected, and a function that
 * takes it now with `stat`, given the node binary found on PATH (the first file).
 */
export function shStampText(stamp: Stamp): string {
  const files = stamp.files.slice(1).map(shQuote).join(' ');
  return [
    '# The start-up snapshot stamp for bin/scheme-http, written by scripts/build-snapshot.mjs.',
    `scheme_http_expected=${shQuote(stamp.fingerprint)}`,
    `scheme_http_fingerprint() { stat -L -c '%d %i %s %.9Z' -- "$1" ${files}; }`,
    '',
  ].join('\n');
}

/**
 * What a failed first-run build is remembered for (scripts/build-snapshot.mjs writes it, the
 * launcher compares): the node binary and the package's files as they are now.
 */
export function retryKey(root: string): string {
  try {
    return fingerprint([process.execPath, path.join(root, 'package.json'), path.join(root, 'dist', 'snapshot', 'entry.js')]);
  } catch {
    return '';
  }
}
