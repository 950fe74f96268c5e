/**
 * Adversarial Debiasing (Zhang, Lemoine & Mitchell 2018, "Mitigating Unwanted Biases with Adversarial
 * Learning"), with the architecture and training schedule of aif360's `AdversarialDebiasing`:
 *
 * - predictor: x → h = relu(x W₁ + b₁) (hidden units) → dropout (keep 0.8 in training) → z = h W₂ + b₂,
 *   ŷ = σ(z); loss L_P = mean CE(y, z).
 * - adversary (equalized-odds variant): s = σ((1 + |c|)·z), a = u₀s + u₁·s·y + u₂·s·(1 − y) + b, loss
 *   L_A = mean CE(prot, a). The adversary minimises L_A over (c, u, b).
 * - predictor update (Zhang et al. Eq. 1), per variable tensor W as in aif360:
 *       g = ∇_W L_P − (∇_W L_P · û) û − α ∇_W L_A,      û = ∇_W L_A / ‖∇_W L_A‖
 *   the projection removes the component of the predictor's step that would help the adversary, and −α∇L_A
 *   actively hurts it (α = adversary_loss_weight).
 * - Adam (β₁ 0.9, β₂ 0.999, ε 1e-8, TF1 bias correction) for both, learning rate 0.001·0.96^⌊step/1000⌋;
 *   Glorot-uniform weights, zero biases, c = 1.
 *
 * Gradients are derived by hand: with δ_z the derivative of a loss w.r.t. the logit z of a row,
 * ∂/∂W₂ = Σ δ_z·(h ⊙ mask), ∂/∂pre = δ_z·W₂ ⊙ mask ⊙ [pre > 0], ∂/∂W₁ = Σ xᵀ ∂/∂pre. For the adversary,
 * δ_a = σ(a) − prot, δ_s = δ_a·(u₀ + u₁y + u₂(1 − y)), ∂s = s(1 − s), so δ_z^A = δ_s·∂s·(1 + |c|) and
 * ∂L_A/∂c = Σ δ_s·∂s·z·sign(c). Losses are (weighted) batch means.
 *
 * Differences from aif360, on purpose: epochs visit a seeded permutation in ⌈n/batch⌉ batches (aif360 samples
 * ids with replacement and drops the last partial batch, so n < batch would not train at all); sample
 * weights and `rows` (bootstrap samples) are honoured. The pipeline's model is not used: AD replaces it.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import type { DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';
import { badOption, checkFeatureCount, checkFinite, checkTraining, notFitted } from './check';
import { expectKind, f64, num, toArray } from './serial';
import type { InProcessor } from './stage';

export interface AdversarialDebiasingOptions {
  readonly adversaryLossWeight: number;
  readonly numEpochs: number;
  readonly batchSize: number;
  readonly classifierNumHiddenUnits: number;
  /** false trains the same predictor without the adversary (the plain baseline). */
  readonly debias: boolean;
  /** Adam's starting learning rate (aif360: 0.001). */
  readonly learningRate?: number;
  /** Dropout keep probability during training (aif360: 0.8). */
  readonly keepProb?: number;
}

const KIND = 'AD';
const VERSION = 1;
/** tf.nn.l2_normalize's floor on the squared norm. */
const NORM_EPS = 1e-12;

/** Adam state over one parameter tensor. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  constructor(size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  /** θ −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε), t ≥ 1 (TF1 `AdamOptimizer`). */
  step(theta: Float64Array, g: Float64Array, lr: number, t: number): void {
    const b1 = 0.9;
    const b2 = 0.999;
    const lrT = (lr * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t));
    const { m, v } = this;
    for (let i = 0; i < theta.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      theta[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + 1e-8);
    }
  }
}

export class AdversarialDebiasing implements InProcessor {
  readonly phase = 'in' as const;
  readonly name = KIND;
  readonly options: Required<AdversarialDebiasingOptions>;
  /** Predictor: W1 (d, h) row-major, b1 (h), W2 (h), b2 (1). */
  private W1: Float64Array | null = null;
  private b1: Float64Array | null = null;
  private W2: Float64Array | null = null;
  private b2 = 0;
  private nCols = 0;

