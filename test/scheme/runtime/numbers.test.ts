/**
 * The numeric library against CHICKEN 5's csi. Each case is a call of a procedure of
 * `numericPrimitives` and the text csi writes for its result, or for its condition as
 * `ERR (kinds) (location) message (arguments)`. Where our number model differs from CHICKEN 5
 * (no rationals, bignums or complex numbers) the csi result is in a comment beside ours.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bootLips } from '../../../src/scheme/boot.js';
import { bindData, Flo, mutableString, valuesList } from '../../../src/scheme/runtime/data.js';
import { SchemeError } from '../../../src/scheme/runtime/errors.js';
import * as N from '../../../src/scheme/runtime/numbers.js';
import { writeString } from '../../../src/scheme/runtime/printer.js';

beforeAll(async () => {
  bindData(await bootLips());
}, 20_000);

const fl = (v: number): Flo => new Flo(v);
const NAN = fl(NaN);
const INF = fl(Infinity);
const MAX = Number.MAX_SAFE_INTEGER;

/** What csi would show for the call: the written result, or the condition. */
function call(name: string, ...args: unknown[]): string {
  const proc = N.numericPrimitives[name];
  if (proc === undefined) throw new Error(`no primitive ${name}`);
  try {
    return writeString(proc(...args));
  } catch (e) {
    if (!(e instanceof SchemeError)) throw e;
    return `ERR (${e.kinds.join(' ')}) (${e.location ?? '#f'}) ${e.message} (${e.args.map(writeString).join(' ')})`;
  }
}

type Case = [string, unknown[], string];

function table(cases: Case[]): void {
  it.each(cases)('(%s %j) → %s', (name, args, expected) => {
    expect(call(name, ...args)).toBe(expected);
  });
}

const notNumber = (loc: string, x = '"a"'): string => `ERR (exn type) (${loc}) bad argument type - not a number (${x})`;
const notInteger = (loc: string, x: string): string => `ERR (exn type) (${loc}) bad argument type - not an integer (${x})`;

describe('+ - * /', () => {
  table([
    ['+', [], '0'],
    ['*', [], '1'],
    ['+', [1], '1'],
    ['+', [fl(-0)], '-0.0'],
    ['-', [5], '-5'],
    ['-', [fl(5)], '-5.0'],
    ['-', [fl(0)], '-0.0'],
    ['-', [0], '0'],
    ['+', ['a'], notNumber('+')],
    ['+', [1, 'a'], notNumber('+')],
    ['+', ['a', 1], notNumber('+')],
    ['+', [1, 2, 'a'], notNumber('+')],
    ['-', ['a'], notNumber('-')],
    ['*', [2, 'a'], notNumber('*')],
    ['*', ['a'], notNumber('*')],
    ['+', [fl(-0), 0], '0.0'],
    ['*', [fl(1.5), 0], '0.0'],
    ['*', [0, INF], '+nan.0'],
    ['+', [1, NAN], '+nan.0'],
    ['-', [3, fl(1.5)], '1.5'],
    ['+', [fl(0.1), fl(0.2)], '0.3'],
    ['*', [0, -5], '0'],
    // Leaving the safe range gives the nearest flonum (csi: the exact integer).
    ['+', [MAX, 1], '9007199254740992.0'], // csi 9007199254740992
    ['-', [-MAX, 2], '-9007199254740992.0'], // csi -9007199254740993
    ['*', [99999999999, 99999999999], '9.9999999998e+21'], // csi 9999999999800000000001
    ['*', [MAX, -1], '-9007199254740991'],
    ['/', [6, 4], '1.5'], // csi 3/2
    ['/', [6, 3], '2'],
    ['/', [fl(6), 3], '2.0'],
    ['/', [9, fl(3)], '3.0'],
    ['/', [2, fl(0.5)], '4.0'],
    ['/', [5], '0.2'], // csi 1/5
    ['/', [10, 4, 5], '0.5'], // csi 1/2
    ['/', [8, 2, 2], '2'],
    ['/', [0, 5], '0'],
    ['/', [0, -5], '0'],
    ['/', [0, fl(-5)], '-0.0'],
    ['/', [1, 0], 'ERR (exn arithmetic) (/) division by zero (1 0)'],
    ['/', [fl(1), 0], 'ERR (exn arithmetic) (/) division by zero (1.0 0)'],
    ['/', [fl(0), 0], 'ERR (exn arithmetic) (/) division by zero (0.0 0)'],
    ['/', [0], 'ERR (exn arithmetic) (/) division by zero (1 0)'],
    ['/', [2, 0, 'a'], 'ERR (exn arithmetic) (/) division by zero (2 0)'],
    ['/', ['a', 0], 'ERR (exn arithmetic) (/) division by zero ("a" 0)'],
    ['/', [0, 'a'], notNumber('/')],
    ['/', [fl(1), fl(0)], '+inf.0'],
    ['/', [1, fl(0)], '+inf.0'],
    ['/', [-2, fl(0)], '-inf.0'],
    ['/', [fl(0), fl(0)], '+nan.0'],
    ['/', [0, fl(0)], '+nan.0'],
    ['/', [fl(0)], '+inf.0'],
  ]);

  it('has binary entry points for the compiler, overflow included', () => {
    expect(N.add(MAX, MAX)).toEqual(fl(2 * MAX));
    expect(N.add(1, 2)).toBe(3);
    expect(N.sub(fl(1), 2)).toEqual(fl(-1));
    expect(N.mul(-3, 0)).toBe(0);
    expect(Object.is(N.mul(-3, 0), -0)).toBe(false);
    expect(N.div(6, 4)).toEqual(fl(1.5));
    expect(N.neg(0)).toBe(0);
    expect(N.neg(fl(2))).toEqual(fl(-2));
    expect(() => N.add('a', 1)).toThrow('bad argument type - not a number');
  });
});

