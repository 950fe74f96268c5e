import type { Configuration, SearchSpace } from '@virnyflow/core';
import {
  Rng,
  categorical,
  defaultConfiguration,
  float,
  int,
  joinSpaces,
  prefixSpace,
  sampleConfiguration,
  searchSpace,
} from '@virnyflow/core';
import type { AdvisorOptions, TrialObservation } from '@virnyflow/optimizer';
import { Advisor, OptimizerErrorCode, RandomSearch, SpaceEncoding, gpCheckpoint } from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

const m = (params: Parameters<typeof searchSpace>[0]): SearchSpace =>
  prefixSpace(searchSpace(params), 'model__');

// Model spaces of SPEC §2.2 and the resolutions SPEC §4.2 lists for them.
const dt = m([
  categorical('criterion', ['gini', 'entropy']),
  int('max_depth', 1, 10, { default: 3 }),
  int('min_samples_split', 2, 20, { default: 2 }),
  int('min_samples_leaf', 1, 20, { default: 1 }),
]);
const lr = m([
  categorical('penalty', ['l2', null]),
  categorical('C', [0.001, 0.01, 0.1, 1]),
  categorical('solver', ['newton-cg', 'lbfgs', 'sag', 'saga']),
]);
const rf = m([
  int('n_estimators', 50, 1000, { q: 50 }),
  categorical('max_depth', [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, null]),
  int('min_samples_split', 2, 10, { q: 1 }),
  int('min_samples_leaf', 1, 5, { q: 1 }),
  categorical('bootstrap', [true, false]),
]);
const lgbm = m([
  int('n_estimators', 50, 1000, { q: 50 }),
  categorical('max_depth', [3, 4, 5, 6, 7, 8, 9, -1]),
  categorical('num_leaves', [20, 176, 333, 490]),
  int('min_data_in_leaf', 100, 1000, { q: 50 }),
]);
const xgb = m([
  int('max_depth', 1, 10, { default: 3 }),
  float('learning_rate', 0.01, 1, { log: true, default: 0.1 }),
  int('n_estimators', 50, 500, { default: 100 }),
  float('subsample', 0.01, 1, { default: 1 }),
  int('min_child_weight', 1, 20, { default: 1 }),
]);
const rfHps = (prefix: string): SearchSpace =>
  prefixSpace(
    searchSpace([
      int('n_estimators', 50, 200, { q: 50 }),
      categorical('max_depth', [10, 25, 50, 75, 100, null]),
      categorical('min_samples_split', [2, 5, 10]),
      categorical('min_samples_leaf', [1, 2, 4]),
      categorical('bootstrap', [true, false]),
    ]),
    prefix,
  );
const missForestRf = joinSpaces(
  prefixSpace(joinSpaces(rfHps('RandomForestClassifier__'), rfHps('RandomForestRegressor__')), 'mvi__'),
  rf,
);

