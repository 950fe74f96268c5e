/**
 * Reject Option Classification (Kamiran, Karim & Zhang 2012, "Decision Theory for Discrimination-Aware
 * Classification", ICDM), with aif360's grid search. Around a classification threshold t lies the critical
 * region (t − θ, t + θ]; there the disadvantaged group (prot = 0) gets the favourable label and the
 * privileged group the unfavourable one, outside it labels are [score > t]. Hence
 *
 *     ỹ = [score > t − θ]  for prot = 0,        ỹ = [score > t + θ]  for prot = 1.
 *
 * `fit` scans t over linspace(low, high, numClassThresh) and, for each t, θ over
 * linspace(0, min(t, 1 − t), numRocMargin), and keeps the (t, θ) with the highest balanced accuracy
 * ½(TPR + TNR) among those whose fairness metric lies in [metricLb, metricUb] (first one on ties). The metric
 * is computed dis − priv as aif360: statistical parity difference P(ỹ=1|dis) − P(ỹ=1|priv), average odds
 * difference ½[(FPR_dis − FPR_priv) + (TPR_dis − TPR_priv)], equal opportunity difference TPR_dis − TPR_priv.
 * When no grid point meets the bounds, aif360 takes the smallest *signed* metric; we take the smallest |metric|
 * (the fairest point), which is what the bounds ask for. Each grid point costs O(log n): the scores of every
 * (group, label) cell are sorted once and counts above a threshold are binary searches.
 */
import type { SerializedModel } from '@virnyflow/models';
import {
  badOption,
  checkBinary,
  checkFinite,
  checkLength,
  checkRows,
  notFitted,
  requireBothGroups,
} from './check';
import { expectKind, num } from './serial';
import type { PostFitOptions, PostProcessor } from './stage';

export const RocMetric = {
  StatisticalParityDifference: 'Statistical parity difference',
  AverageOddsDifference: 'Average odds difference',
  EqualOpportunityDifference: 'Equal opportunity difference',
} as const;
export type RocMetric = (typeof RocMetric)[keyof typeof RocMetric];

export interface RejectOptionOptions {
  readonly lowClassThresh: number;
  readonly highClassThresh: number;
  readonly numClassThresh: number;
  readonly numRocMargin: number;
  readonly metricName: RocMetric;
  readonly metricUb: number;
  readonly metricLb: number;
}

/** What `fit` chose, for inspection and tests. */
export interface RejectOptionFit {
  readonly classThreshold: number;
  readonly rocMargin: number;
  readonly balancedAccuracy: number;
  readonly metric: number;
  /** Whether the chosen point satisfies the metric bounds. */
  readonly withinBounds: boolean;
}

const KIND = 'ROC';
const VERSION = 1;

export class RejectOptionClassification implements PostProcessor {
  readonly phase = 'post' as const;
  readonly name = KIND;
  readonly options: RejectOptionOptions;
  private fitted: RejectOptionFit | null = null;

  constructor(options: RejectOptionOptions) {
    const o = options;
    const where = 'ROC';
    if (!(o.lowClassThresh >= 0 && o.lowClassThresh <= 1))
      badOption(where, 'low_class_thresh', o.lowClassThresh, 'a number in [0, 1]');
    if (!(o.highClassThresh >= o.lowClassThresh && o.highClassThresh <= 1))
      badOption(where, 'high_class_thresh', o.highClassThresh, `a number in [low_class_thresh, 1]`);
    if (!(Number.isInteger(o.numClassThresh) && o.numClassThresh >= 1))
      badOption(where, 'num_class_thresh', o.numClassThresh, 'an integer ≥ 1');
    if (!(Number.isInteger(o.numRocMargin) && o.numRocMargin >= 1))
      badOption(where, 'num_ROC_margin', o.numRocMargin, 'an integer ≥ 1');
    if (!Object.values(RocMetric).includes(o.metricName))
      badOption(where, 'metric_name', o.metricName, `one of ${Object.values(RocMetric).join(', ')}`);
    if (!(o.metricLb <= o.metricUb)) badOption(where, 'metric_lb', o.metricLb, 'a number ≤ metric_ub');
    this.options = { ...o };
  }

  get result(): RejectOptionFit {
    return this.fitted ?? notFitted('ROC.result');
  }

