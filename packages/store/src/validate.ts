/**
 * Argument checks shared by both adapters, so that they accept and reject exactly the same inputs (the
 * conformance suite relies on it). Every check throws `VF_STORE_INVALID_ARGUMENT` naming the field, the
 * value and the fix, before anything is written.
 */
import { StoreErrorCode, storeError } from './errors';
import {
  ExperimentStatus,
  MetricSplit,
  ObservationStatus,
  TaskStatus,
  type JsonObject,
  type LogicalPipelinePatch,
  type MetricRow,
  type NewExperiment,
  type NewLogicalPipeline,
  type NewObservation,
  type NewTask,
  type RunKey,
} from './experiment-store';

const EXPERIMENT_STATUSES: ReadonlySet<string> = new Set(Object.values(ExperimentStatus));
const TASK_STATUSES: ReadonlySet<string> = new Set(Object.values(TaskStatus));
const OBSERVATION_STATUSES: ReadonlySet<string> = new Set(Object.values(ObservationStatus));
const METRIC_SPLITS: ReadonlySet<string> = new Set(Object.values(MetricSplit));

function invalid(field: string, value: unknown, fix: string): never {
  throw storeError(StoreErrorCode.InvalidArgument, `${field}: ${describe(value)} is not valid; ${fix}`, {
    field,
    value: describe(value),
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

export function checkString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(field, value, 'pass a non-empty string');
  return value;
}

export function checkNullableString(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') invalid(field, value, 'pass a string or null');
  return value;
}

export function checkInteger(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalid(field, value, `pass an integer >= ${min}`);
  }
  return value;
}

/** Any safe integer (seeds may be negative in user configs). */
export function checkSeed(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    invalid(field, value, 'pass an integer seed');
  return value;
}

export function checkFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(field, value, 'pass a finite number');
  return value;
}

export function checkNonNegativeFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(field, value, 'pass a finite number >= 0');
  }
  return value;
}

export function checkArray(value: unknown, field: string): void {
  if (!Array.isArray(value)) invalid(field, value, 'pass an array');
}

export function checkObservationStatus(value: unknown, field: string): ObservationStatus {
  if (typeof value !== 'string' || !OBSERVATION_STATUSES.has(value)) {
    invalid(field, value, `use one of ${[...OBSERVATION_STATUSES].join(', ')}`);
  }
  return value as ObservationStatus;
}

export function checkNullableFinite(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    invalid(field, value, 'pass a finite number, or null when there is no value');
  }
  return value;
}

export function checkKey(key: RunKey, field = 'key'): RunKey {
  if (typeof key !== 'object' || key === null) invalid(field, key, 'pass { experiment, run }');
  checkString(key.experiment, `${field}.experiment`);
  checkInteger(key.run, `${field}.run`);
  return key;
}

export function checkExperimentStatus(value: unknown, field: string): ExperimentStatus {
  if (typeof value !== 'string' || !EXPERIMENT_STATUSES.has(value)) {
    invalid(field, value, `use one of ${[...EXPERIMENT_STATUSES].join(', ')}`);
  }
  return value as ExperimentStatus;
}

export function checkTaskStatus(value: unknown, field: string): TaskStatus {
  if (typeof value !== 'string' || !TASK_STATUSES.has(value)) {
    invalid(field, value, `use one of ${[...TASK_STATUSES].join(', ')}`);
  }
  return value as TaskStatus;
}

export function checkStatusList<S extends string>(
  values: readonly S[],
  field: string,
  check: (v: unknown, f: string) => S,
): S[] {
  if (!Array.isArray(values)) invalid(field, values, 'pass an array of statuses');
  return values.map((v, i) => check(v, `${field}[${i}]`));
}

/**
 * Serialises a JSON field, rejecting what JSON cannot hold faithfully (non-finite numbers, bigints), so
 * both adapters store the same value. Returns the JSON text.
 */
