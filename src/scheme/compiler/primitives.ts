/**
 * Calls the code generator compiles inline: a global primitive called with an arity it takes
 * becomes a call of the runtime function of that name in runtime/prims.ts (V8 inlines those),
 * or, for the commonest ones with plain variable arguments, JS written out here.
 */

export interface Prim {
  /** Arities taken inline (other arities call the global procedure). */
  argc: readonly number[];
  /** JS for the call; ARGS are JS expressions, ATOMIC says whether each may be repeated, TEMPS are fresh variables. */
  js(args: string[], atomic: boolean[], temps: string[]): string;
  /** The code generator puts each argument in a variable first (so JS may repeat it). */
  atomic?: true;
  /** How many fresh variables the JS needs. */
  temps?: number;
}

/** A call of runtime prims function FN. */
const fn = (name: string, ...argc: number[]): Prim => ({ argc, js: (a) => `P.${name}(${a.join(', ')})` });

/** FAST written out with each argument in a variable (evaluated once either way). */
const fast = (name: string, argc: number, js: (a: string[]) => string): Prim => ({
  argc: [argc],
  atomic: true,
  js: (a, atomic) => (atomic.every((x) => x) ? js(a) : `P.${name}(${a.join(', ')})`),
});

/**
 * FAST written out with its first argument's bytes (a literal's JS string, or a mutable string's
 * `.__string__`) in variable T, or null: both kinds of string take the inline path.
 */
const onBytes = (name: string, argc: number, js: (t: string, a: string[]) => string): Prim => ({
  argc: [argc],
  atomic: true,
  temps: 1,
  js: (a, atomic, [t]) => (atomic.every((x) => x)
    ? `((${t} = typeof ${a[0]} === 'string' ? ${a[0]} : ${a[0]} instanceof MS ? (${a[0]}).__string__ : null) !== null && ${js(t!, a)} : P.${name}(${a.join(', ')}))`
    : `P.${name}(${a.join(', ')})`),
});

/** `(+ a b c …)` as `(+ (+ a b) c)`: CHICKEN folds left to right too. */
const folded = (name: string, two: Prim): Prim => ({
  argc: [2, 3, 4, 5, 6],
  atomic: true,
  js: (a, atomic) => (a.length === 2 ? two.js(a, atomic, []) : a.slice(1).reduce((acc, x) => `P.${name}(${acc}, ${x})`, a[0]!)),
});

const sum = fast('add', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} && ${a} + ${b} <= MAXF && ${a} + ${b} >= MINF ? ${a} + ${b} : P.add(${a}, ${b}))`);
// `+ 0`: a fixnum product is never -0 (`(* 0 -5)` is 0).
const product = fast('mul', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} && ${a} * ${b} <= MAXF && ${a} * ${b} >= MINF ? ${a} * ${b} + 0 : P.mul(${a}, ${b}))`);

const num = (a: string): string => `typeof ${a} === 'number'`;

