/**
 * Errors of the experiment config loader.
 *
 * A config is checked as a whole: `ConfigError` carries *every* problem found (`issues`), each with a stable
 * code, the YAML path it is about, the offending value, a message naming path and value, and the fix.
 * Tests and callers branch on `ConfigIssue.code`; the wording of messages may change.
 */
import { VirnyFlowError } from './errors';

export const ConfigErrorCode = {
  // error-level codes (ConfigError.code)
  Invalid: 'VF_CONFIG_INVALID',
  Yaml: 'VF_CONFIG_YAML',
  File: 'VF_CONFIG_FILE',
  // issue-level codes (ConfigIssue.code)
  Root: 'VF_CONFIG_ROOT',
  UnknownKey: 'VF_CONFIG_UNKNOWN_KEY',
  MissingField: 'VF_CONFIG_MISSING_FIELD',
  Type: 'VF_CONFIG_TYPE',
  Range: 'VF_CONFIG_RANGE',
  Choice: 'VF_CONFIG_CHOICE',
  EmptyList: 'VF_CONFIG_EMPTY_LIST',
  Name: 'VF_CONFIG_NAME',
  RunsBoth: 'VF_CONFIG_RUNS_BOTH',
  RunsNone: 'VF_CONFIG_RUNS_NONE',
  RunsDuplicate: 'VF_CONFIG_RUNS_DUPLICATE',
  Weights: 'VF_CONFIG_WEIGHTS',
  UnknownMetric: 'VF_CONFIG_UNKNOWN_METRIC',
  MetricNotObjective: 'VF_CONFIG_METRIC_NOT_OBJECTIVE',
  MetricGroupMismatch: 'VF_CONFIG_METRIC_GROUP_MISMATCH',
  UnknownGroup: 'VF_CONFIG_UNKNOWN_GROUP',
  DuplicateObjective: 'VF_CONFIG_DUPLICATE_OBJECTIVE',
  ConstraintFormat: 'VF_CONFIG_CONSTRAINT_FORMAT',
  ConstraintRange: 'VF_CONFIG_CONSTRAINT_RANGE',
  BootstrapFields: 'VF_CONFIG_BOOTSTRAP_FIELDS',
  CandidatesGtWorkers: 'VF_CONFIG_CANDIDATES_GT_WORKERS',
  QueueSize: 'VF_CONFIG_QUEUE_SIZE',
  RefPoint: 'VF_CONFIG_REF_POINT',
  Fractions: 'VF_CONFIG_FRACTIONS',
  UnsupportedOptimizer: 'VF_CONFIG_UNSUPPORTED_OPTIMIZER',
  AcqObjectives: 'VF_CONFIG_ACQ_OBJECTIVES',
  UnknownComponent: 'VF_CONFIG_UNKNOWN_COMPONENT',
  DuplicateComponent: 'VF_CONFIG_DUPLICATE_COMPONENT',
  IntersectionParts: 'VF_CONFIG_INTERSECTION_PARTS',
  GroupKey: 'VF_CONFIG_GROUP_KEY',
  DuplicateGroup: 'VF_CONFIG_DUPLICATE_GROUP',
  InterventionAttrs: 'VF_CONFIG_INTERVENTION_ATTRS',
  UnknownDataset: 'VF_CONFIG_UNKNOWN_DATASET',
  DatasetColumns: 'VF_CONFIG_DATASET_COLUMNS',
  DatasetNameClash: 'VF_CONFIG_DATASET_NAME_CLASH',
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** One segment of a YAML path: a mapping key or a sequence index. */
export type PathSegment = string | number;

export interface ConfigIssue {
  readonly code: ConfigErrorCode;
  /** YAML path, e.g. `optimisation_args.objectives[1].group`; `''` is the document root. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  /** The offending value as written (undefined when the field is missing). */
  readonly value: unknown;
  /** `<path>: <what is wrong, naming the value>. <fix>` */
  readonly message: string;
  /** What to change to make the config valid. */
  readonly fix: string;
  /** 1-based position in the YAML text of the value (or of the closest enclosing node), when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Thrown by the config loader; `issues` lists every problem found, in document order. */
export class ConfigError extends VirnyFlowError {
  readonly issues: readonly ConfigIssue[];
  readonly sourceName: string | null;

  constructor(
    code: ConfigErrorCode,
    issues: readonly ConfigIssue[],
    options: { sourceName?: string | null; cause?: unknown } = {},
  ) {
    const sourceName = options.sourceName ?? null;
    super(code, summarise(sourceName, issues), {
      retryable: false,
      details: { sourceName, issues: issues.map((i) => ({ ...i })) },
      cause: options.cause,
    });
    this.name = 'ConfigError';
    this.issues = issues;
    this.sourceName = sourceName;
  }
}

function summarise(sourceName: string | null, issues: readonly ConfigIssue[]): string {
  const where = sourceName ? ` ${sourceName}` : '';
  const n = issues.length;
  const head = `invalid experiment config${where}: ${n} problem${n === 1 ? '' : 's'}`;
  return [head, ...issues.map((i) => `  - [${i.code}] ${i.message}`)].join('\n');
}

/** A readable, numbered list of every problem, with line numbers where known. */
export function formatConfigError(err: ConfigError): string {
  const where = err.sourceName ? ` in ${err.sourceName}` : '';
  const n = err.issues.length;
  const lines = [`${n} problem${n === 1 ? '' : 's'}${where}:`];
  err.issues.forEach((issue, k) => {
    const pos = issue.line !== undefined ? ` (line ${issue.line}, column ${issue.column ?? 1})` : '';
    lines.push(`  ${k + 1}. [${issue.code}]${pos}`);
    lines.push(`     ${issue.message}`);
  });
  return lines.join('\n');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renders path segments as `a.b[1]['SEX & RAC1P']`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENT.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${quote(s)}]`;
  }
  return out;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Short, unambiguous rendering of a config value for messages: strings quoted, the rest as JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v instanceof Date) return v.toISOString();
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A JavaScript-level type name for "got …" messages. */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Date) return 'date';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
