import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { VirnyFlowError } from '@virnyflow/core';
import { RuntimeErrorCode, checkInt, checkNumber, runtimeError } from './errors';
import { THREAD_WARMUP_KEY, isThreadFailure } from './thread-task';

export interface ThreadPoolOptions {
  /**
   * Entry point of the threads: a `.mjs` shim next to the `.ts` file (see `defineThreadTask`), given as
   * `new URL('./x.thread.mjs', import.meta.url)` or an absolute path. Its default export runs each task.
   */
  filename: string | URL;
  /** Number of threads, all started up front. Default: `os.availableParallelism()`. */
  threads?: number;
  /** Tasks allowed to wait for a thread; more make `run` reject. Default unbounded. */
  maxQueue?: number;
  /** Read in the thread through `workerData` from `piscina`. */
  workerData?: unknown;
  /** Heap limit per thread in MB (a runaway pipeline fails alone instead of the process). */
  maxOldGenerationSizeMb?: number;
}

export interface ThreadRunOptions {
  /**
   * Buffers to move to the thread instead of copying (e.g. `[features.buffer]`). After `run` they are
   * detached in the caller: do not use them again.
   */
  transferList?: ReadonlyArray<ArrayBuffer | MessagePort>;
  /** Aborting rejects with `VF_RUNTIME_TASK_ABORTED`; a running task's thread is terminated and replaced. */
  signal?: AbortSignal;
}

export interface ThreadPoolStats {
  threads: number;
  /** Submitted and not yet settled (queued + running). */
  pending: number;
  /** Waiting for a free thread. */
  queued: number;
  completed: number;
  failed: number;
  /** Busy fraction of the pool's thread capacity since it started, in [0, 1] (estimate: mean run time x tasks). */
  utilization: number;
  /** Mean time a task ran in a thread, in ms. */
  meanRunMs: number;
  /** Mean time a task waited for a thread, in ms. */
  meanWaitMs: number;
}

export const ThreadPoolState = { Running: 'running', Closing: 'closing', Closed: 'closed' } as const;
export type ThreadPoolState = (typeof ThreadPoolState)[keyof typeof ThreadPoolState];

/**
 * A fixed-size pool of worker threads (Piscina) for CPU-bound tasks such as pipeline evaluation.
 *
 * - `run` resolves with the task's result or rejects with the task's own error rebuilt as a
 *   `VirnyFlowError` (when the thread uses `defineThreadTask`), `VF_RUNTIME_TASK_ABORTED`,
 *   `VF_RUNTIME_POOL_CLOSED` or `VF_RUNTIME_THREAD_FAILED` (a thread crashed).
 * - `close()` stops accepting tasks and waits for every accepted one; `close({ force: true })` rejects
 *   queued and running tasks with `VF_RUNTIME_POOL_CLOSED` and terminates the threads.
 */
export class ThreadPool<I = unknown, O = unknown> {
  readonly threads: number;
  readonly #piscina: Piscina;
  readonly #pending = new Set<Promise<unknown>>();
  #state: ThreadPoolState = ThreadPoolState.Running;
  #forced = false;
  #closing: Promise<void> | null = null;
  #completed = 0;
  #failed = 0;

