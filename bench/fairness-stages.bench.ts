/**
 * Fairness-intervention benchmark: fit and transform/predict time of every component of
 * @virnyflow/fairness at its default configuration (SPEC §2.4) on `heart` (cardio), with the fairness effect
 * on the test split. Baseline: fitting the pipeline's plain model (`lr_clf`, C = 1) on the same matrix — the
 * "ratio" column is the intervention's fit time over that model fit, i.e. what the stage adds to a pipeline.
 *
 *   npx tsx --tsconfig bench/fairness.tsconfig.json bench/fairness-stages.bench.ts [--rows N] [--components DIR,LFR,...] [--lfr-maxiter N]
 *
 * Data: 80/20 split with seed 101; `gender` (disadvantaged value '1') is dropped from the features and
 * becomes the binary protected column (0 = disadvantaged, SPEC §2.4); one-hot + standard scaling fitted on
 * train (SPEC §5.3). `--rows N` subsamples the dataset first (seeded, without replacement). Composition per
 * phase as documented in packages/fairness/src/stage.ts. Single-threaded. Needs VIRNYFLOW_DATA_DIR.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Rng } from '@virnyflow/core';
import { FeaturePipeline, loadDataset, splitDataset } from '@virnyflow/data';
import type { FairnessIntervention, FairnessInterventionFactory } from '@virnyflow/fairness';
import {
  ExponentiatedGradientReduction,
  LearningFairRepresentations,
  fairnessComponents,
} from '@virnyflow/fairness';
import type { Classifier, DenseMatrix } from '@virnyflow/models';
import { modelComponents } from '@virnyflow/models';

const SPLIT_SEED = 101;
const FIT_SEED = 100;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Prepared {
  readonly xTrain: DenseMatrix;
  readonly yTrain: Uint8Array;
  readonly pTrain: Uint8Array;
  readonly xTest: DenseMatrix;
  readonly yTest: Uint8Array;
  readonly pTest: Uint8Array;
}

async function prepare(rows: number | undefined): Promise<Prepared> {
  const ds = await loadDataset('heart');
  let features = ds.features;
  let raw = ds.raw;
  let target = ds.target;
  if (rows !== undefined && rows < features.nRows) {
    const perm = new Rng(7).shuffle(Uint32Array.from({ length: features.nRows }, (_, i) => i)).slice(0, rows);
    features = features.take(perm);
    raw = raw.take(perm);
    target = Uint8Array.from(perm, (i) => ds.target[i]);
  }
  const sub = { ...ds, features, raw, target };
  const split = splitDataset(sub, SPLIT_SEED, 0.2);
  const sensitive = Object.keys(ds.sensitiveAttributes);
  const cat = ds.categoricalColumns.filter((c) => !sensitive.includes(c));
  const num = ds.numericalColumns.filter((c) => !sensitive.includes(c));
  const xTrainT = split.xTrain.drop(sensitive);
  const xTestT = split.xTest.drop(sensitive);
  const pipe = FeaturePipeline.fit(xTrainT, { numericalColumns: num, categoricalColumns: cat });
  const tr = pipe.transform(xTrainT);
  const te = pipe.transform(xTestT);
  const prot = (t: typeof split.rawTrain): Uint8Array => {
    const c = t.column('gender');
    if (c.kind !== 'categorical') throw new Error('gender must be categorical');
    const dis = c.categories.indexOf('1');
    return Uint8Array.from(c.codes, (code) => (code === dis ? 0 : 1));
  };
  return {
    xTrain: { data: tr.data, nRows: tr.nRows, nCols: tr.nCols },
    yTrain: split.yTrain,
    pTrain: prot(split.rawTrain),
    xTest: { data: te.data, nRows: te.nRows, nCols: te.nCols },
    yTest: split.yTest,
    pTest: prot(split.rawTest),
  };
}

interface Effect {
  readonly accuracy: number;
  /** Selection-rate difference dis − priv. */
  readonly spd: number;
  /** max(|ΔTPR|, |ΔFPR|). */
  readonly eo: number;
}

function effect(y: Uint8Array, yhat: Uint8Array, prot: Uint8Array): Effect {
  const c = new Float64Array(8);
  let ok = 0;
  for (let i = 0; i < y.length; i++) {
    c[prot[i] * 4 + y[i] * 2 + yhat[i]]++;
    if (y[i] === yhat[i]) ok++;
  }
  const sel = (g: number) =>
    (c[g * 4 + 1] + c[g * 4 + 3]) / (c[g * 4] + c[g * 4 + 1] + c[g * 4 + 2] + c[g * 4 + 3]);
  const tpr = (g: number) => c[g * 4 + 3] / (c[g * 4 + 2] + c[g * 4 + 3]);
  const fpr = (g: number) => c[g * 4 + 1] / (c[g * 4] + c[g * 4 + 1]);
  return {
    accuracy: ok / y.length,
    spd: sel(0) - sel(1),
    eo: Math.max(Math.abs(tpr(0) - tpr(1)), Math.abs(fpr(0) - fpr(1))),
  };
}