export function encodeJson(value: unknown, field: string): string {
  let path = field;
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function (this: unknown, k: string, v: unknown) {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        path = k === '' ? field : `${field} (key ${JSON.stringify(k)})`;
        throw new RangeError('non-finite');
      }
      if (typeof v === 'bigint') {
        path = k === '' ? field : `${field} (key ${JSON.stringify(k)})`;
        throw new RangeError('bigint');
      }
      return v;
    });
  } catch (err) {
    if (err instanceof RangeError) {
      invalid(path, 'a non-finite number or bigint', 'store a finite number, or null for a missing value');
    }
    invalid(field, value, `pass a JSON value (${err instanceof Error ? err.message : String(err)})`);
  }
  if (text === undefined) invalid(field, value, 'pass a JSON value');
  return text;
}

/** Like `encodeJson` but the value must be a plain object. */
export function encodeJsonObject(value: unknown, field: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(field, value, 'pass a JSON object');
  }
  return encodeJson(value, field);
}

function encodeNumberArray(value: unknown, field: string): string {
  if (!Array.isArray(value)) invalid(field, value, 'pass an array of finite numbers or nulls');
  for (let i = 0; i < value.length; i++) checkNullableFinite(value[i], `${field}[${i}]`);
  return JSON.stringify(value);
}

export function checkNewExperiment(e: NewExperiment): { config: string } {
  checkKey(e, 'experiment');
  checkSeed(e.seed, 'experiment.seed');
  return { config: encodeJsonObject(e.config, 'experiment.config') };
}

export interface EncodedLogicalPipeline {
  components: string;
  stats: string;
}

export function checkNewLogicalPipeline(lp: NewLogicalPipeline, i: number): EncodedLogicalPipeline {
  const f = `logicalPipelines[${i}]`;
  checkKey(lp, f);
  checkString(lp.uuid, `${f}.uuid`);
  checkString(lp.name, `${f}.name`);
  const c = lp.components;
  if (typeof c !== 'object' || c === null)
    invalid(`${f}.components`, c, 'pass the three stage variant names');
  checkString(c.null_imputation, `${f}.components.null_imputation`);
  checkString(c.fairness_intervention, `${f}.components.fairness_intervention`);
  checkString(c.model, `${f}.components.model`);
  return {
    components: JSON.stringify({
      null_imputation: c.null_imputation,
      fairness_intervention: c.fairness_intervention,
      model: c.model,
    }),
    stats: encodeJsonObject(lp.stats ?? {}, `${f}.stats`),
  };
}

/** Checks a patch; returns the encoded stats when present. */
export function checkLogicalPipelinePatch(patch: LogicalPipelinePatch): { stats?: string } {
  if (typeof patch !== 'object' || patch === null) invalid('patch', patch, 'pass an object of fields to set');
  const known = new Set([
    'stats',
    'numTrials',
    'numCompleted',
    'surrogateType',
    'acqType',
    'acqOptimizerType',
    'bestCompoundQuality',
  ]);
  for (const k of Object.keys(patch)) {
    if (!known.has(k)) invalid(`patch.${k}`, k, `settable fields are ${[...known].join(', ')}`);
  }
  if (patch.numTrials !== undefined) checkInteger(patch.numTrials, 'patch.numTrials');
  if (patch.numCompleted !== undefined) checkInteger(patch.numCompleted, 'patch.numCompleted');
  if (patch.surrogateType !== undefined) checkNullableString(patch.surrogateType, 'patch.surrogateType');
  if (patch.acqType !== undefined) checkNullableString(patch.acqType, 'patch.acqType');
  if (patch.acqOptimizerType !== undefined)
    checkNullableString(patch.acqOptimizerType, 'patch.acqOptimizerType');
  if (patch.bestCompoundQuality !== undefined) {
    checkNullableFinite(patch.bestCompoundQuality, 'patch.bestCompoundQuality');
  }
  return patch.stats === undefined ? {} : { stats: encodeJsonObject(patch.stats, 'patch.stats') };
}

