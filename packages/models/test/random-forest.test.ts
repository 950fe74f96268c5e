import { describe, expect, it } from 'vitest';
import { DecisionTreeClassifier } from '../src/decision-tree';
import { RandomForestClassifier } from '../src/random-forest';
import { addTreeOutputs } from '../src/tree';
import { accuracy, expectClose, synthetic, thrownCode } from './helpers';

describe('rf_clf', () => {
  it('without bootstrap and with all features, every tree is the decision tree', () => {
    const { X, y } = synthetic(400, 5, 1);
    const rf = new RandomForestClassifier({
      n_estimators: 3,
      bootstrap: false,
      max_features: null,
      max_depth: 6,
    });
    rf.fit(X, y, { seed: 0 });
    const dt = new DecisionTreeClassifier({ max_depth: 6 });
    dt.fit(X, y, { seed: 0 });
    for (const t of rf.fittedTrees)
      expect(Array.from(t.threshold)).toEqual(Array.from(dt.fittedTree.threshold));
    expectClose(rf.predictProba(X), dt.predictProba(X), 1e-15);
  });

  it('averages tree probabilities and generalises better than one deep tree on noisy data', () => {
    const train = synthetic(2000, 8, 2);
    const test = synthetic(2000, 8, 3);
    const rf = new RandomForestClassifier({ n_estimators: 30, max_depth: null }, 7);
    rf.fit(train.X, train.y, { seed: 1 });
    const dt = new DecisionTreeClassifier({ max_depth: null });
    dt.fit(train.X, train.y, { seed: 1 });
    const p = rf.predictProba(test.X);
    // Leaf values are probabilities; the forest's output is their mean over trees.
    const x0 = { data: test.X.data.subarray(0, 8), nRows: 1, nCols: 8 };
    const sum = new Float64Array(1);
    for (const t of rf.fittedTrees) {
      for (const v of t.value) expect(v >= 0 && v <= 1).toBe(true);
      addTreeOutputs(t, x0, sum);
    }
    expect(p[0]).toBeCloseTo(sum[0] / rf.fittedTrees.length, 14);
    expect(accuracy(test.y, p)).toBeGreaterThan(accuracy(test.y, dt.predictProba(test.X)) + 0.02);
  });

  it('seeds each tree from (seed, fit seed, tree index): more trees extend the same forest', () => {
    const { X, y } = synthetic(500, 6, 4);
    const small = new RandomForestClassifier({ n_estimators: 3, max_depth: 5 }, 9);
    small.fit(X, y, { seed: 2 });
    const big = new RandomForestClassifier({ n_estimators: 5, max_depth: 5 }, 9);
    big.fit(X, y, { seed: 2 });
    for (let t = 0; t < 3; t++) {
      expect(Array.from(big.fittedTrees[t].threshold)).toEqual(Array.from(small.fittedTrees[t].threshold));
    }
    const other = new RandomForestClassifier({ n_estimators: 3, max_depth: 5 }, 9);
    other.fit(X, y, { seed: 3 });
    expect(JSON.stringify(other.toJSON())).not.toBe(JSON.stringify(small.toJSON()));
  });

  it('bootstraps `rows`: only listed rows are drawn', () => {
    const { X, y } = synthetic(300, 4, 5);
    // 100 rows, all positive: a forest bootstrapped from them can only predict 1.
    const rows: number[] = [];
    for (let i = 0; i < 300 && rows.length < 100; i++) if (y[i] === 1) rows.push(i);
    const rf = new RandomForestClassifier({ n_estimators: 4 });
    rf.fit(X, y, { seed: 0, rows: Uint32Array.from(rows) });
    for (const v of rf.predictProba(X)) expect(v).toBe(1);
  });

  it('is deterministic and round-trips through JSON', () => {
    const { X, y } = synthetic(300, 5, 6);
    const a = new RandomForestClassifier({ n_estimators: 5, min_samples_leaf: 3, criterion: 'entropy' }, 1);
    a.fit(X, y, { seed: 4, sampleWeight: new Float64Array(300).fill(0.5) });
    const b = new RandomForestClassifier({ n_estimators: 5, min_samples_leaf: 3, criterion: 'entropy' }, 1);
    b.fit(X, y, { seed: 4, sampleWeight: new Float64Array(300).fill(0.5) });
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    const back = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
    expect(thrownCode(() => new RandomForestClassifier({ max_features: 'auto' }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new RandomForestClassifier({ max_features: 99 }).fit(X, y, { seed: 0 }))).toBe(
      'VF_MODEL_BAD_PARAM',
    );
  });
});
