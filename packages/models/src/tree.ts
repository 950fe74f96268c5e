/**
 * Binary decision trees as flat arrays (one slot per node), shared by CART, random forests and both boosting
 * flavours. Node 0 is the root; a leaf has `feature = -1`. An internal node sends x to `left` when
 * `x <= threshold`, to `right` when `x > threshold`, and NaN to the side given by `missingLeft`.
 */
import type { DenseMatrix } from './classifier';
import { ModelErrorCode, modelError } from './errors';

export interface Tree {
  /** (nNodes) split feature, -1 for a leaf. */
  readonly feature: Int32Array;
  /** (nNodes) real-valued split threshold (unused for leaves). */
  readonly threshold: Float64Array;
  /** (nNodes) children; -1 for leaves. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** (nNodes) 1 when NaN goes left. */
  readonly missingLeft: Uint8Array;
  /** (nNodes) output of the node (a probability for CART, a shrunken raw score for boosting). */
  readonly value: Float64Array;
}

/** Plain-data form of a tree inside a model's JSON. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missingLeft: number[];
  value: number[];
}

/**
 * A growable tree under construction. Arrays double when full, so growth costs amortised O(1) per node and
 * nothing is allocated per node. `binThreshold` (bins ≤ it go left) is kept for training-time routing only.
 */
export class TreeBuilder {
  nNodes = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  missingLeft = new Uint8Array(64);
  value = new Float64Array(64);
  binThreshold = new Uint8Array(64);

  reset(): void {
    this.nNodes = 0;
  }

  /** Adds a leaf with the given value and returns its index. */
  addLeaf(value: number): number {
    if (this.nNodes === this.feature.length) this.grow();
    const k = this.nNodes++;
    this.feature[k] = -1;
    this.threshold[k] = 0;
    this.left[k] = -1;
    this.right[k] = -1;
    this.missingLeft[k] = 0;
    this.value[k] = value;
    this.binThreshold[k] = 0;
    return k;
  }

  /** Turns leaf `k` into a split node pointing at two existing nodes. */
  setSplit(
    k: number,
    feature: number,
    threshold: number,
    binThreshold: number,
    missingLeft: boolean,
    left: number,
    right: number,
  ): void {
    this.feature[k] = feature;
    this.threshold[k] = threshold;
    this.binThreshold[k] = binThreshold;
    this.missingLeft[k] = missingLeft ? 1 : 0;
    this.left[k] = left;
    this.right[k] = right;
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const f = new Int32Array(cap);
    f.set(this.feature);
    this.feature = f;
    const t = new Float64Array(cap);
    t.set(this.threshold);
    this.threshold = t;
    const l = new Int32Array(cap);
    l.set(this.left);
    this.left = l;
    const r = new Int32Array(cap);
    r.set(this.right);
    this.right = r;
    const m = new Uint8Array(cap);
    m.set(this.missingLeft);
    this.missingLeft = m;
    const v = new Float64Array(cap);
    v.set(this.value);
    this.value = v;
    const b = new Uint8Array(cap);
    b.set(this.binThreshold);
    this.binThreshold = b;
  }

  /** An exact-size copy of the finished tree. */
  finish(): Tree {
    const n = this.nNodes;
    return {
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      missingLeft: this.missingLeft.slice(0, n),
      value: this.value.slice(0, n),
    };
  }
}

/** out[i] += scale * (leaf value of row i) for every row of X. */
export function addTreeOutputs(tree: Tree, X: DenseMatrix, out: Float64Array, scale = 1): void {
  const { feature, threshold, left, right, missingLeft, value } = tree;
  const { data, nRows, nCols } = X;
  const rootFeature = feature[0];
  for (let i = 0, base = 0; i < nRows; i++, base += nCols) {
    let node = 0;
    let f = rootFeature;
    while (f >= 0) {
      const x = data[base + f];
      const t = threshold[node];
      if (x <= t) node = left[node];
      else if (x > t) node = right[node];
      else node = missingLeft[node] === 1 ? left[node] : right[node];
      f = feature[node];
    }
    out[i] += scale * value[node];
  }
}

export function treeToJson(t: Tree): TreeJson {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    left: Array.from(t.left),
    right: Array.from(t.right),
    missingLeft: Array.from(t.missingLeft),
    value: Array.from(t.value),
  };
}

/** Rebuilds a tree from JSON, checking that every array has one entry per node and children are in range. */
export function treeFromJson(j: unknown, nFeatures: number, where: string): Tree {
  const o = j as Partial<TreeJson> | null;
  const bad = (why: string): never => modelError(ModelErrorCode.BadJson, `${where}: ${why}`, { where });
  if (typeof o !== 'object' || o === null) bad('tree is not an object');
  const keys = ['feature', 'threshold', 'left', 'right', 'missingLeft', 'value'] as const;
  for (const k of keys) {
    const a = (o as Record<string, unknown>)[k];
    if (!Array.isArray(a) || a.some((v) => typeof v !== 'number'))
      bad(`tree.${k} must be an array of numbers`);
  }
  const t = o as TreeJson;
  const n = t.feature.length;
  if (n === 0) bad('tree has no nodes');
  for (const k of keys) if (t[k].length !== n) bad(`tree.${k} has ${t[k].length} entries, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const f = t.feature[i];
    if (f === -1) continue;
    if (!Number.isInteger(f) || f < 0 || f >= nFeatures)
      bad(`node ${i} splits on feature ${f} (nFeatures ${nFeatures})`);
    for (const c of [t.left[i], t.right[i]]) {
      // Children always come after their parent, which also rules out cycles.
      if (!Number.isInteger(c) || c <= i || c >= n) bad(`node ${i} has child ${c} out of range`);
    }
  }
  return {
    feature: Int32Array.from(t.feature),
    threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left),
    right: Int32Array.from(t.right),
    missingLeft: Uint8Array.from(t.missingLeft),
    value: Float64Array.from(t.value),
  };
}
