/**
 * The programmatic entry points the CLI uses: `runExperiment` (coordinator + evaluator in one process,
 * or the coordinator alone with `threads: 0`) and `startWorker` (an evaluator alone, for distributed runs).
 */
import { availableParallelism } from 'node:os';
import type { ComponentDefinition, ExperimentConfig } from '@virnyflow/core';
import { enumerateLogicalPipelines, loadConfigFile, seedForRun } from '@virnyflow/core';
import type { ActorRef, Transport } from '@virnyflow/runtime';
import { ActorSystem, InProcessTransport } from '@virnyflow/runtime';
import type { ExperimentStore, StoreInfo } from '@virnyflow/store';
import { openStore } from '@virnyflow/store';
import type { SyntheticPipeline } from './context';
import { buildContext, encodeContext } from './context';
import type { CoordinatorMessage, CoordinatorResult, RunOutcome } from './coordinator';
import { coordinatorBehavior } from './coordinator';
import { BlobCache } from './blob-cache';
import { encodeDataset, prepareDataset } from './dataset-codec';
import { EngineErrorCode, engineError } from './errors';
import type { EvaluatorMessage, EvaluatorStats } from './evaluator';
import { evaluatorBehavior } from './evaluator';
import { checkMissingValues, loadExperimentDataset } from './experiment-data';
import { createRegistry, loadComponentModules, resolveComponentModules } from './registry';
import type { EngineEvent, RunProgress } from './types';
import type { WorkerSummary } from './worker-roster';

export interface RunExperimentOptions {
  /** A config file (YAML), or `config`. */
  readonly configPath?: string;
  readonly config?: ExperimentConfig;
  /** Store directory (embedded SQLite) or `mongodb://…` URI, or `store`; default `VIRNYFLOW_STORE`. */
  readonly storeDir?: string;
  readonly store?: ExperimentStore;
  /** Directory of the built-in datasets' files (default `VIRNYFLOW_DATA_DIR`). */
  readonly dataDir?: string;
  /** Evaluator threads in this process; 0 runs the coordinator only. Default: the core count. */
  readonly threads?: number;
  /** Default: a fresh in-process transport (closed at the end). */
  readonly transport?: Transport;
  readonly onProgress?: (p: RunProgress) => void;
  readonly onEvent?: (e: EngineEvent) => void;
  /** Aborting stops cleanly: in-flight tasks are abandoned and the run is left `stopped` and resumable. */
  readonly signal?: AbortSignal;
  /** Added to every run's seed (`100 + run_num + seedOffset`). Default 0. */
  readonly seedOffset?: number;
  /** Modules exporting extra `components` (see `registry.ts`); threads import them too. */
  readonly componentModules?: readonly string[];
  /** Replace every pipeline by a stand-in that sleeps (orchestration benchmarks). */
  readonly synthetic?: SyntheticPipeline;
  /** Interval of time-budget accounting, ms. Default 1 000. */
  readonly tickMs?: number;
  /** Interval of the evaluator's heartbeats, ms. Default 5 000. */
  readonly heartbeatMs?: number;
  /** A worker unheard of for this long counts as gone, ms. Default 15 000. */
  readonly workerSilentAfterMs?: number;
  readonly workerId?: string;
  /**
   * Blob cache directory (`BlobCache`): the prepared dataset and the context are written there as well as
   * to the transport, and this process's evaluator reads them from it. Workers given the same (shared)
   * directory read them from the file system instead of the transport.
   */
  readonly blobCacheDir?: string;
}

export interface RunSummary {
  readonly experiment: string;
  readonly store: StoreInfo;
  readonly threads: number;
  readonly runs: readonly RunOutcome[];
  /** True when the session was stopped (signal) before every run completed. */
  readonly stopped: boolean;
  readonly elapsedSeconds: number;
  /** Every worker (evaluator) seen in this session, with the observations recorded from it. */
  readonly workers: readonly WorkerSummary[];
}

