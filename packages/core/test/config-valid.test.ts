import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ComputationMode,
  INIT_RANDOM_STATE,
  loadConfig,
  loadConfigFile,
  normalizeGroupKey,
  parseConstraint,
  seedForRun,
  validateConfig,
} from '../src/index';
import { at, del, set, variant } from './config-helpers';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("VirnyFlow's own configs load unchanged", () => {
  it('accepts the demo config of SPEC §1.9 and resolves it', () => {
    const c = loadConfigFile(fixture('virnyflow-demo.yaml'));
    expect(c.name).toBe('test_exp_config');
    expect(c.runNums).toEqual([1]);
    expect(c.secretsPath).toBe('./configs/secrets.env');
    expect(c.dataset).toBe('diabetes');
    expect(c.customDataset).toBeNull();
    expect(c.nullImputers).toEqual(['None']); // [] → ['None']
    expect(c.fairnessInterventions).toEqual(['NO_FAIRNESS_INTERVENTION']); // always appended
    expect(c.models).toEqual(['lr_clf', 'rf_clf', 'lgbm_clf']);
    expect(c.objectives).toEqual([
      { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.25, loss: 'reverse', constraints: [] },
      {
        name: 'objective_2',
        metric: 'Equalized_Odds_TPR',
        group: 'Gender',
        weight: 0.75,
        loss: 'abs',
        constraints: [],
      },
    ]);
    expect(c.refPoint).toEqual([0.2, 0.2]);
    expect(c.maxTotalPipelinesNum).toBe(5);
    expect(c.maxTrials).toBe(5); // overridden by max_total_pipelines_num
    expect(c.numWorkers).toBe(2);
    expect(c.numPpCandidates).toBe(2);
    expect(c.queueSize).toBe(6); // 3 × num_workers
    expect(c.trainingSetFractionsForHalting).toEqual([0.5, 1.0]);
    expect(c.optimizer).toEqual({ surrogateType: 'auto', acqType: 'auto', acqOptimizerType: 'auto' });
    expect(c.computationMode).toBe(ComputationMode.NoBootstrap);
    expect(c.bootstrapFraction).toBeNull();
    expect(c.sensitiveAttributes).toEqual([
      { key: 'Gender', parts: ['Gender'], intersection: false, disadvantaged: ['Female'] },
    ]);
    expect(c.sourceName).toBe(fixture('virnyflow-demo.yaml'));
  });

  it('accepts three objectives of 0.33 with a stability metric, constraints and optimizer settings', () => {
    const c = loadConfigFile(fixture('virnyflow-three-objectives.yaml'));
    expect(c.objectives.map((o) => o.weight)).toEqual([0.33, 0.33, 0.33]); // sums to 0.99: accepted
    expect(c.computationMode).toBe(ComputationMode.Bootstrap); // Label_Stability needs the ensemble
    expect(c.bootstrapFraction).toBe(0.8);
    expect(c.nEstimators).toBe(50);
    expect(c.runNums).toEqual([1, 2]);
    expect(c.saveStorage).toBe(false);
    expect(c.fairnessInterventions).toEqual(['DIR', 'NO_FAIRNESS_INTERVENTION']);
    expect(c.optimizer).toEqual({ surrogateType: 'prf', acqType: 'ehvi', acqOptimizerType: 'local_random' });
    expect(c.maxTrials).toBe(20);
    expect(c.maxTimeBudget).toBe(600);
    expect(c.queueSize).toBe(6);
    expect(c.trainingSetFractionsForHalting).toEqual([0.5, 0.75, 1.0]); // default
    // F1 constraint on the raw value; EO_TPR constraints on |v| (SPEC §13.3).
    expect(c.objectives[0].constraints).toEqual([{ op: '>=', threshold: 0.6, on: 'raw', text: '>= 0.6' }]);
    expect(c.objectives[1].constraints).toEqual([
      { op: '<=', threshold: 0.2, on: 'abs', text: '<= 0.2' },
      { op: '>=', threshold: 0, on: 'abs', text: '>= 0.0' },
    ]);
    expect(c.objectives[2].loss).toBe('reverse');
  });

  it('normalises intersection keys and groups, and fills unweighted objectives with 0.5', () => {
    const c = loadConfigFile(fixture('virnyflow-intersection.yaml'));
    expect(Object.keys(c.sensitiveAttributesDct)).toEqual(['SEX', 'RAC1P', 'SEX&RAC1P']);
    expect(c.sensitiveAttributes[2]).toEqual({
      key: 'SEX&RAC1P',
      parts: ['SEX', 'RAC1P'],
      intersection: true,
      disadvantaged: [],
    });
    expect(c.sensitiveAttributes[1].disadvantaged).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
    expect(c.objectives[1].group).toBe('SEX&RAC1P'); // 'SEX &RAC1P' in the file
    expect(c.objectives.map((o) => o.weight)).toEqual([0.5, 0.5]);
    expect(c.objectives[1].loss).toBe('reverse_abs'); // Disparate_Impact → |1 − v|
    expect(c.objectives[1].constraints).toEqual([{ op: '>=', threshold: 0.8, on: 'raw', text: '>= 0.8' }]);
    expect(c.sensitiveAttrsForIntervention).toEqual(['SEX&RAC1P']);
    expect(c.runNums).toEqual([1, 2, 3]); // num_runs: 3
    expect(c.numPpCandidates).toBe(10); // default, allowed with 10 workers
    expect(c.queueSize).toBe(30);
    expect(c.refPoint).toBeNull();
    expect(c.secretsPath).toBeNull();
  });
});

