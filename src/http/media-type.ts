/** Media types as content parsers are keyed: without parameters, lowercased. */
export const URLENCODED = 'application/x-www-form-urlencoded';

/** `text/html; charset=utf-8` → `text/html`. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
