/**
 * Streaming CSV reader into a columnar `Table`.
 *
 * The file is read as a stream through csv-parse; each record array is decoded at once into per-column typed
 * buffers (pre-sized from an estimate of the row count) and dropped, so the raw text is never held whole.
 * Categorical columns are dictionary-encoded as they stream; numeric columns fill a `Float64Array`. Line
 * numbers for error messages come from csv-parse (ragged rows) or from a second look at the file on the
 * error path (bad values), which keeps per-record bookkeeping out of the hot loop.
 *
 * Typing: a column declared in `options.columns` is read as declared; any other column is inferred —
 * numeric when every non-missing value parses as a number, categorical (string values) otherwise.
 * Categorical columns may hold numeric raw values (Virny casts some integer columns to `int` or `str`); see
 * `CategoricalSchema`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { VirnyFlowError } from '@virnyflow/core';
import { DataErrorCode, dataError } from './errors';
import { MISSING_CODE, Table, categoricalColumn, numericColumn } from './table';
import type { Column } from './table';

export interface NumericSchema {
  readonly kind: 'numeric';
}

/**
 * A categorical column.
 * - `valueType: 'number'`: raw values must be numbers; categories are their canonical text (`'1.0'` → `'1'`),
 *   and group definitions match them as numbers (COMPAS `sex: 1`).
 * - `valueType: 'string'` (default when declared): raw text; with `canonicalNumbers`, numeric-looking values
 *   are rewritten canonically (`'1.0'` → `'1'`, what `astype(int).astype(str)` gives) and stay strings.
 * - `valueType: 'auto'`: `'number'` if every non-missing value is numeric, else `'string'` (pandas-like).
 */
export interface CategoricalSchema {
  readonly kind: 'categorical';
  readonly valueType?: 'string' | 'number' | 'auto';
  readonly canonicalNumbers?: boolean;
}

export type ColumnSchema = NumericSchema | CategoricalSchema;

export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'NaN', 'nan', 'null', '?'];
export const DETECTABLE_DELIMITERS: readonly string[] = [',', ';', '\t', '|'];

export interface ReadCsvOptions {
  /** Field delimiter; detected from the header line among `, ; \t |` when absent. */
  readonly delimiter?: string;
  /** Declared types by column name (names after `rename`). Every declared column must exist. */
  readonly columns?: Readonly<Record<string, ColumnSchema>>;
  /** Read only these columns (after `rename`), in this order; default: every column of the file. */
  readonly select?: readonly string[];
  /** Header renames applied before anything else, e.g. `{ Pregancies: 'Pregnancies' }`. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Tokens read as missing (exact match, untrimmed). Default `DEFAULT_MISSING_VALUES`. */
  readonly missingValues?: readonly string[];
  /** Extra missing tokens for single columns. */
  readonly columnMissingValues?: Readonly<Record<string, readonly string[]>>;
  /**
   * Memory guard: refuse files whose estimated in-memory size exceeds this many bytes. Default: half the
   * machine's memory, at most 4 GiB.
   */
  readonly maxBytes?: number;
  /** Also compute the sha256 of the file bytes (same pass over the file). */
  readonly hash?: boolean;
}

export interface CsvReadResult {
  readonly table: Table;
  readonly delimiter: string;
  /** Header names of the file (after `rename`), all of them, in file order. */
  readonly header: readonly string[];
  /** Hex sha256 of the file bytes when `options.hash` was set. */
  readonly sha256?: string;
  readonly fileBytes: number;
}

/** Reads a CSV file into a Table (see `readCsvWithInfo` for delimiter, header and hash). */
export async function readCsv(path: string, options: ReadCsvOptions = {}): Promise<Table> {
  return (await readCsvWithInfo(path, options)).table;
}

const SAMPLE_BYTES = 64 * 1024;
/** Bytes per cell in memory: a Float64 value (or Int32 code) plus the estimate's slack and the final copy. */
const BYTES_PER_CELL = 12;

