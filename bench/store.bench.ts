/**
 * Store write/read throughput on the embedded SQLite adapter.
 *
 *   npx tsx bench/store.bench.ts [observations=1000] [metricRowsPerObservation=200] [dir=$TMPDIR]
 *
 * Baseline: the naive way — the same rows written with one autocommit statement per row (no transaction
 * around an observation), measured on a tenth of the observations and reported per observation.
 * The store records each observation (its row, its metric rows, its task status) in one transaction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
// bench/ is not a workspace package, so it reaches the store through its source entry (its public index).
import {
  SQLITE_FILE_NAME,
  openSqliteStore,
  type ExperimentStore,
  type MetricRow,
  type NewObservation,
  type NewTask,
  type SqliteSynchronous,
} from '@virnyflow/store';

type Db = {
  pragma(s: string): unknown;
  prepare(sql: string): { run(...args: unknown[]): { lastInsertRowid: number | bigint } };
  close(): void;
};
const requireFromStore = createRequire(new URL('../packages/store/package.json', import.meta.url));
const Database = requireFromStore('better-sqlite3') as new (file: string) => Db;

const nObs = Number(process.argv[2] ?? 1000);
const nMetrics = Number(process.argv[3] ?? 200);
const baseDir = process.argv[4] ?? tmpdir();
const key = { experiment: 'bench', run: 1 };
const LP = 'Tm9uZSZOT19GQUlSTkVTU19JTlRFUlZFTlRJT04mbHJfY2xm';

function tasks(n: number): NewTask[] {
  return Array.from({ length: n }, (_, i) => ({
    taskId: `task-${i}`,
    ...key,
    lpUuid: LP,
    lpName: 'None&NO_FAIRNESS_INTERVENTION&lr_clf',
    config: { model__C: 0.1 * i, model__penalty: 'l2', model__max_iter: 100, imputer__strategy: null },
    seed: 100 + i,
  }));
}

function obs(t: NewTask, i: number): NewObservation {
  const q = (i % 89) / 100;
  return {
    taskId: t.taskId,
    experiment: t.experiment,
    run: t.run,
    lpUuid: t.lpUuid,
    lpName: t.lpName,
    config: t.config,
    status: 'ok',
    objectives: [1 - q, 0.1],
    weighted: [0.5 * (1 - q), 0.05],
    reversed: [q, 0.9],
    constraints: [0.05],
    compoundQuality: q,
    haltingFraction: 1,
    elapsedSeconds: 1.5,
    worker: 'w-0',
    failure: null,
  };
}

const GROUPS = [
  'overall',
  'SEX_priv',
  'SEX_dis',
  'RACE_priv',
  'RACE_dis',
  'SEX&RACE_priv',
  'SEX&RACE_dis',
  'AGE_dis',
];
function metrics(i: number): MetricRow[] {
  return Array.from({ length: nMetrics }, (_, j) => ({
    split: j % 2 === 0 ? 'test' : 'train',
    metric: `Metric_${Math.floor(j / (2 * GROUPS.length))}`,
    group: GROUPS[Math.floor(j / 2) % GROUPS.length],
    value: i + j / 7,
  }));
}

async function prepared(
  sync: SqliteSynchronous,
  n: number,
): Promise<{ store: ExperimentStore; dir: string }> {
  const dir = mkdtempSync(join(baseDir, 'vf-store-bench-'));
  const store = await openSqliteStore(dir, { synchronous: sync });
  await store.createExperiment({ ...key, config: {}, seed: 101 });
  await store.insertTasks(tasks(n));
  return { store, dir };
}

interface Row {
  what: string;
  n: number;
  seconds: number;
  /** User + system CPU seconds of this process over the same span: less sensitive to other load. */
  cpu: number;
}
const rows: Row[] = [];

/** Runs `fn`, recording wall and CPU time for `n` items under `what`. */
async function measure<T>(what: string, n: number, fn: () => T | Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  rows.push({ what, n, seconds, cpu: (c.user + c.system) / 1e6 });
  return out;
}

