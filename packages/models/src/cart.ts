/**
 * CART classification trees on a binned matrix — the grower behind `dt_clf` and `rf_clf`.
 *
 * Semantics follow scikit-learn's `DecisionTreeClassifier` (depth-first `BestSplitter`):
 * - a node is a leaf when depth ≥ max_depth, its sample count < min_samples_split or < 2·min_samples_leaf,
 *   or its impurity ≤ DBL_EPSILON; otherwise it takes the valid split with the largest weighted impurity
 *   decrease, even when that decrease is zero (so XOR is learnt at depth 2);
 * - the comparison is strict over candidates in ascending threshold order, so among equal splits of one
 *   feature the lowest threshold wins; features are visited in ascending order when all are used, in a
 *   seeded random order when `maxFeatures` < nFeatures;
 * - with `maxFeatures` < nFeatures, features are drawn without replacement until `maxFeatures` have been
 *   visited and at least one of them is not constant in the node (scikit-learn's rule);
 * - each child of a split keeps ≥ min_samples_leaf samples (counted in `count`, i.e. multiplicities);
 * - thresholds are midpoints between the largest value left and the smallest value right *among the
 *   node's samples* (`a/2 + b/2`, as scikit-learn), so on data with ≤ 255 distinct values per feature the
 *   tree equals scikit-learn's exact tree;
 * - missing values: both directions are tried when the node has NaNs; otherwise NaN follows the child with
 *   more samples (scikit-learn ≥ 1.3).
 *
 * Histograms hold three channels per slot of the feature bundles (bundles.ts): weight of class 0, weight of
 * class 1, sample count; layout (totalSlots, 3) row-major. With all features in play each node's histogram
 * is kept and the larger child's is parent − smaller child (histogram subtraction), so only the smaller
 * child is ever scanned row by row. With feature sampling, only the bundles of the drawn features are
 * built, once per node each.
 */
import type { Rng } from '@virnyflow/core';
import type { BinnedMatrix } from './binning';
import { midpoint } from './binning';
import type { FeatureBundles } from './bundles';
import { expandMember, featureBundles, splitRouting } from './bundles';
import type { Tree } from './tree';
import { drawIndex } from './sample';
import { TreeBuilder } from './tree';

export const Criterion = { Gini: 'gini', Entropy: 'entropy' } as const;
export type Criterion = (typeof Criterion)[keyof typeof Criterion];

export interface CartParams {
  readonly criterion: Criterion;
  /** Infinity = grow until pure / min_samples_*. */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  /** Features drawn per node, 1..nFeatures. */
  readonly maxFeatures: number;
}

/** With feature sampling, a node builds a drawn feature's whole bundle only from this many rows per slot. */
const BUNDLE_MIN_ROWS_PER_SLOT = 4;
/** scikit-learn's EPSILON for "pure node" (np.finfo('double').eps). */
const EPSILON = 2.220446049250313e-16;

/** Best split found so far in one node (one mutable record per grower, no allocation per node). */
interface SplitRecord {
  found: boolean;
  proxy: number;
  feature: number;
  /** Last value bin (feature-local) going left. */
  bin: number;
  /** Next value bin present in the node (feature-local), or -1 for "missing vs. the rest". */
  nextBin: number;
  missingLeft: boolean;
  l0: number;
  l1: number;
  lc: number;
}

