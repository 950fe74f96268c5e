/**
 * The pipeline task: evaluates one physical pipeline and returns its observation (SPEC §5.3–§5.4 with the
 * decisions of §13.1, §13.6, §13.11). Pure: the same task, context and data give the same observation
 * (apart from `elapsedSeconds`), in whatever thread it runs.
 *
 * Steps, for the run's split (seeded by the task's seed, with the context's error injection applied to it
 * right after the split) and each halting fraction f (nested stratified subsamples of the training split;
 * `[1]` below 1,000 training rows):
 *   drop sensitive attributes → impute (fit on the fraction) → binary protected column → one-hot/scale
 *   (fit on the fraction) → fairness intervention (pre / in / post) → model: a bootstrap ensemble of
 *   `n_estimators` models (or one model in `no_bootstrap` mode) → metrics on the test split and on the
 *   fraction's training rows with the same fitted estimators (label-only mode for post-processors) →
 *   objectives, constraints and compound quality Q = Σ wᵢ·(1 − lossᵢ).
 * After each fraction the pipeline continues only while its train Q is at least the run's best test Q (the
 * best the task carries, including its own test Q). The observation is the last fraction's.
 *
 * Anything that throws, and objectives that are NaN or infinite, give a `failed` observation carrying the
 * error's code and message; nothing escapes as an exception.
 */
import type { ComponentRegistry, ObservationMessage, ObjectiveConfig, TaskMessage } from '@virnyflow/core';
import { MESSAGE_VERSION, hashString, toFailure } from '@virnyflow/core';
import type { SerializedFailure } from '@virnyflow/core';
import type { Table } from '@virnyflow/data';
import { haltingFractions, nestedStratifiedSubsamples, takeLabels, trainTestSplit } from '@virnyflow/data';
import type { GroupPartition, MetricsTable, PredictionMatrix } from '@virnyflow/metrics';
import {
  ComputationMode,
  bootstrapRows,
  buildGroups,
  computeMetrics,
  evaluateObjectives,
  fitFullModel,
  predictMatrix,
  runBootstrapSync,
} from '@virnyflow/metrics';
import type { ObjectiveEvaluation } from '@virnyflow/metrics';
import type { ErrorInjectionCount } from '@virnyflow/imputation';
import { applyErrorInjection } from '@virnyflow/imputation';
import { shouldContinue } from '@virnyflow/optimizer';
import type { Classifier } from '@virnyflow/models';
import type { ExperimentContext, SyntheticPipeline } from './context';
import type { DatasetTables } from './dataset-codec';
import { EngineErrorCode, engineError } from './errors';
import { fitStages, pipelineComponents } from './stages';
import type { FittedStages } from './stages';

/**
 * The run-level split shared by every task of a run, with the test groups. With error injection, `xTrain` /
 * `xTest` carry the injected nulls; `rawTrain` / `rawTest` keep the true values (they define the groups).
 */
export interface RunSplit {
  readonly xTrain: Table;
  readonly yTrain: Uint8Array;
  readonly rawTrain: Table;
  readonly xTest: Table;
  readonly yTest: Uint8Array;
  readonly rawTest: Table;
  readonly testGroups: GroupPartition;
  /** What each error-injection spec did to each split (empty without `error_injection`). */
  readonly injection: readonly ErrorInjectionCount[];
}

/**
 * Splits of recent (dataset, seed, test fraction, groups, error injection) keys; tasks of one run all reuse
 * one. A miss recomputes the same split: it is a pure function of the key.
 */
export class SplitCache {
  readonly #entries = new Map<string, RunSplit>();
  constructor(private readonly capacity = 4) {}

  get(hash: string, data: DatasetTables, seed: number, ctx: ExperimentContext): RunSplit {
    const key = [
      hash,
      seed,
      ctx.testSetFraction,
      JSON.stringify(ctx.sensitiveAttributes),
      JSON.stringify(ctx.errorInjection),
    ].join('|');
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const s = makeSplit(data, seed, ctx);
    if (this.#entries.size >= this.capacity)
      this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, s);
    return s;
  }
}

