import { Rng } from '@virnyflow/core';
import { describe, expect, it } from 'vitest';
import { applyBinMapper, binMatrix, binnedBytes, fitBinMapper } from '../src/binning';
import type { DenseMatrix } from '../src/classifier';
import { matrix, thrownCode } from './helpers';

describe('binning', () => {
  it('gives one bin per distinct value with midpoint edges, and NaN its own bin', () => {
    const X = matrix([[3], [1], [NaN], [2], [1], [3]]);
    const B = binMatrix(X);
    const m = B.mapper;
    expect(m.nBins[0]).toBe(3);
    // Feature 0 owns slots [0, 3]: three value bins and the missing bin.
    expect(m.binOffset[1]).toBe(4);
    expect(Array.from(m.upper.subarray(0, 2))).toEqual([1.5, 2.5]);
    expect(Array.from(m.lo.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(Array.from(m.hi.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(Array.from(B.bins)).toEqual([2, 0, 3, 1, 0, 2]);
    expect(B.missingCount[0]).toBe(1);
  });

  it('stores features column-major, one Uint8 per cell', () => {
    const X = matrix([
      [0, 10],
      [1, 20],
      [0, 30],
    ]);
    const B = binMatrix(X);
    expect(B.bins).toBeInstanceOf(Uint8Array);
    expect(Array.from(B.bins)).toEqual([0, 1, 0, 0, 1, 2]);
  });

  it('uses equal-frequency bins, at most maxBins, when a feature has more distinct values', () => {
    const n = 10_000;
    const rng = new Rng(3);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.normal();
    const X: DenseMatrix = { data, nRows: n, nCols: 1 };
    const B = binMatrix(X, 32);
    const nb = B.mapper.nBins[0];
    expect(nb).toBeLessThanOrEqual(32);
    expect(nb).toBeGreaterThanOrEqual(30);
    const counts = new Array<number>(nb).fill(0);
    for (let i = 0; i < n; i++) counts[B.bins[i]]++;
    for (const c of counts) expect(Math.abs(c - n / nb)).toBeLessThan(0.2 * (n / nb) + 2);
    // Edges separate the bins: every value of bin k lies in (upper[k-1], upper[k]] and within [lo, hi].
    const { upper, lo, hi } = B.mapper;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const k = B.bins[i];
      if (!(data[i] <= upper[k]) || (k > 0 && !(data[i] > upper[k - 1]))) bad++;
      if (!(data[i] >= lo[k] && data[i] <= hi[k])) bad++;
    }
    expect(bad).toBe(0);
  });

  it('keeps a heavy value in a bin of its own', () => {
    const n = 5000;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = i % 2 === 0 ? 0 : i; // half zeros, the rest distinct
    const B = binMatrix({ data, nRows: n, nCols: 1 }, 16);
    const zeroBin = B.bins[0];
    let bad = 0;
    for (let i = 0; i < n; i++) if ((B.bins[i] === zeroBin) !== (data[i] === 0)) bad++;
    expect(bad).toBe(0);
  });

  it('applies fitted edges to new data (values beyond the training range clamp to the end bins)', () => {
    const mapper = fitBinMapper(matrix([[1], [2], [3]]));
    const B = applyBinMapper(mapper, matrix([[-5], [1.4], [1.6], [99], [NaN]]));
    expect(Array.from(B.bins)).toEqual([0, 0, 1, 2, 3]);
  });

  it('fused binMatrix equals fitBinMapper + applyBinMapper (few and many values, NaN, −0)', () => {
    const n = 3000;
    const d = 4;
    const rng = new Rng(5);
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      data[i * d] = rng.nextInt(7) - 3; // few values, incl. 0
      data[i * d + 1] = rng.next() < 0.1 ? NaN : rng.normal(); // many values, NaN
      data[i * d + 2] = i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : 1; // −0 and +0 are one value
      data[i * d + 3] = rng.nextInt(300); // just over 255 distinct
    }
    const X: DenseMatrix = { data, nRows: n, nCols: d };
    const fused = binMatrix(X);
    const mapper = fitBinMapper(X);
    const separate = applyBinMapper(mapper, X);
    expect(Array.from(fused.bins)).toEqual(Array.from(separate.bins));
    expect(Array.from(fused.missingCount)).toEqual(Array.from(separate.missingCount));
    expect(Array.from(fused.mapper.nBins)).toEqual(Array.from(mapper.nBins));
    expect(Array.from(fused.mapper.upper)).toEqual(Array.from(mapper.upper));
    expect(Array.from(fused.mapper.lo)).toEqual(Array.from(mapper.lo));
    expect(fused.mapper.nBins[2]).toBe(2);
  });

  it('caches per data array: bootstrap estimators and wrappers share one binning', () => {
    const X = matrix([[1], [2], [3]]);
    const a = binMatrix(X);
    expect(binMatrix(X)).toBe(a);
    expect(binMatrix({ data: X.data, nRows: 3, nCols: 1 })).toBe(a);
    expect(binMatrix(X, 2)).not.toBe(a);
    expect(binMatrix({ data: X.data.slice(), nRows: 3, nCols: 1 })).not.toBe(a);
  });

  it('bins 200,000 × 16 features in under 10 MB', () => {
    const n = 200_000;
    const d = 16;
    const rng = new Rng(9);
    const data = new Float32Array(n * d);
    for (let k = 0; k < data.length; k++) data[k] = k % d < 8 ? rng.normal() : rng.nextInt(5);
    const B = binMatrix({ data, nRows: n, nCols: d });
    expect(B.bins.byteLength).toBe(n * d);
    expect(binnedBytes(B)).toBeLessThan(10 * 1024 * 1024);
  });

  it('rejects maxBins outside [2, 255]', () => {
    expect(thrownCode(() => fitBinMapper(matrix([[1]]), 256))).toBe('VF_MODEL_BAD_PARAM');
    expect(thrownCode(() => fitBinMapper(matrix([[1]]), 1))).toBe('VF_MODEL_BAD_PARAM');
  });
});
