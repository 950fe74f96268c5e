/**
 * Virny's per-group metrics (SPEC §7.1–7.3, §7.7, §7.9): stability and uncertainty from a bootstrap
 * prediction matrix, error metrics from the confusion matrix, for `overall` and every protected group.
 *
 * Conventions kept exactly as Virny has them (SPEC §12.1–12.2):
 * - the probability matrix holds P(class 0) — the Classifier returns P(y = 1), so p0 = 1 − p1;
 * - an estimator's label is 1 iff p0 < 0.5 (p0 = 0.5 → label 0); the ensemble label is 1 iff the mean
 *   μ < 0.5; in label-only mode the ensemble label is the majority vote, 1 iff mean label > 0.5 (tie → 0);
 * - Std is the sample standard deviation (ddof 1), IQR uses linear interpolation (NumPy's default),
 *   entropies are base 2, Epistemic = Overall − Aleatoric.
 *
 * Work is split in two passes: per-sample statistics over all N rows once (O(N·M log M)), then per-group
 * means over masks (O(N) per group and metric), so many groups cost little.
 */
import { ComputationMode as ConfigComputationMode, ERROR_METRICS, VARIANCE_METRICS } from '@virnyflow/core';
import { composeDisparities } from './disparity';
import { MetricsErrorCode, metricsError } from './errors';
import type { GroupPartition } from './groups';
import { MetricsTable } from './metrics-table';

/**
 * The config's computation modes (`bootstrap`: `n_estimators ≥ 2` probability estimators, all 9
 * stability/uncertainty metrics + error metrics; `no_bootstrap`: one model on the full training split,
 * Mean_Prediction, Statistical_Bias + error metrics, §13.11) plus `label_only` for post-processors, whose
 * estimators give labels: Jitter and Label_Stability + error metrics (§7.7).
 */
export const ComputationMode = {
  ...ConfigComputationMode,
  LabelOnly: 'label_only',
} as const;
export type ComputationMode = (typeof ComputationMode)[keyof typeof ComputationMode];

/**
 * The predictions of an ensemble of `nEstimators` models for N rows.
 * - `probabilities`: `p0` is (nEstimators, N) row-major, P(class 0) per Virny's convention.
 * - `labels`: `labels` is (nEstimators, N) row-major, 1 = positive/favourable.
 */
export type PredictionMatrix =
  | { readonly kind: 'probabilities'; readonly p0: Float64Array; readonly nEstimators: number }
  | { readonly kind: 'labels'; readonly labels: Uint8Array; readonly nEstimators: number };

export type VarianceMetric = (typeof VARIANCE_METRICS)[number];

/** Variance metrics each mode produces, in catalog order. */
export const MODE_VARIANCE_METRICS: Readonly<Record<ComputationMode, readonly VarianceMetric[]>> = {
  bootstrap: VARIANCE_METRICS,
  no_bootstrap: ['Mean_Prediction', 'Statistical_Bias'],
  label_only: ['Label_Stability', 'Jitter'],
};

/** P(y = 1) → P(class 0), the matrix Virny's formulas are written on. */
export function toClassZero(p1: Float64Array): Float64Array {
  const out = new Float64Array(p1.length);
  for (let i = 0; i < p1.length; i++) out[i] = 1 - p1[i];
  return out;
}

/** The mode implied by the predictions: labels → label-only, one estimator → no-bootstrap, else bootstrap. */
export function inferComputationMode(predictions: PredictionMatrix): ComputationMode {
  if (predictions.kind === 'labels') return ComputationMode.LabelOnly;
  return predictions.nEstimators === 1 ? ComputationMode.NoBootstrap : ComputationMode.Bootstrap;
}

/**
 * Per-sample statistics, each (N): everything the group means need.
 * Arrays not meaningful in a mode are empty (length 0).
 */
