/**
 * The `Transport` port: durable work distribution between the scheduler side (coordinator) and evaluators.
 *
 * Two implementations pass the same conformance suite (`describeTransportConformance`):
 * `InProcessTransport` (embedded runs, memory only) and `JetStreamTransport` (NATS JetStream, durable).
 *
 * Channels
 * - tasks: work queue. Each task is delivered to one consumer at a time; it is removed only by `ack` or
 *   `term`. Unsettled deliveries come back after `nak(delay)` or when the ack wait expires (a consumer died
 *   or hangs); `inProgress()` restarts the ack-wait clock for long pipelines. After `maxDeliveries`
 *   deliveries a task is not offered again; it is surfaced once on the dead-letter channel instead, so the
 *   coordinator can record a failed observation for it.
 * - observations: at-least-once to the coordinator's consumer, in publication order for each publisher as
 *   long as nothing is nak'ed. The consumer acks only after the store recorded the observation, so a crash
 *   between the two replays it; recording is idempotent by task id on the store side.
 * - control: fire-and-forget broadcast (worker hello / heartbeat, drain, stop). Not durable; a process that
 *   is down misses them, so heartbeats are periodic and drain/stop are re-sent by whoever needs them.
 * - blobs: small content-addressed store for datasets (`sha256` hex of the bytes is the key).
 *
 * Idempotency: publishing a task or an observation twice with the same `id` inside the duplicate window
 * (`duplicateWindowMs`, default 2 min) stores and delivers it once; the second publish reports
 * `duplicate: true`. Outside the window a re-publish is a new message, which is why the store records by
 * task id.
 *
 * Payloads are opaque JSON (`unknown`): the engine owns their schemas and validates them on receipt. They
 * travel inside a versioned envelope `{ version, id, payload }` that the transport validates; a message
 * that fails that check is terminated and reported as an `invalid-message` event, never handed to a
 * handler. Payloads are always serialised, even in-process, so no object identity is shared between
 * publisher and consumer.
 *
 * Threading: a transport belongs to one event loop (one thread). Methods may be called concurrently from
 * async code; handlers may be invoked concurrently up to their `concurrency`.
 */
import type { SerializedFailure } from '@virnyflow/core';

/** A unit handed to the transport: stable id (task id) and an opaque JSON payload. */
export interface TransportMessage {
  readonly id: string;
  readonly payload: unknown;
}

export interface PublishReceipt {
  readonly id: string;
  /** True when a message with this id was already published inside the duplicate window (nothing stored). */
  readonly duplicate: boolean;
}

/**
 * One delivery of a task or observation. Exactly one of `ack`, `nak`, `term` settles it; later calls are
 * no-ops. If the handler's promise settles (or it throws) while the delivery is still unsettled, the
 * transport naks it without delay.
 */
export interface Delivery {
  readonly id: string;
  readonly payload: unknown;
  /** 1 on the first delivery, incremented on every redelivery (nak or ack-wait expiry). */
  readonly deliveryCount: number;
  readonly settled: boolean;
  /**
   * Removes the message for good. Resolves `true` once the transport confirmed it; `false` if that could not
   * be confirmed (connection lost, transport closed) — the message may then be delivered again, which is
   * why consumers are idempotent by id. Never rejects.
   *
   * With `{ confirm: false }` the ack is sent without asking the server to confirm it (one message less
   * each way) and resolves once it is handed to the connection; `flush()` then tells when the server has
   * processed it. For consumers whose handling is idempotent, where a rare lost ack only repeats work.
   */
  ack(options?: { readonly confirm?: boolean }): Promise<boolean>;
  /** Asks for redelivery after `delayMs` (default 0). Counts as a delivery towards `maxDeliveries`. */
  nak(delayMs?: number): void;
  /** Drops the message without redelivery and without dead-lettering (the caller recorded the outcome). */
  term(reason?: string): void;
  /** Restarts the ack-wait clock of this delivery (heartbeat for long work). No-op once settled. */
  inProgress(): void;
}

/** A task that exhausted `maxDeliveries`. `ack` removes it; until then it may be surfaced again. */
export interface DeadLetter {
  readonly id: string;
  readonly payload: unknown;
  /** Deliveries made before giving up (= `maxDeliveries`). */
  readonly deliveries: number;
  ack(): Promise<boolean>;
}

export type DeliveryHandler<D> = (delivery: D) => void | Promise<void>;

export interface ConsumeOptions {
  /**
   * Maximum handler invocations in flight. Tasks: the evaluator's thread count (default 1). The transport
   * pulls only as many tasks as there are free slots, so no task waits in a local buffer while its
   * ack-wait clock runs. Observations: keep 1 (the default) to preserve publication order.
   */
  concurrency?: number;
}

/** A running consumer. `stop()` stops pulling, waits for in-flight handlers, and resolves. Idempotent. */
export interface Consumption {
  stop(): Promise<void>;
}

