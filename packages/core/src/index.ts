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
  roundHalfEven,
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
export {
  NO_IMPUTATION,
  NO_FAIRNESS_INTERVENTION,
  STAGE_SEPARATOR,
  PSEUDO_COMPONENTS,
  KNOWN_COMPONENTS,
  KNOWN_DATASETS,
} from './components';
export { editDistance, closestMatches } from './closest-match';
export { ConfigErrorCode, ConfigError, formatConfigError, formatPath, formatValue } from './config-errors';
export type { ConfigIssue, PathSegment } from './config-errors';
export {
  experimentConfigSchema,
  commonArgsSchema,
  pipelineArgsSchema,
  optimisationArgsSchema,
  objectiveSchema,
  optimizerSchema,
  virnyArgsSchema,
  customDatasetSchema,
  sensitiveValueSchema,
  sensitiveAttributesSchema,
  errorInjectionSchema,
  errorInjectionConditionSchema,
  NULL_STRATEGIES,
  CONDITION_OPS,
  ERROR_INJECTION_SPLITS,
  SURROGATE_TYPES,
  ACQ_TYPES,
  ACQ_OPTIMIZER_TYPES,
  DEFAULT_TRAINING_SET_FRACTIONS,
} from './config-schema';
export type {
  ExperimentConfigInput,
  ParsedExperimentConfig,
  CustomDatasetInput,
  ObjectiveInput,
  SensitiveValue,
  ErrorInjectionInput,
} from './config-schema';
export {
  INIT_RANDOM_STATE,
  seedForRun,
  ComputationMode,
  loadConfig,
  loadConfigFile,
  parseConfig,
  validateConfig,
} from './config';
export { normalizeGroupKey, parseConstraint } from './config-rules';
export type {
  ExperimentConfig,
  ObjectiveConfig,
  ConstraintConfig,
  ConstraintOp,
  OptimizerConfig,
  SurrogateType,
  AcqType,
  AcqOptimizerType,
  SensitiveAttribute,
  CustomDatasetSpec,
  ErrorInjectionConfig,
  LoadConfigOptions,
} from './config';
export {
  LogicalPipelineErrorCode,
  logicalPipelineUuid,
  logicalPipelineName,
  makeLogicalPipeline,
  parseLogicalPipelineName,
  enumerateLogicalPipelines,
  lpSearchSpace,
  splitSuggestion,
  isPseudoComponent,
} from './logical-pipelines';
export type { LogicalPipeline, PipelineStages } from './logical-pipelines';
export {
  MESSAGE_VERSION,
  MessageErrorCode,
  ObservationStatus,
  MetricSplit,
  configurationSchema,
  constraintConfigSchema,
  objectiveConfigSchema,
  taskMessageSchema,
  metricRowSchema,
  failureSchema,
  observationMessageSchema,
  metricValue,
  parseTaskMessage,
  parseObservationMessage,
} from './messages';
export type { TaskMessage, ObservationMessage, MetricRow } from './messages';
export { describeConfig } from './config-summary';
