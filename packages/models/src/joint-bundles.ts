/**
 * Joint bundles: a second, exact compression of the gradient-histogram layout on top of exclusive feature
 * bundling (bundles.ts). Bundles with few bins — one-hot groups, binary flags — are grouped, and each row
 * gets one *cell* per group: the combination of its bins in the group's bundles. When the combinations
 * that occur in the data are few (≤ MAX_CELLS), a histogram over cells holds everything the bundles'
 * histograms hold: bundle b's slot s is the sum of the cells whose b-bin is s. A histogram pass then adds
 * each row once per group instead of once per bundle (cardio: the six categorical groups become one
 * group of ≤ 144 cells, so 11 adds per row become 6), and the bundle histograms are recovered per node
 * from ≤ 256 cells — far less than the rows summed into them.
 *
 * Grouping is greedy in bundle order: a bundle with at most MAX_MEMBER_SLOTS slots joins the open group if
 * the combinations that occur stay within MAX_CELLS and n / MIN_ROWS_PER_CELL, else it opens the next group;
 * larger bundles stay alone. Cells are numbered by ascending (first member's bin, second member's bin, …), so the result is
 * deterministic. A group of one bundle uses the bundle's slots and column as they are.
 */
import type { FeatureBundles } from './bundles';

/** A group's cells must fit in a Uint8 column. */
const MAX_CELLS = 256;
/** Bundles with more slots (continuous features) rarely combine within MAX_CELLS: left alone. */
const MAX_MEMBER_SLOTS = 64;
/**
 * Rows per cell a group must have. A merge saves one histogram add per row in every histogram pass (about
 * two passes over the rows per tree) but costs nCells × nMembers adds each time a node's splits are scanned
 * (tens of nodes per tree): with fewer rows per cell than this the expansion outweighs the saving (small
 * data sets, where nodes hold a few dozen rows).
 */
const MIN_ROWS_PER_CELL = 64;

export interface JointBundles {
  readonly nGroups: number;
  /** (nGroups + 1) histogram slot offsets: group g owns slots [slotOffset[g], slotOffset[g + 1]). */
  readonly slotOffset: Uint32Array;
  readonly totalSlots: number;
  /** (nGroups) member bundles, ascending. */
  readonly members: readonly Uint32Array[];
  /** (nBundles) group of each bundle. */
  readonly groupOf: Uint32Array;
  /** (nBundles) position of the bundle among its group's members. */
  readonly memberIndex: Uint32Array;
  /** (nGroups) the group's cell of every row (nRows): the bundle's own column for single-bundle groups. */
  readonly columns: readonly Uint8Array[];
  /**
   * (nGroups) for groups of ≥ 2 bundles: (nCells, nMembers) row-major, the bin of each member bundle in each
   * cell; empty for single-bundle groups (cell = bundle bin).
   */
  readonly cellBins: readonly Uint8Array[];
  /** True when every group is a single bundle: the joint and bundle layouts coincide. */
  readonly identity: boolean;
  /**
   * (nRows, nGroups) row-major: the histogram slot (slotOffset[g] + cell) of every row in every group.
   * Uint16 unless there are more than 65,536 slots in all.
   */
  readonly rowSlots: Uint16Array | Uint32Array;
}

const cache = new WeakMap<FeatureBundles, JointBundles>();

/** The joint bundles of a bundling over nRows rows (cached per bundling); `enabled` false keeps one group per bundle. */
export function jointBundles(fb: FeatureBundles, nRows: number, enabled = true): JointBundles {
  const hit = cache.get(fb);
  if (hit) return hit;
  const jb = computeJoint(fb, nRows, enabled);
  cache.set(fb, jb);
  return jb;
}

interface Group {
  members: number[];
  /** Cell of every row (only for groups being built from ≥ 1 small bundle). */
  cells: Uint8Array;
  nCells: number;
  /** (nCells, members.length) row-major member bins. */
  bins: Uint8Array;
}

