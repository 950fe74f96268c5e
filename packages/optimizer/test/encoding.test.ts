import type { Configuration } from '@virnyflow/core';
import {
  Rng,
  categorical,
  constant,
  defaultConfiguration,
  float,
  int,
  joinSpaces,
  prefixSpace,
  sampleConfiguration,
  searchSpace,
} from '@virnyflow/core';
import { OptimizerErrorCode, SpaceEncoding } from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

// A joint logical-pipeline space as VirnyFlow builds it (SPEC §2.1–2.4): prefixed stage spaces.
const mvi = searchSpace([
  int('RandomForestClassifier__n_estimators', 50, 200, { q: 50 }),
  categorical('RandomForestClassifier__max_depth', [10, 25, 50, 75, 100, null]),
  categorical('RandomForestClassifier__bootstrap', [true, false]),
]);
const fi = searchSpace([
  constant('scope_name', 'adversarial_debiasing'),
  float('adversary_loss_weight', 0.1, 0.5),
  int('num_epochs', 50, 100, { q: 10 }),
]);
const model = searchSpace([
  int('n_estimators', 50, 1000, { q: 50 }),
  float('learning_rate', 0.01, 1, { log: true, default: 0.1 }),
  float('dropout', 0, 0.5, { q: 0.05 }),
  int('max_leaves', 2, 4096, { log: true }),
  categorical('criterion', ['gini', 'entropy']),
]);
const space = joinSpaces(prefixSpace(mvi, 'mvi__'), prefixSpace(fi, 'fi__'), prefixSpace(model, 'model__'));
const enc = new SpaceEncoding(space);

const continuous = new Set(['fi__adversary_loss_weight', 'model__learning_rate']);

function expectRoundTrip(c: Configuration): void {
  const back = enc.decode(enc.encode(c));
  expect(Object.keys(back)).toEqual(Object.keys(c));
  for (const [k, v] of Object.entries(c)) {
    if (continuous.has(k)) {
      // Continuous floats: two floating-point maps each way (see encoding.ts).
      expect(Math.abs((back[k] as number) - (v as number))).toBeLessThanOrEqual(
        4e-16 * Math.abs(v as number),
      );
    } else {
      expect(back[k]).toBe(v);
    }
  }
  expect(enc.key(back)).toBe(enc.key(c));
}

describe('SpaceEncoding', () => {
  it('has one dimension per non-constant parameter, categoricals flagged', () => {
    expect(enc.nDims).toBe(10);
    expect(enc.dimNames()).not.toContain('fi__scope_name');
    expect(Array.from(enc.categorical)).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(enc.nChoices)).toEqual([0, 6, 2, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('round-trips the default configuration, including the off-grid ConfigSpace default 525', () => {
    const def = defaultConfiguration(space);
    expect(def['model__n_estimators']).toBe(525);
    expectRoundTrip(def);
    const u = enc.encode(def);
    // 525 on 50..1000 sits exactly at the middle; the log default 0.1 at log-midpoint of 0.01..1.
    expect(u[enc.dimNames().indexOf('model__n_estimators')]).toBeCloseTo(0.5, 15);
    expect(u[enc.dimNames().indexOf('model__learning_rate')]).toBeCloseTo(0.5, 15);
  });

  it('round-trips sampled configurations (core sampler) and decoded random points exactly', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 300; i++) expectRoundTrip(sampleConfiguration(space, rng));
    const u = new Float64Array(enc.nDims);
    for (let i = 0; i < 300; i++) {
      for (let j = 0; j < u.length; j++) u[j] = rng.next();
      const c = enc.decode(u);
      expectRoundTrip(c);
      // canonicalize is idempotent and decodes to the same configuration.
      const v = Float64Array.from(u);
      enc.canonicalize(v);
      const w = Float64Array.from(v);
      enc.canonicalize(w);
      expect(Array.from(w)).toEqual(Array.from(v));
      expect(enc.decode(v)).toEqual(c);
      expect(enc.keyOfPoint(u)).toBe(enc.key(c));
    }
  });

  it('maps bounds to 0 and 1 and decodes out-of-range points onto the bounds', () => {
    const lo = enc.decode(new Float64Array(enc.nDims).fill(-3));
    const hi = enc.decode(new Float64Array(enc.nDims).fill(7));
    expect(lo['model__n_estimators']).toBe(50);
    expect(hi['model__n_estimators']).toBe(1000);
    expect(lo['model__learning_rate']).toBe(0.01);
    expect(hi['model__learning_rate']).toBe(1);
    expect(lo['model__criterion']).toBe('gini');
    expect(hi['model__criterion']).toBe('entropy');
    expect(hi['mvi__RandomForestClassifier__max_depth']).toBeNull();
    expect(lo['fi__scope_name']).toBe('adversarial_debiasing');
  });

  it('identifies grid values regardless of floating-point spelling', () => {
    const def = defaultConfiguration(space);
    const a = { ...def, model__dropout: 0.15 };
    const b = { ...def, model__dropout: 0.15000000000000002 };
    expect(enc.key(a)).toBe(enc.key(b));
    expect(enc.key({ ...def, model__n_estimators: 550 })).not.toBe(enc.key(def));
  });

  it('steps to adjacent grid values and counts finite spaces', () => {
    const small = new SpaceEncoding(
      searchSpace([int('a', 0, 20, { q: 5 }), categorical('b', ['x', 'y', 'z']), constant('c', 1)]),
    );
    expect(small.cardinality).toBe(5 * 3);
    expect(enc.cardinality).toBe(Infinity);
    const u = small.encode({ a: 10, b: 'y', c: 1 });
    expect(small.stepGrid(u, 0, 0, 1)).toBe(true);
    expect(small.decode(u)['a']).toBe(15);
    expect(small.stepGrid(u, 0, 0, 1)).toBe(true);
    expect(small.stepGrid(u, 0, 0, 1)).toBe(false);
    expect(small.stepGrid(u, 0, 1, 1)).toBe(false);
    const keys = new Set<string>();
    const p = new Float64Array(2);
    for (let i = 0; i < small.cardinality; i++) {
      small.pointAt(i, p);
      keys.add(small.keyOfPoint(p));
    }
    expect(keys.size).toBe(15);
  });

  it('measures distance with categorical mismatches counting 1', () => {
    const s = new SpaceEncoding(searchSpace([float('x', 0, 1), categorical('b', ['p', 'q', 'r'])]));
    const a = s.encode({ x: 0.2, b: 'p' });
    const b = s.encode({ x: 0.5, b: 'r' });
    expect(s.distance2(a, 0, b, 0)).toBeCloseTo(0.09 + 1, 12);
    expect(s.distance2(a, 0, a, 0)).toBe(0);
  });

  it('rejects values that are not in the space', () => {
    const def = defaultConfiguration(space);
    expect(() => enc.encode({ ...def, model__criterion: 'log_loss' })).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadInput }),
    );
    expect(() => enc.encode({ ...def, model__learning_rate: 'fast' })).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadInput }),
    );
  });
});
