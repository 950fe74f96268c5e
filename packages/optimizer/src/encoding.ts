/**
 * Encoding of a (joint, prefixed) search space into the unit cube [0, 1]^d and back.
 *
 * One dimension per non-constant hyper-parameter, in the space's parameter order; constants have no
 * dimension and are re-inserted on decoding.
 * - int / float: u = (t(v) − t(lower)) / (t(upper) − t(lower)) with t = log for `log` parameters, identity
 *   otherwise. Ints and `q` floats are *grid* dimensions: decoding snaps onto the grid with core's
 *   `snapValue`, so decoded values are exactly what the space's sampler produces. ConfigSpace leaves an
 *   integer default off the q grid (525 for 50..1000 q=50, SPEC §2.1); that default is an extra
 *   representable value and decoding returns the nearest representable value, so it round-trips too.
 * - categorical: one dimension holding the choice index at the centre of its cell, u = (i + ½) / nChoices.
 *   Surrogates are told which dimensions are categorical and compare them by equality only (the GP uses a
 *   0/1 mismatch distance, equivalent to a one-hot encoding with one length-scale per parameter; the
 *   forest splits one-vs-rest), so the arbitrary order of the choices never matters. One dimension per
 *   categorical (instead of one-hot) keeps d small for the GP's ARD fit and for the forest.
 * Round trips: decode(encode(c)) returns `c` exactly for every discrete value (ints, q floats, the
 * off-grid default, categoricals, constants). A continuous float goes through two floating-point
 * operations each way and comes back within a few ulps; the advisor never needs more, because it keeps
 * the configuration objects it hands out and only encodes them.
 */
import type { Configuration, FloatParam, IntParam, ParamValue, Rng, SearchSpace } from '@virnyflow/core';
import { snapValue } from '@virnyflow/core';
import { OptimizerErrorCode, optimizerError } from './errors';

interface NumericDim {
  readonly kind: 'numeric';
  readonly param: IntParam | FloatParam;
  /** Transformed bounds t(lower), t(upper). */
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
  /** Int or q float: values live on lower + k·step. */
  readonly grid: boolean;
  readonly step: number;
  /** Number of grid points (grid dims only). */
  readonly nGrid: number;
  /** The default is representable but not on the grid (ConfigSpace's unsnapped int default). */
  readonly defaultOffGrid: boolean;
}
interface CategoricalDim {
  readonly kind: 'categorical';
  readonly name: string;
  readonly choices: readonly ParamValue[];
}
type Dim = NumericDim | CategoricalDim;

/** Tolerance for "this value lies on the grid" (relative to the step). */
const GRID_TOL = 1e-9;

export class SpaceEncoding {
  readonly space: SearchSpace;
  /** Number of unit-cube dimensions (non-constant parameters). */
  readonly nDims: number;
  /** (nDims): 1 for categorical dimensions, 0 for numeric ones. */
  readonly categorical: Uint8Array;
  /** (nDims): number of choices of a categorical dimension, 0 for numeric ones. */
  readonly nChoices: Int32Array;
  /** Number of distinct configurations (Infinity when a continuous float exists). */
  readonly cardinality: number;
  private readonly dims: Dim[] = [];

  constructor(space: SearchSpace) {
    this.space = space;
    let card = 1;
    for (const p of space.params) {
      if (p.type === 'constant') continue;
      if (p.type === 'categorical') {
        this.dims.push({ kind: 'categorical', name: p.name, choices: p.choices });
        card *= p.choices.length;
        continue;
      }
      const log = p.log;
      const lo = log ? Math.log(p.lower) : p.lower;
      const hi = log ? Math.log(p.upper) : p.upper;
      const grid = p.type === 'int' || p.q !== undefined;
      const step = p.q ?? 1;
      const nGrid = grid ? Math.round((p.upper - p.lower) / step) + 1 : 0;
      const k = (p.default - p.lower) / step;
      const defaultOffGrid = grid && Math.abs(k - Math.round(k)) > GRID_TOL;
      this.dims.push({ kind: 'numeric', param: p, lo, hi, log, grid, step, nGrid, defaultOffGrid });
      card *= grid ? nGrid + (defaultOffGrid ? 1 : 0) : Infinity;
    }
    this.nDims = this.dims.length;
    this.categorical = new Uint8Array(this.nDims);
    this.nChoices = new Int32Array(this.nDims);
    this.dims.forEach((d, i) => {
      if (d.kind === 'categorical') {
        this.categorical[i] = 1;
        this.nChoices[i] = d.choices.length;
      }
    });
    this.cardinality = card;
  }