  constructor(options: ThreadPoolOptions) {
    this.threads = checkInt('threads', options.threads ?? availableParallelism(), 1, 1024);
    const filename = options.filename instanceof URL ? fileURLToPath(options.filename) : options.filename;
    if (typeof filename !== 'string' || filename === '') {
      throw runtimeError(
        RuntimeErrorCode.InvalidOption,
        `filename: ${JSON.stringify(filename)} is not a thread entry file.`,
      );
    }
    const maxQueue =
      options.maxQueue === undefined ? Number.POSITIVE_INFINITY : checkInt('maxQueue', options.maxQueue, 0);
    this.#piscina = new Piscina({
      filename,
      minThreads: this.threads,
      maxThreads: this.threads,
      maxQueue,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: options.workerData,
      recordTiming: true,
      resourceLimits:
        options.maxOldGenerationSizeMb === undefined
          ? undefined
          : {
              maxOldGenerationSizeMb: checkNumber(
                'maxOldGenerationSizeMb',
                options.maxOldGenerationSizeMb,
                16,
              ),
            },
    });
    // Piscina reports thread errors that belong to no task (and close time-outs) as 'error' events; an
    // EventEmitter without a listener would throw them at the process.
    this.#piscina.on('error', () => undefined);
  }

  get state(): ThreadPoolState {
    return this.#state;
  }

  /**
   * Resolves once every thread has loaded its entry module (threads start at once but load their modules
   * in the background; a large module graph takes a while). Lets a caller announce itself ready only when
   * it can run tasks. Needs an entry made with `defineThreadTask`; warm-ups do not count in `stats()`.
   */
  async warmUp(): Promise<void> {
    if (this.#state !== ThreadPoolState.Running) throw this.#closedError();
    // One at a time per thread: with one task per thread, n concurrent warm-ups reach n distinct threads.
    await Promise.all(
      Array.from({ length: this.threads }, () => this.#piscina.run({ [THREAD_WARMUP_KEY]: true })),
    );
  }

  run(task: I, options: ThreadRunOptions = {}): Promise<O> {
    if (this.#state !== ThreadPoolState.Running) return Promise.reject(this.#closedError());
    const p = this.#run(task, options);
    this.#pending.add(p);
    void p.then(
      () => {
        this.#pending.delete(p);
        this.#completed++;
      },
      () => {
        this.#pending.delete(p);
        this.#failed++;
      },
    );
    return p;
  }

  async #run(task: I, options: ThreadRunOptions): Promise<O> {
    let result: unknown;
    try {
      result = await this.#piscina.run(task, {
        transferList: options.transferList as ArrayBuffer[] | undefined,
        signal: options.signal ?? null,
      });
    } catch (cause) {
      if (options.signal?.aborted === true && !this.#forced) {
        throw runtimeError(RuntimeErrorCode.TaskAborted, 'thread task aborted by its signal.', {
          cause,
          details: { reason: String(options.signal.reason) },
        });
      }
      if (this.#state !== ThreadPoolState.Running) throw this.#closedError(cause);
      throw runtimeError(
        RuntimeErrorCode.ThreadFailed,
        `thread task failed outside the task code (${cause instanceof Error ? cause.message : String(cause)}).`,
        { retryable: true, cause },
      );
    }
    if (isThreadFailure(result)) throw VirnyFlowError.fromFailure(result.__vf_thread_failure__);
    return result as O;
  }

  /** Graceful by default (see the class comment). Idempotent; a later `force` upgrades a graceful close. */
  close(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true && !this.#forced && this.#state !== ThreadPoolState.Closed) {
      this.#forced = true;
      this.#state = ThreadPoolState.Closing;
      const forced = this.#piscina.destroy().then(() => {
        this.#state = ThreadPoolState.Closed;
      });
      this.#closing = forced;
      return forced;
    }
    if (this.#closing !== null) return this.#closing;
    this.#state = ThreadPoolState.Closing;
    this.#closing = (async () => {
      while (this.#pending.size > 0 && !this.#forced) await Promise.allSettled([...this.#pending]);
      if (!this.#forced) await this.#piscina.destroy();
      this.#state = ThreadPoolState.Closed;
    })();
    return this.#closing;
  }

  stats(): ThreadPoolStats {
    const h = this.#piscina.histogram;
    // Summaries are in ms (Piscina records µs and divides by 1000). Piscina's own `utilization` divides by
    // 1000 once more, so it is computed here: busy thread-time over thread capacity since the start.
    const meanRunMs = Number.isFinite(h.runTime.mean) ? h.runTime.mean : 0;
    const meanWaitMs = Number.isFinite(h.waitTime.mean) ? h.waitTime.mean : 0;
    const capacityMs = this.#piscina.duration * this.threads;
    const busyMs = meanRunMs * (this.#completed + this.#failed);
    return {
      threads: this.#piscina.threads.length,
      pending: this.#pending.size,
      queued: this.#piscina.queueSize,
      completed: this.#completed,
      failed: this.#failed,
      utilization: capacityMs > 0 ? Math.min(1, busyMs / capacityMs) : 0,
      meanRunMs,
      meanWaitMs,
    };
  }

  #closedError(cause?: unknown): Error {
    return runtimeError(
      RuntimeErrorCode.PoolClosed,
      'thread pool: closed; the task was not run or was cut short. Create a new pool.',
      { cause },
    );
  }
}
