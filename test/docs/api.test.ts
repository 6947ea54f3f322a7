/**
 * The TypeScript API reference builds cleanly: typedoc (typedoc.json, from src/http/index.ts)
 * with invalid-link validation and every warning an error, into a temporary directory. A broken
 * `{@link}` in a doc comment, or a type the API uses but does not export (beyond those listed in
 * typedoc.json's intentionallyNotExported), fails here.
 *
 * typedoc runs from docs/typedoc/ (its own TypeScript 6: typedoc 0.28 does not support the
 * TypeScript 7 the project builds with); skipErrorChecking in typedoc.json leaves type errors to
 * tsc, which keeps this well under a minute.
 */
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../cli/child.js';

const TYPEDOC = path.join(ROOT, 'docs', 'typedoc', 'node_modules', 'typedoc', 'bin', 'typedoc');
const LIMIT_MS = 55_000;

describe('the API reference', () => {
  it('builds with no broken link and no warning', async () => {
    expect(fs.existsSync(TYPEDOC), 'typedoc is missing: run npm ci').toBe(true);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'scheme-http-api-'));
    try {
      const child = spawn(process.execPath, [TYPEDOC, '--out', out, '--validation.invalidLink', '--treatWarningsAsErrors', '--logLevel', 'Warn'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, LIMIT_MS);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      expect(timedOut, `typedoc took more than ${LIMIT_MS} ms`).toBe(false);
      expect(output.trim(), output).toBe('');
      expect(code, output).toBe(0);
      expect(fs.existsSync(path.join(out, 'index.html'))).toBe(true);
      // The entry points of the API are in it.
      const functions = fs.readdirSync(path.join(out, 'functions'));
      for (const name of ['createServer.html', 'get.html', 'sendRequest.html', 'decodeUrl.html']) expect(functions).toContain(name);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, LIMIT_MS + 5_000);
});
