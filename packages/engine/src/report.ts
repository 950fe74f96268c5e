/**
 * What the CLI shows about a stored experiment, as plain JSON-able data (field names in snake_case: these
 * objects are an output format, printed as JSON or tables).
 *
 * - `getStatus`: progress of every run (state, completed, failed, budget, active seconds, task counts).
 * - `buildReport`: VirnyFlow's logical-pipeline table (components, completed, score, cost, best compound
 *   quality), the best physical pipeline of each logical pipeline with its hyper-parameters and its full
 *   metric table, the run's Pareto front, and every observation.
 *
 * Non-finite metric values (a rate over an empty group) are reported as null.
 */
import type {
  ExperimentStatus,
  ExperimentStore,
  JsonObject,
  ObservationRecord,
  TaskCounts,
} from '@virnyflow/store';
import { paretoFrontIndices } from '@virnyflow/optimizer';
import { EngineErrorCode, engineError } from './errors';

export interface RunStatus {
  readonly experiment: string;
  readonly run: number;
  readonly seed: number;
  readonly state: ExperimentStatus;
  /** Observations recorded (ok + failed). */
  readonly completed: number;
  readonly failed: number;
  /** Pipelines budget of the run (`max_total_pipelines_num`, else `max_trials` × logical pipelines). */
  readonly budget: number;
  /** Active seconds, accumulated across sessions. */
  readonly elapsed_s: number;
  readonly tasks: TaskCounts;
  readonly logical_pipelines: number;
  readonly best_compound_quality: number | null;
  readonly best_task_id: string | null;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly updated_at: string;
}

export interface ExperimentStatusReport {
  readonly experiment: string;
  readonly store: string;
  readonly runs: readonly RunStatus[];
}

export async function getStatus(store: ExperimentStore, experiment: string): Promise<ExperimentStatusReport> {
  const runs = await store.listExperiments(experiment);
  if (runs.length === 0) throw notFound(store, experiment);
  const out: RunStatus[] = [];
  for (const r of runs) {
    const key = { experiment, run: r.run };
    const [obs, tasks, lps] = await Promise.all([
      store.countObservations(key),
      store.countTasks(key),
      store.listLogicalPipelines(key),
    ]);
    out.push({
      experiment,
      run: r.run,
      seed: r.seed,
      state: r.status,
      completed: obs.total,
      failed: obs.failed,
      budget: budgetOf(r.config, lps.length),
      elapsed_s: r.activeSeconds,
      tasks,
      logical_pipelines: lps.length,
      best_compound_quality: r.bestCompoundQuality,
      best_task_id: r.bestTaskId,
      created_at: iso(r.createdAt),
      started_at: r.startedAt === null ? null : iso(r.startedAt),
      updated_at: iso(r.updatedAt),
    });
  }
  return { experiment, store: store.info.location, runs: out };
}

/** `max_total_pipelines_num`, else `max_trials` (default 1000) per logical pipeline, from the raw config. */
function budgetOf(config: JsonObject, numLps: number): number {
  const o = (config.optimisation_args ?? {}) as Record<string, unknown>;
  if (typeof o.max_total_pipelines_num === 'number') return o.max_total_pipelines_num;
  const maxTrials = typeof o.max_trials === 'number' ? o.max_trials : 1000;
  return maxTrials * numLps;
}

export interface ReportObjective {
  readonly name: string;
  readonly metric: string;
  readonly group: string;
  readonly weight: number;
}

export interface ReportLogicalPipeline {
  readonly uuid: string;
  readonly name: string;
  readonly null_imputation: string;
  readonly fairness_intervention: string;
  readonly model: string;
  readonly num_trials: number;
  readonly completed: number;
  readonly score: number;
  /** Mean execution time of its pipelines, seconds. */
  readonly cost: number;
  readonly best_compound_quality: number | null;
  readonly quality_mean: Record<string, number>;
  readonly quality_std: Record<string, number>;
  readonly surrogate_type: string | null;
  readonly acq_type: string | null;
  readonly acq_optimizer_type: string | null;
}

export interface ReportMetric {
  readonly metric: string;
  readonly group: string;
  readonly value: number | null;
}

export interface ReportObservation {
  readonly task_id: string;
  readonly sequence: number;
  readonly logical_pipeline: string;
  readonly lp_uuid: string;
  readonly status: 'ok' | 'failed';
  readonly hyperparameters: JsonObject;
  /** Raw losses per objective (lower is better), config order. */
  readonly objectives: (number | null)[];
  /** weight × loss: the optimizer's objective vector. */
  readonly weighted: (number | null)[];
  readonly reversed: (number | null)[];
  readonly constraints: (number | null)[];
  readonly compound_quality: number | null;
  readonly halting_fraction: number | null;
  readonly elapsed_s: number;
  readonly worker: string | null;
  readonly failure: { code: string; message: string } | null;
}

export interface ReportBestPipeline extends ReportObservation {
  /** The full metric tables: per group (`overall`, `<attr>_priv`, `<attr>_dis`) and disparities per key. */
  readonly metrics: { readonly test: ReportMetric[]; readonly train: ReportMetric[] };
}