export async function readCsvWithInfo(path: string, options: ReadCsvOptions = {}): Promise<CsvReadResult> {
  const fileBytes = await fileSize(path);
  const sample = await readSample(path, SAMPLE_BYTES);
  if (fileBytes === 0 || sample.trim() === '') {
    throw dataError(
      DataErrorCode.EmptyFile,
      `${path} is empty; a CSV file needs a header line naming the columns, then one line per row`,
      { path },
    );
  }
  const headerLine = firstLine(sample);
  const delimiter = options.delimiter ?? detectDelimiter(headerLine);
  if (delimiter.length === 0) {
    throw dataError(DataErrorCode.BadOption, `delimiter must not be empty (file ${path})`, { path });
  }
  const estRows = estimateRows(fileBytes, sample);
  guardMemory(path, fileBytes, estRows, headerLine.split(delimiter).length, options);

  const missingDefault = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const hasher = options.hash ? createHash('sha256') : null;
  let header: string[] | null = null;
  let builders: ColumnBuilder[] = [];
  let sourceIndex: Int32Array = new Int32Array(0);
  let nRows = 0;

  // Records go to a plain object-mode sink: csv-parse's `on_record` hook would build an info object per
  // record, which costs more than the decoding itself. Line numbers are recovered only on the error path.
  const consume = (record: string[]): void => {
    if (header === null) {
      header = validateHeader(path, record, options.rename ?? {});
      const plan = planColumns(path, header, options, missingDefault, estRows);
      builders = plan.builders;
      sourceIndex = plan.sourceIndex;
      return;
    }
    const row = nRows++;
    for (let j = 0; j < builders.length; j++) {
      (builders[j] as ColumnBuilder).push(record[sourceIndex[j] as number] as string, row);
    }
  };
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(record: string[], _enc, cb) {
      try {
        consume(record);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    writev(chunks, cb) {
      try {
        for (const c of chunks) consume(c.chunk as string[]);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const source = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (hasher) source.on('data', (chunk) => hasher.update(chunk as Buffer));
  try {
    await pipeline(source, parse({ delimiter, bom: true, skip_empty_lines: true }), sink);
  } catch (err) {
    throw await translateParseError(path, delimiter, err, header);
  }
  if (header === null) {
    throw dataError(DataErrorCode.EmptyFile, `${path} has no header line`, { path });
  }
  let columns: Column[] = builders.map((b) => b.finish(nRows));
  // Inferred columns whose first text value came after numeric ones are re-read as text (rare), so their
  // categories keep the file's exact spelling ('007' stays '007').
  const reread = builders.filter((b) => b.needsTextReread).map((b) => b.name);
  if (reread.length > 0) {
    const again = await readCsvWithInfo(path, {
      ...options,
      hash: false,
      select: reread,
      columns: Object.fromEntries(reread.map((c) => [c, { kind: 'categorical' as const }])),
    });
    columns = columns.map((c) => (reread.includes(c.name) ? again.table.column(c.name) : c));
  }
  return {
    table: new Table(columns),
    delimiter,
    header: header as string[],
    fileBytes,
    ...(hasher ? { sha256: hasher.digest('hex') } : {}),
  };
}

/** Picks the delimiter among `, ; \t |` that occurs most often outside quotes in the header line. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DETECTABLE_DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (const ch of headerLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, (counts.get(ch) as number) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/** Canonical text of a number as a category: `1.0` → `'1'`, `-0` → `'0'`, `2.5` → `'2.5'`. */
export function canonicalNumber(v: number): string {
  return Object.is(v, -0) ? '0' : String(v);
}

const NUMBER_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INF_RE = /^\s*([+-]?)(?:inf|infinity)\s*$/i;

/** Parses a decimal number as pandas' CSV reader would (no hex, surrounding blanks allowed); NaN if not one. */
export function parseNumber(s: string): number {
  if (NUMBER_RE.test(s)) return Number(s);
  const m = INF_RE.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return NaN;
}

// ---------------------------------------------------------------------------------------------------------

async function fileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (!st.isFile()) {
      throw dataError(DataErrorCode.FileNotFound, `${path} is not a regular file`, { path });
    }
    return st.size;
  } catch (err) {
    if (err instanceof VirnyFlowError) throw err;
    throw dataError(
      DataErrorCode.FileNotFound,
      `data file not found: ${path}. Put the file there, or point the data directory at the folder that ` +
        `holds it with --data-dir <dir> or the VIRNYFLOW_DATA_DIR environment variable ` +
        `(\`virnyflow datasets fetch <name>\` downloads the public datasets when online)`,
      { path },
      { cause: err },
    );
  }
}

async function readSample(path: string, bytes: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    let s = buf.subarray(0, bytesRead).toString('utf8');
    if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    return s;
  } finally {
    await fh.close();
  }
}

function firstLine(sample: string): string {
  const lines = sample.split(/\r?\n/);
  return lines.find((l) => l.trim() !== '') ?? '';
}

/** Rows estimated from the file size and the sample's average line length, plus 10% slack. */
function estimateRows(fileBytes: number, sample: string): number {
  const lines = sample.split('\n');
  const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
  const bytesPerLine = Math.max(
    1,
    (Buffer.byteLength(complete.join('\n')) + complete.length) / complete.length,
  );
  return Math.max(16, Math.ceil((fileBytes / bytesPerLine) * 1.1));
}

function guardMemory(
  path: string,
  fileBytes: number,
  estRows: number,
  nFields: number,
  options: ReadCsvOptions,
): void {
  const maxBytes = options.maxBytes ?? Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 2));
  const nCols = options.select ? Math.min(options.select.length, nFields) : nFields;
  const estBytes = estRows * nCols * BYTES_PER_CELL;
  if (estBytes > maxBytes) {
    throw dataError(
      DataErrorCode.TooLarge,
      `${path} (${mb(fileBytes)} on disk, about ${estRows.toLocaleString('en-US')} rows x ${nCols} columns) ` +
        `would need about ${mb(estBytes)} in memory, above the limit of ${mb(maxBytes)}. Subsample the file ` +
        `(e.g. keep the header and a random subset of rows), read fewer columns, or raise the limit ` +
        `(maxBytes option)`,
      { path, fileBytes, estimatedBytes: estBytes, maxBytes, estimatedRows: estRows },
    );
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function printable(d: string): string {
  return d === '\t' ? '\\t' : d;
}

function validateHeader(path: string, record: string[], rename: Readonly<Record<string, string>>): string[] {
  const header = record.map((h) => rename[h] ?? h);
  const seen = new Set<string>();
  for (let j = 0; j < header.length; j++) {
    const h = header[j] as string;
    if (h.trim() === '') {
      throw dataError(
        DataErrorCode.BadHeader,
        `${path}: header column ${j + 1} has an empty name; give every column a name in the first line ` +
          `(an unnamed leading column is usually a saved row index: drop it or name it)`,
        { path, position: j + 1 },
      );
    }
    if (seen.has(h)) {
      throw dataError(
        DataErrorCode.DuplicateColumn,
        `${path}: column name '${h}' appears twice in the header; column names must be unique`,
        { path, column: h },
      );
    }
    seen.add(h);
  }
  return header;
}

function planColumns(
  path: string,
  header: string[],
  options: ReadCsvOptions,
  missingDefault: ReadonlySet<string>,
  capacity: number,
): { builders: ColumnBuilder[]; sourceIndex: Int32Array } {
  const position = new Map(header.map((h, j) => [h, j]));
  const declared = options.columns ?? {};
  for (const name of Object.keys(declared)) {
    if (!position.has(name)) {
      throw dataError(
        DataErrorCode.MissingColumn,
        `${path}: declared column '${name}' is not in the file's header (${header.join(', ')}); fix the ` +
          `column name in the dataset spec or the file`,
        { path, column: name, header },
      );
    }
  }
  const names = options.select ?? header;
  for (const name of names) {
    if (!position.has(name)) {
      throw dataError(
        DataErrorCode.MissingColumn,
        `${path}: column '${name}' is not in the file's header (${header.join(', ')}); fix the column name ` +
          `in the dataset spec or the file`,
        { path, column: name, header },
      );
    }
  }
  const sourceIndex = new Int32Array(names.length);
  const builders = names.map((name, j) => {
    sourceIndex[j] = position.get(name) as number;
    const extra = options.columnMissingValues?.[name];
    const missing = extra ? new Set([...missingDefault, ...extra]) : missingDefault;
    return new ColumnBuilder(name, declared[name] ?? null, missing, capacity);
  });
  return { builders, sourceIndex };
}

/** Converts csv-parse and cell errors into data errors with the file's line number. */
async function translateParseError(
  path: string,
  delimiter: string,
  err: unknown,
  header: string[] | null,
): Promise<unknown> {
  if (err instanceof CellError) {
    const line = await lineOfRecord(path, delimiter, err.row + 1);
    return dataError(
      DataErrorCode.NotNumeric,
      `${path}, line ${line}, column '${err.column}': value '${err.value}' is not a number, but the column is ` +
        `declared numeric; fix the value, add it to the missing-value tokens, or declare the column categorical`,
      { path, line, column: err.column, value: err.value },
    );
  }
  if (err instanceof VirnyFlowError) return err;
  const e = err as { code?: string; lines?: number; message?: string; record?: unknown[] };
  if (e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && header !== null) {
    const got = e.record?.length ?? 0;
    return dataError(
      DataErrorCode.RaggedRow,
      `${path}, line ${e.lines}: expected ${header.length} fields (as in the header) but got ${got}; check ` +
        `the delimiter '${printable(delimiter)}' and the quoting on that line`,
      { path, line: e.lines, expected: header.length, got },
    );
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return dataError(
      DataErrorCode.CsvSyntax,
      `${path}${e.lines ? `, line ${e.lines}` : ''}: malformed CSV (${e.code}: ${e.message ?? ''}); ` +
        `check the quoting on that line`,
      { path, line: e.lines ?? null, csvCode: e.code },
      { cause: err },
    );
  }
  return err;
}

/** Line number (1-based, last line of the record) of record `index` (0 = header); error path only. */
async function lineOfRecord(path: string, delimiter: string, index: number): Promise<number> {
  let seen = 0;
  let line = -1;
  const parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    on_record: (_record: string[], info: Info) => {
      if (seen++ === index) {
        line = (info as Info & { lines: number }).lines;
        throw new Error('found');
      }
      return null;
    },
  });
  parser.resume();
  try {
    await pipeline(createReadStream(path), parser);
  } catch {
    // Stopped on purpose once the record was found.
  }
  return line;
}