/**
 * The run's split for `seed`, then `ctx.errorInjection` applied to it with the same seed (each spec to the
 * splits it names; SPEC §8.1 semantics, see the imputation package's `applyErrorInjection`). A pure function
 * of (data, seed, context): every task of a run, in any thread or process, gets the same nulls, so imputers
 * are compared on identical missingness, and the imputer stage then fits on the training rows only.
 */
export function makeSplit(data: DatasetTables, seed: number, ctx: ExperimentContext): RunSplit {
  const { train, test } = trainTestSplit(data.features.nRows, ctx.testSetFraction, seed);
  const rawTrain = data.raw.take(train);
  const rawTest = data.raw.take(test);
  const { split, counts } = applyErrorInjection(
    { xTrain: data.features.take(train), xTest: data.features.take(test), rawTrain, rawTest },
    ctx.errorInjection,
    seed,
  );
  return {
    xTrain: split.xTrain,
    yTrain: takeLabels(data.target, train),
    rawTrain,
    xTest: split.xTest,
    yTest: takeLabels(data.target, test),
    rawTest,
    testGroups: buildGroups(rawTest, ctx.sensitiveAttributes),
    injection: counts,
  };
}

export interface EvaluateTaskInput {
  readonly task: TaskMessage;
  readonly context: ExperimentContext;
  /** Needed unless the context is synthetic. */
  readonly data: DatasetTables | null;
  readonly registry: ComponentRegistry;
  readonly workerId: string;
  readonly splits?: SplitCache;
}

/** Evaluates a task; never throws (failures become `failed` observations). */
export async function evaluateTask(input: EvaluateTaskInput): Promise<ObservationMessage> {
  const start = performance.now();
  const elapsed = (): number => (performance.now() - start) / 1000;
  const { task } = input;
  let fraction: number | null = null;
  try {
    if (input.context.synthetic)
      return await syntheticObservation(task, input.workerId, input.context.synthetic, start);
    if (input.data === null) {
      throw engineError(
        EngineErrorCode.MissingBlob,
        `task ${task.taskId}: no dataset was given to the pipeline`,
      );
    }
    const ctx = input.context;
    const split = (input.splits ?? new SplitCache(1)).get(ctx.datasetHash, input.data, task.seed, ctx);
    const components = pipelineComponents(task.components, task.configuration, {
      registry: input.registry,
      seed: task.seed,
      datasetName: ctx.dataset,
      objectiveMetrics: ctx.objectiveMetrics,
    });
    const fractions = haltingFractions(ctx.haltingFractions, split.yTrain.length);
    const samples =
      fractions.length === 1 && fractions[0] === 1
        ? [null]
        : nestedStratifiedSubsamples(split.yTrain, fractions, task.seed);
    let last: FractionResult | null = null;
    for (let k = 0; k < fractions.length; k++) {
      fraction = fractions[k];
      const rows = samples[k];
      const stages = fitStages(components, {
        xTrain: rows ? split.xTrain.take(rows) : split.xTrain,
        yTrain: rows ? takeLabels(split.yTrain, rows) : split.yTrain,
        rawTrain: rows ? split.rawTrain.take(rows) : split.rawTrain,
        xTest: split.xTest,
        rawTest: split.rawTest,
        sensitiveAttributes: ctx.sensitiveAttributes,
        sensitiveAttrsForIntervention: ctx.sensitiveAttrsForIntervention,
        seed: task.seed,
      });
      last = evaluateFraction(stages, split, ctx, task);
      if (!last.test.valid) throw nonFinite(task, last.test, task.objectives);
      const trainQ = last.train.valid ? last.train.compoundQuality : NaN;
      const go = shouldContinue({
        trainCompound: trainQ,
        bestTestCompound: task.bestCompoundQuality,
        ownTestCompound: last.test.compoundQuality,
      });
      if (!go) break;
    }
    const r = last as FractionResult;
    return {
      ...base(task, input.workerId),
      status: 'ok',
      objectives: Array.from(r.test.losses),
      weighted: Array.from(r.test.weighted),
      reversed: Array.from(r.test.reversed),
      constraints: Array.from(r.test.violations),
      compoundQuality: r.test.compoundQuality,
      haltingFraction: fraction,
      elapsedSeconds: elapsed(),
      failure: null,
      metrics: [...r.testTable.toMetricRows('test'), ...r.trainTable.toMetricRows('train')],
    };
  } catch (error) {
    return failedObservation(task, input.workerId, toFailure(error), elapsed(), fraction);
  }
}