describe('comparisons', () => {
  table([
    ['<', [], '#t'],
    ['<', [1], '#t'],
    ['>', [1], '#t'],
    ['=', [], '#t'],
    ['<', ['a'], notNumber('<')],
    ['=', ['a'], notNumber('=')],
    ['<', [1, 2, 3], '#t'],
    ['<', [1, 3, 2], '#f'],
    ['<', [1, 3, 'a'], notNumber('<')],
    ['<', [3, 1, 'a'], '#f'],
    ['<', [1, 'a', 0], notNumber('<')],
    ['<', [1, 'a'], notNumber('<')],
    ['=', [1, fl(1)], '#t'],
    ['=', [NAN, NAN], '#f'],
    ['<', [1, NAN], '#f'],
    ['=', [1, 2, 'a'], '#f'],
    ['=', [1, 1, 'a'], notNumber('=')],
    ['=', ['a', 1], notNumber('=')],
    ['>=', [3, 3, 2], '#t'],
    ['>', ['a', 1], notNumber('>')],
    ['<=', [1, 1, 2], '#t'],
    ['<=', [2, 1], '#f'],
    ['>', [fl(2.5), 2], '#t'],
    ['=', [fl(-0), 0], '#t'],
  ]);

  it('has binary entry points', () => {
    expect(N.lt(1, fl(1.5))).toBe(true);
    expect(N.ge(fl(1), 1)).toBe(true);
    expect(N.numEq(MAX, fl(MAX))).toBe(true);
    expect(() => N.gt(1, 'x')).toThrow(SchemeError);
  });
});

describe('max min abs', () => {
  table([
    ['max', [1, fl(2)], '2.0'],
    ['max', [3, fl(2)], '3.0'],
    ['min', [1, fl(2)], '1.0'],
    ['max', [1], '1'],
    ['max', [fl(1)], '1.0'],
    ['max', [1, fl(2), 3], '3.0'],
    ['max', [fl(1), 2, 3], '3.0'],
    ['max', [3, 2, fl(1)], '3.0'],
    ['max', ['a'], notNumber('max')],
    ['max', [1, 'a'], notNumber('>')],
    ['max', [1, 'a', 2], notNumber('>')],
    ['min', [1, 'a'], notNumber('<')],
    ['max', [1, NAN], '1.0'],
    ['max', [NAN, 1], '+nan.0'],
    ['min', [1, NAN], '1.0'],
    ['max', [fl(-0), 0], '-0.0'],
    ['max', [0, fl(-0)], '0.0'],
    ['min', [3, 1, 2], '1'],
    ['max', [], 'ERR (exn arity) (#f) too few arguments - received 0 but expected 1 (#<procedure (max n1 . ns)>)'],
    ['abs', [-5], '5'],
    ['abs', [fl(-5.5)], '5.5'],
    ['abs', [fl(-0)], '0.0'],
    ['abs', [-MAX], String(MAX)],
    ['abs', ['a'], notNumber('abs')],
  ]);
});

