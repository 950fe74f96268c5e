/**
 * Adapts an in-processor to the plain `Classifier` interface for code that only knows classifiers (the
 * bootstrap of the metrics package): the protected column travels as one extra column of the matrix, as
 * VirnyFlow keeps the binary column in the frame (SPEC §2.4). The adapter strips that column, reads it as
 * `prot` (value ≥ 0.5 → 1) and forwards `fit`/`predictProba` with the same options (seed, rows, weights).
 *
 * One adapter wraps one in-processor instance, i.e. one fitted model: build one per bootstrap estimator. The
 * split of a matrix is cached (weakly) by the identity of its `data` array and the column, so the M estimators
 * of one evaluation share one copy; matrices are treated as immutable, as everywhere in this code base.
 */
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';
import { checkMatrix } from './check';
import { FairnessErrorCode, fairnessError } from './errors';
import type { InProcessor } from './stage';

interface Split {
  readonly X: DenseMatrix;
  readonly prot: Uint8Array;
}

/** data array → column → split. Weak keys: a split lives exactly as long as its source matrix. */
const splitCache = new WeakMap<object, Map<number, Split>>();

export class ProtectedColumnClassifier implements Classifier {
  readonly kind: string;

  /** `column`: index of the binary protected column inside the matrices this classifier receives. */
  constructor(
    readonly inner: InProcessor,
    readonly column: number,
  ) {
    if (!(Number.isInteger(column) && column >= 0)) {
      throw fairnessError(
        FairnessErrorCode.BadOption,
        `protected column index ${column} must be a non-negative integer`,
        { column },
      );
    }
    this.kind = inner.name;
  }

  fit(X: DenseMatrix, y: Uint8Array, options: FitOptions): void {
    const s = this.split(X, 'fit');
    this.inner.fit(s.X, y, s.prot, options);
  }

  predictProba(X: DenseMatrix): Float64Array {
    const s = this.split(X, 'predictProba');
    return this.inner.predictProba(s.X, s.prot);
  }

  toJSON(): SerializedModel {
    return { kind: 'ProtectedColumnClassifier', version: 1, column: this.column, inner: this.inner.toJSON() };
  }

  private split(X: DenseMatrix, where: string): Split {
    checkMatrix(X, `ProtectedColumnClassifier.${where}`);
    let byColumn = splitCache.get(X.data);
    const hit = byColumn?.get(this.column);
    if (hit && hit.X.nRows === X.nRows && hit.X.nCols === X.nCols - 1) return hit;
    const { nRows, nCols, data } = X;
    const col = this.column;
    if (col >= nCols) {
      throw fairnessError(
        FairnessErrorCode.FeatureCountMismatch,
        `ProtectedColumnClassifier.${where}: protected column ${col} is outside a matrix of ${nCols} columns; append the binary protected column`,
        { column: col, nCols },
      );
    }
    const w = nCols - 1;
    const out = new Float64Array(nRows * w);
    const prot = new Uint8Array(nRows);
    for (let i = 0; i < nRows; i++) {
      const o = i * nCols;
      for (let j = 0; j < col; j++) out[i * w + j] = data[o + j];
      for (let j = col + 1; j < nCols; j++) out[i * w + j - 1] = data[o + j];
      prot[i] = data[o + col] >= 0.5 ? 1 : 0;
    }
    const s = { X: { data: out, nRows, nCols: w }, prot };
    if (!byColumn) {
      byColumn = new Map();
      splitCache.set(X.data, byColumn);
    }
    byColumn.set(col, s);
    return s;
  }
}

/** Shorthand for `new ProtectedColumnClassifier(inner, column)`. */
export function protectedColumnClassifier(inner: InProcessor, column: number): Classifier {
  return new ProtectedColumnClassifier(inner, column);
}
