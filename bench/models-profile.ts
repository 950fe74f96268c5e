/**
 * Profiling harness for one model of bench/models.bench.ts on one dataset: prepares the same split, fits
 * the model `--fits` times in one process and prints per-fit CPU seconds. Run it under `node --cpu-prof`
 * (via `tsx`'s loader) to see where a fit spends its time:
 *
 *   VIRNYFLOW_DATA_DIR=... node --import tsx --cpu-prof bench/models-profile.ts xgb_clf heart 20
 */
import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import type { Classifier } from '@virnyflow/models';
import { LGBMClassifier, LogisticRegression, XGBClassifier } from '@virnyflow/models';

const MAKE: Record<string, () => Classifier> = {
  xgb_clf: () => new XGBClassifier({ n_estimators: 100, max_depth: 6, learning_rate: 0.1 }, 0),
  lgbm_clf: () => new LGBMClassifier({ n_estimators: 100, num_leaves: 31, learning_rate: 0.1 }, 0),
  lr_clf: () => new LogisticRegression({ penalty: 'l2', C: 1, solver: 'lbfgs' }, 0),
};

async function main(): Promise<void> {
  const [model = 'xgb_clf', dataset = 'heart', fitsArg = '20'] = process.argv.slice(2);
  const make = MAKE[model];
  if (!make) throw new Error(`unknown model ${model}; one of ${Object.keys(MAKE).join(', ')}`);
  const ds = await loadDataset(dataset);
  const split = splitDataset(ds, 101, 0.2);
  const pipe = FeaturePipeline.fit(split.xTrain, {
    numericalColumns: ds.numericalColumns,
    categoricalColumns: ds.categoricalColumns,
  });
  const tr = pipe.transform(split.xTrain);
  const src = tr.data as Float64Array;
  console.log(`${dataset}: ${tr.nRows} × ${tr.nCols}`);
  const times: number[] = [];
  const wall: number[] = [];
  for (let k = 0; k < Number(fitsArg); k++) {
    // A new view each fit: no binning cache hit, as in the benchmark.
    const X = {
      data: new Float64Array(src.buffer, src.byteOffset, src.length),
      nRows: tr.nRows,
      nCols: tr.nCols,
    };
    const t0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    make().fit(X, split.yTrain, { seed: 1 });
    const d = process.cpuUsage(t0);
    times.push((d.user + d.system) / 1e6);
    wall.push(Number(process.hrtime.bigint() - w0) / 1e9);
  }
  console.log(times.map((t) => t.toFixed(3)).join(' '));
  console.log(`best cpu ${Math.min(...times).toFixed(3)} s, wall ${Math.min(...wall).toFixed(3)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
