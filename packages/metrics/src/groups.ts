/**
 * Protected groups from `sensitive_attributes_dct` (SPEC §7.4 with the decision of §13.10).
 *
 * - Each key names a sensitive attribute; its value is the *disadvantaged* value, or a list of them.
 *   `A_dis` = rows whose `A` equals (or is in) that value; `A_priv` = every other row, nulls included.
 * - An intersection key `A&B` (its value is ignored, conventionally null) gives `A&B_dis` = rows where every
 *   part is disadvantaged and `A&B_priv` = the exact complement. Every part must also be a key of the dict.
 * - Keys and parts are trimmed (`'SEX & RAC1P'` → `SEX&RAC1P`) and group order is stable:
 *   `overall, k1_priv, k1_dis, k2_priv, k2_dis, …` in the dict's key order.
 * - Matching is type-strict by default, as in Virny (pandas `==`): a YAML `'2'` matches only a categorical
 *   column whose raw values were strings; a YAML `2` matches a numeric column holding 2 or a categorical
 *   column of number-typed values whose category is `2`. `matching: 'text'` compares textual forms instead
 *   (`'2'` ≡ `2` ≡ `2.0`); `profile` uses it because a CSV file carries no types.
 * - An empty privileged or disadvantaged group is an error naming the group and its size.
 */
import type { SensitiveAttribute } from '@virnyflow/core';
import type { Column, Table } from '@virnyflow/data';
import { MISSING_CODE } from '@virnyflow/data';
import { MetricsErrorCode, metricsError } from './errors';

/** One scalar of a group definition, as YAML/JSON gives it. */
export type GroupScalar = string | number | boolean;
/** The value of a `sensitive_attributes_dct` entry: a disadvantaged value, a list of them, or null. */
export type GroupValue = GroupScalar | null | readonly GroupScalar[];
/** VirnyFlow's `virny_args.sensitive_attributes_dct`: attribute (or `A&B`) → disadvantaged value(s). */
export type SensitiveAttributesDct = Readonly<Record<string, GroupValue>>;

export const GroupMatching = {
  /** Virny semantics: `'2'` ≠ `2`. */
  Strict: 'strict',
  /** Compare textual forms; numbers compare by value (`'2'` ≡ `2` ≡ `'2.0'`). */
  Text: 'text',
} as const;
export type GroupMatching = (typeof GroupMatching)[keyof typeof GroupMatching];

export const OVERALL = 'overall';

/**
 * The rows of every group of one evaluation set. `masks[g][i] === 1` iff row `i` belongs to group `names[g]`.
 * `names[0]` is `overall`; `names[1 + 2k]` / `names[2 + 2k]` are `keys[k]_priv` / `keys[k]_dis`.
 */
export interface GroupPartition {
  readonly nRows: number;
  /** Trimmed sensitive-attribute keys in dict order, intersections included (`sex`, `race`, `sex&race`). */
  readonly keys: readonly string[];
  readonly names: readonly string[];
  /** One (nRows) mask per name. */
  readonly masks: readonly Uint8Array[];
  /** Number of rows of each group. */
  readonly sizes: readonly number[];
}

export interface BuildGroupsOptions {
  readonly matching?: GroupMatching;
  /** Allow empty groups (used by diagnostics); the default, false, throws `VF_METRICS_EMPTY_GROUP`. */
  readonly allowEmpty?: boolean;
}

export function privName(key: string): string {
  return `${key}_priv`;
}
export function disName(key: string): string {
  return `${key}_dis`;
}

/** Splits `'A & B'` into trimmed parts; a key without `&` is a single attribute. */
export function intersectionParts(key: string): string[] {
  return key.split('&').map((p) => p.trim());
}

/**
 * Builds the group partition of `table`'s rows from a `sensitive_attributes_dct`, or from the resolved
 * config's `sensitiveAttributes` list (same order and meaning).
 */
