/**
 * The logical-pipeline cost model (SPEC §3.1–3.2) and logical-pipeline selection (SPEC §3.3 with the
 * decision of §13.4), after Alpine Meadow's Algorithm 3.
 *
 * Stats are plain JSON-serialisable objects (the store persists them and the engine rebuilds them);
 * every function here is pure apart from the injected, seeded generator.
 */
import type { Rng } from '@virnyflow/core';
import { OptimizerErrorCode, optimizerError } from './errors';

/** State kept per logical pipeline (SPEC §3.1). Objective-keyed maps use the objective names. */
export interface LogicalPipelineStats {
  readonly name: string;
  /** Σ_i w_i·(mean_i + riskFactor·std_i / cost); 0 until the first completed physical pipeline. */
  readonly score: number;
  /** Running mean of the reversed (1 − loss, unweighted, test set) objective values. */
  readonly qualityMean: Readonly<Record<string, number>>;
  /** Running sample standard deviation of the same, with SPEC's accumulating +1e-6. */
  readonly qualityStd: Readonly<Record<string, number>>;
  /** Running mean of the execution time in seconds. */
  readonly executionCost: number;
  /** Best compound quality Q = Σ w_i·r_i of its physical pipelines (0 initially, as in VirnyFlow). */
  readonly bestCompoundQuality: number;
  readonly numCompletedPps: number;
  /** Physical pipelines scheduled so far. */
  readonly numTrials: number;
  readonly riskFactor: number;
  readonly maxTrials: number;
}

export interface WeightedObjective {
  readonly name: string;
  readonly weight: number;
}

/** The epsilon VirnyFlow adds to every stored standard deviation (it accumulates, SPEC §11.10). */
export const STD_EPSILON = 1e-6;

export function initialLogicalPipelineStats(
  name: string,
  objectives: readonly WeightedObjective[],
  options: { riskFactor: number; maxTrials: number },
): LogicalPipelineStats {
  const zeros: Record<string, number> = {};
  for (const o of objectives) zeros[o.name] = 0;
  return {
    name,
    score: 0,
    qualityMean: { ...zeros },
    qualityStd: { ...zeros },
    executionCost: 0,
    bestCompoundQuality: 0,
    numCompletedPps: 0,
    numTrials: 0,
    riskFactor: options.riskFactor,
    maxTrials: options.maxTrials,
  };
}

/** Q = Σ_i w_i·r_i over reversed objective values r (by objective name). */
export function compoundQuality(
  reversed: Readonly<Record<string, number>>,
  objectives: readonly WeightedObjective[],
): number {
  let q = 0;
  for (const o of objectives) q += o.weight * valueOf(reversed, o.name);
  return q;
}

function valueOf(r: Readonly<Record<string, number>>, name: string): number {
  const v = r[name];
  if (typeof v !== 'number') {
    throw optimizerError(
      OptimizerErrorCode.BadStats,
      `no value for objective '${name}' (have: ${Object.keys(r).join(', ') || 'none'}); pass one per objective`,
      { name },
    );
  }
  return v;
}

/**
 * The update on one completed physical pipeline (SPEC §3.2), exactly as VirnyFlow computes it:
 * with n = completed before the update,
 * - n = 0: cost = t, mean_i = r_i, std_i = 0 + 1e-6;
 * - n > 0: cost' = cost + (t − cost)/(n+1), mean_i' = mean_i + (r_i − mean_i)/(n+1),
 *   std_i' = sqrt(((n−1)·std_i² + (r_i − mean_i')·(r_i − mean_i)) / n) + 1e-6;
 * - score = Σ_i w_i·(mean_i' + riskFactor·std_i'/cost'); bestCompound = max(old, Σ w_i·r_i).
 * `elapsedTime` in seconds; `reversed` = 1 − loss per objective (unweighted, test set). Returns new stats.
 */
