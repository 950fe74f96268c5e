/**
 * Acquisition functions. Every objective is minimised and every value returned is "higher is better".
 *
 * - EI (Jones et al. 1998): EI = (f* − μ)·Φ(z) + σ·φ(z), z = (f* − μ)/σ, for incumbent f*.
 * - EHVI, exact for independent Gaussian predictions per objective, by box decomposition of the
 *   non-dominated region (see `nonDominatedBoxes`): with HVI(y) = Σ_boxes Π_d (u_d − max(y_d, l_d))₊,
 *   independence gives EHVI = Σ_boxes Π_d E[(u_d − max(Y_d, l_d))₊] and, per objective,
 *     E[(u − max(Y, l))₊] = (u − l)·Φ(z_l) + ψ(u, u) − ψ(u, l),   ψ(a, b) = σ·φ(z_b) + (a − μ)·Φ(z_b),
 *   z_c = (c − μ)/σ (Yang et al. 2019, "Efficient computation of expected hypervolume improvement using
 *   box decomposition algorithms", eqs. 14–18; the l = −∞ case drops the first and last terms).
 * - ParEGO (Knowles 2006): the augmented Tchebycheff scalarisation
 *     s_λ(y) = max_j λ_j·ỹ_j + ρ·Σ_j λ_j·ỹ_j,   ρ = 0.05,
 *   of objectives normalised to [0, 1] by their observed range, with λ uniform on the simplex, then EI.
 * - Probability of feasibility for constraints c(x) ≤ 0: PoF = Φ((0 − μ_c)/σ_c); constrained
 *   acquisitions multiply by Π_c PoF_c (Gardner et al. 2014).
 */
import type { Rng } from '@virnyflow/core';
import type { BoxDecomposition } from './hypervolume';
import { nonDominatedBoxes } from './hypervolume';
import { normCdf, normPdf, normPdfCdf } from './normal';

/**
 * σ below this (relative to 1 + |μ|) is treated as this, so z stays finite; the acquisition then tends
 * to its deterministic limit (the plain improvement).
 */
const MIN_SIGMA_REL = 1e-12;

/** Expected improvement below `best` of N(mu, sigma²) (minimisation). */
export function expectedImprovement(mu: number, sigma: number, best: number): number {
  const s = Math.max(sigma, MIN_SIGMA_REL * (1 + Math.abs(mu)));
  const z = (best - mu) / s;
  const ei = (best - mu) * normCdf(z) + s * normPdf(z);
  // Round-off makes EI marginally negative deep in the lower tail.
  return ei > 0 ? ei : 0;
}

/** P(c ≤ 0) for c ~ N(mu, sigma²). */
export function probabilityOfFeasibility(mu: number, sigma: number): number {
  const s = Math.max(sigma, MIN_SIGMA_REL * (1 + Math.abs(mu)));
  return normCdf(-mu / s);
}

/**
 * Exact EHVI of a Gaussian prediction with respect to a fixed front and reference point. Build once per
 * front (the box decomposition), then evaluate for many candidates; scratch buffers are reused, so one
 * instance must not be used re-entrantly.
 */
export class Ehvi {
  readonly m: number;
  readonly boxes: BoxDecomposition;
  /** Per objective d < m−1: Φ and φ of the standardised grid coordinates (0 at −∞). */
  private readonly cdf: Float64Array[];
  private readonly pdf: Float64Array[];
  /** E over [−∞, h] for each distinct height h of the last objective. */
  private readonly heightE: Float64Array;
  private readonly hPdf: Float64Array;
  private readonly hCdf: Float64Array;

  /** `front` (n, m) row-major: the current non-dominated (observed) objective vectors. */
  constructor(front: Float64Array, n: number, m: number, ref: ArrayLike<number>) {
    this.m = m;
    this.boxes = nonDominatedBoxes(front, n, m, ref);
    this.cdf = this.boxes.coords.map((c) => new Float64Array(c.length));
    this.pdf = this.boxes.coords.map((c) => new Float64Array(c.length));
    this.heightE = new Float64Array(this.boxes.heights.length);
    this.hPdf = new Float64Array(this.boxes.heights.length);
    this.hCdf = new Float64Array(this.boxes.heights.length);
  }

