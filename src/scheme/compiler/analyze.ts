/**
 * Which function's JS frame each local lives in, which locals a closure captures (its free
 * variables), and which are both captured and assigned (those live in a shared box).
 */
import type { Fn, Node, Var } from './ast.js';

export function analyze(fn: Fn): void {
  for (const v of paramVars(fn)) own(v, fn);
  visit(fn.body, fn);
  for (const o of fn.params.optional) if (o.dflt !== null) visit(o.dflt, fn);
  for (const k of fn.params.keys) if (k.dflt !== null) visit(k.dflt, fn);
}

export function paramVars(fn: Fn): Var[] {
  const p = fn.params;
  return [...p.required, ...p.optional.map((o) => o.v), ...(p.rest === null ? [] : [p.rest]), ...p.keys.map((k) => k.v)];
}

function own(v: Var, fn: Fn): void {
  v.owner = fn;
  fn.locals.push(v);
}

function use(v: Var, fn: Fn): void {
  if (v.owner === fn || v.owner === null) return;
  v.captured = true;
  for (let f: Fn | null = fn; f !== null && f !== v.owner; f = f.parent) {
    if (!f.free.includes(v)) f.free.push(v);
  }
}

function visit(root: Node, fn: Fn): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    switch (n.t) {
      case 'const':
      case 'gref':
        break;
      case 'lref':
        use(n.v, fn);
        break;
      case 'lset':
        use(n.v, fn);
        stack.push(n.e);
        break;
      case 'gset':
        stack.push(n.e);
        break;
      case 'if':
        stack.push(n.b, n.a, n.c);
        break;
      case 'seq':
        for (let i = n.es.length - 1; i >= 0; i--) stack.push(n.es[i]!);
        break;
      case 'lambda':
        n.fn.parent = fn;
        analyze(n.fn);
        break;
      case 'call':
      case 'apply':
        stack.push(...n.args, n.f);
        break;
      case 'prim':
      case 'continue':
        stack.push(...n.args);
        break;
      case 'let':
      case 'loop':
        // Bound before the inits are visited: letrec's inits refer to its own variables.
        for (const v of n.vars) if (v.owner === null) own(v, fn);
        stack.push(n.body, ...n.inits);
        break;
      case 'catch':
        own(n.v, fn);
        stack.push(n.handler, n.body);
        break;
      case 'finally':
        stack.push(n.cleanup, n.body);
        break;
      case 'callcc':
        stack.push(n.f);
        break;
    }
  }
}