describe('quotient remainder modulo gcd lcm', () => {
  table([
    ['quotient', [7, 2], '3'],
    ['quotient', [7, -2], '-3'],
    ['quotient', [-7, 2], '-3'],
    ['remainder', [7, -2], '1'],
    ['modulo', [7, -2], '-1'],
    ['modulo', [-7, -2], '-1'],
    ['modulo', [-7, 2], '1'],
    ['quotient', [fl(7), 2], '3.0'],
    ['modulo', [fl(-7), 2], '1.0'],
    ['modulo', [7, fl(-2)], '-1.0'],
    ['remainder', [-7, fl(2)], '-1.0'],
    ['quotient', [fl(1e300), 3], '3.33333333333333e+299'],
    ['quotient', [fl(1e20), 3], '3.33333333333333e+19'],
    ['remainder', [fl(1e20), 3], '1.0'],
    ['modulo', [fl(1e20), 7], '2.0'],
    ['quotient', [fl(-1), 2], '0.0'],
    ['quotient', [fl(-0), 2], '0.0'],
    ['modulo', [fl(0), 5], '0.0'],
    ['modulo', [fl(-0), 5], '0.0'],
    ['remainder', [-4, fl(2)], '0.0'],
    ['remainder', [fl(-4), 2], '0.0'],
    ['modulo', [fl(-4), 2], '0.0'],
    ['modulo', [fl(4), -2], '0.0'],
    ['modulo', [fl(-1), 3], '2.0'],
    ['remainder', [fl(-1), 3], '-1.0'],
    ['remainder', [-4, 2], '0'],
    ['quotient', [1, 0], 'ERR (exn arithmetic) (quotient) division by zero ()'],
    ['quotient', [1, fl(0)], 'ERR (exn arithmetic) (quotient) division by zero ()'],
    ['remainder', [fl(7), 0], 'ERR (exn arithmetic) (remainder) division by zero ()'],
    ['remainder', [1, fl(0)], 'ERR (exn arithmetic) (remainder) division by zero ()'],
    ['modulo', [1, fl(0)], 'ERR (exn arithmetic) (modulo) division by zero ()'],
    ['quotient', [fl(7.5), 2], notInteger('quotient', '7.5')],
    ['quotient', [7, fl(2.5)], notInteger('quotient', '2.5')],
    ['modulo', [fl(5.5), 2], notInteger('modulo', '5.5')],
    ['modulo', [INF, 2], notInteger('modulo', '+inf.0')],
    ['quotient', ['a', 1], notInteger('quotient', '"a"')],
    ['quotient', [1], 'ERR (exn arity) (#f) bad argument count - received 1 but expected 2 (#<procedure (quotient a b)>)'],
    ['quotient', [1, 2, 3], 'ERR (exn arity) (#f) bad argument count - received 3 but expected 2 (#<procedure (quotient a b)>)'],
    ['gcd', [], '0'],
    ['gcd', [12, 18], '6'],
    ['gcd', [-12, 18], '6'],
    ['gcd', [fl(12), 18], '6.0'],
    ['gcd', [5], '5'],
    ['gcd', [-5], '5'],
    ['gcd', [0, 0], '0'],
    ['gcd', [12, 18, 8], '2'],
    ['gcd', [fl(1.5), 2], notInteger('gcd', '1.5')],
    ['gcd', ['a', 2], notInteger('gcd', '"a"')],
    ['gcd', ['a'], notInteger('gcd', '"a"')],
    ['gcd', [1, 2, 3, 'a'], notInteger('gcd', '"a"')],
    ['lcm', [], '1'],
    ['lcm', [4, 6], '12'],
    ['lcm', [-4, 6], '12'],
    ['lcm', [fl(4), 6], '12.0'],
    ['lcm', [0, 5], '0'],
    ['lcm', [5], '5'],
    ['lcm', [-5], '5'],
    ['lcm', ['a'], notInteger('lcm', '"a"')],
  ]);
});

