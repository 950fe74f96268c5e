import { beforeAll, describe, expect, it } from 'vitest';
import type { ComponentRegistry, ExperimentConfig, LogicalPipeline } from '@virnyflow/core';
import { enumerateLogicalPipelines, parseObservationMessage } from '@virnyflow/core';
import { generateDemoDataset, trainTestSplit } from '@virnyflow/data';
import type { Column } from '@virnyflow/data';
import { buildContext } from '../src/context';
import { datasetTables, prepareDataset } from '../src/dataset-codec';
import { evaluateTask, SplitCache } from '../src/pipeline';
import { createRegistry, loadComponentModules } from '../src/registry';
import { EngineErrorCode } from '../src/errors';
import { FLAKY_MODULE, demoConfig, demoData, taskFor } from './helpers';

let registry: ComponentRegistry;
beforeAll(async () => {
  registry = createRegistry(await loadComponentModules([FLAKY_MODULE]));
});

function lpOf(config: ExperimentConfig, model: string, fi = 'NO_FAIRNESS_INTERVENTION'): LogicalPipeline {
  const lp = enumerateLogicalPipelines(config).find(
    (l) => l.components.model === model && l.components.fairness_intervention === fi,
  );
  if (!lp) throw new Error(`no LP for ${model}/${fi}`);
  return lp;
}

function metric(
  rows: { metric: string; group: string; split: string; value: number | null }[],
  m: string,
  g: string,
  split = 'test',
) {
  const r = rows.find((x) => x.metric === m && x.group === g && x.split === split);
  if (!r) throw new Error(`no ${m}/${g}/${split}`);
  return r.value as number;
}

