/**
 * Virny's own test values (SPEC §8.2): the toy stability case of `test_stability_utils.py`, the confusion
 * case of `test_subgroup_error_analyzer.py`, and the single-estimator case.
 */
import { describe, expect, it } from 'vitest';
import { Table } from '@virnyflow/data';
import {
  ComputationMode,
  MetricsErrorCode,
  buildGroups,
  computeMetrics,
  errorMetric,
  groupConfusion,
  groupVarianceMetric,
  probabilityStatistics,
  sortedPercentile,
} from '../src/index';
import type { GroupPartition } from '../src/index';

const y = Uint8Array.from([0, 0, 1, 1, 0, 1, 0, 1, 1, 1]);
// (2 estimators, 10 samples) of P(class 0), row-major.
const P = Float64Array.from([
  0.6, 0.7, 0.3, 0.4, 0.5, 0.3, 0.7, 0.6, 0.4, 0.4, 0.7, 0.6, 0.4, 0.4, 0.5, 0.3, 0.2, 0.6, 0.4, 0.4,
]);

function overallOnly(n: number): GroupPartition {
  return { nRows: n, keys: [], names: ['overall'], masks: [new Uint8Array(n).fill(1)], sizes: [n] };
}

describe('Virny toy stability case (SPEC §8.2)', () => {
  const table = computeMetrics({
    y,
    groups: overallOnly(10),
    predictions: { kind: 'probabilities', p0: P, nEstimators: 2 },
  });
  const expected: [string, number][] = [
    ['Mean_Prediction', 0.47],
    ['Statistical_Bias', 0.42],
    ['Jitter', 0.1],
    ['Label_Stability', 0.9],
    ['Std', 0.0565685424949238],
    ['IQR', 0.04],
    ['Aleatoric_Uncertainty', 0.9345065014636438],
    ['Epistemic_Uncertainty', 0.02150068825],
    ['Overall_Uncertainty', 0.9560071897163649],
  ];
  for (const [metric, value] of expected) {
    it(`${metric} = ${value}`, () => {
      // Epistemic is given with 11 digits in Virny's test.
      const tol = metric === 'Epistemic_Uncertainty' ? 1e-11 : 1e-9;
      expect(Math.abs((table.get(metric, 'overall') as number) - value)).toBeLessThan(tol);
    });
  }

  it('ensemble labels are [0,0,1,1,0,1,1,0,1,1] (μ = 0.5 → label 0)', () => {
    const stats = probabilityStatistics(P, 2);
    expect(Array.from(stats.yHat)).toEqual([0, 0, 1, 1, 0, 1, 1, 0, 1, 1]);
  });

  it('lists the 9 variance metrics then the 9 error metrics', () => {
    expect(table.metrics).toEqual([
      'Mean_Prediction',
      'Statistical_Bias',
      'Std',
      'IQR',
      'Aleatoric_Uncertainty',
      'Overall_Uncertainty',
      'Epistemic_Uncertainty',
      'Label_Stability',
      'Jitter',
      'TPR',
      'TNR',
      'PPV',
      'FNR',
      'FPR',
      'Accuracy',
      'F1',
      'Selection-Rate',
      'Sample_Size',
    ]);
  });
});

describe('Virny confusion case (SPEC §8.2)', () => {
  // ŷ = [0,0,1,1,0,1,1,0,1,1] against y: TP = 5, TN = 3, FP = 1, FN = 1.
  const yHat = Uint8Array.from([0, 0, 1, 1, 0, 1, 1, 0, 1, 1]);
  const c = groupConfusion(y, yHat, new Uint8Array(10).fill(1));
  it('counts', () => expect(c).toEqual({ tp: 5, fp: 1, tn: 3, fn: 1 }));
  const expected: [Parameters<typeof errorMetric>[0], number][] = [
    ['TPR', 5 / 6],
    ['TNR', 3 / 4],
    ['PPV', 5 / 6],
    ['FNR', 1 / 6],
    ['FPR', 1 / 4],
    ['Accuracy', 8 / 10],
    ['F1', 10 / 12],
    ['Selection-Rate', 6 / 10],
    ['Sample_Size', 10],
  ];
  for (const [metric, value] of expected) {
    it(`${metric} = ${value}`, () => expect(errorMetric(metric, c)).toBeCloseTo(value, 12));
  }

  it('the toy ensemble gives the same error metrics through computeMetrics', () => {
    const t = computeMetrics({
      y,
      groups: overallOnly(10),
      predictions: { kind: 'probabilities', p0: P, nEstimators: 2 },
    });
    for (const [metric, value] of expected) expect(t.get(metric, 'overall')).toBeCloseTo(value, 12);
  });
});

