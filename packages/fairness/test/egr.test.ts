import { describe, expect, it } from 'vitest';
import {
  EgrConstraint,
  ExponentiatedGradientReduction,
  FairnessErrorCode,
  egrConstraintFor,
} from '@virnyflow/fairness';
import { fromJSON, modelComponents } from '@virnyflow/models';
import type { Classifier } from '@virnyflow/models';
import { biasedData, eqOddsGap, groupRates, labels, take } from './helpers';

const lrDef = modelComponents.find((d) => d.name === 'lr_clf');
const dtDef = modelComponents.find((d) => d.name === 'dt_clf');
if (!lrDef || !dtDef) throw new Error('models package must register lr_clf and dt_clf');
const lr = (): Classifier => lrDef.create({ penalty: 'l2', C: 1, solver: 'lbfgs' }, 100);
const dt = (): Classifier => dtDef.create({ max_depth: 4 }, 100);

/** Mean predicted P(y = 1) per group: the randomised classifier's expected selection rates. */
function expectedSelection(p: Float64Array, prot: Uint8Array): [number, number] {
  const s = [0, 0];
  const c = [0, 0];
  for (let i = 0; i < p.length; i++) {
    s[prot[i]] += p[i];
    c[prot[i]]++;
  }
  return [s[0] / c[0], s[1] / c[1]];
}

describe('ExponentiatedGradientReduction', () => {
  const all = biasedData(1500, 1);
  const train = take(all, 0, 1000);
  const test = take(all, 1000, 1500);

  it('under DemographicParity cuts the selection-rate gap of the unconstrained model (lr_clf, dt_clf)', () => {
    for (const [make, runLinprogStep] of [
      [lr, true],
      [dt, true],
      [lr, false],
    ] as const) {
      const plain = make();
      plain.fit(train.X, train.y, { seed: 1 });
      const r0 = groupRates(test.y, labels(plain.predictProba(test.X)), test.prot);
      const gap0 = Math.abs(r0.sel[0] - r0.sel[1]);
      expect(gap0).toBeGreaterThan(0.2);
      const egr = new ExponentiatedGradientReduction({
        constraint: EgrConstraint.DemographicParity,
        createModel: make,
        maxIter: 50,
        runLinprogStep,
      });
      egr.fit(train.X, train.y, train.prot, { seed: 1 });
      const p = egr.predictProba(test.X, test.prot);
      const [e0, e1] = expectedSelection(p, test.prot);
      expect(Math.abs(e0 - e1)).toBeLessThan(0.25 * gap0);
      const r1 = groupRates(test.y, labels(p), test.prot);
      expect(Math.abs(r1.sel[0] - r1.sel[1])).toBeLessThan(0.25 * gap0);
      expect(r0.accuracy - r1.accuracy).toBeLessThan(0.08);
      // A genuine mixture of base classifiers with weights summing to 1.
      const w = egr.mixtureWeights;
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    }
  });

  it('under EqualizedOdds cuts the equalized-odds gap', () => {
    const plain = lr();
    plain.fit(train.X, train.y, { seed: 1 });
    const r0 = groupRates(test.y, labels(plain.predictProba(test.X)), test.prot);
    const egr = new ExponentiatedGradientReduction({
      constraint: EgrConstraint.EqualizedOdds,
      createModel: lr,
      maxIter: 50,
      runLinprogStep: true,
    });
    egr.fit(train.X, train.y, train.prot, { seed: 1 });
    const r1 = groupRates(test.y, labels(egr.predictProba(test.X, test.prot)), test.prot);
    expect(eqOddsGap(r0)).toBeGreaterThan(0.15);
    expect(eqOddsGap(r1)).toBeLessThan(0.5 * eqOddsGap(r0));
    // With the LP step the game stops early: the duality gap fell below ν.
    const info = egr.info;
    expect(info && info.bestGap <= info.nu).toBe(true);
  });

  it('is deterministic, restricts training to rows, and round-trips through JSON', () => {
    const opts = {
      constraint: EgrConstraint.DemographicParity,
      createModel: lr,
      maxIter: 20,
      runLinprogStep: true,
    };
    const a = new ExponentiatedGradientReduction(opts);
    const b = new ExponentiatedGradientReduction(opts);
    a.fit(train.X, train.y, train.prot, { seed: 5 });
    b.fit(train.X, train.y, train.prot, { seed: 5 });
    const pa = Array.from(a.predictProba(test.X, test.prot));
    expect(Array.from(b.predictProba(test.X, test.prot))).toEqual(pa);
    // rows = the first half ≡ training on the first half.
    const half = take(train, 0, 500);
    const c = new ExponentiatedGradientReduction(opts);
    const d = new ExponentiatedGradientReduction(opts);
    c.fit(train.X, train.y, train.prot, { seed: 5, rows: Uint32Array.from({ length: 500 }, (_, i) => i) });
    d.fit(half.X, half.y, half.prot, { seed: 5 });
    const pc = c.predictProba(test.X, test.prot);
    const pd = d.predictProba(test.X, test.prot);
    for (let i = 0; i < pc.length; i++) expect(pc[i]).toBeCloseTo(pd[i], 9);
    const back = ExponentiatedGradientReduction.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), fromJSON);
    expect(Array.from(back.predictProba(test.X, test.prot))).toEqual(pa);
  });

  it('appends the protected column for the base model when drop_prot_attr is false', () => {
    const seen: number[] = [];
    const spy = (): Classifier => {
      const m = lr();
      return {
        kind: m.kind,
        fit: (X, y, o) => {
          seen.push(X.nCols);
          m.fit(X, y, o);
        },
        predictProba: (X) => m.predictProba(X),
        toJSON: () => m.toJSON(),
      };
    };
    const e = new ExponentiatedGradientReduction({
      constraint: EgrConstraint.DemographicParity,
      createModel: spy,
      maxIter: 6,
      runLinprogStep: true,
      dropProtAttr: false,
    });
    e.fit(train.X, train.y, train.prot, { seed: 1 });
    expect(new Set(seen)).toEqual(new Set([train.X.nCols + 1]));
    expect(e.predictProba(test.X, test.prot).length).toBe(test.X.nRows);
  });

  it('picks its constraint from the objectives as SPEC §2.4 and needs a model', () => {
    expect(egrConstraintFor(['F1', 'Selection_Rate_Difference'])).toBe('DemographicParity');
    expect(egrConstraintFor(['disparate_impact'])).toBe('DemographicParity');
    expect(egrConstraintFor(['Statistical_Parity_Difference'])).toBe('EqualizedOdds');
    expect(egrConstraintFor([])).toBe('EqualizedOdds');
    expect(
      () =>
        new ExponentiatedGradientReduction({
          constraint: EgrConstraint.EqualizedOdds,
          createModel: undefined as unknown as () => Classifier,
          maxIter: 50,
          runLinprogStep: true,
        }),
    ).toThrow(expect.objectContaining({ code: FairnessErrorCode.MissingModel }));
  });
});
