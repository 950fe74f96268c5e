/**
 * `mlp_clf` — scikit-learn's `MLPClassifier` for binary labels: dense layers `hidden_layer_sizes` (default
 * (100, 100), VirnyFlow's setting) with `activation` ∈ {logistic, tanh, relu}, one logistic output unit, the
 * log-loss plus `alpha/2 · ‖W‖² / batch` (weights only, as scikit-learn), and Glorot-uniform initialisation
 * (bound √(6/(fan_in + fan_out)), √(2/…) for logistic; biases drawn the same way).
 *
 * Solvers, as scikit-learn:
 * - `adam` (β1 0.9, β2 0.999, ε 1e-8, bias-corrected step) and `sgd` (momentum 0.9, Nesterov) on shuffled
 *   mini-batches of `batch_size` (default min(200, n)); `learning_rate` ∈ {constant, invscaling (η₀ /
 *   (samples seen + 1)^0.5 after each epoch), adaptive (η / 5 after `n_iter_no_change` epochs without a
 *   `tol` improvement, stop below 1e-6)} applies to `sgd` only. Training stops after `n_iter_no_change`
 *   epochs (10) without the epoch loss improving by `tol` (1e-4), or after `max_iter` epochs.
 * - `lbfgs`: full-batch L-BFGS (10 pairs, Armijo backtracking) for `max_iter` iterations or until the
 *   gradient max-norm ≤ `tol`.
 *
 * Cost cap: scikit-learn's default `max_iter` is 200 epochs and VirnyFlow passes 1000. One epoch costs
 * about 3·n·(d·h₁ + h₁·h₂ + h₂) multiply-adds; scalar JavaScript runs them ~4× slower than scikit-learn's
 * BLAS, so `max_iter` defaults to MAX_ITER_DEFAULT = 50 epochs (pass `max_iter` to change it). The
 * early-stopping rule above ends most fits sooner. Everything is seeded: initialisation and the per-epoch
 * shuffles draw from `Rng(hashSeeds(seed, fitSeed))`.
 *
 * Layout: layer l has weights W_l (fanIn, fanOut) row-major and biases b_l (fanOut); activations of a batch
 * are (batch, width) row-major. All buffers are allocated once per fit.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from './classifier';
import { ModelErrorCode, modelError } from './errors';
import { gemmNT, transpose } from './linalg';
import { checkDocument, jsonArray, jsonNumber, jsonParams, notFitted } from './model-json';
import type { RawParams } from './params';
import { ParamReader } from './params';
import { checkFinite, checkPredictShape, resolveSample, sigmoid } from './sample';

export const MLP_KIND = 'mlp_clf';
const VERSION = 1;
/** Probabilities are clipped to [EPS, 1 − EPS] inside the log-loss (scikit-learn: float64 machine epsilon). */
const EPS = 2.220446049250313e-16;
const LBFGS_MEMORY = 10;
/** Default epoch / iteration cap (see the cost note above). */
export const MAX_ITER_DEFAULT = 50;

export const Activation = { Logistic: 'logistic', Tanh: 'tanh', Relu: 'relu' } as const;
export type Activation = (typeof Activation)[keyof typeof Activation];
export const MlpSolver = { Lbfgs: 'lbfgs', Sgd: 'sgd', Adam: 'adam' } as const;
export type MlpSolver = (typeof MlpSolver)[keyof typeof MlpSolver];
export const LearningRateSchedule = {
  Constant: 'constant',
  InvScaling: 'invscaling',
  Adaptive: 'adaptive',
} as const;
export type LearningRateSchedule = (typeof LearningRateSchedule)[keyof typeof LearningRateSchedule];

export interface ResolvedMlpOptions {
  readonly hiddenLayerSizes: readonly number[];
  readonly activation: Activation;
  readonly solver: MlpSolver;
  readonly learningRate: LearningRateSchedule;
  readonly learningRateInit: number;
  readonly alpha: number;
  /** 0 = scikit-learn's 'auto' (min(200, n)). */
  readonly batchSize: number;
  readonly maxIter: number;
  readonly tol: number;
  readonly nIterNoChange: number;
  readonly momentum: number;
  readonly powerT: number;
}

