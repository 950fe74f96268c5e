/**
 * `knn` — k-nearest-neighbour imputation (Troyanskaya et al., *Missing value estimation methods for DNA
 * microarrays*, Bioinformatics 2001; scikit-learn's `KNNImputer` for the details):
 *
 * - distance between two rows over the columns both observe, numeric columns standardised with the training
 *   mean / std and categorical columns counting 1 per mismatch:
 *   d = sqrt(P / m · (Σ_num (z_a − z_b)² + Σ_cat [a ≠ b])), P = all columns, m = columns observed in both
 *   (scikit-learn's `nan_euclidean` up-weighting); rows sharing no observed column are not neighbours;
 * - a missing cell of column c takes the k nearest *training* rows that observe c (ties → the earlier row);
 *   `uniform` averages their values (numeric) or takes the most frequent one (categorical, ties → the lower
 *   code); `distance` weights each by 1/d, and when some neighbours are at distance 0 only those count;
 * - with no neighbour at all, the training mean / mode.
 *
 * One pass over the training rows per row to impute; the k best donors of each of that row's missing
 * columns are kept in fixed-size max-heaps, so nothing is allocated per row.
 */
import type { CategoricalColumn, Imputer, Table } from '@virnyflow/data';
import { columnsWithMissing } from '@virnyflow/data';
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

export const KNN = 'knn';

export const KnnWeights = { Uniform: 'uniform', Distance: 'distance' } as const;
export type KnnWeights = (typeof KnnWeights)[keyof typeof KnnWeights];

export interface KnnImputerOptions {
  readonly nNeighbors: number;
  readonly weights: KnnWeights;
}

interface Fitted {
  readonly infos: readonly ColumnInfo[];
  readonly targets: readonly number[];
  /** (nTrain, P) encoded training rows (see `encode`). */
  readonly rows: Float64Array;
  readonly nTrain: number;
  /** (P) 1 for categorical columns. */
  readonly isCat: Uint8Array;
  /** (nTrain, T) training values of the target columns: numeric value or code; NaN = missing. */
  readonly values: Float64Array;
  /** Largest category count among categorical targets (size of the vote buffer). */
  readonly maxCategories: number;
}

export class KnnImputer implements Imputer {
  readonly name = KNN;
  private fitted: Fitted | null = null;

