/**
 * The adaptive halting rule (SPEC §5.4, kept by §13.1): after each training fraction a physical pipeline
 * continues only if its compound quality on the training set is at least the best compound quality on the
 * test set seen so far in the run, that best including the pipeline's own test quality at this fraction.
 * Compound quality Q = Σ_i w_i·(1 − loss_i) (higher is better).
 */
export interface HaltingInput {
  /** This pipeline's Q on the training data at this fraction. */
  readonly trainCompound: number;
  /** The run's best test Q so far (null/undefined when there is none yet). */
  readonly bestTestCompound?: number | null;
  /** This pipeline's Q on the test set at this fraction. */
  readonly ownTestCompound: number;
}

/** True to evaluate the next fraction, false to stop (prune). A NaN quality never continues. */
export function shouldContinue(input: HaltingInput): boolean {
  const { trainCompound, ownTestCompound } = input;
  const prior = input.bestTestCompound;
  if (Number.isNaN(trainCompound)) return false;
  let best = Number.isNaN(ownTestCompound) ? -Infinity : ownTestCompound;
  if (prior !== null && prior !== undefined && !Number.isNaN(prior) && prior > best) best = prior;
  return trainCompound >= best;
}

/** The run-wide best after this fraction: max(previous best, own test Q). */
export function updatedBest(bestTestCompound: number | null | undefined, ownTestCompound: number): number {
  if (bestTestCompound === null || bestTestCompound === undefined || Number.isNaN(bestTestCompound))
    return ownTestCompound;
  if (Number.isNaN(ownTestCompound)) return bestTestCompound;
  return Math.max(bestTestCompound, ownTestCompound);
}
