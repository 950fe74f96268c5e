/**
 * Pipeline-stage benchmark: fit and apply time of every component of the two stages before the model, on
 * `heart` (cardio), printed as one table —
 *
 * - error injection (@virnyflow/imputation `applyErrorInjection`): MCAR, MAR and MNAR specs, each timed on
 *   its own over both splits; all three together make the data the imputers see;
 * - null imputers (the data package's median-mode, median-dummy, deletion and @virnyflow/imputation's
 *   miss_forest, k_means_clustering, knn), created through their registered factories: fit on the training
 *   split, apply = transform of train and test. Baseline: median-mode ("× base" = (fit + apply) time over
 *   median-mode's). Effect: RMSE over the injected numeric test cells relative to median-mode's (mean over
 *   height, weight, ap_hi of RMSE / median-mode's RMSE; < 1 is better), and the share of injected
 *   `cholesterol` test cells given back their true category;
 * - fairness interventions (@virnyflow/fairness, SPEC §2.4, default configurations) on the median-mode
 *   output one-hot encoded and scaled (fitted on train, SPEC §5.3): fit, apply = transform / predict of
 *   the test split. Baseline: fitting the pipeline's plain model (`lr_clf`, C = 1) on the same matrix
 *   ("× base" = fit time over that fit). Effect on the test split: accuracy, SPD (selection-rate
 *   difference dis − priv) and max(|ΔTPR|, |ΔFPR|).
 *
 *   VIRNYFLOW_DATA_DIR=… pnpm bench:stages [--rows N] [--components DIR,knn,...] [--pct 0.2]
 *                                          [--miss-forest bounded|default] [--lfr-maxiter N]
 *
 * Data: 80/20 split with seed 101; `gender` (disadvantaged value '1') is dropped from the features before
 * imputation, as the pipeline does, and is the binary protected column of the interventions (0 =
 * disadvantaged). `--rows N` subsamples the dataset first (seeded, without replacement).
 *
 * miss_forest on 56,000 rows: its default configuration (125 trees per forest, one forest per imputed
 * column per pass, up to 10 passes) fits in about 90 s on a 2-core Xeon, over half of the whole bench, so
 * by default the bench runs it `bounded`, at the low end of its SPEC §2.3 search space — 50 trees,
 * max_depth 10, min_samples_leaf 4, bootstrap, for both the regressor and the classifier (about 25 s, the
 * same RMSE within 0.01×); `--miss-forest default` runs the default configuration.
 * Single-threaded. Needs VIRNYFLOW_DATA_DIR.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Rng } from '@virnyflow/core';
import type { Configuration, ErrorInjectionConfig } from '@virnyflow/core';
import type { Dataset, DatasetSplit, Imputer, ImputerFactory, Table } from '@virnyflow/data';
import { FeaturePipeline, dataComponents, loadDataset, splitDataset } from '@virnyflow/data';
import type { FairnessIntervention, FairnessInterventionFactory } from '@virnyflow/fairness';
import {
  ExponentiatedGradientReduction,
  LearningFairRepresentations,
  fairnessComponents,
} from '@virnyflow/fairness';
import { MissForestImputer, applyErrorInjection, imputationComponents } from '@virnyflow/imputation';
import type { Classifier, DenseMatrix } from '@virnyflow/models';
import { modelComponents } from '@virnyflow/models';

const SPLIT_SEED = 101;
const FIT_SEED = 100;
const SENSITIVE = 'gender';
const NUMERIC_INJECTED = ['height', 'weight', 'ap_hi'];
const CATEGORICAL_INJECTED = 'cholesterol';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = arg('--components')?.split(',');
const wanted = (name: string): boolean => !only || only.includes(name);
const pct = Number(arg('--pct') ?? 0.2);
const missForestMode = arg('--miss-forest') ?? 'bounded';
if (missForestMode !== 'bounded' && missForestMode !== 'default') {
  throw new Error(`--miss-forest: '${missForestMode}' is not bounded or default`);
}

/** The bounded miss_forest configuration (see the header), inside MISS_FOREST_SPACE. */
const MISS_FOREST_BOUNDED: Configuration = Object.fromEntries(
  ['RandomForestClassifier', 'RandomForestRegressor'].flatMap((e) => [
    [`${e}__n_estimators`, 50],
    [`${e}__max_depth`, 10],
    [`${e}__min_samples_split`, 2],
    [`${e}__min_samples_leaf`, 4],
    [`${e}__bootstrap`, true],
  ]),
);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
}

