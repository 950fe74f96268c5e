/**
 * Simple null imputers (SPEC §2.3) and the null-imputation stage.
 *
 * - `median-mode`: numeric → train median, categorical → most frequent train category (ties → the smallest
 *   value, as sklearn's SimpleImputer).
 * - `median-dummy`: numeric → median, categorical → the constant category `'missing'`.
 * - `deletion`: drops the training rows that have a missing value *together with their labels* (the original
 *   forgot the labels, SPEC §11.7); the test split is imputed with median/mode fitted on the remaining
 *   training rows.
 * - `None`: no imputation; missing values go on to the model.
 *
 * The stage (`imputeNulls`) first drops the sensitive attributes from X (keys of `sensitive_attributes_dct`
 * without `&`) and then imputes only the columns that have missing values in the *training* split; statistics
 * are always fitted on training rows only.
 */
import { emptySpace } from '@virnyflow/core';
import type { ComponentDefinition, Configuration } from '@virnyflow/core';
import { DataErrorCode, dataError } from './errors';
import { MISSING_CODE, categoricalColumn, completeRows, countMissing, numericColumn } from './table';
import type { CategoricalColumn, Column, Table } from './table';

export interface Imputer {
  /** Registry name, e.g. `median-mode`. */
  readonly name: string;
  /**
   * Learns fill values from the training split for `columns` (default: every column with a missing value).
   * Only these columns are imputed by `transform`.
   */
  fit(train: Table, columns?: readonly string[]): void;
  /** A copy of `t` with the fitted columns' missing values filled; other columns are shared unchanged. */
  transform(t: Table): Table;
  /**
   * Row-dropping imputers (deletion) say which training rows to keep; the stage drops the others and their
   * labels before `fit`. Ascending indices into `train`.
   */
  selectTrainRows?(train: Table, columns: readonly string[]): Uint32Array;
}

export interface ImputerContext {
  /** Experiment seed (`100 + run_num`); simple imputers are deterministic and ignore it. */
  readonly seed: number;
  readonly datasetName?: string;
}

/** Factory registered for stage `null_imputation`: params without the `mvi__` prefix. */
export type ImputerFactory = (params: Configuration, context: ImputerContext) => Imputer;

export const ImputerName = {
  None: 'None',
  Deletion: 'deletion',
  MedianMode: 'median-mode',
  MedianDummy: 'median-dummy',
} as const;
export type ImputerName = (typeof ImputerName)[keyof typeof ImputerName];

/** Constant written by `median-dummy` into categorical columns. */
export const DUMMY_CATEGORY = 'missing';

type CategoricalStrategy = 'most_frequent' | 'constant';

interface Fill {
  readonly column: string;
  readonly kind: 'numeric' | 'categorical';
  /** Numeric fill value. */
  readonly value: number;
  /** Categorical fill category. */
  readonly category: string;
}

/** sklearn-like SimpleImputer: median for numeric columns, most frequent or a constant for categorical ones. */
export class SimpleImputer implements Imputer {
  private fills: Fill[] | null = null;

  constructor(
    readonly name: string,
    private readonly categorical: CategoricalStrategy,
    private readonly fillValue: string = DUMMY_CATEGORY,
  ) {}

  fit(train: Table, columns: readonly string[] = columnsWithMissing(train)): void {
    this.fills = columns.map((name): Fill => {
      const col = train.column(name);
      if (col.kind === 'numeric') {
        const m = median(col.values);
        if (Number.isNaN(m)) throw noObserved(this.name, name);
        return { column: name, kind: 'numeric', value: m, category: '' };
      }
      if (this.categorical === 'constant') {
        return { column: name, kind: 'categorical', value: NaN, category: this.fillValue };
      }
      const mode = mostFrequent(col);
      if (mode === null) throw noObserved(this.name, name);
      return { column: name, kind: 'categorical', value: NaN, category: mode };
    });
  }

  transform(t: Table): Table {
    if (!this.fills) {
      throw dataError(
        DataErrorCode.NotFitted,
        `imputer '${this.name}' is used before fit(); fit it on train first`,
      );
    }
    let out = t;
    for (const f of this.fills) {
      if (!t.has(f.column)) continue;
      out = out.replaceColumn(fillColumn(t.column(f.column), f));
    }
    return out;
  }

  /** Fitted fill values by column (numbers for numeric columns, category text for categorical ones). */
  get fillValues(): Record<string, number | string> {
    return Object.fromEntries(
      (this.fills ?? []).map((f) => [f.column, f.kind === 'numeric' ? f.value : f.category]),
    );
  }
}