interface FractionResult {
  readonly testTable: MetricsTable;
  readonly trainTable: MetricsTable;
  readonly test: ObjectiveEvaluation;
  readonly train: ObjectiveEvaluation;
}

function evaluateFraction(
  s: FittedStages,
  split: RunSplit,
  ctx: ExperimentContext,
  task: TaskMessage,
): FractionResult {
  const seed = task.seed;
  // The estimators: a bootstrap ensemble, or one model on the whole fraction (SPEC §13.11).
  let models: readonly Classifier[];
  let fitSeeds: readonly number[];
  let samples: readonly (Uint32Array | null)[];
  if (ctx.computationMode === 'bootstrap') {
    const ens = runBootstrapSync({
      X: s.xTrain,
      y: s.yTrain,
      ...(s.sampleWeight ? { sampleWeight: s.sampleWeight } : {}),
      nEstimators: ctx.nEstimators ?? 0,
      bootstrapFraction: ctx.bootstrapFraction ?? 0,
      randomState: seed,
      createModel: (m) => s.createModel(m),
    });
    models = ens.estimators;
    fitSeeds = ens.seeds;
    samples = ens.seeds.map((m) => bootstrapRows(s.xTrain.nRows, ens.sampleSize, m));
  } else {
    models = [
      fitFullModel({
        X: s.xTrain,
        y: s.yTrain,
        ...(s.sampleWeight ? { sampleWeight: s.sampleWeight } : {}),
        randomState: seed,
        createModel: (m) => s.createModel(m),
      }),
    ];
    fitSeeds = [seed];
    samples = [null];
  }
  const M = models.length;
  let test: PredictionMatrix;
  let train: PredictionMatrix;
  let mode: ComputationMode;
  if (s.createPost !== null) {
    // Post-processing per estimator on its own training sample (SPEC §7.8): labels, label-only metrics.
    const nTe = s.xTest.nRows;
    const nTr = s.xTrain.nRows;
    const labelsTest = new Uint8Array(M * nTe);
    const labelsTrain = new Uint8Array(M * nTr);
    for (let m = 0; m < M; m++) {
      const scoresTrain = models[m].predictProba(s.xTrain);
      const scoresTest = models[m].predictProba(s.xTest);
      const post = s.createPost(fitSeeds[m]);
      const rows = samples[m];
      post.fit(scoresTrain, s.yTrain, s.protTrain, { seed: fitSeeds[m], ...(rows ? { rows } : {}) });
      labelsTest.set(post.predictLabels(scoresTest, s.protTest), m * nTe);
      labelsTrain.set(post.predictLabels(scoresTrain, s.protTrain), m * nTr);
    }
    test = { kind: 'labels', labels: labelsTest, nEstimators: M };
    train = { kind: 'labels', labels: labelsTrain, nEstimators: M };
    mode = ComputationMode.LabelOnly;
  } else {
    test = { kind: 'probabilities', p0: predictMatrix(models, s.xTest), nEstimators: M };
    train = { kind: 'probabilities', p0: predictMatrix(models, s.xTrain), nEstimators: M };
    mode = ctx.computationMode === 'bootstrap' ? ComputationMode.Bootstrap : ComputationMode.NoBootstrap;
  }
  const trainGroups = buildGroups(s.rawTrain, ctx.sensitiveAttributes);
  const testTable = computeMetrics({ y: split.yTest, groups: split.testGroups, predictions: test, mode });
  const trainTable = computeMetrics({ y: s.yTrain, groups: trainGroups, predictions: train, mode });
  return {
    testTable,
    trainTable,
    test: evaluateObjectives(testTable, task.objectives),
    train: evaluateObjectives(trainTable, task.objectives),
  };
}

