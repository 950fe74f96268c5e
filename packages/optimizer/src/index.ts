export { OptimizerErrorCode } from './errors';

export { SpaceEncoding, CATEGORY_TOL } from './encoding';

export { erf, erfc, normCdf, normPdf } from './normal';
export {
  choleskyInPlace,
  choleskyWithJitter,
  choleskySolve,
  choleskyInverse,
  choleskyLogDet,
  solveLower,
  solveLowerTransposed,
} from './linalg';
export { lbfgsMinimize } from './lbfgs';
export type { LbfgsOptions, LbfgsResult, Objective } from './lbfgs';

export { GaussianProcess, GP_BOUNDS, matern52, gpNegLogLikelihood } from './gp';
export type { GpFitOptions, GpHyperParameters } from './gp';
export { RandomForest } from './forest';
export type { ForestOptions } from './forest';

export {
  dominates,
  paretoFrontIndices,
  nonDominatedSort,
  hypervolume,
  hypervolumeImprovement,
  nonDominatedBoxes,
} from './hypervolume';
export type { BoxDecomposition } from './hypervolume';

export {
  Ehvi,
  expectedImprovement,
  probabilityOfFeasibility,
  randomSimplexWeights,
  augmentedTchebycheff,
  PAREGO_RHO,
} from './acquisition';
export { AcqOptimizerType, maximizeAcquisition, resolveAcqOptimizerOptions } from './acq-optimizer';
export type {
  AcqOptimizerOptions,
  AcquisitionBatch,
  ResolvedAcqOptimizerOptions,
  ScoredPool,
} from './acq-optimizer';

export { SurrogateType, AcquisitionType, SuggestionOrigin } from './optimizer';
export type { Optimizer, TrialObservation, ResolvedTypes, Suggestion } from './optimizer';
export { Advisor, PendingStrategy, resolveAdvisorOptions, gpCheckpoint, gpFitEffort } from './advisor';
export type { AdvisorOptions, ResolvedAdvisorOptions, ReferencePointInfo } from './advisor';
export { RandomSearch } from './random-search';
export type { RandomSearchOptions } from './random-search';
export type { HistoryEntry } from './trials';

export {
  STD_EPSILON,
  initialLogicalPipelineStats,
  updateLogicalPipelineStats,
  compoundQuality,
  recordScheduled,
  batchSize,
  selectLogicalPipeline,
} from './cost-model';
export type { LogicalPipelineStats, WeightedObjective, SelectionResult } from './cost-model';
export { shouldContinue, updatedBest } from './halting';
export type { HaltingInput } from './halting';
