/**
 * Exporting a pipeline as one JSON artifact and predicting with it.
 *
 * `exportBestPipeline` picks an observation (the run's best compound quality, or an entry of the run's
 * Pareto front), reloads the experiment's config and dataset, and refits that physical pipeline on the full
 * training split of the run's seeded split with the recorded seed: imputer, one-hot/scaling, fairness
 * intervention and one model (no bootstrap). The artifact holds every fitted part as JSON with `kind` and
 * `version`; `predictWithArtifact` rebuilds them and returns P(y = 1) and labels for new rows.
 *
 * Prediction-time missing values: the artifact's imputer carries fill values for every input column
 * (median / most frequent category of the training rows, or the constant category for `median-dummy`), so
 * rows with holes the training data did not have still get a prediction; the `None` imputer leaves them
 * missing (tree models route them, other models reject them). Model-based imputers (MissForest,
 * clustering, k-NN) have no serialized form: their artifact fills with the median / most frequent value of
 * the imputed training rows instead, and says so in `imputer.method`.
 */
import type {
  ComponentDefinition,
  ComponentRegistry,
  Configuration,
  ExperimentConfig,
  SensitiveAttribute,
} from '@virnyflow/core';
import { validateConfig } from '@virnyflow/core';
import type { Column, ColumnSchema, Dataset, SerializedFeaturePipeline, Table } from '@virnyflow/data';
import {
  FeaturePipeline,
  MISSING_CODE,
  SimpleImputer,
  Table as DataTable,
  categoricalColumn,
  createImputer,
  numericColumn,
  readCsv,
  splitDataset,
} from '@virnyflow/data';
import type { PostProcessor, PreProcessor } from '@virnyflow/fairness';
import { fairnessFromJSON, protectedColumnClassifierFromJSON } from '@virnyflow/fairness';
import { fitFullModel } from '@virnyflow/metrics';
import type { Classifier, DenseMatrix, SerializedModel } from '@virnyflow/models';
import { fromJSON as modelFromJSON } from '@virnyflow/models';
import type { ExperimentStore, JsonObject, ObservationRecord } from '@virnyflow/store';
import { EngineErrorCode, engineError } from './errors';
import { loadExperimentDataset } from './experiment-data';
import { createRegistry, loadComponentModules, resolveComponentModules } from './registry';
import { paretoFront } from './report';
import { appendColumn, fitStages, pipelineComponents, protectedColumn } from './stages';

export const ARTIFACT_KIND = 'virnyflow_pipeline';
export const ARTIFACT_VERSION = 1;

export interface ArtifactInputColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** Categorical columns: whether raw values were numbers or text (group matching is type-strict). */
  readonly value_type?: 'string' | 'number';
}

export interface PipelineArtifact {
  readonly kind: typeof ARTIFACT_KIND;
  readonly version: typeof ARTIFACT_VERSION;
  readonly experiment: string;
  readonly run: number;
  readonly task_id: string;
  readonly logical_pipeline: string;
  readonly components: { null_imputation: string; fairness_intervention: string; model: string };
  readonly hyperparameters: JsonObject;
  readonly seed: number;
  readonly dataset: string;
  /** Columns the pipeline reads (features without the sensitive attributes), in order. */
  readonly input_columns: readonly ArtifactInputColumn[];
  /** Needed (as columns of the input) only when `intervention` is set: they form the protected column. */
  readonly sensitive_attributes: readonly SensitiveAttribute[];
  readonly sensitive_attrs_for_intervention: readonly string[];
  readonly sensitive_columns: readonly ArtifactInputColumn[];
  readonly imputer: {
    readonly name: string;
    /** How `fill` was made: the imputer's own values, or `median-mode` of the imputed training rows. */
    readonly method: 'fitted' | 'median-mode' | 'none';
    readonly fill: Readonly<Record<string, number | string>>;
  };
  readonly features: SerializedFeaturePipeline;
  /** null for NO_FAIRNESS_INTERVENTION and for in-processing (the model then wraps the intervention). */
  readonly intervention: { readonly phase: 'pre' | 'post'; readonly state: SerializedModel } | null;
  /** The fitted model (for in-processing: the intervention behind the Classifier interface). */
  readonly model: SerializedModel;
  readonly model_phase: 'model' | 'in';
  /** What the experiment measured for this pipeline (test split). */
  readonly recorded: {
    readonly objectives: (number | null)[];
    readonly weighted: (number | null)[];
    readonly compound_quality: number | null;
  };
  readonly created_at: string;
}

