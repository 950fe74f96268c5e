/**
 * Error injection as a pipeline option (`pipeline_args.error_injection`): missing values put into the
 * feature tables of a train/test split right after the split, so that every imputer of the experiment is
 * evaluated under the same controlled missingness.
 *
 * - Each spec runs the data package's `injectNulls` on each split it names, in order: within the rows that
 *   match the condition (all rows for MCAR), ⌊rows × null_percentage⌋ missing cells over the spec's columns,
 *   cells already missing counting towards that number. Later specs see the nulls of earlier ones.
 * - Only the feature tables (`xTrain`, `xTest`) receive nulls. `rawTrain` / `rawTest` keep the true values:
 *   they define the sensitive groups of the metrics, which must not change with the injected errors. A
 *   condition may name a raw column that is not a feature (e.g. a sensitive attribute); it is read there.
 * - Spec k on split s (0 = train, 1 = test) draws from `hashSeeds(seed, k, s)`.
 */
import { hashSeeds } from '@virnyflow/core';
import type { ErrorInjectionConfig } from '@virnyflow/core';
import type { NullInjectionSpec, Table } from '@virnyflow/data';
import { injectNulls, matchingRows } from '@virnyflow/data';
import { ImputationErrorCode, imputationError } from './errors';

/** The parts of a train/test split that error injection reads (the data package's `DatasetSplit` fits). */
export interface ErrorInjectionSplit {
  readonly xTrain: Table;
  readonly xTest: Table;
  readonly rawTrain: Table;
  readonly rawTest: Table;
}

export type ErrorInjectionSplitName = 'train' | 'test';

/** What one spec did to one split. */
export interface ErrorInjectionCount {
  /** Index of the spec in the list. */
  readonly spec: number;
  readonly split: ErrorInjectionSplitName;
  /** Cells newly set missing. */
  readonly injected: number;
  /** Rows matching the condition (all rows for MCAR). */
  readonly subsetRows: number;
  /** ⌊subsetRows × null_percentage⌋: missing cells over the spec's columns afterwards (when enough exist). */
  readonly targetCells: number;
}

export interface ErrorInjectionOutcome<T extends ErrorInjectionSplit> {
  /** The split with `xTrain` / `xTest` replaced; the input itself when there is nothing to inject. */
  readonly split: T;
  readonly counts: readonly ErrorInjectionCount[];
}

export function applyErrorInjection<T extends ErrorInjectionSplit>(
  split: T,
  specs: readonly ErrorInjectionConfig[],
  seed: number,
): ErrorInjectionOutcome<T> {
  if (specs.length === 0) return { split, counts: [] };
  let xTrain = split.xTrain;
  let xTest = split.xTest;
  const counts: ErrorInjectionCount[] = [];
  specs.forEach((spec, k) => {
    checkColumns(spec, k, split);
    (['train', 'test'] as const).forEach((name, s) => {
      if (!spec.splits.includes(name)) return;
      const x = name === 'train' ? xTrain : xTest;
      const raw = name === 'train' ? split.rawTrain : split.rawTest;
      const cond = spec.condition;
      // A condition on a raw-only column is evaluated on a copy of X with that column appended.
      const borrowed = cond && !x.has(cond.column) ? raw.column(cond.column) : null;
      const table = borrowed ? x.withColumn(borrowed) : x;
      const dataSpec: NullInjectionSpec = {
        strategy: spec.strategy,
        columns: spec.columns,
        nullPercentage: spec.nullPercentage,
        ...(cond ? { condition: { column: cond.column, op: cond.op, value: cond.value } } : {}),
      };
      const r = injectNulls(table, dataSpec, hashSeeds(seed, k, s));
      let out = x;
      for (const c of spec.columns) out = out.replaceColumn(r.table.column(c));
      if (name === 'train') xTrain = out;
      else xTest = out;
      counts.push({
        spec: k,
        split: name,
        injected: r.injected,
        subsetRows: r.subsetRows,
        targetCells: r.targetCells,
      });
    });
  });
  return { split: { ...split, xTrain, xTest }, counts };
}

/** A whole dataset, as `checkErrorInjection` reads it. */
export interface ErrorInjectionData {
  readonly name: string;
  /** Feature columns. */
  readonly features: Table;
  /** Features plus the sensitive-attribute columns that are not features. */
  readonly raw: Table;
}

/**
 * Load-time check of `pipeline_args.error_injection` against a dataset, before any split is made: every
 * injected column is a feature, every condition column exists, and every condition matches at least one row
 * of the dataset (a typo in a condition value would otherwise inject nothing, silently). Throws
 * `VF_IMPUTATION_UNKNOWN_COLUMN` or `VF_IMPUTATION_BAD_OPTION` naming the field, the value and the fix;
 * the data package's `VF_DATA_BAD_NULL_INJECTION` for a text value on a numeric condition column.
 */
export function checkErrorInjection(data: ErrorInjectionData, specs: readonly ErrorInjectionConfig[]): void {
  const whole = { xTrain: data.features, xTest: data.features, rawTrain: data.raw, rawTest: data.raw };
  specs.forEach((spec, k) => {
    checkColumns(spec, k, whole);
    const cond = spec.condition;
    if (!cond) return;
    const table = data.features.has(cond.column) ? data.features : data.raw;
    if (matchingRows(table, cond).length > 0) return;
    const col = table.column(cond.column);
    const seen =
      col.kind === 'categorical'
        ? `its values are ${col.categories.map((c) => `'${c}'`).join(', ')}`
        : `its range is ${numericRange(col.values)}`;
    throw imputationError(
      ImputationErrorCode.BadOption,
      `pipeline_args.error_injection[${k}].condition: ${cond.column} ${cond.op} ${JSON.stringify(cond.value)} ` +
        `matches no row of dataset '${data.name}' (${seen}), so nothing would be injected; change the value`,
      { spec: k, column: cond.column, op: cond.op, value: cond.value },
    );
  });
}

function numericRange(values: Float64Array): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? `[${lo}, ${hi}]` : 'empty (all missing)';
}

function checkColumns(spec: ErrorInjectionConfig, k: number, split: ErrorInjectionSplit): void {
  const where = `pipeline_args.error_injection[${k}]`;
  const features = split.xTrain.columnNames;
  for (const c of spec.columns) {
    if (split.xTrain.has(c) && split.xTest.has(c)) continue;
    const why = split.rawTrain.has(c) ? 'is not a feature of the dataset' : 'is not a column of the dataset';
    throw imputationError(
      ImputationErrorCode.UnknownColumn,
      `${where}.columns: '${c}' ${why}; inject into feature columns (${features.join(', ')})`,
      { spec: k, column: c, features },
    );
  }
  const cond = spec.condition;
  if (cond) {
    const known = (t: Table, r: Table) => t.has(cond.column) || r.has(cond.column);
    if (!known(split.xTrain, split.rawTrain) || !known(split.xTest, split.rawTest)) {
      const columns = [...new Set([...features, ...split.rawTrain.columnNames])];
      throw imputationError(
        ImputationErrorCode.UnknownColumn,
        `${where}.condition.column: '${cond.column}' is not a column of the dataset; use one of ${columns.join(', ')}`,
        { spec: k, column: cond.column, columns },
      );
    }
  }
}
