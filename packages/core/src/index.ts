export { Rng, hashSeeds, hashString } from './rng';
export { VirnyFlowError, toFailure, isUserError } from './errors';
export type { SerializedFailure } from './errors';
export {
  ParamType,
  SearchSpaceErrorCode,
  int,
  float,
  categorical,
  constant,
  searchSpace,
  emptySpace,
  prefixSpace,
  joinSpaces,
  defaultConfiguration,
  snapValue,
  sampleParam,
  sampleConfiguration,
  validateConfiguration,
  splitByPrefix,
} from './search-space';
export type {
  ParamValue,
  IntParam,
  FloatParam,
  CategoricalParam,
  ConstantParam,
  HyperParameter,
  SearchSpace,
  Configuration,
  NumericParamOptions,
} from './search-space';
export { Stage, STAGE_PREFIX, ComponentRegistry, RegistryErrorCode } from './registry';
export type { ComponentDefinition } from './registry';
export {
  LossTransform,
  VARIANCE_METRICS,
  ERROR_METRICS,
  METRIC_CATALOG,
  DISPARITY_METRICS,
  metricInfo,
  toLoss,
} from './metric-catalog';
export type { MetricInfo, MetricScope } from './metric-catalog';
