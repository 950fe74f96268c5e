/**
 * The experiment context: everything a worker needs to evaluate any task of an experiment that the task
 * message itself does not carry (SPEC §5.2–§5.3). It is the same for every task, so the coordinator stores
 * it once as a transport blob (JSON, keyed by its sha256) and tasks refer to it by `contextHash`; workers
 * fetch and cache it by that hash.
 */
import type { ErrorInjectionConfig, ExperimentConfig, SensitiveAttribute } from '@virnyflow/core';
import { EngineErrorCode, engineError } from './errors';

/** 2: `errorInjection` added (a version-1 worker would silently skip the injection). */
export const CONTEXT_VERSION = 2;

/** A stand-in pipeline for benchmarks of the orchestration itself (no data is touched). */
export interface SyntheticPipeline {
  /** Time each task takes, in ms (0 = return at once). */
  readonly sleepMs: number;
}

export interface ExperimentContext {
  readonly version: typeof CONTEXT_VERSION;
  readonly experiment: string;
  /** Name of the dataset (for messages and imputer contexts). */
  readonly dataset: string;
  /** Blob key of the prepared dataset. */
  readonly datasetHash: string;
  readonly testSetFraction: number;
  /** The resolved `sensitive_attributes_dct`, in dict order (groups of the metrics). */
  readonly sensitiveAttributes: readonly SensitiveAttribute[];
  /** Keys whose disadvantaged rows form group 0 of the binary protected column (SPEC §2.4). */
  readonly sensitiveAttrsForIntervention: readonly string[];
  readonly computationMode: 'bootstrap' | 'no_bootstrap';
  readonly bootstrapFraction: number | null;
  readonly nEstimators: number | null;
  /** Requested halting fractions (forced to [1] below 1,000 training rows by the pipeline). */
  readonly haltingFractions: readonly number[];
  /** Objective metric names as configured (EGR picks its constraint from them). */
  readonly objectiveMetrics: readonly string[];
  /**
   * `pipeline_args.error_injection`, applied to the run's split right after it is made (`makeSplit`), with
   * the run seed: every pipeline of a run, in any thread or on any worker, sees the same injected nulls.
   */
  readonly errorInjection: readonly ErrorInjectionConfig[];
  /** File URLs of component modules the threads import before building their registry. */
  readonly componentModules: readonly string[];
  readonly synthetic: SyntheticPipeline | null;
}

export function buildContext(
  config: ExperimentConfig,
  dataset: { name: string; hash: string; testSetFraction: number },
  options: { componentModules?: readonly string[]; synthetic?: SyntheticPipeline | null } = {},
): ExperimentContext {
  return {
    version: CONTEXT_VERSION,
    experiment: config.name,
    dataset: dataset.name,
    datasetHash: dataset.hash,
    testSetFraction: dataset.testSetFraction,
    sensitiveAttributes: config.sensitiveAttributes.map((a) => ({
      key: a.key,
      parts: [...a.parts],
      intersection: a.intersection,
      disadvantaged: [...a.disadvantaged],
    })),
    sensitiveAttrsForIntervention: [...config.sensitiveAttrsForIntervention],
    computationMode: config.computationMode,
    bootstrapFraction: config.bootstrapFraction,
    nEstimators: config.nEstimators,
    haltingFractions: [...config.trainingSetFractionsForHalting],
    objectiveMetrics: config.objectives.map((o) => o.metric),
    errorInjection: config.errorInjection.map((e) => ({
      ...e,
      columns: [...e.columns],
      splits: [...e.splits],
      ...(e.condition ? { condition: { ...e.condition } } : {}),
    })),
    componentModules: [...(options.componentModules ?? [])],
    synthetic: options.synthetic ?? null,
  };
}

export function encodeContext(ctx: ExperimentContext): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(ctx));
}

/** Parses and checks a context blob (it crossed a process boundary: trust nothing). */
export function decodeContext(bytes: Uint8Array): ExperimentContext {
  let x: unknown;
  try {
    x = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw badContext('not JSON');
  }
  const c = x as Record<string, unknown>;
  if (typeof c !== 'object' || c === null) throw badContext('not an object');
  if (c.version !== CONTEXT_VERSION) {
    throw badContext(`version ${String(c.version)}, this build reads ${CONTEXT_VERSION}`);
  }
  const str = (k: string): void => {
    if (typeof c[k] !== 'string') throw badContext(`field '${k}' must be a string`);
  };
  const arr = (k: string): void => {
    if (!Array.isArray(c[k])) throw badContext(`field '${k}' must be an array`);
  };
  str('experiment');
  str('dataset');
  str('datasetHash');
  arr('sensitiveAttributes');
  arr('sensitiveAttrsForIntervention');
  arr('haltingFractions');
  arr('objectiveMetrics');
  arr('errorInjection');
  arr('componentModules');
  if (typeof c.testSetFraction !== 'number') throw badContext("field 'testSetFraction' must be a number");
  if (c.computationMode !== 'bootstrap' && c.computationMode !== 'no_bootstrap') {
    throw badContext("field 'computationMode' must be 'bootstrap' or 'no_bootstrap'");
  }
  return x as ExperimentContext;
}

function badContext(why: string): Error {
  return engineError(
    EngineErrorCode.BadBlob,
    `experiment context blob: ${why}; run the same VirnyFlow-TS version on every node`,
  );
}
