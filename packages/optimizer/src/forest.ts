/**
 * A probabilistic random forest for regression (the surrogate SMAC and OpenBox use for categorical-heavy
 * spaces): bagged CART trees whose leaves predict the mean of their samples; the forest's prediction is the
 * mean of the tree predictions and its uncertainty the variance across trees (Hutter et al. 2014, §4.3.2).
 *
 * Defaults follow OpenBox's `prf` (10 trees, bootstrap, 5/6 of the dimensions tried per split, at least 3
 * samples to split and 3 per leaf). Numeric dimensions split on thresholds halfway between sorted distinct
 * values; categorical dimensions split one-vs-rest (x = c goes left), so the arbitrary order of choices is
 * irrelevant.
 *
 * Layouts: X (n, d) row-major; each tree is a set of flat node arrays; node 0 is the root.
 */
import type { Rng } from '@virnyflow/core';
import { CATEGORY_TOL } from './encoding';
import { OptimizerErrorCode, optimizerError } from './errors';

export interface ForestOptions {
  /** (d): 1 marks a categorical dimension. Default: all numeric. */
  categorical?: Uint8Array;
  nTrees?: number;
  /** Fraction of the dimensions considered at each split. */
  featureRatio?: number;
  minSamplesSplit?: number;
  minSamplesLeaf?: number;
  maxDepth?: number;
  /** Draw each tree's sample with replacement (default true). */
  bootstrap?: boolean;
  /** Smallest reported variance (keeps acquisitions away from σ = 0 when all trees agree). */
  minVariance?: number;
}

interface Tree {
  /** Split dimension, −1 for a leaf. */
  feature: Int32Array;
  /** Numeric: go left when x ≤ threshold. Categorical: go left when x equals the category's centre. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf prediction. */
  value: Float64Array;
}

export class RandomForest {
  readonly d: number;
  private readonly trees: Tree[];
  private readonly categorical: Uint8Array;
  private readonly minVariance: number;

  private constructor(d: number, trees: Tree[], categorical: Uint8Array, minVariance: number) {
    this.d = d;
    this.trees = trees;
    this.categorical = categorical;
    this.minVariance = minVariance;
  }

  static fit(
    x: Float64Array,
    n: number,
    d: number,
    y: Float64Array,
    rng: Rng,
    options: ForestOptions = {},
  ): RandomForest {
    if (!(n >= 1) || x.length < n * d || y.length < n) {
      throw optimizerError(
        OptimizerErrorCode.BadInput,
        `forest needs X of n·d = ${n}·${d} values and y of n values (got ${x.length} and ${y.length})`,
        { n, d },
      );
    }
    const categorical = options.categorical ?? new Uint8Array(d);
    const builder = new TreeBuilder(x, n, d, y, categorical, {
      featureRatio: options.featureRatio ?? 5 / 6,
      minSamplesSplit: Math.max(2, options.minSamplesSplit ?? 3),
      minSamplesLeaf: Math.max(1, options.minSamplesLeaf ?? 3),
      maxDepth: options.maxDepth ?? 20,
    });
    const nTrees = options.nTrees ?? 10;
    const bootstrap = options.bootstrap ?? true;
    const trees: Tree[] = [];
    const sample = new Int32Array(n);
    for (let t = 0; t < nTrees; t++) {
      const treeRng = rng.fork(t);
      for (let i = 0; i < n; i++) sample[i] = bootstrap ? treeRng.nextInt(n) : i;
      trees.push(builder.build(sample, treeRng));
    }
    return new RandomForest(d, trees, categorical, options.minVariance ?? 1e-10);
  }

  /** Mean (m) and across-tree variance (m) at candidates xc (m, d). */
  predict(xc: Float64Array, m: number, mean: Float64Array, variance: Float64Array): void {
    const d = this.d;
    const nt = this.trees.length;
    for (let c = 0; c < m; c++) {
      const o = c * d;
      let s = 0;
      let s2 = 0;
      for (let t = 0; t < nt; t++) {
        const tree = this.trees[t];
        let node = 0;
        let f = tree.feature[0];
        while (f >= 0) {
          const v = xc[o + f];
          const th = tree.threshold[node];
          const goLeft = this.categorical[f] === 1 ? Math.abs(v - th) <= CATEGORY_TOL : v <= th;
          node = goLeft ? tree.left[node] : tree.right[node];
          f = tree.feature[node];
        }
        const p = tree.value[node];
        s += p;
        s2 += p * p;
      }
      const mu = s / nt;
      const v = s2 / nt - mu * mu;
      mean[c] = mu;
      variance[c] = v > this.minVariance ? v : this.minVariance;
    }
  }
}

