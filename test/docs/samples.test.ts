/**
 * Every fenced code sample of README.md and docs/*.md, run, so the documentation cannot drift
 * from the code:
 *
 * - ```scheme: a REPL transcript (lines starting `#;> `) is evaluated form by form and each
 *   form's printed output and values (as the REPL prints them) compared with the lines after it;
 *   any other block is a program, evaluated whole, its standard output compared with the ```text
 *   block that follows it, if any. Both run in this process's Scheme runtime (the one the
 *   `scheme-http` command uses). A port given to `http:make-server` is replaced by a free one
 *   throughout the sample, and the servers a sample starts are stopped after it. Samples run in
 *   order in one runtime, so a definition (reference.md's `start-server`) serves those after it.
 *   A transcript's forms are evaluated 100 ms apart, as typed: a server started in a thread by
 *   one form is listening when the next one asks it.
 * - ```ts: complete programs, type-checked together by tsc, then run with tsx in one child
 *   process (`scheme-http` imports point at src/http/index.ts); output compared as above.
 * - ```sh: a block whose commands are all `npx scheme-http -e '…'` runs them through the CLI
 *   (src/cli.ts: dist/ may be stale in a checkout) and compares their output; any other block must
 *   be marked no-run.
 * - ```nginx: checked with `nginx -t` when nginx is installed.
 *
 * `<!-- sample: no-run (REASON) -->` on the line before a fence exempts it from running (Scheme
 * and TS samples are still read/type-checked); the last test lists every exemption with its reason.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { schemeRuntime, type SchemeRuntime } from '../../src/scheme/interpreter.js';
import { valuesOf } from '../../src/scheme/handlers.js';
import { errorText, scanForms } from '../../src/cli.js';
import { ROOT, runCli } from '../cli/child.js';

interface Sample {
  /** Path relative to the repository, and the line of the opening fence (1-based). */
  file: string;
  line: number;
  lang: string;
  code: string;
  /** The ```text block right after the sample: its expected output. */
  expected: string | null;
  /** The reason of a `<!-- sample: no-run (…) -->` marker, or null. */
  noRun: string | null;
}

const FENCE = /^(\s*)(`{3,})([\w-]*)\s*$/;
const NO_RUN = /<!--\s*sample:\s*no-run\s*\((.+)\)\s*-->/;

/** The fenced blocks of one markdown file, with their markers and expected outputs. */
function extractSamples(file: string): Sample[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: Array<Sample & { end: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, ticks, lang] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\\s*${ticks}\\s*$`).test(lines[j]!)) {
      const l = lines[j]!;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
      j++;
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? NO_RUN.exec(lines[k]!) : null;
    blocks.push({ file, line: i + 1, lang, code: body.join('\n'), expected: null, noRun: marker?.[1] ?? null, end: j });
    i = j;
  }
  // A ```text block right after a code block (only blank lines between) is that block's output.
  const samples: Sample[] = [];
  for (let b = 0; b < blocks.length; b++) {
    const s = blocks[b]!;
    const next = blocks[b + 1];
    if (next !== undefined && next.lang === 'text' && s.lang !== 'text'
      && lines.slice(s.end + 1, next.line - 1).every((l) => l.trim() === '')) {
      s.expected = next.code;
      b++;
    }
    samples.push(s);
  }
  return samples;
}

const FILES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const SAMPLES = FILES.flatMap(extractSamples);
const where = (s: Sample): string => `${s.file}:${s.line}`;
const byLang = (lang: string): Sample[] => SAMPLES.filter((s) => s.lang === lang);

