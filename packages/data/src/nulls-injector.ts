/**
 * Null injection for robustness experiments (SPEC §8.1, with the count fixed to cells).
 *
 * Within the rows that match `condition` (all rows for MCAR), the target is
 * `floor(rowsInSubset × nullPercentage)` missing *cells* over `columns`; the cells already missing there are
 * counted against it, and the remainder is drawn uniformly without replacement among the subset's non-missing
 * cells of those columns. So MCAR at 30% over [A, B, C] leaves exactly `floor(0.3 × rows)` missing cells in
 * A, B, C together. MAR conditions on another column, MNAR on one of the injected columns.
 */
import { Rng } from '@virnyflow/core';
import { DataErrorCode, dataError } from './errors';
import { MISSING_CODE, categoricalColumn, numericColumn } from './table';
import type { Column, Table } from './table';

export const NullStrategy = { MCAR: 'MCAR', MAR: 'MAR', MNAR: 'MNAR' } as const;
export type NullStrategy = (typeof NullStrategy)[keyof typeof NullStrategy];

export const ConditionOp = {
  Eq: '==',
  Ne: '!=',
  Lt: '<',
  Le: '<=',
  Gt: '>',
  Ge: '>=',
  In: 'in',
} as const;
export type ConditionOp = (typeof ConditionOp)[keyof typeof ConditionOp];

/**
 * A row condition as data, e.g. `{ column: 'SEX', op: '==', value: '2' }`. Categorical columns compare their
 * category text with `String(value)` (`<`… compare numerically when both are numbers); numeric columns
 * compare numbers. Missing cells never match.
 */
export interface NullCondition {
  readonly column: string;
  readonly op: ConditionOp;
  readonly value: string | number | readonly (string | number)[];
}

export interface NullInjectionSpec {
  readonly strategy: NullStrategy;
  readonly columns: readonly string[];
  /** In the open interval (0, 1). */
  readonly nullPercentage: number;
  /** Required for MAR/MNAR, forbidden for MCAR. */
  readonly condition?: NullCondition;
}

export interface NullInjectionResult {
  readonly table: Table;
  /** Cells newly set missing. */
  readonly injected: number;
  /** Rows matching the condition (all rows for MCAR). */
  readonly subsetRows: number;
  /** floor(subsetRows × nullPercentage). */
  readonly targetCells: number;
}

export function injectNulls(table: Table, spec: NullInjectionSpec, seed: number): NullInjectionResult {
  validate(table, spec);
  const n = table.nRows;
  const subset = spec.condition ? matchingRows(table, spec.condition) : allRows(n);
  const targetCells = Math.floor(subset.length * spec.nullPercentage);
  const cols = spec.columns.map((c) => table.column(c));
  const nc = cols.length;

  // Candidate cells: (subset position, column) pairs not yet missing, encoded as p * nc + j.
  let already = 0;
  const candidates = new Uint32Array(subset.length * nc);
  let m = 0;
  for (let p = 0; p < subset.length; p++) {
    const i = subset[p] as number;
    for (let j = 0; j < nc; j++) {
      if (isMissing(cols[j] as Column, i)) already++;
      else candidates[m++] = p * nc + j;
    }
  }
  const toInject = Math.max(0, Math.min(m, targetCells - already));
  if (toInject === 0) return { table, injected: 0, subsetRows: subset.length, targetCells };

  // Partial Fisher–Yates over the candidates: the first `toInject` are a uniform sample without replacement.
  const rng = new Rng(seed);
  for (let k = 0; k < toInject; k++) {
    const r = k + rng.nextInt(m - k);
    const t = candidates[k] as number;
    candidates[k] = candidates[r] as number;
    candidates[r] = t;
  }
  const copies = cols.map((c) => (c.kind === 'numeric' ? c.values.slice() : c.codes.slice()));
  for (let k = 0; k < toInject; k++) {
    const cell = candidates[k] as number;
    const j = cell % nc;
    const i = subset[(cell - j) / nc] as number;
    const arr = copies[j] as Float64Array | Int32Array;
    arr[i] = arr instanceof Float64Array ? NaN : MISSING_CODE;
  }
  let out = table;
  cols.forEach((c, j) => {
    const arr = copies[j] as Float64Array | Int32Array;
    out = out.replaceColumn(
      c.kind === 'numeric'
        ? numericColumn(c.name, arr as Float64Array)
        : categoricalColumn(c.name, arr as Int32Array, c.categories, c.valueType),
    );
  });
  return { table: out, injected: toInject, subsetRows: subset.length, targetCells };
}

