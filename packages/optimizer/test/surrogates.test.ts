import { readFileSync } from 'node:fs';
import { Rng } from '@virnyflow/core';
import { GaussianProcess, RandomForest, gpNegLogLikelihood, matern52 } from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

interface GpFixture {
  X: number[];
  y: number[];
  lengthScales: number[];
  signalVariance: number;
  noiseVariance: number;
  Xs: number[];
  mean: number[];
  variance: number[];
  negLogLikelihood: number;
}
const fixture = (
  JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as { gp: GpFixture }
).gp;

describe('Gaussian process', () => {
  it('1-D toy posterior with fixed hyper-parameters matches the hand computation', () => {
    // Two points x = 0, 0.5 with y = 1, −1; ℓ = 0.5, σ_f² = 2, σ_n² = 0.01, no output normalisation.
    const hyper = { lengthScales: new Float64Array([0.5]), signalVariance: 2, noiseVariance: 0.01 };
    const gp = GaussianProcess.fit(new Float64Array([0, 0.5]), 2, 1, new Float64Array([1, -1]), {
      hyperParameters: hyper,
      normalizeOutputs: false,
    });
    const m = (r: number): number => (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
    const k11 = 2 + 0.01;
    const k12 = 2 * m(1); // |0 − 0.5| / 0.5 = 1
    const det = k11 * k11 - k12 * k12;
    // K⁻¹ = [[k11, −k12], [−k12, k11]] / det
    const a1 = (k11 * 1 - k12 * -1) / det;
    const a2 = (-k12 * 1 + k11 * -1) / det;
    for (const xs of [0.1, 0.25, 0.8]) {
      const ks1 = 2 * m(Math.abs(xs - 0) / 0.5);
      const ks2 = 2 * m(Math.abs(xs - 0.5) / 0.5);
      const mean = ks1 * a1 + ks2 * a2;
      const quad = (ks1 * (k11 * ks1 - k12 * ks2) + ks2 * (-k12 * ks1 + k11 * ks2)) / det;
      const mu = new Float64Array(1);
      const v = new Float64Array(1);
      gp.predict(new Float64Array([xs]), 1, mu, v);
      expect(mu[0]).toBeCloseTo(mean, 12);
      expect(v[0]).toBeCloseTo(2 - quad, 12);
    }
    expect(matern52(0)).toBe(1);
  });

  it('2-D ARD posterior and likelihood match a NumPy reference', () => {
    const gp = GaussianProcess.fit(Float64Array.from(fixture.X), 6, 2, Float64Array.from(fixture.y), {
      hyperParameters: {
        lengthScales: Float64Array.from(fixture.lengthScales),
        signalVariance: fixture.signalVariance,
        noiseVariance: fixture.noiseVariance,
      },
      normalizeOutputs: false,
    });
    const mu = new Float64Array(4);
    const v = new Float64Array(4);
    gp.predict(Float64Array.from(fixture.Xs), 4, mu, v);
    for (let i = 0; i < 4; i++) {
      expect(mu[i]).toBeCloseTo(fixture.mean[i], 10);
      expect(v[i]).toBeCloseTo(fixture.variance[i], 10);
    }
    expect(gp.negLogLikelihood).toBeCloseTo(fixture.negLogLikelihood, 9);
  });

  it('analytic likelihood gradient matches central finite differences (numeric + categorical dims)', () => {
    const rng = new Rng(3);
    const n = 15;
    const d = 3;
    const x = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      x[i * d] = rng.next();
      x[i * d + 1] = rng.next();
      x[i * d + 2] = (rng.nextInt(3) + 0.5) / 3; // categorical with 3 choices
    }
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(4 * x[i * d]) + x[i * d + 2]);
    const f = gpNegLogLikelihood(x, n, d, y, new Uint8Array([0, 0, 1]));
    const theta = new Float64Array([
      Math.log(0.3),
      Math.log(0.8),
      Math.log(1.5),
      Math.log(1.2),
      Math.log(0.05),
    ]);
    const g = new Float64Array(5);
    f(theta, g);
    const scratch = new Float64Array(5);
    for (let t = 0; t < 5; t++) {
      const h = 1e-5;
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[t] += h;
      tm[t] -= h;
      const fd = (f(tp, scratch) - f(tm, scratch)) / (2 * h);
      expect(Math.abs(g[t] - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
    }
  });

  it('fitted by maximum likelihood, it interpolates a smooth function and is unsure far from data', () => {
    const n = 12;
    const x = Float64Array.from({ length: n }, (_, i) => (i / (n - 1)) * 0.8);
    const f = (t: number): number => Math.sin(6 * t) + 0.5 * t;
    const y = x.map(f);
    const gp = GaussianProcess.fit(x, n, 1, y, { rng: new Rng(1), restarts: 3 });
    const xs = new Float64Array([0.05, 0.37, 0.61, 1.0]);
    const mu = new Float64Array(4);
    const v = new Float64Array(4);
    gp.predict(xs, 4, mu, v);
    for (let i = 0; i < 3; i++) expect(Math.abs(mu[i] - f(xs[i]))).toBeLessThan(0.05);
    // 1.0 is outside the data (≤ 0.8): the predictive variance there is the largest.
    expect(v[3]).toBeGreaterThan(10 * Math.max(v[0], v[1], v[2]));
    expect(gp.hyper.lengthScales[0]).toBeGreaterThan(0.05);
  });

  it('conditioning on extra points equals refitting with the same hyper-parameters', () => {
    const rng = new Rng(9);
    const n = 10;
    const d = 2;
    const x = Float64Array.from({ length: (n + 3) * d }, () => rng.next());
    const y = Float64Array.from({ length: n + 3 }, () => rng.normal());
    const hyper = { lengthScales: new Float64Array([0.3, 0.6]), signalVariance: 1.1, noiseVariance: 1e-3 };
    const opts = { hyperParameters: hyper, normalizeOutputs: false };
    const base = GaussianProcess.fit(x, n, d, y, opts);
    const cond = base.withObservations(x.subarray(n * d), 3, y.subarray(n));
    const full = GaussianProcess.fit(x, n + 3, d, y, opts);
    const xs = Float64Array.from({ length: 20 * d }, () => rng.next());
    const m1 = new Float64Array(20);
    const v1 = new Float64Array(20);
    const m2 = new Float64Array(20);
    const v2 = new Float64Array(20);
    cond.predict(xs, 20, m1, v1);
    full.predict(xs, 20, m2, v2);
    for (let i = 0; i < 20; i++) {
      expect(m1[i]).toBeCloseTo(m2[i], 9);
      expect(v1[i]).toBeCloseTo(v2[i], 9);
    }
  });

  it('compares categorical dimensions by equality only (choice order is irrelevant)', () => {
    // Same data with the categorical codes permuted gives the same predictions.
    const hyper = { lengthScales: new Float64Array([0.5, 0.7]), signalVariance: 1, noiseVariance: 1e-2 };
    const cats = [0.125, 0.375, 0.625, 0.875];
    const perm = [0.625, 0.125, 0.875, 0.375];
    const xa = new Float64Array([0.1, cats[0], 0.4, cats[1], 0.7, cats[2], 0.9, cats[3]]);
    const xb = new Float64Array([0.1, perm[0], 0.4, perm[1], 0.7, perm[2], 0.9, perm[3]]);
    const y = new Float64Array([1, 2, 0, -1]);
    const opts = { hyperParameters: hyper, categorical: new Uint8Array([0, 1]) };
    const a = GaussianProcess.fit(xa, 4, 2, y, opts);
    const b = GaussianProcess.fit(xb, 4, 2, y, opts);
    const ma = new Float64Array(1);
    const va = new Float64Array(1);
    const mb = new Float64Array(1);
    const vb = new Float64Array(1);
    a.predict(new Float64Array([0.5, cats[2]]), 1, ma, va);
    b.predict(new Float64Array([0.5, perm[2]]), 1, mb, vb);
    expect(ma[0]).toBeCloseTo(mb[0], 14);
    expect(va[0]).toBeCloseTo(vb[0], 14);
  });
});

describe('probabilistic random forest', () => {
  it('learns a step function and is deterministic for a seed', () => {
    const rng = new Rng(1);
    const n = 60;
    const x = Float64Array.from({ length: n }, () => rng.next());
    const y = x.map((v) => (v < 0.5 ? 0 : 1));
    const f1 = RandomForest.fit(x, n, 1, y, new Rng(5));
    const f2 = RandomForest.fit(x, n, 1, y, new Rng(5));
    const xs = new Float64Array([0.1, 0.3, 0.7, 0.95]);
    const m1 = new Float64Array(4);
    const v1 = new Float64Array(4);
    const m2 = new Float64Array(4);
    const v2 = new Float64Array(4);
    f1.predict(xs, 4, m1, v1);
    f2.predict(xs, 4, m2, v2);
    expect(Array.from(m1)).toEqual(Array.from(m2));
    expect(Array.from(v1)).toEqual(Array.from(v2));
    expect(m1[0]).toBeLessThan(0.1);
    expect(m1[1]).toBeLessThan(0.1);
    expect(m1[2]).toBeGreaterThan(0.9);
    expect(m1[3]).toBeGreaterThan(0.9);
  });

  it('reports the across-tree variance: floor when all trees agree, positive where they differ', () => {
    const x = Float64Array.from({ length: 20 }, (_, i) => i / 19);
    const constant = RandomForest.fit(x, 20, 1, new Float64Array(20).fill(3), new Rng(2), {
      minVariance: 1e-10,
    });
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    constant.predict(new Float64Array([0.4]), 1, m, v);
    expect(m[0]).toBe(3);
    expect(v[0]).toBe(1e-10);
    const rng = new Rng(3);
    const noisy = RandomForest.fit(
      x,
      20,
      1,
      Float64Array.from({ length: 20 }, () => rng.normal()),
      new Rng(2),
    );
    noisy.predict(new Float64Array([0.4]), 1, m, v);
    expect(v[0]).toBeGreaterThan(1e-4);
  });

  it('splits categorical dimensions one-vs-rest', () => {
    // y depends only on which of 5 categories (centres (i + ½)/5) a point has; effects are not monotone
    // in the code, so only equality splits can fit them.
    const n = 50;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    const effect = [3, -1, 4, 0, 2];
    for (let i = 0; i < n; i++) {
      const c = i % 5;
      x[i * 2] = 0.5; // no numeric split can separate anything
      x[i * 2 + 1] = (c + 0.5) / 5;
      y[i] = effect[c];
    }
    const forest = RandomForest.fit(x, n, 2, y, new Rng(4), {
      categorical: new Uint8Array([0, 1]),
      nTrees: 20,
      bootstrap: false,
      featureRatio: 1,
      minSamplesLeaf: 1,
      minSamplesSplit: 2,
    });
    const xs = new Float64Array(10);
    for (let c = 0; c < 5; c++) {
      xs[c * 2] = 0.5;
      xs[c * 2 + 1] = (c + 0.5) / 5;
    }
    const m = new Float64Array(5);
    const v = new Float64Array(5);
    forest.predict(xs, 5, m, v);
    for (let c = 0; c < 5; c++) expect(m[c]).toBeCloseTo(effect[c], 12);
    // A single split (stump) isolates the middle of three categories: a threshold on the code could not.
    const x3 = Float64Array.from({ length: 30 }, (_, i) => ((i % 3) + 0.5) / 3);
    const y3 = Float64Array.from({ length: 30 }, (_, i) => (i % 3 === 1 ? 5 : 0));
    const stump = RandomForest.fit(x3, 30, 1, y3, new Rng(1), {
      categorical: new Uint8Array([1]),
      maxDepth: 1,
      bootstrap: false,
      nTrees: 1,
    });
    const m3 = new Float64Array(3);
    stump.predict(new Float64Array([0.5 / 3, 1.5 / 3, 2.5 / 3]), 3, m3, new Float64Array(3));
    expect(Array.from(m3)).toEqual([0, 5, 0]);
  });
});