describe('option resolution (SPEC §4.2)', () => {
  const resolved = (space: SearchSpace, extra: Partial<AdvisorOptions> = {}): unknown =>
    new Advisor({ space, numObjectives: 2, seed: 1, ...extra }).resolvedTypes;

  it('resolves auto like OpenBox for the shipped model spaces', () => {
    expect(resolved(dt)).toEqual({ surrogate: 'gp', acquisition: 'ehvi', acqOptimizer: 'local_random' });
    expect(resolved(lr)).toEqual({ surrogate: 'prf', acquisition: 'ehvi', acqOptimizer: 'local_random' });
    expect(resolved(rf)).toEqual({ surrogate: 'gp', acquisition: 'ehvi', acqOptimizer: 'local_random' });
    expect(resolved(lgbm)).toEqual({ surrogate: 'gp', acquisition: 'ehvi', acqOptimizer: 'local_random' });
    expect(resolved(xgb)).toEqual({ surrogate: 'gp', acquisition: 'ehvi', acqOptimizer: 'random_scipy' });
    expect(resolved(missForestRf)).toEqual({
      surrogate: 'prf',
      acquisition: 'ehvi',
      acqOptimizer: 'local_random',
    });
  });

  it('resolves the acquisition from objectives and constraints', () => {
    const acq = (
      numObjectives: number,
      numConstraints: number,
      acquisition?: AdvisorOptions['acquisition'],
    ) =>
      new Advisor({
        space: xgb,
        numObjectives,
        numConstraints,
        seed: 1,
        ...(acquisition ? { acquisition } : {}),
      }).resolvedTypes.acquisition;
    expect(acq(1, 0)).toBe('ei');
    expect(acq(1, 2)).toBe('eic');
    expect(acq(2, 0)).toBe('ehvi');
    expect(acq(3, 1)).toBe('ehvic');
    expect(acq(4, 0)).toBe('parego');
    expect(acq(2, 1, 'parego')).toBe('paregoc');
    const mesmo = new Advisor({ space: xgb, numObjectives: 2, seed: 1, acquisition: 'mesmo' });
    expect(mesmo.resolvedTypes.acquisition).toBe('ehvi');
    expect(mesmo.notes.join(' ')).toMatch(/mesmo/);
  });

  it('falls back to random search for ≥ 100 hyper-parameters', () => {
    const big = searchSpace(Array.from({ length: 100 }, (_, i) => float(`x${i}`, 0, 1)));
    expect(resolved(big)).toEqual({ surrogate: 'random', acquisition: 'none', acqOptimizer: 'none' });
  });

  it('switches an auto GP to the forest past maxGpObservations', () => {
    const space = searchSpace([float('x', 0, 1), float('y', 0, 1)]);
    const adv = new Advisor({ space, numObjectives: 1, seed: 3, maxGpObservations: 8 });
    expect(adv.resolvedTypes.surrogate).toBe('gp');
    for (let i = 0; i < 8; i++) {
      const [c] = adv.suggest(1);
      adv.observe({ config: c, objectives: [(c['x'] as number) + (c['y'] as number)] });
    }
    expect(adv.resolvedTypes.surrogate).toBe('prf');
    expect(adv.notes.join(' ')).toMatch(/switched from gp to prf/);
    expect(adv.suggest(2)).toHaveLength(2);
  });

  it('fails at construction on bad options, naming the field', () => {
    const bad = (o: Partial<AdvisorOptions>, code: string): void => {
      expect(() => new Advisor({ space: xgb, numObjectives: 2, seed: 1, ...o })).toThrowError(
        expect.objectContaining({ code }),
      );
    };
    bad({ numObjectives: 0 }, OptimizerErrorCode.BadOption);
    bad({ refPoint: [1] }, OptimizerErrorCode.BadOption);
    bad({ acquisition: 'ei' }, OptimizerErrorCode.BadOption);
    bad({ randProb: 2 }, OptimizerErrorCode.BadOption);
    bad({ surrogate: 'tpe' as never }, OptimizerErrorCode.UnknownType);
    bad({ acqOptimizer: 'scipy_global' as never }, OptimizerErrorCode.UnknownType);
    expect(() => new Advisor({ space: xgb, numObjectives: 1, seed: 1 }).suggest(-1)).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadOption }),
    );
  });
});

describe('initial design and the switch to BO (SPEC §4.3)', () => {
  it('first batch of a fresh advisor: default, 2 max–min configurations, then random ones', () => {
    const adv = new Advisor({ space: rf, numObjectives: 2, seed: 100 });
    const batch = adv.suggestDetailed(10);
    expect(batch.map((s) => s.origin)).toEqual([
      'initial',
      'initial',
      'initial',
      ...new Array(7).fill('random'),
    ]);
    expect(batch[0].config).toEqual(defaultConfiguration(rf));
    expect(batch[0].config['model__n_estimators']).toBe(525);
    const enc = new SpaceEncoding(rf);
    expect(new Set(batch.map((s) => enc.key(s.config))).size).toBe(10);
    // The second design point is the farthest of 100 samples from the default: beyond the 90th
    // percentile of random distances (probability of failing by chance 0.9^100).
    const d0 = enc.encode(batch[0].config);
    const rng = new Rng(5);
    const dists = Array.from({ length: 200 }, () =>
      enc.distance2(enc.encode(sampleConfiguration(rf, rng)), 0, d0, 0),
    );
    dists.sort((a, b) => a - b);
    expect(enc.distance2(enc.encode(batch[1].config), 0, d0, 0)).toBeGreaterThanOrEqual(dists[180]);
  });

  it('starts BO only after 3 successful observations; failures do not count', () => {
    const space = searchSpace([float('x', 0, 1), float('y', 0, 1)]);
    const adv = new Advisor({ space, numObjectives: 1, seed: 4, randProb: 0 });
    const f = (c: Configuration): number => (c['x'] as number) ** 2 + (c['y'] as number);
    const first = adv.suggestDetailed(4);
    adv.observe({ config: first[0].config, objectives: [f(first[0].config)] });
    adv.observe({ config: first[1].config, objectives: [NaN] });
    adv.observe({ config: first[2].config, objectives: [f(first[2].config)] });
    expect(adv.numSuccessful).toBe(2);
    expect(adv.suggestDetailed(1)[0].origin).toBe('random');
    adv.observe({ config: first[3].config, objectives: [f(first[3].config)] });
    expect(adv.numSuccessful).toBe(3);
    expect(adv.history[1].failed).toBe(true);
    const next = adv.suggestDetailed(2);
    expect(next.map((s) => s.origin)).toEqual(['model', 'model']);
    expect(next[0].acquisitionValue).toBeGreaterThanOrEqual(0);
  });
});

