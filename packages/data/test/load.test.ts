import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  cellValue,
  defaultTestFraction,
  loadDataset,
  resolveDataDir,
  sensitiveColumns,
  specFromCustomConfig,
} from '../src/index';
import type { CategoricalColumn, CustomDatasetConfig, DatasetSpec } from '../src/index';
import { rejection, tempDir, thrown } from './helpers';

const tmp = tempDir();

const people = tmp.file(
  'people.csv',
  [
    'id,age,income,SEX,city,label,note',
    '1,30,100,1,A,yes,x',
    '2,40,,2,B,no,x',
    '3,50,300,2,A,yes,x',
    '4,,400,1,C,no,x',
    '5,60,500,2,B,yes,x',
    '6,70,600,1,A,no,',
  ].join('\n'),
);

const custom: CustomDatasetConfig = {
  path: people,
  target: 'label',
  positive_label: 'yes',
  numerical_columns: ['age', 'income'],
  categorical_columns: ['city'],
  drop_columns: ['id', 'note'],
  sensitive_attributes_dct: { SEX: 2 },
};

describe('custom datasets (custom_datasets.<name>)', () => {
  it('load like built-ins: features only, sensitive column kept in raw, nulls kept', async () => {
    const d = await loadDataset({ ...custom, name: 'people' });
    expect(d.name).toBe('people');
    expect(d.features.columnNames).toEqual(['age', 'income', 'city']);
    expect(d.raw.columnNames).toEqual(['age', 'income', 'city', 'SEX']);
    expect(Array.from(d.target)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(d.info.missingCells).toEqual({ age: 1, income: 1 });
    // pandas typing: SEX holds numbers, so `SEX: 2` (a number) is how the config matches it.
    const sex = d.raw.column('SEX') as CategoricalColumn;
    expect(sex.valueType).toBe('number');
    expect(cellValue(sex, 1)).toBe(2);
    // 6 rows → 70/30 by default.
    expect(d.testSetFraction).toBe(0.3);
  });

  it('resolve a relative path against baseDir; positive_label may be a number', async () => {
    const spec = specFromCustomConfig(
      'p2',
      { ...custom, path: 'people.csv', target: 'SEX', positive_label: 2, sensitive_attributes_dct: {} },
      { baseDir: tmp.dir },
    );
    expect(spec.path).toBe(join(tmp.dir, 'people.csv'));
    const d = await loadDataset(spec);
    expect(Array.from(d.target)).toEqual([0, 1, 1, 0, 1, 0]);
  });

  it('without positive_label the target must be 0/1', async () => {
    const e = await rejection(loadDataset({ ...custom, positive_label: undefined, name: 'p3' }));
    expect(e.code).toBe(DataErrorCode.BadTarget);
    expect(e.details.values).toEqual(['yes', 'no']);
    expect(e.message).toContain('positive_label');
  });

  it('spec errors name the field: duplicated column, target used as feature, bad fraction, no path', () => {
    const bad = (c: Partial<CustomDatasetConfig>) =>
      thrown(() => specFromCustomConfig('x', { ...custom, ...c } as CustomDatasetConfig));
    expect(bad({ categorical_columns: ['city', 'age'] }).code).toBe(DataErrorCode.BadSpec);
    expect(bad({ categorical_columns: ['city', 'label'] }).details.field).toBe('target');
    expect(bad({ test_set_fraction: 1.5 }).details.field).toBe('test_set_fraction');
    expect(bad({ drop_columns: ['age'] }).details.field).toBe('drop_columns');
    expect(bad({ numerical_columns: [], categorical_columns: [] }).code).toBe(DataErrorCode.BadSpec);
    expect(bad({ delimiter: ';;' }).details.field).toBe('delimiter');
  });
});

describe('dataset-level errors', () => {
  it('unknown dataset lists the known ones', async () => {
    const e = await rejection(loadDataset('credit'));
    expect(e.code).toBe(DataErrorCode.UnknownDataset);
    expect(e.details.known).toContain('folk_emp');
    expect(e.message).toContain('heart');
  });

  it('missing target column', async () => {
    const e = await rejection(loadDataset({ ...custom, target: 'outcome', name: 'm' }));
    expect(e.code).toBe(DataErrorCode.MissingTarget);
    expect(e.details.column).toBe('outcome');
  });

  it('missing feature or sensitive-attribute column', async () => {
    const e = await rejection(loadDataset({ ...custom, numerical_columns: ['age', 'wage'], name: 'm' }));
    expect(e.code).toBe(DataErrorCode.MissingColumn);
    expect(e.details.column).toBe('wage');
    const e2 = await rejection(
      loadDataset({ ...custom, sensitive_attributes_dct: { race: 'b' }, name: 'm' }),
    );
    expect(e2.details.column).toBe('race');
  });

  it('one-class target', async () => {
    const e = await rejection(loadDataset({ ...custom, positive_label: 'maybe', name: 'm' }));
    expect(e.code).toBe(DataErrorCode.OneClassTarget);
    expect(e.details.positives).toBe(0);
  });

  it('a feature with only missing values', async () => {
    const p = tmp.file('nan.csv', 'a,b,y\n1,,1\n2,NA,0\n3,?,1\n');
    const e = await rejection(
      loadDataset({
        path: p,
        target: 'y',
        numerical_columns: ['a', 'b'],
        categorical_columns: [],
        name: 'n',
      }),
    );
    expect(e.code).toBe(DataErrorCode.AllMissingColumn);
    expect(e.details.column).toBe('b');
  });

  it('an empty dataset (header only, or no row left) is an error', async () => {
    const spec = { target: 'y', numerical_columns: ['a'], categorical_columns: [], name: 'h' };
    const e = await rejection(loadDataset({ ...spec, path: tmp.file('hdr.csv', 'a,y\n') }));
    expect(e.code).toBe(DataErrorCode.EmptyDataset);
    const p2 = tmp.file('allnull.csv', 'a,y\n,1\n,0\n');
    const e2 = await rejection(loadDataset({ ...spec, path: p2 }, { withNulls: false }));
    expect(e2.code).toBe(DataErrorCode.EmptyDataset);
    expect(e2.details.droppedIncomplete).toBe(2);
  });

  it('an empty file at dataset level', async () => {
    const p = tmp.file('zero.csv', '');
    const e = await rejection(
      loadDataset({ path: p, target: 'y', numerical_columns: ['a'], categorical_columns: [], name: 'z' }),
    );
    expect(e.code).toBe(DataErrorCode.EmptyFile);
  });

  it('a built-in file missing from the data dir says how to point at it', async () => {
    const e = await rejection(loadDataset('heart', { dataDir: tmp.dir }));
    expect(e.code).toBe(DataErrorCode.FileNotFound);
    expect(e.message).toContain(join(tmp.dir, 'cardio.csv'));
    expect(e.message).toContain('--data-dir');
  });
});

describe('options', () => {
  it('subsample is seeded and reproducible', async () => {
    const a = await loadDataset({ ...custom, name: 's' }, { subsample: { size: 4, seed: 3 } });
    const b = await loadDataset({ ...custom, name: 's' }, { subsample: { size: 4, seed: 3 } });
    expect(a.features.nRows).toBe(4);
    expect(Array.from(a.target)).toEqual(Array.from(b.target));
    expect(a.contentHash).toBe(b.contentHash);
    const e = await rejection(loadDataset({ ...custom, name: 's' }, { subsample: { size: 7, seed: 3 } }));
    expect(e.code).toBe(DataErrorCode.BadOption);
  });

  it('the content hash depends on the file bytes, not on where the file lives', async () => {
    const p1 = tmp.file('h1.csv', 'a,y\n1,1\n2,0\n');
    const p2 = tmp.file('h2.csv', 'a,y\n1,1\n3,0\n');
    const p3 = tmp.file('h3.csv', 'a,y\n1,1\n2,0\n');
    const spec = { target: 'y', numerical_columns: ['a'], categorical_columns: [], name: 'h' };
    const a = await loadDataset({ ...spec, path: p1 });
    const b = await loadDataset({ ...spec, path: p2 });
    const c = await loadDataset({ ...spec, path: p3 });
    expect(a.contentHash).not.toBe(b.contentHash);
    expect(c.contentHash).toBe(a.contentHash);
  });

  it('a DatasetSpec with a threshold target', async () => {
    const spec: DatasetSpec = {
      name: 'inc',
      description: 'income over 250',
      path: people,
      target: { column: 'income', kind: 'threshold', threshold: 250 },
      numericalColumns: ['age'],
      categoricalColumns: ['city'],
      sensitiveAttributes: {},
    };
    const d = await loadDataset(spec);
    // income: 100, -, 300, 400, 500, 600 → the missing one is dropped.
    expect(Array.from(d.target)).toEqual([0, 1, 1, 1, 1]);
    expect(d.info.droppedMissingTarget).toBe(1);
  });
});

describe('data directory and defaults', () => {
  const saved = process.env.VIRNYFLOW_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.VIRNYFLOW_DATA_DIR;
    else process.env.VIRNYFLOW_DATA_DIR = saved;
  });

  it('explicit option > VIRNYFLOW_DATA_DIR > ~/.cache/virnyflow/datasets', () => {
    process.env.VIRNYFLOW_DATA_DIR = '/env/dir';
    expect(resolveDataDir('/explicit')).toBe('/explicit');
    expect(resolveDataDir()).toBe('/env/dir');
    delete process.env.VIRNYFLOW_DATA_DIR;
    expect(resolveDataDir()).toBe(join(homedir(), '.cache', 'virnyflow', 'datasets'));
    expect(resolveDataDir('rel')).toBe(resolve('rel'));
  });

  it('test fraction defaults to 0.2 above 1,000 rows, else 0.3', () => {
    expect(defaultTestFraction(1001)).toBe(0.2);
    expect(defaultTestFraction(1000)).toBe(0.3);
    expect(defaultTestFraction(50)).toBe(0.3);
  });

  it('sensitive columns are the trimmed single keys and intersection parts', () => {
    expect(sensitiveColumns({ SEX: '2', RAC1P: ['2'], 'SEX & RAC1P': null })).toEqual(['SEX', 'RAC1P']);
    expect(sensitiveColumns({ 'a&b': null })).toEqual(['a', 'b']);
  });
});
