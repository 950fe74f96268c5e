import { readFileSync } from 'node:fs';
import { Rng, categorical, float, int, searchSpace } from '@virnyflow/core';
import {
  Ehvi,
  PAREGO_RHO,
  SpaceEncoding,
  augmentedTchebycheff,
  expectedImprovement,
  hypervolumeImprovement,
  maximizeAcquisition,
  normCdf,
  probabilityOfFeasibility,
  randomSimplexWeights,
  resolveAcqOptimizerOptions,
} from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

const ref = JSON.parse(readFileSync(new URL('./fixtures/reference.json', import.meta.url), 'utf8')) as {
  ei: [number, number, number, number][];
};

describe('expected improvement', () => {
  it('matches the closed form evaluated with SciPy', () => {
    for (const [mu, sigma, best, ei] of ref.ei) {
      expect(Math.abs(expectedImprovement(mu, sigma, best) - ei)).toBeLessThan(1e-13 * (1 + ei));
    }
  });

  it('equals E[max(best − Y, 0)] by numerical integration, and σ/√(2π) at μ = best', () => {
    const cases = [
      [0.3, 0.7, 0.1],
      [-0.2, 1.5, 0.4],
      [2, 0.4, 1.5],
    ];
    for (const [mu, sigma, best] of cases) {
      // Composite Simpson over [μ − 12σ, best] of (best − y)·φ_{μ,σ}(y).
      const a = mu - 12 * sigma;
      const n = 20000;
      const h = (best - a) / n;
      let s = 0;
      for (let i = 0; i <= n; i++) {
        const y = a + i * h;
        const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
        const z = (y - mu) / sigma;
        s += (w * (best - y) * Math.exp(-0.5 * z * z)) / (sigma * Math.sqrt(2 * Math.PI));
      }
      expect(expectedImprovement(mu, sigma, best)).toBeCloseTo((s * h) / 3, 9);
    }
    expect(expectedImprovement(1, 2, 1)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 15);
    // σ → 0: the plain improvement.
    expect(expectedImprovement(0.2, 0, 1)).toBeCloseTo(0.8, 12);
    expect(expectedImprovement(1.2, 0, 1)).toBe(0);
  });
});

function monteCarloEhvi(
  front: Float64Array,
  n: number,
  m: number,
  refPoint: number[],
  mu: number[],
  sd: number[],
  samples: number,
  rng: Rng,
): { mean: number; se: number } {
  let s = 0;
  let s2 = 0;
  const y = new Array<number>(m);
  for (let t = 0; t < samples; t++) {
    for (let j = 0; j < m; j++) y[j] = mu[j] + sd[j] * rng.normal();
    const v = hypervolumeImprovement(front, n, m, y, refPoint);
    s += v;
    s2 += v * v;
  }
  const mean = s / samples;
  return { mean, se: Math.sqrt((s2 / samples - mean * mean) / samples) };
}

describe('exact EHVI (box decomposition)', () => {
  const front2 = new Float64Array([0.1, 0.9, 0.3, 0.5, 0.6, 0.35, 0.9, 0.1]);
  const front3 = new Float64Array([0.1, 0.6, 0.5, 0.5, 0.2, 0.4, 0.4, 0.5, 0.1, 0.7, 0.1, 0.3]);

  it('agrees with a seeded Monte-Carlo estimate in 2-D and 3-D', () => {
    const rng = new Rng(17);
    const cases2: [number[], number[]][] = [
      [
        [0.4, 0.4],
        [0.1, 0.2],
      ],
      [
        [0.2, 0.2],
        [0.3, 0.3],
      ],
      [
        [0.9, 0.9],
        [0.2, 0.1],
      ],
    ];
    const e2 = new Ehvi(front2, 4, 2, [1, 1]);
    for (const [mu, sd] of cases2) {
      const exact = e2.value(Float64Array.from(mu), Float64Array.from(sd));
      const mc = monteCarloEhvi(front2, 4, 2, [1, 1], mu, sd, 20000, rng);
      expect(Math.abs(exact - mc.mean)).toBeLessThan(4 * mc.se + 1e-12);
    }
    const e3 = new Ehvi(front3, 4, 3, [1, 1, 1]);
    for (const [mu, sd] of [
      [
        [0.3, 0.3, 0.3],
        [0.1, 0.2, 0.15],
      ],
      [
        [0.6, 0.1, 0.5],
        [0.3, 0.05, 0.2],
      ],
    ]) {
      const exact = e3.value(Float64Array.from(mu), Float64Array.from(sd));
      const mc = monteCarloEhvi(front3, 4, 3, [1, 1, 1], mu, sd, 8000, rng);
      expect(exact).toBeGreaterThan(0);
      expect(Math.abs(exact - mc.mean)).toBeLessThan(4 * mc.se + 1e-12);
    }
  });

  it('tends to the hypervolume improvement of μ as σ → 0', () => {
    const e3 = new Ehvi(front3, 4, 3, [1, 1, 1]);
    const mu = [0.25, 0.3, 0.2];
    const v = e3.value(Float64Array.from(mu), new Float64Array(3).fill(1e-9));
    expect(v).toBeCloseTo(hypervolumeImprovement(front3, 4, 3, mu, [1, 1, 1]), 7);
  });

  it('with an empty front is Π_j E[(r_j − Y_j)₊]', () => {
    const e = new Ehvi(new Float64Array(0), 0, 2, [1, 2]);
    const mu = [0.5, 1.5];
    const sd = [0.3, 0.8];
    const expected = [0, 1].map((j) => expectedImprovement(mu[j], sd[j], [1, 2][j])).reduce((a, b) => a * b);
    expect(e.value(Float64Array.from(mu), Float64Array.from(sd))).toBeCloseTo(expected, 14);
  });
});

