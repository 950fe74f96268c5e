/**
 * `miss_forest` — iterative random-forest imputation (Stekhoven & Bühlmann, *MissForest*, Bioinformatics
 * 2012), as VirnyFlow implements it (SPEC §2.3):
 *
 * 1. Every column is held as numbers: numeric values, categorical codes (ordinal encoding). Missing cells
 *    start from the column's training mean (numeric) or mode (categorical).
 * 2. Columns to impute are visited in ascending order of their training null count (ties: table order).
 *    A visit fits a forest on the rows where the column is observed, with every other column as features,
 *    and overwrites the column's missing cells with its predictions: a regression forest for numeric
 *    columns, a classification forest for categorical ones (the models package's `RandomForestClassifier`
 *    for two classes, the Gini-equivalent one-hot forest of `variance-forest.ts` for more).
 * 3. After each pass, γ_num = Σ(X_new − X_old)² / Σ X_new² over the numeric columns imputed and
 *    γ_cat = #changed / #missing over the categorical ones. Passes stop once neither decreased (from the
 *    second pass on), or after `maxIter` (10) passes.
 * 4. Every (pass, column) forest is kept. `transform` replays them on any table: start from the training
 *    mean/mode guess and apply, pass by pass and column by column, the stored forest to that table's
 *    missing cells. Replaying on the training split reproduces the last pass's values exactly.
 *
 * Forest seeds are `hashSeeds(seed, pass, column)`, so the result is a function of the data and the seed.
 * Memory: one forest per column per pass; trees take 16 bytes a node.
 */
import { hashSeeds } from '@virnyflow/core';
import type { CategoricalColumn, Imputer, Table } from '@virnyflow/data';
import { columnsWithMissing } from '@virnyflow/data';
import type { DenseMatrix } from '@virnyflow/models';
import { RandomForestClassifier } from '@virnyflow/models';
import type { ColumnInfo } from './columns';
import {
  describeColumns,
  fillCategorical,
  fillNumeric,
  matchingColumn,
  requireObserved,
  trainCodes,
} from './columns';
import { ImputationErrorCode, imputationError } from './errors';
import type { ForestOptions } from './variance-forest';
import { VarianceForest } from './variance-forest';

export const MISS_FOREST = 'miss_forest';

/** scikit-learn `RandomForest*` hyper-parameters tuned by VirnyFlow (SPEC §2.3). */
export interface RandomForestParams {
  readonly nEstimators: number;
  /** null = unlimited. */
  readonly maxDepth: number | null;
  readonly minSamplesSplit: number;
  readonly minSamplesLeaf: number;
  readonly bootstrap: boolean;
}

export interface MissForestOptions {
  /** For categorical columns (`mvi__RandomForestClassifier__*`). */
  readonly classifier: RandomForestParams;
  /** For numeric columns (`mvi__RandomForestRegressor__*`). */
  readonly regressor: RandomForestParams;
  /** Pass cap; MissForest's default 10. */
  readonly maxIter?: number;
  readonly seed: number;
}

/** What one stored (pass, column) predictor returns: a value per row (numeric value or training code). */
interface ColumnPredictor {
  predict(F: DenseMatrix): Float64Array;
}

interface Step {
  /** Index of the imputed column in the training table. */
  readonly column: number;
  readonly predictor: ColumnPredictor;
}

/** Summary of a fit, for tests and reports. */
export interface MissForestFitInfo {
  /** Passes run. */
  readonly iterations: number;
  /** γ_num and γ_cat after each pass. */
  readonly numericChange: readonly number[];
  readonly categoricalChange: readonly number[];
}

export class MissForestImputer implements Imputer {
  readonly name = MISS_FOREST;
  private readonly maxIter: number;
  private infos: ColumnInfo[] | null = null;
  /** Indices of the imputed columns in the training table, in visiting order. */
  private targets: number[] = [];
  private steps: Step[] = [];
  private info: MissForestFitInfo | null = null;
  /** The training table and its imputed working matrix, so `transform(train)` needs no replay. */
  private fitted: { table: Table; matrix: Float64Array } | null = null;

