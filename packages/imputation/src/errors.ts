/**
 * Error codes of the imputation package. Tests and callers match on `code`, never on message text.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const ImputationErrorCode = {
  /** `transform` called before `fit`. */
  NotFitted: 'VF_IMPUTATION_NOT_FITTED',
  /** A column to impute has no observed value in the training split. */
  NoObserved: 'VF_IMPUTATION_NO_OBSERVED',
  /** The table given to `transform` lacks a fitted column or has it with another kind. */
  ColumnMismatch: 'VF_IMPUTATION_COLUMN_MISMATCH',
  /** An option or hyper-parameter outside its valid range. */
  BadOption: 'VF_IMPUTATION_BAD_OPTION',
  /** An error-injection spec names a column that the split does not have. */
  UnknownColumn: 'VF_IMPUTATION_UNKNOWN_COLUMN',
} as const;
export type ImputationErrorCode = (typeof ImputationErrorCode)[keyof typeof ImputationErrorCode];

export function imputationError(
  code: ImputationErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, { details });
}
