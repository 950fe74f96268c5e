export { StoreErrorCode } from './errors';
export { ExperimentStatus, TaskStatus, ObservationStatus, MetricSplit } from './experiment-store';
export type {
  ExperimentStore,
  StoreOptions,
  StoreInfo,
  RunKey,
  JsonValue,
  JsonObject,
  ExperimentRecord,
  NewExperiment,
  LogicalPipelineComponents,
  LogicalPipelineRecord,
  NewLogicalPipeline,
  LogicalPipelinePatch,
  TaskRecord,
  NewTask,
  TransitionTaskOptions,
  ListTasksOptions,
  TaskCounts,
  ObservationRecord,
  NewObservation,
  ObservationFailure,
  ListObservationsOptions,
  ObservationCounts,
  MetricRow,
  MetricRecord,
} from './experiment-store';
export { openSqliteStore, SqliteExperimentStore, SqliteSynchronous, SQLITE_FILE_NAME } from './sqlite-store';
export type { SqliteStoreOptions } from './sqlite-store';
export { openStore, openMongoStore, resolveStoreSpec, STORE_ENV_VAR } from './open-store';
export type { OpenStoreOptions, ResolvedStoreSpec } from './open-store';
export type { MongoExperimentStore, MongoStoreOptions } from './mongo-store';
export { DEFAULT_MONGO_DATABASE, redactMongoUri } from './mongo-uri';
