export {
  Table,
  MISSING_CODE,
  numericColumn,
  categoricalColumn,
  columnLength,
  isMissingAt,
  countMissing,
  cellValue,
  valueCounts,
  completeRows,
} from './table';
export type { Column, NumericColumn, CategoricalColumn } from './table';
export { DataErrorCode } from './errors';
export {
  readCsv,
  readCsvWithInfo,
  detectDelimiter,
  parseNumber,
  canonicalNumber,
  DEFAULT_MISSING_VALUES,
  DETECTABLE_DELIMITERS,
} from './csv';
export type { ReadCsvOptions, CsvReadResult, ColumnSchema, NumericSchema, CategoricalSchema } from './csv';
export { specFromCustomConfig, isCustomDatasetConfig, validateSpec } from './spec';
export type {
  DatasetSpec,
  CustomDatasetConfig,
  TargetSpec,
  ValueFix,
  CategoricalValueType,
  SensitiveAttributesDct,
  SensitiveValue,
} from './spec';
export {
  datasetNames,
  listDatasetSpecs,
  getDatasetSpec,
  DEMO_DEFAULT_ROWS,
  DEMO_DEFAULT_SEED,
} from './datasets';
export {
  loadDataset,
  generateDemoDataset,
  resolveDataDir,
  defaultTestFraction,
  sensitiveColumns,
  applyFix,
  remapCategories,
  DATA_DIR_ENV,
} from './load';
export type { Dataset, DatasetInfo, LoadDatasetOptions } from './load';
export { generateDemoData, DEMO_CATEGORIES, DEMO_MISSING_COLUMNS, DEMO_DEFAULT_MISSING_RATE } from './demo';
export type { DemoOptions, DemoData } from './demo';
export { fetchDataset } from './fetch';
export type { FetchOptions, FetchResult } from './fetch';
export {
  trainTestSplit,
  splitDataset,
  takeLabels,
  haltingFractions,
  nestedStratifiedSubsamples,
  MIN_ROWS_FOR_HALTING,
} from './split';
export type { TrainTestIndices, DatasetSplit } from './split';
export { OneHotEncoder, StandardScaler, FeaturePipeline, nanColumns, MISSING_CATEGORY } from './encode';
export type { FeatureMatrix, FeaturePipelineOptions, SerializedFeaturePipeline } from './encode';
export {
  SimpleImputer,
  DeletionImputer,
  NoImputer,
  createImputer,
  imputeNulls,
  columnsWithMissing,
  median,
  mostFrequent,
  dataComponents,
  ImputerName,
  DUMMY_CATEGORY,
} from './impute';
export type {
  Imputer,
  ImputerContext,
  ImputerFactory,
  NullImputationInput,
  NullImputationResult,
} from './impute';
export { injectNulls, matchingRows, NullStrategy, ConditionOp } from './nulls-injector';
export type { NullCondition, NullInjectionSpec, NullInjectionResult } from './nulls-injector';
