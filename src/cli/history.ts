/**
 * The REPL's line history across sessions: ~/.scheme_http_history ($HOME respected), one line
 * per entry, oldest first (as a shell's history file), at most HISTORY_SIZE entries. Only a
 * REPL on a terminal keeps it; piped input is never written there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HISTORY_FILE_NAME = '.scheme_http_history';
/** Entries kept, in memory and in the file. */
export const HISTORY_SIZE = 1000;

/** The history file's path, from $HOME (os.homedir() reads it) at the time of the call. */
export function historyPath(): string {
  return path.join(os.homedir(), HISTORY_FILE_NAME);
}

/** The entries saved in FILE, newest first (as readline holds them); none when there is no file. */
export function loadHistory(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_SIZE).reverse();
}

/**
 * Saves ENTRIES (newest first) to FILE, readable by its owner only (it holds what was typed).
 * Returns null, or why it could not be written (the REPL says so once, and goes on).
 */
export function saveHistory(file: string, entries: readonly string[]): string | null {
  const lines = entries.slice(0, HISTORY_SIZE).filter((l) => !l.includes('\n')).reverse();
  try {
    fs.writeFileSync(file, lines.length === 0 ? '' : `${lines.join('\n')}\n`, { mode: 0o600 });
    return null;
  } catch (e) {
    return `the REPL history cannot be saved in ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}
