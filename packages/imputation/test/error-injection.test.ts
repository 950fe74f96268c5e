import { fileURLToPath } from 'node:url';
import { ComponentRegistry, loadConfigFile, parseConfig, seedForRun } from '@virnyflow/core';
import type { ErrorInjectionConfig } from '@virnyflow/core';
import { countMissing, dataComponents, generateDemoDataset, splitDataset } from '@virnyflow/data';
import type { Table } from '@virnyflow/data';
import { modelComponents } from '@virnyflow/models';
import { describe, expect, it } from 'vitest';
import {
  ImputationErrorCode,
  applyErrorInjection,
  checkErrorInjection,
  imputationComponents,
} from '../src/index';
import { correlatedTable } from './helpers';

const configPath = fileURLToPath(new URL('../../../configs/imputers.yaml', import.meta.url));

/** Missing cells of `columns` in rows where `keep(i)` holds. */
function missingIn(t: Table, columns: readonly string[], keep: (i: number) => boolean = () => true): number {
  let n = 0;
  for (const c of columns) {
    const col = t.column(c);
    for (let i = 0; i < t.nRows; i++) {
      if (!keep(i)) continue;
      const miss = col.kind === 'numeric' ? Number.isNaN(col.values[i]) : col.codes[i] < 0;
      if (miss) n++;
    }
  }
  return n;
}

/** A split of the correlated table whose features lack `color` (so `color` is a raw-only column). */
function correlatedSplit() {
  const full = correlatedTable(500, 3);
  const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  const rawTrain = full.take(rows(0, 350));
  const rawTest = full.take(rows(350, 500));
  return { rawTrain, rawTest, xTrain: rawTrain.drop(['color']), xTest: rawTest.drop(['color']) };
}

const mcar = (
  columns: string[],
  pct: number,
  splits: ('train' | 'test')[] = ['train', 'test'],
): ErrorInjectionConfig => ({
  strategy: 'MCAR',
  columns,
  nullPercentage: pct,
  splits,
});

describe('configs/imputers.yaml', () => {
  it('loads with the imputers registered and injects exactly ⌊rows × 0.2⌋ cells per split', () => {
    const registry = new ComponentRegistry()
      .registerAll(dataComponents)
      .registerAll(imputationComponents)
      .registerAll(modelComponents);
    const config = loadConfigFile(configPath, { registry });
    expect(config.nullImputers).toEqual(['median-mode', 'miss_forest', 'k_means_clustering', 'knn']);
    expect(config.errorInjection).toEqual([mcar(['education_years', 'credit_history_years'], 0.2)]);
    const dataset = generateDemoDataset({ rows: 1000 });
    const split = splitDataset(dataset, seedForRun(1));
    const columns = config.errorInjection[0].columns;
    expect(missingIn(split.xTrain, columns) + missingIn(split.xTest, columns)).toBe(0);
    const { split: out, counts } = applyErrorInjection(split, config.errorInjection, seedForRun(1));
    const nTrain = split.xTrain.nRows;
    const nTest = split.xTest.nRows;
    expect(missingIn(out.xTrain, columns)).toBe(Math.floor(nTrain * 0.2));
    expect(missingIn(out.xTest, columns)).toBe(Math.floor(nTest * 0.2));
    expect(counts).toEqual([
      {
        spec: 0,
        split: 'train',
        injected: Math.floor(nTrain * 0.2),
        subsetRows: nTrain,
        targetCells: Math.floor(nTrain * 0.2),
      },
      {
        spec: 0,
        split: 'test',
        injected: Math.floor(nTest * 0.2),
        subsetRows: nTest,
        targetCells: Math.floor(nTest * 0.2),
      },
    ]);
    // Both columns receive nulls; every other column and the raw tables are untouched.
    for (const c of columns) expect(countMissing(out.xTrain.column(c))).toBeGreaterThan(0);
    for (const c of split.xTrain.columnNames.filter((c) => !columns.includes(c))) {
      expect(out.xTrain.column(c)).toBe(split.xTrain.column(c));
      expect(out.xTest.column(c)).toBe(split.xTest.column(c));
    }
    expect(out.rawTrain).toBe(split.rawTrain);
    expect(out.yTrain).toBe(split.yTrain);
  });
});

