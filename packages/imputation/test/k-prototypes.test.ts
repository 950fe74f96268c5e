import { Rng } from '@virnyflow/core';
import { Table, categoricalColumn, numericColumn } from '@virnyflow/data';
import { describe, expect, it } from 'vitest';
import { ImputationErrorCode, KMeansImputer, defaultGamma, kPrototypes } from '../src/index';
import type { KPrototypesData, KPrototypesInit } from '../src/index';

const inits: KPrototypesInit[] = ['Huang', 'Cao', 'random'];

function data(numeric: number[][], categorical: number[][], nCategories: number[]): KPrototypesData {
  const n = Math.max(numeric.length, categorical.length);
  return {
    nRows: n,
    numeric: Float64Array.from(numeric.flat()),
    nNumeric: numeric[0]?.length ?? 0,
    categorical: Int32Array.from(categorical.flat()),
    nCategories: Int32Array.from(nCategories),
  };
}

/** True when two labelings are the same partition (cluster ids may be permuted). */
function samePartition(a: Int32Array, b: readonly number[]): boolean {
  const map = new Map<number, number>();
  const back = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((map.get(a[i]) ?? b[i]) !== b[i] || (back.get(b[i]) ?? a[i]) !== a[i]) return false;
    map.set(a[i], b[i]);
    back.set(b[i], a[i]);
  }
  return true;
}

describe('kPrototypes', () => {
  it('defaultGamma is half the mean numeric standard deviation (kmodes)', () => {
    // std([1, 2, 3]) = √(2/3), std([5, 5, 5]) = 0 → γ = 0.5 · √(2/3) / 2
    const d = data(
      [
        [1, 5],
        [2, 5],
        [3, 5],
      ],
      [[0], [1], [0]],
      [2],
    );
    expect(defaultGamma(d)).toBeCloseTo((0.5 * Math.sqrt(2 / 3)) / 2, 15);
    expect(defaultGamma(data([], [[0], [1]], [2]))).toBe(1);
  });

  it.each(inits)('separates two mixed clusters with the hand-computed cost (init %s)', (init) => {
    // Rows 0–1 near 0 and 'a', rows 2–3 near 10 and 'b': cost = 4 · 0.1² (numeric) + 0 mismatches.
    const d = data([[0], [0.2], [10], [10.2]], [[0], [0], [1], [1]], [2]);
    const r = kPrototypes(d, { nClusters: 2, maxIter: 100, init, nInit: 3, gamma: 1, seed: 4 });
    expect(samePartition(r.labels, [0, 0, 1, 1])).toBe(true);
    expect(r.cost).toBeCloseTo(0.04, 12);
    const c0 = r.labels[0];
    expect(r.numeric[c0]).toBeCloseTo(0.1, 12);
    expect(r.categorical[c0]).toBe(0);
    expect(r.categorical[r.labels[2]]).toBe(1);
  });

  it.each(inits)('k-modes (no numeric column) recovers three planted groups (init %s)', (init) => {
    // Three prototypes over 4 attributes; each row copies its prototype with one attribute changed at random.
    const protos = [
      [0, 0, 0, 0],
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ];
    const rng = new Rng(12);
    const rows: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 90; i++) {
      const g = i % 3;
      const row = [...protos[g]];
      row[rng.nextInt(4)] = rng.nextInt(3);
      rows.push(row);
      truth.push(g);
    }
    const d = data([], rows, [3, 3, 3, 3]);
    const r = kPrototypes(d, { nClusters: 3, maxIter: 100, init, nInit: 5, gamma: 1, seed: 1 });
    expect(samePartition(r.labels, truth)).toBe(true);
    // Every row differs from its prototype in at most one attribute.
    expect(r.cost).toBeLessThanOrEqual(90);
  });

  it('Cao initialisation is deterministic: k-modes results do not depend on the seed', () => {
    const rng = new Rng(2);
    const rows = Array.from({ length: 40 }, () => [rng.nextInt(3), rng.nextInt(2), rng.nextInt(4)]);
    const d = data([], rows, [3, 2, 4]);
    const a = kPrototypes(d, { nClusters: 3, maxIter: 50, init: 'Cao', nInit: 1, gamma: 1, seed: 1 });
    const b = kPrototypes(d, { nClusters: 3, maxIter: 50, init: 'Cao', nInit: 1, gamma: 1, seed: 99 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    const h1 = kPrototypes(d, { nClusters: 3, maxIter: 50, init: 'Huang', nInit: 2, gamma: 1, seed: 5 });
    const h2 = kPrototypes(d, { nClusters: 3, maxIter: 50, init: 'Huang', nInit: 2, gamma: 1, seed: 5 });
    expect(Array.from(h2.labels)).toEqual(Array.from(h1.labels));
    expect(h2.cost).toBe(h1.cost);
  });

  it('uses at most one cluster per row', () => {
    const d = data([[1], [2]], [[0], [1]], [2]);
    const r = kPrototypes(d, { nClusters: 5, maxIter: 10, init: 'random', nInit: 1, gamma: 1, seed: 0 });
    expect(r.nClusters).toBe(2);
    expect(r.cost).toBe(0);
  });
});

describe('KMeansImputer', () => {
  it('fills a cell with the mean / mode of its cluster on the complete columns', () => {
    // Clusters by g (complete): a = 1 or 3 in group p, 11 or 13 in group q; c = x in p, y in q.
    const t = new Table([
      categoricalColumn('g', Int32Array.from([0, 0, 0, 1, 1, 1]), ['p', 'q']),
      numericColumn('a', Float64Array.from([1, 3, NaN, 11, NaN, 13])),
      categoricalColumn('c', Int32Array.from([0, -1, 0, 1, 1, -1]), ['x', 'y']),
    ]);
    const imp = new KMeansImputer({ nClusters: 2, maxIter: 100, init: 'Cao', nInit: 1, seed: 0 });
    imp.fit(t);
    const out = imp.transform(t);
    expect(Array.from((out.column('a') as { values: Float64Array }).values)).toEqual([1, 3, 2, 11, 12, 13]);
    expect(Array.from((out.column('c') as { codes: Int32Array }).codes)).toEqual([0, 0, 0, 1, 1, 1]);
    // k-modes: the only complete column is categorical.
    expect(imp.clustering?.numeric.length).toBe(0);
    // A test row that observes no clustering column takes the training mean / mode.
    const lone = new Table([
      categoricalColumn('g', Int32Array.from([-1]), ['p', 'q']),
      numericColumn('a', Float64Array.from([NaN])),
      categoricalColumn('c', Int32Array.from([-1]), ['x', 'y']),
    ]);
    const o = imp.transform(lone);
    expect((o.column('a') as { values: Float64Array }).values[0]).toBe(7);
    expect((o.column('c') as { codes: Int32Array }).codes[0]).toBe(0);
  });

  it('rejects invalid options', () => {
    expect(() => new KMeansImputer({ nClusters: 0, maxIter: 100, init: 'Cao', nInit: 1, seed: 0 })).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
    expect(
      () =>
        new KMeansImputer({
          nClusters: 2,
          maxIter: 100,
          init: 'kmeans++' as KPrototypesInit,
          nInit: 1,
          seed: 0,
        }),
    ).toThrow(expect.objectContaining({ code: ImputationErrorCode.BadOption }));
  });
});
