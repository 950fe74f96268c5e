/**
 * Gradient-boosted trees with the logistic loss: `xgb_clf` (XGBoost `hist`, depth-wise) and `lgbm_clf`
 * (LightGBM, leaf-wise). See grad-tree.ts for the tree grower.
 *
 * Raw score F(x) = base + Σ_t η·w_t(x), P(y = 1 | x) = σ(F(x)). The base score is the log-odds of the
 * weighted positive rate (LightGBM's `boost_from_average`; XGBoost ≥ 2 estimates it the same way).
 * Per round, for row i with weight s_i and p_i = σ(F_i):
 *   g_i = s_i (p_i − y_i),   h_i = s_i · max(p_i (1 − p_i), 1e-16)
 * (the clamp is XGBoost's, keeping hessians positive when p saturates). Training keeps the odds o_i = e^{F_i}
 * instead of F_i: a tree multiplies them by e^{leaf value}, one exponential per leaf rather than one per row
 * and round, and p_i = o_i / (1 + o_i).
 *
 * `subsample` < 1 (XGBoost) draws every row independently with that probability each round from
 * `Rng(hashSeeds(seed, fitSeed))`; rows left out are still scored by the new tree through their bins.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import { binMatrix } from './binning';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from './classifier';
import type { GradTreeParams } from './grad-tree';
import { GradTreeGrower, GrowPolicy } from './grad-tree';
import { checkDocument, jsonArray, jsonNumber, jsonParams, notFitted } from './model-json';
import type { RawParams } from './params';
import { ParamReader } from './params';
import { checkPredictShape, resolveSample } from './sample';
import type { Tree } from './tree';
import { addTreeOutputs, treeFromJson, treeToJson } from './tree';

export const XGB_KIND = 'xgb_clf';
export const LGBM_KIND = 'lgbm_clf';
const VERSION = 1;
/** Smallest hessian factor p(1 − p) (XGBoost's `kRtEps`-style floor for saturated probabilities). */
const MIN_HESSIAN = 1e-16;
/** The positive rate used for the base score is clipped to [PRIOR_EPS, 1 − PRIOR_EPS] (one-class data). */
const PRIOR_EPS = 1e-15;

export interface ResolvedBoostingOptions {
  readonly nEstimators: number;
  readonly learningRate: number;
  readonly subsample: number;
  readonly maxBins: number;
  readonly tree: Omit<GradTreeParams, 'learningRate'>;
  /** The resolved hyper-parameters in their wire (snake_case) form, defaults filled. */
  readonly wire: Readonly<Record<string, unknown>>;
}

export function resolveXgbOptions(params: RawParams): ResolvedBoostingOptions {
  const r = new ParamReader(XGB_KIND, params);
  const wire = {
    n_estimators: r.int('n_estimators', 100, 1),
    learning_rate: r.num('learning_rate', 0.3, 0, Infinity, true),
    max_depth: r.int('max_depth', 6, 1),
    subsample: r.num('subsample', 1, 0, 1, true),
    min_child_weight: r.num('min_child_weight', 1, 0),
    reg_lambda: r.num('reg_lambda', 1, 0),
    gamma: r.num('gamma', 0, 0),
    max_bin: r.int('max_bin', 255, 2, 255),
  };
  r.done();
  return {
    nEstimators: wire.n_estimators,
    learningRate: wire.learning_rate,
    subsample: wire.subsample,
    maxBins: wire.max_bin,
    tree: {
      policy: GrowPolicy.DepthWise,
      maxDepth: wire.max_depth,
      maxLeaves: Infinity,
      lambda: wire.reg_lambda,
      minChildWeight: wire.min_child_weight,
      minDataInLeaf: 0,
      // XGBoost keeps a split only when its loss change exceeds kRtEps = 1e-6 (plus gamma).
      minGain: Math.max(wire.gamma, 1e-6),
    },
    wire,
  };
}

