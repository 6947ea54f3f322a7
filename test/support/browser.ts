/**
 * Test support: a real headless Chromium (Debian's `chromium` package) that loads a page from a
 * loopback server and prints the DOM once the page's scripts have run (`--dump-dom`). Each run
 * has its own temporary profile (also its HOME), removed afterwards; the browser runs in its own
 * process group, killed by that group's id if it outlives its time limit or the test file, and
 * its crash handler (which leaves the group) is ended by PID.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';

/** Set to 1 to skip the browser tests on a machine without Chromium (CI installs it: .ci/run). */
export const NO_BROWSER = process.env.SCHEME_HTTP_NO_BROWSER === '1';

/** The names Chromium goes by on Debian and Ubuntu, looked up on PATH in this order. */
const NAMES = ['chromium', 'chromium-browser'];

/** The Chromium executable on PATH, or null. */
export function findChromium(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here; try the next directory
      }
    }
  }
  return null;
}

/** The message a run without Chromium fails with: what to install, and how to opt out. */
export const MISSING_CHROMIUM =
  'Chromium is not installed, so the browser test cannot run. Install it with ' +
  '`apt-get install chromium` (Debian/Ubuntu; .ci/run does this in CI), ' +
  'or set SCHEME_HTTP_NO_BROWSER=1 to skip the browser tests on this machine.';

/**
 * Flags that keep the browser headless, quiet and on loopback: no sandbox (CI runs as root), no
 * GPU, no first-run or background traffic (component updates, sync, metrics), and every host
 * name but 127.0.0.1 made unresolvable, so nothing the browser does can leave the machine.
 */
function flags(profile: string): string[] {
  return [
    '--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--no-first-run',
    '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-default-apps', '--disable-extensions', '--disable-domain-reliability',
    '--disable-client-side-phishing-detection', '--metrics-recording-only', '--disable-dev-shm-usage',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ];
}

/** Browsers started and not yet known to have exited: `killBrowsers` ends them. */
const running = new Set<ChildProcess>();

/** Kills the process group of CHILD (the browser and its helpers), ignoring one already gone. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group has already exited
  }
}

/** Ends every browser this module started that is still running (for afterAll). */
export function killBrowsers(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

/**
 * PIDs of live processes whose command line names PROFILE. Chromium's crash handler starts its
 * own session (so the group kill misses it) but keeps its database under the profile's HOME, so
 * this finds the helpers of one run and nothing else. Linux only (/proc), as Debian's chromium is.
 */
function helpersOf(profile: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^\S+ \(.*\) (\S)/.exec(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (cmdline.includes(profile) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // the process has gone meanwhile
    }
  }
  return pids;
}

/** Waits (≤ 2 s) for the helpers of the run using PROFILE to exit, then kills those left by PID. */
async function endHelpers(profile: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (helpersOf(profile).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of helpersOf(profile)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited just now
    }
  }
}

export interface DumpResult {
  /** The DOM Chromium printed (serialised HTML). */
  dom: string;
  /** What it wrote on stderr, for failure messages. */
  stderr: string;
  /** Its exit status (null when it was killed). */
  code: number | null;
}

/**
 * Loads URL in headless Chromium and returns the DOM it prints. `budgetMs` is the virtual time the
 * page's scripts get (Chromium waits for pending fetches within it); `timeoutMs` bounds the whole
 * run in real time, after which the browser's process group is killed.
 */
export async function dumpDom(chromium: string, url: string, opts: { budgetMs?: number; timeoutMs?: number } = {}): Promise<DumpResult> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-chromium-'));
  try {
    const args = [...flags(profile), `--virtual-time-budget=${opts.budgetMs ?? 5000}`, '--dump-dom', url];
    // detached: its own process group, so the renderer and other helpers die with it.
    // HOME and the XDG directories inside the profile: the crash handler's database and any cache
    // Chromium keeps outside --user-data-dir land there too, and are removed with it.
    const env = { ...process.env, HOME: profile, XDG_CONFIG_HOME: path.join(profile, '.config'), XDG_CACHE_HOME: path.join(profile, '.cache') };
    const child = spawn(chromium, args, { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let dom = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { dom += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new Error(`chromium did not finish loading ${url} within ${opts.timeoutMs ?? 30_000} ms; stderr:\n${stderr}`));
      }, opts.timeoutMs ?? 30_000);
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('close', (c) => { clearTimeout(timer); resolve(c); });
    });
    // Helpers (zygote, crashpad) can outlive the main process by a moment: end the group.
    killGroup(child);
    running.delete(child);
    return { dom, stderr, code };
  } finally {
    await endHelpers(profile);
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
