/**
 * `pipeline_args.error_injection` in the engine: the context carries it, `makeSplit` applies it right after
 * the run's split with the run seed, every pipeline of the run sees the same injected cells, imputers are
 * fitted on the training rows only, and the load-time check counts injected columns.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentDefinition, ComponentRegistry, ExperimentConfig } from '@virnyflow/core';
import { Rng, emptySpace, enumerateLogicalPipelines, hashString, loadConfig } from '@virnyflow/core';
import type { Column, Dataset, Imputer, ImputerFactory, Table } from '@virnyflow/data';
import { createImputer, generateDemoDataset, median } from '@virnyflow/data';
import { ImputationErrorCode } from '@virnyflow/imputation';
import { buildContext, decodeContext, encodeContext } from '../src/context';
import type { ExperimentContext } from '../src/context';
import type { DatasetTables } from '../src/dataset-codec';
import { datasetTables, prepareDataset } from '../src/dataset-codec';
import { EngineErrorCode } from '../src/errors';
import { checkMissingValues } from '../src/experiment-data';
import { SplitCache, evaluateTask, makeSplit } from '../src/pipeline';
import { createRegistry } from '../src/registry';
import { runExperiment } from '../src/run';
import { fitStages, pipelineComponents } from '../src/stages';
import { demoConfigText, taskFor, tempDirs } from './helpers';

const NUMERIC = ['education_years', 'credit_history_years'];
const INJECTION = `  error_injection:
    - { strategy: 'MCAR', columns: ['education_years', 'credit_history_years'], null_percentage: 0.2 }
    - strategy: 'MAR'
      columns: ['marital_status']
      null_percentage: 0.3
      condition: { column: 'sex', op: '==', value: 'female' }
      splits: ['train']
`;

/** What the probe imputer saw: a hash of the missing-cell mask of every table it was fitted on / applied to. */
const probeLog: { phase: 'fit' | 'transform'; rows: number; missing: number; mask: number }[] = [];

function maskOf(t: Table): { missing: number; mask: number } {
  const bits: number[] = [];
  for (const c of t.columns) {
    for (let i = 0; i < t.nRows; i++) if (isMissing(c, i)) bits.push(i, t.columns.indexOf(c));
  }
  return { missing: bits.length / 2, mask: hashString(bits.join(',')) };
}

function isMissing(c: Column, i: number): boolean {
  return c.kind === 'numeric' ? Number.isNaN(c.values[i]) : c.codes[i] < 0;
}

/** median-mode, recording the missing cells of what it is given. */
const probe: ComponentDefinition<ImputerFactory> = {
  stage: 'null_imputation',
  name: 'probe',
  description: 'median-mode that records the missing cells it sees (tests)',
  space: emptySpace,
  create: (): Imputer => {
    const inner = createImputer('median-mode');
    return {
      name: 'probe',
      fit(train, columns) {
        probeLog.push({ phase: 'fit', rows: train.nRows, ...maskOf(train) });
        inner.fit(train, columns);
      },
      transform(t) {
        probeLog.push({ phase: 'transform', rows: t.nRows, ...maskOf(t) });
        return inner.transform(t);
      },
    };
  },
};

let registry: ComponentRegistry;
beforeAll(() => {
  registry = createRegistry([probe as ComponentDefinition]);
});

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

function injectedConfig(o: Parameters<typeof demoConfigText>[0], injection = INJECTION): ExperimentConfig {
  const text = demoConfigText(o).replace('pipeline_args:\n', `pipeline_args:\n${injection}`);
  return loadConfig(text, { registry });
}

/** Demo data without missing values of its own, so every null below is an injected one. */
function cleanDemo(rows: number): Dataset {
  return generateDemoDataset({ rows, missingRate: 0 });
}

function setup(
  config: ExperimentConfig,
  rows: number,
): { dataset: Dataset; tables: DatasetTables; context: ExperimentContext } {
  const dataset = cleanDemo(rows);
  return {
    dataset,
    tables: datasetTables(prepareDataset(dataset)),
    context: buildContext(config, {
      name: 'demo',
      hash: `clean-demo-${rows}`,
      testSetFraction: dataset.testSetFraction,
    }),
  };
}

function missingCount(t: Table, columns: readonly string[], rows?: (i: number) => boolean): number {
  let n = 0;
  for (const name of columns) {
    const c = t.column(name);
    for (let i = 0; i < t.nRows; i++) if ((rows?.(i) ?? true) && isMissing(c, i)) n++;
  }
  return n;
}

