/**
 * The evaluator actor: one per node. It pulls tasks from the transport (as many at a time as it has
 * threads), runs each in the thread pool, sends in-progress heartbeats while it runs, publishes the
 * observation and only then acks the task. Workers are stateless apart from caches keyed by content hash
 * (experiment contexts and prepared datasets, fetched once from the transport's blob store).
 *
 * Failure handling (SPEC §13.6): a pipeline that throws comes back from its thread as a `failed`
 * observation and is published like any other. A failure outside the pipeline that may pass on another try
 * (a crashed thread, a missing blob) naks the task for redelivery; after the transport's `maxDeliveries`
 * it is dead-lettered and the coordinator records it as failed. When the evaluator is stopped, in-flight
 * tasks are aborted and nak'ed back, so another worker (or the resumed run) runs them again.
 */
import { hostname } from 'node:os';
import type { ObservationMessage, TaskMessage } from '@virnyflow/core';
import { parseTaskMessage, toFailure } from '@virnyflow/core';
import type { ActorContext, Behavior, Consumption, Delivery, Transport } from '@virnyflow/runtime';
import { ThreadPool } from '@virnyflow/runtime';
import type { ExperimentContext } from './context';
import { decodeContext } from './context';
import type { PreparedDataset } from './dataset-codec';
import { decodeDataset } from './dataset-codec';
import { BlobCache } from './blob-cache';
import { EngineErrorCode, engineError } from './errors';
import { failedObservation } from './pipeline';
import type { PipelineThreadInput } from './pipeline.thread';
import type { EngineEvent } from './types';

export interface EvaluatorOptions {
  readonly transport: Transport;
  /** Pipeline threads (and tasks evaluated at once). */
  readonly threads: number;
  /** Default `<host>:<pid>`. */
  readonly workerId?: string;
  /** Interval of in-progress heartbeats for a running task and of control heartbeats, ms. Default 5 000. */
  readonly heartbeatMs?: number;
  /** Delay before a task nak'ed after a retryable failure is offered again, ms. Default 1 000. */
  readonly retryDelayMs?: number;
  /** Heap limit of each pipeline thread, MB. */
  readonly maxOldGenerationSizeMb?: number;
  readonly onEvent?: (e: EngineEvent) => void;
  /**
   * Called once the evaluator obeyed a `drain` (in-flight tasks finished) or `stop` (in-flight tasks
   * nak'ed back) control message addressed to it or to every worker, and said goodbye. The process
   * hosting it would normally exit then.
   */
  readonly onLeave?: (how: 'drain' | 'stop') => void;
  /**
   * Directory of a blob cache (see `BlobCache`): datasets and contexts are read from it first and kept
   * there after a fetch, so they survive a restart; on a file system shared with the coordinator they
   * need not travel through the transport at all.
   */
  readonly blobCacheDir?: string;
}

export interface EvaluatorStats {
  readonly workerId: string;
  readonly threads: number;
  readonly inFlight: number;
  readonly completed: number;
  readonly failed: number;
  readonly retried: number;
}

export type EvaluatorMessage =
  | { readonly type: 'stats' }
  | { readonly type: 'abort' }
  /** The same as a `drain` / `stop` control message addressed to this worker. */
  | { readonly type: 'leave'; readonly how: 'drain' | 'stop' };

/** Number of prepared datasets a worker keeps decoded. */
const DATASETS_KEPT = 2;

export function evaluatorBehavior(
  options: EvaluatorOptions,
): (ctx: ActorContext<EvaluatorMessage, EvaluatorStats>) => Behavior<EvaluatorMessage, EvaluatorStats> {
  return () => {
    const e = new Evaluator(options);
    return {
      preStart: () => e.start(),
      receive: (m) => {
        if (m.type === 'abort') e.abortAll();
        if (m.type === 'leave') void e.leave(m.how);
        return e.stats();
      },
      postStop: () => e.stop(),
    };
  };
}

