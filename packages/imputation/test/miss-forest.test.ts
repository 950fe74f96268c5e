import { Rng } from '@virnyflow/core';
import { Table, categoricalColumn, numericColumn } from '@virnyflow/data';
import { describe, expect, it } from 'vitest';
import { ImputationErrorCode, MissForestImputer, VarianceForest } from '../src/index';
import type { ForestOptions, RandomForestParams } from '../src/index';
import { correlatedTable, injectedSplit, missingCells } from './helpers';

const stump: ForestOptions = {
  nEstimators: 1,
  maxDepth: 1,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  bootstrap: false,
  maxFeatures: Infinity,
};

describe('VarianceForest', () => {
  it('a regression stump splits at the midpoint and predicts the leaf means', () => {
    const X = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), nRows: 6, nCols: 1 };
    const y = Float64Array.from([1, 1, 2, 5, 5, 6]);
    const f = VarianceForest.fit(X, y, 1, { ...stump, maxFeatures: 1 }, 0);
    // Best split 3 | 4: SSE (1,1,2) + (5,5,6) = 2/3 + 2/3, lower than any other cut.
    const out = f.predict({ data: Float64Array.from([3, 3.49, 3.51, 4, -10, 99]), nRows: 6, nCols: 1 });
    expect(Array.from(out)).toEqual([4 / 3, 4 / 3, 16 / 3, 16 / 3, 4 / 3, 16 / 3]);
  });

  it('takes the depth-1 split a brute-force search picks, for squared error and for Gini on one-hot targets', () => {
    const rng = new Rng(3);
    const n = 60;
    const p = 3;
    const X = new Float64Array(n * p);
    for (let k = 0; k < X.length; k++) X[k] = Math.round(rng.normal() * 1000) / 100;
    const yReg = new Float64Array(n);
    const classes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      yReg[i] = X[i * p + 1] + rng.normal();
      classes[i] = X[i * p + 2] + 0.5 * rng.normal() > 0.3 ? 2 : rng.nextInt(2);
    }
    const K = 3;
    const oneHot = new Float64Array(n * K);
    for (let i = 0; i < n; i++) oneHot[i * K + classes[i]] = 1;
    const M = { data: X, nRows: n, nCols: p };
    for (const [Y, d] of [
      [yReg, 1],
      [oneHot, K],
    ] as const) {
      const best = bruteForceSplit(X, n, p, Y, d);
      const f = VarianceForest.fit(M, Y, d, { ...stump, maxFeatures: p }, 0);
      const pred = f.predict(M);
      for (let i = 0; i < n; i++) {
        const side = X[i * p + best.feature] <= best.threshold ? best.left : best.right;
        for (let k = 0; k < d; k++) expect(pred[i * d + k]).toBeCloseTo(side[k], 12);
      }
    }
  });

  it('is deterministic per seed and bootstraps differently across seeds', () => {
    const rng = new Rng(9);
    const n = 80;
    const X = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = rng.normal();
      X[2 * i + 1] = rng.normal();
      y[i] = X[2 * i] - X[2 * i + 1] + 0.1 * rng.normal();
    }
    const M = { data: X, nRows: n, nCols: 2 };
    const o: ForestOptions = {
      ...stump,
      nEstimators: 10,
      maxDepth: Infinity,
      bootstrap: true,
      maxFeatures: 1,
    };
    const a = VarianceForest.fit(M, y, 1, o, 5).predict(M);
    expect(Array.from(VarianceForest.fit(M, y, 1, o, 5).predict(M))).toEqual(Array.from(a));
    expect(Array.from(VarianceForest.fit(M, y, 1, o, 6).predict(M))).not.toEqual(Array.from(a));
    // Unlimited depth without bootstrap reproduces the training targets (every leaf pure).
    const exact = VarianceForest.fit(M, y, 1, { ...o, bootstrap: false, maxFeatures: 2, nEstimators: 1 }, 0);
    expect(Array.from(exact.predict(M))).toEqual(Array.from(y));
  });

  it('refuses features with missing values', () => {
    const X = { data: Float64Array.from([1, NaN, 3]), nRows: 3, nCols: 1 };
    expect(() => VarianceForest.fit(X, Float64Array.from([1, 2, 3]), 1, stump, 0)).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
  });
});

/**
 * Exhaustive best depth-1 split by weighted impurity Σ_side Σ_k Σ_i (y_ik − ȳ_k)² (for one-hot targets this is
 * n_side × Gini), thresholds at midpoints of sorted distinct values; returns the split and its leaf means.
 */
