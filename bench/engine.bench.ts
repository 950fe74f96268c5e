/**
 * Engine throughput, embedded (SQLite store, in-process transport, thread pool).
 *
 *   VIRNYFLOW_DATA_DIR=… npx tsx bench/engine.bench.ts
 *   env: BENCH_DIABETES_N (default 8), BENCH_HEART_N (4), BENCH_NOOP_N (200), BENCH_THREADS ("1,2")
 *
 * A. Pipelines per minute on `configs/diabetes.yaml` and `configs/heart.yaml` (budget cut to N pipelines,
 *    run 1 only) with 1 and 2 evaluator threads. Baseline: the naive way — the very same physical
 *    pipelines (read back from the store) evaluated one after another in this thread with `evaluateTask`,
 *    no actors, no transport, no store. `speed-up` = naive time / engine wall time (thread start-up
 *    included); `steady` is the rate between the first and the last observation.
 * B. The engine's own cost per task: no-op pipelines (`synthetic: { sleepMs: 0 }`) on the demo config,
 *    so everything measured is scheduling, the advisor's suggestions, store writes, transport and thread
 *    hand-off; once with the configured Bayesian optimisation and once with a random advisor (the
 *    orchestration alone). Baseline: the same no-op evaluation called directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig, LogicalPipeline, TaskMessage } from '@virnyflow/core';
import { MESSAGE_VERSION, enumerateLogicalPipelines, loadConfigFile } from '@virnyflow/core';
import {
  SplitCache,
  buildContext,
  createRegistry,
  datasetTables,
  evaluateTask,
  loadExperimentDataset,
  prepareDataset,
  runExperiment,
} from '@virnyflow/engine';
import { openStore } from '@virnyflow/store';

const ROOT = resolve(import.meta.dirname, '..');
const THREADS = (process.env.BENCH_THREADS ?? '1,2').split(',').map(Number);
const registry = createRegistry();

interface Row {
  readonly name: string;
  readonly threads: number;
  readonly n: number;
  readonly seconds: number;
  readonly perMinute: number;
  readonly steadyPerMinute: number | null;
  readonly baselineSeconds: number;
  /** Sum of the pipelines' own times, measured inside the threads. */
  readonly pipelineSeconds: number;
  /** From the call to the first observation, minus that pipeline's own time. */
  readonly startupSeconds: number;
}

function withBudget(config: ExperimentConfig, name: string, n: number): ExperimentConfig {
  return { ...config, name, runNums: [1], maxTotalPipelinesNum: n, maxTrials: n };
}

interface EngineResult {
  readonly seconds: number;
  readonly steady: number | null;
  readonly tasks: TaskMessage[];
  readonly pipelineSeconds: number;
  readonly startupSeconds: number;
}

