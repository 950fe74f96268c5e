/**
 * `Transport` over NATS JetStream — the distributed deployment. Everything is named from one `prefix`
 * (one per experiment, see `jetStreamPrefix`), so experiments and tests never collide:
 *
 * | what              | name                                   | settings (why)                                      |
 * |-------------------|----------------------------------------|-----------------------------------------------------|
 * | tasks stream      | `<P>_TASKS`, subject `vf.<P>.tasks`    | work-queue retention (a task leaves on ack/term),   |
 * |                   |                                        | file storage, `duplicate_window` = dedup window     |
 * |                   |                                        | (`Nats-Msg-Id` = task id)                           |
 * | tasks consumer    | durable `evaluators` (pull, shared)    | explicit ack, `ack_wait` (in-progress heartbeats    |
 * |                   |                                        | extend it), `max_deliver` = maxDeliveries,          |
 * |                   |                                        | `max_ack_pending` = maxAckPending (size it to the   |
 * |                   |                                        | total evaluator threads; it caps tasks held at once)|
 * | dead letters      | `<P>_DEADLETTERS` capturing the        | the server's MAX_DELIVERIES advisory is stored, so  |
 * |                   | consumer's MAX_DELIVERIES advisories   | a dead letter survives a coordinator restart; the   |
 * |                   |                                        | task body is read back from `<P>_TASKS` by sequence |
 * | observations      | `<P>_OBSERVATIONS`, `vf.<P>.observations` | limits retention (kept for replay and audit),    |
 * |                   | durable consumer `coordinator`         | dedup by task id, unbounded redelivery              |
 * | control           | core NATS `vf.<P>.control.<type>`      | at-most-once broadcast                              |
 * | blobs (datasets)  | object store `<P>_BLOBS`               | chunked, keyed by sha256 hex of the content         |
 *
 * Durability: acknowledged publishes are in the server's files (file storage) and survive a server crash
 * (kill -9) — the test suite checks this. Surviving a power loss or OS crash also needs the data fsync'ed:
 * nats-server 2.10+ has `jetstream { sync_interval: <short> | always }` for that (the default syncs every
 * 2 minutes); see the deploy docs. After a server crash, acks that were in flight may be lost, so a few
 * finished tasks are delivered once more (at-least-once; recording is idempotent by task id). nats-server
 * 2.9 may also leave the bodies of tasks acked just before the crash in the tasks stream although the
 * consumer counts them as acked: they are never delivered again and go with `destroy()`.
 */
import { hashString, toFailure } from '@virnyflow/core';
import type {
  Consumer,
  ConsumerConfig,
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  StreamConfig,
} from '@nats-io/jetstream';
import type * as JetStreamLib from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import type * as ObjLib from '@nats-io/obj';
import type * as NatsNodeLib from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type {
  BlobInfo,
  ConsumeOptions,
  Consumption,
  ControlMessage,
  ControlSubscribeOptions,
  DeadLetter,
  Delivery,
  DeliveryHandler,
  PublishReceipt,
  ResolvedTransportSettings,
  Transport,
  TransportEvent,
  TransportMessage,
  TransportSettings,
} from './transport';
import type { NatsConnectionOptions, ResolvedNatsConnection } from './nats-connection';
import type { Envelope } from './wire';
import { SettleOnceDelivery, SimpleDeadLetter, runHandler } from './delivery';
import { RuntimeErrorCode, checkInt, checkNumber, runtimeError } from './errors';
import { EventHub } from './event-hub';
import { resolveNatsConnection, withAuthenticator } from './nats-connection';
import {
  checkBlobHash,
  decodeControl,
  decodeEnvelope,
  encodeControl,
  encodeEnvelope,
  resolveConcurrency,
  resolveTransportSettings,
  sha256Hex,
} from './wire';

