import { describe, expect, it } from 'vitest';
import { DecisionTreeClassifier } from '../src/decision-tree';
import type { Tree } from '../src/tree';
import {
  accuracy,
  expectClose,
  labels,
  loadFixture,
  matrix,
  synthetic,
  takeLabels,
  takeRows,
  thrownCode,
} from './helpers';

interface DtCase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  sample_weight: number[] | null;
  X_test: number[][];
  proba_test: number[];
  proba_train: number[];
  tree: { feature: number[]; threshold: number[]; left: number[]; right: number[] };
}

/** Pre-order (node, left subtree, right subtree) list of [feature, threshold] of split nodes. */
function preorder(t: Tree): [number, number][] {
  const out: [number, number][] = [];
  const visit = (k: number): void => {
    if (t.feature[k] < 0) return;
    out.push([t.feature[k], t.threshold[k]]);
    visit(t.left[k]);
    visit(t.right[k]);
  };
  visit(0);
  return out;
}

function sklearnPreorder(t: DtCase['tree']): [number, number][] {
  const out: [number, number][] = [];
  const visit = (k: number): void => {
    if (t.left[k] < 0) return;
    out.push([t.feature[k], t.threshold[k]]);
    visit(t.left[k]);
    visit(t.right[k]);
  };
  visit(0);
  return out;
}

