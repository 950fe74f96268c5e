/**
 * `k_means_clustering` — cluster imputation (SPEC §2.3): cluster the training rows on the columns that are
 * fully observed in the training split, then fill a missing numeric cell with its cluster's mean and a
 * missing categorical cell with its cluster's mode (over the cluster's rows that observe the column).
 *
 * - Clustering is k-prototypes over the complete columns (`k-prototypes.ts`); it is k-modes when every
 *   numeric column has missing values (VirnyFlow's rule: no numeric column is left to cluster on) and
 *   k-means when no categorical column is complete.
 * - Numeric clustering columns are standardised with the training mean and standard deviation first, so
 *   no column dominates the squared distance by its unit; γ is then kmodes' default, 0.5 × the mean
 *   standard deviation (0.5 unless a column is constant).
 * - Every row — training rows included — is imputed from the prototype nearest to it on its *observed*
 *   clustering columns (a category unseen in training mismatches every prototype). A row that observes no
 *   clustering column, and a cluster in which no row observes the column, use the training mean / mode.
 */
import type { CategoricalColumn, Imputer, Table } from '@virnyflow/data';
import { MISSING_CODE, columnsWithMissing } from '@virnyflow/data';
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
import type { KPrototypesInit, KPrototypesResult } from './k-prototypes';
import { defaultGamma, kPrototypes } from './k-prototypes';

export const K_MEANS_CLUSTERING = 'k_means_clustering';

export interface KMeansImputerOptions {
  readonly nClusters: number;
  readonly maxIter: number;
  readonly init: KPrototypesInit;
  readonly nInit: number;
  readonly seed: number;
}

interface Fitted {
  readonly infos: readonly ColumnInfo[];
  /** Indices (into infos) of the numeric and categorical clustering columns. */
  readonly numCols: readonly number[];
  readonly catCols: readonly number[];
  readonly targets: readonly number[];
  readonly model: KPrototypesResult | null;
  readonly gamma: number;
  /** (nClusters, targets) row-major: cluster mean (numeric target) or mode code (categorical target). */
  readonly fill: Float64Array;
}

export class KMeansImputer implements Imputer {
  readonly name = K_MEANS_CLUSTERING;
  private fitted: Fitted | null = null;

  constructor(private readonly options: KMeansImputerOptions) {
    const o = options;
    const ok = (v: number, min: number) => Number.isInteger(v) && v >= min;
    if (
      !ok(o.nClusters, 1) ||
      !ok(o.maxIter, 1) ||
      !ok(o.nInit, 1) ||
      !['Huang', 'Cao', 'random'].includes(o.init)
    ) {
      throw imputationError(
        ImputationErrorCode.BadOption,
        `k_means_clustering: options ${JSON.stringify(o)} are invalid; n_clusters, max_iter and n_init are ` +
          `integers ≥ 1 and init is Huang, Cao or random`,
        { options: { ...o } },
      );
    }
  }

  fit(train: Table, columns: readonly string[] = columnsWithMissing(train)): void {
    const infos = describeColumns(train);
    const names = train.columnNames;
    const targets = columns.map((c) => {
      const j = names.indexOf(c);
      if (j < 0) train.column(c);
      requireObserved(infos[j], this.name);
      return j;
    });
    const complete = infos.map((info, j) => info.missing === 0 && !targets.includes(j));
    const numCols = infos.flatMap((info, j) => (complete[j] && info.kind === 'numeric' ? [j] : []));
    const catCols = infos.flatMap((info, j) => (complete[j] && info.kind === 'categorical' ? [j] : []));
    const enc = encode(train, infos, numCols, catCols, this.name);
    const n = train.nRows;
    let model: KPrototypesResult | null = null;
    let gamma = 1;
    if (numCols.length + catCols.length > 0 && n > 0) {
      const data = {
        nRows: n,
        numeric: enc.numeric,
        nNumeric: numCols.length,
        categorical: enc.categorical,
        nCategories: Int32Array.from(catCols.map((j) => Math.max(1, infos[j].categories.length))),
      };
      gamma = defaultGamma(data);
      model = kPrototypes(data, { ...this.options, gamma });
    }
    const k = model ? model.nClusters : 1;
    const assign = assignRows(enc, numCols.length, catCols.length, model, gamma);
    // Per-cluster statistics of every target over the training rows assigned to the cluster.
    const T = targets.length;
    const fill = new Float64Array(k * T);
    targets.forEach((j, t) => {
      const info = infos[j];
      const col = train.column(info.name);
      if (col.kind === 'numeric') {
        const sum = new Float64Array(k);
        const cnt = new Float64Array(k);
        for (let i = 0; i < n; i++) {
          const v = col.values[i];
          const c = assign[i];
          if (v !== v || c < 0) continue;
          sum[c] += v;
          cnt[c]++;
        }
        for (let c = 0; c < k; c++) fill[c * T + t] = cnt[c] > 0 ? sum[c] / cnt[c] : info.mean;
      } else {
        const K = info.categories.length;
        const cnt = new Float64Array(k * K);
        for (let i = 0; i < n; i++) {
          const v = col.codes[i];
          const c = assign[i];
          if (v < 0 || c < 0) continue;
          cnt[c * K + v]++;
        }
        for (let c = 0; c < k; c++) {
          let best = -1;
          for (let v = 0; v < K; v++)
            if (cnt[c * K + v] > 0 && (best < 0 || cnt[c * K + v] > cnt[c * K + best])) best = v;
          fill[c * T + t] = best < 0 ? info.mode : best;
        }
      }
    });
    this.fitted = { infos, numCols, catCols, targets, model, gamma, fill };
  }