/** Indices of the rows matching a condition, ascending. */
export function matchingRows(table: Table, cond: NullCondition): Uint32Array {
  const col = table.column(cond.column);
  const n = table.nRows;
  const keep = new Uint8Array(n);
  if (col.kind === 'numeric') {
    const values = cond.op === 'in' ? toList(cond.value).map(Number) : [Number(cond.value)];
    if (values.some((v) => Number.isNaN(v))) {
      throw bad(
        `condition value ${JSON.stringify(cond.value)} is not a number, but '${cond.column}' is numeric`,
      );
    }
    const ref = values[0] as number;
    const set = new Set(values);
    for (let i = 0; i < n; i++) {
      const x = col.values[i] as number;
      if (x !== x) continue;
      keep[i] = compare(cond.op, x, ref, set) ? 1 : 0;
    }
  } else {
    // Decide once per category.
    const texts = toList(cond.value).map(String);
    const set = new Set(texts);
    const ref = texts[0] as string;
    const perCat = new Uint8Array(col.categories.length);
    col.categories.forEach((c, k) => {
      perCat[k] = compareText(cond.op, c, ref, set) ? 1 : 0;
    });
    for (let i = 0; i < n; i++) {
      const k = col.codes[i] as number;
      if (k !== MISSING_CODE) keep[i] = perCat[k] as number;
    }
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += keep[i] as number;
  const rows = new Uint32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (keep[i]) rows[j++] = i;
  return rows;
}

function compare(op: ConditionOp, x: number, ref: number, set: ReadonlySet<number>): boolean {
  switch (op) {
    case '==':
      return x === ref;
    case '!=':
      return x !== ref;
    case '<':
      return x < ref;
    case '<=':
      return x <= ref;
    case '>':
      return x > ref;
    case '>=':
      return x >= ref;
    case 'in':
      return set.has(x);
  }
}

function compareText(op: ConditionOp, c: string, ref: string, set: ReadonlySet<string>): boolean {
  if (op === '==') return c === ref;
  if (op === '!=') return c !== ref;
  if (op === 'in') return set.has(c);
  const a = Number(c);
  const b = Number(ref);
  if (Number.isNaN(a) || Number.isNaN(b)) return compare(op, c < ref ? -1 : c > ref ? 1 : 0, 0, new Set());
  return compare(op, a, b, new Set());
}

function toList(v: NullCondition['value']): (string | number)[] {
  return Array.isArray(v) ? [...(v as readonly (string | number)[])] : [v as string | number];
}

function allRows(n: number): Uint32Array {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

function isMissing(c: Column, i: number): boolean {
  return c.kind === 'numeric' ? Number.isNaN(c.values[i]) : c.codes[i] === MISSING_CODE;
}

function bad(message: string, details: Record<string, unknown> = {}): Error {
  return dataError(DataErrorCode.BadNullInjection, `null injection: ${message}`, details);
}

function validate(table: Table, spec: NullInjectionSpec): void {
  if (!Object.values(NullStrategy).includes(spec.strategy)) {
    throw bad(`strategy '${spec.strategy}' is not one of MCAR, MAR, MNAR`, { strategy: spec.strategy });
  }
  if (!(spec.nullPercentage > 0 && spec.nullPercentage < 1)) {
    throw bad(`null_percentage must be in the open interval (0, 1), got ${spec.nullPercentage}`, {
      nullPercentage: spec.nullPercentage,
    });
  }
  if (spec.columns.length === 0)
    throw bad('columns is empty: name the columns to inject missing values into');
  for (const c of spec.columns) {
    if (!table.has(c)) {
      throw bad(`column '${c}' is not in the table (columns: ${table.columnNames.join(', ')})`, {
        column: c,
      });
    }
  }
  if (new Set(spec.columns).size !== spec.columns.length) throw bad('columns lists a column twice');
  const cond = spec.condition;
  if (spec.strategy === 'MCAR') {
    if (cond) throw bad('MCAR takes no condition (missingness is completely at random); use MAR or MNAR');
    return;
  }
  if (!cond) throw bad(`${spec.strategy} needs a condition, e.g. { column: 'SEX', op: '==', value: '2' }`);
  if (!table.has(cond.column)) {
    throw bad(`condition column '${cond.column}' is not in the table`, { column: cond.column });
  }
  if (!Object.values(ConditionOp).includes(cond.op)) {
    throw bad(`condition op '${cond.op}' is not one of ${Object.values(ConditionOp).join(' ')}`, {
      op: cond.op,
    });
  }
  if (cond.op === 'in' ? !Array.isArray(cond.value) : Array.isArray(cond.value)) {
    throw bad(`op '${cond.op}' ${cond.op === 'in' ? 'needs a list value' : 'needs a single value'}`);
  }
  const inColumns = spec.columns.includes(cond.column);
  if (spec.strategy === 'MAR' && inColumns) {
    throw bad(`MAR conditions on another column, but '${cond.column}' is also injected; use MNAR for that`);
  }
  if (spec.strategy === 'MNAR' && !inColumns) {
    throw bad(
      `MNAR conditions on an injected column, but '${cond.column}' is not in columns; use MAR for that`,
    );
  }
}