  constructor(options: AdversarialDebiasingOptions) {
    const o = {
      learningRate: 0.001,
      keepProb: 0.8,
      ...options,
    };
    const where = 'AD';
    if (!(o.adversaryLossWeight >= 0 && Number.isFinite(o.adversaryLossWeight)))
      badOption(where, 'adversary_loss_weight', o.adversaryLossWeight, 'a finite number ≥ 0');
    if (!(Number.isInteger(o.numEpochs) && o.numEpochs >= 1))
      badOption(where, 'num_epochs', o.numEpochs, 'an integer ≥ 1');
    if (!(Number.isInteger(o.batchSize) && o.batchSize >= 1))
      badOption(where, 'batch_size', o.batchSize, 'an integer ≥ 1');
    if (!(Number.isInteger(o.classifierNumHiddenUnits) && o.classifierNumHiddenUnits >= 1))
      badOption(where, 'classifier_num_hidden_units', o.classifierNumHiddenUnits, 'an integer ≥ 1');
    if (!(o.learningRate > 0)) badOption(where, 'learningRate', o.learningRate, 'a number > 0');
    if (!(o.keepProb > 0 && o.keepProb <= 1)) badOption(where, 'keepProb', o.keepProb, 'a number in (0, 1]');
    this.options = o;
  }

  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: FitOptions): void {
    checkTraining(X, y, prot, 'AD.fit', {
      finite: true,
      rows: options.rows,
      sampleWeight: options.sampleWeight,
    });
    const o = this.options;
    const rng = new Rng(hashSeeds(options.seed, 0x4144));
    const tr = new AdTrainer(X, y, prot, options.sampleWeight, o, rng);
    const pool = options.rows ? Uint32Array.from(options.rows) : identity(X.nRows);
    const N = pool.length;
    const B = Math.min(o.batchSize, N);
    let step = 0;
    for (let epoch = 0; epoch < o.numEpochs; epoch++) {
      rng.shuffle(pool);
      for (let start = 0; start < N; start += B) {
        if (!tr.accumulate(pool, start, Math.min(N, start + B))) continue;
        step++;
        tr.update(o.learningRate * Math.pow(0.96, Math.floor(step / 1000)), step);
      }
    }
    this.W1 = tr.W1;
    this.b1 = tr.b1;
    this.W2 = tr.W2;
    this.b2 = tr.b2[0];
    this.nCols = X.nCols;
  }

  predictProba(X: DenseMatrix, _prot?: Uint8Array): Float64Array {
    const W1 = this.W1 ?? notFitted('AD.predictProba');
    const b1 = this.b1 as Float64Array;
    const W2 = this.W2 as Float64Array;
    checkFeatureCount(X, this.nCols, 'AD.predictProba');
    checkFinite('X', X.data, 'AD.predictProba');
    const { nRows: n, nCols: d, data } = X;
    const H = b1.length;
    const pre = new Float64Array(H);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      pre.set(b1);
      for (let k = 0; k < d; k++) {
        const xk = data[i * d + k];
        if (xk === 0) continue;
        for (let j = 0; j < H; j++) pre[j] += xk * W1[k * H + j];
      }
      let z = this.b2;
      for (let j = 0; j < H; j++) if (pre[j] > 0) z += pre[j] * W2[j];
      out[i] = sigmoid(z);
    }
    return out;
  }

  toJSON(): SerializedModel {
    const W1 = this.W1 ?? notFitted('AD.toJSON');
    return {
      kind: KIND,
      version: VERSION,
      ...this.options,
      nCols: this.nCols,
      W1: toArray(W1),
      b1: toArray(this.b1 as Float64Array),
      W2: toArray(this.W2 as Float64Array),
      b2: this.b2,
    };
  }

  static fromJSON(s: SerializedModel): AdversarialDebiasing {
    expectKind(s, KIND, VERSION);
    const a = new AdversarialDebiasing({
      adversaryLossWeight: num(s, 'adversaryLossWeight'),
      numEpochs: num(s, 'numEpochs'),
      batchSize: num(s, 'batchSize'),
      classifierNumHiddenUnits: num(s, 'classifierNumHiddenUnits'),
      debias: s.debias === true,
      learningRate: num(s, 'learningRate'),
      keepProb: num(s, 'keepProb'),
    });
    a.nCols = num(s, 'nCols');
    a.W1 = f64(s, 'W1');
    a.b1 = f64(s, 'b1');
    a.W2 = f64(s, 'W2');
    a.b2 = num(s, 'b2');
    return a;
  }
}