export function buildGroups(
  table: Table,
  groups: SensitiveAttributesDct | readonly SensitiveAttribute[],
  options: BuildGroupsOptions = {},
): GroupPartition {
  const matching = options.matching ?? GroupMatching.Strict;
  const n = table.nRows;
  const source: [string, GroupValue][] = Array.isArray(groups)
    ? (groups as readonly SensitiveAttribute[]).map((a) => [a.key, a.intersection ? null : a.disadvantaged])
    : Object.entries(groups as SensitiveAttributesDct);

  // Normalised keys, in dict order, with their values.
  const entries: { key: string; raw: string; value: GroupValue; parts: string[] }[] = [];
  const seen = new Map<string, string>();
  for (const [raw, value] of source) {
    const parts = intersectionParts(raw);
    const key = parts.join('&');
    const prior = seen.get(key);
    if (prior !== undefined) {
      throw metricsError(
        MetricsErrorCode.DuplicateGroupKey,
        `sensitive_attributes_dct: keys '${prior}' and '${raw}' are the same after trimming ('${key}'); keep one of them`,
        { key, keys: [prior, raw] },
      );
    }
    seen.set(key, raw);
    entries.push({ key, raw, value, parts });
  }

  // Disadvantaged masks of single attributes first, so intersections can use them whatever the key order.
  const singleDis = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.parts.length > 1) continue;
    if (!table.has(e.key)) {
      throw metricsError(
        MetricsErrorCode.UnknownAttribute,
        `sensitive_attributes_dct: '${e.raw}' is not a column of the data (columns: ${table.columnNames.join(', ')}); ` +
          'fix the attribute name or add the column',
        { key: e.key, columns: table.columnNames },
      );
    }
    singleDis.set(e.key, disadvantagedMask(table.column(e.key), e.key, e.value, matching));
  }

  const keys: string[] = [];
  const names: string[] = [OVERALL];
  const masks: Uint8Array[] = [new Uint8Array(n).fill(1)];
  const sizes: number[] = [n];
  for (const e of entries) {
    let dis: Uint8Array;
    if (e.parts.length === 1) {
      dis = singleDis.get(e.key) as Uint8Array;
    } else {
      dis = new Uint8Array(n).fill(1);
      for (const part of e.parts) {
        const pm = singleDis.get(part);
        if (pm === undefined) {
          const singles = [...singleDis.keys()];
          throw metricsError(
            MetricsErrorCode.UnknownIntersectionPart,
            `sensitive_attributes_dct: intersection '${e.raw}' uses '${part}', which is not a single-attribute key ` +
              `of sensitive_attributes_dct (keys: ${singles.join(', ') || 'none'}); add '${part}' with its disadvantaged value`,
            { key: e.key, part, keys: singles },
          );
        }
        for (let i = 0; i < n; i++) dis[i] &= pm[i];
      }
    }
    const priv = new Uint8Array(n);
    let nDis = 0;
    for (let i = 0; i < n; i++) {
      nDis += dis[i];
      priv[i] = 1 - dis[i];
    }
    const nPriv = n - nDis;
    if (!options.allowEmpty && (nDis === 0 || nPriv === 0)) {
      throw emptyGroupError(
        table,
        e.key,
        e.value,
        nDis === 0 ? disName(e.key) : privName(e.key),
        n,
        matching,
      );
    }
    keys.push(e.key);
    names.push(privName(e.key), disName(e.key));
    masks.push(priv, dis);
    sizes.push(nPriv, nDis);
  }
  return { nRows: n, keys, names, masks, sizes };
}

/** Position of a group name in `groups.names`, or -1. */
export function groupIndex(groups: GroupPartition, name: string): number {
  return groups.names.indexOf(name);
}