/** Deletion: keep complete training rows; impute test with median/mode of the kept rows. */
export class DeletionImputer implements Imputer {
  readonly name = ImputerName.Deletion;
  private readonly inner = new SimpleImputer(ImputerName.Deletion, 'most_frequent');

  selectTrainRows(train: Table, columns: readonly string[]): Uint32Array {
    return completeRows(train, columns);
  }

  /** Fits on the complete rows of `train` (the stage already passes only those). */
  fit(train: Table, columns: readonly string[] = columnsWithMissing(train)): void {
    const complete = completeRows(train, columns);
    const kept = complete.length === train.nRows ? train : train.take(complete);
    if (kept.nRows === 0) {
      throw dataError(
        DataErrorCode.BadImputer,
        `imputer 'deletion': every training row has a missing value in ${columns.join(', ')}, so nothing is ` +
          `left to train on; use median-mode or median-dummy instead`,
        { columns: [...columns] },
      );
    }
    this.inner.fit(kept, columns);
  }

  transform(t: Table): Table {
    return this.inner.transform(t);
  }
}

/** The `None` pseudo-imputer: leaves missing values in place. */
export class NoImputer implements Imputer {
  readonly name = ImputerName.None;
  fit(): void {}
  transform(t: Table): Table {
    return t;
  }
}

export function createImputer(name: string): Imputer {
  switch (name) {
    case ImputerName.None:
      return new NoImputer();
    case ImputerName.Deletion:
      return new DeletionImputer();
    case ImputerName.MedianMode:
      return new SimpleImputer(ImputerName.MedianMode, 'most_frequent');
    case ImputerName.MedianDummy:
      return new SimpleImputer(ImputerName.MedianDummy, 'constant', DUMMY_CATEGORY);
    default:
      throw dataError(
        DataErrorCode.BadImputer,
        `unknown simple imputer '${name}'; known: ${Object.values(ImputerName).join(', ')}`,
        { name, known: Object.values(ImputerName) },
      );
  }
}

/** The simple imputers as registry components (stage `null_imputation`, no hyper-parameters). */
export const dataComponents: readonly ComponentDefinition<ImputerFactory>[] = [
  {
    stage: 'null_imputation',
    name: ImputerName.None,
    description: 'No imputation: missing values are passed on to the model.',
    space: emptySpace,
    create: () => new NoImputer(),
  },
  {
    stage: 'null_imputation',
    name: ImputerName.Deletion,
    description:
      'Drop training rows with any missing value (with their labels); impute the test split with the median ' +
      '(numeric) / most frequent value (categorical) of the remaining training rows.',
    space: emptySpace,
    create: () => new DeletionImputer(),
  },
  {
    stage: 'null_imputation',
    name: ImputerName.MedianMode,
    description:
      'Median for numeric columns, most frequent category for categorical columns (fitted on train).',
    space: emptySpace,
    create: () => createImputer(ImputerName.MedianMode),
  },
  {
    stage: 'null_imputation',
    name: ImputerName.MedianDummy,
    description: 'Median for numeric columns, the constant category "missing" for categorical columns.',
    space: emptySpace,
    create: () => createImputer(ImputerName.MedianDummy),
  },
];

export interface NullImputationInput {
  readonly xTrain: Table;
  readonly yTrain: Uint8Array;
  readonly xTest: Table;
  /** The experiment's `sensitive_attributes_dct` (or its keys); single-attribute keys are dropped from X. */
  readonly sensitiveAttributes: Readonly<Record<string, unknown>> | readonly string[];
}

export interface NullImputationResult {
  readonly xTrain: Table;
  readonly yTrain: Uint8Array;
  readonly xTest: Table;
  /** Training rows kept (indices into the input xTrain), or null when every row was kept. */
  readonly keptTrainRows: Uint32Array | null;
  /** Columns that had missing values in the training split (the ones imputed). */
  readonly imputedColumns: readonly string[];
  /** Sensitive-attribute columns removed from X. */
  readonly droppedColumns: readonly string[];
  /** Columns of the outputs that still contain missing values (e.g. `None`, or test-only nulls). */
  readonly remainingNullColumns: readonly string[];
}

/**
 * The null-imputation stage of a physical pipeline (SPEC §5.3 steps 1–2): drop sensitive attributes, find
 * the columns with missing values in train, let the imputer drop training rows (with labels) if it does
 * so, fit it on train for those columns, and transform train and test.
 */
