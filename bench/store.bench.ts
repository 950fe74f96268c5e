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
import { cpus, tmpdir } from 'node:os';
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
} from '../packages/store/src/index';

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
  perObsMs: number;
}
const rows: Row[] = [];

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
  const ts = tasks(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const o = obs(ts[i], i);
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
    const ms = metrics(i);
    for (let j = 0; j < ms.length; j++)
      insMetric.run(lastInsertRowid, j, ms[j].split, ms[j].metric, ms[j].group, ms[j].value);
    close.run(Date.now(), o.taskId);
  }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push({ what: 'naive: autocommit per row (NORMAL)', n, seconds, perObsMs: (seconds * 1000) / n });
}

// ---- the store --------------------------------------------------------------------------------------
for (const sync of ['NORMAL', 'FULL'] as const) {
  const { store, dir } = await prepared(sync, nObs);
  const ts = tasks(nObs);
  const inputs = ts.map((t, i) => ({ o: obs(t, i), m: metrics(i) }));
  const t0 = performance.now();
  for (const { o, m } of inputs) await store.recordObservation(o, m);
  const seconds = (performance.now() - t0) / 1000;
  rows.push({
    what: `store.recordObservation (${sync})`,
    n: nObs,
    seconds,
    perObsMs: (seconds * 1000) / nObs,
  });

  if (sync === 'NORMAL') {
    const t1 = performance.now();
    for (const { o, m } of inputs.slice(0, 100)) await store.recordObservation(o, m);
    const dupSeconds = (performance.now() - t1) / 1000;
    rows.push({
      what: 'recordObservation, duplicate (no-op)',
      n: 100,
      seconds: dupSeconds,
      perObsMs: dupSeconds * 10,
    });

    const t2 = performance.now();
    const replay = await store.listObservations(key);
    const listSeconds = (performance.now() - t2) / 1000;
    if (replay.length !== nObs) throw new Error(`replay returned ${replay.length}`);
    rows.push({
      what: 'listObservations (replay, read)',
      n: nObs,
      seconds: listSeconds,
      perObsMs: (listSeconds * 1000) / nObs,
    });

    const t3 = performance.now();
    for (const t of ts) await store.getMetrics(t.taskId);
    const metricSeconds = (performance.now() - t3) / 1000;
    rows.push({
      what: 'getMetrics per task (read)',
      n: nObs,
      seconds: metricSeconds,
      perObsMs: (metricSeconds * 1000) / nObs,
    });

    const t4 = performance.now();
    for (let i = 0; i < 100; i++) {
      await store.countObservations(key);
      await store.bestObservationPerLogicalPipeline(key);
    }
    const qSeconds = (performance.now() - t4) / 1000;
    rows.push({
      what: 'countObservations + bestPerLp (x100)',
      n: 100,
      seconds: qSeconds,
      perObsMs: qSeconds * 10,
    });
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const base = rows[0].perObsMs;
console.log(
  `store bench — ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, node ${process.version}, dir ${baseDir}`,
);
console.log(
  `command: npx tsx bench/store.bench.ts ${nObs} ${nMetrics}${process.argv[4] ? ` ${baseDir}` : ''}`,
);
console.log(`${nMetrics} metric rows per observation\n`);
const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad('operation', 40)}${pad('n', 7)}${pad('total s', 10)}${pad('ms/obs', 10)}vs naive`);
for (const r of rows) {
  console.log(
    `${pad(r.what, 40)}${pad(String(r.n), 7)}${pad(r.seconds.toFixed(3), 10)}${pad(r.perObsMs.toFixed(3), 10)}` +
      `${(base / r.perObsMs).toFixed(1)}x`,
  );
}
