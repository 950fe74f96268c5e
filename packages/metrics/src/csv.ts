/**
 * Small CSV reading and writing for `profile`'s inputs and outputs: whole-text, RFC 4180 quoting
 * (`"a,b"`, `""` for a quote, newlines inside quotes), `\n` or `\r\n` line ends, optional BOM, delimiter
 * detected from the header line among `, ; \t |`. The files `profile` reads are a few columns of one
 * evaluation set, so reading whole texts is fine; datasets go through `@virnyflow/data`'s streaming reader.
 */
import { MetricsErrorCode, metricsError } from './errors';
import type { MetricsTable } from './metrics-table';

export interface CsvText {
  readonly header: readonly string[];
  /** Data rows, each with header.length fields. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number of each data row's start (for messages). */
  readonly lines: readonly number[];
  readonly delimiter: string;
}

const DELIMITERS = [',', ';', '\t', '|'];

function detectDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = headerLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Parses CSV text with a header row. `name` (e.g. the file path) goes into error messages. */
export function parseCsv(text: string, name: string, delimiter?: string): CsvText {
  let s = text;
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  const firstNl = s.indexOf('\n');
  const d = delimiter ?? detectDelimiter(firstNl < 0 ? s : s.slice(0, firstNl));
  const records: string[][] = [];
  const starts: number[] = [];
  let field = '';
  let record: string[] = [];
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    // Skip blank lines (a single empty field).
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      starts.push(recordLine);
    }
    record = [];
  };
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === d) {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) {
    throw metricsError(
      MetricsErrorCode.BadInput,
      `${name}: a quoted field opened on line ${recordLine} is never closed; check the quotes`,
      { file: name, line: recordLine },
    );
  }
  if (field !== '' || record.length > 0) endRecord();
  if (records.length === 0) {
    throw metricsError(
      MetricsErrorCode.BadInput,
      `${name} is empty; it needs a header row naming the columns, then one row per sample`,
      { file: name },
    );
  }
  const header = records[0].map((h) => h.trim());
  for (let r = 1; r < records.length; r++) {
    if (records[r].length !== header.length) {
      throw metricsError(
        MetricsErrorCode.BadInput,
        `${name}, line ${starts[r]}: expected ${header.length} fields (as in the header) but got ${records[r].length}; ` +
          `check the delimiter '${d === '\t' ? '\\t' : d}' and the quoting on that line`,
        { file: name, line: starts[r], expected: header.length, got: records[r].length },
      );
    }
  }
  return { header, rows: records.slice(1), lines: starts.slice(1), delimiter: d };
}

/**
 * Drops a leading unnamed column — the index pandas writes with `to_csv()` — when the file has other
 * columns.
 */
export function dropUnnamedIndex(csv: CsvText): CsvText {
  if (csv.header.length < 2 || csv.header[0] !== '') return csv;
  return { ...csv, header: csv.header.slice(1), rows: csv.rows.map((r) => r.slice(1)) };
}

/** Quotes a field when it needs it. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Number as CSV text: shortest round-trip form; `NaN`, `Infinity`, `-Infinity` for non-finite values. */
export function csvNumber(v: number): string {
  return String(v);
}

/**
 * Both tables of a `MetricsTable` as one long CSV: `table,metric,group,value` with `table` = `metrics` or
 * `disparities` (the JSON form, flattened).
 */
export function renderMetricsCsv(table: MetricsTable): string {
  const lines = ['table,metric,group,value'];
  for (const r of table.toLong()) {
    lines.push(`metrics,${csvField(r.metric)},${csvField(r.group)},${csvNumber(r.value)}`);
  }
  for (const r of table.disparitiesToLong()) {
    lines.push(`disparities,${csvField(r.metric)},${csvField(r.group)},${csvNumber(r.value)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Virny's wide layout of one table (`Metric,overall,sex_priv,…` or `Metric,sex,race,…`), for reading by
 * eye.
 */
export function renderWideCsv(table: MetricsTable, which: 'metrics' | 'disparities'): string {
  const rows = which === 'metrics' ? table.metrics : table.disparityMetrics;
  const cols = which === 'metrics' ? table.groups : table.keys;
  const values = which === 'metrics' ? table.values : table.disparityValues;
  const lines = [['Metric', ...cols].map(csvField).join(',')];
  for (let r = 0; r < rows.length; r++) {
    const cells = [csvField(rows[r])];
    for (let c = 0; c < cols.length; c++) cells.push(csvNumber(values[r * cols.length + c]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