  constructor(private readonly options: MissForestOptions) {
    this.maxIter = options.maxIter ?? 10;
    checkParams(options.classifier, 'RandomForestClassifier');
    checkParams(options.regressor, 'RandomForestRegressor');
    if (!Number.isInteger(this.maxIter) || this.maxIter < 1) {
      throw imputationError(
        ImputationErrorCode.BadOption,
        `miss_forest: maxIter = ${this.maxIter}; use an integer ≥ 1`,
        {
          maxIter: this.maxIter,
        },
      );
    }
  }

  fit(train: Table, columns: readonly string[] = columnsWithMissing(train)): void {
    const infos = describeColumns(train);
    const names = train.columnNames;
    const targets = columns.map((c) => {
      const j = names.indexOf(c);
      if (j < 0) train.column(c); // throws the data package's missing-column error
      requireObserved(infos[j], this.name);
      return j;
    });
    // Ascending null count; the sort is stable, so ties keep table order.
    targets.sort((a, b) => infos[a].missing - infos[b].missing || a - b);
    const n = train.nRows;
    const p = infos.length;
    const X = workingMatrix(train, infos, this.name);
    const missing = targets.map((j) => missingRows(train, infos[j]));
    const observed = targets.map((j) => observedRows(train, infos[j]));
    const steps: Step[] = [];
    const numericChange: number[] = [];
    const categoricalChange: number[] = [];
    // The imputed cells before the current pass, target by target, for γ.
    const before = missing.map((rows) => new Float64Array(rows.length));
    let nCatMissing = 0;
    targets.forEach((j, t) => {
      if (infos[j].kind === 'categorical') nCatMissing += missing[t].length;
    });
    // With no other column there is nothing to learn from: the mean/mode guess is the imputation.
    const passes = p > 1 ? this.maxIter : 0;
    for (let pass = 0; pass < passes; pass++) {
      targets.forEach((j, t) => {
        const rows = missing[t];
        for (let k = 0; k < rows.length; k++) before[t][k] = X[rows[k] * p + j];
      });
      targets.forEach((j, t) => {
        if (missing[t].length === 0) return;
        const predictor = this.fitColumn(
          X,
          p,
          infos[j],
          j,
          observed[t],
          hashSeeds(this.options.seed, pass, j),
        );
        applyStep(X, p, j, missing[t], predictor);
        steps.push({ column: j, predictor });
      });
      let num = 0;
      let den = 0;
      let changed = 0;
      targets.forEach((j, t) => {
        const rows = missing[t];
        if (infos[j].kind === 'numeric') {
          for (let k = 0; k < rows.length; k++) {
            const e = X[rows[k] * p + j] - before[t][k];
            num += e * e;
          }
          for (let i = 0; i < n; i++) den += X[i * p + j] * X[i * p + j];
        } else {
          for (let k = 0; k < rows.length; k++) if (X[rows[k] * p + j] !== before[t][k]) changed++;
        }
      });
      // An empty or all-zero part counts as 0, which never decreases and so leaves the decision to the other.
      numericChange.push(den > 0 ? num / den : 0);
      categoricalChange.push(nCatMissing > 0 ? changed / nCatMissing : 0);
      if (pass > 0) {
        const decreased =
          numericChange[pass] < numericChange[pass - 1] ||
          categoricalChange[pass] < categoricalChange[pass - 1];
        if (!decreased) break;
      }
    }
    this.infos = infos;
    this.targets = targets;
    this.steps = steps;
    this.info = { iterations: numericChange.length, numericChange, categoricalChange };
    this.fitted = { table: train, matrix: X };
  }

  transform(t: Table): Table {
    const infos = this.infos;
    if (!infos) {
      throw imputationError(
        ImputationErrorCode.NotFitted,
        `imputer '${this.name}' is used before fit(); fit it on train first`,
      );
    }
    for (const info of infos) matchingColumn(t, info, this.name);
    const p = infos.length;
    let X: Float64Array;
    if (this.fitted && this.fitted.table === t) X = this.fitted.matrix;
    else {
      X = workingMatrix(t, infos, this.name);
      const missing = new Map(this.targets.map((j) => [j, missingRows(t, infos[j])] as const));
      for (const step of this.steps) {
        const rows = missing.get(step.column) as Uint32Array;
        if (rows.length > 0) applyStep(X, p, step.column, rows, step.predictor);
      }
    }
    return writeBack(t, infos, this.targets, X);
  }

