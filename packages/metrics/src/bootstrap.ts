/**
 * Virny's bootstrap (SPEC §7.2): `nEstimators` models, estimator m fitted on `floor(fraction · n)` training
 * rows drawn with replacement by an `Rng` seeded `randomState + m + 1`, and with fit seed `randomState + m
 * + 1`. The sample is passed to `fit` as `rows` (duplicates = repeated rows), so every estimator shares the
 * one training matrix — and whatever a model caches about it, such as its binning.
 *
 * The fitted estimators are returned so they can score other sets without refitting (train-set metrics,
 * SPEC §5.3 step 8): `predictMatrix(estimators, X)` gives the P(class 0) matrix the metrics need.
 *
 * Results depend only on the inputs and `randomState`: estimator m is the same whichever thread fits it.
 */
import type { Classifier, DenseMatrix } from '@virnyflow/models';
import type { ComputationMode } from './compute';
import { computeMetrics } from './compute';
import { MetricsErrorCode, metricsError } from './errors';
import type { BootstrapExecutor } from './executor';
import type { GroupPartition } from './groups';
import type { MetricsTable } from './metrics-table';
import { loadModelProvider } from './model-provider';
import type { ModelSpec } from './model-provider';
import { bootstrapRows, bootstrapSampleSize, estimatorSeed } from './sampling';

export interface BootstrapOptions {
  /** Training features (nRows, nCols), row-major. */
  readonly X: DenseMatrix;
  /** Training labels (nRows), 0/1. */
  readonly y: Uint8Array;
  readonly sampleWeight?: Float64Array;
  readonly nEstimators: number;
  /** Fraction of the training rows in each sample, in (0, 1]. */
  readonly bootstrapFraction: number;
  /** Run seed (VirnyFlow: 100 + run_num). */
  readonly randomState: number;
  /** In-thread factory: an unfitted model for estimator seed `seed` (used when no `pool` is given). */
  readonly createModel?: (seed: number) => Classifier;
  /** Serializable model description: required with a `pool`, used in-thread when `createModel` is absent. */
  readonly model?: ModelSpec;
  /** Fits estimators elsewhere (worker threads); needs `model`. */
  readonly pool?: BootstrapExecutor;
}

export interface BootstrapEnsemble {
  /** Estimator m at index m, fitted. */
  readonly estimators: readonly Classifier[];
  /** Seed of estimator m (`randomState + m + 1`): its sample's RNG seed and its fit seed. */
  readonly seeds: readonly number[];
  /** Rows per sample: floor(bootstrapFraction · nRows). */
  readonly sampleSize: number;
}

function checkOptions(o: BootstrapOptions): { n: number; size: number; seeds: number[] } {
  const bad = (field: string, value: unknown, rule: string): never => {
    throw metricsError(
      MetricsErrorCode.BadBootstrapOptions,
      `bootstrap ${field} = ${JSON.stringify(value)}: ${rule}`,
      { field, value },
    );
  };
  const n = o.X.nRows;
  if (!Number.isInteger(o.nEstimators) || o.nEstimators < 1)
    bad('nEstimators', o.nEstimators, 'must be an integer ≥ 1 (virny_args.n_estimators)');
  if (!(o.bootstrapFraction > 0 && o.bootstrapFraction <= 1))
    bad('bootstrapFraction', o.bootstrapFraction, 'must be in (0, 1] (virny_args.bootstrap_fraction)');
  if (!Number.isInteger(o.randomState)) bad('randomState', o.randomState, 'must be an integer');
  if (o.y.length !== n) bad('y.length', o.y.length, `must equal X.nRows = ${n}`);
  if (o.X.data.length !== n * o.X.nCols)
    bad('X.data.length', o.X.data.length, `must equal nRows × nCols = ${n * o.X.nCols}`);
  const size = bootstrapSampleSize(n, o.bootstrapFraction);
  if (size < 1) {
    bad(
      'bootstrapFraction',
      o.bootstrapFraction,
      `gives an empty sample of ${n} training rows; raise it or use more rows`,
    );
  }
  const seeds: number[] = [];
  for (let m = 0; m < o.nEstimators; m++) seeds.push(estimatorSeed(o.randomState, m));
  return { n, size, seeds };
}

