/**
 * Multi-process tests of the distributed deployment: a real `nats-server -js` spawned by the harness, the
 * `virnyflow coordinator` and `virnyflow worker` commands as separate processes (exactly what
 * `pnpm start:coordinator` / `pnpm start:worker` and the systemd units run), and the faults the design
 * promises to survive:
 *  - coordinator + 2 workers complete an experiment (and the workers drain and leave on SIGTERM);
 *  - kill -9 of a worker in the middle of a task: the task is redelivered and recorded once;
 *  - kill -9 of the coordinator and a restart: the run resumes, exact budget, no duplicates;
 *  - kill -9 and restart of the NATS server mid-run: clients reconnect and nothing is lost.
 *
 * Pipelines use `slow_clf` (test/fixtures/slow-model.ts), a decision tree that blocks its thread for a
 * while and marks which process runs which task, so a kill lands in the middle of a task for sure.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@virnyflow/core';
import { runExperiment } from '@virnyflow/engine';
import { JetStreamTransport, NatsServer, hasNatsServer } from '@virnyflow/runtime';
import { openStore } from '@virnyflow/store';
import type { ObservationRecord } from '@virnyflow/store';
import { bundle } from '../scripts/bundle';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const SLOW_MODEL = join(ROOT, 'test/fixtures/slow-model.ts');

const config = (name: string, budget: number): string => `
common_args:
  exp_config_name: '${name}'
  run_nums: [1]
pipeline_args:
  dataset: 'demo'
  sensitive_attrs_for_intervention: ['sex']
  null_imputers: ['median-mode']
  fairness_interventions: []
  models: ['slow_clf']
optimisation_args:
  ref_point: [0.5, 0.5]
  objectives:
    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Equalized_Odds_FPR', group: 'sex&race', weight: 0.5 }
  max_total_pipelines_num: ${budget}
  num_workers: 2
  num_pp_candidates: 2
  training_set_fractions_for_halting: [1.0]
virny_args:
  sensitive_attributes_dct: { 'sex': 'female', 'race': 'minority', 'sex&race': None }
`;

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

const procs = new Set<ChildProcess>();

function cli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.add(child);
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
    for (const w of waiters.splice(0)) {
      if (err.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('exit', (code, signal) => {
      procs.delete(child);
      res({ code, signal });
    }),
  );
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise<void>((res, rej) => {
        if (err.includes(text)) return res();
        const timer = setTimeout(
          () => rej(new Error(`no '${text}' on stderr within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            res();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!err.includes(text)) rej(new Error(`exited before '${text}':\n${err}`));
        });
      }),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 90_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function observations(storeDir: string, experiment: string): Promise<ObservationRecord[]> {
  if (!existsSync(storeDir)) return [];
  const store = await openStore(storeDir);
  try {
    return await store.listObservations({ experiment, run: 1 });
  } finally {
    await store.close();
  }
}

describe.skipIf(!hasNatsServer())(
  'distributed: coordinator and workers as processes over NATS JetStream',
  () => {
    let server: NatsServer;
    const work = mkdtempSync(join(tmpdir(), 'vf-distributed-'));

    beforeAll(async () => {
      server = await NatsServer.start();
    });
    afterAll(async () => {
      for (const c of procs) c.kill('SIGKILL');
      await server?.cleanup();
      rmSync(work, { recursive: true, force: true });
    });

    /** A fresh experiment: its config file, store dir, marker dir and JetStream prefix. */
    function experiment(name: string, budget: number) {
      const configPath = join(work, `${name}.yaml`);
      writeFileSync(configPath, config(name, budget));
      const storeDir = join(work, `${name}-store`);
      const markDir = mkdtempSync(join(work, `${name}-marks-`));
      return { name, budget, configPath, storeDir, markDir, prefix: `dist_${name}` };
    }

    type Exp = ReturnType<typeof experiment>;

    const nats = (e: Exp): string[] => ['--nats', server.url, '--prefix', e.prefix];

    async function worker(e: Exp, name: string, slowMs: number): Promise<Proc> {
      const p = cli(['worker', ...nats(e), '--threads', '1', '--name', name, '--heartbeat', '500'], {
        VF_TEST_SLOW_MS: String(slowMs),
        VF_TEST_MARK_DIR: e.markDir,
      });
      await p.waitFor('waiting for tasks');
      return p;
    }

    function coordinator(e: Exp): Proc {
      return cli([
        'coordinator',
        e.configPath,
        ...nats(e),
        '--store',
        e.storeDir,
        '--components',
        SLOW_MODEL,
        '--ack-wait',
        '3000',
      ]);
    }

    async function checkComplete(e: Exp): Promise<ObservationRecord[]> {
      const store = await openStore(e.storeDir);
      try {
        const key = { experiment: e.name, run: 1 };
        const obs = await store.listObservations(key);
        const tasks = await store.listTasks(key);
        expect(obs).toHaveLength(e.budget);
        expect(new Set(obs.map((o) => o.taskId)).size).toBe(e.budget);
        expect(tasks).toHaveLength(e.budget);
        expect(new Set(tasks.map((t) => t.taskId))).toEqual(new Set(obs.map((o) => o.taskId)));
        expect(obs.every((o) => o.status === 'ok')).toBe(true);
        expect(tasks.every((t) => t.status === 'done')).toBe(true);
        const lps = await store.listLogicalPipelines(key);
        expect(lps.reduce((n, l) => n + l.numTrials, 0)).toBe(e.budget);
        expect(lps.reduce((n, l) => n + l.numCompleted, 0)).toBe(e.budget);
        expect((await store.getExperiment(key))?.status).toBe('completed');
        return obs;
      } finally {
        await store.close();
      }
    }

    /** Tags of the tasks a process started (from the slow model's marker files). */
    function tagsStartedBy(e: Exp, pid: number | undefined): number[] {
      return readdirSync(e.markDir)
        .filter((f) => f.startsWith(`${pid}-`))
        .map((f) => Number(f.slice(f.indexOf('-') + 1)));
    }

    const tagOf = (o: ObservationRecord): number => {
      const key = Object.keys(o.config).find((k) => k.endsWith('tag'));
      return Number(o.config[key as string]);
    };

    it('coordinator + 2 worker processes complete an experiment; a worker drained mid-task finishes it and leaves', async () => {
      const e = experiment('twoworkers', 8);
      const w1 = await worker(e, 'w1', 500);
      const w2 = await worker(e, 'w2', 500);
      const c = coordinator(e);
      // SIGTERM drains: w2 takes no new task, finishes the one it runs, says goodbye and exits 0.
      await until('w2 to start a task', () => tagsStartedBy(e, w2.child.pid).length > 0);
      w2.child.kill('SIGTERM');
      expect(await w2.exited, w2.stderr()).toEqual({ code: 0, signal: null });
      expect(w2.stderr()).toContain('drained');
      const drained = tagsStartedBy(e, w2.child.pid);
      expect(await c.exited, c.stderr()).toEqual({ code: 0, signal: null });
      const obs = await checkComplete(e);
      // Both workers took part; what w2 started it also finished (nothing was abandoned or run twice).
      expect(new Set(obs.map((o) => o.worker))).toEqual(new Set(['w1', 'w2']));
      const byW2 = obs.filter((o) => o.worker === 'w2');
      expect(byW2.map(tagOf).sort()).toEqual([...drained].sort());
      const started = readdirSync(e.markDir).length;
      expect(started).toBe(e.budget);
      // The coordinator reports both workers with what each contributed.
      expect(c.stdout()).toMatch(/workers seen: 2/);
      expect(c.stdout()).toMatch(
        new RegExp(
          `w1 \\([^)]*\\): 1 thread\\(s\\), connected, ${e.budget - byW2.length} pipelines recorded`,
        ),
      );
      expect(c.stdout()).toMatch(
        new RegExp(`w2 \\([^)]*\\): 1 thread\\(s\\), left, ${byW2.length} pipelines recorded`),
      );
      // `virnyflow workers` sees w1 (heartbeats) and drains it remotely.
      const list = cli(['workers', 'list', ...nats(e), '--wait', '2000', '--format', 'json']);
      expect(await list.exited, list.stderr()).toEqual({ code: 0, signal: null });
      const listed = JSON.parse(list.stdout()) as {
        workers: { workerId: string; state: string; threads: number }[];
      };
      expect(listed.workers.map((w) => [w.workerId, w.state, w.threads])).toEqual([['w1', 'connected', 1]]);
      const drain = cli([
        'workers',
        'drain',
        ...nats(e),
        '--worker',
        'w1',
        '--wait',
        '3000',
        '--format',
        'json',
      ]);
      expect(await w1.exited, w1.stderr()).toEqual({ code: 0, signal: null });
      expect(w1.stderr()).toContain('drained');
      expect(await drain.exited, drain.stderr()).toEqual({ code: 0, signal: null });
      expect((JSON.parse(drain.stdout()) as { left: string[] }).left).toEqual(['w1']);
    }, 180_000);

    it('kill -9 of a worker mid-task: the task is redelivered to another worker and recorded once', async () => {
      const e = experiment('workerkill', 6);
      const victim = await worker(e, 'victim', 1_500);
      const c = coordinator(e);
      // The victim takes the first task(s); kill it while its pipeline certainly runs.
      await until('the victim to start a task', () => tagsStartedBy(e, victim.child.pid).length > 0);
      victim.child.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      const lost = tagsStartedBy(e, victim.child.pid);
      expect(lost.length).toBeGreaterThan(0);
      // A worker that joins later takes over, including the killed task once its ack wait expires.
      const rescuer = await worker(e, 'rescuer', 300);
      expect(await c.exited).toEqual({ code: 0, signal: null });
      const obs = await checkComplete(e);
      expect(obs.every((o) => o.worker === 'rescuer')).toBe(true);
      for (const tag of lost) expect(obs.filter((o) => tagOf(o) === tag)).toHaveLength(1);
      // The rescuer ran the killed task again (its own marker for the same tag).
      const rescued = tagsStartedBy(e, rescuer.child.pid);
      for (const tag of lost) expect(rescued).toContain(tag);
      // The coordinator may not have heard from the victim before it died; if it did, it saw it go silent.
      if (c.stdout().includes('victim'))
        expect(c.stdout()).toMatch(/victim[^\n]*: 1 thread\(s\), silent, 0 pipelines recorded/);
      rescuer.child.kill('SIGTERM');
      await rescuer.exited;
    }, 180_000);

    it('kill -9 of the coordinator and a restart: the run resumes with the exact budget and no duplicates', async () => {
      const e = experiment('coordkill', 10);
      const w1 = await worker(e, 'w1', 400);
      const w2 = await worker(e, 'w2', 400);
      const first = coordinator(e);
      await until(
        '3 recorded observations',
        async () => (await observations(e.storeDir, e.name)).length >= 3,
      );
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const before = await observations(e.storeDir, e.name);
      expect(before.length).toBeLessThan(e.budget);
      // Workers go on with what they hold; their observations wait in the durable stream.
      await sleep(1_000);
      const second = coordinator(e);
      expect(await second.exited).toEqual({ code: 0, signal: null });
      const obs = await checkComplete(e);
      // What was recorded before the kill is untouched.
      expect(obs.slice(0, before.length).map((o) => o.taskId)).toEqual(before.map((o) => o.taskId));
      for (const w of [w1, w2]) w.child.kill('SIGTERM');
      await Promise.all([w1.exited, w2.exited]);
    }, 180_000);

    it('kill -9 and restart of the NATS server mid-run: clients reconnect and nothing is lost', async () => {
      const e = experiment('natsrestart', 10);
      const w1 = await worker(e, 'w1', 400);
      const w2 = await worker(e, 'w2', 400);
      const c = coordinator(e);
      await until(
        '3 recorded observations',
        async () => (await observations(e.storeDir, e.name)).length >= 3,
      );
      await server.kill();
      expect((await observations(e.storeDir, e.name)).length).toBeLessThan(e.budget);
      await sleep(1_500);
      await server.restart();
      expect(await c.exited).toEqual({ code: 0, signal: null });
      await checkComplete(e);
      for (const w of [w1, w2]) w.child.kill('SIGTERM');
      for (const w of [w1, w2]) expect((await w.exited).code).toBe(0);
    }, 180_000);

    it('the bundled CLI (pnpm bundle) runs as a worker, pipeline threads included', async () => {
      const out = mkdtempSync(join(work, 'bundle-'));
      const entry = await bundle(out);
      const e = experiment('bundled', 4);
      const cacheDir = join(out, 'dataset-cache');
      const w = spawn(
        process.execPath,
        [entry, 'worker', ...nats(e), '--threads', '1', '--name', 'bundled-1', '--dataset-cache', cacheDir],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      procs.add(w);
      let err = '';
      w.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      await until('the bundled worker to start', () => err.includes('waiting for tasks'));
      const transport = await JetStreamTransport.connect({
        connection: { servers: server.url },
        prefix: e.prefix,
      });
      try {
        // A real pipeline (decision tree on the demo data) evaluated in the bundled thread entry.
        const summary = await runExperiment({
          config: loadConfig(config('bundled', 4).replace("'slow_clf'", "'dt_clf'")),
          storeDir: e.storeDir,
          threads: 0,
          transport,
        });
        expect(summary.runs[0]).toMatchObject({ status: 'completed', reason: 'budget' });
      } finally {
        await transport.close();
        w.kill('SIGTERM');
      }
      const obs = await observations(e.storeDir, 'bundled');
      expect(obs).toHaveLength(4);
      expect(obs.every((o) => o.status === 'ok' && o.worker === 'bundled-1')).toBe(true);
      // The worker kept what it fetched from the object store (dataset and context) by content hash.
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.blob'))).toHaveLength(2);
    }, 120_000);
  },
);
