/**
 * How the bootstrap builds models from plain data, so that estimators can be fitted in other threads and
 * come back as `toJSON()` output.
 *
 * A `ModelSpec` names a model by `kind` and hyper-parameters (structured-cloneable), plus the module that
 * knows how to build it: a `provider` specifier (file URL or a package name resolvable from this package),
 * default `@virnyflow/models`. The module must export `modelProvider: ModelProvider`, or the functions
 * `createClassifier(kind, params)` and `fromJSON(json)`.
 */
import type { Classifier, SerializedModel } from '@virnyflow/models';
import { MetricsErrorCode, metricsError } from './errors';

export const DEFAULT_MODEL_PROVIDER = '@virnyflow/models';

export interface ModelSpec {
  /** Registry name, e.g. `rf_clf`. */
  readonly kind: string;
  /** Hyper-parameters; must survive structured clone (plain data). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Module exporting the provider; default `@virnyflow/models`. */
  readonly provider?: string;
}

export interface ModelProvider {
  /** A new, unfitted classifier. */
  create(kind: string, params: Readonly<Record<string, unknown>>): Classifier;
  /** A fitted classifier from its `toJSON()`; must check `kind` and `version`. */
  fromJSON(json: SerializedModel): Classifier;
}

// Module-level cache of *imported modules* only (the import itself is cached by the runtime as well); it
// holds no per-experiment state.
const cache = new Map<string, Promise<ModelProvider>>();

export function loadModelProvider(specifier: string = DEFAULT_MODEL_PROVIDER): Promise<ModelProvider> {
  let p = cache.get(specifier);
  if (p === undefined) {
    p = importProvider(specifier);
    cache.set(specifier, p);
    // A failed import is not cached, so a later call can succeed once the module exists.
    p.catch(() => cache.delete(specifier));
  }
  return p;
}

async function importProvider(specifier: string): Promise<ModelProvider> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw metricsError(
      MetricsErrorCode.BadModelProvider,
      `cannot import model provider module '${specifier}': ${(cause as Error).message}`,
      { provider: specifier },
      { cause },
    );
  }
  const direct = mod.modelProvider as Partial<ModelProvider> | undefined;
  if (direct && typeof direct.create === 'function' && typeof direct.fromJSON === 'function') {
    return direct as ModelProvider;
  }
  const create = mod.createClassifier;
  const fromJSON = mod.fromJSON ?? mod.classifierFromJSON;
  if (typeof create === 'function' && typeof fromJSON === 'function') {
    return {
      create: (kind, params) => (create as ModelProvider['create'])(kind, params),
      fromJSON: (json) => (fromJSON as ModelProvider['fromJSON'])(json),
    };
  }
  throw metricsError(
    MetricsErrorCode.BadModelProvider,
    `model provider module '${specifier}' exports neither 'modelProvider' {create, fromJSON} nor the functions ` +
      `'createClassifier' and 'fromJSON' (exports: ${Object.keys(mod).join(', ') || 'none'})`,
    { provider: specifier, exports: Object.keys(mod) },
  );
}
