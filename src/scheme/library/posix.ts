/**
 * CHICKEN 3's posix unit, the part a server program uses: the environment, the process
 * (`system`, `sleep`, ids, host name), files and directories, the current directory, and
 * seconds and CHICKEN's 10-element time vectors (`seconds->local-time`, `time->string` …).
 *
 * File names are byte strings: they are decoded as UTF-8 for Node, and names Node gives back
 * are encoded again. A failing system call raises CHICKEN's `(exn i/o file)` condition with the
 * system's message (`cannot delete file - No such file or directory`). `system` and `sleep`
 * return Promises, so the calling Scheme code waits without blocking other connections.
 * `current-seconds` and `current-milliseconds` are control.ts's.
 */
import fs from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import type { Engine } from '../compiler/index.js';
import { Pair, arrayToList, bytesToText, numberValue, stringValue, textToBytes } from '../runtime/data.js';
import { SchemeError, typeError } from '../runtime/errors.js';
import { defineProcedures } from './define.js';

/** strerror(3)'s text for the errno codes file operations give. */
const SYSTEM_MESSAGES: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EMFILE: 'Too many open files',
};

/** The system's message for a failed Node call, as strerror gives it. */
export function systemMessage(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? SYSTEM_MESSAGES[code] : undefined) ?? (e as Error).message;
}

/** CHICKEN's `(exn i/o file)`: "WHAT - system message". */
function fileError(e: unknown, what: string, args: unknown[], who: string): SchemeError {
  return new SchemeError(['exn', 'i/o', 'file'], `${what} - ${systemMessage(e)}`, args, who);
}

function str(x: unknown, who: string): string {
  const s = stringValue(x);
  if (s === null) throw typeError(who, x, 'string');
  return s;
}

/** A file name argument, as Node wants it. */
function fileName(x: unknown, who: string): string {
  return bytesToText(str(x, who));
}

function fixnum(x: unknown, who: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw typeError(who, x, 'fixnum');
  return x;
}

/** Seconds since the epoch: an integer, or an integral flonum (CHICKEN 3's seconds were flonums). */
function seconds(x: unknown, who: string): number {
  if (x === undefined) return Math.floor(Date.now() / 1000);
  const n = numberValue(x);
  if (n === null || !Number.isFinite(n)) throw new SchemeError(['exn', 'type'], 'bad argument type - not an integer', [x], who);
  return Math.floor(n);
}

/** Runs F, turning a failed system call into CHICKEN's condition. */
function fileCall<T>(what: string, args: unknown[], who: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw fileError(e, what, args, who);
  }
}

/** The stat of NAME (following links), or null when there is nothing there. */
function statOrNull(name: string): fs.Stats | null {
  try {
    return fs.statSync(name);
  } catch {
    return null;
  }
}

// ---- the environment ------------------------------------------------------------------------

function getenv(name: unknown, who: string): unknown {
  // csi names no location for this one.
  const s = stringValue(name);
  if (s === null) throw new SchemeError(['exn', 'type'], 'bad argument type - not a string', [name]);
  const v = process.env[bytesToText(s)];
  return v === undefined ? false : textToBytes(v);
}

function setenv(name: unknown, value: unknown, who: string): void {
  const n = bytesToText(str(name, who));
  process.env[n] = bytesToText(str(value, who));
}

function unsetenv(name: unknown, who: string): void {
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the environment is a map of names
  delete process.env[bytesToText(str(name, who))];
}

function environmentAlist(): unknown {
  const pairs = Object.entries(process.env).map(([k, v]) => new Pair(textToBytes(k), textToBytes(v ?? '')));
  return arrayToList(pairs);
}

// ---- the process ----------------------------------------------------------------------------

/** `system`: /bin/sh -c COMMAND; the wait status as waitpid gives it (exit code × 256, or the signal). */
function system(command: unknown): Promise<number> {
  const cmd = bytesToText(str(command, 'system'));
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: 'inherit' });
    child.once('error', (e) => reject(new SchemeError(['exn', 'i/o', 'process'], `cannot execute process - ${systemMessage(e)}`, [command], 'system')));
    child.once('exit', (code, signal) => {
      if (code !== null) resolve(code * 256);
      else resolve(signal === null ? 0 : os.constants.signals[signal] ?? 0);
    });
  });
}