const s3 = (x: number): string => x.toFixed(3);

/** One line of the table. */
interface Row {
  readonly stage: string;
  readonly component: string;
  readonly fit: string;
  readonly apply: string;
  readonly ratio: string;
  readonly effect: string;
  readonly notes: string;
}
const rows: Row[] = [];

// --- data ---------------------------------------------------------------------------------------------

async function load(): Promise<{ dataset: Dataset; split: DatasetSplit; loadS: number }> {
  const t0 = performance.now();
  const ds = await loadDataset('heart');
  const loadS = (performance.now() - t0) / 1000;
  const n = Number(arg('--rows') ?? 0);
  let sub = ds;
  if (n > 0 && n < ds.features.nRows) {
    const perm = new Rng(7).shuffle(Uint32Array.from({ length: ds.features.nRows }, (_, i) => i)).slice(0, n);
    sub = {
      ...ds,
      features: ds.features.take(perm),
      raw: ds.raw.take(perm),
      target: Uint8Array.from(perm, (i) => ds.target[i]),
    };
  }
  return { dataset: sub, split: splitDataset(sub, SPLIT_SEED, 0.2), loadS };
}

// --- error injection ----------------------------------------------------------------------------------

const SPECS: readonly ErrorInjectionConfig[] = [
  { strategy: 'MCAR', columns: ['height', 'weight'], nullPercentage: pct, splits: ['train', 'test'] },
  {
    strategy: 'MAR',
    columns: [CATEGORICAL_INJECTED],
    nullPercentage: pct,
    condition: { column: SENSITIVE, op: '==', value: '1' },
    splits: ['train', 'test'],
  },
  {
    strategy: 'MNAR',
    columns: ['ap_hi'],
    nullPercentage: pct,
    condition: { column: 'ap_hi', op: '>', value: 140 },
    splits: ['train', 'test'],
  },
];

function describeSpec(s: ErrorInjectionConfig): string {
  const c = s.condition ? ` where ${s.condition.column} ${s.condition.op} ${String(s.condition.value)}` : '';
  return `${s.columns.join(', ')} ${s.nullPercentage * 100} %${c}`;
}

function benchInjection(split: DatasetSplit): DatasetSplit {
  for (const spec of SPECS) {
    if (!wanted(spec.strategy)) continue;
    const [r, s] = time(() => applyErrorInjection(split, [spec], SPLIT_SEED));
    const cells = (name: 'train' | 'test') =>
      r.counts.filter((c) => c.split === name).reduce((n, c) => n + c.injected, 0);
    rows.push({
      stage: 'injection',
      component: spec.strategy,
      fit: '-',
      apply: s3(s),
      ratio: '-',
      effect: `${cells('train')} + ${cells('test')} cells`,
      notes: describeSpec(spec),
    });
  }
  return applyErrorInjection(split, SPECS, SPLIT_SEED).split;
}

// --- null imputers ------------------------------------------------------------------------------------

interface ImputerQuality {
  /** RMSE over the injected test cells of each of NUMERIC_INJECTED, in the column's units. */
  readonly rmse: readonly number[];
  /** Share of injected cholesterol test cells given their true category. */
  readonly catAccuracy: number;
}

function quality(truth: Table, holes: Table, imputed: Table): ImputerQuality {
  const rmse = NUMERIC_INJECTED.map((c) => {
    const t = (truth.column(c) as { values: Float64Array }).values;
    const h = (holes.column(c) as { values: Float64Array }).values;
    const o = (imputed.column(c) as { values: Float64Array }).values;
    let se = 0;
    let n = 0;
    for (let i = 0; i < t.length; i++) {
      if (!Number.isNaN(h[i])) continue;
      se += (o[i] - t[i]) ** 2;
      n++;
    }
    return Math.sqrt(se / n);
  });
  const t = truth.column(CATEGORICAL_INJECTED) as { codes: Int32Array; categories: readonly string[] };
  const h = holes.column(CATEGORICAL_INJECTED) as { codes: Int32Array };
  const o = imputed.column(CATEGORICAL_INJECTED) as { codes: Int32Array; categories: readonly string[] };
  let hit = 0;
  let n = 0;
  for (let i = 0; i < t.codes.length; i++) {
    if (h.codes[i] >= 0) continue;
    n++;
    if (o.codes[i] >= 0 && o.categories[o.codes[i]] === t.categories[t.codes[i]]) hit++;
  }
  return { rmse, catAccuracy: n > 0 ? hit / n : NaN };
}