interface SplitResult {
  ok: boolean;
  /** Σ_children sum²/count of the best split found. */
  score: number;
  threshold: number;
}

const MAX_NODE_CATEGORIES = 64;

interface BuildOptions {
  featureRatio: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxDepth: number;
}

/**
 * Builds trees over one training set; scratch buffers are shared by all trees.
 *
 * Pre-sorted splitting: the rows are sorted once per dimension for the whole forest; a tree's bootstrap
 * multiset inherits that order by counting (O(n) per dimension), and each node keeps, per dimension, its
 * samples as a contiguous segment in that dimension's order. A split then scans segments instead of
 * sorting them, and partitioning a node is a stable O(n_node) pass per dimension.
 */
class TreeBuilder {
  /** (d, n): rows of X sorted by each dimension (whole training set). */
  private readonly globalOrder: Int32Array;
  /** (d, n): per dimension, the current tree's samples; node segments are contiguous. */
  private readonly order: Int32Array;
  private readonly count: Int32Array;
  private readonly goLeft: Uint8Array;
  private readonly tmp: Int32Array;
  private readonly features: Int32Array;
  private readonly catCount: Float64Array;
  private readonly catSum: Float64Array;
  private readonly catValue: Float64Array;
  private readonly result: SplitResult = { ok: false, score: 0, threshold: 0 };

  constructor(
    private readonly x: Float64Array,
    private readonly n: number,
    private readonly d: number,
    private readonly y: Float64Array,
    private readonly categorical: Uint8Array,
    private readonly opt: BuildOptions,
  ) {
    this.globalOrder = new Int32Array(d * n);
    const rows = new Int32Array(n);
    for (let f = 0; f < d; f++) {
      for (let i = 0; i < n; i++) rows[i] = i;
      rows.sort((a, b) => x[a * d + f] - x[b * d + f] || a - b);
      this.globalOrder.set(rows, f * n);
    }
    this.order = new Int32Array(d * n);
    this.count = new Int32Array(n);
    this.goLeft = new Uint8Array(n);
    this.tmp = new Int32Array(n);
    this.features = new Int32Array(d);
    this.catCount = new Float64Array(MAX_NODE_CATEGORIES);
    this.catSum = new Float64Array(MAX_NODE_CATEGORIES);
    this.catValue = new Float64Array(MAX_NODE_CATEGORIES);
  }

  build(sample: Int32Array, rng: Rng): Tree {
    const n = this.n;
    const d = this.d;
    const cap = 2 * n + 1;
    const tree: Tree = {
      feature: new Int32Array(cap).fill(-1),
      threshold: new Float64Array(cap),
      left: new Int32Array(cap),
      right: new Int32Array(cap),
      value: new Float64Array(cap),
    };
    // The sample multiset in each dimension's sorted order.
    this.count.fill(0);
    for (let k = 0; k < n; k++) this.count[sample[k]]++;
    for (let f = 0; f < d; f++) {
      let w = f * n;
      const g = f * n;
      for (let k = 0; k < n; k++) {
        const row = this.globalOrder[g + k];
        for (let c = this.count[row]; c > 0; c--) this.order[w++] = row;
      }
    }
    let nNodes = 1;
    // Explicit stack of (node, start, end, depth).
    const stack: number[] = [0, 0, n, 0];
    const nFeat = Math.max(1, Math.round(this.opt.featureRatio * d));
    while (stack.length > 0) {
      const depth = stack.pop() as number;
      const end = stack.pop() as number;
      const start = stack.pop() as number;
      const node = stack.pop() as number;
      const cnt = end - start;
      let sum = 0;
      let sum2 = 0;
      const y = this.y;
      for (let k = start; k < end; k++) {
        const v = y[this.order[k]];
        sum += v;
        sum2 += v * v;
      }
      tree.value[node] = sum / cnt;
      // Node impurity below 1e-12 (relative) means all targets equal: nothing to split.
      const sse = sum2 - (sum * sum) / cnt;
      if (cnt < this.opt.minSamplesSplit || depth >= this.opt.maxDepth || sse <= 1e-12 * (1 + sum2)) continue;

      // Random subset of the dimensions (partial Fisher–Yates).
      for (let j = 0; j < d; j++) this.features[j] = j;
      for (let j = 0; j < nFeat; j++) {
        const r = j + rng.nextInt(d - j);
        const t = this.features[j];
        this.features[j] = this.features[r];
        this.features[r] = t;
      }
      let bestGain = 1e-12 * (1 + sse);
      let bestFeature = -1;
      let bestThreshold = 0;
      for (let fi = 0; fi < nFeat; fi++) {
        const f = this.features[fi];
        const res =
          this.categorical[f] === 1
            ? this.bestCategoricalSplit(f, start, end, sum)
            : this.bestNumericSplit(f, start, end, sum);
        // gain = Σ_children sum²/count − sum²/count (equivalently the SSE reduction).
        const gain = res.score - (sum * sum) / cnt;
        if (res.ok && gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestThreshold = res.threshold;
        }
      }
      if (bestFeature < 0) continue;
      // Side of every sample (all copies of a row go the same way), then a stable partition of the
      // node's segment in every dimension.
      const cat = this.categorical[bestFeature] === 1;
      const order = this.order;
      const goLeft = this.goLeft;
      const tmp = this.tmp;
      const x = this.x;
      let mid = start;
      for (let k = start; k < end; k++) {
        const row = order[k];
        const v = x[row * d + bestFeature];
        const left = cat ? Math.abs(v - bestThreshold) <= CATEGORY_TOL : v <= bestThreshold;
        goLeft[row] = left ? 1 : 0;
        if (left) mid++;
      }
      for (let f = 0; f < d; f++) {
        const o = f * n;
        let w = o + start;
        let r = 0;
        for (let k = o + start; k < o + end; k++) {
          const row = order[k];
          if (goLeft[row] === 1) order[w++] = row;
          else tmp[r++] = row;
        }
        for (let t = 0; t < r; t++) order[w + t] = tmp[t];
      }
      const l = nNodes++;
      const r = nNodes++;
      tree.feature[node] = bestFeature;
      tree.threshold[node] = bestThreshold;
      tree.left[node] = l;
      tree.right[node] = r;
      stack.push(l, start, mid, depth + 1, r, mid, end, depth + 1);
    }
    return {
      feature: tree.feature.slice(0, nNodes),
      threshold: tree.threshold.slice(0, nNodes),
      left: tree.left.slice(0, nNodes),
      right: tree.right.slice(0, nNodes),
      value: tree.value.slice(0, nNodes),
    };
  }

