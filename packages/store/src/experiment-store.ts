/**
 * The `ExperimentStore` port: everything the engine persists about an experiment, behind one async
 * interface with two adapters (embedded SQLite, MongoDB) that pass one conformance suite
 * (`@virnyflow/store/testing`).
 *
 * ## Keys
 * Every record belongs to one experiment run, keyed by `RunKey` = (`experiment` = the config's
 * `exp_config_name`, `run` = the `run_num`). Tasks and observations are in addition keyed globally by
 * `taskId`, the stable id the scheduler gives a physical pipeline; it is the idempotency key of the whole
 * task lifecycle (a redelivered task or a replayed observation never counts twice).
 *
 * ## Threading and writers
 * - An instance belongs to one process and one thread (the SQLite handle is not shareable across threads,
 *   the Mongo client is not transferable). Open one store per process; never pass it to a worker thread.
 * - Methods of one instance may be called concurrently from the same event loop. Each method is atomic on
 *   its own: a concurrent reader sees it fully applied or not at all. No method spans two calls; there are
 *   no multi-call transactions in the port.
 * - The design has a single writer (SPEC §13.12: only the coordinator side writes). The atomic methods
 *   (`transition*`, `updateBest`, `incrementTrials`, `addActiveSeconds`) are nevertheless correct with
 *   several writers: several processes may hold the same SQLite file (WAL; writers queue on a busy
 *   timeout) or the same Mongo database, and of two concurrent transitions from the same state exactly
 *   one wins.
 *
 * ## Idempotency
 * - `createExperiment`, `insertLogicalPipelines` and `insertTasks` insert what is absent and leave what
 *   exists untouched (the first write wins; a later call with different content does not overwrite it).
 * - `recordObservation` with a task id that already has an observation is a no-op returning
 *   `{ inserted: false }`: observation, metrics, task status and counts are unchanged.
 *
 * ## Commit point and derived state
 * `recordObservation` is the commit point of a task: observation, its metric rows and the task's final
 * status become visible together (SQLite: one transaction; Mongo: metrics first, then the observation as
 * the commit record, then the task status, which is repaired on the next connect if a crash interrupted
 * it). State derived from observations and written by later calls — logical-pipeline `stats`,
 * `numCompleted`, the run's best — can lag by the last observations after a crash; the engine rebuilds it on
 * resume by replaying `listObservations` in `sequence` order, which gives the same result as the
 * uninterrupted run because the statistics are pure running functions of that sequence.
 *
 * ## Values
 * - JSON fields (`config`, `stats`, objective arrays, `failure`) hold JSON values: objects, arrays,
 *   strings, finite numbers, booleans and null. They round-trip exactly (key order included). A non-finite
 *   number anywhere in them is rejected with `VF_STORE_INVALID_ARGUMENT` (JSON cannot hold it; store `null`
 *   for a value that could not be computed). Object keys with `undefined` values are dropped, as
 *   `JSON.stringify` does.
 * - Metric `value`s are plain numbers and may be NaN (a metric undefined for a group) or ±Infinity; both
 *   round-trip.
 * - Times are Unix epoch milliseconds taken from the store's clock (`StoreOptions.now`).
 *
 * ## Ownership
 * Returned records and arrays are fresh objects owned by the caller; the store keeps no reference to the
 * arguments after the returned promise settles.
 *
 * ## Errors (all `VirnyFlowError`, identify them by `code`, see `StoreErrorCode`)
 * - `VF_STORE_INVALID_ARGUMENT`: a malformed argument (unknown status, non-finite number, non-integer run,
 *   duplicate metric row); nothing was written.
 * - `VF_STORE_NOT_FOUND`: the run, logical pipeline or task named by a mutating method does not exist
 *   (lookups return `null` instead).
 * - `VF_STORE_CLOSED`: any call after `close()`.
 * - `VF_STORE_UNAVAILABLE` (retryable): the database server could not be reached (Mongo only).
 * - Opening: `VF_STORE_INVALID_SPEC`, `VF_STORE_OPEN_FAILED`, `VF_STORE_SCHEMA_TOO_NEW`.
 *
 * ## Indexes (both adapters), one per query the engine makes
 * | query                                              | index                                                    |
 * |----------------------------------------------------|----------------------------------------------------------|
 * | experiment by run key; runs of an experiment      | experiments (experiment, run) unique                     |
 * | LP by uuid (patch, increment)                      | logical_pipelines (experiment, run, uuid) unique         |
 * | LPs of a run in insertion order                    | logical_pipelines (experiment, run, sequence)            |
 * | task by id (insert, transition, record)            | tasks (taskId) unique                                    |
 * | tasks of a run by status in FIFO order; counts     | tasks (experiment, run, status, sequence)                |
 * | tasks of a run (any status) in order               | tasks (experiment, run, sequence)                        |
 * | tasks of one LP                                    | tasks (experiment, run, lpUuid, sequence)                |
 * | observation by task id (idempotency)               | observations (taskId) unique                             |
 * | observations of a run in replay order              | observations (experiment, run, sequence)                 |
 * | observations of one LP in replay order             | observations (experiment, run, lpUuid, sequence)         |
 * | observation counts by status                       | observations (experiment, run, status)                   |
 * | best observation per LP                            | observations (experiment, run, lpUuid, compoundQuality desc, sequence) |
 * | metric rows of a task                              | SQLite: observations (taskId) → metrics (observation, ord); Mongo: metrics (taskId, ord), unique (taskId, split, metric, group) |
 */

