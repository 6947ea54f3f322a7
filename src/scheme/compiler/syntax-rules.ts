/**
 * `syntax-rules` (R7RS): patterns with literals, `_`, ellipses anywhere in a list (also before
 * a tail), vectors, dotted tails, a custom ellipsis `(syntax-rules ::: (lits) …)` and `(... ...)`
 * escapes. Templates are transcribed with every symbol that is not a pattern variable renamed to
 * a fresh `Alias` per expansion (see syntax.ts for what that buys).
 */
import { Pair, NIL, isPair, listToArray } from '../runtime/data.js';
import { syntaxError } from '../runtime/errors.js';
import { Alias, Scope, identifierName, isIdentifier, type Transformer } from './syntax.js';

type Bindings = Map<unknown, Match>;
/** What a pattern variable matched: one form, or (under an ellipsis) a sequence of matches. */
type Match = { one: unknown } | { many: Bindings[] };

interface Rules {
  ellipsis: unknown;
  literals: unknown[];
  rules: Array<[unknown, unknown]>;
  name: string;
  scope: Scope | null;
  /** Whether identifiers A (in the input) and B (a literal) mean the same. */
  same: (a: unknown, b: unknown) => boolean;
}

const sameName = (a: unknown, b: unknown): boolean => isIdentifier(a) && isIdentifier(b) && identifierName(a) === identifierName(b);

/** The transformer of SPEC = (syntax-rules …), defined in SCOPE. */
export function syntaxRules(spec: unknown, name: string, scope: Scope | null): Transformer {
  const parts = listToArray(spec);
  if (parts === null || parts.length < 2) throw syntaxError('syntax-rules: expected (syntax-rules (LITERAL …) (PATTERN TEMPLATE) …)', spec);
  let i = 1;
  let ellipsis: unknown = null;
  if (isIdentifier(parts[1])) {
    ellipsis = parts[1];
    i = 2;
  }
  const literals = listToArray(parts[i]);
  if (literals === null) throw syntaxError(`syntax-rules in ${name}: the literals must be a list`, spec);
  const rules: Array<[unknown, unknown]> = [];
  for (const r of parts.slice(i + 1)) {
    const rule = listToArray(r);
    if (rule === null || rule.length !== 2) throw syntaxError(`syntax-rules in ${name}: each rule must be (PATTERN TEMPLATE)`, r);
    rules.push([rule[0], rule[1]]);
  }
  const R: Rules = { ellipsis, literals, rules, name, scope, same: sameName };
  return (form: unknown) => {
    for (const [pattern, template] of R.rules) {
      // The keyword position is ignored (it may be an alias or `_`).
      const b: Bindings = new Map();
      if (isPair(pattern) && isPair(form) && match(R, pattern.cdr, form.cdr, b)) {
        return transcribe(R, template, b, new Map());
      }
    }
    throw syntaxError(`no rule of ${name} matches the form`, form);
  };
}

function isEllipsis(R: Rules, x: unknown): boolean {
  if (R.ellipsis !== null) return x === R.ellipsis || (isIdentifier(x) && isIdentifier(R.ellipsis) && identifierName(x) === identifierName(R.ellipsis));
  return isIdentifier(x) && identifierName(x) === '...';
}

function isLiteral(R: Rules, x: unknown): boolean {
  return isIdentifier(x) && R.literals.some((l) => l === x || identifierName(l) === identifierName(x));
}

function match(R: Rules, pat: unknown, form: unknown, b: Bindings): boolean {
  if (isIdentifier(pat)) {
    if (isLiteral(R, pat)) return R.same(form, pat);
    if (identifierName(pat) === '_') return true;
    b.set(pat, { one: form });
    return true;
  }
  if (isPair(pat)) {
    // (p ... rest…): the ellipsis element takes as many forms as leave enough for the rest.
    if (isPair(pat.cdr) && isEllipsis(R, pat.cdr.car)) {
      const after = pat.cdr.cdr;
      const minAfter = properLength(after);
      const items: unknown[] = [];
      let f = form;
      while (isPair(f)) {
        items.push(f.car);
        f = f.cdr;
      }
      const take = items.length - minAfter;
      if (take < 0) return false;
      const seq: Bindings[] = [];
      f = form;
      for (let k = 0; k < take; k++) {
        const fp = f as { car: unknown; cdr: unknown };
        const mb: Bindings = new Map();
        if (!match(R, pat.car, fp.car, mb)) return false;
        seq.push(mb);
        f = fp.cdr;
      }
      for (const v of patternVars(R, pat.car)) b.set(v, { many: seq });
      return match(R, after, f, b);
    }
    if (!isPair(form)) return false;
    return match(R, pat.car, form.car, b) && match(R, pat.cdr, form.cdr, b);
  }
  if (pat === NIL) return form === NIL;
  if (Array.isArray(pat)) {
    if (!Array.isArray(form)) return false;
    return match(R, toList(pat), toList(form), b);
  }
  return equalDatum(pat, form);
}

