/**
 * Every Virny metric by its exact (case-sensitive) name, with what VirnyFlow-TS needs to know to use it as an
 * objective or constraint (SPEC §7.3, §7.6 with the decisions of §13.2–13.3).
 *
 * - `scope: 'overall'` metrics are computed per group and read from column `overall` (group `overall` in a
 *   config objective); `scope: 'disparity'` metrics are composed per sensitive-attribute key (dis − priv or
 *   dis / priv) and need a key of `sensitive_attributes_dct` as their group.
 * - `loss` maps a value to "lower is better": reverse = 1 − v, identity = v, abs = |v|, reverse_abs = |1 − v|.
 * - `constraintOn`: a constraint "<op> t" is checked against the raw value (`raw`) or its magnitude (`abs`,
 *   for signed differences: `Equalized_Odds_TPR <= 0.2` means |EO_TPR| <= 0.2).
 * - `needsBootstrap`: the metric exists only when a bootstrap ensemble is fitted (SPEC §1.4).
 */

export const LossTransform = {
  Reverse: 'reverse',
  Identity: 'identity',
  Abs: 'abs',
  ReverseAbs: 'reverse_abs',
} as const;
export type LossTransform = (typeof LossTransform)[keyof typeof LossTransform];

export type MetricScope = 'overall' | 'disparity';

export interface MetricInfo {
  readonly name: string;
  readonly scope: MetricScope;
  /** How the value becomes a loss; `null` when the metric cannot be an objective (e.g. Sample_Size). */
  readonly loss: LossTransform | null;
  readonly constraintOn: 'raw' | 'abs';
  readonly needsBootstrap: boolean;
  /** For disparity metrics: the per-group metric it is built from and how. */
  readonly composedFrom?: { readonly base: string; readonly op: 'difference' | 'ratio' };
  readonly description: string;
}

const overall = (
  name: string,
  loss: LossTransform | null,
  needsBootstrap: boolean,
  description: string,
): MetricInfo => ({ name, scope: 'overall', loss, constraintOn: 'raw', needsBootstrap, description });

const composed = (
  name: string,
  base: string,
  op: 'difference' | 'ratio',
  needsBootstrap: boolean,
): MetricInfo => ({
  name,
  scope: 'disparity',
  loss: op === 'difference' ? 'abs' : 'reverse_abs',
  constraintOn: op === 'difference' ? 'abs' : 'raw',
  needsBootstrap,
  composedFrom: { base, op },
  description: op === 'difference' ? `${base}(dis) − ${base}(priv)` : `${base}(dis) / ${base}(priv)`,
});

/** Per-group stability and uncertainty metrics from the bootstrap ensemble (SPEC §7.3). */
export const VARIANCE_METRICS = [
  'Mean_Prediction',
  'Statistical_Bias',
  'Std',
  'IQR',
  'Aleatoric_Uncertainty',
  'Overall_Uncertainty',
  'Epistemic_Uncertainty',
  'Label_Stability',
  'Jitter',
] as const;

/** Per-group error and representation metrics from the confusion matrix (SPEC §7.3). */
export const ERROR_METRICS = [
  'TPR',
  'TNR',
  'PPV',
  'FNR',
  'FPR',
  'Accuracy',
  'F1',
  'Selection-Rate',
  'Sample_Size',
] as const;

const LIST: readonly MetricInfo[] = [
  overall('TPR', 'reverse', false, 'true positive rate TP/(TP+FN)'),
  overall('TNR', 'reverse', false, 'true negative rate TN/(TN+FP)'),
  overall('PPV', 'reverse', false, 'precision TP/(TP+FP)'),
  overall('FNR', 'identity', false, 'false negative rate FN/(FN+TP)'),
  overall('FPR', 'identity', false, 'false positive rate FP/(FP+TN)'),
  overall('Accuracy', 'reverse', false, '(TP+TN)/n'),
  overall('F1', 'reverse', false, '2TP/(2TP+FP+FN)'),
  overall('Selection-Rate', 'identity', false, '(TP+FP)/n'),
  overall('Sample_Size', null, false, 'number of rows in the group'),
  overall('Mean_Prediction', 'identity', false, 'mean ensemble probability of class 0'),
  overall('Statistical_Bias', 'identity', false, 'mean |y − (1 − μ)|'),
  overall('Std', 'identity', true, 'mean per-sample standard deviation of the bootstrap predictions'),
  overall('IQR', 'identity', true, 'mean per-sample inter-quartile range of the bootstrap predictions'),
  overall('Aleatoric_Uncertainty', 'identity', true, 'mean expected binary entropy (bits)'),
  overall('Overall_Uncertainty', 'identity', true, 'mean binary entropy of the mean prediction (bits)'),
  overall('Epistemic_Uncertainty', 'identity', true, 'Overall_Uncertainty − Aleatoric_Uncertainty'),
  overall('Label_Stability', 'reverse', true, 'mean |#votes(1) − #votes(0)| / M'),
  overall('Jitter', 'identity', true, 'mean pairwise churn between bootstrap estimators'),
  composed('Equalized_Odds_TPR', 'TPR', 'difference', false),
  composed('Equalized_Odds_TNR', 'TNR', 'difference', false),
  composed('Equalized_Odds_FPR', 'FPR', 'difference', false),
  composed('Equalized_Odds_FNR', 'FNR', 'difference', false),
  composed('Accuracy_Difference', 'Accuracy', 'difference', false),
  composed('Statistical_Parity_Difference', 'Selection-Rate', 'difference', false),
  composed('Selection_Rate_Difference', 'Selection-Rate', 'difference', false),
  composed('Disparate_Impact', 'Selection-Rate', 'ratio', false),
  composed('Label_Stability_Ratio', 'Label_Stability', 'ratio', true),
  composed('Label_Stability_Difference', 'Label_Stability', 'difference', true),
  composed('Jitter_Difference', 'Jitter', 'difference', true),
  composed('IQR_Difference', 'IQR', 'difference', true),
  composed('Std_Difference', 'Std', 'difference', true),
  composed('Std_Ratio', 'Std', 'ratio', true),
  composed('Overall_Uncertainty_Difference', 'Overall_Uncertainty', 'difference', true),
  composed('Overall_Uncertainty_Ratio', 'Overall_Uncertainty', 'ratio', true),
  composed('Aleatoric_Uncertainty_Difference', 'Aleatoric_Uncertainty', 'difference', true),
  composed('Aleatoric_Uncertainty_Ratio', 'Aleatoric_Uncertainty', 'ratio', true),
  composed('Epistemic_Uncertainty_Difference', 'Epistemic_Uncertainty', 'difference', true),
  composed('Epistemic_Uncertainty_Ratio', 'Epistemic_Uncertainty', 'ratio', true),
];

export const METRIC_CATALOG: ReadonlyMap<string, MetricInfo> = new Map(LIST.map((m) => [m.name, m]));

export function metricInfo(name: string): MetricInfo | undefined {
  return METRIC_CATALOG.get(name);
}

/** Composed (disparity) metrics in a stable order. */
export const DISPARITY_METRICS: readonly MetricInfo[] = LIST.filter((m) => m.scope === 'disparity');

/** Applies a loss transform ("lower is better"). NaN stays NaN. */
export function toLoss(transform: LossTransform, v: number): number {
  switch (transform) {
    case 'reverse':
      return 1 - v;
    case 'identity':
      return v;
    case 'abs':
      return Math.abs(v);
    case 'reverse_abs':
      return Math.abs(1 - v);
  }
}
