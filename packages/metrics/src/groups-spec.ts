/**
 * Reading a `sensitive_attributes_dct` given as text (`virnyflow profile --groups`): JSON or YAML, inline
 * or a file path. The document may be the dict itself, or any mapping holding it under
 * `sensitive_attributes_dct` (e.g. `virny_args`, or a whole experiment config).
 *
 * YAML is read by a small reader covering what group definitions use: block mappings and sequences by
 * indentation, flow collections (`{SEX: '2', RAC1P: ['2', '3']}`), quoted and plain scalars resolved as
 * YAML 1.2's core schema does (`2` is a number, `'2'` a string, `null`/`~`/empty are null, `None` is the
 * string "None"), and `#` comments. Anchors, tags, multi-line strings and multiple documents are not
 * supported and are reported as errors suggesting JSON.
 */
import { MetricsErrorCode, metricsError } from './errors';
import type { GroupScalar, GroupValue, SensitiveAttributesDct } from './groups';

type Yaml = null | string | number | boolean | Yaml[] | { [k: string]: Yaml };

class SpecError extends Error {}

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

// ---------------------------------------------------------------------------------------------------------
// YAML subset

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly no: number;
}

export function parseYaml(text: string): Yaml {
  const lines: Line[] = [];
  const raw = text.replace(/^\ufeff/, '').split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i];
    if (/^\s*(---|\.\.\.)\s*$/.test(l)) {
      if (lines.length > 0) throw new SpecError(`line ${i + 1}: multiple YAML documents are not supported`);
      continue;
    }
    const body = stripComment(l);
    if (body.trim() === '') continue;
    const m = /^( *)/.exec(body) as RegExpExecArray;
    if (body[m[1].length] === '\t') throw new SpecError(`line ${i + 1}: tabs cannot indent YAML`);
    lines.push({ indent: m[1].length, text: body.trim(), no: i + 1 });
  }
  if (lines.length === 0) return null;
  const p = { i: 0 };
  const v = parseBlock(lines, p, lines[0].indent);
  if (p.i < lines.length) throw new SpecError(`line ${lines[p.i].no}: unexpected indentation`);
  return v;
}

function stripComment(l: string): string {
  let q: string | null = null;
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") {
      q = c;
    } else if (c === '#' && (i === 0 || /\s/.test(l[i - 1]))) {
      return l.slice(0, i);
    }
  }
  return l;
}

function parseBlock(lines: Line[], p: { i: number }, indent: number): Yaml {
  const first = lines[p.i];
  if (first.text === '-' || first.text.startsWith('- ')) {
    const arr: Yaml[] = [];
    while (p.i < lines.length && lines[p.i].indent === indent && /^-( |$)/.test(lines[p.i].text)) {
      const l = lines[p.i];
      const rest = l.text.slice(1).trim();
      p.i++;
      if (rest === '') {
        arr.push(
          p.i < lines.length && lines[p.i].indent > indent ? parseBlock(lines, p, lines[p.i].indent) : null,
        );
      } else {
        if (splitKey(rest) !== null)
          throw new SpecError(`line ${l.no}: mappings inside sequences are not supported`);
        arr.push(parseFlowText(joinFlow(lines, p, rest), l.no));
      }
    }
    return arr;
  }
  if (splitKey(first.text) === null) {
    // A lone scalar or flow collection (possibly spanning lines).
    p.i++;
    return parseFlowText(joinFlow(lines, p, first.text), first.no);
  }
  const obj: { [k: string]: Yaml } = {};
  while (p.i < lines.length && lines[p.i].indent === indent) {
    const l = lines[p.i];
    const kv = splitKey(l.text);
    if (kv === null) throw new SpecError(`line ${l.no}: expected 'key: value'`);
    p.i++;
    let value: Yaml;
    if (kv.rest === '') {
      const next = lines[p.i];
      if (next !== undefined && next.indent > indent) value = parseBlock(lines, p, next.indent);
      else if (next !== undefined && next.indent === indent && /^-( |$)/.test(next.text)) {
        // YAML allows a sequence at the same indentation as its key.
        value = parseBlock(lines, p, indent);
      } else value = null;
    } else {
      value = parseFlowText(joinFlow(lines, p, kv.rest), l.no);
    }
    obj[kv.key] = value;
  }
  return obj;
}

/** `key: rest` outside quotes/brackets, or null when the line is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | null {
  if (text.startsWith('{') || text.startsWith('[')) return null;
  let q: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === q) q = null;
      continue;
    }
    if ((c === '"' || c === "'") && i === 0) {
      q = c;
      continue;
    }
    if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ')) {
      const rawKey = text.slice(0, i).trim();
      const key =
        rawKey.startsWith('"') || rawKey.startsWith("'") ? String(parseFlowText(rawKey, 0)) : rawKey;
      return { key, rest: text.slice(i + 1).trim() };
    }
  }
  return null;
}

/** A flow collection may continue on following (more indented) lines until its brackets balance. */
function joinFlow(lines: Line[], p: { i: number }, start: string): string {
  let s = start;
  while (depth(s) > 0 && p.i < lines.length) s += ' ' + lines[p.i++].text;
  return s;
}

