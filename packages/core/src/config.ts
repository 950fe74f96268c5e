/**
 * Loading and resolving an experiment config (SPEC §1 with the decisions of §13).
 *
 * `loadConfig` / `parseConfig` / `validateConfig` turn VirnyFlow's YAML into an `ExperimentConfig`: camelCase,
 * every default filled, every derived value computed (run numbers, computation mode, loss transforms,
 * constraint semantics, the appended `NO_FAIRNESS_INTERVENTION`, ...). Nothing is checked lazily: a config
 * that loads can run, as far as can be told without reading the dataset.
 *
 * Every problem in a file is reported at once in one `ConfigError`: the zod schema's issues (types, unknown
 * keys, missing fields, ranges) and the cross-field rules below. Cross-field rules look at each field
 * through its own schema, so they still run when unrelated parts of the file are broken.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { closestMatches } from './closest-match';
import { KNOWN_COMPONENTS, KNOWN_DATASETS, NO_FAIRNESS_INTERVENTION, NO_IMPUTATION } from './components';
import { ConfigError, ConfigErrorCode, describeType, formatPath, formatValue } from './config-errors';
import type { ConfigIssue, PathSegment } from './config-errors';
import {
  ACQ_TYPES,
  SECTION_KEYS,
  commonArgsSchema,
  experimentConfigSchema,
  objectiveSchema,
  optimisationArgsSchema,
} from './config-schema';
import type {
  CustomDatasetInput,
  ExperimentConfigInput,
  ParsedExperimentConfig,
  SensitiveValue,
} from './config-schema';
import { DISPARITY_METRICS, METRIC_CATALOG, metricInfo } from './metric-catalog';
import type { LossTransform, MetricInfo } from './metric-catalog';
import { Stage } from './registry';
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

/** Trims the parts of a sensitive-attribute key: `'SEX & RAC1P'` → `'SEX&RAC1P'` (SPEC §13.10). */
export function normalizeGroupKey(key: string): string {
  return key
    .split('&')
    .map((p) => p.trim())
    .join('&');
}

/**
 * Parses one constraint string `"<op> <threshold>"` (op `>=` or `<=`; whitespace between them optional).
 * Returns null when it does not match.
 */
export function parseConstraint(text: string): { op: ConstraintOp; threshold: number } | null {
  const m = /^\s*(>=|<=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const threshold = Number(m[2]);
  if (!Number.isFinite(threshold)) return null;
  return { op: m[1] as ConstraintOp, threshold };
}

// ---------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------

type Locator = (segments: readonly PathSegment[]) => { line: number; column: number } | undefined;

/**
 * Maps a YAML path to the position of its value. For a path that does not exist (a missing field) it
 * points at the key of the deepest existing mapping (`optimisation_args:`), or at that node itself.
 */
function makeLocator(doc: Document, lc: LineCounter): Locator {
  return (segments) => {
    let node: unknown = doc.contents;
    let best: number | undefined = (node as YamlNode | null)?.range?.[0];
    /** Start of the key whose value is `node`, if `node` is a mapping value. */
    let ownerKey: number | undefined;
    for (const seg of segments) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) {
          best = ownerKey ?? best;
          break;
        }
        ownerKey = (pair.key as YamlNode).range?.[0];
        node = pair.value;
        best = (node as YamlNode | null)?.range?.[0] ?? ownerKey ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        ownerKey = undefined;
        node = node.items[seg];
        if (node === undefined) break;
        best = (node as YamlNode | null)?.range?.[0] ?? best;
      } else break;
    }
    if (best === undefined) return undefined;
    const p = lc.linePos(best);
    return { line: p.line, column: p.col };
  };
}

class Issues {
  readonly list: ConfigIssue[] = [];
  constructor(private readonly locate: Locator) {}

  /** `problem` names the value; `fix` is a full sentence. */
  add(
    code: ConfigErrorCode,
    segments: readonly PathSegment[],
    value: unknown,
    problem: string,
    fix: string,
  ): void {
    const path = formatPath(segments);
    const pos = this.locate(segments);
    this.list.push({
      code,
      path,
      segments: [...segments],
      value,
      message: `${path === '' ? '(root)' : path}: ${problem}. ${fix}`,
      fix,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    });
  }
}

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

// --- zod issues ------------------------------------------------------------------------------------------