/**
 * One fit's training state — parameters, both gradient sets, Adam moments and per-row scratch — allocated
 * once. Kept apart from `fit` so the per-batch work is a small, hot, monomorphic method.
 */
class AdTrainer {
  /** Predictor: W1 (d, H) row-major, b1 (H), W2 (H), b2 (1); adversary: c, u (3), b. */
  readonly W1: Float64Array;
  readonly b1: Float64Array;
  readonly W2: Float64Array;
  readonly b2 = new Float64Array(1);
  private readonly advC = Float64Array.of(1);
  private readonly advU: Float64Array;
  private readonly advB = new Float64Array(1);
  private readonly params: Float64Array[];
  /** ∇L_P and ∇L_A w.r.t. the predictor's tensors (same order as `params`), the combined step. */
  private readonly gP: Float64Array[];
  private readonly gA: Float64Array[];
  private readonly gStep: Float64Array[];
  private readonly gC = new Float64Array(1);
  private readonly gU = new Float64Array(3);
  private readonly gB = new Float64Array(1);
  private readonly optP: Adam[];
  private readonly optC = new Adam(1);
  private readonly optU = new Adam(3);
  private readonly optB = new Adam(1);
  /** (H) per-row scratch: pre-activations, masked activations, mask, back-propagated signals, active units. */
  private readonly pre: Float64Array;
  private readonly hm: Float64Array;
  private readonly mask: Float64Array;
  private readonly dpP: Float64Array;
  private readonly dpA: Float64Array;
  private readonly act: Int32Array;
  private readonly d: number;
  private readonly H: number;

  constructor(
    private readonly X: DenseMatrix,
    private readonly y: Uint8Array,
    private readonly prot: Uint8Array,
    private readonly sw: Float64Array | undefined,
    private readonly o: Required<AdversarialDebiasingOptions>,
    private readonly rng: Rng,
  ) {
    const d = X.nCols;
    const H = o.classifierNumHiddenUnits;
    this.d = d;
    this.H = H;
    this.W1 = glorot(rng, d * H, d, H);
    this.b1 = new Float64Array(H);
    this.W2 = glorot(rng, H, H, 1);
    this.advU = glorot(rng, 3, 3, 1);
    this.params = [this.W1, this.b1, this.W2, this.b2];
    this.gP = this.params.map((p) => new Float64Array(p.length));
    this.gA = this.params.map((p) => new Float64Array(p.length));
    this.gStep = this.params.map((p) => new Float64Array(p.length));
    this.optP = this.params.map((p) => new Adam(p.length));
    this.pre = new Float64Array(H);
    this.hm = new Float64Array(H);
    this.mask = new Float64Array(H);
    this.dpP = new Float64Array(H);
    this.dpA = new Float64Array(H);
    this.act = new Int32Array(H);
  }

  /** Accumulates the gradients of batch pool[start, end); false when the batch carries no weight. */
  accumulate(pool: Uint32Array, start: number, end: number): boolean {
    for (let v = 0; v < 4; v++) {
      this.gP[v].fill(0);
      this.gA[v].fill(0);
    }
    this.gC[0] = 0;
    this.gU.fill(0);
    this.gB[0] = 0;
    const sw = this.sw;
    let wSum = 0;
    if (sw) for (let t = start; t < end; t++) wSum += sw[pool[t]];
    else wSum = end - start;
    if (!(wSum > 0)) return false;
    for (let t = start; t < end; t++) {
      const i = pool[t];
      const wi = (sw ? sw[i] : 1) / wSum;
      if (wi !== 0) this.row(i, wi);
    }
    return true;
  }

