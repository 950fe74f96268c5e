/**
 * Error codes of the models package. Tests assert these codes, never message text.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const ModelErrorCode = {
  /** A hyper-parameter is unknown, of the wrong type or out of range. */
  BadParam: 'VF_MODEL_BAD_PARAM',
  /** Shapes or values of X / y / sampleWeight / rows do not fit together. */
  BadInput: 'VF_MODEL_BAD_INPUT',
  /** NaN passed to a model that cannot handle missing values (linear models, MLP). */
  NanInput: 'VF_MODEL_NAN_INPUT',
  /** `predictProba` or `toJSON` called before `fit`. */
  NotFitted: 'VF_MODEL_NOT_FITTED',
  /** `fromJSON` met a `kind` it does not know. */
  UnknownKind: 'VF_MODEL_UNKNOWN_KIND',
  /** `fromJSON` met a `version` this code cannot read. */
  Version: 'VF_MODEL_VERSION',
  /** `fromJSON` met a malformed document. */
  BadJson: 'VF_MODEL_BAD_JSON',
} as const;
export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

export function modelError(
  code: ModelErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new VirnyFlowError(code, message, { details });
}
