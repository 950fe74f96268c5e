/** Group partitions from `sensitive_attributes_dct` (SPEC §7.4, §13.10), checked on hand-made tables. */
import { describe, expect, it } from 'vitest';
import { MISSING_CODE, Table } from '@virnyflow/data';
import type { Column } from '@virnyflow/data';
import { GroupMatching, MetricsErrorCode, buildGroups } from '../src/index';

function cat(name: string, values: (string | null)[], valueType: 'string' | 'number' = 'string'): Column {
  const categories: string[] = [];
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return MISSING_CODE;
    let c = categories.indexOf(v);
    if (c < 0) c = categories.push(v) - 1;
    return c;
  });
  return { kind: 'categorical', name, codes, categories, valueType };
}

const rows = (m: Uint8Array): number[] => [...m.keys()].filter((i) => m[i] === 1);

// 8 rows:          0    1    2    3    4    5    6    7
const table = new Table([
  cat('sex', ['f', 'm', 'f', 'm', 'f', 'm', null, 'f']),
  cat('race', ['B', 'W', 'W', 'B', 'A', 'A', 'B', 'W']),
  cat('SEX', ['2', '1', '2', '1', '1', '2', '2', '1'], 'number'),
  { kind: 'numeric', name: 'age', values: Float64Array.from([19, 30, 25, NaN, 40, 22, 70, 25]) },
]);

describe('buildGroups', () => {
  it('single attribute with a value and with a list; nulls are privileged', () => {
    const g = buildGroups(table, { sex: 'f', race: ['B', 'A'] });
    expect(g.names).toEqual(['overall', 'sex_priv', 'sex_dis', 'race_priv', 'race_dis']);
    expect(g.keys).toEqual(['sex', 'race']);
    expect(rows(g.masks[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows(g.masks[2])).toEqual([0, 2, 4, 7]);
    expect(rows(g.masks[1])).toEqual([1, 3, 5, 6]);
    expect(rows(g.masks[4])).toEqual([0, 3, 4, 5, 6]);
    expect(rows(g.masks[3])).toEqual([1, 2, 7]);
    expect(g.sizes).toEqual([8, 4, 4, 3, 5]);
  });

  it('intersection: all parts disadvantaged vs the exact complement, whatever the key order', () => {
    const g = buildGroups(table, { 'sex&race': null, sex: 'f', race: 'B' });
    expect(g.names).toEqual([
      'overall',
      'sex&race_priv',
      'sex&race_dis',
      'sex_priv',
      'sex_dis',
      'race_priv',
      'race_dis',
    ]);
    expect(rows(g.masks[2])).toEqual([0]);
    expect(rows(g.masks[1])).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('trims keys and intersection parts', () => {
    const g = buildGroups(table, { ' sex ': 'f', race: ['B', 'W'], 'sex & race ': null });
    expect(g.keys).toEqual(['sex', 'race', 'sex&race']);
    expect(g.names.slice(-2)).toEqual(['sex&race_priv', 'sex&race_dis']);
    expect(rows(g.masks[6])).toEqual([0, 2, 7]);
  });

  it('three-way intersections', () => {
    const g = buildGroups(table, { sex: 'f', race: ['B', 'W'], age: [19, 25], 'sex&race&age': null });
    expect(rows(g.masks[8])).toEqual([0, 2, 7]);
  });

  it('matches type-strictly: number-typed categories only match numbers', () => {
    const g = buildGroups(table, { SEX: 2 });
    expect(rows(g.masks[2])).toEqual([0, 2, 5, 6]);
    let err: unknown;
    try {
      buildGroups(table, { SEX: '2' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: MetricsErrorCode.EmptyGroup, details: { group: 'SEX_dis', size: 0 } });
    expect((err as Error).message).toContain('without quotes');
  });

  it("matches type-strictly: string categories do not match numbers, numeric columns do not match '25'", () => {
    const t = new Table([cat('s', ['2', '1', '2'])]);
    expect(() => buildGroups(t, { s: 2 })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.EmptyGroup }),
    );
    expect(rows(buildGroups(t, { s: '2' }).masks[2])).toEqual([0, 2]);
    expect(() => buildGroups(table, { age: '25' })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.EmptyGroup }),
    );
    expect(rows(buildGroups(table, { age: 25 }).masks[2])).toEqual([2, 7]);
  });

  it("text matching treats '2', 2 and '2.0' alike", () => {
    const a = buildGroups(table, { SEX: '2', age: '25.0' }, { matching: GroupMatching.Text });
    expect(rows(a.masks[2])).toEqual([0, 2, 5, 6]);
    expect(rows(a.masks[4])).toEqual([2, 7]);
  });

  it('empty privileged group names the group and size', () => {
    expect(() => buildGroups(table, { race: ['A', 'B', 'W'] })).toThrow(
      expect.objectContaining({
        code: MetricsErrorCode.EmptyGroup,
        details: expect.objectContaining({ group: 'race_priv', size: 0, rows: 8 }),
      }),
    );
  });

  it('empty intersection is an error naming it', () => {
    expect(() => buildGroups(table, { sex: 'm', race: 'W', age: 70, 'sex&age': null })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ group: 'sex&age_dis' }) }),
    );
  });

  it('unknown attribute, unknown intersection part, null value, duplicate key', () => {
    expect(() => buildGroups(table, { gender: 'f' })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.UnknownAttribute }),
    );
    expect(() => buildGroups(table, { sex: 'f', 'sex&race': null })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.UnknownIntersectionPart }),
    );
    expect(() => buildGroups(table, { sex: null })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.BadGroupValue }),
    );
    expect(() => buildGroups(table, { sex: 'f', ' sex': 'm' })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.DuplicateGroupKey }),
    );
  });
});

describe('buildGroups from the resolved config list', () => {
  it("gives the same partition as the dict (core's SensitiveAttribute shape)", () => {
    const fromDict = buildGroups(table, { sex: 'f', race: ['B', 'A'], 'sex & race': null });
    const fromList = buildGroups(table, [
      { key: 'sex', parts: ['sex'], intersection: false, disadvantaged: ['f'] },
      { key: 'race', parts: ['race'], intersection: false, disadvantaged: ['B', 'A'] },
      { key: 'sex&race', parts: ['sex', 'race'], intersection: true, disadvantaged: [] },
    ]);
    expect(fromList.names).toEqual(fromDict.names);
    expect(fromList.masks.map((m) => Array.from(m))).toEqual(fromDict.masks.map((m) => Array.from(m)));
  });
});
