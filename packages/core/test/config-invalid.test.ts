import { describe, expect, it } from 'vitest';
import {
  ComponentRegistry,
  ConfigError,
  ConfigErrorCode,
  emptySpace,
  formatConfigError,
  loadConfig,
} from '../src/index';
import type { ConfigErrorCode as Code } from '../src/index';
import { at, baseDoc, del, expectConfigError, issueCodes, set, toYaml, variant } from './config-helpers';
import type { Doc } from './config-helpers';

interface Case {
  name: string;
  mutate: (d: Doc) => void;
  code: Code;
  path: string;
  /** Text the message must contain to name the offending value. */
  value: string;
}

type Objective = Record<string, unknown>;
const objectives = (d: Doc) => at<Objective[]>(d, ['optimisation_args', 'objectives']);

const CASES: Case[] = [
  {
    name: 'unknown key in a section',
    mutate: (d) => set(d, ['common_args', 'num_run'], 2),
    code: ConfigErrorCode.UnknownKey,
    path: 'common_args.num_run',
    value: "'num_run'",
  },
  {
    name: 'section key at the top level (old flat format)',
    mutate: (d) => set(d, ['dataset'], 'german'),
    code: ConfigErrorCode.UnknownKey,
    path: 'dataset',
    value: "'german'",
  },
  {
    name: 'runtime-only key in virny_args',
    mutate: (d) => set(d, ['virny_args', 'random_state'], 42),
    code: ConfigErrorCode.UnknownKey,
    path: 'virny_args.random_state',
    value: '42',
  },
  {
    name: 'missing required field',
    mutate: (d) => del(d, ['optimisation_args', 'num_workers']),
    code: ConfigErrorCode.MissingField,
    path: 'optimisation_args.num_workers',
    value: "'num_workers'",
  },
  {
    name: 'missing section',
    mutate: (d) => del(d, ['virny_args']),
    code: ConfigErrorCode.MissingField,
    path: 'virny_args',
    value: "'virny_args'",
  },
  {
    name: 'string where an integer is expected',
    mutate: (d) => set(d, ['optimisation_args', 'num_workers'], 'two'),
    code: ConfigErrorCode.Type,
    path: 'optimisation_args.num_workers',
    value: "'two'",
  },
  {
    name: 'fractional max_trials',
    mutate: (d) => set(d, ['optimisation_args', 'max_trials'], 2.5),
    code: ConfigErrorCode.Type,
    path: 'optimisation_args.max_trials',
    value: '2.5',
  },
  {
    name: 'run_nums not a list',
    mutate: (d) => set(d, ['common_args', 'run_nums'], 3),
    code: ConfigErrorCode.Type,
    path: 'common_args.run_nums',
    value: '3',
  },
  {
    name: 'sensitive value is a mapping',
    mutate: (d) => set(d, ['virny_args', 'sensitive_attributes_dct', 'Gender'], { is: 'Female' }),
    code: ConfigErrorCode.Type,
    path: 'virny_args.sensitive_attributes_dct.Gender',
    value: '{"is":"Female"}',
  },
  {
    name: 'plain sensitive attribute without a disadvantaged value',
    mutate: (d) => set(d, ['virny_args', 'sensitive_attributes_dct', 'Gender'], null),
    code: ConfigErrorCode.Type,
    path: 'virny_args.sensitive_attributes_dct.Gender',
    value: 'null',
  },
  {
    name: 'exploration_factor above 1',
    mutate: (d) => set(d, ['optimisation_args', 'exploration_factor'], 1.5),
    code: ConfigErrorCode.Range,
    path: 'optimisation_args.exploration_factor',
    value: '1.5',
  },
  {
    name: 'time budget under a minute',
    mutate: (d) => set(d, ['optimisation_args', 'max_time_budget'], 30),
    code: ConfigErrorCode.Range,
    path: 'optimisation_args.max_time_budget',
    value: '30',
  },
  {
    name: 'n_estimators of 1',
    mutate: (d) => set(d, ['virny_args', 'n_estimators'], 1),
    code: ConfigErrorCode.Range,
    path: 'virny_args.n_estimators',
    value: '1',
  },
  {
    name: 'negative weight',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'weight'], -0.25),
    code: ConfigErrorCode.Range,
    path: 'optimisation_args.objectives[0].weight',
    value: '-0.25',
  },
  {
    name: 'unknown surrogate',
    mutate: (d) => set(d, ['optimisation_args', 'optimizer'], { surrogate_type: 'gpp' }),
    code: ConfigErrorCode.Choice,
    path: 'optimisation_args.optimizer.surrogate_type',
    value: "'gpp'",
  },
  {
    name: 'unknown acquisition',
    mutate: (d) => set(d, ['optimisation_args', 'optimizer'], { acq_type: 'ehv' }),
    code: ConfigErrorCode.Choice,
    path: 'optimisation_args.optimizer.acq_type',
    value: "'ehv'",
  },
  {
    name: 'no models',
    mutate: (d) => set(d, ['pipeline_args', 'models'], []),
    code: ConfigErrorCode.EmptyList,
    path: 'pipeline_args.models',
    value: '[]',
  },
  {
    name: 'no objectives',
    mutate: (d) => set(d, ['optimisation_args', 'objectives'], []),
    code: ConfigErrorCode.EmptyList,
    path: 'optimisation_args.objectives',
    value: '[]',
  },
  {
    name: 'experiment name with a path separator',
    mutate: (d) => set(d, ['common_args', 'exp_config_name'], 'runs/one'),
    code: ConfigErrorCode.Name,
    path: 'common_args.exp_config_name',
    value: "'runs/one'",
  },
  {
    name: 'both num_runs and run_nums',
    mutate: (d) => set(d, ['common_args', 'num_runs'], 2),
    code: ConfigErrorCode.RunsBoth,
    path: 'common_args.run_nums',
    value: '[1]',
  },
  {
    name: 'neither num_runs nor run_nums',
    mutate: (d) => del(d, ['common_args', 'run_nums']),
    code: ConfigErrorCode.RunsNone,
    path: 'common_args',
    value: 'num_runs',
  },
  {
    name: 'repeated run number',
    mutate: (d) => set(d, ['common_args', 'run_nums'], [1, 2, 1]),
    code: ConfigErrorCode.RunsDuplicate,
    path: 'common_args.run_nums[2]',
    value: '1',
  },
  {
    name: 'weights summing to 0.6',
    mutate: (d) => {
      set(d, ['optimisation_args', 'objectives', 0, 'weight'], 0.3);
      set(d, ['optimisation_args', 'objectives', 1, 'weight'], 0.3);
    },
    code: ConfigErrorCode.Weights,
    path: 'optimisation_args.objectives',
    value: '0.6',
  },
  {
    name: 'three unweighted objectives (3 × 0.5)',
    mutate: (d) => {
      const os = objectives(d);
      for (const o of os) delete o.weight;
      os.push({ name: 'objective_3', metric: 'Accuracy', group: 'overall' });
    },
    code: ConfigErrorCode.Weights,
    path: 'optimisation_args.objectives',
    value: '1.5',
  },
  {
    name: 'unknown metric',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 1, 'metric'], 'FNRD'),
    code: ConfigErrorCode.UnknownMetric,
    path: 'optimisation_args.objectives[1].metric',
    value: "'FNRD'",
  },
  {
    name: 'metric in the wrong case',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'metric'], 'f1'),
    code: ConfigErrorCode.UnknownMetric,
    path: 'optimisation_args.objectives[0].metric',
    value: "'f1'",
  },
  {
    name: 'metric that is not an objective',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'metric'], 'Sample_Size'),
    code: ConfigErrorCode.MetricNotObjective,
    path: 'optimisation_args.objectives[0].metric',
    value: "'Sample_Size'",
  },
  {
    name: 'overall metric on a sensitive group',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'group'], 'Gender'),
    code: ConfigErrorCode.MetricGroupMismatch,
    path: 'optimisation_args.objectives[0].group',
    value: "'Gender'",
  },
  {
    name: 'disparity metric on overall',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 1, 'group'], 'overall'),
    code: ConfigErrorCode.MetricGroupMismatch,
    path: 'optimisation_args.objectives[1].group',
    value: "'Equalized_Odds_TPR'",
  },
  {
    name: 'group that is not a key',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 1, 'group'], 'Race'),
    code: ConfigErrorCode.UnknownGroup,
    path: 'optimisation_args.objectives[1].group',
    value: "'Race'",
  },
  {
    name: 'two objectives with one name',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 1, 'name'], 'objective_1'),
    code: ConfigErrorCode.DuplicateObjective,
    path: 'optimisation_args.objectives[1].name',
    value: "'objective_1'",
  },
  {
    name: 'constraint with a strict operator',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'constraint'], ['> 0.5']),
    code: ConfigErrorCode.ConstraintFormat,
    path: 'optimisation_args.objectives[0].constraint[0]',
    value: "'> 0.5'",
  },
  {
    name: 'constraint with a non-numeric threshold',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 0, 'constraint'], ['>= 0.8', '<= high']),
    code: ConfigErrorCode.ConstraintFormat,
    path: 'optimisation_args.objectives[0].constraint[1]',
    value: "'<= high'",
  },
  {
    name: 'negative bound on a magnitude',
    mutate: (d) => set(d, ['optimisation_args', 'objectives', 1, 'constraint'], ['<= -0.1']),
    code: ConfigErrorCode.ConstraintRange,
    path: 'optimisation_args.objectives[1].constraint[0]',
    value: "'<= -0.1'",
  },
  {
    name: 'stability objective without bootstrap settings',
    mutate: (d) =>
      set(d, ['optimisation_args', 'objectives', 1], {
        name: 'o2',
        metric: 'Std',
        group: 'overall',
        weight: 0.75,
      }),
    code: ConfigErrorCode.BootstrapFields,
    path: 'virny_args.bootstrap_fraction',
    value: 'Std',
  },
  {
    name: 'default num_pp_candidates above num_workers',
    mutate: (d) => del(d, ['optimisation_args', 'num_pp_candidates']),
    code: ConfigErrorCode.CandidatesGtWorkers,
    path: 'optimisation_args.num_pp_candidates',
    value: '10',
  },
  {
    name: 'queue smaller than the worker pool',
    mutate: (d) => set(d, ['optimisation_args', 'queue_size'], 1),
    code: ConfigErrorCode.QueueSize,
    path: 'optimisation_args.queue_size',
    value: '1',
  },
  {
    name: 'reference point of the wrong length',
    mutate: (d) => set(d, ['optimisation_args', 'ref_point'], [0.2, 0.2, 0.2]),
    code: ConfigErrorCode.RefPoint,
    path: 'optimisation_args.ref_point',
    value: '[0.2,0.2,0.2]',
  },
  {
    name: 'fractions not ending with 1',
    mutate: (d) => set(d, ['optimisation_args', 'training_set_fractions_for_halting'], [0.5, 0.75]),
    code: ConfigErrorCode.Fractions,
    path: 'optimisation_args.training_set_fractions_for_halting',
    value: '[0.5,0.75]',
  },
  {
    name: 'fractions not increasing',
    mutate: (d) => set(d, ['optimisation_args', 'training_set_fractions_for_halting'], [0.75, 0.5, 1]),
    code: ConfigErrorCode.Fractions,
    path: 'optimisation_args.training_set_fractions_for_halting[1]',
    value: '0.5',
  },
  {
    name: 'fraction of zero',
    mutate: (d) => set(d, ['optimisation_args', 'training_set_fractions_for_halting'], [0, 1]),
    code: ConfigErrorCode.Fractions,
    path: 'optimisation_args.training_set_fractions_for_halting[0]',
    value: '0',
  },
  {
    name: 'mesmo acquisition',
    mutate: (d) => set(d, ['optimisation_args', 'optimizer'], { acq_type: 'mesmo' }),
    code: ConfigErrorCode.UnsupportedOptimizer,
    path: 'optimisation_args.optimizer.acq_type',
    value: "'mesmo'",
  },
  {
    name: 'single-objective acquisition with two objectives',
    mutate: (d) => set(d, ['optimisation_args', 'optimizer'], { acq_type: 'ei' }),
    code: ConfigErrorCode.AcqObjectives,
    path: 'optimisation_args.optimizer.acq_type',
    value: "'ei'",
  },
  {
    name: 'unknown model',
    mutate: (d) => set(d, ['pipeline_args', 'models'], ['lr_clf', 'svm_clf']),
    code: ConfigErrorCode.UnknownComponent,
    path: 'pipeline_args.models[1]',
    value: "'svm_clf'",
  },
  {
    name: 'model listed as an imputer',
    mutate: (d) => set(d, ['pipeline_args', 'null_imputers'], ['rf_clf']),
    code: ConfigErrorCode.UnknownComponent,
    path: 'pipeline_args.null_imputers[0]',
    value: "'rf_clf'",
  },
  {
    name: 'model listed twice',
    mutate: (d) => set(d, ['pipeline_args', 'models'], ['lr_clf', 'rf_clf', 'lr_clf']),
    code: ConfigErrorCode.DuplicateComponent,
    path: 'pipeline_args.models[2]',
    value: "'lr_clf'",
  },
  {
    name: 'intersection of a missing attribute',
    mutate: (d) => set(d, ['virny_args', 'sensitive_attributes_dct', 'Gender&Age'], 'None'),
    code: ConfigErrorCode.IntersectionParts,
    path: "virny_args.sensitive_attributes_dct['Gender&Age']",
    value: "'Age'",
  },
  {
    name: "attribute named 'overall'",
    mutate: (d) => set(d, ['virny_args', 'sensitive_attributes_dct', 'overall'], 'x'),
    code: ConfigErrorCode.GroupKey,
    path: 'virny_args.sensitive_attributes_dct.overall',
    value: "'overall'",
  },
  {
    name: 'key repeated with spaces',
    mutate: (d) => set(d, ['virny_args', 'sensitive_attributes_dct', ' Gender '], 'Female'),
    code: ConfigErrorCode.DuplicateGroup,
    path: "virny_args.sensitive_attributes_dct[' Gender ']",
    value: "' Gender '",
  },
  {
    name: 'intervention on an attribute that is not a key',
    mutate: (d) => set(d, ['pipeline_args', 'sensitive_attrs_for_intervention'], ['Race']),
    code: ConfigErrorCode.InterventionAttrs,
    path: 'pipeline_args.sensitive_attrs_for_intervention[0]',
    value: "'Race'",
  },
  {
    name: 'intervention with no protected attribute',
    mutate: (d) => set(d, ['pipeline_args', 'sensitive_attrs_for_intervention'], []),
    code: ConfigErrorCode.InterventionAttrs,
    path: 'pipeline_args.sensitive_attrs_for_intervention',
    value: '[]',
  },
  {
    name: 'unknown dataset',
    mutate: (d) => set(d, ['pipeline_args', 'dataset'], 'diabetis'),
    code: ConfigErrorCode.UnknownDataset,
    path: 'pipeline_args.dataset',
    value: "'diabetis'",
  },
  {
    name: 'custom dataset column both numerical and categorical',
    mutate: (d) => {
      set(d, ['custom_datasets'], {
        mine: { path: 'x.csv', target: 'y', numerical_columns: ['a', 'b'], categorical_columns: ['b'] },
      });
      set(d, ['pipeline_args', 'dataset'], 'mine');
    },
    code: ConfigErrorCode.DatasetColumns,
    path: 'custom_datasets.mine.categorical_columns[0]',
    value: "'b'",
  },
  {
    name: 'custom dataset target used as a feature',
    mutate: (d) =>
      set(d, ['custom_datasets'], {
        mine: { path: 'x.csv', target: 'y', numerical_columns: ['a', 'y'], categorical_columns: [] },
      }),
    code: ConfigErrorCode.DatasetColumns,
    path: 'custom_datasets.mine.numerical_columns[1]',
    value: "'y'",
  },
  {
    name: 'custom dataset with a built-in name',
    mutate: (d) =>
      set(d, ['custom_datasets'], {
        heart: { path: 'x.csv', target: 'y', numerical_columns: ['a'], categorical_columns: [] },
      }),
    code: ConfigErrorCode.DatasetNameClash,
    path: 'custom_datasets.heart',
    value: "'heart'",
  },
  {
    name: 'custom dataset without a target',
    mutate: (d) =>
      set(d, ['custom_datasets'], {
        mine: { path: 'x.csv', numerical_columns: ['a'], categorical_columns: [] },
      }),
    code: ConfigErrorCode.MissingField,
    path: 'custom_datasets.mine.target',
    value: "'target'",
  },
];

