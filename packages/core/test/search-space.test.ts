import { describe, expect, it } from 'vitest';
import {
  Rng,
  categorical,
  constant,
  defaultConfiguration,
  float,
  int,
  joinSpaces,
  prefixSpace,
  roundHalfEven,
  sampleConfiguration,
  sampleParam,
  searchSpace,
  snapValue,
  splitByPrefix,
  validateConfiguration,
} from '../src/index';
import type { VirnyFlowError } from '../src/index';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as VirnyFlowError).code;
  }
  return 'no error';
}

describe('defaults (SPEC §2.1, ConfigSpace ≤ 0.6)', () => {
  it('integer default is the rounded midpoint, not snapped to q', () => {
    expect(int('n_estimators', 50, 1000, { q: 50 }).default).toBe(525);
    expect(int('min_data_in_leaf', 100, 1000, { q: 50 }).default).toBe(550);
    expect(int('min_samples_split', 2, 10, { q: 1 }).default).toBe(6);
    expect(int('num_epochs', 50, 100, { q: 10 }).default).toBe(75);
  });

  it('ties round to even as NumPy does', () => {
    expect(int('a', 1, 4).default).toBe(2); // 2.5 → 2
    expect(int('b', 1, 10).default).toBe(6); // 5.5 → 6
    expect(int('c', 0, 5).default).toBe(2); // 2.5 → 2
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(-0.5)).toBe(0);
    expect(roundHalfEven(-1.5)).toBe(-2);
    expect(roundHalfEven(2.4999)).toBe(2);
  });

  it('log scale defaults to the geometric mean', () => {
    expect(float('learning_rate', 0.01, 1, { log: true }).default).toBeCloseTo(0.1, 12);
    expect(float('C', 0.01, 10, { log: true }).default).toBeCloseTo(Math.sqrt(0.1), 12);
    expect(int('k', 1, 100, { log: true }).default).toBe(10);
    expect(float('repair_level', 0.1, 1.0).default).toBeCloseTo(0.55, 12);
  });

  it('categorical defaults to the first choice unless given; constants to their value', () => {
    expect(categorical('criterion', ['gini', 'entropy']).default).toBe('gini');
    expect(categorical('p', [1, 2], { default: 2 }).default).toBe(2);
    expect(categorical('max_depth', [10, 20, null]).choices).toEqual([10, 20, null]);
    expect(constant('scope_name', 'adversarial_debiasing').default).toBe('adversarial_debiasing');
    const space = searchSpace([int('a', 1, 3), categorical('b', ['x', 'y']), constant('c', true)]);
    expect(defaultConfiguration(space)).toEqual({ a: 2, b: 'x', c: true });
  });
});

describe('validation of definitions', () => {
  it('requires (upper − lower) to be a multiple of q', () => {
    expect(code(() => int('n', 50, 1000, { q: 30 }))).toBe('VF_SPACE_INVALID');
    expect(code(() => float('dropout', 0, 0.5, { q: 0.05 }))).toBe('no error'); // 10 steps despite float error
    expect(code(() => float('x', 0, 1, { q: 0.3 }))).toBe('VF_SPACE_INVALID');
    expect(code(() => int('n', 1, 10, { q: 0 }))).toBe('VF_SPACE_INVALID');
  });

  it('rejects bad bounds, log with lower ≤ 0, defaults outside, duplicate names and choices', () => {
    expect(code(() => int('n', 5, 5))).toBe('VF_SPACE_INVALID');
    expect(code(() => int('n', 1.5, 5))).toBe('VF_SPACE_INVALID');
    expect(code(() => float('x', 0, 1, { log: true }))).toBe('VF_SPACE_INVALID');
    expect(code(() => float('x', 0, Infinity))).toBe('VF_SPACE_INVALID');
    expect(code(() => int('n', 1, 5, { default: 9 }))).toBe('VF_SPACE_INVALID');
    expect(code(() => categorical('c', []))).toBe('VF_SPACE_INVALID');
    expect(code(() => categorical('c', ['a', 'a']))).toBe('VF_SPACE_INVALID');
    expect(code(() => categorical('c', ['a'], { default: 'b' }))).toBe('VF_SPACE_INVALID');
    expect(code(() => searchSpace([int('n', 1, 2), float('n', 0, 1)]))).toBe('VF_SPACE_INVALID');
    const s = searchSpace([int('n', 1, 2)]);
    expect(code(() => joinSpaces(s, s))).toBe('VF_SPACE_INVALID');
    expect(code(() => joinSpaces(prefixSpace(s, 'mvi__'), prefixSpace(s, 'model__')))).toBe('no error');
  });
});

