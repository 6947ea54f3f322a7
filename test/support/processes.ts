/** Helpers for tests that start processes: whether one is still running. */
import fs from 'node:fs';

/** True while PID is a live process (a zombie counts as gone: it has exited, only unreaped). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
