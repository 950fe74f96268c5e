/**
 * Classifier benchmark: every model of @virnyflow/models on `heart` (cardio) and `folk_emp`, 80/20 split with
 * seed 101 after one-hot encoding and standard scaling (SPEC §5.3), single-threaded, at fixed
 * hyper-parameters; scikit-learn / XGBoost (Debian's, via /usr/bin/python3) run on the very same split in
 * the same run, and the table prints ours / native.
 *
 *   npx tsx bench/models.bench.ts [--json] [--repeat N] [--datasets heart,folk_emp] [--models dt_clf,...]
 *                                 [--no-native] [--mlp]
 *
 * Times are CPU seconds of the process (user + system), best of `--repeat` fits (default 3, split over two
 * rounds that alternate ours and native), after untimed warm-up fits (up to 10 fits or 3 s: the JIT
 * needs several fits to reach its steady state, the state of a worker training model after model): the box is shared, and the CPU time
 * of the best run is what best survives other processes competing for the cores. Each model runs in its own child process (a fresh V8, as a worker
 * training one model type; in one process the models' JIT and heap state disturb each other's timings).
 * Every timed fit gets a new view of the training matrix, so it includes binning (no cache hit).
 * bench/models-native.py measures scikit-learn / XGBoost the same way (time.process_time, best of N). `--json` prints one JSON object per line for our models only:
 * {"dataset","model","fit_s","predict_s","f1","acc","n_train"}.
 *
 * Needs VIRNYFLOW_DATA_DIR (the shared datasets directory).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import type { Classifier, DenseMatrix } from '@virnyflow/models';
import {
  DecisionTreeClassifier,
  LGBMClassifier,
  LogisticRegression,
  MLPClassifier,
  RandomForestClassifier,
  XGBClassifier,
} from '@virnyflow/models';

interface ModelSpec {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly make: (params: Record<string, unknown>) => Classifier;
  /** What the native column runs, and the target on fit-time ratio. */
  readonly native: string;
  readonly target: number;
}

const MODELS: ModelSpec[] = [
  {
    name: 'dt_clf',
    params: { max_depth: 10 },
    make: (p) => new DecisionTreeClassifier(p, 0),
    native: 'sklearn DecisionTreeClassifier',
    target: 1.0,
  },
  {
    name: 'rf_clf',
    params: { n_estimators: 100, max_depth: 10, max_features: 'sqrt', bootstrap: true },
    make: (p) => new RandomForestClassifier(p, 0),
    native: 'sklearn RandomForestClassifier',
    target: 1.0,
  },
  {
    name: 'xgb_clf',
    params: { n_estimators: 100, max_depth: 6, learning_rate: 0.1 },
    make: (p) => new XGBClassifier(p, 0),
    native: 'XGBoost hist depthwise',
    target: 1.5,
  },
  {
    name: 'lgbm_clf',
    params: { n_estimators: 100, num_leaves: 31, learning_rate: 0.1 },
    make: (p) => new LGBMClassifier(p, 0),
    native: 'XGBoost hist lossguide',
    target: 1.5,
  },
  {
    name: 'lr_clf',
    params: { penalty: 'l2', C: 1, solver: 'lbfgs' },
    make: (p) => new LogisticRegression(p, 0),
    native: 'sklearn LogisticRegression lbfgs',
    target: 1.0,
  },
  {
    name: 'mlp_clf',
    params: { activation: 'relu', solver: 'adam', learning_rate: 'constant', max_iter: 50 },
    make: (p) => new MLPClassifier(p, 0),
    native: 'sklearn MLPClassifier adam, 50 epochs',
    target: Infinity,
  },
];

const DATASETS = ['heart', 'folk_emp'];
const SPLIT_SEED = 101;
const TEST_FRACTION = 0.2;
const PYTHON = '/usr/bin/python3';
const ROUNDS = 2;
const WARMUP_FITS = 10;
const WARMUP_SECONDS = 3;