/** A JSON value as stored in the JSON fields of the store. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Identifies one experiment run: the config's `exp_config_name` and a `run_num`. */
export interface RunKey {
  readonly experiment: string;
  readonly run: number;
}

/** Life of an experiment run. `stopped` = interrupted and resumable; `completed`/`failed` are final by convention. */
export const ExperimentStatus = {
  Created: 'created',
  Running: 'running',
  Stopped: 'stopped',
  Completed: 'completed',
  Failed: 'failed',
} as const;
export type ExperimentStatus = (typeof ExperimentStatus)[keyof typeof ExperimentStatus];

/** Life of a task: `queued` (persisted, not yet started) → `running` (dispatched) → `done` | `failed`. */
export const TaskStatus = {
  Queued: 'queued',
  Running: 'running',
  Done: 'done',
  Failed: 'failed',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** An observation is `ok` (objectives computed) or `failed` (the pipeline threw; SPEC §13.6). */
export const ObservationStatus = {
  Ok: 'ok',
  Failed: 'failed',
} as const;
export type ObservationStatus = (typeof ObservationStatus)[keyof typeof ObservationStatus];

/** Which split a metric row was computed on (bootstrap metrics on test and on train; issue 6). */
export const MetricSplit = {
  Test: 'test',
  Train: 'train',
} as const;
export type MetricSplit = (typeof MetricSplit)[keyof typeof MetricSplit];

/** `experiments`: one record per run. */
export interface ExperimentRecord {
  experiment: string;
  run: number;
  /** The experiment config as loaded (raw JSON of the YAML). */
  config: JsonObject;
  status: ExperimentStatus;
  /** The run's seed (`100 + run_num` by default, SPEC §13.8). */
  seed: number;
  createdAt: number;
  /** When the run first entered `running`; set once, never overwritten. */
  startedAt: number | null;
  /** Active time accumulated across restarts, for `max_time_budget` (SPEC §13.7). */
  activeSeconds: number;
  /** Best compound quality of any observation of the run, or null before the first. */
  bestCompoundQuality: number | null;
  bestTaskId: string | null;
  updatedAt: number;
}

export interface NewExperiment {
  experiment: string;
  run: number;
  config: JsonObject;
  seed: number;
}

/** Stage variants of a logical pipeline (SPEC §2.5). */
export interface LogicalPipelineComponents {
  null_imputation: string;
  fairness_intervention: string;
  model: string;
}

/** `logical_pipelines`: one record per (run, logical pipeline). */
export interface LogicalPipelineRecord {
  experiment: string;
  run: number;
  /** base64 of the name (SPEC §2.5); unique within a run. */
  uuid: string;
  name: string;
  components: LogicalPipelineComponents;
  /** Cost-model state (score, means, stds, cost, …); owned by the optimizer, opaque to the store. */
  stats: JsonObject;
  /** Physical pipelines scheduled. */
  numTrials: number;
  /** Physical pipelines observed. */
  numCompleted: number;
  surrogateType: string | null;
  acqType: string | null;
  acqOptimizerType: string | null;
  bestCompoundQuality: number | null;
  /** Monotonic insertion order; `listLogicalPipelines` returns LPs in this order ("DB order", SPEC §3.3). */
  sequence: number;
}

export interface NewLogicalPipeline {
  experiment: string;
  run: number;
  uuid: string;
  name: string;
  components: LogicalPipelineComponents;
  /** Initial cost-model state; `{}` when omitted. */
  stats?: JsonObject;
}

/** Fields `updateLogicalPipeline` may set; absent fields are left as they are, `stats` is replaced whole. */
export interface LogicalPipelinePatch {
  stats?: JsonObject;
  numTrials?: number;
  numCompleted?: number;
  surrogateType?: string | null;
  acqType?: string | null;
  acqOptimizerType?: string | null;
  bestCompoundQuality?: number | null;
}

/** `tasks`: one record per physical pipeline to evaluate. */
export interface TaskRecord {
  taskId: string;
  experiment: string;
  run: number;
  lpUuid: string;
  lpName: string;
  /** The physical pipeline's hyper-parameters (flat, prefixed keys). */
  config: JsonObject;
  seed: number;
  status: TaskStatus;
  /** Times the task was dispatched (incremented by `transitionTask(…, { attemptsInc })`). */
  attempts: number;
  createdAt: number;
  updatedAt: number;
  /** Monotonic insertion order: the queue's FIFO order. */
  sequence: number;
}

export interface NewTask {
  taskId: string;
  experiment: string;
  run: number;
  lpUuid: string;
  lpName: string;
  config: JsonObject;
  seed: number;
}

/** Why an observation failed (a `SerializedFailure` without its details). */
export interface ObservationFailure {
  code: string;
  message: string;
}

/** `observations`: one record per evaluated task. */
export interface ObservationRecord {
  taskId: string;
  experiment: string;
  run: number;
  lpUuid: string;
  lpName: string;
  config: JsonObject;
  status: ObservationStatus;
  /** Raw losses, one per configured objective, in config order; null where not computed. */
  objectives: (number | null)[];
  /** `weight · loss` per objective. */
  weighted: (number | null)[];
  /** `1 − loss` per objective (the cost model's input, SPEC §3.2). */
  reversed: (number | null)[];
  /** Constraint values as given to the optimizer (SPEC §13.3). */
  constraints: (number | null)[];
  /** `Σ wᵢ·(1 − lossᵢ)`, null for a failed observation. */
  compoundQuality: number | null;
  /** Largest training fraction evaluated before halting, null if not applicable. */
  haltingFraction: number | null;
  elapsedSeconds: number;
  /** Who evaluated it (node/thread id), null if unknown. */
  worker: string | null;
  failure: ObservationFailure | null;
  /** Monotonic recording order: the order in which observations are replayed on resume. */
  sequence: number;
  createdAt: number;
}

export type NewObservation = Omit<ObservationRecord, 'sequence' | 'createdAt'>;

/** One metric value of an observation, long format (a Virny table cell). */
export interface MetricRow {
  split: MetricSplit;
  metric: string;
  /** `overall` or a group such as `SEX_priv`, `SEX&RAC1P_dis`. */
  group: string;
  value: number;
}

export interface MetricRecord extends MetricRow {
  taskId: string;
}

export type TaskCounts = Record<TaskStatus, number>;
export type ObservationCounts = Record<ObservationStatus, number> & { total: number };

export interface ListTasksOptions {
  /** One status or several; all statuses when omitted. */
  status?: TaskStatus | readonly TaskStatus[];
  lpUuid?: string;
  /** Only tasks with `sequence > afterSequence` (paging). */
  afterSequence?: number;
  limit?: number;
}

export interface ListObservationsOptions {
  lpUuid?: string;
  status?: ObservationStatus;
  /** Only observations with `sequence > afterSequence` (paging, incremental replay). */
  afterSequence?: number;
  limit?: number;
}

export interface TransitionTaskOptions {
  /** Added to `attempts` when the transition wins (1 when dispatching). Default 0. */
  attemptsInc?: number;
}

/** Where a store lives, for messages and `virnyflow status`; credentials are never included. */
export interface StoreInfo {
  kind: 'sqlite' | 'mongodb';
  /** SQLite: the database file path; Mongo: the URI with the password masked, and the database name. */
  location: string;
}

export interface ExperimentStore {
  readonly info: StoreInfo;

  // ---- experiments -------------------------------------------------------------------------------

  /**
   * Creates the run if absent (status `created`, `activeSeconds` 0, no best). If it exists, returns it
   * unchanged with `created: false`; the passed config is then ignored (resume uses the stored one).
   */
  createExperiment(init: NewExperiment): Promise<{ experiment: ExperimentRecord; created: boolean }>;

  getExperiment(key: RunKey): Promise<ExperimentRecord | null>;

  /** All runs, or the runs of one experiment, ordered by (experiment, run). */
  listExperiments(experiment?: string): Promise<ExperimentRecord[]>;

  /**
   * Atomic compare-and-set of the status: sets `to` iff the current status is in `from`, returning
   * whether it did. Entering `running` also sets `startedAt` if it was null.
   * Throws `VF_STORE_NOT_FOUND` if the run does not exist.
   */
  transitionExperiment(
    key: RunKey,
    from: readonly ExperimentStatus[],
    to: ExperimentStatus,
  ): Promise<boolean>;

  /** Atomically adds `seconds` (finite, ≥ 0) to `activeSeconds`; returns the new total. */
  addActiveSeconds(key: RunKey, seconds: number): Promise<number>;

  /**
   * Atomic compare-and-set of the run's best: sets (`quality`, `taskId`) iff there is no best yet or
   * `quality` is strictly greater. Returns whether it did. `quality` must be finite.
   */
  updateBest(key: RunKey, quality: number, taskId: string): Promise<boolean>;

  // ---- logical pipelines --------------------------------------------------------------------------

  /**
   * Inserts the logical pipelines that are absent (by run key + uuid), in the given order; existing ones are
   * left untouched. Returns how many were inserted. Counters start at 0, types at null, best at null.
   */
  insertLogicalPipelines(lps: readonly NewLogicalPipeline[]): Promise<number>;

  /** The run's logical pipelines in insertion order. */
  listLogicalPipelines(key: RunKey): Promise<LogicalPipelineRecord[]>;

  getLogicalPipeline(key: RunKey, uuid: string): Promise<LogicalPipelineRecord | null>;

  /** Sets the given fields atomically. Throws `VF_STORE_NOT_FOUND` if the LP does not exist. */
  updateLogicalPipeline(key: RunKey, uuid: string, patch: LogicalPipelinePatch): Promise<void>;

  /**
   * Atomically adds `k` (an integer, may be 0) to `numTrials` and returns the new value
   * (`$inc` semantics: concurrent increments never lose an update).
   */
  incrementTrials(key: RunKey, uuid: string, k: number): Promise<number>;

  // ---- tasks -------------------------------------------------------------------------------------

  /**
   * Inserts the tasks whose `taskId` is absent, in the given order, with status `queued`, 0 attempts and a
   * fresh `sequence`; tasks that exist are left untouched. Returns how many were inserted.
   */
  insertTasks(tasks: readonly NewTask[]): Promise<number>;

  getTask(taskId: string): Promise<TaskRecord | null>;

  /**
   * Atomic compare-and-set of a task's status: sets `to` (and adds `attemptsInc` to `attempts`) iff the
   * current status is in `from`. Returns whether it did; of concurrent calls from the same state exactly
   * one returns true. Throws `VF_STORE_NOT_FOUND` if the task does not exist.
   */
  transitionTask(
    taskId: string,
    from: readonly TaskStatus[],
    to: TaskStatus,
    options?: TransitionTaskOptions,
  ): Promise<boolean>;

  /** The run's tasks in `sequence` (FIFO) order, filtered. */
  listTasks(key: RunKey, options?: ListTasksOptions): Promise<TaskRecord[]>;

  /** Number of the run's tasks in each status (every status present, 0 when none). */
  countTasks(key: RunKey): Promise<TaskCounts>;

  // ---- observations and metrics -------------------------------------------------------------------

  /**
   * Records a task's observation and its metric rows and closes the task (`done` for `ok`, `failed` for
   * `failed`), as one commit (see "Commit point" above). Idempotent by `taskId`: if the task already has an
   * observation, nothing changes and `{ inserted: false }` is returned (the first recording wins).
   * Metric rows must be unique by (split, metric, group) and are returned by `getMetrics` in the given
   * order. Throws `VF_STORE_NOT_FOUND` if the task was never inserted, `VF_STORE_INVALID_ARGUMENT` for
   * malformed input or an observation whose run or `lpUuid` differ from its task's (nothing written).
   */
  recordObservation(obs: NewObservation, metrics: readonly MetricRow[]): Promise<{ inserted: boolean }>;

  getObservation(taskId: string): Promise<ObservationRecord | null>;

  /** The run's observations in `sequence` order — the replay order for resume. */
  listObservations(key: RunKey, options?: ListObservationsOptions): Promise<ObservationRecord[]>;

  /** Observation counts by status plus the total (the budget counter, SPEC §13.7). */
  countObservations(key: RunKey): Promise<ObservationCounts>;

  /**
   * Per logical pipeline, its `ok` observation with the highest `compoundQuality` (ties: the earliest by
   * `sequence`), ordered by `lpUuid`. LPs without an `ok` observation are absent.
   */
  bestObservationPerLogicalPipeline(key: RunKey): Promise<ObservationRecord[]>;

  /** The metric rows of a task's observation in recorded order; `[]` when none. */
  getMetrics(taskId: string): Promise<MetricRecord[]>;

  // ---- lifecycle ---------------------------------------------------------------------------------

  /**
   * Flushes and releases the handle. Idempotent. Awaits nothing in flight: callers await their own calls
   * first. Every later call throws `VF_STORE_CLOSED`.
   */
  close(): Promise<void>;
}

/** Options shared by both adapters. */
export interface StoreOptions {
  /** Clock for `createdAt`/`updatedAt`/`startedAt`, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}
