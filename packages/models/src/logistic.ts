/**
 * `lr_clf` — L2-regularised (or unpenalised) binary logistic regression, scikit-learn's objective:
 *
 *   minimise  f(β, b) = Σ_i s_i [log(1 + e^{z_i}) − y_i z_i] + ‖β‖² / (2C),   z_i = x_i·β + b
 *
 * with sample weights s_i (× multiplicity for `rows`); the intercept b is not penalised; `penalty: null`
 * means C = ∞. The code works on f / Σs (scikit-learn's newton-cholesky does the same), which has the same
 * minimiser.
 *
 * Solver mapping. f is strictly convex for l2, so scikit-learn's four solver names all target one optimum;
 * each name is accepted and recorded, and the solver that runs is chosen by the problem's shape:
 * - m = d + 1 ≤ NEWTON_MAX_DIM: Newton–Raphson (IRLS) with a Cholesky solve and Armijo backtracking — a
 *   handful of iterations (what `newton-cg` approximates with CG). Far from the optimum the Hessian comes
 *   from a row sample; the final steps use the exact Hessian (its factor reused while steps keep shrinking
 *   the gradient tenfold), so convergence is quadratic where it matters.
 * - larger m: L-BFGS with 10 correction pairs and Armijo backtracking (scikit-learn's `lbfgs`; `sag` and
 *   `saga` are stochastic methods for the same optimum and map here too).
 * Stopping follows scikit-learn's `lbfgs` (1.2, scipy's `gtol`): the max-norm of ∇f — of the summed loss,
 * so ‖∇(f / Σs)‖∞ ≤ `tol` / Σs — is ≤ `tol` (default 1e-4, scikit-learn's). Newton converges
 * quadratically, so the step that crosses the threshold usually lands orders of magnitude below it: on
 * cardio (56,000 rows) the gradient of f / Σs ends near 1e-10 and the coefficients agree with a 1e-10
 * solve to ~1e-9. The solvers also stop when an exact Newton step no longer changes f at double precision
 * (converged if ‖∇(f / Σs)‖∞ ≤ 1e-6 by then), or after `max_iter` iterations.
 *
 * Unpenalised fits on collinear or separable data have no unique or finite optimum; Newton then adds a tiny
 * ridge (JITTER × trace/m, growing tenfold on failure) to factor the Hessian, and stops when f stalls or
 * after `max_iter`, as scikit-learn does. Single-class data give a constant model (β = 0, b = ±LOGIT_CAP)
 * where scikit-learn raises.
 */
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from './classifier';
import { cholesky, choleskySolve } from './linalg';
import { checkDocument, jsonNumber, jsonNumbers, jsonParams, notFitted } from './model-json';
import type { RawParams } from './params';
import { ParamReader } from './params';
import type { ResolvedSample } from './sample';
import { checkFinite, checkPredictShape, resolveSample } from './sample';

export const LR_KIND = 'lr_clf';
const VERSION = 1;
/** Largest m = d + 1 solved by Newton; above, forming the (m, m) Hessian costs more than L-BFGS. */
export const NEWTON_MAX_DIM = 256;
const LBFGS_MEMORY = 10;
/** Armijo sufficient-decrease constant. */
const ARMIJO = 1e-4;
/**
 * Slack of the Armijo test in units of |f|: near the optimum the decrease of f falls below its rounding
 * error while the gradient can still shrink, so a step that does not raise f beyond rounding is accepted.
 */
