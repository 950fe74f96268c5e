import { Rng } from '@virnyflow/core';
import {
  OptimizerErrorCode,
  hypervolume,
  hypervolumeImprovement,
  nonDominatedBoxes,
  nonDominatedSort,
  paretoFrontIndices,
} from '@virnyflow/optimizer';
import { describe, expect, it } from 'vitest';

/**
 * Exact hypervolume by brute force on the grid of all coordinates: a grid cell is dominated iff some
 * point is ≤ its lower corner in every objective. Exponential in m; only for small test fronts.
 */
function gridHypervolume(pts: number[][], ref: number[]): number {
  const m = ref.length;
  const inside = pts.filter((p) => p.every((v, j) => v < ref[j]));
  const coords = ref.map((r, j) => [...new Set(inside.map((p) => p[j]))].sort((a, b) => a - b).concat([r]));
  const idx = new Array<number>(m).fill(0);
  let vol = 0;
  for (;;) {
    const lower = idx.map((i, j) => coords[j][i]);
    if (idx.every((i, j) => i < coords[j].length - 1)) {
      if (inside.some((p) => p.every((v, j) => v <= lower[j]))) {
        vol += idx.reduce((acc, i, j) => acc * (coords[j][i + 1] - coords[j][i]), 1);
      }
    }
    let j = m - 1;
    while (j >= 0) {
      idx[j]++;
      if (idx[j] < coords[j].length - 1) break;
      idx[j] = 0;
      j--;
    }
    if (j < 0) break;
  }
  return vol;
}

const flat = (pts: number[][]): Float64Array => Float64Array.from(pts.flat());

function randomFront(rng: Rng, n: number, m: number): number[][] {
  // Points near the simplex Σ y = 1 are mostly mutually non-dominated.
  return Array.from({ length: n }, () => {
    const w = Array.from({ length: m }, () => -Math.log(1 - rng.next()));
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((v) => Math.round((v / s + 0.05 * rng.next()) * 1000) / 1000);
  });
}

describe('hypervolume', () => {
  it('2-D: a hand-computed staircase (dominated and out-of-reference points add nothing)', () => {
    // Strips: (4−1)(4−3) + (4−2)(3−2) + (4−3)(2−1) = 3 + 2 + 1.
    const pts = [
      [1, 3],
      [2, 2],
      [3, 1],
      [3, 3],
      [5, 0],
    ];
    expect(hypervolume(flat(pts), 5, 2, [4, 4])).toBe(6);
  });

  it('3-D: hand-computed boxes and their union', () => {
    expect(hypervolume(flat([[1, 1, 1]]), 1, 3, [2, 3, 4])).toBe(6);
    // [0,2]²×[1,2] ∪ [1,2]²×[0,2]: 4 + 2 − 1.
    expect(
      hypervolume(
        flat([
          [0, 0, 1],
          [1, 1, 0],
        ]),
        2,
        3,
        [2, 2, 2],
      ),
    ).toBe(5);
  });

  it('4-D: hand-computed union, and random fronts against the brute-force grid (4-D and 5-D)', () => {
    // 2³·1 + 1³·2 − 1⁴.
    expect(
      hypervolume(
        flat([
          [0, 0, 0, 1],
          [1, 1, 1, 0],
        ]),
        2,
        4,
        [2, 2, 2, 2],
      ),
    ).toBe(9);
    const rng = new Rng(21);
    for (const m of [4, 5]) {
      for (let t = 0; t < 5; t++) {
        const pts = randomFront(rng, m === 4 ? 7 : 5, m);
        const ref = new Array<number>(m).fill(1.1);
        expect(hypervolume(flat(pts), pts.length, m, ref)).toBeCloseTo(gridHypervolume(pts, ref), 12);
      }
    }
  });

  it('2-D and 3-D agree with the brute-force grid on random fronts', () => {
    const rng = new Rng(4);
    for (const m of [2, 3]) {
      for (let t = 0; t < 10; t++) {
        const pts = randomFront(rng, 12, m);
        const ref = new Array<number>(m).fill(1.1);
        expect(hypervolume(flat(pts), pts.length, m, ref)).toBeCloseTo(gridHypervolume(pts, ref), 12);
      }
    }
  });

  it('is monotone under adding a point, and the improvement is the difference', () => {
    const rng = new Rng(8);
    for (const m of [2, 3, 4]) {
      const pts = randomFront(rng, 6, m);
      const ref = new Array<number>(m).fill(1.1);
      const hv = hypervolume(flat(pts), 6, m, ref);
      for (let t = 0; t < 5; t++) {
        const y = randomFront(rng, 1, m)[0];
        const hv2 = hypervolume(flat([...pts, y]), 7, m, ref);
        expect(hv2).toBeGreaterThanOrEqual(hv - 1e-15);
        expect(hypervolumeImprovement(flat(pts), 6, m, y, ref)).toBeCloseTo(hv2 - hv, 14);
      }
      // A point dominated by the front improves nothing.
      const dominated = pts[0].map((v) => v + 0.01);
      expect(hypervolumeImprovement(flat(pts), 6, m, dominated, ref)).toBe(0);
    }
  });

  it('checks shapes', () => {
    expect(() => hypervolume(new Float64Array(3), 2, 2, [1, 1])).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadInput }),
    );
    expect(() => hypervolume(new Float64Array(4), 2, 2, [1, 1, 1])).toThrowError(
      expect.objectContaining({ code: OptimizerErrorCode.BadInput }),
    );
  });
});

describe('Pareto utilities', () => {
  const pts = [
    [1, 1],
    [2, 2],
    [3, 3],
    [1, 3],
    [0, 5],
    [1, 1],
  ];
  it('finds the non-dominated points (duplicates kept)', () => {
    expect(Array.from(paretoFrontIndices(flat(pts), 6, 2))).toEqual([0, 4, 5]);
  });
  it('ranks points by non-dominated sorting', () => {
    expect(Array.from(nonDominatedSort(flat(pts), 6, 2))).toEqual([0, 1, 2, 1, 0, 0]);
  });
  it('box decomposition covers exactly the non-dominated region below the reference point', () => {
    const rng = new Rng(2);
    for (const m of [2, 3, 4]) {
      for (let t = 0; t < 5; t++) {
        const front = randomFront(rng, 8, m);
        const ref = new Array<number>(m).fill(1.1);
        const boxes = nonDominatedBoxes(flat(front), 8, m, ref);
        // Clip −∞ at L = −1 (below every point): Σ box volumes = vol([L, ref]) − HV(front).
        const L = -1;
        let total = 0;
        for (let b = 0; b < boxes.nBoxes; b++) {
          let v = boxes.heights[boxes.heightIndex[b]] - L;
          for (let d = 0; d < m - 1; d++) {
            const lo = boxes.coords[d][boxes.lo[b * (m - 1) + d]];
            const hi = boxes.coords[d][boxes.hi[b * (m - 1) + d]];
            v *= hi - Math.max(lo, L);
          }
          total += v;
        }
        const full = ref.reduce((acc, r) => acc * (r - L), 1);
        expect(total).toBeCloseTo(full - hypervolume(flat(front), 8, m, ref), 10);
      }
    }
  });
});
