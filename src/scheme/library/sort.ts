/**
 * `%sort-vector!`: the stable merge sort under `sort`, `sort!` and `sort` of a list (through a
 * vector), in TypeScript. CHICKEN's sort is compiled C even under csi; as Scheme, ours paid for
 * JIT warm-up of a large state machine on every first sort. The comparison procedure is called
 * directly; a comparison that waits for I/O (it returned a Promise) makes the rest of the sort
 * continue when it settles, so `less?` may do anything a Scheme procedure may.
 */
import type { Engine } from '../compiler/index.js';
import { S, SUSP, charge, completeSuspended, execute } from '../runtime/control.js';
import { typeError } from '../runtime/errors.js';
import { defineProcedures, isThenable } from './define.js';

type Fn = (...args: unknown[]) => unknown;

/** No comparison result is waiting to be used. */
const NONE: unique symbol = Symbol('none');

/**
 * A bottom-up merge sort of V in place, as an explicit state (run width, the pair of runs being
 * merged, the positions in them), so it can stop at any comparison and go on later.
 */
class MergeSort {
  private a: unknown[];
  private t: unknown[];
  private readonly n: number;
  private width = 1;
  private lo = 0;
  private mid: number;
  private hi: number;
  private i = 0;
  private j: number;
  private k = 0;

  constructor(private readonly v: unknown[], private readonly less: Fn) {
    this.n = v.length;
    this.a = v;
    this.t = new Array<unknown>(this.n);
    this.mid = Math.min(1, this.n);
    this.hi = Math.min(2, this.n);
    this.j = this.mid;
  }

  /** Sorts on from the saved state (RESUMED: the result of the comparison that was waited for). Returns V, or a Promise of it. */
  run(resumed: unknown = NONE): unknown {
    const { n, less } = this;
    let { a, t, width, lo, mid, hi, i, j, k } = this;
    const base = S.depth;
    const outer = S.preemptible;
    const dyn = S.dyn;
    // Comparisons run to their end here: the sort's own state is not a Scheme frame to save.
    S.preemptible = false;
    let result = resumed;
    try {
      while (width < n) {
        if (i < mid && j < hi) {
          let r = result;
          result = NONE;
          if (r === NONE) {
            r = less(a[j], a[i]);
            S.depth = base;
            if (r === SUSP) r = completeSuspended(base);
            if (isThenable(r)) {
              Object.assign(this, { a, t, width, lo, mid, hi, i, j, k });
              return Promise.resolve(r).then((x) => execute(() => this.run(x), false, dyn));
            }
          }
          // Stable: the right run's element goes first only when strictly less.
          if (r !== false) t[k++] = a[j++];
          else t[k++] = a[i++];
          continue;
        }
        while (i < mid) t[k++] = a[i++];
        while (j < hi) t[k++] = a[j++];
        lo += 2 * width;
        if (lo >= n) {
          const swap = a;
          a = t;
          t = swap;
          width *= 2;
          lo = 0;
          charge(n >> 8);
        }
        mid = Math.min(lo + width, n);
        hi = Math.min(lo + 2 * width, n);
        i = lo;
        j = mid;
        k = lo;
      }
    } finally {
      S.preemptible = outer;
      S.depth = base;
      S.dyn = dyn;
    }
    if (a !== this.v) for (let x = 0; x < n; x++) this.v[x] = a[x];
    return this.v;
  }
}

export function installSort(engine: Engine): void {
  defineProcedures(engine, {
    '%sort-vector!': [(v: unknown, less: unknown) => {
      if (!Array.isArray(v)) throw typeError('sort', v, 'vector');
      if (typeof less !== 'function') throw typeError('sort', less, 'procedure');
      return new MergeSort(v, less as Fn).run();
    }, 2, 2],
  });
}
