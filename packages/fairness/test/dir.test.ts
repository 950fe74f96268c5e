import { describe, expect, it } from 'vitest';
import { Rng } from '@virnyflow/core';
import { DisparateImpactRemover, FairnessErrorCode } from '@virnyflow/fairness';
import type { DenseMatrix } from '@virnyflow/models';
import { groupColumn, quantileInvertedCdf } from './helpers';

/**
 * Two groups with different feature distributions: a continuous column (shifted and scaled), a one-hot
 * column (different prevalence) and a discrete column with heavy ties. Group sizes differ (n₀ < n₁).
 */
function skewed(n0: number, n1: number, seed: number): { X: DenseMatrix; prot: Uint8Array; y: Uint8Array } {
  const rng = new Rng(seed);
  const n = n0 + n1;
  const d = 3;
  const data = new Float64Array(n * d);
  const prot = new Uint8Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // Interleave the groups so that row order carries no group information.
    const g = i % 3 === 0 && i / 3 < n0 ? 0 : 1;
    prot[i] = g;
  }
  // Fix the exact group sizes (the interleave above gives n0 zeros only when n1 ≥ 2·n0).
  let zeros = 0;
  for (let i = 0; i < n; i++) zeros += prot[i] === 0 ? 1 : 0;
  expect(zeros).toBe(n0);
  for (let i = 0; i < n; i++) {
    const g = prot[i];
    data[i * d] = g === 0 ? rng.normal() * 0.5 - 1 : rng.normal() * 2 + 1;
    data[i * d + 1] = rng.next() < (g === 0 ? 0.2 : 0.7) ? 1 : 0;
    data[i * d + 2] = Math.floor(rng.next() * (g === 0 ? 3 : 6));
    y[i] = rng.next() < 0.5 ? 1 : 0;
  }
  return { X: { data, nRows: n, nCols: d }, prot, y };
}

