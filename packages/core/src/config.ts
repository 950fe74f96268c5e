/**
 * Loading and resolving an experiment config (SPEC §1 with the decisions of §13).
 *
 * `loadConfig` / `parseConfig` / `validateConfig` turn VirnyFlow's YAML into an `ExperimentConfig`: camelCase,
 * every default filled, every derived value computed (run numbers, computation mode, loss transforms,
 * constraint semantics, the appended `NO_FAIRNESS_INTERVENTION`, ...). Nothing is checked lazily: a config
 * that loads can run, as far as can be told without reading the dataset.
 *
 * Every problem in a file is reported at once in one `ConfigError`: the zod schema's issues (types, unknown
 * keys, missing fields, ranges) and the cross-field rules of `config-rules.ts`. Cross-field rules look at each field
 * through its own schema, so they still run when unrelated parts of the file are broken.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { NO_FAIRNESS_INTERVENTION, NO_IMPUTATION } from './components';
import { ConfigError, ConfigErrorCode, describeType, formatPath, formatValue } from './config-errors';
import type { ConfigIssue } from './config-errors';
import {
  Issues,
  getAt,
  isRecord,
  makeLocator,
  reportZodIssue,
  stringList,
  toPlainData,
} from './config-issues';
import type { Locator } from './config-issues';
import { crossFieldChecks, normalizeGroupKey, parseConstraint } from './config-rules';
import type { DerivedValues } from './config-rules';
import { experimentConfigSchema } from './config-schema';
import type {
  ACQ_TYPES,
  CONDITION_OPS,
  CustomDatasetInput,
  ERROR_INJECTION_SPLITS,
  ExperimentConfigInput,
  NULL_STRATEGIES,
  ParsedExperimentConfig,
  SensitiveValue,
} from './config-schema';
import { metricInfo } from './metric-catalog';
import type { LossTransform, MetricInfo } from './metric-catalog';
import type { ComponentRegistry } from './registry';

// ---------------------------------------------------------------------------------------------------------
// The resolved config
// ---------------------------------------------------------------------------------------------------------

/** Seeds: every run uses `random_state = 100 + run_num` (SPEC §1.4, VirnyFlow's INIT_RANDOM_STATE). */
export const INIT_RANDOM_STATE = 100;

/** The seed of one run: split, bootstrap, advisors and imputers of run `runNum` all derive from it. */
export function seedForRun(runNum: number): number {
  return INIT_RANDOM_STATE + runNum;
}

export const ComputationMode = {
  Bootstrap: 'bootstrap',
  NoBootstrap: 'no_bootstrap',
} as const;
export type ComputationMode = (typeof ComputationMode)[keyof typeof ComputationMode];

export type ConstraintOp = '>=' | '<=';

/**
 * One constraint, SPEC §13.3: `value(on) <op> threshold` must hold, where `on: 'raw'` is the metric value
 * itself (overall metrics, ratios) and `on: 'abs'` its magnitude |v| (signed difference metrics).
 */
export interface ConstraintConfig {
  readonly op: ConstraintOp;
  readonly threshold: number;
  readonly on: 'raw' | 'abs';
  /** The string as written in the config, e.g. `'>= 0.8'`. */
  readonly text: string;
}

export interface ObjectiveConfig {
  readonly name: string;
  /** Exact Virny metric name (a key of `METRIC_CATALOG`). */
  readonly metric: string;
  /** `'overall'` or a normalised key of the sensitive-attribute dict (`'SEX&RAC1P'`). */
  readonly group: string;
  readonly weight: number;
  /** How the metric value becomes a loss (lower is better). */
  readonly loss: LossTransform;
  readonly constraints: readonly ConstraintConfig[];
}

export type SurrogateType = 'auto' | 'gp' | 'prf' | 'random';
export type AcqType = (typeof ACQ_TYPES)[number];
export type AcqOptimizerType = 'auto' | 'local_random' | 'random_scipy';

export interface OptimizerConfig {
  readonly surrogateType: SurrogateType;
  readonly acqType: AcqType;
  readonly acqOptimizerType: AcqOptimizerType;
}

