/**
 * Syntactic environments: what an identifier means where it is used (a special form, a macro,
 * a local variable, or a global), and the renamed identifiers macros introduce (`Alias`), which
 * keep `syntax-rules` templates hygienic: a binding a template introduces never captures a
 * variable of the macro's user, and a free identifier of a template means what it meant where
 * the macro was defined.
 */
import type { Var } from './ast.js';
import { isSymbol, symbolName, isPair, Pair, NIL } from '../runtime/data.js';

/** An identifier renamed by a macro expansion. */
export class Alias {
  private static count = 0;
  readonly id = ++Alias.count;
  constructor(
    /** The identifier it renames (a symbol, or an alias of an outer expansion). */
    readonly sym: unknown,
    /** Where the macro was defined: free uses of the alias are looked up there. */
    readonly scope: Scope | null,
  ) {}
  /** The symbol at the bottom of the renamings. */
  get base(): unknown {
    let s: unknown = this.sym;
    while (s instanceof Alias) s = s.sym;
    return s;
  }
  toString(): string {
    return identifierName(this);
  }
}

export function isIdentifier(x: unknown): boolean {
  return isSymbol(x) || x instanceof Alias;
}

/** The name of an identifier, aliases stripped. */
export function identifierName(x: unknown): string {
  if (x instanceof Alias) return identifierName(x.base);
  return symbolName(x as { __name__: unknown });
}

/** A transformer: the expansion of FORM used in USE (the scope at the use). */
export type Transformer = (form: unknown, use: Scope | null) => unknown;

export type Binding =
  | { k: 'special'; name: string }
  | { k: 'macro'; name: string; transform: Transformer }
  | { k: 'local'; v: Var };

/** One level of local bindings. Keys are symbols or aliases, compared by identity. */
export class Scope {
  readonly map = new Map<unknown, Binding>();
  constructor(readonly parent: Scope | null) {}
  bind(id: unknown, b: Binding): void {
    this.map.set(id, b);
  }
}

/** Strips aliases out of quoted data (`'x` inside a template is the symbol x). */
export function stripSyntax(x: unknown): unknown {
  if (x instanceof Alias) return x.base;
  if (isPair(x)) {
    // Iterative over the spine: quoted lists may be long.
    const items: unknown[] = [];
    let p: unknown = x;
    let changed = false;
    while (isPair(p)) {
      const s = stripSyntax(p.car);
      if (s !== p.car) changed = true;
      items.push(s);
      p = p.cdr;
    }
    const tail = stripSyntax(p);
    if (!changed && tail === p) return x;
    let out: unknown = tail;
    for (let i = items.length - 1; i >= 0; i--) out = new Pair(items[i], out);
    return out;
  }
  if (Array.isArray(x)) {
    let changed = false;
    const v = x.map((e) => {
      const s = stripSyntax(e);
      if (s !== e) changed = true;
      return s;
    });
    return changed ? v : x;
  }
  return x;
}

/** Whether X holds an alias anywhere (so quoted data needs stripping). */
export function hasAlias(x: unknown): boolean {
  if (x instanceof Alias) return true;
  while (isPair(x)) {
    if (hasAlias(x.car)) return true;
    x = x.cdr;
  }
  if (x instanceof Alias) return true;
  if (Array.isArray(x)) return x.some(hasAlias);
  return x === NIL ? false : false;
}
