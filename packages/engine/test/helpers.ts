import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComponentRegistry, ExperimentConfig, LogicalPipeline, TaskMessage } from '@virnyflow/core';
import { MESSAGE_VERSION, defaultConfiguration, loadConfig, lpSearchSpace } from '@virnyflow/core';
import { generateDemoDataset } from '@virnyflow/data';
import type { ExperimentContext } from '../src/context';
import { buildContext } from '../src/context';
import type { DatasetTables } from '../src/dataset-codec';
import { datasetTables, prepareDataset } from '../src/dataset-codec';

export const FLAKY_MODULE = pathToFileURL(join(import.meta.dirname, 'fixtures', 'flaky-model.ts')).href;

/** A demo-dataset experiment config; `extra` lines replace the defaults below by key. */
export function demoConfigText(o: {
  name?: string;
  models?: string[];
  interventions?: string[];
  objectives?: string;
  budget?: number | null;
  maxTrials?: number;
  fractions?: string;
  virny?: string;
  risk?: number;
  timeBudget?: number;
  runNums?: string;
  imputers?: string[];
}): string {
  return `
common_args:
  exp_config_name: '${o.name ?? 'test'}'
  run_nums: ${o.runNums ?? '[1]'}
pipeline_args:
  dataset: 'demo'
  sensitive_attrs_for_intervention: ['sex']
  null_imputers: [${(o.imputers ?? ['median-mode']).map((s) => `'${s}'`).join(', ')}]
  fairness_interventions: [${(o.interventions ?? []).map((s) => `'${s}'`).join(', ')}]
  models: [${(o.models ?? ['dt_clf', 'lr_clf']).map((s) => `'${s}'`).join(', ')}]
optimisation_args:
  ref_point: [0.5, 0.5]
  objectives:
${
  o.objectives ??
  `    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Equalized_Odds_FPR', group: 'sex&race', weight: 0.5 }`
}
${o.budget === null ? '' : `  max_total_pipelines_num: ${o.budget ?? 6}`}
${o.maxTrials === undefined ? '' : `  max_trials: ${o.maxTrials}`}
${o.timeBudget === undefined ? '' : `  max_time_budget: ${o.timeBudget}`}
  num_workers: 2
  num_pp_candidates: 2
  training_set_fractions_for_halting: ${o.fractions ?? '[1.0]'}
  exploration_factor: 0.5
  risk_factor: ${o.risk ?? 0.5}
virny_args:
${o.virny ?? ''}
  sensitive_attributes_dct: { 'sex': 'female', 'race': 'minority', 'sex&race': None }
`;
}

export function demoConfig(
  o: Parameters<typeof demoConfigText>[0],
  registry?: ComponentRegistry,
): ExperimentConfig {
  return loadConfig(demoConfigText(o), registry ? { registry } : {});
}

/** Demo data of `rows` rows with its context for `config`. */
export function demoData(
  config: ExperimentConfig,
  rows: number,
): { tables: DatasetTables; context: ExperimentContext } {
  const ds = generateDemoDataset({ rows });
  return {
    tables: datasetTables(prepareDataset(ds)),
    context: buildContext(config, {
      name: ds.name,
      hash: `demo-${rows}`,
      testSetFraction: ds.testSetFraction,
    }),
  };
}

export function taskFor(
  config: ExperimentConfig,
  lp: LogicalPipeline,
  registry: ComponentRegistry,
  overrides: Partial<TaskMessage> = {},
): TaskMessage {
  return {
    version: MESSAGE_VERSION,
    taskId: `t-${lp.name}`,
    experiment: config.name,
    runNum: 1,
    lpUuid: lp.uuid,
    lpName: lp.name,
    components: { ...lp.components },
    configuration: defaultConfiguration(lpSearchSpace(lp, registry)),
    seed: 101,
    objectives: config.objectives,
    bestCompoundQuality: null,
    attempt: 1,
    ...overrides,
  };
}

export function tempDirs(): { make(): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    make() {
      const d = mkdtempSync(join(tmpdir(), 'vf-engine-test-'));
      dirs.push(d);
      return d;
    },
    cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
