/**
 * `virnyflow profile`: the whole protocol for predictions made elsewhere — what a Virny user does today.
 *
 * Inputs (each CSV has a header row; a leading unnamed column, as pandas' `to_csv()` writes for the
 * index, is dropped):
 * - labels: one column of 0/1 true labels;
 * - predictions: one column per bootstrap estimator holding P(positive) in [0, 1] (a single column = one
 *   model → no-bootstrap mode); converted to Virny's P(class 0) = 1 − P(positive);
 * - sensitive attributes: the columns named by the group definitions, row-aligned with the labels;
 *   values are matched by their text (`2` ≡ `'2'`), since a CSV file carries no types;
 * - groups: `sensitive_attributes_dct` as JSON/YAML text, a file path, or an object.
 *
 * Output: the per-group metric table and the composed disparity table, as JSON
 * `{"metrics": [{metric, group, value}], "disparities": [{metric, group, value}]}` or as the same records
 * in one CSV (`table,metric,group,value`).
 */
import { readFile, stat } from 'node:fs/promises';
import { Table, MISSING_CODE } from '@virnyflow/data';
import type { Column } from '@virnyflow/data';
import { computeMetrics, toClassZero } from './compute';
import { dropUnnamedIndex, parseCsv, renderMetricsCsv } from './csv';
import type { CsvText } from './csv';
import { MetricsErrorCode, metricsError } from './errors';
import { GroupMatching, buildGroups, intersectionParts } from './groups';
import type { SensitiveAttributesDct } from './groups';
import { parseGroupsText } from './groups-spec';
import type { MetricsTable } from './metrics-table';

export const ProfileFormat = { Csv: 'csv', Json: 'json' } as const;
export type ProfileFormat = (typeof ProfileFormat)[keyof typeof ProfileFormat];

/** In-memory inputs: CSV texts (with names for messages) and parsed group definitions. */
export interface ProfileInputs {
  readonly labels: { readonly name: string; readonly text: string };
  readonly predictions: { readonly name: string; readonly text: string };
  readonly sensitive: { readonly name: string; readonly text: string };
  readonly groups: SensitiveAttributesDct;
}

/** Computes the metrics table from CSV texts. */
export function profile(inputs: ProfileInputs): MetricsTable {
  const labelsCsv = dropUnnamedIndex(parseCsv(inputs.labels.text, inputs.labels.name));
  const predCsv = dropUnnamedIndex(parseCsv(inputs.predictions.text, inputs.predictions.name));
  const sensCsv = dropUnnamedIndex(parseCsv(inputs.sensitive.text, inputs.sensitive.name));

  const nL = labelsCsv.rows.length;
  const nP = predCsv.rows.length;
  const nS = sensCsv.rows.length;
  if (nL !== nP || nL !== nS) {
    throw metricsError(
      MetricsErrorCode.ShapeMismatch,
      `inputs are not row-aligned: ${inputs.labels.name} has ${nL} rows, ${inputs.predictions.name} ${nP}, ` +
        `${inputs.sensitive.name} ${nS}; every file needs a header row, then one row per evaluated sample in the same order`,
      { labels: nL, predictions: nP, sensitive: nS },
    );
  }
  const y = readLabels(labelsCsv, inputs.labels.name);
  const { p1, nEstimators } = readProbabilities(predCsv, inputs.predictions.name);
  const table = sensitiveTable(sensCsv, inputs.sensitive.name, inputs.groups);
  const groups = buildGroups(table, inputs.groups, { matching: GroupMatching.Text });
  return computeMetrics({
    y,
    groups,
    predictions: { kind: 'probabilities', p0: toClassZero(p1), nEstimators },
  });
}

function readLabels(csv: CsvText, name: string): Uint8Array {
  if (csv.header.length !== 1) {
    throw metricsError(
      MetricsErrorCode.BadInput,
      `${name} has ${csv.header.length} columns (${csv.header.join(', ')}); the labels file needs exactly one column of 0/1 labels`,
      { file: name, columns: csv.header },
    );
  }
  const y = new Uint8Array(csv.rows.length);
  for (let i = 0; i < csv.rows.length; i++) {
    const raw = csv.rows[i][0].trim();
    const v = raw === '' ? NaN : Number(raw);
    if (v !== 0 && v !== 1) {
      throw metricsError(
        MetricsErrorCode.BadInput,
        `${name}, line ${csv.lines[i]}: label '${raw}' is not 0 or 1; encode the favourable outcome as 1`,
        { file: name, line: csv.lines[i], value: raw },
      );
    }
    y[i] = v;
  }
  return y;
}

