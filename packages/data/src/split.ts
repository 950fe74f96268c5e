/**
 * Seeded splits (SPEC §5.2, §13.1).
 *
 * - `trainTestSplit`: sklearn `train_test_split` semantics (not stratified): `nTest = ceil(f · n)`, a seeded
 *   permutation, the first `nTest` rows of it are the test set. The generator differs from NumPy's, so rows
 *   differ from Python's, but the same seed always gives the same split.
 * - `nestedStratifiedSubsamples`: training fractions for halting; each class's rows are permuted once and
 *   every fraction takes a prefix of that permutation, so the 0.5 sample lies inside the 0.75 sample, which
 *   lies inside the full set, and class proportions are kept up to rounding.
 */
import { Rng } from '@virnyflow/core';
import { DataErrorCode, dataError } from './errors';
import type { Dataset } from './load';
import type { Table } from './table';

export interface TrainTestIndices {
  /** Row indices of the training split, in permutation order. */
  readonly train: Uint32Array;
  /** Row indices of the test split, in permutation order. */
  readonly test: Uint32Array;
}

export function trainTestSplit(nRows: number, testFraction: number, seed: number): TrainTestIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw dataError(
      DataErrorCode.BadSplit,
      `test_set_fraction must be in (0, 1), got ${testFraction}; e.g. 0.2 for an 80/20 split`,
      { testFraction },
    );
  }
  const nTest = Math.ceil(testFraction * nRows);
  const nTrain = nRows - nTest;
  if (nTrain < 1 || nTest < 1) {
    throw dataError(
      DataErrorCode.BadSplit,
      `cannot split ${nRows} rows with test_set_fraction ${testFraction} (train ${nTrain}, test ${nTest}); ` +
        `both splits need at least one row`,
      { nRows, testFraction },
    );
  }
  const perm = new Uint32Array(nRows);
  for (let i = 0; i < nRows; i++) perm[i] = i;
  new Rng(seed).shuffle(perm);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest) };
}

export interface DatasetSplit {
  readonly trainRows: Uint32Array;
  readonly testRows: Uint32Array;
  readonly xTrain: Table;
  readonly xTest: Table;
  readonly yTrain: Uint8Array;
  readonly yTest: Uint8Array;
  /** `raw` rows of each split (features + sensitive attributes), aligned with xTrain/xTest. */
  readonly rawTrain: Table;
  readonly rawTest: Table;
}

/** Splits a dataset with its test fraction (or `testFraction`) and `seed` (callers pass `100 + run_num`). */
export function splitDataset(
  dataset: Dataset,
  seed: number,
  testFraction = dataset.testSetFraction,
): DatasetSplit {
  const { train, test } = trainTestSplit(dataset.features.nRows, testFraction, seed);
  return {
    trainRows: train,
    testRows: test,
    xTrain: dataset.features.take(train),
    xTest: dataset.features.take(test),
    yTrain: takeLabels(dataset.target, train),
    yTest: takeLabels(dataset.target, test),
    rawTrain: dataset.raw.take(train),
    rawTest: dataset.raw.take(test),
  };
}

export function takeLabels(y: Uint8Array, rows: Uint32Array | Int32Array | readonly number[]): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i] as number] as number;
  return out;
}

/** Training sets smaller than this skip halting (SPEC §5.2). */
export const MIN_ROWS_FOR_HALTING = 1000;

/**
 * Halting fractions in force: `[1.0]` when the training split has fewer than 1,000 rows, else the requested
 * ones, validated (each in (0, 1]) and sorted ascending without duplicates.
 */
export function haltingFractions(requested: readonly number[], nTrainRows: number): number[] {
  for (const f of requested) {
    if (!(f > 0 && f <= 1)) {
      throw dataError(
        DataErrorCode.BadSplit,
        `training_set_fractions_for_halting: ${f} is not in (0, 1]; use fractions such as [0.5, 0.75, 1.0]`,
        { fraction: f, fractions: [...requested] },
      );
    }
  }
  if (nTrainRows < MIN_ROWS_FOR_HALTING || requested.length === 0) return [1.0];
  return [...new Set(requested)].sort((a, b) => a - b);
}

/**
 * Nested stratified subsamples of `y` (0/1 labels) for each fraction, as ascending row-index arrays into `y`,
 * returned in the order of `fractions`. Per class c with n_c rows, a fraction f keeps
 * `max(1, round(f · n_c))` rows (all of them for f = 1); rounding per class is monotone in f, which is what
 * keeps the samples nested.
 */
export function nestedStratifiedSubsamples(
  y: Uint8Array,
  fractions: readonly number[],
  seed: number,
): Uint32Array[] {
  for (const f of fractions) {
    if (!(f > 0 && f <= 1)) {
      throw dataError(DataErrorCode.BadSplit, `subsample fraction must be in (0, 1], got ${f}`, {
        fraction: f,
      });
    }
  }
  const n = y.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) {
    const c = y[i] as number;
    if (c > 1) {
      throw dataError(DataErrorCode.BadSplit, `labels must be 0 or 1, got ${c} at row ${i}`, {
        row: i,
        label: c,
      });
    }
    n1 += c;
  }
  const byClass = [new Uint32Array(n - n1), new Uint32Array(n1)];
  const fill = [0, 0];
  for (let i = 0; i < n; i++) {
    const c = y[i] as number;
    (byClass[c] as Uint32Array)[fill[c]++] = i;
  }
  const rng = new Rng(seed);
  for (const rows of byClass) rng.shuffle(rows);
  return fractions.map((f) => {
    const parts = byClass.map((rows) => {
      if (rows.length === 0) return rows;
      const k = f >= 1 ? rows.length : Math.min(rows.length, Math.max(1, Math.round(f * rows.length)));
      return rows.subarray(0, k);
    });
    const out = new Uint32Array((parts[0] as Uint32Array).length + (parts[1] as Uint32Array).length);
    out.set(parts[0] as Uint32Array, 0);
    out.set(parts[1] as Uint32Array, (parts[0] as Uint32Array).length);
    return out.sort();
  });
}
