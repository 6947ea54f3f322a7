/**
 * The process's open-file limit (RLIMIT_NOFILE): reading it, raising the soft limit to the hard
 * one, and counting the descriptors open now. Linux only (/proc); elsewhere every function
 * answers null and the server does without.
 *
 * Raising: Node has no setrlimit, but node itself already raises the soft limit to the hard one
 * as it starts (src/node.cc, PlatformInit, "Raise the open file descriptor limit"; measured: under
 * `ulimit -Sn 1024` with a hard limit of 20000, /proc/self/limits shows 20000 for both in node).
 * So normally there is nothing left to do. When the soft limit is below the hard one anyway (an
 * embedder that turned that off, or a limit lowered from outside with prlimit), util-linux's
 * `prlimit --pid OUR_PID` sets it for us: prlimit(2) on a process of the same user may raise its
 * soft limit up to the hard one. That costs a process spawn (a few ms), paid only in that case.
 * No process can raise its own hard limit without privileges; that stays with whoever starts it
 * (`ulimit -Hn`, systemd's LimitNOFILE=).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface DescriptorLimit {
  /** The limit enforced now; Infinity for "unlimited". */
  soft: number;
  /** The most the soft limit may be raised to without privileges. */
  hard: number;
}

/** RLIMIT_NOFILE of this process, or null where /proc/self/limits cannot be read. */
export function readDescriptorLimit(): DescriptorLimit | null {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return null;
  }
  // "Max open files            1024                 524288               files"
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (m === null) return null;
  const value = (s: string): number => (s === 'unlimited' ? Infinity : Number(s));
  const soft = value(m[1]!);
  const hard = value(m[2]!);
  return Number.isNaN(soft) || Number.isNaN(hard) ? null : { soft, hard };
}

let raised: DescriptorLimit | null | undefined;

/**
 * Raises the soft open-file limit to the hard one where it is lower, once per process, and
 * returns the limit now in force (null where it cannot be read). Never throws: a server that
 * cannot raise its limit still serves, with fewer connections.
 */
export function raiseDescriptorLimit(): DescriptorLimit | null {
  if (raised !== undefined) return raised;
  let limit = readDescriptorLimit();
  if (limit !== null && limit.soft < limit.hard) {
    const target = Number.isFinite(limit.hard) ? String(limit.hard) : 'unlimited';
    try {
      spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${target}`], { stdio: 'ignore', timeout: 2000 });
    } catch {
      // prlimit missing or refused: keep the soft limit we have.
    }
    limit = readDescriptorLimit() ?? limit;
  }
  raised = limit;
  return limit;
}

/**
 * How many descriptors this process has open now, or null if that cannot be counted (not
 * Linux, or no descriptor free even to list them). Costs a directory read of /proc/self/fd:
 * about a millisecond per 10,000 descriptors, so it is called rarely.
 */
export function countOpenDescriptors(): number | null {
  try {
    // The listing itself holds one descriptor, which is gone again when it returns.
    return fs.readdirSync('/proc/self/fd').length - 1;
  } catch {
    return null;
  }
}
