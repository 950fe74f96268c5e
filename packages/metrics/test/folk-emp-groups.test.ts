/**
 * Group sizes on the real folk_employment_NY_2018 file (SPEC §8.4, Virny's
 * `test_protected_groups_partitioning.py`). Skipped without VIRNYFLOW_DATA_DIR.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset, splitDataset } from '@virnyflow/data';
import type { Column, Dataset } from '@virnyflow/data';
import { MetricsErrorCode, buildGroups } from '../src/index';

const dataDir = process.env.VIRNYFLOW_DATA_DIR;

describe.skipIf(!dataDir)('folk_emp groups (SPEC §8.4)', () => {
  let ds: Dataset | undefined;
  const load = async (): Promise<Dataset> => (ds ??= await loadDataset('folk_emp', { dataDir }));
  const size = (g: ReturnType<typeof buildGroups>, name: string): number => g.sizes[g.names.indexOf(name)];

  it('SEX, RAC1P (value and list) and SEX&RAC1P on the full file', async () => {
    const { raw } = await load();
    expect(raw.nRows).toBe(20_000);
    const single = buildGroups(raw, { SEX: '2', RAC1P: '2', 'SEX & RAC1P': null });
    expect(size(single, 'SEX_priv')).toBe(9_433);
    expect(size(single, 'SEX_dis')).toBe(10_567);
    expect(size(single, 'RAC1P_dis')).toBe(2_436);
    expect(size(single, 'RAC1P_priv')).toBe(20_000 - 2_436);
    expect(size(single, 'SEX&RAC1P_dis')).toBe(1_337);
    expect(size(single, 'SEX&RAC1P_priv')).toBe(20_000 - 1_337);

    const list = buildGroups(raw, {
      SEX: '2',
      RAC1P: ['2', '3', '4', '5', '6', '7', '8', '9'],
      'SEX&RAC1P': null,
    });
    expect(size(list, 'RAC1P_priv')).toBe(14_212);
    expect(size(list, 'RAC1P_dis')).toBe(2_436 + 1_739 + 1_028 + 502 + 48 + 25 + 8 + 2);
  });

  it('categorical codes are strings: SEX: 2 (a number) matches nothing', async () => {
    const { raw } = await load();
    expect(() => buildGroups(raw, { SEX: 2 })).toThrow(
      expect.objectContaining({ code: MetricsErrorCode.EmptyGroup }),
    );
  });

  it('on the seed-100 test split the groups equal the obvious masks', async () => {
    const d = await load();
    const split = splitDataset(d, 100, 0.2);
    const test = split.rawTest;
    expect(test.nRows).toBe(4_000);
    const dct = { SEX: '2', RAC1P: ['2', '3', '4', '5', '6', '7', '8', '9'], 'SEX&RAC1P': null };
    const g = buildGroups(test, dct);
    const text = (c: Column, i: number): string | null =>
      c.kind === 'categorical' ? (c.codes[i] < 0 ? null : c.categories[c.codes[i]]) : String(c.values[i]);
    const sex = test.column('SEX');
    const race = test.column('RAC1P');
    const sexDis: number[] = [];
    const raceDis: number[] = [];
    const both: number[] = [];
    for (let i = 0; i < test.nRows; i++) {
      const s = text(sex, i) === '2' ? 1 : 0;
      const r = dct.RAC1P.includes(text(race, i) ?? '') ? 1 : 0;
      sexDis.push(s);
      raceDis.push(r);
      both.push(s & r);
    }
    const mask = (name: string): number[] => Array.from(g.masks[g.names.indexOf(name)]);
    expect(mask('SEX_dis')).toEqual(sexDis);
    expect(mask('RAC1P_dis')).toEqual(raceDis);
    expect(mask('SEX&RAC1P_dis')).toEqual(both);
    expect(mask('SEX&RAC1P_priv')).toEqual(both.map((b) => 1 - b));
    expect(both.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
