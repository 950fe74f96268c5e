/**
 * Maximisation of an acquisition function over a search space's unit-cube encoding.
 *
 * - `local_random` (OpenBox/SMAC "interleaved local and random search"): score random points, then
 *   hill-climb from the best history points and the best random points through one-exchange
 *   neighbourhoods (change one dimension: a Gaussian step for numeric dimensions, another choice for
 *   categoricals), moving to the best neighbour while it improves.
 * - `random_scipy`: OpenBox refines random candidates with SciPy's L-BFGS-B on the acquisition; we use a
 *   derivative-free stand-in suited to our piecewise (snapped) encodings: the same hill climb on numeric
 *   dimensions only, halving the step size instead of stopping when no neighbour improves.
 * - `random`: random points only.
 * Every point is canonical (decodes to a configuration and encodes back to itself). The result is the pool
 * of all scored points sorted by value, best first, so a caller can skip candidates it has already seen.
 */
import type { Rng } from '@virnyflow/core';
import type { SpaceEncoding } from './encoding';

export const AcqOptimizerType = {
  LocalRandom: 'local_random',
  RandomScipy: 'random_scipy',
  Random: 'random',
} as const;
export type AcqOptimizerType = (typeof AcqOptimizerType)[keyof typeof AcqOptimizerType];

/** Scores m points (m, d) row-major into out (m); higher is better. */
export type AcquisitionBatch = (points: Float64Array, m: number, out: Float64Array) => void;

export interface AcqOptimizerOptions {
  /** Random points scored. */
  nRandom?: number;
  /** Local searches started (half from history points, half from random points). */
  nLocalStarts?: number;
  /** Moves per local search. */
  maxLocalSteps?: number;
  /** Standard deviation of a numeric neighbour step, in unit-cube units (SMAC uses 0.2). */
  stepSize?: number;
  /** Neighbours drawn per numeric dimension per move. */
  neighboursPerDim?: number;
}

export type ResolvedAcqOptimizerOptions = Required<AcqOptimizerOptions>;

export function resolveAcqOptimizerOptions(o: AcqOptimizerOptions = {}): ResolvedAcqOptimizerOptions {
  return {
    nRandom: o.nRandom ?? 500,
    nLocalStarts: o.nLocalStarts ?? 10,
    maxLocalSteps: o.maxLocalSteps ?? 10,
    stepSize: o.stepSize ?? 0.2,
    neighboursPerDim: o.neighboursPerDim ?? 2,
  };
}

export interface ScoredPool {
  /** (count, d) row-major canonical points. */
  readonly points: Float64Array;
  readonly values: Float64Array;
  readonly count: number;
  /** Row indices sorted by value, best first (ties by insertion order). */
  readonly order: Int32Array;
}

/** A growable (capacity, d) buffer of scored points. */
class Pool {
  points: Float64Array;
  values: Float64Array;
  count = 0;
  constructor(
    private readonly d: number,
    capacity: number,
  ) {
    this.points = new Float64Array(Math.max(1, capacity) * d);
    this.values = new Float64Array(Math.max(1, capacity));
  }
  add(points: Float64Array, values: Float64Array, m: number): void {
    if (this.count + m > this.values.length) {
      const cap = Math.max(2 * this.values.length, this.count + m);
      const p = new Float64Array(cap * this.d);
      p.set(this.points.subarray(0, this.count * this.d));
      const v = new Float64Array(cap);
      v.set(this.values.subarray(0, this.count));
      this.points = p;
      this.values = v;
    }
    this.points.set(points.subarray(0, m * this.d), this.count * this.d);
    this.values.set(values.subarray(0, m), this.count);
    this.count += m;
  }
}

