/**
 * Collecting config issues: positions in the YAML text, zod issues turned into `ConfigIssue`s with our codes
 * and wording, and small guards shared by the config rules.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { closestMatches } from './closest-match';
import { ConfigErrorCode, describeType, formatPath, formatValue } from './config-errors';
import type { ConfigIssue, PathSegment } from './config-errors';
import { SECTION_KEYS, experimentConfigSchema } from './config-schema';

export type Locator = (segments: readonly PathSegment[]) => { line: number; column: number } | undefined;

/**
 * Maps a YAML path to the position of its value. For a path that does not exist (a missing field) it
 * points at the key of the deepest existing mapping (`optimisation_args:`), or at that node itself.
 */
export function makeLocator(doc: Document, lc: LineCounter): Locator {
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

export class Issues {
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

// --- zod issues ------------------------------------------------------------------------------------------

/** Keys VirnyFlow computes itself; writing them in `virny_args` is an error with a specific fix. */
const RUNTIME_VIRNY_KEYS: Readonly<Record<string, string>> = {
  random_state: 'it is set per run to 100 + run_num',
  computation_mode: 'it is derived from the objectives (bootstrap iff a stability metric is an objective)',
  dataset_name: 'it is taken from pipeline_args.dataset',
  postprocessing_sensitive_attribute: 'it is set by the fairness intervention stage',
  sensitive_attrs: 'the key is called sensitive_attributes_dct',
};

export function reportZodIssue(issues: Issues, zi: z.core.$ZodIssue, root: Record<string, unknown>): void {
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

// --- small helpers ---------------------------------------------------------------------------------------

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

export function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** The value of one field through its own schema (defaults applied), or undefined if it does not parse. */
export function parsedField<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

export function getAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur = root;
  for (const s of segments) {
    if (Array.isArray(cur) && typeof s === 'number') cur = cur[s];
    else if (isRecord(cur)) cur = Object.prototype.hasOwnProperty.call(cur, s) ? cur[String(s)] : undefined;
    else return undefined;
  }
  return cur;
}

export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A deep copy made of JSON data only (dates become ISO strings), safe to persist and to post to threads. */
export function toPlainData(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toPlainData);
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlainData(x);
    return out;
  }
  return v;
}