/** A sensitive attribute or intersection, in dict order (SPEC §7.4). */
export interface SensitiveAttribute {
  /** Normalised key: parts trimmed and joined by `&`. */
  readonly key: string;
  /** The single attributes it is made of (one for a plain attribute). */
  readonly parts: readonly string[];
  readonly intersection: boolean;
  /**
   * Disadvantaged values of a plain attribute (a row is disadvantaged iff its value is one of these, matched
   * type-strictly); empty for an intersection, whose membership comes from its parts.
   */
  readonly disadvantaged: readonly (string | number | boolean)[];
}

/**
 * One `pipeline_args.error_injection` entry, resolved: missing values injected into the listed feature
 * columns of the requested splits right after the train/test split, with the data package's null-injector
 * semantics (within the rows matching `condition`, ⌊rows × nullPercentage⌋ missing cells over `columns`).
 */
export interface ErrorInjectionConfig {
  readonly strategy: (typeof NULL_STRATEGIES)[number];
  readonly columns: readonly string[];
  /** In the open interval (0, 1). */
  readonly nullPercentage: number;
  /** Required for MAR (on another column) and MNAR (on an injected column); absent for MCAR. */
  readonly condition?: {
    readonly column: string;
    readonly op: (typeof CONDITION_OPS)[number];
    readonly value: string | number | readonly (string | number)[];
  };
  /** Splits to inject into; default both. */
  readonly splits: readonly (typeof ERROR_INJECTION_SPLITS)[number][];
}

/** `custom_datasets.<name>` as written (snake_case: the data package reads this shape), path resolved. */
export type CustomDatasetSpec = CustomDatasetInput;

export interface ExperimentConfig {
  /** `common_args.exp_config_name`: the experiment's identity in the store. */
  readonly name: string;
  /** From `run_nums`, or `1..num_runs`. */
  readonly runNums: readonly number[];
  readonly saveStorage: boolean;
  readonly secretsPath: string | null;

  readonly dataset: string;
  /** The description of `dataset` when it names an entry of `custom_datasets`. */
  readonly customDataset: CustomDatasetSpec | null;
  readonly customDatasets: Readonly<Record<string, CustomDatasetSpec>>;
  /** Normalised keys of `sensitiveAttributesDct`. */
  readonly sensitiveAttrsForIntervention: readonly string[];
  /** `['None']` when the YAML list is empty. */
  readonly nullImputers: readonly string[];
  /** As configured, with `NO_FAIRNESS_INTERVENTION` appended (once). */
  readonly fairnessInterventions: readonly string[];
  readonly models: readonly string[];
  /** `pipeline_args.error_injection`, in order; empty when absent. */
  readonly errorInjection: readonly ErrorInjectionConfig[];

  readonly objectives: readonly ObjectiveConfig[];
  /** In weighted-loss space, one entry per objective; `null` lets the optimizer infer one. */
  readonly refPoint: readonly number[] | null;
  readonly optimizer: OptimizerConfig;
  /** Per-logical-pipeline cap on scheduled pipelines; equals `maxTotalPipelinesNum` when that is set. */
  readonly maxTrials: number;
  /** Seconds, or null for no time budget. */
  readonly maxTimeBudget: number | null;
  /** Global cap on completed pipelines per run, or null. */
  readonly maxTotalPipelinesNum: number | null;
  readonly numWorkers: number;
  readonly numPpCandidates: number;
  /** Cap on queued + running tasks; default `3 × numWorkers`. */
  readonly queueSize: number;
  readonly trainingSetFractionsForHalting: readonly number[];
  readonly explorationFactor: number;
  readonly riskFactor: number;

  /** `virny_args.sensitive_attributes_dct` with normalised keys, in dict order. */
  readonly sensitiveAttributesDct: Readonly<Record<string, SensitiveValue>>;
  readonly sensitiveAttributes: readonly SensitiveAttribute[];
  /** `bootstrap` iff some objective needs stability/uncertainty metrics (SPEC §1.4, §13.11). */
  readonly computationMode: ComputationMode;
  readonly bootstrapFraction: number | null;
  readonly nEstimators: number | null;

  /** The document as written (plain JSON data), for the store. */
  readonly raw: ExperimentConfigInput;
  readonly sourceName: string | null;
}

