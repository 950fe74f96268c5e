/**
 * The search-space DSL: the hyper-parameters a pipeline component exposes to the optimizer.
 *
 * Semantics follow ConfigSpace <= 0.6 (what VirnyFlow's OpenBox pin uses), see SPEC §2.1:
 * - `int(lower, upper, {q})`: inclusive bounds; with `q`, `(upper - lower) % q === 0` and values lie on
 *   `lower + k*q`. Default `round((lower+upper)/2)` (geometric mean when `log`; ties to even, as NumPy),
 *   *not* snapped to the q grid.
 * - `float(lower, upper, {q, log})`: default `(lower+upper)/2` (geometric mean when `log`).
 * - `categorical(choices)`: default = first choice unless given. `null` stands for VirnyFlow's `"None"`.
 * - `constant(value)`.
 */
import { VirnyFlowError } from './errors';
import type { Rng } from './rng';

export type ParamValue = string | number | boolean | null;

export const ParamType = {
  Int: 'int',
  Float: 'float',
  Categorical: 'categorical',
  Constant: 'constant',
} as const;
export type ParamType = (typeof ParamType)[keyof typeof ParamType];

export interface IntParam {
  readonly type: 'int';
  readonly name: string;
  readonly lower: number;
  readonly upper: number;
  readonly q?: number;
  readonly log: boolean;
  readonly default: number;
}
export interface FloatParam {
  readonly type: 'float';
  readonly name: string;
  readonly lower: number;
  readonly upper: number;
  readonly q?: number;
  readonly log: boolean;
  readonly default: number;
}
export interface CategoricalParam {
  readonly type: 'categorical';
  readonly name: string;
  readonly choices: readonly ParamValue[];
  readonly default: ParamValue;
}
export interface ConstantParam {
  readonly type: 'constant';
  readonly name: string;
  readonly value: ParamValue;
  readonly default: ParamValue;
}
export type HyperParameter = IntParam | FloatParam | CategoricalParam | ConstantParam;

/** An ordered list of uniquely named hyper-parameters. */
export interface SearchSpace {
  readonly params: readonly HyperParameter[];
}

/** A concrete assignment of every hyper-parameter of a space (flat, possibly prefixed names). */
export type Configuration = Record<string, ParamValue>;

export const SearchSpaceErrorCode = {
  Invalid: 'VF_SPACE_INVALID',
  BadConfiguration: 'VF_SPACE_BAD_CONFIGURATION',
} as const;

function invalid(name: string, message: string): never {
  throw new VirnyFlowError(SearchSpaceErrorCode.Invalid, `hyper-parameter '${name}': ${message}`, {
    details: { name },
  });
}

export interface NumericParamOptions {
  q?: number;
  log?: boolean;
  default?: number;
}

export function int(name: string, lower: number, upper: number, options: NumericParamOptions = {}): IntParam {
  if (!Number.isInteger(lower) || !Number.isInteger(upper))
    invalid(name, `bounds must be integers (${lower}, ${upper})`);
  checkNumeric(name, lower, upper, options);
  const log = options.log ?? false;
  const def = options.default ?? roundHalfEven(log ? Math.sqrt(lower * upper) : (lower + upper) / 2);
  if (!Number.isInteger(def) || def < lower || def > upper)
    invalid(name, `default ${def} outside [${lower}, ${upper}]`);
  return {
    type: 'int',
    name,
    lower,
    upper,
    ...(options.q !== undefined ? { q: options.q } : {}),
    log,
    default: def,
  };
}

/**
 * Rounds to the nearest integer, ties to even — NumPy's `np.round`, which ConfigSpace uses for integer
 * defaults (so `int(1, 4)` defaults to 2, not 3).
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function float(
  name: string,
  lower: number,
  upper: number,
  options: NumericParamOptions = {},
): FloatParam {
  checkNumeric(name, lower, upper, options);
  const log = options.log ?? false;
  const def = options.default ?? (log ? Math.sqrt(lower * upper) : (lower + upper) / 2);
  if (!(def >= lower && def <= upper)) invalid(name, `default ${def} outside [${lower}, ${upper}]`);
  return {
    type: 'float',
    name,
    lower,
    upper,
    ...(options.q !== undefined ? { q: options.q } : {}),
    log,
    default: def,
  };
}

export function categorical(
  name: string,
  choices: readonly ParamValue[],
  options: { default?: ParamValue } = {},
): CategoricalParam {
  if (choices.length === 0) invalid(name, 'a categorical needs at least one choice');
  const keys = new Set(choices.map((c) => JSON.stringify(c)));
  if (keys.size !== choices.length) invalid(name, `choices must be distinct (${JSON.stringify(choices)})`);
  const def = options.default === undefined ? (choices[0] as ParamValue) : options.default;
  if (!keys.has(JSON.stringify(def)))
    invalid(name, `default ${JSON.stringify(def)} is not one of the choices`);
  return { type: 'categorical', name, choices: [...choices], default: def };
}

export function constant(name: string, value: ParamValue): ConstantParam {
  return { type: 'constant', name, value, default: value };
}

function checkNumeric(name: string, lower: number, upper: number, o: NumericParamOptions): void {
  if (!Number.isFinite(lower) || !Number.isFinite(upper))
    invalid(name, `bounds must be finite (${lower}, ${upper})`);
  if (!(lower < upper)) invalid(name, `lower ${lower} must be below upper ${upper}`);
  if (o.log && lower <= 0) invalid(name, `log scale needs lower > 0 (got ${lower})`);
  if (o.q !== undefined) {
    if (!(o.q > 0)) invalid(name, `q must be positive (got ${o.q})`);
    const steps = (upper - lower) / o.q;
    if (Math.abs(steps - Math.round(steps)) > 1e-9)
      invalid(name, `(upper - lower) = ${upper - lower} is not a multiple of q = ${o.q}`);
  }
}

/** Builds a space, checking that names are unique. */
export function searchSpace(params: readonly HyperParameter[]): SearchSpace {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) invalid(p.name, 'duplicate name in one search space');
    seen.add(p.name);
  }
  return { params: [...params] };
}