export function resolveMlpOptions(params: RawParams): ResolvedMlpOptions {
  const r = new ParamReader(MLP_KIND, params);
  let hidden: number[] = [100, 100];
  const h = r.raw('hidden_layer_sizes');
  if (h !== undefined) {
    const list = typeof h === 'number' ? [h] : h;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => !Number.isInteger(v) || v < 1)) {
      r.reject(
        'hidden_layer_sizes',
        'must be a positive integer or a non-empty list of them, e.g. [100, 100]',
      );
    }
    hidden = [...(list as number[])];
  }
  const batch = r.raw('batch_size');
  let batchSize = 0;
  if (batch !== undefined && batch !== 'auto') {
    if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1) {
      r.reject('batch_size', "must be 'auto' or a positive integer");
    }
    batchSize = batch as number;
  }
  const o: ResolvedMlpOptions = {
    hiddenLayerSizes: hidden,
    activation: r.choice<Activation>('activation', Activation.Relu, Object.values(Activation)),
    solver: r.choice<MlpSolver>('solver', MlpSolver.Adam, Object.values(MlpSolver)),
    learningRate: r.choice<LearningRateSchedule>(
      'learning_rate',
      LearningRateSchedule.Constant,
      Object.values(LearningRateSchedule),
    ),
    learningRateInit: r.num('learning_rate_init', 0.001, 0, Infinity, true),
    alpha: r.num('alpha', 1e-4, 0),
    batchSize,
    maxIter: r.int('max_iter', MAX_ITER_DEFAULT, 1),
    tol: r.num('tol', 1e-4, 0),
    nIterNoChange: r.int('n_iter_no_change', 10, 1),
    momentum: r.num('momentum', 0.9, 0, 1),
    powerT: r.num('power_t', 0.5, 0),
  };
  r.done();
  return o;
}

/** The network: sizes[0] = inputs, sizes[L] = 1 output; one flat parameter vector. */
class Network {
  readonly nLayers: number;
  /** Offsets of W_l and b_l inside `params`. */
  readonly wOff: number[] = [];
  readonly bOff: number[] = [];
  readonly nParams: number;

  constructor(
    readonly sizes: readonly number[],
    readonly activation: Activation,
  ) {
    this.nLayers = sizes.length - 1;
    let off = 0;
    for (let l = 0; l < this.nLayers; l++) {
      this.wOff.push(off);
      off += sizes[l] * sizes[l + 1];
      this.bOff.push(off);
      off += sizes[l + 1];
    }
    this.nParams = off;
  }

  init(params: Float64Array, rng: Rng): void {
    const factor = this.activation === Activation.Logistic ? 2 : 6;
    for (let l = 0; l < this.nLayers; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const bound = Math.sqrt(factor / (fanIn + fanOut));
      const w0 = this.wOff[l];
      for (let k = 0; k < fanIn * fanOut; k++) params[w0 + k] = rng.uniform(-bound, bound);
      const b0 = this.bOff[l];
      for (let k = 0; k < fanOut; k++) params[b0 + k] = rng.uniform(-bound, bound);
    }
  }
}

/**
 * Forward/backward pass over batches: activations per layer `acts[l]` (batch, sizes[l]) and deltas, all
 * sized for the largest batch once. Every product is `gemmNT` (C = P·Qᵀ, rows against rows):
 *   forward   Z_l  = A_l · W_l          = A_l · (W_lᵀ)ᵀ       with W_lᵀ (fanOut, fanIn) refreshed per batch
 *   gradient  ∂W_l = A_lᵀ · D_{l+1}     = (A_lᵀ) · (D_{l+1}ᵀ)ᵀ with both transposed per batch
 *   delta     D_l  = D_{l+1} · W_lᵀ     = D_{l+1} · (W_l)ᵀ
 */
class Pass {
  readonly acts: Float64Array[];
  readonly deltas: Float64Array[];
  /** (fanOut, fanIn) per layer: W_lᵀ. */
  private readonly wT: Float64Array[];
  /** Transposes of a batch's activations (fanIn, batch) and deltas (fanOut, batch), per layer. */
  private readonly aT: Float64Array[];
  private readonly dT: Float64Array[];