export interface LoadConfigOptions {
  /**
   * Checks component names against this registry (plus the pseudo components `None` and
   * `NO_FAIRNESS_INTERVENTION`). Without it, names are checked against `KNOWN_COMPONENTS`.
   */
  registry?: ComponentRegistry;
  /** Built-in dataset names accepted for `pipeline_args.dataset`; default `KNOWN_DATASETS`. */
  datasets?: readonly string[];
  /** Shown in messages; default the file path (for `loadConfigFile`). */
  sourceName?: string;
  /**
   * Directory that relative `custom_datasets.*.path` values are resolved against; default the config
   * file's directory, else the working directory.
   */
  baseDir?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------------------

/**
 * Loads a config from YAML text or from a file path. A string containing a line break (or starting with
 * `{`) is YAML text; anything else is a path.
 */
export function loadConfig(textOrPath: string, options: LoadConfigOptions = {}): ExperimentConfig {
  const isText = textOrPath.includes('\n') || textOrPath.trimStart().startsWith('{');
  return isText ? parseConfig(textOrPath, options) : loadConfigFile(textOrPath, options);
}

/** Reads and loads a YAML file; relative `custom_datasets` paths resolve against its directory. */
export function loadConfigFile(path: string, options: LoadConfigOptions = {}): ExperimentConfig {
  const sourceName = options.sourceName ?? path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    const fix =
      reason === 'ENOENT'
        ? 'Check the path (example configs are in configs/).'
        : 'Check that the path is a readable file.';
    const issue: ConfigIssue = {
      code: ConfigErrorCode.File,
      path: '',
      segments: [],
      value: path,
      message: `${formatValue(path)}: cannot read the config file (${reason}). ${fix}`,
      fix,
    };
    throw new ConfigError(ConfigErrorCode.File, [issue], { sourceName, cause: err });
  }
  return parseConfig(text, {
    ...options,
    sourceName,
    baseDir: options.baseDir ?? dirname(resolvePath(path)),
  });
}

/**
 * Parses YAML text (YAML 1.1, as VirnyFlow's PyYAML loader reads it: `yes`/`no` are booleans, `None` is
 * the string "None") and validates it. Syntax errors throw `ConfigError` with code `VF_CONFIG_YAML`.
 */
export function parseConfig(text: string, options: LoadConfigOptions = {}): ExperimentConfig {
  const sourceName = options.sourceName ?? null;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: true, uniqueKeys: true });
  const lines = text.split(/\r?\n/);
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e): ConfigIssue => {
      const pos = e.linePos?.[0];
      const line = pos?.line ?? 1;
      const column = pos?.col ?? 1;
      const src = (lines[line - 1] ?? '').trim();
      const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const fix = 'Fix the YAML syntax at that position (indentation, brackets, quotes, duplicate keys).';
      return {
        code: ConfigErrorCode.Yaml,
        path: '',
        segments: [],
        value: src,
        message: `line ${line}, column ${column} (${formatValue(src)}): ${what}. ${fix}`,
        fix,
        line,
        column,
      };
    });
    throw new ConfigError(ConfigErrorCode.Yaml, issues, { sourceName });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const fix = 'Remove the alias loop or excessive aliases.';
    const issue: ConfigIssue = {
      code: ConfigErrorCode.Yaml,
      path: '',
      segments: [],
      value: null,
      message: `the YAML document cannot be read (${err instanceof Error ? err.message : String(err)}). ${fix}`,
      fix,
    };
    throw new ConfigError(ConfigErrorCode.Yaml, [issue], { sourceName, cause: err });
  }
  return validateWithLocator(raw, options, makeLocator(doc, lineCounter));
}

