export { EngineErrorCode } from './errors';
export { createRegistry, loadComponentModules, resolveComponentModules } from './registry';
export { CONTEXT_VERSION, buildContext, encodeContext, decodeContext } from './context';
export type { ExperimentContext, SyntheticPipeline } from './context';
export { prepareDataset, encodeDataset, decodeDataset, datasetTables } from './dataset-codec';
export type { PreparedDataset, DatasetTables } from './dataset-codec';
export { loadExperimentDataset, checkMissingValues } from './experiment-data';
export { evaluateTask, failedObservation, makeSplit, SplitCache } from './pipeline';
export type { EvaluateTaskInput, RunSplit } from './pipeline';
export { pipelineComponents, fitStages, protectedColumn, appendColumn } from './stages';
export type { PipelineComponents, FittedStages, StageInput, ComponentOptions } from './stages';
export { advisorSeed, advisorOptions, advisorBehavior, numConstraints } from './advisor-actor';
export type { AdvisorMessage, AdvisorReply, AdvisorRef, AdvisorInfo, AdvisorReplay } from './advisor-actor';
export { schedulerBehavior, taskIdFor, runBudget } from './scheduler';
export type { SchedulerMessage, SchedulerReply, SchedulerDeps, RunFinished, FinishReason } from './scheduler';
export { coordinatorBehavior } from './coordinator';
export type { CoordinatorMessage, CoordinatorDeps, CoordinatorResult, RunOutcome } from './coordinator';
export { Evaluator, evaluatorBehavior } from './evaluator';
export { WorkerRoster } from './worker-roster';
export { BlobCache } from './blob-cache';
export type { WorkerSummary, WorkerRosterOptions } from './worker-roster';
export type { EvaluatorOptions, EvaluatorStats, EvaluatorMessage } from './evaluator';
export { runExperiment, startWorker } from './run';
export type { RunExperimentOptions, RunSummary, StartWorkerOptions, WorkerHandle } from './run';
export type { RunProgress, EngineEvent } from './types';
export { getStatus, buildReport, paretoFront } from './report';
export type {
  RunStatus,
  ExperimentStatusReport,
  ExperimentReport,
  ReportObjective,
  ReportLogicalPipeline,
  ReportMetric,
  ReportObservation,
  ReportBestPipeline,
} from './report';
export {
  ARTIFACT_KIND,
  ARTIFACT_VERSION,
  exportBestPipeline,
  fitPipelineArtifact,
  parseArtifact,
  artifactInputSchema,
  predictWithArtifact,
  predictCsv,
} from './artifact';
export type {
  PipelineArtifact,
  ArtifactInputColumn,
  ExportOptions,
  FitArtifactInput,
  Prediction,
} from './artifact';