describe('malformed configs are rejected with their own code, path and value', () => {
  it('covers at least 25 distinct codes', () => {
    expect(new Set(CASES.map((c) => c.code)).size).toBeGreaterThanOrEqual(25);
  });

  it('the base document is valid', () => {
    expect(loadConfig(toYaml(baseDoc())).name).toBe('base');
  });

  it.each(CASES)('$name → $code', (c) => {
    const err = expectConfigError(variant(c.mutate));
    expect(err.code).toBe(ConfigErrorCode.Invalid);
    const issue = err.issues.find((i) => i.code === c.code && i.path === c.path);
    expect(issue, `issues: ${JSON.stringify(err.issues.map((i) => [i.code, i.path]))}`).toBeDefined();
    if (!issue) return;
    expect(issue.message).toContain(c.path);
    expect(issue.message).toContain(c.value);
    expect(issue.fix.length).toBeGreaterThan(5);
    expect(issue.message.endsWith(issue.fix)).toBe(true);
    // Each case breaks one rule; it must not drown in unrelated complaints.
    expect(err.issues.length).toBeLessThanOrEqual(2);
  });
});

describe('error reporting', () => {
  it('reports every problem of a file at once, schema and cross-field alike', () => {
    const text = variant((d) => {
      set(d, ['common_args', 'colour'], 'blue'); // unknown key
      set(d, ['optimisation_args', 'num_workers'], 'many'); // type
      set(d, ['optimisation_args', 'objectives', 0, 'weight'], 0.5); // weights 0.5 + 0.75
      set(d, ['optimisation_args', 'objectives', 1, 'group'], 'Race'); // unknown group
      set(d, ['pipeline_args', 'models'], ['lr_clf', 'svm']); // unknown model
      set(d, ['virny_args', 'sensitive_attributes_dct', 'Gender&Race'], 'None'); // intersection parts
      set(d, ['optimisation_args', 'ref_point'], [0.1]); // ref point length
    });
    const err = expectConfigError(text);
    expect(new Set(issueCodes(err))).toEqual(
      new Set([
        ConfigErrorCode.UnknownKey,
        ConfigErrorCode.Type,
        ConfigErrorCode.Weights,
        ConfigErrorCode.UnknownGroup,
        ConfigErrorCode.UnknownComponent,
        ConfigErrorCode.IntersectionParts,
        ConfigErrorCode.RefPoint,
      ]),
    );
    // Issues come in document order.
    const lines = err.issues.map((i) => i.line ?? 0);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
    const text2 = formatConfigError(err);
    expect(text2).toContain('7 problems');
    for (const i of err.issues) expect(text2).toContain(i.message);
  });

  it('gives the line and column of the offending value', () => {
    const text = [
      'common_args:',
      '  exp_config_name: x',
      '  run_nums: [1]',
      'pipeline_args:',
      '  dataset: diabetes',
      '  sensitive_attrs_for_intervention: []',
      '  null_imputers: []',
      '  fairness_interventions: []',
      '  models: [lr_clf]',
      'optimisation_args:',
      '  objectives:',
      '    - {name: a, metric: F1, group: overall, weight: 0.5}',
      '    - {name: b, metric: Equalized_Odds_TPR, group: Race, weight: 0.5}',
      '  num_workers: 2',
      '  num_pp_candidates: 2',
      'virny_args:',
      '  sensitive_attributes_dct: {Gender: Female}',
    ].join('\n');
    const err = expectConfigError(text, { sourceName: 'x.yaml' });
    expect(err.issues).toHaveLength(1);
    const [issue] = err.issues;
    expect(issue.code).toBe(ConfigErrorCode.UnknownGroup);
    expect(issue.path).toBe('optimisation_args.objectives[1].group');
    expect(issue.value).toBe('Race');
    expect(issue.line).toBe(13);
    expect(issue.column).toBe(text.split('\n')[12].indexOf('Race') + 1);
    expect(issue.message).toBe(
      "optimisation_args.objectives[1].group: 'Race' is not a key of virny_args.sensitive_attributes_dct " +
        "(keys: Gender). Add it there or use one of those keys (or 'overall' for an overall metric).",
    );
    expect(err.sourceName).toBe('x.yaml');
    expect(formatConfigError(err)).toContain('(line 13, column');
  });

  it('reports YAML syntax errors with line and column under VF_CONFIG_YAML', () => {
    const err = expectConfigError('common_args:\n  exp_config_name: [unclosed\nvirny_args: {}\n');
    expect(err.code).toBe(ConfigErrorCode.Yaml);
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues.every((i) => i.code === ConfigErrorCode.Yaml && i.line !== undefined)).toBe(true);
    expect(err.issues[0].message).toMatch(/^line \d+, column \d+/);
  });

  it('rejects duplicate keys as a YAML error', () => {
    const err = expectConfigError('common_args:\n  exp_config_name: a\n  exp_config_name: b\n');
    expect(err.code).toBe(ConfigErrorCode.Yaml);
    expect(err.issues[0].line).toBe(3);
  });

  it('rejects an empty document and a non-mapping root', () => {
    const empty = expectConfigError('# nothing here\n\n');
    expect(issueCodes(empty)).toEqual([ConfigErrorCode.Root]);
    const list = expectConfigError('- common_args\n- virny_args\n');
    expect(issueCodes(list)).toEqual([ConfigErrorCode.Root]);
    expect(list.issues[0].message).toContain('(list)');
  });

  it('reports an unreadable file under VF_CONFIG_FILE', () => {
    let caught: unknown;
    try {
      loadConfig('/nonexistent/dir/exp.yaml');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.code).toBe(ConfigErrorCode.File);
    expect(err.issues[0].message).toContain('/nonexistent/dir/exp.yaml');
    expect(err.issues[0].message).toContain('ENOENT');
  });

  it('carries its issues through toFailure as plain data', () => {
    const err = expectConfigError(variant((d) => set(d, ['optimisation_args', 'num_workers'], 0)));
    const failure = JSON.parse(JSON.stringify(err.toFailure())) as {
      code: string;
      details: { issues: { code: string; path: string }[] };
    };
    expect(failure.code).toBe(ConfigErrorCode.Invalid);
    expect(failure.details.issues.map((i) => [i.code, i.path])).toContainEqual([
      ConfigErrorCode.Range,
      'optimisation_args.num_workers',
    ]);
  });
});

