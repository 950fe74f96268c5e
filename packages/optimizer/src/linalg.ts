/**
 * Dense symmetric positive-definite linear algebra on flat row-major Float64Arrays.
 *
 * Matrices are (n, n), row-major, element (i, j) at `i * n + j`. Only the lower triangle of a Cholesky
 * factor is meaningful; the upper triangle is kept at zero so the factor can be used as a full matrix.
 * Loops are ordered so the innermost index walks contiguous memory (row-oriented Cholesky–Banachiewicz,
 * row-axpy triangular inversion).
 */
import { OptimizerErrorCode, optimizerError } from './errors';

/**
 * In-place lower Cholesky factorisation A = L·Lᵀ. Reads the lower triangle of `a`, writes L there and
 * zeroes the strict upper triangle. Returns false (leaving `a` partly overwritten) when a pivot is not
 * strictly positive, i.e. A is not numerically positive definite.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (j === i) {
        if (!(s > 0)) return false;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return true;
}

/** Relative jitters tried in turn (× mean diagonal) when a kernel matrix is not numerically PD. */
const JITTERS = [0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2];

/**
 * Cholesky of K with jitter escalation: tries K, then K + ε·mean(diag K)·I for ε in 1e-10 … 1e-2.
 * `k` is not modified; the factor is written to `out` (n, n). Returns the absolute jitter added.
 * Throws VF_OPTIMIZER_NOT_POSITIVE_DEFINITE when even the largest jitter fails (NaN inputs, say).
 */
export function choleskyWithJitter(k: Float64Array, n: number, out: Float64Array): number {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += k[i * n + i];
  meanDiag = n > 0 ? meanDiag / n : 1;
  if (!(meanDiag > 0)) meanDiag = 1;
  for (const eps of JITTERS) {
    out.set(k.subarray(0, n * n));
    const jitter = eps * meanDiag;
    if (jitter > 0) for (let i = 0; i < n; i++) out[i * n + i] += jitter;
    if (choleskyInPlace(out, n)) return jitter;
  }
  throw optimizerError(
    OptimizerErrorCode.NotPositiveDefinite,
    `kernel matrix of size ${n} is not positive definite even with jitter ${JITTERS[JITTERS.length - 1]}·mean(diag); ` +
      'check the inputs for NaN or duplicated points with zero noise',
    { n },
  );
}

/** Solves L·x = b in place (b overwritten by x); L lower triangular (n, n). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
}

/** Solves Lᵀ·x = b in place; L lower triangular (n, n). Column access of L is unavoidable here. */
export function solveLowerTransposed(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    b[i] /= l[i * n + i];
    const bi = b[i];
    // Subtract column i of Lᵀ (= row i of L) from the earlier entries: contiguous in L's row.
    const ri = i * n;
    for (let k = 0; k < i; k++) b[k] -= l[ri + k] * bi;
  }
}

/** Solves (L·Lᵀ)·x = b in place. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  solveLower(l, n, b);
  solveLowerTransposed(l, n, b);
}

/** log det(L·Lᵀ) = 2 Σ log L_ii. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * K⁻¹ = L⁻ᵀ·L⁻¹ from the Cholesky factor. `scratch` (n, n) receives U = L⁻ᵀ (upper triangular), built
 * row by row from the bottom as U[i, :] = (e_i − Σ_{k>i} L[k,i]·U[k, :]) / L[i,i] (contiguous row
 * axpys); then K⁻¹[i,j] = Σ_{k≥j} U[i,k]·U[j,k] for i ≤ j is a dot product of two contiguous rows.
 * Writes the full symmetric inverse to `out` (n, n).
 */
export function choleskyInverse(l: Float64Array, n: number, out: Float64Array, scratch: Float64Array): void {
  const u = scratch;
  u.fill(0, 0, n * n);
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i];
      if (lki === 0) continue;
      const rk = k * n;
      for (let j = k; j < n; j++) u[ri + j] -= lki * u[rk + j];
    }
    u[ri + i] += 1;
    const inv = 1 / l[ri + i];
    for (let j = i; j < n; j++) u[ri + j] *= inv;
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < n; k++) s += u[ri + k] * u[rj + k];
      out[ri + j] = s;
      out[rj + i] = s;
    }
  }
}