function disadvantagedMask(col: Column, key: string, value: GroupValue, matching: GroupMatching): Uint8Array {
  const values = scalarList(key, value);
  const n = col.kind === 'numeric' ? col.values.length : col.codes.length;
  const mask = new Uint8Array(n);
  if (col.kind === 'numeric') {
    const targets: number[] = [];
    for (const v of values) {
      const t = numericTarget(v, matching);
      if (t !== undefined) targets.push(t);
    }
    const x = col.values;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      // NaN (missing) never equals a target, so nulls land in the privileged group as in pandas.
      for (let t = 0; t < targets.length; t++) {
        if (xi === targets[t]) {
          mask[i] = 1;
          break;
        }
      }
    }
    return mask;
  }
  // Categorical: decide per category once, then map codes.
  const hit = new Uint8Array(col.categories.length);
  for (let c = 0; c < col.categories.length; c++) {
    const cat = col.categories[c];
    for (const v of values) {
      if (categoryMatches(cat, col.valueType, v, matching)) {
        hit[c] = 1;
        break;
      }
    }
  }
  const codes = col.codes;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    mask[i] = c === MISSING_CODE ? 0 : hit[c];
  }
  return mask;
}

function scalarList(key: string, value: GroupValue): readonly GroupScalar[] {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (value === null || list.length === 0 || !list.every(isScalar)) {
    throw metricsError(
      MetricsErrorCode.BadGroupValue,
      `sensitive_attributes_dct.${key}: ${JSON.stringify(value)} is not a disadvantaged value; give a string, a number ` +
        `or a non-empty list of them (null is only meaningful for intersection keys such as '${key}&other')`,
      { key, value },
    );
  }
  return list as readonly GroupScalar[];
}

function isScalar(v: unknown): v is GroupScalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function parseNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const x = Number(s);
  return Number.isNaN(x) ? undefined : x;
}

/** The number a scalar stands for when compared with a numeric column. */
function numericTarget(v: GroupScalar, matching: GroupMatching): number | undefined {
  if (typeof v === 'number') return v;
  // Python: True == 1, False == 0.
  if (typeof v === 'boolean') return v ? 1 : 0;
  return matching === GroupMatching.Text ? parseNumber(v) : undefined;
}

function categoryMatches(
  cat: string,
  valueType: 'string' | 'number',
  v: GroupScalar,
  matching: GroupMatching,
): boolean {
  if (matching === GroupMatching.Text) {
    if (cat === String(v)) return true;
    const a = parseNumber(cat);
    const b = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : parseNumber(v);
    return a !== undefined && b !== undefined && a === b;
  }
  if (valueType === 'string') return typeof v === 'string' && cat === v;
  const t = numericTarget(v, matching);
  return t !== undefined && parseNumber(cat) === t;
}

function emptyGroupError(
  table: Table,
  key: string,
  value: GroupValue,
  group: string,
  n: number,
  matching: GroupMatching,
): Error {
  const empty = group.endsWith('_dis') ? 'disadvantaged' : 'privileged';
  let hint =
    empty === 'disadvantaged'
      ? `no row matches ${JSON.stringify(value)}`
      : `every row matches ${JSON.stringify(value)}`;
  // Point at a type mismatch (YAML '2' against numbers, or 2 against strings), the usual cause.
  if (matching === GroupMatching.Strict && !key.includes('&') && table.has(key)) {
    const col = table.column(key);
    const lenient = disadvantagedMask(col, key, value, GroupMatching.Text);
    let k = 0;
    for (let i = 0; i < lenient.length; i++) k += lenient[i];
    if (k > 0 && empty === 'disadvantaged') {
      const holds = col.kind === 'numeric' || col.valueType === 'number' ? 'numbers' : 'strings';
      hint += ` type-strictly; column '${key}' holds ${holds}, so write the value ${holds === 'numbers' ? 'without' : 'with'} quotes`;
    }
  }
  return metricsError(
    MetricsErrorCode.EmptyGroup,
    `protected group '${group}' is empty (0 of ${n} rows): ${hint}. ` +
      `Check sensitive_attributes_dct.${key} against the data`,
    { group, key, size: 0, rows: n, value },
  );
}
