/**
 * scikit-learn's `max_features`: `null` (all features), 'sqrt', 'log2', an integer count, or a fraction in
 * (0, 1). Resolved against the number of columns at fit time.
 */
import { ModelErrorCode, modelError } from './errors';
import type { ParamReader } from './params';

export type MaxFeatures = 'sqrt' | 'log2' | number | null;

export function readMaxFeatures(r: ParamReader, def: MaxFeatures): MaxFeatures {
  const v = r.raw('max_features');
  if (v === undefined) return def;
  if (v === null || v === 'None') return null;
  if (v === 'sqrt' || v === 'log2') return v;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && (Number.isInteger(v) || v < 1)) return v;
  return r.reject('max_features', "must be null, 'sqrt', 'log2', an integer >= 1 or a fraction in (0, 1)");
}

/** Number of features drawn per node (scikit-learn: max(1, int(...))). */
export function resolveMaxFeatures(m: MaxFeatures, nFeatures: number, kind: string): number {
  if (m === null) return nFeatures;
  if (m === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (m === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (Number.isInteger(m)) {
    if (m > nFeatures) {
      modelError(
        ModelErrorCode.BadParam,
        `${kind}: max_features = ${m} exceeds the number of features (${nFeatures}); use at most ${nFeatures}`,
        { kind, name: 'max_features', value: m },
      );
    }
    return m;
  }
  return Math.max(1, Math.floor(m * nFeatures));
}