/** Output as compared: trailing blanks of each line and trailing blank lines do not count. */
function normalise(text: string): string {
  return text.split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The sample with each port it gives `http:make-server` replaced by a free one. */
async function withFreePorts(code: string, expected: string | null): Promise<{ code: string; expected: string | null }> {
  let c = code;
  let e = expected;
  for (const m of new Set([...code.matchAll(/\((?:http:make-server|start-server) (\d+)/g)].map((x) => x[1]!))) {
    if (m === '0') continue;
    const p = String(await freePort());
    const re = new RegExp(`\\b${m}\\b`, 'g');
    c = c.replace(re, p);
    e = e === null ? null : e.replace(re, p);
  }
  return { code: c, expected: e };
}

// ------------------------------------------------------------------------------------------
// Scheme samples, in this process
// ------------------------------------------------------------------------------------------

/** The runtime the Scheme samples run in (the CLI's), once booted. */
let runtime: SchemeRuntime | null = null;
const realWrite = process.stdout.write.bind(process.stdout);
/** Parameters a sample may set, restored after it. */
const PARAMETERS = ['http:fallback-handler', 'http:error-response-handler', 'http:error-hook', 'http:log-hook',
  'http:startup-hook', 'http:url-transformation', 'http:request-count-limit', 'http:listen-procedure',
  'http:accept-procedure', 'http:get-addresses-procedure', 'http:hard-close-procedure', 'http:handler-time-limit',
  'http:read-line-limit'];
const saved = new Map<string, unknown>();

/** Runs F with standard output captured (what the Scheme ports and console.log write). */
async function captured(f: () => Promise<void>): Promise<string> {
  const parts: Buffer[] = [];
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await f();
  } finally {
    process.stdout.write = realWrite;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** What the REPL prints for a value: each of its values in `write` form, one a line. */
function replValues(r: SchemeRuntime, v: unknown): string {
  if (v === undefined) return '';
  return valuesOf(v).filter((x) => x !== undefined).map((x) => `${r.show(x)}\n`).join('');
}

/** Stops the sample's servers and client connections, and forgets its resources and parameters. */
async function cleanUp(rt: SchemeRuntime): Promise<void> {
  await Promise.all([...rt.servers.running].map((s) => s.stop({ timeout: 500 })));
  await rt.evaluate('(http:close-all-connections!) (http:remove-all-proxies!)');
  rt.servers.config.resources.clear();
  for (const [name, value] of saved) {
    rt.define('%doc-saved', value);
    await rt.evaluate(`(${name} %doc-saved)`);
  }
}

/** A transcript: [form, expected output] for each `#;> ` prompt. */
function transcript(code: string): Array<[string, string]> {
  const steps: Array<[string, string]> = [];
  let form: string | null = null;
  let out: string[] = [];
  const flush = (): void => { if (form !== null) steps.push([form, out.join('\n')]); };
  for (const line of code.split('\n')) {
    if (line.startsWith('#;> ')) {
      flush();
      form = line.slice(4);
      out = [];
    } else if (form !== null && out.length === 0 && scanForms(form).problem?.incomplete === true) {
      form += `\n${line}`;
    } else {
      out.push(line);
    }
  }
  flush();
  return steps;
}

async function runTranscript(rt: SchemeRuntime, code: string): Promise<string> {
  let printed = '';
  for (const [form] of transcript(code)) {
    if (printed !== '') await new Promise((resolve) => setTimeout(resolve, 100));
    printed += `#;> ${form}\n`;
    printed += await captured(async () => {
      try {
        process.stdout.write(replValues(rt, await rt.evaluate(form)));
      } catch (e) {
        process.stdout.write(`Error: ${errorText(e)}\n`);
      }
    });
  }
  return printed;
}

describe('the Scheme samples', () => {
  // Booting the engine takes a few seconds, more on a loaded machine.
  beforeAll(async () => {
    const r = await schemeRuntime([]);
    for (const name of PARAMETERS) saved.set(name, await r.evaluate(`(${name})`));
    runtime = r;
  }, 90_000);
  afterAll(async () => {
    if (runtime !== null) await cleanUp(runtime);
  });

  for (const s of byLang('scheme')) {
    it(`${where(s)} reads`, () => {
      const code = s.code.split('\n').map((l) => l.replace(/^#;> /, '')).join('\n');
      expect(scanForms(code).problem, where(s)).toBeNull();
    });
    if (s.noRun !== null) continue;
    const isTranscript = s.code.split('\n').some((l) => l.startsWith('#;> '));
    it(`${where(s)} runs${isTranscript ? ' as a REPL transcript' : ''}`, async () => {
      if (runtime === null) throw new Error('the Scheme runtime did not start');
      const r = runtime;
      const { code, expected } = await withFreePorts(s.code, s.expected);
      try {
        if (isTranscript) {
          // The transcript is its own expected output: prompts, forms and what each printed.
          expect(normalise(await runTranscript(r, code)), where(s)).toBe(normalise(code));
        } else {
          let failure: unknown = null;
          const out = await captured(async () => {
            try {
              await r.evaluate(code, s.file);
            } catch (e) {
              failure = e;
            }
          });
          if (failure !== null) throw new Error(`${where(s)}: ${errorText(failure)}\noutput so far:\n${out}`);
          if (expected !== null) expect(normalise(out), where(s)).toBe(normalise(expected));
        }
      } finally {
        await cleanUp(r);
      }
    }, 30_000);
  }
});

// ------------------------------------------------------------------------------------------
// TypeScript samples: one tsc run, one tsx child for all
// ------------------------------------------------------------------------------------------

const tsSamples = byLang('ts');

describe('the TypeScript samples', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-doc-samples-'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const index = path.join(ROOT, 'src', 'http', 'index.js');
    tsSamples.forEach((s, i) => {
      const code = s.code.replace(/from '(scheme-http)'/g, `from ${JSON.stringify(index)}`);
      fs.writeFileSync(path.join(dir, `sample${i}.ts`), `// ${where(s)}\n${code}\n`);
    });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      },
      include: ['sample*.ts'],
    }));
  });
  afterAll(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('type-check', () => {
    expect(tsSamples.length).toBeGreaterThan(0);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
      { encoding: 'utf8', timeout: 50_000 });
    const report = `${tsc.stdout}${tsc.stderr}`.replaceAll(dir + path.sep, '');
    expect(report, report).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);

  it('run, each printing what the docs say', async () => {
    const runnable = tsSamples.map((s, i) => ({ s, file: path.join(dir, `sample${i}.ts`) })).filter(({ s }) => s.noRun === null);
    const results = path.join(dir, 'results.json');
    // One process for all: each sample is imported in turn with its output captured.
    fs.writeFileSync(path.join(dir, 'runner.mts'), `
      import fs from 'node:fs';
      const files = ${JSON.stringify(runnable.map((r) => r.file))};
      const results = [];
      const write = process.stdout.write.bind(process.stdout);
      for (const f of files) {
        let out = '';
        let error = null;
        process.stdout.write = (c) => { out += typeof c === 'string' ? c : Buffer.from(c).toString('utf8'); return true; };
        try { await import(f); } catch (e) { error = String(e && e.stack || e); }
        finally { process.stdout.write = write; }
        results.push({ out, error });
      }
      fs.writeFileSync(${JSON.stringify(results)}, JSON.stringify(results));
      process.exit(0);
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'runner.mts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdout.resume();
    const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 50_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(code, stderr).toBe(0);
    const got = JSON.parse(fs.readFileSync(results, 'utf8')) as Array<{ out: string; error: string | null }>;
    runnable.forEach(({ s }, i) => {
      expect(got[i]!.error, where(s)).toBeNull();
      if (s.expected !== null) expect(normalise(got[i]!.out), where(s)).toBe(normalise(s.expected));
    });
  }, 60_000);
});

// ------------------------------------------------------------------------------------------
// Shell samples and configuration files
// ------------------------------------------------------------------------------------------

/** `npx scheme-http -e 'EXPR'` (a trailing `# comment` allowed) → EXPR, else null. */
function evalCommand(line: string): string | null {
  const m = /^npx (?:scheme-http|tsx src\/cli\.ts) -e '([^']*)'\s*(#.*)?$/.exec(line.trim());
  return m === null ? null : m[1]!;
}

describe('the shell samples', () => {
  for (const s of byLang('sh').filter((x) => x.noRun === null)) {
    it(`${where(s)} runs`, async () => {
      const commands = s.code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      const exprs = commands.map(evalCommand);
      expect(exprs.every((e) => e !== null), `${where(s)}: only \`npx scheme-http -e '…'\` commands run; mark the block no-run`).toBe(true);
      let out = '';
      for (const e of exprs) {
        const r = await runCli(['-e', e!], { timeoutMs: 40_000 });
        expect(r.code, `${where(s)}: ${r.stderr}`).toBe(0);
        out += r.stdout;
      }
      if (s.expected !== null) expect(normalise(out), where(s)).toBe(normalise(s.expected));
    }, 60_000);
  }
});

const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).status === 0;

describe('the nginx samples', () => {
  for (const s of byLang('nginx')) {
    it.skipIf(!nginx)(`${where(s)} passes nginx -t`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-doc-nginx-'));
      try {
        fs.mkdirSync(path.join(dir, 'logs'));
        const conf = path.join(dir, 'nginx.conf');
        fs.writeFileSync(conf, s.code);
        // -p: relative paths (logs, pid) stay in the temporary directory.
        const r = spawnSync('nginx', ['-t', '-p', dir, '-e', path.join(dir, 'logs', 'error.log'), '-c', conf], { encoding: 'utf8', timeout: 20_000 });
        expect(r.status, `${where(s)}: ${r.stderr}`).toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** A heading's anchor as GitHub makes it: lowercased, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings (outside code blocks). */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    if (FENCE.test(line)) inFence = !inFence;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (!inFence && h !== null) out.add(slug(h[1]!));
  }
  return out;
}

describe('the links between the pages', () => {
  it('name files that exist and headings that exist', () => {
    const broken: string[] = [];
    for (const file of FILES) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [rel, anchor] = target.split('#') as [string, string | undefined];
        const dest = rel === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), rel));
        if (!fs.existsSync(path.join(ROOT, dest))) { broken.push(`${file}: ${target} (no such file)`); continue; }
        if (anchor !== undefined && dest.endsWith('.md') && !anchors(dest).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the samples not run', () => {
  it('each says why, and every code block is of a known kind', () => {
    const skipped = SAMPLES.filter((s) => s.noRun !== null);
    // Listed for the reader of the test output.
    process.stderr.write(`samples not run (${skipped.length}):\n${skipped.map((s) => `  ${where(s)} ${s.lang}: ${s.noRun}`).join('\n')}\n`);
    for (const s of skipped) expect(s.noRun!.trim().length, `${where(s)}: give a reason`).toBeGreaterThan(10);
    // A block without a language, or of another one, would escape unnoticed: `text` for plain text.
    const known = new Set(['scheme', 'ts', 'sh', 'text', 'nginx']);
    for (const s of SAMPLES) expect(known.has(s.lang), `${where(s)}: sample language "${s.lang}" (use text for plain text)`).toBe(true);
  });
});
