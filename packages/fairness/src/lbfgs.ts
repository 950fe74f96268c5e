/**
 * Limited-memory BFGS for smooth unconstrained minimisation on a `Float64Array` (Nocedal & Wright 2006,
 * Alg. 7.4 two-loop recursion + Alg. 7.5), with a backtracking Armijo line search.
 *
 * Stopping rules mirror SciPy's `fmin_l_bfgs_b` defaults: projected-gradient ∞-norm ≤ `gtol` (pgtol 1e-5) or
 * relative decrease (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ `ftol` (factr 1e7 × machine ε ≈ 2.2e-9), or the
 * iteration / evaluation budgets. A curvature pair with sᵀy ≤ 1e-10·‖s‖‖y‖ is skipped (the objective may be
 * only piecewise smooth, e.g. LFR's |·| term), which keeps the inverse-Hessian approximation positive definite.
 */

/** Writes ∇f(x) into `grad` and returns f(x). Must not keep references to `x` or `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIter?: number;
  readonly maxEval?: number;
  /** Number of correction pairs kept (SciPy's m = 10). */
  readonly memory?: number;
  readonly gtol?: number;
  readonly ftol?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

/** Armijo constant c₁ (Nocedal & Wright's typical 1e-4) and the backtracking shrink factor. */
const C1 = 1e-4;
const SHRINK = 0.5;
const MAX_BACKTRACK = 40;

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const n = x0.length;
  const maxIter = options.maxIter ?? 15000;
  const maxEval = options.maxEval ?? 15000;
  const m = options.memory ?? 10;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 1e7 * 2.220446049250313e-16;

  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  // Ring buffers of the last m pairs, (m, n) row-major.
  const S = new Float64Array(m * n);
  const Y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let head = 0;

  let fx = f(x, g);
  let evaluations = 1;
  let iterations = 0;
  let converged = infNorm(g) <= gtol;

  while (!converged && iterations < maxIter && evaluations < maxEval) {
    // Two-loop recursion: d = −H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = 0; k < stored; k++) {
      const slot = (head - 1 - k + m) % m;
      const a = rho[slot] * dotRow(S, slot, n, d);
      alpha[slot] = a;
      axpyRow(Y, slot, n, -a, d);
    }
    let gamma = 1;
    if (stored > 0) {
      const last = (head - 1 + m) % m;
      gamma = 1 / (rho[last] * dotRows(Y, last, Y, last, n));
    } else {
      // First step: unit length along the steepest descent direction.
      gamma = 1 / Math.max(infNorm(g) * Math.sqrt(n), 1e-300);
    }
    for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let k = stored - 1; k >= 0; k--) {
      const slot = (head - 1 - k + m) % m;
      const b = rho[slot] * dotRow(Y, slot, n, d);
      axpyRow(S, slot, n, alpha[slot] - b, d);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      const scale = 1 / Math.max(infNorm(g) * Math.sqrt(n), 1e-300);
      slope = 0;
      for (let i = 0; i < n; i++) {
        d[i] = -g[i] * scale;
        slope += g[i] * d[i];
      }
      if (!(slope < 0)) break;
    }

    let step = 1;
    let fNew = NaN;
    let accepted = false;
    for (let b = 0; b < MAX_BACKTRACK && evaluations < maxEval; b++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = f(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= fx + C1 * step * slope) {
        accepted = true;
        break;
      }
      step *= SHRINK;
    }
    if (!accepted) break;
    iterations++;

    // Curvature pair s = xNew − x, y = gNew − g, stored only when it keeps H positive definite.
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const s = xNew[i] - x[i];
      const yv = gNew[i] - g[i];
      sy += s * yv;
      ss += s * s;
      yy += yv * yv;
    }
    if (sy > 1e-10 * Math.sqrt(ss * yy)) {
      const off = head * n;
      for (let i = 0; i < n; i++) {
        S[off + i] = xNew[i] - x[i];
        Y[off + i] = gNew[i] - g[i];
      }
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      if (stored < m) stored++;
    }
    const fOld = fx;
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (infNorm(g) <= gtol) converged = true;
    else if ((fOld - fx) / Math.max(Math.abs(fOld), Math.abs(fx), 1) <= ftol) converged = true;
  }
  return { x, f: fx, iterations, evaluations, converged };
}

function infNorm(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

function dotRow(M: Float64Array, row: number, n: number, v: Float64Array): number {
  let s = 0;
  const off = row * n;
  for (let i = 0; i < n; i++) s += M[off + i] * v[i];
  return s;
}

function dotRows(A: Float64Array, ra: number, B: Float64Array, rb: number, n: number): number {
  let s = 0;
  const oa = ra * n;
  const ob = rb * n;
  for (let i = 0; i < n; i++) s += A[oa + i] * B[ob + i];
  return s;
}

function axpyRow(M: Float64Array, row: number, n: number, a: number, v: Float64Array): void {
  const off = row * n;
  for (let i = 0; i < n; i++) v[i] += a * M[off + i];
}