/** Validates an already-parsed document (e.g. the raw config kept in the store). */
export function validateConfig(raw: unknown, options: LoadConfigOptions = {}): ExperimentConfig {
  return validateWithLocator(raw, options, () => undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------

function validateWithLocator(raw: unknown, options: LoadConfigOptions, locate: Locator): ExperimentConfig {
  const issues = new Issues(locate);
  const sourceName = options.sourceName ?? null;
  if (raw === null || raw === undefined) {
    issues.add(
      ConfigErrorCode.Root,
      [],
      raw,
      'the document is empty',
      'Write the four sections common_args, pipeline_args, optimisation_args and virny_args (see configs/demo.yaml).',
    );
  } else if (!isRecord(raw)) {
    issues.add(
      ConfigErrorCode.Root,
      [],
      raw,
      `expected a mapping of sections, got ${formatValue(raw)} (${describeType(raw)})`,
      'Write the four sections common_args, pipeline_args, optimisation_args and virny_args (see configs/demo.yaml).',
    );
  } else {
    const parsed = experimentConfigSchema.safeParse(raw);
    if (!parsed.success) for (const zi of parsed.error.issues) reportZodIssue(issues, zi, raw);
    const derived = crossFieldChecks(issues, raw, options);
    checkErrorInjection(issues, raw);
    if (parsed.success && issues.list.length === 0) return resolve(parsed.data, raw, derived, options);
  }
  const sorted = issues.list
    .map((issue, k) => ({ issue, k }))
    .sort(
      (a, b) =>
        (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.k - b.k,
    )
    .map((x) => x.issue);
  throw new ConfigError(ConfigErrorCode.Invalid, sorted, { sourceName });
}

/**
 * Rules of `pipeline_args.error_injection` beyond single fields: MCAR takes no condition, MAR and MNAR need
 * one, MAR conditions on a column it does not inject and MNAR on one it does, `op: in` takes a list and
 * the other ops a single value, and no column or split is listed twice.
 */
function checkErrorInjection(issues: Issues, raw: Record<string, unknown>): void {
  const list = getAt(raw, ['pipeline_args', 'error_injection']);
  if (!Array.isArray(list)) return;
  list.forEach((item: unknown, k) => {
    if (!isRecord(item)) return;
    const at = ['pipeline_args', 'error_injection', k];
    const strategy = item.strategy;
    const cond = item.condition;
    const columns = stringList(item.columns);
    if (strategy === 'MCAR' && cond !== undefined) {
      issues.add(
        ConfigErrorCode.UnknownKey,
        [...at, 'condition'],
        cond,
        'strategy MCAR nulls cells completely at random and takes no condition',
        'Remove condition, or use strategy MAR (condition on another column) or MNAR (condition on an injected column).',
      );
    }
    if ((strategy === 'MAR' || strategy === 'MNAR') && cond === undefined) {
      issues.add(
        ConfigErrorCode.MissingField,
        [...at, 'condition'],
        undefined,
        `strategy ${strategy} needs a condition saying which rows lose values`,
        `Add condition: {column: <column>, op: '==', value: <value>} to ${formatPath(at)}.`,
      );
    }
    if (isRecord(cond) && typeof cond.column === 'string' && columns) {
      const injected = columns.includes(cond.column);
      if (strategy === 'MAR' && injected) {
        issues.add(
          ConfigErrorCode.Choice,
          [...at, 'condition', 'column'],
          cond.column,
          `MAR makes values missing depending on another column, but ${formatValue(cond.column)} is also injected`,
          'Condition on a column that is not in columns, or use strategy MNAR.',
        );
      }
      if (strategy === 'MNAR' && !injected) {
        issues.add(
          ConfigErrorCode.Choice,
          [...at, 'condition', 'column'],
          cond.column,
          `MNAR makes values missing depending on the injected values themselves, but ${formatValue(cond.column)} ` +
            `is not in columns (${columns.join(', ')})`,
          'Condition on one of the injected columns, or use strategy MAR.',
        );
      }
    }
    if (isRecord(cond) && typeof cond.op === 'string' && cond.value !== undefined) {
      const isList = Array.isArray(cond.value);
      if (cond.op === 'in' && !isList) {
        issues.add(
          ConfigErrorCode.Type,
          [...at, 'condition', 'value'],
          cond.value,
          `op 'in' needs a list of values, got ${formatValue(cond.value)}`,
          `Write value as a list, e.g. [${formatValue(cond.value)}].`,
        );
      } else if (cond.op !== 'in' && isList) {
        issues.add(
          ConfigErrorCode.Type,
          [...at, 'condition', 'value'],
          cond.value,
          `op ${formatValue(cond.op)} compares with one value, got the list ${formatValue(cond.value)}`,
          "Give a single value, or use op 'in' for a list.",
        );
      }
    }
    for (const key of ['columns', 'splits'] as const) {
      const names = stringList(item[key]);
      if (!names) continue;
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) {
          issues.add(
            ConfigErrorCode.Choice,
            [...at, key, i],
            name,
            `${formatValue(name)} is listed twice in ${key}`,
            'List each one once.',
          );
        }
      });
    }
  });
}

// --- resolution ------------------------------------------------------------------------------------------