export interface JetStreamTransportOptions extends TransportSettings {
  connection: NatsConnectionOptions;
  /** Prefix of every stream, consumer, subject and bucket name: `[A-Za-z0-9_-]{1,48}`. See `jetStreamPrefix`. */
  prefix: string;
  /** Cap on unacknowledged task deliveries across all evaluators. Default 256. */
  maxAckPending?: number;
  /** `file` (default; survives restarts) or `memory` (benchmarks only). */
  storage?: 'file' | 'memory';
  /** Stream replicas in a clustered JetStream. Default 1. */
  replicas?: number;
  /** Long-poll duration of each pull request, in ms (>= 1000). Default 5 000. */
  pullExpiresMs?: number;
  /** Observations fetched per pull (processed one at a time, in order). Default 64. */
  observationBatch?: number;
  /** How long a publish keeps retrying through a disconnect before `VF_RUNTIME_PUBLISH_FAILED`. Default 30 000. */
  publishTimeoutMs?: number;
  /** How long `ack()` waits for the server's confirmation, in ms. Default 5 000. */
  ackConfirmTimeoutMs?: number;
  /**
   * Whether `connect` brings existing streams and consumers to these settings (default true). Workers pass
   * false: they create what is missing (a worker may start before its coordinator) but never change the
   * ack wait, max deliveries or max ack pending that the coordinator configured.
   */
  updateSettings?: boolean;
}

export interface ResolvedJetStreamTransportOptions extends ResolvedTransportSettings {
  prefix: string;
  maxAckPending: number;
  storage: 'file' | 'memory';
  replicas: number;
  pullExpiresMs: number;
  observationBatch: number;
  publishTimeoutMs: number;
  ackConfirmTimeoutMs: number;
  updateSettings: boolean;
}

/** Every name derived from a prefix. */
export interface JetStreamNames {
  tasksStream: string;
  tasksSubject: string;
  tasksConsumer: string;
  observationsStream: string;
  observationsSubject: string;
  observationsConsumer: string;
  deadLettersStream: string;
  deadLettersConsumer: string;
  /** Subject of the server advisory emitted when a task exhausts max_deliver. */
  maxDeliveriesAdvisory: string;
  controlSubject: (type: ControlMessage['type']) => string;
  controlWildcard: string;
  blobBucket: string;
}

const PREFIX_RE = /^[A-Za-z0-9_-]{1,48}$/;
const DEAD_LETTER_RETRY_MS = 1_000;

