/**
 * `virnyflow validate <config>`: the resolved config, the logical pipelines it implies, and a summary of its
 * dataset (rows, columns, target balance, missing values, the size of every privileged/disadvantaged group
 * including intersections, overall and in each run's test split) — or every problem with its code.
 */
import { enumerateLogicalPipelines, describeConfig, seedForRun, VirnyFlowError } from '@virnyflow/core';
import type { ExperimentConfig } from '@virnyflow/core';
import { loadDataset, splitDataset, columnsWithMissing } from '@virnyflow/data';
import type { Dataset } from '@virnyflow/data';
import { applyErrorInjection } from '@virnyflow/imputation';
import { buildGroups } from '@virnyflow/metrics';
import { loadExperimentConfig } from '../config-loading';

export interface ValidateOptions {
  readonly dataDir?: string;
  readonly format?: 'text' | 'json';
}

export interface GroupSizes {
  readonly names: readonly string[];
  readonly sizes: readonly number[];
}

export interface DatasetSummary {
  readonly name: string;
  readonly rows: number;
  readonly numericalColumns: readonly string[];
  readonly categoricalColumns: readonly string[];
  readonly positives: number;
  readonly positiveRate: number;
  readonly missingCells: Readonly<Record<string, number>>;
  readonly testSetFraction: number;
  readonly contentHash: string;
  readonly groups: GroupSizes;
  /** Group sizes in the test split of each run (seed 100 + run_num). */
  readonly testGroups: Record<string, GroupSizes>;
}

export const ValidationErrorCode = {
  NullsUnhandled: 'VF_CONFIG_NULLS_UNHANDLED',
  InterventionAttribute: 'VF_CONFIG_INTERVENTION_ATTRIBUTE',
} as const;

/** Models that cannot take missing values (trees learn a default direction for NaN; these do not). */
const MODELS_WITHOUT_NAN_SUPPORT = new Set(['lr_clf', 'mlp_clf', 'knn_clf', 'svc_clf']);

/** Loads the dataset of a config and checks what can only be checked against the data. */
export async function loadAndCheckDataset(config: ExperimentConfig, dataDir?: string): Promise<Dataset> {
  const source = config.customDataset ? { ...config.customDataset, name: config.dataset } : config.dataset;
  const dataset = await loadDataset(source, {
    ...(dataDir !== undefined ? { dataDir } : {}),
    sensitiveAttributes: config.sensitiveAttributesDct,
  });
  for (const attr of config.sensitiveAttrsForIntervention) {
    const hasIntervention = config.fairnessInterventions.some((f) => f !== 'NO_FAIRNESS_INTERVENTION');
    if (hasIntervention && !dataset.raw.has(attr)) {
      throw new VirnyFlowError(
        ValidationErrorCode.InterventionAttribute,
        `pipeline_args.sensitive_attrs_for_intervention: '${attr}' is not a column of dataset '${dataset.name}' ` +
          `(columns: ${dataset.raw.columnNames.join(', ')}); use one of its columns`,
        { details: { attribute: attr } },
      );
    }
  }
  if (config.errorInjection.length > 0) {
    // Checks every injected column and condition against the data (VF_IMPUTATION_UNKNOWN_COLUMN).
    const run = config.runNums[0] as number;
    applyErrorInjection(splitDataset(dataset, seedForRun(run)), config.errorInjection, seedForRun(run));
  }
  const injected = config.errorInjection.flatMap((e) => e.columns);
  const withNulls = [...new Set([...columnsWithMissing(dataset.features), ...injected])];
  if (withNulls.length > 0 && config.nullImputers.includes('None')) {
    const blocked = config.models.filter((m) => MODELS_WITHOUT_NAN_SUPPORT.has(m));
    if (blocked.length > 0) {
      throw new VirnyFlowError(
        ValidationErrorCode.NullsUnhandled,
        `pipeline_args.null_imputers: 'None' (no imputation) leaves missing values in ${withNulls.join(', ')}, ` +
          `which models ${blocked.join(', ')} cannot take; add an imputer such as median-mode, or use tree models only`,
        { details: { columns: withNulls, models: blocked } },
      );
    }
  }
  return dataset;
}

