/**
 * The zod schema of VirnyFlow's experiment YAML (SPEC §1.2), field by field, plus our optional
 * `custom_datasets` section.
 *
 * Like VirnyFlow's Cerberus schema, every mapping rejects unknown keys, except
 * `virny_args.sensitive_attributes_dct` (its keys are the user's attribute names). Defaults are those of
 * SPEC §1.2. Rules that involve more than one field (runs, weights, bootstrap fields, workers vs candidates,
 * groups, components, ...) are checked in `config.ts`.
 *
 * Each field's `.describe()` text is the phrase used in error messages ("expected <description>"), so it is
 * written as a noun phrase.
 */
import { z } from 'zod';

const posInt = (what: string) => z.number().int().min(1).describe(`${what}`);

const scalarValue = z.union([z.string(), z.number(), z.boolean()]).describe('a string, number or boolean');

/** Disadvantaged value(s) of one sensitive attribute (SPEC §7.4); intersection keys conventionally `None`. */
export const sensitiveValueSchema = z
  .union([scalarValue, z.array(scalarValue).min(1), z.null()])
  .describe(
    'a disadvantaged value (string, number or boolean), a non-empty list of such values, or None for an intersection key',
  );

export const sensitiveAttributesSchema = z
  .record(z.string(), sensitiveValueSchema)
  .describe("a mapping from attribute name to its disadvantaged value(s), e.g. {sex: 'female'}");

export const commonArgsSchema = z
  .strictObject({
    exp_config_name: z.string().min(1).describe('a non-empty string naming the experiment'),
    num_runs: posInt('an integer ≥ 1 (runs 1..num_runs)').optional(),
    run_nums: z
      .array(posInt('an integer ≥ 1'))
      .min(1)
      .describe('a non-empty list of run numbers (integers ≥ 1)')
      .optional(),
    save_storage: z.boolean().default(false).describe('true or false'),
    secrets_path: z
      .string()
      .nullable()
      .optional()
      .describe('a path to a dotenv file (optional: the store comes from the command line)'),
  })
  .describe('a mapping with exp_config_name and num_runs or run_nums');

const componentList = (what: string) =>
  z.array(z.string().min(1).describe(`a ${what} name`)).describe(`a list of ${what} names`);

/** Strategies of `pipeline_args.error_injection` (the data package's null injector, SPEC §8.1). */
export const NULL_STRATEGIES = ['MCAR', 'MAR', 'MNAR'] as const;
export const CONDITION_OPS = ['==', '!=', '<', '<=', '>', '>=', 'in'] as const;
export const ERROR_INJECTION_SPLITS = ['train', 'test'] as const;

const conditionScalar = z.union([z.string(), z.number()]).describe('a string or number');

export const errorInjectionConditionSchema = z
  .strictObject({
    column: z.string().min(1).describe('a column name'),
    op: z.enum(CONDITION_OPS).describe("one of '==', '!=', '<', '<=', '>', '>=', 'in'"),
    value: z
      .union([conditionScalar, z.array(conditionScalar).min(1)])
      .describe("a string or number (a non-empty list of them for op 'in')"),
  })
  .describe("a mapping with column, op and value, e.g. {column: sex, op: '==', value: female}");

/**
 * Our extension: missing values injected right after the train/test split, so that imputers are evaluated
 * under controlled missingness. Cross-field rules (condition vs strategy, duplicates) are in `config.ts`;
 * column names are checked against the dataset when it is loaded.
 */
export const errorInjectionSchema = z
  .strictObject({
    strategy: z.enum(NULL_STRATEGIES).describe('one of MCAR, MAR, MNAR'),
    columns: z
      .array(z.string().min(1).describe('a feature column name'))
      .min(1)
      .describe('a non-empty list of feature column names'),
    null_percentage: z.number().gt(0).lt(1).describe('a number in the open interval (0, 1)'),
    condition: errorInjectionConditionSchema.optional(),
    splits: z
      .array(z.enum(ERROR_INJECTION_SPLITS).describe('train or test'))
      .min(1)
      .default(['train', 'test'])
      .describe('a non-empty list of train and/or test'),
  })
  .describe('a mapping with strategy, columns, null_percentage and optionally condition and splits');

export const pipelineArgsSchema = z
  .strictObject({
    dataset: z.string().min(1).describe('a dataset name'),
    sensitive_attrs_for_intervention: z
      .array(z.string().min(1).describe('a key of virny_args.sensitive_attributes_dct'))
      .describe('a list of keys of virny_args.sensitive_attributes_dct'),
    null_imputers: componentList('null imputer'),
    fairness_interventions: componentList('fairness intervention'),
    models: componentList('model').min(1),
    error_injection: z
      .array(errorInjectionSchema)
      .optional()
      .describe(
        'a list of error-injection specs ({strategy, columns, null_percentage, condition?, splits?})',
      ),
  })
  .describe(
    'a mapping with dataset, sensitive_attrs_for_intervention, null_imputers, fairness_interventions, models',
  );

export const objectiveSchema = z
  .strictObject({
    name: z.string().min(1).describe('a unique non-empty objective name'),
    metric: z.string().min(1).describe('a Virny metric name such as F1 or Equalized_Odds_TPR'),
    group: z.string().min(1).describe("'overall' or a key of virny_args.sensitive_attributes_dct"),
    weight: z.number().gt(0).max(1).default(0.5).describe('a number in (0, 1]'),
    constraint: z
      .array(z.string().describe("a constraint string such as '>= 0.8'"))
      .describe("a list of constraint strings such as ['>= 0.8']")
      .optional(),
  })
  .describe('a mapping with name, metric, group and optionally weight and constraint');

