/**
 * k-prototypes clustering of mixed numeric / categorical rows (Huang, *Clustering large data sets with
 * mixed numeric and categorical values*, PAKDD 1997), with k-modes (Huang 1998) as the case without
 * numeric columns and plain (online) k-means as the case without categorical ones. The procedure follows the
 * `kmodes` Python package that VirnyFlow's imputer uses:
 *
 * - dissimilarity of a row x to a prototype c: Σ_num (x_j − c_j)² + γ · #{categorical j : x_j ≠ c_j};
 * - categorical prototypes start by `Huang` (per attribute, k values drawn with probability ∝ frequency,
 *   each prototype then replaced by the closest row not identical to an earlier prototype), `Cao`
 *   (Cao et al. 2009: the densest row, then rows maximising min-dissimilarity × density) or `random`
 *   (k distinct rows); numeric prototypes start at mean + N(0, 1) · std per column, whatever the init;
 * - every row joins its nearest prototype, prototypes become cluster means / modes; then passes move rows
 *   one at a time to their nearest prototype, updating the two clusters' means and modes at once. A
 *   cluster left empty takes a random row of the largest cluster. Passes stop when no row moves, the cost
 *   does not decrease, or after `maxIter`;
 * - `nInit` runs with seeds `hashSeeds(seed, run)`; the lowest-cost run wins (the first on a tie).
 *
 * Ties between prototypes go to the lower cluster index; ties between category counts to the lower code.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import { ImputationErrorCode, imputationError } from './errors';

export const KPrototypesInit = { Huang: 'Huang', Cao: 'Cao', Random: 'random' } as const;
export type KPrototypesInit = (typeof KPrototypesInit)[keyof typeof KPrototypesInit];

export interface KPrototypesData {
  readonly nRows: number;
  /** (nRows, nNumeric) row-major numeric values, complete. */
  readonly numeric: Float64Array;
  readonly nNumeric: number;
  /** (nRows, nCategorical) row-major codes in [0, nCategories[j]), complete. */
  readonly categorical: Int32Array;
  /** (nCategorical) number of categories of each categorical column. */
  readonly nCategories: Int32Array;
}

export interface KPrototypesOptions {
  readonly nClusters: number;
  readonly maxIter: number;
  readonly init: KPrototypesInit;
  readonly nInit: number;
  /** Weight γ of a categorical mismatch against a squared numeric difference. */
  readonly gamma: number;
  readonly seed: number;
}

export interface KPrototypesResult {
  /** Clusters actually used: min(nClusters, nRows). */
  readonly nClusters: number;
  /** (nClusters, nNumeric) row-major numeric prototypes. */
  readonly numeric: Float64Array;
  /** (nClusters, nCategorical) row-major categorical prototypes. */
  readonly categorical: Int32Array;
  /** (nRows) cluster of each row at the end of the best run. */
  readonly labels: Int32Array;
  readonly cost: number;
  /** Passes of the best run. */
  readonly nIter: number;
}

/**
 * kmodes' default γ: half the mean standard deviation of the numeric columns (0.5 · mean_j std_j); 1 without
 * numeric columns (then it only scales the cost).
 */
export function defaultGamma(data: KPrototypesData): number {
  const { nRows: n, nNumeric: pn, numeric } = data;
  if (pn === 0 || n === 0) return 1;
  let total = 0;
  for (let j = 0; j < pn; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += numeric[i * pn + j];
    const mean = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (numeric[i * pn + j] - mean) ** 2;
    total += Math.sqrt(ss / n);
  }
  return (0.5 * total) / pn;
}

export function kPrototypes(data: KPrototypesData, options: KPrototypesOptions): KPrototypesResult {
  if (data.nRows < 1) {
    throw imputationError(ImputationErrorCode.BadOption, 'k-prototypes: there are no rows to cluster', {
      nRows: data.nRows,
    });
  }
  let best: KPrototypesResult | null = null;
  for (let run = 0; run < options.nInit; run++) {
    const r = singleRun(data, options, new Rng(hashSeeds(options.seed, run)));
    if (best === null || r.cost < best.cost) best = r;
  }
  return best as KPrototypesResult;
}

/** Cost of row i against prototype c (rows and prototypes both complete). */
function dissimilarity(
  data: KPrototypesData,
  i: number,
  protoNum: Float64Array,
  protoCat: Int32Array,
  c: number,
  gamma: number,
): number {
  const pn = data.nNumeric;
  const pc = data.nCategories.length;
  let s = 0;
  for (let j = 0, a = i * pn, b = c * pn; j < pn; j++) {
    const e = data.numeric[a + j] - protoNum[b + j];
    s += e * e;
  }
  let m = 0;
  for (let j = 0, a = i * pc, b = c * pc; j < pc; j++) if (data.categorical[a + j] !== protoCat[b + j]) m++;
  return s + gamma * m;
}