  constructor(private readonly options: KnnImputerOptions) {
    const { nNeighbors, weights } = options;
    if (!Number.isInteger(nNeighbors) || nNeighbors < 1 || !Object.values(KnnWeights).includes(weights)) {
      throw imputationError(
        ImputationErrorCode.BadOption,
        `knn: n_neighbors = ${nNeighbors}, weights = ${JSON.stringify(weights)}; n_neighbors is an integer ≥ 1 ` +
          `and weights is uniform or distance`,
        { nNeighbors, weights },
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
    const n = train.nRows;
    const T = targets.length;
    const rows = encode(train, infos, this.name);
    const values = new Float64Array(n * T);
    targets.forEach((j, t) => {
      const info = infos[j];
      const col = train.column(info.name);
      for (let i = 0; i < n; i++) {
        values[i * T + t] = col.kind === 'numeric' ? col.values[i] : col.codes[i] < 0 ? NaN : col.codes[i];
      }
    });
    this.fitted = {
      infos,
      targets,
      rows,
      nTrain: n,
      isCat: Uint8Array.from(infos.map((c) => (c.kind === 'categorical' ? 1 : 0))),
      values,
      maxCategories: Math.max(1, ...targets.map((j) => infos[j].categories.length)),
    };
  }

  transform(t: Table): Table {
    const f = this.fitted;
    if (!f) {
      throw imputationError(
        ImputationErrorCode.NotFitted,
        `imputer '${this.name}' is used before fit(); fit it on train first`,
      );
    }
    const { infos, targets, rows: D, nTrain, isCat, values } = f;
    const n = t.nRows;
    const P = infos.length;
    const T = targets.length;
    const k = this.options.nNeighbors;
    const byDistance = this.options.weights === KnnWeights.Distance;
    const Q = encode(t, infos, this.name);
    // (n, T) imputed value of every target cell of t (only missing cells are read back).
    const filled = new Float64Array(n * T);
    // Scratch, allocated once: per target slot a max-heap of (distance, row) of size k.
    const heapD = new Float64Array(T * k);
    const heapR = new Int32Array(T * k);
    const heapN = new Int32Array(T);
    const want = new Int32Array(T);
    const votes = new Float64Array(f.maxCategories);
    const weights = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      // Target slots missing in row i.
      let nw = 0;
      for (let s = 0; s < T; s++) {
        const j = targets[s];
        const x = Q[i * P + j];
        if (x !== x) want[nw++] = s;
      }
      if (nw === 0) continue;
      heapN.fill(0);
      const qi = i * P;
      for (let r = 0; r < nTrain; r++) {
        const dr = r * P;
        let sum = 0;
        let m = 0;
        for (let j = 0; j < P; j++) {
          const a = Q[qi + j];
          const b = D[dr + j];
          if (a !== a || b !== b) continue;
          m++;
          if (isCat[j] === 1) {
            if (a !== b) sum += 1;
          } else sum += (a - b) * (a - b);
        }
        if (m === 0) continue;
        const dist = Math.sqrt((sum * P) / m);
        for (let w = 0; w < nw; w++) {
          const s = want[w];
          if (values[r * T + s] !== values[r * T + s]) continue;
          heapPush(heapD, heapR, heapN, s, k, dist, r);
        }
      }
      for (let w = 0; w < nw; w++) {
        const s = want[w];
        const info = infos[targets[s]];
        const size = heapN[s];
        const cell = i * T + s;
        if (size === 0) {
          filled[cell] = info.kind === 'numeric' ? info.mean : info.mode;
          continue;
        }
        const h0 = s * k;
        let exact = 0;
        if (byDistance) for (let h = 0; h < size; h++) if (heapD[h0 + h] === 0) exact++;
        // Weight of each neighbour: 1 (uniform), 1/d (distance), or 1 for the d = 0 ones only.
        for (let h = 0; h < size; h++) {
          const d = heapD[h0 + h];
          weights[h] = !byDistance ? 1 : exact > 0 ? (d === 0 ? 1 : 0) : 1 / d;
        }
        if (info.kind === 'numeric') {
          let sw = 0;
          let sv = 0;
          for (let h = 0; h < size; h++) {
            sw += weights[h];
            sv += weights[h] * values[heapR[h0 + h] * T + s];
          }
          filled[cell] = sv / sw;
        } else {
          for (let h = 0; h < size; h++) votes[values[heapR[h0 + h] * T + s]] = 0;
          let best = -1;
          for (let h = 0; h < size; h++) votes[values[heapR[h0 + h] * T + s]] += weights[h];
          for (let h = 0; h < size; h++) {
            const v = values[heapR[h0 + h] * T + s];
            if (best < 0 || votes[v] > votes[best] || (votes[v] === votes[best] && v < best)) best = v;
          }
          filled[cell] = best;
        }
      }
    }
    let out = t;
    targets.forEach((j, s) => {
      const info = infos[j];
      const col = matchingColumn(t, info, this.name);
      if (col.kind === 'numeric') {
        const v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = filled[i * T + s];
        out = out.replaceColumn(fillNumeric(col, v));
      } else {
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = filled[i * T + s];
        out = out.replaceColumn(fillCategorical(col as CategoricalColumn, info, codes));
      }
    });
    return out;
  }
}

/**
 * (nRows, P) row-major: numeric columns standardised with the training mean / std, categorical columns as
 * training codes (an unseen category is -2, which equals no training code); NaN = missing.
 */
function encode(t: Table, infos: readonly ColumnInfo[], imputer: string): Float64Array {
  const n = t.nRows;
  const P = infos.length;
  const out = new Float64Array(n * P);
  infos.forEach((info, j) => {
    const col = matchingColumn(t, info, imputer);
    if (col.kind === 'numeric') {
      for (let i = 0; i < n; i++) out[i * P + j] = (col.values[i] - info.mean) / info.scale;
    } else {
      const codes = trainCodes(col, info);
      for (let i = 0; i < n; i++) out[i * P + j] = codes[i] === -1 ? NaN : codes[i];
    }
  });
  return out;
}

/**
 * Offers (dist, row) to slot s's max-heap of at most k entries, ordered by distance then row: the root is
 * the worst kept neighbour, replaced when the offer is better.
 */
function heapPush(
  D: Float64Array,
  R: Int32Array,
  N: Int32Array,
  s: number,
  k: number,
  dist: number,
  row: number,
): void {
  const h0 = s * k;
  let size = N[s];
  if (size < k) {
    // Sift up from the new leaf.
    let c = size++;
    D[h0 + c] = dist;
    R[h0 + c] = row;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (!worse(D, R, h0 + c, h0 + parent)) break;
      swap(D, R, h0 + c, h0 + parent);
      c = parent;
    }
    N[s] = size;
    return;
  }
  // Full: the offer replaces the root only if strictly better (rows arrive in ascending order, so an equal
  // distance never displaces an earlier row).
  if (!(dist < D[h0])) return;
  D[h0] = dist;
  R[h0] = row;
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    const r = l + 1;
    let top = c;
    if (l < size && worse(D, R, h0 + l, h0 + top)) top = l;
    if (r < size && worse(D, R, h0 + r, h0 + top)) top = r;
    if (top === c) break;
    swap(D, R, h0 + c, h0 + top);
    c = top;
  }
}

/** Entry a is a worse neighbour than entry b: farther, or as far and a later row. */
function worse(D: Float64Array, R: Int32Array, a: number, b: number): boolean {
  return D[a] > D[b] || (D[a] === D[b] && R[a] > R[b]);
}

function swap(D: Float64Array, R: Int32Array, a: number, b: number): void {
  const d = D[a];
  D[a] = D[b];
  D[b] = d;
  const r = R[a];
  R[a] = R[b];
  R[b] = r;
}
