import { describe, expect, it } from 'vitest';
import { Rng } from '@virnyflow/core';
import { LearningFairRepresentations, LfrObjective } from '@virnyflow/fairness';
import { TestLogisticRegression, auc, biasedData, take } from './helpers';

describe('LearningFairRepresentations', () => {
  it('has an analytic gradient that matches central finite differences', () => {
    const ds = biasedData(60, 3);
    let n0 = 0;
    for (const g of ds.prot) n0 += g === 0 ? 1 : 0;
    const k = 4;
    const d = ds.X.nCols;
    const obj = new LfrObjective(ds.X, ds.y, ds.prot, n0, 60 - n0, { k, Ax: 0.7, Ay: 1.3, Az: 2.1 });
    const rng = new Rng(5);
    const p = Float64Array.from({ length: k + k * d }, () => rng.normal());
    const g = new Float64Array(p.length);
    obj.evaluate(p, g);
    const scratch = new Float64Array(p.length);
    const h = 1e-6;
    for (let i = 0; i < p.length; i++) {
      const save = p[i];
      p[i] = save + h;
      const fp = obj.evaluate(p, scratch);
      p[i] = save - h;
      const fm = obj.evaluate(p, scratch);
      p[i] = save;
      const fd = (fp - fm) / (2 * h);
      expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('produces a representation from which the group is harder to predict than from the raw features', () => {
    const all = biasedData(1200, 1, 1.0, 0.4);
    const train = take(all, 0, 800);
    const test = take(all, 800, 1200);
    const lfr = new LearningFairRepresentations({ k: 5, Ax: 0.01, Ay: 0.1, Az: 10, maxIter: 400 });
    lfr.fit(train.X, train.y, train.prot, { seed: 42 });
    const repTrain = lfr.transform(train.X, train.prot).X;
    const repTest = lfr.transform(test.X, test.prot).X;
    expect(repTest.nCols).toBe(test.X.nCols);
    // A group classifier trained on the raw features vs on the representation, scored on held-out rows.
    const groupAuc = (Xtr: typeof train.X, Xte: typeof test.X) => {
      const m = new TestLogisticRegression();
      m.fit(Xtr, train.prot, { seed: 0 });
      return auc(m.predictProba(Xte), test.prot);
    };
    const raw = groupAuc(train.X, test.X);
    const fair = groupAuc(repTrain, repTest);
    expect(raw).toBeGreaterThan(0.95);
    expect(fair).toBeLessThan(0.7);
    // Without the parity term the representation keeps the group information: A_z is what removes it.
    const plain = new LearningFairRepresentations({ k: 5, Ax: 0.01, Ay: 0.1, Az: 0, maxIter: 400 });
    plain.fit(train.X, train.y, train.prot, { seed: 42 });
    const plainAuc = groupAuc(plain.transform(train.X, train.prot).X, plain.transform(test.X, test.prot).X);
    expect(plainAuc).toBeGreaterThan(fair + 0.2);
    expect(Number.isFinite(lfr.lastLoss)).toBe(true);
    expect(lfr.lastIterations).toBeGreaterThan(5);
  });

  it('is deterministic per seed and round-trips through JSON', () => {
    const ds = biasedData(300, 2);
    const opts = { k: 5, Ax: 0.01, Ay: 1, Az: 1, maxIter: 100 };
    const a = new LearningFairRepresentations(opts);
    const b = new LearningFairRepresentations(opts);
    const c = new LearningFairRepresentations(opts);
    a.fit(ds.X, ds.y, ds.prot, { seed: 7 });
    b.fit(ds.X, ds.y, ds.prot, { seed: 7 });
    c.fit(ds.X, ds.y, ds.prot, { seed: 8 });
    const ta = Array.from(a.transform(ds.X, ds.prot).X.data);
    expect(Array.from(b.transform(ds.X, ds.prot).X.data)).toEqual(ta);
    expect(Array.from(c.transform(ds.X, ds.prot).X.data)).not.toEqual(ta);
    const back = LearningFairRepresentations.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.transform(ds.X, ds.prot).X.data)).toEqual(ta);
    const { w } = a.prototypes;
    for (const v of w) expect(v > 0 && v < 1).toBe(true);
  });
});
