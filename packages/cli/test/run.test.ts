import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '@virnyflow/cli';
import { cellValue, generateDemoDataset } from '@virnyflow/data';

const dir = mkdtempSync(join(tmpdir(), 'vf-cli-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { out: (s) => (out += s) });
  return { code, out };
}

const config = join(dir, 'small.yaml');
writeFileSync(
  config,
  `common_args: { exp_config_name: cli_small, run_nums: [1] }
pipeline_args:
  dataset: demo
  sensitive_attrs_for_intervention: [sex]
  null_imputers: [median-mode]
  fairness_interventions: []
  models: [dt_clf, lr_clf]
optimisation_args:
  objectives:
    - { name: objective_1, metric: F1, group: overall, weight: 0.5 }
    - { name: objective_2, metric: Equalized_Odds_FPR, group: 'sex&race', weight: 0.5 }
  max_total_pipelines_num: 5
  num_workers: 2
  num_pp_candidates: 2
virny_args:
  sensitive_attributes_dct: { sex: female, race: minority, 'sex&race': None }
`,
);
const store = join(dir, 'store');

describe('virnyflow run → status → report → export → predict', () => {
  it('runs a small experiment to its exact budget and reports it', async () => {
    const run = await cli('run', config, '--store', store, '--workers', '1', '--quiet');
    expect(run.code).toBe(0);
    expect(run.out).toContain('run 1 (seed 101): completed');

    const status = await cli('status', 'cli_small', '--store', store, '--format', 'json');
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out);
    expect(s.runs[0]).toMatchObject({
      experiment: 'cli_small',
      run: 1,
      state: 'completed',
      completed: 5,
      budget: 5,
    });
    expect(typeof s.runs[0].elapsed_s).toBe('number');

    const report = await cli('report', config, '--store', store, '--format', 'json');
    expect(report.code).toBe(0);
    const r = JSON.parse(report.out);
    expect(r.observations).toHaveLength(5);
    expect(new Set(r.observations.map((o: { task_id: string }) => o.task_id)).size).toBe(5);
    expect(r.logical_pipelines).toHaveLength(2);
    expect(r.pareto_front.length).toBeGreaterThan(0);
    expect(
      r.best_per_logical_pipeline[0].metrics.test.some((m: { group: string }) => m.group === 'sex&race_dis'),
    ).toBe(true);

    const csv = await cli('report', 'cli_small', '--store', store, '--format', 'csv');
    expect(csv.out.trim().split('\n')).toHaveLength(6); // header + 5 observations

    const text = await cli('report', 'cli_small', '--store', store);
    expect(text.out).toContain('Logical pipelines');
    expect(text.out).toContain('Pareto front');
  });

  it('exports the best pipeline and predicts new rows with it', async () => {
    const artifact = join(dir, 'best.json');
    const exp = await cli('export', 'cli_small', '--store', store, '--out', artifact);
    expect(exp.code).toBe(0);
    expect(JSON.parse(readFileSync(artifact, 'utf8')).kind).toBe('virnyflow_pipeline');

    // New rows: a fresh sample of the same generator, written as CSV.
    const fresh = generateDemoDataset({ rows: 30, seed: 7 });
    const t = fresh.raw;
    const lines = [t.columnNames.join(',')];
    for (let i = 0; i < t.nRows; i++) {
      lines.push(
        t.columns
          .map((c) => {
            const v = cellValue(c, i);
            return v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
          })
          .join(','),
      );
    }
    const rows = join(dir, 'rows.csv');
    writeFileSync(rows, lines.join('\n') + '\n');

    const pred = await cli('predict', artifact, rows, '--format', 'json');
    expect(pred.code).toBe(0);
    const p = JSON.parse(pred.out);
    expect(p.probabilities).toHaveLength(30);
    for (let i = 0; i < 30; i++) {
      expect(p.probabilities[i]).toBeGreaterThanOrEqual(0);
      expect(p.probabilities[i]).toBeLessThanOrEqual(1);
      expect(p.labels[i]).toBe(p.probabilities[i] > 0.5 ? 1 : 0);
    }
  });

  it('a second run of the same command resumes a completed experiment without new work', async () => {
    const again = await cli('run', config, '--store', store, '--workers', '1', '--quiet');
    expect(again.code).toBe(0);
    expect(again.out).toContain('already completed');
    const status = JSON.parse((await cli('status', 'cli_small', '--store', store, '--format', 'json')).out);
    expect(status.runs[0].completed).toBe(5);
  });

  it('reports an unknown experiment as a user error', async () => {
    expect((await cli('status', 'no_such_experiment', '--store', join(dir, 'empty'))).code).toBe(2);
  });
});