describe('DisparateImpactRemover', () => {
  const train = skewed(300, 700, 1);

  it('repair level 1 makes every feature’s per-group quantiles identical on train', () => {
    const dir = new DisparateImpactRemover({ repairLevel: 1 });
    dir.fit(train.X, train.y, train.prot, { seed: 7 });
    const out = dir.transform(train.X, train.prot).X;
    const nq = 300; // min(n0, n1)
    for (let j = 0; j < 3; j++) {
      const a = groupColumn(out, train.prot, 0, j);
      const b = groupColumn(out, train.prot, 1, j);
      // Every bucket centre (k + ½)/nq is an exact common quantile.
      for (let k = 0; k < nq; k++) {
        const q = (k + 0.5) / nq;
        expect(quantileInvertedCdf(a, q)).toBe(quantileInvertedCdf(b, q));
      }
      // And on a fine grid the quantile functions never differ by more than one bucket step.
      for (let q = 0.005; q < 1; q += 0.01) {
        const qa = quantileInvertedCdf(a, q);
        const qb = quantileInvertedCdf(b, q);
        const lo = quantileInvertedCdf(a, Math.max(0, q - 1 / nq));
        const hi = quantileInvertedCdf(a, Math.min(1, q + 1 / nq));
        expect(qb).toBeGreaterThanOrEqual(lo);
        expect(qb).toBeLessThanOrEqual(hi);
        expect(Number.isFinite(qa)).toBe(true);
      }
    }
    // Before repair the groups clearly differ (guards against a vacuous pass).
    const raw0 = groupColumn(train.X, train.prot, 0, 0);
    const raw1 = groupColumn(train.X, train.prot, 1, 0);
    expect(quantileInvertedCdf(raw1, 0.5) - quantileInvertedCdf(raw0, 0.5)).toBeGreaterThan(1.5);
  });

  it('maps the one-hot column to equal group prevalences and keeps the median-distribution values', () => {
    const dir = new DisparateImpactRemover({ repairLevel: 1 });
    dir.fit(train.X, train.y, train.prot, { seed: 3 });
    const out = dir.transform(train.X, train.prot).X;
    const a = groupColumn(out, train.prot, 0, 1);
    const b = groupColumn(out, train.prot, 1, 1);
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    // Midpoint barycenter of Bernoulli(p0) and Bernoulli(p1): values {0, ½, 1}, mean (p0 + p1)/2.
    for (const v of [...a, ...b]) expect([0, 0.5, 1]).toContain(v);
    expect(Math.abs(mean(a) - mean(b))).toBeLessThan(1 / 300 + 1e-12);
  });

  it('repair level 0 is the identity and partial repair interpolates linearly', () => {
    const full = new DisparateImpactRemover({ repairLevel: 1 });
    const none = new DisparateImpactRemover({ repairLevel: 0 });
    const half = new DisparateImpactRemover({ repairLevel: 0.25 });
    for (const d of [full, none, half]) d.fit(train.X, train.y, train.prot, { seed: 11 });
    const f = full.transform(train.X, train.prot).X.data;
    const z = none.transform(train.X, train.prot).X.data;
    const h = half.transform(train.X, train.prot).X.data;
    expect(Array.from(z)).toEqual(Array.from(train.X.data));
    for (let i = 0; i < f.length; i++) expect(h[i]).toBeCloseTo(0.75 * train.X.data[i] + 0.25 * f[i], 12);
  });

  it('transforms test with the training fit, not a refit on test', () => {
    const test = skewed(150, 350, 2);
    const dir = new DisparateImpactRemover({ repairLevel: 1 });
    dir.fit(train.X, train.y, train.prot, { seed: 5 });
    const outTest = dir.transform(test.X, test.prot).X;
    const outTrain = dir.transform(train.X, train.prot).X;
    // Every repaired test value of the continuous column is one of the training targets.
    const targets = new Set(Array.from(groupColumn(outTrain, train.prot, 0, 0)));
    for (let i = 0; i < test.X.nRows; i++) expect(targets.has(outTest.data[i * 3])).toBe(true);
    // A refit on test would produce its own (different) targets.
    const refit = new DisparateImpactRemover({ repairLevel: 1 });
    refit.fit(test.X, test.y, test.prot, { seed: 5 });
    const outRefit = refit.transform(test.X, test.prot).X;
    let differ = 0;
    for (let i = 0; i < test.X.nRows; i++) if (outRefit.data[i * 3] !== outTest.data[i * 3]) differ++;
    expect(differ).toBeGreaterThan(test.X.nRows / 2);
    // Test values beyond the training range map to the extreme training targets.
    const extreme: DenseMatrix = { data: Float64Array.of(-100, 0, 0, 100, 1, 5), nRows: 2, nCols: 3 };
    const e = dir.transform(extreme, Uint8Array.of(0, 0)).X.data;
    const sorted = [...targets].sort((p, q) => p - q);
    expect(e[0]).toBe(sorted[0]);
    expect(e[3]).toBe(sorted[sorted.length - 1]);
  });

  it('is deterministic per seed and validates its inputs', () => {
    const a = new DisparateImpactRemover({ repairLevel: 0.8 });
    const b = new DisparateImpactRemover({ repairLevel: 0.8 });
    a.fit(train.X, train.y, train.prot, { seed: 9 });
    b.fit(train.X, train.y, train.prot, { seed: 9 });
    expect(Array.from(a.transform(train.X, train.prot).X.data)).toEqual(
      Array.from(b.transform(train.X, train.prot).X.data),
    );
    const c = DisparateImpactRemover.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(c.transform(train.X, train.prot).X.data)).toEqual(
      Array.from(a.transform(train.X, train.prot).X.data),
    );
    expect(() => new DisparateImpactRemover({ repairLevel: 1.5 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.BadOption }),
    );
    const oneGroup = new Uint8Array(train.X.nRows).fill(1);
    expect(() => a.fit(train.X, train.y, oneGroup, { seed: 1 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.EmptyGroup }),
    );
    expect(() => new DisparateImpactRemover({ repairLevel: 1 }).transform(train.X, train.prot)).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.NotFitted }),
    );
    const nan: DenseMatrix = { data: Float64Array.of(NaN, 1, 2), nRows: 1, nCols: 3 };
    expect(() => a.transform(nan, Uint8Array.of(0))).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.NonFiniteInput }),
    );
    const narrow: DenseMatrix = { data: Float64Array.of(1, 2), nRows: 1, nCols: 2 };
    expect(() => a.transform(narrow, Uint8Array.of(0))).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.FeatureCountMismatch }),
    );
  });
});
