/**
 * `rf_clf` — scikit-learn's `RandomForestClassifier`: `n_estimators` CART trees, each on a bootstrap sample
 * (n draws with replacement, folded into per-row weights = draws × sample weight, as scikit-learn does)
 * with `max_features` features drawn at every node; `predictProba` averages the trees' leaf probabilities.
 *
 * Tree t draws from `Rng(hashSeeds(seed, fitSeed, t))`, so trees are independent of each other's
 * consumption and of the order they are built in. All trees share the one cached binning of X.
 *
 * As in scikit-learn, `min_samples_*` count distinct rows of the bootstrap sample; with `rows`, a row
 * listed twice in `rows` is one row that may be drawn twice.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import { binMatrix } from './binning';
import type { CartParams } from './cart';
import { CartGrower, Criterion } from './cart';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from './classifier';
import type { MaxFeatures } from './max-features';
import { readMaxFeatures, resolveMaxFeatures } from './max-features';
import { checkDocument, jsonArray, jsonNumber, jsonParams, notFitted } from './model-json';
import type { RawParams } from './params';
import { ParamReader } from './params';
import { checkPredictShape, drawIndex, resolveSample } from './sample';
import type { Tree } from './tree';
import { addTreeOutputs, treeFromJson, treeToJson } from './tree';

export const RF_KIND = 'rf_clf';
const VERSION = 1;

export interface ResolvedRandomForestOptions {
  readonly nEstimators: number;
  readonly criterion: Criterion;
  /** Infinity when unlimited (`max_depth: null`). */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: MaxFeatures;
  readonly bootstrap: boolean;
  readonly maxBins: number;
}

export function resolveRandomForestOptions(params: RawParams): ResolvedRandomForestOptions {
  const r = new ParamReader(RF_KIND, params);
  const o: ResolvedRandomForestOptions = {
    nEstimators: r.int('n_estimators', 100, 1),
    criterion: r.choice<Criterion>('criterion', Criterion.Gini, [Criterion.Gini, Criterion.Entropy]),
    maxDepth: r.int('max_depth', Infinity, 1, Infinity, Infinity),
    minSamplesSplit: r.int('min_samples_split', 2, 2),
    minSamplesLeaf: r.int('min_samples_leaf', 1, 1),
    maxFeatures: readMaxFeatures(r, 'sqrt'),
    bootstrap: r.bool('bootstrap', true),
    maxBins: r.int('max_bins', 255, 2, 255),
  };
  r.done();
  return o;
}

export class RandomForestClassifier implements Classifier {
  readonly kind = RF_KIND;
  readonly options: ResolvedRandomForestOptions;
  private trees: Tree[] | null = null;
  private nFeatures = 0;

  /** `seed` plays scikit-learn's `random_state`; it is mixed with `FitOptions.seed`. */
  constructor(
    params: RawParams = {},
    readonly seed = 0,
  ) {
    this.options = resolveRandomForestOptions(params);
  }

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const s = resolveSample(X, y, options, this.kind);
    const o = this.options;
    const cart: CartParams = {
      criterion: o.criterion,
      maxDepth: o.maxDepth,
      minSamplesSplit: o.minSamplesSplit,
      minSamplesLeaf: o.minSamplesLeaf,
      maxFeatures: resolveMaxFeatures(o.maxFeatures, X.nCols, this.kind),
    };
    const n = X.nRows;
    const grower = new CartGrower(binMatrix(X, o.maxBins), y);
    const seed = hashSeeds(this.seed, options.seed);
    const trees: Tree[] = [];
    // The population bootstrap samples are drawn from: `rows` as given (duplicates and all), or every row.
    const population = options.rows ?? null;
    const nDraws = population ? population.length : n;
    const sw = options.sampleWeight;
    const draws = new Float64Array(n);
    const weight = new Float64Array(n);
    const ones = new Float64Array(n).fill(1);
    const rows = new Uint32Array(n);
    for (let t = 0; t < o.nEstimators; t++) {
      const rng = new Rng(hashSeeds(seed, t));
      if (!o.bootstrap) {
        trees.push(grower.grow(s.weight, s.count, s.active, cart, rng));
        continue;
      }
      draws.fill(0);
      if (population) for (let k = 0; k < nDraws; k++) draws[population[drawIndex(rng, nDraws)]] += 1;
      else for (let k = 0; k < nDraws; k++) draws[drawIndex(rng, nDraws)] += 1;
      let m = 0;
      for (let r = 0; r < n; r++) {
        const wr = draws[r] * (sw ? sw[r] : 1);
        weight[r] = wr;
        if (wr > 0) rows[m++] = r;
      }
      // A sample with no positive weight (possible only with zero sample weights) gives a constant tree.
      if (m === 0) {
        trees.push(grower.grow(s.weight, s.count, s.active, { ...cart, maxDepth: 0 }, rng));
        continue;
      }
      trees.push(grower.grow(weight, ones, rows.subarray(0, m), cart, rng));
    }
    this.trees = trees;
    this.nFeatures = X.nCols;
  }

  predictProba(X: DenseMatrix): Float64Array {
    const trees = this.trees ?? notFitted(this.kind, 'predictProba');
    checkPredictShape(X, this.nFeatures, this.kind);
    const out = new Float64Array(X.nRows);
    for (const t of trees) addTreeOutputs(t, X, out);
    const inv = 1 / trees.length;
    for (let i = 0; i < out.length; i++) out[i] *= inv;
    return out;
  }

  /** The fitted trees (read-only views; do not mutate). */
  get fittedTrees(): readonly Tree[] {
    return this.trees ?? notFitted(this.kind, 'fittedTrees');
  }

  toJSON(): SerializedModel {
    const trees = this.trees ?? notFitted(this.kind, 'toJSON');
    const o = this.options;
    return {
      kind: this.kind,
      version: VERSION,
      params: {
        n_estimators: o.nEstimators,
        criterion: o.criterion,
        max_depth: o.maxDepth === Infinity ? null : o.maxDepth,
        min_samples_split: o.minSamplesSplit,
        min_samples_leaf: o.minSamplesLeaf,
        max_features: o.maxFeatures,
        bootstrap: o.bootstrap,
        max_bins: o.maxBins,
      },
      seed: this.seed,
      nFeatures: this.nFeatures,
      trees: trees.map(treeToJson),
    };
  }

  static fromJSON(json: unknown): RandomForestClassifier {
    const doc = checkDocument(json, RF_KIND, VERSION);
    const m = new RandomForestClassifier(jsonParams(doc, RF_KIND), jsonNumber(doc, 'seed', RF_KIND));
    m.nFeatures = jsonNumber(doc, 'nFeatures', RF_KIND);
    const trees = jsonArray(doc, 'trees', RF_KIND);
    m.trees = trees.map((t, i) => treeFromJson(t, m.nFeatures, `${RF_KIND}.trees[${i}]`));
    return m;
  }
}
