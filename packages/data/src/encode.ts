/**
 * Preprocessing fitted on the training split only (SPEC §5.3 step 4): one-hot encoding of categorical
 * columns and standard scaling of numeric columns, into one dense row-major matrix whose columns are named
 * as VirnyFlow's ColumnTransformer names them (`cat__<col>_<value>` first, then `num__<col>`).
 *
 * - One-hot (sklearn `OneHotEncoder(handle_unknown='ignore')`): categories are those seen in train, sorted
 *   (numerically for number-valued columns, by code unit otherwise, as NumPy's `unique`). An unseen category
 *   gives all zeros; a missing value gives all zeros, unless train had a category literally named
 *   `'missing'` (what the median-dummy imputer writes), which then takes it.
 * - Scaling (sklearn `StandardScaler`): `(x − mean) / std` with the population std (ddof 0) over the
 *   non-missing train values; a constant column gets scale 1 (sklearn's `_handle_zeros_in_scale`). NaN
 *   passes through, so tree models can still route missing values; `FeatureMatrix.nanColumns` says where.
 *
 * Output tables are matched to fitted columns by name and categories by text, so tables whose dictionaries
 * differ (another split, an imputed copy) encode consistently.
 */
import { DataErrorCode, dataError } from './errors';
import { MISSING_CODE } from './table';
import type { CategoricalColumn, Column, NumericColumn, Table } from './table';

/** A dense row-major matrix (structurally a `@virnyflow/models` DenseMatrix) with column names. */
export interface FeatureMatrix {
  /** (nRows, nCols) row-major: element (i, j) is `data[i * nCols + j]`. */
  readonly data: Float64Array;
  readonly nRows: number;
  readonly nCols: number;
  readonly columnNames: readonly string[];
  /** Indices of the columns that contain at least one NaN in this matrix, ascending. */
  readonly nanColumns: readonly number[];
}

/** Category that takes missing values in one-hot encoding when present in train. */
export const MISSING_CATEGORY = 'missing';

interface OneHotState {
  readonly column: string;
  /** Sorted train categories; output j of this column is `categories[j]`. */
  readonly categories: readonly string[];
  /** Index of `'missing'` in `categories`, or -1. */
  readonly missingIndex: number;
}

export class OneHotEncoder {
  private states: OneHotState[] | null = null;

  /** Learns the categories of `columns` (default: every categorical column) from `table`. */
  fit(table: Table, columns?: readonly string[]): this {
    const names = columns ?? table.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
    this.states = names.map((name) => {
      const col = requireKind(table, name, 'categorical') as CategoricalColumn;
      const used = new Uint8Array(col.categories.length);
      for (let i = 0; i < col.codes.length; i++) {
        const k = col.codes[i] as number;
        if (k !== MISSING_CODE) used[k] = 1;
      }
      const cats = col.categories.filter((_c, k) => used[k] === 1);
      sortCategories(cats, col.valueType);
      return { column: name, categories: cats, missingIndex: cats.indexOf(MISSING_CATEGORY) };
    });
    return this;
  }

  get columnNames(): string[] {
    return this.fitted().flatMap((s) => s.categories.map((c) => `cat__${s.column}_${c}`));
  }

  get nOutputs(): number {
    return this.fitted().reduce((a, s) => a + s.categories.length, 0);
  }

  /**
   * Writes the encoding of `table` into `out` ((nRows, nCols) row-major) starting at column `offset`.
   * Only ones are written: `out` must be zero in those columns.
   */
  transformInto(table: Table, out: Float64Array, nCols: number, offset: number): void {
    let base = offset;
    for (const s of this.fitted()) {
      const col = requireKind(table, s.column, 'categorical') as CategoricalColumn;
      // Lookup table: this column's code → output index within the block (-1 = unknown).
      const index = new Map(s.categories.map((c, j) => [c, j]));
      const lut = new Int32Array(col.categories.length);
      for (let k = 0; k < col.categories.length; k++) lut[k] = index.get(col.categories[k] as string) ?? -1;
      const codes = col.codes;
      for (let i = 0; i < codes.length; i++) {
        const k = codes[i] as number;
        const j = k === MISSING_CODE ? s.missingIndex : (lut[k] as number);
        if (j >= 0) out[i * nCols + base + j] = 1;
      }
      base += s.categories.length;
    }
  }

  toJSON(): { columns: OneHotState[] } {
    return { columns: this.fitted().map((s) => ({ ...s })) };
  }

  static fromJSON(x: { columns: readonly OneHotState[] }): OneHotEncoder {
    const e = new OneHotEncoder();
    e.states = x.columns.map((s) => ({ ...s }));
    return e;
  }

  private fitted(): OneHotState[] {
    if (!this.states) throw notFitted('OneHotEncoder');
    return this.states;
  }
}

export class StandardScaler {
  private columns: string[] | null = null;
  /** (nColumns) train means over non-missing values. */
  private mean = new Float64Array(0);
  /** (nColumns) population std, or 1 for constant (or all-missing) columns. */
  private scale = new Float64Array(0);

