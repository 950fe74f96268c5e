/**
 * Pareto and hypervolume utilities. Every objective is **minimised**; a set of n points in m objectives is
 * a flat (n, m) row-major Float64Array. The hypervolume is the Lebesgue measure of the region dominated by
 * the points and bounded above by the reference point `ref` (m); points that do not strictly dominate
 * `ref` contribute nothing.
 *
 * Exact algorithms: m = 1 trivially, m = 2 by a sweep (O(n log n)), m = 3 by a sweep on the third
 * objective over an incrementally maintained 2-D front (O(n²)), m ≥ 4 by dimension sweep (HSO, "slicing
 * objectives", While et al. 2006): slab heights along the last objective times the (m−1)-D hypervolume of
 * the points below the slab, recursing down to the 3-D case.
 */
import { OptimizerErrorCode, optimizerError } from './errors';

/** True when point a (row ao) dominates point b (row bo): a ≤ b everywhere and a < b somewhere. */
export function dominates(a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): boolean {
  let strictly = false;
  for (let j = 0; j < m; j++) {
    const x = a[ao + j];
    const y = b[bo + j];
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

function checkShape(points: Float64Array, n: number, m: number, ref?: ArrayLike<number>): void {
  if (!(m >= 1) || points.length < n * m) {
    throw optimizerError(
      OptimizerErrorCode.BadInput,
      `points has ${points.length} values, fewer than n·m = ${n}·${m}; pass a flat (n, m) row-major array`,
      { n, m, length: points.length },
    );
  }
  if (ref !== undefined && ref.length !== m) {
    throw optimizerError(
      OptimizerErrorCode.BadInput,
      `reference point has ${ref.length} entries but the points have m = ${m} objectives; give one per objective`,
      { m, refLength: ref.length },
    );
  }
}

/** Indices of the non-dominated points (identical points are all kept), in input order. */
export function paretoFrontIndices(points: Float64Array, n: number, m: number): Int32Array {
  checkShape(points, n, m);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let dominated = false;
    for (let j = 0; j < n && !dominated; j++) {
      if (j !== i && dominates(points, j * m, points, i * m, m)) dominated = true;
    }
    if (!dominated) keep.push(i);
  }
  return Int32Array.from(keep);
}

/**
 * Non-dominated sorting (Deb et al. 2002, fast non-dominated sort): rank 0 is the Pareto front, rank 1 the
 * front of the rest, and so on. Returns ranks (n).
 */
export function nonDominatedSort(points: Float64Array, n: number, m: number): Int32Array {
  checkShape(points, n, m);
  const rank = new Int32Array(n);
  const dominatedCount = new Int32Array(n);
  const dominatesList: number[][] = Array.from({ length: n }, () => []);
  let current: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points, i * m, points, j * m, m)) {
        dominatesList[i].push(j);
        dominatedCount[j]++;
      } else if (dominates(points, j * m, points, i * m, m)) {
        dominatesList[j].push(i);
        dominatedCount[i]++;
      }
    }
  }
  for (let i = 0; i < n; i++) if (dominatedCount[i] === 0) current.push(i);
  let r = 0;
  while (current.length > 0) {
    const next: number[] = [];
    for (const i of current) {
      rank[i] = r;
      for (const j of dominatesList[i]) if (--dominatedCount[j] === 0) next.push(j);
    }
    current = next;
    r++;
  }
  return rank;
}

/** Exact hypervolume of `points` (n, m) with respect to `ref` (m), minimisation. */
export function hypervolume(points: Float64Array, n: number, m: number, ref: ArrayLike<number>): number {
  checkShape(points, n, m, ref);
  // Keep only points strictly inside the reference box; the others dominate no volume below ref.
  const inside: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < m && ok; j++) if (!(points[i * m + j] < ref[j])) ok = false;
    if (ok) inside.push(i);
  }
  if (inside.length === 0) return 0;
  const pts = new Float64Array(inside.length * m);
  inside.forEach((i, r) => pts.set(points.subarray(i * m, i * m + m), r * m));
  return hvRec(pts, inside.length, m, Float64Array.from(ref));
}

