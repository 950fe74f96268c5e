/**
 * Entry checks shared by every model, and the resolution of `FitOptions` (`rows`, `sampleWeight`) into
 * per-row weights. Checked once here so the numeric loops can run without bounds checks.
 */
import type { Rng } from '@virnyflow/core';
import type { DenseMatrix, FitOptions } from './classifier';
import { ModelErrorCode, modelError } from './errors';

/** The training sample a model actually sees, indexed by row of `X`. */
export interface ResolvedSample {
  /** (nRows) multiplicity × sample weight of each row of X; 0 for rows not in the sample. */
  readonly weight: Float64Array;
  /** (nRows) multiplicity of each row (how often it appears in `rows`; 1 for every row without `rows`). */
  readonly count: Float64Array;
  /** Rows with weight > 0, ascending, each once. */
  readonly active: Uint32Array;
  /** Σ weight over active rows. */
  readonly totalWeight: number;
  /** Σ weight·y over active rows. */
  readonly positiveWeight: number;
}

export function checkMatrix(X: DenseMatrix, kind: string, what = 'X'): void {
  if (!Number.isInteger(X.nRows) || !Number.isInteger(X.nCols) || X.nRows < 0 || X.nCols < 1) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: ${what} has shape (${X.nRows}, ${X.nCols}); it needs integer nRows >= 0 and nCols >= 1`,
      { nRows: X.nRows, nCols: X.nCols },
    );
  }
  if (X.data.length !== X.nRows * X.nCols) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: ${what}.data has ${X.data.length} values but nRows * nCols = ${X.nRows * X.nCols}; pass a dense row-major matrix`,
      { length: X.data.length, nRows: X.nRows, nCols: X.nCols },
    );
  }
}

/** Throws `VF_MODEL_NAN_INPUT` when X holds a NaN or ±Infinity (models without missing-value support). */
export function checkFinite(X: DenseMatrix, kind: string): void {
  const d = X.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    if (!(v - v === 0)) {
      const i = Math.floor(k / X.nCols);
      const j = k % X.nCols;
      modelError(
        ModelErrorCode.NanInput,
        `${kind}: X[${i}, ${j}] is ${v}; this model does not accept missing or infinite values — impute them first (null imputer stage) or use a tree model`,
        { row: i, col: j },
      );
    }
  }
}

export function checkPredictShape(X: DenseMatrix, nFeatures: number, kind: string): void {
  checkMatrix(X, kind);
  if (X.nCols !== nFeatures) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: X has ${X.nCols} columns but the model was fitted on ${nFeatures}; pass the same features as in fit`,
      { nCols: X.nCols, expected: nFeatures },
    );
  }
}

export function resolveSample(
  X: DenseMatrix,
  y: Uint8Array,
  options: FitOptions,
  kind: string,
): ResolvedSample {
  checkMatrix(X, kind);
  const n = X.nRows;
  if (!(y instanceof Uint8Array) || y.length !== n) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: y must be a Uint8Array of length nRows = ${n} (got length ${(y as { length?: number }).length})`,
      { length: (y as { length?: number }).length, nRows: n },
    );
  }
  if (!Number.isFinite(options.seed)) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: fit options.seed must be a finite number (got ${options.seed})`,
      {
        seed: options.seed,
      },
    );
  }
  for (let i = 0; i < n; i++) {
    if (y[i] > 1) {
      modelError(ModelErrorCode.BadInput, `${kind}: y[${i}] = ${y[i]}; labels must be 0 or 1`, { row: i });
    }
  }
  const count = new Float64Array(n);
  if (options.rows) {
    const rows = options.rows;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (r >= n) {
        modelError(
          ModelErrorCode.BadInput,
          `${kind}: options.rows[${k}] = ${r} is not a row of X (nRows = ${n})`,
          { index: k, row: r, nRows: n },
        );
      }
      count[r] += 1;
    }
  } else {
    count.fill(1);
  }
  const weight = new Float64Array(n);
  const sw = options.sampleWeight;
  if (sw) {
    if (sw.length !== n) {
      modelError(
        ModelErrorCode.BadInput,
        `${kind}: options.sampleWeight has length ${sw.length}; it must have one weight per row of X (${n})`,
        { length: sw.length, nRows: n },
      );
    }
    for (let i = 0; i < n; i++) {
      const v = sw[i];
      if (!(v >= 0) || v === Infinity) {
        modelError(
          ModelErrorCode.BadInput,
          `${kind}: options.sampleWeight[${i}] = ${v}; weights must be finite and >= 0`,
          { row: i, value: v },
        );
      }
      weight[i] = v * count[i];
    }
  } else {
    weight.set(count);
  }
  let nActive = 0;
  let total = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (weight[i] > 0) {
      nActive++;
      total += weight[i];
      pos += weight[i] * y[i];
    }
  }
  if (nActive === 0) {
    modelError(
      ModelErrorCode.BadInput,
      `${kind}: the training sample is empty (no row with a positive weight); pass at least one row`,
      { nRows: n },
    );
  }
  const active = new Uint32Array(nActive);
  for (let i = 0, k = 0; i < n; i++) if (weight[i] > 0) active[k++] = i;
  return { weight, count, active, totalWeight: total, positiveWeight: pos };
}

/**
 * Logistic function. For z → −∞, exp(−z) overflows to +∞ and the result is exactly 0; for z → +∞ it is 1;
 * no branch, so it costs no misprediction in row loops.
 */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * A uniform index in [0, n) by multiply-shift (⌊u·n / 2³²⌋ of a 32-bit draw): no division or rejection loop
 * in hot loops (bootstrap draws, per-node feature sampling). Exact in doubles while n < 2²¹; each index's
 * probability is off by less than n / 2³² relative (< 5·10⁻⁴ there). Larger n uses the generator's
 * rejection sampling.
 */
export function drawIndex(rng: Rng, n: number): number {
  if (n < 2097152) return Math.floor((rng.nextUint32() * n) / 4294967296);
  return rng.nextInt(n);
}
