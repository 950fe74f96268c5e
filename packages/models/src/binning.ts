/**
 * The shared histogram engine's input: every feature quantised to at most `maxBins` (≤ 255) value bins plus
 * one bin for missing values, stored as one `Uint8Array` column per feature.
 *
 * - A feature with at most `maxBins` distinct values gets one bin per value ("exact" bins), so split
 *   candidates are exactly the ones an exhaustive sort-based tree considers.
 * - Otherwise the bins are greedy equal-frequency bins over the sorted values (a value more frequent than one
 *   bin's share keeps a bin of its own), computed on at most `SAMPLE_ROWS` rows taken at a fixed stride.
 * - NaN goes to the feature's missing bin, whose index is `nBins[j]` (so it never exceeds 255).
 * - Bin k of feature j holds the values x with `upper[k-1] < x <= upper[k]`; edges are midpoints between
 *   neighbouring distinct training values. Models store real-valued thresholds, so they predict on raw
 *   matrices; binning test data is never needed.
 *
 * `binMatrix` caches its result per data array (a `WeakMap`), so the many models trained on one matrix —
 * bootstrap estimators passing `rows`, halting fractions, a forest's trees — share one binning and no model
 * holds a copy of the data. Matrices are treated as immutable once binned. The tree growers add exclusive
 * feature bundling on top (bundles.ts).
 */
import type { DenseMatrix } from './classifier';
import { ModelErrorCode, modelError } from './errors';

export const DEFAULT_MAX_BINS = 255;
/** Rows used to find quantile edges of a feature with many distinct values (LightGBM uses 200,000 too). */
const SAMPLE_ROWS = 200_000;
/** Rows per block when reading the row-major source column by column, so a block stays in cache. */
const ROW_BLOCK = 512;

export interface BinMapper {
  readonly nFeatures: number;
  readonly maxBins: number;
  /** (nFeatures) number of value bins of each feature (≥ 1); the feature's missing bin has index nBins[j]. */
  readonly nBins: Uint16Array;
  /**
   * (nFeatures + 1) slot offsets: feature j owns slots [binOffset[j], binOffset[j] + nBins[j]] in every
   * per-bin array below and in histograms (the last slot is the missing bin).
   */
  readonly binOffset: Uint32Array;
  /** Total number of slots, binOffset[nFeatures]. */
  readonly totalBins: number;
  /** (totalBins) upper edge of each value bin (+Infinity for a feature's last value bin and the missing slot). */
  readonly upper: Float64Array;
  /** (totalBins) smallest training value in the bin (NaN for the missing slot). */
  readonly lo: Float64Array;
  /** (totalBins) largest training value in the bin (NaN for the missing slot). */
  readonly hi: Float64Array;
}

export interface BinnedMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** (nCols, nRows) column-major: bin of row i, feature j at `bins[j * nRows + i]`. */
  readonly bins: Uint8Array;
  readonly mapper: BinMapper;
  /** (nCols) number of NaN values per feature. */
  readonly missingCount: Uint32Array;
}

/** Reads column j of a row-major matrix into `out` (length nRows). */
function readColumn(X: DenseMatrix, j: number, out: Float64Array): void {
  const { data, nRows, nCols } = X;
  for (let i = 0, k = j; i < nRows; i++, k += nCols) out[i] = data[k];
}

