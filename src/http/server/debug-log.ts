/**
 * The debug flag's line per request, gathered and written to stderr once per turn of the event
 * loop: a synchronous write per request would cost more than serving it.
 */
export function bufferedStderrLog(): (line: string) => void {
  let lines: string[] = [];
  const flush = (): void => {
    const text = lines.join('\n') + '\n';
    lines = [];
    process.stderr.write(text);
  };
  return (line: string) => {
    if (lines.length === 0) setImmediate(flush);
    lines.push(line);
  };
}