export const emptySpace: SearchSpace = { params: [] };

/** Prefixes every name (e.g. `model__`, `mvi__`, `fi__`), as VirnyFlow does for the joint LP space. */
export function prefixSpace(space: SearchSpace, prefix: string): SearchSpace {
  return searchSpace(space.params.map((p) => ({ ...p, name: prefix + p.name })));
}

/** The union of several spaces (names must stay unique). */
export function joinSpaces(...spaces: SearchSpace[]): SearchSpace {
  return searchSpace(spaces.flatMap((s) => s.params));
}

export function defaultConfiguration(space: SearchSpace): Configuration {
  const c: Configuration = {};
  for (const p of space.params) c[p.name] = p.default;
  return c;
}

/** Snaps a numeric value onto the parameter's grid (q, integer) and clamps it into bounds. */
export function snapValue(p: IntParam | FloatParam, v: number): number {
  let x = Math.min(p.upper, Math.max(p.lower, v));
  if (p.q !== undefined) x = p.lower + Math.round((x - p.lower) / p.q) * p.q;
  if (p.type === 'int') x = Math.round(x);
  return Math.min(p.upper, Math.max(p.lower, x));
}

/** Draws one value of a parameter uniformly (log-uniformly for `log`). */
export function sampleParam(p: HyperParameter, rng: Rng): ParamValue {
  switch (p.type) {
    case 'constant':
      return p.value;
    case 'categorical':
      return p.choices[rng.nextInt(p.choices.length)] as ParamValue;
    case 'int':
    case 'float': {
      if (p.log) return snapValue(p, Math.exp(rng.uniform(Math.log(p.lower), Math.log(p.upper))));
      if (p.type === 'int' || p.q !== undefined) {
        const step = p.q ?? 1;
        const n = Math.round((p.upper - p.lower) / step) + 1;
        return snapValue(p, p.lower + rng.nextInt(n) * step);
      }
      return rng.uniform(p.lower, p.upper);
    }
  }
}

export function sampleConfiguration(space: SearchSpace, rng: Rng): Configuration {
  const c: Configuration = {};
  for (const p of space.params) c[p.name] = sampleParam(p, rng);
  return c;
}

/** Throws `VF_SPACE_BAD_CONFIGURATION` naming the parameter when a configuration does not fit the space. */
export function validateConfiguration(space: SearchSpace, config: Configuration): void {
  for (const p of space.params) {
    if (!(p.name in config)) {
      throw new VirnyFlowError(
        SearchSpaceErrorCode.BadConfiguration,
        `configuration is missing '${p.name}'`,
        {
          details: { name: p.name },
        },
      );
    }
    const v = config[p.name];
    const bad = (why: string): never => {
      throw new VirnyFlowError(
        SearchSpaceErrorCode.BadConfiguration,
        `'${p.name}' = ${JSON.stringify(v)}: ${why}`,
        { details: { name: p.name, value: v } },
      );
    };
    switch (p.type) {
      case 'constant':
        if (v !== p.value) bad(`must be the constant ${JSON.stringify(p.value)}`);
        break;
      case 'categorical':
        if (!p.choices.some((c) => c === v)) bad(`must be one of ${JSON.stringify(p.choices)}`);
        break;
      case 'int':
      case 'float':
        if (typeof v !== 'number' || !(v >= p.lower && v <= p.upper))
          bad(`must be a number in [${p.lower}, ${p.upper}]`);
        if (p.type === 'int' && !Number.isInteger(v)) bad('must be an integer');
        break;
    }
  }
  const known = new Set(space.params.map((p) => p.name));
  for (const k of Object.keys(config)) {
    if (!known.has(k)) {
      throw new VirnyFlowError(
        SearchSpaceErrorCode.BadConfiguration,
        `'${k}' is not a hyper-parameter of this space`,
        {
          details: { name: k },
        },
      );
    }
  }
}

/**
 * Splits a flat prefixed configuration into per-stage maps, stripping the prefix
 * (`{mvi__a: 1, model__b: 2}` → `{mvi: {a: 1}, model: {b: 2}}`); names without a known prefix are kept under ''.
 */
export function splitByPrefix(
  config: Configuration,
  prefixes: readonly string[],
): Record<string, Configuration> {
  const out: Record<string, Configuration> = {};
  for (const p of prefixes) out[p] = {};
  out[''] = {};
  for (const [k, v] of Object.entries(config)) {
    const p = prefixes.find((x) => k.startsWith(x));
    const target = out[p ?? ''] as Configuration;
    target[p ? k.slice(p.length) : k] = v;
  }
  return out;
}
