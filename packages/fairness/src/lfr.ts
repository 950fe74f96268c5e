/**
 * Learning Fair Representations (Zemel et al. 2013, ICML), in the formulation of aif360's `LFR`:
 * k prototypes v_k ∈ ℝᵈ with label weights w_k ∈ (0, 1); row i maps to prototype probabilities
 *
 *     M_ik = softmax_k(−‖xᵢ − v_k‖)              (Euclidean distance, not squared, as aif360)
 *     x̂ᵢ = Σ_k M_ik v_k,    ŷᵢ = clip(Σ_k M_ik w_k, ε, 1 − ε)
 *
 * and the parameters minimise  L = A_x·L_x + A_y·L_y + A_z·L_z  with
 *
 *     L_x = Σ_g mean_{i∈g, j} (x̂_ij − x_ij)²                    (reconstruction, per-group means summed)
 *     L_y = −mean_i [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]          (label prediction)
 *     L_z = mean_k |mean_{i∈g₀} M_ik − mean_{i∈g₁} M_ik|        (statistical parity of the representation)
 *
 * The gradient is derived by hand (chain rule through x̂, ŷ and the softmax, see `evaluate`) and the problem is
 * solved with L-BFGS. aif360 bounds w to [0, 1] with L-BFGS-B; we optimise θ with w = σ(θ), which keeps w in
 * (0, 1) and the problem unconstrained. Initialisation (seeded): w ~ U(0, 1), prototypes at k distinct random
 * training rows (aif360 draws them from U(0, 1); data rows start inside the data cloud whatever its scale).
 *
 * `transform` returns x̂ (same width as X): the fair representation the model trains on. Labels are kept
 * (SPEC §2.4). Sample weights are ignored.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
import type { DenseMatrix, SerializedModel } from '@virnyflow/models';
import { badOption, checkFeatureCount, checkFinite, checkTraining, notFitted } from './check';
import { minimizeLbfgs } from './lbfgs';
import type { PreFitOptions, PreProcessed, PreProcessor } from './stage';
import { expectKind, f64, num, toArray } from './serial';

export interface LfrOptions {
  /** Number of prototypes (SPEC §2.4: 5). */
  readonly k: number;
  /** Weight of the reconstruction loss (0.01). */
  readonly Ax: number;
  /** Weight of the label loss. */
  readonly Ay: number;
  /** Weight of the group-parity loss. */
  readonly Az: number;
  /** L-BFGS iteration and function-evaluation budget (aif360: maxiter = maxfun = 5000). */
  readonly maxIter?: number;
}

/** ŷ is clipped to [ε, 1 − ε] before the log, as aif360 (`np.finfo(float).eps`). */
const EPS = 2.220446049250313e-16;
const KIND = 'LFR';
const VERSION = 1;

export class LearningFairRepresentations implements PreProcessor {
  readonly phase = 'pre' as const;
  readonly name = KIND;
  readonly options: Required<LfrOptions>;
  /** (k) label weights and (k, nCols) prototypes, row-major; null before fit. */
  private w: Float64Array | null = null;
  private V: Float64Array | null = null;
  private nCols = 0;
  /** Final objective value and L-BFGS iterations of the last fit (diagnostics). */
  lastLoss = NaN;
  lastIterations = 0;

