/**
 * Exclusive feature bundling (Ke et al., "LightGBM", NeurIPS 2017, §4): features that are never away from
 * their bin 0 on the same row share one histogram column. VirnyFlow one-hot encodes every categorical
 * column (SPEC §5.3), so the k columns of one category are exclusive and bundle into one: a histogram pass
 * then touches one byte per row for the whole category instead of k.
 *
 * Bundling is exact (zero conflicts allowed): a bundle's bin 0 means "every member is in its bin 0"; member
 * f's bins 1..nBins[f] (its value bins above 0 and its missing bin) map to bundle bins base[f] ..
 * base[f] + nBins[f] − 1. A member's bin-0 statistics are recovered as node total − its other bins, so
 * histograms and therefore splits are the same as without bundling (up to rounding of that subtraction).
 *
 * Only features with at most MAX_MEMBER_BINS value bins are candidates (continuous features stay alone);
 * candidates join the first open bundle they do not conflict with, in column order, so the result is
 * deterministic. Single-feature bundles use the feature's own column of the binned matrix (no copy).
 */
import type { BinnedMatrix } from './binning';

const MAX_MEMBER_BINS = 16;
/** A bundle's bins must fit in a Uint8 (values 0..255). */
const MAX_BUNDLE_BINS = 256;
/** Open bundles tried per candidate, bounding the detection cost on wide data. */
const MAX_OPEN_BUNDLES = 64;

export interface FeatureBundles {
  readonly nBundles: number;
  /** (nBundles + 1) histogram slot offsets: bundle b owns slots [slotOffset[b], slotOffset[b + 1]). */
  readonly slotOffset: Uint32Array;
  readonly totalSlots: number;
  /** (nBundles) the bundle's bin of every row (nRows): a view of the feature's column for single bundles. */
  readonly columns: readonly Uint8Array[];
  /** (nBundles) member features, ascending. */
  readonly members: readonly Uint32Array[];
  /** (nFeatures) bundle of each feature. */
  readonly bundleOf: Uint32Array;
  /** (nFeatures) bundle bin of the feature's bin 1 when it shares its bundle, −1 when it is alone. */
  readonly base: Int32Array;
}

const cache = new WeakMap<BinnedMatrix, FeatureBundles>();

/**
 * The bundles of a binned matrix (computed once per matrix, cached). With `enabled` false every feature
 * is alone in its bundle (the plain per-feature layout; used to check bundling changes nothing).
 */
export function featureBundles(B: BinnedMatrix, enabled = true): FeatureBundles {
  if (!enabled) return computeBundles(B, false);
  const hit = cache.get(B);
  if (hit) return hit;
  const fb = computeBundles(B, true);
  cache.set(B, fb);
  return fb;
}

interface OpenBundle {
  readonly members: number[];
  slots: number;
  readonly occupied: Uint8Array;
}

