import { Rng } from '@virnyflow/core';
import { Table, numericColumn, categoricalColumn, injectNulls } from '@virnyflow/data';
import type { Imputer } from '@virnyflow/data';
import { MissForestImputer, KMeansImputer, KnnImputer } from '../src/index';
const n = 1000;
const rng = new Rng(1);
const a = new Float64Array(n), b = new Float64Array(n), c = new Float64Array(n), k = new Int32Array(n), bin = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const z = rng.normal();
  a[i] = z + 0.2 * rng.normal();
  b[i] = 2 * z + 0.3 * rng.normal() + 10;
  c[i] = rng.normal();
  k[i] = z < -0.5 ? 0 : z < 0.5 ? 1 : 2;
  bin[i] = z > 0 ? 1 : 0;
}
const full = new Table([numericColumn('a', a), numericColumn('b', b), numericColumn('c', c), categoricalColumn('k', k, ['lo','mid','hi']), categoricalColumn('bin', bin, ['n','y'])]);
const inj = injectNulls(full, { strategy: 'MCAR', columns: ['a','b','k','bin'], nullPercentage: 0.4 }, 7).table;
const rf = { nEstimators: 50, maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, bootstrap: true };
const imps: Imputer[] = [new MissForestImputer({ classifier: rf, regressor: rf, seed: 3 }), new KMeansImputer({ nClusters: 8, maxIter: 100, init: 'Huang', nInit: 5, seed: 3 }), new KnnImputer({ nNeighbors: 5, weights: 'distance' })];
for (const imp of imps) {
let t0 = performance.now();
imp.fit(inj);
const out = imp.transform(inj);
console.log(imp.name, 'ms', (performance.now() - t0).toFixed(0));
for (const name of ['a','b']) {
  const o = (out.column(name) as any).values, orig = (full.column(name) as any).values, m = (inj.column(name) as any).values;
  let se = 0, sm = 0, cnt = 0, mean = 0, nn = 0;
  for (let i = 0; i < n; i++) if (m[i] === m[i]) { mean += m[i]; nn++; }
  mean /= nn;
  for (let i = 0; i < n; i++) { if (m[i] !== m[i]) { se += (o[i]-orig[i])**2; sm += (mean-orig[i])**2; cnt++; } }
  console.log(' ', name, 'rmse', Math.sqrt(se/cnt).toFixed(3), 'mean rmse', Math.sqrt(sm/cnt).toFixed(3));
}
for (const name of ['k','bin']) {
  const o = (out.column(name) as any).codes, orig = (full.column(name) as any).codes, m = (inj.column(name) as any).codes;
  let ok = 0, cnt = 0;
  for (let i = 0; i < n; i++) if (m[i] < 0) { cnt++; if (o[i] === orig[i]) ok++; }
  console.log(' ', name, 'acc', (ok / cnt).toFixed(3));
}
}
