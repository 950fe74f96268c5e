/**
 * Box-constrained limited-memory BFGS (projected variant) for the small, smooth problems of this package
 * (GP hyper-parameters on a log scale). Directions come from the usual two-loop recursion (Nocedal & Wright,
 * Alg. 7.4); components that would leave the box at an active bound are zeroed, and the step is projected
 * back into the box with an Armijo backtracking line search. Good enough for ≤ ~30 parameters; not a
 * replacement for L-BFGS-B's Cauchy-point machinery.
 */

export interface LbfgsOptions {
  maxIterations?: number;
  /** History pairs kept. */
  memory?: number;
  /** Stop when the projected gradient's max-norm falls below this. */
  gradientTolerance?: number;
  /** Stop when the relative decrease of f over one iteration falls below this. */
  relativeTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
}

/** `f(x, grad)` returns the objective and writes its gradient into `grad`; it may return Infinity. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export function lbfgsMinimize(
  f: Objective,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIter = options.maxIterations ?? 50;
  const mem = options.memory ?? 7;
  const gtol = options.gradientTolerance ?? 1e-5;
  const ftol = options.relativeTolerance ?? 1e-9;
  const n = x0.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = clamp(x0[i], lower[i], upper[i]);
  const g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  if (!Number.isFinite(fx)) return { x, f: fx, iterations: 0, evaluations };

  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  const alpha = new Float64Array(mem);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const active = new Uint8Array(n);
  let iter = 0;
  for (; iter < maxIter; iter++) {
    // Projected gradient: at an active bound, a gradient pointing outwards does not count.
    let pgNorm = 0;
    for (let i = 0; i < n; i++) {
      const gi = activeOutward(x[i], g[i], lower[i], upper[i]) ? 0 : g[i];
      if (Math.abs(gi) > pgNorm) pgNorm = Math.abs(gi);
    }
    if (pgNorm < gtol) break;

    // The quasi-Newton model lives on the free variables: when the active set changes the curvature
    // pairs mix in fixed coordinates, so the memory is reset.
    let activeChanged = false;
    for (let i = 0; i < n; i++) {
      const a = activeOutward(x[i], g[i], lower[i], upper[i]);
      if (a !== (active[i] === 1)) activeChanged = true;
      active[i] = a ? 1 : 0;
    }
    if (activeChanged) {
      sHist.length = 0;
      yHist.length = 0;
      rhoHist.length = 0;
    }
    // Two-loop recursion: p = −H·g on the free variables.
    for (let i = 0; i < n; i++) q[i] = active[i] === 1 ? 0 : g[i];
    const k = sHist.length;
    for (let j = k - 1; j >= 0; j--) {
      alpha[j] = rhoHist[j] * dot(sHist[j], q);
      axpy(-alpha[j], yHist[j], q);
    }
    let gamma = 1;
    if (k > 0) gamma = dot(sHist[k - 1], yHist[k - 1]) / dot(yHist[k - 1], yHist[k - 1]);
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const beta = rhoHist[j] * dot(yHist[j], q);
      axpy(alpha[j] - beta, sHist[j], q);
    }
    for (let i = 0; i < n; i++) {
      const pi = -q[i];
      // Do not move outwards from an active bound.
      p[i] = (x[i] <= lower[i] && pi < 0) || (x[i] >= upper[i] && pi > 0) ? 0 : pi;
    }
    let slope = dot(p, g);
    if (!(slope < 0)) {
      // Not a descent direction: restart from the projected steepest descent.
      sHist.length = 0;
      yHist.length = 0;
      rhoHist.length = 0;
      for (let i = 0; i < n; i++) p[i] = activeOutward(x[i], g[i], lower[i], upper[i]) ? 0 : -g[i];
      slope = dot(p, g);
      if (!(slope < 0)) break;
    }
    let t = 1;
    if (k === 0) {
      let pn = 0;
      for (let i = 0; i < n; i++) pn = Math.max(pn, Math.abs(p[i]));
      t = Math.min(1, 1 / pn);
    }
    let fNew = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = clamp(x[i] + t * p[i], lower[i], upper[i]);
        decrease += g[i] * (xNew[i] - x[i]);
      }
      fNew = f(xNew, gNew);
      evaluations++;
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (active[i] === 1) continue;
      s[i] = xNew[i] - x[i];
      yv[i] = gNew[i] - g[i];
    }
    const sy = dot(s, yv);
    // Curvature condition; skipping the pair keeps H positive definite.
    if (sy > 1e-12) {
      if (sHist.length === mem) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(yv);
      rhoHist.push(1 / sy);
    }
    const rel = (fx - fNew) / Math.max(1, Math.abs(fx));
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
    if (rel < ftol) {
      iter++;
      break;
    }
  }
  return { x, f: fx, iterations: iter, evaluations };
}

function activeOutward(x: number, g: number, lo: number, hi: number): boolean {
  return (x <= lo && g > 0) || (x >= hi && g < 0);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}
