/** Shared builders for config tests: a valid base document, mutated per case and written as YAML. */
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from '../src/index';
import type { ConfigIssue, LoadConfigOptions } from '../src/index';

export type Doc = Record<string, unknown>;
type Seg = string | number;

function parentOf(d: Doc, path: readonly Seg[]): Record<string | number, unknown> {
  let cur: unknown = d;
  for (const s of path.slice(0, -1)) cur = (cur as Record<string | number, unknown>)[s];
  return cur as Record<string | number, unknown>;
}

/** Sets the value at a path (creating nothing: the parent must exist). */
export function set(d: Doc, path: readonly Seg[], value: unknown): void {
  parentOf(d, path)[path[path.length - 1]] = value;
}

/** Deletes the key at a path. */
export function del(d: Doc, path: readonly Seg[]): void {
  delete parentOf(d, path)[path[path.length - 1]];
}

/** The value at a path, typed by the caller. */
export function at<T>(d: Doc, path: readonly Seg[]): T {
  return parentOf(d, path)[path[path.length - 1]] as T;
}

/** A small valid config (two objectives, no bootstrap) every malformed case starts from. */
export function baseDoc(): Doc {
  return {
    common_args: { exp_config_name: 'base', run_nums: [1] },
    pipeline_args: {
      dataset: 'diabetes',
      sensitive_attrs_for_intervention: ['Gender'],
      null_imputers: ['median-mode'],
      fairness_interventions: ['DIR'],
      models: ['lr_clf', 'rf_clf'],
    },
    optimisation_args: {
      ref_point: [0.2, 0.2],
      objectives: [
        { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.25 },
        { name: 'objective_2', metric: 'Equalized_Odds_TPR', group: 'Gender', weight: 0.75 },
      ],
      max_total_pipelines_num: 5,
      num_workers: 2,
      num_pp_candidates: 2,
    },
    virny_args: { sensitive_attributes_dct: { Gender: 'Female' } },
  };
}

export function toYaml(doc: unknown): string {
  return stringify(doc, { version: '1.1' });
}

export function variant(mutate: (d: Doc) => void): string {
  const d = baseDoc();
  mutate(d);
  return toYaml(d);
}

/** Loads YAML text expecting a ConfigError; returns it (fails the test otherwise). */
export function expectConfigError(text: string, options: LoadConfigOptions = {}): ConfigError {
  try {
    loadConfig(text, options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it loaded');
}

export function issueCodes(err: ConfigError): string[] {
  return err.issues.map((i: ConfigIssue) => i.code);
}