/** Fits bin edges on X (NaN ignored). */
export function fitBinMapper(X: DenseMatrix, maxBins: number = DEFAULT_MAX_BINS): BinMapper {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    modelError(ModelErrorCode.BadParam, `maxBins = ${maxBins}; it must be an integer in [2, 255]`, {
      maxBins,
    });
  }
  const { nRows, nCols, data } = X;
  // Pass 1, all features at once, row block by row block (the block stays in cache while each feature's
  // values in it are read): the sorted distinct values of each feature, up to maxBins of them.
  // distinct: (nCols, maxBins) row-major; count[j] = number found; overflow[j] = 1 past maxBins.
  const distinct = new Float64Array(nCols * maxBins);
  const count = new Int32Array(nCols);
  const overflow = new Uint8Array(nCols);
  const lastSeen = new Float64Array(nCols).fill(NaN);
  for (let i0 = 0; i0 < nRows; i0 += ROW_BLOCK) {
    const i1 = Math.min(nRows, i0 + ROW_BLOCK);
    for (let j = 0; j < nCols; j++) {
      if (overflow[j]) continue;
      const d0 = j * maxBins;
      let m = count[j];
      let last = lastSeen[j];
      for (let k = i0 * nCols + j, kEnd = i1 * nCols; k < kEnd; k += nCols) {
        const x = data[k];
        if (x === last || x !== x) continue;
        last = x;
        let a = d0;
        let b = d0 + m;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (distinct[mid] < x) a = mid + 1;
          else b = mid;
        }
        if (a < d0 + m && distinct[a] === x) continue;
        if (m === maxBins) {
          overflow[j] = 1;
          break;
        }
        distinct.copyWithin(a + 1, a, d0 + m);
        distinct[a] = x + 0; // −0 is stored as +0, as in binSelf
        m++;
      }
      count[j] = m;
      lastSeen[j] = last;
    }
  }
  const nBins = new Uint16Array(nCols);
  const parts: { up: Float64Array; lo: Float64Array; hi: Float64Array }[] = [];
  let col: Float64Array | null = null;
  for (let j = 0; j < nCols; j++) {
    let part;
    if (!overflow[j]) part = exactBins(distinct.subarray(j * maxBins, j * maxBins + count[j]));
    else {
      col ??= new Float64Array(nRows);
      readColumn(X, j, col);
      part = quantileBins(col, maxBins);
    }
    nBins[j] = part.up.length;
    parts.push(part);
  }
  return assembleMapper(parts, nBins, maxBins);
}

/**
 * Midpoint of two neighbouring values a < b, as scikit-learn places thresholds; when rounding makes the
 * midpoint equal to b (adjacent doubles), a is used so that `x <= edge` still separates a from b.
 */
export function midpoint(a: number, b: number): number {
  const m = a / 2 + b / 2;
  return m >= b || !(m >= a) ? a : m;
}