// ---- baseline: one autocommit statement per row ----------------------------------------------------
{
  const n = Math.max(1, Math.round(nObs / 10));
  const { store, dir } = await prepared('NORMAL', n);
  await store.close();
  const db = new Database(join(dir, SQLITE_FILE_NAME));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insObs = db.prepare(
    `INSERT INTO observations (task_id, experiment, run, lp_uuid, lp_name, config, status, objectives, weighted,
       reversed, constraints, compound_quality, halting_fraction, elapsed_seconds, worker, failure, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insMetric = db.prepare(
    'INSERT INTO metrics (observation, ord, split, metric, grp, value) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const close = db.prepare("UPDATE tasks SET status = 'done', updated_at = ? WHERE task_id = ?");
  const inputs = tasks(n).map((t, i) => ({ o: obs(t, i), m: metrics(i) }));
  await measure('naive: autocommit per row (NORMAL)', n, () => {
    for (const { o, m } of inputs) {
      const { lastInsertRowid } = insObs.run(
        o.taskId,
        o.experiment,
        o.run,
        o.lpUuid,
        o.lpName,
        JSON.stringify(o.config),
        o.status,
        JSON.stringify(o.objectives),
        JSON.stringify(o.weighted),
        JSON.stringify(o.reversed),
        JSON.stringify(o.constraints),
        o.compoundQuality,
        o.haltingFraction,
        o.elapsedSeconds,
        o.worker,
        null,
        Date.now(),
      );
      for (let j = 0; j < m.length; j++) {
        insMetric.run(lastInsertRowid, j, m[j].split, m[j].metric, m[j].group, m[j].value);
      }
      close.run(Date.now(), o.taskId);
    }
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

// ---- the store --------------------------------------------------------------------------------------
for (const sync of ['NORMAL', 'FULL'] as const) {
  const { store, dir } = await prepared(sync, nObs);
  const ts = tasks(nObs);
  const inputs = ts.map((t, i) => ({ o: obs(t, i), m: metrics(i) }));
  await measure(`store.recordObservation (${sync})`, nObs, async () => {
    for (const { o, m } of inputs) await store.recordObservation(o, m);
  });
  if (sync === 'NORMAL') {
    await measure('recordObservation, duplicate (no-op)', 100, async () => {
      for (const { o, m } of inputs.slice(0, 100)) await store.recordObservation(o, m);
    });
    const replay = await measure('listObservations (replay, read)', nObs, () => store.listObservations(key));
    if (replay.length !== nObs) throw new Error(`replay returned ${replay.length}`);
    await measure('getMetrics per task (read)', nObs, async () => {
      for (const t of ts) await store.getMetrics(t.taskId);
    });
    await measure('countObservations + bestPerLp', 100, async () => {
      for (let i = 0; i < 100; i++) {
        await store.countObservations(key);
        await store.bestObservationPerLogicalPipeline(key);
      }
    });
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const perItem = (r: Row): number => (r.seconds * 1000) / r.n;
const base = perItem(rows[0]);
console.log(
  `store bench — ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, node ${process.version}, dir ${baseDir}`,
);
console.log(
  `command: npx tsx bench/store.bench.ts ${nObs} ${nMetrics}${process.argv[4] ? ` ${baseDir}` : ''}`,
);
console.log(
  `${nMetrics} metric rows per observation; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other processes share the CPU; CPU s is this process only)\n`,
);
const pad = (s: string, w: number): string => s.padEnd(w);
console.log(
  `${pad('operation', 40)}${pad('n', 7)}${pad('wall s', 9)}${pad('CPU s', 9)}${pad('ms/item', 10)}vs naive`,
);
for (const r of rows) {
  console.log(
    `${pad(r.what, 40)}${pad(String(r.n), 7)}${pad(r.seconds.toFixed(3), 9)}${pad(r.cpu.toFixed(3), 9)}` +
      `${pad(perItem(r).toFixed(3), 10)}${(base / perItem(r)).toFixed(1)}x`,
  );
}