export function resolveLgbmOptions(params: RawParams): ResolvedBoostingOptions {
  const r = new ParamReader(LGBM_KIND, params);
  // LightGBM's scikit-learn wrapper keys that do not change a single-threaded fit.
  r.raw('n_jobs');
  r.raw('num_threads');
  r.raw('verbosity');
  const wire = {
    n_estimators: r.int('n_estimators', 100, 1),
    learning_rate: r.num('learning_rate', 0.1, 0, Infinity, true),
    max_depth: r.int('max_depth', -1, -1),
    num_leaves: r.int('num_leaves', 31, 2),
    min_data_in_leaf: r.int('min_data_in_leaf', 20, 0),
    min_sum_hessian_in_leaf: r.num('min_sum_hessian_in_leaf', 1e-3, 0),
    reg_lambda: r.num('reg_lambda', 0, 0),
    min_split_gain: r.num('min_split_gain', 0, 0),
    max_bin: r.int('max_bin', 255, 2, 255),
  };
  if (wire.max_depth === 0) r.reject('max_depth', 'must be -1 (unlimited) or >= 1');
  r.done();
  return {
    nEstimators: wire.n_estimators,
    learningRate: wire.learning_rate,
    subsample: 1,
    maxBins: wire.max_bin,
    tree: {
      policy: GrowPolicy.LossGuide,
      maxDepth: wire.max_depth < 0 ? Infinity : wire.max_depth,
      maxLeaves: wire.num_leaves,
      lambda: wire.reg_lambda,
      minChildWeight: wire.min_sum_hessian_in_leaf,
      minDataInLeaf: wire.min_data_in_leaf,
      minGain: wire.min_split_gain,
    },
    wire,
  };
}

abstract class BoostedTreesClassifier implements Classifier {
  abstract readonly kind: string;
  readonly options: ResolvedBoostingOptions;
  protected trees: Tree[] | null = null;
  protected baseScore = 0;
  protected nFeatures = 0;

  constructor(
    options: ResolvedBoostingOptions,
    readonly seed: number,
  ) {
    this.options = options;
  }

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const s = resolveSample(X, y, options, this.kind);
    const o = this.options;
    const params: GradTreeParams = { ...o.tree, learningRate: o.learningRate };
    const B = binMatrix(X, o.maxBins);
    const grower = new GradTreeGrower(B);
    const n = X.nRows;
    const { weight, count, active } = s;
    const nActive = active.length;
    const prior = Math.min(1 - PRIOR_EPS, Math.max(PRIOR_EPS, s.positiveWeight / s.totalWeight));
    const base = Math.log(prior / (1 - prior));
    // Odds e^F, indexed by row of X; gradient pairs (n, 2) row-major [g, h] (only active rows are touched).
    const odds = new Float64Array(n).fill(prior / (1 - prior));
    const gh = new Float64Array(2 * n);
    const sub = o.subsample < 1 ? new Uint32Array(nActive) : active;
    const out = o.subsample < 1 ? new Uint32Array(nActive) : active;
    const rng = new Rng(hashSeeds(this.seed, options.seed));
    const trees: Tree[] = [];
    const minHessian = MIN_HESSIAN;
    for (let t = 0; t < o.nEstimators; t++) {
      gradients(gh, odds, y, weight, active, minHessian);
      if (o.subsample < 1) {
        let m = 0;
        let q = 0;
        for (let k = 0; k < nActive; k++) {
          if (rng.next() < o.subsample) sub[m++] = active[k];
          else out[q++] = active[k];
        }
        trees.push(grower.grow(gh, count, sub.subarray(0, m), params));
        grower.scaleOddsOfRows(odds);
        grower.scaleOddsBinned(odds, out, q);
      } else {
        trees.push(grower.grow(gh, count, active, params));
        grower.scaleOddsOfRows(odds);
      }
    }
    this.trees = trees;
    this.baseScore = base;
    this.nFeatures = X.nCols;
  }

  /** Raw scores (log-odds) per row. */
  decisionFunction(X: DenseMatrix): Float64Array {
    const trees = this.trees ?? notFitted(this.kind, 'decisionFunction');
    checkPredictShape(X, this.nFeatures, this.kind);
    const out = new Float64Array(X.nRows).fill(this.baseScore);
    for (const t of trees) addTreeOutputs(t, X, out);
    return out;
  }

  predictProba(X: DenseMatrix): Float64Array {
    if (!this.trees) notFitted(this.kind, 'predictProba');
    const out = this.decisionFunction(X);
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
    return out;
  }

  /** The fitted trees (read-only views; leaf values already include the learning rate). */
  get fittedTrees(): readonly Tree[] {
    return this.trees ?? notFitted(this.kind, 'fittedTrees');
  }

  toJSON(): SerializedModel {
    const trees = this.trees ?? notFitted(this.kind, 'toJSON');
    return {
      kind: this.kind,
      version: VERSION,
      params: { ...this.options.wire },
      seed: this.seed,
      nFeatures: this.nFeatures,
      baseScore: this.baseScore,
      trees: trees.map(treeToJson),
    };
  }

  protected load(doc: Record<string, unknown>): void {
    this.nFeatures = jsonNumber(doc, 'nFeatures', this.kind);
    this.baseScore = jsonNumber(doc, 'baseScore', this.kind);
    const nf = this.nFeatures;
    this.trees = jsonArray(doc, 'trees', this.kind).map((t, i) =>
      treeFromJson(t, nf, `${this.kind}.trees[${i}]`),
    );
  }
}

