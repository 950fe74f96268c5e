/**
 * Reading a `sensitive_attributes_dct` given as text (`virnyflow profile --groups`): JSON or YAML, inline
 * or a file path. The document may be the dict itself, or any mapping holding it under
 * `sensitive_attributes_dct` (e.g. `virny_args`, or a whole experiment config). YAML is read as version 1.1,
 * as the experiment config is (`'2'` is a string, `2` a number).
 */
import { parse as parseYamlDocument } from 'yaml';
import { MetricsErrorCode, metricsError } from './errors';
import type { GroupScalar, GroupValue, SensitiveAttributesDct } from './groups';

/** Parses group definitions from JSON or YAML text. */
export function parseGroupsText(text: string, source = 'groups'): SensitiveAttributesDct {
  let doc: unknown;
  const trimmed = text.trim();
  if (trimmed === '') {
    throw metricsError(
      MetricsErrorCode.BadGroupsSpec,
      `${source} is empty; give a sensitive_attributes_dct`,
      {
        source,
      },
    );
  }
  try {
    doc = JSON.parse(trimmed);
  } catch {
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw metricsError(
        MetricsErrorCode.BadGroupsSpec,
        `${source}: cannot read the group definitions as JSON or YAML (${(err as Error).message}). ` +
          `Example: {"sex": "female", "race": ["Black", "Asian"], "sex&race": null}`,
        { source },
        { cause: err },
      );
    }
  }
  return toDct(unwrap(doc), source);
}

function unwrap(doc: unknown): unknown {
  if (!isRecord(doc)) return doc;
  if ('sensitive_attributes_dct' in doc) return doc.sensitive_attributes_dct;
  if (isRecord(doc.virny_args) && 'sensitive_attributes_dct' in doc.virny_args) {
    return doc.virny_args.sensitive_attributes_dct;
  }
  return doc;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toDct(doc: unknown, source: string): SensitiveAttributesDct {
  if (!isRecord(doc) || Object.keys(doc).length === 0) {
    throw metricsError(
      MetricsErrorCode.BadGroupsSpec,
      `${source}: expected a non-empty mapping from attribute to disadvantaged value(s), got ${JSON.stringify(doc)}`,
      { source },
    );
  }
  const out: Record<string, GroupValue> = {};
  for (const [k, v] of Object.entries(doc)) {
    const ok = v === null || isScalar(v) || (Array.isArray(v) && v.every((x) => isScalar(x)));
    if (!ok) {
      throw metricsError(
        MetricsErrorCode.BadGroupsSpec,
        `${source}: value of '${k}' is ${JSON.stringify(v)}; give a string, a number, a list of them, or null for an intersection`,
        { source, key: k },
      );
    }
    out[k] = v as GroupValue;
  }
  return out;
}

function isScalar(v: unknown): v is GroupScalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function parseYaml(text: string): unknown {
  return parseYamlDocument(text, { version: '1.1' });
}
