/**
 * Gaussian-process regression with a Matérn-5/2 ARD kernel (Rasmussen & Williams 2006, eq. 4.17):
 *   k(x, x') = σ_f² · (1 + √5·r + 5r²/3) · exp(−√5·r),   r² = Σ_d D_d(x, x') / ℓ_d²,
 * where D_d = (x_d − x'_d)² for numeric dimensions and D_d = [x_d ≠ x'_d] for categorical ones (a one-hot
 * distance, so the kernel stays positive definite), plus i.i.d. observation noise σ_n² on the diagonal.
 *
 * Inputs are expected in the unit cube (see `SpaceEncoding`); outputs are normalised to zero mean and unit
 * variance before fitting. Hyper-parameters θ = (log ℓ_1..ℓ_d, log σ_f², log σ_n²) maximise the log
 * marginal likelihood (R&W eq. 5.8) by projected L-BFGS with analytic gradients (R&W eq. 5.9),
 *   ∂(−log p)/∂θ_j = ½ tr((K⁻¹ − ααᵀ) ∂K/∂θ_j),   α = K⁻¹y,
 * from a fixed start plus seeded random restarts inside the bounds below.
 *
 * Layouts: X (n, d) row-major; K, L (n, n) row-major; candidate blocks (m, d) row-major.
 */
import type { Rng } from '@virnyflow/core';
import { CATEGORY_TOL } from './encoding';
import { OptimizerErrorCode, optimizerError } from './errors';
import type { Objective } from './lbfgs';
import { lbfgsMinimize } from './lbfgs';
import { choleskyInverse, choleskyLogDet, choleskySolve, choleskyWithJitter } from './linalg';

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

export interface GpHyperParameters {
  /** ARD length-scales ℓ_d (d), in unit-cube units. */
  readonly lengthScales: Float64Array;
  /** Signal variance σ_f² (of the normalised outputs). */
  readonly signalVariance: number;
  /** Noise variance σ_n² (of the normalised outputs). */
  readonly noiseVariance: number;
}

/**
 * Search box of the hyper-parameters (natural scale). Length-scales below 0.01 of the unit cube only fit
 * noise; above 20 a dimension is as good as ignored. Noise ≥ 1e-6 keeps K well conditioned without
 * jitter in the common case; ≤ 1 because outputs have unit variance.
 */
export const GP_BOUNDS = {
  lengthScale: [0.01, 20],
  signalVariance: [0.01, 20],
  noiseVariance: [1e-6, 1],
} as const;

export interface GpFitOptions {
  /** (d): 1 marks a categorical dimension (compared by equality). Default: all numeric. */
  categorical?: Uint8Array;
  /** Normalise outputs to zero mean / unit variance (default true). */
  normalizeOutputs?: boolean;
  /** Use these hyper-parameters instead of fitting them. */
  hyperParameters?: GpHyperParameters;
  /** Number of optimiser starts (the first from a fixed point, the others random). Default 3. */
  restarts?: number;
  /** L-BFGS iterations per start. Default 50. */
  maxIterations?: number;
  /** Generator for the random restarts; required when restarts > 1 and hyper-parameters are fitted. */
  rng?: Rng;
}

export class GaussianProcess {
  readonly n: number;
  readonly d: number;
  readonly hyper: GpHyperParameters;
  /** Negative log marginal likelihood of the normalised outputs at `hyper`. */
  readonly negLogLikelihood: number;
  /** Absolute jitter that had to be added to the diagonal (0 normally). */
  readonly jitter: number;
  private readonly x: Float64Array;
  private readonly yNorm: Float64Array;
  private readonly yMean: number;
  private readonly yStd: number;
  private readonly categorical: Uint8Array;
  private readonly invL2: Float64Array;
  /** Cholesky factor of K (n, n). */
  private readonly chol: Float64Array;
  /** K⁻¹·y_norm (n). */
  private readonly alpha: Float64Array;
  private blockScratch: Float64Array | null = null;