/** A cell that does not fit its declared type; turned into a data error with its line by the reader. */
class CellError extends Error {
  constructor(
    readonly row: number,
    readonly column: string,
    readonly value: string,
  ) {
    super(`row ${row}, column ${column}: '${value}' is not a number`);
  }
}

/**
 * Accumulates one column while the file streams; decides or checks its type.
 *
 * An undeclared column starts numeric. At its first non-numeric value it becomes categorical: if every
 * earlier value was missing nothing is lost; otherwise the earlier numbers' exact text is gone, so the
 * column is flagged for a second, text-only read (`needsTextReread`).
 */
class ColumnBuilder {
  private n = 0;
  /** (capacity) numeric values; null for categorical columns. */
  private values: Float64Array | null;
  /** (capacity) category codes; null while numeric. */
  private codes: Int32Array | null;
  /** Raw text → code. */
  private readonly dict = new Map<string, number>();
  /** Canonical category text → code (number-canonicalising modes merge '1' and '1.0'). */
  private readonly canon = new Map<string, number>();
  private readonly categories: string[] = [];
  /** 'auto' columns: every non-missing value so far is numeric. */
  private allNumeric = true;
  /** An inferred column that saw a number before its first text. */
  needsTextReread = false;
  private sawValue = false;
  private mode: 'numeric' | 'string' | 'number' | 'canonical-string' | 'auto' | 'infer';

