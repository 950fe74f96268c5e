/**
 * Loading an experiment's dataset and the checks that belong to "load time" (SPEC §13.9): the `None`
 * imputer with missing values and a model that cannot take them is an error before anything runs.
 */
import type { ExperimentConfig, LogicalPipeline } from '@virnyflow/core';
import { NO_IMPUTATION } from '@virnyflow/core';
import type { CustomDatasetConfig, Dataset } from '@virnyflow/data';
import { loadDataset } from '@virnyflow/data';
import { EngineErrorCode, engineError } from './errors';

/** Models whose `fit` rejects NaN features (the tree models route missing values themselves). */
const MODELS_WITHOUT_MISSING_VALUES: readonly string[] = ['lr_clf', 'mlp_clf'];

export async function loadExperimentDataset(config: ExperimentConfig, dataDir?: string): Promise<Dataset> {
  const options = {
    ...(dataDir !== undefined ? { dataDir } : {}),
    sensitiveAttributes: config.sensitiveAttributesDct,
  };
  if (config.customDataset !== null) {
    return loadDataset({ ...(config.customDataset as CustomDatasetConfig), name: config.dataset }, options);
  }
  return loadDataset(config.dataset, options);
}

/** Throws when a logical pipeline would hand missing values to a model that cannot take them. */
export function checkMissingValues(dataset: Dataset, lps: readonly LogicalPipeline[]): void {
  const sensitive = new Set(
    Object.keys(dataset.sensitiveAttributes).flatMap((k) => k.split('&').map((p) => p.trim())),
  );
  const columns = Object.keys(dataset.info.missingCells).filter((c) => !sensitive.has(c));
  if (columns.length === 0) return;
  const bad = lps.filter(
    (lp) =>
      lp.components.null_imputation === NO_IMPUTATION &&
      MODELS_WITHOUT_MISSING_VALUES.includes(lp.components.model),
  );
  if (bad.length === 0) return;
  throw engineError(
    EngineErrorCode.MissingValuesUnsupported,
    `pipeline_args.null_imputers: 'None' (or an empty list) leaves the missing values of dataset '${dataset.name}' ` +
      `(columns ${columns.join(', ')}) in place, and model(s) ${[...new Set(bad.map((l) => l.components.model))].join(', ')} ` +
      'cannot take missing values; add an imputer such as median-mode, or use tree models (dt_clf, rf_clf, xgb_clf, lgbm_clf)',
    { dataset: dataset.name, columns, pipelines: bad.map((l) => l.name) },
  );
}