function hvRec(pts: Float64Array, n: number, m: number, ref: Float64Array): number {
  if (n === 0) return 0;
  if (m === 1) {
    let best = Infinity;
    for (let i = 0; i < n; i++) if (pts[i] < best) best = pts[i];
    return ref[0] - best;
  }
  if (m === 2) return hv2(pts, n, ref);
  if (m === 3) return hv3(pts, n, ref);
  // Slice along the last objective: sort by it, and for each slab [z_i, z_{i+1}) the dominated cross
  // section is the (m−1)-D hypervolume of the first i+1 points projected on the other objectives.
  const last = m - 1;
  const order = sortedIndices(pts, n, m, last);
  const mm = m - 1;
  const proj = new Float64Array(n * mm);
  const subRef = ref.subarray(0, mm);
  let volume = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    proj.set(pts.subarray(i * m, i * m + mm), k * mm);
    const zLo = pts[i * m + last];
    const zHi = k + 1 < n ? pts[order[k + 1] * m + last] : ref[last];
    if (zHi > zLo) volume += (zHi - zLo) * hvRec(proj, k + 1, mm, subRef);
  }
  return volume;
}

function sortedIndices(pts: Float64Array, n: number, m: number, col: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => pts[a * m + col] - pts[b * m + col] || a - b);
  return idx;
}

/** 2-D sweep: sorted by the first objective, each point adds the strip below the running minimum of f2. */
function hv2(pts: Float64Array, n: number, ref: Float64Array): number {
  const order = sortedIndices(pts, n, 2, 0);
  let area = 0;
  let minY = ref[1];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const y = pts[i * 2 + 1];
    if (y < minY) {
      area += (ref[0] - pts[i * 2]) * (minY - y);
      minY = y;
    }
  }
  return area;
}

/**
 * 3-D sweep on the third objective: the 2-D front of the points seen so far is kept sorted by f1 (and so
 * strictly decreasing in f2); its area times the slab height is accumulated.
 */
function hv3(pts: Float64Array, n: number, ref: Float64Array): number {
  const order = sortedIndices(pts, n, 3, 2);
  const fx: number[] = [];
  const fy: number[] = [];
  let volume = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const x = pts[i * 3];
    const y = pts[i * 3 + 1];
    // Position of x in the front (first index with fx >= x).
    let lo = 0;
    let hi = fx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fx[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const dominatedByPrev = lo > 0 && fy[lo - 1] <= y;
    const dominatedBySame = lo < fx.length && fx[lo] === x && fy[lo] <= y;
    if (!dominatedByPrev && !dominatedBySame) {
      let end = lo;
      while (end < fx.length && fy[end] >= y) end++;
      fx.splice(lo, end - lo, x);
      fy.splice(lo, end - lo, y);
    }
    const zLo = pts[i * 3 + 2];
    const zHi = k + 1 < n ? pts[order[k + 1] * 3 + 2] : ref[2];
    if (zHi > zLo) {
      let area = 0;
      let prevY = ref[1];
      for (let t = 0; t < fx.length; t++) {
        area += (ref[0] - fx[t]) * (prevY - fy[t]);
        prevY = fy[t];
      }
      volume += (zHi - zLo) * area;
    }
  }
  return volume;
}

/** Hypervolume gained by adding `point` (m) to `front` (n, m): HV(front ∪ {point}) − HV(front). */
export function hypervolumeImprovement(
  front: Float64Array,
  n: number,
  m: number,
  point: ArrayLike<number>,
  ref: ArrayLike<number>,
): number {
  checkShape(front, n, m, ref);
  const all = new Float64Array((n + 1) * m);
  all.set(front.subarray(0, n * m));
  for (let j = 0; j < m; j++) all[n * m + j] = point[j];
  return Math.max(0, hypervolume(all, n + 1, m, ref) - hypervolume(front, n, m, ref));
}

/**
 * A partition of the region that is *not* dominated by a front but lies below the reference point into
 * disjoint axis-aligned boxes, for exact EHVI.
 *
 * Construction: on the grid spanned, in each of the first m−1 objectives, by −∞, the front's sorted
 * distinct coordinates and ref, every cell is a column; within it the non-dominated part is
 * [−∞, h) in the last objective, where h is the smallest last coordinate of the front points that are
 * ≤ the cell's lower corner in all other objectives (ref if none). So one box per cell:
 * ((m−1)-D cell) × [−∞, h]. Neighbouring cells with the same h are then merged, one grid axis at a time,
 * which shrinks the (k+1)^(m−1) cells of a k-point front several-fold (e.g. 1936 → ~250 boxes for a
 * 43-point 3-objective front).
 */