export interface SampleStatistics {
  readonly nEstimators: number;
  readonly nRows: number;
  /** Ensemble label ŷ (1 = positive). */
  readonly yHat: Uint8Array;
  /** μ_i = mean_m P[m][i] (probabilities only). */
  readonly mean: Float64Array;
  /** Sample standard deviation (ddof 1) of P[·][i]; NaN when M = 1. */
  readonly std: Float64Array;
  /** Q75 − Q25 of P[·][i], linear interpolation. */
  readonly iqr: Float64Array;
  /** (1/M) Σ_m H(P[m][i]), bits. */
  readonly aleatoric: Float64Array;
  /** H(μ_i), bits. */
  readonly overall: Float64Array;
  /** |#{L = 1} − #{L = 0}| / M. */
  readonly labelStability: Float64Array;
  /** #{L = 1} · #{L = 0}: the number of estimator pairs that disagree on row i (for Jitter). */
  readonly disagreeingPairs: Float64Array;
}

/** Binary entropy in bits; H(0) = H(1) = 0. */
export function binaryEntropy(p: number): number {
  if (p === 0 || p === 1) return 0;
  const q = 1 - p;
  return -p * Math.log2(p) - q * Math.log2(q);
}

/**
 * NumPy's `percentile(a, 100·q)` with the default 'linear' method on an ascending-sorted array of length
 * `n`: virtual index h = (n − 1)·q, lerp between its neighbours. The lerp is written as NumPy's `_lerp`
 * (`b − (b − a)(1 − t)` for t ≥ 0.5) so results agree to the last bit.
 */
export function sortedPercentile(sorted: Float64Array, n: number, q: number): number {
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** Per-sample statistics of a probability matrix (nEstimators, N) of P(class 0). */
export function probabilityStatistics(p0: Float64Array, nEstimators: number): SampleStatistics {
  const M = nEstimators;
  const N = checkMatrix(p0.length, M);
  const yHat = new Uint8Array(N);
  const mean = new Float64Array(N);
  const std = new Float64Array(N);
  const iqr = new Float64Array(N);
  const aleatoric = new Float64Array(N);
  const overall = new Float64Array(N);
  const labelStability = new Float64Array(N);
  const disagreeingPairs = new Float64Array(N);
  const col = new Float64Array(M); // scratch: P[·][i]
  for (let i = 0; i < N; i++) {
    let sum = 0;
    let ent = 0;
    let ones = 0;
    for (let m = 0; m < M; m++) {
      const p = p0[m * N + i];
      col[m] = p;
      // Sequential over m, as NumPy reduces axis 0 of a C-ordered (M, N) array.
      sum += p;
      ent += binaryEntropy(p);
      if (p < 0.5) ones++;
    }
    const mu = sum / M;
    let ss = 0;
    for (let m = 0; m < M; m++) {
      const d = col[m] - mu;
      ss += d * d;
    }
    col.sort();
    mean[i] = mu;
    std[i] = M > 1 ? Math.sqrt(ss / (M - 1)) : NaN;
    iqr[i] = sortedPercentile(col, M, 0.75) - sortedPercentile(col, M, 0.25);
    aleatoric[i] = ent / M;
    overall[i] = binaryEntropy(mu);
    const zeros = M - ones;
    labelStability[i] = Math.abs(ones - zeros) / M;
    disagreeingPairs[i] = ones * zeros;
    yHat[i] = mu < 0.5 ? 1 : 0;
  }
  return {
    nEstimators: M,
    nRows: N,
    yHat,
    mean,
    std,
    iqr,
    aleatoric,
    overall,
    labelStability,
    disagreeingPairs,
  };
}

/** Per-sample statistics of a label matrix (nEstimators, N), 1 = positive (label-only mode). */
export function labelStatistics(labels: Uint8Array, nEstimators: number): SampleStatistics {
  const M = nEstimators;
  const N = checkMatrix(labels.length, M);
  const ones = new Uint32Array(N);
  for (let m = 0; m < M; m++) {
    const off = m * N;
    for (let i = 0; i < N; i++) ones[i] += labels[off + i] === 1 ? 1 : 0;
  }
  const yHat = new Uint8Array(N);
  const labelStability = new Float64Array(N);
  const disagreeingPairs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const k = ones[i];
    const z = M - k;
    labelStability[i] = Math.abs(k - z) / M;
    disagreeingPairs[i] = k * z;
    // Majority vote: mean label > 0.5, i.e. 2k > M; a tie gives 0.
    yHat[i] = 2 * k > M ? 1 : 0;
  }
  const empty = new Float64Array(0);
  return {
    nEstimators: M,
    nRows: N,
    yHat,
    mean: empty,
    std: empty,
    iqr: empty,
    aleatoric: empty,
    overall: empty,
    labelStability,
    disagreeingPairs,
  };
}

