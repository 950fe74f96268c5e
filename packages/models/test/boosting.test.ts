import { describe, expect, it } from 'vitest';
import { LGBMClassifier, XGBClassifier } from '../src/boosting';
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

interface XgbCase {
  name: string;
  params: Record<string, unknown>;
  X: (number | null)[][];
  y: number[];
  X_test: (number | null)[][];
  proba_train: number[];
  proba_test: number[];
}

function prior(y: Uint8Array): number {
  let s = 0;
  for (const v of y) s += v;
  return s / y.length;
}

describe('xgb_clf / lgbm_clf', () => {
  it('computes second-order leaf weights by hand: one stump, λ = 1', () => {
    // x ≤ 1.5 → labels {0, 0, 1}, x > 1.5 → labels {1, 1, 1}; base = logit(4/6).
    const X = matrix([[1], [1], [1], [2], [2], [2]]);
    const y = labels([0, 0, 1, 1, 1, 1]);
    const m = new XGBClassifier({ n_estimators: 1, max_depth: 1, learning_rate: 0.5, min_child_weight: 0 });
    m.fit(X, y, { seed: 0 });
    const p = 4 / 6;
    const base = Math.log(p / (1 - p));
    const h = p * (1 - p);
    // Left: g = 3p − 1, H = 3h; right: g = 3p − 3, H = 3h; w = −G/(H + λ)·η.
    const wl = (-(3 * p - 1) / (3 * h + 1)) * 0.5;
    const wr = (-(3 * p - 3) / (3 * h + 1)) * 0.5;
    const t = m.fittedTrees[0];
    expect(t.threshold[0]).toBe(1.5);
    const raw = m.decisionFunction(matrix([[1], [2]]));
    expect(raw[0]).toBeCloseTo(base + wl, 14);
    expect(raw[1]).toBeCloseTo(base + wr, 14);
  });

  const fixture = loadFixture<{ cases: XgbCase[] }>('xgboost.json');
  for (const c of fixture.cases) {
    it(`matches XGBoost hist: ${c.name}`, () => {
      const X = matrix(c.X);
      const y = labels(c.y);
      const lossGuide = c.params.grow_policy === 'lossguide';
      // XGBoost's loss-guided growth is LightGBM's leaf-wise growth with no min_data_in_leaf, λ and
      // min_child_weight as given.
      const m = lossGuide
        ? new LGBMClassifier({
            num_leaves: c.params.max_leaves,
            n_estimators: c.params.n_estimators,
            learning_rate: c.params.learning_rate,
            reg_lambda: c.params.reg_lambda,
            min_data_in_leaf: 0,
            min_sum_hessian_in_leaf: 1,
          })
        : new XGBClassifier(c.params);
      m.fit(X, y, { seed: 0 });
      expect(prior(y)).toBeGreaterThan(0);
      // XGBoost keeps gradients and leaf values in float32: agreement to ~1e-6.
      expectClose(m.predictProba(X), c.proba_train, 2e-6);
      expectClose(m.predictProba(matrix(c.X_test)), c.proba_test, 2e-6);
    });
  }

  it('grows leaf-wise up to num_leaves and honours max_depth', () => {
    const { X, y } = synthetic(2000, 5, 7);
    const m = new LGBMClassifier({ n_estimators: 3, num_leaves: 7, min_data_in_leaf: 5 });
    m.fit(X, y, { seed: 0 });
    for (const t of m.fittedTrees) {
      let leaves = 0;
      for (const f of t.feature) if (f < 0) leaves++;
      expect(leaves).toBe(7);
    }
    const d = new LGBMClassifier({ n_estimators: 2, num_leaves: 64, max_depth: 2, min_data_in_leaf: 5 });
    d.fit(X, y, { seed: 0 });
    for (const t of d.fittedTrees) expect(t.feature.length).toBe(7);
  });

  it('keeps min_data_in_leaf rows in every leaf (count estimated from hessians, as LightGBM)', () => {
    const { X, y } = synthetic(3000, 4, 8);
    const m = new LGBMClassifier({ n_estimators: 1, num_leaves: 64, min_data_in_leaf: 200 });
    m.fit(X, y, { seed: 0 });
    const t = m.fittedTrees[0];
    const count = new Map<number, number>();
    for (let i = 0; i < X.nRows; i++) {
      let k = 0;
      while (t.feature[k] >= 0)
        k = X.data[i * X.nCols + t.feature[k]] <= t.threshold[k] ? t.left[k] : t.right[k];
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    // First tree: every hessian is p(1 − p) of the prior, so the estimate is exact.
    expect(Math.min(...count.values())).toBeGreaterThanOrEqual(200);
  });

  it('treats integer sample weights as duplicated rows and `rows` as taking rows', () => {
    const { X, y } = synthetic(400, 4, 9);
    const w = new Float64Array(400);
    const dup: number[] = [];
    for (let i = 0; i < 400; i++) {
      w[i] = (i * 5) % 3;
      for (let k = 0; k < w[i]; k++) dup.push(i);
    }
    const params = { n_estimators: 5, max_depth: 3, learning_rate: 0.3 };
    const a = new XGBClassifier(params);
    a.fit(X, y, { seed: 0, sampleWeight: w });
    const b = new XGBClassifier(params);
    const Xd = takeRows(X, dup);
    b.fit(Xd, takeLabels(y, dup), { seed: 0 });
    const c = new XGBClassifier(params);
    c.fit(X, y, { seed: 0, rows: Uint32Array.from(dup) });
    expectClose(a.predictProba(Xd), b.predictProba(Xd), 1e-12);
    expectClose(c.predictProba(Xd), b.predictProba(Xd), 1e-12);
  });

  it('subsamples deterministically per seed', () => {
    const { X, y } = synthetic(1000, 4, 10);
    const fit = (seed: number): XGBClassifier => {
      const m = new XGBClassifier({ n_estimators: 10, max_depth: 3, subsample: 0.5 }, 3);
      m.fit(X, y, { seed });
      return m;
    };
    expect(JSON.stringify(fit(1).toJSON())).toBe(JSON.stringify(fit(1).toJSON()));
    expect(JSON.stringify(fit(2).toJSON())).not.toBe(JSON.stringify(fit(1).toJSON()));
    expect(accuracy(y, fit(1).predictProba(X))).toBeGreaterThan(0.75);
  });

  it('round-trips through JSON for both kinds', () => {
    const { X, y } = synthetic(500, 4, 11);
    for (const m of [new XGBClassifier({ n_estimators: 5 }), new LGBMClassifier({ n_estimators: 5 })]) {
      m.fit(X, y, { seed: 0 });
      const json = JSON.parse(JSON.stringify(m.toJSON())) as unknown;
      const back = m.kind === 'xgb_clf' ? XGBClassifier.fromJSON(json) : LGBMClassifier.fromJSON(json);
      expect(Array.from(back.predictProba(X))).toEqual(Array.from(m.predictProba(X)));
      expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(m.toJSON()));
    }
  });

  it('rejects bad hyper-parameters', () => {
    expect(thrownCode(() => new XGBClassifier({ subsample: 0 }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new XGBClassifier({ learning_rate: -1 }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new LGBMClassifier({ max_depth: 0 }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new LGBMClassifier({ num_leaves: 1 }))).toBe('VF_MODEL_BAD_PARAM');
  });
});
