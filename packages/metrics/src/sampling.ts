/**
 * The bootstrap's samples (SPEC §7.2): estimator m uses seed `randomState + m + 1` both for drawing its
 * `floor(fraction · n)` rows with replacement and as its fit seed.
 */
import { Rng } from '@virnyflow/core';

/** Seed of estimator m. */
export function estimatorSeed(randomState: number, m: number): number {
  return randomState + m + 1;
}

/** Virny's `int(bootstrap_fraction × n)`. */
export function bootstrapSampleSize(nRows: number, fraction: number): number {
  return Math.floor(fraction * nRows);
}

/**
 * `size` row indices of [0, nRows) drawn uniformly with replacement from an `Rng(seed)`.
 * (Virny draws with NumPy, whose stream is not reproduced here; the distribution is the same.)
 */
export function bootstrapRows(nRows: number, size: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  const rows = new Uint32Array(size);
  for (let k = 0; k < size; k++) rows[k] = rng.nextInt(nRows);
  return rows;
}