function femaleRows(raw: Table): (i: number) => boolean {
  const sex = raw.column('sex');
  if (sex.kind !== 'categorical') throw new Error('sex must be categorical');
  const f = sex.categories.indexOf('female');
  return (i) => sex.codes[i] === f;
}

describe('error injection in the run split', () => {
  it('the context carries the specs across the boundary, and an old-format context is refused', () => {
    const config = injectedConfig({});
    const { context } = setup(config, 300);
    expect(context.errorInjection).toEqual(config.errorInjection);
    expect(decodeContext(encodeContext(context))).toEqual(context);
    const { errorInjection: _dropped, ...old } = context;
    expect(() => decodeContext(new TextEncoder().encode(JSON.stringify(old)))).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadBlob }),
    );
  });

  it('injects ⌊rows × p⌋ cells per spec and split with the run seed; raw values stay true', () => {
    const config = injectedConfig({});
    const { tables, context } = setup(config, 1000);
    const s = makeSplit(tables, 101, context);
    const nTrain = s.xTrain.nRows;
    const nTest = s.xTest.nRows;
    expect(missingCount(s.xTrain, NUMERIC)).toBe(Math.floor(nTrain * 0.2));
    expect(missingCount(s.xTest, NUMERIC)).toBe(Math.floor(nTest * 0.2));
    // MAR among women, training split only.
    const women = femaleRows(s.rawTrain);
    let nWomen = 0;
    for (let i = 0; i < nTrain; i++) if (women(i)) nWomen++;
    expect(missingCount(s.xTrain, ['marital_status'], women)).toBe(Math.floor(nWomen * 0.3));
    expect(missingCount(s.xTrain, ['marital_status'], (i) => !women(i))).toBe(0);
    expect(missingCount(s.xTest, ['marital_status'])).toBe(0);
    expect(s.injection.map((c) => [c.spec, c.split, c.injected])).toEqual([
      [0, 'train', Math.floor(nTrain * 0.2)],
      [0, 'test', Math.floor(nTest * 0.2)],
      [1, 'train', Math.floor(nWomen * 0.3)],
    ]);
    expect(missingCount(s.rawTrain, [...NUMERIC, 'marital_status'])).toBe(0);
    expect(missingCount(s.rawTest, NUMERIC)).toBe(0);

    // A pure function of (data, seed, specs): recomputed elsewhere it is the same; another seed differs.
    const again = makeSplit(tables, 101, context);
    expect(maskOf(again.xTrain)).toEqual(maskOf(s.xTrain));
    expect(maskOf(again.xTest)).toEqual(maskOf(s.xTest));
    const other = makeSplit(tables, 102, context);
    expect(maskOf(other.xTrain).mask).not.toBe(maskOf(s.xTrain).mask);
  });

  it('the split cache is keyed by the injection: the same context shares one split, none gives no nulls', () => {
    const config = injectedConfig({});
    const { tables, context } = setup(config, 500);
    const cache = new SplitCache();
    const a = cache.get(context.datasetHash, tables, 101, context);
    expect(cache.get(context.datasetHash, tables, 101, context)).toBe(a);
    const plain = cache.get(context.datasetHash, tables, 101, { ...context, errorInjection: [] });
    expect(plain).not.toBe(a);
    expect(missingCount(plain.xTrain, [...NUMERIC, 'marital_status'])).toBe(0);
    expect(missingCount(a.xTrain, NUMERIC)).toBeGreaterThan(0);
  });
});