/** Greedy equal-frequency bins over the sorted non-missing values (of a strided sample for huge columns). */
function quantileBins(
  col: Float64Array,
  maxBins: number,
): { up: Float64Array; lo: Float64Array; hi: Float64Array } {
  const n = col.length;
  const stride = n > SAMPLE_ROWS ? Math.ceil(n / SAMPLE_ROWS) : 1;
  const sample = new Float64Array(Math.ceil(n / stride));
  let s = 0;
  for (let i = 0; i < n; i += stride) {
    const x = col[i];
    if (x === x) sample[s++] = x;
  }
  const v = sample.subarray(0, s).sort();
  // Distinct values and their counts, in place at the front of `v` / in `cnt`.
  const cnt = new Float64Array(s);
  let d = 0;
  for (let i = 0; i < s; i++) {
    if (d > 0 && v[i] === v[d - 1]) cnt[d - 1]++;
    else {
      v[d] = v[i];
      cnt[d] = 1;
      d++;
    }
  }
  const up: number[] = [];
  const lo: number[] = [v[0]];
  const hi: number[] = [];
  let remaining = s;
  let binsLeft = maxBins;
  let target = remaining / binsLeft;
  let acc = 0;
  for (let t = 0; t < d; t++) {
    acc += cnt[t];
    remaining -= cnt[t];
    // Cut after value t when the bin is full, or when the next value alone fills a bin (keep it separate).
    const nextHeavy = t + 1 < d && cnt[t + 1] >= target;
    if (t + 1 < d && binsLeft > 1 && (acc >= target || nextHeavy)) {
      up.push(midpoint(v[t], v[t + 1]));
      hi.push(v[t]);
      lo.push(v[t + 1]);
      binsLeft--;
      acc = 0;
      target = remaining / binsLeft;
    }
  }
  hi.push(v[d - 1]);
  up.push(Infinity);
  if (stride > 1) {
    // Edges from a sample: bin extremes of the full column are unknown, so the edges stand in for them.
    for (let k = 0; k + 1 < up.length; k++) {
      hi[k] = up[k];
      lo[k + 1] = up[k];
    }
  }
  return { up: Float64Array.from(up), lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
}

/** Applies fitted edges to a matrix (e.g. X itself). */
export function applyBinMapper(mapper: BinMapper, X: DenseMatrix): BinnedMatrix {
  const { nRows, nCols, data } = X;
  if (nCols !== mapper.nFeatures) {
    modelError(
      ModelErrorCode.BadInput,
      `X has ${nCols} columns but the bin mapper was fitted on ${mapper.nFeatures}`,
      { nCols, expected: mapper.nFeatures },
    );
  }
  const bins = new Uint8Array(nRows * nCols);
  const missingCount = new Uint32Array(nCols);
  const { upper, binOffset, nBins } = mapper;
  for (let i0 = 0; i0 < nRows; i0 += ROW_BLOCK) {
    const i1 = Math.min(nRows, i0 + ROW_BLOCK);
    for (let j = 0; j < nCols; j++) {
      const off = binOffset[j];
      const nb = nBins[j];
      const missingBin = nb;
      const base = j * nRows;
      let nMissing = 0;
      if (nb <= 2) {
        const e = upper[off];
        for (let i = i0, k = i0 * nCols + j; i < i1; i++, k += nCols) {
          const x = data[k];
          if (x <= e) bins[base + i] = 0;
          else if (x > e) bins[base + i] = nb - 1;
          else {
            bins[base + i] = missingBin;
            nMissing++;
          }
        }
      } else {
        const last = off + nb - 1;
        for (let i = i0, k = i0 * nCols + j; i < i1; i++, k += nCols) {
          const x = data[k];
          if (x !== x) {
            bins[base + i] = missingBin;
            nMissing++;
            continue;
          }
          // First bin whose upper edge is >= x (the last bin's edge is +Infinity).
          let a = off;
          let b = last;
          while (a < b) {
            const mid = (a + b) >>> 1;
            if (upper[mid] < x) a = mid + 1;
            else b = mid;
          }
          bins[base + i] = a - off;
        }
      }
      missingCount[j] += nMissing;
    }
  }
  return { nRows, nCols, bins, mapper, missingCount };
}

const binCache = new WeakMap<object, Map<string, BinnedMatrix>>();

/**
 * Bins X with edges fitted on X itself; cached per (data array, shape, maxBins), so repeated calls with the
 * same matrix — or another `DenseMatrix` wrapper around the same data array — return the same object.
 * Equal to `applyBinMapper(fitBinMapper(X, maxBins), X)`, computed in one fused pass (`binSelf`).
 */
export function binMatrix(X: DenseMatrix, maxBins: number = DEFAULT_MAX_BINS): BinnedMatrix {
  let byKey = binCache.get(X.data);
  const key = `${X.nRows}x${X.nCols}:${maxBins}`;
  const hit = byKey?.get(key);
  if (hit) return hit;
  const binned = binSelf(X, maxBins);
  if (!byKey) {
    byKey = new Map();
    binCache.set(X.data, byKey);
  }
  byKey.set(key, binned);
  return binned;
}

/** Hash-table slots per feature for the distinct-value pass (≥ 2 × 255 keeps probe chains short). */
const HASH_SLOTS = 512;
const HASH_SHIFT = 23; // 32 − log2(HASH_SLOTS)

/**
 * Fit + apply on the same matrix. One pass over the rows (block by block, all features) hashes every value
 * into a per-feature open-addressing table and writes, straight into the bin column, the value's
 * first-seen index (< maxBins ≤ 255; 255 marks NaN). Features with at most maxBins distinct values then
 * map first-seen index → rank of the value in place, which is exactly the bin `applyBinMapper` finds by
 * binary search. Features with more distinct values take the quantile path.
 */
function binSelf(X: DenseMatrix, maxBins: number): BinnedMatrix {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) {
    modelError(ModelErrorCode.BadParam, `maxBins = ${maxBins}; it must be an integer in [2, 255]`, {
      maxBins,
    });
  }
  const { nRows, nCols, data } = X;
  // keys: (nCols, HASH_SLOTS) distinct values, NaN = empty slot; ids: their first-seen index.
  const keys = new Float64Array(nCols * HASH_SLOTS).fill(NaN);
  const ids = new Uint8Array(nCols * HASH_SLOTS);
  const count = new Int32Array(nCols);
  const overflow = new Uint8Array(nCols);
  const bins = new Uint8Array(nRows * nCols);
  const missingCount = new Uint32Array(nCols);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  const mask = HASH_SLOTS - 1;
  const shift = HASH_SHIFT;
  const nanId = 255;
  // (nCols, 2): per feature the last two distinct values seen (NaN = none) and their ids.
  const cacheVal = new Float64Array(2 * nCols).fill(NaN);
  const cacheId = new Uint8Array(2 * nCols);
  for (let i0 = 0; i0 < nRows; i0 += ROW_BLOCK) {
    const i1 = Math.min(nRows, i0 + ROW_BLOCK);
    for (let j = 0; j < nCols; j++) {
      if (overflow[j]) continue;
      const k0 = j * HASH_SLOTS;
      const out = j * nRows;
      let m = count[j];
      // The feature's two most recently hashed values: one-hot columns always hit them.
      let cv0 = cacheVal[2 * j];
      let ci0 = cacheId[2 * j];
      let cv1 = cacheVal[2 * j + 1];
      let ci1 = cacheId[2 * j + 1];
      for (let i = i0, k = i0 * nCols + j; i < i1; i++, k += nCols) {
        const x = data[k];
        if (x === cv0) {
          bins[out + i] = ci0;
          continue;
        }
        if (x === cv1) {
          bins[out + i] = ci1;
          continue;
        }
        if (x !== x) {
          bins[out + i] = nanId;
          continue;
        }
        // + 0 turns −0 into +0, so both hash alike (they compare equal).
        f64[0] = x + 0;
        let h = Math.imul(u32[0] ^ Math.imul(u32[1], 0x9e3779b1), 0x85ebca6b) >>> shift;
        let key = keys[k0 + h];
        while (key === key && key !== x) {
          h = (h + 1) & mask;
          key = keys[k0 + h];
        }
        if (key !== key) {
          if (m === maxBins) {
            overflow[j] = 1;
            break;
          }
          keys[k0 + h] = x + 0;
          ids[k0 + h] = m;
          m++;
        }
        const id = ids[k0 + h];
        bins[out + i] = id;
        cv1 = cv0;
        ci1 = ci0;
        cv0 = x;
        ci0 = id;
      }
      count[j] = m;
      cacheVal[2 * j] = cv0;
      cacheId[2 * j] = ci0;
      cacheVal[2 * j + 1] = cv1;
      cacheId[2 * j + 1] = ci1;
    }
  }
  const mapperParts: { up: Float64Array; lo: Float64Array; hi: Float64Array }[] = [];
  // rankOfId[id]: bin of the value first seen as id; the NaN marker maps to the missing bin.
  const rankOfId = new Uint8Array(256);
  const nBins = new Uint16Array(nCols);
  let col: Float64Array | null = null;
  for (let j = 0; j < nCols; j++) {
    const base = j * nRows;
    if (overflow[j]) {
      col ??= new Float64Array(nRows);
      readColumn(X, j, col);
      const part = quantileBins(col, maxBins);
      mapperParts.push(part);
      nBins[j] = part.up.length;
      missingCount[j] = assignByEdges(col, part.up, bins, base);
      continue;
    }
    const m = count[j];
    const k0 = j * HASH_SLOTS;
    const dv = new Float64Array(m);
    for (let h = 0, t = 0; h < HASH_SLOTS; h++) {
      const key = keys[k0 + h];
      if (key === key) dv[t++] = key;
    }
    dv.sort();
    for (let h = 0; h < HASH_SLOTS; h++) {
      const key = keys[k0 + h];
      if (key !== key) continue;
      // Rank of the key among the sorted distinct values.
      let a = 0;
      let b = m;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (dv[mid] < key) a = mid + 1;
        else b = mid;
      }
      rankOfId[ids[k0 + h]] = a;
    }
    const part = exactBins(dv);
    mapperParts.push(part);
    const nb = part.up.length;
    nBins[j] = nb;
    rankOfId[nanId] = nb;
    let nMissing = 0;
    for (let i = 0; i < nRows; i++) {
      const id = bins[base + i];
      if (id === nanId) nMissing++;
      bins[base + i] = rankOfId[id];
    }
    missingCount[j] = nMissing;
  }
  return { nRows, nCols, bins, mapper: assembleMapper(mapperParts, nBins, maxBins), missingCount };
}

