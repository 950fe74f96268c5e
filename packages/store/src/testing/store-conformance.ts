/**
 * The conformance suite every `ExperimentStore` adapter must pass (vitest). Import it only from tests:
 *
 *   import { describeExperimentStore } from '@virnyflow/store/testing';
 *   describeExperimentStore('sqlite', { newLocation, dispose });
 *
 * Locations are specs `openStore` accepts (a directory, a mongodb:// URI), because the crash and race tests
 * hand them to real child processes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreErrorCode } from '../errors';
import type { ExperimentStore, JsonObject, NewTask, RunKey } from '../experiment-store';
import { openStore } from '../open-store';
import { LP_A, LP_B, logicalPipeline, metricRows, observation, task } from './fixtures';

export interface StoreFactory {
  /** Creates a fresh, empty location and returns its spec (a directory or a mongodb:// URI). */
  newLocation(): Promise<string>;
  /** Opens a location; several handles to one location may be open at once. Default: `openStore(spec)`. */
  open?(spec: string): Promise<ExperimentStore>;
  /** Removes what `newLocation` created. */
  dispose(spec: string): Promise<void>;
  /** Adapter-specific integrity check run after a process was killed mid-write (e.g. SQLite integrity_check). */
  verifyIntegrity?(spec: string): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./store-child.mjs', import.meta.url));

