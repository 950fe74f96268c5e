import { describe, expect, it } from 'vitest';
import { LogisticRegression, solveLogistic } from '../src/logistic';
import { resolveSample } from '../src/sample';
import {
  expectClose,
  labels,
  loadFixture,
  matrix,
  synthetic,
  takeLabels,
  takeRows,
  thrownCode,
} from './helpers';

interface LrFixture {
  X: number[][];
  y: number[];
  sample_weight: number[];
  cases: { penalty: 'l2' | null; C: number; weighted: boolean; coef: number[]; intercept: number }[];
}

const logit = (p: number): number => Math.log(p / (1 - p));

describe('lr_clf', () => {
  it('reaches the closed-form optimum of an unpenalised one-hot problem', () => {
    // One binary feature: the MLE is b = logit(P(y|x=0)), β = logit(P(y|x=1)) − b.
    const rows: number[][] = [];
    const y: number[] = [];
    const add = (x: number, label: number, times: number): void => {
      for (let k = 0; k < times; k++) {
        rows.push([x]);
        y.push(label);
      }
    };
    add(0, 1, 3);
    add(0, 0, 7);
    add(1, 1, 6);
    add(1, 0, 4);
    for (const solver of ['newton-cg', 'lbfgs', 'sag', 'saga']) {
      const m = new LogisticRegression({ penalty: null, solver, tol: 1e-13 });
      m.fit(matrix(rows), labels(y), { seed: 0 });
      expect(m.interceptValue).toBeCloseTo(logit(0.3), 9);
      expect(m.coefficients[0]).toBeCloseTo(logit(0.6) - logit(0.3), 9);
    }
  });

  it('matches the ridge optimum on a 1-D problem solved by hand-written Newton in the test', () => {
    // f(β, b) = Σ log(1 + e^z) − y z + β²/(2C); solve ∇f = 0 by a scalar-by-scalar Newton in 2-D.
    const xs = [-2, -1, -0.5, 0, 0.3, 1, 1.5, 2.5];
    const ys = [0, 0, 1, 0, 1, 0, 1, 1];
    const C = 0.5;
    let beta = 0;
    let b = 0;
    for (let it = 0; it < 100; it++) {
      let gB = beta / C;
      let gb = 0;
      let hBB = 1 / C;
      let hBb = 0;
      let hbb = 0;
      for (let i = 0; i < xs.length; i++) {
        const p = 1 / (1 + Math.exp(-(beta * xs[i] + b)));
        gB += (p - ys[i]) * xs[i];
        gb += p - ys[i];
        const w = p * (1 - p);
        hBB += w * xs[i] * xs[i];
        hBb += w * xs[i];
        hbb += w;
      }
      const det = hBB * hbb - hBb * hBb;
      beta -= (hbb * gB - hBb * gb) / det;
      b -= (hBB * gb - hBb * gB) / det;
    }
    const m = new LogisticRegression({ C, tol: 1e-13 });
    m.fit(matrix(xs.map((x) => [x])), labels(ys), { seed: 0 });
    expect(m.coefficients[0]).toBeCloseTo(beta, 10);
    expect(m.interceptValue).toBeCloseTo(b, 10);
  });

  const fx = loadFixture<LrFixture>('sklearn-lr.json');
  for (const c of fx.cases) {
    it(`matches scikit-learn: penalty ${c.penalty} C ${c.C}${c.weighted ? ' weighted' : ''}`, () => {
      const fit = (tol?: number): LogisticRegression => {
        const m = new LogisticRegression({
          penalty: c.penalty,
          C: c.C,
          solver: 'lbfgs',
          ...(tol ? { tol } : {}),
        });
        m.fit(matrix(fx.X), labels(fx.y), {
          seed: 0,
          ...(c.weighted ? { sampleWeight: Float64Array.from(fx.sample_weight) } : {}),
        });
        return m;
      };
      // Solved as tightly as the reference (newton-cholesky, tol 1e-10): the same optimum.
      const tight = fit(1e-10);
      expectClose(tight.coefficients, c.coef, 1e-7, 1e-7);
      expect(tight.interceptValue).toBeCloseTo(c.intercept, 7);
      expect(tight.fitInfo.converged).toBe(true);
      // At scikit-learn's default tol (1e-4 on the summed loss's gradient) the coefficients are those of a
      // tol-1e-4 solve: within ~1e-4 of the optimum on these 200 rows.
      const dflt = fit();
      expectClose(dflt.coefficients, c.coef, 1e-4, 1e-4);
      expect(dflt.interceptValue).toBeCloseTo(c.intercept, 3);
      expect(dflt.fitInfo.converged).toBe(true);
    });
  }

  it('Newton and L-BFGS land on the same optimum', () => {
    const { X, y } = synthetic(600, 12, 5);
    const s = resolveSample(X, y, { seed: 0 }, 'lr_clf');
    const a = new Float64Array(13);
    const b = new Float64Array(13);
    const ia = solveLogistic(X, y, s, a, {
      C: 0.3,
      fitIntercept: true,
      algorithm: 'newton',
      maxIter: 100,
      tol: 1e-10,
    });
    const ib = solveLogistic(X, y, s, b, {
      C: 0.3,
      fitIntercept: true,
      algorithm: 'lbfgs',
      maxIter: 5000,
      tol: 1e-10,
    });
    expect(ia.converged && ib.converged).toBe(true);
    expect(ia.iterations).toBeLessThan(15);
    expectClose(b, a, 1e-7, 1e-6);
  });

  it('treats integer sample weights as duplicated rows and `rows` as taking rows', () => {
    const { X, y } = synthetic(300, 5, 6);
    const w = new Float64Array(300);
    const dup: number[] = [];
    for (let i = 0; i < 300; i++) {
      w[i] = (i * 11) % 4;
      for (let k = 0; k < w[i]; k++) dup.push(i);
    }
    // Three fits of one objective: solved tightly so they agree to rounding, not to the default tol.
    const a = new LogisticRegression({ C: 0.1, tol: 1e-10 });
    a.fit(X, y, { seed: 0, sampleWeight: w });
    const b = new LogisticRegression({ C: 0.1, tol: 1e-10 });
    b.fit(takeRows(X, dup), takeLabels(y, dup), { seed: 0 });
    const c = new LogisticRegression({ C: 0.1, tol: 1e-10 });
    c.fit(X, y, { seed: 0, rows: Uint32Array.from(dup) });
    expectClose(a.coefficients, b.coefficients, 1e-8, 1e-8);
    expectClose(c.coefficients, b.coefficients, 1e-8, 1e-8);
  });

  it('stops quickly without a finite optimum (unpenalised, collinear one-hot, a separating category)', () => {
    // Two one-hot groups plus the intercept are collinear; category 2 of the first group is always positive.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 600; i++) {
      const a = i % 3;
      const b = (i * 7) % 4;
      rows.push([
        a === 0 ? 1 : 0,
        a === 1 ? 1 : 0,
        a === 2 ? 1 : 0,
        b === 0 ? 1 : 0,
        b === 1 ? 1 : 0,
        b >= 2 ? 1 : 0,
      ]);
      y.push(a === 2 ? 1 : (i * 13) % 5 < 2 ? 1 : 0);
    }
    const m = new LogisticRegression({ penalty: null });
    m.fit(matrix(rows), labels(y), { seed: 0 });
    expect(m.fitInfo.iterations).toBeLessThan(60);
    const p = m.predictProba(
      matrix([
        [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 1, 0, 0],
      ]),
    );
    expect(p[0]).toBeGreaterThan(0.999);
    expect(p[1]).toBeGreaterThan(0.2);
    expect(p[1]).toBeLessThan(0.6);
  });

  it('gives a constant model on single-class data, rejects NaN, round-trips', () => {
    const X = matrix([[1], [2], [3]]);
    const one = new LogisticRegression();
    one.fit(X, labels([1, 1, 1]), { seed: 0 });
    expect(one.predictProba(X)[0]).toBeGreaterThan(1 - 1e-12);
    expect(thrownCode(() => one.fit(matrix([[1], [NaN]]), labels([0, 1]), { seed: 0 }))).toBe(
      'VF_MODEL_NAN_INPUT',
    );
    expect(thrownCode(() => one.predictProba(matrix([[NaN]])))).toBe('VF_MODEL_NAN_INPUT');
    const { X: X2, y: y2 } = synthetic(200, 3, 7);
    const m = new LogisticRegression({ C: 0.01, solver: 'saga' });
    m.fit(X2, y2, { seed: 0 });
    const back = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(back.predictProba(X2))).toEqual(Array.from(m.predictProba(X2)));
    expect(thrownCode(() => new LogisticRegression({ C: 0 }))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => new LogisticRegression({ solver: 'liblinear' }))).toBe('VF_MODEL_BAD_PARAM');
  });
});