describe('applyErrorInjection', () => {
  const split = correlatedSplit();

  it('injects only into the requested splits', () => {
    const onlyTrain = applyErrorInjection(split, [mcar(['x1', 'level'], 0.3, ['train'])], 5);
    expect(missingIn(onlyTrain.split.xTrain, ['x1', 'level'])).toBe(Math.floor(350 * 0.3));
    expect(onlyTrain.split.xTest).toBe(split.xTest);
    const onlyTest = applyErrorInjection(split, [mcar(['x1'], 0.1, ['test'])], 5);
    expect(onlyTest.split.xTrain).toBe(split.xTrain);
    expect(missingIn(onlyTest.split.xTest, ['x1'])).toBe(15);
    expect(onlyTest.counts.map((c) => c.split)).toEqual(['test']);
  });

  it('MAR conditions on a raw-only column, MNAR on an injected one; counts are within the matching rows', () => {
    const color = split.rawTrain.column('color') as { codes: Int32Array; categories: readonly string[] };
    const red = (i: number) => color.categories[color.codes[i]] === 'red';
    let nRed = 0;
    for (let i = 0; i < split.rawTrain.nRows; i++) if (red(i)) nRed++;
    const mar: ErrorInjectionConfig = {
      strategy: 'MAR',
      columns: ['x2', 'pos'],
      nullPercentage: 0.5,
      condition: { column: 'color', op: '==', value: 'red' },
      splits: ['train'],
    };
    const r = applyErrorInjection(split, [mar], 1);
    expect(missingIn(r.split.xTrain, ['x2', 'pos'], red)).toBe(Math.floor(nRed * 0.5));
    expect(missingIn(r.split.xTrain, ['x2', 'pos'], (i) => !red(i))).toBe(0);
    expect(r.split.xTrain.has('color')).toBe(false);
    expect(r.counts[0].subsetRows).toBe(nRed);

    const x1 = (split.xTrain.column('x1') as { values: Float64Array }).values;
    const high = (i: number) => x1[i] > 0.5;
    const nHigh = x1.filter((v) => v > 0.5).length;
    const mnar: ErrorInjectionConfig = {
      strategy: 'MNAR',
      columns: ['x1'],
      nullPercentage: 0.4,
      condition: { column: 'x1', op: '>', value: 0.5 },
      splits: ['train', 'test'],
    };
    const m = applyErrorInjection(split, [mnar], 2);
    expect(missingIn(m.split.xTrain, ['x1'], high)).toBe(Math.floor(nHigh * 0.4));
    expect(missingIn(m.split.xTrain, ['x1'], (i) => !high(i))).toBe(0);
  });

  it('applies specs in order, counting earlier nulls towards later targets', () => {
    // The same 30% spec twice: the second finds its target already met and adds nothing.
    const r = applyErrorInjection(split, [mcar(['x3'], 0.3), mcar(['x3'], 0.3)], 9);
    expect(r.counts.map((c) => c.injected)).toEqual([105, 45, 0, 0]);
    expect(missingIn(r.split.xTrain, ['x3'])).toBe(105);
  });

  it('is deterministic per seed', () => {
    const a = applyErrorInjection(split, [mcar(['x1', 'x2'], 0.2)], 4).split;
    const b = applyErrorInjection(split, [mcar(['x1', 'x2'], 0.2)], 4).split;
    const c = applyErrorInjection(split, [mcar(['x1', 'x2'], 0.2)], 5).split;
    const cells = (t: Table) =>
      Array.from((t.column('x1') as { values: Float64Array }).values, (v) => Number.isNaN(v));
    expect(cells(b.xTrain)).toEqual(cells(a.xTrain));
    expect(cells(c.xTrain)).not.toEqual(cells(a.xTrain));
    expect(applyErrorInjection(split, [], 4).split).toBe(split);
  });

  it('names unknown columns with a clear code', () => {
    const code = { code: ImputationErrorCode.UnknownColumn };
    expect(() => applyErrorInjection(split, [mcar(['x9'], 0.2)], 1)).toThrow(expect.objectContaining(code));
    // A raw-only column is not a feature: nulls there would never reach an imputer.
    expect(() => applyErrorInjection(split, [mcar(['color'], 0.2)], 1)).toThrow(
      expect.objectContaining(code),
    );
    const cond: ErrorInjectionConfig = {
      strategy: 'MAR',
      columns: ['x1'],
      nullPercentage: 0.2,
      condition: { column: 'shade', op: '==', value: 'red' },
      splits: ['train'],
    };
    expect(() => applyErrorInjection(split, [cond], 1)).toThrow(expect.objectContaining(code));
  });

  it('runs what a parsed config asks for', () => {
    const text = `
common_args: { exp_config_name: 'inj', run_nums: [1] }
pipeline_args:
  dataset: 'demo'
  sensitive_attrs_for_intervention: []
  null_imputers: ['knn']
  fairness_interventions: []
  models: ['dt_clf']
  error_injection:
    - { strategy: 'MNAR', columns: ['x2'], null_percentage: 0.25, condition: { column: 'x2', op: '<', value: 3 }, splits: ['test'] }
optimisation_args:
  objectives: [{ name: 'o', metric: 'F1', group: 'overall', weight: 1.0 }]
  num_workers: 1
  num_pp_candidates: 1
virny_args: { sensitive_attributes_dct: { 'color': 'red' } }
`;
    const config = parseConfig(text);
    const r = applyErrorInjection(split, config.errorInjection, seedForRun(1));
    const x2 = (split.xTest.column('x2') as { values: Float64Array }).values;
    const low = x2.filter((v) => v < 3).length;
    expect(r.split.xTrain).toBe(split.xTrain);
    expect(missingIn(r.split.xTest, ['x2'])).toBe(Math.floor(low * 0.25));
  });
});