export interface ExportOptions {
  /** `compound` (default): the run's best compound quality; `pareto-index`: entry `index` of the Pareto front. */
  readonly by?: 'compound' | 'pareto-index';
  readonly index?: number;
  /** Directory of the built-in datasets (default `VIRNYFLOW_DATA_DIR`). */
  readonly dataDir?: string;
  /** Component modules the experiment used (see `runExperiment`). */
  readonly componentModules?: readonly string[];
}

export async function exportBestPipeline(
  store: ExperimentStore,
  experiment: string,
  run: number,
  options: ExportOptions = {},
): Promise<PipelineArtifact> {
  const key = { experiment, run };
  const exp = await store.getExperiment(key);
  if (exp === null) {
    throw engineError(
      EngineErrorCode.NotFound,
      `experiment '${experiment}' run ${run} is not in the store ${store.info.location}; check the name and --store`,
      { experiment, run },
    );
  }
  const observations = await store.listObservations(key, { status: 'ok' });
  const obs = pick(observations, options, experiment, run);
  const task = await store.getTask(obs.taskId);
  const seed = task?.seed ?? exp.seed;

  const extra: ComponentDefinition[] = await loadComponentModules(
    resolveComponentModules(options.componentModules ?? []),
  );
  const registry = createRegistry(extra);
  const config = validateConfig(exp.config, { registry });
  const dataset = await loadExperimentDataset(config, options.dataDir);
  return fitPipelineArtifact({
    config,
    dataset,
    registry,
    run,
    taskId: obs.taskId,
    lpName: obs.lpName,
    components: await lpComponents(store, key, obs),
    configuration: obs.config as Configuration,
    seed,
    recorded: { objectives: obs.objectives, weighted: obs.weighted, compound_quality: obs.compoundQuality },
  });
}

export interface FitArtifactInput {
  readonly config: ExperimentConfig;
  readonly dataset: Dataset;
  readonly registry: ComponentRegistry;
  readonly run: number;
  readonly taskId: string;
  readonly lpName: string;
  readonly components: PipelineArtifact['components'];
  /** Flat, prefixed hyper-parameters of the physical pipeline. */
  readonly configuration: Configuration;
  readonly seed: number;
  readonly recorded: PipelineArtifact['recorded'];
}

/**
 * Refits one physical pipeline on the full training split of the seeded split (one model, no bootstrap)
 * and returns it as an artifact: with the same seed this is the model the evaluation fitted at the last
 * fraction when that fraction was 1 in `no_bootstrap` mode.
 */
