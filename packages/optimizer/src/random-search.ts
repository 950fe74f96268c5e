/**
 * Random search over a search space: the baseline the advisor is measured against, and the second
 * implementation of the `Optimizer` port. Each suggestion is a uniform draw (log-uniform for log
 * parameters) among configurations nobody has seen, from a generator derived from (seed, number of
 * observed + pending trials), so it replays like the advisor.
 */
import type { Configuration, SearchSpace } from '@virnyflow/core';
import { Rng, hashSeeds } from '@virnyflow/core';
import { SpaceEncoding } from './encoding';
import { OptimizerErrorCode, optimizerError } from './errors';
import type { Optimizer, ResolvedTypes, TrialObservation } from './optimizer';
import { TrialBook } from './trials';

export interface RandomSearchOptions {
  space: SearchSpace;
  numObjectives: number;
  numConstraints?: number;
  seed: number;
}

export class RandomSearch implements Optimizer {
  readonly resolvedTypes: ResolvedTypes = { surrogate: 'random', acquisition: 'none', acqOptimizer: 'none' };
  readonly encoding: SpaceEncoding;
  private readonly book: TrialBook;
  private readonly seed: number;

  constructor(options: RandomSearchOptions) {
    const nc = options.numConstraints ?? 0;
    if (
      !Number.isInteger(options.numObjectives) ||
      options.numObjectives < 1 ||
      !Number.isInteger(nc) ||
      nc < 0
    ) {
      throw optimizerError(
        OptimizerErrorCode.BadOption,
        `random search: numObjectives = ${options.numObjectives}, numConstraints = ${nc}; give a positive and a non-negative integer`,
        { numObjectives: options.numObjectives, numConstraints: nc },
      );
    }
    if (!Number.isFinite(options.seed)) {
      throw optimizerError(
        OptimizerErrorCode.BadOption,
        `random search: seed = ${options.seed}; give a finite number`,
        {
          seed: options.seed,
        },
      );
    }
    this.encoding = new SpaceEncoding(options.space);
    this.book = new TrialBook(this.encoding, options.numObjectives, nc);
    this.seed = options.seed;
  }

  get numObservations(): number {
    return this.book.history.length;
  }

  suggest(k: number): Configuration[] {
    if (!Number.isInteger(k) || k < 0) {
      throw optimizerError(
        OptimizerErrorCode.BadOption,
        `suggest(k): k = ${k}; give a non-negative integer`,
        { k },
      );
    }
    const out: Configuration[] = [];
    for (let i = 0; i < k; i++) {
      const rng = new Rng(hashSeeds(this.seed, this.book.issued, 0x5));
      const u = this.book.randomUnseen(rng);
      if (u === null) break;
      const config = this.encoding.decode(u);
      this.book.addPending(config);
      out.push(config);
    }
    return out;
  }

  observe(observation: TrialObservation): void {
    this.book.record(observation);
  }

  addPending(config: Configuration): void {
    this.book.addPending(config);
  }
}