describe('expt exp log trigonometry sqrt', () => {
  table([
    ['expt', [2, 10], '1024'],
    ['expt', [2, -1], '0.5'], // csi 1/2
    ['expt', [-2, -2], '0.25'], // csi 1/4
    ['expt', [-2, 3], '-8'],
    ['expt', [1, -2], '1'],
    ['expt', [-1, -3], '-1'],
    ['expt', [fl(2), 3], '8.0'],
    ['expt', [2, fl(0.5)], '1.4142135623731'],
    ['expt', [3, fl(3)], '27.0'],
    ['expt', [fl(1.5), 2], '2.25'],
    ['expt', [0, 0], '1'],
    ['expt', [fl(0), 0], '1.0'],
    ['expt', [0, fl(0)], '1.0'],
    ['expt', [2, 62], '4611686018427387904.0'], // csi 4611686018427387904
    ['expt', [2, 100], '1.26765060022823e+30'], // csi 1267650600228229401496703205376
    ['expt', [10, 20], '1e+20'], // csi 100000000000000000000
    ['expt', [fl(-8), fl(0.5)], '+nan.0'], // csi 1.73191211247099e-16+2.82842712474619i
    ['expt', [0, -1], 'ERR (exn arithmetic) (/) division by zero (1 0)'],
    ['expt', [fl(0), -1], '+inf.0'],
    ['expt', ['a', 2], notNumber('expt')],
    ['expt', [2, 'a'], notNumber('expt')],
    ['exp', [0], '1.0'],
    ['exp', [1], '2.71828182845905'],
    ['exp', ['a'], notNumber('exp')],
    ['log', [1], '0.0'],
    ['log', [fl(0)], '-inf.0'],
    ['log', [INF], '+inf.0'],
    ['log', [-1], '+nan.0'], // csi 0.0+3.14159265358979i
    ['log', [8, 2], '3.0'],
    ['log', [100, 10], '2.0'],
    ['log', [8, fl(2)], '3.0'],
    ['log', [1, 1], '+nan.0'],
    ['log', [8, 1], '+inf.0'],
    ['log', [fl(0), 2], '-inf.0'],
    ['log', [8, fl(0)], '-0.0'],
    ['log', [1, 2, 3], '0.0'],
    ['log', [0], 'ERR (exn arithmetic) (log) log of exact 0 is undefined (0)'],
    ['log', [0, 0], 'ERR (exn arithmetic) (log) log of exact 0 is undefined (0)'],
    ['log', [8, 0], 'ERR (exn arithmetic) (log) log of exact 0 is undefined (0)'],
    ['log', ['a'], notNumber('negative?')],
    ['log', [8, 'a'], notNumber('negative?')],
    ['log', [], 'ERR (exn arity) (#f) too few arguments - received 0 but expected 1 (#<procedure (log a #!optional b)>)'],
    ['sin', [0], '0.0'],
    ['sin', [fl(0)], '0.0'],
    ['cos', [0], '1.0'],
    ['tan', [0], '0.0'],
    ['asin', [1], '1.5707963267949'],
    ['acos', [1], '0.0'],
    ['asin', [2], '+nan.0'], // csi 1.5707963267949-1.31695789692482i
    ['acos', [2], '+nan.0'], // csi 0.0+1.31695789692482i
    ['atan', [1], '0.785398163397448'],
    ['atan', [1, 1], '0.785398163397448'],
    ['atan', [0, 0], '0.0'],
    ['atan', [1, 0], '1.5707963267949'],
    ['atan', [0, -1], '3.14159265358979'],
    ['atan', [fl(-0), -1], '-3.14159265358979'],
    ['atan', [1, 2, 3], '0.463647609000806'],
    ['atan', ['a'], notNumber('atan')],
    ['atan', ['a', 1], notNumber('atan')],
    ['atan', [1, 'a'], notNumber('exact->inexact')],
    ['sin', ['a'], notNumber('sin')],
    ['sqrt', [0], '0'],
    ['sqrt', [16], '4'],
    ['sqrt', [15], '3.87298334620742'],
    ['sqrt', [2], '1.4142135623731'],
    ['sqrt', [fl(16)], '4.0'],
    ['sqrt', [fl(2.25)], '1.5'],
    ['sqrt', [fl(-0)], '-0.0'],
    ['sqrt', [fl(1e100)], '1e+50'],
    ['sqrt', [INF], '+inf.0'],
    ['sqrt', [4503599761588225], '67108865'],
    ['sqrt', [4503599761588224], '67108865.0'],
    ['sqrt', [-4], '+nan.0'], // csi 0.0+2.0i
    ['sqrt', ['a'], notNumber('negative?')],
    ['exact-integer-sqrt', [fl(16)], 'ERR (exn type) (exact-integer-sqrt) bad argument type - not an unsigned integer (16.0)'],
    ['exact-integer-sqrt', [-1], 'ERR (exn type) (exact-integer-sqrt) bad argument type - not an unsigned integer (-1)'],
    ['exact-integer-sqrt', ['a'], 'ERR (exn type) (exact-integer-sqrt) bad argument type - not an unsigned integer ("a")'],
  ]);

  it('exact-integer-sqrt gives the root and the rest as two values', () => {
    const sqrt = N.numericPrimitives['exact-integer-sqrt'] as (x: unknown) => unknown;
    expect(valuesList(sqrt(17))).toEqual([4, 1]);
    expect(valuesList(sqrt(0))).toEqual([0, 0]);
    expect(valuesList(sqrt(MAX))).toEqual([94906265, MAX - 94906265 ** 2]);
  });
});