function checkMatrix(length: number, M: number): number {
  if (!Number.isInteger(M) || M < 1) {
    throw metricsError(MetricsErrorCode.ShapeMismatch, `nEstimators must be a positive integer, got ${M}`, {
      nEstimators: M,
    });
  }
  if (length % M !== 0) {
    throw metricsError(
      MetricsErrorCode.ShapeMismatch,
      `prediction matrix has ${length} cells, not a multiple of nEstimators = ${M}`,
      { cells: length, nEstimators: M },
    );
  }
  return length / M;
}

/**
 * The mean of a variance metric over the rows of `mask` (SPEC §7.3). `y` is needed for Statistical_Bias.
 * Jitter with one estimator is undefined (Virny divides by zero) and throws `VF_METRICS_SINGLE_ESTIMATOR`.
 */
export function groupVarianceMetric(
  stats: SampleStatistics,
  metric: VarianceMetric,
  y: Uint8Array,
  mask: Uint8Array,
): number {
  const N = stats.nRows;
  let n = 0;
  for (let i = 0; i < N; i++) n += mask[i];
  const meanOf = (a: Float64Array): number => {
    if (a.length !== N) throw notInMode(metric);
    let s = 0;
    for (let i = 0; i < N; i++) if (mask[i] === 1) s += a[i];
    return s / n;
  };
  switch (metric) {
    case 'Mean_Prediction':
      return meanOf(stats.mean);
    case 'Statistical_Bias': {
      if (stats.mean.length !== N) throw notInMode(metric);
      let s = 0;
      for (let i = 0; i < N; i++) if (mask[i] === 1) s += Math.abs(y[i] - (1 - stats.mean[i]));
      return s / n;
    }
    case 'Std':
      return meanOf(stats.std);
    case 'IQR':
      return meanOf(stats.iqr);
    case 'Aleatoric_Uncertainty':
      return meanOf(stats.aleatoric);
    case 'Overall_Uncertainty':
      return meanOf(stats.overall);
    case 'Epistemic_Uncertainty':
      return meanOf(stats.overall) - meanOf(stats.aleatoric);
    case 'Label_Stability':
      return meanOf(stats.labelStability);
    case 'Jitter': {
      const M = stats.nEstimators;
      if (M < 2) {
        throw metricsError(
          MetricsErrorCode.SingleEstimator,
          'Jitter needs at least 2 estimators (it averages over estimator pairs); got 1. ' +
            'Use the bootstrap with n_estimators ≥ 2 or leave Jitter out',
          { metric, nEstimators: M },
        );
      }
      // Σ_{a<b} churn(a, b) = (1/n) Σ_i #{disagreeing pairs on row i}; divide by the M(M−1)/2 pairs.
      let s = 0;
      for (let i = 0; i < N; i++) if (mask[i] === 1) s += stats.disagreeingPairs[i];
      return s / n / ((M * (M - 1)) / 2);
    }
  }
}

function notInMode(metric: string): Error {
  return metricsError(
    MetricsErrorCode.ModeMismatch,
    `${metric} needs probability predictions; label-only predictions give only Label_Stability and Jitter`,
    { metric },
  );
}

/** Confusion-matrix counts of one group. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function groupConfusion(y: Uint8Array, yHat: Uint8Array, mask: Uint8Array): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    if (mask[i] !== 1) continue;
    if (yHat[i] === 1) {
      if (y[i] === 1) tp++;
      else fp++;
    } else if (y[i] === 1) fn++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/**
 * Error metrics of SPEC §7.3 from confusion counts; 0/0 is NaN (as NumPy), never an exception.
 * F1 = 2TP / (2TP + FP + FN) is NaN, not 0, when its denominator is 0.
 */
export function errorMetric(metric: (typeof ERROR_METRICS)[number], c: Confusion): number {
  const { tp, fp, tn, fn } = c;
  const n = tp + fp + tn + fn;
  switch (metric) {
    case 'TPR':
      return tp / (tp + fn);
    case 'TNR':
      return tn / (tn + fp);
    case 'PPV':
      return tp / (tp + fp);
    case 'FNR':
      return fn / (fn + tp);
    case 'FPR':
      return fp / (fp + tn);
    case 'Accuracy':
      return (tp + tn) / n;
    case 'F1':
      return (2 * tp) / (2 * tp + fp + fn);
    case 'Selection-Rate':
      return (tp + fp) / n;
    case 'Sample_Size':
      return n;
  }
}