function computeBundles(B: BinnedMatrix, enabled: boolean): FeatureBundles {
  const { nRows: n, nCols: d, bins, mapper } = B;
  const nBins = mapper.nBins;
  const open: OpenBundle[] = [];
  const openOf = new Int32Array(d).fill(-1);
  for (let f = 0; f < d; f++) {
    const nb = nBins[f];
    if (!enabled || nb < 2 || nb > MAX_MEMBER_BINS) continue;
    const col = bins.subarray(f * n, (f + 1) * n);
    let joined = -1;
    for (let k = 0; k < open.length; k++) {
      const ob = open[k];
      if (ob.slots + nb > MAX_BUNDLE_BINS) continue;
      if (!conflicts(col, ob.occupied)) {
        joined = k;
        break;
      }
    }
    if (joined < 0) {
      if (open.length >= MAX_OPEN_BUNDLES) continue;
      open.push({ members: [], slots: 1, occupied: new Uint8Array(n) });
      joined = open.length - 1;
    }
    const ob = open[joined];
    ob.members.push(f);
    ob.slots += nb;
    // Branch-free: occupied[i] becomes non-zero wherever the feature is away from bin 0.
    const occ = ob.occupied;
    for (let i = 0; i < n; i++) occ[i] |= col[i];
    openOf[f] = joined;
  }
  const bundleOf = new Uint32Array(d);
  const base = new Int32Array(d).fill(-1);
  const columns: Uint8Array[] = [];
  const members: Uint32Array[] = [];
  const slots: number[] = [];
  for (let f = 0; f < d; f++) {
    const k = openOf[f];
    const ob = k >= 0 ? open[k] : null;
    if (!ob || ob.members.length < 2) {
      bundleOf[f] = columns.length;
      columns.push(bins.subarray(f * n, (f + 1) * n));
      members.push(Uint32Array.of(f));
      slots.push(nBins[f] + 1);
      continue;
    }
    if (ob.members[0] !== f) continue; // emitted with its first member
    const col = new Uint8Array(n);
    const lut = new Uint8Array(256);
    let next = 1;
    for (const m of ob.members) {
      bundleOf[m] = columns.length;
      base[m] = next;
      const src = bins.subarray(m * n, (m + 1) * n);
      // lut[v]: bundle bin of the member's bin v (0 stays 0); members never overlap, so OR places it.
      for (let v = 1; v <= nBins[m]; v++) lut[v] = v + next - 1;
      for (let i = 0; i < n; i++) col[i] |= lut[src[i]];
      next += nBins[m];
    }
    columns.push(col);
    members.push(Uint32Array.from(ob.members));
    slots.push(next);
  }
  const slotOffset = new Uint32Array(columns.length + 1);
  for (let b = 0; b < columns.length; b++) slotOffset[b + 1] = slotOffset[b] + slots[b];
  return {
    nBundles: columns.length,
    slotOffset,
    totalSlots: slotOffset[columns.length],
    columns,
    members,
    bundleOf,
    base,
  };
}

/** True when some row has both `col` and `occupied` non-zero (checked in branch-free chunks). */
function conflicts(col: Uint8Array, occupied: Uint8Array): boolean {
  const n = col.length;
  for (let i0 = 0; i0 < n; i0 += 256) {
    const i1 = Math.min(n, i0 + 256);
    let any = 0;
    for (let i = i0; i < i1; i++) any |= col[i] * occupied[i];
    if (any !== 0) return true;
  }
  return false;
}

/**
 * Writes feature f's histogram (nBins[f] + 1 slots × `ch` channels, missing slot last) into `out` from a
 * bundled histogram `hist` (bundle slots × ch), given the node's totals per channel. Only for features
 * sharing a bundle (base[f] ≥ 1). `start` is the slot of f's bundle in `hist` (by default its slot in the
 * bundle layout, fb.slotOffset).
 */
export function expandMember(
  hist: Float64Array | number[],
  fb: FeatureBundles,
  f: number,
  nb: number,
  ch: number,
  totals: Float64Array,
  out: Float64Array | number[],
  start: number = fb.slotOffset[fb.bundleOf[f]],
): void {
  const src0 = (start + fb.base[f]) * ch;
  // Slots 1..nb of the feature are bundle slots base..base+nb−1.
  for (let c = 0; c < ch; c++) {
    let rest = totals[c];
    for (let k = 1; k <= nb; k++) {
      const v = hist[src0 + (k - 1) * ch + c];
      out[k * ch + c] = v;
      rest -= v;
    }
    out[c] = rest;
  }
}

/**
 * Routing of a split "feature f: bins ≤ bin go left, the missing bin goes left iff missingLeft" expressed
 * over f's bundle column: fills goesLeft[v] (1 = left) for every bundle bin v and returns that column.
 * Partitioning then reads the (shared, smaller) bundle columns only.
 */
export function splitRouting(
  fb: FeatureBundles,
  f: number,
  nb: number,
  bin: number,
  missingLeft: boolean,
  goesLeft: Uint8Array,
): Uint8Array {
  const b = fb.bundleOf[f];
  const nSlots = fb.slotOffset[b + 1] - fb.slotOffset[b];
  const base = fb.base[f];
  const ml = missingLeft ? 1 : 0;
  if (base < 0) {
    for (let v = 0; v < nb; v++) goesLeft[v] = v <= bin ? 1 : 0;
    goesLeft[nb] = ml;
  } else {
    // Bundle bins outside f's range mean f is in its bin 0.
    for (let v = 0; v < nSlots; v++) {
      const fbin = v >= base && v < base + nb ? v - base + 1 : 0;
      goesLeft[v] = fbin === nb ? ml : fbin <= bin ? 1 : 0;
    }
  }
  return fb.columns[b];
}
