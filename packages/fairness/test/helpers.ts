/**
 * Test fixtures: a seeded synthetic dataset with a known bias, per-group rates, and a small weighted logistic
 * regression (Newton's method) used where a fast, exact, weight-honouring model is needed.
 */
import { Rng } from '@virnyflow/core';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';

export interface Dataset {
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  readonly prot: Uint8Array;
}

/**
 * Biased labels: y = [skill + bias·prot + noise > 0.5]. Features: a noisy skill measurement, a proxy of the
 * group (prot + N(0, proxyNoise)), and pure noise. A model that uses the proxy inherits the label bias:
 * the privileged group (prot = 1) is selected more often and gets a higher TPR and FPR.
 */
export function biasedData(n: number, seed: number, bias = 1.0, proxyNoise = 0.3): Dataset {
  const rng = new Rng(seed);
  const d = 3;
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  const prot = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const g = rng.next() < 0.5 ? 1 : 0;
    const skill = rng.normal();
    prot[i] = g;
    y[i] = skill + bias * g + 0.5 * rng.normal() > 0.5 ? 1 : 0;
    data[i * d] = skill + 0.5 * rng.normal();
    data[i * d + 1] = g + proxyNoise * rng.normal();
    data[i * d + 2] = rng.normal();
  }
  return { X: { data, nRows: n, nCols: d }, y, prot };
}

export function take(ds: Dataset, from: number, to: number): Dataset {
  const d = ds.X.nCols;
  return {
    X: { data: ds.X.data.slice(from * d, to * d), nRows: to - from, nCols: d },
    y: ds.y.slice(from, to),
    prot: ds.prot.slice(from, to),
  };
}

export interface GroupRates {
  readonly tpr: [number, number];
  readonly fpr: [number, number];
  readonly sel: [number, number];
  readonly accuracy: number;
}

/** TPR, FPR and selection rate per group (index = prot value) and overall accuracy of labels `yhat`. */
export function groupRates(y: Uint8Array, yhat: Uint8Array, prot: Uint8Array): GroupRates {
  const c = new Float64Array(8); // g * 4 + y * 2 + ŷ
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    c[prot[i] * 4 + y[i] * 2 + yhat[i]]++;
    if (y[i] === yhat[i]) correct++;
  }
  const rate = (g: number) => ({
    tpr: c[g * 4 + 3] / (c[g * 4 + 2] + c[g * 4 + 3]),
    fpr: c[g * 4 + 1] / (c[g * 4] + c[g * 4 + 1]),
    sel: (c[g * 4 + 1] + c[g * 4 + 3]) / (c[g * 4] + c[g * 4 + 1] + c[g * 4 + 2] + c[g * 4 + 3]),
  });
  const r0 = rate(0);
  const r1 = rate(1);
  return {
    tpr: [r0.tpr, r1.tpr],
    fpr: [r0.fpr, r1.fpr],
    sel: [r0.sel, r1.sel],
    accuracy: correct / y.length,
  };
}

/** max(|ΔTPR|, |ΔFPR|) — the larger of Virny's |Equalized_Odds_TPR| and |Equalized_Odds_FPR|. */
export function eqOddsGap(r: GroupRates): number {
  return Math.max(Math.abs(r.tpr[0] - r.tpr[1]), Math.abs(r.fpr[0] - r.fpr[1]));
}

export function labels(p: Float64Array, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i] > threshold ? 1 : 0;
  return out;
}

/** Area under the ROC curve of scores for a binary target (ties count ½). */
export function auc(scores: Float64Array, target: Uint8Array): number {
  let pos = 0;
  let neg = 0;
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    if (target[i] !== 1) continue;
    pos++;
    for (let j = 0; j < scores.length; j++) {
      if (target[j] === 1) continue;
      if (scores[i] > scores[j]) s += 1;
      else if (scores[i] === scores[j]) s += 0.5;
    }
  }
  for (let j = 0; j < target.length; j++) if (target[j] !== 1) neg++;
  return s / (pos * neg);
}

/**
 * L2-regularised weighted logistic regression fitted by Newton's method (exact, fast for a few features).
 * Honours `rows` (duplicates repeat rows) and `sampleWeight` like every `Classifier`.
 */
