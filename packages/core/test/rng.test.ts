import { describe, expect, it } from 'vitest';
import { Rng, hashSeeds, hashString } from '../src/index';

describe('Rng', () => {
  it('is deterministic per seed', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => new Rng(124).nextUint32())).not.toEqual(xs);
  });

  it('forks streams that depend only on the seed and the stream id', () => {
    const parent = new Rng(9);
    const f1 = parent.fork(1).next();
    parent.next(); // consuming the parent does not change its forks
    expect(parent.fork(1).next()).toBe(f1);
    expect(parent.fork(2).next()).not.toBe(f1);
  });

  it('draws next() uniformly on [0, 1)', () => {
    const rng = new Rng(2024);
    const bins = new Int32Array(20);
    const n = 100_000;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      bins[Math.floor(x * 20)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Chi-square, 19 degrees of freedom; 43.82 is the 0.001 critical value.
    let chi2 = 0;
    for (const c of bins) chi2 += (c - n / 20) ** 2 / (n / 20);
    expect(chi2).toBeLessThan(43.82);
  });

  it('draws integers in range without modulo bias', () => {
    const rng = new Rng(5);
    const n = 3; // 2^32 is not a multiple of 3: a plain modulo would be biased
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[rng.nextInt(n)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => rng.nextInt(0)).toThrow(RangeError);
    expect(() => rng.nextInt(2.5)).toThrow(RangeError);
    const big = 2 ** 40;
    const v = rng.nextInt(big);
    expect(Number.isInteger(v) && v >= 0 && v < big).toBe(true);
  });

  it('draws standard normals', () => {
    const rng = new Rng(11);
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.02); // 4.5 standard errors
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('shuffles into a permutation, deterministically', () => {
    const a = new Rng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    const b = new Rng(3).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => new Rng(1).choice([])).toThrow(RangeError);
    expect(() => new Rng(NaN)).toThrow(RangeError);
  });

  it('hashes strings with FNV-1a and mixes seeds order-sensitively', () => {
    expect(hashString('')).toBe(0x811c9dc5); // FNV-1a offset basis
    expect(hashString('a')).toBe(0xe40c292c); // published FNV-1a 32-bit test vector
    expect(hashSeeds(1, 2)).not.toBe(hashSeeds(2, 1));
    expect(hashSeeds(1, 2)).toBe(hashSeeds(1, 2));
    expect(hashSeeds(101, 7) >>> 0).toBe(hashSeeds(101, 7));
  });
});