/** Mean over the numeric injected columns of RMSE / median-mode's RMSE (< 1: better than the baseline). */
function rmseRatio(q: ImputerQuality, base: ImputerQuality): number {
  return q.rmse.reduce((s, r, j) => s + r / base.rmse[j], 0) / q.rmse.length;
}

function createImputerNamed(name: string): Imputer {
  const def = [...dataComponents, ...imputationComponents].find((c) => c.name === name);
  if (!def) throw new Error(`imputer '${name}' is not registered`);
  const params = name === 'miss_forest' && missForestMode === 'bounded' ? MISS_FOREST_BOUNDED : {};
  return (def.create as ImputerFactory)(params, { seed: SPLIT_SEED, datasetName: 'heart' });
}

interface ImputerRun {
  readonly fitS: number;
  readonly applyS: number;
  readonly train: Table;
  readonly test: Table;
  readonly q: ImputerQuality;
  readonly notes: string;
}

function runImputer(name: string, xTrain: Table, xTest: Table, truth: Table): ImputerRun {
  const imp = createImputerNamed(name);
  const columns = xTrain.columns
    .filter((c) => (c.kind === 'numeric' ? c.values.some(Number.isNaN) : c.codes.some((k) => k < 0)))
    .map((c) => c.name);
  let notes = '';
  const [train, fitS] = time(() => {
    let t = xTrain;
    if (imp.selectTrainRows) {
      const keep = imp.selectTrainRows(xTrain, columns);
      notes = `keeps ${keep.length} of ${xTrain.nRows} training rows`;
      t = xTrain.take(keep);
    }
    imp.fit(t, columns);
    return t;
  });
  const [[trainOut, testOut], applyS] = time(() => [imp.transform(train), imp.transform(xTest)]);
  if (imp instanceof MissForestImputer) {
    notes = `${missForestMode}, ${imp.fitInfo.iterations} passes`;
  }
  return { fitS, applyS, train: trainOut, test: testOut, q: quality(truth, xTest, testOut), notes };
}

function benchImputers(injected: DatasetSplit, truth: DatasetSplit): { train: Table; test: Table } {
  const xTrain = injected.xTrain.drop([SENSITIVE]);
  const xTest = injected.xTest.drop([SENSITIVE]);
  const truthTest = truth.xTest.drop([SENSITIVE]);
  const base = runImputer('median-mode', xTrain, xTest, truthTest);
  const baseS = base.fitS + base.applyS;
  const names = ['median-mode', 'median-dummy', 'deletion', 'miss_forest', 'k_means_clustering', 'knn'];
  for (const name of names) {
    if (!wanted(name)) continue;
    const r = name === 'median-mode' ? base : runImputer(name, xTrain, xTest, truthTest);
    rows.push({
      stage: 'imputation',
      component: name,
      fit: s3(r.fitS),
      apply: s3(r.applyS),
      ratio: ((r.fitS + r.applyS) / Math.max(1e-6, baseS)).toFixed(1),
      effect: `RMSE ${rmseRatio(r.q, base.q).toFixed(3)}× · chol ${(100 * r.q.catAccuracy).toFixed(1)} %`,
      notes:
        name === 'median-mode'
          ? `baseline; RMSE ${NUMERIC_INJECTED.map((c, j) => `${c} ${r.q.rmse[j].toFixed(1)}`).join(', ')}`
          : r.notes,
    });
    console.error(`done ${name}`);
  }
  return { train: base.train, test: base.test };
}

// --- fairness interventions ---------------------------------------------------------------------------

interface Prepared {
  readonly xTrain: DenseMatrix;
  readonly yTrain: Uint8Array;
  readonly pTrain: Uint8Array;
  readonly xTest: DenseMatrix;
  readonly yTest: Uint8Array;
  readonly pTest: Uint8Array;
}

