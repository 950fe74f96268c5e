/**
 * Reweighing (Kamiran & Calders 2012, "Data preprocessing techniques for classification without
 * discrimination", Alg. 3). Each (group, label) cell gets the weight that makes group and label independent
 * in the weighted training data:
 *
 *     w(g, y) = P(g)·P(y) / P(g, y)      (probabilities from the — optionally weighted — training counts)
 *
 * so that Σ_{i∈g} wᵢyᵢ / Σ_{i∈g} wᵢ = P(y = 1) in both groups. Features are not changed; `transform` returns
 * the input matrix and, when labels are given, the per-row weights w(gᵢ, yᵢ) for the model's
 * `FitOptions.sampleWeight`. A cell absent from training (P(g, y) = 0) gets weight 1: no training row uses it.
 */
import type { DenseMatrix, SerializedModel } from '@virnyflow/models';
import { checkBinary, checkLength, checkMatrix, checkTraining, notFitted } from './check';
import { expectKind, f64 } from './serial';
import type { PreFitOptions, PreProcessed, PreProcessor } from './stage';

const KIND = 'Reweighing';
const VERSION = 1;

export class Reweighing implements PreProcessor {
  readonly phase = 'pre' as const;
  readonly name = KIND;
  /** (2 groups × 2 labels) weights, index g * 2 + y; null before fit. */
  private w: Float64Array | null = null;

  fit(X: DenseMatrix, y: Uint8Array, prot: Uint8Array, options: PreFitOptions): void {
    checkTraining(X, y, prot, 'Reweighing.fit', { sampleWeight: options.sampleWeight });
    const sw = options.sampleWeight;
    // Weighted counts per cell g * 2 + y.
    const c = new Float64Array(4);
    for (let i = 0; i < y.length; i++) c[prot[i] * 2 + y[i]] += sw ? sw[i] : 1;
    const total = c[0] + c[1] + c[2] + c[3];
    const pG = [(c[0] + c[1]) / total, (c[2] + c[3]) / total];
    const pY = [(c[0] + c[2]) / total, (c[1] + c[3]) / total];
    const w = new Float64Array(4);
    for (let g = 0; g < 2; g++) {
      for (let l = 0; l < 2; l++) {
        const pGY = c[g * 2 + l] / total;
        w[g * 2 + l] = pGY > 0 ? (pG[g] * pY[l]) / pGY : 1;
      }
    }
    this.w = w;
  }

  /** The fitted weight of a (group, label) cell. */
  weight(group: 0 | 1, label: 0 | 1): number {
    const w = this.w ?? notFitted('Reweighing.weight');
    return w[group * 2 + label];
  }

  transform(X: DenseMatrix, prot: Uint8Array, y?: Uint8Array): PreProcessed {
    const w = this.w ?? notFitted('Reweighing.transform');
    checkMatrix(X, 'Reweighing.transform');
    checkLength('prot', prot.length, X.nRows, 'Reweighing.transform');
    checkBinary('prot', prot, 'Reweighing.transform');
    if (!y) return { X };
    checkLength('y', y.length, X.nRows, 'Reweighing.transform');
    checkBinary('y', y, 'Reweighing.transform');
    const sampleWeight = new Float64Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) sampleWeight[i] = w[prot[i] * 2 + y[i]];
    return { X, sampleWeight };
  }

  toJSON(): SerializedModel {
    const w = this.w ?? notFitted('Reweighing.toJSON');
    return { kind: KIND, version: VERSION, weights: Array.from(w) };
  }

  static fromJSON(s: SerializedModel): Reweighing {
    expectKind(s, KIND, VERSION);
    const r = new Reweighing();
    r.w = f64(s, 'weights');
    return r;
  }
}
