import { categoricalColumn, imputeNulls, mostFrequent, numericColumn } from '@virnyflow/data';
import type { CategoricalColumn, Imputer, Table } from '@virnyflow/data';
import { describe, expect, it } from 'vitest';
import { ImputationErrorCode, KMeansImputer, KnnImputer, MissForestImputer } from '../src/index';
import {
  accuracyOnMissing,
  correlatedTable,
  injectedSplit,
  missingCells,
  observedMean,
  rmseOnMissing,
} from './helpers';

const forest = { nEstimators: 30, maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, bootstrap: true };

interface Case {
  readonly name: string;
  readonly make: (seed: number) => Imputer;
  readonly seeded: boolean;
}

const cases: Case[] = [
  {
    name: 'miss_forest',
    make: (seed) => new MissForestImputer({ classifier: forest, regressor: forest, seed }),
    seeded: true,
  },
  {
    name: 'k_means_clustering',
    make: (seed) => new KMeansImputer({ nClusters: 6, maxIter: 100, init: 'Huang', nInit: 3, seed }),
    seeded: true,
  },
  { name: 'knn', make: () => new KnnImputer({ nNeighbors: 5, weights: 'distance' }), seeded: false },
];

// Correlated data: x1, x2, level, pos follow one latent variable; 30% of their cells are blanked (MCAR).
const full = correlatedTable(900, 5);
const split = injectedSplit(full, 600, ['x1', 'x2', 'level', 'pos'], 0.3, 11);

/** Mean / mode imputation, the baseline every imputer must beat. */
function baseline(): { rmse: Record<string, number>; accuracy: Record<string, number> } {
  const rmse: Record<string, number> = {};
  for (const c of ['x1', 'x2']) {
    const mean = observedMean(split.train, c);
    const filled = split.test.replaceColumn(
      numericColumn(
        c,
        (split.test.column(c) as { values: Float64Array }).values.map((v) => (Number.isNaN(v) ? mean : v)),
      ),
    );
    rmse[c] = rmseOnMissing(split.testFull, split.test, filled, c);
  }
  const accuracy: Record<string, number> = {};
  for (const c of ['level', 'pos']) {
    const col = split.test.column(c) as CategoricalColumn;
    const mode = col.categories.indexOf(mostFrequent(split.train.column(c) as CategoricalColumn) as string);
    const filled = split.test.replaceColumn(
      categoricalColumn(
        c,
        col.codes.map((k) => (k < 0 ? mode : k)),
        col.categories,
      ),
    );
    accuracy[c] = accuracyOnMissing(split.testFull, split.test, filled, c);
  }
  return { rmse, accuracy };
}

const base = baseline();

