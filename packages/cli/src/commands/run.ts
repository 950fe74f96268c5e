/**
 * `virnyflow run <config>` (embedded: coordinator, scheduler, advisors and evaluator threads in one process),
 * `virnyflow coordinator <config> --nats URL` and `virnyflow worker --nats URL` (distributed over NATS
 * JetStream). Ctrl+C stops cleanly and leaves a resumable state; the same command resumes.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import type { ExperimentConfig } from '@virnyflow/core';
import {
  createRegistry,
  loadComponentModules,
  resolveComponentModules,
  runExperiment,
  startWorker,
} from '@virnyflow/engine';
import type { RunSummary } from '@virnyflow/engine';
import { JetStreamTransport } from '@virnyflow/runtime';
import type { NatsConnectionOptions, Transport } from '@virnyflow/runtime';
import { loadExperimentConfig } from '../config-loading';
import { ProgressDisplay, formatDuration } from '../progress';
import { resolveStoreSpec } from '../store-option';

export interface RunCommandOptions {
  readonly workers?: number;
  readonly store?: string;
  readonly dataDir?: string;
  readonly seedOffset?: number;
  readonly quiet?: boolean;
  /** Modules exporting extra `components` (custom imputers, interventions, models). */
  readonly components?: readonly string[];
  /** Blob cache directory (default `VIRNYFLOW_DATASET_CACHE`). */
  readonly datasetCache?: string;
}

/** `--dataset-cache`, else `VIRNYFLOW_DATASET_CACHE`, else none. */
function datasetCacheDir(flag: string | undefined): { blobCacheDir?: string } {
  const dir = flag ?? process.env.VIRNYFLOW_DATASET_CACHE;
  return dir !== undefined && dir !== '' ? { blobCacheDir: dir } : {};
}

/** Delivery settings only the coordinator sets (workers never change them). */
export interface CoordinatorFlags {
  readonly ackWait?: number;
  readonly maxDeliveries?: number;
  readonly maxAckPending?: number;
}

export interface WorkerFlags {
  readonly threads?: number;
  readonly name?: string;
  readonly quiet?: boolean;
  readonly heartbeat?: number;
  readonly datasetCache?: string;
}

export interface NatsFlags {
  readonly nats?: string;
  readonly natsCreds?: string;
  readonly natsNkey?: string;
  readonly natsToken?: string;
  readonly natsTlsCa?: string;
  readonly natsTlsCert?: string;
  readonly natsTlsKey?: string;
  readonly prefix?: string;
}

/** JetStream names shared by the coordinator and its workers. */
export const DEFAULT_NATS_PREFIX = 'virnyflow';

/**
 * Escalating SIGINT/SIGTERM handling: the n-th signal runs `steps[n-1]`; one more than there are steps
 * exits at once (130). Returns the function that removes the handlers.
 */
function onSignals(steps: readonly ((sig: NodeJS.Signals) => void)[]): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    const step = steps[count++];
    if (step) step(sig);
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Aborts `controller` on the first Ctrl+C / SIGTERM; a second one exits at once. */
function stopOnSignals(controller: AbortController, what: string): () => void {
  return onSignals([
    (sig) => {
      process.stderr.write(`\n${sig}: stopping ${what} cleanly (again to exit at once)\n`);
      controller.abort();
    },
  ]);
}

export function natsConnection(flags: NatsFlags, name: string): NatsConnectionOptions {
  const servers = flags.nats ?? process.env.VIRNYFLOW_NATS ?? 'nats://127.0.0.1:4222';
  const url = new URL(servers.split(',')[0] ?? servers);
  return {
    servers: servers.split(','),
    name,
    waitForServer: true,
    ...(url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : {}),
    ...(flags.natsToken ? { token: flags.natsToken } : {}),
    ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
    ...(flags.natsNkey ? { nkeySeed: readFileSync(flags.natsNkey, 'utf8').trim() } : {}),
    ...(flags.natsTlsCa || flags.natsTlsCert
      ? {
          tls: {
            ...(flags.natsTlsCa ? { caFile: flags.natsTlsCa } : {}),
            ...(flags.natsTlsCert ? { certFile: flags.natsTlsCert } : {}),
            ...(flags.natsTlsKey ? { keyFile: flags.natsTlsKey } : {}),
          },
        }
      : {}),
  };
}

function renderWorkers(summary: RunSummary): string[] {
  // This process's own evaluator (an embedded run) is not worth a table; other processes are.
  if (summary.workers.every((w) => w.pid === process.pid)) return [];
  const lines = [`  workers seen: ${summary.workers.length}`];
  for (const w of summary.workers) {
    const where = [w.host, w.pid !== null ? `pid ${w.pid}` : null].filter((x) => x !== null).join(' ');
    lines.push(
      `    ${w.workerId}${where ? ` (${where})` : ''}: ${w.threads ?? '?'} thread(s), ${w.state}, ` +
        `${w.recorded} pipelines recorded, ${w.ratePerMinute.toFixed(1)}/min`,
    );
  }
  return lines;
}

