import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import { createClassifier } from '@virnyflow/models';
const ds = await loadDataset(process.argv[2] ?? 'folk_emp');
const split = splitDataset(ds, 101, 0.2);
const pipe = FeaturePipeline.fit(split.xTrain, {
  numericalColumns: ds.numericalColumns,
  categoricalColumns: ds.categoricalColumns,
});
const tr = pipe.transform(split.xTrain);
const X = { data: tr.data, nRows: tr.nRows, nCols: tr.nCols };
const cases: [string, Record<string, unknown>][] = [
  [
    'rf_clf',
    { n_estimators: 100, max_depth: null, min_samples_split: 2, min_samples_leaf: 1, bootstrap: true },
  ],
  ['rf_clf', { n_estimators: 100, max_depth: null, bootstrap: false }],
];
for (const [kind, params] of cases) {
  const m = createClassifier(kind, params, 100);
  const t0 = performance.now();
  m.fit(X, split.yTrain, { seed: 101 });
  const t1 = performance.now();
  console.log(kind, JSON.stringify(params), `${((t1 - t0) / 1000).toFixed(2)} s`);
}
