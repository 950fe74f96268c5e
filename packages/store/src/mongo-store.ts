/**
 * `ExperimentStore` on MongoDB with the official driver. Collections: experiments, logical_pipelines, tasks,
 * observations, metrics, plus `counters` (sequence numbers) and `meta` (schema version). Field names are
 * the port's camelCase names; times are BSON dates; nested JSON is stored as sub-documents.
 *
 * Idempotency comes from unique indexes (taskId, run key + uuid, …) with inserts that ignore duplicate
 * keys (E11000) or upserts with `$setOnInsert`; atomic transitions are single-document updates filtered on
 * the current status. No multi-document transactions are used, so a standalone server works.
 *
 * `recordObservation` without transactions — why it is crash-safe (single writer, SPEC §13.12):
 *   1. if the observation exists → no-op (after making sure the task is closed, see 5);
 *   2. delete any metric rows of the task (leftovers of an attempt that died before step 4), insert the rows;
 *   3. take a sequence number;
 *   4. insert the observation (unique taskId). This is the commit record: an observation is visible only
 *      once all its metric rows are, so readers never see a partial observation;
 *   5. mark the task done/failed.
 * A crash before 4 leaves the task open with possibly some metric rows: the task is run again on resume and
 * step 2 replaces them. A crash between 4 and 5 leaves a recorded observation with an open task: every
 * connect repairs such tasks (`repairOpenTasks`) and a repeated call closes it in step 1. Sequence numbers
 * taken in 3 and never used leave gaps, which the port allows (monotonic, not dense).
 *
 * Durability is the connection string's write concern (`w`, `journal`); servers ≥ 5.0 default to
 * `w: majority` on replica sets. Add `?w=majority&journal=true` for crash durability on a standalone server.
 */
import {
  MongoBulkWriteError,
  MongoClient,
  MongoNetworkError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  type Collection,
  type Db,
  type Document,
  type Filter,
  type MongoClientOptions,
} from 'mongodb';
import { StoreErrorCode, storeError } from './errors';
import {
  TaskStatus,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentStore,
  type JsonObject,
  type ListObservationsOptions,
  type ListTasksOptions,
  type LogicalPipelinePatch,
  type LogicalPipelineRecord,
  type MetricRecord,
  type MetricRow,
  type NewExperiment,
  type NewLogicalPipeline,
  type NewObservation,
  type NewTask,
  type ObservationCounts,
  type ObservationRecord,
  type ObservationStatus,
  type RunKey,
  type StoreInfo,
  type StoreOptions,
  type TaskCounts,
  type TaskRecord,
  type TransitionTaskOptions,
} from './experiment-store';
import { DEFAULT_MONGO_DATABASE, databaseFromMongoUri, isMongoUri, redactMongoUri } from './mongo-uri';
import {
  checkArray,
  checkExperimentStatus,
  checkFinite,
  checkInteger,
  checkKey,
  checkLogicalPipelinePatch,
  checkMetricRows,
  checkNewExperiment,
  checkNewLogicalPipeline,
  checkNewObservation,
  checkNewTask,
  checkNonNegativeFinite,
  checkObservationMatchesTask,
  checkObservationStatus,
  checkStatusList,
  checkString,
  checkTaskStatus,
  parseJsonObject,
} from './validate';

/** Version of the document layout; stored in `meta`, checked on connect like the SQLite schema version. */
export const MONGO_SCHEMA_VERSION = 1;

export interface MongoStoreOptions extends StoreOptions {
  /** Database name; overrides the URI's path. */
  database?: string;
  /** How long to look for a server before `VF_STORE_UNAVAILABLE`. Default 10 000 ms. */
  serverSelectionTimeoutMS?: number;
  /** Extra driver options (TLS files, pool sizes, …). */
  clientOptions?: MongoClientOptions;
}

const DUPLICATE_KEY = 11000;