const ROUNDOFF = 8 * 2.220446049250313e-16;
/** Subsampled Newton Hessians (see `newton`): at most 1 row in 8, at least 20·m rows, until the decrement < 1e-3. */
const SUBSAMPLE_MAX_STRIDE = 8;
/** Rows per block of the Hessian accumulation (each H entry is loaded and stored once per block). */
const BLOCK = 8;
const SUBSAMPLE_MIN_ROWS_PER_DIM = 20;
const SUBSAMPLE_UNTIL = 1e-3;
const SUBSAMPLE_MIN_STEP = 1e-3;
/** An exact Hessian factor is reused for the next step while steps shrink the gradient this much. */
const REUSE_RATIO = 0.1;
/** Relative decrease of f below which an exact Newton step counts as stalled (see `newton`). */
const STALL = 1e-13;
/** Gradient max-norm under which a stalled Newton run counts as converged (f flat to double precision). */
const STALL_GRAD = 1e-6;
/** Relative ridge added when the Newton Hessian is not numerically positive definite. */
const JITTER = 1e-10;
/** |intercept| of the constant model fitted to single-class data: σ(±LOGIT_CAP) = 1 − 1e-15 or 1e-15. */
const LOGIT_CAP = 34.538776394910684;

export const LrSolver = {
  NewtonCg: 'newton-cg',
  Lbfgs: 'lbfgs',
  Sag: 'sag',
  Saga: 'saga',
} as const;
export type LrSolver = (typeof LrSolver)[keyof typeof LrSolver];

export interface ResolvedLogisticOptions {
  readonly penalty: 'l2' | null;
  readonly C: number;
  readonly solver: LrSolver;
  readonly maxIter: number;
  readonly tol: number;
  readonly fitIntercept: boolean;
}

export function resolveLogisticOptions(params: RawParams): ResolvedLogisticOptions {
  const r = new ParamReader(LR_KIND, params);
  let penalty = r.choice<string | null>('penalty', 'l2', ['l2', null, 'none']);
  if (penalty === 'none') penalty = null;
  const o: ResolvedLogisticOptions = {
    penalty: penalty as 'l2' | null,
    C: r.num('C', 1, 0, Infinity, true),
    solver: r.choice<LrSolver>('solver', LrSolver.Lbfgs, Object.values(LrSolver)),
    maxIter: r.int('max_iter', 1000, 1),
    tol: r.num('tol', 1e-4, 0, Infinity, true),
    fitIntercept: r.bool('fit_intercept', true),
  };
  r.done();
  return o;
}

/** What the fit did, for the record (and tests). */
export interface LogisticFitInfo {
  /** The algorithm that ran: 'newton' or 'lbfgs' (or 'constant' for single-class data). */
  readonly algorithm: 'newton' | 'lbfgs' | 'constant';
  readonly iterations: number;
  readonly converged: boolean;
  /** Max-norm of ∇(f / Σs) at the solution. */
  readonly gradNorm: number;
}

/**
 * The objective on one training sample. θ = [β (d), b] of length m = d + 1 (b stays 0 without intercept).
 *
 * The per-row passes write only into packed-double JS arrays (`prob`, the gradient and Hessian
 * accumulators, the block scratch), never into typed arrays: once any ArrayBuffer of the process has been
 * detached (a transfer to a worker thread, the tsx loader), V8 re-validates every typed array a loop reads
 * after each typed-array store, which would cost more than the arithmetic of a row (grad-tree.ts has the
 * same note). Results are copied into the callers' Float64Arrays once per pass.
 */
class LogisticObjective {
  readonly m: number;
  readonly d: number;
  /** (nRows) σ(x·β + b) at the θ of the last `value` call, per row of X (active rows only). */
  readonly prob: number[];
  readonly invS: number;
  readonly lambda: number;
  /** (m) gradient accumulator of `value`. */
  private readonly gacc: number[];
  /** (m, m) row-major Hessian accumulator (upper triangle) of `hessian`. */
  private readonly hacc: number[];
  /** (BLOCK, m) row-major √D_i·[x_i, 1] of the current block of `hessian`. */
  private readonly xs: number[];
  /** Margins and weighted residuals of the four rows in flight in `value`. */
  private readonly z4 = doubleArray(4);
  private readonly res4 = doubleArray(4);

