/**
 * The distributed deployment under load: a real `nats-server -js` (file storage) spawned by the test
 * harness, the coordinator in this process (JetStream transport, SQLite store), and worker *processes*
 * running the bundled `virnyflow worker` (scripts/bundle.ts) on loopback.
 *
 *   pnpm bench:cluster [--counts 1,8,32,128] [--tasks-per-worker 20] [--sleep-ms 200] [--noop 600]
 *                      [--only a,b,c]
 *
 * A. Orchestration throughput: no-op pipelines through coordinator → JetStream → worker → JetStream →
 *    store, 2 worker processes × 1 thread; tasks/s in steady state and the per-task overhead, beside the
 *    same experiment embedded (in-process transport, 2 threads).
 * B. Simulated scale: 1, 8, 32, 128 worker processes × 1 thread running fixed sleep pipelines (200 ms),
 *    `tasks-per-worker` tasks each. Parallel efficiency = Σ task time / (workers × wall), wall from the
 *    run's start (first task created) to its last recorded observation; worker start-up is excluded
 *    (they are all connected, threads loaded, before the run starts). Steady efficiency is the same ratio
 *    between the 10 % and the 90 % observation (no ramp-up, no last-round imbalance). CPU ms/task is
 *    what each party used during the run (from /proc) per task: on one machine their sum bounds the
 *    throughput at (cores / CPU per task).
 * C. A real experiment (configs/demo.yaml, budget 24) embedded with 2 threads vs over NATS with
 *    2 local worker processes × 1 thread. "run" rates include the start of the pipeline threads (slower
 *    embedded: this process runs the TypeScript sources through tsx, the workers are bundled); "steady"
 *    is the rate between the 10 % and the 90 % observation.
 *
 * Environment: BENCH_WORKER_NODE_ARGS (extra node flags for the workers, e.g. `--cpu-prof`),
 * BENCH_WORKER_NICE (their nice value, default 0), BENCH_TRACE=1 (progress lines on stderr).
 *
 * The advisor is `random` in A and B so that the figures are the orchestration's own (Bayesian
 * optimisation costs the same embedded or distributed and is measured by bench:optimizer).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, freemem, loadavg, setPriority, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExperimentConfig } from '@virnyflow/core';
import { loadConfigFile } from '@virnyflow/core';
import type { RunExperimentOptions, SyntheticPipeline } from '@virnyflow/engine';
import { createRegistry, runExperiment } from '@virnyflow/engine';
import { JetStreamTransport, NatsServer } from '@virnyflow/runtime';
import { bundle } from '../scripts/bundle';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    counts: { type: 'string', default: '1,8,32,128' },
    'tasks-per-worker': { type: 'string', default: '20' },
    'sleep-ms': { type: 'string', default: '200' },
    noop: { type: 'string', default: '600' },
    only: { type: 'string', default: 'a,b,c' },
  },
});
const COUNTS = args.counts.split(',').map(Number);
const PER_WORKER = Number(args['tasks-per-worker']);
const SLEEP_MS = Number(args['sleep-ms']);
const NOOP_N = Number(args.noop);
const ONLY = new Set(args.only.split(','));
/** Nice value of the worker processes (see `startWorkers`); `BENCH_WORKER_NICE=0` for equal priority. */
const WORKER_NICE = Number(process.env.BENCH_WORKER_NICE ?? 0);
/** Extra node flags for the worker processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (profiling). */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

const registry = createRegistry();
const demo = loadConfigFile(join(ROOT, 'configs', 'demo.yaml'), { registry });

function benchConfig(name: string, budget: number, workers: number, random: boolean): ExperimentConfig {
  return {
    ...demo,
    name,
    runNums: [1],
    maxTotalPipelinesNum: budget,
    maxTrials: budget,
    numWorkers: workers,
    numPpCandidates: Math.min(workers, 4),
    queueSize: 3 * workers,
    trainingSetFractionsForHalting: [1],
    ...(random ? { optimizer: { ...demo.optimizer, surrogateType: 'random' as const } } : {}),
  };
}

interface Cpu {
  /** CPU seconds used during the run by the coordinator (this process), all workers, and nats-server. */
  readonly coordinator: number;
  readonly workers: number;
  readonly nats: number;
}

interface Timed {
  /** Run start (first task created) to the last recorded observation, s. */
  readonly runSeconds: number;
  /** Rate between the 10 % and 90 % observations, tasks/s. */
  readonly steadyPerSecond: number;
  readonly completed: number;
  readonly cpu?: Cpu;
  /** Seconds from the run's start to the first, the 10 % and the 90 % observation. */
  readonly marks: readonly [number, number, number];
}