interface Args {
  json: boolean;
  repeat: number;
  datasets: string[];
  models: string[];
  native: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    json: false,
    repeat: 3,
    datasets: DATASETS,
    models: MODELS.filter((m) => m.name !== 'mlp_clf').map((m) => m.name),
    native: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--json') a.json = true;
    else if (k === '--no-native') a.native = false;
    else if (k === '--mlp') a.models = [...a.models, 'mlp_clf'];
    else if (k === '--repeat') a.repeat = Number(argv[++i]);
    else if (k === '--datasets') a.datasets = String(argv[++i]).split(',');
    else if (k === '--models') a.models = String(argv[++i]).split(',');
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

interface Prepared {
  readonly name: string;
  readonly xTrain: DenseMatrix;
  readonly yTrain: Uint8Array;
  readonly xTest: DenseMatrix;
  readonly yTest: Uint8Array;
}

async function prepare(name: string): Promise<Prepared> {
  const ds = await loadDataset(name);
  const split = splitDataset(ds, SPLIT_SEED, TEST_FRACTION);
  const pipe = FeaturePipeline.fit(split.xTrain, {
    numericalColumns: ds.numericalColumns,
    categoricalColumns: ds.categoricalColumns,
  });
  const tr = pipe.transform(split.xTrain);
  const te = pipe.transform(split.xTest);
  return {
    name,
    xTrain: { data: tr.data, nRows: tr.nRows, nCols: tr.nCols },
    yTrain: split.yTrain,
    xTest: { data: te.data, nRows: te.nRows, nCols: te.nCols },
    yTest: split.yTest,
  };
}

interface Result {
  dataset: string;
  model: string;
  fit_s: number;
  predict_s: number;
  f1: number;
  acc: number;
  n_train: number;
}

function scores(y: Uint8Array, proba: Float64Array): { f1: number; acc: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    const pred = proba[i] > 0.5 ? 1 : 0;
    if (pred === y[i]) ok++;
    if (pred === 1 && y[i] === 1) tp++;
    else if (pred === 1) fp++;
    else if (y[i] === 1) fn++;
  }
  return { f1: (2 * tp) / (2 * tp + fp + fn), acc: ok / y.length };
}

/** CPU seconds (user + system) of this process since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function slice(X: DenseMatrix, y: Uint8Array, n: number): { X: DenseMatrix; y: Uint8Array } {
  return { X: { data: X.data.slice(0, n * X.nCols), nRows: n, nCols: X.nCols }, y: y.slice(0, n) };
}

/**
 * A new view of the same data: a different array object, so no binning cache hit (as for a new dataset),
 * without allocating a copy that the collector would charge to the next fits.
 */
function freshView(X: DenseMatrix): DenseMatrix {
  const src = X.data as Float64Array;
  return { data: new Float64Array(src.buffer, src.byteOffset, src.length), nRows: X.nRows, nCols: X.nCols };
}

function runOurs(spec: ModelSpec, d: Prepared, repeat: number): Result {
  // Untimed warm-up fits until the JIT has optimised the hot loops (up to WARMUP_FITS full fits or
  // WARMUP_SECONDS): the steady state of a worker that trains model after model. The MLP, slow per fit,
  // warms up on a slice.
  if (spec.name === 'mlp_clf') {
    const warm = slice(d.xTrain, d.yTrain, Math.min(2000, d.xTrain.nRows));
    spec.make(spec.params).fit(warm.X, warm.y, { seed: 1 });
  } else {
    const start = process.cpuUsage();
    for (let k = 0; k < WARMUP_FITS && cpuSeconds(start) < WARMUP_SECONDS; k++) {
      spec.make(spec.params).fit(freshView(d.xTrain), d.yTrain, { seed: 1 });
    }
  }
  const fits: number[] = [];
  const preds: number[] = [];
  let proba: Float64Array = new Float64Array(0);
  for (let r = 0; r < repeat; r++) {
    const X = freshView(d.xTrain);
    const m = spec.make(spec.params);
    const t0 = process.cpuUsage();
    m.fit(X, d.yTrain, { seed: 1 });
    fits.push(cpuSeconds(t0));
    const t1 = process.cpuUsage();
    proba = m.predictProba(d.xTest);
    preds.push(cpuSeconds(t1));
  }
  const s = scores(d.yTest, proba);
  return {
    dataset: d.name,
    model: spec.name,
    fit_s: Math.min(...fits),
    predict_s: Math.min(...preds),
    f1: s.f1,
    acc: s.acc,
    n_train: d.xTrain.nRows,
  };
}

/** Writes a prepared split as raw little-endian arrays plus meta.json (read by the worker and by Python). */
function writeSplit(d: Prepared, dir: string, models: string[], repeat: number): void {
  const w = (f: string, a: ArrayBufferView): void =>
    writeFileSync(join(dir, f), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  w('x_train.f64', d.xTrain.data);
  w('y_train.u8', d.yTrain);
  w('x_test.f64', d.xTest.data);
  w('y_test.u8', d.yTest);
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      name: d.name,
      n_train: d.xTrain.nRows,
      n_test: d.xTest.nRows,
      n_cols: d.xTrain.nCols,
      models,
      repeat,
    }),
  );
}

function readSplit(dir: string): Prepared {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
    name: string;
    n_train: number;
    n_test: number;
    n_cols: number;
  };
  const f64 = (f: string): Float64Array => {
    const b = readFileSync(join(dir, f));
    const out = new Float64Array(b.byteLength / 8);
    new Uint8Array(out.buffer).set(b);
    return out;
  };
  const u8 = (f: string): Uint8Array => new Uint8Array(readFileSync(join(dir, f)));
  return {
    name: meta.name,
    xTrain: { data: f64('x_train.f64'), nRows: meta.n_train, nCols: meta.n_cols },
    yTrain: u8('y_train.u8'),
    xTest: { data: f64('x_test.f64'), nRows: meta.n_test, nCols: meta.n_cols },
    yTest: u8('y_test.u8'),
  };
}

