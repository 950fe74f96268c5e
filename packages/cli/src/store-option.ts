import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore, STORE_ENV_VAR } from '@virnyflow/store';
import type { ExperimentStore } from '@virnyflow/store';
import { loadExperimentConfig } from './config-loading';

/** Experiments are stored under this directory, one sub-directory (one database file) per experiment. */
export const DEFAULT_STORE_ROOT = '.virnyflow';

/** `--store` value, else `VIRNYFLOW_STORE`, else `.virnyflow/<experiment>`. */
export function resolveStoreSpec(flag: string | undefined, experiment: string): string {
  return flag ?? process.env[STORE_ENV_VAR] ?? resolve(DEFAULT_STORE_ROOT, experiment);
}

export async function openStoreFor(flag: string | undefined, experiment: string): Promise<ExperimentStore> {
  return openStore(resolveStoreSpec(flag, experiment));
}

/** `status`/`report`/`export` accept an experiment name or the config file that names it. */
export function experimentName(nameOrConfig: string): string {
  if (/\.ya?ml$/i.test(nameOrConfig) && existsSync(nameOrConfig)) {
    readFileSync(nameOrConfig); // fail early with the OS error if unreadable
    return loadExperimentConfig(nameOrConfig).name;
  }
  return nameOrConfig;
}
