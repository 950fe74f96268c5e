import { Rng } from '@virnyflow/core';
import { RandomForestClassifier } from '@virnyflow/models';
import { VarianceForest } from '../src/variance-forest';
const n = 480, p = 4;
const rng = new Rng(1);
const X = new Float64Array(n * p); const y = new Float64Array(n); const yb = new Uint8Array(n);
for (let i = 0; i < n; i++) { for (let j = 0; j < p; j++) X[i*p+j] = rng.normal(); y[i] = X[i*p] + rng.normal(); yb[i] = y[i] > 0 ? 1 : 0; }
const M = { data: X, nRows: n, nCols: p };
const o = { nEstimators: 50, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, bootstrap: true, maxFeatures: p };
for (let rep = 0; rep < 5; rep++) {
  let t0 = performance.now();
  for (let r = 0; r < 10; r++) VarianceForest.fit(M, y, 1, o, r);
  const t1 = performance.now();
  for (let r = 0; r < 10; r++) new RandomForestClassifier({ n_estimators: 50 }, r).fit(M, yb, { seed: 0 });
  const t2 = performance.now();
  console.log('variance forest ms/forest', (t1 - t0) / 10, 'models rf', (t2 - t1) / 10);
}