  private constructor(init: {
    x: Float64Array;
    n: number;
    d: number;
    yNorm: Float64Array;
    yMean: number;
    yStd: number;
    categorical: Uint8Array;
    hyper: GpHyperParameters;
    chol: Float64Array;
    alpha: Float64Array;
    jitter: number;
    nll: number;
  }) {
    this.x = init.x;
    this.n = init.n;
    this.d = init.d;
    this.yNorm = init.yNorm;
    this.yMean = init.yMean;
    this.yStd = init.yStd;
    this.categorical = init.categorical;
    this.hyper = init.hyper;
    this.chol = init.chol;
    this.alpha = init.alpha;
    this.jitter = init.jitter;
    this.negLogLikelihood = init.nll;
    this.invL2 = new Float64Array(init.d);
    for (let j = 0; j < init.d; j++)
      this.invL2[j] = 1 / (init.hyper.lengthScales[j] * init.hyper.lengthScales[j]);
  }

  /** Fits a GP to X (n, d) and y (n). */
  static fit(
    x: Float64Array,
    n: number,
    d: number,
    y: Float64Array,
    options: GpFitOptions = {},
  ): GaussianProcess {
    if (!(n >= 1) || x.length < n * d || y.length < n) {
      throw optimizerError(
        OptimizerErrorCode.BadInput,
        `GP needs X of n·d = ${n}·${d} values and y of n values (got ${x.length} and ${y.length})`,
        { n, d },
      );
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) {
        throw optimizerError(OptimizerErrorCode.BadInput, `GP target y[${i}] = ${y[i]} is not finite`, { i });
      }
    }
    const categorical = options.categorical ?? new Uint8Array(d);
    const xs = Float64Array.from(x.subarray(0, n * d));
    let yMean = 0;
    let yStd = 1;
    if (options.normalizeOutputs ?? true) {
      for (let i = 0; i < n; i++) yMean += y[i];
      yMean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (y[i] - yMean) * (y[i] - yMean);
      v /= n;
      // A constant target has no scale; keep 1 so the model predicts the constant with unit uncertainty.
      yStd = v > 1e-24 ? Math.sqrt(v) : 1;
    }
    const yNorm = new Float64Array(n);
    for (let i = 0; i < n; i++) yNorm[i] = (y[i] - yMean) / yStd;