  /** EHVI for means mu (m) and standard deviations sigma (m), read from `offset`. */
  value(mu: Float64Array, sigma: Float64Array, offset = 0): number {
    const m = this.m;
    const dm = m - 1;
    const { coords, lo, hi, heights, heightIndex, nBoxes } = this.boxes;
    for (let d = 0; d < dm; d++) {
      const c = coords[d];
      const mu0 = mu[offset + d];
      const s = Math.max(sigma[offset + d], MIN_SIGMA_REL * (1 + Math.abs(mu0)));
      const cdf = this.cdf[d];
      const pdf = this.pdf[d];
      // c[0] = −∞: Φ = φ = 0 there.
      cdf[0] = 0;
      pdf[0] = 0;
      for (let k = 1; k < c.length; k++) normPdfCdf((c[k] - mu0) / s, pdf, cdf, k);
    }
    {
      const mu0 = mu[offset + dm];
      const s = Math.max(sigma[offset + dm], MIN_SIGMA_REL * (1 + Math.abs(mu0)));
      const hp = this.hPdf;
      const hc = this.hCdf;
      for (let k = 0; k < heights.length; k++) {
        const h = heights[k];
        normPdfCdf((h - mu0) / s, hp, hc, k);
        const v = s * hp[k] + (h - mu0) * hc[k];
        this.heightE[k] = v > 0 ? v : 0;
      }
    }
    let total = 0;
    for (let b = 0; b < nBoxes; b++) {
      let p = this.heightE[heightIndex[b]];
      const o = b * dm;
      for (let d = 0; d < dm && p !== 0; d++) {
        const i = lo[o + d];
        const j = hi[o + d];
        const c = coords[d];
        const cdf = this.cdf[d];
        const pdf = this.pdf[d];
        const mu0 = mu[offset + d];
        const s = Math.max(sigma[offset + d], MIN_SIGMA_REL * (1 + Math.abs(mu0)));
        const u = c[j];
        // (u − l)·Φ(z_l) + σ(φ(z_u) − φ(z_l)) + (u − μ)(Φ(z_u) − Φ(z_l)); the first term vanishes at l = −∞.
        let e = s * (pdf[j] - pdf[i]) + (u - mu0) * (cdf[j] - cdf[i]);
        if (i > 0) e += (u - c[i]) * cdf[i];
        p *= e > 0 ? e : 0;
      }
      total += p;
    }
    return total;
  }
}

/** ρ of the augmented Tchebycheff function (Knowles 2006). */
export const PAREGO_RHO = 0.05;

/** λ uniform on the probability simplex (normalised exponentials). */
export function randomSimplexWeights(rng: Rng, m: number): Float64Array {
  const w = new Float64Array(m);
  let s = 0;
  for (let j = 0; j < m; j++) {
    // 1 − next() ∈ (0, 1], so the log is finite.
    w[j] = -Math.log(1 - rng.next());
    s += w[j];
  }
  for (let j = 0; j < m; j++) w[j] /= s;
  return w;
}

/**
 * Augmented Tchebycheff scalarisation of rows y (n, m), each objective normalised to [0, 1] by
 * (lo, hi) (its observed range; a zero range maps to 0). Writes s (n).
 */
export function augmentedTchebycheff(
  y: Float64Array,
  n: number,
  m: number,
  weights: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    let sum = 0;
    for (let j = 0; j < m; j++) {
      const range = hi[j] - lo[j];
      const v = range > 0 ? (y[i * m + j] - lo[j]) / range : 0;
      const wv = weights[j] * v;
      if (wv > mx) mx = wv;
      sum += wv;
    }
    out[i] = mx + PAREGO_RHO * sum;
  }
}
