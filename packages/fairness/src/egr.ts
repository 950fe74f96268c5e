/**
 * Exponentiated Gradient Reduction (Agarwal, Beygelzimer, Dudík, Langford & Wallach 2018, "A Reductions
 * Approach to Fair Classification", Alg. 1 with the best-response details of fairlearn's implementation,
 * which aif360 wraps).
 *
 * Fair classification is the saddle point of the Lagrangian  L(Q, λ) = err(Q) + λᵀ(γ(Q) − ε)  over randomised
 * classifiers Q (distributions over base classifiers h) and multipliers λ ≥ 0, ‖λ‖₁ ≤ B = 1/ε. The moments γ
 * are, for each event e and group a and sign ±, ±(E[h | e, a] − E[h | e]) — one event ("all") for
 * DemographicParity, events y = 0 and y = 1 for EqualizedOdds — each bounded by ε = 0.01.
 *
 * - λ-player: exponentiated gradient, λ = B·exp(θ)/(1 + Σexp(θ)), θ += η(γ(h_t) − ε).
 * - Q-player best response: a cost-sensitive problem solved by the base model with sample weights. Row i's
 *   signed cost is sᵢ = (2yᵢ − 1) + Σ_a λ_{e,a}/P(e) − λ_{e,aᵢ}/P(e, aᵢ) (λ_{e,a} = λ⁺ − λ⁻ at the row's event
 *   e); the model is fitted on labels [sᵢ > 0] with weights |sᵢ| (normalised to sum to n). A new h is kept only
 *   if its Lagrangian value beats every stored h by 1e-8 (fairlearn's `best_h`).
 * - Each iteration evaluates the duality gap of the averaged play (Q = visit frequencies, λ̂ = mean λ) with
 *   best responses to 1, 2, 5, 10 × λ̂, stops when the gap is below ν (after ≥ 5 iterations), shrinks η by 0.8
 *   when the best gap has not improved by 20 % (checks at t ≥ 1.6 × last check, first at 5), and finally
 *   returns the iterate with the smallest gap (the latest among ties within 1e-8).
 * - `runLinprogStep`: after each iteration also solve the LP restricted to the classifiers found so far —
 *   primal  min_{Q ∈ Δ, ξ ≥ 0} Σ Q_h err_h + Bξ  s.t. Σ Q_h(γ_h − ε) ≤ ξ,  and its dual for λ — with the simplex
 *   in `linprog`; keep whichever of the EG and LP solutions has the smaller gap.
 *
 * ν = 0.5·std(|h₀ − y|)/√n with h₀ the first best response; η₀ = 2/B. The randomised classifier predicts
 * P(y = 1 | x) = Σ_h Q_h·h(x) (labels h(x) = [P_h(y=1|x) > 0.5]), clipped to [0, 1] (SPEC §2.4).
 *
 * `rows` (bootstrap sample, duplicates = repeated rows) and `sampleWeight` act as frequency weights in every
 * expectation; the base model receives the same `rows` and the cost weights indexed by row. With
 * `dropProtAttr = false` the protected column is appended to X as the last feature of the base model.
 */
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';
import { FairnessErrorCode, fairnessError } from './errors';
import { badOption, checkFeatureCount, checkLength, checkBinary, checkTraining, notFitted } from './check';
import { linprog } from './linprog';
import { expectKind, num } from './serial';
import type { InProcessor } from './stage';

export const EgrConstraint = {
  DemographicParity: 'DemographicParity',
  EqualizedOdds: 'EqualizedOdds',
} as const;
export type EgrConstraint = (typeof EgrConstraint)[keyof typeof EgrConstraint];

/** SPEC §2.4: DemographicParity iff an objective metric, lower-cased, is one of these. */
const DP_METRICS = new Set(['selection_rate_difference', 'disparate_impact']);