  /** Forward and backward pass of row i with loss weight wi. */
  private row(i: number, wi: number): void {
    const { d, H, pre, hm, mask, dpP, dpA, act, W1, b1, W2, advU, rng } = this;
    const data = this.X.data;
    const keep = this.o.keepProb;
    const gW1P = this.gP[0];
    const gb1P = this.gP[1];
    const gW2P = this.gP[2];
    const gW1A = this.gA[0];
    const gb1A = this.gA[1];
    const gW2A = this.gA[2];
    const xo = i * d;
    for (let j = 0; j < H; j++) pre[j] = b1[j];
    for (let k = 0; k < d; k++) {
      const xk = data[xo + k];
      if (xk === 0) continue;
      const wo = k * H;
      for (let j = 0; j < H; j++) pre[j] += xk * W1[wo + j];
    }
    let z = this.b2[0];
    // Units that pass both the ReLU and dropout; only they carry gradient back to W1 and b1.
    let nAct = 0;
    for (let j = 0; j < H; j++) {
      // Inverted dropout as tf.nn.dropout: kept units are scaled by 1/keep. Every unit draws, active or
      // not, so the random stream does not depend on the weights.
      const mj = keep >= 1 || rng.next() < keep ? 1 / keep : 0;
      if (pre[j] > 0 && mj > 0) {
        mask[j] = mj;
        hm[j] = pre[j] * mj;
        z += hm[j] * W2[j];
        act[nAct++] = j;
      }
    }
    const yi = this.y[i];
    const dzP = wi * (sigmoid(z) - yi);
    let dzA = 0;
    if (this.o.debias) {
      const cAbs = Math.abs(this.advC[0]);
      const s = sigmoid((1 + cAbs) * z);
      const u = advU[0] + advU[1] * yi + advU[2] * (1 - yi);
      const a = u * s + this.advB[0];
      const da = wi * (sigmoid(a) - this.prot[i]);
      this.gU[0] += da * s;
      this.gU[1] += da * s * yi;
      this.gU[2] += da * s * (1 - yi);
      this.gB[0] += da;
      const ds = da * u * s * (1 - s);
      this.gC[0] += ds * z * Math.sign(this.advC[0]);
      dzA = ds * (1 + cAbs);
    }
    this.gP[3][0] += dzP;
    this.gA[3][0] += dzA;
    for (let a = 0; a < nAct; a++) {
      const j = act[a];
      gW2P[j] += dzP * hm[j];
      gW2A[j] += dzA * hm[j];
      const back = W2[j] * mask[j];
      dpP[j] = dzP * back;
      dpA[j] = dzA * back;
      gb1P[j] += dpP[j];
      gb1A[j] += dpA[j];
    }
    for (let k = 0; k < d; k++) {
      const xk = data[xo + k];
      if (xk === 0) continue;
      const wo = k * H;
      for (let a = 0; a < nAct; a++) {
        const j = act[a];
        gW1P[wo + j] += xk * dpP[j];
        gW1A[wo + j] += xk * dpA[j];
      }
    }
  }

  /** One Adam step of the predictor (projected gradient when debiasing) and of the adversary. */
  update(lr: number, step: number): void {
    const debias = this.o.debias;
    const alpha = this.o.adversaryLossWeight;
    for (let v = 0; v < 4; v++) {
      const g = this.gStep[v];
      const p = this.gP[v];
      if (debias) {
        const a = this.gA[v];
        let aa = 0;
        let pa = 0;
        for (let q = 0; q < a.length; q++) {
          aa += a[q] * a[q];
          pa += p[q] * a[q];
        }
        // (g_P · û) û with û = g_A / √max(‖g_A‖², NORM_EPS), i.e. (g_P · g_A) g_A / max(‖g_A‖², NORM_EPS).
        const proj = pa / Math.max(aa, NORM_EPS);
        for (let q = 0; q < a.length; q++) g[q] = p[q] - proj * a[q] - alpha * a[q];
      } else g.set(p);
      this.optP[v].step(this.params[v], g, lr, step);
    }
    if (debias) {
      this.optC.step(this.advC, this.gC, lr, step);
      this.optU.step(this.advU, this.gU, lr, step);
      this.optB.step(this.advB, this.gB, lr, step);
    }
  }
}

/** Glorot/Xavier uniform: U(−√(6/(fanIn+fanOut)), +√(6/(fanIn+fanOut))). */
function glorot(rng: Rng, size: number, fanIn: number, fanOut: number): Float64Array {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = rng.uniform(-lim, lim);
  return w;
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}