/** Fits the ensemble in this thread with `createModel`; no serialization. */
export function runBootstrapSync(
  options: BootstrapOptions & { createModel: (seed: number) => Classifier },
): BootstrapEnsemble {
  const { n, size, seeds } = checkOptions(options);
  const estimators = seeds.map((seed) => {
    const model = options.createModel(seed);
    const rows = bootstrapRows(n, size, seed);
    model.fit(options.X, options.y, {
      seed,
      rows,
      ...(options.sampleWeight ? { sampleWeight: options.sampleWeight } : {}),
    });
    return model;
  });
  return { estimators, seeds, sampleSize: size };
}

/**
 * Fits the ensemble: on `pool` when given (models travel back as JSON and are rebuilt with the provider's
 * `fromJSON`), else in this thread with `createModel` or, failing that, the provider of `model`.
 */
export async function runBootstrap(options: BootstrapOptions): Promise<BootstrapEnsemble> {
  const { size, seeds } = checkOptions(options);
  if (options.pool) {
    if (!options.model) {
      throw metricsError(
        MetricsErrorCode.BadBootstrapOptions,
        'bootstrap with a thread pool needs `model` (a serializable {kind, params} spec); a createModel closure ' +
          'cannot cross threads',
        { field: 'model' },
      );
    }
    const provider = await loadModelProvider(options.model.provider);
    const json = await options.pool.fitEstimators({
      X: options.X,
      y: options.y,
      ...(options.sampleWeight ? { sampleWeight: options.sampleWeight } : {}),
      model: options.model,
      sampleSize: size,
      seeds,
    });
    return { estimators: json.map((j) => provider.fromJSON(j)), seeds, sampleSize: size };
  }
  if (options.createModel) return runBootstrapSync({ ...options, createModel: options.createModel });
  if (!options.model) {
    throw metricsError(
      MetricsErrorCode.BadBootstrapOptions,
      'bootstrap needs `createModel` or `model` to build its estimators',
      { field: 'createModel' },
    );
  }
  const spec = options.model;
  const provider = await loadModelProvider(spec.provider);
  return runBootstrapSync({
    ...options,
    createModel: (seed) => provider.create(spec.kind, spec.params, seed),
  });
}

/**
 * The (M, N) row-major matrix of P(class 0) of every estimator on `X` (Virny's `predict_proba[:, 0]`):
 * p0 = 1 − predictProba. Works for freshly fitted and for re-used estimators alike.
 */
export function predictMatrix(estimators: readonly Classifier[], X: DenseMatrix): Float64Array {
  const M = estimators.length;
  const N = X.nRows;
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    const p1 = estimators[m].predictProba(X);
    if (p1.length !== N) {
      throw metricsError(
        MetricsErrorCode.ShapeMismatch,
        `estimator ${m} returned ${p1.length} probabilities for ${N} rows`,
        { estimator: m, got: p1.length, rows: N },
      );
    }
    const off = m * N;
    for (let i = 0; i < N; i++) out[off + i] = 1 - p1[i];
  }
  return out;
}

/** Scores fitted estimators on a set: predictions, then the whole protocol (no refitting). */
export function scoreEnsemble(options: {
  readonly estimators: readonly Classifier[];
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  readonly groups: GroupPartition;
  readonly mode?: ComputationMode;
}): MetricsTable {
  const p0 = predictMatrix(options.estimators, options.X);
  return computeMetrics({
    y: options.y,
    groups: options.groups,
    predictions: { kind: 'probabilities', p0, nEstimators: options.estimators.length },
    ...(options.mode ? { mode: options.mode } : {}),
  });
}

/**
 * The no-bootstrap mode's model (SPEC §7.9, §13.11): one model on the full training split, fit seed
 * `randomState`.
 */
export function fitFullModel(options: {
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  readonly sampleWeight?: Float64Array;
  readonly randomState: number;
  readonly createModel: (seed: number) => Classifier;
}): Classifier {
  const model = options.createModel(options.randomState);
  model.fit(options.X, options.y, {
    seed: options.randomState,
    ...(options.sampleWeight ? { sampleWeight: options.sampleWeight } : {}),
  });
  return model;
}