    const dist = new PairDistances(xs, n, d, categorical);
    let hyper = options.hyperParameters;
    if (hyper === undefined) hyper = fitHyperParameters(dist, yNorm, options);
    const k = new Float64Array(n * n);
    dist.kernel(hyper, k);
    const chol = new Float64Array(n * n);
    const jitter = choleskyWithJitter(k, n, chol);
    const alpha = Float64Array.from(yNorm);
    choleskySolve(chol, n, alpha);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += yNorm[i] * alpha[i];
    const nll = 0.5 * quad + 0.5 * choleskyLogDet(chol, n) + 0.5 * n * LOG_2PI;
    return new GaussianProcess({
      x: xs,
      n,
      d,
      yNorm,
      yMean,
      yStd,
      categorical,
      hyper,
      chol,
      alpha,
      jitter,
      nll,
    });
  }

  /**
   * The GP conditioned on p more observations (xNew (p, d), yNew (p), original output units) with the same
   * hyper-parameters and output normalisation. The Cholesky factor is extended row by row (O(n²) per row)
   * instead of refactorised. Used for kriging-believer / constant-liar fantasies of pending trials.
   */
  withObservations(xNew: Float64Array, p: number, yNew: Float64Array): GaussianProcess {
    const n = this.n;
    const d = this.d;
    const N = n + p;
    const x = new Float64Array(N * d);
    x.set(this.x);
    x.set(xNew.subarray(0, p * d), n * d);
    const yNorm = new Float64Array(N);
    yNorm.set(this.yNorm);
    for (let i = 0; i < p; i++) yNorm[n + i] = (yNew[i] - this.yMean) / this.yStd;
    const chol = new Float64Array(N * N);
    for (let i = 0; i < n; i++) chol.set(this.chol.subarray(i * n, i * n + n), i * N);
    const sf2 = this.hyper.signalVariance;
    const diag = sf2 + this.hyper.noiseVariance + this.jitter;
    const row = new Float64Array(N);
    for (let i = n; i < N; i++) {
      for (let j = 0; j < i; j++) row[j] = sf2 * matern52(Math.sqrt(this.r2(x, i * d, x, j * d)));
      // l = L⁻¹k: forward substitution over the rows built so far (stride N).
      let ss = 0;
      for (let j = 0; j < i; j++) {
        let s = row[j];
        const rj = j * N;
        for (let t = 0; t < j; t++) s -= chol[rj + t] * row[t];
        s /= chol[rj + j];
        row[j] = s;
        ss += s * s;
      }
      const rem = diag - ss;
      // A fantasy on top of an existing point can make the pivot vanish numerically; the noise term is a
      // lower bound of the true pivot, so fall back to it.
      chol.set(row.subarray(0, i), i * N);
      chol[i * N + i] = Math.sqrt(
        rem > this.hyper.noiseVariance * 1e-3 ? rem : this.hyper.noiseVariance + this.jitter,
      );
    }
    const alpha = Float64Array.from(yNorm);
    choleskySolve(chol, N, alpha);
    return new GaussianProcess({
      x,
      n: N,
      d,
      yNorm,
      yMean: this.yMean,
      yStd: this.yStd,
      categorical: this.categorical,
      hyper: this.hyper,
      chol,
      alpha,
      jitter: this.jitter,
      nll: NaN,
    });
  }

  /**
   * Posterior of the latent function at m candidates xc (m, d): writes mean (m) and variance (m) in
   * original output units (variance excludes observation noise). Candidates are processed in blocks of
   * B so that the triangular solve L·V = K*ᵀ runs over contiguous (n, B) rows.
   */
  predict(xc: Float64Array, m: number, mean: Float64Array, variance: Float64Array): void {
    const n = this.n;
    const d = this.d;
    const B = 64;
    // (n, B): column c is k(X, x_c); kept between calls (acquisition optimisers call predict often).
    if (this.blockScratch === null) this.blockScratch = new Float64Array(n * B);
    const kb = this.blockScratch;
    const sf2 = this.hyper.signalVariance;
    const l = this.chol;
    const ystd2 = this.yStd * this.yStd;
    for (let start = 0; start < m; start += B) {
      const nb = Math.min(B, m - start);
      for (let i = 0; i < n; i++) {
        const ri = i * B;
        for (let c = 0; c < nb; c++) {
          kb[ri + c] = sf2 * matern52(Math.sqrt(this.r2(this.x, i * d, xc, (start + c) * d)));
        }
      }
      for (let c = 0; c < nb; c++) {
        let mu = 0;
        for (let i = 0; i < n; i++) mu += kb[i * B + c] * this.alpha[i];
        mean[start + c] = mu * this.yStd + this.yMean;
      }
      // Forward substitution on the block: V[i, :] = (K*[i, :] − Σ_{t<i} L[i,t]·V[t, :]) / L[i,i].
      for (let i = 0; i < n; i++) {
        const ri = i * B;
        const li = i * n;
        for (let t = 0; t < i; t++) {
          const lit = l[li + t];
          if (lit === 0) continue;
          const rt = t * B;
          for (let c = 0; c < nb; c++) kb[ri + c] -= lit * kb[rt + c];
        }
        const inv = 1 / l[li + i];
        for (let c = 0; c < nb; c++) kb[ri + c] *= inv;
      }
      for (let c = 0; c < nb; c++) {
        let ss = 0;
        for (let i = 0; i < n; i++) {
          const v = kb[i * B + c];
          ss += v * v;
        }
        const v = sf2 - ss;
        // Clamp: round-off can make the variance at a training point slightly negative.
        variance[start + c] = (v > 1e-12 * sf2 ? v : 1e-12 * sf2) * ystd2;
      }
    }
  }

  /** Squared scaled distance r² between row ao of a and row bo of b. */
  private r2(a: Float64Array, ao: number, b: Float64Array, bo: number): number {
    let s = 0;
    for (let j = 0; j < this.d; j++) {
      const diff = a[ao + j] - b[bo + j];
      if (this.categorical[j] === 1) {
        if (Math.abs(diff) > CATEGORY_TOL) s += this.invL2[j];
      } else {
        s += diff * diff * this.invL2[j];
      }
    }
    return s;
  }
}

/** Matérn-5/2 correlation at scaled distance r. */
export function matern52(r: number): number {
  const sr = SQRT5 * r;
  return (1 + sr + (5 / 3) * r * r) * Math.exp(-sr);
}