export function fitPipelineArtifact(input: FitArtifactInput): PipelineArtifact {
  const { config, dataset, seed } = input;
  const split = splitDataset(dataset, seed);
  const components = pipelineComponents(input.components, input.configuration, {
    registry: input.registry,
    seed,
    datasetName: dataset.name,
    objectiveMetrics: config.objectives.map((o) => o.metric),
  });
  const stages = fitStages(components, {
    xTrain: split.xTrain,
    yTrain: split.yTrain,
    rawTrain: split.rawTrain,
    xTest: split.xTest,
    rawTest: split.rawTest,
    sensitiveAttributes: config.sensitiveAttributes,
    sensitiveAttrsForIntervention: config.sensitiveAttrsForIntervention,
    seed,
  });
  const model = fitFullModel({
    X: stages.xTrain,
    y: stages.yTrain,
    ...(stages.sampleWeight ? { sampleWeight: stages.sampleWeight } : {}),
    randomState: seed,
    createModel: (s) => stages.createModel(s),
  });
  let intervention: PipelineArtifact['intervention'] = null;
  if (stages.createPost !== null) {
    const post = stages.createPost(seed);
    post.fit(model.predictProba(stages.xTrain), stages.yTrain, stages.protTrain, { seed });
    intervention = { phase: 'post', state: post.toJSON() };
  } else if (stages.intervention?.phase === 'pre') {
    intervention = { phase: 'pre', state: stages.intervention.toJSON() };
  }
  const describe = (c: Column): ArtifactInputColumn =>
    c.kind === 'numeric'
      ? { name: c.name, kind: 'numeric' }
      : { name: c.name, kind: 'categorical', value_type: c.valueType };
  const sensitiveNames = [
    ...new Set(config.sensitiveAttributes.filter((a) => !a.intersection).map((a) => a.key)),
  ].filter((n) => dataset.raw.has(n));
  return {
    kind: ARTIFACT_KIND,
    version: ARTIFACT_VERSION,
    experiment: config.name,
    run: input.run,
    task_id: input.taskId,
    logical_pipeline: input.lpName,
    components: { ...input.components },
    hyperparameters: input.configuration as JsonObject,
    seed,
    dataset: dataset.name,
    input_columns: stages.inputColumns.map((n) => describe(stages.trainTable.column(n))),
    sensitive_attributes: config.sensitiveAttributes,
    sensitive_attrs_for_intervention: config.sensitiveAttrsForIntervention,
    sensitive_columns: sensitiveNames.map((n) => describe(dataset.raw.column(n))),
    imputer: { name: components.imputerName, ...fillValues(components.imputerName, stages) },
    features: stages.featurePipeline.toJSON(),
    intervention,
    model: model.toJSON(),
    model_phase: stages.intervention?.phase === 'in' ? 'in' : 'model',
    recorded: input.recorded,
    created_at: new Date().toISOString(),
  };
}

function pick(
  observations: readonly ObservationRecord[],
  options: ExportOptions,
  experiment: string,
  run: number,
): ObservationRecord {
  const by = options.by ?? 'compound';
  if (observations.length === 0) {
    throw engineError(
      EngineErrorCode.NothingToExport,
      `experiment '${experiment}' run ${run} has no successful pipeline to export; run it (longer) first`,
      { experiment, run },
    );
  }
  if (by === 'compound') {
    let best = observations[0];
    for (const o of observations)
      if ((o.compoundQuality ?? -Infinity) > (best.compoundQuality ?? -Infinity)) best = o;
    return best;
  }
  if (by !== 'pareto-index') {
    throw engineError(
      EngineErrorCode.BadOption,
      `export by: '${String(by)}' is not one of compound, pareto-index`,
      {
        by,
      },
    );
  }
  const front = paretoFront(observations);
  const index = options.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= front.length) {
    throw engineError(
      EngineErrorCode.NothingToExport,
      `--index ${index} is outside the Pareto front of experiment '${experiment}' run ${run}, which has ` +
        `${front.length} pipeline(s) (indices 0..${front.length - 1}, see the report)`,
      { index, size: front.length },
    );
  }
  return front[index];
}

async function lpComponents(
  store: ExperimentStore,
  key: { experiment: string; run: number },
  obs: ObservationRecord,
): Promise<PipelineArtifact['components']> {
  const lp = await store.getLogicalPipeline(key, obs.lpUuid);
  if (lp === null) {
    throw engineError(
      EngineErrorCode.NotFound,
      `logical pipeline ${obs.lpName} of task ${obs.taskId} is missing`,
      {
        lp: obs.lpName,
      },
    );
  }
  return { ...lp.components };
}

