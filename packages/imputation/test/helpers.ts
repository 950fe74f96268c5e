/** Synthetic tables with known structure for the imputer tests. */
import { Rng } from '@virnyflow/core';
import type { Column, Table } from '@virnyflow/data';
import {
  MISSING_CODE,
  Table as TableClass,
  categoricalColumn,
  injectNulls,
  numericColumn,
} from '@virnyflow/data';

/**
 * n rows driven by one latent z ~ N(0, 1):
 * x1 = z + 0.25ε, x2 = 3 − 2z + 0.3ε, x3 = 0.5z + 0.2ε (strongly correlated numeric columns),
 * level = lo / mid / hi by z < −0.5, < 0.5 (with 5% relabelled at random), pos = yes iff z + 0.3ε > 0,
 * and two independent columns: noise ~ N(0, 1), color uniform over 4 values.
 */
export function correlatedTable(n: number, seed: number): Table {
  const rng = new Rng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const x3 = new Float64Array(n);
  const noise = new Float64Array(n);
  const level = new Int32Array(n);
  const pos = new Int32Array(n);
  const color = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    x1[i] = z + 0.25 * rng.normal();
    x2[i] = 3 - 2 * z + 0.3 * rng.normal();
    x3[i] = 0.5 * z + 0.2 * rng.normal();
    noise[i] = rng.normal();
    level[i] = rng.next() < 0.05 ? rng.nextInt(3) : z < -0.5 ? 0 : z < 0.5 ? 1 : 2;
    pos[i] = z + 0.3 * rng.normal() > 0 ? 1 : 0;
    color[i] = rng.nextInt(4);
  }
  return new TableClass([
    numericColumn('x1', x1),
    numericColumn('x2', x2),
    numericColumn('x3', x3),
    numericColumn('noise', noise),
    categoricalColumn('level', level, ['lo', 'mid', 'hi']),
    categoricalColumn('pos', pos, ['no', 'yes']),
    categoricalColumn('color', color, ['red', 'green', 'blue', 'gray']),
  ]);
}

export interface Split {
  readonly trainFull: Table;
  readonly testFull: Table;
  readonly train: Table;
  readonly test: Table;
}

/** First nTrain rows train, the rest test; MCAR nulls over `columns` at `pct` in both splits. */
export function injectedSplit(
  full: Table,
  nTrain: number,
  columns: readonly string[],
  pct: number,
  seed: number,
): Split {
  const rows = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  const trainFull = full.take(rows(0, nTrain));
  const testFull = full.take(rows(nTrain, full.nRows));
  const spec = { strategy: 'MCAR' as const, columns, nullPercentage: pct };
  return {
    trainFull,
    testFull,
    train: injectNulls(trainFull, spec, seed).table,
    test: injectNulls(testFull, spec, seed + 1).table,
  };
}

function isMissing(c: Column, i: number): boolean {
  return c.kind === 'numeric' ? Number.isNaN(c.values[i]) : c.codes[i] === MISSING_CODE;
}

/** RMSE over the cells of `column` missing in `injected`, of `imputed` against `truth`. */
export function rmseOnMissing(truth: Table, injected: Table, imputed: Table, column: string): number {
  const t = truth.column(column) as { values: Float64Array };
  const m = injected.column(column);
  const o = imputed.column(column) as { values: Float64Array };
  let se = 0;
  let n = 0;
  for (let i = 0; i < truth.nRows; i++) {
    if (!isMissing(m, i)) continue;
    se += (o.values[i] - t.values[i]) ** 2;
    n++;
  }
  return Math.sqrt(se / n);
}

/** Accuracy over the cells of a categorical column missing in `injected` (compared by category text). */
export function accuracyOnMissing(truth: Table, injected: Table, imputed: Table, column: string): number {
  const t = truth.column(column) as { codes: Int32Array; categories: readonly string[] };
  const m = injected.column(column);
  const o = imputed.column(column) as { codes: Int32Array; categories: readonly string[] };
  let ok = 0;
  let n = 0;
  for (let i = 0; i < truth.nRows; i++) {
    if (!isMissing(m, i)) continue;
    if (o.categories[o.codes[i]] === t.categories[t.codes[i]]) ok++;
    n++;
  }
  return ok / n;
}

/** Number of missing cells in the whole table. */
export function missingCells(t: Table): number {
  let n = 0;
  for (const c of t.columns) for (let i = 0; i < t.nRows; i++) if (isMissing(c, i)) n++;
  return n;
}

/** Mean of the observed values of a numeric column. */
export function observedMean(t: Table, column: string): number {
  const v = (t.column(column) as { values: Float64Array }).values;
  let s = 0;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === v[i]) {
      s += v[i];
      n++;
    }
  }
  return s / n;
}