  constructor(
    private readonly net: Network,
    maxBatch: number,
  ) {
    this.acts = net.sizes.map((s) => new Float64Array(maxBatch * s));
    this.deltas = net.sizes.map((s) => new Float64Array(maxBatch * s));
    const layers = net.sizes.slice(0, -1).map((s, l) => [s, net.sizes[l + 1]] as const);
    this.wT = layers.map(([i, o]) => new Float64Array(i * o));
    this.aT = layers.map(([i]) => new Float64Array(i * maxBatch));
    this.dT = layers.map(([, o]) => new Float64Array(o * maxBatch));
  }

  /** Copies rows `rows[from, from + bs)` of X into layer 0. */
  load(X: DenseMatrix, rows: Uint32Array, from: number, bs: number): void {
    const d = X.nCols;
    const a0 = this.acts[0];
    for (let i = 0; i < bs; i++) {
      const r = rows[from + i];
      a0.set(X.data.subarray(r * d, r * d + d), i * d);
    }
  }

  /** Forward pass of `bs` loaded rows; the output layer holds P(y = 1). */
  forward(params: Float64Array, bs: number): void {
    const { net, acts } = this;
    const L = net.nLayers;
    for (let l = 0; l < L; l++) {
      const fanIn = net.sizes[l];
      const fanOut = net.sizes[l + 1];
      const Z = acts[l + 1];
      const b0 = net.bOff[l];
      const wT = this.wT[l];
      transpose(params, wT, fanIn, fanOut, net.wOff[l]);
      gemmNT(acts[l], wT, Z, bs, fanOut, fanIn, false);
      const act = l === L - 1 ? Activation.Logistic : net.activation;
      for (let i = 0; i < bs; i++) {
        const zr = i * fanOut;
        for (let j = 0; j < fanOut; j++) {
          const z = Z[zr + j] + params[b0 + j];
          Z[zr + j] =
            act === Activation.Relu ? (z > 0 ? z : 0) : act === Activation.Tanh ? Math.tanh(z) : sigmoid(z);
        }
      }
    }
  }

  /**
   * Loss of the loaded batch (mean log-loss + alpha/2·‖W‖²/bs) and, into `grad`, its gradient
   * (scikit-learn's `_backprop`). Call after `forward`.
   */
  backward(
    params: Float64Array,
    grad: Float64Array,
    y: Uint8Array,
    rows: Uint32Array,
    from: number,
    bs: number,
    alpha: number,
    sampleScale: Float64Array | null,
  ): number {
    const { net, acts, deltas } = this;
    const L = net.nLayers;
    const out = acts[L];
    const dOut = deltas[L];
    let loss = 0;
    for (let i = 0; i < bs; i++) {
      const r = rows[from + i];
      const p = Math.min(1 - EPS, Math.max(EPS, out[i]));
      const yi = y[r];
      const s = sampleScale ? sampleScale[r] : 1;
      loss -= s * (yi === 1 ? Math.log(p) : Math.log(1 - p));
      dOut[i] = s * (out[i] - yi);
    }
    loss /= bs;
    let wsq = 0;
    for (let l = 0; l < L; l++) {
      const w0 = net.wOff[l];
      const nw = net.sizes[l] * net.sizes[l + 1];
      for (let k = 0; k < nw; k++) wsq += params[w0 + k] * params[w0 + k];
    }
    loss += (0.5 * alpha * wsq) / bs;
    const inv = 1 / bs;
    for (let l = L - 1; l >= 0; l--) {
      const fanIn = net.sizes[l];
      const fanOut = net.sizes[l + 1];
      const A = acts[l];
      const D = deltas[l + 1];
      const w0 = net.wOff[l];
      const b0 = net.bOff[l];
      // ∂W = (Aᵀ D + alpha·W) / bs, ∂b = Σ_i D_i / bs.
      const aT = this.aT[l];
      const dT = this.dT[l];
      transpose(A, aT, bs, fanIn);
      transpose(D, dT, bs, fanOut);
      gemmNT(aT, dT, grad, fanIn, fanOut, bs, false, 0, 0, w0);
      const nw = fanIn * fanOut;
      for (let k = 0; k < nw; k++) grad[w0 + k] = (grad[w0 + k] + alpha * params[w0 + k]) * inv;
      for (let j = 0; j < fanOut; j++) {
        let sb = 0;
        const dr = j * bs;
        for (let i = 0; i < bs; i++) sb += dT[dr + i];
        grad[b0 + j] = sb * inv;
      }
      if (l === 0) break;
      // Delta of the layer below: (D·Wᵀ) ⊙ f'(A).
      const Dp = deltas[l];
      gemmNT(D, params, Dp, bs, fanIn, fanOut, false, 0, w0, 0);
      const act = net.activation;
      const n = bs * fanIn;
      if (act === Activation.Relu) {
        for (let k = 0; k < n; k++) if (A[k] === 0) Dp[k] = 0;
      } else if (act === Activation.Tanh) {
        for (let k = 0; k < n; k++) Dp[k] *= 1 - A[k] * A[k];
      } else {
        for (let k = 0; k < n; k++) Dp[k] *= A[k] * (1 - A[k]);
      }
    }
    return loss;
  }
}

