/**
 * Small dense linear algebra for the linear models: Cholesky factorisation and solves on an (m, m)
 * row-major matrix, in place, no allocation.
 */

/**
 * In-place Cholesky A = L·Lᵀ of a symmetric positive-definite (m, m) row-major matrix; L is written to the
 * lower triangle (the upper triangle is left untouched). Returns false when a pivot is not positive
 * (A not numerically positive definite).
 */
export function cholesky(A: Float64Array, m: number): boolean {
  for (let j = 0; j < m; j++) {
    const rj = j * m;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= A[rj + k] * A[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= A[ri + k] * A[rj + k];
      A[ri + j] = s * inv;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b in place in `b`, with L from `cholesky` (lower triangle of `L`). */
export function choleskySolve(L: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const ri = i * m;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * b[k];
    b[i] = s / L[i * m + i];
  }
}