/** `sleep`: suspends the caller only; CHICKEN 3 returns the seconds left (0: slept fully). */
function sleep(secs: unknown): Promise<number> {
  const n = fixnum(secs, 'sleep');
  return new Promise((resolve) => setTimeout(() => resolve(0), Math.max(0, n) * 1000));
}

// ---- files and directories ------------------------------------------------------------------

function directoryList(dir: unknown, dotfiles: unknown): unknown {
  const name = dir === undefined || dir === false ? process.cwd() : fileName(dir, 'directory');
  const shown = dotfiles !== undefined && dotfiles !== false;
  const entries = fileCall('cannot open directory', [dir ?? textToBytes(process.cwd())], 'directory', () => fs.readdirSync(name));
  // As csi: "." and ".." are never listed; other dotfiles only when asked for.
  return arrayToList(entries.filter((e) => shown || !e.startsWith('.')).map(textToBytes));
}

function createDirectory(dir: unknown, parents: unknown): unknown {
  const name = fileName(dir, 'create-directory');
  const recursive = parents !== undefined && parents !== false;
  // As csi: a directory that is there already is no error.
  if (statOrNull(name)?.isDirectory() === true) return dir;
  fileCall('cannot create directory', [dir], 'create-directory', () => fs.mkdirSync(name, { recursive }));
  return dir;
}

function deleteDirectory(dir: unknown, recursive: unknown): void {
  const name = fileName(dir, 'delete-directory');
  const all = recursive !== undefined && recursive !== false;
  fileCall('cannot delete directory', [dir], 'delete-directory', () => (all ? fs.rmSync(name, { recursive: true }) : fs.rmdirSync(name)));
}

/**
 * A stat field of FILE, raising "cannot access file" as CHICKEN does. FILE is a file name or,
 * as in CHICKEN, a file descriptor.
 */
function statField<T>(file: unknown, who: string, get: (s: fs.Stats) => T): T {
  if (typeof file === 'number' && Number.isInteger(file)) return get(fileCall('cannot access file', [file], who, () => fs.fstatSync(file)));
  const s = stringValue(file);
  if (s === null) throw new SchemeError(['exn', 'type'], 'bad argument type - not a fixnum, port or string', [file], who);
  const name = bytesToText(s);
  return get(fileCall('cannot access file', [file], who, () => fs.statSync(name)));
}

function currentDirectory(dir: unknown): unknown {
  // CHICKEN 3: with an argument it changes the directory.
  if (dir !== undefined) return changeDirectory(dir, 'current-directory');
  return textToBytes(process.cwd());
}

function changeDirectory(dir: unknown, who: string): unknown {
  const name = fileName(dir, who);
  fileCall('cannot change current directory', [dir], who, () => process.chdir(name));
  return dir;
}

// ---- time -----------------------------------------------------------------------------------

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** CHICKEN's time vector: #(sec min hour mday month year-1900 wday yday dst? tz-offset). */
interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  wday: number;
  yday: number;
  dst: boolean;
  /** Seconds west of UTC (C's `timezone`). */
  offset: number;
}

function dayOfYear(y: number, m: number, d: number): number {
  return Math.round((Date.UTC(y, m, d) - Date.UTC(y, 0, 1)) / 86_400_000);
}

function utcTm(secs: number): Tm {
  const d = new Date(secs * 1000);
  const y = d.getUTCFullYear();
  return {
    sec: d.getUTCSeconds(), min: d.getUTCMinutes(), hour: d.getUTCHours(), mday: d.getUTCDate(), mon: d.getUTCMonth(),
    year: y - 1900, wday: d.getUTCDay(), yday: dayOfYear(y, d.getUTCMonth(), d.getUTCDate()), dst: false, offset: 0,
  };
}

function localTm(secs: number): Tm {
  const d = new Date(secs * 1000);
  const y = d.getFullYear();
  const offset = d.getTimezoneOffset();
  // Daylight saving: the offset is smaller than the zone's standard (larger of January's and July's).
  const standard = Math.max(new Date(y, 0, 1).getTimezoneOffset(), new Date(y, 6, 1).getTimezoneOffset());
  return {
    sec: d.getSeconds(), min: d.getMinutes(), hour: d.getHours(), mday: d.getDate(), mon: d.getMonth(),
    year: y - 1900, wday: d.getDay(), yday: dayOfYear(y, d.getMonth(), d.getDate()), dst: offset < standard, offset: offset * 60,
  };
}