export function egrConstraintFor(objectiveMetrics: readonly string[]): EgrConstraint {
  return objectiveMetrics.some((m) => DP_METRICS.has(m.toLowerCase()))
    ? EgrConstraint.DemographicParity
    : EgrConstraint.EqualizedOdds;
}

export interface ExponentiatedGradientOptions {
  readonly constraint: EgrConstraint;
  /** Builds a fresh unfitted base model; called once per best response. */
  readonly createModel: () => Classifier;
  readonly maxIter: number;
  readonly runLinprogStep: boolean;
  readonly dropProtAttr?: boolean;
  /** Constraint bound ε (aif360 default 0.01); B = 1/ε. */
  readonly eps?: number;
  /** Initial learning rate η₀ (fairlearn 2.0). */
  readonly eta0?: number;
  /** Convergence threshold ν; default 0.5·std(|h₀ − y|)/√n. */
  readonly nu?: number;
}

/** Diagnostics of the last fit. */
export interface EgrFitInfo {
  readonly iterations: number;
  readonly oracleCalls: number;
  readonly bestGap: number;
  readonly nu: number;
  /** Number of distinct base classifiers found, and of those with positive weight. */
  readonly classifiers: number;
  readonly support: number;
}

const KIND = 'EGR';
const VERSION = 1;
/** fairlearn constants. */
const PRECISION = 1e-8;
const MIN_ITER = 5;
const REGRET_CHECK_START_T = 5;
const REGRET_CHECK_INCREASE_T = 1.6;
const SHRINK_REGRET = 0.8;
const SHRINK_ETA = 0.8;
const ACCURACY_MUL = 0.5;

interface GapResult {
  readonly L: number;
  readonly gap: number;
}

export class ExponentiatedGradientReduction implements InProcessor {
  readonly phase = 'in' as const;
  readonly name = KIND;
  readonly constraint: EgrConstraint;
  readonly maxIter: number;
  readonly runLinprogStep: boolean;
  readonly dropProtAttr: boolean;
  readonly eps: number;
  readonly eta0: number;
  private readonly nuOption: number | undefined;
  private readonly createModel: () => Classifier;
  /** The randomised classifier: base models with positive weight. */
  private models: Classifier[] = [];
  private weights: Float64Array | null = null;
  private nCols = 0;
  info: EgrFitInfo | null = null;

