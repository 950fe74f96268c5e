/**
 * The advanced null imputers as components of stage `null_imputation`, with VirnyFlow's search spaces
 * (SPEC §2.3; names without the `mvi__` prefix). `knn` is ours: VirnyFlow has no k-NN imputer, so its space
 * is `n_neighbors` int 1–20 (default 5) and `weights` {uniform, distance}.
 *
 * Factories take a configuration of the space (missing names get their defaults, anything else is
 * rejected with `VF_SPACE_BAD_CONFIGURATION`) and the imputer context (its seed is the experiment seed).
 */
import {
  Stage,
  categorical,
  defaultConfiguration,
  int,
  searchSpace,
  validateConfiguration,
} from '@virnyflow/core';
import type { ComponentDefinition, Configuration, HyperParameter, SearchSpace } from '@virnyflow/core';
import type { ImputerFactory } from '@virnyflow/data';
import { K_MEANS_CLUSTERING, KMeansImputer } from './k-means-imputer';
import type { KPrototypesInit } from './k-prototypes';
import { KNN, KnnImputer } from './knn-imputer';
import type { KnnWeights } from './knn-imputer';
import { MISS_FOREST, MissForestImputer } from './miss-forest';
import type { RandomForestParams } from './miss-forest';

export const ImputationName = {
  MissForest: MISS_FOREST,
  KMeansClustering: K_MEANS_CLUSTERING,
  Knn: KNN,
} as const;
export type ImputationName = (typeof ImputationName)[keyof typeof ImputationName];

/** The five tuned `RandomForest*` hyper-parameters, under `<estimator>__`. */
function forestParams(estimator: string): HyperParameter[] {
  return [
    int(`${estimator}__n_estimators`, 50, 200, { q: 50 }),
    categorical(`${estimator}__max_depth`, [10, 25, 50, 75, 100, null]),
    categorical(`${estimator}__min_samples_split`, [2, 5, 10]),
    categorical(`${estimator}__min_samples_leaf`, [1, 2, 4]),
    categorical(`${estimator}__bootstrap`, [true, false]),
  ];
}

export const MISS_FOREST_SPACE = searchSpace([
  ...forestParams('RandomForestClassifier'),
  ...forestParams('RandomForestRegressor'),
]);

export const K_MEANS_CLUSTERING_SPACE = searchSpace([
  int('n_clusters', 2, 10, { q: 1 }),
  categorical('max_iter', [100, 200]),
  categorical('init', ['Huang', 'Cao', 'random']),
  categorical('n_init', [1, 5, 10]),
]);

export const KNN_SPACE = searchSpace([
  int('n_neighbors', 1, 20, { default: 5 }),
  categorical('weights', ['uniform', 'distance']),
]);

/** Fills missing parameters with their defaults and validates (throws `VF_SPACE_BAD_CONFIGURATION`). */
export function resolveImputerParams(space: SearchSpace, params: Configuration): Configuration {
  const full = { ...defaultConfiguration(space), ...params };
  validateConfiguration(space, full);
  return full;
}

function readForest(c: Configuration, estimator: string): RandomForestParams {
  return {
    nEstimators: c[`${estimator}__n_estimators`] as number,
    maxDepth: c[`${estimator}__max_depth`] as number | null,
    minSamplesSplit: c[`${estimator}__min_samples_split`] as number,
    minSamplesLeaf: c[`${estimator}__min_samples_leaf`] as number,
    bootstrap: c[`${estimator}__bootstrap`] as boolean,
  };
}

const createMissForest: ImputerFactory = (params, ctx) => {
  const c = resolveImputerParams(MISS_FOREST_SPACE, params);
  return new MissForestImputer({
    classifier: readForest(c, 'RandomForestClassifier'),
    regressor: readForest(c, 'RandomForestRegressor'),
    seed: ctx.seed,
  });
};

const createKMeans: ImputerFactory = (params, ctx) => {
  const c = resolveImputerParams(K_MEANS_CLUSTERING_SPACE, params);
  return new KMeansImputer({
    nClusters: c.n_clusters as number,
    maxIter: c.max_iter as number,
    init: c.init as KPrototypesInit,
    nInit: c.n_init as number,
    seed: ctx.seed,
  });
};

const createKnn: ImputerFactory = (params) => {
  const c = resolveImputerParams(KNN_SPACE, params);
  return new KnnImputer({ nNeighbors: c.n_neighbors as number, weights: c.weights as KnnWeights });
};

/** The advanced imputers, ready for `ComponentRegistry.registerAll` next to the data package's ones. */
export const imputationComponents: readonly ComponentDefinition<ImputerFactory>[] = [
  {
    stage: Stage.NullImputation,
    name: MISS_FOREST,
    description:
      'MissForest: iterative random-forest imputation (mean/mode start, columns by ascending null count, ' +
      'until the change stops decreasing or 10 passes); test rows replay the stored forests.',
    space: MISS_FOREST_SPACE,
    create: createMissForest,
  },
  {
    stage: Stage.NullImputation,
    name: K_MEANS_CLUSTERING,
    description:
      'Cluster imputation: k-prototypes (k-modes without numeric columns) on the complete columns; ' +
      'cluster mean for numeric cells, cluster mode for categorical ones.',
    space: K_MEANS_CLUSTERING_SPACE,
    create: createKMeans,
  },
  {
    stage: Stage.NullImputation,
    name: KNN,
    description:
      'k-nearest-neighbour imputation: standardised numeric distance plus categorical mismatches over the ' +
      'columns both rows observe; mean / vote of the k nearest training rows that observe the column.',
    space: KNN_SPACE,
    create: createKnn,
  },
];
