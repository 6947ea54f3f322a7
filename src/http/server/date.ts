/**
 * The `Date:` header value (RFC 9110 §5.6.7), and the lazy preamble that carries it (status
 * line, `Server:`, `Date:`), each computed at most once a second: a timer clears them at the
 * next second boundary, so a request pays only a string check.
 */
let cached = '';
/** The preamble for PRE_PROTOCOL and PRE_SERVER, or '' when it is to be built again. */
let preamble = '';
let preProtocol = '';
let preServer = '';

function clear(): void {
  cached = '';
  preamble = '';
}

export function httpDate(): string {
  if (cached === '') {
    const now = Date.now();
    cached = new Date(now).toUTCString();
    setTimeout(clear, 1000 - (now % 1000)).unref();
  }
  return cached;
}

/**
 * `PROTOCOL 200 OK`, `Server: SERVER` and `Date: …`, each line with its CRLF. SERVER is the
 * server name as a byte string. Kept for the last PROTOCOL and SERVER asked for: a process
 * serves one of each, mostly.
 */
export function okPreamble(protocol: string, server: string): string {
  if (preamble === '' || protocol !== preProtocol || server !== preServer) {
    const date = httpDate();
    preProtocol = protocol;
    preServer = server;
    preamble = protocol + ' 200 OK\r\nServer: ' + server + '\r\nDate: ' + date + '\r\n';
  }
  return preamble;
}