describe('dt_clf', () => {
  it('splits on the one informative feature', () => {
    // Feature 1 decides the label; features 0 and 2 are noise.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      rows.push([(i * 7) % 5, i % 10, (i * 3) % 4]);
      y.push(i % 10 >= 6 ? 1 : 0);
    }
    const m = new DecisionTreeClassifier({ max_depth: 1 });
    m.fit(matrix(rows), labels(y), { seed: 0 });
    const t = m.fittedTree;
    expect(t.feature[0]).toBe(1);
    expect(t.threshold[0]).toBe(5.5);
    expect(
      Array.from(
        m.predictProba(
          matrix([
            [0, 5, 0],
            [0, 6, 0],
          ]),
        ),
      ),
    ).toEqual([0, 1]);
  });

  it('learns XOR at depth 2 (the first split has zero gain, as in scikit-learn)', () => {
    const X = matrix([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    const y = labels([0, 1, 1, 0]);
    const deep = new DecisionTreeClassifier({ max_depth: 2 });
    deep.fit(X, y, { seed: 0 });
    expect(Array.from(deep.predictProba(X))).toEqual([0, 1, 1, 0]);
    const stump = new DecisionTreeClassifier({ max_depth: 1 });
    stump.fit(X, y, { seed: 0 });
    expect(Array.from(stump.predictProba(X))).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  const fixture = loadFixture<{ cases: DtCase[] }>('sklearn-dt.json');
  for (const c of fixture.cases) {
    it(`matches scikit-learn exactly: ${c.name}`, () => {
      const m = new DecisionTreeClassifier(c.params);
      const X = matrix(c.X);
      m.fit(X, labels(c.y), {
        seed: 0,
        ...(c.sample_weight ? { sampleWeight: Float64Array.from(c.sample_weight) } : {}),
      });
      expect(preorder(m.fittedTree)).toEqual(sklearnPreorder(c.tree));
      expectClose(m.predictProba(X), c.proba_train, 1e-12);
      expectClose(m.predictProba(matrix(c.X_test)), c.proba_test, 1e-12);
    });
  }

  it('treats integer sample weights as duplicated rows (min_samples_* count rows, as scikit-learn)', () => {
    const { X, y } = synthetic(300, 4, 1);
    const w = new Float64Array(300);
    const dup: number[] = [];
    for (let i = 0; i < 300; i++) {
      w[i] = (i * 7) % 3; // 0, 1 or 2 copies
      for (let k = 0; k < w[i]; k++) dup.push(i);
    }
    const a = new DecisionTreeClassifier({ max_depth: 7 });
    a.fit(X, y, { seed: 0, sampleWeight: w });
    const b = new DecisionTreeClassifier({ max_depth: 7 });
    b.fit(takeRows(X, dup), takeLabels(y, dup), { seed: 0 });
    expectClose(a.predictProba(X), b.predictProba(X), 1e-12);
  });

  it('fits `rows` (with duplicates) exactly as the matrix of those rows', () => {
    const { X, y } = synthetic(300, 4, 2);
    const rows = new Uint32Array(300);
    for (let k = 0; k < 300; k++) rows[k] = (k * 37 + (k % 7) * 11) % 300;
    const a = new DecisionTreeClassifier({ max_depth: 6, min_samples_split: 10 });
    a.fit(X, y, { seed: 0, rows });
    const b = new DecisionTreeClassifier({ max_depth: 6, min_samples_split: 10 });
    const Xr = takeRows(X, rows);
    b.fit(Xr, takeLabels(y, rows), { seed: 0 });
    // Bin edges come from different matrices, so compare on the training rows themselves.
    expectClose(a.predictProba(Xr), b.predictProba(Xr), 1e-12);
  });

  it('learns where NaN goes, and sends NaN to the larger child when training had none', () => {
    // NaN rows are positive, small values negative, large values positive.
    const X = matrix([[1], [2], [3], [NaN], [NaN], [8], [9], [10], [11]]);
    const y = labels([0, 0, 0, 1, 1, 1, 1, 1, 1]);
    const m = new DecisionTreeClassifier({ max_depth: 1 });
    m.fit(X, y, { seed: 0 });
    const t = m.fittedTree;
    expect(t.missingLeft[0]).toBe(0);
    expect(Array.from(m.predictProba(matrix([[NaN], [0], [20]])))).toEqual([1, 0, 1]);

    const clean = new DecisionTreeClassifier({ max_depth: 1 });
    clean.fit(matrix([[1], [2], [8], [9], [10]]), labels([0, 0, 1, 1, 1]), { seed: 0 });
    expect(clean.predictProba(matrix([[NaN]]))[0]).toBe(1);
  });

  it('respects max_depth, min_samples_leaf and min_samples_split', () => {
    const { X, y } = synthetic(500, 5, 3);
    const depthOf = (t: Tree): number => {
      const d = (k: number): number => (t.feature[k] < 0 ? 0 : 1 + Math.max(d(t.left[k]), d(t.right[k])));
      return d(0);
    };
    const m = new DecisionTreeClassifier({ max_depth: 4, min_samples_leaf: 20 });
    m.fit(X, y, { seed: 0 });
    expect(depthOf(m.fittedTree)).toBe(4);
    // Count training rows per leaf by routing them.
    const t = m.fittedTree;
    const perLeaf = new Map<number, number>();
    for (let i = 0; i < X.nRows; i++) {
      let k = 0;
      while (t.feature[k] >= 0)
        k = X.data[i * X.nCols + t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
      perLeaf.set(k, (perLeaf.get(k) ?? 0) + 1);
    }
    expect(Math.min(...perLeaf.values())).toBeGreaterThanOrEqual(20);
    const s = new DecisionTreeClassifier({ min_samples_split: 501 });
    s.fit(X, y, { seed: 0 });
    expect(s.nodeCount).toBe(1);
  });

  it('is deterministic and round-trips through JSON', () => {
    const { X, y } = synthetic(400, 6, 4);
    const a = new DecisionTreeClassifier({ max_depth: 8, max_features: 'sqrt' }, 5);
    a.fit(X, y, { seed: 11 });
    const b = new DecisionTreeClassifier({ max_depth: 8, max_features: 'sqrt' }, 5);
    b.fit(X, y, { seed: 11 });
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    const back = DecisionTreeClassifier.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.predictProba(X))).toEqual(Array.from(a.predictProba(X)));
    expect(accuracy(y, a.predictProba(X))).toBeGreaterThan(0.8);
  });

  it('fails with stable codes on bad input', () => {
    expect(thrownCode(() => new DecisionTreeClassifier({ max_depth: 0 }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new DecisionTreeClassifier({ criterion: 'mse' }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new DecisionTreeClassifier({ maxDepth: 3 }))).toBe('VF_MODEL_BAD_PARAM');
    const m = new DecisionTreeClassifier();
    expect(thrownCode(() => m.predictProba(matrix([[1]])))).toBe('VF_MODEL_NOT_FITTED');
    expect(thrownCode(() => m.fit(matrix([[1], [2]]), labels([0]), { seed: 0 }))).toBe('VF_MODEL_BAD_INPUT');
    expect(thrownCode(() => m.fit(matrix([[1], [2]]), labels([0, 2]), { seed: 0 }))).toBe(
      'VF_MODEL_BAD_INPUT',
    );
    m.fit(matrix([[1], [2]]), labels([0, 1]), { seed: 0 });
    expect(thrownCode(() => m.predictProba(matrix([[1, 2]])))).toBe('VF_MODEL_BAD_INPUT');
  });
});
