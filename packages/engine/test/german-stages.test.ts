/**
 * End to end on real data: `configs/german_stages.yaml` (imputers × interventions × models under injected
 * nulls) through `runExperiment`, on a smaller budget — every logical pipeline once (`max_trials: 1`), and
 * `rf_clf` left out to keep it quick. Needs the German credit file: skipped unless VIRNYFLOW_DATA_DIR is set.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '@virnyflow/core';
import { enumerateLogicalPipelines, loadConfig, seedForRun } from '@virnyflow/core';
import { columnsWithMissing, countMissing } from '@virnyflow/data';
import { openStore } from '@virnyflow/store';
import type { ObservationRecord } from '@virnyflow/store';
import { buildContext } from '../src/context';
import { datasetTables, prepareDataset } from '../src/dataset-codec';
import { loadExperimentDataset } from '../src/experiment-data';
import { makeSplit } from '../src/pipeline';
import { createRegistry } from '../src/registry';
import { runExperiment } from '../src/run';
import { fitStages, pipelineComponents } from '../src/stages';
import { taskFor, tempDirs } from './helpers';

const dataDir = process.env.VIRNYFLOW_DATA_DIR;
const configPath = fileURLToPath(new URL('../../../configs/german_stages.yaml', import.meta.url));
const registry = createRegistry();
const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** The shipped config with a test budget; fails loudly if the lines it edits have changed. */
function smallConfig(): ExperimentConfig {
  let text = readFileSync(configPath, 'utf8');
  const edit = (from: string, to: string): void => {
    expect(text, `configs/german_stages.yaml should contain "${from}"`).toContain(from);
    text = text.replace(from, to);
  };
  edit('max_total_pipelines_num: 120', 'max_trials: 1');
  edit("models: ['lr_clf', 'dt_clf', 'rf_clf']", "models: ['lr_clf', 'dt_clf']");
  return loadConfig(text, { registry });
}

interface Seen {
  readonly status: string;
  readonly config: unknown;
  readonly objectives: unknown;
  readonly compoundQuality: number | null;
  readonly metrics: unknown;
}

async function runOnce(config: ExperimentConfig): Promise<Map<string, Seen>> {
  const storeDir = dirs.make();
  const summary = await runExperiment({ config, storeDir, dataDir, threads: 2 });
  expect(summary.runs).toHaveLength(1);
  // Every LP at its max_trials (1): the run ends with its pipelines exhausted (or the budget, the same 32).
  expect(summary.runs[0]).toMatchObject({ status: 'completed' });
  expect(['exhausted', 'budget']).toContain(summary.runs[0].reason);
  const store = await openStore(storeDir);
  try {
    const obs: ObservationRecord[] = await store.listObservations({ experiment: config.name, run: 1 });
    const out = new Map<string, Seen>();
    for (const o of obs) {
      const metrics = (await store.getMetrics(o.taskId))
        .map((m) => `${m.split}/${m.metric}/${m.group}=${m.value}`)
        .sort();
      expect(out.has(o.lpName), `${o.lpName} observed twice`).toBe(false);
      out.set(o.lpName, {
        status: o.status,
        config: o.config,
        objectives: o.objectives,
        compoundQuality: o.compoundQuality,
        metrics,
      });
    }
    return out;
  } finally {
    await store.close();
  }
}

