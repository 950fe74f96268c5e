/**
 * Equalized-odds post-processing (Hardt, Price & Srebro 2016, "Equality of Opportunity in Supervised
 * Learning", §4). The model's labels ŷ = [score ≥ threshold] are randomly flipped per group so that the
 * derived labels ỹ have equal TPR and FPR in both groups. The decision variables are the four mixing
 * probabilities p_{g,ŷ} = P(ỹ = 1 | ŷ, g); with t_g = P(ŷ = 1 | y = 1, g) and f_g = P(ŷ = 1 | y = 0, g),
 *
 *     TPR̃_g = t_g·p_{g,1} + (1 − t_g)·p_{g,0},     FPR̃_g = f_g·p_{g,1} + (1 − f_g)·p_{g,0}
 *
 * and the LP is   min  Σ_g [N_{g,0}·FPR̃_g + N_{g,1}·(1 − TPR̃_g)] / N      (expected 0-1 loss, Hardt Eq. 4.2)
 *                 s.t. TPR̃_0 = TPR̃_1,  FPR̃_0 = FPR̃_1,  0 ≤ p ≤ 1,
 *
 * solved exactly with the small simplex in `linprog`. (aif360's `EqOddsPostprocessing` minimises the
 * unweighted Σ_g (FPR̃_g − TPR̃_g) instead; we follow the paper's loss.) An equality whose rate is undefined in
 * a group (no positives, or no negatives) is dropped. The LP is always feasible (all p equal).
 *
 * Labels are drawn as aif360 does, by exact counts: in each (group, ŷ) cell of a batch, a seeded random
 * round(|cell|·p) rows get ỹ = 1 (ŷ = 1 cells keep their 1 with probability p_{g,1}). The generator is
 * re-created from the fit seed on every call, so repeated calls agree.
 */
import { Rng, hashSeeds } from '@virnyflow/core';
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
import { linprog } from './linprog';
import { expectKind, f64, num, toArray } from './serial';
import type { PostFitOptions, PostProcessor } from './stage';

export interface EqOddsOptions {
  /** Scores at or above it are the model's positive labels (SPEC §7.8: `score ≥ 0.5`). */
  readonly threshold?: number;
}

const KIND = 'EOP';
const VERSION = 1;

export class EqOddsPostprocessing implements PostProcessor {
  readonly phase = 'post' as const;
  readonly name = KIND;
  readonly threshold: number;
  /** [p_{0,1}, p_{0,0}, p_{1,1}, p_{1,0}]; null before fit. */
  private p: Float64Array | null = null;
  private seed = 0;

  constructor(options: EqOddsOptions = {}) {
    const t = options.threshold ?? 0.5;
    if (!(t > 0 && t < 1)) badOption('EOP', 'threshold', t, 'a number in (0, 1)');
    this.threshold = t;
  }

