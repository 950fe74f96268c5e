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
 * rounding (GAIN_TIE), so ties go to the lowest feature and threshold (XGBoost's rule). NaN rows sit in the feature's missing bin; when a node has any,
 * both default directions are tried (plus "all values vs. NaN"); otherwise NaN goes right.
 *
 * Thresholds are the bin's upper edge (a midpoint between neighbouring training values), so routing a raw
 * value by threshold and routing its bin by `bin ≤ binThreshold` always agree — training rows left out by
 * subsampling are scored through their bins without ever touching the raw matrix.
 *
 * Histograms: (totalBins, 2) row-major [Σg, Σh] per bin slot. The smaller child is built row by row, the
 * larger one is parent − smaller (histogram subtraction); buffers come from a pool kept across trees.
 */
import type { BinnedMatrix } from './binning';
import type { Tree } from './tree';
import { TreeBuilder } from './tree';

/**
 * Gains within this relative distance count as tied, so the first candidate in scan order wins as it would
 * in exact arithmetic: two candidates describing the same partition (e.g. "x₀ ≤ a" and "x₂ is NaN" on the
 * same rows) differ only by summation-order rounding, and XGBoost keeps the lower feature.
 */
const GAIN_TIE = 1e-10;

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
  private readonly pool: Float64Array[] = [];
  private readonly builder = new TreeBuilder();
  private readonly leaves: Leaf[] = [];
  private nLeaves = 0;
  /** Leaves of the finished tree: index into `leaves`. */
  private final: number[] = [];
  private g!: Float64Array;
  private h!: Float64Array;
  private count!: Float64Array;
  private params!: GradTreeParams;

  constructor(private readonly B: BinnedMatrix) {
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
  grow(g: Float64Array, h: Float64Array, count: Float64Array, rows: Uint32Array, params: GradTreeParams): Tree {
    this.g = g;
    this.h = h;
    this.count = count;
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
      // Depth-wise: first in, first out (level order). Leaf-wise: the open leaf with the largest gain.
      let pick = head;
      if (lossGuide) {
        for (let k = head + 1; k < open.length; k++) {
          if (this.leaves[open[k]].gain > this.leaves[open[pick]].gain) pick = k;
        }
        const t = open[pick];
        open[pick] = open[head];
        open[head] = t;
        pick = head;
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

  /** F[r] += value of r's leaf, for the rows the last tree was grown on. */
  addLeafValuesToRows(F: Float64Array): void {
    const { idx, leaves } = this;
    const value = this.builder.value;
    for (const li of this.final) {
      const leaf = leaves[li];
      const v = value[leaf.node];
      for (let p = leaf.start; p < leaf.end; p++) F[idx[p]] += v;
    }
  }

  /**
   * F[r] += value of r's leaf for the given rows, routing each row through its bins (used for training rows
   * a subsampled tree did not see).
   */
  addTreeToRowsBinned(F: Float64Array, rows: Uint32Array, count: number): void {
    const { feature, left, right, binThreshold, missingLeft, value } = this.builder;
    const { bins, nRows, mapper } = this.B;
    const nBins = mapper.nBins;
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
      F[r] += value[node];
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
    return new Float64Array(this.B.mapper.totalBins * 2);
  }

  /** Σg, Σh per bin slot over idx[start, end); `identity` when the range is every row in order. */
  private buildHist(hist: Float64Array, start: number, end: number, identity: boolean): void {
    const { bins, nRows, nCols, mapper } = this.B;
    const binOffset = mapper.binOffset;
    if (identity) {
      const { g, h } = this;
      for (let j = 0; j < nCols; j++) {
        const colBase = j * nRows;
        const s0 = binOffset[j];
        for (let r = 0; r < nRows; r++) {
          const q = (s0 + bins[colBase + r]) << 1;
          hist[q] += g[r];
          hist[q + 1] += h[r];
        }
      }
      return;
    }
    const { idx, gOrd, hOrd, g, h } = this;
    for (let p = start; p < end; p++) {
      const r = idx[p];
      gOrd[p] = g[r];
      hOrd[p] = h[r];
    }
    for (let j = 0; j < nCols; j++) {
      const colBase = j * nRows;
      const s0 = binOffset[j];
      for (let p = start; p < end; p++) {
        const q = (s0 + bins[colBase + idx[p]]) << 1;
        hist[q] += gOrd[p];
        hist[q + 1] += hOrd[p];
      }
    }
  }

  /** Finds the best split of a leaf from its histogram; stores it on the leaf (gain −∞ when none). */
  private findSplit(li: number): void {
    const leaf = this.leaves[li];
    const hist = leaf.hist!;
    const { nCols, mapper } = this.B;
    const { binOffset, nBins } = mapper;
    const { lambda, minChildWeight, minDataInLeaf } = this.params;
    const G = leaf.g;
    const H = leaf.h;
    const parentScore = (G * G) / (H + lambda);
    // LightGBM's count estimate: rows per unit of hessian in this node.
    const cntFactor = leaf.cnt / H;
    const minH = Math.max(minChildWeight, minDataInLeaf > 0 ? (minDataInLeaf - 0.5) / cntFactor : 0);
    let bestGain = -Number.MAX_VALUE;
    let bestF = -1;
    let bestBin = 0;
    let bestML = false;
    let bestGL = 0;
    let bestHL = 0;
    for (let j = 0; j < nCols; j++) {
      const s0 = binOffset[j];
      const nb = nBins[j];
      const mq = (s0 + nb) << 1;
      const mg = hist[mq];
      const mh = hist[mq + 1];
      const hasMissing = mh > 0;
      let gl = 0;
      let hl = 0;
      for (let k = 0; k < nb - 1; k++) {
        const q = (s0 + k) << 1;
        gl += hist[q];
        hl += hist[q + 1];
        // NaN right.
        let hr = H - hl;
        if (hl >= minH && hr >= minH) {
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > bestGain + GAIN_TIE * Math.abs(bestGain)) {
            bestGain = gain;
            bestF = j;
            bestBin = k;
            bestML = false;
            bestGL = gl;
            bestHL = hl;
          }
        }
        if (hasMissing) {
          const al = gl + mg;
          const bl = hl + mh;
          hr = H - bl;
          if (bl >= minH && hr >= minH) {
            const gr = G - al;
            const gain = (al * al) / (bl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
            if (gain > bestGain + GAIN_TIE * Math.abs(bestGain)) {
              bestGain = gain;
              bestF = j;
              bestBin = k;
              bestML = true;
              bestGL = al;
              bestHL = bl;
            }
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
          if (gain > bestGain + GAIN_TIE * Math.abs(bestGain)) {
            bestGain = gain;
            bestF = j;
            bestBin = nb - 1;
            bestML = false;
            bestGL = al;
            bestHL = bl;
          }
        }
      }
    }
    leaf.gain = bestGain;
    leaf.feature = bestF;
    leaf.bin = bestBin;
    leaf.missingLeft = bestML;
    leaf.gl = bestGL;
    leaf.hl = bestHL;
  }

  private splitLeaf(li: number, open: number[]): void {
    const leaf = this.leaves[li];
    const f = leaf.feature;
    const { mapper, bins, nRows } = this.B;
    const nb = mapper.nBins[f];
    const bin = leaf.bin;
    const ml = leaf.missingLeft;
    // Stable partition of the leaf's rows.
    const { idx, tmp, count } = this;
    const colBase = f * nRows;
    let l = leaf.start;
    let t = 0;
    let cl = 0;
    for (let p = leaf.start; p < leaf.end; p++) {
      const r = idx[p];
      const b = bins[colBase + r];
      if (b === nb ? ml : b <= bin) {
        idx[l++] = r;
        cl += count[r];
      } else tmp[t++] = r;
    }
    idx.set(tmp.subarray(0, t), l);
    const mid = l;
    const threshold = bin === nb - 1 ? Number.MAX_VALUE : mapper.upper[mapper.binOffset[f] + bin];
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