  /** Names of the encoded dimensions, in order. */
  dimNames(): string[] {
    return this.dims.map((d) => (d.kind === 'numeric' ? d.param.name : d.name));
  }

  /** Writes the encoding of `config` to `out[offset .. offset + nDims)`. */
  encode(config: Configuration, out?: Float64Array, offset = 0): Float64Array {
    const o = out ?? new Float64Array(this.nDims);
    for (let i = 0; i < this.nDims; i++) {
      const d = this.dims[i];
      if (d.kind === 'categorical') {
        const v = config[d.name];
        const idx = d.choices.findIndex((c) => c === v);
        if (idx < 0) {
          throw optimizerError(
            OptimizerErrorCode.BadInput,
            `'${d.name}' = ${JSON.stringify(v)} is not one of ${JSON.stringify(d.choices)}; pass a configuration of this space`,
            { name: d.name, value: v },
          );
        }
        o[offset + i] = (idx + 0.5) / d.choices.length;
      } else {
        const v = config[d.param.name];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw optimizerError(
            OptimizerErrorCode.BadInput,
            `'${d.param.name}' = ${JSON.stringify(v)} is not a finite number; pass a configuration of this space`,
            { name: d.param.name, value: v },
          );
        }
        o[offset + i] = encodeNumeric(d, v);
      }
    }
    return o;
  }

  /** Encodes several configurations into one (n, nDims) row-major matrix. */
  encodeAll(configs: readonly Configuration[]): Float64Array {
    const out = new Float64Array(configs.length * this.nDims);
    for (let r = 0; r < configs.length; r++) this.encode(configs[r], out, r * this.nDims);
    return out;
  }

  /** The configuration nearest to the point `u[offset .. offset + nDims)` (values clamped into [0, 1]). */
  decode(u: Float64Array, offset = 0): Configuration {
    const c: Configuration = {};
    let i = 0;
    for (const p of this.space.params) {
      if (p.type === 'constant') {
        c[p.name] = p.value;
        continue;
      }
      const d = this.dims[i];
      const x = u[offset + i];
      i++;
      if (d.kind === 'categorical') c[d.name] = d.choices[categoricalIndex(x, d.choices.length)];
      else c[d.param.name] = decodeNumeric(d, x);
    }
    return c;
  }

  /** Replaces the point in place by the encoding of its decoded configuration (snaps to what decodes). */
  canonicalize(u: Float64Array, offset = 0): void {
    for (let i = 0; i < this.nDims; i++) {
      const d = this.dims[i];
      const x = u[offset + i];
      if (d.kind === 'categorical') {
        const n = d.choices.length;
        u[offset + i] = (categoricalIndex(x, n) + 0.5) / n;
      } else if (d.grid) {
        u[offset + i] = encodeNumeric(d, decodeNumeric(d, x));
      } else {
        u[offset + i] = x < 0 ? 0 : x > 1 ? 1 : Number.isNaN(x) ? 0.5 : x;
      }
    }
  }

  /**
   * A string identifying a configuration of this space, used to never suggest a configuration twice.
   * Grid values key by grid index (so 0.15 and 0.15000000000000002 on a 0.05 grid are the same value),
   * an off-grid value by itself, categoricals by choice index, continuous floats by their value to 12
   * significant digits (which also absorbs the few-ulp drift of an encode/decode round trip).
   */
  key(config: Configuration): string {
    const parts: string[] = [];
    for (const d of this.dims) {
      if (d.kind === 'categorical') {
        const v = config[d.name];
        parts.push(String(d.choices.findIndex((c) => c === v)));
      } else {
        parts.push(numericKey(d, config[d.param.name] as number));
      }
    }
    return parts.join('|');
  }

  /** `key(decode(u))` without building the configuration. */
  keyOfPoint(u: Float64Array, offset = 0): string {
    const parts: string[] = [];
    for (let i = 0; i < this.nDims; i++) {
      const d = this.dims[i];
      const x = u[offset + i];
      if (d.kind === 'categorical') parts.push(String(categoricalIndex(x, d.choices.length)));
      else parts.push(numericKey(d, decodeNumeric(d, x)));
    }
    return parts.join('|');
  }

  /**
   * Draws one canonical point: grid dimensions uniformly over their grid (log-uniformly, then snapped,
   * for log parameters, as core's sampler does), continuous ones uniformly in u, categoricals uniformly.
   */
  sample(rng: Rng, out: Float64Array, offset = 0): void {
    for (let i = 0; i < this.nDims; i++) {
      const d = this.dims[i];
      if (d.kind === 'categorical') {
        const n = d.choices.length;
        out[offset + i] = (rng.nextInt(n) + 0.5) / n;
      } else if (d.grid && !d.log) {
        out[offset + i] = encodeNumeric(d, snapValue(d.param, d.param.lower + rng.nextInt(d.nGrid) * d.step));
      } else if (d.grid) {
        out[offset + i] = encodeNumeric(d, decodeNumeric(d, rng.next()));
      } else {
        out[offset + i] = rng.next();
      }
    }
  }

  /**
   * Squared distance between two encoded points: Σ (a_i − b_i)² over numeric dimensions plus 1 per
   * categorical mismatch (the one-hot distance halved, so a categorical weighs like a full numeric range).
   */
  distance2(a: Float64Array, ao: number, b: Float64Array, bo: number): number {
    let s = 0;
    for (let i = 0; i < this.nDims; i++) {
      const diff = a[ao + i] - b[bo + i];
      if (this.categorical[i] === 1) s += Math.abs(diff) > CATEGORY_TOL ? 1 : 0;
      else s += diff * diff;
    }
    return s;
  }

  /**
   * Moves grid dimension j of the point at `offset` to the adjacent grid value in direction `dir` (±1).
   * Returns false (point unchanged) at the end of the grid or for a non-grid dimension.
   */
  stepGrid(u: Float64Array, offset: number, j: number, dir: 1 | -1): boolean {
    const d = this.dims[j];
    if (d.kind !== 'numeric' || !d.grid) return false;
    const p = d.param;
    const k = (decodeNumeric(d, u[offset + j]) - p.lower) / d.step;
    const next = dir > 0 ? Math.floor(k + GRID_TOL) + 1 : Math.ceil(k - GRID_TOL) - 1;
    if (next < 0 || next > d.nGrid - 1) return false;
    u[offset + j] = encodeNumeric(d, snapValue(p, p.lower + next * d.step));
    return true;
  }

  /**
   * Point number `index` of the finite space in mixed-radix order (index < cardinality). Used to find an
   * unseen configuration deterministically once random draws keep hitting seen ones in a small space.
   */
  pointAt(index: number, out: Float64Array, offset = 0): void {
    let rest = index;
    for (let i = this.nDims - 1; i >= 0; i--) {
      const d = this.dims[i];
      if (d.kind === 'categorical') {
        const n = d.choices.length;
        out[offset + i] = ((rest % n) + 0.5) / n;
        rest = Math.floor(rest / n);
      } else {
        const n = d.nGrid + (d.defaultOffGrid ? 1 : 0);
        const level = rest % n;
        rest = Math.floor(rest / n);
        const v = level === d.nGrid ? d.param.default : snapValue(d.param, d.param.lower + level * d.step);
        out[offset + i] = encodeNumeric(d, v);
      }
    }
  }
}

