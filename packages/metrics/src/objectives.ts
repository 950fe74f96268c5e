/**
 * From a metrics table to what the optimizer minimises (SPEC §1.5, §1.6 with the decisions of §13.2,
 * §13.3, §13.6).
 *
 * For objective i with metric value v_i and weight w_i:
 * - loss_i = the catalog's loss transform of v_i (1 − v, v, |v| or |1 − v|),
 * - weighted_i = w_i · loss_i — the vector the optimizer receives (its `ref_point` lives in this space),
 * - reversed_i = 1 − loss_i ("higher is better"; negative when loss > 1),
 * - compound quality Q = Σ_i w_i · reversed_i (halting, best tracking, ranking).
 * Constraints mean what they say (§13.3): `"<op> t"` is checked on the raw value (overall metrics, ratios)
 * or on |v| (signed differences), as the catalog's `constraintOn` says unless the constraint overrides it;
 * `>= t` gives violation t − x, `<= t` gives x − t, and a violation ≤ 0 is feasible. Each constraint string
 * is one constraint for the optimizer. Unlike VirnyFlow, thresholds are not weighted.
 *
 * Non-finite values (NaN from 0/0, ±Infinity from a ratio over 0) are returned flagged (`valid: false`),
 * never thrown: the engine records them as a failed observation.
 */
import { metricInfo, normalizeGroupKey, toLoss } from '@virnyflow/core';
import type { MetricInfo } from '@virnyflow/core';
import { MetricsErrorCode, metricsError } from './errors';
import { OVERALL } from './groups';
import type { MetricsTable } from './metrics-table';

/** One parsed constraint of an objective (`">= 0.8"` → `{op: '>=', threshold: 0.8}`), see core's `parseConstraint`. */
export interface ObjectiveConstraint {
  readonly op: '>=' | '<=';
  readonly threshold: number;
  /** Compare the raw value or its magnitude; default: the catalog's `constraintOn` for the metric. */
  readonly on?: 'raw' | 'abs';
}

/**
 * An objective; core's `ObjectiveConfig` (the resolved config's objectives) fits this shape. `group` is
 * `overall` for per-group metrics and a sensitive-attribute key for disparity metrics.
 */
export interface ObjectiveSpec {
  readonly name: string;
  readonly metric: string;
  readonly group: string;
  readonly weight: number;
  readonly constraints?: readonly ObjectiveConstraint[];
}

/** An objective whose value (or loss) is not a finite number. */
export interface InvalidObjective {
  readonly objective: string;
  readonly metric: string;
  readonly group: string;
  readonly value: number;
}

export interface ObjectiveEvaluation {
  /** (nObjectives) raw metric values. */
  readonly values: Float64Array;
  /** (nObjectives) losses, lower is better. */
  readonly losses: Float64Array;
  /** (nObjectives) w·loss — the optimizer's objective vector. */
  readonly weighted: Float64Array;
  /** (nObjectives) 1 − loss. */
  readonly reversed: Float64Array;
  /** Σ w·(1 − loss). */
  readonly compoundQuality: number;
  /** (nConstraints) violations in objective order, then constraint order; feasible iff every one ≤ 0. */
  readonly violations: Float64Array;
  readonly feasible: boolean;
  /** False when any value, loss or violation is NaN or infinite; see `invalid`. */
  readonly valid: boolean;
  readonly invalid: readonly InvalidObjective[];
}

/** Catalog entry of a metric usable as an objective, or a `VF_METRICS_UNKNOWN_METRIC` error. */
export function objectiveMetricInfo(metric: string): MetricInfo & { loss: NonNullable<MetricInfo['loss']> } {
  const info = metricInfo(metric);
  if (info === undefined) {
    throw metricsError(
      MetricsErrorCode.UnknownMetric,
      `objective metric '${metric}' is not a Virny metric name (names are case-sensitive, e.g. F1, ` +
        'Equalized_Odds_TPR, Label_Stability)',
      { metric },
    );
  }
  if (info.loss === null) {
    throw metricsError(
      MetricsErrorCode.UnknownMetric,
      `metric '${metric}' cannot be an objective (it has no loss: ${info.description}); pick another metric`,
      { metric },
    );
  }
  return info as MetricInfo & { loss: NonNullable<MetricInfo['loss']> };
}

/**
 * The value of (metric, group) in a table: per-group metrics by group name (`overall`), disparity metrics
 * by sensitive-attribute key (trimmed). Throws `VF_METRICS_MISSING_VALUE` when the table lacks it (e.g. a
 * stability metric in no-bootstrap mode).
 */
export function lookupMetric(table: MetricsTable, metric: string, group: string): number {
  const info = objectiveMetricInfo(metric);
  const key = info.scope === 'disparity' ? normalizeGroupKey(group) : group.trim();
  const v = info.scope === 'disparity' ? table.disparity(metric, key) : table.get(metric, key);
  if (v === undefined) {
    const where =
      info.scope === 'disparity'
        ? `disparity metrics (${table.disparityMetrics.join(', ') || 'none'}) × keys (${table.keys.join(', ')})`
        : `metrics (${table.metrics.join(', ')}) × groups (${table.groups.join(', ')})`;
    const hint =
      info.scope === 'disparity'
        ? `${metric} is a disparity metric: its group must be a key of sensitive_attributes_dct`
        : `${metric} is a per-group metric: its group must be '${OVERALL}'`;
    throw metricsError(
      MetricsErrorCode.MissingValue,
      `no value for metric '${metric}' on group '${group}' in this metrics table; it has ${where}. ${hint}` +
        (info.needsBootstrap ? ', and it needs the bootstrap (n_estimators ≥ 2)' : ''),
      { metric, group },
    );
  }
  return v;
}

/** Maps a metrics table to the objective vector, compound quality and constraint violations. */
export function evaluateObjectives(
  table: MetricsTable,
  objectives: readonly ObjectiveSpec[],
): ObjectiveEvaluation {
  const k = objectives.length;
  const values = new Float64Array(k);
  const losses = new Float64Array(k);
  const weighted = new Float64Array(k);
  const reversed = new Float64Array(k);
  const violations: number[] = [];
  const invalid: InvalidObjective[] = [];
  let q = 0;
  for (let i = 0; i < k; i++) {
    const o = objectives[i];
    const info = objectiveMetricInfo(o.metric);
    const v = lookupMetric(table, o.metric, o.group);
    const loss = toLoss(info.loss, v);
    values[i] = v;
    losses[i] = loss;
    weighted[i] = o.weight * loss;
    reversed[i] = 1 - loss;
    q += o.weight * (1 - loss);
    let bad = !Number.isFinite(v) || !Number.isFinite(loss);
    for (const c of o.constraints ?? []) {
      const x = (c.on ?? info.constraintOn) === 'abs' ? Math.abs(v) : v;
      const viol = c.op === '>=' ? c.threshold - x : x - c.threshold;
      violations.push(viol);
      if (!Number.isFinite(viol)) bad = true;
    }
    if (bad) invalid.push({ objective: o.name, metric: o.metric, group: o.group, value: v });
  }
  const viol = Float64Array.from(violations);
  let feasible = true;
  for (let j = 0; j < viol.length; j++) if (!(viol[j] <= 0)) feasible = false;
  return {
    values,
    losses,
    weighted,
    reversed,
    compoundQuality: q,
    violations: viol,
    feasible,
    valid: invalid.length === 0,
    invalid,
  };
}
