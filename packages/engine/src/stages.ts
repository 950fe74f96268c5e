/**
 * The stages of one physical pipeline before the model is trained (SPEC §5.3 steps 1–5): drop the
 * sensitive attributes from X, null imputation (fitted on train), the binary protected column, one-hot
 * encoding and scaling (fitted on train), and the fairness intervention's pre-processing. Shared by the
 * evaluation (`pipeline.ts`) and the export of a refitted pipeline (`artifact.ts`).
 */
import type { Configuration, SensitiveAttribute } from '@virnyflow/core';
import { NO_FAIRNESS_INTERVENTION, NO_IMPUTATION, Stage, splitSuggestion } from '@virnyflow/core';
import type { ComponentRegistry } from '@virnyflow/core';
import type { Imputer, ImputerFactory, Table } from '@virnyflow/data';
import { FeaturePipeline, columnsWithMissing, createImputer, imputeNulls } from '@virnyflow/data';
import type {
  FairnessIntervention,
  FairnessInterventionFactory,
  InProcessor,
  PostProcessor,
  PreProcessor,
} from '@virnyflow/fairness';
import { protectedColumnClassifier } from '@virnyflow/fairness';
import { buildGroups } from '@virnyflow/metrics';
import type { Classifier, DenseMatrix, ModelCreate } from '@virnyflow/models';

/** Builders of a physical pipeline's components from its flat, prefixed configuration. */
export interface PipelineComponents {
  readonly imputerName: string;
  readonly interventionName: string;
  readonly modelName: string;
  /** Per-stage hyper-parameters, prefix stripped. */
  readonly params: Readonly<Record<Stage, Configuration>>;
  createImputer(): Imputer;
  /** null for `NO_FAIRNESS_INTERVENTION`. */
  createIntervention(seed: number): FairnessIntervention | null;
  createModel(seed: number): Classifier;
}

export interface ComponentOptions {
  readonly registry: ComponentRegistry;
  readonly seed: number;
  readonly datasetName: string;
  /** Objective metric names (EGR chooses its constraint from them). */
  readonly objectiveMetrics: readonly string[];
}

export function pipelineComponents(
  components: { null_imputation: string; fairness_intervention: string; model: string },
  configuration: Configuration,
  o: ComponentOptions,
): PipelineComponents {
  const params = splitSuggestion(configuration);
  const imputer = o.registry.get<ImputerFactory>(Stage.NullImputation, components.null_imputation);
  const model = o.registry.get<ModelCreate>(Stage.Model, components.model);
  const fiName = components.fairness_intervention;
  const fi =
    fiName === NO_FAIRNESS_INTERVENTION && !o.registry.has(Stage.FairnessIntervention, fiName)
      ? null
      : o.registry.get<FairnessInterventionFactory>(Stage.FairnessIntervention, fiName);
  const createModel = (seed: number): Classifier => model.create(params.model, seed);
  return {
    imputerName: components.null_imputation,
    interventionName: fiName,
    modelName: components.model,
    params,
    createImputer: () => imputer.create(params.null_imputation, { seed: o.seed, datasetName: o.datasetName }),
    createIntervention: (seed) =>
      fi === null
        ? null
        : fi.create(params.fairness_intervention, {
            seed,
            objectiveMetrics: o.objectiveMetrics,
            createModel: () => createModel(seed),
          }),
    createModel,
  };
}

/**
 * The binary protected column of SPEC §2.4: 0 for rows that are disadvantaged on every listed attribute
 * (intersection keys count through their parts), 1 otherwise. (nRows) aligned with `raw`.
 */
export function protectedColumn(
  raw: Table,
  attributes: readonly SensitiveAttribute[],
  forIntervention: readonly string[],
): Uint8Array {
  const parts = [...new Set(forIntervention.flatMap((k) => k.split('&').map((p) => p.trim())))];
  const singles = attributes.filter((a) => !a.intersection && parts.includes(a.key));
  const prot = new Uint8Array(raw.nRows).fill(1);
  if (singles.length === 0) return prot;
  const g = buildGroups(raw, singles, { allowEmpty: true });
  const dis = g.keys.map((k) => g.masks[g.names.indexOf(`${k}_dis`)]);
  for (let i = 0; i < raw.nRows; i++) {
    let all = 1;
    for (const m of dis) all &= m[i];
    if (all === 1) prot[i] = 0;
  }
  return prot;
}

/** `X` with `col` appended as its last column: (nRows, nCols + 1) row-major. */
export function appendColumn(X: DenseMatrix, col: Uint8Array): DenseMatrix {
  const { nRows, nCols, data } = X;
  const w = nCols + 1;
  const out = new Float64Array(nRows * w);
  for (let i = 0; i < nRows; i++) {
    const src = i * nCols;
    const dst = i * w;
    for (let j = 0; j < nCols; j++) out[dst + j] = data[src + j];
    out[dst + nCols] = col[i];
  }
  return { data: out, nRows, nCols: w };
}

