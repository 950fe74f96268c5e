/**
 * A columnar table on typed arrays.
 *
 * - Numeric columns: `Float64Array`, NaN = missing.
 * - Categorical columns: dictionary-encoded `Int32Array` codes into `categories`, `MISSING_CODE` (-1) = missing.
 *   `valueType` remembers whether the raw values were numbers or strings, so that group definitions match
 *   type-strictly as Virny does (`'2'` ≠ `2`, SPEC §7.4): a YAML `sex: 1` matches a categorical column of
 *   valueType 'number' whose category is '1', while `SEX: '2'` matches a 'string' column.
 *
 * Columns are immutable by convention: operations return new tables and share untouched columns.
 */
import { VirnyFlowError } from '@virnyflow/core';
import { DataErrorCode } from './errors';

export const MISSING_CODE = -1;

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  /** (nRows) — NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** (nRows) — index into `categories`, or MISSING_CODE. */
  readonly codes: Int32Array;
  /** Distinct values as strings, in first-seen (or declared) order. */
  readonly categories: readonly string[];
  /** Type of the raw values before encoding. */
  readonly valueType: 'string' | 'number';
}

export type Column = NumericColumn | CategoricalColumn;

export class Table {
  readonly nRows: number;
  private readonly byName: Map<string, Column>;

  constructor(readonly columns: readonly Column[]) {
    this.byName = new Map();
    let n = -1;
    for (const c of columns) {
      if (this.byName.has(c.name)) {
        throw new VirnyFlowError(DataErrorCode.DuplicateColumn, `column '${c.name}' appears twice`, {
          details: { column: c.name },
        });
      }
      this.byName.set(c.name, c);
      const len = c.kind === 'numeric' ? c.values.length : c.codes.length;
      if (n === -1) n = len;
      else if (len !== n) {
        throw new VirnyFlowError(
          DataErrorCode.LengthMismatch,
          `column '${c.name}' has ${len} rows, expected ${n}`,
          { details: { column: c.name, rows: len, expected: n } },
        );
      }
    }
    this.nRows = Math.max(n, 0);
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) {
      throw new VirnyFlowError(
        DataErrorCode.MissingColumn,
        `column '${name}' not found; columns: ${this.columnNames.join(', ')}`,
        { details: { column: name, columns: this.columnNames } },
      );
    }
    return c;
  }

  /** A table with only these columns, in this order. */
  select(names: readonly string[]): Table {
    return new Table(names.map((n) => this.column(n)));
  }

  drop(names: readonly string[]): Table {
    const s = new Set(names);
    return new Table(this.columns.filter((c) => !s.has(c.name)));
  }

  /** Rows by index (duplicates allowed), as a new table. */
  take(rows: Uint32Array | Int32Array | readonly number[]): Table {
    const n = rows.length;
    return new Table(
      this.columns.map((c): Column => {
        if (c.kind === 'numeric') {
          const v = new Float64Array(n);
          for (let i = 0; i < n; i++) v[i] = c.values[rows[i] as number] as number;
          return { kind: 'numeric', name: c.name, values: v };
        }
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = c.codes[rows[i] as number] as number;
        return { kind: 'categorical', name: c.name, codes, categories: c.categories, valueType: c.valueType };
      }),
    );
  }

  /** A table where the column of the same name is replaced by `col`, keeping the column order. */
  replaceColumn(col: Column): Table {
    this.column(col.name);
    return new Table(this.columns.map((c) => (c.name === col.name ? col : c)));
  }

  withColumn(col: Column): Table {
    const cols = this.columns.filter((c) => c.name !== col.name);
    return new Table([...cols, col]);
  }
}

/** A numeric column (NaN = missing). The array is owned by the column from now on. */
export function numericColumn(name: string, values: Float64Array): NumericColumn {
  return { kind: 'numeric', name, values };
}

/** A categorical column; `codes` index into `categories`, MISSING_CODE = missing. */
export function categoricalColumn(
  name: string,
  codes: Int32Array,
  categories: readonly string[],
  valueType: 'string' | 'number' = 'string',
): CategoricalColumn {
  return { kind: 'categorical', name, codes, categories, valueType };
}

/** Number of rows of a column. */
export function columnLength(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length;
}

export function isMissingAt(c: Column, i: number): boolean {
  return c.kind === 'numeric' ? Number.isNaN(c.values[i]) : c.codes[i] === MISSING_CODE;
}

/** Number of missing cells of a column. */
export function countMissing(c: Column): number {
  let n = 0;
  if (c.kind === 'numeric') {
    const v = c.values;
    for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) n++;
  } else {
    const k = c.codes;
    for (let i = 0; i < k.length; i++) if (k[i] === MISSING_CODE) n++;
  }
  return n;
}

/** The value of one cell as plain data (`null` when missing); for display and tests, not for hot loops. */
export function cellValue(c: Column, i: number): string | number | null {
  if (c.kind === 'numeric') {
    const v = c.values[i] as number;
    return Number.isNaN(v) ? null : v;
  }
  const code = c.codes[i] as number;
  if (code === MISSING_CODE) return null;
  const s = c.categories[code] as string;
  return c.valueType === 'number' ? Number(s) : s;
}

/**
 * Counts per category (categorical) or per distinct value (numeric, keyed by `String(v)`), missing cells
 * excluded. Categories that no row uses are reported with count 0.
 */
export function valueCounts(c: Column): Map<string, number> {
  const out = new Map<string, number>();
  if (c.kind === 'categorical') {
    const counts = new Float64Array(c.categories.length);
    for (let i = 0; i < c.codes.length; i++) {
      const k = c.codes[i] as number;
      if (k !== MISSING_CODE) counts[k]++;
    }
    for (let k = 0; k < c.categories.length; k++) out.set(c.categories[k] as string, counts[k] as number);
    return out;
  }
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i] as number;
    if (Number.isNaN(v)) continue;
    const key = String(v);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** Indices of the rows with no missing cell in any of `columns` (default: every column), ascending. */
export function completeRows(table: Table, columns: readonly string[] = table.columnNames): Uint32Array {
  const n = table.nRows;
  const keep = new Uint8Array(n).fill(1);
  for (const name of columns) {
    const c = table.column(name);
    for (let i = 0; i < n; i++) if (isMissingAt(c, i)) keep[i] = 0;
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += keep[i] as number;
  const rows = new Uint32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) rows[j++] = i;
  return rows;
}