describe('rounding and exactness', () => {
  table([
    ['floor', [fl(2.5)], '2.0'],
    ['floor', [fl(-2.5)], '-3.0'],
    ['floor', [5], '5'],
    ['ceiling', [fl(2.1)], '3.0'],
    ['ceiling', [fl(-0.5)], '-0.0'],
    ['round', [fl(2.5)], '2.0'],
    ['round', [fl(3.5)], '4.0'],
    ['round', [fl(-2.5)], '-2.0'],
    ['round', [fl(-1.5)], '-2.0'],
    ['round', [fl(0.5)], '0.0'],
    ['round', [fl(-0.5)], '-0.0'],
    ['round', [fl(-0.4)], '-0.0'],
    ['round', [fl(0.49999999999999994)], '0.0'],
    ['round', [7], '7'],
    ['round', [fl(1e300)], '1e+300'],
    ['round', [NAN], '+nan.0'],
    ['truncate', [fl(-2.7)], '-2.0'],
    ['truncate', [fl(2.7)], '2.0'],
    ['floor', [INF], '+inf.0'],
    ['floor', ['a'], 'ERR (exn type) (floor) bad argument type - not a real ("a")'],
    ['ceiling', ['a'], 'ERR (exn type) (ceiling) bad argument type - not a real ("a")'],
    ['round', ['a'], 'ERR (exn type) (round) bad argument type - not a real ("a")'],
    ['truncate', ['a'], 'ERR (exn type) (truncate) bad argument type - not a real ("a")'],
    ['exact->inexact', [5], '5.0'],
    ['exact->inexact', [fl(5)], '5.0'],
    ['exact->inexact', [123], '123.0'],
    ['inexact', [5], '5.0'],
    ['exact->inexact', ['a'], notNumber('exact->inexact')],
    ['inexact->exact', [5], '5'],
    ['inexact->exact', [fl(2)], '2'],
    ['inexact->exact', [fl(-0)], '0'],
    ['exact', [fl(-3)], '-3'],
    ['inexact->exact', [fl(1e20)], '1e+20'], // csi 100000000000000000000
    // csi 3/2; CHICKEN 3 raised this for any flonum that was not a fixnum
    ['inexact->exact', [fl(1.5)], 'ERR (exn type) (inexact->exact) inexact number cannot be represented as an exact number (1.5)'],
    ['inexact->exact', [INF], 'ERR (exn type) (inexact->exact) inexact number cannot be represented as an exact number (+inf.0)'],
    ['inexact->exact', [NAN], 'ERR (exn type) (inexact->exact) inexact number cannot be represented as an exact number (+nan.0)'],
    ['inexact->exact', ['a'], notNumber('exact?')],
    ['add1', [fl(1.5)], '2.5'],
    ['add1', [MAX], '9007199254740992.0'],
    ['sub1', [0], '-1'],
    ['add1', ['a'], notNumber('+')],
    ['sub1', ['a'], notNumber('-')],
  ]);
});

