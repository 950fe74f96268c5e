import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  DEMO_MISSING_COLUMNS,
  cellValue,
  countMissing,
  generateDemoData,
  generateDemoDataset,
  loadDataset,
} from '../src/index';
import type { Dataset, NumericColumn } from '../src/index';

function rate(d: Dataset, pred: (sex: unknown, race: unknown) => boolean): { n: number; rate: number } {
  const sex = d.raw.column('sex');
  const race = d.raw.column('race');
  let n = 0;
  let p = 0;
  for (let i = 0; i < d.target.length; i++) {
    if (!pred(cellValue(sex, i), cellValue(race, i))) continue;
    n++;
    p += d.target[i] as number;
  }
  return { n, rate: p / n };
}

describe('demo dataset', () => {
  it('is registered as `demo` and needs no file; 5,000 rows by default', async () => {
    const d = await loadDataset('demo', { dataDir: '/nonexistent' });
    expect(d.features.nRows).toBe(5_000);
    expect(d.numericalColumns.length).toBeGreaterThanOrEqual(4);
    expect(d.categoricalColumns).toEqual(expect.arrayContaining(['sex', 'race', 'occupation']));
    expect(d.sensitiveAttributes).toEqual({ sex: 'female', race: 'minority', 'sex&race': null });
    expect(d.contentHash).toBe(generateDemoDataset().contentHash);
  });

  it('rejects a sensitive attribute it does not have', async () => {
    await expect(loadDataset('demo', { sensitiveAttributes: { gender: 'f' } })).rejects.toMatchObject({
      code: DataErrorCode.MissingColumn,
      details: { column: 'gender' },
    });
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = generateDemoData({ rows: 500, seed: 7 });
    const b = generateDemoData({ rows: 500, seed: 7 });
    const c = generateDemoData({ rows: 500, seed: 8 });
    expect(Array.from(a.target)).toEqual(Array.from(b.target));
    for (const col of a.table.columns) {
      const other = b.table.column(col.name);
      if (col.kind === 'numeric') expect(col.values).toEqual((other as NumericColumn).values);
      else expect(col.codes).toEqual((other as typeof col).codes);
    }
    expect((a.table.column('income') as NumericColumn).values).not.toEqual(
      (c.table.column('income') as NumericColumn).values,
    );
    expect(generateDemoDataset({ rows: 500, seed: 7 }).contentHash).not.toBe(
      generateDemoDataset({ rows: 500, seed: 8 }).contentHash,
    );
  });

  it('has a base-rate gap for women and the minority, largest at their intersection', () => {
    const d = generateDemoDataset();
    const men = rate(d, (s) => s === 'male');
    const women = rate(d, (s) => s === 'female');
    const majority = rate(d, (_s, r) => r === 'majority');
    const minority = rate(d, (_s, r) => r === 'minority');
    const minorityWomen = rate(d, (s, r) => s === 'female' && r === 'minority');
    expect(women.rate).toBeLessThan(men.rate - 0.08);
    expect(minority.rate).toBeLessThan(majority.rate - 0.1);
    expect(minorityWomen.rate).toBeLessThan(Math.min(women.rate, minority.rate) - 0.05);
    // Both sensitive groups are well populated (every group has test rows after a split).
    expect(minority.n).toBeGreaterThan(1_000);
    expect(minorityWomen.n).toBeGreaterThan(400);
    const overall = d.info.positives / d.features.nRows;
    expect(overall).toBeGreaterThan(0.35);
    expect(overall).toBeLessThan(0.7);
  });

  it('has ~3% MCAR missing values in a few columns only', () => {
    const d = generateDemoDataset();
    for (const c of d.features.columns) {
      const m = countMissing(c);
      if ((DEMO_MISSING_COLUMNS as readonly string[]).includes(c.name)) {
        expect(m / d.features.nRows).toBeGreaterThan(0.015);
        expect(m / d.features.nRows).toBeLessThan(0.045);
      } else expect(m).toBe(0);
    }
    expect(countMissing(generateDemoData({ rows: 300, missingRate: 0 }).table.column('income'))).toBe(0);
  });

  it('has correlated features: income rises with education', () => {
    const d = generateDemoDataset();
    const x = (d.features.column('education_years') as NumericColumn).values;
    const y = (d.features.column('income') as NumericColumn).values;
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < x.length; i++) {
      const a = x[i] as number;
      const b = Math.log(y[i] as number);
      if (Number.isNaN(b)) continue;
      n++;
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    expect(r).toBeGreaterThan(0.2);
  });
});
