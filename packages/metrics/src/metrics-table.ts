/**
 * The result of the evaluation protocol for one model on one evaluation set:
 *
 * - per-group metrics: `values` is (metrics.length, groups.length), row-major — the wide table Virny prints
 *   (`Metric, overall, sex_priv, sex_dis, …`);
 * - composed disparity metrics: `disparityValues` is (disparityMetrics.length, keys.length), row-major — one
 *   column per sensitive-attribute key (`sex`, `race`, `sex&race`).
 *
 * Values may be NaN (zero denominators) or ±Infinity (ratios with a zero denominator). The long format
 * `[{metric, group, value}]` is what the store keeps; `toJSON`/`fromJSON` round-trip exactly, encoding
 * non-finite values as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no literal for them).
 * `toMetricRows` gives the observation message's rows (core's `MetricRow`, non-finite → null).
 */
import { metricInfo, metricValue } from '@virnyflow/core';
import type { MetricRow, MetricSplit } from '@virnyflow/core';

/** One cell of a metrics table in long format. */
export interface MetricRecord {
  readonly metric: string;
  /** A group name (`overall`, `sex_dis`, …) for per-group metrics, a key (`sex&race`) for disparities. */
  readonly group: string;
  readonly value: number;
}

/** One cell as JSON carries it. */
export interface MetricRecordJSON {
  readonly metric: string;
  readonly group: string;
  readonly value: number | 'NaN' | 'Infinity' | '-Infinity';
}

/** The JSON form written by `virnyflow profile --format json` and kept by the store. */
export interface MetricsTableJSON {
  readonly metrics: readonly MetricRecordJSON[];
  readonly disparities: readonly MetricRecordJSON[];
}

export class MetricsTable {
  constructor(
    /** Per-group metric names (rows). */
    readonly metrics: readonly string[],
    /** Group names (columns): `overall`, then `<key>_priv`, `<key>_dis` per key. */
    readonly groups: readonly string[],
    /** (metrics.length, groups.length), row-major. */
    readonly values: Float64Array,
    /** Composed metric names (rows), e.g. `Equalized_Odds_TPR`. */
    readonly disparityMetrics: readonly string[],
    /** Sensitive-attribute keys (columns), e.g. `sex`, `sex&race`. */
    readonly keys: readonly string[],
    /** (disparityMetrics.length, keys.length), row-major. */
    readonly disparityValues: Float64Array,
  ) {
    if (values.length !== metrics.length * groups.length) {
      throw new RangeError(
        `values has ${values.length} cells, expected ${metrics.length} × ${groups.length}`,
      );
    }
    if (disparityValues.length !== disparityMetrics.length * keys.length) {
      throw new RangeError(
        `disparityValues has ${disparityValues.length} cells, expected ${disparityMetrics.length} × ${keys.length}`,
      );
    }
  }

  /** Per-group value, or undefined when the table has no such metric or group. */
  get(metric: string, group: string): number | undefined {
    const r = this.metrics.indexOf(metric);
    const c = this.groups.indexOf(group);
    if (r < 0 || c < 0) return undefined;
    return this.values[r * this.groups.length + c];
  }

  /** Composed value for a sensitive-attribute key, or undefined. */
  disparity(metric: string, key: string): number | undefined {
    const r = this.disparityMetrics.indexOf(metric);
    const c = this.keys.indexOf(key);
    if (r < 0 || c < 0) return undefined;
    return this.disparityValues[r * this.keys.length + c];
  }

  /** Per-group metrics in long format, metric-major in table order. */
  toLong(): MetricRecord[] {
    return long(this.metrics, this.groups, this.values);
  }

  /** Disparity metrics in long format (`group` holds the key). */
  disparitiesToLong(): MetricRecord[] {
    return long(this.disparityMetrics, this.keys, this.disparityValues);
  }

  toJSON(): MetricsTableJSON {
    return {
      metrics: this.toLong().map(encodeRecord),
      disparities: this.disparitiesToLong().map(encodeRecord),
    };
  }

  /**
   * Both tables as observation rows of one split (per-group rows first, then disparity rows keyed by the
   * sensitive-attribute key); NaN and ±Infinity become null.
   */
  toMetricRows(split: MetricSplit): MetricRow[] {
    const rows: MetricRow[] = [];
    for (const r of this.toLong()) rows.push({ ...r, value: metricValue(r.value), split });
    for (const r of this.disparitiesToLong()) rows.push({ ...r, value: metricValue(r.value), split });
    return rows;
  }

  /**
   * Rebuilds a table from observation rows of one split; disparity rows are told apart by the catalog
   * (scope 'disparity'). A null value reads back as NaN.
   */
  static fromMetricRows(rows: readonly MetricRow[], split: MetricSplit): MetricsTable {
    const mine = rows.filter((r) => r.split === split);
    const isDisparity = (m: string): boolean => metricInfo(m)?.scope === 'disparity';
    const a = wide(mine.filter((r) => !isDisparity(r.metric)));
    const b = wide(mine.filter((r) => isDisparity(r.metric)));
    return new MetricsTable(a.rows, a.cols, a.values, b.rows, b.cols, b.values);
  }

  /** Rebuilds a table from its JSON (or long) form; row and column order follow first appearance. */
  static fromJSON(json: MetricsTableJSON): MetricsTable {
    const a = wide(json.metrics);
    const b = wide(json.disparities);
    return new MetricsTable(a.rows, a.cols, a.values, b.rows, b.cols, b.values);
  }
}

function long(rows: readonly string[], cols: readonly string[], values: Float64Array): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < cols.length; c++) {
      out.push({ metric: rows[r], group: cols[c], value: values[r * cols.length + c] });
    }
  }
  return out;
}

function wide(records: readonly { metric: string; group: string; value: number | string | null }[]): {
  rows: string[];
  cols: string[];
  values: Float64Array;
} {
  const rows: string[] = [];
  const cols: string[] = [];
  const rowIx = new Map<string, number>();
  const colIx = new Map<string, number>();
  for (const r of records) {
    if (!rowIx.has(r.metric)) {
      rowIx.set(r.metric, rows.length);
      rows.push(r.metric);
    }
    if (!colIx.has(r.group)) {
      colIx.set(r.group, cols.length);
      cols.push(r.group);
    }
  }
  // Cells absent from the records stay NaN.
  const values = new Float64Array(rows.length * cols.length).fill(NaN);
  for (const r of records) {
    values[(rowIx.get(r.metric) as number) * cols.length + (colIx.get(r.group) as number)] = decodeNumber(
      r.value,
    );
  }
  return { rows, cols, values };
}

/** JSON-safe number: non-finite values become strings. */
export function encodeNumber(v: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNumber(v: number | string | null): number {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  return Number(v);
}

function encodeRecord(r: MetricRecord): MetricRecordJSON {
  return { metric: r.metric, group: r.group, value: encodeNumber(r.value) };
}
