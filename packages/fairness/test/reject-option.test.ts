import { describe, expect, it } from 'vitest';
import { Rng } from '@virnyflow/core';
import { FairnessErrorCode, RejectOptionClassification } from '@virnyflow/fairness';
import type { RejectOptionOptions } from '@virnyflow/fairness';
import { groupRates } from './helpers';

const defaults: RejectOptionOptions = {
  lowClassThresh: 0.01,
  highClassThresh: 0.99,
  numClassThresh: 100,
  numRocMargin: 50,
  metricName: 'Statistical parity difference',
  metricUb: 0.05,
  metricLb: -0.05,
};

function biasedScores(n: number, seed: number) {
  const rng = new Rng(seed);
  const scores = new Float64Array(n);
  const y = new Uint8Array(n);
  const prot = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    prot[i] = rng.next() < 0.5 ? 0 : 1;
    y[i] = rng.next() < 0.5 ? 1 : 0;
    const z = (y[i] ? 0.8 : -0.8) + (prot[i] ? 0.6 : -0.6) + rng.normal();
    scores[i] = 1 / (1 + Math.exp(-z));
  }
  return { scores, y, prot };
}

describe('RejectOptionClassification', () => {
  it('relabels the critical region: favourable for the disadvantaged, unfavourable for the privileged', () => {
    const roc = new RejectOptionClassification({ ...defaults, numClassThresh: 1, numRocMargin: 1 });
    // One grid point: t = low = 0.01, θ = 0 → plain thresholding at 0.01.
    const s = Float64Array.of(0.005, 0.02, 0.3, 0.7);
    roc.fit(s, Uint8Array.of(0, 1, 0, 1), Uint8Array.of(0, 0, 1, 1), { seed: 0 });
    expect(roc.result.classThreshold).toBe(0.01);
    expect(roc.result.rocMargin).toBe(0);
    // Hand-built fit: t = 0.5, θ = 0.2 → dis positive above 0.3, priv positive above 0.7.
    const fixed = RejectOptionClassification.fromJSON({
      kind: 'ROC',
      version: 1,
      ...defaults,
      classThreshold: 0.5,
      rocMargin: 0.2,
      balancedAccuracy: 0,
      metric: 0,
      withinBounds: true,
    });
    const scores = Float64Array.of(0.25, 0.35, 0.5, 0.65, 0.75, 0.25, 0.35, 0.5, 0.65, 0.75);
    const prot = Uint8Array.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
    expect(Array.from(fixed.predictLabels(scores, prot))).toEqual([0, 1, 1, 1, 1, 0, 0, 0, 0, 1]);
  });

  it('finds the most accurate grid point within the metric bounds and cuts the parity gap', () => {
    const { scores, y, prot } = biasedScores(3000, 1);
    const before = groupRates(
      y,
      Uint8Array.from(scores, (s) => (s > 0.5 ? 1 : 0)),
      prot,
    );
    expect(Math.abs(before.sel[0] - before.sel[1])).toBeGreaterThan(0.3);
    const roc = new RejectOptionClassification(defaults);
    roc.fit(scores, y, prot, { seed: 0 });
    const r = roc.result;
    expect(r.withinBounds).toBe(true);
    const after = groupRates(y, roc.predictLabels(scores, prot), prot);
    const spd = after.sel[0] - after.sel[1];
    expect(spd).toBeCloseTo(r.metric, 12);
    expect(spd).toBeGreaterThanOrEqual(-0.05);
    expect(spd).toBeLessThanOrEqual(0.05);
    const bal =
      0.5 * (tprAll(y, roc.predictLabels(scores, prot)) + tnrAll(y, roc.predictLabels(scores, prot)));
    expect(bal).toBeCloseTo(r.balancedAccuracy, 12);
    // Brute force over the same grid: no feasible point has a higher balanced accuracy.
    for (let a = 0; a < 100; a += 7) {
      const t = 0.01 + (a * 0.98) / 99;
      const hm = t <= 0.5 ? t : 1 - t;
      for (let b = 0; b < 50; b += 3) {
        const m = (b * hm) / 49;
        const lab = Uint8Array.from(scores, (s, i) => (s > (prot[i] === 0 ? t - m : t + m) ? 1 : 0));
        const g = groupRates(y, lab, prot);
        const metric = g.sel[0] - g.sel[1];
        if (metric >= -0.05 && metric <= 0.05)
          expect(0.5 * (tprAll(y, lab) + tnrAll(y, lab))).toBeLessThanOrEqual(r.balancedAccuracy + 1e-12);
      }
    }
  });

  it('supports the odds-based metrics and falls back to the smallest |metric| when bounds cannot be met', () => {
    const { scores, y, prot } = biasedScores(2000, 2);
    for (const metricName of ['Average odds difference', 'Equal opportunity difference'] as const) {
      const roc = new RejectOptionClassification({ ...defaults, metricName });
      roc.fit(scores, y, prot, { seed: 0 });
      const g = groupRates(y, roc.predictLabels(scores, prot), prot);
      const m =
        metricName === 'Average odds difference'
          ? 0.5 * (g.fpr[0] - g.fpr[1] + (g.tpr[0] - g.tpr[1]))
          : g.tpr[0] - g.tpr[1];
      expect(m).toBeCloseTo(roc.result.metric, 12);
      expect(roc.result.withinBounds).toBe(true);
    }
    // A single margin of 0 at a single threshold cannot reach |SPD| ≤ 0.05 on this data.
    const tight = new RejectOptionClassification({
      ...defaults,
      numClassThresh: 1,
      numRocMargin: 1,
      lowClassThresh: 0.5,
      highClassThresh: 0.5,
    });
    tight.fit(scores, y, prot, { seed: 0 });
    expect(tight.result.withinBounds).toBe(false);
    expect(() => new RejectOptionClassification({ ...defaults, numRocMargin: 0 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.BadOption }),
    );
  });
});

function tprAll(y: Uint8Array, yhat: Uint8Array): number {
  let tp = 0;
  let p = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    p++;
    tp += yhat[i];
  }
  return tp / p;
}

function tnrAll(y: Uint8Array, yhat: Uint8Array): number {
  let tn = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0) continue;
    n++;
    tn += 1 - yhat[i];
  }
  return tn / n;
}
