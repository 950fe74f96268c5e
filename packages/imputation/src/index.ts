export { ImputationErrorCode } from './errors';
export {
  imputationComponents,
  ImputationName,
  MISS_FOREST_SPACE,
  K_MEANS_CLUSTERING_SPACE,
  KNN_SPACE,
  resolveImputerParams,
} from './components';
export { MissForestImputer, MISS_FOREST } from './miss-forest';
export type { MissForestOptions, MissForestFitInfo, RandomForestParams } from './miss-forest';
export { KMeansImputer, K_MEANS_CLUSTERING } from './k-means-imputer';
export type { KMeansImputerOptions } from './k-means-imputer';
export { kPrototypes, defaultGamma, KPrototypesInit } from './k-prototypes';
export type { KPrototypesData, KPrototypesOptions, KPrototypesResult } from './k-prototypes';
export { KnnImputer, KnnWeights, KNN } from './knn-imputer';
export type { KnnImputerOptions } from './knn-imputer';
export { VarianceForest } from './variance-forest';
export type { ForestOptions } from './variance-forest';
export { applyErrorInjection, checkErrorInjection } from './error-injection';
export type {
  ErrorInjectionData,
  ErrorInjectionSplit,
  ErrorInjectionSplitName,
  ErrorInjectionCount,
  ErrorInjectionOutcome,
} from './error-injection';