/** Our model in a child process (fresh V8): `--worker <dir> <model> <repeat>` prints one Result line. */
function runOursIsolated(dir: string, model: string, repeat: number): Result {
  const stdout = execFileSync(
    process.execPath,
    [...process.execArgv, process.argv[1], '--worker', dir, model, String(repeat)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  const line = stdout.trim().split('\n').pop() as string;
  return JSON.parse(line) as Result;
}

/** One model of scikit-learn / XGBoost on the split in `dir` (bench/models-native.py), or null. */
function runNative(dir: string, d: Prepared, model: string, repeat: number): Result | null {
  const script = join(import.meta.dirname, 'models-native.py');
  if (!existsSync(PYTHON) || !existsSync(script)) return null;
  try {
    const stdout = execFileSync(PYTHON, [script, dir, model, String(repeat)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    const line = stdout.trim().split('\n').pop();
    return line ? { ...(JSON.parse(line) as Result), dataset: d.name } : null;
  } catch (err) {
    process.stderr.write(`native baseline failed: ${(err as Error).message}\n`);
    return null;
  }
}

/** Best (lowest) times of two runs of the same deterministic model. */
function best(a: Result | null, b: Result | null): Result | null {
  if (!a || !b) return a ?? b;
  return { ...b, fit_s: Math.min(a.fit_s, b.fit_s), predict_s: Math.min(a.predict_s, b.predict_s) };
}

function fmt(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') {
    const [dir, model, repeat] = process.argv.slice(3);
    const spec = MODELS.find((m) => m.name === model);
    if (!spec) throw new Error(`unknown model ${model}`);
    process.stdout.write(`${JSON.stringify(runOurs(spec, readSplit(dir), Number(repeat)))}\n`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  if (!process.env.VIRNYFLOW_DATA_DIR) {
    throw new Error(
      'set VIRNYFLOW_DATA_DIR to the shared datasets directory (see /work/shared/datasets/README.md)',
    );
  }
  const specs = MODELS.filter((m) => args.models.includes(m.name));
  const rows: { ours: Result; native?: Result; spec: ModelSpec }[] = [];
  for (const name of args.datasets) {
    const d = await prepare(name);
    const dir = mkdtempSync(join(tmpdir(), 'vf-models-bench-'));
    try {
      writeSplit(
        d,
        dir,
        specs.map((s) => s.name),
        args.repeat,
      );
      for (const spec of specs) {
        // Native and ours alternate in ROUNDS rounds, so both meet the same load on a shared machine.
        const perRound = Math.max(1, Math.ceil(args.repeat / ROUNDS));
        let ours: Result | null = null;
        let native: Result | null = null;
        for (let round = 0; round < ROUNDS; round++) {
          if (args.native && !args.json) native = best(native, runNative(dir, d, spec.name, perRound));
          ours = best(ours, runOursIsolated(dir, spec.name, perRound));
        }
        if (args.json) process.stdout.write(`${JSON.stringify(ours)}\n`);
        rows.push({ ours: ours as Result, native: native ?? undefined, spec });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (args.json) return;
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`# models benchmark — node ${process.version}, ${cpus().length}× ${cpu}, single-threaded`);
  console.log(`# npx tsx bench/models.bench.ts ${process.argv.slice(2).join(' ')}`);
  console.log(
    `# split: 80/20 seed ${SPLIT_SEED}, one-hot + standard scaling; CPU seconds, best of ${args.repeat}; ratio = ours / native fit`,
  );
  const header = [
    'dataset',
    'model',
    'n_train',
    'fit_s',
    'native_fit_s',
    'ratio',
    'target',
    'predict_s',
    'native_pred_s',
    'f1',
    'native_f1',
    'Δf1',
    'acc',
    'native_acc',
    'native',
  ];
  const table = rows.map(({ ours, native, spec }) => [
    ours.dataset,
    ours.model,
    String(ours.n_train),
    fmt(ours.fit_s),
    fmt(native?.fit_s),
    native ? `${(ours.fit_s / native.fit_s).toFixed(2)}×` : '-',
    Number.isFinite(spec.target) ? `≤${spec.target.toFixed(1)}×` : '-',
    fmt(ours.predict_s, 4),
    fmt(native?.predict_s, 4),
    fmt(ours.f1, 4),
    fmt(native?.f1, 4),
    native ? (ours.f1 - native.f1).toFixed(4) : '-',
    fmt(ours.acc, 4),
    fmt(native?.acc, 4),
    spec.native,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...table.map((r) => r[k].length)));
  const line = (cells: string[]): string => cells.map((c, k) => c.padEnd(widths[k])).join('  ');
  console.log(line(header));
  for (const r of table) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
