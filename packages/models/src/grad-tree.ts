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
 * Histograms: (totalSlots, 2) row-major [Σg, Σh] per slot of the joint bundles (joint-bundles.ts: cells of
 * groups of small bundles, then the slots of the remaining bundles; bundles.ts: one bundle per one-hot
 * group or lone feature), expanded to bundle slots when a node's splits are scanned. They are built row by
 * row from the row-major slot matrix: each row's gradient pair is loaded once and added to one slot per
 * group. The smaller child is built, the larger one is parent − smaller (histogram subtraction); buffers
 * come from a pool kept across trees.
 *
 * Histograms are packed-double JS arrays rather than Float64Arrays: once any ArrayBuffer of the process has
 * been detached (a transfer to a worker thread does it; so does the tsx loader at start-up), V8 guards
 * typed-array accesses with a detached-buffer check and, after every typed-array store, re-validates every
 * typed array the loop touches; the histogram adds are a load and a store per channel, so this cost ≈ 30%
 * of a tree. A packed-double array stores doubles unboxed just the same, without those checks.
 *
 * The per-row loops (histograms, partitioning, odds updates) are module-level functions taking arrays
 * only: each is compiled once, for the one shape of arguments it ever sees, instead of as part of a large
 * method whose rarely taken branches keep sending the optimised code back to the interpreter.
 */
