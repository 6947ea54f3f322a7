/**
 * createServer's options are checked when the server is made: a bad one throws an
 * HttpServerError (code `bad-option`) naming it, instead of Node's RangeError at start(); a
 * listen failure (port in use, an address this machine does not have) rejects start() with an
 * HttpServerError whose code says which. Real sockets on 127.0.0.1.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServer, HttpServerError, HttpUsageError } from '../../../src/http/index.js';

/** The error F throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('createServer options', () => {
  it('refuses a bad option at once, naming it and what it must be', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ port: -1 }, 'port', /^createServer: port must be an integer from 0 to 65535 \(0 picks a free port\), got -1$/],
      [{ port: 65536 }, 'port', /got 65536/],
      [{ port: 80.5 }, 'port', /got 80.5/],
      [{ port: '80' }, 'port', /got "80"/],
      [{ backlog: -5 }, 'backlog', /backlog must be a non-negative integer/],
      [{ serverName: 'x\r\nSet-Cookie: a=b' }, 'serverName', /without control characters/],
      [{ host: '' }, 'host', /host must be an address/],
      [{ debug: 'yes' }, 'debug', /debug must be true, false or a function/],
      [{ init: 5 }, 'init', /init must be a function or null/],
      [{ config: {} }, 'config', /config must be a ServerConfig, got an object/],
      [{ workers: 0 }, 'workers', /workers must be an integer of at least 1, got 0/],
      [{ drainTimeout: -1 }, 'drainTimeout', /drainTimeout must be a finite number/],
      [{ descriptorReserve: 1.5 }, 'descriptorReserve', /non-negative integer/],
    ];
    for (const [options, option, message] of cases) {
      const e = thrown(() => createServer(options as never));
      expect(e, option).toBeInstanceOf(HttpServerError);
      expect(e).toBeInstanceOf(HttpUsageError);
      expect((e as HttpServerError).code).toBe('bad-option');
      expect((e as HttpServerError).option).toBe(option);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('takes good options as before', async () => {
    const s = createServer({ port: 0, host: '127.0.0.1', backlog: 0, serverName: 'mine', debug: false, init: null, tls: null, workers: 1, drainTimeout: 0 });
    await s.start();
    expect(s.port).toBeGreaterThan(0);
    await s.stop();
  });

  it('a port in use rejects start() with code address-in-use and a message saying what to do', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const s = createServer({ port, host: '127.0.0.1' });
      const e = await s.start().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(HttpServerError);
      expect((e as HttpServerError).code).toBe('address-in-use');
      expect((e as Error).message).toBe(`cannot listen on 127.0.0.1:${port}: the address is in use: another server listens there; stop it, or pick another port (0 picks a free one) (EADDRINUSE)`);
      expect(((e as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
      await s.stop();
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });

  it('an address this machine does not have rejects start() with code address-not-available', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it; binding sends nothing.
    const s = createServer({ port: 0, host: '192.0.2.1' });
    const e = await s.start().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(HttpServerError);
    expect((e as HttpServerError).code).toBe('address-not-available');
    expect((e as Error).message).toMatch(/^cannot listen on 192\.0\.2\.1:0: the address is not one of this machine's/);
    await s.stop();
  });

  it('an error of init is passed on as it is', async () => {
    const boom = new Error('init failed');
    const s = createServer({ port: 0, host: '127.0.0.1', init: () => { throw boom; } });
    await expect(s.start()).rejects.toBe(boom);
  });
});