/** Keys VirnyFlow computes itself; writing them in `virny_args` is an error with a specific fix. */
const RUNTIME_VIRNY_KEYS: Readonly<Record<string, string>> = {
  random_state: 'it is set per run to 100 + run_num',
  computation_mode: 'it is derived from the objectives (bootstrap iff a stability metric is an objective)',
  dataset_name: 'it is taken from pipeline_args.dataset',
  postprocessing_sensitive_attribute: 'it is set by the fairness intervention stage',
  sensitive_attrs: 'the key is called sensitive_attributes_dct',
};

function reportZodIssue(issues: Issues, zi: z.core.$ZodIssue, root: Record<string, unknown>): void {
  const segs = zi.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const value = getAt(root, segs);
  const expected = describeAt(segs) ?? zi.message;
  switch (zi.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(segs);
      const where = segs.length === 0 ? 'the top level' : formatPath(segs);
      for (const key of zi.keys) {
        const keySegs = [...segs, key];
        const v = getAt(root, keySegs);
        let fix: string;
        const runtime = segs.length === 1 && segs[0] === 'virny_args' ? RUNTIME_VIRNY_KEYS[key] : undefined;
        const home = Object.entries(SECTION_KEYS).find(
          ([section, keys]) => section !== segs[0] && keys.includes(key),
        )?.[0];
        const near = closestMatches(key, allowed, 1)[0];
        if (runtime) fix = `Remove it: ${runtime}.`;
        else if (home && segs.length <= 1) fix = `Move it under ${home}.`;
        else if (near) fix = `Did you mean ${near}? Otherwise remove it.`;
        else fix = `Remove it (${where} accepts: ${allowed.join(', ')}).`;
        issues.add(
          ConfigErrorCode.UnknownKey,
          keySegs,
          v,
          `unknown key ${formatValue(key)} (value ${formatValue(v)}) in ${where}`,
          fix,
        );
      }
      return;
    }
    case 'invalid_type':
    case 'invalid_union':
      if (value === undefined) {
        const key = segs[segs.length - 1];
        const parent = segs.length > 1 ? formatPath(segs.slice(0, -1)) : 'the top level';
        issues.add(
          ConfigErrorCode.MissingField,
          segs,
          value,
          `required field ${formatValue(key)} is missing`,
          `Add ${String(key)} (${expected}) to ${parent}.`,
        );
      } else {
        issues.add(
          ConfigErrorCode.Type,
          segs,
          value,
          `expected ${expected}, got ${formatValue(value)} (${describeType(value)})`,
          `Set it to ${expected}.`,
        );
      }
      return;
    case 'too_small':
    case 'too_big':
      if (zi.origin === 'array' && zi.code === 'too_small') {
        issues.add(
          ConfigErrorCode.EmptyList,
          segs,
          value,
          `the list ${formatValue(value)} is empty; expected ${expected}`,
          'Give at least one item.',
        );
      } else if (zi.origin === 'string') {
        issues.add(
          ConfigErrorCode.Type,
          segs,
          value,
          `expected ${expected}, got the empty string ${formatValue(value)}`,
          `Set it to ${expected}.`,
        );
      } else {
        issues.add(
          ConfigErrorCode.Range,
          segs,
          value,
          `${formatValue(value)} is out of range; expected ${expected}`,
          `Set it to ${expected}.`,
        );
      }
      return;
    case 'invalid_value': {
      const choices = zi.values.map((v) => String(v));
      const near = typeof value === 'string' ? closestMatches(value, choices, 1)[0] : undefined;
      issues.add(
        ConfigErrorCode.Choice,
        segs,
        value,
        `${formatValue(value)} is not one of ${choices.join(', ')}`,
        near ? `Did you mean ${near}?` : `Use one of: ${choices.join(', ')}.`,
      );
      return;
    }
    default:
      issues.add(
        ConfigErrorCode.Type,
        segs,
        value,
        `${formatValue(value)} is invalid (${zi.message}); expected ${expected}`,
        `Set it to ${expected}.`,
      );
  }
}

