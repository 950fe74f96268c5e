import { StoreErrorCode, storeError } from './errors';
import type { ExperimentStore } from './experiment-store';
import { isMongoUri, redactMongoUri } from './mongo-uri';
import type { MongoExperimentStore, MongoStoreOptions } from './mongo-store';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store';

/** Environment variable naming the store when `--store` is not given. */
export const STORE_ENV_VAR = 'VIRNYFLOW_STORE';

export interface OpenStoreOptions {
  /** Used when neither the spec nor `VIRNYFLOW_STORE` names a store (the caller's default directory). */
  defaultDir?: string;
  /** Environment to read `VIRNYFLOW_STORE` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  sqlite?: SqliteStoreOptions;
  mongo?: MongoStoreOptions;
}

export interface ResolvedStoreSpec {
  kind: 'sqlite' | 'mongodb';
  /** Directory (SQLite) or connection string (Mongo). */
  spec: string;
  /** Where the spec came from, for messages. */
  source: 'argument' | 'env' | 'default';
}

/**
 * Decides which store to open: the explicit spec, else `VIRNYFLOW_STORE`, else `defaultDir`. A spec starting
 * with `mongodb://` or `mongodb+srv://` is MongoDB; any other `scheme://` is an error; anything else is a
 * directory for the embedded store.
 */
export function resolveStoreSpec(spec?: string, options: OpenStoreOptions = {}): ResolvedStoreSpec {
  const env = options.env ?? process.env;
  const fromEnv = env[STORE_ENV_VAR];
  let chosen: string | undefined;
  let source: ResolvedStoreSpec['source'];
  if (spec !== undefined && spec.trim() !== '') {
    chosen = spec.trim();
    source = 'argument';
  } else if (fromEnv !== undefined && fromEnv.trim() !== '') {
    chosen = fromEnv.trim();
    source = 'env';
  } else {
    chosen = options.defaultDir;
    source = 'default';
  }
  if (chosen === undefined || chosen === '') {
    throw storeError(
      StoreErrorCode.InvalidSpec,
      `store: none given; pass --store <directory | mongodb://…> or set ${STORE_ENV_VAR}`,
    );
  }
  if (isMongoUri(chosen)) return { kind: 'mongodb', spec: chosen, source };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(chosen);
  if (scheme !== null) {
    const where = source === 'env' ? STORE_ENV_VAR : source === 'argument' ? '--store' : 'default store';
    throw storeError(
      StoreErrorCode.InvalidSpec,
      `${where}: ${JSON.stringify(redactMongoUri(chosen))} uses the unsupported scheme '${scheme[1]}'; ` +
        'use a directory path or a mongodb:// / mongodb+srv:// URI',
      { scheme: scheme[1] },
    );
  }
  return { kind: 'sqlite', spec: chosen, source };
}

/**
 * Opens the store named by `spec` (see `resolveStoreSpec`). The MongoDB driver is loaded only when a
 * MongoDB store is opened, so embedded runs do not pay for it.
 */
export async function openStore(spec?: string, options: OpenStoreOptions = {}): Promise<ExperimentStore> {
  const resolved = resolveStoreSpec(spec, options);
  if (resolved.kind === 'mongodb') {
    return openMongoStore(resolved.spec, options.mongo);
  }
  return openSqliteStore(resolved.spec, options.sqlite);
}

/** Opens a MongoDB store (see mongo-store.ts), loading the driver on first use. */
export async function openMongoStore(
  uri: string,
  options?: MongoStoreOptions,
): Promise<MongoExperimentStore> {
  const mongo = await import('./mongo-store');
  return mongo.openMongoStore(uri, options);
}
