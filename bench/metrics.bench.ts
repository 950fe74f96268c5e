/**
 * Bootstrap benchmark (SPEC §7.2): 50 `rf_clf` estimators on `heart` (cardio), 80/20 split with seed 101
 * after one-hot encoding and standard scaling, bootstrap fraction 0.8, random_state 101.
 *
 *   npx tsx bench/metrics.bench.ts [--estimators 50] [--trees 20] [--depth 10] [--rounds 2] [--json]
 *
 * Rows:
 * - naive (baseline): one model after another, each fitted on a fresh copy of its sampled rows — the way a
 *   straightforward port (or Virny on pandas) does it — so every fit re-bins its copy;
 * - shared, in-thread: `runBootstrapSync`, every estimator fitted on the one training matrix with `rows`,
 *   so the binning is computed once and reused;
 * - pool 1 / 2 threads: `runBootstrap` on a `WorkerPoolExecutor`, models returned as JSON and rebuilt; the
 *   time includes starting the threads and loading the TypeScript sources in them.
 * Every shared variant must give bit-identical test-set predictions (checked and printed).
 *
 * Needs VIRNYFLOW_DATA_DIR (the shared datasets directory).
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import { RandomForestClassifier } from '@virnyflow/models';
import type { DenseMatrix } from '@virnyflow/models';
import {
  WorkerPoolExecutor,
  bootstrapRows,
  bootstrapSampleSize,
  buildGroups,
  computeMetrics,
  estimatorSeed,
  predictMatrix,
  runBootstrap,
  runBootstrapSync,
  toSharedMatrix,
} from '@virnyflow/metrics';
import type { BootstrapEnsemble } from '@virnyflow/metrics';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const M = arg('estimators', 50);
const TREES = arg('trees', 20);
const DEPTH = arg('depth', 10);
const ROUNDS = arg('rounds', 2);
const FRACTION = 0.8;
const RANDOM_STATE = 101;
const params = { n_estimators: TREES, max_depth: DEPTH, min_samples_leaf: 3 };

const dataDir = process.env.VIRNYFLOW_DATA_DIR;
if (!dataDir) {
  console.error('set VIRNYFLOW_DATA_DIR to the datasets directory (cardio.csv)');
  process.exit(2);
}

const loadAtStart = loadavg()[0];
const ds = await loadDataset('heart', { dataDir });
const split = splitDataset(ds, RANDOM_STATE);
const pipeline = FeaturePipeline.fit(split.xTrain);
// The training matrix lives in shared memory from the start, so the pool does not copy it per job.
const X = toSharedMatrix(pipeline.transform(split.xTrain));
const Xtest = pipeline.transform(split.xTest);
const y = split.yTrain;
const n = X.nRows;
const size = bootstrapSampleSize(n, FRACTION);

function naive(): Float64Array {
  const models = [];
  for (let m = 0; m < M; m++) {
    const seed = estimatorSeed(RANDOM_STATE, m);
    const rows = bootstrapRows(n, size, seed);
    const data = new Float64Array(size * X.nCols);
    const ym = new Uint8Array(size);
    for (let k = 0; k < size; k++) {
      const r = rows[k];
      data.set(X.data.subarray(r * X.nCols, (r + 1) * X.nCols), k * X.nCols);
      ym[k] = y[r];
    }
    const Xm: DenseMatrix = { data, nRows: size, nCols: X.nCols };
    const model = new RandomForestClassifier(params, seed);
    model.fit(Xm, ym, { seed });
    models.push(model);
  }
  return predictMatrix(models, Xtest);
}

interface Row {
  readonly variant: string;
  /** Wall seconds of each round. */
  readonly seconds: number[];
  p0: Float64Array;
}

const common = { X, y, nEstimators: M, bootstrapFraction: FRACTION, randomState: RANDOM_STATE };
// Built in the threads by the models package's components (the default model provider).
const spec = { kind: 'rf_clf', params };

async function withPool(threads: number): Promise<BootstrapEnsemble> {
  const pool = new WorkerPoolExecutor(threads);
  try {
    return await runBootstrap({ ...common, model: spec, pool });
  } finally {
    await pool.close();
  }
}

const variants: [string, () => Promise<BootstrapEnsemble | Float64Array>][] = [
  ['naive (copy + re-bin per model)', async () => naive()],
  [
    'shared matrix, in-thread',
    async () =>
      runBootstrapSync({ ...common, createModel: (seed) => new RandomForestClassifier(params, seed) }),
  ],
  ['shared matrix, pool 1 thread', () => withPool(1)],
  ['shared matrix, pool 2 threads', () => withPool(2)],
];
const rows: Row[] = variants.map(([variant]) => ({ variant, seconds: [], p0: new Float64Array(0) }));

// Rounds alternate the order (ABCD, DCBA, …) so a load change on a shared machine hits every variant alike.
for (let round = 0; round < ROUNDS; round++) {
  const order = variants.map((_, i) => i);
  if (round % 2 === 1) order.reverse();
  for (const i of order) {
    const t0 = performance.now();
    const out = await variants[i][1]();
    rows[i].seconds.push((performance.now() - t0) / 1000);
    rows[i].p0 = out instanceof Float64Array ? out : predictMatrix(out.estimators, Xtest);
  }
}
const mean = (a: number[]): number => a.reduce((x, v) => x + v, 0) / a.length;

const loadAtEnd = loadavg()[0];
const base = mean(rows[0].seconds);
const ref = rows[1].p0;
const identical = (a: Float64Array): boolean => a.length === ref.length && a.every((v, i) => v === ref[i]);

const groups = buildGroups(split.rawTest, ds.sensitiveAttributes);
const table = computeMetrics({
  y: split.yTest,
  groups,
  predictions: { kind: 'probabilities', p0: ref, nEstimators: M },
});

if (process.argv.includes('--json')) {
  for (const r of rows) {
    console.log(JSON.stringify({ variant: r.variant, seconds: r.seconds, ratio: mean(r.seconds) / base }));
  }
} else {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, node ${process.version}; ` +
      `1-min load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end`,
  );
  console.log(
    `command: npx tsx bench/metrics.bench.ts --estimators ${M} --trees ${TREES} --depth ${DEPTH} --rounds ${ROUNDS}`,
  );
  console.log(
    `heart (cardio): ${n} train × ${X.nCols} features, ${Xtest.nRows} test; ${M} × rf_clf ${JSON.stringify(params)}, ` +
      `samples of ${size} rows`,
  );
  console.log('');
  console.log(
    `variant                               seconds   × naive   test predictions   (mean of ${ROUNDS} rounds)`,
  );
  for (const r of rows) {
    const same = r === rows[0] ? 'baseline' : identical(r.p0) ? 'identical to in-thread' : 'DIFFERENT';
    console.log(
      `${r.variant.padEnd(36)} ${mean(r.seconds).toFixed(2).padStart(8)} ${(mean(r.seconds) / base).toFixed(3).padStart(9)}   ${same}`,
    );
  }
  console.log('');
  const show = ['F1', 'Accuracy', 'Label_Stability', 'Std', 'Jitter', 'Overall_Uncertainty'];
  console.log(
    'test set, overall: ' + show.map((m) => `${m} ${(table.get(m, 'overall') ?? NaN).toFixed(4)}`).join(', '),
  );
  console.log(
    `test set, gender: Equalized_Odds_TPR ${(table.disparity('Equalized_Odds_TPR', 'gender') ?? NaN).toFixed(4)}, ` +
      `Label_Stability_Difference ${(table.disparity('Label_Stability_Difference', 'gender') ?? NaN).toFixed(4)}`,
  );
}