/**
 * Per-pair, per-dimension distances D_d(i, j) of the training inputs, stored once for the whole fit as
 * (nPairs, d) over the strict upper triangle (pairs in row order i < j), so every likelihood evaluation
 * only multiplies by 1/ℓ² instead of revisiting X.
 */
class PairDistances {
  readonly n: number;
  readonly d: number;
  readonly nPairs: number;
  /** (nPairs, d) row-major. */
  readonly dd: Float64Array;

  constructor(x: Float64Array, n: number, d: number, categorical: Uint8Array) {
    this.n = n;
    this.d = d;
    this.nPairs = (n * (n - 1)) / 2;
    this.dd = new Float64Array(this.nPairs * d);
    let p = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, p++) {
        for (let t = 0; t < d; t++) {
          const diff = x[i * d + t] - x[j * d + t];
          this.dd[p * d + t] = categorical[t] === 1 ? (Math.abs(diff) > CATEGORY_TOL ? 1 : 0) : diff * diff;
        }
      }
    }
  }

  /** Scaled distances r (nPairs) for inverse squared length-scales invL2 (d). */
  distances(invL2: Float64Array, r: Float64Array): void {
    const d = this.d;
    for (let p = 0; p < this.nPairs; p++) {
      let s = 0;
      const o = p * d;
      for (let t = 0; t < d; t++) s += this.dd[o + t] * invL2[t];
      r[p] = Math.sqrt(s);
    }
  }

  /** Full symmetric K (n, n) including noise on the diagonal. */
  kernel(h: GpHyperParameters, k: Float64Array): void {
    const n = this.n;
    const invL2 = new Float64Array(this.d);
    for (let t = 0; t < this.d; t++) invL2[t] = 1 / (h.lengthScales[t] * h.lengthScales[t]);
    const r = new Float64Array(this.nPairs);
    this.distances(invL2, r);
    let p = 0;
    for (let i = 0; i < n; i++) {
      k[i * n + i] = h.signalVariance + h.noiseVariance;
      for (let j = i + 1; j < n; j++, p++) {
        const v = h.signalVariance * matern52(r[p]);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
  }
}

/**
 * The negative log marginal likelihood of y (n) under the GP on X (n, d), as a function of
 * θ = (log ℓ_1..ℓ_d, log σ_f², log σ_n²) with its analytic gradient — the objective of the
 * hyper-parameter fit, exposed so the gradient can be checked against finite differences.
 * Returns Infinity where K cannot be factorised.
 */
export function gpNegLogLikelihood(
  x: Float64Array,
  n: number,
  d: number,
  y: Float64Array,
  categorical: Uint8Array = new Uint8Array(d),
): Objective {
  return nllObjective(new PairDistances(x, n, d, categorical), y);
}

function nllObjective(dist: PairDistances, y: Float64Array): Objective {
  const n = dist.n;
  const d = dist.d;
  // Scratch, allocated once for all evaluations.
  const invL2 = new Float64Array(d);
  const r = new Float64Array(dist.nPairs);
  const k = new Float64Array(n * n);
  const chol = new Float64Array(n * n);
  const kinv = new Float64Array(n * n);
  const scratch = new Float64Array(n * n);
  const alpha = new Float64Array(n);

  return (theta: Float64Array, grad: Float64Array): number => {
    for (let t = 0; t < d; t++) invL2[t] = Math.exp(-2 * theta[t]);
    const sf2 = Math.exp(theta[d]);
    const sn2 = Math.exp(theta[d + 1]);
    dist.distances(invL2, r);
    let p = 0;
    for (let i = 0; i < n; i++) {
      k[i * n + i] = sf2 + sn2;
      for (let j = i + 1; j < n; j++, p++) {
        const v = sf2 * matern52(r[p]);
        k[i * n + j] = v;
        k[j * n + i] = v;
      }
    }
    try {
      choleskyWithJitter(k, n, chol);
    } catch {
      return Infinity;
    }
    alpha.set(y);
    choleskySolve(chol, n, alpha);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += y[i] * alpha[i];
    const nll = 0.5 * quad + 0.5 * choleskyLogDet(chol, n) + 0.5 * n * LOG_2PI;
    choleskyInverse(chol, n, kinv, scratch);
    // W = K⁻¹ − ααᵀ; ∂nll/∂θ = ½ Σ_ij W_ij ∂K_ij/∂θ.
    grad.fill(0);
    let gSignal = 0;
    let trace = 0;
    for (let i = 0; i < n; i++) {
      const wii = kinv[i * n + i] - alpha[i] * alpha[i];
      trace += wii;
      gSignal += 0.5 * wii * sf2;
    }
    p = 0;
    const dd = dist.dd;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i];
      for (let j = i + 1; j < n; j++, p++) {
        const w = kinv[i * n + j] - ai * alpha[j];
        const rp = r[p];
        const e = Math.exp(-SQRT5 * rp);
        // Off-diagonal pairs appear twice in the symmetric sum, cancelling the ½.
        gSignal += w * sf2 * (1 + SQRT5 * rp + (5 / 3) * rp * rp) * e;
        // ∂K_ij/∂log ℓ_t = σ_f² · (5/3)(1 + √5 r) e^{−√5 r} · D_t / ℓ_t².
        const wg = w * sf2 * (5 / 3) * (1 + SQRT5 * rp) * e;
        if (wg === 0) continue;
        const o = p * d;
        for (let t = 0; t < d; t++) grad[t] += wg * dd[o + t];
      }
    }
    for (let t = 0; t < d; t++) grad[t] *= invL2[t];
    grad[d] = gSignal;
    grad[d + 1] = 0.5 * sn2 * trace;
    return nll;
  };
}