function resolve(
  p: ParsedExperimentConfig,
  raw: Record<string, unknown>,
  derived: DerivedValues,
  options: LoadConfigOptions,
): ExperimentConfig {
  const c = p.common_args;
  const pipe = p.pipeline_args;
  const o = p.optimisation_args;
  const v = p.virny_args;

  const runNums = c.run_nums ?? Array.from({ length: c.num_runs ?? 0 }, (_, i) => i + 1);

  const sensitiveAttributesDct: Record<string, SensitiveValue> = {};
  const sensitiveAttributes: SensitiveAttribute[] = [];
  for (const [rawKey, value] of Object.entries(v.sensitive_attributes_dct)) {
    const key = normalizeGroupKey(rawKey);
    sensitiveAttributesDct[key] = value;
    const parts = key.split('&');
    const intersection = parts.length > 1;
    sensitiveAttributes.push({
      key,
      parts,
      intersection,
      disadvantaged: intersection || value === null ? [] : Array.isArray(value) ? [...value] : [value],
    });
  }

  const objectives: ObjectiveConfig[] = o.objectives.map((obj) => {
    const metric = obj.metric.trim();
    const info = metricInfo(metric) as MetricInfo;
    return {
      name: obj.name,
      metric,
      group: normalizeGroupKey(obj.group),
      weight: obj.weight,
      loss: info.loss as LossTransform,
      constraints: (obj.constraint ?? []).map((text) => {
        const { op, threshold } = parseConstraint(text) as { op: ConstraintOp; threshold: number };
        return { op, threshold, on: info.constraintOn, text };
      }),
    };
  });

  const baseDir = options.baseDir ?? process.cwd();
  const customDatasets: Record<string, CustomDatasetSpec> = {};
  for (const [name, spec] of Object.entries(p.custom_datasets ?? {})) {
    customDatasets[name] = {
      ...spec,
      path: isAbsolute(spec.path) ? spec.path : resolvePath(baseDir, spec.path),
    };
  }

  const fis = [...pipe.fairness_interventions];
  if (!fis.includes(NO_FAIRNESS_INTERVENTION)) fis.push(NO_FAIRNESS_INTERVENTION);

  const maxTotal = o.max_total_pipelines_num ?? null;
  return {
    name: c.exp_config_name,
    runNums,
    saveStorage: c.save_storage,
    secretsPath: c.secrets_path ?? null,
    dataset: pipe.dataset,
    customDataset: customDatasets[pipe.dataset] ?? null,
    customDatasets,
    sensitiveAttrsForIntervention: pipe.sensitive_attrs_for_intervention.map(normalizeGroupKey),
    nullImputers: pipe.null_imputers.length === 0 ? [NO_IMPUTATION] : [...pipe.null_imputers],
    fairnessInterventions: fis,
    models: [...pipe.models],
    errorInjection: (pipe.error_injection ?? []).map((e): ErrorInjectionConfig => ({
      strategy: e.strategy,
      columns: [...e.columns],
      nullPercentage: e.null_percentage,
      ...(e.condition
        ? {
            condition: {
              column: e.condition.column,
              op: e.condition.op,
              value: Array.isArray(e.condition.value) ? [...e.condition.value] : e.condition.value,
            },
          }
        : {}),
      splits: [...e.splits],
    })),
    objectives,
    refPoint: o.ref_point ?? null,
    optimizer: {
      surrogateType: o.optimizer.surrogate_type,
      acqType: o.optimizer.acq_type as AcqType,
      acqOptimizerType: o.optimizer.acq_optimizer_type,
    },
    maxTrials: maxTotal ?? o.max_trials,
    maxTimeBudget: o.max_time_budget ?? null,
    maxTotalPipelinesNum: maxTotal,
    numWorkers: o.num_workers,
    numPpCandidates: o.num_pp_candidates,
    queueSize: o.queue_size ?? 3 * o.num_workers,
    trainingSetFractionsForHalting: [...o.training_set_fractions_for_halting],
    explorationFactor: o.exploration_factor,
    riskFactor: o.risk_factor,
    sensitiveAttributesDct,
    sensitiveAttributes,
    computationMode: derived.needsBootstrap ? ComputationMode.Bootstrap : ComputationMode.NoBootstrap,
    bootstrapFraction: v.bootstrap_fraction ?? null,
    nEstimators: v.n_estimators ?? null,
    raw: toPlainData(raw) as ExperimentConfigInput,
    sourceName: options.sourceName ?? null,
  };
}