  constructor(
    readonly name: string,
    schema: ColumnSchema | null,
    private readonly missing: ReadonlySet<string>,
    capacity: number,
  ) {
    if (schema === null) this.mode = 'infer';
    else if (schema.kind === 'numeric') this.mode = 'numeric';
    else if (schema.valueType === 'number') this.mode = 'number';
    else if (schema.valueType === 'auto') this.mode = 'auto';
    else this.mode = schema.canonicalNumbers ? 'canonical-string' : 'string';
    const numeric = this.mode === 'numeric' || this.mode === 'infer';
    this.values = numeric ? new Float64Array(capacity) : null;
    this.codes = numeric ? null : new Int32Array(capacity);
  }

  push(raw: string, row: number): void {
    const i = this.n++;
    if (this.values !== null) {
      if (i >= this.values.length) this.values = grow(this.values);
      if (this.missing.has(raw)) {
        this.values[i] = NaN;
        return;
      }
      const v = parseNumber(raw);
      if (v === v) {
        this.values[i] = v;
        this.sawValue = true;
        return;
      }
      if (this.mode === 'numeric') throw new CellError(row, this.name, raw);
      this.becomeCategorical(i);
    }
    const codes = this.codes as Int32Array;
    if (i >= codes.length) this.codes = grow(codes);
    (this.codes as Int32Array)[i] = this.missing.has(raw) ? MISSING_CODE : this.codeOfRaw(raw, row);
  }

