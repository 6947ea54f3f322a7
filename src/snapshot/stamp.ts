/**
 * Where the start-up snapshot lives and whether it may be used. A blob runs only with the node
 * binary that built it and holds the code and Scheme sources it was built from, so its stamp
 * records both: the launcher (bin/scheme-http.js) uses the blob only when the running node is
 * the one that built it and every input still hashes the same, and boots normally otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

/** Bumped when the stamp's shape or what the blob expects of the launcher changes. */
export const STAMP_FORMAT = 1;

/**
 * Environment variables our modules read once, as they load: in a snapshot they keep the value
 * they had at build time, so the launcher boots normally when one is set.
 */
export const FROZEN_ENV = ['SCHEME_HTTP_TRACE_COMPILE', 'SCHEME_HTTP_COMPILE'];

/** Set to 0 to never use the snapshot (the launcher boots normally). */
export const SNAPSHOT_ENV = 'SCHEME_HTTP_SNAPSHOT';

export interface SnapshotFiles {
  dir: string;
  blob: string;
  stamp: string;
  /** The bundled entry the blob was built from (kept for inspection; not read at start-up). */
  bundle: string;
}

/** The snapshot's files for the package at ROOT, or in DIR when given. */
export function snapshotFiles(root: string, dir = path.join(root, 'dist', 'snapshot')): SnapshotFiles {
  return {
    dir,
    blob: path.join(dir, 'scheme-http.blob'),
    stamp: path.join(dir, 'scheme-http.stamp.json'),
    bundle: path.join(dir, 'scheme-http.bundle.cjs'),
  };
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
  /** Absolute paths of every file the blob was built from. */
  inputs: string[];
  /** `hashInputs(inputs)` at build time. */
  hash: string;
  blobSize: number;
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

/** SHA-256 over the paths and contents of FILES; throws if one cannot be read. */
export function hashInputs(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    const data = fs.readFileSync(f);
    h.update(`${f}\0${data.length}\0`);
    h.update(data);
  }
  return h.digest('hex');
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
  let size: number;
  try {
    size = fs.statSync(files.blob).size;
  } catch {
    return { ok: false, reason: `no snapshot blob at ${files.blob}` };
  }
  if (size !== stamp.blobSize) return { ok: false, reason: `blob is ${size} bytes, the stamp says ${stamp.blobSize}` };
  let hash: string;
  try {
    hash = hashInputs(stamp.inputs);
  } catch (e) {
    return { ok: false, reason: `an input is gone: ${(e as Error).message}` };
  }
  if (hash !== stamp.hash) return { ok: false, reason: 'its inputs changed since it was built' };
  return { ok: true, blob: files.blob };
}
