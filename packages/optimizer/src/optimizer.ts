/**
 * The optimizer port: what the engine's advisor actor talks to, one instance per logical pipeline.
 *
 * Contract (every implementation, checked by `describeOptimizer` in `@virnyflow/optimizer/testing`):
 * - `suggest(k)` returns up to k configurations of the space, pairwise distinct and distinct from every
 *   observed or pending configuration (identity = `SpaceEncoding.key`). They become *pending* until
 *   observed. Fewer than k are returned only when the space has no unseen configuration left.
 * - `observe(o)` records one finished trial and removes its configuration from the pending set (an
 *   observation of a configuration that is not pending is accepted too: that is how an optimizer is
 *   rebuilt by replay). It does not deduplicate: recording a task's result once is the caller's job
 *   (the engine keys observations by task id).
 * - A trial is *failed* when `failed` is set or any objective or constraint is NaN/±∞; failed trials
 *   are kept (never re-suggested) and enter the model as the worst values observed so far (SPEC §13.6).
 * - Wrong objective/constraint counts throw VF_OPTIMIZER_BAD_OBSERVATION; a configuration outside the
 *   space throws core's VF_SPACE_BAD_CONFIGURATION. Neither changes the optimizer's state.
 * - Deterministic: the same options and seed, fed the same calls in the same order, give the same
 *   suggestions.
 * - Not thread-safe; one owner calls it (the advisor actor processes one message at a time).
 * Objectives are minimised; constraints are satisfied when ≤ 0.
 */
import type { Configuration } from '@virnyflow/core';

export interface TrialObservation {
  readonly config: Configuration;
  /** One value per objective (minimised); ignored when `failed`. */
  readonly objectives?: readonly number[];
  /** One value per constraint (feasible iff ≤ 0); ignored when `failed`. */
  readonly constraints?: readonly number[];
  readonly failed?: boolean;
}

export const SurrogateType = {
  Auto: 'auto',
  GP: 'gp',
  PRF: 'prf',
  /** No model: random search (what OpenBox's `auto` does for ≥ 100 hyper-parameters). */
  Random: 'random',
} as const;
export type SurrogateType = (typeof SurrogateType)[keyof typeof SurrogateType];

export const AcquisitionType = {
  Auto: 'auto',
  EI: 'ei',
  EIC: 'eic',
  EHVI: 'ehvi',
  EHVIC: 'ehvic',
  ParEGO: 'parego',
  ParEGOC: 'paregoc',
  /** Accepted for config compatibility with OpenBox; not implemented, resolved to EHVI or ParEGO. */
  MESMO: 'mesmo',
  MESMOC: 'mesmoc',
  /** Reported by optimizers without an acquisition (random search). */
  None: 'none',
} as const;
export type AcquisitionType = (typeof AcquisitionType)[keyof typeof AcquisitionType];

export interface ResolvedTypes {
  readonly surrogate: 'gp' | 'prf' | 'random';
  readonly acquisition: 'ei' | 'eic' | 'ehvi' | 'ehvic' | 'parego' | 'paregoc' | 'none';
  readonly acqOptimizer: 'local_random' | 'random_scipy' | 'random' | 'none';
}

export const SuggestionOrigin = {
  /** The initial design: default configuration and max–min-distance configurations. */
  Initial: 'initial',
  /** Random: before enough successful observations, random interleaving, or fallback. */
  Random: 'random',
  /** Maximiser of the acquisition function. */
  Model: 'model',
} as const;
export type SuggestionOrigin = (typeof SuggestionOrigin)[keyof typeof SuggestionOrigin];

export interface Suggestion {
  readonly config: Configuration;
  readonly origin: SuggestionOrigin;
  /** Acquisition value of a model-based suggestion. */
  readonly acquisitionValue?: number;
}

export interface Optimizer {
  suggest(k: number): Configuration[];
  observe(observation: TrialObservation): void;
  readonly resolvedTypes: ResolvedTypes;
}
