/**
 * Error codes of the metrics package. Tests and callers identify errors by `code` (never by message text);
 * every user-facing message names the field, the value and the fix.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const MetricsErrorCode = {
  /** A key (or an intersection part) of `sensitive_attributes_dct` is not a column of the data. */
  UnknownAttribute: 'VF_METRICS_UNKNOWN_ATTRIBUTE',
  /** An intersection `A&B` names a part that is not itself a key of `sensitive_attributes_dct`. */
  UnknownIntersectionPart: 'VF_METRICS_UNKNOWN_INTERSECTION_PART',
  /** A value of `sensitive_attributes_dct` that cannot describe a group (null for a single attribute, ...). */
  BadGroupValue: 'VF_METRICS_BAD_GROUP_VALUE',
  /** Two keys of `sensitive_attributes_dct` are equal after trimming. */
  DuplicateGroupKey: 'VF_METRICS_DUPLICATE_GROUP_KEY',
  /** A privileged or disadvantaged group has no rows. */
  EmptyGroup: 'VF_METRICS_EMPTY_GROUP',
  /** Arrays that must describe the same rows (labels, predictions, groups) have different lengths. */
  ShapeMismatch: 'VF_METRICS_SHAPE_MISMATCH',
  /** Jitter (or the bootstrap mode) was asked for with a single estimator. */
  SingleEstimator: 'VF_METRICS_SINGLE_ESTIMATOR',
  /** The requested computation mode does not fit the predictions given. */
  ModeMismatch: 'VF_METRICS_MODE_MISMATCH',
  /** Bootstrap parameters out of range. */
  BadBootstrapOptions: 'VF_METRICS_BAD_BOOTSTRAP_OPTIONS',
  /** A metric name that is not in the catalog or cannot be used here. */
  UnknownMetric: 'VF_METRICS_UNKNOWN_METRIC',
  /** An objective's (metric, group) pair has no value in the table. */
  MissingValue: 'VF_METRICS_MISSING_VALUE',
  /** Invalid input file for `profile` (non-numeric or out-of-range probability, bad label, bad header). */
  BadInput: 'VF_METRICS_BAD_INPUT',
  /** The group definition text for `profile` could not be parsed. */
  BadGroupsSpec: 'VF_METRICS_BAD_GROUPS_SPEC',
  /** A bootstrap worker thread failed or the pool was closed. */
  WorkerFailed: 'VF_METRICS_WORKER_FAILED',
  /** A model spec names a kind its provider does not know. */
  UnknownModel: 'VF_METRICS_UNKNOWN_MODEL',
  /** The model provider module does not export what the bootstrap needs. */
  BadModelProvider: 'VF_METRICS_BAD_MODEL_PROVIDER',
} as const;
export type MetricsErrorCode = (typeof MetricsErrorCode)[keyof typeof MetricsErrorCode];

export function metricsError(
  code: MetricsErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options: { retryable?: boolean; cause?: unknown } = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, { details, ...options });
}