export class CartGrower {
  private readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  // Weight, count and label of the row at each position of idx, kept aligned by `partition` (sequential
  // moves instead of a random gather per node).
  private readonly wOrd: Float64Array;
  private readonly cOrd: Float64Array;
  private readonly yOrd: Uint8Array;
  private readonly tmpW: Float64Array;
  private readonly tmpC: Float64Array;
  private readonly tmpY: Uint8Array;
  /** Every count is 1 (no `rows` duplicates): the count channel adds 1 and cOrd is not kept. */
  private unitCount = true;
  /** One bundled feature's histogram expanded to its own slots (≤ 256 × 3). */
  private readonly featHist = new Float64Array(256 * 3);
  /** Four private copies of one bundle's histogram (≤ 256 slots × 3), see `accumulate`. */
  private readonly sub = new Float64Array(4 * 256 * 3);
  /** The node's histogram in the feature-sampling path; bundle b is valid when stamp[b] = nodeStamp. */
  private readonly nodeHist: Float64Array;
  private readonly stamp: Int32Array;
  private nodeStamp = 0;
  private readonly totals = new Float64Array(3);
  /** Per-bin routing of the split being applied: 1 = left. */
  private readonly goesLeft = new Uint8Array(256);
  private readonly fb: FeatureBundles;
  /** (nCols) views of each feature's own bin column. */
  private readonly featureColumns: Uint8Array[] = [];
  /** Free full-width histograms (totalSlots × 3) for the subtraction path. */
  private readonly pool: Float64Array[] = [];
  private readonly perm: Int32Array;
  private readonly builder = new TreeBuilder();
  private readonly best: SplitRecord = {
    found: false,
    proxy: -Infinity,
    feature: -1,
    bin: 0,
    nextBin: 0,
    missingLeft: false,
    l0: 0,
    l1: 0,
    lc: 0,
  };

  // Per-grow state.
  private params!: CartParams;
  private entropy = false;

  /** `bundle` false disables exclusive feature bundling (same trees, slower on one-hot data). */
  constructor(
    private readonly B: BinnedMatrix,
    private readonly y: Uint8Array,
    bundle = true,
  ) {
    const n = B.nRows;
    this.fb = featureBundles(B, bundle);
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
    this.wOrd = new Float64Array(n);
    this.cOrd = new Float64Array(n);
    this.yOrd = new Uint8Array(n);
    this.tmpW = new Float64Array(n);
    this.tmpC = new Float64Array(n);
    this.tmpY = new Uint8Array(n);
    this.nodeHist = new Float64Array(this.fb.totalSlots * 3);
    this.stamp = new Int32Array(this.fb.nBundles).fill(-1);
    this.perm = new Int32Array(B.nCols);
    for (let j = 0; j < B.nCols; j++) this.featureColumns.push(B.bins.subarray(j * n, (j + 1) * n));
  }