export class MLPClassifier implements Classifier {
  readonly kind = MLP_KIND;
  readonly options: ResolvedMlpOptions;
  private net: Network | null = null;
  private params: Float64Array | null = null;
  private nIter = 0;
  private lossCurve: number[] = [];

  /** `seed` plays scikit-learn's `random_state`; it is mixed with `FitOptions.seed`. */
  constructor(
    params: RawParams = {},
    readonly seed = 0,
  ) {
    this.options = resolveMlpOptions(params);
  }

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const s = resolveSample(X, y, options, this.kind);
    checkFinite(X, this.kind);
    const o = this.options;
    const rng = new Rng(hashSeeds(this.seed, options.seed));
    const net = new Network([X.nCols, ...o.hiddenLayerSizes, 1], o.activation);
    const params = new Float64Array(net.nParams);
    net.init(params, rng);
    // Training rows: each active row repeated by its multiplicity (so `rows` ≡ taking rows); sample
    // weights enter as per-row loss scales relative to the multiplicity.
    let nTrain = 0;
    for (const r of s.active) nTrain += s.count[r];
    const rows = new Uint32Array(nTrain);
    let t = 0;
    for (const r of s.active) for (let k = 0; k < s.count[r]; k++) rows[t++] = r;
    let scale: Float64Array | null = null;
    if (options.sampleWeight) {
      scale = new Float64Array(X.nRows);
      for (const r of s.active) scale[r] = s.weight[r] / s.count[r];
    }
    if (o.solver === MlpSolver.Lbfgs) this.fitLbfgs(net, params, X, y, rows, scale);
    else this.fitStochastic(net, params, X, y, rows, scale, rng);
    this.net = net;
    this.params = params;
  }

  private fitStochastic(
    net: Network,
    params: Float64Array,
    X: DenseMatrix,
    y: Uint8Array,
    rows: Uint32Array,
    scale: Float64Array | null,
    rng: Rng,
  ): void {
    const o = this.options;
    const n = rows.length;
    const bsMax = o.batchSize > 0 ? Math.min(o.batchSize, n) : Math.min(200, n);
    const pass = new Pass(net, bsMax);
    const grad = new Float64Array(net.nParams);
    const m1 = new Float64Array(net.nParams);
    const m2 = new Float64Array(net.nParams);
    const adam = o.solver === MlpSolver.Adam;
    let lr = o.learningRateInit;
    let step = 0;
    let samplesSeen = 0;
    let best = Infinity;
    let noImprove = 0;
    const curve: number[] = [];
    let epoch = 0;
    for (; epoch < o.maxIter; epoch++) {
      rng.shuffle(rows);
      let acc = 0;
      for (let from = 0; from < n; from += bsMax) {
        const bs = Math.min(bsMax, n - from);
        pass.load(X, rows, from, bs);
        pass.forward(params, bs);
        acc += pass.backward(params, grad, y, rows, from, bs, o.alpha, scale) * bs;
        if (adam) {
          // Kingma & Ba 2015, Algorithm 1, with the bias correction folded into the step size.
          step++;
          const b1 = 0.9;
          const b2 = 0.999;
          const lrT = (lr * Math.sqrt(1 - Math.pow(b2, step))) / (1 - Math.pow(b1, step));
          for (let k = 0; k < params.length; k++) {
            const g = grad[k];
            m1[k] = b1 * m1[k] + (1 - b1) * g;
            m2[k] = b2 * m2[k] + (1 - b2) * g * g;
            params[k] -= (lrT * m1[k]) / (Math.sqrt(m2[k]) + 1e-8);
          }
        } else {
          // Momentum SGD with Nesterov's correction, as scikit-learn's SGDOptimizer (m1 = velocity).
          const mu = o.momentum;
          for (let k = 0; k < params.length; k++) {
            const v = mu * m1[k] - lr * grad[k];
            m1[k] = v;
            params[k] += mu * v - lr * grad[k];
          }
        }
      }
      const loss = acc / n;
      curve.push(loss);
      samplesSeen += n;
      if (!adam && o.learningRate === LearningRateSchedule.InvScaling) {
        lr = o.learningRateInit / Math.pow(samplesSeen + 1, o.powerT);
      }
      if (loss > best - o.tol) noImprove++;
      else noImprove = 0;
      if (loss < best) best = loss;
      if (noImprove > o.nIterNoChange) {
        if (!adam && o.learningRate === LearningRateSchedule.Adaptive && lr > 1e-6) {
          lr /= 5;
          noImprove = 0;
        } else {
          epoch++;
          break;
        }
      }
    }
    this.nIter = epoch;
    this.lossCurve = curve;
  }

  private fitLbfgs(
    net: Network,
    params: Float64Array,
    X: DenseMatrix,
    y: Uint8Array,
    rows: Uint32Array,
    scale: Float64Array | null,
  ): void {
    const o = this.options;
    const n = rows.length;
    const chunk = Math.min(n, 1024);
    const pass = new Pass(net, chunk);
    const P = net.nParams;
    const gChunk = new Float64Array(P);
    // Full-batch loss and gradient, accumulated over chunks of rows (the penalty is added once).
    const evaluate = (theta: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let from = 0; from < n; from += chunk) {
        const bs = Math.min(chunk, n - from);
        pass.load(X, rows, from, bs);
        pass.forward(theta, bs);
        loss += pass.backward(theta, gChunk, y, rows, from, bs, 0, scale) * bs;
        for (let k = 0; k < P; k++) grad[k] += gChunk[k] * bs;
      }
      let wsq = 0;
      for (let l = 0; l < net.nLayers; l++) {
        const w0 = net.wOff[l];
        const nw = net.sizes[l] * net.sizes[l + 1];
        for (let k = 0; k < nw; k++) {
          wsq += theta[w0 + k] * theta[w0 + k];
          grad[w0 + k] += o.alpha * theta[w0 + k];
        }
      }
      for (let k = 0; k < P; k++) grad[k] /= n;
      return (loss + 0.5 * o.alpha * wsq) / n;
    };
    const M = LBFGS_MEMORY;
    const S = Array.from({ length: M }, () => new Float64Array(P));
    const Yk = Array.from({ length: M }, () => new Float64Array(P));
    const rho = new Float64Array(M);
    const alphaK = new Float64Array(M);
    const grad = new Float64Array(P);
    const gradNew = new Float64Array(P);
    const dir = new Float64Array(P);
    const trial = new Float64Array(P);
    const dot = (a: Float64Array, b: Float64Array): number => {
      let s = 0;
      for (let k = 0; k < P; k++) s += a[k] * b[k];
      return s;
    };
    let f = evaluate(params, grad);
    const curve = [f];
    let nPairs = 0;
    let head = 0;
    let it = 0;
    for (; it < o.maxIter; it++) {
      let gmax = 0;
      for (let k = 0; k < P; k++) gmax = Math.max(gmax, Math.abs(grad[k]));
      if (gmax <= o.tol) break;
      for (let k = 0; k < P; k++) dir[k] = -grad[k];
      for (let q = 0; q < nPairs; q++) {
        const i = (head - 1 - q + M) % M;
        const a = rho[i] * dot(S[i], dir);
        alphaK[i] = a;
        const yv = Yk[i];
        for (let k = 0; k < P; k++) dir[k] -= a * yv[k];
      }
      let t = 1;
      if (nPairs > 0) {
        const last = (head - 1 + M) % M;
        const gamma = dot(S[last], Yk[last]) / dot(Yk[last], Yk[last]);
        for (let k = 0; k < P; k++) dir[k] *= gamma;
      } else t = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
      for (let q = nPairs - 1; q >= 0; q--) {
        const i = (head - 1 - q + M) % M;
        const b = rho[i] * dot(Yk[i], dir);
        const sv = S[i];
        const c = alphaK[i] - b;
        for (let k = 0; k < P; k++) dir[k] += c * sv[k];
      }
      let slope = dot(grad, dir);
      if (!(slope < 0)) {
        nPairs = 0;
        for (let k = 0; k < P; k++) dir[k] = -grad[k];
        slope = dot(grad, dir);
        t = 1 / Math.max(1, Math.sqrt(-slope));
      }
      let fNew = NaN;
      for (let ls = 0; ls < 40; ls++) {
        for (let k = 0; k < P; k++) trial[k] = params[k] + t * dir[k];
        const ft = evaluate(trial, gradNew);
        if (ft <= f + 1e-4 * t * slope) {
          fNew = ft;
          break;
        }
        t *= 0.5;
      }
      if (Number.isNaN(fNew)) break;
      const sv = S[head];
      const yv = Yk[head];
      for (let k = 0; k < P; k++) {
        sv[k] = trial[k] - params[k];
        yv[k] = gradNew[k] - grad[k];
      }
      const sy = dot(sv, yv);
      if (sy > 1e-12) {
        rho[head] = 1 / sy;
        head = (head + 1) % M;
        nPairs = Math.min(M, nPairs + 1);
      }
      params.set(trial);
      grad.set(gradNew);
      f = fNew;
      curve.push(f);
    }
    this.nIter = it;
    this.lossCurve = curve;
  }

  /** Epochs (stochastic solvers) or iterations (lbfgs) run by the last fit. */
  get iterations(): number {
    return this.nIter;
  }

  /** Training loss after each epoch / iteration of the last fit (a copy). */
  get losses(): number[] {
    return [...this.lossCurve];
  }

  predictProba(X: DenseMatrix): Float64Array {
    const net = this.net ?? notFitted(this.kind, 'predictProba');
    const params = this.params as Float64Array;
    checkPredictShape(X, net.sizes[0], this.kind);
    checkFinite(X, this.kind);
    const n = X.nRows;
    const chunk = Math.max(1, Math.min(n, 1024));
    const pass = new Pass(net, chunk);
    const rows = new Uint32Array(chunk);
    const out = new Float64Array(n);
    const last = pass.acts[net.nLayers];
    for (let from = 0; from < n; from += chunk) {
      const bs = Math.min(chunk, n - from);
      for (let i = 0; i < bs; i++) rows[i] = from + i;
      pass.load(X, rows, 0, bs);
      pass.forward(params, bs);
      out.set(last.subarray(0, bs), from);
    }
    return out;
  }

  toJSON(): SerializedModel {
    const net = this.net ?? notFitted(this.kind, 'toJSON');
    const params = this.params as Float64Array;
    const o = this.options;
    return {
      kind: this.kind,
      version: VERSION,
      params: {
        hidden_layer_sizes: [...o.hiddenLayerSizes],
        activation: o.activation,
        solver: o.solver,
        learning_rate: o.learningRate,
        learning_rate_init: o.learningRateInit,
        alpha: o.alpha,
        batch_size: o.batchSize === 0 ? 'auto' : o.batchSize,
        max_iter: o.maxIter,
        tol: o.tol,
        n_iter_no_change: o.nIterNoChange,
        momentum: o.momentum,
        power_t: o.powerT,
      },
      seed: this.seed,
      nFeatures: net.sizes[0],
      iterations: this.nIter,
      weights: Array.from(params),
    };
  }

  static fromJSON(json: unknown): MLPClassifier {
    const doc = checkDocument(json, MLP_KIND, VERSION);
    const m = new MLPClassifier(jsonParams(doc, MLP_KIND), jsonNumber(doc, 'seed', MLP_KIND));
    const nf = jsonNumber(doc, 'nFeatures', MLP_KIND);
    const net = new Network([nf, ...m.options.hiddenLayerSizes, 1], m.options.activation);
    const w = jsonArray(doc, 'weights', MLP_KIND);
    if (w.length !== net.nParams || w.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      modelError(
        ModelErrorCode.BadJson,
        `${MLP_KIND}: field 'weights' must hold ${net.nParams} finite numbers for this architecture`,
        { expected: net.nParams, got: w.length },
      );
    }
    m.net = net;
    m.params = Float64Array.from(w as number[]);
    m.nIter = jsonNumber(doc, 'iterations', MLP_KIND);
    return m;
  }
}