  fit(table: Table, columns?: readonly string[]): this {
    const names = columns ?? table.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
    this.columns = [...names];
    this.mean = new Float64Array(names.length);
    this.scale = new Float64Array(names.length);
    names.forEach((name, j) => {
      const v = (requireKind(table, name, 'numeric') as NumericColumn).values;
      // Two passes (mean, then squared deviations): exact zero variance for constant columns.
      let n = 0;
      let sum = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i] as number;
        if (x === x) {
          sum += x;
          n++;
        }
      }
      const mean = n > 0 ? sum / n : 0;
      let ss = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i] as number;
        if (x === x) ss += (x - mean) * (x - mean);
      }
      const std = n > 0 ? Math.sqrt(ss / n) : 0;
      this.mean[j] = mean;
      this.scale[j] = std > 0 ? std : 1;
    });
    return this;
  }

  get columnNames(): string[] {
    return this.fitted().map((c) => `num__${c}`);
  }

  get nOutputs(): number {
    return this.fitted().length;
  }

  get means(): Float64Array {
    return this.mean.slice();
  }

  get scales(): Float64Array {
    return this.scale.slice();
  }

  transformInto(table: Table, out: Float64Array, nCols: number, offset: number): void {
    this.fitted().forEach((name, j) => {
      const v = (requireKind(table, name, 'numeric') as NumericColumn).values;
      const m = this.mean[j] as number;
      const s = this.scale[j] as number;
      for (let i = 0; i < v.length; i++) out[i * nCols + offset + j] = ((v[i] as number) - m) / s;
    });
  }

  toJSON(): { columns: string[]; mean: number[]; scale: number[] } {
    return { columns: [...this.fitted()], mean: [...this.mean], scale: [...this.scale] };
  }

  static fromJSON(x: {
    columns: readonly string[];
    mean: readonly number[];
    scale: readonly number[];
  }): StandardScaler {
    const s = new StandardScaler();
    s.columns = [...x.columns];
    s.mean = Float64Array.from(x.mean);
    s.scale = Float64Array.from(x.scale);
    return s;
  }

  private fitted(): string[] {
    if (!this.columns) throw notFitted('StandardScaler');
    return this.columns;
  }
}

export interface FeaturePipelineOptions {
  /** Columns to scale (default: the numeric columns of the fitted table). */
  readonly numericalColumns?: readonly string[];
  /** Columns to one-hot encode (default: the categorical columns of the fitted table). */
  readonly categoricalColumns?: readonly string[];
}

export interface SerializedFeaturePipeline {
  readonly kind: 'feature_pipeline';
  readonly version: 1;
  readonly oneHot: ReturnType<OneHotEncoder['toJSON']>;
  readonly scaler: ReturnType<StandardScaler['toJSON']>;
}

/** One-hot + scaling as one fitted transform: `FeaturePipeline.fit(train).transform(test)`. */
export class FeaturePipeline {
  private constructor(
    private readonly oneHot: OneHotEncoder,
    private readonly scaler: StandardScaler,
  ) {}

  static fit(table: Table, options: FeaturePipelineOptions = {}): FeaturePipeline {
    return new FeaturePipeline(
      new OneHotEncoder().fit(table, options.categoricalColumns),
      new StandardScaler().fit(table, options.numericalColumns),
    );
  }

  /** Output column names: `cat__…` then `num__…`. */
  get columnNames(): string[] {
    return [...this.oneHot.columnNames, ...this.scaler.columnNames];
  }

  get nCols(): number {
    return this.oneHot.nOutputs + this.scaler.nOutputs;
  }

  transform(table: Table): FeatureMatrix {
    const nRows = table.nRows;
    const nCols = this.nCols;
    const data = new Float64Array(nRows * nCols);
    this.oneHot.transformInto(table, data, nCols, 0);
    this.scaler.transformInto(table, data, nCols, this.oneHot.nOutputs);
    // Only the scaled block can hold NaN (one-hot writes 0/1).
    const nan = nanColumns(data, nRows, nCols, this.oneHot.nOutputs);
    return { data, nRows, nCols, columnNames: this.columnNames, nanColumns: nan };
  }

  toJSON(): SerializedFeaturePipeline {
    return {
      kind: 'feature_pipeline',
      version: 1,
      oneHot: this.oneHot.toJSON(),
      scaler: this.scaler.toJSON(),
    };
  }

  static fromJSON(x: SerializedFeaturePipeline): FeaturePipeline {
    if (x?.kind !== 'feature_pipeline' || x.version !== 1) {
      throw dataError(
        DataErrorCode.BadOption,
        `not a serialized feature pipeline of version 1 (kind ${String(x?.kind)}, version ${String(x?.version)})`,
        {},
      );
    }
    return new FeaturePipeline(OneHotEncoder.fromJSON(x.oneHot), StandardScaler.fromJSON(x.scaler));
  }
}

/** Indices (≥ `from`) of the columns of a (nRows, nCols) row-major matrix that contain a NaN. */
export function nanColumns(data: Float64Array, nRows: number, nCols: number, from = 0): number[] {
  const has = new Uint8Array(nCols);
  for (let i = 0; i < nRows; i++) {
    const row = i * nCols;
    for (let j = from; j < nCols; j++) {
      const x = data[row + j] as number;
      if (x !== x) has[j] = 1;
    }
  }
  const out: number[] = [];
  for (let j = from; j < nCols; j++) if (has[j]) out.push(j);
  return out;
}

function sortCategories(cats: string[], valueType: 'string' | 'number'): void {
  if (valueType === 'number') cats.sort((a, b) => Number(a) - Number(b));
  else cats.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function requireKind(table: Table, name: string, kind: Column['kind']): Column {
  const c = table.column(name);
  if (c.kind !== kind) {
    throw dataError(
      DataErrorCode.BadOption,
      `column '${name}' is ${c.kind}, expected ${kind}; list it with the ${c.kind} columns`,
      { column: name, kind: c.kind, expected: kind },
    );
  }
  return c;
}

function notFitted(what: string): Error {
  return dataError(
    DataErrorCode.NotFitted,
    `${what} is used before fit(); fit it on the training split first`,
  );
}