function computeJoint(fb: FeatureBundles, n: number, enabled: boolean): JointBundles {
  const nB = fb.nBundles;
  const groups: Group[] = [];
  let open: Group | null = null;
  // Scratch for one merge attempt: code = cell · S + bin < MAX_CELLS · MAX_MEMBER_SLOTS.
  const seen = new Int32Array(MAX_CELLS * MAX_MEMBER_SLOTS);
  const codes = new Uint16Array(n);
  const maxCells = Math.min(MAX_CELLS, Math.floor(n / MIN_ROWS_PER_CELL));
  for (let b = 0; b < nB; b++) {
    const S = fb.slotOffset[b + 1] - fb.slotOffset[b];
    const col = fb.columns[b];
    if (!enabled || S > MAX_MEMBER_SLOTS) {
      open = null;
      groups.push(single(b, col, S));
      continue;
    }
    if (open && tryJoin(open, b, col, S, maxCells, seen, codes)) continue;
    open = single(b, col, S);
    groups.push(open);
  }
  const nG = groups.length;
  const slotOffset = new Uint32Array(nG + 1);
  const members: Uint32Array[] = [];
  const groupOf = new Uint32Array(nB);
  const memberIndex = new Uint32Array(nB);
  const columns: Uint8Array[] = [];
  const cellBins: Uint8Array[] = [];
  let identity = true;
  for (let g = 0; g < nG; g++) {
    const gr = groups[g];
    slotOffset[g + 1] = slotOffset[g] + gr.nCells;
    members.push(Uint32Array.from(gr.members));
    gr.members.forEach((b, k) => {
      groupOf[b] = g;
      memberIndex[b] = k;
    });
    columns.push(gr.cells);
    if (gr.members.length > 1) {
      identity = false;
      cellBins.push(gr.bins);
    } else cellBins.push(new Uint8Array(0));
  }
  const totalSlots = slotOffset[nG];
  const rowSlots = totalSlots <= 0x10000 ? new Uint16Array(n * nG) : new Uint32Array(n * nG);
  // Column by column in row blocks, so the strided writes of a block stay in cache.
  const block = 4096;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    for (let g = 0; g < nG; g++) {
      const c = columns[g];
      const s0 = slotOffset[g];
      for (let i = i0, k = i0 * nG + g; i < i1; i++, k += nG) rowSlots[k] = s0 + c[i];
    }
  }
  return {
    nGroups: nG,
    slotOffset,
    totalSlots,
    members,
    groupOf,
    memberIndex,
    columns,
    cellBins,
    identity,
    rowSlots,
  };
}

/** A group of one bundle: its cells are its bins (the bundle column itself, no copy). */
function single(b: number, col: Uint8Array, S: number): Group {
  const bins = new Uint8Array(S);
  for (let v = 0; v < S; v++) bins[v] = v;
  return { members: [b], cells: col, nCells: S, bins };
}

/**
 * Adds bundle b (column col, S slots) to group g when the combinations occurring in the data stay within
 * maxCells; renumbers the cells in ascending (old cell, bin) order. Returns false (g unchanged) otherwise.
 */
function tryJoin(
  g: Group,
  b: number,
  col: Uint8Array,
  S: number,
  maxCells: number,
  seen: Int32Array,
  codes: Uint16Array,
): boolean {
  const n = col.length;
  const span = g.nCells * S;
  if (span > seen.length) return false;
  seen.fill(0, 0, span);
  const cells = g.cells;
  for (let i = 0; i < n; i++) {
    const c = cells[i] * S + col[i];
    codes[i] = c;
    seen[c] = 1;
  }
  let k = 0;
  for (let c = 0; c < span; c++) if (seen[c]) k++;
  if (k > maxCells) return false;
  // seen[c] ← new cell id of code c (ascending codes), and the new cells' member bins.
  const M = g.members.length;
  const bins = new Uint8Array(k * (M + 1));
  let id = 0;
  for (let c = 0; c < span; c++) {
    if (!seen[c]) continue;
    seen[c] = id;
    const old = (c / S) | 0;
    for (let m = 0; m < M; m++) bins[id * (M + 1) + m] = g.bins[old * M + m];
    bins[id * (M + 1) + M] = c - old * S;
    id++;
  }
  // A single-bundle group's cells are that bundle's column: renumber into a new array, never in place.
  const next = g.members.length === 1 ? new Uint8Array(n) : cells;
  for (let i = 0; i < n; i++) next[i] = seen[codes[i]];
  g.cells = next;
  g.members.push(b);
  g.nCells = k;
  g.bins = bins;
  return true;
}

/**
 * Writes, for every group of ≥ 2 bundles, its members' slots of the bundle-level histogram `out`
 * (fb.totalSlots × 2, [Σg, Σh] per slot) from the joint histogram `joint` (jb.totalSlots × 2), summing cell
 * by cell. Slots of single-bundle groups are left alone: they read the joint histogram in place.
 */
export function expandJoint(jb: JointBundles, fb: FeatureBundles, joint: number[], out: number[]): void {
  for (let g = 0; g < jb.nGroups; g++) {
    const mem = jb.members[g];
    if (mem.length === 1) continue;
    const j0 = jb.slotOffset[g] << 1;
    const nCells = jb.slotOffset[g + 1] - jb.slotOffset[g];
    const M = mem.length;
    for (let m = 0; m < M; m++) {
      const b = mem[m];
      out.fill(0, fb.slotOffset[b] << 1, fb.slotOffset[b + 1] << 1);
    }
    const bins = jb.cellBins[g];
    for (let c = 0; c < nCells; c++) {
      const gc = joint[j0 + 2 * c];
      const hc = joint[j0 + 2 * c + 1];
      for (let m = 0; m < M; m++) {
        const q = (fb.slotOffset[mem[m]] + bins[c * M + m]) << 1;
        out[q] += gc;
        out[q + 1] += hc;
      }
    }
  }
}
