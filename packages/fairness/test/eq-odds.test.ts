import { describe, expect, it } from 'vitest';
import { Rng } from '@virnyflow/core';
import { EqOddsPostprocessing, FairnessErrorCode } from '@virnyflow/fairness';
import { groupRates } from './helpers';

/** Scores from a model that favours the privileged group: P(y=1) shifted up by `shift` for prot = 1. */
function scored(n: number, seed: number, shift = 0.25) {
  const rng = new Rng(seed);
  const scores = new Float64Array(n);
  const y = new Uint8Array(n);
  const prot = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    prot[i] = rng.next() < 0.4 ? 0 : 1;
    y[i] = rng.next() < (prot[i] ? 0.6 : 0.4) ? 1 : 0;
    const base = y[i] ? 0.62 : 0.38;
    scores[i] = Math.min(1, Math.max(0, base + (prot[i] ? shift : -shift) * 0.5 + 0.25 * rng.normal()));
  }
  return { scores, y, prot };
}

describe('EqOddsPostprocessing (Hardt et al.)', () => {
  it('equalises TPR and FPR on the training data within sampling tolerance', () => {
    const { scores, y, prot } = scored(4000, 1);
    const before = groupRates(
      y,
      Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
      prot,
    );
    expect(Math.abs(before.tpr[0] - before.tpr[1])).toBeGreaterThan(0.15);
    expect(Math.abs(before.fpr[0] - before.fpr[1])).toBeGreaterThan(0.15);
    const eop = new EqOddsPostprocessing();
    eop.fit(scores, y, prot, { seed: 42 });
    const after = groupRates(y, eop.predictLabels(scores, prot), prot);
    expect(Math.abs(after.tpr[0] - after.tpr[1])).toBeLessThan(0.04);
    expect(Math.abs(after.fpr[0] - after.fpr[1])).toBeLessThan(0.04);
  });

  it('solves the LP: mixing probabilities satisfy the equal-odds equations exactly', () => {
    const { scores, y, prot } = scored(3000, 2);
    const eop = new EqOddsPostprocessing();
    eop.fit(scores, y, prot, { seed: 1 });
    const p = eop.mixingProbabilities;
    for (const v of p) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const r = groupRates(
      y,
      Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0)),
      prot,
    );
    const tprT = (g: number) => r.tpr[g] * p[g * 2] + (1 - r.tpr[g]) * p[g * 2 + 1];
    const fprT = (g: number) => r.fpr[g] * p[g * 2] + (1 - r.fpr[g]) * p[g * 2 + 1];
    expect(tprT(0)).toBeCloseTo(tprT(1), 10);
    expect(fprT(0)).toBeCloseTo(fprT(1), 10);
    // Optimality against a brute-force grid over the 4 probabilities (feasible points within 1e-3).
    const loss = (q: number[]) => {
      let l = 0;
      for (let g = 0; g < 2; g++) {
        const nNeg = countWhere(prot, y, g, 0);
        const nPos = countWhere(prot, y, g, 1);
        const fp = r.fpr[g] * q[g * 2] + (1 - r.fpr[g]) * q[g * 2 + 1];
        const tp = r.tpr[g] * q[g * 2] + (1 - r.tpr[g]) * q[g * 2 + 1];
        l += nNeg * fp + nPos * (1 - tp);
      }
      return l / y.length;
    };
    const best = loss(Array.from(p));
    const steps = 20;
    for (let a = 0; a <= steps; a++)
      for (let b = 0; b <= steps; b++)
        for (let c = 0; c <= steps; c++)
          for (let d = 0; d <= steps; d++) {
            const q = [a / steps, b / steps, c / steps, d / steps];
            const feasible =
              Math.abs(r.tpr[0] * q[0] + (1 - r.tpr[0]) * q[1] - r.tpr[1] * q[2] - (1 - r.tpr[1]) * q[3]) <
                1e-3 &&
              Math.abs(r.fpr[0] * q[0] + (1 - r.fpr[0]) * q[1] - r.fpr[1] * q[2] - (1 - r.fpr[1]) * q[3]) <
                1e-3;
            if (feasible) expect(loss(q)).toBeGreaterThanOrEqual(best - 1e-3);
          }
  });

  it('leaves an already fair classifier unchanged', () => {
    // Identical score distributions per (group, label): the identity mapping is optimal.
    const { scores, y, prot } = scored(2000, 3, 0);
    const eop = new EqOddsPostprocessing();
    const prot2 = Uint8Array.from(prot);
    // Make groups exactly exchangeable: duplicate every row with the other group.
    const s2 = Float64Array.from([...scores, ...scores]);
    const y2 = Uint8Array.from([...y, ...y]);
    const g2 = Uint8Array.from([...prot2, ...prot2.map((g) => 1 - g)]);
    eop.fit(s2, y2, g2, { seed: 4 });
    expect(Array.from(eop.mixingProbabilities).map((v) => +v.toFixed(9))).toEqual([1, 0, 1, 0]);
    const out = eop.predictLabels(s2, g2);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(s2[i] >= 0.5 ? 1 : 0);
  });

  it('is deterministic per seed, honours rows, and round-trips through JSON', () => {
    const { scores, y, prot } = scored(1500, 5);
    const a = new EqOddsPostprocessing();
    const b = new EqOddsPostprocessing();
    a.fit(scores, y, prot, { seed: 9 });
    b.fit(scores, y, prot, { seed: 9 });
    expect(Array.from(a.predictLabels(scores, prot))).toEqual(Array.from(b.predictLabels(scores, prot)));
    expect(Array.from(a.predictLabels(scores, prot))).toEqual(Array.from(a.predictLabels(scores, prot)));
    const c = new EqOddsPostprocessing();
    c.fit(scores, y, prot, { seed: 10 });
    expect(Array.from(c.predictLabels(scores, prot))).not.toEqual(Array.from(a.predictLabels(scores, prot)));
    // rows = each index twice gives the same rates, hence the same LP solution.
    const rows = Uint32Array.from({ length: 3000 }, (_, t) => t >> 1);
    const d = new EqOddsPostprocessing();
    d.fit(scores, y, prot, { seed: 9, rows });
    expect(Array.from(d.mixingProbabilities)).toEqual(Array.from(a.mixingProbabilities));
    const back = EqOddsPostprocessing.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.predictLabels(scores, prot))).toEqual(Array.from(a.predictLabels(scores, prot)));
    expect(() => a.fit(scores, y.subarray(1), prot, { seed: 1 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.ShapeMismatch }),
    );
  });
});

function countWhere(prot: Uint8Array, y: Uint8Array, g: number, label: number): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (prot[i] === g && y[i] === label) c++;
  return c;
}
