/**
 * The `Date:` header value (RFC 9110 §5.6.7). Computed at most once a second: a timer clears the
 * cache at the next second boundary, so a request pays only a string check.
 */
let cached = '';

function clear(): void {
  cached = '';
}

export function httpDate(): string {
  if (cached === '') {
    const now = Date.now();
    cached = new Date(now).toUTCString();
    setTimeout(clear, 1000 - (now % 1000)).unref();
  }
  return cached;
}
