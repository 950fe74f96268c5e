/**
 * Reading hyper-parameters: the wire form is scikit-learn's snake_case names (as VirnyFlow's search spaces
 * and YAML use them); each model resolves them once, at construction, into camelCase options with every
 * default filled, and fails there with `VF_MODEL_BAD_PARAM` naming the parameter, the value and the range.
 */
import { ModelErrorCode, modelError } from './errors';

export type RawParams = Readonly<Record<string, unknown>>;

export class ParamReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly kind: string,
    private readonly params: RawParams,
  ) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      modelError(ModelErrorCode.BadParam, `${kind}: hyper-parameters must be an object of name → value`, {
        kind,
      });
    }
  }

  private fail(name: string, why: string): never {
    const v = this.params[name];
    return modelError(
      ModelErrorCode.BadParam,
      `${this.kind}: hyper-parameter ${name} = ${JSON.stringify(v)} ${why}`,
      { kind: this.kind, name, value: v },
    );
  }

  private get(name: string): unknown {
    this.used.add(name);
    return this.params[name];
  }

  /** An integer in [min, max]; `null` is accepted only when `nullValue` is given (e.g. max_depth None). */
  int(name: string, def: number, min: number, max = Infinity, nullValue?: number): number {
    const v = this.get(name);
    if (v === undefined) return def;
    if (v === null || v === 'None') {
      if (nullValue !== undefined) return nullValue;
      this.fail(name, `is not allowed; use an integer in [${min}, ${max}]`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(name, `must be an integer in [${min}, ${max === Infinity ? '∞' : max}]`);
    }
    return v as number;
  }

  /** A finite number in [min, max] (exclusive lower bound when `minExclusive`). */
  num(name: string, def: number, min: number, max = Infinity, minExclusive = false): number {
    const v = this.get(name);
    if (v === undefined) return def;
    const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
    if (!ok) {
      this.fail(
        name,
        `must be a number in ${minExclusive ? '(' : '['}${min}, ${max === Infinity ? '∞' : max}]`,
      );
    }
    return v as number;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.fail(name, 'must be true or false');
    return v as boolean;
  }

  /** One of the given choices (compared with ===); `null` and the string 'None' are the same choice. */
  choice<T extends string | number | null>(name: string, def: T, choices: readonly T[]): T {
    let v = this.get(name);
    if (v === undefined) return def;
    if (v === 'None') v = null;
    if (!choices.includes(v as T)) this.fail(name, `must be one of ${JSON.stringify(choices)}`);
    return v as T;
  }

  /** The raw value (for parameters with a union type, checked by the caller with `fail`). */
  raw(name: string): unknown {
    return this.get(name);
  }

  reject(name: string, why: string): never {
    return this.fail(name, why);
  }

  /** Fails on names the model does not know, listing the known ones. */
  done(): void {
    for (const k of Object.keys(this.params)) {
      if (!this.used.has(k)) {
        modelError(
          ModelErrorCode.BadParam,
          `${this.kind}: unknown hyper-parameter '${k}'; known: ${[...this.used].join(', ')}`,
          { kind: this.kind, name: k },
        );
      }
    }
  }
}
