/**
 * The prepared dataset as it travels to workers and threads.
 *
 * The coordinator loads the dataset once (`prepareDataset`), encodes it to bytes (`encodeDataset`) and
 * stores them as a transport blob keyed by their sha256; a worker fetches the blob once per hash and
 * decodes it into `SharedArrayBuffer`-backed typed arrays (`decodeDataset`), which every pipeline thread
 * then receives without a copy (structured clone shares the memory of a SharedArrayBuffer). Threads treat
 * the arrays as read-only: every table operation of the pipeline allocates new arrays.
 *
 * Byte layout (little-endian): magic `VFDS` (4 bytes), format version u32, header length u32, the header
 * as UTF-8 JSON, zero padding to a multiple of 8, then the column arrays, each starting at a multiple of 8
 * (numeric: Float64 values, categorical: Int32 codes), then the target (Uint8). The header gives every
 * array's byte offset (from the start of the data section) and length.
 */
import type { Dataset } from '@virnyflow/data';
import { Table } from '@virnyflow/data';
import type { Column } from '@virnyflow/data';
import { EngineErrorCode, engineError } from './errors';

/** The part of a `Dataset` a pipeline needs, in a transferable shape. */
export interface PreparedDataset {
  readonly name: string;
  /** Feature columns then sensitive-attribute columns that are not features (the dataset's `raw`). */
  readonly columns: readonly Column[];
  /** Names of the feature columns (a prefix-free subset of `columns`, in feature order). */
  readonly featureColumns: readonly string[];
  readonly numericalColumns: readonly string[];
  readonly categoricalColumns: readonly string[];
  /** (nRows) 0/1 labels. */
  readonly target: Uint8Array;
  readonly testSetFraction: number;
}

/** Tables rebuilt from a prepared dataset (sharing its arrays). */
export interface DatasetTables {
  /** Features only. */
  readonly features: Table;
  /** Features plus sensitive-attribute columns. */
  readonly raw: Table;
  readonly target: Uint8Array;
}

const MAGIC = 0x53444656; // 'VFDS' read as a little-endian u32
const FORMAT_VERSION = 1;

interface HeaderColumn {
  name: string;
  kind: 'numeric' | 'categorical';
  offset: number;
  length: number;
  categories?: string[];
  valueType?: 'string' | 'number';
}

interface Header {
  name: string;
  nRows: number;
  columns: HeaderColumn[];
  featureColumns: string[];
  numericalColumns: string[];
  categoricalColumns: string[];
  targetOffset: number;
  testSetFraction: number;
  dataBytes: number;
}

export function prepareDataset(dataset: Dataset): PreparedDataset {
  return {
    name: dataset.name,
    columns: dataset.raw.columns,
    featureColumns: dataset.features.columnNames,
    numericalColumns: [...dataset.numericalColumns],
    categoricalColumns: [...dataset.categoricalColumns],
    target: dataset.target,
    testSetFraction: dataset.testSetFraction,
  };
}

export function datasetTables(d: PreparedDataset): DatasetTables {
  const raw = new Table(d.columns);
  return { raw, features: raw.select(d.featureColumns), target: d.target };
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeDataset(d: PreparedDataset): Uint8Array {
  const nRows = d.target.length;
  let offset = 0;
  const columns: HeaderColumn[] = d.columns.map((c) => {
    const bytes = c.kind === 'numeric' ? c.values.byteLength : c.codes.byteLength;
    const h: HeaderColumn =
      c.kind === 'numeric'
        ? { name: c.name, kind: 'numeric', offset, length: c.values.length }
        : {
            name: c.name,
            kind: 'categorical',
            offset,
            length: c.codes.length,
            categories: [...c.categories],
            valueType: c.valueType,
          };
    offset = align8(offset + bytes);
    return h;
  });
  const targetOffset = offset;
  const dataBytes = align8(targetOffset + nRows);
  const header: Header = {
    name: d.name,
    nRows,
    columns,
    featureColumns: [...d.featureColumns],
    numericalColumns: [...d.numericalColumns],
    categoricalColumns: [...d.categoricalColumns],
    targetOffset,
    testSetFraction: d.testSetFraction,
    dataBytes,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(12 + headerBytes.length);
  const out = new Uint8Array(dataStart + dataBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, 12);
  d.columns.forEach((c, k) => {
    const src = c.kind === 'numeric' ? c.values : c.codes;
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), dataStart + columns[k].offset);
  });
  out.set(d.target, dataStart + targetOffset);
  return out;
}

/**
 * Decodes `encodeDataset` bytes. With `shared` (default), the arrays live in one `SharedArrayBuffer` so that
 * threads receive them without copying.
 */
export function decodeDataset(bytes: Uint8Array, options: { shared?: boolean } = {}): PreparedDataset {
  const bad = (why: string): never => {
    throw engineError(
      EngineErrorCode.BadBlob,
      `dataset blob: ${why}; re-create it with this VirnyFlow-TS version`,
    );
  };
  if (bytes.length < 12) bad(`${bytes.length} bytes is too short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) bad('not a VirnyFlow dataset (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) bad(`format version ${version}, this build reads ${FORMAT_VERSION}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) bad('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Header;
  } catch {
    return bad('unreadable header');
  }
  const dataStart = align8(12 + headerLength);
  if (dataStart + header.dataBytes > bytes.length) bad('truncated data');
  const buffer =
    options.shared === false ? new ArrayBuffer(header.dataBytes) : new SharedArrayBuffer(header.dataBytes);
  new Uint8Array(buffer).set(bytes.subarray(dataStart, dataStart + header.dataBytes));
  const columns: Column[] = header.columns.map((h) =>
    h.kind === 'numeric'
      ? { kind: 'numeric', name: h.name, values: new Float64Array(buffer, h.offset, h.length) }
      : {
          kind: 'categorical',
          name: h.name,
          codes: new Int32Array(buffer, h.offset, h.length),
          categories: h.categories ?? [],
          valueType: h.valueType ?? 'string',
        },
  );
  return {
    name: header.name,
    columns,
    featureColumns: header.featureColumns,
    numericalColumns: header.numericalColumns,
    categoricalColumns: header.categoricalColumns,
    target: new Uint8Array(buffer, header.targetOffset, header.nRows),
    testSetFraction: header.testSetFraction,
  };
}
