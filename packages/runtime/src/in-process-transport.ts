import { toFailure } from '@virnyflow/core';
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
import { SettleOnceDelivery, SimpleDeadLetter, runHandler } from './delivery';
import { RuntimeErrorCode, runtimeError } from './errors';
import { EventHub } from './event-hub';
import type { Envelope } from './wire';
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

/** Delay before a dead letter whose handler did not ack it is offered again. */
const DEAD_LETTER_RETRY_MS = 1_000;

export type InProcessTransportOptions = TransportSettings;

/**
 * `Transport` in memory, for embedded runs: one process, no server. Same delivery semantics as JetStream
 * (ack wait, nak delay, bounded deliveries then dead letter, de-duplication window), driven by timers.
 * Nothing survives the process; resuming an embedded run relies on the store, not on this queue.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process';
  readonly settings: ResolvedTransportSettings;
  readonly #hub = new EventHub<TransportEvent>();
  readonly #tasks: MemoryQueue;
  readonly #observations: MemoryQueue;
  readonly #deadLetters: MemoryQueue;
  readonly #control = new Set<(m: ControlMessage) => void>();
  readonly #blobs = new Map<string, Uint8Array>();
  #closed = false;

  constructor(options: InProcessTransportOptions = {}) {
    this.settings = resolveTransportSettings(options);
    const s = this.settings;
    this.#deadLetters = new MemoryQueue({
      ackWaitMs: s.observationAckWaitMs,
      maxDeliveries: null,
      duplicateWindowMs: 0,
    });
    this.#tasks = new MemoryQueue({
      ackWaitMs: s.ackWaitMs,
      maxDeliveries: s.maxDeliveries,
      duplicateWindowMs: s.duplicateWindowMs,
      onExhausted: (e) => this.#deadLetters.publish(e.id, e.bytes, e.deliveries),
    });
    this.#observations = new MemoryQueue({
      ackWaitMs: s.observationAckWaitMs,
      maxDeliveries: null,
      duplicateWindowMs: s.duplicateWindowMs,
    });
  }

  publishTask(message: TransportMessage): Promise<PublishReceipt> {
    return this.#publish(this.#tasks, message);
  }

  publishObservation(message: TransportMessage): Promise<PublishReceipt> {
    return this.#publish(this.#observations, message);
  }

  consumeTasks(handler: DeliveryHandler<Delivery>, options: ConsumeOptions = {}): Consumption {
    return this.#consumeDeliveries(this.#tasks, 'tasks', handler, options);
  }

  consumeObservations(handler: DeliveryHandler<Delivery>, options: ConsumeOptions = {}): Consumption {
    return this.#consumeDeliveries(this.#observations, 'observations', handler, options);
  }

  consumeDeadLetters(handler: DeliveryHandler<DeadLetter>): Consumption {
    this.#checkOpen();
    return this.#deadLetters.consume(1, async (lease) => {
      const env = this.#decode('dead-letters', lease);
      if (env === null) return;
      const dl = new SimpleDeadLetter(env.id, env.payload, lease.entry.meta, () =>
        Promise.resolve(lease.ack()),
      );
      await runHandler(
        handler,
        dl,
        (error) => this.#handlerError('dead-letters', env.id, error),
        () => lease.nak(DEAD_LETTER_RETRY_MS),
      );
    });
  }

  publishControl(message: ControlMessage): Promise<void> {
    try {
      this.#checkOpen();
      const bytes = encodeControl(message);
      for (const handler of this.#control) {
        queueMicrotask(() => {
          try {
            handler(decodeControl(bytes));
          } catch (error) {
            this.#hub.emit({
              type: 'handler-error',
              channel: 'control',
              id: message.type,
              failure: toFailure(error),
            });
          }
        });
      }
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
    const types = options.types;
    const filtered =
      types === undefined
        ? handler
        : (m: ControlMessage): void => (types.includes(m.type) ? handler(m) : undefined);
    this.#control.add(filtered);
    return {
      stop: () => {
        this.#control.delete(filtered);
        return Promise.resolve();
      },
    };
  }

  putBlob(data: Uint8Array): Promise<BlobInfo> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const hash = sha256Hex(data);
    if (!this.#blobs.has(hash)) this.#blobs.set(hash, data.slice());
    return Promise.resolve({ hash, size: data.byteLength });
  }

  getBlob(hash: string): Promise<Uint8Array | null> {
    try {
      checkBlobHash(hash);
      this.#checkOpen();
      const stored = this.#blobs.get(hash);
      if (stored === undefined) return Promise.resolve(null);
      if (sha256Hex(stored) !== hash) {
        throw runtimeError(
          RuntimeErrorCode.BlobCorrupt,
          `blob ${hash}: stored bytes do not match their hash.`,
        );
      }
      return Promise.resolve(stored.slice());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Everything is processed as it is sent: resolves at once (rejects after `close()`). */
  flush(): Promise<void> {
    try {
      this.#checkOpen();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  hasBlob(hash: string): Promise<boolean> {
    try {
      checkBlobHash(hash);
      this.#checkOpen();
      return Promise.resolve(this.#blobs.has(hash));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  events(): AsyncIterableIterator<TransportEvent> {
    return this.#hub.subscribe();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#control.clear();
    await Promise.all([this.#tasks.close(), this.#observations.close(), this.#deadLetters.close()]);
    this.#hub.emit({ type: 'closed' });
    this.#hub.close();
  }

  #publish(queue: MemoryQueue, message: TransportMessage): Promise<PublishReceipt> {
    try {
      this.#checkOpen();
      const bytes = encodeEnvelope(message);
      return Promise.resolve({ id: message.id, duplicate: !queue.publish(message.id, bytes, 0) });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #consumeDeliveries(
    queue: MemoryQueue,
    channel: 'tasks' | 'observations',
    handler: DeliveryHandler<Delivery>,
    options: ConsumeOptions,
  ): Consumption {
    this.#checkOpen();
    return queue.consume(resolveConcurrency(options.concurrency), async (lease) => {
      const env = this.#decode(channel, lease);
      if (env === null) return;
      const delivery = new SettleOnceDelivery(env.id, env.payload, lease.entry.deliveries, {
        ack: () => Promise.resolve(lease.ack()),
        nak: (ms) => lease.nak(ms),
        term: () => lease.term(),
        working: () => lease.working(),
      });
      await runHandler(
        handler,
        delivery,
        (error) => this.#handlerError(channel, env.id, error),
        (d) => d.nak(0),
      );
    });
  }

  /** Decodes a stored envelope; a message that fails is terminated and reported (never redelivered). */
  #decode(channel: 'tasks' | 'observations' | 'dead-letters', lease: Lease): Envelope | null {
    try {
      return decodeEnvelope(lease.entry.bytes);
    } catch (error) {
      this.#hub.emit({ type: 'invalid-message', channel, failure: toFailure(error) });
      lease.term();
      return null;
    }
  }

  #handlerError(channel: 'tasks' | 'observations' | 'dead-letters', id: string, error: unknown): void {
    this.#hub.emit({ type: 'handler-error', channel, id, failure: toFailure(error) });
  }

  #checkOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): Error {
    return runtimeError(RuntimeErrorCode.TransportClosed, 'in-process transport: closed; create a new one.');
  }
}

interface Entry {
  readonly seq: number;
  readonly id: string;
  readonly bytes: Uint8Array;
  /** Dead letters: deliveries made before giving up. */
  readonly meta: number;
  deliveries: number;
  /** Increments per delivery; a lease from an older delivery cannot nak/term/extend. */
  attempt: number;
  state: 'ready' | 'delayed' | 'in-flight';
  timer: ReturnType<typeof setTimeout> | null;
}

interface Lease {
  readonly entry: Entry;
  ack(): boolean;
  nak(delayMs: number): void;
  term(): void;
  working(): void;
}

interface QueueConsumer {
  readonly concurrency: number;
  readonly run: (lease: Lease) => Promise<void>;
  inFlight: number;
  stopped: boolean;
  idle: (() => void) | null;
  stopping: Promise<void> | null;
}

/**
 * One in-memory stream with a shared pull consumer. Entries leave only by ack or term (or exhaustion, which
 * hands them to `onExhausted`). Ready entries are offered in sequence order, redeliveries included.
 */
class MemoryQueue {
  #seq = 0;
  readonly #live = new Map<number, Entry>();
  /** Ready entries sorted by seq. */
  readonly #ready: Entry[] = [];
  readonly #consumers: QueueConsumer[] = [];
  #next = 0;
  /** id -> performance.now() of its first publication inside the window. */
  readonly #seen = new Map<string, number>();
  #closed = false;

  constructor(
    private readonly opts: {
      ackWaitMs: number;
      maxDeliveries: number | null;
      duplicateWindowMs: number;
      onExhausted?: (entry: Entry) => void;
    },
  ) {}

  /** Returns false (and stores nothing) for a duplicate id inside the window. */
  publish(id: string, bytes: Uint8Array, meta: number): boolean {
    if (this.opts.duplicateWindowMs > 0) {
      const now = performance.now();
      // The map is in insertion order, which is time order: expire from the front, stop at the first live id.
      for (const [k, t] of this.#seen) {
        if (now - t < this.opts.duplicateWindowMs) break;
        this.#seen.delete(k);
      }
      if (this.#seen.has(id)) return false;
      this.#seen.set(id, now);
    }
    const entry: Entry = {
      seq: ++this.#seq,
      id,
      bytes,
      meta,
      deliveries: 0,
      attempt: 0,
      state: 'ready',
      timer: null,
    };
    this.#live.set(entry.seq, entry);
    this.#ready.push(entry);
    this.#pump();
    return true;
  }

  consume(concurrency: number, run: (lease: Lease) => Promise<void>): Consumption {
    const c: QueueConsumer = { concurrency, run, inFlight: 0, stopped: false, idle: null, stopping: null };
    this.#consumers.push(c);
    queueMicrotask(() => this.#pump());
    return { stop: () => this.#stopConsumer(c) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#consumers.map((c) => this.#stopConsumer(c)));
    for (const e of this.#live.values()) if (e.timer !== null) clearTimeout(e.timer);
    this.#live.clear();
    this.#ready.length = 0;
  }

  #stopConsumer(c: QueueConsumer): Promise<void> {
    if (c.stopping !== null) return c.stopping;
    c.stopped = true;
    const i = this.#consumers.indexOf(c);
    if (i >= 0) this.#consumers.splice(i, 1);
    c.stopping =
      c.inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            c.idle = resolve;
          });
    return c.stopping;
  }

  #pump(): void {
    while (!this.#closed && this.#ready.length > 0) {
      const c = this.#pickConsumer();
      if (c === null) return;
      const entry = this.#ready.shift() as Entry;
      entry.deliveries++;
      entry.attempt++;
      entry.state = 'in-flight';
      const attempt = entry.attempt;
      entry.timer = setTimeout(() => this.#expire(entry, attempt), this.opts.ackWaitMs);
      c.inFlight++;
      void c
        .run(this.#lease(entry, attempt))
        .catch(() => undefined)
        .finally(() => {
          c.inFlight--;
          if (c.stopped && c.inFlight === 0) c.idle?.();
          this.#pump();
        });
    }
  }

  /** Round-robin over consumers with a free slot, so several evaluators share the queue fairly. */
  #pickConsumer(): QueueConsumer | null {
    const n = this.#consumers.length;
    for (let k = 0; k < n; k++) {
      const c = this.#consumers[(this.#next + k) % n];
      if (!c.stopped && c.inFlight < c.concurrency) {
        this.#next = (this.#next + k + 1) % n;
        return c;
      }
    }
    return null;
  }

  #lease(entry: Entry, attempt: number): Lease {
    const current = (): boolean =>
      entry.attempt === attempt && entry.state === 'in-flight' && this.#live.has(entry.seq);
    return {
      entry,
      // An ack from an older delivery still removes the message (JetStream acks by stream sequence too).
      ack: () => {
        if (this.#closed) return false;
        this.#remove(entry);
        return true;
      },
      nak: (delayMs) => {
        if (current()) this.#requeue(entry, delayMs);
      },
      term: () => {
        if (current()) this.#remove(entry);
      },
      working: () => {
        if (!current()) return;
        if (entry.timer !== null) clearTimeout(entry.timer);
        entry.timer = setTimeout(() => this.#expire(entry, attempt), this.opts.ackWaitMs);
      },
    };
  }

  #expire(entry: Entry, attempt: number): void {
    if (entry.attempt === attempt && entry.state === 'in-flight' && this.#live.has(entry.seq))
      this.#requeue(entry, 0);
  }

  #requeue(entry: Entry, delayMs: number): void {
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    if (this.opts.maxDeliveries !== null && entry.deliveries >= this.opts.maxDeliveries) {
      this.#remove(entry);
      this.opts.onExhausted?.(entry);
      return;
    }
    if (delayMs > 0) {
      entry.state = 'delayed';
      entry.timer = setTimeout(() => {
        entry.timer = null;
        this.#makeReady(entry);
      }, delayMs);
    } else {
      this.#makeReady(entry);
    }
  }

  #makeReady(entry: Entry): void {
    if (!this.#live.has(entry.seq)) return;
    entry.state = 'ready';
    // Keep sequence order so redeliveries go out before newer messages, as a stream consumer does.
    let lo = 0;
    let hi = this.#ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ready[mid].seq < entry.seq) lo = mid + 1;
      else hi = mid;
    }
    this.#ready.splice(lo, 0, entry);
    this.#pump();
  }

  #remove(entry: Entry): void {
    if (!this.#live.delete(entry.seq)) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    if (entry.state === 'ready') {
      const i = this.#ready.indexOf(entry);
      if (i >= 0) this.#ready.splice(i, 1);
    }
  }
}
