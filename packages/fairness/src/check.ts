/**
 * Entry checks shared by the interventions: dimensions, 0/1 arrays, finite values, both groups present.
 * They run once per call, so the numeric loops after them need no checks.
 */
import type { DenseMatrix } from '@virnyflow/models';
import { FairnessErrorCode, fairnessError } from './errors';

export function checkMatrix(X: DenseMatrix, where: string): void {
  if (X.data.length !== X.nRows * X.nCols) {
    throw fairnessError(
      FairnessErrorCode.ShapeMismatch,
      `${where}: X.data has ${X.data.length} values but nRows × nCols = ${X.nRows} × ${X.nCols}; pass a dense row-major matrix`,
      { where, length: X.data.length, nRows: X.nRows, nCols: X.nCols },
    );
  }
}

export function checkLength(name: string, length: number, expected: number, where: string): void {
  if (length !== expected) {
    throw fairnessError(
      FairnessErrorCode.ShapeMismatch,
      `${where}: ${name} has ${length} entries but ${expected} rows were given; align it with the rows`,
      { where, name, length, expected },
    );
  }
}

export function checkBinary(name: string, a: Uint8Array, where: string): void {
  for (let i = 0; i < a.length; i++) {
    if (a[i] > 1) {
      throw fairnessError(
        FairnessErrorCode.NotBinary,
        `${where}: ${name}[${i}] = ${a[i]}; ${name} must hold 0/1 values`,
        { where, name, index: i, value: a[i] },
      );
    }
  }
}

export function checkFinite(name: string, data: ArrayLike<number>, where: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw fairnessError(
        FairnessErrorCode.NonFiniteInput,
        `${where}: ${name} holds ${data[i]} at flat index ${i}; impute missing values before the fairness intervention`,
        { where, name, index: i, value: data[i] },
      );
    }
  }
}

export function checkRows(rows: Uint32Array | undefined, n: number, where: string): void {
  if (!rows) return;
  for (let t = 0; t < rows.length; t++) {
    if (rows[t] >= n) {
      throw fairnessError(
        FairnessErrorCode.ShapeMismatch,
        `${where}: rows[${t}] = ${rows[t]} is not below the row count ${n}`,
        { where, index: t, value: rows[t], n },
      );
    }
  }
  if (rows.length === 0) {
    throw fairnessError(FairnessErrorCode.ShapeMismatch, `${where}: rows is empty; pass at least one row`, {
      where,
    });
  }
}

export function checkSampleWeight(w: Float64Array | undefined, n: number, where: string): void {
  if (!w) return;
  checkLength('sampleWeight', w.length, n, where);
  for (let i = 0; i < w.length; i++) {
    if (!(w[i] >= 0) || !Number.isFinite(w[i])) {
      throw fairnessError(
        FairnessErrorCode.BadOption,
        `${where}: sampleWeight[${i}] = ${w[i]}; weights must be finite and non-negative`,
        { where, index: i, value: w[i] },
      );
    }
  }
}

/** Full check of a training call; returns the row count of each group over the used rows. */
export function checkTraining(
  X: DenseMatrix,
  y: Uint8Array,
  prot: Uint8Array,
  where: string,
  opts: { finite?: boolean; rows?: Uint32Array; sampleWeight?: Float64Array } = {},
): [number, number] {
  checkMatrix(X, where);
  checkLength('y', y.length, X.nRows, where);
  checkLength('prot', prot.length, X.nRows, where);
  checkBinary('y', y, where);
  checkBinary('prot', prot, where);
  checkRows(opts.rows, X.nRows, where);
  checkSampleWeight(opts.sampleWeight, X.nRows, where);
  if (opts.finite) checkFinite('X', X.data, where);
  return requireBothGroups(prot, where, opts.rows);
}

/** Counts the rows of each protected group and throws `VF_FAIRNESS_EMPTY_GROUP` when one is empty. */
export function requireBothGroups(prot: Uint8Array, where: string, rows?: Uint32Array): [number, number] {
  let n1 = 0;
  const n = rows ? rows.length : prot.length;
  for (let t = 0; t < n; t++) n1 += prot[rows ? rows[t] : t];
  const n0 = n - n1;
  if (n0 === 0 || n1 === 0) {
    const missing = n0 === 0 ? 'disadvantaged (prot = 0)' : 'privileged (prot = 1)';
    throw fairnessError(
      FairnessErrorCode.EmptyGroup,
      `${where}: the ${missing} group has no training rows (${n0} disadvantaged, ${n1} privileged); a fairness intervention needs both groups — check sensitive_attributes_for_intervention and the split`,
      { where, n0, n1 },
    );
  }
  return [n0, n1];
}

export function notFitted(where: string): never {
  throw fairnessError(FairnessErrorCode.NotFitted, `${where}: call fit() before using the intervention`, {
    where,
  });
}

export function checkFeatureCount(X: DenseMatrix, expected: number, where: string): void {
  checkMatrix(X, where);
  if (X.nCols !== expected) {
    throw fairnessError(
      FairnessErrorCode.FeatureCountMismatch,
      `${where}: X has ${X.nCols} columns but the intervention was fitted on ${expected}; transform with the same preprocessing`,
      { where, nCols: X.nCols, expected },
    );
  }
}

export function badOption(where: string, name: string, value: unknown, expected: string): never {
  throw fairnessError(
    FairnessErrorCode.BadOption,
    `${where}: ${name} = ${JSON.stringify(value)}; expected ${expected}`,
    { where, name, value },
  );
}