function tmVector(t: Tm): unknown[] {
  return [t.sec, t.min, t.hour, t.mday, t.mon, t.year, t.wday, t.yday, t.dst, t.offset];
}

/** A time vector argument. */
function tmOf(v: unknown, who: string): Tm {
  if (!Array.isArray(v)) throw typeError(who, v, 'vector');
  if (v.length < 10) throw new SchemeError(['exn', 'type'], 'time vector too short', [v], who);
  const n = (i: number): number => {
    const x = numberValue(v[i]);
    if (x === null) throw typeError(who, v[i], 'fixnum');
    return Math.trunc(x);
  };
  return {
    sec: n(0), min: n(1), hour: n(2), mday: n(3), mon: n(4), year: n(5), wday: n(6), yday: n(7),
    dst: v[8] !== false, offset: numberValue(v[9]) ?? 0,
  };
}

const pad = (n: number, w = 2, c = '0'): string => String(n).padStart(w, c);

/** The zone's abbreviation for a time vector: the local zone's when its offset is local. */
function zoneName(t: Tm): string {
  if (t.offset === 0 && !t.dst) return 'UTC';
  const d = new Date(Date.UTC(t.year + 1900, t.mon, t.mday, t.hour, t.min, t.sec) + t.offset * 1000);
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value ?? '';
}

/** One strftime conversion of T (C locale). */
function conversion(c: string, t: Tm): string {
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const year = t.year + 1900;
  switch (c) {
    case 'a': return DAYS[t.wday]?.slice(0, 3) ?? '?';
    case 'A': return DAYS[t.wday] ?? '?';
    case 'b': case 'h': return MONTHS[t.mon]?.slice(0, 3) ?? '?';
    case 'B': return MONTHS[t.mon] ?? '?';
    case 'c': return strftime('%a %b %e %H:%M:%S %Y', t);
    case 'C': return pad(Math.floor(year / 100));
    case 'd': return pad(t.mday);
    case 'D': return strftime('%m/%d/%y', t);
    case 'e': return pad(t.mday, 2, ' ');
    case 'F': return strftime('%Y-%m-%d', t);
    case 'H': return pad(t.hour);
    case 'I': return pad(h12);
    case 'j': return pad(t.yday + 1, 3);
    case 'k': return pad(t.hour, 2, ' ');
    case 'l': return pad(h12, 2, ' ');
    case 'm': return pad(t.mon + 1);
    case 'M': return pad(t.min);
    case 'n': return '\n';
    case 'p': return t.hour < 12 ? 'AM' : 'PM';
    case 'r': return strftime('%I:%M:%S %p', t);
    case 'R': return strftime('%H:%M', t);
    case 's': return String(Math.floor(Date.UTC(year, t.mon, t.mday, t.hour, t.min, t.sec) / 1000) + t.offset);
    case 'S': return pad(t.sec);
    case 't': return '\t';
    case 'T': return strftime('%H:%M:%S', t);
    case 'u': return String(t.wday === 0 ? 7 : t.wday);
    case 'w': return String(t.wday);
    case 'x': return strftime('%m/%d/%y', t);
    case 'X': return strftime('%H:%M:%S', t);
    case 'y': return pad(year % 100);
    case 'Y': return String(year);
    case 'z': {
      const east = -t.offset;
      const a = Math.abs(east);
      return `${east < 0 ? '-' : '+'}${pad(Math.floor(a / 3600))}${pad(Math.floor(a / 60) % 60)}`;
    }
    case 'Z': return zoneName(t);
    case '%': return '%';
    default: return `%${c}`;
  }
}

/** strftime(3) in the C locale, over the fields of T. */
function strftime(fmt: string, t: Tm): string {
  return fmt.replace(/%(.)/gs, (_m, c: string) => conversion(c, t));
}

/** asctime(3) without its newline: "Thu Jan  1 00:00:00 1970". */
function asctime(t: Tm): string {
  return strftime('%a %b %e %H:%M:%S %Y', t);
}

function timeToString(v: unknown, fmt: unknown): string {
  const t = tmOf(v, 'time->string');
  if (fmt === undefined || fmt === false) return asctime(t);
  return textToBytes(strftime(bytesToText(str(fmt, 'time->string')), t));
}

