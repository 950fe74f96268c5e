/**
 * Embedded `ExperimentStore` on SQLite (better-sqlite3): one file, `<dir>/virnyflow.sqlite`, per experiment
 * directory.
 *
 * Durability choice: WAL journal with `synchronous=NORMAL` by default. A commit is appended to the WAL
 * before the call returns, so a killed process (kill -9, OOM, Ctrl+C) loses nothing committed — the OS
 * still holds the written pages. Only a power loss or kernel crash can drop the last few commits (WAL is
 * fsynced at checkpoints, not at every commit); the file stays consistent, and because an observation and
 * its task status commit together, the dropped tasks are simply still open and run again on resume:
 * exactly-once holds, some work is repeated. `synchronous: 'FULL'` fsyncs every commit for machines that
 * must not repeat work after a power cut, at the cost measured in bench/store.bench.ts.
 *
 * better-sqlite3 is synchronous; the async methods complete their work before returning the promise.
 * Writes that read before they write run in `BEGIN IMMEDIATE` transactions, which take the write lock up
 * front: another process's commit can then never invalidate our read snapshot (SQLITE_BUSY_SNAPSHOT), and
 * waiting writers queue on the busy timeout instead of failing.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreErrorCode, storeError } from './errors';
import {
  type ExperimentStatus,
  TaskStatus,
  type ExperimentRecord,
  type ExperimentStore,
  type ListObservationsOptions,
  type ListTasksOptions,
  type LogicalPipelineComponents,
  type LogicalPipelinePatch,
  type LogicalPipelineRecord,
  type MetricRecord,
  type MetricRow,
  type NewExperiment,
  type NewLogicalPipeline,
  type NewObservation,
  type NewTask,
  type ObservationCounts,
  type ObservationFailure,
  type ObservationRecord,
  type ObservationStatus,
  type MetricSplit,
  type RunKey,
  type StoreInfo,
  type StoreOptions,
  type TaskCounts,
  type TaskRecord,
  type TransitionTaskOptions,
} from './experiment-store';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema';
import {
  checkArray,
  checkExperimentStatus,
  checkFinite,
  checkNonNegativeFinite,
  checkObservationMatchesTask,
  checkObservationStatus,
  checkInteger,
  checkKey,
  checkLogicalPipelinePatch,
  checkMetricRows,
  checkNewExperiment,
  checkNewLogicalPipeline,
  checkNewObservation,
  checkNewTask,
  checkStatusList,
  checkString,
  checkTaskStatus,
  parseJsonObject,
  type EncodedObservation,
} from './validate';

/** File name of the store inside an experiment directory. */
export const SQLITE_FILE_NAME = 'virnyflow.sqlite';

export const SqliteSynchronous = { Normal: 'NORMAL', Full: 'FULL' } as const;
export type SqliteSynchronous = (typeof SqliteSynchronous)[keyof typeof SqliteSynchronous];

export interface SqliteStoreOptions extends StoreOptions {
  /** `NORMAL` (default): survives process crashes; `FULL`: also survives power loss. See the file header. */
  synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before `VF_STORE_UNAVAILABLE`. Default 5000. */
  busyTimeoutMs?: number;
}