/**
 * gh[2r], gh[2r + 1] ← g_r, h_r of the logistic loss at odds o_r, for the active rows. Four rows per
 * iteration, loads before stores: after a typed-array store V8 re-validates the arrays it reads (grad-tree.ts).
 */
function gradients(
  gh: Float64Array,
  odds: Float64Array,
  y: Uint8Array,
  weight: Float64Array,
  active: Uint32Array,
  minHessian: number,
): void {
  const n = active.length;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const r0 = active[k];
    const r1 = active[k + 1];
    const r2 = active[k + 2];
    const r3 = active[k + 3];
    const o0 = odds[r0];
    const o1 = odds[r1];
    const o2 = odds[r2];
    const o3 = odds[r3];
    const p0 = o0 / (1 + o0);
    const p1 = o1 / (1 + o1);
    const p2 = o2 / (1 + o2);
    const p3 = o3 / (1 + o3);
    const w0 = weight[r0];
    const w1 = weight[r1];
    const w2 = weight[r2];
    const w3 = weight[r3];
    const g0 = (p0 - y[r0]) * w0;
    const g1 = (p1 - y[r1]) * w1;
    const g2 = (p2 - y[r2]) * w2;
    const g3 = (p3 - y[r3]) * w3;
    gh[2 * r0] = g0;
    gh[2 * r0 + 1] = Math.max(p0 * (1 - p0), minHessian) * w0;
    gh[2 * r1] = g1;
    gh[2 * r1 + 1] = Math.max(p1 * (1 - p1), minHessian) * w1;
    gh[2 * r2] = g2;
    gh[2 * r2 + 1] = Math.max(p2 * (1 - p2), minHessian) * w2;
    gh[2 * r3] = g3;
    gh[2 * r3 + 1] = Math.max(p3 * (1 - p3), minHessian) * w3;
  }
  for (; k < n; k++) {
    const r = active[k];
    const o = odds[r];
    const p = o / (1 + o);
    const w = weight[r];
    gh[2 * r] = (p - y[r]) * w;
    gh[2 * r + 1] = Math.max(p * (1 - p), minHessian) * w;
  }
}

/** `xgb_clf` — XGBoost-style boosting: depth-wise trees, λ = 1, min_child_weight on hessians. */
export class XGBClassifier extends BoostedTreesClassifier {
  readonly kind = XGB_KIND;

  /** `seed` plays XGBoost's `random_state`; it is mixed with `FitOptions.seed`. */
  constructor(params: RawParams = {}, seed = 0) {
    super(resolveXgbOptions(params), seed);
  }

  static fromJSON(json: unknown): XGBClassifier {
    const doc = checkDocument(json, XGB_KIND, VERSION);
    const m = new XGBClassifier(jsonParams(doc, XGB_KIND), jsonNumber(doc, 'seed', XGB_KIND));
    m.load(doc);
    return m;
  }
}

/** `lgbm_clf` — LightGBM-style boosting: leaf-wise (best-first) trees limited by num_leaves. */
export class LGBMClassifier extends BoostedTreesClassifier {
  readonly kind = LGBM_KIND;

  /** `seed` plays LightGBM's `random_state`; it is mixed with `FitOptions.seed`. */
  constructor(params: RawParams = {}, seed = 0) {
    super(resolveLgbmOptions(params), seed);
  }

  static fromJSON(json: unknown): LGBMClassifier {
    const doc = checkDocument(json, LGBM_KIND, VERSION);
    const m = new LGBMClassifier(jsonParams(doc, LGBM_KIND), jsonNumber(doc, 'seed', LGBM_KIND));
    m.load(doc);
    return m;
  }
}
