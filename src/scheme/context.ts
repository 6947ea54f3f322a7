/**
 * Which ports are current. Each handler call runs inside `als.run(store, …)` with its own
 * connection's ports, so concurrent handlers never share an output; `parameterize` (and the
 * `with-output-to-*` procedures built on it) rebinds on top of that through LIPS's dynamic
 * environment. Reading the ALS store costs ~0.02 µs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Exchange } from '../http/server/exchange.js';
import type { InPort, OutPort } from './ports.js';

export interface PortStore {
  out: OutPort;
  in: InPort;
  /** The exchange being answered, inside a handler. */
  ex: Exchange | null;
}

export const als = new AsyncLocalStorage<PortStore>();