  constructor(options: ExponentiatedGradientOptions) {
    const where = 'EGR';
    if (!Object.values(EgrConstraint).includes(options.constraint))
      badOption(where, 'constraint', options.constraint, 'DemographicParity or EqualizedOdds');
    if (!(Number.isInteger(options.maxIter) && options.maxIter >= 1))
      badOption(where, 'max_iter', options.maxIter, 'an integer ≥ 1');
    const eps = options.eps ?? 0.01;
    if (!(eps > 0 && eps < 1)) badOption(where, 'eps', eps, 'a number in (0, 1)');
    const eta0 = options.eta0 ?? 2.0;
    if (!(eta0 > 0)) badOption(where, 'eta0', eta0, 'a number > 0');
    if (options.nu !== undefined && !(options.nu >= 0)) badOption(where, 'nu', options.nu, 'a number ≥ 0');
    if (typeof options.createModel !== 'function') {
      throw fairnessError(
        FairnessErrorCode.MissingModel,
        'EGR needs the pipeline model: pass createModel (InterventionContext.createModel) to build base classifiers',
      );
    }
    this.constraint = options.constraint;
    this.createModel = options.createModel;
    this.maxIter = options.maxIter;
    this.runLinprogStep = options.runLinprogStep;
    this.dropProtAttr = options.dropProtAttr ?? true;
    this.eps = eps;
    this.eta0 = eta0;
    this.nuOption = options.nu;
  }

  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: FitOptions): void {
    checkTraining(X, y, prot, 'EGR.fit', { rows: options.rows, sampleWeight: options.sampleWeight });
    const n = X.nRows;
    const Xm = this.modelInput(X, prot);
    const sw = options.sampleWeight;
    // (n) frequency weight of each row: multiplicity in `rows` × sample weight.
    const cnt = new Float64Array(n);
    if (options.rows) for (const r of options.rows) cnt[r] += sw ? sw[r] : 1;
    else for (let i = 0; i < n; i++) cnt[i] = sw ? sw[i] : 1;
    let N = 0;
    for (let i = 0; i < n; i++) N += cnt[i];

    const game = new Lagrangian(
      Xm,
      y,
      prot,
      cnt,
      N,
      this.constraint,
      this.eps,
      this.createModel,
      options,
      sw,
    );
    const B = 1 / this.eps;
    const C = game.nCons;
    const theta = new Float64Array(C);
    const lambda = new Float64Array(C);
    const lambdaSum = new Float64Array(C);
    const lambdaEG = new Float64Array(C);
    const qSum: number[] = [];
    const Qs: Float64Array[] = [];
    const gaps: number[] = [];
    const gapsEG: number[] = [];
    let nu = this.nuOption ?? NaN;
    let eta = this.eta0 / B;
    let lastRegretChecked = REGRET_CHECK_START_T;
    let lastGap = Infinity;
    let t = 0;
    for (; t < this.maxIter; t++) {
      let expSum = 0;
      for (let c = 0; c < C; c++) expSum += Math.exp(theta[c]);
      for (let c = 0; c < C; c++) {
        lambda[c] = (B * Math.exp(theta[c])) / (1 + expSum);
        lambdaSum[c] += lambda[c];
        lambdaEG[c] = lambdaSum[c] / (t + 1);
      }
      const h = game.bestH(lambda);
      if (t === 0 && Number.isNaN(nu)) nu = (ACCURACY_MUL * game.absErrorStd(h)) / Math.sqrt(N);
      while (qSum.length < game.size) qSum.push(0);
      qSum[h] += 1;
      const total = t + 1;
      const qEG = Float64Array.from(qSum, (v) => v / total);
      const gapEG = game.evalGap(qEG, lambdaEG, nu).gap;
      gapsEG.push(gapEG);
      let gapLP = Infinity;
      let qLP: Float64Array | null = null;
      if (t > 0 && this.runLinprogStep) {
        const lp = game.solveLinprog(nu);
        if (lp) {
          gapLP = lp.gap;
          qLP = lp.Q;
        }
      }
      if (gapEG < gapLP || !qLP) {
        Qs.push(qEG);
        gaps.push(gapEG);
      } else {
        Qs.push(qLP);
        gaps.push(gapLP);
      }
      if (gaps[t] < nu && t >= MIN_ITER) {
        t++;
        break;
      }
      if (t >= lastRegretChecked * REGRET_CHECK_INCREASE_T) {
        const bestGap = Math.min(...gapsEG);
        if (bestGap > lastGap * SHRINK_REGRET) eta *= SHRINK_ETA;
        lastRegretChecked = t;
        lastGap = bestGap;
      }
      const gamma = game.gamma(h);
      for (let c = 0; c < C; c++) theta[c] += eta * (gamma[c] - this.eps);
    }
    let minGap = Infinity;
    for (const g of gaps) if (g < minGap) minGap = g;
    let bestIter = 0;
    for (let i = 0; i < gaps.length; i++) if (gaps[i] <= minGap + PRECISION) bestIter = i;
    const Q = Qs[bestIter];
    const models: Classifier[] = [];
    const weights: number[] = [];
    for (let j = 0; j < Q.length; j++) {
      if (Q[j] > 0) {
        models.push(game.model(j));
        weights.push(Q[j]);
      }
    }
    this.models = models;
    this.weights = Float64Array.from(weights);
    this.nCols = X.nCols;
    this.info = {
      iterations: t,
      oracleCalls: game.oracleCalls,
      bestGap: gaps[bestIter],
      nu,
      classifiers: game.size,
      support: models.length,
    };
  }

  /** Weight of each base classifier in the randomised classifier (positive, sum 1). */
  get mixtureWeights(): Float64Array {
    return (this.weights ?? notFitted('EGR.mixtureWeights')).slice();
  }

  predictProba(X: DenseMatrix, prot: Uint8Array): Float64Array {
    const w = this.weights ?? notFitted('EGR.predictProba');
    checkFeatureCount(X, this.nCols, 'EGR.predictProba');
    if (!this.dropProtAttr) {
      checkLength('prot', prot.length, X.nRows, 'EGR.predictProba');
      checkBinary('prot', prot, 'EGR.predictProba');
    }
    const Xm = this.modelInput(X, prot);
    const out = new Float64Array(X.nRows);
    for (let j = 0; j < this.models.length; j++) {
      const p = this.models[j].predictProba(Xm);
      for (let i = 0; i < out.length; i++) if (p[i] > 0.5) out[i] += w[j];
    }
    // Σ Q = 1 up to rounding; the clip keeps a probability (SPEC §2.4: scores > 1 clipped to 1).
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
    return out;
  }

  /** X itself, or X with the protected column appended when the base model should see it. */
  private modelInput(X: DenseMatrix, prot: Uint8Array): DenseMatrix {
    if (this.dropProtAttr) return X;
    const { nRows, nCols, data } = X;
    const out = new Float64Array(nRows * (nCols + 1));
    for (let i = 0; i < nRows; i++) {
      for (let j = 0; j < nCols; j++) out[i * (nCols + 1) + j] = data[i * nCols + j];
      out[i * (nCols + 1) + nCols] = prot[i];
    }
    return { data: out, nRows, nCols: nCols + 1 };
  }

  toJSON(): SerializedModel {
    const w = this.weights ?? notFitted('EGR.toJSON');
    return {
      kind: KIND,
      version: VERSION,
      constraint: this.constraint,
      maxIter: this.maxIter,
      runLinprogStep: this.runLinprogStep,
      dropProtAttr: this.dropProtAttr,
      eps: this.eps,
      eta0: this.eta0,
      nCols: this.nCols,
      weights: Array.from(w),
      models: this.models.map((m) => m.toJSON()),
    };
  }

  /** Restores a fitted EGR; `loadModel` rebuilds base classifiers from their `toJSON`. */
  static fromJSON(
    s: SerializedModel,
    loadModel: (m: SerializedModel) => Classifier,
  ): ExponentiatedGradientReduction {
    expectKind(s, KIND, VERSION);
    const models = s.models;
    const weights = s.weights;
    if (!Array.isArray(models) || !Array.isArray(weights) || models.length !== weights.length) {
      throw fairnessError(
        FairnessErrorCode.BadSerialized,
        'EGR: models and weights must be arrays of equal length',
      );
    }
    const e = new ExponentiatedGradientReduction({
      constraint: s.constraint as EgrConstraint,
      createModel: () => {
        throw fairnessError(
          FairnessErrorCode.MissingModel,
          'a deserialized EGR cannot be refitted; build a new one',
        );
      },
      maxIter: num(s, 'maxIter'),
      runLinprogStep: s.runLinprogStep === true,
      dropProtAttr: s.dropProtAttr !== false,
      eps: num(s, 'eps'),
      eta0: num(s, 'eta0'),
    });
    e.models = models.map((m) => loadModel(m as SerializedModel));
    e.weights = Float64Array.from(weights as number[]);
    e.nCols = num(s, 'nCols');
    return e;
  }
}

