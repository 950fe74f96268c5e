import { ComponentRegistry, Stage } from '@virnyflow/core';
import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  DeletionImputer,
  MISSING_CODE,
  Table,
  cellValue,
  categoricalColumn,
  countMissing,
  createImputer,
  dataComponents,
  imputeNulls,
  median,
  mostFrequent,
  numericColumn,
} from '../src/index';
import type { CategoricalColumn, Column, ImputerFactory } from '../src/index';
import { thrown } from './helpers';

const M = MISSING_CODE;
const values = (c: Column) =>
  Array.from({ length: c.kind === 'numeric' ? c.values.length : c.codes.length }, (_, i) => cellValue(c, i));

// Train: a has a null, c has a null, sex has none (it is a sensitive attribute), b has none.
const xTrain = new Table([
  numericColumn('a', Float64Array.from([1, NaN, 3, 10, 4])),
  numericColumn('b', Float64Array.from([0, 0, 1, 1, 1])),
  categoricalColumn('c', Int32Array.from([0, 1, 1, M, 0]), ['x', 'y']),
  categoricalColumn('sex', Int32Array.from([0, 1, 0, 1, 0]), ['m', 'f']),
]);
const yTrain = Uint8Array.from([1, 0, 1, 0, 1]);
// Test: b has a null that train does not have (left alone), a and c have nulls.
const xTest = new Table([
  numericColumn('a', Float64Array.from([NaN, 2])),
  numericColumn('b', Float64Array.from([NaN, 1])),
  categoricalColumn('c', Int32Array.from([M, 0]), ['y']),
  categoricalColumn('sex', Int32Array.from([0, 1]), ['m', 'f']),
]);
const sensitive = { sex: 'f', 'sex&c': null };

describe('statistics', () => {
  it('median ignores NaN and averages the middle pair for even counts', () => {
    expect(median(Float64Array.from([3, NaN, 1, 2]))).toBe(2);
    expect(median(Float64Array.from([4, 1, NaN, 3, 2]))).toBe(2.5);
    expect(median(Float64Array.from([NaN]))).toBeNaN();
  });

  it('most frequent breaks ties by the smallest value (numeric order for numbers)', () => {
    expect(mostFrequent(categoricalColumn('c', Int32Array.from([0, 1, 1, 0, M, M, M]), ['b', 'a']))).toBe(
      'a',
    );
    expect(mostFrequent(categoricalColumn('c', Int32Array.from([0, 1]), ['10', '9'], 'number'))).toBe('9');
    expect(mostFrequent(categoricalColumn('c', Int32Array.from([0, 0, 1]), ['z', 'a']))).toBe('z');
    expect(mostFrequent(categoricalColumn('c', Int32Array.from([M]), ['z']))).toBeNull();
  });
});