export interface BoxDecomposition {
  readonly m: number;
  /** Per objective d < m−1: grid coordinates [−∞, sorted distinct front values…, ref_d]. */
  readonly coords: readonly Float64Array[];
  readonly nBoxes: number;
  /** (nBoxes, m−1): box b spans [coords_d[lo], coords_d[hi]] in each of the first m−1 objectives. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Sorted distinct upper bounds h in the last objective (lower bound always −∞). */
  readonly heights: Float64Array;
  /** (nBoxes): index into `heights`. */
  readonly heightIndex: Int32Array;
}

export function nonDominatedBoxes(
  front: Float64Array,
  n: number,
  m: number,
  ref: ArrayLike<number>,
): BoxDecomposition {
  checkShape(front, n, m, ref);
  if (m < 2) {
    throw optimizerError(OptimizerErrorCode.BadInput, `box decomposition needs m >= 2 objectives, got ${m}`, {
      m,
    });
  }
  // Points that dominate something below ref.
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < m && ok; j++) if (!(front[i * m + j] < ref[j])) ok = false;
    if (ok) pts.push(i);
  }
  const dm = m - 1;
  const coords: Float64Array[] = [];
  const sizes: number[] = [];
  for (let d = 0; d < dm; d++) {
    const vals = Array.from(new Set(pts.map((i) => front[i * m + d]))).sort((a, b) => a - b);
    coords.push(Float64Array.from([-Infinity, ...vals, ref[d]]));
    sizes.push(vals.length + 1);
  }
  // One box per grid cell: [lo_0, hi_0, …, lo_{dm−1}, hi_{dm−1}, h].
  let boxes: number[][] = [];
  let nCells = 1;
  for (const sz of sizes) nCells *= sz;
  const idx = new Int32Array(dm);
  for (let b = 0; b < nCells; b++) {
    let hb = ref[dm];
    for (const i of pts) {
      let below = true;
      for (let d = 0; d < dm && below; d++) if (front[i * m + d] > coords[d][idx[d]]) below = false;
      if (below && front[i * m + dm] < hb) hb = front[i * m + dm];
    }
    const box: number[] = [];
    for (let d = 0; d < dm; d++) box.push(idx[d], idx[d] + 1);
    box.push(hb);
    boxes.push(box);
    for (let d = dm - 1; d >= 0; d--) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
  // Merge boxes that touch along axis t and agree on everything else (other ranges and h): sort so that
  // such boxes become neighbours, then one linear pass. Cells come in mixed-radix order with the last axis
  // fastest, so the first pass needs no sort.
  const W = 2 * dm + 1;
  for (let t = dm - 1; t >= 0; t--) {
    const lo = 2 * t;
    if (t < dm - 1) {
      boxes.sort((a, b) => {
        for (let k = 0; k < W; k++) {
          if (k === lo || k === lo + 1) continue;
          if (a[k] !== b[k]) return a[k] - b[k];
        }
        return a[lo] - b[lo];
      });
    }
    const merged: number[][] = [];
    let cur = boxes[0];
    for (let k = 1; k < boxes.length; k++) {
      const b = boxes[k];
      let same = b[lo] === cur[lo + 1];
      for (let q = 0; q < W && same; q++) if (q !== lo && q !== lo + 1 && b[q] !== cur[q]) same = false;
      if (same) cur[lo + 1] = b[lo + 1];
      else {
        merged.push(cur);
        cur = b;
      }
    }
    merged.push(cur);
    boxes = merged;
  }
  const nBoxes = boxes.length;
  const lo = new Int32Array(nBoxes * dm);
  const hi = new Int32Array(nBoxes * dm);
  const heights = Float64Array.from(Array.from(new Set(boxes.map((b) => b[2 * dm]))).sort((a, b) => a - b));
  const pos = new Map<number, number>();
  heights.forEach((v, i) => pos.set(v, i));
  const heightIndex = new Int32Array(nBoxes);
  boxes.forEach((box, b) => {
    for (let d = 0; d < dm; d++) {
      lo[b * dm + d] = box[2 * d];
      hi[b * dm + d] = box[2 * d + 1];
    }
    heightIndex[b] = pos.get(box[2 * dm]) as number;
  });
  return { m, coords, nBoxes, lo, hi, heights, heightIndex };
}