export interface ComputeMetricsOptions {
  /** True labels (N), 0/1. */
  readonly y: Uint8Array;
  readonly groups: GroupPartition;
  readonly predictions: PredictionMatrix;
  /** Defaults to `inferComputationMode(predictions)`; an explicit mode is checked against the predictions. */
  readonly mode?: ComputationMode;
}

/** The whole protocol for one model on one evaluation set: per-group table plus composed disparities. */
export function computeMetrics(options: ComputeMetricsOptions): MetricsTable {
  const { y, groups, predictions } = options;
  const mode = options.mode ?? inferComputationMode(predictions);
  checkMode(mode, predictions);
  const stats =
    predictions.kind === 'probabilities'
      ? probabilityStatistics(predictions.p0, predictions.nEstimators)
      : labelStatistics(predictions.labels, predictions.nEstimators);
  return metricsFromStatistics(stats, y, groups, mode);
}

/**
 * The per-group table from precomputed statistics (e.g. to score the same predictions against several
 * group definitions).
 */
export function metricsFromStatistics(
  stats: SampleStatistics,
  y: Uint8Array,
  groups: GroupPartition,
  mode: ComputationMode,
): MetricsTable {
  const N = stats.nRows;
  if (y.length !== N || groups.nRows !== N) {
    throw metricsError(
      MetricsErrorCode.ShapeMismatch,
      `labels (${y.length} rows), predictions (${N} rows) and sensitive attributes (${groups.nRows} rows) must ` +
        'describe the same rows',
      { labels: y.length, predictions: N, groups: groups.nRows },
    );
  }
  for (let i = 0; i < N; i++) {
    if (y[i] > 1) {
      throw metricsError(MetricsErrorCode.BadInput, `labels must be 0 or 1; row ${i} holds ${y[i]}`, {
        row: i,
        value: y[i],
      });
    }
  }
  const variance = MODE_VARIANCE_METRICS[mode].filter(
    (m) => m !== 'Jitter' || stats.nEstimators > 1 || mode === ComputationMode.Bootstrap,
  );
  const metrics: string[] = [...variance, ...ERROR_METRICS];
  const G = groups.names.length;
  const values = new Float64Array(metrics.length * G);
  for (let g = 0; g < G; g++) {
    const mask = groups.masks[g];
    let r = 0;
    for (const m of variance) values[r++ * G + g] = groupVarianceMetric(stats, m, y, mask);
    const conf = groupConfusion(y, stats.yHat, mask);
    for (const m of ERROR_METRICS) values[r++ * G + g] = errorMetric(m, conf);
  }
  const d = composeDisparities(metrics, groups.names, values, groups.keys);
  return new MetricsTable(metrics, groups.names, values, d.metrics, d.keys, d.values);
}

function checkMode(mode: ComputationMode, p: PredictionMatrix): void {
  const M = p.nEstimators;
  const bad = (why: string): never => {
    throw metricsError(MetricsErrorCode.ModeMismatch, `computation mode '${mode}': ${why}`, {
      mode,
      kind: p.kind,
      nEstimators: M,
    });
  };
  switch (mode) {
    case 'bootstrap':
      if (p.kind !== 'probabilities') bad('needs probability predictions, got labels');
      if (M < 2) {
        throw metricsError(
          MetricsErrorCode.SingleEstimator,
          'the bootstrap mode needs n_estimators ≥ 2 (Jitter averages over estimator pairs); got 1 estimator. ' +
            "Raise n_estimators or use the 'no_bootstrap' mode",
          { mode, nEstimators: M },
        );
      }
      break;
    case 'no_bootstrap':
      if (p.kind !== 'probabilities') bad('needs probability predictions, got labels');
      if (M !== 1) bad(`expects the predictions of one model, got ${M} estimators`);
      break;
    case 'label_only':
      if (p.kind !== 'labels') bad('needs label predictions, got probabilities');
      break;
  }
}
