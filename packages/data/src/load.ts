/**
 * Loading a dataset: spec → CSV read → value fixes → target derivation → checks → `Dataset`.
 *
 * Missing values stay missing (SPEC §13.9): NaN in numeric columns, MISSING_CODE in categorical ones; only
 * rows without a target are dropped (they cannot be trained or scored), and `withNulls: false` drops every
 * incomplete row as Virny's `with_nulls=False` does.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Rng } from '@virnyflow/core';
import { DEFAULT_MISSING_VALUES, readCsvWithInfo } from './csv';
import type { ColumnSchema } from './csv';
import { DEMO_DEFAULT_ROWS, DEMO_DEFAULT_SEED, getDatasetSpec } from './datasets';
import { DEMO_DEFAULT_MISSING_RATE, generateDemoData } from './demo';
import type { DemoOptions } from './demo';
import { DataErrorCode, dataError } from './errors';
import { isCustomDatasetConfig, specFromCustomConfig, validateSpec } from './spec';
import type {
  CategoricalValueType,
  CustomDatasetConfig,
  DatasetSpec,
  SensitiveAttributesDct,
  TargetSpec,
  ValueFix,
} from './spec';
import { MISSING_CODE, Table, categoricalColumn, completeRows, countMissing, numericColumn } from './table';
import type { CategoricalColumn, Column } from './table';

export interface LoadDatasetOptions {
  /** Directory holding the built-in datasets' files (see `resolveDataDir`). */
  readonly dataDir?: string;
  /** Base of relative `path`s in custom dataset configs (default: the working directory). */
  readonly baseDir?: string;
  /** Keep rows with missing values (default true); false drops every incomplete row (SPEC §9.1). */
  readonly withNulls?: boolean;
  /**
   * The experiment's `sensitive_attributes_dct` (default: the spec's). Its attribute columns are kept in
   * `raw` even when they are not features.
   */
  readonly sensitiveAttributes?: SensitiveAttributesDct;
  /** More columns of the file to keep in `raw`. */
  readonly extraColumns?: readonly string[];
  /** Extra missing-value tokens per column (e.g. VirnyFlow's German variant). */
  readonly columnMissingValues?: Readonly<Record<string, readonly string[]>>;
  /** Seeded subsample of this many rows, taken before anything else (Virny's subsample_size/seed). */
  readonly subsample?: { readonly size: number; readonly seed: number };
  /** Memory guard for the CSV reader (bytes). */
  readonly maxBytes?: number;
  /** Generator options of the `demo` dataset (rows, seed, missing rate). */
  readonly demo?: DemoOptions;
}

export interface DatasetInfo {
  /** Rows of the source (file or generator), before any row was dropped. */
  readonly sourceRows: number;
  readonly droppedMissingTarget: number;
  /** Rows dropped by `withNulls: false`. */
  readonly droppedIncomplete: number;
  readonly positives: number;
  /** Missing cells per feature column (columns without missing values omitted). */
  readonly missingCells: Readonly<Record<string, number>>;
  /** Delimiter used (files only). */
  readonly delimiter?: string;
  readonly path?: string;
}

export interface Dataset {
  readonly name: string;
  /** Features only: numerical columns then categorical columns, in spec order. */
  readonly features: Table;
  /** (nRows) 1 = positive / favourable outcome. */
  readonly target: Uint8Array;
  /** Features plus the sensitive-attribute (and extra) columns that are not features; same rows. */
  readonly raw: Table;
  readonly numericalColumns: readonly string[];
  readonly categoricalColumns: readonly string[];
  readonly spec: DatasetSpec;
  /** The `sensitive_attributes_dct` in force (options or the spec's default). */
  readonly sensitiveAttributes: SensitiveAttributesDct;
  /** Test-split fraction: the spec's, else 0.2 above 1,000 rows and 0.3 otherwise. */
  readonly testSetFraction: number;
  /**
   * Hex sha256 over the file bytes, the spec (without where the file lives) and the load options: a cache
   * key that agrees across nodes holding the same file at different paths.
   */
  readonly contentHash: string;
  readonly info: DatasetInfo;
}

export const DATA_DIR_ENV = 'VIRNYFLOW_DATA_DIR';

/** Data directory: explicit option > `VIRNYFLOW_DATA_DIR` > `~/.cache/virnyflow/datasets`. */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const env = process.env[DATA_DIR_ENV];
  if (env) return resolve(env);
  return join(homedir(), '.cache', 'virnyflow', 'datasets');
}

