/**
 * A compact random forest of multi-output squared-error trees, grown on the models package's shared
 * histogram binning (`binMatrix`: ≤ 255 value bins per feature, real-valued thresholds). MissForest uses it
 * for two jobs:
 *
 * - numeric columns, one output: scikit-learn's `RandomForestRegressor` (criterion `squared_error`);
 * - categorical columns with K > 2 classes, K one-hot outputs: Gini classification. The Gini impurity
 *   1 − Σ_k p_k² equals Σ_k p_k(1 − p_k), the summed variances of the K class indicators, so the
 *   squared-error split on one-hot targets is the Gini split (Breiman et al., *Classification and
 *   Regression Trees*, 1984, §4.3) and a leaf's mean vector is its class-probability vector.
 *
 * Tree semantics follow scikit-learn's depth-first `BestSplitter`: a node is a leaf at `maxDepth`, below
 * `minSamplesSplit` or `2 · minSamplesLeaf` distinct rows, or when its impurity is ≤ DBL_EPSILON; otherwise
 * it takes the split with the largest impurity decrease (strict comparison, candidates in ascending
 * threshold order), each child keeping ≥ `minSamplesLeaf` distinct rows. Features are drawn per node without
 * replacement until `maxFeatures` have been visited and one of them is not constant in the node. A bootstrap
 * sample (n draws with replacement) becomes per-row weights = number of draws, as scikit-learn does.
 *
 * Tree t draws from `Rng(hashSeeds(seed, t))`, so trees do not depend on each other's random consumption.
 * Features must be complete, in training and at prediction alike (MissForest fills them first).
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import type { BinnedMatrix, DenseMatrix } from '@virnyflow/models';
import { binMatrix } from '@virnyflow/models';
import { ImputationErrorCode, imputationError } from './errors';

export interface ForestOptions {
  readonly nEstimators: number;
  /** Infinity = grow until pure or `minSamples*` stop. */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly bootstrap: boolean;
  /** Features drawn per node, 1..nFeatures. */
  readonly maxFeatures: number;
}

/**
 * One tree as flat arrays, 16 bytes per node (MissForest keeps a forest per column and iteration, so size
 * matters). Node 0 is the root; the two children of a split are adjacent (`right = left + 1`).
 */
interface OutputTree {
  /** (nNodes) split feature, -1 for a leaf. */
  readonly feature: Int32Array;
  /** (nNodes) split threshold (`x <= threshold` goes left); a leaf of a one-output tree holds its value. */
  readonly threshold: Float64Array;
  /** (nNodes) left child; a leaf of a multi-output tree holds its row in `leafValues`. */
  readonly left: Int32Array;
  /** (nLeaves, nOutputs) row-major leaf means of a multi-output tree; empty for one output. */
  readonly leafValues: Float64Array;
}

/** scikit-learn's "pure node" epsilon (np.finfo('double').eps). */
const EPSILON = 2.220446049250313e-16;

export class VarianceForest {
  private constructor(
    readonly nFeatures: number,
    readonly nOutputs: number,
    private readonly trees: readonly OutputTree[],
  ) {}

  /**
   * Fits on X (nRows, nFeatures) with targets Y (nRows, nOutputs) row-major. X must have no NaN and is
   * treated as immutable afterwards (its binning is cached by the models package).
   */
  static fit(
    X: DenseMatrix,
    Y: Float64Array,
    nOutputs: number,
    options: ForestOptions,
    seed: number,
  ): VarianceForest {
    const n = X.nRows;
    if (Y.length !== n * nOutputs || n === 0) {
      throw imputationError(
        ImputationErrorCode.BadOption,
        `forest: Y has ${Y.length} values for ${n} rows × ${nOutputs} outputs (and needs at least one row)`,
        { rows: n, outputs: nOutputs, length: Y.length },
      );
    }
    const B = binMatrix(X);
    for (let j = 0; j < B.nCols; j++) {
      if (B.missingCount[j] > 0) {
        throw imputationError(
          ImputationErrorCode.BadOption,
          `forest: feature ${j} has ${B.missingCount[j]} missing values; fill the features before fitting`,
          { feature: j },
        );
      }
    }
    const grower = new Grower(B, Y, nOutputs, options);
    const weight = new Float64Array(n);
    const rows = new Uint32Array(n);
    const trees: OutputTree[] = [];
    for (let t = 0; t < options.nEstimators; t++) {
      const rng = new Rng(hashSeeds(seed, t));
      let m = 0;
      if (options.bootstrap) {
        weight.fill(0);
        for (let k = 0; k < n; k++) weight[rng.nextInt(n)] += 1;
        for (let r = 0; r < n; r++) if (weight[r] > 0) rows[m++] = r;
      } else {
        weight.fill(1);
        for (let r = 0; r < n; r++) rows[m++] = r;
      }
      trees.push(grower.grow(weight, rows.subarray(0, m), rng));
    }
    return new VarianceForest(X.nCols, nOutputs, trees);
  }

