/** Helpers for `toJSON`/`fromJSON` of fitted interventions: typed arrays travel as plain number arrays. */
import type { SerializedModel } from '@virnyflow/models';
import { FairnessErrorCode, fairnessError } from './errors';

export function expectKind(s: SerializedModel, kind: string, version: number): void {
  if (s.kind !== kind || s.version !== version) {
    throw fairnessError(
      FairnessErrorCode.BadSerialized,
      `cannot load ${String(s.kind)} v${String(s.version)} as ${kind} v${version}; re-fit the pipeline with this version`,
      { kind: s.kind, version: s.version, expectedKind: kind, expectedVersion: version },
    );
  }
}

export function toArray(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

export function f64(s: SerializedModel, key: string): Float64Array {
  const v = s[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
    throw fairnessError(FairnessErrorCode.BadSerialized, `${s.kind}: field '${key}' must be a number array`, {
      kind: s.kind,
      key,
    });
  }
  return Float64Array.from(v as number[]);
}

export function num(s: SerializedModel, key: string): number {
  const v = s[key];
  if (typeof v !== 'number') {
    throw fairnessError(FairnessErrorCode.BadSerialized, `${s.kind}: field '${key}' must be a number`, {
      kind: s.kind,
      key,
    });
  }
  return v;
}
