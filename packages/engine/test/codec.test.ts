import { describe, expect, it } from 'vitest';
import { Table, categoricalColumn, generateDemoDataset, numericColumn } from '@virnyflow/data';
import { loadConfig } from '@virnyflow/core';
import { buildContext, decodeContext, encodeContext } from '../src/context';
import { datasetTables, decodeDataset, encodeDataset, prepareDataset } from '../src/dataset-codec';
import { EngineErrorCode } from '../src/errors';
import { protectedColumn } from '../src/stages';
import { demoConfigText } from './helpers';

describe('dataset codec', () => {
  const ds = generateDemoDataset({ rows: 300, seed: 7 });
  const prepared = prepareDataset(ds);

  it('round-trips every column, NaN and missing codes included, into shared memory', () => {
    const bytes = encodeDataset(prepared);
    const back = decodeDataset(bytes);
    expect(back.name).toBe('demo');
    expect(back.featureColumns).toEqual(ds.features.columnNames);
    expect(back.testSetFraction).toBe(ds.testSetFraction);
    expect(Array.from(back.target)).toEqual(Array.from(ds.target));
    expect(back.target.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(back.columns.map((c) => c.name)).toEqual(ds.raw.columnNames);
    let nan = 0;
    back.columns.forEach((c, k) => {
      const orig = ds.raw.columns[k];
      expect(c.kind).toBe(orig.kind);
      if (c.kind === 'numeric' && orig.kind === 'numeric') {
        expect(c.values.buffer).toBeInstanceOf(SharedArrayBuffer);
        for (let i = 0; i < c.values.length; i++) {
          if (Number.isNaN(orig.values[i])) nan++;
          expect(Object.is(c.values[i], orig.values[i])).toBe(true);
        }
      } else if (c.kind === 'categorical' && orig.kind === 'categorical') {
        expect(Array.from(c.codes)).toEqual(Array.from(orig.codes));
        expect(c.categories).toEqual(orig.categories);
        expect(c.valueType).toBe(orig.valueType);
      }
    });
    // The demo data blanks ~3 % of income and hours: the round trip must have met some NaN.
    expect(nan).toBeGreaterThan(0);
    const t = datasetTables(back);
    expect(t.features.columnNames).toEqual(ds.features.columnNames);
    expect(t.raw.nRows).toBe(300);
  });

  it('is byte-for-byte deterministic and rejects foreign bytes by code', () => {
    expect(Buffer.from(encodeDataset(prepared)).equals(Buffer.from(encodeDataset(prepared)))).toBe(true);
    const bad = encodeDataset(prepared);
    bad[0] ^= 0xff;
    expect(() => decodeDataset(bad)).toThrow(expect.objectContaining({ code: EngineErrorCode.BadBlob }));
    expect(() => decodeDataset(new Uint8Array(5))).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadBlob }),
    );
    const truncated = encodeDataset(prepared).subarray(0, 400);
    expect(() => decodeDataset(truncated)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadBlob }),
    );
  });
});

describe('experiment context', () => {
  it('round-trips and carries what the task does not', () => {
    const config = loadConfig(
      demoConfigText({
        objectives: `    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Label_Stability', group: 'overall', weight: 0.5 }`,
        virny: '  bootstrap_fraction: 0.8\n  n_estimators: 5',
        fractions: '[0.5, 1.0]',
      }),
    );
    const ctx = buildContext(config, { name: 'demo', hash: 'abc', testSetFraction: 0.2 });
    expect(ctx).toMatchObject({
      computationMode: 'bootstrap',
      bootstrapFraction: 0.8,
      nEstimators: 5,
      haltingFractions: [0.5, 1],
      sensitiveAttrsForIntervention: ['sex'],
      objectiveMetrics: ['F1', 'Label_Stability'],
      datasetHash: 'abc',
    });
    expect(ctx.sensitiveAttributes.map((a) => a.key)).toEqual(['sex', 'race', 'sex&race']);
    expect(decodeContext(encodeContext(ctx))).toEqual(ctx);
    const other = new TextEncoder().encode(JSON.stringify({ ...ctx, version: 99 }));
    expect(() => decodeContext(other)).toThrow(expect.objectContaining({ code: EngineErrorCode.BadBlob }));
    expect(() => decodeContext(new TextEncoder().encode('{'))).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadBlob }),
    );
  });
});

describe('binary protected column (SPEC §2.4)', () => {
  const raw = new Table([
    categoricalColumn('sex', Int32Array.from([0, 1, 1, 0]), ['male', 'female']),
    categoricalColumn('race', Int32Array.from([1, 1, 0, 0]), ['majority', 'minority']),
    numericColumn('age', Float64Array.from([20, 30, 40, 50])),
  ]);
  const attrs = loadConfig(demoConfigText({})).sensitiveAttributes;

  it('is 0 exactly for rows disadvantaged on every listed attribute', () => {
    // rows: (male, minority), (female, minority), (female, majority), (male, majority)
    expect(Array.from(protectedColumn(raw, attrs, ['sex']))).toEqual([1, 0, 0, 1]);
    expect(Array.from(protectedColumn(raw, attrs, ['race']))).toEqual([0, 0, 1, 1]);
    expect(Array.from(protectedColumn(raw, attrs, ['sex', 'race']))).toEqual([1, 0, 1, 1]);
    expect(Array.from(protectedColumn(raw, attrs, ['sex&race']))).toEqual([1, 0, 1, 1]);
    expect(Array.from(protectedColumn(raw, attrs, []))).toEqual([1, 1, 1, 1]);
  });
});