export function summarizeDataset(config: ExperimentConfig, dataset: Dataset): DatasetSummary {
  const groups = buildGroups(dataset.raw, config.sensitiveAttributes);
  const testGroups: Record<string, GroupSizes> = {};
  for (const run of config.runNums) {
    const split = splitDataset(dataset, seedForRun(run));
    // Throws VF_METRICS_EMPTY_GROUP naming the group when a test split has no member of it (SPEC §13.10).
    const g = buildGroups(split.rawTest, config.sensitiveAttributes);
    testGroups[String(run)] = { names: g.names, sizes: g.sizes };
  }
  let positives = 0;
  for (let i = 0; i < dataset.target.length; i++) positives += dataset.target[i];
  return {
    name: dataset.name,
    rows: dataset.features.nRows,
    numericalColumns: dataset.numericalColumns,
    categoricalColumns: dataset.categoricalColumns,
    positives,
    positiveRate: positives / Math.max(1, dataset.target.length),
    missingCells: dataset.info.missingCells,
    testSetFraction: dataset.testSetFraction,
    contentHash: dataset.contentHash,
    groups: { names: groups.names, sizes: groups.sizes },
    testGroups,
  };
}

export async function validateCommand(configPath: string, options: ValidateOptions): Promise<string> {
  const config = loadExperimentConfig(configPath);
  const dataset = await loadAndCheckDataset(config, options.dataDir);
  const summary = summarizeDataset(config, dataset);
  if (options.format === 'json') {
    return (
      JSON.stringify(
        {
          valid: true,
          config: config.raw,
          resolved: {
            name: config.name,
            run_nums: config.runNums,
            computation_mode: config.computationMode,
            objectives: config.objectives,
            max_trials: config.maxTrials,
            max_total_pipelines_num: config.maxTotalPipelinesNum,
            queue_size: config.queueSize,
            training_set_fractions_for_halting: config.trainingSetFractionsForHalting,
          },
          logical_pipelines: enumerateLogicalPipelines(config).map((lp) => ({
            name: lp.name,
            uuid: lp.uuid,
          })),
          dataset: summary,
        },
        null,
        2,
      ) + '\n'
    );
  }
  return `${describeConfig(config)}\n\n${renderDatasetSummary(summary)}\nconfig is valid\n`;
}

export function renderDatasetSummary(s: DatasetSummary): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const missing = Object.entries(s.missingCells);
  const lines = [
    `dataset      ${s.name}: ${s.rows} rows, ${s.numericalColumns.length} numerical + ${s.categoricalColumns.length} categorical features`,
    `target       ${s.positives} positive (${pct(s.positiveRate)}), ${s.rows - s.positives} negative`,
    `missing      ${missing.length === 0 ? 'none' : missing.map(([c, n]) => `${c}: ${n}`).join(', ')}`,
    `test split   ${pct(s.testSetFraction)} of rows`,
    'groups       (whole dataset; test split per run)',
  ];
  const runs = Object.keys(s.testGroups);
  const width = Math.max(...s.groups.names.map((n) => n.length));
  lines.push(
    `  ${'group'.padEnd(width)}  ${'rows'.padStart(7)}  ${'share'.padStart(6)}` +
      runs.map((r) => `  ${`test r${r}`.padStart(8)}`).join(''),
  );
  s.groups.names.forEach((name, i) => {
    const n = s.groups.sizes[i];
    lines.push(
      `  ${name.padEnd(width)}  ${String(n).padStart(7)}  ${pct(n / s.rows).padStart(6)}` +
        runs.map((r) => `  ${String(s.testGroups[r].sizes[i]).padStart(8)}`).join(''),
    );
  });
  return lines.join('\n') + '\n';
}
