/**
 * `dt_clf` — scikit-learn's `DecisionTreeClassifier` (see cart.ts for the exact split semantics).
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import { binMatrix } from './binning';
import type { CartParams } from './cart';
import { CartGrower, Criterion } from './cart';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from './classifier';
import type { MaxFeatures } from './max-features';
import { readMaxFeatures, resolveMaxFeatures } from './max-features';
import { checkDocument, jsonNumber, jsonParams, notFitted } from './model-json';
import type { RawParams } from './params';
import { ParamReader } from './params';
import { checkPredictShape, resolveSample } from './sample';
import type { Tree } from './tree';
import { addTreeOutputs, treeFromJson, treeToJson } from './tree';

export const DT_KIND = 'dt_clf';
const VERSION = 1;

export interface ResolvedDecisionTreeOptions {
  readonly criterion: Criterion;
  /** Infinity when unlimited (`max_depth: null`). */
  readonly maxDepth: number;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly maxFeatures: MaxFeatures;
  readonly maxBins: number;
}

export function resolveDecisionTreeOptions(params: RawParams, kind = DT_KIND): ResolvedDecisionTreeOptions {
  const r = new ParamReader(kind, params);
  const o: ResolvedDecisionTreeOptions = {
    criterion: r.choice<Criterion>('criterion', Criterion.Gini, [Criterion.Gini, Criterion.Entropy]),
    maxDepth: r.int('max_depth', Infinity, 1, Infinity, Infinity),
    minSamplesSplit: r.int('min_samples_split', 2, 2),
    minSamplesLeaf: r.int('min_samples_leaf', 1, 1),
    maxFeatures: readMaxFeatures(r, null),
    maxBins: r.int('max_bins', 255, 2, 255),
  };
  r.done();
  return o;
}

export function cartOptionsToWire(o: ResolvedDecisionTreeOptions): Record<string, unknown> {
  return {
    criterion: o.criterion,
    max_depth: o.maxDepth === Infinity ? null : o.maxDepth,
    min_samples_split: o.minSamplesSplit,
    min_samples_leaf: o.minSamplesLeaf,
    max_features: o.maxFeatures,
    max_bins: o.maxBins,
  };
}

export class DecisionTreeClassifier implements Classifier {
  readonly kind = DT_KIND;
  readonly options: ResolvedDecisionTreeOptions;
  private tree: Tree | null = null;
  private nFeatures = 0;

  /** `seed` plays scikit-learn's `random_state`; it is mixed with `FitOptions.seed`. */
  constructor(
    params: RawParams = {},
    readonly seed = 0,
  ) {
    this.options = resolveDecisionTreeOptions(params);
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
    const grower = new CartGrower(binMatrix(X, o.maxBins), y);
    this.tree = grower.grow(s.weight, s.count, s.active, cart, new Rng(hashSeeds(this.seed, options.seed)));
    this.nFeatures = X.nCols;
  }

  predictProba(X: DenseMatrix): Float64Array {
    const t = this.tree ?? notFitted(this.kind, 'predictProba');
    checkPredictShape(X, this.nFeatures, this.kind);
    const out = new Float64Array(X.nRows);
    addTreeOutputs(t, X, out);
    return out;
  }

  /** Number of nodes of the fitted tree. */
  get nodeCount(): number {
    return this.tree?.feature.length ?? 0;
  }

  /** The fitted tree (read-only view; do not mutate). */
  get fittedTree(): Tree {
    return this.tree ?? notFitted(this.kind, 'fittedTree');
  }

  toJSON(): SerializedModel {
    const t = this.tree ?? notFitted(this.kind, 'toJSON');
    return {
      kind: this.kind,
      version: VERSION,
      params: cartOptionsToWire(this.options),
      seed: this.seed,
      nFeatures: this.nFeatures,
      tree: treeToJson(t),
    };
  }

  static fromJSON(json: unknown): DecisionTreeClassifier {
    const doc = checkDocument(json, DT_KIND, VERSION);
    const m = new DecisionTreeClassifier(jsonParams(doc, DT_KIND), jsonNumber(doc, 'seed', DT_KIND));
    m.nFeatures = jsonNumber(doc, 'nFeatures', DT_KIND);
    m.tree = treeFromJson(doc.tree, m.nFeatures, `${DT_KIND}.tree`);
    return m;
  }
}