  /** (nRows, nOutputs) row-major: the mean over trees of each row's leaf value. */
  predict(X: DenseMatrix): Float64Array {
    if (X.nCols !== this.nFeatures) {
      throw imputationError(
        ImputationErrorCode.BadOption,
        `forest: X has ${X.nCols} columns but the forest was fitted on ${this.nFeatures}`,
        { nCols: X.nCols, expected: this.nFeatures },
      );
    }
    const d = this.nOutputs;
    const { data, nRows, nCols } = X;
    const out = new Float64Array(nRows * d);
    for (const tree of this.trees) {
      const { feature, threshold, left, leafValues } = tree;
      for (let i = 0, base = 0; i < nRows; i++, base += nCols) {
        let node = 0;
        let f = feature[0];
        while (f >= 0) {
          node = data[base + f] <= threshold[node] ? left[node] : left[node] + 1;
          f = feature[node];
        }
        if (d === 1) out[i] += threshold[node];
        else {
          const o = i * d;
          const v = left[node] * d;
          for (let k = 0; k < d; k++) out[o + k] += leafValues[v + k];
        }
      }
    }
    const inv = 1 / this.trees.length;
    for (let k = 0; k < out.length; k++) out[k] *= inv;
    return out;
  }
}

/** Grows trees on one binned matrix; every scratch buffer is allocated once here. */
class Grower {
  private readonly n: number;
  private readonly p: number;
  /** Histogram channels per bin: [weight, Σ w·y_0 … Σ w·y_{d-1}, distinct-row count]. */
  private readonly C: number;
  /** Rows of the current tree, partitioned so every node owns a contiguous range. */
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  /** (256, C) one feature's histogram within a node; cleared bin by bin after each scan. */
  private readonly hist: Float64Array;
  /** Bins occupied in the node for the feature being scanned. */
  private readonly touched: Uint16Array;
  /** (d) Σ w·y of the current node, and its Σ w. */
  private readonly nodeSum: Float64Array;
  private nodeWeight = 0;
  private readonly leftSum: Float64Array;
  private readonly perm: Int32Array;
  private weight!: Float64Array;
  // Tree under construction (capacity doubles when full).
  private cap = 0;
  private nNodes = 0;
  private feature = new Int32Array(0);
  private threshold = new Float64Array(0);
  private left = new Int32Array(0);
  /** (cap, d) every node's mean target; only the leaves' rows are kept in the finished tree. */
  private value = new Float64Array(0);
  // Best split of the current node.
  private bestProxy = -Infinity;
  private bestFeature = -1;
  private bestBin = 0;
  private bestNext = 0;

  constructor(
    private readonly B: BinnedMatrix,
    private readonly Y: Float64Array,
    private readonly d: number,
    private readonly o: ForestOptions,
  ) {
    this.n = B.nRows;
    this.p = B.nCols;
    this.C = d + 2;
    this.idx = new Uint32Array(this.n);
    this.tmp = new Uint32Array(this.n);
    this.hist = new Float64Array(256 * this.C);
    this.touched = new Uint16Array(256);
    this.nodeSum = new Float64Array(d);
    this.leftSum = new Float64Array(d);
    this.perm = new Int32Array(this.p);
  }