describe.each(cases)('$name', ({ make, seeded }) => {
  const imp = make(7);
  imp.fit(split.train);
  const trainOut = imp.transform(split.train);
  const testOut = imp.transform(split.test);

  it('fills every missing cell of the imputed columns, train and test, leaving observed cells alone', () => {
    expect(missingCells(trainOut)).toBe(0);
    expect(missingCells(testOut)).toBe(0);
    for (const [inj, out] of [
      [split.train, trainOut],
      [split.test, testOut],
    ] as const) {
      for (const c of ['x1', 'x2']) {
        const a = (inj.column(c) as { values: Float64Array }).values;
        const b = (out.column(c) as { values: Float64Array }).values;
        for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) expect(b[i]).toBe(a[i]);
      }
      // Columns without missing values are passed through as the same objects.
      expect(out.column('x3')).toBe(inj.column('x3'));
      expect(out.column('color')).toBe(inj.column('color'));
    }
  });

  it('recovers MCAR-injected values better than mean / mode imputation (test split)', () => {
    for (const c of ['x1', 'x2']) {
      expect(rmseOnMissing(split.testFull, split.test, testOut, c)).toBeLessThan(0.75 * base.rmse[c]);
    }
    for (const c of ['level', 'pos']) {
      expect(accuracyOnMissing(split.testFull, split.test, testOut, c)).toBeGreaterThan(
        base.accuracy[c] + 0.15,
      );
    }
  });

  it('is deterministic per seed', () => {
    const again = make(7);
    again.fit(split.train);
    expect(columnsOf(again.transform(split.test))).toEqual(columnsOf(testOut));
    if (seeded) {
      const other = make(8);
      other.fit(split.train);
      expect(columnsOf(other.transform(split.test))).not.toEqual(columnsOf(testOut));
    }
  });

  it('fits on train only: transforming test changes nothing, and each test row is imputed on its own', () => {
    // The training output is the same before and after the test split went through the imputer.
    expect(columnsOf(imp.transform(split.train))).toEqual(columnsOf(trainOut));
    // Rows 0..99 of test imputed alone equal the same rows imputed with the other 200: no test row informs another.
    const head = Array.from({ length: 100 }, (_, i) => i);
    expect(columnsOf(imp.transform(split.test.take(head)))).toEqual(columnsOf(testOut.take(head)));
  });

  it('handles a column that is all missing in test', () => {
    const blank = split.test
      .replaceColumn(numericColumn('x1', new Float64Array(split.test.nRows).fill(NaN)))
      .replaceColumn(
        categoricalColumn('level', new Int32Array(split.test.nRows).fill(-1), ['lo', 'mid', 'hi']),
      );
    const out = imp.transform(blank);
    expect(missingCells(out)).toBe(0);
    const x1 = (out.column('x1') as { values: Float64Array }).values;
    for (const v of x1) expect(Number.isFinite(v)).toBe(true);
    // Still informed by the other columns: better than the mean on the blanked column.
    expect(rmseOnMissing(split.testFull, blank, out, 'x1')).toBeLessThan(base.rmse.x1);
  });

  it('reads categories by text when a table carries another category list', () => {
    // The test split re-encoded with the categories in reverse order (as another load of the file might).
    const level = split.test.column('level') as CategoricalColumn;
    const reversed = ['hi', 'mid', 'lo', 'extra'];
    const recoded = categoricalColumn(
      'level',
      level.codes.map((k) => (k < 0 ? k : reversed.indexOf(level.categories[k]))),
      reversed,
    );
    const out = imp.transform(split.test.replaceColumn(recoded));
    const a = testOut.column('level') as CategoricalColumn;
    const b = out.column('level') as CategoricalColumn;
    expect(b.categories).toEqual(reversed);
    for (let i = 0; i < a.codes.length; i++) expect(b.categories[b.codes[i]]).toBe(a.categories[a.codes[i]]);
  });

  it('works as the null-imputation stage (sensitive attributes dropped first, train-null columns only)', () => {
    const stageImp = make(7);
    const y = new Uint8Array(split.train.nRows);
    const r = imputeNulls(stageImp, {
      xTrain: split.train,
      yTrain: y,
      xTest: split.test,
      sensitiveAttributes: { color: 'red' },
    });
    expect(r.droppedColumns).toEqual(['color']);
    expect(r.imputedColumns).toEqual(['x1', 'x2', 'level', 'pos']);
    expect(r.remainingNullColumns).toEqual([]);
    expect(r.xTrain.has('color')).toBe(false);
  });

  it('refuses to transform before fit, and a column with nothing observed', () => {
    expect(() => make(1).transform(split.test)).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.NotFitted }),
    );
    const empty = split.train.replaceColumn(
      numericColumn('x1', new Float64Array(split.train.nRows).fill(NaN)),
    );
    expect(() => make(1).fit(empty)).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.NoObserved }),
    );
  });

  it('rejects a table without a fitted column', () => {
    expect(() => imp.transform(split.test.drop(['x2']))).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.ColumnMismatch }),
    );
  });
});

/** Every column's cells as plain arrays, for equality checks. */
function columnsOf(t: Table): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const c of t.columns) out[c.name] = Array.from(c.kind === 'numeric' ? c.values : c.codes);
  return out;
}
