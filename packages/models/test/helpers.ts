/**
 * Test helpers: small seeded datasets, matrix construction, fixture loading, tolerance checks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@virnyflow/core';
import { expect } from 'vitest';
import type { DenseMatrix } from '../src/classifier';

export function matrix(rows: readonly (readonly (number | null)[])[]): DenseMatrix {
  const nRows = rows.length;
  const nCols = rows[0].length;
  const data = new Float64Array(nRows * nCols);
  for (let i = 0; i < nRows; i++) for (let j = 0; j < nCols; j++) data[i * nCols + j] = rows[i][j] ?? NaN;
  return { data, nRows, nCols };
}

export function labels(y: readonly number[]): Uint8Array {
  return Uint8Array.from(y);
}

/** Rows `idx` of X / y, in that order (duplicates kept). */
export function takeRows(X: DenseMatrix, idx: ArrayLike<number>): DenseMatrix {
  const data = new Float64Array(idx.length * X.nCols);
  for (let k = 0; k < idx.length; k++) {
    data.set(X.data.subarray(idx[k] * X.nCols, (idx[k] + 1) * X.nCols), k * X.nCols);
  }
  return { data, nRows: idx.length, nCols: X.nCols };
}

export function takeLabels(y: Uint8Array, idx: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = y[idx[k]];
  return out;
}

/**
 * A noisy nonlinear problem: feature 0 and 1 matter, the rest is noise; values on a grid of `levels`
 * steps so trees see few distinct values.
 */
export function synthetic(
  n: number,
  d: number,
  seed: number,
  levels = 64,
): { X: DenseMatrix; y: Uint8Array } {
  const rng = new Rng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = rng.nextInt(levels) / 8;
    const x0 = data[i * d];
    const x1 = data[i * d + 1];
    const z = Math.sin(x0) + (x1 > 4 ? 0.8 : -0.2) + 0.4 * rng.normal();
    y[i] = z > 0.3 ? 1 : 0;
  }
  return { X: { data, nRows: n, nCols: d }, y };
}

export function accuracy(y: Uint8Array, p: Float64Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if ((p[i] > 0.5 ? 1 : 0) === y[i]) ok++;
  return ok / y.length;
}

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as T;
}

/** Element-wise |a − b| ≤ atol + rtol·|b|, reporting the first offending index. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const tol = atol + rtol * Math.abs(b[i]);
    if (!(Math.abs(a[i] - b[i]) <= tol)) {
      expect.fail(`index ${i}: ${a[i]} vs ${b[i]} (tolerance ${tol})`);
    }
  }
}

/** Runs `fn` and returns the `code` of what it throws (fails when it does not throw). */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`;
  }
  return expect.fail('expected an error') as never;
}