/** Worker control messages (wire format: snake_case, versioned). */
export type ControlMessage =
  | {
      version: 1;
      type: 'hello';
      worker_id: string;
      host: string;
      pid: number;
      threads: number;
      sent_at: number;
      /** Interval of the worker's heartbeats (optional), so silence can be judged per worker. */
      heartbeat_ms?: number;
    }
  | {
      version: 1;
      type: 'heartbeat';
      worker_id: string;
      in_flight: number;
      completed: number;
      failed: number;
      sent_at: number;
      /** The hello's identity, repeated (optional: absent from older workers). */
      host?: string;
      pid?: number;
      threads?: number;
      heartbeat_ms?: number;
    }
  /** Finish in-flight tasks, take no new ones, then say goodbye; `worker_id` null = every worker. */
  | { version: 1; type: 'drain'; worker_id: string | null; sent_at: number }
  /** Stop now (in-flight tasks are nak'ed back); `worker_id` null = every worker. */
  | { version: 1; type: 'stop'; worker_id: string | null; sent_at: number }
  /** A worker leaves (after drain or stop). */
  | { version: 1; type: 'goodbye'; worker_id: string; sent_at: number };

export type ControlMessageType = ControlMessage['type'];

export interface ControlSubscribeOptions {
  /** Only these types (default: all). */
  readonly types?: readonly ControlMessageType[];
}

export interface BlobInfo {
  /** Lower-case hex sha256 of the bytes; the key to `getBlob`. */
  readonly hash: string;
  readonly size: number;
}

/** Transport status events (`Transport.events()`), discriminated by `type`. */
export type TransportEvent =
  | { type: 'disconnected'; server: string }
  | { type: 'reconnecting'; server: string }
  | { type: 'reconnected'; server: string }
  | {
      type: 'invalid-message';
      channel: 'tasks' | 'observations' | 'control' | 'dead-letters';
      failure: SerializedFailure;
    }
  | {
      type: 'handler-error';
      channel: 'tasks' | 'observations' | 'dead-letters' | 'control';
      id: string;
      failure: SerializedFailure;
    }
  | { type: 'consumer-error'; channel: 'tasks' | 'observations' | 'dead-letters'; failure: SerializedFailure }
  | { type: 'closed' };

export interface Transport {
  /** `in-process` or `jetstream`; for logs. */
  readonly kind: string;

  /**
   * Publishes a task; resolves once it is stored (JetStream: acknowledged by the server). De-duplicated by
   * `id` inside the duplicate window. Throws `VF_RUNTIME_TRANSPORT_CLOSED` after `close()`,
   * `VF_RUNTIME_PUBLISH_FAILED` (retryable) if it could not be stored before the publish deadline, and
   * `VF_RUNTIME_INVALID_MESSAGE` if the payload is not JSON-serialisable or the id is empty.
   */
  publishTask(message: TransportMessage): Promise<PublishReceipt>;
  /** Starts consuming tasks; any number of consumers (one per evaluator) share the queue. */
  consumeTasks(handler: DeliveryHandler<Delivery>, options?: ConsumeOptions): Consumption;
  /** Starts consuming tasks that exhausted `maxDeliveries` (coordinator side; one consumer). */
  consumeDeadLetters(handler: DeliveryHandler<DeadLetter>): Consumption;

  /** Publishes an observation (same guarantees and errors as `publishTask`, de-duplicated by task id). */
  publishObservation(message: TransportMessage): Promise<PublishReceipt>;
  /** Starts consuming observations (coordinator side; one durable consumer). */
  consumeObservations(handler: DeliveryHandler<Delivery>, options?: ConsumeOptions): Consumption;

  /** Broadcasts a control message (validated before sending). At-most-once. */
  publishControl(message: ControlMessage): Promise<void>;
  /**
   * Receives control messages published from now on, by anyone (including this process): all types, or
   * only `options.types`. Workers listen to `drain` and `stop` only — every worker hearing every other
   * worker's heartbeat would cost O(workers²) messages.
   */
  subscribeControl(
    handler: (message: ControlMessage) => void,
    options?: ControlSubscribeOptions,
  ): Consumption;

  /** Stores bytes under their sha256; storing the same bytes again is a cheap no-op. */
  putBlob(data: Uint8Array): Promise<BlobInfo>;
  /**
   * The bytes stored under `hash`, or null if absent. The returned array is the caller's (a fresh copy).
   * Throws `VF_RUNTIME_BLOB_CORRUPT` if the stored bytes do not hash to `hash`.
   */
  getBlob(hash: string): Promise<Uint8Array | null>;
  hasBlob(hash: string): Promise<boolean>;

  /**
   * Resolves once the server has processed everything this transport sent before the call (unconfirmed
   * acks included); rejects if that cannot be established (connection lost). In-process: at once.
   */
  flush(): Promise<void>;
  /** Status events from now on; ends after `close()`. */
  events(): AsyncIterableIterator<TransportEvent>;
  /** Stops all consumers (waiting for in-flight handlers) and releases connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Delivery and retention settings shared by both implementations. Defaults are for real pipelines; tests
 * shrink the times.
 */
export interface TransportSettings {
  /** How long a delivered task may stay unsettled without `inProgress()` before redelivery. Default 30 000. */
  ackWaitMs?: number;
  /** Deliveries of a task before it is dead-lettered. Default 5. */
  maxDeliveries?: number;
  /** Window for de-duplication by id, in ms. Default 120 000. */
  duplicateWindowMs?: number;
  /** Ack wait of observation deliveries (store writes are quick, but leave room for a slow disk). Default 60 000. */
  observationAckWaitMs?: number;
}

export interface ResolvedTransportSettings {
  ackWaitMs: number;
  maxDeliveries: number;
  duplicateWindowMs: number;
  observationAckWaitMs: number;
}
