/**
 * Boundary checks for what the transports carry. Schemas expose `parse(input): T` (throwing
 * `VF_RUNTIME_INVALID_MESSAGE`) so they can be swapped for zod schemas of the same shape.
 */
import { createHash } from 'node:crypto';
import type {
  ControlMessage,
  ResolvedTransportSettings,
  TransportMessage,
  TransportSettings,
} from './transport';
import { RuntimeErrorCode, checkInt, checkNumber, runtimeError } from './errors';

/** Version of the `{ version, id, payload }` envelope and of control messages. */
export const WIRE_VERSION = 1;

export interface WireSchema<T> {
  parse(input: unknown): T;
}

export interface Envelope {
  version: typeof WIRE_VERSION;
  id: string;
  payload: unknown;
}

function invalid(what: string, problem: string, input?: unknown): never {
  throw runtimeError(RuntimeErrorCode.InvalidMessage, `${what}: ${problem}`, {
    details: input === undefined ? {} : { input: preview(input) },
  });
}

function preview(input: unknown): string {
  let s: string | undefined;
  try {
    s = typeof input === 'string' ? input : JSON.stringify(input);
  } catch {
    s = undefined;
  }
  s ??= String(input);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkVersion(what: string, o: Record<string, unknown>): void {
  if (o.version !== WIRE_VERSION) {
    invalid(
      what,
      `version ${JSON.stringify(o.version)} is not supported (expected ${WIRE_VERSION}). ` +
        `Run the same VirnyFlow version on coordinator and workers.`,
      o,
    );
  }
}

function checkId(what: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 512) {
    invalid(what, `id ${JSON.stringify(id)} must be a non-empty string of at most 512 characters.`);
  }
  return id;
}

export const EnvelopeSchema: WireSchema<Envelope> = {
  parse(input) {
    if (!isRecord(input)) invalid('envelope', 'expected a JSON object', input);
    checkVersion('envelope', input);
    checkId('envelope', input.id);
    if (!('payload' in input)) invalid('envelope', 'field payload is missing', input);
    return { version: WIRE_VERSION, id: input.id as string, payload: input.payload };
  },
};

const nonNegInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const str = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const strOrNull = (v: unknown): boolean => v === null || str(v);
const CONTROL_FIELDS: Record<ControlMessage['type'], Record<string, (v: unknown) => boolean>> = {
  hello: {
    worker_id: str,
    host: (v) => typeof v === 'string',
    pid: nonNegInt,
    threads: nonNegInt,
    sent_at: nonNegInt,
  },
  heartbeat: {
    worker_id: str,
    in_flight: nonNegInt,
    completed: nonNegInt,
    failed: nonNegInt,
    sent_at: nonNegInt,
  },
  drain: { worker_id: strOrNull, sent_at: nonNegInt },
  stop: { worker_id: strOrNull, sent_at: nonNegInt },
  goodbye: { worker_id: str, sent_at: nonNegInt },
};

/**
 * Fields a message may carry (added after the first release of a type; checked when present). Heartbeats
 * repeat the hello's identity, so a coordinator that starts after its workers still learns who they are.
 */
const CONTROL_OPTIONAL: Partial<Record<ControlMessage['type'], Record<string, (v: unknown) => boolean>>> = {
  hello: { heartbeat_ms: nonNegInt },
  heartbeat: {
    host: (v) => typeof v === 'string',
    pid: nonNegInt,
    threads: nonNegInt,
    heartbeat_ms: nonNegInt,
  },
};

export const ControlMessageSchema: WireSchema<ControlMessage> = {
  parse(input) {
    if (!isRecord(input)) invalid('control message', 'expected a JSON object', input);
    checkVersion('control message', input);
    const type = input.type;
    if (typeof type !== 'string' || !Object.hasOwn(CONTROL_FIELDS, type)) {
      invalid(
        'control message',
        `type ${JSON.stringify(type)} is not one of ${Object.keys(CONTROL_FIELDS).join(', ')}`,
        input,
      );
    }
    const fields = CONTROL_FIELDS[type as ControlMessage['type']];
    const out: Record<string, unknown> = { version: WIRE_VERSION, type };
    for (const [field, ok] of Object.entries(fields)) {
      if (!ok(input[field]))
        invalid(`control message '${type}'`, `field ${field} = ${preview(input[field])} is invalid`, input);
      out[field] = input[field];
    }
    for (const [field, ok] of Object.entries(CONTROL_OPTIONAL[type as ControlMessage['type']] ?? {})) {
      if (input[field] === undefined) continue;
      if (!ok(input[field]))
        invalid(`control message '${type}'`, `field ${field} = ${preview(input[field])} is invalid`, input);
      out[field] = input[field];
    }
    return out as ControlMessage;
  },
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serialises a message into its envelope; rejects empty ids and payloads JSON cannot carry. */
export function encodeEnvelope(message: TransportMessage): Uint8Array {
  checkId('message', message.id);
  let text: string | undefined;
  try {
    text = JSON.stringify({ version: WIRE_VERSION, id: message.id, payload: message.payload });
  } catch (cause) {
    throw runtimeError(
      RuntimeErrorCode.InvalidMessage,
      `message ${JSON.stringify(message.id)}: payload is not JSON-serialisable (${String(cause)}). ` +
        `Send plain objects, arrays, strings, numbers, booleans and null.`,
      { cause },
    );
  }
  if (message.payload === undefined || text === undefined) {
    invalid(`message ${JSON.stringify(message.id)}`, 'payload is undefined; send null for "no payload".');
  }
  return encoder.encode(text);
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw runtimeError(RuntimeErrorCode.InvalidMessage, `envelope: not valid JSON (${String(cause)})`, {
      cause,
    });
  }
  return EnvelopeSchema.parse(parsed);
}

export function encodeControl(message: ControlMessage): Uint8Array {
  return encoder.encode(JSON.stringify(ControlMessageSchema.parse(message)));
}

export function decodeControl(bytes: Uint8Array): ControlMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw runtimeError(
      RuntimeErrorCode.InvalidMessage,
      `control message: not valid JSON (${String(cause)})`,
      { cause },
    );
  }
  return ControlMessageSchema.parse(parsed);
}

/** Lower-case hex sha256 — the key of a blob. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function checkBlobHash(hash: string): string {
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `blob hash: ${JSON.stringify(hash)} is not a lower-case hex sha256 (64 characters). Use the hash putBlob returned.`,
      { details: { field: 'hash', value: hash } },
    );
  }
  return hash;
}

export function resolveTransportSettings(s: TransportSettings = {}): ResolvedTransportSettings {
  return {
    ackWaitMs: checkNumber('ackWaitMs', s.ackWaitMs ?? 30_000, 1),
    maxDeliveries: checkInt('maxDeliveries', s.maxDeliveries ?? 5, 1),
    duplicateWindowMs: checkNumber('duplicateWindowMs', s.duplicateWindowMs ?? 120_000, 0),
    observationAckWaitMs: checkNumber('observationAckWaitMs', s.observationAckWaitMs ?? 60_000, 1),
  };
}

export function resolveConcurrency(concurrency: number | undefined): number {
  return checkInt('consume.concurrency', concurrency ?? 1, 1, 65_536);
}