  constructor(
    readonly X: DenseMatrix,
    readonly y: Uint8Array,
    readonly s: ResolvedSample,
    C: number,
    readonly fitIntercept: boolean,
  ) {
    this.d = X.nCols;
    this.m = this.d + 1;
    this.prob = doubleArray(X.nRows);
    this.gacc = doubleArray(this.m);
    this.hacc = doubleArray(this.m * this.m);
    this.xs = doubleArray(BLOCK * this.m);
    this.invS = 1 / s.totalWeight;
    // ‖β‖²/(2C) divided by Σs.
    this.lambda = C === Infinity ? 0 : 1 / (C * s.totalWeight);
  }

  /**
   * f / Σs at θ; also fills `prob`. With `grad`, writes ∇(f / Σs) there in the same pass. Rows go four at a
   * time: each θ_j and each gradient entry is loaded (and stored) once per four rows.
   */
  value(theta: Float64Array, grad: Float64Array | null): number {
    const { d, prob, y } = this;
    const { data } = this.X;
    const { active, weight } = this.s;
    const b = this.fitIntercept ? theta[d] : 0;
    const gacc = this.gacc;
    gacc.fill(0);
    const withGrad = grad !== null;
    const n = active.length;
    let loss = 0;
    let gb = 0;
    let a = 0;
    for (; a + 3 < n; a += 4) {
      const o0 = active[a] * d;
      const o1 = active[a + 1] * d;
      const o2 = active[a + 2] * d;
      const o3 = active[a + 3] * d;
      let z0 = b;
      let z1 = b;
      let z2 = b;
      let z3 = b;
      for (let j = 0; j < d; j++) {
        const t = theta[j];
        z0 += data[o0 + j] * t;
        z1 += data[o1 + j] * t;
        z2 += data[o2 + j] * t;
        z3 += data[o3 + j] * t;
      }
      const zs = this.z4;
      zs[0] = z0;
      zs[1] = z1;
      zs[2] = z2;
      zs[3] = z3;
      const res = this.res4;
      for (let t = 0; t < 4; t++) {
        const r = active[a + t];
        const zi = zs[t];
        const w = weight[r];
        // One exponential serves both: with e = exp(−|z|), log(1 + e^z) = max(z, 0) + log1p(e) (no
        // overflow) and σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) otherwise.
        const e = Math.exp(-Math.abs(zi));
        const pos = zi >= 0;
        const p = (pos ? 1 : e) / (1 + e);
        prob[r] = p;
        const yi = y[r];
        loss += w * ((pos ? zi : 0) + Math.log1p(e) - yi * zi);
        res[t] = w * (p - yi);
      }
      const r0 = res[0];
      const r1 = res[1];
      const r2 = res[2];
      const r3 = res[3];
      if (withGrad) {
        for (let j = 0; j < d; j++) {
          gacc[j] += r0 * data[o0 + j] + r1 * data[o1 + j] + r2 * data[o2 + j] + r3 * data[o3 + j];
        }
        gb += r0 + r1 + r2 + r3;
      }
    }
    for (; a < n; a++) {
      const r = active[a];
      const row = r * d;
      let zi = b;
      for (let j = 0; j < d; j++) zi += data[row + j] * theta[j];
      const w = weight[r];
      const e = Math.exp(-Math.abs(zi));
      const pos = zi >= 0;
      const p = (pos ? 1 : e) / (1 + e);
      prob[r] = p;
      loss += w * ((pos ? zi : 0) + Math.log1p(e) - y[r] * zi);
      if (withGrad) {
        const res = w * (p - y[r]);
        for (let j = 0; j < d; j++) gacc[j] += res * data[row + j];
        gb += res;
      }
    }
    const { invS, lambda } = this;
    let pen = 0;
    for (let j = 0; j < d; j++) pen += theta[j] * theta[j];
    if (grad) {
      for (let j = 0; j < d; j++) grad[j] = gacc[j] * invS + lambda * theta[j];
      grad[d] = this.fitIntercept ? gb * invS : 0;
    }
    return loss * invS + 0.5 * lambda * pen;
  }