function nearest(
  data: KPrototypesData,
  i: number,
  protoNum: Float64Array,
  protoCat: Int32Array,
  k: number,
  gamma: number,
): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const dd = dissimilarity(data, i, protoNum, protoCat, c, gamma);
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  return best;
}

function singleRun(data: KPrototypesData, o: KPrototypesOptions, rng: Rng): KPrototypesResult {
  const n = data.nRows;
  const pn = data.nNumeric;
  const pc = data.nCategories.length;
  const k = Math.max(1, Math.min(o.nClusters, n));
  const gamma = o.gamma;
  const X = data.numeric;
  const Z = data.categorical;

  // Category-count tables: attribute j of cluster c owns counts[catOffset[j] + c * nCategories[j] + v].
  const catOffset = new Int32Array(pc + 1);
  for (let j = 0; j < pc; j++) catOffset[j + 1] = catOffset[j] + k * data.nCategories[j];
  const counts = new Float64Array(catOffset[pc]);
  const sums = new Float64Array(k * pn);
  const size = new Int32Array(k);
  const protoNum = new Float64Array(k * pn);
  const protoCat = initCategorical(data, k, o.init, rng);

  // Numeric prototypes: mean + N(0, 1) · std per column (kmodes' k-prototypes, for every init).
  for (let j = 0; j < pn; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * pn + j];
    const mean = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (X[i * pn + j] - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    for (let c = 0; c < k; c++) protoNum[c * pn + j] = mean + rng.normal() * sd;
  }

  const labels = new Int32Array(n);
  const add = (i: number, c: number, sign: 1 | -1): void => {
    size[c] += sign;
    for (let j = 0; j < pn; j++) sums[c * pn + j] += sign * X[i * pn + j];
    for (let j = 0; j < pc; j++) counts[catOffset[j] + c * data.nCategories[j] + Z[i * pc + j]] += sign;
  };
  const updateNumeric = (c: number): void => {
    if (size[c] === 0) return;
    for (let j = 0; j < pn; j++) protoNum[c * pn + j] = sums[c * pn + j] / size[c];
  };
  const modeOf = (c: number, j: number): number => {
    const K = data.nCategories[j];
    const off = catOffset[j] + c * K;
    let best = 0;
    for (let v = 1; v < K; v++) if (counts[off + v] > counts[off + best]) best = v;
    return best;
  };

  // Initial assignment, then prototypes from the memberships. A cluster nobody joined is re-seeded on a
  // random row so that every prototype is a real point.
  for (let i = 0; i < n; i++) {
    const c = nearest(data, i, protoNum, protoCat, k, gamma);
    labels[i] = c;
    add(i, c, 1);
  }
  for (let c = 0; c < k; c++) {
    if (size[c] === 0) {
      const i = rng.nextInt(n);
      for (let j = 0; j < pn; j++) protoNum[c * pn + j] = X[i * pn + j];
      for (let j = 0; j < pc; j++) protoCat[c * pc + j] = Z[i * pc + j];
      continue;
    }
    updateNumeric(c);
    for (let j = 0; j < pc; j++) protoCat[c * pc + j] = modeOf(c, j);
  }

  const move = (i: number, from: number, to: number): void => {
    add(i, from, -1);
    add(i, to, 1);
    labels[i] = to;
    updateNumeric(from);
    updateNumeric(to);
    for (let j = 0; j < pc; j++) {
      const v = Z[i * pc + j];
      const K = data.nCategories[j];
      const toOff = catOffset[j] + to * K;
      const cur = protoCat[to * pc + j];
      // The joining row can only lift its own value to the mode of `to`.
      if (counts[toOff + v] > counts[toOff + cur] || (counts[toOff + v] === counts[toOff + cur] && v < cur)) {
        protoCat[to * pc + j] = v;
      }
      // The leaving row can only dethrone its own value in `from`.
      if (protoCat[from * pc + j] === v && size[from] > 0) protoCat[from * pc + j] = modeOf(from, j);
    }
  };

  let cost = totalCost(data, labels, protoNum, protoCat, gamma);
  let iter = 0;
  while (iter < o.maxIter) {
    iter++;
    let moves = 0;
    for (let i = 0; i < n; i++) {
      const to = nearest(data, i, protoNum, protoCat, k, gamma);
      const from = labels[i];
      if (to === from) continue;
      moves++;
      move(i, from, to);
      if (size[from] === 0) {
        // Refill the emptied cluster with a random row of the largest one (the first largest on a tie).
        let big = 0;
        for (let c = 1; c < k; c++) if (size[c] > size[big]) big = c;
        let pick = rng.nextInt(size[big]);
        let r = 0;
        for (; r < n; r++) if (labels[r] === big && pick-- === 0) break;
        move(r, big, from);
        for (let j = 0; j < pc; j++) protoCat[from * pc + j] = modeOf(from, j);
      }
    }
    const next = totalCost(data, labels, protoNum, protoCat, gamma);
    const converged = moves === 0 || next >= cost;
    cost = next;
    if (converged) break;
  }
  return { nClusters: k, numeric: protoNum, categorical: protoCat, labels, cost, nIter: iter };
}