/** Exact bins for sorted distinct values (one per value, midpoint edges); one empty bin when none. */
function exactBins(dv: Float64Array): { up: Float64Array; lo: Float64Array; hi: Float64Array } {
  const m = dv.length;
  const nb = Math.max(1, m);
  const up = new Float64Array(nb);
  const lo = new Float64Array(nb);
  const hi = new Float64Array(nb);
  for (let k = 0; k < m; k++) {
    lo[k] = dv[k];
    hi[k] = dv[k];
    up[k] = k + 1 < m ? midpoint(dv[k], dv[k + 1]) : Infinity;
  }
  if (m === 0) {
    // All values missing: one empty value bin, never split on.
    lo[0] = NaN;
    hi[0] = NaN;
    up[0] = Infinity;
  }
  return { up, lo, hi };
}

/** Bins of one column by binary search over its upper edges; returns the number of NaNs. */
function assignByEdges(col: Float64Array, up: Float64Array, bins: Uint8Array, base: number): number {
  const nb = up.length;
  let nMissing = 0;
  for (let i = 0; i < col.length; i++) {
    const x = col[i];
    if (x !== x) {
      bins[base + i] = nb;
      nMissing++;
      continue;
    }
    let a = 0;
    let b = nb - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (up[mid] < x) a = mid + 1;
      else b = mid;
    }
    bins[base + i] = a;
  }
  return nMissing;
}