import type { BinnedMatrix } from './binning';
import type { FeatureBundles } from './bundles';
import { expandMember, featureBundles, splitRouting } from './bundles';
import type { JointBundles } from './joint-bundles';
import { expandJoint, jointBundles } from './joint-bundles';
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
  hist: number[] | null;
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
  /** (nRows, nGroups) row-major histogram slot of each row in each joint group (joint-bundles.ts). */
  private readonly rowSlots: Uint16Array | Uint32Array;
  private readonly jb: JointBundles;
  /** Scratch: a node's joint histogram expanded to bundle slots (fb.totalSlots × 2). */
  private readonly bundleHist: number[];
  /** One bundled feature's histogram expanded to its own slots (≤ 256 × 2). */
  private readonly featHist = doubleArray(256 * 2);
  /** Node totals [Σg, Σh], read by the bundle expansion. */
  private readonly totals = new Float64Array(2);
  /** Per-bin routing of the split being applied: 1 = left. */
  private readonly goesLeft = new Uint8Array(256);
  /** Per-bin odds factor of a deferred split's two leaves (e^{value} of the side the bin goes to). */
  private readonly binFactor = new Float64Array(256);
  private readonly fb: FeatureBundles;
  // Per-node constants of the split search.
  private minH = 0;
  private parentScore = 0;
  private readonly pool: number[][] = [];
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
  /** (nRows, 2) row-major [g, h] of the current tree. */
  private gh: Float64Array = new Float64Array(0);
  private count: Float64Array = new Float64Array(0);
  /** Every row's count is 1, so a leaf's count is its number of rows. */
  private unitCount = true;
  /** The count array `unitCount` was computed for. */
  private countChecked: Float64Array | null = null;
  private params!: GradTreeParams;

  /** `bundle` false disables exclusive feature bundling (same trees, slower on one-hot data). */
  constructor(
    private readonly B: BinnedMatrix,
    bundle = true,
  ) {
    this.fb = featureBundles(B, bundle);
    const n = B.nRows;
    this.jb = jointBundles(this.fb, n, bundle);
    this.rowSlots = this.jb.rowSlots;
    this.bundleHist = doubleArray(this.fb.totalSlots * 2);
    this.idx = new Uint32Array(n);
    this.tmp = new Uint32Array(n);
  }

  /**
   * Grows one tree on `rows` (distinct rows, ascending) with per-row gradient pairs `gh` ((nRows, 2)
   * row-major [g, h], indexed by row of the binned matrix, already multiplied by sample weights) and row
   * multiplicities `count` (for `minDataInLeaf`).
   */
  grow(gh: Float64Array, count: Float64Array, rows: Uint32Array, params: GradTreeParams): Tree {
    this.gh = gh;
    this.count = count;
    if (count !== this.countChecked) {
      // Rows of a tree have count ≥ 1, so counts that are all 0 or 1 make every leaf's count its size.
      this.countChecked = count;
      this.unitCount = maxOf(count) <= 1;
    }
    this.params = params;
    const n = rows.length;
    this.idx.set(rows);
    // The root histogram comes first: its first group's slots partition the rows, so they also give the
    // root's totals without another pass over the rows.
    const hist = this.takeHist();
    const nG = this.jb.nGroups;
    if (n === this.B.nRows) histAll(hist, this.rowSlots, nG, gh, n);
    else histRows(hist, this.rowSlots, nG, gh, this.idx, 0, n);
    let G = 0;
    let H = 0;
    for (let q = 0, e = 2 * this.jb.slotOffset[1]; q < e; q += 2) {
      G += hist[q];
      H += hist[q + 1];
    }
    const C = this.unitCount ? n : sumCount(count, this.idx, 0, n);
    const b = this.builder;
    b.reset();
    this.nLeaves = 0;
    this.final = [];
    this.deferred = [];
    const root = this.newLeaf(b.addLeaf(this.leafValue(G, H)), 0, n, 0, G, H, C);
    const open: number[] = [];
    if (this.canSplit(root)) {
      this.leaves[root].hist = hist;
      this.findSplit(root);
      open.push(root);
    } else {
      this.pool.push(hist);
      this.final.push(root);
    }
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
    for (const li of this.final) {
      const leaf = leaves[li];
      scaleRange(odds, idx, leaf.start, leaf.end, Math.exp(value[leaf.node]));
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
      // Per-bin factors, so that a row's factor is one lookup rather than an unpredictable branch.
      const fac = this.binFactor;
      for (let v = 0; v < 256; v++) fac[v] = goesLeft[v] === 1 ? eL : eR;
      scaleRangeByBin(odds, idx, leaf.start, leaf.end, col, fac);
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

  private takeHist(): number[] {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return doubleArray(this.jb.totalSlots * 2);
  }

  /** Finds the best split of a leaf from its histogram; stores it on the leaf (gain −MAX_VALUE when none). */
  private findSplit(li: number): void {
    const leaf = this.leaves[li];
    const joint = leaf.hist!;
    const jb = this.jb;
    // Groups of several bundles are expanded to their bundles' slots; single-bundle groups are read in place.
    const bundled = this.bundleHist;
    if (!jb.identity) expandJoint(jb, this.fb, joint, bundled);
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
      const b = fb.bundleOf[j];
      const g = jb.groupOf[b];
      const single = jb.members[g].length === 1;
      const hist = single ? joint : bundled;
      const start = single ? jb.slotOffset[g] : fb.slotOffset[b];
      if (fb.base[j] < 0) this.scanFeature(leaf, hist, start, j, nb);
      else {
        expandMember(hist, fb, j, nb, 2, this.totals, this.featHist, start);
        this.scanFeature(leaf, this.featHist, 0, j, nb);
      }
    }
  }

  /** Evaluates every split of feature j, whose nb + 1 slots start at slot s0 of `hist`. */
  private scanFeature(leaf: Leaf, hist: number[], s0: number, j: number, nb: number): void {
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
    const { idx, count } = this;
    const col = splitRouting(this.fb, f, nb, bin, ml, this.goesLeft);
    const mid = partitionRows(idx, this.tmp, col, this.goesLeft, leaf.start, leaf.end);
    let cl = mid - leaf.start;
    if (!this.unitCount) {
      cl = sumCount(count, idx, leaf.start, mid);
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
      const nG = this.jb.nGroups;
      if (leftSmaller) histRows(small, this.rowSlots, nG, this.gh, idx, leaf.start, mid);
      else histRows(small, this.rowSlots, nG, this.gh, idx, mid, leaf.end);
      const needLarge = leftSmaller ? needR : needL;
      const needSmall = leftSmaller ? needL : needR;
      let large: number[] | null = null;
      if (needLarge) {
        large = parentHist!;
        subtractInto(large, small);
      } else this.pool.push(parentHist!);
      let smallKept: number[] | null = small;
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

/**
 * A zero-filled JS array of doubles (elements kind PACKED_DOUBLE: the first element stored is a non-integer,
 * so V8 never stores them as small integers or boxes them).
 */
function doubleArray(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  a.fill(0);
  return a;
}

function maxOf(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]);
  return m;
}

function sumCount(count: Float64Array, idx: Uint32Array, start: number, end: number): number {
  let c = 0;
  for (let p = start; p < end; p++) c += count[idx[p]];
  return c;
}

/**
 * hist[2s], hist[2s + 1] += g_r, h_r for every slot s of every row r in idx[start, end); `slots` is the
 * (nRows, nG) row-major slot matrix. A row's nG adds go to different entries, so they run in parallel; the
 * group loop is unrolled by four to cut its loop overhead.
 */
function histRows(
  hist: number[],
  slots: Uint16Array | Uint32Array,
  nG: number,
  gh: Float64Array,
  idx: Uint32Array,
  start: number,
  end: number,
): void {
  for (let p = start; p < end; p++) {
    const r = idx[p];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    let k = r * nG;
    const e = k + nG;
    for (; k + 3 < e; k += 4) {
      const q0 = slots[k] << 1;
      const q1 = slots[k + 1] << 1;
      const q2 = slots[k + 2] << 1;
      const q3 = slots[k + 3] << 1;
      hist[q0] += g;
      hist[q0 + 1] += h;
      hist[q1] += g;
      hist[q1 + 1] += h;
      hist[q2] += g;
      hist[q2 + 1] += h;
      hist[q3] += g;
      hist[q3 + 1] += h;
    }
    for (; k < e; k++) {
      const q = slots[k] << 1;
      hist[q] += g;
      hist[q + 1] += h;
    }
  }
}

/** As `histRows` over every row 0..n − 1 in order (the root of a tree on all rows): no index gather. */
function histAll(
  hist: number[],
  slots: Uint16Array | Uint32Array,
  nG: number,
  gh: Float64Array,
  n: number,
): void {
  let k = 0;
  for (let r = 0; r < n; r++) {
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const e = k + nG;
    for (; k + 3 < e; k += 4) {
      const q0 = slots[k] << 1;
      const q1 = slots[k + 1] << 1;
      const q2 = slots[k + 2] << 1;
      const q3 = slots[k + 3] << 1;
      hist[q0] += g;
      hist[q0 + 1] += h;
      hist[q1] += g;
      hist[q1 + 1] += h;
      hist[q2] += g;
      hist[q2 + 1] += h;
      hist[q3] += g;
      hist[q3 + 1] += h;
    }
    for (; k < e; k++) {
      const q = slots[k] << 1;
      hist[q] += g;
      hist[q + 1] += h;
    }
  }
}

/** large ← large − small (histogram subtraction: the larger child from its parent and sibling). */
function subtractInto(large: number[], small: number[]): void {
  for (let k = 0; k < large.length; k++) large[k] -= small[k];
}

/**
 * Stable partition of idx[start, end) by goesLeft[col[row]]; returns the first position of the right side.
 * Branch-free: every row is written to both sides and only the matching cursor advances, so the
 * data-dependent (unpredictable) left/right decision costs no branch misprediction. Eight rows per
 * iteration, loads before stores: V8 re-validates a typed array (map, length, detached buffer) after every
 * typed-array store, so grouping the loads lets eight rows share one round of those checks.
 */
function partitionRows(
  idx: Uint32Array,
  tmp: Uint32Array,
  col: Uint8Array,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  let l = start;
  let t = 0;
  let p = start;
  for (; p + 7 < end; p += 8) {
    const r0 = idx[p];
    const r1 = idx[p + 1];
    const r2 = idx[p + 2];
    const r3 = idx[p + 3];
    const r4 = idx[p + 4];
    const r5 = idx[p + 5];
    const r6 = idx[p + 6];
    const r7 = idx[p + 7];
    const g0 = goesLeft[col[r0]];
    const g1 = goesLeft[col[r1]];
    const g2 = goesLeft[col[r2]];
    const g3 = goesLeft[col[r3]];
    const g4 = goesLeft[col[r4]];
    const g5 = goesLeft[col[r5]];
    const g6 = goesLeft[col[r6]];
    const g7 = goesLeft[col[r7]];
    idx[l] = r0;
    tmp[t] = r0;
    l += g0;
    t += 1 - g0;
    idx[l] = r1;
    tmp[t] = r1;
    l += g1;
    t += 1 - g1;
    idx[l] = r2;
    tmp[t] = r2;
    l += g2;
    t += 1 - g2;
    idx[l] = r3;
    tmp[t] = r3;
    l += g3;
    t += 1 - g3;
    idx[l] = r4;
    tmp[t] = r4;
    l += g4;
    t += 1 - g4;
    idx[l] = r5;
    tmp[t] = r5;
    l += g5;
    t += 1 - g5;
    idx[l] = r6;
    tmp[t] = r6;
    l += g6;
    t += 1 - g6;
    idx[l] = r7;
    tmp[t] = r7;
    l += g7;
    t += 1 - g7;
  }
  for (; p < end; p++) {
    const r = idx[p];
    const goLeft = goesLeft[col[r]];
    idx[l] = r;
    tmp[t] = r;
    l += goLeft;
    t += 1 - goLeft;
  }
  idx.set(tmp.subarray(0, t), l);
  return l;
}

/** odds[r] ← clamp(odds[r]·e) for r in idx[start, end); four rows per iteration, loads before stores. */
function scaleRange(odds: Float64Array, idx: Uint32Array, start: number, end: number, e: number): void {
  const lo = ODDS_MIN;
  const hi = ODDS_MAX;
  let p = start;
  for (; p + 3 < end; p += 4) {
    const r0 = idx[p];
    const r1 = idx[p + 1];
    const r2 = idx[p + 2];
    const r3 = idx[p + 3];
    const o0 = Math.min(hi, Math.max(lo, odds[r0] * e));
    const o1 = Math.min(hi, Math.max(lo, odds[r1] * e));
    const o2 = Math.min(hi, Math.max(lo, odds[r2] * e));
    const o3 = Math.min(hi, Math.max(lo, odds[r3] * e));
    odds[r0] = o0;
    odds[r1] = o1;
    odds[r2] = o2;
    odds[r3] = o3;
  }
  for (; p < end; p++) {
    const r = idx[p];
    odds[r] = Math.min(hi, Math.max(lo, odds[r] * e));
  }
}

/** As `scaleRange` with factor fac[col[r]] for row r (the two children of a deferred split). */
function scaleRangeByBin(
  odds: Float64Array,
  idx: Uint32Array,
  start: number,
  end: number,
  col: Uint8Array,
  fac: Float64Array,
): void {
  const lo = ODDS_MIN;
  const hi = ODDS_MAX;
  let p = start;
  for (; p + 3 < end; p += 4) {
    const r0 = idx[p];
    const r1 = idx[p + 1];
    const r2 = idx[p + 2];
    const r3 = idx[p + 3];
    const o0 = Math.min(hi, Math.max(lo, odds[r0] * fac[col[r0]]));
    const o1 = Math.min(hi, Math.max(lo, odds[r1] * fac[col[r1]]));
    const o2 = Math.min(hi, Math.max(lo, odds[r2] * fac[col[r2]]));
    const o3 = Math.min(hi, Math.max(lo, odds[r3] * fac[col[r3]]));
    odds[r0] = o0;
    odds[r1] = o1;
    odds[r2] = o2;
    odds[r3] = o3;
  }
  for (; p < end; p++) {
    const r = idx[p];
    odds[r] = Math.min(hi, Math.max(lo, odds[r] * fac[col[r]]));
  }
}
