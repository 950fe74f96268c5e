/**
 * Error codes of the engine. Callers and tests identify errors by `code`; user-facing messages name the
 * field, the value and the fix.
 */
import { VirnyFlowError } from '@virnyflow/core';

export const EngineErrorCode = {
  /** Neither or both of `config` / `configPath` (or `store` / `storeDir`) were given, or a bad option value. */
  BadOption: 'VF_ENGINE_BAD_OPTION',
  /** A pipeline produced an objective (or constraint) that is NaN or infinite (SPEC §13.6). */
  NonFiniteObjective: 'VF_ENGINE_NON_FINITE_OBJECTIVE',
  /** A task was delivered `maxDeliveries` times without an observation (its workers kept dying). */
  DeadLettered: 'VF_ENGINE_DEAD_LETTERED',
  /** A worker could not find the dataset or context blob a task refers to. */
  MissingBlob: 'VF_ENGINE_MISSING_BLOB',
  /** A serialized dataset or context is malformed or of another version. */
  BadBlob: 'VF_ENGINE_BAD_BLOB',
  /** The `None` imputer meets missing values with a model that cannot take them (SPEC §13.9). */
  MissingValuesUnsupported: 'VF_ENGINE_MISSING_VALUES_UNSUPPORTED',
  /** A component module passed with `componentModules` could not be loaded or exports nothing usable. */
  BadComponentModule: 'VF_ENGINE_BAD_COMPONENT_MODULE',
  /** The experiment or run asked for is not in the store. */
  NotFound: 'VF_ENGINE_NOT_FOUND',
  /** Export: no observation matches (no ok observation, or the Pareto index is out of range). */
  NothingToExport: 'VF_ENGINE_NOTHING_TO_EXPORT',
  /** A pipeline artifact is malformed, of another version, or does not fit the table given to predict. */
  BadArtifact: 'VF_ENGINE_BAD_ARTIFACT',
  /** The run stopped because an actor failed beyond its supervision. */
  ActorFailed: 'VF_ENGINE_ACTOR_FAILED',
  /** The stored config of an experiment differs from the one given to resume it. */
  ConfigMismatch: 'VF_ENGINE_CONFIG_MISMATCH',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

export function engineError(
  code: EngineErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  options: { retryable?: boolean; cause?: unknown } = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, { details, ...options });
}
