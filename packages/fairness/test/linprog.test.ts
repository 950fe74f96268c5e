import { describe, expect, it } from 'vitest';
import { linprog } from '@virnyflow/fairness';

describe('linprog (two-phase simplex, Bland)', () => {
  it('solves the textbook maximisation (Hillier–Lieberman Wyndor: x=2, y=6, 36)', () => {
    // max 3x + 5y s.t. x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18  ⇔  min −3x − 5y.
    const r = linprog({ c: [-3, -5], Aub: [1, 0, 0, 2, 3, 2], bub: [4, 12, 18] });
    expect(r.status).toBe('optimal');
    expect(r.x[0]).toBeCloseTo(2, 12);
    expect(r.x[1]).toBeCloseTo(6, 12);
    expect(r.fun).toBeCloseTo(-36, 12);
  });

  it('handles equalities and negative right-hand sides (phase 1)', () => {
    // min x + 2y + 3z s.t. x + y + z = 1, x − y ≤ −0.2 (y ≥ x + 0.2), z ≥ 0.1 (−z ≤ −0.1).
    // Optimum: z = 0.1, x + y = 0.9, y = x + 0.2 ⇒ x = 0.35, y = 0.55; cost 0.35 + 1.1 + 0.3 = 1.75.
    const r = linprog({
      c: [1, 2, 3],
      Aub: [1, -1, 0, 0, 0, -1],
      bub: [-0.2, -0.1],
      Aeq: [1, 1, 1],
      beq: [1],
    });
    expect(r.status).toBe('optimal');
    expect(Array.from(r.x).map((v) => +v.toFixed(10))).toEqual([0.35, 0.55, 0.1]);
    expect(r.fun).toBeCloseTo(1.75, 12);
  });

  it('reports infeasible and unbounded problems', () => {
    // x ≤ 1 and x ≥ 2.
    expect(linprog({ c: [1], Aub: [1, -1], bub: [1, -2] }).status).toBe('infeasible');
    // x + y = 1 and x + y = 2.
    expect(linprog({ c: [1, 1], Aeq: [1, 1, 1, 1], beq: [1, 2] }).status).toBe('infeasible');
    // min −x with only x − y ≤ 1.
    expect(linprog({ c: [-1, 0], Aub: [1, -1], bub: [1] }).status).toBe('unbounded');
  });

  it('does not cycle on Beale’s degenerate example', () => {
    // Beale (1955): min −¾x₄ + 20x₅ − ½x₆ + 6x₇ s.t. ¼x₄ − 8x₅ − x₆ + 9x₇ ≤ 0, ½x₄ − 12x₅ − ½x₆ + 3x₇ ≤ 0,
    // x₆ ≤ 1. Dantzig's largest-coefficient rule cycles here; the optimum is −5/4 at x₄ = x₆ = 1.
    const c = [-0.75, 20, -0.5, 6];
    const Aub = [0.25, -8, -1, 9, 0.5, -12, -0.5, 3, 0, 0, 1, 0];
    const r = linprog({ c, Aub, bub: [0, 0, 1] });
    expect(r.status).toBe('optimal');
    expect(r.fun).toBeCloseTo(-1.25, 10);
    // Feasibility of the returned point.
    for (let row = 0; row < 3; row++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += Aub[row * 4 + j] * r.x[j];
      expect(s).toBeLessThanOrEqual([0, 0, 1][row] + 1e-12);
    }
  });

  it('drops redundant equality rows', () => {
    // The same equality twice; min x − y s.t. x + y = 1 (twice), y ≤ 0.7.
    const r = linprog({ c: [1, -1], Aub: [0, 1], bub: [0.7], Aeq: [1, 1, 2, 2], beq: [1, 2] });
    expect(r.status).toBe('optimal');
    expect(r.x[0]).toBeCloseTo(0.3, 12);
    expect(r.x[1]).toBeCloseTo(0.7, 12);
  });
});
