import { describe, expect, it } from 'vitest';
import { Reweighing } from '@virnyflow/fairness';
import type { DenseMatrix } from '@virnyflow/models';

describe('Reweighing (Kamiran–Calders)', () => {
  // Group 0: 4 rows, 1 positive; group 1: 6 rows, 4 positive. n = 10.
  const prot = Uint8Array.of(0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
  const y = Uint8Array.of(1, 0, 0, 0, 1, 1, 1, 1, 0, 0);
  const X: DenseMatrix = { data: new Float64Array(10), nRows: 10, nCols: 1 };

  it('gives the hand-computed weights P(g)P(y)/P(g,y)', () => {
    const r = new Reweighing();
    r.fit(X, y, prot, { seed: 0 });
    // P(g0) = .4, P(g1) = .6, P(y=1) = P(y=0) = .5.
    expect(r.weight(0, 1)).toBeCloseTo((0.4 * 0.5) / 0.1, 14); // 2
    expect(r.weight(0, 0)).toBeCloseTo((0.4 * 0.5) / 0.3, 14); // 2/3
    expect(r.weight(1, 1)).toBeCloseTo((0.6 * 0.5) / 0.4, 14); // 0.75
    expect(r.weight(1, 0)).toBeCloseTo((0.6 * 0.5) / 0.2, 14); // 1.5
    const { X: same, sampleWeight } = r.transform(X, prot, y);
    expect(same).toBe(X);
    expect(Array.from(sampleWeight as Float64Array).map((v) => +v.toFixed(12))).toEqual([
      2, 0.666666666667, 0.666666666667, 0.666666666667, 0.75, 0.75, 0.75, 0.75, 1.5, 1.5,
    ]);
    expect(r.transform(X, prot).sampleWeight).toBeUndefined();
  });

  it('balances the weighted base rates of both groups at P(y = 1) and keeps the total weight', () => {
    const r = new Reweighing();
    r.fit(X, y, prot, { seed: 0 });
    const w = r.transform(X, prot, y).sampleWeight as Float64Array;
    const rate = (g: number) => {
      let num = 0;
      let den = 0;
      for (let i = 0; i < 10; i++) {
        if (prot[i] !== g) continue;
        num += w[i] * y[i];
        den += w[i];
      }
      return num / den;
    };
    expect(rate(0)).toBeCloseTo(0.5, 14);
    expect(rate(1)).toBeCloseTo(0.5, 14);
    expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(10, 12);
  });

  it('uses incoming sample weights in its probabilities', () => {
    // Doubling the weight of group 1's negatives: P(g1,y0) = 4/12, P(g1) = 8/12, P(y1) = 5/12.
    const sw = Float64Array.of(1, 1, 1, 1, 1, 1, 1, 1, 2, 2);
    const r = new Reweighing();
    r.fit(X, y, prot, { seed: 0, sampleWeight: sw });
    expect(r.weight(1, 0)).toBeCloseTo(((8 / 12) * (7 / 12)) / (4 / 12), 14);
    const back = Reweighing.fromJSON(JSON.parse(JSON.stringify(r.toJSON())));
    expect(back.weight(1, 0)).toBe(r.weight(1, 0));
  });
});