/** Default test fraction of SPEC §5.2 when a spec has none: 80/20 above 1,000 rows, else 70/30. */
export function defaultTestFraction(nRows: number): number {
  return nRows > 1000 ? 0.2 : 0.3;
}

/** Attribute columns named by a `sensitive_attributes_dct`: single keys and intersection parts, trimmed. */
export function sensitiveColumns(dct: SensitiveAttributesDct): string[] {
  const out: string[] = [];
  for (const key of Object.keys(dct)) {
    for (const part of key.split('&')) {
      const p = part.trim();
      if (p !== '' && !out.includes(p)) out.push(p);
    }
  }
  return out;
}

/** Loads a built-in dataset by name, a `DatasetSpec`, or a `custom_datasets.<name>` config (named by `name`). */
export async function loadDataset(
  source: string | DatasetSpec | (CustomDatasetConfig & { readonly name?: string }),
  options: LoadDatasetOptions = {},
): Promise<Dataset> {
  const spec = resolveSpec(source, options);
  if (spec.generator) {
    return generateDemoDataset(
      { rows: spec.generator.rows, seed: spec.generator.seed, ...options.demo },
      options,
      spec,
    );
  }
  const dataDir = resolveDataDir(options.dataDir);
  const path = spec.path
    ? isAbsolute(spec.path)
      ? spec.path
      : resolve(options.baseDir ?? process.cwd(), spec.path)
    : join(dataDir, spec.file as string);
  const dct = options.sensitiveAttributes ?? spec.sensitiveAttributes;
  const features = [...spec.numericalColumns, ...spec.categoricalColumns];
  const sensitive = sensitiveColumns(dct);
  const others = [...sensitive, ...(options.extraColumns ?? [])].filter(
    (c, i, all) => !features.includes(c) && c !== spec.target.column && all.indexOf(c) === i,
  );
  const select = [...features, ...others, spec.target.column];

  const columns: Record<string, ColumnSchema> = {};
  for (const c of spec.numericalColumns) columns[c] = { kind: 'numeric' };
  for (const c of [...spec.categoricalColumns, ...others]) columns[c] = categoricalSchema(spec, c);
  columns[spec.target.column] =
    spec.target.kind === 'threshold' ? { kind: 'numeric' } : { kind: 'categorical', canonicalNumbers: true };

  const read = await readCsvWithInfo(path, {
    select,
    columns,
    hash: true,
    ...(spec.delimiter !== undefined ? { delimiter: spec.delimiter } : {}),
    ...(spec.rename !== undefined ? { rename: spec.rename } : {}),
    ...(spec.missingValues !== undefined
      ? { missingValues: [...DEFAULT_MISSING_VALUES, ...spec.missingValues] }
      : {}),
    ...(options.columnMissingValues !== undefined
      ? { columnMissingValues: options.columnMissingValues }
      : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  }).catch((err: unknown) => {
    throw explainReadError(err, spec, path);
  });

  let table = read.table;
  for (const fix of spec.fixes ?? []) table = applyFix(table, fix, spec.name);
  return finishDataset(spec, table, {
    options,
    dct,
    features,
    others,
    hashParts: [read.sha256 as string],
    delimiter: read.delimiter,
    path,
  });
}

/**
 * The `demo` dataset as a `Dataset` (no file). `rows` and `seed` default to 5,000 and 42; the content hash
 * covers them, so every node generating the same demo agrees on its identity.
 */
export function generateDemoDataset(
  demo: DemoOptions = {},
  options: LoadDatasetOptions = {},
  spec: DatasetSpec = getDatasetSpec('demo'),
): Dataset {
  const resolved = {
    rows: demo.rows ?? spec.generator?.rows ?? DEMO_DEFAULT_ROWS,
    seed: demo.seed ?? spec.generator?.seed ?? DEMO_DEFAULT_SEED,
    missingRate: demo.missingRate ?? DEMO_DEFAULT_MISSING_RATE,
  };
  const { table: features, target } = generateDemoData(resolved);
  const full = features.withColumn({
    kind: 'categorical',
    name: spec.target.column,
    codes: Int32Array.from(target),
    categories: ['0', '1'],
    valueType: 'string',
  });
  const dct = options.sensitiveAttributes ?? spec.sensitiveAttributes;
  const names = [...spec.numericalColumns, ...spec.categoricalColumns];
  for (const c of sensitiveColumns(dct)) {
    if (!full.has(c)) {
      throw dataError(
        DataErrorCode.MissingColumn,
        `dataset 'demo' has no column '${c}' (named in sensitive_attributes_dct); its columns are ` +
          `${names.join(', ')}`,
        { dataset: 'demo', column: c, columns: names },
      );
    }
  }
  const resolvedSpec: DatasetSpec = {
    ...spec,
    generator: { kind: 'demo', rows: resolved.rows, seed: resolved.seed },
  };
  return finishDataset(resolvedSpec, full, {
    options,
    dct,
    features: names,
    others: [],
    hashParts: [`demo-v1:${stableJson(resolved)}`],
  });
}

// ---------------------------------------------------------------------------------------------------------

function resolveSpec(
  source: string | DatasetSpec | (CustomDatasetConfig & { readonly name?: string }),
  options: LoadDatasetOptions,
): DatasetSpec {
  if (typeof source === 'string') return getDatasetSpec(source);
  if (isCustomDatasetConfig(source)) {
    return specFromCustomConfig(
      source.name ?? 'custom',
      source,
      options.baseDir ? { baseDir: options.baseDir } : {},
    );
  }
  validateSpec(source);
  return source;
}

function categoricalSchema(spec: DatasetSpec, column: string): ColumnSchema {
  const t: CategoricalValueType = spec.categoricalTypes?.[column] ?? spec.defaultCategoricalType ?? 'string';
  switch (t) {
    case 'number':
      return { kind: 'categorical', valueType: 'number' };
    case 'int_string':
      return { kind: 'categorical', valueType: 'string', canonicalNumbers: true };
    case 'auto':
      return { kind: 'categorical', valueType: 'auto' };
    default:
      return { kind: 'categorical', valueType: 'string' };
  }
}

function explainReadError(err: unknown, spec: DatasetSpec, path: string): unknown {
  const e = err as { code?: string; details?: Record<string, unknown> };
  if (e.code === DataErrorCode.MissingColumn && e.details?.column === spec.target.column) {
    return dataError(
      DataErrorCode.MissingTarget,
      `dataset '${spec.name}': target column '${spec.target.column}' is not in ${path} ` +
        `(columns: ${((e.details?.header as string[] | undefined) ?? []).join(', ')}); fix the target name`,
      { dataset: spec.name, column: spec.target.column, path },
      { cause: err },
    );
  }
  return err;
}

interface FinishContext {
  readonly options: LoadDatasetOptions;
  readonly dct: SensitiveAttributesDct;
  readonly features: readonly string[];
  readonly others: readonly string[];
  readonly hashParts: readonly string[];
  readonly delimiter?: string;
  readonly path?: string;
}

function finishDataset(spec: DatasetSpec, table: Table, ctx: FinishContext): Dataset {
  const sourceRows = table.nRows;
  const sub = ctx.options.subsample;
  if (sub) table = table.take(subsampleRows(table.nRows, sub.size, sub.seed, spec.name));

  let droppedIncomplete = 0;
  if (ctx.options.withNulls === false) {
    const keep = completeRows(table);
    droppedIncomplete = table.nRows - keep.length;
    if (droppedIncomplete > 0) table = table.take(keep);
  }

  // Target: -1 = missing (row dropped), else 0/1.
  const labels = deriveTarget(spec, table.column(spec.target.column));
  let droppedMissingTarget = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === -1) droppedMissingTarget++;
  let target: Uint8Array;
  if (droppedMissingTarget > 0) {
    const keep = new Uint32Array(labels.length - droppedMissingTarget);
    for (let i = 0, j = 0; i < labels.length; i++) if (labels[i] !== -1) keep[j++] = i;
    table = table.take(keep);
    target = Uint8Array.from(keep, (i) => labels[i] as number);
  } else target = Uint8Array.from(labels);

  if (table.nRows === 0) {
    throw dataError(
      DataErrorCode.EmptyDataset,
      `dataset '${spec.name}' has no rows${sourceRows > 0 ? ` left (source rows ${sourceRows}, without target ${droppedMissingTarget}, incomplete ${droppedIncomplete})` : ''}; ` +
        `a dataset needs rows to split, train and evaluate: check the file${ctx.options.withNulls === false ? ' or keep rows with missing values (withNulls)' : ''}`,
      { dataset: spec.name, sourceRows, droppedMissingTarget, droppedIncomplete },
    );
  }
  let positives = 0;
  for (let i = 0; i < target.length; i++) positives += target[i] as number;
  if (positives === 0 || positives === target.length) {
    throw dataError(
      DataErrorCode.OneClassTarget,
      `dataset '${spec.name}': target '${spec.target.column}' has a single class (${positives} positive of ` +
        `${target.length} rows); a classifier needs both 0 and 1 — check the target column and positive label`,
      { dataset: spec.name, column: spec.target.column, positives, rows: target.length },
    );
  }

  const featureTable = table.select(ctx.features);
  const missingCells: Record<string, number> = {};
  for (const c of featureTable.columns) {
    const m = countMissing(c);
    if (m === table.nRows) {
      throw dataError(
        DataErrorCode.AllMissingColumn,
        `dataset '${spec.name}': feature column '${c.name}' has only missing values (${m} rows); drop it from ` +
          `the feature lists or fix the file`,
        { dataset: spec.name, column: c.name },
      );
    }
    if (m > 0) missingCells[c.name] = m;
  }
  const raw =
    ctx.others.length > 0
      ? new Table([...featureTable.columns, ...table.select(ctx.others).columns])
      : featureTable;

  const contentHash = createHash('sha256')
    .update(ctx.hashParts.join('\n'))
    .update('\n')
    .update(stableJson({ ...spec, path: undefined, urls: undefined, description: undefined }))
    .update('\n')
    .update(
      stableJson({
        withNulls: ctx.options.withNulls ?? true,
        subsample: ctx.options.subsample ?? null,
        columnMissingValues: ctx.options.columnMissingValues ?? null,
        extraColumns: ctx.options.extraColumns ?? null,
        sensitive: ctx.dct,
      }),
    )
    .digest('hex');

  return {
    name: spec.name,
    features: featureTable,
    target,
    raw,
    numericalColumns: spec.numericalColumns,
    categoricalColumns: spec.categoricalColumns,
    spec,
    sensitiveAttributes: ctx.dct,
    testSetFraction: spec.testSetFraction ?? defaultTestFraction(table.nRows),
    contentHash,
    info: {
      sourceRows,
      droppedMissingTarget,
      droppedIncomplete,
      positives,
      missingCells,
      ...(ctx.delimiter !== undefined ? { delimiter: ctx.delimiter } : {}),
      ...(ctx.path !== undefined ? { path: ctx.path } : {}),
    },
  };
}