  /**
   * Hessian of f / Σs at the θ of the last `value` call (uses `prob`), into H (m, m) row-major, full.
   * With `stride` > 1 only every stride-th active row enters, rescaled by total / sampled weight (a
   * subsampled Hessian, Roosta-Khorasani & Mahoney 2019): cheap Newton directions far from the optimum.
   * Rows are taken BLOCK at a time so each Hessian entry is loaded and stored once per block.
   */
  hessian(H: Float64Array, stride: number): void {
    const { d, m, prob, xs } = this;
    const { data } = this.X;
    const { active, weight } = this.s;
    const acc = this.hacc;
    acc.fill(0);
    const n = active.length;
    const block = BLOCK;
    let wSub = 0;
    for (let a = 0; a < n; a += block * stride) {
      for (let t = 0; t < block; t++) {
        const o = t * m;
        const at = a + t * stride;
        if (at >= n) {
          xs.fill(0, o, o + m);
          continue;
        }
        const r = active[at];
        const row = r * d;
        const w = weight[r];
        wSub += w;
        const p = prob[r];
        const sq = Math.sqrt(w * p * (1 - p));
        for (let j = 0; j < d; j++) xs[o + j] = sq * data[row + j];
        xs[o + d] = sq;
      }
      const m2 = 2 * m;
      const m3 = 3 * m;
      const m4 = 4 * m;
      const m5 = 5 * m;
      const m6 = 6 * m;
      const m7 = 7 * m;
      for (let j = 0; j < m; j++) {
        const a0 = xs[j];
        const a1 = xs[m + j];
        const a2 = xs[m2 + j];
        const a3 = xs[m3 + j];
        const a4 = xs[m4 + j];
        const a5 = xs[m5 + j];
        const a6 = xs[m6 + j];
        const a7 = xs[m7 + j];
        const hj = j * m;
        for (let k = j; k < m; k++) {
          acc[hj + k] +=
            a0 * xs[k] +
            a1 * xs[m + k] +
            a2 * xs[m2 + k] +
            a3 * xs[m3 + k] +
            a4 * xs[m4 + k] +
            a5 * xs[m5 + k] +
            a6 * xs[m6 + k] +
            a7 * xs[m7 + k];
        }
      }
    }
    const scale = stride > 1 ? 1 / wSub : this.invS;
    const lambda = this.lambda;
    for (let j = 0; j < m; j++) {
      for (let k = j; k < m; k++) {
        const v = acc[j * m + k] * scale;
        H[j * m + k] = v;
        H[k * m + j] = v;
      }
    }
    for (let j = 0; j < d; j++) H[j * m + j] += lambda;
    if (!this.fitIntercept) {
      // Pin b = 0: decouple it in H (its gradient is 0).
      for (let j = 0; j < m; j++) {
        H[j * m + d] = 0;
        H[d * m + j] = 0;
      }
      H[d * m + d] = 1;
    }
  }
}

/**
 * A zero-filled JS array of doubles (elements kind PACKED_DOUBLE: the first element stored is a non-integer,
 * so V8 never stores them as small integers or boxes them).
 */
function doubleArray(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  a.fill(0);
  return a;
}

function maxAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Armijo backtracking along `dir` from θ (value f0, directional derivative slope < 0). On success θ and
 * the objective's `prob` hold the new point and its value is returned; on failure θ is unchanged (`prob`
 * is then stale) and NaN is returned.
 */
function backtrack(
  obj: LogisticObjective,
  theta: Float64Array,
  trial: Float64Array,
  dir: Float64Array,
  f0: number,
  slope: number,
  grad: Float64Array | null,
  step0 = 1,
  stepOut: Float64Array | null = null,
): number {
  let t = step0;
  for (let k = 0; k < 60; k++) {
    for (let i = 0; i < theta.length; i++) trial[i] = theta[i] + t * dir[i];
    const f = obj.value(trial, grad);
    if (f <= f0 + ARMIJO * t * slope + ROUNDOFF * Math.abs(f0)) {
      theta.set(trial);
      if (stepOut) stepOut[0] = t;
      return f;
    }
    t *= 0.5;
  }
  return NaN;
}