/** Fill values for every input column (see the file comment); none for the `None` imputer. */
function fillValues(
  name: string,
  stages: {
    imputer: unknown;
    imputedColumns: readonly string[];
    inputColumns: readonly string[];
    trainTable: Table;
  },
): { method: PipelineArtifact['imputer']['method']; fill: Record<string, number | string> } {
  if (name === 'None') return { method: 'none', fill: {} };
  if (name !== 'median-mode' && name !== 'median-dummy' && name !== 'deletion') {
    const s = createImputer('median-mode') as SimpleImputer;
    s.fit(stages.trainTable, stages.inputColumns);
    return { method: 'median-mode', fill: s.fillValues };
  }
  const fill: Record<string, number | string> = {};
  if (stages.imputer instanceof SimpleImputer) Object.assign(fill, stages.imputer.fillValues);
  else if (stages.imputedColumns.length > 0) {
    // Deletion fills with the statistics of the rows it kept (the training rows now).
    const s = createImputer('median-mode') as SimpleImputer;
    s.fit(stages.trainTable, stages.imputedColumns);
    Object.assign(fill, s.fillValues);
  }
  const rest = stages.inputColumns.filter((c) => !(c in fill));
  if (rest.length > 0) {
    const s = createImputer(name === 'median-dummy' ? 'median-dummy' : 'median-mode') as SimpleImputer;
    s.fit(stages.trainTable, rest);
    Object.assign(fill, s.fillValues);
  }
  return { method: 'fitted', fill };
}

// --- prediction --------------------------------------------------------------------------------------------

export interface Prediction {
  /** (nRows) P(y = 1). */
  readonly probabilities: Float64Array;
  /** (nRows) 0/1: the post-processor's labels, else P(y = 1) > 0.5 (Virny's rule). */
  readonly labels: Uint8Array;
}

/** Checks an artifact's kind and version (e.g. after `JSON.parse`). */
export function parseArtifact(json: unknown): PipelineArtifact {
  const a = json as Partial<PipelineArtifact> | null;
  if (typeof a !== 'object' || a === null || a.kind !== ARTIFACT_KIND) {
    throw engineError(
      EngineErrorCode.BadArtifact,
      `not a VirnyFlow pipeline artifact (kind ${JSON.stringify(a?.kind)}); export one with 'virnyflow export'`,
    );
  }
  if (a.version !== ARTIFACT_VERSION) {
    throw engineError(
      EngineErrorCode.BadArtifact,
      `pipeline artifact version ${String(a.version)}; this build reads version ${ARTIFACT_VERSION}. Export it again`,
      { version: a.version },
    );
  }
  return a as PipelineArtifact;
}

/** Column types to read a CSV for this artifact (`readCsv(path, { columns })`), sensitive columns included when needed. */
export function artifactInputSchema(artifact: PipelineArtifact): Record<string, ColumnSchema> {
  const cols = [...artifact.input_columns, ...(needsProtected(artifact) ? artifact.sensitive_columns : [])];
  const out: Record<string, ColumnSchema> = {};
  for (const c of cols) {
    out[c.name] =
      c.kind === 'numeric'
        ? { kind: 'numeric' }
        : {
            kind: 'categorical',
            valueType: c.value_type ?? 'string',
            ...(c.value_type === 'string' ? { canonicalNumbers: true } : {}),
          };
  }
  return out;
}

/** Reads the rows of a CSV file with the artifact's column types and predicts them. */
export async function predictCsv(artifact: PipelineArtifact, path: string): Promise<Prediction> {
  const columns = artifactInputSchema(artifact);
  const table = await readCsv(path, { columns, select: Object.keys(columns) });
  return predictWithArtifact(artifact, table);
}

function needsProtected(a: PipelineArtifact): boolean {
  return a.intervention !== null || a.model_phase === 'in';
}