export function renderSummary(summary: RunSummary): string {
  const lines = [
    `${summary.experiment}: ${summary.stopped ? 'stopped (run the same command to resume)' : 'finished'} in ` +
      `${formatDuration(summary.elapsedSeconds)} with ${summary.threads} evaluator thread(s); store ${summary.store.location}`,
  ];
  for (const r of summary.runs) {
    const p = r.progress;
    const status = r.status === 'already-completed' ? 'already completed' : r.status;
    lines.push(
      `  run ${r.run} (seed ${r.seed}): ${status}${r.reason ? ` (${r.reason})` : ''}` +
        (p
          ? ` — ${p.completed}/${p.budget} pipelines, ${p.failed} failed, Pareto front ${p.paretoSize}` +
            (p.bestCompoundQuality !== null
              ? `, best compound quality ${p.bestCompoundQuality.toFixed(4)}`
              : '')
          : ''),
    );
  }
  lines.push(...renderWorkers(summary));
  return lines.join('\n') + '\n';
}

async function runWith(
  config: ExperimentConfig,
  o: RunCommandOptions,
  transport: Transport | undefined,
  threads: number,
): Promise<RunSummary> {
  const controller = new AbortController();
  const release = stopOnSignals(controller, 'the experiment');
  // Workers are worth reporting only when they are other processes.
  const display = o.quiet
    ? null
    : new ProgressDisplay({ stream: process.stderr, workers: transport !== undefined });
  try {
    return await runExperiment({
      config,
      storeDir: resolveStoreSpec(o.store, config.name),
      threads,
      signal: controller.signal,
      ...(transport ? { transport } : {}),
      ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
      ...(o.seedOffset !== undefined ? { seedOffset: o.seedOffset } : {}),
      ...(o.components !== undefined && o.components.length > 0 ? { componentModules: o.components } : {}),
      ...(display ? { onProgress: (p) => display.update(p), onEvent: (e) => display.event(e) } : {}),
    });
  } finally {
    display?.finish();
    release();
  }
}

/** The config, checked against the built-in components plus those of `--components`. */
async function loadWithComponents(configPath: string, o: RunCommandOptions): Promise<ExperimentConfig> {
  if (o.components === undefined || o.components.length === 0) return loadExperimentConfig(configPath);
  const extra = await loadComponentModules(resolveComponentModules(o.components));
  return loadExperimentConfig(configPath, createRegistry(extra));
}

export async function runCommand(configPath: string, o: RunCommandOptions): Promise<RunSummary> {
  return runWith(await loadWithComponents(configPath, o), o, undefined, o.workers ?? availableParallelism());
}

export async function coordinatorCommand(
  configPath: string,
  o: RunCommandOptions & NatsFlags & CoordinatorFlags,
): Promise<RunSummary> {
  const config = await loadWithComponents(configPath, o);
  const transport = await JetStreamTransport.connect({
    connection: natsConnection(o, `virnyflow-coordinator-${hostname()}`),
    prefix: o.prefix ?? DEFAULT_NATS_PREFIX,
    // The coordinator owns the delivery settings. Unacknowledged tasks never exceed the queue bound, and
    // queue_size ≥ num_workers, so this cap never idles a declared worker thread.
    maxAckPending: o.maxAckPending ?? config.queueSize,
    ...(o.ackWait !== undefined ? { ackWaitMs: o.ackWait } : {}),
    ...(o.maxDeliveries !== undefined ? { maxDeliveries: o.maxDeliveries } : {}),
  });
  try {
    // Workers evaluate; `--workers N` adds N evaluator threads in the coordinator's process too.
    return await runWith(config, o, transport, o.workers ?? 0);
  } finally {
    await transport.close();
  }
}

/**
 * Signals to a worker: the first SIGINT/SIGTERM drains (no new task, the running ones finish), the second
 * abandons the running ones (nak'ed back to another worker), the third exits at once.
 */
function leaveOnSignals(worker: { leave(how: 'drain' | 'stop'): void }, quiet: boolean): () => void {
  const say = (text: string): void => {
    if (!quiet) process.stderr.write(text);
  };
  return onSignals([
    (sig) => {
      say(`\n${sig}: draining (running pipelines finish; again to abandon them)\n`);
      worker.leave('drain');
    },
    (sig) => {
      say(`\n${sig}: abandoning running pipelines (again to exit at once)\n`);
      worker.leave('stop');
    },
  ]);
}

export async function workerCommand(o: NatsFlags & WorkerFlags): Promise<string> {
  const workerId = o.name ?? `${hostname()}-${process.pid}`;
  const transport = await JetStreamTransport.connect({
    connection: natsConnection(o, `virnyflow-worker-${workerId}`),
    prefix: o.prefix ?? DEFAULT_NATS_PREFIX,
    updateSettings: false,
  });
  const threads = o.threads ?? availableParallelism();
  const worker = await startWorker({
    transport,
    threads,
    workerId,
    ...(o.heartbeat !== undefined ? { heartbeatMs: o.heartbeat } : {}),
    ...datasetCacheDir(o.datasetCache),
  });
  if (!o.quiet) process.stderr.write(`worker ${workerId}: ${threads} thread(s), waiting for tasks\n`);
  const release = leaveOnSignals(worker, o.quiet ?? false);
  const how = await worker.left;
  release();
  if (!o.quiet) process.stderr.write(`worker ${workerId}: ${how === 'drain' ? 'drained' : 'stopped'}\n`);
  const stats = await worker.stats();
  await worker.stop();
  await transport.close();
  return `worker ${workerId} stopped: ${JSON.stringify(stats)}\n`;
}