describe('replay (SPEC §13.5)', () => {
  const space = joinSpaces(
    prefixSpace(searchSpace([float('repair_level', 0.1, 1)]), 'fi__'),
    prefixSpace(
      searchSpace([
        int('n_estimators', 50, 1000, { q: 50 }),
        float('learning_rate', 0.01, 1, { log: true }),
        categorical('criterion', ['gini', 'entropy', 'log_loss']),
      ]),
      'model__',
    ),
  );
  const f = (c: Configuration): number[] => {
    const a = (c['fi__repair_level'] as number) - 0.4;
    const b = Math.log10(c['model__learning_rate'] as number) + 1;
    const e = c['model__criterion'] === 'entropy' ? 0 : 0.2;
    return [a * a + b * b + e, (c['model__n_estimators'] as number) / 1000 + (1 - a) * 0.1];
  };

  for (const surrogate of ['gp', 'prf'] as const) {
    it(`${surrogate}: same seed + same observations ⇒ same next suggestion, with or without the original suggest calls`, () => {
      const opts: AdvisorOptions = { space, numObjectives: 2, seed: 42, surrogate };
      const a = new Advisor(opts);
      const calls: ({ kind: 'suggest'; k: number } | { kind: 'observe'; o: TrialObservation })[] = [];
      const observed: TrialObservation[] = [];
      let carry: Configuration[] = [];
      for (let round = 0; round < 8; round++) {
        const batch = a.suggest(3);
        calls.push({ kind: 'suggest', k: 3 });
        // Observe the pending one from the previous round and two of the new ones; one stays pending.
        const toObserve = [...carry, ...batch.slice(0, 2)];
        carry = batch.slice(2);
        for (const c of toObserve) {
          const o: TrialObservation =
            round === 3 && c === toObserve[0]
              ? { config: c, objectives: [NaN, 1] }
              : { config: c, objectives: f(c) };
          a.observe(o);
          calls.push({ kind: 'observe', o });
          observed.push(o);
        }
      }
      expect(a.pending).toHaveLength(1);

      // B: the same calls in the same order.
      const b = new Advisor(opts);
      for (const call of calls) {
        if (call.kind === 'suggest') b.suggest(call.k);
        else b.observe(call.o);
      }
      // C: only the observations (as a resumed engine would replay them), then the running configuration.
      const c = new Advisor(opts);
      for (const o of observed) c.observe(o);
      for (const p of a.pending) c.addPending(p);

      // Bit-identical, acquisition values included.
      const next = a.suggestDetailed(2);
      expect(next.every((s) => s.origin === 'model' || s.origin === 'random')).toBe(true);
      expect(b.suggestDetailed(2)).toEqual(next);
      expect(c.suggestDetailed(2)).toEqual(next);
      // A different seed searches differently.
      const d = new Advisor({ ...opts, seed: 43 });
      for (const o of observed) d.observe(o);
      for (const p of a.pending) d.addPending(p);
      expect(d.suggest(2)).not.toEqual(next.map((s) => s.config));
    });
  }

  it('fits GP hyper-parameters at checkpoints of the history length', () => {
    expect([1, 30, 31, 32, 33, 36, 37, 100].map(gpCheckpoint)).toEqual([1, 30, 30, 30, 33, 33, 37, 94]);
  });
});