export function imputeNulls(imputer: Imputer, input: NullImputationInput): NullImputationResult {
  const keys = Array.isArray(input.sensitiveAttributes)
    ? (input.sensitiveAttributes as readonly string[])
    : Object.keys(input.sensitiveAttributes);
  const drop = keys.map((k) => k.trim()).filter((k) => !k.includes('&'));
  const droppedColumns = drop.filter((k) => input.xTrain.has(k));
  let xTrain = input.xTrain.drop(drop);
  let xTest = input.xTest.drop(drop);
  let yTrain = input.yTrain;
  if (yTrain.length !== xTrain.nRows) {
    throw dataError(
      DataErrorCode.LengthMismatch,
      `imputation: yTrain has ${yTrain.length} labels but xTrain has ${xTrain.nRows} rows`,
      { labels: yTrain.length, rows: xTrain.nRows },
    );
  }
  const columns = columnsWithMissing(xTrain);
  let keptTrainRows: Uint32Array | null = null;
  if (columns.length > 0 && imputer.selectTrainRows) {
    const keep = imputer.selectTrainRows(xTrain, columns);
    if (keep.length === 0) {
      throw dataError(
        DataErrorCode.BadImputer,
        `imputer '${imputer.name}' keeps no training row (every row has a missing value in ` +
          `${columns.join(', ')}); use an imputer that fills values instead`,
        { imputer: imputer.name, columns },
      );
    }
    if (keep.length < xTrain.nRows) {
      keptTrainRows = keep;
      xTrain = xTrain.take(keep);
      const y = new Uint8Array(keep.length);
      for (let i = 0; i < keep.length; i++) y[i] = yTrain[keep[i] as number] as number;
      yTrain = y;
    }
  }
  if (columns.length > 0) {
    imputer.fit(xTrain, columns);
    xTrain = imputer.transform(xTrain);
    xTest = imputer.transform(xTest);
  }
  const remaining = new Set([...columnsWithMissing(xTrain), ...columnsWithMissing(xTest)]);
  return {
    xTrain,
    yTrain,
    xTest,
    keptTrainRows,
    imputedColumns: columns,
    droppedColumns,
    remainingNullColumns: xTrain.columnNames.filter((c) => remaining.has(c)),
  };
}

/** Names of the columns of `t` with at least one missing value, in table order. */
export function columnsWithMissing(t: Table): string[] {
  return t.columns.filter((c) => countMissing(c) > 0).map((c) => c.name);
}

/** Median of the non-NaN values (mean of the two middle ones for an even count, as NumPy); NaN if none. */
export function median(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  if (n === 0) return NaN;
  const v = new Float64Array(n);
  for (let i = 0, j = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x === x) v[j++] = x;
  }
  v.sort();
  const h = n >> 1;
  return n % 2 === 1 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}

/** Most frequent category (ties → smallest value: numeric order for number columns); null if all missing. */
export function mostFrequent(col: CategoricalColumn): string | null {
  const counts = new Float64Array(col.categories.length);
  for (let i = 0; i < col.codes.length; i++) {
    const k = col.codes[i] as number;
    if (k !== MISSING_CODE) counts[k]++;
  }
  let best: string | null = null;
  let bestCount = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] as number;
    if (c === 0) continue;
    const cat = col.categories[k] as string;
    if (c > bestCount || (c === bestCount && best !== null && lessThan(cat, best, col.valueType))) {
      best = cat;
      bestCount = c;
    }
  }
  return best;
}

function lessThan(a: string, b: string, valueType: 'string' | 'number'): boolean {
  return valueType === 'number' ? Number(a) < Number(b) : a < b;
}

function fillColumn(col: Column, f: Fill): Column {
  if (col.kind === 'numeric') {
    const v = col.values.slice();
    for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) v[i] = f.value;
    return numericColumn(col.name, v);
  }
  let code = col.categories.indexOf(f.category);
  let categories = col.categories;
  if (code === -1) {
    code = categories.length;
    categories = [...categories, f.category];
  }
  const codes = col.codes.slice();
  for (let i = 0; i < codes.length; i++) if (codes[i] === MISSING_CODE) codes[i] = code;
  // A number-valued column filled with a text constant holds text from now on.
  const valueType = col.valueType === 'number' && Number.isNaN(Number(f.category)) ? 'string' : col.valueType;
  return categoricalColumn(col.name, codes, categories, valueType);
}

function noObserved(imputer: string, column: string): Error {
  return dataError(
    DataErrorCode.BadImputer,
    `imputer '${imputer}': column '${column}' has no observed value in the training split, so there is ` +
      `nothing to impute it from; drop the column from the dataset spec`,
    { imputer, column },
  );
}
