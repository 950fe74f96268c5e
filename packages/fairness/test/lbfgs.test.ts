import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '@virnyflow/fairness';

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const r = minimizeLbfgs(
      (x, g) => {
        const a = 1 - x[0];
        const b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
      },
      Float64Array.of(-1.2, 1),
      { gtol: 1e-9, ftol: 0 },
    );
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
  });

  it('solves an ill-conditioned quadratic to the closed-form minimiser', () => {
    // f = ½ Σ aᵢ(xᵢ − i)², aᵢ from 1 to 1e4.
    const n = 20;
    const a = Float64Array.from({ length: n }, (_, i) => Math.pow(10, (4 * i) / (n - 1)));
    const r = minimizeLbfgs(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < n; i++) {
          const d = x[i] - i;
          f += 0.5 * a[i] * d * d;
          g[i] = a[i] * d;
        }
        return f;
      },
      new Float64Array(n),
      { gtol: 1e-8, ftol: 0 },
    );
    expect(r.converged).toBe(true);
    for (let i = 0; i < n; i++) expect(r.x[i]).toBeCloseTo(i, 6);
  });

  it('respects the iteration budget', () => {
    const r = minimizeLbfgs(
      (x, g) => {
        g[0] = 2 * (x[0] - 3);
        return (x[0] - 3) ** 2 + 0 * g.length;
      },
      Float64Array.of(100),
      { maxIter: 1, gtol: 0, ftol: 0 },
    );
    expect(r.iterations).toBe(1);
  });
});
