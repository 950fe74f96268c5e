import { describe, expect, it } from 'vitest';
import {
  AdversarialDebiasing,
  FairnessErrorCode,
  protectedColumnClassifier,
  protectedColumnClassifierFromJSON,
} from '@virnyflow/fairness';
import type { DenseMatrix } from '@virnyflow/models';
import { biasedData } from './helpers';

/** X with the protected column inserted at index `col`. */
function withColumn(X: DenseMatrix, prot: Uint8Array, col: number): DenseMatrix {
  const w = X.nCols + 1;
  const data = new Float64Array(X.nRows * w);
  for (let i = 0; i < X.nRows; i++) {
    for (let j = 0, k = 0; j < w; j++) data[i * w + j] = j === col ? prot[i] : X.data[i * X.nCols + k++];
  }
  return { data, nRows: X.nRows, nCols: w };
}

describe('protectedColumnClassifier', () => {
  it('feeds an in-processor the matrix without the column and the column as prot', () => {
    const ds = biasedData(400, 6);
    const opts = {
      adversaryLossWeight: 0.3,
      numEpochs: 3,
      batchSize: 64,
      classifierNumHiddenUnits: 16,
      debias: true,
    };
    const direct = new AdversarialDebiasing(opts);
    direct.fit(ds.X, ds.y, ds.prot, { seed: 2 });
    const wrapped = protectedColumnClassifier(new AdversarialDebiasing(opts), 1);
    const Xp = withColumn(ds.X, ds.prot, 1);
    wrapped.fit(Xp, ds.y, { seed: 2 });
    expect(wrapped.kind).toBe('AD');
    expect(Array.from(wrapped.predictProba(Xp))).toEqual(Array.from(direct.predictProba(ds.X, ds.prot)));
    const back = protectedColumnClassifierFromJSON(JSON.parse(JSON.stringify(wrapped.toJSON())));
    expect(Array.from(back.predictProba(Xp))).toEqual(Array.from(wrapped.predictProba(Xp)));
    // Bootstrap rows pass through unchanged.
    const rows = Uint32Array.from({ length: 200 }, (_, t) => (t * 7) % 400);
    const d2 = new AdversarialDebiasing(opts);
    d2.fit(ds.X, ds.y, ds.prot, { seed: 2, rows });
    const w2 = protectedColumnClassifier(new AdversarialDebiasing(opts), 1);
    w2.fit(Xp, ds.y, { seed: 2, rows });
    expect(Array.from(w2.predictProba(Xp))).toEqual(Array.from(d2.predictProba(ds.X, ds.prot)));
    expect(() =>
      protectedColumnClassifier(new AdversarialDebiasing(opts), 9).fit(Xp, ds.y, { seed: 1 }),
    ).toThrow(expect.objectContaining({ code: FairnessErrorCode.FeatureCountMismatch }));
  });
});
