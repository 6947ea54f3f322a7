/**
 * `http:read-request-attributes`: header lines read from a port up to the blank line, the end
 * of input, or the first line that is not a header.
 */
import { HttpProtocolError } from './errors.js';
import { type Headers, parseHeaderLine } from './headers.js';
import type { LineSource } from './input.js';

export async function readRequestAttributes(port: LineSource, readLineLimit = 4096): Promise<Headers> {
  const out: Headers = [];
  for (;;) {
    const line = await port.readLine();
    if (line === null || line === '') return out;
    if (line.length > readLineLimit) {
      throw new HttpProtocolError(431, 'header-line-too-long', `header line longer than ${readLineLimit} bytes`);
    }
    const h = parseHeaderLine(line);
    if (h === null) return out;
    out.push(h);
  }
}

/** The same over text already in memory. */
export function parseAttributes(text: string, readLineLimit = 4096): Headers {
  const out: Headers = [];
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') break;
    if (line.length > readLineLimit) {
      throw new HttpProtocolError(431, 'header-line-too-long', `header line longer than ${readLineLimit} bytes`);
    }
    const h = parseHeaderLine(line);
    if (h === null) break;
    out.push(h);
  }
  return out;
}
