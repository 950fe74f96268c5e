/** Composed disparities (SPEC §7.6) and objectives/constraints (SPEC §1.5, §13.2, §13.3). */
import { describe, expect, it } from 'vitest';
import { DISPARITY_METRICS, parseConstraint as parseConstraintText } from '@virnyflow/core';
import { MetricsErrorCode, MetricsTable, composeDisparities, evaluateObjectives } from '../src/index';
import type { ObjectiveConstraint } from '../src/index';

/** A config constraint string as the config module parses it (without `on`: the catalog decides). */
function parseConstraint(text: string): ObjectiveConstraint {
  const c = parseConstraintText(text);
  if (c === null) throw new Error(`bad constraint ${text}`);
  return c;
}

const groups = ['overall', 'sex_priv', 'sex_dis', 'sex&race_priv', 'sex&race_dis'];
// Rows: TPR, Selection-Rate, Std, F1
const metrics = ['TPR', 'Selection-Rate', 'Std', 'F1'];
// prettier-ignore
const values = Float64Array.from([
  0.8, 0.9, 0.6, 0.85, 0.5,
  0.4, 0.5, 0.25, 0.0, 0.3,
  0.05, 0.04, 0.07, 0.0, 0.0,
  0.7, 0.75, NaN, 0.72, 0.6,
]);

describe('composeDisparities', () => {
  const d = composeDisparities(metrics, groups, values, ['sex', 'sex&race']);
  it('builds every composed metric whose base is present, dis − priv and dis / priv', () => {
    const expected = DISPARITY_METRICS.filter((m) =>
      ['TPR', 'Selection-Rate', 'Std'].includes(m.composedFrom?.base ?? ''),
    ).map((m) => m.name);
    expect(d.metrics).toEqual(expected);
    const at = (m: string, k: number): number => d.values[d.metrics.indexOf(m) * 2 + k];
    expect(at('Equalized_Odds_TPR', 0)).toBeCloseTo(0.6 - 0.9, 15);
    expect(at('Equalized_Odds_TPR', 1)).toBeCloseTo(0.5 - 0.85, 15);
    expect(at('Statistical_Parity_Difference', 0)).toBeCloseTo(-0.25, 15);
    expect(at('Disparate_Impact', 0)).toBeCloseTo(0.5, 15);
    expect(at('Std_Ratio', 0)).toBeCloseTo(0.07 / 0.04, 14);
  });
  it('ratios over zero give Infinity or NaN, as NumPy does', () => {
    const at = (m: string, k: number): number => d.values[d.metrics.indexOf(m) * 2 + k];
    expect(at('Disparate_Impact', 1)).toBe(Infinity);
    expect(Number.isNaN(at('Std_Ratio', 1))).toBe(true);
  });
  it('metrics absent from the input produce no rows', () => {
    expect(d.metrics).not.toContain('Accuracy_Difference');
    expect(d.metrics).not.toContain('Label_Stability_Ratio');
  });
});

function tableOf(): MetricsTable {
  const d = composeDisparities(metrics, groups, values, ['sex', 'sex&race']);
  return new MetricsTable(metrics, groups, values, d.metrics, d.keys, d.values);
}

