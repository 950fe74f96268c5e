/**
 * Restores any fitted intervention from its `toJSON()` by `kind`. EGR holds base classifiers, so it needs the
 * model package's loader (`fromJSON` of `@virnyflow/models`), passed in rather than imported so that the
 * caller decides which model kinds are loadable.
 */
import type { Classifier, SerializedModel } from '@virnyflow/models';
import { AdversarialDebiasing } from './adversarial';
import { DisparateImpactRemover } from './dir';
import { ExponentiatedGradientReduction } from './egr';
import { EqOddsPostprocessing } from './eq-odds';
import { FairnessErrorCode, fairnessError } from './errors';
import { LearningFairRepresentations } from './lfr';
import { RejectOptionClassification } from './reject-option';
import { Reweighing } from './reweighing';
import { ProtectedColumnClassifier } from './protected-column';
import type { FairnessIntervention } from './stage';

export interface FairnessFromJsonOptions {
  /** Rebuilds a base classifier (needed only for EGR). */
  readonly loadModel?: (s: SerializedModel) => Classifier;
}

export function fairnessFromJSON(
  s: SerializedModel,
  options: FairnessFromJsonOptions = {},
): FairnessIntervention {
  switch (s.kind) {
    case 'DIR':
      return DisparateImpactRemover.fromJSON(s);
    case 'LFR':
      return LearningFairRepresentations.fromJSON(s);
    case 'Reweighing':
      return Reweighing.fromJSON(s);
    case 'AD':
      return AdversarialDebiasing.fromJSON(s);
    case 'EGR': {
      const load = options.loadModel;
      if (!load) {
        throw fairnessError(
          FairnessErrorCode.MissingModel,
          'loading a fitted EGR needs loadModel (e.g. fromJSON of @virnyflow/models) to rebuild its base classifiers',
        );
      }
      return ExponentiatedGradientReduction.fromJSON(s, load);
    }
    case 'EOP':
      return EqOddsPostprocessing.fromJSON(s);
    case 'ROC':
      return RejectOptionClassification.fromJSON(s);
    default:
      throw fairnessError(
        FairnessErrorCode.BadSerialized,
        `unknown fairness intervention kind ${JSON.stringify(s.kind)}; known: DIR, LFR, Reweighing, AD, EGR, EOP, ROC`,
        { kind: s.kind },
      );
  }
}

/** Restores a `ProtectedColumnClassifier` (an in-processor behind the `Classifier` interface). */
export function protectedColumnClassifierFromJSON(
  s: SerializedModel,
  options: FairnessFromJsonOptions = {},
): ProtectedColumnClassifier {
  const inner = s.inner as SerializedModel | undefined;
  if (s.kind !== 'ProtectedColumnClassifier' || s.version !== 1 || typeof s.column !== 'number' || !inner) {
    throw fairnessError(
      FairnessErrorCode.BadSerialized,
      `cannot load ${String(s.kind)} v${String(s.version)} as ProtectedColumnClassifier v1`,
      { kind: s.kind, version: s.version },
    );
  }
  const restored = fairnessFromJSON(inner, options);
  if (restored.phase !== 'in') {
    throw fairnessError(
      FairnessErrorCode.BadSerialized,
      `ProtectedColumnClassifier wraps an in-processor, got ${restored.name} (${restored.phase})`,
      { inner: restored.name },
    );
  }
  return new ProtectedColumnClassifier(restored, s.column);
}
