/**
 * Second-order regression trees on gradient/hessian histograms — the grower behind `xgb_clf` (depth-wise,
 * XGBoost `hist`) and `lgbm_clf` (leaf-wise best-first, LightGBM).
 *
 * For a node with gradient sum G and hessian sum H (Chen & Guestrin 2016, eqs. 5–7):
 *   leaf weight  w* = −G / (H + λ)
 *   split gain   GL²/(HL + λ) + GR²/(HR + λ) − G²/(H + λ)
 * (XGBoost drops the ½ and γ = 0; the argmax is the same.) A split needs gain > `minGain`, hessian ≥
 * `minChildWeight` on both sides, and — LightGBM's `min_data_in_leaf` — an estimated count ≥ `minDataInLeaf`
 * on both sides, where, as LightGBM does, a side's count is estimated as its hessian × (node rows / node H).
 *
 * Candidates are scanned in ascending feature and bin order and must beat the best so far by more than
 * rounding (GAIN_TIE), so ties go to the lowest feature and threshold (XGBoost's rule). NaN rows sit in the
 * feature's missing bin; when a node has any, both default directions are tried (plus "all values vs.
 * NaN"); otherwise NaN goes right, as in XGBoost.
 *
 * Thresholds are the bin's upper edge (a midpoint between neighbouring training values), so routing a raw
 * value by threshold and routing its bin by `bin ≤ binThreshold` always agree — training rows left out by
 * subsampling are scored through their bins without ever touching the raw matrix.
 *
 * Histograms: (totalSlots, 2) row-major [Σg, Σh] per slot of the feature bundles (bundles.ts: one slot
 * range per one-hot group or lone feature). The smaller child is built row by row, the larger one is
 * parent − smaller (histogram subtraction); buffers come from a pool kept across trees.
 */
import type { BinnedMatrix } from './binning';
import type { FeatureBundles } from './bundles';
import { expandMember, featureBundles, splitRouting } from './bundles';
import type { Tree } from './tree';
import { TreeBuilder } from './tree';

/**
 * Gains within this relative distance count as tied, so the first candidate in scan order wins as it would
 * in exact arithmetic: two candidates describing the same partition (e.g. "x₀ ≤ a" and "x₂ is NaN" on the
 * same rows) differ only by summation-order rounding, and XGBoost keeps the lower feature.
 */
const GAIN_TIE = 1e-10;

/** Bounds of the per-row odds e^F during training (|F| ≤ 690): p(1 − p) is at its floor long before. */
export const ODDS_MIN = 1e-300;
export const ODDS_MAX = 1e300;

export const GrowPolicy = { DepthWise: 'depthwise', LossGuide: 'lossguide' } as const;
export type GrowPolicy = (typeof GrowPolicy)[keyof typeof GrowPolicy];

export interface GradTreeParams {
  readonly policy: GrowPolicy;
  /** Infinity = unlimited. */
  readonly maxDepth: number;
  /** Infinity = unlimited. */
  readonly maxLeaves: number;
  /** L2 regularisation λ on leaf weights. */
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly minDataInLeaf: number;
  readonly minGain: number;
  /** Shrinkage applied to leaf weights. */
  readonly learningRate: number;
}

/** Per-leaf bookkeeping, reused across trees (no allocation per node once warmed up). */
interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  /** Σ count over the leaf's rows (rows of a bootstrap sample count with their multiplicity). */
  cnt: number;
  hist: Float64Array | null;
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  gl: number;
  hl: number;
}

export class GradTreeGrower {
  /** Rows of the current tree, partitioned so that every leaf owns a contiguous range. */
  readonly idx: Uint32Array;
  private readonly tmp: Uint32Array;
  private readonly gOrd: Float64Array;
  private readonly hOrd: Float64Array;
  /** Four private copies of one bundle's histogram (≤ 256 slots × 2 channels each). */
  private readonly sub = new Float64Array(4 * 256 * 2);
  /** One bundled feature's histogram expanded to its own slots (≤ 256 × 2). */
  private readonly featHist = new Float64Array(256 * 2);
  private readonly totals = new Float64Array(2);
  /** Per-bin routing of the split being applied: 1 = left. */
  private readonly goesLeft = new Uint8Array(256);
  private readonly fb: FeatureBundles;
  // Per-node constants of the split search.
  private minH = 0;
  private parentScore = 0;
  private readonly pool: Float64Array[] = [];
  private readonly builder = new TreeBuilder();
  private readonly leaves: Leaf[] = [];
  private nLeaves = 0;
  /** Leaves of the finished tree: index into `leaves`. */
  private final: number[] = [];
  /**
   * Splits at the depth limit, left unpartitioned (both children are leaves): parent leaf index, then the
   * two child nodes. Their rows are routed once, when the odds are updated.
   */
  private deferred: number[] = [];
  private g!: Float64Array;
  private h!: Float64Array;
  private count!: Float64Array;
  /** Every row's count is 1, so a leaf's count is its number of rows. */
  private unitCount = true;
  private params!: GradTreeParams;