/**
 * Damped Newton: Cholesky solve of H·dir = −∇, Armijo backtracking. While the Newton decrement −∇·dir
 * (≈ 2 × suboptimality) is above SUBSAMPLE_UNTIL, the Hessian comes from a deterministic 1-in-stride row
 * sample (at least SUBSAMPLE_MIN_ROWS_PER_DIM·m rows); the final, quadratically convergent iterations use
 * the exact Hessian. The gradient is always exact, so the optimum is the exact one.
 */
function newton(obj: LogisticObjective, theta: Float64Array, maxIter: number, tol: number): LogisticFitInfo {
  const m = obj.m;
  const grad = new Float64Array(m);
  const gradNew = new Float64Array(m);
  const H = new Float64Array(m * m);
  const L = new Float64Array(m * m);
  const dir = new Float64Array(m);
  const trial = new Float64Array(m);
  const n = obj.s.active.length;
  const stride = Math.max(
    1,
    Math.min(SUBSAMPLE_MAX_STRIDE, Math.floor(n / (SUBSAMPLE_MIN_ROWS_PER_DIM * m))),
  );
  let useSub = stride > 1;
  const step = new Float64Array(1);
  let f = obj.value(theta, grad);
  // With an exact Hessian, the factor is reused while each step still shrinks the gradient at least
  // REUSE_RATIO-fold (near the optimum the Hessian barely moves; the line search guards descent).
  let reuse = false;
  let prevNorm = Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    const gnorm = maxAbs(grad);
    if (gnorm <= tol) return { algorithm: 'newton', iterations: it, converged: true, gradNorm: gnorm };
    if (!(reuse && gnorm <= REUSE_RATIO * prevNorm)) {
      obj.hessian(H, useSub ? stride : 1);
      let trace = 0;
      for (let j = 0; j < m; j++) trace += H[j * m + j];
      let ridge = 0;
      for (;;) {
        L.set(H);
        for (let j = 0; j < m; j++) L[j * m + j] += ridge;
        if (cholesky(L, m)) break;
        ridge = ridge === 0 ? (JITTER * trace) / m : ridge * 10;
      }
      if (useSub && ridge > 0) {
        // The sample missed some direction of the data (e.g. a rare category): use the exact Hessian.
        useSub = false;
        it--;
        continue;
      }
      reuse = !useSub;
    }
    prevNorm = gnorm;
    for (let j = 0; j < m; j++) dir[j] = -grad[j];
    choleskySolve(L, m, dir);
    const slope = dot(grad, dir);
    if (!(slope < 0)) {
      if (useSub) {
        useSub = false;
        continue;
      }
      break;
    }
    const fNew = backtrack(obj, theta, trial, dir, f, slope, gradNew, 1, step);
    if (Number.isNaN(fNew)) {
      if (useSub) {
        // Retry with the exact Hessian; the failed trials left `prob` at another point.
        useSub = false;
        f = obj.value(theta, grad);
        continue;
      }
      break;
    }
    // Leave the subsampled phase once close (small decrement) or when its direction was badly scaled
    // (a near-singular sample Hessian, e.g. a rare category barely in the sample).
    if (useSub && (-slope < SUBSAMPLE_UNTIL || step[0] < SUBSAMPLE_MIN_STEP)) useSub = false;
    const decrease = f - fNew;
    f = fNew;
    grad.set(gradNew);
    // No finite optimum (separable data without penalty): f creeps towards its infimum while the
    // coefficients grow. Stop once an exact Newton step no longer changes f at double precision.
    if (!useSub && decrease <= STALL * Math.abs(f)) {
      const gnorm = maxAbs(grad);
      // At the optimum to double precision if the gradient is small too; else the optimum is at infinity.
      return { algorithm: 'newton', iterations: it + 1, converged: gnorm <= STALL_GRAD, gradNorm: gnorm };
    }
  }
  const gnorm = maxAbs(grad);
  return { algorithm: 'newton', iterations: it, converged: gnorm <= tol, gradNorm: gnorm };
}

