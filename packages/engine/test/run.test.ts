import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cellValue, generateDemoDataset, splitDataset } from '@virnyflow/data';
import { InProcessTransport } from '@virnyflow/runtime';
import { openStore } from '@virnyflow/store';
import { exportBestPipeline, parseArtifact, predictCsv, predictWithArtifact } from '../src/artifact';
import { EngineErrorCode } from '../src/errors';
import { createRegistry, loadComponentModules } from '../src/registry';
import { buildReport, getStatus } from '../src/report';
import { runExperiment } from '../src/run';
import type { RunProgress } from '../src/types';
import { FLAKY_MODULE, demoConfig, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('runExperiment (embedded: SQLite store, in-process transport, thread pool)', () => {
  it('runs the demo end to end with an exact budget, reports it, and exports a pipeline that predicts', async () => {
    const storeDir = dirs.make();
    const config = demoConfig({ name: 'e2e', budget: 6 });
    const progress: RunProgress[] = [];
    const summary = await runExperiment({
      config,
      storeDir,
      threads: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(summary.stopped).toBe(false);
    expect(summary.runs).toHaveLength(1);
    expect(summary.runs[0]).toMatchObject({ run: 1, seed: 101, status: 'completed', reason: 'budget' });
    expect(progress[progress.length - 1]).toMatchObject({
      completed: 6,
      tasksCreated: 6,
      inFlight: 0,
      budget: 6,
    });

    const store = await openStore(storeDir);
    try {
      const key = { experiment: 'e2e', run: 1 };
      const obs = await store.listObservations(key);
      const tasks = await store.listTasks(key);
      expect(obs).toHaveLength(6);
      expect(tasks.map((t) => t.taskId).sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `e2e:1:${i}`).sort());
      expect(tasks.every((t) => t.status === 'done' && t.attempts === 1)).toBe(true);
      expect(obs.every((o) => o.status === 'ok')).toBe(true);
      const exp = await store.getExperiment(key);
      const bestQ = Math.max(...obs.map((o) => o.compoundQuality as number));
      expect(exp).toMatchObject({ status: 'completed', bestCompoundQuality: bestQ });
      expect(exp?.activeSeconds).toBeGreaterThan(0);
      const lps = await store.listLogicalPipelines(key);
      expect(lps.reduce((n, l) => n + l.numTrials, 0)).toBe(6);
      for (const lp of lps) {
        const mine = obs.filter((o) => o.lpUuid === lp.uuid);
        expect(lp.numCompleted).toBe(mine.length);
        if (mine.length > 0) expect(lp.surrogateType).not.toBeNull();
      }

      const status = await getStatus(store, 'e2e');
      expect(status.runs[0]).toMatchObject({
        run: 1,
        state: 'completed',
        completed: 6,
        failed: 0,
        budget: 6,
      });
      const report = await buildReport(store, 'e2e', 1);
      expect(report.logical_pipelines.map((l) => l.model)).toEqual(['dt_clf', 'lr_clf']);
      expect(report.observations).toHaveLength(6);
      expect(report.best_per_logical_pipeline.length).toBeGreaterThan(0);
      for (const b of report.best_per_logical_pipeline) {
        expect(b.metrics.test.length).toBeGreaterThan(50);
        expect(b.metrics.train.length).toBe(b.metrics.test.length);
      }
      const front = report.pareto_front;
      expect(front.length).toBeGreaterThan(0);
      for (const p of front) {
        for (const o of report.observations) {
          const w = o.weighted as number[];
          const q = p.weighted as number[];
          const dominates = w.every((v, j) => v <= q[j]) && w.some((v, j) => v < q[j]);
          expect(dominates).toBe(false);
        }
      }
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);

      // Export: refitted on the full training split with the recorded seed; with no halting and no bootstrap
      // that is the evaluated model itself, so it reproduces the recorded test F1 exactly.
      const artifact = parseArtifact(JSON.parse(JSON.stringify(await exportBestPipeline(store, 'e2e', 1))));
      const best = obs.find((o) => o.taskId === exp?.bestTaskId);
      expect(artifact.task_id).toBe(best?.taskId);
      const ds = generateDemoDataset();
      const split = splitDataset(ds, 101);
      const pred = predictWithArtifact(artifact, split.rawTest);
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = 0; i < pred.labels.length; i++) {
        if (pred.labels[i] === 1 && split.yTest[i] === 1) tp++;
        else if (pred.labels[i] === 1) fp++;
        else if (split.yTest[i] === 1) fn++;
      }
      const metrics = await store.getMetrics(artifact.task_id);
      const f1 = metrics.find((m) => m.split === 'test' && m.metric === 'F1' && m.group === 'overall')?.value;
      expect((2 * tp) / (2 * tp + fp + fn)).toBeCloseTo(f1 as number, 12);

      // The same rows through a CSV file (text in, types from the artifact).
      const cols = artifact.input_columns.map((c) => c.name);
      const lines = [cols.join(',')];
      for (let i = 0; i < 50; i++) {
        lines.push(cols.map((c) => String(cellValue(split.rawTest.column(c), i) ?? '')).join(','));
      }
      const csv = join(storeDir, 'rows.csv');
      writeFileSync(csv, `${lines.join('\n')}\n`);
      const fromCsv = await predictCsv(artifact, csv);
      expect(Array.from(fromCsv.labels)).toEqual(Array.from(pred.labels.subarray(0, 50)));
      for (let i = 0; i < 50; i++) expect(fromCsv.probabilities[i]).toBeCloseTo(pred.probabilities[i], 12);
    } finally {
      await store.close();
    }

    // Running the same experiment again finds it completed and does nothing.
    const again = await runExperiment({ config, storeDir, threads: 1 });
    expect(again.runs[0]).toMatchObject({ run: 1, status: 'already-completed' });
    const check = await openStore(storeDir);
    expect((await check.countObservations({ experiment: 'e2e', run: 1 })).total).toBe(6);
    await check.close();
  }, 120_000);

  it("refuses the 'None' imputer with missing values and a model that cannot take them, before running", async () => {
    const config = demoConfig({ name: 'nulls', imputers: [], models: ['dt_clf', 'lr_clf'] });
    await expect(runExperiment({ config, storeDir: dirs.make(), threads: 1 })).rejects.toMatchObject({
      code: EngineErrorCode.MissingValuesUnsupported,
      details: { pipelines: ['None&NO_FAIRNESS_INTERVENTION&lr_clf'] },
    });
  });

  it('records a throwing component as failed observations and keeps going; max_trials is exact per pipeline', async () => {
    const storeDir = dirs.make();
    const registry = createRegistry(await loadComponentModules([FLAKY_MODULE]));
    const config = demoConfig(
      { name: 'flaky', models: ['dt_clf', 'flaky_clf'], budget: null, maxTrials: 3, runNums: '[1, 2]' },
      registry,
    );
    const summary = await runExperiment({ config, storeDir, threads: 1, componentModules: [FLAKY_MODULE] });
    expect(summary.runs.map((r) => [r.run, r.seed, r.status, r.reason])).toEqual([
      [1, 101, 'completed', 'exhausted'],
      [2, 102, 'completed', 'exhausted'],
    ]);
    const store = await openStore(storeDir);
    try {
      const run2 = await store.listObservations({ experiment: 'flaky', run: 2 });
      expect(run2).toHaveLength(6);
      expect(run2.every((o) => o.taskId.startsWith('flaky:2:'))).toBe(true);
      const key = { experiment: 'flaky', run: 1 };
      const obs = await store.listObservations(key);
      expect(obs).toHaveLength(6);
      const failed = obs.filter((o) => o.status === 'failed');
      expect(failed).toHaveLength(3);
      expect(
        failed.every((o) => o.lpName.endsWith('flaky_clf') && o.failure?.code === 'VF_TEST_FLAKY_MODEL'),
      ).toBe(true);
      expect(obs.filter((o) => o.status === 'ok').every((o) => o.lpName.endsWith('dt_clf'))).toBe(true);
      const tasks = await store.listTasks(key);
      expect(tasks.filter((t) => t.status === 'failed')).toHaveLength(3);
      const lps = await store.listLogicalPipelines(key);
      expect(lps.map((l) => [l.numTrials, l.numCompleted])).toEqual([
        [3, 3],
        [3, 3],
      ]);
      const status = await getStatus(store, 'flaky');
      expect(status.runs.map((r) => [r.run, r.state, r.completed, r.failed, r.budget])).toEqual([
        [1, 'completed', 6, 3, 6],
        [2, 'completed', 6, 3, 6],
      ]);
    } finally {
      await store.close();
    }
    // The same name with another config does not silently continue the stored run.
    const changed = demoConfig({ name: 'flaky', models: ['dt_clf'], budget: null, maxTrials: 3 }, registry);
    await expect(runExperiment({ config: changed, storeDir, threads: 0 })).rejects.toMatchObject({
      code: EngineErrorCode.ConfigMismatch,
    });
    const after = await openStore(storeDir);
    expect((await after.countObservations({ experiment: 'flaky', run: 1 })).total).toBe(6);
    await after.close();
  }, 120_000);

  it('a task whose thread dies on every delivery is dead-lettered and recorded as failed', async () => {
    const storeDir = dirs.make();
    const registry = createRegistry(await loadComponentModules([FLAKY_MODULE]));
    const config = demoConfig(
      { name: 'crash', models: ['dt_clf', 'crash_clf'], budget: null, maxTrials: 1 },
      registry,
    );
    const transport = new InProcessTransport({ maxDeliveries: 2 });
    try {
      const summary = await runExperiment({
        config,
        storeDir,
        threads: 1,
        transport,
        componentModules: [FLAKY_MODULE],
      });
      expect(summary.runs[0]).toMatchObject({ status: 'completed', reason: 'exhausted' });
    } finally {
      await transport.close();
    }
    const store = await openStore(storeDir);
    try {
      const obs = await store.listObservations({ experiment: 'crash', run: 1 });
      expect(obs.map((o) => [o.lpName.split('&')[2], o.status, o.failure?.code ?? null]).sort()).toEqual([
        ['crash_clf', 'failed', EngineErrorCode.DeadLettered],
        ['dt_clf', 'ok', null],
      ]);
      const crashed = (await store.listTasks({ experiment: 'crash', run: 1 })).find((t) =>
        t.lpName.endsWith('crash_clf'),
      );
      expect(crashed?.status).toBe('failed');
    } finally {
      await store.close();
    }
  }, 120_000);

  it('stops on a signal leaving a resumable run; max_time_budget counts stored active time across sessions', async () => {
    const storeDir = dirs.make();
    const config = demoConfig({ name: 'timed', budget: 40, timeBudget: 60 });
    const controller = new AbortController();
    const first = await runExperiment({
      config,
      storeDir,
      threads: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.completed >= 2) controller.abort();
      },
    });
    expect(first.stopped).toBe(true);
    expect(first.runs[0].status).toBe('stopped');
    const key = { experiment: 'timed', run: 1 };
    let store = await openStore(storeDir);
    const before = await store.countObservations(key);
    const tasksBefore = await store.countTasks(key);
    expect(before.total).toBeGreaterThanOrEqual(2);
    expect(before.total).toBeLessThan(40);
    expect((await store.getExperiment(key))?.status).toBe('stopped');
    // As if the first session had run for a minute: the budget is spent.
    await store.addActiveSeconds(key, 60);
    await store.close();

    const second = await runExperiment({ config, storeDir, threads: 1 });
    expect(second.runs[0]).toMatchObject({ status: 'completed', reason: 'time' });
    store = await openStore(storeDir);
    try {
      const tasks = await store.listTasks(key);
      const total = tasksBefore.queued + tasksBefore.running + tasksBefore.done + tasksBefore.failed;
      // No new task after the budget; the ones in flight at the stop were finished and recorded once.
      expect(tasks).toHaveLength(total);
      expect(tasks.every((t) => t.status === 'done' || t.status === 'failed')).toBe(true);
      expect((await store.countObservations(key)).total).toBe(total);
    } finally {
      await store.close();
    }
  }, 120_000);
});