export function jetStreamNames(prefix: string): JetStreamNames {
  if (!PREFIX_RE.test(prefix)) {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `prefix: ${JSON.stringify(prefix)} is not a valid name prefix. Use 1-48 characters from A-Z a-z 0-9 _ - ` +
        `(jetStreamPrefix(experimentName) builds one).`,
      { details: { field: 'prefix', value: prefix } },
    );
  }
  const tasksStream = `${prefix}_TASKS`;
  return {
    tasksStream,
    tasksSubject: `vf.${prefix}.tasks`,
    tasksConsumer: 'evaluators',
    observationsStream: `${prefix}_OBSERVATIONS`,
    observationsSubject: `vf.${prefix}.observations`,
    observationsConsumer: 'coordinator',
    deadLettersStream: `${prefix}_DEADLETTERS`,
    deadLettersConsumer: 'coordinator',
    maxDeliveriesAdvisory: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${tasksStream}.evaluators`,
    controlSubject: (type) => `vf.${prefix}.control.${type}`,
    controlWildcard: `vf.${prefix}.control.*`,
    blobBucket: `${prefix}_BLOBS`,
  };
}

/**
 * A valid prefix for an experiment name: unsafe characters become `_`, long names are cut, and a hash of
 * the full name keeps distinct names distinct (`diabetes 2024/v1` -> `VF_diabetes_2024_v1_1a2b3c4d`).
 */
export function jetStreamPrefix(experiment: string): string {
  const safe = experiment.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 30);
  return `VF_${safe}_${hashString(experiment).toString(16).padStart(8, '0')}`;
}

export function resolveJetStreamTransportOptions(
  o: JetStreamTransportOptions,
): ResolvedJetStreamTransportOptions {
  jetStreamNames(o.prefix);
  const storage = o.storage ?? 'file';
  if (storage !== 'file' && storage !== 'memory') {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `storage: ${JSON.stringify(storage)} is not 'file' or 'memory'.`,
    );
  }
  return {
    ...resolveTransportSettings(o),
    prefix: o.prefix,
    maxAckPending: checkInt('maxAckPending', o.maxAckPending ?? 256, 1),
    storage,
    replicas: checkInt('replicas', o.replicas ?? 1, 1, 5),
    pullExpiresMs: checkNumber('pullExpiresMs', o.pullExpiresMs ?? 5_000, 1_000),
    observationBatch: checkInt('observationBatch', o.observationBatch ?? 64, 1, 10_000),
    publishTimeoutMs: checkNumber('publishTimeoutMs', o.publishTimeoutMs ?? 30_000, 1),
    ackConfirmTimeoutMs: checkNumber('ackConfirmTimeoutMs', o.ackConfirmTimeoutMs ?? 5_000, 1),
    updateSettings: o.updateSettings ?? true,
  };
}

const ms2ns = (ms: number): number => Math.round(ms * 1_000_000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The NATS client libraries, loaded on first connect: programs that import this package without using
 * JetStream (embedded runs, pipeline threads) do not pay for loading them.
 */
function loadNats(): Promise<[typeof NatsNodeLib, typeof JetStreamLib, typeof ObjLib]> {
  return Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/jetstream'),
    import('@nats-io/obj'),
  ]);
}

/** JetStream API error code of `error` (duck-typed: the error classes live in the lazily loaded library). */
function apiCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof error === 'object' && error !== null && 'apiError' in error && typeof code === 'number'
    ? code
    : undefined;
}

/** JetStream API error codes this transport reacts to. */
const ApiCode = { ConsumerNotFound: 10014, NoMessageFound: 10037, StreamNotFound: 10059 } as const;

interface PullLoop {
  stopped: boolean;
  fetches: Set<ConsumerMessages>;
  done: Promise<void>;
}

export class JetStreamTransport implements Transport {
  readonly kind = 'jetstream';
  readonly options: ResolvedJetStreamTransportOptions;
  readonly names: JetStreamNames;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #conn: ResolvedNatsConnection;
  readonly #hub = new EventHub<TransportEvent>();
  readonly #loops = new Set<PullLoop>();
  readonly #subs = new Set<Subscription>();
  #blobs: ObjectStore | null = null;
  #consumers = new Map<string, Consumer>();
  #closed = false;

  readonly #objm: { create(bucket: string, opts: Record<string, unknown>): Promise<ObjectStore> };

  private constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    objm: { create(bucket: string, opts: Record<string, unknown>): Promise<ObjectStore> },
    conn: ResolvedNatsConnection,
    options: ResolvedJetStreamTransportOptions,
  ) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = js;
    this.#objm = objm;
    this.#conn = conn;
    this.options = options;
    this.names = jetStreamNames(options.prefix);
  }

  /**
   * Connects and makes sure the streams, consumers and blob bucket exist with these settings (creating or
   * updating them; every process may call this). Throws `VF_RUNTIME_CONNECT_FAILED` (retryable) when the
   * server cannot be reached or has no JetStream, `VF_RUNTIME_INVALID_OPTION` for bad options.
   */
  static async connect(options: JetStreamTransportOptions): Promise<JetStreamTransport> {
    const resolved = resolveJetStreamTransportOptions(options);
    const conn = resolveNatsConnection(options.connection);
    const [natsLib, jsLib, objLib] = await loadNats();
    let nc: NatsConnection;
    try {
      nc = await natsLib.connect(withAuthenticator(conn, natsLib));
    } catch (cause) {
      throw runtimeError(
        RuntimeErrorCode.ConnectFailed,
        `NATS: cannot connect to ${conn.servers.join(', ')} (${String(cause)}). ` +
          `Check that nats-server runs with JetStream (-js), the address, and the credentials.`,
        { retryable: true, cause, details: { servers: conn.servers } },
      );
    }
    try {
      const jsm = await jsLib.jetstreamManager(nc, { timeout: 10_000 });
      const js = jsLib.jetstream(nc, { timeout: Math.min(resolved.publishTimeoutMs, 5_000) });
      const t = new JetStreamTransport(nc, js, jsm, new objLib.Objm(nc), conn, resolved);
      await t.#setup();
      t.#watchStatus();
      return t;
    } catch (cause) {
      await nc.close().catch(() => undefined);
      if (
        cause instanceof Error &&
        'code' in cause &&
        String((cause as { code: unknown }).code).startsWith('VF_')
      ) {
        throw cause;
      }
      throw runtimeError(
        RuntimeErrorCode.ConnectFailed,
        `NATS JetStream: setting up streams for prefix ${JSON.stringify(resolved.prefix)} failed (${String(cause)}). ` +
          `Check that the server runs with JetStream enabled (-js) and the account may create streams.`,
        { retryable: true, cause },
      );
    }
  }

  async #setup(): Promise<void> {
    const n = this.names;
    const o = this.options;
    const storage = o.storage;
    await this.#ensureStream({
      name: n.tasksStream,
      subjects: [n.tasksSubject],
      retention: 'workqueue',
      storage,
      num_replicas: o.replicas,
      duplicate_window: ms2ns(o.duplicateWindowMs),
    });
    await this.#ensureStream({
      name: n.observationsStream,
      subjects: [n.observationsSubject],
      retention: 'limits',
      storage,
      num_replicas: o.replicas,
      duplicate_window: ms2ns(o.duplicateWindowMs),
    });
    await this.#ensureStream({
      name: n.deadLettersStream,
      subjects: [n.maxDeliveriesAdvisory],
      retention: 'workqueue',
      storage,
      num_replicas: o.replicas,
    });
    await this.#ensureConsumer(n.tasksStream, {
      durable_name: n.tasksConsumer,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: ms2ns(o.ackWaitMs),
      max_deliver: o.maxDeliveries,
      max_ack_pending: o.maxAckPending,
    });
    await this.#ensureConsumer(n.observationsStream, {
      durable_name: n.observationsConsumer,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: ms2ns(o.observationAckWaitMs),
      max_deliver: -1,
      max_ack_pending: Math.max(1_000, o.observationBatch * 4),
    });
    await this.#ensureConsumer(n.deadLettersStream, {
      durable_name: n.deadLettersConsumer,
      ack_policy: 'explicit',
      deliver_policy: 'all',
      ack_wait: ms2ns(o.observationAckWaitMs),
      max_deliver: -1,
    });
    for (const [stream, name] of [
      [n.tasksStream, n.tasksConsumer],
      [n.observationsStream, n.observationsConsumer],
      [n.deadLettersStream, n.deadLettersConsumer],
    ] as const) {
      this.#consumers.set(stream, await this.#js.consumers.get(stream, name));
    }
    this.#blobs = await this.#objm.create(n.blobBucket, { storage, replicas: o.replicas });
  }

  async #ensureStream(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      const info = await this.#jsm.streams.info(config.name);
      const current = info.config as unknown as Record<string, unknown>;
      const differs = Object.entries(config).some(
        ([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v),
      );
      if (differs && this.options.updateSettings)
        await this.#jsm.streams.update(config.name, { ...info.config, ...config });
    } catch (error) {
      if (apiCode(error) === ApiCode.StreamNotFound) await this.#jsm.streams.add(config);
      else throw error;
    }
  }

  async #ensureConsumer(
    stream: string,
    config: Partial<ConsumerConfig> & { durable_name: string },
  ): Promise<void> {
    const name = config.durable_name as string;
    try {
      const info = await this.#jsm.consumers.info(stream, name);
      const current = info.config as unknown as Record<string, unknown>;
      const differs = Object.entries(config).some(
        ([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v),
      );
      if (differs && this.options.updateSettings) {
        await this.#jsm.consumers.update(stream, name, {
          ack_wait: config.ack_wait,
          max_deliver: config.max_deliver,
          max_ack_pending: config.max_ack_pending,
        });
      }
    } catch (error) {
      if (apiCode(error) === ApiCode.ConsumerNotFound) await this.#jsm.consumers.add(stream, config);
      else throw error;
    }
  }

  #watchStatus(): void {
    void (async () => {
      for await (const s of this.#nc.status()) {
        switch (s.type) {
          case 'disconnect':
            this.#hub.emit({ type: 'disconnected', server: s.server });
            break;
          case 'reconnecting':
            this.#conn.onAttempt();
            this.#hub.emit({ type: 'reconnecting', server: '' });
            break;
          case 'reconnect':
            this.#conn.onReconnected();
            this.#hub.emit({ type: 'reconnected', server: s.server });
            break;
          default:
            break;
        }
      }
    })().catch(() => undefined);
  }

  publishTask(message: TransportMessage): Promise<PublishReceipt> {
    return this.#publish(this.names.tasksSubject, message);
  }

  publishObservation(message: TransportMessage): Promise<PublishReceipt> {
    return this.#publish(this.names.observationsSubject, message);
  }

  /** Publishes with the id as `Nats-Msg-Id`; retries through disconnects (safe: the server de-duplicates). */
  async #publish(subject: string, message: TransportMessage): Promise<PublishReceipt> {
    this.#checkOpen();
    const bytes = encodeEnvelope(message);
    const deadline = performance.now() + this.options.publishTimeoutMs;
    let wait = 50;
    for (;;) {
      try {
        const remaining = Math.max(1, deadline - performance.now());
        const ack = await this.#js.publish(subject, bytes, {
          msgID: message.id,
          timeout: Math.min(5_000, remaining),
        });
        return { id: message.id, duplicate: ack.duplicate };
      } catch (cause) {
        if (this.#closed || this.#nc.isClosed()) throw this.#closedError(cause);
        if (performance.now() + wait > deadline) {
          throw runtimeError(
            RuntimeErrorCode.PublishFailed,
            `publish of ${JSON.stringify(message.id)} to ${subject} was not confirmed within ` +
              `${this.options.publishTimeoutMs} ms (${String(cause)}). Is the NATS server up? Publishing again is safe.`,
            { retryable: true, cause, details: { id: message.id, subject } },
          );
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 1_000);
      }
    }
  }

  consumeTasks(handler: DeliveryHandler<Delivery>, options: ConsumeOptions = {}): Consumption {
    this.#checkOpen();
    const slots = resolveConcurrency(options.concurrency);
    // One single-message pull per free slot: a task is fetched only when a slot can start it at once.
    return this.#startLoops(this.names.tasksStream, slots, 1, (m) => this.#onDelivery('tasks', m, handler));
  }

  consumeObservations(handler: DeliveryHandler<Delivery>, options: ConsumeOptions = {}): Consumption {
    this.#checkOpen();
    const slots = resolveConcurrency(options.concurrency);
    return this.#startLoops(this.names.observationsStream, slots, this.options.observationBatch, (m) =>
      this.#onDelivery('observations', m, handler),
    );
  }

  consumeDeadLetters(handler: DeliveryHandler<DeadLetter>): Consumption {
    this.#checkOpen();
    return this.#startLoops(this.names.deadLettersStream, 1, 16, (m) => this.#onDeadLetter(m, handler));
  }

  async #onDelivery(
    channel: 'tasks' | 'observations',
    m: JsMsg,
    handler: DeliveryHandler<Delivery>,
  ): Promise<void> {
    const env = this.#decode(channel, m);
    if (env === null) return;
    const delivery = new SettleOnceDelivery(env.id, env.payload, m.info.deliveryCount, this.#backend(m));
    await runHandler(
      handler,
      delivery,
      (error) => this.#hub.emit({ type: 'handler-error', channel, id: env.id, failure: toFailure(error) }),
      (d) => d.nak(0),
    );
  }

  async #onDeadLetter(m: JsMsg, handler: DeliveryHandler<DeadLetter>): Promise<void> {
    let seq: number;
    let deliveries: number;
    try {
      const advisory = JSON.parse(m.string()) as { stream_seq?: unknown; deliveries?: unknown };
      if (!Number.isInteger(advisory.stream_seq)) throw new Error('stream_seq missing');
      seq = advisory.stream_seq as number;
      deliveries = Number.isInteger(advisory.deliveries)
        ? (advisory.deliveries as number)
        : this.options.maxDeliveries;
    } catch (cause) {
      this.#invalid(
        'dead-letters',
        runtimeError(RuntimeErrorCode.InvalidMessage, `max-deliveries advisory: ${String(cause)}`),
      );
      this.#safe(() => m.term());
      return;
    }
    const tasks = this.names.tasksStream;
    let stored;
    try {
      stored = await this.#jsm.streams.getMessage(tasks, { seq });
    } catch (error) {
      this.#hub.emit({ type: 'consumer-error', channel: 'dead-letters', failure: toFailure(error) });
      this.#safe(() => m.nak(DEAD_LETTER_RETRY_MS));
      return;
    }
    if (stored === null) {
      // The task was acked late (after the server gave up) or this dead letter was handled before a crash.
      await m.ackAck({ timeout: this.options.ackConfirmTimeoutMs }).catch(() => false);
      return;
    }
    let env: Envelope;
    try {
      env = decodeEnvelope(stored.data);
    } catch (error) {
      this.#invalid('dead-letters', error);
      await this.#jsm.streams.deleteMessage(tasks, seq, false).catch(() => false);
      this.#safe(() => m.term());
      return;
    }
    const dl = new SimpleDeadLetter(env.id, env.payload, deliveries, async () => {
      try {
        await this.#jsm.streams.deleteMessage(tasks, seq, false);
      } catch (error) {
        if (apiCode(error) !== ApiCode.NoMessageFound) return false;
      }
      return m.ackAck({ timeout: this.options.ackConfirmTimeoutMs });
    });
    await runHandler(
      handler,
      dl,
      (error) =>
        this.#hub.emit({
          type: 'handler-error',
          channel: 'dead-letters',
          id: env.id,
          failure: toFailure(error),
        }),
      () => this.#safe(() => m.nak(DEAD_LETTER_RETRY_MS)),
    );
  }

  #backend(m: JsMsg) {
    return {
      ack: (confirm: boolean) => {
        if (confirm) return m.ackAck({ timeout: this.options.ackConfirmTimeoutMs });
        try {
          m.ack();
          return Promise.resolve(true);
        } catch {
          return Promise.resolve(false);
        }
      },
      nak: (delayMs: number) => this.#safe(() => m.nak(delayMs)),
      // The reason is not sent: servers before 2.11 do not accept it.
      term: () => this.#safe(() => m.term()),
      working: () => this.#safe(() => m.working()),
    };
  }

  #decode(channel: 'tasks' | 'observations', m: JsMsg): Envelope | null {
    try {
      return decodeEnvelope(m.data);
    } catch (error) {
      this.#invalid(channel, error);
      this.#safe(() => m.term());
      return null;
    }
  }

  #invalid(channel: 'tasks' | 'observations' | 'dead-letters' | 'control', error: unknown): void {
    this.#hub.emit({ type: 'invalid-message', channel, failure: toFailure(error) });
  }

  /** Acks on a dropped connection throw synchronously; the server redelivers anyway, so swallow. */
  #safe(f: () => void): void {
    try {
      f();
    } catch {
      // connection closed: the message comes back after ack wait
    }
  }

  /**
   * `slots` independent loops, each pulling up to `batch` messages and handling them one by one. Errors
   * (server gone, stream briefly unavailable after a restart) are reported and retried with back-off.
   */
  #startLoops(
    stream: string,
    slots: number,
    batch: number,
    handle: (m: JsMsg) => Promise<void>,
  ): Consumption {
    const consumer = this.#consumers.get(stream) as Consumer;
    const loop: PullLoop = { stopped: false, fetches: new Set(), done: Promise.resolve() };
    const channel =
      stream === this.names.tasksStream
        ? 'tasks'
        : stream === this.names.observationsStream
          ? 'observations'
          : 'dead-letters';
    const one = async (): Promise<void> => {
      let backoff = 100;
      while (!loop.stopped && !this.#closed) {
        let iter: ConsumerMessages | null = null;
        try {
          iter = await consumer.fetch({ max_messages: batch, expires: this.options.pullExpiresMs });
          loop.fetches.add(iter);
          for await (const m of iter) {
            if (loop.stopped) {
              // Arrived after stop(): hand it straight back to the other consumers.
              this.#safe(() => m.nak());
              continue;
            }
            await handle(m);
          }
          backoff = 100;
        } catch (error) {
          if (loop.stopped || this.#closed) break;
          this.#hub.emit({ type: 'consumer-error', channel, failure: toFailure(error) });
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 2_000);
        } finally {
          if (iter !== null) loop.fetches.delete(iter);
        }
      }
    };
    loop.done = Promise.all(Array.from({ length: slots }, () => one())).then(() => undefined);
    this.#loops.add(loop);
    return {
      stop: async () => {
        loop.stopped = true;
        for (const f of loop.fetches) f.stop();
        await loop.done;
        this.#loops.delete(loop);
      },
    };
  }

  publishControl(message: ControlMessage): Promise<void> {
    try {
      this.#checkOpen();
      this.#nc.publish(this.names.controlSubject(message.type), encodeControl(message));
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  subscribeControl(
    handler: (message: ControlMessage) => void,
    options: ControlSubscribeOptions = {},
  ): Consumption {
    this.#checkOpen();
    const callback = (err: Error | null, msg: { data: Uint8Array }): void => {
      if (err !== null) return;
      let parsed: ControlMessage;
      try {
        parsed = decodeControl(msg.data);
      } catch (error) {
        this.#invalid('control', error);
        return;
      }
      try {
        handler(parsed);
      } catch (error) {
        this.#hub.emit({
          type: 'handler-error',
          channel: 'control',
          id: parsed.type,
          failure: toFailure(error),
        });
      }
    };
    // One subject per type, so a subscriber to some types is not even sent the others.
    const subjects =
      options.types === undefined
        ? [this.names.controlWildcard]
        : [...new Set(options.types)].map((t) => this.names.controlSubject(t));
    const subs = subjects.map((subject) => this.#nc.subscribe(subject, { callback }));
    for (const sub of subs) this.#subs.add(sub);
    return {
      stop: () => {
        for (const sub of subs) {
          this.#subs.delete(sub);
          sub.unsubscribe();
        }
        return Promise.resolve();
      },
    };
  }

  async putBlob(data: Uint8Array): Promise<BlobInfo> {
    this.#checkOpen();
    const hash = sha256Hex(data);
    const os = this.#blobs as ObjectStore;
    const existing = await os.info(hash);
    if (existing === null || existing.deleted) await os.putBlob({ name: hash }, data);
    return { hash, size: data.byteLength };
  }

  async getBlob(hash: string): Promise<Uint8Array | null> {
    checkBlobHash(hash);
    this.#checkOpen();
    const raw = await (this.#blobs as ObjectStore).getBlob(hash);
    if (raw === null) return null;
    // The client may hand back a Node Buffer, possibly a view into a shared pool: return a plain
    // Uint8Array that owns its memory (a view when it already owns the whole buffer, else a copy).
    const data =
      raw.byteOffset === 0 &&
      raw.byteLength === raw.buffer.byteLength &&
      !(raw.buffer instanceof SharedArrayBuffer)
        ? new Uint8Array(raw.buffer, 0, raw.byteLength)
        : new Uint8Array(raw);
    if (sha256Hex(data) !== hash) {
      throw runtimeError(
        RuntimeErrorCode.BlobCorrupt,
        `blob ${hash} in bucket ${this.names.blobBucket}: the stored bytes do not match their hash. Put the dataset again.`,
        { details: { hash } },
      );
    }
    return data;
  }

  async hasBlob(hash: string): Promise<boolean> {
    checkBlobHash(hash);
    this.#checkOpen();
    const info = await (this.#blobs as ObjectStore).info(hash);
    return info !== null && !info.deleted;
  }

  events(): AsyncIterableIterator<TransportEvent> {
    return this.#hub.subscribe();
  }

  /** Stops consumers (waiting for in-flight handlers, so their acks go out), then drains the connection. */
  async flush(): Promise<void> {
    this.#checkOpen();
    await this.#nc.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const loops = [...this.#loops];
    for (const loop of loops) {
      loop.stopped = true;
      for (const f of loop.fetches) f.stop();
    }
    await Promise.all(loops.map((l) => l.done));
    this.#closed = true;
    for (const sub of this.#subs) sub.unsubscribe();
    this.#subs.clear();
    // Drain flushes pending acks and publishes; while disconnected it could wait for a reconnect forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 5_000)));
    const drained = await Promise.race([
      this.#nc.drain().then(
        () => 'ok' as const,
        () => 'failed' as const,
      ),
      gaveUp,
    ]);
    clearTimeout(timer);
    if (drained !== 'ok') await this.#nc.close().catch(() => undefined);
    this.#hub.emit({ type: 'closed' });
    this.#hub.close();
  }

  /**
   * Deletes every stream and the blob bucket of this prefix (end of an experiment, test cleanup). The
   * transport stays usable only for `close()`.
   */
  async destroy(): Promise<void> {
    const n = this.names;
    for (const s of [n.tasksStream, n.observationsStream, n.deadLettersStream]) {
      await this.#jsm.streams.delete(s).catch(() => false);
    }
    await this.#blobs?.destroy().catch(() => false);
  }

  #checkOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(cause?: unknown): Error {
    return runtimeError(
      RuntimeErrorCode.TransportClosed,
      `JetStream transport ${JSON.stringify(this.options.prefix)}: closed; connect a new one.`,
      { cause },
    );
  }
}