const INDEXES: Readonly<Record<string, readonly { key: Document; unique?: boolean; name: string }[]>> = {
  experiments: [{ key: { experiment: 1, run: 1 }, unique: true, name: 'run_key' }],
  logical_pipelines: [
    { key: { experiment: 1, run: 1, uuid: 1 }, unique: true, name: 'lp_key' },
    { key: { experiment: 1, run: 1, sequence: 1 }, name: 'by_run' },
  ],
  tasks: [
    { key: { taskId: 1 }, unique: true, name: 'task_id' },
    { key: { experiment: 1, run: 1, sequence: 1 }, name: 'by_run' },
    { key: { experiment: 1, run: 1, status: 1, sequence: 1 }, name: 'by_status' },
    { key: { experiment: 1, run: 1, lpUuid: 1, sequence: 1 }, name: 'by_lp' },
    // repairOpenTasks scans open tasks across runs.
    { key: { status: 1 }, name: 'status' },
  ],
  observations: [
    { key: { taskId: 1 }, unique: true, name: 'task_id' },
    { key: { experiment: 1, run: 1, sequence: 1 }, name: 'by_run' },
    { key: { experiment: 1, run: 1, lpUuid: 1, sequence: 1 }, name: 'by_lp' },
    { key: { experiment: 1, run: 1, status: 1 }, name: 'by_status' },
    { key: { experiment: 1, run: 1, lpUuid: 1, compoundQuality: -1, sequence: 1 }, name: 'best' },
  ],
  metrics: [
    { key: { taskId: 1, split: 1, metric: 1, group: 1 }, unique: true, name: 'metric_key' },
    { key: { taskId: 1, ord: 1 }, name: 'by_task' },
  ],
};

/** Connects, checks the schema version, creates the indexes and repairs tasks left open by a crash. */
export async function openMongoStore(
  uri: string,
  options: MongoStoreOptions = {},
): Promise<MongoExperimentStore> {
  if (typeof uri !== 'string' || !isMongoUri(uri)) {
    throw storeError(
      StoreErrorCode.InvalidSpec,
      `store URI ${JSON.stringify(typeof uri === 'string' ? redactMongoUri(uri) : uri)} is not a MongoDB ` +
        'connection string; use mongodb://host[:port]/database or mongodb+srv://…',
    );
  }
  const location = redactMongoUri(uri);
  let database: string;
  try {
    database = options.database ?? databaseFromMongoUri(uri) ?? DEFAULT_MONGO_DATABASE;
  } catch (err) {
    throw storeError(StoreErrorCode.InvalidSpec, `store URI ${location}: bad database path (${String(err)})`);
  }
  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
      ...options.clientOptions,
    });
  } catch (err) {
    throw storeError(
      err instanceof MongoParseError ? StoreErrorCode.InvalidSpec : StoreErrorCode.OpenFailed,
      `store URI ${location}: ${err instanceof Error ? err.message : String(err)}; fix the connection string`,
      { location },
      err,
    );
  }
  try {
    await client.connect();
    const db = client.db(database);
    await checkSchema(db, `${location} (database ${database})`);
    for (const [name, specs] of Object.entries(INDEXES)) {
      await db.collection(name).createIndexes(specs.map((s) => ({ ...s })));
    }
    const store = new MongoExperimentStore(
      client,
      db,
      { kind: 'mongodb', location: `${location} (database ${database})` },
      options.now ?? Date.now,
    );
    await store.repairOpenTasks();
    return store;
  } catch (err) {
    await client.close().catch(() => undefined);
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('VF_')) {
      throw err;
    }
    throw mapMongoError(err, location, StoreErrorCode.OpenFailed);
  }
}

