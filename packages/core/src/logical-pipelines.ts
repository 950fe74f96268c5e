/**
 * Logical pipelines (SPEC §2.5): every combination imputer × fairness intervention × model, in that loop
 * order, named `imputer&intervention&model`, identified by the standard base64 (with `=` padding) of the
 * UTF-8 name — the same identity VirnyFlow stores, so ids match across runs and implementations.
 */
import { PSEUDO_COMPONENTS, STAGE_SEPARATOR } from './components';
import { VirnyFlowError } from './errors';
import { STAGE_PREFIX, Stage } from './registry';
import type { ComponentRegistry } from './registry';
import { joinSpaces, prefixSpace, splitByPrefix } from './search-space';
import type { Configuration, SearchSpace } from './search-space';

export const LogicalPipelineErrorCode = {
  BadName: 'VF_LP_BAD_NAME',
  BadSuggestion: 'VF_LP_BAD_SUGGESTION',
} as const;
export type LogicalPipelineErrorCode =
  (typeof LogicalPipelineErrorCode)[keyof typeof LogicalPipelineErrorCode];

export interface LogicalPipeline {
  /** `imputer&intervention&model`, e.g. `None&NO_FAIRNESS_INTERVENTION&lr_clf`. */
  readonly name: string;
  /** base64(utf8(name)), standard alphabet with padding. */
  readonly uuid: string;
  readonly components: Readonly<Record<Stage, string>>;
}

/** The stage lists of a resolved config (`ExperimentConfig` fits). */
export interface PipelineStages {
  /** Already resolved: `['None']` rather than empty. */
  readonly nullImputers: readonly string[];
  /** Already resolved: includes `NO_FAIRNESS_INTERVENTION`. */
  readonly fairnessInterventions: readonly string[];
  readonly models: readonly string[];
}

export function logicalPipelineUuid(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64');
}

export function logicalPipelineName(components: Readonly<Record<Stage, string>>): string {
  return [components.null_imputation, components.fairness_intervention, components.model].join(
    STAGE_SEPARATOR,
  );
}

export function makeLogicalPipeline(components: Readonly<Record<Stage, string>>): LogicalPipeline {
  const name = logicalPipelineName(components);
  return { name, uuid: logicalPipelineUuid(name), components: { ...components } };
}

/** Rebuilds a logical pipeline from its name (`a&b&c`). */
export function parseLogicalPipelineName(name: string): LogicalPipeline {
  const parts = name.split(STAGE_SEPARATOR);
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    throw new VirnyFlowError(
      LogicalPipelineErrorCode.BadName,
      `logical pipeline name '${name}' must have the form imputer&intervention&model`,
      { details: { name } },
    );
  }
  return makeLogicalPipeline({
    null_imputation: parts[0],
    fairness_intervention: parts[1],
    model: parts[2],
  });
}

/**
 * All logical pipelines, imputer-major then intervention then model (SPEC §2.5 loop order).
 * Count = |imputers| × |interventions| × |models| (the lists are taken as given: pass resolved lists).
 */
export function enumerateLogicalPipelines(stages: PipelineStages): LogicalPipeline[] {
  const out: LogicalPipeline[] = [];
  for (const imputer of stages.nullImputers)
    for (const fi of stages.fairnessInterventions)
      for (const model of stages.models)
        out.push(makeLogicalPipeline({ null_imputation: imputer, fairness_intervention: fi, model }));
  return out;
}

const STAGE_ORDER: readonly Stage[] = [Stage.NullImputation, Stage.FairnessIntervention, Stage.Model];

/**
 * The joint search space of a logical pipeline: each stage's space with its prefix (`mvi__`, `fi__`,
 * `model__`). The pseudo components `None` and `NO_FAIRNESS_INTERVENTION` contribute nothing, registered or
 * not; any other name must be registered (`VF_REGISTRY_UNKNOWN_COMPONENT` otherwise).
 */
export function lpSearchSpace(lp: LogicalPipeline, registry: ComponentRegistry): SearchSpace {
  const spaces: SearchSpace[] = [];
  for (const stage of STAGE_ORDER) {
    const name = lp.components[stage];
    if (PSEUDO_COMPONENTS[stage].includes(name) && !registry.has(stage, name)) continue;
    spaces.push(prefixSpace(registry.get(stage, name).space, STAGE_PREFIX[stage]));
  }
  return joinSpaces(...spaces);
}

/**
 * Splits a flat suggestion of the joint space into per-stage configurations with the prefix stripped
 * (`{model__max_depth: 3}` → `{model: {max_depth: 3}}`). A name without a stage prefix is an error.
 */
export function splitSuggestion(config: Configuration): Record<Stage, Configuration> {
  const prefixes = STAGE_ORDER.map((s) => STAGE_PREFIX[s]);
  const parts = splitByPrefix(config, prefixes);
  const stray = Object.keys(parts[''] ?? {});
  if (stray.length > 0) {
    throw new VirnyFlowError(
      LogicalPipelineErrorCode.BadSuggestion,
      `hyper-parameter(s) ${stray.map((s) => `'${s}'`).join(', ')} have no stage prefix (${prefixes.join(', ')})`,
      { details: { names: stray } },
    );
  }
  return {
    null_imputation: parts[STAGE_PREFIX.null_imputation],
    fairness_intervention: parts[STAGE_PREFIX.fairness_intervention],
    model: parts[STAGE_PREFIX.model],
  };
}

/** True for the pseudo components that do nothing (`None` imputer, `NO_FAIRNESS_INTERVENTION`). */
export function isPseudoComponent(stage: Stage, name: string): boolean {
  return PSEUDO_COMPONENTS[stage].includes(name);
}
