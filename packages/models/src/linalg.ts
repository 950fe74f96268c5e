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

/**
 * C = P·Qᵀ (or C += P·Qᵀ with `accumulate`): P (nP, len), Q (nQ, len), C (nP, nQ), all row-major and
 * dense at the given offsets. Every entry is a dot product of two contiguous rows; a 2 × 2 block of C is
 * computed at once so each loaded element feeds two multiply-adds (4 × 2 blocks measured no faster).
 */
export function gemmNT(
  P: Float64Array,
  Q: Float64Array,
  C: Float64Array,
  nP: number,
  nQ: number,
  len: number,
  accumulate: boolean,
  pOff = 0,
  qOff = 0,
  cOff = 0,
): void {
  let i = 0;
  for (; i + 1 < nP; i += 2) {
    const p0 = pOff + i * len;
    const p1 = p0 + len;
    const c0 = cOff + i * nQ;
    const c1 = c0 + nQ;
    let j = 0;
    for (; j + 1 < nQ; j += 2) {
      const q0 = qOff + j * len;
      const q1 = q0 + len;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < len; k++) {
        const a0 = P[p0 + k];
        const a1 = P[p1 + k];
        const b0 = Q[q0 + k];
        const b1 = Q[q1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      if (accumulate) {
        C[c0 + j] += s00;
        C[c0 + j + 1] += s01;
        C[c1 + j] += s10;
        C[c1 + j + 1] += s11;
      } else {
        C[c0 + j] = s00;
        C[c0 + j + 1] = s01;
        C[c1 + j] = s10;
        C[c1 + j + 1] = s11;
      }
    }
    if (j < nQ) {
      const q0 = qOff + j * len;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < len; k++) {
        const b0 = Q[q0 + k];
        s0 += P[p0 + k] * b0;
        s1 += P[p1 + k] * b0;
      }
      C[c0 + j] = accumulate ? C[c0 + j] + s0 : s0;
      C[c1 + j] = accumulate ? C[c1 + j] + s1 : s1;
    }
  }
  if (i < nP) {
    const p0 = pOff + i * len;
    const c0 = cOff + i * nQ;
    for (let j = 0; j < nQ; j++) {
      const q0 = qOff + j * len;
      let s = 0;
      for (let k = 0; k < len; k++) s += P[p0 + k] * Q[q0 + k];
      C[c0 + j] = accumulate ? C[c0 + j] + s : s;
    }
  }
}

/** B (nCols, nRows) = Aᵀ for A (nRows, nCols) row-major at offset aOff. */
export function transpose(A: Float64Array, B: Float64Array, nRows: number, nCols: number, aOff = 0): void {
  for (let i = 0; i < nRows; i++) {
    const a = aOff + i * nCols;
    for (let j = 0; j < nCols; j++) B[j * nRows + i] = A[a + j];
  }
}