function assembleMapper(
  parts: readonly { up: Float64Array; lo: Float64Array; hi: Float64Array }[],
  nBins: Uint16Array,
  maxBins: number,
): BinMapper {
  const nCols = nBins.length;
  const binOffset = new Uint32Array(nCols + 1);
  for (let j = 0; j < nCols; j++) binOffset[j + 1] = binOffset[j] + nBins[j] + 1;
  const totalBins = binOffset[nCols];
  const upper = new Float64Array(totalBins).fill(Infinity);
  const lo = new Float64Array(totalBins).fill(NaN);
  const hi = new Float64Array(totalBins).fill(NaN);
  for (let j = 0; j < nCols; j++) {
    upper.set(parts[j].up, binOffset[j]);
    lo.set(parts[j].lo, binOffset[j]);
    hi.set(parts[j].hi, binOffset[j]);
  }
  return { nFeatures: nCols, maxBins, nBins, binOffset, totalBins, upper, lo, hi };
}

/** Bytes held by a binned matrix (bins plus per-bin tables), for memory checks. */
export function binnedBytes(B: BinnedMatrix): number {
  const m = B.mapper;
  return (
    B.bins.byteLength +
    B.missingCount.byteLength +
    m.nBins.byteLength +
    m.binOffset.byteLength +
    m.upper.byteLength +
    m.lo.byteLength +
    m.hi.byteLength
  );
}
