/**
 * The fairness-intervention stage of the component registry: each intervention with the search space of
 * SPEC §2.4 (names without the `fi__` prefix) and a factory building it from a configuration of that space.
 * `NO_FAIRNESS_INTERVENTION` (core's pseudo component) is not registered: it means "skip the stage" and
 * contributes no hyper-parameters (SPEC §2.1).
 */
import {
  Stage,
  categorical,
  constant,
  defaultConfiguration,
  float,
  int,
  searchSpace,
  validateConfiguration,
} from '@virnyflow/core';
import type { ComponentDefinition, Configuration, SearchSpace } from '@virnyflow/core';
import { AdversarialDebiasing } from './adversarial';
import { DisparateImpactRemover } from './dir';
import { ExponentiatedGradientReduction, egrConstraintFor } from './egr';
import { EqOddsPostprocessing } from './eq-odds';
import { FairnessErrorCode, fairnessError } from './errors';
import { LearningFairRepresentations } from './lfr';
import { RejectOptionClassification } from './reject-option';
import type { RocMetric } from './reject-option';
import { Reweighing } from './reweighing';
import type { FairnessInterventionFactory } from './stage';

export const FairnessInterventionName = {
  DIR: 'DIR',
  LFR: 'LFR',
  Reweighing: 'Reweighing',
  AD: 'AD',
  EGR: 'EGR',
  EOP: 'EOP',
  ROC: 'ROC',
} as const;
export type FairnessInterventionName =
  (typeof FairnessInterventionName)[keyof typeof FairnessInterventionName];

export const DIR_SPACE = searchSpace([float('repair_level', 0.1, 1.0)]);

export const LFR_SPACE = searchSpace([
  categorical('k', [5]),
  categorical('Ax', [0.01]),
  categorical('Ay', [0.1, 0.5, 1, 5, 10]),
  categorical('Az', [0, 0.1, 0.5, 1, 5, 10]),
]);

/** Reweighing has no hyper-parameters (it is not in VirnyFlow's table; aif360 `Reweighing`). */
export const REWEIGHING_SPACE = searchSpace([]);

export const AD_SPACE = searchSpace([
  constant('scope_name', 'adversarial_debiasing'),
  float('adversary_loss_weight', 0.1, 0.5),
  int('num_epochs', 50, 100, { q: 10 }),
  categorical('batch_size', [64, 128, 256]),
  categorical('classifier_num_hidden_units', [100, 200, 300]),
  categorical('debias', [true]),
]);

export const EGR_SPACE = searchSpace([
  int('max_iter', 50, 100, { q: 10 }),
  categorical('run_linprog_step', [true, false]),
  categorical('drop_prot_attr', [true]),
]);

export const EOP_SPACE = searchSpace([]);

export const ROC_SPACE = searchSpace([
  float('low_class_thresh', 0.01, 0.1),
  float('high_class_thresh', 0.9, 0.99),
  int('num_class_thresh', 50, 100, { q: 10 }),
  int('num_ROC_margin', 20, 50, { q: 5 }),
  categorical('metric_name', [
    'Statistical parity difference',
    'Average odds difference',
    'Equal opportunity difference',
  ]),
  float('metric_ub', 0.05, 0.1),
  float('metric_lb', -0.1, -0.05),
]);

/** Fills missing parameters with their defaults and validates (throws `VF_SPACE_BAD_CONFIGURATION`). */
export function resolveParams(space: SearchSpace, params: Configuration): Configuration {
  const full = { ...defaultConfiguration(space), ...params };
  validateConfiguration(space, full);
  return full;
}

const n = (c: Configuration, k: string): number => c[k] as number;

const createDir: FairnessInterventionFactory = (params) => {
  const c = resolveParams(DIR_SPACE, params);
  return new DisparateImpactRemover({ repairLevel: n(c, 'repair_level') });
};