/** Two categorical encodings differ when their centres differ by more than this (centres are ≥ 1/n apart). */
export const CATEGORY_TOL = 1e-9;

function categoricalIndex(x: number, n: number): number {
  if (!(x > 0)) return 0;
  const i = Math.floor(x * n);
  return i >= n ? n - 1 : i;
}

function encodeNumeric(d: NumericDim, v: number): number {
  const t = d.log ? Math.log(v) : v;
  const u = (t - d.lo) / (d.hi - d.lo);
  return u < 0 ? 0 : u > 1 ? 1 : u;
}

function decodeNumeric(d: NumericDim, x: number): number {
  const p = d.param;
  const u = x < 0 || Number.isNaN(x) ? 0 : x > 1 ? 1 : x;
  if (u === 0) return d.grid ? snapValue(p, p.lower) : p.lower;
  if (u === 1) return d.grid ? snapValue(p, p.upper) : p.upper;
  const t = d.lo + u * (d.hi - d.lo);
  const raw = d.log ? Math.exp(t) : t;
  if (!d.grid) return raw < p.lower ? p.lower : raw > p.upper ? p.upper : raw;
  const snapped = snapValue(p, raw);
  if (d.defaultOffGrid) {
    const tDef = d.log ? Math.log(p.default) : p.default;
    const tSnap = d.log ? Math.log(snapped) : snapped;
    if (Math.abs(t - tDef) < Math.abs(t - tSnap)) return p.default;
  }
  return snapped;
}

function numericKey(d: NumericDim, v: number): string {
  // Continuous values that agree to 12 significant digits are the same configuration for dedup purposes
  // (this also absorbs the few-ulp drift of a round trip).
  if (!d.grid) return v.toPrecision(12);
  const k = (v - d.param.lower) / d.step;
  const kr = Math.round(k);
  return Math.abs(k - kr) <= GRID_TOL ? String(kr) : `~${v}`;
}