function bruteForceSplit(X: Float64Array, n: number, p: number, Y: Float64Array, d: number) {
  let best = { cost: Infinity, feature: -1, threshold: 0, left: [] as number[], right: [] as number[] };
  for (let j = 0; j < p; j++) {
    const values = [...new Set(Array.from({ length: n }, (_, i) => X[i * p + j]))].sort((a, b) => a - b);
    for (let v = 0; v + 1 < values.length; v++) {
      const thr = (values[v] + values[v + 1]) / 2;
      const sides = [[], []] as number[][];
      for (let i = 0; i < n; i++) sides[X[i * p + j] <= thr ? 0 : 1].push(i);
      const means = sides.map((rows) =>
        Array.from({ length: d }, (_, k) => rows.reduce((s, i) => s + Y[i * d + k], 0) / rows.length),
      );
      let cost = 0;
      sides.forEach((rows, s) => {
        for (const i of rows) for (let k = 0; k < d; k++) cost += (Y[i * d + k] - means[s][k]) ** 2;
      });
      if (cost < best.cost - 1e-9)
        best = { cost, feature: j, threshold: thr, left: means[0], right: means[1] };
    }
  }
  return best;
}

const rf: RandomForestParams = {
  nEstimators: 20,
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  bootstrap: true,
};

describe('MissForestImputer', () => {
  const full = correlatedTable(400, 21);
  const split = injectedSplit(full, 300, ['x1', 'x2', 'x3', 'level', 'pos'], 0.35, 4);

  it('stops once neither change ratio decreases, or after 10 passes', () => {
    const imp = new MissForestImputer({ classifier: rf, regressor: rf, seed: 1 });
    imp.fit(split.train);
    const { iterations, numericChange, categoricalChange } = imp.fitInfo;
    expect(iterations).toBeGreaterThanOrEqual(2);
    expect(iterations).toBeLessThanOrEqual(10);
    expect(numericChange).toHaveLength(iterations);
    for (let k = 1; k < iterations; k++) {
      const decreased =
        numericChange[k] < numericChange[k - 1] || categoricalChange[k] < categoricalChange[k - 1];
      // Every pass but the last decreased one ratio; the last one stopped the loop (unless the cap did).
      if (k < iterations - 1) expect(decreased).toBe(true);
      else if (iterations < 10) expect(decreased).toBe(false);
    }
    const capped = new MissForestImputer({ classifier: rf, regressor: rf, seed: 1, maxIter: 1 });
    capped.fit(split.train);
    expect(capped.fitInfo.iterations).toBe(1);
  });

  it('replaying the stored forests on the training rows reproduces the fitted imputation', () => {
    const imp = new MissForestImputer({ classifier: rf, regressor: rf, seed: 2 });
    imp.fit(split.train);
    const direct = imp.transform(split.train); // the fitted working matrix
    const all = Array.from({ length: split.train.nRows }, (_, i) => i);
    const replayed = imp.transform(split.train.take(all)); // another table object: a full replay
    for (const c of ['x1', 'x2', 'x3']) {
      expect(Array.from((replayed.column(c) as { values: Float64Array }).values)).toEqual(
        Array.from((direct.column(c) as { values: Float64Array }).values),
      );
    }
    for (const c of ['level', 'pos']) {
      expect(Array.from((replayed.column(c) as { codes: Int32Array }).codes)).toEqual(
        Array.from((direct.column(c) as { codes: Int32Array }).codes),
      );
    }
  });

  it('with a single column uses the mean / mode guess', () => {
    const num = new Table([numericColumn('v', Float64Array.from([1, NaN, 2, 6]))]);
    const imp = new MissForestImputer({ classifier: rf, regressor: rf, seed: 0 });
    imp.fit(num);
    expect(Array.from((imp.transform(num).column('v') as { values: Float64Array }).values)).toEqual([
      1, 3, 2, 6,
    ]);
    expect(imp.fitInfo.iterations).toBe(0);
    const cat = new Table([categoricalColumn('c', Int32Array.from([1, -1, 1, 0]), ['a', 'b'])]);
    imp.fit(cat);
    expect(Array.from((imp.transform(cat).column('c') as { codes: Int32Array }).codes)).toEqual([1, 1, 1, 0]);
  });

  it('a categorical column with one observed class is filled with it', () => {
    const t = new Table([
      numericColumn('v', Float64Array.from([1, 2, 3, 4])),
      categoricalColumn('c', Int32Array.from([2, -1, 2, -1]), ['a', 'b', 'z']),
    ]);
    const imp = new MissForestImputer({ classifier: rf, regressor: rf, seed: 0 });
    imp.fit(t);
    expect(Array.from((imp.transform(t).column('c') as { codes: Int32Array }).codes)).toEqual([2, 2, 2, 2]);
    expect(missingCells(imp.transform(t))).toBe(0);
  });

  it('rejects invalid forest parameters', () => {
    const bad = { ...rf, minSamplesSplit: 1 };
    expect(() => new MissForestImputer({ classifier: bad, regressor: rf, seed: 0 })).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
    expect(() => new MissForestImputer({ classifier: rf, regressor: rf, seed: 0, maxIter: 0 })).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
  });
});