/**
 * Columns with missing values in the test split but none in the (imputed) training rows: the imputer stage
 * only fits the columns that have nulls in train (SPEC §2.3), so these would reach the model as NaN and
 * fail every model that cannot take them, for a reason that has nothing to do with the pipeline (VirnyFlow
 * loses such tasks). Unless the imputer is `None`, they are filled with the training median / most
 * frequent category (`median-dummy`: the constant category), as the pipeline's artifact does at predict
 * time.
 */
function fillTestOnlyNulls(imputerName: string, train: Table, test: Table): Table {
  if (imputerName === NO_IMPUTATION) return test;
  const inTrain = new Set(columnsWithMissing(train));
  const testOnly = columnsWithMissing(test).filter((col) => !inTrain.has(col));
  if (testOnly.length === 0) return test;
  const fallback = createImputer(imputerName === 'median-dummy' ? 'median-dummy' : 'median-mode');
  fallback.fit(train, testOnly);
  return fallback.transform(test);
}

export interface StageInput {
  readonly xTrain: Table;
  readonly yTrain: Uint8Array;
  /** Sensitive-attribute columns of the training rows (aligned with xTrain). */
  readonly rawTrain: Table;
  readonly xTest: Table;
  readonly rawTest: Table;
  readonly sensitiveAttributes: readonly SensitiveAttribute[];
  readonly sensitiveAttrsForIntervention: readonly string[];
  readonly seed: number;
}

/** Everything fitted before the model, with the matrices the model trains and predicts on. */
export interface FittedStages {
  readonly imputer: Imputer;
  /** Table columns the pipeline reads (features without the dropped sensitive attributes). */
  readonly inputColumns: readonly string[];
  /** Columns that had missing values in the training rows (the ones the imputer fitted). */
  readonly imputedColumns: readonly string[];
  /** The training rows after imputation (rows dropped by a deleting imputer are gone). */
  readonly trainTable: Table;
  readonly featurePipeline: FeaturePipeline;
  readonly intervention: FairnessIntervention | null;
  /** Training matrix as the model sees it (pre-processed; with the protected column last for in-processors). */
  readonly xTrain: DenseMatrix;
  readonly yTrain: Uint8Array;
  readonly sampleWeight?: Float64Array;
  readonly rawTrain: Table;
  readonly protTrain: Uint8Array;
  readonly xTest: DenseMatrix;
  readonly protTest: Uint8Array;
  /** Builds an unfitted model for a fit seed: the plain model, or the in-processor behind `Classifier`. */
  createModel(seed: number): Classifier;
  /** The post-processor builder, or null when the intervention is not post-processing. */
  createPost: ((seed: number) => PostProcessor) | null;
}

export function fitStages(c: PipelineComponents, input: StageInput): FittedStages {
  const imputer = c.createImputer();
  const keys = input.sensitiveAttributes.map((a) => a.key);
  const imp = imputeNulls(imputer, {
    xTrain: input.xTrain,
    yTrain: input.yTrain,
    xTest: input.xTest,
    sensitiveAttributes: keys,
  });
  const rawTrain = imp.keptTrainRows ? input.rawTrain.take(imp.keptTrainRows) : input.rawTrain;
  const testTable = fillTestOnlyNulls(c.imputerName, imp.xTrain, imp.xTest);
  const featurePipeline = FeaturePipeline.fit(imp.xTrain);
  let xTrain: DenseMatrix = featurePipeline.transform(imp.xTrain);
  let xTest: DenseMatrix = featurePipeline.transform(testTable);
  const yTrain = imp.yTrain;
  const protTrain = protectedColumn(rawTrain, input.sensitiveAttributes, input.sensitiveAttrsForIntervention);
  const protTest = protectedColumn(
    input.rawTest,
    input.sensitiveAttributes,
    input.sensitiveAttrsForIntervention,
  );
  const intervention = c.createIntervention(input.seed);
  let sampleWeight: Float64Array | undefined;
  let createModel = (seed: number): Classifier => c.createModel(seed);
  let createPost: ((seed: number) => PostProcessor) | null = null;
  if (intervention !== null) {
    switch (intervention.phase) {
      case 'pre': {
        const pre = intervention as PreProcessor;
        pre.fit(xTrain, yTrain, protTrain, { seed: input.seed });
        const tr = pre.transform(xTrain, protTrain, yTrain);
        xTrain = tr.X;
        sampleWeight = tr.sampleWeight;
        xTest = pre.transform(xTest, protTest).X;
        break;
      }
      case 'in': {
        // The in-processor replaces the model and reads the protected column as the matrix's last column.
        const column = xTrain.nCols;
        xTrain = appendColumn(xTrain, protTrain);
        xTest = appendColumn(xTest, protTest);
        createModel = (seed) => protectedColumnClassifier(c.createIntervention(seed) as InProcessor, column);
        break;
      }
      case 'post':
        createPost = (seed) => c.createIntervention(seed) as PostProcessor;
        break;
    }
  }
  return {
    imputer,
    inputColumns: imp.xTrain.columnNames,
    imputedColumns: imp.imputedColumns,
    trainTable: imp.xTrain,
    featurePipeline,
    intervention,
    xTrain,
    yTrain,
    ...(sampleWeight ? { sampleWeight } : {}),
    rawTrain,
    protTrain,
    xTest,
    protTest,
    createModel,
    createPost,
  };
}