  /**
   * Grows one tree on `rows` (distinct rows of the binned matrix, any order) with per-row `weight` (> 0 on
   * those rows) and sample `count`. `rng` is used only when `params.maxFeatures` < nFeatures.
   */
  grow(weight: Float64Array, count: Float64Array, rows: Uint32Array, params: CartParams, rng: Rng): Tree {
    this.params = params;
    this.entropy = params.criterion === Criterion.Entropy;
    const nCols = this.B.nCols;
    const useAll = params.maxFeatures >= nCols;
    const idx = this.idx;
    idx.set(rows);
    const n = rows.length;
    const { y, wOrd, cOrd, yOrd } = this;
    let w0 = 0;
    let w1 = 0;
    let c = 0;
    let unit = true;
    for (let p = 0; p < n; p++) {
      const r = idx[p];
      const w = weight[r];
      const cr = count[r];
      wOrd[p] = w;
      cOrd[p] = cr;
      yOrd[p] = y[r];
      if (y[r] === 1) w1 += w;
      else w0 += w;
      c += cr;
      if (cr !== 1) unit = false;
    }
    this.unitCount = unit;
    for (let j = 0; j < nCols; j++) this.perm[j] = j;
    const b = this.builder;
    b.reset();
    const root = b.addLeaf(w1 / (w0 + w1));
    // Depth-first stack of pending nodes: parallel arrays, the histogram (or null) in `hists`.
    const sNode: number[] = [root];
    const sStart: number[] = [0];
    const sEnd: number[] = [n];
    const sDepth: number[] = [0];
    const sW0: number[] = [w0];
    const sW1: number[] = [w1];
    const sC: number[] = [c];
    const hists: (Float64Array | null)[] = [null];
    if (useAll && !this.isLeaf(0, w0, w1, c)) {
      const h = this.takeHist();
      this.buildFullHist(h, 0, n, n === this.B.nRows);
      hists[0] = h;
    }
    const best = this.best;
    while (sNode.length > 0) {
      const node = sNode.pop()!;
      const start = sStart.pop()!;
      const end = sEnd.pop()!;
      const depth = sDepth.pop()!;
      const nw0 = sW0.pop()!;
      const nw1 = sW1.pop()!;
      const nc = sC.pop()!;
      const hist = hists.pop()!;
      if (this.isLeaf(depth, nw0, nw1, nc)) {
        if (hist) this.pool.push(hist);
        continue;
      }
      best.found = false;
      best.proxy = -Infinity;
      if (useAll) this.scanAll(hist!, nw0, nw1, nc);
      else this.scanSampled(start, end, nw0, nw1, nc, rng);
      if (!best.found) {
        if (hist) this.pool.push(hist);
        continue;
      }
      const f = best.feature;
      const mapper = this.B.mapper;
      const slot0 = mapper.binOffset[f];
      const nb = mapper.nBins[f];
      const threshold =
        best.nextBin < 0
          ? Number.MAX_VALUE
          : midpoint(mapper.hi[slot0 + best.bin], mapper.lo[slot0 + best.nextBin]);
      const mid = this.partition(start, end, f, best.bin, nb, best.missingLeft);
      const l0 = best.l0;
      const l1 = best.l1;
      const lc = best.lc;
      const r0 = nw0 - l0;
      const r1 = nw1 - l1;
      const rc = nc - lc;
      const left = b.addLeaf(l1 / (l0 + l1));
      const right = b.addLeaf(r1 / (r0 + r1));
      b.setSplit(node, f, threshold, best.bin, best.missingLeft, left, right);
      let hl: Float64Array | null = null;
      let hr: Float64Array | null = null;
      if (useAll) {
        const needL = !this.isLeaf(depth + 1, l0, l1, lc);
        const needR = !this.isLeaf(depth + 1, r0, r1, rc);
        if (needL || needR) {
          const leftSmaller = mid - start <= end - mid;
          const small = this.takeHist();
          if (leftSmaller) this.buildFullHist(small, start, mid, false);
          else this.buildFullHist(small, mid, end, false);
          const needLarge = leftSmaller ? needR : needL;
          const needSmall = leftSmaller ? needL : needR;
          let large: Float64Array | null = null;
          if (needLarge) {
            const h = hist!;
            for (let k = 0; k < h.length; k++) h[k] -= small[k];
            large = h;
          } else this.pool.push(hist!);
          let smallKept: Float64Array | null = small;
          if (!needSmall) {
            this.pool.push(small);
            smallKept = null;
          }
          hl = leftSmaller ? smallKept : large;
          hr = leftSmaller ? large : smallKept;
        } else this.pool.push(hist!);
      }
      // Right first so the left subtree is grown first (depth-first, left to right).
      sNode.push(right, left);
      sStart.push(mid, start);
      sEnd.push(end, mid);
      sDepth.push(depth + 1, depth + 1);
      sW0.push(r0, l0);
      sW1.push(r1, l1);
      sC.push(rc, lc);
      hists.push(hr, hl);
    }
    return b.finish();
  }

  private isLeaf(depth: number, w0: number, w1: number, c: number): boolean {
    const p = this.params;
    if (depth >= p.maxDepth || c < p.minSamplesSplit || c < 2 * p.minSamplesLeaf) return true;
    return this.impurity(w0, w1) <= EPSILON;
  }

  private impurity(w0: number, w1: number): number {
    const w = w0 + w1;
    const p0 = w0 / w;
    const p1 = w1 / w;
    if (this.entropy) {
      let e = 0;
      if (p0 > 0) e -= p0 * Math.log2(p0);
      if (p1 > 0) e -= p1 * Math.log2(p1);
      return e;
    }
    return 1 - (p0 * p0 + p1 * p1);
  }