function totalCost(
  data: KPrototypesData,
  labels: Int32Array,
  protoNum: Float64Array,
  protoCat: Int32Array,
  gamma: number,
): number {
  let s = 0;
  for (let i = 0; i < data.nRows; i++) s += dissimilarity(data, i, protoNum, protoCat, labels[i], gamma);
  return s;
}

/** (k, nCategorical) initial categorical prototypes. */
function initCategorical(data: KPrototypesData, k: number, init: KPrototypesInit, rng: Rng): Int32Array {
  const n = data.nRows;
  const pc = data.nCategories.length;
  const Z = data.categorical;
  const proto = new Int32Array(k * pc);
  if (pc === 0) return proto;
  if (init === KPrototypesInit.Random) {
    // k distinct rows (partial Fisher–Yates over row indices).
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let c = 0; c < k; c++) {
      const r = c + rng.nextInt(n - c);
      const t = perm[c];
      perm[c] = perm[r];
      perm[r] = t;
      proto.set(Z.subarray(perm[c] * pc, perm[c] * pc + pc), c * pc);
    }
    return proto;
  }
  // freq[off[j] + v]: count of value v in attribute j.
  const off = new Int32Array(pc + 1);
  for (let j = 0; j < pc; j++) off[j + 1] = off[j] + data.nCategories[j];
  const freq = new Float64Array(off[pc]);
  for (let i = 0; i < n; i++) for (let j = 0; j < pc; j++) freq[off[j] + Z[i * pc + j]]++;
  const mismatches = (i: number, c: number): number => {
    let m = 0;
    for (let j = 0; j < pc; j++) if (Z[i * pc + j] !== proto[c * pc + j]) m++;
    return m;
  };
  if (init === KPrototypesInit.Cao) {
    // density(i) = Σ_j freq_j(x_ij) / (n · nCategorical)
    const density = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < pc; j++) s += freq[off[j] + Z[i * pc + j]];
      density[i] = s / (n * pc);
    }
    let first = 0;
    for (let i = 1; i < n; i++) if (density[i] > density[first]) first = i;
    proto.set(Z.subarray(first * pc, first * pc + pc), 0);
    const minD = new Float64Array(n).fill(Infinity);
    for (let c = 1; c < k; c++) {
      // Score of a row: min over chosen prototypes of (mismatches × density); the largest becomes the next.
      let pick = 0;
      let bestScore = -Infinity;
      for (let i = 0; i < n; i++) {
        const s = mismatches(i, c - 1) * density[i];
        if (s < minD[i]) minD[i] = s;
        if (minD[i] > bestScore) {
          bestScore = minD[i];
          pick = i;
        }
      }
      proto.set(Z.subarray(pick * pc, pick * pc + pc), c * pc);
    }
    return proto;
  }
  // Huang: draw each attribute's value ∝ its frequency, then snap every prototype to its closest row that
  // is not identical to an earlier prototype.
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < pc; j++) {
      let u = rng.next() * n;
      let v = 0;
      const K = data.nCategories[j];
      for (; v < K - 1; v++) {
        u -= freq[off[j] + v];
        if (u < 0) break;
      }
      proto[c * pc + j] = v;
    }
  }
  for (let c = 0; c < k; c++) {
    let pick = -1;
    let bestM = Infinity;
    for (let i = 0; i < n; i++) {
      const m = mismatches(i, c);
      if (m >= bestM) continue;
      let duplicate = false;
      for (let e = 0; e < c && !duplicate; e++) {
        let same = true;
        for (let j = 0; j < pc && same; j++) same = Z[i * pc + j] === proto[e * pc + j];
        duplicate = same;
      }
      if (duplicate) continue;
      bestM = m;
      pick = i;
    }
    // Every row equals an earlier prototype (fewer distinct rows than clusters): keep the drawn values.
    if (pick >= 0) proto.set(Z.subarray(pick * pc, pick * pc + pc), c * pc);
  }
  return proto;
}
