/**
 * The bootstrap (SPEC §7.2): sampling and seeds, shared training data, re-scoring without refitting, and
 * identical results in this thread and on 1 or 2 real worker threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Classifier, DenseMatrix, FitOptions, SerializedModel } from '@virnyflow/models';
import {
  InThreadExecutor,
  MetricsErrorCode,
  WorkerPoolExecutor,
  bootstrapRows,
  bootstrapSampleSize,
  computeMetrics,
  predictMatrix,
  runBootstrap,
  runBootstrapSync,
  scoreEnsemble,
} from '../src/index';
import type { GroupPartition, ModelSpec } from '../src/index';
import { RandomForestClassifier } from '@virnyflow/models';
import { KIND, TinyLogistic, syntheticProblem } from './fixtures/logistic';

const PROVIDER = new URL('./fixtures/logistic.ts', import.meta.url).href;
const spec: ModelSpec = { kind: KIND, params: { steps: 40 }, provider: PROVIDER };
// The models package's rf_clf through the default provider ('@virnyflow/models').
const rfParams = { n_estimators: 5, max_depth: 4, max_features: 'sqrt' };
const rfSpec: ModelSpec = { kind: 'rf_clf', params: rfParams };
const train = syntheticProblem(600, 5, 7);
const test = syntheticProblem(200, 5, 8);

function overall(n: number): GroupPartition {
  return { nRows: n, keys: [], names: ['overall'], masks: [new Uint8Array(n).fill(1)], sizes: [n] };
}

/** Records what fit received. */
class Recorder implements Classifier {
  readonly kind = 'recorder';
  X: DenseMatrix | null = null;
  options: FitOptions | null = null;
  fit(X: DenseMatrix, _y: Uint8Array, options: FitOptions): void {
    this.X = X;
    this.options = options;
  }
  predictProba(X: DenseMatrix): Float64Array {
    return new Float64Array(X.nRows).fill(0.5);
  }
  toJSON(): SerializedModel {
    return { kind: this.kind, version: 1 };
  }
}

describe('bootstrap samples', () => {
  it('sample size is floor(fraction × n) (Virny: int(0.8 × 4222) = 3377)', () => {
    expect(bootstrapSampleSize(4222, 0.8)).toBe(3377);
    expect(bootstrapSampleSize(10, 0.55)).toBe(5);
  });

  it('rows are drawn with replacement, in range, reproducibly per seed', () => {
    const a = bootstrapRows(50, 200, 101);
    expect(a.length).toBe(200);
    expect(Math.max(...a)).toBeLessThan(50);
    // With 200 draws from 50 rows some row repeats.
    expect(new Set(a).size).toBeLessThan(200);
    expect(Array.from(bootstrapRows(50, 200, 101))).toEqual(Array.from(a));
    expect(Array.from(bootstrapRows(50, 200, 102))).not.toEqual(Array.from(a));
  });

  it('estimator m gets seed randomState + m + 1, its sample as `rows`, and the shared matrix', () => {
    const recorders: Recorder[] = [];
    const seedsSeen: number[] = [];
    const ens = runBootstrapSync({
      X: train.X,
      y: train.y,
      nEstimators: 4,
      bootstrapFraction: 0.8,
      randomState: 101,
      createModel: (seed) => {
        seedsSeen.push(seed);
        const r = new Recorder();
        recorders.push(r);
        return r;
      },
    });
    expect(ens.seeds).toEqual([102, 103, 104, 105]);
    expect(seedsSeen).toEqual([102, 103, 104, 105]);
    expect(ens.sampleSize).toBe(480);
    recorders.forEach((r, m) => {
      expect(r.X).toBe(train.X);
      expect(r.options?.seed).toBe(102 + m);
      expect(Array.from(r.options?.rows ?? [])).toEqual(Array.from(bootstrapRows(600, 480, 102 + m)));
    });
  });

  it('rejects bad options with typed errors', async () => {
    const base = { X: train.X, y: train.y, randomState: 1, createModel: () => new TinyLogistic() };
    for (const bad of [
      { nEstimators: 0, bootstrapFraction: 0.5 },
      { nEstimators: 2, bootstrapFraction: 0 },
      { nEstimators: 2, bootstrapFraction: 1.8 },
      { nEstimators: 2, bootstrapFraction: 0.001 },
    ]) {
      await expect(runBootstrap({ ...base, ...bad })).rejects.toMatchObject({
        code: MetricsErrorCode.BadBootstrapOptions,
      });
    }
    const pool = new InThreadExecutor();
    await expect(
      runBootstrap({ X: train.X, y: train.y, nEstimators: 2, bootstrapFraction: 0.5, randomState: 1, pool }),
    ).rejects.toMatchObject({ code: MetricsErrorCode.BadBootstrapOptions });
  });
});