describe('predicates', () => {
  table([
    ['zero?', [fl(-0)], '#t'],
    ['zero?', [0], '#t'],
    ['zero?', [1], '#f'],
    ['zero?', ['a'], notNumber('zero?')],
    ['positive?', [fl(-0)], '#f'],
    ['negative?', [fl(-0)], '#f'],
    ['negative?', [-1], '#t'],
    ['positive?', ['a'], notNumber('positive?')],
    ['negative?', ['a'], notNumber('negative?')],
    ['odd?', [fl(1.5)], notInteger('odd?', '1.5')],
    ['odd?', [fl(3)], '#t'],
    ['odd?', [-3], '#t'],
    ['even?', [fl(4)], '#t'],
    ['even?', [0], '#t'],
    ['even?', ['a'], notInteger('even?', '"a"')],
    ['odd?', [INF], notInteger('odd?', '+inf.0')],
    ['integer?', [fl(1)], '#t'],
    ['integer?', [fl(1.5)], '#f'],
    ['integer?', [INF], '#f'],
    ['integer?', ['a'], '#f'],
    ['rational?', [fl(1.5)], '#t'],
    ['rational?', [INF], '#f'],
    ['rational?', [NAN], '#f'],
    ['real?', ['a'], '#f'],
    ['complex?', [1], '#t'],
    ['number?', ['a'], '#f'],
    ['number?', [fl(1)], '#t'],
    ['exact?', [fl(1)], '#f'],
    ['exact?', [1], '#t'],
    ['inexact?', [fl(1)], '#t'],
    ['exact?', ['a'], notNumber('exact?')],
    ['inexact?', ['a'], notNumber('inexact?')],
    ['fixnum?', [fl(1)], '#f'],
    ['fixnum?', [1], '#t'],
    ['flonum?', [fl(1)], '#t'],
    ['flonum?', [1], '#f'],
    ['exact-integer?', [5], '#t'],
    ['nan?', [1], '#f'],
    ['nan?', [NAN], '#t'],
    ['nan?', ['a'], notNumber('nan?')],
    ['finite?', [INF], '#f'],
    ['finite?', [1], '#t'],
    ['finite?', ['a'], notNumber('finite?')],
    ['infinite?', [fl(-Infinity)], '#t'],
    ['infinite?', [NAN], '#f'],
    ['infinite?', ['a'], notNumber('infinite?')],
    ['number?', [], 'ERR (exn arity) (#f) bad argument count - received 0 but expected 1 (#<procedure (number? x)>)'],
    ['abs', [1, 2], 'ERR (exn arity) (#f) bad argument count - received 2 but expected 1 (#<procedure (abs x)>)'],
  ]);
});

