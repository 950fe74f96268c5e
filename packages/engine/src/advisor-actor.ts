/**
 * The advisor actor: one per logical pipeline of a run, wrapping the optimizer's `Advisor` for that
 * pipeline's joint search space (SPEC §4 with §13.5). Its mailbox serialises `suggest` and `observe`, so
 * the advisor sees observations exactly in the order the scheduler recorded them.
 *
 * The advisor is rebuilt, never persisted: the factory replays the logical pipeline's stored observations
 * in sequence order and registers the still-queued or running tasks' configurations as pending, which makes
 * the next suggestion the one an uninterrupted advisor would make (the optimizer derives each suggestion's
 * randomness from the seed and the number of trials observed plus pending).
 */
import type { Configuration, ExperimentConfig, SearchSpace } from '@virnyflow/core';
import { hashSeeds, hashString } from '@virnyflow/core';
import type { ActorContext, ActorRef, Behavior } from '@virnyflow/runtime';
import { Advisor } from '@virnyflow/optimizer';
import type { AdvisorOptions, ResolvedTypes, TrialObservation } from '@virnyflow/optimizer';

export type AdvisorMessage =
  | { readonly type: 'suggest'; readonly k: number }
  | { readonly type: 'observe'; readonly observation: TrialObservation }
  | { readonly type: 'info' };

export interface AdvisorInfo {
  readonly resolvedTypes: ResolvedTypes;
  readonly numObservations: number;
  readonly numPending: number;
  readonly notes: readonly string[];
}

export type AdvisorReply = Configuration[] | AdvisorInfo | null;

export type AdvisorRef = ActorRef<AdvisorMessage, AdvisorReply>;

/** The advisor's seed: distinct per logical pipeline, derived from the run seed (SPEC §13.5). */
export function advisorSeed(runSeed: number, lpUuid: string): number {
  return hashSeeds(runSeed, hashString(lpUuid));
}

/** Number of constraints the optimizer sees: one per constraint string, in objective order (§13.3). */
export function numConstraints(config: ExperimentConfig): number {
  return config.objectives.reduce((n, o) => n + o.constraints.length, 0);
}

export function advisorOptions(
  config: ExperimentConfig,
  space: SearchSpace,
  runSeed: number,
  lpUuid: string,
): AdvisorOptions {
  return {
    space,
    numObjectives: config.objectives.length,
    numConstraints: numConstraints(config),
    refPoint: config.refPoint,
    surrogate: config.optimizer.surrogateType,
    acquisition: config.optimizer.acqType,
    acqOptimizer: config.optimizer.acqOptimizerType,
    seed: advisorSeed(runSeed, lpUuid),
  };
}

export interface AdvisorReplay {
  /** The logical pipeline's observations in recording order. */
  readonly observations: readonly TrialObservation[];
  /** Configurations of its queued or running tasks, in task order. */
  readonly pending: readonly Configuration[];
}

/** The behaviour factory of an advisor actor (replays on every (re)start). */
export function advisorBehavior(
  options: AdvisorOptions,
  replay: AdvisorReplay,
): (ctx: ActorContext<AdvisorMessage, AdvisorReply>) => Behavior<AdvisorMessage, AdvisorReply> {
  return () => {
    const advisor = new Advisor(options);
    for (const o of replay.observations) advisor.observe(o);
    for (const c of replay.pending) advisor.addPending(c);
    return {
      receive(message: AdvisorMessage): AdvisorReply {
        switch (message.type) {
          case 'suggest':
            return advisor.suggest(message.k);
          case 'observe':
            advisor.observe(message.observation);
            return null;
          case 'info':
            return {
              resolvedTypes: advisor.resolvedTypes,
              numObservations: advisor.numObservations,
              numPending: advisor.pending.length,
              notes: advisor.notes,
            };
        }
      },
    };
  };
}
