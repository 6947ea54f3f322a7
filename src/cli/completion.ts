/**
 * Tab completion for the REPL: the identifier before the cursor, anywhere in the line (inside
 * an expression too), completed against every name bound in the engine (the globals: the http:
 * procedures, the CHICKEN library, the program's own definitions, and the syntax keywords).
 */
import type { Completer } from 'node:readline';

/** Characters that end an identifier (Scheme's delimiters, quote marks, and `#` of `#(`). */
const BEFORE_IDENTIFIER = /[\s()[\]{}"';`,]/;

/** The identifier that ends at the end of TEXT (the text before the cursor), or '' for none. */
export function identifierBefore(text: string): string {
  let i = text.length;
  while (i > 0 && !BEFORE_IDENTIFIER.test(text[i - 1]!)) i--;
  const word = text.slice(i);
  // Inside a string nothing is completed: an odd number of unescaped quotes before the word.
  return insideString(text.slice(0, i)) ? '' : word;
}

function insideString(text: string): boolean {
  let inside = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && inside) i++;
    else if (c === '"') inside = !inside;
    else if (c === ';' && !inside) {
      // A comment runs to the end of its line.
      const nl = text.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl;
    }
  }
  return inside;
}

/** The names of NAMES that start with WORD, sorted and without duplicates. */
export function completions(word: string, names: Iterable<string>): string[] {
  const hits = new Set<string>();
  for (const name of names) if (name.startsWith(word)) hits.add(name);
  return [...hits].sort();
}

/** A readline completer over the names NAMES() gives at each Tab (so new definitions count). */
export function completer(names: () => Iterable<string>): Completer {
  return (line: string): [string[], string] => {
    const word = identifierBefore(line);
    if (word === '') return [[], ''];
    return [completions(word, names()), word];
  };
}