describe('search behaviour', () => {
  const space = searchSpace([float('x', -5, 10), float('y', 0, 15)]);
  // Branin: global minimum 0.397887 (three minimisers).
  const branin = (c: Configuration): number => {
    const x = c['x'] as number;
    const y = c['y'] as number;
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const t = y - b * x * x + (5 / Math.PI) * x - 6;
    return t * t + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
  };
  const median = (v: number[]): number => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];

  it('finds the minimum of Branin much faster than random search (median regret over 5 seeds, 30 evaluations)', () => {
    const regret = (
      make: (seed: number) => { suggest(k: number): Configuration[]; observe(o: TrialObservation): void },
    ) =>
      [1, 2, 3, 4, 5].map((seed) => {
        const opt = make(seed);
        let best = Infinity;
        for (let i = 0; i < 30; i++) {
          const [c] = opt.suggest(1);
          const v = branin(c);
          best = Math.min(best, v);
          opt.observe({ config: c, objectives: [v] });
        }
        return best - 0.397887;
      });
    const bo = median(regret((seed) => new Advisor({ space, numObjectives: 1, seed })));
    const rnd = median(regret((seed) => new RandomSearch({ space, numObjectives: 1, seed })));
    expect(bo).toBeLessThan(0.05);
    expect(bo).toBeLessThan(0.2 * rnd);
  });

  it('with a constraint, concentrates on the feasible region (EIC vs EI)', () => {
    // Minimise x + y on [0, 1]²; feasible iff x ≥ 0.5 (c = 0.5 − x ≤ 0). Constrained optimum (0.5, 0).
    const unit = searchSpace([float('x', 0, 1), float('y', 0, 1)]);
    const run = (constrained: boolean): { feasibleShare: number; bestFeasible: number } => {
      const adv = new Advisor({
        space: unit,
        numObjectives: 1,
        numConstraints: constrained ? 1 : 0,
        seed: 12,
        randProb: 0,
      });
      const feasible: boolean[] = [];
      let bestFeasible = Infinity;
      for (let i = 0; i < 25; i++) {
        const [c] = adv.suggest(1);
        const x = c['x'] as number;
        const y = c['y'] as number;
        feasible.push(x >= 0.5);
        if (x >= 0.5) bestFeasible = Math.min(bestFeasible, x + y);
        adv.observe({ config: c, objectives: [x + y], constraints: constrained ? [0.5 - x] : [] });
      }
      const last = feasible.slice(-12);
      return { feasibleShare: last.filter(Boolean).length / last.length, bestFeasible };
    };
    const withC = run(true);
    const without = run(false);
    expect(withC.feasibleShare).toBeGreaterThanOrEqual(0.75);
    expect(withC.feasibleShare).toBeGreaterThan(without.feasibleShare);
    expect(withC.bestFeasible).toBeLessThan(0.6);
  });

  it('infers the reference point from the observed front and says so', () => {
    const unit = searchSpace([float('x', 0, 1), float('y', 0, 1)]);
    const adv = new Advisor({ space: unit, numObjectives: 2, seed: 3, randProb: 0 });
    const values = [
      [1, 5],
      [2, 3],
      [4, 1],
      [3, 4], // dominated by (2, 3)
    ];
    expect(adv.referencePoint).toBeNull();
    for (const v of values) adv.observe({ config: adv.suggest(1)[0], objectives: v });
    expect(adv.suggestDetailed(1)[0].origin).toBe('model');
    // Front nadir (4, 5), ideal (1, 1): ref = nadir + 10 % of (3, 4).
    expect(adv.referencePoint?.inferred).toBe(true);
    expect(adv.referencePoint?.value[0]).toBeCloseTo(4.3, 12);
    expect(adv.referencePoint?.value[1]).toBeCloseTo(5.4, 12);
    expect(adv.notes.join(' ')).toMatch(/inferred/);
    const given = new Advisor({ space: unit, numObjectives: 2, seed: 3, refPoint: [10, 10] });
    expect(given.referencePoint).toEqual({ value: [10, 10], inferred: false });
  });

  it('never re-suggests and stops when a finite space is exhausted', () => {
    const tiny = searchSpace([int('a', 1, 3), categorical('b', ['u', 'v'])]);
    const adv = new Advisor({ space: tiny, numObjectives: 1, seed: 2, surrogate: 'gp' });
    const enc = new SpaceEncoding(tiny);
    const keys = new Set<string>();
    for (let round = 0; round < 4; round++) {
      for (const c of adv.suggest(2)) {
        expect(keys.has(enc.key(c))).toBe(false);
        keys.add(enc.key(c));
        adv.observe({ config: c, objectives: [(c['a'] as number) + (c['b'] === 'u' ? 1 : 0)] });
      }
    }
    expect(keys.size).toBe(6);
    expect(adv.suggest(3)).toEqual([]);
  });
});
