import { loadConfigFile } from '@virnyflow/core';
import type { ExperimentConfig } from '@virnyflow/core';

/** Loads and validates an experiment config file (all problems reported at once as a ConfigError). */
export function loadExperimentConfig(path: string): ExperimentConfig {
  return loadConfigFile(path);
}