describe('evaluateObjectives', () => {
  const table = tableOf();
  it('losses, weighted vector, reversed values and compound quality', () => {
    const e = evaluateObjectives(table, [
      { name: 'objective_1', metric: 'TPR', group: 'overall', weight: 0.25 },
      { name: 'objective_2', metric: 'Equalized_Odds_TPR', group: 'sex', weight: 0.5 },
      { name: 'objective_3', metric: 'Disparate_Impact', group: 'sex', weight: 0.25 },
    ]);
    expect(Array.from(e.values)).toEqual([0.8, 0.6 - 0.9, 0.5]);
    expect(e.losses[0]).toBeCloseTo(0.2, 15); // reverse: 1 − v
    expect(e.losses[1]).toBeCloseTo(0.3, 15); // abs
    expect(e.losses[2]).toBeCloseTo(0.5, 15); // |1 − v|
    expect(e.weighted[0]).toBeCloseTo(0.05, 15);
    expect(e.weighted[1]).toBeCloseTo(0.15, 15);
    expect(e.weighted[2]).toBeCloseTo(0.125, 15);
    expect(e.reversed[1]).toBeCloseTo(0.7, 15);
    expect(e.compoundQuality).toBeCloseTo(0.25 * 0.8 + 0.5 * 0.7 + 0.25 * 0.5, 15);
    expect(e.valid).toBe(true);
    expect(e.violations.length).toBe(0);
    expect(e.feasible).toBe(true);
  });

  it('Std is an objective with identity loss (§13.2)', () => {
    const e = evaluateObjectives(table, [{ name: 'o', metric: 'Std', group: 'overall', weight: 1 }]);
    expect(e.losses[0]).toBe(0.05);
  });

  it('constraints mean what they say: raw for overall metrics and ratios, |v| for differences', () => {
    const e = evaluateObjectives(table, [
      {
        name: 'f1',
        metric: 'TPR',
        group: 'overall',
        weight: 0.5,
        constraints: [parseConstraint('>= 0.9'), parseConstraint('<= 0.95')],
      },
      {
        name: 'eo',
        metric: 'Equalized_Odds_TPR',
        group: 'sex',
        weight: 0.25,
        constraints: [parseConstraint('<= 0.2')],
      },
      {
        name: 'di',
        metric: 'Disparate_Impact',
        group: 'sex',
        weight: 0.25,
        constraints: [parseConstraint('>= 0.8')],
      },
    ]);
    // TPR 0.8: >= 0.9 violated by 0.1; <= 0.95 satisfied by 0.15. |EO| = 0.3 > 0.2 → 0.1. DI 0.5 < 0.8 → 0.3.
    expect(e.violations.length).toBe(4);
    expect(e.violations[0]).toBeCloseTo(0.1, 15);
    expect(e.violations[1]).toBeCloseTo(-0.15, 15);
    expect(e.violations[2]).toBeCloseTo(0.1, 15);
    expect(e.violations[3]).toBeCloseTo(0.3, 15);
    expect(e.feasible).toBe(false);
    const ok = evaluateObjectives(table, [
      {
        name: 'eo',
        metric: 'Equalized_Odds_TPR',
        group: 'sex',
        weight: 1,
        constraints: [parseConstraint('<= 0.35')],
      },
    ]);
    expect(ok.feasible).toBe(true);
    // An explicit `on: 'raw'` compares the signed value: −0.3 ≤ 0.2.
    const raw = evaluateObjectives(table, [
      {
        name: 'eo',
        metric: 'Equalized_Odds_TPR',
        group: 'sex',
        weight: 1,
        constraints: [{ op: '<=', threshold: 0.2, on: 'raw' }],
      },
    ]);
    expect(raw.violations[0]).toBeCloseTo(-0.5, 15);
  });

  it('NaN and infinite values are flagged, not thrown', () => {
    const e = evaluateObjectives(table, [
      { name: 'a', metric: 'Disparate_Impact', group: 'sex&race', weight: 0.5 },
      { name: 'b', metric: 'F1', group: 'sex_dis', weight: 0.5 },
    ]);
    expect(e.valid).toBe(false);
    expect(e.invalid.map((i) => i.objective)).toEqual(['a', 'b']);
    expect(e.weighted[0]).toBe(Infinity);
  });

  it('missing (metric, group) pairs and unusable metrics are typed errors', () => {
    expect(() =>
      evaluateObjectives(table, [{ name: 'a', metric: 'Accuracy', group: 'overall', weight: 1 }]),
    ).toThrow(expect.objectContaining({ code: MetricsErrorCode.MissingValue }));
    expect(() => evaluateObjectives(table, [{ name: 'a', metric: 'TPR', group: 'sex', weight: 1 }])).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.MissingValue }),
    );
    expect(() =>
      evaluateObjectives(table, [{ name: 'a', metric: 'f1', group: 'overall', weight: 1 }]),
    ).toThrow(expect.objectContaining({ code: MetricsErrorCode.UnknownMetric }));
    expect(() =>
      evaluateObjectives(table, [{ name: 'a', metric: 'Sample_Size', group: 'overall', weight: 1 }]),
    ).toThrow(expect.objectContaining({ code: MetricsErrorCode.UnknownMetric }));
  });

  it('disparity groups are trimmed like keys', () => {
    const e = evaluateObjectives(table, [
      { name: 'a', metric: 'Equalized_Odds_TPR', group: 'sex & race', weight: 1 },
    ]);
    expect(e.values[0]).toBeCloseTo(-0.35, 15);
  });
});

describe('MetricsTable long format', () => {
  it('round-trips through JSON, including NaN and ±Infinity', () => {
    const t = tableOf();
    const json = JSON.parse(JSON.stringify(t.toJSON())) as ReturnType<MetricsTable['toJSON']>;
    expect(json.metrics[0]).toEqual({ metric: 'TPR', group: 'overall', value: 0.8 });
    const back = MetricsTable.fromJSON(json);
    expect(back.metrics).toEqual(t.metrics);
    expect(back.groups).toEqual(t.groups);
    expect(back.keys).toEqual(t.keys);
    expect(Array.from(back.values)).toEqual(Array.from(t.values));
    expect(Array.from(back.disparityValues)).toEqual(Array.from(t.disparityValues));
    expect(t.toLong().length).toBe(metrics.length * groups.length);
  });

  it('converts to observation rows (non-finite → null) and back', () => {
    const t = tableOf();
    const rows = t.toMetricRows('test');
    expect(rows.length).toBe(t.metrics.length * t.groups.length + t.disparityMetrics.length * t.keys.length);
    expect(rows).toContainEqual({
      metric: 'Disparate_Impact',
      group: 'sex&race',
      value: null,
      split: 'test',
    });
    expect(rows).toContainEqual({ metric: 'TPR', group: 'sex_dis', value: 0.6, split: 'test' });
    const back = MetricsTable.fromMetricRows([...rows, ...t.toMetricRows('train')], 'test');
    expect(back.metrics).toEqual(t.metrics);
    expect(back.disparityMetrics).toEqual(t.disparityMetrics);
    expect(back.keys).toEqual(t.keys);
    expect(back.get('TPR', 'sex_dis')).toBe(0.6);
    expect(Number.isNaN(back.disparity('Disparate_Impact', 'sex&race'))).toBe(true);
  });
});
