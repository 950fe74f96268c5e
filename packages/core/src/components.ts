/**
 * Names of pipeline components and datasets known without a registry (SPEC §2.2–2.4, §9).
 *
 * The config loader checks component names against a `ComponentRegistry` when the caller passes one (that
 * registry is the truth: what is registered can run). Without a registry it falls back to these lists, so
 * that a misspelt name is still rejected at load time rather than when its search space is first looked up.
 */
import type { Stage } from './registry';

/** The pseudo-imputer "no imputation": data with missing values is passed on unchanged. */
export const NO_IMPUTATION = 'None';
/** The pseudo-intervention "none"; always added to the configured fairness interventions. */
export const NO_FAIRNESS_INTERVENTION = 'NO_FAIRNESS_INTERVENTION';
/** Separator of stage names in a logical pipeline name (`imputer&intervention&model`). */
export const STAGE_SEPARATOR = '&';

/** Pseudo components that need no registry entry (they have no hyper-parameters and do nothing). */
export const PSEUDO_COMPONENTS: Readonly<Record<Stage, readonly string[]>> = {
  null_imputation: [NO_IMPUTATION],
  fairness_intervention: [NO_FAIRNESS_INTERVENTION],
  model: [],
};

/**
 * VirnyFlow's component names per stage, plus our `knn` imputer. `lr_reg` (a regressor), `boost_clean` and
 * `cp_clean` (rejected by VirnyFlow itself) are left out on purpose.
 */
export const KNOWN_COMPONENTS: Readonly<Record<Stage, readonly string[]>> = {
  null_imputation: [
    NO_IMPUTATION,
    'deletion',
    'median-mode',
    'median-dummy',
    'miss_forest',
    'k_means_clustering',
    'knn',
    'datawig',
    'automl',
  ],
  fairness_intervention: ['DIR', 'LFR', 'AD', 'EGR', 'EOP', 'ROC', 'Reweighing', NO_FAIRNESS_INTERVENTION],
  model: [
    'dt_clf',
    'lr_clf',
    'rf_clf',
    'mlp_clf',
    'xgb_clf',
    'lgbm_clf',
    'knn_clf',
    'svc_clf',
    'gandalf_clf',
    'danet_clf',
    'mdn_clf',
    'node_clf',
    'ftt_clf',
    'gate_clf',
  ],
};

/** Built-in dataset names (the data package's registry); a config may add its own in `custom_datasets`. */
export const KNOWN_DATASETS: readonly string[] = [
  'demo',
  'diabetes',
  'heart',
  'folk_emp',
  'german',
  'compas',
  'law_school',
  'bank',
];
