// The HTTP clients the client benchmark compares, each behind the same small interface, so that
// bench/clients/run.mjs times them all with one loop:
//   makeClient(name, url, inflight, distDir) → { fetchOne(): Promise<number>, close(): Promise<void> }
// fetchOne() does one whole GET (head and body read), checks the status, and returns the body's
// length in bytes, so that every client does the same work: the body as bytes, no text decoding.
//
// Each client is set up the way its users would for INFLIGHT concurrent requests to one origin:
// keep-alive connections, enough of them pooled that none is closed between requests.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CLIENTS = ['scheme-http', 'undici', 'node:http', 'fetch'];

/** A response other than 200 is an error the runner counts (and stops on). */
function checkStatus(client, status) {
  if (status !== 200) throw new Error(`${client}: status ${status}, expected 200`);
}

/** Our client from the built package (DISTDIR/http/index.js: what users run), `request` over its Agent. */
async function schemeHttp(url, inflight, distDir) {
  const lib = await import(pathToFileURL(path.join(distDir, 'http', 'index.js')).href);
  // The default Agent parks 16 idle connections per origin and closes the rest: with 50 in
  // flight that would reconnect on most requests, so the pool is sized as for the others.
  const agent = new lib.Agent({ maxIdlePerOrigin: Math.max(16, inflight) });
  return {
    async fetchOne() {
      const res = await lib.request(url, { agent });
      checkStatus('scheme-http', res.status);
      return res.body.length;
    },
    async close() { lib.closeAllConnections(agent); },
  };
}

/** undici.request over its own Agent (undici's defaults: keep-alive, no cap on connections). */
async function undiciClient(url) {
  const undici = await import('undici');
  const dispatcher = new undici.Agent();
  return {
    async fetchOne() {
      const res = await undici.request(url, { dispatcher });
      const body = Buffer.from(await res.body.arrayBuffer());
      checkStatus('undici', res.statusCode);
      return body.length;
    },
    async close() { await dispatcher.close(); },
  };
}

/** node:http with a keep-alive Agent (maxSockets unlimited, up to 256 kept idle). */
async function nodeHttp(url) {
  const agent = new http.Agent({ keepAlive: true });
  const fetchOne = () => new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          checkStatus('node:http', res.statusCode);
          resolve(Buffer.concat(chunks).length);
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { fetchOne, async close() { agent.destroy(); } };
}

/** Node's global fetch (the undici bundled with Node), as most code calls it. */
async function fetchClient(url) {
  return {
    async fetchOne() {
      const res = await fetch(url);
      const body = await res.arrayBuffer();
      checkStatus('fetch', res.status);
      return body.byteLength;
    },
    async close() {},
  };
}

export async function makeClient(name, url, inflight, distDir) {
  switch (name) {
    case 'scheme-http': return schemeHttp(url, inflight, distDir);
    case 'undici': return undiciClient(url);
    case 'node:http': return nodeHttp(url);
    case 'fetch': return fetchClient(url);
    default: throw new Error(`unknown client ${JSON.stringify(name)} (one of ${CLIENTS.join(', ')})`);
  }
}
