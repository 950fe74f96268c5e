/**
 * Where bootstrap estimators are fitted. A `BootstrapExecutor` receives one job — the shared training data,
 * a serializable model spec, the sample size and every estimator's seed — and returns each estimator's
 * `toJSON()` in estimator order.
 *
 * Contract:
 * - Estimator m is fitted on `bootstrapRows(X.nRows, sampleSize, seeds[m])` with fit seed `seeds[m]`, so
 *   the result is independent of which thread fits it and of the number of threads.
 * - `X`, `y` and `sampleWeight` are never mutated. The worker pool copies them into shared memory once per
 *   job unless they already live in a `SharedArrayBuffer` (see `toSharedMatrix`); each thread then reads
 *   the same bytes and keeps one `DenseMatrix` per job, so model-side caches keyed on the matrix are reused
 *   by every estimator that thread fits.
 * - Jobs on one executor run one after another (a second `fitEstimators` waits for the first).
 * - A failing fit rejects the job with the failure it threw (same `code`); a crashed thread rejects it
 *   with `VF_METRICS_WORKER_FAILED` (retryable) and is replaced for the next job.
 * - `close()` ends the threads; later jobs reject with `VF_METRICS_WORKER_FAILED`.
 */
import { Worker } from 'node:worker_threads';
import { VirnyFlowError } from '@virnyflow/core';
import type { SerializedFailure } from '@virnyflow/core';
import type { DenseMatrix, SerializedModel } from '@virnyflow/models';
import { MetricsErrorCode, metricsError } from './errors';
import { loadModelProvider } from './model-provider';
import type { ModelSpec } from './model-provider';
import { bootstrapRows } from './sampling';

export interface BootstrapJob {
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  readonly sampleWeight?: Float64Array;
  readonly model: ModelSpec;
  /** Rows per sample. */
  readonly sampleSize: number;
  /** (nEstimators) seed of each estimator. */
  readonly seeds: readonly number[];
}

export interface BootstrapExecutor {
  /** Estimators fitted at the same time. */
  readonly threads: number;
  fitEstimators(job: BootstrapJob): Promise<SerializedModel[]>;
  close(): Promise<void>;
}

/** Fits estimator `m` of a job in the calling thread (shared by both executors). */
export async function fitJobEstimator(job: BootstrapJob, m: number): Promise<SerializedModel> {
  const provider = await loadModelProvider(job.model.provider);
  const seed = job.seeds[m];
  const model = provider.create(job.model.kind, job.model.params, seed);
  model.fit(job.X, job.y, {
    seed,
    rows: bootstrapRows(job.X.nRows, job.sampleSize, seed),
    ...(job.sampleWeight ? { sampleWeight: job.sampleWeight } : {}),
  });
  return model.toJSON();
}

/** Fits every estimator in the calling thread, one after another. */
export class InThreadExecutor implements BootstrapExecutor {
  readonly threads = 1;

  async fitEstimators(job: BootstrapJob): Promise<SerializedModel[]> {
    const out: SerializedModel[] = [];
    for (let m = 0; m < job.seeds.length; m++) out.push(await fitJobEstimator(job, m));
    return out;
  }

  async close(): Promise<void> {}
}

/** A matrix whose data lives in a `SharedArrayBuffer` (copied once if it does not already). */
export function toSharedMatrix(X: DenseMatrix): DenseMatrix {
  return { data: toShared(X.data), nRows: X.nRows, nCols: X.nCols };
}

function toShared<T extends Float64Array | Float32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** What a thread receives to load a job (typed arrays over shared memory; no copy on post). */
export interface ThreadJobMessage {
  readonly type: 'job';
  readonly jobId: number;
  readonly x: Float64Array | Float32Array;
  readonly nRows: number;
  readonly nCols: number;
  readonly y: Uint8Array;
  readonly w: Float64Array | null;
  readonly model: ModelSpec;
  readonly sampleSize: number;
  readonly seeds: readonly number[];
}
export type ThreadRequest =
  | ThreadJobMessage
  | { readonly type: 'fit'; readonly jobId: number; readonly m: number }
  | { readonly type: 'end'; readonly jobId: number };
export type ThreadReply =
  | { readonly type: 'fitted'; readonly jobId: number; readonly m: number; readonly model: SerializedModel }
  | {
      readonly type: 'failed';
      readonly jobId: number;
      readonly m: number;
      readonly failure: SerializedFailure;
    };