export interface ExperimentReport {
  readonly experiment: string;
  readonly run: number;
  readonly seed: number;
  readonly state: ExperimentStatus;
  readonly store: string;
  readonly objectives: readonly ReportObjective[];
  readonly completed: number;
  readonly failed: number;
  readonly budget: number;
  readonly elapsed_s: number;
  readonly best_compound_quality: number | null;
  readonly best_task_id: string | null;
  readonly logical_pipelines: readonly ReportLogicalPipeline[];
  readonly best_per_logical_pipeline: readonly ReportBestPipeline[];
  /** Non-dominated feasible ok observations (weighted objectives, minimised), by first objective then sequence. */
  readonly pareto_front: readonly ReportObservation[];
  readonly observations: readonly ReportObservation[];
}

export async function buildReport(
  store: ExperimentStore,
  experiment: string,
  run: number,
): Promise<ExperimentReport> {
  const key = { experiment, run };
  const exp = await store.getExperiment(key);
  if (exp === null) throw notFound(store, experiment, run);
  const [lps, observations, bestPerLp] = await Promise.all([
    store.listLogicalPipelines(key),
    store.listObservations(key),
    store.bestObservationPerLogicalPipeline(key),
  ]);
  const lpOrder = new Map(lps.map((l, i) => [l.uuid, i]));
  const best: ReportBestPipeline[] = [];
  for (const o of [...bestPerLp].sort(
    (a, b) => (lpOrder.get(a.lpUuid) ?? 0) - (lpOrder.get(b.lpUuid) ?? 0),
  )) {
    const rows = await store.getMetrics(o.taskId);
    const pick = (split: 'test' | 'train'): ReportMetric[] =>
      rows
        .filter((r) => r.split === split)
        .map((r) => ({ metric: r.metric, group: r.group, value: Number.isFinite(r.value) ? r.value : null }));
    best.push({ ...toReportObservation(o), metrics: { test: pick('test'), train: pick('train') } });
  }
  const failed = observations.filter((o) => o.status === 'failed').length;
  return {
    experiment,
    run,
    seed: exp.seed,
    state: exp.status,
    store: store.info.location,
    objectives: objectivesOf(exp.config),
    completed: observations.length,
    failed,
    budget: budgetOf(exp.config, lps.length),
    elapsed_s: exp.activeSeconds,
    best_compound_quality: exp.bestCompoundQuality,
    best_task_id: exp.bestTaskId,
    logical_pipelines: lps.map((l) => {
      const s = l.stats as Record<string, unknown>;
      return {
        uuid: l.uuid,
        name: l.name,
        null_imputation: l.components.null_imputation,
        fairness_intervention: l.components.fairness_intervention,
        model: l.components.model,
        num_trials: l.numTrials,
        completed: l.numCompleted,
        score: typeof s.score === 'number' ? s.score : 0,
        cost: typeof s.executionCost === 'number' ? s.executionCost : 0,
        best_compound_quality: l.bestCompoundQuality,
        quality_mean: (s.qualityMean ?? {}) as Record<string, number>,
        quality_std: (s.qualityStd ?? {}) as Record<string, number>,
        surrogate_type: l.surrogateType,
        acq_type: l.acqType,
        acq_optimizer_type: l.acqOptimizerType,
      };
    }),
    best_per_logical_pipeline: best,
    pareto_front: paretoFront(observations).map(toReportObservation),
    observations: observations.map(toReportObservation),
  };
}

/** The run's Pareto front (see `ExperimentReport.pareto_front`); `exportBestPipeline` indexes into it. */
export function paretoFront(observations: readonly ObservationRecord[]): ObservationRecord[] {
  const ok = observations.filter(
    (o) =>
      o.status === 'ok' &&
      o.weighted.length > 0 &&
      o.weighted.every((v) => v !== null && Number.isFinite(v)) &&
      o.constraints.every((v) => v !== null && v <= 0),
  );
  if (ok.length === 0) return [];
  const M = ok[0].weighted.length;
  const pts = new Float64Array(ok.length * M);
  ok.forEach((o, i) => o.weighted.forEach((v, j) => (pts[i * M + j] = v as number)));
  const front = Array.from(paretoFrontIndices(pts, ok.length, M), (i) => ok[i]);
  return front.sort(
    (a, b) => (a.weighted[0] as number) - (b.weighted[0] as number) || a.sequence - b.sequence,
  );
}

function toReportObservation(o: ObservationRecord): ReportObservation {
  return {
    task_id: o.taskId,
    sequence: o.sequence,
    logical_pipeline: o.lpName,
    lp_uuid: o.lpUuid,
    status: o.status,
    hyperparameters: o.config,
    objectives: o.objectives,
    weighted: o.weighted,
    reversed: o.reversed,
    constraints: o.constraints,
    compound_quality: o.compoundQuality,
    halting_fraction: o.haltingFraction,
    elapsed_s: o.elapsedSeconds,
    worker: o.worker,
    failure: o.failure,
  };
}

function objectivesOf(config: JsonObject): ReportObjective[] {
  const o = (config.optimisation_args ?? {}) as Record<string, unknown>;
  const list = Array.isArray(o.objectives) ? (o.objectives as Record<string, unknown>[]) : [];
  return list.map((x) => ({
    name: String(x.name),
    metric: String(x.metric).trim(),
    group: String(x.group),
    weight: typeof x.weight === 'number' ? x.weight : 0.5,
  }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function notFound(store: ExperimentStore, experiment: string, run?: number): Error {
  return engineError(
    EngineErrorCode.NotFound,
    `experiment '${experiment}'${run === undefined ? '' : ` run ${run}`} is not in the store ${store.info.location}; ` +
      'check the name (common_args.exp_config_name) and the --store directory',
    { experiment, ...(run === undefined ? {} : { run }) },
  );
}