describe('number->string', () => {
  // Each flonum and the text csi prints for it.
  const flonums: [number, string][] = [
    [1, '1.0'],
    [1.5, '1.5'],
    [1 / 3, '0.333333333333333'],
    [2 / 3, '0.666666666666667'],
    [Math.SQRT2, '1.4142135623731'],
    [Math.PI, '3.14159265358979'],
    [Math.E, '2.71828182845905'],
    [1e21, '1e+21'],
    [1e22, '1e+22'],
    [1e20, '1e+20'],
    [1e15, '1000000000000000.0'],
    [1e16, '10000000000000000.0'],
    [1e19, '10000000000000000000.0'],
    [1.8e19, '18000000000000000000.0'],
    [1.85e19, '1.85e+19'],
    [9.3e18, '9300000000000000000.0'],
    [-9.2e18, '-9200000000000000000.0'],
    [2 ** 63, '9223372036854775808.0'],
    [2 ** 64, '1.84467440737096e+19'],
    [2 ** 64 - 11 * 4096, '1.84467440737095e+19'],
    [2 ** 64 - 12 * 4096, '18446744073709502464.0'],
    [-(2 ** 64 - 12 * 4096), '-18446744073709502464.0'],
    [1.84467440737095e19, '18446744073709500416.0'],
    [12345678901234567, '12345678901234568.0'],
    [123456789012345.6, '123456789012346.0'],
    [1234567890123456.7, '1.23456789012346e+15'],
    [123456789.123, '123456789.123'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.3'],
    [0.1234567890123456789, '0.123456789012346'],
    [100, '100.0'],
    [-0, '-0.0'],
    [0, '0.0'],
    [1e-7, '1e-07'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-5, '1.5e-05'],
    [7e-10, '7e-10'],
    [6.02e23, '6.02e+23'],
    [1e100, '1e+100'],
    [1.5e300, '1.5e+300'],
    [1e-300, '1e-300'],
    [1.23e-308, '1.23e-308'],
    [1.7976931348623157e308, '1.79769313486232e+308'],
    [5e-324, '4.94065645841247e-324'],
    [-1.5e10, '-15000000000.0'],
    [123456780000000, '123456780000000.0'],
    [1 / 1024, '0.0009765625'],
    // An exact half at the 16th digit rounds to even, as glibc's printf does.
    [1 + 1 / 32768, '1.00003051757812'],
    [Infinity, '+inf.0'],
    [-Infinity, '-inf.0'],
    [NaN, '+nan.0'],
  ];
  it.each(flonums)('prints the flonum %s as %s', (v, text) => {
    expect(N.numberToString(fl(v))).toBe(text);
  });

  table([
    ['number->string', [255, 16], '"ff"'],
    ['number->string', [-255, 16], '"-ff"'],
    ['number->string', [5, 2], '"101"'],
    ['number->string', [-MAX], '"-9007199254740991"'],
    ['number->string', [fl(1.5), 2], '"1.5"'],
    ['number->string', [fl(10), 2], '"1010.0"'],
    ['number->string', [fl(0.1), 16], '"0.1"'],
    ['number->string', [fl(1e21), 2], '"1e+21"'],
    ['number->string', [fl(1e19), 2], '"1000101011000111001000110000010010001001111010000000000000000000.0"'],
    ['number->string', [fl(1e19), 16], '"8ac7230489e80000.0"'],
    ['number->string', [fl(-1.5), 16], '"-1.5"'],
    ['number->string', [fl(-0), 2], '"-0.0"'],
    ['number->string', [INF, 2], '"+inf.0"'],
    ['number->string', [fl(3), 16], '"3.0"'],
    ['number->string', [35, 36], 'ERR (exn type) (number->string) bad argument type - invalid base (36)'],
    ['number->string', [17, 17], 'ERR (exn type) (number->string) bad argument type - invalid base (17)'],
    ['number->string', [1, 1], 'ERR (exn type) (number->string) bad argument type - invalid base (1)'],
    ['number->string', [5, 'a'], 'ERR (exn type) (number->string) bad argument type - invalid base ("a")'],
    ['number->string', ['a'], notNumber('number->string')],
  ]);
});

describe('string->number', () => {
  const cases: [string, string][] = [
    ['12abc', '#f'],
    ['abc', '#f'],
    ['', '#f'],
    ['#x1F', '31'],
    ['1e3', '1000.0'],
    ['1/2', '0.5'], // csi 1/2
    ['6/3', '2'],
    ['-6/4', '-1.5'], // csi -3/2
    ['+1/2', '0.5'],
    ['1/0', '#f'],
    ['1/-2', '#f'],
    ['1.5/2', '#f'],
    ['1/2e2', '#f'],
    ['1./2', '#f'],
    ['#i1/2', '0.5'],
    ['#e1/2', '0.5'], // csi 1/2
    ['#x1/f', '0.0666666666666667'], // csi 1/15
    ['1/2#', '0.05'],
    ['1#/2', '5.0'],
    ['.5', '0.5'],
    ['-', '#f'],
    ['+', '#f'],
    ['+5', '5'],
    [' 5', '#f'],
    ['5 ', '#f'],
    ['-0', '0'],
    ['-0.0', '-0.0'],
    ['1.', '1.0'],
    ['5.', '5.0'],
    ['.', '#f'],
    ['1e', '#f'],
    ['1e+', '#f'],
    ['1e-2', '0.01'],
    ['1E3', '1000.0'],
    ['1.5e+2', '150.0'],
    ['1e-0', '1.0'],
    ['1e0003', '1000.0'],
    ['-1e-3', '-0.001'],
    ['+.5', '0.5'],
    ['-.5e2', '-50.0'],
    ['1.5e2.5', '#f'],
    ['1d3', '1000.0'],
    ['1f3', '1000.0'],
    ['1s3', '1000.0'],
    ['1l3', '1000.0'],
    ['1e10', '10000000000.0'],
    ['1.0e15', '1000000000000000.0'],
    ['00012', '12'],
    ['#e1.5', '1.5'], // csi 3/2
    ['#e1.5e-3', '0.0015'], // csi 3/2000
    ['#i3', '3.0'],
    ['#e1e3', '1000'],
    ['#b101', '5'],
    ['#b-101', '-5'],
    ['#o17', '15'],
    ['#d10', '10'],
    ['#xff', '255'],
    ['#XFF', '255'],
    ['#x-ff', '-255'],
    ['#x+ff', '255'],
    ['#xe', '14'],
    ['#x1e3', '483'],
    ['#x1.5', '#f'],
    ['#b2', '#f'],
    ['#e#x10', '16'],
    ['#x#e10', '16'],
    ['#i#x10', '16.0'],
    ['#e#i1', '#f'],
    ['#e#e1', '#f'],
    ['#x#x1', '#f'],
    ['#', '#f'],
    ['#t', '#f'],
    ['+inf.0', '+inf.0'],
    ['-inf.0', '-inf.0'],
    ['+nan.0', '+nan.0'],
    ['-nan.0', '+nan.0'],
    ['+INF.0', '+inf.0'],
    ['+NaN.0', '+nan.0'],
    ['#i+inf.0', '+inf.0'],
    ['#e+inf.0', '#f'],
    ['inf', '#f'],
    ['+inf', '#f'],
    ['+inf.0e2', '#f'],
    ['+nan.5', '#f'],
    ['1e400', '+inf.0'],
    ['1e-400', '0.0'],
    ['1e308', '1e+308'],
    ['1e309', '+inf.0'],
    ['4.9e-324', '4.94065645841247e-324'],
    ['2e-324', '0.0'],
    ['123456789012345678901234567890', '1.23456789012346e+29'], // csi the exact integer
    ['-9007199254740993', '-9007199254740992.0'], // csi the exact integer
    ['9007199254740991', '9007199254740991'],
    ['1#', '10.0'],
    ['1#.#', '10.0'],
    ['1#.5', '#f'],
    ['1.5#', '1.5'],
    ['1.#', '1.0'],
    ['.#', '#f'],
    ['1#e2', '1000.0'],
    ['#x1#', '16.0'],
    ['#e1#', '10'],
    ['1##.5', '#f'],
    ['1_000', '#f'],
    ['0x10', '#f'],
    ['ff', '#f'],
    ['1+2i', '#f'], // csi 1+2i
    ['+i', '#f'], // csi 0+1i
  ];
  it.each(cases)('reads %j as %s', (text, expected) => {
    expect(call('string->number', text)).toBe(expected);
  });

  table([
    ['string->number', ['1e3', 16], '483'],
    ['string->number', ['10', 16], '16'],
    ['string->number', ['#x10', 10], '16'],
    ['string->number', ['#d10', 16], '10'],
    ['string->number', ['1', 17], '1'],
    ['string->number', ['z', 36], '35'],
    ['string->number', ['Z', 36], '35'],
    ['string->number', ['-ff', 16], '-255'],
    ['string->number', ['1.5', 16], '#f'],
    ['string->number', ['1.5', 2], '#f'],
    ['string->number', ['1e2', 2], '#f'],
    ['string->number', ['#b1.1'], '#f'],
    ['string->number', ['1/2', 2], '#f'],
    ['string->number', ['12', 2], '#f'],
    ['string->number', ['1', 10, 3], '1'],
    ['string->number', ['1', 37], 'ERR (exn type) (string->number) bad argument type - invalid base (37)'],
    ['string->number', ['1', 'a'], 'ERR (exn type) (string->number) bad argument type - invalid base ("a")'],
    ['string->number', [5], 'ERR (exn type) (string->number) bad argument type - not a string (5)'],
  ]);

  it('reads mutable strings and long digit strings in any radix', () => {
    expect(N.stringToNumber(mutableString('42'))).toBe(42);
    expect(N.stringToNumber('zzzzzzzzzzzz', 36)).toEqual(fl(36 ** 12 - 1));
    expect(N.stringToNumber('11111111111111111111111111111111111111111111111111111', 2)).toBe(2 ** 53 - 1);
    expect(N.stringToNumber('1' + '0'.repeat(400))).toEqual(fl(Infinity));
  });

  it('reads back what number->string prints', () => {
    for (const v of [0.1, 1 / 3, 1e21, 123.456, -2.5e-10, 1e19, 2 ** 60]) {
      const text = N.numberToString(fl(v));
      const back = N.stringToNumber(text);
      expect(back).toBeInstanceOf(Flo);
      expect(Math.abs((back as Flo).v - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-14);
    }
  });
});