/** Opens (creating the directory, file and schema if needed) the store of an experiment directory. */
export async function openSqliteStore(
  dir: string,
  options: SqliteStoreOptions = {},
): Promise<SqliteExperimentStore> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw storeError(
      StoreErrorCode.InvalidSpec,
      `store directory: ${JSON.stringify(dir)} is empty; pass a path`,
    );
  }
  const synchronous = options.synchronous ?? SqliteSynchronous.Normal;
  if (synchronous !== 'NORMAL' && synchronous !== 'FULL') {
    throw storeError(
      StoreErrorCode.InvalidArgument,
      `synchronous: ${JSON.stringify(synchronous)} is not valid; use NORMAL or FULL`,
    );
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  checkInteger(busyTimeoutMs, 'busyTimeoutMs');
  const file = join(resolve(dir), SQLITE_FILE_NAME);
  let db: Database.Database;
  try {
    mkdirSync(resolve(dir), { recursive: true });
    db = new Database(file, { timeout: busyTimeoutMs });
  } catch (err) {
    throw storeError(
      StoreErrorCode.OpenFailed,
      `store directory ${dir}: cannot open ${file} (${errorText(err)}); check the path and its permissions`,
      { file },
      err,
    );
  }
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') {
      throw new Error(
        `journal_mode is ${String(mode)}, WAL is required (is the file on a network file system?)`,
      );
    }
    db.pragma(`synchronous = ${synchronous}`);
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('VF_')) {
      throw err;
    }
    throw storeError(
      StoreErrorCode.OpenFailed,
      `store file ${file} cannot be used (${errorText(err)}); point --store at a VirnyFlow experiment directory`,
      { file },
      err,
    );
  }
  return new SqliteExperimentStore(db, file, options.now ?? Date.now);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Brings the file to `SCHEMA_VERSION`, refusing files from a newer build. */