export async function runExperiment(options: RunExperimentOptions): Promise<RunSummary> {
  const t0 = performance.now();
  if ((options.config === undefined) === (options.configPath === undefined)) {
    throw engineError(EngineErrorCode.BadOption, 'runExperiment: give exactly one of config or configPath');
  }
  if (options.store !== undefined && options.storeDir !== undefined) {
    throw engineError(EngineErrorCode.BadOption, 'runExperiment: give at most one of store or storeDir');
  }
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 0) {
    throw engineError(
      EngineErrorCode.BadOption,
      `threads: ${threads} must be an integer ≥ 0 (0 = no evaluator here)`,
      {
        threads,
      },
    );
  }
  const moduleUrls = resolveComponentModules(options.componentModules ?? []);
  const extra: ComponentDefinition[] = await loadComponentModules(moduleUrls);
  const registry = createRegistry(extra);
  const config = options.config ?? loadConfigFile(options.configPath as string, { registry });
  const lps = enumerateLogicalPipelines(config);
  const dataset = await loadExperimentDataset(config, options.dataDir);
  if (!options.synthetic) checkMissingValues(dataset, lps, config.errorInjection);

  const ownStore = options.store === undefined;
  const store = options.store ?? (await openStore(options.storeDir));
  const ownTransport = options.transport === undefined;
  const transport = options.transport ?? new InProcessTransport();
  const system = new ActorSystem({ name: `virnyflow-${config.name}` });
  try {
    const datasetBytes = encodeDataset(prepareDataset(dataset));
    const datasetBlob = await transport.putBlob(datasetBytes);
    const context = buildContext(
      config,
      { name: dataset.name, hash: datasetBlob.hash, testSetFraction: dataset.testSetFraction },
      { componentModules: moduleUrls, synthetic: options.synthetic ?? null },
    );
    const contextBytes = encodeContext(context);
    const contextBlob = await transport.putBlob(contextBytes);
    if (options.blobCacheDir !== undefined) {
      const cache = new BlobCache(options.blobCacheDir);
      cache.write(datasetBytes);
      cache.write(contextBytes);
    }

    let resolveDone!: (r: CoordinatorResult) => void;
    let rejectDone!: (e: unknown) => void;
    const done = new Promise<CoordinatorResult>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    const escalations = system.events();
    void (async () => {
      for await (const e of escalations) {
        if (e.type === 'failure') {
          options.onEvent?.({
            type: 'actor-failure',
            actor: e.actor,
            code: e.failure.code,
            message: e.failure.message,
          });
        }
        if (e.type === 'escalated' && e.to === null) rejectDone(e.error);
      }
    })();

    const evaluator: ActorRef<EvaluatorMessage, EvaluatorStats> | null =
      threads > 0
        ? system.spawn(
            'evaluator',
            evaluatorBehavior({
              transport,
              threads,
              ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
              ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
              ...(options.onEvent ? { onEvent: options.onEvent } : {}),
              ...(options.blobCacheDir !== undefined ? { blobCacheDir: options.blobCacheDir } : {}),
            }),
            { supervision: { type: 'restart', maxRestarts: 3, withinMs: 60_000 } },
          )
        : null;
    const seedOffset = options.seedOffset ?? 0;
    const coordinator: ActorRef<CoordinatorMessage, void> = system.spawn(
      'coordinator',
      coordinatorBehavior({
        store,
        transport,
        config,
        registry,
        lps,
        seedOf: (run) => seedForRun(run) + seedOffset,
        contextHash: contextBlob.hash,
        datasetHash: datasetBlob.hash,
        tickMs: options.tickMs ?? 1_000,
        ...(options.workerSilentAfterMs !== undefined
          ? { workerSilentAfterMs: options.workerSilentAfterMs }
          : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        onDone: (r) => resolveDone(r),
      }),
      { supervision: { type: 'escalate' } },
    );

    const onAbort = (): void => {
      // Abandon running pipelines first (their tasks stay queued/running in the store), then stop the run.
      evaluator?.tell({ type: 'abort' });
      coordinator.tell({ type: 'stop' });
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let result: CoordinatorResult;
    try {
      result = await done;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (evaluator) await evaluator.stop({ mode: 'immediate' });
      await coordinator.stop({ mode: 'immediate' });
    }
    return {
      experiment: config.name,
      store: store.info,
      threads,
      runs: result.runs,
      stopped: result.stopped,
      elapsedSeconds: (performance.now() - t0) / 1000,
      workers: result.workers,
    };
  } finally {
    await system.shutdown({ mode: 'immediate' });
    if (ownTransport) await transport.close();
    if (ownStore) await store.close();
  }
}

export interface StartWorkerOptions {
  readonly transport: Transport;
  /** Pipeline threads; default the core count. */
  readonly threads?: number;
  readonly workerId?: string;
  readonly heartbeatMs?: number;
  readonly onEvent?: (e: EngineEvent) => void;
  /** Blob cache directory (datasets survive restarts; a directory shared with the coordinator is read first). */
  readonly blobCacheDir?: string;
}

export interface WorkerHandle {
  readonly workerId: string;
  /** Settles when the worker obeyed a `drain` or `stop` (control message or `leave`); then call `stop()`. */
  readonly left: Promise<'drain' | 'stop'>;
  /** Drain: take no new task and finish the running ones; stop: abandon them (nak'ed back). */
  leave(how: 'drain' | 'stop'): void;
  stats(): Promise<EvaluatorStats>;
  /** Stops pulling tasks; running ones are abandoned and nak'ed back. */
  stop(): Promise<void>;
}

/** An evaluator on its own (a worker node of a distributed run). */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const threads = options.threads ?? availableParallelism();
  const system = new ActorSystem({ name: 'virnyflow-worker' });
  let onLeave!: (how: 'drain' | 'stop') => void;
  const left = new Promise<'drain' | 'stop'>((res) => (onLeave = res));
  const ref = system.spawn(
    'evaluator',
    evaluatorBehavior({
      transport: options.transport,
      threads,
      onLeave,
      ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.blobCacheDir !== undefined ? { blobCacheDir: options.blobCacheDir } : {}),
    }),
    { supervision: { type: 'restart', maxRestarts: 3, withinMs: 60_000 } },
  );
  const first = await ref.ask({ type: 'stats' });
  return {
    workerId: first.workerId,
    left,
    leave: (how) => ref.tell({ type: 'leave', how }),
    stats: () => ref.ask({ type: 'stats' }),
    stop: async () => {
      await ref.stop({ mode: 'immediate' });
      await system.shutdown({ mode: 'immediate' });
    },
  };
}