function lbfgs(obj: LogisticObjective, theta: Float64Array, maxIter: number, tol: number): LogisticFitInfo {
  const m = obj.m;
  const M = LBFGS_MEMORY;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  for (let k = 0; k < M; k++) {
    S.push(new Float64Array(m));
    Y.push(new Float64Array(m));
  }
  const rho = new Float64Array(M);
  const alpha = new Float64Array(M);
  const grad = new Float64Array(m);
  const gradNew = new Float64Array(m);
  const dir = new Float64Array(m);
  const trial = new Float64Array(m);
  const prev = new Float64Array(m);
  let f = obj.value(theta, grad);
  let nPairs = 0;
  let head = 0;
  let it = 0;
  for (; it < maxIter; it++) {
    if (maxAbs(grad) <= tol) break;
    // Two-loop recursion: dir = −H_k ∇f (Nocedal & Wright, Algorithm 7.4).
    for (let i = 0; i < m; i++) dir[i] = -grad[i];
    for (let k = 0; k < nPairs; k++) {
      const idx = (head - 1 - k + M) % M;
      const a = rho[idx] * dot(S[idx], dir);
      alpha[idx] = a;
      const y = Y[idx];
      for (let i = 0; i < m; i++) dir[i] -= a * y[i];
    }
    let step0 = 1;
    if (nPairs > 0) {
      const last = (head - 1 + M) % M;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < m; i++) dir[i] *= gamma;
    } else {
      step0 = 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    }
    for (let k = nPairs - 1; k >= 0; k--) {
      const idx = (head - 1 - k + M) % M;
      const b = rho[idx] * dot(Y[idx], dir);
      const s = S[idx];
      const a = alpha[idx] - b;
      for (let i = 0; i < m; i++) dir[i] += a * s[i];
    }
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      nPairs = 0;
      for (let i = 0; i < m; i++) dir[i] = -grad[i];
      slope = dot(grad, dir);
      step0 = 1 / Math.max(1, Math.sqrt(-slope));
    }
    prev.set(theta);
    const fNew = backtrack(obj, theta, trial, dir, f, slope, gradNew, step0);
    if (Number.isNaN(fNew)) break;
    const s = S[head];
    const y = Y[head];
    for (let i = 0; i < m; i++) {
      s[i] = theta[i] - prev[i];
      y[i] = gradNew[i] - grad[i];
    }
    const sy = dot(s, y);
    // Keep the pair only under positive curvature, which keeps H_k positive definite.
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      rho[head] = 1 / sy;
      head = (head + 1) % M;
      nPairs = Math.min(M, nPairs + 1);
    }
    grad.set(gradNew);
    f = fNew;
  }
  const gnorm = maxAbs(grad);
  return { algorithm: 'lbfgs', iterations: it, converged: gnorm <= tol, gradNorm: gnorm };
}

export interface LogisticSolveOptions {
  readonly C: number;
  readonly fitIntercept: boolean;
  readonly algorithm: 'newton' | 'lbfgs';
  readonly maxIter: number;
  /** Bound on ‖∇(f / Σs)‖∞ (the mean objective's gradient). */
  readonly tol: number;
}

/** Minimises the objective from θ = [β, b] (updated in place). Exposed for tests of both algorithms. */
export function solveLogistic(
  X: DenseMatrix,
  y: Uint8Array,
  sample: ResolvedSample,
  theta: Float64Array,
  o: LogisticSolveOptions,
): LogisticFitInfo {
  const obj = new LogisticObjective(X, y, sample, o.C, o.fitIntercept);
  return o.algorithm === 'newton'
    ? newton(obj, theta, o.maxIter, o.tol)
    : lbfgs(obj, theta, o.maxIter, o.tol);
}

export class LogisticRegression implements Classifier {
  readonly kind = LR_KIND;
  readonly options: ResolvedLogisticOptions;
  private coef: Float64Array | null = null;
  private intercept = 0;
  private info: LogisticFitInfo | null = null;