  /** `bundle` false disables exclusive feature bundling (same trees, slower on one-hot data). */
  constructor(
    private readonly B: BinnedMatrix,
    bundle = true,
  ) {
    this.fb = featureBundles(B, bundle);
    const n = B.nRows;
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
    this.gOrd = new Float64Array(n);
    this.hOrd = new Float64Array(n);
  }

  /**
   * Grows one tree on `rows` (distinct rows, ascending) with per-row gradients `g` and hessians `h`
   * (indexed by row of the binned matrix, already multiplied by sample weights) and row multiplicities
   * `count` (for `minDataInLeaf`).
   */
  grow(
    g: Float64Array,
    h: Float64Array,
    count: Float64Array,
    rows: Uint32Array,
    params: GradTreeParams,
  ): Tree {
    this.g = g;
    this.h = h;
    this.count = count;
    this.unitCount = true;
    for (let p = 0; p < rows.length; p++) {
      if (count[rows[p]] !== 1) {
        this.unitCount = false;
        break;
      }
    }
    this.params = params;
    const n = rows.length;
    this.idx.set(rows);
    let G = 0;
    let H = 0;
    let C = 0;
    for (let p = 0; p < n; p++) {
      const r = rows[p];
      G += g[r];
      H += h[r];
      C += count[r];
    }
    const b = this.builder;
    b.reset();
    this.nLeaves = 0;
    this.final = [];
    this.deferred = [];
    const root = this.newLeaf(b.addLeaf(this.leafValue(G, H)), 0, n, 0, G, H, C);
    const open: number[] = [];
    if (this.canSplit(root)) {
      const hist = this.takeHist();
      this.buildHist(hist, 0, n, n === this.B.nRows);
      this.leaves[root].hist = hist;
      this.findSplit(root);
      open.push(root);
    } else this.final.push(root);
    let nLeaves = 1;
    const lossGuide = params.policy === GrowPolicy.LossGuide;
    let head = 0;
    while (head < open.length) {
      // Depth-wise: first in, first out (level order). Leaf-wise: the open leaf with the largest gain, the
      // oldest among equals (XGBoost's priority queue); the others keep their order.
      if (lossGuide) {
        let pick = head;
        for (let k = head + 1; k < open.length; k++) {
          if (this.leaves[open[k]].gain > this.leaves[open[pick]].gain) pick = k;
        }
        const t = open[pick];
        open.copyWithin(head + 1, head, pick);
        open[head] = t;
      }
      const li = open[head++];
      const leaf = this.leaves[li];
      if (!(leaf.gain > params.minGain) || nLeaves >= params.maxLeaves) {
        if (leaf.hist) this.pool.push(leaf.hist);
        leaf.hist = null;
        this.final.push(li);
        continue;
      }
      nLeaves++;
      this.splitLeaf(li, open);
    }
    return b.finish();
  }

  /**
   * odds[r] ← odds[r]·e^{value of r's leaf} for the rows the last tree was grown on (the boosting loop
   * keeps e^F per row; one exponential per leaf instead of one per row). Clamped to [ODDS_MIN, ODDS_MAX].
   */
  scaleOddsOfRows(odds: Float64Array): void {
    const { idx, leaves } = this;
    const value = this.builder.value;
    const lo = ODDS_MIN;
    const hi = ODDS_MAX;
    for (const li of this.final) {
      const leaf = leaves[li];
      const e = Math.exp(value[leaf.node]);
      for (let p = leaf.start; p < leaf.end; p++) {
        const r = idx[p];
        odds[r] = Math.min(hi, Math.max(lo, odds[r] * e));
      }
    }
    const d = this.deferred;
    const goesLeft = this.goesLeft;
    const nBins = this.B.mapper.nBins;
    for (let k = 0; k < d.length; k += 3) {
      const leaf = leaves[d[k]];
      const col = splitRouting(
        this.fb,
        leaf.feature,
        nBins[leaf.feature],
        leaf.bin,
        leaf.missingLeft,
        goesLeft,
      );
      const eL = Math.exp(value[d[k + 1]]);
      const eR = Math.exp(value[d[k + 2]]);
      for (let p = leaf.start; p < leaf.end; p++) {
        const r = idx[p];
        odds[r] = Math.min(hi, Math.max(lo, odds[r] * (goesLeft[col[r]] === 1 ? eL : eR)));
      }
    }
  }