function migrate(db: Database.Database, file: string): void {
  db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_version (
         id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    );
    const row = db.prepare('SELECT version FROM schema_version WHERE id = 1').get() as
      { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw storeError(
        StoreErrorCode.SchemaTooNew,
        `store file ${file} has schema version ${current}, this build understands up to ${SCHEMA_VERSION}; ` +
          'upgrade VirnyFlow-TS to open it',
        { file, version: current, supported: SCHEMA_VERSION },
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    if (current < SCHEMA_VERSION) {
      db.prepare(
        `INSERT INTO schema_version (id, version, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
      ).run(SCHEMA_VERSION, Date.now());
    }
  }).immediate();
}

// ---- row shapes (snake_case columns) -----------------------------------------------------------------

interface ExperimentRow {
  experiment: string;
  run: number;
  config: string;
  status: string;
  seed: number;
  created_at: number;
  started_at: number | null;
  active_seconds: number;
  best_compound_quality: number | null;
  best_task_id: string | null;
  updated_at: number;
}

interface LogicalPipelineRow {
  sequence: number;
  experiment: string;
  run: number;
  uuid: string;
  name: string;
  components: string;
  stats: string;
  num_trials: number;
  num_completed: number;
  surrogate_type: string | null;
  acq_type: string | null;
  acq_optimizer_type: string | null;
  best_compound_quality: number | null;
}

interface TaskRow {
  sequence: number;
  task_id: string;
  experiment: string;
  run: number;
  lp_uuid: string;
  lp_name: string;
  config: string;
  seed: number;
  status: string;
  attempts: number;
  created_at: number;
  updated_at: number;
}

interface ObservationRow {
  sequence: number;
  task_id: string;
  experiment: string;
  run: number;
  lp_uuid: string;
  lp_name: string;
  config: string;
  status: string;
  objectives: string;
  weighted: string;
  reversed: string;
  constraints: string;
  compound_quality: number | null;
  halting_fraction: number | null;
  elapsed_seconds: number;
  worker: string | null;
  failure: string | null;
  created_at: number;
}

interface MetricDbRow {
  task_id: string;
  split: string;
  metric: string;
  grp: string;
  value: number | null;
}

function toExperiment(r: ExperimentRow): ExperimentRecord {
  return {
    experiment: r.experiment,
    run: r.run,
    config: parseJsonObject(r.config),
    status: r.status as ExperimentStatus,
    seed: r.seed,
    createdAt: r.created_at,
    startedAt: r.started_at,
    activeSeconds: r.active_seconds,
    bestCompoundQuality: r.best_compound_quality,
    bestTaskId: r.best_task_id,
    updatedAt: r.updated_at,
  };
}

function toLogicalPipeline(r: LogicalPipelineRow): LogicalPipelineRecord {
  return {
    experiment: r.experiment,
    run: r.run,
    uuid: r.uuid,
    name: r.name,
    components: JSON.parse(r.components) as LogicalPipelineComponents,
    stats: parseJsonObject(r.stats),
    numTrials: r.num_trials,
    numCompleted: r.num_completed,
    surrogateType: r.surrogate_type,
    acqType: r.acq_type,
    acqOptimizerType: r.acq_optimizer_type,
    bestCompoundQuality: r.best_compound_quality,
    sequence: r.sequence,
  };
}

function toTask(r: TaskRow): TaskRecord {
  return {
    taskId: r.task_id,
    experiment: r.experiment,
    run: r.run,
    lpUuid: r.lp_uuid,
    lpName: r.lp_name,
    config: parseJsonObject(r.config),
    seed: r.seed,
    status: r.status as TaskStatus,
    attempts: r.attempts,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sequence: r.sequence,
  };
}

function toObservation(r: ObservationRow): ObservationRecord {
  return {
    taskId: r.task_id,
    experiment: r.experiment,
    run: r.run,
    lpUuid: r.lp_uuid,
    lpName: r.lp_name,
    config: parseJsonObject(r.config),
    status: r.status as ObservationStatus,
    objectives: JSON.parse(r.objectives) as (number | null)[],
    weighted: JSON.parse(r.weighted) as (number | null)[],
    reversed: JSON.parse(r.reversed) as (number | null)[],
    constraints: JSON.parse(r.constraints) as (number | null)[],
    compoundQuality: r.compound_quality,
    haltingFraction: r.halting_fraction,
    elapsedSeconds: r.elapsed_seconds,
    worker: r.worker,
    failure: r.failure === null ? null : (JSON.parse(r.failure) as ObservationFailure),
    sequence: r.sequence,
    createdAt: r.created_at,
  };
}

function toMetric(r: MetricDbRow): MetricRecord {
  // SQLite stores NaN as NULL (REAL cannot hold it); the port promises NaN back.
  return {
    taskId: r.task_id,
    split: r.split as MetricSplit,
    metric: r.metric,
    group: r.grp,
    value: r.value ?? NaN,
  };
}

const PATCH_COLUMNS: Readonly<Record<keyof LogicalPipelinePatch, string>> = {
  stats: 'stats',
  numTrials: 'num_trials',
  numCompleted: 'num_completed',
  surrogateType: 'surrogate_type',
  acqType: 'acq_type',
  acqOptimizerType: 'acq_optimizer_type',
  bestCompoundQuality: 'best_compound_quality',
};

const RUN = 'experiment = @experiment AND run = @run';

/** Every fixed statement of the adapter (exported for the query-plan test). */
export const SQLITE_QUERIES = {
  insertExperiment: `INSERT INTO experiments (experiment, run, config, status, seed, created_at, updated_at)
       VALUES (@experiment, @run, @config, 'created', @seed, @now, @now) ON CONFLICT DO NOTHING`,
  getExperiment: `SELECT * FROM experiments WHERE ${RUN}`,
  listExperiments: 'SELECT * FROM experiments ORDER BY experiment, run',
  listExperimentsOf: 'SELECT * FROM experiments WHERE experiment = ? ORDER BY run',
  experimentExists: `SELECT 1 AS one FROM experiments WHERE ${RUN}`,
  transitionExperiment: `UPDATE experiments SET status = @to, updated_at = @now,
         started_at = CASE WHEN @to = 'running' THEN COALESCE(started_at, @now) ELSE started_at END
       WHERE ${RUN} AND status IN (SELECT value FROM json_each(@from))`,
  addActiveSeconds: `UPDATE experiments SET active_seconds = active_seconds + @seconds, updated_at = @now
       WHERE ${RUN} RETURNING active_seconds`,
  updateBest: `UPDATE experiments SET best_compound_quality = @quality, best_task_id = @taskId, updated_at = @now
       WHERE ${RUN} AND (best_compound_quality IS NULL OR best_compound_quality < @quality)`,
  insertLp: `INSERT INTO logical_pipelines (experiment, run, uuid, name, components, stats)
       VALUES (@experiment, @run, @uuid, @name, @components, @stats) ON CONFLICT DO NOTHING`,
  listLps: `SELECT * FROM logical_pipelines WHERE ${RUN} ORDER BY sequence`,
  getLp: `SELECT * FROM logical_pipelines WHERE ${RUN} AND uuid = @uuid`,
  incrementTrials: `UPDATE logical_pipelines SET num_trials = num_trials + @k WHERE ${RUN} AND uuid = @uuid
       RETURNING num_trials`,
  insertTask: `INSERT INTO tasks (task_id, experiment, run, lp_uuid, lp_name, config, seed, status, attempts,
                          created_at, updated_at)
       VALUES (@taskId, @experiment, @run, @lpUuid, @lpName, @config, @seed, 'queued', 0, @now, @now)
       ON CONFLICT DO NOTHING`,
  getTask: 'SELECT * FROM tasks WHERE task_id = ?',
  transitionTask: `UPDATE tasks SET status = @to, attempts = attempts + @inc, updated_at = @now
       WHERE task_id = @taskId AND status IN (SELECT value FROM json_each(@from))`,
  closeTask: 'UPDATE tasks SET status = @status, updated_at = @now WHERE task_id = @taskId',
  countTasks: `SELECT status, COUNT(*) AS n FROM tasks WHERE ${RUN} GROUP BY status`,
  observationExists: 'SELECT 1 AS one FROM observations WHERE task_id = ?',
  insertObservation: `INSERT INTO observations (task_id, experiment, run, lp_uuid, lp_name, config, status, objectives,
         weighted, reversed, constraints, compound_quality, halting_fraction, elapsed_seconds, worker,
         failure, created_at)
       VALUES (@taskId, @experiment, @run, @lpUuid, @lpName, @config, @status, @objectives, @weighted,
         @reversed, @constraints, @compoundQuality, @haltingFraction, @elapsedSeconds, @worker, @failure,
         @now)`,
  insertMetric: 'INSERT INTO metrics (observation, ord, split, metric, grp, value) VALUES (?, ?, ?, ?, ?, ?)',
  getObservation: 'SELECT * FROM observations WHERE task_id = ?',
  countObservations: `SELECT status, COUNT(*) AS n FROM observations WHERE ${RUN} GROUP BY status`,
  bestPerLp: `SELECT * FROM (
         SELECT o.*, ROW_NUMBER() OVER (PARTITION BY lp_uuid ORDER BY compound_quality DESC, sequence ASC) AS rn
         FROM observations o
         WHERE ${RUN} AND status = 'ok' AND compound_quality IS NOT NULL)
       WHERE rn = 1 ORDER BY lp_uuid`,
  getMetrics: `SELECT o.task_id, m.split, m.metric, m.grp, m.value
       FROM observations o JOIN metrics m ON m.observation = o.sequence
       WHERE o.task_id = ? ORDER BY m.ord`,
} as const;

/**
 * The list query for a filter shape (exported for the query-plan test). One status is an equality, so
 * that (experiment, run, status, sequence) yields the FIFO order without a sort; several go through
 * json_each.
 */
export function listQuery(
  table: 'tasks' | 'observations',
  status: 'none' | 'one' | 'many',
  byLp: boolean,
): string {
  const where = [RUN, 'sequence > @after'];
  if (status === 'one') where.push('status = @status');
  if (status === 'many') where.push('status IN (SELECT value FROM json_each(@status))');
  if (byLp) where.push('lp_uuid = @lpUuid');
  return `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY sequence LIMIT @limit`;
}

type Statements = Record<keyof typeof SQLITE_QUERIES, Database.Statement>;

function prepareStatements(db: Database.Database): Statements {
  const out: Partial<Statements> = {};
  for (const [name, sql] of Object.entries(SQLITE_QUERIES)) out[name as keyof Statements] = db.prepare(sql);
  return out as Statements;
}

export class SqliteExperimentStore implements ExperimentStore {
  readonly info: StoreInfo;
  private closed = false;
  private readonly s: Statements;
  /** `updateLogicalPipeline` statements by the set of patched columns. */
  private readonly patchStatements = new Map<string, Database.Statement>();
  /** List statements by filter shape. */
  private readonly listStatements = new Map<string, Database.Statement>();
  private readonly recordTx: Database.Transaction<
    (obs: NewObservation, enc: EncodedObservation, metrics: readonly MetricRow[]) => boolean
  >;

  /** Use `openSqliteStore`. */
  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly now: () => number,
  ) {
    this.info = { kind: 'sqlite', location: file };
    this.s = prepareStatements(db);

    this.recordTx = db.transaction(
      (obs: NewObservation, enc: EncodedObservation, metrics: readonly MetricRow[]) => {
        if (this.s.observationExists.get(obs.taskId) !== undefined) return false;
        const task = this.s.getTask.get(obs.taskId) as TaskRow | undefined;
        if (task === undefined) {
          throw storeError(
            StoreErrorCode.NotFound,
            `observation.taskId: task ${JSON.stringify(obs.taskId)} does not exist; insert the task before recording its observation`,
            { taskId: obs.taskId },
          );
        }
        checkObservationMatchesTask(obs, {
          experiment: task.experiment,
          run: task.run,
          lpUuid: task.lp_uuid,
        });
        const now = this.now();
        const sequence = this.s.insertObservation.run({
          taskId: obs.taskId,
          experiment: obs.experiment,
          run: obs.run,
          lpUuid: obs.lpUuid,
          lpName: obs.lpName,
          status: obs.status,
          compoundQuality: obs.compoundQuality,
          haltingFraction: obs.haltingFraction,
          elapsedSeconds: obs.elapsedSeconds,
          worker: obs.worker,
          ...enc,
          now,
        }).lastInsertRowid;
        const ins = this.s.insertMetric;
        for (let i = 0; i < metrics.length; i++) {
          const m = metrics[i];
          ins.run(sequence, i, m.split, m.metric, m.group, m.value);
        }
        this.s.closeTask.run({
          taskId: obs.taskId,
          status: obs.status === 'ok' ? TaskStatus.Done : TaskStatus.Failed,
          now,
        });
        return true;
      },
    );
  }

  private open(): void {
    if (this.closed) {
      throw storeError(StoreErrorCode.Closed, `store ${this.file} is closed; open it again with openStore`);
    }
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction, mapping lock time-outs to `VF_STORE_UNAVAILABLE`. */
  private write<T>(fn: () => T): T {
    this.open();
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw mapSqliteError(err, this.file);
    }
  }

  private read<T>(fn: () => T): T {
    this.open();
    try {
      return fn();
    } catch (err) {
      throw mapSqliteError(err, this.file);
    }
  }

  private notFoundRun(key: RunKey): never {
    throw storeError(
      StoreErrorCode.NotFound,
      `experiment ${JSON.stringify(key.experiment)} run ${key.run} does not exist; create it with createExperiment`,
      { experiment: key.experiment, run: key.run },
    );
  }

  // ---- experiments -------------------------------------------------------------------------------

  async createExperiment(init: NewExperiment): Promise<{ experiment: ExperimentRecord; created: boolean }> {
    const { config } = checkNewExperiment(init);
    return this.write(() => {
      const key = { experiment: init.experiment, run: init.run };
      const created =
        this.s.insertExperiment.run({ ...key, config, seed: init.seed, now: this.now() }).changes === 1;
      const row = this.s.getExperiment.get(key) as ExperimentRow;
      return { experiment: toExperiment(row), created };
    });
  }

  async getExperiment(key: RunKey): Promise<ExperimentRecord | null> {
    checkKey(key);
    return this.read(() => {
      const row = this.s.getExperiment.get({ experiment: key.experiment, run: key.run }) as
        ExperimentRow | undefined;
      return row === undefined ? null : toExperiment(row);
    });
  }

  async listExperiments(experiment?: string): Promise<ExperimentRecord[]> {
    if (experiment !== undefined) checkString(experiment, 'experiment');
    return this.read(() => {
      const rows = (
        experiment === undefined ? this.s.listExperiments.all() : this.s.listExperimentsOf.all(experiment)
      ) as ExperimentRow[];
      return rows.map(toExperiment);
    });
  }

  async transitionExperiment(
    key: RunKey,
    from: readonly ExperimentStatus[],
    to: ExperimentStatus,
  ): Promise<boolean> {
    checkKey(key);
    const fromList = checkStatusList(from, 'from', checkExperimentStatus);
    checkExperimentStatus(to, 'to');
    return this.write(() => {
      const k = { experiment: key.experiment, run: key.run };
      const changed =
        this.s.transitionExperiment.run({ ...k, to, from: JSON.stringify(fromList), now: this.now() })
          .changes === 1;
      if (!changed && this.s.experimentExists.get(k) === undefined) this.notFoundRun(key);
      return changed;
    });
  }

  async addActiveSeconds(key: RunKey, seconds: number): Promise<number> {
    checkKey(key);
    checkNonNegativeFinite(seconds, 'seconds');
    return this.write(() => {
      const row = this.s.addActiveSeconds.get({
        experiment: key.experiment,
        run: key.run,
        seconds,
        now: this.now(),
      }) as { active_seconds: number } | undefined;
      if (row === undefined) this.notFoundRun(key);
      return row.active_seconds;
    });
  }

  async updateBest(key: RunKey, quality: number, taskId: string): Promise<boolean> {
    checkKey(key);
    checkFinite(quality, 'quality');
    checkString(taskId, 'taskId');
    return this.write(() => {
      const k = { experiment: key.experiment, run: key.run };
      const changed = this.s.updateBest.run({ ...k, quality, taskId, now: this.now() }).changes === 1;
      if (!changed && this.s.experimentExists.get(k) === undefined) this.notFoundRun(key);
      return changed;
    });
  }

  // ---- logical pipelines --------------------------------------------------------------------------

  async insertLogicalPipelines(lps: readonly NewLogicalPipeline[]): Promise<number> {
    checkArray(lps, 'logicalPipelines');
    const encoded = lps.map((lp, i) => checkNewLogicalPipeline(lp, i));
    return this.write(() => {
      let inserted = 0;
      for (let i = 0; i < lps.length; i++) {
        const lp = lps[i];
        inserted += this.s.insertLp.run({
          experiment: lp.experiment,
          run: lp.run,
          uuid: lp.uuid,
          name: lp.name,
          ...encoded[i],
        }).changes;
      }
      return inserted;
    });
  }

  async listLogicalPipelines(key: RunKey): Promise<LogicalPipelineRecord[]> {
    checkKey(key);
    return this.read(() =>
      (this.s.listLps.all({ experiment: key.experiment, run: key.run }) as LogicalPipelineRow[]).map(
        toLogicalPipeline,
      ),
    );
  }

  async getLogicalPipeline(key: RunKey, uuid: string): Promise<LogicalPipelineRecord | null> {
    checkKey(key);
    checkString(uuid, 'uuid');
    return this.read(() => {
      const row = this.s.getLp.get({ experiment: key.experiment, run: key.run, uuid }) as
        LogicalPipelineRow | undefined;
      return row === undefined ? null : toLogicalPipeline(row);
    });
  }

  async updateLogicalPipeline(key: RunKey, uuid: string, patch: LogicalPipelinePatch): Promise<void> {
    checkKey(key);
    checkString(uuid, 'uuid');
    const enc = checkLogicalPipelinePatch(patch);
    const fields = (Object.keys(patch) as (keyof LogicalPipelinePatch)[]).filter(
      (f) => patch[f] !== undefined,
    );
    const params: Record<string, unknown> = { experiment: key.experiment, run: key.run, uuid };
    for (const f of fields) params[f] = f === 'stats' ? enc.stats : patch[f];
    this.write(() => {
      let changed: number;
      if (fields.length === 0) {
        changed = this.s.getLp.get(params) === undefined ? 0 : 1;
      } else {
        const sig = fields.join(',');
        let st = this.patchStatements.get(sig);
        if (st === undefined) {
          const set = fields.map((f) => `${PATCH_COLUMNS[f]} = @${f}`).join(', ');
          st = this.db.prepare(`UPDATE logical_pipelines SET ${set} WHERE ${RUN} AND uuid = @uuid`);
          this.patchStatements.set(sig, st);
        }
        changed = st.run(params).changes;
      }
      if (changed === 0) throw notFoundLp(key, uuid);
    });
  }

  async incrementTrials(key: RunKey, uuid: string, k: number): Promise<number> {
    checkKey(key);
    checkString(uuid, 'uuid');
    checkInteger(k, 'k', Number.MIN_SAFE_INTEGER);
    return this.write(() => {
      const row = this.s.incrementTrials.get({ experiment: key.experiment, run: key.run, uuid, k }) as
        { num_trials: number } | undefined;
      if (row === undefined) throw notFoundLp(key, uuid);
      return row.num_trials;
    });
  }

  // ---- tasks -------------------------------------------------------------------------------------

  async insertTasks(tasks: readonly NewTask[]): Promise<number> {
    checkArray(tasks, 'tasks');
    const encoded = tasks.map((t, i) => checkNewTask(t, i));
    return this.write(() => {
      const now = this.now();
      let inserted = 0;
      for (let i = 0; i < tasks.length; i++) {
        const t = tasks[i];
        inserted += this.s.insertTask.run({
          taskId: t.taskId,
          experiment: t.experiment,
          run: t.run,
          lpUuid: t.lpUuid,
          lpName: t.lpName,
          seed: t.seed,
          config: encoded[i].config,
          now,
        }).changes;
      }
      return inserted;
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    checkString(taskId, 'taskId');
    return this.read(() => {
      const row = this.s.getTask.get(taskId) as TaskRow | undefined;
      return row === undefined ? null : toTask(row);
    });
  }

  async transitionTask(
    taskId: string,
    from: readonly TaskStatus[],
    to: TaskStatus,
    options: TransitionTaskOptions = {},
  ): Promise<boolean> {
    checkString(taskId, 'taskId');
    const fromList = checkStatusList(from, 'from', checkTaskStatus);
    checkTaskStatus(to, 'to');
    const inc = checkInteger(options.attemptsInc ?? 0, 'attemptsInc');
    return this.write(() => {
      const changed =
        this.s.transitionTask.run({ taskId, to, inc, from: JSON.stringify(fromList), now: this.now() })
          .changes === 1;
      if (!changed && this.s.getTask.get(taskId) === undefined) throw notFoundTask(taskId);
      return changed;
    });
  }

  async listTasks(key: RunKey, options: ListTasksOptions = {}): Promise<TaskRecord[]> {
    checkKey(key);
    const status =
      options.status === undefined
        ? undefined
        : checkStatusList(
            typeof options.status === 'string' ? [options.status] : options.status,
            'status',
            checkTaskStatus,
          );
    if (options.lpUuid !== undefined) checkString(options.lpUuid, 'lpUuid');
    const after = options.afterSequence ?? -1;
    checkInteger(after, 'afterSequence', -1);
    const limit = options.limit ?? -1;
    checkInteger(limit, 'limit', -1);
    return this.read(() => {
      const shape = status === undefined ? 'none' : status.length === 1 ? 'one' : 'many';
      const st = this.listStatement('tasks', shape, options.lpUuid !== undefined);
      const rows = st.all({
        experiment: key.experiment,
        run: key.run,
        status: shape === 'one' ? status?.[0] : JSON.stringify(status ?? []),
        lpUuid: options.lpUuid ?? null,
        after,
        limit,
      }) as TaskRow[];
      return rows.map(toTask);
    });
  }

  private listStatement(
    table: 'tasks' | 'observations',
    status: 'none' | 'one' | 'many',
    byLp: boolean,
  ): Database.Statement {
    const sig = `${table}:${status}:${byLp}`;
    let st = this.listStatements.get(sig);
    if (st === undefined) {
      st = this.db.prepare(listQuery(table, status, byLp));
      this.listStatements.set(sig, st);
    }
    return st;
  }

  async countTasks(key: RunKey): Promise<TaskCounts> {
    checkKey(key);
    return this.read(() => {
      const counts: TaskCounts = { queued: 0, running: 0, done: 0, failed: 0 };
      for (const r of this.s.countTasks.all({ experiment: key.experiment, run: key.run }) as {
        status: TaskStatus;
        n: number;
      }[]) {
        counts[r.status] = r.n;
      }
      return counts;
    });
  }

  // ---- observations and metrics -------------------------------------------------------------------

  async recordObservation(
    obs: NewObservation,
    metrics: readonly MetricRow[],
  ): Promise<{ inserted: boolean }> {
    // Validate everything before the transaction so that a malformed call writes nothing.
    const enc = checkNewObservation(obs);
    checkMetricRows(metrics);
    this.open();
    try {
      return { inserted: this.recordTx.immediate(obs, enc, metrics) };
    } catch (err) {
      throw mapSqliteError(err, this.file);
    }
  }

  async getObservation(taskId: string): Promise<ObservationRecord | null> {
    checkString(taskId, 'taskId');
    return this.read(() => {
      const row = this.s.getObservation.get(taskId) as ObservationRow | undefined;
      return row === undefined ? null : toObservation(row);
    });
  }

  async listObservations(key: RunKey, options: ListObservationsOptions = {}): Promise<ObservationRecord[]> {
    checkKey(key);
    if (options.lpUuid !== undefined) checkString(options.lpUuid, 'lpUuid');
    if (options.status !== undefined) checkObservationStatus(options.status, 'status');
    const after = options.afterSequence ?? -1;
    checkInteger(after, 'afterSequence', -1);
    const limit = options.limit ?? -1;
    checkInteger(limit, 'limit', -1);
    return this.read(() => {
      const st = this.listStatement(
        'observations',
        options.status !== undefined ? 'one' : 'none',
        options.lpUuid !== undefined,
      );
      const rows = st.all({
        experiment: key.experiment,
        run: key.run,
        status: options.status ?? null,
        lpUuid: options.lpUuid ?? null,
        after,
        limit,
      }) as ObservationRow[];
      return rows.map(toObservation);
    });
  }

  async countObservations(key: RunKey): Promise<ObservationCounts> {
    checkKey(key);
    return this.read(() => {
      const counts: ObservationCounts = { ok: 0, failed: 0, total: 0 };
      for (const r of this.s.countObservations.all({ experiment: key.experiment, run: key.run }) as {
        status: ObservationStatus;
        n: number;
      }[]) {
        counts[r.status] = r.n;
        counts.total += r.n;
      }
      return counts;
    });
  }

  async bestObservationPerLogicalPipeline(key: RunKey): Promise<ObservationRecord[]> {
    checkKey(key);
    return this.read(() =>
      (this.s.bestPerLp.all({ experiment: key.experiment, run: key.run }) as ObservationRow[]).map(
        toObservation,
      ),
    );
  }

  async getMetrics(taskId: string): Promise<MetricRecord[]> {
    checkString(taskId, 'taskId');
    return this.read(() => (this.s.getMetrics.all(taskId) as MetricDbRow[]).map(toMetric));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function notFoundLp(key: RunKey, uuid: string): Error {
  return storeError(
    StoreErrorCode.NotFound,
    `logical pipeline ${JSON.stringify(uuid)} of experiment ${JSON.stringify(key.experiment)} run ${key.run} ` +
      'does not exist; insert it with insertLogicalPipelines',
    { experiment: key.experiment, run: key.run, uuid },
  );
}

function notFoundTask(taskId: string): Error {
  return storeError(
    StoreErrorCode.NotFound,
    `task ${JSON.stringify(taskId)} does not exist; insert it with insertTasks`,
    { taskId },
  );
}

function mapSqliteError(err: unknown, file: string): unknown {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return storeError(
      StoreErrorCode.Unavailable,
      `store file ${file} stayed locked by another process beyond the busy timeout; retry, or raise busyTimeoutMs`,
      { file, sqliteCode: code },
      err,
    );
  }
  return err;
}