export function checkNewTask(t: NewTask, i: number): { config: string } {
  const f = `tasks[${i}]`;
  checkString(t.taskId, `${f}.taskId`);
  checkKey(t, f);
  checkString(t.lpUuid, `${f}.lpUuid`);
  checkString(t.lpName, `${f}.lpName`);
  checkSeed(t.seed, `${f}.seed`);
  return { config: encodeJsonObject(t.config, `${f}.config`) };
}

export interface EncodedObservation {
  config: string;
  objectives: string;
  weighted: string;
  reversed: string;
  constraints: string;
  failure: string | null;
}

export function checkNewObservation(o: NewObservation): EncodedObservation {
  checkString(o.taskId, 'observation.taskId');
  checkKey(o, 'observation');
  checkString(o.lpUuid, 'observation.lpUuid');
  checkString(o.lpName, 'observation.lpName');
  checkObservationStatus(o.status, 'observation.status');
  checkNullableFinite(o.compoundQuality, 'observation.compoundQuality');
  checkNullableFinite(o.haltingFraction, 'observation.haltingFraction');
  checkFinite(o.elapsedSeconds, 'observation.elapsedSeconds');
  checkNullableString(o.worker, 'observation.worker');
  let failure: string | null = null;
  if (o.failure !== null) {
    if (typeof o.failure !== 'object')
      invalid('observation.failure', o.failure, 'pass { code, message } or null');
    checkString(o.failure.code, 'observation.failure.code');
    if (typeof o.failure.message !== 'string') {
      invalid('observation.failure.message', o.failure.message, 'pass a string');
    }
    failure = JSON.stringify({ code: o.failure.code, message: o.failure.message });
  }
  return {
    config: encodeJsonObject(o.config, 'observation.config'),
    objectives: encodeNumberArray(o.objectives, 'observation.objectives'),
    weighted: encodeNumberArray(o.weighted, 'observation.weighted'),
    reversed: encodeNumberArray(o.reversed, 'observation.reversed'),
    constraints: encodeNumberArray(o.constraints, 'observation.constraints'),
    failure,
  };
}

/** Checks metric rows: known split, non-empty names, numeric value (NaN allowed), unique (split, metric, group). */
export function checkMetricRows(rows: readonly MetricRow[]): void {
  if (!Array.isArray(rows)) invalid('metrics', rows, 'pass an array of { split, metric, group, value }');
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (typeof r.split !== 'string' || !METRIC_SPLITS.has(r.split)) {
      invalid(`metrics[${i}].split`, r.split, `use one of ${[...METRIC_SPLITS].join(', ')}`);
    }
    checkString(r.metric, `metrics[${i}].metric`);
    checkString(r.group, `metrics[${i}].group`);
    if (typeof r.value !== 'number') invalid(`metrics[${i}].value`, r.value, 'pass a number (NaN allowed)');
    const k = `${r.split}\u0000${r.metric}\u0000${r.group}`;
    if (seen.has(k)) {
      invalid(
        `metrics[${i}]`,
        `${r.split}/${r.metric}/${r.group}`,
        'each (split, metric, group) may appear once per observation; drop the duplicate row',
      );
    }
    seen.add(k);
  }
}

/** Parses a JSON column written by `encodeJson*`. */
export function parseJsonObject(text: string): JsonObject {
  return JSON.parse(text) as JsonObject;
}

/** The observation must belong to the run and logical pipeline of its task. */
export function checkObservationMatchesTask(
  obs: NewObservation,
  task: { experiment: string; run: number; lpUuid: string },
): void {
  if (obs.experiment !== task.experiment || obs.run !== task.run || obs.lpUuid !== task.lpUuid) {
    throw storeError(
      StoreErrorCode.InvalidArgument,
      `observation of task ${JSON.stringify(obs.taskId)}: (experiment ${JSON.stringify(obs.experiment)}, run ` +
        `${obs.run}, lpUuid ${JSON.stringify(obs.lpUuid)}) differs from its task's ` +
        `(${JSON.stringify(task.experiment)}, ${task.run}, ${JSON.stringify(task.lpUuid)}); ` +
        "record the observation under its task's run and logical pipeline",
      { taskId: obs.taskId },
    );
  }
}