describe('derived values and defaults', () => {
  it('uses seed 100 + run_num', () => {
    expect(INIT_RANDOM_STATE).toBe(100);
    expect(seedForRun(1)).toBe(101);
    expect(seedForRun(7)).toBe(107);
  });

  it('does not append NO_FAIRNESS_INTERVENTION twice', () => {
    const c = loadConfig(
      variant((d) =>
        set(d, ['pipeline_args', 'fairness_interventions'], ['NO_FAIRNESS_INTERVENTION', 'DIR']),
      ),
    );
    expect(c.fairnessInterventions).toEqual(['NO_FAIRNESS_INTERVENTION', 'DIR']);
  });

  it('keeps max_trials when no global budget is set', () => {
    const c = loadConfig(
      variant((d) => {
        del(d, ['optimisation_args', 'max_total_pipelines_num']);
        set(d, ['optimisation_args', 'max_trials'], 7);
      }),
    );
    expect(c.maxTrials).toBe(7);
    expect(c.maxTotalPipelinesNum).toBeNull();
    const d2 = loadConfig(variant((d) => del(d, ['optimisation_args', 'max_total_pipelines_num'])));
    expect(d2.maxTrials).toBe(1000);
    expect(d2.explorationFactor).toBe(0.5);
    expect(d2.riskFactor).toBe(0.5);
  });

  it('switches the bootstrap on for stability metrics only (SPEC §1.4)', () => {
    const withMetric = (metric: string, group: string) =>
      loadConfig(
        variant((d) => {
          set(d, ['optimisation_args', 'objectives', 1, 'metric'], metric);
          set(d, ['optimisation_args', 'objectives', 1, 'group'], group);
          set(d, ['virny_args', 'bootstrap_fraction'], 0.8);
          set(d, ['virny_args', 'n_estimators'], 20);
        }),
      ).computationMode;
    expect(withMetric('Jitter', 'overall')).toBe('bootstrap');
    expect(withMetric('Std_Ratio', 'Gender')).toBe('bootstrap');
    expect(withMetric('Epistemic_Uncertainty_Difference', 'Gender')).toBe('bootstrap');
    expect(withMetric('Statistical_Bias', 'overall')).toBe('no_bootstrap');
    expect(withMetric('Disparate_Impact', 'Gender')).toBe('no_bootstrap');
    expect(withMetric('FNR', 'overall')).toBe('no_bootstrap');
  });

  it('gives every catalog loss its transform (SPEC §13.2)', () => {
    const loss = (metric: string, group: string) =>
      loadConfig(
        variant((d) => {
          set(d, ['optimisation_args', 'objectives', 1, 'metric'], metric);
          set(d, ['optimisation_args', 'objectives', 1, 'group'], group);
        }),
      ).objectives[1].loss;
    expect(loss('TPR', 'overall')).toBe('reverse');
    expect(loss('FPR', 'overall')).toBe('identity');
    expect(loss('Statistical_Parity_Difference', 'Gender')).toBe('abs');
    expect(loss('Disparate_Impact', 'Gender')).toBe('reverse_abs');
  });

  it('accepts whitespace variants of constraints and keys', () => {
    expect(parseConstraint('>=0.8')).toEqual({ op: '>=', threshold: 0.8 });
    expect(parseConstraint('  <=  1e-2 ')).toEqual({ op: '<=', threshold: 0.01 });
    expect(parseConstraint('<= -.5')).toEqual({ op: '<=', threshold: -0.5 });
    expect(parseConstraint('== 1')).toBeNull();
    expect(parseConstraint('>= 1 2')).toBeNull();
    expect(parseConstraint('>=')).toBeNull();
    expect(normalizeGroupKey(' SEX & RAC1P ')).toBe('SEX&RAC1P');
    expect(normalizeGroupKey('a&b&c')).toBe('a&b&c');
  });

  it('reads YAML 1.1 like VirnyFlow (yes is a boolean, None a string)', () => {
    const text = variant((d) => {
      set(d, ['virny_args', 'sensitive_attributes_dct'], { Gender: 'Female', Age: 'young' });
    })
      .replace('exp_config_name: base', 'exp_config_name: base\n  save_storage: yes')
      .replace('Age: young', "Age: young\n    'Gender & Age': None");
    expect(text).toContain("'Gender & Age': None");
    const c = loadConfig(text);
    expect(c.saveStorage).toBe(true);
    expect(c.sensitiveAttributesDct['Gender&Age']).toBe('None');
    expect(c.sensitiveAttributes.map((a) => a.key)).toEqual(['Gender', 'Age', 'Gender&Age']);
  });

  it('keeps the raw document and re-validates it to the same config', () => {
    const text = variant((d) => set(d, ['optimisation_args', 'exploration_factor'], 0.25));
    const c = loadConfig(text);
    expect(at<number>(c.raw as never, ['optimisation_args', 'exploration_factor'])).toBe(0.25);
    expect(c.raw.optimisation_args.num_pp_candidates).toBe(2);
    expect('queue_size' in c.raw.optimisation_args).toBe(false); // defaults are not written back
    const again = validateConfig(JSON.parse(JSON.stringify(c.raw)));
    expect({ ...again, raw: null, sourceName: null }).toEqual({ ...c, raw: null, sourceName: null });
  });
});

