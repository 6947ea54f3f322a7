/**
 * The numeric library: CHICKEN 3's number model (fixnums and flonums, no numbers egg) with
 * CHICKEN 5's argument checks, error messages and printing (SEMANTICS.md, "Scheme data").
 *
 * - A fixnum is a JS integer within ±Number.MAX_SAFE_INTEGER; a flonum is a `Flo`. An exact
 *   result that leaves the safe range becomes the nearest flonum, as CHICKEN 3 did (CHICKEN 5
 *   would make a bignum). Where CHICKEN 5 makes a rational (`(/ 6 4)`, `(expt 2 -1)`,
 *   `(string->number "1/2")`), we give that rational's flonum: 1.5, 0.5, 0.5.
 * - Where CHICKEN 5 makes a complex number (`(sqrt -4)`, `(log -1)`, `(asin 2)`,
 *   `(expt -8 0.5)`), we give +nan.0, as CHICKEN 3 (C's libm) did.
 * - `inexact->exact` of a flonum with a fraction (or of ±inf/nan) raises CHICKEN's
 *   `(exn type)` "inexact number cannot be represented as an exact number", as CHICKEN 3 did
 *   for every non-fixnum flonum and CHICKEN 5 does for inf and nan: quietly rounding would
 *   hide a bug, and an exact? result that is a flonum would be a lie. An integral flonum beyond
 *   the safe range stays that flonum (the bignum rule above).
 * - Errors are CHICKEN 5's, including its locations (`(max 1 "a")` blames `>`, `(sqrt "a")`
 *   blames `negative?`), since programs may print them.
 * - `number->string` takes bases 2 to 16 and `string->number` 2 to 36, as in CHICKEN 5.
 *
 * The compiler inlines the fixnum fast paths (prims.ts) and calls the binary functions here for
 * everything else; `numericPrimitives` is the variadic, argument-checking face for the library.
 */
import { Flo, makeValues, stringValue } from './data.js';
import { SchemeError, arityError, divisionByZero, typeError } from './errors.js';

/** A Scheme number as this module returns it. */
export type Num = number | Flo;

// ---------------------------------------------------------------------------------------------
// Classification and results
// ---------------------------------------------------------------------------------------------

function isNum(x: unknown): x is Num {
  return typeof x === 'number' || x instanceof Flo;
}

