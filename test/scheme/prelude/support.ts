/** Shared by the prelude suites: every check of a batch passed, and a free port on 127.0.0.1. */
import net from 'node:net';
import { expect } from 'vitest';
import type { CheckResult } from '../../support/scheme.js';

/** Every check passed, and there were exactly COUNT of them (none skipped by an early raise). */
export function expectAll(results: CheckResult[], count: number): void {
  expect(results.filter((r) => !r.ok)).toEqual([]);
  expect(results).toHaveLength(count);
}

/** A port nothing listens on right now (the OS's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