  private takeHist(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.fb.totalSlots * 3);
  }

  /**
   * Histogram of every bundle over idx[start, end) (rows start..end−1 when `identity`, i.e. all rows in
   * order); layout (totalSlots, 3): [w class 0, w class 1, count].
   */
  private buildFullHist(h: Float64Array, start: number, end: number, identity: boolean): void {
    const fb = this.fb;
    for (let b = 0; b < fb.nBundles; b++) {
      const s0 = fb.slotOffset[b];
      this.accumulate(h, s0, fb.slotOffset[b + 1] - s0, fb.columns[b], identity, start, end);
    }
  }

  /**
   * Adds rows idx[start, end) of one bundle column into its `nSlots` slots from slot s0 of `h`. Few-valued
   * columns hit the same slot on consecutive rows, chaining every add to the previous store; on large nodes
   * rows go round-robin into four private copies of the histogram (summed at the end) so four independent
   * chains run in parallel.
   */
  private accumulate(
    h: Float64Array,
    s0: number,
    nSlots: number,
    col: Uint8Array,
    identity: boolean,
    start: number,
    end: number,
  ): void {
    const { idx, wOrd, cOrd, yOrd } = this;
    const unit = this.unitCount;
    const h0 = s0 * 3;
    if (end - start < 8 * nSlots) {
      for (let p = start; p < end; p++) {
        const q = h0 + col[identity ? p : idx[p]] * 3;
        h[q + yOrd[p]] += wOrd[p];
        h[q + 2] += unit ? 1 : cOrd[p];
      }
      return;
    }
    const S = nSlots * 3;
    const S2 = 2 * S;
    const S3 = 3 * S;
    const sub = this.sub;
    sub.fill(0, 0, 4 * S);
    let p = start;
    if (identity && unit) {
      for (; p + 3 < end; p += 4) {
        const q0 = col[p] * 3;
        const q1 = S + col[p + 1] * 3;
        const q2 = S2 + col[p + 2] * 3;
        const q3 = S3 + col[p + 3] * 3;
        sub[q0 + yOrd[p]] += wOrd[p];
        sub[q0 + 2] += 1;
        sub[q1 + yOrd[p + 1]] += wOrd[p + 1];
        sub[q1 + 2] += 1;
        sub[q2 + yOrd[p + 2]] += wOrd[p + 2];
        sub[q2 + 2] += 1;
        sub[q3 + yOrd[p + 3]] += wOrd[p + 3];
        sub[q3 + 2] += 1;
      }
    } else if (unit) {
      for (; p + 3 < end; p += 4) {
        const q0 = col[idx[p]] * 3;
        const q1 = S + col[idx[p + 1]] * 3;
        const q2 = S2 + col[idx[p + 2]] * 3;
        const q3 = S3 + col[idx[p + 3]] * 3;
        sub[q0 + yOrd[p]] += wOrd[p];
        sub[q0 + 2] += 1;
        sub[q1 + yOrd[p + 1]] += wOrd[p + 1];
        sub[q1 + 2] += 1;
        sub[q2 + yOrd[p + 2]] += wOrd[p + 2];
        sub[q2 + 2] += 1;
        sub[q3 + yOrd[p + 3]] += wOrd[p + 3];
        sub[q3 + 2] += 1;
      }
    } else {
      for (; p + 3 < end; p += 4) {
        const q0 = col[identity ? p : idx[p]] * 3;
        const q1 = S + col[identity ? p + 1 : idx[p + 1]] * 3;
        const q2 = S2 + col[identity ? p + 2 : idx[p + 2]] * 3;
        const q3 = S3 + col[identity ? p + 3 : idx[p + 3]] * 3;
        sub[q0 + yOrd[p]] += wOrd[p];
        sub[q0 + 2] += cOrd[p];
        sub[q1 + yOrd[p + 1]] += wOrd[p + 1];
        sub[q1 + 2] += cOrd[p + 1];
        sub[q2 + yOrd[p + 2]] += wOrd[p + 2];
        sub[q2 + 2] += cOrd[p + 2];
        sub[q3 + yOrd[p + 3]] += wOrd[p + 3];
        sub[q3 + 2] += cOrd[p + 3];
      }
    }
    for (; p < end; p++) {
      const q = col[identity ? p : idx[p]] * 3;
      sub[q + yOrd[p]] += wOrd[p];
      sub[q + 2] += unit ? 1 : cOrd[p];
    }
    for (let k = 0; k < S; k++) h[h0 + k] += sub[k] + sub[S + k] + sub[S2 + k] + sub[S3 + k];
  }

  private setTotals(w0: number, w1: number, c: number): void {
    this.totals[0] = w0;
    this.totals[1] = w1;
    this.totals[2] = c;
  }

  /** Scans feature j of a node histogram `h` (bundle slot layout). */
  private scanFromHist(h: Float64Array, j: number, w0: number, w1: number, c: number): boolean {
    const fb = this.fb;
    const nb = this.B.mapper.nBins[j];
    if (fb.base[j] < 0) return this.scanFeature(h, fb.slotOffset[fb.bundleOf[j]], j, w0, w1, c);
    expandMember(h, fb, j, nb, 3, this.totals, this.featHist);
    return this.scanFeature(this.featHist, 0, j, w0, w1, c);
  }

  private scanAll(h: Float64Array, w0: number, w1: number, c: number): void {
    this.setTotals(w0, w1, c);
    const nCols = this.B.nCols;
    for (let j = 0; j < nCols; j++) this.scanFromHist(h, j, w0, w1, c);
  }

  private scanSampled(start: number, end: number, w0: number, w1: number, c: number, rng: Rng): void {
    this.setTotals(w0, w1, c);
    const { perm, nodeHist, stamp, fb } = this;
    const nCols = this.B.nCols;
    const node = ++this.nodeStamp;
    // `perm` carries over from the previous node: partial Fisher–Yates from any order draws uniformly.
    const mtry = this.params.maxFeatures;
    let visited = 0;
    let nonConstant = 0;
    for (let t = 0; t < nCols; t++) {
      if (visited >= mtry && nonConstant > 0) break;
      // Partial Fisher–Yates: draw the next feature uniformly among those not yet visited.
      const k = t + drawIndex(rng, nCols - t);
      const j = perm[k];
      perm[k] = perm[t];
      perm[t] = j;
      visited++;
      const b = fb.bundleOf[j];
      const s0 = fb.slotOffset[b];
      const nSlots = fb.slotOffset[b + 1] - s0;
      if (stamp[b] !== node && end - start < BUNDLE_MIN_ROWS_PER_SLOT * nSlots) {
        // Small node: the feature's own histogram from its own column costs less than its bundle's
        // (which pays off only when several drawn features share it).
        const nb = this.B.mapper.nBins[j];
        const fh = this.featHist;
        for (let k = (nb + 1) * 3 - 1; k >= 0; k--) fh[k] = 0;
        this.accumulate(this.featHist, 0, nb + 1, this.featureColumns[j], false, start, end);
        if (this.scanFeature(this.featHist, 0, j, w0, w1, c)) nonConstant++;
        continue;
      }
      if (stamp[b] !== node) {
        nodeHist.fill(0, s0 * 3, (s0 + nSlots) * 3);
        this.accumulate(nodeHist, s0, nSlots, fb.columns[b], false, start, end);
        stamp[b] = node;
      }
      if (this.scanFromHist(nodeHist, j, w0, w1, c)) nonConstant++;
    }
  }

  /**
   * Evaluates every split of feature j whose histogram starts at slot `s0` of `h`. Returns false when the
   * feature is constant in the node (one occupied bin, counting the missing bin).
   */
  private scanFeature(h: Float64Array, s0: number, j: number, w0: number, w1: number, c: number): boolean {
    const nb = this.B.mapper.nBins[j];
    const minLeaf = this.params.minSamplesLeaf;
    const best = this.best;
    const ent = this.entropy;
    const ms = (s0 + nb) * 3;
    const m0 = h[ms];
    const m1 = h[ms + 1];
    const mc = h[ms + 2];
    const hasMissing = mc > 0;
    let l0 = 0;
    let l1 = 0;
    let lc = 0;
    let prev = -1;
    let occupied = hasMissing ? 1 : 0;
    for (let k = 0; k < nb; k++) {
      const q = (s0 + k) * 3;
      const bc = h[q + 2];
      if (bc === 0) continue;
      occupied++;
      if (prev >= 0) {
        // Candidate: value bins ≤ prev go left, value bins ≥ k go right.
        let rc = c - lc;
        if (!hasMissing) {
          if (lc >= minLeaf && rc >= minLeaf) {
            const px = proxy(l0, l1, w0 - l0, w1 - l1, ent);
            if (px > best.proxy) record(best, px, j, prev, k, lc >= rc, l0, l1, lc);
          }
        } else {
          // NaN to the right, then NaN to the left.
          if (lc >= minLeaf && rc >= minLeaf) {
            const px = proxy(l0, l1, w0 - l0, w1 - l1, ent);
            if (px > best.proxy) record(best, px, j, prev, k, false, l0, l1, lc);
          }
          const a0 = l0 + m0;
          const a1 = l1 + m1;
          const ac = lc + mc;
          rc = c - ac;
          if (ac >= minLeaf && rc >= minLeaf) {
            const px = proxy(a0, a1, w0 - a0, w1 - a1, ent);
            if (px > best.proxy) record(best, px, j, prev, k, true, a0, a1, ac);
          }
        }
      }
      l0 += h[q];
      l1 += h[q + 1];
      lc += bc;
      prev = k;
    }
    if (hasMissing && prev >= 0) {
      // Candidate: every value left, NaN right.
      const rc = c - lc;
      if (lc >= minLeaf && rc >= minLeaf) {
        const px = proxy(l0, l1, w0 - l0, w1 - l1, ent);
        if (px > best.proxy) record(best, px, j, prev, -1, false, l0, l1, lc);
      }
    }
    return occupied > 1;
  }

  /**
   * Stable in-place partition of idx[start, end) — and of the aligned weights, counts and labels — by the
   * split; returns the first right position.
   */
  private partition(
    start: number,
    end: number,
    f: number,
    bin: number,
    nb: number,
    missingLeft: boolean,
  ): number {
    const { idx, tmp, goesLeft, wOrd, cOrd, yOrd, tmpW, tmpC, tmpY } = this;
    const col = splitRouting(this.fb, f, nb, bin, missingLeft, goesLeft);
    const unit = this.unitCount;
    // Branch-free: each row is written to both sides and only the matching cursor advances.
    let l = start;
    let t = 0;
    for (let p = start; p < end; p++) {
      const r = idx[p];
      const goLeft = goesLeft[col[r]];
      const w = wOrd[p];
      const yy = yOrd[p];
      idx[l] = r;
      wOrd[l] = w;
      yOrd[l] = yy;
      tmp[t] = r;
      tmpW[t] = w;
      tmpY[t] = yy;
      if (!unit) {
        const c = cOrd[p];
        cOrd[l] = c;
        tmpC[t] = c;
      }
      l += goLeft;
      t += 1 - goLeft;
    }
    idx.set(tmp.subarray(0, t), l);
    wOrd.set(tmpW.subarray(0, t), l);
    yOrd.set(tmpY.subarray(0, t), l);
    if (!unit) cOrd.set(tmpC.subarray(0, t), l);
    return l;
  }
}