export function updateLogicalPipelineStats(
  stats: LogicalPipelineStats,
  observation: { elapsedTime: number; reversed: Readonly<Record<string, number>> },
  objectives: readonly WeightedObjective[],
): LogicalPipelineStats {
  const n = stats.numCompletedPps;
  const t = observation.elapsedTime;
  if (!Number.isFinite(t) || t < 0) {
    throw optimizerError(
      OptimizerErrorCode.BadStats,
      `elapsedTime = ${t} for '${stats.name}'; give the pipeline's wall time in seconds (≥ 0)`,
      { name: stats.name, elapsedTime: t },
    );
  }
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  let cost: number;
  if (n === 0) {
    cost = t;
    for (const o of objectives) {
      mean[o.name] = valueOf(observation.reversed, o.name);
      std[o.name] = 0 + STD_EPSILON;
    }
  } else {
    cost = stats.executionCost + (t - stats.executionCost) / (n + 1);
    for (const o of objectives) {
      const r = valueOf(observation.reversed, o.name);
      const m = valueOf(stats.qualityMean, o.name);
      const s = valueOf(stats.qualityStd, o.name);
      const m2 = m + (r - m) / (n + 1);
      mean[o.name] = m2;
      std[o.name] = Math.sqrt(((n - 1) * s * s + (r - m2) * (r - m)) / n) + STD_EPSILON;
    }
  }
  let score = 0;
  for (const o of objectives) score += o.weight * (mean[o.name] + (stats.riskFactor * std[o.name]) / cost);
  const q = compoundQuality(observation.reversed, objectives);
  return {
    ...stats,
    score,
    qualityMean: mean,
    qualityStd: std,
    executionCost: cost,
    bestCompoundQuality: Math.max(stats.bestCompoundQuality, q),
    numCompletedPps: n + 1,
  };
}

/** Records that k more physical pipelines of this logical pipeline were scheduled. */
export function recordScheduled(stats: LogicalPipelineStats, k: number): LogicalPipelineStats {
  return { ...stats, numTrials: stats.numTrials + k };
}

/** How many suggestions to request for a selected logical pipeline: min(numPpCandidates, max − scheduled). */
export function batchSize(stats: LogicalPipelineStats, numPpCandidates: number): number {
  return Math.max(0, Math.min(numPpCandidates, stats.maxTrials - stats.numTrials));
}

export interface SelectionResult {
  /** Index into the list passed in. */
  readonly index: number;
  /** Whether the exploration branch picked an unexplored logical pipeline. */
  readonly explored: boolean;
}

/**
 * Picks the next logical pipeline (SPEC §3.3 with §13.4). Candidates are those with numTrials < maxTrials.
 * With probability `explorationFactor`, and while some candidate has no completed physical pipeline, one
 * of those is chosen uniformly; otherwise one candidate is drawn with P ∝ exp(score / 1) (softmax,
 * temperature 1, over all candidates; unexplored ones have score 0). Returns null when no candidate is
 * left. Consumes exactly one uniform draw plus one for the choice.
 */
export function selectLogicalPipeline(
  all: readonly LogicalPipelineStats[],
  explorationFactor: number,
  rng: Rng,
): SelectionResult | null {
  if (!(explorationFactor >= 0 && explorationFactor <= 1)) {
    throw optimizerError(
      OptimizerErrorCode.BadStats,
      `exploration_factor = ${explorationFactor}; give a probability in [0, 1]`,
      { explorationFactor },
    );
  }
  const candidates: number[] = [];
  for (let i = 0; i < all.length; i++) if (all[i].numTrials < all[i].maxTrials) candidates.push(i);
  if (candidates.length === 0) return null;
  const unexplored = candidates.filter((i) => all[i].numCompletedPps === 0);
  const u = rng.next();
  if (u < explorationFactor && unexplored.length > 0) {
    return { index: unexplored[rng.nextInt(unexplored.length)], explored: true };
  }
  // Softmax with the maximum subtracted for numerical stability (same probabilities).
  let maxScore = -Infinity;
  for (const i of candidates) if (all[i].score > maxScore) maxScore = all[i].score;
  const w = candidates.map((i) => Math.exp(all[i].score - maxScore));
  const total = w.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let k = 0; k < candidates.length; k++) {
    r -= w[k];
    if (r < 0) return { index: candidates[k], explored: false };
  }
  return { index: candidates[candidates.length - 1], explored: false };
}