export function maximizeAcquisition(
  type: AcqOptimizerType,
  enc: SpaceEncoding,
  acquisition: AcquisitionBatch,
  rng: Rng,
  /** (nStarts, d) canonical points to start local searches from (e.g. observed configurations). */
  starts: Float64Array,
  nStarts: number,
  options: ResolvedAcqOptimizerOptions,
): ScoredPool {
  const d = enc.nDims;
  const nRandom = type === 'random' ? options.nRandom * 2 : options.nRandom;
  const pool = new Pool(d, nRandom + nStarts + 64);

  const rand = new Float64Array(nRandom * d);
  for (let i = 0; i < nRandom; i++) enc.sample(rng, rand, i * d);
  const randVals = new Float64Array(nRandom);
  acquisition(rand, nRandom, randVals);
  pool.add(rand, randVals, nRandom);

  if (type !== 'random' && d > 0) {
    const startVals = new Float64Array(nStarts);
    if (nStarts > 0) {
      acquisition(starts, nStarts, startVals);
      pool.add(starts, startVals, nStarts);
    }
    // Half of the starts from the best history points, the rest from the best random points.
    const fromHistory = Math.min(nStarts, Math.ceil(options.nLocalStarts / 2));
    const fromRandom = Math.min(nRandom, options.nLocalStarts - fromHistory);
    const seeds: { src: Float64Array; row: number; value: number }[] = [];
    for (const i of topIndices(startVals, nStarts, fromHistory)) {
      seeds.push({ src: starts, row: i, value: startVals[i] });
    }
    for (const i of topIndices(randVals, nRandom, fromRandom))
      seeds.push({ src: rand, row: i, value: randVals[i] });
    const numericOnly = type === 'random_scipy';
    for (const s of seeds)
      localSearch(enc, acquisition, rng, s.src, s.row, s.value, options, numericOnly, pool);
  }

  const order = new Int32Array(pool.count);
  for (let i = 0; i < pool.count; i++) order[i] = i;
  const vals = pool.values;
  // NaN acquisition values sort last.
  order.sort((a, b) => {
    const va = Number.isNaN(vals[a]) ? -Infinity : vals[a];
    const vb = Number.isNaN(vals[b]) ? -Infinity : vals[b];
    return vb - va || a - b;
  });
  return { points: pool.points, values: pool.values, count: pool.count, order };
}

function topIndices(values: Float64Array, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, Math.max(0, k));
}

function localSearch(
  enc: SpaceEncoding,
  acquisition: AcquisitionBatch,
  rng: Rng,
  src: Float64Array,
  row: number,
  startValue: number,
  options: ResolvedAcqOptimizerOptions,
  numericOnly: boolean,
  pool: Pool,
): void {
  const d = enc.nDims;
  const cur = src.slice(row * d, row * d + d);
  let curVal = Number.isNaN(startValue) ? -Infinity : startValue;
  const maxNeighbours = d * Math.max(options.neighboursPerDim, 1) + d * 4;
  const nb = new Float64Array(maxNeighbours * d);
  const nbVals = new Float64Array(maxNeighbours);
  let step = options.stepSize;
  for (let s = 0; s < options.maxLocalSteps; s++) {
    let count = 0;
    for (let j = 0; j < d; j++) {
      if (enc.categorical[j] === 1) {
        if (numericOnly) continue;
        // Up to 4 other choices, in random order when there are more.
        const nc = enc.nChoices[j];
        const curIdx = Math.min(nc - 1, Math.floor(cur[j] * nc));
        const others = Math.min(4, nc - 1);
        for (let t = 0; t < others; t++) {
          let c = nc - 1 <= 4 ? (curIdx + 1 + t) % nc : rng.nextInt(nc);
          if (c === curIdx) c = (c + 1) % nc;
          nb.set(cur, count * d);
          nb[count * d + j] = (c + 0.5) / nc;
          count++;
        }
      } else {
        for (let t = 0; t < options.neighboursPerDim; t++) {
          nb.set(cur, count * d);
          const o = count * d + j;
          nb[o] = cur[j] + step * rng.normal();
          enc.canonicalize(nb, count * d);
          if (nb[o] === cur[j]) {
            // Snapped back onto the current grid value: take the adjacent grid value instead.
            if (!enc.stepGrid(nb, count * d, j, t % 2 === 0 ? 1 : -1)) continue;
          }
          count++;
        }
      }
    }
    if (count === 0) break;
    acquisition(nb, count, nbVals);
    pool.add(nb, nbVals, count);
    let best = -1;
    let bestVal = curVal;
    for (let i = 0; i < count; i++) {
      if (nbVals[i] > bestVal) {
        bestVal = nbVals[i];
        best = i;
      }
    }
    if (best < 0 || !(bestVal > curVal + 1e-12 * Math.abs(curVal))) {
      if (numericOnly && step > options.stepSize / 16) {
        step /= 2;
        continue;
      }
      break;
    }
    cur.set(nb.subarray(best * d, best * d + d));
    curVal = bestVal;
  }
}
