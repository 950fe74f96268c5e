import { readFileSync } from 'node:fs';
import { Rng } from '@virnyflow/core';
import {
  OptimizerErrorCode,
  choleskyInverse,
  choleskyLogDet,
  choleskySolve,
  choleskyWithJitter,
  erf,
  erfc,
  lbfgsMinimize,
  normCdf,
  normPdf,
} from '@virnyflow/optimizer';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

interface Reference {
  erfc: [number, number][];
  normCdf: [number, number][];
  normPdf: [number, number][];
}
const ref = JSON.parse(
  readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8'),
) as Reference;

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('normal distribution (SciPy reference values)', () => {
  it('erfc matches SciPy to 1e-12 relative, in both branches and deep in the tail', () => {
    for (const [x, v] of ref.erfc) expect(relErr(erfc(x), v)).toBeLessThan(1e-12);
  });
  it('Φ and φ match SciPy to 1e-12 relative, including Φ(−30)', () => {
    for (const [z, v] of ref.normCdf) expect(relErr(normCdf(z), v)).toBeLessThan(1e-12);
    for (const [z, v] of ref.normPdf) expect(relErr(normPdf(z), v)).toBeLessThan(1e-14);
  });
  it('series and continued fraction agree at the switch point, and erf + erfc = 1', () => {
    // erfc(2.5 − ε) uses the series, erfc(2.5) the continued fraction; the function must be continuous.
    expect(relErr(erfc(2.5 - 1e-12), erfc(2.5))).toBeLessThan(1e-10);
    for (const x of [-3, -1, 0, 0.7, 2.4, 2.6, 4]) expect(erf(x) + erfc(x)).toBeCloseTo(1, 14);
  });
});

function randomSpd(n: number, rng: Rng): Float64Array {
  // A = B·Bᵀ + n·I with B uniform: symmetric positive definite.
  const b = new Float64Array(n * n);
  for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-1, 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s + (i === j ? n : 0);
    }
  return a;
}

describe('Cholesky', () => {
  const rng = new Rng(11);
  const n = 12;
  const k = randomSpd(n, rng);
  const l = new Float64Array(n * n);
  const jitter = choleskyWithJitter(k, n, l);

  it('L·Lᵀ = K with L lower triangular and no jitter for a well-conditioned K', () => {
    expect(jitter).toBe(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        if (j > i) expect(l[i * n + j]).toBe(0);
        let s = 0;
        for (let t = 0; t < n; t++) s += l[i * n + t] * l[j * n + t];
        expect(s).toBeCloseTo(k[i * n + j], 10);
      }
  });

  it('agrees with ml-matrix’s CholeskyDecomposition', () => {
    const rows = Array.from({ length: n }, (_, i) => Array.from(k.subarray(i * n, i * n + n)));
    const ml = new CholeskyDecomposition(new Matrix(rows)).lowerTriangularMatrix;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(l[i * n + j]).toBeCloseTo(ml.get(i, j), 12);
  });

  it('solve, inverse and log-determinant are consistent: K·K⁻¹ = I, K·x = b', () => {
    const inv = new Float64Array(n * n);
    choleskyInverse(l, n, inv, new Float64Array(n * n));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += k[i * n + t] * inv[t * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    const b = Float64Array.from({ length: n }, (_, i) => i - 3);
    const x = Float64Array.from(b);
    choleskySolve(l, n, x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += k[i * n + t] * x[t];
      expect(s).toBeCloseTo(b[i], 12);
    }
    const rows = Array.from({ length: n }, (_, i) => Array.from(k.subarray(i * n, i * n + n)));
    const ml = new CholeskyDecomposition(new Matrix(rows)).lowerTriangularMatrix;
    let logdet = 0;
    for (let i = 0; i < n; i++) logdet += 2 * Math.log(ml.get(i, i));
    expect(choleskyLogDet(l, n)).toBeCloseTo(logdet, 10);
  });

  it('escalates jitter for a singular matrix (duplicated point) and fails cleanly on NaN', () => {
    // K of points 0, 0, 1 under an RBF kernel without noise: rows 0 and 1 are identical.
    const s = new Float64Array([1, 1, Math.exp(-1), 1, 1, Math.exp(-1), Math.exp(-1), Math.exp(-1), 1]);
    const out = new Float64Array(9);
    const j = choleskyWithJitter(s, 3, out);
    expect(j).toBeGreaterThan(0);
    expect(j).toBeLessThanOrEqual(1e-2);
    const bad = new Float64Array([1, NaN, NaN, 1]);
    expect(() => choleskyWithJitter(bad, 2, new Float64Array(4))).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.NotPositiveDefinite }),
    );
  });
});

describe('L-BFGS', () => {
  it('minimises the Rosenbrock function and respects bounds', () => {
    const f = (x: Float64Array, g: Float64Array): number => {
      const a = 1 - x[0];
      const b = x[1] - x[0] * x[0];
      g[0] = -2 * a - 400 * x[0] * b;
      g[1] = 200 * b;
      return a * a + 100 * b * b;
    };
    const res = lbfgsMinimize(
      f,
      new Float64Array([-1.2, 1]),
      new Float64Array([-5, -5]),
      new Float64Array([5, 5]),
      {
        maxIterations: 200,
        relativeTolerance: 0,
      },
    );
    expect(res.x[0]).toBeCloseTo(1, 4);
    expect(res.x[1]).toBeCloseTo(1, 4);
    // With the optimum outside the box the solution sits on the bound.
    const boxed = lbfgsMinimize(
      f,
      new Float64Array([-1.2, 0.5]),
      new Float64Array([-5, -5]),
      new Float64Array([0.5, 5]),
      {
        maxIterations: 200,
        relativeTolerance: 0,
      },
    );
    expect(boxed.x[0]).toBeCloseTo(0.5, 6);
    expect(boxed.x[1]).toBeCloseTo(0.25, 3);
  });
});
