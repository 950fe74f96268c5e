/**
 * Declarative dataset specs: everything a loader does, as data (SPEC §9). A built-in spec reproduces one of
 * Virny's loaders; a user's own CSV is described by the YAML section `custom_datasets.<name>`
 * (`CustomDatasetConfig`, snake_case as in the config file) and converted with `specFromCustomConfig`.
 */
import { isAbsolute, resolve } from 'node:path';
import { DataErrorCode, dataError } from './errors';

/** A value as written in `sensitive_attributes_dct`: the disadvantaged value(s), or null for intersections. */
export type SensitiveValue = string | number | boolean | null | readonly (string | number | boolean)[];
export type SensitiveAttributesDct = Readonly<Record<string, SensitiveValue>>;

/**
 * How the binary target (1 = positive/favourable) is derived from the target column.
 * - `mapping`: every non-missing value must be a key (values compared as canonical text, `1.0` ≡ `'1'`).
 * - `positive`: values in `positive` → 1, any other non-missing value → 0.
 * - `threshold`: numeric column, value > `threshold` → 1.
 * Rows whose target is missing are dropped (and counted in `Dataset.info`).
 */
export type TargetSpec =
  | {
      readonly column: string;
      readonly kind: 'mapping';
      readonly mapping: Readonly<Record<string, 0 | 1>>;
      /** Trim blanks around the raw value first (Virny strips `Diabetic`). */
      readonly trim?: boolean;
    }
  | { readonly column: string; readonly kind: 'positive'; readonly positive: readonly string[] }
  | { readonly column: string; readonly kind: 'threshold'; readonly threshold: number };

/** Data fixes applied after reading, in order. They act on category dictionaries, not on rows. */
export type ValueFix =
  /** Replace category values of a categorical column (e.g. code shortening); merged values share a code. */
  | { readonly kind: 'replace'; readonly column: string; readonly values: Readonly<Record<string, string>> }
  /** Trim and/or lower-case the categories of a column (diabetes `BPLevel`). */
  | { readonly kind: 'normalize'; readonly column: string; readonly trim?: boolean; readonly lower?: boolean }
  /** Turn these category values into missing values (bank `'unknown'`). */
  | { readonly kind: 'to_missing'; readonly column: string; readonly values: readonly string[] }
  /** Numeric `trunc(v / divisor)` (cardio age in days → whole years, as `(age / 365).astype(int)`). */
  | { readonly kind: 'divide_trunc'; readonly column: string; readonly divisor: number };

/** Type of a categorical column's raw values (see `CategoricalSchema` in csv.ts). */
export type CategoricalValueType = 'string' | 'number' | 'int_string' | 'auto';

export interface DatasetSpec {
  /** Registry name (`heart`, `folk_emp`, …) or the custom dataset's key. */
  readonly name: string;
  readonly description: string;
  /** File name inside the data directory (built-ins). */
  readonly file?: string;
  /** Path of the file (custom datasets; absolute, or relative to `LoadDatasetOptions.baseDir`). */
  readonly path?: string;
  /** Public locations of the file for `datasets fetch`, tried in order. */
  readonly urls?: readonly string[];
  /** Field delimiter; detected when absent. */
  readonly delimiter?: string;
  readonly target: TargetSpec;
  /** Numeric features, in order (they come first in `features`, as in Virny). */
  readonly numericalColumns: readonly string[];
  /** Categorical features, in order. */
  readonly categoricalColumns: readonly string[];
  /**
   * Raw value type of categorical columns; default `'string'` for built-ins' listed columns.
   * `int_string` = Virny's `astype(int).astype(str)` / `astype(str)` on integer columns: `'1.0'` → `'1'`, a
   * string; `number` = kept as a number (`astype(int)`), matched as a number.
   */
  readonly categoricalTypes?: Readonly<Record<string, CategoricalValueType>>;
  /** Default type of categorical columns not listed in `categoricalTypes`. */
  readonly defaultCategoricalType?: CategoricalValueType;
  /** Columns of the file that are deliberately not used (documentation and checks). */
  readonly dropColumns?: readonly string[];
  /** Header renames, e.g. `{ Pregancies: 'Pregnancies' }`. */
  readonly rename?: Readonly<Record<string, string>>;
  readonly fixes?: readonly ValueFix[];
  /** Extra missing-value tokens (all columns), added to the CSV defaults. */
  readonly missingValues?: readonly string[];
  readonly sensitiveAttributes: SensitiveAttributesDct;
  /** Fraction of rows in the test split; default 0.2 above 1,000 rows, else 0.3. */
  readonly testSetFraction?: number;
  /** Rows and positives of the full file as published (checks and `datasets describe`). */
  readonly expected?: { readonly rows: number; readonly positives?: number };
  /** Built-in generator instead of a file (the `demo` dataset). */
  readonly generator?: { readonly kind: 'demo'; readonly rows: number; readonly seed: number };
}

