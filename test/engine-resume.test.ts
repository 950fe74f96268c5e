/**
 * Multi-process tests of the embedded engine: a real child process running an experiment is killed with
 * SIGKILL in the middle of the run and started again with the same command; the resumed run must end with
 * exactly the budgeted number of observations, unique task ids, no duplicate, and — with one evaluator
 * thread, no halting and risk_factor 0, where the design makes the search a function of the seed only —
 * the same evaluated configurations as an uninterrupted run, which itself must be identical to a second
 * uninterrupted run with the same seed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@virnyflow/core';
import { runExperiment } from '@virnyflow/engine';
import { openStore } from '@virnyflow/store';
import type { ObservationRecord } from '@virnyflow/store';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'packages/engine/test/fixtures/run-experiment.ts');
const BUDGET = 12;

const CONFIG = `
common_args:
  exp_config_name: 'resume'
  run_nums: [1]
pipeline_args:
  dataset: 'demo'
  sensitive_attrs_for_intervention: ['sex']
  null_imputers: ['median-mode']
  fairness_interventions: []
  models: ['dt_clf', 'lr_clf']
optimisation_args:
  ref_point: [0.5, 0.5]
  objectives:
    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Equalized_Odds_FPR', group: 'sex&race', weight: 0.5 }
  max_total_pipelines_num: ${BUDGET}
  num_workers: 2
  num_pp_candidates: 2
  training_set_fractions_for_halting: [1.0]
  exploration_factor: 0.5
  risk_factor: 0
virny_args:
  sensitive_attributes_dct: { 'sex': 'female', 'race': 'minority', 'sex&race': None }
`;

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vf-engine-resume-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function observations(storeDir: string): Promise<ObservationRecord[]> {
  const store = await openStore(storeDir);
  try {
    return await store.listObservations({ experiment: 'resume', run: 1 });
  } finally {
    await store.close();
  }
}

/** Runs the fixture; `killAfter` observations reported → SIGKILL. Resolves with the exit code or signal. */
function runChild(
  configPath: string,
  storeDir: string,
  killAfter: number | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[] }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, configPath, storeDir, '1'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const msg = JSON.parse(line) as { type: string; completed?: number };
      if (killAfter !== null && msg.type === 'progress' && (msg.completed ?? 0) >= killAfter)
        child.kill('SIGKILL');
    });
    child.on('error', rej);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) rej(new Error(`child exited with ${code}: ${stderr}`));
      else res({ code, signal, lines });
    });
  });
}

describe('engine: determinism and kill -9 resume (real processes)', () => {
  it('same seed, one thread: identical runs; killed and resumed run: exact budget, same configurations', async () => {
    const config = loadConfig(CONFIG);
    const refA = tempDir();
    const refB = tempDir();
    await runExperiment({ config, storeDir: refA, threads: 1 });
    await runExperiment({ config, storeDir: refB, threads: 1 });
    const a = await observations(refA);
    const b = await observations(refB);
    expect(a).toHaveLength(BUDGET);
    const strip = (o: ObservationRecord) => ({
      taskId: o.taskId,
      lp: o.lpName,
      config: o.config,
      status: o.status,
      objectives: o.objectives,
      constraints: o.constraints,
      compoundQuality: o.compoundQuality,
      haltingFraction: o.haltingFraction,
    });
    expect(b.map(strip)).toEqual(a.map(strip));

    const work = tempDir();
    const configPath = join(work, 'resume.yaml');
    writeFileSync(configPath, CONFIG);
    const storeDir = join(work, 'store');
    // Killed twice (after 3 and after 7 recorded observations), then run to the end.
    let atKill: ObservationRecord[] = [];
    for (const killAfter of [3, 7]) {
      const killed = await runChild(configPath, storeDir, killAfter);
      expect(killed.signal).toBe('SIGKILL');
      const now = await observations(storeDir);
      expect(now.length).toBeGreaterThanOrEqual(killAfter);
      expect(now.length).toBeLessThan(BUDGET);
      // What was recorded before a kill stays as it was.
      expect(now.slice(0, atKill.length).map((o) => o.taskId)).toEqual(atKill.map((o) => o.taskId));
      atKill = now;
    }

    const resumed = await runChild(configPath, storeDir, null);
    expect(resumed.code).toBe(0);
    const done = JSON.parse(resumed.lines[resumed.lines.length - 1]) as { type: string; stopped: boolean };
    expect(done).toMatchObject({ type: 'done', stopped: false });

    const store = await openStore(storeDir);
    try {
      const key = { experiment: 'resume', run: 1 };
      const obs = await store.listObservations(key);
      const tasks = await store.listTasks(key);
      expect(obs).toHaveLength(BUDGET);
      expect(tasks).toHaveLength(BUDGET);
      const ids = obs.map((o) => o.taskId);
      expect(new Set(ids).size).toBe(BUDGET);
      expect(new Set(tasks.map((t) => t.taskId))).toEqual(new Set(ids));
      expect(tasks.every((t) => t.status === 'done' || t.status === 'failed')).toBe(true);
      // Observations recorded before the kill are untouched (recording is idempotent by task id).
      expect(obs.slice(0, atKill.length).map((o) => o.taskId)).toEqual(atKill.map((o) => o.taskId));
      const lps = await store.listLogicalPipelines(key);
      expect(lps.reduce((n, l) => n + l.numTrials, 0)).toBe(BUDGET);
      expect(lps.reduce((n, l) => n + l.numCompleted, 0)).toBe(BUDGET);
      expect((await store.getExperiment(key))?.status).toBe('completed');
      const byId = (list: ObservationRecord[]) => new Map(list.map((o) => [o.taskId, o.config]));
      expect(byId(obs)).toEqual(byId(a));
    } finally {
      await store.close();
    }
  }, 300_000);
});
