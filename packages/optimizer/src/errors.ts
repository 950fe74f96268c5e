/**
 * Error codes of the optimizer package. Tests assert the `code`; messages name the field, the value and
 * the fix.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const OptimizerErrorCode = {
  /** An option of the advisor (or another optimizer) is out of range or of the wrong shape. */
  BadOption: 'VF_OPTIMIZER_BAD_OPTION',
  /** A surrogate, acquisition or acquisition-optimizer name that is not known. */
  UnknownType: 'VF_OPTIMIZER_UNKNOWN_TYPE',
  /** An observation whose shape does not match the advisor (objective or constraint count). */
  BadObservation: 'VF_OPTIMIZER_BAD_OBSERVATION',
  /** Points/arrays handed to a numeric utility have inconsistent dimensions. */
  BadInput: 'VF_OPTIMIZER_BAD_INPUT',
  /** A kernel matrix stayed indefinite even after the largest jitter. */
  NotPositiveDefinite: 'VF_OPTIMIZER_NOT_POSITIVE_DEFINITE',
  /** Cost-model state or arguments are inconsistent (unknown objective, wrong count). */
  BadStats: 'VF_OPTIMIZER_BAD_STATS',
} as const;
export type OptimizerErrorCode = (typeof OptimizerErrorCode)[keyof typeof OptimizerErrorCode];

export function optimizerError(
  code: OptimizerErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, { details });
}