/** (nEstimators, N) row-major P(positive): column j of the file is estimator j. */
function readProbabilities(csv: CsvText, name: string): { p1: Float64Array; nEstimators: number } {
  const M = csv.header.length;
  const N = csv.rows.length;
  const p1 = new Float64Array(M * N);
  for (let i = 0; i < N; i++) {
    const row = csv.rows[i];
    for (let m = 0; m < M; m++) {
      const raw = row[m].trim();
      const v = raw === '' ? NaN : Number(raw);
      if (!(v >= 0 && v <= 1)) {
        const what = Number.isNaN(v) ? 'is not a number' : 'is outside [0, 1]';
        throw metricsError(
          MetricsErrorCode.BadInput,
          `${name}, line ${csv.lines[i]}, column '${csv.header[m]}': '${raw}' ${what}; each column must hold one ` +
            "estimator's probability of the positive class",
          { file: name, line: csv.lines[i], column: csv.header[m], value: raw },
        );
      }
      p1[m * N + i] = v;
    }
  }
  return { p1, nEstimators: M };
}

/** The sensitive columns named by the group definitions, as text categoricals (empty cell = missing). */
function sensitiveTable(csv: CsvText, name: string, dct: SensitiveAttributesDct): Table {
  const needed: string[] = [];
  for (const key of Object.keys(dct)) {
    const parts = intersectionParts(key);
    if (parts.length === 1 && !needed.includes(parts[0])) needed.push(parts[0]);
  }
  const columns: Column[] = [];
  for (const col of needed) {
    const j = csv.header.indexOf(col);
    if (j < 0) {
      throw metricsError(
        MetricsErrorCode.UnknownAttribute,
        `sensitive attribute '${col}' of the group definitions is not a column of ${name} ` +
          `(columns: ${csv.header.join(', ')}); add the column or fix the attribute name`,
        { key: col, file: name, columns: csv.header },
      );
    }
    const codes = new Int32Array(csv.rows.length);
    const categories: string[] = [];
    const index = new Map<string, number>();
    for (let i = 0; i < csv.rows.length; i++) {
      const v = csv.rows[i][j].trim();
      if (v === '') {
        codes[i] = MISSING_CODE;
        continue;
      }
      let c = index.get(v);
      if (c === undefined) {
        c = categories.length;
        categories.push(v);
        index.set(v, c);
      }
      codes[i] = c;
    }
    columns.push({ kind: 'categorical', name: col, codes, categories, valueType: 'string' });
  }
  return new Table(columns);
}

export interface RunProfileOptions {
  /** Path of the labels CSV. */
  readonly labelsCsv: string;
  /** Path of the predictions CSV. */
  readonly predictionsCsv: string;
  /** Path of the sensitive-attributes CSV. */
  readonly sensitiveCsv: string;
  /** JSON or YAML text, a path to such a file, or the dict itself. */
  readonly groups: string | SensitiveAttributesDct;
  readonly format?: ProfileFormat;
}

/** Everything `virnyflow profile` does except printing: read files, compute, render. */
export async function runProfile(options: RunProfileOptions): Promise<string> {
  const [labels, predictions, sensitive, groups] = await Promise.all([
    readInput(options.labelsCsv, '--labels'),
    readInput(options.predictionsCsv, '--predictions'),
    readInput(options.sensitiveCsv, '--sensitive'),
    resolveGroups(options.groups),
  ]);
  const table = profile({ labels, predictions, sensitive, groups });
  return renderProfile(table, options.format ?? ProfileFormat.Json);
}

export function renderProfile(table: MetricsTable, format: ProfileFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(table.toJSON(), null, 2) + '\n';
    case 'csv':
      return renderMetricsCsv(table);
    default:
      throw metricsError(
        MetricsErrorCode.BadInput,
        `--format '${String(format)}' is not supported; use 'csv' or 'json'`,
        { format },
      );
  }
}

async function readInput(path: string, flag: string): Promise<{ name: string; text: string }> {
  try {
    return { name: path, text: await readFile(path, 'utf8') };
  } catch (cause) {
    throw metricsError(
      MetricsErrorCode.BadInput,
      `${flag} ${path}: cannot read the file (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
      { flag, path },
      { cause },
    );
  }
}

/** Group definitions from an object, inline JSON/YAML text, or a file holding it. */
export async function resolveGroups(
  groups: string | SensitiveAttributesDct,
): Promise<SensitiveAttributesDct> {
  if (typeof groups !== 'string') return groups;
  const isFile = await stat(groups).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) return parseGroupsText(await readFile(groups, 'utf8'), groups);
  return parseGroupsText(groups, '--groups');
}