function localTimeToSeconds(v: unknown): number {
  const t = tmOf(v, 'local-time->seconds');
  // mktime: the fields are local time (normalised, as mktime does, by Date).
  return Math.floor(new Date(t.year + 1900, t.mon, t.mday, t.hour, t.min, t.sec).getTime() / 1000);
}

function utcTimeToSeconds(v: unknown): number {
  const t = tmOf(v, 'utc-time->seconds');
  return Math.floor(Date.UTC(t.year + 1900, t.mon, t.mday, t.hour, t.min, t.sec) / 1000);
}

// ---------------------------------------------------------------------------------------------

export function installPosix(engine: Engine): void {
  defineProcedures(engine, {
    getenv: [(n: unknown) => getenv(n, 'getenv'), 1, 1],
    'get-environment-variable': [(n: unknown) => getenv(n, 'get-environment-variable'), 1, 1],
    setenv: [(n: unknown, v: unknown) => setenv(n, v, 'setenv'), 2, 2],
    'set-environment-variable!': [(n: unknown, v: unknown) => setenv(n, v, 'set-environment-variable!'), 2, 2],
    unsetenv: [(n: unknown) => unsetenv(n, 'unsetenv'), 1, 1],
    'unset-environment-variable!': [(n: unknown) => unsetenv(n, 'unset-environment-variable!'), 1, 1],
    'get-environment-variables': [() => environmentAlist(), 0, 0],
    'current-process-id': [() => process.pid, 0, 0],
    'current-user-id': [() => process.getuid?.() ?? 0, 0, 0],
    'current-effective-user-id': [() => process.geteuid?.() ?? 0, 0, 0],
    'current-group-id': [() => process.getgid?.() ?? 0, 0, 0],
    'get-host-name': [() => textToBytes(os.hostname()), 0, 0],
    system: [system, 1, 1],
    sleep: [sleep, 1, 1],
    'file-exists?': [(f: unknown) => (statOrNull(fileName(f, 'file-exists?')) === null ? false : f), 1, 1],
    'directory?': [(f: unknown) => statOrNull(fileName(f, 'directory?'))?.isDirectory() ?? false, 1, 1],
    'regular-file?': [(f: unknown) => statOrNull(fileName(f, 'regular-file?'))?.isFile() ?? false, 1, 1],
    'symbolic-link?': [(f: unknown) => {
      const name = fileName(f, 'symbolic-link?');
      try {
        return fs.lstatSync(name).isSymbolicLink();
      } catch {
        return false;
      }
    }, 1, 1],
    directory: [directoryList, 0, 2],
    'create-directory': [createDirectory, 1, 2],
    'delete-directory': [deleteDirectory, 1, 2],
    'delete-file': [(f: unknown) => {
      const name = fileName(f, 'delete-file');
      fileCall('cannot delete file', [f], 'delete-file', () => fs.unlinkSync(name));
      return f;
    }, 1, 1],
    'rename-file': [(from: unknown, to: unknown) => {
      const a = fileName(from, 'rename-file');
      const b = fileName(to, 'rename-file');
      fileCall('cannot rename file', [from, to], 'rename-file', () => fs.renameSync(a, b));
      return to;
    }, 2, 2],
    'file-size': [(f: unknown) => statField(f, 'file-size', (s) => s.size), 1, 1],
    'file-modification-time': [(f: unknown) => statField(f, 'file-modification-time', (s) => Math.floor(s.mtimeMs / 1000)), 1, 1],
    'file-access-time': [(f: unknown) => statField(f, 'file-access-time', (s) => Math.floor(s.atimeMs / 1000)), 1, 1],
    'file-change-time': [(f: unknown) => statField(f, 'file-change-time', (s) => Math.floor(s.ctimeMs / 1000)), 1, 1],
    'current-directory': [currentDirectory, 0, 1],
    'change-directory': [(d: unknown) => changeDirectory(d, 'change-directory'), 1, 1],
    'seconds->local-time': [(s?: unknown) => tmVector(localTm(seconds(s, 'seconds->local-time'))), 0, 1],
    'seconds->utc-time': [(s?: unknown) => tmVector(utcTm(seconds(s, 'seconds->utc-time'))), 0, 1],
    'seconds->string': [(s?: unknown) => asctime(localTm(seconds(s, 'seconds->string'))), 0, 1],
    'local-time->seconds': [localTimeToSeconds, 1, 1],
    'utc-time->seconds': [utcTimeToSeconds, 1, 1],
    'time->string': [timeToString, 1, 2],
  });
}