export class Evaluator {
  readonly workerId: string;
  private pool: ThreadPool<PipelineThreadInput, ObservationMessage> | null = null;
  private consumption: Consumption | null = null;
  private control: Consumption | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private leaving = false;
  private readonly contexts = new Map<string, Promise<ExperimentContext>>();
  private readonly datasets = new Map<string, Promise<PreparedDataset>>();
  private readonly running = new Set<AbortController>();
  private stopping = false;
  private readonly blobCache: BlobCache | null;
  private completed = 0;
  private failed = 0;
  private retried = 0;

  constructor(private readonly options: EvaluatorOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    this.blobCache = options.blobCacheDir !== undefined ? new BlobCache(options.blobCacheDir) : null;
  }

  async start(): Promise<void> {
    const o = this.options;
    this.stopping = false;
    this.pool = new ThreadPool<PipelineThreadInput, ObservationMessage>({
      filename: new URL('./pipeline.thread.mjs', import.meta.url),
      threads: o.threads,
      ...(o.maxOldGenerationSizeMb !== undefined ? { maxOldGenerationSizeMb: o.maxOldGenerationSizeMb } : {}),
    });
    // Announce this worker (and take tasks) only once its threads can run them: loading the pipeline
    // modules takes seconds, and a task pulled meanwhile would wait with its ack-wait clock running.
    await this.pool.warmUp();
    this.consumption = o.transport.consumeTasks((d) => this.handle(d), { concurrency: o.threads });
    this.control = o.transport.subscribeControl(
      (m) => {
        if (
          (m.type === 'drain' || m.type === 'stop') &&
          (m.worker_id === null || m.worker_id === this.workerId)
        )
          void this.leave(m.type);
      },
      { types: ['drain', 'stop'] },
    );
    // Heartbeats repeat the hello's identity: a coordinator that starts after this worker still learns it.
    const heartbeatMs = o.heartbeatMs ?? 5_000;
    const identity = { host: hostname(), pid: process.pid, threads: o.threads, heartbeat_ms: heartbeatMs };
    await o.transport
      .publishControl({
        version: 1,
        type: 'hello',
        worker_id: this.workerId,
        sent_at: Date.now(),
        ...identity,
      })
      .catch(() => undefined);
    this.heartbeat = setInterval(() => {
      void o.transport
        .publishControl({
          version: 1,
          type: 'heartbeat',
          worker_id: this.workerId,
          in_flight: this.running.size,
          completed: this.completed,
          failed: this.failed,
          sent_at: Date.now(),
          ...identity,
        })
        .catch(() => undefined);
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  stats(): EvaluatorStats {
    return {
      workerId: this.workerId,
      threads: this.options.threads,
      inFlight: this.running.size,
      completed: this.completed,
      failed: this.failed,
      retried: this.retried,
    };
  }

  /** Aborts every running task (their deliveries are nak'ed back). */
  abortAll(): void {
    this.stopping = true;
    for (const c of this.running) c.abort(new Error('evaluator stopping'));
  }

  /**
   * Obeys a drain (take no new task, finish the running ones) or a stop (abandon the running ones, which
   * are nak'ed back for another worker), says goodbye and reports through `onLeave`.
   */
  async leave(how: 'drain' | 'stop'): Promise<void> {
    // A stop during a drain abandons what the drain was waiting for.
    if (how === 'stop') this.abortAll();
    if (this.leaving) return;
    this.leaving = true;
    const c = this.consumption;
    this.consumption = null;
    // New deliveries arriving while the consumer winds down are nak'ed at once (`leaving`).
    await c?.stop();
    // The acks went out unconfirmed: make sure the server has them, so a drained task is not redelivered.
    await this.options.transport.flush().catch(() => undefined);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await this.options.transport
      .publishControl({ version: 1, type: 'goodbye', worker_id: this.workerId, sent_at: Date.now() })
      .catch(() => undefined);
    this.options.onLeave?.(how);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const c = this.consumption;
    this.consumption = null;
    const control = this.control;
    this.control = null;
    this.abortAll();
    await Promise.all([c?.stop(), control?.stop()]);
    await this.options.transport.flush().catch(() => undefined);
    await this.pool?.close({ force: true });
    this.pool = null;
    await this.options.transport
      .publishControl({ version: 1, type: 'goodbye', worker_id: this.workerId, sent_at: Date.now() })
      .catch(() => undefined);
  }

  private async handle(d: Delivery): Promise<void> {
    let task: TaskMessage;
    try {
      task = { ...parseTaskMessage(d.payload), attempt: d.deliveryCount };
    } catch (error) {
      d.term('invalid task message');
      this.options.onEvent?.({
        type: 'invalid-message',
        channel: 'tasks',
        message: toFailure(error).message,
      });
      return;
    }
    if (this.stopping || this.leaving || this.pool === null) {
      d.nak(0);
      return;
    }
    const pool = this.pool;
    const controller = new AbortController();
    this.running.add(controller);
    const beat = setInterval(() => d.inProgress(), this.options.heartbeatMs ?? 5_000);
    let observation: ObservationMessage;
    try {
      const context = await this.context(task.contextHash);
      const dataset = context.synthetic ? null : await this.dataset(task.datasetHash ?? context.datasetHash);
      observation = await pool.run(
        { task, context, dataset, workerId: this.workerId },
        { signal: controller.signal },
      );
    } catch (error) {
      const f = toFailure(error);
      if (this.stopping || f.retryable) {
        this.retried++;
        this.options.onEvent?.({
          type: 'task-retry',
          taskId: task.taskId,
          attempt: d.deliveryCount,
          code: f.code,
        });
        d.nak(this.stopping ? 0 : (this.options.retryDelayMs ?? 1_000));
        return;
      }
      observation = failedObservation(task, this.workerId, f, 0, null);
    } finally {
      clearInterval(beat);
      this.running.delete(controller);
    }
    // The observation is stored (server-acknowledged) before the task is acked, so a crash in between
    // repeats the task rather than losing it. The ack itself goes unconfirmed (no reply to wait for or
    // process): an ack lost with the connection only repeats a task the store records once.
    await this.options.transport.publishObservation({ id: task.taskId, payload: observation });
    if (observation.status === 'ok') this.completed++;
    else this.failed++;
    void d.ack({ confirm: false });
  }

  private context(hash: string | undefined): Promise<ExperimentContext> {
    if (hash === undefined) {
      return Promise.reject(
        engineError(
          EngineErrorCode.MissingBlob,
          'task has no contextHash; it was not created by this engine',
        ),
      );
    }
    let p = this.contexts.get(hash);
    if (!p) {
      p = this.fetch(hash, 'experiment context').then(decodeContext);
      this.cache(this.contexts, hash, p, Infinity);
    }
    return p;
  }

  private dataset(hash: string): Promise<PreparedDataset> {
    let p = this.datasets.get(hash);
    if (!p) {
      p = this.fetch(hash, 'dataset').then((bytes) => decodeDataset(bytes, { shared: true }));
      this.cache(this.datasets, hash, p, DATASETS_KEPT);
    }
    return p;
  }

  private cache<T>(map: Map<string, Promise<T>>, hash: string, p: Promise<T>, keep: number): void {
    if (map.size >= keep) map.delete(map.keys().next().value as string);
    map.set(hash, p);
    // A failed fetch is not cached: the next task tries again.
    p.catch(() => map.delete(hash));
  }

  private async fetch(hash: string, what: string): Promise<Uint8Array> {
    const fromTransport = (): Promise<Uint8Array | null> => this.options.transport.getBlob(hash);
    const bytes = this.blobCache
      ? await this.blobCache.readThrough(hash, fromTransport)
      : await fromTransport();
    if (bytes === null) {
      throw engineError(
        EngineErrorCode.MissingBlob,
        `the ${what} ${hash.slice(0, 12)}… is not in the transport's blob store; the coordinator puts it there ` +
          'before publishing tasks, so check that this worker talks to the same server',
        { hash },
        { retryable: true },
      );
    }
    return bytes;
  }
}