  constructor(options: LfrOptions) {
    const { k, Ax, Ay, Az } = options;
    const maxIter = options.maxIter ?? 5000;
    if (!(Number.isInteger(k) && k >= 1)) badOption('LFR', 'k', k, 'an integer ≥ 1');
    for (const [name, v] of [
      ['Ax', Ax],
      ['Ay', Ay],
      ['Az', Az],
    ] as const) {
      if (!(v >= 0 && Number.isFinite(v))) badOption('LFR', name, v, 'a finite number ≥ 0');
    }
    if (!(Number.isInteger(maxIter) && maxIter >= 1)) badOption('LFR', 'maxIter', maxIter, 'an integer ≥ 1');
    this.options = { k, Ax, Ay, Az, maxIter };
  }

  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: PreFitOptions): void {
    const [n0, n1] = checkTraining(X, y, prot, 'LFR.fit', { finite: true });
    const { nRows: n, nCols: d, data } = X;
    const { k, maxIter } = this.options;
    const rng = new Rng(hashSeeds(options.seed, 0x4c4652));
    const p0 = new Float64Array(k + k * d);
    for (let c = 0; c < k; c++) {
      const w = Math.min(1 - 1e-3, Math.max(1e-3, rng.next()));
      p0[c] = Math.log(w / (1 - w));
    }
    // k distinct rows when possible (partial Fisher–Yates over row indices).
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    for (let c = 0; c < k; c++) {
      let row: number;
      if (c < n) {
        const pick = c + rng.nextInt(n - c);
        row = idx[pick];
        idx[pick] = idx[c];
        idx[c] = row;
      } else row = rng.nextInt(n);
      for (let j = 0; j < d; j++) p0[k + c * d + j] = data[row * d + j];
    }
    const problem = new LfrObjective(X, y, prot, n0, n1, this.options);
    const res = minimizeLbfgs((p, g) => problem.evaluate(p, g), p0, { maxIter, maxEval: maxIter });
    const w = new Float64Array(k);
    for (let c = 0; c < k; c++) w[c] = sigmoid(res.x[c]);
    this.w = w;
    this.V = res.x.slice(k);
    this.nCols = d;
    this.lastLoss = res.f;
    this.lastIterations = res.iterations;
  }

  /** The fitted prototypes `(k, nCols)` row-major and label weights `(k)` (copies). */
  get prototypes(): { V: Float64Array; w: Float64Array } {
    if (!this.V || !this.w) notFitted('LFR.prototypes');
    return { V: this.V.slice(), w: this.w.slice() };
  }

  transform(X: DenseMatrix, _prot: Uint8Array): PreProcessed {
    const V = this.V ?? notFitted('LFR.transform');
    checkFeatureCount(X, this.nCols, 'LFR.transform');
    checkFinite('X', X.data, 'LFR.transform');
    const { nRows: n, nCols: d, data } = X;
    const k = this.options.k;
    const out = new Float64Array(n * d);
    const Mi = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      softmaxNegDist(data, i, d, V, k, Mi, 0, null);
      for (let c = 0; c < k; c++) {
        const m = Mi[c];
        for (let j = 0; j < d; j++) out[i * d + j] += m * V[c * d + j];
      }
    }
    return { X: { data: out, nRows: n, nCols: d } };
  }

  /** ŷᵢ = Σ_k M_ik w_k: LFR's own label prediction (aif360's `transform` scores). */
  predictProba(X: DenseMatrix): Float64Array {
    const V = this.V ?? notFitted('LFR.predictProba');
    const w = this.w as Float64Array;
    checkFeatureCount(X, this.nCols, 'LFR.predictProba');
    const { nRows: n, nCols: d, data } = X;
    const k = this.options.k;
    const out = new Float64Array(n);
    const Mi = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      softmaxNegDist(data, i, d, V, k, Mi, 0, null);
      let s = 0;
      for (let c = 0; c < k; c++) s += Mi[c] * w[c];
      out[i] = s;
    }
    return out;
  }

  toJSON(): SerializedModel {
    const V = this.V ?? notFitted('LFR.toJSON');
    return {
      kind: KIND,
      version: VERSION,
      ...this.options,
      nCols: this.nCols,
      w: toArray(this.w as Float64Array),
      V: toArray(V),
    };
  }

  static fromJSON(s: SerializedModel): LearningFairRepresentations {
    expectKind(s, KIND, VERSION);
    const l = new LearningFairRepresentations({
      k: num(s, 'k'),
      Ax: num(s, 'Ax'),
      Ay: num(s, 'Ay'),
      Az: num(s, 'Az'),
      maxIter: num(s, 'maxIter'),
    });
    l.nCols = num(s, 'nCols');
    l.w = f64(s, 'w');
    l.V = f64(s, 'V');
    return l;
  }
}

/**
 * The LFR objective and its analytic gradient over the parameter vector p = [θ (k), V (k·d) row-major].
 * Exported for the gradient check in the tests.
 */
export class LfrObjective {
  private readonly n: number;
  private readonly d: number;
  private readonly k: number;
  /** (n, k) softmax probabilities and distances of the current evaluation. */
  private readonly M: Float64Array;
  private readonly D: Float64Array;
  /** (n, d) reconstruction residuals x̂ − x and (n) unclipped ŷ of the current evaluation. */
  private readonly resid: Float64Array;
  private readonly yhat: Float64Array;
  /** Scratch: (d) reconstruction residual factor, (k) per-row upstream gradient. */
  private readonly R: Float64Array;
  private readonly G: Float64Array;
  private readonly w: Float64Array;
  private readonly zc: Float64Array;
  private readonly gw: Float64Array;

  constructor(
    private readonly X: DenseMatrix,
    private readonly y: Uint8Array,
    private readonly prot: Uint8Array,
    private readonly n0: number,
    private readonly n1: number,
    private readonly opts: { k: number; Ax: number; Ay: number; Az: number },
  ) {
    this.n = X.nRows;
    this.d = X.nCols;
    this.k = opts.k;
    this.M = new Float64Array(this.n * this.k);
    this.D = new Float64Array(this.n * this.k);
    this.resid = new Float64Array(this.n * this.d);
    this.yhat = new Float64Array(this.n);
    this.R = new Float64Array(this.d);
    this.G = new Float64Array(this.k);
    this.w = new Float64Array(this.k);
    this.zc = new Float64Array(this.k);
    this.gw = new Float64Array(this.k);
  }

