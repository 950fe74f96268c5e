/**
 * Null-imputer benchmark: fit and transform time of every imputer of @virnyflow/imputation at its default
 * configuration (SPEC §2.3), and how well it recovers injected values, against `median-mode` (the baseline:
 * the "ratio" columns are the imputer's time and RMSE over median-mode's).
 *
 *   npx tsx bench/imputation-imputers.bench.ts [--dataset demo|heart] [--rows N] [--pct 0.2] [--imputers a,b]
 *
 * Data: the dataset's features (sensitive attributes dropped, as the stage does), 80/20 split with seed 101,
 * then `configs/imputers.yaml`-style MCAR nulls over two numeric columns in both splits (applyErrorInjection,
 * seed 101). RMSE is over the injected test cells, in the column's own units, averaged over the two columns.
 * `heart` (cardio, 70,000 rows) needs VIRNYFLOW_DATA_DIR. Single-threaded.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Rng } from '@virnyflow/core';
import type { ImputerFactory, Table } from '@virnyflow/data';
import { createImputer, loadDataset, sensitiveColumns, splitDataset } from '@virnyflow/data';
import { applyErrorInjection, imputationComponents } from '@virnyflow/imputation';

const SEED = 101;

function arg(name: string): string | undefined {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const datasetName = arg('dataset') ?? 'demo';
const pct = Number(arg('pct') ?? 0.2);
const columnsByDataset: Record<string, [string, string]> = {
  demo: ['education_years', 'credit_history_years'],
  heart: ['height', 'weight'],
};
const columns = columnsByDataset[datasetName];
if (!columns) throw new Error(`--dataset must be one of ${Object.keys(columnsByDataset).join(', ')}`);

const dataset = await loadDataset(datasetName);
let split = splitDataset(dataset, SEED);
const rows = Number(arg('rows') ?? 0);
if (rows > 0 && rows < dataset.features.nRows) {
  // Seeded subsample of each split, proportional to its size.
  const take = (t: Table, m: number): Uint32Array => {
    const perm = new Uint32Array(t.nRows);
    for (let i = 0; i < perm.length; i++) perm[i] = i;
    new Rng(SEED).shuffle(perm);
    return perm.slice(0, m).sort();
  };
  const f = rows / dataset.features.nRows;
  const tr = take(split.xTrain, Math.round(split.xTrain.nRows * f));
  const te = take(split.xTest, Math.round(split.xTest.nRows * f));
  split = {
    ...split,
    xTrain: split.xTrain.take(tr),
    rawTrain: split.rawTrain.take(tr),
    xTest: split.xTest.take(te),
    rawTest: split.rawTest.take(te),
  };
}
const sensitive = sensitiveColumns(dataset.sensitiveAttributes);
const injected = applyErrorInjection(
  split,
  [{ strategy: 'MCAR', columns, nullPercentage: pct, splits: ['train', 'test'] }],
  SEED,
).split;
const xTrain = injected.xTrain.drop(sensitive);
const xTest = injected.xTest.drop(sensitive);
const truth = split.xTest;

function rmse(imputed: Table): number {
  let total = 0;
  for (const c of columns) {
    const t = (truth.column(c) as { values: Float64Array }).values;
    const m = (xTest.column(c) as { values: Float64Array }).values;
    const o = (imputed.column(c) as { values: Float64Array }).values;
    let se = 0;
    let n = 0;
    for (let i = 0; i < t.length; i++) {
      if (!Number.isNaN(m[i]) || Number.isNaN(t[i])) continue;
      se += (o[i] - t[i]) ** 2;
      n++;
    }
    total += Math.sqrt(se / n);
  }
  return total / columns.length;
}

interface Row {
  name: string;
  fitMs: number;
  transformMs: number;
  rmse: number;
}

function run(name: string): Row {
  const def = imputationComponents.find((c) => c.name === name);
  const imp = def ? (def.create as ImputerFactory)({}, { seed: SEED, datasetName }) : createImputer(name);
  const t0 = performance.now();
  imp.fit(xTrain);
  const t1 = performance.now();
  imp.transform(xTrain);
  const out = imp.transform(xTest);
  const t2 = performance.now();
  return { name, fitMs: t1 - t0, transformMs: t2 - t1, rmse: rmse(out) };
}

const wanted = (arg('imputers') ?? 'median-mode,miss_forest,k_means_clustering,knn').split(',');
console.log(
  `imputation-imputers bench — node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}`,
);
console.log(`command: npx tsx bench/imputation-imputers.bench.ts ${process.argv.slice(2).join(' ')}`);
console.log(
  `dataset ${datasetName}: train ${xTrain.nRows} × ${xTrain.columns.length}, test ${xTest.nRows}; ` +
    `MCAR ${pct} over ${columns.join(', ')} (default hyper-parameters)`,
);
const base = run('median-mode');
const results = wanted.map((w) => (w === 'median-mode' ? base : run(w)));
const pad = (s: string, n: number) => s.padStart(n);
console.log(
  `${'imputer'.padEnd(20)}${pad('fit ms', 10)}${pad('transform ms', 14)}${pad('time ratio', 12)}${pad('RMSE', 10)}${pad('RMSE ratio', 12)}`,
);
for (const r of results) {
  const time = (r.fitMs + r.transformMs) / Math.max(1e-3, base.fitMs + base.transformMs);
  console.log(
    `${r.name.padEnd(20)}${pad(r.fitMs.toFixed(1), 10)}${pad(r.transformMs.toFixed(1), 14)}${pad(time.toFixed(0), 12)}` +
      `${pad(r.rmse.toFixed(3), 10)}${pad((r.rmse / base.rmse).toFixed(3), 12)}`,
  );
}
