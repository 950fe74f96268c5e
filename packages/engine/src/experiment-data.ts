/**
 * Loading an experiment's dataset and the checks that belong to "load time" (SPEC §13.9): the `None`
 * imputer with missing values and a model that cannot take them is an error before anything runs. The
 * missing values counted are the dataset's own and those `pipeline_args.error_injection` will put into it
 * after the split.
 */
import type { ErrorInjectionConfig, ExperimentConfig, LogicalPipeline } from '@virnyflow/core';
import { NO_IMPUTATION } from '@virnyflow/core';
import type { CustomDatasetConfig, Dataset } from '@virnyflow/data';
import { loadDataset } from '@virnyflow/data';
import { checkErrorInjection } from '@virnyflow/imputation';
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

/**
 * Throws when a logical pipeline would hand missing values to a model that cannot take them: imputer `None`
 * with a model of `MODELS_WITHOUT_MISSING_VALUES`, and a feature column (other than a dropped sensitive
 * attribute) that has missing values in the dataset or is injected by `errorInjection`. Checks the
 * injection specs against the dataset first (`checkErrorInjection`: unknown columns, conditions matching
 * no row).
 */
export function checkMissingValues(
  dataset: Dataset,
  lps: readonly LogicalPipeline[],
  errorInjection: readonly ErrorInjectionConfig[] = [],
): void {
  checkErrorInjection(dataset, errorInjection);
  const sensitive = new Set(
    Object.keys(dataset.sensitiveAttributes).flatMap((k) => k.split('&').map((p) => p.trim())),
  );
  const own = Object.keys(dataset.info.missingCells).filter((c) => !sensitive.has(c));
  const injected = [...new Set(errorInjection.flatMap((e) => e.columns))].filter(
    (c) => !sensitive.has(c) && !own.includes(c),
  );
  const columns = [...own, ...injected];
  if (columns.length === 0) return;
  const bad = lps.filter(
    (lp) =>
      lp.components.null_imputation === NO_IMPUTATION &&
      MODELS_WITHOUT_MISSING_VALUES.includes(lp.components.model),
  );
  if (bad.length === 0) return;
  const where = [
    own.length > 0 ? `columns ${own.join(', ')} of dataset '${dataset.name}'` : '',
    injected.length > 0 ? `columns ${injected.join(', ')} injected by pipeline_args.error_injection` : '',
  ]
    .filter((s) => s !== '')
    .join(', and ');
  const models = [...new Set(bad.map((l) => l.components.model))];
  throw engineError(
    EngineErrorCode.MissingValuesUnsupported,
    `pipeline_args.null_imputers: 'None' (or an empty list) leaves the missing values in ${where} in place, ` +
      `and model(s) ${models.join(', ')} cannot take missing values; add an imputer such as median-mode, ` +
      `use tree models (dt_clf, rf_clf, xgb_clf, lgbm_clf)` +
      (injected.length > 0 ? ', or remove those columns from pipeline_args.error_injection' : ''),
    {
      dataset: dataset.name,
      columns,
      injectedColumns: injected,
      models,
      pipelines: bad.map((l) => l.name),
    },
  );
}
