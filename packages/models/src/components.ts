/**
 * The model stage's components with VirnyFlow's search spaces (SPEC §2.2, `get_models_params_for_tuning`),
 * and `fromJSON` for every model kind.
 *
 * `create(params, seed)` takes a configuration of the component's space (prefix stripped; extra
 * non-space hyper-parameters of the model are accepted too, e.g. `max_features`) and the model seed
 * (scikit-learn's `random_state`); constructor defaults are the libraries' own defaults, the spaces'
 * defaults are for the optimizer. The lead wires `modelComponents` into a `ComponentRegistry`.
 */
import type { ComponentDefinition } from '@virnyflow/core';
import { Stage, categorical, float, int, searchSpace } from '@virnyflow/core';
import { LGBMClassifier, LGBM_KIND, XGBClassifier, XGB_KIND } from './boosting';
import type { Classifier, SerializedModel } from './classifier';
import { DT_KIND, DecisionTreeClassifier } from './decision-tree';
import { ModelErrorCode, modelError } from './errors';
import { LR_KIND, LogisticRegression } from './logistic';
import { MLPClassifier, MLP_KIND } from './mlp';
import type { RawParams } from './params';
import { RF_KIND, RandomForestClassifier } from './random-forest';

/** Factory of the model stage: a configuration of the component's space plus the model seed. */
export type ModelCreate = (params: RawParams, seed: number) => Classifier;

export const ModelName = {
  DecisionTree: DT_KIND,
  LogisticRegression: LR_KIND,
  RandomForest: RF_KIND,
  MLP: MLP_KIND,
  XGBoost: XGB_KIND,
  LightGBM: LGBM_KIND,
} as const;
export type ModelName = (typeof ModelName)[keyof typeof ModelName];

/** int(linspace(20, 3000, 20)), VirnyFlow's `num_leaves` choices. */
const LGBM_NUM_LEAVES = [
  20, 176, 333, 490, 647, 804, 961, 1117, 1274, 1431, 1588, 1745, 1902, 2058, 2215, 2372, 2529, 2686, 2843,
  3000,
];

export const modelComponents: readonly ComponentDefinition<ModelCreate>[] = [
  {
    stage: Stage.Model,
    name: DT_KIND,
    description: 'Decision tree (scikit-learn DecisionTreeClassifier semantics, histogram splits)',
    space: searchSpace([
      categorical('criterion', ['gini', 'entropy']),
      int('max_depth', 1, 10, { default: 3 }),
      int('min_samples_split', 2, 20, { default: 2 }),
      int('min_samples_leaf', 1, 20, { default: 1 }),
    ]),
    create: (params, seed) => new DecisionTreeClassifier(params, seed),
  },
  {
    stage: Stage.Model,
    name: LR_KIND,
    description: 'Logistic regression (L2 or unpenalised; Newton/Cholesky or L-BFGS to the exact optimum)',
    space: searchSpace([
      categorical('penalty', ['l2', null]),
      categorical('C', [0.001, 0.01, 0.1, 1]),
      categorical('solver', ['newton-cg', 'lbfgs', 'sag', 'saga']),
    ]),
    create: (params, seed) => new LogisticRegression(params, seed),
  },
  {
    stage: Stage.Model,
    name: RF_KIND,
    description: 'Random forest (scikit-learn RandomForestClassifier semantics, histogram splits)',
    space: searchSpace([
      int('n_estimators', 50, 1000, { q: 50 }),
      categorical('max_depth', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, null]),
      int('min_samples_split', 2, 10, { q: 1 }),
      int('min_samples_leaf', 1, 5, { q: 1 }),
      categorical('bootstrap', [true, false]),
    ]),
    create: (params, seed) => new RandomForestClassifier(params, seed),
  },
  {
    stage: Stage.Model,
    name: MLP_KIND,
    description: 'Multi-layer perceptron, hidden layers (100, 100) (scikit-learn MLPClassifier semantics)',
    space: searchSpace([
      categorical('activation', ['logistic', 'tanh', 'relu']),
      categorical('solver', ['lbfgs', 'sgd', 'adam']),
      categorical('learning_rate', ['constant', 'invscaling', 'adaptive']),
    ]),
    create: (params, seed) => new MLPClassifier(params, seed),
  },
  {
    stage: Stage.Model,
    name: XGB_KIND,
    description: 'Gradient boosting, XGBoost hist style (depth-wise, second order, L2 λ = 1)',
    space: searchSpace([
      int('max_depth', 1, 10, { default: 3 }),
      float('learning_rate', 0.01, 1, { log: true, default: 0.1 }),
      int('n_estimators', 50, 500, { default: 100 }),
      float('subsample', 0.01, 1.0, { default: 1.0 }),
      int('min_child_weight', 1, 20, { default: 1 }),
    ]),
    create: (params, seed) => new XGBClassifier(params, seed),
  },
  {
    stage: Stage.Model,
    name: LGBM_KIND,
    description: 'Gradient boosting, LightGBM style (leaf-wise best-first, num_leaves)',
    space: searchSpace([
      int('n_estimators', 50, 1000, { q: 50 }),
      categorical('max_depth', [3, 4, 5, 6, 7, 8, 9, -1]),
      categorical('num_leaves', LGBM_NUM_LEAVES),
      int('min_data_in_leaf', 100, 1000, { q: 50 }),
    ]),
    create: (params, seed) => new LGBMClassifier(params, seed),
  },
];

/** Builds an unfitted model by kind (`create` of the matching component); unknown kinds fail. */
export function createClassifier(kind: string, params: RawParams, seed: number): Classifier {
  const def = modelComponents.find((c) => c.name === kind);
  if (!def) {
    modelError(
      ModelErrorCode.UnknownKind,
      `unknown model kind ${JSON.stringify(kind)}; known kinds: ${modelComponents.map((c) => c.name).join(', ')}`,
      { kind },
    );
  }
  return def.create(params, seed);
}

const READERS: Readonly<Record<string, (json: unknown) => Classifier>> = {
  [DT_KIND]: (j) => DecisionTreeClassifier.fromJSON(j),
  [RF_KIND]: (j) => RandomForestClassifier.fromJSON(j),
  [XGB_KIND]: (j) => XGBClassifier.fromJSON(j),
  [LGBM_KIND]: (j) => LGBMClassifier.fromJSON(j),
  [LR_KIND]: (j) => LogisticRegression.fromJSON(j),
  [MLP_KIND]: (j) => MLPClassifier.fromJSON(j),
};

/**
 * Rebuilds any fitted model from its `toJSON()` output, dispatching on `kind` and checking `version`
 * (`VF_MODEL_UNKNOWN_KIND`, `VF_MODEL_VERSION`, `VF_MODEL_BAD_JSON`).
 */
export function fromJSON(json: SerializedModel | unknown): Classifier {
  if (typeof json !== 'object' || json === null) {
    modelError(
      ModelErrorCode.BadJson,
      `model JSON must be an object, got ${json === null ? 'null' : typeof json}`,
    );
  }
  const kind = (json as { kind?: unknown }).kind;
  const read = typeof kind === 'string' && Object.hasOwn(READERS, kind) ? READERS[kind] : undefined;
  if (!read) {
    modelError(
      ModelErrorCode.UnknownKind,
      `unknown model kind ${JSON.stringify(kind)}; known kinds: ${Object.keys(READERS).join(', ')}`,
      { kind },
    );
  }
  return read(json);
}