function record(
  best: SplitRecord,
  px: number,
  feature: number,
  bin: number,
  nextBin: number,
  missingLeft: boolean,
  l0: number,
  l1: number,
  lc: number,
): void {
  best.found = true;
  best.proxy = px;
  best.feature = feature;
  best.bin = bin;
  best.nextBin = nextBin;
  best.missingLeft = missingLeft;
  best.l0 = l0;
  best.l1 = l1;
  best.lc = lc;
}

/**
 * scikit-learn's proxy of the impurity decrease, −(w_L·I_L + w_R·I_R) up to a constant: for Gini
 * Σ_sides (a0² + a1²)/(a0 + a1); for entropy Σ_sides Σ_c a_c·log2(a_c / a).
 */
function proxy(a0: number, a1: number, b0: number, b1: number, entropy: boolean): number {
  const a = a0 + a1;
  const b = b0 + b1;
  if (!entropy) return (a0 * a0 + a1 * a1) / a + (b0 * b0 + b1 * b1) / b;
  let s = 0;
  if (a0 > 0) s += a0 * Math.log2(a0 / a);
  if (a1 > 0) s += a1 * Math.log2(a1 / a);
  if (b0 > 0) s += b0 * Math.log2(b0 / b);
  if (b1 > 0) s += b1 * Math.log2(b1 / b);
  return s;
}
