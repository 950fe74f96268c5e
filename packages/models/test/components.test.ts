import { ComponentRegistry, Stage, defaultConfiguration, sampleConfiguration, Rng } from '@virnyflow/core';
import { describe, expect, it } from 'vitest';
import { createClassifier, fromJSON, modelComponents } from '../src/components';
import { synthetic, thrownCode } from './helpers';

describe('modelComponents', () => {
  it('registers the model stage with the search spaces of SPEC §2.2', () => {
    const reg = new ComponentRegistry().registerAll(modelComponents);
    expect(reg.names(Stage.Model)).toEqual(['dt_clf', 'lr_clf', 'rf_clf', 'mlp_clf', 'xgb_clf', 'lgbm_clf']);
    const space = (name: string): unknown => reg.get(Stage.Model, name).space.params;
    expect(space('dt_clf')).toEqual([
      { type: 'categorical', name: 'criterion', choices: ['gini', 'entropy'], default: 'gini' },
      { type: 'int', name: 'max_depth', lower: 1, upper: 10, log: false, default: 3 },
      { type: 'int', name: 'min_samples_split', lower: 2, upper: 20, log: false, default: 2 },
      { type: 'int', name: 'min_samples_leaf', lower: 1, upper: 20, log: false, default: 1 },
    ]);
    expect(space('lr_clf')).toEqual([
      { type: 'categorical', name: 'penalty', choices: ['l2', null], default: 'l2' },
      { type: 'categorical', name: 'C', choices: [0.001, 0.01, 0.1, 1], default: 0.001 },
      {
        type: 'categorical',
        name: 'solver',
        choices: ['newton-cg', 'lbfgs', 'sag', 'saga'],
        default: 'newton-cg',
      },
    ]);
    expect(space('rf_clf')).toEqual([
      { type: 'int', name: 'n_estimators', lower: 50, upper: 1000, q: 50, log: false, default: 525 },
      {
        type: 'categorical',
        name: 'max_depth',
        choices: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, null],
        default: 10,
      },
      { type: 'int', name: 'min_samples_split', lower: 2, upper: 10, q: 1, log: false, default: 6 },
      { type: 'int', name: 'min_samples_leaf', lower: 1, upper: 5, q: 1, log: false, default: 3 },
      { type: 'categorical', name: 'bootstrap', choices: [true, false], default: true },
    ]);
    expect(space('mlp_clf')).toEqual([
      { type: 'categorical', name: 'activation', choices: ['logistic', 'tanh', 'relu'], default: 'logistic' },
      { type: 'categorical', name: 'solver', choices: ['lbfgs', 'sgd', 'adam'], default: 'lbfgs' },
      {
        type: 'categorical',
        name: 'learning_rate',
        choices: ['constant', 'invscaling', 'adaptive'],
        default: 'constant',
      },
    ]);
    expect(space('xgb_clf')).toEqual([
      { type: 'int', name: 'max_depth', lower: 1, upper: 10, log: false, default: 3 },
      { type: 'float', name: 'learning_rate', lower: 0.01, upper: 1, log: true, default: 0.1 },
      { type: 'int', name: 'n_estimators', lower: 50, upper: 500, log: false, default: 100 },
      { type: 'float', name: 'subsample', lower: 0.01, upper: 1, log: false, default: 1 },
      { type: 'int', name: 'min_child_weight', lower: 1, upper: 20, log: false, default: 1 },
    ]);
    const lgbm = space('lgbm_clf') as { name: string; choices?: number[]; default: unknown }[];
    expect(lgbm.map((p) => p.name)).toEqual(['n_estimators', 'max_depth', 'num_leaves', 'min_data_in_leaf']);
    expect(lgbm[0]).toMatchObject({ lower: 50, upper: 1000, q: 50, default: 525 });
    expect(lgbm[1].choices).toEqual([3, 4, 5, 6, 7, 8, 9, -1]);
    // int(linspace(20, 3000, 20))
    const linspace = Array.from({ length: 20 }, (_, k) => Math.trunc(20 + (k * (3000 - 20)) / 19));
    expect(lgbm[2].choices).toEqual(linspace);
    expect(lgbm[3]).toMatchObject({ lower: 100, upper: 1000, q: 50, default: 550 });
  });

  it('creates every model from its default and from sampled configurations; same seed, same model', () => {
    const { X, y } = synthetic(300, 4, 1);
    const rng = new Rng(3);
    for (const def of modelComponents) {
      const configs = [defaultConfiguration(def.space), sampleConfiguration(def.space, rng)];
      for (const config of configs) {
        // Keep the expensive ones small: this checks wiring, not quality.
        const small = { ...config };
        if ('n_estimators' in small) small.n_estimators = 3;
        if (def.name === 'mlp_clf') Object.assign(small, { hidden_layer_sizes: [4], max_iter: 3 });
        const a = def.create(small, 42);
        a.fit(X, y, { seed: 7 });
        const b = def.create(small, 42);
        b.fit(X, y, { seed: 7 });
        expect(a.kind).toBe(def.name);
        const ja = JSON.stringify(a.toJSON());
        expect(JSON.stringify(b.toJSON()), def.name).toBe(ja);
        const p = a.predictProba(X);
        expect(p.length).toBe(300);
        expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
        const back = fromJSON(JSON.parse(ja));
        expect(back.kind).toBe(def.name);
        expect(Array.from(back.predictProba(X))).toEqual(Array.from(p));
      }
    }
  });

  it('accepts Float32Array matrices (same model as the Float64 copy of the same values)', () => {
    const { X, y } = synthetic(300, 4, 2);
    const X32 = { data: Float32Array.from(X.data), nRows: X.nRows, nCols: X.nCols };
    for (const def of modelComponents) {
      const params = def.name === 'mlp_clf' ? { hidden_layer_sizes: [4], max_iter: 3 } : { n_estimators: 3 };
      const own =
        def.space.params.some((p) => p.name === 'n_estimators') || def.name === 'mlp_clf' ? params : {};
      const a = def.create(own, 1);
      a.fit(X, y, { seed: 2 });
      const b = def.create(own, 1);
      b.fit(X32, y, { seed: 2 });
      expect(Array.from(b.predictProba(X32)), def.name).toEqual(Array.from(a.predictProba(X)));
    }
  });

  it('fromJSON fails with stable codes', () => {
    expect(thrownCode(() => fromJSON({ kind: 'svc_clf', version: 1 }))).toBe('VF_MODEL_UNKNOWN_KIND');
    expect(thrownCode(() => createClassifier('svc_clf', {}, 0))).toBe('VF_MODEL_UNKNOWN_KIND');
    expect(createClassifier('rf_clf', { n_estimators: 5 }, 3).kind).toBe('rf_clf');
    expect(thrownCode(() => fromJSON(null))).toBe('VF_MODEL_BAD_JSON');
    expect(thrownCode(() => fromJSON({ kind: 'dt_clf', version: 99 }))).toBe('VF_MODEL_VERSION');
    expect(
      thrownCode(() => fromJSON({ kind: 'dt_clf', version: 1, params: {}, seed: 0, nFeatures: 1, tree: {} })),
    ).toBe('VF_MODEL_BAD_JSON');
    expect(
      thrownCode(() =>
        fromJSON({
          kind: 'dt_clf',
          version: 1,
          params: {},
          seed: 0,
          nFeatures: 1,
          tree: {
            feature: [0, -1],
            threshold: [0, 0],
            left: [1, -1],
            right: [0, -1],
            missingLeft: [0, 0],
            value: [0, 1],
          },
        }),
      ),
    ).toBe('VF_MODEL_BAD_JSON');
  });
});
