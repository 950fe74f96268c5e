/**
 * `virnyflow run <config>` (embedded: coordinator, scheduler, advisors and evaluator threads in one process),
 * `virnyflow coordinator <config> --nats URL` and `virnyflow worker --nats URL` (distributed over NATS
 * JetStream). Ctrl+C stops cleanly and leaves a resumable state; the same command resumes.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { runExperiment, startWorker } from '@virnyflow/engine';
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

/** Aborts `controller` on the first Ctrl+C / SIGTERM; a second one exits at once. */
function stopOnSignals(controller: AbortController, what: string): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping ${what} cleanly (again to exit at once)\n`);
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
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
  return lines.join('\n') + '\n';
}

async function runWith(
  configPath: string,
  o: RunCommandOptions,
  transport: Transport | undefined,
  threads: number,
): Promise<RunSummary> {
  const config = loadExperimentConfig(configPath);
  const controller = new AbortController();
  const release = stopOnSignals(controller, 'the experiment');
  const display = o.quiet ? null : new ProgressDisplay({ stream: process.stderr });
  try {
    return await runExperiment({
      config,
      storeDir: resolveStoreSpec(o.store, config.name),
      threads,
      signal: controller.signal,
      ...(transport ? { transport } : {}),
      ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
      ...(o.seedOffset !== undefined ? { seedOffset: o.seedOffset } : {}),
      ...(display ? { onProgress: (p) => display.update(p), onEvent: (e) => display.event(e) } : {}),
    });
  } finally {
    display?.finish();
    release();
  }
}

export async function runCommand(configPath: string, o: RunCommandOptions): Promise<RunSummary> {
  return runWith(configPath, o, undefined, o.workers ?? availableParallelism());
}

export async function coordinatorCommand(
  configPath: string,
  o: RunCommandOptions & NatsFlags,
): Promise<RunSummary> {
  const transport = await JetStreamTransport.connect({
    connection: natsConnection(o, `virnyflow-coordinator-${hostname()}`),
    prefix: o.prefix ?? DEFAULT_NATS_PREFIX,
  });
  try {
    // Workers evaluate; `--workers N` adds N evaluator threads in the coordinator's process too.
    return await runWith(configPath, o, transport, o.workers ?? 0);
  } finally {
    await transport.close();
  }
}

export async function workerCommand(
  o: NatsFlags & { threads?: number; name?: string; quiet?: boolean },
): Promise<string> {
  const workerId = o.name ?? `${hostname()}-${process.pid}`;
  const transport = await JetStreamTransport.connect({
    connection: natsConnection(o, `virnyflow-worker-${workerId}`),
    prefix: o.prefix ?? DEFAULT_NATS_PREFIX,
  });
  const threads = o.threads ?? availableParallelism();
  const worker = await startWorker({ transport, threads, workerId });
  if (!o.quiet) process.stderr.write(`worker ${workerId}: ${threads} thread(s), waiting for tasks\n`);
  const controller = new AbortController();
  const release = stopOnSignals(controller, 'the worker');
  await new Promise<void>((done) =>
    controller.signal.addEventListener('abort', () => done(), { once: true }),
  );
  release();
  const stats = await worker.stats();
  await worker.stop();
  await transport.close();
  return `worker ${workerId} stopped: ${JSON.stringify(stats)}\n`;
}