  /**
   * As `scaleOddsOfRows` for the given rows, routing each row through its bins (training rows a
   * subsampled tree did not see).
   */
  scaleOddsBinned(odds: Float64Array, rows: Uint32Array, count: number): void {
    const { feature, left, right, binThreshold, missingLeft, value } = this.builder;
    const { bins, nRows, mapper } = this.B;
    const nBins = mapper.nBins;
    const lo = ODDS_MIN;
    const hi = ODDS_MAX;
    for (let k = 0; k < count; k++) {
      const r = rows[k];
      let node = 0;
      let f = feature[0];
      while (f >= 0) {
        const bin = bins[f * nRows + r];
        const goLeft = bin === nBins[f] ? missingLeft[node] === 1 : bin <= binThreshold[node];
        node = goLeft ? left[node] : right[node];
        f = feature[node];
      }
      odds[r] = Math.min(hi, Math.max(lo, odds[r] * Math.exp(value[node])));
    }
  }

  private leafValue(G: number, H: number): number {
    return (-G / (H + this.params.lambda)) * this.params.learningRate;
  }

  private newLeaf(
    node: number,
    start: number,
    end: number,
    depth: number,
    g: number,
    h: number,
    cnt: number,
  ): number {
    const k = this.nLeaves++;
    let leaf = this.leaves[k];
    if (!leaf) {
      leaf = {
        node: 0,
        start: 0,
        end: 0,
        depth: 0,
        g: 0,
        h: 0,
        cnt: 0,
        hist: null,
        gain: 0,
        feature: -1,
        bin: 0,
        missingLeft: false,
        gl: 0,
        hl: 0,
      };
      this.leaves[k] = leaf;
    }
    leaf.node = node;
    leaf.start = start;
    leaf.end = end;
    leaf.depth = depth;
    leaf.g = g;
    leaf.h = h;
    leaf.cnt = cnt;
    leaf.hist = null;
    leaf.gain = -Infinity;
    leaf.feature = -1;
    return k;
  }

  private canSplit(li: number): boolean {
    const leaf = this.leaves[li];
    const p = this.params;
    return (
      leaf.depth < p.maxDepth &&
      leaf.end - leaf.start >= 2 &&
      leaf.cnt >= 2 * p.minDataInLeaf &&
      leaf.h >= 2 * p.minChildWeight &&
      p.maxLeaves > 1
    );
  }