function prepare(dataset: Dataset, split: DatasetSplit, imputed: { train: Table; test: Table }): Prepared {
  const cat = dataset.categoricalColumns.filter((c) => c !== SENSITIVE);
  const num = dataset.numericalColumns.filter((c) => c !== SENSITIVE);
  const pipe = FeaturePipeline.fit(imputed.train, { numericalColumns: num, categoricalColumns: cat });
  const tr = pipe.transform(imputed.train);
  const te = pipe.transform(imputed.test);
  const prot = (t: Table): Uint8Array => {
    const c = t.column(SENSITIVE);
    if (c.kind !== 'categorical') throw new Error(`${SENSITIVE} must be categorical`);
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

function effect(y: Uint8Array, yhat: Uint8Array, prot: Uint8Array): string {
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
  const eo = Math.max(Math.abs(tpr(0) - tpr(1)), Math.abs(fpr(0) - fpr(1)));
  return `acc ${s3(ok / y.length)} · SPD ${s3(sel(0) - sel(1))} · EO ${s3(eo)}`;
}

const toLabels = (p: Float64Array): Uint8Array => Uint8Array.from(p, (v) => (v > 0.5 ? 1 : 0));

/** Solver statistics worth printing next to the time. */
function solverNotes(it: FairnessIntervention): string {
  if (it instanceof LearningFairRepresentations) return `L-BFGS iterations ${it.lastIterations}`;
  if (it instanceof ExponentiatedGradientReduction && it.info) {
    const i = it.info;
    return `${it.constraint}, ${i.iterations} iterations, ${i.oracleCalls} oracle fits, support ${i.support}`;
  }
  return '';
}

function benchInterventions(d: Prepared): void {
  const lrDef = modelComponents.find((m) => m.name === 'lr_clf');
  if (!lrDef) throw new Error('lr_clf is not registered in @virnyflow/models');
  const makeModel = (): Classifier => lrDef.create({ penalty: 'l2', C: 1, solver: 'lbfgs' }, FIT_SEED);
  const [base, baseFit] = time(() => {
    const m = makeModel();
    m.fit(d.xTrain, d.yTrain, { seed: FIT_SEED });
    return m;
  });
  const [testScores, basePredict] = time(() => base.predictProba(d.xTest));
  rows.push({
    stage: 'fairness',
    component: 'none (lr_clf)',
    fit: s3(baseFit),
    apply: s3(basePredict),
    ratio: '1.0',
    effect: effect(d.yTest, toLabels(testScores), d.pTest),
    notes: 'baseline: the model alone',
  });
  const trainScores = base.predictProba(d.xTrain);
  const lfrMaxIter = arg('--lfr-maxiter');
  for (const def of fairnessComponents) {
    if (!wanted(def.name)) continue;
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
    rows.push({
      stage: 'fairness',
      component: `${def.name} (${it.phase})`,
      fit: s3(fitS),
      apply: s3(applyS),
      ratio: (fitS / baseFit).toFixed(1),
      effect: effect(d.yTest, yhat, d.pTest),
      notes: solverNotes(it),
    });
    console.error(`done ${def.name}`);
  }
}

// --- main ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const t0 = performance.now();
  const { dataset, split, loadS } = await load();
  console.log(
    `# pipeline stages on heart (cardio): train ${split.xTrain.nRows} × ${split.xTrain.columns.length}, ` +
      `test ${split.xTest.nRows}; load ${loadS.toFixed(2)} s`,
  );
  console.log(
    `# node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), single-threaded`,
  );
  console.log(`# command: pnpm bench:stages ${process.argv.slice(2).join(' ')}`.trimEnd());
  console.log(
    `# injected (all specs, both splits) before imputation; interventions run on the median-mode output`,
  );
  const injected = benchInjection(split);
  const imputed = benchImputers(injected, split);
  if (fairnessComponents.some((d) => wanted(d.name))) benchInterventions(prepare(dataset, split, imputed));

  const header: Row = {
    stage: 'stage',
    component: 'component',
    fit: 'fit s',
    apply: 'apply s',
    ratio: '× base',
    effect: 'effect (test split)',
    notes: 'notes',
  };
  const keys = Object.keys(header) as (keyof Row)[];
  const all = [header, ...rows];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const right = new Set<keyof Row>(['fit', 'apply', 'ratio']);
  const line = (r: Row): string =>
    keys
      .map((k, j) => (right.has(k) ? r[k].padStart(widths[j]) : r[k].padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  let stage = '';
  for (const r of rows) {
    if (stage !== '' && r.stage !== stage) console.log('');
    stage = r.stage;
    console.log(line(r));
  }
  console.log(`# total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

await main();
