export { MetricsErrorCode } from './errors';
export {
  GroupMatching,
  OVERALL,
  buildGroups,
  groupIndex,
  intersectionParts,
  privName,
  disName,
} from './groups';
export type {
  GroupScalar,
  GroupValue,
  SensitiveAttributesDct,
  GroupPartition,
  BuildGroupsOptions,
} from './groups';
export {
  ComputationMode,
  MODE_VARIANCE_METRICS,
  binaryEntropy,
  computeMetrics,
  errorMetric,
  groupConfusion,
  groupVarianceMetric,
  inferComputationMode,
  labelStatistics,
  metricsFromStatistics,
  probabilityStatistics,
  sortedPercentile,
  toClassZero,
} from './compute';
export type {
  ComputeMetricsOptions,
  Confusion,
  PredictionMatrix,
  SampleStatistics,
  VarianceMetric,
} from './compute';
export { composeDisparities } from './disparity';
export type { ComposedDisparities } from './disparity';
export { MetricsTable, encodeNumber, decodeNumber } from './metrics-table';
export type { MetricRecord, MetricRecordJSON, MetricsTableJSON } from './metrics-table';
export { evaluateObjectives, lookupMetric, objectiveMetricInfo } from './objectives';
export type { InvalidObjective, ObjectiveConstraint, ObjectiveEvaluation, ObjectiveSpec } from './objectives';
export { bootstrapRows, bootstrapSampleSize, estimatorSeed } from './sampling';
export { fitFullModel, predictMatrix, runBootstrap, runBootstrapSync, scoreEnsemble } from './bootstrap';
export type { BootstrapEnsemble, BootstrapOptions } from './bootstrap';
export { InThreadExecutor, WorkerPoolExecutor, fitJobEstimator, toSharedMatrix } from './executor';
export type { BootstrapExecutor, BootstrapJob } from './executor';
export { DEFAULT_MODEL_PROVIDER, loadModelProvider } from './model-provider';
export type { ModelProvider, ModelSpec } from './model-provider';
export { parseCsv, renderMetricsCsv, renderWideCsv } from './csv';
export type { CsvText } from './csv';
export { parseGroupsText } from './groups-spec';
export { ProfileFormat, profile, renderProfile, resolveGroups, runProfile } from './profile';
export type { ProfileInputs, RunProfileOptions } from './profile';