interface Child {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves when `n` lines have arrived (rejects if the child exits first). */
  waitLines(n: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const waiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(line);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (lines.length >= waiters[i].n) waiters.splice(i, 1)[0].resolve();
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) {
        w.reject(new Error(`child exited (${code ?? signal}) after ${lines.length} lines: ${stderr}`));
      }
      resolve({ code, signal });
    });
  });
  return {
    proc,
    lines,
    exited,
    waitLines: (n) =>
      lines.length >= n
        ? Promise.resolve()
        : new Promise((resolve, reject) => waiters.push({ n, resolve, reject })),
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

export function describeExperimentStore(name: string, factory: StoreFactory): void {
  describe(`ExperimentStore conformance: ${name}`, () => {
    let spec = '';
    let handles: ExperimentStore[] = [];
    const open = async (): Promise<ExperimentStore> => {
      const s = await (factory.open ? factory.open(spec) : openStore(spec));
      handles.push(s);
      return s;
    };
    const KEY: RunKey = { experiment: 'diabetes_f1_stability', run: 1 };

    /** A store with the run, two LPs and `n` tasks (the first `running` ones dispatched). */
    async function seeded(n: number, running = n): Promise<{ store: ExperimentStore; tasks: NewTask[] }> {
      const store = await open();
      await store.createExperiment({ ...KEY, config: { exp_config_name: KEY.experiment }, seed: 101 });
      await store.insertLogicalPipelines([logicalPipeline(KEY, LP_A), logicalPipeline(KEY, LP_B, 'dt_clf')]);
      const tasks = Array.from({ length: n }, (_, i) => task(KEY, i, i % 2 === 0 ? LP_A : LP_B));
      await store.insertTasks(tasks);
      for (const t of tasks.slice(0, running))
        await store.transitionTask(t.taskId, ['queued'], 'running', { attemptsInc: 1 });
      return { store, tasks };
    }

    beforeEach(async () => {
      spec = await factory.newLocation();
      handles = [];
    });

    afterEach(async () => {
      for (const h of handles) await h.close();
      await factory.dispose(spec);
    });

    describe('experiments', () => {
      it('creates a run once; a second create returns the stored run unchanged', async () => {
        const store = await open();
        const first = await store.createExperiment({ ...KEY, config: { a: 1 }, seed: 101 });
        expect(first.created).toBe(true);
        expect(first.experiment).toMatchObject({
          ...KEY,
          config: { a: 1 },
          status: 'created',
          seed: 101,
          startedAt: null,
          activeSeconds: 0,
          bestCompoundQuality: null,
          bestTaskId: null,
        });
        const second = await store.createExperiment({ ...KEY, config: { a: 2 }, seed: 999 });
        expect(second.created).toBe(false);
        expect(second.experiment).toEqual(first.experiment);
        expect(await store.getExperiment(KEY)).toEqual(first.experiment);
        await store.createExperiment({ ...KEY, run: 0, config: {}, seed: 100 });
        await store.createExperiment({ experiment: 'another', run: 0, config: {}, seed: 100 });
        expect((await store.listExperiments(KEY.experiment)).map((e) => e.run)).toEqual([0, 1]);
        expect((await store.listExperiments()).map((e) => `${e.experiment}/${e.run}`)).toEqual([
          'another/0',
          `${KEY.experiment}/0`,
          `${KEY.experiment}/1`,
        ]);
        expect(await store.getExperiment({ experiment: 'missing', run: 1 })).toBeNull();
      });

      it('transitions status only from the allowed states and sets startedAt once', async () => {
        const store = await open();
        await store.createExperiment({ ...KEY, config: {}, seed: 101 });
        expect(await store.transitionExperiment(KEY, ['running'], 'stopped')).toBe(false);
        expect((await store.getExperiment(KEY))?.status).toBe('created');
        expect(await store.transitionExperiment(KEY, ['created', 'stopped'], 'running')).toBe(true);
        const started = (await store.getExperiment(KEY))?.startedAt;
        expect(started).toEqual(expect.any(Number));
        expect(await store.transitionExperiment(KEY, ['running'], 'stopped')).toBe(true);
        expect(await store.transitionExperiment(KEY, ['created', 'stopped'], 'running')).toBe(true);
        const again = await store.getExperiment(KEY);
        expect(again?.status).toBe('running');
        expect(again?.startedAt).toBe(started);
        await expectCode(
          store.transitionExperiment({ ...KEY, run: 9 }, ['created'], 'running'),
          StoreErrorCode.NotFound,
        );
        await expectCode(
          store.transitionExperiment(KEY, ['bogus' as never], 'running'),
          StoreErrorCode.InvalidArgument,
        );
      });

      it('lets exactly one of two concurrent handles win a transition', async () => {
        const a = await open();
        const b = await open();
        for (let run = 0; run < 10; run++) {
          await a.createExperiment({ experiment: 'race', run, config: {}, seed: run });
        }
        for (let run = 0; run < 10; run++) {
          const key = { experiment: 'race', run };
          const wins = await Promise.all([
            a.transitionExperiment(key, ['created'], 'running'),
            b.transitionExperiment(key, ['created'], 'running'),
          ]);
          expect(wins.filter(Boolean)).toHaveLength(1);
        }
      });

      it('accumulates active seconds atomically', async () => {
        const a = await open();
        const b = await open();
        await a.createExperiment({ ...KEY, config: {}, seed: 101 });
        expect(await a.addActiveSeconds(KEY, 1.5)).toBe(1.5);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).addActiveSeconds(KEY, 0.25)),
        );
        expect((await b.getExperiment(KEY))?.activeSeconds).toBe(6.5);
        await expectCode(a.addActiveSeconds(KEY, -1), StoreErrorCode.InvalidArgument);
        await expectCode(a.addActiveSeconds(KEY, NaN), StoreErrorCode.InvalidArgument);
        await expectCode(a.addActiveSeconds({ ...KEY, run: 7 }, 1), StoreErrorCode.NotFound);
      });

      it('updates the best compound quality only when strictly greater', async () => {
        const store = await open();
        await store.createExperiment({ ...KEY, config: {}, seed: 101 });
        expect(await store.updateBest(KEY, 0.5, 't1')).toBe(true);
        expect(await store.updateBest(KEY, 0.4, 't2')).toBe(false);
        expect(await store.updateBest(KEY, 0.5, 't3')).toBe(false);
        expect(await store.updateBest(KEY, 0.75, 't4')).toBe(true);
        expect(await store.getExperiment(KEY)).toMatchObject({ bestCompoundQuality: 0.75, bestTaskId: 't4' });
        await expectCode(store.updateBest(KEY, NaN, 't5'), StoreErrorCode.InvalidArgument);
        await expectCode(store.updateBest({ ...KEY, run: 7 }, 0.9, 't6'), StoreErrorCode.NotFound);
      });

      it('keeps the maximum under concurrent best updates from two handles', async () => {
        const a = await open();
        const b = await open();
        await a.createExperiment({ ...KEY, config: {}, seed: 101 });
        const qualities = Array.from({ length: 30 }, (_, i) => ((i * 7) % 30) / 30);
        const results = await Promise.all(
          qualities.map((q, i) => (i % 2 === 0 ? a : b).updateBest(KEY, q, `t${i}`)),
        );
        const best = await a.getExperiment(KEY);
        expect(best?.bestCompoundQuality).toBe(Math.max(...qualities));
        expect(best?.bestTaskId).toBe(`t${qualities.indexOf(Math.max(...qualities))}`);
        expect(results.some(Boolean)).toBe(true);
      });
    });

    describe('logical pipelines', () => {
      it('inserts idempotently and lists in insertion order', async () => {
        const store = await open();
        const lps = ['c', 'a', 'b'].map((m) => logicalPipeline(KEY, `uuid-${m}`, m));
        expect(await store.insertLogicalPipelines(lps)).toBe(3);
        const again = [...lps, logicalPipeline(KEY, 'uuid-0', '0')];
        again[0] = { ...again[0], name: 'renamed' };
        expect(await store.insertLogicalPipelines(again)).toBe(1);
        const listed = await store.listLogicalPipelines(KEY);
        expect(listed.map((l) => l.uuid)).toEqual(['uuid-c', 'uuid-a', 'uuid-b', 'uuid-0']);
        expect(listed[0]).toMatchObject({
          name: 'None&NO_FAIRNESS_INTERVENTION&c',
          components: {
            null_imputation: 'None',
            fairness_intervention: 'NO_FAIRNESS_INTERVENTION',
            model: 'c',
          },
          stats: lps[0].stats,
          numTrials: 0,
          numCompleted: 0,
          surrogateType: null,
          acqType: null,
          acqOptimizerType: null,
          bestCompoundQuality: null,
        });
        const seqs = listed.map((l) => l.sequence);
        expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(4);
        // Another run holds its own LPs with the same uuids.
        expect(await store.insertLogicalPipelines([logicalPipeline({ ...KEY, run: 2 }, 'uuid-c')])).toBe(1);
        expect(await store.listLogicalPipelines({ ...KEY, run: 2 })).toHaveLength(1);
        expect(await store.listLogicalPipelines({ ...KEY, run: 3 })).toEqual([]);
      });

      it('patches fields and replaces stats whole', async () => {
        const store = await open();
        await store.insertLogicalPipelines([logicalPipeline(KEY, LP_A)]);
        const stats: JsonObject = {
          score: 0.61,
          mean: { F1: 0.7, Label_Stability: 0.9 },
          std: { F1: 1e-6 },
          cost: 2.5,
        };
        await store.updateLogicalPipeline(KEY, LP_A, {
          stats,
          numCompleted: 3,
          surrogateType: 'gp',
          acqType: 'ehvi',
          acqOptimizerType: 'random_scipy',
          bestCompoundQuality: 0.8,
        });
        await store.updateLogicalPipeline(KEY, LP_A, { acqType: null });
        await store.updateLogicalPipeline(KEY, LP_A, {});
        expect(await store.getLogicalPipeline(KEY, LP_A)).toMatchObject({
          stats,
          numTrials: 0,
          numCompleted: 3,
          surrogateType: 'gp',
          acqType: null,
          acqOptimizerType: 'random_scipy',
          bestCompoundQuality: 0.8,
        });
        await store.updateLogicalPipeline(KEY, LP_A, { stats: { score: 1 } });
        expect((await store.getLogicalPipeline(KEY, LP_A))?.stats).toEqual({ score: 1 });
        expect(await store.getLogicalPipeline(KEY, 'nope')).toBeNull();
        await expectCode(
          store.updateLogicalPipeline(KEY, 'nope', { numCompleted: 1 }),
          StoreErrorCode.NotFound,
        );
        await expectCode(store.updateLogicalPipeline(KEY, 'nope', {}), StoreErrorCode.NotFound);
        await expectCode(
          store.updateLogicalPipeline(KEY, LP_A, { stats: { score: NaN } }),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.updateLogicalPipeline(KEY, LP_A, { numTrials: 1.5 }),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.updateLogicalPipeline(KEY, LP_A, { sequence: 3 } as never),
          StoreErrorCode.InvalidArgument,
        );
      });

      it('increments trials atomically from two handles', async () => {
        const a = await open();
        const b = await open();
        await a.insertLogicalPipelines([logicalPipeline(KEY, LP_A)]);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).incrementTrials(KEY, LP_A, (i % 3) + 1)),
        );
        const total = Array.from({ length: 20 }, (_, i) => (i % 3) + 1).reduce((s, k) => s + k, 0);
        expect(Math.max(...results)).toBe(total);
        expect(new Set(results).size).toBe(20);
        expect((await a.getLogicalPipeline(KEY, LP_A))?.numTrials).toBe(total);
        expect(await a.incrementTrials(KEY, LP_A, 0)).toBe(total);
        await expectCode(a.incrementTrials(KEY, 'nope', 1), StoreErrorCode.NotFound);
      });
    });

    describe('tasks', () => {
      it('inserts idempotently by task id, first write wins, sequence follows insertion', async () => {
        const store = await open();
        const tasks = Array.from({ length: 5 }, (_, i) => task(KEY, i));
        expect(await store.insertTasks(tasks.slice(0, 3))).toBe(3);
        expect(await store.insertTasks([{ ...tasks[1], seed: 7777 }, ...tasks.slice(3), tasks[0]])).toBe(2);
        expect(await store.insertTasks([])).toBe(0);
        const listed = await store.listTasks(KEY);
        expect(listed.map((t) => t.taskId)).toEqual([0, 1, 2, 3, 4].map((i) => tasks[i].taskId));
        expect(listed[1]).toMatchObject({ ...tasks[1], status: 'queued', attempts: 0 });
        for (let i = 1; i < listed.length; i++)
          expect(listed[i].sequence).toBeGreaterThan(listed[i - 1].sequence);
        expect(await store.getTask(tasks[4].taskId)).toEqual(listed[4]);
        expect(await store.getTask('missing')).toBeNull();
        await expectCode(store.insertTasks([{ ...task(KEY, 9), seed: 1.5 }]), StoreErrorCode.InvalidArgument);
        expect(await store.getTask(task(KEY, 9).taskId)).toBeNull();
      });

      it('transitions atomically, counting attempts, and lists/counts by status', async () => {
        const { store, tasks } = await seeded(6, 0);
        const [t0, t1, t2, t3] = tasks.map((t) => t.taskId);
        expect(await store.transitionTask(t0, ['queued'], 'running', { attemptsInc: 1 })).toBe(true);
        expect(await store.transitionTask(t0, ['queued'], 'running', { attemptsInc: 1 })).toBe(false);
        // Redelivery: running -> queued -> running again counts a second attempt.
        expect(await store.transitionTask(t0, ['running'], 'queued')).toBe(true);
        expect(await store.transitionTask(t0, ['queued'], 'running', { attemptsInc: 1 })).toBe(true);
        expect(await store.getTask(t0)).toMatchObject({ status: 'running', attempts: 2 });
        await store.transitionTask(t1, ['queued'], 'running', { attemptsInc: 1 });
        await store.transitionTask(t1, ['running'], 'done');
        await store.transitionTask(t2, ['queued'], 'failed');
        await store.transitionTask(t3, ['queued'], 'running', { attemptsInc: 1 });
        expect(await store.countTasks(KEY)).toEqual({ queued: 2, running: 2, done: 1, failed: 1 });
        expect((await store.listTasks(KEY, { status: 'running' })).map((t) => t.taskId)).toEqual([t0, t3]);
        expect((await store.listTasks(KEY, { status: ['queued', 'done'] })).map((t) => t.taskId)).toEqual([
          t1,
          tasks[4].taskId,
          tasks[5].taskId,
        ]);
        expect((await store.listTasks(KEY, { lpUuid: LP_B })).map((t) => t.taskId)).toEqual([
          t1,
          t3,
          tasks[5].taskId,
        ]);
        const all = await store.listTasks(KEY);
        expect(
          (await store.listTasks(KEY, { afterSequence: all[1].sequence, limit: 2 })).map((t) => t.taskId),
        ).toEqual([t2, t3]);
        expect(await store.listTasks(KEY, { limit: 0 })).toEqual([]);
        expect(await store.countTasks({ ...KEY, run: 5 })).toEqual({
          queued: 0,
          running: 0,
          done: 0,
          failed: 0,
        });
        await expectCode(store.transitionTask('missing', ['queued'], 'running'), StoreErrorCode.NotFound);
        await expectCode(
          store.transitionTask(t0, ['queued'], 'lost' as never),
          StoreErrorCode.InvalidArgument,
        );
      });

      it('lets exactly one of two concurrent handles dispatch each task', async () => {
        const { tasks } = await seeded(40, 0);
        const a = await open();
        const b = await open();
        for (const t of tasks) {
          const wins = await Promise.all([
            a.transitionTask(t.taskId, ['queued'], 'running', { attemptsInc: 1 }),
            b.transitionTask(t.taskId, ['queued'], 'running', { attemptsInc: 1 }),
          ]);
          expect(wins.filter(Boolean)).toHaveLength(1);
        }
        const listed = await a.listTasks(KEY);
        expect(listed.every((t) => t.status === 'running' && t.attempts === 1)).toBe(true);
      });

      it('lets exactly one of two racing processes dispatch each task', async () => {
        const { store } = await seeded(80, 0);
        const children = [
          startChild(['claimer', spec, KEY.experiment, String(KEY.run), 'fwd']),
          startChild(['claimer', spec, KEY.experiment, String(KEY.run), 'rev']),
        ];
        await Promise.all(children.map((c) => c.waitLines(1)));
        for (const c of children) c.proc.stdin.write('go\n');
        await Promise.all(children.map((c) => c.waitLines(2)));
        const exits = await Promise.all(children.map((c) => c.exited));
        expect(exits.map((e) => e.code)).toEqual([0, 0]);
        const won = children.map((c) => JSON.parse(c.lines[1]) as string[]);
        const all = [...won[0], ...won[1]];
        expect(all).toHaveLength(80);
        expect(new Set(all).size).toBe(80);
        const listed = await store.listTasks(KEY);
        expect(listed.every((t) => t.status === 'running' && t.attempts === 1)).toBe(true);
      });
    });

    describe('observations', () => {
      it('records once by task id: observation, metrics and task status together', async () => {
        const { store, tasks } = await seeded(3);
        const t = tasks[0];
        const rows = metricRows(200, 3);
        expect(await store.recordObservation(observation(t, 0.8), rows)).toEqual({ inserted: true });
        const before = {
          obs: await store.getObservation(t.taskId),
          counts: await store.countObservations(KEY),
          tasks: await store.countTasks(KEY),
        };
        // A replayed/redelivered observation, even with other values, is a no-op.
        expect(await store.recordObservation(observation(t, 0.1), metricRows(10, 99))).toEqual({
          inserted: false,
        });
        expect(await store.getObservation(t.taskId)).toEqual(before.obs);
        expect(await store.countObservations(KEY)).toEqual(before.counts);
        expect(await store.countTasks(KEY)).toEqual(before.tasks);
        expect(before.counts).toEqual({ ok: 1, failed: 0, total: 1 });
        expect(before.tasks).toEqual({ queued: 0, running: 2, done: 1, failed: 0 });
        const metrics = await store.getMetrics(t.taskId);
        expect(metrics).toEqual(rows.map((r) => ({ ...r, taskId: t.taskId })));
        expect(before.obs).toMatchObject({ ...observation(t, 0.8), createdAt: expect.any(Number) });
      });

      it('records concurrent duplicates on one handle once', async () => {
        const { store, tasks } = await seeded(2);
        const results = await Promise.all(
          Array.from({ length: 4 }, () =>
            store.recordObservation(observation(tasks[0], 0.5), metricRows(20, 1)),
          ),
        );
        expect(results.filter((r) => r.inserted)).toHaveLength(1);
        expect(await store.getMetrics(tasks[0].taskId)).toHaveLength(20);
        expect((await store.countObservations(KEY)).total).toBe(1);
      });

      it('records failed observations and closes the task as failed', async () => {
        const { store, tasks } = await seeded(2);
        await store.recordObservation(observation(tasks[1], null), []);
        expect(await store.getObservation(tasks[1].taskId)).toMatchObject({
          status: 'failed',
          compoundQuality: null,
          objectives: [null, null],
          failure: { code: 'VF_MODELS_FIT', message: 'singular matrix' },
        });
        expect((await store.getTask(tasks[1].taskId))?.status).toBe('failed');
        expect(await store.getMetrics(tasks[1].taskId)).toEqual([]);
        expect(await store.countObservations(KEY)).toEqual({ ok: 0, failed: 1, total: 1 });
      });

      it('rejects malformed observations and unknown tasks without writing', async () => {
        const { store, tasks } = await seeded(2);
        const t = tasks[0];
        await expectCode(
          store.recordObservation(observation(t, 0.5, { compoundQuality: NaN }), []),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.recordObservation(observation(t, 0.5, { objectives: [Infinity, 0] }), []),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.recordObservation(observation(t, 0.5, { config: { c: NaN } }), []),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.recordObservation(observation(t, 0.5, { status: 'done' as never }), []),
          StoreErrorCode.InvalidArgument,
        );
        const dupRows = [...metricRows(4, 1), metricRows(1, 5)[0]];
        await expectCode(
          store.recordObservation(observation(t, 0.5), dupRows),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.recordObservation(observation(t, 0.5, { run: 2 }), []),
          StoreErrorCode.InvalidArgument,
        );
        await expectCode(
          store.recordObservation(observation(task(KEY, 99), 0.5), []),
          StoreErrorCode.NotFound,
        );
        expect(await store.getObservation(t.taskId)).toBeNull();
        expect(await store.getMetrics(t.taskId)).toEqual([]);
        expect((await store.getTask(t.taskId))?.status).toBe('running');
        expect((await store.countObservations(KEY)).total).toBe(0);
      });

      it('keeps NaN and infinite metric values', async () => {
        const { store, tasks } = await seeded(1);
        const rows = metricRows(4, 0);
        rows[0].value = NaN;
        rows[1].value = Infinity;
        rows[2].value = -Infinity;
        rows[3].value = -0.125;
        await store.recordObservation(observation(tasks[0], 0.5), rows);
        expect((await store.getMetrics(tasks[0].taskId)).map((m) => m.value)).toEqual([
          NaN,
          Infinity,
          -Infinity,
          -0.125,
        ]);
      });

      it('lists in recording order for replay, filters, counts and finds the best per LP', async () => {
        const { store, tasks } = await seeded(8);
        // Record out of task order: the replay order is the recording order.
        const order = [3, 0, 5, 6, 1, 2, 7];
        const quality: Record<number, number | null> = {
          0: 0.4,
          1: 0.9,
          2: 0.7,
          3: 0.7,
          5: null,
          6: 0.2,
          7: 0.9,
        };
        for (const i of order)
          await store.recordObservation(observation(tasks[i], quality[i]), metricRows(2, i));
        const listed = await store.listObservations(KEY);
        expect(listed.map((o) => o.taskId)).toEqual(order.map((i) => tasks[i].taskId));
        for (let i = 1; i < listed.length; i++)
          expect(listed[i].sequence).toBeGreaterThan(listed[i - 1].sequence);
        // Even tasks belong to LP_A, odd ones to LP_B.
        expect((await store.listObservations(KEY, { lpUuid: LP_A })).map((o) => o.taskId)).toEqual(
          [0, 6, 2].map((i) => tasks[i].taskId),
        );
        expect((await store.listObservations(KEY, { status: 'failed' })).map((o) => o.taskId)).toEqual([
          tasks[5].taskId,
        ]);
        expect(
          (await store.listObservations(KEY, { afterSequence: listed[4].sequence })).map((o) => o.taskId),
        ).toEqual([tasks[2].taskId, tasks[7].taskId]);
        expect((await store.listObservations(KEY, { limit: 2 })).map((o) => o.taskId)).toEqual([
          tasks[3].taskId,
          tasks[0].taskId,
        ]);
        expect(await store.countObservations(KEY)).toEqual({ ok: 6, failed: 1, total: 7 });
        expect(await store.countTasks(KEY)).toEqual({ queued: 0, running: 1, done: 6, failed: 1 });
        // LP_A: 0.4 (t0), 0.2 (t6), 0.7 (t2) -> t2. LP_B: 0.7 (t3), 0.9 (t1), 0.9 (t7), failed t5 -> t1 (earlier).
        const best = await store.bestObservationPerLogicalPipeline(KEY);
        const expected = [
          { lp: LP_A, taskId: tasks[2].taskId },
          { lp: LP_B, taskId: tasks[1].taskId },
        ].sort((x, y) => (x.lp < y.lp ? -1 : 1));
        expect(best.map((o) => ({ lp: o.lpUuid, taskId: o.taskId }))).toEqual(expected);
        expect(await store.listObservations({ ...KEY, run: 4 })).toEqual([]);
        expect(await store.bestObservationPerLogicalPipeline({ ...KEY, run: 4 })).toEqual([]);
      });
    });

    describe('values and persistence', () => {
      it('round-trips nested JSON configs exactly', async () => {
        const store = await open();
        const config: JsonObject = {
          common_args: { exp_config_name: 'exp', run_nums: [1, 2, 3], num_runs: 3, secrets_path: null },
          optimisation_args: {
            objectives: [
              { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.25 },
              { name: 'objective_2', metric: 'Equalized_Odds_FNR', group: 'SEX&RAC1P', weight: 0.75 },
            ],
            max_trials: 30,
            ref_point: [0.2, 0.1],
            flags: [true, false, null],
          },
          numbers: {
            zero: 0,
            neg: -3,
            frac: 0.1 + 0.2,
            tiny: 5e-324,
            huge: 1.7976931348623157e308,
            int53: 2 ** 53 - 1,
          },
          text: 'ünïcødé ✓ "quoted" \\ back\nslash\t',
          'dotted.key': { 'SEX & RAC1P': 'spaced' },
          deep: { a: { b: { c: { d: { e: [[[{}]], []] } } } } },
          empty: {},
        };
        await store.createExperiment({ ...KEY, config, seed: -5 });
        const got = await store.getExperiment(KEY);
        expect(got?.config).toEqual(config);
        expect(JSON.stringify(got?.config)).toBe(JSON.stringify(config));
        expect(got?.seed).toBe(-5);
        await store.insertTasks([{ ...task(KEY, 0), config }]);
        expect(JSON.stringify((await store.getTask(task(KEY, 0).taskId))?.config)).toBe(
          JSON.stringify(config),
        );
        // Keys with undefined values disappear, as with JSON.stringify.
        await store.insertTasks([
          { ...task(KEY, 1), config: { a: 1, b: undefined } as unknown as JsonObject },
        ]);
        expect((await store.getTask(task(KEY, 1).taskId))?.config).toEqual({ a: 1 });
        await expectCode(
          store.createExperiment({ ...KEY, run: 2, config: [1] as unknown as JsonObject, seed: 1 }),
          StoreErrorCode.InvalidArgument,
        );
      });

      it('persists everything across close and reopen', async () => {
        const { store, tasks } = await seeded(3);
        await store.transitionExperiment(KEY, ['created'], 'running');
        await store.addActiveSeconds(KEY, 12.5);
        await store.updateBest(KEY, 0.7, tasks[0].taskId);
        await store.incrementTrials(KEY, LP_A, 3);
        await store.recordObservation(observation(tasks[0], 0.7), metricRows(30, 0));
        const snapshot = async (s: ExperimentStore): Promise<unknown> => ({
          experiment: await s.getExperiment(KEY),
          lps: await s.listLogicalPipelines(KEY),
          tasks: await s.listTasks(KEY),
          observations: await s.listObservations(KEY),
          metrics: await s.getMetrics(tasks[0].taskId),
        });
        const before = await snapshot(store);
        await store.close();
        await store.close();
        await expectCode(store.getExperiment(KEY), StoreErrorCode.Closed);
        await expectCode(store.recordObservation(observation(tasks[1], 0.5), []), StoreErrorCode.Closed);
        const reopened = await open();
        expect(await snapshot(reopened)).toEqual(before);
        // Sequences keep growing after a reopen.
        await reopened.recordObservation(observation(tasks[1], 0.5), []);
        const listed = await reopened.listObservations(KEY);
        expect(listed[1].sequence).toBeGreaterThan(listed[0].sequence);
      });

      it('keeps every committed observation when the writing process is killed (SIGKILL)', async () => {
        const metricsPer = 200;
        const run = async (minLines: number): Promise<string[]> => {
          const child = startChild(['writer', spec, KEY.experiment, String(KEY.run), String(metricsPer)]);
          await child.waitLines(minLines);
          child.proc.kill('SIGKILL');
          const exit = await child.exited;
          expect(exit.signal).toBe('SIGKILL');
          return child.lines;
        };
        const verify = async (committed: string[]): Promise<number> => {
          await factory.verifyIntegrity?.(spec);
          const store = await open();
          const listed = await store.listObservations(KEY);
          const ids = listed.map((o) => o.taskId);
          expect(new Set(ids).size).toBe(ids.length);
          for (const line of committed) expect(ids).toContain(line.split(' ')[1]);
          for (let i = 1; i < listed.length; i++)
            expect(listed[i].sequence).toBeGreaterThan(listed[i - 1].sequence);
          for (const o of listed) {
            const i = Number(o.taskId.slice(o.taskId.lastIndexOf('-') + 1));
            expect(await store.getMetrics(o.taskId)).toEqual(
              metricRows(metricsPer, i).map((r) => ({ ...r, taskId: o.taskId })),
            );
          }
          const counts = await store.countTasks(KEY);
          expect(counts.done).toBe(listed.length);
          expect(counts.queued + counts.running).toBeLessThanOrEqual(1);
          expect((await store.countObservations(KEY)).total).toBe(listed.length);
          await store.close();
          return listed.length;
        };
        const first = await run(25);
        const n1 = await verify(first);
        expect(n1).toBeGreaterThanOrEqual(25);
        // Resume in a new process, as the engine does after kill -9, and kill it again: every line it printed
        // is a new observation (the task in flight at the first kill included), none is recorded twice.
        const second = await run(25);
        expect(second.every((l) => l.startsWith('ok '))).toBe(true);
        const n2 = await verify([...first, ...second]);
        expect(n2).toBeGreaterThanOrEqual(n1 + second.length);
      });
    });
  });
}
