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

export const DataErrorCode = {
  MissingColumn: 'VF_DATA_MISSING_COLUMN',
  LengthMismatch: 'VF_DATA_LENGTH_MISMATCH',
  DuplicateColumn: 'VF_DATA_DUPLICATE_COLUMN',
} as const;

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

  withColumn(col: Column): Table {
    const cols = this.columns.filter((c) => c.name !== col.name);
    return new Table([...cols, col]);
  }
}