/** Walks the schema along a YAML path, unwrapping optional/default/nullable layers. */
function schemaAt(segments: readonly PathSegment[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = experimentConfigSchema;
  for (const seg of segments) {
    s = unwrapAll(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return undefined;
    if (s === undefined) return undefined;
  }
  return s;
}

function unwrapOnce(s: z.ZodType): z.ZodType | undefined {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
    return s.unwrap() as z.ZodType;
  return undefined;
}

function unwrapAll(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let next = unwrapOnce(cur); next; next = unwrapOnce(cur)) cur = next;
  return cur;
}

/** The "expected ..." phrase of the field at a path (its first `.describe()` text going inwards). */
function describeAt(segments: readonly PathSegment[]): string | undefined {
  let s = schemaAt(segments);
  while (s) {
    if (s.description) return s.description;
    s = unwrapOnce(s);
  }
  return undefined;
}

function allowedKeysAt(segments: readonly PathSegment[]): string[] {
  const s = schemaAt(segments);
  const inner = s ? unwrapAll(s) : undefined;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

// --- cross-field rules -----------------------------------------------------------------------------------

/** Values the resolution step needs that the cross-field pass computes anyway. */
interface Derived {
  readonly needsBootstrap: boolean;
}

const UNSUPPORTED_ACQ = new Set([
  'mesmo',
  'mesmoc',
  'usemo',
  'ehvic',
  'eic',
  'mcparego',
  'mcehvi',
  'parego_c',
]);

function crossFieldChecks(
  issues: Issues,
  root: Record<string, unknown>,
  options: LoadConfigOptions,
): Derived {
  const common = asRecord(root.common_args);
  const pipeline = asRecord(root.pipeline_args);
  const optim = asRecord(root.optimisation_args);
  const virny = asRecord(root.virny_args);
  const customDatasets = asRecord(root.custom_datasets);

  // --- common_args: name, runs
  if (common) {
    const name = common.exp_config_name;
    if (typeof name === 'string' && name.length > 0 && /[/\\\p{Cc}]/u.test(name)) {
      issues.add(
        ConfigErrorCode.Name,
        ['common_args', 'exp_config_name'],
        name,
        `${formatValue(name)} contains a path separator or control character`,
        'Use letters, digits, _, - and . only (the name also names files and store records).',
      );
    }
    const hasNum = common.num_runs !== undefined;
    const hasList = common.run_nums !== undefined;
    if (hasNum && hasList) {
      issues.add(
        ConfigErrorCode.RunsBoth,
        ['common_args', 'run_nums'],
        common.run_nums,
        `both num_runs (${formatValue(common.num_runs)}) and run_nums (${formatValue(common.run_nums)}) are set`,
        'Keep exactly one of them.',
      );
    } else if (!hasNum && !hasList) {
      issues.add(
        ConfigErrorCode.RunsNone,
        ['common_args'],
        undefined,
        'neither num_runs nor run_nums is set',
        'Add num_runs: 1 or run_nums: [1] to common_args.',
      );
    }
    const runNums = parsedField(commonArgsSchema.shape.run_nums, common.run_nums);
    if (runNums) {
      const seen = new Set<number>();
      runNums.forEach((r, i) => {
        if (seen.has(r)) {
          issues.add(
            ConfigErrorCode.RunsDuplicate,
            ['common_args', 'run_nums', i],
            r,
            `run number ${r} is listed twice`,
            'List each run number once.',
          );
        }
        seen.add(r);
      });
    }
  }

  // --- virny_args.sensitive_attributes_dct: keys, intersections
  const dct = virny ? asRecord(virny.sensitive_attributes_dct) : undefined;
  const dctPath = ['virny_args', 'sensitive_attributes_dct'];
  /** Normalised key → raw key, for every well-formed key. */
  const groupKeys = new Map<string, string>();
  if (dct) {
    for (const rawKey of Object.keys(dct)) {
      const key = normalizeGroupKey(rawKey);
      const parts = key.split('&');
      if (parts.some((p) => p === '')) {
        issues.add(
          ConfigErrorCode.GroupKey,
          [...dctPath, rawKey],
          rawKey,
          `key ${formatValue(rawKey)} has an empty attribute name`,
          "Use an attribute name, or 'A&B' for the intersection of attributes A and B.",
        );
        continue;
      }
      if (key.toLowerCase() === 'overall') {
        issues.add(
          ConfigErrorCode.GroupKey,
          [...dctPath, rawKey],
          rawKey,
          `key ${formatValue(rawKey)} clashes with the reserved group 'overall'`,
          'Rename the attribute.',
        );
        continue;
      }
      const prior = groupKeys.get(key);
      if (prior !== undefined) {
        issues.add(
          ConfigErrorCode.DuplicateGroup,
          [...dctPath, rawKey],
          rawKey,
          `key ${formatValue(rawKey)} is the same group as ${formatValue(prior)} once spaces are trimmed`,
          'Keep only one of them.',
        );
        continue;
      }
      groupKeys.set(key, rawKey);
      if (parts.length === 1 && dct[rawKey] === null) {
        issues.add(
          ConfigErrorCode.Type,
          [...dctPath, rawKey],
          null,
          `attribute ${formatValue(rawKey)} has no disadvantaged value (null)`,
          `Give its disadvantaged value(s), e.g. ${rawKey}: 'female' or ${rawKey}: ['2', '3'].`,
        );
      }
    }
    const singles = new Set([...groupKeys.keys()].filter((k) => !k.includes('&')));
    for (const [key, rawKey] of groupKeys) {
      const parts = key.split('&');
      if (parts.length === 1) continue;
      const missing = parts.filter((p) => !singles.has(p));
      const repeated = parts.filter((p, i) => parts.indexOf(p) !== i);
      if (missing.length > 0 || repeated.length > 0) {
        const problem =
          missing.length > 0
            ? `intersection ${formatValue(rawKey)} uses ${missing.map((m) => formatValue(m)).join(', ')}, which ${missing.length === 1 ? 'is not a key' : 'are not keys'} of the dict (keys: ${[...singles].join(', ') || 'none'})`
            : `intersection ${formatValue(rawKey)} repeats ${formatValue(repeated[0])}`;
        issues.add(
          ConfigErrorCode.IntersectionParts,
          [...dctPath, rawKey],
          rawKey,
          problem,
          'Every part of an intersection must also be listed on its own with its disadvantaged value(s).',
        );
      }
    }
  }
  const keysList = [...groupKeys.keys()].join(', ') || 'none';

  // --- objectives
  const objectives = optim && Array.isArray(optim.objectives) ? optim.objectives : undefined;
  let needsBootstrap = false;
  let bootstrapReason: string | undefined;
  if (objectives) {
    const names = new Map<string, number>();
    const weights: number[] = [];
    let weightsOk = true;
    objectives.forEach((o, i) => {
      const base: PathSegment[] = ['optimisation_args', 'objectives', i];
      const obj = asRecord(o);
      if (!obj) {
        weightsOk = false;
        return;
      }
      // unique names
      if (typeof obj.name === 'string' && obj.name !== '') {
        const first = names.get(obj.name);
        if (first !== undefined) {
          issues.add(
            ConfigErrorCode.DuplicateObjective,
            [...base, 'name'],
            obj.name,
            `objective name ${formatValue(obj.name)} is already used by objectives[${first}]`,
            'Give every objective a unique name (e.g. objective_1, objective_2).',
          );
        } else names.set(obj.name, i);
      }
      // weight
      const w = parsedField(objectiveSchema.shape.weight, obj.weight);
      if (w === undefined) weightsOk = false;
      else weights.push(w);
      // metric
      let info: MetricInfo | undefined;
      if (typeof obj.metric === 'string' && obj.metric.trim() !== '') {
        const metric = obj.metric.trim();
        info = metricInfo(metric);
        if (!info) {
          const near = closestMatches(metric, METRIC_CATALOG.keys(), 3);
          issues.add(
            ConfigErrorCode.UnknownMetric,
            [...base, 'metric'],
            obj.metric,
            `unknown metric ${formatValue(obj.metric)}` +
              (near.length > 0 ? `; close matches: ${near.join(', ')}` : ''),
            near.length > 0
              ? `Use the exact (case-sensitive) name, e.g. ${near[0]}.`
              : `Use a Virny metric name: ${[...METRIC_CATALOG.keys()].join(', ')}.`,
          );
        } else if (info.loss === null) {
          issues.add(
            ConfigErrorCode.MetricNotObjective,
            [...base, 'metric'],
            obj.metric,
            `metric ${formatValue(metric)} (${info.description}) cannot be optimised`,
            'Choose a performance, stability or fairness metric such as F1 or Equalized_Odds_TPR.',
          );
        } else if (info.needsBootstrap) {
          needsBootstrap = true;
          bootstrapReason ??= `objectives[${i}] uses ${metric}, which needs the bootstrap ensemble`;
        }
      }
      // group
      if (typeof obj.group === 'string' && obj.group.trim() !== '' && dct) {
        const group = normalizeGroupKey(obj.group);
        const groupPath = [...base, 'group'];
        if (group === 'overall') {
          if (info && info.scope === 'disparity') {
            const baseMetric = info.composedFrom?.base;
            issues.add(
              ConfigErrorCode.MetricGroupMismatch,
              groupPath,
              obj.group,
              `metric ${formatValue(info.name)} is a disparity metric (${info.description}) and cannot have group 'overall'`,
              `Set group to a key of virny_args.sensitive_attributes_dct (keys: ${keysList})` +
                (baseMetric ? `, or use the overall metric ${baseMetric} with group 'overall'.` : '.'),
            );
          }
        } else if (groupKeys.has(group)) {
          if (info && info.scope === 'overall') {
            const composed = DISPARITY_METRICS.filter((d) => d.composedFrom?.base === info?.name).map(
              (d) => d.name,
            );
            issues.add(
              ConfigErrorCode.MetricGroupMismatch,
              groupPath,
              obj.group,
              `metric ${formatValue(info.name)} is an overall metric and cannot have group ${formatValue(obj.group)}`,
              `Set group to 'overall'` +
                (composed.length > 0
                  ? `, or compare groups with ${composed.join(' / ')} on ${formatValue(group)}.`
                  : `, or use a disparity metric such as Equalized_Odds_TPR on ${formatValue(group)}.`),
            );
          }
        } else {
          const near = closestMatches(group, ['overall', ...groupKeys.keys()], 1)[0];
          issues.add(
            ConfigErrorCode.UnknownGroup,
            groupPath,
            obj.group,
            `${formatValue(obj.group)} is not a key of virny_args.sensitive_attributes_dct (keys: ${keysList})`,
            near
              ? `Did you mean ${formatValue(near)}? Otherwise add it there or use one of those keys.`
              : "Add it there or use one of those keys (or 'overall' for an overall metric).",
          );
        }
      }
      // constraints
      if (Array.isArray(obj.constraint)) {
        obj.constraint.forEach((c, j) => {
          if (typeof c !== 'string') return;
          const cPath = [...base, 'constraint', j];
          const parsed = parseConstraint(c);
          if (!parsed) {
            issues.add(
              ConfigErrorCode.ConstraintFormat,
              cPath,
              c,
              `constraint ${formatValue(c)} is not of the form '<op> <threshold>' with op >= or <=`,
              "Write it like '>= 0.8' or '<= 0.1'.",
            );
          } else if (info && info.constraintOn === 'abs' && parsed.threshold < 0) {
            issues.add(
              ConfigErrorCode.ConstraintRange,
              cPath,
              c,
              `constraint ${formatValue(c)} compares |${info.name}| (a magnitude, never negative) with a negative threshold`,
              `Use a non-negative threshold, e.g. '<= ${Math.abs(parsed.threshold)}'.`,
            );
          }
        });
      }
    });
    if (weightsOk && weights.length === objectives.length && weights.length > 0) {
      const sum = weights.reduce((a, b) => a + b, 0);
      // [0.99, 1.0] as VirnyFlow (so 3 × 0.33 passes); 1e-9 absorbs float rounding of sums like 0.1+0.2+0.7.
      if (sum < 0.99 - 1e-9 || sum > 1 + 1e-9) {
        const defaulted = objectives.filter((o) => asRecord(o)?.weight === undefined).length;
        issues.add(
          ConfigErrorCode.Weights,
          ['optimisation_args', 'objectives'],
          weights,
          `objective weights ${formatValue(weights)} sum to ${round6(sum)}, not 1` +
            (defaulted > 0 ? ` (${defaulted} weight${defaulted === 1 ? '' : 's'} defaulted to 0.5)` : ''),
          'Set every objective weight so that they sum to 1 (between 0.99 and 1.0).',
        );
      }
    }
  }

  // --- bootstrap fields (SPEC §1.3 step 3)
  if (virny && needsBootstrap) {
    const missing: [string, string][] = [];
    if (virny.bootstrap_fraction === undefined)
      missing.push(['bootstrap_fraction', '0.8 (a number in (0, 1])']);
    if (virny.n_estimators === undefined) missing.push(['n_estimators', '50 (an integer ≥ 2)']);
    for (const [field, example] of missing) {
      issues.add(
        ConfigErrorCode.BootstrapFields,
        ['virny_args', field],
        undefined,
        `${field} is required because ${bootstrapReason}`,
        `Add ${field}: ${example} to virny_args.`,
      );
    }
  }

  // --- optimisation_args: workers, candidates, queue, fractions, ref_point, optimizer
  if (optim) {
    const shape = optimisationArgsSchema.shape;
    const workers = parsedField(shape.num_workers, optim.num_workers);
    const candidates = parsedField(shape.num_pp_candidates, optim.num_pp_candidates);
    if (workers !== undefined && candidates !== undefined && candidates > workers) {
      const defaulted = optim.num_pp_candidates === undefined;
      issues.add(
        ConfigErrorCode.CandidatesGtWorkers,
        ['optimisation_args', 'num_pp_candidates'],
        candidates,
        `num_pp_candidates ${candidates}${defaulted ? ' (the default, as it is not set)' : ''} exceeds num_workers ${workers}`,
        `Set num_pp_candidates to at most ${workers}, or raise num_workers to at least ${candidates}.`,
      );
    }
    const queue = parsedField(shape.queue_size, optim.queue_size);
    if (workers !== undefined && queue !== undefined && queue < workers) {
      issues.add(
        ConfigErrorCode.QueueSize,
        ['optimisation_args', 'queue_size'],
        queue,
        `queue_size ${queue} is smaller than num_workers ${workers}, so workers would sit idle`,
        `Set queue_size to at least ${workers}, or remove it (default 3 × num_workers = ${3 * workers}).`,
      );
    }
    const fractions = parsedField(
      shape.training_set_fractions_for_halting,
      optim.training_set_fractions_for_halting,
    );
    if (fractions) checkFractions(issues, fractions);
    const refPoint = parsedField(shape.ref_point, optim.ref_point);
    if (refPoint && objectives && refPoint.length !== objectives.length) {
      issues.add(
        ConfigErrorCode.RefPoint,
        ['optimisation_args', 'ref_point'],
        refPoint,
        `ref_point ${formatValue(refPoint)} has ${refPoint.length} entr${refPoint.length === 1 ? 'y' : 'ies'} but there are ${objectives.length} objectives`,
        `Give one value per objective (${objectives.length}), in weighted-loss space, or remove ref_point.`,
      );
    }
    const optimizer = asRecord(optim.optimizer);
    const acq = optimizer?.acq_type;
    if (typeof acq === 'string') {
      const acqPath = ['optimisation_args', 'optimizer', 'acq_type'];
      if (!(ACQ_TYPES as readonly string[]).includes(acq)) {
        if (UNSUPPORTED_ACQ.has(acq.toLowerCase())) {
          issues.add(
            ConfigErrorCode.UnsupportedOptimizer,
            acqPath,
            acq,
            `acquisition ${formatValue(acq)} is not supported`,
            'Use ehvi or parego (or auto) for several objectives, ei for one.',
          );
        } else {
          const near = closestMatches(acq, ACQ_TYPES, 1)[0];
          issues.add(
            ConfigErrorCode.Choice,
            acqPath,
            acq,
            `${formatValue(acq)} is not one of ${ACQ_TYPES.join(', ')}`,
            near ? `Did you mean ${near}?` : `Use one of: ${ACQ_TYPES.join(', ')}.`,
          );
        }
      } else if (objectives && objectives.length > 0) {
        const n = objectives.length;
        if (acq === 'ei' && n > 1) {
          issues.add(
            ConfigErrorCode.AcqObjectives,
            acqPath,
            acq,
            `acquisition 'ei' optimises a single objective but there are ${n}`,
            'Use ehvi, parego or auto.',
          );
        } else if ((acq === 'ehvi' || acq === 'parego') && n === 1) {
          issues.add(
            ConfigErrorCode.AcqObjectives,
            acqPath,
            acq,
            `acquisition ${formatValue(acq)} needs at least two objectives but there is 1`,
            'Use ei or auto.',
          );
        }
      }
    }
  }

  // --- pipeline_args: components, intervention attributes, dataset
  if (pipeline) {
    const stageLists: [string, Stage][] = [
      ['null_imputers', Stage.NullImputation],
      ['fairness_interventions', Stage.FairnessIntervention],
      ['models', Stage.Model],
    ];
    for (const [field, stage] of stageLists) {
      const list = pipeline[field];
      if (!Array.isArray(list)) continue;
      const known = knownNames(stage, options.registry);
      const seen = new Set<string>();
      list.forEach((name, i) => {
        if (typeof name !== 'string' || name === '') return;
        const p: PathSegment[] = ['pipeline_args', field, i];
        if (seen.has(name)) {
          issues.add(
            ConfigErrorCode.DuplicateComponent,
            p,
            name,
            `${formatValue(name)} is listed twice`,
            'List each component once.',
          );
          return;
        }
        seen.add(name);
        if (!known.includes(name)) {
          const otherStage = stageLists.find(
            ([, s]) => s !== stage && knownNames(s, options.registry).includes(name),
          );
          const near = closestMatches(name, known, 1)[0];
          const source = options.registry ? 'registered' : 'known';
          issues.add(
            ConfigErrorCode.UnknownComponent,
            p,
            name,
            `unknown ${stage.replace('_', ' ')} ${formatValue(name)} (${source}: ${known.join(', ') || 'none'})`,
            otherStage
              ? `${formatValue(name)} belongs in pipeline_args.${otherStage[0]}.`
              : near
                ? `Did you mean ${near}?`
                : 'Use one of the names listed.',
          );
        }
      });
    }
    const fis = pipeline.fairness_interventions;
    const hasIntervention =
      Array.isArray(fis) && fis.some((f) => typeof f === 'string' && f !== NO_FAIRNESS_INTERVENTION);
    const attrs = pipeline.sensitive_attrs_for_intervention;
    if (hasIntervention && Array.isArray(attrs) && dct) {
      if (attrs.length === 0) {
        issues.add(
          ConfigErrorCode.InterventionAttrs,
          ['pipeline_args', 'sensitive_attrs_for_intervention'],
          attrs,
          `the list ${formatValue(attrs)} is empty but fairness interventions are configured (${fis.filter((f) => f !== NO_FAIRNESS_INTERVENTION).join(', ')})`,
          `Name the attribute(s) the intervention protects, from virny_args.sensitive_attributes_dct (keys: ${keysList}).`,
        );
      }
      attrs.forEach((a, i) => {
        if (typeof a !== 'string' || a === '') return;
        if (!groupKeys.has(normalizeGroupKey(a))) {
          issues.add(
            ConfigErrorCode.InterventionAttrs,
            ['pipeline_args', 'sensitive_attrs_for_intervention', i],
            a,
            `${formatValue(a)} is not a key of virny_args.sensitive_attributes_dct (keys: ${keysList})`,
            'Add it there or use one of those keys.',
          );
        }
      });
    }
    const dataset = pipeline.dataset;
    const builtIn = options.datasets ?? KNOWN_DATASETS;
    const custom = customDatasets ? Object.keys(customDatasets) : [];
    if (
      typeof dataset === 'string' &&
      dataset !== '' &&
      !builtIn.includes(dataset) &&
      !custom.includes(dataset)
    ) {
      const near = closestMatches(dataset, [...builtIn, ...custom], 1)[0];
      issues.add(
        ConfigErrorCode.UnknownDataset,
        ['pipeline_args', 'dataset'],
        dataset,
        `unknown dataset ${formatValue(dataset)} (built-in: ${builtIn.join(', ')}${custom.length ? `; custom: ${custom.join(', ')}` : ''})`,
        near
          ? `Did you mean ${near}? Or describe your CSV under custom_datasets.${dataset}.`
          : `Use a built-in dataset or describe your CSV under custom_datasets.${dataset}.`,
      );
    }
  }

  // --- custom_datasets
  if (customDatasets) {
    const builtIn = options.datasets ?? KNOWN_DATASETS;
    for (const [name, spec] of Object.entries(customDatasets)) {
      const base: PathSegment[] = ['custom_datasets', name];
      if (builtIn.includes(name)) {
        issues.add(
          ConfigErrorCode.DatasetNameClash,
          base,
          name,
          `custom dataset ${formatValue(name)} has the name of a built-in dataset`,
          'Give it another name (and use that name in pipeline_args.dataset).',
        );
      }
      const s = asRecord(spec);
      if (!s) continue;
      const num = stringList(s.numerical_columns);
      const cat = stringList(s.categorical_columns);
      const drop = stringList(s.drop_columns) ?? [];
      if (!num || !cat) continue;
      if (num.length + cat.length === 0) {
        issues.add(
          ConfigErrorCode.DatasetColumns,
          [...base, 'numerical_columns'],
          num,
          'the dataset declares no feature columns',
          'List the feature columns in numerical_columns and/or categorical_columns.',
        );
      }
      const both = num.filter((c) => cat.includes(c));
      for (const c of both) {
        issues.add(
          ConfigErrorCode.DatasetColumns,
          [...base, 'categorical_columns', cat.indexOf(c)],
          c,
          `column ${formatValue(c)} is declared both numerical and categorical`,
          'Keep it in one of the two lists.',
        );
      }
      const target = s.target;
      if (typeof target === 'string') {
        const where = num.includes(target)
          ? 'numerical_columns'
          : cat.includes(target)
            ? 'categorical_columns'
            : null;
        if (where) {
          issues.add(
            ConfigErrorCode.DatasetColumns,
            [...base, where, (where === 'numerical_columns' ? num : cat).indexOf(target)],
            target,
            `the target column ${formatValue(target)} is also listed as a feature`,
            `Remove it from ${where}.`,
          );
        }
      }
      for (const c of drop) {
        if (num.includes(c) || cat.includes(c) || c === target) {
          issues.add(
            ConfigErrorCode.DatasetColumns,
            [...base, 'drop_columns', drop.indexOf(c)],
            c,
            `column ${formatValue(c)} is both dropped and used`,
            'Remove it from drop_columns or from the feature/target fields.',
          );
        }
      }
    }
  }

  return { needsBootstrap };
}

function checkFractions(issues: Issues, fractions: readonly number[]): void {
  const base = ['optimisation_args', 'training_set_fractions_for_halting'];
  const fix = 'Use a strictly increasing list of fractions in (0, 1] ending with 1.0, e.g. [0.5, 0.75, 1.0].';
  fractions.forEach((f, i) => {
    if (!(f > 0 && f <= 1)) {
      issues.add(ConfigErrorCode.Fractions, [...base, i], f, `fraction ${f} is outside (0, 1]`, fix);
    } else if (i > 0 && !(f > fractions[i - 1])) {
      issues.add(
        ConfigErrorCode.Fractions,
        [...base, i],
        f,
        `fraction ${f} does not increase on the previous one (${fractions[i - 1]})`,
        fix,
      );
    }
  });
  const last = fractions[fractions.length - 1];
  if (last !== 1 && last > 0 && last <= 1) {
    issues.add(
      ConfigErrorCode.Fractions,
      base,
      fractions,
      `the last fraction of ${formatValue(fractions)} is ${last}, so no pipeline would ever train on the full training set`,
      fix,
    );
  }
}

function knownNames(stage: Stage, registry: ComponentRegistry | undefined): string[] {
  if (!registry) return [...KNOWN_COMPONENTS[stage]];
  const pseudo =
    stage === Stage.NullImputation
      ? [NO_IMPUTATION]
      : stage === Stage.FairnessIntervention
        ? [NO_FAIRNESS_INTERVENTION]
        : [];
  return [...new Set([...registry.names(stage), ...pseudo])];
}

// --- resolution ------------------------------------------------------------------------------------------

function resolve(
  p: ParsedExperimentConfig,
  raw: Record<string, unknown>,
  derived: Derived,
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

// --- small helpers ---------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** The value of one field through its own schema (defaults applied), or undefined if it does not parse. */
function parsedField<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

function getAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur = root;
  for (const s of segments) {
    if (Array.isArray(cur) && typeof s === 'number') cur = cur[s];
    else if (isRecord(cur)) cur = Object.prototype.hasOwnProperty.call(cur, s) ? cur[String(s)] : undefined;
    else return undefined;
  }
  return cur;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A deep copy made of JSON data only (dates become ISO strings), safe to persist and to post to threads. */
function toPlainData(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toPlainData);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlainData(x);
    return out;
  }
  return v;
}