function depth(s: string): number {
  let d = 0;
  let q: string | null = null;
  for (const c of s) {
    if (q) {
      if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '{' || c === '[') d++;
    else if (c === '}' || c === ']') d--;
  }
  return d;
}

function parseFlowText(s: string, lineNo: number): Yaml {
  const st = { s, i: 0, lineNo };
  const v = flowValue(st, false);
  skipWs(st);
  if (st.i < s.length) throw new SpecError(`line ${lineNo}: unexpected '${s.slice(st.i)}'`);
  return v;
}

interface FlowState {
  readonly s: string;
  i: number;
  readonly lineNo: number;
}

function skipWs(st: FlowState): void {
  while (st.i < st.s.length && /\s/.test(st.s[st.i])) st.i++;
}

function flowValue(st: FlowState, inFlow: boolean): Yaml {
  skipWs(st);
  const c = st.s[st.i];
  if (c === '[') {
    st.i++;
    const arr: Yaml[] = [];
    skipWs(st);
    if (st.s[st.i] === ']') {
      st.i++;
      return arr;
    }
    for (;;) {
      arr.push(flowValue(st, true));
      skipWs(st);
      const d = st.s[st.i++];
      if (d === ']') return arr;
      if (d !== ',') throw new SpecError(`line ${st.lineNo}: expected ',' or ']' in a list`);
      skipWs(st);
      if (st.s[st.i] === ']') {
        st.i++;
        return arr;
      }
    }
  }
  if (c === '{') {
    st.i++;
    const obj: { [k: string]: Yaml } = {};
    skipWs(st);
    if (st.s[st.i] === '}') {
      st.i++;
      return obj;
    }
    for (;;) {
      const k = flowValue(st, true);
      skipWs(st);
      if (st.s[st.i] !== ':')
        throw new SpecError(`line ${st.lineNo}: expected ':' after key ${JSON.stringify(k)}`);
      st.i++;
      obj[String(k)] = flowValue(st, true);
      skipWs(st);
      const d = st.s[st.i++];
      if (d === '}') return obj;
      if (d !== ',') throw new SpecError(`line ${st.lineNo}: expected ',' or '}' in a mapping`);
      skipWs(st);
      if (st.s[st.i] === '}') {
        st.i++;
        return obj;
      }
    }
  }
  if (c === '"' || c === "'") return quoted(st, c);
  if (c === '&' || c === '*' || c === '!' || c === '|' || c === '>') {
    throw new SpecError(`line ${st.lineNo}: anchors, tags and block scalars are not supported; use JSON`);
  }
  // Plain scalar: up to a flow indicator (in flow context) or the end; ': ' ends a key.
  const start = st.i;
  while (st.i < st.s.length) {
    const ch = st.s[st.i];
    if (inFlow && (ch === ',' || ch === ']' || ch === '}')) break;
    if (ch === ':' && (st.i + 1 === st.s.length || /[\s,\]}]/.test(st.s[st.i + 1]))) break;
    st.i++;
  }
  return plainScalar(st.s.slice(start, st.i).trim());
}

function quoted(st: FlowState, q: string): string {
  st.i++;
  let out = '';
  while (st.i < st.s.length) {
    const c = st.s[st.i];
    if (c === q) {
      if (q === "'" && st.s[st.i + 1] === "'") {
        out += "'";
        st.i += 2;
        continue;
      }
      st.i++;
      return out;
    }
    if (q === '"' && c === '\\') {
      const e = st.s[st.i + 1];
      const map: Record<string, string> = {
        n: '\n',
        t: '\t',
        '"': '"',
        '\\': '\\',
        '/': '/',
        r: '\r',
        '0': '\0',
      };
      if (e === 'u') {
        out += String.fromCharCode(parseInt(st.s.slice(st.i + 2, st.i + 6), 16));
        st.i += 6;
        continue;
      }
      if (e === undefined || !(e in map))
        throw new SpecError(`line ${st.lineNo}: unsupported escape '\\${e}'`);
      out += map[e];
      st.i += 2;
      continue;
    }
    out += c;
    st.i++;
  }
  throw new SpecError(`line ${st.lineNo}: unterminated ${q === '"' ? 'double' : 'single'}-quoted string`);
}

/** YAML 1.2 core schema resolution of a plain scalar. */
function plainScalar(s: string): Yaml {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (/^[-+]?[0-9]+$/.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}