describe('bootstrap on threads', () => {
  const pools: WorkerPoolExecutor[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });
  const common = {
    X: train.X,
    y: train.y,
    nEstimators: 6,
    bootstrapFraction: 0.7,
    randomState: 101,
  };

  const one = new WorkerPoolExecutor(1);
  const two = new WorkerPoolExecutor(2);
  pools.push(one, two);

  it('gives bit-identical predictions in this thread and on 1 and 2 worker threads (rf_clf)', async () => {
    const local = runBootstrapSync({
      ...common,
      createModel: (seed) => new RandomForestClassifier(rfParams, seed),
    });
    const inThread = await runBootstrap({ ...common, model: rfSpec, pool: new InThreadExecutor() });
    const t1 = await runBootstrap({ ...common, model: rfSpec, pool: one });
    const t2 = await runBootstrap({ ...common, model: rfSpec, pool: two });
    const p = predictMatrix(local.estimators, test.X);
    expect(p.length).toBe(6 * 200);
    for (const e of [inThread, t1, t2]) {
      expect(e.seeds).toEqual(local.seeds);
      expect(Array.from(predictMatrix(e.estimators, test.X))).toEqual(Array.from(p));
    }
    // The estimators differ from each other (different samples and seeds).
    expect(Array.from(p.subarray(0, 200))).not.toEqual(Array.from(p.subarray(200, 400)));
  });

  it('runs jobs one after another on a reused pool, other model kinds too', async () => {
    const [a, b] = await Promise.all([
      runBootstrap({ ...common, model: spec, pool: two }),
      runBootstrap({ ...common, nEstimators: 3, model: spec, pool: two }),
    ]);
    const local = runBootstrapSync({ ...common, createModel: () => new TinyLogistic(40) });
    const p = Array.from(predictMatrix(local.estimators, test.X));
    expect(Array.from(predictMatrix(a.estimators, test.X))).toEqual(p);
    expect(Array.from(predictMatrix(b.estimators, test.X))).toEqual(p.slice(0, 3 * 200));
  });

  it('a failing fit rejects the job with the failure code; the pool keeps working', async () => {
    await expect(
      runBootstrap({ ...common, model: { kind: 'test_failing', params: {}, provider: PROVIDER }, pool: two }),
    ).rejects.toMatchObject({ code: 'VF_TEST_FIT_FAILED' });
    const ok = await runBootstrap({ ...common, nEstimators: 2, model: spec, pool: two });
    expect(ok.estimators.length).toBe(2);
  });

  it('an unknown model kind is a typed error', async () => {
    await expect(
      runBootstrap({ ...common, model: { kind: 'nope_clf', params: {} }, pool: new InThreadExecutor() }),
    ).rejects.toMatchObject({ code: MetricsErrorCode.UnknownModel });
  });

  it('a closed pool rejects new jobs', async () => {
    const pool = new WorkerPoolExecutor(1);
    await pool.close();
    await expect(runBootstrap({ ...common, model: spec, pool })).rejects.toMatchObject({
      code: MetricsErrorCode.WorkerFailed,
    });
  });
});

describe('re-scoring and determinism', () => {
  it('scores fitted estimators on another set without refitting', () => {
    const ens = runBootstrapSync({
      X: train.X,
      y: train.y,
      nEstimators: 5,
      bootstrapFraction: 0.8,
      randomState: 102,
      createModel: () => new TinyLogistic(40),
    });
    const onTest = scoreEnsemble({ estimators: ens.estimators, X: test.X, y: test.y, groups: overall(200) });
    const onTrain = scoreEnsemble({
      estimators: ens.estimators,
      X: train.X,
      y: train.y,
      groups: overall(600),
    });
    expect(onTrain.get('Sample_Size', 'overall')).toBe(600);
    expect(onTest.get('Sample_Size', 'overall')).toBe(200);
    const manual = computeMetrics({
      y: test.y,
      groups: overall(200),
      predictions: { kind: 'probabilities', p0: predictMatrix(ens.estimators, test.X), nEstimators: 5 },
    });
    expect(Array.from(onTest.values)).toEqual(Array.from(manual.values));
    // A reasonable model on an easy problem.
    expect(onTest.get('Accuracy', 'overall')).toBeGreaterThan(0.7);
  });

  it('same inputs and seed give identical tables; another seed does not', () => {
    const run = (randomState: number): Float64Array => {
      const ens = runBootstrapSync({
        X: train.X,
        y: train.y,
        nEstimators: 4,
        bootstrapFraction: 0.8,
        randomState,
        createModel: () => new TinyLogistic(30),
      });
      return scoreEnsemble({ estimators: ens.estimators, X: test.X, y: test.y, groups: overall(200) }).values;
    };
    expect(Array.from(run(101))).toEqual(Array.from(run(101)));
    expect(Array.from(run(101))).not.toEqual(Array.from(run(102)));
  });
});