/**
 * The game's state: moments, the base classifiers found so far with their error and moment vectors, and the
 * cost-sensitive oracle. Constraint index: sign * (nEvents * 2) + event * 2 + group (sign 0 = "+", 1 = "−").
 */
class Lagrangian {
  readonly nCons: number;
  private readonly nEvents: number;
  /** (n) event of each row. */
  private readonly event: Uint8Array;
  /** P(e) and P(e, a) (index e * 2 + a); an event with an empty group is inactive (its moments are 0). */
  private readonly pEvent: Float64Array;
  private readonly pGroupEvent: Float64Array;
  private readonly active: Uint8Array;
  private readonly hs: Uint8Array[] = [];
  private readonly models: Classifier[] = [];
  private readonly errors: number[] = [];
  private readonly gammas: Float64Array[] = [];
  /** Scratch for the oracle: (n) signed costs and the base model's sample weights. */
  private readonly signed: Float64Array;
  private readonly redW: Float64Array;
  private readonly redY: Uint8Array;
  private lastLpSize = -1;
  private lastLp: { Q: Float64Array; gap: number } | null = null;
  oracleCalls = 0;

  constructor(
    private readonly X: DenseMatrix,
    private readonly y: Uint8Array,
    private readonly prot: Uint8Array,
    private readonly cnt: Float64Array,
    private readonly N: number,
    constraint: EgrConstraint,
    private readonly eps: number,
    private readonly createModel: () => Classifier,
    private readonly fitOptions: FitOptions,
    private readonly sw: Float64Array | undefined,
  ) {
    const n = y.length;
    this.nEvents = constraint === EgrConstraint.DemographicParity ? 1 : 2;
    this.nCons = 2 * this.nEvents * 2;
    this.event = new Uint8Array(n);
    if (this.nEvents === 2) this.event.set(y);
    this.pEvent = new Float64Array(this.nEvents);
    this.pGroupEvent = new Float64Array(this.nEvents * 2);
    for (let i = 0; i < n; i++) {
      const e = this.event[i];
      this.pEvent[e] += cnt[i] / N;
      this.pGroupEvent[e * 2 + prot[i]] += cnt[i] / N;
    }
    this.active = new Uint8Array(this.nEvents);
    for (let e = 0; e < this.nEvents; e++)
      this.active[e] = this.pGroupEvent[e * 2] > 0 && this.pGroupEvent[e * 2 + 1] > 0 ? 1 : 0;
    this.signed = new Float64Array(n);
    this.redW = new Float64Array(n);
    this.redY = new Uint8Array(n);
  }