  fit(scores: Float64Array, y: Uint8Array, prot: Uint8Array, options: PostFitOptions): void {
    const where = 'EOP.fit';
    checkLength('y', y.length, scores.length, where);
    checkLength('prot', prot.length, scores.length, where);
    checkBinary('y', y, where);
    checkBinary('prot', prot, where);
    checkFinite('scores', scores, where);
    checkRows(options.rows, scores.length, where);
    requireBothGroups(prot, where, options.rows);
    const rows = options.rows;
    const nUsed = rows ? rows.length : scores.length;
    // counts[g * 4 + y * 2 + ŷ]
    const counts = new Float64Array(8);
    for (let t = 0; t < nUsed; t++) {
      const i = rows ? rows[t] : t;
      counts[prot[i] * 4 + y[i] * 2 + (scores[i] >= this.threshold ? 1 : 0)]++;
    }
    const c = new Float64Array(4);
    const Aeq: number[] = [];
    const beq: number[] = [];
    const tpr = [0, 0];
    const fpr = [0, 0];
    const nPos = [0, 0];
    const nNeg = [0, 0];
    for (let g = 0; g < 2; g++) {
      nNeg[g] = counts[g * 4] + counts[g * 4 + 1];
      nPos[g] = counts[g * 4 + 2] + counts[g * 4 + 3];
      fpr[g] = nNeg[g] > 0 ? counts[g * 4 + 1] / nNeg[g] : 0;
      tpr[g] = nPos[g] > 0 ? counts[g * 4 + 3] / nPos[g] : 0;
      // Loss coefficients of p_{g,1} and p_{g,0} (the constant Σ N_{g,1}/N is dropped).
      c[g * 2] = (nNeg[g] * fpr[g] - nPos[g] * tpr[g]) / nUsed;
      c[g * 2 + 1] = (nNeg[g] * (1 - fpr[g]) - nPos[g] * (1 - tpr[g])) / nUsed;
    }
    if (nPos[0] > 0 && nPos[1] > 0) {
      Aeq.push(tpr[0], 1 - tpr[0], -tpr[1], -(1 - tpr[1]));
      beq.push(0);
    }
    if (nNeg[0] > 0 && nNeg[1] > 0) {
      Aeq.push(fpr[0], 1 - fpr[0], -fpr[1], -(1 - fpr[1]));
      beq.push(0);
    }
    const Aub = new Float64Array(16);
    for (let j = 0; j < 4; j++) Aub[j * 4 + j] = 1;
    const sol = linprog({ c, Aub, bub: [1, 1, 1, 1], Aeq, beq });
    // Feasible by construction (p = 0 satisfies every row); keep the identity mapping if the solver disagrees.
    this.p = sol.status === 'optimal' ? sol.x : Float64Array.of(1, 0, 1, 0);
    this.seed = options.seed;
  }

  /** The fitted mixing probabilities [P(ỹ=1|ŷ=1,g=0), P(ỹ=1|ŷ=0,g=0), P(ỹ=1|ŷ=1,g=1), P(ỹ=1|ŷ=0,g=1)]. */
  get mixingProbabilities(): Float64Array {
    return (this.p ?? notFitted('EOP.mixingProbabilities')).slice();
  }

  predictLabels(scores: Float64Array, prot: Uint8Array): Uint8Array {
    const p = this.p ?? notFitted('EOP.predictLabels');
    const where = 'EOP.predictLabels';
    checkLength('prot', prot.length, scores.length, where);
    checkBinary('prot', prot, where);
    checkFinite('scores', scores, where);
    const n = scores.length;
    const rng = new Rng(hashSeeds(this.seed, 0x454f50));
    const out = new Uint8Array(n);
    // Rows of each (g, ŷ) cell, packed into one buffer with cell offsets.
    const cell = new Uint8Array(n);
    const size = new Int32Array(4);
    for (let i = 0; i < n; i++) {
      const k = prot[i] * 2 + (scores[i] >= this.threshold ? 0 : 1);
      cell[i] = k;
      size[k]++;
    }
    const start = new Int32Array(5);
    for (let k = 0; k < 4; k++) start[k + 1] = start[k] + size[k];
    const fill = start.slice(0, 4);
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[fill[cell[i]]++] = i;
    for (let k = 0; k < 4; k++) {
      const seg = idx.subarray(start[k], start[k + 1]);
      rng.shuffle(seg);
      // Cell k = g * 2 + (ŷ = 1 ? 0 : 1) matches the layout of p.
      const nOnes = Math.round(seg.length * p[k]);
      for (let t = 0; t < nOnes; t++) out[seg[t]] = 1;
    }
    return out;
  }

  toJSON(): SerializedModel {
    const p = this.p ?? notFitted('EOP.toJSON');
    return { kind: KIND, version: VERSION, threshold: this.threshold, seed: this.seed, p: toArray(p) };
  }

  static fromJSON(s: SerializedModel): EqOddsPostprocessing {
    expectKind(s, KIND, VERSION);
    const e = new EqOddsPostprocessing({ threshold: num(s, 'threshold') });
    e.p = f64(s, 'p');
    e.seed = num(s, 'seed');
    return e;
  }
}