export class TestLogisticRegression implements Classifier {
  readonly kind = 'test_lr';
  private beta: Float64Array | null = null;
  constructor(private readonly l2 = 1e-4) {}

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const { nRows, nCols, data } = X;
    const p = nCols + 1;
    const cnt = new Float64Array(nRows);
    if (options.rows) for (const r of options.rows) cnt[r] += 1;
    else cnt.fill(1);
    if (options.sampleWeight) for (let i = 0; i < nRows; i++) cnt[i] *= options.sampleWeight[i];
    let total = 0;
    for (let i = 0; i < nRows; i++) total += cnt[i];
    const beta = new Float64Array(p);
    const g = new Float64Array(p);
    const Hm = new Float64Array(p * p);
    const xi = new Float64Array(p);
    for (let it = 0; it < 50; it++) {
      g.fill(0);
      Hm.fill(0);
      for (let i = 0; i < nRows; i++) {
        const w = cnt[i];
        if (w === 0) continue;
        xi[0] = 1;
        for (let j = 0; j < nCols; j++) xi[j + 1] = data[i * nCols + j];
        let z = 0;
        for (let j = 0; j < p; j++) z += beta[j] * xi[j];
        const mu = 1 / (1 + Math.exp(-z));
        const r = (mu - y[i]) * w;
        const v = mu * (1 - mu) * w;
        for (let a = 0; a < p; a++) {
          g[a] += r * xi[a];
          for (let b = 0; b < p; b++) Hm[a * p + b] += v * xi[a] * xi[b];
        }
      }
      for (let a = 1; a < p; a++) {
        g[a] += this.l2 * total * beta[a];
        Hm[a * p + a] += this.l2 * total;
      }
      for (let a = 0; a < p; a++) Hm[a * p + a] += 1e-9 * total;
      const step = solve(Hm, g, p);
      let maxStep = 0;
      for (let j = 0; j < p; j++) {
        beta[j] -= step[j];
        maxStep = Math.max(maxStep, Math.abs(step[j]));
      }
      if (maxStep < 1e-10) break;
    }
    this.beta = beta;
  }

  predictProba(X: DenseMatrix): Float64Array {
    const beta = this.beta as Float64Array;
    const out = new Float64Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      let z = beta[0];
      for (let j = 0; j < X.nCols; j++) z += beta[j + 1] * X.data[i * X.nCols + j];
      out[i] = 1 / (1 + Math.exp(-z));
    }
    return out;
  }

  toJSON(): SerializedModel {
    return { kind: this.kind, version: 1, beta: Array.from(this.beta ?? []) };
  }

  static fromJSON(s: SerializedModel): TestLogisticRegression {
    const m = new TestLogisticRegression();
    m.beta = Float64Array.from(s.beta as number[]);
    return m;
  }
}

/** Solves A x = b (p × p, Gaussian elimination with partial pivoting); A and b are not modified. */
function solve(A0: Float64Array, b0: Float64Array, p: number): Float64Array {
  const A = A0.slice();
  const b = b0.slice();
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r * p + c]) > Math.abs(A[piv * p + c])) piv = r;
    if (piv !== c) {
      for (let j = 0; j < p; j++) {
        const t = A[c * p + j];
        A[c * p + j] = A[piv * p + j];
        A[piv * p + j] = t;
      }
      const t = b[c];
      b[c] = b[piv];
      b[piv] = t;
    }
    for (let r = c + 1; r < p; r++) {
      const f = A[r * p + c] / A[c * p + c];
      for (let j = c; j < p; j++) A[r * p + j] -= f * A[c * p + j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(p);
  for (let r = p - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < p; j++) s -= A[r * p + j] * x[j];
    x[r] = s / A[r * p + r];
  }
  return x;
}

/** Inverted-CDF empirical quantile (NumPy method 'inverted_cdf'): the smallest x with F(x) ≥ q. */
export function quantileInvertedCdf(sorted: Float64Array, q: number): number {
  const pos = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[pos];
}

/** Values of column j of X for rows of group g, sorted. */
export function groupColumn(X: DenseMatrix, prot: Uint8Array, g: number, j: number): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < X.nRows; i++) if (prot[i] === g) out.push(X.data[i * X.nCols + j]);
  return Float64Array.from(out).sort();
}