export const PRIMS: ReadonlyMap<string, Prim> = new Map<string, Prim>([
  ['car', fast('car', 1, ([x]) => `(${x} instanceof Pair ? (${x}).car : P.car(${x}))`)],
  ['cdr', fast('cdr', 1, ([x]) => `(${x} instanceof Pair ? (${x}).cdr : P.cdr(${x}))`)],
  ['cons', { argc: [2], js: ([a, b]) => `new Pair(${a}, ${b})` }],
  // Pairs built in place: a call of the library procedure gathered its arguments into a rest
  // array first (several times the cost, for what is most often two or three elements).
  ['list', { argc: [0, 1, 2, 3, 4, 5, 6, 7, 8], js: (a) => a.reduceRight((tail, x) => `new Pair(${x}, ${tail})`, 'NIL') }],
  ['cons*', { argc: [1, 2, 3, 4, 5, 6, 7, 8], js: (a) => a.slice(0, -1).reduceRight((tail, x) => `new Pair(${x}, ${tail})`, a[a.length - 1]!) }],
  ['set-car!', fn('setCar', 2)],
  ['set-cdr!', fn('setCdr', 2)],
  ...['caar', 'cadr', 'cdar', 'cddr', 'caddr', 'cdddr', 'caadr', 'cddar', 'cadar', 'cdadr', 'caaar', 'cdaar', 'cadddr', 'cddddr'].map(
    (n): [string, Prim] => [n, { argc: [1], js: ([x]) => `P.cxr(${x}, '${n.slice(1, -1)}', '${n}')` }],
  ),
  ['pair?', { argc: [1], js: ([x]) => `(${x} instanceof Pair)` }],
  ['null?', { argc: [1], js: ([x]) => `(${x} === NIL)` }],
  ['not', { argc: [1], js: ([x]) => `(${x} === false)` }],
  ['eq?', { argc: [2], js: ([a, b]) => `(${a} === ${b})` }],
  ['eqv?', fast('isEqv', 2, ([a, b]) => `(${a} === ${b} || P.isEqv(${a}, ${b}))`)],
  ['equal?', fn('isEqual', 2)],
  ['+', folded('add', sum)],
  ['-', { argc: [1, 2], atomic: true, js: (a, atomic) => (a.length === 1 ? `P.neg(${a[0]})` : atomic.every((x) => x) ? `(${num(a[0]!)} && ${num(a[1]!)} && ${a[0]} - ${a[1]} <= MAXF && ${a[0]} - ${a[1]} >= MINF ? ${a[0]} - ${a[1]} : P.sub(${a[0]}, ${a[1]}))` : `P.sub(${a.join(', ')})`) }],
  ['*', folded('mul', product)],
  ['quotient', fn('quotient', 2)],
  ['remainder', fn('remainder', 2)],
  ['modulo', fn('modulo', 2)],
  ['=', fast('numEq', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} ? ${a} === ${b} : P.numEq(${a}, ${b}))`)],
  ['<', fast('lt', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} ? ${a} < ${b} : P.lt(${a}, ${b}))`)],
  ['>', fast('gt', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} ? ${a} > ${b} : P.gt(${a}, ${b}))`)],
  ['<=', fast('le', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} ? ${a} <= ${b} : P.le(${a}, ${b}))`)],
  ['>=', fast('ge', 2, ([a, b]) => `(${num(a!)} && ${num(b!)} ? ${a} >= ${b} : P.ge(${a}, ${b}))`)],
  ['zero?', fast('isZero', 1, ([x]) => `(${x} === 0 || (${x} !== 0 && P.isZero(${x})))`)],
  ['add1', fn('add1', 1)],
  ['sub1', fn('sub1', 1)],
  ['vector-ref', fn('vectorRef', 2)],
  ['vector-set!', fn('vectorSet', 3)],
  ['vector-length', fn('vectorLength', 1)],
  // A string's bytes straight from its JS string.
  ['string-ref', onBytes('stringRef', 2, (t, [, i]) => `typeof ${i} === 'number' && ${i} >= 0 && ${i} < ${t}.length ? CH[${t}.charCodeAt(${i})]`)],
  // `(char->integer (string-ref s i))`, fused by the expander: no character object in between.
  ['%string-byte', onBytes('stringByte', 2, (t, [, i]) => `typeof ${i} === 'number' && ${i} >= 0 && ${i} < ${t}.length ? ${t}.charCodeAt(${i})`)],
  ['string-length', onBytes('stringLength', 1, (t) => `true ? ${t}.length`)],
  ['string-append', { argc: [2, 3, 4], js: (a) => `P.stringAppend${a.length}(${a.join(', ')})` }],
  ['char->integer', fast('charToInteger', 1, ([c]) => `(${c} instanceof Char ? (${c}).code : P.charToInteger(${c}))`)],
  ['integer->char', fn('integerToChar', 1)],
  ['char?', fn('isChar', 1)],
  ['string?', fn('isString', 1)],
  ['number?', fast('isNumber', 1, ([x]) => `(typeof ${x} === 'number' || P.isNumber(${x}))`)],
  ['list?', fast('isList', 1, ([x]) => `(${x} === NIL || P.isList(${x}))`)],
  ['vector?', { argc: [1], js: ([x]) => `Array.isArray(${x})` }],
  ['procedure?', { argc: [1], js: ([x]) => `(typeof ${x} === 'function')` }],
  ['boolean?', { argc: [1], js: ([x]) => `(${x} === true || ${x} === false)` }],
  ['values', { argc: [1], js: ([x]) => x! }],
  ['void', { argc: [0], js: () => 'undefined' }],
  ['%values->list', fn('valuesToList', 1)],
]);