describe('pipeline task', () => {
  it('ok observation: objectives, weights and compound quality agree with the test metric rows', async () => {
    const config = demoConfig({ fractions: '[0.5, 1.0]' }, registry);
    // 1,200 rows → 960 training rows: below 1,000, so halting is skipped (SPEC §5.2).
    const { tables, context } = demoData(config, 1200);
    const o = await evaluateTask({
      task: taskFor(config, lpOf(config, 'lr_clf'), registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(o.status).toBe('ok');
    expect(() => parseObservationMessage(o)).not.toThrow();
    expect(o.haltingFraction).toBe(1);
    const f1 = metric(o.metrics, 'F1', 'overall');
    const eo = metric(o.metrics, 'Equalized_Odds_FPR', 'sex&race');
    expect(o.objectives[0]).toBeCloseTo(1 - f1, 12);
    expect(o.objectives[1]).toBeCloseTo(Math.abs(eo), 12);
    expect(o.weighted).toEqual(o.objectives.map((l) => 0.5 * l));
    expect(o.reversed).toEqual(o.objectives.map((l) => 1 - l));
    expect(o.compoundQuality).toBeCloseTo(0.5 * (1 - o.objectives[0]) + 0.5 * (1 - o.objectives[1]), 12);
    // Test and train tables, with every group of the dict and the disparities per key.
    for (const split of ['test', 'train']) {
      for (const g of [
        'overall',
        'sex_priv',
        'sex_dis',
        'race_priv',
        'race_dis',
        'sex&race_priv',
        'sex&race_dis',
      ]) {
        expect(Number.isFinite(metric(o.metrics, 'Accuracy', g, split))).toBe(true);
      }
      expect(Number.isFinite(metric(o.metrics, 'Equalized_Odds_TPR', 'sex', split))).toBe(true);
    }
    // The demo's test fraction is 0.2: ceil(0.2 · 1200) = 240 test rows, 960 training rows.
    expect(context.testSetFraction).toBe(0.2);
    expect(metric(o.metrics, 'Sample_Size', 'overall')).toBe(240);
    expect(metric(o.metrics, 'Sample_Size', 'overall', 'train')).toBe(960);
  });

  it('is deterministic for a task and halts when the carried best is out of reach', async () => {
    const config = demoConfig({ fractions: '[0.5, 0.75, 1.0]' }, registry);
    const { tables, context } = demoData(config, 2000);
    const splits = new SplitCache();
    const task = taskFor(config, lpOf(config, 'dt_clf'), registry);
    const a = await evaluateTask({ task, context, data: tables, registry, workerId: 'w', splits });
    const b = await evaluateTask({ task, context, data: tables, registry, workerId: 'w', splits });
    expect(a.status).toBe('ok');
    expect({ ...b, elapsedSeconds: 0 }).toEqual({ ...a, elapsedSeconds: 0 });
    // No pipeline reaches a compound quality of 2, so it stops after the first fraction.
    const pruned = await evaluateTask({
      task: { ...task, bestCompoundQuality: 2 },
      context,
      data: tables,
      registry,
      workerId: 'w',
      splits,
    });
    expect(pruned.status).toBe('ok');
    expect(pruned.haltingFraction).toBe(0.5);
    // The 0.5 subsample trains on half of the 1,600 training rows (stratified, nested).
    expect(metric(pruned.metrics, 'Sample_Size', 'overall', 'train')).toBe(800);
  });

  it('bootstrap mode: stability metrics on both splits from the same estimators', async () => {
    const config = demoConfig(
      {
        objectives: `    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Label_Stability', group: 'overall', weight: 0.5 }`,
        virny: '  bootstrap_fraction: 0.8\n  n_estimators: 4',
      },
      registry,
    );
    const { tables, context } = demoData(config, 800);
    const o = await evaluateTask({
      task: taskFor(config, lpOf(config, 'dt_clf'), registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(o.status).toBe('ok');
    for (const split of ['test', 'train']) {
      for (const m of ['Std', 'IQR', 'Jitter', 'Label_Stability', 'Overall_Uncertainty']) {
        expect(Number.isFinite(metric(o.metrics, m, 'overall', split))).toBe(true);
      }
    }
    expect(o.objectives[1]).toBeCloseTo(1 - metric(o.metrics, 'Label_Stability', 'overall'), 12);
  });

  it('fairness interventions: pre (DIR), in (EGR) and post (EOP, label-only metrics)', async () => {
    const config = demoConfig({ interventions: ['DIR', 'EGR', 'EOP'], models: ['dt_clf'] }, registry);
    const { tables, context } = demoData(config, 800);
    const results = new Map<string, Awaited<ReturnType<typeof evaluateTask>>>();
    for (const fi of ['DIR', 'EGR', 'EOP']) {
      const lp = lpOf(config, 'dt_clf', fi);
      const task = taskFor(config, lp, registry);
      const configuration = fi === 'EGR' ? { ...task.configuration, fi__max_iter: 50 } : task.configuration;
      results.set(
        fi,
        await evaluateTask({
          task: { ...task, configuration },
          context,
          data: tables,
          registry,
          workerId: 'w',
        }),
      );
    }
    for (const [fi, o] of results)
      expect({ fi, status: o.status, failure: o.failure }).toEqual({ fi, status: 'ok', failure: null });
    const eop = results.get('EOP')?.metrics ?? [];
    expect(eop.some((r) => r.metric === 'Label_Stability')).toBe(true);
    expect(eop.some((r) => r.metric === 'Mean_Prediction')).toBe(false);
    const dir = results.get('DIR')?.metrics ?? [];
    expect(dir.some((r) => r.metric === 'Mean_Prediction')).toBe(true);
  });

  it('failures become failed observations: a throwing model, non-finite objectives', async () => {
    const config = demoConfig({ models: ['flaky_clf', 'constant_clf'] }, registry);
    const { tables, context } = demoData(config, 600);
    const flaky = await evaluateTask({
      task: taskFor(config, lpOf(config, 'flaky_clf'), registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(flaky.status).toBe('failed');
    expect(flaky.failure?.code).toBe('VF_TEST_FLAKY_MODEL');
    expect(flaky.metrics).toEqual([]);
    expect(() => parseObservationMessage(flaky)).not.toThrow();

    // Every row predicted negative: F1 = 0 is finite, but PPV = 0/0 is not.
    const ppv = demoConfig(
      {
        models: ['constant_clf'],
        objectives: `    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'PPV', group: 'overall', weight: 0.5 }`,
      },
      registry,
    );
    const nan = await evaluateTask({
      task: taskFor(ppv, lpOf(ppv, 'constant_clf'), registry),
      context: demoData(ppv, 600).context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(nan.status).toBe('failed');
    expect(nan.failure?.code).toBe(EngineErrorCode.NonFiniteObjective);
  });

  it("'None' imputer: a tree model takes the missing values as they are", async () => {
    const config = demoConfig({ imputers: [], models: ['dt_clf'] }, registry);
    const { tables, context } = demoData(config, 800);
    const income = tables.features.column('income');
    expect(income.kind === 'numeric' && income.values.some(Number.isNaN)).toBe(true);
    const o = await evaluateTask({
      task: taskFor(config, lpOf(config, 'dt_clf'), registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(o.lpName).toBe('None&NO_FAIRNESS_INTERVENTION&dt_clf');
    expect(o.status).toBe('ok');
  });

  it('nulls only in the test split are filled from the training rows (not left for the model to choke on)', async () => {
    const config = demoConfig({ models: ['lr_clf'] }, registry);
    const ds = generateDemoDataset({ rows: 600, missingRate: 0 });
    const { test } = trainTestSplit(600, ds.testSetFraction, 101);
    const prepared = prepareDataset(ds);
    const columns = prepared.columns.map((c): Column => {
      if (c.kind !== 'numeric' || c.name !== 'income') return c;
      const values = c.values.slice();
      for (let k = 0; k < 5; k++) values[test[k]] = NaN;
      return { ...c, values };
    });
    const tables = datasetTables({ ...prepared, columns });
    const context = buildContext(config, {
      name: 'demo',
      hash: 'test-only-nulls',
      testSetFraction: ds.testSetFraction,
    });
    const o = await evaluateTask({
      task: taskFor(config, lpOf(config, 'lr_clf'), registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect({ status: o.status, failure: o.failure }).toEqual({ status: 'ok', failure: null });
  });

  it('synthetic pipelines: deterministic losses without touching data', async () => {
    const config = demoConfig({}, registry);
    const { context } = demoData(config, 300);
    const task = taskFor(config, lpOf(config, 'dt_clf'), registry);
    const ctx = { ...context, synthetic: { sleepMs: 0 } };
    const a = await evaluateTask({ task, context: ctx, data: null, registry, workerId: 'w' });
    const b = await evaluateTask({ task, context: ctx, data: null, registry, workerId: 'w' });
    expect(a.status).toBe('ok');
    expect(a.objectives).toEqual(b.objectives);
    expect(a.objectives.every((l) => l >= 0 && l < 1)).toBe(true);
  });
});
