/** The `Date:` header value (RFC 9110 §5.6.7), recomputed at most once a second. */
let cachedSecond = -1;
let cached = '';

export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cached = new Date(second * 1000).toUTCString();
  }
  return cached;
}