export function predictWithArtifact(artifact: PipelineArtifact, table: Table): Prediction {
  const a = parseArtifact(artifact);
  const input = new DataTable(a.input_columns.map((c) => prepareColumn(table, c, a.imputer.fill[c.name])));
  const features = FeaturePipeline.fromJSON(a.features);
  let X: DenseMatrix = features.transform(input);
  let prot: Uint8Array | null = null;
  if (needsProtected(a)) {
    const raw = new DataTable(a.sensitive_columns.map((c) => prepareColumn(table, c, undefined)));
    prot = protectedColumn(raw, a.sensitive_attributes, a.sensitive_attrs_for_intervention);
  }
  let post: PostProcessor | null = null;
  if (a.intervention?.phase === 'pre') {
    X = (fairnessFromJSON(a.intervention.state) as PreProcessor).transform(X, prot as Uint8Array).X;
  } else if (a.intervention?.phase === 'post') {
    post = fairnessFromJSON(a.intervention.state) as PostProcessor;
  }
  let model: Classifier;
  if (a.model_phase === 'in') {
    X = appendColumn(X, prot as Uint8Array);
    model = protectedColumnClassifierFromJSON(a.model, { loadModel: modelFromJSON });
  } else {
    model = modelFromJSON(a.model);
  }
  const probabilities = model.predictProba(X);
  let labels: Uint8Array;
  if (post !== null) labels = post.predictLabels(probabilities, prot as Uint8Array);
  else {
    labels = new Uint8Array(probabilities.length);
    for (let i = 0; i < labels.length; i++) labels[i] = probabilities[i] > 0.5 ? 1 : 0;
  }
  return { probabilities, labels };
}

/**
 * The column `spec.name` of `table` as the pipeline expects it: the right kind (text and numbers are
 * converted when a CSV was read without types) and missing values filled with `fill` when given.
 */
function prepareColumn(table: Table, spec: ArtifactInputColumn, fill: number | string | undefined): Column {
  if (!table.has(spec.name)) {
    throw engineError(
      EngineErrorCode.BadArtifact,
      `the rows to predict have no column '${spec.name}' (columns: ${table.columnNames.join(', ')}); the pipeline ` +
        `reads ${spec.kind} column '${spec.name}'`,
      { column: spec.name, columns: table.columnNames },
    );
  }
  const c = table.column(spec.name);
  if (spec.kind === 'numeric') {
    let values: Float64Array;
    if (c.kind === 'numeric') values = c.values.slice();
    else {
      values = new Float64Array(c.codes.length);
      const parsed = c.categories.map((s) => (s.trim() === '' ? NaN : Number(s)));
      for (let i = 0; i < values.length; i++) {
        const k = c.codes[i];
        values[i] = k === MISSING_CODE ? NaN : parsed[k];
      }
    }
    if (typeof fill === 'number')
      for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) values[i] = fill;
    return numericColumn(spec.name, values);
  }
  let codes: Int32Array;
  let categories: string[];
  if (c.kind === 'categorical') {
    codes = c.codes.slice();
    categories = [...c.categories];
  } else {
    categories = [];
    const index = new Map<string, number>();
    codes = new Int32Array(c.values.length);
    for (let i = 0; i < codes.length; i++) {
      const v = c.values[i];
      if (v !== v) {
        codes[i] = MISSING_CODE;
        continue;
      }
      const s = String(v);
      let k = index.get(s);
      if (k === undefined) {
        k = categories.length;
        categories.push(s);
        index.set(s, k);
      }
      codes[i] = k;
    }
  }
  if (typeof fill === 'string') {
    let k = categories.indexOf(fill);
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] !== MISSING_CODE) continue;
      if (k === -1) {
        k = categories.length;
        categories.push(fill);
      }
      codes[i] = k;
    }
  }
  return categoricalColumn(spec.name, codes, categories, spec.value_type ?? 'string');
}
