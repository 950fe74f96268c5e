import { describe, expect, it } from 'vitest';
import {
  DataErrorCode,
  generateDemoDataset,
  haltingFractions,
  nestedStratifiedSubsamples,
  splitDataset,
  trainTestSplit,
} from '../src/index';
import { thrown } from './helpers';

describe('trainTestSplit', () => {
  it('has sklearn sizes (test = ceil(f·n)), is a partition, and is reproducible per seed', () => {
    const { train, test } = trainTestSplit(905, 0.3, 101);
    expect(test.length).toBe(272); // ceil(271.5)
    expect(train.length).toBe(633);
    const all = [...train, ...test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 905 }, (_, i) => i));
    const again = trainTestSplit(905, 0.3, 101);
    expect(again.train).toEqual(train);
    expect(again.test).toEqual(test);
    expect(trainTestSplit(905, 0.3, 102).test).not.toEqual(test);
  });

  it('rejects fractions outside (0, 1) and splits with an empty side', () => {
    expect(thrown(() => trainTestSplit(100, 1.2, 1)).code).toBe(DataErrorCode.BadSplit);
    expect(thrown(() => trainTestSplit(100, 0, 1)).code).toBe(DataErrorCode.BadSplit);
    expect(thrown(() => trainTestSplit(1, 0.5, 1)).code).toBe(DataErrorCode.BadSplit);
  });

  it('splitDataset keeps features, labels and raw rows aligned', () => {
    const d = generateDemoDataset({ rows: 400, seed: 3 });
    const s = splitDataset(d, 101);
    expect(s.xTrain.nRows).toBe(320);
    expect(s.xTest.nRows).toBe(80);
    for (let k = 0; k < 20; k++) {
      const i = s.testRows[k] as number;
      expect(s.yTest[k]).toBe(d.target[i]);
      const col = s.rawTest.column('race');
      const src = d.raw.column('race');
      if (col.kind === 'categorical' && src.kind === 'categorical') expect(col.codes[k]).toBe(src.codes[i]);
    }
  });
});

describe('halting fractions', () => {
  it('are forced to [1.0] when the training split has fewer than 1,000 rows', () => {
    expect(haltingFractions([0.5, 0.75, 1.0], 999)).toEqual([1.0]);
    expect(haltingFractions([0.5, 0.75, 1.0], 633)).toEqual([1.0]); // diabetes 905 × 0.7
    expect(haltingFractions([1.0, 0.5, 0.75, 0.5], 1000)).toEqual([0.5, 0.75, 1.0]);
    expect(haltingFractions([], 5000)).toEqual([1.0]);
    expect(thrown(() => haltingFractions([0.5, 1.5], 5000)).code).toBe(DataErrorCode.BadSplit);
  });
});

describe('nestedStratifiedSubsamples', () => {
  const y = new Uint8Array(1000);
  for (let i = 0; i < 1000; i++) y[i] = i % 10 < 3 ? 1 : 0; // 300 positives, 700 negatives

  it('nests the samples (0.5 ⊂ 0.75 ⊂ full) and keeps class proportions up to rounding', () => {
    const [half, threeQ, full] = nestedStratifiedSubsamples(y, [0.5, 0.75, 1.0], 7) as Uint32Array[];
    expect(half.length).toBe(500);
    expect(threeQ.length).toBe(750);
    expect(full.length).toBe(1000);
    const inThreeQ = new Set(threeQ);
    for (const i of half) expect(inThreeQ.has(i)).toBe(true);
    const pos = (rows: Uint32Array) => rows.reduce((a, i) => a + (y[i] as number), 0);
    expect(pos(half)).toBe(150);
    expect(pos(threeQ)).toBe(225);
    // Ascending, distinct indices.
    for (let k = 1; k < half.length; k++) expect(half[k]).toBeGreaterThan(half[k - 1] as number);
  });

  it('rounds per class monotonically (nesting holds for close fractions) and keeps a row per class', () => {
    const small = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const fr = [0.05, 0.31, 0.33, 0.35, 0.9];
    const samples = nestedStratifiedSubsamples(small, fr, 1);
    for (let k = 1; k < samples.length; k++) {
      const bigger = new Set(samples[k]);
      for (const i of samples[k - 1] as Uint32Array) expect(bigger.has(i)).toBe(true);
    }
    const first = samples[0] as Uint32Array;
    expect(first.some((i) => small[i] === 1)).toBe(true);
    expect(first.some((i) => small[i] === 0)).toBe(true);
  });

  it('is reproducible per seed and differs across seeds', () => {
    const a = nestedStratifiedSubsamples(y, [0.5], 11)[0];
    expect(nestedStratifiedSubsamples(y, [0.5], 11)[0]).toEqual(a);
    expect(nestedStratifiedSubsamples(y, [0.5], 12)[0]).not.toEqual(a);
    expect(thrown(() => nestedStratifiedSubsamples(y, [0], 1)).code).toBe(DataErrorCode.BadSplit);
    expect(thrown(() => nestedStratifiedSubsamples(Uint8Array.from([0, 2]), [0.5], 1)).code).toBe(
      DataErrorCode.BadSplit,
    );
  });
});
