/**
 * What the imputers remember about the training table's columns, and the two directions between a `Table`
 * and their numeric working form:
 *
 * - categorical cells are handled as codes into the *training* categories, so a table whose columns carry
 *   another category list (a different load of the same file) is read by category text; a category never
 *   seen in training reads as `UNSEEN_CODE`;
 * - imputed values are written back into copies of the fitted columns only, and only into cells that were
 *   missing; every other column of the table is shared unchanged.
 */
import type { CategoricalColumn, Column, Table } from '@virnyflow/data';
import { MISSING_CODE, categoricalColumn, countMissing, mostFrequent, numericColumn } from '@virnyflow/data';
import { ImputationErrorCode, imputationError } from './errors';

/** Code of a category that the training split does not have (it matches nothing, and is not missing). */
export const UNSEEN_CODE = -2;

export interface ColumnInfo {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** Training categories (categorical); codes index this list. Empty for numeric columns. */
  readonly categories: readonly string[];
  /** Mean of the observed training values (numeric; NaN when none is observed). */
  readonly mean: number;
  /** Population standard deviation of the observed training values; 1 when it is 0 or undefined. */
  readonly scale: number;
  /** Most frequent training code (categorical; ties → the smaller value), MISSING_CODE when none observed. */
  readonly mode: number;
  /** Missing training cells. */
  readonly missing: number;
}

/** Statistics of every column of the training table, in table order. */
export function describeColumns(train: Table): ColumnInfo[] {
  return train.columns.map((c): ColumnInfo => {
    const missing = countMissing(c);
    if (c.kind === 'numeric') {
      const v = c.values;
      let n = 0;
      let sum = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === x) {
          n++;
          sum += x;
        }
      }
      const mean = n > 0 ? sum / n : NaN;
      // Two-pass variance: the one-pass formula cancels badly for large-valued columns (incomes).
      let ss = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === x) ss += (x - mean) * (x - mean);
      }
      const sd = n > 0 ? Math.sqrt(ss / n) : 0;
      return {
        name: c.name,
        kind: 'numeric',
        categories: [],
        mean,
        scale: sd > 0 ? sd : 1,
        mode: MISSING_CODE,
        missing,
      };
    }
    const top = mostFrequent(c);
    return {
      name: c.name,
      kind: 'categorical',
      categories: c.categories,
      mean: NaN,
      scale: 1,
      mode: top === null ? MISSING_CODE : c.categories.indexOf(top),
      missing,
    };
  });
}

/** Throws `VF_IMPUTATION_NO_OBSERVED` when a column to impute has no observed training value. */
export function requireObserved(info: ColumnInfo, imputer: string): void {
  const none = info.kind === 'numeric' ? Number.isNaN(info.mean) : info.mode === MISSING_CODE;
  if (none) {
    throw imputationError(
      ImputationErrorCode.NoObserved,
      `imputer '${imputer}': column '${info.name}' has no observed value in the training split, so there is ` +
        `nothing to impute it from; drop the column from the dataset spec`,
      { imputer, column: info.name },
    );
  }
}

/** The column of `t` matching a fitted one, checked for presence and kind. */
export function matchingColumn(t: Table, info: ColumnInfo, imputer: string): Column {
  if (!t.has(info.name)) {
    throw imputationError(
      ImputationErrorCode.ColumnMismatch,
      `imputer '${imputer}': column '${info.name}' was in the training table but is not in this table ` +
        `(columns: ${t.columnNames.join(', ')}); transform tables with the training split's columns`,
      { imputer, column: info.name },
    );
  }
  const c = t.column(info.name);
  if (c.kind !== info.kind) {
    throw imputationError(
      ImputationErrorCode.ColumnMismatch,
      `imputer '${imputer}': column '${info.name}' is ${c.kind} here but was ${info.kind} in training; ` +
        `load both splits with the same dataset spec`,
      { imputer, column: info.name, kind: c.kind, expected: info.kind },
    );
  }
  return c;
}

/**
 * (nRows) codes of a categorical column in the training category space: MISSING_CODE for missing cells,
 * UNSEEN_CODE for categories training never saw. Returns the column's own array when the category lists
 * are the same object (the usual case: both splits come from one table); do not mutate it.
 */
export function trainCodes(col: CategoricalColumn, info: ColumnInfo): Int32Array {
  if (col.categories === info.categories) return col.codes;
  const index = new Map<string, number>();
  info.categories.forEach((c, k) => index.set(c, k));
  const map = new Int32Array(col.categories.length);
  col.categories.forEach((c, k) => {
    map[k] = index.get(c) ?? UNSEEN_CODE;
  });
  const out = new Int32Array(col.codes.length);
  for (let i = 0; i < out.length; i++) {
    const k = col.codes[i];
    out[i] = k === MISSING_CODE ? MISSING_CODE : map[k];
  }
  return out;
}

/** A copy of a numeric column with its missing cells set from `values` (other cells keep their value). */
export function fillNumeric(col: Column, values: Float64Array): Column {
  const src = (col as { values: Float64Array }).values;
  const v = src.slice();
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) v[i] = values[i];
  return numericColumn(col.name, v);
}

/**
 * A copy of a categorical column with its missing cells set from `codes` (training codes, ≥ 0); the
 * column keeps its own category list, extended by the training categories it lacks and now uses.
 */
export function fillCategorical(col: CategoricalColumn, info: ColumnInfo, codes: Int32Array): Column {
  const same = col.categories === info.categories;
  const categories = [...col.categories];
  // Training code → own code, resolved on first use (-1 = not yet).
  const toOwn = new Int32Array(same ? 0 : info.categories.length).fill(-1);
  const own = same ? null : new Map(col.categories.map((c, k) => [c, k] as const));
  const out = col.codes.slice();
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== MISSING_CODE) continue;
    const k = codes[i];
    if (same) {
      out[i] = k;
      continue;
    }
    if (toOwn[k] < 0) {
      const text = info.categories[k];
      let code = (own as Map<string, number>).get(text);
      if (code === undefined) {
        code = categories.length;
        categories.push(text);
      }
      toOwn[k] = code;
    }
    out[i] = toOwn[k];
  }
  return categoricalColumn(col.name, out, same ? col.categories : categories, col.valueType);
}
