import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  MISSING_CODE,
  Table,
  countMissing,
  generateDemoData,
  injectNulls,
  isMissingAt,
  matchingRows,
  numericColumn,
} from '../src/index';
import type { NullInjectionSpec } from '../src/index';
import { thrown } from './helpers';

// 5,000 complete rows with numeric and categorical columns.
const table = generateDemoData({ rows: 5_000, seed: 42, missingRate: 0 }).table;
const missingIn = (t: Table, cols: readonly string[]) =>
  cols.reduce((a, c) => a + countMissing(t.column(c)), 0);

describe('injectNulls', () => {
  it('MCAR 30% nulls exactly floor(0.3 × rows) cells over the columns', () => {
    const cols = ['age', 'education_years', 'marital_status'];
    const r = injectNulls(table, { strategy: 'MCAR', columns: cols, nullPercentage: 0.3 }, 1);
    expect(r.targetCells).toBe(1_500);
    expect(r.injected).toBe(1_500);
    expect(missingIn(r.table, cols)).toBe(1_500);
    // Cells spread over every listed column; other columns untouched; input untouched.
    for (const c of cols) expect(countMissing(r.table.column(c))).toBeGreaterThan(300);
    expect(countMissing(r.table.column('income'))).toBe(0);
    expect(missingIn(table, cols)).toBe(0);
    expect(r.table.column('income')).toBe(table.column('income'));
  });

  it('MAR with a condition nulls cells only inside the subset, at the subset rate', () => {
    const spec: NullInjectionSpec = {
      strategy: 'MAR',
      columns: ['income', 'occupation'],
      nullPercentage: 0.3,
      condition: { column: 'sex', op: '==', value: 'female' },
    };
    const r = injectNulls(table, spec, 5);
    const subset = matchingRows(table, spec.condition!);
    expect(r.subsetRows).toBe(subset.length);
    const inSubset = new Uint8Array(table.nRows);
    for (const i of subset) inSubset[i] = 1;
    let inside = 0;
    for (let i = 0; i < table.nRows; i++) {
      const m =
        Number(isMissingAt(r.table.column('income'), i)) +
        Number(isMissingAt(r.table.column('occupation'), i));
      if (inSubset[i]) inside += m;
      else expect(m).toBe(0);
    }
    expect(inside).toBe(Math.floor(subset.length * 0.3));
    expect(inside / subset.length).toBeCloseTo(0.3, 3);
  });

  it('MNAR conditions on an injected column; numeric comparisons', () => {
    const spec: NullInjectionSpec = {
      strategy: 'MNAR',
      columns: ['hours_per_week'],
      nullPercentage: 0.5,
      condition: { column: 'hours_per_week', op: '<', value: 40 },
    };
    const r = injectNulls(table, spec, 9);
    const hours = table.column('hours_per_week');
    for (let i = 0; i < table.nRows; i++) {
      if (isMissingAt(r.table.column('hours_per_week'), i) && hours.kind === 'numeric') {
        expect(hours.values[i]).toBeLessThan(40);
      }
    }
    expect(r.injected).toBe(Math.floor(r.subsetRows * 0.5));
  });

  it('counts cells already missing against the target', () => {
    const t = new Table([
      numericColumn('a', Float64Array.from([NaN, NaN, 1, 2, 3, 4, 5, 6, 7, 8])),
      numericColumn('b', Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])),
    ]);
    const r = injectNulls(t, { strategy: 'MCAR', columns: ['a', 'b'], nullPercentage: 0.5 }, 3);
    // floor(10 × 0.5) = 5 cells in total, 2 already missing → 3 new ones.
    expect(r.injected).toBe(3);
    expect(missingIn(r.table, ['a', 'b'])).toBe(5);
    const none = injectNulls(t, { strategy: 'MCAR', columns: ['a'], nullPercentage: 0.1 }, 3);
    expect(none.injected).toBe(0);
    expect(none.table).toBe(t);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const spec: NullInjectionSpec = { strategy: 'MCAR', columns: ['age', 'region'], nullPercentage: 0.2 };
    const a = injectNulls(table, spec, 11).table;
    const b = injectNulls(table, spec, 11).table;
    const c = injectNulls(table, spec, 12).table;
    expect(a.column('age')).toEqual(b.column('age'));
    expect(a.column('region')).toEqual(b.column('region'));
    expect(a.column('age')).not.toEqual(c.column('age'));
    const region = a.column('region');
    if (region.kind === 'categorical') expect(region.codes.includes(MISSING_CODE)).toBe(true);
  });

  it('matches conditions: in-lists, != and numeric text categories', () => {
    expect(matchingRows(table, { column: 'region', op: 'in', value: ['north', 'south'] }).length).toBe(
      matchingRows(table, { column: 'region', op: '==', value: 'north' }).length +
        matchingRows(table, { column: 'region', op: '==', value: 'south' }).length,
    );
    expect(matchingRows(table, { column: 'sex', op: '!=', value: 'female' }).length).toBe(
      table.nRows - matchingRows(table, { column: 'sex', op: '==', value: 'female' }).length,
    );
    expect(matchingRows(table, { column: 'age', op: '>=', value: 80 }).length).toBeGreaterThan(0);
  });

  it('validates: percentage in (0, 1), columns, strategy/condition pairing, ops', () => {
    const bad = (s: Partial<NullInjectionSpec>) =>
      thrown(() =>
        injectNulls(
          table,
          { strategy: 'MCAR', columns: ['age'], nullPercentage: 0.3, ...s } as NullInjectionSpec,
          1,
        ),
      );
    expect(bad({ nullPercentage: 1 }).code).toBe(DataErrorCode.BadNullInjection);
    expect(bad({ nullPercentage: 0 }).code).toBe(DataErrorCode.BadNullInjection);
    expect(bad({ columns: ['nope'] }).details.column).toBe('nope');
    expect(bad({ columns: [] }).code).toBe(DataErrorCode.BadNullInjection);
    expect(bad({ condition: { column: 'sex', op: '==', value: 'female' } }).code).toBe(
      DataErrorCode.BadNullInjection,
    );
    expect(bad({ strategy: 'MAR' }).code).toBe(DataErrorCode.BadNullInjection);
    expect(bad({ strategy: 'MAR', condition: { column: 'age', op: '<', value: 30 } }).code).toBe(
      DataErrorCode.BadNullInjection,
    );
    expect(bad({ strategy: 'MNAR', condition: { column: 'sex', op: '==', value: 'female' } }).code).toBe(
      DataErrorCode.BadNullInjection,
    );
    expect(
      bad({ strategy: 'MAR', condition: { column: 'sex', op: '~' as never, value: 'f' } }).details.op,
    ).toBe('~');
    expect(bad({ strategy: 'MAR', condition: { column: 'sex', op: 'in', value: 'female' } }).code).toBe(
      DataErrorCode.BadNullInjection,
    );
  });
});