  get size(): number {
    return this.hs.length;
  }

  model(j: number): Classifier {
    return this.models[j];
  }

  /** Weighted error rate of labels h. */
  private error(h: Uint8Array): number {
    let e = 0;
    for (let i = 0; i < h.length; i++) if (h[i] !== this.y[i]) e += this.cnt[i];
    return e / this.N;
  }

  /** The moment vector of labels h (length nCons). */
  private momentsOf(h: Uint8Array): Float64Array {
    const E = this.nEvents;
    const sumE = new Float64Array(E);
    const sumEA = new Float64Array(E * 2);
    for (let i = 0; i < h.length; i++) {
      if (h[i] === 0 || this.cnt[i] === 0) continue;
      const e = this.event[i];
      sumE[e] += this.cnt[i];
      sumEA[e * 2 + this.prot[i]] += this.cnt[i];
    }
    const g = new Float64Array(this.nCons);
    for (let e = 0; e < E; e++) {
      if (!this.active[e]) continue;
      const mE = sumE[e] / (this.pEvent[e] * this.N);
      for (let a = 0; a < 2; a++) {
        const diff = sumEA[e * 2 + a] / (this.pGroupEvent[e * 2 + a] * this.N) - mE;
        g[e * 2 + a] = diff;
        g[E * 2 + e * 2 + a] = -diff;
      }
    }
    return g;
  }

  gamma(j: number): Float64Array {
    return this.gammas[j];
  }

  /** 0.5·std(|h − y|) numerator of ν: sample std (ddof 1) of the 0/1 errors, frequency-weighted. */
  absErrorStd(j: number): number {
    const err = this.errors[j];
    const N = this.N;
    if (N <= 1) return 0;
    // Var of a 0/1 variable with mean err over N (weighted) samples, ddof 1.
    return Math.sqrt((err * (1 - err) * N) / (N - 1));
  }