describe.skipIf(!dataDir)('configs/german_stages.yaml end to end (real data)', () => {
  it('injects nulls into the run split that every imputer of the config fills', async () => {
    const config = smallConfig();
    expect(config.errorInjection.map((e) => e.columns)).toEqual([
      ['duration', 'credit-amount'],
      ['employment-since'],
    ]);
    const dataset = await loadExperimentDataset(config, dataDir);
    expect(columnsWithMissing(dataset.features)).toEqual([]);
    const seed = seedForRun(1);
    const context = buildContext(config, {
      name: dataset.name,
      hash: dataset.contentHash,
      testSetFraction: dataset.testSetFraction,
    });
    const split = makeSplit(datasetTables(prepareDataset(dataset)), seed, context);
    const injected = ['duration', 'credit-amount', 'employment-since'];
    expect(columnsWithMissing(split.xTrain)).toEqual(
      dataset.features.columnNames.filter((c) => injected.includes(c)),
    );
    const nTrain = split.xTrain.nRows;
    expect(nTrain).toBe(700);
    const mcar = ['duration', 'credit-amount'].reduce((n, c) => n + countMissing(split.xTrain.column(c)), 0);
    expect(mcar).toBe(Math.floor(0.2 * nTrain));
    expect(countMissing(split.xTest.column('employment-since'))).toBeGreaterThan(0);

    for (const imputer of config.nullImputers) {
      const lp = enumerateLogicalPipelines(config).find(
        (l) => l.components.null_imputation === imputer && l.components.model === 'lr_clf',
      );
      if (!lp) throw new Error(`no ${imputer} pipeline`);
      const stages = fitStages(
        pipelineComponents(lp.components, taskFor(config, lp, registry).configuration, {
          registry,
          seed,
          datasetName: dataset.name,
          objectiveMetrics: config.objectives.map((o) => o.metric),
        }),
        {
          xTrain: split.xTrain,
          yTrain: split.yTrain,
          rawTrain: split.rawTrain,
          xTest: split.xTest,
          rawTest: split.rawTest,
          sensitiveAttributes: context.sensitiveAttributes,
          sensitiveAttrsForIntervention: context.sensitiveAttrsForIntervention,
          seed,
        },
      );
      expect({ imputer, imputed: [...stages.imputedColumns].sort() }).toEqual({
        imputer,
        imputed: [...injected].sort(),
      });
      expect({ imputer, left: columnsWithMissing(stages.trainTable) }).toEqual({ imputer, left: [] });
      const nan = (a: ArrayLike<number>): boolean => {
        for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) return true;
        return false;
      };
      expect({ imputer, nan: nan(stages.xTrain.data) || nan(stages.xTest.data) }).toEqual({
        imputer,
        nan: false,
      });
    }
  }, 120_000);

  it('records one ok observation per logical pipeline, and the same seed gives the same observations', async () => {
    const config = smallConfig();
    const lps = enumerateLogicalPipelines(config);
    expect(lps).toHaveLength(4 * 4 * 2);
    const t0 = performance.now();
    const first = await runOnce(config);
    const seconds = (performance.now() - t0) / 1000;
    expect([...first.keys()].sort()).toEqual(lps.map((l) => l.name).sort());
    for (const [lp, o] of first) expect({ lp, status: o.status }).toEqual({ lp, status: 'ok' });
    // Every stage variant is represented (lr_clf rejects NaN: its pipelines ran on imputed data).
    const parts = [...first.keys()].map((n) => n.split('&'));
    expect(new Set(parts.map((p) => p[0]))).toEqual(new Set(config.nullImputers));
    expect(new Set(parts.map((p) => p[1]))).toEqual(new Set(config.fairnessInterventions));
    expect(new Set(parts.map((p) => p[2]))).toEqual(new Set(config.models));
    // Imputers do differ on the same nulls: not every imputer gives the same test metrics.
    const byImputer = (imp: string) => first.get(`${imp}&NO_FAIRNESS_INTERVENTION&dt_clf`)?.metrics;
    expect(new Set(config.nullImputers.map((i) => JSON.stringify(byImputer(i)))).size).toBeGreaterThan(1);

    const second = await runOnce(config);
    expect(second.size).toBe(first.size);
    for (const [lp, o] of first) expect({ lp, ...second.get(lp) }).toEqual({ lp, ...o });
    console.log(`german_stages (${lps.length} pipelines): first run ${seconds.toFixed(1)} s`);
  }, 600_000);
});