  fit(scores: Float64Array, y: Uint8Array, prot: Uint8Array, options: PostFitOptions): void {
    const where = 'ROC.fit';
    checkLength('y', y.length, scores.length, where);
    checkLength('prot', prot.length, scores.length, where);
    checkBinary('y', y, where);
    checkBinary('prot', prot, where);
    checkFinite('scores', scores, where);
    checkRows(options.rows, scores.length, where);
    requireBothGroups(prot, where, options.rows);
    const rows = options.rows;
    const nUsed = rows ? rows.length : scores.length;
    // Sorted scores of each cell g * 2 + y.
    const size = new Int32Array(4);
    for (let t = 0; t < nUsed; t++) {
      const i = rows ? rows[t] : t;
      size[prot[i] * 2 + y[i]]++;
    }
    const cells = [0, 1, 2, 3].map((k) => new Float64Array(size[k]));
    const fill = new Int32Array(4);
    for (let t = 0; t < nUsed; t++) {
      const i = rows ? rows[t] : t;
      const k = prot[i] * 2 + y[i];
      cells[k][fill[k]++] = scores[i];
    }
    for (const c of cells) c.sort();
    const above = (k: number, thr: number): number => cells[k].length - upperBound(cells[k], thr);

    const o = this.options;
    const nPos = size[1] + size[3];
    const nNeg = size[0] + size[2];
    let best: RejectOptionFit | null = null;
    let fallback: RejectOptionFit | null = null;
    let bestScore = -Infinity;
    let fallbackDev = Infinity;
    for (let a = 0; a < o.numClassThresh; a++) {
      const t = linspaceAt(o.lowClassThresh, o.highClassThresh, o.numClassThresh, a);
      const highMargin = t <= 0.5 ? t : 1 - t;
      for (let b = 0; b < o.numRocMargin; b++) {
        const margin = linspaceAt(0, highMargin, o.numRocMargin, b);
        // Positives per cell: disadvantaged above t − θ, privileged above t + θ.
        const p00 = above(0, t - margin);
        const p01 = above(1, t - margin);
        const p10 = above(2, t + margin);
        const p11 = above(3, t + margin);
        const tpr = (p01 + p11) / nPos;
        const tnr = 1 - (p00 + p10) / nNeg;
        const bal = 0.5 * (tpr + tnr);
        let metric: number;
        switch (o.metricName) {
          case 'Statistical parity difference':
            metric = (p00 + p01) / (size[0] + size[1]) - (p10 + p11) / (size[2] + size[3]);
            break;
          case 'Average odds difference':
            metric = 0.5 * (p00 / size[0] - p10 / size[2] + (p01 / size[1] - p11 / size[3]));
            break;
          case 'Equal opportunity difference':
            metric = p01 / size[1] - p11 / size[3];
            break;
        }
        const point = { classThreshold: t, rocMargin: margin, balancedAccuracy: bal, metric };
        // NaN (a cell without rows) ranks last on both criteria.
        const score = Number.isNaN(bal) ? -Infinity : bal;
        const dev = Number.isNaN(metric) ? Infinity : Math.abs(metric);
        if (metric >= o.metricLb && metric <= o.metricUb) {
          if (!best || score > bestScore) {
            best = { ...point, withinBounds: true };
            bestScore = score;
          }
        } else if (!fallback || dev < fallbackDev) {
          fallback = { ...point, withinBounds: false };
          fallbackDev = dev;
        }
      }
    }
    this.fitted = (best ?? fallback) as RejectOptionFit;
  }

  predictLabels(scores: Float64Array, prot: Uint8Array): Uint8Array {
    const f = this.fitted ?? notFitted('ROC.predictLabels');
    const where = 'ROC.predictLabels';
    checkLength('prot', prot.length, scores.length, where);
    checkBinary('prot', prot, where);
    const lo = f.classThreshold - f.rocMargin;
    const hi = f.classThreshold + f.rocMargin;
    const out = new Uint8Array(scores.length);
    for (let i = 0; i < scores.length; i++) out[i] = scores[i] > (prot[i] === 0 ? lo : hi) ? 1 : 0;
    return out;
  }

  toJSON(): SerializedModel {
    const f = this.fitted ?? notFitted('ROC.toJSON');
    return { kind: KIND, version: VERSION, ...this.options, ...f };
  }

  static fromJSON(s: SerializedModel): RejectOptionClassification {
    expectKind(s, KIND, VERSION);
    const r = new RejectOptionClassification({
      lowClassThresh: num(s, 'lowClassThresh'),
      highClassThresh: num(s, 'highClassThresh'),
      numClassThresh: num(s, 'numClassThresh'),
      numRocMargin: num(s, 'numRocMargin'),
      metricName: s.metricName as RocMetric,
      metricUb: num(s, 'metricUb'),
      metricLb: num(s, 'metricLb'),
    });
    r.fitted = {
      classThreshold: num(s, 'classThreshold'),
      rocMargin: num(s, 'rocMargin'),
      balancedAccuracy: num(s, 'balancedAccuracy'),
      metric: num(s, 'metric'),
      withinBounds: s.withinBounds === true,
    };
    return r;
  }
}

/** NumPy's linspace(a, b, num)[i] (the last point is exactly b). */
function linspaceAt(a: number, b: number, num: number, i: number): number {
  if (num === 1) return a;
  if (i === num - 1) return b;
  return a + (i * (b - a)) / (num - 1);
}

/** First index with a[i] > x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
