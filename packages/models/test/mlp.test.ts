import { describe, expect, it } from 'vitest';
import { gemmNT } from '../src/linalg';
import { MLPClassifier } from '../src/mlp';
import {
  accuracy,
  expectClose,
  labels,
  matrix,
  synthetic,
  takeLabels,
  takeRows,
  thrownCode,
} from './helpers';

describe('mlp_clf', () => {
  it('gemmNT computes P·Qᵀ on odd shapes', () => {
    const P = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // (3, 3)
    const Q = Float64Array.from([1, 0, 1, 2, 1, 0]); // (2, 3)
    const C = new Float64Array(6);
    gemmNT(P, Q, C, 3, 2, 3, false);
    expect(Array.from(C)).toEqual([4, 4, 10, 13, 16, 22]);
    gemmNT(P, Q, C, 3, 2, 3, true);
    expect(Array.from(C)).toEqual([8, 8, 20, 26, 32, 44]);
  });

  it('learns XOR with every solver', () => {
    const rows: number[][] = [];
    const y: number[] = [];
    for (let k = 0; k < 50; k++) {
      for (const [a, b] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]) {
        rows.push([a + 0.05 * Math.sin(k), b + 0.05 * Math.cos(k)]);
        y.push(a ^ b);
      }
    }
    const X = matrix(rows);
    const yy = labels(y);
    for (const [solver, extra] of [
      ['adam', { learning_rate_init: 0.01, max_iter: 300 }],
      ['sgd', { learning_rate_init: 0.1, max_iter: 300 }],
      ['lbfgs', { max_iter: 200 }],
    ] as const) {
      const m = new MLPClassifier({ hidden_layer_sizes: [8], activation: 'tanh', solver, ...extra }, 1);
      m.fit(X, yy, { seed: 0 });
      expect(accuracy(yy, m.predictProba(X)), solver).toBe(1);
    }
  });

  it('stops after n_iter_no_change stalled epochs; the adaptive schedule first divides the rate by 5', () => {
    const { X, y } = synthetic(200, 3, 3);
    // tol = 10: no epoch ever improves by that much. Epoch 1 sets the best loss; after 11 more the count
    // exceeds n_iter_no_change = 10 and training stops (12 epochs, as scikit-learn).
    const base = { hidden_layer_sizes: [4], solver: 'sgd', max_iter: 500, tol: 10 };
    const constant = new MLPClassifier({ ...base, learning_rate: 'constant' });
    constant.fit(X, y, { seed: 0 });
    expect(constant.iterations).toBe(12);
    expect(constant.losses.length).toBe(12);
    // Adaptive: at each stall η /= 5 (0.001 → 2e-4 → … → 3.2e-7 ≤ 1e-6), 11 more epochs each, then stop.
    const adaptive = new MLPClassifier({ ...base, learning_rate: 'adaptive' });
    adaptive.fit(X, y, { seed: 0 });
    expect(adaptive.iterations).toBe(12 + 5 * 11);
  });

  it('treats `rows` as taking rows', () => {
    const { X, y } = synthetic(200, 3, 4);
    const rows = Uint32Array.from({ length: 200 }, (_, k) => (k * 7) % 150);
    const params = { hidden_layer_sizes: [5], solver: 'lbfgs', max_iter: 30 };
    const a = new MLPClassifier(params, 2);
    a.fit(X, y, { seed: 5, rows });
    const b = new MLPClassifier(params, 2);
    b.fit(takeRows(X, rows), takeLabels(y, rows), { seed: 5 });
    // Full-batch L-BFGS sees the same multiset of rows: same optimisation path up to summation order.
    expectClose(a.predictProba(X), b.predictProba(X), 1e-6);
  });

  it('is deterministic per seed and round-trips through JSON', () => {
    const { X, y } = synthetic(300, 4, 5);
    const fit = (seed: number): MLPClassifier => {
      const m = new MLPClassifier({
        hidden_layer_sizes: [6, 4],
        solver: 'sgd',
        learning_rate: 'invscaling',
        max_iter: 5,
      });
      m.fit(X, y, { seed });
      return m;
    };
    expect(JSON.stringify(fit(1).toJSON())).toBe(JSON.stringify(fit(1).toJSON()));
    expect(JSON.stringify(fit(2).toJSON())).not.toBe(JSON.stringify(fit(1).toJSON()));
    const m = fit(1);
    const back = MLPClassifier.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(back.predictProba(X))).toEqual(Array.from(m.predictProba(X)));
  });

  it('rejects NaN and bad hyper-parameters', () => {
    const m = new MLPClassifier({ hidden_layer_sizes: [2], max_iter: 1 });
    expect(thrownCode(() => m.fit(matrix([[NaN], [1]]), labels([0, 1]), { seed: 0 }))).toBe(
      'VF_MODEL_NAN_INPUT',
    );
    expect(thrownCode(() => new MLPClassifier({ hidden_layer_sizes: [0] }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new MLPClassifier({ activation: 'softmax' }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => MLPClassifier.fromJSON({ kind: 'mlp_clf', version: 2 }))).toBe(
      'VF_MODEL_VERSION',
    );
  });
});