  transform(t: Table): Table {
    const f = this.fitted;
    if (!f) {
      throw imputationError(
        ImputationErrorCode.NotFitted,
        `imputer '${this.name}' is used before fit(); fit it on train first`,
      );
    }
    const enc = encode(t, f.infos, f.numCols, f.catCols, this.name);
    const assign = assignRows(enc, f.numCols.length, f.catCols.length, f.model, f.gamma);
    const n = t.nRows;
    const T = f.targets.length;
    let out = t;
    f.targets.forEach((j, k) => {
      const info = f.infos[j];
      const col = matchingColumn(t, info, this.name);
      if (col.kind === 'numeric') {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = assign[i] < 0 ? info.mean : f.fill[assign[i] * T + k];
        out = out.replaceColumn(fillNumeric(col, v));
      } else {
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = assign[i] < 0 ? info.mode : f.fill[assign[i] * T + k];
        out = out.replaceColumn(fillCategorical(col as CategoricalColumn, info, codes));
      }
    });
    return out;
  }

  /** The fitted prototypes (null when no column was complete), for tests and reports. */
  get clustering(): KPrototypesResult | null {
    return this.fitted?.model ?? null;
  }
}

interface Encoded {
  readonly nRows: number;
  /** (nRows, nNumeric) standardised values, NaN = missing. */
  readonly numeric: Float64Array;
  /** (nRows, nCategorical) training codes, MISSING_CODE / UNSEEN_CODE as in `columns.ts`. */
  readonly categorical: Int32Array;
}

function encode(
  t: Table,
  infos: readonly ColumnInfo[],
  numCols: readonly number[],
  catCols: readonly number[],
  imputer: string,
): Encoded {
  const n = t.nRows;
  const pn = numCols.length;
  const pc = catCols.length;
  const numeric = new Float64Array(n * pn);
  const categorical = new Int32Array(n * pc);
  numCols.forEach((j, a) => {
    const info = infos[j];
    const col = matchingColumn(t, info, imputer) as { values: Float64Array };
    for (let i = 0; i < n; i++) numeric[i * pn + a] = (col.values[i] - info.mean) / info.scale;
  });
  catCols.forEach((j, a) => {
    const codes = trainCodes(matchingColumn(t, infos[j], imputer) as CategoricalColumn, infos[j]);
    for (let i = 0; i < n; i++) categorical[i * pc + a] = codes[i];
  });
  return { nRows: n, numeric, categorical };
}

/**
 * (nRows) nearest prototype of each row over its observed clustering columns; -1 for a row that observes
 * none of them (or when there is no clustering). Missing numeric cells are NaN, missing codes -1; an unseen
 * category (-2) is observed and mismatches every prototype.
 */
function assignRows(
  enc: Encoded,
  pn: number,
  pc: number,
  model: KPrototypesResult | null,
  gamma: number,
): Int32Array {
  const n = enc.nRows;
  const out = new Int32Array(n).fill(model ? 0 : -1);
  if (!model) return out;
  const k = model.nClusters;
  for (let i = 0; i < n; i++) {
    let observed = 0;
    for (let a = 0; a < pn; a++) if (enc.numeric[i * pn + a] === enc.numeric[i * pn + a]) observed++;
    for (let a = 0; a < pc; a++) if (enc.categorical[i * pc + a] !== MISSING_CODE) observed++;
    if (observed === 0) {
      out[i] = -1;
      continue;
    }
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let a = 0; a < pn; a++) {
        const x = enc.numeric[i * pn + a];
        if (x !== x) continue;
        const e = x - model.numeric[c * pn + a];
        s += e * e;
      }
      for (let a = 0; a < pc; a++) {
        const v = enc.categorical[i * pc + a];
        if (v !== MISSING_CODE && v !== model.categorical[c * pc + a]) s += gamma;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}
