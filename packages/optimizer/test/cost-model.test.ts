import { Rng } from '@virnyflow/core';
import type { LogicalPipelineStats } from '@virnyflow/optimizer';
import {
  OptimizerErrorCode,
  batchSize,
  compoundQuality,
  initialLogicalPipelineStats,
  recordScheduled,
  selectLogicalPipeline,
  shouldContinue,
  updateLogicalPipelineStats,
  updatedBest,
} from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

// The demo config's objectives (SPEC §1.9): F1 on overall (0.25), Equalized_Odds_TPR on Gender (0.75).
const objectives = [
  { name: 'F1', weight: 0.25 },
  { name: 'EO_TPR', weight: 0.75 },
];

describe('cost model (SPEC §3.2), worked example', () => {
  const s0 = initialLogicalPipelineStats('None&NO_FAIRNESS_INTERVENTION&lr_clf', objectives, {
    riskFactor: 0.5,
    maxTrials: 10,
  });

  it('starts at zero', () => {
    expect(s0).toEqual({
      name: 'None&NO_FAIRNESS_INTERVENTION&lr_clf',
      score: 0,
      qualityMean: { F1: 0, EO_TPR: 0 },
      qualityStd: { F1: 0, EO_TPR: 0 },
      executionCost: 0,
      bestCompoundQuality: 0,
      numCompletedPps: 0,
      numTrials: 0,
      riskFactor: 0.5,
      maxTrials: 10,
    });
  });

  // PP 1: t = 10 s, reversed (1 − loss) = F1 0.8, EO 0.9.
  const s1 = updateLogicalPipelineStats(
    s0,
    { elapsedTime: 10, reversed: { F1: 0.8, EO_TPR: 0.9 } },
    objectives,
  );
  // PP 2: t = 20 s, reversed = 0.6, 0.7.
  const s2 = updateLogicalPipelineStats(
    s1,
    { elapsedTime: 20, reversed: { F1: 0.6, EO_TPR: 0.7 } },
    objectives,
  );
  // PP 3: t = 30 s, reversed = 1.0, 0.8.
  const s3 = updateLogicalPipelineStats(
    s2,
    { elapsedTime: 30, reversed: { F1: 1.0, EO_TPR: 0.8 } },
    objectives,
  );

  it('first PP: cost = t, mean = r, std = 1e-6, score = Σ w(mean + risk·std/cost)', () => {
    expect(s1.executionCost).toBe(10);
    expect(s1.qualityMean).toEqual({ F1: 0.8, EO_TPR: 0.9 });
    expect(s1.qualityStd).toEqual({ F1: 1e-6, EO_TPR: 1e-6 });
    // 0.25·(0.8 + 0.5·1e-6/10) + 0.75·(0.9 + 0.5·1e-6/10) = 0.875 + 5e-8
    expect(s1.score).toBeCloseTo(0.87500005, 15);
    // Q = 0.25·0.8 + 0.75·0.9
    expect(s1.bestCompoundQuality).toBeCloseTo(0.875, 15);
    expect(s1.numCompletedPps).toBe(1);
  });

  it('second PP: Welford updates with the accumulated epsilon', () => {
    expect(s2.executionCost).toBe(15); // 10 + (20 − 10)/2
    expect(s2.qualityMean.F1).toBeCloseTo(0.7, 15); // 0.8 + (0.6 − 0.8)/2
    expect(s2.qualityMean.EO_TPR).toBeCloseTo(0.8, 15);
    // sqrt((0·(1e-6)² + (0.6 − 0.7)(0.6 − 0.8)) / 1) + 1e-6
    const std = Math.sqrt(0.02) + 1e-6;
    expect(s2.qualityStd.F1).toBeCloseTo(std, 15);
    expect(s2.qualityStd.EO_TPR).toBeCloseTo(std, 15);
    // 0.25·(0.7 + 0.5·std/15) + 0.75·(0.8 + 0.5·std/15) = 0.775 + std/30
    expect(s2.score).toBeCloseTo(0.775 + std / 30, 15);
    // Q = 0.675 < 0.875: the best stays.
    expect(s2.bestCompoundQuality).toBeCloseTo(0.875, 15);
  });

  it('third PP: running sample std ≈ the exact sample std (0.2 and 0.1) plus the epsilons', () => {
    const s = Math.sqrt(0.02) + 1e-6;
    expect(s3.executionCost).toBe(20); // 15 + (30 − 15)/3
    expect(s3.qualityMean.F1).toBeCloseTo(0.8, 15);
    expect(s3.qualityMean.EO_TPR).toBeCloseTo(0.8, 15);
    // sqrt((1·s² + (1.0 − 0.8)(1.0 − 0.7)) / 2) + 1e-6 and sqrt((1·s² + 0) / 2) + 1e-6
    expect(s3.qualityStd.F1).toBeCloseTo(Math.sqrt((s * s + 0.06) / 2) + 1e-6, 15);
    expect(s3.qualityStd.EO_TPR).toBeCloseTo(Math.sqrt((s * s) / 2) + 1e-6, 15);
    expect(Math.abs(s3.qualityStd.F1 - 0.2)).toBeLessThan(3e-6);
    expect(Math.abs(s3.qualityStd.EO_TPR - 0.1)).toBeLessThan(3e-6);
    const score =
      0.25 * (0.8 + (0.5 * s3.qualityStd.F1) / 20) + 0.75 * (0.8 + (0.5 * s3.qualityStd.EO_TPR) / 20);
    expect(s3.score).toBeCloseTo(score, 15);
    expect(s3.numCompletedPps).toBe(3);
    // Stats stay plain data: a JSON round trip changes nothing.
    expect(JSON.parse(JSON.stringify(s3))).toEqual(s3);
  });

  it('compound quality, batch size and scheduling counts', () => {
    expect(compoundQuality({ F1: 1.0, EO_TPR: 0.8 }, objectives)).toBeCloseTo(0.85, 15);
    const scheduled = recordScheduled(s0, 8);
    expect(scheduled.numTrials).toBe(8);
    expect(batchSize(s0, 4)).toBe(4);
    expect(batchSize(scheduled, 4)).toBe(2);
    expect(batchSize(recordScheduled(scheduled, 2), 4)).toBe(0);
  });

  it('rejects a missing objective value and a bad elapsed time', () => {
    expect(() =>
      updateLogicalPipelineStats(s0, { elapsedTime: 1, reversed: { F1: 0.5 } }, objectives),
    ).toThrowError(expect.objectContaining({ code: OptimizerErrorCode.BadStats }));
    expect(() =>
      updateLogicalPipelineStats(s0, { elapsedTime: NaN, reversed: { F1: 0.5, EO_TPR: 0.5 } }, objectives),
    ).toThrowError(expect.objectContaining({ code: OptimizerErrorCode.BadStats }));
  });
});