/** One worker thread; it fits one estimator at a time (the next is dispatched when it replies). */
interface Slot {
  readonly worker: Worker;
}

interface RunningJob {
  readonly id: number;
  nextM: number;
  readonly total: number;
  readonly results: (SerializedModel | undefined)[];
  done: number;
  settle(err?: Error): void;
}

const THREAD_URL = new URL('./bootstrap.thread.mjs', import.meta.url);

/**
 * Fits estimators on `threads` worker threads (plain `node:worker_threads`). Threads start at the first job
 * and stay until `close()`; idle threads do not keep the process alive.
 */
export class WorkerPoolExecutor implements BootstrapExecutor {
  readonly threads: number;
  private slots: Slot[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private nextJobId = 1;
  private job: RunningJob | null = null;
  private closed = false;

  constructor(threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw metricsError(
        MetricsErrorCode.BadBootstrapOptions,
        `thread count must be an integer ≥ 1, got ${threads}`,
        { field: 'threads', value: threads },
      );
    }
    this.threads = threads;
  }

  fitEstimators(job: BootstrapJob): Promise<SerializedModel[]> {
    const run = this.queue.then(() => this.run(job));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    this.job?.settle(closedError());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private run(job: BootstrapJob): Promise<SerializedModel[]> {
    if (this.closed) return Promise.reject(closedError());
    const total = job.seeds.length;
    if (total === 0) return Promise.resolve([]);
    while (this.slots.length < this.threads) this.slots.push(this.spawn());
    const X = toSharedMatrix(job.X);
    const msg: ThreadJobMessage = {
      type: 'job',
      jobId: this.nextJobId++,
      x: X.data,
      nRows: X.nRows,
      nCols: X.nCols,
      y: toShared(job.y),
      w: job.sampleWeight ? toShared(job.sampleWeight) : null,
      model: job.model,
      sampleSize: job.sampleSize,
      seeds: [...job.seeds],
    };
    return new Promise<SerializedModel[]>((resolve, reject) => {
      let settled = false;
      const running: RunningJob = {
        id: msg.jobId,
        nextM: 0,
        total,
        results: new Array<SerializedModel | undefined>(total),
        done: 0,
        settle: (err?: Error) => {
          if (settled) return;
          settled = true;
          this.job = null;
          for (const s of this.slots) {
            s.worker.postMessage({ type: 'end', jobId: running.id } satisfies ThreadRequest);
            s.worker.unref();
          }
          if (err) reject(err);
          else resolve(running.results as SerializedModel[]);
        },
      };
      this.job = running;
      for (const s of this.slots) {
        s.worker.postMessage(msg);
        this.dispatch(s);
      }
    });
  }

  private dispatch(slot: Slot): void {
    const job = this.job;
    if (job === null) return;
    const m = job.nextM;
    if (m >= job.total) {
      slot.worker.unref();
      return;
    }
    job.nextM = m + 1;
    // A busy thread keeps the process alive; idle ones do not.
    slot.worker.ref();
    slot.worker.postMessage({ type: 'fit', jobId: job.id, m } satisfies ThreadRequest);
  }

  private spawn(): Slot {
    const worker = new Worker(THREAD_URL);
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (reply: ThreadReply) => {
      const job = this.job;
      if (job === null || reply.jobId !== job.id) return;
      if (reply.type === 'failed') {
        job.settle(VirnyFlowError.fromFailure(reply.failure));
        return;
      }
      job.results[reply.m] = reply.model;
      job.done++;
      if (job.done === job.total) job.settle();
      else this.dispatch(slot);
    });
    const crashed = (why: string, cause?: unknown): void => {
      this.slots = this.slots.filter((s) => s !== slot);
      if (this.closed) return;
      this.job?.settle(
        metricsError(
          MetricsErrorCode.WorkerFailed,
          `a bootstrap worker thread ${why}`,
          {},
          { retryable: true, ...(cause === undefined ? {} : { cause }) },
        ),
      );
    };
    worker.on('error', (err) => crashed(`failed: ${err.message}`, err));
    worker.on('exit', (code) => crashed(`exited with code ${code}`));
    return slot;
  }
}

function closedError(): Error {
  return metricsError(
    MetricsErrorCode.WorkerFailed,
    'the bootstrap worker pool is closed',
    {},
    { retryable: true },
  );
}