  /** Best threshold on numeric dimension f: maximises sumL²/nL + sumR²/nR with both sides ≥ minLeaf. */
  private bestNumericSplit(f: number, start: number, end: number, total: number): SplitResult {
    const res = this.result;
    res.ok = false;
    res.score = -Infinity;
    const o = f * this.n + start;
    const d = this.d;
    const order = this.order;
    const x = this.x;
    const y = this.y;
    const cnt = end - start;
    const minLeaf = this.opt.minSamplesLeaf;
    let sumL = 0;
    for (let k = 0; k < cnt - 1; k++) {
      const row = order[o + k];
      sumL += y[row];
      const nL = k + 1;
      const nR = cnt - nL;
      if (nL < minLeaf) continue;
      if (nR < minLeaf) break;
      const a = x[row * d + f];
      const b = x[order[o + k + 1] * d + f];
      if (!(b > a)) continue; // no threshold separates equal values
      const sumR = total - sumL;
      const score = (sumL * sumL) / nL + (sumR * sumR) / nR;
      if (score > res.score) {
        res.ok = true;
        res.score = score;
        res.threshold = 0.5 * (a + b);
      }
    }
    return res;
  }

  /** Best one-vs-rest split on categorical dimension f (category centres are (i + ½)/nChoices). */
  private bestCategoricalSplit(f: number, start: number, end: number, total: number): SplitResult {
    const res = this.result;
    res.ok = false;
    res.score = -Infinity;
    const cnt = end - start;
    const count = this.catCount;
    const sum = this.catSum;
    count.fill(0);
    sum.fill(0);
    // Categories are identified by the distinct centres seen, in order of appearance. Past
    // MAX_NODE_CATEGORIES further categories are only ever on the right side.
    const values = this.catValue;
    let nValues = 0;
    const o = f * this.n;
    for (let k = start; k < end; k++) {
      const row = this.order[o + k];
      const v = this.x[row * this.d + f];
      let c = 0;
      while (c < nValues && Math.abs(values[c] - v) > CATEGORY_TOL) c++;
      if (c === nValues) {
        if (nValues === MAX_NODE_CATEGORIES) continue;
        values[nValues++] = v;
      }
      count[c]++;
      sum[c] += this.y[row];
    }
    const minLeaf = this.opt.minSamplesLeaf;
    for (let c = 0; c < nValues; c++) {
      const nL = count[c];
      const nR = cnt - nL;
      if (nL < minLeaf || nR < minLeaf) continue;
      const sumL = sum[c];
      const sumR = total - sumL;
      const score = (sumL * sumL) / nL + (sumR * sumR) / nR;
      if (score > res.score) {
        res.ok = true;
        res.score = score;
        res.threshold = values[c];
      }
    }
    return res;
  }
}
