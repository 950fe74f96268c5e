import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import type { DenseMatrix } from '@virnyflow/models';
import {
  binMatrix,
  DecisionTreeClassifier,
  RandomForestClassifier,
  XGBClassifier,
  LGBMClassifier,
  LogisticRegression,
  MLPClassifier,
} from '@virnyflow/models';

const name = process.argv[2] ?? 'heart';
const which = (process.argv[3] ?? 'bin,dt').split(',');
const ds = await loadDataset(name);
const split = splitDataset(ds, 101, 0.2);
const pipe = FeaturePipeline.fit(split.xTrain, {
  numericalColumns: ds.numericalColumns,
  categoricalColumns: ds.categoricalColumns,
});
const tr = pipe.transform(split.xTrain);
const te = pipe.transform(split.xTest);
const X0: DenseMatrix = { data: tr.data, nRows: tr.nRows, nCols: tr.nCols };
const Xt: DenseMatrix = { data: te.data, nRows: te.nRows, nCols: te.nCols };
const fresh = (): DenseMatrix => ({ data: X0.data.slice(), nRows: X0.nRows, nCols: X0.nCols });
const makers: Record<
  string,
  () => {
    fit: (X: DenseMatrix, y: Uint8Array, o: { seed: number }) => void;
    predictProba: (X: DenseMatrix) => Float64Array;
  }
> = {
  dt: () => new DecisionTreeClassifier({ max_depth: 10 }),
  rf: () => new RandomForestClassifier({ n_estimators: 100, max_depth: 10 }),
  rfdeep: () => new RandomForestClassifier({ n_estimators: 30, max_depth: null, bootstrap: false }),
  xgb: () => new XGBClassifier({ n_estimators: 100, max_depth: 6, learning_rate: 0.1 }),
  lgbm: () => new LGBMClassifier({ n_estimators: 100, num_leaves: 31, learning_rate: 0.1 }),
  lr: () => new LogisticRegression({ C: 1 }),
  mlp: () => new MLPClassifier({ max_iter: 3, n_iter_no_change: 100 }),
};
const reps = Number(process.argv[4] ?? 3);
const best = new Map<string, number>();
const note = (k: string, v: number): void => {
  best.set(k, Math.min(best.get(k) ?? Infinity, v));
};
for (let rep = 0; rep < reps; rep++) {
  for (const w of which) {
    if (w === 'bin') {
      const c0 = process.cpuUsage();
      const B = binMatrix(fresh());
      const c1 = process.cpuUsage(c0);
      note('bin', (c1.user + c1.system) / 1000);
      if (reps <= 3)
        console.log(
          `bin cpu ${((c1.user + c1.system) / 1000).toFixed(1)} ms totalBins ${B.mapper.totalBins}`,
        );
      continue;
    }
    const m = makers[w]();
    const X = fresh();
    if (process.env.PREBIN !== '0') binMatrix(X);
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    m.fit(X, split.yTrain, { seed: 1 });
    const c1 = process.cpuUsage(c0);
    note(w, (c1.user + c1.system) / 1000);
    note(w + '_wall', performance.now() - w0);
    const p = m.predictProba(Xt);
    let ok = 0;
    for (let i = 0; i < p.length; i++) if ((p[i] > 0.5 ? 1 : 0) === split.yTest[i]) ok++;
    if (reps <= 3)
      console.log(
        `${w} fit(excl. binning) cpu ${((c1.user + c1.system) / 1000).toFixed(1)} ms acc ${(ok / p.length).toFixed(4)}`,
      );
  }
}
console.log([...best].map(([k, v]) => `${k} ${v.toFixed(1)}ms`).join('  '));
if (which.includes('lr')) {
  const m = new LogisticRegression({ C: 1 });
  m.fit(fresh(), split.yTrain, { seed: 1 });
  console.log(m.fitInfo);
}
