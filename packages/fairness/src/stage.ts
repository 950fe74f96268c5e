/**
 * The three kinds of fairness intervention and how a pipeline composes them with a model.
 *
 * Every intervention works on the *preprocessed* numeric matrix (after one-hot encoding and scaling, SPEC §5.3
 * step 5) and on the binary protected column of SPEC §2.4, given as a `Uint8Array` aligned with the rows:
 * `prot[i] = 0` when row i belongs to the disadvantaged group (it matches the dis value of every attribute
 * listed for the intervention), `1` otherwise. Labels are 0/1 with 1 the favourable outcome. The protected
 * column is never a column of `X` here (aif360's `drop_prot_attr=True` is the default behaviour; EGR can add
 * it back as a feature on request).
 *
 * Composition, for one physical pipeline `imputer → intervention → model` (the evaluator's job):
 *
 * - **Pre-processing** (`phase: 'pre'`: DIR, LFR, Reweighing). `fit(Xtrain, ytrain, protTrain, {seed})` once
 *   on the training split, then `transform(Xtrain, protTrain, ytrain)` and `transform(Xtest, protTest)` — the
 *   test split is transformed with the *training* fit, never refitted. The model (and every bootstrap
 *   estimator) then trains on the returned matrix; a returned `sampleWeight` (Reweighing, only when labels
 *   are passed) is handed to the model as `FitOptions.sampleWeight`, multiplied with any weights the caller
 *   already uses. Metrics run as usual on `predictProba`.
 * - **In-processing** (`phase: 'in'`: AD, EGR). The intervention *is* the trainer: it replaces the model's
 *   `fit`/`predictProba` and additionally receives `prot`. AD ignores the pipeline's model; EGR trains many
 *   copies of it through `InterventionContext.createModel`. Code that only knows `Classifier` (the bootstrap
 *   of the metrics package) wraps it with `protectedColumnClassifier`, which reads `prot` from one extra
 *   column of the matrix — the same trick VirnyFlow uses (the binary column lives in the frame).
 * - **Post-processing** (`phase: 'post'`: EOP, ROC). Per bootstrap estimator (SPEC §7.8): fit the model on its
 *   sample, score the sample, `fit(scoresOnSample, ySample, protSample, {seed})`, then
 *   `predictLabels(scoresOnTest, protTest)`. The output is labels, so metrics run in label-only mode
 *   (SPEC §7.7). `rows` lets the caller fit on a bootstrap sample without gathering it.
 *
 * Ownership: arrays passed in are never mutated or retained beyond the call unless stated; returned arrays
 * belong to the caller. A pre-processor may return the input matrix object unchanged when it does not modify
 * features (Reweighing) — treat it as read-only. Determinism: the same inputs and seed give bit-identical
 * outputs; randomised steps draw from a generator seeded at `fit`, re-created on every call.
 */
import type { Configuration } from '@virnyflow/core';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';

export const InterventionPhase = { Pre: 'pre', In: 'in', Post: 'post' } as const;
export type InterventionPhase = (typeof InterventionPhase)[keyof typeof InterventionPhase];

/** Options of a pre-processor's `fit`. */
export interface PreFitOptions {
  readonly seed: number;
  /**
   * Weights of the training rows (length `X.nRows`). Reweighing uses them in its probability estimates
   * (as aif360 uses instance weights); DIR and LFR ignore them.
   */
  readonly sampleWeight?: Float64Array;
}

/** What a pre-processor returns for one split. */
export interface PreProcessed {
  /** The transformed features, `(nRows, nCols')` row-major; `nCols'` may differ from the input's. */
  readonly X: DenseMatrix;
  /** Per-row training weights to hand to the model; present only when the method produces them. */
  readonly sampleWeight?: Float64Array;
}

export interface PreProcessor {
  readonly phase: 'pre';
  /** Registry name (`DIR`, `LFR`, `Reweighing`). */
  readonly name: string;
  /** Learns the transformation on the training split. Throws `VF_FAIRNESS_EMPTY_GROUP` if a group is empty. */
  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: PreFitOptions): void;
  /**
   * Applies the fitted transformation to any split. `y` is needed only by methods that weight rows by their
   * label (Reweighing); without it no `sampleWeight` is returned.
   */
  transform(X: DenseMatrix, prot: Uint8Array, y?: Uint8Array): PreProcessed;
  toJSON(): SerializedModel;
}

/**
 * A trainer that replaces the model and also sees the protected column. Same contract as `Classifier`
 * (`FitOptions.rows` for bootstrap samples with duplicates, `sampleWeight` indexed by row of `X`, seeded).
 */
export interface InProcessor {
  readonly phase: 'in';
  /** Registry name (`AD`, `EGR`). */
  readonly name: string;
  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: FitOptions): void;
  /** P(y = 1) per row of `X`; `prot` is aligned with the rows of `X`. */
  predictProba(X: DenseMatrix, prot: Uint8Array): Float64Array;
  toJSON(): SerializedModel;
}

/** Options of a post-processor's `fit`. */
export interface PostFitOptions {
  readonly seed: number;
  /** Fit on these positions of the arrays (duplicates allowed, as a bootstrap sample). Default: all. */
  readonly rows?: Uint32Array;
}

/** Turns a model's scores into fairer labels. */
export interface PostProcessor {
  readonly phase: 'post';
  /** Registry name (`EOP`, `ROC`). */
  readonly name: string;
  /** `scores` are the model's P(y = 1) on the rows whose truth is `y`. */
  fit(scores: Float64Array, y: Uint8Array, prot: Uint8Array, options: PostFitOptions): void;
  /** Labels (0/1) for scored rows; randomised methods are deterministic per fit seed. */
  predictLabels(scores: Float64Array, prot: Uint8Array): Uint8Array;
  toJSON(): SerializedModel;
}

export type FairnessIntervention = PreProcessor | InProcessor | PostProcessor;

/** What a factory needs beyond its own hyper-parameters. */
export interface InterventionContext {
  /** Seed of the physical pipeline; fit seeds may still be overridden per bootstrap estimator. */
  readonly seed: number;
  /**
   * The experiment's objective metric names as written in the config. EGR picks DemographicParity when one of
   * them, lower-cased, is `selection_rate_difference` or `disparate_impact`, EqualizedOdds otherwise (SPEC §2.4).
   */
  readonly objectiveMetrics?: readonly string[];
  /** Builds a fresh, unfitted instance of the pipeline's model with its hyper-parameters. Needed by EGR. */
  readonly createModel?: () => Classifier;
}

/**
 * The `create` of every fairness `ComponentDefinition`: hyper-parameters of the component's space (prefix
 * `fi__` stripped; missing ones take their defaults; `"None"` choices already turned into `null`).
 * Throws `VF_SPACE_BAD_CONFIGURATION` naming the parameter when a value does not fit the space.
 */
export type FairnessInterventionFactory = (
  params: Configuration,
  ctx: InterventionContext,
) => FairnessIntervention;