describe('pipelines under injected nulls', () => {
  it('every pipeline of a run, in any thread, is fitted and applied on the same injected cells', async () => {
    const config = injectedConfig({
      imputers: ['probe'],
      interventions: ['DIR'],
      models: ['dt_clf', 'lr_clf'],
    });
    const { tables, context } = setup(config, 800);
    const expected = makeSplit(tables, 101, context);
    const lps = enumerateLogicalPipelines(config);
    expect(lps).toHaveLength(4);
    probeLog.length = 0;
    for (const lp of lps) {
      // A fresh cache per task: as if each ran in another thread or on another worker.
      const o = await evaluateTask({
        task: taskFor(config, lp, registry),
        context,
        data: tables,
        registry,
        workerId: 'w',
        splits: new SplitCache(),
      });
      expect({ lp: lp.name, status: o.status, failure: o.failure }).toEqual({
        lp: lp.name,
        status: 'ok',
        failure: null,
      });
    }
    const sensitive = ['sex', 'race'];
    const fit = probeLog.filter((e) => e.phase === 'fit');
    expect(fit).toHaveLength(4);
    // Fitted on the training rows only (sensitive attributes dropped first), never on test rows.
    const train = maskOf(expected.xTrain.drop(sensitive));
    for (const e of fit) expect(e).toEqual({ phase: 'fit', rows: expected.xTrain.nRows, ...train });
    const test = maskOf(expected.xTest.drop(sensitive));
    const applied = probeLog.filter((e) => e.phase === 'transform' && e.rows === expected.xTest.nRows);
    expect(applied).toHaveLength(4);
    for (const e of applied) expect(e).toEqual({ phase: 'transform', rows: expected.xTest.nRows, ...test });
  });

  it('imputers fill the injected cells from the training rows; lr_clf then runs, and fails without an imputer', async () => {
    const config = injectedConfig({ imputers: ['median-mode'], models: ['lr_clf'] });
    const { tables, context } = setup(config, 800);
    const split = makeSplit(tables, 101, context);
    const lp = enumerateLogicalPipelines(config)[0];
    const components = pipelineComponents(lp.components, taskFor(config, lp, registry).configuration, {
      registry,
      seed: 101,
      datasetName: 'demo',
      objectiveMetrics: ['F1'],
    });
    const stages = fitStages(components, {
      xTrain: split.xTrain,
      yTrain: split.yTrain,
      rawTrain: split.rawTrain,
      xTest: split.xTest,
      rawTest: split.rawTest,
      sensitiveAttributes: context.sensitiveAttributes,
      sensitiveAttrsForIntervention: context.sensitiveAttrsForIntervention,
      seed: 101,
    });
    expect([...stages.imputedColumns].sort()).toEqual([...NUMERIC, 'marital_status'].sort());
    expect(missingCount(stages.trainTable, [...NUMERIC, 'marital_status'])).toBe(0);
    // The fill value is the median of the observed training values, whichever split a hole is in.
    for (const name of NUMERIC) {
      const before = split.xTrain.column(name) as { values: Float64Array };
      const trainMedian = median(before.values);
      const after = stages.trainTable.column(name) as { values: Float64Array };
      const testBefore = split.xTest.column(name) as { values: Float64Array };
      const testAfter = stages.imputer.transform(split.xTest).column(name) as { values: Float64Array };
      let filled = 0;
      for (let i = 0; i < before.values.length; i++) {
        if (!Number.isNaN(before.values[i])) continue;
        expect(after.values[i]).toBe(trainMedian);
        filled++;
      }
      for (let i = 0; i < testBefore.values.length; i++) {
        if (!Number.isNaN(testBefore.values[i])) continue;
        expect(testAfter.values[i]).toBe(trainMedian);
        filled++;
      }
      expect(filled).toBeGreaterThan(0);
    }

    // Every imputer makes the injected data usable by a model that rejects NaN …
    const imputers = ['median-mode', 'median-dummy', 'deletion', 'knn', 'k_means_clustering', 'miss_forest'];
    const all = injectedConfig({ imputers, models: ['lr_clf'] });
    for (const l of enumerateLogicalPipelines(all)) {
      const task = taskFor(all, l, registry);
      const configuration =
        l.components.null_imputation === 'miss_forest'
          ? {
              ...task.configuration,
              mvi__RandomForestClassifier__n_estimators: 50,
              mvi__RandomForestRegressor__n_estimators: 50,
            }
          : task.configuration;
      const o = await evaluateTask({
        task: { ...task, configuration },
        context,
        data: tables,
        registry,
        workerId: 'w',
      });
      expect({ lp: l.name, status: o.status, failure: o.failure }).toEqual({
        lp: l.name,
        status: 'ok',
        failure: null,
      });
    }
    // … while without one the injected NaNs reach it (the load-time check below stops such a config).
    const none = injectedConfig({ imputers: [], models: ['lr_clf'] });
    const raw = await evaluateTask({
      task: taskFor(none, enumerateLogicalPipelines(none)[0], registry),
      context,
      data: tables,
      registry,
      workerId: 'w',
    });
    expect(raw.status).toBe('failed');
    expect(raw.failure?.code).toBe('VF_MODEL_NAN_INPUT');
  });

  it('the same seed gives the same observation; another run seed injects other cells', async () => {
    const config = injectedConfig({ imputers: ['knn'], models: ['dt_clf'] });
    const { tables, context } = setup(config, 800);
    const task = taskFor(config, enumerateLogicalPipelines(config)[0], registry);
    const run = (seed: number) =>
      evaluateTask({
        task: { ...task, seed },
        context,
        data: tables,
        registry,
        workerId: 'w',
        splits: new SplitCache(),
      });
    const a = await run(101);
    const b = await run(101);
    const c = await run(102);
    expect(a.status).toBe('ok');
    expect({ ...b, elapsedSeconds: 0 }).toEqual({ ...a, elapsedSeconds: 0 });
    expect(c.metrics).not.toEqual(a.metrics);
  });
});

