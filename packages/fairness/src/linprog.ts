/**
 * A small dense linear-programming solver for the interventions' tiny LPs (EOP: 4 variables; EGR: one
 * variable per candidate classifier and ≤ 8 constraints):
 *
 *     minimise cᵀx   subject to   A_ub x ≤ b_ub,   A_eq x = b_eq,   x ≥ 0
 *
 * Two-phase tableau simplex (Dantzig; e.g. Chvátal 1983, ch. 8) with Bland's rule for both the entering and
 * the leaving variable, which cannot cycle on degenerate vertices. Phase 1 minimises the sum of artificial
 * variables (one per equality row and per ≤ row with a negative right-hand side); artificials left in the
 * basis at level zero are pivoted out, or their row is redundant and stays inert. Dense O((m + n)·m) per
 * pivot — fine for the sizes above, not meant for large problems.
 */

export interface LinearProgram {
  /** (n) objective coefficients. */
  readonly c: ArrayLike<number>;
  /** (mUb, n) row-major and (mUb). */
  readonly Aub?: ArrayLike<number>;
  readonly bub?: ArrayLike<number>;
  /** (mEq, n) row-major and (mEq). */
  readonly Aeq?: ArrayLike<number>;
  readonly beq?: ArrayLike<number>;
}

export const LpStatus = { Optimal: 'optimal', Infeasible: 'infeasible', Unbounded: 'unbounded' } as const;
export type LpStatus = (typeof LpStatus)[keyof typeof LpStatus];

export interface LpSolution {
  readonly status: LpStatus;
  /** (n) the optimal point (zeros unless optimal). */
  readonly x: Float64Array;
  /** cᵀx at the optimum (NaN unless optimal). */
  readonly fun: number;
}

/** Pivot tolerance: entries below it count as zero (inputs here are probabilities and rates, O(1)). */
const TOL = 1e-10;
/** Phase-1 optimum above this means the constraints cannot be met. */
const FEAS_TOL = 1e-8;

export function linprog(lp: LinearProgram): LpSolution {
  const n = lp.c.length;
  const mUb = lp.bub ? lp.bub.length : 0;
  const mEq = lp.beq ? lp.beq.length : 0;
  const m = mUb + mEq;
  // Column layout: [x (n) | slack/surplus (mUb) | artificial (nArt) | rhs].
  let nArt = 0;
  const artRow = new Int32Array(m).fill(-1);
  for (let r = 0; r < m; r++) {
    const b = r < mUb ? (lp.bub as ArrayLike<number>)[r] : (lp.beq as ArrayLike<number>)[r - mUb];
    if (r >= mUb || b < 0) artRow[r] = nArt++;
  }
  const nCols = n + mUb + nArt;
  const W = nCols + 1;
  // (m + 1, W) tableau; row m holds the reduced costs and −objective in the rhs column.
  const T = new Float64Array((m + 1) * W);
  const basis = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const isUb = r < mUb;
    const A = (isUb ? lp.Aub : lp.Aeq) as ArrayLike<number>;
    const rr = isUb ? r : r - mUb;
    const b0 = isUb ? (lp.bub as ArrayLike<number>)[rr] : (lp.beq as ArrayLike<number>)[rr];
    const sgn = b0 < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) T[r * W + j] = sgn * A[rr * n + j];
    if (isUb) T[r * W + n + r] = sgn; // slack (+1), or surplus (−1) after flipping the row
    T[r * W + nCols] = sgn * b0;
    if (artRow[r] >= 0) {
      const col = n + mUb + artRow[r];
      T[r * W + col] = 1;
      basis[r] = col;
    } else basis[r] = n + r;
  }

  const artStart = n + mUb;
  if (nArt > 0) {
    // Phase 1: minimise Σ artificials. Reduced costs d_j = c_j − Σ_{artificial rows} T_rj.
    const z = m * W;
    for (let j = artStart; j < nCols; j++) T[z + j] = 1;
    for (let r = 0; r < m; r++) {
      if (artRow[r] < 0) continue;
      for (let j = 0; j <= nCols; j++) T[z + j] -= T[r * W + j];
    }
    const status = iterate(T, basis, m, W, nCols);
    if (status === 'unbounded' || -T[z + nCols] > FEAS_TOL) return failed(n, 'infeasible');
    // Pivot artificials out of the basis where a non-artificial column can replace them.
    for (let r = 0; r < m; r++) {
      if (basis[r] < artStart) continue;
      for (let j = 0; j < artStart; j++) {
        if (Math.abs(T[r * W + j]) > TOL) {
          pivot(T, basis, m, W, r, j);
          break;
        }
      }
    }
  }

  // Phase 2: original costs; artificial columns may not re-enter.
  const z = m * W;
  T.fill(0, z, z + W);
  for (let j = 0; j < n; j++) T[z + j] = lp.c[j];
  for (let r = 0; r < m; r++) {
    const cb = basis[r] < n ? lp.c[basis[r]] : 0;
    if (cb === 0) continue;
    for (let j = 0; j <= nCols; j++) T[z + j] -= cb * T[r * W + j];
  }
  const status = iterate(T, basis, m, W, artStart);
  if (status === 'unbounded') return failed(n, 'unbounded');
  const x = new Float64Array(n);
  for (let r = 0; r < m; r++) if (basis[r] < n) x[basis[r]] = Math.max(0, T[r * W + nCols]);
  let fun = 0;
  for (let j = 0; j < n; j++) fun += lp.c[j] * x[j];
  return { status: 'optimal', x, fun };
}

/** Simplex iterations with Bland's rule; columns ≥ `enterLimit` never enter. */
function iterate(
  T: Float64Array,
  basis: Int32Array,
  m: number,
  W: number,
  enterLimit: number,
): 'optimal' | 'unbounded' {
  const z = m * W;
  const rhs = W - 1;
  // Bland's rule terminates; the cap only guards against a bug turning into a hang.
  for (let it = 0; it < 100000; it++) {
    let enter = -1;
    for (let j = 0; j < enterLimit; j++) {
      if (T[z + j] < -TOL) {
        enter = j;
        break;
      }
    }
    if (enter < 0) return 'optimal';
    let leave = -1;
    let best = Infinity;
    for (let r = 0; r < m; r++) {
      const a = T[r * W + enter];
      if (a <= TOL) continue;
      const ratio = T[r * W + rhs] / a;
      if (ratio < best - TOL || (Math.abs(ratio - best) <= TOL && basis[r] < basis[leave])) {
        best = ratio;
        leave = r;
      }
    }
    if (leave < 0) return 'unbounded';
    pivot(T, basis, m, W, leave, enter);
  }
  return 'optimal';
}

function pivot(T: Float64Array, basis: Int32Array, m: number, W: number, r: number, c: number): void {
  const p = T[r * W + c];
  for (let j = 0; j < W; j++) T[r * W + j] /= p;
  for (let i = 0; i <= m; i++) {
    if (i === r) continue;
    const f = T[i * W + c];
    if (f === 0) continue;
    for (let j = 0; j < W; j++) T[i * W + j] -= f * T[r * W + j];
  }
  basis[r] = c;
}

function failed(n: number, status: LpStatus): LpSolution {
  return { status, x: new Float64Array(n), fun: NaN };
}
