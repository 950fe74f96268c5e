import { Table, categoricalColumn, numericColumn } from '@virnyflow/data';
import { describe, expect, it } from 'vitest';
import { ImputationErrorCode, KnnImputer } from '../src/index';

// b has mean 0 and standard deviation 1, so standardised b equals b; a has mean 25 and std √125.
const train = new Table([
  numericColumn('a', Float64Array.from([10, 20, 30, 40])),
  numericColumn('b', Float64Array.from([-1, 1, -1, 1])),
  categoricalColumn('c', Int32Array.from([0, 0, 1, 1]), ['x', 'y']),
]);

function query(a: number, b: number, c: number): Table {
  return new Table([
    numericColumn('a', Float64Array.of(a)),
    numericColumn('b', Float64Array.of(b)),
    categoricalColumn('c', Int32Array.of(c), ['x', 'y']),
  ]);
}

const valueOf = (t: Table, c: string): number =>
  t.column(c).kind === 'numeric'
    ? (t.column(c) as { values: Float64Array }).values[0]
    : (t.column(c) as { codes: Int32Array }).codes[0];

describe('KnnImputer', () => {
  it('averages the k nearest training rows over the columns both observe (hand-computed)', () => {
    // Query (a = ?, b = 1, c = x): over b and c, d² = P/m · (Δb² + mismatch) = 3/2 · (4, 0, 5, 1) for rows 0..3.
    const uniform = new KnnImputer({ nNeighbors: 2, weights: 'uniform' });
    uniform.fit(train, ['a']);
    expect(valueOf(uniform.transform(query(NaN, 1, 0)), 'a')).toBe((20 + 40) / 2);
    // distance weights: row 1 is at distance 0, so it alone counts.
    const byDistance = new KnnImputer({ nNeighbors: 2, weights: 'distance' });
    byDistance.fit(train, ['a']);
    expect(valueOf(byDistance.transform(query(NaN, 1, 0)), 'a')).toBe(20);
    // Query (b = 0, c = x): d² = 3/2 · (1, 1, 2, 2); rows 2 and 3 tie, the earlier one is kept.
    const three = new KnnImputer({ nNeighbors: 3, weights: 'distance' });
    three.fit(train, ['a']);
    const w1 = 1 / Math.sqrt(1.5);
    const w2 = 1 / Math.sqrt(3);
    expect(valueOf(three.transform(query(NaN, 0, 0)), 'a')).toBeCloseTo(
      (w1 * 10 + w1 * 20 + w2 * 30) / (2 * w1 + w2),
      12,
    );
  });

  it('votes categorical cells, ties going to the lower code', () => {
    // Query (a = 22, b = 1, c = ?): z_a = −3/√125; d² ∝ (1.152 + 4, 0.032, 0.512 + 4, 2.592): order 1, 3, 2, 0.
    const k3 = new KnnImputer({ nNeighbors: 3, weights: 'uniform' });
    k3.fit(train, ['c']);
    expect(valueOf(k3.transform(query(22, 1, -1)), 'c')).toBe(1); // x, y, y → y
    const k2 = new KnnImputer({ nNeighbors: 2, weights: 'uniform' });
    k2.fit(train, ['c']);
    expect(valueOf(k2.transform(query(22, 1, -1)), 'c')).toBe(0); // x, y → tie → x
  });

  it('falls back to the training mean when no row shares an observed column', () => {
    const imp = new KnnImputer({ nNeighbors: 3, weights: 'uniform' });
    imp.fit(train, ['a']);
    expect(valueOf(imp.transform(query(NaN, NaN, -1)), 'a')).toBe(25);
  });

  it('takes donors only among training rows that observe the column', () => {
    const t = new Table([
      numericColumn('a', Float64Array.from([1, NaN, 100, 7])),
      numericColumn('b', Float64Array.from([0, 0, 0.1, 5])),
    ]);
    const imp = new KnnImputer({ nNeighbors: 1, weights: 'uniform' });
    imp.fit(t);
    // Row 1 (b = 0) is nearest to row 0 (b = 0), not to itself (a missing).
    expect(Array.from((imp.transform(t).column('a') as { values: Float64Array }).values)).toEqual([
      1, 1, 100, 7,
    ]);
  });

  it('rejects invalid options', () => {
    expect(() => new KnnImputer({ nNeighbors: 0, weights: 'uniform' })).toThrow(
      expect.objectContaining({ code: ImputationErrorCode.BadOption }),
    );
  });
});
