/**
 * The component registry every pipeline stage is looked up in: the simple imputers of the data package, the
 * advanced imputers (MissForest, k-prototypes clustering, k-NN), the fairness interventions and the models,
 * plus components from user modules (`componentModules`).
 *
 * A component module is an ES module (TypeScript works when run through tsx) exporting `components`, an
 * array of `ComponentDefinition`s with the factory shape of their stage: `ImputerFactory` (data),
 * `FairnessInterventionFactory` (fairness) or `ModelCreate` (models). Worker threads import the same
 * modules, so in a distributed run the path must exist on every node.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { ComponentRegistry } from '@virnyflow/core';
import type { ComponentDefinition } from '@virnyflow/core';
import { dataComponents } from '@virnyflow/data';
import { fairnessComponents } from '@virnyflow/fairness';
import { imputationComponents } from '@virnyflow/imputation';
import { modelComponents } from '@virnyflow/models';
import { EngineErrorCode, engineError } from './errors';

/** A registry with every built-in component and then `extra` (a name clash throws). */
export function createRegistry(extra: readonly ComponentDefinition[] = []): ComponentRegistry {
  return new ComponentRegistry()
    .registerAll(dataComponents as readonly ComponentDefinition[])
    .registerAll(imputationComponents as readonly ComponentDefinition[])
    .registerAll(fairnessComponents as readonly ComponentDefinition[])
    .registerAll(modelComponents as readonly ComponentDefinition[])
    .registerAll(extra);
}

/** Absolute file URLs of component modules (relative paths resolve against the working directory). */
export function resolveComponentModules(paths: readonly string[]): string[] {
  return paths.map((p) =>
    p.startsWith('file:') ? p : pathToFileURL(isAbsolute(p) ? p : resolve(process.cwd(), p)).href,
  );
}

/** Imports component modules (file URLs) and returns their definitions in module order. */
export async function loadComponentModules(urls: readonly string[]): Promise<ComponentDefinition[]> {
  const out: ComponentDefinition[] = [];
  for (const url of urls) {
    let mod: { components?: unknown; default?: unknown };
    try {
      mod = (await import(url)) as { components?: unknown; default?: unknown };
    } catch (cause) {
      throw engineError(
        EngineErrorCode.BadComponentModule,
        `component module ${url} cannot be loaded (${cause instanceof Error ? cause.message : String(cause)}); ` +
          'check the path and that it runs on its own',
        { module: url },
        { cause },
      );
    }
    const list = mod.components ?? mod.default;
    if (!Array.isArray(list) || !list.every(isDefinition)) {
      throw engineError(
        EngineErrorCode.BadComponentModule,
        `component module ${url} must export 'components': an array of {stage, name, description, space, create}`,
        { module: url },
      );
    }
    out.push(...(list as ComponentDefinition[]));
  }
  return out;
}

function isDefinition(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Record<string, unknown>;
  return (
    typeof d.stage === 'string' &&
    typeof d.name === 'string' &&
    typeof d.create === 'function' &&
    typeof d.space === 'object' &&
    d.space !== null
  );
}