/** Maximises the log marginal likelihood over θ = (log ℓ, log σ_f², log σ_n²). */
function fitHyperParameters(dist: PairDistances, y: Float64Array, options: GpFitOptions): GpHyperParameters {
  const d = dist.d;
  const nTheta = d + 2;
  const lower = new Float64Array(nTheta);
  const upper = new Float64Array(nTheta);
  for (let t = 0; t < d; t++) {
    lower[t] = Math.log(GP_BOUNDS.lengthScale[0]);
    upper[t] = Math.log(GP_BOUNDS.lengthScale[1]);
  }
  lower[d] = Math.log(GP_BOUNDS.signalVariance[0]);
  upper[d] = Math.log(GP_BOUNDS.signalVariance[1]);
  lower[d + 1] = Math.log(GP_BOUNDS.noiseVariance[0]);
  upper[d + 1] = Math.log(GP_BOUNDS.noiseVariance[1]);
  const objective = nllObjective(dist, y);

  const restarts = Math.max(1, options.restarts ?? 3);
  const maxIterations = options.maxIterations ?? 50;
  const starts: Float64Array[] = [];
  const first = new Float64Array(nTheta);
  for (let t = 0; t < d; t++) first[t] = Math.log(0.5);
  first[d] = 0;
  first[d + 1] = Math.log(1e-2);
  starts.push(first);
  for (let s = 1; s < restarts; s++) {
    if (options.rng === undefined) {
      throw optimizerError(
        OptimizerErrorCode.BadOption,
        'GP fit with restarts > 1 needs options.rng (seeded)',
        {
          restarts,
        },
      );
    }
    const x0 = new Float64Array(nTheta);
    for (let t = 0; t < nTheta; t++) x0[t] = options.rng.uniform(lower[t], upper[t]);
    // Random noise starts high in the box rarely help; keep them in the lower half.
    x0[d + 1] = options.rng.uniform(lower[d + 1], 0.5 * (lower[d + 1] + upper[d + 1]));
    starts.push(x0);
  }
  let best: Float64Array | undefined;
  let bestF = Infinity;
  for (const x0 of starts) {
    const res = lbfgsMinimize(objective, x0, lower, upper, { maxIterations });
    if (res.f < bestF) {
      bestF = res.f;
      best = res.x;
    }
  }
  const theta = best ?? first;
  const lengthScales = new Float64Array(d);
  for (let t = 0; t < d; t++) lengthScales[t] = Math.exp(theta[t]);
  return { lengthScales, signalVariance: Math.exp(theta[d]), noiseVariance: Math.exp(theta[d + 1]) };
}
