import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  MISSING_CODE,
  canonicalNumber,
  cellValue,
  detectDelimiter,
  parseNumber,
  readCsv,
  readCsvWithInfo,
} from '../src/index';
import type { CategoricalColumn, NumericColumn } from '../src/index';
import { rejection, tempDir } from './helpers';

const tmp = tempDir();

describe('delimiter', () => {
  it('detects , ; tab | from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('id;age;gender')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('a|b|c')).toBe('|');
    expect(detectDelimiter('"x;y;z",b,c')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
  });

  it.each([
    [',', 'a,b\n1,x\n2,y\n'],
    [';', 'a;b\n1;x\n2;y\n'],
    ['\t', 'a\tb\n1\tx\n2\ty\n'],
    ['|', 'a|b\n1|x\n2|y\n'],
  ])('reads a file delimited by %j without being told', async (d, text) => {
    const r = await readCsvWithInfo(tmp.file(`d${text.length}${d === '\t' ? 'tab' : d}.csv`, text));
    expect(r.delimiter).toBe(d);
    expect(r.table.columnNames).toEqual(['a', 'b']);
    expect((r.table.column('a') as NumericColumn).values).toEqual(Float64Array.from([1, 2]));
    expect((r.table.column('b') as CategoricalColumn).categories).toEqual(['x', 'y']);
  });

  it('uses a given delimiter over detection', async () => {
    // The header has more commas than semicolons, but the file is ;-separated as declared.
    const p = tmp.file('given.csv', 'a,1;b,2\n1;2\n');
    const t = await readCsv(p, { delimiter: ';' });
    expect(t.columnNames).toEqual(['a,1', 'b,2']);
  });
});

