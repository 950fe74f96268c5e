/** Record builders shared by the conformance suite and its child processes. */
import type { MetricRow, NewLogicalPipeline, NewObservation, NewTask, RunKey } from '../experiment-store';

export const LP_A = 'Tm9uZSZOT19GQUlSTkVTU19JTlRFUlZFTlRJT04mbHJfY2xm';
export const LP_B = 'Tm9uZSZOT19GQUlSTkVTU19JTlRFUlZFTlRJT04mZHRfY2xm';

export function logicalPipeline(key: RunKey, uuid: string, model = 'lr_clf'): NewLogicalPipeline {
  return {
    experiment: key.experiment,
    run: key.run,
    uuid,
    name: `None&NO_FAIRNESS_INTERVENTION&${model}`,
    components: { null_imputation: 'None', fairness_intervention: 'NO_FAIRNESS_INTERVENTION', model },
    stats: { score: 0, mean: { F1: 0 }, std: { F1: 0 }, cost: 0 },
  };
}

export function task(key: RunKey, i: number, lpUuid = LP_A): NewTask {
  return {
    taskId: `${key.experiment}-${key.run}-task-${i}`,
    experiment: key.experiment,
    run: key.run,
    lpUuid,
    lpName: 'None&NO_FAIRNESS_INTERVENTION&lr_clf',
    config: { model__C: 0.5 + i, model__penalty: 'l2', model__fit_intercept: i % 2 === 0, imputer: null },
    seed: 100 + i,
  };
}

export function observation(
  t: NewTask,
  quality: number | null,
  overrides: Partial<NewObservation> = {},
): NewObservation {
  const ok = quality !== null;
  return {
    taskId: t.taskId,
    experiment: t.experiment,
    run: t.run,
    lpUuid: t.lpUuid,
    lpName: t.lpName,
    config: t.config,
    status: ok ? 'ok' : 'failed',
    objectives: ok ? [1 - quality, 0.05] : [null, null],
    weighted: ok ? [0.5 * (1 - quality), 0.025] : [null, null],
    reversed: ok ? [quality, 0.95] : [null, null],
    constraints: [],
    compoundQuality: quality,
    haltingFraction: ok ? 1 : null,
    elapsedSeconds: 1.25,
    worker: 'node-1/thread-0',
    failure: ok ? null : { code: 'VF_MODELS_FIT', message: 'singular matrix' },
    ...overrides,
  };
}

/** `n` distinct metric rows whose values are a function of `seed`, alternating test and train. */
export function metricRows(n: number, seed: number): MetricRow[] {
  const groups = ['overall', 'SEX_priv', 'SEX_dis', 'RACE_priv', 'RACE_dis', 'SEX&RACE_priv', 'SEX&RACE_dis'];
  const rows: MetricRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      split: i % 2 === 0 ? 'test' : 'train',
      metric: `Metric_${Math.floor(i / (2 * groups.length))}`,
      group: groups[Math.floor(i / 2) % groups.length],
      value: seed + i / 1000,
    });
  }
  return rows;
}