  /** Passes and convergence figures of the last fit. */
  get fitInfo(): MissForestFitInfo {
    if (!this.info) {
      throw imputationError(
        ImputationErrorCode.NotFitted,
        `imputer '${this.name}': fitInfo is read before fit()`,
      );
    }
    return this.info;
  }

  /** Fits the predictor of column j on its observed training rows, every other column as a feature. */
  private fitColumn(
    X: Float64Array,
    p: number,
    info: ColumnInfo,
    j: number,
    rows: Uint32Array,
    seed: number,
  ): ColumnPredictor {
    const F = featureMatrix(X, p, j, rows);
    const m = rows.length;
    if (info.kind === 'numeric') {
      const y = new Float64Array(m);
      for (let k = 0; k < m; k++) y[k] = X[rows[k] * p + j];
      // scikit-learn's RandomForestRegressor considers every feature at each node (max_features = 1.0).
      const forest = VarianceForest.fit(F, y, 1, forestOptions(this.options.regressor, p - 1), seed);
      return { predict: (G) => forest.predict(G) };
    }
    // Classes present among the observed codes, ascending.
    const present = new Uint8Array(info.categories.length);
    for (let k = 0; k < m; k++) present[X[rows[k] * p + j]] = 1;
    const classes: number[] = [];
    present.forEach((v, c) => {
      if (v) classes.push(c);
    });
    if (classes.length === 1) {
      const only = classes[0];
      return { predict: (G) => new Float64Array(G.nRows).fill(only) };
    }
    if (classes.length === 2) {
      const [c0, c1] = classes;
      const y = new Uint8Array(m);
      for (let k = 0; k < m; k++) y[k] = X[rows[k] * p + j] === c1 ? 1 : 0;
      const rf = new RandomForestClassifier(sklearnParams(this.options.classifier), seed);
      rf.fit(F, y, { seed: 0 });
      return {
        predict: (G) => {
          const proba = rf.predictProba(G);
          // scikit-learn's predict: argmax of (1 − p, p), the first class on a tie.
          const out = new Float64Array(G.nRows);
          for (let i = 0; i < out.length; i++) out[i] = proba[i] > 0.5 ? c1 : c0;
          return out;
        },
      };
    }
    const K = classes.length;
    const classOf = new Int32Array(present.length).fill(-1);
    classes.forEach((c, k) => {
      classOf[c] = k;
    });
    // (m, K) one-hot targets: the squared-error split on them is the Gini split.
    const Y = new Float64Array(m * K);
    for (let k = 0; k < m; k++) Y[k * K + classOf[X[rows[k] * p + j]]] = 1;
    // scikit-learn's RandomForestClassifier default max_features = 'sqrt': max(1, ⌊√nFeatures⌋).
    const mtry = Math.max(1, Math.floor(Math.sqrt(p - 1)));
    const forest = VarianceForest.fit(F, Y, K, forestOptions(this.options.classifier, mtry), seed);
    return {
      predict: (G) => {
        const proba = forest.predict(G);
        const out = new Float64Array(G.nRows);
        for (let i = 0; i < out.length; i++) {
          let best = 0;
          for (let k = 1; k < K; k++) if (proba[i * K + k] > proba[i * K + best]) best = k;
          out[i] = classes[best];
        }
        return out;
      },
    };
  }
}

function checkParams(p: RandomForestParams, which: string): void {
  const okInt = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (
    !okInt(p.nEstimators, 1) ||
    !(p.maxDepth === null || okInt(p.maxDepth, 1)) ||
    !okInt(p.minSamplesSplit, 2) ||
    !okInt(p.minSamplesLeaf, 1) ||
    typeof p.bootstrap !== 'boolean'
  ) {
    throw imputationError(
      ImputationErrorCode.BadOption,
      `miss_forest: ${which} parameters ${JSON.stringify(p)} are invalid; n_estimators ≥ 1, max_depth ≥ 1 or ` +
        `None, min_samples_split ≥ 2, min_samples_leaf ≥ 1, bootstrap true/false`,
      { which, params: { ...p } },
    );
  }
}