  grow(weight: Float64Array, rows: Uint32Array, rng: Rng): OutputTree {
    this.weight = weight;
    this.idx.set(rows);
    this.nNodes = 0;
    this.ensure(64);
    const o = this.o;
    const root = this.addNode();
    // Depth-first stack of pending nodes (parallel arrays; popped right after pushed children, so short).
    const sNode: number[] = [root];
    const sStart: number[] = [0];
    const sEnd: number[] = [rows.length];
    const sDepth: number[] = [0];
    while (sNode.length > 0) {
      const node = sNode.pop() as number;
      const start = sStart.pop() as number;
      const end = sEnd.pop() as number;
      const depth = sDepth.pop() as number;
      const impurity = this.nodeStats(node, start, end);
      const count = end - start;
      if (
        depth >= o.maxDepth ||
        count < o.minSamplesSplit ||
        count < 2 * o.minSamplesLeaf ||
        impurity <= EPSILON
      ) {
        continue;
      }
      this.bestProxy = -Infinity;
      this.bestFeature = -1;
      this.findSplit(start, end, this.nodeWeight, rng);
      if (this.bestFeature < 0) continue;
      const f = this.bestFeature;
      const mapper = this.B.mapper;
      const slot = mapper.binOffset[f];
      const thr = midpoint(mapper.hi[slot + this.bestBin], mapper.lo[slot + this.bestNext]);
      const mid = this.partition(start, end, f, this.bestBin);
      const l = this.addNode();
      const r = this.addNode();
      this.feature[node] = f;
      this.threshold[node] = thr;
      this.left[node] = l;
      sNode.push(r, l);
      sStart.push(mid, start);
      sEnd.push(end, mid);
      sDepth.push(depth + 1, depth + 1);
    }
    return this.finish();
  }

  /** An exact-size copy of the tree with leaf values moved into their compact places. */
  private finish(): OutputTree {
    const { nNodes, d, value } = this;
    const feature = this.feature.slice(0, nNodes);
    const threshold = this.threshold.slice(0, nNodes);
    const left = this.left.slice(0, nNodes);
    let nLeaves = 0;
    for (let k = 0; k < nNodes; k++) if (feature[k] < 0) nLeaves++;
    const leafValues = new Float64Array(d === 1 ? 0 : nLeaves * d);
    for (let k = 0, leaf = 0; k < nNodes; k++) {
      if (feature[k] >= 0) continue;
      if (d === 1) threshold[k] = value[k];
      else {
        leafValues.set(value.subarray(k * d, k * d + d), leaf * d);
        left[k] = leaf++;
      }
    }
    return { feature, threshold, left, leafValues };
  }

  /**
   * Sets the node's value (weighted mean target), `nodeSum` and `nodeWeight`, and returns the node's impurity
   * Σ w‖y − ȳ‖² / Σ w.
   */
  private nodeStats(node: number, start: number, end: number): number {
    const { idx, weight, Y, d, nodeSum } = this;
    nodeSum.fill(0);
    let W = 0;
    for (let q = start; q < end; q++) {
      const r = idx[q];
      const w = weight[r];
      W += w;
      const y = r * d;
      for (let k = 0; k < d; k++) nodeSum[k] += w * Y[y + k];
    }
    const v = node * d;
    for (let k = 0; k < d; k++) this.value[v + k] = nodeSum[k] / W;
    // Second pass around the mean: exact zero for a constant node, whatever the targets' magnitude.
    let ss = 0;
    for (let q = start; q < end; q++) {
      const r = idx[q];
      const w = weight[r];
      const y = r * d;
      for (let k = 0; k < d; k++) {
        const e = Y[y + k] - this.value[v + k];
        ss += w * e * e;
      }
    }
    this.nodeWeight = W;
    return ss / W;
  }

  private findSplit(start: number, end: number, W: number, rng: Rng): void {
    const { p, perm } = this;
    const mtry = this.o.maxFeatures;
    const sample = mtry < p;
    for (let j = 0; j < p; j++) perm[j] = j;
    let visited = 0;
    let nonConstant = 0;
    for (let t = 0; t < p; t++) {
      if (visited >= mtry && nonConstant > 0) break;
      let j = perm[t];
      if (sample) {
        // Partial Fisher–Yates: the next feature uniformly among those not yet visited.
        const k = t + rng.nextInt(p - t);
        j = perm[k];
        perm[k] = perm[t];
        perm[t] = j;
      }
      visited++;
      if (this.scanFeature(j, start, end, W)) nonConstant++;
    }
  }