  /** `seed` is kept for the record; the fit is deterministic and uses no randomness. */
  constructor(
    params: RawParams = {},
    readonly seed = 0,
  ) {
    this.options = resolveLogisticOptions(params);
  }

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const s = resolveSample(X, y, options, this.kind);
    checkFinite(X, this.kind);
    const o = this.options;
    const d = X.nCols;
    const theta = new Float64Array(d + 1);
    if (s.positiveWeight === 0 || s.positiveWeight === s.totalWeight) {
      this.coef = new Float64Array(d);
      this.intercept = o.fitIntercept ? (s.positiveWeight === 0 ? -LOGIT_CAP : LOGIT_CAP) : 0;
      this.info = { algorithm: 'constant', iterations: 0, converged: true, gradNorm: 0 };
      return;
    }
    if (o.fitIntercept) {
      // Start from the prior log-odds: the optimum of the intercept-only model.
      const p = s.positiveWeight / s.totalWeight;
      theta[d] = Math.log(p / (1 - p));
    }
    const C = o.penalty === null ? Infinity : o.C;
    const algorithm = d + 1 <= NEWTON_MAX_DIM ? 'newton' : 'lbfgs';
    this.info = solveLogistic(X, y, s, theta, {
      C,
      fitIntercept: o.fitIntercept,
      algorithm,
      maxIter: o.maxIter,
      // scikit-learn's tol bounds the gradient of the summed loss; the solvers work on the mean.
      tol: o.tol / s.totalWeight,
    });
    this.coef = theta.slice(0, d);
    this.intercept = o.fitIntercept ? theta[d] : 0;
  }

  /** Coefficients β (a copy). */
  get coefficients(): Float64Array {
    return (this.coef ?? notFitted(this.kind, 'coefficients')).slice();
  }

  get interceptValue(): number {
    if (!this.coef) notFitted(this.kind, 'interceptValue');
    return this.intercept;
  }

  get fitInfo(): LogisticFitInfo {
    return this.info ?? notFitted(this.kind, 'fitInfo');
  }

  decisionFunction(X: DenseMatrix): Float64Array {
    const coef = this.coef ?? notFitted(this.kind, 'decisionFunction');
    checkPredictShape(X, coef.length, this.kind);
    checkFinite(X, this.kind);
    const { data, nRows, nCols } = X;
    const out = new Float64Array(nRows);
    for (let i = 0, row = 0; i < nRows; i++, row += nCols) {
      let z = this.intercept;
      for (let j = 0; j < nCols; j++) z += data[row + j] * coef[j];
      out[i] = z;
    }
    return out;
  }

  predictProba(X: DenseMatrix): Float64Array {
    const out = this.decisionFunction(X);
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
    return out;
  }

  toJSON(): SerializedModel {
    const coef = this.coef ?? notFitted(this.kind, 'toJSON');
    const o = this.options;
    return {
      kind: this.kind,
      version: VERSION,
      params: {
        penalty: o.penalty,
        C: o.C,
        solver: o.solver,
        max_iter: o.maxIter,
        tol: o.tol,
        fit_intercept: o.fitIntercept,
      },
      seed: this.seed,
      nFeatures: coef.length,
      coef: Array.from(coef),
      intercept: this.intercept,
      fit: this.info ? { ...this.info } : null,
    };
  }

  static fromJSON(json: unknown): LogisticRegression {
    const doc = checkDocument(json, LR_KIND, VERSION);
    const m = new LogisticRegression(jsonParams(doc, LR_KIND), jsonNumber(doc, 'seed', LR_KIND));
    const nf = jsonNumber(doc, 'nFeatures', LR_KIND);
    m.coef = jsonNumbers(doc, 'coef', LR_KIND, nf);
    m.intercept = jsonNumber(doc, 'intercept', LR_KIND);
    const fit = doc.fit as LogisticFitInfo | null | undefined;
    m.info = fit && typeof fit === 'object' ? { ...fit } : null;
    return m;
  }
}
