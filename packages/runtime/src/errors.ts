import { VirnyFlowError } from '@virnyflow/core';

/** Stable error codes of the runtime package; tests and callers match on these, never on message text. */
export const RuntimeErrorCode = {
  /** `ActorRef.ask` got no reply within its timeout. Retryable: the actor may just be busy. */
  AskTimeout: 'VF_RUNTIME_ASK_TIMEOUT',
  /** The target actor is draining, stopped or failed; the message was not accepted or was dropped. */
  ActorStopped: 'VF_RUNTIME_ACTOR_STOPPED',
  /** `spawn` was given a name already used by a live sibling. */
  ActorNameTaken: 'VF_RUNTIME_ACTOR_NAME_TAKEN',
  /** The actor system was shut down. */
  SystemShutdown: 'VF_RUNTIME_SYSTEM_SHUTDOWN',
  /** An option value is out of range or inconsistent; the message names the field, the value and the fix. */
  InvalidOption: 'VF_RUNTIME_INVALID_OPTION',
  /** A message at a transport boundary failed its schema (bad JSON, wrong `version`, missing field). */
  InvalidMessage: 'VF_RUNTIME_INVALID_MESSAGE',
  /** The transport was closed before or during the call. */
  TransportClosed: 'VF_RUNTIME_TRANSPORT_CLOSED',
  /** Publishing did not get a confirmation from the server before the publish deadline. Retryable. */
  PublishFailed: 'VF_RUNTIME_PUBLISH_FAILED',
  /** Connecting to NATS or setting up streams failed. */
  ConnectFailed: 'VF_RUNTIME_CONNECT_FAILED',
  /** A blob read back from the store does not hash to the key it was stored under. */
  BlobCorrupt: 'VF_RUNTIME_BLOB_CORRUPT',
  /** The thread pool was closed; the task was rejected before or while it ran. */
  PoolClosed: 'VF_RUNTIME_POOL_CLOSED',
  /** The task's AbortSignal fired before the task finished. */
  TaskAborted: 'VF_RUNTIME_TASK_ABORTED',
  /** A thread died or the pool failed to run the task for a reason other than the task's own error. */
  ThreadFailed: 'VF_RUNTIME_THREAD_FAILED',
  /** The `nats-server` binary was not found (test harness). */
  NatsServerMissing: 'VF_RUNTIME_NATS_SERVER_MISSING',
  /** `nats-server` did not start or exited unexpectedly (test harness). */
  NatsServerFailed: 'VF_RUNTIME_NATS_SERVER_FAILED',
} as const;
export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

export function runtimeError(
  code: RuntimeErrorCode,
  message: string,
  options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
): VirnyFlowError {
  return new VirnyFlowError(code, message, options);
}

/** Throws `VF_RUNTIME_INVALID_OPTION` unless `value` is an integer within [min, max]. */
export function checkInt(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `${field}: ${String(value)} is not an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'inf' : max}]. ` +
        `Pass an integer in that range or leave it out for the default.`,
      { details: { field, value } },
    );
  }
  return value;
}

/** Throws `VF_RUNTIME_INVALID_OPTION` unless `value` is a finite number within [min, max]. */
export function checkNumber(
  field: string,
  value: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `${field}: ${String(value)} is not a finite number in [${min}, ${max}]. ` +
        `Pass a number in that range or leave it out for the default.`,
      { details: { field, value } },
    );
  }
  return value;
}