describe('custom datasets', () => {
  it('resolves the CSV path against the config file and exposes the spec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-config-'));
    const file = join(dir, 'exp.yaml');
    writeFileSync(
      file,
      variant((d) => {
        set(d, ['pipeline_args', 'dataset'], 'loans');
        set(d, ['pipeline_args', 'sensitive_attrs_for_intervention'], ['sex']);
        set(d, ['virny_args', 'sensitive_attributes_dct'], { sex: 'female' });
        set(d, ['optimisation_args', 'objectives', 1, 'group'], 'sex');
        set(d, ['custom_datasets'], {
          loans: {
            path: 'data/loans.csv',
            target: 'approved',
            positive_label: 'yes',
            numerical_columns: ['age', 'income'],
            categorical_columns: ['sex', 'region'],
            drop_columns: ['id'],
            test_set_fraction: 0.25,
          },
        });
      }),
    );
    const c = loadConfigFile(file);
    expect(c.customDataset).toEqual({
      path: join(dir, 'data/loans.csv'),
      target: 'approved',
      positive_label: 'yes',
      numerical_columns: ['age', 'income'],
      categorical_columns: ['sex', 'region'],
      drop_columns: ['id'],
      test_set_fraction: 0.25,
    });
    expect(Object.keys(c.customDatasets)).toEqual(['loans']);
    expect(c.raw.custom_datasets?.loans.path).toBe('data/loans.csv');
  });
});