/** The YAML section `custom_datasets.<name>` (snake_case, as users write it). */
export interface CustomDatasetConfig {
  readonly path: string;
  readonly delimiter?: string;
  readonly target: string;
  /** Value(s) of the target column that mean 1; absent → the column must already be 0/1. */
  readonly positive_label?: string | number | boolean | readonly (string | number | boolean)[];
  readonly numerical_columns: readonly string[];
  readonly categorical_columns: readonly string[];
  readonly drop_columns?: readonly string[];
  readonly test_set_fraction?: number;
  readonly sensitive_attributes_dct?: SensitiveAttributesDct;
  readonly description?: string;
}

/** True when `x` looks like a `CustomDatasetConfig` (has `path` and snake_case column lists). */
export function isCustomDatasetConfig(x: unknown): x is CustomDatasetConfig {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { path?: unknown }).path === 'string' &&
    Array.isArray((x as { numerical_columns?: unknown }).numerical_columns)
  );
}

/**
 * Converts a `custom_datasets.<name>` section to a spec. Categorical columns keep pandas' typing: a column of
 * numbers stays numbers (`SEX: 2` matches, `SEX: '2'` does not), text stays text.
 */
export function specFromCustomConfig(
  name: string,
  cfg: CustomDatasetConfig,
  options: { baseDir?: string } = {},
): DatasetSpec {
  const where = `custom_datasets.${name}`;
  if (typeof cfg.target !== 'string' || cfg.target === '') {
    throw dataError(DataErrorCode.BadSpec, `${where}.target must name the target column`, { dataset: name });
  }
  const positive = cfg.positive_label;
  const target: TargetSpec =
    positive === undefined
      ? { column: cfg.target, kind: 'mapping', mapping: { '0': 0, '1': 1 } }
      : {
          column: cfg.target,
          kind: 'positive',
          positive: (Array.isArray(positive) ? positive : [positive]).map((v) => labelText(v)),
        };
  const path = isAbsolute(cfg.path) ? cfg.path : resolve(options.baseDir ?? process.cwd(), cfg.path);
  const spec: DatasetSpec = {
    name,
    description: cfg.description ?? `user dataset ${cfg.path}`,
    path,
    target,
    numericalColumns: cfg.numerical_columns,
    categoricalColumns: cfg.categorical_columns,
    defaultCategoricalType: 'auto',
    sensitiveAttributes: cfg.sensitive_attributes_dct ?? {},
    ...(cfg.delimiter !== undefined ? { delimiter: cfg.delimiter } : {}),
    ...(cfg.drop_columns !== undefined ? { dropColumns: cfg.drop_columns } : {}),
    ...(cfg.test_set_fraction !== undefined ? { testSetFraction: cfg.test_set_fraction } : {}),
  };
  validateSpec(spec);
  return spec;
}

function labelText(v: string | number | boolean): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return v;
}

/** Structural checks of a spec; throws `VF_DATA_BAD_SPEC` naming the field and the fix. */
export function validateSpec(spec: DatasetSpec): void {
  const where = `dataset '${spec.name}'`;
  const bad = (field: string, msg: string, value?: unknown): never => {
    throw dataError(DataErrorCode.BadSpec, `${where}: ${field} ${msg}`, { dataset: spec.name, field, value });
  };
  if (!spec.file && !spec.path && !spec.generator)
    bad('path', 'is missing: give the CSV file of the dataset');
  const seen = new Set<string>();
  for (const c of [...spec.numericalColumns, ...spec.categoricalColumns]) {
    if (typeof c !== 'string' || c === '') bad('columns', 'contain an empty name', c);
    if (seen.has(c)) {
      bad('columns', `list '${c}' twice; a column is either numerical or categorical, once`, c);
    }
    seen.add(c);
  }
  if (seen.size === 0)
    bad('numerical_columns/categorical_columns', 'are both empty: list the feature columns');
  if (seen.has(spec.target.column)) {
    bad('target', `'${spec.target.column}' is also listed as a feature; remove it from the feature lists`);
  }
  for (const d of spec.dropColumns ?? []) {
    if (seen.has(d) || d === spec.target.column) {
      bad('drop_columns', `'${d}' is dropped but also used as a feature or the target`, d);
    }
  }
  const f = spec.testSetFraction;
  if (f !== undefined && !(f > 0 && f < 1)) {
    bad('test_set_fraction', `must be in (0, 1), got ${f}; e.g. 0.2 for an 80/20 split`, f);
  }
  if (spec.delimiter !== undefined && spec.delimiter.length !== 1) {
    bad('delimiter', `must be one character, got '${spec.delimiter}'`, spec.delimiter);
  }
}
