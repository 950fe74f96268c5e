/**
 * Shared pieces of the models' JSON form: every document carries `kind` and `version`; readers check both
 * and fail with `VF_MODEL_UNKNOWN_KIND` / `VF_MODEL_VERSION` / `VF_MODEL_BAD_JSON`.
 */
import type { SerializedModel } from './classifier';
import { ModelErrorCode, modelError } from './errors';

export function checkDocument(json: unknown, kind: string, version: number): Record<string, unknown> {
  if (typeof json !== 'object' || json === null) {
    modelError(
      ModelErrorCode.BadJson,
      `model JSON must be an object, got ${json === null ? 'null' : typeof json}`,
    );
  }
  const doc = json as Partial<SerializedModel>;
  if (doc.kind !== kind) {
    modelError(ModelErrorCode.UnknownKind, `expected a model of kind '${kind}', got '${String(doc.kind)}'`, {
      kind: doc.kind,
    });
  }
  if (doc.version !== version) {
    modelError(
      ModelErrorCode.Version,
      `${kind}: model JSON has version ${String(doc.version)}; this build reads version ${version} — refit the model or load it with the matching VirnyFlow-TS version`,
      { kind, version: doc.version, supported: version },
    );
  }
  return doc as Record<string, unknown>;
}

export function jsonNumber(doc: Record<string, unknown>, field: string, kind: string): number {
  const v = doc[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    modelError(ModelErrorCode.BadJson, `${kind}: field '${field}' must be a finite number`, { kind, field });
  }
  return v as number;
}

export function jsonNumbers(
  doc: Record<string, unknown>,
  field: string,
  kind: string,
  length?: number,
): Float64Array {
  const v = doc[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    modelError(ModelErrorCode.BadJson, `${kind}: field '${field}' must be an array of finite numbers`, {
      kind,
      field,
    });
  }
  const a = v as number[];
  if (length !== undefined && a.length !== length) {
    modelError(
      ModelErrorCode.BadJson,
      `${kind}: field '${field}' has ${a.length} entries, expected ${length}`,
      {
        kind,
        field,
      },
    );
  }
  return Float64Array.from(a);
}

export function jsonArray(doc: Record<string, unknown>, field: string, kind: string): unknown[] {
  const v = doc[field];
  if (!Array.isArray(v))
    modelError(ModelErrorCode.BadJson, `${kind}: field '${field}' must be an array`, { kind, field });
  return v as unknown[];
}

export function jsonParams(doc: Record<string, unknown>, kind: string): Record<string, unknown> {
  const v = doc.params;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    modelError(ModelErrorCode.BadJson, `${kind}: field 'params' must be an object`, { kind });
  }
  return v as Record<string, unknown>;
}

export function notFitted(kind: string, what: string): never {
  return modelError(
    ModelErrorCode.NotFitted,
    `${kind}: ${what} called before fit; call fit(X, y, options) first`,
    {
      kind,
    },
  );
}
