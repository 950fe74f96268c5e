import { loadConfigFile } from '@virnyflow/core';
import type { ComponentRegistry, ExperimentConfig } from '@virnyflow/core';
import { datasetNames } from '@virnyflow/data';

/**
 * Loads and validates an experiment config file (all problems reported at once as a ConfigError). Dataset
 * names are checked against the data package's registry, component names against `registry` when given.
 */
export function loadExperimentConfig(path: string, registry?: ComponentRegistry): ExperimentConfig {
  return loadConfigFile(path, { datasets: datasetNames(), ...(registry ? { registry } : {}) });
}