function nonFinite(task: TaskMessage, e: ObjectiveEvaluation, objectives: readonly ObjectiveConfig[]): Error {
  const list = e.invalid.map((i) => `${i.objective} (${i.metric} on ${i.group}) = ${i.value}`).join('; ');
  return engineError(
    EngineErrorCode.NonFiniteObjective,
    `pipeline ${task.lpName} gave objectives that are not finite numbers on the test split: ${list || 'a constraint'}; ` +
      'the metric is undefined for this pipeline (e.g. a ratio over an empty rate), so it is recorded as failed',
    {
      invalid: e.invalid.map((i) => ({ ...i, value: String(i.value) })),
      objectives: objectives.map((o) => o.name),
    },
  );
}

function base(
  task: TaskMessage,
  workerId: string,
): Pick<
  ObservationMessage,
  | 'version'
  | 'taskId'
  | 'experiment'
  | 'runNum'
  | 'lpUuid'
  | 'lpName'
  | 'configuration'
  | 'seed'
  | 'attempt'
  | 'workerId'
> {
  return {
    version: MESSAGE_VERSION,
    taskId: task.taskId,
    experiment: task.experiment,
    runNum: task.runNum,
    lpUuid: task.lpUuid,
    lpName: task.lpName,
    configuration: task.configuration,
    seed: task.seed,
    attempt: task.attempt,
    workerId,
  };
}

/** A `failed` observation for a task (its details reduced to JSON data). */
export function failedObservation(
  task: TaskMessage,
  workerId: string,
  failure: SerializedFailure,
  elapsedSeconds: number,
  haltingFraction: number | null,
): ObservationMessage {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(JSON.stringify(failure.details ?? {})) as Record<string, unknown>;
  } catch {
    details = {};
  }
  return {
    ...base(task, workerId),
    status: 'failed',
    objectives: [],
    weighted: [],
    reversed: [],
    constraints: [],
    compoundQuality: null,
    haltingFraction,
    elapsedSeconds: Math.max(0, elapsedSeconds),
    failure: { code: failure.code, message: failure.message, retryable: failure.retryable, details },
    metrics: [],
  };
}

/**
 * A stand-in observation for orchestration benchmarks: waits `sleepMs`, then returns losses derived from a
 * hash of the configuration (deterministic, in [0, 1)).
 */
async function syntheticObservation(
  task: TaskMessage,
  workerId: string,
  synthetic: SyntheticPipeline,
  start: number,
): Promise<ObservationMessage> {
  if (synthetic.sleepMs > 0) await new Promise((r) => setTimeout(r, synthetic.sleepMs));
  const key = JSON.stringify(task.configuration);
  const losses = task.objectives.map((_o, i) => (hashString(`${key}#${i}`) % 10_000) / 10_000);
  const weighted = losses.map((l, i) => task.objectives[i].weight * l);
  const reversed = losses.map((l) => 1 - l);
  const constraints = task.objectives.flatMap((o, i) =>
    o.constraints.map((c) => {
      const v = 1 - losses[i];
      const x = c.on === 'abs' ? Math.abs(v) : v;
      return c.op === '>=' ? c.threshold - x : x - c.threshold;
    }),
  );
  return {
    ...base(task, workerId),
    status: 'ok',
    objectives: losses,
    weighted,
    reversed,
    constraints,
    compoundQuality: reversed.reduce((q, r, i) => q + task.objectives[i].weight * r, 0),
    haltingFraction: 1,
    elapsedSeconds: (performance.now() - start) / 1000,
    failure: null,
    metrics: [],
  };
}