describe('logical-pipeline selection (SPEC §3.3 with §13.4)', () => {
  const mk = (name: string, over: Partial<LogicalPipelineStats>): LogicalPipelineStats => ({
    ...initialLogicalPipelineStats(name, objectives, { riskFactor: 0.1, maxTrials: 5 }),
    ...over,
  });
  const lps = [
    mk('A', {}),
    mk('B', { numTrials: 2 }),
    mk('C', { numCompletedPps: 3, numTrials: 3, score: 0.9 }),
    mk('D', { numTrials: 5 }), // saturated: never a candidate
  ];

  function frequencies(list: LogicalPipelineStats[], ef: number, draws: number, seed: number): number[] {
    const rng = new Rng(seed);
    const counts = new Array<number>(list.length).fill(0);
    for (let t = 0; t < draws; t++) {
      const r = selectLogicalPipeline(list, ef, rng);
      if (r === null) throw new Error('no candidate');
      counts[r.index]++;
    }
    return counts.map((c) => c / draws);
  }

  it('exploration_factor = 1: always an unexplored candidate, uniformly', () => {
    const f = frequencies(lps, 1, 4000, 1);
    // ±4σ with σ = sqrt(0.25/4000) ≈ 0.008.
    expect(Math.abs(f[0] - 0.5)).toBeLessThan(0.032);
    expect(Math.abs(f[1] - 0.5)).toBeLessThan(0.032);
    expect(f[2]).toBe(0);
    expect(f[3]).toBe(0);
  });

  it('exploration_factor = 0: softmax(score, T = 1) over all unsaturated candidates', () => {
    const f = frequencies(lps, 0, 20000, 2);
    const z = 2 + Math.exp(0.9);
    expect(Math.abs(f[0] - 1 / z)).toBeLessThan(0.015);
    expect(Math.abs(f[1] - 1 / z)).toBeLessThan(0.015);
    expect(Math.abs(f[2] - Math.exp(0.9) / z)).toBeLessThan(0.015);
    expect(f[3]).toBe(0);
  });

  it('falls back to softmax when nothing is unexplored, and returns null when all are saturated', () => {
    const explored = [
      mk('A', { numCompletedPps: 1, score: 0.2 }),
      mk('B', { numCompletedPps: 1, score: 0.2 }),
    ];
    const r = selectLogicalPipeline(explored, 1, new Rng(3));
    expect(r?.explored).toBe(false);
    expect(selectLogicalPipeline([mk('D', { numTrials: 5 })], 0.5, new Rng(1))).toBeNull();
  });

  it('is seeded: the same generator state gives the same picks', () => {
    const a = frequencies(lps, 0.5, 200, 9);
    const b = frequencies(lps, 0.5, 200, 9);
    expect(a).toEqual(b);
  });

  it('rejects an exploration factor outside [0, 1]', () => {
    expect(() => selectLogicalPipeline(lps, 1.5, new Rng(1))).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadStats }),
    );
  });
});

describe('halting rule (SPEC §5.4)', () => {
  it('continues only if train Q ≥ max(run best test Q, own test Q)', () => {
    expect(shouldContinue({ trainCompound: 0.9, bestTestCompound: 0.8, ownTestCompound: 0.7 })).toBe(true);
    expect(shouldContinue({ trainCompound: 0.75, bestTestCompound: 0.8, ownTestCompound: 0.7 })).toBe(false);
    // Its own test quality counts: the best becomes 0.95.
    expect(shouldContinue({ trainCompound: 0.9, bestTestCompound: 0.8, ownTestCompound: 0.95 })).toBe(false);
    // Equality continues.
    expect(shouldContinue({ trainCompound: 0.8, bestTestCompound: 0.8, ownTestCompound: 0.8 })).toBe(true);
    // No best yet: compare with its own test quality.
    expect(shouldContinue({ trainCompound: 0.6, bestTestCompound: null, ownTestCompound: 0.5 })).toBe(true);
    expect(shouldContinue({ trainCompound: NaN, bestTestCompound: 0.1, ownTestCompound: 0.1 })).toBe(false);
  });

  it('updates the run best', () => {
    expect(updatedBest(0.8, 0.85)).toBe(0.85);
    expect(updatedBest(0.8, 0.7)).toBe(0.8);
    expect(updatedBest(undefined, 0.7)).toBe(0.7);
    expect(updatedBest(0.8, NaN)).toBe(0.8);
  });
});