  /** Evaluates every split of feature j in rows idx[start, end); false when j is constant there. */
  private scanFeature(j: number, start: number, end: number, W: number): boolean {
    const { idx, weight, Y, d, C, hist, touched, leftSum, nodeSum } = this;
    const bins = this.B.bins;
    const base = j * this.n;
    const cnt = C - 1;
    let nt = 0;
    if (d === 1) {
      // The one-output case (every numeric column) without the inner output loops.
      for (let q = start; q < end; q++) {
        const r = idx[q];
        const b = bins[base + r];
        const h = b * 3;
        if (hist[h + 2] === 0) touched[nt++] = b;
        const w = weight[r];
        hist[h] += w;
        hist[h + 1] += w * Y[r];
        hist[h + 2] += 1;
      }
    } else {
      for (let q = start; q < end; q++) {
        const r = idx[q];
        const b = bins[base + r];
        const h = b * C;
        if (hist[h + cnt] === 0) touched[nt++] = b;
        const w = weight[r];
        hist[h] += w;
        const y = r * d;
        for (let k = 0; k < d; k++) hist[h + 1 + k] += w * Y[y + k];
        hist[h + cnt] += 1;
      }
    }
    if (nt >= 2) {
      const nb = this.B.mapper.nBins[j];
      if (nt <= 16) insertionSort(touched, nt);
      else if (nt * 8 < nb) touched.subarray(0, nt).sort();
      else {
        // Most bins occupied: listing them in bin order is cheaper than sorting.
        let m = 0;
        for (let b = 0; b <= nb; b++) if (hist[b * C + cnt] > 0) touched[m++] = b;
      }
      const minLeaf = this.o.minSamplesLeaf;
      const count = end - start;
      leftSum.fill(0);
      let WL = 0;
      let cL = 0;
      for (let t = 0; t + 1 < nt; t++) {
        const h = touched[t] * C;
        WL += hist[h];
        for (let k = 0; k < d; k++) leftSum[k] += hist[h + 1 + k];
        cL += hist[h + cnt];
        if (cL < minLeaf || count - cL < minLeaf) continue;
        // Proxy of the squared-error decrease: Σ_k S_Lk²/W_L + Σ_k S_Rk²/W_R (the node's own term is constant).
        let sl = 0;
        let sr = 0;
        for (let k = 0; k < d; k++) {
          const a = leftSum[k];
          const b = nodeSum[k] - a;
          sl += a * a;
          sr += b * b;
        }
        const proxy = sl / WL + sr / (W - WL);
        if (proxy > this.bestProxy) {
          this.bestProxy = proxy;
          this.bestFeature = j;
          this.bestBin = touched[t];
          this.bestNext = touched[t + 1];
        }
      }
    }
    for (let t = 0; t < nt; t++) {
      const h = touched[t] * C;
      for (let k = 0; k < C; k++) hist[h + k] = 0;
    }
    return nt >= 2;
  }

  /** Stable in-place partition of idx[start, end): bins ≤ `bin` first; returns the first right position. */
  private partition(start: number, end: number, f: number, bin: number): number {
    const { idx, tmp } = this;
    const bins = this.B.bins;
    const base = f * this.n;
    let l = start;
    let t = 0;
    for (let q = start; q < end; q++) {
      const r = idx[q];
      if (bins[base + r] <= bin) idx[l++] = r;
      else tmp[t++] = r;
    }
    idx.set(tmp.subarray(0, t), l);
    return l;
  }

  private addNode(): number {
    if (this.nNodes === this.cap) this.ensure(this.cap * 2);
    const k = this.nNodes++;
    this.feature[k] = -1;
    this.threshold[k] = 0;
    this.left[k] = -1;
    return k;
  }

  private ensure(cap: number): void {
    if (cap <= this.cap) return;
    const k = this.nNodes;
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T, w = 1): T => {
      const b = make(cap * w);
      b.set(a.subarray(0, k * w));
      return b;
    };
    this.feature = grow(this.feature, (m) => new Int32Array(m));
    this.threshold = grow(this.threshold, (m) => new Float64Array(m));
    this.left = grow(this.left, (m) => new Int32Array(m));
    this.value = grow(this.value, (m) => new Float64Array(m), this.d);
    this.cap = cap;
  }
}

/** Ascending insertion sort of a[0, n) (short lists only). */
function insertionSort(a: Uint16Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

/**
 * Threshold between neighbouring values a < b, placed at their midpoint as scikit-learn does; when rounding
 * lands it on b (adjacent doubles), a is used so that `x <= threshold` still separates them.
 */
function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b || !(m >= a) ? a : m;
}