  /** Trains the base model on the cost-sensitive problem for λ and returns its labels on all rows. */
  private oracle(lambda: Float64Array): { h: Uint8Array; model: Classifier } {
    const { y, prot, cnt, signed, redW, redY, event } = this;
    const E = this.nEvents;
    // λ_{e,a} = λ⁺ − λ⁻; per event Λ_e = Σ_a λ_{e,a}/P(e), per cell Λ_{e,a} = λ_{e,a}/P(e, a).
    const lamEvent = new Float64Array(E);
    const lamCell = new Float64Array(E * 2);
    for (let e = 0; e < E; e++) {
      if (!this.active[e]) continue;
      for (let a = 0; a < 2; a++) {
        const l = lambda[e * 2 + a] - lambda[E * 2 + e * 2 + a];
        lamEvent[e] += l / this.pEvent[e];
        lamCell[e * 2 + a] = l / this.pGroupEvent[e * 2 + a];
      }
    }
    let wSum = 0;
    const n = y.length;
    for (let i = 0; i < n; i++) {
      const e = event[i];
      const s = 2 * y[i] - 1 + lamEvent[e] - lamCell[e * 2 + prot[i]];
      signed[i] = s;
      redY[i] = s > 0 ? 1 : 0;
      wSum += cnt[i] * Math.abs(s);
    }
    // Weights normalised so that the effective total is N, as fairlearn (n · |s| / Σ|s|).
    const scale = wSum > 0 ? this.N / wSum : 0;
    for (let i = 0; i < n; i++) redW[i] = (this.sw ? this.sw[i] : 1) * Math.abs(signed[i]) * scale;
    const model = this.createModel();
    model.fit(this.X, redY, {
      seed: this.fitOptions.seed,
      sampleWeight: redW,
      ...(this.fitOptions.rows ? { rows: this.fitOptions.rows } : {}),
    });
    this.oracleCalls++;
    const p = model.predictProba(this.X);
    const h = new Uint8Array(n);
    for (let i = 0; i < n; i++) h[i] = p[i] > 0.5 ? 1 : 0;
    return { h, model };
  }

  private lagrangianValue(j: number, lambda: Float64Array): number {
    let v = this.errors[j];
    const g = this.gammas[j];
    for (let c = 0; c < this.nCons; c++) v += g[c] * lambda[c];
    return v;
  }

  /** Best response to λ: a new classifier if it beats every stored one by PRECISION, else the best stored. */
  bestH(lambda: Float64Array): number {
    const { h, model } = this.oracle(lambda);
    const err = this.error(h);
    const gam = this.momentsOf(h);
    let value = err;
    for (let c = 0; c < this.nCons; c++) value += gam[c] * lambda[c];
    let bestIdx = -1;
    let bestValue = Infinity;
    for (let j = 0; j < this.hs.length; j++) {
      const v = this.lagrangianValue(j, lambda);
      if (v < bestValue) {
        bestValue = v;
        bestIdx = j;
      }
    }
    if (value < bestValue - PRECISION) {
      this.hs.push(h);
      this.models.push(model);
      this.errors.push(err);
      this.gammas.push(gam);
      bestIdx = this.hs.length - 1;
    }
    return bestIdx;
  }

  /** L(Q, λ) and L_high = err(Q) + B·max(0, max γ(Q) − ε) (the value at the worst-case λ). */
  private evalQ(Q: Float64Array, lambda: Float64Array): { L: number; Lhigh: number } {
    let err = 0;
    const gam = new Float64Array(this.nCons);
    for (let j = 0; j < Q.length; j++) {
      if (Q[j] === 0) continue;
      err += Q[j] * this.errors[j];
      const g = this.gammas[j];
      for (let c = 0; c < this.nCons; c++) gam[c] += Q[j] * g[c];
    }
    let L = err;
    let maxGamma = -Infinity;
    for (let c = 0; c < this.nCons; c++) {
      L += lambda[c] * (gam[c] - this.eps);
      if (gam[c] > maxGamma) maxGamma = gam[c];
    }
    const Lhigh = maxGamma < this.eps ? err : err + (1 / this.eps) * (maxGamma - this.eps);
    return { L, Lhigh };
  }

