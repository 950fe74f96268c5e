import { VirnyFlowError } from '@virnyflow/core';

/** Stable codes of every error the store throws. Tests and callers branch on these, never on messages. */
export const StoreErrorCode = {
  /** The store spec (directory, URI, `VIRNYFLOW_STORE`) is missing or malformed. */
  InvalidSpec: 'VF_STORE_INVALID_SPEC',
  /** The file or database could not be opened (not a SQLite file, permission denied, bad credentials). */
  OpenFailed: 'VF_STORE_OPEN_FAILED',
  /** The store was written by a newer VirnyFlow-TS schema than this build understands. */
  SchemaTooNew: 'VF_STORE_SCHEMA_TOO_NEW',
  /** A method was called after `close()`. */
  Closed: 'VF_STORE_CLOSED',
  /** The experiment run, logical pipeline or task a method refers to does not exist. */
  NotFound: 'VF_STORE_NOT_FOUND',
  /** An argument is malformed: a non-finite number, an unknown status, a non-JSON value, a duplicate metric row. */
  InvalidArgument: 'VF_STORE_INVALID_ARGUMENT',
  /** The database server could not be reached or timed out (retryable). */
  Unavailable: 'VF_STORE_UNAVAILABLE',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export function storeError(
  code: StoreErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): VirnyFlowError {
  return new VirnyFlowError(code, message, {
    details,
    cause,
    retryable: code === StoreErrorCode.Unavailable,
  });
}