const toLabels = (p: Float64Array): Uint8Array => Uint8Array.from(p, (v) => (v > 0.5 ? 1 : 0));

/** Solver statistics worth printing next to the time. */
function notes(it: FairnessIntervention): string {
  if (it instanceof LearningFairRepresentations) return `L-BFGS iterations ${it.lastIterations}`;
  if (it instanceof ExponentiatedGradientReduction && it.info) {
    const i = it.info;
    return `${it.constraint}, iterations ${i.iterations}, oracle fits ${i.oracleCalls}, support ${i.support}`;
  }
  return '';
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
}

async function main(): Promise<void> {
  const rowsArg = arg('--rows');
  const only = arg('--components')?.split(',');
  const lfrMaxIter = arg('--lfr-maxiter');
  const d = await prepare(rowsArg ? Number(rowsArg) : undefined);
  const lrDef = modelComponents.find((m) => m.name === 'lr_clf');
  if (!lrDef) throw new Error('lr_clf is not registered in @virnyflow/models');
  const makeModel = (): Classifier => lrDef.create({ penalty: 'l2', C: 1, solver: 'lbfgs' }, FIT_SEED);

  console.log(
    `# fairness stages on heart: train ${d.xTrain.nRows} × ${d.xTrain.nCols}, test ${d.xTest.nRows}`,
  );
  console.log(
    `# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), single-threaded`,
  );
  console.log(
    `# command: npx tsx --tsconfig bench/fairness.tsconfig.json bench/fairness-stages.bench.ts ${process.argv.slice(2).join(' ')}`,
  );

  const [base, baseFit] = time(() => {
    const m = makeModel();
    m.fit(d.xTrain, d.yTrain, { seed: FIT_SEED });
    return m;
  });
  const baseEffect = effect(d.yTest, toLabels(base.predictProba(d.xTest)), d.pTest);
  const rows: string[][] = [
    ['component', 'phase', 'fit s', 'apply s', 'fit / lr_clf fit', 'test acc', 'SPD', 'max|EO|', 'notes'],
    [
      'none (lr_clf)',
      '-',
      baseFit.toFixed(3),
      '-',
      '1.00',
      baseEffect.accuracy.toFixed(3),
      baseEffect.spd.toFixed(3),
      baseEffect.eo.toFixed(3),
      '',
    ],
  ];
  const trainScores = base.predictProba(d.xTrain);
  const testScores = base.predictProba(d.xTest);

  for (const def of fairnessComponents) {
    if (only && !only.includes(def.name)) continue;
    const create = def.create as FairnessInterventionFactory;
    const it: FairnessIntervention =
      def.name === 'LFR' && lfrMaxIter
        ? new LearningFairRepresentations({ k: 5, Ax: 0.01, Ay: 0.1, Az: 0, maxIter: Number(lfrMaxIter) })
        : create(
            {},
            { seed: FIT_SEED, objectiveMetrics: ['F1', 'Equalized_Odds_TPR'], createModel: makeModel },
          );
    let fitS: number;
    let applyS: number;
    let yhat: Uint8Array;
    if (it.phase === 'pre') {
      [, fitS] = time(() => it.fit(d.xTrain, d.yTrain, d.pTrain, { seed: FIT_SEED }));
      const [[tr, te], tS] = time(() => [
        it.transform(d.xTrain, d.pTrain, d.yTrain),
        it.transform(d.xTest, d.pTest),
      ]);
      applyS = tS;
      const m = makeModel();
      m.fit(tr.X, d.yTrain, {
        seed: FIT_SEED,
        ...(tr.sampleWeight ? { sampleWeight: tr.sampleWeight } : {}),
      });
      yhat = toLabels(m.predictProba(te.X));
    } else if (it.phase === 'in') {
      [, fitS] = time(() => it.fit(d.xTrain, d.yTrain, d.pTrain, { seed: FIT_SEED }));
      const [p, pS] = time(() => it.predictProba(d.xTest, d.pTest));
      applyS = pS;
      yhat = toLabels(p);
    } else {
      [, fitS] = time(() => it.fit(trainScores, d.yTrain, d.pTrain, { seed: FIT_SEED }));
      const [l, pS] = time(() => it.predictLabels(testScores, d.pTest));
      applyS = pS;
      yhat = l;
    }
    const e = effect(d.yTest, yhat, d.pTest);
    rows.push([
      def.name,
      it.phase,
      fitS.toFixed(3),
      applyS.toFixed(3),
      (fitS / baseFit).toFixed(2),
      e.accuracy.toFixed(3),
      e.spd.toFixed(3),
      e.eo.toFixed(3),
      notes(it),
    ]);
    console.error(`done ${def.name}`);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows)
    console.log(
      r
        .map((c, j) => (j < 2 || j === 8 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
        .join('  ')
        .trimEnd(),
    );
}

await main();