async function timedRun(options: RunExperimentOptions & { config: ExperimentConfig }): Promise<Timed> {
  const dir = mkdtempSync(join(tmpdir(), 'vf-bench-cluster-'));
  let start = 0;
  const stamps: number[] = [];
  let last = 0;
  try {
    const summary = await runExperiment({
      ...options,
      storeDir: dir,
      tickMs: 1_000,
      onEvent: (e) => {
        if (e.type === 'run-start') start = performance.now();
      },
      onProgress: (p) => {
        if (process.env.BENCH_TRACE)
          process.stderr.write(
            `${((performance.now() - start) / 1000).toFixed(2)} created ${p.tasksCreated} inFlight ${p.inFlight} done ${p.completed} workers ${p.workers?.connected}\n`,
          );
        while (last < p.completed) {
          last++;
          stamps.push(performance.now());
        }
      },
    });
    const n = stamps.length;
    const lo = stamps[Math.floor(n * 0.1)] ?? start;
    const hi = stamps[Math.max(0, Math.ceil(n * 0.9) - 1)] ?? start;
    const steadyCount = Math.max(1, Math.ceil(n * 0.9) - 1 - Math.floor(n * 0.1));
    const completed = summary.runs[0]?.progress?.completed ?? n;
    return {
      marks: [((stamps[0] ?? start) - start) / 1000, (lo - start) / 1000, (hi - start) / 1000],
      runSeconds: ((stamps[n - 1] ?? start) - start) / 1000,
      steadyPerSecond: hi > lo ? steadyCount / ((hi - lo) / 1000) : NaN,
      completed,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Worker processes of the bundled CLI; resolves once every one is waiting for tasks. */
async function startWorkers(
  entry: string,
  url: string,
  prefix: string,
  count: number,
): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  // Start in batches so that 128 start-ups do not starve each other of CPU for minutes.
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [
        ...WORKER_NODE_ARGS,
        entry,
        'worker',
        '--nats',
        url,
        '--prefix',
        prefix,
        '--threads',
        '1',
        '--name',
        `w${i + 1}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(child);
    // On a cluster, workers run on other nodes; here they share two cores with the coordinator and the
    // NATS server. Lower priority keeps 128 of them from taking the coordinator's (serial) share of CPU.
    if (child.pid !== undefined) setPriority(child.pid, WORKER_NICE);
    ready.push(
      new Promise<void>((res, rej) => {
        let err = '';
        child.stderr?.on('data', (b: Buffer) => {
          err += b.toString();
          if (err.includes('waiting for tasks')) res();
        });
        child.once('exit', (code) => rej(new Error(`worker w${i + 1} exited with ${code}: ${err}`)));
      }),
    );
    if ((i + 1) % 16 === 0) await Promise.all(ready.slice(i + 1 - 16, i + 1));
  }
  await Promise.all(ready);
  // Let the last ones finish what a fresh process does after it is ready (JIT, GC of start-up garbage,
  // first heartbeats) so that the run measures the steady system, not 128 start-ups.
  await waitForQuiet(children);
  return children;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of this process so far. */
const ownCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Waits (at most 20 s) until the workers together use less than 5 % of a core over half a second. */
async function waitForQuiet(children: ChildProcess[]): Promise<void> {
  const total = (): number => children.reduce((a, c) => a + cpuSeconds(c.pid), 0);
  const t0 = Date.now();
  let before = total();
  while (Date.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = total();
    if (!Number.isFinite(now) || now - before < 0.025) return;
    before = now;
  }
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          // SIGTERM drains (nothing runs now) and exits cleanly; SIGKILL if that takes too long.
          const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(timer);
            res();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

let prefixes = 0;
async function overNats(
  server: NatsServer,
  entry: string,
  workers: number,
  config: ExperimentConfig,
  synthetic: SyntheticPipeline | undefined,
): Promise<Timed> {
  const prefix = `bench_cluster_${process.pid}_${++prefixes}`;
  const transport = await JetStreamTransport.connect({
    connection: { servers: server.url, name: 'bench-coordinator' },
    prefix,
    maxAckPending: config.queueSize,
  });
  const children = await startWorkers(entry, server.url, prefix, workers);
  const workerCpu = (): number => children.reduce((a, c) => a + cpuSeconds(c.pid), 0);
  const before = { coordinator: ownCpuSeconds(), workers: workerCpu(), nats: cpuSeconds(server.pid) };
  try {
    const r = await timedRun({ config, threads: 0, transport, ...(synthetic ? { synthetic } : {}) });
    return {
      ...r,
      cpu: {
        coordinator: ownCpuSeconds() - before.coordinator,
        workers: workerCpu() - before.workers,
        nats: cpuSeconds(server.pid) - before.nats,
      },
    };
  } finally {
    await stopWorkers(children);
    await transport.destroy();
    await transport.close();
  }
}

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');

async function main(): Promise<void> {
  console.log('# bench/cluster.bench.ts');
  console.log(
    `command: pnpm bench:cluster --counts ${COUNTS.join(',')} --tasks-per-worker ${PER_WORKER} ` +
      `--sleep-ms ${SLEEP_MS} --noop ${NOOP_N} --only ${[...ONLY].join(',')}`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB ` +
      `(${(freemem() / 2 ** 30).toFixed(0)} free), node ${process.version}, load average ` +
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
  );
  const bundleDir = mkdtempSync(join(tmpdir(), 'vf-bench-bundle-'));
  const entry = await bundle(bundleDir);
  const server = await NatsServer.start();
  try {
    if (ONLY.has('a')) {
      console.log('\n## A. orchestration throughput, no-op pipelines (random advisor)\n');
      console.log(
        '| path | workers × threads | tasks | run s | tasks/s (run) | tasks/s (steady) | ms/task |',
      );
      console.log('|---|---|---|---|---|---|---|');
      const rows: [string, string, Timed][] = [];
      const embedded = await timedRun({
        config: benchConfig('bench-noop-embedded', NOOP_N, 16, true),
        threads: 2,
        synthetic: { sleepMs: 0 },
      });
      rows.push(['embedded (in-process)', '1 × 2', embedded]);
      const nats = await overNats(server, entry, 2, benchConfig('bench-noop-nats', NOOP_N, 16, true), {
        sleepMs: 0,
      });
      rows.push(['NATS JetStream', '2 × 1', nats]);
      for (const [path, shape, r] of rows) {
        console.log(
          `| ${path} | ${shape} | ${r.completed} | ${f(r.runSeconds, 2)} | ${f(r.completed / r.runSeconds)} | ` +
            `${f(r.steadyPerSecond)} | ${f((1000 * r.runSeconds) / r.completed, 2)} |`,
        );
      }
    }

    if (ONLY.has('b')) {
      console.log(
        `\n## B. simulated scale: ${SLEEP_MS} ms sleep pipelines, ${PER_WORKER} per worker (random advisor)\n`,
      );
      console.log(
        '| worker processes | tasks | ideal s | run s | first / 10 % / 90 % obs at s | tasks/s | ' +
          'parallel efficiency | steady efficiency | CPU ms/task: coordinator | workers | nats-server |',
      );
      console.log('|---|---|---|---|---|---|---|---|---|---|---|');
      for (const w of COUNTS) {
        const n = w * PER_WORKER;
        const r = await overNats(server, entry, w, benchConfig(`bench-scale-${w}`, n, w, true), {
          sleepMs: SLEEP_MS,
        });
        const ideal = (n * SLEEP_MS) / 1000 / w;
        const per = (s: number | undefined): string => f(((s ?? NaN) * 1000) / r.completed, 2);
        console.log(
          `| ${w} | ${r.completed} | ${f(ideal, 2)} | ${f(r.runSeconds, 2)} | ` +
            `${r.marks.map((m) => f(m, 2)).join(' / ')} | ${f(r.completed / r.runSeconds)} | ` +
            `${f((100 * ideal) / r.runSeconds)} % | ${f((100 * r.steadyPerSecond * SLEEP_MS) / 1000 / w)} % | ` +
            `${per(r.cpu?.coordinator)} | ${per(r.cpu?.workers)} | ` +
            `${per(r.cpu?.nats)} |`,
        );
      }
    }

    if (ONLY.has('c')) {
      console.log('\n## C. the demo experiment (budget 24, configured BO): embedded vs NATS, 2 workers\n');
      console.log(
        '| path | workers × threads | pipelines | run s | pipelines/min (run) | pipelines/min (steady) |',
      );
      console.log('|---|---|---|---|---|---|');
      const config = (name: string): ExperimentConfig => ({
        ...demo,
        name,
        maxTotalPipelinesNum: 24,
        maxTrials: 24,
      });
      const embedded = await timedRun({ config: config('bench-demo-embedded'), threads: 2 });
      const nats = await overNats(server, entry, 2, config('bench-demo-nats'), undefined);
      for (const [path, shape, r] of [
        ['embedded', '1 × 2', embedded],
        ['NATS JetStream', '2 × 1', nats],
      ] as const) {
        console.log(
          `| ${path} | ${shape} | ${r.completed} | ${f(r.runSeconds, 1)} | ${f((60 * r.completed) / r.runSeconds)} | ` +
            `${f(60 * r.steadyPerSecond)} |`,
        );
      }
      console.log(`\nNATS / embedded run time: ${f(nats.runSeconds / embedded.runSeconds, 2)}×`);
    }
  } finally {
    await server.cleanup();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

await main();
