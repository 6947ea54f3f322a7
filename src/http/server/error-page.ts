/** The default error page of `http:error-response-handler`. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

export function defaultErrorPage(code: number, message: string, serverName: string, location: string): string {
  const title = `${code} ${escapeHtml(message)}`;
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1><address>${escapeHtml(serverName)} at ${escapeHtml(location)}</address></body></html>`;
}