/** Exact: an integer JS number. (A raw non-integer JS number, which the runtime never makes, counts as a flonum.) */
function isExact(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

function val(x: Num): number {
  return typeof x === 'number' ? x : x.v;
}

/** An exact result: a fixnum, or the nearest flonum once it leaves the safe range. -0 is 0. */
function exact(n: number): Num {
  if (n === 0) return 0;
  return Number.isSafeInteger(n) ? n : new Flo(n);
}

function exactBig(n: bigint): Num {
  if (n <= MAX_SAFE_BIG && n >= MIN_SAFE_BIG) return exact(Number(n));
  return new Flo(Number(n)); // Number(bigint) rounds to nearest, as CHICKEN 5's exact->inexact does
}
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

/** The same kind of number as the inputs: flonum if any was inexact. */
function like(inexact: boolean, n: number): Num {
  return inexact ? new Flo(n) : exact(n);
}

// ---------------------------------------------------------------------------------------------
// Argument checks, with CHICKEN's messages
// ---------------------------------------------------------------------------------------------

function num(loc: string, x: unknown): Num {
  if (isNum(x)) return x;
  throw typeError(loc, x, 'number');
}

function notAn(what: string, loc: string, x: unknown): SchemeError {
  return new SchemeError(['exn', 'type'], `bad argument type - not an ${what}`, [x], loc);
}

/** An integer: a fixnum or an integral flonum (CHICKEN's quotient, gcd, odd? … accept both). */
function integer(loc: string, x: unknown): Num {
  if (isExact(x)) return x;
  if (x instanceof Flo && Number.isInteger(x.v)) return x;
  throw notAn('integer', loc, x);
}

function invalidBase(loc: string, radix: unknown): SchemeError {
  return new SchemeError(['exn', 'type'], 'bad argument type - invalid base', [radix], loc);
}

function tooFew(received: number, expected: number, args: unknown[]): SchemeError {
  return new SchemeError(['exn', 'arity'], `too few arguments - received ${received} but expected ${expected}`, args);
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

export function add(a: unknown, b: unknown): Num {
  if (isExact(a) && isExact(b)) return exact(a + b); // IEEE rounds an overflowing sum as CHICKEN 5's exact->inexact would
  return new Flo(val(num('+', a)) + val(num('+', b)));
}

export function sub(a: unknown, b: unknown): Num {
  if (isExact(a) && isExact(b)) return exact(a - b);
  return new Flo(val(num('-', a)) - val(num('-', b)));
}

export function mul(a: unknown, b: unknown): Num {
  if (isExact(a) && isExact(b)) return exact(a * b);
  return new Flo(val(num('*', a)) * val(num('*', b)));
}

export function div(a: unknown, b: unknown): Num {
  // CHICKEN raises for an exact zero divisor whatever the dividend (`(/ 1. 0)`, even `(/ "a" 0)`);
  // a flonum zero divisor gives ±inf.0 or +nan.0.
  if (b === 0) throw divisionByZero('/', a, b);
  const x = num('/', a);
  const y = num('/', b);
  if (isExact(x) && isExact(y)) return x % y === 0 ? exact(x / y) : new Flo(x / y);
  return new Flo(val(x) / val(y));
}

export function neg(a: unknown): Num {
  if (isExact(a)) return exact(-a);
  return new Flo(-val(num('-', a)));
}

export function numEq(a: unknown, b: unknown): boolean {
  return val(num('=', a)) === val(num('=', b));
}
// Fixnums are safe integers, exactly representable as doubles: JS comparison is exact, as CHICKEN 5's.
export function lt(a: unknown, b: unknown): boolean {
  return val(num('<', a)) < val(num('<', b));
}
export function gt(a: unknown, b: unknown): boolean {
  return val(num('>', a)) > val(num('>', b));
}
export function le(a: unknown, b: unknown): boolean {
  return val(num('<=', a)) <= val(num('<=', b));
}
export function ge(a: unknown, b: unknown): boolean {
  return val(num('>=', a)) >= val(num('>=', b));
}

// n-ary forms -------------------------------------------------------------------------------

/** Folds OP over ARGS (two or more); the binary operation checks every argument. */
function fold(op: (a: unknown, b: unknown) => Num, args: unknown[]): Num {
  let acc = op(args[0], args[1]);
  for (let i = 2; i < args.length; i++) acc = op(acc, args[i]);
  return acc;
}

function addArgs(args: unknown[]): Num {
  if (args.length < 2) return args.length === 0 ? 0 : num('+', args[0]);
  return fold(add, args);
}

function mulArgs(args: unknown[]): Num {
  if (args.length < 2) return args.length === 0 ? 1 : num('*', args[0]);
  return fold(mul, args);
}

function subArgs(args: unknown[]): Num {
  if (args.length === 0) throw tooFew(0, 1, []);
  return args.length === 1 ? neg(args[0]) : fold(sub, args);
}

function divArgs(args: unknown[]): Num {
  if (args.length === 0) throw tooFew(0, 1, [numericPrimitives['/']]);
  return args.length === 1 ? div(1, args[0]) : fold(div, args);
}

export function addN(...args: unknown[]): Num {
  return addArgs(args);
}

export function mulN(...args: unknown[]): Num {
  return mulArgs(args);
}

export function subN(...args: unknown[]): Num {
  return subArgs(args);
}

export function divN(...args: unknown[]): Num {
  return divArgs(args);
}

/**
 * `(< a b c …)`: stops at the first pair that fails, without looking at the arguments after it
 * (`(< 3 1 "a")` is #f, `(< 1 3 "a")` raises), as CHICKEN does.
 */
function chain(loc: string, cmp: (a: unknown, b: unknown) => boolean): (args: unknown[]) => boolean {
  return (args) => {
    if (args.length === 1) num(loc, args[0]);
    for (let i = 0; i + 1 < args.length; i++) if (!cmp(args[i], args[i + 1])) return false;
    return true;
  };
}
const numEqArgs = chain('=', numEq);
const ltArgs = chain('<', lt);
const gtArgs = chain('>', gt);
const leArgs = chain('<=', le);
const geArgs = chain('>=', ge);
export const numEqN = (...args: unknown[]): boolean => numEqArgs(args);
export const ltN = (...args: unknown[]): boolean => ltArgs(args);
export const gtN = (...args: unknown[]): boolean => gtArgs(args);
export const leN = (...args: unknown[]): boolean => leArgs(args);
export const geN = (...args: unknown[]): boolean => geArgs(args);

/**
 * max/min: the first argument checked as `max`'s, the others by the comparison itself (CHICKEN
 * blames `>` for `(max 1 "a")`); the result is inexact if any argument was. NaN loses to what is
 * already held: `(max 1 +nan.0)` is 1.0, `(max +nan.0 1)` is +nan.0.
 */
function extremum(loc: string, better: (a: unknown, b: unknown) => boolean, args: unknown[]): Num {
  if (args.length === 0) throw tooFew(0, 1, [numericPrimitives[loc]]);
  let m = num(loc, args[0]);
  let inexact = !isExact(m);
  for (let i = 1; i < args.length; i++) {
    const n = args[i];
    if (better(n, m)) m = n as Num;
    if (!isExact(n)) inexact = true;
  }
  return inexact ? new Flo(val(m)) : m;
}
export function max(...args: unknown[]): Num {
  return extremum('max', gt, args);
}
export function min(...args: unknown[]): Num {
  return extremum('min', lt, args);
}

export function abs(a: unknown): Num {
  if (isExact(a)) return exact(Math.abs(a));
  return new Flo(Math.abs(val(num('abs', a))));
}

// ---------------------------------------------------------------------------------------------
// Integer division
// ---------------------------------------------------------------------------------------------

/**
 * The operands of quotient/remainder/modulo as JS numbers, and whether the result is inexact.
 * CHICKEN raises "division by zero" with no arguments for 0 and 0.0 alike.
 */
function divisionOperands(loc: string, a: unknown, b: unknown): [number, number, boolean] {
  const x = integer(loc, a);
  const y = integer(loc, b);
  const d = val(y);
  if (d === 0) throw divisionByZero(loc);
  return [val(x), d, !isExact(x) || !isExact(y)];
}

/** The truncated quotient, computed exactly and then rounded, as CHICKEN 5 does for big flonums. */
function truncQuotient(n: number, d: number): number {
  if (Number.isSafeInteger(n) && Number.isSafeInteger(d)) return (n - (n % d)) / d; // exact: n - n%d is a multiple of d
  return Number(BigInt(n) / BigInt(d));
}

// A zero result is +0 even for flonums: CHICKEN 5 computes on exact integers (`(remainder -4. 2)` is 0.0).
export function quotient(a: unknown, b: unknown): Num {
  const [n, d, inexact] = divisionOperands('quotient', a, b);
  return like(inexact, truncQuotient(n, d) + 0);
}

export function remainder(a: unknown, b: unknown): Num {
  const [n, d, inexact] = divisionOperands('remainder', a, b);
  return like(inexact, (n % d) + 0); // % on doubles is exact
}

export function modulo(a: unknown, b: unknown): Num {
  const [n, d, inexact] = divisionOperands('modulo', a, b);
  let r = n % d;
  if (r !== 0 && r < 0 !== d < 0) r += d;
  return like(inexact, r + 0);
}

function gcd2(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function gcd(...args: unknown[]): Num {
  return gcdArgs(args);
}

function gcdArgs(args: unknown[]): Num {
  let g = 0;
  let inexact = false;
  for (const a of args) {
    const x = integer('gcd', a);
    if (!isExact(x)) inexact = true;
    g = gcd2(g, val(x));
  }
  return like(inexact, g);
}

export function lcm(...args: unknown[]): Num {
  return lcmArgs(args);
}

function lcmArgs(args: unknown[]): Num {
  let l = 1;
  let inexact = false;
  for (const a of args) {
    const x = integer('lcm', a);
    if (!isExact(x)) inexact = true;
    const n = val(x);
    l = l === 0 || n === 0 ? 0 : Math.abs((l / gcd2(l, n)) * n);
  }
  return like(inexact, l);
}

// ---------------------------------------------------------------------------------------------
// Powers, roots, transcendental functions
// ---------------------------------------------------------------------------------------------

export function expt(a: unknown, b: unknown): Num {
  const x = num('expt', a);
  const y = num('expt', b);
  if (isExact(x) && isExact(y)) return exactExpt(x, y);
  return new Flo(Math.pow(val(x), val(y)));
}

function exactExpt(base: number, e: number): Num {
  if (e >= 0) return exactPower(base, e);
  // CHICKEN computes (/ 1 (expt base (- e))): 0 raises there, ±1 stay exact, the rest is a rational.
  if (base === 0) throw divisionByZero('/', 1, 0);
  const p = exactPower(base, -e);
  if (p === 1 || p === -1) return p;
  return new Flo(1 / val(p));
}

function exactPower(base: number, e: number): Num {
  if (e === 0) return 1;
  if (base === 0 || base === 1) return base;
  if (base === -1) return e % 2 === 0 ? 1 : -1;
  // Past 2^1100 the flonum is infinite anyway; BigInt would only spend memory getting there.
  if (e * Math.log2(Math.abs(base)) > 1100) return new Flo(Math.pow(base, e));
  return exactBig(BigInt(base) ** BigInt(e));
}

function flonumArg(loc: string, x: unknown): number {
  return val(num(loc, x));
}

export function exp(a: unknown): Flo {
  return new Flo(Math.exp(flonumArg('exp', a)));
}

/** One logarithm, with CHICKEN 5's checks (it tests the sign first, so `negative?` is blamed). */
function ln(x: unknown): number {
  if (!isNum(x)) throw typeError('negative?', x, 'number');
  if (x === 0) throw new SchemeError(['exn', 'arithmetic'], 'log of exact 0 is undefined', [0], 'log');
  return Math.log(val(x));
}

/** `(log z)`, or `(log z base)` as (/ (log z) (log base)). */
export function log(a: unknown, base?: unknown): Flo {
  const l = ln(a);
  return new Flo(base === undefined ? l : l / ln(base));
}

export function sin(a: unknown): Flo {
  return new Flo(Math.sin(flonumArg('sin', a)));
}
export function cos(a: unknown): Flo {
  return new Flo(Math.cos(flonumArg('cos', a)));
}
export function tan(a: unknown): Flo {
  return new Flo(Math.tan(flonumArg('tan', a)));
}
export function asin(a: unknown): Flo {
  return new Flo(Math.asin(flonumArg('asin', a)));
}
export function acos(a: unknown): Flo {
  return new Flo(Math.acos(flonumArg('acos', a)));
}

/** `(atan y)` or `(atan y x)`; CHICKEN converts X with exact->inexact, which is what it blames. */
export function atan(y: unknown, x?: unknown): Flo {
  const yv = flonumArg('atan', y);
  if (x === undefined) return new Flo(Math.atan(yv));
  return new Flo(Math.atan2(yv, flonumArg('exact->inexact', x)));
}

/** Exact for an exact perfect square (`(sqrt 16)` is 4), else a flonum. */
export function sqrt(a: unknown): Num {
  if (!isNum(a)) throw typeError('negative?', a, 'number');
  const r = Math.sqrt(val(a));
  // r*r is exact here: r < 2^27 for any fixnum.
  if (isExact(a) && Number.isInteger(r) && r * r === a) return r;
  return new Flo(r);
}

/** Two values: the root s and the rest n - s². */
export function exactIntegerSqrt(a: unknown): unknown {
  if (!isExact(a) || a < 0) throw notAn('unsigned integer', 'exact-integer-sqrt', a);
  let s = Math.floor(Math.sqrt(a));
  while (s * s > a) s--;
  while ((s + 1) * (s + 1) <= a) s++;
  return makeValues([s, a - s * s]);
}

// ---------------------------------------------------------------------------------------------
// Rounding and exactness
// ---------------------------------------------------------------------------------------------

/** Round half to even (C's rint), keeping -0.0: Math.round rounds halves up. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function rounding(loc: string, f: (x: number) => number): (a: unknown) => Num {
  return (a) => {
    if (isExact(a)) return a;
    if (isNum(a)) return new Flo(f(val(a)));
    throw typeError(loc, a, 'real');
  };
}
export const floor = rounding('floor', Math.floor);
export const ceiling = rounding('ceiling', Math.ceil);
export const truncate = rounding('truncate', Math.trunc);
export const round = rounding('round', roundHalfEven);

export function exactToInexact(a: unknown): Flo {
  return new Flo(flonumArg('exact->inexact', a));
}

export function inexactToExact(a: unknown): Num {
  if (isExact(a)) return a;
  if (!isNum(a)) throw typeError('exact?', a, 'number'); // CHICKEN 5 checks with exact?
  const f = val(a);
  if (Number.isInteger(f)) return exact(f);
  throw new SchemeError(['exn', 'type'], 'inexact number cannot be represented as an exact number', [a], 'inexact->exact');
}

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

export function isNumber(x: unknown): boolean {
  return isNum(x);
}
export function isInteger(x: unknown): boolean {
  return isExact(x) || (isNum(x) && Number.isInteger(val(x)));
}
export function isRational(x: unknown): boolean {
  return isNum(x) && Number.isFinite(val(x));
}
export function isExactNumber(x: unknown): boolean {
  return isExact(num('exact?', x));
}
export function isInexactNumber(x: unknown): boolean {
  return !isExact(num('inexact?', x));
}
export function isFixnum(x: unknown): boolean {
  return isExact(x);
}
export function isFlonum(x: unknown): boolean {
  return x instanceof Flo || (typeof x === 'number' && !Number.isInteger(x));
}
export function isNan(x: unknown): boolean {
  return Number.isNaN(val(num('nan?', x)));
}
export function isFinite(x: unknown): boolean {
  return Number.isFinite(val(num('finite?', x)));
}
export function isInfinite(x: unknown): boolean {
  const v = val(num('infinite?', x));
  return v === Infinity || v === -Infinity;
}
export function isZero(x: unknown): boolean {
  return val(num('zero?', x)) === 0;
}
export function isPositive(x: unknown): boolean {
  return val(num('positive?', x)) > 0;
}
export function isNegative(x: unknown): boolean {
  return val(num('negative?', x)) < 0;
}
// Bitwise operations (CHICKEN 3's library, chicken.bitwise in 5) on exact integers, through
// BigInt so that integers beyond 32 bits keep all their bits.

function exactInteger(loc: string, x: unknown): bigint {
  if (isExact(x)) return BigInt(x);
  throw notAn('exact integer', loc, x);
}

function fromBig(n: bigint): Num {
  return exact(Number(n));
}

function bitwise(loc: string, unit: bigint, op: (a: bigint, b: bigint) => bigint): (args: unknown[]) => Num {
  return (args) => {
    let acc = unit;
    for (const a of args) acc = op(acc, exactInteger(loc, a));
    return fromBig(acc);
  };
}
const bitwiseAndArgs = bitwise('bitwise-and', -1n, (a, b) => a & b);
const bitwiseIorArgs = bitwise('bitwise-ior', 0n, (a, b) => a | b);
const bitwiseXorArgs = bitwise('bitwise-xor', 0n, (a, b) => a ^ b);

export function arithmeticShift(n: unknown, by: unknown): Num {
  const x = exactInteger('arithmetic-shift', n);
  if (!isExact(by)) throw typeError('arithmetic-shift', by, 'fixnum');
  return fromBig(by >= 0 ? x << BigInt(by) : x >> BigInt(-by));
}

/** (bit->boolean N INDEX), CHICKEN 3's (bit-set? N INDEX): whether bit INDEX of N is 1. */
function bitSet(loc: string) {
  return (n: unknown, i: unknown): boolean => {
    const x = exactInteger(loc, n);
    if (!isExact(i) || i < 0) throw typeError(loc, i, 'fixnum');
    return ((x >> BigInt(i)) & 1n) === 1n;
  };
}

/** (integer-length N): the bits N needs, without its sign. */
function integerLength(n: unknown): number {
  const x = exactInteger('integer-length', n);
  return (x < 0n ? -x - 1n : x).toString(2).replace(/^0$/, '').length;
}

/** (signum X): -1, 0 or 1, inexact when X is (NaN stays NaN). */
export function signum(x: unknown): Num {
  const n = num('signum', x);
  const v = val(n);
  const sign = v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v;
  return isExact(n) ? exact(sign) : new Flo(Object.is(v, -0) ? -0 : sign);
}
export function isOdd(x: unknown): boolean {
  return val(integer('odd?', x)) % 2 !== 0;
}
export function isEven(x: unknown): boolean {
  return val(integer('even?', x)) % 2 === 0;
}

// ---------------------------------------------------------------------------------------------
// number->string
// ---------------------------------------------------------------------------------------------

/** CHICKEN's flonum-print-precision: flonums print like C's "%.15g". */
const PRINT_PRECISION = 15;

/**
 * CHICKEN 5 prints an integral flonum whose log2 (as C computes it) is below 64 with all its
 * digits (`1e19` is 10000000000000000000.0) and anything larger with %.15g (`1e20` is 1e+20).
 * log2 rounds to 64.0 for the flonums just below 2^64 too; the largest that prints in full is
 * 2^64 - 12·4096, so compare with that instead of trusting Math.log2's last bit.
 */
const FULL_DIGITS_LIMIT = 18446744073709502464;

export function numberToString(x: unknown, radix: unknown = 10): string {
  if (typeof x === 'number' && (radix === 10 || radix === 16)) return x.toString(radix);
  if (!isNum(x)) throw typeError('number->string', x, 'number');
  // CHICKEN 5 prints in bases 2 to 16 only.
  if (!isExact(radix) || radix < 2 || radix > 16) throw invalidBase('number->string', radix);
  return isExact(x) ? x.toString(radix) : flonumToString(val(x), radix);
}

/** A flonum as CHICKEN 5 prints it; flonums with a fraction print in decimal whatever RADIX. */
function flonumToString(f: number, radix: number): string {
  if (Number.isNaN(f)) return '+nan.0';
  if (f === Infinity) return '+inf.0';
  if (f === -Infinity) return '-inf.0';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  const a = Math.abs(f);
  if (Number.isInteger(f) && a <= FULL_DIGITS_LIMIT) return `${f < 0 ? '-' : ''}${BigInt(a).toString(radix)}.0`;
  const s = formatG(f, PRINT_PRECISION);
  // Like CHICKEN: an integral flonum printed without an exponent still gets its ".0".
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** C's printf("%.*g", p, x) for finite non-zero x, glibc's round-half-even included. */
function formatG(x: number, p: number): string {
  const [digits, e] = significantDigits(Math.abs(x), p);
  const sign = x < 0 ? '-' : '';
  if (e < -4 || e >= p) {
    const rest = digits.slice(1).replace(/0+$/, '');
    const exponent = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}e${exponent}`;
  }
  if (e >= 0) {
    const frac = digits.slice(e + 1).replace(/0+$/, '');
    return `${sign}${digits.slice(0, e + 1)}${frac ? `.${frac}` : ''}`;
  }
  return `${sign}0.${'0'.repeat(-e - 1)}${digits.replace(/0+$/, '')}`;
}

/**
 * The first P significant decimal digits of X > 0, correctly rounded half to even, and the
 * decimal exponent of the first. JS's toExponential rounds exact halves up, so a possible half
 * is checked against the exact expansion (toExponential(100) is exact for every such tie: a tie
 * has only P+1 significant digits).
 */
function significantDigits(x: number, p: number): [string, number] {
  const wider = x.toExponential(p); // P+1 digits
  if (wider[p + 1] === '5') {
    const exact = x.toExponential(100);
    const m = /^(\d)\.(\d+)e([+-]\d+)$/.exec(exact);
    if (m) {
      const all = m[1] + m[2];
      if (all[p] === '5' && /^0*$/.test(all.slice(p + 1))) return roundHalfEvenDigits(all.slice(0, p), Number(m[3]));
    }
  }
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential(p - 1));
  if (m === null) throw new Error(`unexpected toExponential output for ${x}`);
  return [m[1] + (m[2] ?? ''), Number(m[3])];
}

/** DIGITS followed by an exact half: keep them if the last is even, else add one. */
function roundHalfEvenDigits(digits: string, e: number): [string, number] {
  if (Number(digits[digits.length - 1]) % 2 === 0) return [digits, e];
  const up = (BigInt(digits) + 1n).toString();
  return up.length > digits.length ? [up.slice(0, digits.length), e + 1] : [up, e];
}

// ---------------------------------------------------------------------------------------------
// string->number
// ---------------------------------------------------------------------------------------------

const RADIX_PREFIX: Readonly<Record<string, number>> = { x: 16, o: 8, b: 2, d: 10 };

/**
 * CHICKEN's number syntax: `#x #o #b #d #e #i` prefixes (each kind once), integers in the radix,
 * `#` digits (`1#` is 10.0, inexact), ratios (`6/3` is 2; `1/2` is 0.5 here, having no
 * rationals; `1/0` is #f), decimals with `e s f d l` exponents in radix 10, `+inf.0`, `-inf.0`,
 * `+nan.0`. Anything else is #f, including surrounding blanks and complex numbers.
 */
export function stringToNumber(s: unknown, radix: unknown = 10): Num | false {
  const text = stringValue(s);
  if (text === null) throw typeError('string->number', s, 'string');
  if (!isExact(radix) || radix < 2 || radix > 36) throw invalidBase('string->number', radix);
  return parseNumber(text, radix);
}

type Exactness = 'e' | 'i' | null;

function parseNumber(text: string, radix: number): Num | false {
  let i = 0;
  let exactness: Exactness = null;
  let radixGiven = false;
  while (text.charCodeAt(i) === 35 /* # */) {
    const c = (text[i + 1] ?? '').toLowerCase();
    if (c === 'e' || c === 'i') {
      if (exactness !== null) return false;
      exactness = c;
    } else if (c in RADIX_PREFIX) {
      if (radixGiven) return false;
      radix = RADIX_PREFIX[c] as number;
      radixGiven = true;
    } else {
      return false;
    }
    i += 2;
  }
  return parseReal(i === 0 ? text : text.slice(i), radix, exactness);
}

function parseReal(body: string, radix: number, exactness: Exactness): Num | false {
  const special = /^([+-])(inf|nan)\.0$/i.exec(body);
  if (special) {
    if (exactness === 'e') return false;
    const nan = (special[2] as string).toLowerCase() === 'nan';
    return new Flo(nan ? NaN : special[1] === '-' ? -Infinity : Infinity);
  }
  const slash = body.indexOf('/');
  if (slash >= 0) return parseRatio(body.slice(0, slash), body.slice(slash + 1), radix, exactness);
  const n = scanInteger(body, radix, true);
  if (n !== null) return exactness === 'i' || (exactness === null && n.hashes) ? new Flo(Number(n.value)) : exactBig(n.value);
  if (radix === 10) return parseDecimal(body, exactness);
  return false;
}

interface ScannedInteger {
  value: bigint;
  /** Had trailing `#` digits, which make the number inexact. */
  hashes: boolean;
}

/** [sign] digit+ #* in RADIX, or null. */
function scanInteger(text: string, radix: number, signed: boolean): ScannedInteger | null {
  let i = 0;
  let negative = false;
  if (signed && (text[0] === '+' || text[0] === '-')) {
    negative = text[0] === '-';
    i = 1;
  }
  const start = i;
  while (i < text.length && digitValue(text.charCodeAt(i)) < radix) i++;
  if (i === start) return null;
  const digitsEnd = i;
  while (text.charCodeAt(i) === 35 /* # */) i++;
  if (i !== text.length) return null;
  const digits = text.slice(start, digitsEnd) + '0'.repeat(i - digitsEnd);
  const magnitude = digitsValue(digits, radix);
  return { value: negative ? -magnitude : magnitude, hashes: i > digitsEnd };
}

function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 122) return lower - 87;
  return 99;
}

function digitsValue(digits: string, radix: number): bigint {
  // Up to 10 digits in any base up to 36 is below 2^53: parseInt is exact there.
  if (digits.length <= 10) return BigInt(parseInt(digits, radix));
  const r = BigInt(radix);
  let n = 0n;
  for (let i = 0; i < digits.length; i++) n = n * r + BigInt(digitValue(digits.charCodeAt(i)));
  return n;
}

function parseRatio(numerator: string, denominator: string, radix: number, exactness: Exactness): Num | false {
  const n = scanInteger(numerator, radix, true);
  const d = scanInteger(denominator, radix, false);
  if (n === null || d === null || d.value === 0n) return false;
  const inexact = exactness === 'i' || (exactness !== 'e' && (n.hashes || d.hashes));
  if (!inexact && n.value % d.value === 0n) return exactBig(n.value / d.value);
  return new Flo(Number(n.value) / Number(d.value)); // a rational: its flonum
}

/** Radix-10 decimals: `1.5`, `.5`, `1.`, `1e3`, `1#.#`, with e s f d l exponent markers. */
const DECIMAL = /^[+-]?(?:\d+#*(?:\.#*)?|\d+\.\d*#*|\.\d+#*)(?:[esfdl][+-]?\d+)?$/i;

function parseDecimal(body: string, exactness: Exactness): Num | false {
  if (!DECIMAL.test(body)) return false;
  const v = Number(body.replace(/#/g, '0').replace(/[esfdl]/i, 'e'));
  // #e of a fraction would be a rational in CHICKEN 5: its flonum, as for `1/2`.
  return exactness === 'e' && Number.isInteger(v) ? exact(v) : new Flo(v);
}

// ---------------------------------------------------------------------------------------------
// The procedures, as the library registers them
// ---------------------------------------------------------------------------------------------

type Primitive = (...args: unknown[]) => unknown;

/** Names a primitive and records its lambda list for the printer: `#<procedure (abs x)>`. */
function primitive(name: string, params: string, fn: Primitive): Primitive {
  Object.defineProperty(fn, 'name', { value: name });
  Object.defineProperty(fn, 'schemeParams', { value: params });
  return fn;
}

function unary(name: string, f: (x: unknown) => unknown): Primitive {
  const p: Primitive = (...args) => {
    if (args.length !== 1) throw arityError(p, args.length, '1');
    return f(args[0]);
  };
  return primitive(name, '(x)', p);
}

function binary(name: string, f: (x: unknown, y: unknown) => unknown): Primitive {
  const p: Primitive = (...args) => {
    if (args.length !== 2) throw arityError(p, args.length, '2');
    return f(args[0], args[1]);
  };
  return primitive(name, '(a b)', p);
}

/** One required argument and one #!optional (extra arguments are ignored, as CHICKEN's #!optional does). */
function oneOrTwo(name: string, params: string, f: (x: unknown, y?: unknown) => unknown): Primitive {
  const p: Primitive = (...args) => {
    if (args.length === 0) throw tooFew(0, 1, [p]);
    return args.length === 1 ? f(args[0]) : f(args[0], args[1]);
  };
  return primitive(name, params, p);
}

function variadic(name: string, params: string, f: Primitive): Primitive {
  return primitive(name, params, (...args) => f(...args));
}

/** Every numeric procedure by its Scheme name, with CHICKEN's argument checks. */
export const numericPrimitives: Record<string, Primitive> = {
  '+': variadic('+', 'args', addN),
  '-': variadic('-', '(n1 . ns)', subN),
  '*': variadic('*', 'args', mulN),
  '/': variadic('/', '(n1 . ns)', divN),
  '=': variadic('=', 'args', numEqN),
  '<': variadic('<', 'args', ltN),
  '>': variadic('>', 'args', gtN),
  '<=': variadic('<=', 'args', leN),
  '>=': variadic('>=', 'args', geN),
  max: variadic('max', '(n1 . ns)', max),
  min: variadic('min', '(n1 . ns)', min),
  gcd: variadic('gcd', 'ns', gcd),
  lcm: variadic('lcm', 'ns', lcm),
  add1: unary('add1', (x) => add(x, 1)),
  sub1: unary('sub1', (x) => sub(x, 1)),
  abs: unary('abs', abs),
  signum: unary('signum', signum),
  'bitwise-and': variadic('bitwise-and', 'xs', (...xs) => bitwiseAndArgs(xs)),
  'bitwise-ior': variadic('bitwise-ior', 'xs', (...xs) => bitwiseIorArgs(xs)),
  'bitwise-xor': variadic('bitwise-xor', 'xs', (...xs) => bitwiseXorArgs(xs)),
  'bitwise-not': unary('bitwise-not', (x) => fromBig(~exactInteger('bitwise-not', x))),
  'arithmetic-shift': binary('arithmetic-shift', arithmeticShift),
  'bit->boolean': binary('bit->boolean', bitSet('bit->boolean')),
  'bit-set?': binary('bit-set?', bitSet('bit-set?')),
  'integer-length': unary('integer-length', integerLength),
  quotient: binary('quotient', quotient),
  remainder: binary('remainder', remainder),
  modulo: binary('modulo', modulo),
  expt: binary('expt', expt),
  exp: unary('exp', exp),
  log: oneOrTwo('log', '(a #!optional b)', log),
  sin: unary('sin', sin),
  cos: unary('cos', cos),
  tan: unary('tan', tan),
  asin: unary('asin', asin),
  acos: unary('acos', acos),
  atan: oneOrTwo('atan', '(y #!optional x)', atan),
  sqrt: unary('sqrt', sqrt),
  'exact-integer-sqrt': unary('exact-integer-sqrt', exactIntegerSqrt),
  floor: unary('floor', floor),
  ceiling: unary('ceiling', ceiling),
  round: unary('round', round),
  truncate: unary('truncate', truncate),
  'exact->inexact': unary('exact->inexact', exactToInexact),
  'inexact->exact': unary('inexact->exact', inexactToExact),
  exact: unary('exact', inexactToExact),
  inexact: unary('inexact', exactToInexact),
  'number?': unary('number?', isNumber),
  'complex?': unary('complex?', isNumber),
  'real?': unary('real?', isNumber),
  'rational?': unary('rational?', isRational),
  'integer?': unary('integer?', isInteger),
  'exact?': unary('exact?', isExactNumber),
  'inexact?': unary('inexact?', isInexactNumber),
  'exact-integer?': unary('exact-integer?', isFixnum),
  'fixnum?': unary('fixnum?', isFixnum),
  'flonum?': unary('flonum?', isFlonum),
  'nan?': unary('nan?', isNan),
  'finite?': unary('finite?', isFinite),
  'infinite?': unary('infinite?', isInfinite),
  'zero?': unary('zero?', isZero),
  'positive?': unary('positive?', isPositive),
  'negative?': unary('negative?', isNegative),
  'odd?': unary('odd?', isOdd),
  'even?': unary('even?', isEven),
  'number->string': primitive('number->string', '(n #!optional radix)', (...args) => {
    // CHICKEN's number->string is a C primitive: a wrong count is "bad argument count … expected 1".
    if (args.length < 1 || args.length > 2) throw arityError(numericPrimitives['number->string'], args.length, '1');
    return numberToString(args[0], args.length === 2 ? args[1] : 10);
  }),
  'string->number': oneOrTwo('string->number', '(str #!optional radix)', (s, r) => stringToNumber(s, r ?? 10)),
};

/**
 * The n-ary procedures above with their arguments as one array, for `apply` of a long list:
 * spreading 100,000 arguments into a JS call overflows the stack (csi takes them).
 */
export const numericArrayForms: ReadonlyMap<Primitive, (args: unknown[]) => unknown> = new Map<Primitive, (args: unknown[]) => unknown>([
  [numericPrimitives['+'], addArgs],
  [numericPrimitives['-'], subArgs],
  [numericPrimitives['*'], mulArgs],
  [numericPrimitives['/'], divArgs],
  [numericPrimitives['='], numEqArgs],
  [numericPrimitives['<'], ltArgs],
  [numericPrimitives['>'], gtArgs],
  [numericPrimitives['<='], leArgs],
  [numericPrimitives['>='], geArgs],
  [numericPrimitives.max, (args) => extremum('max', gt, args)],
  [numericPrimitives.min, (args) => extremum('min', lt, args)],
  [numericPrimitives.gcd, gcdArgs],
  [numericPrimitives.lcm, lcmArgs],
  [numericPrimitives['bitwise-and'], bitwiseAndArgs],
  [numericPrimitives['bitwise-ior'], bitwiseIorArgs],
  [numericPrimitives['bitwise-xor'], bitwiseXorArgs],
]);
