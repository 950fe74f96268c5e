/**
 * Loaders against the published files (SPEC §8.4, §9) when VIRNYFLOW_DATA_DIR is set, and against the small
 * law_school / bank fixtures (same schema) always.
 */
import { describe, expect, it } from 'vitest';
import {
  MISSING_CODE,
  cellValue,
  countMissing,
  datasetNames,
  getDatasetSpec,
  loadDataset,
  valueCounts,
} from '../src/index';
import type { CategoricalColumn, Dataset, NumericColumn } from '../src/index';
import { DATA_DIR, FIXTURES } from './helpers';

const positives = (d: Dataset): number => d.target.reduce((a, b) => a + b, 0);
const counts = (d: Dataset, col: string): Record<string, number> =>
  Object.fromEntries(valueCounts(d.raw.column(col)));

describe('registry', () => {
  it('lists the SPEC §9 datasets and the demo, each with a target and features', () => {
    expect(datasetNames()).toEqual([
      'diabetes',
      'heart',
      'folk_emp',
      'german',
      'compas',
      'law_school',
      'bank',
      'demo',
    ]);
    for (const name of datasetNames()) {
      const s = getDatasetSpec(name);
      expect(s.numericalColumns.length + s.categoricalColumns.length).toBeGreaterThan(0);
      if (!s.generator) expect(s.urls?.length).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!DATA_DIR)('published files (VIRNYFLOW_DATA_DIR)', () => {
  it('diabetes: 952 rows, nulls kept, the null-target row dropped; fixes applied', async () => {
    const d = await loadDataset('diabetes', { dataDir: DATA_DIR });
    expect(d.info.sourceRows).toBe(952);
    expect(d.info.droppedMissingTarget).toBe(1);
    expect(d.features.nRows).toBe(951);
    expect(positives(d)).toBe(266); // 266 'yes'; ' no' (leading blank) is stripped to 'no'
    expect(d.info.missingCells).toEqual({ BMI: 3, Pregnancies: 42, Pdiabetes: 1 });
    expect(d.features.columnNames.slice(0, 4)).toEqual(['BMI', 'Sleep', 'SoundSleep', 'Pregnancies']);
    expect((d.features.column('BPLevel') as CategoricalColumn).categories).toEqual(['high', 'normal', 'low']);
    expect(counts(d, 'RegularMedicine')).toEqual({ no: 615, yes: 336 });
    expect(d.testSetFraction).toBe(0.3);
    expect(d.sensitiveAttributes).toEqual({ Gender: 'Female' });
  });

  it('diabetes withNulls=false: 905 rows, 642/263, Male 562 / Female 343', async () => {
    const d = await loadDataset('diabetes', { dataDir: DATA_DIR, withNulls: false });
    expect(d.features.nRows).toBe(905);
    expect(positives(d)).toBe(263);
    expect(counts(d, 'Gender')).toEqual({ Male: 562, Female: 343 });
    expect(d.info.missingCells).toEqual({});
  });

  it("heart: 70,000 rows, ';'-separated, age in years, gender '1' = 45,530", async () => {
    const d = await loadDataset('heart', { dataDir: DATA_DIR });
    expect(d.features.nRows).toBe(70_000);
    expect(d.info.delimiter).toBe(';');
    expect(d.features.has('id')).toBe(false);
    const gender = d.raw.column('gender') as CategoricalColumn;
    expect(gender.valueType).toBe('string');
    expect(counts(d, 'gender')['1']).toBe(45_530);
    // First row: age 18393 days → 50 years.
    expect((d.features.column('age') as NumericColumn).values[0]).toBe(50);
    expect(positives(d)).toBe(34_979);
  });

  it('folk_emp: 20,000 rows, ESR 11,497 positives, SEX/RAC1P counts of SPEC §8.4', async () => {
    const d = await loadDataset('folk_emp', { dataDir: DATA_DIR });
    expect(d.features.nRows).toBe(20_000);
    expect(positives(d)).toBe(11_497);
    expect(counts(d, 'SEX')).toEqual({ '1': 9_433, '2': 10_567 });
    expect(counts(d, 'RAC1P')).toEqual({
      '1': 14_212,
      '2': 2_436,
      '6': 1_739,
      '8': 1_028,
      '9': 502,
      '3': 48,
      '5': 25,
      '7': 8,
      '4': 2,
    });
    // Intersection SEX 2 ∧ RAC1P 2: 1,337 rows.
    const sex = d.raw.column('SEX') as CategoricalColumn;
    const rac = d.raw.column('RAC1P') as CategoricalColumn;
    let both = 0;
    for (let i = 0; i < d.raw.nRows; i++) if (cellValue(sex, i) === '2' && cellValue(rac, i) === '2') both++;
    expect(both).toBe(1_337);
    expect(d.numericalColumns).toEqual(['AGEP']);
    expect(d.categoricalColumns).toHaveLength(15);
    expect(countMissing(d.features.column('ESP'))).toBe(0);
  });

  it('german: 1,000 rows, 700 / 300, codes shortened', async () => {
    const d = await loadDataset('german', { dataDir: DATA_DIR });
    expect(d.features.nRows).toBe(1_000);
    expect(positives(d)).toBe(700);
    expect(Object.keys(counts(d, 'credit-history')).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(Object.keys(counts(d, 'job')).sort()).toEqual(['1', '2', '3', '4']);
    expect(Object.keys(counts(d, 'property')).sort()).toEqual(['1', '2', '3', '4']);
    expect(counts(d, 'sex')).toEqual({ male: 690, female: 310 });
    expect(d.features.columns).toHaveLength(21);
  });

  it("german with VirnyFlow's nulls: the two texts become missing", async () => {
    const d = await loadDataset('german', {
      dataDir: DATA_DIR,
      columnMissingValues: { 'savings-account': ['no savings account'], property: ['unknown / no property'] },
    });
    expect(d.info.missingCells).toEqual({ 'savings-account': 183, property: 154 });
  });

  it('compas: 5,278 rows; sex is numeric-valued (sex=1: 4,247); African-American 3,175', async () => {
    const d = await loadDataset('compas', { dataDir: DATA_DIR });
    expect(d.features.nRows).toBe(5_278);
    const sex = d.raw.column('sex') as CategoricalColumn;
    expect(sex.valueType).toBe('number');
    expect(counts(d, 'sex')).toEqual({ '1': 4_247, '0': 1_031 });
    expect(counts(d, 'race')).toEqual({ 'African-American': 3_175, Caucasian: 2_103 });
    expect(d.testSetFraction).toBe(0.2);
    expect([...(d.raw.column('age_cat_25 - 45') as CategoricalColumn).categories].sort()).toEqual(['0', '1']);
  });

  it('the content hash is stable across loads and changes with the options', async () => {
    const a = await loadDataset('german', { dataDir: DATA_DIR });
    const b = await loadDataset('german', { dataDir: DATA_DIR });
    expect(a.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.contentHash).toBe(a.contentHash);
    const c = await loadDataset('german', { dataDir: DATA_DIR, sensitiveAttributes: { sex: 'female' } });
    expect(c.contentHash).not.toBe(a.contentHash);
  });
});

describe('fixtures with the law_school and bank schemas', () => {
  it("law_school: float codes read as integer strings ('0'), race text, pass_bar target", async () => {
    const d = await loadDataset('law_school', { dataDir: FIXTURES });
    expect(d.features.nRows).toBe(40);
    expect(positives(d)).toBe(30);
    const male = d.raw.column('male') as CategoricalColumn;
    expect(male.valueType).toBe('string');
    expect(counts(d, 'male')).toEqual({ '0': 14, '1': 26 });
    expect(counts(d, 'fulltime')).toEqual({ '2': 6, '1': 34 });
    expect(counts(d, 'race')).toEqual({ 'Non-White': 8, White: 32 });
    expect(d.features.columnNames).toEqual([
      'decile1b',
      'decile3',
      'lsat',
      'ugpa',
      'zfygpa',
      'zgpa',
      'fulltime',
      'fam_inc',
      'male',
      'tier',
      'race',
    ]);
    expect(d.sensitiveAttributes).toEqual({ male: '0', race: 'Non-White', 'male&race': null });
  });

  it("bank: duration/contact/poutcome dropped, 'unknown' read as missing, y no/yes", async () => {
    const d = await loadDataset('bank', { dataDir: FIXTURES });
    expect(d.features.nRows).toBe(40);
    expect(positives(d)).toBe(8);
    for (const c of ['duration', 'contact', 'poutcome', 'y']) expect(d.raw.has(c)).toBe(false);
    expect(countMissing(d.features.column('job'))).toBe(3);
    expect(countMissing(d.features.column('education'))).toBe(11);
    expect((d.features.column('job') as CategoricalColumn).categories).not.toContain('unknown');
    expect((d.features.column('job') as CategoricalColumn).codes[0]).toBe(MISSING_CODE);
    const rows = await loadDataset('bank', { dataDir: FIXTURES, withNulls: false });
    expect(rows.features.nRows).toBe(40 - 14);
    expect(rows.info.droppedIncomplete).toBe(14);
  });
});