async function checkSchema(db: Db, where: string): Promise<void> {
  const meta = db.collection<{ _id: string; version: number }>('meta');
  const doc = await meta.findOne({ _id: 'schema' });
  if (doc !== null && doc.version > MONGO_SCHEMA_VERSION) {
    throw storeError(
      StoreErrorCode.SchemaTooNew,
      `store ${where} has schema version ${doc.version}, this build understands up to ${MONGO_SCHEMA_VERSION}; ` +
        'upgrade VirnyFlow-TS to open it',
      { version: doc.version, supported: MONGO_SCHEMA_VERSION },
    );
  }
  if (doc === null || doc.version < MONGO_SCHEMA_VERSION) {
    // $max: never lowers a version another (newer) process wrote concurrently. Two first-ever upserts
    // race on _id; the loser's duplicate-key error means the document now exists, which is all we need.
    try {
      await meta.updateOne({ _id: 'schema' }, { $max: { version: MONGO_SCHEMA_VERSION } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
}

function mapMongoError(
  err: unknown,
  location: string,
  fallback: StoreErrorCode = StoreErrorCode.OpenFailed,
): unknown {
  if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
    return storeError(
      StoreErrorCode.Unavailable,
      `store ${location}: cannot reach the MongoDB server (${err.message}); check that it runs and the URI's hosts`,
      { location },
      err,
    );
  }
  if (err instanceof MongoServerError && (err.code === 18 || err.code === 13)) {
    return storeError(
      StoreErrorCode.OpenFailed,
      `store ${location}: ${err.message}; check the user, password and its roles on the database`,
      { location },
      err,
    );
  }
  if (fallback === StoreErrorCode.OpenFailed && !(err instanceof MongoServerError)) {
    return storeError(StoreErrorCode.OpenFailed, `store ${location}: ${String(err)}`, { location }, err);
  }
  return err;
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

/** `insertMany` that skips documents whose unique key exists; returns how many were inserted. */
async function insertManyIgnoringDuplicates(coll: Collection, docs: Document[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await coll.insertMany(docs, { ordered: false })).insertedCount;
  } catch (err) {
    if (err instanceof MongoBulkWriteError && err.writeConcernError === undefined) {
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.every((e) => e.code === DUPLICATE_KEY)) return err.insertedCount;
    }
    throw err;
  }
}

const date = (ms: number): Date => new Date(ms);
const ms = (d: unknown): number => (d instanceof Date ? d.getTime() : (d as number));
const msOrNull = (d: unknown): number | null => (d === null || d === undefined ? null : ms(d));

function toExperiment(d: Document): ExperimentRecord {
  return {
    experiment: d.experiment,
    run: d.run,
    config: d.config,
    status: d.status,
    seed: d.seed,
    createdAt: ms(d.createdAt),
    startedAt: msOrNull(d.startedAt),
    activeSeconds: d.activeSeconds,
    bestCompoundQuality: d.bestCompoundQuality ?? null,
    bestTaskId: d.bestTaskId ?? null,
    updatedAt: ms(d.updatedAt),
  };
}

function toLogicalPipeline(d: Document): LogicalPipelineRecord {
  return {
    experiment: d.experiment,
    run: d.run,
    uuid: d.uuid,
    name: d.name,
    components: d.components,
    stats: d.stats,
    numTrials: d.numTrials,
    numCompleted: d.numCompleted,
    surrogateType: d.surrogateType ?? null,
    acqType: d.acqType ?? null,
    acqOptimizerType: d.acqOptimizerType ?? null,
    bestCompoundQuality: d.bestCompoundQuality ?? null,
    sequence: d.sequence,
  };
}

function toTask(d: Document): TaskRecord {
  return {
    taskId: d.taskId,
    experiment: d.experiment,
    run: d.run,
    lpUuid: d.lpUuid,
    lpName: d.lpName,
    config: d.config,
    seed: d.seed,
    status: d.status,
    attempts: d.attempts,
    createdAt: ms(d.createdAt),
    updatedAt: ms(d.updatedAt),
    sequence: d.sequence,
  };
}

function toObservation(d: Document): ObservationRecord {
  return {
    taskId: d.taskId,
    experiment: d.experiment,
    run: d.run,
    lpUuid: d.lpUuid,
    lpName: d.lpName,
    config: d.config,
    status: d.status,
    objectives: d.objectives,
    weighted: d.weighted,
    reversed: d.reversed,
    constraints: d.constraints,
    compoundQuality: d.compoundQuality ?? null,
    haltingFraction: d.haltingFraction ?? null,
    elapsedSeconds: d.elapsedSeconds,
    worker: d.worker ?? null,
    failure: d.failure ?? null,
    sequence: d.sequence,
    createdAt: ms(d.createdAt),
  };
}

const NO_ID = { projection: { _id: 0 } } as const;

export class MongoExperimentStore implements ExperimentStore {
  private closed = false;
  private readonly experiments: Collection;
  private readonly lps: Collection;
  private readonly tasks: Collection;
  private readonly observations: Collection;
  private readonly metrics: Collection;
  private readonly counters: Collection<{ _id: string; value: number }>;
  /** In-flight `recordObservation` per task id: calls for one task run one after the other. */
  private readonly recording = new Map<string, Promise<unknown>>();

  /** Use `openMongoStore`. */
  constructor(
    private readonly client: MongoClient,
    db: Db,
    readonly info: StoreInfo,
    private readonly now: () => number,
  ) {
    this.experiments = db.collection('experiments');
    this.lps = db.collection('logical_pipelines');
    this.tasks = db.collection('tasks');
    this.observations = db.collection('observations');
    this.metrics = db.collection('metrics');
    this.counters = db.collection('counters');
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) {
      throw storeError(
        StoreErrorCode.Closed,
        `store ${this.info.location} is closed; open it again with openStore`,
      );
    }
    try {
      return await fn();
    } catch (err) {
      throw mapMongoError(err, this.info.location, StoreErrorCode.Unavailable);
    }
  }

  /** Reserves `k` consecutive sequence numbers of a collection; returns the first. */
  private async reserve(name: string, k: number): Promise<number> {
    const inc = (): Promise<{ value: number } | null> =>
      this.counters.findOneAndUpdate(
        { _id: name },
        { $inc: { value: k } },
        { upsert: true, returnDocument: 'after' },
      );
    let doc: { value: number } | null;
    try {
      doc = await inc();
    } catch (err) {
      // Two first-ever upserts of the counter race on _id; the second one retried is a plain $inc.
      if (!isDuplicateKey(err)) throw err;
      doc = await inc();
    }
    return (doc as { value: number }).value - k + 1;
  }

  /**
   * Closes tasks whose observation was committed but whose status update was lost to a crash
   * (step 5 of recordObservation). Called on connect.
   */
  async repairOpenTasks(): Promise<number> {
    let repaired = 0;
    const open = this.tasks.find(
      { status: { $in: [TaskStatus.Queued, TaskStatus.Running] } },
      {
        projection: { _id: 0, taskId: 1 },
      },
    );
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      const done = await this.observations
        .find({ taskId: { $in: batch } }, { projection: { _id: 0, taskId: 1, status: 1 } })
        .toArray();
      for (const o of done) repaired += await this.closeTask(o.taskId, o.status);
      batch = [];
    };
    for await (const t of open) {
      batch.push(t.taskId);
      if (batch.length === 1000) await flush();
    }
    if (batch.length > 0) await flush();
    return repaired;
  }

  private async closeTask(taskId: string, obsStatus: ObservationStatus): Promise<number> {
    const status = obsStatus === 'ok' ? TaskStatus.Done : TaskStatus.Failed;
    const r = await this.tasks.updateOne(
      { taskId, status: { $ne: status } },
      { $set: { status, updatedAt: date(this.now()) } },
    );
    return r.modifiedCount;
  }

  private notFoundRun(key: RunKey): never {
    throw storeError(
      StoreErrorCode.NotFound,
      `experiment ${JSON.stringify(key.experiment)} run ${key.run} does not exist; create it with createExperiment`,
      { experiment: key.experiment, run: key.run },
    );
  }

  private notFoundLp(key: RunKey, uuid: string): never {
    throw storeError(
      StoreErrorCode.NotFound,
      `logical pipeline ${JSON.stringify(uuid)} of experiment ${JSON.stringify(key.experiment)} run ${key.run} ` +
        'does not exist; insert it with insertLogicalPipelines',
      { experiment: key.experiment, run: key.run, uuid },
    );
  }

  private notFoundTask(taskId: string): never {
    throw storeError(
      StoreErrorCode.NotFound,
      `task ${JSON.stringify(taskId)} does not exist; insert it with insertTasks`,
      {
        taskId,
      },
    );
  }

  // ---- experiments -------------------------------------------------------------------------------

  async createExperiment(init: NewExperiment): Promise<{ experiment: ExperimentRecord; created: boolean }> {
    const { config } = checkNewExperiment(init);
    const key = { experiment: init.experiment, run: init.run };
    return this.run(async () => {
      const now = date(this.now());
      const fresh = {
        config: parseJsonObject(config),
        status: 'created',
        seed: init.seed,
        createdAt: now,
        startedAt: null,
        activeSeconds: 0,
        bestCompoundQuality: null,
        bestTaskId: null,
        updatedAt: now,
      };
      // A plain insert (not an upsert with $setOnInsert): configs may hold keys with dots, which servers
      // accept in inserted documents but not in every update path.
      try {
        await this.experiments.insertOne({ ...key, ...fresh });
        return { experiment: toExperiment({ ...key, ...fresh }), created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const before = await this.experiments.findOne(key, NO_ID);
      if (before === null)
        throw new Error(`experiment ${key.experiment}/${key.run}: duplicate key but not found`);
      return { experiment: toExperiment(before), created: false };
    });
  }

  async getExperiment(key: RunKey): Promise<ExperimentRecord | null> {
    checkKey(key);
    return this.run(async () => {
      const d = await this.experiments.findOne({ experiment: key.experiment, run: key.run }, NO_ID);
      return d === null ? null : toExperiment(d);
    });
  }

  async listExperiments(experiment?: string): Promise<ExperimentRecord[]> {
    if (experiment !== undefined) checkString(experiment, 'experiment');
    return this.run(async () => {
      const filter = experiment === undefined ? {} : { experiment };
      const docs = await this.experiments.find(filter, NO_ID).sort({ experiment: 1, run: 1 }).toArray();
      return docs.map(toExperiment);
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
    return this.run(async () => {
      const k = { experiment: key.experiment, run: key.run };
      const now = date(this.now());
      // An update pipeline, so that startedAt is set only when still null, in the same atomic update.
      const r = await this.experiments.updateOne({ ...k, status: { $in: fromList } }, [
        {
          $set: {
            status: { $literal: to },
            updatedAt: now,
            startedAt: to === 'running' ? { $ifNull: ['$startedAt', now] } : '$startedAt',
          },
        },
      ]);
      if (r.matchedCount === 1) return true;
      if ((await this.experiments.countDocuments(k, { limit: 1 })) === 0) this.notFoundRun(key);
      return false;
    });
  }

  async addActiveSeconds(key: RunKey, seconds: number): Promise<number> {
    checkKey(key);
    checkNonNegativeFinite(seconds, 'seconds');
    return this.run(async () => {
      const d = await this.experiments.findOneAndUpdate(
        { experiment: key.experiment, run: key.run },
        { $inc: { activeSeconds: seconds }, $set: { updatedAt: date(this.now()) } },
        { returnDocument: 'after', projection: { _id: 0, activeSeconds: 1 } },
      );
      if (d === null) this.notFoundRun(key);
      return d.activeSeconds as number;
    });
  }

  async updateBest(key: RunKey, quality: number, taskId: string): Promise<boolean> {
    checkKey(key);
    checkFinite(quality, 'quality');
    checkString(taskId, 'taskId');
    return this.run(async () => {
      const k = { experiment: key.experiment, run: key.run };
      const r = await this.experiments.updateOne(
        { ...k, $or: [{ bestCompoundQuality: null }, { bestCompoundQuality: { $lt: quality } }] },
        { $set: { bestCompoundQuality: quality, bestTaskId: taskId, updatedAt: date(this.now()) } },
      );
      if (r.matchedCount === 1) return true;
      if ((await this.experiments.countDocuments(k, { limit: 1 })) === 0) this.notFoundRun(key);
      return false;
    });
  }

  // ---- logical pipelines --------------------------------------------------------------------------

  async insertLogicalPipelines(lps: readonly NewLogicalPipeline[]): Promise<number> {
    checkArray(lps, 'logicalPipelines');
    const encoded = lps.map((lp, i) => checkNewLogicalPipeline(lp, i));
    if (lps.length === 0) return 0;
    return this.run(async () => {
      const first = await this.reserve('logical_pipelines', lps.length);
      const docs = lps.map((lp, i) => ({
        experiment: lp.experiment,
        run: lp.run,
        uuid: lp.uuid,
        name: lp.name,
        components: JSON.parse(encoded[i].components) as Document,
        stats: parseJsonObject(encoded[i].stats),
        numTrials: 0,
        numCompleted: 0,
        surrogateType: null,
        acqType: null,
        acqOptimizerType: null,
        bestCompoundQuality: null,
        sequence: first + i,
      }));
      return insertManyIgnoringDuplicates(this.lps, docs);
    });
  }

  async listLogicalPipelines(key: RunKey): Promise<LogicalPipelineRecord[]> {
    checkKey(key);
    return this.run(async () => {
      const docs = await this.lps
        .find({ experiment: key.experiment, run: key.run }, NO_ID)
        .sort({ sequence: 1 })
        .toArray();
      return docs.map(toLogicalPipeline);
    });
  }

  async getLogicalPipeline(key: RunKey, uuid: string): Promise<LogicalPipelineRecord | null> {
    checkKey(key);
    checkString(uuid, 'uuid');
    return this.run(async () => {
      const d = await this.lps.findOne({ experiment: key.experiment, run: key.run, uuid }, NO_ID);
      return d === null ? null : toLogicalPipeline(d);
    });
  }

  async updateLogicalPipeline(key: RunKey, uuid: string, patch: LogicalPipelinePatch): Promise<void> {
    checkKey(key);
    checkString(uuid, 'uuid');
    const enc = checkLogicalPipelinePatch(patch);
    const set: Document = {};
    for (const [f, v] of Object.entries(patch)) {
      if (v !== undefined) set[f] = f === 'stats' ? parseJsonObject(enc.stats as string) : v;
    }
    await this.run(async () => {
      const filter = { experiment: key.experiment, run: key.run, uuid };
      const matched =
        Object.keys(set).length === 0
          ? await this.lps.countDocuments(filter, { limit: 1 })
          : (await this.lps.updateOne(filter, { $set: set })).matchedCount;
      if (matched === 0) this.notFoundLp(key, uuid);
    });
  }

  async incrementTrials(key: RunKey, uuid: string, k: number): Promise<number> {
    checkKey(key);
    checkString(uuid, 'uuid');
    checkInteger(k, 'k', Number.MIN_SAFE_INTEGER);
    return this.run(async () => {
      const d = await this.lps.findOneAndUpdate(
        { experiment: key.experiment, run: key.run, uuid },
        { $inc: { numTrials: k } },
        { returnDocument: 'after', projection: { _id: 0, numTrials: 1 } },
      );
      if (d === null) this.notFoundLp(key, uuid);
      return d.numTrials as number;
    });
  }

  // ---- tasks -------------------------------------------------------------------------------------

  async insertTasks(tasks: readonly NewTask[]): Promise<number> {
    checkArray(tasks, 'tasks');
    const encoded = tasks.map((t, i) => checkNewTask(t, i));
    if (tasks.length === 0) return 0;
    return this.run(async () => {
      const first = await this.reserve('tasks', tasks.length);
      const now = date(this.now());
      const docs = tasks.map((t, i) => ({
        taskId: t.taskId,
        experiment: t.experiment,
        run: t.run,
        lpUuid: t.lpUuid,
        lpName: t.lpName,
        config: parseJsonObject(encoded[i].config),
        seed: t.seed,
        status: TaskStatus.Queued,
        attempts: 0,
        createdAt: now,
        updatedAt: now,
        sequence: first + i,
      }));
      return insertManyIgnoringDuplicates(this.tasks, docs);
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    checkString(taskId, 'taskId');
    return this.run(async () => {
      const d = await this.tasks.findOne({ taskId }, NO_ID);
      return d === null ? null : toTask(d);
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
    return this.run(async () => {
      const r = await this.tasks.updateOne(
        { taskId, status: { $in: fromList } },
        { $set: { status: to, updatedAt: date(this.now()) }, $inc: { attempts: inc } },
      );
      if (r.matchedCount === 1) return true;
      if ((await this.tasks.countDocuments({ taskId }, { limit: 1 })) === 0) this.notFoundTask(taskId);
      return false;
    });
  }

  async listTasks(key: RunKey, options: ListTasksOptions = {}): Promise<TaskRecord[]> {
    checkKey(key);
    const filter: Filter<Document> = { experiment: key.experiment, run: key.run };
    if (options.status !== undefined) {
      const list = typeof options.status === 'string' ? [options.status] : options.status;
      filter.status = { $in: checkStatusList(list, 'status', checkTaskStatus) };
    }
    if (options.lpUuid !== undefined) filter.lpUuid = checkString(options.lpUuid, 'lpUuid');
    const limit = checkInteger(options.limit ?? -1, 'limit', -1);
    if (options.afterSequence !== undefined) {
      filter.sequence = { $gt: checkInteger(options.afterSequence, 'afterSequence', -1) };
    }
    if (limit === 0) return [];
    return this.run(async () => {
      const docs = await this.tasks
        .find(filter, NO_ID)
        .sort({ sequence: 1 })
        .limit(Math.max(limit, 0))
        .toArray();
      return docs.map(toTask);
    });
  }

  async countTasks(key: RunKey): Promise<TaskCounts> {
    checkKey(key);
    return this.run(async () => {
      const counts: TaskCounts = { queued: 0, running: 0, done: 0, failed: 0 };
      const groups = await this.tasks
        .aggregate<{ _id: TaskStatus; n: number }>([
          { $match: { experiment: key.experiment, run: key.run } },
          { $group: { _id: '$status', n: { $sum: 1 } } },
        ])
        .toArray();
      for (const g of groups) counts[g._id] = g.n;
      return counts;
    });
  }

  // ---- observations and metrics -------------------------------------------------------------------

  async recordObservation(
    obs: NewObservation,
    metrics: readonly MetricRow[],
  ): Promise<{ inserted: boolean }> {
    const enc = checkNewObservation(obs);
    checkMetricRows(metrics);
    const previous = this.recording.get(obs.taskId);
    const mine = (previous ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.run(() => this.recordNow(obs, enc, metrics)));
    this.recording.set(obs.taskId, mine);
    try {
      return await mine;
    } finally {
      if (this.recording.get(obs.taskId) === mine) this.recording.delete(obs.taskId);
    }
  }

  private async recordNow(
    obs: NewObservation,
    enc: ReturnType<typeof checkNewObservation>,
    metrics: readonly MetricRow[],
  ): Promise<{ inserted: boolean }> {
    const taskId = obs.taskId;
    // 1. Already committed: only make sure the task is closed (a crash may have interrupted step 5).
    const existing = await this.observations.findOne({ taskId }, { projection: { _id: 0, status: 1 } });
    if (existing !== null) {
      await this.closeTask(taskId, existing.status);
      return { inserted: false };
    }
    const task = await this.tasks.findOne(
      { taskId },
      { projection: { _id: 0, experiment: 1, run: 1, lpUuid: 1 } },
    );
    if (task === null) {
      throw storeError(
        StoreErrorCode.NotFound,
        `observation.taskId: task ${JSON.stringify(taskId)} does not exist; insert the task before recording its observation`,
        { taskId },
      );
    }
    checkObservationMatchesTask(obs, { experiment: task.experiment, run: task.run, lpUuid: task.lpUuid });
    // 2. Metric rows, replacing leftovers of an attempt that died before committing.
    await this.metrics.deleteMany({ taskId });
    await insertManyIgnoringDuplicates(
      this.metrics,
      metrics.map((m, ord) => ({
        taskId,
        ord,
        split: m.split,
        metric: m.metric,
        group: m.group,
        value: m.value,
      })),
    );
    // 3 + 4. The commit record.
    const sequence = await this.reserve('observations', 1);
    const doc = {
      taskId,
      experiment: obs.experiment,
      run: obs.run,
      lpUuid: obs.lpUuid,
      lpName: obs.lpName,
      config: parseJsonObject(enc.config),
      status: obs.status,
      objectives: JSON.parse(enc.objectives) as (number | null)[],
      weighted: JSON.parse(enc.weighted) as (number | null)[],
      reversed: JSON.parse(enc.reversed) as (number | null)[],
      constraints: JSON.parse(enc.constraints) as (number | null)[],
      compoundQuality: obs.compoundQuality,
      haltingFraction: obs.haltingFraction,
      elapsedSeconds: obs.elapsedSeconds,
      worker: obs.worker,
      failure: enc.failure === null ? null : (JSON.parse(enc.failure) as JsonObject),
      sequence,
      createdAt: date(this.now()),
    };
    try {
      await this.observations.insertOne(doc);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another process committed it in between (outside the single-writer design): theirs wins.
      const theirs = await this.observations.findOne({ taskId }, { projection: { _id: 0, status: 1 } });
      if (theirs !== null) await this.closeTask(taskId, theirs.status);
      return { inserted: false };
    }
    // 5. Close the task.
    await this.closeTask(taskId, obs.status);
    return { inserted: true };
  }

  async getObservation(taskId: string): Promise<ObservationRecord | null> {
    checkString(taskId, 'taskId');
    return this.run(async () => {
      const d = await this.observations.findOne({ taskId }, NO_ID);
      return d === null ? null : toObservation(d);
    });
  }

  async listObservations(key: RunKey, options: ListObservationsOptions = {}): Promise<ObservationRecord[]> {
    checkKey(key);
    const filter: Filter<Document> = { experiment: key.experiment, run: key.run };
    if (options.lpUuid !== undefined) filter.lpUuid = checkString(options.lpUuid, 'lpUuid');
    if (options.status !== undefined) filter.status = checkObservationStatus(options.status, 'status');
    if (options.afterSequence !== undefined) {
      filter.sequence = { $gt: checkInteger(options.afterSequence, 'afterSequence', -1) };
    }
    const limit = checkInteger(options.limit ?? -1, 'limit', -1);
    if (limit === 0) return [];
    return this.run(async () => {
      const docs = await this.observations
        .find(filter, NO_ID)
        .sort({ sequence: 1 })
        .limit(Math.max(limit, 0))
        .toArray();
      return docs.map(toObservation);
    });
  }

  async countObservations(key: RunKey): Promise<ObservationCounts> {
    checkKey(key);
    return this.run(async () => {
      const counts: ObservationCounts = { ok: 0, failed: 0, total: 0 };
      const groups = await this.observations
        .aggregate<{ _id: ObservationStatus; n: number }>([
          { $match: { experiment: key.experiment, run: key.run } },
          { $group: { _id: '$status', n: { $sum: 1 } } },
        ])
        .toArray();
      for (const g of groups) {
        counts[g._id] = g.n;
        counts.total += g.n;
      }
      return counts;
    });
  }

  async bestObservationPerLogicalPipeline(key: RunKey): Promise<ObservationRecord[]> {
    checkKey(key);
    return this.run(async () => {
      const docs = await this.observations
        .aggregate([
          {
            $match: {
              experiment: key.experiment,
              run: key.run,
              status: 'ok',
              compoundQuality: { $ne: null },
            },
          },
          { $sort: { lpUuid: 1, compoundQuality: -1, sequence: 1 } },
          { $group: { _id: '$lpUuid', doc: { $first: '$$ROOT' } } },
          { $replaceRoot: { newRoot: '$doc' } },
          { $sort: { lpUuid: 1 } },
          { $project: { _id: 0 } },
        ])
        .toArray();
      return docs.map(toObservation);
    });
  }

  async getMetrics(taskId: string): Promise<MetricRecord[]> {
    checkString(taskId, 'taskId');
    return this.run(async () => {
      const docs = await this.metrics
        .find({ taskId }, { projection: { _id: 0, ord: 0 } })
        .sort({ ord: 1 })
        .toArray();
      return docs.map((d) => ({
        taskId: d.taskId,
        split: d.split,
        metric: d.metric,
        group: d.group,
        value: d.value,
      }));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}