  private takeHist(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.fb.totalSlots * 2);
  }

  /** Σg, Σh per bundle slot over idx[start, end); `identity` when the range is every row in order. */
  private buildHist(hist: Float64Array, start: number, end: number, identity: boolean): void {
    const fb = this.fb;
    let gs = this.g;
    let hs = this.h;
    if (!identity) {
      const { idx, gOrd, hOrd } = this;
      for (let p = start; p < end; p++) {
        const r = idx[p];
        gOrd[p] = gs[r];
        hOrd[p] = hs[r];
      }
      gs = gOrd;
      hs = hOrd;
    }
    let b = 0;
    if (end - start >= 2048) {
      for (; b + 1 < fb.nBundles; b += 2) this.accumulatePair(hist, b, identity, gs, hs, start, end);
    }
    for (; b < fb.nBundles; b++) {
      const s0 = fb.slotOffset[b];
      this.accumulate(hist, s0, fb.slotOffset[b + 1] - s0, fb.columns[b], identity, gs, hs, start, end);
    }
  }

  /**
   * Bundles b and b + 1 in one pass over the rows: each row's gradient pair is loaded once for both, and
   * each bundle's rows alternate between two private histogram copies (independent add chains).
   */
  private accumulatePair(
    hist: Float64Array,
    b: number,
    identity: boolean,
    gs: Float64Array,
    hs: Float64Array,
    start: number,
    end: number,
  ): void {
    const fb = this.fb;
    const sA = fb.slotOffset[b];
    const sB = fb.slotOffset[b + 1];
    const SA = (sB - sA) << 1;
    const SB = (fb.slotOffset[b + 2] - sB) << 1;
    const colA = fb.columns[b];
    const colB = fb.columns[b + 1];
    const sub = this.sub;
    // sub: [A copy 0 | A copy 1 | B copy 0 | B copy 1], each SA or SB doubles.
    const oB = 2 * SA;
    sub.fill(0, 0, 2 * SA + 2 * SB);
    const idx = this.idx;
    let p = start;
    for (; p + 1 < end; p += 2) {
      const r0 = identity ? p : idx[p];
      const r1 = identity ? p + 1 : idx[p + 1];
      const g0 = gs[p];
      const h0 = hs[p];
      const g1 = gs[p + 1];
      const h1 = hs[p + 1];
      const a0 = colA[r0] << 1;
      const a1 = SA + (colA[r1] << 1);
      const b0 = oB + (colB[r0] << 1);
      const b1 = oB + SB + (colB[r1] << 1);
      sub[a0] += g0;
      sub[a0 + 1] += h0;
      sub[a1] += g1;
      sub[a1 + 1] += h1;
      sub[b0] += g0;
      sub[b0 + 1] += h0;
      sub[b1] += g1;
      sub[b1 + 1] += h1;
    }
    if (p < end) {
      const r0 = identity ? p : idx[p];
      const a0 = colA[r0] << 1;
      const b0 = oB + (colB[r0] << 1);
      sub[a0] += gs[p];
      sub[a0 + 1] += hs[p];
      sub[b0] += gs[p];
      sub[b0 + 1] += hs[p];
    }
    const hA = sA << 1;
    for (let k = 0; k < SA; k++) hist[hA + k] += sub[k] + sub[SA + k];
    const hB = sB << 1;
    for (let k = 0; k < SB; k++) hist[hB + k] += sub[oB + k] + sub[oB + SB + k];
  }

  /**
   * Adds the rows idx[start, end) (or rows start..end-1 when `identity`) of one bundle column `col` into
   * its `nSlots` histogram slots starting at slot s0; `gs`/`hs` are aligned with positions p (ordered) or
   * rows (identity).
   *
   * Few-valued columns hit the same slot on consecutive rows, which chains every add to the previous store;
   * on large nodes rows therefore go round-robin into four private copies of the column's histogram, summed
   * at the end, so four independent chains run in parallel.
   */
  private accumulate(
    hist: Float64Array,
    s0: number,
    nSlots: number,
    col: Uint8Array,
    identity: boolean,
    gs: Float64Array,
    hs: Float64Array,
    start: number,
    end: number,
  ): void {
    const idx = this.idx;
    const h0 = s0 << 1;
    const S = nSlots << 1;
    if (end - start < 8 * nSlots) {
      if (identity) {
        for (let p = start; p < end; p++) {
          const q = h0 + (col[p] << 1);
          hist[q] += gs[p];
          hist[q + 1] += hs[p];
        }
      } else {
        for (let p = start; p < end; p++) {
          const q = h0 + (col[idx[p]] << 1);
          hist[q] += gs[p];
          hist[q + 1] += hs[p];
        }
      }
      return;
    }
    const sub = this.sub;
    sub.fill(0, 0, 4 * S);
    const S2 = 2 * S;
    const S3 = 3 * S;
    let p = start;
    if (identity) {
      for (; p + 3 < end; p += 4) {
        const q0 = col[p] << 1;
        const q1 = S + (col[p + 1] << 1);
        const q2 = S2 + (col[p + 2] << 1);
        const q3 = S3 + (col[p + 3] << 1);
        sub[q0] += gs[p];
        sub[q0 + 1] += hs[p];
        sub[q1] += gs[p + 1];
        sub[q1 + 1] += hs[p + 1];
        sub[q2] += gs[p + 2];
        sub[q2 + 1] += hs[p + 2];
        sub[q3] += gs[p + 3];
        sub[q3 + 1] += hs[p + 3];
      }
      for (; p < end; p++) {
        const q = col[p] << 1;
        sub[q] += gs[p];
        sub[q + 1] += hs[p];
      }
    } else {
      for (; p + 3 < end; p += 4) {
        const q0 = col[idx[p]] << 1;
        const q1 = S + (col[idx[p + 1]] << 1);
        const q2 = S2 + (col[idx[p + 2]] << 1);
        const q3 = S3 + (col[idx[p + 3]] << 1);
        sub[q0] += gs[p];
        sub[q0 + 1] += hs[p];
        sub[q1] += gs[p + 1];
        sub[q1 + 1] += hs[p + 1];
        sub[q2] += gs[p + 2];
        sub[q2 + 1] += hs[p + 2];
        sub[q3] += gs[p + 3];
        sub[q3 + 1] += hs[p + 3];
      }
      for (; p < end; p++) {
        const q = col[idx[p]] << 1;
        sub[q] += gs[p];
        sub[q + 1] += hs[p];
      }
    }
    for (let k = 0; k < S; k++) hist[h0 + k] += sub[k] + sub[S + k] + sub[S2 + k] + sub[S3 + k];
  }

  /** Finds the best split of a leaf from its histogram; stores it on the leaf (gain −MAX_VALUE when none). */
  private findSplit(li: number): void {
    const leaf = this.leaves[li];
    const hist = leaf.hist!;
    const { nCols, mapper } = this.B;
    const { lambda, minChildWeight, minDataInLeaf } = this.params;
    const fb = this.fb;
    const H = leaf.h;
    // LightGBM's count estimate: rows per unit of hessian in this node.
    const cntFactor = leaf.cnt / H;
    this.minH = Math.max(minChildWeight, minDataInLeaf > 0 ? (minDataInLeaf - 0.5) / cntFactor : 0);
    this.parentScore = (leaf.g * leaf.g) / (H + lambda);
    this.totals[0] = leaf.g;
    this.totals[1] = H;
    leaf.gain = -Number.MAX_VALUE;
    leaf.feature = -1;
    for (let j = 0; j < nCols; j++) {
      const nb = mapper.nBins[j];
      if (fb.base[j] < 0) this.scanFeature(leaf, hist, fb.slotOffset[fb.bundleOf[j]], j, nb);
      else {
        expandMember(hist, fb, j, nb, 2, this.totals, this.featHist);
        this.scanFeature(leaf, this.featHist, 0, j, nb);
      }
    }
  }

  /** Evaluates every split of feature j, whose nb + 1 slots start at slot s0 of `hist`. */
  private scanFeature(leaf: Leaf, hist: Float64Array, s0: number, j: number, nb: number): void {
    // Module constants are copied to locals in hot functions: run as separate ES modules (tsx), every read
    // of a module-level binding carries an initialisation check.
    const tie = GAIN_TIE;
    const lambda = this.params.lambda;
    const minH = this.minH;
    const parentScore = this.parentScore;
    const G = leaf.g;
    const H = leaf.h;
    const mq = (s0 + nb) << 1;
    const mg = hist[mq];
    const mh = hist[mq + 1];
    const hasMissing = mh > 0;
    let gl = 0;
    let hl = 0;
    for (let k = 0; k < nb - 1; k++) {
      const q = (s0 + k) << 1;
      const hk = hist[q + 1];
      // An empty bin repeats the previous candidate's partition, which cannot win a strict comparison.
      if (hk === 0) continue;
      gl += hist[q];
      hl += hk;
      // NaN right.
      let hr = H - hl;
      if (hl >= minH && hr >= minH) {
        const gr = G - gl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > leaf.gain + tie * Math.abs(leaf.gain)) setBest(leaf, gain, j, k, false, gl, hl);
      }
      if (hasMissing) {
        // NaN left.
        const al = gl + mg;
        const bl = hl + mh;
        hr = H - bl;
        if (bl >= minH && hr >= minH) {
          const gr = G - al;
          const gain = (al * al) / (bl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > leaf.gain + tie * Math.abs(leaf.gain)) setBest(leaf, gain, j, k, true, al, bl);
        }
      }
    }
    if (hasMissing) {
      // Every value left, NaN right.
      const q = (s0 + nb - 1) << 1;
      const al = gl + hist[q];
      const bl = hl + hist[q + 1];
      const hr = H - bl;
      if (bl >= minH && hr >= minH) {
        const gr = G - al;
        const gain = (al * al) / (bl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        if (gain > leaf.gain + tie * Math.abs(leaf.gain)) setBest(leaf, gain, j, nb - 1, false, al, bl);
      }
    }
  }

  private splitLeaf(li: number, open: number[]): void {
    const leaf = this.leaves[li];
    const f = leaf.feature;
    const { mapper } = this.B;
    const nb = mapper.nBins[f];
    const bin = leaf.bin;
    const ml = leaf.missingLeft;
    const threshold = bin === nb - 1 ? Number.MAX_VALUE : mapper.upper[mapper.binOffset[f] + bin];
    if (leaf.depth + 1 >= this.params.maxDepth) {
      // Both children sit at the depth limit, so they stay leaves: no partition, rows routed later.
      const b = this.builder;
      const nodeL = b.addLeaf(this.leafValue(leaf.gl, leaf.hl));
      const nodeR = b.addLeaf(this.leafValue(leaf.g - leaf.gl, leaf.h - leaf.hl));
      b.setSplit(leaf.node, f, threshold, bin, ml, nodeL, nodeR);
      if (leaf.hist) this.pool.push(leaf.hist);
      leaf.hist = null;
      this.deferred.push(li, nodeL, nodeR);
      return;
    }
    // Stable partition of the leaf's rows.
    const { idx, tmp, count } = this;
    // Branch-free: every row is written to both sides and only the matching cursor advances, so the
    // data-dependent (unpredictable) left/right decision costs no branch misprediction.
    const goesLeft = this.goesLeft;
    const col = splitRouting(this.fb, f, nb, bin, ml, goesLeft);
    let l = leaf.start;
    let t = 0;
    for (let p = leaf.start; p < leaf.end; p++) {
      const r = idx[p];
      const goLeft = goesLeft[col[r]];
      idx[l] = r;
      tmp[t] = r;
      l += goLeft;
      t += 1 - goLeft;
    }
    idx.set(tmp.subarray(0, t), l);
    const mid = l;
    let cl = mid - leaf.start;
    if (!this.unitCount) {
      cl = 0;
      for (let p = leaf.start; p < mid; p++) cl += count[idx[p]];
    }
    const gl = leaf.gl;
    const hl = leaf.hl;
    const gr = leaf.g - gl;
    const hr = leaf.h - hl;
    const b = this.builder;
    const nodeL = b.addLeaf(this.leafValue(gl, hl));
    const nodeR = b.addLeaf(this.leafValue(gr, hr));
    b.setSplit(leaf.node, f, threshold, bin, ml, nodeL, nodeR);
    const depth = leaf.depth + 1;
    const parentHist = leaf.hist;
    leaf.hist = null;
    const L = this.newLeaf(nodeL, leaf.start, mid, depth, gl, hl, cl);
    const R = this.newLeaf(nodeR, mid, leaf.end, depth, gr, hr, leaf.cnt - cl);
    const needL = this.canSplit(L);
    const needR = this.canSplit(R);
    if (needL || needR) {
      const leftSmaller = mid - leaf.start <= leaf.end - mid;
      const small = this.takeHist();
      if (leftSmaller) this.buildHist(small, leaf.start, mid, false);
      else this.buildHist(small, mid, leaf.end, false);
      const needLarge = leftSmaller ? needR : needL;
      const needSmall = leftSmaller ? needL : needR;
      let large: Float64Array | null = null;
      if (needLarge) {
        const h = parentHist!;
        for (let k = 0; k < h.length; k++) h[k] -= small[k];
        large = h;
      } else this.pool.push(parentHist!);
      let smallKept: Float64Array | null = small;
      if (!needSmall) {
        this.pool.push(small);
        smallKept = null;
      }
      this.leaves[L].hist = leftSmaller ? smallKept : large;
      this.leaves[R].hist = leftSmaller ? large : smallKept;
    } else if (parentHist) this.pool.push(parentHist);
    this.openOrFinal(L, open);
    this.openOrFinal(R, open);
  }

  private openOrFinal(li: number, open: number[]): void {
    if (this.leaves[li].hist) {
      this.findSplit(li);
      open.push(li);
    } else this.final.push(li);
  }
}

function setBest(
  leaf: Leaf,
  gain: number,
  feature: number,
  bin: number,
  missingLeft: boolean,
  gl: number,
  hl: number,
): void {
  leaf.gain = gain;
  leaf.feature = feature;
  leaf.bin = bin;
  leaf.missingLeft = missingLeft;
  leaf.gl = gl;
  leaf.hl = hl;
}
