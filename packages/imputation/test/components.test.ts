import { ComponentRegistry, SearchSpaceErrorCode, Stage, defaultConfiguration } from '@virnyflow/core';
import type { HyperParameter } from '@virnyflow/core';
import { dataComponents } from '@virnyflow/data';
import type { ImputerFactory } from '@virnyflow/data';
import { describe, expect, it } from 'vitest';
import { KMeansImputer, KnnImputer, MissForestImputer, imputationComponents } from '../src/index';

/** A parameter as a compact tuple: name, type, range or choices, q, default. */
function shape(p: HyperParameter): unknown[] {
  switch (p.type) {
    case 'int':
    case 'float':
      return [p.name, p.type, p.lower, p.upper, p.q ?? null, p.log, p.default];
    case 'categorical':
      return [p.name, p.type, p.choices, p.default];
    case 'constant':
      return [p.name, p.type, p.value];
  }
}

const byName = (name: string) => imputationComponents.find((c) => c.name === name)!;

describe('imputationComponents', () => {
  it('are the three imputers of stage null_imputation, registrable next to the simple ones', () => {
    expect(imputationComponents.map((c) => [c.stage, c.name])).toEqual([
      [Stage.NullImputation, 'miss_forest'],
      [Stage.NullImputation, 'k_means_clustering'],
      [Stage.NullImputation, 'knn'],
    ]);
    const registry = new ComponentRegistry().registerAll(dataComponents).registerAll(imputationComponents);
    expect(registry.names(Stage.NullImputation)).toEqual([
      'None',
      'deletion',
      'median-mode',
      'median-dummy',
      'miss_forest',
      'k_means_clustering',
      'knn',
    ]);
  });

  it('miss_forest has the SPEC §2.3 space for both forests (int default not snapped to q)', () => {
    const forest = (e: string) => [
      [`${e}__n_estimators`, 'int', 50, 200, 50, false, 125],
      [`${e}__max_depth`, 'categorical', [10, 25, 50, 75, 100, null], 10],
      [`${e}__min_samples_split`, 'categorical', [2, 5, 10], 2],
      [`${e}__min_samples_leaf`, 'categorical', [1, 2, 4], 1],
      [`${e}__bootstrap`, 'categorical', [true, false], true],
    ];
    expect(byName('miss_forest').space.params.map(shape)).toEqual([
      ...forest('RandomForestClassifier'),
      ...forest('RandomForestRegressor'),
    ]);
  });

  it('k_means_clustering and knn have their spaces', () => {
    expect(byName('k_means_clustering').space.params.map(shape)).toEqual([
      ['n_clusters', 'int', 2, 10, 1, false, 6],
      ['max_iter', 'categorical', [100, 200], 100],
      ['init', 'categorical', ['Huang', 'Cao', 'random'], 'Huang'],
      ['n_init', 'categorical', [1, 5, 10], 1],
    ]);
    expect(byName('knn').space.params.map(shape)).toEqual([
      ['n_neighbors', 'int', 1, 20, null, false, 5],
      ['weights', 'categorical', ['uniform', 'distance'], 'uniform'],
    ]);
  });

  it('factories build the imputers from a configuration (defaults filled) and reject foreign values', () => {
    const ctx = { seed: 101, datasetName: 'demo' };
    const create = (name: string) => byName(name).create as ImputerFactory;
    expect(create('miss_forest')({}, ctx)).toBeInstanceOf(MissForestImputer);
    expect(
      create('k_means_clustering')(defaultConfiguration(byName('k_means_clustering').space), ctx),
    ).toBeInstanceOf(KMeansImputer);
    expect(create('knn')({ n_neighbors: 3, weights: 'distance' }, ctx)).toBeInstanceOf(KnnImputer);
    expect(() => create('knn')({ n_neighbors: 30 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
    expect(() => create('miss_forest')({ RandomForestClassifier__max_depth: 7 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
    expect(() => create('k_means_clustering')({ n_clusters: 4, gamma: 1 }, ctx)).toThrow(
      expect.objectContaining({ code: SearchSpaceErrorCode.BadConfiguration }),
    );
  });
});