/** Number of pairs before the tail of X. */
function properLength(x: unknown): number {
  let n = 0;
  while (isPair(x)) {
    n++;
    x = x.cdr;
  }
  return n;
}

function toList(v: unknown[]): unknown {
  let out: unknown = NIL;
  for (let i = v.length - 1; i >= 0; i--) out = new Pair(v[i], out);
  return out;
}

function equalDatum(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && 'v' in a && 'v' in b) return (a as { v: unknown }).v === (b as { v: unknown }).v;
  return false;
}

function patternVars(R: Rules, pat: unknown, out: unknown[] = []): unknown[] {
  if (isIdentifier(pat)) {
    if (!isLiteral(R, pat) && !isEllipsis(R, pat) && identifierName(pat) !== '_') out.push(pat);
  } else if (isPair(pat)) {
    patternVars(R, pat.car, out);
    patternVars(R, pat.cdr, out);
  } else if (Array.isArray(pat)) {
    for (const p of pat) patternVars(R, p, out);
  }
  return out;
}

/** The binding of pattern variable X in B (or an enclosing level), if X is one. */
function lookup(b: Bindings, x: unknown): Match | undefined {
  return b.get(x);
}

function transcribe(R: Rules, t: unknown, b: Bindings, renames: Map<unknown, Alias>): unknown {
  if (isIdentifier(t)) {
    const m = lookup(b, t);
    if (m !== undefined) {
      if ('one' in m) return m.one;
      throw syntaxError(`${R.name}: pattern variable ${identifierName(t)} used without its ellipsis`);
    }
    let a = renames.get(t);
    if (a === undefined) renames.set(t, (a = new Alias(t, R.scope)));
    return a;
  }
  if (isPair(t)) {
    // (... ...) escapes an ellipsis: the template's ellipses are literal inside it.
    if (isEllipsis(R, t.car) && isPair(t.cdr)) {
      return transcribe({ ...R, ellipsis: Symbol('no ellipsis') }, t.cdr.car, b, renames);
    }
    if (isPair(t.cdr) && isEllipsis(R, t.cdr.car)) {
      let rest = t.cdr.cdr;
      let depth = 1;
      while (isPair(rest) && isEllipsis(R, rest.car)) {
        depth++;
        rest = rest.cdr;
      }
      let items = expandEllipsis(R, t.car, b, renames, depth);
      const tail = transcribe(R, rest, b, renames);
      let out = tail;
      for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
      items = [];
      return out;
    }
    return new Pair(transcribe(R, t.car, b, renames), transcribe(R, t.cdr, b, renames));
  }
  if (Array.isArray(t)) {
    const l = transcribe(R, toList(t), b, renames);
    return listToArray(l) ?? [];
  }
  return t;
}

/** The forms SUB... gives under DEPTH ellipses. */
function expandEllipsis(R: Rules, sub: unknown, b: Bindings, renames: Map<unknown, Alias>, depth: number): unknown[] {
  const vars = patternVars(R, sub).filter((v) => {
    const m = b.get(v);
    return m !== undefined && 'many' in m;
  });
  if (vars.length === 0) throw syntaxError(`${R.name}: an ellipsis in the template follows no pattern variable of an ellipsis`);
  let n = -1;
  for (const v of vars) {
    const m = b.get(v) as { many: Bindings[] };
    if (n === -1 || m.many.length < n) n = m.many.length;
  }
  const out: unknown[] = [];
  for (let k = 0; k < n; k++) {
    const inner: Bindings = new Map(b);
    for (const v of vars) {
      const m = b.get(v) as { many: Bindings[] };
      for (const [key, val] of m.many[k]!) inner.set(key, val);
    }
    if (depth > 1) out.push(...expandEllipsis(R, sub, inner, renames, depth - 1));
    else out.push(transcribe(R, sub, inner, renames));
  }
  return out;
}