describe('component names', () => {
  const registry = () =>
    new ComponentRegistry()
      .register({ stage: 'model', name: 'dt_clf', description: '', space: emptySpace, create: null })
      .register({
        stage: 'null_imputation',
        name: 'median-mode',
        description: '',
        space: emptySpace,
        create: null,
      })
      .register({
        stage: 'fairness_intervention',
        name: 'DIR',
        description: '',
        space: emptySpace,
        create: null,
      });

  it('checks against the registry when one is given, listing what is registered', () => {
    const text = variant((d) => set(d, ['pipeline_args', 'models'], ['dt_clf', 'lr_clf']));
    const err = expectConfigError(text, { registry: registry() });
    expect(issueCodes(err)).toEqual([ConfigErrorCode.UnknownComponent]);
    expect(err.issues[0].path).toBe('pipeline_args.models[1]');
    expect(err.issues[0].message).toContain('registered: dt_clf');
  });

  it('accepts the pseudo components without registering them', () => {
    const text = variant((d) => {
      set(d, ['pipeline_args', 'models'], ['dt_clf']);
      set(d, ['pipeline_args', 'null_imputers'], ['None', 'median-mode']);
      set(d, ['pipeline_args', 'fairness_interventions'], ['DIR', 'NO_FAIRNESS_INTERVENTION']);
    });
    const c = loadConfig(text, { registry: registry() });
    expect(c.nullImputers).toEqual(['None', 'median-mode']);
    expect(c.fairnessInterventions).toEqual(['DIR', 'NO_FAIRNESS_INTERVENTION']);
  });

  it('accepts a dataset from the caller-supplied list', () => {
    const text = variant((d) => set(d, ['pipeline_args', 'dataset'], 'folk_pubcov'));
    expect(issueCodes(expectConfigError(text))).toEqual([ConfigErrorCode.UnknownDataset]);
    expect(loadConfig(text, { datasets: ['diabetes', 'folk_pubcov'] }).dataset).toBe('folk_pubcov');
  });
});

describe('positions of missing fields', () => {
  it('point at the key of the section they are missing from', () => {
    const text = variant((d) => del(d, ['optimisation_args', 'num_workers']));
    const err = expectConfigError(text);
    const issue = err.issues.find((i) => i.code === ConfigErrorCode.MissingField);
    const line = text.split('\n').findIndex((l) => l.startsWith('optimisation_args:')) + 1;
    expect(issue?.line).toBe(line);
    expect(issue?.column).toBe(1);
  });
});
