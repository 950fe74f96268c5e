import { describe, expect, it } from 'vitest';
import {
  ComponentRegistry,
  SearchSpaceErrorCode,
  Stage,
  defaultConfiguration,
  sampleConfiguration,
  Rng,
} from '@virnyflow/core';
import type {
  FairnessInterventionFactory,
  AdversarialDebiasing,
  DisparateImpactRemover,
  ExponentiatedGradientReduction,
} from '@virnyflow/fairness';
import {
  FairnessErrorCode,
  fairnessComponents,
  fairnessFromJSON,
  InterventionPhase,
} from '@virnyflow/fairness';
import { fromJSON } from '@virnyflow/models';
import { TestLogisticRegression, biasedData } from './helpers';

const byName = (name: string) => {
  const d = fairnessComponents.find((c) => c.name === name);
  if (!d) throw new Error(`missing ${name}`);
  return d;
};

describe('fairnessComponents', () => {
  it('registers every intervention in the fairness stage', () => {
    const reg = new ComponentRegistry().registerAll(fairnessComponents);
    expect(reg.names(Stage.FairnessIntervention).sort()).toEqual(
      ['AD', 'DIR', 'EGR', 'EOP', 'LFR', 'ROC', 'Reweighing'].sort(),
    );
    for (const d of fairnessComponents) expect(d.stage).toBe('fairness_intervention');
  });

  it('has the search spaces of SPEC §2.4 exactly', () => {
    const strip = (name: string) =>
      byName(name).space.params.map((p) => {
        const o: Record<string, unknown> = { ...p };
        if (o.log === false) delete o.log;
        return o;
      });
    expect(strip('DIR')).toEqual([
      { type: 'float', name: 'repair_level', lower: 0.1, upper: 1.0, default: 0.55 },
    ]);
    expect(strip('LFR')).toEqual([
      { type: 'categorical', name: 'k', choices: [5], default: 5 },
      { type: 'categorical', name: 'Ax', choices: [0.01], default: 0.01 },
      { type: 'categorical', name: 'Ay', choices: [0.1, 0.5, 1, 5, 10], default: 0.1 },
      { type: 'categorical', name: 'Az', choices: [0, 0.1, 0.5, 1, 5, 10], default: 0 },
    ]);
    expect(strip('AD')).toEqual([
      {
        type: 'constant',
        name: 'scope_name',
        value: 'adversarial_debiasing',
        default: 'adversarial_debiasing',
      },
      { type: 'float', name: 'adversary_loss_weight', lower: 0.1, upper: 0.5, default: 0.3 },
      { type: 'int', name: 'num_epochs', lower: 50, upper: 100, q: 10, default: 75 },
      { type: 'categorical', name: 'batch_size', choices: [64, 128, 256], default: 64 },
      { type: 'categorical', name: 'classifier_num_hidden_units', choices: [100, 200, 300], default: 100 },
      { type: 'categorical', name: 'debias', choices: [true], default: true },
    ]);
    expect(strip('EGR')).toEqual([
      { type: 'int', name: 'max_iter', lower: 50, upper: 100, q: 10, default: 75 },
      { type: 'categorical', name: 'run_linprog_step', choices: [true, false], default: true },
      { type: 'categorical', name: 'drop_prot_attr', choices: [true], default: true },
    ]);
    expect(strip('EOP')).toEqual([]);
    expect(strip('Reweighing')).toEqual([]);
    const roc = strip('ROC');
    expect(roc.map((p) => p.name)).toEqual([
      'low_class_thresh',
      'high_class_thresh',
      'num_class_thresh',
      'num_ROC_margin',
      'metric_name',
      'metric_ub',
      'metric_lb',
    ]);
    expect(roc[0]).toMatchObject({ type: 'float', lower: 0.01, upper: 0.1 });
    expect(roc[1]).toMatchObject({ type: 'float', lower: 0.9, upper: 0.99 });
    expect(roc[2]).toMatchObject({ type: 'int', lower: 50, upper: 100, q: 10, default: 75 });
    expect(roc[3]).toMatchObject({ type: 'int', lower: 20, upper: 50, q: 5, default: 35 });
    expect(roc[4]).toMatchObject({
      type: 'categorical',
      choices: ['Statistical parity difference', 'Average odds difference', 'Equal opportunity difference'],
    });
    expect(roc[5]).toMatchObject({ type: 'float', lower: 0.05, upper: 0.1 });
    expect(roc[6]).toMatchObject({ type: 'float', lower: -0.1, upper: -0.05 });
  });

  it('builds each intervention from a configuration of its space, with the phase the engine composes by', () => {
    const ctx = { seed: 1, objectiveMetrics: ['F1'], createModel: () => new TestLogisticRegression() };
    const phases: Record<string, string> = {
      DIR: InterventionPhase.Pre,
      LFR: 'pre',
      Reweighing: 'pre',
      AD: 'in',
      EGR: 'in',
      EOP: 'post',
      ROC: 'post',
    };
    const rng = new Rng(3);
    for (const d of fairnessComponents) {
      const create = d.create as FairnessInterventionFactory;
      expect(create(defaultConfiguration(d.space), ctx).phase).toBe(phases[d.name]);
      expect(create(sampleConfiguration(d.space, rng), ctx).name).toBe(d.name);
      // Missing parameters take their defaults.
      expect(create({}, ctx).phase).toBe(phases[d.name]);
    }
    const dir = byName('DIR').create({ repair_level: 0.3 }, ctx) as DisparateImpactRemover;
    expect(dir.repairLevel).toBe(0.3);
    const ad = byName('AD').create({ num_epochs: 60, batch_size: 128 }, ctx) as AdversarialDebiasing;
    expect(ad.options).toMatchObject({
      numEpochs: 60,
      batchSize: 128,
      debias: true,
      classifierNumHiddenUnits: 100,
    });
    const egr = byName('EGR').create(
      {},
      { ...ctx, objectiveMetrics: ['Disparate_Impact'] },
    ) as ExponentiatedGradientReduction;
    expect(egr.constraint).toBe('DemographicParity');
    expect(egr.maxIter).toBe(75);
  });

  it('rejects out-of-space values and a missing model with stable codes', () => {
    const ctx = { seed: 1 };
    expect(() => byName('DIR').create({ repair_level: 2 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
    expect(() => byName('AD').create({ batch_size: 100 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
    expect(() => byName('ROC').create({ bogus: 1 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
    expect(() => byName('EGR').create({}, ctx)).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.MissingModel }),
    );
  });

  it('restores every fitted intervention through fairnessFromJSON', () => {
    const ds = biasedData(300, 4);
    const ctx = {
      seed: 1,
      objectiveMetrics: ['F1'],
      createModel: () => new TestLogisticRegression(),
    };
    const scores = new TestLogisticRegression();
    scores.fit(ds.X, ds.y, { seed: 0 });
    const s = scores.predictProba(ds.X);
    const lrDef = (d: { kind: string }) =>
      d.kind === 'test_lr' ? TestLogisticRegression.fromJSON(d as never) : fromJSON(d);
    for (const d of fairnessComponents) {
      const params: Record<string, number> =
        d.name === 'AD' ? { num_epochs: 50, batch_size: 256 } : d.name === 'EGR' ? { max_iter: 50 } : {};
      const it = (d.create as FairnessInterventionFactory)(params, ctx);
      let out: ArrayLike<number>;
      let again: ArrayLike<number>;
      const back = (x: typeof it) =>
        fairnessFromJSON(JSON.parse(JSON.stringify(x.toJSON())), { loadModel: lrDef });
      if (it.phase === 'pre') {
        it.fit(ds.X, ds.y, ds.prot, { seed: 2 });
        out = it.transform(ds.X, ds.prot, ds.y).X.data;
        const b = back(it);
        if (b.phase !== 'pre') throw new Error('phase');
        again = b.transform(ds.X, ds.prot, ds.y).X.data;
      } else if (it.phase === 'in') {
        it.fit(ds.X, ds.y, ds.prot, { seed: 2 });
        out = it.predictProba(ds.X, ds.prot);
        const b = back(it);
        if (b.phase !== 'in') throw new Error('phase');
        again = b.predictProba(ds.X, ds.prot);
      } else {
        it.fit(s, ds.y, ds.prot, { seed: 2 });
        out = it.predictLabels(s, ds.prot);
        const b = back(it);
        if (b.phase !== 'post') throw new Error('phase');
        again = b.predictLabels(s, ds.prot);
      }
      expect(Array.from(again)).toEqual(Array.from(out));
    }
    expect(() => fairnessFromJSON({ kind: 'nope', version: 1 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.BadSerialized }),
    );
    expect(() => fairnessFromJSON({ kind: 'DIR', version: 99 })).toThrow(
      expect.objectContaining({ code: FairnessErrorCode.BadSerialized }),
    );
  });
});
