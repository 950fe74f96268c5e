export { FairnessErrorCode } from './errors';
export { InterventionPhase } from './stage';
export type {
  PreFitOptions,
  PreProcessed,
  PreProcessor,
  InProcessor,
  PostFitOptions,
  PostProcessor,
  FairnessIntervention,
  InterventionContext,
  FairnessInterventionFactory,
} from './stage';
export { DisparateImpactRemover } from './dir';
export type { DisparateImpactRemoverOptions } from './dir';
export { LearningFairRepresentations, LfrObjective } from './lfr';
export type { LfrOptions } from './lfr';
export { Reweighing } from './reweighing';
export { AdversarialDebiasing } from './adversarial';
export type { AdversarialDebiasingOptions } from './adversarial';
export { ExponentiatedGradientReduction, EgrConstraint, egrConstraintFor } from './egr';
export type { ExponentiatedGradientOptions, EgrFitInfo } from './egr';
export { EqOddsPostprocessing } from './eq-odds';
export type { EqOddsOptions } from './eq-odds';
export { RejectOptionClassification, RocMetric } from './reject-option';
export type { RejectOptionOptions, RejectOptionFit } from './reject-option';
export { ProtectedColumnClassifier, protectedColumnClassifier } from './protected-column';
export { linprog, LpStatus } from './linprog';
export type { LinearProgram, LpSolution } from './linprog';
export { minimizeLbfgs } from './lbfgs';
export type { Objective, LbfgsOptions, LbfgsResult } from './lbfgs';
export {
  fairnessComponents,
  FairnessInterventionName,
  DIR_SPACE,
  LFR_SPACE,
  REWEIGHING_SPACE,
  AD_SPACE,
  EGR_SPACE,
  EOP_SPACE,
  ROC_SPACE,
  resolveParams,
} from './components';
export { fairnessFromJSON, protectedColumnClassifierFromJSON } from './from-json';
export type { FairnessFromJsonOptions } from './from-json';