describe('checkErrorInjection (load time, whole dataset)', () => {
  const full = correlatedTable(300, 3);
  const data = { name: 'correlated', features: full.drop(['color']), raw: full };
  const mar = (value: string | number, column = 'color', op: '==' | '>' = '=='): ErrorInjectionConfig => ({
    strategy: 'MAR',
    columns: ['x1'],
    nullPercentage: 0.2,
    condition: { column, op, value },
    splits: ['train', 'test'],
  });

  it('accepts feature columns and conditions that match rows, raw-only condition columns included', () => {
    expect(() => checkErrorInjection(data, [mcar(['x1', 'level'], 0.2), mar('red')])).not.toThrow();
    expect(() => checkErrorInjection(data, [])).not.toThrow();
  });

  it('rejects an unknown or raw-only injected column and an unknown condition column', () => {
    const code = { code: ImputationErrorCode.UnknownColumn };
    expect(() => checkErrorInjection(data, [mcar(['x9'], 0.2)])).toThrow(expect.objectContaining(code));
    expect(() => checkErrorInjection(data, [mcar(['color'], 0.2)])).toThrow(expect.objectContaining(code));
    expect(() => checkErrorInjection(data, [mar('red', 'shade')])).toThrow(expect.objectContaining(code));
  });

  it('rejects a condition that matches no row (it would inject nothing), naming spec, column and value', () => {
    expect(() => checkErrorInjection(data, [mcar(['x2'], 0.1), mar('rde')])).toThrow(
      expect.objectContaining({
        code: ImputationErrorCode.BadOption,
        details: { spec: 1, column: 'color', op: '==', value: 'rde' },
      }),
    );
    expect(() => checkErrorInjection(data, [mar(1e9, 'x2', '>')])).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
  });
});