describe('typing', () => {
  it('infers numeric when every non-missing value is a number, categorical otherwise', async () => {
    const p = tmp.file('infer.csv', 'n,c,m,z\n1,a,1,NA\n2.5,b,x,\n-3e2,a,3,?\n');
    const t = await readCsv(p);
    const n = t.column('n') as NumericColumn;
    expect(n.kind).toBe('numeric');
    expect(Array.from(n.values)).toEqual([1, 2.5, -300]);
    const c = t.column('c') as CategoricalColumn;
    expect(c.kind).toBe('categorical');
    expect(c.categories).toEqual(['a', 'b']);
    expect(Array.from(c.codes)).toEqual([0, 1, 0]);
    expect(c.valueType).toBe('string');
    // One text value makes the whole column categorical, numbers kept as their text.
    const m = t.column('m') as CategoricalColumn;
    expect(m.kind).toBe('categorical');
    expect(m.categories).toEqual(['1', 'x', '3']);
    // An all-missing column is numeric NaN.
    const z = t.column('z') as NumericColumn;
    expect(z.kind).toBe('numeric');
    expect(Array.from(z.values).every(Number.isNaN)).toBe(true);
  });

  it('keeps the exact text of numbers in a column whose first text comes late', async () => {
    const p = tmp.file('late.csv', 'v,w\n007,1\nNA,2\n1.50,3\nabc,4\n007,5\n');
    const t = await readCsv(p);
    const v = t.column('v') as CategoricalColumn;
    expect(v.categories).toEqual(['007', '1.50', 'abc']);
    expect(Array.from(v.codes)).toEqual([0, MISSING_CODE, 1, 2, 0]);
    // Only missing values before the first text: nothing to recover.
    const q = tmp.file('late2.csv', 'v\nNA\n\nabc\n');
    expect((await readCsv(q)).column('v')).toMatchObject({ kind: 'categorical', categories: ['abc'] });
  });

  it('reads default missing tokens as missing in both kinds', async () => {
    const p = tmp.file('missing.csv', 'n,c\n,\nNA,NA\nNaN,NaN\nnan,nan\nnull,null\n?,?\n1,a\n');
    const t = await readCsv(p);
    const n = t.column('n') as NumericColumn;
    expect(Array.from(n.values).slice(0, 6).every(Number.isNaN)).toBe(true);
    expect(n.values[6]).toBe(1);
    const c = t.column('c') as CategoricalColumn;
    expect(Array.from(c.codes)).toEqual([-1, -1, -1, -1, -1, -1, 0]);
    expect(c.categories).toEqual(['a']);
  });

  it('takes configured and per-column missing tokens', async () => {
    const p = tmp.file('missing2.csv', 'a,b\n-999,none\n1,none\n2,x\n');
    const t = await readCsv(p, { missingValues: ['-999'], columnMissingValues: { b: ['none'] } });
    expect(Number.isNaN((t.column('a') as NumericColumn).values[0])).toBe(true);
    expect(Array.from((t.column('b') as CategoricalColumn).codes)).toEqual([MISSING_CODE, MISSING_CODE, 0]);
    // '' is no longer missing when the list is replaced: an empty text is a category.
    const p2 = tmp.file('missing3.csv', 'b,c\n,1\nx,2\n');
    const t2 = await readCsv(p2, { missingValues: ['NA'], columns: { b: { kind: 'categorical' } } });
    expect((t2.column('b') as CategoricalColumn).categories).toEqual(['', 'x']);
  });

  it('reads declared schemas: numbers as categories, canonical integer text, raw text', async () => {
    const p = tmp.file('declared.csv', 'sex,male,race,age\n1.0,0.0,A,25.0\n0.0,1.0,B,26\n1,1,A,?\n');
    const t = await readCsv(p, {
      columns: {
        sex: { kind: 'categorical', valueType: 'number' },
        male: { kind: 'categorical', valueType: 'string', canonicalNumbers: true },
        race: { kind: 'categorical' },
        age: { kind: 'numeric' },
      },
    });
    const sex = t.column('sex') as CategoricalColumn;
    expect(sex.valueType).toBe('number');
    expect(sex.categories).toEqual(['1', '0']);
    expect(Array.from(sex.codes)).toEqual([0, 1, 0]); // '1.0' and '1' are the same category
    expect(cellValue(sex, 0)).toBe(1);
    const male = t.column('male') as CategoricalColumn;
    expect(male.valueType).toBe('string');
    expect(male.categories).toEqual(['0', '1']);
    expect(cellValue(male, 0)).toBe('0');
    expect((t.column('race') as CategoricalColumn).categories).toEqual(['A', 'B']);
    expect(Array.from((t.column('age') as NumericColumn).values)).toEqual([25, 26, NaN]);
  });

  it("'auto' categorical types numbers as numbers (merged canonically) and text as text", async () => {
    const p = tmp.file('auto.csv', 'SEX,G\n2,1\n1.0,x\n1,1.0\n');
    const t = await readCsv(p, {
      columns: {
        SEX: { kind: 'categorical', valueType: 'auto' },
        G: { kind: 'categorical', valueType: 'auto' },
      },
    });
    const sex = t.column('SEX') as CategoricalColumn;
    expect(sex.valueType).toBe('number');
    expect(sex.categories).toEqual(['2', '1']);
    expect(Array.from(sex.codes)).toEqual([0, 1, 1]);
    const g = t.column('G') as CategoricalColumn;
    expect(g.valueType).toBe('string');
    expect(g.categories).toEqual(['1', 'x', '1.0']);
  });

  it('parses numbers like pandas: decimals, exponents, blanks, inf; no hex', () => {
    expect(parseNumber(' 12 ')).toBe(12);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('5.')).toBe(5);
    expect(parseNumber('-1e-3')).toBe(-0.001);
    expect(parseNumber('inf')).toBe(Infinity);
    expect(parseNumber('-Infinity')).toBe(-Infinity);
    expect(parseNumber('0x10')).toBeNaN();
    expect(parseNumber('1,5')).toBeNaN();
    expect(parseNumber('')).toBeNaN();
    expect(canonicalNumber(1)).toBe('1');
    expect(canonicalNumber(-0)).toBe('0');
    expect(canonicalNumber(2.5)).toBe('2.5');
  });

  it('handles quotes, embedded delimiters and newlines, CRLF, BOM and blank lines', async () => {
    const p = tmp.file('quotes.csv', '\uFEFFname,"v"\r\n"a, b",1\r\n\r\n"multi\nline",2\r\n"q""uote",3\r\n');
    const t = await readCsv(p);
    expect(t.columnNames).toEqual(['name', 'v']);
    expect((t.column('name') as CategoricalColumn).categories).toEqual(['a, b', 'multi\nline', 'q"uote']);
    expect(Array.from((t.column('v') as NumericColumn).values)).toEqual([1, 2, 3]);
  });

  it('selects and renames columns', async () => {
    const p = tmp.file('select.csv', 'a,Pregancies,c\n1,2,3\n4,5,6\n');
    const t = await readCsv(p, { rename: { Pregancies: 'Pregnancies' }, select: ['c', 'Pregnancies'] });
    expect(t.columnNames).toEqual(['c', 'Pregnancies']);
    expect(Array.from((t.column('Pregnancies') as NumericColumn).values)).toEqual([2, 5]);
  });

  it('streams a file larger than its chunks with exact values and the sha256 of its bytes', async () => {
    const lines = ['id,x,g'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${(i * 0.25).toFixed(2)},${i % 3 === 0 ? 'a' : 'b'}`);
    const p = tmp.file('big.csv', lines.join('\n') + '\n');
    const r = await readCsvWithInfo(p, { hash: true });
    expect(r.table.nRows).toBe(30_000);
    const x = (r.table.column('x') as NumericColumn).values;
    expect(x[29_999]).toBe(29_999 * 0.25);
    expect((r.table.column('g') as CategoricalColumn).codes[3]).toBe(0);
    expect(r.sha256).toBe(createHash('sha256').update(readFileSync(p)).digest('hex'));
  });
});

describe('errors', () => {
  it('file not found names the path and the data-dir fix', async () => {
    const e = await rejection(readCsv(join(tmp.dir, 'nope.csv')));
    expect(e.code).toBe(DataErrorCode.FileNotFound);
    expect(e.message).toContain('nope.csv');
    expect(e.message).toContain('--data-dir');
    expect(e.message).toContain('VIRNYFLOW_DATA_DIR');
  });

  it('an empty (or blank) file is an error; a header-only file gives 0 rows', async () => {
    expect((await rejection(readCsv(tmp.file('empty.csv', '')))).code).toBe(DataErrorCode.EmptyFile);
    expect((await rejection(readCsv(tmp.file('blank.csv', '\n \n')))).code).toBe(DataErrorCode.EmptyFile);
    const t = await readCsv(tmp.file('header.csv', 'a,b\n'));
    expect(t.nRows).toBe(0);
    expect(t.columnNames).toEqual(['a', 'b']);
  });

  it('rejects duplicate and empty header names', async () => {
    const dup = await rejection(readCsv(tmp.file('dup.csv', 'a,b,a\n1,2,3\n')));
    expect(dup.code).toBe(DataErrorCode.DuplicateColumn);
    expect(dup.details.column).toBe('a');
    const empty = await rejection(readCsv(tmp.file('emptyname.csv', ',b\n1,2\n')));
    expect(empty.code).toBe(DataErrorCode.BadHeader);
    expect(empty.details.position).toBe(1);
  });

  it('ragged rows give the line, expected and got', async () => {
    const e = await rejection(readCsv(tmp.file('ragged.csv', 'a,b,c\n1,2,3\n4,5\n')));
    expect(e.code).toBe(DataErrorCode.RaggedRow);
    expect(e.details).toMatchObject({ line: 3, expected: 3, got: 2 });
    const more = await rejection(readCsv(tmp.file('ragged2.csv', 'a,b\n1,2\n3,4\n5,6,7\n')));
    expect(more.details).toMatchObject({ line: 4, expected: 2, got: 3 });
  });

  it('a non-number in a declared numeric column gives line, column and value', async () => {
    const p = tmp.file('nonnum.csv', 'a,b\n1,2\n3,x7\n');
    const e = await rejection(readCsv(p, { columns: { b: { kind: 'numeric' } } }));
    expect(e.code).toBe(DataErrorCode.NotNumeric);
    expect(e.details).toMatchObject({ line: 3, column: 'b', value: 'x7' });
    const e2 = await rejection(readCsv(p, { columns: { b: { kind: 'categorical', valueType: 'number' } } }));
    expect(e2.code).toBe(DataErrorCode.NotNumeric);
    // Line numbers count blank lines and lines inside quoted fields.
    const q = tmp.file('nonnum2.csv', 'a,b\n1,"x\ny"\n\n2,3\n4,?x\n');
    const e4 = await rejection(readCsv(q, { columns: { b: { kind: 'numeric' } } }));
    expect(e4.details).toMatchObject({ line: 3, column: 'b', value: 'x\ny' });
  });

  it('a declared or selected column missing from the header is named', async () => {
    const p = tmp.file('cols.csv', 'a,b\n1,2\n');
    const e = await rejection(readCsv(p, { columns: { c: { kind: 'numeric' } } }));
    expect(e.code).toBe(DataErrorCode.MissingColumn);
    expect(e.details.column).toBe('c');
    expect((await rejection(readCsv(p, { select: ['a', 'zz'] }))).details.column).toBe('zz');
  });

  it('malformed quoting is a CSV syntax error with its line', async () => {
    const e = await rejection(readCsv(tmp.file('badquote.csv', 'a,b\n1,2\n"3,4\n')));
    expect(e.code).toBe(DataErrorCode.CsvSyntax);
  });

  it('the memory guard refuses files estimated above maxBytes, naming sizes and the fix', async () => {
    const lines = ['a,b,c,d'];
    for (let i = 0; i < 2000; i++) lines.push(`${i},${i},${i},${i}`);
    const p = tmp.file('guard.csv', lines.join('\n'));
    const e = await rejection(readCsv(p, { maxBytes: 10_000 }));
    expect(e.code).toBe(DataErrorCode.TooLarge);
    expect(e.details.maxBytes).toBe(10_000);
    // 2,001 lines x 4 columns x 12 bytes ≈ 96 kB.
    expect(e.details.estimatedBytes).toBeGreaterThan(80_000);
    expect(e.details.estimatedBytes).toBeLessThan(120_000);
    expect(e.message).toMatch(/[Ss]ubsample/);
    // Reading fewer columns fits under a limit the full file exceeds.
    expect((await readCsv(p, { maxBytes: 60_000, select: ['a'] })).nRows).toBe(2000);
  });
});