/** Per-row label: 0, 1, or -1 for a missing target. */
function deriveTarget(spec: DatasetSpec, col: Column): Int8Array {
  const t: TargetSpec = spec.target;
  const n = col.kind === 'numeric' ? col.values.length : col.codes.length;
  const out = new Int8Array(n);
  if (t.kind === 'threshold') {
    if (col.kind !== 'numeric') throw new Error('threshold target read as categorical'); // unreachable
    for (let i = 0; i < n; i++) {
      const v = col.values[i] as number;
      out[i] = Number.isNaN(v) ? -1 : v > t.threshold ? 1 : 0;
    }
    return out;
  }
  if (col.kind !== 'categorical') throw new Error('label target read as numeric'); // unreachable
  // Label per category, computed once on the dictionary.
  const perCat = new Int8Array(col.categories.length);
  const positives = t.kind === 'positive' ? new Set(t.positive) : null;
  const unknown: string[] = [];
  const unknownCodes: number[] = [];
  col.categories.forEach((raw, k) => {
    if (positives) {
      perCat[k] = positives.has(raw) ? 1 : 0;
      return;
    }
    if (t.kind !== 'mapping') return;
    const key = t.trim ? raw.trim() : raw;
    const v = Object.prototype.hasOwnProperty.call(t.mapping, key) ? t.mapping[key] : undefined;
    if (v === undefined) {
      perCat[k] = -1;
      unknown.push(raw);
      unknownCodes.push(k);
    } else perCat[k] = v;
  });
  for (let i = 0; i < n; i++) {
    const k = col.codes[i] as number;
    out[i] = k === MISSING_CODE ? -1 : (perCat[k] as number);
  }
  if (unknown.length > 0 && t.kind === 'mapping') {
    // Only categories that rows use count (fixes can leave unused ones in the dictionary).
    const used = new Uint8Array(col.categories.length);
    for (let i = 0; i < n; i++) {
      const k = col.codes[i] as number;
      if (k !== MISSING_CODE) used[k] = 1;
    }
    const bad = unknown.filter((_u, j) => used[unknownCodes[j] as number] === 1);
    if (bad.length > 0) {
      const shown = bad.slice(0, 10).map((u) => `'${u}'`);
      throw dataError(
        DataErrorCode.BadTarget,
        `dataset '${spec.name}': target '${t.column}' has value(s) ${shown.join(', ')}` +
          `${bad.length > 10 ? ` and ${bad.length - 10} more` : ''} that are not labels ` +
          `(${Object.keys(t.mapping)
            .map((k) => `'${k}'`)
            .join(', ')}); set positive_label to the value that means 1, or fix the file`,
        { dataset: spec.name, column: t.column, values: bad.slice(0, 10), allowed: Object.keys(t.mapping) },
      );
    }
  }
  return out;
}