function forestOptions(p: RandomForestParams, maxFeatures: number): ForestOptions {
  return {
    nEstimators: p.nEstimators,
    maxDepth: p.maxDepth ?? Infinity,
    minSamplesSplit: p.minSamplesSplit,
    minSamplesLeaf: p.minSamplesLeaf,
    bootstrap: p.bootstrap,
    maxFeatures,
  };
}

function sklearnParams(p: RandomForestParams): Record<string, unknown> {
  return {
    n_estimators: p.nEstimators,
    max_depth: p.maxDepth,
    min_samples_split: p.minSamplesSplit,
    min_samples_leaf: p.minSamplesLeaf,
    bootstrap: p.bootstrap,
  };
}

/**
 * (nRows, nCols) row-major working matrix of a table: numeric values and training codes, with missing
 * cells (and unseen categories) at the training mean / mode — MissForest's initial guess.
 */
function workingMatrix(t: Table, infos: readonly ColumnInfo[], imputer: string): Float64Array {
  const n = t.nRows;
  const p = infos.length;
  const X = new Float64Array(n * p);
  infos.forEach((info, j) => {
    const col = matchingColumn(t, info, imputer);
    if (col.kind === 'numeric') {
      // A column that is not imputed may still lack training values; 0 keeps the matrix finite.
      const guess = Number.isNaN(info.mean) ? 0 : info.mean;
      const v = col.values;
      for (let i = 0; i < n; i++) X[i * p + j] = v[i] === v[i] ? v[i] : guess;
    } else {
      const codes = trainCodes(col, info);
      const guess = info.mode < 0 ? 0 : info.mode;
      for (let i = 0; i < n; i++) X[i * p + j] = codes[i] >= 0 ? codes[i] : guess;
    }
  });
  return X;
}

/** Rows whose cell in this column is missing (unseen categories are observed values, not missing). */
function missingRows(t: Table, info: ColumnInfo): Uint32Array {
  const col = t.column(info.name);
  const out: number[] = [];
  if (col.kind === 'numeric') {
    for (let i = 0; i < col.values.length; i++) if (col.values[i] !== col.values[i]) out.push(i);
  } else {
    for (let i = 0; i < col.codes.length; i++) if (col.codes[i] < 0) out.push(i);
  }
  return Uint32Array.from(out);
}

/** Training rows where the column is observed (the complement of `missingRows`). */
function observedRows(train: Table, info: ColumnInfo): Uint32Array {
  const col = train.column(info.name);
  const out: number[] = [];
  if (col.kind === 'numeric') {
    for (let i = 0; i < col.values.length; i++) if (col.values[i] === col.values[i]) out.push(i);
  } else {
    for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) out.push(i);
  }
  return Uint32Array.from(out);
}

/** (rows, p − 1) row-major: the working matrix's `rows` without column j. */
function featureMatrix(X: Float64Array, p: number, j: number, rows: Uint32Array): DenseMatrix {
  const m = rows.length;
  const w = p - 1;
  const data = new Float64Array(m * w);
  for (let k = 0; k < m; k++) {
    const src = rows[k] * p;
    const dst = k * w;
    for (let c = 0; c < j; c++) data[dst + c] = X[src + c];
    for (let c = j + 1; c < p; c++) data[dst + c - 1] = X[src + c];
  }
  return { data, nRows: m, nCols: w };
}

function applyStep(
  X: Float64Array,
  p: number,
  j: number,
  rows: Uint32Array,
  predictor: ColumnPredictor,
): void {
  const values = predictor.predict(featureMatrix(X, p, j, rows));
  for (let k = 0; k < rows.length; k++) X[rows[k] * p + j] = values[k];
}

/** The imputed columns of `t`, written from the working matrix into their missing cells. */
function writeBack(
  t: Table,
  infos: readonly ColumnInfo[],
  targets: readonly number[],
  X: Float64Array,
): Table {
  const n = t.nRows;
  const p = infos.length;
  let out = t;
  for (const j of targets) {
    const info = infos[j];
    const col = t.column(info.name);
    if (col.kind === 'numeric') {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = X[i * p + j];
      out = out.replaceColumn(fillNumeric(col, v));
    } else {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = X[i * p + j];
      out = out.replaceColumn(fillCategorical(col as CategoricalColumn, info, codes));
    }
  }
  return out;
}