  /** An inferred column met text at row `i`: switch to codes; earlier rows are missing or re-read later. */
  private becomeCategorical(i: number): void {
    const values = this.values as Float64Array;
    this.codes = new Int32Array(values.length).fill(MISSING_CODE, 0, i);
    this.values = null;
    this.mode = 'string';
    if (this.sawValue) this.needsTextReread = true;
  }

  /** Dictionary lookup on the raw text; a new text is typed (and canonicalised if asked) once. */
  private codeOfRaw(raw: string, row: number): number {
    const known = this.dict.get(raw);
    if (known !== undefined) return known;
    let key = raw;
    if (this.mode === 'number' || this.mode === 'canonical-string') {
      const v = parseNumber(raw);
      if (!Number.isNaN(v)) key = canonicalNumber(v);
      else if (this.mode === 'number') throw new CellError(row, this.name, raw);
    } else if (this.mode === 'auto' && this.allNumeric && Number.isNaN(parseNumber(raw))) {
      this.allNumeric = false;
    }
    let code = this.canon.get(key);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(key);
      this.canon.set(key, code);
    }
    this.dict.set(raw, code);
    return code;
  }

  finish(nRows: number): Column {
    if (this.values !== null) return numericColumn(this.name, this.values.slice(0, nRows));
    const codes = (this.codes as Int32Array).slice(0, nRows);
    if (this.mode === 'number') return categoricalColumn(this.name, codes, this.categories, 'number');
    if (this.mode === 'auto' && this.allNumeric && this.categories.length > 0) {
      return canonicalised(this.name, codes, this.categories);
    }
    return categoricalColumn(this.name, codes, this.categories, 'string');
  }
}

/** Rewrites all-numeric raw categories canonically ('1.0' and '1' merge into '1'), remapping codes. */
function canonicalised(name: string, codes: Int32Array, raw: readonly string[]): Column {
  const categories: string[] = [];
  const byKey = new Map<string, number>();
  const remap = new Int32Array(raw.length);
  for (let k = 0; k < raw.length; k++) {
    const key = canonicalNumber(parseNumber(raw[k] as string));
    let c = byKey.get(key);
    if (c === undefined) {
      c = categories.length;
      categories.push(key);
      byKey.set(key, c);
    }
    remap[k] = c;
  }
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i] as number;
    if (k !== MISSING_CODE) codes[i] = remap[k] as number;
  }
  return categoricalColumn(name, codes, categories, 'number');
}

function grow<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