function subsampleRows(n: number, size: number, seed: number, name: string): Uint32Array {
  if (!Number.isInteger(size) || size < 1 || size > n) {
    throw dataError(
      DataErrorCode.BadOption,
      `dataset '${name}': subsample size must be an integer in [1, ${n}], got ${size}`,
      { dataset: name, size, rows: n },
    );
  }
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = new Rng(seed);
  // Partial Fisher–Yates: the first `size` positions are a uniform sample without replacement.
  for (let i = 0; i < size; i++) {
    const j = i + rng.nextInt(n - i);
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }
  return perm.slice(0, size).sort();
}

/** Applies one declarative fix; returns a new table. */
export function applyFix(table: Table, fix: ValueFix, dataset: string): Table {
  const col = table.column(fix.column);
  const wrongKind = (want: string): never => {
    throw dataError(
      DataErrorCode.BadSpec,
      `dataset '${dataset}': fix '${fix.kind}' needs a ${want} column, '${fix.column}' is ${col.kind}`,
      { dataset, column: fix.column, fix: fix.kind },
    );
  };
  switch (fix.kind) {
    case 'divide_trunc': {
      if (col.kind !== 'numeric') return wrongKind('numeric');
      const v = new Float64Array(col.values.length);
      for (let i = 0; i < v.length; i++) v[i] = Math.trunc((col.values[i] as number) / fix.divisor);
      return table.replaceColumn(numericColumn(col.name, v));
    }
    case 'replace': {
      if (col.kind !== 'categorical') return wrongKind('categorical');
      const map = fix.values;
      return table.replaceColumn(
        remapCategories(col, (c) => (Object.prototype.hasOwnProperty.call(map, c) ? (map[c] as string) : c)),
      );
    }
    case 'normalize': {
      if (col.kind !== 'categorical') return wrongKind('categorical');
      return table.replaceColumn(
        remapCategories(col, (c) => {
          let s = fix.trim ? c.trim() : c;
          if (fix.lower) s = s.toLowerCase();
          return s;
        }),
      );
    }
    case 'to_missing': {
      if (col.kind !== 'categorical') return wrongKind('categorical');
      const drop = new Set(fix.values);
      return table.replaceColumn(remapCategories(col, (c) => (drop.has(c) ? null : c)));
    }
  }
}

/**
 * Rewrites a categorical column's categories through `f` (null = missing); categories that map to the same
 * text merge into one code. Works on the dictionary, then one pass over the codes.
 */
export function remapCategories(
  col: CategoricalColumn,
  f: (category: string) => string | null,
): CategoricalColumn {
  const categories: string[] = [];
  const index = new Map<string, number>();
  const remap = new Int32Array(col.categories.length);
  col.categories.forEach((c, k) => {
    const v = f(c);
    if (v === null) {
      remap[k] = MISSING_CODE;
      return;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = categories.length;
      categories.push(v);
      index.set(v, code);
    }
    remap[k] = code;
  });
  const codes = new Int32Array(col.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const k = col.codes[i] as number;
    codes[i] = k === MISSING_CODE ? MISSING_CODE : (remap[k] as number);
  }
  return categoricalColumn(col.name, codes, categories, col.valueType);
}

/** JSON with sorted object keys, so equal specs hash equally whatever their key order. */
function stableJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return v;
  });
}