export const SURROGATE_TYPES = ['auto', 'gp', 'prf', 'random'] as const;
export const ACQ_TYPES = ['auto', 'ei', 'ehvi', 'parego'] as const;
export const ACQ_OPTIMIZER_TYPES = ['auto', 'local_random', 'random_scipy'] as const;

export const optimizerSchema = z
  .strictObject({
    surrogate_type: z.enum(SURROGATE_TYPES).default('auto').describe('one of auto, gp, prf, random'),
    // A plain string so that known-but-unsupported OpenBox acquisitions (mesmo, ...) get their own message.
    acq_type: z.string().default('auto').describe('one of auto, ei, ehvi, parego'),
    acq_optimizer_type: z
      .enum(ACQ_OPTIMIZER_TYPES)
      .default('auto')
      .describe('one of auto, local_random, random_scipy'),
  })
  .describe('a mapping with surrogate_type, acq_type, acq_optimizer_type');

export const DEFAULT_TRAINING_SET_FRACTIONS: readonly number[] = [0.5, 0.75, 1.0];

export const optimisationArgsSchema = z
  .strictObject({
    objectives: z.array(objectiveSchema).min(1).describe('a non-empty list of objectives'),
    ref_point: z
      .array(z.number().describe('a number'))
      .nullable()
      .optional()
      .describe('a list of numbers, one per objective, in weighted-loss space'),
    optimizer: optimizerSchema
      .default({ surrogate_type: 'auto', acq_type: 'auto', acq_optimizer_type: 'auto' })
      .describe('a mapping with surrogate_type, acq_type, acq_optimizer_type'),
    max_trials: posInt('an integer ≥ 1').default(1000),
    max_time_budget: z
      .number()
      .int()
      .min(60)
      .nullable()
      .optional()
      .describe('an integer number of seconds ≥ 60'),
    max_total_pipelines_num: posInt('an integer ≥ 1').nullable().optional(),
    num_workers: posInt('an integer ≥ 1'),
    num_pp_candidates: posInt('an integer ≥ 1').default(10),
    queue_size: posInt('an integer ≥ num_workers').optional(),
    training_set_fractions_for_halting: z
      .array(z.number().describe('a number in (0, 1]'))
      .min(1)
      .default([...DEFAULT_TRAINING_SET_FRACTIONS])
      .describe('a non-empty, strictly increasing list of numbers in (0, 1] ending with 1.0'),
    exploration_factor: z.number().min(0).max(1).default(0.5).describe('a number in [0, 1]'),
    risk_factor: z.number().min(0).max(1).default(0.5).describe('a number in [0, 1]'),
  })
  .describe('a mapping with objectives, num_workers and optional budgets');

export const virnyArgsSchema = z
  .strictObject({
    sensitive_attributes_dct: sensitiveAttributesSchema,
    bootstrap_fraction: z.number().gt(0).max(1).optional().describe('a number in (0, 1]'),
    n_estimators: z.number().int().min(2).optional().describe('an integer ≥ 2'),
  })
  .describe(
    'a mapping with sensitive_attributes_dct and, for stability metrics, bootstrap_fraction and n_estimators',
  );

/** Our extension: a user's own CSV file, loaded like a built-in dataset (the data package reads this shape). */
export const customDatasetSchema = z
  .strictObject({
    path: z.string().min(1).describe('a path to a CSV file (relative to the config file)'),
    delimiter: z.string().min(1).optional().describe('a field delimiter such as , or ;'),
    target: z.string().min(1).describe('the name of the target column'),
    positive_label: z
      .union([scalarValue, z.array(scalarValue).min(1)])
      .optional()
      .describe('the target value (or list of values) that counts as positive (1)'),
    numerical_columns: z
      .array(z.string().min(1).describe('a column name'))
      .describe('a list of column names'),
    categorical_columns: z
      .array(z.string().min(1).describe('a column name'))
      .describe('a list of column names'),
    drop_columns: z
      .array(z.string().min(1).describe('a column name'))
      .optional()
      .describe('a list of column names'),
    test_set_fraction: z.number().gt(0).lt(1).optional().describe('a number in (0, 1)'),
    sensitive_attributes_dct: sensitiveAttributesSchema.optional(),
    description: z.string().optional().describe('a one-line description'),
  })
  .describe('a mapping with path, target, numerical_columns, categorical_columns');

export const experimentConfigSchema = z
  .strictObject({
    common_args: commonArgsSchema,
    pipeline_args: pipelineArgsSchema,
    optimisation_args: optimisationArgsSchema,
    virny_args: virnyArgsSchema,
    custom_datasets: z
      .record(z.string(), customDatasetSchema)
      .optional()
      .describe('a mapping from dataset name to its description'),
  })
  .describe('a mapping with sections common_args, pipeline_args, optimisation_args, virny_args');

/** The YAML as the user writes it (snake_case, defaults not filled). */
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
/** The YAML after schema parsing (defaults of single fields filled, cross-field rules not yet applied). */
export type ParsedExperimentConfig = z.output<typeof experimentConfigSchema>;
export type CustomDatasetInput = z.input<typeof customDatasetSchema>;
export type ObjectiveInput = z.input<typeof objectiveSchema>;
export type SensitiveValue = z.output<typeof sensitiveValueSchema>;
export type ErrorInjectionInput = z.input<typeof errorInjectionSchema>;

/** The sections and their keys, for "belongs in section X" hints on misplaced keys. */
export const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  common_args: Object.keys(commonArgsSchema.shape),
  pipeline_args: Object.keys(pipelineArgsSchema.shape),
  optimisation_args: Object.keys(optimisationArgsSchema.shape),
  virny_args: Object.keys(virnyArgsSchema.shape),
};