async function engineRun(
  config: ExperimentConfig,
  threads: number,
  synthetic?: { sleepMs: number },
): Promise<EngineResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vf-bench-engine-'));
  try {
    const stamps: number[] = [];
    let last = 0;
    const t0 = performance.now();
    await runExperiment({
      config,
      storeDir: dir,
      threads,
      ...(synthetic ? { synthetic } : {}),
      onProgress: (p) => {
        if (p.completed > last) {
          last = p.completed;
          stamps.push(performance.now());
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const steady =
      stamps.length > 1 ? ((stamps.length - 1) / (stamps[stamps.length - 1] - stamps[0])) * 60_000 : null;
    const store = await openStore(dir);
    const obs = await store.listObservations({ experiment: config.name, run: 1 });
    const tasks = await Promise.all(obs.map((o) => store.getTask(o.taskId)));
    await store.close();
    const lps = new Map(enumerateLogicalPipelines(config).map((l) => [l.uuid, l]));
    return {
      seconds,
      steady,
      pipelineSeconds: obs.reduce((a, o) => a + o.elapsedSeconds, 0),
      startupSeconds:
        stamps.length > 0 && obs.length > 0 ? (stamps[0] - t0) / 1000 - obs[0].elapsedSeconds : 0,
      tasks: tasks.map((t, i) =>
        taskMessage(
          config,
          lps.get(obs[i].lpUuid) as LogicalPipeline,
          t?.seed ?? 101,
          obs[i].config as TaskMessage['configuration'],
        ),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function taskMessage(
  config: ExperimentConfig,
  lp: LogicalPipeline,
  seed: number,
  configuration: TaskMessage['configuration'],
): TaskMessage {
  return {
    version: MESSAGE_VERSION,
    taskId: 'naive',
    experiment: config.name,
    runNum: 1,
    lpUuid: lp.uuid,
    lpName: lp.name,
    components: { ...lp.components },
    configuration,
    seed,
    objectives: config.objectives,
    bestCompoundQuality: null,
    attempt: 1,
  };
}

/** The naive baseline: the same tasks evaluated one by one in this thread. */
async function naive(
  config: ExperimentConfig,
  tasks: TaskMessage[],
  synthetic?: { sleepMs: number },
): Promise<number> {
  const dataset = await loadExperimentDataset(config);
  const tables = datasetTables(prepareDataset(dataset));
  const context = {
    ...buildContext(config, { name: dataset.name, hash: 'naive', testSetFraction: dataset.testSetFraction }),
    synthetic: synthetic ?? null,
  };
  const splits = new SplitCache();
  const t0 = performance.now();
  for (const task of tasks)
    await evaluateTask({ task, context, data: tables, registry, workerId: 'naive', splits });
  return (performance.now() - t0) / 1000;
}

async function datasetRows(file: string, n: number): Promise<Row[]> {
  const base = loadConfigFile(join(ROOT, 'configs', file), { registry });
  const rows: Row[] = [];
  for (const threads of THREADS) {
    const config = withBudget(base, `bench-${base.dataset}-${threads}t`, n);
    const r = await engineRun(config, threads);
    const baselineSeconds = await naive(config, r.tasks);
    rows.push({
      name: base.dataset,
      threads,
      n: r.tasks.length,
      seconds: r.seconds,
      perMinute: (r.tasks.length / r.seconds) * 60,
      steadyPerMinute: r.steady,
      baselineSeconds,
      pipelineSeconds: r.pipelineSeconds,
      startupSeconds: r.startupSeconds,
    });
    process.stderr.write(`  ${base.dataset} ${threads}t: ${r.seconds.toFixed(1)} s\n`);
  }
  return rows;
}

const fmt = (x: number | null, d = 1): string => (x === null ? '—' : x.toFixed(d));

/**
 * How much parallelism the machine gives right now: wall time of 2 threads each spinning a fixed loop,
 * over that of 1 (1.0 = two free cores; 2.0 = effectively one core, e.g. shared with other jobs).
 */
async function parallelismCheck(): Promise<number> {
  const src =
    'let x = 0; for (let i = 0; i < 2e8; i++) x += i % 7; require("node:worker_threads").parentPort.postMessage(x);';
  const time = async (n: number): Promise<number> => {
    const t = performance.now();
    await Promise.all(
      Array.from({ length: n }, () => new Promise((r) => new Worker(src, { eval: true }).once('message', r))),
    );
    return performance.now() - t;
  };
  await time(1);
  return (await time(2)) / (await time(1));
}

async function main(): Promise<void> {
  console.log('# bench/engine.bench.ts');
  console.log(`command: npx tsx bench/engine.bench.ts  (threads ${THREADS.join(', ')})`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `parallelism check: 2 spinning threads take ${(await parallelismCheck()).toFixed(2)}× the time of 1 ` +
      '(1.00 = two free cores)',
  );
  const rows: Row[] = [];
  if (process.env.VIRNYFLOW_DATA_DIR) {
    rows.push(...(await datasetRows('diabetes.yaml', Number(process.env.BENCH_DIABETES_N ?? 8))));
    rows.push(...(await datasetRows('heart.yaml', Number(process.env.BENCH_HEART_N ?? 4))));
    console.log('\n## A. pipelines per minute (same pipelines: engine vs naive serial loop)\n');
    console.log(
      '| dataset | threads | pipelines | engine wall s | start-up s | Σ pipeline s (in threads) | pipelines/min | ' +
        'steady/min | naive s | speed-up |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(
        `| ${r.name} | ${r.threads} | ${r.n} | ${fmt(r.seconds)} | ${fmt(r.startupSeconds)} | ` +
          `${fmt(r.pipelineSeconds)} | ${fmt(r.perMinute)} | ${fmt(r.steadyPerMinute)} | ${fmt(r.baselineSeconds)} | ` +
          `${fmt(r.baselineSeconds / r.seconds, 2)}× |`,
      );
    }
  } else {
    console.log('\n(A skipped: set VIRNYFLOW_DATA_DIR to the datasets directory)');
  }

  const n = Number(process.env.BENCH_NOOP_N ?? 200);
  const demo = loadConfigFile(join(ROOT, 'configs', 'demo.yaml'), { registry });
  console.log('\n## B. engine overhead per task (no-op pipelines, demo config)\n');
  console.log('| threads | advisor | tasks | wall s | ms/task (wall) | ms/task (steady) | direct ms/task |');
  console.log('|---|---|---|---|---|---|---|');
  for (const threads of THREADS) {
    // `auto`: the configured Bayesian optimisation (GP/forest + EHVI) suggests every task; `random`: the
    // advisor draws at random, leaving the orchestration alone (scheduling, store, transport, threads).
    for (const surrogate of ['auto', 'random'] as const) {
      const config = {
        ...withBudget(demo, `bench-noop-${threads}t-${surrogate}`, n),
        optimizer: { ...demo.optimizer, surrogateType: surrogate },
      };
      const r = await engineRun(config, threads, { sleepMs: 0 });
      const direct = await naive(config, r.tasks, { sleepMs: 0 });
      const steadyMs = r.steady === null ? null : 60_000 / r.steady;
      console.log(
        `| ${threads} | ${surrogate} | ${r.tasks.length} | ${fmt(r.seconds)} | ` +
          `${fmt((r.seconds / r.tasks.length) * 1000, 2)} | ${fmt(steadyMs, 2)} | ` +
          `${fmt((direct / r.tasks.length) * 1000, 3)} |`,
      );
    }
  }
}

await main();
