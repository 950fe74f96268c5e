import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  FeaturePipeline,
  MISSING_CODE,
  OneHotEncoder,
  StandardScaler,
  Table,
  categoricalColumn,
  numericColumn,
} from '../src/index';
import { thrown } from './helpers';

const train = new Table([
  numericColumn('x', Float64Array.from([1, 2, 3, 4])),
  numericColumn('k', Float64Array.from([5, 5, 5, 5])),
  categoricalColumn('c', Int32Array.from([0, 1, 0, MISSING_CODE]), ['b', 'a', 'unused']),
  categoricalColumn('n', Int32Array.from([0, 1, 2, 0]), ['10', '9', '100'], 'number'),
]);

describe('FeaturePipeline', () => {
  it('names columns cat__<col>_<value> (sorted categories) then num__<col>', () => {
    const p = FeaturePipeline.fit(train);
    // 'unused' never occurs in train: no column. Number-valued categories sort numerically.
    expect(p.columnNames).toEqual([
      'cat__c_a',
      'cat__c_b',
      'cat__n_9',
      'cat__n_10',
      'cat__n_100',
      'num__x',
      'num__k',
    ]);
  });

  it('one-hot encodes and scales train with hand-computed values', () => {
    const m = FeaturePipeline.fit(train).transform(train);
    expect(m.nRows).toBe(4);
    expect(m.nCols).toBe(7);
    // x: mean 2.5, population std sqrt(1.25); k constant → scale 1, centred to 0.
    const s = Math.sqrt(1.25);
    const rows = Array.from({ length: 4 }, (_, i) => Array.from(m.data.subarray(i * 7, i * 7 + 7)));
    expect(rows[0]).toEqual([0, 1, 0, 1, 0, (1 - 2.5) / s, 0]);
    expect(rows[1]).toEqual([1, 0, 1, 0, 0, (2 - 2.5) / s, 0]);
    expect(rows[2]).toEqual([0, 1, 0, 0, 1, (3 - 2.5) / s, 0]);
    // Missing category → all zeros.
    expect(rows[3]).toEqual([0, 0, 0, 1, 0, (4 - 2.5) / s, 0]);
    expect(m.nanColumns).toEqual([]);
  });

  it('applies train statistics to test: unknown categories → zeros, dictionaries matched by text, NaN kept', () => {
    const p = FeaturePipeline.fit(train);
    const test = new Table([
      numericColumn('x', Float64Array.from([NaN, 6.5])),
      numericColumn('k', Float64Array.from([5, 7])),
      // A different dictionary order and an unseen category.
      categoricalColumn('c', Int32Array.from([0, 1]), ['a', 'zz']),
      categoricalColumn('n', Int32Array.from([1, 0]), ['100', '7'], 'number'),
    ]);
    const m = p.transform(test);
    const s = Math.sqrt(1.25);
    // Row 0: c = 'a', n = 7 (unseen) → zeros, x missing → NaN.
    expect(Array.from(m.data.subarray(0, 7))).toEqual([1, 0, 0, 0, 0, NaN, 0]);
    // Row 1: c = 'zz' (unseen) → zeros, n = 100, k = 7 → (7 − 5) / 1.
    expect(Array.from(m.data.subarray(7, 14))).toEqual([0, 0, 0, 0, 1, (6.5 - 2.5) / s, 2]);
    expect(m.nanColumns).toEqual([5]);
    expect(m.columnNames[5]).toBe('num__x');
  });

  it("a train category named 'missing' takes the missing values", () => {
    const t = new Table([categoricalColumn('c', Int32Array.from([0, 1, 0]), ['x', 'missing'])]);
    const enc = new OneHotEncoder().fit(t);
    const test = new Table([categoricalColumn('c', Int32Array.from([MISSING_CODE, 0]), ['x'])]);
    const out = new Float64Array(4);
    enc.transformInto(test, out, 2, 0);
    expect(enc.columnNames).toEqual(['cat__c_missing', 'cat__c_x']);
    expect(Array.from(out)).toEqual([1, 0, 0, 1]);
  });

  it('ignores NaN when fitting the scaler (sklearn nan-aware statistics)', () => {
    const t = new Table([numericColumn('x', Float64Array.from([NaN, 2, 4, NaN]))]);
    const sc = new StandardScaler().fit(t);
    expect(Array.from(sc.means)).toEqual([3]);
    expect(Array.from(sc.scales)).toEqual([1]);
  });

  it('round-trips through JSON and checks kind/version', () => {
    const p = FeaturePipeline.fit(train);
    const q = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    expect(q.transform(train).data).toEqual(p.transform(train).data);
    expect(q.columnNames).toEqual(p.columnNames);
    expect(thrown(() => FeaturePipeline.fromJSON({ kind: 'x' } as never)).code).toBe(DataErrorCode.BadOption);
  });

  it('errors: use before fit, wrong column kind, missing column', () => {
    expect(thrown(() => new OneHotEncoder().columnNames).code).toBe(DataErrorCode.NotFitted);
    expect(thrown(() => new OneHotEncoder().fit(train, ['x'])).code).toBe(DataErrorCode.BadOption);
    const p = FeaturePipeline.fit(train);
    expect(thrown(() => p.transform(train.drop(['k']))).code).toBe(DataErrorCode.MissingColumn);
  });
});