describe('sampling', () => {
  it('keeps q-integers on the grid and reaches every grid point', () => {
    const p = int('n_estimators', 50, 1000, { q: 50 });
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = sampleParam(p, rng) as number;
      expect(v >= 50 && v <= 1000 && (v - 50) % 50 === 0).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(20);
  });

  it('keeps q-floats on the grid and log samples within bounds, log-uniformly', () => {
    const q = float('dropout', 0, 0.5, { q: 0.05 });
    const lg = float('learning_rate', 0.01, 1, { log: true });
    const li = int('k', 1, 1000, { log: true });
    const rng = new Rng(2);
    const logs: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const v = sampleParam(q, rng) as number;
      expect(Math.abs(v / 0.05 - Math.round(v / 0.05))).toBeLessThan(1e-9);
      expect(v >= 0 && v <= 0.5).toBe(true);
      const w = sampleParam(lg, rng) as number;
      expect(w >= 0.01 && w <= 1).toBe(true);
      logs.push(Math.log10(w));
      const k = sampleParam(li, rng) as number;
      expect(Number.isInteger(k) && k >= 1 && k <= 1000).toBe(true);
    }
    // log10 of a log-uniform value on [0.01, 1] is uniform on [−2, 0]: mean −1, half the mass below 0.1.
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    expect(Math.abs(mean + 1)).toBeLessThan(0.05);
    const below = logs.filter((x) => x < -1).length / logs.length;
    expect(Math.abs(below - 0.5)).toBeLessThan(0.03);
  });

  it('draws categorical choices uniformly', () => {
    const p = categorical('solver', ['newton-cg', 'lbfgs', 'sag', 'saga']);
    const rng = new Rng(3);
    const counts = new Map<unknown, number>();
    const n = 8000;
    for (let i = 0; i < n; i++) {
      const v = sampleParam(p, rng);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    // Chi-square with 3 degrees of freedom; 16.27 is the 0.001 critical value.
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - n / 4) ** 2 / (n / 4);
    expect(counts.size).toBe(4);
    expect(chi2).toBeLessThan(16.27);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const space = searchSpace([
      int('n', 50, 1000, { q: 50 }),
      float('lr', 0.01, 1, { log: true }),
      categorical('c', ['a', 'b', null]),
      constant('k', 'x'),
    ]);
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => sampleConfiguration(space, rng));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const c of draw(7)) expect(() => validateConfiguration(space, c)).not.toThrow();
  });
});

describe('configurations', () => {
  const space = searchSpace([int('n', 1, 10), float('x', 0, 1), categorical('c', ['a', null])]);

  it('validates membership, names and types', () => {
    expect(() => validateConfiguration(space, { n: 3, x: 0.5, c: null })).not.toThrow();
    expect(code(() => validateConfiguration(space, { n: 3, x: 0.5 }))).toBe('VF_SPACE_BAD_CONFIGURATION');
    expect(code(() => validateConfiguration(space, { n: 3.5, x: 0.5, c: 'a' }))).toBe(
      'VF_SPACE_BAD_CONFIGURATION',
    );
    expect(code(() => validateConfiguration(space, { n: 11, x: 0.5, c: 'a' }))).toBe(
      'VF_SPACE_BAD_CONFIGURATION',
    );
    expect(code(() => validateConfiguration(space, { n: 3, x: 0.5, c: 'b' }))).toBe(
      'VF_SPACE_BAD_CONFIGURATION',
    );
    expect(code(() => validateConfiguration(space, { n: 3, x: 0.5, c: 'a', y: 1 }))).toBe(
      'VF_SPACE_BAD_CONFIGURATION',
    );
  });

  it('snaps values onto the grid and into bounds', () => {
    const p = int('n', 50, 1000, { q: 50 });
    expect(snapValue(p, 74)).toBe(50);
    expect(snapValue(p, 76)).toBe(100);
    expect(snapValue(p, 5000)).toBe(1000);
    expect(snapValue(p, -3)).toBe(50);
    expect(snapValue(float('x', 0, 1), 0.123)).toBe(0.123);
    expect(snapValue(int('m', 1, 5), 2.6)).toBe(3);
  });

  it('prefixes and splits by stage prefix', () => {
    const joint = joinSpaces(
      prefixSpace(space, 'mvi__'),
      prefixSpace(searchSpace([int('n', 1, 2)]), 'model__'),
    );
    expect(joint.params.map((p) => p.name)).toEqual(['mvi__n', 'mvi__x', 'mvi__c', 'model__n']);
    expect(splitByPrefix({ mvi__n: 1, model__n: 2, other: 3 }, ['mvi__', 'model__'])).toEqual({
      mvi__: { n: 1 },
      model__: { n: 2 },
      '': { other: 3 },
    });
  });
});
