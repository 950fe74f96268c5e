/**
 * The one interface every model implements. Binary classification only: labels are 0/1 in a `Uint8Array`,
 * `predictProba` returns P(y = 1) per row.
 *
 * Contract:
 * - `fit` is deterministic given `options.seed`: same data + same seed ⇒ bit-identical model and predictions.
 * - `options.rows` restricts training to those row indices of `X`; duplicates are allowed and mean repeated
 *   rows (the bootstrap passes its with-replacement sample this way, so the full matrix — and its cached
 *   binning — is shared by every estimator).
 * - `options.sampleWeight` (length `X.nRows`, indexed by row of `X`) is honoured by every model.
 * - Tree models accept NaN features (learned default direction); others throw `VF_MODEL_NAN_INPUT`.
 * - Arrays passed in are never mutated or retained beyond `fit` unless documented; returned arrays are owned
 *   by the caller.
 * - `toJSON()` returns plain data with `kind` and `version`; `fromJSON` of the same module checks both.
 */

/** A dense row-major matrix view: element (i, j) is `data[i * nCols + j]`. */
export interface DenseMatrix {
  readonly data: Float64Array | Float32Array;
  readonly nRows: number;
  readonly nCols: number;
}

export interface FitOptions {
  readonly seed: number;
  readonly sampleWeight?: Float64Array;
  readonly rows?: Uint32Array;
}

export interface SerializedModel {
  readonly kind: string;
  readonly version: number;
  readonly [key: string]: unknown;
}

export interface Classifier {
  /** Registry name of the model, e.g. `rf_clf`. */
  readonly kind: string;
  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void;
  /** P(y = 1) for each row of `X`. */
  predictProba(X: DenseMatrix): Float64Array;
  toJSON(): SerializedModel;
}

/** Builds an unfitted classifier; the registry's factory for the model stage. */
export type ClassifierFactory = (params: Record<string, unknown>) => Classifier;
