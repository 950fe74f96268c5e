/**
 * How the bootstrap builds models from plain data, so that estimators can be fitted in other threads and
 * come back as `toJSON()` output.
 *
 * A `ModelSpec` names a model by `kind` and hyper-parameters (structured-cloneable), plus the module that
 * knows how to build it: a `provider` specifier (file URL or a package name resolvable from this package),
 * default `@virnyflow/models`. The module must export `fromJSON(json)` plus either `modelComponents` (the
 * models package's component definitions, `create(params, seed)` by `name`) or `createClassifier(kind,
 * params, seed)` — or a ready `modelProvider: ModelProvider`.
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
  /** A new, unfitted classifier; `seed` is its own random_state (Virny sets it to the estimator's seed). */
  create(kind: string, params: Readonly<Record<string, unknown>>, seed: number): Classifier;
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
  const fromJSON = mod.fromJSON;
  const components = mod.modelComponents;
  const create = mod.createClassifier;
  if (typeof fromJSON === 'function' && (Array.isArray(components) || typeof create === 'function')) {
    const read = fromJSON as ModelProvider['fromJSON'];
    if (typeof create === 'function') {
      const make = create as ModelProvider['create'];
      return {
        // The provider's own "unknown kind" error becomes ours, so callers see one code whatever the provider.
        create: (kind, params, seed) => {
          try {
            return make(kind, params, seed);
          } catch (cause) {
            const code = (cause as { code?: unknown }).code;
            if (typeof code === 'string' && code.endsWith('UNKNOWN_KIND')) {
              throw metricsError(
                MetricsErrorCode.UnknownModel,
                `unknown model kind '${kind}' in '${specifier}': ${(cause as Error).message}`,
                { kind, provider: specifier },
                { cause },
              );
            }
            throw cause;
          }
        },
        fromJSON: (json) => read(json),
      };
    }
    const byName = new Map<string, ComponentLike>();
    for (const c of components as ComponentLike[]) byName.set(c.name, c);
    return {
      create: (kind, params, seed) => {
        const c = byName.get(kind);
        if (c === undefined) {
          throw metricsError(
            MetricsErrorCode.UnknownModel,
            `unknown model kind '${kind}' in '${specifier}'; known: ${[...byName.keys()].join(', ')}`,
            { kind, known: [...byName.keys()], provider: specifier },
          );
        }
        return c.create({ ...params }, seed);
      },
      fromJSON: (json) => read(json),
    };
  }
  throw metricsError(
    MetricsErrorCode.BadModelProvider,
    `model provider module '${specifier}' exports neither 'modelProvider' {create, fromJSON} nor 'fromJSON' with ` +
      `'modelComponents' or 'createClassifier' (exports: ${Object.keys(mod).join(', ') || 'none'})`,
    { provider: specifier, exports: Object.keys(mod) },
  );
}

/** The part of a model component definition the bootstrap uses. */
interface ComponentLike {
  readonly name: string;
  create(params: Record<string, unknown>, seed: number): Classifier;
}
