/**
 * The component registry: every pipeline stage variant (null imputer, fairness intervention, model) with its
 * hyper-parameter space and a factory. Registries are plain objects passed to whoever needs them — never a
 * module-level singleton — so two experiments in one process cannot interfere.
 */
import { VirnyFlowError } from './errors';
import type { Configuration, SearchSpace } from './search-space';

export const Stage = {
  NullImputation: 'null_imputation',
  FairnessIntervention: 'fairness_intervention',
  Model: 'model',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];

/** Hyper-parameter name prefix of each stage in a logical pipeline's joint space (SPEC §2.1). */
export const STAGE_PREFIX: Readonly<Record<Stage, string>> = {
  null_imputation: 'mvi__',
  fairness_intervention: 'fi__',
  model: 'model__',
};

export interface ComponentDefinition<TFactory = unknown> {
  readonly stage: Stage;
  /** The name used in VirnyFlow configs, e.g. `rf_clf`, `median-mode`, `DIR`. */
  readonly name: string;
  readonly description: string;
  /** Hyper-parameters without the stage prefix. */
  readonly space: SearchSpace;
  /** Builds the component from a configuration of `space` (prefix stripped) and a seed. */
  readonly create: TFactory;
}

export const RegistryErrorCode = {
  UnknownComponent: 'VF_REGISTRY_UNKNOWN_COMPONENT',
  DuplicateComponent: 'VF_REGISTRY_DUPLICATE_COMPONENT',
} as const;

export class ComponentRegistry {
  private readonly byStage = new Map<Stage, Map<string, ComponentDefinition>>();

  register(def: ComponentDefinition): this {
    let m = this.byStage.get(def.stage);
    if (!m) {
      m = new Map();
      this.byStage.set(def.stage, m);
    }
    if (m.has(def.name)) {
      throw new VirnyFlowError(
        RegistryErrorCode.DuplicateComponent,
        `component '${def.name}' is already registered for stage ${def.stage}`,
        { details: { stage: def.stage, name: def.name } },
      );
    }
    m.set(def.name, def);
    return this;
  }

  registerAll(defs: Iterable<ComponentDefinition>): this {
    for (const d of defs) this.register(d);
    return this;
  }

  has(stage: Stage, name: string): boolean {
    return this.byStage.get(stage)?.has(name) ?? false;
  }

  get<TFactory = unknown>(stage: Stage, name: string): ComponentDefinition<TFactory> {
    const def = this.byStage.get(stage)?.get(name);
    if (!def) {
      throw new VirnyFlowError(
        RegistryErrorCode.UnknownComponent,
        `unknown ${stage} component '${name}'; known: ${this.names(stage).join(', ') || '(none registered)'}`,
        { details: { stage, name, known: this.names(stage) } },
      );
    }
    return def as ComponentDefinition<TFactory>;
  }

  names(stage: Stage): string[] {
    return [...(this.byStage.get(stage)?.keys() ?? [])];
  }

  list(stage?: Stage): ComponentDefinition[] {
    if (stage) return [...(this.byStage.get(stage)?.values() ?? [])];
    return [...this.byStage.values()].flatMap((m) => [...m.values()]);
  }
}

export type { Configuration };