describe('imputeNulls stage', () => {
  it('median-mode: drops sensitive attributes, imputes only columns with train nulls, fitted on train', () => {
    const r = imputeNulls(createImputer('median-mode'), {
      xTrain,
      yTrain,
      xTest,
      sensitiveAttributes: sensitive,
    });
    expect(r.droppedColumns).toEqual(['sex']);
    expect(r.xTrain.columnNames).toEqual(['a', 'b', 'c']);
    expect(r.imputedColumns).toEqual(['a', 'c']);
    // Median of [1, 3, 10, 4] = 3.5; mode of c: x 2, y 2 → tie → 'x'.
    expect(values(r.xTrain.column('a'))).toEqual([1, 3.5, 3, 10, 4]);
    expect(values(r.xTrain.column('c'))).toEqual(['x', 'y', 'y', 'x', 'x']);
    expect(values(r.xTest.column('a'))).toEqual([3.5, 2]);
    // The test dictionary lacks 'x': it is added.
    expect(values(r.xTest.column('c'))).toEqual(['x', 'y']);
    // b has nulls only in test: left as is and reported.
    expect(values(r.xTest.column('b'))).toEqual([null, 1]);
    expect(r.remainingNullColumns).toEqual(['b']);
    expect(r.keptTrainRows).toBeNull();
    expect(r.yTrain).toBe(yTrain);
    // Inputs untouched.
    expect(countMissing(xTrain.column('a'))).toBe(1);
  });

  it("median-dummy fills categorical nulls with the category 'missing'", () => {
    const r = imputeNulls(createImputer('median-dummy'), {
      xTrain,
      yTrain,
      xTest,
      sensitiveAttributes: sensitive,
    });
    expect(values(r.xTrain.column('c'))).toEqual(['x', 'y', 'y', 'missing', 'x']);
    expect((r.xTrain.column('c') as CategoricalColumn).categories).toEqual(['x', 'y', 'missing']);
    expect(values(r.xTest.column('c'))).toEqual(['missing', 'y']);
    expect(values(r.xTrain.column('a'))).toEqual([1, 3.5, 3, 10, 4]);
  });

  it('deletion drops incomplete train rows with their labels; test uses the remaining rows', () => {
    const r = imputeNulls(new DeletionImputer(), { xTrain, yTrain, xTest, sensitiveAttributes: sensitive });
    expect(Array.from(r.keptTrainRows as Uint32Array)).toEqual([0, 2, 4]);
    expect(r.xTrain.nRows).toBe(3);
    expect(Array.from(r.yTrain)).toEqual([1, 1, 1]);
    expect(values(r.xTrain.column('a'))).toEqual([1, 3, 4]);
    // Remaining train: a = [1, 3, 4] → median 3 (not 3.5); c = [x, y, x] → 'x'.
    expect(values(r.xTest.column('a'))).toEqual([3, 2]);
    expect(values(r.xTest.column('c'))).toEqual(['x', 'y']);
  });

  it('None passes missing values on (after dropping sensitive attributes)', () => {
    const r = imputeNulls(createImputer('None'), { xTrain, yTrain, xTest, sensitiveAttributes: ['sex'] });
    expect(r.xTrain.columnNames).toEqual(['a', 'b', 'c']);
    expect(r.xTrain.column('a')).toBe(xTrain.column('a'));
    expect(r.remainingNullColumns).toEqual(['a', 'b', 'c']);
  });

  it('errors: labels misaligned, a column with no observed value, unknown imputer, use before fit', () => {
    expect(
      thrown(() =>
        imputeNulls(createImputer('median-mode'), {
          xTrain,
          yTrain: yTrain.subarray(1),
          xTest,
          sensitiveAttributes: [],
        }),
      ).code,
    ).toBe(DataErrorCode.LengthMismatch);
    const allNull = new Table([
      numericColumn('a', Float64Array.from([NaN, NaN])),
      numericColumn('b', Float64Array.from([1, 2])),
    ]);
    expect(
      thrown(() =>
        imputeNulls(createImputer('median-mode'), {
          xTrain: allNull,
          yTrain: Uint8Array.from([0, 1]),
          xTest: allNull,
          sensitiveAttributes: [],
        }),
      ).code,
    ).toBe(DataErrorCode.BadImputer);
    expect(
      thrown(() =>
        imputeNulls(new DeletionImputer(), {
          xTrain: allNull,
          yTrain: Uint8Array.from([0, 1]),
          xTest: allNull,
          sensitiveAttributes: [],
        }),
      ).code,
    ).toBe(DataErrorCode.BadImputer);
    expect(thrown(() => createImputer('miss_forest')).code).toBe(DataErrorCode.BadImputer);
    expect(thrown(() => createImputer('median-mode').transform(xTest)).code).toBe(DataErrorCode.NotFitted);
  });
});

describe('dataComponents', () => {
  it('register the four simple imputers for stage null_imputation, without hyper-parameters', () => {
    const reg = new ComponentRegistry().registerAll(dataComponents);
    expect(reg.names(Stage.NullImputation)).toEqual(['None', 'deletion', 'median-mode', 'median-dummy']);
    for (const def of dataComponents) expect(def.space.params).toEqual([]);
    const create = reg.get<ImputerFactory>(Stage.NullImputation, 'median-dummy').create;
    const imp = create({}, { seed: 101, datasetName: 'demo' });
    expect(imp.name).toBe('median-dummy');
  });
});
