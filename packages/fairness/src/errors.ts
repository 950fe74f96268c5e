/**
 * Error codes of the fairness package. Tests and callers match on `code`, never on message text.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const FairnessErrorCode = {
  /** Array lengths disagree (X rows vs labels vs protected column vs scores). */
  ShapeMismatch: 'VF_FAIRNESS_SHAPE_MISMATCH',
  /** A label or protected value is not 0/1. */
  NotBinary: 'VF_FAIRNESS_NOT_BINARY',
  /** One of the two protected groups has no training rows, so no group statistic exists. */
  EmptyGroup: 'VF_FAIRNESS_EMPTY_GROUP',
  /** NaN/±inf in the feature matrix or scores (interventions run after imputation and scaling). */
  NonFiniteInput: 'VF_FAIRNESS_NON_FINITE_INPUT',
  /** `transform`/`predict…` called before `fit`. */
  NotFitted: 'VF_FAIRNESS_NOT_FITTED',
  /** The matrix given to `transform`/`predict…` has a different column count than at `fit`. */
  FeatureCountMismatch: 'VF_FAIRNESS_FEATURE_COUNT',
  /** An option or hyper-parameter outside its valid range. */
  BadOption: 'VF_FAIRNESS_BAD_OPTION',
  /** EGR needs the pipeline's model factory and none was given. */
  MissingModel: 'VF_FAIRNESS_MISSING_MODEL',
  /** A serialized intervention with an unknown kind or version. */
  BadSerialized: 'VF_FAIRNESS_BAD_SERIALIZED',
} as const;
export type FairnessErrorCode = (typeof FairnessErrorCode)[keyof typeof FairnessErrorCode];

export function fairnessError(
  code: FairnessErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, { details });
}
