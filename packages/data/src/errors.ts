/**
 * Error codes of the data package. Tests and callers identify errors by `code`; every message names the
 * file/column/value involved and how to fix it.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const DataErrorCode = {
  MissingColumn: 'VF_DATA_MISSING_COLUMN',
  LengthMismatch: 'VF_DATA_LENGTH_MISMATCH',
  DuplicateColumn: 'VF_DATA_DUPLICATE_COLUMN',
  FileNotFound: 'VF_DATA_FILE_NOT_FOUND',
  EmptyFile: 'VF_DATA_EMPTY_FILE',
  BadHeader: 'VF_DATA_BAD_HEADER',
  RaggedRow: 'VF_DATA_RAGGED_ROW',
  NotNumeric: 'VF_DATA_NOT_NUMERIC',
  TooLarge: 'VF_DATA_TOO_LARGE',
  CsvSyntax: 'VF_DATA_CSV_SYNTAX',
  BadOption: 'VF_DATA_BAD_OPTION',
  UnknownDataset: 'VF_DATA_UNKNOWN_DATASET',
  BadSpec: 'VF_DATA_BAD_SPEC',
  MissingTarget: 'VF_DATA_MISSING_TARGET',
  BadTarget: 'VF_DATA_BAD_TARGET',
  OneClassTarget: 'VF_DATA_ONE_CLASS_TARGET',
  AllMissingColumn: 'VF_DATA_ALL_MISSING_COLUMN',
  EmptyDataset: 'VF_DATA_EMPTY_DATASET',
  FetchFailed: 'VF_DATA_FETCH_FAILED',
  BadSplit: 'VF_DATA_BAD_SPLIT',
  NotFitted: 'VF_DATA_NOT_FITTED',
  BadImputer: 'VF_DATA_BAD_IMPUTER',
  BadNullInjection: 'VF_DATA_BAD_NULL_INJECTION',
} as const;
export type DataErrorCode = (typeof DataErrorCode)[keyof typeof DataErrorCode];

/** Shorthand for a non-retryable data error with details. */
export function dataError(
  code: DataErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options: { retryable?: boolean; cause?: unknown } = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, {
    details,
    retryable: options.retryable ?? false,
    cause: options.cause,
  });
}