describe('single estimator (SPEC §8.2 case 2, §13.11)', () => {
  const one = P.slice(0, 10);
  it('Jitter with one estimator is a typed error', () => {
    const stats = probabilityStatistics(one, 1);
    expect(() => groupVarianceMetric(stats, 'Jitter', y, new Uint8Array(10).fill(1))).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.SingleEstimator }),
    );
  });
  it('bootstrap mode with one estimator is a typed error', () => {
    expect(() =>
      computeMetrics({
        y,
        groups: overallOnly(10),
        predictions: { kind: 'probabilities', p0: one, nEstimators: 1 },
        mode: ComputationMode.Bootstrap,
      }),
    ).toThrow(expect.objectContaining({ code: MetricsErrorCode.SingleEstimator }));
  });
  it('one model defaults to no-bootstrap: Mean_Prediction, Statistical_Bias and error metrics only', () => {
    const t = computeMetrics({
      y,
      groups: overallOnly(10),
      predictions: { kind: 'probabilities', p0: one, nEstimators: 1 },
    });
    expect(t.metrics.slice(0, 3)).toEqual(['Mean_Prediction', 'Statistical_Bias', 'TPR']);
    expect(t.get('Jitter', 'overall')).toBeUndefined();
    // First estimator alone: μ = P[0]; ŷ = [0,0,1,1,0,1,0,0,1,1] → TP 5, FN 1, TN 4, FP 0.
    expect(t.get('Mean_Prediction', 'overall')).toBeCloseTo(4.9 / 10, 12);
    expect(t.get('TPR', 'overall')).toBeCloseTo(5 / 6, 12);
    expect(t.get('FPR', 'overall')).toBe(0);
    expect(t.disparityMetrics).toEqual([]);
  });
});

describe('numeric building blocks', () => {
  it('percentile matches NumPy linear interpolation', () => {
    // np.percentile([1, 2, 4, 8, 16], [25, 75]) = [2, 8]; np.percentile([1, 2, 3, 10], [25, 75]) = [1.75, 4.75]
    const a = Float64Array.from([1, 2, 4, 8, 16]);
    expect(sortedPercentile(a, 5, 0.25)).toBe(2);
    expect(sortedPercentile(a, 5, 0.75)).toBe(8);
    const b = Float64Array.from([1, 2, 3, 10]);
    expect(sortedPercentile(b, 4, 0.25)).toBe(1.75);
    expect(sortedPercentile(b, 4, 0.75)).toBe(4.75);
  });

  it('Std is the sample standard deviation (ddof 1) and NaN for one estimator', () => {
    // Column [0.2, 0.4, 0.9]: mean 0.5, Σd² = 0.09 + 0.01 + 0.16 = 0.26 → sqrt(0.13).
    const p = Float64Array.from([0.2, 0.4, 0.9]);
    expect(probabilityStatistics(p, 3).std[0]).toBeCloseTo(Math.sqrt(0.13), 14);
    expect(Number.isNaN(probabilityStatistics(p, 1).std[0])).toBe(true);
  });

  it('entropies are base 2 and H(0) = H(1) = 0', () => {
    const s = probabilityStatistics(Float64Array.from([0, 1, 0.5, 0.5]), 2);
    // Row 0: P = [0, 0.5]; row 1: P = [1, 0.5].
    expect(s.aleatoric[0]).toBeCloseTo(0.5, 15);
    expect(s.aleatoric[1]).toBeCloseTo(0.5, 15);
    expect(s.overall[0]).toBeCloseTo(-(0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75)), 15);
  });

  it('Jitter equals the mean pairwise churn computed pair by pair', () => {
    // 4 estimators × 6 samples of labels via P.
    const M = 4;
    const N = 6;
    const p = Float64Array.from([
      0.1, 0.9, 0.4, 0.6, 0.2, 0.5, 0.2, 0.8, 0.6, 0.6, 0.3, 0.4, 0.7, 0.9, 0.45, 0.2, 0.8, 0.5, 0.3, 0.1,
      0.55, 0.7, 0.1, 0.49,
    ]);
    const mask = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    const n = 4;
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < M; a++) {
      for (let b = a + 1; b < M; b++) {
        let diff = 0;
        for (let i = 0; i < N; i++) {
          if (!mask[i]) continue;
          if (p[a * N + i] < 0.5 !== p[b * N + i] < 0.5) diff++;
        }
        sum += diff / n;
        pairs++;
      }
    }
    const stats = probabilityStatistics(p, M);
    expect(groupVarianceMetric(stats, 'Jitter', new Uint8Array(N), mask)).toBeCloseTo(sum / pairs, 14);
  });
});