const createLfr: FairnessInterventionFactory = (params) => {
  const c = resolveParams(LFR_SPACE, params);
  return new LearningFairRepresentations({ k: n(c, 'k'), Ax: n(c, 'Ax'), Ay: n(c, 'Ay'), Az: n(c, 'Az') });
};

const createReweighing: FairnessInterventionFactory = (params) => {
  resolveParams(REWEIGHING_SPACE, params);
  return new Reweighing();
};

const createAd: FairnessInterventionFactory = (params) => {
  const c = resolveParams(AD_SPACE, params);
  return new AdversarialDebiasing({
    adversaryLossWeight: n(c, 'adversary_loss_weight'),
    numEpochs: n(c, 'num_epochs'),
    batchSize: n(c, 'batch_size'),
    classifierNumHiddenUnits: n(c, 'classifier_num_hidden_units'),
    debias: c.debias === true,
  });
};

const createEgr: FairnessInterventionFactory = (params, ctx) => {
  const c = resolveParams(EGR_SPACE, params);
  if (!ctx.createModel) {
    throw fairnessError(
      FairnessErrorCode.MissingModel,
      'EGR wraps the pipeline model: InterventionContext.createModel must build it (none was given)',
    );
  }
  return new ExponentiatedGradientReduction({
    constraint: egrConstraintFor(ctx.objectiveMetrics ?? []),
    createModel: ctx.createModel,
    maxIter: n(c, 'max_iter'),
    runLinprogStep: c.run_linprog_step === true,
    dropProtAttr: c.drop_prot_attr === true,
  });
};

const createEop: FairnessInterventionFactory = (params) => {
  resolveParams(EOP_SPACE, params);
  return new EqOddsPostprocessing();
};

const createRoc: FairnessInterventionFactory = (params) => {
  const c = resolveParams(ROC_SPACE, params);
  return new RejectOptionClassification({
    lowClassThresh: n(c, 'low_class_thresh'),
    highClassThresh: n(c, 'high_class_thresh'),
    numClassThresh: n(c, 'num_class_thresh'),
    numRocMargin: n(c, 'num_ROC_margin'),
    metricName: c.metric_name as RocMetric,
    metricUb: n(c, 'metric_ub'),
    metricLb: n(c, 'metric_lb'),
  });
};

const def = (
  name: FairnessInterventionName,
  description: string,
  space: SearchSpace,
  create: FairnessInterventionFactory,
): ComponentDefinition<FairnessInterventionFactory> => ({
  stage: Stage.FairnessIntervention,
  name,
  description,
  space,
  create,
});

/** Every fairness intervention, ready for `ComponentRegistry.registerAll`. */
export const fairnessComponents: readonly ComponentDefinition<FairnessInterventionFactory>[] = [
  def(
    'DIR',
    'Disparate Impact Remover (pre): per-feature quantile repair toward the median distribution',
    DIR_SPACE,
    createDir,
  ),
  def(
    'LFR',
    'Learning Fair Representations (pre): prototype representation trading accuracy for parity',
    LFR_SPACE,
    createLfr,
  ),
  def(
    'Reweighing',
    'Reweighing (pre): Kamiran–Calders sample weights P(g)P(y)/P(g,y)',
    REWEIGHING_SPACE,
    createReweighing,
  ),
  def(
    'AD',
    'Adversarial Debiasing (in): predictor trained against an adversary predicting the group',
    AD_SPACE,
    createAd,
  ),
  def(
    'EGR',
    'Exponentiated Gradient Reduction (in): randomised classifier from a Lagrangian game over the model',
    EGR_SPACE,
    createEgr,
  ),
  def(
    'EOP',
    'Equalized-odds post-processing (post): randomised label mixing equalising TPR and FPR',
    EOP_SPACE,
    createEop,
  ),
  def(
    'ROC',
    'Reject Option Classification (post): group-specific labels near the decision boundary',
    ROC_SPACE,
    createRoc,
  ),
];