  /** Returns L(p) and writes ∂L/∂p into `grad`. */
  evaluate(p: Float64Array, grad: Float64Array): number {
    const { n, d, k, M, D, R, G, w, zc, gw, resid, yhat } = this;
    const { Ax, Ay, Az } = this.opts;
    const data = this.X.data;
    const y = this.y;
    const prot = this.prot;
    const n0 = this.n0;
    const n1 = this.n1;
    const V = p.subarray(k);
    for (let c = 0; c < k; c++) w[c] = sigmoid(p[c]);
    grad.fill(0);
    gw.fill(0);
    const gV = grad.subarray(k);

    // Pass 1: M, group means of M (for L_z), L_x and L_y.
    zc.fill(0); // holds mean_{g0} M − mean_{g1} M during pass 1
    let Lx = 0;
    let Ly = 0;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      softmaxNegDist(data, i, d, V, k, M, o, D);
      const inv = prot[i] === 0 ? 1 / n0 : -1 / n1;
      for (let c = 0; c < k; c++) zc[c] += M[o + c] * inv;
      const scaleX = 1 / ((prot[i] === 0 ? n0 : n1) * d);
      for (let j = 0; j < d; j++) {
        let xh = 0;
        for (let c = 0; c < k; c++) xh += M[o + c] * V[c * d + j];
        const r = xh - data[i * d + j];
        resid[i * d + j] = r;
        Lx += r * r * scaleX;
      }
      let yh = 0;
      for (let c = 0; c < k; c++) yh += M[o + c] * w[c];
      yhat[i] = yh;
      yh = yh < EPS ? EPS : yh > 1 - EPS ? 1 - EPS : yh;
      Ly -= (y[i] === 1 ? Math.log(yh) : Math.log(1 - yh)) / n;
    }
    let Lz = 0;
    for (let c = 0; c < k; c++) {
      Lz += Math.abs(zc[c]) / k;
      // ∂L_z/∂(mean difference) = sign/k; the mean difference is Σ_i M_ik·(1/n0 or −1/n1).
      zc[c] = Math.sign(zc[c]) / k;
    }

    // Pass 2: gradients.
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const gi = prot[i] === 0 ? n0 : n1;
      const rScale = (2 * Ax) / (gi * d);
      // R_j = A_x·∂L_x/∂x̂_ij
      for (let j = 0; j < d; j++) R[j] = rScale * resid[i * d + j];
      const yhRaw = yhat[i];
      // Zero gradient where the clip is active (the clipped value does not depend on the parameters).
      const gy =
        yhRaw <= EPS || yhRaw >= 1 - EPS ? 0 : (Ay * (y[i] === 1 ? -1 / yhRaw : 1 / (1 - yhRaw))) / n;
      const inv = prot[i] === 0 ? 1 / n0 : -1 / n1;
      let mg = 0;
      for (let c = 0; c < k; c++) {
        let gc = gy * w[c] + Az * zc[c] * inv;
        const m = M[o + c];
        for (let j = 0; j < d; j++) {
          gc += R[j] * V[c * d + j];
          // Direct path V → x̂.
          gV[c * d + j] += R[j] * m;
        }
        gw[c] += gy * m;
        G[c] = gc;
        mg += m * gc;
      }
      // Softmax backward: ∂L/∂s_ik = M_ik (G_ik − Σ_l M_il G_il), s_ik = −‖xᵢ − v_k‖,
      // ∂s_ik/∂v_k = (xᵢ − v_k)/‖xᵢ − v_k‖ (0 at the kink xᵢ = v_k).
      for (let c = 0; c < k; c++) {
        const dist = D[o + c];
        if (dist <= 0) continue;
        const gs = (M[o + c] * (G[c] - mg)) / dist;
        for (let j = 0; j < d; j++) gV[c * d + j] += gs * (data[i * d + j] - V[c * d + j]);
      }
    }
    for (let c = 0; c < k; c++) grad[c] = gw[c] * w[c] * (1 - w[c]);
    return Ax * Lx + Ay * Ly + Az * Lz;
  }
}

/** M[off + ·] = softmax(−‖xᵢ − v_·‖) (max-shifted for stability); distances into `dist[off + ·]` when given. */
function softmaxNegDist(
  data: Float64Array | Float32Array,
  i: number,
  d: number,
  V: Float64Array,
  k: number,
  out: Float64Array,
  off: number,
  dist: Float64Array | null,
): void {
  let best = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[i * d + j] - V[c * d + j];
      s += t * t;
    }
    const dc = Math.sqrt(s);
    out[off + c] = dc;
    if (dist) dist[off + c] = dc;
    if (dc < best) best = dc;
  }
  let z = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(best - out[off + c]);
    out[off + c] = e;
    z += e;
  }
  for (let c = 0; c < k; c++) out[off + c] /= z;
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}