describe('load-time check (SPEC §13.9) with injected columns', () => {
  it("rejects 'None' with a model that cannot take NaN, naming the injected columns", () => {
    const dataset = cleanDemo(300);
    const bad = injectedConfig({ imputers: [], models: ['dt_clf', 'lr_clf'] });
    let error: unknown;
    try {
      checkMissingValues(dataset, enumerateLogicalPipelines(bad), bad.errorInjection);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: EngineErrorCode.MissingValuesUnsupported,
      details: {
        columns: [...NUMERIC, 'marital_status'],
        injectedColumns: [...NUMERIC, 'marital_status'],
        models: ['lr_clf'],
        pipelines: ['None&NO_FAIRNESS_INTERVENTION&lr_clf'],
      },
    });
    // Without the injection the clean dataset passes; trees or an imputer pass with it.
    expect(() => checkMissingValues(dataset, enumerateLogicalPipelines(bad))).not.toThrow();
    const trees = injectedConfig({ imputers: [], models: ['dt_clf'] });
    expect(() =>
      checkMissingValues(dataset, enumerateLogicalPipelines(trees), trees.errorInjection),
    ).not.toThrow();
    const imputed = injectedConfig({ imputers: ['median-mode', 'None'], models: ['dt_clf'] });
    expect(() =>
      checkMissingValues(dataset, enumerateLogicalPipelines(imputed), imputed.errorInjection),
    ).not.toThrow();
  });

  it('a column or condition the dataset does not have is an error before anything runs', () => {
    const dataset = cleanDemo(300);
    const check = (injection: string) => {
      const c = injectedConfig({}, injection);
      return () => checkMissingValues(dataset, enumerateLogicalPipelines(c), c.errorInjection);
    };
    expect(
      check(`  error_injection:
    - { strategy: 'MCAR', columns: ['salary'], null_percentage: 0.2 }
`),
    ).toThrow(expect.objectContaining({ code: ImputationErrorCode.UnknownColumn }));
    expect(
      check(`  error_injection:
    - strategy: 'MAR'
      columns: ['income']
      null_percentage: 0.2
      condition: { column: 'sex', op: '==', value: 'femal' }
`),
    ).toThrow(
      expect.objectContaining({
        code: ImputationErrorCode.BadOption,
        details: expect.objectContaining({ spec: 0, column: 'sex', value: 'femal' }),
      }),
    );
  });

  it('runExperiment refuses such a config up front (a complete CSV, nulls only from the injection)', async () => {
    const dir = dirs.make();
    const rng = new Rng(5);
    const lines = ['x1,x2,grp,label'];
    for (let i = 0; i < 200; i++) {
      const x1 = rng.next();
      lines.push(`${x1.toFixed(4)},${rng.next().toFixed(4)},${i % 3 === 0 ? 'b' : 'a'},${x1 > 0.5 ? 1 : 0}`);
    }
    writeFileSync(join(dir, 'complete.csv'), lines.join('\n') + '\n');
    const yaml = (imputers: string, injection: string) => `
common_args: { exp_config_name: 'none-injected', run_nums: [1] }
custom_datasets:
  complete:
    path: complete.csv
    target: label
    numerical_columns: [x1, x2]
    categorical_columns: [grp]
pipeline_args:
  dataset: complete
  sensitive_attrs_for_intervention: ['grp']
  null_imputers: ${imputers}
  fairness_interventions: []
  models: ['lr_clf']
${injection}
optimisation_args:
  objectives:
    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 1.0 }
  max_total_pipelines_num: 1
  num_workers: 1
  num_pp_candidates: 1
virny_args:
  sensitive_attributes_dct: { 'grp': 'b' }
`;
    const path = join(dir, 'config.yaml');
    writeFileSync(
      path,
      yaml('[]', "  error_injection: [{ strategy: 'MCAR', columns: ['x2'], null_percentage: 0.1 }]"),
    );
    await expect(
      runExperiment({ configPath: path, storeDir: join(dir, 'store'), threads: 1 }),
    ).rejects.toMatchObject({
      code: EngineErrorCode.MissingValuesUnsupported,
      details: { injectedColumns: ['x2'], models: ['lr_clf'] },
    });
    expect(existsSync(join(dir, 'store'))).toBe(false);
    // The same config without the injection runs.
    writeFileSync(path, yaml('[]', ''));
    const summary = await runExperiment({ configPath: path, storeDir: join(dir, 'store'), threads: 1 });
    expect(summary.runs[0]).toMatchObject({ status: 'completed', progress: { completed: 1, failed: 0 } });
  });
});