describe('label-only mode (SPEC §7.7)', () => {
  it('majority vote with tie → 0; only Label_Stability and Jitter among variance metrics', () => {
    // 2 estimators × 4 samples of labels: votes [2, 1, 0, 1] of 2.
    const labels = Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 1]);
    const yy = Uint8Array.from([1, 1, 0, 0]);
    const t = computeMetrics({
      y: yy,
      groups: overallOnly(4),
      predictions: { kind: 'labels', labels, nEstimators: 2 },
    });
    expect(t.metrics.slice(0, 2)).toEqual(['Label_Stability', 'Jitter']);
    // ŷ = [1, 0, 0, 0] (ties → 0): TP 1, FN 1, TN 2.
    expect(t.get('TPR', 'overall')).toBe(0.5);
    expect(t.get('Accuracy', 'overall')).toBe(0.75);
    // Label_Stability = mean(|2−0|/2, 0, 1, 0) = 0.5; Jitter = 2 disagreements / 4 rows / 1 pair.
    expect(t.get('Label_Stability', 'overall')).toBe(0.5);
    expect(t.get('Jitter', 'overall')).toBe(0.5);
    expect(t.get('Std', 'overall')).toBeUndefined();
  });

  it('a table from labels refuses the bootstrap mode', () => {
    expect(() =>
      computeMetrics({
        y: Uint8Array.from([1]),
        groups: overallOnly(1),
        predictions: { kind: 'labels', labels: Uint8Array.from([1, 1]), nEstimators: 2 },
        mode: ComputationMode.Bootstrap,
      }),
    ).toThrow(expect.objectContaining({ code: MetricsErrorCode.ModeMismatch }));
  });
});

describe('groups and per-group values on the toy case', () => {
  it('per-group values are the toy formulas on the group rows', () => {
    const table = new Table([
      {
        kind: 'categorical',
        name: 'sex',
        codes: Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]),
        categories: ['m', 'f'],
        valueType: 'string',
      },
    ]);
    const groups = buildGroups(table, { sex: 'f' });
    const t = computeMetrics({ y, groups, predictions: { kind: 'probabilities', p0: P, nEstimators: 2 } });
    // sex_dis = rows 5..9: μ = [.3, .45, .6, .4, .4] → Mean_Prediction 0.43; ŷ = [1,1,0,1,1], y = [1,0,1,1,1].
    expect(t.get('Mean_Prediction', 'sex_dis')).toBeCloseTo(0.43, 12);
    expect(t.get('Mean_Prediction', 'sex_priv')).toBeCloseTo(0.51, 12);
    expect(t.get('Jitter', 'sex_dis')).toBeCloseTo(0.2, 12);
    expect(t.get('Jitter', 'sex_priv')).toBe(0);
    expect(t.get('TPR', 'sex_dis')).toBeCloseTo(3 / 4, 12);
    expect(t.get('Sample_Size', 'sex_dis')).toBe(5);
    expect(t.disparity('Jitter_Difference', 'sex')).toBeCloseTo(0.2, 12);
    expect(t.disparity('Equalized_Odds_TPR', 'sex')).toBeCloseTo(3 / 4 - 2 / 2, 12);
  });
});