  /** Duality gap max(L − L_low, L_high − L) of (Q, λ̂), with L_low from best responses to multiples of λ̂. */
  evalGap(Q: Float64Array, lambdaHat: Float64Array, nu: number): GapResult {
    const { L, Lhigh } = this.evalQ(Q, lambdaHat);
    let Llow = L;
    const scaled = new Float64Array(this.nCons);
    let gap = Math.max(L - Llow, Lhigh - L);
    for (const mul of [1, 2, 5, 10]) {
      for (let c = 0; c < this.nCons; c++) scaled[c] = mul * lambdaHat[c];
      const j = this.bestH(scaled);
      const unit = new Float64Array(this.hs.length);
      unit[j] = 1;
      const Lmul = this.evalQ(unit, lambdaHat).L;
      if (Lmul < Llow) Llow = Lmul;
      gap = Math.max(L - Llow, Lhigh - L);
      if (gap > nu + PRECISION) break;
    }
    return { L, gap };
  }

  /**
   * The LP over the classifiers found so far (cached until a new classifier appears). Returns null if the
   * solver fails, in which case the EG iterate is used.
   */
  solveLinprog(nu: number): { Q: Float64Array; gap: number } | null {
    const H = this.hs.length;
    if (this.lastLpSize === H) return this.lastLp;
    const C = this.nCons;
    const B = 1 / this.eps;
    // Primal over [Q (H), ξ].
    const c = new Float64Array(H + 1);
    for (let j = 0; j < H; j++) c[j] = this.errors[j];
    c[H] = B;
    const Aub = new Float64Array(C * (H + 1));
    for (let r = 0; r < C; r++) {
      for (let j = 0; j < H; j++) Aub[r * (H + 1) + j] = this.gammas[j][r] - this.eps;
      Aub[r * (H + 1) + H] = -1;
    }
    const Aeq = new Float64Array(H + 1);
    for (let j = 0; j < H; j++) Aeq[j] = 1;
    const primal = linprog({ c, Aub, bub: new Float64Array(C), Aeq, beq: [1] });
    // Dual over [λ (C), μ⁺, μ⁻]: max μ s.t. μ ≤ err_h + Σ_r λ_r(γ_hr − ε) ∀h, Σλ ≤ B, λ ≥ 0.
    const nd = C + 2;
    const dc = new Float64Array(nd);
    dc[C] = -1;
    dc[C + 1] = 1;
    const dA = new Float64Array((H + 1) * nd);
    const db = new Float64Array(H + 1);
    for (let j = 0; j < H; j++) {
      for (let r = 0; r < C; r++) dA[j * nd + r] = -(this.gammas[j][r] - this.eps);
      dA[j * nd + C] = 1;
      dA[j * nd + C + 1] = -1;
      db[j] = this.errors[j];
    }
    for (let r = 0; r < C; r++) dA[H * nd + r] = 1;
    db[H] = B;
    const dual = linprog({ c: dc, Aub: dA, bub: db });
    this.lastLpSize = H;
    if (primal.status !== 'optimal' || dual.status !== 'optimal') {
      this.lastLp = null;
      return null;
    }
    const Q = primal.x.slice(0, H);
    const lam = dual.x.slice(0, C);
    const { gap } = this.evalGap(Q, lam, nu);
    // evalGap may have added classifiers; Q covers the first H, which is all it refers to.
    this.lastLp = { Q, gap };
    return this.lastLp;
  }
}