describe('constraints and ParEGO', () => {
  it('probability of feasibility is Φ(−μ/σ)', () => {
    expect(probabilityOfFeasibility(0, 1)).toBe(0.5);
    expect(probabilityOfFeasibility(1, 0.5)).toBeCloseTo(normCdf(-2), 15);
    expect(probabilityOfFeasibility(-1, 1e-12)).toBe(1);
  });

  it('augmented Tchebycheff on a hand example', () => {
    // Normalised rows: (0, 1) and (0.5, 0.25); λ = (0.25, 0.75).
    const y = new Float64Array([1, 10, 2, 7]);
    const out = new Float64Array(2);
    augmentedTchebycheff(
      y,
      2,
      2,
      new Float64Array([0.25, 0.75]),
      new Float64Array([1, 6]),
      new Float64Array([3, 10]),
      out,
    );
    expect(out[0]).toBeCloseTo(0.75 + PAREGO_RHO * 0.75, 15);
    expect(out[1]).toBeCloseTo(0.1875 + PAREGO_RHO * (0.125 + 0.1875), 15);
  });

  it('random simplex weights are positive and sum to one', () => {
    const rng = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const w = randomSimplexWeights(rng, 3);
      expect(w.every((v) => v > 0)).toBe(true);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    }
  });
});

describe('acquisition optimiser', () => {
  const space = searchSpace([
    float('x', 0, 1),
    int('k', 0, 100, { q: 10 }),
    categorical('c', ['a', 'b', 'c', 'd', 'e', 'f']),
  ]);
  const enc = new SpaceEncoding(space);
  // Maximum at x = 0.73, k = 40, c = 'e'.
  const acq = (pts: Float64Array, m: number, out: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      const c = enc.decode(pts, i * 3);
      const dx = (c['x'] as number) - 0.73;
      const dk = ((c['k'] as number) - 40) / 100;
      out[i] = -(dx * dx) - dk * dk - (c['c'] === 'e' ? 0 : 0.2);
    }
  };

  it('local_random climbs to the optimum and returns a pool sorted best first', () => {
    const opts = resolveAcqOptimizerOptions({ nRandom: 50 });
    const starts = enc.encodeAll([{ x: 0.1, k: 90, c: 'a' }]);
    const pool = maximizeAcquisition('local_random', enc, acq, new Rng(3), starts, 1, opts);
    for (let r = 1; r < pool.count; r++)
      expect(pool.values[pool.order[r - 1]]).toBeGreaterThanOrEqual(pool.values[pool.order[r]]);
    const best = enc.decode(pool.points, pool.order[0] * 3);
    expect(best['c']).toBe('e');
    expect(best['k']).toBe(40);
    expect(Math.abs((best['x'] as number) - 0.73)).toBeLessThan(0.05);
  });

  it('random scores twice the random points and nothing else', () => {
    const opts = resolveAcqOptimizerOptions({ nRandom: 40 });
    const pool = maximizeAcquisition('random', enc, acq, new Rng(3), new Float64Array(0), 0, opts);
    expect(pool.count).toBe(80);
  });
});
