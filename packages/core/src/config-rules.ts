/**
 * The config rules that involve more than one field (SPEC §1.3 and our decisions of §13): runs, weights,
 * metrics and groups, constraints, bootstrap fields, workers and queue, fractions, reference point,
 * acquisition, component and dataset names, custom datasets.
 */
import { closestMatches } from './closest-match';
import { KNOWN_COMPONENTS, KNOWN_DATASETS, NO_FAIRNESS_INTERVENTION, NO_IMPUTATION } from './components';
import type { ConstraintOp, LoadConfigOptions } from './config';
import { ConfigErrorCode, formatValue } from './config-errors';
import type { PathSegment } from './config-errors';
import { asRecord, parsedField, round6, stringList } from './config-issues';
import type { Issues } from './config-issues';
import { ACQ_TYPES, commonArgsSchema, objectiveSchema, optimisationArgsSchema } from './config-schema';
import { DISPARITY_METRICS, METRIC_CATALOG, metricInfo } from './metric-catalog';
import type { MetricInfo } from './metric-catalog';
import { Stage } from './registry';
import type { ComponentRegistry } from './registry';

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

/** Values the resolution step needs that the cross-field pass computes anyway. */
export interface DerivedValues {
  readonly needsBootstrap: boolean;
}

/** OpenBox acquisitions we do not implement: reported as "not supported" rather than as unknown names. */
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

/**
 * The rules that involve more than one field. Each looks at the fields it needs through their own
 * schemas (`parsedField`) or with type guards, so a broken part of the file does not hide problems elsewhere.
 */
export function crossFieldChecks(
  issues: Issues,
  root: Record<string, unknown>,
  options: LoadConfigOptions,
): DerivedValues {
  const common = asRecord(root.common_args);
  const pipeline = asRecord(root.pipeline_args);
  const optim = asRecord(root.optimisation_args);
  const virny = asRecord(root.virny_args);
  const customDatasets = asRecord(root.custom_datasets);
  const dct = virny ? asRecord(virny.sensitive_attributes_dct) : undefined;
  const objectives = optim && Array.isArray(optim.objectives) ? (optim.objectives as unknown[]) : undefined;

  if (common) checkCommonArgs(issues, common);
  // undefined when the dict itself is missing or broken: group checks are then skipped, not all failed
  const groupKeys = dct ? checkSensitiveAttributes(issues, dct) : undefined;
  const boot = objectives
    ? checkObjectives(issues, objectives, groupKeys)
    : { needsBootstrap: false, reason: undefined };
  if (virny && boot.needsBootstrap) checkBootstrapFields(issues, virny, boot.reason);
  if (optim) checkOptimisation(issues, optim, objectives);
  if (pipeline) checkPipeline(issues, pipeline, groupKeys, customDatasets, options);
  if (customDatasets) checkCustomDatasets(issues, customDatasets, options);
  return { needsBootstrap: boot.needsBootstrap };
}

function listKeys(groupKeys: ReadonlyMap<string, string> | undefined): string {
  return groupKeys && groupKeys.size > 0 ? [...groupKeys.keys()].join(', ') : 'none';
}

function checkCommonArgs(issues: Issues, common: Record<string, unknown>): void {
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

/** Checks the keys of the sensitive-attribute dict; returns normalised key → raw key for the well-formed ones. */
function checkSensitiveAttributes(issues: Issues, dct: Record<string, unknown>): Map<string, string> {
  const dctPath = ['virny_args', 'sensitive_attributes_dct'];
  const groupKeys = new Map<string, string>();
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
  return groupKeys;
}

/** Names, weights, metrics, groups and constraints of the objectives; says whether the bootstrap is needed. */
function checkObjectives(
  issues: Issues,
  objectives: readonly unknown[],
  groupKeys: ReadonlyMap<string, string> | undefined,
): { needsBootstrap: boolean; reason: string | undefined } {
  let needsBootstrap = false;
  let bootstrapReason: string | undefined;
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
    if (typeof obj.group === 'string' && obj.group.trim() !== '' && groupKeys) {
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
            `Set group to a key of virny_args.sensitive_attributes_dct (keys: ${listKeys(groupKeys)})` +
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
          `${formatValue(obj.group)} is not a key of virny_args.sensitive_attributes_dct (keys: ${listKeys(groupKeys)})`,
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
  return { needsBootstrap, reason: bootstrapReason };
}

function checkBootstrapFields(
  issues: Issues,
  virny: Record<string, unknown>,
  bootstrapReason: string | undefined,
): void {
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

function checkOptimisation(
  issues: Issues,
  optim: Record<string, unknown>,
  objectives: readonly unknown[] | undefined,
): void {
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

function checkPipeline(
  issues: Issues,
  pipeline: Record<string, unknown>,
  groupKeys: ReadonlyMap<string, string> | undefined,
  customDatasets: Record<string, unknown> | undefined,
  options: LoadConfigOptions,
): void {
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
  if (hasIntervention && Array.isArray(attrs) && groupKeys) {
    if (attrs.length === 0) {
      issues.add(
        ConfigErrorCode.InterventionAttrs,
        ['pipeline_args', 'sensitive_attrs_for_intervention'],
        attrs,
        `the list ${formatValue(attrs)} is empty but fairness interventions are configured (${fis.filter((f) => f !== NO_FAIRNESS_INTERVENTION).join(', ')})`,
        `Name the attribute(s) the intervention protects, from virny_args.sensitive_attributes_dct (keys: ${listKeys(groupKeys)}).`,
      );
    }
    attrs.forEach((a, i) => {
      if (typeof a !== 'string' || a === '') return;
      if (!groupKeys.has(normalizeGroupKey(a))) {
        issues.add(
          ConfigErrorCode.InterventionAttrs,
          ['pipeline_args', 'sensitive_attrs_for_intervention', i],
          a,
          `${formatValue(a)} is not a key of virny_args.sensitive_attributes_dct (keys: ${listKeys(groupKeys)})`,
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

function checkCustomDatasets(
  issues: Issues,
  customDatasets: Record<string, unknown>,
  options: LoadConfigOptions,
): void {
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
