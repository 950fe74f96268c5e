/**
 * Composed disparity metrics (SPEC §7.6, Virny's `MetricsComposer`): for every sensitive-attribute key `G`
 * (intersections included) and every composed metric of the catalog whose base metric is in the table,
 * `_Difference`-style metrics are `base(G_dis) − base(G_priv)` and ratios are `base(G_dis) / base(G_priv)`
 * — disadvantaged first. Ratios with a zero denominator give ±Infinity or NaN, as NumPy does. Metrics whose
 * base is absent (e.g. no bootstrap) produce no rows.
 */
import { DISPARITY_METRICS } from '@virnyflow/core';
import { disName, privName } from './groups';

export interface ComposedDisparities {
  readonly metrics: string[];
  readonly keys: string[];
  /** (metrics.length, keys.length), row-major. */
  readonly values: Float64Array;
}

/**
 * @param metrics per-group metric names (rows of `values`)
 * @param groups group names (columns of `values`)
 * @param values (metrics.length, groups.length), row-major
 * @param keys sensitive-attribute keys; each needs `<key>_priv` and `<key>_dis` among `groups`
 */
export function composeDisparities(
  metrics: readonly string[],
  groups: readonly string[],
  values: Float64Array,
  keys: readonly string[],
): ComposedDisparities {
  const nG = groups.length;
  // No sensitive attribute: nothing to compose (rather than rows with zero columns).
  if (keys.length === 0) return { metrics: [], keys: [], values: new Float64Array(0) };
  const cols = keys.map((k) => {
    const p = groups.indexOf(privName(k));
    const d = groups.indexOf(disName(k));
    if (p < 0 || d < 0) {
      throw new RangeError(`groups lack '${privName(k)}' or '${disName(k)}' for key '${k}'`);
    }
    return { p, d };
  });
  const plan: { name: string; row: number; ratio: boolean }[] = [];
  for (const info of DISPARITY_METRICS) {
    const from = info.composedFrom;
    if (from === undefined) continue;
    const row = metrics.indexOf(from.base);
    if (row >= 0) plan.push({ name: info.name, row, ratio: from.op === 'ratio' });
  }
  const nK = keys.length;
  const res = new Float64Array(plan.length * nK);
  for (let i = 0; i < plan.length; i++) {
    const { row, ratio } = plan[i];
    for (let k = 0; k < nK; k++) {
      const dis = values[row * nG + cols[k].d];
      const priv = values[row * nG + cols[k].p];
      res[i * nK + k] = ratio ? dis / priv : dis - priv;
    }
  }
  return { metrics: plan.map((p) => p.name), keys: [...keys], values: res };
}
